//! `xuncha gen`: synthetic cases for demos, tests and benchmarks.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use super::{note, Cli, Outcome};
use crate::gen::{self, script::Injectors, GenOptions};

#[derive(Debug, Args)]
pub struct GenArgs {
    /// How many cases
    #[arg(long, default_value_t = 1000)]
    pub cases: u64,
    /// Random seed; the same seed gives the same bytes
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output file (NDJSON)
    #[arg(long)]
    pub out: PathBuf,
    /// Write one NDJSON line per injected error: {"case_id", "category", "subject"}
    #[arg(long)]
    pub truth: Option<PathBuf>,
    /// First acceptance day
    #[arg(long, default_value = "2025-07-01")]
    pub from: String,
    /// Last day (audit the set as of the end of this day)
    #[arg(long, default_value = "2026-06-30")]
    pub to: String,
    /// Share of cases with one injected error
    #[arg(long, default_value_t = 0.3)]
    pub error_rate: f64,
    /// Only inject these categories (comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// The generator scripts (comply/inject per category)
    #[arg(long, default_value = "rules/inject")]
    pub inject: PathBuf,
}

pub fn options(a: &GenArgs) -> anyhow::Result<GenOptions> {
    let date = |s: &str, flag: &str| {
        s.parse::<jiff::civil::Date>().with_context(|| format!("{flag}: `{s}` is not a date YYYY-MM-DD"))
    };
    Ok(GenOptions {
        cases: a.cases,
        seed: a.seed,
        from: date(&a.from, "--from")?,
        to: date(&a.to, "--to")?,
        error_rate: a.error_rate,
        only: a.only.clone(),
    })
}

pub fn run(cli: &Cli, a: &GenArgs) -> anyhow::Result<Outcome> {
    let opts = options(a)?;
    let calendar = std::sync::Arc::new(crate::engine::Calendar::load(&cli.rules)?);
    let scripts = if a.error_rate > 0.0 { Injectors::load(&a.inject, &calendar)? } else { Injectors::none(&calendar) };
    let per = gen::write_files(&opts, &scripts, &a.out, a.truth.as_deref())?;
    let injected: u64 = per.values().sum();
    note(
        cli,
        &format!(
            "wrote {} cases to {} ({} injected errors in {} categories); audit them with --as-of {}",
            a.cases,
            a.out.display(),
            injected,
            per.len(),
            opts.to
        ),
    );
    Ok(Outcome::Ok)
}

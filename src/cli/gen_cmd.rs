//! `xuncha gen`: synthetic cases for demos, tests and benchmarks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context as _};
use clap::Args;

use super::{note, Cli, Outcome};
use crate::engine::{Calendar, Origin, RuleFiles};
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
    /// The generator scripts (comply/inject per category); default: the rule set's inject/
    /// (built in, or the --rules directory's)
    #[arg(long, value_name = "DIR")]
    pub inject: Option<PathBuf>,
}

/// The generator's scripts: `--inject DIR`, else the rule set's `inject/`; says which on
/// stderr. A set without any is an error when errors must be injected (`required`: a truth
/// file was asked for, or recall is to be scored), else a warning: never silently nothing.
pub fn injectors(
    cli: &Cli,
    files: &RuleFiles,
    inject: Option<&Path>,
    calendar: &Arc<Calendar>,
    required: bool,
) -> anyhow::Result<Injectors> {
    let (scripts, from) = match inject {
        Some(dir) => (Injectors::load(dir, calendar)?, format!("directory {}", dir.display())),
        None => {
            let from = match &files.origin {
                Origin::BuiltIn => files.origin.describe(),
                Origin::Dir(d) => format!("directory {}", d.join(crate::engine::INJECT_DIR).display()),
            };
            (Injectors::from_files(files, calendar)?, from)
        }
    };
    if scripts.is_empty() {
        let what = format!("no generator scripts (inject/<CODE>.rhai) in {from}: no error can be injected");
        let help = "help: use a rules directory that has inject/ (`xuncha rules export DIR` writes the built-in one),                     or leave out --rules to use the built-in scripts";
        if required {
            bail!("{what}; nothing was written\n  {help}");
        }
        note(cli, &format!("warning: {what}, and no case is made to comply with the checks\n  {help}"));
    } else {
        note(cli, &format!("generator scripts: {from}, {} categories", scripts.codes().len()));
    }
    Ok(scripts)
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
    let files = super::rule_files(cli)?;
    let calendar = Arc::new(Calendar::from_files(&files)?);
    // the scripts run at every error rate: their comply mode is what makes a base case lawful
    let scripts = injectors(cli, &files, a.inject.as_deref(), &calendar, a.truth.is_some() && a.error_rate > 0.0)?;
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

//! `xuncha import FILE...`

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use super::{note, out, out_json, thousands, Cli, Format, Outcome};
use crate::import::{import_files, ImportSummary};
use crate::store::Store;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files to import (JSON array or NDJSON, detected from the content); `-` is stdin
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Imports and reports; shared by `audit FILE...`.
pub fn import_and_report(cli: &Cli, files: &[PathBuf], store: &mut Store) -> anyhow::Result<ImportSummary> {
    let summary = import_files(store, files, &|_| {}).context("import failed; batches already committed are kept")?;
    report_rejects(cli, &summary);
    Ok(summary)
}

/// Prints the records an import left out, and the files without records.
pub fn report_rejects(cli: &Cli, summary: &ImportSummary) {
    for r in &summary.rejects {
        eprint!("{}", r.render());
    }
    for f in &summary.without_records {
        note(cli, &format!("warning: no records in {f}"));
    }
    if summary.rejected > 0 {
        note(
            cli,
            &format!(
                "{} record(s) rejected and stored in the `rejects` table; every other record was imported",
                thousands(summary.rejected)
            ),
        );
    }
}

pub fn summary_text(s: &ImportSummary) -> String {
    format!(
        "imported {} file(s): {} new, {} changed, {} unchanged, {} rejected\n",
        s.files.len(),
        thousands(s.new),
        thousands(s.changed),
        thousands(s.unchanged),
        thousands(s.rejected)
    )
}

pub fn run(cli: &Cli, a: &ImportArgs) -> anyhow::Result<Outcome> {
    // open every input before touching the database, so a missing file changes nothing
    for f in &a.files {
        crate::import::open_input(f)?;
    }
    let mut store = Store::open(&cli.db)?;
    let s = import_and_report(cli, &a.files, &mut store)?;
    match a.format {
        Format::Json => out_json(&s)?,
        Format::Text => {
            if !cli.quiet {
                out(&summary_text(&s))?;
            }
        }
    }
    Ok(if s.rejected > 0 { Outcome::Partial } else { Outcome::Ok })
}

//! `xuncha roster import FILE` and `xuncha roster check`: one name per officer.

use std::path::PathBuf;

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand};
use serde::Serialize;

use super::{note, out, out_json, thousands, Cli, Format, Outcome};
use crate::store::officers::{self, Difference};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum RosterCmd {
    /// Load a bureau's roster: CSV with a header line `id,name,unit_id[,position]`
    ///
    /// Every line is checked first; if any is bad, each is reported with its line number and
    /// nothing is imported. Officers of the roster are named by it in every report and list;
    /// officers not in it keep the name and unit of the newest imported case that names them.
    Import(ImportArgs),
    /// List the case records whose officer name or unit differs from the roster (or, without
    /// one, from the newest imported case that names the officer)
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The roster (CSV, UTF-8); `-` reads standard input
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(cli: &Cli, cmd: &RosterCmd) -> anyhow::Result<Outcome> {
    match cmd {
        RosterCmd::Import(a) => import(cli, a),
        RosterCmd::Check(a) => check(cli, a),
    }
}

fn import(cli: &Cli, a: &ImportArgs) -> anyhow::Result<Outcome> {
    let name = a.file.display().to_string();
    let input: Box<dyn std::io::Read> = if a.file.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(&a.file).with_context(|| format!("cannot read `{name}`"))?)
    };
    let entries = match crate::roster::parse(input) {
        Ok(e) => e,
        Err(errors) => {
            let mut s = String::new();
            for e in &errors {
                s.push_str(&format!("error: {name}:{}: {}\n", e.line, e.message));
            }
            eprint!("{s}");
            bail!(
                "{} bad line(s) in the roster `{name}`; nothing was imported\n  help: fix the lines above and run again; the header is `id,name,unit_id[,position]`",
                errors.len()
            );
        }
    };
    let mut store = Store::open(&cli.db)?;
    let counts = officers::import_roster(&mut store, &entries)?;
    match a.format {
        Format::Json => out_json(&serde_json::json!({"file": name, "officers": entries.len(), "counts": counts}))?,
        Format::Text => {
            if !cli.quiet {
                out(&format!(
                    "imported the roster {name}: {} officer(s): {} added, {} updated, {} unchanged\n",
                    thousands(entries.len() as u64),
                    thousands(counts.added),
                    thousands(counts.updated),
                    thousands(counts.unchanged)
                ))?;
            }
        }
    }
    note(cli, "next: `xuncha roster check` lists the case records that name an officer otherwise");
    Ok(Outcome::Ok)
}

#[derive(Serialize)]
struct CheckReport<'a> {
    /// officers named by the roster, and by the newest case that names them
    roster_officers: u64,
    case_officers: u64,
    /// case records that name an officer otherwise
    cases: usize,
    officers: usize,
    differences: &'a [Difference],
}

fn check(cli: &Cli, a: &CheckArgs) -> anyhow::Result<Outcome> {
    let store = Store::open_read_only(&cli.db)?;
    let (roster, from_cases) = officers::sources(&store.conn)?;
    let diffs = officers::differences(&store.conn)?;
    let cases = diffs.iter().map(|d| &d.case_id).collect::<std::collections::BTreeSet<_>>().len();
    let officers = diffs.iter().map(|d| &d.officer_id).collect::<std::collections::BTreeSet<_>>().len();
    match a.format {
        Format::Json => out_json(&CheckReport {
            roster_officers: roster,
            case_officers: from_cases,
            cases,
            officers,
            differences: &diffs,
        })?,
        Format::Text => {
            let mut s = String::new();
            for d in &diffs {
                let against = if d.source == "roster" { "roster" } else { "newest case" };
                let mut what = Vec::new();
                if let Some(n) = &d.case_name {
                    what.push(format!("name {n} ({against}: {})", d.name.as_deref().unwrap_or("-")));
                }
                if let Some(u) = &d.case_unit {
                    what.push(format!("unit {u} ({against}: {})", d.unit_id.as_deref().unwrap_or("-")));
                }
                s.push_str(&format!("{}  {}  {}\n", d.case_id, d.officer_id, what.join(", ")));
            }
            let basis = match (roster, from_cases) {
                (0, _) => "no roster imported: officers are named by the newest imported case".to_owned(),
                (r, 0) => format!("{} officer(s) from the roster", thousands(r)),
                (r, c) => format!(
                    "{} officer(s) from the roster, {} not in it and named by the newest imported case",
                    thousands(r),
                    thousands(c)
                ),
            };
            s.push_str(&format!(
                "{} case record(s) name {} officer(s) otherwise ({basis})\n",
                thousands(cases as u64),
                thousands(officers as u64)
            ));
            out(&s)?;
        }
    }
    Ok(Outcome::Ok)
}

//! `xuncha audit [FILE...]`: import, check, reconcile, summarise.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use anyhow::Context as _;

use super::import_cmd::report_rejects;
use super::{note, out, out_json, thousands, Cli, Format, Outcome};
use crate::audit::{self, Options, Summary};
use crate::import::ImportSummary;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Case exports to import first (JSON array or NDJSON; `-` is stdin)
    pub files: Vec<PathBuf>,
    /// Audit as of the end of this day (YYYY-MM-DD, Asia/Shanghai) or this RFC 3339 instant; default now
    #[arg(long, help_heading = "Audit")]
    pub as_of: Option<String>,
    /// Check every case, not only those that changed or whose deadlines passed
    #[arg(long, help_heading = "Audit")]
    pub full: bool,
    /// Only these rule ids, category codes or group codes (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', help_heading = "Rule selection")]
    pub select: Vec<String>,
    /// Leave out these rule ids, category codes or group codes
    #[arg(long, value_delimiter = ',', help_heading = "Rule selection")]
    pub ignore: Vec<String>,
    /// Do not look for the deadlines still running (faster; `xuncha due` then lists none for
    /// the cases audited)
    #[arg(long, help_heading = "Audit")]
    pub no_due: bool,
    #[arg(long, value_enum, default_value_t, help_heading = "Output")]
    pub format: Format,
}

pub fn summary_text(s: &Summary) -> String {
    let mut t = format!(
        "audit run {} as of {}\n  cases audited {}, skipped {} (unchanged)\n  findings: {} new, {} still open, {} resolved, {} reopened; {} open in all\n",
        s.run_id,
        s.as_of,
        thousands(s.audited),
        thousands(s.skipped),
        thousands(s.new),
        thousands(s.still_open),
        thousands(s.resolved),
        thousands(s.reopened),
        thousands(s.open)
    );
    if !s.rules_rerun.is_empty() {
        let mut named: Vec<String> =
            s.rules_rerun.iter().take(5).map(|r| format!("{} on {} cases", r.rule, thousands(r.cases))).collect();
        if s.rules_rerun.len() > 5 {
            named.push(format!("and {} more", s.rules_rerun.len() - 5));
        }
        t.push_str(&format!(
            "  changed rules re-run: {}; {} cases checked with the changed rules alone, {} not read (no changed rule applies to their kind)\n",
            named.join(", "),
            thousands(s.audited_partial),
            thousands(s.stamped_unread)
        ));
    }
    if s.checked_on_import > 0 {
        t.push_str(&format!(
            "  checked while imported: {}; checked again once the whole input was in: {}\n",
            thousands(s.checked_on_import),
            thousands(s.audited.saturating_sub(s.checked_on_import))
        ));
    }
    t.push_str(&format!(
        "  running deadlines within 30 days: {} (`xuncha due` lists them)\n",
        thousands(s.running_deadlines)
    ));
    t.push_str(&format!(
        "  rule errors: {}\n  {:.2} s, {:.0} cases/s\n",
        thousands(s.rule_errors),
        s.elapsed_s,
        s.cases_per_s
    ));
    t
}

pub fn render_errors(s: &Summary) -> String {
    let mut t = String::new();
    for g in &s.errors {
        let what = if g.limit {
            format!("stopped on case `{}`: {}", g.first_case, g.message)
        } else {
            format!("failed on case `{}`: {}", g.first_case, g.message)
        };
        t.push_str(&format!("error: rule `{}` {what}\n  --> {}\n", g.rule, g.position));
        if g.count > 1 {
            t.push_str(&format!("   = note: the same error occurred on {} more case(s)\n", thousands(g.count - 1)));
        }
        t.push_str("   = note: the other rules ran and their findings were stored; this rule's earlier findings on these cases were kept\n");
    }
    t
}

/// The warning for years the holiday calendar lacks (empty when it lacks none).
pub fn render_calendar_warning(s: &Summary) -> String {
    let Some(last) = s.calendar_presumed_years.last() else { return String::new() };
    let years: Vec<String> = s.calendar_presumed_years.iter().map(ToString::to_string).collect();
    format!(
        "warning: calendar.toml has no holiday schedule for {}: deadlines falling then were presumed leniently \
         (weekends, and weekdays in the windows where a holiday may fall, move them on), which can hide a late act but never flags one that was on time\n  \
         help: add each year from the State Council's notice (国务院办公厅关于{last}年部分节假日安排的通知) to the rules directory's calendar.toml\n",
        years.join(", ")
    )
}

pub fn run(cli: &Cli, a: &AuditArgs) -> anyhow::Result<Outcome> {
    let set = super::rules_cmd::load(cli)?;
    set.selection(&a.select, &a.ignore).map_err(anyhow::Error::msg)?;
    let as_of = audit::parse_as_of(a.as_of.as_deref()).map_err(|e| anyhow::anyhow!("--as-of: {e}"))?;
    for f in &a.files {
        crate::import::open_input(f)?;
    }
    let mut store = Store::open(&cli.db)?;
    let mut partial = false;
    let opts = Options { as_of, full: a.full, select: a.select.clone(), ignore: a.ignore.clone(), no_due: a.no_due };
    // the files' cases are checked while they are imported where they can be
    let overlap = audit::can_overlap(&a.files, &set, &opts);
    let imported = |s: &ImportSummary| {
        report_rejects(cli, s);
        if a.format == Format::Text {
            note(cli, super::import_cmd::summary_text(s).trim_end());
        }
    };
    if !a.files.is_empty() && !overlap {
        let s = crate::import::import_files(&mut store, &a.files, &|_| {})
            .context("import failed; batches already committed are kept")?;
        partial |= s.rejected > 0;
        imported(&s);
    }
    let bar = (!cli.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} auditing {pos}/{len} cases {wide_bar} {per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let progress = |done: u64, total: u64| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    };
    let summary = if overlap {
        let (s, summary) = audit::run_files(&mut store, &set, &opts, &a.files, &progress)
            .context("import and audit failed; batches already committed are kept")?;
        partial |= s.rejected > 0;
        if let Some(b) = &bar {
            b.suspend(|| imported(&s));
        } else {
            imported(&s);
        }
        summary
    } else {
        audit::run(&mut store, &set, &opts, &progress)?
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    eprint!("{}", render_errors(&summary));
    if !cli.quiet {
        eprint!("{}", render_calendar_warning(&summary));
    }
    match a.format {
        Format::Json => {
            let mut v = serde_json::to_value(&summary)?;
            v["rules"] = serde_json::to_value(set.used())?;
            out_json(&v)?;
        }
        Format::Text => {
            if !cli.quiet {
                out(&summary_text(&summary))?;
            }
        }
    }
    partial |= summary.rule_errors > 0;
    Ok(if partial { Outcome::Partial } else { Outcome::Ok })
}

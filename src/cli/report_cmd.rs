//! `xuncha report daily|weekly|monthly|freeze|unfreeze` and `xuncha officer ID` (issues #7
//! and #20).
//!
//! Reports open the database read-only (a report never migrates and can run while an audit
//! writes). A period that has ended and that a completed audit covers is frozen by the
//! first report of it, through a short write of its own (see `report::make_report`); `report
//! freeze` freezes one on demand and `report unfreeze` reopens one, both recorded.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};

use super::{note, out, Cli, Outcome};
use crate::engine::catalog::Catalog;
use crate::model::Ts;
use crate::report::model::{ReportKind, ReportOptions};
use crate::report::period::Period;
use crate::report::{self, Format, Lang, Request};
use crate::store::{rollup, Store};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// 日清: the day's new findings by unit and officer, what must be fixed and by when, what was cleared
    Daily,
    /// 周结: counts per unit and category, rectification, the officers with the most open findings
    Weekly,
    /// 月通报: units ranked, top categories against the month before, repeat offenders, an appendix per officer
    Monthly,
}

/// Output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReportFormat {
    /// for the terminal
    #[default]
    Text,
    /// Markdown tables
    Markdown,
    /// for Excel: UTF-8 with BOM
    Csv,
    /// the report model, schema `xuncha.report/1` or `xuncha.officer/1`
    Json,
    /// one self-contained file for the browser and for printing on A4, with charts
    Html,
}

/// Language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LangArg {
    /// 中文
    #[default]
    Zh,
    /// English
    En,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t, help_heading = "Output")]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub out: Option<PathBuf>,
    /// Language of the report
    #[arg(long, value_enum, default_value_t, help_heading = "Output")]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub struct RepeatArgs {
    /// Repeat offender (屡错屡犯): at least this many findings of one category ...
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..), help_heading = "Repeat offenders")]
    pub repeat_count: u32,
    /// ... within this many days (or a new one after one of the category was rectified)
    #[arg(long, value_name = "DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3660), help_heading = "Repeat offenders")]
    pub repeat_days: u32,
}

/// `xuncha report ...`
#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// 日清: the day's new findings by unit and officer, what must be fixed and by when, what was cleared
    Daily(ReportArgs),
    /// 周结: counts per unit and category, rectification, the officers with the most open findings
    Weekly(ReportArgs),
    /// 月通报: units ranked, top categories against the month before, repeat offenders, an appendix per officer
    Monthly(ReportArgs),
    /// Freeze a period that has ended: its figures and lists stay as they are now (the nightly job, after its audit)
    Freeze(FreezeArgs),
    /// Reopen a frozen period (repair; the legal office's call): who and why are recorded
    Unfreeze(UnfreezeArgs),
}

/// `xuncha report daily|weekly|monthly`
///
/// Numbers are rolled up by Asia/Shanghai day, ISO week (Monday first) and month; preview
/// findings are listed but not counted, review items (待核查) are listed apart. A period
/// freezes once it has ended and a completed audit covers it (as of its last second or
/// later): until then its report is live and says which audit it reflects. A frozen period's
/// later reports repeat its report exactly; what arrives for it afterwards shows in the next
/// period's report as late additions (往期补录).
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The period: a day YYYY-MM-DD (for weekly and monthly, the week or month containing it),
    /// YYYY-Www, YYYY-MM, `today`, `yesterday` or `last` (the period before the current one)
    #[arg(long, value_name = "D", default_value = "today", help_heading = "Period")]
    pub date: String,
    /// Only this unit's findings and cases (a unit id)
    #[arg(long, value_name = "U", help_heading = "Period")]
    pub unit: Option<String>,
    /// A finding is due this many days after it was first found
    #[arg(long, value_name = "DAYS", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=365), help_heading = "Period")]
    pub fix_days: u32,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub repeat: RepeatArgs,
    /// The present figures even of a frozen period, with what arrived after it froze (freezes nothing)
    #[arg(long, help_heading = "Period")]
    pub live: bool,
    /// Take this instant (RFC 3339) as the present, for reproducible reports
    #[arg(long, value_name = "TIME", hide = true)]
    pub now: Option<String>,
}

/// `xuncha report freeze daily|weekly|monthly --date D --by WHO`
#[derive(Debug, Args)]
pub struct FreezeArgs {
    /// daily, weekly or monthly
    #[arg(value_enum)]
    pub kind: KindArg,
    /// The period, as for the reports (`yesterday`, `last`, a day, YYYY-Www, YYYY-MM)
    #[arg(long, value_name = "D")]
    pub date: String,
    /// Who freezes it (recorded)
    #[arg(long, value_name = "WHO")]
    pub by: String,
    /// Freeze it although no completed audit covers it; needs --note
    #[arg(long, requires = "note")]
    pub force: bool,
    /// Why (recorded; required with --force)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Take this instant (RFC 3339) as the present
    #[arg(long, value_name = "TIME", hide = true)]
    pub now: Option<String>,
}

/// `xuncha report unfreeze daily|weekly|monthly --date D --by WHO --note WHY`
#[derive(Debug, Args)]
pub struct UnfreezeArgs {
    /// daily, weekly or monthly
    #[arg(value_enum)]
    pub kind: KindArg,
    /// The period, as for the reports
    #[arg(long, value_name = "D")]
    pub date: String,
    /// Who reopens it (recorded; in the console only the legal role may)
    #[arg(long, value_name = "WHO")]
    pub by: String,
    /// Why (recorded)
    #[arg(long, value_name = "TEXT")]
    pub note: String,
    /// Take this instant (RFC 3339) as the present
    #[arg(long, value_name = "TIME", hide = true)]
    pub now: Option<String>,
}

/// `xuncha officer ID`: an officer's list of recurring errors (重犯错误清单)
#[derive(Debug, Args)]
pub struct OfficerArgs {
    /// The officer's id
    pub id: String,
    /// Only findings first seen on or after this day (YYYY-MM-DD)
    #[arg(long, value_name = "D")]
    pub since: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub repeat: RepeatArgs,
    /// Take this instant (RFC 3339) as the present, for reproducible reports
    #[arg(long, value_name = "TIME", hide = true)]
    pub now: Option<String>,
}

fn now(arg: Option<&str>) -> anyhow::Result<i64> {
    match arg {
        None => Ok(crate::store::now()),
        Some(s) => Ts::parse(s).map(|t| t.0).map_err(|e| anyhow::anyhow!("bad `--now`: {e}")),
    }
}

fn format(f: ReportFormat) -> Format {
    match f {
        ReportFormat::Text => Format::Text,
        ReportFormat::Markdown => Format::Markdown,
        ReportFormat::Csv => Format::Csv,
        ReportFormat::Json => Format::Json,
        ReportFormat::Html => Format::Html,
    }
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    }
}

/// The catalog gives category and group names; without it reports show the codes only.
fn catalog(cli: &Cli) -> Option<Catalog> {
    match super::rule_files(cli).and_then(|f| Catalog::from_files(&f).map_err(anyhow::Error::from)) {
        Ok(c) => Some(c),
        Err(e) => {
            note(cli, &format!("warning: category names are not shown: {e:#}\n  help: `--rules DIR` must hold categories.toml; leave it out to use the built-in rules"));
            None
        }
    }
}

fn open(cli: &Cli) -> anyhow::Result<Store> {
    Store::open_read_only(&cli.db).map_err(anyhow::Error::from)
}

fn kind_of(k: KindArg) -> ReportKind {
    match k {
        KindArg::Daily => ReportKind::Daily,
        KindArg::Weekly => ReportKind::Weekly,
        KindArg::Monthly => ReportKind::Monthly,
    }
}

fn period_of(kind: ReportKind, date: &str, now: i64) -> anyhow::Result<Period> {
    Period::parse(kind.period_kind(), date, Ts(now).local_date()).map_err(|e| {
        anyhow::anyhow!("{e}\n  help: e.g. `--date 2026-03-01`, `--date 2026-W09`, `--date 2026-03` or `--date last`")
    })
}

pub fn run(cli: &Cli, cmd: &ReportCmd) -> anyhow::Result<Outcome> {
    match cmd {
        ReportCmd::Daily(a) => run_report(cli, ReportKind::Daily, a),
        ReportCmd::Weekly(a) => run_report(cli, ReportKind::Weekly, a),
        ReportCmd::Monthly(a) => run_report(cli, ReportKind::Monthly, a),
        ReportCmd::Freeze(a) => run_freeze(cli, a),
        ReportCmd::Unfreeze(a) => run_unfreeze(cli, a),
    }
}

fn run_report(cli: &Cli, kind: ReportKind, a: &ReportArgs) -> anyhow::Result<Outcome> {
    let now = now(a.now.as_deref())?;
    let period = period_of(kind, &a.date, now)?;
    let store = open(cli)?;
    if let Some(u) = &a.unit {
        if !rollup::unit_known(&store.conn, u)? {
            anyhow::bail!("there is no unit `{u}` in `{}` (no case or finding names it)\n  help: unit ids are the `unit_id` of the cases", cli.db.display());
        }
    }
    let catalog = catalog(cli);
    let options =
        ReportOptions { repeat_count: a.repeat.repeat_count, repeat_days: a.repeat.repeat_days, fix_days: a.fix_days };
    let req = Request { kind, period, unit: a.unit.clone(), options, now };
    let made = if a.live {
        report::make_live_report(&store, catalog.as_ref(), &req)
    } else {
        report::make_report(&store, catalog.as_ref(), &req)
    }
    .with_context(|| format!("making the {} report of {}", kind.as_str(), req.period.key))?;
    for n in &made.notes {
        note(cli, n);
    }
    let (format, lang) = (format(a.output.format), lang(a.output.lang));
    match &a.output.out {
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            made.write(&store, format, lang, &mut w).map_err(io_error)?;
        }
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write the report to `{}`", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            made.write(&store, format, lang, &mut w)
                .with_context(|| format!("cannot write the report to `{}`", path.display()))?;
            note(cli, &format!("wrote {}", path.display()));
        }
    }
    Ok(Outcome::Ok)
}

/// A write error as an I/O error, so that a closed pipe ends the command quietly.
fn io_error(e: report::ReportError) -> anyhow::Error {
    match e {
        report::ReportError::Io(io) => anyhow::Error::from(io),
        e => anyhow::Error::from(e),
    }
}

fn run_freeze(cli: &Cli, a: &FreezeArgs) -> anyhow::Result<Outcome> {
    let now = now(a.now.as_deref())?;
    let kind = kind_of(a.kind);
    let period = period_of(kind, &a.date, now)?;
    let store = open(cli)?;
    let catalog = catalog(cli);
    let req = Request { kind, period, unit: None, options: ReportOptions::default(), now };
    let how = report::FreezeRequest { by: &a.by, note: a.note.as_deref(), force: a.force };
    let done = report::freeze_period(&store, catalog.as_ref(), &req, &how)?;
    let p = &req.period.key;
    let text = match done {
        report::Frozen::Now { covered: true, audit } => format!(
            "froze {} {p}: the audit as of {} covers it\n",
            kind.as_str(),
            audit.map(|a| Ts(a.as_of).rfc3339()).unwrap_or_default()
        ),
        report::Frozen::Now { covered: false, .. } => {
            format!("froze {} {p} without a covering audit (--force; the note is recorded)\n", kind.as_str())
        }
        report::Frozen::Already { at, by } => {
            format!("{} {p} was frozen already, at {} by {by}; nothing changed\n", kind.as_str(), Ts(at).rfc3339())
        }
    };
    out(&text)?;
    Ok(Outcome::Ok)
}

fn run_unfreeze(cli: &Cli, a: &UnfreezeArgs) -> anyhow::Result<Outcome> {
    let now = now(a.now.as_deref())?;
    let kind = kind_of(a.kind);
    let period = period_of(kind, &a.date, now)?;
    if a.note.trim().is_empty() || a.by.trim().is_empty() {
        anyhow::bail!("reopening a frozen period needs who (--by) and why (--note)");
    }
    let store = open(cli)?;
    if !report::unfreeze_period(&store, &period, now, &a.by, &a.note)? {
        anyhow::bail!("{} {} is not frozen; nothing changed", kind.as_str(), period.key);
    }
    out(&format!(
        "reopened {} {}: its next report is live, and it freezes again once an audit covers it (recorded: by {}, {})\n",
        kind.as_str(),
        period.key,
        a.by,
        a.note
    ))?;
    Ok(Outcome::Ok)
}

pub fn run_officer(cli: &Cli, a: &OfficerArgs) -> anyhow::Result<Outcome> {
    let now = now(a.now.as_deref())?;
    let since = match &a.since {
        None => None,
        Some(s) => Some(
            s.trim()
                .parse::<jiff::civil::Date>()
                .map_err(|_| anyhow::anyhow!("bad `--since`: expected a date `YYYY-MM-DD`, found `{s}`"))?,
        ),
    };
    let store = open(cli)?;
    if !rollup::officer_known(&store.conn, &a.id)? {
        note(cli, &format!("note: no finding in `{}` names officer `{}`", cli.db.display(), a.id));
    }
    let catalog = catalog(cli);
    let options = ReportOptions {
        repeat_count: a.repeat.repeat_count,
        repeat_days: a.repeat.repeat_days,
        ..ReportOptions::default()
    };
    let r = report::make_officer_report(&store, catalog.as_ref(), &a.id, since, &options, now)
        .with_context(|| format!("making the list of officer `{}`", a.id))?;
    let text = report::render_officer(&r, format(a.output.format), lang(a.output.lang))?;
    match &a.output.out {
        None => out(&text)?,
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write the report to `{}`", path.display()))?;
            note(cli, &format!("wrote {}", path.display()));
        }
    }
    Ok(Outcome::Ok)
}

//! `xuncha report daily|weekly|monthly` and `xuncha officer ID` (issue #7).
//!
//! Both open the database read-only (a report never migrates and can run while an audit
//! writes). The first report of a period that has ended also freezes that period, through
//! a short write of its own (see `report::make_report`).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

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

/// `xuncha report daily|weekly|monthly`
///
/// Numbers are rolled up by Asia/Shanghai day, ISO week (Monday first) and month; preview
/// findings are listed but not counted. A period that has ended is frozen the first time it
/// is reported: later reports of it repeat that report exactly.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// daily (日清), weekly (周结) or monthly (月通报)
    #[arg(value_enum)]
    pub kind: KindArg,
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
    /// Take this instant (RFC 3339) as the present, for reproducible reports
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

fn write(cli: &Cli, o: &OutputArgs, text: &str) -> anyhow::Result<()> {
    match &o.out {
        None => out(text),
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write the report to `{}`", path.display()))?;
            note(cli, &format!("wrote {}", path.display()));
            Ok(())
        }
    }
}

pub fn run_report(cli: &Cli, a: &ReportArgs) -> anyhow::Result<Outcome> {
    let now = now(a.now.as_deref())?;
    let kind = match a.kind {
        KindArg::Daily => ReportKind::Daily,
        KindArg::Weekly => ReportKind::Weekly,
        KindArg::Monthly => ReportKind::Monthly,
    };
    let period = Period::parse(kind.period_kind(), &a.date, Ts(now).local_date()).map_err(|e| {
        anyhow::anyhow!("{e}\n  help: e.g. `--date 2026-03-01`, `--date 2026-W09`, `--date 2026-03` or `--date last`")
    })?;
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
    let made = report::make_report(&store, catalog.as_ref(), &req)
        .with_context(|| format!("making the {} report of {}", kind.as_str(), req.period.key))?;
    for n in &made.notes {
        note(cli, n);
    }
    let text = report::render(&made.report, format(a.output.format), lang(a.output.lang))?;
    write(cli, &a.output, &text)?;
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
    write(cli, &a.output, &text)?;
    Ok(Outcome::Ok)
}

//! `xuncha findings`, `xuncha finding show|rectify|waive|reopen`, `xuncha push`.

use std::collections::BTreeMap;

use anyhow::bail;
use clap::{Args, Subcommand};

use super::{out, out_json, Cli, Format, Outcome};
use crate::store::findings::{self, Action, Filter, StoredFinding};
use crate::store::Store;

#[derive(Debug, Args)]
pub struct FindingsArgs {
    #[arg(long)]
    pub officer: Option<String>,
    #[arg(long)]
    pub unit: Option<String>,
    /// A category code (P051) or group code (G06)
    #[arg(long)]
    pub category: Option<String>,
    /// open, pushed, rectified, waived or resolved
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(findings::STATUSES))]
    pub status: Option<String>,
    /// violation (counted) or review (待核查: an exception may apply; verify before acting)
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(["violation", "review"]))]
    pub level: Option<String>,
    #[arg(long)]
    pub case: Option<String>,
    /// First seen on or after this day (YYYY-MM-DD)
    #[arg(long)]
    pub since: Option<String>,
    /// First seen on or before this day (YYYY-MM-DD)
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum FindingCmd {
    /// Show a finding with its evidence and history
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Mark a finding rectified (整改完成)
    Rectify(ActArgs),
    /// Waive a finding, with a reason and optionally an expiry
    Waive(WaiveArgs),
    /// Reopen a rectified, waived or resolved finding
    Reopen(ActArgs),
}

#[derive(Debug, Args)]
pub struct ActArgs {
    pub id: i64,
    /// Who does this
    #[arg(long)]
    pub by: String,
    /// Why
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct WaiveArgs {
    pub id: i64,
    #[arg(long)]
    pub by: String,
    /// The reason (required)
    #[arg(long)]
    pub note: String,
    /// The waiver stops suppressing after this day (YYYY-MM-DD)
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// Who pushes (violations only: review items are verified by the legal office first)
    #[arg(long, default_value = "xuncha")]
    pub by: String,
    #[arg(long)]
    pub unit: Option<String>,
    /// List what would be pushed without changing anything
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

fn day(s: &Option<String>, end: bool) -> anyhow::Result<Option<i64>> {
    let Some(s) = s else { return Ok(None) };
    let d = s.parse::<jiff::civil::Date>().map_err(|_| anyhow::anyhow!("`{s}` is not a date YYYY-MM-DD"))?;
    let start = crate::model::Ts::start_of_local_day(d).0;
    Ok(Some(if end { crate::engine::api::deadline_days(start, 0) } else { start }))
}

fn table(fs: &[StoredFinding]) -> String {
    let mut s = String::new();
    for f in fs {
        s.push_str(&format!(
            "#{:<6} {:<9} {}{} {:<10} {:<6} {}  [{}; {}]\n",
            f.id,
            f.status,
            if f.level == "review" { "待核查 " } else { "" },
            &f.first_seen[..10.min(f.first_seen.len())],
            f.case_id,
            f.subject,
            match &f.verify {
                Some(v) => format!("{}（核查：{v}）", f.message),
                None => f.message.clone(),
            },
            f.rule,
            f.officer_ids.join(",")
        ));
    }
    s.push_str(&format!("{} finding(s)\n", fs.len()));
    s
}

pub fn run_list(cli: &Cli, a: &FindingsArgs) -> anyhow::Result<Outcome> {
    let store = Store::open_read_only(&cli.db)?;
    let f = Filter {
        officer: a.officer.clone(),
        unit: a.unit.clone(),
        category: a.category.clone(),
        status: a.status.clone(),
        level: a.level.clone(),
        case: a.case.clone(),
        since: day(&a.since, false)?,
        until: day(&a.until, true)?,
        ids: None,
    };
    let rows = findings::list(&store, &f)?;
    match a.format {
        Format::Json => out_json(&rows)?,
        Format::Text => out(&table(&rows))?,
    }
    Ok(Outcome::Ok)
}

pub fn run_one(cli: &Cli, cmd: &FindingCmd) -> anyhow::Result<Outcome> {
    let now = crate::store::now();
    let (id, action, by, note) = match cmd {
        FindingCmd::Show { id, format } => {
            let store = Store::open_read_only(&cli.db)?;
            let Some(f) = findings::get(&store, *id)? else {
                bail!("there is no finding {id}\n  help: `xuncha findings` lists them")
            };
            let events = findings::events(&store, *id)?;
            match format {
                Format::Json => out_json(&serde_json::json!({"finding": f, "events": events}))?,
                Format::Text => {
                    let mut s = format!(
                        "finding #{} [{}, {}]  {}\n  case {}  subject {}  rule {} ({})\n",
                        f.id, f.level, f.status, f.message, f.case_id, f.subject, f.rule, f.rule_version
                    );
                    if let Some(v) = &f.verify {
                        s.push_str(&format!("  verify (核查要点): {v}\n"));
                    }
                    s.push_str(&format!(
                        "  category {} ({}), {} point(s); unit {}; officers {}\n",
                        f.category,
                        f.group,
                        f.points,
                        f.unit_id,
                        f.officer_ids.join(", ")
                    ));
                    s.push_str(&format!(
                        "  first seen {}, last seen {}, recurred {} time(s)\n",
                        f.first_seen, f.last_seen, f.recurrences
                    ));
                    s.push_str(&format!("  evidence: {}\n  history:\n", f.evidence));
                    for e in &events {
                        s.push_str(&format!(
                            "    {}  {} → {}  by {}{}\n",
                            e.at,
                            e.from.as_deref().unwrap_or("-"),
                            e.to,
                            e.by,
                            e.note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()
                        ));
                    }
                    out(&s)?;
                }
            }
            return Ok(Outcome::Ok);
        }
        FindingCmd::Rectify(a) => (a.id, Action::Rectify, &a.by, a.note.as_deref()),
        FindingCmd::Reopen(a) => (a.id, Action::Reopen, &a.by, a.note.as_deref()),
        FindingCmd::Waive(a) => {
            if a.note.trim().is_empty() {
                bail!("a waiver needs a reason: --note TEXT");
            }
            (a.id, Action::Waive { until: day(&a.until, true)? }, &a.by, Some(a.note.as_str()))
        }
    };
    let mut store = Store::open(&cli.db)?;
    let to = findings::act(&mut store, id, action, by, note, now)?;
    out(&format!("finding #{id} is now {to}\n"))?;
    Ok(Outcome::Ok)
}

pub fn run_push(cli: &Cli, a: &PushArgs) -> anyhow::Result<Outcome> {
    // a review item is verified by the legal office before anything is pushed
    let filter = Filter {
        status: Some("open".into()),
        level: Some("violation".into()),
        unit: a.unit.clone(),
        ..Default::default()
    };
    let mut store = if a.dry_run { Store::open_read_only(&cli.db)? } else { Store::open(&cli.db)? };
    let open = findings::list(&store, &filter)?;
    let now = crate::store::now();
    let mut per_officer: BTreeMap<String, Vec<&StoredFinding>> = BTreeMap::new();
    for f in &open {
        if !a.dry_run {
            findings::act(&mut store, f.id, Action::Push, &a.by, Some("推送整改"), now)?;
        }
        for o in &f.officer_ids {
            per_officer.entry(o.clone()).or_default().push(f);
        }
    }
    // each officer named as the officers table names them (the roster, or the newest case)
    let directory = crate::store::officers::directory(&store.conn)?;
    let name = |o: &str| directory.get(o).and_then(|x| x.name.clone());
    match a.format {
        Format::Json => out_json(&serde_json::json!({
            "pushed": if a.dry_run { 0 } else { open.len() },
            "dry_run": a.dry_run,
            "officers": per_officer.iter().map(|(o, fs)| serde_json::json!({"officer_id": o, "name": name(o), "findings": fs})).collect::<Vec<_>>(),
        }))?,
        Format::Text => {
            let mut s = String::new();
            for (o, fs) in &per_officer {
                let who = name(o).map_or_else(|| o.clone(), |n| format!("{o} {n}"));
                s.push_str(&format!("民警 {who}: {} 项待整改\n", fs.len()));
                for f in fs {
                    s.push_str(&format!("  #{} {} {}: {}\n", f.id, f.case_id, f.subject, f.message));
                }
            }
            let verb = if a.dry_run { "would push" } else { "pushed" };
            s.push_str(&format!("{verb} {} finding(s) to {} officer(s)\n", open.len(), per_officer.len()));
            out(&s)?;
        }
    }
    Ok(Outcome::Ok)
}

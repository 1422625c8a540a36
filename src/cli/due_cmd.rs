//! `xuncha due`: the deadlines still running (预警, issue #17), soonest first, as the
//! latest audit found them.

use std::collections::BTreeMap;

use clap::Args;

use super::{note, out, out_json, Cli, Format, Outcome};
use crate::engine::run::DUE_HORIZON;
use crate::model::Ts;
use crate::store::due::{self, Due, Filter};
use crate::store::rollup;
use crate::store::Store;

/// `xuncha due`
///
/// Deadlines a check is waiting on: the act is not recorded as done and the deadline has
/// not passed. If nothing changes, the first audit after a deadline finds it on the same
/// case, rule and subject. The audit finds them up to 30 days ahead of its date.
#[derive(Debug, Args)]
pub struct DueArgs {
    /// List what is still running at the end of this day (YYYY-MM-DD, Asia/Shanghai) or this
    /// RFC 3339 instant; default now
    #[arg(long)]
    pub as_of: Option<String>,
    /// How far ahead: hours or days, `48h`, `7d` (at most 30d)
    #[arg(long, default_value = "7d", value_parser = parse_within)]
    pub within: i64,
    /// Only the deadlines that name this officer
    #[arg(long)]
    pub officer: Option<String>,
    /// Only this unit's deadlines
    #[arg(long)]
    pub unit: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `48h`, `7d` → seconds.
fn parse_within(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not a span like `48h` or `7d`");
    let s = s.trim();
    let (n, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = n.parse().map_err(|_| bad())?;
    let secs = match unit {
        "h" => n.checked_mul(3600),
        "d" => n.checked_mul(86_400),
        _ => None,
    }
    .ok_or_else(bad)?;
    if secs <= 0 {
        return Err(bad());
    }
    if secs > DUE_HORIZON {
        return Err(format!(
            "`{s}` is more than {} days: the audit finds running deadlines up to {} days ahead",
            DUE_HORIZON / 86_400,
            DUE_HORIZON / 86_400
        ));
    }
    Ok(secs)
}

/// `7d`, `48h`, `36h` for a span in seconds.
fn span_text(secs: i64) -> String {
    if secs % 86_400 == 0 {
        format!("{}d", secs / 86_400)
    } else {
        format!("{}h", secs / 3600)
    }
}

/// Marks after a deadline's message.
fn marks(d: &Due) -> String {
    let mut s = String::new();
    if !d.statutory {
        s.push_str("〔非法定时限〕");
    }
    if d.level == "review" {
        s.push_str("〔逾期列为待核查〕");
    }
    if d.preview {
        s.push_str("〔预览检查〕");
    }
    s
}

/// Grouped by officer (each deadline under every officer it names), soonest first.
fn text(rows: &[Due], names: &std::collections::HashMap<String, String>, at: i64) -> String {
    let mut by: BTreeMap<&str, Vec<&Due>> = BTreeMap::new();
    for d in rows {
        for o in &d.officer_ids {
            by.entry(o.as_str()).or_default().push(d);
        }
        if d.officer_ids.is_empty() {
            by.entry("—").or_default().push(d);
        }
    }
    // officers with the soonest deadline first
    let mut groups: Vec<(&str, Vec<&Due>)> = by.into_iter().collect();
    groups.sort_by_key(|(o, ds)| (ds.first().map_or(i64::MAX, |d| d.at), *o));
    let mut s = String::new();
    for (officer, ds) in &groups {
        let name = names.get(*officer).map(|n| format!(" {n}")).unwrap_or_default();
        s.push_str(&format!("{officer}{name} · {} running\n", ds.len()));
        for d in ds {
            let left = (d.at + 1 - at) as f64 / 3600.0;
            // the subject, unless the deadline is the case's own
            let subject = if d.subject == d.case_id { String::new() } else { format!(" {}", d.subject) };
            s.push_str(&format!(
                "  {left:>6.1} h  {}  {}{subject}  {}{}  [{}]\n",
                crate::engine::run::due_time_text(d.at),
                d.case_id,
                d.message,
                marks(d),
                d.rule
            ));
        }
    }
    s
}

pub fn run(cli: &Cli, a: &DueArgs) -> anyhow::Result<Outcome> {
    let at = crate::audit::parse_as_of(a.as_of.as_deref()).map_err(|e| anyhow::anyhow!("--as-of: {e}"))?;
    let store = Store::open_read_only(&cli.db)?;
    let filter = Filter {
        from: at,
        until: at.saturating_add(a.within),
        officer: a.officer.clone(),
        unit: a.unit.clone(),
        case: None,
    };
    let rows = due::list(&store.conn, &filter)?;
    match due::covered_from(&store.conn)? {
        None => note(cli, "note: no complete audit has run yet: there is nothing to list\n  help: `xuncha audit`"),
        Some(from) if filter.until > from.saturating_add(DUE_HORIZON) => note(
            cli,
            &format!(
                "warning: the latest audit (as of {}) found deadlines up to {} only; later ones are not listed\n  help: run `xuncha audit` first",
                Ts(from).local_text(),
                Ts(from.saturating_add(DUE_HORIZON)).local_text()
            ),
        ),
        Some(_) => {}
    }
    let passed = due::passed(&store.conn, at)?;
    if passed > 0 {
        note(
            cli,
            &format!(
                "note: {passed} deadline(s) the latest audit saw running have passed by {}; the next audit reports them as findings",
                Ts(at).local_text()
            ),
        );
    }
    match a.format {
        Format::Json => out_json(&rows)?,
        Format::Text => {
            // officers named one way everywhere: the roster, else the newest case's spelling
            let names: std::collections::HashMap<String, String> =
                rollup::officer_directory(&store.conn)?.into_iter().filter_map(|(id, o)| Some((id, o.name?))).collect();
            let mut s = text(&rows, &names, at);
            s.push_str(&format!(
                "{} running deadline(s) within {} of {}\n",
                rows.len(),
                span_text(a.within),
                Ts(at).local_text()
            ));
            out(&s)?;
        }
    }
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_takes_hours_or_days_up_to_the_horizon() {
        assert_eq!(parse_within("48h"), Ok(48 * 3600));
        assert_eq!(parse_within("7d"), Ok(7 * 86_400));
        assert_eq!(parse_within("30d"), Ok(DUE_HORIZON));
        assert!(parse_within("31d").unwrap_err().contains("30 days"));
        for bad in ["", "7", "0d", "-1d", "7w", "d"] {
            assert!(parse_within(bad).is_err(), "{bad}");
        }
        assert_eq!(span_text(48 * 3600), "2d");
        assert_eq!(span_text(36 * 3600), "36h");
    }
}

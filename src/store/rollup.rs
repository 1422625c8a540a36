//! Rollup queries for the reports (issue #7): all the SQL the reports run.
//!
//! The numbers come from the views of migration 0002 (`rollup`, `rollup_cases`, `periods`;
//! see `SELECT * FROM rollup_doc`), so a supervisor with the `sqlite3` shell sees what the
//! bulletins print. The lists (a day's findings, the backlog, clearances, repeat offences)
//! are read here one row at a time, as they are laid out, never collected (a month's list can
//! be hundreds of thousands of findings), at a [`Watermark`]: the findings, events and
//! versions of findings up to given ids, so that a frozen period's lists read as they did
//! when it froze (migration 0008). Reports open the database read-only; [`freeze`] and
//! [`unfreeze`] open their own short write connection, and never migrate.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::{map_busy, schema_version, Context, StoreError, BUSY_TIMEOUT};

/// One row of the `rollup` view (or `rollup_live`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RollupRow {
    pub kind: String,
    pub period: String,
    /// `*` or a unit id
    pub scope: String,
    /// `all`, `unit`, `group`, `category` or `officer`
    pub dim: String,
    pub key: String,
    pub cases: i64,
    pub new: i64,
    pub reopened: i64,
    pub pushed: i64,
    pub rectified: i64,
    pub waived: i64,
    pub resolved: i64,
    pub backlog: i64,
    pub new_outstanding: i64,
    pub new_closed: i64,
    pub new_waived: i64,
    pub new_pushed: i64,
    pub points: i64,
    pub rectification_rate: Option<f64>,
    pub share_pushed: Option<f64>,
    pub median_days_to_rectify: Option<f64>,
    /// set when the row comes from `rollup_frozen`
    pub frozen_at: Option<i64>,
}

const ROLLUP_COLUMNS: &str = "kind, period, scope, dim, key, cases, new, reopened, pushed, rectified, waived, resolved,
    backlog, new_outstanding, new_closed, new_waived, new_pushed, points, rectification_rate, share_pushed,
    median_days_to_rectify";

fn rollup_row(r: &Row, frozen: bool) -> rusqlite::Result<RollupRow> {
    Ok(RollupRow {
        kind: r.get(0)?,
        period: r.get(1)?,
        scope: r.get(2)?,
        dim: r.get(3)?,
        key: r.get(4)?,
        cases: r.get(5)?,
        new: r.get(6)?,
        reopened: r.get(7)?,
        pushed: r.get(8)?,
        rectified: r.get(9)?,
        waived: r.get(10)?,
        resolved: r.get(11)?,
        backlog: r.get(12)?,
        new_outstanding: r.get(13)?,
        new_closed: r.get(14)?,
        new_waived: r.get(15)?,
        new_pushed: r.get(16)?,
        points: r.get(17)?,
        rectification_rate: r.get(18)?,
        share_pushed: r.get(19)?,
        median_days_to_rectify: r.get(20)?,
        frozen_at: if frozen { r.get(21)? } else { None },
    })
}

fn sorted(mut rows: Vec<RollupRow>) -> Vec<RollupRow> {
    rows.sort_by(|a, b| (&a.scope, &a.dim, &a.key).cmp(&(&b.scope, &b.dim, &b.key)));
    rows
}

/// Every row of one period from the `rollup` view: the frozen numbers if the period is
/// frozen, the live ones otherwise. Sorted by scope, dim, key.
pub fn rollup(conn: &Connection, kind: &str, period: &str) -> Result<Vec<RollupRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {ROLLUP_COLUMNS}, frozen_at FROM rollup WHERE kind = ?1 AND period = ?2"))
        .ctx("preparing the rollup query")?;
    let rows = stmt.query_map(params![kind, period], |r| rollup_row(r, true)).ctx("reading the rollup")?;
    Ok(sorted(rows.collect::<Result<_, _>>().ctx("reading the rollup")?))
}

/// The frozen rows of a frozen period (from `rollup_frozen`, without computing the live
/// numbers the `rollup` view would also consider). Sorted by scope, dim, key.
pub fn frozen_rows(conn: &Connection, kind: &str, period: &str) -> Result<Vec<RollupRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {ROLLUP_COLUMNS}, (SELECT frozen_at FROM frozen_periods z WHERE z.kind = r.kind AND z.period = r.period)
             FROM rollup_frozen r WHERE kind = ?1 AND period = ?2"
        ))
        .ctx("preparing the frozen rollup query")?;
    let rows = stmt.query_map(params![kind, period], |r| rollup_row(r, true)).ctx("reading the frozen rollup")?;
    Ok(sorted(rows.collect::<Result<_, _>>().ctx("reading the frozen rollup")?))
}

/// Every row of one period from `rollup_live`, whether or not the period is frozen.
pub fn rollup_live(conn: &Connection, kind: &str, period: &str) -> Result<Vec<RollupRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {ROLLUP_COLUMNS} FROM rollup_live WHERE kind = ?1 AND period = ?2"))
        .ctx("preparing the live rollup query")?;
    let rows = stmt.query_map(params![kind, period], |r| rollup_row(r, false)).ctx("reading the live rollup")?;
    Ok(sorted(rows.collect::<Result<_, _>>().ctx("reading the live rollup")?))
}

/// Cases accepted in the period per unit (`rollup_cases`), sorted by unit.
pub fn cases_by_unit(conn: &Connection, kind: &str, period: &str) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT unit_id, cases FROM rollup_cases WHERE kind = ?1 AND period = ?2 ORDER BY unit_id")
        .ctx("preparing the case count")?;
    let rows = stmt.query_map(params![kind, period], |r| Ok((r.get(0)?, r.get(1)?))).ctx("counting cases")?;
    rows.collect::<Result<_, _>>().ctx("counting cases")
}

/// `[start_at, end_at)` of a period as the `periods` view has it.
pub fn period_bounds(conn: &Connection, kind: &str, period: &str) -> Result<Option<(i64, i64)>, StoreError> {
    conn.query_row("SELECT start_at, end_at FROM periods WHERE kind = ?1 AND period = ?2", params![kind, period], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
    .ctx("reading a period")
}

/// One row of the `calendar` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRow {
    pub day: String,
    pub start_at: i64,
    pub end_at: i64,
    pub week: String,
    pub month: String,
}

/// The whole calendar, in order.
pub fn calendar(conn: &Connection) -> Result<Vec<CalendarRow>, StoreError> {
    let mut stmt = conn
        .prepare("SELECT day, start_at, end_at, week, month FROM calendar ORDER BY day")
        .ctx("preparing the calendar")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(CalendarRow {
                day: r.get(0)?,
                start_at: r.get(1)?,
                end_at: r.get(2)?,
                week: r.get(3)?,
                month: r.get(4)?,
            })
        })
        .ctx("reading the calendar")?;
    rows.collect::<Result<_, _>>().ctx("reading the calendar")
}

// ---------------------------------------------------------------------------------------
// reading findings as they stood

/// The ids a report's lists are read up to: a frozen period's (what the report showed when
/// it froze), or those of the snapshot a live report's numbers were read in (so that lists
/// laid out afterwards agree with them, while an audit writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watermark {
    /// max(findings.id)
    pub findings: i64,
    /// max(finding_events.id)
    pub events: i64,
    /// max(finding_versions.seq)
    pub versions: i64,
}

/// The watermark of the present state (read it inside a snapshot).
pub fn watermark(conn: &Connection) -> Result<Watermark, StoreError> {
    conn.query_row(
        "SELECT (SELECT coalesce(max(id), 0) FROM findings), (SELECT coalesce(max(id), 0) FROM finding_events),
                (SELECT coalesce(max(seq), 0) FROM finding_versions)",
        [],
        |r| Ok(Watermark { findings: r.get(0)?, events: r.get(1)?, versions: r.get(2)? }),
    )
    .ctx("reading the watermark")
}

/// SQL fragments that read a finding (alias `f`) as it stood at a watermark: rows and events
/// beyond it left out, and the message, officers, level and what to verify of the time
/// (from `finding_versions`, alias `v`). [`AsOf::live`] reads the present.
#[derive(Debug, Clone)]
pub struct AsOf {
    w: Option<Watermark>,
    /// a version was written after the watermark: the versioned columns need the join
    versioned: bool,
}

impl AsOf {
    /// The present, unfiltered.
    pub fn live() -> AsOf {
        AsOf { w: None, versioned: false }
    }

    /// As the findings stood at `w`.
    pub fn at(conn: &Connection, w: Watermark) -> Result<AsOf, StoreError> {
        let later: bool = conn
            .query_row("SELECT EXISTS (SELECT 1 FROM finding_versions WHERE seq > ?1)", [w.versions], |r| r.get(0))
            .ctx("reading finding versions")?;
        Ok(AsOf { w: Some(w), versioned: later })
    }

    pub fn watermark(&self) -> Option<Watermark> {
        self.w
    }

    /// Joined right after `findings f`.
    fn join(&self) -> String {
        match self.w {
            Some(w) if self.versioned => format!(
                " LEFT JOIN finding_versions v ON v.seq = (SELECT min(x.seq) FROM finding_versions x
                                                          WHERE x.finding_id = f.id AND x.seq > {})",
                w.versions
            ),
            _ => String::new(),
        }
    }

    /// A versioned column of `f`: message, officer_ids, level or verify.
    fn col(&self, c: &str) -> String {
        if self.versioned {
            format!("(CASE WHEN v.seq IS NULL THEN f.{c} ELSE v.{c} END)")
        } else {
            format!("f.{c}")
        }
    }

    /// `AND` the finding existed at the watermark.
    fn findings(&self) -> String {
        self.w.map(|w| format!(" AND f.id <= {}", w.findings)).unwrap_or_default()
    }

    /// `AND` the event (alias `e`) existed at the watermark.
    fn events(&self, e: &str) -> String {
        self.w.map(|w| format!(" AND {e}.id <= {}", w.events)).unwrap_or_default()
    }

    /// The status of `f` just before the instant in parameter `?1`.
    fn status_at(&self) -> String {
        format!(
            "(SELECT e.to_status FROM finding_events e WHERE e.finding_id = f.id AND e.at < ?1{}
               ORDER BY e.at DESC, e.id DESC LIMIT 1)",
            self.events("e")
        )
    }

    /// Counted in the figures: neither preview nor a review item.
    fn counted(&self) -> String {
        format!("f.preview = 0 AND {} = 'violation'{}", self.col("level"), self.findings())
    }

    /// The columns [`listed`] reads, statuses taken just before `?1`.
    fn listed_columns(&self) -> String {
        format!(
            "f.id, f.case_id, f.rule_id, f.category, f.group_code, f.severity, f.points, f.preview, f.unit_id,
             {}, {}, f.first_seen, {}, {}, {}",
            self.col("officer_ids"),
            self.col("message"),
            self.status_at(),
            self.col("level"),
            self.col("verify")
        )
    }
}

/// A finding as the report lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedFinding {
    pub id: i64,
    pub case_id: String,
    pub rule_id: String,
    pub category: String,
    pub group_code: String,
    pub severity: String,
    pub points: i64,
    pub preview: bool,
    /// `violation` or `review` (待核查: listed apart with what to verify, never counted)
    pub level: String,
    /// what to verify, for a review finding
    pub verify: Option<String>,
    pub unit_id: String,
    /// responsible officers, in the order of `findings.officer_ids`
    pub officers: Vec<String>,
    pub message: String,
    pub first_seen: i64,
    /// the status at the instant the list was taken (None: no event before it)
    pub status: Option<String>,
}

/// How many columns [`AsOf::listed_columns`] selects; a query may select more after them.
const LISTED_COLUMNS: usize = 15;

fn listed_at(r: &Row, at: usize) -> rusqlite::Result<ListedFinding> {
    let officers: Vec<String> = serde_json::from_str(&r.get::<_, String>(at + 9)?).unwrap_or_default();
    Ok(ListedFinding {
        id: r.get(at)?,
        case_id: r.get(at + 1)?,
        rule_id: r.get(at + 2)?,
        category: r.get(at + 3)?,
        group_code: r.get(at + 4)?,
        severity: r.get(at + 5)?,
        points: r.get(at + 6)?,
        preview: r.get(at + 7)?,
        unit_id: r.get(at + 8)?,
        officers,
        message: r.get(at + 10)?,
        first_seen: r.get(at + 11)?,
        status: r.get(at + 12)?,
        level: r.get(at + 13)?,
        verify: r.get(at + 14)?,
    })
}

impl ListedFinding {
    /// Counted in the figures: neither found by a preview check nor a review item.
    pub fn counted(&self) -> bool {
        !self.preview && self.level == "violation"
    }
}

/// Runs `sql` and hands each row to `each` as it is read.
fn stream<E: From<StoreError>>(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    what: &'static str,
    mut each: impl FnMut(&Row) -> Result<(), E>,
) -> Result<(), E> {
    let mut stmt = conn.prepare_cached(sql).ctx(what)?;
    let mut rows = stmt.query(args).ctx(what)?;
    while let Some(r) = rows.next().ctx(what)? {
        each(r)?;
    }
    Ok(())
}

fn listed_each<E: From<StoreError>>(
    what: &'static str,
    mut each: impl FnMut(ListedFinding) -> Result<(), E>,
) -> impl FnMut(&Row) -> Result<(), E> {
    move |r| each(listed_at(r, 0).ctx(what)?)
}

/// Which findings first seen in a span a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstSeen {
    /// violations and preview findings, by unit, lead officer, first seen (a day's list)
    Listed,
    /// review items (待核查), by unit, first seen
    Review,
    /// counted findings, oldest first
    Counted,
}

/// Findings first seen in `[start, end)` (of `unit` only, if given), with their status just
/// before `at`, handed to `each` one at a time.
#[allow(clippy::too_many_arguments)]
pub fn each_first_seen<E: From<StoreError>>(
    conn: &Connection,
    asof: &AsOf,
    which: FirstSeen,
    start: i64,
    end: i64,
    at: i64,
    unit: Option<&str>,
    each: impl FnMut(ListedFinding) -> Result<(), E>,
) -> Result<(), E> {
    let (filter, order) = match which {
        FirstSeen::Listed => (
            format!("{} <> 'review'{}", asof.col("level"), asof.findings()),
            format!("f.unit_id, json_extract({}, '$[0]'), f.first_seen, f.id", asof.col("officer_ids")),
        ),
        FirstSeen::Review => {
            (format!("{} = 'review'{}", asof.col("level"), asof.findings()), "f.unit_id, f.first_seen, f.id".into())
        }
        FirstSeen::Counted => (asof.counted(), "f.first_seen, f.id".into()),
    };
    let sql = format!(
        "SELECT {} FROM findings f{}
         WHERE f.first_seen >= ?2 AND f.first_seen < ?3 AND (?4 IS NULL OR f.unit_id = ?4) AND {filter}
         ORDER BY {order}",
        asof.listed_columns(),
        asof.join()
    );
    stream(
        conn,
        &sql,
        params![at, start, end, unit],
        "reading a period's findings",
        listed_each("reading a finding", each),
    )
}

/// Preview findings first seen in `[start, end)` (of `unit` only, if given) that are not
/// review items: listed, not counted.
pub fn count_preview(
    conn: &Connection,
    asof: &AsOf,
    start: i64,
    end: i64,
    unit: Option<&str>,
) -> Result<i64, StoreError> {
    let sql = format!(
        "SELECT count(*) FROM findings f{}
         WHERE f.first_seen >= ?1 AND f.first_seen < ?2 AND (?3 IS NULL OR f.unit_id = ?3) AND f.preview = 1
           AND {} <> 'review'{}",
        asof.join(),
        asof.col("level"),
        asof.findings()
    );
    conn.query_row(&sql, params![start, end, unit], |r| r.get(0)).ctx("counting preview findings")
}

/// Counted findings open or pushed just before `at` (of `unit` only, if given), by the day
/// they are due (the day first seen), unit and id.
pub fn each_open<E: From<StoreError>>(
    conn: &Connection,
    asof: &AsOf,
    at: i64,
    unit: Option<&str>,
    each: impl FnMut(ListedFinding) -> Result<(), E>,
) -> Result<(), E> {
    // Asia/Shanghai is UTC+8 all year: the local day of an instant is (t + 28800) / 86400
    let sql = format!(
        "SELECT {} FROM findings f{}
         WHERE {} AND f.first_seen < ?1 AND (?2 IS NULL OR f.unit_id = ?2) AND {} IN ('open', 'pushed')
         ORDER BY (f.first_seen + 28800) / 86400, f.unit_id, f.id",
        asof.listed_columns(),
        asof.join(),
        asof.counted(),
        asof.status_at()
    );
    stream(conn, &sql, params![at, unit], "reading open findings", listed_each("reading an open finding", each))
}

/// A status change that closed a finding (rectified, resolved or waived).
#[derive(Debug, Clone, PartialEq)]
pub struct Clearance {
    pub finding: ListedFinding,
    pub to_status: String,
    pub at: i64,
    pub by: String,
    pub note: Option<String>,
}

/// Events in `[start, end)` that rectified, resolved or waived a counted finding (of `unit`
/// only, if given), in order; the findings' statuses are taken just before `at`.
#[allow(clippy::too_many_arguments)]
pub fn each_clearance<E: From<StoreError>>(
    conn: &Connection,
    asof: &AsOf,
    start: i64,
    end: i64,
    at: i64,
    unit: Option<&str>,
    mut each: impl FnMut(Clearance) -> Result<(), E>,
) -> Result<(), E> {
    let sql = format!(
        "SELECT {}, ev.to_status, ev.at, ev.by, ev.note
         FROM finding_events ev JOIN findings f ON f.id = ev.finding_id{}
         WHERE ev.at >= ?2 AND ev.at < ?3 AND ev.to_status IN ('rectified', 'resolved', 'waived'){}
           AND {} AND (?4 IS NULL OR f.unit_id = ?4)
         ORDER BY ev.at, ev.id",
        asof.listed_columns(),
        asof.join(),
        asof.events("ev"),
        asof.counted()
    );
    let what = "reading clearances";
    stream(conn, &sql, params![at, start, end, unit], what, |r| {
        let c = Clearance {
            finding: listed_at(r, 0).ctx(what)?,
            to_status: r.get(LISTED_COLUMNS).ctx(what)?,
            at: r.get(LISTED_COLUMNS + 1).ctx(what)?,
            by: r.get(LISTED_COLUMNS + 2).ctx(what)?,
            note: r.get(LISTED_COLUMNS + 3).ctx(what)?,
        };
        each(c)
    })
}

/// Counted findings first seen in `[start, end)` (of `unit` only, if given), once per
/// responsible officer, in no particular order: (officer, finding).
#[allow(clippy::too_many_arguments)]
pub fn each_officer_finding<E: From<StoreError>>(
    conn: &Connection,
    asof: &AsOf,
    start: i64,
    end: i64,
    at: i64,
    unit: Option<&str>,
    mut each: impl FnMut(&str, ListedFinding) -> Result<(), E>,
) -> Result<(), E> {
    let sql = format!(
        "SELECT o.value, {} FROM findings f{}, json_each({}) o
         WHERE f.first_seen >= ?2 AND f.first_seen < ?3 AND (?4 IS NULL OR f.unit_id = ?4) AND {}",
        asof.listed_columns(),
        asof.join(),
        asof.col("officer_ids"),
        asof.counted()
    );
    let what = "reading the officers' findings";
    stream(conn, &sql, params![at, start, end, unit], what, |r| {
        let officer: String = r.get(0).ctx(what)?;
        each(&officer, listed_at(r, 1).ctx(what)?)
    })
}

/// Sets the order in which [`each_by_officer`] hands out officers (a temporary table of the
/// reading connection; writes nothing to the database).
pub fn set_officer_order<'a>(conn: &Connection, officers: impl IntoIterator<Item = &'a str>) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS report_officer_order (officer_id TEXT PRIMARY KEY, rank INTEGER NOT NULL) WITHOUT ROWID;
         DELETE FROM temp.report_officer_order;",
    )
    .ctx("ordering officers")?;
    let mut ins = conn
        .prepare_cached("INSERT OR IGNORE INTO temp.report_officer_order (officer_id, rank) VALUES (?1, ?2)")
        .ctx("ordering officers")?;
    for (i, o) in officers.into_iter().enumerate() {
        ins.execute(params![o, i as i64]).ctx("ordering officers")?;
    }
    Ok(())
}

/// Like [`each_officer_finding`], ordered by officer as [`set_officer_order`] set it (officers
/// not in it are left out), then first seen; SQLite sorts, so memory stays bounded.
#[allow(clippy::too_many_arguments)]
pub fn each_by_officer<E: From<StoreError>>(
    conn: &Connection,
    asof: &AsOf,
    start: i64,
    end: i64,
    at: i64,
    unit: Option<&str>,
    mut each: impl FnMut(&str, ListedFinding) -> Result<(), E>,
) -> Result<(), E> {
    let sql = format!(
        "SELECT o.value, {} FROM findings f{}, json_each({}) o
         JOIN temp.report_officer_order r ON r.officer_id = o.value
         WHERE f.first_seen >= ?2 AND f.first_seen < ?3 AND (?4 IS NULL OR f.unit_id = ?4) AND {}
         ORDER BY r.rank, f.first_seen, f.id",
        asof.listed_columns(),
        asof.join(),
        asof.col("officer_ids"),
        asof.counted()
    );
    let what = "reading the appendix";
    stream(conn, &sql, params![at, start, end, unit], what, |r| {
        let officer: String = r.get(0).ctx(what)?;
        each(&officer, listed_at(r, 1).ctx(what)?)
    })
}

/// An officer's findings first seen at or after `since` and before `at` (preview ones and
/// review items included), with their status just before `at`; newest first.
pub fn officer_findings(
    conn: &Connection,
    officer: &str,
    since: Option<i64>,
    at: i64,
) -> Result<Vec<ListedFinding>, StoreError> {
    let asof = AsOf::live();
    let sql = format!(
        "SELECT {} FROM findings f
         WHERE f.id IN (SELECT finding_id FROM finding_officers WHERE officer_id = ?2)
           AND f.first_seen >= coalesce(?3, f.first_seen) AND f.first_seen < ?1
         ORDER BY f.first_seen DESC, f.id DESC",
        asof.listed_columns()
    );
    let mut out = Vec::new();
    stream(conn, &sql, params![at, officer, since], "reading an officer's findings", |r| {
        out.push(listed_at(r, 0).ctx("reading an officer's finding")?);
        Ok::<_, StoreError>(())
    })?;
    Ok(out)
}

/// One counted finding of one responsible officer, for repeat-offence checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offence {
    pub officer_id: String,
    pub finding_id: i64,
    pub category: String,
    pub unit_id: String,
    pub first_seen: i64,
    /// status just before `until`
    pub status: String,
    /// the first rectification or resolution before `until`
    pub first_closed: Option<i64>,
}

fn offences_sql(asof: &AsOf) -> String {
    format!(
        "SELECT o.value, f.id, f.category, f.unit_id, f.first_seen,
                substr(max(printf('%020d%020d%s', e.at, e.id, e.to_status)), 41),
                min(CASE WHEN e.to_status IN ('rectified', 'resolved') THEN e.at END)
         FROM findings f{}
         JOIN json_each({}) o
         JOIN finding_events e ON e.finding_id = f.id AND e.at < ?1{}
         WHERE {} AND f.first_seen < ?1 AND f.first_seen > ?3
           AND (?2 IS NULL OR (o.value = ?2 AND f.id IN (SELECT finding_id FROM finding_officers WHERE officer_id = ?2)))
         GROUP BY o.value, f.id
         ORDER BY o.value, f.category, f.first_seen, f.id",
        asof.join(),
        asof.col("officer_ids"),
        asof.events("e"),
        asof.counted()
    )
}

fn offence(r: &Row) -> rusqlite::Result<Offence> {
    Ok(Offence {
        officer_id: r.get(0)?,
        finding_id: r.get(1)?,
        category: r.get(2)?,
        unit_id: r.get(3)?,
        first_seen: r.get(4)?,
        status: r.get(5)?,
        first_closed: r.get(6)?,
    })
}

/// Every counted finding first seen after `after` and before `until`, once per responsible
/// officer (only `officer`'s if given). Collected: for one officer, or tests; reports of a
/// period use [`each_offence_group`].
pub fn offences(
    conn: &Connection,
    asof: &AsOf,
    after: i64,
    until: i64,
    officer: Option<&str>,
) -> Result<Vec<Offence>, StoreError> {
    let mut out = Vec::new();
    stream(conn, &offences_sql(asof), params![until, officer, after], "reading offences", |r| {
        out.push(offence(r).ctx("reading offences")?);
        Ok::<_, StoreError>(())
    })?;
    Ok(out)
}

fn closures_sql(asof: &AsOf) -> String {
    format!(
        "SELECT o.value, f.category, f.id, min(c.at)
         FROM finding_events c
         JOIN findings f ON f.id = c.finding_id{}
         JOIN json_each({}) o
         WHERE c.to_status IN ('rectified', 'resolved') AND c.at < ?1{}
           AND {} AND f.first_seen < ?1
           AND (?2 IS NULL OR (o.value = ?2 AND f.id IN (SELECT finding_id FROM finding_officers WHERE officer_id = ?2)))
           AND {} IS NOT 'waived'
         GROUP BY o.value, f.id
         ORDER BY o.value, f.category",
        asof.join(),
        asof.col("officer_ids"),
        asof.events("c"),
        asof.counted(),
        asof.status_at()
    )
}

/// Each counted finding first seen before `until` that was rectified or resolved before
/// `until` and is not waived just before it, once per responsible officer (only `officer`'s
/// if given), handed to `each` as (officer, category, finding id, first rectification or
/// resolution) without being collected: the whole history streams through.
pub fn first_closures(
    conn: &Connection,
    asof: &AsOf,
    until: i64,
    officer: Option<&str>,
    mut each: impl FnMut(&str, &str, i64, i64),
) -> Result<(), StoreError> {
    let what = "reading closures";
    stream(conn, &closures_sql(asof), params![until, officer], what, |r| {
        let officer: &str = r.get_ref(0).and_then(|v| Ok(v.as_str()?)).ctx(what)?;
        let category: &str = r.get_ref(1).and_then(|v| Ok(v.as_str()?)).ctx(what)?;
        each(officer, category, r.get(2).ctx(what)?, r.get(3).ctx(what)?);
        Ok::<_, StoreError>(())
    })
}

/// The counted findings of [`offences`], one (officer, category) at a time, with the
/// closures [`first_closures`] gives for that pair: `each(offences, closures as (finding id,
/// at))`. Both queries are sorted by SQLite and read side by side, so only one pair is held
/// at a time, however many findings the window has.
pub fn each_offence_group<E: From<StoreError>>(
    conn: &Connection,
    asof: &AsOf,
    after: i64,
    until: i64,
    officer: Option<&str>,
    mut each: impl FnMut(&[Offence], &[(i64, i64)]) -> Result<(), E>,
) -> Result<(), E> {
    let what = "reading offences";
    let mut a = conn.prepare_cached(&offences_sql(asof)).ctx(what)?;
    let mut b = conn.prepare_cached(&closures_sql(asof)).ctx(what)?;
    let mut offences = a.query(params![until, officer, after]).ctx(what)?;
    let mut closures = b.query(params![until, officer]).ctx(what)?;
    let next_closure = |rows: &mut rusqlite::Rows| -> Result<Option<(String, String, i64, i64)>, StoreError> {
        match rows.next().ctx(what)? {
            None => Ok(None),
            Some(r) => Ok(Some((r.get(0).ctx(what)?, r.get(1).ctx(what)?, r.get(2).ctx(what)?, r.get(3).ctx(what)?))),
        }
    };
    let mut pending = next_closure(&mut closures)?;
    let mut group: Vec<Offence> = Vec::new();
    let mut flush = |group: &mut Vec<Offence>,
                     pending: &mut Option<(String, String, i64, i64)>,
                     closures: &mut rusqlite::Rows|
     -> Result<(), E> {
        let Some(first) = group.first() else { return Ok(()) };
        let key = (first.officer_id.clone(), first.category.clone());
        let mut mine = Vec::new();
        while let Some(c) = pending.as_ref() {
            match (c.0.as_str(), c.1.as_str()).cmp(&(key.0.as_str(), key.1.as_str())) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => mine.push((c.2, c.3)),
                std::cmp::Ordering::Greater => break,
            }
            *pending = next_closure(closures)?;
        }
        each(group, &mine)?;
        group.clear();
        Ok(())
    };
    while let Some(r) = offences.next().ctx(what)? {
        let o = offence(r).ctx(what)?;
        if group.first().is_some_and(|g| g.officer_id != o.officer_id || g.category != o.category) {
            flush(&mut group, &mut pending, &mut closures)?;
        }
        group.push(o);
    }
    flush(&mut group, &mut pending, &mut closures)
}

/// An officer's name and unit, as the officers table has them (migration 0007).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerInfo {
    pub name: Option<String>,
    pub unit_id: Option<String>,
}

/// Officers by id: the officers table (the roster, or the newest imported case that names
/// them), so that every report names an officer one way. An officer with findings whom the
/// table lacks (a case stored by other means than the importer) is read from the latest of
/// those cases that names them.
pub fn officer_directory(conn: &Connection) -> Result<HashMap<String, OfficerInfo>, StoreError> {
    let mut out: HashMap<String, OfficerInfo> = super::officers::directory(conn)?
        .into_values()
        .map(|o| (o.id, OfficerInfo { name: o.name, unit_id: o.unit_id }))
        .collect();
    let mut stmt = conn
        .prepare_cached(
            "WITH missing AS (SELECT DISTINCT officer_id AS id FROM finding_officers
                              WHERE officer_id NOT IN (SELECT id FROM officers))
             SELECT id, name, unit_id FROM (
                 SELECT CASE WHEN o.type = 'object' AND json_type(o.value, '$.id') = 'text'
                             THEN json_extract(o.value, '$.id') END AS id,
                        CASE WHEN o.type = 'object' AND json_type(o.value, '$.name') = 'text'
                             THEN json_extract(o.value, '$.name') END AS name,
                        c.unit_id, c.accepted_at, c.case_id
                 FROM cases c JOIN case_raw r USING (case_id),
                      json_each(CASE WHEN json_valid(r.raw) THEN r.raw ELSE '{}' END, '$.officers') o
                 WHERE c.case_id IN (SELECT f.case_id FROM findings f
                                     JOIN finding_officers fo ON fo.finding_id = f.id
                                     JOIN missing m ON m.id = fo.officer_id)
             )
             WHERE id IN (SELECT id FROM missing)
             ORDER BY coalesce(accepted_at, 0), case_id",
        )
        .ctx("preparing the officer directory")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?)))
        .ctx("reading officers")?;
    for row in rows {
        let (id, name, unit) = row.ctx("reading officers")?;
        let e = out.entry(id).or_default();
        if name.as_deref().is_some_and(|n| !n.trim().is_empty()) {
            e.name = name;
        }
        e.unit_id = Some(unit);
    }
    Ok(out)
}

/// Unit names from the cases (the latest name given for each unit).
pub fn unit_names(conn: &Connection) -> Result<HashMap<String, String>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT unit_id, unit_name FROM cases WHERE unit_name IS NOT NULL AND unit_name <> ''
             ORDER BY coalesce(accepted_at, 0), case_id",
        )
        .ctx("preparing unit names")?;
    let rows =
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).ctx("reading unit names")?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, name) = row.ctx("reading unit names")?;
        out.insert(id, name);
    }
    Ok(out)
}

/// Per local day and unit: counted findings first seen, and counted findings rectified or
/// resolved (each once a day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRow {
    pub day: String,
    pub unit_id: String,
    pub new: i64,
    pub closed: i64,
}

/// The daily series from `first_day` to `last_day` (inclusive, `YYYY-MM-DD`), by unit.
pub fn daily_series(
    conn: &Connection,
    asof: &AsOf,
    first_day: &str,
    last_day: &str,
) -> Result<Vec<SeriesRow>, StoreError> {
    let sql = format!(
        "SELECT day, unit_id, sum(new), sum(closed) FROM (
             SELECT c.day, f.unit_id, count(*) AS new, 0 AS closed
             FROM calendar c JOIN findings f ON f.first_seen >= c.start_at AND f.first_seen < c.end_at{join}
             WHERE c.day BETWEEN ?1 AND ?2 AND {counted}
             GROUP BY c.day, f.unit_id
             UNION ALL
             SELECT c.day, f.unit_id, 0, count(DISTINCT e.finding_id)
             FROM calendar c
             JOIN finding_events e ON e.at >= c.start_at AND e.at < c.end_at AND e.to_status IN ('rectified', 'resolved'){events}
             JOIN findings f ON f.id = e.finding_id{join}
             WHERE c.day BETWEEN ?1 AND ?2 AND {counted}
             GROUP BY c.day, f.unit_id
         ) GROUP BY day, unit_id ORDER BY day, unit_id",
        join = asof.join(),
        counted = asof.counted(),
        events = asof.events("e"),
    );
    let mut out = Vec::new();
    let what = "reading the daily series";
    stream(conn, &sql, params![first_day, last_day], what, |r| {
        out.push(SeriesRow {
            day: r.get(0).ctx(what)?,
            unit_id: r.get(1).ctx(what)?,
            new: r.get(2).ctx(what)?,
            closed: r.get(3).ctx(what)?,
        });
        Ok::<_, StoreError>(())
    })?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// coverage and freezing

/// A completed audit run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditRun {
    pub id: i64,
    pub as_of: i64,
}

/// The completed audit of every check (no `--select`/`--ignore`) with the latest as-of
/// instant. A run killed midway never finished and does not count.
pub fn latest_complete_audit(conn: &Connection) -> Result<Option<AuditRun>, StoreError> {
    conn.query_row(
        "SELECT id, as_of FROM audit_runs WHERE finished_at IS NOT NULL AND selection IS NULL
         ORDER BY as_of DESC, id DESC LIMIT 1",
        [],
        |r| Ok(AuditRun { id: r.get(0)?, as_of: r.get(1)? }),
    )
    .optional()
    .ctx("reading the audit runs")
}

/// A frozen period as `frozen_periods` keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct FrozenPeriod {
    pub frozen_at: i64,
    pub by: String,
    pub note: Option<String>,
    pub forced: bool,
    pub audit: Option<AuditRun>,
    /// `None`: frozen before migration 0008; its reports are in `report_frozen`
    pub watermark: Option<Watermark>,
    /// max(late_cases.seq) when it froze
    pub late_upto: i64,
    /// the freeze_log id of the freeze (frozen in that order); 0 before migration 0008
    pub freeze_id: i64,
    /// the names its reports show (JSON)
    pub names: Option<String>,
    /// what else its reports need (JSON)
    pub data: Option<String>,
}

/// The period's frozen state, if it is frozen.
pub fn frozen_period(conn: &Connection, kind: &str, period: &str) -> Result<Option<FrozenPeriod>, StoreError> {
    conn.query_row(
        "SELECT z.frozen_at, coalesce(z.frozen_by, 'report'), z.note, z.forced, z.audit_run, z.audit_as_of,
                z.findings_upto, z.events_upto, z.versions_upto, z.late_upto, coalesce(z.freeze_id, 0),
                n.names, z.data
         FROM frozen_periods z LEFT JOIN frozen_names n ON n.hash = z.names
         WHERE z.kind = ?1 AND z.period = ?2",
        params![kind, period],
        |r| {
            let audit = match (r.get::<_, Option<i64>>(4)?, r.get::<_, Option<i64>>(5)?) {
                (Some(id), Some(as_of)) => Some(AuditRun { id, as_of }),
                _ => None,
            };
            let watermark =
                match (r.get::<_, Option<i64>>(6)?, r.get::<_, Option<i64>>(7)?, r.get::<_, Option<i64>>(8)?) {
                    (Some(findings), Some(events), Some(versions)) => Some(Watermark { findings, events, versions }),
                    _ => None,
                };
            Ok(FrozenPeriod {
                frozen_at: r.get(0)?,
                by: r.get(1)?,
                note: r.get(2)?,
                forced: r.get(3)?,
                audit,
                watermark,
                late_upto: r.get(9)?,
                freeze_id: r.get(10)?,
                names: r.get(11)?,
                data: r.get(12)?,
            })
        },
    )
    .optional()
    .ctx("reading frozen periods")
}

/// A whole report frozen before migration 0008: (frozen_at, JSON).
pub fn legacy_frozen_report(
    conn: &Connection,
    kind: &str,
    period: &str,
    scope: &str,
    options: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    conn.query_row(
        "SELECT frozen_at, model FROM report_frozen WHERE kind = ?1 AND period = ?2 AND scope = ?3 AND options = ?4",
        params![kind, period, scope, options],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .ctx("reading a frozen report")
}

/// What [`freeze`] keeps of a period.
#[derive(Debug, Clone)]
pub struct Freezing<'a> {
    /// `day`, `week` or `month`
    pub kind: &'a str,
    pub period: &'a str,
    /// `[start, end)`
    pub start: i64,
    pub end: i64,
    /// now
    pub at: i64,
    pub by: &'a str,
    pub note: Option<&'a str>,
    /// frozen without a covering audit
    pub forced: bool,
    pub audit: Option<AuditRun>,
    /// what the rows and lists were read at
    pub watermark: Watermark,
    /// the period's rows from `rollup_live`, read at the watermark (the case counts are read
    /// again when the freeze is written)
    pub rows: &'a [RollupRow],
    /// the names its reports show (JSON)
    pub names: &'a str,
    /// what else its reports need (JSON)
    pub data: &'a str,
}

/// What [`freeze`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreezeOutcome {
    /// the period was frozen
    Frozen,
    /// it was frozen already; nothing was stored
    AlreadyFrozen,
}

fn open_for_freezing(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|source| StoreError::NotADatabase { path: path.into(), source })?;
    conn.busy_timeout(BUSY_TIMEOUT).ctx("setting the busy timeout")?;
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).ctx("reading the schema version")?;
    if found != schema_version() {
        return Err(StoreError::Usage(format!(
            "the database `{}` has schema version {found}, this binary writes {}; the period was not frozen",
            path.display(),
            schema_version()
        )));
    }
    Ok(conn)
}

/// `rows` with their case counts replaced by `cases` (unit → cases accepted in the period):
/// rows of dims `all` and `unit` are added or dropped as the counts require.
fn with_cases(rows: &[RollupRow], kind: &str, period: &str, cases: &[(String, i64)]) -> Vec<RollupRow> {
    let of = |unit: &str| cases.iter().find(|c| c.0 == unit).map_or(0, |c| c.1);
    let total: i64 = cases.iter().map(|c| c.1).sum();
    // cases count under (*, all, *), (*, unit, U), (U, all, *) and (U, unit, U)
    let count = |scope: &str, dim: &str, key: &str| -> i64 {
        match (scope, dim) {
            ("*", "all") => total,
            ("*", "unit") => of(key),
            (unit, "all") => of(unit),
            (unit, "unit") if key == unit => of(unit),
            _ => 0,
        }
    };
    let mut out: Vec<RollupRow> = rows.iter().filter(|r| r.kind == kind && r.period == period).cloned().collect();
    for (unit, n) in std::iter::once(("*", total)).chain(cases.iter().map(|(u, n)| (u.as_str(), *n))) {
        if n == 0 {
            continue;
        }
        let mut keys = vec![(unit, "all", "*")];
        if unit == "*" {
            keys.extend(cases.iter().filter(|c| c.1 > 0).map(|c| ("*", "unit", c.0.as_str())));
        } else {
            keys.push((unit, "unit", unit));
        }
        for (s, d, k) in keys {
            if !out.iter().any(|r| r.scope == s && r.dim == d && r.key == k) {
                out.push(RollupRow {
                    kind: kind.to_owned(),
                    period: period.to_owned(),
                    scope: s.to_owned(),
                    dim: d.to_owned(),
                    key: k.to_owned(),
                    ..RollupRow::default()
                });
            }
        }
    }
    for r in &mut out {
        if r.dim == "all" || r.dim == "unit" {
            r.cases = count(&r.scope, &r.dim, &r.key);
        }
    }
    // a row left with nothing at all is not kept (as rollup_live leaves it out)
    out.retain(|r| r.cases + r.new + r.reopened + r.pushed + r.rectified + r.waived + r.resolved + r.backlog > 0);
    sorted(out)
}

/// Freezes a period: its rollup rows, watermarks, names and the rest, in one transaction of
/// a write connection of its own (never migrates). The case counts are read again inside
/// that transaction, so that a case imported meanwhile is either counted or, once the period
/// is frozen, a late addition.
pub fn freeze(path: &Path, f: &Freezing) -> Result<FreezeOutcome, StoreError> {
    let mut conn = open_for_freezing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(map_busy(path, "starting to freeze a period"))?;
    let hash = blake3::hash(f.names.as_bytes()).to_hex().to_string();
    let won = tx
        .execute(
            "INSERT OR IGNORE INTO frozen_periods (kind, period, frozen_at, start_at, end_at, frozen_by, note, forced,
                 audit_run, audit_as_of, findings_upto, events_upto, versions_upto, names, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                f.kind,
                f.period,
                f.at,
                f.start,
                f.end,
                f.by,
                f.note,
                f.forced,
                f.audit.map(|a| a.id),
                f.audit.map(|a| a.as_of),
                f.watermark.findings,
                f.watermark.events,
                f.watermark.versions,
                hash,
                f.data
            ],
        )
        .map_err(map_busy(path, "freezing a period"))?;
    if won == 0 {
        return Ok(FreezeOutcome::AlreadyFrozen);
    }
    tx.execute("INSERT OR IGNORE INTO frozen_names (hash, names) VALUES (?1, ?2)", params![hash, f.names])
        .map_err(map_busy(path, "freezing names"))?;
    let cases: Vec<(String, i64)> = {
        let mut s = tx
            .prepare(
                "SELECT unit_id, count(*) FROM cases WHERE accepted_at >= ?1 AND accepted_at < ?2 GROUP BY unit_id ORDER BY unit_id",
            )
            .ctx("counting cases")?;
        let rows = s.query_map(params![f.start, f.end], |r| Ok((r.get(0)?, r.get(1)?))).ctx("counting cases")?;
        rows.collect::<Result<_, _>>().ctx("counting cases")?
    };
    {
        let mut ins = tx
            .prepare(&format!("INSERT OR REPLACE INTO rollup_frozen ({ROLLUP_COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21)"))
            .ctx("preparing to freeze rollup rows")?;
        for r in with_cases(f.rows, f.kind, f.period, &cases) {
            ins.execute(params![
                r.kind,
                r.period,
                r.scope,
                r.dim,
                r.key,
                r.cases,
                r.new,
                r.reopened,
                r.pushed,
                r.rectified,
                r.waived,
                r.resolved,
                r.backlog,
                r.new_outstanding,
                r.new_closed,
                r.new_waived,
                r.new_pushed,
                r.points,
                r.rectification_rate,
                r.share_pushed,
                r.median_days_to_rectify
            ])
            .map_err(map_busy(path, "freezing rollup rows"))?;
        }
    }
    tx.execute(
        "INSERT INTO freeze_log (kind, period, action, at, by, note, forced, audit_run) VALUES (?1, ?2, 'freeze', ?3, ?4, ?5, ?6, ?7)",
        params![f.kind, f.period, f.at, f.by, f.note, f.forced, f.audit.map(|a| a.id)],
    )
    .map_err(map_busy(path, "recording a freeze"))?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE frozen_periods SET freeze_id = ?3, late_upto = (SELECT coalesce(max(seq), 0) FROM late_cases)
         WHERE kind = ?1 AND period = ?2",
        params![f.kind, f.period, id],
    )
    .map_err(map_busy(path, "freezing a period"))?;
    tx.commit().map_err(map_busy(path, "committing a frozen period"))?;
    Ok(FreezeOutcome::Frozen)
}

/// Reopens a frozen period: its frozen numbers, kept reports and late cases are dropped and
/// the unfreeze is logged with who and why. Returns false if it was not frozen.
pub fn unfreeze(path: &Path, kind: &str, period: &str, at: i64, by: &str, note: &str) -> Result<bool, StoreError> {
    let mut conn = open_for_freezing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(map_busy(path, "starting to unfreeze a period"))?;
    let n = tx
        .execute("DELETE FROM frozen_periods WHERE kind = ?1 AND period = ?2", params![kind, period])
        .map_err(map_busy(path, "unfreezing a period"))?;
    if n == 0 {
        return Ok(false);
    }
    let report_kind = match kind {
        "day" => "daily",
        "week" => "weekly",
        _ => "monthly",
    };
    for (sql, k) in [
        ("DELETE FROM rollup_frozen WHERE kind = ?1 AND period = ?2", kind),
        ("DELETE FROM late_cases WHERE kind = ?1 AND period = ?2", kind),
        ("DELETE FROM report_frozen WHERE kind = ?1 AND period = ?2", report_kind),
    ] {
        tx.execute(sql, params![k, period]).map_err(map_busy(path, "unfreezing a period"))?;
    }
    tx.execute(
        "INSERT INTO freeze_log (kind, period, action, at, by, note) VALUES (?1, ?2, 'unfreeze', ?3, ?4, ?5)",
        params![kind, period, at, by, note],
    )
    .map_err(map_busy(path, "recording an unfreeze"))?;
    tx.commit().map_err(map_busy(path, "committing an unfreeze"))?;
    Ok(true)
}

/// One line of `freeze_log`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeLogEntry {
    pub action: String,
    pub at: i64,
    pub by: String,
    pub note: Option<String>,
    pub forced: bool,
    pub audit_run: Option<i64>,
}

/// The freezes and unfreezes of a period, oldest first.
pub fn freeze_log(conn: &Connection, kind: &str, period: &str) -> Result<Vec<FreezeLogEntry>, StoreError> {
    let mut out = Vec::new();
    let what = "reading the freeze log";
    stream(
        conn,
        "SELECT action, at, by, note, forced, audit_run FROM freeze_log WHERE kind = ?1 AND period = ?2 ORDER BY id",
        params![kind, period],
        what,
        |r| {
            out.push(FreezeLogEntry {
                action: r.get(0).ctx(what)?,
                at: r.get(1).ctx(what)?,
                by: r.get(2).ctx(what)?,
                note: r.get(3).ctx(what)?,
                forced: r.get(4).ctx(what)?,
                audit_run: r.get(5).ctx(what)?,
            });
            Ok::<_, StoreError>(())
        },
    )?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// late additions (往期补录)

/// Which late additions a report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LateFor {
    /// a report of the period of `kind` starting at `start`: what arrived for each earlier
    /// frozen period after it froze, and after every frozen period between it and this one
    /// froze; if this period is frozen itself (`freeze_id`, `late_upto`), only what arrived
    /// before it froze
    Next { kind: String, start: i64, frozen: Option<(i64, i64)> },
    /// the live view of a frozen period: what arrived for it after it froze
    Itself { kind: String, period: String },
}

/// Late additions of one period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LateCount {
    pub period: String,
    pub cases: i64,
    pub findings: i64,
}

impl LateFor {
    /// Conditions on frozen period `d` (and findings `f`, late cases `l`), for SQL.
    fn conditions(&self, item: &str) -> String {
        match self {
            LateFor::Next { kind, start, frozen } => {
                let upto = if item == "f" { "findings_upto" } else { "late_upto" };
                let id = if item == "f" { "f.id" } else { "l.seq" };
                let before = frozen.map(|(id, _)| format!(" AND coalesce(q.freeze_id, 0) <= {id}")).unwrap_or_default();
                let bound = match (item, frozen) {
                    ("l", Some((_, late_upto))) => format!(" AND l.seq <= {late_upto}"),
                    _ => String::new(),
                };
                format!(
                    "d.kind = {k} AND d.start_at < {start}{before_d}
                     AND {id} > (SELECT max(q.{upto}) FROM frozen_periods q
                                 WHERE q.kind = d.kind AND q.start_at >= d.start_at AND q.start_at < {start}{before}){bound}",
                    k = sql_text(kind),
                    before_d = frozen.map(|(id, _)| format!(" AND coalesce(d.freeze_id, 0) < {id}")).unwrap_or_default(),
                )
            }
            LateFor::Itself { kind, period } => {
                let cond = if item == "f" { "f.id > d.findings_upto" } else { "1" };
                format!("d.kind = {} AND d.period = {} AND {cond}", sql_text(kind), sql_text(period))
            }
        }
    }

    /// The least finding id that can be late here (a bound for the scan by id).
    fn least_finding(&self, conn: &Connection) -> Result<i64, StoreError> {
        let sql = match self {
            LateFor::Next { kind, start, frozen } => format!(
                "SELECT coalesce(max(findings_upto), 0) FROM frozen_periods WHERE kind = {} AND start_at = (
                     SELECT max(start_at) FROM frozen_periods WHERE kind = {0} AND start_at < {start}
                       AND findings_upto IS NOT NULL{})",
                sql_text(kind),
                frozen.map(|(id, _)| format!(" AND coalesce(freeze_id, 0) < {id}")).unwrap_or_default()
            ),
            LateFor::Itself { kind, period } => format!(
                "SELECT coalesce(findings_upto, 0) FROM frozen_periods WHERE kind = {} AND period = {}",
                sql_text(kind),
                sql_text(period)
            ),
        };
        Ok(conn
            .query_row(&sql, [], |r| r.get::<_, Option<i64>>(0))
            .optional()
            .ctx("reading frozen periods")?
            .flatten()
            .unwrap_or(0))
    }
}

/// A string as an SQL literal.
fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn late_findings_sql(asof: &AsOf, late: &LateFor, least: i64, select: &str, tail: &str) -> String {
    format!(
        "SELECT {select} FROM findings f{}
         JOIN frozen_periods d ON d.start_at <= f.first_seen AND f.first_seen < d.end_at AND d.findings_upto IS NOT NULL
         WHERE f.id > {least} AND {} AND (?2 IS NULL OR f.unit_id = ?2) AND {}
         {tail}",
        asof.join(),
        asof.counted(),
        late.conditions("f"),
    )
}

/// The late additions a report shows, per period (of `unit` only, if given), in period order.
pub fn late_counts(
    conn: &Connection,
    asof: &AsOf,
    late: &LateFor,
    unit: Option<&str>,
) -> Result<Vec<LateCount>, StoreError> {
    let least = late.least_finding(conn)?;
    let mut by: std::collections::BTreeMap<String, LateCount> = std::collections::BTreeMap::new();
    let what = "reading late additions";
    let sql = late_findings_sql(asof, late, least, "d.start_at, d.period, count(*)", "GROUP BY d.period");
    stream(conn, &sql, params![0, unit], what, |r| {
        let period: String = r.get(1).ctx(what)?;
        let key = format!("{:020}{period}", r.get::<_, i64>(0).ctx(what)?);
        by.entry(key).or_insert_with(|| LateCount { period, ..LateCount::default() }).findings = r.get(2).ctx(what)?;
        Ok::<_, StoreError>(())
    })?;
    let sql = format!(
        "SELECT d.start_at, d.period, count(*) FROM late_cases l JOIN frozen_periods d ON d.kind = l.kind AND d.period = l.period
         WHERE (?1 IS NULL OR l.unit_id = ?1) AND {}
         GROUP BY d.period",
        late.conditions("l")
    );
    stream(conn, &sql, params![unit], what, |r| {
        let period: String = r.get(1).ctx(what)?;
        let key = format!("{:020}{period}", r.get::<_, i64>(0).ctx(what)?);
        by.entry(key).or_insert_with(|| LateCount { period, ..LateCount::default() }).cases = r.get(2).ctx(what)?;
        Ok::<_, StoreError>(())
    })?;
    Ok(by.into_values().collect())
}

/// The late counted findings a report shows (of `unit` only, if given), oldest first, with
/// their status just before `at`.
pub fn each_late_finding<E: From<StoreError>>(
    conn: &Connection,
    asof: &AsOf,
    late: &LateFor,
    at: i64,
    unit: Option<&str>,
    each: impl FnMut(ListedFinding) -> Result<(), E>,
) -> Result<(), E> {
    let least = late.least_finding(conn)?;
    let sql = late_findings_sql(asof, late, least, &asof.listed_columns(), "ORDER BY f.first_seen, f.id");
    stream(conn, &sql, params![at, unit], "reading late findings", listed_each("reading a late finding", each))
}

/// Whether a case or a finding names the unit.
pub fn unit_known(conn: &Connection, unit: &str) -> Result<bool, StoreError> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM cases WHERE unit_id = ?1) OR EXISTS (SELECT 1 FROM findings WHERE unit_id = ?1)",
        [unit],
        |r| r.get(0),
    )
    .ctx("looking up a unit")
}

/// Whether a finding names the officer.
pub fn officer_known(conn: &Connection, officer: &str) -> Result<bool, StoreError> {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM finding_officers WHERE officer_id = ?1)", [officer], |r| r.get(0))
        .ctx("looking up an officer")
}

/// Runs `f` in one read transaction, so that every query it makes sees the same state of
/// the database even while an audit commits.
pub fn read_snapshot<T, E: From<StoreError>>(conn: &Connection, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    conn.execute_batch("BEGIN DEFERRED").ctx("starting a read transaction")?;
    let out = f();
    // a read transaction has nothing to keep: ending it cannot lose anything
    let _ = conn.execute_batch(if out.is_ok() { "COMMIT" } else { "ROLLBACK" });
    out
}

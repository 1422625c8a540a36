//! Rollup queries for the reports (issue #7): all the SQL the reports run.
//!
//! The numbers come from the views of migration 0002 (`rollup`, `rollup_cases`, `periods`;
//! see `SELECT * FROM rollup_doc`), so a supervisor with the `sqlite3` shell sees what the
//! bulletins print. The lists (a day's findings, the backlog, clearances, repeat offences)
//! are read here as plain rows; `report` turns both into report models. Reports open the
//! database read-only; [`freeze`] and [`freeze_model`] open their own short write
//! connection to keep a closed period as it stood, and never migrate.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};

use super::{map_busy, schema_version, Context, StoreError, BUSY_TIMEOUT};

/// One row of the `rollup` view (or `rollup_live`).
#[derive(Debug, Clone, PartialEq)]
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
    /// responsible officers (finding_officers), in the order of `findings.officer_ids`
    pub officers: Vec<String>,
    pub message: String,
    pub first_seen: i64,
    /// the status at the instant the list was taken (None: no event before it)
    pub status: Option<String>,
}

/// The status of finding `f` just before instant `?1`.
const STATUS_AT: &str = "(SELECT e.to_status FROM finding_events e WHERE e.finding_id = f.id AND e.at < ?1
                           ORDER BY e.at DESC, e.id DESC LIMIT 1)";

/// How many columns [`listed_columns`] selects; a query may select more after them.
const LISTED_COLUMNS: usize = 16;

fn listed_columns() -> String {
    format!(
        "f.id, f.case_id, f.rule_id, f.category, f.group_code, f.severity, f.points, f.preview, f.unit_id,
         (SELECT json_group_array(o.officer_id) FROM finding_officers o WHERE o.finding_id = f.id), f.officer_ids,
         f.message, f.first_seen, {STATUS_AT}, f.level, f.verify"
    )
}

fn listed(r: &Row) -> rusqlite::Result<ListedFinding> {
    let members: Vec<String> = serde_json::from_str(&r.get::<_, String>(9)?).unwrap_or_default();
    let order: Vec<String> = serde_json::from_str(&r.get::<_, String>(10)?).unwrap_or_default();
    let mut officers: Vec<String> = order.into_iter().filter(|o| members.contains(o)).collect();
    for m in members {
        if !officers.contains(&m) {
            officers.push(m);
        }
    }
    Ok(ListedFinding {
        id: r.get(0)?,
        case_id: r.get(1)?,
        rule_id: r.get(2)?,
        category: r.get(3)?,
        group_code: r.get(4)?,
        severity: r.get(5)?,
        points: r.get(6)?,
        preview: r.get(7)?,
        unit_id: r.get(8)?,
        officers,
        message: r.get(11)?,
        first_seen: r.get(12)?,
        status: r.get(13)?,
        level: r.get(14)?,
        verify: r.get(15)?,
    })
}

impl ListedFinding {
    /// Counted in the figures: neither found by a preview check nor a review item.
    pub fn counted(&self) -> bool {
        !self.preview && self.level == "violation"
    }
}

fn collect_listed(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
    what: &'static str,
) -> Result<Vec<ListedFinding>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).ctx(what)?;
    let rows = stmt.query_map(args, listed).ctx(what)?;
    rows.collect::<Result<_, _>>().ctx(what)
}

/// Findings first seen in `[start, end)`, preview ones included, with their status just
/// before `at`; oldest first.
pub fn findings_first_seen(conn: &Connection, start: i64, end: i64, at: i64) -> Result<Vec<ListedFinding>, StoreError> {
    let sql = format!(
        "SELECT {} FROM findings f WHERE f.first_seen >= ?2 AND f.first_seen < ?3 ORDER BY f.first_seen, f.id",
        listed_columns()
    );
    collect_listed(conn, &sql, params![at, start, end], "reading new findings")
}

/// Counted findings that are open or pushed just before `at`; oldest first.
pub fn findings_open(conn: &Connection, at: i64) -> Result<Vec<ListedFinding>, StoreError> {
    let sql = format!(
        "SELECT {} FROM findings f WHERE f.preview = 0 AND f.level = 'violation' AND f.first_seen < ?1 AND {STATUS_AT} IN ('open', 'pushed')
         ORDER BY f.first_seen, f.id",
        listed_columns()
    );
    collect_listed(conn, &sql, params![at], "reading open findings")
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

/// Events in `[start, end)` that rectified, resolved or waived a counted finding, in order;
/// the findings' statuses are taken just before `at`.
pub fn clearances(conn: &Connection, start: i64, end: i64, at: i64) -> Result<Vec<Clearance>, StoreError> {
    let sql = format!(
        "SELECT {}, ev.to_status, ev.at, ev.by, ev.note
         FROM finding_events ev JOIN findings f ON f.id = ev.finding_id
         WHERE ev.at >= ?2 AND ev.at < ?3 AND ev.to_status IN ('rectified', 'resolved', 'waived') AND f.preview = 0 AND f.level = 'violation'
         ORDER BY ev.at, ev.id",
        listed_columns()
    );
    let mut stmt = conn.prepare_cached(&sql).ctx("preparing the clearances")?;
    let rows = stmt
        .query_map(params![at, start, end], |r| {
            Ok(Clearance {
                finding: listed(r)?,
                to_status: r.get(LISTED_COLUMNS)?,
                at: r.get(LISTED_COLUMNS + 1)?,
                by: r.get(LISTED_COLUMNS + 2)?,
                note: r.get(LISTED_COLUMNS + 3)?,
            })
        })
        .ctx("reading clearances")?;
    rows.collect::<Result<_, _>>().ctx("reading clearances")
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

/// Every counted finding first seen after `after` and before `until`, once per responsible
/// officer (only `officer`'s if given).
pub fn offences(conn: &Connection, after: i64, until: i64, officer: Option<&str>) -> Result<Vec<Offence>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT o.officer_id, f.id, f.category, f.unit_id, f.first_seen,
                    substr(max(printf('%020d%020d%s', e.at, e.id, e.to_status)), 41),
                    min(CASE WHEN e.to_status IN ('rectified', 'resolved') THEN e.at END)
             FROM findings f
             JOIN finding_officers o ON o.finding_id = f.id
             JOIN finding_events e ON e.finding_id = f.id AND e.at < ?1
             WHERE f.preview = 0 AND f.level = 'violation' AND f.first_seen < ?1 AND f.first_seen > ?3 AND (?2 IS NULL OR o.officer_id = ?2)
             GROUP BY o.officer_id, f.id
             ORDER BY o.officer_id, f.category, f.first_seen, f.id",
        )
        .ctx("preparing the offences")?;
    let rows = stmt
        .query_map(params![until, officer, after], |r| {
            Ok(Offence {
                officer_id: r.get(0)?,
                finding_id: r.get(1)?,
                category: r.get(2)?,
                unit_id: r.get(3)?,
                first_seen: r.get(4)?,
                status: r.get(5)?,
                first_closed: r.get(6)?,
            })
        })
        .ctx("reading offences")?;
    rows.collect::<Result<_, _>>().ctx("reading offences")
}

/// Each counted finding first seen before `until` that was rectified or resolved before
/// `until` and is not waived just before it, once per responsible officer (only `officer`'s
/// if given), handed to `each` as (officer, category, finding id, first rectification or
/// resolution) without being collected: the whole history streams through.
pub fn first_closures(
    conn: &Connection,
    until: i64,
    officer: Option<&str>,
    mut each: impl FnMut(&str, &str, i64, i64),
) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT o.officer_id, f.category, f.id, min(c.at)
             FROM finding_events c
             JOIN findings f ON f.id = c.finding_id
             JOIN finding_officers o ON o.finding_id = f.id
             WHERE c.to_status IN ('rectified', 'resolved') AND c.at < ?1
               AND f.preview = 0 AND f.level = 'violation' AND f.first_seen < ?1 AND (?2 IS NULL OR o.officer_id = ?2)
               AND {STATUS_AT} IS NOT 'waived'
             GROUP BY o.officer_id, f.id"
        ))
        .ctx("preparing the closures")?;
    let mut rows = stmt.query(params![until, officer]).ctx("reading closures")?;
    while let Some(r) = rows.next().ctx("reading closures")? {
        let officer: &str = r.get_ref(0).and_then(|v| Ok(v.as_str()?)).ctx("reading closures")?;
        let category: &str = r.get_ref(1).and_then(|v| Ok(v.as_str()?)).ctx("reading closures")?;
        each(officer, category, r.get(2).ctx("reading closures")?, r.get(3).ctx("reading closures")?);
    }
    Ok(())
}

/// An officer's findings (preview ones included) first seen at or after `since`, with
/// their status just before `at`; newest first.
pub fn officer_findings(
    conn: &Connection,
    officer: &str,
    since: Option<i64>,
    at: i64,
) -> Result<Vec<ListedFinding>, StoreError> {
    let sql = format!(
        "SELECT {} FROM findings f
         WHERE f.id IN (SELECT finding_id FROM finding_officers WHERE officer_id = ?2)
           AND f.first_seen >= coalesce(?3, f.first_seen) AND f.first_seen < ?1
         ORDER BY f.first_seen DESC, f.id DESC",
        listed_columns()
    );
    collect_listed(conn, &sql, params![at, officer, since], "reading an officer's findings")
}

/// An officer's name and unit, as the officers table has them (migration 0007).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
pub fn daily_series(conn: &Connection, first_day: &str, last_day: &str) -> Result<Vec<SeriesRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT day, unit_id, sum(new), sum(closed) FROM (
                 SELECT c.day, f.unit_id, count(*) AS new, 0 AS closed
                 FROM calendar c JOIN findings f ON f.first_seen >= c.start_at AND f.first_seen < c.end_at
                 WHERE c.day BETWEEN ?1 AND ?2 AND f.preview = 0 AND f.level = 'violation'
                 GROUP BY c.day, f.unit_id
                 UNION ALL
                 SELECT c.day, f.unit_id, 0, count(DISTINCT e.finding_id)
                 FROM calendar c
                 JOIN finding_events e ON e.at >= c.start_at AND e.at < c.end_at AND e.to_status IN ('rectified', 'resolved')
                 JOIN findings f ON f.id = e.finding_id AND f.preview = 0 AND f.level = 'violation'
                 WHERE c.day BETWEEN ?1 AND ?2
                 GROUP BY c.day, f.unit_id
             ) GROUP BY day, unit_id ORDER BY day, unit_id",
        )
        .ctx("preparing the daily series")?;
    let rows = stmt
        .query_map(params![first_day, last_day], |r| {
            Ok(SeriesRow { day: r.get(0)?, unit_id: r.get(1)?, new: r.get(2)?, closed: r.get(3)? })
        })
        .ctx("reading the daily series")?;
    rows.collect::<Result<_, _>>().ctx("reading the daily series")
}

/// When the period was frozen, if it is.
pub fn frozen_period(conn: &Connection, kind: &str, period: &str) -> Result<Option<i64>, StoreError> {
    conn.query_row("SELECT frozen_at FROM frozen_periods WHERE kind = ?1 AND period = ?2", params![kind, period], |r| {
        r.get(0)
    })
    .optional()
    .ctx("reading frozen periods")
}

/// A frozen report model: (frozen_at, JSON).
pub fn frozen_report(
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

/// Whether any report of the period was frozen with these options.
pub fn frozen_with_options(conn: &Connection, kind: &str, period: &str, options: &str) -> Result<bool, StoreError> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM report_frozen WHERE kind = ?1 AND period = ?2 AND options = ?3)",
        params![kind, period, options],
        |r| r.get(0),
    )
    .ctx("reading frozen reports")
}

/// A report model to keep: (report kind, scope, options, JSON).
#[derive(Debug, Clone)]
pub struct FrozenModel {
    pub report_kind: String,
    pub scope: String,
    pub options: String,
    pub json: String,
}

/// What [`freeze`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreezeOutcome {
    /// the period's rows and the models were stored
    Frozen,
    /// another report froze the period first; nothing was stored
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

/// Freezes a closed period: its rollup rows (as read from `rollup_live`) and the report
/// models built from them, in one transaction. Opens a write connection of its own; never
/// migrates. The models are taken one at a time (a period's models together can be large);
/// the first error among them stores nothing.
pub fn freeze(
    path: &Path,
    kind: &str,
    period: &str,
    at: i64,
    rows: &[RollupRow],
    models: impl IntoIterator<Item = Result<FrozenModel, StoreError>>,
) -> Result<FreezeOutcome, StoreError> {
    let mut conn = open_for_freezing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(map_busy(path, "starting to freeze a period"))?;
    let won = tx
        .execute(
            "INSERT OR IGNORE INTO frozen_periods (kind, period, frozen_at) VALUES (?1, ?2, ?3)",
            params![kind, period, at],
        )
        .map_err(map_busy(path, "freezing a period"))?;
    if won == 0 {
        return Ok(FreezeOutcome::AlreadyFrozen);
    }
    {
        let mut ins = tx
            .prepare(&format!("INSERT OR IGNORE INTO rollup_frozen ({ROLLUP_COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21)"))
            .ctx("preparing to freeze rollup rows")?;
        for r in rows.iter().filter(|r| r.kind == kind && r.period == period) {
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
        insert_models(&tx, path, period, at, models)?;
    }
    tx.commit().map_err(map_busy(path, "committing a frozen period"))?;
    Ok(FreezeOutcome::Frozen)
}

fn insert_models(
    tx: &rusqlite::Transaction,
    path: &Path,
    period: &str,
    at: i64,
    models: impl IntoIterator<Item = Result<FrozenModel, StoreError>>,
) -> Result<usize, StoreError> {
    let mut ins = tx
        .prepare("INSERT OR IGNORE INTO report_frozen (kind, period, scope, options, frozen_at, model) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .ctx("preparing to freeze reports")?;
    let mut n = 0;
    for m in models {
        let m = m?;
        n += ins
            .execute(params![m.report_kind, period, m.scope, m.options, at, m.json])
            .map_err(map_busy(path, "freezing a report"))?;
    }
    Ok(n)
}

/// Keeps one more report model of an already frozen period. Returns false when an equal key
/// was stored first (read that one instead).
pub fn freeze_model(path: &Path, period: &str, at: i64, model: FrozenModel) -> Result<bool, StoreError> {
    let mut conn = open_for_freezing(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(map_busy(path, "starting to freeze a report"))?;
    let n = insert_models(&tx, path, period, at, [Ok(model)])?;
    tx.commit().map_err(map_busy(path, "committing a frozen report"))?;
    Ok(n == 1)
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

//! Audit runs and the findings lifecycle (闭环整改).
//!
//! A finding is identified by (case, rule, subject). The audit reconciles what the checks
//! said about a case with what is stored, in the same transaction that stamps the case as
//! audited: new → `open`; seen again → kept (a rectified one is reopened, an expired waiver
//! stops suppressing); no longer seen by a check that ran → `resolved`; seen after being
//! resolved → reopened with its recurrence counted. Every status change is an event with
//! who, when and why. An identical rerun writes nothing to the findings.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::{map_busy, now, Context, Store, StoreError};
use crate::engine::run::{CaseOutcome, Finding};

/// Lifecycle states.
pub const STATUSES: &[&str] = &["open", "pushed", "rectified", "waived", "resolved"];

/// What one run changed.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub new: u64,
    pub still_open: u64,
    pub resolved: u64,
    pub reopened: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.new += o.new;
        self.still_open += o.still_open;
        self.resolved += o.resolved;
        self.reopened += o.reopened;
    }
}

/// Catalog facts snapshotted on a finding.
#[derive(Debug, Clone)]
pub struct CategoryInfo {
    pub group: String,
    pub severity: String,
    pub points: i64,
}

/// Everything the reconciliation needs to know about the run.
pub struct RunCtx<'a> {
    pub run_id: i64,
    pub as_of: i64,
    pub categories: &'a HashMap<String, CategoryInfo>,
    pub preview_rules: &'a std::collections::HashSet<String>,
    /// the selection covers every rule, so the case's audit stamp may be written
    pub complete: bool,
    pub rules_hash: &'a str,
}

/// One audited case, ready to be written.
pub struct Audited<'a> {
    pub case_id: &'a str,
    pub content_hash: &'a str,
    pub outcome: &'a CaseOutcome,
    /// rule id → position in the rule set, to ask the outcome whether a rule settled
    pub rule_index: &'a HashMap<String, usize>,
}

pub struct NewRun<'a> {
    pub as_of: i64,
    pub full: bool,
    pub selection: Option<&'a str>,
    pub rules_hash: &'a str,
    pub rule_versions: &'a str,
    /// which rule set: `built-in (xuncha 0.1.0)` or `directory …`
    pub rules_source: &'a str,
}

pub fn begin_run(store: &mut Store, r: &NewRun) -> Result<i64, StoreError> {
    let tx = store.write_tx()?;
    tx.execute(
        "INSERT INTO audit_runs (started_at, as_of, full, selection, rules_hash, rule_versions, rules_source) VALUES (?1,?2,?3,?4,?5,?6,?7)",
        params![now(), r.as_of, r.full, r.selection, r.rules_hash, r.rule_versions, r.rules_source],
    )
    .ctx("recording the audit run")?;
    let id = tx.last_insert_rowid();
    tx.commit().map_err(map_busy(&store.path, "committing the audit run"))?;
    Ok(id)
}

pub fn finish_run(
    store: &mut Store,
    run: i64,
    audited: u64,
    skipped: u64,
    c: Counts,
    errors: u64,
    clear_dirty: bool,
) -> Result<(), StoreError> {
    let tx = store.write_tx()?;
    tx.execute(
        "UPDATE audit_runs SET finished_at = ?1, audited = ?2, skipped = ?3, new = ?4, resolved = ?5, reopened = ?6, rule_errors = ?7 WHERE id = ?8",
        params![now(), audited, skipped, c.new, c.resolved, c.reopened, errors, run],
    )
    .ctx("finishing the audit run")?;
    if clear_dirty {
        tx.execute("DELETE FROM dirty_keys", []).ctx("clearing cross-case keys")?;
    }
    tx.commit().map_err(map_busy(&store.path, "committing the audit run"))
}

#[allow(clippy::too_many_arguments)] // one row of finding_events, column by column
fn event(
    tx: &Connection,
    id: i64,
    at: i64,
    run: Option<i64>,
    from: Option<&str>,
    to: &str,
    by: &str,
    note: Option<&str>,
) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT INTO finding_events (finding_id, at, run_id, from_status, to_status, by, note) VALUES (?1,?2,?3,?4,?5,?6,?7)")
        .ctx("preparing an event")?
        .execute(params![id, at, run, from, to, by, note])
        .ctx("recording a finding event")?;
    Ok(())
}

fn set_officers(tx: &Connection, id: i64, officers: &[String]) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM finding_officers WHERE finding_id = ?1")
        .ctx("preparing")?
        .execute([id])
        .ctx("updating officers")?;
    let mut ins = tx
        .prepare_cached("INSERT OR IGNORE INTO finding_officers (finding_id, officer_id) VALUES (?1, ?2)")
        .ctx("preparing")?;
    for o in officers {
        ins.execute(params![id, o]).ctx("updating officers")?;
    }
    Ok(())
}

struct Existing {
    id: i64,
    status: String,
    waived_until: Option<i64>,
    level: String,
    message: String,
    verify: Option<String>,
    evidence: String,
    officer_ids: String,
    rule_version: String,
    last_seen: i64,
}

/// Writes a batch of audited cases in one transaction: findings reconciled, running
/// deadlines replaced, rule errors recorded, cases stamped.
pub fn write_audited(store: &mut Store, run: &RunCtx, batch: &[Audited]) -> Result<Counts, StoreError> {
    let path = store.path.clone();
    let tx = store.write_tx()?;
    let counts = write_audited_in(&tx, run, batch)?;
    tx.commit().map_err(map_busy(&path, "committing audit results"))?;
    Ok(counts)
}

/// A rule error as `rule_errors` keeps it: (rule id, message, position).
pub type StoredError = (String, String, String);

/// Takes back what run `run_id` wrote for cases it checked against part of the cross-case
/// index (`audit FILE` into an empty store, see `audit::overlap`): their findings first seen
/// in the run, with their events, officers and versions, their running deadlines, the run's
/// rule errors on them, and the stamps that said they were audited. The run checks them again
/// at its end. Returns the cases the run had stamped, the findings removed, and the rule errors
/// removed as (rule id, message, position).
pub fn forget_checked(
    tx: &Connection,
    run_id: i64,
    case_ids: &[String],
) -> Result<(u64, u64, Vec<StoredError>), StoreError> {
    let (mut cases, mut found, mut errors) = (0, 0, Vec::new());
    for id in case_ids {
        for table in ["finding_events", "finding_officers", "finding_versions"] {
            tx.prepare_cached(&format!(
                "DELETE FROM {table} WHERE finding_id IN (SELECT id FROM findings WHERE case_id = ?1 AND first_run = ?2)"
            ))
            .ctx("preparing")?
            .execute(params![id, run_id])
            .ctx("taking back findings")?;
        }
        found += tx
            .prepare_cached("DELETE FROM findings WHERE case_id = ?1 AND first_run = ?2")
            .ctx("preparing")?
            .execute(params![id, run_id])
            .ctx("taking back findings")? as u64;
        tx.prepare_cached("DELETE FROM due WHERE case_id = ?1")
            .ctx("preparing")?
            .execute([id])
            .ctx("taking back running deadlines")?;
        let mut stmt = tx
            .prepare_cached(
                "DELETE FROM rule_errors WHERE case_id = ?1 AND run_id = ?2 RETURNING rule_id, message, position",
            )
            .ctx("preparing")?;
        let rows = stmt
            .query_map(params![id, run_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .ctx("taking back rule errors")?;
        for row in rows {
            errors.push(row.ctx("taking back rule errors")?);
        }
        cases += tx
            .prepare_cached(
                "UPDATE cases SET audited_hash = NULL, audited_rules = NULL, audited_as_of = NULL, audited_run = NULL,
                        next_change = NULL
                 WHERE case_id = ?1 AND audited_run = ?2",
            )
            .ctx("preparing")?
            .execute(params![id, run_id])
            .ctx("taking back an audit stamp")? as u64;
    }
    Ok((cases, found, errors))
}

/// [`write_audited`] inside the caller's open transaction (`audit FILE` writes a batch's
/// cases and their findings in one).
pub fn write_audited_in(tx: &Connection, run: &RunCtx, batch: &[Audited]) -> Result<Counts, StoreError> {
    let mut counts = Counts::default();
    for a in batch {
        counts += reconcile(tx, run, a)?;
        super::due::replace(tx, run, a)?;
        let mut err = tx
            .prepare_cached(
                "INSERT INTO rule_errors (run_id, rule_id, case_id, message, position) VALUES (?1,?2,?3,?4,?5)",
            )
            .ctx("preparing")?;
        for e in &a.outcome.errors {
            err.execute(params![run.run_id, e.rule_id, e.case_id, e.message, e.position()])
                .ctx("recording a rule error")?;
        }
        if run.complete {
            tx.prepare_cached("UPDATE cases SET audited_hash = ?2, audited_rules = ?3, audited_as_of = ?4, audited_run = ?5, next_change = ?6 WHERE case_id = ?1")
                .ctx("preparing")?
                .execute(params![
                    a.case_id,
                    a.content_hash,
                    // a case with a failed rule is audited again next time
                    if a.outcome.errors.is_empty() { run.rules_hash } else { "" },
                    run.as_of,
                    run.run_id,
                    a.outcome.next_change
                ])
                .ctx("stamping an audited case")?;
        }
    }
    Ok(counts)
}

fn reconcile(tx: &Connection, run: &RunCtx, a: &Audited) -> Result<Counts, StoreError> {
    let mut c = Counts::default();
    let mut existing: HashMap<(String, String), Existing> = HashMap::new();
    {
        let mut q = tx
            .prepare_cached(
                "SELECT id, rule_id, subject, status, waived_until, message, evidence, officer_ids, rule_version, last_seen,
                        level, verify
                 FROM findings WHERE case_id = ?1",
            )
            .ctx("preparing")?;
        let rows = q
            .query_map([a.case_id], |r| {
                Ok((
                    (r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                    Existing {
                        id: r.get(0)?,
                        status: r.get(3)?,
                        waived_until: r.get(4)?,
                        message: r.get(5)?,
                        evidence: r.get(6)?,
                        officer_ids: r.get(7)?,
                        rule_version: r.get(8)?,
                        last_seen: r.get(9)?,
                        level: r.get(10)?,
                        verify: r.get(11)?,
                    },
                ))
            })
            .ctx("reading a case's findings")?;
        for row in rows {
            let (k, v) = row.ctx("reading a finding")?;
            existing.insert(k, v);
        }
    }
    let mut seen = std::collections::HashSet::new();
    for f in &a.outcome.findings {
        let key = (f.rule_id.clone(), f.subject.clone());
        if !seen.insert(key.clone()) {
            continue; // a check reported the same subject twice
        }
        let evidence = serde_json::to_string(&f.evidence).unwrap_or_default();
        let officers = serde_json::to_string(&f.officer_ids).unwrap_or_default();
        match existing.get(&key) {
            None => {
                insert(tx, run, f, &evidence, &officers)?;
                c.new += 1;
            }
            Some(e) => {
                let (to, note): (Option<&str>, Option<&str>) = match e.status.as_str() {
                    "rectified" => (Some("open"), Some("the audit still sees the error after rectification")),
                    "resolved" => (Some("open"), Some("the error recurred")),
                    "waived" if e.waived_until.is_some_and(|u| u < run.as_of) => {
                        (Some("open"), Some("the waiver expired"))
                    }
                    _ => (None, None),
                };
                let changed = e.message != f.message
                    || e.level != f.level.as_str()
                    || e.verify != f.verify
                    || e.evidence != evidence
                    || e.officer_ids != officers
                    || e.rule_version != f.rule_version;
                if let Some(to) = to {
                    let recur = i64::from(e.status == "resolved" || e.status == "rectified");
                    tx.prepare_cached(
                        "UPDATE findings SET status = ?2, recurrences = recurrences + ?3, resolved_at = NULL, resolved_run = NULL,
                           waived_until = CASE WHEN ?2 = 'open' AND status = 'waived' THEN NULL ELSE waived_until END
                         WHERE id = ?1",
                    )
                    .ctx("preparing")?
                    .execute(params![e.id, to, recur])
                    .ctx("reopening a finding")?;
                    event(tx, e.id, run.as_of, Some(run.run_id), Some(&e.status), to, "audit", note)?;
                    if e.status == "waived" {
                        c.still_open += 1;
                    } else {
                        c.reopened += 1;
                    }
                } else {
                    c.still_open += 1;
                }
                if changed || to.is_some() || e.last_seen != run.as_of {
                    tx.prepare_cached(
                        "UPDATE findings SET message = ?2, evidence = ?3, officer_ids = ?4, rule_version = ?5, last_run = ?6, last_seen = ?7,
                           level = ?8, verify = ?9
                         WHERE id = ?1",
                    )
                    .ctx("preparing")?
                    .execute(params![
                        e.id,
                        f.message,
                        evidence,
                        officers,
                        f.rule_version,
                        run.run_id,
                        run.as_of,
                        f.level.as_str(),
                        f.verify
                    ])
                    .ctx("updating a finding")?;
                }
                if e.officer_ids != officers {
                    set_officers(tx, e.id, &f.officer_ids)?;
                }
            }
        }
    }
    for ((rule, subject), e) in &existing {
        if seen.contains(&(rule.clone(), subject.clone()))
            || e.status == "resolved"
            || !a.rule_index.get(rule).is_some_and(|&i| a.outcome.settled(i, rule))
        {
            continue;
        }
        tx.prepare_cached("UPDATE findings SET status = 'resolved', resolved_at = ?2, resolved_run = ?3 WHERE id = ?1")
            .ctx("preparing")?
            .execute(params![e.id, run.as_of, run.run_id])
            .ctx("resolving a finding")?;
        event(
            tx,
            e.id,
            run.as_of,
            Some(run.run_id),
            Some(&e.status),
            "resolved",
            "audit",
            Some("the check no longer finds the error"),
        )?;
        c.resolved += 1;
    }
    Ok(c)
}

fn insert(tx: &Connection, run: &RunCtx, f: &Finding, evidence: &str, officers: &str) -> Result<(), StoreError> {
    let info = run.categories.get(&f.category);
    tx.prepare_cached(
        "INSERT INTO findings (case_id, rule_id, subject, category, group_code, severity, points, preview, status, message, evidence,
                               officer_ids, unit_id, rule_version, rule_hash, first_run, last_run, first_seen, last_seen, level, verify)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,'open',?9,?10,?11,?12,?13,?14,?15,?15,?16,?16,?17,?18)",
    )
    .ctx("preparing")?
    .execute(params![
        f.case_id,
        f.rule_id,
        f.subject,
        f.category,
        info.map_or("", |i| i.group.as_str()),
        info.map_or("medium", |i| i.severity.as_str()),
        info.map_or(0, |i| i.points),
        run.preview_rules.contains(&f.rule_id),
        f.message,
        evidence,
        officers,
        f.unit_id,
        f.rule_version,
        f.rule_version.split('@').nth(1).unwrap_or(""),
        run.run_id,
        run.as_of,
        f.level.as_str(),
        f.verify
    ])
    .ctx("storing a finding")?;
    let id = tx.last_insert_rowid();
    set_officers(tx, id, &f.officer_ids)?;
    event(tx, id, run.as_of, Some(run.run_id), None, "open", "audit", None)?;
    Ok(())
}

/// A stored finding, as `findings` and `finding show` print it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct StoredFinding {
    pub id: i64,
    pub case_id: String,
    pub rule: String,
    pub category: String,
    pub group: String,
    pub subject: String,
    /// `violation` (counted) or `review` (待核查: listed with what to verify, not counted)
    pub level: String,
    pub status: String,
    pub officer_ids: Vec<String>,
    pub unit_id: String,
    pub first_seen: String,
    pub last_seen: String,
    pub message: String,
    /// what to verify, for a review finding
    pub verify: Option<String>,
    pub evidence: serde_json::Value,
    pub rule_version: String,
    pub points: i64,
    pub recurrences: i64,
    pub waived_until: Option<String>,
    pub preview: bool,
}

/// Filters for `xuncha findings`.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub officer: Option<String>,
    pub unit: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    /// `violation` or `review`
    pub level: Option<String>,
    pub case: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub ids: Option<Vec<i64>>,
}

pub(super) const FINDING_COLUMNS: &str = "f.id, f.case_id, f.rule_id, f.category, f.group_code, f.subject, f.status, f.officer_ids, f.unit_id,
    f.first_seen, f.last_seen, f.message, f.evidence, f.rule_version, f.points, f.recurrences, f.waived_until, f.preview,
    f.level, f.verify";

pub(super) fn row_to_finding(r: &rusqlite::Row) -> rusqlite::Result<StoredFinding> {
    let ts = |v: i64| crate::model::Ts(v).rfc3339();
    Ok(StoredFinding {
        id: r.get(0)?,
        case_id: r.get(1)?,
        rule: r.get(2)?,
        category: r.get(3)?,
        group: r.get(4)?,
        subject: r.get(5)?,
        status: r.get(6)?,
        officer_ids: serde_json::from_str(&r.get::<_, String>(7)?).unwrap_or_default(),
        unit_id: r.get(8)?,
        first_seen: ts(r.get(9)?),
        last_seen: ts(r.get(10)?),
        message: r.get(11)?,
        evidence: serde_json::from_str(&r.get::<_, String>(12)?).unwrap_or(serde_json::Value::Null),
        rule_version: r.get(13)?,
        points: r.get(14)?,
        recurrences: r.get(15)?,
        waived_until: r.get::<_, Option<i64>>(16)?.map(ts),
        preview: r.get(17)?,
        level: r.get(18)?,
        verify: r.get(19)?,
    })
}

pub fn list(store: &Store, f: &Filter) -> Result<Vec<StoredFinding>, StoreError> {
    // each condition uses `?` for its one parameter; numbered in order below
    let mut conds: Vec<(&str, Box<dyn rusqlite::ToSql>)> = Vec::new();
    if let Some(o) = &f.officer {
        conds.push(("f.id IN (SELECT finding_id FROM finding_officers WHERE officer_id = ?)", Box::new(o.clone())));
    }
    if let Some(u) = &f.unit {
        conds.push(("f.unit_id = ?", Box::new(u.clone())));
    }
    if let Some(c) = &f.category {
        conds.push(("? IN (f.category, f.group_code)", Box::new(c.clone())));
    }
    if let Some(s) = &f.status {
        conds.push(("f.status = ?", Box::new(s.clone())));
    }
    if let Some(l) = &f.level {
        conds.push(("f.level = ?", Box::new(l.clone())));
    }
    if let Some(c) = &f.case {
        conds.push(("f.case_id = ?", Box::new(c.clone())));
    }
    if let Some(s) = f.since {
        conds.push(("f.first_seen >= ?", Box::new(s)));
    }
    if let Some(u) = f.until {
        conds.push(("f.first_seen <= ?", Box::new(u)));
    }
    let mut sql = format!("SELECT {FINDING_COLUMNS} FROM findings f WHERE 1=1");
    for (n, (cond, _)) in conds.iter().enumerate() {
        sql.push_str(" AND ");
        sql.push_str(&cond.replace('?', &format!("?{}", n + 1)));
    }
    if let Some(ids) = &f.ids {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        sql.push_str(&format!(" AND f.id IN ({})", list.join(",")));
    }
    sql.push_str(" ORDER BY f.case_id, f.rule_id, f.subject");
    let mut stmt = store.conn.prepare(&sql).ctx("preparing the findings query")?;
    let params: Vec<&dyn rusqlite::ToSql> = conds.iter().map(|(_, b)| b.as_ref()).collect();
    let rows = stmt.query_map(params.as_slice(), row_to_finding).ctx("listing findings")?;
    rows.collect::<Result<Vec<_>, _>>().ctx("reading findings")
}

pub fn get(store: &Store, id: i64) -> Result<Option<StoredFinding>, StoreError> {
    store
        .conn
        .query_row(&format!("SELECT {FINDING_COLUMNS} FROM findings f WHERE f.id = ?1"), [id], row_to_finding)
        .optional()
        .ctx("reading a finding")
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Event {
    pub at: String,
    pub run_id: Option<i64>,
    pub from: Option<String>,
    pub to: String,
    pub by: String,
    pub note: Option<String>,
}

pub fn events(store: &Store, id: i64) -> Result<Vec<Event>, StoreError> {
    let mut stmt = store
        .conn
        .prepare(
            "SELECT at, run_id, from_status, to_status, by, note FROM finding_events WHERE finding_id = ?1 ORDER BY id",
        )
        .ctx("preparing")?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(Event {
                at: crate::model::Ts(r.get(0)?).rfc3339(),
                run_id: r.get(1)?,
                from: r.get(2)?,
                to: r.get(3)?,
                by: r.get(4)?,
                note: r.get(5)?,
            })
        })
        .ctx("reading events")?;
    rows.collect::<Result<Vec<_>, _>>().ctx("reading events")
}

/// A person's action on a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Rectify,
    Waive { until: Option<i64> },
    Reopen,
    Push,
}

/// Applies a person's action; returns the new status. Refuses transitions that make no sense.
pub fn act(
    store: &mut Store,
    id: i64,
    action: Action,
    by: &str,
    note: Option<&str>,
    at: i64,
) -> Result<String, StoreError> {
    let path = store.path.clone();
    let tx = store.write_tx()?;
    let status: Option<String> = tx
        .query_row("SELECT status FROM findings WHERE id = ?1", [id], |r| r.get(0))
        .optional()
        .ctx("reading a finding")?;
    let Some(status) = status else {
        return Err(StoreError::Usage(format!("there is no finding {id}\n  help: `xuncha findings` lists them")));
    };
    let (to, allowed): (&str, &[&str]) = match action {
        Action::Rectify => ("rectified", &["open", "pushed"]),
        Action::Waive { .. } => ("waived", &["open", "pushed", "rectified"]),
        Action::Reopen => ("open", &["rectified", "waived", "resolved"]),
        Action::Push => ("pushed", &["open"]),
    };
    if !allowed.contains(&status.as_str()) {
        return Err(StoreError::Usage(format!(
            "finding {id} is `{status}`; it cannot become `{to}` (allowed from: {})",
            allowed.join(", ")
        )));
    }
    match action {
        Action::Rectify => tx.execute("UPDATE findings SET status = 'rectified', rectified_at = ?2 WHERE id = ?1", params![id, at]),
        Action::Waive { until } => tx.execute("UPDATE findings SET status = 'waived', waived_until = ?2 WHERE id = ?1", params![id, until]),
        Action::Reopen => tx.execute(
            "UPDATE findings SET status = 'open', waived_until = NULL, resolved_at = NULL, resolved_run = NULL WHERE id = ?1",
            params![id],
        ),
        Action::Push => tx.execute("UPDATE findings SET status = 'pushed', pushed_at = ?2 WHERE id = ?1", params![id, at]),
    }
    .ctx("changing a finding's status")?;
    event(&tx, id, at, None, Some(&status), to, by, note)?;
    tx.commit().map_err(map_busy(&path, "committing a status change"))?;
    Ok(to.to_owned())
}

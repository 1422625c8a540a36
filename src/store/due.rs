//! Running deadlines (预警, issue #17): the `due` table (migration 0009) and its readers.
//!
//! The audit replaces a case's rows in the transaction that writes its findings
//! ([`replace`], from [`super::findings::write_audited`]), so the rows always agree with the
//! findings: a row is never also a finding, and once its deadline passes with nothing
//! changed the next audit finds its (case, rule, subject). [`list`] reads them for
//! `xuncha due`, the daily report's 即将到期 and an officer's list.

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use super::findings::{Audited, RunCtx};
use super::{Context, StoreError};
use crate::model::Ts;

/// Writes the running deadlines of one audited case: the rows of the rules that ran (or
/// could not apply) are replaced by what they found now; rows of rules that were not
/// selected or failed on the case are kept.
pub(crate) fn replace(tx: &Connection, run: &RunCtx, a: &Audited) -> Result<(), StoreError> {
    let stale: Vec<(String, String)> = {
        let mut q = tx.prepare_cached("SELECT rule_id, subject FROM due WHERE case_id = ?1").ctx("preparing")?;
        let rows = q
            .query_map([a.case_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .ctx("reading a case's running deadlines")?;
        let mut v = Vec::new();
        for row in rows {
            let (rule, subject) = row.ctx("reading a running deadline")?;
            if a.rule_index.get(&rule).is_some_and(|&i| a.outcome.settled(i, &rule)) {
                v.push((rule, subject));
            }
        }
        v
    };
    if !stale.is_empty() {
        let mut del = tx
            .prepare_cached("DELETE FROM due WHERE case_id = ?1 AND rule_id = ?2 AND subject = ?3")
            .ctx("preparing")?;
        for (rule, subject) in &stale {
            del.execute(params![a.case_id, rule, subject]).ctx("removing a running deadline")?;
        }
    }
    if a.outcome.pending.is_empty() {
        return Ok(());
    }
    let mut ins = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO due (case_id, rule_id, subject, category, level, preview, deadline, message, statutory,
                                         presumed, officer_ids, unit_id, finding, as_of, run_id)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
        )
        .ctx("preparing")?;
    for p in &a.outcome.pending {
        let f = &p.finding;
        ins.execute(params![
            f.case_id,
            f.rule_id,
            f.subject,
            f.category,
            f.level.as_str(),
            run.preview_rules.contains(&f.rule_id),
            p.deadline,
            p.message,
            p.statutory,
            p.presumed,
            serde_json::to_string(&f.officer_ids).unwrap_or_default(),
            f.unit_id,
            f.message,
            run.as_of,
            run.run_id
        ])
        .ctx("storing a running deadline")?;
    }
    Ok(())
}

/// A running deadline as `xuncha due --format json` prints it (the keys are a contract);
/// the fields without a key are for the other readers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Due {
    pub case_id: String,
    pub rule: String,
    pub category: String,
    pub subject: String,
    /// the last instant the act is in time, RFC 3339 with offset
    pub deadline: String,
    /// the officers the finding will name: the case's lead, the officers on the subject
    pub officer_ids: Vec<String>,
    pub unit_id: String,
    /// "须于 2026-07-02 14:30 前通知被拘留人家属"
    pub message: String,
    /// set by law; `false` for a limit of local practice or one not verified in its text
    pub statutory: bool,
    /// `deadline` in epoch seconds
    #[serde(skip)]
    pub at: i64,
    /// the level the finding will have: `violation` or `review`
    #[serde(skip)]
    pub level: String,
    /// from a preview check
    #[serde(skip)]
    pub preview: bool,
    /// a year the holiday calendar lacks was presumed (the message says so)
    #[serde(skip)]
    pub presumed: bool,
    /// what the audit after the deadline will find
    #[serde(skip)]
    pub finding: String,
    /// the audit date the deadline was found on
    #[serde(skip)]
    pub as_of: i64,
}

/// Which running deadlines to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// deadlines from this instant on (still in time then), inclusive
    pub from: i64,
    /// up to this instant, inclusive
    pub until: i64,
    pub officer: Option<String>,
    pub unit: Option<String>,
    pub case: Option<String>,
}

/// The running deadlines in `[from, until]`, soonest first.
pub fn list(conn: &Connection, f: &Filter) -> Result<Vec<Due>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT case_id, rule_id, category, subject, deadline, officer_ids, unit_id, message, statutory, level,
                    preview, presumed, finding, as_of
             FROM due
             WHERE deadline BETWEEN ?1 AND ?2
               AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(officer_ids) o WHERE o.value = ?3))
               AND (?4 IS NULL OR unit_id = ?4)
               AND (?5 IS NULL OR case_id = ?5)
             ORDER BY deadline, case_id, rule_id, subject",
        )
        .ctx("preparing the running deadlines query")?;
    let rows = stmt
        .query_map(params![f.from, f.until, f.officer, f.unit, f.case], |r| {
            let at: i64 = r.get(4)?;
            Ok(Due {
                case_id: r.get(0)?,
                rule: r.get(1)?,
                category: r.get(2)?,
                subject: r.get(3)?,
                deadline: Ts(at).rfc3339(),
                officer_ids: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
                unit_id: r.get(6)?,
                message: r.get(7)?,
                statutory: r.get(8)?,
                at,
                level: r.get(9)?,
                preview: r.get(10)?,
                presumed: r.get(11)?,
                finding: r.get(12)?,
                as_of: r.get(13)?,
            })
        })
        .ctx("listing running deadlines")?;
    rows.collect::<Result<Vec<_>, _>>().ctx("reading running deadlines")
}

/// Deadlines stored as running that have passed by `at`: the next audit will report them.
pub fn passed(conn: &Connection, at: i64) -> Result<u64, StoreError> {
    conn.query_row("SELECT count(*) FROM due WHERE deadline < ?1", [at], |r| r.get(0)).ctx("counting passed deadlines")
}

/// The audit date of the latest audit that checked every rule (`None` before the first):
/// the stored deadlines cover [`crate::engine::run::DUE_HORIZON`] after it.
pub fn covered_from(conn: &Connection) -> Result<Option<i64>, StoreError> {
    conn.query_row("SELECT max(as_of) FROM audit_runs WHERE finished_at IS NOT NULL AND selection IS NULL", [], |r| {
        r.get(0)
    })
    .ctx("reading the latest audit")
}

//! Cases, import runs, rejects and the cross-case index tables.

use rusqlite::{params, OptionalExtension};

use super::{map_busy, now, Context, Store, StoreError};
use crate::engine::index::Entries;
use crate::import::{ImportSummary, Parsed, Reject};
use crate::model::{Case, OfficerRole};

pub fn begin_import(store: &mut Store, files: &[String]) -> Result<i64, StoreError> {
    let tx = store.write_tx()?;
    let files = serde_json::to_string(files).unwrap_or_default();
    tx.execute("INSERT INTO import_runs (started_at, files) VALUES (?1, ?2)", params![now(), files])
        .ctx("recording the import run")?;
    let id = tx.last_insert_rowid();
    tx.commit().map_err(map_busy(&store.path, "committing the import run"))?;
    Ok(id)
}

pub fn finish_import(store: &mut Store, s: &ImportSummary) -> Result<(), StoreError> {
    let tx = store.write_tx()?;
    tx.execute(
        "UPDATE import_runs SET finished_at = ?1, new = ?2, changed = ?3, unchanged = ?4, rejected = ?5 WHERE id = ?6",
        params![now(), s.new, s.changed, s.unchanged, s.rejected, s.run_id],
    )
    .ctx("finishing the import run")?;
    tx.commit().map_err(map_busy(&store.path, "committing the import run"))
}

/// Officer ids of a case, lead officers first.
pub fn officer_ids(case: &Case) -> Vec<String> {
    let mut ids: Vec<(bool, &str)> =
        case.officers.iter().map(|o| (o.role != Some(OfficerRole::Lead), o.id.as_str())).collect();
    ids.sort_by_key(|(not_lead, _)| *not_lead);
    ids.into_iter().map(|(_, id)| id.to_owned()).collect()
}

/// A case's rows in the cross-case index tables, sorted, to tell whether a changed case
/// changed what other cases see of it.
#[derive(Debug, Default, PartialEq, Eq)]
struct IndexRows {
    /// (record, officer, person key, start, end)
    sessions: Vec<(String, String, Option<String>, i64, i64)>,
    /// (record, person key, what, at)
    persons: Vec<(String, String, String, i64)>,
}

impl IndexRows {
    fn of(c: &Case) -> IndexRows {
        let e = Entries::of(c);
        let mut rows = IndexRows {
            sessions: e.sessions.into_iter().map(|(o, k, s)| (s.record_id, o, k, s.started_at, s.ended_at)).collect(),
            persons: e.persons.into_iter().map(|(k, r)| (r.record_id, k, r.what, r.at)).collect(),
        };
        rows.sessions.sort();
        rows.persons.sort();
        rows
    }

    fn is_empty(&self) -> bool {
        self.sessions.is_empty() && self.persons.is_empty()
    }
}

/// Writes one batch in one transaction; returns (new, changed, unchanged).
///
/// A changed case's index rows are rewritten, and the officers and persons on them marked
/// for the audit to re-check their other cases, only when the rows differ from the stored
/// ones: most changes (a document added, the case closed) leave them as they were.
pub fn write_batch(
    store: &mut Store,
    run: i64,
    good: &[Parsed],
    rejects: &[Reject],
) -> Result<(u64, u64, u64), StoreError> {
    let path = store.path.clone();
    let tx = store.write_tx()?;
    let (mut new, mut changed, mut unchanged) = (0, 0, 0);
    {
        let mut get =
            tx.prepare_cached("SELECT content_hash FROM cases WHERE case_id = ?1").ctx("preparing the case lookup")?;
        let mut touch = tx
            .prepare_cached("UPDATE cases SET last_import = ?2 WHERE case_id = ?1")
            .ctx("preparing the case touch")?;
        let mut upsert = tx
            .prepare_cached(
                "INSERT INTO cases (case_id, kind, unit_id, unit_name, officer_ids, lead_officer, is_open, accepted_at, closed_at,
                                    content_hash, first_import, last_import, last_change)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?11)
                 ON CONFLICT (case_id) DO UPDATE SET kind = excluded.kind, unit_id = excluded.unit_id,
                    unit_name = excluded.unit_name, officer_ids = excluded.officer_ids, lead_officer = excluded.lead_officer,
                    is_open = excluded.is_open, accepted_at = excluded.accepted_at, closed_at = excluded.closed_at,
                    content_hash = excluded.content_hash, last_import = excluded.last_import,
                    last_change = excluded.last_change",
            )
            .ctx("preparing the case upsert")?;
        let mut put_raw = tx
            .prepare_cached("INSERT OR REPLACE INTO case_raw (case_id, raw) VALUES (?1, ?2)")
            .ctx("preparing the case upsert")?;
        let mut dirty_old = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO dirty_keys (key, from_at, to_at)
                 SELECT 'o:' || officer_id, started_at, ended_at FROM xsessions WHERE case_id = ?1
                 UNION SELECT 'p:' || person_key, -9223372036854775808, 9223372036854775807 FROM xpersons WHERE case_id = ?1
                 UNION SELECT 'p:' || person_key, -9223372036854775808, 9223372036854775807 FROM xsessions
                       WHERE case_id = ?1 AND person_key IS NOT NULL",
            )
            .ctx("preparing the index")?;
        let mut dirty = tx
            .prepare_cached("INSERT OR IGNORE INTO dirty_keys (key, from_at, to_at) VALUES (?1, ?2, ?3)")
            .ctx("preparing the index")?;
        let mut old_s = tx
            .prepare_cached(
                "SELECT record_id, officer_id, person_key, started_at, ended_at FROM xsessions WHERE case_id = ?1",
            )
            .ctx("preparing the index")?;
        let mut old_p = tx
            .prepare_cached("SELECT record_id, person_key, what, at FROM xpersons WHERE case_id = ?1")
            .ctx("preparing the index")?;
        let mut del_s = tx.prepare_cached("DELETE FROM xsessions WHERE case_id = ?1").ctx("preparing the index")?;
        let mut del_p = tx.prepare_cached("DELETE FROM xpersons WHERE case_id = ?1").ctx("preparing the index")?;
        let mut ins_s = tx
            .prepare_cached("INSERT INTO xsessions (case_id, record_id, officer_id, person_key, started_at, ended_at) VALUES (?1,?2,?3,?4,?5,?6)")
            .ctx("preparing the index")?;
        let mut ins_p = tx
            .prepare_cached("INSERT INTO xpersons (case_id, record_id, person_key, what, at) VALUES (?1,?2,?3,?4,?5)")
            .ctx("preparing the index")?;
        let mut longest = 0i64;
        // the officers of new and changed cases, in import order, for the officers table
        let mut named: Vec<super::officers::CaseOfficer> = Vec::new();
        for p in good {
            let c = &p.case;
            let old: Option<String> = get.query_row([&c.case_id], |r| r.get(0)).optional().ctx("looking up a case")?;
            match old {
                Some(h) if h == p.hash => {
                    touch.execute(params![c.case_id, run]).ctx("touching a case")?;
                    unchanged += 1;
                    continue;
                }
                Some(_) => changed += 1,
                None => new += 1,
            }
            let stored_before = old.is_some();
            named.extend(
                c.officers.iter().map(|o| (o.id.as_str(), o.name.as_deref(), c.unit_id.as_str(), c.case_id.as_str())),
            );
            let officers = officer_ids(c);
            upsert
                .execute(params![
                    c.case_id,
                    c.kind.as_str(),
                    c.unit_id,
                    c.unit_name,
                    serde_json::to_string(&officers).unwrap_or_default(),
                    officers.first(),
                    c.closure.is_none(),
                    c.accepted_at.map(|t| t.0),
                    c.closure.as_ref().and_then(|x| x.closed_at).map(|t| t.0),
                    p.hash,
                    run
                ])
                .ctx("storing a case")?;
            put_raw.execute(params![c.case_id, p.raw]).ctx("storing a case")?;
            let rows = IndexRows::of(c);
            let stored = if stored_before {
                let mut was = IndexRows {
                    sessions: old_s
                        .query_map([&c.case_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
                        .and_then(Iterator::collect)
                        .ctx("reading the index")?,
                    persons: old_p
                        .query_map([&c.case_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                        .and_then(Iterator::collect)
                        .ctx("reading the index")?,
                };
                was.sessions.sort();
                was.persons.sort();
                was
            } else {
                IndexRows::default()
            };
            if rows == stored {
                continue;
            }
            if !stored.is_empty() {
                dirty_old.execute([&c.case_id]).ctx("marking cross-case keys")?;
                del_s.execute([&c.case_id]).ctx("updating the index")?;
                del_p.execute([&c.case_id]).ctx("updating the index")?;
            }
            for (record, officer, person, start, end) in &rows.sessions {
                ins_s.execute(params![c.case_id, record, officer, person, start, end]).ctx("updating the index")?;
                longest = longest.max(end.saturating_sub(*start));
                dirty.execute(params![format!("o:{officer}"), start, end]).ctx("marking cross-case keys")?;
            }
            for (record, person, what, at) in &rows.persons {
                ins_p.execute(params![c.case_id, record, person, what, at]).ctx("updating the index")?;
                dirty.execute(params![format!("p:{person}"), i64::MIN, i64::MAX]).ctx("marking cross-case keys")?;
            }
        }
        super::officers::note_from_cases(&tx, &named)?;
        if longest > 0 {
            tx.execute(
                "INSERT INTO xbounds (id, longest) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET longest = max(longest, excluded.longest)",
                [longest],
            )
            .ctx("updating the index")?;
        }
        let mut rej = tx
            .prepare_cached("INSERT INTO rejects (run_id, file, line, col, idx, case_id, path, reason, raw) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)")
            .ctx("preparing the reject insert")?;
        for r in rejects {
            rej.execute(params![run, r.file, r.line, r.column, r.index, r.case_id, r.path, r.reason, r.raw])
                .ctx("storing a reject")?;
        }
    }
    tx.commit().map_err(map_busy(&path, "committing an import batch"))?;
    Ok((new, changed, unchanged))
}

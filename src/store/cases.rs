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

/// An import's write transaction, held open across several parsed batches: each commit
/// writes every page the batch dirtied, and the index B-trees (keyed by officer, person,
/// unit, date) are dirtied all over by any batch, so fewer, larger commits write far less.
#[derive(Debug, Default)]
pub struct ImportTx {
    open: bool,
    /// when the open transaction began
    began: Option<std::time::Instant>,
    /// records written since the last commit
    pending: usize,
    /// whether an audit ever ran: only then can a case have been audited with what this
    /// import changes, so only then are cross-case keys marked for re-checking
    audited: bool,
    /// no key is ever marked: the cases written are checked in the same run, with every
    /// case they could touch (`audit FILE` into an empty store)
    unmarked: bool,
    started: bool,
    /// a first import into an empty database: the secondary indexes are built at the end
    deferred: bool,
}

impl ImportTx {
    /// A transaction for a first load that is checked as it is written: it marks no
    /// cross-case key for re-checking, as an import before any audit does not.
    pub fn unmarked() -> ImportTx {
        ImportTx { unmarked: true, ..ImportTx::default() }
    }

    /// Records written since the last commit.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// How long the open transaction has been open (zero if none is).
    pub fn open_for(&self) -> std::time::Duration {
        self.began.map(|t| t.elapsed()).unwrap_or_default()
    }

    /// Writes one batch in the open transaction (starting one if none is); returns (new,
    /// changed, unchanged). On an error the transaction is rolled back: what was committed
    /// stays, the rest of the batch is not written.
    pub fn write(
        &mut self,
        store: &mut Store,
        run: i64,
        good: &[Parsed],
        rejects: &[Reject],
    ) -> Result<(u64, u64, u64), StoreError> {
        if !self.open {
            store.conn.execute_batch("BEGIN IMMEDIATE").map_err(map_busy(&store.path, "starting an import batch"))?;
            self.open = true;
            self.began = Some(std::time::Instant::now());
            if let Err(e) = self.look_around(store) {
                self.rollback(store);
                return Err(e);
            }
        }
        match write_rows(store, run, good, rejects, self.audited && !self.unmarked) {
            Ok(c) => {
                self.pending += good.len() + rejects.len();
                Ok(c)
            }
            Err(e) => {
                self.rollback(store);
                Err(e)
            }
        }
    }

    /// At the start of each transaction: whether an audit ran; at the first, whether the
    /// database is empty (then the secondary indexes are dropped until the end).
    fn look_around(&mut self, store: &Store) -> Result<(), StoreError> {
        if !self.started {
            self.started = true;
            let empty: bool = store
                .conn
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM cases)", [], |r| r.get(0))
                .ctx("looking for stored cases")?;
            if empty {
                super::drop_deferred_indexes(&store.conn)?;
                self.deferred = true;
            }
        }
        self.audited = store
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM audit_runs)", [], |r| r.get(0))
            .ctx("looking for earlier audits")?;
        Ok(())
    }

    /// Commits what was written since the last commit.
    pub fn commit(&mut self, store: &mut Store) -> Result<(), StoreError> {
        if !self.open {
            return Ok(());
        }
        match store.conn.execute_batch("COMMIT") {
            Ok(()) => {
                (self.open, self.pending, self.began) = (false, 0, None);
                Ok(())
            }
            Err(e) => {
                let e = map_busy(&store.path, "committing an import batch")(e);
                self.rollback(store);
                Err(e)
            }
        }
    }

    /// Abandons what was written since the last commit; the indexes a first import left out
    /// are built if a batch was committed without them (best effort: else the next opening
    /// of the database builds them).
    pub fn rollback(&mut self, store: &mut Store) {
        if self.open {
            let _ = store.conn.execute_batch("ROLLBACK");
        }
        (self.open, self.pending, self.began) = (false, 0, None);
        if self.deferred {
            self.deferred = false;
            let _ = store.ensure_indexes();
        }
    }

    /// Commits the rest, building the indexes a first import left out in the same transaction.
    pub fn finish(&mut self, store: &mut Store) -> Result<(), StoreError> {
        if self.deferred {
            if !self.open {
                store
                    .conn
                    .execute_batch("BEGIN IMMEDIATE")
                    .map_err(map_busy(&store.path, "starting an import batch"))?;
                self.open = true;
            }
            if let Err(e) = super::create_deferred_indexes(&store.conn) {
                self.rollback(store);
                return Err(e);
            }
            self.deferred = false;
        }
        self.commit(store)
    }
}

/// Writes one batch inside the open transaction.
///
/// A changed case's index rows are rewritten, and the officers and persons on them marked
/// for the audit to re-check their other cases, only when the rows differ from the stored
/// ones: most changes (a document added, the case closed) leave them as they were. Before
/// any audit ran, no key is marked: every case is unaudited, so every case is checked anyway.
fn write_rows(
    store: &mut Store,
    run: i64,
    good: &[Parsed],
    rejects: &[Reject],
    mark_keys: bool,
) -> Result<(u64, u64, u64), StoreError> {
    let tx = &store.conn;
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
                if mark_keys {
                    dirty_old.execute([&c.case_id]).ctx("marking cross-case keys")?;
                }
                del_s.execute([&c.case_id]).ctx("updating the index")?;
                del_p.execute([&c.case_id]).ctx("updating the index")?;
            }
            for (record, officer, person, start, end) in &rows.sessions {
                ins_s.execute(params![c.case_id, record, officer, person, start, end]).ctx("updating the index")?;
                longest = longest.max(end.saturating_sub(*start));
                if mark_keys {
                    dirty.execute(params![format!("o:{officer}"), start, end]).ctx("marking cross-case keys")?;
                    // the questioned person, at any time: a questioning of the same resident
                    // id number in a stored case may overlap this one (P039)
                    if let Some(person) = person {
                        dirty
                            .execute(params![format!("p:{person}"), i64::MIN, i64::MAX])
                            .ctx("marking cross-case keys")?;
                    }
                }
            }
            for (record, person, what, at) in &rows.persons {
                ins_p.execute(params![c.case_id, record, person, what, at]).ctx("updating the index")?;
                if mark_keys {
                    dirty.execute(params![format!("p:{person}"), i64::MIN, i64::MAX]).ctx("marking cross-case keys")?;
                }
            }
        }
        super::officers::note_from_cases(tx, &named)?;
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
    Ok((new, changed, unchanged))
}

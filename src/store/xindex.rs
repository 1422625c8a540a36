//! The cross-case index read from the store: each lookup is a range read on
//! `xsessions(officer_id, started_at)`, `xsessions(person_key)` or `xpersons(person_key)`, through read-only
//! connections of its own (one per worker thread at a time), so an audit holds no copy of
//! the index and its memory does not grow with the number of stored cases.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::{params, Connection};

use super::{Context, Store, StoreError};
use crate::engine::index::{IndexSource, PersonRecord, Session};

pub struct StoredIndex {
    path: PathBuf,
    /// the longest stored session bounds how early a session overlapping a window can start
    longest: i64,
    idle: Mutex<Vec<Connection>>,
}

/// At least the longest stored session, in seconds: how far before a window a session
/// overlapping it can start. Read from the bound the importer keeps (migration 0004).
pub fn longest_session(store: &Store) -> Result<i64, StoreError> {
    store
        .conn
        .query_row(
            "SELECT coalesce((SELECT longest FROM xbounds WHERE id = 1),
                             (SELECT max(ended_at - started_at) FROM xsessions), 0)",
            [],
            |r| r.get(0),
        )
        .ctx("reading the cross-case index")
}

/// An officer's sessions; each lookup reads the covering index `xsessions_officer` only.
const SESSIONS_OF: &str = "SELECT case_id, record_id, started_at, ended_at FROM xsessions
     WHERE officer_id = ?1 ORDER BY started_at, case_id, record_id";
const SESSIONS_BETWEEN: &str = "SELECT case_id, record_id, started_at, ended_at FROM xsessions
     WHERE officer_id = ?1 AND started_at >= ?2 AND started_at < ?3 AND ended_at > ?4
     ORDER BY started_at, case_id, record_id";
/// A person's penalties or summonses in other cases, from the covering index `xpersons_person`.
const PERSON_RECORDS: &str = "SELECT case_id, record_id, at FROM xpersons
     WHERE person_key = ?1 AND what = ?2 AND case_id <> ?3 ORDER BY at, case_id, record_id";
/// A person's questionings in other cases overlapping a window, from the covering partial index
/// `xsessions_person`. `DISTINCT`: the index keeps a row per officer of a questioning.
const PERSON_SESSIONS_BETWEEN: &str = "SELECT DISTINCT case_id, record_id, started_at, ended_at FROM xsessions
     WHERE person_key = ?1 AND case_id <> ?2 AND started_at < ?3 AND ended_at > ?4
     ORDER BY started_at, case_id, record_id";

impl StoredIndex {
    pub fn open(store: &Store) -> Result<StoredIndex, StoreError> {
        Ok(StoredIndex::with_longest(store, longest_session(store)?))
    }

    /// The same, when the caller has read [`longest_session`] already.
    pub fn with_longest(store: &Store, longest: i64) -> StoredIndex {
        StoredIndex { path: store.path.clone(), longest, idle: Mutex::new(Vec::new()) }
    }

    /// Runs `f` on an idle reader, opening one if none is idle.
    fn read<R>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> Result<R, String> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        let conn = match idle {
            Some(c) => c,
            None => {
                Store::open_read_only(&self.path).map(|s| s.conn).map_err(|e| format!("the cross-case index: {e}"))?
            }
        };
        let r = f(&conn).map_err(|e| format!("reading the cross-case index in `{}`: {e}", self.path.display()));
        if let Ok(mut v) = self.idle.lock() {
            v.push(conn);
        }
        r
    }

    fn sessions_where(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Session>, String> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map(args, |r| {
                Ok(Session { case_id: r.get(0)?, record_id: r.get(1)?, started_at: r.get(2)?, ended_at: r.get(3)? })
            })?;
            rows.collect()
        })
    }
}

impl IndexSource for StoredIndex {
    fn sessions(&self, officer: &str) -> Result<Vec<Session>, String> {
        self.sessions_where(SESSIONS_OF, params![officer])
    }

    fn sessions_between(&self, officer: &str, from: i64, to: i64) -> Result<Vec<Session>, String> {
        self.sessions_where(SESSIONS_BETWEEN, params![officer, from.saturating_sub(self.longest), to, from])
    }

    fn person_records(&self, key: &str, what: &str, exclude_case: &str) -> Result<Vec<PersonRecord>, String> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(PERSON_RECORDS)?;
            let rows = stmt.query_map(params![key, what, exclude_case], |r| {
                Ok(PersonRecord { case_id: r.get(0)?, record_id: r.get(1)?, what: what.to_owned(), at: r.get(2)? })
            })?;
            rows.collect()
        })
    }

    fn person_sessions_between(
        &self,
        key: &str,
        from: i64,
        to: i64,
        exclude_case: &str,
    ) -> Result<Vec<Session>, String> {
        self.sessions_where(PERSON_SESSIONS_BETWEEN, params![key, exclude_case, to, from])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_read_only_the_covering_indexes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("x.db")).expect("store");
        for (sql, index) in [
            (SESSIONS_OF, "xsessions_officer"),
            (SESSIONS_BETWEEN, "xsessions_officer"),
            (PERSON_RECORDS, "xpersons_person"),
            (PERSON_SESSIONS_BETWEEN, "xsessions_person"),
        ] {
            let p = crate::store::query_plan(&store.conn, sql);
            assert!(p.contains(&format!("USING COVERING INDEX {index}")), "{sql}\n{p}");
            assert!(!p.contains("TEMP B-TREE"), "sorts instead of reading in index order: {sql}\n{p}");
        }
    }

    #[test]
    fn a_persons_sessions_come_once_each_and_only_from_other_cases() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("x.db")).expect("store");
        store
            .conn
            .execute_batch(
                "INSERT INTO xsessions (case_id, record_id, officer_id, person_key, started_at, ended_at) VALUES
                   ('A', 'Q1', 'O1', 'K', 100, 200), ('A', 'Q1', 'O2', 'K', 100, 200),
                   ('B', 'Q1', 'O3', 'K', 150, 300), ('B', 'Q1', 'O4', 'K', 150, 300),
                   ('B', 'Q2', 'O3', 'K', 120, 140),
                   ('C', 'Q1', 'O5', 'K', 200, 300), ('D', 'Q1', 'O6', 'L', 100, 200),
                   ('E', 'Q1', 'O7', NULL, 100, 200)",
            )
            .expect("rows");
        let ix = StoredIndex::open(&store).expect("index");
        let got = ix.person_sessions_between("K", 100, 200, "A").expect("lookup");
        let got: Vec<_> = got.iter().map(|s| (s.case_id.as_str(), s.record_id.as_str(), s.started_at)).collect();
        // C's session starts when the window ends: no overlap
        assert_eq!(got, [("B", "Q2", 120), ("B", "Q1", 150)]);
    }
}

//! The SQLite store: the only module that speaks SQL.
//!
//! Opening applies the numbered migrations in `migrations/` (each in its own transaction,
//! via rusqlite_migration) and refuses a database stamped by a newer xuncha. WAL journal,
//! `synchronous=NORMAL` and a busy timeout; writers take `IMMEDIATE` transactions. A new
//! database file is made readable by its owner only: it holds personal data.

pub mod cases;
pub mod console;
pub mod due;
pub mod findings;
pub mod officers;
pub mod rollup;
pub mod xindex;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};

/// How long a writer waits for another process's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const MIGRATION_SQL: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_rollups.sql"),
    include_str!("migrations/0003_case_raw.sql"),
    include_str!("migrations/0004_session_bound.sql"),
    include_str!("migrations/0005_covering_indexes.sql"),
    include_str!("migrations/0006_finding_level.sql"),
    include_str!("migrations/0007_install.sql"),
    include_str!("migrations/0008_freeze.sql"),
    include_str!("migrations/0009_due.sql"),
    include_str!("migrations/0010_console.sql"),
    include_str!("migrations/0011_person_sessions.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATION_SQL.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version this binary writes.
pub fn schema_version() -> i64 {
    MIGRATION_SQL.len() as i64
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database `{path}` is locked by another process (waited {}s); nothing was written", BUSY_TIMEOUT.as_secs())]
    Locked { path: PathBuf },
    #[error("the database `{path}` was written by a newer xuncha (schema version {found}, this binary knows up to {known}); nothing was changed\n  help: upgrade xuncha")]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("the database `{path}` does not exist\n  help: run `xuncha import FILE` or `xuncha audit FILE` first, or pass `--db PATH`")]
    Missing { path: PathBuf },
    #[error("`{path}` is not a xuncha database: {source}")]
    NotADatabase { path: PathBuf, source: rusqlite::Error },
    #[error("cannot create the database `{path}`: {source}")]
    Create { path: PathBuf, source: std::io::Error },
    #[error("{context}: {source}")]
    Sqlite { context: &'static str, source: rusqlite::Error },
    #[error("migrating the database `{path}`: {source}")]
    Migration { path: PathBuf, source: rusqlite_migration::Error },
    #[error("{0}")]
    Usage(String),
    #[error("{context}: {source}")]
    Io { context: &'static str, source: std::io::Error },
}

/// Wraps a rusqlite error with what was being done; `SQLITE_BUSY` becomes [`StoreError::Locked`].
pub trait Context<T> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, rusqlite::Error> {
    fn ctx(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Sqlite { context, source })
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// The page size of a new database, in bytes.
const NEW_PAGE_SIZE: i64 = 16 * 1024;

/// Secondary indexes that a first import into an empty database drops and builds once at its
/// end: building an index sorts once, while keeping it up to date inserts a key at a random
/// place per row (seven per case), and every commit rewrote the pages they dirtied. Each with
/// its definition as the migrations leave it (a unit test compares them). A database where
/// they are missing (a first import killed before its end) gets them back the next time it is
/// opened for writing. A migration that drops one of them must say `DROP INDEX IF EXISTS`.
pub(crate) const DEFERRED_INDEXES: &[(&str, &str)] = &[
    ("cases_unit", "CREATE INDEX cases_unit ON cases(unit_id)"),
    ("cases_accepted", "CREATE INDEX cases_accepted ON cases(accepted_at, unit_id)"),
    (
        "xsessions_officer",
        "CREATE INDEX xsessions_officer ON xsessions(officer_id, started_at, case_id, record_id, ended_at)",
    ),
    (
        "xsessions_person",
        "CREATE INDEX xsessions_person ON xsessions(person_key, started_at, case_id, record_id, ended_at) WHERE person_key IS NOT NULL",
    ),
    ("xpersons_person", "CREATE INDEX xpersons_person ON xpersons(person_key, what, at, case_id, record_id)"),
];

/// Whether any of [`DEFERRED_INDEXES`] is missing.
fn indexes_missing(conn: &Connection) -> rusqlite::Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?1")?;
    for (name, _) in DEFERRED_INDEXES {
        if stmt.query_row([name], |r| r.get::<_, i64>(0))? == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Creates those of [`DEFERRED_INDEXES`] that are missing, inside the caller's transaction.
pub(crate) fn create_deferred_indexes(conn: &Connection) -> Result<(), StoreError> {
    for (_, sql) in DEFERRED_INDEXES {
        conn.execute_batch(&sql.replacen("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            .ctx("building the indexes of the first import")?;
    }
    Ok(())
}

/// Drops [`DEFERRED_INDEXES`], inside the caller's transaction.
pub(crate) fn drop_deferred_indexes(conn: &Connection) -> Result<(), StoreError> {
    for (name, _) in DEFERRED_INDEXES {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}")).ctx("dropping indexes for the first import")?;
    }
    Ok(())
}

/// The writing connection's page cache, in KiB.
const WRITE_CACHE_KB: i64 = 64 * 1024;

/// An open database.
pub struct Store {
    pub conn: Connection,
    pub path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database for writing and brings the schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let fresh = !path.exists();
        if fresh {
            create_private(path)?;
        }
        let mut conn =
            Connection::open(path).map_err(|source| StoreError::NotADatabase { path: path.into(), source })?;
        let store_err = |source: rusqlite::Error| {
            if is_busy(&source) {
                StoreError::Locked { path: path.into() }
            } else {
                StoreError::NotADatabase { path: path.into(), source }
            }
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(store_err)?;
        if fresh {
            // set before the first table is created; a case's record (4 KB on average) then
            // fits in one page instead of a page and an overflow page, and an import of 100k
            // cases spent a fifth less time in SQLite. An existing database keeps its size.
            conn.pragma_update(None, "page_size", NEW_PAGE_SIZE).map_err(store_err)?;
        }
        conn.pragma_update(None, "journal_mode", "WAL").map_err(store_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(store_err)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(store_err)?;
        // SQLite's default page cache is 2 MB: an import of 20k cases then spent a third of its
        // time spilling pages to the WAL and reading them back; 64 MB keeps the B-trees'
        // upper levels and the pages being filled in memory
        conn.pragma_update(None, "cache_size", -WRITE_CACHE_KB).map_err(store_err)?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(store_err)?;
        if found > schema_version() {
            return Err(StoreError::TooNew { path: path.into(), found, known: schema_version() });
        }
        if found < schema_version() {
            migrations().to_latest(&mut conn).map_err(|source| match &source {
                rusqlite_migration::Error::RusqliteError { err, .. } if is_busy(err) => {
                    StoreError::Locked { path: path.into() }
                }
                _ => StoreError::Migration { path: path.into(), source },
            })?;
        }
        let mut store = Store { conn, path: path.into() };
        if indexes_missing(&store.conn).map_err(store_err)? {
            store.ensure_indexes()?;
        }
        Ok(store)
    }

    /// Opens an existing database read-only, for reports; never migrates.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing { path: path.into() });
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|source| StoreError::NotADatabase { path: path.into(), source })?;
        conn.busy_timeout(BUSY_TIMEOUT).ctx("setting the busy timeout")?;
        let found: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|source| StoreError::NotADatabase { path: path.into(), source })?;
        if found > schema_version() {
            return Err(StoreError::TooNew { path: path.into(), found, known: schema_version() });
        }
        if found < schema_version() {
            return Err(StoreError::Usage(format!(
                "the database `{}` has schema version {found}, older than this binary's {}\n  help: run any writing command (`xuncha import`) once to upgrade it",
                path.display(),
                schema_version()
            )));
        }
        Ok(Store { conn, path: path.into() })
    }

    /// Builds the indexes a first import left out, if it stopped before its end.
    pub fn ensure_indexes(&mut self) -> Result<(), StoreError> {
        let tx = self.write_tx()?;
        create_deferred_indexes(&tx)?;
        tx.commit().map_err(map_busy(&self.path, "committing the indexes of the first import"))
    }

    /// Starts an `IMMEDIATE` write transaction, mapping a lock timeout to [`StoreError::Locked`].
    pub fn write_tx(&mut self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        let path = self.path.clone();
        self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|source| {
            if is_busy(&source) {
                StoreError::Locked { path }
            } else {
                StoreError::Sqlite { context: "starting a write transaction", source }
            }
        })
    }
}

/// Maps a commit or statement error: busy becomes Locked.
pub fn map_busy<'a>(path: &'a Path, context: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + 'a {
    move |source| {
        if is_busy(&source) {
            StoreError::Locked { path: path.into() }
        } else {
            StoreError::Sqlite { context, source }
        }
    }
}

fn create_private(path: &Path) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Create { path: path.into(), source })?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::Create { path: path.into(), source }),
    }
}

/// Seconds since the epoch, now.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The plan SQLite chooses for `sql`, one line per step (for tests of index use).
#[cfg(test)]
pub(crate) fn query_plan(conn: &Connection, sql: &str) -> String {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("explain");
    // parameters left unbound are NULL, which does not change the plan
    let mut rows = stmt.raw_query();
    let mut steps = Vec::new();
    while let Some(r) = rows.next().expect("plan row") {
        steps.push(r.get::<_, String>(3).expect("plan detail"));
    }
    steps.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn new_database_is_private_and_current() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let dir = dir.as_ref().map(|d| d.path().to_path_buf()).unwrap_or_default();
        let path = dir.join("x.db");
        let store = Store::open(&path);
        assert!(store.is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn deferred_indexes_are_those_the_migrations_make() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("x.db")).expect("store");
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        for (name, sql) in DEFERRED_INDEXES {
            let stored: String = store
                .conn
                .query_row("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1", [name], |r| r.get(0))
                .expect(name);
            assert_eq!(words(&stored), words(sql), "{name}");
        }
    }

    #[test]
    fn missing_indexes_come_back_on_open() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x.db");
        {
            let store = Store::open(&path).expect("store");
            drop_deferred_indexes(&store.conn).expect("drop");
            assert!(indexes_missing(&store.conn).expect("schema"));
        }
        let store = Store::open(&path).expect("reopen");
        assert!(!indexes_missing(&store.conn).expect("schema"));
        assert_eq!(
            store.conn.pragma_query_value(None, "page_size", |r| r.get::<_, i64>(0)).expect("page size"),
            NEW_PAGE_SIZE
        );
    }

    #[test]
    fn newer_database_is_refused() {
        let dir = tempfile::tempdir().map(|d| d.keep()).unwrap_or_default();
        let path = dir.join("new.db");
        {
            let conn = Connection::open(&path).expect("open");
            conn.pragma_update(None, "user_version", 99).expect("stamp");
        }
        match Store::open(&path) {
            Err(StoreError::TooNew { found: 99, .. }) => {}
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("opened a newer database"),
        }
    }
}

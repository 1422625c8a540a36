//! The console's database handles: a pool of read-only connections (r2d2) for the pages,
//! and one write connection whose writes wait for the nightly audit instead of failing.
//!
//! Under WAL a reader never waits for a writer, so pages are served while the audit runs.
//! A console write (an action on a finding, a session, a failed login, a case view) needs
//! the write lock the audit takes for each chunk: it waits up to the store's busy timeout,
//! and on [`StoreError::Locked`] waits a little and tries again, for up to
//! [`WRITE_PATIENCE`], before the request fails with 503.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::AppError;
use crate::store::{Store, StoreError};

/// How long a console write keeps trying while another process holds the write lock.
pub const WRITE_PATIENCE: Duration = Duration::from_secs(120);

/// Opens read-only [`Store`]s for r2d2.
#[derive(Debug)]
pub struct ReadOnly {
    path: PathBuf,
}

impl r2d2::ManageConnection for ReadOnly {
    type Connection = Store;
    type Error = StoreError;

    fn connect(&self) -> Result<Store, StoreError> {
        Store::open_read_only(&self.path)
    }

    fn is_valid(&self, store: &mut Store) -> Result<(), StoreError> {
        store.conn.execute_batch("").map_err(|source| StoreError::Sqlite { context: "checking a connection", source })
    }

    fn has_broken(&self, _: &mut Store) -> bool {
        false
    }
}

/// The console's connections.
#[derive(Clone)]
pub struct Db {
    pub path: PathBuf,
    pool: r2d2::Pool<ReadOnly>,
    writer: Arc<Mutex<Option<Store>>>,
}

impl Db {
    /// Migrates the database if needed (once, before serving) and opens the pool.
    pub fn open(path: &Path, readers: u32) -> Result<Db, StoreError> {
        let writer = Store::open(path)?;
        let pool = r2d2::Pool::builder()
            .max_size(readers.max(1))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(30))
            .build(ReadOnly { path: path.into() })
            .map_err(|e| StoreError::Usage(format!("cannot open `{}` for reading: {e}", path.display())))?;
        Ok(Db { path: path.into(), pool, writer: Arc::new(Mutex::new(Some(writer))) })
    }

    /// Runs `f` on a read-only connection, off the async threads.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let store = pool.get().map_err(|e| AppError::Internal(format!("no database connection: {e}")))?;
            f(&store)
        })
        .await
        .map_err(|e| AppError::Internal(format!("a database task failed: {e}")))?
    }

    /// Runs the write `f`, again while the database is locked by another process, for up
    /// to [`WRITE_PATIENCE`]. `f` runs in its own transaction each time, so a retry
    /// repeats nothing that was committed.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnMut(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let writer = self.writer.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || write_with_patience(&writer, &path, WRITE_PATIENCE, f))
            .await
            .map_err(|e| AppError::Internal(format!("a database task failed: {e}")))?
    }
}

/// The retry loop of [`Db::write`]. A plain loop: the store's busy timeout already waits
/// with SQLite's own backoff, and this only decides how many such waits a request may take.
fn write_with_patience<T>(
    writer: &Mutex<Option<Store>>,
    path: &Path,
    patience: Duration,
    mut f: impl FnMut(&mut Store) -> Result<T, StoreError>,
) -> Result<T, AppError> {
    let started = Instant::now();
    let mut guard = writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    loop {
        if guard.is_none() {
            *guard = Some(Store::open(path).map_err(AppError::from)?);
        }
        let Some(store) = guard.as_mut() else { continue };
        match f(store) {
            Err(StoreError::Locked { .. }) if started.elapsed() < patience => {
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e @ StoreError::Locked { .. }) => return Err(AppError::Busy(e.to_string())),
            Err(e) => return Err(AppError::from(e)),
            Ok(v) => return Ok(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_waits_for_another_writer_and_then_succeeds() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("w.db");
        let mut holder = Store::open(&path).expect("open");
        let writer = Mutex::new(Some(Store::open(&path).expect("open")));
        // another process holds the write lock, as an audit chunk does, then lets go
        let (tx, rx) = std::sync::mpsc::channel();
        let t = std::thread::spawn(move || {
            let lock = holder.write_tx().expect("lock");
            tx.send(()).expect("send");
            std::thread::sleep(Duration::from_millis(300));
            lock.commit().expect("commit");
        });
        rx.recv().expect("locked");
        let mut tries = 0;
        let out = write_with_patience(&writer, &path, Duration::from_secs(60), |s| {
            tries += 1;
            // the first try finds the lock held, as a busy timeout running out would
            if tries == 1 {
                return Err(StoreError::Locked { path: s.path.clone() });
            }
            crate::store::console::record_case_view(s, "a", "C1", 1)
        });
        t.join().expect("join");
        assert!(out.is_ok(), "{out:?}");
        assert_eq!(tries, 2);
    }

    #[test]
    fn a_write_gives_up_after_its_patience() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("w.db");
        let writer = Mutex::new(Some(Store::open(&path).expect("open")));
        let out: Result<(), _> =
            write_with_patience(&writer, &path, Duration::ZERO, |s| Err(StoreError::Locked { path: s.path.clone() }));
        assert!(matches!(out, Err(AppError::Busy(_))));
    }
}

//! tower-sessions' [`SessionStore`] over the `console_sessions` table.
//!
//! tower-sessions owns the cookie (a random id; HttpOnly, SameSite=Strict, Secure over
//! TLS), the session's data and when it is written. This store decides expiry by the
//! console's clock, so tests can move time: a session idle for longer than the idle
//! timeout is not found, and the next request is a stranger's. A request of a logged-in
//! session extends it; the extension is written at most once a minute, and a touch that
//! finds the database locked by the audit is skipped (the next request writes it), so a
//! page view never waits for the audit.

use async_trait::async_trait;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

use super::{AppError, Clock};
use crate::console::db::Db;
use crate::store::{self, StoreError};

/// A touch closer than this to the stored expiry is not written.
const TOUCH_EVERY: i64 = 60;

#[derive(Clone)]
pub struct SqliteSessions {
    pub db: Db,
    pub clock: Clock,
    /// idle timeout, seconds
    pub idle: i64,
}

impl std::fmt::Debug for SqliteSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteSessions").field("idle", &self.idle).finish_non_exhaustive()
    }
}

fn backend(e: AppError) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for SqliteSessions {
    async fn save(&self, record: &Record) -> Result<()> {
        let id = record.id.to_string();
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let login = record.data.get("login").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let now = self.clock.now();
        let expires_at = now + self.idle;
        let (id2, data2) = (id.clone(), data.clone());
        let stored = self
            .db
            .read(move |s| store::console::load_session(&s.conn, &id2, now).map_err(AppError::from))
            .await
            .map_err(backend)?;
        let touch_only = stored.as_ref().is_some_and(|(d, _)| *d == data2);
        if stored.as_ref().is_some_and(|(d, exp)| *d == data && expires_at - exp < TOUCH_EVERY) {
            return Ok(());
        }
        if login.is_empty() {
            // nothing worth keeping: the console writes only logged-in sessions
            return Ok(());
        }
        let out = self
            .db
            .write(move |s| {
                let r = store::console::save_session(s, &id, &login, &data, expires_at);
                match r {
                    // a touch is not worth waiting for
                    Err(StoreError::Locked { .. }) if touch_only => Ok(()),
                    r => r,
                }
            })
            .await;
        out.map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let id_text = id.to_string();
        let now = self.clock.now();
        let row = self
            .db
            .read(move |s| store::console::load_session(&s.conn, &id_text, now).map_err(AppError::from))
            .await
            .map_err(backend)?;
        let Some((data, expires_at)) = row else { return Ok(None) };
        let data = serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?;
        // the cookie's own expiry is tower-sessions' business; this date only has to lie
        // in the future for the record to be kept
        let expiry_date =
            OffsetDateTime::from_unix_timestamp(expires_at.max(now) + 1).unwrap_or_else(|_| OffsetDateTime::now_utc());
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let id = id.to_string();
        let now = self.clock.now();
        self.db.write(move |s| store::console::delete_session(s, &id, now)).await.map_err(backend)
    }
}

/// The session layer's store.
pub fn sessions(db: &Db, clock: &Clock, idle: i64) -> SqliteSessions {
    SqliteSessions { db: db.clone(), clock: clock.clone(), idle }
}

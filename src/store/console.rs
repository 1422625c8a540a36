//! The console's tables (migration 0010) and the scoped reads its pages make.
//!
//! Users and their scope, sessions, failed logins and case views are written here; the
//! console (`src/console`) decides who may do what and never writes SQL itself. Every list
//! a page shows is cut to the caller's [`Scope`] in SQL, so a page cannot show what its
//! query did not return. Writes take `IMMEDIATE` transactions like every other writer: a
//! lock held by the nightly audit comes back as [`StoreError::Locked`], and the console
//! waits and tries again.

use rusqlite::{params, Connection, OptionalExtension};

use super::findings::{row_to_finding, StoredFinding, FINDING_COLUMNS};
use super::{map_busy, Context, Store, StoreError};

/// What a user may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 法制员: everything; push, waive, reopen, report freeze
    Legal,
    /// 所队领导: one unit's findings, cases, officers and reports
    Supervisor,
    /// 民警: the findings naming them, the cases they handled
    Officer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Legal => "legal",
            Role::Supervisor => "supervisor",
            Role::Officer => "officer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "legal" => Some(Role::Legal),
            "supervisor" => Some(Role::Supervisor),
            "officer" => Some(Role::Officer),
            _ => None,
        }
    }

    /// The role's name in the console.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Legal => "法制员",
            Role::Supervisor => "单位领导",
            Role::Officer => "民警",
        }
    }
}

/// A console user (never the password).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub login: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub officer_id: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
}

impl User {
    /// The rows this user may see.
    pub fn scope(&self) -> Scope {
        match self.role {
            Role::Legal => Scope::All,
            Role::Supervisor => Scope::Unit(self.unit_id.clone().unwrap_or_default()),
            Role::Officer => Scope::Officer(self.officer_id.clone().unwrap_or_default()),
        }
    }
}

/// The rows a user may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// findings and cases of this unit
    Unit(String),
    /// findings naming this officer, cases this officer handled
    Officer(String),
}

fn user_row(r: &rusqlite::Row) -> rusqlite::Result<(User, String)> {
    let role: String = r.get(1)?;
    Ok((
        User {
            login: r.get(0)?,
            role: Role::parse(&role).unwrap_or(Role::Officer),
            unit_id: r.get(2)?,
            officer_id: r.get(3)?,
            disabled: r.get(4)?,
            created_at: r.get(5)?,
        },
        r.get(6)?,
    ))
}

const USER_COLUMNS: &str = "login, role, unit_id, officer_id, disabled, created_at, password_hash";

/// Adds a user; refuses a login that exists.
pub fn add_user(store: &mut Store, u: &User, password_hash: &str) -> Result<(), StoreError> {
    let path = store.path.clone();
    let tx = store.write_tx()?;
    let exists: bool = tx
        .query_row("SELECT EXISTS (SELECT 1 FROM console_users WHERE login = ?1)", [&u.login], |r| r.get(0))
        .ctx("looking up a user")?;
    if exists {
        return Err(StoreError::Usage(format!(
            "the user `{}` exists\n  help: `xuncha user passwd {}` sets a new password",
            u.login, u.login
        )));
    }
    tx.execute(
        "INSERT INTO console_users (login, role, unit_id, officer_id, password_hash, disabled, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6)",
        params![u.login, u.role.as_str(), u.unit_id, u.officer_id, password_hash, u.created_at],
    )
    .ctx("adding a user")?;
    tx.commit().map_err(map_busy(&path, "committing a new user"))
}

/// Sets a user's password; false if there is no such user.
pub fn set_password(store: &mut Store, login: &str, password_hash: &str, at: i64) -> Result<bool, StoreError> {
    let path = store.path.clone();
    let tx = store.write_tx()?;
    let n = tx
        .execute(
            "UPDATE console_users SET password_hash = ?2, updated_at = ?3 WHERE login = ?1",
            params![login, password_hash, at],
        )
        .ctx("setting a password")?;
    // a new password ends the sessions made with the old one
    tx.execute("DELETE FROM console_sessions WHERE login = ?1", [login]).ctx("ending sessions")?;
    tx.commit().map_err(map_busy(&path, "committing a password"))?;
    Ok(n > 0)
}

/// Disables a user and ends their sessions; false if there is no such user.
pub fn disable_user(store: &mut Store, login: &str, at: i64) -> Result<bool, StoreError> {
    let path = store.path.clone();
    let tx = store.write_tx()?;
    let n = tx
        .execute("UPDATE console_users SET disabled = 1, updated_at = ?2 WHERE login = ?1", params![login, at])
        .ctx("disabling a user")?;
    tx.execute("DELETE FROM console_sessions WHERE login = ?1", [login]).ctx("ending sessions")?;
    tx.commit().map_err(map_busy(&path, "committing a disabled user"))?;
    Ok(n > 0)
}

/// Every user, by login.
pub fn users(conn: &Connection) -> Result<Vec<User>, StoreError> {
    let mut stmt =
        conn.prepare(&format!("SELECT {USER_COLUMNS} FROM console_users ORDER BY login")).ctx("preparing users")?;
    let rows = stmt.query_map([], user_row).ctx("listing users")?;
    rows.map(|r| r.map(|(u, _)| u)).collect::<Result<_, _>>().ctx("reading users")
}

/// A user and their password hash.
pub fn user(conn: &Connection, login: &str) -> Result<Option<(User, String)>, StoreError> {
    conn.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM console_users WHERE login = ?1"))
        .ctx("preparing a user")?
        .query_row([login], user_row)
        .optional()
        .ctx("reading a user")
}

/// Writes a session (created or touched).
pub fn save_session(store: &mut Store, id: &str, login: &str, data: &str, expires_at: i64) -> Result<(), StoreError> {
    let path = store.path.clone();
    let tx = store.write_tx()?;
    tx.execute(
        "INSERT INTO console_sessions (id, login, data, expires_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET login = excluded.login, data = excluded.data, expires_at = excluded.expires_at",
        params![id, login, data, expires_at],
    )
    .ctx("saving a session")?;
    tx.commit().map_err(map_busy(&path, "committing a session"))
}

/// A session's data and expiry, if it exists and has not expired at `now`.
pub fn load_session(conn: &Connection, id: &str, now: i64) -> Result<Option<(String, i64)>, StoreError> {
    conn.prepare_cached("SELECT data, expires_at FROM console_sessions WHERE id = ?1 AND expires_at > ?2")
        .ctx("preparing a session")?
        .query_row(params![id, now], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .ctx("reading a session")
}

/// Ends a session, and every session that expired before `now`.
pub fn delete_session(store: &mut Store, id: &str, now: i64) -> Result<(), StoreError> {
    let path = store.path.clone();
    let tx = store.write_tx()?;
    tx.execute("DELETE FROM console_sessions WHERE id = ?1 OR expires_at <= ?2", params![id, now])
        .ctx("ending a session")?;
    tx.commit().map_err(map_busy(&path, "committing the end of a session"))
}

/// Records a failed login, and forgets failures older than `forget_before`.
pub fn record_login_failure(store: &mut Store, login: &str, at: i64, forget_before: i64) -> Result<(), StoreError> {
    let path = store.path.clone();
    let tx = store.write_tx()?;
    tx.execute("INSERT INTO console_login_failures (login, at) VALUES (?1, ?2)", params![login, at])
        .ctx("recording a failed login")?;
    tx.execute("DELETE FROM console_login_failures WHERE at < ?1", [forget_before])
        .ctx("forgetting old failed logins")?;
    tx.commit().map_err(map_busy(&path, "committing a failed login"))
}

/// The instants of the latest `n` failed logins of `login` after `since`, latest first.
pub fn login_failures(conn: &Connection, login: &str, since: i64, n: u32) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT at FROM console_login_failures WHERE login = ?1 AND at > ?2 ORDER BY at DESC LIMIT ?3")
        .ctx("preparing failed logins")?;
    let rows = stmt.query_map(params![login, since, n], |r| r.get(0)).ctx("reading failed logins")?;
    rows.collect::<Result<_, _>>().ctx("reading failed logins")
}

/// Records that `login` opened the page of `case_id`.
pub fn record_case_view(store: &mut Store, login: &str, case_id: &str, at: i64) -> Result<(), StoreError> {
    let path = store.path.clone();
    let tx = store.write_tx()?;
    tx.execute("INSERT INTO console_case_views (login, case_id, at) VALUES (?1, ?2, ?3)", params![login, case_id, at])
        .ctx("recording a case view")?;
    tx.commit().map_err(map_busy(&path, "committing a case view"))
}

/// Who opened a case's page and when, latest first.
pub fn case_views(conn: &Connection, case_id: &str, limit: u32) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT login, at FROM console_case_views WHERE case_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2",
        )
        .ctx("preparing case views")?;
    let rows = stmt.query_map(params![case_id, limit], |r| Ok((r.get(0)?, r.get(1)?))).ctx("reading case views")?;
    rows.collect::<Result<_, _>>().ctx("reading case views")
}

/// The filters of the findings list (问题清单) and of `GET /api/findings`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub status: Option<String>,
    /// a category code (P051)
    pub category: Option<String>,
    /// a group code (G06)
    pub group: Option<String>,
    pub unit: Option<String>,
    pub officer: Option<String>,
    /// `violation` or `review`
    pub level: Option<String>,
    pub case: Option<String>,
    /// first seen at or after (epoch seconds)
    pub since: Option<i64>,
    /// first seen before (epoch seconds)
    pub until: Option<i64>,
}

/// The WHERE clause (after `WHERE 1=1`) and its parameters for a scope and a filter.
fn conditions(scope: &Scope, f: &ListFilter) -> (String, Vec<Box<dyn rusqlite::ToSql>>) {
    let mut conds: Vec<(&str, Box<dyn rusqlite::ToSql>)> = Vec::new();
    match scope {
        Scope::All => {}
        Scope::Unit(u) => conds.push(("f.unit_id = ?", Box::new(u.clone()))),
        Scope::Officer(o) => {
            conds.push(("f.id IN (SELECT finding_id FROM finding_officers WHERE officer_id = ?)", Box::new(o.clone())))
        }
    }
    if let Some(o) = &f.officer {
        conds.push(("f.id IN (SELECT finding_id FROM finding_officers WHERE officer_id = ?)", Box::new(o.clone())));
    }
    let text = [
        ("f.unit_id = ?", &f.unit),
        ("f.category = ?", &f.category),
        ("f.group_code = ?", &f.group),
        ("f.status = ?", &f.status),
        ("f.level = ?", &f.level),
        ("f.case_id = ?", &f.case),
    ];
    for (cond, v) in text {
        if let Some(v) = v {
            conds.push((cond, Box::new(v.clone())));
        }
    }
    if let Some(s) = f.since {
        conds.push(("f.first_seen >= ?", Box::new(s)));
    }
    if let Some(u) = f.until {
        conds.push(("f.first_seen < ?", Box::new(u)));
    }
    let mut sql = String::new();
    let mut args = Vec::new();
    for (n, (cond, arg)) in conds.into_iter().enumerate() {
        sql.push_str(" AND ");
        sql.push_str(&cond.replace('?', &format!("?{}", n + 1)));
        args.push(arg);
    }
    (sql, args)
}

/// One page of the findings in `scope` matching `f`, latest stored first (by id: the rowid
/// order needs no sort, where first_seen, shared by a whole run, would), and whether more
/// follow.
pub fn findings_page(
    conn: &Connection,
    scope: &Scope,
    f: &ListFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<StoredFinding>, bool), StoreError> {
    let (cond, args) = conditions(scope, f);
    let sql = format!(
        "SELECT {FINDING_COLUMNS} FROM findings f WHERE 1=1{cond} ORDER BY f.id DESC LIMIT {} OFFSET {offset}",
        limit + 1
    );
    let mut stmt = conn.prepare_cached(&sql).ctx("preparing the findings list")?;
    let params: Vec<&dyn rusqlite::ToSql> = args.iter().map(AsRef::as_ref).collect();
    let rows = stmt.query_map(params.as_slice(), row_to_finding).ctx("listing findings")?;
    let mut out: Vec<StoredFinding> = rows.collect::<Result<_, _>>().ctx("reading findings")?;
    let more = out.len() as u64 > limit;
    out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((out, more))
}

/// How many findings in `scope` match `f`, counting no further than `cap`.
pub fn findings_count(conn: &Connection, scope: &Scope, f: &ListFilter, cap: u64) -> Result<u64, StoreError> {
    let (cond, args) = conditions(scope, f);
    let sql = format!("SELECT count(*) FROM (SELECT 1 FROM findings f WHERE 1=1{cond} LIMIT {cap})");
    let params: Vec<&dyn rusqlite::ToSql> = args.iter().map(AsRef::as_ref).collect();
    conn.prepare_cached(&sql)
        .ctx("preparing the findings count")?
        .query_row(params.as_slice(), |r| r.get::<_, i64>(0))
        .map(|n| u64::try_from(n).unwrap_or(0))
        .ctx("counting findings")
}

/// Whether a stored case is in `scope`; `None` if there is no such case.
pub fn case_in_scope(conn: &Connection, scope: &Scope, case_id: &str) -> Result<Option<bool>, StoreError> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT unit_id, officer_ids FROM cases WHERE case_id = ?1")
        .ctx("preparing a case")?
        .query_row([case_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .ctx("reading a case")?;
    Ok(row.map(|(unit, officers)| match scope {
        Scope::All => true,
        Scope::Unit(u) => &unit == u,
        Scope::Officer(o) => serde_json::from_str::<Vec<String>>(&officers).is_ok_and(|ids| ids.contains(o)),
    }))
}

/// A case as imported (its raw JSON).
pub fn case_raw(conn: &Connection, case_id: &str) -> Result<Option<String>, StoreError> {
    conn.prepare_cached("SELECT raw FROM case_raw WHERE case_id = ?1")
        .ctx("preparing a case")?
        .query_row([case_id], |r| r.get(0))
        .optional()
        .ctx("reading a case")
}

/// A person named in a case (suspect, victim, witness, guardian).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPerson {
    pub case_id: String,
    pub name: Option<String>,
    pub id_number: Option<String>,
    /// an organisation (单位), not a natural person
    pub is_unit: bool,
}

/// The persons of the given cases, from the stored records.
pub fn persons_of_cases(conn: &Connection, case_ids: &[&str]) -> Result<Vec<NamedPerson>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT r.case_id,
                    CASE WHEN json_type(p.value, '$.name') = 'text' THEN json_extract(p.value, '$.name') END,
                    CASE WHEN json_type(p.value, '$.id_number') = 'text' THEN json_extract(p.value, '$.id_number') END,
                    coalesce(json_extract(p.value, '$.is_unit'), 0)
             FROM case_raw r, json_each(CASE WHEN json_valid(r.raw) THEN r.raw ELSE '{}' END, '$.persons') p
             WHERE r.case_id = ?1 AND p.type = 'object'",
        )
        .ctx("preparing a case's persons")?;
    let mut out = Vec::new();
    for id in case_ids {
        let rows = stmt
            .query_map([id], |r| {
                Ok(NamedPerson { case_id: r.get(0)?, name: r.get(1)?, id_number: r.get(2)?, is_unit: r.get(3)? })
            })
            .ctx("reading a case's persons")?;
        for p in rows {
            out.push(p.ctx("reading a case's persons")?);
        }
    }
    Ok(out)
}

/// An officer's line on the officers page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerLine {
    pub officer_id: String,
    /// the unit of the officer's latest finding
    pub unit_id: String,
    /// counted findings (not preview, not review)
    pub findings: i64,
    /// of those, open or pushed now
    pub open: i64,
}

/// Officers named by findings in `unit` (or everywhere), most open findings first.
pub fn officers(conn: &Connection, unit: Option<&str>) -> Result<Vec<OfficerLine>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT o.officer_id, max(f.unit_id), count(*), sum(f.status IN ('open', 'pushed'))
             FROM finding_officers o JOIN findings f ON f.id = o.finding_id
             WHERE f.preview = 0 AND f.level = 'violation' AND (?1 IS NULL OR f.unit_id = ?1)
             GROUP BY o.officer_id
             ORDER BY 4 DESC, 3 DESC, 1",
        )
        .ctx("preparing officers")?;
    let rows = stmt
        .query_map([unit], |r| {
            Ok(OfficerLine { officer_id: r.get(0)?, unit_id: r.get(1)?, findings: r.get(2)?, open: r.get(3)? })
        })
        .ctx("listing officers")?;
    rows.collect::<Result<_, _>>().ctx("reading officers")
}

/// Whether a finding in `unit` names the officer.
pub fn officer_in_unit(conn: &Connection, officer: &str, unit: &str) -> Result<bool, StoreError> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM finding_officers o JOIN findings f ON f.id = o.finding_id
                        WHERE o.officer_id = ?1 AND f.unit_id = ?2)",
    )
    .ctx("preparing an officer lookup")?
    .query_row([officer, unit], |r| r.get(0))
    .ctx("looking up an officer")
}

/// What changes when the database changes: the latest finding event, audit run and import
/// run. Cached pages are kept while it stays the same.
pub fn data_stamp(conn: &Connection) -> Result<(i64, i64, i64), StoreError> {
    conn.prepare_cached(
        "SELECT (SELECT coalesce(max(id), 0) FROM finding_events), (SELECT coalesce(max(id), 0) FROM audit_runs),
                (SELECT coalesce(max(id), 0) FROM import_runs)",
    )
    .ctx("preparing the data stamp")?
    .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .ctx("reading the data stamp")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("c.db")).expect("open");
        (dir, store)
    }

    fn user(login: &str, role: Role) -> User {
        User {
            login: login.into(),
            role,
            unit_id: Some("U01".into()),
            officer_id: Some("U01-O01".into()),
            disabled: false,
            created_at: 1,
        }
    }

    #[test]
    fn users_are_added_once_and_disabled_with_their_sessions() {
        let (_d, mut s) = store();
        add_user(&mut s, &user("zhang", Role::Officer), "h").expect("add");
        assert!(matches!(add_user(&mut s, &user("zhang", Role::Legal), "h"), Err(StoreError::Usage(_))));
        save_session(&mut s, "sid", "zhang", "{}", 100).expect("session");
        assert_eq!(load_session(&s.conn, "sid", 50).expect("load"), Some(("{}".into(), 100)));
        assert_eq!(load_session(&s.conn, "sid", 100).expect("load"), None, "expired at its expiry");
        assert!(disable_user(&mut s, "zhang", 2).expect("disable"));
        assert_eq!(load_session(&s.conn, "sid", 50).expect("load"), None);
        let (u, hash) = super::user(&s.conn, "zhang").expect("read").expect("exists");
        assert!(u.disabled);
        assert_eq!(hash, "h");
        assert!(!disable_user(&mut s, "nobody", 2).expect("disable"));
    }

    #[test]
    fn roles_need_their_unit_or_officer() {
        let (_d, mut s) = store();
        let mut u = user("li", Role::Supervisor);
        u.unit_id = None;
        assert!(add_user(&mut s, &u, "h").is_err());
    }

    #[test]
    fn failed_logins_are_counted_in_the_window_and_forgotten_after() {
        let (_d, mut s) = store();
        for at in [10, 20, 30] {
            record_login_failure(&mut s, "wang", at, 0).expect("record");
        }
        assert_eq!(login_failures(&s.conn, "wang", 15, 5).expect("read"), vec![30, 20]);
        record_login_failure(&mut s, "wang", 40, 25).expect("record");
        assert_eq!(login_failures(&s.conn, "wang", 0, 5).expect("read"), vec![40, 30]);
        assert!(login_failures(&s.conn, "li", 0, 5).expect("read").is_empty());
    }

    #[test]
    fn case_views_are_kept() {
        let (_d, mut s) = store();
        record_case_view(&mut s, "a", "C1", 5).expect("view");
        record_case_view(&mut s, "b", "C1", 6).expect("view");
        assert_eq!(case_views(&s.conn, "C1", 10).expect("read"), vec![("b".into(), 6), ("a".into(), 5)]);
    }
}

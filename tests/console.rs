//! The console over HTTP (issue #18): each role's scope, 401/403/429, CSRF, session expiry,
//! events naming the logged-in user, writes while the database is locked, and no person's
//! full name on any page but the case page of the legal role.
//!
//! One generated sample (400 cases, audited as of 2026-06-30) is made once and copied for
//! each test; each test runs its own server in this process on 127.0.0.1 with a clock it
//! moves by hand.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use xuncha::console::{self, auth, Clock, Options};
use xuncha::engine::RuleSet;
use xuncha::store::console::{self as cs, Role, User};
use xuncha::store::{findings, Store};

use crate::util::{root, Xuncha};

pub const PASSWORD: &str = "correct horse battery";

/// The generated sample, audited once: the database, and every person's full name.
pub struct Sample {
    _x: Xuncha,
    pub db: PathBuf,
    pub person_names: BTreeSet<String>,
    pub officer_names: BTreeSet<String>,
}

pub fn sample() -> &'static Sample {
    static S: OnceLock<Sample> = OnceLock::new();
    S.get_or_init(|| {
        let x = Xuncha::new();
        let (cases, _) = x.gen(400, 11, 0.3);
        let r = x.run(["audit", cases.to_str().unwrap_or_default(), "--as-of", "2026-06-30"]);
        assert!(r.code <= 1, "audit failed: {}", r.stderr);
        let mut person_names = BTreeSet::new();
        let mut officer_names = BTreeSet::new();
        for line in std::fs::read_to_string(&cases).expect("cases").lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("case json");
            for p in v["persons"].as_array().into_iter().flatten() {
                if let Some(n) = p["name"].as_str() {
                    if p["is_unit"] != serde_json::Value::Bool(true) {
                        person_names.insert(n.to_owned());
                    }
                }
            }
            for o in v["officers"].as_array().into_iter().flatten() {
                if let Some(n) = o["name"].as_str() {
                    officer_names.insert(n.to_owned());
                }
            }
        }
        let db = x.db();
        Sample { _x: x, db, person_names, officer_names }
    })
}

pub fn rules() -> Arc<RuleSet> {
    static R: OnceLock<Arc<RuleSet>> = OnceLock::new();
    R.get_or_init(|| Arc::new(RuleSet::load(&root().join("rules")).expect("rules"))).clone()
}

/// 2026-07-01 09:00 in Shanghai.
pub const START: i64 = 1_782_867_600;

/// A console on a copy of the sample, with three users.
pub struct Server {
    pub base: String,
    pub db: PathBuf,
    pub clock: Arc<AtomicI64>,
    pub officer: String,
    pub unit: String,
    _dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(false)
    }

    /// A console whose cookies are marked Secure, as over TLS or `--behind-proxy`.
    pub fn start_with(secure_cookies: bool) -> Server {
        let s = sample();
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("console.db");
        std::fs::copy(&s.db, &db).expect("copy the sample");
        let (officer, unit) = busiest_officer(&db);
        let mut store = Store::open(&db).expect("open");
        let hash = auth::hash_password(PASSWORD).expect("hash");
        for (login, role, u, o) in [
            ("fazhi", Role::Legal, None, None),
            ("suozhang", Role::Supervisor, Some(unit.clone()), None),
            ("minjing", Role::Officer, Some(unit.clone()), Some(officer.clone())),
        ] {
            let user = User { login: login.into(), role, unit_id: u, officer_id: o, disabled: false, created_at: 0 };
            cs::add_user(&mut store, &user, &hash).expect("add user");
        }
        drop(store);
        let (clock, offset) = Clock::manual(START);
        let opts = Options {
            db: db.clone(),
            rules: rules(),
            idle: Duration::from_secs(8 * 3600),
            secure_cookies,
            clock,
            readers: 2,
        };
        let app = console::app(opts).expect("app");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        listener.set_nonblocking(true).expect("nonblocking");
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
            rt.block_on(async move {
                let l = tokio::net::TcpListener::from_std(listener).expect("listener");
                let _ = console::serve(l, app).await;
            });
        });
        Server { base: format!("http://{addr}"), db, clock: offset, officer, unit, _dir: dir }
    }

    pub fn advance(&self, secs: i64) {
        self.clock.fetch_add(secs, Ordering::SeqCst);
    }

    pub fn client(&self) -> Client {
        Client { base: self.base.clone(), cookie: None, agent: agent() }
    }

    /// A client logged in as `login`.
    pub fn login(&self, login: &str) -> Client {
        let mut c = self.client();
        let r = c.post_form("/login", &[("login", login), ("password", PASSWORD)]);
        assert_eq!(r.status, 303, "login as {login}: {}", r.body);
        c
    }

    pub fn store(&self) -> Store {
        Store::open_read_only(&self.db).expect("open")
    }
}

/// The officer named by the most findings, and their unit.
fn busiest_officer(db: &Path) -> (String, String) {
    let store = Store::open_read_only(db).expect("open");
    store
        .conn
        .query_row(
            "SELECT o.officer_id, f.unit_id FROM finding_officers o JOIN findings f ON f.id = o.finding_id
             GROUP BY 1, 2 ORDER BY count(*) DESC, 1 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("an officer with findings")
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(120)))
            .build(),
    )
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub struct Client {
    pub base: String,
    pub cookie: Option<String>,
    agent: ureq::Agent,
}

impl Client {
    fn finish(&mut self, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let mut r = r.expect("request");
        let headers: Vec<(String, String)> = r
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        for (k, v) in &headers {
            if k.eq_ignore_ascii_case("set-cookie") {
                let pair = v.split(';').next().unwrap_or_default().to_owned();
                let expired = v.contains("Max-Age=0") || pair.ends_with('=');
                self.cookie = if expired { None } else { Some(pair) };
            }
        }
        let body = r.body_mut().with_config().limit(64 * 1024 * 1024).read_to_string().unwrap_or_default();
        Reply { status: r.status().as_u16(), headers, body }
    }

    pub fn get(&mut self, path: &str) -> Reply {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        let r = req.call();
        self.finish(r)
    }

    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut req = self.agent.post(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        let r = req.send_form(fields.iter().copied());
        self.finish(r)
    }

    pub fn post_json(&mut self, path: &str, body: &serde_json::Value, csrf: Option<&str>) -> Reply {
        let mut req = self.agent.post(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("Cookie", c);
        }
        if let Some(t) = csrf {
            req = req.header("X-CSRF-Token", t);
        }
        let r = req.send_json(body);
        self.finish(r)
    }

    pub fn csrf(&mut self) -> String {
        let r = self.get("/api/session");
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["csrf_token"].as_str().expect("token").to_owned()
    }

    pub fn findings(&mut self, query: &str) -> Vec<serde_json::Value> {
        let r = self.get(&format!("/api/findings?limit=1000&{query}"));
        assert_eq!(r.status, 200, "{}", r.body);
        r.json().as_array().cloned().unwrap_or_default()
    }
}

/// A finding id in the database outside `unit`, and one naming none of `officer`.
fn outside(server: &Server) -> (i64, i64) {
    let s = server.store();
    let other_unit: i64 = s
        .conn
        .query_row("SELECT id FROM findings WHERE unit_id <> ?1 ORDER BY id LIMIT 1", [&server.unit], |r| r.get(0))
        .expect("a finding of another unit");
    let not_officer: i64 = s
        .conn
        .query_row(
            "SELECT id FROM findings WHERE unit_id = ?2 AND id NOT IN (SELECT finding_id FROM finding_officers WHERE officer_id = ?1) ORDER BY id LIMIT 1",
            [&server.officer, &server.unit],
            |r| r.get(0),
        )
        .expect("a finding of the unit not naming the officer");
    (other_unit, not_officer)
}

fn open_finding_of(server: &Server, officer: &str) -> i64 {
    server
        .store()
        .conn
        .query_row(
            "SELECT f.id FROM findings f JOIN finding_officers o ON o.finding_id = f.id
             WHERE o.officer_id = ?1 AND f.status = 'open' ORDER BY f.id LIMIT 1",
            [officer],
            |r| r.get(0),
        )
        .expect("an open finding of the officer")
}

#[test]
fn login_sets_a_strict_http_only_cookie_and_a_wrong_password_is_401() {
    let server = Server::start();
    let mut c = server.client();
    let r = c.post_form("/login", &[("login", "fazhi"), ("password", "not the password")]);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("用户名或密码错误"));
    let r = c.post_form("/login", &[("login", "nobody"), ("password", PASSWORD)]);
    assert_eq!(r.status, 401, "an unknown login is told the same");
    let r = c.post_form("/login", &[("login", "minjing"), ("password", PASSWORD)]);
    assert_eq!(r.status, 303);
    let cookie = r.header("set-cookie").expect("a session cookie");
    assert!(cookie.starts_with("xuncha_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let s = c.get("/api/session").json();
    assert_eq!(s["login"], "minjing");
    assert_eq!(s["role"], "officer");
    assert_eq!(s["unit"], server.unit.as_str());
    assert_eq!(s["officer"], server.officer.as_str());
    assert_eq!(s["csrf_token"].as_str().map(str::len), Some(64));
    let r = c.get("/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("首页"));
}

#[test]
fn five_failures_of_one_login_lock_it_for_fifteen_minutes() {
    let server = Server::start();
    let mut c = server.client();
    for _ in 0..5 {
        assert_eq!(c.post_form("/login", &[("login", "suozhang"), ("password", "wrong password")]).status, 401);
    }
    let r = c.post_form("/login", &[("login", "suozhang"), ("password", PASSWORD)]);
    assert_eq!(r.status, 429, "even the right password, until the window passes");
    let retry: i64 = r.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=900).contains(&retry), "{retry}");
    // another login is not affected
    assert_eq!(c.post_form("/login", &[("login", "fazhi"), ("password", PASSWORD)]).status, 303);
    server.advance(14 * 60);
    assert_eq!(server.client().post_form("/login", &[("login", "suozhang"), ("password", PASSWORD)]).status, 429);
    server.advance(60 + 1);
    assert_eq!(server.client().post_form("/login", &[("login", "suozhang"), ("password", PASSWORD)]).status, 303);
}

#[test]
fn without_a_session_everything_is_401() {
    let server = Server::start();
    let mut c = server.client();
    for path in [
        "/",
        "/findings",
        "/findings/1",
        "/findings.csv",
        "/officers",
        "/reports",
        "/cases/X",
        "/rules",
        "/api/session",
        "/api/findings",
    ] {
        assert_eq!(c.get(path).status, 401, "{path}");
    }
    assert_eq!(c.post_json("/api/findings/1/rectify", &serde_json::json!({"note": "x"}), Some("t")).status, 401);
    assert_eq!(c.post_form("/findings/1/action", &[("action", "rectify"), ("note", "x")]).status, 401);
    // the login page itself is open
    assert_eq!(c.get("/login").status, 200);
    // a page asked for without a session offers the login form, which comes back to it
    let r = c.get("/findings?status=open");
    assert_eq!(r.status, 401);
    assert!(r.body.contains(r#"name="next" value="/findings?status=open""#), "{}", r.body);
}

#[test]
fn a_state_change_needs_the_sessions_csrf_token() {
    let server = Server::start();
    let mut c = server.login("minjing");
    let id = open_finding_of(&server, &server.officer);
    let path = format!("/api/findings/{id}/rectify");
    let note = serde_json::json!({"note": "已补正"});
    assert_eq!(c.post_json(&path, &note, None).status, 403);
    assert_eq!(c.post_json(&path, &note, Some("0123")).status, 403);
    let form = format!("/findings/{id}/action");
    assert_eq!(c.post_form(&form, &[("action", "rectify"), ("note", "已补正")]).status, 403);
    assert_eq!(c.post_form(&form, &[("action", "rectify"), ("note", "已补正"), ("csrf_token", "bad")]).status, 403);
    // another session's token is not this session's
    let other = server.login("minjing").csrf();
    assert_eq!(c.post_json(&path, &note, Some(&other)).status, 403);
    assert_eq!(c.post_form("/logout", &[]).status, 403);
    let status: String =
        server.store().conn.query_row("SELECT status FROM findings WHERE id = ?1", [id], |r| r.get(0)).expect("status");
    assert_eq!(status, "open", "nothing changed");
    let token = c.csrf();
    assert_eq!(c.post_json(&path, &note, Some(&token)).status, 200);
    assert_eq!(c.post_form("/logout", &[("csrf_token", &token)]).status, 303);
    assert_eq!(c.get("/api/session").status, 401, "logged out");
}

#[test]
fn an_action_is_an_event_by_the_logged_in_user() {
    let server = Server::start();
    let mut officer = server.login("minjing");
    let id = open_finding_of(&server, &server.officer);
    let token = officer.csrf();
    let r = officer.post_json(
        &format!("/api/findings/{id}/rectify"),
        &serde_json::json!({"note": "已补送通知书"}),
        Some(&token),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "rectified");
    let events = findings::events(&server.store(), id).expect("events");
    let last = events.last().expect("an event");
    assert_eq!(
        (last.to.as_str(), last.by.as_str(), last.note.as_deref()),
        ("rectified", "minjing", Some("已补送通知书"))
    );
    // the legal officer reopens it through the page's form
    let mut legal = server.login("fazhi");
    let token = legal.csrf();
    let r = legal.post_form(
        &format!("/findings/{id}/action"),
        &[("action", "reopen"), ("note", "整改不到位"), ("csrf_token", &token)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let events = findings::events(&server.store(), id).expect("events");
    assert_eq!(events.last().map(|e| (e.to.as_str(), e.by.as_str())), Some(("open", "fazhi")));
    // an officer may not push, waive or reopen, even in scope
    let token = officer.csrf();
    for action in ["push", "waive", "reopen"] {
        let r = officer
            .post_form(&format!("/findings/{id}/action"), &[("action", action), ("note", "x"), ("csrf_token", &token)]);
        assert_eq!(r.status, 403, "{action}");
    }
    // a rectification needs its note
    let r = officer.post_json(&format!("/api/findings/{id}/rectify"), &serde_json::json!({"note": "  "}), Some(&token));
    assert_eq!(r.status, 400);
}

#[test]
fn each_role_sees_its_scope_only() {
    let server = Server::start();
    let (other_unit, not_officer) = outside(&server);

    let mut officer = server.login("minjing");
    let mine = officer.findings("");
    assert!(!mine.is_empty());
    for f in &mine {
        assert!(f["officer_ids"].as_array().into_iter().flatten().any(|o| o == server.officer.as_str()), "{f}");
    }
    assert_eq!(officer.get(&format!("/findings/{not_officer}")).status, 404);
    assert_eq!(officer.get(&format!("/findings/{other_unit}")).status, 404);
    let token = officer.csrf();
    let r = officer.post_json(
        &format!("/api/findings/{not_officer}/rectify"),
        &serde_json::json!({"note": "x"}),
        Some(&token),
    );
    assert_eq!(r.status, 404);
    assert_eq!(officer.get("/units").status, 403);
    assert_eq!(officer.get("/reports").status, 403);
    assert_eq!(officer.get("/reports/daily/2026-06-30/html").status, 403);
    // asking for another officer's list with a filter changes nothing
    let theirs = officer.findings("officer=U99-O99");
    assert!(theirs.is_empty());
    let r = officer.get("/officers");
    assert_eq!(r.status, 303, "an officer goes to their own list");

    let mut sup = server.login("suozhang");
    let unit = sup.findings("");
    assert!(unit.len() >= mine.len());
    assert!(unit.iter().all(|f| f["unit_id"] == server.unit.as_str()));
    assert!(
        sup.findings("unit=U99").is_empty()
            || sup.findings("unit=U99").iter().all(|f| f["unit_id"] == server.unit.as_str())
    );
    assert_eq!(sup.get(&format!("/findings/{not_officer}")).status, 200);
    assert_eq!(sup.get(&format!("/findings/{other_unit}")).status, 404);
    let token = sup.csrf();
    let r =
        sup.post_json(&format!("/api/findings/{other_unit}/rectify"), &serde_json::json!({"note": "x"}), Some(&token));
    assert_eq!(r.status, 404, "another unit's finding cannot be rectified");
    let r = sup.post_form(
        &format!("/findings/{not_officer}/action"),
        &[("action", "waive"), ("note", "x"), ("csrf_token", &token)],
    );
    assert_eq!(r.status, 403, "a supervisor does not waive");
    let other_case: String = server
        .store()
        .conn
        .query_row("SELECT case_id FROM cases WHERE unit_id <> ?1 LIMIT 1", [&server.unit], |r| r.get(0))
        .expect("a case of another unit");
    assert_eq!(sup.get(&format!("/cases/{other_case}")).status, 403);
    assert_eq!(sup.get("/cases/NO-SUCH-CASE").status, 404);
    let units = sup.get("/units");
    assert_eq!(units.status, 200);

    let mut legal = server.login("fazhi");
    let all = legal.findings("");
    assert!(all.iter().any(|f| f["unit_id"] != server.unit.as_str()), "legal sees every unit");
    assert_eq!(legal.get(&format!("/findings/{other_unit}")).status, 200);
    assert_eq!(legal.get(&format!("/cases/{other_case}")).status, 200);
}

#[test]
fn the_list_filters_and_pages() {
    let server = Server::start();
    let mut legal = server.login("fazhi");
    let review = legal.findings("level=review");
    assert!(review.iter().all(|f| f["level"] == "review"));
    let open = legal.findings("status=open&level=violation");
    assert!(!open.is_empty());
    assert!(open.iter().all(|f| f["status"] == "open" && f["level"] == "violation"));
    let g = open[0]["group"].as_str().unwrap_or_default().to_owned();
    assert!(legal.findings(&format!("group={g}")).iter().all(|f| f["group"] == g.as_str()));
    let page = legal.get("/findings?status=open");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("下一页") || open.len() <= 50);
    let p2 = legal.get("/findings?status=open&page=2");
    assert_eq!(p2.status, 200);
    let csv = legal.get("/findings.csv?status=open&level=violation");
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'));
    assert_eq!(csv.body.lines().count(), open.len() + 1, "the whole filtered list, and its header");
    assert!(legal.get("/findings?status=bogus").status == 400);
}

#[test]
fn a_session_ends_after_eight_idle_hours() {
    let server = Server::start();
    let mut c = server.login("suozhang");
    server.advance(7 * 3600);
    assert_eq!(c.get("/api/session").status, 200, "seven hours idle");
    server.advance(7 * 3600);
    assert_eq!(c.get("/api/session").status, 200, "seven more, after a request");
    server.advance(8 * 3600 + 60);
    assert_eq!(c.get("/api/session").status, 401, "eight hours idle");
    assert_eq!(c.get("/findings").status, 401);
}

#[test]
fn every_case_view_is_logged() {
    let server = Server::start();
    let case: String = server
        .store()
        .conn
        .query_row(
            "SELECT c.case_id FROM cases c, json_each(c.officer_ids) j WHERE j.value = ?1 LIMIT 1",
            [&server.officer],
            |r| r.get(0),
        )
        .expect("a case of the officer");
    let mut officer = server.login("minjing");
    let r = officer.get(&format!("/cases/{case}"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("各规则结论"));
    server.advance(60);
    let mut legal = server.login("fazhi");
    let r = legal.get(&format!("/cases/{case}"));
    assert_eq!(r.status, 200);
    let views = cs::case_views(&server.store().conn, &case, 10).expect("views");
    assert_eq!(views, vec![("fazhi".to_owned(), START + 60), ("minjing".to_owned(), START)]);
    assert!(r.body.contains("minjing"), "the legal role sees who looked");
}

#[test]
fn a_write_waits_while_the_audit_holds_the_lock_and_pages_still_read() {
    let server = Server::start();
    let mut officer = server.login("minjing");
    let id = open_finding_of(&server, &server.officer);
    let token = officer.csrf();
    // another process takes the write lock, as an audit chunk does
    let mut holder = Store::open(&server.db).expect("open");
    let (tx, rx) = std::sync::mpsc::channel();
    let t = std::thread::spawn(move || {
        let lock = holder.write_tx().expect("lock");
        tx.send(()).expect("send");
        // an audit chunk holds the lock for a moment, then commits
        std::thread::sleep(Duration::from_millis(1500));
        lock.commit().expect("commit");
    });
    rx.recv().expect("locked");
    // pages still answer (a session's refresh may wait for the chunk to commit)
    assert_eq!(officer.get("/findings").status, 200);
    assert_eq!(officer.get(&format!("/findings/{id}")).status, 200);
    let r =
        officer.post_json(&format!("/api/findings/{id}/rectify"), &serde_json::json!({"note": "已整改"}), Some(&token));
    assert_eq!(r.status, 200, "the write waited for the lock: {}", r.body);
    t.join().expect("join");
}

/// Every page a role reaches, crawled: no person's full name outside the case page of the
/// legal role (names that are also an officer's name are left out: officers are named).
#[test]
fn no_full_person_name_on_any_page_but_the_legal_case_page() {
    let server = Server::start();
    let s = sample();
    let names: Vec<&String> =
        s.person_names.iter().filter(|n| n.chars().count() >= 2 && !s.officer_names.contains(*n)).collect();
    assert!(names.len() > 20, "the sample names persons");
    let check = |who: &str, path: &str, body: &str| {
        for n in &names {
            assert!(!body.contains(n.as_str()), "{who} {path} shows the full name {n}");
        }
    };
    let cases: Vec<String> = {
        let st = server.store();
        let mut stmt = st.conn.prepare("SELECT DISTINCT case_id FROM findings ORDER BY id LIMIT 8").expect("prepare");
        stmt.query_map([], |r| r.get(0)).expect("cases").map(|r| r.expect("case")).collect()
    };
    let mut named_on_legal_case_page = false;
    for who in ["fazhi", "suozhang", "minjing"] {
        let mut c = server.login(who);
        let mut paths: Vec<String> = [
            "/",
            "/findings",
            "/findings?page=2",
            "/findings?level=review",
            "/findings.csv",
            "/api/findings?limit=1000",
            "/officers",
            "/units",
            "/rules",
            "/api/session",
            "/reports",
            "/reports/monthly/2026-06/html",
            "/reports/weekly/2026-W26/text",
            "/reports/daily/2026-06-30/csv",
        ]
        .iter()
        .map(|p| (*p).to_owned())
        .collect();
        for f in c.findings("").iter().take(40) {
            paths.push(format!("/findings/{}", f["id"]));
            for o in f["officer_ids"].as_array().into_iter().flatten() {
                paths.push(format!("/officers/{}", o.as_str().unwrap_or_default()));
            }
        }
        paths.sort();
        paths.dedup();
        for p in &paths {
            let r = c.get(p);
            assert!(matches!(r.status, 200 | 303 | 403), "{who} {p}: {}", r.status);
            check(who, p, &r.body);
        }
        for case in &cases {
            let r = c.get(&format!("/cases/{case}"));
            if who == "fazhi" {
                named_on_legal_case_page |= names.iter().any(|n| r.body.contains(n.as_str()));
            } else {
                check(who, case, &r.body);
            }
        }
    }
    assert!(named_on_legal_case_page, "the legal role sees persons in full on the case page");
}

#[test]
fn the_user_commands_add_list_and_disable() {
    let x = Xuncha::new();
    let add = |args: &[&str], pw: &str| {
        let out = assert_cmd::Command::cargo_bin("xuncha")
            .expect("binary")
            .current_dir(root())
            .arg("--db")
            .arg(x.db())
            .args(["user", "add"])
            .args(args)
            .arg("--password-stdin")
            .write_stdin(format!("{pw}\n"))
            .output()
            .expect("run");
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = add(&["wang", "--role", "officer", "--officer", "U01-O01"], "short");
    assert_eq!(code, 2);
    assert!(err.contains("at least 10"), "{err}");
    assert_eq!(add(&["wang", "--role", "officer", "--officer", "U01-O01", "--unit", "U01"], PASSWORD).0, 0);
    let (code, err) = add(&["li", "--role", "supervisor"], PASSWORD);
    assert_eq!(code, 2);
    assert!(err.contains("--unit"), "{err}");
    assert_eq!(add(&["wang", "--role", "legal"], PASSWORD).0, 2, "a login is added once");
    let r = x.run(["user", "list", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()[0]["login"], "wang");
    assert_eq!(r.json()[0]["role"], "officer");
    assert!(!r.stdout.contains("argon2"), "no hash is listed");
    let stored: String = Store::open_read_only(&x.db())
        .expect("open")
        .conn
        .query_row("SELECT password_hash FROM console_users WHERE login = 'wang'", [], |r| r.get(0))
        .expect("hash");
    assert!(stored.starts_with("$argon2id$"));
    let passwd = |login: &str, pw: &str| {
        let out = assert_cmd::Command::cargo_bin("xuncha")
            .expect("binary")
            .current_dir(root())
            .arg("--db")
            .arg(x.db())
            .args(["user", "passwd", login, "--password-stdin"])
            .write_stdin(format!("{pw}\n"))
            .output()
            .expect("run");
        out.status.code().unwrap_or(-1)
    };
    assert_eq!(passwd("wang", "too short"), 2);
    assert_eq!(passwd("nobody", "a new long passphrase"), 2);
    assert_eq!(passwd("wang", "a new long passphrase"), 0);
    let changed: String = Store::open_read_only(&x.db())
        .expect("open")
        .conn
        .query_row("SELECT password_hash FROM console_users WHERE login = 'wang'", [], |r| r.get(0))
        .expect("hash");
    assert!(changed != stored && auth::verify_password("a new long passphrase", &changed));
    assert_eq!(x.run(["user", "disable", "wang"]).code, 0);
    assert!(x.run(["user", "list"]).stdout.contains("(disabled)"));
    assert_eq!(x.run(["user", "disable", "nobody"]).code, 2);
}

#[test]
fn serving_a_public_address_needs_tls_or_a_proxy() {
    let x = Xuncha::new();
    let r = x.run(["serve", "--listen", "0.0.0.0:18080"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("refusing to serve") && r.stderr.contains("--behind-proxy"), "{}", r.stderr);
}

#[test]
fn cookies_are_secure_when_served_over_tls_or_behind_a_proxy() {
    let server = Server::start_with(true);
    let r = server.client().post_form("/login", &[("login", "fazhi"), ("password", PASSWORD)]);
    assert_eq!(r.status, 303);
    let cookie = r.header("set-cookie").expect("a session cookie");
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
}

#[test]
fn a_disabled_user_is_logged_out_and_cannot_log_in() {
    let server = Server::start();
    let mut c = server.login("suozhang");
    assert_eq!(c.get("/api/session").status, 200);
    let mut store = Store::open(&server.db).expect("open");
    assert!(cs::disable_user(&mut store, "suozhang", START).expect("disable"));
    drop(store);
    assert_eq!(c.get("/api/session").status, 401, "their session ended");
    let r = server.client().post_form("/login", &[("login", "suozhang"), ("password", PASSWORD)]);
    assert_eq!(r.status, 401);
}

#[test]
fn the_legal_role_freezes_and_unfreezes_a_period_from_the_reports_page() {
    let server = Server::start();
    let frozen_by = |server: &Server| -> Option<String> {
        server
            .store()
            .conn
            .query_row("SELECT frozen_by FROM frozen_periods WHERE kind = 'day' AND period = '2026-06-30'", [], |r| {
                r.get(0)
            })
            .ok()
    };
    let day = [("kind", "daily"), ("date", "2026-06-30")];
    // a supervisor may read the reports but not freeze them
    let mut sup = server.login("suozhang");
    let token = sup.csrf();
    let r = sup.post_form("/reports/freeze", &[day[0], day[1], ("action", "freeze"), ("csrf_token", &token)]);
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(!sup.get("/reports?kind=daily&date=2026-06-30").body.contains("action=\"/reports/freeze\""));

    let mut legal = server.login("fazhi");
    let page = legal.get("/reports?kind=daily&date=2026-06-30");
    assert!(page.body.contains("2026-06-30 已结束，尚未冻结"), "{}", page.body);
    assert_eq!(legal.post_form("/reports/freeze", &[day[0], day[1], ("action", "freeze")]).status, 403, "no token");
    assert_eq!(frozen_by(&server), None);
    let token = legal.csrf();
    let r = legal.post_form("/reports/freeze", &[day[0], day[1], ("action", "freeze"), ("csrf_token", &token)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(frozen_by(&server).as_deref(), Some("fazhi"), "the freeze names the logged-in user");
    assert!(legal.get("/reports?kind=daily&date=2026-06-30").body.contains(" 由 fazhi 冻结"));
    // a period that has not ended is refused, and so is an unfreeze without a reason
    let r = legal.post_form(
        "/reports/freeze",
        &[("kind", "daily"), ("date", "2026-07-01"), ("action", "freeze"), ("csrf_token", &token)],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("has not ended"), "{}", r.body);
    let r = legal.post_form("/reports/freeze", &[day[0], day[1], ("action", "unfreeze"), ("csrf_token", &token)]);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(frozen_by(&server).as_deref(), Some("fazhi"));
    let r = legal.post_form(
        "/reports/freeze",
        &[day[0], day[1], ("action", "unfreeze"), ("note", "补录迟到案件"), ("csrf_token", &token)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(frozen_by(&server), None);
    let logged: (String, String) = server
        .store()
        .conn
        .query_row(
            "SELECT by, note FROM freeze_log WHERE kind = 'day' AND period = '2026-06-30' AND action = 'unfreeze'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the unfreeze is logged");
    assert_eq!(logged, ("fazhi".to_owned(), "补录迟到案件".to_owned()));
}

#[test]
fn the_dashboard_lists_the_running_deadlines_of_the_callers_scope() {
    let server = Server::start();
    // the deadlines the audit left running in the next 7 days from the console's clock
    let rows: Vec<(String, String)> = {
        let store = server.store();
        let mut q = store
            .conn
            .prepare("SELECT case_id, officer_ids FROM due WHERE deadline BETWEEN ?1 AND ?2 ORDER BY deadline")
            .expect("query");
        let rows = q
            .query_map([START, START + 7 * 86_400], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        rows
    };
    assert!(!rows.is_empty(), "the sample has running deadlines after its audit date");
    let mut legal = server.login("fazhi");
    let page = legal.get("/").body;
    assert!(page.contains("即将到期（预警）"), "{page}");
    assert!(page.contains(&format!("7 日内到期 <strong>{}</strong> 项", rows.len())), "{page}");
    assert!(page.contains(&format!("/cases/{}", rows[0].0)), "the soonest is listed");
    // an officer sees only the deadlines naming them
    let mut officer = server.login("minjing");
    let page = officer.get("/").body;
    assert!(page.contains("即将到期（预警）"), "{page}");
    let mine = rows.iter().filter(|(_, o)| o.contains(&format!("\"{}\"", server.officer))).count();
    if mine > 0 {
        assert!(page.contains(&format!("7 日内到期 <strong>{mine}</strong> 项")), "{page}");
    }
    let cases_of_mine: BTreeSet<&String> =
        rows.iter().filter(|(_, o)| o.contains(&format!("\"{}\"", server.officer))).map(|(c, _)| c).collect();
    for (case, _) in rows.iter().take(20) {
        if !cases_of_mine.contains(case) {
            assert!(!page.contains(&format!("/cases/{case}\"")), "{case} is not the officer's deadline");
        }
    }
}

//! Crash safety (issue #4): `kill -9` at several points of an audit, then a rerun, gives the
//! same findings as an uninterrupted run, and the database passes its integrity check.
//! The audit uses the coercive-measure checks only (a complete rule set of its own, so the
//! incremental resume is exercised); crash safety does not depend on how many checks run.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{root, Xuncha};

const CASES: u64 = 50_000;

fn small_rules(t: &Xuncha) -> std::path::PathBuf {
    let dir = t.path("rules");
    std::fs::create_dir_all(dir.join("g06")).expect("mkdir");
    std::fs::copy(root().join("rules/categories.toml"), dir.join("categories.toml")).expect("catalog");
    std::fs::copy(root().join("rules/calendar.toml"), dir.join("calendar.toml")).expect("calendar");
    for e in std::fs::read_dir(root().join("rules/g06")).expect("g06") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.join("g06").join(p.file_name().expect("name"))).expect("copy");
    }
    dir
}

fn findings(t: &Xuncha, db: &std::path::Path) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(db).expect("db");
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity");
    assert_eq!(ok, "ok");
    drop(conn);
    let _ = t;
    let conn = rusqlite::Connection::open(db).expect("db");
    let mut s = conn
        .prepare(
            "SELECT case_id, rule_id, subject, status, message, evidence, officer_ids, first_seen, last_seen, recurrences
             FROM findings ORDER BY case_id, rule_id, subject",
        )
        .expect("prepare");
    let rows = s
        .query_map([], |r| (0..10).map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}"))).collect())
        .expect("query");
    rows.map(|r| r.expect("row")).collect()
}

/// Kills `child` with SIGKILL once `done` says so (or it ended, or ten minutes passed).
fn kill_9_once(mut child: std::process::Child, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() && start.elapsed() < Duration::from_secs(600) {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
}

fn audited(db: &std::path::Path) -> i64 {
    rusqlite::Connection::open(db)
        .and_then(|c| c.query_row("SELECT count(*) FROM cases WHERE audited_run IS NOT NULL", [], |r| r.get(0)))
        .unwrap_or(0)
}

#[test]
fn kill_9_then_rerun_gives_the_clean_result() {
    let t = Xuncha::new();
    let rules = small_rules(&t);
    let (cases, _) = t.gen(CASES, 11, 0.3);
    let rules = rules.to_str().unwrap_or_default().to_owned();
    let audit = |db: &std::path::Path| {
        assert_cmd::Command::cargo_bin("xuncha")
            .expect("bin")
            .current_dir(root())
            .args([
                "--db",
                db.to_str().unwrap_or_default(),
                "--rules",
                &rules,
                "--quiet",
                "audit",
                "--as-of",
                "2026-06-30",
            ])
            .output()
            .expect("audit")
    };
    let import = |db: &std::path::Path| {
        let out = assert_cmd::Command::cargo_bin("xuncha")
            .expect("bin")
            .args(["--db", db.to_str().unwrap_or_default(), "--quiet", "import", cases.to_str().unwrap_or_default()])
            .output()
            .expect("import");
        assert!(out.status.success());
    };

    // the clean run
    let clean = t.path("clean.db");
    import(&clean);
    assert!(audit(&clean).status.success());
    let expected = findings(&t, &clean);
    assert!(expected.len() > 500, "the set should raise many findings, got {}", expected.len());

    // killed at about a quarter, a half and three quarters of the way, then rerun
    for (n, fraction) in [0.25, 0.5, 0.75].into_iter().enumerate() {
        let db = t.path(&format!("crash-{n}.db"));
        import(&db);
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("xuncha"))
            .current_dir(root())
            .args([
                "--db",
                db.to_str().unwrap_or_default(),
                "--rules",
                &rules,
                "--quiet",
                "audit",
                "--as-of",
                "2026-06-30",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let target = (CASES as f64 * fraction) as i64;
        kill_9_once(child, || audited(&db) >= target);
        let done = audited(&db);
        assert!(done < CASES as i64, "the audit finished before it could be killed ({done} cases)");
        let rerun = audit(&db);
        assert!(rerun.status.success(), "{}", String::from_utf8_lossy(&rerun.stderr));
        assert_eq!(findings(&t, &db), expected, "after a kill at {done} cases");
    }
}

/// What an import leaves in a database, row for row, with its integrity check and indexes.
fn imported(db: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).expect("db");
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity");
    assert_eq!(ok, "ok");
    let mut out = Vec::new();
    for sql in [
        "SELECT case_id, kind, unit_id, unit_name, officer_ids, lead_officer, is_open, accepted_at, closed_at,
                content_hash FROM cases ORDER BY case_id",
        "SELECT case_id, raw FROM case_raw ORDER BY case_id",
        "SELECT case_id, record_id, officer_id, person_key, started_at, ended_at FROM xsessions
         ORDER BY case_id, record_id, officer_id",
        "SELECT case_id, record_id, person_key, what, at FROM xpersons ORDER BY case_id, record_id, what",
        "SELECT id, name, unit_id FROM officers ORDER BY id",
        "SELECT longest FROM xbounds",
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name",
    ] {
        let mut s = conn.prepare(sql).expect("prepare");
        let n = s.column_count();
        let rows = s
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("query");
        out.extend(rows.map(|r| r.expect("row").join("|")));
    }
    out
}

/// Issue #19: a first import drops the secondary indexes, builds them at its end and commits
/// every few seconds. `kill -9` in the middle leaves whole cases only (each with its raw record
/// and index rows); the next opening builds the indexes again, and importing the file again
/// ends with the same database as an uninterrupted import.
#[test]
fn kill_9_during_a_first_import_then_rerun_gives_the_clean_database() {
    let t = Xuncha::new();
    let (cases, _) = t.gen(CASES, 12, 0.3);
    let cases = cases.to_str().unwrap_or_default().to_owned();
    let import = |db: &std::path::Path| {
        let out = assert_cmd::Command::cargo_bin("xuncha")
            .expect("bin")
            .args(["--db", db.to_str().unwrap_or_default(), "--quiet", "import", &cases])
            .output()
            .expect("import");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    let clean = t.path("clean-import.db");
    import(&clean);
    let expected = imported(&clean);

    let db = t.path("killed-import.db");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("xuncha"))
        .args(["--db", db.to_str().unwrap_or_default(), "--quiet", "import", &cases])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stored = |db: &std::path::Path| -> i64 {
        rusqlite::Connection::open(db)
            .and_then(|c| c.query_row("SELECT count(*) FROM cases", [], |r| r.get(0)))
            .unwrap_or(0)
    };
    kill_9_once(child, || stored(&db) > 0);
    let conn = rusqlite::Connection::open(&db).expect("db");
    let (n, finished): (i64, Option<i64>) = conn
        .query_row("SELECT (SELECT count(*) FROM cases), (SELECT finished_at FROM import_runs)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("counts");
    assert!(n > 0 && finished.is_none(), "the import was not killed half way ({n} cases, finished {finished:?})");
    let lacking: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM cases WHERE case_id NOT IN (SELECT case_id FROM case_raw))
                  + (SELECT count(*) FROM case_raw WHERE case_id NOT IN (SELECT case_id FROM cases))
                  + (SELECT count(*) FROM xsessions WHERE case_id NOT IN (SELECT case_id FROM cases))",
            [],
            |r| r.get(0),
        )
        .expect("orphans");
    assert_eq!(lacking, 0, "a case was stored in part");
    drop(conn);
    import(&db);
    assert_eq!(imported(&db), expected, "after a kill at {n} cases");
}

/// Issue #19: `audit FILE` into an empty store checks each batch's cases while the batch
/// before is written, and writes a batch's cases, findings and stamps in one transaction.
/// `kill -9` half way, then the same command again (which finds a store with cases, and
/// imports before it audits), gives the findings of an uninterrupted run, with every rule and
/// the cross-case check P039 among them.
#[test]
fn kill_9_during_an_audit_of_a_file_then_rerun_gives_the_clean_result() {
    const N: u64 = 30_000;
    let t = Xuncha::new();
    let (cases, _) = t.gen(N, 13, 0.3);
    let cases = cases.to_str().unwrap_or_default().to_owned();
    let args = |db: &std::path::Path| -> Vec<String> {
        ["--db", db.to_str().unwrap_or_default(), "--quiet", "audit", &cases, "--as-of", "2026-06-30"]
            .map(str::to_owned)
            .to_vec()
    };
    let audit = |db: &std::path::Path| {
        let out = assert_cmd::Command::cargo_bin("xuncha")
            .expect("bin")
            .current_dir(root())
            .args(args(db))
            .output()
            .expect("audit");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    let clean = t.path("clean-audit.db");
    audit(&clean);
    let expected = findings(&t, &clean);
    assert!(expected.iter().any(|f| f[1].contains("P039")), "the set should raise cross-case findings");

    let db = t.path("killed-audit.db");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("xuncha"))
        .current_dir(root())
        .args(args(&db))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    kill_9_once(child, || audited(&db) > 0);
    let done = audited(&db);
    assert!(done > 0 && done < N as i64, "the audit was not killed half way ({done} cases audited)");
    audit(&db);
    assert_eq!(findings(&t, &db), expected, "after a kill at {done} cases");
}

//! A report freezes only what an audit has covered (issue #20), through the command line:
//! a period is live until a completed audit covers it, freezes then (or on `report freeze`),
//! keeps its figures when late data arrives, and counts that data as late additions in the
//! next period's report. A killed audit, or one still running, covers nothing.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{root, Xuncha};

const NOW: &str = "2026-07-01T08:00:00+08:00";

fn json(t: &Xuncha, args: &[&str]) -> serde_json::Value {
    let r = t.run(args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r.json()
}

fn report(t: &Xuncha, kind: &str, date: &str, now: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["--quiet", "report", kind, "--date", date, "--now", now, "--format", "json"];
    args.extend_from_slice(extra);
    json(t, &args)
}

/// Text without its line breaks (plain text wraps long lines).
fn flat(s: &str) -> String {
    s.replace('\n', "")
}

fn count(t: &Xuncha, sql: &str) -> i64 {
    t.sql(sql)[0][0].parse().unwrap_or(-1)
}

/// Counted findings first seen in `[from, to)` (RFC 3339 bounds).
fn counted_between(t: &Xuncha, from: &str, to: &str) -> i64 {
    count(
        t,
        &format!(
            "SELECT count(*) FROM findings WHERE preview = 0 AND level = 'violation'
               AND first_seen >= unixepoch('{from}') AND first_seen < unixepoch('{to}')"
        ),
    )
}

fn cases_between(t: &Xuncha, from: &str, to: &str) -> i64 {
    count(
        t,
        &format!(
            "SELECT count(*) FROM cases WHERE accepted_at >= unixepoch('{from}') AND accepted_at < unixepoch('{to}')"
        ),
    )
}

fn audit(t: &Xuncha, as_of: &str) {
    let r = t.run(["--quiet", "audit", "--as-of", as_of]);
    assert!(r.code == 0 || r.code == 1, "audit: {}", r.stderr);
}

const DAY: (&str, &str) = ("2026-06-30T00:00:00+08:00", "2026-07-01T00:00:00+08:00");
const JUNE: (&str, &str) = ("2026-06-01T00:00:00+08:00", "2026-07-01T00:00:00+08:00");

#[test]
fn a_period_freezes_on_audit_coverage_and_counts_late_additions() {
    let t = Xuncha::new();
    let out = t.path("june.ndjson");
    let r = t.run([
        "gen",
        "--cases",
        "600",
        "--seed",
        "5",
        "--from",
        "2026-05-01",
        "--to",
        "2026-06-30",
        "--out",
        out.to_str().unwrap_or_default(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // two exports: the second arrives after June is frozen
    let text = std::fs::read_to_string(&out).expect("gen");
    let lines: Vec<&str> = text.lines().collect();
    // every other case: both halves span the two months
    let a: Vec<&str> = lines.iter().copied().step_by(2).collect();
    let b: Vec<&str> = lines.iter().copied().skip(1).step_by(2).collect();
    let first = t.write("a.ndjson", &format!("{}\n", a.join("\n")));
    let second = t.write("b.ndjson", &format!("{}\n", b.join("\n")));
    assert_eq!(t.run(["--quiet", "import", first.to_str().unwrap_or_default()]).code, 0);

    // before any audit: live, provisional, nothing frozen
    let r = report(&t, "daily", "2026-06-30", NOW, &[]);
    assert_eq!(r["frozen_at"], serde_json::Value::Null);
    assert_eq!((r["coverage"]["covered"].as_bool(), r["coverage"]["audit_as_of"].is_null()), (Some(false), true));
    assert_eq!(r["totals"]["new"], 0);
    let text = t.run(["report", "daily", "--date", "2026-06-30", "--now", NOW]);
    assert!(flat(&text.stdout).contains("尚无完成的巡查；本期尚未完成巡查，数字为临时数"), "{}", text.stdout);
    assert_eq!(count(&t, "SELECT count(*) FROM frozen_periods"), 0);

    // the audit of the day: the report counts every finding of that day, and freezes
    audit(&t, "2026-06-30");
    let day = report(&t, "daily", "2026-06-30", NOW, &[]);
    let found = counted_between(&t, DAY.0, DAY.1);
    assert!(found > 10, "the day has findings: {found}");
    assert_eq!(day["totals"]["new"], found);
    assert!(day["frozen_at"].is_string());
    assert_eq!(day["freeze"]["by"], "report");
    // asked again: already frozen
    let r = t.run(["report", "freeze", "daily", "--date", "2026-06-30", "--by", "法制员", "--now", NOW]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("was frozen already"), "{}", r.stdout);

    // the month, frozen on demand before anyone reads it
    let r = t.run(["report", "freeze", "monthly", "--date", "2026-06", "--by", "夜间任务", "--now", NOW]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("froze monthly 2026-06: the audit as of 2026-06-30T23:59:59+08:00 covers it"),
        "{}",
        r.stdout
    );
    let month = report(&t, "monthly", "2026-06", NOW, &[]);
    assert_eq!(month["freeze"]["by"], "夜间任务");
    assert_eq!(month["totals"]["new"], counted_between(&t, JUNE.0, JUNE.1));

    // the audit of 30 June does not cover 1 July
    let text = t.run(["report", "daily", "--date", "2026-07-01", "--now", "2026-07-02T09:00:00+08:00"]);
    assert!(
        flat(&text.stdout).contains("数据截至最近一次巡查 2026-06-30 24:00；本期尚未完成巡查，数字为临时数"),
        "{}",
        text.stdout
    );
    assert_eq!(count(&t, "SELECT count(*) FROM frozen_periods WHERE period = '2026-07-01'"), 0);
    // a period no audit covers is refused, unless forced with a note
    let r = t.run([
        "report",
        "freeze",
        "daily",
        "--date",
        "2026-07-01",
        "--by",
        "法制员",
        "--now",
        "2026-07-02T09:00:00+08:00",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no completed audit covers daily 2026-07-01"), "{}", r.stderr);
    let r = t.run(["report", "freeze", "daily", "--date", "2026-07-01", "--by", "法制员", "--force"]);
    assert_eq!(r.code, 2, "--force needs --note");
    let r = t.run([
        "report",
        "freeze",
        "daily",
        "--date",
        "2026-07-01",
        "--by",
        "法制员",
        "--force",
        "--note",
        "系统停机，当日无数据",
        "--now",
        "2026-07-02T09:00:00+08:00",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let log = t.sql("SELECT action, by, note, forced FROM freeze_log WHERE period = '2026-07-01'");
    assert_eq!(log, vec![vec!["freeze".to_owned(), "法制员".into(), "系统停机，当日无数据".into(), "1".into()]]);
    let text = t.run(["report", "daily", "--date", "2026-07-01", "--now", "2026-07-02T09:00:00+08:00"]);
    assert!(flat(&text.stdout).contains("强制冻结（系统停机，当日无数据）"), "{}", text.stdout);
    // a period that has not ended is never frozen
    let r = t.run([
        "report",
        "freeze",
        "daily",
        "--date",
        "2026-07-05",
        "--by",
        "x",
        "--force",
        "--note",
        "y",
        "--now",
        "2026-07-05T09:00:00+08:00",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("has not ended"), "{}", r.stderr);

    // late data: the second export, audited as of 30 June again
    let (june_before, found_before) = (cases_between(&t, JUNE.0, JUNE.1), found);
    assert_eq!(t.run(["--quiet", "import", second.to_str().unwrap_or_default()]).code, 0);
    audit(&t, "2026-06-30");
    let (cases_now, found_now) = (cases_between(&t, DAY.0, DAY.1), counted_between(&t, DAY.0, DAY.1));
    let june_now = cases_between(&t, JUNE.0, JUNE.1);
    assert!(
        found_now > found_before && june_now > june_before,
        "the second export adds to June and its audit to 30 June: findings {found_before} -> {found_now}, June cases {june_before} -> {june_now}"
    );
    // the published figures stick
    assert_eq!(report(&t, "daily", "2026-06-30", "2026-07-03T08:00:00+08:00", &[]), day);
    assert_eq!(report(&t, "monthly", "2026-06", "2026-07-03T08:00:00+08:00", &[]), month);
    // the next day's report counts them per period: nothing disappears between the two
    let next = report(&t, "daily", "2026-07-02", "2026-07-03T08:00:00+08:00", &[]);
    let late = next["late"].as_array().cloned().unwrap_or_default();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0]["period"], "2026-06-30");
    assert_eq!(day["totals"]["new"].as_i64().unwrap_or(0) + late[0]["findings"].as_i64().unwrap_or(0), found_now);
    assert_eq!(day["totals"]["cases"].as_i64().unwrap_or(0) + late[0]["cases"].as_i64().unwrap_or(0), cases_now);
    assert_eq!(next["late_findings"].as_array().map(Vec::len), late[0]["findings"].as_u64().map(|n| n as usize));
    // 1 July (forced frozen) got nothing late; it stands between, so 2 July's report lists
    // what arrived for 30 June after both froze
    let july = report(&t, "monthly", "2026-07", "2026-07-03T08:00:00+08:00", &[]);
    let late = july["late"].as_array().cloned().unwrap_or_default();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0]["period"], "2026-06");
    assert_eq!(
        month["totals"]["new"].as_i64().unwrap_or(0) + late[0]["findings"].as_i64().unwrap_or(0),
        counted_between(&t, JUNE.0, JUNE.1)
    );
    assert_eq!(
        month["totals"]["cases"].as_i64().unwrap_or(0) + late[0]["cases"].as_i64().unwrap_or(0),
        cases_between(&t, JUNE.0, JUNE.1)
    );
    // the live view of the frozen day: the present figures, and what came after it froze
    let live = report(&t, "daily", "2026-06-30", "2026-07-03T08:00:00+08:00", &["--live"]);
    assert_eq!((live["totals"]["new"].as_i64(), live["frozen_at"].is_null()), (Some(found_now), true));
    assert_eq!(live["late"][0]["findings"].as_i64().unwrap_or(0), found_now - found_before);
    let text = t.run(["report", "daily", "--date", "2026-07-02", "--now", "2026-07-03T08:00:00+08:00"]);
    assert!(flat(&text.stdout).contains("往期补录"), "{}", text.stdout);

    // repair: reopened, recorded, and frozen again on the next covered report
    let r = t.run([
        "report",
        "unfreeze",
        "daily",
        "--date",
        "2026-06-30",
        "--by",
        "法制科",
        "--note",
        "冻结时第二批数据未到",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let again = report(&t, "daily", "2026-06-30", "2026-07-03T08:00:00+08:00", &[]);
    assert_eq!(again["totals"]["new"], found_now);
    assert!(again["frozen_at"].is_string());
    let log = t.sql("SELECT action, by FROM freeze_log WHERE kind = 'day' AND period = '2026-06-30' ORDER BY id");
    let log: Vec<(String, String)> = log.into_iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    assert_eq!(
        log,
        vec![
            ("freeze".into(), "report".into()),
            ("unfreeze".into(), "法制科".into()),
            ("freeze".into(), "report".into())
        ]
    );
    let r = t.run(["report", "unfreeze", "daily", "--date", "2026-06-20", "--by", "法制科", "--note", "试"]);
    assert_eq!(r.code, 2, "not frozen: nothing to reopen");
}

// ---------------------------------------------------------------------------------------
// an audit killed midway, or still running, covers nothing

const CASES: u64 = 20_000;

fn small_rules(t: &Xuncha) -> String {
    let dir = t.path("rules");
    std::fs::create_dir_all(dir.join("g06")).expect("mkdir");
    std::fs::copy(root().join("rules/categories.toml"), dir.join("categories.toml")).expect("catalog");
    std::fs::copy(root().join("rules/calendar.toml"), dir.join("calendar.toml")).expect("calendar");
    for e in std::fs::read_dir(root().join("rules/g06")).expect("g06") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.join("g06").join(p.file_name().expect("name"))).expect("copy");
    }
    dir.to_str().unwrap_or_default().to_owned()
}

fn audited(t: &Xuncha) -> i64 {
    rusqlite::Connection::open(t.db())
        .and_then(|c| c.query_row("SELECT count(*) FROM cases WHERE audited_run IS NOT NULL", [], |r| r.get(0)))
        .unwrap_or(0)
}

#[test]
fn a_running_or_killed_audit_freezes_nothing() {
    let t = Xuncha::new();
    let rules = small_rules(&t);
    let (cases, _) = t.gen(CASES, 11, 0.3);
    assert_eq!(t.run(["--quiet", "import", cases.to_str().unwrap_or_default()]).code, 0);
    let day = |t: &Xuncha| {
        let r = t.run([
            "--rules",
            &rules,
            "--quiet",
            "report",
            "daily",
            "--date",
            "2026-06-30",
            "--now",
            NOW,
            "--format",
            "json",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.json()
    };
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("xuncha"))
            .current_dir(root())
            .args([
                "--db",
                t.db().to_str().unwrap_or_default(),
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
            .expect("spawn")
    };
    let mut child = spawn();
    let start = Instant::now();
    while audited(&t) < (CASES / 5) as i64 && start.elapsed() < Duration::from_secs(600) {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // asked while the audit runs: live, nothing frozen
    let r = day(&t);
    let running = child.try_wait().ok().flatten().is_none();
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    assert!(running, "the audit finished before the report was made; make CASES larger");
    assert!(r["frozen_at"].is_null() && r["coverage"]["covered"] == false, "{}", r["coverage"]);
    assert_eq!(count(&t, "SELECT count(*) FROM frozen_periods"), 0);
    // killed midway: its run never finished, and still covers nothing
    assert!(audited(&t) < CASES as i64);
    assert_eq!(count(&t, "SELECT count(*) FROM audit_runs WHERE finished_at IS NULL"), 1);
    let r = day(&t);
    assert!(r["frozen_at"].is_null() && r["coverage"]["audit_as_of"].is_null(), "{}", r["coverage"]);
    assert_eq!(count(&t, "SELECT count(*) FROM frozen_periods"), 0);
    // an audit of some checks only covers nothing either
    let r = t.run(["--rules", &rules, "--quiet", "audit", "--as-of", "2026-06-30", "--ignore", "P051"]);
    assert!(r.code <= 1, "{}", r.stderr);
    assert!(day(&t)["frozen_at"].is_null());
    // the rerun completes: the day freezes, with every finding of the day
    let r = t.run(["--rules", &rules, "--quiet", "audit", "--as-of", "2026-06-30"]);
    assert!(r.code <= 1, "{}", r.stderr);
    let r = day(&t);
    assert!(r["frozen_at"].is_string());
    assert_eq!(r["totals"]["new"], counted_between(&t, DAY.0, DAY.1));
    assert!(r["totals"]["new"].as_i64().unwrap_or(0) > 0);
}

//! Report tests (issue #7).
//!
//! Databases are built here by inserting findings, events and cases directly (not by an
//! audit). Every rollup of the `rollup_live` view is computed a second time from those rows
//! in plain Rust, bucketing with jiff by key rather than by epoch bounds, and the two must
//! agree, at ISO-week, month and year edges and around local midnight. Closed periods stay
//! frozen; every format is snapshotted; the HTML bulletin is opened in headless Chromium.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{params, Connection};
use xuncha::engine::catalog::Catalog;
use xuncha::model::Ts;
use xuncha::report::model::{OfficerReport, Report, ReportKind, ReportOptions};
use xuncha::report::period::{Period, PeriodKind};
use xuncha::report::{self, Format, Lang, Request};
use xuncha::store::rollup::{self, RollupRow};
use xuncha::store::Store;

use crate::util::Xuncha;

// ---------------------------------------------------------------------------------------
// building databases

const CATALOG: &str = r#"
[[group]]
code = "G03"
name_zh = "传唤与到案时限"
name_en = "Summons and the custody clock"

[[group]]
code = "G05"
name_zh = "特殊人群保护"
name_en = "Vulnerable persons"

[[group]]
code = "G06"
name_zh = "强制措施"
name_en = "Coercive measures"

[[group]]
code = "G11"
name_zh = "处罚执行"
name_en = "Penalties and their execution"

[[category]]
code = "P019"
name_zh = "传唤未经审批"
name_en = "Summons without approval"
group = "G03"
severity = "high"
points = 3
doc = "test"

[[category]]
code = "P020"
name_zh = "未记明到案、离开时间"
name_en = "Arrival or leaving time not recorded"
group = "G03"
severity = "medium"
points = 2
doc = "test"

[[category]]
code = "P040"
name_zh = "询问未成年人无监护人或合适成年人到场"
name_en = "Minor questioned without a guardian or appropriate adult"
group = "G05"
severity = "high"
points = 5
doc = "test"

[[category]]
code = "P051"
name_zh = "拘留后未24小时内通知家属"
name_en = "Family not notified within 24 h of detention"
group = "G06"
severity = "high"
points = 3
doc = "test"

[[category]]
code = "P098"
name_zh = "当场收缴罚款超限或未按时上交"
name_en = "On-the-spot fine above the limit, or handed in late"
group = "G11"
severity = "medium"
points = 2
doc = "test"
"#;

fn ts(s: &str) -> i64 {
    Ts::parse(s).unwrap_or_else(|e| panic!("{e}")).0
}

struct Db {
    x: Xuncha,
    subject: std::cell::Cell<u32>,
}

impl Db {
    fn new() -> Db {
        let x = Xuncha::new();
        let store = Store::open(&x.db()).expect("open");
        store
            .conn
            .execute_batch(
                "INSERT INTO import_runs (id, started_at, files) VALUES (1, 0, '[]');
                 INSERT INTO audit_runs (id, started_at, as_of, full, rules_hash, rule_versions) VALUES (1, 0, 0, 1, '', '{}');",
            )
            .expect("runs");
        std::fs::create_dir_all(x.path("rules")).expect("rules dir");
        x.write("rules/categories.toml", CATALOG);
        Db { x, subject: std::cell::Cell::new(0) }
    }

    fn path(&self) -> PathBuf {
        self.x.db()
    }

    fn rules(&self) -> PathBuf {
        self.x.path("rules")
    }

    fn writer(&self) -> Connection {
        Store::open(&self.path()).expect("open").conn
    }

    fn reader(&self) -> Store {
        Store::open_read_only(&self.path()).expect("open read-only")
    }

    fn catalog(&self) -> Catalog {
        Catalog::load(&self.rules().join("categories.toml")).expect("catalog")
    }

    fn case(&self, c: &Connection, id: &str, unit: &str, unit_name: &str, officers: &[(&str, &str)], accepted: i64) {
        let raw = serde_json::json!({
            "case_id": id, "kind": "administrative", "unit_id": unit, "unit_name": unit_name,
            "officers": officers.iter().enumerate().map(|(i, (o, n))| serde_json::json!({"id": o, "name": n, "role": if i == 0 { "lead" } else { "assist" }})).collect::<Vec<_>>(),
            "persons": [{"id": "P1", "role": "suspect", "name": "张某", "id_number": "330502199001011234"}]
        });
        let ids: Vec<&str> = officers.iter().map(|o| o.0).collect();
        c.execute(
            "INSERT INTO cases (case_id, kind, unit_id, unit_name, officer_ids, lead_officer, is_open, accepted_at, content_hash,
                                first_import, last_import, last_change)
             VALUES (?1, 'administrative', ?2, ?3, ?4, ?5, 1, ?6, 'h', 1, 1, 1)",
            params![id, unit, unit_name, serde_json::to_string(&ids).unwrap_or_default(), ids.first(), accepted],
        )
        .expect("case");
        c.execute("INSERT INTO case_raw (case_id, raw) VALUES (?1, ?2)", params![id, raw.to_string()]).expect("case");
    }

    /// A finding with its creation event at `first_seen`, then `events` (at, to, by, note).
    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        c: &Connection,
        case: &str,
        category: &str,
        unit: &str,
        officers: &[&str],
        first_seen: i64,
        preview: bool,
        message: &str,
        events: &[(i64, &str, &str, Option<&str>)],
    ) -> i64 {
        let (group, points) = match category {
            "P019" => ("G03", 3),
            "P020" => ("G03", 2),
            "P040" => ("G05", 5),
            "P051" => ("G06", 3),
            _ => ("G11", 2),
        };
        let n = self.subject.get() + 1;
        self.subject.set(n);
        let status = events.last().map_or("open", |e| e.1);
        c.execute(
            "INSERT INTO findings (case_id, rule_id, subject, category, group_code, severity, points, preview, status, message, evidence,
                                   officer_ids, unit_id, rule_version, rule_hash, first_run, last_run, first_seen, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, 'high', ?6, ?7, ?8, ?9, '{}', ?10, ?11, '1@h', 'h', 1, 1, ?12, ?12)",
            params![
                case,
                format!("{category}-check"),
                format!("S{n}"),
                category,
                group,
                points,
                preview,
                status,
                message,
                serde_json::to_string(officers).unwrap_or_default(),
                unit,
                first_seen
            ],
        )
        .expect("finding");
        let id = c.last_insert_rowid();
        for o in officers {
            c.execute("INSERT INTO finding_officers (finding_id, officer_id) VALUES (?1, ?2)", params![id, o])
                .expect("officer");
        }
        c.execute("INSERT INTO finding_events (finding_id, at, run_id, from_status, to_status, by) VALUES (?1, ?2, 1, NULL, 'open', 'audit')", params![id, first_seen])
            .expect("event");
        let mut from = "open";
        for (at, to, by, note) in events {
            c.execute(
                "INSERT INTO finding_events (finding_id, at, from_status, to_status, by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, at, from, to, by, note],
            )
            .expect("event");
            from = to;
        }
        id
    }
}

// ---------------------------------------------------------------------------------------
// the second, independent computation

#[derive(Debug, Clone)]
struct RawFinding {
    id: i64,
    unit: String,
    group: String,
    category: String,
    points: i64,
    preview: bool,
    first_seen: i64,
    officers: Vec<String>,
}

#[derive(Debug, Clone)]
struct RawEvent {
    id: i64,
    finding: i64,
    at: i64,
    from: Option<String>,
    to: String,
}

struct Raw {
    findings: Vec<RawFinding>,
    events: Vec<RawEvent>,
    cases: Vec<(String, i64)>,
}

fn read_raw(path: &Path) -> Raw {
    let c = Connection::open(path).expect("open");
    let mut officers: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    let mut s = c.prepare("SELECT finding_id, officer_id FROM finding_officers").expect("q");
    for r in s.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).expect("q") {
        let (f, o) = r.expect("row");
        officers.entry(f).or_default().push(o);
    }
    let mut s =
        c.prepare("SELECT id, unit_id, group_code, category, points, preview, first_seen FROM findings").expect("q");
    let findings = s
        .query_map([], |r| {
            Ok(RawFinding {
                id: r.get(0)?,
                unit: r.get(1)?,
                group: r.get(2)?,
                category: r.get(3)?,
                points: r.get(4)?,
                preview: r.get(5)?,
                first_seen: r.get(6)?,
                officers: Vec::new(),
            })
        })
        .expect("q")
        .map(|r| r.expect("row"))
        .map(|mut f| {
            f.officers = officers.get(&f.id).cloned().unwrap_or_default();
            f
        })
        .collect();
    let mut s = c.prepare("SELECT id, finding_id, at, from_status, to_status FROM finding_events").expect("q");
    let events = s
        .query_map([], |r| {
            Ok(RawEvent { id: r.get(0)?, finding: r.get(1)?, at: r.get(2)?, from: r.get(3)?, to: r.get(4)? })
        })
        .expect("q")
        .map(|r| r.expect("row"))
        .collect();
    let mut s = c.prepare("SELECT unit_id, accepted_at FROM cases WHERE accepted_at IS NOT NULL").expect("q");
    let cases = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("q").map(|r| r.expect("row")).collect();
    Raw { findings, events, cases }
}

fn tz() -> TimeZone {
    TimeZone::get("Asia/Shanghai").expect("tz")
}

/// The key of the period of `kind` an instant falls in, straight from jiff.
fn key_of(kind: PeriodKind, at: i64, tz: &TimeZone) -> String {
    let d = Timestamp::from_second(at).expect("ts").to_zoned(tz.clone()).date();
    match kind {
        PeriodKind::Day => d.strftime("%Y-%m-%d").to_string(),
        PeriodKind::Week => {
            let w = d.iso_week_date();
            format!("{:04}-W{:02}", w.year(), w.week())
        }
        PeriodKind::Month => d.strftime("%Y-%m").to_string(),
    }
}

#[derive(Debug, Default, Clone)]
struct Expected {
    cases: i64,
    new: i64,
    reopened: i64,
    pushed: i64,
    rectified: i64,
    waived: i64,
    resolved: i64,
    backlog: i64,
    new_outstanding: i64,
    new_closed: i64,
    new_waived: i64,
    new_pushed: i64,
    points: i64,
    closes: Vec<i64>,
}

type Key = (String, String, String);

/// Every rollup row of one period, computed from the rows by key comparison: an instant is
/// "before the end" of period P when its key is <= P's key, "in" P when it equals it.
fn expected(raw: &Raw, kind: PeriodKind, pkey: &str) -> BTreeMap<Key, Expected> {
    let tz = tz();
    let k = |at: i64| key_of(kind, at, &tz);
    let mut out: BTreeMap<Key, Expected> = BTreeMap::new();
    for f in raw.findings.iter().filter(|f| !f.preview) {
        let kf = k(f.first_seen);
        if kf.as_str() > pkey {
            continue;
        }
        let mut evs: Vec<&RawEvent> =
            raw.events.iter().filter(|e| e.finding == f.id && k(e.at).as_str() <= pkey).collect();
        evs.sort_by_key(|e| (e.at, e.id));
        let Some(last) = evs.last() else { continue };
        let end = last.to.as_str();
        let inside: Vec<&&RawEvent> = evs.iter().filter(|e| k(e.at) == pkey).collect();
        let is_new = kf == pkey;
        let has = |s: &str| inside.iter().any(|e| e.to == s);
        let open_end = matches!(end, "open" | "pushed");
        let closed_at = inside.iter().filter(|e| matches!(e.to.as_str(), "rectified" | "resolved")).map(|e| e.at).min();
        let mut keys: Vec<Key> = Vec::new();
        for scope in ["*".to_owned(), f.unit.clone()] {
            keys.push((scope.clone(), "all".into(), "*".into()));
            keys.push((scope.clone(), "unit".into(), f.unit.clone()));
            keys.push((scope.clone(), "group".into(), f.group.clone()));
            keys.push((scope.clone(), "category".into(), f.category.clone()));
            for o in &f.officers {
                keys.push((scope.clone(), "officer".into(), o.clone()));
            }
        }
        for key in keys {
            let e = out.entry(key).or_default();
            e.new += i64::from(is_new);
            e.reopened += i64::from(
                inside.iter().any(|e| e.to == "open" && matches!(e.from.as_deref(), Some("rectified" | "resolved"))),
            );
            e.pushed += i64::from(has("pushed"));
            e.rectified += i64::from(has("rectified"));
            e.waived += i64::from(has("waived"));
            e.resolved += i64::from(has("resolved"));
            e.backlog += i64::from(open_end);
            e.new_outstanding += i64::from(is_new && open_end);
            e.new_closed += i64::from(is_new && matches!(end, "rectified" | "resolved"));
            e.new_waived += i64::from(is_new && end == "waived");
            e.new_pushed += i64::from(is_new && evs.iter().any(|e| e.to == "pushed"));
            e.points += if is_new && end != "waived" { f.points } else { 0 };
            if let Some(c) = closed_at {
                e.closes.push(c - f.first_seen);
            }
        }
    }
    for (unit, at) in &raw.cases {
        if k(*at) != pkey {
            continue;
        }
        for key in [
            ("*".to_owned(), "all".to_owned(), "*".to_owned()),
            ("*".to_owned(), "unit".to_owned(), unit.clone()),
            (unit.clone(), "all".to_owned(), "*".to_owned()),
            (unit.clone(), "unit".to_owned(), unit.clone()),
        ] {
            out.entry(key).or_default().cases += 1;
        }
    }
    out.retain(|_, e| e.cases + e.new + e.reopened + e.pushed + e.rectified + e.waived + e.resolved + e.backlog > 0);
    out
}

fn median_days(v: &[i64]) -> Option<f64> {
    let mut v = v.to_vec();
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        return None;
    }
    let m = if n % 2 == 1 { v[n / 2] as f64 } else { (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0 };
    Some(m / 86_400.0)
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => false,
    }
}

/// Compares `rollup_live` with the independent computation for one period.
fn check_period(conn: &Connection, raw: &Raw, kind: PeriodKind, pkey: &str) -> usize {
    let rows: Vec<RollupRow> = rollup::rollup_live(conn, kind.as_str(), pkey).expect("rollup");
    let want = expected(raw, kind, pkey);
    let got: BTreeMap<Key, &RollupRow> =
        rows.iter().map(|r| ((r.scope.clone(), r.dim.clone(), r.key.clone()), r)).collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{} {pkey}: the rows differ",
        kind.as_str()
    );
    for (key, e) in &want {
        let r = got[key];
        let actual = [
            r.cases,
            r.new,
            r.reopened,
            r.pushed,
            r.rectified,
            r.waived,
            r.resolved,
            r.backlog,
            r.new_outstanding,
            r.new_closed,
            r.new_waived,
            r.new_pushed,
            r.points,
        ];
        let wanted = [
            e.cases,
            e.new,
            e.reopened,
            e.pushed,
            e.rectified,
            e.waived,
            e.resolved,
            e.backlog,
            e.new_outstanding,
            e.new_closed,
            e.new_waived,
            e.new_pushed,
            e.points,
        ];
        assert_eq!(actual, wanted, "{} {pkey} {key:?}: counts (cases, new, reopened, pushed, rectified, waived, resolved, backlog, new_outstanding, new_closed, new_waived, new_pushed, points)", kind.as_str());
        let rate = (e.new - e.new_waived > 0).then(|| e.new_closed as f64 / (e.new - e.new_waived) as f64);
        let share = (e.new > 0).then(|| e.new_pushed as f64 / e.new as f64);
        assert!(close(r.rectification_rate, rate), "{pkey} {key:?}: rate {:?} vs {rate:?}", r.rectification_rate);
        assert!(close(r.share_pushed, share), "{pkey} {key:?}: share pushed {:?} vs {share:?}", r.share_pushed);
        assert!(
            close(r.median_days_to_rectify, median_days(&e.closes)),
            "{pkey} {key:?}: median {:?} vs {:?}",
            r.median_days_to_rectify,
            median_days(&e.closes)
        );
        assert_eq!(
            e.new,
            e.new_outstanding + e.new_closed + e.new_waived,
            "{pkey} {key:?}: every new finding has one status"
        );
    }
    want.len()
}

// ---------------------------------------------------------------------------------------
// data

const UNITS: [(&str, &str); 4] = [
    ("U1", "吴兴区公安分局月河派出所"),
    ("U2", "吴兴区公安分局朝阳派出所"),
    ("U3", "吴兴区公安分局织里派出所"),
    ("U4", "吴兴区公安分局环渚派出所"),
];

fn officers_of(unit: &str) -> Vec<String> {
    (1..=4).map(|i| format!("{unit}-{i}")).collect()
}

/// Edge findings in unit `EDGE`, with their ids by name.
fn edge_findings(db: &Db, c: &Connection) -> BTreeMap<&'static str, i64> {
    db.case(c, "EDGE-CASE", "EDGE", "边界测试所", &[("E-1", "边界甲")], ts("2020-12-01T09:00:00+08:00"));
    let mut ids = BTreeMap::new();
    let msg = "边界测试";
    let mut f = |name, at: &str, events: &[(i64, &str, &str, Option<&str>)]| {
        ids.insert(name, db.finding(c, "EDGE-CASE", "P051", "EDGE", &["E-1"], ts(at), false, msg, events));
    };
    f("before_midnight", "2026-03-01T23:30:00+08:00", &[]);
    // rectified exactly at local midnight: that is the next day
    f("after_midnight", "2026-03-02T00:10:00+08:00", &[(ts("2026-03-03T00:00:00+08:00"), "rectified", "王某", None)]);
    f("w53_thursday", "2020-12-31T12:00:00+08:00", &[]);
    f("w53_sunday", "2021-01-03T20:00:00+08:00", &[]);
    f("w01_monday", "2021-01-04T00:00:00+08:00", &[]);
    f("year_last_second", "2025-12-31T23:59:59+08:00", &[]);
    f("year_first_second", "2026-01-01T00:00:00+08:00", &[]);
    ids
}

/// Random findings around the edges, with pushes, rectifications, waivers, resolutions,
/// reopenings and events at the same instant.
fn random_findings(db: &Db, c: &Connection, seed: u64, n: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let anchors = [
        ts("2020-12-28T00:00:00+08:00"),
        ts("2021-01-03T23:00:00+08:00"),
        ts("2025-12-29T00:00:00+08:00"),
        ts("2025-12-31T22:00:00+08:00"),
        ts("2026-01-31T23:00:00+08:00"),
        ts("2026-02-28T23:00:00+08:00"),
        ts("2026-03-01T23:00:00+08:00"),
        ts("2026-03-08T23:30:00+08:00"),
    ];
    let categories = ["P019", "P020", "P040", "P051", "P098"];
    for (u, name) in UNITS {
        let offs = officers_of(u);
        for i in 0..25 {
            let o = [(offs[i % 4].as_str(), "甲"), (offs[(i + 1) % 4].as_str(), "乙")];
            let at = anchors[rng.gen_range(0..anchors.len())] + rng.gen_range(-3 * 86_400..3 * 86_400);
            db.case(c, &format!("{u}-C{i}"), u, name, &o, at);
        }
    }
    for i in 0..n {
        // U4 only has cases
        let (unit, _) = UNITS[rng.gen_range(0..3)];
        let offs = officers_of(unit);
        let k = rng.gen_range(0..4);
        let officers: Vec<&str> = offs.iter().take(k).map(String::as_str).collect();
        let mut at = anchors[rng.gen_range(0..anchors.len())] + rng.gen_range(-2 * 86_400..2 * 86_400);
        let first_seen = at;
        let mut events: Vec<(i64, &str, &str, Option<&str>)> = Vec::new();
        let mut state = "open";
        for _ in 0..rng.gen_range(0..6) {
            // sometimes at the same instant, sometimes exactly at a local midnight
            at += match rng.gen_range(0..10) {
                0 => 0,
                1 => 86_400 - (at + 8 * 3_600).rem_euclid(86_400),
                _ => rng.gen_range(60..4 * 86_400),
            };
            let next = match state {
                "open" => ["pushed", "rectified", "waived", "resolved"][rng.gen_range(0..4)],
                "pushed" => ["rectified", "waived", "resolved", "resolved"][rng.gen_range(0..4)],
                "rectified" | "resolved" => ["open", "resolved", "open", "resolved"][rng.gen_range(0..4)],
                _ => ["open", "resolved"][rng.gen_range(0..2)],
            };
            if next == state {
                continue;
            }
            let by = if matches!(next, "resolved") || (next == "open") { "audit" } else { "法制员" };
            events.push((at, next, by, None));
            state = next;
        }
        let preview = rng.gen_bool(0.05);
        let category = categories[rng.gen_range(0..categories.len())];
        db.finding(c, &format!("{unit}-C{}", i % 25), category, unit, &officers, first_seen, preview, "随机", &events);
    }
}

// ---------------------------------------------------------------------------------------
// rollups against the second computation

#[test]
fn the_calendar_agrees_with_jiff() {
    let db = Db::new();
    let store = db.reader();
    let rows = rollup::calendar(&store.conn).expect("calendar");
    assert_eq!(rows.first().map(|r| r.day.as_str()), Some("2000-01-01"));
    assert_eq!(rows.last().map(|r| r.day.as_str()), Some("2099-12-31"));
    let tz = tz();
    for r in &rows {
        let d: jiff::civil::Date = r.day.parse().expect("day");
        let start = d.to_zoned(tz.clone()).expect("zoned").timestamp().as_second();
        let end = d.tomorrow().expect("tomorrow").to_zoned(tz.clone()).expect("zoned").timestamp().as_second();
        assert_eq!((r.start_at, r.end_at), (start, end), "{}", r.day);
        assert_eq!(r.week, key_of(PeriodKind::Week, start, &tz), "{}", r.day);
        assert_eq!(r.month, key_of(PeriodKind::Month, start, &tz), "{}", r.day);
    }
    // the periods view and report::period give the same bounds
    for (kind, date) in [
        (PeriodKind::Week, "2020-12-31"),
        (PeriodKind::Week, "2026-01-01"),
        (PeriodKind::Month, "2024-02-29"),
        (PeriodKind::Day, "2026-03-01"),
    ] {
        let p = Period::containing(kind, date.parse().expect("date")).expect("period");
        assert_eq!(
            rollup::period_bounds(&store.conn, kind.as_str(), &p.key).expect("bounds"),
            Some((p.start, p.end)),
            "{kind:?} {date}"
        );
    }
    assert_eq!(
        Period::containing(PeriodKind::Week, "2021-01-03".parse().expect("date")).map(|p| p.key).ok(),
        Some("2020-W53".to_owned())
    );
}

#[test]
fn rollups_agree_with_a_second_computation() {
    let db = Db::new();
    let c = db.writer();
    let edges = edge_findings(&db, &c);
    random_findings(&db, &c, 7, 420);
    drop(c);
    let raw = read_raw(&db.path());
    let store = db.reader();
    let tz = tz();

    // every day, week and month that anything happened in, and the day after each
    let mut periods: BTreeMap<(&str, String), PeriodKind> = BTreeMap::new();
    let instants = raw
        .findings
        .iter()
        .map(|f| f.first_seen)
        .chain(raw.events.iter().map(|e| e.at))
        .chain(raw.cases.iter().map(|c| c.1));
    for at in instants {
        for kind in [PeriodKind::Day, PeriodKind::Week, PeriodKind::Month] {
            periods.insert((kind.as_str(), key_of(kind, at, &tz)), kind);
        }
        periods.insert(("day", key_of(PeriodKind::Day, at + 86_400, &tz)), PeriodKind::Day);
    }
    let mut rows = 0;
    for ((_, key), kind) in &periods {
        rows += check_period(&store.conn, &raw, *kind, key);
        // rollup_cases: cases accepted per unit, the denominator of findings per 100 cases
        let mut want: BTreeMap<String, i64> = BTreeMap::new();
        for (unit, at) in &raw.cases {
            if key_of(*kind, *at, &tz) == *key {
                *want.entry(unit.clone()).or_default() += 1;
            }
        }
        let got: BTreeMap<String, i64> =
            rollup::cases_by_unit(&store.conn, kind.as_str(), key).expect("cases").into_iter().collect();
        assert_eq!(got, want, "{} {key}: cases per unit", kind.as_str());
    }
    eprintln!("checked {} periods, {rows} rollup rows", periods.len());
    assert!(periods.len() > 60 && rows > 2_000, "checked {} periods, {rows} rows", periods.len());

    // the edges, one by one (unit EDGE has only these findings)
    let new = |kind: PeriodKind, key: &str| {
        rollup::rollup_live(&store.conn, kind.as_str(), key)
            .expect("rollup")
            .into_iter()
            .find(|r| r.scope == "EDGE" && r.dim == "all")
            .map_or(0, |r| r.new)
    };
    assert_eq!(new(PeriodKind::Day, "2026-03-01"), 1, "23:30 on 1 March counts on 1 March");
    assert_eq!(new(PeriodKind::Day, "2026-03-02"), 1, "00:10 on 2 March counts on 2 March");
    assert_eq!(new(PeriodKind::Week, "2026-W09"), 1, "1 March 2026 is the Sunday of W09");
    assert_eq!(new(PeriodKind::Week, "2026-W10"), 1);
    assert_eq!(new(PeriodKind::Month, "2026-03"), 2);
    assert_eq!(new(PeriodKind::Week, "2020-W53"), 2, "2020-12-31 and 2021-01-03 are both in 2020-W53");
    assert_eq!(new(PeriodKind::Week, "2021-W01"), 1);
    assert_eq!(new(PeriodKind::Month, "2020-12"), 1);
    assert_eq!(new(PeriodKind::Month, "2021-01"), 2);
    assert_eq!(new(PeriodKind::Month, "2025-12"), 1, "23:59:59 on 31 December");
    assert_eq!(new(PeriodKind::Month, "2026-01"), 1, "00:00:00 on 1 January");
    assert_eq!(new(PeriodKind::Week, "2026-W01"), 2, "2025-12-31 and 2026-01-01 are both in 2026-W01");
    let edge = |kind: PeriodKind, key: &str| {
        rollup::rollup_live(&store.conn, kind.as_str(), key)
            .expect("rollup")
            .into_iter()
            .find(|r| r.scope == "EDGE" && r.dim == "all")
    };
    let d2 = edge(PeriodKind::Day, "2026-03-02").expect("2 March");
    let d3 = edge(PeriodKind::Day, "2026-03-03").expect("3 March");
    assert_eq!((d2.rectified, d3.rectified), (0, 1), "rectified at 00:00 on 3 March counts on 3 March");
    assert!(d2.backlog >= 2 && d3.backlog == d2.backlog - 1, "{d2:?} {d3:?}");
    assert!(edges.contains_key("after_midnight"));
}

#[test]
fn the_rollup_view_reads_in_the_sqlite_shell_dialect() {
    // what a supervisor types: the documented views answer plain filtered SELECTs
    let db = Db::new();
    let c = db.writer();
    edge_findings(&db, &c);
    let n: i64 = c
        .query_row(
            "SELECT new FROM rollup WHERE kind = 'week' AND period = '2020-W53' AND scope = '*' AND dim = 'all'",
            [],
            |r| r.get(0),
        )
        .expect("query");
    assert_eq!(n, 2);
    let docs: i64 =
        c.query_row("SELECT count(*) FROM rollup_doc WHERE name LIKE 'rollup.%'", [], |r| r.get(0)).expect("doc");
    assert_eq!(docs, 22, "every column of `rollup` is documented");
    let spans: i64 = c
        .query_row("SELECT count(*) FROM finding_status_spans WHERE until_at IS NULL", [], |r| r.get(0))
        .expect("spans");
    assert_eq!(spans, 7, "one present status per finding");
}

// ---------------------------------------------------------------------------------------
// a small bureau, for the reports themselves

const NOW: &str = "2026-04-02T09:00:00+08:00";

/// A completed audit of every check as of `as_of`: it covers every period that ends by then.
fn audited(c: &Connection, id: i64, as_of: &str) {
    c.execute(
        "INSERT INTO audit_runs (id, started_at, finished_at, as_of, full, rules_hash, rule_versions) VALUES (?1, 0, 1, ?2, 1, '', '{}')",
        params![id, ts(as_of)],
    )
    .expect("audit run");
}

fn bureau() -> Db {
    let db = Db::new();
    let c = db.writer();
    audited(&c, 2, "2026-04-01T23:59:59+08:00");
    let yh = ("330502510000", "吴兴区公安分局月河派出所");
    let cy = ("330502520000", "吴兴区公安分局朝阳派出所");
    let zl = ("330502530000", "吴兴区公安分局织里派出所");
    let yh_o = [("510001", "王伟"), ("510002", "李娜")];
    let cy_o = [("520001", "张敏"), ("520002", "刘洋")];
    let zl_o = [("530001", "陈静")];
    for i in 0..6 {
        db.case(
            &c,
            &format!("A3305025100002026030{i:02}"),
            yh.0,
            yh.1,
            &yh_o,
            ts("2026-03-01T09:00:00+08:00") + i * 3 * 86_400,
        );
    }
    for i in 0..4 {
        db.case(
            &c,
            &format!("A3305025100002026020{i:02}"),
            yh.0,
            yh.1,
            &yh_o,
            ts("2026-02-02T09:00:00+08:00") + i * 5 * 86_400,
        );
    }
    for i in 0..5 {
        db.case(
            &c,
            &format!("A3305025200002026030{i:02}"),
            cy.0,
            cy.1,
            &cy_o,
            ts("2026-03-02T10:00:00+08:00") + i * 4 * 86_400,
        );
    }
    db.case(&c, "A330502520000202601000", cy.0, cy.1, &cy_o, ts("2026-01-15T10:00:00+08:00"));
    for i in 0..3 {
        db.case(
            &c,
            &format!("A3305025300002026030{i:02}"),
            zl.0,
            zl.1,
            &zl_o,
            ts("2026-03-03T10:00:00+08:00") + i * 6 * 86_400,
        );
    }
    let d = |s: &str| ts(s);
    let f = |case: &str,
             cat: &str,
             unit: &str,
             offs: &[&str],
             at: &str,
             preview: bool,
             msg: &str,
             ev: &[(i64, &str, &str, Option<&str>)]| {
        db.finding(&c, case, cat, unit, offs, d(at), preview, msg, ev)
    };
    let yh_c = "A330502510000202603000";
    let cy_c = "A330502520000202603001";
    f(
        "A330502520000202601000",
        "P051",
        cy.0,
        &["520001"],
        "2026-01-20T10:00:00+08:00",
        false,
        "对违法嫌疑人赵某刑事拘留后超过24小时未通知其家属",
        &[
            (d("2026-01-20T11:00:00+08:00"), "pushed", "法制大队", None),
            (d("2026-01-25T16:00:00+08:00"), "rectified", "张敏", Some("已补充通知家属")),
        ],
    );
    f(
        "A330502510000202602000",
        "P051",
        yh.0,
        &["510001"],
        "2026-02-03T10:00:00+08:00",
        false,
        "对违法嫌疑人张某（身份证号330502199001011234）刑事拘留后超过24小时未通知其家属",
        &[
            (d("2026-02-03T12:00:00+08:00"), "pushed", "法制大队", None),
            (d("2026-02-06T09:00:00+08:00"), "rectified", "王伟", Some("已补充通知书")),
        ],
    );
    f(
        "A330502510000202602001",
        "P051",
        yh.0,
        &["510001", "510002"],
        "2026-02-17T09:00:00+08:00",
        false,
        "对违法嫌疑人钱某刑事拘留后超过24小时未通知其家属",
        &[(d("2026-02-17T10:00:00+08:00"), "pushed", "法制大队", None)],
    );
    f(
        yh_c,
        "P051",
        yh.0,
        &["510001"],
        "2026-03-02T00:10:00+08:00",
        false,
        "对违法嫌疑人孙某（身份证号33050219851203002X）刑事拘留后超过24小时未通知其家属",
        &[
            (d("2026-03-02T09:00:00+08:00"), "pushed", "法制大队", None),
            (d("2026-03-10T15:00:00+08:00"), "rectified", "王伟", Some("已补充通知书并附送达回执")),
        ],
    );
    f(
        cy_c,
        "P040",
        cy.0,
        &["520001"],
        "2026-03-01T23:30:00+08:00",
        false,
        "询问未成年人周某（16岁）时无监护人或合适成年人在场",
        &[
            (d("2026-03-02T08:30:00+08:00"), "pushed", "法制大队", None),
            (d("2026-03-03T10:00:00+08:00"), "waived", "法制大队", Some("系统误报：监护人在场，笔录未录入")),
        ],
    );
    f(
        "A330502520000202603002",
        "P019",
        cy.0,
        &["520002"],
        "2026-03-05T14:00:00+08:00",
        false,
        "口头传唤吴某未经办案部门负责人批准",
        &[
            (d("2026-03-05T15:00:00+08:00"), "pushed", "法制大队", None),
            (d("2026-03-08T02:00:00+08:00"), "resolved", "audit", Some("the check no longer finds the error")),
        ],
    );
    f(
        "A330502510000202603003",
        "P020",
        yh.0,
        &["510002"],
        "2026-03-09T16:00:00+08:00",
        false,
        "传唤证未记明郑某到案时间",
        &[],
    );
    f(
        "A330502520000202603003",
        "P098",
        cy.0,
        &["520001", "520002"],
        "2026-03-15T11:00:00+08:00",
        false,
        "当场收缴罚款200元，超过法定限额",
        &[
            (d("2026-03-15T12:00:00+08:00"), "pushed", "法制大队", None),
            (d("2026-03-20T10:00:00+08:00"), "rectified", "刘洋", None),
            (
                d("2026-03-25T02:00:00+08:00"),
                "open",
                "audit",
                Some("the audit still sees the error after rectification"),
            ),
            (d("2026-03-26T09:00:00+08:00"), "pushed", "法制大队", None),
        ],
    );
    f(
        "A330502510000202603004",
        "P020",
        yh.0,
        &["510001"],
        "2026-03-12T10:00:00+08:00",
        true,
        "（预览）传唤证未记明离开时间",
        &[],
    );
    f(
        "A330502520000202603004",
        "P051",
        cy.0,
        &["520001"],
        "2026-03-18T10:00:00+08:00",
        false,
        "对违法嫌疑人冯某刑事拘留后超过24小时未通知其家属",
        &[(d("2026-03-18T11:00:00+08:00"), "pushed", "法制大队", None)],
    );
    f(
        "A330502510000202603005",
        "P019",
        yh.0,
        &["510002"],
        "2026-03-31T23:59:59+08:00",
        false,
        "口头传唤陈某未经批准",
        &[],
    );
    f(
        "A330502510000202603005",
        "P020",
        yh.0,
        &["510002"],
        "2026-04-01T00:00:00+08:00",
        false,
        "传唤证未记明陈某离开时间",
        &[],
    );
    // a review item (待核查): listed apart with what to verify, never counted
    let id = f(
        "A330502520000202603002",
        "P040",
        cy.0,
        &["520002"],
        "2026-03-05T15:00:00+08:00",
        false,
        "询问未成年人蒋某时监护人未到场，由学校老师作为合适成年人在场",
        &[],
    );
    c.execute(
        "UPDATE findings SET level = 'review', verify = '核对笔录是否注明监护人无法通知或通知后未到场' WHERE id = ?1",
        [id],
    )
    .expect("review");
    db
}

fn request(kind: ReportKind, date: &str, unit: Option<&str>, now: &str) -> Request {
    let now = ts(now);
    Request {
        kind,
        period: Period::parse(kind.period_kind(), date, Ts(now).local_date()).expect("period"),
        unit: unit.map(str::to_owned),
        options: ReportOptions::default(),
        now,
    }
}

/// A report made as the command makes it, with its lists read into the model.
struct Made {
    made: report::Made,
    report: Report,
    notes: Vec<String>,
    store: Store,
}

impl Made {
    fn render(&self, f: Format, lang: Lang) -> String {
        let text = self.made.render(&self.store, f, lang).expect("render");
        // the model with its lists in memory renders the same
        assert_eq!(report::render(&self.report, f, lang).expect("render"), text, "{f:?} {lang:?}");
        text
    }
}

fn make(db: &Db, req: &Request) -> Made {
    let store = db.reader();
    let catalog = db.catalog();
    let made = report::make_report(&store, Some(&catalog), req).expect("report");
    let report = made.collect(&store).expect("lists");
    Made { notes: made.notes.clone(), made, report, store }
}

fn make_live(db: &Db, req: &Request) -> Made {
    let store = db.reader();
    let made = report::make_live_report(&store, Some(&db.catalog()), req).expect("report");
    let report = made.collect(&store).expect("lists");
    Made { notes: made.notes.clone(), made, report, store }
}

fn all_formats(m: &Made) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (name, f) in [
        ("txt", Format::Text),
        ("md", Format::Markdown),
        ("csv", Format::Csv),
        ("json", Format::Json),
        ("html", Format::Html),
    ] {
        out.push((name, m.render(f, Lang::Zh)));
    }
    out.push(("en.txt", m.render(Format::Text, Lang::En)));
    out
}

fn assert_masked(text: &str) {
    let re = regex::Regex::new(r"(^|[^0-9A-Za-z])[0-9]{17}[0-9Xx]([^0-9A-Za-z]|$)").expect("regex");
    assert!(!re.is_match(text), "an unmasked resident ID: {:?}", re.find(text).map(|m| m.as_str()));
}

#[test]
fn the_monthly_bulletin() {
    let db = bureau();
    let made = make(&db, &request(ReportKind::Monthly, "2026-03", None, NOW));
    let r = &made.report;
    assert!(made.notes.iter().any(|n| n.contains("frozen")), "{:?}", made.notes);
    assert_eq!(r.frozen_at.as_deref(), Some("2026-04-02T09:00:00+08:00"));
    // the totals: 7 counted findings first seen in March (the 00:00:00 one of 1 April and
    // the preview one are not); the preview one is reported separately
    assert_eq!((r.totals.new, r.preview_new, r.totals.cases), (7, 1, 14));
    assert_eq!((r.totals.new_closed, r.totals.new_waived), (2, 1), "{:?}", r.totals);
    assert_eq!(r.totals.rectification_rate, Some(0.3333), "2 of the 6 not waived");
    assert_eq!(r.totals.backlog, 5, "{:?}", r.totals);
    // units ranked by findings per 100 cases: 朝阳 4 in 5 cases, 月河 3 in 6, 织里 0 in 3
    let ranked: Vec<(&str, Option<f64>)> = r.units.iter().map(|u| (u.unit_id.as_str(), u.per_100_cases)).collect();
    assert_eq!(ranked, vec![("330502520000", Some(80.0)), ("330502510000", Some(50.0)), ("330502530000", Some(0.0))]);
    // P051: 2 in March against 2 in February
    let p051 = r.categories.iter().find(|k| k.code == "P051").expect("P051");
    assert_eq!((p051.counts.new, p051.previous_new), (2, Some(2)));
    assert_eq!(r.previous.as_ref().map(|p| p.totals.new), Some(2));
    // 王伟: three P051 within 90 days, and again after rectification; 张敏: P051 after rectification
    let rep: Vec<(&str, &str, bool, bool)> = r
        .repeat_offenders
        .iter()
        .map(|o| (o.officer_id.as_str(), o.category.as_str(), o.by_count, o.after_rectification))
        .collect();
    assert_eq!(rep, vec![("510001", "P051", true, true), ("520001", "P051", false, true)]);
    // the appendix lists every officer with counted findings, and their points
    let wang = r.appendix.iter().find(|a| a.officer_id == "510001").expect("王伟");
    assert_eq!((wang.new, wang.points, wang.name.as_deref()), (1, 3, Some("王伟")));
    assert!(wang.categories.iter().all(|c| c.repeat));
    let zhang = r.appendix.iter().find(|a| a.officer_id == "520001").expect("张敏");
    assert_eq!((zhang.new, zhang.points), (3, 5), "P040 waived costs nothing: P098 2 + P051 3");
    // the review item is listed apart, with what to verify, and counted nowhere
    let review: Vec<(&str, Option<&str>)> =
        r.review_items.iter().map(|f| (f.category.as_str(), f.verify.as_deref())).collect();
    assert_eq!(review, vec![("P040", Some("核对笔录是否注明监护人无法通知或通知后未到场"))]);
    assert!(r.appendix.iter().all(|a| a.findings.iter().all(|f| f.level == "violation")));
    for (ext, text) in all_formats(&made) {
        assert_masked(&text);
        assert!(
            text.contains("核对笔录是否注明监护人无法通知或通知后未到场"),
            "{ext}: the review item and what to verify"
        );
        if ext != "json" {
            assert!(text.contains("待核查事项") || text.contains("To verify"), "{ext}: the review section");
            // its status reads 待核查 (to verify), never 待整改 (open): it is no rectification order
            let row =
                text.lines().find(|l| l.contains("核对笔录是否注明监护人无法通知或通知后未到场")).expect("the row");
            assert!(!row.contains("待整改") && !row.contains("open"), "{ext}: {row}");
            assert!(row.contains("待核查") || row.contains("to verify"), "{ext}: {row}");
        }
    }
}

#[test]
fn closed_months_stay_frozen() {
    let db = bureau();
    let req = request(ReportKind::Monthly, "2026-03", None, NOW);
    let first = all_formats(&make(&db, &req));
    let unit_req = request(ReportKind::Monthly, "2026-03", Some("330502510000"), NOW);
    let unit_first = all_formats(&make(&db, &unit_req));
    let frozen_rows = rollup::rollup(&db.reader().conn, "month", "2026-03").expect("rollup");
    assert!(frozen_rows.iter().all(|r| r.frozen_at == Some(ts(NOW))));

    // later: a re-audit backfills a finding into March, an old one is rectified in March,
    // more March cases arrive, and a March finding's message, officers and level change
    let c = db.writer();
    db.finding(
        &c,
        "A330502510000202603001",
        "P019",
        "330502510000",
        &["510001"],
        ts("2026-03-20T10:00:00+08:00"),
        false,
        "补录的问题",
        &[],
    );
    c.execute(
        "INSERT INTO finding_events (finding_id, at, from_status, to_status, by) VALUES (3, ?1, 'pushed', 'rectified', '李娜')",
        [ts("2026-03-11T10:00:00+08:00")],
    )
    .expect("event");
    db.case(
        &c,
        "A330502510000202603099",
        "330502510000",
        "吴兴区公安分局月河派出所",
        &[("510001", "王伟")],
        ts("2026-03-30T10:00:00+08:00"),
    );
    c.execute(
        "UPDATE findings SET message = '改写的描述', officer_ids = '[\"510002\"]', level = 'review', verify = '后来加的'
         WHERE message = '传唤证未记明郑某到案时间'",
        [],
    )
    .expect("update");
    drop(c);

    let later = request(ReportKind::Monthly, "2026-03", None, "2026-04-20T09:00:00+08:00");
    let again = make(&db, &later);
    assert_eq!(all_formats(&again), first, "a closed month reads the same after more rows arrive");
    assert!(
        again.notes.iter().any(|n| n.contains("1 cases and 1 findings arrived")),
        "the late additions are noted: {:?}",
        again.notes
    );
    let unit_later = request(ReportKind::Monthly, "2026-03", Some("330502510000"), "2026-04-20T09:00:00+08:00");
    assert_eq!(all_formats(&make(&db, &unit_later)), unit_first);
    // the frozen numbers stay in `rollup`; the live view shows the present
    let store = db.reader();
    assert_eq!(rollup::rollup(&store.conn, "month", "2026-03").expect("rollup"), frozen_rows);
    let live = rollup::rollup_live(&store.conn, "month", "2026-03").expect("live");
    let all = |rows: &[RollupRow]| {
        rows.iter().find(|r| r.scope == "*" && r.dim == "all").map(|r| (r.new, r.cases, r.rectified)).expect("all")
    };
    assert_eq!(all(&frozen_rows), (7, 14, 2));
    assert_eq!(all(&live), (7, 15, 3), "one more, one fewer: the backfilled finding, and one now a review item");
    // a unit with cases only was frozen with the rest
    let zl = make(&db, &request(ReportKind::Monthly, "2026-03", Some("330502530000"), "2026-04-20T09:00:00+08:00"));
    assert_eq!(zl.report.totals.cases, 3);
    // the month still running is live, and lists what arrived for March after it froze
    let april = make(&db, &request(ReportKind::Monthly, "2026-04", None, "2026-04-20T09:00:00+08:00"));
    assert_eq!((april.report.frozen_at.as_deref(), april.report.closed), (None, false));
    let late: Vec<(&str, i64, i64)> =
        april.report.late.iter().map(|l| (l.period.as_str(), l.cases, l.findings)).collect();
    assert_eq!(late, vec![("2026-03", 1, 1)]);
    assert_eq!(april.report.late_findings.iter().map(|f| f.message.as_str()).collect::<Vec<_>>(), vec!["补录的问题"]);
    assert!(april.render(Format::Text, Lang::Zh).contains("往期补录"));
    // and so does the live view of March, with the present figures
    let march = make_live(&db, &later);
    assert_eq!((march.report.totals.new, march.report.totals.cases, march.report.frozen_at.as_deref()), (7, 15, None));
    assert!(march.report.freeze.is_some());
    assert_eq!(march.report.late.iter().map(|l| (l.cases, l.findings)).collect::<Vec<_>>(), vec![(1, 1)]);
    assert!(march.render(Format::Text, Lang::Zh).contains("本期冻结后补录"));
}

#[test]
fn the_daily_report_lists_new_open_and_cleared() {
    let db = bureau();
    let r = make(&db, &request(ReportKind::Daily, "2026-03-03", None, NOW)).report;
    // 3 March: nothing new; the P040 finding was waived; open at the end: Feb P051 (overdue),
    // 2 March P051 (due 9 March)
    assert_eq!(r.totals.new, 0);
    let cleared: Vec<(&str, &str)> =
        r.cleared.iter().map(|c| (c.finding.category.as_str(), c.action.as_str())).collect();
    assert_eq!(cleared, vec![("P040", "waived")]);
    let open: Vec<(&str, bool, &str)> =
        r.to_fix.iter().map(|f| (f.category.as_str(), f.overdue, f.due.as_str())).collect();
    assert_eq!(open, vec![("P051", true, "2026-02-24"), ("P051", false, "2026-03-09")]);
    let d = make(&db, &request(ReportKind::Daily, "2026-03-01", None, NOW)).report;
    assert_eq!(
        d.new_findings.iter().map(|f| f.category.as_str()).collect::<Vec<_>>(),
        vec!["P040"],
        "23:30 on 1 March"
    );
    let d = make(&db, &request(ReportKind::Daily, "2026-03-12", None, NOW)).report;
    assert_eq!(
        (d.totals.new, d.preview_new, d.new_findings.len()),
        (0, 1, 1),
        "a preview finding is listed, not counted"
    );
    assert_eq!(d.series.len(), 14);
}

#[test]
fn the_weekly_report_ranks_officers_by_open_findings() {
    let db = bureau();
    let r = make(&db, &request(ReportKind::Weekly, "2026-03-18", None, NOW)).report;
    assert_eq!(r.period.key, "2026-W12");
    assert_eq!(r.series.len(), 7);
    let top: Vec<(&str, i64)> = r.officers.iter().take(3).map(|o| (o.officer_id.as_str(), o.counts.backlog)).collect();
    assert_eq!(top[0], ("510002", 2), "{top:?}");
}

#[test]
fn an_officers_list_marks_repeat_categories() {
    let db = bureau();
    let store = db.reader();
    let catalog = db.catalog();
    let r = report::make_officer_report(&store, Some(&catalog), "510001", None, &ReportOptions::default(), ts(NOW))
        .expect("officer");
    assert_eq!((r.findings_total, r.points_lost, r.open_now), (3, 9, 1));
    assert_eq!(r.findings.len(), 4, "the preview one is listed");
    let p051 = r.categories.iter().find(|c| c.code == "P051").expect("P051");
    assert!(p051.repeat && p051.count == 3);
    let since = report::make_officer_report(
        &store,
        Some(&catalog),
        "510001",
        "2026-03-01".parse().ok(),
        &ReportOptions::default(),
        ts(NOW),
    )
    .expect("officer");
    assert_eq!(since.findings_total, 1);
    assert!(since.categories[0].repeat, "the earlier history still makes it a repeat");
}

// ---------------------------------------------------------------------------------------
// snapshots of what people read

#[test]
fn snapshots_of_every_format() {
    let db = bureau();
    let monthly = make(&db, &request(ReportKind::Monthly, "2026-03", None, NOW));
    for (ext, text) in all_formats(&monthly) {
        insta::assert_snapshot!(format!("monthly_{ext}"), text);
    }
    let daily = make(&db, &request(ReportKind::Daily, "2026-03-02", None, NOW));
    insta::assert_snapshot!("daily_txt", daily.render(Format::Text, Lang::Zh));
    insta::assert_snapshot!("daily_md", daily.render(Format::Markdown, Lang::Zh));
    let weekly = make(&db, &request(ReportKind::Weekly, "2026-W10", Some("330502520000"), NOW));
    insta::assert_snapshot!("weekly_unit_txt", weekly.render(Format::Text, Lang::Zh));
    insta::assert_snapshot!("weekly_unit_en_md", weekly.render(Format::Markdown, Lang::En));
    let store = db.reader();
    let officer =
        report::make_officer_report(&store, Some(&db.catalog()), "510001", None, &ReportOptions::default(), ts(NOW))
            .expect("officer");
    for (ext, f) in [("txt", Format::Text), ("csv", Format::Csv), ("json", Format::Json)] {
        insta::assert_snapshot!(
            format!("officer_{ext}"),
            report::render_officer(&officer, f, Lang::Zh).expect("render")
        );
    }
    insta::assert_snapshot!("report_schema", report::json::schema(false));
    insta::assert_snapshot!("officer_schema", report::json::schema(true));
}

#[test]
fn json_reads_back_into_the_model() {
    let db = bureau();
    let r = make(&db, &request(ReportKind::Monthly, "2026-03", None, NOW)).report;
    let text = report::render(&r, Format::Json, Lang::Zh).expect("render");
    let back: Report = serde_json::from_str(&text).expect("json");
    assert_eq!(back, r);
    assert_eq!(back.schema, "xuncha.report/1");
    let store = db.reader();
    let o =
        report::make_officer_report(&store, None, "520001", None, &ReportOptions::default(), ts(NOW)).expect("officer");
    let back: OfficerReport =
        serde_json::from_str(&report::render_officer(&o, Format::Json, Lang::En).expect("render")).expect("json");
    assert_eq!(back, o);
    assert_eq!(
        back.categories.iter().find(|c| c.code == "P051").map(|c| c.name_zh.clone()),
        Some(None),
        "no catalog: codes only"
    );
}

// ---------------------------------------------------------------------------------------
// the command line

fn cli_args<'a>(db: &'a Db, extra: &[&'a str]) -> Vec<String> {
    let mut v = vec!["--rules".to_owned(), db.rules().display().to_string(), "--quiet".to_owned()];
    v.extend(extra.iter().map(|s| (*s).to_owned()));
    v
}

#[test]
fn the_report_command() {
    let db = bureau();
    let out = db.x.path("march.csv");
    let r = db.x.run(cli_args(
        &db,
        &[
            "report",
            "monthly",
            "--date",
            "2026-03",
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap_or_default(),
            "--now",
            NOW,
        ],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bytes = std::fs::read(&out).expect("csv");
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "CSV starts with a BOM");
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(text.contains("单位排名") && text.contains("吴兴区公安分局朝阳派出所"));
    assert_masked(&text);

    let r = db.x.run(cli_args(
        &db,
        &["report", "daily", "--date", "2026-03-02", "--format", "json", "--now", NOW, "--lang", "en"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let daily: Report = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!((daily.kind, daily.period.key.as_str(), daily.totals.new), (ReportKind::Daily, "2026-03-02", 1));

    let r = db.x.run(cli_args(&db, &["officer", "510001", "--since", "2026-02-01", "--format", "json", "--now", NOW]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let o: OfficerReport = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!((o.name.as_deref(), o.findings_total), (Some("王伟"), 3));

    let r = db.x.run(cli_args(&db, &["report", "weekly", "--unit", "NOPE", "--now", NOW]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("there is no unit `NOPE`"), "{}", r.stderr);
    let r = db.x.run(cli_args(&db, &["report", "monthly", "--date", "2026-13", "--now", NOW]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: bad date `2026-13`"), "{}", r.stderr);
    let r = Xuncha::new().run(["report", "daily"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
}

#[test]
fn a_report_runs_while_an_audit_writes() {
    let db = bureau();
    let mut w = db.writer();
    let tx = w.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).expect("write lock");
    tx.execute("UPDATE findings SET last_seen = last_seen + 1", []).expect("write");
    // an open period needs no write: it is made at once
    let r = make(&db, &request(ReportKind::Daily, "2026-04-01", None, "2026-04-01T12:00:00+08:00"));
    assert_eq!(r.report.totals.new, 1);
    // a closed period cannot be frozen while the lock is held: the report still comes,
    // live, with a warning
    let r = make(&db, &request(ReportKind::Weekly, "2026-W11", None, NOW));
    assert!(r.report.frozen_at.is_none());
    assert!(r.notes.iter().any(|n| n.contains("could not be frozen")), "{:?}", r.notes);
    tx.commit().expect("commit");
    let r = make(&db, &request(ReportKind::Weekly, "2026-W11", None, NOW));
    assert!(r.report.frozen_at.is_some());
}

// ---------------------------------------------------------------------------------------
// the HTML bulletin in a browser

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

#[test]
fn the_html_bulletin_loads_in_headless_chromium() {
    let Some(chrome) = chromium() else {
        eprintln!("skipped: no chromium on PATH (apt-get install chromium)");
        return;
    };
    let db = bureau();
    let r = make(&db, &request(ReportKind::Monthly, "2026-03", None, NOW)).report;
    let html = report::render(&r, Format::Html, Lang::Zh).expect("render");
    for bad in ["<script", "https://", "@font-face", "<link", "<img", "url("] {
        assert!(!html.contains(bad), "the bulletin must be self-contained, found `{bad}`");
    }
    let file = db.x.write("bulletin.html", &html);
    let profile = db.x.path("chromium-profile");
    let out = assert_cmd::Command::new(&chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}", file.display()),
        ])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run chromium");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "chromium failed: {stderr}");
    assert!(
        dom.contains("执法巡查月通报") && dom.matches("<svg").count() >= 3,
        "the page did not render: {}",
        &dom[..dom.len().min(500)]
    );
    for bad in ["Uncaught", "Refused to", "Failed to load resource", "net::ERR", "CONSOLE"] {
        assert!(!stderr.contains(bad), "chromium reported `{bad}`:\n{stderr}");
    }
}

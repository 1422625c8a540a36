//! Running deadlines (预警, issue #17): the oracle that finds them, `xuncha due`, and the
//! promise that each one becomes a finding on the same (case, rule, subject) once it passes
//! with nothing done, and never before.

use std::collections::BTreeSet;
use std::sync::Arc;

use xuncha::engine::index::CrossIndex;
use xuncha::engine::run::{CaseOutcome, Pending, RuleSetShared, Worker, DUE_HORIZON};
use xuncha::engine::testing::run_fixtures;
use xuncha::engine::RuleSet;
use xuncha::import::{parse_record, split::RawRecord};
use xuncha::model::{Case, Ts};

use crate::util::{lines, root, Xuncha};

fn rules() -> RuleSet {
    RuleSet::load(&root().join("rules")).unwrap_or_else(|e| panic!("{e}"))
}

fn parse(v: &serde_json::Value) -> Case {
    parse_record("test", RawRecord::new(0, None, v.to_string()))
        .map(|p| std::sync::Arc::unwrap_or_clone(p.case))
        .unwrap_or_else(|r| panic!("invalid case: {:?} {}", r.path, r.reason))
}

fn at(s: &str) -> i64 {
    Ts::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")).0
}

/// A worker for one rule (by id) that tracks running deadlines, and one that does not.
struct One {
    worker: Worker,
    plain: Worker,
    selected: Vec<bool>,
}

impl One {
    fn new(set: &RuleSet, rule: &str) -> One {
        let i = set.position(rule).unwrap_or_else(|| panic!("no rule {rule}"));
        let mut selected = vec![false; set.rules.len()];
        selected[i] = true;
        let shared = RuleSetShared::new(set, Arc::new(CrossIndex::default()));
        let mut worker = Worker::new(shared.clone());
        worker.track_due(DUE_HORIZON);
        One { worker, plain: Worker::new(shared), selected }
    }

    fn check(&self, case: &Case, as_of: i64) -> CaseOutcome {
        let out = self.worker.check(Arc::new(case.clone()), as_of, &self.selected);
        assert!(out.errors.is_empty(), "rule errors: {:?}", out.errors);
        out
    }

    /// The subjects an ordinary audit as of `t` flags.
    fn flagged(&self, case: &Case, t: i64) -> BTreeSet<String> {
        let out = self.plain.check(Arc::new(case.clone()), t, &self.selected);
        assert!(out.errors.is_empty(), "rule errors: {:?}", out.errors);
        out.findings.into_iter().map(|f| f.subject).collect()
    }

    /// The oracle's promise for every deadline running at `as_of`: not a finding then, nor
    /// at its last second in time, and a finding on the same subject one second later.
    fn assert_honest(&self, case: &Case, as_of: i64) -> Vec<Pending> {
        let out = self.check(case, as_of);
        let now: BTreeSet<String> = out.findings.iter().map(|f| f.subject.clone()).collect();
        for p in &out.pending {
            let s = &p.finding.subject;
            assert!(!now.contains(s), "{s} is both running and a finding at {}", Ts(as_of).rfc3339());
            assert!(p.deadline >= as_of, "{s}: deadline {} before the audit date", Ts(p.deadline).rfc3339());
            assert!(
                !self.flagged(case, p.deadline).contains(s),
                "{s} flagged at its deadline {}",
                Ts(p.deadline).rfc3339()
            );
            assert!(
                self.flagged(case, p.deadline + 1).contains(s),
                "{s} not flagged after its deadline {}",
                Ts(p.deadline).rfc3339()
            );
        }
        out.pending
    }
}

fn detention(measures: serde_json::Value) -> Case {
    parse(&serde_json::json!({
        "case_id": "XJ-1", "kind": "criminal", "unit_id": "U01",
        "officers": [{"id": "O1", "role": "lead"}, {"id": "O2", "role": "assist"}],
        "accepted_at": "2026-07-01T08:00:00+08:00",
        "persons": [{"id": "P1", "role": "suspect", "birth_date": "1990-01-01"},
                    {"id": "P2", "role": "suspect", "birth_date": "1991-01-01"}],
        "measures": measures
    }))
}

/// Hours: a detainee's family must be told within 24 hours of the detention.
#[test]
fn an_hour_deadline_is_listed_and_becomes_the_finding_one_second_after_it() {
    let set = rules();
    let one = One::new(&set, "P051-detention-family-notice-late");
    let case = detention(serde_json::json!([
        {"id": "M1", "person_id": "P1", "type": "criminal_detention", "started_at": "2026-07-01T14:30:00+08:00"}
    ]));
    let pending = one.assert_honest(&case, at("2026-07-01T20:00:00+08:00"));
    assert_eq!(pending.len(), 1, "{pending:?}");
    let p = &pending[0];
    assert_eq!(p.deadline, at("2026-07-02T14:30:00+08:00"));
    assert_eq!(p.message, "须于 2026-07-02 14:30 前通知被拘留人家属");
    assert!(p.statutory && !p.presumed);
    assert_eq!((p.finding.rule_id.as_str(), p.finding.subject.as_str()), ("P051-detention-family-notice-late", "M1"));
    assert_eq!(p.finding.officer_ids, ["O1"], "the officers the finding will name");
    assert_eq!(p.finding.unit_id, "U01");
    // the same case the next morning: still running, with the same deadline
    let later = one.assert_honest(&case, at("2026-07-02T09:00:00+08:00"));
    assert_eq!(later.iter().map(|p| p.deadline).collect::<Vec<_>>(), [p.deadline]);
    // after the deadline it is a finding, and no longer running
    let after = one.check(&case, at("2026-07-02T14:30:01+08:00"));
    assert!(after.pending.is_empty() && after.findings.len() == 1, "{after:?}");
}

/// A check with several subjects: each deadline is listed with its own instant, the later
/// ones found by following the rule from one deadline to the next.
#[test]
fn each_subject_gets_its_own_deadline() {
    let set = rules();
    let one = One::new(&set, "P051-detention-family-notice-late");
    let case = detention(serde_json::json!([
        {"id": "M1", "person_id": "P1", "type": "criminal_detention", "started_at": "2026-07-01T14:30:00+08:00"},
        {"id": "M2", "person_id": "P2", "type": "criminal_detention", "started_at": "2026-07-01T18:05:00+08:00"}
    ]));
    let pending = one.assert_honest(&case, at("2026-07-01T20:00:00+08:00"));
    let got: Vec<(&str, i64)> = pending.iter().map(|p| (p.finding.subject.as_str(), p.deadline)).collect();
    assert_eq!(got, [("M1", at("2026-07-02T14:30:00+08:00")), ("M2", at("2026-07-02T18:05:00+08:00"))]);
}

/// Done before the deadline: nothing is running and nothing is found, then or later.
#[test]
fn an_act_done_in_time_leaves_neither_a_running_deadline_nor_a_finding() {
    let set = rules();
    let one = One::new(&set, "P051-detention-family-notice-late");
    let case = detention(serde_json::json!([
        {"id": "M1", "person_id": "P1", "type": "criminal_detention", "started_at": "2026-07-01T14:30:00+08:00",
         "family_notified_at": "2026-07-01T19:00:00+08:00"}
    ]));
    for t in ["2026-07-01T20:00:00+08:00", "2026-07-02T14:30:01+08:00", "2026-08-01T00:00:00+08:00"] {
        let out = one.check(&case, at(t));
        assert!(out.pending.is_empty() && out.findings.is_empty(), "{t}: {out:?}");
    }
}

fn penalty_case(offence: &str, decided: &str) -> Case {
    parse(&serde_json::json!({
        "case_id": "XZ-1", "kind": "administrative", "offence": offence, "unit_id": "U02",
        "officers": [{"id": "O7", "role": "lead"}, {"id": "O8", "role": "assist"}],
        "accepted_at": "2026-03-01T09:00:00+08:00",
        "persons": [{"id": "P1", "role": "suspect", "birth_date": "1990-05-01"}],
        "penalties": [{"id": "F1", "person_id": "P1", "fine_cny": 500, "procedure": "ordinary",
                       "pre_notified_at": "2026-03-01T10:00:00+08:00", "decided_at": decided}]
    }))
}

/// Days, moved off a rest day: a public-order decision is served within 2 days; decided on
/// Thursday 2026-03-12, day 2 is Saturday, so the deadline is the end of Monday 03-16.
#[test]
fn a_day_deadline_rolled_over_a_weekend_is_listed_at_the_end_of_the_working_day() {
    let set = rules();
    let one = One::new(&set, "P089-penalty-decision-served-late");
    let case = penalty_case("殴打他人", "2026-03-12T10:00:00+08:00");
    let pending = one.assert_honest(&case, at("2026-03-12T18:00:00+08:00"));
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0].deadline, at("2026-03-16T23:59:59+08:00"));
    assert_eq!(pending[0].message, "须于 2026-03-16 24:00 前向被处罚人送达处罚决定书");
    assert_eq!(pending[0].finding.subject, "F1");
}

/// Working days: a traffic decision is served within 7 working days; decided Friday
/// 2026-02-13, the Spring Festival holiday does not count and the worked Saturdays do.
#[test]
fn a_working_day_deadline_skips_the_holiday_and_counts_the_worked_saturdays() {
    let set = rules();
    let one = One::new(&set, "P089-penalty-decision-served-late");
    let case = penalty_case("饮酒驾驶机动车", "2026-02-13T09:00:00+08:00");
    let pending = one.assert_honest(&case, at("2026-02-20T12:00:00+08:00"));
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0].deadline, at("2026-03-02T23:59:59+08:00"));
    assert!(!pending[0].presumed);
}

/// A deadline in a year the calendar lacks says that it was presumed.
#[test]
fn a_deadline_in_a_year_without_a_holiday_schedule_says_it_was_presumed() {
    let set = rules();
    let one = One::new(&set, "P089-penalty-decision-served-late");
    let case = penalty_case("饮酒驾驶机动车", "2027-02-05T09:00:00+08:00");
    let pending = one.assert_honest(&case, at("2027-02-05T12:00:00+08:00"));
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert!(pending[0].presumed);
    assert!(pending[0].message.contains("2027 年的节假日安排尚未收录"), "{}", pending[0].message);
}

/// The oracle's promise over every fixture case of every check, audited at many instants
/// near the times the case records: whatever is listed as running is no finding then, not
/// one at its deadline, and one a second later.
#[test]
fn every_running_deadline_in_the_fixtures_turns_into_its_finding_exactly_after_it() {
    let set = rules();
    let results = run_fixtures(&set, &root().join("fixtures/rules"), &[]).expect("harness");
    assert!(!results.is_empty());
    let mut listed = 0;
    let mut rules_listing = BTreeSet::new();
    for rule in set.rules.iter() {
        let id = rule.header.id.as_str();
        let text = std::fs::read_to_string(root().join("fixtures/rules").join(format!("{id}.json"))).expect("fixture");
        let entries: Vec<serde_json::Value> = serde_json::from_str(&text).expect("fixture json");
        let one = One::new(&set, id);
        for e in &entries {
            if !e["others"].as_array().is_none_or(Vec::is_empty) {
                continue; // cross-case entries need their index; covered by the audit test
            }
            let case = parse(&e["case"]);
            let mut times = BTreeSet::new();
            collect_times(&e["case"], &mut times);
            for t in times.into_iter().take(16) {
                for probe in [t + 3600, t + 20 * 3600] {
                    let p = one.assert_honest(&case, probe);
                    listed += p.len();
                    if !p.is_empty() {
                        rules_listing.insert(id.to_owned());
                    }
                }
            }
        }
    }
    assert!(listed > 100 && rules_listing.len() > 30, "{listed} running deadlines from {} checks", rules_listing.len());
}

fn collect_times(v: &serde_json::Value, out: &mut BTreeSet<i64>) {
    match v {
        serde_json::Value::String(s) if s.len() >= 20 && s.as_bytes().get(10) == Some(&b'T') => {
            if let Ok(t) = Ts::parse(s) {
                out.insert(t.0);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_times(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| collect_times(x, out)),
        _ => {}
    }
}

fn key(d: &serde_json::Value) -> (String, String, String) {
    let s = |k: &str| d[k].as_str().unwrap_or_else(|| panic!("{k} in {d}")).to_owned();
    (s("case_id"), s("rule"), s("subject"))
}

/// Issue #17's test: a generated sample audited as of one day lists dozens of running
/// deadlines; audited again a week later with no new data, every one that passed is a
/// finding on the same (case, rule, subject), and none of them was a finding before.
#[test]
fn a_week_later_every_listed_deadline_that_passed_is_a_new_finding_on_the_same_subject() {
    let t = Xuncha::new();
    let (cases, _) = t.gen(4000, 17, 0.3);
    let first = t.run(["audit", cases.to_str().expect("path"), "--as-of", "2026-06-30", "--format", "json"]).json();
    assert_eq!(first["audited"], 4000);
    let before: BTreeSet<(String, String, String)> = t
        .sql("SELECT case_id, rule_id, subject FROM findings")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    let r = t.run(["due", "--as-of", "2026-06-30", "--within", "7d", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed = r.json().as_array().expect("array").clone();
    assert!(listed.len() >= 24, "only {} running deadlines: {}", listed.len(), r.stdout);
    assert_eq!(first["running_deadlines"].as_u64().map(|n| n as usize >= listed.len()), Some(true));
    let week = at("2026-07-07T23:59:59+08:00");
    let mut deadlines = Vec::new();
    for d in &listed {
        let keys: BTreeSet<&str> = d.as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from([
                "case_id",
                "rule",
                "category",
                "subject",
                "deadline",
                "officer_ids",
                "unit_id",
                "message",
                "statutory"
            ]),
        );
        assert!(!before.contains(&key(d)), "{d} is listed as running but was a finding already");
        assert!(d["message"].as_str().is_some_and(|m| m.starts_with("须于 ") && m.contains(" 前")), "{d}");
        let deadline = Ts::parse(d["deadline"].as_str().expect("deadline")).expect("RFC 3339").0;
        assert!(d["deadline"].as_str().is_some_and(|s| s.ends_with("+08:00")), "{d}");
        assert!(deadline > at("2026-06-30T23:59:59+08:00") && deadline <= week, "{d}");
        deadlines.push(deadline);
    }
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]), "soonest first");

    let second = t.run(["audit", "--as-of", "2026-07-07", "--format", "json"]).json();
    assert!(second["audited"].as_u64().expect("audited") < 400, "an incremental audit: {second}");
    let now: BTreeSet<(String, String, String)> = t
        .sql("SELECT case_id, rule_id, subject FROM findings WHERE status IN ('open', 'pushed')")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    // a deadline at the last second of 07-07 is still in time on that audit date
    let (passed, running): (Vec<_>, Vec<_>) = listed.iter().zip(&deadlines).partition(|(_, &d)| d < week);
    assert!(passed.len() >= 20, "{} passed", passed.len());
    let missing: Vec<String> =
        passed.iter().filter(|(d, _)| !now.contains(&key(d))).map(|(d, _)| d.to_string()).collect();
    assert!(
        missing.is_empty(),
        "{} listed deadlines passed without their finding:\n{}",
        missing.len(),
        missing.join("\n")
    );
    let still = t.run(["due", "--as-of", "2026-07-07", "--within", "30d", "--format", "json"]).json();
    let still: BTreeSet<_> = still.as_array().expect("array").iter().map(key).collect();
    assert!(passed.iter().all(|(d, _)| !still.contains(&key(d))), "a passed deadline is still listed");
    assert!(running.iter().all(|(d, _)| still.contains(&key(d)) && !now.contains(&key(d))), "{running:?}");
}

/// The text form groups by officer with the hours left; filters by officer and unit; the
/// window is at most 30 days.
#[test]
fn due_text_groups_by_officer_and_filters() {
    let t = Xuncha::new();
    let case = serde_json::json!({
        "case_id": "XJ-1", "kind": "criminal", "unit_id": "U01",
        "officers": [{"id": "O1", "name": "张三", "role": "lead"}, {"id": "O2", "role": "assist"}],
        "accepted_at": "2026-07-01T08:00:00+08:00",
        "persons": [{"id": "P1", "role": "suspect", "birth_date": "1990-01-01"}],
        "measures": [{"id": "M1", "person_id": "P1", "type": "criminal_detention", "started_at": "2026-07-01T14:30:00+08:00"}]
    });
    let f = t.write("c.ndjson", &lines(&[case]));
    let r = t.run(["audit", f.to_str().expect("path"), "--as-of", "2026-07-01T20:00:00+08:00"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = t.run(["due", "--as-of", "2026-07-01T20:00:00+08:00", "--within", "48h"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("O1 张三 · "), "{}", r.stdout);
    assert!(r.stdout.contains("  18.5 h  2026-07-02 14:30  XJ-1 M1  须于 2026-07-02 14:30 前通知被拘留人家属  [P051-detention-family-notice-late]"), "{}", r.stdout);
    assert!(r.stdout.contains("须于 2026-07-02 14:30 前通知被拘留人家属"), "{}", r.stdout);
    let n = |args: &[&str]| {
        let mut a = vec!["due", "--as-of", "2026-07-01T20:00:00+08:00", "--format", "json"];
        a.extend_from_slice(args);
        t.run(a).json().as_array().map_or(0, Vec::len)
    };
    assert!(n(&[]) >= 1);
    assert_eq!(n(&["--within", "12h"]), 0);
    assert_eq!(n(&["--officer", "O9"]), 0);
    assert_eq!(n(&["--unit", "U02"]), 0);
    assert_eq!(n(&["--officer", "O1", "--unit", "U01"]), n(&[]));
    let r = t.run(["due", "--within", "31d"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("30 days"), "{}", r.stderr);
    // an officer's list starts with the running deadlines
    let r = t.run(["officer", "O1", "--now", "2026-07-01T20:00:00+08:00"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first = r.stdout.lines().find(|l| l.contains("一、")).unwrap_or_default();
    assert!(first.contains("即将到期"), "{}", r.stdout);
    assert!(r.stdout.contains("须于 2026-07-02 14:30 前通知被拘留人家属"), "{}", r.stdout);
    // the daily report's section, in every format
    for format in ["text", "markdown", "html", "csv"] {
        let r = t.run([
            "report",
            "daily",
            "--date",
            "2026-07-01",
            "--now",
            "2026-07-01T20:00:00+08:00",
            "--format",
            format,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("即将到期"), "{format}: {}", r.stdout);
        assert!(r.stdout.contains("须于 2026-07-02 14:30 前通知被拘留人家属"), "{format}: {}", r.stdout);
    }
    let j = t
        .run(["report", "daily", "--date", "2026-07-01", "--now", "2026-07-01T20:00:00+08:00", "--format", "json"])
        .json();
    assert_eq!(j["due_units"][0]["unit_id"], "U01");
    // the detention starts three 24-hour deadlines (interrogate, deliver to the detention
    // centre, tell the family); the section counts what `due` lists for the same windows
    let listed = |within: &str| {
        let j = t.run(["due", "--as-of", "2026-07-01T20:00:00+08:00", "--within", within, "--format", "json"]).json();
        j.as_array().expect("array").clone()
    };
    let week = listed("7d");
    assert_eq!(j["due_units"][0]["within_24h"], 3);
    assert_eq!(listed("24h").len(), 3);
    assert_eq!(j["due_units"][0]["within_7d"].as_u64(), Some(week.len() as u64));
    assert!(week.len() > 3);
    let local = week.iter().filter(|d| d["statutory"] == false).count() as u64;
    assert_eq!(j["due_units"][0]["not_statutory"].as_u64(), Some(local));
    let rules: BTreeSet<&str> =
        j["due_24h"].as_array().expect("array").iter().filter_map(|d| d["rule_id"].as_str()).collect();
    assert_eq!(
        rules,
        BTreeSet::from([
            "P036-interrogation-late-after-custody",
            "P050-detainee-delivered-to-centre-late",
            "P051-detention-family-notice-late"
        ])
    );
    assert!(j["due_24h"]
        .as_array()
        .expect("array")
        .iter()
        .all(|d| d["case_id"] == "XJ-1" && d["deadline"] == "2026-07-02T14:30:00+08:00"));
}

//! The fixture harness over every check, and the sandbox (issue #3).

use std::path::Path;

use xuncha::engine::testing::run_fixtures;
use xuncha::engine::RuleSet;

use crate::util::{case_json, lines, root, Xuncha};

#[test]
fn every_fixture_of_every_check_passes() {
    let set = RuleSet::load(&root().join("rules")).unwrap_or_else(|e| panic!("{e}"));
    let results = run_fixtures(&set, &root().join("fixtures/rules"), &[]).expect("harness");
    let failures: Vec<String> = results.iter().filter(|r| !r.passed()).map(|r| r.explain_failure()).collect();
    assert!(failures.is_empty(), "{} fixture entries failed:\n{}", failures.len(), failures.join("\n"));
    assert!(results.len() >= 2 * set.rules.len());
}

fn temp_rules(t: &Xuncha, scripts: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = t.path("rules");
    std::fs::create_dir_all(dir.join("g06")).expect("mkdir");
    std::fs::copy(root().join("rules/categories.toml"), dir.join("categories.toml")).expect("copy catalog");
    std::fs::copy(root().join("rules/calendar.toml"), dir.join("calendar.toml")).expect("copy calendar");
    std::fs::copy(
        root().join("rules/g06/P051-detention-family-notice-late.rhai"),
        dir.join("g06/P051-detention-family-notice-late.rhai"),
    )
    .expect("copy");
    for (name, body) in scripts {
        std::fs::write(dir.join("g06").join(format!("{name}.rhai")), body).expect("write");
    }
    dir
}

fn header(id: &str) -> String {
    format!(
        "/*---\nid = \"{id}\"\ncategory = \"P049\"\ntitle = \"t\"\nstatus = \"preview\"\nversion = 1\nlegal_basis = [{{ law = \"l\", version = \"v\", article = \"a\" }}]\ndoc = \"\"\"\n## 检查内容\n## 为什么是问题\n## 法律依据\n## 会标记\n## 不会标记\n\"\"\"\n---*/\n"
    )
}

/// `audit FILE --as-of 2026-06-30 --format json` with the rules of `dir`.
fn audit_with(t: &Xuncha, dir: &Path, file: &Path, extra: &[&str]) -> crate::util::Run {
    let (dir, file) = (dir.to_str().unwrap_or_default(), file.to_str().unwrap_or_default());
    let mut args = extra.to_vec();
    args.extend(["--rules", dir, "audit", file, "--as-of", "2026-06-30", "--format", "json"]);
    t.run(args)
}

/// `rules check` with the rules of `temp_rules` and one more check, `name`, of body `line` (the
/// script's line 18) between a loop's head and its end.
fn check_one(t: &Xuncha, name: &str, line: &str) -> crate::util::Run {
    let body = format!("{}let out = [];\nfor m in c.measures {{\n{line}\n}}\nout\n", header(name));
    let dir = temp_rules(t, &[(name, &body)]);
    t.run(["--rules", dir.to_str().unwrap_or_default(), "rules", "check"])
}

#[test]
fn a_broken_script_is_reported_with_its_position_before_anything_runs() {
    let t = Xuncha::new();
    let r = check_one(&t, "P049-broken", "    if meausre.started_at == () { continue; }");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("rule `P049-broken` does not compile: Undefined variable: meausre"), "{}", r.stderr);
    assert!(r.stderr.contains("rules/g06/P049-broken.rhai:18:8"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
}

/// The case's maps leave absent fields out, so rhai cannot tell a misspelt field from an absent
/// one: the name is checked when the script is compiled, wherever in the script it is read.
#[test]
fn a_misspelt_field_stops_the_rule_set_before_any_case_is_read() {
    let t = Xuncha::new();
    let line = r#"    if m.type == "bail" && m.famly_notified_at == () { out.push(finding(m.id, "x", #{})); }"#;
    let r = check_one(&t, "P049-misspelt", line);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("rule `P049-misspelt` does not compile: unknown property `famly_notified_at`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("rules/g06/P049-misspelt.rhai:18:30"), "{}", r.stderr);
    // the right name, and an absent one, load and run
    let r = check_one(&t, "P049-misspelt", &line.replace("famly_notified_at", "family_notified_at"));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_runaway_or_failing_script_is_a_rule_error_and_the_others_still_run() {
    let t = Xuncha::new();
    let looping = format!("{}loop {{ }}\n[]\n", header("P049-runaway"));
    let failing = format!("{}let x = c.measures[5];\n[]\n", header("P049-failing"));
    let dir = temp_rules(&t, &[("P049-runaway", &looping), ("P049-failing", &failing)]);
    let case = serde_json::json!({
        "case_id": "C1", "kind": "criminal", "unit_id": "U01", "officers": [{"id": "O1", "role": "lead"}],
        "persons": [{"id": "P1", "role": "suspect"}],
        "measures": [{"id": "M1", "person_id": "P1", "type": "criminal_detention",
                      "started_at": "2026-03-02T10:00:00+08:00", "family_notified_at": "2026-03-03T20:00:00+08:00"}]
    });
    let f = t.write("c.ndjson", &format!("{case}\n{}\n", case.to_string().replace("\"C1\"", "\"C2\"")));
    let r = audit_with(&t, &dir, &f, &[]);
    assert_eq!(r.code, 1, "rule errors make exit 1: {}", r.stderr);
    let j = r.json();
    assert_eq!(j["rule_errors"].as_u64(), Some(4));
    assert_eq!(j["new"].as_u64(), Some(2), "P051 still ran on both cases: {j}");
    assert!(
        r.stderr.contains("rule `P049-runaway` stopped on case `C1`: stopped after 1000000 operations (the limit)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("rules/g06/P049-runaway.rhai:16:"), "{}", r.stderr);
    assert!(r.stderr.contains("P049-failing` failed on case `C1`"), "{}", r.stderr);
    assert!(r.stderr.contains("the same error occurred on 1 more case"), "{}", r.stderr);
    assert_eq!(t.sql("SELECT count(*) FROM rule_errors")[0][0], "4");
}

/// A worker keeps rhai's function-resolution cache from check to check (issue #19): two
/// rules that each define `fn who()` must still call their own, and the operation limit must
/// count from zero on every check, not across the cases a worker checks.
#[test]
fn each_rule_calls_its_own_functions_and_the_operation_limit_is_per_check() {
    let t = Xuncha::new();
    let a = format!("{}fn who() {{ \"甲\" }}\n[finding(c.case_id, who(), #{{}})]\n", header("P049-a"));
    let b = format!("{}fn who() {{ \"乙\" }}\n[finding(c.case_id, who(), #{{}})]\n", header("P049-b"));
    // well under the limit on one case (two or more operations a step); eight cases on one
    // worker would pass it if the count ran on
    let heavy = format!("{}let n = 0;\nfor i in 0..100000 {{ n += 1; }}\n[]\n", header("P049-heavy"));
    let dir = temp_rules(&t, &[("P049-a", &a), ("P049-b", &b), ("P049-heavy", &heavy)]);
    let cases: String = (1..=8)
        .map(|i| {
            let case = serde_json::json!({
                "case_id": format!("C{i}"), "kind": "criminal", "unit_id": "U01",
                "officers": [{"id": "O1", "role": "lead"}]
            });
            format!("{case}\n")
        })
        .collect();
    let f = t.write("c.ndjson", &cases);
    // one thread: one worker checks every case
    let r = audit_with(&t, &dir, &f, &["-j", "1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(t.sql("SELECT count(*) FROM rule_errors")[0][0], "0");
    let got = t.sql("SELECT rule_id, message, count(*) FROM findings GROUP BY rule_id, message ORDER BY rule_id");
    assert_eq!(got, [["P049-a", "甲", "8"], ["P049-b", "乙", "8"]]);
}

#[test]
fn rules_test_reports_a_wrong_expectation_with_help() {
    let t = Xuncha::new();
    let fixtures = t.path("fixtures");
    std::fs::create_dir_all(&fixtures).expect("mkdir");
    let src =
        std::fs::read_to_string(root().join("fixtures/rules/P051-detention-family-notice-late.json")).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&src).expect("json");
    v[0]["expect"] = serde_json::json!([]);
    std::fs::write(fixtures.join("P051-detention-family-notice-late.json"), v.to_string()).expect("write");
    let r = t.run([
        "rules",
        "test",
        "P051-detention-family-notice-late",
        "--fixtures",
        fixtures.to_str().unwrap_or_default(),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("FAILED P051-detention-family-notice-late"), "{}", r.stdout);
    assert!(r.stdout.contains("flagged:  M1"), "{}", r.stdout);
    assert!(r.stdout.contains("help: if this case should flag, add the subject to \"expect\""), "{}", r.stdout);
    assert!(r.stdout.contains("1 false positives"), "{}", r.stdout);
}

#[test]
fn explain_names_what_fired_and_what_did_not_apply() {
    let t = Xuncha::new();
    let f = Path::new(&root()).join("fixtures/rules/P051-detention-family-notice-late.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("json");
    let file = t.write("one.json", &v[0]["case"].to_string());
    let r = t.run(["explain", file.to_str().unwrap_or_default(), "--as-of", "2026-06-30", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let checks = j["checks"].as_array().expect("checks");
    let p051 = checks.iter().find(|c| c["rule"] == "P051-detention-family-notice-late").expect("P051 listed");
    assert_eq!(p051["verdict"], "fired");
    assert!(checks.iter().any(
        |c| c["verdict"] == "not_applicable" && c["reason"].as_str().is_some_and(|r| r.contains("administrative"))
    ));
    assert!(checks
        .iter()
        .any(|c| c["verdict"] == "not_applicable"
            && c["reason"].as_str().is_some_and(|r| r.starts_with("the case has no"))));
}

/// Issue #6: a compliant case of each kind, every step done on time, raises nothing.
#[test]
fn compliant_cases_of_each_kind_raise_no_finding() {
    let t = Xuncha::new();
    for kind in ["administrative", "criminal", "drink_driving"] {
        let file = root().join(format!("fixtures/compliant/{kind}.json"));
        let r = t.run(["explain", file.to_str().unwrap_or_default(), "--as-of", "2026-06-30", "--format", "json"]);
        assert_eq!(r.code, 0, "{kind}: {}", r.stderr);
        let j = r.json();
        let checks = j["checks"].as_array().expect("checks");
        let loud: Vec<&serde_json::Value> =
            checks.iter().filter(|c| c["verdict"] == "fired" || c["verdict"] == "error").collect();
        assert!(loud.is_empty(), "{kind}: {loud:#?}");
        let passed = checks.iter().filter(|c| c["verdict"] == "passed").count();
        assert!(passed >= 50, "{kind}: only {passed} checks applied");
    }
}

#[test]
fn a_broken_calendar_is_refused_with_the_file_and_entry_named() {
    let t = Xuncha::new();
    let dir = temp_rules(&t, &[]);
    let text = std::fs::read_to_string(dir.join("calendar.toml")).expect("calendar");
    std::fs::write(dir.join("calendar.toml"), text.replace("\"2026-10-10\"", "\"2026-10-12\"")).expect("write");
    let r = t.run(["--rules", dir.to_str().unwrap_or_default(), "rules", "check"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("calendar.toml"), "{}", r.stderr);
    assert!(
        r.stderr.contains("[[year]] 2026") && r.stderr.contains("2026-10-12") && r.stderr.contains("Monday"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(dir.join("calendar.toml")).expect("rm");
    let r = t.run(["--rules", dir.to_str().unwrap_or_default(), "rules", "check"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("calendar.toml"), "{}", r.stderr);
}

#[test]
fn a_deadline_in_a_year_without_a_schedule_is_presumed_and_the_year_named() {
    let t = Xuncha::new();
    let roll = format!(
        "{}let d = roll_over(deadline_days(c.accepted_at, 3));\nif overdue(d, c.closure?.closed_at) {{ [finding((), `due ${{local_date(d)}}`, #{{}})] }} else {{ [] }}\n",
        header("P049-roll")
    );
    let dir = temp_rules(&t, &[("P049-roll", &roll)]);
    // accepted Tuesday 2027-02-02: the third day, Friday 02-05, is in the Spring Festival window
    // of a year the calendar lacks; closed on Monday 02-08, on time under the presumption
    let mut case = case_json("C1");
    case["accepted_at"] = "2027-02-02T10:00:00+08:00".into();
    case["closure"] = serde_json::json!({"type": "penalty", "closed_at": "2027-02-08T10:00:00+08:00"});
    let f = t.write("c.ndjson", &lines(&[case]));
    let args = |fmt: &str| {
        vec![
            "--rules".to_owned(),
            dir.to_string_lossy().into_owned(),
            "audit".to_owned(),
            f.to_string_lossy().into_owned(),
            "--as-of".to_owned(),
            "2027-06-30".to_owned(),
            "--full".to_owned(),
            "--format".to_owned(),
            fmt.to_owned(),
        ]
    };
    let r = t.run(args("json"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["calendar_presumed_years"], serde_json::json!([2027]));
    assert_eq!(j["new"], 0, "the presumption moves the deadline past 02-08: {}", r.stdout);
    let r = t.run(args("text"));
    assert!(r.stderr.contains("no holiday schedule for 2027"), "{}", r.stderr);
}

/// Issue #15: the importer stores records that contradict themselves, so every check must
/// read them without a rule error: references that do not resolve, intervals that end
/// before they start, approvals of records the case lacks. Each generated case is broken in
/// all these ways at once and checked with every rule, cross-case ones included.
#[test]
fn records_that_contradict_themselves_raise_no_rule_error() {
    use xuncha::import::{parse_record, split::RawRecord};

    /// Points every person reference at a missing person, every approval at a missing
    /// record, and swaps the two ends of every interval.
    fn break_record(v: &mut serde_json::Value) {
        const PERSON_KEYS: [&str; 2] = ["person_id", "owner_person_id"];
        const PAIRS: [(&str, &str); 8] = [
            ("started_at", "ended_at"),
            ("arrived_at", "released_at"),
            ("from", "to"),
            ("detention_started_at", "detention_ended_at"),
            ("entered_at", "left_at"),
            ("commissioned_at", "completed_at"),
            ("taken_at", "handed_to_custody_at"),
            ("issued_at", "delivered_at"),
        ];
        match v {
            serde_json::Value::Object(m) => {
                for k in PERSON_KEYS {
                    if m.get(k).is_some_and(serde_json::Value::is_string) {
                        m.insert(k.to_owned(), "NOBODY".into());
                    }
                }
                if m.contains_key("subject_id") && m.contains_key("step") {
                    m.insert("subject_id".to_owned(), "NOTHING".into());
                }
                for (a, b) in PAIRS {
                    if let (Some(x), Some(y)) = (m.get(a).cloned(), m.get(b).cloned()) {
                        m.insert(a.to_owned(), y);
                        m.insert(b.to_owned(), x);
                    }
                }
                m.values_mut().for_each(break_record);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(break_record),
            _ => {}
        }
    }

    let t = Xuncha::new();
    let (generated, _) = t.gen(600, 23, 0.3);
    let set = RuleSet::load(&root().join("rules")).unwrap_or_else(|e| panic!("{e}"));
    let mut cases = Vec::new();
    for (i, line) in std::fs::read_to_string(&generated).expect("generated").lines().enumerate() {
        let mut v: serde_json::Value = serde_json::from_str(line).expect("json");
        break_record(&mut v);
        let rec = RawRecord::new(i as u64 + 1, None, v.to_string());
        let parsed = parse_record("broken.ndjson", rec).unwrap_or_else(|r| panic!("not stored: {}", r.render()));
        cases.push(parsed.case);
    }
    let mut contradictions = 0;
    let list = rule_errors(&set, &cases, &["2026-03-31", "2026-06-30"], |out| {
        contradictions += out.findings.iter().filter(|f| f.category == "P108").count();
    });
    assert!(list.is_empty(), "rule errors on records that contradict themselves:\n{}", list.join("\n"));
    // the records were broken: P108 says so on most of them
    assert!(contradictions > cases.len(), "only {contradictions} P108 findings on {} broken cases", cases.len());
}

/// A record may leave out any optional field, and a check must read it without a rule error
/// (a rule error is a check that said nothing on the case). Generated cases lose fields at
/// random, the same ones on every run; those the importer stores are checked with every rule.
#[test]
fn records_with_fields_left_out_raise_no_rule_error() {
    use xuncha::import::{parse_record, split::RawRecord};

    /// Drops each field but `case_id` with probability 1/`one_in`, or sets it to null with the
    /// same, from a fixed seed (a 64-bit LCG).
    fn drop_fields(v: &mut serde_json::Value, state: &mut u64, one_in: u64) {
        let mut roll = || {
            *state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (*state >> 33) % one_in
        };
        match v {
            serde_json::Value::Object(m) => {
                let keys: Vec<String> = m.keys().filter(|k| *k != "case_id").cloned().collect();
                for k in keys {
                    match roll() {
                        0 => {
                            m.remove(&k);
                        }
                        1 => {
                            m.insert(k, serde_json::Value::Null);
                        }
                        _ => {}
                    }
                }
                m.values_mut().for_each(|x| drop_fields(x, state, one_in));
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| drop_fields(x, state, one_in)),
            _ => {}
        }
    }

    let t = Xuncha::new();
    let (generated, _) = t.gen(1500, 29, 0.3);
    let set = RuleSet::load(&root().join("rules")).unwrap_or_else(|e| panic!("{e}"));
    let mut state = 7u64;
    let mut cases = Vec::new();
    for (i, line) in std::fs::read_to_string(&generated).expect("generated").lines().enumerate() {
        let mut v: serde_json::Value = serde_json::from_str(line).expect("json");
        drop_fields(&mut v, &mut state, 40);
        if let Ok(parsed) = parse_record("thin.ndjson", RawRecord::new(i as u64 + 1, None, v.to_string())) {
            cases.push(parsed.case);
        }
    }
    // a required field left out refuses the record; the rest are stored
    assert!(cases.len() > 300, "only {} of 1500 records stored", cases.len());
    let list = rule_errors(&set, &cases, &["2026-06-30"], |_| {});
    assert!(list.is_empty(), "rule errors on records with fields left out:\n{}", list.join("\n"));
}

/// Checks `cases` with every rule of `set`, against an index of the cases themselves, as of
/// each day; `each` sees every outcome. The rule errors, one line per rule: how many, and the
/// first.
fn rule_errors(
    set: &RuleSet,
    cases: &[std::sync::Arc<xuncha::model::Case>],
    days: &[&str],
    mut each: impl FnMut(&xuncha::engine::run::CaseOutcome),
) -> Vec<String> {
    use xuncha::engine::index::CrossIndex;
    use xuncha::engine::run::{RuleSetShared, Worker};
    let index = std::sync::Arc::new(CrossIndex::from_cases(cases.iter().map(|c| &**c)));
    let worker = Worker::new(RuleSetShared::new(set, index));
    let all = vec![true; set.rules.len()];
    let mut errors = std::collections::BTreeMap::<String, (usize, String)>::new();
    for day in days {
        let as_of = xuncha::engine::testing::parse_as_of(Some(day)).expect("as of");
        for c in cases {
            let out = worker.check(c.clone(), as_of, &all);
            each(&out);
            for e in &out.errors {
                let slot = errors
                    .entry(e.rule_id.clone())
                    .or_insert((0, format!("{} at {} on {}", e.message, e.position(), e.case_id)));
                slot.0 += 1;
            }
        }
    }
    errors.iter().map(|(r, (n, first))| format!("{r}: {n} errors, first: {first}")).collect()
}

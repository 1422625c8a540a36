//! The nightly audit and the findings lifecycle (issue #4).

use crate::util::{lines, Xuncha};

/// The cases of an NDJSON file.
fn read_cases(path: &std::path::Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).expect("cases");
    text.lines().map(|l| serde_json::from_str(l).expect("json")).collect()
}

/// Whether a case's first questioning has a start and an end.
fn timed(c: &serde_json::Value) -> bool {
    c["questionings"]
        .as_array()
        .is_some_and(|qs| qs.first().is_some_and(|q| q["started_at"].is_string() && q["ended_at"].is_string()))
}

/// Copies case `from`'s first questioning's times and officers into case `to`'s: the two
/// overlap (P039).
fn copy_questioning(all: &mut [serde_json::Value], from: usize, to: usize) {
    let q = all[from]["questionings"][0].clone();
    for key in ["started_at", "ended_at", "officer_ids"] {
        all[to]["questionings"][0][key] = q[key].clone();
    }
}

/// A criminal case whose detention notice is `hours_late` hours after 24 h (negative = on time).
fn detention_case(id: &str, notified_after_h: i64) -> serde_json::Value {
    let notified = jiff::Timestamp::from_second(1_772_416_800 + notified_after_h * 3600).expect("ts"); // 2026-03-02T10:00+08:00 + h
    serde_json::json!({
        "case_id": id, "kind": "criminal", "offence": "盗窃", "unit_id": "U01",
        "officers": [{"id": "O1", "role": "lead"}, {"id": "O2", "role": "assist"}],
        "accepted_at": "2026-03-01T09:00:00+08:00",
        "persons": [{"id": "P1", "role": "suspect", "birth_date": "1990-05-01"}],
        "measures": [{"id": "M1", "person_id": "P1", "type": "criminal_detention",
                      "started_at": "2026-03-02T10:00:00+08:00",
                      "family_notified_at": notified.to_string()}],
        "closure": {"closed_at": "2026-04-01T10:00:00+08:00", "type": "prosecution"}
    })
}

fn audit(t: &Xuncha, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["audit", "--as-of", "2026-06-30", "--select", "P051", "--format", "json"];
    args.extend_from_slice(extra);
    let r = t.run(&args);
    assert!(r.code == 0 || r.code == 1, "audit failed: {}", r.stderr);
    r.json()
}

fn findings(t: &Xuncha) -> Vec<Vec<String>> {
    t.sql("SELECT case_id, rule_id, subject, status, recurrences FROM findings ORDER BY case_id")
}

#[test]
fn lifecycle_resolve_reopen_rerun() {
    let t = Xuncha::new();
    let f = t.write("a.ndjson", &lines(&[detention_case("C1", 31), detention_case("C2", 20)]));
    let s = audit(&t, &[f.to_str().unwrap_or_default(), "--full"]);
    assert_eq!((s["audited"].as_u64(), s["new"].as_u64()), (Some(2), Some(1)));
    assert_eq!(findings(&t), vec![vec!["C1", "P051-detention-family-notice-late", "M1", "open", "0"]]);
    let msg = t.sql("SELECT message FROM findings")[0][0].clone();
    assert!(msg.contains("31 小时") && msg.contains("超过 24 小时"), "{msg}");

    // identical rerun: nothing changes, not even last_run
    let before = t.sql("SELECT * FROM findings");
    let s = audit(&t, &["--full"]);
    assert_eq!((s["new"].as_u64(), s["resolved"].as_u64(), s["reopened"].as_u64()), (Some(0), Some(0), Some(0)));
    assert_eq!(t.sql("SELECT * FROM findings"), before);
    assert_eq!(t.sql("SELECT count(*) FROM finding_events")[0][0], "1");

    // the source is corrected: the finding resolves
    let g = t.write("b.ndjson", &lines(&[detention_case("C1", 23)]));
    let s = audit(&t, &[g.to_str().unwrap_or_default()]);
    // a partial selection (--select) audits every case
    assert_eq!((s["audited"].as_u64(), s["resolved"].as_u64()), (Some(2), Some(1)));
    assert_eq!(findings(&t)[0][3], "resolved");

    // the error comes back: reopened, recurrence counted
    let h = t.write("c.ndjson", &lines(&[detention_case("C1", 40)]));
    let s = audit(&t, &[h.to_str().unwrap_or_default()]);
    assert_eq!(s["reopened"].as_u64(), Some(1));
    assert_eq!(findings(&t)[0][3..], ["open".to_owned(), "1".to_owned()]);
    let trail = t.sql("SELECT coalesce(from_status,'-'), to_status, by FROM finding_events ORDER BY id");
    assert_eq!(
        trail,
        vec![vec!["-", "open", "audit"], vec!["open", "resolved", "audit"], vec!["resolved", "open", "audit"]]
    );
}

#[test]
fn rectified_but_still_wrong_is_reopened_and_waivers_expire() {
    let t = Xuncha::new();
    let f = t.write("a.ndjson", &lines(&[detention_case("C1", 31)]));
    audit(&t, &[f.to_str().unwrap_or_default()]);
    let id = t.sql("SELECT id FROM findings")[0][0].clone();
    let r = t.run(["finding", "rectify", &id, "--by", "张三", "--note", "已补通知"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = audit(&t, &["--full"]);
    assert_eq!(s["reopened"].as_u64(), Some(1), "a rectified finding the audit still sees must reopen");
    assert_eq!(findings(&t)[0][3], "open");

    // waive until 2026-07-10: suppressed on 2026-07-05, open again on 2026-07-11
    let r = t.run(["finding", "waive", &id, "--by", "法制员", "--note", "家属在境外", "--until", "2026-07-10"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = t.run(["audit", "--as-of", "2026-07-05", "--select", "P051", "--full", "--format", "json"]);
    assert_eq!(r.code, 0);
    assert_eq!(findings(&t)[0][3], "waived");
    let r = t.run(["audit", "--as-of", "2026-07-11", "--select", "P051", "--full", "--format", "json"]);
    assert_eq!(r.code, 0);
    assert_eq!(findings(&t)[0][3], "open", "an expired waiver stops suppressing");

    // a waiver needs a reason; every change keeps who and why
    let r = t.run(["finding", "waive", &id, "--by", "x", "--note", " "]);
    assert_eq!(r.code, 2);
    let show = t.run(["finding", "show", &id, "--format", "json"]).json();
    let events = show["events"].as_array().map(Vec::len).unwrap_or(0);
    assert!(events >= 5, "{show}");
    assert!(show["events"].to_string().contains("家属在境外"));
}

#[test]
fn incremental_run_skips_unchanged_closed_cases() {
    let t = Xuncha::new();
    let compliant: Vec<String> = ["administrative", "criminal", "drink_driving"]
        .iter()
        .map(|k| crate::util::root().join(format!("fixtures/compliant/{k}.json")).display().to_string())
        .collect();
    let mut args = vec!["audit".to_owned()];
    args.extend(compliant.iter().cloned());
    args.extend(["--as-of", "2026-07-01", "--format", "json"].map(str::to_owned));
    let j = t.run(&args).json();
    assert_eq!((j["audited"].as_u64(), j["new"].as_u64()), (Some(3), Some(0)), "{j}");
    // the next night: nothing changed, all closed and clean: nothing to do
    let j = t.run(["audit", "--as-of", "2026-07-02", "--format", "json"]).json();
    assert_eq!((j["audited"].as_u64(), j["skipped"].as_u64()), (Some(0), Some(3)), "{j}");
    // --full audits them anyway, and changes nothing
    let j = t.run(["audit", "--as-of", "2026-07-02", "--full", "--format", "json"]).json();
    assert_eq!((j["audited"].as_u64(), j["new"].as_u64()), (Some(3), Some(0)), "{j}");
    // a partial selection audits every case (stamps are only kept for complete runs)
    let j = t.run(["audit", "--as-of", "2026-07-03", "--select", "P051", "--format", "json"]).json();
    assert_eq!(j["audited"].as_u64(), Some(3));
}

#[test]
fn push_marks_open_findings_and_lists_them_per_officer() {
    let t = Xuncha::new();
    let f = t.write("a.ndjson", &lines(&[detention_case("C1", 31), detention_case("C2", 20)]));
    audit(&t, &[f.to_str().unwrap_or_default()]);
    let r = t.run(["push", "--by", "法制大队", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["pushed"].as_u64(), Some(1));
    assert!(j["officers"].to_string().contains("\"O1\""));
    assert_eq!(t.sql("SELECT status FROM findings"), vec![vec!["pushed".to_owned()]]);
    assert_eq!(
        t.sql("SELECT by, note FROM finding_events WHERE to_status = 'pushed'"),
        vec![vec!["法制大队".to_owned(), "推送整改".to_owned()]]
    );
}

#[test]
fn open_case_is_reaudited_when_its_deadline_passes() {
    let t = Xuncha::new();
    let mut c = detention_case("C1", 0);
    c["measures"][0].as_object_mut().map(|m| m.remove("family_notified_at"));
    c.as_object_mut().map(|m| m.remove("closure"));
    let f = t.write("a.ndjson", &lines(&[c]));
    // 2026-03-02 end of day: 14 h into the detention, not late yet
    let p051 = |t: &Xuncha| {
        t.sql("SELECT count(*) FROM findings WHERE rule_id = 'P051-detention-family-notice-late'")[0][0].clone()
    };
    let r = t.run(["audit", f.to_str().unwrap_or_default(), "--as-of", "2026-03-02", "--format", "json"]);
    assert_eq!(r.json()["audited"].as_u64(), Some(1));
    assert_eq!(p051(&t), "0");
    // the same date again: skipped
    let r = t.run(["audit", "--as-of", "2026-03-02T23:59:59+08:00", "--format", "json"]);
    assert_eq!(r.json()["audited"].as_u64(), Some(0));
    // the next day the 24 hours have passed: re-audited and flagged
    let r = t.run(["audit", "--as-of", "2026-03-03", "--format", "json"]);
    let j = r.json();
    assert_eq!(j["audited"].as_u64(), Some(1), "{j}");
    assert_eq!(p051(&t), "1");
}

#[test]
fn findings_json_has_the_contract_keys() {
    let t = Xuncha::new();
    let f = t.write("a.ndjson", &lines(&[detention_case("C1", 31)]));
    audit(&t, &[f.to_str().unwrap_or_default()]);
    let r = t.run(["findings", "--officer", "O1", "--status", "open", "--format", "json"]);
    let arr = r.json();
    let first = &arr[0];
    for k in [
        "id",
        "case_id",
        "rule",
        "category",
        "subject",
        "status",
        "officer_ids",
        "unit_id",
        "first_seen",
        "last_seen",
        "message",
        "evidence",
    ] {
        assert!(first.get(k).is_some(), "missing key {k} in {first}");
    }
    assert_eq!(first["category"], "P051");
    assert_eq!(first["evidence"]["started_at"], "2026-03-02 10:00");
    let r = t.run(["findings", "--officer", "NOBODY", "--format", "json"]);
    assert_eq!(r.json().as_array().map(Vec::len), Some(0));
}

/// Audits the generated `cases` in `night`, then imports `all[b]`, changed, on its own and
/// audits again: a few cases may be re-audited, and the open findings must be those of a
/// full audit of `all` in a new database (returned), among them P039 on `all[a]` and
/// `all[b]` (`why` says why they overlap).
fn change_one_case_and_compare(
    night: &Xuncha,
    cases: &std::path::Path,
    all: &[serde_json::Value],
    [a, b]: [usize; 2],
    why: &str,
) -> Xuncha {
    let changed = night.write("changed.ndjson", &lines(&all[b..=b]));
    let as_of = ["--as-of", "2026-06-30", "--format", "json"];

    let first = night.run(["audit", cases.to_str().expect("path")].iter().chain(&as_of)).json();
    assert_eq!(first["audited"], 300);
    let second = night.run(["audit", changed.to_str().expect("path")].iter().chain(&as_of)).json();
    let reaudited = second["audited"].as_u64().expect("audited");
    assert!((2..60).contains(&reaudited), "only the changed case and those near it: {second}");

    let fresh = Xuncha::new();
    let whole = fresh.write("whole.ndjson", &lines(all));
    let full = fresh.run(["audit", whole.to_str().expect("path")].iter().chain(&as_of)).json();
    assert_eq!(full["audited"], 300);

    let open = |t: &Xuncha| {
        t.sql("SELECT case_id, rule_id, subject FROM findings WHERE status IN ('open', 'pushed') ORDER BY 1, 2, 3")
    };
    let (inc, clean) = (open(night), open(&fresh));
    assert_eq!(inc, clean, "the incremental result differs from a full audit");
    for id in [&all[a]["case_id"], &all[b]["case_id"]] {
        let id = id.as_str().expect("id");
        assert!(clean.iter().any(|f| f[0] == id && f[1].starts_with("P039")), "{why} in case {id}");
    }
    fresh
}

/// A nightly run that audits only the changed cases and those near them (loading only their
/// part of the cross-case index) ends with the same open findings as a full audit of the
/// same data in a new database. The change makes an unchanged case's questioning overlap a
/// changed one's, so the unchanged case must be found and re-audited.
#[test]
fn incremental_run_with_a_cross_case_change_equals_a_full_audit() {
    let night = Xuncha::new();
    let (cases, _) = night.gen(300, 11, 0.3);
    let mut all = read_cases(&cases);
    let a = all.iter().position(timed).expect("a case with a timed questioning");
    let b = all.iter().skip(a + 1).position(timed).map(|i| i + a + 1).expect("another");
    copy_questioning(&mut all, a, b);
    let fresh = change_one_case_and_compare(&night, &cases, &all, [a, b], "the copied questioning overlaps");
    // the importer's bound on session length is the longest session (it never shrinks)
    let bound = |t: &Xuncha| t.sql("SELECT longest, (SELECT max(ended_at - started_at) FROM xsessions) FROM xbounds");
    for t in [&night, &fresh] {
        let b = bound(t);
        assert_eq!(b.len(), 1, "{b:?}");
        assert!(b[0][0].parse::<i64>().expect("bound") >= b[0][1].parse::<i64>().expect("max"), "{b:?}");
    }
    assert_eq!(bound(&fresh)[0][0], bound(&fresh)[0][1], "a fresh import's bound is the longest session");
}

/// The same with a questioned person instead of an officer: a changed case now questions,
/// by other officers and at the same time, a person with the resident id number of a person
/// an unchanged case questioned. The unchanged case shares no officer with the change, only
/// the person, and must be found and re-audited all the same (P039 by id number).
#[test]
fn incremental_run_with_a_person_questioned_in_two_cases_equals_a_full_audit() {
    let night = Xuncha::new();
    let (cases, _) = night.gen(300, 13, 0.3);
    let mut all = read_cases(&cases);
    // the first questioning, timed, of a person with an id number: (its officers, the number)
    let questioned = |c: &serde_json::Value| -> Option<(Vec<serde_json::Value>, String)> {
        let q = c["questionings"].as_array()?.first()?;
        if !(q["started_at"].is_string() && q["ended_at"].is_string()) {
            return None;
        }
        let p = c["persons"].as_array()?.iter().find(|p| p["id"] == q["person_id"])?;
        Some((q["officer_ids"].as_array()?.clone(), p["id_number"].as_str()?.to_owned()))
    };
    let a = all.iter().position(|c| questioned(c).is_some()).expect("a case with a questioned person");
    let (a_officers, a_number) = questioned(&all[a]).expect("a");
    let b = all
        .iter()
        .enumerate()
        .skip(a + 1)
        .position(|(_, c)| questioned(c).is_some_and(|(o, _)| o.iter().all(|x| !a_officers.contains(x))))
        .map(|i| i + a + 1)
        .expect("another, by other officers");
    let q = all[a]["questionings"][0].clone();
    for key in ["started_at", "ended_at"] {
        all[b]["questionings"][0][key] = q[key].clone();
    }
    let pid = all[b]["questionings"][0]["person_id"].clone();
    for p in all[b]["persons"].as_array_mut().expect("persons") {
        if p["id"] == pid {
            p["id_number"] = a_number.clone().into();
        }
    }
    change_one_case_and_compare(&night, &cases, &all, [a, b], "the same person is questioned at the same time");
}

/// The nightly run skips a case until the instant its checks declared their answer could
/// change. Audited again 46 days later, the stored cases must give exactly the findings a
/// full audit on that day gives, while only the cases with a deadline passing in between
/// are checked again (not every case whose message counts days).
#[test]
fn incremental_run_on_a_later_day_equals_a_full_audit_on_that_day() {
    let night = Xuncha::new();
    let (cases, _) = night.gen(400, 12, 0.3);
    let first = night.run(["audit", cases.to_str().expect("path"), "--as-of", "2026-06-30", "--format", "json"]).json();
    assert_eq!(first["audited"], 400);
    let later = night.run(["audit", "--as-of", "2026-08-15", "--format", "json"]).json();
    let reaudited = later["audited"].as_u64().expect("audited");
    assert!(reaudited < 100, "only cases with a deadline passing by 2026-08-15: {later}");

    let fresh = Xuncha::new();
    let whole = fresh.run(["audit", cases.to_str().expect("path"), "--as-of", "2026-08-15", "--format", "json"]).json();
    assert_eq!(whole["audited"], 400);
    let open = |t: &Xuncha| {
        t.sql("SELECT case_id, rule_id, subject FROM findings WHERE status IN ('open', 'pushed') ORDER BY 1, 2, 3")
    };
    let (inc, clean) = (open(&night), open(&fresh));
    assert!(later["new"].as_u64().expect("new") > 0, "some deadline passes in 46 days: {later}");
    assert_eq!(inc, clean, "the incremental result differs from a full audit on the same day");
}

/// A changed case whose questionings, penalties and summonses are as stored does not change
/// what other cases see of it: its index rows stay, no officer or person is marked, and the
/// nightly run checks that case alone. Changing a session's time marks its officers again.
#[test]
fn a_change_outside_the_cross_case_index_rechecks_only_that_case() {
    let t = Xuncha::new();
    let (cases, _) = t.gen(300, 13, 0.3);
    let text = std::fs::read_to_string(&cases).expect("cases");
    let mut all: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    let as_of = ["--as-of", "2026-06-30", "--format", "json"];
    let first = t.run(["audit", cases.to_str().expect("path")].iter().chain(&as_of)).json();
    assert_eq!(first["audited"], 300);
    let i = all
        .iter()
        .position(|c| c["questionings"].as_array().is_some_and(|qs| qs.iter().any(|q| q["ended_at"].is_string())))
        .expect("a case with a timed questioning");
    let id = all[i]["case_id"].as_str().expect("id").to_owned();
    let rows = |t: &Xuncha| t.sql(&format!("SELECT rowid FROM xsessions WHERE case_id = '{id}' ORDER BY 1"));
    let before = rows(&t);
    assert!(!before.is_empty());

    all[i]["updated_at"] = serde_json::json!("2026-07-01T02:00:00+08:00");
    let changed = t.write("changed.ndjson", &lines(&all[i..=i]));
    let import = t.run(["import", changed.to_str().expect("path"), "--format", "json"]);
    assert_eq!(import.json()["changed"], 1, "{}", import.stderr);
    assert_eq!(t.sql("SELECT count(*) FROM dirty_keys"), [["0"]], "nothing other cases see has changed");
    assert_eq!(rows(&t), before, "the index rows were kept, not rewritten");
    let second = t.run(["audit"].iter().chain(&as_of)).json();
    assert_eq!(second["audited"], 1, "{second}");

    let q = all[i]["questionings"].as_array().expect("qs").iter().position(|q| q["ended_at"].is_string()).expect("q");
    all[i]["questionings"][q]["ended_at"] = all[i]["questionings"][q]["started_at"].clone();
    let moved = t.write("moved.ndjson", &lines(&all[i..=i]));
    t.run(["import", moved.to_str().expect("path")]);
    let marked = t.sql("SELECT count(*) FROM dirty_keys WHERE key LIKE 'o:%'");
    assert_ne!(marked, [["0"]], "a session that moved marks its officers");
    assert_ne!(rows(&t), before, "and its index rows are rewritten");
}

/// Issue #15: a review-level finding (待核查) is stored with its level and what to verify,
/// listed by `findings --level review`, never pushed and never counted in the report figures.
#[test]
fn review_findings_are_listed_apart_and_not_counted() {
    let t = Xuncha::new();
    let search = |id: &str, av: bool| {
        let mut c = detention_case(id, 20);
        c["searches"] = serde_json::json!([{"id": "S1", "kind": "search", "at": "2026-03-02T11:00:00+08:00",
            "person_id": "P1", "officer_ids": ["O1", "O2"], "warrant_shown": true, "witness_present": false,
            "record_signed": true, "av_recorded": av}]);
        c
    };
    let f = t.write("s.ndjson", &lines(&[search("V1", false), search("R1", true)]));
    let r = t.run([
        "audit",
        f.to_str().unwrap_or_default(),
        "--as-of",
        "2026-06-30",
        "--select",
        "P062",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let all = t.run(["findings", "--format", "json"]).json();
    let levels: Vec<(String, String)> = all
        .as_array()
        .expect("array")
        .iter()
        .map(|f| (f["case_id"].as_str().unwrap_or("").to_owned(), f["level"].as_str().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(levels, vec![("R1".to_owned(), "review".to_owned()), ("V1".to_owned(), "violation".to_owned())]);
    let review = t.run(["findings", "--level", "review", "--format", "json"]).json();
    assert_eq!(review.as_array().map(Vec::len), Some(1));
    assert!(review[0]["verify"].as_str().unwrap_or("").contains("核对笔录是否注明"), "{review}");
    assert_eq!(all[1]["verify"], serde_json::Value::Null);
    // push sends only the violation to the officers
    let pushed = t.run(["push", "--by", "法制大队", "--format", "json"]).json();
    assert_eq!(pushed["pushed"], 1);
    // the month's figures count the violation only
    let new_june: i64 = t
        .sql("SELECT new FROM rollup_live WHERE kind = 'month' AND period = '2026-06' AND scope = '*' AND dim = 'all'")
        [0][0]
        .parse()
        .expect("number");
    assert_eq!(new_june, 1);
}

/// Issue #18: findings name persons as surname + 某 and mask resident ID numbers where they
/// are made, so nothing stored, listed or reported carries a full name.
#[test]
fn findings_never_carry_a_persons_full_name_or_id_number() {
    let t = Xuncha::new();
    let (cases, _) = t.gen(1500, 31, 0.4);
    let r = t.run(["audit", cases.to_str().unwrap_or_default(), "--as-of", "2026-06-30", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // per case: its persons' full names (other than its officers' names) and id numbers
    let mut personal: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for line in std::fs::read_to_string(&cases).expect("cases").lines() {
        let c: serde_json::Value = serde_json::from_str(line).expect("json");
        let officers: Vec<&str> =
            c["officers"].as_array().into_iter().flatten().filter_map(|o| o["name"].as_str()).collect();
        let mut own = Vec::new();
        for p in c["persons"].as_array().into_iter().flatten() {
            if let Some(n) = p["name"].as_str().filter(|n| n.chars().count() >= 2 && !officers.contains(n)) {
                own.push(n.to_owned());
            }
            if let Some(id) = p["id_number"].as_str() {
                own.push(id.to_owned());
            }
        }
        personal.insert(c["case_id"].as_str().unwrap_or_default().to_owned(), own);
    }
    let stored = t.sql("SELECT case_id, message || ' ' || evidence || ' ' || coalesce(verify, '') FROM findings");
    assert!(stored.len() > 300, "only {} findings", stored.len());
    let masked = stored.iter().filter(|r| r[1].contains('某')).count();
    assert!(masked > 0, "no finding names a person at all; the test proves nothing");
    for row in &stored {
        let text = &row[1];
        if let Some(n) = personal.get(&row[0]).into_iter().flatten().find(|n| text.contains(n.as_str())) {
            panic!("a finding of case {} names {n} in full: {text}", row[0]);
        }
    }
}

/// Issue #19: a rules directory exported from the built-in set, 300 generated cases audited
/// with it, and the store's findings, events and running deadlines as rows.
struct Edited {
    t: Xuncha,
    rules: std::path::PathBuf,
    cases: std::path::PathBuf,
}

impl Edited {
    fn new(seed: u64) -> Edited {
        let t = Xuncha::new();
        let rules = t.path("rules");
        let r = t.run(["rules", "export", rules.to_str().expect("path")]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let (cases, _) = t.gen(300, seed, 0.3);
        let e = Edited { t, rules, cases };
        let first = e.audit(&[e.cases.to_str().expect("path")]);
        assert_eq!(first["audited"], 300, "{first}");
        assert_eq!(first["rules_rerun"], serde_json::json!([]), "{first}");
        e
    }

    fn audit(&self, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["--rules", self.rules.to_str().expect("path"), "audit", "--as-of", "2026-06-30"];
        args.extend_from_slice(extra);
        args.extend(["--format", "json"]);
        let r = self.t.run(&args);
        assert!(r.code == 0 || r.code == 1, "audit failed: {}", r.stderr);
        r.json()
    }

    /// The check's file in the exported directory.
    fn rule_file(&self, id: &str) -> std::path::PathBuf {
        let group = std::fs::read_dir(&self.rules)
            .expect("rules dir")
            .filter_map(Result::ok)
            .map(|g| g.path().join(format!("{id}.rhai")))
            .find(|p| p.exists());
        group.unwrap_or_else(|| panic!("no file for {id}"))
    }

    fn edit(&self, path: &std::path::Path, from: &str, to: &str) {
        let text = std::fs::read_to_string(path).expect("read");
        assert!(text.contains(from), "{} has no `{from}`", path.display());
        std::fs::write(path, text.replacen(from, to, 1)).expect("write");
    }

    /// Every finding column but the two a re-run of its rule updates (`rule_version`,
    /// `last_run`), of the findings the `filter` SQL condition keeps.
    fn findings(&self, filter: &str) -> Vec<Vec<String>> {
        self.t.sql(&format!(
            "SELECT id, case_id, rule_id, subject, status, message, evidence, officer_ids, first_seen, last_seen,
                    recurrences, first_run, level, verify, resolved_run
             FROM findings WHERE {filter} ORDER BY id"
        ))
    }

    fn events(&self) -> Vec<Vec<String>> {
        self.t.sql("SELECT * FROM finding_events ORDER BY id")
    }

    fn due(&self, filter: &str) -> Vec<Vec<String>> {
        self.t.sql(&format!(
            "SELECT case_id, rule_id, subject, deadline, message, officer_ids FROM due WHERE {filter} ORDER BY 1, 2, 3"
        ))
    }
}

const P051: &str = "P051-detention-family-notice-late";

#[test]
fn a_comment_edit_to_one_check_reruns_that_check_alone_and_changes_no_finding() {
    let e = Edited::new(21);
    let rows_before = e.t.sql("SELECT * FROM findings ORDER BY id");
    let (findings, events, due) = (e.findings("1"), e.events(), e.due("1"));
    assert!(e.t.sql(&format!("SELECT count(*) FROM findings WHERE rule_id = '{P051}'"))[0][0] != "0");

    e.edit(&e.rule_file(P051), "let out = [];", "// a comment\nlet out = [];");
    let s = e.audit(&[]);
    let rerun = s["rules_rerun"].as_array().expect("rules_rerun");
    assert_eq!(rerun.len(), 1, "{s}");
    assert_eq!(rerun[0]["rule"], P051, "{s}");
    // P051 applies to criminal cases with a measure only
    let criminal_with_measures = e.t.sql(
        "SELECT count(*) FROM case_raw WHERE json_extract(raw, '$.kind') = 'criminal'
           AND json_array_length(raw, '$.measures') > 0",
    )[0][0]
        .parse::<u64>()
        .expect("count");
    assert_eq!(rerun[0]["cases"].as_u64(), Some(criminal_with_measures), "{s}");
    assert!(criminal_with_measures > 0 && criminal_with_measures < 300);
    assert_eq!(s["audited_partial"], s["audited"], "only the rule changed: {s}");
    // the cases of other kinds are not even read: the criminal ones are, measures or not
    let kind_count = |k: &str| -> u64 {
        e.t.sql(&format!("SELECT count(*) FROM cases WHERE kind = '{k}'"))[0][0].parse().expect("count")
    };
    assert_eq!(s["audited"].as_u64(), Some(kind_count("criminal")), "{s}");
    assert_eq!(s["stamped_unread"].as_u64(), Some(300 - kind_count("criminal")), "{s}");
    assert_eq!((s["new"].as_u64(), s["resolved"].as_u64(), s["reopened"].as_u64()), (Some(0), Some(0), Some(0)));
    assert_eq!(e.findings("1"), findings);
    assert_eq!(e.events(), events, "no event");
    assert_eq!(e.due("1"), due);
    // the other rules' findings are not touched at all; P051's carry its new version
    let others = |rows: &[Vec<String>]| -> Vec<Vec<String>> { rows.iter().filter(|r| r[2] != P051).cloned().collect() };
    assert_eq!(others(&e.t.sql("SELECT * FROM findings ORDER BY id")), others(&rows_before));
    let text = std::fs::read_to_string(e.rule_file(P051)).expect("read");
    let hash = blake3::hash(text.as_bytes()).to_hex()[..16].to_owned();
    let version = text.lines().find_map(|l| l.strip_prefix("version = ")).expect("a version line");
    let versions = e.t.sql(&format!("SELECT DISTINCT rule_version FROM findings WHERE rule_id = '{P051}'"));
    assert_eq!(versions, [[format!("{version}@{hash}")]]);

    // the next night nothing is left to do
    let s = e.audit(&[]);
    assert_eq!((s["audited"].as_u64(), s["rules_rerun"].clone()), (Some(0), serde_json::json!([])), "{s}");
}

#[test]
fn a_check_narrowed_to_fewer_kinds_still_runs_where_it_left_findings_and_resolves_them() {
    let e = Edited::new(21);
    // P051 on administrative cases only: its findings on criminal cases no longer hold
    e.edit(&e.rule_file(P051), r#"kinds = ["criminal"]"#, r#"kinds = ["administrative"]"#);
    let holding: u64 = e.t.sql(&format!(
        "SELECT count(*) FROM (SELECT case_id FROM findings WHERE rule_id = '{P051}' AND status <> 'resolved'
                               UNION SELECT case_id FROM due WHERE rule_id = '{P051}')"
    ))[0][0]
        .parse()
        .expect("count");
    assert!(holding > 0);
    let s = e.audit(&[]);
    let administrative: u64 =
        e.t.sql("SELECT count(*) FROM cases WHERE kind = 'administrative'")[0][0].parse().expect("count");
    // read: the administrative cases (the rule applies now) and the criminal ones holding its
    // findings; stamped unread: every other case
    assert_eq!(s["audited"].as_u64(), Some(administrative + holding), "{s}");
    assert_eq!(s["stamped_unread"].as_u64(), Some(300 - administrative - holding), "{s}");
    let on_criminal = format!(
        "SELECT count(*) FROM findings f JOIN cases c USING (case_id)
         WHERE f.rule_id = '{P051}' AND f.status <> 'resolved' AND c.kind = 'criminal'"
    );
    assert_eq!(e.t.sql(&on_criminal), [["0"]], "the criminal cases' findings are resolved");
    let s = e.audit(&[]);
    assert_eq!(s["audited"].as_u64(), Some(0), "{s}");
}

#[test]
fn a_logic_edit_changes_that_checks_findings_alone_like_a_full_audit() {
    let e = Edited::new(21);
    let (others, other_due) = (e.findings(&format!("rule_id <> '{P051}'")), e.due(&format!("rule_id <> '{P051}'")));
    let other_events = |e: &Edited| {
        e.t.sql(&format!(
            "SELECT * FROM finding_events WHERE finding_id IN (SELECT id FROM findings WHERE rule_id <> '{P051}') ORDER BY id"
        ))
    };
    let events = other_events(&e);
    let open_p051 = e.t.sql(&format!("SELECT count(*) FROM findings WHERE rule_id = '{P051}' AND status = 'open'"));
    assert_ne!(open_p051, [["0"]]);

    // a 30-hour limit instead of 24: some late notices are in time now
    e.edit(&e.rule_file(P051), "notify_hours = 24", "notify_hours = 30");
    // and one case changed at the same time is checked with every rule
    let text = std::fs::read_to_string(&e.cases).expect("cases");
    let mut one: serde_json::Value = serde_json::from_str(text.lines().next().expect("a case")).expect("json");
    one["updated_at"] = serde_json::json!("2026-06-30T02:00:00+08:00");
    let changed_is_criminal = u64::from(one["kind"] == "criminal");
    let changed = e.t.write("changed.ndjson", &lines(&[one]));
    let s = e.audit(&[changed.to_str().expect("path")]);
    assert_eq!(s["rules_rerun"].as_array().map(Vec::len), Some(1), "{s}");
    // the changed case gets every rule; of the others, the criminal ones get P051 alone and
    // the rest are not read
    let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("{k}: {s}"));
    assert_eq!(n("audited_partial"), n("audited") - 1, "{s}");
    assert_eq!(n("audited") + n("stamped_unread"), 300, "{s}");
    let criminal: u64 = e.t.sql("SELECT count(*) FROM cases WHERE kind = 'criminal'")[0][0].parse().expect("count");
    assert_eq!(n("audited_partial"), criminal - changed_is_criminal, "{s}");
    assert!(s["resolved"].as_u64().expect("resolved") > 0, "{s}");
    assert_eq!(e.findings(&format!("rule_id <> '{P051}'")), others);
    assert_eq!(e.due(&format!("rule_id <> '{P051}'")), other_due);
    assert_eq!(other_events(&e), events);

    // the same as a full audit with the edited rules
    let open = |t: &Xuncha| {
        t.sql("SELECT case_id, rule_id, subject, message FROM findings WHERE status IN ('open', 'pushed') ORDER BY 1, 2, 3")
    };
    let inc = open(&e.t);
    e.audit(&["--full"]);
    assert_eq!(inc, open(&e.t), "the partial re-run differs from a full audit");
}

#[test]
fn a_calendar_edit_reruns_the_checks_that_read_the_calendar_alone() {
    let e = Edited::new(23);
    let reads_calendar = |id: &str| {
        let text = std::fs::read_to_string(e.rule_file(id)).expect("read");
        text.contains("roll_over") || text.contains("deadline_workdays")
    };
    let all: Vec<String> = e.t.sql("SELECT DISTINCT rule_id FROM findings").into_iter().map(|r| r[0].clone()).collect();
    let calendar_rules: Vec<&String> = all.iter().filter(|id| reads_calendar(id)).collect();
    assert!(!calendar_rules.is_empty(), "some finding comes from a check that reads the calendar");
    let list = |ids: &[&String]| ids.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(",");
    let untouched = format!("rule_id NOT IN ({})", list(&calendar_rules));
    let (others, events) = (e.t.sql(&format!("SELECT * FROM findings WHERE {untouched} ORDER BY id")), e.events());

    // 2026-05-06 becomes a rest day
    let calendar = e.rules.join("calendar.toml");
    let text = std::fs::read_to_string(&calendar).expect("calendar");
    let at = text.find("[[year]]").expect("a year");
    let year_2026 = text[at..].find("year = 2026").map(|i| i + at).expect("2026");
    let rest = text[year_2026..].find("rest = [").map(|i| i + year_2026 + "rest = [".len()).expect("rest");
    std::fs::write(&calendar, format!("{}\"2026-05-06\", {}", &text[..rest], &text[rest..])).expect("write");

    let s = e.audit(&[]);
    let rerun: Vec<String> = s["rules_rerun"]
        .as_array()
        .expect("rules_rerun")
        .iter()
        .map(|r| r["rule"].as_str().expect("rule").to_owned())
        .collect();
    assert!(!rerun.is_empty(), "{s}");
    for id in &rerun {
        assert!(reads_calendar(id), "{id} does not read the calendar: {s}");
    }
    for id in &calendar_rules {
        assert!(rerun.contains(id), "{id} reads the calendar: {s}");
    }
    assert_eq!(s["audited_partial"], s["audited"], "{s}");
    assert_eq!(e.t.sql(&format!("SELECT * FROM findings WHERE {untouched} ORDER BY id")), others);
    let events_now = e.events();
    assert_eq!(events_now[..events.len()], events[..], "earlier events stay");
}

/// `audit FILE` into an empty store checks each batch's cases while the import writes the
/// batch before (issue #19). What it leaves must be what importing first and auditing then
/// leaves, row for row, across batches (4,096 records each): a questioning copied from an
/// early case into a late one (a cross-case overlap the early case could not see when it was
/// checked), a case listed again in a later batch with other content, and a case listed twice
/// in a row.
#[test]
fn auditing_a_file_while_importing_it_equals_importing_then_auditing() {
    let gen = Xuncha::new();
    let (cases, _) = gen.gen(9000, 5, 0.3);
    let mut all = read_cases(&cases);
    let early = all.iter().position(timed).expect("a case with a timed questioning");
    let late = (8500..all.len()).find(|&i| timed(&all[i])).expect("a late one");
    copy_questioning(&mut all, early, late);
    let overlapping = [all[early]["case_id"].clone(), all[late]["case_id"].clone()];
    // listed again in the last batch, without its documents
    let mut again = all[100].clone();
    again["documents"] = serde_json::json!([]);
    all.push(again);
    // twice in a row, the second without its closure
    let mut twice = all[200].clone();
    twice.as_object_mut().expect("case").remove("closure");
    all.insert(201, twice);
    let file = gen.write("cases.ndjson", &lines(&all));
    let file = file.to_str().expect("path");
    let as_of = ["--as-of", "2026-06-30", "--format", "json"];

    let overlapped = Xuncha::new();
    let a = overlapped.run(["audit", file].iter().chain(&as_of)).json();
    let sequential = Xuncha::new();
    assert_eq!(sequential.run(["--quiet", "import", file]).code, 0);
    let b = sequential.run(["audit"].iter().chain(&as_of)).json();

    let checked = a["checked_on_import"].as_u64().expect("checked_on_import");
    // the early case at least is checked again once the late one is in
    assert!(checked > 0 && checked < 9000, "cases checked while imported, some again: {a}");
    assert_eq!(a["audited"], 9000);
    assert_eq!(b["checked_on_import"], 0);
    for key in
        ["audited", "skipped", "new", "still_open", "open", "resolved", "reopened", "rule_errors", "running_deadlines"]
    {
        assert_eq!(a[key], b[key], "{key}: {a}\n{b}");
    }
    for query in [
        "SELECT case_id, rule_id, subject, status, level, message, coalesce(verify, ''), evidence, officer_ids,
                rule_version, first_run, last_run, first_seen, last_seen, recurrences
         FROM findings ORDER BY case_id, rule_id, subject",
        "SELECT f.case_id, f.rule_id, f.subject, e.at, e.run_id, coalesce(e.from_status, ''), e.to_status
         FROM finding_events e JOIN findings f ON f.id = e.finding_id ORDER BY 1, 2, 3, 4",
        "SELECT count(*) FROM finding_versions",
        "SELECT * FROM due ORDER BY case_id, rule_id, subject",
        "SELECT case_id, content_hash, audited_hash, audited_rules, audited_as_of, audited_run, next_change
         FROM cases ORDER BY case_id",
        "SELECT rule_id, case_id, message FROM rule_errors ORDER BY 1, 2",
    ] {
        assert_eq!(overlapped.sql(query), sequential.sql(query), "{query}");
    }
    for id in &overlapping {
        let id = id.as_str().expect("id");
        let p039 = overlapped.sql(&format!(
            "SELECT count(*) FROM findings WHERE case_id = '{id}' AND rule_id LIKE 'P039%' AND status = 'open'"
        ));
        assert_ne!(p039[0][0], "0", "the copied questioning overlaps in case {id}");
    }
}

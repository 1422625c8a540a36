//! Import: formats, idempotency, rejects with file, line and JSON path (issue #2).

use std::path::PathBuf;

use xuncha::import::parse_record;
use xuncha::import::split::{Item, Splitter};

use crate::util::{case_json, lines, root, Xuncha};

#[test]
fn thousand_good_records_and_three_bad_ones() {
    let t = Xuncha::new();
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!("{}\n", case_json(&format!("C{i:04}"))));
        match i {
            100 => {
                text.push_str("{\"case_id\": \"BAD-1\", \"kind\": \"administrative\", \"unit_id\": \"U1\", \"offi\n")
            }
            500 => {
                text.push_str("{\"kind\": \"administrative\", \"unit_id\": \"U1\", \"officers\": [{\"id\": \"O1\"}]}\n")
            }
            900 => {
                let mut c = case_json("BAD-3");
                c["accepted_at"] = "2020/3/1 10:00".into();
                text.push_str(&format!("{c}\n"));
            }
            _ => {}
        }
    }
    let f = t.write("export.ndjson", &text);
    let r = t.run(["import", f.to_str().unwrap_or_default(), "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["new"], 1000);
    assert_eq!(j["rejected"], 3);
    // each reject named with its line and field path
    assert!(r.stderr.contains("export.ndjson:102"), "{}", r.stderr);
    assert!(r.stderr.contains("case `BAD-1` was not imported"), "{}", r.stderr);
    assert!(r.stderr.contains("malformed JSON"), "{}", r.stderr);
    assert!(r.stderr.contains("export.ndjson:503"), "{}", r.stderr);
    assert!(r.stderr.contains("missing field `case_id`"), "{}", r.stderr);
    assert!(r.stderr.contains("export.ndjson:904"), "{}", r.stderr);
    assert!(r.stderr.contains("at `accepted_at`: expected an RFC 3339 timestamp with offset"), "{}", r.stderr);
    assert!(r.stderr.contains("case `BAD-3`"), "{}", r.stderr);
    assert_eq!(t.sql("SELECT count(*) FROM cases")[0][0], "1000");
    let rejects = t.sql("SELECT line, coalesce(case_id, '-'), coalesce(path, '-') FROM rejects ORDER BY line");
    assert_eq!(
        rejects,
        vec![
            vec!["102".to_owned(), "BAD-1".to_owned(), "-".to_owned()],
            vec!["503".to_owned(), "-".to_owned(), "-".to_owned()],
            vec!["904".to_owned(), "BAD-3".to_owned(), "accepted_at".to_owned()],
        ]
    );
    // the raw text of each reject is kept
    assert_eq!(t.sql("SELECT count(*) FROM rejects WHERE raw <> ''")[0][0], "3");
}

#[test]
fn importing_twice_changes_nothing() {
    let t = Xuncha::new();
    let f = t.write("a.ndjson", &lines(&(0..50).map(|i| case_json(&format!("C{i}"))).collect::<Vec<_>>()));
    let first = t.run(["import", f.to_str().unwrap_or_default(), "--format", "json"]).json();
    assert_eq!(first["new"], 50);
    let second = t.run(["import", f.to_str().unwrap_or_default(), "--format", "json"]).json();
    assert_eq!(
        (second["new"].clone(), second["changed"].clone(), second["unchanged"].clone()),
        (0.into(), 0.into(), 50.into())
    );
}

#[test]
fn json_array_with_a_bad_element_keeps_the_others() {
    let t = Xuncha::new();
    let text = format!("[\n{},\n{{\"case_id\": \"X\", \"kind\": \"nope\", \"unit_id\": \"U\", \"officers\": [{{\"id\":\"O\"}}]}},\n{}\n]\n", case_json("A1"), case_json("A3"));
    let f = t.write("a.json", &text);
    let r = t.run(["import", f.to_str().unwrap_or_default(), "--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["new"], 2);
    assert!(r.stderr.contains("a.json:3:1 (array element 1)"), "{}", r.stderr);
    assert!(r.stderr.contains("at `kind`: unknown variant `nope`"), "{}", r.stderr);
}

#[test]
fn what_cannot_be_identified_is_rejected_with_its_path() {
    let t = Xuncha::new();
    let mut dup = case_json("D3");
    dup["questionings"] = serde_json::json!([{"id": "P1", "person_id": "P1"}]);
    let mut wrong_type = case_json("D4");
    wrong_type["officers"] = serde_json::json!("O1");
    let mut no_unit = case_json("D5");
    no_unit["unit_id"] = "  ".into();
    let mut no_officers = case_json("D6");
    no_officers["officers"] = serde_json::json!([]);
    let mut empty_id = case_json("D7");
    empty_id["documents"] = serde_json::json!([{"id": "", "type": "other"}]);
    let mut empty_case = case_json("");
    empty_case["case_id"] = "".into();
    let f =
        t.write("s.ndjson", &lines(&[dup, wrong_type, no_unit, no_officers, empty_id, empty_case, case_json("OK")]));
    let r = t.run(["import", f.to_str().unwrap_or_default(), "--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["new"], 1);
    assert_eq!(r.json()["rejected"], 6);
    assert!(r.stderr.contains("duplicate sub-record id `P1`"), "{}", r.stderr);
    assert!(r.stderr.contains("at `officers`: invalid type: string"), "{}", r.stderr);
    assert!(r.stderr.contains("at `unit_id`: expected a non-empty unit id"), "{}", r.stderr);
    assert!(r.stderr.contains("at `officers`: expected at least one officer"), "{}", r.stderr);
    assert!(r.stderr.contains("at `documents[0].id`: expected a non-empty id"), "{}", r.stderr);
    assert!(r.stderr.contains("at `case_id`: expected a non-empty case id"), "{}", r.stderr);
}

/// Issue #15: a record that contradicts itself is stored, audited and flagged on the record it
/// names, and the others import as before.
#[test]
fn thousand_records_and_three_that_contradict_themselves_are_all_stored_and_flagged() {
    let t = Xuncha::new();
    let (generated, _) = t.gen(1000, 11, 0.0);
    let mut text = std::fs::read_to_string(&generated).expect("generated");
    let mut backwards = case_json("X-BACKWARDS");
    backwards["questionings"] = serde_json::json!([{"id": "Q1", "person_id": "P1", "kind": "inquiry", "place": "case_area",
        "officer_ids": ["O1", "O2"], "started_at": "2026-03-02T10:00:00+08:00", "ended_at": "2026-03-02T09:00:00+08:00"}]);
    let mut approval = case_json("X-APPROVAL");
    approval["approvals"] = serde_json::json!([{"id": "A1", "step": "measure", "subject_id": "M9", "approver_id": "L1",
        "level": "bureau", "approved_at": "2026-03-02T10:00:00+08:00"}]);
    let mut document = case_json("X-DOCUMENT");
    document["documents"] = serde_json::json!([{"id": "D1", "type": "rights_notice", "person_id": "P7",
        "issued_at": "2026-03-02T10:00:00+08:00"}]);
    text.push_str(&lines(&[backwards, approval, document]));
    let f = t.write("export.ndjson", &text);
    let r = t.run(["audit", f.to_str().unwrap_or_default(), "--as-of", "2026-06-30", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(t.sql("SELECT count(*) FROM cases")[0][0], "1003");
    assert_eq!(t.sql("SELECT count(*) FROM rejects")[0][0], "0");
    assert_eq!(t.sql("SELECT count(*) FROM rule_errors")[0][0], "0");
    let flagged = t.sql(
        "SELECT case_id, subject, rule_id, evidence FROM findings WHERE case_id LIKE 'X-%' AND category = 'P108' ORDER BY case_id",
    );
    let got: Vec<(&str, &str, &str)> = flagged.iter().map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("X-APPROVAL", "A1", "P108-record-refers-to-missing-entry"),
            ("X-BACKWARDS", "Q1", "P108-contradictory-timestamps"),
            ("X-DOCUMENT", "D1", "P108-record-refers-to-missing-entry"),
        ]
    );
    // the JSON path of the field is in the evidence
    assert!(flagged[0][3].contains("approvals[0].subject_id"), "{}", flagged[0][3]);
    assert!(flagged[2][3].contains("documents[0].person_id"), "{}", flagged[2][3]);
    // the generated thousand raise no P108 finding of their own (none was injected)
    assert_eq!(t.sql("SELECT count(*) FROM findings WHERE case_id NOT LIKE 'X-%' AND category = 'P108'")[0][0], "0");
}

#[test]
fn unreadable_file_and_newer_database_exit_2_and_write_nothing() {
    let t = Xuncha::new();
    let r = t.run(["import", "/nonexistent/file.ndjson"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read `/nonexistent/file.ndjson`"), "{}", r.stderr);
    assert!(!t.db().exists(), "nothing may be created when nothing can be done");
    {
        let c = rusqlite::Connection::open(t.db()).expect("db");
        c.pragma_update(None, "user_version", 99).expect("stamp");
    }
    let f = t.write("a.ndjson", &lines(&[case_json("C1")]));
    let r = t.run(["import", f.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("written by a newer xuncha"), "{}", r.stderr);
}

#[test]
fn locked_database_is_reported_and_nothing_is_lost() {
    let t = Xuncha::new();
    let f = t.write("a.ndjson", &lines(&[case_json("C1")]));
    assert_eq!(t.run(["import", f.to_str().unwrap_or_default()]).code, 0);
    let conn = rusqlite::Connection::open(t.db()).expect("db");
    conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO import_runs (started_at, files) VALUES (0, '[]');").expect("lock");
    let g = t.write("b.ndjson", &lines(&[case_json("C2")]));
    let r = t.run(["import", g.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is locked by another process"), "{}", r.stderr);
    conn.execute_batch("ROLLBACK").expect("unlock");
    drop(conn);
    assert_eq!(t.sql("SELECT case_id FROM cases"), vec![vec!["C1".to_owned()]]);
}

#[test]
fn stdin_and_arrays_are_detected() {
    let t = Xuncha::new();
    let out = assert_cmd::Command::cargo_bin("xuncha")
        .expect("bin")
        .args(["--db", t.db().to_str().unwrap_or_default(), "import", "-", "--format", "json"])
        .write_stdin(format!("[{}, {}]", case_json("S1"), case_json("S2")))
        .output()
        .expect("run");
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(j["new"], 2);
}

#[test]
fn database_is_private() {
    let t = Xuncha::new();
    let f = t.write("a.ndjson", &lines(&[case_json("C1")]));
    t.run(["import", f.to_str().unwrap_or_default()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(t.db()).expect("meta").permissions().mode() & 0o777, 0o600);
    }
}

/// The JSONTestSuite files of one kind (`n_` or `y_`), sorted.
fn json_test_suite(prefix: &str) -> Vec<PathBuf> {
    let dir = root().join("tests/data/JSONTestSuite/test_parsing");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/data/JSONTestSuite")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix)))
        .collect();
    files.sort();
    files
}

/// The empty and the whitespace-only files of the suite: no records, not malformed.
const WITHOUT_RECORDS: &[&str] = &["n_structure_no_data.json", "n_single_space.json"];

/// What the importer makes of one file: (refusals as `line:column reason`, records read).
fn read_strictly(path: &std::path::Path) -> (Vec<String>, usize) {
    let bytes = std::fs::read(path).expect("read");
    let mut splitter = Splitter::new(&bytes[..]);
    let (mut refused, mut records) = (Vec::new(), 0);
    while let Some(item) = splitter.next_item().expect("in memory") {
        match item {
            Item::Broken { line, column, reason, .. } => refused.push(format!("{line}:{column} {reason}")),
            Item::Record(r) => {
                records += 1;
                if let Err(rej) = parse_record("f", r) {
                    if rej.reason.starts_with("malformed JSON") {
                        refused.push(format!("{}:{} {}", rej.line, rej.column, rej.reason));
                    }
                }
            }
        }
    }
    (refused, records)
}

/// Issue #16: every `n_` file of JSONTestSuite is refused as malformed JSON with its line and
/// column, except the empty and the whitespace-only one, which hold no records.
#[test]
fn every_json_test_suite_n_file_is_refused_with_line_and_column() {
    let files = json_test_suite("n_");
    assert!(files.len() >= 188, "{} n_ files", files.len());
    let mut accepted = Vec::new();
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let (refused, records) = read_strictly(f);
        if WITHOUT_RECORDS.contains(&name) {
            assert!(refused.is_empty() && records == 0, "{name}: {refused:?}");
            continue;
        }
        if refused.is_empty() {
            accepted.push(name.to_owned());
        }
        for r in &refused {
            assert!(!r.starts_with("0:") && !r.contains(":0 "), "{name}: a position is 1-based: {r}");
        }
    }
    assert!(accepted.is_empty(), "accepted as JSON: {accepted:?}");
}

/// Issue #16: the `y_` files are JSON; those that are not case records are rejected as such.
#[test]
fn every_json_test_suite_y_file_is_read_as_json() {
    let files = json_test_suite("y_");
    assert_eq!(files.len(), 95);
    for f in &files {
        let (refused, _) = read_strictly(f);
        assert!(refused.is_empty(), "{}: {refused:?}", f.display());
    }
}

/// Issue #16: `[,]` and `[\f]` were imported as "0 records" with exit 0.
#[test]
fn the_json_test_suite_through_the_importer() {
    let t = Xuncha::new();
    let n = json_test_suite("n_");
    let mut args = vec!["import".to_owned()];
    args.extend(n.iter().map(|p| p.display().to_string()));
    let r = t.run(&args);
    assert_eq!(r.code, 1, "refused records make exit 1 (and nothing panicked): {}", r.stderr);
    assert!(!r.stderr.contains("panicked") && !r.stderr.contains("internal error"), "{}", r.stderr);
    assert!(r.stderr.contains("n_array_just_comma.json:1:2\n"), "{}", r.stderr);
    assert!(r.stderr.contains("expected a record, found `,`"), "{}", r.stderr);
    assert!(r.stderr.contains("n_structure_whitespace_formfeed.json:1:2 (array element 0)"), "{}", r.stderr);
    for empty in WITHOUT_RECORDS {
        assert!(
            r.stderr.contains(&format!(
                "warning: no records in {}",
                root().join("tests/data/JSONTestSuite/test_parsing").join(empty).display()
            )),
            "{}",
            r.stderr
        );
    }
    let files_refused = t.sql("SELECT count(DISTINCT file) FROM rejects")[0][0].parse::<usize>().expect("count");
    assert_eq!(files_refused, n.len() - WITHOUT_RECORDS.len());
    assert_eq!(t.sql("SELECT count(*) FROM rejects WHERE line < 1 OR col < 1")[0][0], "0");
    assert_eq!(t.sql("SELECT count(*) FROM cases")[0][0], "0");

    let y = json_test_suite("y_");
    let mut args = vec!["import".to_owned(), "--format".to_owned(), "json".to_owned()];
    args.extend(y.iter().map(|p| p.display().to_string()));
    let r = t.run(&args);
    assert_eq!(r.code, 1, "values that are not cases are rejected: {}", r.stderr);
    assert!(!r.stderr.contains("malformed JSON"), "{}", r.stderr);
    assert_eq!(r.json()["without_records"].as_array().map(Vec::len), Some(2), "`[]` and ` [] `");
}

#[test]
fn an_empty_file_is_accepted_with_a_warning() {
    let t = Xuncha::new();
    let empty = t.write("empty.ndjson", "");
    let blank = t.write("blank.json", " \n\t\r\n");
    let r = t.run(["import", empty.to_str().unwrap_or_default(), blank.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("warning: no records in {}\n", empty.display())), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("warning: no records in {}\n", blank.display())), "{}", r.stderr);
    assert!(r.stdout.contains("0 new, 0 changed, 0 unchanged, 0 rejected"), "{}", r.stdout);
    let r = t.run(["--quiet", "import", empty.to_str().unwrap_or_default()]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn framing_errors_name_line_and_column_and_spare_the_neighbours() {
    let t = Xuncha::new();
    let text = format!("[\n{},,\n{}\n{}]\n", case_json("A1"), case_json("A2"), case_json("A3"));
    let f = t.write("a.json", &text);
    let r = t.run(["import", f.to_str().unwrap_or_default(), "--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["new"], 3);
    let col = case_json("A1").to_string().chars().count() + 2;
    assert!(r.stderr.contains(&format!("a.json:2:{col}\n")), "{}", r.stderr);
    assert!(r.stderr.contains("expected a record, found `,` (an empty element: two commas)"), "{}", r.stderr);
    assert!(r.stderr.contains("a.json:4:1\n"), "{}", r.stderr);
    assert!(r.stderr.contains("expected `,` or `]` after array element 1, found `{`"), "{}", r.stderr);
    // a bad byte inside a record: where it is, in characters
    let g = t.write("b.ndjson", "{\"case_id\": \"巡查\", \"kind\": tru}\n");
    let r = t.run(["import", g.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("b.ndjson:1:30\n"), "{}", r.stderr);
    assert!(r.stderr.contains("case `巡查` was not imported"), "{}", r.stderr);
    // valid JSON of the wrong kind is not called malformed
    let h = t.write("c.ndjson", "{\"case_id\": \"C1\", \"kind\": true}\n");
    let r = t.run(["import", h.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 1);
    assert!(!r.stderr.contains("malformed JSON"), "{}", r.stderr);
    assert!(r.stderr.contains("at `kind`: a value of the wrong kind"), "{}", r.stderr);
}

/// Issue #19: before any audit every case is unaudited and checked anyway, so a first
/// import marks no officer or person for re-checking; once an audit ran, imported cases mark
/// theirs, for the next audit to re-check the cases that share them.
#[test]
fn cross_case_keys_are_marked_once_an_audit_ran() {
    let t = Xuncha::new();
    let (all, _) = t.gen(400, 5, 0.0);
    let text = std::fs::read_to_string(&all).expect("generated");
    let records: Vec<&str> = text.lines().collect();
    let first = t.write("first.ndjson", &(records[..300].join("\n") + "\n"));
    let rest = t.write("rest.ndjson", &(records[300..].join("\n") + "\n"));
    assert_eq!(t.run(["import", first.to_str().unwrap_or_default()]).code, 0);
    assert_eq!(t.sql("SELECT count(*) FROM dirty_keys"), vec![vec!["0".to_owned()]]);
    assert!(t.sql("SELECT count(*) FROM xsessions")[0][0] != "0");
    assert_eq!(t.run(["audit", "--as-of", "2026-06-30"]).code, 0);
    assert_eq!(t.run(["import", rest.to_str().unwrap_or_default()]).code, 0);
    let marked: i64 = t.sql("SELECT count(*) FROM dirty_keys")[0][0].parse().expect("count");
    assert!(marked > 0, "the cases imported after an audit marked no key");
    let r = t.run(["audit", "--format", "json", "--as-of", "2026-06-30"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.json()["audited"].as_u64().unwrap_or_default() >= 100);
    assert_eq!(t.sql("SELECT count(*) FROM dirty_keys"), vec![vec!["0".to_owned()]]);
}

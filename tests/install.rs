//! Issue #16: install and run anywhere. The rule set is built into the binary, the binary
//! runs alone in an empty directory, `gen` never injects nothing silently, and every officer
//! has one name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use xuncha::engine::source::built_in_fixtures;
use xuncha::engine::{RuleFiles, RuleSet};

use crate::util::{root, Run, Xuncha};

/// Runs a binary in `dir` with no xuncha variable set.
fn run_in(bin: &Path, dir: &Path, args: &[&str]) -> Run {
    Run::from(
        std::process::Command::new(bin)
            .current_dir(dir)
            .env_remove("XUNCHA_DB")
            .env_remove("XUNCHA_RULES")
            .args(args)
            .output()
            .expect("run xuncha"),
    )
}

#[test]
fn the_built_in_rule_set_is_the_source_trees() {
    // `cargo build` re-embeds rules/ when a file in it changes, so the two never differ
    let built_in = RuleFiles::built_in();
    let tree = RuleFiles::read_dir(&root().join("rules")).unwrap_or_else(|e| panic!("{e}"));
    let files = |f: &RuleFiles| f.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect::<BTreeMap<_, _>>();
    assert_eq!(files(&built_in).keys().collect::<Vec<_>>(), files(&tree).keys().collect::<Vec<_>>());
    assert!(files(&built_in) == files(&tree), "a built-in file differs from rules/");
    let a = RuleSet::built_in().unwrap_or_else(|e| panic!("{e}"));
    let b = RuleSet::load(&root().join("rules")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.rules_hash, b.rules_hash);
    assert_eq!(a.catalog.categories.len(), 108);
    assert_eq!(a.used().source, "built-in");
    assert_eq!(a.used().version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
    // the fixtures too
    let mut on_disk: Vec<(String, String)> = std::fs::read_dir(root().join("fixtures/rules"))
        .expect("fixtures/rules")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            (name, std::fs::read_to_string(&p).expect("fixture"))
        })
        .collect();
    on_disk.sort();
    let embedded: Vec<(String, String)> = built_in_fixtures().map(|(n, t)| (n.to_owned(), t.to_owned())).collect();
    assert!(embedded == on_disk, "the built-in fixtures differ from fixtures/rules/");
}

#[test]
fn every_built_in_fixture_passes() {
    let t = Xuncha::new();
    let r = t.run(["rules", "test", "--failures-only"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&format!("rules: built-in (xuncha {})", env!("CARGO_PKG_VERSION"))), "{}", r.stderr);
    assert!(r.stdout.contains(" 0 failed"), "{}", r.stdout);
}

#[test]
fn rules_export_writes_what_rules_reads_back() {
    let t = Xuncha::new();
    let dir = t.path("bureau-rules");
    let r = t.run(["rules", "export", dir.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("wrote the built-in rule set of xuncha"), "{}", r.stdout);
    for f in [
        "categories.toml",
        "calendar.toml",
        "README.md",
        "g06/P051-detention-family-notice-late.rhai",
        "inject/P051.rhai",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    assert!(dir.join("fixtures/P051-detention-family-notice-late.json").is_file());
    let exported = RuleSet::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let built_in = RuleSet::built_in().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exported.rules_hash, built_in.rules_hash);
    // a bureau tests its edits with its own fixtures
    let d = dir.to_str().unwrap_or_default();
    let r = t.run(["--rules", d, "rules", "test", "P051", "--failures-only"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&format!("rules: directory {d}, rules hash {}", built_in.rules_hash)), "{}", r.stderr);
    // an edit is picked up, and the rules hash says so
    let p051 = dir.join("g06/P051-detention-family-notice-late.rhai");
    let original = std::fs::read_to_string(&p051).expect("read");
    std::fs::write(&p051, original.replacen("\nversion = ", "\nversion = 10", 1)).expect("edit");
    let r = t.run(["--rules", d, "rules", "list", "--category", "P051"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains(&built_in.rules_hash), "{}", r.stderr);
    // never over a rule set already there
    let r = t.run(["rules", "export", d]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already holds a rule set; nothing was written"), "{}", r.stderr);
    assert_eq!(t.run(["rules", "export", d, "--force"]).code, 0);
    assert_eq!(std::fs::read_to_string(&p051).expect("read"), original);
}

#[test]
fn a_missing_rules_directory_is_named() {
    let t = Xuncha::new();
    let r = t.run(["--rules", "/nonexistent/rules", "rules", "list"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read `/nonexistent/rules/categories.toml`"), "{}", r.stderr);
}

#[test]
fn gen_never_injects_nothing_silently() {
    let t = Xuncha::new();
    let dir = t.path("no-inject");
    assert_eq!(t.run(["rules", "export", dir.to_str().unwrap_or_default()]).code, 0);
    std::fs::remove_dir_all(dir.join("inject")).expect("rm inject");
    let d = dir.to_str().unwrap_or_default();
    let out = t.path("c.ndjson");
    let truth = t.path("t.ndjson");
    let o = out.to_str().unwrap_or_default();
    let r = t.run(["--rules", d, "gen", "--cases", "50", "--out", o, "--truth", truth.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no generator scripts (inject/<CODE>.rhai) in directory"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(!out.exists() && !truth.exists());
    // without a truth file: a warning, and clean cases
    let r = t.run(["--rules", d, "gen", "--cases", "50", "--out", o]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning: no generator scripts"), "{}", r.stderr);
    assert!(r.stderr.contains("(0 injected errors in 0 categories)"), "{}", r.stderr);
    // built in by default, and it says so
    let r = t.run(["gen", "--cases", "50", "--out", o, "--truth", truth.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("generator scripts: built-in (xuncha {})", env!("CARGO_PKG_VERSION"))),
        "{}",
        r.stderr
    );
    assert!(!std::fs::read_to_string(&truth).expect("truth").is_empty());
}

/// The release binary is the same program; the test binary stands in for it here.
#[test]
fn the_binary_alone_in_an_empty_directory_runs_everything() {
    let home = tempfile::tempdir().expect("temp dir");
    let bin = home.path().join("xuncha");
    std::fs::copy(assert_cmd::cargo::cargo_bin("xuncha"), &bin).expect("copy the binary");
    let dir = home.path().join("work");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let version = format!("rules: built-in (xuncha {})", env!("CARGO_PKG_VERSION"));

    let r = run_in(&bin, &dir, &["--db", "demo.db", "demo"]);
    assert_eq!(r.code, 0, "demo: {}", r.stderr);
    assert!(r.stderr.contains(&version), "{}", r.stderr);
    assert!(r.stderr.contains("generated the sample: 3,000 cases (seed 2026) in demo.sample.ndjson"), "{}", r.stderr);
    assert!(dir.join("demo.sample.ndjson").is_file() && dir.join("demo.sample-truth.ndjson").is_file());
    assert!(r.stdout.contains("最常见的问题"), "{}", r.stdout);

    let r = run_in(&bin, &dir, &["rules", "list", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json().as_array().map(Vec::len), Some(108));

    let r = run_in(
        &bin,
        &dir,
        &["gen", "--cases", "2000", "--seed", "3", "--out", "cases.ndjson", "--truth", "truth.ndjson"],
    );
    assert_eq!(r.code, 0, "gen: {}", r.stderr);
    let truth = std::fs::read_to_string(dir.join("truth.ndjson")).expect("truth");
    assert!(truth.lines().count() > 300, "errors were injected: {} lines", truth.lines().count());

    let r = run_in(&bin, &dir, &["--db", "a.db", "audit", "cases.ndjson", "--as-of", "2026-06-30", "--format", "json"]);
    assert_eq!(r.code, 0, "audit: {}", r.stderr);
    let j = r.json();
    assert_eq!(j["rules"]["source"], "built-in");
    assert_eq!(j["rules"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(j["new"].as_u64().unwrap_or(0) > 300, "{j}");
    let conn = rusqlite::Connection::open(dir.join("a.db")).expect("db");
    let (source, hash): (String, String) = conn
        .query_row("SELECT rules_source, rules_hash FROM audit_runs ORDER BY id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("audit run");
    assert_eq!(source, format!("built-in (xuncha {})", env!("CARGO_PKG_VERSION")));
    assert_eq!(Some(hash.as_str()), j["rules"]["hash"].as_str());

    // the shell completions come from the same definition
    let r = run_in(&bin, &dir, &["completions", "bash"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("roster") && r.stdout.contains("completions"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
}

#[test]
fn completions_for_every_shell() {
    let t = Xuncha::new();
    for (shell, mark) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef xuncha"),
        ("fish", "complete -c xuncha"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let r = t.run(["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains(mark), "{shell}: {}", &r.stdout[..300.min(r.stdout.len())]);
    }
    assert_eq!(t.run(["completions", "tcsh"]).code, 2);
}

/// Officer id → the names the cases of an NDJSON file give it.
fn names_in(file: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in std::fs::read_to_string(file).expect("cases").lines() {
        let c: serde_json::Value = serde_json::from_str(line).expect("case");
        for o in c["officers"].as_array().into_iter().flatten() {
            let id = o["id"].as_str().unwrap_or_default().to_owned();
            let set = names.entry(id).or_default();
            if let Some(n) = o["name"].as_str() {
                set.insert(n.to_owned());
            }
        }
    }
    names
}

#[test]
fn every_officer_has_one_name_and_the_officer_list_agrees_with_its_findings() {
    let t = Xuncha::new();
    let (cases, _) = t.gen(2000, 16, 0.3);
    let names = names_in(&cases);
    let not_one: Vec<_> = names.iter().filter(|(_, n)| n.len() != 1).collect();
    assert!(not_one.is_empty(), "officer ids without exactly one name: {not_one:?}");
    let r = t.run(["audit", cases.to_str().unwrap_or_default(), "--as-of", "2026-06-30", "--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = t.run(["roster", "check", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["differences"].as_array().map(Vec::len), Some(0), "{}", r.stdout);
    assert_eq!(r.json()["roster_officers"], 0);

    // the officer with the most findings: the list's heading, its findings' officers and
    // their messages name every officer as the cases do
    let busiest = t
        .sql("SELECT officer_id FROM finding_officers GROUP BY officer_id ORDER BY count(*) DESC, officer_id LIMIT 1")
        [0][0]
        .clone();
    let r = t.run(["officer", &busiest, "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let one = |id: &str| names.get(id).and_then(|n| n.iter().next()).cloned();
    assert_eq!(j["name"].as_str().map(str::to_owned), one(&busiest));
    let findings = j["findings"].as_array().cloned().unwrap_or_default();
    assert!(!findings.is_empty());
    let all_names: BTreeSet<&String> = names.values().flatten().collect();
    for f in &findings {
        let refs = f["officers"].as_array().cloned().unwrap_or_default();
        let mut on_finding = BTreeSet::new();
        for o in &refs {
            let id = o["id"].as_str().unwrap_or_default();
            if let Some(n) = one(id) {
                assert_eq!(o["name"].as_str(), Some(n.as_str()), "finding {}: officer {id}", f["id"]);
                on_finding.insert(n);
            }
        }
        // a message that names an officer (民警X) names one of the finding's officers as above
        let message = f["message"].as_str().unwrap_or_default();
        for n in &all_names {
            if message.contains(&format!("民警{n}")) {
                assert!(on_finding.contains(*n), "finding {}: {message}", f["id"]);
            }
        }
    }
    // no stored message carries a case's spelling of an officer's name: a roster imported
    // later renames the officer in every report, and a message cannot follow (P072 and P084
    // once wrote 主办民警U01-O02（张娜）)
    let messages = t.sql("SELECT message FROM findings");
    assert!(messages.len() > 300);
    for (id, ns) in &names {
        for n in ns {
            for m in &messages {
                let m = &m[0];
                assert!(
                    !m.contains(&format!("{id}（{n}）")) && !m.contains(&format!("民警（{n}）")),
                    "a message names officer {id} by the case's spelling: {m}"
                );
            }
        }
    }
}

#[test]
fn a_roster_names_officers_everywhere_and_the_check_lists_the_records_that_differ() {
    let t = Xuncha::new();
    let (cases, _) = t.gen(300, 4, 0.3);
    assert_eq!(t.run(["audit", cases.to_str().unwrap_or_default(), "--as-of", "2026-06-30", "--quiet"]).code, 0);
    // an officer of the cases' officer lists with an open violation (one that `push` lists)
    let officer = t.sql(
        "SELECT fo.officer_id FROM finding_officers fo JOIN officers o ON o.id = fo.officer_id
         JOIN findings f ON f.id = fo.finding_id WHERE f.status = 'open' AND f.level = 'violation'
         ORDER BY fo.officer_id LIMIT 1",
    )[0][0]
        .clone();
    let unit = officer.split('-').next().unwrap_or_default().to_owned();
    // a bad roster: every bad line named, nothing imported
    let bad = t.write("bad.csv", &format!("id,name,unit_id\n{officer},,{unit}\nX1,某某\nX2,某某,U09\nX2,某某,U09\n"));
    let r = t.run(["roster", "import", bad.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("bad.csv:2: `name` is empty"), "{}", r.stderr);
    assert!(r.stderr.contains("bad.csv:3: 2 field(s), but the header has 3"), "{}", r.stderr);
    assert!(r.stderr.contains("bad.csv:5: officer `X2` is listed twice (first on line 4)"), "{}", r.stderr);
    assert!(r.stderr.contains("3 bad line(s) in the roster"), "{}", r.stderr);
    assert_eq!(t.sql("SELECT count(*) FROM officers WHERE source = 'roster'")[0][0], "0");

    let good = t.write("roster.csv", &format!("id,name,unit_id,position\n{officer},司马懿,{unit},民警\n"));
    let r = t.run(["roster", "import", good.to_str().unwrap_or_default()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("1 officer(s): 0 added, 1 updated, 0 unchanged"), "{}", r.stdout);
    // reports name the officer as the roster does
    let r = t.run(["officer", &officer, "--format", "json"]);
    assert_eq!(r.json()["name"], "司马懿");
    let r = t.run(["push", "--dry-run", "--by", "法制大队"]);
    assert!(r.stdout.contains(&format!("民警 {officer} 司马懿:")), "{}", r.stdout);
    // the check lists every record that names the officer otherwise
    let r = t.run(["roster", "check", "--format", "json"]);
    let j = r.json();
    let diffs = j["differences"].as_array().cloned().unwrap_or_default();
    assert!(!diffs.is_empty());
    assert!(diffs
        .iter()
        .all(|d| d["officer_id"] == officer.as_str() && d["name"] == "司马懿" && d["source"] == "roster"));
    let r = t.run(["roster", "check"]);
    assert!(r.stdout.contains(&format!("{officer}  name ")), "{}", r.stdout);
    assert!(r.stdout.contains("(roster: 司马懿)"), "{}", r.stdout);
    assert!(r.stdout.contains("1 officer(s) otherwise (1 officer(s) from the roster, "), "{}", r.stdout);
    // a later import of the same cases does not rename a roster officer
    assert_eq!(t.run(["import", cases.to_str().unwrap_or_default(), "--quiet"]).code, 0);
    assert_eq!(t.run(["officer", &officer, "--format", "json"]).json()["name"], "司马懿");
}

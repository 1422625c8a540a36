//! `xuncha bench`: the measuring commands report what they ran (their figures are read by
//! people, not asserted here: no timed assertions in tests).

use crate::util::Xuncha;

#[test]
fn bench_eval_profiles_the_checks_that_ran() {
    let x = Xuncha::new();
    let (cases, _) = x.gen(150, 9, 0.5);
    let r = x.run(["-j", "1", "bench", "eval"].map(Into::into).into_iter().chain([
        cases.into_os_string(),
        "--as-of".into(),
        "2026-06-30".into(),
        "--profile".into(),
        "--top".into(),
        "5".into(),
        "--format".into(),
        "json".into(),
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["cases"], 150);
    assert_eq!(v["threads"], 1);
    assert!(v["findings"].as_u64().unwrap() > 0, "half the cases carry an injected error");
    let slowest = v["slowest"].as_array().unwrap();
    assert_eq!(slowest.len(), 5);
    // sorted by share, each a real rule that ran
    let shares: Vec<f64> = slowest.iter().map(|s| s["share"].as_f64().unwrap()).collect();
    assert!(shares.windows(2).all(|w| w[0] >= w[1]), "{shares:?}");
    assert!(slowest.iter().all(|s| s["runs"].as_u64().unwrap() > 0 && s["rule"].as_str().unwrap().starts_with('P')));
}

#[test]
fn bench_suite_runs_every_phase_and_the_nightly_rerun_audits_only_what_changed() {
    let x = Xuncha::new();
    let work = x.path("bench");
    let r = x.run([
        std::ffi::OsString::from("bench"),
        "suite".into(),
        "--cases".into(),
        "400".into(),
        "--thread-counts".into(),
        "1".into(),
        "--dir".into(),
        work.clone().into_os_string(),
        "--format".into(),
        "json".into(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let rows = v["rows"].as_array().unwrap();
    let phases: Vec<&str> = rows.iter().map(|r| r["phase"].as_str().unwrap()).collect();
    assert_eq!(phases, ["gen", "import", "eval", "audit", "nightly-full", "nightly", "report"]);
    for r in rows {
        assert!(r["wall_s"].as_f64().unwrap() > 0.0, "{r}");
        if cfg!(target_os = "linux") {
            assert!(r["peak_rss_mb"].as_f64().unwrap() > 1.0, "{r}");
        }
    }
    // 1% of 400 cases changed: 4 changed, so the nightly rerun re-audits a few, not all
    let nightly = rows.iter().find(|r| r["phase"] == "nightly").unwrap();
    let reaudited = nightly["cases"].as_u64().unwrap();
    assert!((4..400).contains(&reaudited), "{nightly}");
    assert_eq!(std::fs::read_to_string(work.join("changed.ndjson")).unwrap().lines().count(), 4);
    assert!(work.join("monthly-1.html").exists());

    // --reuse keeps the generated cases of the same count and seed: no gen row, same bytes
    let before = std::fs::read(work.join("cases.ndjson")).unwrap();
    let again = |cases: &str| {
        let mut args: Vec<std::ffi::OsString> =
            ["bench", "suite", "--cases", cases, "--thread-counts", "1", "--reuse", "--format", "json"]
                .map(Into::into)
                .to_vec();
        args.extend([
            "--skip".into(),
            "import,eval,audit,report".into(),
            "--dir".into(),
            work.clone().into_os_string(),
        ]);
        let r = x.run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.json()["rows"].as_array().unwrap().iter().map(|r| r["phase"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert!(again("400").is_empty(), "nothing but gen was asked for, and gen was reused");
    assert_eq!(std::fs::read(work.join("cases.ndjson")).unwrap(), before);
    assert_eq!(again("300"), ["gen"], "another count is generated again");
}

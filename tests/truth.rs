//! The generated-truth test (issues #5 and #6): one generated set of 20,000 cases with
//! injected errors of every category; every category's recall and precision against the
//! truth must be at least 0.99, and no check may fail on any case.

use xuncha::engine::RuleSet;
use xuncha::gen::score::score;
use xuncha::gen::script::Injectors;
use xuncha::gen::GenOptions;

use crate::util::root;

#[test]
fn every_category_finds_what_was_injected_and_nothing_else() {
    let set = RuleSet::load(&root().join("rules")).unwrap_or_else(|e| panic!("{e}"));
    let scripts = Injectors::load(&root().join("rules/inject"), &set.calendar).unwrap_or_else(|e| panic!("{e}"));
    let opts = GenOptions {
        cases: 20_000,
        seed: 5,
        from: jiff::civil::date(2025, 7, 1),
        to: jiff::civil::date(2026, 6, 30),
        error_rate: 0.3,
        only: vec![],
    };
    let s = score(&opts, &scripts, &set).unwrap_or_else(|e| panic!("{e}"));
    assert!(s.rule_errors.is_empty(), "rule errors: {:?}", s.rule_errors);
    let injected: Vec<&str> = s.categories.iter().filter(|c| c.injected > 0).map(|c| c.category.as_str()).collect();
    let missing: Vec<&str> =
        set.catalog.categories.iter().map(|c| c.code.as_str()).filter(|c| !injected.contains(c)).collect();
    assert!(missing.is_empty(), "categories never injected: {missing:?}");
    let bad: Vec<String> = s
        .categories
        .iter()
        .filter(|c| c.recall < 0.99 || c.precision < 0.99)
        .map(|c| {
            format!(
                "{}: injected {}, found {}, recall {:.3}, precision {:.3}; false positives {:?}; false negatives {:?}",
                c.category, c.injected, c.found, c.recall, c.precision, c.false_positives, c.false_negatives
            )
        })
        .collect();
    assert!(bad.is_empty(), "below 0.99:\n{}", bad.join("\n"));
}

#[test]
fn gen_is_byte_identical_for_the_same_seed() {
    let t = crate::util::Xuncha::new();
    let (a, ta) = t.gen(500, 9, 0.3);
    let first = (std::fs::read(&a).expect("a"), std::fs::read(&ta).expect("ta"));
    std::fs::remove_file(&a).expect("rm");
    let (b, tb) = t.gen(500, 9, 0.3);
    assert_eq!(first, (std::fs::read(&b).expect("b"), std::fs::read(&tb).expect("tb")));
    assert!(!first.1.is_empty(), "errors were injected");
}

/// `gen --error-rate 0` makes clean cases: the generator's comply scripts run at every rate, so
/// a full audit of them raises no violation (review items, which say what to verify, may come).
#[test]
fn cases_generated_without_errors_raise_no_violation() {
    let t = crate::util::Xuncha::new();
    let (cases, truth) = t.gen(2000, 11, 0.0);
    assert_eq!(std::fs::read_to_string(&truth).expect("truth"), "", "nothing injected");
    let r = t.run(["audit", cases.to_str().unwrap_or_default(), "--as-of", "2026-06-30", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["audited"], 2000);
    let violations = t.sql(
        "SELECT rule_id, count(*) FROM findings WHERE level = 'violation' GROUP BY rule_id ORDER BY 2 DESC LIMIT 10",
    );
    assert!(violations.is_empty(), "violations in clean generated cases: {violations:?}");
}

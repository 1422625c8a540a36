//! Catalog-wide invariants (STYLE.md R7), the API reference, and the case-format schema.

use std::collections::HashSet;

use xuncha::engine::rule::{disallowed_name, DOC_HEADINGS};
use xuncha::engine::RuleSet;

use crate::util::root;

fn set() -> RuleSet {
    RuleSet::load(&root().join("rules")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_catalog_has_108_categories_in_12_groups_each_with_a_legal_basis() {
    let s = set();
    assert_eq!(s.catalog.groups.len(), 12);
    assert_eq!(s.catalog.categories.len(), 108);
    for c in &s.catalog.categories {
        assert!(!c.legal_basis.is_empty(), "{} has no legal basis", c.code);
        for l in &c.legal_basis {
            assert!(
                !l.law.is_empty() && !l.version.is_empty() && !l.article.is_empty(),
                "{} has an incomplete citation",
                c.code
            );
        }
        for label in ["检查内容", "合规示例", "违规示例"] {
            assert!(c.doc.contains(label), "{} doc lacks {label}", c.code);
        }
        assert!(c.points > 0, "{} deducts no points", c.code);
    }
}

#[test]
fn every_check_is_well_formed() {
    let s = set();
    let mut ids = HashSet::new();
    for r in s.rules.iter() {
        let h = &r.header;
        assert!(ids.insert(h.id.clone()), "duplicate id {}", h.id);
        assert!(h.id.starts_with(&format!("{}-", h.category)), "{}: the id must start with its category code", h.id);
        let name = &h.id[h.category.len() + 1..];
        assert!(disallowed_name(name).is_none(), "{}: name the defect, not the check", h.id);
        assert!(!h.legal_basis.is_empty(), "{}: no legal basis", h.id);
        for heading in DOC_HEADINGS {
            assert!(h.doc.contains(heading), "{}: doc lacks the heading {heading}", h.id);
        }
        if h.unverified.is_some() {
            assert!(h.doc.contains("未核实"), "{}: `unverified` is set but the doc has no 未核实 section", h.id);
        }
        let fixture = root().join("fixtures/rules").join(format!("{}.json", h.id));
        let text = std::fs::read_to_string(&fixture)
            .unwrap_or_else(|_| panic!("{}: no fixture file {}", h.id, fixture.display()));
        let entries: Vec<serde_json::Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
        assert!(
            entries.iter().any(|e| e["expect"].as_array().is_some_and(|a| !a.is_empty())),
            "{}: no entry that must flag",
            h.id
        );
        assert!(entries.iter().any(|e| e["expect"].as_array().is_some_and(Vec::is_empty)), "{}: no near-miss", h.id);
    }
}

#[test]
fn the_api_reference_lists_every_function() {
    let mut engine = rhai::Engine::new_raw();
    let calendar = std::sync::Arc::new(xuncha::engine::Calendar::load(&root().join("rules")).expect("calendar"));
    xuncha::engine::api::register(&mut engine, &calendar);
    let registered: HashSet<String> =
        engine.gen_fn_signatures(false).into_iter().filter_map(|s| s.split('(').next().map(str::to_owned)).collect();
    let documented: HashSet<String> =
        xuncha::engine::api::API_DOCS.iter().filter_map(|d| d.signature.split('(').next().map(str::to_owned)).collect();
    assert_eq!(registered, documented);
}

#[test]
fn the_schema_file_matches_the_types() {
    let committed = std::fs::read_to_string(root().join("docs/case.schema.json")).expect("docs/case.schema.json");
    assert_eq!(
        committed.trim_end(),
        xuncha::model::schema_json(),
        "regenerate with `xuncha schema > docs/case.schema.json`"
    );
}

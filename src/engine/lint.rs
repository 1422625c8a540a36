//! Property names a script reads, checked when it is compiled.
//!
//! The case reaches a script as a map without its absent fields (smaller maps are cheaper to
//! copy, and a script reads an absent field as `()` all the same), so rhai cannot tell a
//! misspelt field from an absent one at run time. This check does, before any case is read:
//! every `x.name` in a script must be a field of the case format, a key the script API puts in
//! the maps it returns, a key of a map the script builds itself (`#{ name: ... }` or
//! `x.name = ...`), or a property rhai itself defines (`len`, `is_empty`, ...). A misspelt
//! field used to surface only on the cases that reached it; now the rule set does not load.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use rhai::{ASTNode, Engine, Expr, Stmt, AST};

/// Names a script may read with `.name` without building them itself.
fn known(engine: &Engine) -> &'static BTreeSet<String> {
    static KNOWN: OnceLock<BTreeSet<String>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut names: BTreeSet<String> = BTreeSet::new();
        // every property of every object of the case format
        fn walk(v: &serde_json::Value, out: &mut BTreeSet<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(serde_json::Value::Object(props)) = m.get("properties") {
                        out.extend(props.keys().cloned());
                    }
                    m.values().for_each(|x| walk(x, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        let schema = serde_json::to_value(schemars::schema_for!(crate::model::Case)).unwrap_or_default();
        walk(&schema, &mut names);
        names.extend(super::api::MAP_KEYS.iter().map(|k| (*k).to_owned()));
        // property getters: rhai's own (`len`, `is_empty`, ...) and any the API registers
        for sig in engine.gen_fn_signatures(true) {
            if let Some(rest) = sig.split("get$").nth(1) {
                if let Some(name) = rest.split('(').next() {
                    names.insert(name.to_owned());
                }
            }
        }
        names
    })
}

/// A property read that is none of the names a script may read, with its position.
pub struct Unknown {
    pub name: String,
    pub line: usize,
    pub column: usize,
}

/// The first property `ast` reads that is neither known nor built by the script itself.
pub fn unknown_property(engine: &Engine, ast: &AST) -> Option<Unknown> {
    let known = known(engine);
    // first pass: the keys the script builds (map literals and property assignments)
    let mut built: BTreeSet<String> = BTreeSet::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::Map(m, _))) => {
                built.extend(m.0.iter().map(|(k, _)| k.name.to_string()));
                built.extend(m.1.keys().map(|k| k.to_string()));
            }
            Some(ASTNode::Expr(Expr::DynamicConstant(v, _))) => constant_keys(v, &mut built),
            Some(ASTNode::Stmt(Stmt::Assignment(x))) => assigned(&x.1.lhs, &mut built),
            _ => {}
        }
        true
    });
    let mut found = None;
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::Property(p, pos))) = path.last() {
            let name = p.2.as_str();
            if !known.contains(name) && !built.contains(name) {
                found = Some(Unknown {
                    name: name.to_owned(),
                    line: pos.line().unwrap_or(0),
                    column: pos.position().unwrap_or(0),
                });
                return false;
            }
        }
        true
    });
    found
}

/// The keys of a map folded into a constant by the optimizer, however deep.
fn constant_keys(v: &rhai::Dynamic, out: &mut BTreeSet<String>) {
    if let Some(m) = v.read_lock::<rhai::Map>() {
        for (k, x) in m.iter() {
            out.insert(k.to_string());
            constant_keys(x, out);
        }
    } else if let Some(a) = v.read_lock::<rhai::Array>() {
        a.iter().for_each(|x| constant_keys(x, out));
    }
}

/// The property an assignment writes (`ev.domain = ...`, `a.b.c = ...`): it is built.
fn assigned(lhs: &Expr, out: &mut BTreeSet<String>) {
    if let Expr::Dot(x, ..) | Expr::Index(x, ..) = lhs {
        if let Expr::Property(p, _) = &x.rhs {
            out.insert(p.2.to_string());
        }
        assigned(&x.rhs, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(script: &str) -> Option<String> {
        let set = crate::engine::RuleSet::built_in().expect("the built-in rules");
        let engine = crate::engine::build_engine(&set.calendar);
        let mut scope = rhai::Scope::new();
        scope.push(crate::engine::CASE_CONSTANT, rhai::Dynamic::UNIT);
        let ast = engine.compile_with_scope(&scope, script).expect("compiles");
        unknown_property(&engine, &ast).map(|u| format!("{}@{}:{}", u.name, u.line, u.column))
    }

    #[test]
    fn a_misspelt_case_field_is_found_where_it_is() {
        assert_eq!(
            lint("let out = [];\nfor q in c.questionings { if q.started_att == () { } }\nout"),
            Some("started_att@2:32".into())
        );
        assert_eq!(lint("c.acepted_at"), Some("acepted_at@1:3".into()));
    }

    #[test]
    fn fields_of_the_format_api_keys_built_keys_and_getters_pass() {
        assert_eq!(lint("for q in c.questionings { let p = person(q.person_id); p?.name; q.officer_ids.len; }"), None);
        assert_eq!(lint("let f = finding(\"x\", \"m\", #{}); f.subject + f.evidence.len"), None);
        assert_eq!(lint("let ev = #{ my_key: 1 }; ev.my_key"), None);
        assert_eq!(lint("let ev = #{}; ev.added_later = 2; ev.added_later"), None);
        assert_eq!(lint("let k = #{ folded: #{ inner: 1 } }; k.folded.inner"), None);
        assert_eq!(lint("let ev = #{}; ev.a_key = 2; ev.other_key"), Some("other_key@1:32".into()));
    }
}

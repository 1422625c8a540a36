//! Evaluating checks on cases: one [`Worker`] (Engine plus its own compiled scripts) per
//! rayon thread; the case is converted to a rhai map once and every applicable check runs
//! against it as a scope constant.

use std::cell::RefCell;
use std::sync::Arc;

use rhai::{Caches, Dynamic, Engine, EvalAltResult, ImmutableString, Scope, AST};
use serde::Serialize;

use super::api::{self, Ctx};
use super::index::CrossIndex;
use super::rule::SECTIONS;
use super::{build_engine, compile, describe_eval_error, RuleSet};
use crate::model::Case;

mod due;
mod pool;
pub use due::{due_message, due_time_text, Pending, DUE_HORIZON};
pub use pool::Workers;

/// How sure a finding is. A `violation` breaks the rule on the record and is counted and
/// scored. A `review` (待核查) breaks the main rule on the record where an exception the law
/// grants may excuse it and the record cannot show whether it does: it is listed with what
/// to verify, and never counted or scored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    #[default]
    Violation,
    Review,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Violation => "violation",
            Level::Review => "review",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "violation" => Some(Level::Violation),
            "review" => Some(Level::Review),
            _ => None,
        }
    }
}

/// A finding as a check produced it, before the store gives it a lifecycle.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub case_id: String,
    pub rule_id: String,
    pub category: String,
    pub subject: String,
    pub level: Level,
    pub message: String,
    /// for a review finding: what the legal officer must verify (核查要点)
    pub verify: Option<String>,
    pub evidence: serde_json::Value,
    pub officer_ids: Vec<String>,
    pub unit_id: String,
    pub rule_version: String,
}

/// A check that failed on a case.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleError {
    pub rule_id: String,
    pub case_id: String,
    pub message: String,
    pub source_name: String,
    pub line: usize,
    pub column: usize,
    /// hit a sandbox limit (operations, depth, size)
    pub limit: bool,
}

impl RuleError {
    pub fn position(&self) -> String {
        format!("{}:{}:{}", self.source_name, self.line, self.column)
    }
}

/// Why a check did not run on a case (for `explain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    NotSelected,
    Kind,
    MissingSection,
}

/// Everything the checks said about one case.
#[derive(Debug, Default)]
pub struct CaseOutcome {
    pub findings: Vec<Finding>,
    pub errors: Vec<RuleError>,
    /// per rule: `None` ran, `Some(skip)` did not
    pub skipped: Vec<Option<Skip>>,
    /// the earliest instant at which the result could change with the date alone
    pub next_change: i64,
    /// deadlines still running, when the worker tracks them ([`Worker::track_due`])
    pub pending: Vec<Pending>,
}

impl CaseOutcome {
    /// Rules whose previous findings on this case may be resolved: those that ran cleanly,
    /// or could not apply. Selection-skipped and failed rules keep their findings.
    pub fn settled(&self, rule: usize, rule_id: &str) -> bool {
        match self.skipped.get(rule) {
            Some(Some(Skip::NotSelected)) | None => false,
            Some(Some(_)) => true,
            Some(None) => !self.errors.iter().any(|e| e.rule_id == rule_id),
        }
    }
}

/// Bit mask of the sections a case has (non-empty arrays, present objects).
pub fn sections_present(c: &Case) -> u32 {
    let present = [
        c.incident.is_some(),
        c.filing.is_some(),
        !c.persons.is_empty(),
        !c.questionings.is_empty(),
        !c.summonses.is_empty(),
        !c.measures.is_empty(),
        !c.searches.is_empty(),
        !c.evidence.is_empty(),
        !c.appraisals.is_empty(),
        !c.alcohol_tests.is_empty(),
        !c.properties.is_empty(),
        !c.documents.is_empty(),
        !c.approvals.is_empty(),
        !c.penalties.is_empty(),
        c.mediation.is_some(),
        !c.pauses.is_empty(),
        !c.extensions.is_empty(),
        c.closure.is_some(),
        !c.case_area_log.is_empty(),
    ];
    debug_assert_eq!(present.len(), SECTIONS.len());
    present.iter().enumerate().fold(0, |m, (i, p)| if *p { m | (1 << i) } else { m })
}

/// An Engine and its compiled checks, owned by one thread.
pub struct Worker {
    engine: Engine,
    asts: Vec<AST>,
    /// per rule: its script's source name, as rhai's runtime state holds it
    sources: Vec<Option<ImmutableString>>,
    /// rhai's function-resolution caches, kept across checks and cases (issue #19): one
    /// shared by the rules that define no script function, one of its own for each rule that
    /// does (the cache is keyed by call hash, so one rule's `fn helper` would otherwise be
    /// found for another's)
    caches: RefCell<Vec<Caches>>,
    /// per rule: its cache in `caches`; `None` for a script that imports a module, which
    /// resolves afresh on every evaluation (an import can change what a name resolves to)
    cache_of: Vec<Option<usize>>,
    set: Arc<RuleSetShared>,
    /// per rule: nanoseconds spent and runs, when profiling (`xuncha bench eval --profile`)
    timing: Option<std::cell::RefCell<Vec<(u64, u64)>>>,
    /// how far ahead running deadlines are listed, when they are ([`Worker::track_due`])
    due_horizon: Option<i64>,
}

/// What workers share (read-only).
pub struct RuleSetShared {
    pub rules: Arc<Vec<super::Rule>>,
    pub calendar: Arc<super::Calendar>,
    pub category_of: Vec<String>,
    pub index: Arc<CrossIndex>,
}

impl RuleSetShared {
    pub fn new(set: &RuleSet, index: Arc<CrossIndex>) -> Arc<RuleSetShared> {
        Arc::new(RuleSetShared {
            rules: set.rules.clone(),
            calendar: set.calendar.clone(),
            category_of: set.rules.iter().map(|r| r.header.category.clone()).collect(),
            index,
        })
    }
}

impl Worker {
    /// Builds an engine and compiles every script (they compiled once already at load, so
    /// an error here is unexpected and reported as a rule error on use).
    pub fn new(set: Arc<RuleSetShared>) -> Worker {
        let engine = build_engine(&set.calendar);
        let asts: Vec<AST> = set.rules.iter().map(|r| compile(&engine, r).unwrap_or_default()).collect();
        let sources = asts.iter().map(|a| a.source().map(ImmutableString::from)).collect();
        let mut caches = vec![new_caches()];
        let cache_of = asts
            .iter()
            .map(|a| {
                if imports(a) {
                    None
                } else if a.has_functions() {
                    caches.push(new_caches());
                    Some(caches.len() - 1)
                } else {
                    Some(0)
                }
            })
            .collect();
        Worker { engine, asts, sources, caches: RefCell::new(caches), cache_of, set, timing: None, due_horizon: None }
    }

    /// Evaluates rule `i`'s script with `scope` (the case pushed as a constant), as
    /// `Engine::eval_ast_with_scope` does but with the worker's function-resolution cache for
    /// that rule instead of an empty one. The runtime state is new on each call, so the
    /// operation limit counts from zero for every check. A panic inside the script engine is
    /// returned as `Err`, and the cache the evaluation used is dropped.
    fn eval(&self, scope: &mut Scope, i: usize) -> std::thread::Result<Result<Dynamic, Box<EvalAltResult>>> {
        let ast = &self.asts[i];
        let slot = self.cache_of[i];
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut global = self.engine.new_global_runtime_state();
            global.source.clone_from(&self.sources[i]);
            global.lib.push(ast.shared_lib().clone());
            global.embedded_module_resolver = ast.resolver().cloned();
            let mut fresh = Caches::new();
            let mut caches = self.caches.borrow_mut();
            let cache = match slot {
                Some(c) => &mut caches[c],
                None => &mut fresh,
            };
            // `eval_statements_raw` is the one public entry point that takes the caches; it
            // is deprecated in favour of nothing (rhai 1.27), and evaluates as
            // `eval_ast_with_scope` does once the state carries the AST's source and functions
            #[allow(deprecated)]
            let r = self.engine.eval_statements_raw(&mut global, cache, scope, ast.statements());
            // a block's caches are popped when it ends; the rule's own stays
            cache.rewind_fn_resolution_caches(1);
            r
        }));
        if res.is_err() {
            if let Some(c) = slot {
                self.caches.borrow_mut()[c] = new_caches();
            }
        }
        res
    }

    /// Starts recording the time each check takes (see [`Worker::timings`]).
    pub fn profile(&mut self) {
        self.timing = Some(std::cell::RefCell::new(vec![(0, 0); self.asts.len()]));
    }

    /// Per rule, in rule order: nanoseconds spent evaluating it and the number of runs.
    pub fn timings(&self) -> Vec<(u64, u64)> {
        self.timing.as_ref().map(|t| t.borrow().clone()).unwrap_or_default()
    }

    /// Replaces the cross-case index (rule tests give each fixture entry its own).
    pub fn set_index(&mut self, index: Arc<CrossIndex>) {
        self.set = Arc::new(RuleSetShared {
            rules: self.set.rules.clone(),
            calendar: self.set.calendar.clone(),
            category_of: self.set.category_of.clone(),
            index,
        });
    }

    /// Runs the selected checks on one case as of `as_of`.
    pub fn check(&self, case: Arc<Case>, as_of: i64, selected: &[bool]) -> CaseOutcome {
        let rules = &self.set.rules;
        let mut out = CaseOutcome {
            skipped: vec![Some(Skip::NotSelected); rules.len()],
            next_change: i64::MAX,
            ..Default::default()
        };
        let present = sections_present(&case);
        let mut to_run = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            out.skipped[i] = if !selected.get(i).copied().unwrap_or(false) {
                Some(Skip::NotSelected)
            } else if !r.applies_to_kind(case.kind) {
                Some(Skip::Kind)
            } else if present & r.needs_mask != r.needs_mask {
                Some(Skip::MissingSection)
            } else {
                to_run.push(i);
                None
            };
        }
        if to_run.is_empty() {
            return out;
        }
        let case_dyn = match crate::model::leaving_out_absent(|| rhai::serde::to_dynamic(&*case)) {
            Ok(d) => d,
            Err(e) => {
                for &i in &to_run {
                    out.errors.push(self.error(i, &case.case_id, &e));
                }
                return out;
            }
        };
        let mut scope = Scope::new();
        scope.push_constant(super::CASE_CONSTANT, case_dyn);
        let base = scope.len();
        let ctx = Ctx::new(case.clone(), as_of, rules.clone(), self.set.index.clone());
        let (marks, next_change) = api::with_case(ctx, || {
            for &i in &to_run {
                api::set_rule(i);
                let started = self.timing.as_ref().map(|_| std::time::Instant::now());
                // a panic inside the script engine is that rule's error on this case, never
                // the end of the audit
                let res = self.eval(&mut scope, i);
                scope.rewind(base);
                if let (Some(t), Some(started)) = (&self.timing, started) {
                    let slot = &mut t.borrow_mut()[i];
                    slot.0 += started.elapsed().as_nanos() as u64;
                    slot.1 += 1;
                }
                match res {
                    Ok(Ok(v)) => self.collect(i, &case, v, &mut out),
                    Ok(Err(e)) => out.errors.push(self.error(i, &case.case_id, &e)),
                    Err(panic) => {
                        let what = panic
                            .downcast_ref::<&str>()
                            .map(|s| (*s).to_owned())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_default();
                        let rule = &self.set.rules[i];
                        out.errors.push(RuleError {
                            rule_id: rule.header.id.clone(),
                            case_id: case.case_id.clone(),
                            message: format!("internal error in the script engine: {what}"),
                            source_name: rule.source_name.clone(),
                            line: 0,
                            column: 0,
                            limit: false,
                        });
                    }
                }
            }
            api::take_due()
        });
        out.next_change = next_change;
        if let Some(horizon) = self.due_horizon {
            self.running_deadlines(&case, &mut scope, as_of, horizon, &marks, &mut out);
        }
        out
    }

    fn error(&self, i: usize, case_id: &str, e: &rhai::EvalAltResult) -> RuleError {
        let rule = &self.set.rules[i];
        let (message, pos, limit) = describe_eval_error(e);
        RuleError {
            rule_id: rule.header.id.clone(),
            case_id: case_id.to_owned(),
            message,
            source_name: rule.source_name.clone(),
            line: pos.line().unwrap_or(0),
            column: pos.position().unwrap_or(0),
            limit,
        }
    }

    fn collect(&self, i: usize, case: &Case, v: Dynamic, out: &mut CaseOutcome) {
        // personal data is masked where a finding is made: every list, report and page shows
        // what is stored (surname + 某, ID numbers masked)
        let mut masker: Option<crate::model::privacy::PersonMasker> = None;
        let rule = &self.set.rules[i];
        let bad = |msg: String| RuleError {
            rule_id: rule.header.id.clone(),
            case_id: case.case_id.clone(),
            message: msg,
            source_name: rule.source_name.clone(),
            line: 0,
            column: 0,
            limit: false,
        };
        let Some(items) = v.clone().try_cast::<rhai::Array>() else {
            out.errors
                .push(bad(format!("the script must end with an array of findings, but it gave {}", v.type_name())));
            return;
        };
        for item in items {
            let Some(mut m) = item.try_cast::<rhai::Map>() else {
                out.errors
                    .push(bad("an element of the result is not a finding; build findings with `finding(...)`".into()));
                continue;
            };
            let text = |m: &mut rhai::Map, k: &str| m.remove(k).and_then(|x| x.into_string().ok());
            let (Some(subject), Some(message)) = (text(&mut m, "subject"), text(&mut m, "message")) else {
                out.errors
                    .push(bad("a finding lacks `subject` or `message`; build findings with `finding(...)`".into()));
                continue;
            };
            let level = text(&mut m, "level").and_then(|l| Level::parse(&l)).unwrap_or_default();
            let verify = text(&mut m, "verify");
            let mut evidence = m
                .remove("evidence")
                .and_then(|e| rhai::serde::from_dynamic::<serde_json::Value>(&e).ok())
                .unwrap_or(serde_json::Value::Null);
            let masker = masker.get_or_insert_with(|| crate::model::privacy::PersonMasker::new(case));
            let message = masker.text(&message).into_owned();
            let verify = verify.map(|v| masker.text(&v).into_owned());
            masker.json(&mut evidence);
            let extra: Vec<String> = m
                .remove("officers")
                .and_then(|o| o.try_cast::<rhai::Array>())
                .map(|a| a.into_iter().filter_map(|x| x.into_string().ok()).collect())
                .unwrap_or_default();
            out.findings.push(Finding {
                case_id: case.case_id.clone(),
                rule_id: rule.header.id.clone(),
                category: self.set.category_of[i].clone(),
                officer_ids: attribute(case, &subject, &extra),
                subject,
                level,
                message,
                verify,
                evidence,
                unit_id: case.unit_id.clone(),
                rule_version: rule.version_tag(),
            });
        }
    }
}

/// A function-resolution cache stack with its bottom cache in place, so that evaluating a
/// script at top level fills that one and leaves it for the next evaluation.
fn new_caches() -> Caches {
    let mut c = Caches::new();
    c.push_fn_resolution_cache();
    c
}

/// Whether a script has an `import` statement anywhere.
fn imports(ast: &AST) -> bool {
    let mut found = false;
    ast.walk(&mut |path: &[rhai::ASTNode]| {
        found |= matches!(path.last(), Some(rhai::ASTNode::Stmt(rhai::Stmt::Import(..))));
        !found
    });
    found
}

/// The officers responsible for a finding: the case's lead officer(s), the officers named
/// on the sub-record it is about, the approver of an approval, and any the check names.
pub fn attribute(case: &Case, subject: &str, extra: &[String]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut add = |id: &str| {
        if !id.is_empty() && !ids.iter().any(|x| x == id) {
            ids.push(id.to_owned());
        }
    };
    let leads: Vec<&str> = case
        .officers
        .iter()
        .filter(|o| o.role == Some(crate::model::OfficerRole::Lead))
        .map(|o| o.id.as_str())
        .collect();
    if leads.is_empty() {
        if let Some(o) = case.officers.first() {
            add(&o.id);
        }
    }
    for l in leads {
        add(l);
    }
    if let Some(q) = case.questionings.iter().find(|q| q.id == subject) {
        q.officer_ids.iter().for_each(|o| add(o));
    }
    if let Some(s) = case.searches.iter().find(|s| s.id == subject) {
        s.officer_ids.iter().for_each(|o| add(o));
    }
    if let Some(e) = case.evidence.iter().find(|e| e.id == subject) {
        e.collector_ids.iter().for_each(|o| add(o));
    }
    if let Some(a) = case.approvals.iter().find(|a| a.id == subject) {
        if let Some(o) = &a.approver_id {
            add(o);
        }
    }
    extra.iter().for_each(|o| add(o));
    ids
}

//! Recall and precision of the checks against a generated set's truth: the measure the
//! generated-truth tests hold at 0.99 per category.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use super::{generate, script::Injectors, GenError, GenOptions, Truth};
use crate::engine::index::CrossIndex;
use crate::engine::run::{RuleSetShared, Workers};
use crate::engine::RuleSet;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CategoryScore {
    pub category: String,
    pub injected: u64,
    pub found: u64,
    pub true_positives: u64,
    pub recall: f64,
    pub precision: f64,
    /// a few (case, subject) pairs flagged but not injected, and injected but not flagged
    pub false_positives: Vec<String>,
    pub false_negatives: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Score {
    pub cases: u64,
    pub categories: Vec<CategoryScore>,
    pub rule_errors: Vec<String>,
}

/// Generates `opts.cases` cases, checks them all as of the end of `opts.to`, and scores
/// each category that was injected or found.
pub fn score(opts: &GenOptions, scripts: &Injectors, set: &RuleSet) -> Result<Score, GenError> {
    let mut cases = Vec::new();
    let mut truth: HashSet<Truth> = HashSet::new();
    generate(opts, scripts, |c, t| {
        cases.push(c.clone());
        truth.extend(t.iter().cloned());
        Ok(())
    })?;
    let as_of = super::as_of(opts);
    let index = Arc::new(CrossIndex::from_cases(cases.iter()));
    let shared = RuleSetShared::new(set, index);
    let selected = vec![true; set.rules.len()];
    let workers = Workers::new(shared);
    let outcomes: Vec<_> =
        cases.into_par_iter().map(|c| workers.with(|w| w.check(Arc::new(c), as_of, &selected))).collect();
    let mut found: HashSet<Truth> = HashSet::new();
    let mut errors = Vec::new();
    for o in &outcomes {
        // the truth is scored at violation level; review items are listed apart
        for f in o.findings.iter().filter(|f| f.level == crate::engine::run::Level::Violation) {
            found.insert(Truth {
                case_id: f.case_id.clone(),
                category: f.category.clone(),
                subject: f.subject.clone(),
            });
        }
        for e in &o.errors {
            if errors.len() < 20 {
                errors.push(format!("{} on {}: {} at {}", e.rule_id, e.case_id, e.message, e.position()));
            }
        }
    }
    let mut per: BTreeMap<String, CategoryScore> = BTreeMap::new();
    for t in &truth {
        let s = per.entry(t.category.clone()).or_default();
        s.injected += 1;
        if found.contains(t) {
            s.true_positives += 1;
        } else if s.false_negatives.len() < 5 {
            s.false_negatives.push(format!("{} {}", t.case_id, t.subject));
        }
    }
    for f in &found {
        let s = per.entry(f.category.clone()).or_default();
        s.found += 1;
        if !truth.contains(f) && s.false_positives.len() < 5 {
            s.false_positives.push(format!("{} {}", f.case_id, f.subject));
        }
    }
    let categories = per
        .into_iter()
        .map(|(k, mut s)| {
            s.category = k;
            s.recall = if s.injected == 0 { 1.0 } else { s.true_positives as f64 / s.injected as f64 };
            s.precision = if s.found == 0 { 1.0 } else { s.true_positives as f64 / s.found as f64 };
            s
        })
        .collect();
    Ok(Score { cases: opts.cases, categories, rule_errors: errors })
}

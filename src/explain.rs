//! Explaining one case: every check run on it, and why each fired, passed or did not apply.
//! `xuncha explain` prints it; the console's case page (案件) shows it.

use std::sync::Arc;

use serde::Serialize;

use crate::engine::index::CrossIndex;
use crate::engine::run::{RuleSetShared, Skip, Worker};
use crate::engine::RuleSet;
use crate::model::Case;

/// What one check said about the case.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub rule: String,
    pub category: String,
    /// `fired`, `error`, `passed`, `not_applicable` or `not_in_force`
    pub verdict: &'static str,
    pub reason: Option<String>,
    /// subject, level, message, verify, evidence, officer_ids of each finding
    pub findings: Vec<serde_json::Value>,
}

/// The verdicts in the order they are shown.
pub const VERDICTS: &[&str] = &["fired", "error", "passed", "not_applicable", "not_in_force"];

/// Runs the checks selected by `selected` (rule order; those not in force on `as_of` are
/// left out) on `case` with the cross-case `index`.
pub fn explain(set: &RuleSet, index: CrossIndex, case: &Case, as_of: i64, mut selected: Vec<bool>) -> Vec<Line> {
    let worker = Worker::new(RuleSetShared::new(set, Arc::new(index)));
    for (i, r) in set.rules.iter().enumerate() {
        if r.in_force.0 > as_of {
            selected[i] = false;
        }
    }
    let outcome = worker.check(Arc::new(case.clone()), as_of, &selected);
    let mut lines = Vec::new();
    for (i, r) in set.rules.iter().enumerate() {
        let fs: Vec<serde_json::Value> = outcome
            .findings
            .iter()
            .filter(|f| f.rule_id == r.header.id)
            .map(|f| {
                serde_json::json!({"subject": f.subject, "level": f.level, "message": f.message, "verify": f.verify,
                                   "evidence": f.evidence, "officer_ids": f.officer_ids})
            })
            .collect();
        let err = outcome.errors.iter().find(|e| e.rule_id == r.header.id);
        let (verdict, reason) = match outcome.skipped[i] {
            Some(Skip::NotSelected) if r.in_force.0 > as_of => {
                ("not_in_force", Some(format!("in force from {}", r.header.in_force.from.clone().unwrap_or_default())))
            }
            Some(Skip::NotSelected) => continue,
            Some(Skip::Kind) => (
                "not_applicable",
                Some(format!(
                    "applies to {} cases only",
                    r.header.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join("/")
                )),
            ),
            Some(Skip::MissingSection) => {
                ("not_applicable", Some(format!("the case has no {}", r.header.needs.join(" / "))))
            }
            None if err.is_some() => ("error", err.map(|e| format!("{} at {}", e.message, e.position()))),
            None if fs.is_empty() => ("passed", None),
            None => ("fired", None),
        };
        lines.push(Line {
            rule: r.header.id.clone(),
            category: r.header.category.clone(),
            verdict,
            reason,
            findings: fs,
        });
    }
    lines
}

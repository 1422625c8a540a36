//! Running deadlines (预警, issue #17): what the audit after a deadline will find if nothing
//! changes, found by the checks themselves, so that no check carries a deadline twice.
//!
//! A check that calls `overdue(deadline, ())` on something not done and not yet late tells
//! the engine when its answer may change. For each rule that did, the worker evaluates the
//! same rule on the same case again as of that instant (the deadline + 1 s): the subjects
//! flagged then and not now are exactly what the audit after the deadline will find on the
//! same (case, rule, subject) if nothing changes. Each becomes a [`Pending`] with that
//! deadline, the subject and the officers the finding will name. The rule's next running
//! deadline after that one is followed the same way, up to [`DUE_HORIZON`] ahead. So a
//! pending deadline is never also a finding, and it turns into one by construction.
//!
//! A rule that read the date itself (`as_of()`, `done_or_now(())`) may change its answer
//! on any day, not only at its deadlines: for its subjects the worker also evaluates the
//! second before, and if the subject is flagged there already it looks for the first second
//! it is (bisection), so that the deadline given is never later than the finding.

use std::collections::HashSet;
use std::sync::Arc;

use rhai::Scope;
use serde::Serialize;

use super::{CaseOutcome, Finding, Worker};
use crate::engine::api::{self, Ctx, DueMark};
use crate::model::{shanghai, Case, Ts};

/// How far ahead of the audit date running deadlines are found (`xuncha due --within` takes
/// at most this). A case whose checks wait on a deadline farther ahead is audited again when
/// it comes this close (its `next_change` is brought forward to it), so the stored deadlines
/// always cover the 30 days after the latest audit date.
pub const DUE_HORIZON: i64 = 30 * 86_400;

/// Later instants one rule is evaluated at on one case; a case with more running deadlines
/// in one rule within the horizon is audited again the next night.
const MAX_STEPS: usize = 32;

/// A deadline still running on the audit date.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pending {
    /// the last instant (epoch seconds) the act is in time; the finding appears a second later
    pub deadline: i64,
    /// "须于 2026-07-02 14:30 前通知被拘留人家属"
    pub message: String,
    /// the limit is set by law (not local practice, nor unverified): [`crate::engine::Rule::statutory`]
    pub statutory: bool,
    /// the deadline was computed with a year the holiday calendar lacks (presumed leniently,
    /// so the true one may be earlier)
    pub presumed: bool,
    /// what the audit after the deadline will find: case, rule, subject, level, officers, unit
    pub finding: Finding,
}

/// `2026-07-02 14:30`: the minute by which the act must be done, for a deadline whose last
/// instant in time is `deadline` (the end of a day reads `24:00` of that day).
pub fn due_time_text(deadline: i64) -> String {
    let late = deadline.saturating_add(1);
    let Ok(t) = jiff::Timestamp::from_second(late - late.rem_euclid(60)) else { return Ts(deadline).local_text() };
    let z = t.to_zoned(shanghai().clone());
    if z.hour() == 0 && z.minute() == 0 {
        if let Ok(d) = z.date().yesterday() {
            return format!("{} 24:00", d.strftime("%Y-%m-%d"));
        }
    }
    z.strftime("%Y-%m-%d %H:%M").to_string()
}

/// The sentence a running deadline is listed with.
pub fn due_message(act: &str, deadline: i64, presumed: bool) -> String {
    let mut s = format!("须于 {} 前{act}", due_time_text(deadline));
    if presumed {
        s.push_str(&format!(
            "（{} 年的节假日安排尚未收录，期限按推定计算，实际期限可能更早）",
            Ts(deadline).local_date().year()
        ));
    }
    s
}

impl Worker {
    /// Makes [`Worker::check`] also find the deadlines still running within `horizon`
    /// seconds of the audit date ([`CaseOutcome::pending`]).
    pub fn track_due(&mut self, horizon: i64) {
        self.due_horizon = Some(horizon);
    }

    /// Fills `out.pending` from the marks the case's rule runs left (see the module doc).
    pub(super) fn running_deadlines(
        &self,
        case: &Arc<Case>,
        scope: &mut Scope,
        as_of: i64,
        horizon: i64,
        marks: &[DueMark],
        out: &mut CaseOutcome,
    ) {
        let end = as_of.saturating_add(horizon);
        for first in marks.iter().filter(|m| m.at != i64::MAX) {
            let rule = &self.set.rules[first.rule];
            let id = rule.header.id.as_str();
            if out.errors.iter().any(|e| e.rule_id == id) {
                continue;
            }
            let mut seen: HashSet<String> =
                out.findings.iter().filter(|f| f.rule_id == id).map(|f| f.subject.clone()).collect();
            let mut mark = *first;
            let mut daily = first.daily;
            for step in 0..=MAX_STEPS {
                if mark.at == i64::MAX {
                    break;
                }
                if mark.at > end {
                    // audited again when this deadline comes within the horizon
                    out.next_change = out.next_change.min(mark.at - horizon);
                    break;
                }
                if step == MAX_STEPS {
                    out.next_change = out.next_change.min(as_of.saturating_add(1));
                    break;
                }
                let Some((found, next)) = self.eval_at(case, scope, first.rule, mark.at) else { break };
                daily |= next.daily;
                for f in found {
                    if !seen.insert(f.subject.clone()) {
                        continue;
                    }
                    let late = if daily {
                        self.first_flagged(case, scope, first.rule, &f.subject, as_of, mark.at)
                    } else {
                        mark.at
                    };
                    let deadline = late - 1;
                    out.pending.push(Pending {
                        deadline,
                        message: due_message(&rule.due_act(), deadline, mark.presumed),
                        statutory: rule.statutory(),
                        presumed: mark.presumed,
                        finding: f,
                    });
                }
                mark = next;
            }
        }
    }

    /// The first instant in `(as_of, at]` at which the rule flags `subject`, which it does
    /// at `at` and not at `as_of`.
    fn first_flagged(
        &self,
        case: &Arc<Case>,
        scope: &mut Scope,
        rule: usize,
        subject: &str,
        as_of: i64,
        at: i64,
    ) -> i64 {
        let mut flagged = |t: i64| {
            self.eval_at(case, scope, rule, t).is_some_and(|(found, _)| found.iter().any(|f| f.subject == subject))
        };
        if !flagged(at - 1) {
            return at;
        }
        let (mut lo, mut hi) = (as_of, at - 1);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if flagged(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }

    /// Evaluates one rule on the case as of `at`: its findings, and what it said about time.
    /// `None` if the rule fails.
    fn eval_at(&self, case: &Arc<Case>, scope: &mut Scope, rule: usize, at: i64) -> Option<(Vec<Finding>, DueMark)> {
        let base = scope.len();
        let ctx = Ctx::new(case.clone(), at, self.set.rules.clone(), self.set.index.clone());
        let ((res, marks), _) = api::with_case(ctx, || {
            api::set_rule(rule);
            let res = self.eval(scope, rule);
            scope.rewind(base);
            (res, api::take_due())
        });
        let value = res.ok()?.ok()?;
        let mut got = CaseOutcome::default();
        self.collect(rule, case, value, &mut got);
        if !got.errors.is_empty() {
            return None;
        }
        let mark = marks.into_iter().next().unwrap_or(DueMark { rule, at: i64::MAX, presumed: false, daily: false });
        Some((got.findings, mark))
    }
}

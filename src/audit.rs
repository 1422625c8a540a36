//! One audit run: choose the cases to check, check them in parallel, reconcile the findings.
//!
//! Incremental by default: a case is checked again with every rule if its content changed, a
//! pending deadline it depends on has passed by the as-of date, the as-of date moved
//! backwards, or a case sharing an officer or person with it changed (when a cross-case
//! check is selected). When only rules changed (an edited check, or a calendar edit for the
//! checks that read the calendar), the case is checked again with those rules alone: its
//! other rules' findings and running deadlines stay as they are. Cases are processed in
//! chunks; each chunk's findings and audit stamps commit together, so a killed run leaves a
//! consistent database and the next run carries on where it stopped.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use rusqlite::params;
use serde::Serialize;

use crate::engine::index::CrossIndex;
use crate::engine::run::{CaseOutcome, RuleSetShared, Workers, DUE_HORIZON};
use crate::engine::RuleSet;
use crate::model::{Case, Ts};
use crate::store::findings::{self, Audited, CategoryInfo, Counts, NewRun, RunCtx};
use crate::store::xindex::{self, StoredIndex};
use crate::store::{Context, Store, StoreError};

mod overlap;
pub use overlap::{can_overlap, run_files};

/// Cases per transaction.
pub const CHUNK: usize = 2048;

/// A stored case to check.
struct Row {
    id: String,
    content_hash: String,
    raw: String,
    /// 0: every selected rule; n: only the rules of `Plans::masks[n - 1]` (they changed
    /// since the case's last audit, nothing else did)
    plan: usize,
    /// the case's `next_change` before this run
    next_change: Option<i64>,
}

/// A chunk and the outcomes of its checks.
type Checked = (Vec<Row>, Vec<CaseOutcome>);

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub as_of: i64,
    pub full: bool,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// do not look for running deadlines (`xuncha due` then lists none for the cases audited)
    pub no_due: bool,
}

/// A rule error reported once with a count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorGroup {
    pub rule: String,
    pub message: String,
    pub position: String,
    pub first_case: String,
    pub count: u64,
    pub limit: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub run_id: i64,
    pub as_of: String,
    pub audited: u64,
    pub skipped: u64,
    pub new: u64,
    /// findings seen again this run and still open
    pub still_open: u64,
    /// all findings open or pushed after the run (the backlog)
    pub open: u64,
    pub resolved: u64,
    pub reopened: u64,
    pub rule_errors: u64,
    pub errors: Vec<ErrorGroup>,
    pub elapsed_s: f64,
    pub cases_per_s: f64,
    /// years a deadline fell in that `calendar.toml` has no holiday schedule for: they were
    /// presumed leniently
    pub calendar_presumed_years: Vec<i16>,
    /// deadlines still running within 30 days of the audit date, stored for `xuncha due`
    pub running_deadlines: u64,
    /// the rules whose version (or, for a rule that reads it, the calendar) changed since
    /// the cases' last audit, each with the number of cases it ran on in this run
    pub rules_rerun: Vec<RuleRerun>,
    /// of the cases audited, those checked again with the changed rules alone
    pub audited_partial: u64,
    /// cases stamped with this rule set without being read: none of the rules changed since
    /// their last audit applies to their kind, and they hold no finding or running deadline
    /// of those rules
    pub stamped_unread: u64,
    /// of the cases audited, those checked while `audit FILE` imported them into an empty
    /// store, against the cases read so far, and not checked again at the end
    pub checked_on_import: u64,
}

/// A changed rule and the number of cases it ran on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleRerun {
    pub rule: String,
    pub cases: u64,
}

/// Which rules to run again on the cases only the rules changed for: one mask per earlier
/// run the cases were stamped by (the rules whose effective version differs from that run's).
struct Plans {
    /// per earlier run id: the mask's number in `masks`, counted from 1
    runs: Vec<(i64, usize)>,
    masks: Vec<Vec<bool>>,
    /// the union of the masks: the rules changed for some case
    changed: Vec<bool>,
}

/// Compares the current effective rule versions with those of each earlier run that stamped
/// a case with another rule set. A run whose versions cannot be read gets no mask: its cases
/// are checked with every rule.
fn plan_reruns(store: &Store, set: &RuleSet, versions: &[String]) -> Result<Plans, StoreError> {
    let mut stmt = store
        .conn
        .prepare(
            "SELECT id, rule_versions FROM audit_runs
             WHERE id IN (SELECT audited_run FROM cases WHERE audited_rules IS NOT ?1 AND audited_rules <> '')",
        )
        .ctx("reading earlier audit runs")?;
    let runs: Vec<(i64, String)> = stmt
        .query_map([&set.rules_hash], |r| Ok((r.get(0)?, r.get(1)?)))
        .ctx("reading earlier audit runs")?
        .collect::<Result<_, _>>()
        .ctx("reading earlier audit runs")?;
    let mut plans = Plans { runs: Vec::new(), masks: Vec::new(), changed: vec![false; set.rules.len()] };
    for (run, text) in runs {
        let Ok(old) = serde_json::from_str::<HashMap<String, String>>(&text) else { continue };
        let mask: Vec<bool> = set.rules.iter().zip(versions).map(|(r, v)| old.get(&r.header.id) != Some(v)).collect();
        for (c, m) in plans.changed.iter_mut().zip(&mask) {
            *c |= *m;
        }
        if mask.iter().all(|m| *m) {
            continue; // every rule changed: a full check
        }
        let n = match plans.masks.iter().position(|m| *m == mask) {
            Some(i) => i + 1,
            None => {
                plans.masks.push(mask);
                plans.masks.len()
            }
        };
        plans.runs.push((run, n));
    }
    Ok(plans)
}

/// Stamps with this rule set (`audited_rules`, `audited_run`) the cases of a partial plan
/// that no rule of the plan can apply to, by their kind, and that hold nothing those rules
/// wrote: no finding other than a resolved one, no running deadline (a rule whose kinds were
/// narrowed must still run where it left findings, to resolve them). Run after the cases to
/// check with every rule are picked, before the partial plans are: a picked case is left
/// alone. Their `next_change` and `audited_as_of` stay: no answer of theirs was computed.
fn stamp_unaffected(store: &Store, set: &RuleSet, plans: &Plans, run_id: i64) -> Result<u64, StoreError> {
    let mut stamped = 0;
    for (n, mask) in plans.masks.iter().enumerate() {
        let rules: Vec<&crate::engine::Rule> =
            set.rules.iter().zip(mask).filter(|(_, m)| **m).map(|(r, _)| r).collect();
        // a rule for every kind applies to every case
        if rules.is_empty() || rules.iter().any(|r| r.header.kinds.is_empty()) {
            continue;
        }
        let mut kinds: Vec<&str> = rules.iter().flat_map(|r| r.header.kinds.iter().map(|k| k.as_str())).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let ids: Vec<&str> = rules.iter().map(|r| r.header.id.as_str()).collect();
        stamped += store
            .conn
            .execute(
                "UPDATE cases SET audited_rules = ?1, audited_run = ?2
                 WHERE audited_rules IS NOT ?1
                   AND audited_run IN (SELECT run_id FROM temp.audit_plan WHERE plan = ?3)
                   AND kind NOT IN (SELECT value FROM json_each(?4))
                   AND case_id NOT IN (SELECT case_id FROM temp.audit_pick)
                   AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.case_id = cases.case_id
                                     AND f.rule_id IN (SELECT value FROM json_each(?5)) AND f.status <> 'resolved')
                   AND NOT EXISTS (SELECT 1 FROM due d WHERE d.case_id = cases.case_id
                                     AND d.rule_id IN (SELECT value FROM json_each(?5)))",
                params![
                    set.rules_hash,
                    run_id,
                    (n + 1) as i64,
                    serde_json::to_string(&kinds).unwrap_or_default(),
                    serde_json::to_string(&ids).unwrap_or_default()
                ],
            )
            .ctx("stamping the cases no changed rule applies to")? as u64;
    }
    Ok(stamped)
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Selection(String),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
}

/// How far apart in time a stored session may be from a changed one and still be re-audited.
/// The one cross-case check on sessions (P039) looks for overlaps, so only sessions that
/// overlap the changed session's old or new span can change their answer. A day's margin
/// re-audited a third of 100k cases for 1% changed (generated officers work back to back);
/// a check comparing sessions farther apart (travel time, say) must widen this.
const SESSION_MARGIN_S: i64 = 0;

/// Adds to the picked cases those near a changed one: the same officer at about the same
/// time (`?1` margin, `?2` longest session), or the same person. Each dirty key reads a
/// short range of a covering index.
const NEAR_CHANGED: &str = "INSERT OR IGNORE INTO temp.audit_pick (case_id)
     SELECT x.case_id FROM dirty_keys d CROSS JOIN xsessions x
       WHERE substr(d.key, 1, 2) = 'o:' AND x.officer_id = substr(d.key, 3)
         AND x.started_at < d.to_at + ?1 AND x.started_at >= d.from_at - ?1 - ?2
         AND x.ended_at > d.from_at - ?1
     UNION SELECT x.case_id FROM dirty_keys d CROSS JOIN xpersons x
       WHERE substr(d.key, 1, 2) = 'p:' AND x.person_key = substr(d.key, 3)
     UNION SELECT x.case_id FROM dirty_keys d CROSS JOIN xsessions x
       WHERE substr(d.key, 1, 2) = 'p:' AND x.person_key = substr(d.key, 3)";

/// The cross-case index over every stored case, read from the store as checks ask.
pub fn stored_index(store: &Store) -> Result<CrossIndex, StoreError> {
    Ok(CrossIndex::new(StoredIndex::open(store)?))
}

/// Runs the audit. `progress(done, total)` is called after each chunk.
pub fn run(
    store: &mut Store,
    set: &RuleSet,
    opts: &Options,
    progress: &dyn Fn(u64, u64),
) -> Result<Summary, AuditError> {
    let mut run = Run::begin(store, set, opts)?;
    run.check_stored(store, progress)?;
    run.finish(store)
}

/// What the outcomes of a run add up to.
#[derive(Default)]
struct Tally {
    counts: Counts,
    audited: u64,
    errors: Vec<ErrorGroup>,
    error_total: u64,
    /// per rule: the cases it ran on, counted for the rules changed since the cases' last audit
    rerun_cases: Vec<u64>,
}

impl Tally {
    fn add(&mut self, written: Counts, outcomes: &[CaseOutcome], changed: &[bool]) {
        self.counts += written;
        self.audited += outcomes.len() as u64;
        for o in outcomes {
            for (i, n) in self.rerun_cases.iter_mut().enumerate() {
                if changed[i] && o.skipped.get(i).is_some_and(Option::is_none) {
                    *n += 1;
                }
            }
            for e in &o.errors {
                self.error_total += 1;
                let pos = group_position(&e.position()).to_owned();
                match self
                    .errors
                    .iter_mut()
                    .find(|g| g.rule == e.rule_id && g.message == e.message && g.position == pos)
                {
                    Some(g) => g.count += 1,
                    None => self.errors.push(ErrorGroup {
                        rule: e.rule_id.clone(),
                        message: e.message.clone(),
                        position: pos,
                        first_case: e.case_id.clone(),
                        count: 1,
                        limit: e.limit,
                    }),
                }
            }
        }
    }
}

impl Tally {
    /// Takes back rule errors written earlier in the run, as (rule id, message, position) the
    /// way `rule_errors` stores them: their cases are checked again, and counted then. A group
    /// left with no error goes.
    fn take_back_errors(&mut self, errors: &[findings::StoredError]) {
        for (rule, message, position) in errors {
            self.error_total = self.error_total.saturating_sub(1);
            let pos = group_position(position);
            if let Some(i) =
                self.errors.iter().position(|g| &g.rule == rule && &g.message == message && g.position == pos)
            {
                self.errors[i].count -= 1;
                if self.errors[i].count == 0 {
                    self.errors.remove(i);
                }
            }
        }
    }
}

/// How an error group names a position: `file:line:col`, or the file alone when the error has
/// no line (`file:0:0`, as `rule_errors` stores it).
fn group_position(position: &str) -> &str {
    position.strip_suffix(":0:0").unwrap_or(position)
}

/// One audit run, from its record in `audit_runs` to its summary.
struct Run<'a> {
    set: &'a RuleSet,
    opts: &'a Options,
    started: Instant,
    selected: Vec<bool>,
    complete: bool,
    cross: bool,
    plans: Plans,
    run_id: i64,
    categories: HashMap<String, CategoryInfo>,
    preview: HashSet<String>,
    rule_index: HashMap<String, usize>,
    tally: Tally,
    /// of the stored cases checked: those checked with the changed rules alone
    partial: u64,
    /// cases stamped unread ([`stamp_unaffected`])
    stamped: u64,
    /// cases checked while a file was imported ([`overlap`]): the stored ones are picked
    /// without them
    checked_on_import: Option<u64>,
    /// the stored cases, counted when the cases to check are picked
    total_cases: u64,
}

impl<'a> Run<'a> {
    /// Plans the rules to run again and records the run.
    fn begin(store: &mut Store, set: &'a RuleSet, opts: &'a Options) -> Result<Run<'a>, AuditError> {
        let started = Instant::now();
        let selected = set.selection(&opts.select, &opts.ignore).map_err(AuditError::Selection)?;
        let complete = selected.iter().all(|s| *s);
        let cross = set.rules.iter().zip(&selected).any(|(r, s)| *s && r.header.cross_case);
        let effective = set.effective_versions();
        let versions: serde_json::Map<String, serde_json::Value> = set
            .rules
            .iter()
            .zip(&effective)
            .map(|(r, v)| (r.header.id.clone(), serde_json::Value::String(v.clone())))
            .collect();
        // before this run is recorded: which rules changed since each case's last audit
        let plans = plan_reruns(store, set, &effective)?;
        let selection_text = (!complete).then(|| format!("select={:?} ignore={:?}", opts.select, opts.ignore));
        let run_id = findings::begin_run(
            store,
            &NewRun {
                as_of: opts.as_of,
                full: opts.full,
                selection: selection_text.as_deref(),
                rules_hash: &set.rules_hash,
                rule_versions: &serde_json::Value::Object(versions).to_string(),
                rules_source: &set.origin.describe(),
            },
        )?;
        let categories: HashMap<String, CategoryInfo> = set
            .catalog
            .categories
            .iter()
            .map(|c| {
                let sev = serde_json::to_value(c.severity)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                (c.code.clone(), CategoryInfo { group: c.group.clone(), severity: sev, points: c.points })
            })
            .collect();
        let preview: HashSet<String> = set
            .rules
            .iter()
            .filter(|r| r.header.status != crate::engine::rule::Status::Stable)
            .map(|r| r.header.id.clone())
            .collect();
        let rule_index: HashMap<String, usize> =
            set.rules.iter().enumerate().map(|(i, r)| (r.header.id.clone(), i)).collect();
        Ok(Run {
            set,
            opts,
            started,
            selected,
            complete,
            cross,
            plans,
            run_id,
            categories,
            preview,
            rule_index,
            tally: Tally { rerun_cases: vec![0; set.rules.len()], ..Tally::default() },
            partial: 0,
            stamped: 0,
            checked_on_import: None,
            total_cases: 0,
        })
    }

    fn ctx(&self) -> RunCtx<'_> {
        RunCtx {
            run_id: self.run_id,
            as_of: self.opts.as_of,
            categories: &self.categories,
            preview_rules: &self.preview,
            complete: self.complete,
            rules_hash: &self.set.rules_hash,
        }
    }

    /// Every case or only the changed ones ([`Options::full`], or a partial selection).
    fn all(&self) -> bool {
        self.opts.full || !self.complete
    }

    /// The workers of this run, over `index`.
    fn workers(&self, index: CrossIndex) -> Workers {
        let mut workers = Workers::new(RuleSetShared::new(self.set, Arc::new(index)));
        if !self.opts.no_due {
            workers.track_due(DUE_HORIZON);
        }
        workers
    }

    /// Chooses the stored cases to check and checks them.
    #[allow(clippy::too_many_lines)]
    fn check_stored(&mut self, store: &mut Store, progress: &dyn Fn(u64, u64)) -> Result<(), AuditError> {
        let (set, opts) = (self.set, self.opts);
        // which cases: everything, or what may have changed, chosen once into a scratch list
        // with the rules to run on each (`plan`)
        store
            .conn
            .execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS audit_pick (case_id TEXT PRIMARY KEY, plan INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
                 DELETE FROM temp.audit_pick;
                 CREATE TEMP TABLE IF NOT EXISTS audit_plan (run_id INTEGER PRIMARY KEY, plan INTEGER NOT NULL);
                 DELETE FROM temp.audit_plan;",
            )
            .ctx("preparing the audit")?;
        {
            let mut ins = store
                .conn
                .prepare("INSERT INTO temp.audit_plan (run_id, plan) VALUES (?1, ?2)")
                .ctx("preparing the audit")?;
            for (run, plan) in &self.plans.runs {
                ins.execute(params![run, *plan as i64]).ctx("preparing the audit")?;
            }
        }
        let all = self.all();
        let total_cases: u64 =
            store.conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0)).ctx("counting cases")?;
        self.total_cases = total_cases;
        // every rule: content changed, a deadline passed, the as-of date moved back, or rules
        // changed since an audit whose rule versions are unknown
        let mut to_audit = store
            .conn
            .execute(
                "INSERT INTO temp.audit_pick (case_id) SELECT case_id FROM cases
                 WHERE ?1 OR audited_hash IS NOT content_hash OR next_change IS NULL OR next_change <= ?3
                    OR audited_as_of > ?3
                    OR (audited_rules IS NOT ?2
                        AND (audited_rules = '' OR audited_run IS NULL
                             OR audited_run NOT IN (SELECT run_id FROM temp.audit_plan)))",
                params![all, set.rules_hash, opts.as_of],
            )
            .ctx("choosing the cases to audit")? as u64;
        // the bound on session length the importer keeps: how early a session overlapping a
        // window can start, for the dirty-key lookups and the index
        let longest = if self.cross { Some(xindex::longest_session(store)?) } else { None };
        // cases near a changed one, unless every case is audited anyway
        if let Some(longest) = longest.filter(|_| to_audit < total_cases) {
            to_audit += store
                .conn
                .execute(NEAR_CHANGED, [SESSION_MARGIN_S, longest])
                .ctx("finding cases touched by changed cases")? as u64;
        }
        if self.checked_on_import.is_some() {
            // checked already, against the file's cases and the others (a changed case of the
            // file is near itself); the stamp says which
            to_audit -= store
                .conn
                .execute(
                    "DELETE FROM temp.audit_pick WHERE case_id IN
                       (SELECT case_id FROM cases WHERE audited_run = ?1 AND audited_hash = content_hash)",
                    [self.run_id],
                )
                .ctx("choosing the cases to audit")? as u64;
        }
        // a case of a kind none of its plan's changed rules applies to, holding no finding or
        // running deadline of theirs, cannot change: it is stamped with this rule set unread
        self.stamped = if all { 0 } else { stamp_unaffected(store, set, &self.plans, self.run_id)? };
        // the other cases stamped with another rule set: only the rules that changed since
        self.partial = if all {
            0
        } else {
            store
                .conn
                .execute(
                    "INSERT OR IGNORE INTO temp.audit_pick (case_id, plan)
                     SELECT c.case_id, p.plan FROM cases c CROSS JOIN temp.audit_plan p ON p.run_id = c.audited_run
                     WHERE c.audited_rules IS NOT ?1",
                    [&set.rules_hash],
                )
                .ctx("choosing the cases to check with the changed rules")? as u64
        };
        to_audit += self.partial;
        let done_before = self.tally.audited;
        // a rule only changed for some cases, AND the selection (complete when there are masks)
        let masks: Vec<Vec<bool>> =
            self.plans.masks.iter().map(|m| m.iter().zip(&self.selected).map(|(a, b)| *a && *b).collect()).collect();
        // the cross-case index, read from the store as checks ask
        let index = match longest {
            Some(l) => CrossIndex::new(StoredIndex::with_longest(store, l)),
            None => CrossIndex::default(),
        };
        let workers = self.workers(index);
        let mut last = String::new();
        let read_chunk = |store: &Store, last: &mut String| -> Result<Vec<Row>, StoreError> {
            let mut stmt = store
                .conn
                .prepare_cached(&format!(
                    "SELECT p.case_id, c.content_hash, (SELECT raw FROM case_raw r WHERE r.case_id = p.case_id), p.plan,
                            c.next_change
                     FROM temp.audit_pick p CROSS JOIN cases c ON c.case_id = p.case_id
                     WHERE p.case_id > ?1 ORDER BY p.case_id LIMIT {CHUNK}"
                ))
                .ctx("preparing the case query")?;
            let rows: Vec<Row> = stmt
                .query_map(params![last.as_str()], |r| {
                    Ok(Row {
                        id: r.get(0)?,
                        content_hash: r.get(1)?,
                        raw: r.get(2)?,
                        plan: r.get::<_, i64>(3)? as usize,
                        next_change: r.get(4)?,
                    })
                })
                .ctx("reading cases")?
                .collect::<Result<_, _>>()
                .ctx("reading cases")?;
            if let Some(tail) = rows.last() {
                last.clone_from(&tail.id);
            }
            Ok(rows)
        };
        let selected = &self.selected;
        let check_chunk = |rows: &[Row]| -> Vec<CaseOutcome> {
            rows.par_iter()
                .map(|row| {
                    let (id, raw) = (&row.id, &row.raw);
                    workers.with(|worker| match serde_json::from_str::<Case>(raw) {
                        Ok(case) if row.plan > 0 => {
                            let mut o = worker.check(Arc::new(case), opts.as_of, &masks[row.plan - 1]);
                            // the rules not run keep their answers, valid until the old instant
                            o.next_change = o.next_change.min(row.next_change.unwrap_or(i64::MIN));
                            o
                        }
                        Ok(case) => worker.check(Arc::new(case), opts.as_of, selected),
                        Err(e) => CaseOutcome {
                            errors: vec![crate::engine::run::RuleError {
                                rule_id: "(import)".into(),
                                case_id: id.clone(),
                                message: format!("the stored record no longer parses: {e}"),
                                source_name: String::new(),
                                line: 0,
                                column: 0,
                                limit: false,
                            }],
                            skipped: vec![Some(crate::engine::run::Skip::NotSelected); set.rules.len()],
                            next_change: i64::MIN,
                            ..Default::default()
                        },
                    })
                })
                .collect()
        };
        // A pipeline: while the workers check one chunk, one thread commits the findings of the
        // chunk before it (one transaction per chunk, with its audit stamps) and reads the next.
        let mut rows = read_chunk(store, &mut last)?;
        let mut checked: Option<Checked> = None;
        while !rows.is_empty() || checked.is_some() {
            let ctx = self.ctx();
            let (io, outcomes) = rayon::join(
                || -> Result<(Counts, Option<Checked>, Vec<Row>), StoreError> {
                    let mut done = Counts::default();
                    if let Some((rows, outcomes)) = &checked {
                        let batch: Vec<Audited> = rows
                            .iter()
                            .zip(outcomes)
                            .map(|(row, o)| Audited {
                                case_id: &row.id,
                                content_hash: &row.content_hash,
                                outcome: o,
                                rule_index: &self.rule_index,
                            })
                            .collect();
                        done = findings::write_audited(store, &ctx, &batch)?;
                    }
                    let next = if rows.is_empty() { Vec::new() } else { read_chunk(store, &mut last)? };
                    Ok((done, checked.take(), next))
                },
                || check_chunk(&rows),
            );
            let (done, written, next) = io?;
            if let Some((_, outcomes)) = written {
                self.tally.add(done, &outcomes, &self.plans.changed);
                progress(self.tally.audited, done_before + to_audit);
            }
            if !rows.is_empty() {
                checked = Some((std::mem::replace(&mut rows, next), outcomes));
            }
        }
        Ok(())
    }

    /// Records the run's end and sums it up.
    fn finish(self, store: &mut Store) -> Result<Summary, AuditError> {
        let (set, t) = (self.set, &self.tally);
        let skipped = self.total_cases.saturating_sub(t.audited);
        findings::finish_run(store, self.run_id, t.audited, skipped, t.counts, t.error_total, self.complete)?;
        let open: u64 = store
            .conn
            .query_row("SELECT count(*) FROM findings WHERE status IN ('open', 'pushed')", [], |r| r.get(0))
            .ctx("counting open findings")?;
        let running_deadlines: u64 =
            store.conn.query_row("SELECT count(*) FROM due", [], |r| r.get(0)).ctx("counting running deadlines")?;
        let elapsed = self.started.elapsed().as_secs_f64();
        Ok(Summary {
            run_id: self.run_id,
            as_of: Ts(self.opts.as_of).rfc3339(),
            audited: t.audited,
            skipped,
            new: t.counts.new,
            still_open: t.counts.still_open,
            open,
            resolved: t.counts.resolved,
            reopened: t.counts.reopened,
            rule_errors: t.error_total,
            errors: t.errors.clone(),
            elapsed_s: elapsed,
            cases_per_s: if elapsed > 0.0 { t.audited as f64 / elapsed } else { 0.0 },
            calendar_presumed_years: set.calendar.presumed_years(),
            running_deadlines,
            rules_rerun: set
                .rules
                .iter()
                .zip(&t.rerun_cases)
                .zip(&self.plans.changed)
                .filter(|(_, changed)| **changed)
                .map(|((r, n), _)| RuleRerun { rule: r.header.id.clone(), cases: *n })
                .collect(),
            audited_partial: self.partial,
            stamped_unread: self.stamped,
            checked_on_import: self.checked_on_import.unwrap_or(0),
        })
    }
}

/// `--as-of`: a date means the end of that day (Asia/Shanghai); an RFC 3339 instant is taken
/// as is; absent means now.
pub fn parse_as_of(s: Option<&str>) -> Result<i64, String> {
    match s {
        None => Ok(crate::store::now()),
        Some(s) if s.len() == 10 => {
            let d = s.parse::<jiff::civil::Date>().map_err(|_| format!("`{s}` is not a date YYYY-MM-DD"))?;
            Ok(crate::engine::api::deadline_days(Ts::start_of_local_day(d).0, 0))
        }
        Some(s) => Ts::parse(s).map(|t| t.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_near_changed_ones_are_found_in_covering_indexes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("x.db")).expect("store");
        store
            .conn
            .execute_batch(
                "CREATE TEMP TABLE audit_pick (case_id TEXT PRIMARY KEY, plan INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;",
            )
            .expect("scratch table");
        let p = crate::store::query_plan(&store.conn, NEAR_CHANGED);
        for index in ["xsessions_officer", "xpersons_person", "xsessions_person"] {
            assert!(p.contains(&format!("USING COVERING INDEX {index}")), "{index}:\n{p}");
        }
    }
}

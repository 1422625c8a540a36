//! The functions scripts call: time arithmetic, lookups in the current case, the cross-case
//! index, dated limits, and the `finding` builder. `xuncha rules api` lists them with their
//! signatures and these doc comments; docs/rules.md explains them with examples.
//!
//! Host functions read the case being checked from a per-thread context set by the
//! evaluator ([`with_case`]), so scripts need not pass it around and nothing is copied.
//! Every function returns a `Result` and never panics (rhai's "Don't Panic" promise).

use std::cell::RefCell;
use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, Position, INT};
use serde::Serialize;

use super::calendar::Calendar;
use super::index::CrossIndex;
use super::rule::Rule;
use crate::model::{Case, Date, Ts};

type Res<T> = Result<T, Box<EvalAltResult>>;

/// 2026-01-01T00:00:00+08:00, when the revised 治安管理处罚法 took effect.
pub const LAW_2025_IN_FORCE: i64 = 1_767_196_800;

/// What the host functions see while one case is checked.
pub struct Ctx {
    pub case: Arc<Case>,
    pub as_of: i64,
    pub rules: Arc<Vec<Rule>>,
    pub rule: usize,
    pub index: Arc<CrossIndex>,
    /// The earliest instant at which a check's answer on this case could change only
    /// because time passed: a pending deadline it consulted (`overdue` on something not
    /// yet done and not yet late), or `as_of + 1` when a check read the date directly.
    /// Incremental audits skip an unchanged case until the audit date reaches it.
    pub next_change: std::cell::Cell<i64>,
    /// per rule run, what `overdue` saw still running (see [`DueMark`])
    due: RefCell<Vec<DueMark>>,
    /// deadlines the calendar functions computed with a year the calendar lacks
    presumed: RefCell<Vec<i64>>,
    /// records already converted for scripts ([`Converted`])
    conv: Converted,
}

/// The case's records converted for scripts, per section, on first use and then for every
/// check of the case: cloning a converted record costs a fraction of converting it again.
#[derive(Default)]
struct Converted {
    persons: std::cell::OnceCell<Vec<Dynamic>>,
    documents: std::cell::OnceCell<Vec<Dynamic>>,
    approvals: std::cell::OnceCell<Vec<Dynamic>>,
    questionings: std::cell::OnceCell<Vec<Dynamic>>,
}

/// `items` converted (once per case), in their order.
fn converted<'a, T: Serialize>(cell: &'a std::cell::OnceCell<Vec<Dynamic>>, items: &[T]) -> Res<&'a [Dynamic]> {
    if let Some(v) = cell.get() {
        return Ok(v);
    }
    let v = items.iter().map(to_dyn).collect::<Res<Vec<_>>>()?;
    Ok(cell.get_or_init(|| v))
}

/// What one rule's run on a case said about time: the earliest instant at which a deadline
/// it passed to `overdue` on something not done becomes late, and whether it read the date
/// itself (`as_of()`, `done_or_now(())`), so that its answer may change on any day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueMark {
    pub rule: usize,
    /// deadline + 1 of the earliest running deadline; `i64::MAX` for none
    pub at: i64,
    /// that deadline was computed with a year the holiday calendar lacks
    pub presumed: bool,
    pub daily: bool,
}

impl Ctx {
    pub fn new(case: Arc<Case>, as_of: i64, rules: Arc<Vec<Rule>>, index: Arc<CrossIndex>) -> Ctx {
        Ctx {
            case,
            as_of,
            rules,
            rule: 0,
            index,
            next_change: std::cell::Cell::new(i64::MAX),
            due: RefCell::new(Vec::new()),
            presumed: RefCell::new(Vec::new()),
            conv: Converted::default(),
        }
    }

    fn depends_on(&self, at: i64) {
        if at < self.next_change.get() {
            self.next_change.set(at);
        }
    }

    /// The current rule's mark, added if it has none yet.
    fn mark(&self, f: impl FnOnce(&mut DueMark)) {
        let mut due = self.due.borrow_mut();
        if due.last().is_none_or(|m| m.rule != self.rule) {
            due.push(DueMark { rule: self.rule, at: i64::MAX, presumed: false, daily: false });
        }
        if let Some(m) = due.last_mut() {
            f(m);
        }
    }

    /// `overdue` saw `deadline` still running on something not done.
    fn running(&self, deadline: i64) {
        let at = deadline.saturating_add(1);
        self.depends_on(at);
        let presumed = self.presumed.borrow().contains(&deadline);
        self.mark(|m| {
            if at < m.at {
                (m.at, m.presumed) = (at, presumed);
            } else if at == m.at {
                m.presumed |= presumed;
            }
        });
    }

    /// A check read the audit date itself: its answer may change any day.
    fn reads_date(&self) {
        self.depends_on(self.as_of.saturating_add(1));
        self.mark(|m| m.daily = true);
    }
}

/// The marks the rules run so far on this thread's case left (empty outside a case); called
/// at the end of the closure given to [`with_case`].
pub fn take_due() -> Vec<DueMark> {
    CTX.with(|c| c.borrow().as_ref().map(|x| std::mem::take(&mut *x.due.borrow_mut())).unwrap_or_default())
}

/// Remembers that the calendar computed `deadline` with a year its schedule lacks (from
/// `from` to `deadline`), so that a running deadline can say it was presumed.
fn note_presumed(cal: &Calendar, from: i64, deadline: i64) {
    let (a, b) = (Ts(from).local_date().year(), Ts(deadline).local_date().year());
    let years = cal.years();
    if (a..=b).any(|y| !years.contains_key(&y)) {
        CTX.with(|c| {
            if let Some(x) = c.borrow().as_ref() {
                x.presumed.borrow_mut().push(deadline);
            }
        });
    }
}

thread_local! {
    static CTX: RefCell<Option<Ctx>> = const { RefCell::new(None) };
}

/// Runs `f` with `ctx` installed as the current case of this thread; returns what `f`
/// returned and the case's `next_change`.
pub fn with_case<R>(ctx: Ctx, f: impl FnOnce() -> R) -> (R, i64) {
    CTX.with(|c| *c.borrow_mut() = Some(ctx));
    let r = f();
    let next = CTX.with(|c| c.borrow_mut().take().map_or(i64::MAX, |x| x.next_change.get()));
    (r, next)
}

/// Sets which rule is being evaluated (for `limit` and `in_force`).
pub fn set_rule(i: usize) {
    CTX.with(|c| {
        if let Some(ctx) = c.borrow_mut().as_mut() {
            ctx.rule = i;
        }
    });
}

fn err(msg: impl Into<String>) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(Dynamic::from(msg.into()), Position::NONE))
}

fn ctx<R>(f: impl FnOnce(&Ctx) -> Res<R>) -> Res<R> {
    CTX.with(|c| match c.borrow().as_ref() {
        Some(ctx) => f(ctx),
        None => Err(err("no case is being checked")),
    })
}

/// The keys of the maps this API builds itself (findings, deadlines, overlaps, ...), besides
/// the case format's fields: the property names a script may read from them
/// ([`super::lint`]). A test keeps the list complete.
pub const MAP_KEYS: &[&str] = &[
    "basis",
    "case_id",
    "day",
    "deadline",
    "ended_at",
    "ends_at",
    "evidence",
    "exact",
    "extension_days",
    "from",
    "ground",
    "id",
    "id_number",
    "level",
    "message",
    "officers",
    "overlaps",
    "path",
    "paused_days",
    "person_id",
    "reason",
    "record_id",
    "same_person",
    "started_at",
    "subject",
    "to",
    "verify",
];

fn to_dyn<T: Serialize>(v: &T) -> Res<Dynamic> {
    crate::model::leaving_out_absent(|| rhai::serde::to_dynamic(v))
}

fn ts(v: &Dynamic, what: &str) -> Res<i64> {
    v.as_int().map_err(|t| err(format!("{what}: expected a timestamp (integer), found {t}")))
}

fn number(v: &Dynamic) -> Res<f64> {
    if let Ok(i) = v.as_int() {
        return Ok(i as f64);
    }
    v.as_float().map_err(|t| err(format!("expected a number, found {t}")))
}

/// `hh 小时 mm 分` for a number of seconds.
pub fn duration_text(secs: i64) -> String {
    let neg = secs < 0;
    let s = secs.abs();
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    let body = if s >= 86_400 * 3 {
        if h == 0 {
            format!("{d} 天")
        } else {
            format!("{d} 天 {h} 小时")
        }
    } else if m == 0 {
        format!("{} 小时", s / 3600)
    } else if s < 3600 {
        format!("{m} 分钟")
    } else {
        format!("{} 小时 {m} 分", s / 3600)
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

fn local_day_start_after(t: i64, days: i64) -> i64 {
    let d = Ts(t).local_date();
    match d.checked_add(jiff::Span::new().days(days)) {
        Ok(nd) => Ts::start_of_local_day(nd).0,
        Err(_) => i64::MAX,
    }
}

/// Which law governs a case: the recorded `domain`, or else a guess from its offence text,
/// alcohol tests and incident type (the keyword lists the rule authors agreed; docs/rules.md).
pub fn case_domain(case: &Case) -> &'static str {
    use crate::model::CaseDomain;
    // what the case system recorded decides; the guess below is for exports without it
    match case.domain {
        Some(CaseDomain::PublicOrder) => return "public_order",
        Some(CaseDomain::Traffic) => return "traffic",
        Some(CaseDomain::ExitEntry) => return "exit_entry",
        Some(CaseDomain::Other) => return "other",
        None => {}
    }
    const TRAFFIC: [&str; 7] = ["驾驶", "道路交通", "行驶", "违法停车", "闯红灯", "超速", "号牌"];
    const EXIT_ENTRY: [&str; 8] = ["出境", "入境", "居留", "签证", "护照", "边防", "国(边)境", "边境"];
    const OTHER: [&str; 4] = ["消防", "戒毒", "网络安全", "计算机信息"];
    let o = case.offence.as_deref().unwrap_or("");
    if TRAFFIC.iter().any(|k| o.contains(k)) || !case.alcohol_tests.is_empty() {
        return "traffic";
    }
    if EXIT_ENTRY.iter().any(|k| o.contains(k)) {
        return "exit_entry";
    }
    if OTHER.iter().any(|k| o.contains(k)) {
        return "other";
    }
    if o.is_empty() {
        use crate::model::IncidentType as I;
        return match case.incident.as_ref().and_then(|i| i.kind) {
            Some(I::Traffic) => "traffic",
            Some(I::PublicOrder | I::Dispute) => "public_order",
            _ => "unknown",
        };
    }
    "public_order"
}

/// The last instant (23:59:59 Asia/Shanghai) of the day `n` calendar days after the day of
/// `start`; the start day itself does not count (刑事诉讼法 第一百零五条).
pub fn deadline_days(start: i64, n: i64) -> i64 {
    local_day_start_after(start, n + 1).saturating_sub(1)
}

/// Same for calendar months: the same date `n` months on, or the month's last day.
pub fn deadline_months(start: i64, n: i64) -> i64 {
    let d = Ts(start).local_date();
    match d.checked_add(jiff::Span::new().months(n)).and_then(|x| x.checked_add(jiff::Span::new().days(1))) {
        Ok(nd) => Ts::start_of_local_day(nd).0 - 1,
        Err(_) => i64::MAX,
    }
}

/// Seconds of the pauses with one of `reasons` that overlap `[from, to]`.
pub fn paused_seconds(case: &Case, reasons: &[String], from: i64, to: i64) -> i64 {
    case.pauses
        .iter()
        .filter(|p| {
            p.reason.is_some_and(|r| {
                reasons
                    .iter()
                    .any(|x| serde_json::to_value(r).ok().and_then(|v| v.as_str().map(|s| s == x)).unwrap_or(false))
            })
        })
        .filter_map(|p| {
            let a = p.from?.0.max(from);
            let b = p.to.map_or(to, |t| t.0).min(to);
            (b > a).then_some(b - a)
        })
        .sum()
}

/// The case-period deadline: `days` calendar days from the day of `start`, plus each
/// approved `case_period` extension whose approval came before the deadline then in force,
/// plus the excluded pauses. Returns (deadline, extension days counted, paused seconds).
pub fn case_deadline(
    case: &Case,
    start: i64,
    days: i64,
    reasons: &[String],
    max_extensions: usize,
    as_of: i64,
) -> (i64, i64, i64) {
    let end = case.closure.as_ref().and_then(|c| c.closed_at).map_or(as_of, |t| t.0);
    // the deadline for a number of days, moved on by the excluded time before it
    let with_pauses = |n: i64| {
        let base = deadline_days(start, n);
        let paused = paused_seconds(case, reasons, start, end.max(base));
        (base + paused, paused)
    };
    let mut ext_days = 0;
    let (mut deadline, mut paused) = with_pauses(days);
    let mut exts: Vec<_> = case
        .extensions
        .iter()
        .filter(|e| e.kind.as_deref().is_none_or(|k| k == "case_period"))
        .filter_map(|e| Some((e.approved_at?.0, e.days?)))
        .collect();
    exts.sort_unstable();
    for (approved, d) in exts.into_iter().take(max_extensions) {
        // an extension counts when approved before the deadline then in force, pauses included
        if approved <= deadline {
            ext_days += d;
            (deadline, paused) = with_pauses(days + ext_days);
        }
    }
    (deadline, ext_days, paused)
}

/// Seconds of `[from, to]` during which the person was under protective restraint
/// (`measures[].type = restraint`; one still running counts to `to`).
pub fn restraint_seconds(case: &Case, person_id: &str, from: i64, to: i64) -> i64 {
    case.measures
        .iter()
        .filter(|m| m.kind == crate::model::MeasureType::Restraint && m.person_id.as_deref() == Some(person_id))
        .filter_map(|m| {
            let lo = m.started_at?.0.max(from);
            let hi = m.ended_at.map_or(to, |e| e.0).min(to);
            (hi > lo).then_some(hi - lo)
        })
        .sum()
}

/// The hearing time a public-order case period leaves out when the case records no
/// `hearing` pause: from the earliest hearing request to the latest hearing held, over the
/// penalties that record both (治安管理处罚法 2025 第一百一十八条第二款). 0 when a hearing
/// pause is recorded (the pause itself is left out) or no hearing was held.
pub fn hearing_seconds(case: &Case) -> i64 {
    use crate::model::PauseReason;
    if case.pauses.iter().any(|p| p.reason == Some(PauseReason::Hearing)) {
        return 0;
    }
    let spans = case.penalties.iter().filter_map(|p| {
        let (a, b) = (p.hearing_requested_at?.0, p.hearing_held_at?.0);
        (b > a).then_some((a, b))
    });
    spans.reduce(|(a, b), (x, y)| (a.min(x), b.max(y))).map_or(0, |(a, b)| b - a)
}

/// The functions that read the holiday calendar (`calendar.toml`). A check whose script names
/// one of them depends on the calendar: its effective version includes the calendar's hash
/// ([`super::RuleSet::effective_versions`]), so a calendar edit re-runs it and no other check.
pub const CALENDAR_FNS: &[&str] = &["roll_over", "deadline_workdays"];

/// Registers every API function on `engine`; the calendar functions use `calendar`.
#[allow(clippy::too_many_lines)]
pub fn register(engine: &mut Engine, calendar: &Arc<Calendar>) {
    // ---- optional fields --------------------------------------------------------------
    // `x.field in table` with an optional field left out: () is in no map and no string, so a
    // check reads the missing value as "not listed" instead of failing on the record
    engine.register_fn("contains", |_: &mut Map, _: ()| false);
    engine.register_fn("contains", |_: &mut ImmutableString, _: ()| false);
    // ---- time -------------------------------------------------------------------------
    engine.register_fn("hours_between", |a: Dynamic, b: Dynamic| -> Res<f64> {
        Ok((ts(&b, "hours_between")? - ts(&a, "hours_between")?) as f64 / 3600.0)
    });
    engine.register_fn("seconds_between", |a: Dynamic, b: Dynamic| -> Res<INT> {
        Ok(ts(&b, "seconds_between")? - ts(&a, "seconds_between")?)
    });
    engine.register_fn("days_between", |a: Dynamic, b: Dynamic| -> Res<INT> {
        let (a, b) = (Ts(ts(&a, "days_between")?).local_date(), Ts(ts(&b, "days_between")?).local_date());
        Ok(i64::from((b - a).get_days()))
    });
    engine.register_fn("deadline_hours", |start: Dynamic, n: Dynamic| -> Res<INT> {
        Ok(ts(&start, "deadline_hours")? + (number(&n)? * 3600.0) as i64)
    });
    engine.register_fn("deadline_days", |start: Dynamic, n: INT| -> Res<INT> {
        Ok(deadline_days(ts(&start, "deadline_days")?, n))
    });
    engine.register_fn("deadline_months", |start: Dynamic, n: INT| -> Res<INT> {
        Ok(deadline_months(ts(&start, "deadline_months")?, n))
    });
    let cal = calendar.clone();
    engine.register_fn("roll_over", move |deadline: Dynamic| -> Res<INT> {
        let from = ts(&deadline, "roll_over")?;
        let due = cal.roll_over(from);
        note_presumed(&cal, from, due);
        Ok(due)
    });
    let cal = calendar.clone();
    engine.register_fn("deadline_workdays", move |start: Dynamic, n: INT| -> Res<INT> {
        let start = ts(&start, "deadline_workdays")?;
        let due = cal.deadline_workdays(start, n).map_err(err)?;
        note_presumed(&cal, start, due);
        Ok(due)
    });
    engine.register_fn("overdue", |deadline: Dynamic, done: Dynamic| -> Res<bool> {
        let deadline = ts(&deadline, "overdue")?;
        if done.is_unit() {
            ctx(|c| {
                let late = c.as_of > deadline;
                if !late {
                    c.running(deadline);
                }
                Ok(late)
            })
        } else {
            Ok(ts(&done, "overdue")? > deadline)
        }
    });
    engine.register_fn("done_or_now", |done: Dynamic| -> Res<INT> {
        if done.is_unit() {
            ctx(|c| {
                c.reads_date();
                Ok(c.as_of)
            })
        } else {
            ts(&done, "done_or_now")
        }
    });
    engine.register_fn("local_date", |t: Dynamic| -> Res<ImmutableString> {
        Ok(Ts(ts(&t, "local_date")?).local_date().to_string().into())
    });
    engine.register_fn("local_time", |t: Dynamic| -> Res<ImmutableString> {
        Ok(Ts(ts(&t, "local_time")?).local_text().into())
    });
    // the one wording of a day deadline in messages, rolled or not
    engine.register_fn("deadline_text", |last: Dynamic, due: Dynamic| -> Res<ImmutableString> {
        let (last, due) = (ts(&last, "deadline_text")?, ts(&due, "deadline_text")?);
        let day = |t: i64| Ts(t).local_date().to_string();
        Ok(if last == due {
            format!("期满日 {}", day(due))
        } else {
            format!("期满日 {} 为节假日，顺延至 {}", day(last), day(due))
        }
        .into())
    });
    engine.register_fn("date_start", |day: INT| -> Res<INT> {
        Date(day)
            .to_civil()
            .map(|d| Ts::start_of_local_day(d).0)
            .ok_or_else(|| err(format!("date_start: {day} is not a date yyyymmdd")))
    });
    engine.register_fn("ymd", |t: Dynamic| -> Res<INT> { Ok(Ts(ts(&t, "ymd")?).local_ymd()) });
    engine.register_fn("date_text", |d: INT| -> ImmutableString { Date(d).to_string().into() });
    engine.register_fn("duration_text", |secs: INT| -> ImmutableString { duration_text(secs).into() });
    engine.register_fn("hours_text", |h: f64| -> ImmutableString { duration_text((h * 3600.0).round() as i64).into() });
    engine.register_fn("law_2025", |t: Dynamic| -> Res<bool> { Ok(ts(&t, "law_2025")? >= LAW_2025_IN_FORCE) });
    engine.register_fn("as_of", || -> Res<INT> {
        ctx(|c| {
            c.reads_date();
            Ok(c.as_of)
        })
    });
    // the date in a message ("至 6 月 30 日已 45 日") is a statement as of the audit that
    // wrote it; reading it for the text must not make the case be checked again every day
    engine.register_fn("text_as_of", || -> Res<INT> { ctx(|c| Ok(c.as_of)) });

    // ---- limits and dates in force, from the rule's header -----------------------------
    engine.register_fn("limit", |name: &str, at: Dynamic| -> Res<Dynamic> {
        let at = ts(&at, "limit")?;
        ctx(|c| {
            let rule = c.rules.get(c.rule).ok_or_else(|| err("no rule"))?;
            let lim = rule
                .limits
                .get(name)
                .ok_or_else(|| err(format!("limit `{name}` is not defined in the header's [limits]")))?;
            match lim.at(at) {
                Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Ok(Dynamic::from_int(v as i64)),
                Some(v) => Ok(Dynamic::from_float(v)),
                None => Ok(Dynamic::UNIT),
            }
        })
    });
    engine.register_fn("in_force", |at: Dynamic| -> Res<bool> {
        let at = ts(&at, "in_force")?;
        ctx(|c| {
            let rule = c.rules.get(c.rule).ok_or_else(|| err("no rule"))?;
            Ok(rule.in_force.0 <= at && at <= rule.in_force.1)
        })
    });

    // ---- persons ------------------------------------------------------------------------
    engine.register_fn("person", |id: Dynamic| -> Res<Dynamic> {
        let Ok(id) = id.into_immutable_string() else { return Ok(Dynamic::UNIT) };
        ctx(|c| match c.case.persons.iter().position(|p| p.id == id.as_str()) {
            Some(i) => Ok(converted(&c.conv.persons, &c.case.persons)?[i].clone()),
            None => Ok(Dynamic::UNIT),
        })
    });
    engine.register_fn("age_on", |birth: INT, at: Dynamic| -> Res<INT> {
        Ok(Date(birth).age_on(Date(Ts(ts(&at, "age_on")?).local_ymd())))
    });
    engine.register_fn("age_at", |person_id: Dynamic, at: Dynamic| -> Res<Dynamic> {
        let at = ts(&at, "age_at")?;
        let Ok(id) = person_id.into_immutable_string() else { return Ok(Dynamic::UNIT) };
        ctx(|c| {
            Ok(match c.case.persons.iter().find(|p| p.id == id.as_str()).and_then(|p| p.birth_date) {
                Some(b) => Dynamic::from_int(b.age_on(Date(Ts(at).local_ymd()))),
                None => Dynamic::UNIT,
            })
        })
    });
    engine.register_fn("reached_age", |person_id: Dynamic, years: INT| -> Res<bool> {
        let Ok(id) = person_id.into_immutable_string() else { return Ok(false) };
        ctx(|c| {
            let first = c
                .case
                .persons
                .iter()
                .find(|p| p.id == id.as_str())
                .and_then(|p| p.birth_date)
                .and_then(|b| b.first_day_aged(years))
                .map(|d| Ts::start_of_local_day(d).0);
            Ok(match first {
                Some(at) if c.as_of >= at => true,
                Some(at) => {
                    c.depends_on(at);
                    false
                }
                None => false,
            })
        })
    });
    engine.register_fn("age_on_day", |birth: INT, day: INT| -> INT { Date(birth).age_on(Date(day)) });
    engine.register_fn("is_minor", |person_id: Dynamic, at: Dynamic| -> Res<bool> {
        let at = ts(&at, "is_minor")?;
        let Ok(id) = person_id.into_immutable_string() else { return Ok(false) };
        ctx(|c| Ok(minor_at(&c.case, id.as_str(), Ts(at))))
    });
    engine.register_fn("any_minor_questioned", || -> Res<bool> {
        ctx(|c| {
            Ok(c.case.questionings.iter().any(|q| match (q.started_at, q.person_id.as_deref()) {
                (Some(at), Some(pid)) => minor_at(&c.case, pid, at),
                _ => false,
            }))
        })
    });
    engine.register_fn("has_condition", |person_id: Dynamic, cond: &str| -> Res<bool> {
        let Ok(id) = person_id.into_immutable_string() else { return Ok(false) };
        ctx(|c| {
            Ok(c.case
                .persons
                .iter()
                .find(|p| p.id == id.as_str())
                .is_some_and(|p| p.conditions.iter().any(|x| super::variant::name(x) == cond)))
        })
    });
    engine.register_fn("condition_on", |person_id: Dynamic, cond: &str, at: Dynamic| -> Res<Dynamic> {
        let day = Ts(ts(&at, "condition_on")?).local_ymd();
        let Ok(id) = person_id.into_immutable_string() else { return Ok(false.into()) };
        ctx(|c| {
            let Some(p) = c.case.persons.iter().find(|p| p.id == id.as_str()) else { return Ok(false.into()) };
            let is = |x: &crate::model::Condition| super::variant::name(x) == cond;
            let mut dated = false;
            for period in p.condition_periods.iter().filter(|x| is(&x.condition)) {
                dated = true;
                let from = period.from.map_or(i64::MIN, |d| d.0);
                let until = period.until.map_or(i64::MAX, |d| d.0);
                if from <= day && day <= until {
                    return Ok(true.into());
                }
            }
            // listed without dates: it held at some time, the record cannot say when
            Ok(if !dated && p.conditions.iter().any(is) { Dynamic::UNIT } else { false.into() })
        })
    });
    engine.register_fn("is_foreign", |person_id: Dynamic| -> Res<bool> {
        let Ok(id) = person_id.into_immutable_string() else { return Ok(false) };
        ctx(|c| {
            Ok(c.case
                .persons
                .iter()
                .find(|p| p.id == id.as_str())
                .and_then(|p| p.nationality.as_deref())
                .is_some_and(|n| !n.eq_ignore_ascii_case("CHN")))
        })
    });
    engine.register_fn("persons_with_role", |role: &str| -> Res<Array> {
        ctx(|c| {
            let mut out = Array::new();
            for (i, p) in c.case.persons.iter().enumerate() {
                if enum_is(p.role, role) {
                    out.push(converted(&c.conv.persons, &c.case.persons)?[i].clone());
                }
            }
            Ok(out)
        })
    });

    // ---- records of the case ------------------------------------------------------------
    engine.register_fn("contradictions", || -> Res<Array> {
        ctx(|c| {
            Ok(crate::model::validate::contradictions(&c.case)
                .into_iter()
                .map(|x| {
                    let mut m = Map::new();
                    m.insert("path".into(), x.path.into());
                    m.insert("subject".into(), x.subject.map_or(Dynamic::UNIT, Dynamic::from));
                    m.insert("message".into(), x.message.into());
                    Dynamic::from_map(m)
                })
                .collect())
        })
    });
    engine.register_fn("record", |id: Dynamic| -> Res<Dynamic> {
        let Ok(id) = id.into_immutable_string() else { return Ok(Dynamic::UNIT) };
        ctx(|c| find_record(&c.case, id.as_str()))
    });
    engine.register_fn("docs", |kind: &str| -> Res<Array> {
        ctx(|c| {
            let mut out = Array::new();
            for (i, d) in c.case.documents.iter().enumerate() {
                if enum_is(d.kind, kind) {
                    out.push(converted(&c.conv.documents, &c.case.documents)?[i].clone());
                }
            }
            Ok(out)
        })
    });
    engine.register_fn("doc_for", |kind: &str, person_id: Dynamic| -> Res<Dynamic> {
        let pid = person_id.into_immutable_string().ok();
        ctx(|c| {
            let found = c
                .case
                .documents
                .iter()
                .enumerate()
                .filter(|(_, d)| enum_is(d.kind, kind))
                .filter(|(_, d)| pid.as_ref().is_none_or(|p| d.person_id.as_deref() == Some(p.as_str())))
                .min_by_key(|(_, d)| d.delivered_at.or(d.issued_at).map_or(i64::MAX, |t| t.0));
            match found {
                Some((i, _)) => Ok(converted(&c.conv.documents, &c.case.documents)?[i].clone()),
                None => Ok(Dynamic::UNIT),
            }
        })
    });
    engine.register_fn("approvals_for", |step: &str, subject: Dynamic| -> Res<Array> {
        let subject = subject.into_immutable_string().ok();
        ctx(|c| {
            let mut out = Array::new();
            for (i, a) in c.case.approvals.iter().enumerate() {
                if enum_is(a.step, step) && subject.as_ref().is_none_or(|s| a.subject_id.as_deref() == Some(s.as_str()))
                {
                    out.push(converted(&c.conv.approvals, &c.case.approvals)?[i].clone());
                }
            }
            Ok(out)
        })
    });
    engine.register_fn("first_approval", |step: &str, subject: Dynamic| -> Res<Dynamic> {
        let subject = subject.into_immutable_string().ok();
        ctx(|c| {
            let found = c
                .case
                .approvals
                .iter()
                .enumerate()
                .filter(|(_, a)| enum_is(a.step, step))
                .filter(|(_, a)| subject.as_ref().is_none_or(|s| a.subject_id.as_deref() == Some(s.as_str())))
                .filter(|(_, a)| a.approved_at.is_some())
                .min_by_key(|(_, a)| a.approved_at.map_or(i64::MAX, |t| t.0));
            match found {
                Some((i, _)) => Ok(converted(&c.conv.approvals, &c.case.approvals)?[i].clone()),
                None => Ok(Dynamic::UNIT),
            }
        })
    });
    engine.register_fn("case_domain", || -> Res<ImmutableString> { ctx(|c| Ok(case_domain(&c.case).into())) });
    engine.register_fn("hearing_seconds", || -> Res<INT> { ctx(|c| Ok(hearing_seconds(&c.case))) });
    engine.register_fn("restraint_seconds", |person_id: Dynamic, from: Dynamic, to: Dynamic| -> Res<INT> {
        let (from, to) = (ts(&from, "restraint_seconds")?, ts(&to, "restraint_seconds")?);
        let Ok(pid) = person_id.into_immutable_string() else { return Ok(0) };
        ctx(|c| Ok(restraint_seconds(&c.case, &pid, from, to)))
    });
    // a method on the penalty map (`p.sanctioned()`): a `&mut` first argument is not copied
    engine.register_fn("sanctioned", |p: &mut Map| -> bool {
        let yes = |k: &str| p.get(k).and_then(|v| v.as_bool().ok()) == Some(true);
        let positive = |k: &str| {
            p.get(k).is_some_and(|v| v.as_int().map(|i| i > 0).or_else(|_| v.as_float().map(|f| f > 0.0)) == Ok(true))
        };
        yes("warning")
            || positive("fine_cny")
            || positive("detention_days")
            || p.get("licence_action").is_some_and(|v| !v.is_unit())
            || yes("confiscation")
    });
    engine.register_fn("questionings_of", |person_id: Dynamic| -> Res<Array> {
        let Ok(pid) = person_id.into_immutable_string() else { return Ok(Array::new()) };
        ctx(|c| {
            let mut qs: Vec<_> = c
                .case
                .questionings
                .iter()
                .enumerate()
                .filter(|(_, q)| q.person_id.as_deref() == Some(pid.as_str()))
                .collect();
            qs.sort_by_key(|(_, q)| q.started_at.map_or(i64::MAX, |t| t.0));
            let all = converted(&c.conv.questionings, &c.case.questionings)?;
            Ok(qs.into_iter().map(|(i, _)| all[i].clone()).collect())
        })
    });
    engine.register_fn("case_deadline", |start: Dynamic, days: INT, reasons: Array, max_extensions: INT| -> Res<Map> {
        let start = ts(&start, "case_deadline")?;
        let reasons: Vec<String> = reasons.into_iter().filter_map(|r| r.into_string().ok()).collect();
        ctx(|c| {
            let (deadline, ext, paused) =
                case_deadline(&c.case, start, days, &reasons, usize::try_from(max_extensions).unwrap_or(0), c.as_of);
            if c.case.closure.is_none() && c.case.pauses.iter().any(|p| p.to.is_none()) {
                // an open pause grows with the date, and so does the deadline
                c.depends_on(c.as_of.saturating_add(1));
            }
            let mut m = Map::new();
            m.insert("deadline".into(), Dynamic::from_int(deadline));
            m.insert("extension_days".into(), Dynamic::from_int(ext));
            m.insert("paused_days".into(), Dynamic::from_float(paused as f64 / 86_400.0));
            Ok(m)
        })
    });

    // ---- across cases ---------------------------------------------------------------------
    engine.register_fn("officer_sessions", |officer_id: &str| -> Res<Array> {
        ctx(|c| c.index.officer_sessions(officer_id).map_err(err))
    });
    engine.register_fn("officer_sessions", |officer_id: &str, from: Dynamic, to: Dynamic| -> Res<Array> {
        let (from, to) = (ts(&from, "officer_sessions")?, ts(&to, "officer_sessions")?);
        ctx(|c| c.index.officer_sessions_between(officer_id, from, to).map_err(err))
    });
    engine.register_fn(
        "officer_overlaps",
        |officer_id: &str, from: Dynamic, to: Dynamic, more_than: Dynamic, own: Dynamic| -> Res<Array> {
            let (from, to) = (ts(&from, "officer_overlaps")?, ts(&to, "officer_overlaps")?);
            let more_than = more_than
                .as_int()
                .ok()
                .filter(|m| *m >= 0)
                .ok_or_else(|| err("officer_overlaps: the overlap must be a number of seconds, 0 or more"))?;
            let own = own.into_immutable_string().ok();
            ctx(|c| {
                c.index
                    .officer_overlaps(officer_id, (from, to), more_than, (&c.case.case_id, own.as_deref()))
                    .map_err(err)
            })
        },
    );
    engine.register_fn("questioning_overlaps", |more_than: INT| -> Res<Array> {
        if more_than < 0 {
            return Err(err("questioning_overlaps: the overlap must be a number of seconds, 0 or more"));
        }
        ctx(|c| questioning_overlaps(c, more_than).map_err(err))
    });
    engine.register_fn("person_history", |person_id: Dynamic, what: &str| -> Res<Array> {
        let Ok(pid) = person_id.into_immutable_string() else { return Ok(Array::new()) };
        ctx(|c| {
            let key = c.case.persons.iter().find(|p| p.id == pid.as_str()).and_then(|p| p.id_number.clone());
            match key {
                Some(k) => c.index.person_history(&k, what, &c.case.case_id).map_err(err),
                None => Ok(Array::new()),
            }
        })
    });

    // ---- numbers and text -----------------------------------------------------------------
    engine.register_fn(
        "reversed",
        |later_label: ImmutableString, later: Dynamic, earlier_label: ImmutableString, earlier: Dynamic| -> Dynamic {
            reversed_text(&later_label, later.as_int().ok(), &earlier_label, earlier.as_int().ok())
                .map_or(Dynamic::UNIT, Dynamic::from)
        },
    );
    engine.register_fn(
        "push_if_reversed",
        |hits: &mut Array,
         subject: Dynamic,
         later_label: ImmutableString,
         later: Dynamic,
         earlier_label: ImmutableString,
         earlier: Dynamic| {
            if let Some(text) = reversed_text(&later_label, later.as_int().ok(), &earlier_label, earlier.as_int().ok())
            {
                hits.push(Dynamic::from_array(vec![subject, text.into()]));
            }
        },
    );
    // a method on the case constant: rhai passes it by reference (pure), so no section is
    // copied as `c.penalties` would be
    // rhai walks a `&mut` argument after the call to check its size, so one call for the whole
    // table walks the case once
    engine.register_fn("reversed_pairs", |case: &mut Map, pairs: Array| -> Res<Array> { reversed_pairs(case, &pairs) });
    engine.register_fn("num_text", |v: Dynamic| -> Res<ImmutableString> {
        let x = number(&v)?;
        Ok(if x.fract() == 0.0 && x.abs() < 9.0e15 { (x as i64).to_string() } else { x.to_string() }.into())
    });
    engine.register_fn("money", |v: Dynamic| -> Res<ImmutableString> { Ok(money_text(number(&v)?).into()) });
    engine.register_fn("num", |v: Dynamic| -> Res<f64> {
        if v.is_unit() {
            Ok(0.0)
        } else {
            number(&v)
        }
    });

    // ---- findings -------------------------------------------------------------------------
    engine.register_fn("finding", |subject: Dynamic, message: ImmutableString, evidence: Map| -> Res<Map> {
        make_finding(subject, message, evidence, Array::new())
    });
    engine.register_fn(
        "finding",
        |subject: Dynamic, message: ImmutableString, evidence: Map, officers: Array| -> Res<Map> {
            make_finding(subject, message, evidence, officers)
        },
    );
    engine.register_fn(
        "review",
        |subject: Dynamic, message: ImmutableString, verify: ImmutableString, evidence: Map| -> Res<Map> {
            make_review(subject, message, verify, evidence, Array::new())
        },
    );
    engine.register_fn(
        "review",
        |subject: Dynamic,
         message: ImmutableString,
         verify: ImmutableString,
         evidence: Map,
         officers: Array|
         -> Res<Map> { make_review(subject, message, verify, evidence, officers) },
    );

    // ---- rules-b (G05-G08): the day of the act, family-notice waivers -------------------
    engine.register_fn("offence_day", || -> Res<Map> { ctx(|c| Ok(offence_day(&c.case))) });
    engine.register_fn("notice_waiver", |m: Map| -> Map { notice_waiver(&m) });
    // ---- rules-c (G09-G12) ----------------------------------------------------------------
    engine.register_fn("case_domain_basis", || -> Res<ImmutableString> {
        ctx(|c| Ok(case_domain_basis(&c.case).into()))
    });
}

/// The day of the act (行政处罚法 第三十七条 judges an act by the law in force when it was
/// committed): the recorded end of the act, else its start (`exact`); else an upper bound,
/// the earliest day the case records anything (an act is never later than its report).
pub fn offence_day(case: &Case) -> Map {
    let mut m = Map::new();
    let (day, exact, basis) = if let Some(d) = case.offence_ended_on {
        (Some(d.0), true, "违法行为结束日")
    } else if let Some(d) = case.offence_started_on {
        (Some(d.0), true, "违法行为发生日")
    } else {
        let mut best: Option<(i64, &str)> = None;
        let mut see = |t: Option<Ts>, what: &'static str| {
            if let Some(t) = t {
                if best.is_none_or(|b| t.0 < b.0) {
                    best = Some((t.0, what));
                }
            }
        };
        see(case.incident.as_ref().and_then(|i| i.received_at), "接警日");
        see(case.accepted_at, "受案日");
        for s in &case.summonses {
            see(s.arrived_at, "到案日");
        }
        for q in &case.questionings {
            see(q.started_at, "询问日");
        }
        for x in &case.measures {
            see(x.started_at, "强制措施开始日");
        }
        for p in &case.penalties {
            see(p.decided_at, "处罚决定日");
        }
        match best {
            Some((t, what)) => (Some(Ts(t).local_ymd()), false, what),
            None => (None, false, ""),
        }
    };
    m.insert("day".into(), day.map_or(Dynamic::UNIT, Dynamic::from_int));
    m.insert("exact".into(), exact.into());
    m.insert("basis".into(), basis.into());
    m
}

/// How the law treats a measure's recorded ground for not telling the family
/// (`notification_waived_reason`), by the measure's type; see API_DOCS.
pub fn notice_waiver(m: &Map) -> Map {
    let text = |k: &str| m.get(k).and_then(|v| v.clone().into_immutable_string().ok());
    let kind = text("type").unwrap_or_default();
    let reason = text("notification_waived_reason");
    let unable = ["unreachable", "identity_unknown", "no_family", "force_majeure"];
    let ground = match reason.as_deref() {
        None => "none",
        Some(r) => match kind.as_str() {
            // 刑事诉讼法 第八十五条第二款；刑事案件程序规定 第一百二十七条、第一百一十三条第二款
            "criminal_detention" if r == "state_security" || r == "terrorism" => "obstruction",
            // 刑事诉讼法 第七十五条第二款、第九十三条第二款：only 无法通知
            "criminal_detention" | "arrest" | "residential_surveillance" | "bail" => {
                if unable.contains(&r) {
                    "unable"
                } else if r == "contact_refused" {
                    "unlisted"
                } else {
                    "not_a_ground"
                }
            }
            // 继续盘问规定 第十四条第二款：身份不明或者没有家属和单位
            "continued_questioning" => match r {
                "identity_unknown" | "no_family" => "unable",
                "state_security" | "terrorism" => "not_a_ground",
                _ => "unlisted",
            },
            // 行政案件程序规定 第五十五条第一款第五项
            _ => match r {
                "identity_unknown" | "contact_refused" | "force_majeure" => "unable",
                "state_security" | "terrorism" => "not_a_ground",
                _ => "unlisted",
            },
        },
    };
    let reason_zh = match reason.as_deref() {
        Some("unreachable") => "提供的家属联系方式无法取得联系",
        Some("identity_unknown") => "身份不明",
        Some("no_family") => "没有家属",
        Some("contact_refused") => "拒不提供家属联系方式",
        Some("force_majeure") => "不可抗力",
        Some("state_security") => "涉嫌危害国家安全犯罪，通知可能有碍侦查",
        Some("terrorism") => "涉嫌恐怖活动犯罪，通知可能有碍侦查",
        _ => "",
    };
    let time = |k: &str| m.get(k).and_then(|v| v.as_int().ok());
    let ends_at = match ground {
        "unable" | "obstruction" => time("obstruction_ended_at").or_else(|| {
            if reason.as_deref() == Some("identity_unknown") {
                time("identity_established_at")
            } else {
                None
            }
        }),
        _ => None,
    };
    let mut out = Map::new();
    out.insert("ground".into(), ground.into());
    out.insert("reason".into(), if reason_zh.is_empty() { Dynamic::UNIT } else { reason_zh.into() });
    out.insert("ends_at".into(), ends_at.map_or(Dynamic::UNIT, Dynamic::from_int));
    out
}

/// `立案（2026-03-01 09:00）早于受案（…）` when the step that must come later is strictly
/// earlier; `None` when in order or either time is missing.
fn reversed_text(later_label: &str, later: Option<i64>, earlier_label: &str, earlier: Option<i64>) -> Option<String> {
    let (a, b) = (later?, earlier?);
    (a < b).then(|| format!("{later_label}（{}）早于{earlier_label}（{}）", Ts(a).local_text(), Ts(b).local_text()))
}

/// `reversed_pairs`: a table of time pairs over the case's sections, compared in host code.
fn reversed_pairs(case: &Map, pairs: &[Dynamic]) -> Res<Array> {
    const SHAPE: &str = "reversed_pairs: each row is [section, later_label, later_field, earlier_label, earlier_field]";
    let mut table: Vec<[ImmutableString; 5]> = Vec::with_capacity(pairs.len());
    for p in pairs {
        let row = p.read_lock::<Array>().filter(|r| r.len() == 5).ok_or_else(|| err(SHAPE))?;
        let text = |i: usize| row[i].clone().into_immutable_string().map_err(|_| err(SHAPE));
        table.push([text(0)?, text(1)?, text(2)?, text(3)?, text(4)?]);
    }
    let mut sections: Vec<&ImmutableString> = Vec::new();
    for row in &table {
        if !sections.contains(&&row[0]) {
            sections.push(&row[0]);
        }
    }
    let mut hits = Array::new();
    for section in sections {
        let Some(records) = case.get(section.as_str()).filter(|v| !v.is_unit()) else { continue };
        let Some(records) = records.read_lock::<Array>() else {
            return Err(err(format!("reversed_pairs: `{section}` is not an array of records")));
        };
        for r in records.iter() {
            let Some(m) = r.read_lock::<Map>() else { continue };
            let at = |f: &ImmutableString| m.get(f.as_str()).and_then(|v| v.as_int().ok());
            for [_, later_label, later, earlier_label, earlier] in table.iter().filter(|row| row[0] == *section) {
                if let Some(text) = reversed_text(later_label, at(later), earlier_label, at(earlier)) {
                    let subject = m.get("id").cloned().unwrap_or(Dynamic::UNIT);
                    hits.push(Dynamic::from_array(vec![subject, text.into()]));
                }
            }
        }
    }
    Ok(hits)
}

/// `questioning_overlaps`: P039's bookkeeping of who was where twice, in host code.
fn questioning_overlaps(c: &Ctx, more_than: i64) -> Result<Array, String> {
    struct Clash<'a> {
        case_id: String,
        record_id: String,
        span: (i64, i64),
        officers: Vec<&'a str>,
        same_person: bool,
        /// the resident id number the questioned persons share, for a session in another case
        id_number: Option<&'a str>,
    }
    let timed: Vec<_> = c.case.questionings.iter().filter_map(|q| Some((q, q.started_at?.0, q.ended_at?.0))).collect();
    let mut out = Array::new();
    for &(q, from, to) in &timed {
        let mut clashes: Vec<Clash> = Vec::new();
        let slot = |clashes: &mut Vec<Clash>, case_id: &str, record_id: &str, span: (i64, i64)| -> usize {
            match clashes.iter().position(|x| x.case_id == case_id && x.record_id == record_id) {
                Some(i) => i,
                None => {
                    clashes.push(Clash {
                        case_id: case_id.to_owned(),
                        record_id: record_id.to_owned(),
                        span,
                        officers: Vec::new(),
                        same_person: false,
                        id_number: None,
                    });
                    clashes.len() - 1
                }
            }
        };
        for o in &q.officer_ids {
            for (s, a, b) in c.index.overlap_spans(o, (from, to), more_than, (&c.case.case_id, Some(&q.id)))? {
                let i = slot(&mut clashes, &s.case_id, &s.record_id, (a, b));
                if !clashes[i].officers.contains(&o.as_str()) {
                    clashes[i].officers.push(o);
                }
            }
        }
        if let Some(pid) = &q.person_id {
            let id_number_of =
                |pid: &str| c.case.persons.iter().find(|p| p.id == pid).and_then(|p| p.id_number.as_deref());
            let key = id_number_of(pid);
            for &(r, rf, rt) in &timed {
                let Some(rp) = r.person_id.as_ref() else { continue };
                // the same person, or another person record of this case with the same
                // resident id number (then `id_number` says so)
                let by_number = rp != pid && key.is_some() && id_number_of(rp) == key;
                if r.id == q.id || (rp != pid && !by_number) {
                    continue;
                }
                let (a, b) = (rf.max(from), rt.min(to));
                if b - a > more_than {
                    let i = slot(&mut clashes, &c.case.case_id, &r.id, (a, b));
                    clashes[i].same_person = true;
                    if by_number {
                        clashes[i].id_number = key;
                    }
                }
            }
            // the same resident id number questioned in another case; this case's own
            // questionings are matched above
            if let Some(key) = key {
                for (s, a, b) in c.index.person_overlap_spans(key, (from, to), more_than, &c.case.case_id)? {
                    let i = slot(&mut clashes, &s.case_id, &s.record_id, (a, b));
                    clashes[i].same_person = true;
                    clashes[i].id_number = Some(key);
                }
            }
        }
        if clashes.is_empty() {
            continue;
        }
        let overlaps: Array = clashes
            .into_iter()
            .map(|x| {
                let mut m = Map::new();
                m.insert("case_id".into(), x.case_id.into());
                m.insert("record_id".into(), x.record_id.into());
                m.insert("from".into(), Dynamic::from_int(x.span.0));
                m.insert("to".into(), Dynamic::from_int(x.span.1));
                let officers: Array = x.officers.into_iter().map(|o| Dynamic::from(o.to_owned())).collect();
                m.insert("officers".into(), officers.into());
                m.insert("same_person".into(), Dynamic::from_bool(x.same_person));
                m.insert("id_number".into(), x.id_number.map_or(Dynamic::UNIT, |k| Dynamic::from(k.to_owned())));
                Dynamic::from_map(m)
            })
            .collect();
        let mut m = Map::new();
        m.insert("id".into(), q.id.clone().into());
        m.insert("started_at".into(), Dynamic::from_int(from));
        m.insert("ended_at".into(), Dynamic::from_int(to));
        m.insert("person_id".into(), q.person_id.clone().map_or(Dynamic::UNIT, Dynamic::from));
        m.insert("overlaps".into(), overlaps.into());
        out.push(Dynamic::from_map(m));
    }
    Ok(out)
}

fn make_review(
    subject: Dynamic,
    message: ImmutableString,
    verify: ImmutableString,
    evidence: Map,
    officers: Array,
) -> Res<Map> {
    if verify.trim().is_empty() {
        return Err(err("review: say what to verify (the third argument is empty)"));
    }
    let mut m = make_finding(subject, message, evidence, officers)?;
    m.insert("level".into(), "review".into());
    m.insert("verify".into(), verify.into());
    Ok(m)
}

fn make_finding(subject: Dynamic, message: ImmutableString, evidence: Map, officers: Array) -> Res<Map> {
    let subject = if subject.is_unit() {
        ctx(|c| Ok(c.case.case_id.clone()))?
    } else {
        subject
            .into_string()
            .map_err(|t| err(format!("finding: the subject must be a sub-record id (string), found {t}")))?
    };
    if message.trim().is_empty() {
        return Err(err("finding: the message is empty"));
    }
    let mut m = Map::new();
    m.insert("subject".into(), subject.into());
    m.insert("message".into(), message.into());
    m.insert("evidence".into(), evidence.into());
    m.insert("officers".into(), officers.into());
    Ok(m)
}

/// `4,000 元`.
pub fn money_text(v: f64) -> String {
    let whole = v.trunc() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    let frac = ((v - v.trunc()).abs() * 100.0).round() as i64;
    let sign = if v < 0.0 { "-" } else { "" };
    if frac == 0 {
        format!("{sign}{out} 元")
    } else {
        format!("{sign}{out}.{frac:02} 元")
    }
}

/// `is_minor`: the person's recorded birth date makes them under 18 on the local day of `at`.
fn minor_at(case: &Case, person_id: &str, at: Ts) -> bool {
    case.persons
        .iter()
        .find(|p| p.id == person_id)
        .and_then(|p| p.birth_date)
        .is_some_and(|b| b.age_on(Date(at.local_ymd())) < 18)
}

fn enum_is<T: Serialize>(v: Option<T>, name: &str) -> bool {
    v.is_some_and(|v| super::variant::name(&v) == name)
}

fn find_record(case: &Case, id: &str) -> Res<Dynamic> {
    macro_rules! look {
        ($($field:ident),+) => {$(
            if let Some(r) = case.$field.iter().find(|r| r.id == id) { return to_dyn(r); }
        )+};
    }
    look!(
        persons,
        questionings,
        summonses,
        measures,
        searches,
        evidence,
        appraisals,
        alcohol_tests,
        properties,
        documents,
        approvals,
        penalties
    );
    Ok(Dynamic::UNIT)
}

/// One documented API function, for `xuncha rules api`.
pub struct ApiDoc {
    pub signature: &'static str,
    pub doc: &'static str,
}

/// The API reference. Kept beside `register`; a test checks that every registered name is
/// documented here and the reverse.
pub const API_DOCS: &[ApiDoc] = &[
    ApiDoc { signature: "hours_between(a, b) -> float", doc: "hours from timestamp a to timestamp b (negative if b is earlier)" },
    ApiDoc { signature: "seconds_between(a, b) -> int", doc: "seconds from a to b" },
    ApiDoc { signature: "days_between(a, b) -> int", doc: "calendar days between the Asia/Shanghai dates of a and b (same day = 0)" },
    ApiDoc { signature: "deadline_hours(start, n) -> int", doc: "the instant n hours after start (hour limits run from the exact time)" },
    ApiDoc { signature: "deadline_days(start, n) -> int", doc: "23:59:59 of the day n calendar days after start's day; the start day does not count (刑事诉讼法 第一百零五条)" },
    ApiDoc { signature: "deadline_months(start, n) -> int", doc: "23:59:59 of the same date n months later (or that month's last day)" },
    ApiDoc { signature: "roll_over(deadline) -> int", doc: "the deadline of a period in days or months moved over rest days: when its last day is a weekend or a statutory holiday (rules/calendar.toml), 23:59:59 of the first working day after it; otherwise unchanged (刑事诉讼法 第一百零五条第四款；行政案件程序规定 第三十五条). Never for a period that deprives a person of liberty" },
    ApiDoc { signature: "deadline_workdays(start, n) -> int", doc: "23:59:59 of the n-th working day after start's day: weekends and statutory holidays do not count, weekend days worked by the State Council's schedule do (行政处罚法 第八十五条；行政强制法 第六十九条). A year missing from rules/calendar.toml is presumed leniently (never an earlier deadline) and named at the end of the audit" },
    ApiDoc { signature: "overdue(deadline, done) -> bool", doc: "done is later than deadline; if done is () (not done), whether the audit date is past deadline" },
    ApiDoc { signature: "done_or_now(t) -> int", doc: "t, or the audit's as-of instant when t is ()" },
    ApiDoc { signature: "as_of() -> int", doc: "the audit's as-of instant (end of the --as-of day, or now)" },
    ApiDoc { signature: "text_as_of() -> int", doc: "the as-of instant for a finding's message only (\"至 ${local_date(text_as_of())} 已 N 日\"): the message then states the count as of the audit that wrote it, and the case is not checked again each day just for the count. Decide with `overdue` or `as_of()`, never with this: the fixture harness fails a check whose result changes before the time it declared" },
    ApiDoc { signature: "local_date(t) -> string", doc: "`2026-03-01`, the Asia/Shanghai date of t" },
    ApiDoc { signature: "local_time(t) -> string", doc: "`2026-03-01 14:05`, Asia/Shanghai" },
    ApiDoc { signature: "ymd(t) -> int", doc: "the Asia/Shanghai date of t as yyyymmdd, comparable with birth_date and offence dates" },
    ApiDoc { signature: "deadline_text(deadline, rolled) -> string", doc: "a day deadline for a message: `期满日 2026-03-12`, or `期满日 2026-02-15 为节假日，顺延至 2026-02-24` when `rolled` (= roll_over(deadline)) moved it" },
    ApiDoc { signature: "date_start(yyyymmdd) -> int", doc: "the instant 00:00 Asia/Shanghai of a date such as `offence_ended_on`, to count a period from it" },
    ApiDoc { signature: "date_text(yyyymmdd) -> string", doc: "`2010-03-01` from 20100301" },
    ApiDoc { signature: "duration_text(seconds) -> string", doc: "`31 小时 5 分`, `45 分钟`, `4 天 2 小时` for messages" },
    ApiDoc { signature: "hours_text(hours) -> string", doc: "the same from a float number of hours" },
    ApiDoc { signature: "law_2025(t) -> bool", doc: "t is on or after 2026-01-01 00:00 (+08:00), when the 2025 治安管理处罚法 took effect" },
    ApiDoc { signature: "contains(map or string, ()) -> false", doc: "what `() in map` and `() in string` call: an optional field left out is in no table and no text: `x.action in kinds` is false when `action` is missing, where rhai would otherwise stop the check with `Function not found: contains`" },
    ApiDoc { signature: "limit(name, at) -> number or ()", doc: "the value of the header's [limits] entry `name` in force at instant at; () if none is in force" },
    ApiDoc { signature: "in_force(at) -> bool", doc: "at falls within the header's in_force dates" },
    ApiDoc { signature: "person(id) -> map or ()", doc: "the person with this id" },
    ApiDoc { signature: "age_on(birth_yyyymmdd, at) -> int", doc: "age in full years at instant at; a year is reached the day after the birthday (法释〔2006〕1号 第二条)" },
    ApiDoc { signature: "age_at(person_id, at) -> int or ()", doc: "the person's age at instant at; () when the birth date is not recorded" },
    ApiDoc { signature: "reached_age(person_id, years) -> bool", doc: "the person is `years` old or older on the audit date (counted as `age_on`); false when the birth date is not recorded. A case checked with it is checked again on the day the person reaches that age" },
    ApiDoc { signature: "age_on_day(birth_yyyymmdd, day_yyyymmdd) -> int", doc: "age in full years on a date (both yyyymmdd), counted as `age_on`: for acts known only by their date, such as `offence_ended_on`" },
    ApiDoc { signature: "is_minor(person_id, at) -> bool", doc: "under 18 at instant at; false when the birth date is not recorded" },
    ApiDoc { signature: "any_minor_questioned() -> bool", doc: "some questioning of the case, with a start and a person, questioned someone under 18 at its start (`is_minor(q.person_id, q.started_at)` for some q), without copying the questionings: a check about minors returns `[]` early when it is false" },
    ApiDoc { signature: "has_condition(person_id, condition) -> bool", doc: "the person's conditions include e.g. `deaf_mute`, `pregnant`" },
    ApiDoc { signature: "condition_on(person_id, condition, at) -> bool or ()", doc: "whether the condition (`pregnant`, `nursing_infant`, …) held on the day of instant at: true when one of the person's `condition_periods` covers that day; false when the person has no such condition, or has dated periods of it and none covers the day; () when it is listed only in the undated `conditions` (it held at some time and the record cannot say whether then: raise a review item)" },
    ApiDoc { signature: "is_foreign(person_id) -> bool", doc: "nationality recorded and not CHN" },
    ApiDoc { signature: "persons_with_role(role) -> array", doc: "persons with role `suspect`, `victim`, ..." },
    ApiDoc { signature: "record(id) -> map or ()", doc: "any sub-record of the case by its id" },
    ApiDoc { signature: "contradictions() -> array", doc: "what the record says against itself, other than times: a reference to a person, record or appraisal the case lacks, an officer listed twice; #{path (JSON path of the field), subject (the sub-record holding it, () for the case), message (Chinese)}, in format order. The importer stores such records; P108 flags them" },
    ApiDoc { signature: "docs(type) -> array", doc: "documents of a type, e.g. `penalty_decision`" },
    ApiDoc { signature: "doc_for(type, person_id) -> map or ()", doc: "the earliest document of a type for a person (person_id () = any person)" },
    ApiDoc { signature: "approvals_for(step, subject_id) -> array", doc: "approvals of a step for a subject (subject () = any)" },
    ApiDoc { signature: "first_approval(step, subject_id) -> map or ()", doc: "the earliest dated approval of a step for a subject (subject () = any)" },
    ApiDoc { signature: "questionings_of(person_id) -> array", doc: "the person's questionings, earliest first" },
    ApiDoc { signature: "case_deadline(start, days, pause_reasons, max_extensions) -> map", doc: "the case-period deadline: `deadline` (instant), `extension_days` counted (approved before the deadline then in force, at most max_extensions), `paused_days` excluded for the given pause reasons" },
    ApiDoc { signature: "officer_sessions(officer_id) -> array", doc: "every questioning the officer attended, across all imported cases: #{case_id, record_id, started_at, ended_at}" },
    ApiDoc { signature: "officer_sessions(officer_id, from, to) -> array", doc: "the same, only sessions overlapping [from, to] (an index range, not a scan)" },
    ApiDoc { signature: "officer_overlaps(officer_id, from, to, more_than_s, record_id) -> array", doc: "the officer's sessions in any imported case overlapping [from, to] by more than more_than_s seconds, other than this case's record record_id (() = none left out): #{case_id, record_id, started_at, ended_at, from, to}, from/to the overlap, in session order" },
    ApiDoc { signature: "questioning_overlaps(more_than_s) -> array", doc: "for each questioning of this case with a start and an end, in case order, the other sessions overlapping it by more than more_than_s seconds: a session any of its officers attended in any imported case (as `officer_overlaps` finds them), and a questioning of the same person in this case or, by resident id number, in another imported case. Only questionings with at least one overlap: #{id, started_at, ended_at, person_id, overlaps: [#{case_id, record_id, from, to (the overlap), officers (those of this questioning who were in both), same_person, id_number}]}, overlaps in the order found (officers first, in `officer_ids` order, then the same person in this case, then in other cases; one entry per other session). The same person is the same `person_id` in this case, or another person of this case or of any other imported case with the same resident id number (`persons[].id_number`): `same_person` is true, and `id_number` is that number when the match was by number, else ()" },
    ApiDoc { signature: "person_history(person_id, what) -> array", doc: "records of the same resident id in other cases, `what` = `penalty` or `summons`: #{case_id, record_id, at}; person_id is a person of this case" },
    ApiDoc { signature: "hearing_seconds() -> int", doc: "the hearing time a public-order case period leaves out (治安管理处罚法 2025 第一百一十八条第二款) when the case records no `hearing` pause: seconds from the earliest `hearing_requested_at` to the latest `hearing_held_at` over the penalties that record both; 0 when a hearing pause is recorded (case_deadline leaves that out) or none was held" },
    ApiDoc { signature: "restraint_seconds(person_id, from, to) -> int", doc: "seconds of [from, to] during which the person was under protective restraint (`measures[].type = restraint`; one not ended counts to `to`): time that is not questioning time (行政案件程序规定 第五十八条)" },
    ApiDoc { signature: "sanctioned(penalty) -> bool", doc: "(also `p.sanctioned()`) the penalty imposes something: a warning, a fine or detention above 0, a licence action, or confiscation" },
    ApiDoc { signature: "case_domain() -> string", doc: "which law governs the case: the recorded `domain` when present; otherwise read from `offence` (keywords), the alcohol tests and the incident type: `traffic` (道路交通安全法), `exit_entry`, `other` (消防, 戒毒, 网络安全), `public_order` (治安管理处罚法), or `unknown` when nothing says" },
    ApiDoc { signature: "reversed(later_label, later, earlier_label, earlier) -> string or ()", doc: "`立案（2026-03-01 09:00）早于受案（…）` when the step that must come later is strictly earlier; () when in order or either time is missing" },
    ApiDoc { signature: "push_if_reversed(hits, subject, later_label, later, earlier_label, earlier)", doc: "(also `hits.push_if_reversed(subject, …)`) appends `[subject, text]` to the array hits, text as `reversed` gives it, when the step that must come later is strictly earlier; nothing otherwise (one call, no array built, for a check that compares many pairs)" },
    ApiDoc { signature: "reversed_pairs(case, pairs) -> array", doc: "(call it as `c.reversed_pairs(pairs)`: the case is read in place, not copied) `reversed` over a table of rows `[section, later_label, later_field, earlier_label, earlier_field]`: for each section in the order it first appears in the table, each of its records in order, and each of the section's rows in table order, `[record.id, text]` when the record's later_field is strictly earlier than its earlier_field (missing sections and times compare nothing). One call for many pairs; append the result to a list of hits with `+=`" },
    ApiDoc { signature: "num_text(x) -> string", doc: "a number for a message without a needless fraction: `92` for 92.0, `79.9`" },
    ApiDoc { signature: "money(x) -> string", doc: "`4,000 元`" },
    ApiDoc { signature: "num(x) -> float", doc: "x as a float; () counts as 0" },
    ApiDoc { signature: "finding(subject_id, message, evidence) -> map", doc: "a finding about a sub-record (() = the case), with a Chinese message and an evidence map of the fields that decided it" },
    ApiDoc { signature: "finding(subject_id, message, evidence, officer_ids) -> map", doc: "the same, naming further responsible officers (e.g. the approver)" },
    ApiDoc { signature: "review(subject_id, message, verify, evidence) -> map", doc: "a review-level finding (待核查): the main rule is broken on the record, but an exception the law grants may excuse it and the record cannot show whether it applies. `verify` says exactly what the legal officer must check (\"核对笔录是否注明确因客观原因无法由符合条件的人员担任见证人\"). Listed apart, never counted or scored" },
    ApiDoc { signature: "review(subject_id, message, verify, evidence, officer_ids) -> map", doc: "the same, naming further responsible officers" },
    // ---- rules-b (G05-G08) ----
    ApiDoc { signature: "offence_day() -> map", doc: "the day of the act, which decides the law that applies (行政处罚法 第三十七条): #{day (yyyymmdd or ()), exact, basis (Chinese)}. `exact` when the case records `offence_ended_on` (else `offence_started_on`; a continuing act is judged at its end); otherwise `day` is an upper bound, the earliest day the case records anything (incident, acceptance, arrival, questioning, measure, decision), and the act was on it or before" },
    ApiDoc { signature: "notice_waiver(measure) -> map", doc: "how the law treats the measure's `notification_waived_reason`: #{ground, reason (Chinese or ()), ends_at}. ground: `none` (no reason recorded); `unable` (无法通知: for criminal measures 身份不明、没有家属、联系方式无法取得联系、不可抗力, 刑事案件程序规定 第一百一十三条第二款; continued questioning 身份不明、没有家属和单位, 继续盘问规定 第十四条; other administrative measures 身份不明、拒不提供联系方式、不可抗力, 行政案件程序规定 第五十五条第一款第五项); `obstruction` (state security or terrorism, 有碍侦查: criminal detention only, 刑事诉讼法 第八十五条第二款); `unlisted` (a reason the statute does not list for this measure but whose facts may amount to one, e.g. a refusal to give contacts in a criminal case: a review item); `not_a_ground` (有碍侦查 recorded for an arrest, a residential surveillance or an administrative measure). ends_at: when an `unable` or `obstruction` ground ended (`obstruction_ended_at`, or `identity_established_at` for 身份不明), after which the family must be told at once; () while it lasts" },
    // rules-c (G09-G12)
    ApiDoc { signature: "case_domain_basis() -> string", doc: "how case_domain() knew: `recorded` (the `domain` field), `inferred` (an offence keyword, the alcohol tests, the incident type, or an offence the 治安管理处罚法 names such as 殴打, 赌博), `presumed` (an offence no list names, taken as public order) or `unknown`. Where a limit depends on the domain and the basis is `presumed` or `unknown`, raise a review item for the amounts only one reading allows" },
];

// ---- rules-c (G09-G12) ----------------------------------------------------------------

/// rules-c: how [`case_domain`] knew the governing law: `recorded` (the `domain` field),
/// `inferred` (a keyword of the offence, the alcohol tests, the incident type, or an offence of
/// the 治安管理处罚法 such as 殴打 or 赌博), `presumed` (an offence no list names, taken as a
/// public-order case) or `unknown` (nothing says).
pub fn case_domain_basis(case: &Case) -> &'static str {
    // offences the 治安管理处罚法 names in its third chapter (违反治安管理的行为和处罚, 2012 and
    // 2025 texts): a case named so is a public-order case without a guess
    const PUBLIC_ORDER: [&str; 30] = [
        "殴打",
        "伤害",
        "斗殴",
        "盗窃",
        "诈骗",
        "哄抢",
        "抢夺",
        "敲诈勒索",
        "损毁",
        "赌博",
        "卖淫",
        "嫖娼",
        "吸毒",
        "毒品",
        "寻衅滋事",
        "扰乱",
        "阻碍",
        "侮辱",
        "诽谤",
        "威胁",
        "猥亵",
        "侵入住宅",
        "偷窥",
        "纠纷",
        "滋事",
        "妨害",
        "招摇撞骗",
        "非法携带",
        "虐待",
        "遗弃",
    ];
    if case.domain.is_some() {
        return "recorded";
    }
    match case_domain(case) {
        "unknown" => "unknown",
        "public_order" => {
            let o = case.offence.as_deref().unwrap_or("");
            if o.is_empty() || PUBLIC_ORDER.iter().any(|k| o.contains(k)) {
                "inferred"
            } else {
                "presumed"
            }
        }
        _ => "inferred",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(script: &str) -> Res<Array> {
        let set = super::super::RuleSet::built_in().expect("the built-in rules");
        super::super::build_engine(&set.calendar).eval::<Array>(script)
    }

    #[test]
    fn any_minor_questioned_is_true_exactly_when_a_timed_questioning_is_of_someone_under_18() {
        use crate::model::Case;
        let case = |birth: &str, started: &str| -> Case {
            serde_json::from_value(serde_json::json!({
                "case_id": "C1", "kind": "administrative", "unit_id": "U1",
                "persons": [{"id": "P1", "birth_date": birth}, {"id": "P2"}],
                "questionings": [
                    {"id": "Q1", "person_id": "P1", "started_at": started},
                    {"id": "Q2", "person_id": "P2", "started_at": "2026-03-01T10:00:00+08:00"},
                    {"id": "Q3", "person_id": "P1"}
                ]
            }))
            .expect("a case")
        };
        let set = super::super::RuleSet::built_in().expect("the built-in rules");
        let engine = super::super::build_engine(&set.calendar);
        let ask = |c: Case| {
            let ctx = Ctx::new(Arc::new(c), 0, set.rules.clone(), Arc::new(CrossIndex::default()));
            with_case(ctx, || engine.eval::<bool>("any_minor_questioned()").expect("runs")).0
        };
        // 18 周岁 from the day after the 18th birthday (Asia/Shanghai days), as `is_minor`
        assert!(ask(case("2008-03-02", "2026-03-02T23:59:00+08:00")));
        assert!(!ask(case("2008-03-02", "2026-03-03T00:00:00+08:00")));
        assert!(!ask(case("1990-01-01", "2026-03-01T10:00:00+08:00")));
    }

    #[test]
    fn map_keys_list_every_key_the_api_inserts() {
        let src = include_str!("api.rs");
        let re = regex::Regex::new(r#"\.insert\("([a-z_]+)"\.into\(\)"#).expect("regex");
        let keys: Vec<&str> = re.captures_iter(src).filter_map(|c| c.get(1)).map(|m| m.as_str()).collect();
        assert!(keys.len() > 20, "the pattern finds the inserts");
        for k in keys {
            assert!(MAP_KEYS.contains(&k), "`{k}` is a key of a map the API builds: add it to MAP_KEYS");
        }
    }

    fn texts(hits: &Array) -> Vec<String> {
        hits.iter().map(|h| h.clone().cast::<Array>()[1].to_string()).collect()
    }

    #[test]
    fn reversed_pairs_compare_each_record_and_row_in_order_and_only_strictly_earlier() {
        let hits = run(r#"
            const c = #{ xs: [
                #{ id: "A", start: 100, end: 50, sent: 40 },
                #{ id: "B", start: 100, end: 100, sent: () },
                #{ id: "C", start: 100, end: 160 },
            ], ys: (), ws: [#{ id: "W", start: 9, end: 8 }] };
            let hits = c.reversed_pairs([
                ["ws", "止", "end", "起", "start"],
                ["xs", "结束", "end", "开始", "start"],
                ["ys", "结束", "end", "开始", "start"],
                ["zs", "结束", "end", "开始", "start"],
                ["xs", "送达", "sent", "开始", "start"],
            ]);
            hits
        "#)
        .expect("runs");
        let subjects: Vec<String> = hits.iter().map(|h| h.clone().cast::<Array>()[0].to_string()).collect();
        // section by section in the order of the table; A twice (end, then sent); B's equal
        // times and missing time, C's order and the missing sections raise nothing
        assert_eq!(subjects, ["W", "A", "A"]);
        assert_eq!(texts(&hits)[1], format!("结束（{}）早于开始（{}）", Ts(50).local_text(), Ts(100).local_text()));
        assert!(texts(&hits)[2].starts_with("送达（"));
    }

    #[test]
    fn a_malformed_pair_table_is_a_script_error() {
        let e = run(r#"const c = #{ xs: [#{ id: "A" }] }; c.reversed_pairs([["xs", "结束", "end"]])"#).unwrap_err();
        assert!(e.to_string().contains("[section, later_label, later_field, earlier_label, earlier_field]"), "{e}");
        assert!(run(r#"const c = #{ xs: 5 }; c.reversed_pairs([["xs", "a", "b", "c", "d"]])"#).is_err());
    }
}

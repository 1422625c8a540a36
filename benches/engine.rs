//! Evaluation throughput: every shipped check over generated cases (1 and 2 threads), and
//! four checks (P051, P071, P089, P040) three ways on the same cases in this one process:
//! rhai, their plain-Rust twins over the typed model (the ceiling; holidays from the same
//! calendar), and the same decisions as
//! Google CEL programs (crate cel-interpreter, the peer engine). Run: `cargo bench --bench engine`.
//!
//! Before timing, the CEL programs must count exactly what the Rust twins count on every case.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;
use xuncha::engine::api::deadline_days;
use xuncha::engine::index::CrossIndex;
use xuncha::engine::run::{RuleSetShared, Worker, Workers};
use xuncha::engine::{Calendar, RuleSet};
use xuncha::gen::{self, script::Injectors, GenOptions};
use xuncha::model::{Case, Date, DocumentType, MeasureType};

const TWINS: [&str; 4] = [
    "P051-detention-family-notice-late",
    "P071-property-handover-late",
    "P089-penalty-decision-served-late",
    "P040-minor-questioned-without-guardian",
];

fn cases(n: u64) -> Vec<Case> {
    let opts = GenOptions {
        cases: n,
        seed: 4,
        from: jiff::civil::date(2025, 7, 1),
        to: jiff::civil::date(2026, 6, 30),
        error_rate: 0.3,
        only: vec![],
    };
    let calendar =
        std::sync::Arc::new(xuncha::engine::Calendar::load(std::path::Path::new("rules")).expect("calendar"));
    let scripts = Injectors::load(std::path::Path::new("rules/inject"), &calendar).expect("scripts");
    let mut out = Vec::new();
    gen::generate(&opts, &scripts, |c, _| {
        out.push(c.clone());
        Ok(())
    })
    .expect("gen");
    out
}

/// The four checks in plain Rust (the same decisions, simplified messages).
fn twins(c: &Case, as_of: i64, cal: &Calendar) -> usize {
    let mut n = 0;
    for m in &c.measures {
        if m.kind == MeasureType::CriminalDetention && m.notification_waived_reason.is_none() {
            if let Some(s) = m.started_at {
                let due = s.0 + 24 * 3600;
                if m.family_notified_at.map_or(as_of, |t| t.0) > due {
                    n += 1;
                }
            }
        }
    }
    if c.kind == xuncha::model::CaseKind::Administrative {
        for p in &c.properties {
            if let Some(t) = p.taken_at {
                if p.handed_to_custody_at.map_or(as_of, |x| x.0) > t.0 + 24 * 3600 {
                    n += 1;
                }
            }
        }
    }
    for p in &c.penalties {
        if let Some(d) = p.decided_at {
            let served = c
                .documents
                .iter()
                .filter(|x| x.kind == Some(DocumentType::PenaltyDecision) && x.person_id == p.person_id)
                .filter_map(|x| x.delivered_at)
                .map(|t| t.0)
                .min();
            if served.unwrap_or(as_of) > cal.roll_over(deadline_days(d.0, 2)) {
                n += 1;
            }
        }
    }
    for q in &c.questionings {
        if q.guardian_present == Some(true) {
            continue;
        }
        let (Some(pid), Some(at)) = (&q.person_id, q.started_at) else { continue };
        if let Some(b) = c.persons.iter().find(|p| &p.id == pid).and_then(|p| p.birth_date) {
            if b.age_on(Date(at.local_ymd())) < 18 {
                n += 1;
            }
        }
    }
    n
}

/// The same four decisions as CEL programs, each counting the records it would flag.
const CEL_TWINS: [&str; 4] = [
    r#"c.measures.filter(m, m.type == "criminal_detention" && m.notification_waived_reason == null
        && m.started_at != null
        && (m.family_notified_at == null ? as_of : m.family_notified_at) > m.started_at + 86400).size()"#,
    r#"c.kind == "administrative" ? c.properties.filter(p, p.taken_at != null
        && (p.handed_to_custody_at == null ? as_of : p.handed_to_custody_at) > p.taken_at + 86400).size() : 0"#,
    r#"c.penalties.filter(p, p.decided_at != null
        && (c.documents.exists(x, x.type == "penalty_decision" && x.person_id == p.person_id && x.delivered_at != null)
            ? !c.documents.exists(x, x.type == "penalty_decision" && x.person_id == p.person_id
                && x.delivered_at != null && x.delivered_at <= roll_over(deadline_days(p.decided_at, 2)))
            : as_of > roll_over(deadline_days(p.decided_at, 2)))).size()"#,
    r#"c.questionings.filter(q, q.guardian_present != true && q.person_id != null && q.started_at != null
        && c.persons.exists(p, p.id == q.person_id && p.birth_date != null && age_on(p.birth_date, q.started_at) < 18)).size()"#,
];

/// A CEL root context with the helpers the programs call (as rhai has its API).
fn cel_root(cal: Arc<Calendar>) -> cel_interpreter::Context<'static> {
    let mut ctx = cel_interpreter::Context::default();
    ctx.add_function("deadline_days", |start: i64, n: i64| deadline_days(start, n));
    ctx.add_function("roll_over", move |t: i64| cal.roll_over(t));
    ctx.add_function("age_on", |birth: i64, at: i64| Date(birth).age_on(Date(xuncha::model::Ts(at).local_ymd())));
    ctx
}

/// Findings the CEL programs count on one case, given the case already converted.
fn cel_count(
    root: &cel_interpreter::Context,
    programs: &[cel_interpreter::Program],
    case: &cel_interpreter::Value,
    as_of: i64,
) -> usize {
    let mut ctx = root.new_inner_scope();
    ctx.add_variable_from_value("c", case.clone());
    ctx.add_variable_from_value("as_of", as_of);
    programs
        .iter()
        .map(|p| match p.execute(&ctx) {
            Ok(cel_interpreter::Value::Int(n)) => n as usize,
            other => panic!("a CEL twin gave {other:?}"),
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let set = RuleSet::load(std::path::Path::new("rules")).expect("rules");
    let cases: Vec<Arc<Case>> = cases(2000).into_iter().map(Arc::new).collect();
    let as_of = gen::as_of(&GenOptions {
        cases: 0,
        seed: 0,
        from: jiff::civil::date(2025, 7, 1),
        to: jiff::civil::date(2026, 6, 30),
        error_rate: 0.0,
        only: vec![],
    });
    let shared = RuleSetShared::new(&set, Arc::new(CrossIndex::from_cases(cases.iter().map(|c| &**c))));
    let all = vec![true; set.rules.len()];
    let four: Vec<bool> = set.rules.iter().map(|r| TWINS.contains(&r.header.id.as_str())).collect();

    let mut g = c.benchmark_group("evaluate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(cases.len() as u64));
    let worker = Worker::new(shared.clone());
    g.bench_function("rhai, all checks, 1 thread", |b| {
        b.iter(|| cases.iter().map(|c| worker.check(c.clone(), as_of, &all).findings.len()).sum::<usize>())
    });
    {
        let threads = 2;
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        let workers = Workers::new(shared.clone());
        g.bench_function(format!("rhai, all checks, {threads} threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    cases
                        .par_iter()
                        .map(|c| workers.with(|w| w.check(c.clone(), as_of, &all).findings.len()))
                        .sum::<usize>()
                })
            })
        });
    }
    g.bench_function("rhai, 4 checks, 1 thread", |b| {
        b.iter(|| cases.iter().map(|c| worker.check(c.clone(), as_of, &four).findings.len()).sum::<usize>())
    });
    // what every rhai figure above includes: converting the case to a rhai map once
    g.bench_function("rhai::serde::to_dynamic of each case alone, 1 thread", |b| {
        b.iter(|| {
            cases
                .iter()
                .map(|c| rhai::serde::to_dynamic(&**c).map(|d| d.is_map()))
                .filter(|m| matches!(m, Ok(true)))
                .count()
        })
    });
    g.bench_function("plain Rust, the same 4 checks, 1 thread", |b| {
        b.iter(|| cases.iter().map(|c| twins(c, as_of, &set.calendar)).sum::<usize>())
    });

    let root = cel_root(set.calendar.clone());
    let programs: Vec<cel_interpreter::Program> =
        CEL_TWINS.iter().map(|src| cel_interpreter::Program::compile(src).expect("CEL twin compiles")).collect();
    let converted: Vec<cel_interpreter::Value> =
        cases.iter().map(|c| cel_interpreter::to_value(&**c).expect("case to CEL")).collect();
    for (case, v) in cases.iter().zip(&converted) {
        assert_eq!(
            cel_count(&root, &programs, v, as_of),
            twins(case, as_of, &set.calendar),
            "CEL and Rust disagree on {}",
            case.case_id
        );
    }
    g.bench_function("CEL (cel-interpreter), the same 4 checks, 1 thread", |b| {
        b.iter(|| converted.iter().map(|v| cel_count(&root, &programs, v, as_of)).sum::<usize>())
    });
    g.bench_function("CEL, the same 4 checks, converting each case, 1 thread", |b| {
        b.iter(|| {
            cases
                .iter()
                .map(|c| cel_count(&root, &programs, &cel_interpreter::to_value(&**c).expect("case to CEL"), as_of))
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

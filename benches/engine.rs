//! Evaluation throughput: every shipped check over generated cases (1 and 2 threads), and
//! four checks (P051, P071, P089, P040) in rhai against their plain-Rust twins over the
//! typed model, the ceiling of issue #3. Run: `cargo bench --bench engine`.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;
use xuncha::engine::api::deadline_days;
use xuncha::engine::index::CrossIndex;
use xuncha::engine::run::{RuleSetShared, Worker};
use xuncha::engine::RuleSet;
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
    let scripts = Injectors::load(std::path::Path::new("fixtures/inject")).expect("scripts");
    let mut out = Vec::new();
    gen::generate(&opts, &scripts, |c, _| {
        out.push(c.clone());
        Ok(())
    })
    .expect("gen");
    out
}

/// The four checks in plain Rust (the same decisions, simplified messages).
fn twins(c: &Case, as_of: i64) -> usize {
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
            if served.unwrap_or(as_of) > deadline_days(d.0, 2) {
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
        let workers: Vec<std::sync::Mutex<Worker>> =
            (0..threads).map(|_| std::sync::Mutex::new(Worker::new(shared.clone()))).collect();
        g.bench_function(format!("rhai, all checks, {threads} threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    cases
                        .par_iter()
                        .map(|c| {
                            let i = rayon::current_thread_index().unwrap_or(0) % workers.len();
                            let w = workers[i].lock().expect("worker");
                            w.check(c.clone(), as_of, &all).findings.len()
                        })
                        .sum::<usize>()
                })
            })
        });
    }
    g.bench_function("rhai, 4 checks, 1 thread", |b| {
        b.iter(|| cases.iter().map(|c| worker.check(c.clone(), as_of, &four).findings.len()).sum::<usize>())
    });
    g.bench_function("plain Rust, the same 4 checks, 1 thread", |b| {
        b.iter(|| cases.iter().map(|c| twins(c, as_of)).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The workers of one run over many cases on rayon's threads (an audit, a benchmark, a
//! scoring). rhai is built without its `sync` feature (issue #19: its reference counts and
//! locks are then not atomic), so an Engine, its compiled scripts and its values cannot leave
//! the thread that made them: each thread that checks a case builds its own [`Worker`] the
//! first time and keeps it in a thread-local slot for the rest of the run.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{RuleSetShared, Worker};

thread_local! {
    /// this thread's worker, with the run ([`Workers::id`]) it belongs to
    static SLOT: RefCell<Option<(u64, Worker)>> = const { RefCell::new(None) };
}

static NEXT_RUN: AtomicU64 = AtomicU64::new(1);

/// One run's workers: one per thread that checks a case, built where it is used.
pub struct Workers {
    id: u64,
    shared: Arc<RuleSetShared>,
    due_horizon: Option<i64>,
}

impl Workers {
    pub fn new(shared: Arc<RuleSetShared>) -> Workers {
        Workers { id: NEXT_RUN.fetch_add(1, Ordering::Relaxed), shared, due_horizon: None }
    }

    /// The workers also find the deadlines still running ([`Worker::track_due`]).
    pub fn track_due(&mut self, horizon: i64) {
        self.due_horizon = Some(horizon);
    }

    /// Runs `f` with this thread's worker, building it on the thread's first call.
    pub fn with<R>(&self, f: impl FnOnce(&Worker) -> R) -> R {
        // out of the slot while in use: a nested call on this thread builds its own rather
        // than borrowing the slot twice; a worker of an earlier run is dropped here
        let mine = SLOT.with(|s| s.borrow_mut().take()).and_then(|(id, w)| (id == self.id).then_some(w));
        let worker = mine.unwrap_or_else(|| self.build());
        let r = f(&worker);
        SLOT.with(|s| *s.borrow_mut() = Some((self.id, worker)));
        r
    }

    fn build(&self) -> Worker {
        let mut w = Worker::new(self.shared.clone());
        if let Some(h) = self.due_horizon {
            w.track_due(h);
        }
        w
    }

    /// Runs `f` on every thread of the current rayon pool that holds a worker of this run;
    /// what each returned.
    pub fn each<R: Send>(&self, f: impl Fn(&mut Worker) -> R + Sync) -> Vec<R> {
        let id = self.id;
        rayon::broadcast(|_| {
            SLOT.with(|s| match s.borrow_mut().as_mut() {
                Some((run, w)) if *run == id => Some(f(w)),
                _ => None,
            })
        })
        .into_iter()
        .flatten()
        .collect()
    }
}

impl Drop for Workers {
    /// Drops the run's workers on this thread and on the threads of the current rayon pool.
    fn drop(&mut self) {
        let id = self.id;
        let clear = || {
            let _ = SLOT.try_with(|s| {
                let mut s = s.borrow_mut();
                if s.as_ref().is_some_and(|(run, _)| *run == id) {
                    *s = None;
                }
            });
        };
        clear();
        rayon::broadcast(|_| clear());
    }
}

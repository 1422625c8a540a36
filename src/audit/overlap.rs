//! `audit FILE` into an empty store: the files' cases are checked while they are imported
//! (issue #19).
//!
//! The import runs as `xuncha import` does, and while one thread writes a batch, the others
//! parse the next one and check its cases. A batch's cases, their findings and their audit
//! stamps are written in one transaction.
//!
//! A cross-case check asks a [`GrowingIndex`] of the cases read so far, the batch being
//! checked included. A later batch can change what a case checked earlier would see: a
//! session of the same officer overlapping one of its own, an entry of the same person, or
//! the same case listed again. [`GrowingIndex::add`] names such cases, as the incremental
//! audit names the cases near a changed one. In the transaction that writes the later batch,
//! they lose what the run found for them and their stamps ([`findings::forget_checked`]; the
//! store was empty, so all they have is from this run). Once the import ends, the run checks
//! every unstamped case with the complete index, as any audit does. So a killed run leaves a
//! store whose stamps agree with the cases stored, and the next audit checks the rest.
//!
//! The index is held in memory up to 60,000 cases ([`LIMITS`]); the cases of the batches after that
//! are checked at the end.
//!
//! Into a store that holds cases already, the import and the audit run one after the other:
//! most of a nightly export is unchanged, and what changed must be compared with the stored
//! cases near it.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use super::{AuditError, Options, Run, Summary, SESSION_MARGIN_S};
use crate::engine::index::{CrossIndex, Entries, GrowingIndex};
use crate::engine::run::CaseOutcome;
use crate::engine::RuleSet;
use crate::import::split::Splitter;
use crate::import::{self, ImportError, ImportSummary, COMMIT_AFTER, COMMIT_RECORDS};
use crate::store::findings::{self, Audited, Counts};
use crate::store::{self, Context, Store, StoreError};

/// How a first load is cut up.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// records per batch
    batch: usize,
    /// how many cases the in-memory index of the cases read so far holds at most (about
    /// 1.7 KB each): the batches after it are imported, and their cases checked at the end
    /// against the stored index, so the memory of a first load does not grow with its size
    index_cases: usize,
}

const LIMITS: Limits = Limits { batch: import::BATCH, index_cases: 60_000 };

/// Whether `audit` may check the files' cases as it imports them: every rule is selected,
/// `--full` is not asked, and no input is standard input. [`run_files`] then still imports
/// first where the store holds cases.
pub fn can_overlap(paths: &[PathBuf], set: &RuleSet, opts: &Options) -> bool {
    !paths.is_empty()
        && !opts.full
        && paths.iter().all(|p| p.as_os_str() != "-")
        && set.selection(&opts.select, &opts.ignore).is_ok_and(|s| s.iter().all(|x| *x))
}

/// A batch of a file, the places in `good` of the cases checked (the last record of each case
/// id in the batch) with their outcomes, and the cases checked in earlier batches that this
/// one may change the answers of.
type Checked = (import::Batch, Vec<usize>, Vec<CaseOutcome>, Vec<String>);

/// What writing a batch did: the import's (new, changed, unchanged), what was taken back of
/// earlier batches (cases, findings, rule errors as stored), and the findings written.
type Written = ((u64, u64, u64), (u64, u64, Vec<findings::StoredError>), Counts);

/// Imports `paths` and audits; into an empty store, checks the files' cases while they are
/// written. See the module's doc.
pub fn run_files(
    store: &mut Store,
    set: &RuleSet,
    opts: &Options,
    paths: &[PathBuf],
    progress: &dyn Fn(u64, u64),
) -> Result<(ImportSummary, Summary), AuditError> {
    run_files_in(store, set, opts, paths, progress, LIMITS)
}

fn run_files_in(
    store: &mut Store,
    set: &RuleSet,
    opts: &Options,
    paths: &[PathBuf],
    progress: &dyn Fn(u64, u64),
    limits: Limits,
) -> Result<(ImportSummary, Summary), AuditError> {
    let empty: bool = store
        .conn
        .query_row("SELECT NOT EXISTS (SELECT 1 FROM cases)", [], |r| r.get(0))
        .ctx("looking for stored cases")?;
    if !empty {
        let summary = import::import_files(store, paths, &|_| {})?;
        return Ok((summary, super::run(store, set, opts, progress)?));
    }
    let mut readers = Vec::new();
    for p in paths {
        readers.push((p.display().to_string(), import::open_input(p)?));
    }
    let mut run = Run::begin(store, set, opts)?;
    let index = GrowingIndex::default();
    let cross = run.cross;
    let workers = run.workers(if cross { CrossIndex::new(index.clone()) } else { CrossIndex::default() });
    let selected = run.selected.clone();
    let check = |b: import::Batch| -> Checked {
        // a case listed twice in a batch: its last record stands
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(b.good.len());
        for (i, p) in b.good.iter().enumerate() {
            last.insert(&p.case.case_id, i);
        }
        let mut idx: Vec<usize> = last.into_values().collect();
        idx.sort_unstable();
        let (touched, idx) = if cross {
            let entries: Vec<(String, Entries)> =
                idx.iter().map(|&i| (b.good[i].case.case_id.clone(), Entries::of(&b.good[i].case))).collect();
            if index.len() < limits.index_cases {
                (index.add(entries, SESSION_MARGIN_S).into_iter().collect(), idx)
            } else {
                // the rest is checked at the end, against the stored index
                (index.near(&entries, SESSION_MARGIN_S).into_iter().collect(), Vec::new())
            }
        } else {
            (Vec::new(), idx)
        };
        let outcomes =
            idx.par_iter().map(|&i| workers.with(|w| w.check(b.good[i].case.clone(), opts.as_of, &selected))).collect();
        (b, idx, outcomes, touched)
    };
    let mut summary = ImportSummary { files: readers.iter().map(|(n, _)| n.clone()).collect(), ..Default::default() };
    summary.run_id = store::cases::begin_import(store, &summary.files)?;
    let mut tx = store::cases::ImportTx::unmarked();
    match import_checking(store, &mut tx, &mut run, readers, &mut summary, &check, progress, limits.batch) {
        Ok(()) => tx.finish(store)?,
        Err(e) => {
            tx.rollback(store);
            return Err(e);
        }
    }
    drop(workers);
    store::cases::finish_import(store, &summary)?;
    run.checked_on_import = Some(run.tally.audited);
    run.check_stored(store, progress)?;
    let audit = run.finish(store)?;
    Ok((summary, audit))
}

/// The import's pipeline, as [`import::import_files`]'s, with `check` run on each batch before
/// it is written. In the transaction that writes a batch, the cases it may change the answers
/// of lose what they were found to have; then the batch's outcomes are written.
#[allow(clippy::too_many_arguments)] // the pipeline's parts, each used once
fn import_checking(
    store: &mut Store,
    tx: &mut store::cases::ImportTx,
    run: &mut Run,
    readers: Vec<(String, Box<dyn std::io::BufRead + Send>)>,
    summary: &mut ImportSummary,
    check: &(dyn Fn(import::Batch) -> Checked + Sync),
    progress: &dyn Fn(u64, u64),
    size: usize,
) -> Result<(), AuditError> {
    for (name, reader) in readers {
        let mut splitter = Splitter::new(reader);
        let mut items = 0u64;
        let mut pending = import::next_batch(&name, &mut splitter, size)?.map(check);
        while let Some((batch, idx, outcomes, touched)) = pending.take() {
            let ctx = run.ctx();
            let import_run = summary.run_id;
            let (written, next) = rayon::join(
                || -> Result<Written, StoreError> {
                    let counts = tx.write(store, import_run, &batch.good, &batch.rejects)?;
                    let audited: Vec<Audited> = idx
                        .iter()
                        .zip(&outcomes)
                        .map(|(&i, o)| Audited {
                            case_id: &batch.good[i].case.case_id,
                            content_hash: &batch.good[i].hash,
                            outcome: o,
                            rule_index: &run.rule_index,
                        })
                        .collect();
                    let res = findings::forget_checked(&store.conn, ctx.run_id, &touched)
                        .and_then(|forgot| Ok((forgot, findings::write_audited_in(&store.conn, &ctx, &audited)?)));
                    let (forgot, done) = match res {
                        Ok(r) => r,
                        Err(e) => {
                            tx.rollback(store);
                            return Err(e);
                        }
                    };
                    if tx.pending() >= COMMIT_RECORDS || tx.open_for() >= COMMIT_AFTER {
                        tx.commit(store)?;
                    }
                    Ok((counts, forgot, done))
                },
                || -> Result<Option<Checked>, ImportError> {
                    Ok(import::next_batch(&name, &mut splitter, size)?.map(check))
                },
            );
            let ((new, changed, unchanged), (cases, found, errors), done) = written?;
            pending = next?;
            items += batch.items;
            summary.bytes += batch.bytes;
            summary.new += new;
            summary.changed += changed;
            summary.unchanged += unchanged;
            summary.rejected += batch.rejects.len() as u64;
            summary.rejects.extend(batch.rejects);
            // what was taken back is counted when the case is checked again
            let t = &mut run.tally;
            t.audited -= cases;
            t.counts.new -= found;
            t.take_back_errors(&errors);
            t.add(done, &outcomes, &run.plans.changed);
            progress(t.audited, summary.new + summary.changed + summary.unchanged);
        }
        if items == 0 {
            summary.without_records.push(name);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A case whose one questioning, by officer O1, runs from `from` to `to` (hours after
    /// 2026-03-02 08:00), of the person with id number `id_number`.
    fn case(id: &str, from: i64, to: i64, id_number: &str, note: &str) -> String {
        let at = |h: i64| jiff::Timestamp::from_second(1_772_409_600 + h * 3600).expect("ts").to_string();
        serde_json::json!({
            "case_id": id, "kind": "administrative", "offence": "殴打他人", "unit_id": "U01",
            "officers": [{"id": "O1", "role": "lead"}, {"id": "O2", "role": "assist"}],
            "accepted_at": "2026-03-01T09:00:00+08:00",
            "persons": [{"id": "P1", "role": "suspect", "name": note, "birth_date": "1990-01-01", "id_number": id_number}],
            "questionings": [{"id": "Q1", "person_id": "P1", "officer_ids": ["O1", "O2"],
                              "started_at": at(from), "ended_at": at(to)}]
        })
        .to_string()
    }

    /// What an audit leaves, row for row.
    fn left(store: &Store) -> Vec<String> {
        let mut out = Vec::new();
        for sql in [
            "SELECT case_id, rule_id, subject, status, level, message, evidence, officer_ids, first_run, recurrences
             FROM findings ORDER BY 1, 2, 3",
            "SELECT count(*) FROM finding_events",
            "SELECT case_id, rule_id, subject, deadline FROM due ORDER BY 1, 2, 3",
            "SELECT case_id, content_hash, audited_hash, audited_rules, audited_run, next_change FROM cases ORDER BY 1",
        ] {
            let mut s = store.conn.prepare(sql).expect("prepare");
            let n = s.column_count();
            let rows = s
                .query_map([], |r| {
                    (0..n)
                        .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                        .collect::<Result<Vec<_>, _>>()
                })
                .expect("query");
            out.extend(rows.map(|r| r.expect("row").join("|")));
        }
        out
    }

    /// Batches of 3, the index held for 6 cases at most: the first two batches are checked as
    /// they are imported, the rest at the end. A late case overlaps early ones (an officer's
    /// session, a person's), a case comes again, and one comes twice in a batch; the result is
    /// that of importing first and auditing then.
    #[test]
    fn a_first_load_checked_while_imported_equals_import_then_audit() {
        let dir = tempfile::tempdir().expect("temp dir");
        let lines = [
            case("C01", 0, 2, "110101199001010011", "甲"),
            case("C02", 3, 4, "110101199001010022", "乙"),
            case("C03", 10, 11, "110101199001010033", "丙"),
            case("C04", 20, 21, "110101199001010044", "丁"),
            case("C05", 30, 31, "110101199001010055", "戊"),
            case("C06", 40, 41, "110101199001010066", "己"),
            case("C07", 1, 3, "110101199001010077", "庚"), // overlaps C01 and C02 (O1, O2): past the index
            case("C08", 50, 51, "110101199001010033", "丙"), // C03's person
            case("C09", 60, 61, "110101199001010099", "壬"),
            case("C02", 3, 4, "110101199001010022", "乙二"), // C02 again
            case("C10", 70, 71, "110101199001010100", "癸"),
            case("C10", 10, 11, "110101199001010100", "癸"), // twice in a batch, now over C03
        ];
        let file = dir.path().join("cases.ndjson");
        std::fs::write(&file, lines.join("\n")).expect("write");
        let set = RuleSet::built_in().expect("rules");
        let opts = Options { as_of: 1_782_835_199, ..Options::default() };
        let limits = Limits { batch: 3, index_cases: 6 };

        let mut a = Store::open(&dir.path().join("a.db")).expect("store");
        let (imported, summary) =
            run_files_in(&mut a, &set, &opts, std::slice::from_ref(&file), &|_, _| {}, limits).expect("audit");
        assert_eq!((imported.new, imported.changed), (10, 2));
        assert_eq!(summary.audited, 10);
        // C01..C06 checked while imported; C01, C02, C03 touched by later batches
        assert_eq!(summary.checked_on_import, 3, "{summary:?}");

        let mut b = Store::open(&dir.path().join("b.db")).expect("store");
        import::import_files(&mut b, std::slice::from_ref(&file), &|_| {}).expect("import");
        let whole = super::super::run(&mut b, &set, &opts, &|_, _| {}).expect("audit");
        assert_eq!((summary.new, summary.still_open, summary.resolved), (whole.new, whole.still_open, whole.resolved));
        assert_eq!(left(&a), left(&b));
        let p039: i64 = a
            .conn
            .query_row("SELECT count(DISTINCT case_id) FROM findings WHERE rule_id LIKE 'P039%'", [], |r| r.get(0))
            .expect("count");
        assert_eq!(p039, 4, "C07 overlaps C01 (C02 only touches it), C10 overlaps C03");
    }

    /// A cross-case check that fails on every case: the errors of the cases checked again are
    /// taken back from the summary's groups too, so the groups count each case once.
    #[test]
    fn rule_errors_taken_back_are_not_counted_twice() {
        let dir = tempfile::tempdir().expect("temp dir");
        let rules = dir.path().join("rules");
        crate::engine::source::RuleFiles::built_in().write_to(&rules).expect("export");
        std::fs::write(
            rules.join("g04/P039-zz-always-fails.rhai"),
            "/*---\nid = \"P039-zz-always-fails\"\ncategory = \"P039\"\ntitle = \"t\"\nstatus = \"preview\"\nversion = 1\ncross_case = true\nlegal_basis = [{ law = \"l\", version = \"v\", article = \"a\" }]\ndoc = \"\"\"\n## 检查内容\n## 为什么是问题\n## 法律依据\n## 会标记\n## 不会标记\n\"\"\"\n---*/\nthrow \"fails\";\n",
        )
        .expect("write");
        let set = RuleSet::load(&rules).expect("rules");
        let lines = [
            case("C01", 0, 2, "110101199001010011", "甲"),
            case("C02", 10, 11, "110101199001010022", "乙"),
            case("C03", 20, 21, "110101199001010033", "丙"),
            case("C04", 1, 3, "110101199001010044", "丁"), // overlaps C01: C01 is checked again
        ];
        let file = dir.path().join("cases.ndjson");
        std::fs::write(&file, lines.join("\n")).expect("write");
        let opts = Options { as_of: 1_782_835_199, ..Options::default() };
        let mut store = Store::open(&dir.path().join("a.db")).expect("store");
        let (_, summary) = run_files_in(
            &mut store,
            &set,
            &opts,
            std::slice::from_ref(&file),
            &|_, _| {},
            Limits { batch: 2, index_cases: 10 },
        )
        .expect("audit");
        assert_eq!(summary.checked_on_import, 3, "{summary:?}");
        assert_eq!(summary.rule_errors, 4);
        let failing: Vec<_> = summary.errors.iter().filter(|g| g.rule == "P039-zz-always-fails").collect();
        assert_eq!(failing.len(), 1, "{:?}", summary.errors);
        assert_eq!(failing[0].count, 4, "one error per case: {:?}", summary.errors);
    }
}

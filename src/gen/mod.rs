//! `xuncha gen`: deterministic, realistic synthetic cases with injected errors.
//!
//! A base generator (Rust) writes cases whose timelines follow the law: acceptance, summons,
//! questioning, measures, seizures, appraisals, penalties, service, execution, closure, for a
//! mix of fights, theft, fraud, disputes, drink and drunk driving. Then, per category, an
//! optional script `rules/inject/<CODE>.rhai` runs in two modes: `comply` (make a clean
//! case satisfy the category, for details the base leaves out) and `inject` (put this
//! category's error into a case and return the subject ids). With `--truth`, one NDJSON line
//! per injected error. Same seed, same bytes.

mod base;
mod names;
pub mod score;
pub mod script;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::model::{self, Case, Ts};

#[derive(Debug, Clone)]
pub struct GenOptions {
    pub cases: u64,
    pub seed: u64,
    /// first and last day of acceptance dates (Asia/Shanghai)
    pub from: jiff::civil::Date,
    pub to: jiff::civil::Date,
    /// share of cases that get one injected error
    pub error_rate: f64,
    /// only inject these categories (all with a script when empty)
    pub only: Vec<String>,
}

/// One injected error.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Truth {
    pub case_id: String,
    pub category: String,
    pub subject: String,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("{0}")]
    Script(String),
    #[error("writing `{path}`: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("{0}")]
    Options(String),
}

/// Suggested as-of instant for auditing a generated set: the end of `to`.
pub fn as_of(opts: &GenOptions) -> i64 {
    crate::engine::api::deadline_days(Ts::start_of_local_day(opts.to).0, 0)
}

/// Generates cases one by one, calling `sink` with each case and its injected errors.
pub fn generate(
    opts: &GenOptions,
    scripts: &script::Injectors,
    mut sink: impl FnMut(&Case, &[Truth]) -> Result<(), GenError>,
) -> Result<BTreeMap<String, u64>, GenError> {
    if opts.to <= opts.from {
        return Err(GenError::Options("--to must be after --from".into()));
    }
    let span_days = i64::from((opts.to - opts.from).get_days());
    if span_days < 60 {
        return Err(GenError::Options("the date range must span at least 60 days".into()));
    }
    let as_of = as_of(opts);
    let mut per_category = BTreeMap::new();
    let mut roster = Roster::for_cases(opts.cases);
    let injectable: Vec<&str> =
        scripts.codes().into_iter().filter(|c| opts.only.is_empty() || opts.only.iter().any(|o| o == c)).collect();
    for i in 0..opts.cases {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i);
        let mut case = base::case(&mut rng, i, opts, as_of);
        case = scripts.comply(case, &mut rng, as_of)?;
        let mut truths = Vec::new();
        if !injectable.is_empty() && rng.gen_bool(opts.error_rate.clamp(0.0, 1.0)) {
            // try categories in a random order until one applies to this case
            let start = rng.gen_range(0..injectable.len());
            for k in 0..injectable.len().min(12) {
                let code = injectable[(start + k * 7) % injectable.len()];
                let (c2, subjects) = scripts.inject(code, case.clone(), &mut rng, as_of)?;
                if !subjects.is_empty() {
                    case = c2;
                    for s in subjects {
                        truths.push(Truth { case_id: case.case_id.clone(), category: code.to_owned(), subject: s });
                    }
                    *per_category.entry(code.to_owned()).or_insert(0) += 1;
                    break;
                }
            }
        }
        // officers are not in two places at once: a questioning that would clash with an
        // officer's session in an earlier case (or earlier in this one) gets a free officer
        // of the unit instead; an injected overlap keeps its person, so it still flags
        roster.book(&mut case);
        // nor are persons: a resident id number drawn by chance for a person of an earlier
        // case questioned at about the same time is made another one (P039 compares them)
        roster.book_persons(&mut case);
        let problems = model::validate(&case);
        if let Some(p) = problems.first() {
            return Err(GenError::Script(format!(
                "generated case `{}` is not valid at `{}`: {} (after injections {:?})",
                case.case_id, p.path, p.message, truths
            )));
        }
        sink(&case, &truths)?;
    }
    Ok(per_category)
}

/// Writes cases as NDJSON (and the truth file) to the given paths.
pub fn write_files(
    opts: &GenOptions,
    scripts: &script::Injectors,
    out: &Path,
    truth: Option<&Path>,
) -> Result<BTreeMap<String, u64>, GenError> {
    let wopen = |p: &Path| {
        std::fs::File::create(p)
            .map(std::io::BufWriter::new)
            .map_err(|source| GenError::Write { path: p.display().to_string(), source })
    };
    let mut w = wopen(out)?;
    let mut t = truth.map(wopen).transpose()?;
    let werr = |p: &Path| {
        let path = p.display().to_string();
        move |source| GenError::Write { path: path.clone(), source }
    };
    let res = generate(opts, scripts, |case, truths| {
        writeln!(w, "{}", model::export_json(case)).map_err(werr(out))?;
        if let (Some(t), Some(tp)) = (t.as_mut(), truth) {
            for tr in truths {
                writeln!(t, "{}", serde_json::to_string(tr).unwrap_or_default()).map_err(werr(tp))?;
            }
        }
        Ok(())
    })?;
    w.flush().map_err(werr(out))?;
    if let (Some(mut t), Some(tp)) = (t, truth) {
        t.flush().map_err(werr(tp))?;
    }
    Ok(res)
}

/// Each officer's questioning sessions so far, to keep generated officers from being in two
/// places at once across cases.
struct Roster {
    busy: std::collections::HashMap<String, BTreeMap<i64, i64>>,
    /// per questioned person's resident id number (its FNV-1a hash: 16 bytes a person, not a
    /// string), the first start and last end of its questionings in earlier cases; a span,
    /// not every session, so a clash may be presumed where there is none (the number is then
    /// changed needlessly), never missed
    persons: std::collections::HashMap<u64, (i64, i64)>,
    /// spare officers per unit (`<unit>-O10` on): 190, or one per thousand cases when more,
    /// so that a million cases a year do not put the same officers in two rooms at once
    spares: u64,
}

/// A stable 64-bit hash of a resident id number (FNV-1a): the same in every build, so the
/// same seed gives the same bytes.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Minutes of slack around a session: clean data keeps clear of P039, which reviews overlaps up
/// to 10 minutes and flags longer ones.
const SLACK: i64 = 20 * 60;

impl Roster {
    fn for_cases(cases: u64) -> Roster {
        Roster {
            busy: std::collections::HashMap::new(),
            persons: std::collections::HashMap::new(),
            spares: 190.max(cases / 1000),
        }
    }

    /// The span of a person's questionings in earlier cases overlaps `[from, to]`, give or take
    /// the slack.
    fn person_clash(&self, key: u64, (from, to): (i64, i64)) -> bool {
        self.persons.get(&key).is_some_and(|&(a, z)| a < to + SLACK && z > from - SLACK)
    }

    /// Gives a questioned person whose resident id number an earlier case's questioned
    /// person holds, questioned at about the same time, another number: the same region,
    /// birth date and sex (the parity of the 17th digit), another sequence number, one no
    /// earlier case's questioned person holds. Then notes the case's questioned persons.
    fn book_persons(&mut self, case: &mut Case) {
        // per person: the span of its questionings in this case (as the index keeps them:
        // timed, not reversed)
        let mut spans: Vec<(usize, (i64, i64))> = Vec::new();
        for q in &case.questionings {
            let (Some(pid), Some(from), Some(to)) = (&q.person_id, q.started_at, q.ended_at) else { continue };
            if to < from {
                continue;
            }
            let Some(k) = case.persons.iter().position(|p| &p.id == pid && p.id_number.is_some()) else { continue };
            match spans.iter_mut().find(|(i, _)| *i == k) {
                Some((_, s)) => *s = (s.0.min(from.0), s.1.max(to.0)),
                None => spans.push((k, (from.0, to.0))),
            }
        }
        for &(k, span) in &spans {
            let Some(idn) = case.persons[k].id_number.clone() else { continue };
            if !self.person_clash(fnv1a(&idn), span) {
                continue;
            }
            let seq = idn.get(14..17).and_then(|s| s.parse::<u32>().ok());
            let (Some(head), Some(seq)) = (idn.get(..14).filter(|h| h.bytes().all(|b| b.is_ascii_digit())), seq) else {
                continue;
            };
            let free = (1..500u32).map(|step| (seq + 2 * step) % 1000).filter(|&n| n != 0).find_map(|n| {
                let cand = base::with_check_digit(&format!("{head}{n:03}"));
                let taken = self.persons.contains_key(&fnv1a(&cand))
                    || case.persons.iter().any(|p| p.id_number.as_deref() == Some(cand.as_str()));
                (!taken).then_some(cand)
            });
            if let Some(cand) = free {
                case.persons[k].id_number = Some(cand);
            }
        }
        for (k, (from, to)) in spans {
            if let Some(idn) = &case.persons[k].id_number {
                let s = self.persons.entry(fnv1a(idn)).or_insert((from, to));
                *s = (s.0.min(from), s.1.max(to));
            }
        }
    }

    fn free(&self, officer: &str, from: i64, to: i64) -> bool {
        let Some(b) = self.busy.get(officer) else { return true };
        let (a, z) = (from - SLACK, to + SLACK);
        // sessions of one officer never overlap each other here, so the neighbours decide
        b.range(..z).next_back().is_none_or(|(_, &end)| end <= a)
    }

    fn book(&mut self, case: &mut Case) {
        let unit = case.unit_id.clone();
        for qi in 0..case.questionings.len() {
            let (Some(from), Some(to)) = (case.questionings[qi].started_at, case.questionings[qi].ended_at) else {
                continue;
            };
            {
                let ids = case.questionings[qi].officer_ids.clone();
                for (k, o) in ids.iter().enumerate() {
                    if self.free(o, from.0, to.0) {
                        continue;
                    }
                    let taken: Vec<String> = case.questionings[qi].officer_ids.clone();
                    let spare = (10..10 + self.spares)
                        .map(|n| (n, format!("{unit}-O{n:02}")))
                        .find(|(_, cand)| !taken.contains(cand) && self.free(cand, from.0, to.0));
                    if let Some((n, spare)) = spare {
                        case.questionings[qi].officer_ids[k] = spare.clone();
                        if !case.officers.iter().any(|x| x.id == spare) {
                            case.officers.push(model::Officer {
                                id: spare,
                                name: Some(names::officer_name(&unit, n)),
                                role: Some(model::OfficerRole::Assist),
                                legal_qualified: None,
                            });
                        }
                    }
                }
            }
            for o in &case.questionings[qi].officer_ids {
                self.busy.entry(o.clone()).or_default().insert(from.0, to.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generated case with at least one timed questioning of a person with an id number.
    fn questioned_case() -> Case {
        let opts = GenOptions {
            cases: 1,
            seed: 3,
            from: jiff::civil::date(2026, 1, 1),
            to: jiff::civil::date(2026, 6, 30),
            error_rate: 0.0,
            only: vec![],
        };
        (0..100)
            .map(|i| base::case(&mut ChaCha8Rng::seed_from_u64(i), i, &opts, as_of(&opts)))
            .find(|c| c.questionings.iter().any(|q| q.started_at.is_some() && q.ended_at.is_some()))
            .expect("a case with a timed questioning")
    }

    fn questioned_ids(c: &Case) -> Vec<String> {
        let mut v: Vec<String> = c
            .questionings
            .iter()
            .filter(|q| q.started_at.is_some() && q.ended_at.is_some())
            .filter_map(|q| c.persons.iter().find(|p| Some(&p.id) == q.person_id.as_ref())?.id_number.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn a_person_questioned_at_the_same_time_in_two_cases_gets_another_id_number() {
        let a = questioned_case();
        let mut roster = Roster::for_cases(2);
        roster.book_persons(&mut a.clone());
        // the same persons, questioned at the same times in another case
        let mut b = a.clone();
        b.case_id.push_str("-B");
        roster.book_persons(&mut b);
        let was = questioned_ids(&a);
        assert!(!was.is_empty());
        for (x, y) in a.persons.iter().zip(&b.persons) {
            let (Some(x), Some(y)) = (&x.id_number, &y.id_number) else { continue };
            if !was.contains(x) {
                assert_eq!(x, y, "a person not questioned keeps the number");
                continue;
            }
            assert_ne!(x, y);
            // region and birth date kept, and the sex (the parity of the 17th digit)
            assert_eq!(x[..14], y[..14]);
            assert_eq!(x.as_bytes()[16] % 2, y.as_bytes()[16] % 2);
            assert_eq!(*y, base::with_check_digit(&y[..17]));
        }
        // a thousand days later, the same numbers stay
        let mut c = a.clone();
        c.case_id.push_str("-C");
        for q in &mut c.questionings {
            q.started_at = q.started_at.map(|t| Ts(t.0 + 1000 * 86_400));
            q.ended_at = q.ended_at.map(|t| Ts(t.0 + 1000 * 86_400));
        }
        let mut later = Roster::for_cases(2);
        later.book_persons(&mut a.clone());
        later.book_persons(&mut c);
        assert_eq!(questioned_ids(&c), was);
    }
}

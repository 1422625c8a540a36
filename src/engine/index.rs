//! The index behind the checks that look across cases: questioning sessions per officer and
//! per questioned person's resident id number, and penalties and summonses per resident id
//! number. Either built in memory from cases
//! (rule tests, `explain FILE`, `gen`) or read from the store's `xsessions` and `xpersons`
//! tables through their indexes (an audit), so that an audit's memory does not grow with
//! the number of stored cases.

use std::collections::{HashMap, HashSet};

use rhai::{Array, Dynamic, Map};

use crate::model::Case;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub case_id: String,
    pub record_id: String,
    pub started_at: i64,
    pub ended_at: i64,
}

impl Session {
    /// The order every source gives sessions in.
    fn order(&self) -> (i64, &str, &str) {
        (self.started_at, &self.case_id, &self.record_id)
    }
}

#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub case_id: String,
    pub record_id: String,
    pub what: String,
    pub at: i64,
}

/// What one case puts in the index: a session per timed questioning and officer (with the
/// questioned person's resident id number, if known), and a record per penalty and summons
/// of a person whose id number is known. The importer stores these rows; the memory index
/// is built from them; so both hold the same.
#[derive(Debug, Default)]
pub struct Entries {
    /// (officer, person key, session)
    pub sessions: Vec<(String, Option<String>, Session)>,
    /// (person key, record)
    pub persons: Vec<(String, PersonRecord)>,
}

impl Entries {
    /// The resident id numbers the entries hold, each once or more.
    pub fn person_keys(&self) -> impl Iterator<Item = &str> {
        self.sessions.iter().filter_map(|(_, k, _)| k.as_deref()).chain(self.persons.iter().map(|(k, _)| k.as_str()))
    }

    pub fn of(c: &Case) -> Entries {
        let key = |pid: &Option<String>| -> Option<String> {
            let pid = pid.as_deref()?;
            c.persons.iter().find(|x| x.id == pid)?.id_number.clone()
        };
        let mut e = Entries::default();
        for q in &c.questionings {
            // a questioning that ends before it starts is no session: P108 flags it
            if let (Some(s), Some(end)) = (q.started_at, q.ended_at) {
                if end < s {
                    continue;
                }
                for o in &q.officer_ids {
                    let session = Session {
                        case_id: c.case_id.clone(),
                        record_id: q.id.clone(),
                        started_at: s.0,
                        ended_at: end.0,
                    };
                    e.sessions.push((o.clone(), key(&q.person_id), session));
                }
            }
        }
        let mut person = |k: String, record_id: &str, what: &str, at: i64| {
            let r = PersonRecord { case_id: c.case_id.clone(), record_id: record_id.to_owned(), what: what.into(), at };
            e.persons.push((k, r));
        };
        for p in &c.penalties {
            if let (Some(k), Some(at)) = (key(&p.person_id), p.decided_at) {
                person(k, &p.id, "penalty", at.0);
            }
        }
        for s in &c.summonses {
            if let (Some(k), Some(at)) = (key(&s.person_id), s.arrived_at) {
                person(k, &s.id, "summons", at.0);
            }
        }
        e
    }
}

/// Where the index's entries come from. Both sources return sessions ordered by
/// (start, case, record) and person records by (time, case, record), so a check sees the
/// same thing from either.
pub trait IndexSource: Send + Sync {
    /// All sessions of the officer.
    fn sessions(&self, officer: &str) -> Result<Vec<Session>, String>;
    /// Sessions of the officer that overlap `[from, to]`.
    fn sessions_between(&self, officer: &str, from: i64, to: i64) -> Result<Vec<Session>, String>;
    /// The person's records of kind `what` in cases other than `exclude_case`.
    fn person_records(&self, key: &str, what: &str, exclude_case: &str) -> Result<Vec<PersonRecord>, String>;
    /// The timed questionings of the person (by resident id number) in cases other than
    /// `exclude_case` that overlap `[from, to]` (start before `to`, end after `from`): each
    /// once, though the index keeps a session per officer.
    fn person_sessions_between(
        &self,
        key: &str,
        from: i64,
        to: i64,
        exclude_case: &str,
    ) -> Result<Vec<Session>, String>;
}

/// The cross-case index a check run asks.
pub struct CrossIndex(Box<dyn IndexSource>);

impl Default for CrossIndex {
    fn default() -> Self {
        CrossIndex(Box::new(MemoryIndex::default()))
    }
}

fn session_map(s: &Session) -> Dynamic {
    let mut m = Map::new();
    m.insert("case_id".into(), s.case_id.clone().into());
    m.insert("record_id".into(), s.record_id.clone().into());
    m.insert("started_at".into(), Dynamic::from_int(s.started_at));
    m.insert("ended_at".into(), Dynamic::from_int(s.ended_at));
    Dynamic::from_map(m)
}

impl CrossIndex {
    pub fn new(source: impl IndexSource + 'static) -> CrossIndex {
        CrossIndex(Box::new(source))
    }

    /// Builds the index from cases in memory (rule tests, `explain FILE`).
    pub fn from_cases<'a>(cases: impl IntoIterator<Item = &'a Case>) -> CrossIndex {
        CrossIndex::new(MemoryIndex::from_cases(cases))
    }

    pub fn officer_sessions(&self, officer: &str) -> Result<Array, String> {
        Ok(self.0.sessions(officer)?.iter().map(session_map).collect())
    }

    /// Sessions of the officer that overlap `[from, to]`.
    pub fn officer_sessions_between(&self, officer: &str, from: i64, to: i64) -> Result<Array, String> {
        Ok(self.0.sessions_between(officer, from, to)?.iter().map(session_map).collect())
    }

    /// Sessions of the officer overlapping `[from, to]` by more than `more_than` seconds,
    /// other than the record `own` of case `case_id`: each with the overlap as `from`, `to`.
    /// The arithmetic a check would do on every session in the window, done once here, so
    /// the common answer (no other session) costs no map at all.
    pub fn officer_overlaps(
        &self,
        officer: &str,
        span: (i64, i64),
        more_than: i64,
        own: (&str, Option<&str>),
    ) -> Result<Array, String> {
        Ok(self
            .overlap_spans(officer, span, more_than, own)?
            .into_iter()
            .map(|(s, a, b)| {
                let mut m = session_map(&s).cast::<Map>();
                m.insert("from".into(), Dynamic::from_int(a));
                m.insert("to".into(), Dynamic::from_int(b));
                Dynamic::from_map(m)
            })
            .collect())
    }

    /// [`CrossIndex::officer_overlaps`] for host code: each session with the overlap's
    /// start and end.
    pub fn overlap_spans(
        &self,
        officer: &str,
        (from, to): (i64, i64),
        more_than: i64,
        (case_id, own): (&str, Option<&str>),
    ) -> Result<Vec<(Session, i64, i64)>, String> {
        let window = (from.saturating_add(more_than), to.saturating_sub(more_than));
        Ok(self
            .0
            .sessions_between(officer, window.0, window.1)?
            .into_iter()
            .filter(|s| !(s.case_id == case_id && Some(s.record_id.as_str()) == own))
            .filter_map(|s| {
                let (a, b) = (s.started_at.max(from), s.ended_at.min(to));
                (b - a > more_than).then_some((s, a, b))
            })
            .collect())
    }

    /// Questionings of the person `key` (a resident id number) in cases other than
    /// `exclude_case` overlapping `[from, to]` by more than `more_than` seconds: each session
    /// with the overlap's start and end, as [`CrossIndex::overlap_spans`] gives an officer's.
    pub fn person_overlap_spans(
        &self,
        key: &str,
        (from, to): (i64, i64),
        more_than: i64,
        exclude_case: &str,
    ) -> Result<Vec<(Session, i64, i64)>, String> {
        let window = (from.saturating_add(more_than), to.saturating_sub(more_than));
        Ok(self
            .0
            .person_sessions_between(key, window.0, window.1, exclude_case)?
            .into_iter()
            .filter_map(|s| {
                let (a, b) = (s.started_at.max(from), s.ended_at.min(to));
                (b - a > more_than).then_some((s, a, b))
            })
            .collect())
    }

    /// Records of the same person in *other* cases.
    pub fn person_history(&self, key: &str, what: &str, exclude_case: &str) -> Result<Array, String> {
        Ok(self
            .0
            .person_records(key, what, exclude_case)?
            .into_iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("case_id".into(), r.case_id.into());
                m.insert("record_id".into(), r.record_id.into());
                m.insert("at".into(), Dynamic::from_int(r.at));
                Dynamic::from_map(m)
            })
            .collect())
    }
}

/// The index held in memory.
#[derive(Debug, Default)]
pub struct MemoryIndex {
    sessions: HashMap<String, Vec<Session>>,
    persons: HashMap<String, Vec<PersonRecord>>,
    /// per resident id number: the questionings of that person, once each (not per officer)
    person_sessions: HashMap<String, Vec<Session>>,
    /// per officer: the longest session, to bound the search window
    longest: HashMap<String, i64>,
}

impl MemoryIndex {
    pub fn from_cases<'a>(cases: impl IntoIterator<Item = &'a Case>) -> MemoryIndex {
        MemoryIndex::from_entries(cases.into_iter().map(Entries::of))
    }

    /// The index of what cases put in it ([`Entries::of`]), when the cases are not kept.
    pub fn from_entries(entries: impl IntoIterator<Item = Entries>) -> MemoryIndex {
        let mut ix = MemoryIndex::default();
        for e in entries {
            for (officer, key, s) in e.sessions {
                if let Some(k) = key {
                    ix.person_sessions.entry(k).or_default().push(s.clone());
                }
                ix.add_session(&officer, s);
            }
            for (key, r) in e.persons {
                ix.add_person(&key, r);
            }
        }
        for v in ix.sessions.values_mut() {
            v.sort_by(|a, b| a.order().cmp(&b.order()));
        }
        for v in ix.persons.values_mut() {
            v.sort_by(|a, b| (a.at, &a.case_id, &a.record_id).cmp(&(b.at, &b.case_id, &b.record_id)));
        }
        for v in ix.person_sessions.values_mut() {
            v.sort_by(|a, b| a.order().cmp(&b.order()));
            // one row per officer of the same questioning: keep one
            v.dedup();
        }
        ix
    }

    /// Adds one case's entries, keeping the order lookups rely on.
    fn insert(&mut self, e: Entries) {
        for (officer, key, s) in e.sessions {
            if let Some(k) = key {
                let v = self.person_sessions.entry(k).or_default();
                let at = v.partition_point(|x| x.order() < s.order());
                // one row per officer of the same questioning: keep one
                if v.get(at) != Some(&s) {
                    v.insert(at, s.clone());
                }
            }
            self.note_longest(&officer, &s);
            let v = self.sessions.entry(officer).or_default();
            let at = v.partition_point(|x| x.order() < s.order());
            v.insert(at, s);
        }
        for (key, r) in e.persons {
            let v = self.persons.entry(key).or_default();
            let at = v.partition_point(|x| (x.at, &x.case_id, &x.record_id) < (r.at, &r.case_id, &r.record_id));
            v.insert(at, r);
        }
    }

    /// Removes a case's entries (the longest session per officer stays: it only bounds a search).
    fn remove_case(&mut self, case_id: &str) {
        for v in self.sessions.values_mut() {
            v.retain(|s| s.case_id != case_id);
        }
        for v in self.persons.values_mut() {
            v.retain(|r| r.case_id != case_id);
        }
        for v in self.person_sessions.values_mut() {
            v.retain(|s| s.case_id != case_id);
        }
    }

    /// The other cases near a case's entries: an overlapping session of the same officer, or
    /// an entry of the same person.
    fn neighbours(&self, case_id: &str, margin: i64) -> HashSet<String> {
        let mut near = HashSet::new();
        for (officer, v) in &self.sessions {
            for s in v.iter().filter(|s| s.case_id == case_id) {
                near.extend(self.officer_cases(officer, s, margin));
            }
        }
        let keys: HashSet<&String> = self
            .person_sessions
            .iter()
            .filter(|(_, v)| v.iter().any(|s| s.case_id == case_id))
            .map(|(k, _)| k)
            .chain(self.persons.iter().filter(|(_, v)| v.iter().any(|r| r.case_id == case_id)).map(|(k, _)| k))
            .collect();
        for key in keys {
            near.extend(self.person_cases(key));
        }
        near.remove(case_id);
        near
    }

    /// The cases with a session of the officer overlapping `s` by more than `-margin` seconds
    /// (the incremental audit's `NEAR_CHANGED` window).
    fn officer_cases(&self, officer: &str, s: &Session, margin: i64) -> Vec<String> {
        let window = (s.started_at.saturating_sub(margin), s.ended_at.saturating_add(margin));
        self.sessions_between(officer, window.0, window.1)
            .map(|found| found.into_iter().map(|x| x.case_id).collect())
            .unwrap_or_default()
    }

    /// The cases with a questioning, penalty or summons of the person.
    fn person_cases(&self, key: &str) -> impl Iterator<Item = String> + '_ {
        let sessions = self.person_sessions.get(key).into_iter().flatten().map(|s| s.case_id.clone());
        sessions.chain(self.persons.get(key).into_iter().flatten().map(|r| r.case_id.clone()))
    }

    fn add_session(&mut self, officer: &str, s: Session) {
        self.note_longest(officer, &s);
        self.sessions.entry(officer.to_owned()).or_default().push(s);
    }

    /// Keeps the officer's longest session, which bounds a search window.
    fn note_longest(&mut self, officer: &str, s: &Session) {
        let l = self.longest.entry(officer.to_owned()).or_insert(0);
        *l = (*l).max(s.ended_at - s.started_at);
    }

    fn add_person(&mut self, key: &str, r: PersonRecord) {
        self.persons.entry(key.to_owned()).or_default().push(r);
    }
}

impl IndexSource for MemoryIndex {
    fn sessions(&self, officer: &str) -> Result<Vec<Session>, String> {
        Ok(self.sessions.get(officer).cloned().unwrap_or_default())
    }

    /// A binary search over the sessions sorted by start, not a scan.
    fn sessions_between(&self, officer: &str, from: i64, to: i64) -> Result<Vec<Session>, String> {
        let Some(v) = self.sessions.get(officer) else { return Ok(Vec::new()) };
        let longest = self.longest.get(officer).copied().unwrap_or(0);
        let lo = v.partition_point(|s| s.started_at < from.saturating_sub(longest));
        // an empty or inverted window (`to` before `from - longest`) has nothing
        let hi = v.partition_point(|s| s.started_at < to).max(lo);
        Ok(v[lo..hi].iter().filter(|s| s.ended_at > from).cloned().collect())
    }

    fn person_records(&self, key: &str, what: &str, exclude_case: &str) -> Result<Vec<PersonRecord>, String> {
        Ok(self
            .persons
            .get(key)
            .map(|v| v.iter().filter(|r| r.what == what && r.case_id != exclude_case).cloned().collect())
            .unwrap_or_default())
    }

    /// A scan of the person's few questionings.
    fn person_sessions_between(
        &self,
        key: &str,
        from: i64,
        to: i64,
        exclude_case: &str,
    ) -> Result<Vec<Session>, String> {
        Ok(self
            .person_sessions
            .get(key)
            .map(|v| {
                v.iter()
                    .filter(|s| s.case_id != exclude_case && s.started_at < to && s.ended_at > from)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// The index of a file's cases while `audit FILE` imports and checks them batch by batch
/// (into an empty store): each batch's entries are added before its cases are checked, and
/// [`GrowingIndex::add`] names the cases checked earlier whose answers the batch may change.
/// A handle: clones share the index (the audit adds to it, the workers' `CrossIndex` reads it).
#[derive(Default, Clone)]
pub struct GrowingIndex(std::sync::Arc<std::sync::RwLock<Growing>>);

#[derive(Default)]
struct Growing {
    ix: MemoryIndex,
    cases: HashSet<String>,
}

impl GrowingIndex {
    /// Adds the entries of a batch of cases. Returns the cases already in the index that may
    /// answer otherwise now, as the incremental audit decides it for changed cases: a session
    /// of the same officer overlapping one of the batch's by more than `-margin` seconds, an
    /// entry of the same person, or the same case listed again (its earlier entries go).
    pub fn add(&self, batch: Vec<(String, Entries)>, margin: i64) -> HashSet<String> {
        let mut g = self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let touched = g.near(&batch, margin);
        for (case_id, e) in batch {
            // listed again, in an earlier batch or in this one: the later record stands
            if g.cases.contains(&case_id) {
                g.ix.remove_case(&case_id);
            }
            g.ix.insert(e);
            g.cases.insert(case_id);
        }
        touched
    }

    /// The cases [`GrowingIndex::add`] would name for a batch, without adding it.
    pub fn near(&self, batch: &[(String, Entries)], margin: i64) -> HashSet<String> {
        self.read().near(batch, margin)
    }

    /// How many cases the index holds.
    pub fn len(&self) -> usize {
        self.read().cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Growing> {
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Growing {
    fn near(&self, batch: &[(String, Entries)], margin: i64) -> HashSet<String> {
        let mut touched = HashSet::new();
        let mut in_batch = HashSet::new();
        for (case_id, e) in batch {
            if self.cases.contains(case_id) {
                touched.insert(case_id.clone());
                touched.extend(self.ix.neighbours(case_id, margin));
            } else if !in_batch.insert(case_id.as_str()) {
                touched.insert(case_id.clone());
            }
            for (officer, _, s) in &e.sessions {
                touched.extend(self.ix.officer_cases(officer, s, margin));
            }
            for key in e.person_keys() {
                touched.extend(self.ix.person_cases(key));
            }
        }
        touched
    }
}

impl IndexSource for GrowingIndex {
    fn sessions(&self, officer: &str) -> Result<Vec<Session>, String> {
        self.read().ix.sessions(officer)
    }

    fn sessions_between(&self, officer: &str, from: i64, to: i64) -> Result<Vec<Session>, String> {
        self.read().ix.sessions_between(officer, from, to)
    }

    fn person_records(&self, key: &str, what: &str, exclude_case: &str) -> Result<Vec<PersonRecord>, String> {
        self.read().ix.person_records(key, what, exclude_case)
    }

    fn person_sessions_between(
        &self,
        key: &str,
        from: i64,
        to: i64,
        exclude_case: &str,
    ) -> Result<Vec<Session>, String> {
        self.read().ix.person_sessions_between(key, from, to, exclude_case)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(sessions: &[(&str, &str, i64, i64)]) -> CrossIndex {
        let mut ix = MemoryIndex::default();
        for (case_id, record_id, started_at, ended_at) in sessions {
            ix.add_session(
                "O1",
                Session {
                    case_id: (*case_id).into(),
                    record_id: (*record_id).into(),
                    started_at: *started_at,
                    ended_at: *ended_at,
                },
            );
        }
        for v in ix.sessions.values_mut() {
            v.sort_by_key(|s| s.started_at);
        }
        CrossIndex::new(ix)
    }

    /// (record, overlap from, overlap to) of each session found.
    fn found(a: &Array) -> Vec<(String, i64, i64)> {
        a.iter()
            .map(|d| {
                let m = d.clone().cast::<Map>();
                let int = |k: &str| m.get(k).and_then(|v| v.as_int().ok()).unwrap_or(-1);
                (m["record_id"].clone().cast::<rhai::ImmutableString>().to_string(), int("from"), int("to"))
            })
            .collect()
    }

    #[test]
    fn overlaps_leave_out_the_own_record_and_those_within_the_tolerance() {
        let ix = index(&[
            ("A", "Q1", 1000, 5000), // the questioning itself
            ("A", "Q2", 4000, 6000), // overlaps it by 1000 s, in the same case
            ("B", "Q1", 4400, 9000), // another case's record of the same id: 600 s
            ("C", "Q9", 4401, 9000), // 599 s: not more than the tolerance
            ("D", "Q3", 5000, 7000), // end to end
        ]);
        let got = ix.officer_overlaps("O1", (1000, 5000), 599, ("A", Some("Q1"))).expect("index");
        assert_eq!(found(&got), [("Q2".into(), 4000, 5000), ("Q1".into(), 4400, 5000)]);
        // nothing left out: the questioning overlaps itself
        let all = ix.officer_overlaps("O1", (1000, 5000), 599, ("A", None)).expect("index");
        assert_eq!(found(&all).len(), 3);
        assert!(ix.officer_overlaps("O2", (1000, 5000), 0, ("A", None)).expect("index").is_empty());
    }

    fn entries(case: &str, sessions: &[(&str, i64, i64)], person: Option<&str>) -> (String, Entries) {
        let mut e = Entries::default();
        for (i, (officer, from, to)) in sessions.iter().enumerate() {
            let s = Session { case_id: case.into(), record_id: format!("Q{i}"), started_at: *from, ended_at: *to };
            e.sessions.push(((*officer).into(), None, s));
        }
        if let Some(k) = person {
            let r = PersonRecord { case_id: case.into(), record_id: "P1".into(), what: "penalty".into(), at: 0 };
            e.persons.push((k.into(), r));
        }
        (case.into(), e)
    }

    fn names(mut v: Vec<String>) -> Vec<String> {
        v.sort();
        v
    }

    #[test]
    fn a_growing_index_names_the_cases_a_batch_may_change() {
        let ix = GrowingIndex::default();
        let first = vec![entries("A", &[("O1", 1000, 2000)], Some("K1")), entries("B", &[("O1", 3000, 4000)], None)];
        assert!(ix.add(first, 0).is_empty(), "nothing was checked before the first batch");
        let second = vec![
            entries("C", &[("O1", 1500, 2500)], None),       // overlaps A
            entries("D", &[("O2", 1500, 2500)], Some("K1")), // another officer; A's person
            entries("E", &[("O1", 2000, 3000)], None),       // end to end with A and B: no overlap
        ];
        assert_eq!(names(ix.add(second, 0).into_iter().collect()), ["A"]);
        // B listed again, elsewhere in time: B itself, and its old session is gone
        let again = vec![entries("B", &[("O1", 5000, 6000)], None)];
        assert_eq!(names(ix.add(again, 0).into_iter().collect()), ["B"]);
        let at = |from, to| -> Vec<String> {
            names(ix.sessions_between("O1", from, to).expect("index").into_iter().map(|s| s.case_id).collect())
        };
        assert!(at(3000, 4000).is_empty());
        assert_eq!(at(5500, 5600), ["B"]);
        // a margin widens the window: C ends 100 s before F starts
        let late = vec![entries("F", &[("O1", 2600, 2700)], None)];
        assert_eq!(names(ix.add(late, 100).into_iter().collect()), ["E"]);
        let later = vec![entries("H", &[("O1", 2600, 2700)], None)];
        assert_eq!(names(ix.add(later, 101).into_iter().collect()), ["C", "E", "F"]);
        // twice in one batch: the later record stands
        let twice = vec![entries("G", &[("O3", 0, 10)], None), entries("G", &[("O3", 20, 30)], None)];
        assert_eq!(names(ix.add(twice, 0).into_iter().collect()), ["G"]);
        let g: Vec<i64> = ix.sessions("O3").expect("index").iter().map(|s| s.started_at).collect();
        assert_eq!(g, [20]);
    }

    /// A questioning: (id, the person's id number or none, officers, "HH:MM", "HH:MM") on 2026-08-01.
    type Q<'a> = (&'a str, Option<&'a str>, &'a [&'a str], &'a str, &'a str);

    /// A case whose questionings are these, each of a person of its own.
    fn case(id: &str, qs: &[Q]) -> Case {
        let mut persons = Vec::new();
        let mut questionings = Vec::new();
        for (k, (q, idn, officers, from, to)) in qs.iter().enumerate() {
            let pid = format!("P{k}");
            persons.push(serde_json::json!({"id": pid, "role": "witness", "id_number": idn}));
            questionings.push(serde_json::json!({
                "id": q, "person_id": pid, "kind": "inquiry", "officer_ids": officers,
                "started_at": format!("2026-08-01T{from}:00+08:00"), "ended_at": format!("2026-08-01T{to}:00+08:00"),
            }));
        }
        let v = serde_json::json!({
            "case_id": id, "kind": "administrative", "unit_id": "U01",
            "officers": [{"id": "O1", "role": "lead"}], "accepted_at": "2026-03-01T09:00:00+08:00",
            "persons": persons, "questionings": questionings,
        });
        let rec = crate::import::split::RawRecord::new(0, None, v.to_string());
        crate::import::parse_record("t", rec)
            .map(|p| std::sync::Arc::unwrap_or_clone(p.case))
            .map_err(|r| r.reason)
            .expect("a valid case")
    }

    #[test]
    fn a_persons_questionings_in_other_cases_are_found_once_each() {
        const K: &str = "110101199005010011";
        let cases = [
            case("A", &[("Q1", Some(K), &["O1", "O2"], "09:00", "10:30"), ("Q2", Some(K), &["O1"], "09:30", "10:00")]),
            case("B", &[("Q1", Some(K), &["O3", "O4"], "10:00", "11:00"), ("Q2", Some(K), &["O3"], "10:20", "11:00")]),
            case("C", &[("Q7", Some(K), &["O5"], "10:30", "11:00")]), // end to start
            case("D", &[("Q8", Some("110101199005010029"), &["O6"], "09:00", "10:30")]),
            case("E", &[("Q9", None, &["O7"], "09:00", "10:30")]),
        ];
        let ix = CrossIndex::from_cases(cases.iter());
        let span = |h: i64, m: i64| 1_785_546_000 + (h - 9) * 3600 + m * 60; // 2026-08-01 09:00 +08:00
        let got = ix.person_overlap_spans(K, (span(9, 0), span(10, 30)), 600, "A").expect("index");
        let got: Vec<_> = got.into_iter().map(|(s, a, b)| (s.case_id, s.record_id, a, b)).collect();
        // B's Q1 once, though two officers attended it; B's Q2 overlaps by exactly 10 minutes;
        // this case's own questionings are left to the in-case comparison
        assert_eq!(got, [("B".into(), "Q1".into(), span(10, 0), span(10, 30))]);
        assert_eq!(ix.person_overlap_spans(K, (span(9, 0), span(10, 30)), 599, "A").expect("index").len(), 2);
        let other = ix.person_overlap_spans("110101199005010029", (span(9, 0), span(10, 30)), 0, "A");
        assert_eq!(other.expect("index").len(), 1);
        assert!(ix.person_overlap_spans(K, (span(11, 0), span(12, 0)), 0, "A").expect("index").is_empty());
    }
}

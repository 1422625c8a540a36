//! The index behind the checks that look across cases: questioning sessions per officer,
//! and penalties and summonses per resident id number. Either built in memory from cases
//! (rule tests, `explain FILE`, `gen`) or read from the store's `xsessions` and `xpersons`
//! tables through their indexes (an audit), so that an audit's memory does not grow with
//! the number of stored cases.

use std::collections::HashMap;

use rhai::{Array, Dynamic, Map};

use crate::model::Case;

#[derive(Debug, Clone)]
pub struct Session {
    pub case_id: String,
    pub record_id: String,
    pub started_at: i64,
    pub ended_at: i64,
}

#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub case_id: String,
    pub record_id: String,
    pub what: String,
    pub at: i64,
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
    /// per officer: the longest session, to bound the search window
    longest: HashMap<String, i64>,
}

impl MemoryIndex {
    pub fn from_cases<'a>(cases: impl IntoIterator<Item = &'a Case>) -> MemoryIndex {
        let mut ix = MemoryIndex::default();
        for c in cases {
            let key = |pid: &Option<String>| -> Option<String> {
                let pid = pid.as_deref()?;
                c.persons.iter().find(|x| x.id == pid)?.id_number.clone()
            };
            for q in &c.questionings {
                if let (Some(s), Some(e)) = (q.started_at, q.ended_at) {
                    for o in &q.officer_ids {
                        ix.add_session(
                            o,
                            Session {
                                case_id: c.case_id.clone(),
                                record_id: q.id.clone(),
                                started_at: s.0,
                                ended_at: e.0,
                            },
                        );
                    }
                }
            }
            for p in &c.penalties {
                if let (Some(k), Some(at)) = (key(&p.person_id), p.decided_at) {
                    ix.add_person(
                        &k,
                        PersonRecord {
                            case_id: c.case_id.clone(),
                            record_id: p.id.clone(),
                            what: "penalty".into(),
                            at: at.0,
                        },
                    );
                }
            }
            for s in &c.summonses {
                if let (Some(k), Some(at)) = (key(&s.person_id), s.arrived_at) {
                    ix.add_person(
                        &k,
                        PersonRecord {
                            case_id: c.case_id.clone(),
                            record_id: s.id.clone(),
                            what: "summons".into(),
                            at: at.0,
                        },
                    );
                }
            }
        }
        for v in ix.sessions.values_mut() {
            v.sort_by(|a, b| (a.started_at, &a.case_id, &a.record_id).cmp(&(b.started_at, &b.case_id, &b.record_id)));
        }
        for v in ix.persons.values_mut() {
            v.sort_by(|a, b| (a.at, &a.case_id, &a.record_id).cmp(&(b.at, &b.case_id, &b.record_id)));
        }
        ix
    }

    fn add_session(&mut self, officer: &str, s: Session) {
        let len = s.ended_at - s.started_at;
        let l = self.longest.entry(officer.to_owned()).or_insert(0);
        *l = (*l).max(len);
        self.sessions.entry(officer.to_owned()).or_default().push(s);
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
}

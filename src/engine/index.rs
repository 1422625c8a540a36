//! A read-only index over everything imported, built once per audit, for checks that look
//! across cases: questioning sessions per officer, and penalties and summonses per resident
//! id number.

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

#[derive(Debug, Default)]
pub struct CrossIndex {
    pub sessions: HashMap<String, Vec<Session>>,
    pub persons: HashMap<String, Vec<PersonRecord>>,
    /// per officer: the longest session, to bound the search window
    longest: HashMap<String, i64>,
    sorted: bool,
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
    /// Builds the index from cases in memory (rule tests, `explain FILE`).
    pub fn from_cases<'a>(cases: impl IntoIterator<Item = &'a Case>) -> CrossIndex {
        let mut ix = CrossIndex::default();
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
        ix.finish()
    }

    pub fn add_session(&mut self, officer: &str, s: Session) {
        let len = s.ended_at - s.started_at;
        let l = self.longest.entry(officer.to_owned()).or_insert(0);
        *l = (*l).max(len);
        self.sessions.entry(officer.to_owned()).or_default().push(s);
        self.sorted = false;
    }

    /// Sorts every officer's sessions by start, for [`Self::officer_sessions_between`].
    pub fn finish(mut self) -> CrossIndex {
        for v in self.sessions.values_mut() {
            v.sort_by_key(|s| s.started_at);
        }
        self.sorted = true;
        self
    }

    /// Sessions of the officer that overlap `[from, to]`: a binary search, not a scan.
    pub fn officer_sessions_between(&self, officer: &str, from: i64, to: i64) -> Array {
        let Some(v) = self.sessions.get(officer) else { return Array::new() };
        let longest = self.longest.get(officer).copied().unwrap_or(0);
        let hits: Vec<&Session> = if self.sorted {
            let lo = v.partition_point(|s| s.started_at < from.saturating_sub(longest));
            // an empty or inverted window (`to` before `from - longest`) has nothing
            let hi = v.partition_point(|s| s.started_at < to).max(lo);
            v[lo..hi].iter().filter(|s| s.ended_at > from).collect()
        } else {
            v.iter().filter(|s| s.started_at < to && s.ended_at > from).collect()
        };
        hits.into_iter().map(session_map).collect()
    }

    pub fn add_person(&mut self, key: &str, r: PersonRecord) {
        self.persons.entry(key.to_owned()).or_default().push(r);
    }

    pub fn officer_sessions(&self, officer: &str) -> Array {
        self.sessions.get(officer).map(|v| v.iter().map(session_map).collect()).unwrap_or_default()
    }

    /// Records of the same person in *other* cases.
    pub fn person_history(&self, key: &str, what: &str, exclude_case: &str) -> Array {
        self.persons
            .get(key)
            .map(|v| {
                v.iter()
                    .filter(|r| r.what == what && r.case_id != exclude_case)
                    .map(|r| {
                        let mut m = Map::new();
                        m.insert("case_id".into(), r.case_id.clone().into());
                        m.insert("record_id".into(), r.record_id.clone().into());
                        m.insert("at".into(), Dynamic::from_int(r.at));
                        Dynamic::from_map(m)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

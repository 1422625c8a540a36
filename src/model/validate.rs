//! Checks a parsed case beyond what its types say.
//!
//! Two kinds of problem, kept apart on purpose (issue #15: supervise the records you get):
//! - [`validate`] lists what makes a record impossible to store or to identify: an empty
//!   case id, unit or officer list, an empty or duplicate sub-record id (findings are keyed by
//!   it). Such a record is refused.
//! - [`contradictions`] lists what the record says against itself: a reference to a person or
//!   record the case lacks, an officer listed twice. The record is stored as it is and a
//!   check (P108) flags each contradiction on the record it names, with the JSON path.
//!   Times in the wrong order are flagged by the same category's time check.
//!
//! Each problem is a [`Problem`] with the JSON path of the field, so it can be named exactly.

use std::collections::HashSet;

use super::case::Case;

/// One reason a record is rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path of the field, e.g. `measures[1].ended_at`.
    pub path: String,
    pub message: String,
}

fn problem(path: String, message: impl Into<String>) -> Problem {
    Problem { path, message: message.into() }
}

/// Every sub-record id of the case with its path, in format order.
pub fn sub_record_ids(case: &Case) -> Vec<(String, &str)> {
    let mut ids = Vec::new();
    macro_rules! collect {
        ($($field:ident),+) => {$(
            for (i, r) in case.$field.iter().enumerate() {
                ids.push((format!("{}[{i}].id", stringify!($field)), r.id.as_str()));
            }
        )+};
    }
    collect!(
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
    for (i, p) in case.pauses.iter().enumerate() {
        if let Some(id) = &p.id {
            ids.push((format!("pauses[{i}].id"), id.as_str()));
        }
    }
    for (i, e) in case.extensions.iter().enumerate() {
        if let Some(id) = &e.id {
            ids.push((format!("extensions[{i}].id"), id.as_str()));
        }
    }
    if let Some(id) = case.incident.as_ref().and_then(|i| i.id.as_deref()) {
        ids.push(("incident.id".to_owned(), id));
    }
    ids
}

/// Validates a parsed case; an empty result means it may be stored. Only what makes the
/// record unreadable as a case or its findings unidentifiable is a problem here.
pub fn validate(case: &Case) -> Vec<Problem> {
    let mut out = Vec::new();
    if case.case_id.trim().is_empty() {
        out.push(problem("case_id".into(), "expected a non-empty case id"));
    }
    if case.unit_id.trim().is_empty() {
        out.push(problem("unit_id".into(), "expected a non-empty unit id"));
    }
    if case.officers.is_empty() {
        out.push(problem("officers".into(), "expected at least one officer"));
    }
    for (i, o) in case.officers.iter().enumerate() {
        if o.id.trim().is_empty() {
            out.push(problem(format!("officers[{i}].id"), "expected a non-empty officer id"));
        }
    }
    let mut seen = HashSet::new();
    for (path, id) in &sub_record_ids(case) {
        if id.trim().is_empty() {
            out.push(problem(path.clone(), "expected a non-empty id"));
        } else if !seen.insert(*id) {
            out.push(problem(
                path.clone(),
                format!("duplicate sub-record id `{id}`: ids must be unique within a case"),
            ));
        }
    }
    out
}

/// A contradiction in a stored record: where it is, the record it concerns (a sub-record id,
/// or `None` for the case itself), and what is wrong, in Chinese for the finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contradiction {
    pub path: String,
    pub subject: Option<String>,
    pub message: String,
}

/// Every reference in the case that does not resolve, and every officer listed twice, in
/// format order. Times in the wrong order are not listed here: P108's time check reads them.
pub fn contradictions(case: &Case) -> Vec<Contradiction> {
    let mut out = Vec::new();
    let mut officer_ids = HashSet::new();
    for (i, o) in case.officers.iter().enumerate() {
        if !officer_ids.insert(o.id.as_str()) {
            out.push(Contradiction {
                path: format!("officers[{i}].id"),
                subject: None,
                message: format!("办案民警 {} 在 officers 中重复登记", o.id),
            });
        }
    }
    let persons: HashSet<&str> = case.persons.iter().map(|p| p.id.as_str()).collect();
    let mut person_ref = |path: String, subject: Option<&str>, id: Option<&String>, what: &str| {
        if let Some(id) = id {
            if !persons.contains(id.as_str()) {
                out.push(Contradiction {
                    path,
                    subject: subject.map(str::to_owned),
                    message: format!("{what}所指人员 {id} 不在本案人员（persons）之中"),
                });
            }
        }
    };
    macro_rules! person_refs {
        ($($field:ident . $key:ident : $what:literal),+) => {$(
            for (i, r) in case.$field.iter().enumerate() {
                person_ref(format!("{}[{i}].{}", stringify!($field), stringify!($key)), Some(&r.id), r.$key.as_ref(), $what);
            }
        )+};
    }
    person_refs!(
        questionings.person_id: "询问（讯问）记录",
        summonses.person_id: "传唤记录",
        measures.person_id: "强制措施记录",
        searches.person_id: "检查（搜查）记录",
        alcohol_tests.person_id: "酒精检测记录",
        properties.owner_person_id: "涉案财物记录",
        documents.person_id: "法律文书",
        penalties.person_id: "处罚决定"
    );
    for (i, e) in case.case_area_log.iter().enumerate() {
        person_ref(format!("case_area_log[{i}].person_id"), None, e.person_id.as_ref(), "办案区出入登记");
    }
    let ids: HashSet<&str> = sub_record_ids(case).into_iter().map(|(_, id)| id).collect();
    for (i, a) in case.approvals.iter().enumerate() {
        if let Some(s) = &a.subject_id {
            if s != &case.case_id && !ids.contains(s.as_str()) {
                out.push(Contradiction {
                    path: format!("approvals[{i}].subject_id"),
                    subject: Some(a.id.clone()),
                    message: format!("审批所指的审批对象 {s} 既不是本案记录，也不是本案"),
                });
            }
        }
    }
    let appraisals: HashSet<&str> = case.appraisals.iter().map(|a| a.id.as_str()).collect();
    for (i, p) in case.properties.iter().enumerate() {
        if let Some(a) = &p.appraisal_id {
            if !appraisals.contains(a.as_str()) {
                out.push(Contradiction {
                    path: format!("properties[{i}].appraisal_id"),
                    subject: Some(p.id.clone()),
                    message: format!("涉案财物所关联的鉴定 {a} 不在本案鉴定（appraisals）之中"),
                });
            }
        }
    }
    out
}

//! Checks a parsed case beyond what its types say: unique sub-record ids, references that
//! resolve, intervals that do not end before they start. Each problem is a [`Problem`] with
//! the JSON path of the field, so the importer can name it exactly.

use std::collections::HashSet;

use super::case::Case;
use super::time::Ts;

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

/// Validates a parsed case; an empty result means it may be stored.
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
    let mut officer_ids = HashSet::new();
    for (i, o) in case.officers.iter().enumerate() {
        if !officer_ids.insert(o.id.as_str()) {
            out.push(problem(format!("officers[{i}].id"), format!("duplicate officer id `{}`", o.id)));
        }
    }

    let mut seen = HashSet::new();
    let ids = sub_record_ids(case);
    for (path, id) in &ids {
        if id.trim().is_empty() {
            out.push(problem(path.clone(), "expected a non-empty id"));
        } else if !seen.insert(*id) {
            out.push(problem(
                path.clone(),
                format!("duplicate sub-record id `{id}`: ids must be unique within a case"),
            ));
        }
    }

    let persons: HashSet<&str> = case.persons.iter().map(|p| p.id.as_str()).collect();
    let mut person_ref = |path: String, id: Option<&String>| {
        if let Some(id) = id {
            if !persons.contains(id.as_str()) {
                out.push(problem(path, format!("refers to person `{id}`, which is not in `persons`")));
            }
        }
    };
    macro_rules! person_refs {
        ($($field:ident . $key:ident),+) => {$(
            for (i, r) in case.$field.iter().enumerate() {
                person_ref(format!("{}[{i}].{}", stringify!($field), stringify!($key)), r.$key.as_ref());
            }
        )+};
    }
    person_refs!(
        questionings.person_id,
        summonses.person_id,
        measures.person_id,
        searches.person_id,
        alcohol_tests.person_id,
        properties.owner_person_id,
        documents.person_id,
        penalties.person_id,
        case_area_log.person_id
    );

    for (i, a) in case.approvals.iter().enumerate() {
        if let Some(s) = &a.subject_id {
            if s != &case.case_id && !seen.contains(s.as_str()) {
                out.push(problem(
                    format!("approvals[{i}].subject_id"),
                    format!("refers to `{s}`, which is neither a sub-record of this case nor the case itself"),
                ));
            }
        }
    }

    let mut order = |path: String, start: Option<Ts>, end: Option<Ts>, what: &str| {
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                out.push(problem(
                    path,
                    format!("{what} ends before it starts ({} < {})", e.local_text(), s.local_text()),
                ));
            }
        }
    };
    for (i, q) in case.questionings.iter().enumerate() {
        order(format!("questionings[{i}].ended_at"), q.started_at, q.ended_at, "questioning");
    }
    for (i, s) in case.summonses.iter().enumerate() {
        order(format!("summonses[{i}].released_at"), s.arrived_at, s.released_at, "summons custody");
    }
    for (i, m) in case.measures.iter().enumerate() {
        order(format!("measures[{i}].ended_at"), m.started_at, m.ended_at, "measure");
    }
    for (i, p) in case.pauses.iter().enumerate() {
        order(format!("pauses[{i}].to"), p.from, p.to, "pause");
    }
    for (i, p) in case.penalties.iter().enumerate() {
        order(format!("penalties[{i}].detention_ended_at"), p.detention_started_at, p.detention_ended_at, "detention");
    }
    for (i, e) in case.case_area_log.iter().enumerate() {
        order(format!("case_area_log[{i}].left_at"), e.entered_at, e.left_at, "stay in the case-handling area");
    }
    out
}

//! What each role may see and do. Every page and API call asks here; lists are cut to the
//! caller's scope in SQL ([`crate::store::console::Scope`]).
//!
//! - officer: the findings naming their officer id, the cases they handled, their own list
//!   of recurring errors; may rectify those findings;
//! - supervisor: their unit's findings, cases, officers and reports; may rectify its findings;
//! - legal: everything; may also push, waive and reopen.

use crate::store::console::{Role, Scope, User};
use crate::store::findings::{Action, StoredFinding};

/// Whether `user` may see the finding.
pub fn finding_visible(user: &User, f: &StoredFinding) -> bool {
    match user.scope() {
        Scope::All => true,
        Scope::Unit(u) => f.unit_id == u,
        Scope::Officer(o) => f.officer_ids.contains(&o),
    }
}

/// The actions the console offers on a finding (`rectify`, `push`, `waive`, `reopen`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Rectify,
    Push,
    Waive,
    Reopen,
}

impl Verb {
    pub const ALL: [Verb; 4] = [Verb::Rectify, Verb::Push, Verb::Waive, Verb::Reopen];

    pub fn parse(s: &str) -> Option<Verb> {
        Verb::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Rectify => "rectify",
            Verb::Push => "push",
            Verb::Waive => "waive",
            Verb::Reopen => "reopen",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Verb::Rectify => "整改完成",
            Verb::Push => "推送整改",
            Verb::Waive => "豁免",
            Verb::Reopen => "重新打开",
        }
    }

    /// The statuses it applies to (as [`crate::store::findings::act`] allows).
    fn applies_to(self) -> &'static [&'static str] {
        match self {
            Verb::Rectify => &["open", "pushed"],
            Verb::Push => &["open"],
            Verb::Waive => &["open", "pushed", "rectified"],
            Verb::Reopen => &["rectified", "waived", "resolved"],
        }
    }

    pub fn action(self, until: Option<i64>) -> Action {
        match self {
            Verb::Rectify => Action::Rectify,
            Verb::Push => Action::Push,
            Verb::Waive => Action::Waive { until },
            Verb::Reopen => Action::Reopen,
        }
    }
}

/// Whether the role may take the action at all (scope aside).
pub fn role_may(role: Role, v: Verb) -> bool {
    match v {
        Verb::Rectify => true,
        Verb::Push | Verb::Waive | Verb::Reopen => role == Role::Legal,
    }
}

/// The actions `user` may take on `f` now.
pub fn allowed(user: &User, f: &StoredFinding) -> Vec<Verb> {
    if !finding_visible(user, f) {
        return Vec::new();
    }
    Verb::ALL.into_iter().filter(|v| role_may(user.role, *v) && v.applies_to().contains(&f.status.as_str())).collect()
}

/// The unit a report is made for: legal may ask for any (or the whole bureau), a
/// supervisor gets their unit whatever they ask, an officer gets none.
pub fn report_unit(user: &User, asked: Option<String>) -> Result<Option<String>, super::AppError> {
    match user.role {
        Role::Legal => Ok(asked.filter(|u| !u.is_empty())),
        Role::Supervisor => Ok(user.unit_id.clone()),
        Role::Officer => Err(super::AppError::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(status: &str) -> StoredFinding {
        StoredFinding {
            id: 1,
            case_id: "C".into(),
            rule: "R".into(),
            category: "P001".into(),
            group: "G01".into(),
            subject: "S".into(),
            level: "violation".into(),
            status: status.into(),
            officer_ids: vec!["U01-O01".into()],
            unit_id: "U01".into(),
            first_seen: String::new(),
            last_seen: String::new(),
            message: String::new(),
            verify: None,
            evidence: serde_json::Value::Null,
            rule_version: String::new(),
            points: 1,
            recurrences: 0,
            waived_until: None,
            preview: false,
        }
    }

    fn user(role: Role, unit: &str, officer: &str) -> User {
        User {
            login: "x".into(),
            role,
            unit_id: Some(unit.into()),
            officer_id: Some(officer.into()),
            disabled: false,
            created_at: 0,
        }
    }

    #[test]
    fn each_role_sees_its_scope() {
        let f = finding("open");
        assert!(finding_visible(&user(Role::Legal, "U09", "X"), &f));
        assert!(finding_visible(&user(Role::Supervisor, "U01", "X"), &f));
        assert!(!finding_visible(&user(Role::Supervisor, "U02", "X"), &f));
        assert!(finding_visible(&user(Role::Officer, "U09", "U01-O01"), &f));
        assert!(!finding_visible(&user(Role::Officer, "U01", "U01-O02"), &f));
    }

    #[test]
    fn only_legal_pushes_waives_and_reopens() {
        let open = finding("open");
        assert_eq!(allowed(&user(Role::Officer, "U01", "U01-O01"), &open), vec![Verb::Rectify]);
        assert_eq!(allowed(&user(Role::Supervisor, "U01", "X"), &open), vec![Verb::Rectify]);
        assert_eq!(allowed(&user(Role::Legal, "", ""), &open), vec![Verb::Rectify, Verb::Push, Verb::Waive]);
        assert_eq!(allowed(&user(Role::Legal, "", ""), &finding("rectified")), vec![Verb::Waive, Verb::Reopen]);
        assert!(allowed(&user(Role::Supervisor, "U02", "X"), &open).is_empty());
    }
}

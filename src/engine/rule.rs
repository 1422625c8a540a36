//! One check: a `.rhai` file whose leading `/*--- … ---*/` block is a TOML header.
//!
//! The header is readable without running the script: id, category, title, status, version,
//! legal basis, unverified facts, the case kinds and sections it needs (so the host can skip
//! it), the dates it is in force, and dated limits (`limit("name", at)` in the script returns
//! the value in force at `at`, so two versions of a limit coexist).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::catalog::Citation;
use super::RuleLoadError;
use crate::model::{CaseKind, Date, Ts};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Preview,
    Stable,
    Deprecated,
}

/// A limit value, either one number or a list of dated values.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LimitSpec {
    Fixed(f64),
    Dated(Vec<DatedValue>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatedValue {
    /// first day (Asia/Shanghai) the value applies, inclusive
    pub from: Option<String>,
    /// last day the value applies, inclusive
    pub until: Option<String>,
    pub value: f64,
    /// the citation for this value, e.g. "治安管理处罚法（2025）第一百一十七条"
    pub basis: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct InForce {
    pub from: Option<String>,
    pub until: Option<String>,
}

/// The header as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub id: String,
    pub category: String,
    pub title: String,
    pub status: Status,
    pub since: Option<String>,
    pub version: u32,
    #[serde(default)]
    pub kinds: Vec<CaseKind>,
    #[serde(default)]
    pub needs: Vec<String>,
    #[serde(default)]
    pub cross_case: bool,
    pub legal_basis: Vec<Citation>,
    pub unverified: Option<String>,
    #[serde(default)]
    pub in_force: InForce,
    #[serde(default)]
    pub limits: BTreeMap<String, LimitSpec>,
    /// for a deadline check: what must be done by the deadline (`xuncha due`)
    pub due: Option<DueSpec>,
    pub doc: String,
}

/// The header's `due`: the act a running deadline asks for, as `xuncha due` words it
/// ("须于 2026-07-02 14:30 前通知被拘留人家属"), and whether the limit is statutory.
/// `due = "通知被拘留人家属"` or `due = { act = "通知被拘留人家属", statutory = true }`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum DueSpec {
    Act(String),
    Full(DueFull),
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DueFull {
    /// a verb phrase: "通知被拘留人家属"
    pub act: String,
    /// the limit is set by a law, regulation or ministry rule read in its text; `false` when
    /// it rests on local practice, a deployment's setting or a source only seen second-hand.
    /// Absent: statutory unless the header has `unverified`
    pub statutory: Option<bool>,
}

/// Sections a rule may name in `needs`.
pub const SECTIONS: &[&str] = &[
    "incident",
    "filing",
    "persons",
    "questionings",
    "summonses",
    "measures",
    "searches",
    "evidence",
    "appraisals",
    "alcohol_tests",
    "properties",
    "documents",
    "approvals",
    "penalties",
    "mediation",
    "pauses",
    "extensions",
    "closure",
    "case_area_log",
];

/// Headings every rule doc must carry (STYLE.md R4).
pub const DOC_HEADINGS: &[&str] = &["检查内容", "为什么是问题", "法律依据", "会标记", "不会标记"];

/// A resolved limit: (from, until, value), instants inclusive.
#[derive(Debug, Clone)]
pub struct Limit {
    pub ranges: Vec<(i64, i64, f64)>,
}

impl Limit {
    pub fn at(&self, t: i64) -> Option<f64> {
        self.ranges.iter().find(|(a, b, _)| *a <= t && t <= *b).map(|r| r.2)
    }
}

/// A loaded check.
#[derive(Debug, Clone)]
pub struct Rule {
    pub header: Header,
    /// the file in its directory, or `rules/<group>/<id>.rhai` for a built-in check
    pub path: PathBuf,
    /// `rules/` and the path relative to the rule set's root, used as the rhai source name
    pub source_name: String,
    pub source: String,
    /// blake3 of the file, recorded with every finding
    pub hash: String,
    /// bit mask over [`SECTIONS`] that must all be present
    pub needs_mask: u32,
    pub limits: BTreeMap<String, Limit>,
    pub in_force: (i64, i64),
}

fn day_start(s: &str, path: &Path, key: &str) -> Result<i64, RuleLoadError> {
    let d =
        Date::parse(s).map_err(|m| RuleLoadError::Invalid { path: path.into(), message: format!("`{key}`: {m}") })?;
    let civil = d
        .to_civil()
        .ok_or_else(|| RuleLoadError::Invalid { path: path.into(), message: format!("`{key}`: bad date `{s}`") })?;
    Ok(Ts::start_of_local_day(civil).0)
}

fn range(from: Option<&str>, until: Option<&str>, path: &Path, key: &str) -> Result<(i64, i64), RuleLoadError> {
    let a = match from {
        Some(s) => day_start(s, path, key)?,
        None => i64::MIN,
    };
    let b = match until {
        Some(s) => day_start(s, path, key)? + 86_400 - 1,
        None => i64::MAX,
    };
    Ok((a, b))
}

/// Splits the header block from a script. The block keeps its lines, so rhai positions are
/// the author's line numbers.
pub fn split_header(source: &str) -> Option<&str> {
    let start = source.find("/*---")?;
    let end = source[start..].find("---*/")? + start;
    Some(&source[start + 5..end])
}

impl Rule {
    /// Parses a check: `source` is the script, `rel` its path below the rule set's root
    /// (`g06/P051-….rhai`) and `path` where it is, for messages.
    pub fn parse(source: &str, rel: &str, path: &Path) -> Result<Rule, RuleLoadError> {
        let source = source.to_owned();
        let block = split_header(&source).ok_or_else(|| RuleLoadError::Invalid {
            path: path.into(),
            message: "the script has no `/*--- … ---*/` header block".into(),
        })?;
        let header: Header =
            toml::from_str(block).map_err(|e| RuleLoadError::Toml { path: path.into(), message: e.to_string() })?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if stem != header.id {
            return Err(RuleLoadError::Invalid {
                path: path.into(),
                message: format!("the file is named `{stem}` but its id is `{}`; they must match", header.id),
            });
        }
        let mut needs_mask = 0u32;
        for n in &header.needs {
            let bit = SECTIONS.iter().position(|s| s == n).ok_or_else(|| RuleLoadError::Invalid {
                path: path.into(),
                message: format!(
                    "`needs` names `{n}`, which is not a section of the case format (one of: {})",
                    SECTIONS.join(", ")
                ),
            })?;
            needs_mask |= 1 << bit;
        }
        let mut limits = BTreeMap::new();
        for (name, spec) in &header.limits {
            let ranges = match spec {
                LimitSpec::Fixed(v) => vec![(i64::MIN, i64::MAX, *v)],
                LimitSpec::Dated(vs) => {
                    let mut out = Vec::new();
                    for v in vs {
                        let (a, b) = range(v.from.as_deref(), v.until.as_deref(), path, &format!("limits.{name}"))?;
                        out.push((a, b, v.value));
                    }
                    out
                }
            };
            limits.insert(name.clone(), Limit { ranges });
        }
        let in_force = range(header.in_force.from.as_deref(), header.in_force.until.as_deref(), path, "in_force")?;
        let source_name = format!("rules/{rel}");
        let hash = blake3::hash(source.as_bytes()).to_hex()[..16].to_owned();
        Ok(Rule { header, path: path.into(), source_name, source, hash, needs_mask, limits, in_force })
    }

    pub fn id(&self) -> &str {
        &self.header.id
    }

    /// `version@hash`, recorded with every finding for traceability.
    pub fn version_tag(&self) -> String {
        format!("{}@{}", self.header.version, self.hash)
    }

    /// Whether the script names a function that reads the holiday calendar
    /// ([`super::api::CALENDAR_FNS`]). A name in a comment or a string counts too: a rule
    /// is taken to read the calendar whenever it might.
    pub fn reads_calendar(&self) -> bool {
        super::api::CALENDAR_FNS.iter().any(|f| self.source.contains(f))
    }

    /// What a running deadline of this check asks for: the header's `due`, or else the
    /// check's title as the defect to avoid.
    pub fn due_act(&self) -> String {
        match &self.header.due {
            Some(DueSpec::Act(a) | DueSpec::Full(DueFull { act: a, .. })) if !a.trim().is_empty() => {
                a.trim().to_owned()
            }
            _ => format!("办理，逾期即“{}”", self.header.title),
        }
    }

    /// Whether the check's limit is statutory: as `due.statutory` says, or else when the
    /// header declares nothing `unverified`.
    pub fn statutory(&self) -> bool {
        match &self.header.due {
            Some(DueSpec::Full(DueFull { statutory: Some(s), .. })) => *s,
            _ => self.header.unverified.is_none(),
        }
    }

    pub fn applies_to_kind(&self, kind: CaseKind) -> bool {
        self.header.kinds.is_empty() || self.header.kinds.contains(&kind)
    }
}

/// Name parts that describe the check instead of the defect (STYLE.md R5).
pub const DISALLOWED_NAME_PARTS: &[&str] = &["check-", "ensure-", "must-", "no-", "avoid-", "verify-", "-check"];

/// The disallowed part a rule name uses, if any.
pub fn disallowed_name(name: &str) -> Option<&'static str> {
    DISALLOWED_NAME_PARTS
        .iter()
        .find(|p| if p.starts_with('-') { name.ends_with(*p) } else { name.starts_with(*p) })
        .copied()
}

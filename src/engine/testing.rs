//! The fixture harness behind `xuncha rules test` and `cargo test` (STYLE.md R6, R8).
//!
//! `fixtures/rules/<rule id>.json` is an array of entries
//! `{"name", "expect": [subject ids], "review"?: [subject ids], "case": {…}, "as_of"?,
//! "others"?: [cases], "todo"?}`. `expect` lists the violations, `review` the review-level
//! findings (待核查). Every expected subject must be flagged at its level and every flagged
//! subject expected.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use super::index::CrossIndex;
use super::run::{Level, RuleSetShared, Worker};
use super::RuleSet;
use crate::import::{parse_record, split::RawRecord};
use crate::model::{Case, Ts};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: String,
    /// subjects flagged as violations
    pub expect: Vec<String>,
    /// subjects flagged at review level (待核查)
    #[serde(default)]
    pub review: Vec<String>,
    pub case: serde_json::Value,
    /// `YYYY-MM-DD` (end of that day) or an RFC 3339 instant; default 2030-01-01
    pub as_of: Option<String>,
    /// further cases in the cross-case index
    #[serde(default)]
    pub others: Vec<serde_json::Value>,
    /// a known gap: reported, not failed
    pub todo: Option<String>,
}

/// The verdict on one fixture entry.
#[derive(Debug, Clone)]
pub struct EntryResult {
    pub rule_id: String,
    pub file: PathBuf,
    pub entry: usize,
    pub name: String,
    /// (subject, level) the entry expects
    pub expected: Vec<(String, Level)>,
    /// what the check flagged
    pub flagged: Vec<Flag>,
    pub error: Option<String>,
    pub todo: Option<String>,
}

/// One finding a check raised on a fixture entry.
#[derive(Debug, Clone)]
pub struct Flag {
    pub subject: String,
    pub level: Level,
    pub message: String,
}

impl Flag {
    fn is(&self, (subject, level): &(String, Level)) -> bool {
        self.subject == *subject && self.level == *level
    }
}

fn level_tag(level: Level) -> &'static str {
    match level {
        Level::Violation => "",
        Level::Review => " (review)",
    }
}

impl EntryResult {
    pub fn false_negatives(&self) -> Vec<&(String, Level)> {
        self.expected.iter().filter(|e| !self.flagged.iter().any(|f| f.is(e))).collect()
    }
    pub fn false_positives(&self) -> Vec<&Flag> {
        self.flagged.iter().filter(|f| !self.expected.iter().any(|e| f.is(e))).collect()
    }
    pub fn true_positives(&self) -> usize {
        self.expected.iter().filter(|e| self.flagged.iter().any(|f| f.is(e))).count()
    }
    /// The expectations as `S1, S2 (review)`.
    pub fn expected_text(&self) -> String {
        self.expected.iter().map(|(s, l)| format!("{s}{}", level_tag(*l))).collect::<Vec<_>>().join(", ")
    }
    pub fn passed(&self) -> bool {
        self.todo.is_some()
            || (self.error.is_none() && self.false_negatives().is_empty() && self.false_positives().is_empty())
    }

    /// The failure report of STYLE.md R8.
    pub fn explain_failure(&self) -> String {
        let mut s =
            format!("FAILED {}\n  {}, entry {} \"{}\"\n", self.rule_id, self.file.display(), self.entry + 1, self.name);
        if let Some(e) = &self.error {
            s.push_str(&format!("    error: {e}\n  help: fix the fixture or the script\n"));
            return s;
        }
        let exp = if self.expected.is_empty() { "(nothing)".to_owned() } else { self.expected_text() };
        s.push_str(&format!("    expected: {exp}\n"));
        if self.flagged.is_empty() {
            s.push_str("    flagged:  (nothing)\n");
        }
        for f in &self.flagged {
            s.push_str(&format!("    flagged:  {}{}  \"{}\"\n", f.subject, level_tag(f.level), f.message));
        }
        if !self.false_positives().is_empty() {
            s.push_str(
                "  help: if this case should flag, add the subject to \"expect\" (a violation) or \"review\" (a review item); otherwise fix the script\n",
            );
        } else {
            s.push_str("  help: the script did not flag what \"expect\" lists; fix the script or the expectation\n");
        }
        s
    }
}

/// Reads a fixture's `as_of`.
pub fn parse_as_of(s: Option<&str>) -> Result<i64, String> {
    let s = s.unwrap_or("2030-01-01");
    if s.len() == 10 {
        let d = s.parse::<jiff::civil::Date>().map_err(|_| format!("as_of `{s}` is not a date YYYY-MM-DD"))?;
        return Ok(super::api::deadline_days(Ts::start_of_local_day(d).0, 0));
    }
    Ts::parse(s).map(|t| t.0)
}

fn parse_case(v: &serde_json::Value, file: &str) -> Result<Case, String> {
    let rec = RawRecord::new(0, None, v.to_string());
    parse_record(file, rec).map(|p| std::sync::Arc::unwrap_or_clone(p.case)).map_err(|r| match r.path {
        Some(p) => format!("the fixture case is not valid: at `{p}`: {}", r.reason),
        None => format!("the fixture case is not valid: {}", r.reason),
    })
}

/// The fixture file of a rule.
pub fn fixture_path(fixtures_dir: &Path, rule_id: &str) -> PathBuf {
    fixtures_dir.join(format!("{rule_id}.json"))
}

/// The nightly run skips an unchanged case until the instant its checks declared their
/// answer could change (`next_change`): a pending deadline passed to `overdue`, or the next
/// day when a check read `as_of()`. Checks the declaration: the same case audited later, but
/// before that instant, must flag the same subjects. Returns the failure, if any.
fn stable_until(
    worker: &Worker,
    case: &Arc<Case>,
    as_of: i64,
    next_change: i64,
    selected: &[bool],
    flagged: &[Flag],
) -> Option<String> {
    const DAY: i64 = 86_400;
    let subjects = |f: &mut dyn Iterator<Item = String>| {
        let mut v: Vec<String> = f.collect();
        v.sort();
        v
    };
    let expected = subjects(&mut flagged.iter().map(|f| format!("{}{}", f.subject, level_tag(f.level))));
    let probes = [DAY, 7 * DAY, 31 * DAY, 400 * DAY, 3_650 * DAY]
        .map(|d| as_of.saturating_add(d))
        .into_iter()
        .chain((next_change < as_of.saturating_add(3_650 * DAY)).then(|| next_change - 1))
        .filter(|&t| t > as_of && t < next_change);
    for t in probes {
        let later = worker.check(case.clone(), t, selected);
        if later.errors.is_empty() {
            let got = subjects(&mut later.findings.into_iter().map(|f| format!("{}{}", f.subject, level_tag(f.level))));
            if got != expected {
                let until = if next_change == i64::MAX { "never".to_owned() } else { Ts(next_change).local_text() };
                return Some(format!(
                    "audited again at {} the check flags [{}] instead of [{}], but it declared that its answer \
                     could not change until {until}, so a nightly run would keep the stale answer; decide with \
                     `overdue(deadline, done)` or `as_of()`, and use `text_as_of()` only in messages",
                    Ts(t).local_text(),
                    got.join(", "),
                    expected.join(", "),
                ));
            }
        }
    }
    None
}

/// Where the fixture files are.
#[derive(Debug, Clone)]
pub enum Fixtures {
    /// a directory of `<rule id>.json`
    Dir(PathBuf),
    /// the built-in checks' fixtures, embedded from `fixtures/rules/`
    BuiltIn,
}

impl Fixtures {
    /// A rule's fixture file: where it is (for messages) and its text.
    fn read(&self, rule_id: &str) -> (PathBuf, std::io::Result<String>) {
        match self {
            Fixtures::Dir(d) => {
                let p = fixture_path(d, rule_id);
                let text = std::fs::read_to_string(&p);
                (p, text)
            }
            Fixtures::BuiltIn => {
                let name = format!("{rule_id}.json");
                let text = super::source::built_in_fixtures()
                    .find(|(n, _)| *n == name)
                    .map(|(_, t)| t.to_owned())
                    .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no built-in fixture file"));
                (Path::new("fixtures/rules").join(name), text)
            }
        }
    }

    /// Writes the built-in fixtures into `dir`; returns how many.
    pub fn export_built_in(dir: &Path) -> std::io::Result<usize> {
        std::fs::create_dir_all(dir)?;
        let mut n = 0;
        for (name, text) in super::source::built_in_fixtures() {
            std::fs::write(dir.join(name), text)?;
            n += 1;
        }
        Ok(n)
    }
}

/// Runs every fixture entry of the given rules (all when `only` is empty) from a directory.
pub fn run_fixtures(set: &RuleSet, fixtures_dir: &Path, only: &[String]) -> Result<Vec<EntryResult>, String> {
    run_fixtures_from(set, &Fixtures::Dir(fixtures_dir.into()), only)
}

/// Runs every fixture entry of the given rules (all when `only` is empty).
pub fn run_fixtures_from(set: &RuleSet, fixtures: &Fixtures, only: &[String]) -> Result<Vec<EntryResult>, String> {
    let mut results = Vec::new();
    let mut worker = Worker::new(RuleSetShared::new(set, Arc::new(CrossIndex::default())));
    for (i, rule) in set.rules.iter().enumerate() {
        let id = &rule.header.id;
        if !only.is_empty() && !only.iter().any(|o| o == id || *o == rule.header.category) {
            continue;
        }
        let (path, text) = fixtures.read(id);
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                results.push(EntryResult {
                    rule_id: id.clone(),
                    file: path.clone(),
                    entry: 0,
                    name: "(fixture file)".into(),
                    expected: vec![],
                    flagged: vec![],
                    error: Some(format!("cannot read the fixture file: {e}")),
                    todo: None,
                });
                continue;
            }
        };
        let mut de = serde_json::Deserializer::from_str(&text);
        let entries: Vec<Entry> = match serde_path_to_error::deserialize(&mut de) {
            Ok(e) => e,
            Err(e) => {
                results.push(EntryResult {
                    rule_id: id.clone(),
                    file: path.clone(),
                    entry: 0,
                    name: "(fixture file)".into(),
                    expected: vec![],
                    flagged: vec![],
                    error: Some(format!("bad fixture file at `{}`: {}", e.path(), e.inner())),
                    todo: None,
                });
                continue;
            }
        };
        let mut selected = vec![false; set.rules.len()];
        selected[i] = true;
        for (n, entry) in entries.into_iter().enumerate() {
            let mut r = EntryResult {
                rule_id: id.clone(),
                file: path.clone(),
                entry: n,
                name: entry.name.clone(),
                expected: entry
                    .expect
                    .iter()
                    .map(|s| (s.clone(), Level::Violation))
                    .chain(entry.review.iter().map(|s| (s.clone(), Level::Review)))
                    .collect(),
                flagged: vec![],
                error: None,
                todo: entry.todo.clone(),
            };
            let file = path.display().to_string();
            let parsed = parse_case(&entry.case, &file).and_then(|c| {
                let others: Result<Vec<Case>, String> = entry.others.iter().map(|o| parse_case(o, &file)).collect();
                Ok((c, others?, parse_as_of(entry.as_of.as_deref())?))
            });
            match parsed {
                Err(e) => r.error = Some(e),
                Ok((case, others, as_of)) => {
                    let index = CrossIndex::from_cases(std::iter::once(&case).chain(others.iter()));
                    worker.set_index(Arc::new(index));
                    let case = Arc::new(case);
                    let out = worker.check(case.clone(), as_of, &selected);
                    if let Some(e) = out.errors.first() {
                        r.error = Some(format!("{} at {}", e.message, e.position()));
                    }
                    r.flagged = out
                        .findings
                        .into_iter()
                        .map(|f| Flag { subject: f.subject, level: f.level, message: f.message })
                        .collect();
                    if r.error.is_none() {
                        r.error = stable_until(&worker, &case, as_of, out.next_change, &selected, &r.flagged);
                    }
                }
            }
            results.push(r);
        }
    }
    Ok(results)
}

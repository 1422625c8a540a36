//! `xuncha rules list|show|test|check|api|new`: the rule author's tools.

use std::path::PathBuf;

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand};
use serde::Serialize;

use super::{note, out, out_json, Cli, Format, Outcome};
use crate::engine::api::API_DOCS;
use crate::engine::catalog::Citation;
use crate::engine::rule::{Status, DOC_HEADINGS};
use crate::engine::testing::{run_fixtures_from, Fixtures};
use crate::engine::{RuleFiles, RuleSet};

#[derive(Debug, Subcommand)]
pub enum RulesCmd {
    /// List the categories and their checks
    List(ListArgs),
    /// Print the documentation of a check or a category
    Show(ShowArgs),
    /// Run the fixtures of every check (or the named ones) and report TP / FN / FP
    Test(TestArgs),
    /// Validate every header and compile every script
    Check,
    /// List the functions scripts can call
    Api(FormatArg),
    /// Scaffold a new check and its fixture file
    New(NewArgs),
    /// Generate cases with injected errors and score every category's recall and precision
    Score(ScoreArgs),
    /// Write the built-in rule set (and its fixtures) into DIR, to start a bureau's own rules
    ///
    /// DIR gets the layout `--rules DIR` reads: categories.toml, calendar.toml, one folder of
    /// checks per group, inject/ (the generator's scripts) and fixtures/ (each check's
    /// fixture cases, for `xuncha --rules DIR rules test`).
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The directory to write (created if missing)
    pub dir: PathBuf,
    /// Overwrite a rule set already in DIR
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    #[arg(long, default_value_t = 5000)]
    pub cases: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 0.3)]
    pub error_rate: f64,
    /// Only inject these categories (comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// The generator scripts (default: the rule set's inject/)
    #[arg(long, value_name = "DIR")]
    pub inject: Option<PathBuf>,
    /// Print only categories below this recall or precision
    #[arg(long, default_value_t = 1.01)]
    pub below: f64,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct FormatArg {
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this category or group
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A rule id or a category code
    pub id: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Rule ids or category codes (default: all)
    pub ids: Vec<String>,
    /// Where the fixture files are (default: the rules directory's fixtures/, or the
    /// repository's fixtures/rules/ beside it; with the built-in rules, the built-in fixtures)
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// Print only failures and the summary
    #[arg(long)]
    pub failures_only: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Category code, e.g. P051
    #[arg(long)]
    pub category: String,
    /// The defect, in kebab case, e.g. family-notice-late
    #[arg(long)]
    pub name: String,
    /// Folder under the rules directory (default: the category's group, e.g. g06)
    #[arg(long)]
    pub group: Option<String>,
    /// Where to write the fixture file (default: as for `rules test`)
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
}

#[derive(Serialize)]
struct CategoryRow<'a> {
    code: &'a str,
    name_zh: &'a str,
    name_en: &'a str,
    group: &'a str,
    severity: crate::engine::catalog::Severity,
    points: i64,
    legal_basis: &'a [Citation],
    unverified: Option<&'a str>,
    checks: Vec<&'a str>,
}

/// Loads the rule set in use (the `--rules` directory or the built-in set) and says which
/// on stderr.
pub fn load(cli: &Cli) -> anyhow::Result<RuleSet> {
    load_from(cli, &super::rule_files(cli)?)
}

/// Compiles a rule set's files and says which set it is on stderr.
pub fn load_from(cli: &Cli, files: &RuleFiles) -> anyhow::Result<RuleSet> {
    let set = RuleSet::from_files(files)?;
    note(cli, &set.used().line());
    Ok(set)
}

/// Where the fixtures of the rule set in use are: `--fixtures`; for a rules directory, its
/// `fixtures/` (what `rules export` writes), else the repository's `fixtures/rules/` beside
/// it; for the built-in rules, the built-in fixtures.
fn fixtures(cli: &Cli, explicit: Option<&PathBuf>) -> Fixtures {
    if let Some(d) = explicit {
        return Fixtures::Dir(d.clone());
    }
    match &cli.rules {
        None => Fixtures::BuiltIn,
        Some(dir) => {
            let own = dir.join("fixtures");
            let beside = dir.parent().map(|p| p.join("fixtures/rules"));
            match beside {
                Some(b) if !own.is_dir() && b.is_dir() => Fixtures::Dir(b),
                _ => Fixtures::Dir(own),
            }
        }
    }
}

pub fn run(cli: &Cli, cmd: &RulesCmd) -> anyhow::Result<Outcome> {
    match cmd {
        RulesCmd::List(a) => list(cli, a),
        RulesCmd::Show(a) => show(cli, a),
        RulesCmd::Test(a) => test(cli, a),
        RulesCmd::Check => {
            let set = load(cli)?;
            let years: Vec<String> = set.calendar.years().keys().map(ToString::to_string).collect();
            out(&format!(
                "{} categories, {} checks: every header is valid and every script compiles\n\
                 calendar.toml: holiday schedules for {}; other years are presumed leniently\n",
                set.catalog.categories.len(),
                set.rules.len(),
                if years.is_empty() { "no year".to_owned() } else { years.join(", ") }
            ))?;
            let this_year = crate::model::Ts(crate::store::now()).local_date().year();
            if !set.calendar.years().contains_key(&this_year) {
                note(cli, &format!("warning: calendar.toml has no holiday schedule for {this_year}, the current year: add it from the State Council's notice"));
            }
            Ok(Outcome::Ok)
        }
        RulesCmd::Api(a) => {
            match a.format {
                Format::Json => out_json(
                    &API_DOCS
                        .iter()
                        .map(|d| serde_json::json!({"signature": d.signature, "doc": d.doc}))
                        .collect::<Vec<_>>(),
                )?,
                Format::Text => {
                    let mut s = String::from("Functions a check can call (details and examples: docs/rules.md)\n\n");
                    for d in API_DOCS {
                        s.push_str(&format!("  {}\n      {}\n", d.signature, d.doc));
                    }
                    s.push_str("\nConstants: `c` (the case record; timestamps are integers, epoch seconds; dates are yyyymmdd integers)\n");
                    out(&s)?;
                }
            }
            Ok(Outcome::Ok)
        }
        RulesCmd::New(a) => new_rule(cli, a),
        RulesCmd::Score(a) => score(cli, a),
        RulesCmd::Export(a) => export(cli, a),
    }
}

fn list(cli: &Cli, a: &ListArgs) -> anyhow::Result<Outcome> {
    let set = load(cli)?;
    let rows: Vec<CategoryRow> = set
        .catalog
        .categories
        .iter()
        .filter(|c| a.category.as_ref().is_none_or(|f| *f == c.code || *f == c.group))
        .map(|c| CategoryRow {
            code: &c.code,
            name_zh: &c.name_zh,
            name_en: &c.name_en,
            group: &c.group,
            severity: c.severity,
            points: c.points,
            legal_basis: &c.legal_basis,
            unverified: c.unverified.as_deref(),
            checks: set.rules.iter().filter(|r| r.header.category == c.code).map(|r| r.header.id.as_str()).collect(),
        })
        .collect();
    match a.format {
        Format::Json => out_json(&rows)?,
        Format::Text => {
            let mut s = String::new();
            let mut group = "";
            for r in &rows {
                if r.group != group {
                    group = r.group;
                    let g = set.catalog.group(group);
                    s.push_str(&format!(
                        "\n{} {}  {}\n",
                        group,
                        g.map_or("", |g| g.name_zh.as_str()),
                        g.map_or("", |g| g.name_en.as_str())
                    ));
                }
                let checks = if r.checks.is_empty() { "(no check yet)".to_owned() } else { r.checks.join(", ") };
                s.push_str(&format!("  {}  {}  [{} pt]  {}\n", r.code, r.name_zh, r.points, checks));
            }
            let without = rows.iter().filter(|r| r.checks.is_empty()).count();
            s.push_str(&format!(
                "\n{} categories, {} checks, {} categories without a check\n",
                rows.len(),
                set.rules.len(),
                without
            ));
            out(&s)?;
        }
    }
    Ok(Outcome::Ok)
}

fn show(cli: &Cli, a: &ShowArgs) -> anyhow::Result<Outcome> {
    let set = load(cli)?;
    if let Some(r) = set.rules.iter().find(|r| r.header.id == a.id) {
        let h = &r.header;
        match a.format {
            Format::Json => out_json(&serde_json::json!({
                "id": h.id, "category": h.category, "title": h.title, "status": h.status, "since": h.since,
                "version": h.version, "kinds": h.kinds, "needs": h.needs, "cross_case": h.cross_case,
                "legal_basis": h.legal_basis, "unverified": h.unverified, "in_force": h.in_force,
                "limits": h.limits, "doc": h.doc, "path": r.path, "hash": r.hash,
                "due": { "act": r.due_act(), "statutory": r.statutory(), "declared": h.due },
            }))?,
            Format::Text => {
                let cat = set.catalog.category(&h.category);
                let mut s = format!("{} ({})\n{}\n\n", h.id, r.path.display(), h.title);
                s.push_str(&format!(
                    "category: {} {}\nstatus: {:?}{}  version: {}\n",
                    h.category,
                    cat.map_or("", |c| c.name_zh.as_str()),
                    h.status,
                    h.since.as_ref().map(|x| format!(" since {x}")).unwrap_or_default(),
                    h.version
                ));
                let kinds = if h.kinds.is_empty() {
                    "all".to_owned()
                } else {
                    h.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                };
                s.push_str(&format!(
                    "applies to: {kinds} cases; needs: {}\n",
                    if h.needs.is_empty() { "-".to_owned() } else { h.needs.join(", ") }
                ));
                s.push_str("legal basis:\n");
                for c in &h.legal_basis {
                    s.push_str(&format!("  - {c}\n"));
                }
                if let Some(u) = &h.unverified {
                    s.push_str(&format!("unverified: {u}\n"));
                }
                for (name, spec) in &h.limits {
                    s.push_str(&format!("limit {name}: {}\n", serde_json::to_string(spec).unwrap_or_default()));
                }
                s.push_str(&format!(
                    "running deadlines (xuncha due): 须于 … 前{}; {}{}\n",
                    r.due_act(),
                    if r.statutory() { "statutory" } else { "not statutory (local practice or unverified)" },
                    match &h.due {
                        Some(crate::engine::rule::DueSpec::Full(f)) if f.statutory.is_some() =>
                            " (declared by `due.statutory`)",
                        _ if h.unverified.is_some() => " (the header has `unverified`)",
                        _ => " (nothing in the header is unverified)",
                    }
                ));
                s.push('\n');
                s.push_str(h.doc.trim());
                s.push('\n');
                out(&s)?;
            }
        }
        return Ok(Outcome::Ok);
    }
    if let Some(c) = set.catalog.category(&a.id) {
        let checks: Vec<&str> =
            set.rules.iter().filter(|r| r.header.category == c.code).map(|r| r.header.id.as_str()).collect();
        match a.format {
            Format::Json => out_json(&serde_json::json!({"category": c, "checks": checks}))?,
            Format::Text => {
                let mut s = format!(
                    "{} {} ({})\ngroup {}, severity {:?}, {} point(s) per finding\n",
                    c.code, c.name_zh, c.name_en, c.group, c.severity, c.points
                );
                s.push_str("legal basis:\n");
                for l in &c.legal_basis {
                    s.push_str(&format!("  - {l}\n"));
                }
                if let Some(u) = &c.unverified {
                    s.push_str(&format!("unverified: {u}\n"));
                }
                s.push_str(&format!(
                    "checks: {}\n\n{}\n",
                    if checks.is_empty() { "(none)".into() } else { checks.join(", ") },
                    c.doc.trim()
                ));
                out(&s)?;
            }
        }
        return Ok(Outcome::Ok);
    }
    bail!("`{}` is neither a rule id nor a category code\n  help: `xuncha rules list` shows them", a.id)
}

fn test(cli: &Cli, a: &TestArgs) -> anyhow::Result<Outcome> {
    let set = load(cli)?;
    for id in &a.ids {
        if !set.rules.iter().any(|r| r.header.id == *id || r.header.category == *id) {
            bail!("`{id}` is neither a rule id nor a category code with checks");
        }
    }
    let results = run_fixtures_from(&set, &fixtures(cli, a.fixtures.as_ref()), &a.ids).map_err(anyhow::Error::msg)?;
    let (mut tp, mut fneg, mut fpos, mut failed, mut todo) = (0, 0, 0, 0, 0);
    let mut s = String::new();
    for r in &results {
        tp += r.true_positives();
        fneg += r.false_negatives().len();
        fpos += r.false_positives().len();
        if r.todo.is_some() {
            todo += 1;
        }
        if r.passed() {
            if !a.failures_only {
                let verdict = if r.todo.is_some() { "todo" } else { "ok  " };
                let what =
                    if r.expected.is_empty() { "silent".to_owned() } else { format!("flags {}", r.expected_text()) };
                s.push_str(&format!("{verdict} {} #{} {} ({what})\n", r.rule_id, r.entry + 1, r.name));
            }
        } else {
            failed += 1;
            s.push_str(&r.explain_failure());
        }
    }
    s.push_str(&format!(
        "\n{} fixture entries over {} checks: {} true positives, {} false negatives, {} false positives, {} todo\n{} passed, {} failed\n",
        results.len(),
        results.iter().map(|r| &r.rule_id).collect::<std::collections::BTreeSet<_>>().len(),
        tp,
        fneg,
        fpos,
        todo,
        results.len() - failed,
        failed
    ));
    out(&s)?;
    Ok(if failed > 0 { Outcome::Partial } else { Outcome::Ok })
}

fn new_rule(cli: &Cli, a: &NewArgs) -> anyhow::Result<Outcome> {
    let Some(rules_dir) = &cli.rules else {
        bail!(
            "`rules new` writes a new check into a rules directory, and the built-in rules cannot be changed\n  \
             help: write the built-in set out with `xuncha rules export DIR`, then `xuncha --rules DIR rules new …` \
             (in the source tree: `--rules rules`)"
        );
    };
    let set = load(cli)?;
    let cat = set
        .catalog
        .category(&a.category)
        .with_context(|| format!("category `{}` is not in categories.toml", a.category))?;
    let name_ok = regex::Regex::new(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$").map(|re| re.is_match(&a.name)).unwrap_or(false);
    if !name_ok {
        bail!("the name `{}` must be kebab case, e.g. `family-notice-late`", a.name);
    }
    if let Some(bad) = crate::engine::rule::disallowed_name(&a.name) {
        bail!(
            "the name `{}` starts or ends with `{bad}`; name the defect (e.g. `family-notice-late`), not the check",
            a.name
        );
    }
    let id = format!("{}-{}", a.category, a.name);
    if set.position(&id).is_some() {
        bail!("rule `{id}` exists already");
    }
    let folder = a.group.clone().unwrap_or_else(|| cat.group.to_lowercase());
    let path = rules_dir.join(&folder).join(format!("{id}.rhai"));
    let Fixtures::Dir(fixtures_dir) = fixtures(cli, a.fixtures.as_ref()) else {
        bail!("`rules new` needs a fixtures directory: pass --fixtures DIR");
    };
    let fixture = fixtures_dir.join(format!("{id}.json"));
    if path.exists() || fixture.exists() {
        bail!("`{}` or `{}` exists already", path.display(), fixture.display());
    }
    let headings: String = DOC_HEADINGS.iter().map(|h| format!("## {h}\n\n")).collect();
    let script = format!(
        r#"/*---
id = "{id}"
category = "{code}"
title = "{title}"
status = "{status}"
version = 1
kinds = []             # "administrative", "criminal"; empty = both
needs = []             # sections that must be present, e.g. ["measures"]
legal_basis = [
  {{ law = "", version = "", article = "" }},
]
# unverified = "which fact is not verified, and why"
# due = {{ act = "通知被拘留人家属", statutory = true }}   # a deadline check: what must be done by it (xuncha due)
doc = """
{headings}"""
---*/

let out = [];
// for m in c.measures {{
//     if overdue(deadline_hours(m.started_at, 24), m.family_notified_at) {{
//         out.push(finding(m.id, "…", #{{ started_at: local_time(m.started_at) }}));
//     }}
// }}
out
"#,
        code = cat.code,
        title = cat.name_zh,
        status = match Status::Preview {
            Status::Preview => "preview",
            _ => "stable",
        },
    );
    std::fs::create_dir_all(path.parent().unwrap_or(rules_dir))?;
    std::fs::write(&path, script).with_context(|| format!("writing {}", path.display()))?;
    std::fs::create_dir_all(&fixtures_dir)?;
    let fx = serde_json::json!([
        {"name": "flags: describe the violation", "expect": ["M1"], "case": {"case_id": "T-1", "kind": "criminal", "unit_id": "U1", "officers": [{"id": "O1", "role": "lead"}]}},
        {"name": "near miss: describe the boundary", "expect": [], "case": {"case_id": "T-2", "kind": "criminal", "unit_id": "U1", "officers": [{"id": "O1", "role": "lead"}]}}
    ]);
    std::fs::write(&fixture, format!("{}\n", serde_json::to_string_pretty(&fx)?))?;
    out(&format!(
        "created {}\ncreated {}\nnext: fill in the header and doc, write the check, then `xuncha rules test {id}`\n",
        path.display(),
        fixture.display()
    ))?;
    Ok(Outcome::Ok)
}

fn score(cli: &Cli, a: &ScoreArgs) -> anyhow::Result<Outcome> {
    let files = super::rule_files(cli)?;
    let set = load_from(cli, &files)?;
    let scripts = super::gen_cmd::injectors(cli, &files, a.inject.as_deref(), &set.calendar, true)?;
    let opts = crate::gen::GenOptions {
        cases: a.cases,
        seed: a.seed,
        from: jiff::civil::date(2025, 7, 1),
        to: jiff::civil::date(2026, 6, 30),
        error_rate: a.error_rate,
        only: a.only.clone(),
    };
    let s = crate::gen::score::score(&opts, &scripts, &set)?;
    let bad = s.categories.iter().any(|c| c.recall < 0.99 || c.precision < 0.99) || !s.rule_errors.is_empty();
    match a.format {
        Format::Json => {
            let mut v = serde_json::to_value(&s)?;
            v["rules"] = serde_json::to_value(set.used())?;
            out_json(&v)?;
        }
        Format::Text => {
            let mut t = format!(
                "{} generated cases, as of 2026-06-30\n{:<6} {:>8} {:>8} {:>8} {:>7} {:>9}\n",
                s.cases, "cat", "injected", "found", "tp", "recall", "precision"
            );
            for c in s.categories.iter().filter(|c| c.recall < a.below || c.precision < a.below) {
                t.push_str(&format!(
                    "{:<6} {:>8} {:>8} {:>8} {:>7.3} {:>9.3}\n",
                    c.category, c.injected, c.found, c.true_positives, c.recall, c.precision
                ));
                for fp in &c.false_positives {
                    t.push_str(&format!("         false positive: {fp}\n"));
                }
                for fneg in &c.false_negatives {
                    t.push_str(&format!("         false negative: {fneg}\n"));
                }
            }
            for e in &s.rule_errors {
                t.push_str(&format!("rule error: {e}\n"));
            }
            let with_script: std::collections::HashSet<&str> = scripts.codes().into_iter().collect();
            let missing: Vec<&str> =
                set.catalog.categories.iter().map(|c| c.code.as_str()).filter(|c| !with_script.contains(c)).collect();
            t.push_str(&format!("{} categories have no generator script yet\n", missing.len()));
            out(&t)?;
        }
    }
    Ok(if bad { Outcome::Partial } else { Outcome::Ok })
}

fn export(cli: &Cli, a: &ExportArgs) -> anyhow::Result<Outcome> {
    if cli.rules.is_some() {
        bail!("`rules export` writes the built-in rule set; it does not copy a rules directory (leave out --rules and XUNCHA_RULES)");
    }
    let files = RuleFiles::built_in();
    if !a.force && a.dir.join(crate::engine::source::CATALOG).exists() {
        bail!(
            "`{}` already holds a rule set; nothing was written\n  help: export into a new directory, or pass --force to overwrite its files",
            a.dir.display()
        );
    }
    // compiled first: what is written is exactly the set this binary runs
    let set = RuleSet::from_files(&files)?;
    let n = files.write_to(&a.dir).with_context(|| format!("writing the rule set into `{}`", a.dir.display()))?;
    let fixtures = Fixtures::export_built_in(&a.dir.join("fixtures"))
        .with_context(|| format!("writing the fixtures into `{}`", a.dir.join("fixtures").display()))?;
    let used = set.used();
    let readme = format!(
        "# xuncha rule set\n\n\
         Written by `xuncha rules export` from the rules built into xuncha {} (rules hash {}).\n\n\
         - `categories.toml` the categories; `calendar.toml` the holiday schedule;\n\
         - `g01/` … `g12/` one check per file (docs/rules.md in the source tree says how to write one);\n\
         - `inject/` the generator's scripts (`xuncha gen`, `xuncha rules score`);\n\
         - `fixtures/` each check's fixture cases.\n\n\
         Use it with `xuncha --rules {dir} …` or `XUNCHA_RULES={dir}`; test your edits with\n\
         `xuncha --rules {dir} rules check` and `xuncha --rules {dir} rules test`.\n",
        crate::engine::source::VERSION,
        used.hash,
        dir = a.dir.display()
    );
    std::fs::write(a.dir.join("README.md"), readme)?;
    out(&format!(
        "wrote the built-in rule set of xuncha {} (rules hash {}) into {}: {} files, {} fixture files\nuse it with `xuncha --rules {} …`\n",
        crate::engine::source::VERSION,
        used.hash,
        a.dir.display(),
        n,
        fixtures,
        a.dir.display()
    ))?;
    Ok(Outcome::Ok)
}

//! The rules engine: loads the catalog and the checks of a rule set (built in, or a
//! directory: [`source`]), compiles them, and runs
//! them over cases in parallel (an Engine and its own compiled scripts per rayon worker,
//! as shared/perf-notes.md measured).
//!
//! It owns no storage: it takes cases and yields findings and rule errors.

pub mod api;
pub mod calendar;
pub mod catalog;
pub mod index;
pub mod lint;
pub mod rule;
pub mod run;
pub mod source;
pub mod testing;
pub mod variant;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use source::{Origin, RuleFiles, RulesUsed};

use rhai::{Engine, EvalAltResult, OptimizationLevel, Position, AST};

pub use calendar::Calendar;
pub use catalog::{Catalog, Category};
pub use rule::Rule;

/// The name under which a script sees the case (`case` is a reserved word in rhai).
pub const CASE_CONSTANT: &str = "c";

/// Operations one check may spend on one case before it is stopped.
pub const MAX_OPERATIONS: u64 = 1_000_000;

#[derive(Debug, thiserror::Error)]
pub enum RuleLoadError {
    #[error("cannot read `{}`: {cause}", path.display())]
    Read { path: PathBuf, cause: std::io::Error },
    #[error("`{}`: bad header: {message}", path.display())]
    Toml { path: PathBuf, message: String },
    #[error("`{}`: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{}", render_compile_errors(.0))]
    Compile(Vec<CompileError>),
    #[error("the rule set ({}) has problems:\n{}", origin.describe(), .errors.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Many { origin: Origin, errors: Vec<RuleLoadError> },
}

/// A script that does not compile, with its position.
#[derive(Debug, Clone)]
pub struct CompileError {
    pub rule_id: String,
    pub source_name: String,
    pub source: String,
    pub message: String,
    pub line: usize,
    pub column: usize,
}

fn render_compile_errors(errs: &[CompileError]) -> String {
    let mut out = String::new();
    for e in errs {
        out.push_str(&frame(
            &format!("rule `{}` does not compile: {}", e.rule_id, e.message),
            &e.source_name,
            &e.source,
            e.line,
            e.column,
        ));
    }
    out.push_str("note: no case was checked and nothing was written; fix the script(s) and run again");
    out
}

/// A code frame (annotate-snippets) pointing at `line:column` of `source`.
pub fn frame(title: &str, origin: &str, source: &str, line: usize, column: usize) -> String {
    use annotate_snippets::{Level, Renderer, Snippet};
    if line == 0 {
        return format!("error: {title}\n  --> {origin}\n");
    }
    let mut offset = 0;
    for (i, l) in source.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = column.saturating_sub(1).min(l.trim_end().len());
            let start = offset + l.char_indices().nth(col).map_or(col, |(b, _)| b);
            let end = (start + 1).min(offset + l.trim_end().len()).max(start);
            let msg = Level::Error.title(title).snippet(
                Snippet::source(source)
                    .line_start(1)
                    .origin(origin)
                    .fold(true)
                    .annotation(Level::Error.span(start..end)),
            );
            return format!("{}\n", Renderer::plain().render(msg));
        }
        offset += l.len();
    }
    format!("error: {title}\n  --> {origin}:{line}:{column}\n")
}

/// Builds the sandboxed engine every worker uses (STYLE.md R10); `roll_over` and
/// `deadline_workdays` read `calendar`.
pub fn build_engine(calendar: &Arc<Calendar>) -> Engine {
    let mut engine = Engine::new();
    engine.set_optimization_level(OptimizationLevel::Full);
    engine.set_strict_variables(true);
    // the case's maps leave absent fields out (`model::leaving_out_absent`): a script reads
    // one as `()`, and a misspelt name is found when the script is compiled ([`lint`]), not
    // on the cases that happen to reach it
    engine.set_fail_on_invalid_map_property(false);
    engine.set_max_operations(MAX_OPERATIONS);
    engine.set_max_call_levels(32);
    engine.set_max_expr_depths(64, 32);
    engine.set_max_string_size(64 * 1024);
    engine.set_max_array_size(100_000);
    engine.set_max_map_size(10_000);
    engine.set_max_strings_interned(0);
    engine.disable_symbol("eval");
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    api::register(&mut engine, calendar);
    engine
}

/// The catalog and every check, loaded and compiled.
pub struct RuleSet {
    /// built in, or the directory it was read from
    pub origin: Origin,
    pub catalog: Catalog,
    pub rules: Arc<Vec<Rule>>,
    /// the holiday schedule (`calendar.toml`)
    pub calendar: Arc<Calendar>,
    /// blake3 over every rule's version tag and the calendar: a change re-checks each case
    /// with the rules whose effective version changed ([`RuleSet::effective_versions`])
    pub rules_hash: String,
}

/// The subdirectory of a rules directory that holds the generator's scripts, not checks.
pub const INJECT_DIR: &str = source::INJECT_DIR;

/// Compiles one script with its source name set.
pub fn compile(engine: &Engine, rule: &Rule) -> Result<AST, CompileError> {
    // declared as a variable, not a constant: with full optimization a constant's compile-time
    // value would be folded into the script
    let mut scope = rhai::Scope::new();
    scope.push(CASE_CONSTANT, rhai::Dynamic::UNIT);
    match engine.compile_with_scope(&scope, &rule.source) {
        Ok(mut ast) => {
            ast.set_source(rule.source_name.as_str());
            match lint::unknown_property(engine, &ast) {
                None => Ok(ast),
                Some(u) => Err(CompileError {
                    rule_id: rule.header.id.clone(),
                    source_name: rule.source_name.clone(),
                    source: rule.source.clone(),
                    message: format!(
                        "unknown property `{}`: not a field of the case format (docs/case.schema.json), a key of a map the script API returns, or a key this script builds; write `x[\"{}\"]` to read a key built elsewhere",
                        u.name, u.name
                    ),
                    line: u.line,
                    column: u.column,
                }),
            }
        }
        Err(e) => {
            let pos = e.position();
            Err(CompileError {
                rule_id: rule.header.id.clone(),
                source_name: rule.source_name.clone(),
                source: rule.source.clone(),
                message: e.err_type().to_string(),
                line: pos.line().unwrap_or(0),
                column: pos.position().unwrap_or(0),
            })
        }
    }
}

impl RuleSet {
    /// Loads `categories.toml`, `calendar.toml` and every check of a rules directory, then
    /// compiles all scripts. Every problem is listed, not only the first.
    pub fn load(dir: &Path) -> Result<RuleSet, RuleLoadError> {
        RuleSet::from_files(&RuleFiles::read_dir(dir)?)
    }

    /// The rule set built into this binary.
    pub fn built_in() -> Result<RuleSet, RuleLoadError> {
        RuleSet::from_files(&RuleFiles::built_in())
    }

    /// Loads and compiles a rule set from its files (built in or read from a directory).
    pub fn from_files(files: &RuleFiles) -> Result<RuleSet, RuleLoadError> {
        let catalog = Catalog::from_files(files)?;
        let calendar = Calendar::from_files(files)?;
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (rel, text) in files.checks() {
            let path = files.path(rel);
            match Rule::parse(text, rel, &path) {
                Ok(r) => {
                    if catalog.category(&r.header.category).is_none() {
                        errors.push(RuleLoadError::Invalid {
                            path,
                            message: format!("category `{}` is not in categories.toml", r.header.category),
                        });
                    } else if rules.iter().any(|x: &Rule| x.header.id == r.header.id) {
                        errors.push(RuleLoadError::Invalid {
                            path,
                            message: format!("rule id `{}` is used twice", r.header.id),
                        });
                    } else {
                        rules.push(r);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(RuleLoadError::Many { origin: files.origin.clone(), errors });
        }
        rules.sort_by(|a, b| a.header.id.cmp(&b.header.id));
        let calendar = Arc::new(calendar);
        let engine = build_engine(&calendar);
        let compile_errors: Vec<CompileError> = rules.iter().filter_map(|r| compile(&engine, r).err()).collect();
        if !compile_errors.is_empty() {
            return Err(RuleLoadError::Compile(compile_errors));
        }
        let mut h = blake3::Hasher::new();
        for r in &rules {
            h.update(r.header.id.as_bytes());
            h.update(r.version_tag().as_bytes());
        }
        h.update(calendar.hash.as_bytes());
        let rules_hash = h.finalize().to_hex()[..16].to_owned();
        Ok(RuleSet { origin: files.origin.clone(), catalog, rules: Arc::new(rules), calendar, rules_hash })
    }

    /// Which rule set this is, for messages, JSON output and the audit run's record.
    pub fn used(&self) -> RulesUsed {
        RulesUsed::new(&self.origin, &self.rules_hash)
    }

    /// Per rule, in rule order, what its findings depend on besides the case and the as-of
    /// instant: its version tag, and the calendar's hash for a rule that reads the calendar.
    /// A case is re-checked with exactly the rules whose effective version changed since its
    /// last audit (`audit_runs.rule_versions` keeps them per run).
    pub fn effective_versions(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|r| {
                if r.reads_calendar() {
                    format!("{}+calendar@{}", r.version_tag(), self.calendar.hash)
                } else {
                    r.version_tag()
                }
            })
            .collect()
    }

    /// Index of a rule by id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.header.id == id)
    }

    /// Resolves `--select` / `--ignore` (rule ids, category codes or group codes) to a mask.
    pub fn selection(&self, select: &[String], ignore: &[String]) -> Result<Vec<bool>, String> {
        let matches = |r: &Rule, sel: &str| {
            r.header.id == sel
                || r.header.category == sel
                || self.catalog.category(&r.header.category).is_some_and(|c| c.group == sel)
        };
        for s in select.iter().chain(ignore) {
            if !self.rules.iter().any(|r| matches(r, s)) {
                return Err(format!("`{s}` is neither a rule id, a category code nor a group code with checks"));
            }
        }
        Ok(self
            .rules
            .iter()
            .map(|r| {
                (select.is_empty() || select.iter().any(|s| matches(r, s))) && !ignore.iter().any(|s| matches(r, s))
            })
            .collect())
    }
}

/// Splits a rhai error into message and position, without the trailing "(line, position)".
pub fn describe_eval_error(e: &EvalAltResult) -> (String, Position, bool) {
    let limit = matches!(
        e,
        EvalAltResult::ErrorTooManyOperations(..)
            | EvalAltResult::ErrorStackOverflow(..)
            | EvalAltResult::ErrorDataTooLarge(..)
            | EvalAltResult::ErrorTerminated(..)
    );
    // the innermost error carries the most useful position
    let mut inner = e;
    while let EvalAltResult::ErrorInFunctionCall(_, _, next, _) = inner {
        inner = next;
    }
    let pos = inner.position();
    let mut msg = inner.to_string();
    if let Some(i) = msg.rfind(" (line ") {
        msg.truncate(i);
    }
    if let EvalAltResult::ErrorTooManyOperations(_) = inner {
        msg = format!("stopped after {MAX_OPERATIONS} operations (the limit)");
    }
    (msg, if pos.is_none() { e.position() } else { pos }, limit)
}

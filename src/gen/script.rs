//! The per-category generator scripts, `rules/inject/<CODE>.rhai`.
//!
//! Each script sees the case as the mutable variable `c` (the same shape checks see:
//! timestamps are integers), the string `mode` (`"comply"` or `"inject"`) and the integer
//! `as_of`. In `comply` mode it may add what a clean case needs for its category; in
//! `inject` mode it puts its category's error into the case and ends with the subject id
//! (or an array of them), or `()` when it cannot apply to this case. Helpers: `rand(n)`
//! (0..n-1), `chance(p)`, `hours(n)`, `days(n)`, `minutes(n)`, `new_id(prefix)`.

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rhai::{Dynamic, Engine, FuncRegistration, Scope, AST, INT};

use super::GenError;
use crate::engine::{build_engine, frame, Calendar, RuleFiles};
use crate::model::Case;

thread_local! {
    static RNG: RefCell<Option<ChaCha8Rng>> = const { RefCell::new(None) };
    static IDS: RefCell<(HashSet<String>, u32)> = RefCell::new((HashSet::new(), 0));
}

/// The compiled generator scripts.
pub struct Injectors {
    engine: Engine,
    /// (category code, where the script is, source, compiled)
    scripts: Vec<(String, PathBuf, String, AST)>,
}

fn with_rng<R>(f: impl FnOnce(&mut ChaCha8Rng) -> R, fallback: R) -> R {
    RNG.with(|r| match r.borrow_mut().as_mut() {
        Some(rng) => f(rng),
        None => fallback,
    })
}

fn gen_engine(calendar: &Arc<Calendar>) -> Engine {
    let mut e = build_engine(calendar);
    // the generator's cases keep their absent fields, so a misspelt name is still an error here
    e.set_fail_on_invalid_map_property(true);
    // `rand`, `chance` and `new_id` differ from call to call: registered as volatile, or the
    // full optimisation would call them once at compile time (no random source, no case yet)
    // and fold `chance(0.5)` to `false`, `rand(6)` to 0 and `new_id("A")` to one fixed id
    FuncRegistration::new("rand").with_volatility(true).register_into_engine(&mut e, |n: INT| -> INT {
        if n <= 0 {
            0
        } else {
            with_rng(|r| r.gen_range(0..n), 0)
        }
    });
    FuncRegistration::new("chance")
        .with_volatility(true)
        .register_into_engine(&mut e, |p: f64| -> bool { with_rng(|r| r.gen_bool(p.clamp(0.0, 1.0)), false) });
    e.register_fn("minutes", |n: INT| -> INT { n * 60 });
    e.register_fn("hours", |n: INT| -> INT { n * 3600 });
    e.register_fn("days", |n: INT| -> INT { n * 86_400 });
    FuncRegistration::new("new_id").with_volatility(true).register_into_engine(&mut e, |prefix: &str| -> String {
        IDS.with(|ids| {
            let mut ids = ids.borrow_mut();
            loop {
                ids.1 += 1;
                let id = format!("{prefix}{}", 90 + ids.1);
                if ids.0.insert(id.clone()) {
                    return id;
                }
            }
        })
    });
    e
}

impl Injectors {
    /// Loads and compiles every `<CODE>.rhai` in `dir` (a missing directory means none);
    /// the scripts' `roll_over` and `deadline_workdays` read `calendar`.
    pub fn load(dir: &Path, calendar: &Arc<Calendar>) -> Result<Injectors, GenError> {
        let mut sources = Vec::new();
        if dir.exists() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(|e| GenError::Script(format!("cannot read `{}`: {e}", dir.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
                .collect();
            files.sort();
            for f in files {
                let src = std::fs::read_to_string(&f)
                    .map_err(|e| GenError::Script(format!("cannot read `{}`: {e}", f.display())))?;
                sources.push((f, src));
            }
        }
        Injectors::compile(sources, calendar)
    }

    /// The scripts of a rule set (`inject/<CODE>.rhai`, built in or in a directory).
    pub fn from_files(files: &RuleFiles, calendar: &Arc<Calendar>) -> Result<Injectors, GenError> {
        let sources = files.injectors().map(|(rel, text)| (files.path(rel), text.to_owned())).collect();
        Injectors::compile(sources, calendar)
    }

    /// Compiles the scripts, each named by its file (the stem is the category code).
    fn compile(sources: Vec<(PathBuf, String)>, calendar: &Arc<Calendar>) -> Result<Injectors, GenError> {
        let engine = gen_engine(calendar);
        let mut scripts = Vec::new();
        let mut scope = Scope::new();
        // variables, not constants: the optimizer would fold a constant's compile-time value in
        scope.push("c", Dynamic::UNIT);
        scope.push("mode", Dynamic::UNIT);
        scope.push("as_of", Dynamic::UNIT);
        let mut errors = String::new();
        for (f, src) in sources {
            let code = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
            match engine.compile_with_scope(&scope, &src) {
                Ok(mut ast) => {
                    ast.set_source(f.display().to_string());
                    scripts.push((code, f, src, ast));
                }
                Err(e) => {
                    let p = e.position();
                    errors.push_str(&frame(
                        &format!("generator script does not compile: {}", e.err_type()),
                        &f.display().to_string(),
                        &src,
                        p.line().unwrap_or(0),
                        p.position().unwrap_or(0),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(GenError::Script(errors));
        }
        Ok(Injectors { engine, scripts })
    }

    /// Whether there is no script at all (nothing can be injected).
    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }

    /// Category codes that have a script.
    pub fn codes(&self) -> Vec<&str> {
        self.scripts.iter().map(|s| s.0.as_str()).collect()
    }

    /// Runs scripts `idxs` in `mode` over one conversion of the case; returns the case and
    /// the last script's result.
    fn run(
        &self,
        idxs: &[usize],
        mode: &str,
        case: Case,
        rng: &mut ChaCha8Rng,
        as_of: i64,
    ) -> Result<(Case, Dynamic), GenError> {
        let case_id = case.case_id.clone();
        let dynamic = rhai::serde::to_dynamic(&case).map_err(|e| GenError::Script(format!("case `{case_id}`: {e}")))?;
        let ids: HashSet<String> =
            crate::model::validate::sub_record_ids(&case).into_iter().map(|(_, id)| id.to_owned()).collect();
        IDS.with(|i| *i.borrow_mut() = (ids, 0));
        let mut scope = Scope::new();
        scope.push("c", dynamic);
        scope.push_constant("mode", mode.to_owned());
        scope.push_constant("as_of", as_of);
        let base = scope.len();
        let mut result = Dynamic::UNIT;
        for &idx in idxs {
            let (code, path, _, ast) = &self.scripts[idx];
            let seeded = ChaCha8Rng::from_seed({
                let mut s = [0u8; 32];
                rng.fill(&mut s);
                s[0] ^= code.bytes().fold(0u8, u8::wrapping_add);
                s
            });
            RNG.with(|r| *r.borrow_mut() = Some(seeded));
            let r = self.engine.eval_ast_with_scope::<Dynamic>(&mut scope, ast);
            RNG.with(|r| *r.borrow_mut() = None);
            scope.rewind(base);
            result = r.map_err(|e| {
                GenError::Script(format!("generator script `{}` ({mode}) on case `{case_id}`: {e}", path.display()))
            })?;
        }
        let c: Dynamic = scope.get_value("c").unwrap_or(Dynamic::UNIT);
        let case: Case = crate::model::from_internal(|| rhai::serde::from_dynamic(&c)).map_err(|e| {
            let who: Vec<&str> = idxs.iter().map(|&i| self.scripts[i].0.as_str()).collect();
            GenError::Script(format!(
                "generator script(s) {} ({mode}) on case `{case_id}`: the case no longer fits the format: {e}",
                who.join(", ")
            ))
        })?;
        Ok((case, result))
    }

    /// Runs every script in `comply` mode, over one conversion of the case.
    pub fn comply(&self, case: Case, rng: &mut ChaCha8Rng, as_of: i64) -> Result<Case, GenError> {
        if self.scripts.is_empty() {
            return Ok(case);
        }
        let all: Vec<usize> = (0..self.scripts.len()).collect();
        Ok(self.run(&all, "comply", case, rng, as_of)?.0)
    }

    /// Injects category `code`'s error; returns the case and the subjects (empty = did not apply).
    pub fn inject(
        &self,
        code: &str,
        case: Case,
        rng: &mut ChaCha8Rng,
        as_of: i64,
    ) -> Result<(Case, Vec<String>), GenError> {
        let Some(i) = self.scripts.iter().position(|s| s.0 == code) else { return Ok((case, vec![])) };
        let (case, result) = self.run(&[i], "inject", case, rng, as_of)?;
        let subjects: Vec<String> = if result.is_unit() {
            vec![]
        } else if let Some(a) = result.clone().try_cast::<rhai::Array>() {
            a.into_iter().filter_map(|x| x.into_string().ok()).collect()
        } else {
            match result.into_string() {
                Ok(s) => vec![s],
                Err(t) => {
                    return Err(GenError::Script(format!(
                    "generator script for `{code}` must end with a subject id, an array of them, or (); it gave {t}"
                )))
                }
            }
        };
        Ok((case, subjects))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_argument_helpers_are_not_folded_at_compile_time() {
        // `chance(0.5)`, `rand(6)` and `new_id("A")` with constant arguments: compiled as the
        // generator compiles, each call must draw again at run time
        let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let calendar = Arc::new(Calendar::load(&rules).unwrap_or_else(|e| panic!("{e}")));
        let src = r#"
            let out = [];
            for i in 0..200 { out.push(if chance(0.5) { "t" } else { "f" }); }
            for i in 0..200 { out.push("r" + rand(6)); }
            for i in 0..3 { out.push(new_id("A")); }
            out
        "#;
        let inj = Injectors::compile(vec![(PathBuf::from("T.rhai"), src.to_owned())], &calendar)
            .unwrap_or_else(|e| panic!("{e}"));
        RNG.with(|r| *r.borrow_mut() = Some(ChaCha8Rng::seed_from_u64(7)));
        IDS.with(|i| *i.borrow_mut() = (HashSet::new(), 0));
        let mut scope = Scope::new();
        scope.push("c", Dynamic::UNIT);
        scope.push_constant("mode", "inject".to_owned());
        scope.push_constant("as_of", 0 as INT);
        let out: rhai::Array =
            inj.engine.eval_ast_with_scope(&mut scope, &inj.scripts[0].3).unwrap_or_else(|e| panic!("{e}"));
        RNG.with(|r| *r.borrow_mut() = None);
        let got: Vec<String> = out.into_iter().map(|x| x.to_string()).collect();
        let count = |s: &str| got.iter().filter(|x| *x == s).count();
        assert!(count("t") > 50 && count("f") > 50, "chance(0.5): {} true, {} false", count("t"), count("f"));
        for k in 0..6 {
            assert!(count(&format!("r{k}")) > 0, "rand(6) never gave {k}");
        }
        let ids: HashSet<&String> = got.iter().filter(|x| x.starts_with('A')).collect();
        assert_eq!(ids.len(), 3, "new_id repeated an id: {got:?}");
    }
}

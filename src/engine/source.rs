//! Where a rule set comes from: the set built into the binary (the default), or a directory
//! given with `--rules DIR` / `XUNCHA_RULES`.
//!
//! Either way the files are the same layout, read into a [`RuleFiles`]: `categories.toml`,
//! `calendar.toml`, the checks `<group>/<id>.rhai` and the generator's scripts
//! `inject/<CODE>.rhai`. Every loader ([`super::RuleSet`], the catalog, the calendar, the
//! generator's [`crate::gen::script::Injectors`]) parses from these files, so a directory
//! and the built-in set go through the same code. The built-in files are embedded by
//! `build.rs` from the source tree's `rules/` (and the checks' fixtures from
//! `fixtures/rules/`) when the binary is built: they change only with the binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::RuleLoadError;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// The subdirectory of a rule set that holds the generator's scripts, not checks.
pub const INJECT_DIR: &str = "inject";

/// The catalog's file name.
pub const CATALOG: &str = "categories.toml";

/// The version of this xuncha, which is the version of its built-in rules.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where a rule set was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// built into this binary (its rules change only with the version)
    BuiltIn,
    /// a directory, as given
    Dir(PathBuf),
}

impl Origin {
    /// `built-in (xuncha 0.1.0)` or `directory /etc/xuncha/rules`.
    pub fn describe(&self) -> String {
        match self {
            Origin::BuiltIn => format!("built-in (xuncha {VERSION})"),
            Origin::Dir(d) => format!("directory {}", d.display()),
        }
    }
}

/// Which rule set a command used, as JSON output and the audit run record it:
/// `{"source": "built-in", "version": "0.1.0", "hash": "…"}` or
/// `{"source": "directory", "path": "rules", "hash": "…"}`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct RulesUsed {
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// the rules hash (every check's version and script hash, and the calendar)
    pub hash: String,
}

impl RulesUsed {
    pub fn new(origin: &Origin, hash: &str) -> RulesUsed {
        match origin {
            Origin::BuiltIn => {
                RulesUsed { source: "built-in".into(), version: Some(VERSION.into()), path: None, hash: hash.into() }
            }
            Origin::Dir(d) => RulesUsed {
                source: "directory".into(),
                version: None,
                path: Some(d.display().to_string()),
                hash: hash.into(),
            },
        }
    }

    /// The line commands print on stderr: `rules: built-in (xuncha 0.1.0), rules hash 1a2b…`.
    pub fn line(&self) -> String {
        match (&self.version, &self.path) {
            (_, Some(p)) => format!("rules: directory {p}, rules hash {}", self.hash),
            (v, None) => {
                format!("rules: built-in (xuncha {}), rules hash {}", v.as_deref().unwrap_or(VERSION), self.hash)
            }
        }
    }
}

/// The files of a rule set, by their path relative to the set's root (`/`-separated).
#[derive(Debug, Clone)]
pub struct RuleFiles {
    pub origin: Origin,
    files: BTreeMap<String, String>,
}

/// Whether a relative path is a file of a rule set: `*.rhai` and `*.toml`.
fn is_rule_file(rel: &str) -> bool {
    rel.ends_with(".rhai") || rel.ends_with(".toml")
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> Result<(), RuleLoadError> {
    let entries = std::fs::read_dir(dir).map_err(|cause| RuleLoadError::Read { path: dir.into(), cause })?;
    for entry in entries {
        let p = entry.map_err(|cause| RuleLoadError::Read { path: dir.into(), cause })?.path();
        if p.is_dir() {
            walk(root, &p, out)?;
            continue;
        }
        let Ok(rel) = p.strip_prefix(root) else { continue };
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        if is_rule_file(&rel) {
            let text = std::fs::read_to_string(&p).map_err(|cause| RuleLoadError::Read { path: p.clone(), cause })?;
            out.insert(rel, text);
        }
    }
    Ok(())
}

impl RuleFiles {
    /// The rule set built into this binary.
    pub fn built_in() -> RuleFiles {
        RuleFiles {
            origin: Origin::BuiltIn,
            files: embedded::RULE_FILES.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        }
    }

    /// Every `*.rhai` and `*.toml` below `dir`. A missing catalog is an error here, so that a
    /// wrong `--rules` says so first.
    pub fn read_dir(dir: &Path) -> Result<RuleFiles, RuleLoadError> {
        let catalog = dir.join(CATALOG);
        if let Err(cause) = std::fs::metadata(&catalog) {
            return Err(RuleLoadError::Read { path: catalog, cause });
        }
        let mut files = BTreeMap::new();
        walk(dir, dir, &mut files)?;
        Ok(RuleFiles { origin: Origin::Dir(dir.into()), files })
    }

    /// The built-in set, or the directory when one is given.
    pub fn select(dir: Option<&Path>) -> Result<RuleFiles, RuleLoadError> {
        match dir {
            Some(d) => RuleFiles::read_dir(d),
            None => Ok(RuleFiles::built_in()),
        }
    }

    /// The text of a file by its relative path.
    pub fn get(&self, rel: &str) -> Option<&str> {
        self.files.get(rel).map(String::as_str)
    }

    /// A file's text, or the error naming where it was looked for.
    pub fn read(&self, rel: &str) -> Result<&str, RuleLoadError> {
        self.get(rel).ok_or_else(|| RuleLoadError::Read {
            path: self.path(rel),
            cause: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file in the rule set"),
        })
    }

    /// Where a file is, for messages: the file in the directory, or `rules/<rel>` built in.
    pub fn path(&self, rel: &str) -> PathBuf {
        match &self.origin {
            Origin::Dir(d) => d.join(rel),
            Origin::BuiltIn => Path::new("rules").join(rel),
        }
    }

    /// Every file, by relative path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The checks: every `.rhai` outside `inject/`, sorted by path.
    pub fn checks(&self) -> impl Iterator<Item = (&str, &str)> {
        self.iter().filter(|(k, _)| k.ends_with(".rhai") && !k.starts_with(&format!("{INJECT_DIR}/")))
    }

    /// The generator's scripts: `inject/<CODE>.rhai`, sorted by path.
    pub fn injectors(&self) -> impl Iterator<Item = (&str, &str)> {
        self.iter().filter(|(k, _)| {
            k.strip_prefix(INJECT_DIR)
                .and_then(|r| r.strip_prefix('/'))
                .is_some_and(|r| r.ends_with(".rhai") && !r.contains('/'))
        })
    }

    /// Writes the files under `dir` in the same layout (so `--rules DIR` reads them back);
    /// returns how many were written. Existing files are overwritten.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<usize> {
        for (rel, text) in self.iter() {
            let p = dir.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&p, text)?;
        }
        Ok(self.files.len())
    }
}

/// The built-in checks' fixtures, `<rule id>.json` → text (from `fixtures/rules/`).
pub fn built_in_fixtures() -> impl Iterator<Item = (&'static str, &'static str)> {
    embedded::FIXTURE_FILES.iter().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_set_has_its_catalog_calendar_checks_and_scripts() {
        let f = RuleFiles::built_in();
        assert!(f.get(CATALOG).is_some());
        assert!(f.get("calendar.toml").is_some());
        assert!(f.checks().count() >= 100);
        assert!(f.injectors().count() >= 100);
        assert!(f.checks().all(|(k, _)| !k.starts_with("inject/")));
        assert!(built_in_fixtures().count() >= 100);
    }

    #[test]
    fn a_missing_directory_names_its_catalog() {
        match RuleFiles::read_dir(Path::new("/nonexistent/rules")) {
            Err(e) => assert!(e.to_string().contains("/nonexistent/rules/categories.toml"), "{e}"),
            Ok(_) => panic!("read a missing directory"),
        }
    }
}

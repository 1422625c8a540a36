//! The category catalog, `rules/categories.toml`: the 108 chronic-problem categories in
//! their groups, each with points, severity and legal basis. Codes are permanent.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::source::{RuleFiles, CATALOG};
use super::RuleLoadError;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    pub law: String,
    pub version: String,
    pub article: String,
}

impl std::fmt::Display for Citation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "《{}》（{}）{}", self.law, self.version, self.article)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub group: String,
    pub severity: Severity,
    pub points: i64,
    #[serde(default)]
    pub facts: Vec<String>,
    pub detectability: Option<String>,
    pub unverified: Option<String>,
    pub doc: String,
    #[serde(default)]
    pub legal_basis: Vec<Citation>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    #[serde(default, rename = "group")]
    pub groups: Vec<Group>,
    #[serde(default, rename = "category")]
    pub categories: Vec<Category>,
}

impl Catalog {
    /// Reads a catalog file.
    pub fn load(path: &Path) -> Result<Catalog, RuleLoadError> {
        let text = std::fs::read_to_string(path).map_err(|cause| RuleLoadError::Read { path: path.into(), cause })?;
        Catalog::parse(&text, path)
    }

    /// The catalog of a rule set (built in or a directory).
    pub fn from_files(files: &RuleFiles) -> Result<Catalog, RuleLoadError> {
        Catalog::parse(files.read(CATALOG)?, &files.path(CATALOG))
    }

    /// Parses and checks a catalog's text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Catalog, RuleLoadError> {
        let cat: Catalog =
            toml::from_str(text).map_err(|e| RuleLoadError::Toml { path: path.into(), message: e.to_string() })?;
        let mut seen = std::collections::HashSet::new();
        for c in &cat.categories {
            if !seen.insert(c.code.as_str()) {
                return Err(RuleLoadError::Invalid {
                    path: path.into(),
                    message: format!("category code `{}` appears twice", c.code),
                });
            }
            if !cat.groups.iter().any(|g| g.code == c.group) {
                return Err(RuleLoadError::Invalid {
                    path: path.into(),
                    message: format!("category `{}` names group `{}`, which is not defined", c.code, c.group),
                });
            }
        }
        Ok(cat)
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn group(&self, code: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.code == code)
    }
}

//! Persons on console pages: a suspect, victim, witness or guardian shows as surname + 某
//! (陈强 → 陈某, 欧阳明辉 → 欧阳某) and a resident ID number keeps its first 6 and last 4
//! characters. Officers are named in full: they are who is supervised.
//!
//! The names come from the stored records of the cases a page shows, so whatever text a
//! check wrote (message, evidence, what to verify) is masked whether or not the check
//! masked it itself. Only the case page, for the legal role, shows persons in full.

use crate::report::mask::mask_ids;
use crate::store::console::NamedPerson;

/// Two-character surnames (复姓) kept whole before 某.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐",
    "端木", "独孤", "南宫", "西门", "百里", "呼延", "轩辕", "万俟", "闻人", "澹台", "申屠", "太史", "钟离", "赫连",
];

/// `陈强` → `陈某`; a compound surname stays whole; a one-character name is left as it is.
pub fn masked_name(name: &str) -> String {
    let name = name.trim();
    let chars: Vec<char> = name.chars().collect();
    if chars.len() < 2 {
        return name.to_owned();
    }
    let surname = COMPOUND_SURNAMES
        .iter()
        .find(|s| chars.len() > 2 && name.starts_with(**s))
        .map_or_else(|| chars[0].to_string(), |s| (*s).to_owned());
    format!("{surname}某")
}

/// Masks the persons of a set of cases in any text.
#[derive(Debug, Default, Clone)]
pub struct Masker {
    /// (full name, masked), longest first so that a longer name is replaced before a
    /// shorter one it contains
    names: Vec<(String, String)>,
}

impl Masker {
    pub fn new(persons: &[NamedPerson]) -> Masker {
        let mut names: Vec<(String, String)> = persons
            .iter()
            .filter(|p| !p.is_unit)
            .filter_map(|p| p.name.as_deref())
            .map(str::trim)
            .filter(|n| n.chars().count() >= 2)
            .map(|n| (n.to_owned(), masked_name(n)))
            .collect();
        names.sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then_with(|| a.0.cmp(&b.0)));
        names.dedup();
        Masker { names }
    }

    /// `s` with every person's full name and every resident ID number masked.
    pub fn text(&self, s: &str) -> String {
        let mut out = mask_ids(s).into_owned();
        for (full, masked) in &self.names {
            if out.contains(full.as_str()) {
                out = out.replace(full.as_str(), masked);
            }
        }
        out
    }

    /// Every string in a JSON value masked (keys too: evidence is keyed by record ids,
    /// which are not names, but a key is text like any other).
    pub fn json(&self, v: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.json(x)).collect()),
            Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (self.text(k), self.json(x))).collect()),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> NamedPerson {
        NamedPerson { case_id: "C1".into(), name: Some(name.into()), id_number: None, is_unit: false }
    }

    #[test]
    fn names_become_surname_and_mou() {
        assert_eq!(masked_name("陈强"), "陈某");
        assert_eq!(masked_name("王秀英"), "王某");
        assert_eq!(masked_name("欧阳明辉"), "欧阳某");
        assert_eq!(masked_name("欧阳"), "欧某");
        assert_eq!(masked_name("李"), "李");
    }

    #[test]
    fn text_and_json_lose_names_and_id_numbers() {
        let m = Masker::new(&[person("陈强"), person("王秀英"), person("王秀")]);
        assert_eq!(
            m.text("询问未成年女性陈强（16 周岁），王秀英在场，身份证号330502200512310021"),
            "询问未成年女性陈某（16 周岁），王某在场，身份证号330502********0021"
        );
        let v = serde_json::json!({"persons": ["王秀", {"name": "陈强"}], "n": 3});
        assert_eq!(m.json(&v), serde_json::json!({"persons": ["王某", {"name": "陈某"}], "n": 3}));
    }

    #[test]
    fn organisations_keep_their_names() {
        let mut p = person("某某公司");
        p.is_unit = true;
        assert_eq!(Masker::new(&[p]).text("某某公司"), "某某公司");
    }
}

//! Persons on console pages: a suspect, victim, witness or guardian shows as surname + 某
//! (陈强 → 陈某, 欧阳明辉 → 欧阳某) and a resident ID number keeps its first 6 and last 4
//! characters, by [`crate::model::privacy`]. Officers are named in full: they are who is
//! supervised.
//!
//! The engine masks findings where they are made; pages mask again with the persons of the
//! stored records of the cases they show, so that findings stored before that (or any text
//! a check wrote) cannot name a person either. Only the case page, for the legal role, shows persons in full.

use crate::model::privacy::{mask_ids, mask_name};
use crate::store::console::NamedPerson;

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
            .map(|n| (n.to_owned(), mask_name(n)))
            .filter(|(n, m)| n != m)
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

//! Personal data in what leaves the legal office (未成年人保护法, 个人信息保护法): persons are
//! named as surname + 某, and resident ID numbers (居民身份证号码) are masked. Officers are
//! named in full: they are who is supervised.
//!
//! - [`mask_ids`]: a run of exactly 18 characters (17 digits and a digit or `X`) or exactly
//!   15 digits, not touching another ASCII letter or digit, keeps its first 6 and last 4
//!   characters: `330502199001011234` becomes `330502********1234`.
//! - [`mask_name`]: `陈强` becomes `陈某`, `欧阳娜娜` becomes `欧阳某`.
//! - [`PersonMasker`]: replaces the names of a case's persons in a text, and masks ID numbers.
//!   The engine runs every finding's message and evidence through it when the finding is made,
//!   so what is stored, listed and reported is already masked; every report passes its text
//!   through [`mask_ids`] once more before it is written.

use std::borrow::Cow;

use super::case::Case;

/// Chinese compound surnames (复姓) in common use: the name keeps both characters.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "太史", "端木", "上官", "司马", "东方", "独孤", "南宫", "万俟", "闻人", "夏侯", "诸葛", "尉迟", "公羊",
    "赫连", "澹台", "皇甫", "宗政", "濮阳", "公冶", "太叔", "申屠", "公孙", "慕容", "仲孙", "钟离", "长孙", "宇文",
    "司徒", "鲜于", "司空", "闾丘", "子车", "亓官", "司寇", "巫马", "公西", "颛孙", "壤驷", "公良", "漆雕", "乐正",
    "宰父", "谷梁", "拓跋", "夹谷", "轩辕", "令狐", "段干", "百里", "呼延", "东郭", "南门", "羊舌", "微生", "公户",
    "公玉", "公仪", "梁丘", "公仲", "公上", "公门", "公山", "公坚", "左丘", "公伯", "西门", "公祖", "第五", "公乘",
    "贯丘", "公皙", "南荣", "东里", "东宫", "仲长", "子书", "子桑", "即墨", "达奚", "褚师", "吴铭",
];

/// A person's name as reports show it: the surname and 某 (`陈某`); a compound surname keeps
/// both characters (`欧阳某`); a name written with a middle dot (`买买提·艾力`) or in Latin
/// letters keeps its first character. An empty name stays empty; a name already masked
/// (`陈某`) is returned as it is.
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return String::new() };
    if name.ends_with('某') && name.chars().count() <= 3 {
        return name.to_owned();
    }
    let two: String = name.chars().take(2).collect();
    if name.chars().count() > 2 && COMPOUND_SURNAMES.contains(&two.as_str()) {
        return format!("{two}某");
    }
    format!("{first}某")
}

/// Replaces the full names of one case's persons in texts, longest name first, and masks
/// resident ID numbers. Names of one character, and names that are also an officer's name,
/// are left alone (officers are named in full).
pub struct PersonMasker {
    names: Vec<(String, String)>,
}

impl PersonMasker {
    pub fn new(case: &Case) -> PersonMasker {
        let officers: Vec<&str> = case.officers.iter().filter_map(|o| o.name.as_deref()).map(str::trim).collect();
        let mut names: Vec<(String, String)> = case
            .persons
            .iter()
            .filter_map(|p| p.name.as_deref())
            .map(str::trim)
            .filter(|n| n.chars().count() >= 2 && !officers.contains(n))
            .map(|n| (n.to_owned(), mask_name(n)))
            .filter(|(n, m)| n != m)
            .collect();
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        names.dedup();
        PersonMasker { names }
    }

    /// The text with every person's name and every resident ID number masked.
    pub fn text<'a>(&self, s: &'a str) -> Cow<'a, str> {
        let mut out: Cow<'a, str> = Cow::Borrowed(s);
        for (name, masked) in &self.names {
            if out.contains(name.as_str()) {
                out = Cow::Owned(out.replace(name.as_str(), masked));
            }
        }
        match mask_ids(&out) {
            Cow::Borrowed(_) => out,
            Cow::Owned(o) => Cow::Owned(o),
        }
    }

    /// Every string inside a JSON value, masked in place.
    pub fn json(&self, v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                if let Cow::Owned(o) = self.text(s) {
                    *s = o;
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| self.json(x)),
            serde_json::Value::Object(m) => m.values_mut().for_each(|x| self.json(x)),
            _ => {}
        }
    }
}

/// Masks every resident ID number in `s`.
pub fn mask_ids(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        let digits = j - i;
        let mut end = j;
        if digits == 17 && j < bytes.len() && (bytes[j] == b'X' || bytes[j] == b'x') {
            end = j + 1;
        }
        let len = end - i;
        let isolated = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if isolated && (len == 18 || (len == 15 && digits == 15)) {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[copied..i + 6]);
            o.push_str(&"*".repeat(len - 10));
            o.push_str(&s[end - 4..end]);
            copied = end;
        }
        i = end.max(i + 1);
    }
    match out {
        Some(mut o) => {
            o.push_str(&s[copied..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::{mask_ids, mask_name, PersonMasker};

    #[test]
    fn names_become_surname_and_mou() {
        assert_eq!(mask_name("陈强"), "陈某");
        assert_eq!(mask_name("王小明"), "王某");
        assert_eq!(mask_name("欧阳娜娜"), "欧阳某");
        assert_eq!(mask_name("司马光"), "司马某");
        assert_eq!(mask_name("买买提·艾力"), "买某");
        assert_eq!(mask_name("John Smith"), "J某");
        assert_eq!(mask_name("陈某"), "陈某");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn a_case_masker_replaces_persons_but_not_officers() {
        let case: crate::model::Case = serde_json::from_value(serde_json::json!({
            "case_id": "C1", "kind": "administrative", "unit_id": "U1",
            "officers": [{"id": "O1", "name": "张伟", "role": "lead"}],
            "persons": [
                {"id": "P1", "name": "陈强", "id_number": "330502200912310021"},
                {"id": "P2", "name": "陈强强"},
                {"id": "P3", "name": "张伟"},
                {"id": "P4", "name": "李"}
            ]
        }))
        .expect("case");
        let m = PersonMasker::new(&case);
        assert_eq!(
            m.text("询问未成年女性陈强（16 周岁，330502200912310021）与陈强强，主办民警张伟；李"),
            "询问未成年女性陈某（16 周岁，330502********0021）与陈某，主办民警张伟；李"
        );
        let mut ev = serde_json::json!({"persons": ["陈强强", {"name": "陈强"}], "n": 3});
        m.json(&mut ev);
        assert_eq!(ev, serde_json::json!({"persons": ["陈某", {"name": "陈某"}], "n": 3}));
    }

    #[test]
    fn masks_18_and_15_character_numbers() {
        assert_eq!(mask_ids("330502199001011234"), "330502********1234");
        assert_eq!(mask_ids("身份证号33050219900101123X，男"), "身份证号330502********123X，男");
        assert_eq!(mask_ids("a 330502900101123 b"), "a 330502*****1123 b");
        assert_eq!(mask_ids("{\"id_number\":\"330502200512310021\"}"), "{\"id_number\":\"330502********0021\"}");
        assert_eq!(
            mask_ids("两人：110101199003071234、110101199003075678"),
            "两人：110101********1234、110101********5678"
        );
    }

    #[test]
    fn leaves_other_numbers_alone() {
        for s in [
            "JA-2026-0113",
            "1772431500",
            "13812345678",
            "3305021990010112345",
            "X330502199001011234",
            "33050219900101123",
            "0.5258140398662869",
        ] {
            assert_eq!(mask_ids(s), s);
        }
    }
}

//! A bureau's roster file for `xuncha roster import`: CSV with a header line naming the
//! columns `id`, `name`, `unit_id` and optionally `position`, in any order (a spreadsheet
//! saved as "CSV UTF-8"; a byte order mark is skipped). Every line is checked, and every bad
//! one is reported with its line number, before anything is written.

use std::collections::HashMap;
use std::io::Read;

use crate::store::officers::RosterEntry;

/// The columns a roster has; `position` may be left out.
pub const COLUMNS: &[&str] = &["id", "name", "unit_id", "position"];

/// A problem with one line of the file (line 1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

/// Reads and checks a roster. `Err` lists every bad line; nothing is imported then.
pub fn parse(mut input: impl Read) -> Result<Vec<RosterEntry>, Vec<LineError>> {
    let mut bytes = Vec::new();
    if let Err(e) = input.read_to_end(&mut bytes) {
        return Err(vec![LineError { line: 0, message: format!("cannot read the file: {e}") }]);
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    let mut errors = Vec::new();
    let mut records = reader.records();
    let header = match records.next() {
        None => {
            return Err(vec![LineError {
                line: 1,
                message: "the file is empty: expected a header line `id,name,unit_id[,position]`".into(),
            }])
        }
        Some(Err(e)) => return Err(vec![csv_error(&e, 1)]),
        Some(Ok(h)) => h,
    };
    let mut column: HashMap<&str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let name = h.trim().to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) if column.contains_key(c) => {
                errors.push(LineError { line: 1, message: format!("the header names column `{c}` twice") });
            }
            Some(c) => {
                column.insert(c, i);
            }
            None => errors.push(LineError {
                line: 1,
                message: format!(
                    "the header names an unknown column `{}` (the columns are {})",
                    h.trim(),
                    COLUMNS.join(", ")
                ),
            }),
        }
    }
    for required in &COLUMNS[..3] {
        if !column.contains_key(required) {
            errors.push(LineError { line: 1, message: format!("the header has no column `{required}`") });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut entries = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(&e, 0));
                continue;
            }
        };
        let line = rec.position().map_or(0, csv::Position::line);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rec.len() != header.len() {
            errors.push(LineError {
                line,
                message: format!("{} field(s), but the header has {}", rec.len(), header.len()),
            });
            continue;
        }
        let field = |c: &str| column.get(c).and_then(|&i| rec.get(i)).map(str::trim).unwrap_or_default();
        let mut missing = Vec::new();
        for c in &COLUMNS[..3] {
            if field(c).is_empty() {
                missing.push(format!("`{c}`"));
            }
        }
        if !missing.is_empty() {
            errors.push(LineError { line, message: format!("{} is empty", missing.join(" and ")) });
            continue;
        }
        let id = field("id").to_owned();
        if let Some(first) = seen.insert(id.clone(), line) {
            errors.push(LineError { line, message: format!("officer `{id}` is listed twice (first on line {first})") });
            continue;
        }
        let position = Some(field("position")).filter(|p| !p.is_empty()).map(str::to_owned);
        entries.push(RosterEntry {
            id,
            name: field("name").to_owned(),
            unit_id: field("unit_id").to_owned(),
            position,
        });
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

fn csv_error(e: &csv::Error, default_line: u64) -> LineError {
    let line = e.position().map_or(default_line, csv::Position::line);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "not valid UTF-8: save the spreadsheet as \"CSV UTF-8\" (a GBK file cannot be read)".to_owned()
        }
        _ => e.to_string(),
    };
    LineError { line, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_roster_in_any_column_order_with_a_bom_and_quotes() {
        let text =
            "\u{feff}name,unit_id,id,position\r\n张三,U01,U01-O01,\"所长, 一级警长\"\r\n李四,U02,U02-O01,\r\n\r\n";
        let got = parse(text.as_bytes()).expect("valid");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].id, "U01-O01");
        assert_eq!(got[0].position.as_deref(), Some("所长, 一级警长"));
        assert_eq!(got[1].position, None);
    }

    #[test]
    fn every_bad_line_is_named() {
        let text = "id,name,unit_id\nO1,张三,U01\nO2,,U01\nO1,李四,U02\nO3,王五\nO4,赵六,U01\n";
        let errs = parse(text.as_bytes()).expect_err("bad lines");
        let lines: Vec<u64> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5], "{errs:?}");
        assert!(errs[0].message.contains("`name` is empty"));
        assert!(errs[1].message.contains("listed twice (first on line 2)"));
        assert!(errs[2].message.contains("2 field(s), but the header has 3"));
    }

    #[test]
    fn the_header_must_name_the_columns() {
        let errs = parse("id,name,unit\nO1,张三,U01\n".as_bytes()).expect_err("bad header");
        assert!(errs.iter().any(|e| e.line == 1 && e.message.contains("unknown column `unit`")));
        assert!(errs.iter().any(|e| e.message.contains("no column `unit_id`")));
        let errs = parse(&b"id,name,unit_id\nO1,\xd5\xc5,U01\n"[..]).expect_err("GBK");
        assert!(errs[0].message.contains("CSV UTF-8"), "{errs:?}");
        assert_eq!(errs[0].line, 2);
    }
}

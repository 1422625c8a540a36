//! CSV for Excel: UTF-8 with a byte-order mark (so Chinese text opens intact), CRLF line
//! ends, RFC 4180 quoting. The report reads top to bottom: title, then each section's
//! heading, its paragraphs as one-cell rows, and its tables with a header row. A cell that
//! a spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) gets a leading `'`.

use super::doc::{Block, Doc};

pub const BOM: &str = "\u{feff}";

fn field(s: &str) -> String {
    let s =
        if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn line(cells: &[String], out: &mut String) {
    out.push_str(&cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
}

pub fn render(doc: &Doc) -> String {
    let mut out = String::from(BOM);
    line(std::slice::from_ref(&doc.title), &mut out);
    for s in &doc.subtitle {
        line(std::slice::from_ref(s), &mut out);
    }
    for section in &doc.sections {
        out.push_str("\r\n");
        line(std::slice::from_ref(&section.heading), &mut out);
        for b in &section.blocks {
            match b {
                Block::Para(p) | Block::Sub(p) => line(std::slice::from_ref(p), &mut out),
                Block::Table(t) => {
                    line(&t.headers, &mut out);
                    for r in &t.rows {
                        line(r, &mut out);
                    }
                }
                Block::Chart(_) => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quotes_and_guards_fields() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(field("-3"), "-3");
        assert_eq!(field("民警"), "民警");
    }
}

//! CSV for Excel: UTF-8 with a byte-order mark (so Chinese text opens intact), CRLF line
//! ends, RFC 4180 quoting. The report reads top to bottom: title, then each section's
//! heading, its paragraphs as one-cell rows, and its tables with a header row. A cell that
//! a spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) gets a leading `'`.

use std::io::Write;

use super::doc::{each_block, Block, Doc};
use super::ReportError;

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

fn io(e: std::io::Error) -> ReportError {
    ReportError::Io(e)
}

fn line(cells: &[String], out: &mut dyn Write) -> Result<(), ReportError> {
    write!(out, "{}\r\n", cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(",")).map_err(io)
}

fn block(b: &Block, out: &mut dyn Write) -> Result<(), ReportError> {
    match b {
        Block::Para(p) | Block::Sub(p) => line(std::slice::from_ref(p), out),
        Block::Table(t) => {
            line(&t.headers, out)?;
            t.rows.iter().try_for_each(|r| line(r, out))
        }
        Block::Rows(t) => {
            line(&t.headers, out)?;
            t.each_row(&mut |r, _| line(&r, out))
        }
        Block::Stream(s) => each_block(s, &mut |b| block(&b, out)),
        Block::Chart(_) => Ok(()),
    }
}

pub fn render(doc: &Doc, out: &mut dyn Write) -> Result<(), ReportError> {
    out.write_all(BOM.as_bytes()).map_err(io)?;
    line(std::slice::from_ref(&doc.title), out)?;
    for s in &doc.subtitle {
        line(std::slice::from_ref(s), out)?;
    }
    for section in &doc.sections {
        out.write_all(b"\r\n").map_err(io)?;
        line(std::slice::from_ref(&section.heading), out)?;
        for b in &section.blocks {
            block(b, out)?;
        }
    }
    Ok(())
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

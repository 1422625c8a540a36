//! Markdown: headings, paragraphs and pipe tables. Charts are left out.

use std::io::Write;

use super::doc::{each_block, Block, Doc};
use super::ReportError;

fn cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn io(e: std::io::Error) -> ReportError {
    ReportError::Io(e)
}

fn head(headers: &[String], numeric: &[bool], out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out).map_err(io)?;
    writeln!(out, "| {} |", headers.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | ")).map_err(io)?;
    writeln!(out, "|{}|", numeric.iter().map(|n| if *n { " ---: " } else { " --- " }).collect::<Vec<_>>().join("|"))
        .map_err(io)
}

fn row(r: &[String], out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "| {} |", r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")).map_err(io)
}

fn block(b: &Block, out: &mut dyn Write) -> Result<(), ReportError> {
    match b {
        Block::Para(p) => write!(out, "\n{}\n", cell(p)).map_err(io),
        Block::Sub(s) => write!(out, "\n### {}\n", cell(s)).map_err(io),
        Block::Table(t) => {
            head(&t.headers, &t.numeric, out)?;
            t.rows.iter().try_for_each(|r| row(r, out))
        }
        Block::Rows(t) => {
            head(&t.headers, &t.numeric, out)?;
            t.each_row(&mut |r, _| row(&r, out))
        }
        Block::Stream(s) => each_block(s, &mut |b| block(&b, out)),
        Block::Chart(_) => Ok(()),
    }
}

pub fn render(doc: &Doc, out: &mut dyn Write) -> Result<(), ReportError> {
    write!(out, "# {}\n\n", cell(&doc.title)).map_err(io)?;
    for s in &doc.subtitle {
        writeln!(out, "{}  ", cell(s)).map_err(io)?;
    }
    for section in &doc.sections {
        write!(out, "\n## {}\n", cell(&section.heading)).map_err(io)?;
        for b in &section.blocks {
            block(b, out)?;
        }
    }
    Ok(())
}

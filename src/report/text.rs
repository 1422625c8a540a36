//! Plain text for a terminal: titles underlined, paragraphs wrapped, tables aligned by
//! display width (a Chinese character takes two columns). Charts are left out.

use std::io::Write;

use super::doc::{each_block, Block, Doc, Lazy, Table};
use super::ReportError;

/// Columns a paragraph is wrapped to.
const WIDTH: usize = 96;

fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Display width in terminal columns.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn pad(s: &str, w: usize, right: bool) -> String {
    let fill = " ".repeat(w.saturating_sub(width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// Closing punctuation that must not start a line.
fn no_break_before(c: char) -> bool {
    "，。、；：？！）》」』】,.;:?!)".contains(c)
}

/// Wraps at `max` columns: between words of Latin text, between any two Chinese characters.
pub fn wrap(text: &str, max: usize, indent: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut tokens: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if is_wide(c) || c == ' ' {
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            tokens.push(c.to_string());
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    for t in tokens {
        let starts_punct = t.chars().next().is_some_and(no_break_before);
        if width(indent) + width(&line) + width(&t) > max && !line.trim().is_empty() && !starts_punct {
            lines.push(line.trim_end().to_owned());
            line = String::new();
            if t == " " {
                continue;
            }
        }
        line.push_str(&t);
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines.iter().map(|l| format!("{indent}{l}")).collect::<Vec<_>>().join("\n")
}

fn io(e: std::io::Error) -> ReportError {
    ReportError::Io(e)
}

fn line(cells: &[String], w: &[usize], numeric: &[bool], out: &mut dyn Write) -> Result<(), ReportError> {
    let n = w.len();
    let parts: Vec<String> = cells.iter().enumerate().take(n).map(|(i, c)| pad(c, w[i], numeric[i])).collect();
    writeln!(out, "  {}", parts.join("  ").trim_end()).map_err(io)
}

fn rule(w: &[usize], out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "  {}", w.iter().map(|x| "-".repeat(*x)).collect::<Vec<_>>().join("  ")).map_err(io)
}

fn table(t: &Table, out: &mut dyn Write) -> Result<(), ReportError> {
    let n = t.headers.len();
    let mut w: Vec<usize> = t.headers.iter().map(|h| width(h)).collect();
    for r in &t.rows {
        for (i, c) in r.iter().enumerate().take(n) {
            w[i] = w[i].max(width(c));
        }
    }
    line(&t.headers, &w, &t.numeric, out)?;
    rule(&w, out)?;
    for r in &t.rows {
        line(r, &w, &t.numeric, out)?;
    }
    Ok(())
}

/// A table read from the lists: once to measure the columns, once to write them.
fn lazy_table(t: &Lazy, out: &mut dyn Write) -> Result<(), ReportError> {
    let n = t.headers.len();
    let mut w: Vec<usize> = t.headers.iter().map(|h| width(h)).collect();
    t.each_row(&mut |r, _| {
        for (i, c) in r.iter().enumerate().take(n) {
            w[i] = w[i].max(width(c));
        }
        Ok(())
    })?;
    line(&t.headers, &w, &t.numeric, out)?;
    rule(&w, out)?;
    t.each_row(&mut |r, _| line(&r, &w, &t.numeric, out))
}

fn block(b: &Block, after_table: &mut bool, out: &mut dyn Write) -> Result<(), ReportError> {
    if let Block::Stream(s) = b {
        return each_block(s, &mut |b| block(&b, after_table, out));
    }
    if *after_table && !matches!(b, Block::Chart(_)) {
        writeln!(out).map_err(io)?;
    }
    *after_table = matches!(b, Block::Table(_) | Block::Rows(_));
    match b {
        Block::Para(p) => writeln!(out, "{}", wrap(p, WIDTH, "")).map_err(io),
        Block::Sub(s) => write!(out, "\n{s}\n").map_err(io),
        Block::Table(t) => table(t, out),
        Block::Rows(t) => lazy_table(t, out),
        Block::Chart(_) | Block::Stream(_) => Ok(()),
    }
}

pub fn render(doc: &Doc, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "{}\n{}", doc.title, "=".repeat(width(&doc.title))).map_err(io)?;
    for s in &doc.subtitle {
        writeln!(out, "{}", wrap(s, WIDTH, "")).map_err(io)?;
    }
    for section in &doc.sections {
        write!(out, "\n{}\n{}\n", section.heading, "-".repeat(width(&section.heading))).map_err(io)?;
        let mut after_table = false;
        for b in &section.blocks {
            block(b, &mut after_table, out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_two_columns_wide() {
        assert_eq!(width("单位A"), 5);
        assert_eq!(pad("民警", 6, false), "民警  ");
        assert_eq!(pad("12", 4, true), "  12");
    }

    #[test]
    fn wraps_without_starting_a_line_with_punctuation() {
        let s = "甲乙丙丁，戊己";
        let w = wrap(s, 8, "");
        assert_eq!(w, "甲乙丙丁，\n戊己");
        assert_eq!(wrap("one two three", 8, ""), "one two\nthree");
    }
}

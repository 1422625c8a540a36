//! Plain text for a terminal: titles underlined, paragraphs wrapped, tables aligned by
//! display width (a Chinese character takes two columns). Charts are left out.

use super::doc::{Block, Doc, Table};

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

fn table(t: &Table, out: &mut String) {
    let n = t.headers.len();
    let mut w: Vec<usize> = t.headers.iter().map(|h| width(h)).collect();
    for r in &t.rows {
        for (i, c) in r.iter().enumerate().take(n) {
            w[i] = w[i].max(width(c));
        }
    }
    let line = |cells: &[String], out: &mut String| {
        let parts: Vec<String> = cells.iter().enumerate().take(n).map(|(i, c)| pad(c, w[i], t.numeric[i])).collect();
        out.push_str("  ");
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(&t.headers, out);
    out.push_str("  ");
    out.push_str(&w.iter().map(|x| "-".repeat(*x)).collect::<Vec<_>>().join("  "));
    out.push('\n');
    for r in &t.rows {
        line(r, out);
    }
}

pub fn render(doc: &Doc) -> String {
    let mut out = String::new();
    out.push_str(&doc.title);
    out.push('\n');
    out.push_str(&"=".repeat(width(&doc.title)));
    out.push('\n');
    for s in &doc.subtitle {
        out.push_str(&wrap(s, WIDTH, ""));
        out.push('\n');
    }
    for section in &doc.sections {
        out.push('\n');
        out.push_str(&section.heading);
        out.push('\n');
        out.push_str(&"-".repeat(width(&section.heading)));
        out.push('\n');
        let mut after_table = false;
        for b in &section.blocks {
            if after_table && !matches!(b, Block::Chart(_)) {
                out.push('\n');
            }
            after_table = matches!(b, Block::Table(_));
            match b {
                Block::Para(p) => {
                    out.push_str(&wrap(p, WIDTH, ""));
                    out.push('\n');
                }
                Block::Sub(s) => {
                    out.push('\n');
                    out.push_str(s);
                    out.push('\n');
                }
                Block::Table(t) => table(t, &mut out),
                Block::Chart(_) => {}
            }
        }
    }
    out
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

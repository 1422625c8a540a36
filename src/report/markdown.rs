//! Markdown: headings, paragraphs and pipe tables. Charts are left out.

use super::doc::{Block, Doc};

fn cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub fn render(doc: &Doc) -> String {
    let mut out = format!("# {}\n\n", cell(&doc.title));
    for s in &doc.subtitle {
        out.push_str(&format!("{}  \n", cell(s)));
    }
    for section in &doc.sections {
        out.push_str(&format!("\n## {}\n", cell(&section.heading)));
        for b in &section.blocks {
            match b {
                Block::Para(p) => out.push_str(&format!("\n{}\n", cell(p))),
                Block::Sub(s) => out.push_str(&format!("\n### {}\n", cell(s))),
                Block::Table(t) => {
                    out.push('\n');
                    out.push_str(&format!(
                        "| {} |\n",
                        t.headers.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | ")
                    ));
                    out.push_str(&format!(
                        "|{}|\n",
                        t.numeric.iter().map(|n| if *n { " ---: " } else { " --- " }).collect::<Vec<_>>().join("|")
                    ));
                    for r in &t.rows {
                        out.push_str(&format!("| {} |\n", r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")));
                    }
                }
                Block::Chart(_) => {}
            }
        }
    }
    out
}

//! The HTML bulletin: one self-contained file (inline CSS, charts as inline SVG, no
//! scripts, no fonts or images to fetch; a Content-Security-Policy forbids any load) laid
//! out for A4 paper.

use std::fmt::Write;

use super::doc::{each_block, Block, Chart, Doc, Table};
use super::{Lang, ReportError};

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
@page { size: A4; margin: 16mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
html { background: #fff; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "SimSun", sans-serif;
       font-size: 10.5pt; line-height: 1.6; color: #111; max-width: 182mm; margin: 0 auto; }
@media screen { body { padding: 10mm 0; } }
header { border-bottom: 2.5pt solid #b00000; padding-bottom: 6pt; margin-bottom: 10pt; }
h1 { font-size: 18pt; color: #b00000; text-align: center; margin: 0 0 6pt; letter-spacing: 0.05em; }
header p { text-align: center; color: #444; font-size: 9pt; margin: 1pt 0; text-indent: 0; }
h2 { font-size: 13pt; margin: 14pt 0 6pt; padding-left: 6pt; border-left: 4pt solid #b00000; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10.5pt; margin: 10pt 0 3pt; break-after: avoid; page-break-after: avoid; }
p { margin: 3pt 0; }
:lang(zh) p { text-indent: 2em; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 4pt 0 8pt; }
thead { display: table-header-group; }
th, td { border: 0.5pt solid #9a9a9a; padding: 2pt 4pt; vertical-align: top; text-align: left; }
th { background: #efefef; font-weight: bold; white-space: nowrap; }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
tr.mark td { background: #fdecea; }
figure { margin: 6pt 0 10pt; break-inside: avoid; page-break-inside: avoid; text-align: center; }
figcaption { font-size: 8.5pt; color: #333; margin-top: 2pt; }
svg { max-width: 100%; height: auto; }
svg text { font-family: inherit; }
footer { margin-top: 16pt; border-top: 0.5pt solid #999; font-size: 8pt; color: #666; text-align: right; }
"#;

fn head(headers: &[String], numeric: &[bool], out: &mut String) {
    out.push_str("<table>\n<thead><tr>");
    for (i, h) in headers.iter().enumerate() {
        let class = if numeric.get(i).copied().unwrap_or(false) { " class=\"n\"" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", esc(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

fn row(r: &[String], numeric: &[bool], marked: bool, out: &mut String) {
    let class = if marked { " class=\"mark\"" } else { "" };
    let _ = write!(out, "<tr{class}>");
    for (i, c) in r.iter().enumerate() {
        let class = if numeric.get(i).copied().unwrap_or(false) { " class=\"n\"" } else { "" };
        let _ = write!(out, "<td{class}>{}</td>", esc(c));
    }
    out.push_str("</tr>\n");
}

const TABLE_END: &str = "</tbody>\n</table>\n";

fn table(t: &Table, out: &mut String) {
    head(&t.headers, &t.numeric, out);
    for (ri, r) in t.rows.iter().enumerate() {
        row(r, &t.numeric, t.marked.get(ri).copied().unwrap_or(false), out);
    }
    out.push_str(TABLE_END);
}

/// A round number at or above `max` for the top of an axis.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let exp = max.log10().floor();
    let base = 10f64.powf(exp);
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * base >= max {
            return m * base;
        }
    }
    10.0 * base
}

/// The top of an axis of counts with four gridlines at whole numbers.
fn count_axis(max: i64) -> i64 {
    let step = (max + 3) / 4;
    let step = (0..12)
        .flat_map(|e| [1, 2, 3, 4, 5, 6, 8].map(|m| m * 10_i64.pow(e)))
        .find(|s| *s >= step)
        .unwrap_or(step.max(1));
    (step * 4).max(4)
}

fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Bars per day: new findings, and those rectified or resolved.
fn series_svg(title: &str, new_label: &str, closed_label: &str, points: &[(String, i64, i64)], out: &mut String) {
    let (w, h) = (680.0_f64, 230.0_f64);
    let (left, right, top, bottom) = (40.0, 12.0, 28.0, 38.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let top_v = count_axis(points.iter().map(|p| p.1.max(p.2)).max().unwrap_or(0)) as f64;
    let n = points.len().max(1) as f64;
    let slot = plot_w / n;
    let y = |v: f64| top + plot_h - v / top_v * plot_h;
    let _ = write!(out, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" role=\"img\" aria-label=\"{}\">", esc(title));
    for i in 0..=4 {
        let v = top_v * f64::from(i) / 4.0;
        let yy = y(v);
        let _ = write!(
            out,
            "<line x1=\"{left:.1}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#ddd\" stroke-width=\"0.8\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"end\" fill=\"#555\">{}</text>",
            w - right,
            left - 4.0,
            yy + 3.0,
            fmt_num(v)
        );
    }
    let label_every = points.len().div_ceil(12).max(1);
    let bw = (slot * 0.38).max(0.8);
    for (i, (day, new, closed)) in points.iter().enumerate() {
        let x = left + slot * i as f64 + slot * 0.1;
        for (j, (v, color)) in [(*new, "#c0392b"), (*closed, "#1f5fa8")].into_iter().enumerate() {
            if v > 0 {
                let yy = y(v as f64);
                let _ = write!(
                    out,
                    "<rect x=\"{:.1}\" y=\"{yy:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{color}\"/>",
                    x + bw * j as f64,
                    top + plot_h - yy
                );
            }
        }
        if i % label_every == 0 || i + 1 == points.len() {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
                left + slot * (i as f64 + 0.5),
                h - bottom + 13.0,
                esc(day.get(5..).unwrap_or(day))
            );
        }
    }
    let _ = write!(
        out,
        "<line x1=\"{left:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333\" stroke-width=\"1\"/>",
        top + plot_h,
        w - right,
        top + plot_h
    );
    let _ = write!(
        out,
        "<rect x=\"{left:.1}\" y=\"8\" width=\"10\" height=\"10\" fill=\"#c0392b\"/><text x=\"{:.1}\" y=\"17\" font-size=\"10\">{}</text>\
         <rect x=\"{:.1}\" y=\"8\" width=\"10\" height=\"10\" fill=\"#1f5fa8\"/><text x=\"{:.1}\" y=\"17\" font-size=\"10\">{}</text>",
        left + 14.0,
        esc(new_label),
        left + 130.0,
        left + 144.0,
        esc(closed_label)
    );
    let _ = writeln!(out, "</svg><figcaption>{}</figcaption></figure>", esc(title));
}

/// Cuts `s` to `max` columns (a Chinese character takes two), ending in `…` if cut.
fn fit(s: &str, max: usize) -> String {
    if super::text::width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        if super::text::width(&out) + super::text::width(&c.to_string()) > max - 1 {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Horizontal bars, largest first as given.
fn bars_svg(title: &str, unit: &str, items: &[(String, f64)], out: &mut String) {
    if items.is_empty() {
        return;
    }
    let row = 20.0_f64;
    let (w, label_w, top) = (680.0_f64, 210.0_f64, 6.0_f64);
    let h = top * 2.0 + row * items.len() as f64;
    let max = items.iter().map(|i| i.1).fold(0.0_f64, f64::max);
    let top_v = nice_max(max);
    let plot_w = w - label_w - 60.0;
    let _ = write!(out, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" role=\"img\" aria-label=\"{}\">", esc(title));
    for (i, (label, v)) in items.iter().enumerate() {
        let yy = top + row * i as f64;
        let bw = (v / top_v * plot_w).max(0.5);
        let label = fit(label, 34);
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#222\">{}</text><rect x=\"{label_w:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"#b03a2e\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#222\">{}{}</text>",
            label_w - 6.0,
            yy + 14.0,
            esc(&label),
            yy + 3.0,
            row - 6.0,
            label_w + bw + 4.0,
            yy + 14.0,
            fmt_num(*v),
            esc(unit)
        );
    }
    let _ = writeln!(out, "</svg><figcaption>{}</figcaption></figure>", esc(title));
}

/// One chart as inline SVG in a `<figure>`, as the bulletin draws it (the console's
/// dashboard shows the same charts).
pub fn chart(c: &Chart) -> String {
    let mut out = String::new();
    match c {
        Chart::Series { title, new_label, closed_label, points } => {
            series_svg(title, new_label, closed_label, points, &mut out)
        }
        Chart::Bars { title, unit, items } => bars_svg(title, unit, items, &mut out),
    }
    out
}

fn io(e: std::io::Error) -> ReportError {
    ReportError::Io(e)
}

/// Writes what `buf` holds and empties it.
fn flush(buf: &mut String, out: &mut dyn std::io::Write) -> Result<(), ReportError> {
    out.write_all(buf.as_bytes()).map_err(io)?;
    buf.clear();
    Ok(())
}

fn block(b: &Block, buf: &mut String, out: &mut dyn std::io::Write) -> Result<(), ReportError> {
    match b {
        Block::Para(p) => {
            let _ = writeln!(buf, "<p>{}</p>", esc(p));
        }
        Block::Sub(s) => {
            let _ = writeln!(buf, "<h3>{}</h3>", esc(s));
        }
        Block::Table(t) => table(t, buf),
        Block::Rows(t) => {
            head(&t.headers, &t.numeric, buf);
            t.each_row(&mut |r, marked| {
                row(&r, &t.numeric, marked, buf);
                if buf.len() > 1 << 16 {
                    flush(buf, out)?;
                }
                Ok(())
            })?;
            buf.push_str(TABLE_END);
        }
        Block::Chart(Chart::Series { title, new_label, closed_label, points }) => {
            series_svg(title, new_label, closed_label, points, buf)
        }
        Block::Chart(Chart::Bars { title, unit, items }) => bars_svg(title, unit, items, buf),
        Block::Stream(s) => {
            each_block(s, &mut |b| {
                block(&b, buf, out)?;
                flush(buf, out)
            })?;
        }
    }
    Ok(())
}

pub fn render(doc: &Doc, out: &mut dyn std::io::Write) -> Result<(), ReportError> {
    let lang = match doc.lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    };
    let mut buf = String::new();
    let _ = write!(
        buf,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"xuncha\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
        esc(&doc.title),
        esc(&doc.title)
    );
    for s in &doc.subtitle {
        let _ = writeln!(buf, "<p>{}</p>", esc(s));
    }
    buf.push_str("</header>\n");
    for section in &doc.sections {
        let _ = writeln!(buf, "<section>\n<h2>{}</h2>", esc(&section.heading));
        for b in &section.blocks {
            block(b, &mut buf, out)?;
        }
        buf.push_str("</section>\n");
        flush(&mut buf, out)?;
    }
    buf.push_str("<footer>xuncha 巡查</footer>\n</body>\n</html>\n");
    flush(&mut buf, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a href='x'>&</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
    }

    #[test]
    fn long_labels_are_cut_by_width() {
        assert_eq!(fit("G02 Acceptance and filing", 34), "G02 Acceptance and filing");
        assert_eq!(fit("吴兴区公安分局月河派出所（一）", 20), "吴兴区公安分局月河…");
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(23.0), 25.0);
        assert_eq!(nice_max(180.0), 200.0);
        assert_eq!((count_axis(0), count_axis(1), count_axis(5), count_axis(9), count_axis(37)), (4, 4, 8, 12, 40));
    }
}

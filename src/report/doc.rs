//! The wording of every report, in Chinese and English, as a small document (title,
//! sections of paragraphs, tables and charts) that the text, Markdown, CSV and HTML
//! renderers lay out. Keeping the words here means the formats cannot drift apart.
//!
//! The long lists are not in the document: a [`Block::Rows`] table reads its rows from the
//! report's [`Lists`] as it is laid out (perhaps twice: plain text aligns its columns), and
//! a [`Block::Stream`] makes its blocks one at a time (the appendix, officer by officer).

use jiff::civil::Date;

use super::lists::{Each, Lists};
use super::model::{ClearedItem, DueItem, FindingItem, OfficerAppendix, OfficerRef, OfficerReport, Report, ReportKind};
use super::{Lang, ReportError};
use crate::model::{shanghai, Ts};

/// A report laid out in sections.
pub struct Doc<'a> {
    pub lang: Lang,
    pub title: String,
    pub subtitle: Vec<String>,
    pub sections: Vec<Section<'a>>,
}

pub struct Section<'a> {
    pub heading: String,
    pub blocks: Vec<Block<'a>>,
}

/// Takes the rows of a [`Lazy`] table one at a time: (cells, marked).
pub type RowSink<'s> = dyn FnMut(Vec<String>, bool) -> Result<(), ReportError> + 's;
/// Takes the blocks of a [`Block::Stream`] one at a time.
pub type BlockSink<'s, 'a> = dyn FnMut(Block<'a>) -> Result<(), ReportError> + 's;
type RowSource<'a> = Box<dyn Fn(&mut RowSink<'_>) -> Result<(), ReportError> + 'a>;
type BlockSource<'a> = Box<dyn Fn(&mut BlockSink<'_, 'a>) -> Result<(), ReportError> + 'a>;

pub enum Block<'a> {
    Para(String),
    /// a subheading inside a section (an officer in the appendix)
    Sub(String),
    Table(Table),
    /// drawn by the HTML renderer only
    Chart(Chart),
    /// a table whose rows are read as it is laid out
    Rows(Lazy<'a>),
    /// blocks made one at a time as they are laid out
    Stream(BlockSource<'a>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// a stable name, for CSV
    pub name: String,
    pub headers: Vec<String>,
    /// right-aligned (numeric) columns
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
    /// rows to emphasise (overdue, repeat)
    pub marked: Vec<bool>,
}

/// A table whose rows are read from the report's lists when it is laid out.
pub struct Lazy<'a> {
    pub name: String,
    pub headers: Vec<String>,
    pub numeric: Vec<bool>,
    rows: RowSource<'a>,
}

impl Lazy<'_> {
    /// Hands each row to `sink`, in order; may be called more than once.
    pub fn each_row(&self, sink: &mut RowSink<'_>) -> Result<(), ReportError> {
        (self.rows)(sink)
    }
}

/// Lays out the blocks of a stream, in order.
pub fn each_block<'a>(source: &BlockSource<'a>, sink: &mut BlockSink<'_, 'a>) -> Result<(), ReportError> {
    source(sink)
}

#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// new and closed findings per day
    Series { title: String, new_label: String, closed_label: String, points: Vec<(String, i64, i64)> },
    /// horizontal bars
    Bars { title: String, unit: String, items: Vec<(String, f64)> },
}

#[derive(Clone, Copy)]
struct L(Lang);

impl L {
    fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.0 {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    fn status(&self, s: &str) -> String {
        let (zh, en) = match s {
            "open" => ("待整改", "open"),
            "pushed" => ("已推送待整改", "pushed"),
            "rectified" => ("已整改", "rectified"),
            "waived" => ("已豁免", "waived"),
            "resolved" => ("已消除", "resolved"),
            other => (other, other),
        };
        self.t(zh, en).to_owned()
    }

    /// A finding's status as a list shows it. A review item (待核查) is not a rectification
    /// order: while it is open (or pushed) it reads 待核查, never 待整改.
    fn item_status(&self, s: &str, level: &str) -> String {
        if level != "review" {
            return self.status(s);
        }
        let (zh, en) = match s {
            "open" => ("待核查", "to verify"),
            "pushed" => ("已推送待核查", "pushed, to verify"),
            other => return self.status(other),
        };
        self.t(zh, en).to_owned()
    }

    fn num(&self, n: i64) -> String {
        let s = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 {
            format!("-{out}")
        } else {
            out
        }
    }

    fn pct(&self, x: Option<f64>) -> String {
        x.map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * 100.0))
    }

    fn days(&self, x: Option<f64>) -> String {
        x.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
    }

    /// `10.6 天`, or `—`.
    fn days_zh(&self, x: Option<f64>) -> String {
        x.map_or_else(|| "—".to_owned(), |v| format!("{v:.1} 天"))
    }

    fn opt(&self, x: Option<f64>) -> String {
        x.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
    }

    /// `增加 811（+10.8%）` / `up 811 (+10.8%)`; never starts with a sign, so that a
    /// spreadsheet does not take it for a formula.
    fn change(&self, now: i64, before: i64) -> String {
        let d = now - before;
        if d == 0 {
            return self.t("持平", "no change").to_owned();
        }
        let word = match (d > 0, self.0) {
            (true, Lang::Zh) => "增加",
            (false, Lang::Zh) => "减少",
            (true, Lang::En) => "up",
            (false, Lang::En) => "down",
        };
        let n = self.num(d.abs());
        if before == 0 {
            return format!("{word} {n}");
        }
        let p = d as f64 * 100.0 / before as f64;
        let p = if p >= 0.0 { format!("+{p:.1}%") } else { format!("−{:.1}%", -p) };
        match self.0 {
            Lang::Zh => format!("{word} {n}（{p}）"),
            Lang::En => format!("{word} {n} ({p})"),
        }
    }

    fn name(&self, zh: &Option<String>, en: &Option<String>) -> String {
        match self.0 {
            Lang::Zh => zh.clone().or_else(|| en.clone()).unwrap_or_default(),
            Lang::En => en.clone().or_else(|| zh.clone()).unwrap_or_default(),
        }
    }

    fn person(&self, id: &str, name: &Option<String>) -> String {
        match name {
            Some(n) => match self.0 {
                Lang::Zh => format!("{n}（{id}）"),
                Lang::En => format!("{n} ({id})"),
            },
            None => id.to_owned(),
        }
    }

    fn unit(&self, id: &Option<String>, name: &Option<String>) -> String {
        name.clone().or_else(|| id.clone()).unwrap_or_else(|| "—".to_owned())
    }

    fn sep(&self) -> &'static str {
        self.t("、", ", ")
    }

    fn weekday(&self, d: Date) -> &'static str {
        let i = usize::try_from(d.weekday().to_monday_zero_offset()).unwrap_or(0);
        let zh = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"];
        let en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        match self.0 {
            Lang::Zh => zh[i % 7],
            Lang::En => en[i % 7],
        }
    }

    /// `2026年3月1日` / `2026-03-01`.
    fn date(&self, d: Date) -> String {
        match self.0 {
            Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            Lang::En => d.strftime("%Y-%m-%d").to_string(),
        }
    }
}

fn parse_date(s: &str) -> Date {
    s.get(..10).and_then(|d| d.parse().ok()).unwrap_or_default()
}

/// A local time for display; midnight at the end of a day reads `24:00` of that day.
fn local_time(rfc: &str) -> String {
    let Ok(t) = Ts::parse(rfc) else { return rfc.to_owned() };
    let Ok(ts) = jiff::Timestamp::from_second(t.0) else { return rfc.to_owned() };
    let z = ts.to_zoned(shanghai().clone());
    if z.hour() == 0 && z.minute() == 0 && z.second() == 0 {
        if let Ok(y) = z.date().yesterday() {
            return format!("{} 24:00", y.strftime("%Y-%m-%d"));
        }
    }
    z.strftime("%Y-%m-%d %H:%M").to_string()
}

fn day_of(rfc: &str) -> String {
    local_time(rfc).get(..10).unwrap_or_default().to_owned()
}

fn table(name: &str, headers: &[&str], numeric: &[usize], rows: Vec<Vec<String>>) -> Table {
    let marked = vec![false; rows.len()];
    Table {
        name: name.to_owned(),
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        numeric: (0..headers.len()).map(|i| numeric.contains(&i)).collect(),
        rows,
        marked,
    }
}

fn title_of(l: &L, r: &Report) -> String {
    let first = parse_date(&r.period.first_day);
    let last = parse_date(&r.period.last_day);
    match (r.kind, l.0) {
        (ReportKind::Daily, Lang::Zh) => format!("执法巡查日清　{}（{}）", l.date(first), l.weekday(first)),
        (ReportKind::Daily, Lang::En) => format!("Daily clearance (日清): {} ({})", l.date(first), l.weekday(first)),
        (ReportKind::Weekly, Lang::Zh) => {
            let iso = first.iso_week_date();
            format!(
                "执法巡查周结　{}年第{}周（{}月{}日至{}月{}日）",
                iso.year(),
                iso.week(),
                first.month(),
                first.day(),
                last.month(),
                last.day()
            )
        }
        (ReportKind::Weekly, Lang::En) => {
            format!("Weekly wrap-up (周结): {} ({} to {})", r.period.key, r.period.first_day, r.period.last_day)
        }
        (ReportKind::Monthly, Lang::Zh) => format!("执法巡查月通报　{}年{}月", first.year(), first.month()),
        (ReportKind::Monthly, Lang::En) => format!("Monthly bulletin (月通报): {}", first.strftime("%B %Y")),
    }
}

/// An audit's as-of instant for display: an audit `--as-of 2026-06-29` runs as of the day's
/// last second, which reads `2026-06-29 24:00`.
fn audit_time(rfc: &str) -> String {
    match Ts::parse(rfc) {
        Ok(t) if (t.0 + 1).rem_euclid(86_400) == 16 * 3_600 => local_time(&Ts(t.0 + 1).rfc3339()),
        _ => local_time(rfc),
    }
}

/// Which audit the figures reflect, and what that makes of them.
fn state_of(l: &L, r: &Report) -> String {
    let audit = r.coverage.as_ref().and_then(|c| c.audit_as_of.as_deref()).map(audit_time);
    let latest = match (&audit, l.0) {
        (Some(a), Lang::Zh) => format!("数据截至最近一次巡查 {a}"),
        (Some(a), Lang::En) => format!("Figures as of the latest audit, {a}"),
        (None, Lang::Zh) => "尚无完成的巡查".to_owned(),
        (None, Lang::En) => "No audit has completed yet".to_owned(),
    };
    let covered = r.coverage.as_ref().is_some_and(|c| c.covered);
    match (&r.frozen_at, &r.freeze, l.0) {
        (Some(f), Some(z), Lang::Zh) if z.forced => format!(
            "数据截至 {}；本期未经完整巡查覆盖，由 {} 于 {} 强制冻结（{}），此后重出报告数字不变",
            local_time(&r.as_of),
            z.by,
            local_time(f),
            z.note.as_deref().unwrap_or("无说明")
        ),
        (Some(f), Some(z), Lang::En) if z.forced => format!(
            "Figures as of {}; no audit covered the period when {} forced it frozen at {} ({}); it will read the same when made again",
            local_time(&r.as_of),
            z.by,
            local_time(f),
            z.note.as_deref().unwrap_or("no note")
        ),
        (Some(f), Some(z), Lang::Zh) => format!(
            "数据截至 {}；本期已结束，经巡查（截至 {}）覆盖，于 {} 冻结，此后重出报告数字不变",
            local_time(&r.as_of),
            z.audit_as_of.as_deref().map_or_else(|| "—".to_owned(), audit_time),
            local_time(f)
        ),
        (Some(f), Some(z), Lang::En) => format!(
            "Figures as of {}; the period has closed, an audit (as of {}) covered it, and it was frozen at {}: it will read the same when made again",
            local_time(&r.as_of),
            z.audit_as_of.as_deref().map_or_else(|| "—".to_owned(), audit_time),
            local_time(f)
        ),
        (Some(f), None, Lang::Zh) => format!(
            "数据截至 {}；本期已结束，报告于 {} 冻结，此后重出报告数字不变",
            local_time(&r.as_of),
            local_time(f)
        ),
        (Some(f), None, Lang::En) => format!(
            "Figures as of {}; the period has closed and this report was frozen at {}, so it will read the same when made again",
            local_time(&r.as_of),
            local_time(f)
        ),
        (None, Some(z), Lang::Zh) => format!(
            "现时数字（{latest}）；本期已于 {} 冻结，冻结的数字见不加 --live 的报告，冻结后补录的见“本期冻结后补录”",
            local_time(&z.at)
        ),
        (None, Some(z), Lang::En) => format!(
            "Live figures ({latest}); the period was frozen at {}: the frozen figures are in the report without --live, what arrived since is under \"Added after freezing\"",
            local_time(&z.at)
        ),
        (None, None, Lang::Zh) if r.closed && covered => {
            format!("数据截至 {}；本期已结束（未能冻结，显示现时数字）", local_time(&r.as_of))
        }
        (None, None, Lang::En) if r.closed && covered => format!(
            "Figures as of {}; the period has closed (not frozen: these are the live figures)",
            local_time(&r.as_of)
        ),
        (None, None, Lang::Zh) if r.closed => format!("{latest}；本期尚未完成巡查，数字为临时数"),
        (None, None, Lang::En) => {
            if r.closed {
                format!("{latest}; no audit has covered the period yet: the figures are provisional")
            } else {
                format!("{latest}; the period is still running and the figures will change")
            }
        }
        (None, None, Lang::Zh) => format!("{latest}；本期尚未结束，数字仍会变化"),
    }
}

fn subtitle_of(l: &L, r: &Report) -> Vec<String> {
    let scope = match (&r.scope.unit_id, l.0) {
        (None, Lang::Zh) => "范围：全局".to_owned(),
        (None, Lang::En) => "Scope: the whole bureau".to_owned(),
        (Some(id), Lang::Zh) => format!("范围：{}（{id}）", r.scope.unit_name.clone().unwrap_or_else(|| id.clone())),
        (Some(id), Lang::En) => format!("Scope: {} ({id})", r.scope.unit_name.clone().unwrap_or_else(|| id.clone())),
    };
    vec![scope, state_of(l, r)]
}

/// Chinese section numbers.
fn nth(l: &L, i: usize, heading: &str) -> String {
    const ZH: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    match l.0 {
        Lang::Zh => format!("{}、{heading}", ZH.get(i).copied().unwrap_or("")),
        Lang::En => format!("{}. {heading}", i + 1),
    }
}

fn preview_note(l: &L, r: &Report) -> Option<String> {
    (r.preview_new > 0).then(|| match l.0 {
        Lang::Zh => format!("另有预览检查发现的问题 {} 个，仅列出，不计入统计。", l.num(r.preview_new)),
        Lang::En => format!("Preview checks found {} more, listed but not counted.", l.num(r.preview_new)),
    })
}

fn officers_text(l: &L, f: &FindingItem) -> String {
    officer_names(l, &f.officers)
}

fn category_text(l: &L, f: &FindingItem) -> String {
    category_label(l, &f.category, &f.category_zh, &f.category_en)
}

/// Officers by name (their id when the name is unknown), or a dash when there are none.
fn officer_names(l: &L, officers: &[OfficerRef]) -> String {
    let names: Vec<String> = officers.iter().map(|o| o.name.clone().unwrap_or_else(|| o.id.clone())).collect();
    if names.is_empty() {
        "—".to_owned()
    } else {
        names.join(l.sep())
    }
}

/// A category's code and name in the report's language (the code alone when unnamed).
fn category_label(l: &L, code: &str, zh: &Option<String>, en: &Option<String>) -> String {
    let n = l.name(zh, en);
    if n.is_empty() {
        code.to_owned()
    } else {
        format!("{code} {n}")
    }
}

fn status_text(l: &L, f: &FindingItem) -> String {
    let mut s = l.item_status(&f.status, &f.level);
    if f.overdue {
        s.push_str(l.t("（逾期）", " (overdue)"));
    }
    if f.preview {
        s.push_str(l.t("（预览，不计入）", " (preview, not counted)"));
    }
    if f.level == "review" {
        if matches!(f.status.as_str(), "open" | "pushed") {
            s.push_str(l.t("（不计入）", " (not counted)"));
        } else {
            s.push_str(l.t("（待核查事项，不计入）", " (item to verify, not counted)"));
        }
    }
    s
}

fn series_chart(l: &L, r: &Report) -> Chart {
    Chart::Series {
        title: l.t("每日新发现与整改（含消除）问题数", "Findings per day: new, and rectified or resolved").to_owned(),
        new_label: l.t("新发现", "new").to_owned(),
        closed_label: l.t("整改或消除", "rectified or resolved").to_owned(),
        points: r.series.iter().map(|p| (p.day.clone(), p.new, p.closed)).collect(),
    }
}

fn groups_chart(l: &L, r: &Report) -> Chart {
    Chart::Bars {
        title: l.t("按问题大类：本期新发现", "New findings by group").to_owned(),
        unit: l.t("个", "").to_owned(),
        items: r
            .groups
            .iter()
            .filter(|g| g.counts.new > 0)
            .map(|g| {
                let n = l.name(&g.name_zh, &g.name_en);
                (if n.is_empty() { g.code.clone() } else { format!("{} {n}", g.code) }, g.counts.new as f64)
            })
            .collect(),
    }
}

fn totals_para(l: &L, r: &Report) -> String {
    let c = &r.totals;
    let (this, end) = match (r.kind, l.0) {
        (ReportKind::Daily, Lang::Zh) => ("当日", "日终"),
        (ReportKind::Weekly, Lang::Zh) => ("本周", "周末"),
        (ReportKind::Monthly, Lang::Zh) => ("本月", "月末"),
        (ReportKind::Daily, Lang::En) => ("this day", "at the end of the day"),
        (ReportKind::Weekly, Lang::En) => ("this week", "at the end of the week"),
        (ReportKind::Monthly, Lang::En) => ("this month", "at the end of the month"),
    };
    match l.0 {
        Lang::Zh => {
            let mut s = format!("{this}受理案件 {} 起，巡查发现执法问题 {} 个", l.num(c.cases), l.num(c.new));
            if c.cases > 0 {
                s.push_str(&format!("（每百案 {:.1} 个）", c.new as f64 * 100.0 / c.cases as f64));
            }
            if let Some(p) = &r.previous {
                s.push_str(&format!("，较上月{}", l.change(c.new, p.totals.new)));
            }
            s.push_str(&format!(
                "。新发现问题中已推送整改 {} 个，推送率 {}；已整改或消除 {} 个，整改率 {}；豁免 {} 个。",
                l.num(c.new_pushed),
                l.pct(c.share_pushed),
                l.num(c.new_closed),
                l.pct(c.rectification_rate),
                l.num(c.new_waived)
            ));
            s.push_str(&format!(
                "{this}共整改 {} 个、巡查消除 {} 个、豁免 {} 个、复发 {} 个，整改用时中位数 {}。{end}待整改问题 {} 个（含往期遗留），{this}扣分 {} 分。",
                l.num(c.rectified),
                l.num(c.resolved),
                l.num(c.waived),
                l.num(c.reopened),
                l.days_zh(c.median_days_to_rectify),
                l.num(c.backlog),
                l.num(c.points)
            ));
            s
        }
        Lang::En => {
            let mut s = format!("Cases accepted {this}: {}; findings: {}", l.num(c.cases), l.num(c.new));
            if c.cases > 0 {
                s.push_str(&format!(" ({:.1} per 100 cases)", c.new as f64 * 100.0 / c.cases as f64));
            }
            if let Some(p) = &r.previous {
                s.push_str(&format!(", {} on the month before", l.change(c.new, p.totals.new)));
            }
            s.push_str(&format!(
                ". Of the new findings: pushed for rectification {} ({}), rectified or resolved {} (rectification rate {}), waived {}. ",
                l.num(c.new_pushed),
                l.pct(c.share_pushed),
                l.num(c.new_closed),
                l.pct(c.rectification_rate),
                l.num(c.new_waived)
            ));
            s.push_str(&format!(
                "In all, {this}: {} rectified, {} resolved by the audit, {} waived and {} reopened; median days to rectify {}. Open {end}: {} (earlier periods included). Points deducted: {}.",
                l.num(c.rectified),
                l.num(c.resolved),
                l.num(c.waived),
                l.num(c.reopened),
                l.days(c.median_days_to_rectify),
                l.num(c.backlog),
                l.num(c.points)
            ));
            s
        }
    }
}

/// The lists a table can read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListOf {
    New,
    ToFix,
    Review,
}

fn each_in(lists: &dyn Lists, which: ListOf, each: &mut Each<FindingItem>) -> Result<(), ReportError> {
    match which {
        ListOf::New => lists.new_findings(each),
        ListOf::ToFix => lists.to_fix(each),
        ListOf::Review => lists.review_items(each),
    }
}

fn count_in(lists: &dyn Lists, which: ListOf) -> Result<usize, ReportError> {
    let mut n = 0;
    each_in(lists, which, &mut |_| {
        n += 1;
        Ok(())
    })?;
    Ok(n)
}

fn lazy<'a>(name: &str, headers: &[&str], numeric: &[usize], rows: RowSource<'a>) -> Block<'a> {
    Block::Rows(Lazy {
        name: name.to_owned(),
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        numeric: (0..headers.len()).map(|i| numeric.contains(&i)).collect(),
        rows,
    })
}

fn finding_row(l: L, i: usize, f: &FindingItem, with_due: bool) -> Vec<String> {
    let mut row = vec![
        i.to_string(),
        l.unit(&Some(f.unit_id.clone()), &f.unit_name),
        officers_text(&l, f),
        f.case_id.clone(),
        category_text(&l, f),
        f.message.clone(),
        day_of(&f.first_seen),
    ];
    if with_due {
        row.push(f.due.clone());
    }
    row.push(status_text(&l, f));
    row
}

/// A numbered table of findings, read from the lists as it is laid out.
fn finding_table<'a>(l: L, name: &str, lists: &'a dyn Lists, which: ListOf) -> Block<'a> {
    lazy(
        name,
        &[
            l.t("序号", "No."),
            l.t("单位", "Unit"),
            l.t("民警", "Officers"),
            l.t("案件编号", "Case"),
            l.t("问题类别", "Category"),
            l.t("问题", "Finding"),
            l.t("发现日期", "Found"),
            l.t("整改期限", "Due"),
            l.t("状态", "Status"),
        ],
        &[0],
        Box::new(move |sink| {
            let mut i = 0;
            each_in(lists, which, &mut |f| {
                i += 1;
                sink(finding_row(l, i, &f, true), f.overdue || !f.counted())
            })
        }),
    )
}

fn daily<'a>(l: L, r: &'a Report, lists: &'a dyn Lists) -> Result<Vec<Section<'a>>, ReportError> {
    let c = &r.totals;
    let mut out = Vec::new();
    // one pass over the day's new findings: who is involved, and the counts per unit and
    // officer (the list itself is read again as it is laid out)
    let mut any_new = false;
    let mut units: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut officers: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut per: std::collections::BTreeMap<(String, String), (i64, i64, Vec<String>)> =
        std::collections::BTreeMap::new();
    lists.new_findings(&mut |f| {
        any_new = true;
        if !f.counted() {
            return Ok(());
        }
        units.insert(f.unit_id.clone());
        for o in &f.officers {
            officers.insert(o.id.clone());
            let e = per.entry((l.unit(&Some(f.unit_id.clone()), &f.unit_name), l.person(&o.id, &o.name))).or_default();
            e.0 += 1;
            e.1 += f.points;
            if !e.2.contains(&f.category) {
                e.2.push(f.category.clone());
            }
        }
        Ok(())
    })?;
    let (mut open, mut overdue) = (0usize, 0usize);
    lists.to_fix(&mut |f| {
        open += 1;
        overdue += usize::from(f.overdue);
        Ok(())
    })?;
    let mut cleared = 0usize;
    lists.cleared(&mut |_| {
        cleared += 1;
        Ok(())
    })?;
    let mut summary = match l.0 {
        Lang::Zh => format!(
            "当日新发现问题 {} 个，涉及 {} 个单位、{} 名民警；当日整改 {} 个、巡查消除 {} 个、豁免 {} 个，复发 {} 个。日终待整改问题 {} 个，其中逾期 {} 个。",
            l.num(c.new),
            units.len(),
            officers.len(),
            l.num(c.rectified),
            l.num(c.resolved),
            l.num(c.waived),
            l.num(c.reopened),
            l.num(c.backlog),
            overdue
        ),
        Lang::En => format!(
            "New findings: {} in {} units, {} officers involved; rectified {}, resolved by the audit {}, waived {}, reopened {}. Open at the end of the day: {}, {} of them overdue.",
            l.num(c.new),
            units.len(),
            officers.len(),
            l.num(c.rectified),
            l.num(c.resolved),
            l.num(c.waived),
            l.num(c.reopened),
            l.num(c.backlog),
            overdue
        ),
    };
    if let Some(p) = preview_note(&l, r) {
        summary.push_str(&p);
    }
    out.push(Section {
        heading: nth(&l, 0, l.t("概况", "Summary")),
        blocks: vec![Block::Para(summary), Block::Chart(series_chart(&l, r))],
    });

    let per_rows: Vec<Vec<String>> = per
        .into_iter()
        .map(|((u, o), (n, p, cats))| vec![u, o, n.to_string(), p.to_string(), cats.join(l.sep())])
        .collect();
    let mut blocks = Vec::new();
    if !any_new {
        blocks.push(Block::Para(l.t("当日没有新发现的问题。", "No new findings this day.").to_owned()));
    } else {
        blocks.push(Block::Table(table(
            "new_by_officer",
            &[
                l.t("单位", "Unit"),
                l.t("民警", "Officer"),
                l.t("问题数", "Findings"),
                l.t("扣分", "Points"),
                l.t("问题类别", "Categories"),
            ],
            &[2, 3],
            per_rows,
        )));
        blocks.push(finding_table(l, "new_findings", lists, ListOf::New));
    }
    out.push(Section {
        heading: nth(&l, 1, l.t("新发现问题（按单位、民警）", "New findings, by unit and officer")),
        blocks,
    });

    let mut blocks = vec![Block::Para(match l.0 {
        Lang::Zh => format!(
            "日终待整改问题共 {} 个，其中逾期 {} 个。整改期限为首次发现后 {} 天，请各单位督促责任民警按期整改。",
            l.num(i64::try_from(open).unwrap_or(0)),
            overdue,
            r.options.fix_days
        ),
        Lang::En => format!(
            "{} findings are open at the end of the day, {} of them overdue. Each is due {} days after it was first found.",
            l.num(i64::try_from(open).unwrap_or(0)),
            overdue,
            r.options.fix_days
        ),
    })];
    if open > 0 {
        blocks.push(finding_table(l, "to_fix", lists, ListOf::ToFix));
    }
    out.push(Section { heading: nth(&l, 2, l.t("待整改问题及期限", "To be fixed, and by when")), blocks });

    let mut blocks = Vec::new();
    if cleared == 0 {
        blocks.push(Block::Para(
            l.t("当日没有整改、消除或豁免的问题。", "Nothing was rectified, resolved or waived this day.").to_owned(),
        ));
    } else {
        blocks.push(lazy(
            "cleared",
            &[
                l.t("时间", "Time"),
                l.t("单位", "Unit"),
                l.t("案件编号", "Case"),
                l.t("问题类别", "Category"),
                l.t("处理", "Action"),
                l.t("经办", "By"),
                l.t("说明", "Note"),
            ],
            &[],
            Box::new(move |sink| lists.cleared(&mut |c| sink(cleared_row(&l, &c), false))),
        ));
    }
    out.push(Section { heading: nth(&l, 3, l.t("当日已清", "Cleared this day")), blocks });
    out.push(due_section(&l, r, 4));
    Ok(out)
}

/// The minute by which a running deadline's act must be done (`2026-07-02 24:00`).
fn due_time(rfc: &str) -> String {
    Ts::parse(rfc).map_or_else(|_| rfc.to_owned(), |t| crate::engine::run::due_time_text(t.0))
}

fn due_kind(l: &L, d: &DueItem) -> String {
    let mut s = if d.statutory { l.t("法定", "statutory") } else { l.t("非法定", "not statutory") }.to_owned();
    if d.level == "review" {
        s.push_str(l.t("（逾期列为待核查）", " (to verify when late)"));
    }
    if d.preview {
        s.push_str(l.t("（预览检查）", " (preview check)"));
    }
    s
}

/// 即将到期: deadlines still running that end within 24 hours and 7 days, per unit.
fn due_section<'a>(l: &L, r: &'a Report, i: usize) -> Section<'a> {
    let mut blocks = Vec::new();
    let found = r.due_found_as_of.as_deref().map(local_time);
    blocks.push(Block::Para(match (l.0, &found) {
        (Lang::Zh, Some(f)) => format!(
            "截至 {} 仍在进行、将于 24 小时和 7 日内届满的办案期限（据巡查日期为 {f} 的巡查结果）。期限届满前办理完毕即不构成问题；逾期仍未办理的，届满后的巡查将列为问题。“非法定”指时限出自地方标准、部署设定或未经核实的依据。",
            local_time(&r.as_of)
        ),
        (Lang::En, Some(f)) => format!(
            "Deadlines still running at {} that end within 24 hours and within 7 days (as the audit dated {f} found them). Done in time, they raise nothing; still undone when they pass, the next audit reports them. \"Not statutory\": the limit comes from local practice, a deployment's setting or a source not verified.",
            local_time(&r.as_of)
        ),
        (Lang::Zh, None) => "尚无巡查结果，无法列出即将届满的期限。".to_owned(),
        (Lang::En, None) => "No audit has run yet: there are no running deadlines to list.".to_owned(),
    }));
    if r.due_units.is_empty() {
        if found.is_some() {
            blocks.push(Block::Para(
                l.t("未来 7 日内没有届满的期限。", "No deadline ends within the next 7 days.").to_owned(),
            ));
        }
        return Section { heading: nth(l, i, l.t("即将到期", "Deadlines about to pass (即将到期)")), blocks };
    }
    blocks.push(Block::Table(table(
        "due_by_unit",
        &[
            l.t("单位", "Unit"),
            l.t("24 小时内", "Within 24 h"),
            l.t("7 日内", "Within 7 days"),
            l.t("其中非法定", "of which not statutory"),
        ],
        &[1, 2, 3],
        r.due_units
            .iter()
            .map(|u| {
                vec![
                    l.unit(&Some(u.unit_id.clone()), &u.unit_name),
                    l.num(u.within_24h),
                    l.num(u.within_7d),
                    l.num(u.not_statutory),
                ]
            })
            .collect(),
    )));
    if r.due_24h.is_empty() {
        blocks.push(Block::Para(
            l.t("未来 24 小时内没有届满的期限。", "No deadline ends within the next 24 hours.").to_owned(),
        ));
    } else {
        blocks.push(Block::Para(l.t("24 小时内届满：", "Ending within 24 hours:").to_owned()));
        let rows: Vec<Vec<String>> = r
            .due_24h
            .iter()
            .enumerate()
            .map(|(n, d)| {
                vec![
                    (n + 1).to_string(),
                    due_time(&d.deadline),
                    l.unit(&Some(d.unit_id.clone()), &d.unit_name),
                    officer_names(l, &d.officers),
                    d.case_id.clone(),
                    category_label(l, &d.category, &d.category_zh, &d.category_en),
                    d.message.clone(),
                    due_kind(l, d),
                ]
            })
            .collect();
        let mut t = table(
            "due_24h",
            &[
                l.t("序号", "No."),
                l.t("期限", "Deadline"),
                l.t("单位", "Unit"),
                l.t("民警", "Officers"),
                l.t("案件编号", "Case"),
                l.t("问题类别", "Category"),
                l.t("须办理", "To do"),
                l.t("时限", "Limit"),
            ],
            &[0],
            rows,
        );
        t.marked = r.due_24h.iter().map(|d| !d.statutory).collect();
        blocks.push(Block::Table(t));
    }
    Section { heading: nth(l, i, l.t("即将到期", "Deadlines about to pass (即将到期)")), blocks }
}

fn cleared_row(l: &L, c: &ClearedItem) -> Vec<String> {
    let by = if c.by == "audit" { l.t("巡查", "audit").to_owned() } else { c.by.clone() };
    vec![
        local_time(&c.at),
        l.unit(&Some(c.finding.unit_id.clone()), &c.finding.unit_name),
        c.finding.case_id.clone(),
        category_text(l, &c.finding),
        l.status(&c.action),
        by,
        c.note.clone().unwrap_or_default(),
    ]
}

/// 待核查事项: the review items of the period, in a section of their own.
fn review_section<'a>(l: L, r: &'a Report, lists: &'a dyn Lists, n: usize) -> Result<Section<'a>, ReportError> {
    let count = count_in(lists, ListOf::Review)?;
    let this = match (r.kind, l.0) {
        (ReportKind::Daily, Lang::Zh) => "当日",
        (ReportKind::Weekly, Lang::Zh) => "本周",
        (ReportKind::Monthly, Lang::Zh) => "本月",
        (ReportKind::Daily, Lang::En) => "this day",
        (ReportKind::Weekly, Lang::En) => "this week",
        (ReportKind::Monthly, Lang::En) => "this month",
    };
    let mut blocks = vec![Block::Para(match l.0 {
        Lang::Zh if count == 0 => format!("{this}没有新的待核查事项。"),
        Lang::En if count == 0 => format!("No new items to verify {this}."),
        Lang::Zh => format!(
            "{this}新发现待核查事项 {} 项：记录显示主要规定未被遵守，但法律规定的例外可能适用而记录无法显示，请法制员按“核查要点”逐项核实。待核查事项不计入问题数，不扣分；核实例外成立的，予以豁免并注明。",
            l.num(i64::try_from(count).unwrap_or(0))
        ),
        Lang::En => format!(
            "{} new items to verify {this}: the record breaks the main rule, but an exception the law grants may apply and the record cannot show whether it does. A legal officer checks each as the last column says. They are not counted among the findings and cost no points; an exception that holds is waived with a note.",
            l.num(i64::try_from(count).unwrap_or(0))
        ),
    })];
    if count > 0 {
        blocks.push(review_table(l, lists));
    }
    Ok(Section { heading: nth(&l, n, l.t("待核查事项", "To verify (待核查)")), blocks })
}

fn review_headers(l: L) -> [&'static str; 9] {
    [
        l.t("序号", "No."),
        l.t("单位", "Unit"),
        l.t("民警", "Officers"),
        l.t("案件编号", "Case"),
        l.t("问题类别", "Category"),
        l.t("问题", "Finding"),
        l.t("核查要点", "To verify"),
        l.t("发现日期", "Found"),
        l.t("状态", "Status"),
    ]
}

fn review_row(l: L, i: usize, f: &FindingItem) -> Vec<String> {
    vec![
        i.to_string(),
        l.unit(&Some(f.unit_id.clone()), &f.unit_name),
        officers_text(&l, f),
        f.case_id.clone(),
        category_text(&l, f),
        f.message.clone(),
        f.verify.clone().unwrap_or_default(),
        day_of(&f.first_seen),
        l.item_status(&f.status, &f.level),
    ]
}

fn review_table<'a>(l: L, lists: &'a dyn Lists) -> Block<'a> {
    lazy(
        "review_items",
        &review_headers(l),
        &[0],
        Box::new(move |sink| {
            let mut i = 0;
            lists.review_items(&mut |f| {
                i += 1;
                sink(review_row(l, i, &f), false)
            })
        }),
    )
}

/// The key of the period of the report's kind that a finding was first seen in.
fn period_of(r: &Report, f: &FindingItem) -> String {
    let day = crate::report::period::local_date(Ts::parse(&f.first_seen).map(|t| t.0).unwrap_or(0));
    crate::report::period::Period::containing(r.period.kind, day).map(|p| p.key).unwrap_or_default()
}

/// 往期补录 (or, in the live view of a frozen period, 本期冻结后补录): what arrived for frozen
/// periods after they froze. Left out when nothing did.
fn late_section<'a>(l: L, r: &'a Report, lists: &'a dyn Lists, n: usize) -> Option<Section<'a>> {
    if r.late.is_empty() {
        return None;
    }
    let itself = r.frozen_at.is_none() && r.freeze.is_some();
    let (cases, findings) = r.late.iter().fold((0, 0), |(c, f), x| (c + x.cases, f + x.findings));
    let para = match (itself, l.0) {
        (false, Lang::Zh) => format!(
            "以下为已冻结的往期在冻结后补录的案件 {} 起、问题 {} 个。它们不改变往期已公布的数字，也不计入本期数字，在此按所属时段列出。",
            l.num(cases),
            l.num(findings)
        ),
        (false, Lang::En) => format!(
            "Earlier, frozen periods received {} cases and {} findings after they froze. Their published figures stay as they were and this period's do not count them: they are listed here by the period they belong to.",
            l.num(cases),
            l.num(findings)
        ),
        (true, Lang::Zh) => format!(
            "本期冻结后补录案件 {} 起、问题 {} 个，已计入以上现时数字，未计入冻结的数字；下期报告的“往期补录”将列出它们。",
            l.num(cases),
            l.num(findings)
        ),
        (true, Lang::En) => format!(
            "Since the period froze, {} cases and {} findings arrived for it: the live figures above count them, the frozen ones do not; the next period's report lists them under late additions.",
            l.num(cases),
            l.num(findings)
        ),
    };
    let counts = table(
        "late",
        &[l.t("时段", "Period"), l.t("补录案件", "Cases"), l.t("补录问题", "Findings")],
        &[1, 2],
        r.late.iter().map(|x| vec![x.period.clone(), l.num(x.cases), l.num(x.findings)]).collect(),
    );
    let mut blocks = vec![Block::Para(para), Block::Table(counts)];
    if findings > 0 {
        blocks.push(lazy(
            "late_findings",
            &[
                l.t("序号", "No."),
                l.t("时段", "Period"),
                l.t("单位", "Unit"),
                l.t("民警", "Officers"),
                l.t("案件编号", "Case"),
                l.t("问题类别", "Category"),
                l.t("问题", "Finding"),
                l.t("发现日期", "Found"),
                l.t("状态", "Status"),
            ],
            &[0],
            Box::new(move |sink| {
                let mut i = 0;
                lists.late_findings(&mut |f| {
                    i += 1;
                    let row = vec![
                        i.to_string(),
                        period_of(r, &f),
                        l.unit(&Some(f.unit_id.clone()), &f.unit_name),
                        officers_text(&l, &f),
                        f.case_id.clone(),
                        category_text(&l, &f),
                        f.message.clone(),
                        day_of(&f.first_seen),
                        status_text(&l, &f),
                    ];
                    sink(row, f.overdue)
                })
            }),
        ));
    }
    let heading = if itself {
        l.t("本期冻结后补录", "Added after freezing")
    } else {
        l.t("往期补录", "Late additions to earlier periods (往期补录)")
    };
    Some(Section { heading: nth(&l, n, heading), blocks })
}

fn unit_table(l: &L, r: &Report, monthly: bool) -> Table {
    let end = if monthly { l.t("月末待整改", "Open at end") } else { l.t("周末待整改", "Open at end") };
    if monthly {
        table(
            "units",
            &[
                l.t("排名", "Rank"),
                l.t("单位", "Unit"),
                l.t("受理案件", "Cases"),
                l.t("新发现", "New"),
                l.t("每百案", "Per 100 cases"),
                l.t("整改率", "Rect. rate"),
                l.t("扣分", "Points"),
                end,
            ],
            &[0, 2, 3, 4, 5, 6, 7],
            r.units
                .iter()
                .map(|u| {
                    vec![
                        u.rank.to_string(),
                        l.unit(&Some(u.unit_id.clone()), &u.unit_name),
                        l.num(u.counts.cases),
                        l.num(u.counts.new),
                        l.opt(u.per_100_cases),
                        l.pct(u.counts.rectification_rate),
                        l.num(u.counts.points),
                        l.num(u.counts.backlog),
                    ]
                })
                .collect(),
        )
    } else {
        table(
            "units",
            &[
                l.t("单位", "Unit"),
                l.t("受理案件", "Cases"),
                l.t("新发现", "New"),
                l.t("推送", "Pushed"),
                l.t("整改", "Rectified"),
                l.t("消除", "Resolved"),
                l.t("豁免", "Waived"),
                end,
                l.t("整改率", "Rectification rate"),
            ],
            &[1, 2, 3, 4, 5, 6, 7, 8],
            r.units
                .iter()
                .map(|u| {
                    vec![
                        l.unit(&Some(u.unit_id.clone()), &u.unit_name),
                        l.num(u.counts.cases),
                        l.num(u.counts.new),
                        l.num(u.counts.pushed),
                        l.num(u.counts.rectified),
                        l.num(u.counts.resolved),
                        l.num(u.counts.waived),
                        l.num(u.counts.backlog),
                        l.pct(u.counts.rectification_rate),
                    ]
                })
                .collect(),
        )
    }
}

fn weekly<'a>(l: &L, r: &Report) -> Vec<Section<'a>> {
    let c = &r.totals;
    let mut out = Vec::new();
    let mut blocks = vec![Block::Para(totals_para(l, r))];
    if let Some(p) = preview_note(l, r) {
        blocks.push(Block::Para(p));
    }
    blocks.push(Block::Chart(series_chart(l, r)));
    out.push(Section { heading: nth(l, 0, l.t("本周概况", "The week")), blocks });

    let blocks = if r.units.is_empty() {
        vec![Block::Para(l.t("本周各单位均无问题。", "No unit had findings this week.").to_owned())]
    } else {
        vec![Block::Table(unit_table(l, r, false))]
    };
    out.push(Section { heading: nth(l, 1, l.t("各单位情况", "Units")), blocks });

    let top: Vec<Vec<String>> = r
        .categories
        .iter()
        .filter(|k| k.counts.new > 0 || k.counts.backlog > 0)
        .take(15)
        .map(|k| {
            vec![
                k.code.clone(),
                l.name(&k.name_zh, &k.name_en),
                l.num(k.counts.new),
                l.num(k.counts.new_closed),
                l.num(k.counts.backlog),
            ]
        })
        .collect();
    let blocks = if top.is_empty() {
        vec![Block::Para(l.t("本周没有问题。", "No findings this week.").to_owned())]
    } else {
        vec![
            Block::Table(table(
                "categories",
                &[
                    l.t("类别", "Category"),
                    l.t("名称", "Name"),
                    l.t("新发现", "New"),
                    l.t("已整改或消除", "Rectified or resolved"),
                    l.t("周末待整改", "Open at end"),
                ],
                &[2, 3, 4],
                top,
            )),
            Block::Chart(groups_chart(l, r)),
        ]
    };
    out.push(Section { heading: nth(l, 2, l.t("问题类别（前十五）", "Categories (top 15)")), blocks });

    let cohort = vec![
        vec![l.t("新发现", "New").to_owned(), l.num(c.new), "100.0%".to_owned()],
        vec![l.t("其中：已推送", "of which pushed").to_owned(), l.num(c.new_pushed), l.pct(c.share_pushed)],
        vec![l.t("已整改或消除", "rectified or resolved").to_owned(), l.num(c.new_closed), share(c.new_closed, c.new)],
        vec![l.t("已豁免", "waived").to_owned(), l.num(c.new_waived), share(c.new_waived, c.new)],
        vec![l.t("仍待整改", "still open").to_owned(), l.num(c.new_outstanding), share(c.new_outstanding, c.new)],
    ];
    out.push(Section {
        heading: nth(l, 3, l.t("整改情况（本周新发现问题，截至周末）", "Rectification of the week's findings, at the end of the week")),
        blocks: vec![
            Block::Table(table("rectification", &[l.t("状态", "Status"), l.t("个数", "Count"), l.t("占比", "Share")], &[1, 2], cohort)),
            Block::Para(match l.0 {
                Lang::Zh => format!("整改率 {}（不含豁免），本周整改或消除问题用时中位数 {}。", l.pct(c.rectification_rate), l.days_zh(c.median_days_to_rectify)),
                Lang::En => format!(
                    "Rectification rate {} (waived ones left out); median days to rectify, over findings rectified or resolved this week: {}.",
                    l.pct(c.rectification_rate),
                    l.days(c.median_days_to_rectify)
                ),
            }),
        ],
    });

    let top: Vec<Vec<String>> = r
        .officers
        .iter()
        .filter(|o| o.counts.backlog > 0)
        .take(10)
        .map(|o| {
            vec![
                l.person(&o.officer_id, &o.name),
                l.unit(&o.unit_id, &o.unit_name),
                l.num(o.counts.backlog),
                l.num(o.counts.new),
                l.num(o.counts.points),
            ]
        })
        .collect();
    let blocks = if top.is_empty() {
        vec![Block::Para(l.t("周末没有待整改的问题。", "Nothing is open at the end of the week.").to_owned())]
    } else {
        vec![Block::Table(table(
            "officers_most_open",
            &[
                l.t("民警", "Officer"),
                l.t("单位", "Unit"),
                l.t("待整改", "Open"),
                l.t("本周新发现", "New this week"),
                l.t("本周扣分", "Points"),
            ],
            &[2, 3, 4],
            top,
        ))]
    };
    out.push(Section {
        heading: nth(l, 4, l.t("待整改问题最多的民警（前十）", "Officers with the most open findings (top 10)")),
        blocks,
    });
    out
}

fn share(n: i64, of: i64) -> String {
    if of == 0 {
        "—".to_owned()
    } else {
        format!("{:.1}%", n as f64 * 100.0 / of as f64)
    }
}

fn monthly<'a>(l: &L, r: &Report) -> Vec<Section<'a>> {
    let mut out = Vec::new();
    let mut blocks = vec![Block::Para(totals_para(l, r))];
    if let Some(p) = preview_note(l, r) {
        blocks.push(Block::Para(p));
    }
    blocks.push(Block::Chart(series_chart(l, r)));
    out.push(Section { heading: nth(l, 0, l.t("总体情况", "Overview")), blocks });

    let blocks = if r.units.is_empty() {
        vec![Block::Para(
            l.t("本月没有单位受理案件或发现问题。", "No unit had cases or findings this month.").to_owned(),
        )]
    } else {
        vec![
            Block::Table(unit_table(l, r, true)),
            Block::Chart(Chart::Bars {
                title: l.t("单位排名：每百案问题数", "Units: findings per 100 cases").to_owned(),
                unit: String::new(),
                items: r
                    .units
                    .iter()
                    .filter_map(|u| u.per_100_cases.map(|v| (l.unit(&Some(u.unit_id.clone()), &u.unit_name), v)))
                    .collect(),
            }),
        ]
    };
    out.push(Section {
        heading: nth(
            l,
            1,
            l.t("单位排名（按每百案问题数由高到低）", "Units ranked by findings per 100 cases, most first"),
        ),
        blocks,
    });

    let top: Vec<Vec<String>> = r
        .categories
        .iter()
        .filter(|k| k.counts.new > 0)
        .take(10)
        .enumerate()
        .map(|(i, k)| {
            let before = k.previous_new.unwrap_or(0);
            vec![
                (i + 1).to_string(),
                k.code.clone(),
                l.name(&k.name_zh, &k.name_en),
                l.num(k.counts.new),
                l.num(before),
                l.change(k.counts.new, before),
            ]
        })
        .collect();
    let blocks = if top.is_empty() {
        vec![Block::Para(l.t("本月没有发现问题。", "No findings this month.").to_owned())]
    } else {
        vec![Block::Table(table(
            "top_categories",
            &[
                l.t("序号", "No."),
                l.t("类别", "Category"),
                l.t("名称", "Name"),
                l.t("本月", "This month"),
                l.t("上月", "Month before"),
                l.t("增减", "Change"),
            ],
            &[0, 3, 4, 5],
            top,
        ))]
    };
    out.push(Section {
        heading: nth(l, 2, l.t("问题类别前十（与上月比较）", "Top 10 categories, against the month before")),
        blocks,
    });

    let rows: Vec<Vec<String>> = r
        .groups
        .iter()
        .map(|g| {
            vec![
                g.code.clone(),
                l.name(&g.name_zh, &g.name_en),
                l.num(g.counts.new),
                l.num(g.previous_new.unwrap_or(0)),
                l.num(g.counts.backlog),
            ]
        })
        .collect();
    let blocks = if rows.is_empty() {
        vec![Block::Para(l.t("本月没有发现问题。", "No findings this month.").to_owned())]
    } else {
        vec![
            Block::Table(table(
                "groups",
                &[
                    l.t("大类", "Group"),
                    l.t("名称", "Name"),
                    l.t("本月", "This month"),
                    l.t("上月", "Month before"),
                    l.t("月末待整改", "Open at end"),
                ],
                &[2, 3, 4],
                rows,
            )),
            Block::Chart(groups_chart(l, r)),
        ]
    };
    out.push(Section { heading: nth(l, 3, l.t("问题大类分布", "Findings by group")), blocks });

    let rule = match l.0 {
        Lang::Zh => format!("认定标准：同一民警同类问题在任意连续 {} 天内达到 {} 个，或同类问题整改（消除）后再次发生。", r.options.repeat_days, r.options.repeat_count),
        Lang::En => format!(
            "An officer repeats a category with {} or more findings of it within {} days, or with a new one after an earlier one was rectified or resolved.",
            r.options.repeat_count, r.options.repeat_days
        ),
    };
    let mut blocks = vec![Block::Para(rule)];
    if r.repeat_offenders.is_empty() {
        blocks.push(Block::Para(l.t("本月没有屡错屡犯人员。", "No repeat offenders this month.").to_owned()));
    } else {
        let rows = r
            .repeat_offenders
            .iter()
            .map(|o| {
                let mut why = Vec::new();
                if o.by_count {
                    why.push(match l.0 {
                        Lang::Zh => format!("{} 天内 {} 次", r.options.repeat_days, o.most_in_window),
                        Lang::En => format!("{} within {} days", o.most_in_window, r.options.repeat_days),
                    });
                }
                if o.after_rectification {
                    why.push(l.t("整改后再犯", "again after rectification").to_owned());
                }
                let cat = l.name(&o.category_zh, &o.category_en);
                vec![
                    l.person(&o.officer_id, &o.name),
                    l.unit(&o.unit_id, &o.unit_name),
                    if cat.is_empty() { o.category.clone() } else { format!("{} {cat}", o.category) },
                    why.join(l.t("；", "; ")),
                    o.finding_ids.len().to_string(),
                ]
            })
            .collect();
        blocks.push(Block::Table(table(
            "repeat_offenders",
            &[
                l.t("民警", "Officer"),
                l.t("单位", "Unit"),
                l.t("问题类别", "Category"),
                l.t("情形", "Why"),
                l.t("本月相关问题", "Findings this month"),
            ],
            &[4],
            rows,
        )));
    }
    out.push(Section { heading: nth(l, 4, l.t("屡错屡犯人员", "Repeat offenders (屡错屡犯)")), blocks });

    out
}

/// The blocks of one officer in the monthly appendix: who, their categories, their findings.
fn appendix_blocks<'b>(l: L, i: usize, a: &OfficerAppendix, findings: &[FindingItem]) -> [Block<'b>; 3] {
    let sub = Block::Sub(match l.0 {
        Lang::Zh => format!(
            "（{}）{}，{}：本月问题 {} 个，扣 {} 分",
            i + 1,
            l.person(&a.officer_id, &a.name),
            l.unit(&a.unit_id, &a.unit_name),
            a.new,
            a.points
        ),
        Lang::En => format!(
            "{}. {}, {}: {} findings, {} points",
            i + 1,
            l.person(&a.officer_id, &a.name),
            l.unit(&a.unit_id, &a.unit_name),
            a.new,
            a.points
        ),
    });
    let cats: Vec<String> = a
        .categories
        .iter()
        .map(|c| {
            let name = l.name(&c.name_zh, &c.name_en);
            let mark = if c.repeat { l.t("（屡犯）", " (repeat)") } else { "" };
            match l.0 {
                Lang::Zh => format!("{} {name} {} 个{mark}", c.code, c.count),
                Lang::En => format!("{} {name}: {}{mark}", c.code, c.count),
            }
        })
        .collect();
    let para = Block::Para(format!("{}{}", l.t("问题类别：", "Categories: "), cats.join(l.t("；", "; "))));
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            vec![day_of(&f.first_seen), f.case_id.clone(), category_text(&l, f), f.message.clone(), status_text(&l, f)]
        })
        .collect();
    let mut t = table(
        &format!("appendix_{}", a.officer_id),
        &[
            l.t("发现日期", "Found"),
            l.t("案件编号", "Case"),
            l.t("问题类别", "Category"),
            l.t("问题", "Finding"),
            l.t("状态", "Status"),
        ],
        &[],
        rows,
    );
    t.marked = findings.iter().map(|f| a.categories.iter().any(|c| c.repeat && c.code == f.category)).collect();
    [sub, para, Block::Table(t)]
}

/// The monthly appendix, officer by officer as the lists hand their findings out.
fn appendix_section<'a>(l: L, r: &'a Report, lists: &'a dyn Lists) -> Section<'a> {
    let blocks = if r.appendix.is_empty() {
        vec![Block::Para(l.t("本月没有民警被发现问题。", "No officer had findings this month.").to_owned())]
    } else {
        vec![Block::Stream(Box::new(move |sink| {
            lists.appendix(&mut |i, findings| {
                let Some(a) = r.appendix.get(i) else { return Ok(()) };
                for b in appendix_blocks(l, i, a, &findings) {
                    sink(b)?;
                }
                Ok(())
            })
        }))]
    };
    Section { heading: l.t("附录　民警问题清单", "Appendix: each officer's findings").to_owned(), blocks }
}

/// The document of a daily, weekly or monthly report; its long lists are read from `lists`
/// as it is laid out.
pub fn report_doc<'a>(r: &'a Report, lists: &'a dyn Lists, lang: Lang) -> Result<Doc<'a>, ReportError> {
    let l = L(lang);
    let mut sections = match r.kind {
        ReportKind::Daily => daily(l, r, lists)?,
        ReportKind::Weekly => weekly(&l, r),
        ReportKind::Monthly => monthly(&l, r),
    };
    let n = sections.len();
    sections.push(review_section(l, r, lists, n)?);
    if let Some(s) = late_section(l, r, lists, n + 1) {
        sections.push(s);
    }
    if r.kind == ReportKind::Monthly {
        sections.push(appendix_section(l, r, lists));
    }
    Ok(Doc { lang, title: title_of(&l, r), subtitle: subtitle_of(&l, r), sections })
}

/// An officer's running deadlines, soonest first, with the hours left.
fn officer_due_section<'a>(l: &L, r: &OfficerReport) -> Section<'a> {
    let heading = nth(l, 0, l.t("即将到期（进行中的办案期限）", "Deadlines still running"));
    if r.due.is_empty() {
        let none = l.t("没有进行中的办案期限。", "No deadline naming this officer is running.");
        return Section { heading, blocks: vec![Block::Para(none.to_owned())] };
    }
    let now = Ts::parse(&r.generated_at).map_or(0, |t| t.0);
    let rows: Vec<Vec<String>> = r
        .due
        .iter()
        .map(|d| {
            let left = Ts::parse(&d.deadline).map_or(0, |t| t.0 + 1 - now);
            vec![
                due_time(&d.deadline),
                format!("{:.1}", left as f64 / 3600.0),
                d.case_id.clone(),
                category_label(l, &d.category, &d.category_zh, &d.category_en),
                d.message.clone(),
                due_kind(l, d),
            ]
        })
        .collect();
    let mut t = table(
        "due",
        &[
            l.t("期限", "Deadline"),
            l.t("剩余小时", "Hours left"),
            l.t("案件编号", "Case"),
            l.t("问题类别", "Category"),
            l.t("须办理", "To do"),
            l.t("时限", "Limit"),
        ],
        &[1],
        rows,
    );
    t.marked = r.due.iter().map(|d| !d.statutory).collect();
    let intro = match l.0 {
        Lang::Zh => format!("{} 项期限尚未届满、相应事项尚未办理，届满前办理完毕即不构成问题。", r.due.len()),
        Lang::En => format!(
            "{} deadlines are still running on acts not yet done; done in time, they raise nothing.",
            r.due.len()
        ),
    };
    Section { heading, blocks: vec![Block::Para(intro), Block::Table(t)] }
}

/// The document of an officer's list (重犯错误清单).
pub fn officer_doc(r: &OfficerReport, lang: Lang) -> Doc<'static> {
    let l = L(lang);
    let title = match lang {
        Lang::Zh => format!("重犯错误清单　{}", l.person(&r.officer_id, &r.name)),
        Lang::En => format!("Recurring errors (重犯错误清单): {}", l.person(&r.officer_id, &r.name)),
    };
    let units: Vec<String> = r.units.iter().map(|u| l.unit(&Some(u.id.clone()), &u.name)).collect();
    let since = match (&r.since, lang) {
        (Some(s), Lang::Zh) => format!("{s} 起"),
        (Some(s), Lang::En) => format!("since {s}"),
        (None, Lang::Zh) => "全部".to_owned(),
        (None, Lang::En) => "all".to_owned(),
    };
    let subtitle = vec![
        match lang {
            Lang::Zh => format!(
                "所属单位：{}；统计范围：{since}",
                if units.is_empty() { "—".to_owned() } else { units.join("、") }
            ),
            Lang::En => {
                format!("Units: {}; findings {since}", if units.is_empty() { "—".to_owned() } else { units.join(", ") })
            }
        },
        match lang {
            Lang::Zh => format!("生成时间 {}（现时数字）", local_time(&r.generated_at)),
            Lang::En => format!("Made at {} (live figures)", local_time(&r.generated_at)),
        },
    ];
    let repeat: Vec<&str> = r.categories.iter().filter(|c| c.repeat).map(|c| c.code.as_str()).collect();
    let summary = match lang {
        Lang::Zh => format!(
            "共有问题 {} 个，现仍待整改 {} 个，累计扣分 {} 分（已豁免的不扣分）。屡犯类别 {} 个{}。",
            r.findings_total,
            r.open_now,
            r.points_lost,
            repeat.len(),
            if repeat.is_empty() { String::new() } else { format!("：{}", repeat.join("、")) }
        ),
        Lang::En => format!(
            "{} findings, {} still open; {} points lost (waived findings cost nothing). Repeat categories: {}.",
            r.findings_total,
            r.open_now,
            r.points_lost,
            if repeat.is_empty() { "none".to_owned() } else { repeat.join(", ") }
        ),
    };
    let rule = match lang {
        Lang::Zh => format!(
            "屡犯：同类问题在任意连续 {} 天内达到 {} 个，或整改（消除）后再次发生，标 ★。",
            r.options.repeat_days, r.options.repeat_count
        ),
        Lang::En => format!(
            "★ marks a repeat: {} or more of a category within {} days, or a new one after an earlier one was rectified or resolved.",
            r.options.repeat_count, r.options.repeat_days
        ),
    };
    let cat_rows: Vec<Vec<String>> = r
        .categories
        .iter()
        .map(|c| {
            vec![
                if c.repeat { format!("★ {}", c.code) } else { c.code.clone() },
                l.name(&c.name_zh, &c.name_en),
                c.count.to_string(),
                c.points.to_string(),
                if c.repeat { l.t("屡犯", "repeat").to_owned() } else { String::new() },
            ]
        })
        .collect();
    let mut cats = table(
        "categories",
        &[
            l.t("类别", "Category"),
            l.t("名称", "Name"),
            l.t("次数", "Count"),
            l.t("扣分", "Points"),
            l.t("屡犯", "Repeat"),
        ],
        &[2, 3],
        cat_rows,
    );
    cats.marked = r.categories.iter().map(|c| c.repeat).collect();
    let rows: Vec<Vec<String>> = r
        .findings
        .iter()
        .map(|f| {
            let star = if repeat.contains(&f.category.as_str()) { "★ " } else { "" };
            vec![
                day_of(&f.first_seen),
                f.case_id.clone(),
                format!("{star}{}", category_text(&l, f)),
                f.message.clone(),
                status_text(&l, f),
                if !f.counted() || f.status == "waived" { "0".to_owned() } else { f.points.to_string() },
            ]
        })
        .collect();
    let mut list = table(
        "findings",
        &[
            l.t("发现日期", "Found"),
            l.t("案件编号", "Case"),
            l.t("问题类别", "Category"),
            l.t("问题", "Finding"),
            l.t("状态", "Status"),
            l.t("扣分", "Points"),
        ],
        &[5],
        rows,
    );
    list.marked = r.findings.iter().map(|f| repeat.contains(&f.category.as_str())).collect();
    let sections = vec![
        officer_due_section(&l, r),
        Section {
            heading: nth(&l, 1, l.t("概况", "Summary")), blocks: vec![Block::Para(summary), Block::Para(rule)]
        },
        Section { heading: nth(&l, 2, l.t("问题类别", "Categories")), blocks: vec![Block::Table(cats)] },
        Section {
            heading: nth(&l, 3, l.t("问题明细（新近在前）", "Findings, newest first")),
            blocks: if r.findings.is_empty() {
                vec![Block::Para(l.t("没有问题。", "None.").to_owned())]
            } else {
                vec![Block::Table(list)]
            },
        },
        officer_review(l, r),
    ];
    Doc { lang, title, subtitle, sections }
}

/// The officer's review items (待核查事项): listed apart, never counted or scored.
fn officer_review<'a>(l: L, r: &OfficerReport) -> Section<'a> {
    let n = r.review_items.len();
    let para = match l.0 {
        Lang::Zh if n == 0 => "没有待核查事项。".to_owned(),
        Lang::En if n == 0 => "Nothing to verify.".to_owned(),
        Lang::Zh => format!("待核查事项 {n} 项：法律规定的例外可能适用而记录无法显示，由法制员核实；不计入问题数，不扣分。"),
        Lang::En => format!(
            "{n} items to verify: an exception the law grants may apply and the record cannot show it; a legal officer checks them. Not counted, no points."
        ),
    };
    let mut blocks = vec![Block::Para(para)];
    if n > 0 {
        let rows = r.review_items.iter().enumerate().map(|(i, f)| review_row(l, i + 1, f)).collect();
        blocks.push(Block::Table(table("review_items", &review_headers(l), &[0], rows)));
    }
    Section { heading: nth(&l, 3, l.t("待核查事项", "To verify (待核查)")), blocks }
}

//! The console's pages: 首页, 问题清单 (and its CSV), 问题详情 with its actions, 民警, 单位,
//! 通报 (the `report` documents), 案件 (what `explain` shows), 规则.
//!
//! Every page asks [`super::scope`] what the caller may see and passes every text that
//! could name a person through a [`Masker`] of the cases it shows (the case page of the
//! legal role excepted).

use std::fmt::Write as _;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

use super::auth::Caller;
use super::mask::Masker;
use super::scope::{self, Verb};
use super::view::{self, finding_status_zh, level_zh, local_epoch, local_time, page, status_zh};
use super::{dash, AppError, Shared};
use crate::model::{Case, Ts};
use crate::report::doc::Chart;
use crate::report::model::{ReportKind, ReportOptions};
use crate::report::period::{Period, PeriodKind};
use crate::report::{self, Format, Lang, Request};
use crate::store::console::{self as cs, ListFilter, Role, Scope};
use crate::store::findings::{self, StoredFinding};
use crate::store::{rollup, Store};

/// Findings per page of the list.
pub const PAGE_SIZE: u64 = 50;
/// The list counts its matches up to this many.
pub const COUNT_CAP: u64 = 10_000;
/// The CSV of the list holds at most this many rows.
pub const CSV_MAX: u64 = 100_000;

/// A masker for the persons of the given cases.
pub fn masker(store: &Store, case_ids: &[&str]) -> Result<Masker, AppError> {
    let mut ids: Vec<&str> = case_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(Masker::new(&cs::persons_of_cases(&store.conn, &ids)?))
}

/// A finding as a page shows it: every text masked.
pub fn masked(m: &Masker, f: &StoredFinding) -> StoredFinding {
    let mut f = f.clone();
    f.message = m.text(&f.message);
    f.verify = f.verify.as_deref().map(|v| m.text(v));
    f.evidence = m.json(&f.evidence);
    f.subject = m.text(&f.subject);
    f
}

fn today(app: &Shared) -> jiff::civil::Date {
    Ts(app.opts.clock.now()).local_date()
}

fn parse_day(s: Option<&str>) -> Result<Option<jiff::civil::Date>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| AppError::BadRequest(format!("日期 `{s}` 不是 YYYY-MM-DD 格式"))),
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

// ---------------------------------------------------------------- 首页

#[derive(Debug, Deserialize)]
pub struct DayQuery {
    pub date: Option<String>,
}

/// The dashboard row of a scope: (scope, dim, key) in the rollup.
fn own_row(user_scope: &Scope) -> (String, &'static str, String) {
    match user_scope {
        Scope::All => ("*".into(), "all", "*".into()),
        Scope::Unit(u) => (u.clone(), "all", "*".into()),
        Scope::Officer(o) => ("*".into(), "officer", o.clone()),
    }
}

pub async fn dashboard(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<DayQuery>,
) -> Result<Markup, AppError> {
    let day = parse_day(q.date.as_deref())?.unwrap_or_else(|| today(&app));
    let data = dash::get(&app, day).await?;
    let user_scope = caller.user.scope();
    let (sc, dim, key) = own_row(&user_scope);
    let labels = ["今日", "本周", "本月"];
    let mut charts = Vec::new();
    let month = &data.periods[2];
    if !matches!(user_scope, Scope::Officer(_)) {
        let unit = match &user_scope {
            Scope::Unit(u) => Some(u.as_str()),
            _ => None,
        };
        let mut points: Vec<(String, i64, i64)> =
            month.period.days().iter().map(|d| (crate::report::period::ymd(*d), 0, 0)).collect();
        for s in data.series.iter().filter(|s| unit.is_none_or(|u| s.unit_id == u)) {
            if let Some(p) = points.iter_mut().find(|p| p.0 == s.day) {
                p.1 += s.new;
                p.2 += s.closed;
            }
        }
        charts.push(Chart::Series {
            title: format!("{} 每日新发现与整改（消除）问题", month.period.key),
            new_label: "新发现".into(),
            closed_label: "已整改/消除".into(),
            points,
        });
    }
    if user_scope == Scope::All {
        let mut items: Vec<(String, f64)> = month.dim("*", "unit").map(|r| (r.key.clone(), r.new as f64)).collect();
        items.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        charts.push(Chart::Bars {
            title: format!("{} 各单位新发现问题", month.period.key), unit: "项".into(), items
        });
    }
    if !matches!(user_scope, Scope::Officer(_)) {
        let mut items: Vec<(String, f64)> =
            month.dim(&sc, "category").map(|r| (category_label(&app, &r.key), r.new as f64)).collect();
        items.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        items.retain(|i| i.1 > 0.0);
        items.truncate(10);
        charts
            .push(Chart::Bars { title: format!("{} 问题类别前十", month.period.key), unit: "项".into(), items });
    }
    let due = due_panel(&app, &user_scope).await?;
    let body = html! {
        form.filters method="get" action="/" {
            label { "日期" input type="date" name="date" value=(crate::report::period::ymd(day)); }
            button type="submit" { "查看" }
        }
        div.cards {
            @for (i, p) in data.periods.iter().enumerate() {
                @let c = crate::report::build::counts(p.row(&sc, dim, &key));
                div.card {
                    h3 { (labels[i]) " " span.note { (p.period.key) @if p.rows.iter().any(|r| r.frozen_at.is_some()) { "（已冻结）" } } }
                    dl {
                        dt { "新发现问题" } dd.new { (c.new) }
                        dt { "已整改" } dd { (c.rectified) }
                        dt { "已消除" } dd { (c.resolved) }
                        dt { "期末待整改" } dd { (c.backlog) }
                        dt { "整改率" } dd { (pct(c.rectification_rate)) }
                        dt { "扣分" } dd { (c.points) }
                        @if dim == "all" { dt { "受理案件" } dd { (c.cases) } }
                    }
                }
            }
        }
        @for c in &charts { (view::svg(report::html::chart(c))) }
        (due_section(&due))
        p.note { "数字与通报相同（不含预览规则和待核查问题）。" a href="/findings?status=open" { "查看待整改问题" } }
    };
    Ok(page(&caller, "首页", "/", body))
}

/// Rows the dashboard lists of the running deadlines (预警).
const DUE_ROWS: usize = 20;

/// The caller's running deadlines (预警) of the next 7 days from now, soonest first, as the
/// latest audit stored them (`xuncha due`), with the officers' names.
struct DuePanel {
    now: i64,
    rows: Vec<crate::store::due::Due>,
    names: std::collections::HashMap<String, String>,
}

async fn due_panel(app: &Shared, user_scope: &Scope) -> Result<DuePanel, AppError> {
    let now = app.opts.clock.now();
    let mut filter = crate::store::due::Filter { from: now, until: now + 7 * 86_400, ..Default::default() };
    match user_scope {
        Scope::All => {}
        Scope::Unit(u) => filter.unit = Some(u.clone()),
        Scope::Officer(o) => filter.officer = Some(o.clone()),
    }
    app.db
        .read(move |s| {
            let rows = crate::store::due::list(&s.conn, &filter).map_err(AppError::from)?;
            let names = crate::store::officers::directory(&s.conn)
                .map_err(AppError::from)?
                .into_values()
                .filter_map(|o| Some((o.id, o.name?)))
                .collect();
            Ok(DuePanel { now, rows, names })
        })
        .await
}

/// 即将到期: how many deadlines pass within 24 hours and 7 days, and the soonest of them.
fn due_section(d: &DuePanel) -> Markup {
    let day = d.rows.iter().filter(|r| r.at <= d.now + 86_400).count();
    html! {
        section.due {
            h2 { "即将到期（预警）" }
            @if d.rows.is_empty() {
                p.note { "未来 7 日内没有正在计时的期限（以最近一次审核记录为准）。" }
            } @else {
                p { "24 小时内到期 " strong { (day) } " 项，7 日内到期 " strong { (d.rows.len()) } " 项"
                    @if d.rows.len() > DUE_ROWS { "，以下列出最早到期的 " (DUE_ROWS) " 项" } "。" }
                table {
                    thead { tr { th { "期限" } th { "剩余" } th { "案件" } th { "类别" } th { "应办事项" } th { "民警" } th { "性质" } } }
                    tbody {
                        @for r in d.rows.iter().take(DUE_ROWS) {
                            @let left = (r.at - d.now).max(0);
                            tr {
                                td { (local_epoch(r.at)) }
                                td { @if left < 86_400 { (left / 3600) " 小时" } @else { (left / 86_400) " 天" } }
                                td { a href=(format!("/cases/{}", r.case_id)) { (r.case_id) } }
                                td { (r.category) }
                                td { (r.message) }
                                td { @for (i, o) in r.officer_ids.iter().enumerate() {
                                    @if i > 0 { "、" }
                                    (o) @if let Some(n) = d.names.get(o) { " " (n) }
                                } }
                                td { @if r.statutory { "法定期限" } @else { "本地期限（未核实）" }
                                     @if r.presumed { "，节假日按推定" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn category_label(app: &Shared, code: &str) -> String {
    match app.opts.rules.catalog.category(code) {
        Some(c) => format!("{code} {}", c.name_zh),
        None => code.to_owned(),
    }
}

// ---------------------------------------------------------------- 问题清单

/// The list's query string (also `GET /api/findings`).
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub status: Option<String>,
    pub category: Option<String>,
    pub group: Option<String>,
    pub unit: Option<String>,
    pub officer: Option<String>,
    pub level: Option<String>,
    pub case: Option<String>,
    /// first seen on or after this day
    pub since: Option<String>,
    /// first seen on or before this day
    pub until: Option<String>,
    pub page: Option<u64>,
    /// rows per page, for `GET /api/findings` (default 50, at most 1000)
    pub limit: Option<u64>,
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

impl ListQuery {
    pub fn filter(&self) -> Result<ListFilter, AppError> {
        let status = opt(&self.status);
        if let Some(s) = &status {
            if !findings::STATUSES.contains(&s.as_str()) {
                return Err(AppError::BadRequest(format!("未知状态 `{s}`")));
            }
        }
        let level = opt(&self.level);
        if let Some(l) = &level {
            if l != "violation" && l != "review" {
                return Err(AppError::BadRequest(format!("未知等级 `{l}`")));
            }
        }
        Ok(ListFilter {
            status,
            category: opt(&self.category),
            group: opt(&self.group),
            unit: opt(&self.unit),
            officer: opt(&self.officer),
            level,
            case: opt(&self.case),
            since: parse_day(self.since.as_deref())?.map(|d| Ts::start_of_local_day(d).0),
            until: parse_day(self.until.as_deref())?
                .map(|d| Ts::start_of_local_day(crate::report::period::add_days(d, 1)).0),
        })
    }

    /// The query string of the same filters, without the page.
    pub fn query_string(&self) -> String {
        let pairs: Vec<(&str, String)> = [
            ("status", &self.status),
            ("category", &self.category),
            ("group", &self.group),
            ("unit", &self.unit),
            ("officer", &self.officer),
            ("level", &self.level),
            ("case", &self.case),
            ("since", &self.since),
            ("until", &self.until),
        ]
        .into_iter()
        .filter_map(|(k, v)| opt(v).map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

pub async fn findings(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Markup, AppError> {
    let filter = q.filter()?;
    let page_no = q.page.unwrap_or(1).max(1);
    let user_scope = caller.user.scope();
    let (rows, more, count) = app
        .db
        .read(move |s| {
            let (rows, more) = cs::findings_page(&s.conn, &user_scope, &filter, (page_no - 1) * PAGE_SIZE, PAGE_SIZE)?;
            let count = cs::findings_count(&s.conn, &user_scope, &filter, COUNT_CAP)?;
            let ids: Vec<&str> = rows.iter().map(|f| f.case_id.as_str()).collect();
            let m = masker(s, &ids)?;
            Ok((rows.iter().map(|f| masked(&m, f)).collect::<Vec<_>>(), more, count))
        })
        .await?;
    let qs = q.query_string();
    let sel = |v: &Option<String>, x: &str| opt(v).as_deref() == Some(x);
    let body = html! {
        form.filters #filters method="get" action="/findings" {
            label { "状态" select name="status" {
                option value="" { "全部" }
                @for s in findings::STATUSES { option value=(s) selected[sel(&q.status, s)] { (status_zh(s)) } }
            } }
            label { "等级" select name="level" {
                option value="" { "全部" }
                option value="violation" selected[sel(&q.level, "violation")] { "违规" }
                option value="review" selected[sel(&q.level, "review")] { "待核查" }
            } }
            label { "问题类别" input name="category" size="6" placeholder="P051" value=[opt(&q.category)]; }
            label { "问题大类" input name="group" size="4" placeholder="G06" value=[opt(&q.group)]; }
            @if caller.user.role == Role::Legal { label { "单位" input name="unit" size="6" value=[opt(&q.unit)]; } }
            @if caller.user.role != Role::Officer { label { "民警" input name="officer" size="10" value=[opt(&q.officer)]; } }
            label { "案件" input name="case" size="12" value=[opt(&q.case)]; }
            label { "首次发现自" input type="date" name="since" value=[opt(&q.since)]; }
            label { "至" input type="date" name="until" value=[opt(&q.until)]; }
            button #apply type="submit" { "筛选" }
            a href={ "/findings.csv?" (qs) } { "导出 CSV" }
        }
        p.note #count {
            @if count >= COUNT_CAP { "超过 " (COUNT_CAP) " 项" } @else { "共 " (count) " 项" }
            "，第 " (page_no) " 页。待核查问题单列核查要点，不计入统计。"
        }
        (findings_table(&rows))
        div.pager {
            @if page_no > 1 { a href={ "/findings?" (qs) "&page=" (page_no - 1) } { "上一页" } }
            @if more { a #next href={ "/findings?" (qs) "&page=" (page_no + 1) } { "下一页" } }
        }
    };
    Ok(page(&caller, "问题清单", "/findings", body))
}

fn findings_table(rows: &[StoredFinding]) -> Markup {
    html! {
        table #findings {
            thead { tr { th { "编号" } th { "状态" } th { "等级" } th { "首次发现" } th { "案件" } th { "类别" } th { "单位" } th { "民警" } th { "问题" } } }
            tbody {
                @for f in rows {
                    tr class=[(f.level == "review").then_some("review")] {
                        td { a href={ "/findings/" (f.id) } { "#" (f.id) } }
                        td { span class={ "badge " (f.status) } { (finding_status_zh(&f.status, &f.level)) } }
                        td { @if f.level == "review" { span.badge.review { "待核查" } } @else { "违规" } }
                        td { (local_time(&f.first_seen).get(..10).unwrap_or_default()) }
                        td { (f.case_id) }
                        td { (f.category) }
                        td { (f.unit_id) }
                        td { (f.officer_ids.join("、")) }
                        td {
                            (f.message)
                            @if let Some(v) = &f.verify { br; span.note { "核查要点：" (v) } }
                        }
                    }
                }
            }
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// `GET /findings.csv`: the filtered list (up to [`CSV_MAX`] rows) for Excel: UTF-8 with BOM.
pub async fn findings_csv(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let filter = q.filter()?;
    let user_scope = caller.user.scope();
    let text = app
        .db
        .read(move |s| {
            let (rows, _) = cs::findings_page(&s.conn, &user_scope, &filter, 0, CSV_MAX)?;
            let ids: Vec<&str> = rows.iter().map(|f| f.case_id.as_str()).collect();
            let m = masker(s, &ids)?;
            let mut out =
                String::from("\u{feff}编号,状态,等级,首次发现,案件,规则,类别,大类,单位,民警,问题,核查要点\r\n");
            for f in &rows {
                let f = masked(&m, f);
                let _ = write!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
                    f.id,
                    finding_status_zh(&f.status, &f.level),
                    level_zh(&f.level),
                    csv_field(&local_time(&f.first_seen)),
                    csv_field(&f.case_id),
                    csv_field(&f.rule),
                    csv_field(&f.category),
                    csv_field(&f.group),
                    csv_field(&f.unit_id),
                    csv_field(&f.officer_ids.join(" ")),
                    csv_field(&f.message),
                    csv_field(f.verify.as_deref().unwrap_or_default())
                );
            }
            Ok(out)
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"findings.csv\""),
        ],
        text,
    )
        .into_response())
}

// ---------------------------------------------------------------- 问题详情

/// A finding the caller may see, masked, with its history; 404 otherwise (whether it is
/// missing or out of scope is not told).
pub async fn visible_finding(
    app: &Shared,
    caller: &Caller,
    id: i64,
) -> Result<(StoredFinding, Vec<findings::Event>), AppError> {
    let user = caller.user.clone();
    app.db
        .read(move |s| {
            let f = findings::get(s, id)?.ok_or(AppError::NotFound)?;
            if !scope::finding_visible(&user, &f) {
                return Err(AppError::NotFound);
            }
            let events = findings::events(s, id)?;
            let m = masker(s, &[f.case_id.as_str()])?;
            let events = events.into_iter().map(|mut e| {
                e.note = e.note.map(|n| m.text(&n));
                e
            });
            Ok((masked(&m, &f), events.collect()))
        })
        .await
}

pub async fn finding(State(app): State<Shared>, caller: Caller, Path(id): Path<i64>) -> Result<Markup, AppError> {
    let (f, events) = visible_finding(&app, &caller, id).await?;
    let rule = app.opts.rules.rules.iter().find(|r| r.header.id == f.rule).map(|r| r.header.clone());
    let category = app.opts.rules.catalog.category(&f.category).cloned();
    let allowed = scope::allowed(&caller.user, &f);
    let evidence = serde_json::to_string_pretty(&f.evidence).unwrap_or_default();
    let body = html! {
        table.facts {
            tr { th { "问题" } td #message { (f.message) } }
            @if let Some(v) = &f.verify { tr { th { "核查要点" } td { (v) } } }
            tr { th { "状态" } td #status { span class={ "badge " (f.status) } { (finding_status_zh(&f.status, &f.level)) } } }
            tr { th { "等级" } td { (level_zh(&f.level)) @if f.level == "review" { "（不计入统计和扣分）" } } }
            tr { th { "案件" } td { a href={ "/cases/" (f.case_id) } { (f.case_id) } " · 对象 " (f.subject) } }
            tr { th { "类别" } td { (f.category) @if let Some(c) = &category { " " (c.name_zh) } " · " (f.group) " · 扣 " (f.points) " 分" } }
            tr { th { "单位 / 民警" } td { (f.unit_id) " / " (f.officer_ids.join("、")) } }
            tr { th { "首次 / 最近发现" } td { (local_time(&f.first_seen)) " / " (local_time(&f.last_seen)) @if f.recurrences > 0 { "，复发 " (f.recurrences) " 次" } } }
            tr { th { "规则" } td { (f.rule) " （" (f.rule_version) "）" } }
        }
        h2 { "证据" }
        pre #evidence { (evidence) }
        h2 { "法律依据" }
        @if let Some(r) = &rule {
            p { strong { (r.title) } }
            ul { @for c in &r.legal_basis { li { (c.to_string()) } } }
            @if let Some(u) = &r.unverified { p.note { "未核实：" (u) } }
            details { summary { "规则说明" } pre { (r.doc) } }
        } @else {
            p.note { "规则 " (f.rule) " 已不在规则库中。" }
        }
        h2 { "处理记录" }
        table #history {
            thead { tr { th { "时间" } th { "变更" } th { "操作人" } th { "说明" } } }
            tbody { @for e in &events { tr {
                td { (local_time(&e.at)) }
                td { (e.from.as_deref().map(status_zh).unwrap_or("—")) " → " (status_zh(&e.to)) }
                td.by { (e.by) }
                td { (e.note.as_deref().unwrap_or_default()) }
            } } }
        }
        @if !allowed.is_empty() {
            h2 { "处理" }
            div.actions {
                @for v in &allowed {
                    form method="post" action={ "/findings/" (f.id) "/action" } id={ "act-" (v.as_str()) } {
                        input type="hidden" name="csrf_token" value=(caller.csrf);
                        input type="hidden" name="action" value=(v.as_str());
                        @match v {
                            Verb::Rectify => { label { "整改说明（必填）" textarea name="note" required {} } }
                            Verb::Waive => {
                                label { "豁免理由（必填）" textarea name="note" required {} }
                                label { "有效至（可选）" input type="date" name="until"; }
                            }
                            _ => { label { "说明（可选）" textarea name="note" {} } }
                        }
                        button type="submit" { (v.zh()) }
                    }
                }
            }
        }
    };
    Ok(page(&caller, &format!("问题 #{}", f.id), "/findings", body))
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    pub action: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
}

/// Applies an action the caller may take; the event's `by` is the caller's login.
pub async fn apply_action(
    app: &Shared,
    caller: &Caller,
    id: i64,
    verb: Verb,
    note: Option<String>,
    until: Option<i64>,
) -> Result<String, AppError> {
    let (f, _) = visible_finding(app, caller, id).await?;
    if !scope::role_may(caller.user.role, verb) {
        return Err(AppError::Forbidden);
    }
    if !scope::allowed(&caller.user, &f).contains(&verb) {
        return Err(AppError::BadRequest(format!("问题 #{id} 当前为「{}」，不能{}", status_zh(&f.status), verb.zh())));
    }
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if matches!(verb, Verb::Rectify | Verb::Waive) && note.is_none() {
        return Err(AppError::BadRequest(format!("{}需要填写说明", verb.zh())));
    }
    let by = caller.user.login.clone();
    let at = app.opts.clock.now();
    let action = verb.action(until);
    app.db.write(move |s| findings::act(s, id, action, &by, note.as_deref(), at)).await
}

pub async fn finding_action(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    let verb = Verb::parse(&form.action).ok_or_else(|| AppError::BadRequest(format!("未知操作 `{}`", form.action)))?;
    let until =
        parse_day(form.until.as_deref())?.map(|d| crate::engine::api::deadline_days(Ts::start_of_local_day(d).0, 0));
    apply_action(&app, &caller, id, verb, form.note, until).await?;
    Ok(Redirect::to(&format!("/findings/{id}")).into_response())
}

// ---------------------------------------------------------------- 民警

pub async fn officers(State(app): State<Shared>, caller: Caller) -> Result<Response, AppError> {
    let unit = match caller.user.scope() {
        Scope::Officer(o) => return Ok(Redirect::to(&format!("/officers/{o}")).into_response()),
        Scope::Unit(u) => Some(u),
        Scope::All => None,
    };
    let lines = app.db.read(move |s| Ok(cs::officers(&s.conn, unit.as_deref())?)).await?;
    let body = html! {
        p.note { "按民警待整改问题数排序；点击编号查看其重犯错误清单。" }
        table #officers {
            thead { tr { th { "民警" } th { "单位" } th.n { "问题（计入统计）" } th.n { "待整改" } } }
            tbody { @for l in &lines { tr {
                td { a href={ "/officers/" (l.officer_id) } { (l.officer_id) } }
                td { (l.unit_id) }
                td.n { (l.findings) }
                td.n { (l.open) }
            } } }
        }
    };
    Ok(page(&caller, "民警", "/officers", body).into_response())
}

/// Whether the caller may see the officer's list.
async fn may_see_officer(app: &Shared, caller: &Caller, officer: &str) -> Result<bool, AppError> {
    Ok(match caller.user.scope() {
        Scope::All => true,
        Scope::Officer(o) => o == officer,
        Scope::Unit(u) => {
            let officer = officer.to_owned();
            app.db.read(move |s| Ok(cs::officer_in_unit(&s.conn, &officer, &u)?)).await?
        }
    })
}

pub async fn officer(State(app): State<Shared>, caller: Caller, Path(id): Path<String>) -> Result<Markup, AppError> {
    if !may_see_officer(&app, &caller, &id).await? {
        return Err(AppError::Forbidden);
    }
    let now = app.opts.clock.now();
    let rules = app.opts.rules.clone();
    let id2 = id.clone();
    let (r, m) = app
        .db
        .read(move |s| {
            let options = ReportOptions::default();
            let r = report::make_officer_report(s, Some(&rules.catalog), &id2, None, &options, now)?;
            let ids: Vec<&str> = r.findings.iter().map(|f| f.case_id.as_str()).collect();
            let m = masker(s, &ids)?;
            Ok((r, m))
        })
        .await?;
    let body = html! {
        p { "民警 " strong { (r.officer_id) } @if let Some(n) = &r.name { " " (n) } " · 单位 "
            @for (i, u) in r.units.iter().enumerate() { @if i > 0 { "、" } (u.id) @if let Some(n) = &u.name { " " (n) } } }
        div.cards { div.card { dl {
            dt { "问题（计入统计）" } dd { (r.findings_total) }
            dt { "扣分" } dd { (r.points_lost) }
            dt { "当前待整改" } dd { (r.open_now) }
        } } }
        h2 { "问题类别" }
        table { thead { tr { th { "类别" } th.n { "次数" } th.n { "扣分" } th { "屡错屡犯" } } }
            tbody { @for c in &r.categories { tr {
                td { (c.code) " " (c.name_zh.as_deref().unwrap_or_default()) }
                td.n { (c.count) } td.n { (c.points) } td { @if c.repeat { "是" } }
            } } } }
        h2 { "问题清单（最近的在前）" }
        table { thead { tr { th { "编号" } th { "首次发现" } th { "案件" } th { "类别" } th { "状态" } th { "问题" } } }
            tbody { @for f in &r.findings { tr class=[(f.level == "review").then_some("review")] {
                td { a href={ "/findings/" (f.id) } { "#" (f.id) } }
                td { (local_time(&f.first_seen)) }
                td { (f.case_id) }
                td { (f.category) " " (f.category_zh.as_deref().unwrap_or_default()) }
                td { (finding_status_zh(&f.status, &f.level)) @if f.overdue { "（逾期）" } @if f.level == "review" { "（不计入）" } }
                td { (m.text(&f.message)) @if let Some(v) = &f.verify { br; span.note { "核查要点：" (m.text(v)) } } }
            } } } }
    };
    Ok(page(&caller, &format!("民警 {id} 重犯错误清单"), "/officers", body))
}

// ---------------------------------------------------------------- 单位

#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    pub month: Option<String>,
}

pub async fn units(State(app): State<Shared>, caller: Caller, Query(q): Query<MonthQuery>) -> Result<Markup, AppError> {
    if caller.user.role == Role::Officer {
        return Err(AppError::Forbidden);
    }
    let text = q.month.clone().filter(|m| !m.trim().is_empty()).unwrap_or_else(|| "today".into());
    let period = Period::parse(PeriodKind::Month, &text, today(&app))?;
    let key = period.key.clone();
    let rows = app.db.read(move |s| Ok(rollup::rollup(&s.conn, "month", &key)?)).await?;
    let mut ranked: Vec<(String, crate::report::model::Counts, Option<f64>)> = rows
        .iter()
        .filter(|r| r.scope == "*" && r.dim == "unit")
        .map(|r| {
            let c = crate::report::build::counts(Some(r));
            let per = (c.cases > 0).then(|| c.new as f64 * 100.0 / c.cases as f64);
            (r.key.clone(), c, per)
        })
        .collect();
    ranked.sort_by(|a, b| b.2.unwrap_or(-1.0).total_cmp(&a.2.unwrap_or(-1.0)).then_with(|| a.0.cmp(&b.0)));
    let total = ranked.len();
    let own = caller.user.unit_id.clone();
    let body = html! {
        form.filters method="get" action="/units" {
            label { "月份" input type="month" name="month" value=(period.key); }
            button type="submit" { "查看" }
        }
        p.note { "按每百件案件新发现问题数排名（多者在前），与月通报相同。" }
        table #units {
            thead { tr { th.n { "名次" } th { "单位" } th.n { "受理案件" } th.n { "新发现问题" } th.n { "每百件" } th.n { "整改率" } th.n { "扣分" } } }
            tbody { @for (i, (unit, c, per)) in ranked.iter().enumerate() {
                @if caller.user.role == Role::Legal || own.as_deref() == Some(unit.as_str()) { tr {
                    td.n { (i + 1) " / " (total) }
                    td { (unit) }
                    td.n { (c.cases) } td.n { (c.new) }
                    td.n { (per.map_or_else(|| "—".to_owned(), |p| format!("{p:.1}"))) }
                    td.n { (pct(c.rectification_rate)) } td.n { (c.points) }
                } }
            } }
        }
        @if caller.user.role == Role::Supervisor { p.note { "单位领导只看到本单位的名次和数字。" } }
    };
    Ok(page(&caller, "单位排名", "/units", body))
}

// ---------------------------------------------------------------- 通报

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    pub kind: Option<String>,
    pub date: Option<String>,
    pub unit: Option<String>,
    #[serde(default)]
    pub download: Option<u8>,
}

fn report_kind(s: &str) -> Result<ReportKind, AppError> {
    match s {
        "daily" => Ok(ReportKind::Daily),
        "weekly" => Ok(ReportKind::Weekly),
        "monthly" => Ok(ReportKind::Monthly),
        _ => Err(AppError::BadRequest(format!("未知通报 `{s}`：daily、weekly 或 monthly"))),
    }
}

const FORMATS: &[(&str, &str)] =
    &[("html", "HTML"), ("text", "文本"), ("markdown", "Markdown"), ("csv", "CSV"), ("json", "JSON")];

pub async fn reports(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<ReportQuery>,
) -> Result<Markup, AppError> {
    let unit = scope::report_unit(&caller.user, q.unit.clone())?;
    let kind = q.kind.clone().unwrap_or_else(|| "daily".into());
    let report = report_kind(&kind)?;
    let date = q.date.clone().filter(|d| !d.trim().is_empty()).unwrap_or_else(|| "yesterday".into());
    // the period's key (2026-06-30, 2026-W26, 2026-06) is safe in a path
    let period = Period::parse(report.period_kind(), &date, today(&app))?;
    let base = format!("/reports/{kind}/{}", period.key);
    let unit_q = unit.as_deref().map(|u| serde_urlencoded::to_string([("unit", u)]).unwrap_or_default());
    let frame = match &unit_q {
        Some(q) => format!("{base}/html?{q}"),
        None => format!("{base}/html"),
    };
    let downloads: Vec<(String, &str)> = FORMATS
        .iter()
        .map(|(f, label)| match &unit_q {
            Some(q) => (format!("{base}/{f}?{q}&download=1"), *label),
            None => (format!("{base}/{f}?download=1"), *label),
        })
        .collect();
    let (frozen, ended) = if caller.user.role == Role::Legal {
        let (k, p) = (period.kind.as_str(), period.key.clone());
        let ended = period.closed_at(app.opts.clock.now());
        (app.db.read(move |s| Ok(rollup::frozen_period(&s.conn, k, &p)?)).await?, ended)
    } else {
        (None, false)
    };
    let body = html! {
        form.filters method="get" action="/reports" {
            label { "通报" select name="kind" {
                option value="daily" selected[kind == "daily"] { "日清（日报）" }
                option value="weekly" selected[kind == "weekly"] { "周结（周报）" }
                option value="monthly" selected[kind == "monthly"] { "月通报" }
            } }
            label { "日期 / 周 / 月" input name="date" value=(date) placeholder="2026-06-30、2026-W26、2026-06"; }
            @if caller.user.role == Role::Legal { label { "单位（空为全局）" input name="unit" size="6" value=[unit.clone()]; } }
            button type="submit" { "生成" }
        }
        p { (period.key) " · 下载：" @for (href, label) in &downloads { a href=(href) { (label) } " " } }
        p.note { "与 xuncha report 生成的文件相同；已结束的时段按冻结规则保存，此后重出数字不变。" }
        @if caller.user.role == Role::Legal { (freeze_form(&caller, &kind, &period, frozen.as_ref(), ended)) }
        iframe.report src=(frame) title="通报" {}
    };
    Ok(page(&caller, "通报", "/reports", body))
}

/// The legal role's freeze and unfreeze of a period (`xuncha report freeze|unfreeze`).
fn freeze_form(
    caller: &Caller,
    kind: &str,
    period: &Period,
    frozen: Option<&rollup::FrozenPeriod>,
    ended: bool,
) -> Markup {
    html! {
        form.freeze method="post" action="/reports/freeze" {
            input type="hidden" name="csrf_token" value=(caller.csrf);
            input type="hidden" name="kind" value=(kind);
            input type="hidden" name="date" value=(period.key);
            @match frozen {
                Some(z) => {
                    span { (period.key) " 已于 " (local_epoch(z.frozen_at)) " 由 " (z.by) " 冻结。" }
                    label { "解冻原因" input name="note" required size="24"; }
                    button type="submit" name="action" value="unfreeze" { "解冻" }
                }
                None if ended => {
                    span { (period.key) " 已结束，尚未冻结。" }
                    label { input type="checkbox" name="force" value="1"; "无覆盖该时段的审核也冻结" }
                    label { "说明" input name="note" size="24"; }
                    button type="submit" name="action" value="freeze" { "冻结" }
                }
                None => { span.note { (period.key) " 尚未结束，结束后方可冻结。" } }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct FreezeForm {
    pub kind: String,
    pub date: String,
    pub action: String,
    pub note: Option<String>,
    pub force: Option<String>,
}

/// `POST /reports/freeze`: the legal role freezes an ended period or unfreezes a frozen one,
/// as `xuncha report freeze|unfreeze --by LOGIN` would.
pub async fn report_freeze(
    State(app): State<Shared>,
    caller: Caller,
    Form(form): Form<FreezeForm>,
) -> Result<Response, AppError> {
    if caller.user.role != Role::Legal {
        return Err(AppError::Forbidden);
    }
    let kind = report_kind(&form.kind)?;
    let now = app.opts.clock.now();
    let period = Period::parse(kind.period_kind(), &form.date, Ts(now).local_date())?;
    let back = format!(
        "/reports?{}",
        serde_urlencoded::to_string([("kind", form.kind.as_str()), ("date", period.key.as_str())]).unwrap_or_default()
    );
    let by = caller.user.login.clone();
    let note = opt(&form.note);
    let as_store = |e: crate::report::ReportError| match e {
        crate::report::ReportError::Store(s) => s,
        e => crate::store::StoreError::Usage(e.to_string()),
    };
    match form.action.as_str() {
        "freeze" => {
            let force = form.force.is_some();
            let rules = app.opts.rules.clone();
            app.db
                .write(move |s| {
                    let req =
                        Request { kind, period: period.clone(), unit: None, options: ReportOptions::default(), now };
                    let how = report::FreezeRequest { by: &by, note: note.as_deref(), force };
                    report::freeze_period(s, Some(&rules.catalog), &req, &how).map_err(as_store)
                })
                .await?;
        }
        "unfreeze" => {
            let Some(note) = note else {
                return Err(AppError::BadRequest("解冻须说明原因".into()));
            };
            let was =
                app.db.write(move |s| report::unfreeze_period(s, &period, now, &by, &note).map_err(as_store)).await?;
            if !was {
                return Err(AppError::BadRequest("该时段未冻结".into()));
            }
        }
        other => return Err(AppError::BadRequest(format!("未知操作 `{other}`"))),
    }
    Ok(Redirect::to(&back).into_response())
}

pub async fn report_document(
    State(app): State<Shared>,
    caller: Caller,
    Path((kind, date, format)): Path<(String, String, String)>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let unit = scope::report_unit(&caller.user, q.unit.clone())?;
    let kind = report_kind(&kind)?;
    let (fmt, ctype, ext) = match format.as_str() {
        "html" => (Format::Html, "text/html; charset=utf-8", "html"),
        "text" => (Format::Text, "text/plain; charset=utf-8", "txt"),
        "markdown" => (Format::Markdown, "text/markdown; charset=utf-8", "md"),
        "csv" => (Format::Csv, "text/csv; charset=utf-8", "csv"),
        "json" => (Format::Json, "application/json", "json"),
        other => return Err(AppError::BadRequest(format!("未知格式 `{other}`"))),
    };
    let now = app.opts.clock.now();
    let period = Period::parse(kind.period_kind(), &date, Ts(now).local_date())?;
    let key = period.key.clone();
    let rules = app.opts.rules.clone();
    let text = app
        .db
        .read(move |s| {
            if let Some(u) = &unit {
                if !rollup::unit_known(&s.conn, u)? {
                    return Err(AppError::NotFound);
                }
            }
            let req = Request { kind, period, unit, options: ReportOptions::default(), now };
            let made = report::make_report(s, Some(&rules.catalog), &req)?;
            Ok(report::render(&made.report, fmt, Lang::Zh)?)
        })
        .await?;
    let mut resp = ([(header::CONTENT_TYPE, ctype)], text).into_response();
    if q.download == Some(1) {
        let name = format!("attachment; filename=\"xuncha-{}-{key}.{ext}\"", kind.as_str());
        if let Ok(v) = header::HeaderValue::from_str(&name) {
            resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(resp)
}

// ---------------------------------------------------------------- 案件

#[derive(Debug, Deserialize)]
pub struct CaseQuery {
    pub id: Option<String>,
    pub as_of: Option<String>,
}

pub async fn case_lookup(caller: Caller, Query(q): Query<CaseQuery>) -> Response {
    if let Some(id) = q.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let path = serde_urlencoded::to_string([("i", id)]).unwrap_or_default();
        return Redirect::to(&format!("/cases/{}", path.trim_start_matches("i="))).into_response();
    }
    let body = html! {
        form.filters method="get" action="/cases" {
            label { "案件编号" input name="id" required; }
            button type="submit" { "查看" }
        }
        p.note { "案件页面显示每条规则对该案件的结论（与 xuncha explain 相同）；每次查看都会记录。" }
    };
    page(&caller, "案件", "/cases", body).into_response()
}

pub async fn case(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
) -> Result<Markup, AppError> {
    let user_scope = caller.user.scope();
    let id2 = id.clone();
    let visible = app.db.read(move |s| Ok(cs::case_in_scope(&s.conn, &user_scope, &id2)?)).await?;
    match visible {
        None => return Err(AppError::NotFound),
        Some(false) => return Err(AppError::Forbidden),
        Some(true) => {}
    }
    let now = app.opts.clock.now();
    let (login, id2) = (caller.user.login.clone(), id.clone());
    app.db.write(move |s| cs::record_case_view(s, &login, &id2, now)).await?;
    let as_of = match parse_day(q.as_of.as_deref())? {
        Some(d) => crate::engine::api::deadline_days(Ts::start_of_local_day(d).0, 0),
        None => now,
    };
    let rules = app.opts.rules.clone();
    let user = caller.user.clone();
    let id2 = id.clone();
    let (case, lines, stored, views, m) = app
        .db
        .read(move |s| {
            let raw = cs::case_raw(&s.conn, &id2)?.ok_or(AppError::NotFound)?;
            let case: Case = serde_json::from_str(&raw)
                .map_err(|e| AppError::Internal(format!("the stored case no longer parses: {e}")))?;
            let index = crate::audit::stored_index(s)?;
            let selected = vec![true; rules.rules.len()];
            let lines = crate::explain::explain(&rules, index, &case, as_of, selected);
            let filter = ListFilter { case: Some(id2.clone()), ..ListFilter::default() };
            let (stored, _) = cs::findings_page(&s.conn, &user.scope(), &filter, 0, 1000)?;
            let views = if user.role == Role::Legal { cs::case_views(&s.conn, &id2, 50)? } else { Vec::new() };
            // the legal role sees persons in full on this page, and only here
            let m = if user.role == Role::Legal { Masker::default() } else { masker(s, &[id2.as_str()])? };
            Ok((case, lines, stored, views, m))
        })
        .await?;
    let legal = caller.user.role == Role::Legal;
    let shown = |s: &str| if legal { crate::model::privacy::mask_ids(s).into_owned() } else { m.text(s) };
    let body = html! {
        table.facts {
            tr { th { "案件" } td { (case.case_id) " · " (case.kind.as_str()) } }
            tr { th { "单位" } td { (case.unit_id) @if let Some(n) = &case.unit_name { " " (n) } } }
            tr { th { "民警" } td { @for (i, o) in case.officers.iter().enumerate() { @if i > 0 { "、" } (o.id) @if let Some(n) = &o.name { " " (n) } } } }
            tr { th { "判断时点" } td { (local_epoch(as_of)) } }
        }
        h2 { "当事人" }
        table #persons { thead { tr { th { "编号" } th { "角色" } th { "姓名" } th { "身份证号" } } }
            tbody { @for p in &case.persons { tr {
                td { (p.id) }
                td { (p.role.map(role_zh).unwrap_or_default()) }
                td.person { (p.name.as_deref().map(|n| if legal || p.is_unit == Some(true) { n.to_owned() } else { crate::model::privacy::mask_name(n) }).unwrap_or_default()) }
                td { (p.id_number.as_deref().map(|n| crate::model::privacy::mask_ids(n).into_owned()).unwrap_or_default()) }
            } } } }
        @if legal { p.note { "当事人姓名仅在本页对法制员完整显示；身份证号始终脱敏。" } }
        h2 { "已记录的问题" }
        (findings_table(&stored.iter().map(|f| masked(&m, f)).collect::<Vec<_>>()))
        h2 { "各规则结论（与 xuncha explain 相同）" }
        @for &verdict in crate::explain::VERDICTS {
            @let group: Vec<&crate::explain::Line> = lines.iter().filter(|l| l.verdict == verdict).collect();
            @if !group.is_empty() {
                h3 { (verdict_zh(verdict)) "（" (group.len()) "）" }
                table { tbody { @for l in &group {
                    @if l.findings.is_empty() {
                        tr { td { a href={ "/rules/" (l.rule) } { (l.rule) } } td { (l.reason.as_deref().map(&shown).unwrap_or_default()) } }
                    }
                    @for f in &l.findings {
                        tr {
                            td { a href={ "/rules/" (l.rule) } { (l.rule) } }
                            td {
                                (f["subject"].as_str().unwrap_or_default())
                                @if f["level"] == "review" { " " span.badge.review { "待核查" } }
                                "：" (shown(f["message"].as_str().unwrap_or_default()))
                                @if let Some(v) = f["verify"].as_str() { br; span.note { "核查要点：" (shown(v)) } }
                            }
                        }
                    }
                } } }
            }
        }
        @if legal {
            h2 { "查看记录" }
            table #views { tbody { @for (who, at) in &views { tr { td { (who) } td { (local_epoch(*at)) } } } } }
        }
    };
    Ok(page(&caller, &format!("案件 {id}"), "/cases", body))
}

fn role_zh(r: crate::model::PersonRole) -> &'static str {
    use crate::model::PersonRole;
    match r {
        PersonRole::Suspect => "违法犯罪嫌疑人",
        PersonRole::Victim => "被害人",
        PersonRole::Witness => "证人",
        PersonRole::Reporter => "报案人",
        PersonRole::Other => "其他",
    }
}

fn verdict_zh(v: &str) -> &str {
    match v {
        "fired" => "发现问题",
        "error" => "规则出错",
        "passed" => "通过",
        "not_applicable" => "不适用",
        "not_in_force" => "尚未施行",
        other => other,
    }
}

// ---------------------------------------------------------------- 规则

pub async fn rules(State(app): State<Shared>, caller: Caller) -> Markup {
    let set = &app.opts.rules;
    let body = html! {
        p.note { (set.catalog.categories.len()) " 个问题类别，" (set.rules.len()) " 条规则。" }
        @for g in &set.catalog.groups {
            h2 { (g.code) " " (g.name_zh) }
            table { thead { tr { th { "类别" } th { "名称" } th.n { "扣分" } th { "规则" } } }
                tbody { @for c in set.catalog.categories.iter().filter(|c| c.group == g.code) { tr {
                    td { (c.code) } td { (c.name_zh) } td.n { (c.points) }
                    td { @for r in set.rules.iter().filter(|r| r.header.category == c.code) {
                        a href={ "/rules/" (r.header.id) } { (r.header.id) } " "
                    } }
                } } } }
        }
    };
    page(&caller, "规则", "/rules", body)
}

pub async fn rule(State(app): State<Shared>, caller: Caller, Path(id): Path<String>) -> Result<Markup, AppError> {
    let set = &app.opts.rules;
    let r = set.rules.iter().find(|r| r.header.id == id).ok_or(AppError::NotFound)?;
    let h = &r.header;
    let c = set.catalog.category(&h.category);
    let body = html! {
        table.facts {
            tr { th { "标题" } td { (h.title) } }
            tr { th { "类别" } td { (h.category) @if let Some(c) = c { " " (c.name_zh) " · " (c.group) " · 扣 " (c.points) " 分" } } }
            tr { th { "状态" } td { (format!("{:?}", h.status).to_lowercase()) @if let Some(s) = &h.since { "（自 " (s) "）" } " · 版本 " (h.version) } }
            tr { th { "法律依据" } td { ul { @for b in &h.legal_basis { li { (b.to_string()) } } } } }
            @if let Some(u) = &h.unverified { tr { th { "未核实" } td { (u) } } }
        }
        h2 { "规则说明" }
        pre #doc { (h.doc) }
        @if let Some(c) = c { h2 { "类别说明" } pre { (c.doc) } }
    };
    Ok(page(&caller, &format!("规则 {id}"), "/rules", body))
}

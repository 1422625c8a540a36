//! Builds the head of a report model from what `store::rollup` reads: the rollup rows of
//! the period (and of the one before), the daily series, the repeat offenders, the officers
//! of the appendix, and the names of units, officers and categories. The lists themselves
//! (a day's findings, the backlog, the appendix's findings) are not built here: they are read
//! as they are laid out (see [`super::lists`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::mask::mask_ids;
use super::model::{
    CategoryCount, Counts, DueItem, DueUnit, FindingItem, KeyRow, OfficerAppendix, OfficerRef, OfficerReport,
    OfficerRow, PeriodInfo, PreviousPeriod, RepeatOffender, Report, ReportKind, ReportOptions, Scope, SeriesPoint,
    UnitRow, OFFICER_SCHEMA, REPORT_SCHEMA,
};
use super::period::{add_days, local_date, ymd, Period};
use super::repeat::{repeats, window_from, Closures, RepeatHit};
use super::ReportError;
use crate::engine::catalog::Catalog;
use crate::model::Ts;
use crate::store::due::{self, Due};
use crate::store::rollup::{self, AsOf, ListedFinding, OfficerInfo, RollupRow, SeriesRow};
use rusqlite::Connection;

/// What to report.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: ReportKind,
    pub period: Period,
    /// `None`: the whole bureau
    pub unit: Option<String>,
    pub options: ReportOptions,
    /// the present instant (epoch seconds)
    pub now: i64,
}

/// A category's names and group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryName {
    pub zh: String,
    pub en: String,
    pub group: String,
}

/// Names for codes: units and officers from the cases, categories and groups from the
/// catalog. A frozen period keeps the names it was frozen with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    pub units: BTreeMap<String, String>,
    pub officers: BTreeMap<String, OfficerInfo>,
    #[serde(default)]
    pub categories: BTreeMap<String, CategoryName>,
    /// code → (zh, en)
    #[serde(default)]
    pub groups: BTreeMap<String, (String, String)>,
}

impl Names {
    pub fn load(conn: &Connection, catalog: Option<&Catalog>) -> Result<Names, ReportError> {
        let mut names = Names {
            units: rollup::unit_names(conn)?.into_iter().collect(),
            officers: rollup::officer_directory(conn)?.into_iter().collect(),
            ..Names::default()
        };
        if let Some(c) = catalog {
            names.categories = c
                .categories
                .iter()
                .map(|c| {
                    (
                        c.code.clone(),
                        CategoryName { zh: c.name_zh.clone(), en: c.name_en.clone(), group: c.group.clone() },
                    )
                })
                .collect();
            names.groups = c.groups.iter().map(|g| (g.code.clone(), (g.name_zh.clone(), g.name_en.clone()))).collect();
        }
        Ok(names)
    }

    pub(crate) fn unit(&self, id: &str) -> Option<String> {
        self.units.get(id).map(|n| mask_ids(n).into_owned())
    }

    pub(crate) fn officer(&self, id: &str) -> Option<String> {
        self.officers.get(id).and_then(|o| o.name.as_deref()).map(|n| mask_ids(n).into_owned())
    }

    fn officer_unit(&self, id: &str) -> Option<String> {
        self.officers.get(id).and_then(|o| o.unit_id.clone())
    }

    fn category(&self, code: &str) -> (Option<String>, Option<String>, Option<String>) {
        match self.categories.get(code) {
            Some(c) => (Some(c.zh.clone()), Some(c.en.clone()), Some(c.group.clone())),
            None => (None, None, None),
        }
    }

    fn group(&self, code: &str) -> (Option<String>, Option<String>) {
        match self.groups.get(code) {
            Some((zh, en)) => (Some(zh.clone()), Some(en.clone())),
            None => (None, None),
        }
    }
}

/// What the head of a period's report is made from, for every scope at once.
pub struct PeriodData {
    pub rows: Vec<RollupRow>,
    pub previous: Option<(Period, Vec<RollupRow>)>,
    pub series_days: Vec<Date>,
    pub series: Vec<SeriesRow>,
    pub hits: Vec<RepeatHit>,
    /// the unit of each finding that `hits` name
    pub hit_units: HashMap<i64, String>,
    /// statuses and lists are taken just before this instant
    pub as_of: i64,
    /// daily: the deadlines still running at `as_of` that end within 7 days, soonest first
    pub due: Vec<Due>,
    /// the audit date they were found on
    pub due_as_of: Option<i64>,
}

/// The instant a report's lists and statuses are taken at.
pub fn as_of(period: &Period, now: i64) -> i64 {
    period.end.min(now)
}

/// The end of the span a report's new findings are first seen in: the period's end, or the
/// instant the lists are taken at while it runs.
pub fn first_seen_end(p: &Period, at: i64) -> i64 {
    p.end.min(at.max(p.start))
}

/// Repeat offences of the findings first seen in `[from, until)`, read one officer and
/// category at a time (see `rollup::each_offence_group`); with the unit of each finding
/// they name.
fn repeat_hits(
    conn: &Connection,
    asof: &AsOf,
    from: i64,
    until: i64,
    officer: Option<&str>,
    options: &ReportOptions,
) -> Result<(Vec<RepeatHit>, HashMap<i64, String>), ReportError> {
    let (count, days) = (options.repeat_count, options.repeat_days);
    let mut hits = Vec::new();
    let mut units = HashMap::new();
    rollup::each_offence_group(conn, asof, window_from(from, days), until, officer, |offences, closed| {
        let Some(first) = offences.first() else { return Ok::<_, ReportError>(()) };
        let mut closures = Closures::for_pairs([(first.officer_id.as_str(), first.category.as_str())]);
        for (id, at) in closed {
            closures.add(&first.officer_id, &first.category, *id, *at);
        }
        for h in repeats(offences, &closures, from, until, count, days) {
            let ids: HashSet<i64> = h.finding_ids.iter().copied().collect();
            units.extend(
                offences.iter().filter(|o| ids.contains(&o.finding_id)).map(|o| (o.finding_id, o.unit_id.clone())),
            );
            hits.push(h);
        }
        Ok(())
    })?;
    Ok((hits, units))
}

/// Reads what the head of a period's report needs besides its rows: the rows of the period
/// before (monthly reports; `previous` if given, else from the `rollup` view), the daily
/// series and the repeat offences, at `asof`.
pub fn fetch(
    conn: &Connection,
    req: &Request,
    asof: &AsOf,
    rows: Vec<RollupRow>,
    previous: Option<Vec<RollupRow>>,
) -> Result<PeriodData, ReportError> {
    let p = &req.period;
    let at = as_of(p, req.now);
    let previous = if req.kind == ReportKind::Monthly {
        let prev = p.previous()?;
        let prev_rows = match previous {
            Some(rows) => rows,
            None => previous_rows(conn, &prev)?,
        };
        Some((prev, prev_rows))
    } else {
        None
    };
    let series_days = match req.kind {
        // a day's report shows the fortnight up to it
        ReportKind::Daily => (0..14).map(|i| add_days(p.last, i - 13)).collect(),
        _ => p.days(),
    };
    let series = match (series_days.first(), series_days.last()) {
        (Some(a), Some(b)) => rollup::daily_series(conn, asof, &ymd(*a), &ymd(*b))?,
        _ => Vec::new(),
    };
    let (hits, hit_units) = if req.kind == ReportKind::Monthly {
        repeat_hits(conn, asof, p.start, at, None, &req.options)?
    } else {
        (Vec::new(), HashMap::new())
    };
    let (due, due_as_of) = running(conn, req)?;
    Ok(PeriodData { rows, previous, series_days, series, hits, hit_units, as_of: at, due, due_as_of })
}

/// Daily: the deadlines still running at the report's instant that end within 7 days, soonest
/// first, and the audit date they were found on (即将到期). A frozen report keeps those it was
/// frozen with.
pub fn running(conn: &Connection, req: &Request) -> Result<(Vec<Due>, Option<i64>), ReportError> {
    if req.kind != ReportKind::Daily {
        return Ok((Vec::new(), None));
    }
    let at = as_of(&req.period, req.now);
    let week = due::Filter { from: at, until: at.saturating_add(DUE_WEEK), ..Default::default() };
    Ok((due::list(conn, &week)?, due::covered_from(conn)?))
}

/// The rows of the period before that a monthly report compares with (dims `all`, `group`
/// and `category`), as the `rollup` view has them.
pub fn previous_rows(conn: &Connection, prev: &Period) -> Result<Vec<RollupRow>, ReportError> {
    let mut rows = rollup::rollup(conn, prev.kind.as_str(), &prev.key)?;
    rows.retain(|r| matches!(r.dim.as_str(), "all" | "group" | "category"));
    Ok(rows)
}

fn round(x: Option<f64>, places: i32) -> Option<f64> {
    let f = 10f64.powi(places);
    x.filter(|v| v.is_finite()).map(|v| (v * f).round() / f)
}

/// The numbers of a rollup row as the model carries them (zeros for a missing row).
pub fn counts(r: Option<&RollupRow>) -> Counts {
    match r {
        None => Counts::default(),
        Some(r) => Counts {
            cases: r.cases,
            new: r.new,
            reopened: r.reopened,
            pushed: r.pushed,
            rectified: r.rectified,
            waived: r.waived,
            resolved: r.resolved,
            backlog: r.backlog,
            new_outstanding: r.new_outstanding,
            new_closed: r.new_closed,
            new_waived: r.new_waived,
            new_pushed: r.new_pushed,
            points: r.points,
            rectification_rate: round(r.rectification_rate, 4),
            share_pushed: round(r.share_pushed, 4),
            median_days_to_rectify: round(r.median_days_to_rectify, 2),
        },
    }
}

// `rows` are sorted by scope, dim and key (as `rollup::rollup` returns them), so both
// lookups below are binary searches rather than scans of every scope's rows.

fn row<'r>(rows: &'r [RollupRow], scope: &str, dim: &str, key: &str) -> Option<&'r RollupRow> {
    rows.binary_search_by(|r| (r.scope.as_str(), r.dim.as_str(), r.key.as_str()).cmp(&(scope, dim, key)))
        .ok()
        .map(|i| &rows[i])
}

fn dim<'r>(rows: &'r [RollupRow], scope: &str, dim: &str) -> impl Iterator<Item = &'r RollupRow> + 'r {
    let first = rows.partition_point(|r| (r.scope.as_str(), r.dim.as_str()) < (scope, dim));
    let end = first + rows[first..].partition_point(|r| (r.scope.as_str(), r.dim.as_str()) <= (scope, dim));
    rows[first..end].iter()
}

pub fn period_info(p: &Period) -> PeriodInfo {
    PeriodInfo {
        kind: p.kind,
        key: p.key.clone(),
        first_day: ymd(p.first),
        last_day: ymd(p.last),
        start: Ts(p.start).rfc3339(),
        end: Ts(p.end).rfc3339(),
    }
}

/// A finding as a list shows it; `today` decides whether it is overdue.
pub fn item(f: &ListedFinding, names: &Names, opts: &ReportOptions, today: Date) -> FindingItem {
    let (zh, en, _) = names.category(&f.category);
    let due = add_days(local_date(f.first_seen), i64::from(opts.fix_days));
    let status = f.status.clone().unwrap_or_else(|| "open".to_owned());
    FindingItem {
        id: f.id,
        case_id: mask_ids(&f.case_id).into_owned(),
        rule_id: f.rule_id.clone(),
        category: f.category.clone(),
        category_zh: zh,
        category_en: en,
        group: f.group_code.clone(),
        severity: f.severity.clone(),
        points: f.points,
        unit_id: f.unit_id.clone(),
        unit_name: names.unit(&f.unit_id),
        officers: f.officers.iter().map(|o| OfficerRef { id: o.clone(), name: names.officer(o) }).collect(),
        first_seen: Ts(f.first_seen).rfc3339(),
        overdue: f.counted() && matches!(status.as_str(), "open" | "pushed") && today > due,
        status,
        preview: f.preview,
        level: f.level.clone(),
        verify: f.verify.as_deref().map(|v| mask_ids(v).into_owned()),
        due: ymd(due),
        message: mask_ids(&f.message).into_owned(),
    }
}

/// 即将到期: the daily report lists the next 24 hours and counts the next 7 days.
const DUE_DAY: i64 = 86_400;
const DUE_WEEK: i64 = 7 * 86_400;

/// A running deadline as reports show it.
fn due_item(d: &Due, names: &Names) -> DueItem {
    let (zh, en, _) = names.category(&d.category);
    DueItem {
        deadline: d.deadline.clone(),
        case_id: d.case_id.clone(),
        rule_id: d.rule.clone(),
        category: d.category.clone(),
        category_zh: zh,
        category_en: en,
        subject: d.subject.clone(),
        unit_id: d.unit_id.clone(),
        unit_name: names.unit(&d.unit_id),
        officers: d.officer_ids.iter().map(|o| OfficerRef { id: o.clone(), name: names.officer(o) }).collect(),
        message: mask_ids(&d.message).into_owned(),
        statutory: d.statutory,
        level: d.level.clone(),
        preview: d.preview,
    }
}

/// Per unit: the running deadlines ending within 24 hours and within 7 days of `at`, and
/// the list of the first, soonest first.
fn due_soon(data: &PeriodData, names: &Names, in_scope: impl Fn(&str) -> bool) -> (Vec<DueUnit>, Vec<DueItem>) {
    let day_end = data.as_of.saturating_add(DUE_DAY);
    let mut units: BTreeMap<&str, DueUnit> = BTreeMap::new();
    let mut next_day = Vec::new();
    for d in data.due.iter().filter(|d| in_scope(&d.unit_id)) {
        let u = units.entry(d.unit_id.as_str()).or_insert_with(|| DueUnit {
            unit_id: d.unit_id.clone(),
            unit_name: names.unit(&d.unit_id),
            within_24h: 0,
            within_7d: 0,
            not_statutory: 0,
        });
        u.within_7d += 1;
        u.not_statutory += i64::from(!d.statutory);
        if d.at <= day_end {
            u.within_24h += 1;
            next_day.push(due_item(d, names));
        }
    }
    (units.into_values().collect(), next_day)
}

/// The local date a report regards as "today": the period's last day, or today while it runs.
pub fn report_today(p: &Period, at: i64) -> Date {
    if at >= p.end {
        p.last
    } else {
        local_date(at)
    }
}

/// The head of the report of one scope (`None`: the whole bureau): every list empty, the
/// appendix without findings (see [`appendix`]).
pub fn model(data: &PeriodData, names: &Names, req: &Request, unit: Option<&str>) -> Report {
    let p = &req.period;
    let scope = unit.unwrap_or("*");
    let in_scope = |u: &str| unit.is_none_or(|x| x == u);
    let totals = counts(row(&data.rows, scope, "all", "*"));

    let mut units: Vec<UnitRow> = dim(&data.rows, scope, "unit")
        .map(|r| {
            let c = counts(Some(r));
            let per_100 = if c.cases > 0 { round(Some(c.new as f64 * 100.0 / c.cases as f64), 2) } else { None };
            UnitRow {
                rank: 0,
                unit_id: r.key.clone(),
                unit_name: names.unit(&r.key),
                counts: c,
                per_100_cases: per_100,
            }
        })
        .collect();
    units.sort_by(|a, b| {
        let pa = a.per_100_cases.unwrap_or(f64::NEG_INFINITY);
        let pb = b.per_100_cases.unwrap_or(f64::NEG_INFINITY);
        pb.total_cmp(&pa)
            .then(b.counts.new.cmp(&a.counts.new))
            .then(b.counts.points.cmp(&a.counts.points))
            .then(a.unit_id.cmp(&b.unit_id))
    });
    for (i, u) in units.iter_mut().enumerate() {
        u.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }

    let prev_rows = data.previous.as_ref().map(|(_, rows)| rows.as_slice());
    let groups: Vec<KeyRow> = dim(&data.rows, scope, "group")
        .map(|r| {
            let (zh, en) = names.group(&r.key);
            let previous_new = prev_rows.map(|rows| row(rows, scope, "group", &r.key).map_or(0, |x| x.new));
            KeyRow { code: r.key.clone(), name_zh: zh, name_en: en, group: None, counts: counts(Some(r)), previous_new }
        })
        .collect();

    let mut codes: BTreeSet<&str> = dim(&data.rows, scope, "category").map(|r| r.key.as_str()).collect();
    if let Some(rows) = prev_rows {
        codes.extend(dim(rows, scope, "category").filter(|r| r.new > 0).map(|r| r.key.as_str()));
    }
    let mut categories: Vec<KeyRow> = codes
        .into_iter()
        .map(|code| {
            let (zh, en, group) = names.category(code);
            let previous_new = prev_rows.map(|rows| row(rows, scope, "category", code).map_or(0, |x| x.new));
            KeyRow {
                code: code.to_owned(),
                name_zh: zh,
                name_en: en,
                group,
                counts: counts(row(&data.rows, scope, "category", code)),
                previous_new,
            }
        })
        .collect();
    categories.sort_by(|a, b| {
        b.counts
            .new
            .cmp(&a.counts.new)
            .then(b.previous_new.cmp(&a.previous_new))
            .then(b.counts.backlog.cmp(&a.counts.backlog))
            .then(a.code.cmp(&b.code))
    });

    let mut officers: Vec<OfficerRow> = dim(&data.rows, scope, "officer")
        .map(|r| {
            let unit_id = names.officer_unit(&r.key).or_else(|| unit.map(str::to_owned));
            OfficerRow {
                officer_id: r.key.clone(),
                name: names.officer(&r.key),
                unit_name: unit_id.as_deref().and_then(|u| names.unit(u)),
                unit_id,
                counts: counts(Some(r)),
            }
        })
        .collect();
    officers.sort_by(|a, b| {
        b.counts
            .backlog
            .cmp(&a.counts.backlog)
            .then(b.counts.new.cmp(&a.counts.new))
            .then(a.officer_id.cmp(&b.officer_id))
    });

    let mut by_day: BTreeMap<String, (i64, i64)> = data.series_days.iter().map(|d| (ymd(*d), (0, 0))).collect();
    for s in data.series.iter().filter(|s| in_scope(&s.unit_id)) {
        if let Some(v) = by_day.get_mut(&s.day) {
            v.0 += s.new;
            v.1 += s.closed;
        }
    }
    let series = by_day.into_iter().map(|(day, (new, closed))| SeriesPoint { day, new, closed }).collect();

    let unit_of = &data.hit_units;
    let repeat_offenders: Vec<RepeatOffender> = data
        .hits
        .iter()
        .filter_map(|h| {
            let ids: Vec<i64> =
                h.finding_ids.iter().copied().filter(|id| unit_of.get(id).is_some_and(|u| in_scope(u))).collect();
            let first_unit = ids.first().and_then(|id| unit_of.get(id)).cloned()?;
            let (zh, en, _) = names.category(&h.category);
            Some(RepeatOffender {
                officer_id: h.officer_id.clone(),
                name: names.officer(&h.officer_id),
                unit_name: names.unit(&first_unit),
                unit_id: Some(first_unit),
                category: h.category.clone(),
                category_zh: zh,
                category_en: en,
                most_in_window: h.most_in_window,
                by_count: h.by_count,
                after_rectification: h.after_rectification,
                finding_ids: ids,
            })
        })
        .collect();

    let (due_units, due_24h) = due_soon(data, names, in_scope);

    Report {
        schema: REPORT_SCHEMA.to_owned(),
        kind: req.kind,
        period: period_info(p),
        scope: Scope { unit_id: unit.map(str::to_owned), unit_name: unit.and_then(|u| names.unit(u)) },
        options: req.options.clone(),
        closed: p.closed_at(req.now),
        frozen_at: None,
        generated_at: Ts(req.now).rfc3339(),
        as_of: Ts(data.as_of).rfc3339(),
        totals,
        preview_new: 0,
        previous: data
            .previous
            .as_ref()
            .map(|(pp, rows)| PreviousPeriod { period: period_info(pp), totals: counts(row(rows, scope, "all", "*")) }),
        units,
        groups,
        categories,
        officers,
        series,
        new_findings: Vec::new(),
        to_fix: Vec::new(),
        cleared: Vec::new(),
        repeat_offenders: if req.kind == ReportKind::Monthly { repeat_offenders } else { Vec::new() },
        appendix: Vec::new(),
        coverage: None,
        freeze: None,
        late: Vec::new(),
        late_findings: Vec::new(),
        review_items: Vec::new(),
        due_units,
        due_24h,
        due_found_as_of: data.due_as_of.filter(|_| req.kind == ReportKind::Daily).map(|t| Ts(t).rfc3339()),
    }
}

/// Per category, the count and points of `findings` (points only for those not waived).
struct CategoryTally {
    by: BTreeMap<String, (u32, i64, Option<String>, Option<String>)>,
}

impl CategoryTally {
    fn new() -> CategoryTally {
        CategoryTally { by: BTreeMap::new() }
    }

    fn add(&mut self, f: &FindingItem) {
        let e =
            self.by.entry(f.category.clone()).or_insert_with(|| (0, 0, f.category_zh.clone(), f.category_en.clone()));
        e.0 += 1;
        if f.status != "waived" {
            e.1 += f.points;
        }
    }

    fn counts(self, repeat: impl Fn(&str) -> bool) -> Vec<CategoryCount> {
        let mut out: Vec<CategoryCount> = self
            .by
            .into_iter()
            .map(|(code, (count, points, zh, en))| CategoryCount {
                repeat: repeat(&code),
                code,
                name_zh: zh,
                name_en: en,
                count,
                points,
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then(b.repeat.cmp(&a.repeat)).then(a.code.cmp(&b.code)));
        out
    }
}

/// The officers of a monthly appendix, each with their count, points and categories but no
/// findings (those are read as the appendix is laid out): one pass over the month's counted
/// findings, holding one tally per officer. Each finding counts for each of its officers.
#[allow(clippy::too_many_arguments)]
pub fn appendix(
    conn: &Connection,
    asof: &AsOf,
    req: &Request,
    at: i64,
    unit: Option<&str>,
    hits: &[RepeatHit],
    names: &Names,
) -> Result<Vec<OfficerAppendix>, ReportError> {
    struct Tally {
        /// (first seen, id, unit) of the earliest finding
        first: (i64, i64, String),
        n: u32,
        cats: CategoryTally,
    }
    let p = &req.period;
    let today = report_today(p, at);
    let mut by: HashMap<String, Tally> = HashMap::new();
    rollup::each_officer_finding(conn, asof, p.start, first_seen_end(p, at), at, unit, |officer, f| {
        let it = item(&f, names, &req.options, today);
        let key = (f.first_seen, f.id, f.unit_id);
        let t = match by.get_mut(officer) {
            Some(t) => t,
            None => by.entry(officer.to_owned()).or_insert_with(|| Tally {
                first: key.clone(),
                n: 0,
                cats: CategoryTally::new(),
            }),
        };
        if key < t.first {
            t.first = key;
        }
        t.n += 1;
        t.cats.add(&it);
        Ok::<_, ReportError>(())
    })?;
    let repeat: HashSet<(&str, &str)> = hits.iter().map(|h| (h.officer_id.as_str(), h.category.as_str())).collect();
    let mut out: Vec<OfficerAppendix> = by
        .into_iter()
        .map(|(id, t)| {
            let unit_id = names.officer_unit(&id).or(Some(t.first.2));
            let categories = t.cats.counts(|c| repeat.contains(&(id.as_str(), c)));
            OfficerAppendix {
                name: names.officer(&id),
                unit_name: unit_id.as_deref().and_then(|u| names.unit(u)),
                unit_id,
                new: t.n,
                points: categories.iter().map(|c| c.points).sum(),
                categories,
                findings: Vec::new(),
                officer_id: id,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.unit_id, std::cmp::Reverse(a.new), &a.officer_id).cmp(&(
            &b.unit_id,
            std::cmp::Reverse(b.new),
            &b.officer_id,
        ))
    });
    Ok(out)
}

/// An officer's list of recurring errors as of `now`: findings first seen since `since`.
/// Held in memory: one officer's findings.
pub fn officer_report(
    conn: &Connection,
    names: &Names,
    officer: &str,
    since: Option<Date>,
    options: &ReportOptions,
    now: i64,
) -> Result<OfficerReport, ReportError> {
    let since_at = since.map(|d| Ts::start_of_local_day(d).0);
    let listed = rollup::officer_findings(conn, officer, since_at, now)?;
    let running = due::Filter {
        from: now,
        until: now.saturating_add(crate::engine::run::DUE_HORIZON),
        officer: Some(officer.to_owned()),
        ..Default::default()
    };
    let due: Vec<DueItem> = due::list(conn, &running)?.iter().map(|d| due_item(d, names)).collect();
    let from = since_at.unwrap_or(i64::MIN);
    let (hits, _) = repeat_hits(conn, &AsOf::live(), from, now, Some(officer), options)?;
    let today = local_date(now);
    let (review, listed): (Vec<ListedFinding>, Vec<ListedFinding>) =
        listed.into_iter().partition(|f| f.level == "review");
    let findings: Vec<FindingItem> = listed.iter().map(|f| item(f, names, options, today)).collect();
    let review_items: Vec<FindingItem> = review.iter().map(|f| item(f, names, options, today)).collect();
    let mut tally = CategoryTally::new();
    let mut open_now = 0u32;
    let mut total = 0u32;
    for f in findings.iter().filter(|f| f.counted()) {
        tally.add(f);
        total += 1;
        if matches!(f.status.as_str(), "open" | "pushed") {
            open_now += 1;
        }
    }
    let categories = tally.counts(|c| hits.iter().any(|h| h.category == c));
    let mut units: Vec<OfficerRef> = Vec::new();
    for f in findings.iter().chain(&review_items) {
        if !units.iter().any(|u| u.id == f.unit_id) {
            units.push(OfficerRef { id: f.unit_id.clone(), name: f.unit_name.clone() });
        }
    }
    Ok(OfficerReport {
        schema: OFFICER_SCHEMA.to_owned(),
        officer_id: officer.to_owned(),
        name: names.officer(officer),
        units,
        since: since.map(ymd),
        generated_at: Ts(now).rfc3339(),
        options: options.clone(),
        findings_total: total,
        points_lost: categories.iter().map(|c| c.points).sum(),
        open_now,
        categories,
        findings,
        due,
        review_items,
    })
}

/// The names a frozen period keeps: of the units and officers its rows name, and of
/// `officers` and `units` (those of listed findings the rows do not count).
pub fn names_for(
    names: &Names,
    rows: &[RollupRow],
    officers: impl IntoIterator<Item = String>,
    units: impl IntoIterator<Item = String>,
) -> Names {
    let mut keep_units: BTreeSet<String> = units.into_iter().collect();
    let mut keep_officers: BTreeSet<String> = officers.into_iter().collect();
    for r in rows {
        if r.scope != "*" {
            keep_units.insert(r.scope.clone());
        }
        match r.dim.as_str() {
            "unit" => {
                keep_units.insert(r.key.clone());
            }
            "officer" => {
                keep_officers.insert(r.key.clone());
            }
            _ => {}
        }
    }
    let officers: BTreeMap<String, OfficerInfo> = names
        .officers
        .iter()
        .filter(|(id, _)| keep_officers.contains(*id))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    keep_units.extend(officers.values().filter_map(|o| o.unit_id.clone()));
    let units: BTreeMap<String, String> =
        names.units.iter().filter(|(id, _)| keep_units.contains(*id)).map(|(k, v)| (k.clone(), v.clone())).collect();
    Names { units, officers, categories: names.categories.clone(), groups: names.groups.clone() }
}

//! Builds report models from what `store::rollup` reads: the rollup rows of the period
//! (and of the one before), the lists, and the names of units, officers and categories.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::civil::Date;

use super::mask::mask_ids;
use super::model::{
    CategoryCount, ClearedItem, Counts, DueItem, DueUnit, FindingItem, KeyRow, OfficerAppendix, OfficerRef,
    OfficerReport, OfficerRow, PeriodInfo, PreviousPeriod, RepeatOffender, Report, ReportKind, ReportOptions, Scope,
    SeriesPoint, UnitRow, OFFICER_SCHEMA, REPORT_SCHEMA,
};
use super::period::{add_days, local_date, ymd, Period};
use super::repeat::{repeats, window_from, Closures, RepeatHit};
use super::ReportError;
use crate::engine::catalog::Catalog;
use crate::model::Ts;
use crate::store::due::{self, Due};
use crate::store::rollup::{self, Clearance, ListedFinding, Offence, OfficerInfo, RollupRow, SeriesRow};
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

/// Names for codes: units and officers from the cases, categories and groups from the catalog.
pub struct Names<'a> {
    pub units: HashMap<String, String>,
    pub officers: HashMap<String, OfficerInfo>,
    pub catalog: Option<&'a Catalog>,
}

impl<'a> Names<'a> {
    pub fn load(conn: &Connection, catalog: Option<&'a Catalog>) -> Result<Names<'a>, ReportError> {
        Ok(Names { units: rollup::unit_names(conn)?, officers: rollup::officer_directory(conn)?, catalog })
    }

    fn unit(&self, id: &str) -> Option<String> {
        self.units.get(id).map(|n| mask_ids(n).into_owned())
    }

    fn officer(&self, id: &str) -> Option<String> {
        self.officers.get(id).and_then(|o| o.name.as_deref()).map(|n| mask_ids(n).into_owned())
    }

    fn officer_unit(&self, id: &str) -> Option<String> {
        self.officers.get(id).and_then(|o| o.unit_id.clone())
    }

    fn category(&self, code: &str) -> (Option<String>, Option<String>, Option<String>) {
        match self.catalog.and_then(|c| c.category(code)) {
            Some(c) => (Some(c.name_zh.clone()), Some(c.name_en.clone()), Some(c.group.clone())),
            None => (None, None, None),
        }
    }

    fn group(&self, code: &str) -> (Option<String>, Option<String>) {
        match self.catalog.and_then(|c| c.group(code)) {
            Some(g) => (Some(g.name_zh.clone()), Some(g.name_en.clone())),
            None => (None, None),
        }
    }
}

/// Everything read for one period, for every scope at once.
pub struct PeriodData {
    pub rows: Vec<RollupRow>,
    pub previous: Option<(Period, Vec<RollupRow>)>,
    pub series_days: Vec<Date>,
    pub series: Vec<SeriesRow>,
    pub new_findings: Vec<ListedFinding>,
    pub to_fix: Vec<ListedFinding>,
    pub cleared: Vec<Clearance>,
    pub offences: Vec<Offence>,
    pub hits: Vec<RepeatHit>,
    /// the unit of each finding that `hits` name
    pub hit_units: HashMap<i64, String>,
    /// where each unit's items are in the lists, so that a unit's model reads only its own
    pub units: HashMap<String, UnitLists>,
    /// statuses and lists are taken just before this instant
    pub as_of: i64,
    /// false: the lists were left empty (a frozen period without a frozen report for the scope)
    pub lists: bool,
    /// daily: the deadlines still running at `as_of` that end within 7 days, soonest first
    pub due: Vec<Due>,
    /// the audit date they were found on
    pub due_as_of: Option<i64>,
}

/// The positions of one unit's items in the lists of [`PeriodData`], in list order.
#[derive(Debug, Default)]
pub struct UnitLists {
    new_findings: Vec<usize>,
    to_fix: Vec<usize>,
    cleared: Vec<usize>,
}

static NO_ITEMS: UnitLists = UnitLists { new_findings: Vec::new(), to_fix: Vec::new(), cleared: Vec::new() };

impl PeriodData {
    /// Indexes the lists by unit, once for every scope a model is built for.
    fn index_units(&mut self) {
        let mut units: HashMap<String, UnitLists> = HashMap::new();
        let mut add = |unit: &str, pick: fn(&mut UnitLists) -> &mut Vec<usize>, i: usize| match units.get_mut(unit) {
            Some(l) => pick(l).push(i),
            None => pick(units.entry(unit.to_owned()).or_default()).push(i),
        };
        for (i, f) in self.new_findings.iter().enumerate() {
            add(&f.unit_id, |l| &mut l.new_findings, i);
        }
        for (i, f) in self.to_fix.iter().enumerate() {
            add(&f.unit_id, |l| &mut l.to_fix, i);
        }
        for (i, c) in self.cleared.iter().enumerate() {
            add(&c.finding.unit_id, |l| &mut l.cleared, i);
        }
        self.units = units;
        let ids: HashSet<i64> = self.hits.iter().flat_map(|h| h.finding_ids.iter().copied()).collect();
        self.hit_units = self
            .offences
            .iter()
            .filter(|o| ids.contains(&o.finding_id))
            .map(|o| (o.finding_id, o.unit_id.clone()))
            .collect();
    }
}

/// The items of a list in a scope: all of them (the whole bureau), or those at `at`.
fn scoped<'d, T>(all: &'d [T], at: Option<&'d [usize]>) -> Box<dyn Iterator<Item = &'d T> + 'd> {
    match at {
        None => Box::new(all.iter()),
        Some(at) => Box::new(at.iter().filter_map(|&i| all.get(i))),
    }
}

/// The earliest closures before `until` of the (officer, category) pairs in `offences`.
fn closures(
    conn: &Connection,
    offences: &[Offence],
    until: i64,
    officer: Option<&str>,
) -> Result<Closures, ReportError> {
    let mut c = Closures::for_pairs(offences.iter().map(|o| (o.officer_id.as_str(), o.category.as_str())));
    rollup::first_closures(conn, until, officer, |o, cat, id, at| c.add(o, cat, id, at))?;
    Ok(c)
}

/// The instant a report's lists and statuses are taken at.
pub fn as_of(period: &Period, now: i64) -> i64 {
    period.end.min(now)
}

/// Reads the period: rollup rows from the `rollup` view and, if `lists`, the lists the
/// report kind shows.
pub fn fetch(conn: &Connection, req: &Request, lists: bool) -> Result<PeriodData, ReportError> {
    let p = &req.period;
    let at = as_of(p, req.now);
    let rows = rollup::rollup(conn, p.kind.as_str(), &p.key)?;
    let previous = if req.kind == ReportKind::Monthly {
        let prev = p.previous()?;
        let prev_rows = rollup::rollup(conn, prev.kind.as_str(), &prev.key)?;
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
        (Some(a), Some(b)) => rollup::daily_series(conn, &ymd(*a), &ymd(*b))?,
        _ => Vec::new(),
    };
    let mut data = PeriodData {
        rows,
        previous,
        series_days,
        series,
        new_findings: Vec::new(),
        to_fix: Vec::new(),
        cleared: Vec::new(),
        offences: Vec::new(),
        hits: Vec::new(),
        hit_units: HashMap::new(),
        units: HashMap::new(),
        as_of: at,
        lists,
        due: Vec::new(),
        due_as_of: None,
    };
    if !lists {
        return Ok(data);
    }
    match req.kind {
        ReportKind::Daily => {
            data.new_findings = rollup::findings_first_seen(conn, p.start, p.end.min(at.max(p.start)), at)?;
            data.to_fix = rollup::findings_open(conn, at)?;
            data.cleared = rollup::clearances(conn, p.start, at, at)?;
            let week = due::Filter { from: at, until: at.saturating_add(DUE_WEEK), ..Default::default() };
            data.due = due::list(conn, &week)?;
            data.due_as_of = due::covered_from(conn)?;
        }
        ReportKind::Weekly => {}
        ReportKind::Monthly => {
            data.new_findings = rollup::findings_first_seen(conn, p.start, p.end.min(at.max(p.start)), at)?;
            let (count, days) = (req.options.repeat_count, req.options.repeat_days);
            data.offences = rollup::offences(conn, window_from(p.start, days), at, None)?;
            let closures = closures(conn, &data.offences, at, None)?;
            data.hits = repeats(&data.offences, &closures, p.start, at, count, days);
        }
    }
    data.index_units();
    Ok(data)
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

fn item(f: &ListedFinding, names: &Names, opts: &ReportOptions, today: Date) -> FindingItem {
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
        verify: f.verify.clone(),
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
fn report_today(p: &Period, at: i64) -> Date {
    if at >= p.end {
        p.last
    } else {
        local_date(at)
    }
}

/// The model of one scope (`None`: the whole bureau).
pub fn model(data: &PeriodData, names: &Names, req: &Request, unit: Option<&str>) -> Report {
    let p = &req.period;
    let scope = unit.unwrap_or("*");
    let in_scope = |u: &str| unit.is_none_or(|x| x == u);
    let today = report_today(p, data.as_of);
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

    let opts = &req.options;
    let lists = unit.map(|u| data.units.get(u).unwrap_or(&NO_ITEMS));
    let mut new_findings: Vec<FindingItem> = scoped(&data.new_findings, lists.map(|l| l.new_findings.as_slice()))
        .map(|f| item(f, names, opts, today))
        .collect();
    let preview_new = i64::try_from(new_findings.iter().filter(|f| f.preview).count()).unwrap_or(i64::MAX);
    // by unit, then by (lead) officer
    fn key(f: &FindingItem) -> (&str, Option<&str>, &str, i64) {
        (&f.unit_id, f.officers.first().map(|o| o.id.as_str()), &f.first_seen, f.id)
    }
    new_findings.sort_by(|a, b| key(a).cmp(&key(b)));

    let mut to_fix: Vec<FindingItem> =
        scoped(&data.to_fix, lists.map(|l| l.to_fix.as_slice())).map(|f| item(f, names, opts, today)).collect();
    to_fix.sort_by(|a, b| (&a.due, &a.unit_id, a.id).cmp(&(&b.due, &b.unit_id, b.id)));

    let cleared: Vec<ClearedItem> = scoped(&data.cleared, lists.map(|l| l.cleared.as_slice()))
        .map(|c| ClearedItem {
            finding: item(&c.finding, names, opts, today),
            action: c.to_status.clone(),
            at: Ts(c.at).rfc3339(),
            by: mask_ids(&c.by).into_owned(),
            note: c.note.as_deref().map(|n| mask_ids(n).into_owned()),
        })
        .collect();

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

    let appendix = if req.kind == ReportKind::Monthly {
        appendix(std::mem::take(&mut new_findings), &data.hits, names)
    } else {
        Vec::new()
    };
    if req.kind != ReportKind::Daily {
        new_findings.clear();
    }
    let (due_units, due_24h) = due_soon(data, names, in_scope);

    Report {
        schema: REPORT_SCHEMA.to_owned(),
        kind: req.kind,
        period: period_info(p),
        scope: Scope { unit_id: unit.map(str::to_owned), unit_name: unit.and_then(|u| names.unit(u)) },
        options: opts.clone(),
        closed: p.closed_at(req.now),
        frozen_at: None,
        generated_at: Ts(req.now).rfc3339(),
        as_of: Ts(data.as_of).rfc3339(),
        totals,
        preview_new,
        previous: data
            .previous
            .as_ref()
            .map(|(pp, rows)| PreviousPeriod { period: period_info(pp), totals: counts(row(rows, scope, "all", "*")) }),
        units,
        groups,
        categories,
        officers,
        series,
        new_findings: if req.kind == ReportKind::Daily { new_findings } else { Vec::new() },
        to_fix: if req.kind == ReportKind::Daily { to_fix } else { Vec::new() },
        cleared: if req.kind == ReportKind::Daily { cleared } else { Vec::new() },
        repeat_offenders: if req.kind == ReportKind::Monthly { repeat_offenders } else { Vec::new() },
        appendix,
        due_units,
        due_24h,
        due_found_as_of: data.due_as_of.filter(|_| req.kind == ReportKind::Daily).map(|t| Ts(t).rfc3339()),
    }
}

fn category_counts(findings: &[&FindingItem], repeat: impl Fn(&str) -> bool) -> Vec<CategoryCount> {
    let mut by: BTreeMap<&str, (u32, i64, &FindingItem)> = BTreeMap::new();
    for f in findings {
        let e = by.entry(f.category.as_str()).or_insert((0, 0, f));
        e.0 += 1;
        if f.status != "waived" {
            e.1 += f.points;
        }
    }
    let mut out: Vec<CategoryCount> = by
        .into_iter()
        .map(|(code, (count, points, f))| CategoryCount {
            code: code.to_owned(),
            name_zh: f.category_zh.clone(),
            name_en: f.category_en.clone(),
            count,
            points,
            repeat: repeat(code),
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(b.repeat.cmp(&a.repeat)).then(a.code.cmp(&b.code)));
    out
}

/// Each officer's findings of the month. Takes the findings over: each goes to its last
/// officer and a copy to each other one, so the list and the appendix are never both held.
fn appendix(new_findings: Vec<FindingItem>, hits: &[RepeatHit], names: &Names) -> Vec<OfficerAppendix> {
    let repeat: HashSet<(&str, &str)> = hits.iter().map(|h| (h.officer_id.as_str(), h.category.as_str())).collect();
    let mut by_officer: BTreeMap<String, Vec<FindingItem>> = BTreeMap::new();
    for f in new_findings.into_iter().filter(FindingItem::counted) {
        let Some((last, others)) = f.officers.split_last() else { continue };
        let last = last.id.clone();
        for o in others {
            by_officer.entry(o.id.clone()).or_default().push(f.clone());
        }
        by_officer.entry(last).or_default().push(f);
    }
    let mut out: Vec<OfficerAppendix> = by_officer
        .into_iter()
        .map(|(id, mut list)| {
            list.sort_by(|a, b| (&a.first_seen, a.id).cmp(&(&b.first_seen, b.id)));
            let unit_id = names.officer_unit(&id).or_else(|| list.first().map(|f| f.unit_id.clone()));
            let refs: Vec<&FindingItem> = list.iter().collect();
            let categories = category_counts(&refs, |c| repeat.contains(&(id.as_str(), c)));
            OfficerAppendix {
                name: names.officer(&id),
                unit_name: unit_id.as_deref().and_then(|u| names.unit(u)),
                unit_id,
                new: u32::try_from(list.len()).unwrap_or(u32::MAX),
                points: categories.iter().map(|c| c.points).sum(),
                categories,
                findings: list,
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
    out
}

/// An officer's list of recurring errors as of `now`: findings first seen since `since`.
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
    let offences = rollup::offences(conn, window_from(from, options.repeat_days), now, Some(officer))?;
    let closures = closures(conn, &offences, now, Some(officer))?;
    let hits = repeats(&offences, &closures, from, now, options.repeat_count, options.repeat_days);
    let today = local_date(now);
    let findings: Vec<FindingItem> = listed.iter().map(|f| item(f, names, options, today)).collect();
    let counted: Vec<&FindingItem> = findings.iter().filter(|f| f.counted()).collect();
    let categories = category_counts(&counted, |c| hits.iter().any(|h| h.category == c));
    let mut units: Vec<OfficerRef> = Vec::new();
    for f in &findings {
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
        findings_total: u32::try_from(counted.len()).unwrap_or(u32::MAX),
        points_lost: categories.iter().map(|c| c.points).sum(),
        open_now: u32::try_from(counted.iter().filter(|f| matches!(f.status.as_str(), "open" | "pushed")).count())
            .unwrap_or(u32::MAX),
        categories,
        findings,
        due,
    })
}

/// The scopes a closed period is frozen for: the whole bureau and every unit in its rows.
pub fn scopes(rows: &[RollupRow]) -> Vec<Option<String>> {
    let units: BTreeSet<&str> = rows.iter().filter(|r| r.scope != "*").map(|r| r.scope.as_str()).collect();
    std::iter::once(None).chain(units.into_iter().map(|u| Some(u.to_owned()))).collect()
}

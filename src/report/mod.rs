//! Reports: rollups of findings by day, ISO week and month (Asia/Shanghai), per unit,
//! officer, group and category, rendered as text, Markdown, CSV, JSON and a
//! self-contained HTML bulletin (issue #7: 日清 周结 月通报, and 重犯错误清单).
//!
//! The numbers come from the SQL views of migration 0002 through [`crate::store::rollup`];
//! this module never writes SQL. [`build`] makes the head of a [`model::Report`] (numbers,
//! rankings, repeat offenders, the appendix's officers), [`lists`] reads its long lists one
//! item at a time as they are laid out, [`doc`] words it in Chinese or English, and one file
//! per format lays it out onto a writer. No list is ever held whole, so a report's memory
//! does not grow with the number of findings (issue #19).
//!
//! Freezing (issue #20). A period freezes only when it has ended and a completed audit of
//! every check covers it: its as-of instant is at or after the period's last second (a run
//! killed midway, or one with `--select`/`--ignore`, does not count). Until then a report of
//! it is live and says which audit it reflects. The first report after that freezes it, and
//! so does `xuncha report freeze` (which with `--force` and a note freezes without coverage).
//! A frozen period keeps its rollup rows and the ids of what it read (see migration 0008):
//! every later report of it reads its lists again up to those ids, so it is the same
//! document. What arrives for a frozen period afterwards is a late addition (往期补录): the
//! next period's report and the live view (`--live`) count it per period.
//!
//! Every string that reaches a report passes [`mask::mask_ids`] (resident ID numbers show
//! as `330502********1234`), and so does every line a report writes.

pub mod build;
pub mod csv;
pub mod doc;
pub mod html;
pub mod json;
pub mod lists;
pub mod markdown;
pub mod mask;
pub mod model;
pub mod period;
pub mod repeat;
pub mod text;

use std::io::Write;

use crate::engine::catalog::Catalog;
use crate::model::Ts;
use crate::store::rollup::{self, AsOf, AuditRun, FreezeOutcome, Freezing, FrozenPeriod, LateFor, RollupRow};
use crate::store::{Store, StoreError};

pub use build::Request;
use build::{Names, PeriodData};
use lists::{FromStore, InModel, ListSpec, Lists};
use model::{Coverage, FreezeInfo, LateRow, OfficerReport, Report, ReportKind};
use period::Period;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("bad date `{input}`: {message}")]
    Date { input: String, message: String },
    #[error("the frozen report of `{period}` cannot be read ({source}); it was written by another version of xuncha")]
    Frozen { period: String, source: serde_json::Error },
    #[error("cannot write the report as JSON: {0}")]
    Json(serde_json::Error),
    #[error("cannot write the report: {0}")]
    Io(std::io::Error),
    #[error("{0}")]
    Usage(String),
}

/// The language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Markdown,
    Csv,
    Json,
    Html,
}

/// A report: its head, and where its lists are read from.
#[derive(Debug)]
pub struct Made {
    /// the head of the report: every list is empty (they are read as the report is written;
    /// [`Made::collect`] reads them all), unless the report was frozen before migration 0008
    pub report: Report,
    /// notes for stderr (the period was frozen now, or could not be)
    pub notes: Vec<String>,
    /// `None`: the lists are in `report`
    lists: Option<ListSpec>,
}

impl Made {
    fn lists<'a>(&'a self, store: &'a Store) -> Box<dyn Lists + 'a> {
        match &self.lists {
            None => Box::new(InModel(&self.report)),
            Some(spec) => Box::new(FromStore { conn: &store.conn, spec, report: &self.report }),
        }
    }

    /// Writes the report in `format` to `out`, reading its lists from `store` as it goes
    /// (inside one read transaction); every resident ID number is masked.
    pub fn write(&self, store: &Store, format: Format, lang: Lang, out: &mut dyn Write) -> Result<(), ReportError> {
        let mut masked = mask::MaskWriter::new(out);
        rollup::read_snapshot(&store.conn, || {
            write_with(&self.report, &*self.lists(store), format, lang, &mut masked)
        })?;
        masked.finish().map_err(ReportError::Io)
    }

    /// The report in `format` as a string (the whole document in memory: for the console
    /// and tests; write a large report with [`Made::write`]).
    pub fn render(&self, store: &Store, format: Format, lang: Lang) -> Result<String, ReportError> {
        let mut out = Vec::new();
        self.write(store, format, lang, &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// The whole model, every list read into it (for tests and small reports: a month's
    /// lists can hold hundreds of thousands of findings).
    pub fn collect(&self, store: &Store) -> Result<Report, ReportError> {
        let mut r = self.report.clone();
        if self.lists.is_none() {
            return Ok(r);
        }
        rollup::read_snapshot(&store.conn, || {
            let lists = self.lists(store);
            fn push<T>(v: &mut Vec<T>) -> impl FnMut(T) -> Result<(), ReportError> + '_ {
                move |x| {
                    v.push(x);
                    Ok(())
                }
            }
            lists.new_findings(&mut push(&mut r.new_findings))?;
            lists.to_fix(&mut push(&mut r.to_fix))?;
            lists.cleared(&mut push(&mut r.cleared))?;
            lists.review_items(&mut push(&mut r.review_items))?;
            lists.late_findings(&mut push(&mut r.late_findings))?;
            let appendix = &mut r.appendix;
            lists.appendix(&mut |i, findings| {
                if let Some(a) = appendix.get_mut(i) {
                    a.findings = findings;
                }
                Ok(())
            })
        })?;
        Ok(r)
    }
}

fn lay_out(doc: &doc::Doc, format: Format, out: &mut dyn Write) -> Result<(), ReportError> {
    match format {
        Format::Text => text::render(doc, out),
        Format::Markdown => markdown::render(doc, out),
        Format::Csv => csv::render(doc, out),
        Format::Html => html::render(doc, out),
        Format::Json => Ok(()),
    }
}

fn write_with(
    report: &Report,
    lists: &dyn Lists,
    format: Format,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    match format {
        Format::Json => json::render_report(report, lists, out),
        f => lay_out(&doc::report_doc(report, lists, lang)?, f, out),
    }
}

/// Renders a report model that holds its lists; the result has every resident ID number
/// masked.
pub fn render(report: &Report, format: Format, lang: Lang) -> Result<String, ReportError> {
    let mut out = Vec::new();
    {
        let mut masked = mask::MaskWriter::new(&mut out);
        write_with(report, &InModel(report), format, lang, &mut masked)?;
        masked.finish().map_err(ReportError::Io)?;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Writes an officer's list to `out`; every resident ID number is masked.
pub fn write_officer(
    report: &OfficerReport,
    format: Format,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let mut masked = mask::MaskWriter::new(out);
    match format {
        Format::Json => json::render(report, &mut masked)?,
        f => lay_out(&doc::officer_doc(report, lang), f, &mut masked)?,
    }
    masked.finish().map_err(ReportError::Io)
}

/// Renders an officer's list; the result has every resident ID number masked.
pub fn render_officer(report: &OfficerReport, format: Format, lang: Lang) -> Result<String, ReportError> {
    let mut out = Vec::new();
    write_officer(report, format, lang, &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

// ---------------------------------------------------------------------------------------
// making reports

/// Whether the latest completed audit covers a period: its as-of instant is at or after
/// the period's last second (`audit --as-of 2026-06-30` runs as of 23:59:59 that day).
pub fn covers(audit: Option<AuditRun>, p: &Period) -> bool {
    audit.is_some_and(|a| a.as_of >= p.end - 1)
}

fn coverage(audit: Option<AuditRun>, p: &Period) -> Coverage {
    Coverage {
        audit_as_of: audit.map(|a| Ts(a.as_of).rfc3339()),
        audit_run: audit.map(|a| a.id),
        covered: covers(audit, p),
    }
}

fn freeze_info(z: &FrozenPeriod) -> FreezeInfo {
    FreezeInfo {
        at: Ts(z.frozen_at).rfc3339(),
        by: z.by.clone(),
        forced: z.forced,
        note: z.note.clone(),
        audit_run: z.audit.map(|a| a.id),
        audit_as_of: z.audit.map(|a| Ts(a.as_of).rfc3339()),
    }
}

fn late_rows(counts: Vec<rollup::LateCount>) -> Vec<LateRow> {
    counts.into_iter().map(|c| LateRow { period: c.period, cases: c.cases, findings: c.findings }).collect()
}

/// What a frozen period keeps besides its rows, names and watermarks.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct FrozenData {
    /// monthly: the rows of the month before, as they stood
    #[serde(default)]
    previous: Option<Vec<RollupRow>>,
    /// daily: the deadlines running when it froze (即将到期) and the audit date they were found on
    #[serde(default)]
    due: Option<(Vec<crate::store::due::Due>, Option<i64>)>,
}

/// The head of a report and its lists' spec, from `data` read at `asof`.
#[allow(clippy::too_many_arguments)]
fn made(
    conn: &rusqlite::Connection,
    req: &Request,
    asof: AsOf,
    data: &PeriodData,
    names: Names,
    late: LateFor,
) -> Result<(Report, ListSpec), ReportError> {
    let p = &req.period;
    let unit = req.unit.as_deref();
    let at = data.as_of;
    let mut r = build::model(data, &names, req, unit);
    r.preview_new = rollup::count_preview(conn, &asof, p.start, build::first_seen_end(p, at), unit)?;
    if req.kind == ReportKind::Monthly {
        r.appendix = build::appendix(conn, &asof, req, at, unit, &data.hits, &names)?;
    }
    r.late = late_rows(rollup::late_counts(conn, &asof, &late, unit)?);
    let spec = ListSpec {
        asof,
        names,
        kind: req.kind,
        period: p.clone(),
        unit: req.unit.clone(),
        options: req.options.clone(),
        at,
        late: Some(late),
    };
    Ok((r, spec))
}

/// A live report, read at the present watermark. `frozen`: the period is frozen and this is
/// its live view (its late additions are what arrived after it froze).
fn live(
    conn: &rusqlite::Connection,
    catalog: Option<&Catalog>,
    req: &Request,
    audit: Option<AuditRun>,
    frozen: Option<&FrozenPeriod>,
) -> Result<Made, ReportError> {
    let p = &req.period;
    let asof = AsOf::at(conn, rollup::watermark(conn)?)?;
    let names = Names::load(conn, catalog)?;
    let rows = rollup::rollup_live(conn, p.kind.as_str(), &p.key)?;
    let data = build::fetch(conn, req, &asof, rows, None)?;
    let late = match frozen {
        Some(_) => LateFor::Itself { kind: p.kind.as_str().to_owned(), period: p.key.clone() },
        None => LateFor::Next { kind: p.kind.as_str().to_owned(), start: p.start, frozen: None },
    };
    let (mut r, spec) = made(conn, req, asof, &data, names, late)?;
    r.coverage = Some(coverage(audit, p));
    r.freeze = frozen.map(freeze_info);
    Ok(Made { report: r, notes: Vec::new(), lists: Some(spec) })
}

/// The report of a frozen period: its rows, names and what else it kept, and its lists read
/// up to its watermark. The same document however often it is made.
fn frozen(
    conn: &rusqlite::Connection,
    catalog: Option<&Catalog>,
    req: &Request,
    z: &FrozenPeriod,
) -> Result<Made, ReportError> {
    let p = &req.period;
    let Some(w) = z.watermark else { return legacy(conn, catalog, req, z) };
    let asof = AsOf::at(conn, w)?;
    let names = match &z.names {
        Some(json) => {
            serde_json::from_str(json).map_err(|source| ReportError::Frozen { period: p.key.clone(), source })?
        }
        None => Names::load(conn, catalog)?,
    };
    let kept: FrozenData = match &z.data {
        Some(json) => {
            serde_json::from_str(json).map_err(|source| ReportError::Frozen { period: p.key.clone(), source })?
        }
        None => FrozenData::default(),
    };
    let rows = rollup::frozen_rows(conn, p.kind.as_str(), &p.key)?;
    let mut data = build::fetch(conn, req, &asof, rows, kept.previous)?;
    if let Some((due, due_as_of)) = kept.due {
        (data.due, data.due_as_of) = (due, due_as_of);
    }
    let late =
        LateFor::Next { kind: p.kind.as_str().to_owned(), start: p.start, frozen: Some((z.freeze_id, z.late_upto)) };
    let (mut r, spec) = made(conn, req, asof, &data, names, late)?;
    let at = Ts(z.frozen_at).rfc3339();
    r.frozen_at = Some(at.clone());
    r.generated_at = at;
    r.coverage = Some(Coverage {
        audit_as_of: z.audit.map(|a| Ts(a.as_of).rfc3339()),
        audit_run: z.audit.map(|a| a.id),
        covered: z.audit.is_some_and(|a| a.as_of >= p.end - 1),
    });
    r.freeze = Some(freeze_info(z));
    let mut notes = Vec::new();
    let since = rollup::late_counts(
        conn,
        &AsOf::live(),
        &LateFor::Itself { kind: p.kind.as_str().to_owned(), period: p.key.clone() },
        req.unit.as_deref(),
    )?;
    if let Some(c) = since.first().filter(|c| c.cases + c.findings > 0) {
        notes.push(format!(
            "note: {} {} is frozen; {} cases and {} findings arrived for it since: the next period's report lists them (往期补录), and `--live` shows the present figures",
            req.kind.as_str(),
            p.key,
            c.cases,
            c.findings
        ));
    }
    Ok(Made { report: r, notes, lists: Some(spec) })
}

/// A period frozen before migration 0008: its whole report as it was kept, or (for a scope
/// or options it was not kept with) its frozen numbers with the present lists.
fn legacy(
    conn: &rusqlite::Connection,
    catalog: Option<&Catalog>,
    req: &Request,
    z: &FrozenPeriod,
) -> Result<Made, ReportError> {
    let p = &req.period;
    let scope = req.unit.as_deref().unwrap_or("*");
    if let Some((_, json)) = rollup::legacy_frozen_report(conn, req.kind.as_str(), &p.key, scope, &req.options.key())? {
        let report: Report =
            serde_json::from_str(&json).map_err(|source| ReportError::Frozen { period: p.key.clone(), source })?;
        return Ok(Made { report, notes: Vec::new(), lists: None });
    }
    let asof = AsOf::at(conn, rollup::watermark(conn)?)?;
    let names = Names::load(conn, catalog)?;
    let rows = rollup::rollup(conn, p.kind.as_str(), &p.key)?;
    let data = build::fetch(conn, req, &asof, rows, None)?;
    let late = LateFor::Next { kind: p.kind.as_str().to_owned(), start: p.start, frozen: None };
    let (mut r, spec) = made(conn, req, asof, &data, names, late)?;
    r.frozen_at = Some(Ts(z.frozen_at).rfc3339());
    r.freeze = Some(freeze_info(z));
    let notes = vec![format!(
        "note: {} {} was frozen by an earlier xuncha without this scope and options: the figures are frozen, the lists are the present ones",
        req.kind.as_str(),
        p.key
    )];
    Ok(Made { report: r, notes, lists: Some(spec) })
}

/// How a period is to be frozen.
#[derive(Debug, Clone)]
pub struct FreezeRequest<'a> {
    pub by: &'a str,
    pub note: Option<&'a str>,
    /// freeze even though no completed audit covers it (`note` says why)
    pub force: bool,
}

/// Reads what a freeze keeps (inside the caller's snapshot) and writes it.
fn freeze_now(
    store: &Store,
    catalog: Option<&Catalog>,
    req: &Request,
    audit: Option<AuditRun>,
    how: &FreezeRequest,
) -> Result<FreezeOutcome, ReportError> {
    let conn = &store.conn;
    let p = &req.period;
    let (w, rows, names, data) = rollup::read_snapshot(conn, || -> Result<_, ReportError> {
        let w = rollup::watermark(conn)?;
        let asof = AsOf::at(conn, w)?;
        let rows = rollup::rollup_live(conn, p.kind.as_str(), &p.key)?;
        let due = build::running(conn, req)?;
        let previous =
            if req.kind == ReportKind::Monthly { Some(build::previous_rows(conn, &p.previous()?)?) } else { None };
        // the officers and units of what the report lists but its rows do not count
        let (mut officers, mut units) = (Vec::new(), Vec::new());
        let at = build::as_of(p, req.now);
        let mut note = |f: rollup::ListedFinding| -> Result<(), ReportError> {
            officers.extend(f.officers);
            units.push(f.unit_id);
            Ok(())
        };
        let end = build::first_seen_end(p, at);
        rollup::each_first_seen(conn, &asof, rollup::FirstSeen::Review, p.start, end, at, None, &mut note)?;
        rollup::each_first_seen(conn, &asof, rollup::FirstSeen::Listed, p.start, end, at, None, |f| {
            if f.preview {
                note(f)?;
            }
            Ok::<(), ReportError>(())
        })?;
        let late = LateFor::Next { kind: p.kind.as_str().to_owned(), start: p.start, frozen: None };
        rollup::each_late_finding(conn, &asof, &late, at, None, &mut note)?;
        officers.sort();
        officers.dedup();
        units.sort();
        units.dedup();
        let names = build::names_for(&Names::load(conn, catalog)?, &rows, officers, units);
        let names = serde_json::to_string(&names).map_err(ReportError::Json)?;
        let data = serde_json::to_string(&FrozenData { previous, due: Some(due) }).map_err(ReportError::Json)?;
        Ok((w, rows, names, data))
    })?;
    let f = Freezing {
        kind: p.kind.as_str(),
        period: &p.key,
        start: p.start,
        end: p.end,
        at: req.now,
        by: how.by,
        note: how.note,
        forced: how.force && !covers(audit, p),
        audit: audit.filter(|_| covers(audit, p)),
        watermark: w,
        rows: &rows,
        names: &names,
        data: &data,
    };
    Ok(rollup::freeze(&store.path, &f)?)
}

/// Makes a daily, weekly or monthly report. A period frozen before is read as it froze. A
/// period that has ended and that a completed audit covers is frozen now (see the module
/// documentation); any other is live and freezes nothing.
pub fn make_report(store: &Store, catalog: Option<&Catalog>, req: &Request) -> Result<Made, ReportError> {
    let conn = &store.conn;
    let p = &req.period;
    let (audit, z) = rollup::read_snapshot(conn, || -> Result<_, ReportError> {
        Ok((rollup::latest_complete_audit(conn)?, rollup::frozen_period(conn, p.kind.as_str(), &p.key)?))
    })?;
    if let Some(z) = z {
        return rollup::read_snapshot(conn, || frozen(conn, catalog, req, &z));
    }
    if !(p.closed_at(req.now) && covers(audit, p)) {
        return rollup::read_snapshot(conn, || live(conn, catalog, req, audit, None));
    }
    let how = FreezeRequest { by: "report", note: None, force: false };
    let mut notes = Vec::new();
    match freeze_now(store, catalog, req, audit, &how) {
        Ok(FreezeOutcome::Frozen) => notes.push(format!(
            "{} {} has ended and the audit as of {} covers it: it is now frozen; later reports of it read the same",
            req.kind.as_str(),
            p.key,
            audit.map(|a| Ts(a.as_of).rfc3339()).unwrap_or_default()
        )),
        Ok(FreezeOutcome::AlreadyFrozen) => {}
        Err(e) => {
            let mut m = rollup::read_snapshot(conn, || live(conn, catalog, req, audit, None))?;
            m.notes.push(format!(
                "warning: {} {} has ended but could not be frozen ({e}); this report shows the live numbers",
                req.kind.as_str(),
                p.key
            ));
            return Ok(m);
        }
    }
    let z = rollup::frozen_period(conn, p.kind.as_str(), &p.key)?.ok_or_else(|| {
        ReportError::Usage(format!("{} {} was frozen but cannot be read back", req.kind.as_str(), p.key))
    })?;
    let mut m = rollup::read_snapshot(conn, || frozen(conn, catalog, req, &z))?;
    notes.append(&mut m.notes);
    m.notes = notes;
    Ok(m)
}

/// The live view of a period: its present figures, frozen or not, and for a frozen period
/// what arrived for it after it froze. Freezes nothing.
pub fn make_live_report(store: &Store, catalog: Option<&Catalog>, req: &Request) -> Result<Made, ReportError> {
    let conn = &store.conn;
    let p = &req.period;
    rollup::read_snapshot(conn, || {
        let audit = rollup::latest_complete_audit(conn)?;
        let z = rollup::frozen_period(conn, p.kind.as_str(), &p.key)?.filter(|z| z.watermark.is_some());
        live(conn, catalog, req, audit, z.as_ref())
    })
}

/// What [`freeze_period`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Frozen {
    /// frozen now; `covered`: on a completed audit (else forced)
    Now { covered: bool, audit: Option<AuditRun> },
    /// it was frozen already, at that instant by that person
    Already { at: i64, by: String },
}

/// Freezes a period on demand (`xuncha report freeze`). Refuses a period that has not
/// ended, and one no completed audit covers unless `how.force` (with a note).
pub fn freeze_period(
    store: &Store,
    catalog: Option<&Catalog>,
    req: &Request,
    how: &FreezeRequest,
) -> Result<Frozen, ReportError> {
    let conn = &store.conn;
    let p = &req.period;
    let (audit, z) = rollup::read_snapshot(conn, || -> Result<_, ReportError> {
        Ok((rollup::latest_complete_audit(conn)?, rollup::frozen_period(conn, p.kind.as_str(), &p.key)?))
    })?;
    if let Some(z) = z {
        return Ok(Frozen::Already { at: z.frozen_at, by: z.by });
    }
    if !p.closed_at(req.now) {
        return Err(ReportError::Usage(format!(
            "{} {} has not ended (it ends at {}); only an ended period can be frozen",
            req.kind.as_str(),
            p.key,
            Ts(p.end).rfc3339()
        )));
    }
    let covered = covers(audit, p);
    if !covered && !how.force {
        let latest = match audit {
            Some(a) => format!("the latest completed audit is as of {}", Ts(a.as_of).rfc3339()),
            None => "no audit has completed".to_owned(),
        };
        return Err(ReportError::Usage(format!(
            "no completed audit covers {} {} ({latest}); it was not frozen\n  help: audit as of its last day first (`xuncha audit --as-of {}`), or freeze it anyway with `--force --note WHY`",
            req.kind.as_str(),
            p.key,
            period::ymd(p.last)
        )));
    }
    if how.force && how.note.is_none_or(|n| n.trim().is_empty()) {
        return Err(ReportError::Usage(
            "`--force` needs `--note` saying why the period is frozen without a covering audit".into(),
        ));
    }
    match freeze_now(store, catalog, req, audit, how)? {
        FreezeOutcome::Frozen => Ok(Frozen::Now { covered, audit: audit.filter(|_| covered) }),
        FreezeOutcome::AlreadyFrozen => {
            let z = rollup::frozen_period(conn, p.kind.as_str(), &p.key)?;
            Ok(Frozen::Already { at: z.as_ref().map_or(0, |z| z.frozen_at), by: z.map(|z| z.by).unwrap_or_default() })
        }
    }
}

/// Reopens a frozen period (`xuncha report unfreeze`): its frozen figures are dropped and
/// the next report of it is live again (and freezes again once an audit covers it). The
/// unfreeze is logged with who and why. Returns false if it was not frozen.
pub fn unfreeze_period(store: &Store, p: &Period, now: i64, by: &str, note: &str) -> Result<bool, ReportError> {
    Ok(rollup::unfreeze(&store.path, p.kind.as_str(), &p.key, now, by, note)?)
}

/// An officer's list of recurring errors, as of `now` (never frozen; one officer's findings
/// are held in memory).
pub fn make_officer_report(
    store: &Store,
    catalog: Option<&Catalog>,
    officer: &str,
    since: Option<jiff::civil::Date>,
    options: &model::ReportOptions,
    now: i64,
) -> Result<OfficerReport, ReportError> {
    rollup::read_snapshot(&store.conn, || {
        let names = Names::load(&store.conn, catalog)?;
        build::officer_report(&store.conn, &names, officer, since, options, now)
    })
}

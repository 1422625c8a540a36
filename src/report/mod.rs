//! Reports: rollups of findings by day, ISO week and month (Asia/Shanghai), per unit,
//! officer, group and category, rendered as text, Markdown, CSV, JSON and a
//! self-contained HTML bulletin (issue #7: 日清 周结 月通报, and 重犯错误清单).
//!
//! The numbers come from the SQL views of migration 0002 through [`crate::store::rollup`];
//! this module never writes SQL. [`build`] turns the rows into a language-neutral
//! [`model::Report`], [`doc`] words it in Chinese or English, and one file per format lays
//! it out. [`make_report`] also keeps closed periods frozen: the first report of a period
//! that has ended stores its rollup rows and the report models, and every later report of
//! that period reads them back, so a bulletin regenerated next month is the same bulletin.
//!
//! Every string that reaches a report passes [`mask::mask_ids`] (resident ID numbers show
//! as `330502********1234`), and so does every rendered report.

pub mod build;
pub mod csv;
pub mod doc;
pub mod html;
pub mod json;
pub mod markdown;
pub mod mask;
pub mod model;
pub mod period;
pub mod repeat;
pub mod text;

use crate::engine::catalog::Catalog;
use crate::model::Ts;
use crate::store::rollup::{self, FreezeOutcome, FrozenModel};
use crate::store::{Store, StoreError};

pub use build::Request;
use model::{OfficerReport, Report};

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

/// A report and what happened to the period on the way.
#[derive(Debug)]
pub struct Made {
    pub report: Report,
    /// notes for stderr (the period was frozen now, or could not be)
    pub notes: Vec<String>,
}

fn parse_frozen(json: &str, period: &str) -> Result<Report, ReportError> {
    serde_json::from_str(json).map_err(|source| ReportError::Frozen { period: period.to_owned(), source })
}

/// The models of a period's first report, written to an anonymous temporary file beside the
/// database as each scope's model is built and read back one at a time while they are
/// stored: neither every scope's model nor every scope's JSON is held at once, and the
/// write lock is taken only once they are all made.
struct Spill {
    file: std::io::BufWriter<std::fs::File>,
    /// (scope, bytes of JSON), in the order written
    entries: Vec<(String, u64)>,
    report_kind: String,
    options: String,
}

fn spill_err(context: &'static str) -> impl Fn(std::io::Error) -> StoreError {
    move |source| StoreError::Io { context, source }
}

impl Spill {
    fn new(db: &std::path::Path, req: &Request) -> Result<Spill, StoreError> {
        let dir = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let file = tempfile::tempfile_in(dir).map_err(spill_err("creating a temporary file for the frozen reports"))?;
        Ok(Spill {
            file: std::io::BufWriter::new(file),
            entries: Vec::new(),
            report_kind: req.kind.as_str().to_owned(),
            options: req.options.key(),
        })
    }

    fn add(&mut self, report: &Report, scope: &str) -> Result<(), ReportError> {
        use std::io::Seek;
        let err = spill_err("writing a frozen report to a temporary file");
        let start = self.file.stream_position().map_err(&err)?;
        serde_json::to_writer(&mut self.file, report).map_err(ReportError::Json)?;
        let end = self.file.stream_position().map_err(&err)?;
        self.entries.push((scope.to_owned(), end - start));
        Ok(())
    }

    /// The models in the order they were added.
    fn models(self) -> Result<impl Iterator<Item = Result<FrozenModel, StoreError>>, StoreError> {
        use std::io::{Read, Seek};
        let err = spill_err("reading a frozen report back from a temporary file");
        let mut file = self.file.into_inner().map_err(|e| err(e.into_error()))?;
        file.rewind().map_err(&err)?;
        let mut file = std::io::BufReader::new(file);
        let (report_kind, options) = (self.report_kind, self.options);
        Ok(self.entries.into_iter().map(move |(scope, len)| {
            let mut json = String::new();
            (&mut file).take(len).read_to_string(&mut json).map_err(&err)?;
            Ok(FrozenModel { report_kind: report_kind.clone(), scope, options: options.clone(), json })
        }))
    }
}

fn frozen_model(report: &Report, scope: &str) -> Result<FrozenModel, ReportError> {
    Ok(FrozenModel {
        report_kind: report.kind.as_str().to_owned(),
        scope: scope.to_owned(),
        options: report.options.key(),
        json: serde_json::to_string(report).map_err(ReportError::Json)?,
    })
}

/// Makes a daily, weekly or monthly report. A closed period is read from its frozen copy
/// if there is one, and frozen now if there is none (see the module documentation).
pub fn make_report(store: &Store, catalog: Option<&Catalog>, req: &Request) -> Result<Made, ReportError> {
    let conn = &store.conn;
    let p = &req.period;
    let kind = req.kind.as_str();
    let scope = req.unit.as_deref().unwrap_or("*");
    let options = req.options.key();
    let closed = p.closed_at(req.now);
    let mut notes = Vec::new();
    if closed {
        if let Some((_, json)) = rollup::frozen_report(conn, kind, &p.key, scope, &options)? {
            return Ok(Made { report: parse_frozen(&json, &p.key)?, notes });
        }
    }
    let names = build::Names::load(conn, catalog)?;
    if !closed {
        let data = rollup::read_snapshot(conn, || build::fetch(conn, req, true))?;
        return Ok(Made { report: build::model(&data, &names, req, req.unit.as_deref()), notes });
    }
    let now_text = Ts(req.now).rfc3339();
    if rollup::frozen_period(conn, p.kind.as_str(), &p.key)?.is_none() {
        // the first report since the period closed: freeze its rows and every scope's report
        let mut data = rollup::read_snapshot(conn, || build::fetch(conn, req, true))?;
        let mut scopes = build::scopes(&data.rows);
        if !scopes.contains(&req.unit) {
            scopes.push(req.unit.clone());
        }
        // each scope's model is built once, spilled, and dropped (but the one asked for)
        let mut spill = Spill::new(&store.path, req);
        let mut mine = None;
        for s in &scopes {
            let mut m = build::model(&data, &names, req, s.as_deref());
            m.frozen_at = Some(now_text.clone());
            if let Ok(sp) = &mut spill {
                if let Err(e) = sp.add(&m, s.as_deref().unwrap_or("*")) {
                    match e {
                        ReportError::Store(e) => spill = Err(e),
                        e => return Err(e),
                    }
                }
            }
            if *s == req.unit {
                mine = Some(m);
            }
        }
        let mut mine = mine.unwrap_or_else(|| build::model(&data, &names, req, req.unit.as_deref()));
        let rows = std::mem::take(&mut data.rows);
        drop(data);
        let frozen = spill
            .and_then(Spill::models)
            .and_then(|models| rollup::freeze(&store.path, p.kind.as_str(), &p.key, req.now, &rows, models));
        match frozen {
            Ok(FreezeOutcome::Frozen) => {
                notes.push(format!(
                    "{} {} has closed: its numbers and this report are now frozen; later reports of it read the same",
                    kind, p.key
                ));
                return Ok(Made { report: mine, notes });
            }
            Ok(FreezeOutcome::AlreadyFrozen) => {
                if let Some((_, json)) = rollup::frozen_report(conn, kind, &p.key, scope, &options)? {
                    return Ok(Made { report: parse_frozen(&json, &p.key)?, notes });
                }
            }
            Err(e) => {
                notes.push(format!(
                    "warning: {} {} has closed but could not be frozen ({e}); this report shows the live numbers",
                    kind, p.key
                ));
                mine.frozen_at = None;
                return Ok(Made { report: mine, notes });
            }
        }
    }
    // the period is frozen, but not this scope with these options: the numbers come from the
    // frozen rows; the lists are empty if the period was frozen with these options (the
    // scope had nothing then), live otherwise
    let lists = !rollup::frozen_with_options(conn, kind, &p.key, &options)?;
    let data = rollup::read_snapshot(conn, || build::fetch(conn, req, lists))?;
    let mut m = build::model(&data, &names, req, req.unit.as_deref());
    m.frozen_at = Some(now_text);
    match rollup::freeze_model(&store.path, &p.key, req.now, frozen_model(&m, scope)?) {
        Ok(true) => Ok(Made { report: m, notes }),
        Ok(false) => match rollup::frozen_report(conn, kind, &p.key, scope, &options)? {
            Some((_, json)) => Ok(Made { report: parse_frozen(&json, &p.key)?, notes }),
            None => Ok(Made { report: m, notes }),
        },
        Err(e) => {
            notes.push(format!("warning: this report of {} {} could not be frozen ({e})", kind, p.key));
            m.frozen_at = None;
            Ok(Made { report: m, notes })
        }
    }
}

/// An officer's list of recurring errors, as of `now` (never frozen).
pub fn make_officer_report(
    store: &Store,
    catalog: Option<&Catalog>,
    officer: &str,
    since: Option<jiff::civil::Date>,
    options: &model::ReportOptions,
    now: i64,
) -> Result<OfficerReport, ReportError> {
    let names = build::Names::load(&store.conn, catalog)?;
    rollup::read_snapshot(&store.conn, || build::officer_report(&store.conn, &names, officer, since, options, now))
}

fn lay_out(doc: &doc::Doc, format: Format) -> String {
    match format {
        Format::Text => text::render(doc),
        Format::Markdown => markdown::render(doc),
        Format::Csv => csv::render(doc),
        Format::Html => html::render(doc),
        Format::Json => String::new(),
    }
}

/// Renders a report; the result has every resident ID number masked.
pub fn render(report: &Report, format: Format, lang: Lang) -> Result<String, ReportError> {
    let out = match format {
        Format::Json => json::render(report)?,
        f => lay_out(&doc::report_doc(report, lang), f),
    };
    Ok(masked(out))
}

/// Renders an officer's list; the result has every resident ID number masked.
pub fn render_officer(report: &OfficerReport, format: Format, lang: Lang) -> Result<String, ReportError> {
    let out = match format {
        Format::Json => json::render(report)?,
        f => lay_out(&doc::officer_doc(report, lang), f),
    };
    Ok(masked(out))
}

/// `out` with every resident ID number masked; not copied when there is none (a province's
/// bulletin runs to a hundred megabytes).
fn masked(out: String) -> String {
    match mask::mask_ids(&out) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(m) => m,
    }
}

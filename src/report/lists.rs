//! The lists of a report (a day's findings, the backlog, what was cleared, the review items,
//! the late additions, each officer's findings in the appendix), handed out one item at a
//! time as they are laid out. A list can run to hundreds of thousands of findings: read
//! from the store ([`FromStore`]), none is ever held whole; a report model that holds its
//! lists ([`InModel`]) hands them out the same way, so every format has one code path.

use rusqlite::Connection;

use super::build::{first_seen_end, item, report_today, Names};
use super::mask::mask_ids;
use super::model::{ClearedItem, FindingItem, Report, ReportKind, ReportOptions};
use super::period::Period;
use super::ReportError;
use crate::model::Ts;
use crate::store::rollup::{self, AsOf, FirstSeen, LateFor};

/// A callback that takes one item.
pub type Each<'s, T> = dyn FnMut(T) -> Result<(), ReportError> + 's;

/// The lists of a report, each read in its order, perhaps more than once.
pub trait Lists {
    /// daily: the day's new findings, by unit and officer (preview ones included; review
    /// items are in [`Lists::review_items`])
    fn new_findings(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError>;
    /// daily: counted findings open at the end of the day, earliest due first
    fn to_fix(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError>;
    /// daily: what was rectified, resolved or waived that day
    fn cleared(&self, each: &mut Each<ClearedItem>) -> Result<(), ReportError>;
    /// review items (待核查) first seen in the period
    fn review_items(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError>;
    /// the counted findings of the report's late additions (往期补录)
    fn late_findings(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError>;
    /// monthly: the findings of each officer of the report's appendix, in its order, as
    /// (index in `appendix`, findings)
    fn appendix(
        &self,
        each: &mut dyn FnMut(usize, Vec<FindingItem>) -> Result<(), ReportError>,
    ) -> Result<(), ReportError>;
}

/// The lists a report model holds.
pub struct InModel<'r>(pub &'r Report);

fn each_of<T: Clone>(items: &[T], each: &mut Each<T>) -> Result<(), ReportError> {
    for i in items {
        each(i.clone())?;
    }
    Ok(())
}

impl Lists for InModel<'_> {
    fn new_findings(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError> {
        each_of(&self.0.new_findings, each)
    }

    fn to_fix(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError> {
        each_of(&self.0.to_fix, each)
    }

    fn cleared(&self, each: &mut Each<ClearedItem>) -> Result<(), ReportError> {
        each_of(&self.0.cleared, each)
    }

    fn review_items(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError> {
        each_of(&self.0.review_items, each)
    }

    fn late_findings(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError> {
        each_of(&self.0.late_findings, each)
    }

    fn appendix(
        &self,
        each: &mut dyn FnMut(usize, Vec<FindingItem>) -> Result<(), ReportError>,
    ) -> Result<(), ReportError> {
        for (i, a) in self.0.appendix.iter().enumerate() {
            each(i, a.findings.clone())?;
        }
        Ok(())
    }
}

/// What [`FromStore`] reads, kept with a made report.
#[derive(Debug, Clone)]
pub struct ListSpec {
    /// the watermark the lists are read at
    pub asof: AsOf,
    pub names: Names,
    pub kind: ReportKind,
    pub period: Period,
    pub unit: Option<String>,
    pub options: ReportOptions,
    /// statuses are taken just before this instant
    pub at: i64,
    /// which late additions the report shows
    pub late: Option<LateFor>,
}

/// The lists read from the store at a watermark.
pub struct FromStore<'c> {
    pub conn: &'c Connection,
    pub spec: &'c ListSpec,
    /// the head of the report (for the appendix's officers)
    pub report: &'c Report,
}

impl FromStore<'_> {
    fn item(&self, f: &rollup::ListedFinding) -> FindingItem {
        let s = self.spec;
        item(f, &s.names, &s.options, report_today(&s.period, s.at))
    }

    fn first_seen(&self, which: FirstSeen, each: &mut Each<FindingItem>) -> Result<(), ReportError> {
        let s = self.spec;
        let p = &s.period;
        rollup::each_first_seen(
            self.conn,
            &s.asof,
            which,
            p.start,
            first_seen_end(p, s.at),
            s.at,
            s.unit.as_deref(),
            |f| each(self.item(&f)),
        )
    }
}

impl Lists for FromStore<'_> {
    fn new_findings(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError> {
        if self.spec.kind != ReportKind::Daily {
            return Ok(());
        }
        self.first_seen(FirstSeen::Listed, each)
    }

    fn to_fix(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError> {
        let s = self.spec;
        if s.kind != ReportKind::Daily {
            return Ok(());
        }
        rollup::each_open(self.conn, &s.asof, s.at, s.unit.as_deref(), |f| each(self.item(&f)))
    }

    fn cleared(&self, each: &mut Each<ClearedItem>) -> Result<(), ReportError> {
        let s = self.spec;
        if s.kind != ReportKind::Daily {
            return Ok(());
        }
        rollup::each_clearance(self.conn, &s.asof, s.period.start, s.at, s.at, s.unit.as_deref(), |c| {
            each(ClearedItem {
                finding: self.item(&c.finding),
                action: c.to_status,
                at: Ts(c.at).rfc3339(),
                by: mask_ids(&c.by).into_owned(),
                note: c.note.as_deref().map(|n| mask_ids(n).into_owned()),
            })
        })
    }

    fn review_items(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError> {
        self.first_seen(FirstSeen::Review, each)
    }

    fn late_findings(&self, each: &mut Each<FindingItem>) -> Result<(), ReportError> {
        let s = self.spec;
        let Some(late) = &s.late else { return Ok(()) };
        rollup::each_late_finding(self.conn, &s.asof, late, s.at, s.unit.as_deref(), |f| each(self.item(&f)))
    }

    fn appendix(
        &self,
        each: &mut dyn FnMut(usize, Vec<FindingItem>) -> Result<(), ReportError>,
    ) -> Result<(), ReportError> {
        let s = self.spec;
        let officers = &self.report.appendix;
        if s.kind != ReportKind::Monthly || officers.is_empty() {
            return Ok(());
        }
        rollup::set_officer_order(self.conn, officers.iter().map(|a| a.officer_id.as_str()))?;
        let p = &s.period;
        // the findings come officer by officer in the appendix's order; each officer's are
        // handed on when the next officer's begin
        let mut at = 0usize;
        let mut mine: Vec<FindingItem> = Vec::new();
        rollup::each_by_officer(
            self.conn,
            &s.asof,
            p.start,
            first_seen_end(p, s.at),
            s.at,
            s.unit.as_deref(),
            |o, f| {
                if officers.get(at).is_some_and(|a| a.officer_id != o) {
                    if !mine.is_empty() {
                        each(at, std::mem::take(&mut mine))?;
                    }
                    match officers[at..].iter().position(|a| a.officer_id == o) {
                        Some(i) => at += i,
                        None => return Ok::<(), ReportError>(()),
                    }
                }
                mine.push(self.item(&f));
                Ok(())
            },
        )?;
        if !mine.is_empty() {
            each(at, mine)?;
        }
        Ok(())
    }
}

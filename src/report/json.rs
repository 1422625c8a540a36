//! JSON: the report model itself, pretty-printed (`xuncha.report/1`, `xuncha.officer/1`;
//! see [`super::model`] and [`schema`]). A report's lists are written as they are read
//! from its [`Lists`], so the document is never held whole; the result is exactly what
//! serialising the whole model gives (a test checks it).

use std::cell::RefCell;
use std::io::Write;

use serde::ser::{Error as _, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::lists::{Each, Lists};
use super::model::{ClearedItem, FindingItem, OfficerReport, Report};
use super::ReportError;

/// Writes `model` (an officer's list, held whole) pretty-printed, with a final newline.
pub fn render<T: Serialize>(model: &T, out: &mut dyn Write) -> Result<(), ReportError> {
    serde_json::to_writer_pretty(&mut *out, model).map_err(ReportError::Json)?;
    out.write_all(b"\n").map_err(ReportError::Io)
}

/// Where a list's error is kept while serde unwinds with a message of its own.
type Failed = RefCell<Option<ReportError>>;

/// One list of the report, serialised as it is read.
struct Seq<'a, T> {
    read: &'a dyn Fn(&mut Each<T>) -> Result<(), ReportError>,
    failed: &'a Failed,
}

impl<T: Serialize> Serialize for Seq<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let mut err: Option<S::Error> = None;
        let read = (self.read)(&mut |item: T| {
            if err.is_none() {
                if let Err(e) = seq.serialize_element(&item) {
                    err = Some(e);
                }
            }
            Ok(())
        });
        if let Some(e) = err {
            return Err(e);
        }
        if let Err(e) = read {
            let message = e.to_string();
            *self.failed.borrow_mut() = Some(e);
            return Err(S::Error::custom(message));
        }
        seq.end()
    }
}

/// The appendix: each officer's head with their findings as the lists hand them out.
struct Appendix<'a> {
    report: &'a Report,
    lists: &'a dyn Lists,
    failed: &'a Failed,
}

impl Serialize for Appendix<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let mut err: Option<S::Error> = None;
        let read = self.lists.appendix(&mut |i, findings| {
            if err.is_none() {
                if let Some(head) = self.report.appendix.get(i) {
                    let mut a = head.clone();
                    a.findings = findings;
                    if let Err(e) = seq.serialize_element(&a) {
                        err = Some(e);
                    }
                }
            }
            Ok(())
        });
        if let Some(e) = err {
            return Err(e);
        }
        if let Err(e) = read {
            let message = e.to_string();
            *self.failed.borrow_mut() = Some(e);
            return Err(S::Error::custom(message));
        }
        seq.end()
    }
}

/// A report whose lists come from `lists`, serialised field by field in the order of
/// [`Report`]'s own fields.
struct Streamed<'a> {
    r: &'a Report,
    lists: &'a dyn Lists,
    failed: &'a Failed,
}

impl Serialize for Streamed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (r, lists, failed) = (self.r, self.lists, self.failed);
        let new_findings = |e: &mut Each<FindingItem>| lists.new_findings(e);
        let to_fix = |e: &mut Each<FindingItem>| lists.to_fix(e);
        let cleared = |e: &mut Each<ClearedItem>| lists.cleared(e);
        let late = |e: &mut Each<FindingItem>| lists.late_findings(e);
        let review = |e: &mut Each<FindingItem>| lists.review_items(e);
        let mut st = s.serialize_struct("Report", 30)?;
        st.serialize_field("schema", &r.schema)?;
        st.serialize_field("kind", &r.kind)?;
        st.serialize_field("period", &r.period)?;
        st.serialize_field("scope", &r.scope)?;
        st.serialize_field("options", &r.options)?;
        st.serialize_field("closed", &r.closed)?;
        st.serialize_field("frozen_at", &r.frozen_at)?;
        st.serialize_field("generated_at", &r.generated_at)?;
        st.serialize_field("as_of", &r.as_of)?;
        st.serialize_field("totals", &r.totals)?;
        st.serialize_field("preview_new", &r.preview_new)?;
        st.serialize_field("previous", &r.previous)?;
        st.serialize_field("units", &r.units)?;
        st.serialize_field("groups", &r.groups)?;
        st.serialize_field("categories", &r.categories)?;
        st.serialize_field("officers", &r.officers)?;
        st.serialize_field("series", &r.series)?;
        st.serialize_field("new_findings", &Seq { read: &new_findings, failed })?;
        st.serialize_field("to_fix", &Seq { read: &to_fix, failed })?;
        st.serialize_field("cleared", &Seq { read: &cleared, failed })?;
        st.serialize_field("repeat_offenders", &r.repeat_offenders)?;
        st.serialize_field("appendix", &Appendix { report: r, lists, failed })?;
        st.serialize_field("coverage", &r.coverage)?;
        st.serialize_field("freeze", &r.freeze)?;
        st.serialize_field("late", &r.late)?;
        st.serialize_field("late_findings", &Seq { read: &late, failed })?;
        st.serialize_field("review_items", &Seq { read: &review, failed })?;
        // 即将到期 (daily): left out when empty, as the model's serde attributes say
        if !r.due_units.is_empty() {
            st.serialize_field("due_units", &r.due_units)?;
        }
        if !r.due_24h.is_empty() {
            st.serialize_field("due_24h", &r.due_24h)?;
        }
        if r.due_found_as_of.is_some() {
            st.serialize_field("due_found_as_of", &r.due_found_as_of)?;
        }
        st.end()
    }
}

/// Writes a report (its head from `report`, its lists read from `lists`) pretty-printed,
/// with a final newline.
pub fn render_report(report: &Report, lists: &dyn Lists, out: &mut dyn Write) -> Result<(), ReportError> {
    let failed: Failed = RefCell::new(None);
    let written = serde_json::to_writer_pretty(&mut *out, &Streamed { r: report, lists, failed: &failed });
    if let Some(e) = failed.into_inner() {
        return Err(e);
    }
    written.map_err(ReportError::Json)?;
    out.write_all(b"\n").map_err(ReportError::Io)
}

/// The JSON Schema of the report model (`which` = `report` or `officer`).
pub fn schema(officer: bool) -> String {
    let schema = if officer { schemars::schema_for!(OfficerReport) } else { schemars::schema_for!(Report) };
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

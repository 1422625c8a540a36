//! JSON: the report model itself, pretty-printed (`xuncha.report/1`, `xuncha.officer/1`;
//! see [`super::model`] and [`schema`]).

use serde::Serialize;

use super::model::{OfficerReport, Report};
use super::ReportError;

pub fn render<T: Serialize>(model: &T) -> Result<String, ReportError> {
    let mut s = serde_json::to_string_pretty(model).map_err(ReportError::Json)?;
    s.push('\n');
    Ok(s)
}

/// The JSON Schema of the report model (`which` = `report` or `officer`).
pub fn schema(officer: bool) -> String {
    let schema = if officer { schemars::schema_for!(OfficerReport) } else { schemars::schema_for!(Report) };
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

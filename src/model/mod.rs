//! The case model (`xuncha.case/1`): typed records, timestamps, and validation.

pub mod case;
pub mod privacy;
pub mod time;
pub mod validate;

pub use case::*;
pub use time::{exporting, from_internal, leaving_out_absent, shanghai, Date, Ts};
pub use validate::{validate, Problem};

/// The JSON Schema of `xuncha.case/1`, derived from the types (kept in
/// `docs/case.schema.json`; a test keeps the two equal).
pub fn schema_json() -> String {
    let mut schema = schemars::schema_for!(Case);
    schema.schema.metadata().title = Some("xuncha.case/1".to_owned());
    schema.schema.metadata().description =
        Some("One case record exported by the case-handling system (shared/case-format.md). Unknown fields are allowed and kept.".to_owned());
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

/// A case as the exchange format writes it: RFC 3339 timestamps, absent fields left out.
pub fn export_json(case: &Case) -> String {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.retain(|_, x| !(x.is_null() || x.as_array().is_some_and(Vec::is_empty)));
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = exporting(|| serde_json::to_value(case)).unwrap_or(serde_json::Value::Null);
    strip(&mut v);
    v.to_string()
}

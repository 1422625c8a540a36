//! The case model (`xuncha.case/1`): typed records, timestamps, and validation.

pub mod case;
pub mod time;
pub mod validate;

pub use case::*;
pub use time::{shanghai, Date, Ts};
pub use validate::{validate, Problem};

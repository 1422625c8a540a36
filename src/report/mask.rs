//! Masking of personal data in reports: the functions live in the model layer
//! ([`crate::model::privacy`]) so that the engine masks findings where they are made.

pub use crate::model::privacy::mask_ids;

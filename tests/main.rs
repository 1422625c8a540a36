//! The one integration-test binary (STYLE.md R9).

mod reports;

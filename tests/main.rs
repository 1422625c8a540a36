//! The one integration-test binary (STYLE.md R9): one link step instead of one per file.

mod audit;
mod bench;
mod catalog;
mod crash;
mod due;
mod freeze;
mod import;
mod install;
mod reports;
mod rules;
mod truth;
mod util;

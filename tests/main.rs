//! The one integration-test binary (STYLE.md R9): one link step instead of one per file.

mod audit;
mod bench;
mod catalog;
mod console;
mod console_browser;
mod crash;
mod due;
mod freeze;
mod import;
mod install;
mod reports;
mod rules;
mod truth;
mod util;

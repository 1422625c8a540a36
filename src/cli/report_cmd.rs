//! `xuncha report daily|weekly|monthly` and `xuncha officer ID` (issue #7).

use clap::Args;

use super::{Cli, Outcome};

#[derive(Debug, Args)]
pub struct ReportArgs {}

#[derive(Debug, Args)]
pub struct OfficerArgs {
    /// The officer's id
    pub id: String,
}

pub fn run_report(_cli: &Cli, _a: &ReportArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`report` is not built yet")
}

pub fn run_officer(_cli: &Cli, _a: &OfficerArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`officer` is not built yet")
}

//! `xuncha explain CASE_ID|FILE`: every check on one case, and why each did or did not fire.

use std::path::Path;

use anyhow::{bail, Context as _};
use clap::Args;

use super::{out, out_json, Cli, Format, Outcome};
use crate::engine::index::CrossIndex;
use crate::explain::{Line, VERDICTS};
use crate::model::Case;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A stored case id, or a file holding the case (JSON or NDJSON; the first record, or the
    /// one whose id is given with --case)
    pub target: String,
    /// With a file: which case of it
    #[arg(long)]
    pub case: Option<String>,
    /// Judge as of the end of this day (YYYY-MM-DD) or this instant; default now
    #[arg(long)]
    pub as_of: Option<String>,
    /// Only these rule ids, category or group codes
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

fn from_file(path: &Path, want: Option<&str>) -> anyhow::Result<(Case, Vec<Case>)> {
    let (mut all, _) = crate::import::read_cases(path, |rej| {
        if let Some(rej) = rej {
            eprint!("{}", rej.render());
        }
    })?;
    let name = path.display().to_string();
    let pos = match want {
        Some(id) => {
            all.iter().position(|c| c.case_id == id).with_context(|| format!("`{name}` has no valid case `{id}`"))?
        }
        None if all.is_empty() => bail!("`{name}` holds no valid case"),
        None => 0,
    };
    let case = all.remove(pos);
    Ok((case, all))
}

pub fn run(cli: &Cli, a: &ExplainArgs) -> anyhow::Result<Outcome> {
    let set = super::rules_cmd::load(cli)?;
    let selected = set.selection(&a.select, &[]).map_err(anyhow::Error::msg)?;
    let as_of = crate::audit::parse_as_of(a.as_of.as_deref()).map_err(|e| anyhow::anyhow!("--as-of: {e}"))?;
    let path = Path::new(&a.target);
    let (case, index) = if path.is_file() || a.target == "-" {
        let (case, others) = from_file(path, a.case.as_deref())?;
        let ix = CrossIndex::from_cases(std::iter::once(&case).chain(others.iter()));
        (case, ix)
    } else {
        let store = Store::open_read_only(&cli.db)?;
        let raw = crate::store::console::case_raw(&store.conn, &a.target)?;
        let Some(raw) = raw else { bail!("no case `{}` in `{}`, and no such file", a.target, cli.db.display()) };
        let case: Case = serde_json::from_str(&raw).context("the stored case no longer parses")?;
        // the cross-case index over everything stored
        let ix = crate::audit::stored_index(&store)?;
        (case, ix)
    };
    let lines = crate::explain::explain(&set, index, &case, as_of, selected);
    match a.format {
        Format::Json => out_json(
            &serde_json::json!({"case_id": case.case_id, "as_of": crate::model::Ts(as_of).rfc3339(), "rules": set.used(), "checks": lines}),
        )?,
        Format::Text => {
            let mut s = format!(
                "case {} ({}), as of {}\n",
                case.case_id,
                case.kind.as_str(),
                crate::model::Ts(as_of).local_text()
            );
            for &verdict in VERDICTS {
                let group: Vec<&Line> = lines.iter().filter(|l| l.verdict == verdict).collect();
                if group.is_empty() {
                    continue;
                }
                s.push_str(&format!("\n{verdict} ({}):\n", group.len()));
                for l in group {
                    match verdict {
                        "fired" => {
                            for f in &l.findings {
                                let review = f["level"] == "review";
                                s.push_str(&format!(
                                    "  {}  {}{}: {}\n{}      evidence: {}\n",
                                    l.rule,
                                    f["subject"].as_str().unwrap_or(""),
                                    if review { " 待核查" } else { "" },
                                    f["message"].as_str().unwrap_or(""),
                                    match f["verify"].as_str() {
                                        Some(v) => format!("      verify (核查要点): {v}\n"),
                                        None => String::new(),
                                    },
                                    f["evidence"]
                                ));
                            }
                        }
                        "passed" => s.push_str(&format!("  {}\n", l.rule)),
                        _ => s.push_str(&format!("  {}  ({})\n", l.rule, l.reason.as_deref().unwrap_or(""))),
                    }
                }
            }
            out(&s)?;
        }
    }
    Ok(Outcome::Ok)
}

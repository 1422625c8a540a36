//! `xuncha demo`: the README's first command. Generates the bundled sample (fixtures/sample,
//! from a fixed seed, so the repository stays small), imports it, audits it and prints the
//! summary and the categories found most often.

use std::path::PathBuf;

use clap::Args;

use super::{out, thousands, Cli, Outcome};
use crate::audit::{self, Options};
use crate::gen::{self, script::Injectors, GenOptions};
use crate::store::Store;

/// The sample's seed and size; `fixtures/sample/README.md` documents them.
pub const SAMPLE_SEED: u64 = 2026;
pub const SAMPLE_CASES: u64 = 3000;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the sample export is written (generated if missing)
    #[arg(long, default_value = "fixtures/sample/cases.ndjson")]
    pub sample: PathBuf,
}

pub fn run(cli: &Cli, a: &DemoArgs) -> anyhow::Result<Outcome> {
    let opts = GenOptions {
        cases: SAMPLE_CASES,
        seed: SAMPLE_SEED,
        from: jiff::civil::date(2025, 7, 1),
        to: jiff::civil::date(2026, 6, 30),
        error_rate: 0.3,
        only: vec![],
    };
    let set = super::rules_cmd::load(cli)?;
    if !a.sample.exists() {
        if let Some(dir) = a.sample.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let scripts = Injectors::load(&PathBuf::from("rules/inject"), &set.calendar)?;
        gen::write_files(&opts, &scripts, &a.sample, Some(&a.sample.with_file_name("truth.ndjson")))?;
        super::note(
            cli,
            &format!(
                "generated the sample: {} cases (seed {SAMPLE_SEED}) in {}",
                thousands(SAMPLE_CASES),
                a.sample.display()
            ),
        );
    }
    let mut store = Store::open(&cli.db)?;
    let imported = super::import_cmd::import_and_report(cli, std::slice::from_ref(&a.sample), &mut store)?;
    out(&super::import_cmd::summary_text(&imported))?;
    let summary =
        audit::run(&mut store, &set, &Options { as_of: gen::as_of(&opts), ..Default::default() }, &|_, _| {})?;
    eprint!("{}", super::audit_cmd::render_errors(&summary));
    eprint!("{}", super::audit_cmd::render_calendar_warning(&summary));
    out(&super::audit_cmd::summary_text(&summary))?;
    let mut top = store.conn.prepare(
        "SELECT category, count(*) AS n FROM findings WHERE status IN ('open','pushed') GROUP BY category ORDER BY n DESC, category LIMIT 10",
    )?;
    let rows: Vec<(String, i64)> = top.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let mut s = String::from("\n最常见的问题（未整改）:\n");
    for (code, n) in rows {
        let name = set.catalog.category(&code).map_or("", |c| c.name_zh.as_str());
        s.push_str(&format!("  {code}  {name}  {n} 项\n"));
    }
    s.push_str(&format!(
        "\nnext: `xuncha --db {db} findings --status open | head`, `xuncha --db {db} explain CASE_ID --as-of 2026-06-30`, `xuncha --db {db} report monthly --date 2026-06`\n",
        db = cli.db.display()
    ));
    out(&s)?;
    Ok(if imported.rejected > 0 || summary.rule_errors > 0 { Outcome::Partial } else { Outcome::Ok })
}

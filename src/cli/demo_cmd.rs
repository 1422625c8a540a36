//! `xuncha demo`: the README's first command. Generates the bundled sample (from a fixed
//! seed, so the repository stays small), imports it, audits it and prints the summary and
//! the categories found most often. In the source tree the sample goes to fixtures/sample/;
//! anywhere else next to the database (`demo.db` → `demo.sample.ndjson`).

use std::path::{Path, PathBuf};

use clap::Args;

use super::{out, thousands, Cli, Outcome};
use crate::audit::{self, Options};
use crate::gen::{self, GenOptions};
use crate::store::Store;

/// The sample's seed and size; `fixtures/sample/README.md` documents them.
pub const SAMPLE_SEED: u64 = 2026;
pub const SAMPLE_CASES: u64 = 3000;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the sample export is written (generated if missing); default
    /// fixtures/sample/cases.ndjson in the source tree, else next to the database
    #[arg(long, value_name = "FILE")]
    pub sample: Option<PathBuf>,
}

/// The sample file and its truth file: `--sample`; `fixtures/sample/` when run in the source
/// tree (the README's command); otherwise beside the database, named after it.
pub fn sample_paths(sample: Option<&Path>, db: &Path) -> (PathBuf, PathBuf) {
    if let Some(p) = sample {
        return (p.to_path_buf(), p.with_file_name("truth.ndjson"));
    }
    let tree = Path::new("fixtures/sample");
    if tree.is_dir() {
        return (tree.join("cases.ndjson"), tree.join("truth.ndjson"));
    }
    let stem = db.file_stem().map_or_else(|| "xuncha".into(), |s| s.to_string_lossy().into_owned());
    let dir = db.parent().unwrap_or(Path::new(""));
    (dir.join(format!("{stem}.sample.ndjson")), dir.join(format!("{stem}.sample-truth.ndjson")))
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
    let files = super::rule_files(cli)?;
    let set = super::rules_cmd::load_from(cli, &files)?;
    let (sample, truth) = sample_paths(a.sample.as_deref(), &cli.db);
    if !sample.exists() {
        if let Some(dir) = sample.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let scripts = super::gen_cmd::injectors(cli, &files, None, &set.calendar, true)?;
        gen::write_files(&opts, &scripts, &sample, Some(&truth))?;
        super::note(
            cli,
            &format!(
                "generated the sample: {} cases (seed {SAMPLE_SEED}) in {} (injected errors in {})",
                thousands(SAMPLE_CASES),
                sample.display(),
                truth.display()
            ),
        );
    }
    let mut store = Store::open(&cli.db)?;
    let imported = super::import_cmd::import_and_report(cli, std::slice::from_ref(&sample), &mut store)?;
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

//! `xuncha bench`: measurements of the whole program (issue #8). `bench eval` times the
//! checks alone on cases held in memory, and with `--profile` names the slowest checks;
//! `bench suite` runs import, audit, a nightly rerun and the reports as separate processes
//! of this same binary and reports wall time, CPU time and peak memory of each.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use rayon::prelude::*;
use serde::Serialize;

use super::{note, out, out_json, Cli, Format, Outcome};
use crate::engine::index::CrossIndex;
use crate::engine::run::{RuleSetShared, Worker, Workers};
use crate::model::Case;

#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// Evaluation only: every selected check on every case of FILE, held in memory
    Eval(EvalArgs),
    /// The whole program, each phase a separate process: import only, evaluation only, a full
    /// audit (import, checks, SQLite), a nightly rerun with some cases changed, and reports
    Suite(SuiteArgs),
}

#[derive(Debug, Args)]
pub struct SuiteArgs {
    /// How many cases to generate and measure on
    #[arg(long, default_value_t = 100_000)]
    pub cases: u64,
    /// The thread counts to measure with (comma-separated)
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    pub thread_counts: Vec<usize>,
    /// Generator seed
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Percent of the cases changed for the nightly run
    #[arg(long, default_value_t = 1.0)]
    pub changed_percent: f64,
    /// Phases to leave out (gen runs unless --reuse finds its cases): import, eval, audit, nightly,
    /// nightly-full, report
    #[arg(long, value_delimiter = ',')]
    pub skip: Vec<Phase>,
    /// Work in this directory and keep its files (default: a temporary directory, removed)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Keep the cases a previous run generated in --dir with the same --cases and --seed
    /// (generating a million takes minutes)
    #[arg(long, requires = "dir")]
    pub reuse: bool,
    /// The generator scripts (default: the rule set's inject/)
    #[arg(long, value_name = "DIR")]
    pub inject: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Gen,
    Import,
    Eval,
    Audit,
    Nightly,
    NightlyFull,
    Report,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Cases (JSON array or NDJSON)
    pub file: PathBuf,
    /// Judge as of this day (YYYY-MM-DD) or instant; default now
    #[arg(long)]
    pub as_of: Option<String>,
    /// Passes over the cases (the first one warms up and is not counted)
    #[arg(long, default_value_t = 2)]
    pub passes: u32,
    /// Time every check and list the slowest
    #[arg(long)]
    pub profile: bool,
    /// With --profile: how many checks to list
    #[arg(long, default_value_t = 25)]
    pub top: usize,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(cli: &Cli, cmd: &BenchCmd) -> anyhow::Result<Outcome> {
    match cmd {
        BenchCmd::Eval(a) => eval(cli, a),
        BenchCmd::Suite(a) => suite(cli, a),
    }
}

#[derive(Serialize)]
struct EvalReport {
    /// which rule set was measured
    rules: crate::engine::RulesUsed,
    cases: u64,
    bytes: u64,
    threads: usize,
    checks: usize,
    seconds: f64,
    cases_per_s: f64,
    us_per_case_per_thread: f64,
    checks_run_per_case: f64,
    findings: u64,
    slowest: Vec<CheckTime>,
}

#[derive(Serialize)]
struct CheckTime {
    rule: String,
    runs: u64,
    us_per_run: f64,
    us_per_case: f64,
    share: f64,
}

fn eval(cli: &Cli, a: &EvalArgs) -> anyhow::Result<Outcome> {
    let set = super::rules_cmd::load(cli)?;
    let as_of = crate::audit::parse_as_of(a.as_of.as_deref()).map_err(anyhow::Error::msg)?;
    let mut rejected = 0u64;
    let (cases, bytes) = crate::import::read_cases(&a.file, |_| rejected += 1)?;
    if rejected > 0 {
        note(cli, &format!("{rejected} records of `{}` are not valid cases and were left out", a.file.display()));
    }
    let cases: Vec<Arc<Case>> = cases.into_iter().map(Arc::new).collect();
    let index = Arc::new(CrossIndex::from_cases(cases.iter().map(|c| &**c)));
    let shared = RuleSetShared::new(&set, index);
    let all = vec![true; set.rules.len()];
    let threads = rayon::current_num_threads().max(1);
    let workers = Workers::new(shared);
    let pass = || -> (u64, u64) {
        cases
            .par_iter()
            .map(|c| {
                let o = workers.with(|w| w.check(c.clone(), as_of, &all));
                (o.findings.len() as u64, o.skipped.iter().filter(|s| s.is_none()).count() as u64)
            })
            .reduce(|| (0, 0), |x, y| (x.0 + y.0, x.1 + y.1))
    };
    let passes = a.passes.max(2);
    pass();
    // time the measured passes only, not the warm-up
    if a.profile {
        workers.each(Worker::profile);
    }
    let started = Instant::now();
    let (mut findings, mut runs) = (0, 0);
    for _ in 1..passes {
        (findings, runs) = pass();
    }
    let seconds = started.elapsed().as_secs_f64() / f64::from(passes - 1);
    let n = cases.len() as u64;
    let mut slowest = Vec::new();
    if a.profile {
        let mut total = vec![(0u64, 0u64); set.rules.len()];
        for timings in workers.each(|w| w.timings()) {
            for (i, t) in timings.into_iter().enumerate() {
                total[i].0 += t.0;
                total[i].1 += t.1;
            }
        }
        let all_ns: u64 = total.iter().map(|t| t.0).sum::<u64>().max(1);
        let mut v: Vec<CheckTime> = total
            .iter()
            .enumerate()
            .filter(|(_, t)| t.1 > 0)
            .map(|(i, t)| CheckTime {
                rule: set.rules[i].header.id.clone(),
                runs: t.1,
                us_per_run: t.0 as f64 / t.1 as f64 / 1000.0,
                us_per_case: t.0 as f64 / (n.max(1) * u64::from(passes - 1)) as f64 / 1000.0,
                share: t.0 as f64 / all_ns as f64,
            })
            .collect();
        v.sort_by(|x, y| y.share.total_cmp(&x.share));
        v.truncate(a.top);
        slowest = v;
    }
    let report = EvalReport {
        rules: set.used(),
        cases: n,
        bytes,
        threads,
        checks: set.rules.len(),
        seconds,
        cases_per_s: n as f64 / seconds,
        us_per_case_per_thread: seconds * 1e6 * threads as f64 / n.max(1) as f64,
        checks_run_per_case: runs as f64 / n.max(1) as f64,
        findings,
        slowest,
    };
    match a.format {
        Format::Json => out_json(&report)?,
        Format::Text => {
            let mut t = format!(
                "evaluation only: {} cases, {} checks, {} thread(s)\n  {:.3} s per pass, {:.0} cases/s, {:.1} µs per case per thread\n  {:.1} checks ran per case (the rest did not apply); {} findings\n",
                report.cases,
                report.checks,
                report.threads,
                report.seconds,
                report.cases_per_s,
                report.us_per_case_per_thread,
                report.checks_run_per_case,
                report.findings
            );
            if !report.slowest.is_empty() {
                t.push_str("\n  slowest checks            runs/case  µs/run  µs/case  share\n");
                for s in &report.slowest {
                    t.push_str(&format!(
                        "  {:<48} {:>5.2} {:>7.2} {:>8.2} {:>5.1}%\n",
                        s.rule,
                        s.runs as f64 / (n.max(1) * u64::from(passes - 1)) as f64,
                        s.us_per_run,
                        s.us_per_case,
                        s.share * 100.0
                    ));
                }
            }
            out(&t)?;
        }
    }
    Ok(Outcome::Ok)
}

/// What one child process cost.
#[derive(Debug, Clone, Serialize)]
struct Row {
    phase: Phase,
    threads: usize,
    /// cases the phase processed (for the nightly runs: those re-audited)
    cases: u64,
    bytes: u64,
    wall_s: f64,
    cpu_s: Option<f64>,
    peak_rss_mb: Option<f64>,
    cases_per_s: f64,
    mb_per_s: f64,
    note: String,
}

struct Child {
    wall_s: f64,
    cpu_s: Option<f64>,
    peak_rss_mb: Option<f64>,
    stdout: String,
}

/// Runs this binary with `args` and measures it: wall time, and on Unix the CPU time and peak
/// resident memory of that one child (wait4).
fn measure(args: &[std::ffi::OsString]) -> anyhow::Result<Child> {
    use std::io::Read as _;
    let exe = std::env::current_exe().context("finding this program's path")?;
    let started = Instant::now();
    let mut child = std::process::Command::new(&exe)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("starting `{}`", exe.display()))?;
    let mut pipe = child.stdout.take().context("the child's standard output")?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        pipe.read_to_string(&mut s).map(|_| s)
    });
    let (code, cpu_s, peak_rss_mb) = wait_measured(&mut child)?;
    let wall_s = started.elapsed().as_secs_f64();
    let stdout = reader.join().map_err(|_| anyhow::anyhow!("reading the child's output failed"))??;
    if code > 1 {
        let shown: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        anyhow::bail!("`xuncha {}` failed (exit status {code})", shown.join(" "));
    }
    Ok(Child { wall_s, cpu_s, peak_rss_mb, stdout })
}

#[cfg(unix)]
fn wait_measured(child: &mut std::process::Child) -> anyhow::Result<(i32, Option<f64>, Option<f64>)> {
    let pid = libc::pid_t::try_from(child.id()).context("process id")?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data that wait4 fills in; the pid is our own child, which
    // std has not reaped (we never call `wait` on it).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if r < 0 {
        return Err(std::io::Error::last_os_error()).context("waiting for the measured process");
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu = secs(usage.ru_utime) + secs(usage.ru_stime);
    // Linux reports kilobytes, macOS bytes
    let rss =
        if cfg!(target_os = "macos") { usage.ru_maxrss as f64 / 1048576.0 } else { usage.ru_maxrss as f64 / 1024.0 };
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 };
    Ok((code, Some(cpu), Some(rss)))
}

#[cfg(not(unix))]
fn wait_measured(child: &mut std::process::Child) -> anyhow::Result<(i32, Option<f64>, Option<f64>)> {
    let status = child.wait().context("waiting for the measured process")?;
    Ok((status.code().unwrap_or(128), None, None))
}

/// `-q -j THREADS [--rules RULES] [--db DB] REST...`
fn child_args(
    threads: &str,
    rules: Option<&Path>,
    db: Option<&Path>,
    rest: &[&dyn AsRef<std::ffi::OsStr>],
) -> Vec<std::ffi::OsString> {
    let mut v: Vec<std::ffi::OsString> = vec!["-q".into(), "-j".into(), threads.into()];
    if let Some(rules) = rules {
        v.extend(["--rules".into(), rules.into()]);
    }
    if let Some(db) = db {
        v.extend(["--db".into(), db.into()]);
    }
    v.extend(rest.iter().map(|a| a.as_ref().to_owned()));
    v
}

/// Writes the nightly inputs: `changed.ndjson` with every k-th case's `updated_at` moved (the
/// delta a nightly export carries) and `full.ndjson`, the whole file with those changes. In
/// every fifth changed case the first timed questioning also ends 5 minutes later, so that
/// the run must look again at the cases near it (the same officers at about that time).
fn nightly_files(cases: &Path, dir: &Path, percent: f64, at: &str) -> anyhow::Result<(u64, u64)> {
    use std::io::{BufRead as _, Write as _};
    let every = (100.0 / percent.clamp(0.001, 100.0)).round().max(1.0) as u64;
    let input = std::io::BufReader::new(std::fs::File::open(cases).context("reading the generated cases")?);
    let mut delta = std::io::BufWriter::new(std::fs::File::create(dir.join("changed.ndjson"))?);
    let mut full = std::io::BufWriter::new(std::fs::File::create(dir.join("full.ndjson"))?);
    let (mut n, mut bytes) = (0u64, 0u64);
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        if (i as u64) % every == every / 2 {
            let mut v: serde_json::Value = serde_json::from_str(&line)?;
            v["updated_at"] = serde_json::Value::String(at.to_owned());
            if n % 5 == 0 {
                // `get_mut`: indexing would add `"questionings": null` to a case without any
                let timed = v
                    .get_mut("questionings")
                    .and_then(serde_json::Value::as_array_mut)
                    .and_then(|qs| qs.iter_mut().find(|q| q["started_at"].is_string() && q["ended_at"].is_string()));
                if let Some(q) = timed {
                    let end = q["ended_at"].as_str().and_then(|t| crate::model::Ts::parse(t).ok());
                    if let Some(end) = end {
                        q["ended_at"] = serde_json::Value::String(crate::model::Ts(end.0 + 300).rfc3339());
                    }
                }
            }
            let changed = serde_json::to_string(&v)?;
            writeln!(delta, "{changed}")?;
            writeln!(full, "{changed}")?;
            n += 1;
            bytes += changed.len() as u64 + 1;
        } else {
            writeln!(full, "{line}")?;
        }
    }
    delta.flush()?;
    full.flush()?;
    Ok((n, bytes))
}

fn suite(cli: &Cli, a: &SuiteArgs) -> anyhow::Result<Outcome> {
    let temp;
    let dir: PathBuf = match &a.dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            d.clone()
        }
        None => {
            temp = tempfile::tempdir().context("creating a temporary directory")?;
            temp.path().to_owned()
        }
    };
    let rules = cli.rules.as_deref();
    let cases = dir.join("cases.ndjson");
    let as_of = "2026-06-30";
    let nightly_as_of = "2026-07-01";
    let mut rows: Vec<Row> = Vec::new();
    let run = |skip: &[Phase], p: Phase| !skip.contains(&p);

    // what was generated, so that --reuse keeps only cases of the same count and seed
    let marker = dir.join("cases.generated");
    let made = format!("cases={} seed={} to={as_of}\n", a.cases, a.seed);
    let reused = a.reuse && cases.exists() && std::fs::read_to_string(&marker).is_ok_and(|m| m == made);
    if reused {
        note(cli, &format!("reusing the {} generated cases (seed {}) in {}", a.cases, a.seed, dir.display()));
    } else {
        note(cli, &format!("generating {} cases (seed {}) in {}", a.cases, a.seed, dir.display()));
        let _ = std::fs::remove_file(&marker);
        // the same seed gives the same bytes with any number of threads
        let (cases_n, seed) = (a.cases.to_string(), a.seed.to_string());
        let mut gen_args: Vec<&dyn AsRef<std::ffi::OsStr>> =
            vec![&"gen", &"--cases", &cases_n, &"--seed", &seed, &"--out", &cases, &"--to", &as_of];
        if let Some(inject) = &a.inject {
            gen_args.extend([&"--inject" as &dyn AsRef<std::ffi::OsStr>, inject]);
        }
        let g = measure(&child_args("0", rules, None, &gen_args))?;
        std::fs::write(&marker, &made).with_context(|| format!("writing {}", marker.display()))?;
        rows.push(row(Phase::Gen, 0, a.cases, std::fs::metadata(&cases)?.len(), &g, String::new()));
    }
    let bytes = std::fs::metadata(&cases)?.len();
    let (changed, changed_bytes) =
        nightly_files(&cases, &dir, a.changed_percent, &format!("{nightly_as_of}T02:00:00+08:00"))?;

    for &t in &a.thread_counts {
        let j = t.to_string();
        if run(&a.skip, Phase::Import) {
            let db = dir.join(format!("import-{t}.db"));
            remove_db(&db);
            note(cli, &format!("import only, {t} thread(s)"));
            let c = measure(&child_args(&j, rules, Some(&db), &[&"import", &cases]))?;
            rows.push(row(Phase::Import, t, a.cases, bytes, &c, String::new()));
            remove_db(&db);
        }
        if run(&a.skip, Phase::Eval) {
            note(cli, &format!("evaluation only, {t} thread(s)"));
            let c = measure(&child_args(
                &j,
                rules,
                None,
                &[&"bench", &"eval", &cases, &"--as-of", &as_of, &"--format", &"json"],
            ))?;
            let v: serde_json::Value = serde_json::from_str(&c.stdout).context("reading `bench eval` output")?;
            let secs = v["seconds"].as_f64().unwrap_or(f64::NAN);
            let mut r = row(
                Phase::Eval,
                t,
                a.cases,
                bytes,
                &c,
                format!(
                    "checks only: {:.0} cases/s, {:.0} µs per case per thread; {:.1} checks applied per case",
                    v["cases_per_s"].as_f64().unwrap_or(0.0),
                    v["us_per_case_per_thread"].as_f64().unwrap_or(0.0),
                    v["checks_run_per_case"].as_f64().unwrap_or(0.0)
                ),
            );
            // the rate of the checks themselves, not of reading the file into memory
            r.cases_per_s = a.cases as f64 / secs;
            r.mb_per_s = bytes as f64 / 1e6 / secs;
            rows.push(r);
        }
        let db = dir.join(format!("audit-{t}.db"));
        let audit_done = run(&a.skip, Phase::Audit);
        // `audit FILE` into `db` as of a day: the child's cost and its summary
        let audit = |db: &Path, file: &Path, day: &str| -> anyhow::Result<(Child, (u64, u64))> {
            let c =
                measure(&child_args(&j, rules, Some(db), &[&"audit", &file, &"--as-of", &day, &"--format", &"json"]))?;
            let s = summary(&c)?;
            Ok((c, s))
        };
        if audit_done {
            remove_db(&db);
            note(cli, &format!("full audit (import, checks, SQLite), {t} thread(s)"));
            let (c, s) = audit(&db, &cases, as_of)?;
            rows.push(row(Phase::Audit, t, a.cases, bytes, &c, format!("{} findings", s.1)));
        }
        if audit_done && run(&a.skip, Phase::NightlyFull) {
            let copy = dir.join(format!("audit-{t}-full.db"));
            remove_db(&copy);
            copy_db(&db, &copy)?;
            note(cli, &format!("nightly, whole export with {changed} changed, {t} thread(s)"));
            let (c, s) = audit(&copy, &dir.join("full.ndjson"), nightly_as_of)?;
            let what = format!("whole export re-read, {changed} cases changed; {} re-audited", s.0);
            rows.push(row(Phase::NightlyFull, t, s.0, bytes, &c, what));
            remove_db(&copy);
        }
        if audit_done && run(&a.skip, Phase::Nightly) {
            note(cli, &format!("nightly, {changed} changed cases, {t} thread(s)"));
            let (c, s) = audit(&db, &dir.join("changed.ndjson"), nightly_as_of)?;
            let what = format!(
                "delta of {changed} changed cases over {} stored; {} re-audited (changed, near them, or a deadline passed)",
                a.cases, s.0
            );
            rows.push(row(Phase::Nightly, t, s.0, changed_bytes, &c, what));
        }
        if audit_done && run(&a.skip, Phase::Report) {
            note(cli, &format!("reports on a year of findings, {t} thread(s)"));
            let html = dir.join(format!("monthly-{t}.html"));
            let c = measure(&child_args(
                &j,
                rules,
                Some(&db),
                &[&"report", &"monthly", &"--date", &"2026-06", &"--format", &"html", &"--out", &html],
            ))?;
            rows.push(row(
                Phase::Report,
                t,
                0,
                std::fs::metadata(&html).map(|m| m.len()).unwrap_or(0),
                &c,
                "月通报 2026-06, HTML".into(),
            ));
        }
        if a.dir.is_none() {
            remove_db(&db);
        }
    }
    match a.format {
        Format::Json => out_json(
            &serde_json::json!({ "schema": "xuncha.bench/1", "cases": a.cases, "bytes": bytes, "rows": rows }),
        )?,
        Format::Text => out(&suite_text(a.cases, bytes, &rows))?,
    }
    Ok(Outcome::Ok)
}

/// Copies a closed database with its write-ahead log (committed transactions may still be
/// only in the log).
fn copy_db(from: &Path, to: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal"] {
        let (mut a, mut b) = (from.as_os_str().to_owned(), to.as_os_str().to_owned());
        a.push(suffix);
        b.push(suffix);
        if suffix.is_empty() || Path::new(&a).exists() {
            std::fs::copy(&a, &b).with_context(|| format!("copying {}", Path::new(&a).display()))?;
        }
    }
    Ok(())
}

fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// (cases audited, new findings) from `audit --format json`.
fn summary(c: &Child) -> anyhow::Result<(u64, u64)> {
    let v: serde_json::Value = serde_json::from_str(&c.stdout).context("reading the audit summary")?;
    Ok((v["audited"].as_u64().unwrap_or(0), v["new"].as_u64().unwrap_or(0)))
}

fn row(phase: Phase, threads: usize, cases: u64, bytes: u64, c: &Child, note: String) -> Row {
    Row {
        phase,
        threads,
        cases,
        bytes,
        wall_s: c.wall_s,
        cpu_s: c.cpu_s,
        peak_rss_mb: c.peak_rss_mb,
        cases_per_s: cases as f64 / c.wall_s,
        mb_per_s: bytes as f64 / 1e6 / c.wall_s,
        note,
    }
}

fn suite_text(cases: u64, bytes: u64, rows: &[Row]) -> String {
    let opt = |x: Option<f64>, prec: usize| x.map_or("-".to_owned(), |v| format!("{v:.prec$}"));
    let mut t = format!(
        "bench suite: {cases} generated cases, {:.1} MB\n\nphase         threads      cases   wall s    CPU s   cases/s     MB/s  peak MB  note\n",
        bytes as f64 / 1e6
    );
    for r in rows {
        let phase = serde_json::to_value(r.phase).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        t.push_str(&format!(
            "{:<13} {:>7} {:>10} {:>8.2} {:>8} {:>9.0} {:>8.1} {:>8}  {}\n",
            phase,
            if r.threads == 0 { "-".to_owned() } else { r.threads.to_string() },
            r.cases,
            r.wall_s,
            opt(r.cpu_s, 2),
            r.cases_per_s,
            r.mb_per_s,
            opt(r.peak_rss_mb, 0),
            r.note
        ));
    }
    for threads in rows.iter().map(|r| r.threads).filter(|t| *t > 0).collect::<std::collections::BTreeSet<_>>() {
        let wall = |p: Phase| rows.iter().find(|r| r.phase == p && r.threads == threads).map(|r| r.wall_s);
        if let (Some(i), Some(a)) = (wall(Phase::Import), wall(Phase::Audit)) {
            t.push_str(&format!(
                "\n{threads} thread(s): full audit takes {:.1}x the time of importing the same file",
                a / i
            ));
        }
    }
    t.push('\n');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nightly_changes_leave_cases_valid_and_move_a_session() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cases = dir.path().join("cases.ndjson");
        let timed = r#"{"case_id":"A","questionings":[{"id":"Q1","started_at":"2026-03-01T09:00:00+08:00","ended_at":"2026-03-01T10:00:00+08:00"}]}"#;
        let bare = r#"{"case_id":"B"}"#;
        // every case changed; the first and the sixth are the fifths whose session moves
        std::fs::write(&cases, format!("{bare}\n{bare}\n{bare}\n{bare}\n{bare}\n{timed}\n")).expect("write");
        let (n, _) = nightly_files(&cases, dir.path(), 100.0, "2026-07-01T02:00:00+08:00").expect("nightly files");
        assert_eq!(n, 6);
        let changed = std::fs::read_to_string(dir.path().join("changed.ndjson")).expect("read");
        let v: Vec<serde_json::Value> = changed.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
        assert_eq!(v[5]["questionings"][0]["ended_at"], "2026-03-01T10:05:00+08:00");
        assert_eq!(v[5]["updated_at"], "2026-07-01T02:00:00+08:00");
        assert!(v[0].get("questionings").is_none(), "no field added to a case without questionings: {}", v[0]);
    }
}

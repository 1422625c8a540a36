//! The command line (clap derive): one file per subcommand. Only this module prints and
//! only [`main`] decides the exit code.
//!
//! Exit codes: 0 completed; 1 completed, but some records or rule runs failed and were
//! skipped (everything else was stored) or, for `rules test`, a fixture failed; 2 nothing
//! could be done (bad arguments, unreadable file, locked or newer-version database, a
//! rule that does not compile).

mod audit_cmd;
mod bench_cmd;
mod demo_cmd;
mod due_cmd;
mod explain_cmd;
mod findings_cmd;
mod gen_cmd;
mod import_cmd;
mod report_cmd;
mod roster_cmd;
mod rules_cmd;
mod serve_cmd;

use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "Exit status:
  0  completed
  1  completed, but some records or rule runs were rejected or failed (the rest was stored);
     for `rules test`, a fixture failed
  2  nothing could be done: bad arguments, an unreadable file, a locked or newer-version
     database, or a rule that does not compile";

/// 巡查 xuncha: audit police case records for recurring procedural errors.
#[derive(Debug, Parser)]
#[command(name = "xuncha", version, after_long_help = EXIT_CODES, after_help = EXIT_CODES)]
pub struct Cli {
    /// The database file
    #[arg(long, global = true, env = "XUNCHA_DB", default_value = "xuncha.db")]
    pub db: PathBuf,
    /// A rules directory to use instead of the built-in rule set (the layout `xuncha rules
    /// export DIR` writes: categories.toml, calendar.toml, the .rhai checks, inject/)
    #[arg(long, global = true, env = "XUNCHA_RULES", value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Worker threads (0 = one per core)
    #[arg(short = 'j', long, global = true, default_value_t = 0)]
    pub threads: usize,
    /// Print only errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import case exports (JSON array or NDJSON; `-` reads standard input)
    Import(import_cmd::ImportArgs),
    /// Work with the checks: list, show, test, check, api, new
    #[command(subcommand)]
    Rules(rules_cmd::RulesCmd),
    /// Generate the bundled sample (fixed seed), import and audit it, and show what was found
    Demo(demo_cmd::DemoArgs),
    /// Import (optionally) and run the checks; the nightly job
    Audit(audit_cmd::AuditArgs),
    /// Run every check on one case and say which fired and which did not apply, and why
    Explain(explain_cmd::ExplainArgs),
    /// List findings
    Findings(findings_cmd::FindingsArgs),
    /// Show a finding, or rectify, waive or reopen it
    #[command(subcommand)]
    Finding(findings_cmd::FindingCmd),
    /// Mark open findings as pushed to the responsible officers (推送整改) and list them
    Push(findings_cmd::PushArgs),
    /// Generate realistic synthetic cases, with injected errors and a truth file
    Gen(gen_cmd::GenArgs),
    /// Print the JSON Schema of the case format (xuncha.case/1)
    Schema,
    /// Reports: 日清 daily, 周结 weekly, 月通报 monthly; freeze and unfreeze a period
    #[command(subcommand)]
    Report(report_cmd::ReportCmd),
    /// An officer's list of recurring errors (重犯错误清单), running deadlines first
    Officer(report_cmd::OfficerArgs),
    /// The deadlines still running (预警), soonest first: what the next audit after each will find if nothing is done
    Due(due_cmd::DueArgs),
    /// Measure: evaluation only (with a per-check profile), or the whole-process suite
    #[command(subcommand)]
    Bench(bench_cmd::BenchCmd),
    /// The officers roster: import a bureau's roster, check the cases against it
    #[command(subcommand)]
    Roster(roster_cmd::RosterCmd),
    /// Print a shell completion script
    ///
    /// bash: `xuncha completions bash > ~/.local/share/bash-completion/completions/xuncha`;
    /// zsh: `xuncha completions zsh > ~/.zfunc/_xuncha` (with `fpath+=~/.zfunc` before
    /// `compinit`); fish: `xuncha completions fish > ~/.config/fish/completions/xuncha.fish`;
    /// PowerShell: `xuncha completions powershell >> $PROFILE`.
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The web console (控制台) on this database, for legal officers, supervisors and officers
    Serve(serve_cmd::ServeArgs),
    /// Console users: add, passwd, disable, list
    #[command(subcommand)]
    User(serve_cmd::UserCmd),
}

/// What a command tells `main` about how it ended.
pub enum Outcome {
    Ok,
    /// completed, with rejected records or failed rule runs
    Partial,
}

pub fn main() -> std::process::ExitCode {
    // a panic caught inside the engine is reported as a rule error; keep the default hook's
    // backtrace noise off the terminal
    std::panic::set_hook(Box::new(|info| {
        let _ = writeln!(std::io::stderr().lock(), "internal error: {info}");
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return std::process::ExitCode::from(code);
        }
    };
    if cli.threads > 0 {
        let _ = rayon::ThreadPoolBuilder::new().num_threads(cli.threads).build_global();
    }
    let result = match &cli.command {
        Command::Import(a) => import_cmd::run(&cli, a),
        Command::Rules(r) => rules_cmd::run(&cli, r),
        Command::Demo(a) => demo_cmd::run(&cli, a),
        Command::Audit(a) => audit_cmd::run(&cli, a),
        Command::Explain(a) => explain_cmd::run(&cli, a),
        Command::Findings(a) => findings_cmd::run_list(&cli, a),
        Command::Finding(c) => findings_cmd::run_one(&cli, c),
        Command::Push(a) => findings_cmd::run_push(&cli, a),
        Command::Gen(a) => gen_cmd::run(&cli, a),
        Command::Schema => out(&format!("{}\n", crate::model::schema_json())).map(|()| Outcome::Ok),
        Command::Report(c) => report_cmd::run(&cli, c),
        Command::Officer(a) => report_cmd::run_officer(&cli, a),
        Command::Due(a) => due_cmd::run(&cli, a),
        Command::Bench(b) => bench_cmd::run(&cli, b),
        Command::Roster(r) => roster_cmd::run(&cli, r),
        Command::Completions { shell } => completions(*shell).map(|()| Outcome::Ok),
        Command::Serve(a) => serve_cmd::run_serve(&cli, a),
        Command::User(c) => serve_cmd::run_user(&cli, c),
    };
    match result {
        Ok(Outcome::Ok) => std::process::ExitCode::SUCCESS,
        Ok(Outcome::Partial) => std::process::ExitCode::from(1),
        Err(e) => {
            if is_broken_pipe(&e) {
                return std::process::ExitCode::SUCCESS;
            }
            let mut err = std::io::stderr().lock();
            let text = format!("{e:#}");
            if text.starts_with("error:") {
                let _ = writeln!(err, "{}", text.trim_end());
            } else {
                let _ = writeln!(err, "error: {}", text.trim_end());
            }
            std::process::ExitCode::from(2)
        }
    }
}

/// Writes the completion script of `shell` to stdout.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "xuncha", &mut script);
    out(&String::from_utf8_lossy(&script))
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

/// Writes to stdout, turning a closed pipe into an error `main` treats as success.
pub fn out(s: &str) -> anyhow::Result<()> {
    let mut o = std::io::stdout().lock();
    o.write_all(s.as_bytes())?;
    o.flush()?;
    Ok(())
}

/// Pretty JSON followed by a newline.
pub fn out_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    out(&format!("{}\n", serde_json::to_string_pretty(v)?))
}

/// The files of the rule set in use: the `--rules` directory, or the built-in set.
pub fn rule_files(cli: &Cli) -> anyhow::Result<crate::engine::RuleFiles> {
    crate::engine::RuleFiles::select(cli.rules.as_deref()).map_err(|e| {
        anyhow::Error::from(e).context("cannot read the rules directory given with --rules (or XUNCHA_RULES)")
    })
}

/// Prints a line on stderr unless `--quiet`.
pub fn note(cli: &Cli, s: &str) {
    if !cli.quiet {
        let _ = writeln!(std::io::stderr().lock(), "{s}");
    }
}

/// `1,234`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

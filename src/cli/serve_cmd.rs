//! `xuncha serve` (the console) and `xuncha user add|passwd|disable|list`.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};

use super::{note, out, out_json, Cli, Format, Outcome};
use crate::console::{self, auth, Clock, Options};
use crate::store::console::{self as cs, Role, User};
use crate::store::Store;

/// `xuncha serve`: the web console on the same database, while the nightly audit runs
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on; any other than loopback needs TLS or --behind-proxy
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The certificate chain (PEM) to serve HTTPS with
    #[arg(long, value_name = "FILE", requires = "tls_key", help_heading = "TLS")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert
    #[arg(long, value_name = "FILE", requires = "tls_cert", help_heading = "TLS")]
    pub tls_key: Option<PathBuf>,
    /// Plain HTTP on a non-loopback address, because a TLS-terminating proxy forwards to it
    #[arg(long, conflicts_with = "tls_cert", help_heading = "TLS")]
    pub behind_proxy: bool,
    /// A session unused for this many minutes ends
    #[arg(long, value_name = "MINUTES", default_value_t = 480, value_parser = clap::value_parser!(u64).range(1..=10080))]
    pub idle_minutes: u64,
}

/// Why a non-loopback address is refused without TLS.
pub fn check_listen(a: &ServeArgs) -> anyhow::Result<()> {
    if console::is_loopback(&a.listen) || a.tls_cert.is_some() || a.behind_proxy {
        return Ok(());
    }
    bail!(
        "refusing to serve `{}` over plain HTTP: passwords, session cookies and case data would cross the network unencrypted, readable and replayable by anyone on the path\n  help: pass `--tls-cert FILE --tls-key FILE` to serve HTTPS, or `--behind-proxy` if a TLS-terminating proxy forwards to this address (and nothing else can reach it)",
        a.listen
    )
}

pub fn run_serve(cli: &Cli, a: &ServeArgs) -> anyhow::Result<Outcome> {
    check_listen(a)?;
    let rules = Arc::new(super::rules_cmd::load(cli)?);
    let tls = a.tls_cert.is_some();
    let opts = Options {
        db: cli.db.clone(),
        rules,
        idle: Duration::from_secs(a.idle_minutes * 60),
        secure_cookies: tls || a.behind_proxy,
        clock: Clock::system(),
        readers: 8,
    };
    let app = console::app(opts)?;
    let users = app.db.clone();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the server runtime")?;
    rt.block_on(async move {
        let n = users.read(|s| Ok(cs::users(&s.conn)?.len())).await.unwrap_or(0);
        if n == 0 {
            note(
                cli,
                "note: there is no console user yet\n  help: `xuncha user add LOGIN --role legal --password-stdin`",
            );
        }
        let scheme = if tls { "https" } else { "http" };
        note(cli, &format!("xuncha console on {scheme}://{} (database `{}`)", a.listen, cli.db.display()));
        match (&a.tls_cert, &a.tls_key) {
            (Some(cert), Some(key)) => console::serve_tls(a.listen, cert.clone(), key.clone(), app)
                .await
                .with_context(|| format!("serving HTTPS on `{}`", a.listen)),
            _ => {
                let listener = tokio::net::TcpListener::bind(a.listen)
                    .await
                    .with_context(|| format!("cannot listen on `{}`", a.listen))?;
                console::serve(listener, app).await.with_context(|| format!("serving on `{}`", a.listen))
            }
        }
    })?;
    Ok(Outcome::Ok)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// 法制员: everything; push, waive, reopen, report freeze
    Legal,
    /// 单位领导: one unit's findings, cases, officers and reports (needs --unit)
    Supervisor,
    /// 民警: the findings naming them and the cases they handled (needs --officer)
    Officer,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add a console user; the password is read from standard input
    Add {
        login: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The unit a supervisor oversees (an officer's unit, optional)
        #[arg(long, value_name = "U")]
        unit: Option<String>,
        /// An officer's id, as the cases name them
        #[arg(long, value_name = "ID")]
        officer: Option<String>,
        /// Read the password (at least 10 characters) from the first line of standard input
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set a user's password (read from standard input); ends their sessions
    Passwd {
        login: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Disable a user and end their sessions
    Disable { login: String },
    /// List the users
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    let pw = line.trim_end_matches(['\n', '\r']).to_owned();
    if pw.chars().count() < auth::MIN_PASSWORD {
        bail!("the password is too short: it needs at least {} characters; nothing was changed", auth::MIN_PASSWORD);
    }
    Ok(pw)
}

pub fn run_user(cli: &Cli, cmd: &UserCmd) -> anyhow::Result<Outcome> {
    let now = crate::store::now();
    match cmd {
        UserCmd::Add { login, role, unit, officer, .. } => {
            let role = match role {
                RoleArg::Legal => Role::Legal,
                RoleArg::Supervisor => Role::Supervisor,
                RoleArg::Officer => Role::Officer,
            };
            let login = login.trim();
            if login.is_empty() || login.chars().any(char::is_whitespace) {
                bail!("a login is one word without spaces, found `{login}`");
            }
            if role == Role::Supervisor && unit.is_none() {
                bail!("a supervisor oversees one unit: pass `--unit U`");
            }
            if role == Role::Officer && officer.is_none() {
                bail!("an officer sees the findings naming their id: pass `--officer ID`");
            }
            let hash = auth::hash_password(&read_password()?).map_err(anyhow::Error::msg)?;
            let mut store = Store::open(&cli.db)?;
            let user = User {
                login: login.to_owned(),
                role,
                unit_id: unit.clone(),
                officer_id: officer.clone(),
                disabled: false,
                created_at: now,
            };
            cs::add_user(&mut store, &user, &hash)?;
            note(cli, &format!("added {} `{login}`", role.as_str()));
        }
        UserCmd::Passwd { login, .. } => {
            let hash = auth::hash_password(&read_password()?).map_err(anyhow::Error::msg)?;
            let mut store = Store::open(&cli.db)?;
            if !cs::set_password(&mut store, login, &hash, now)? {
                bail!("there is no user `{login}`\n  help: `xuncha user list` lists them");
            }
            note(cli, &format!("set the password of `{login}`; their sessions have ended"));
        }
        UserCmd::Disable { login } => {
            let mut store = Store::open(&cli.db)?;
            if !cs::disable_user(&mut store, login, now)? {
                bail!("there is no user `{login}`\n  help: `xuncha user list` lists them");
            }
            note(cli, &format!("disabled `{login}`; their sessions have ended"));
        }
        UserCmd::List { format } => {
            let store = Store::open(&cli.db)?;
            let users = cs::users(&store.conn)?;
            match format {
                Format::Json => out_json(&users)?,
                Format::Text => {
                    let mut s = String::new();
                    for u in &users {
                        s.push_str(&format!(
                            "{:<16} {:<10} unit {:<8} officer {:<10}{}\n",
                            u.login,
                            u.role.as_str(),
                            u.unit_id.as_deref().unwrap_or("-"),
                            u.officer_id.as_deref().unwrap_or("-"),
                            if u.disabled { "  (disabled)" } else { "" }
                        ));
                    }
                    s.push_str(&format!("{} user(s)\n", users.len()));
                    out(&s)?;
                }
            }
        }
    }
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn serve(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        let cli = super::super::Cli::try_parse_from(
            std::iter::once("xuncha").chain(std::iter::once("serve")).chain(args.iter().copied()),
        )?;
        match cli.command {
            super::super::Command::Serve(a) => Ok(a),
            _ => panic!("not serve"),
        }
    }

    #[test]
    fn listen_defaults_to_loopback() {
        let a = serve(&[]).expect("parse");
        assert_eq!(a.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(a.idle_minutes, 480);
        assert!(check_listen(&a).is_ok());
    }

    #[test]
    fn a_public_address_needs_tls_or_a_proxy() {
        let a = serve(&["--listen", "0.0.0.0:8080"]).expect("parse");
        let e = check_listen(&a).expect_err("refused").to_string();
        assert!(e.contains("unencrypted") && e.contains("--tls-cert"), "{e}");
        assert!(check_listen(&serve(&["--listen", "0.0.0.0:8080", "--behind-proxy"]).expect("parse")).is_ok());
        assert!(check_listen(
            &serve(&["--listen", "[::]:8443", "--tls-cert", "c.pem", "--tls-key", "k.pem"]).expect("parse")
        )
        .is_ok());
        assert!(serve(&["--tls-cert", "c.pem"]).is_err(), "a certificate needs its key");
        assert!(check_listen(&serve(&["--listen", "[::1]:9000"]).expect("parse")).is_ok());
    }
}

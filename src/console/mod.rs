//! The console (`xuncha serve`, issue #18): a web app on the same database, where legal
//! officers, supervisors and officers see the findings their role allows and close the
//! loop (闭环整改).
//!
//! One more job above the store, like the audit: it reads through a pool of read-only
//! connections and writes through [`crate::store::findings::act`] and
//! [`crate::store::console`], never SQL of its own. Pages are rendered on the server (maud)
//! in Chinese; there is no script at all, only one vendored stylesheet. Reports are the
//! documents `xuncha report` makes, by the same functions, so they freeze by the same rules.
//!
//! Security, in one place: [`auth`] (argon2id passwords, the session, the CSRF token of
//! every state-changing request, failed logins per login), [`scope`] (what each role may
//! see), [`mask`] (persons as surname + 某 on every page but the case page for the legal
//! role).

pub mod api;
pub mod auth;
pub mod dash;
pub mod db;
pub mod mask;
pub mod pages;
pub mod scope;
mod session_store;
mod view;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::engine::RuleSet;
use crate::store::StoreError;

/// Seconds since the epoch, from the system clock or, in tests, from a hand that moves it.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(crate::store::now))
    }

    /// A clock that shows `start` plus whatever is added to the returned counter.
    pub fn manual(start: i64) -> (Clock, Arc<AtomicI64>) {
        let offset = Arc::new(AtomicI64::new(0));
        let o = offset.clone();
        (Clock(Arc::new(move || start + o.load(Ordering::SeqCst))), offset)
    }

    pub fn now(&self) -> i64 {
        (self.0)()
    }
}

/// How the console runs.
#[derive(Clone)]
pub struct Options {
    pub db: PathBuf,
    /// the checks, for the rules pages, legal bases and the case page
    pub rules: Arc<RuleSet>,
    /// a session unused this long ends
    pub idle: Duration,
    /// cookies are marked Secure (served over TLS)
    pub secure_cookies: bool,
    pub clock: Clock,
    /// read-only connections in the pool
    pub readers: u32,
}

/// Everything a request handler reaches.
pub struct App {
    pub db: db::Db,
    pub opts: Options,
    pub dash: dash::Cache,
}

pub type Shared = Arc<App>;

/// Why a request failed; each maps to one status code and a short Chinese page or JSON.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("未登录或登录已过期")]
    Unauthorized,
    #[error("无权访问")]
    Forbidden,
    #[error("缺少或错误的 CSRF 令牌")]
    Csrf,
    #[error("不存在")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("登录失败次数过多，请 {0} 秒后再试")]
    TooManyFailures(i64),
    #[error("数据库正忙（夜间巡查正在写入），请稍后再试：{0}")]
    Busy(String),
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Locked { .. } => AppError::Busy(e.to_string()),
            StoreError::Usage(m) => AppError::BadRequest(m),
            e => AppError::Internal(e.to_string()),
        }
    }
}

impl From<crate::report::ReportError> for AppError {
    fn from(e: crate::report::ReportError) -> AppError {
        match e {
            crate::report::ReportError::Store(s) => AppError::from(s),
            crate::report::ReportError::Date { .. } | crate::report::ReportError::Usage(_) => {
                AppError::BadRequest(e.to_string())
            }
            e => AppError::Internal(e.to_string()),
        }
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyFailures(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut resp = match &self {
            AppError::Unauthorized => (status, view::login_page(None, "/")).into_response(),
            e => (status, view::error_page(status, &e.to_string())).into_response(),
        };
        if let AppError::TooManyFailures(secs) = self {
            if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

/// The whole console as one router (tests drive it over a real socket).
pub fn router(app: Shared) -> Router {
    let idle_secs = i64::try_from(app.opts.idle.as_secs()).unwrap_or(28_800);
    let sessions = session_store::sessions(&app.db, &app.opts.clock, idle_secs);
    let idle = tower_sessions::cookie::time::Duration::seconds(idle_secs);
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name("xuncha_session")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(app.opts.secure_cookies)
        .with_expiry(Expiry::OnInactivity(idle))
        .with_always_save(true);
    let api = Router::new()
        .route("/session", get(api::session))
        .route("/findings", get(api::findings))
        .route("/findings/{id}/rectify", post(api::rectify));
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/findings", get(pages::findings))
        .route("/findings.csv", get(pages::findings_csv))
        .route("/findings/{id}", get(pages::finding))
        .route("/findings/{id}/action", post(pages::finding_action))
        .route("/officers", get(pages::officers))
        .route("/officers/{id}", get(pages::officer))
        .route("/units", get(pages::units))
        .route("/reports", get(pages::reports))
        .route("/reports/freeze", post(pages::report_freeze))
        .route("/reports/{kind}/{date}/{format}", get(pages::report_document))
        .route("/cases", get(pages::case_lookup))
        .route("/cases/{id}", get(pages::case))
        .route("/rules", get(pages::rules))
        .route("/rules/{id}", get(pages::rule))
        .route("/static/console.css", get(view::stylesheet))
        .nest("/api", api)
        .layer(axum::middleware::from_fn_with_state(app.clone(), auth::csrf_guard))
        .layer(session_layer)
        .layer(axum::middleware::from_fn(view::login_returns))
        .layer(axum::middleware::from_fn(view::security_headers))
        .with_state(app)
}

/// Opens the database (migrating it once) and builds the shared state.
pub fn app(opts: Options) -> Result<Shared, StoreError> {
    let db = db::Db::open(&opts.db, opts.readers)?;
    Ok(Arc::new(App { db, opts, dash: dash::Cache::default() }))
}

/// Whether an address is on this machine only.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Serves plain HTTP on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, app: Shared) -> std::io::Result<()> {
    dash::spawn_warmer(app.clone());
    axum::serve(listener, router(app)).await
}

/// Serves HTTPS (rustls) on `addr` until the process ends.
pub async fn serve_tls(addr: SocketAddr, cert: PathBuf, key: PathBuf, app: Shared) -> std::io::Result<()> {
    // ring, not aws-lc-rs: no C toolchain (cmake, nasm) to build it with. rustls 0.23.48
    // deprecates ring's provider for lacking post-quantum key exchange, which a console on
    // the bureau's own network can do without for now.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await?;
    dash::spawn_warmer(app.clone());
    axum_server::bind_rustls(addr, config).serve(router(app).into_make_service()).await
}

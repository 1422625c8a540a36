//! Logging in and out, the caller of a request, and the CSRF guard.
//!
//! - Passwords are argon2id PHC strings ([`hash_password`]); at least [`MIN_PASSWORD`]
//!   characters.
//! - `POST /login` (form fields `login`, `password`): a wrong login or password is 401; after
//!   [`MAX_FAILURES`] failures of one login within [`FAILURE_WINDOW`] seconds every attempt
//!   is 429 (with Retry-After) until the oldest of them leaves the window. The failures
//!   are counted per login in SQLite (`console_login_failures`), so they hold across
//!   restarts and across every client address: rate-limiting crates (tower_governor and
//!   the like) count requests per client key in memory, which is not this rule.
//! - A successful login gets a new session id (no fixation) holding the login and a random
//!   CSRF token. The session ends after the idle timeout or at `POST /logout`.
//! - Every request other than GET and HEAD, except the login itself, must carry the
//!   session's CSRF token: the header `X-CSRF-Token` (JSON clients) or the form field
//!   `csrf_token` (the console's forms). Without a session: 401; without the right token:
//!   403. The synchronizer-token pattern is a comparison of two strings; the axum CSRF
//!   crates either target axum 0.6 (axum-csrf-sync-pattern) or keep the token in a cookie
//!   of their own (axum_csrf, double submit), which is not the session's token that
//!   `GET /api/session` hands out.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use rand::RngCore;
use serde::Deserialize;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use super::{view, AppError, Shared};
use crate::store::console::User;
use crate::store::{self};

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 10;
/// Failed logins of one login that lock it ...
pub const MAX_FAILURES: u32 = 5;
/// ... within this many seconds.
pub const FAILURE_WINDOW: i64 = 15 * 60;

const LOGIN_KEY: &str = "login";
const CSRF_KEY: &str = "csrf";

/// Hashes a password with argon2id (the crate's default parameters, a random salt).
pub fn hash_password(password: &str) -> Result<String, String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!("a password needs at least {MIN_PASSWORD} characters"));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash no password matches, verified for unknown logins so that they take as long as known ones.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let mut pw = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut pw);
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(&pw, &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The logged-in user of a request and their session's CSRF token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub csrf: String,
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Caller, AppError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        let session = Session::from_request_parts(parts, app).await.map_err(|_| AppError::Unauthorized)?;
        let caller = caller_of(&session, app).await?.ok_or(AppError::Unauthorized)?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// The session's user, if it is logged in and the user is still enabled.
async fn caller_of(session: &Session, app: &Shared) -> Result<Option<Caller>, AppError> {
    let login: Option<String> = session.get(LOGIN_KEY).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let csrf: Option<String> = session.get(CSRF_KEY).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let (Some(login), Some(csrf)) = (login, csrf) else { return Ok(None) };
    let user = app.db.read(move |s| store::console::user(&s.conn, &login).map_err(AppError::from)).await?;
    Ok(user.filter(|(u, _)| !u.disabled).map(|(user, _)| Caller { user, csrf }))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub login: String,
    pub password: String,
    #[serde(default)]
    pub next: Option<String>,
}

/// A local path to go back to after logging in (never another site).
fn local_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

pub async fn login_form(axum::extract::Query(q): axum::extract::Query<NextQuery>) -> Response {
    view::login_page(None, local_next(q.next.as_deref())).into_response()
}

/// `POST /login`.
pub async fn login(
    State(app): State<Shared>,
    session: Session,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let now = app.opts.clock.now();
    let login = f.login.trim().to_owned();
    let l2 = login.clone();
    let recent = app
        .db
        .read(move |s| {
            store::console::login_failures(&s.conn, &l2, now - FAILURE_WINDOW, MAX_FAILURES).map_err(AppError::from)
        })
        .await?;
    if recent.len() >= MAX_FAILURES as usize {
        let oldest = recent.iter().copied().min().unwrap_or(now);
        return Err(AppError::TooManyFailures(oldest + FAILURE_WINDOW - now));
    }
    let l2 = login.clone();
    let user = app.db.read(move |s| store::console::user(&s.conn, &l2).map_err(AppError::from)).await?;
    let password = f.password;
    let (hash, enabled) = match &user {
        Some((u, h)) => (h.clone(), !u.disabled),
        None => (decoy_hash().to_owned(), false),
    };
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let next = local_next(f.next.as_deref()).to_owned();
    if !(ok && enabled) {
        let l2 = login.clone();
        app.db.write(move |s| store::console::record_login_failure(s, &l2, now, now - FAILURE_WINDOW)).await?;
        let page = view::login_page(Some("用户名或密码错误"), &next);
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    session.cycle_id().await.map_err(|e| AppError::Internal(e.to_string()))?;
    session.insert(LOGIN_KEY, &login).await.map_err(|e| AppError::Internal(e.to_string()))?;
    session.insert(CSRF_KEY, new_token()).await.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Redirect::to(&next).into_response())
}

/// `POST /logout` (the CSRF guard has checked the token).
pub async fn logout(session: Session) -> Result<Response, AppError> {
    session.flush().await.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Redirect::to("/login").into_response())
}

/// The largest form body the guard reads to find the token.
const MAX_FORM: usize = 64 * 1024;

/// Rejects a state-changing request without a logged-in session (401) or without the
/// session's CSRF token (403).
pub async fn csrf_guard(State(app): State<Shared>, session: Session, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) || req.uri().path() == "/login" {
        return next.run(req).await;
    }
    let caller = match caller_of(&session, &app).await {
        Ok(Some(c)) => c,
        Ok(None) => return AppError::Unauthorized.into_response(),
        Err(e) => return e.into_response(),
    };
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let header_token = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (token, req) = match header_token {
        Some(t) => (Some(t), req),
        None if is_form => {
            let (parts, body) = req.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM).await else {
                return AppError::BadRequest("表单过大".into()).into_response();
            };
            let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .ok()
                .and_then(|fields| fields.into_iter().find(|(k, _)| k == "csrf_token").map(|(_, v)| v));
            (token, Request::from_parts(parts, Body::from(bytes)))
        }
        None => (None, req),
    };
    let good = token.is_some_and(|t| bool::from(t.as_bytes().ct_eq(caller.csrf.as_bytes())));
    if !good {
        return AppError::Csrf.into_response();
    }
    let mut req = req;
    req.extensions_mut().insert(caller);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_argon2id_and_at_least_ten_characters() {
        assert!(hash_password("short").is_err());
        let h = hash_password("correct horse").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse!", &h));
        assert!(!verify_password("anything at all", decoy_hash()));
    }

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(local_next(Some("/findings?status=open")), "/findings?status=open");
        assert_eq!(local_next(Some("//evil.example")), "/");
        assert_eq!(local_next(Some("https://evil.example")), "/");
        assert_eq!(local_next(None), "/");
    }
}

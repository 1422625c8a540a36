//! The page frame, the login and error pages, the stylesheet, response headers, and the
//! words every page uses for statuses and levels.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::auth::Caller;
use crate::model::Ts;

/// The one stylesheet, vendored in the binary.
const CSS: &str = include_str!("console.css");

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], CSS).into_response()
}

/// No scripts at all, frames only from the console itself (the report documents), no
/// caching of pages that hold personal data.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// A page asked for without a session (401) shows the login form, which comes back to
/// that page after logging in; the API's 401 stays as it is.
pub async fn login_returns(req: Request, next: Next) -> Response {
    let asked = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
    let page_get = req.method() == axum::http::Method::GET && !asked.starts_with("/api/");
    let resp = next.run(req).await;
    if page_get && resp.status() == StatusCode::UNAUTHORIZED && asked != "/login" {
        return (StatusCode::UNAUTHORIZED, login_page(None, &asked)).into_response();
    }
    resp
}

/// The navigation: (path, label).
const NAV: &[(&str, &str)] = &[
    ("/", "首页"),
    ("/findings", "问题清单"),
    ("/officers", "民警"),
    ("/units", "单位"),
    ("/reports", "通报"),
    ("/cases", "案件"),
    ("/rules", "规则"),
];

/// A whole page for a logged-in user.
pub fn page(caller: &Caller, title: &str, active: &str, body: Markup) -> Markup {
    let u = &caller.user;
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 巡查" }
                link rel="stylesheet" href="/static/console.css";
            }
            body {
                header.top {
                    span.brand { "巡查 xuncha" }
                    nav {
                        @for (href, label) in NAV {
                            a href=(href) class=[(*href == active).then_some("on")] { (label) }
                        }
                    }
                    span.who {
                        (u.login) "（" (u.role.zh())
                        @if let Some(unit) = &u.unit_id { " · " (unit) }
                        @if let Some(o) = &u.officer_id { " · " (o) }
                        "）"
                        form.inline method="post" action="/logout" {
                            input type="hidden" name="csrf_token" value=(caller.csrf);
                            button type="submit" { "退出" }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

pub fn login_page(error: Option<&str>, next: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "登录 · 巡查" }
                link rel="stylesheet" href="/static/console.css";
            }
            body.login {
                main {
                    h1 { "巡查 · 执法监督平台" }
                    @if let Some(e) = error { p.error role="alert" { (e) } }
                    form method="post" action="/login" {
                        input type="hidden" name="next" value=(next);
                        label { "用户名" input #login name="login" autocomplete="username" required; }
                        label { "密码" input #password type="password" name="password" autocomplete="current-password" required; }
                        button #submit type="submit" { "登录" }
                    }
                }
            }
        }
    }
}

pub fn error_page(status: StatusCode, message: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head { meta charset="utf-8"; title { (status.as_u16()) " · 巡查" } link rel="stylesheet" href="/static/console.css"; }
            body { main { h1 { (status.as_u16()) } p.error { (message) } p { a href="/" { "返回首页" } } } }
        }
    }
}

pub fn status_zh(s: &str) -> &str {
    match s {
        "open" => "待整改",
        "pushed" => "已推送",
        "rectified" => "已整改",
        "waived" => "已豁免",
        "resolved" => "已消除",
        other => other,
    }
}

/// A finding's status as the console shows it: an open review item (待核查) is not a
/// rectification order, so it reads 待核查, never 待整改.
pub fn finding_status_zh<'a>(status: &'a str, level: &str) -> &'a str {
    match (status, level) {
        ("open", "review") => "待核查",
        ("pushed", "review") => "已推送待核查",
        _ => status_zh(status),
    }
}

pub fn level_zh(l: &str) -> &str {
    match l {
        "violation" => "违规",
        "review" => "待核查",
        other => other,
    }
}

/// `2026-06-30 14:05` from an RFC 3339 instant (as stored findings carry them).
pub fn local_time(rfc3339: &str) -> String {
    Ts::parse(rfc3339).map(|t| t.local_text()).unwrap_or_else(|_| rfc3339.to_owned())
}

/// `2026-06-30 14:05` from epoch seconds.
pub fn local_epoch(at: i64) -> String {
    Ts(at).local_text()
}

/// Raw SVG a report renderer drew (escaped by it).
pub fn svg(s: String) -> Markup {
    PreEscaped(s)
}

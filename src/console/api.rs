//! The JSON API under `/api`, for the bureau's other systems: the same data and the same
//! scope as the pages. Without a session every call is 401; a finding outside the caller's
//! scope is 404; a state-changing call without the session's `X-CSRF-Token` is 403.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::auth::Caller;
use super::pages::{self, ListQuery, PAGE_SIZE};
use super::scope::Verb;
use super::{AppError, Shared};
use crate::store::console as cs;
use crate::store::findings::StoredFinding;

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionInfo {
    pub login: String,
    pub role: String,
    pub unit: Option<String>,
    pub officer: Option<String>,
    pub csrf_token: String,
}

/// `GET /api/session`
pub async fn session(caller: Caller) -> Json<SessionInfo> {
    let u = caller.user;
    Json(SessionInfo {
        login: u.login,
        role: u.role.as_str().to_owned(),
        unit: u.unit_id,
        officer: u.officer_id,
        csrf_token: caller.csrf,
    })
}

/// `GET /api/findings`: the objects of `xuncha findings --format json`, in the caller's
/// scope, persons masked, latest first; `page` and `limit` page through them.
pub async fn findings(
    State(app): State<Shared>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<StoredFinding>>, AppError> {
    let filter = q.filter()?;
    let limit = q.limit.unwrap_or(PAGE_SIZE).clamp(1, 1000);
    let offset = (q.page.unwrap_or(1).max(1) - 1) * limit;
    let user_scope = caller.user.scope();
    let rows = app
        .db
        .read(move |s| {
            let (rows, _) = cs::findings_page(&s.conn, &user_scope, &filter, offset, limit)?;
            let ids: Vec<&str> = rows.iter().map(|f| f.case_id.as_str()).collect();
            let m = pages::masker(s, &ids)?;
            Ok(rows.iter().map(|f| pages::masked(&m, f)).collect())
        })
        .await?;
    Ok(Json(rows))
}

#[derive(Debug, Deserialize)]
pub struct RectifyBody {
    pub note: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ActResult {
    pub id: i64,
    pub status: String,
    pub by: String,
}

/// `POST /api/findings/{id}/rectify` with `{"note": "..."}`.
pub async fn rectify(
    State(app): State<Shared>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<RectifyBody>,
) -> Result<Json<ActResult>, AppError> {
    let status = pages::apply_action(&app, &caller, id, Verb::Rectify, Some(body.note), None).await?;
    Ok(Json(ActResult { id, status, by: caller.user.login }))
}

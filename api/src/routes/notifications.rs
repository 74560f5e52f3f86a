//! ORCID inbox notifications, for staff: each person's history and the overall counts.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::error::responses::{MalformedQuery, NotSignedIn};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::notifications::history::{self, NotificationSummary, NotificationView};
use crate::notifications::Status;
use crate::policy::Action;

#[derive(Debug, Deserialize, IntoParams)]
pub struct NotificationQuery {
    /// Only this person's (an ORCID iD); empty is everyone's.
    #[param(
        pattern = "^$|^\\s*(https?://orcid\\.org/|https://sandbox\\.orcid\\.org/|orcid\\.org/)?([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|[0-9]{15}[0-9Xx])\\s*$"
    )]
    pub orcid: Option<String>,
    /// Only in this status; empty is every status.
    #[param(pattern = "^$|^(pending|sent|refused|failed)$")]
    pub status: Option<String>,
    /// 1–10000, default 1.
    #[serde(rename = "page[number]")]
    #[param(rename = "page[number]", minimum = 1, maximum = 10000)]
    pub page_number: Option<i64>,
    /// 1–100, default 25.
    #[serde(rename = "page[size]")]
    #[param(rename = "page[size]", minimum = 1, maximum = 100)]
    pub page_size: Option<i64>,
}

/// One page of notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub data: Vec<NotificationView>,
    /// `total`: how many match; `page` and `size` as asked.
    pub meta: NotificationListMeta,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationListMeta {
    pub total: i64,
    pub page: i64,
    pub size: i64,
}

/// ORCID inbox notifications
///
/// The permission notifications sent to people a DOI names who have not granted Auto-Update,
/// newest first: when each was sent, its put-code, ORCID's answer (`accepted`,
/// `notifications_disabled`, `record_deactivated`, …), what the person did with it as read back
/// from ORCID (read, clicked, archived), whether they granted through its link, and the works it
/// named. Filter by `orcid` for one person's history, or by `status`.
#[utoipa::path(
    tag = "admin",
    params(NotificationQuery),
    responses(
        (status = 200, description = "Newest first.", body = NotificationList),
        MalformedQuery,
        NotSignedIn,
        (status = 403, description = "Not staff.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad iD (`invalid_orcid`), status or page (`invalid_parameter`).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/admin/notifications")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<NotificationQuery>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadAudit, None)?;
    let present = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let orcid = present(&query.orcid)
        .map(|o| crate::domain::parse_orcid(&o, "orcid").map(|o| o.to_string()))
        .transpose()?;
    let status = match present(&query.status) {
        None => None,
        Some(s) => Some(Status::parse(&s).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("status must be pending, sent, refused or failed; got {s:?}."),
            )
            .with_field("status", "unknown status")
        })?),
    };
    let (page, size) = (query.page_number.unwrap_or(1), query.page_size.unwrap_or(25));
    if !(1..=10_000).contains(&page) || !(1..=100).contains(&size) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "page[number] is 1–10000 and page[size] 1–100.",
        )
        .with_field("page", "out of range"));
    }
    let (data, total) = crate::db::run(&state.pool, move |conn| {
        Ok(history::list(conn, orcid.as_deref(), status, (page, size))?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(NotificationList {
        data,
        meta: NotificationListMeta { total, page, size },
    }))
}

/// ORCID inbox notifications: the figures
///
/// Whether notifications are on, people notified, of those who granted Auto-Update since (and
/// the conversion), notifications by status and by ORCID's answer, and the Auto-Update claims
/// waiting for a permission and those that expired waiting. The same figures are in `/metrics`.
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, description = "The figures.", body = NotificationSummary),
        NotSignedIn,
        (status = 403, description = "Not staff.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/admin/notifications/summary")]
pub async fn summary(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadAudit, None)?;
    let mut figures = crate::db::run(&state.pool, |conn| Ok(history::summary(conn)?)).await?;
    figures.enabled = state.config.claims.notifications.enabled;
    Ok(HttpResponse::Ok().json(figures))
}

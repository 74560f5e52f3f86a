//! A person's ORCID record as Profiles sees it: reading it again ("Check my ORCID record"), and
//! the activity log of what Profiles did there — a person's own (`/api/v1/accounts/me/activity`)
//! and, for staff supporting people, everyone's (`/api/v1/admin/activity`).

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::claims::activity::{list, ActivityEntry, ActivityFilter, ActivityQuery};
use crate::claims::reconcile::{ReconcileError, ReconcileReport};
use crate::claims::view::ListLinks;
use crate::domain::OrcidId;
use crate::error::responses::{MalformedQuery, NotSignedIn};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::policy::{Action, Subject};

/// One page of the activity log, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActivityList {
    pub data: Vec<ActivityEntry>,
    /// `next`: the page of older entries, when there is one.
    pub links: ListLinks,
}

async fn page(state: &AppState, base: &str, filter: ActivityFilter, query: &ActivityQuery) -> ApiResult<HttpResponse> {
    let f = filter.clone();
    let (data, next) = crate::db::run(&state.pool, move |conn| Ok(list(conn, &f)?)).await?;
    let next = next.map(|before| {
        let mut pairs: Vec<(&str, String)> = vec![("page[size]", filter.size.to_string())];
        for (key, value) in [("action", &query.action), ("doi", &query.doi), ("orcid", &query.orcid)] {
            if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                pairs.push((key, v.to_owned()));
            }
        }
        pairs.push(("page[before]", before.to_string()));
        let qs = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("{base}?{qs}")
    });
    Ok(HttpResponse::Ok().json(ActivityList {
        data,
        links: ListLinks { next },
    }))
}

/// What Profiles did in your ORCID record
///
/// Every change Profiles made, or tried, in your ORCID record, newest first: `added`, `updated`,
/// `removed`, `adopted` (already there from us: taken over, not duplicated), `skipped` (a rule,
/// you or an administrator kept it out) and `failed` (with ORCID's status and our error code),
/// each with why (`search_and_link`, `auto_update`, `back_fill`, `reconcile`, `admin`,
/// `person`), the DOI and the put-code. Page with `links.next`.
#[utoipa::path(
    tag = "claims",
    params(ActivityQuery),
    responses(
        (status = 200, description = "Newest first.", body = ActivityList),
        MalformedQuery,
        NotSignedIn,
        (status = 403, description = "An API token without the `claims:read` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad action, DOI, page size or `page[before]` (`invalid_parameter`, `invalid_doi`).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/accounts/me/activity")]
pub async fn my_activity(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ActivityQuery>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadClaims, Some(Subject::of(&caller.account)))?;
    let filter = query.check(Some(caller.account.orcid.clone()))?;
    page(&state, "/api/v1/accounts/me/activity", filter, &query).await
}

/// The activity log of every record
///
/// The same entries for everyone, for staff supporting people: filter by `orcid`, `doi` and
/// `action`.
#[utoipa::path(
    tag = "admin",
    params(ActivityQuery),
    responses(
        (status = 200, description = "Newest first.", body = ActivityList),
        MalformedQuery,
        NotSignedIn,
        (status = 403, description = "Not staff.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad action, DOI, iD, page size or `page[before]`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/admin/activity")]
pub async fn all_activity(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ActivityQuery>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadAudit, None)?;
    let filter = query.check(None)?;
    page(&state, "/api/v1/admin/activity", filter, &query).await
}

/// Check my ORCID record
///
/// Reads your ORCID record now (one call to ORCID, within its rate limit) and brings your claims
/// in line with it: a work Profiles added that you removed on orcid.org becomes
/// `removed_in_orcid` (never added again unless you add it); a DOI already in your record from
/// another source is set aside (`ignored`, "Already in your ORCID record (added by …)") rather
/// than added twice; a work of ours Profiles had lost track of is taken back. Each change is in
/// the activity log. Profiles also does this when you sign in, once a day
/// (`RECONCILE_INTERVAL_HOURS`), and when ORCID says one of our works is gone.
#[utoipa::path(
    tag = "claims",
    responses(
        (status = 200, description = "What the record held and what changed.", body = ReconcileReport),
        NotSignedIn,
        (status = 403, description = "Another site's request (`cross_origin_request`), or an API token without `claims:write`.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`record_unreadable`: no Search & Link or Auto-Update permission to read the record with (or none of them usable).", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: more than 30 readings asked for this hour; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "`provider_unavailable`: ORCID did not answer, or refused; nothing was changed. Try again later.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/accounts/me/orcid-record/check")]
pub async fn check_record(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ChangeClaim, Some(Subject::of(&caller.account)))?;
    let orcid = OrcidId::parse(&caller.account.orcid).map_err(ApiError::internal)?;
    crate::ratelimit::check(
        &state,
        crate::ratelimit::RateRule::RecordChecks,
        &caller.account.id.to_string(),
    )
    .await?;
    match state.claims.reconcile(&orcid).await {
        Ok(report) => Ok(HttpResponse::Ok().json(report)),
        Err(ReconcileError::NoPermission) => Err(ApiError::new(
            ErrorCode::RecordUnreadable,
            "Profiles has no ORCID permission to read your record with. Enable Search & Link or Auto-Update first.",
        )),
        Err(ReconcileError::Orcid(_)) => Err(ApiError::new(
            ErrorCode::ProviderUnavailable,
            "ORCID did not answer, so your record could not be read. Nothing was changed; please try again later.",
        )),
        Err(ReconcileError::Database(m)) => Err(ApiError::internal(m)),
    }
}

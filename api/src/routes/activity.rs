//! The activity log of ORCID records: a person's own (`/api/v1/accounts/me/activity`) and, for
//! staff supporting people, everyone's (`/api/v1/admin/activity`).

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::claims::activity::{list, ActivityEntry, ActivityFilter, ActivityQuery};
use crate::claims::view::ListLinks;
use crate::error::responses::{MalformedQuery, NotSignedIn};
use crate::error::{ApiResult, Problem};
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

//! A person's Auto-Update rules: whether it adds new DOIs at once or asks first (the review
//! queue, approved or dismissed one by one or all), and what it leaves out (exclusions).

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::claims::access::target;
use crate::claims::exclusions::{self, Exclusion, NewExclusion, ORIGIN_PERSON};
use crate::claims::view::ClaimView;
use crate::error::responses::{JsonBodyErrors, NotSignedIn};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::policy::{Action, Subject};

/// How Auto-Update adds new DOIs naming you.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoUpdateSettings {
    /// `automatic` (the default): added to your ORCID record at once. `review`: held as
    /// `pending_review` until you approve or dismiss each (claims already held stay held when you
    /// switch back).
    #[schema(pattern = "^(automatic|review)$")]
    pub mode: String,
    /// Whether Profiles may ask you in your ORCID inbox to enable Auto-Update when new DOIs name
    /// you and it is not enabled (at most once a month; default `true`). Left out of a `PUT`:
    /// unchanged.
    #[serde(
        default,
        deserialize_with = "crate::accounts::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<bool>, nullable = false)]
    pub inbox_notifications: Option<Option<bool>>,
}

/// Auto-Update's mode
#[utoipa::path(
    tag = "claims",
    responses(
        (status = 200, description = "Your mode.", body = AutoUpdateSettings),
        NotSignedIn,
        (status = 403, description = "An API token without `claims:read`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/auto-update/settings")]
pub async fn settings(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadClaims, Some(Subject::of(&caller.account)))?;
    let id = caller.account.id;
    let (mode, inbox) = crate::db::run(&state.pool, move |conn| Ok(exclusions::mode(conn, id)?)).await?;
    Ok(HttpResponse::Ok().json(AutoUpdateSettings {
        mode,
        inbox_notifications: Some(Some(inbox)),
    }))
}

/// Choose Auto-Update's mode
///
/// `review` asks you before Auto-Update adds anything: new DOIs naming you wait in the review
/// queue (`GET /api/v1/claims?state=pending_review`); `automatic` adds them at once.
#[utoipa::path(
    tag = "claims",
    request_body = AutoUpdateSettings,
    responses(
        (status = 200, description = "Your mode now.", body = AutoUpdateSettings),
        JsonBodyErrors,
        NotSignedIn,
        (status = 403, description = "A cross-site request, or an API token without `claims:write`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_parameter`: mode is neither `automatic` nor `review`, or `inbox_notifications` is `null`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/auto-update/settings")]
pub async fn set_settings(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<AutoUpdateSettings>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ChangeClaim, Some(Subject::of(&caller.account)))?;
    let ask_first = match body.mode.as_str() {
        "review" => true,
        "automatic" => false,
        other => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("mode must be automatic or review; got {other:?}."),
            )
            .with_field("mode", "automatic or review"))
        }
    };
    let id = caller.account.id;
    let inbox = match body.inbox_notifications {
        Some(None) => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                "inbox_notifications is true or false (leave it out to keep it as it is).",
            )
            .with_field("inbox_notifications", "true or false"))
        }
        Some(Some(v)) => Some(v),
        None => None,
    };
    let (mode, inbox) = crate::db::run(&state.pool, move |conn| {
        exclusions::set_mode(conn, id, ask_first, inbox)?;
        Ok(exclusions::mode(conn, id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AutoUpdateSettings {
        mode,
        inbox_notifications: Some(Some(inbox)),
    }))
}

/// Approve a claim waiting for your approval
///
/// Auto-Update held it in review mode; approved, it goes to your ORCID record like any other.
#[utoipa::path(
    tag = "claims",
    params(("id" = Uuid, Path, description = "The claim's id.")),
    responses(
        (status = 200, description = "The claim, on its way (`waiting`, or `waiting_for_permission`).", body = ClaimView),
        NotSignedIn,
        (status = 403, description = "A cross-site request, an API token without `claims:write`, or someone else's claim your role may read but not change.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such claim among yours.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`claim_not_reviewable`: it is not waiting for approval.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/claims/{id}/approve")]
pub async fn approve(caller: Caller, state: web::Data<AppState>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let (claim, _) = target(&state, &caller, id.into_inner(), Action::ChangeClaim).await?;
    let (actor, max_attempts, now) = (
        caller.account.clone(),
        state.config.claims.max_attempts,
        state.clock.now(),
    );
    let claim = crate::db::run(&state.pool, move |conn| {
        crate::claims::admin::approve(conn, &actor, claim.id, max_attempts, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ClaimView::from(claim)))
}

/// A decision on the review queue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDecision {
    /// `approve` (to your ORCID record) or `dismiss` (never proposed again).
    #[schema(pattern = "^(approve|dismiss)$")]
    pub decision: String,
    /// These claims only (at most 1000); absent: every claim waiting for your approval.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub claims: Option<Vec<Uuid>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewDone {
    /// How many claims were approved or dismissed.
    pub changed: usize,
}

/// Approve or dismiss the review queue
///
/// Every claim waiting for your approval, or those listed. Claims that are not (any longer)
/// waiting are left alone and not counted.
#[utoipa::path(
    tag = "claims",
    request_body = ReviewDecision,
    responses(
        (status = 200, description = "How many changed.", body = ReviewDone),
        JsonBodyErrors,
        NotSignedIn,
        (status = 403, description = "A cross-site request, or an API token without `claims:write`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_parameter`: decision is neither `approve` nor `dismiss`, or more than 1000 claims.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auto-update/review")]
pub async fn review(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<ReviewDecision>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ChangeClaim, Some(Subject::of(&caller.account)))?;
    let approve_them = match body.decision.as_str() {
        "approve" => true,
        "dismiss" => false,
        other => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("decision must be approve or dismiss; got {other:?}."),
            )
            .with_field("decision", "approve or dismiss"))
        }
    };
    if body.claims.as_ref().is_some_and(|c| c.len() > 1000) {
        return Err(
            ApiError::new(ErrorCode::InvalidParameter, "List at most 1000 claims at a time.")
                .with_field("claims", "at most 1000"),
        );
    }
    let (actor, max_attempts, now) = (
        caller.account.clone(),
        state.config.claims.max_attempts,
        state.clock.now(),
    );
    let ids = body.into_inner().claims;
    let changed = crate::db::run(&state.pool, move |conn| {
        let orcid = actor.orcid.clone();
        crate::claims::admin::review_all(conn, &actor, &orcid, ids.as_deref(), approve_them, max_attempts, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ReviewDone { changed }))
}

/// What Auto-Update leaves out
///
/// Your exclusions, newest first: DOIs, prefixes, DataCite repositories, resource types, and
/// versions and parts of other works. A DOI you removed from your record (here or on orcid.org)
/// or dismissed is listed too, so it is not proposed again; adding it by hand lifts that.
#[utoipa::path(
    tag = "claims",
    responses(
        (status = 200, description = "Your exclusions.", body = Vec<Exclusion>),
        NotSignedIn,
        (status = 403, description = "An API token without `claims:read`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/auto-update/exclusions")]
pub async fn list_exclusions(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadClaims, Some(Subject::of(&caller.account)))?;
    let id = caller.account.id;
    let rows = crate::db::run(&state.pool, move |conn| Ok(exclusions::list(conn, id)?)).await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// Keep something out of Auto-Update
///
/// `{"kind": "prefix", "value": "10.5555"}`; kinds: `doi` (any accepted form), `prefix`,
/// `client` (a DataCite repository id), `resource_type` (DataCite's `resourceTypeGeneral`, e.g.
/// `Dataset`), `versions_and_parts` (no value). Holds for every DOI Auto-Update takes in from now
/// on, and for claims still queued. Adding one you have is fine (the same one comes back).
#[utoipa::path(
    tag = "claims",
    request_body = NewExclusion,
    responses(
        (status = 201, description = "The exclusion.", body = Exclusion),
        JsonBodyErrors,
        NotSignedIn,
        (status = 403, description = "A cross-site request, or an API token without `claims:write`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_parameter`: an unknown kind, or a value that does not fit it.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auto-update/exclusions")]
pub async fn add_exclusion(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<NewExclusion>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ChangeClaim, Some(Subject::of(&caller.account)))?;
    let (kind, value) = body.check()?;
    let (id, now) = (caller.account.id, state.clock.now());
    let row = crate::db::run(&state.pool, move |conn| {
        Ok(exclusions::add(conn, id, (kind, &value), ORIGIN_PERSON, now)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(row))
}

/// Stop excluding something
#[utoipa::path(
    tag = "claims",
    params(("id" = Uuid, Path, description = "The exclusion's id.")),
    responses(
        (status = 204, description = "Removed: Auto-Update takes such DOIs in again from now on."),
        NotSignedIn,
        (status = 403, description = "A cross-site request, or an API token without `claims:write`.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such exclusion of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/auto-update/exclusions/{id}")]
pub async fn remove_exclusion(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ChangeClaim, Some(Subject::of(&caller.account)))?;
    let (account, id) = (caller.account.id, id.into_inner());
    let removed = crate::db::run(&state.pool, move |conn| Ok(exclusions::remove(conn, account, id)?)).await?;
    if !removed {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "You have no exclusion with this id.",
        ));
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BackfillQueued {
    /// Always true: the back-fill runs in the background; its results appear in your claims and
    /// activity log (reason `back_fill`).
    pub queued: bool,
}

/// Back-fill: add every DOI that names you
///
/// Finds every DataCite DOI naming you as a creator or contributor and proposes (review mode)
/// or adds those without a claim yet, with ORCID's bulk create (up to 100 works a request), under
/// Auto-Update's rules and your exclusions. Runs in the background; also runs by itself when you
/// enable Auto-Update. Asking again while one is queued does not queue another.
#[utoipa::path(
    tag = "claims",
    responses(
        (status = 202, description = "Queued.", body = BackfillQueued),
        NotSignedIn,
        (status = 403, description = "A cross-site request, or an API token without `claims:write`.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`permission_required`: Auto-Update is not enabled.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: more than 5 back-fills asked for this hour; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auto-update/backfill")]
pub async fn backfill(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ChangeClaim, Some(Subject::of(&caller.account)))?;
    crate::ratelimit::check(
        &state,
        crate::ratelimit::RateRule::Backfills,
        &caller.account.id.to_string(),
    )
    .await?;
    let (orcid, now) = (caller.account.orcid.clone(), state.clock.now());
    let ready = crate::db::run(&state.pool, move |conn| {
        let ready = crate::claims::store::readiness(conn, &orcid, crate::claims::ClaimSource::AutoUpdate, now)?
            == crate::claims::store::Readiness::Ready;
        if ready {
            crate::claims::backfill::enqueue(conn, &orcid)?;
        }
        Ok(ready)
    })
    .await?;
    if !ready {
        return Err(ApiError::new(
            ErrorCode::PermissionRequired,
            "Enable Auto-Update first: a back-fill adds works with its permission.",
        ));
    }
    Ok(HttpResponse::Accepted().json(BackfillQueued { queued: true }))
}

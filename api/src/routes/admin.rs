//! The administration area: accounts, their claims, and the audit log. Every decision goes through
//! `crate::policy`; every change writes an audit record.

use actix_web::{get, patch, post, web, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::accounts::admin::{detail, load_target, search, AccountFilters, AdminAccountDetail, AdminAccountList};
use crate::app::AppState;
use crate::audit::{audit, AuditEntry, AUDIT_COLUMNS};
use crate::auth::session::Caller;
use crate::claims::view::ClaimView;
use crate::claims::ClaimSource;
use crate::claims::{
    self,
    store::{self, Claim},
};
use crate::db::models::{Account, AccountChangeset};
use crate::db::schema::{accounts, audit_log};
use crate::domain::parse_orcid;
use crate::domain::Role;
use crate::error::responses::{JsonBodyErrors, MalformedQuery, NeedsRecentSignIn, NotSignedIn};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::policy::{self, Action, Subject};

fn forbidden() -> ApiError {
    ApiError::new(ErrorCode::Forbidden, "Your role does not allow this.")
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Name, ORCID iD or email (partial, case-insensitive).
    pub q: Option<String>,
    pub role: Option<String>,
    /// The year the account was created.
    pub created_year: Option<i32>,
    #[serde(rename = "page[number]")]
    #[param(rename = "page[number]", minimum = 1, maximum = 10000)]
    pub page_number: Option<i64>,
    /// 1–100, default 25.
    #[serde(rename = "page[size]")]
    #[param(rename = "page[size]", minimum = 1, maximum = 100)]
    pub page_size: Option<i64>,
}

/// Search accounts
///
/// Staff see every account; provider and client admins and users only the accounts that carry
/// their provider or client id. With counts per role and per year created.
#[utoipa::path(
    tag = "admin",
    params(AccountQuery),
    responses(
        (status = 200, description = "One page of accounts.", body = AdminAccountList),
        MalformedQuery,
        NotSignedIn,
        (status = 403, description = "Your role has no administration area, or a token without `accounts:read`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown role or a page out of range.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/admin/accounts")]
pub async fn list_accounts(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<AccountQuery>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ListAccounts, None)?;
    let q = query.into_inner();
    let role = q
        .role
        .as_deref()
        .map(|r| {
            r.parse::<Role>().map(|r| r.as_str().to_owned()).map_err(|_| {
                ApiError::new(ErrorCode::InvalidParameter, format!("Unknown role {r:?}.")).with_field("role", "a role")
            })
        })
        .transpose()?;
    let (page, page_size) = crate::paging::page(q.page_number, q.page_size)?;
    let filters = AccountFilters {
        scope: policy::account_scope(caller.actor()),
        q: q.q.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
        role,
        year: q.created_year,
    };
    let list = crate::db::run(&state.pool, move |conn| Ok(search(conn, &filters, page, page_size)?)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One account, for administrators
///
/// Identities (without secrets), ORCID permission health and claim counts.
#[utoipa::path(
    tag = "admin",
    params(("orcid" = String, Path, description = "The account's ORCID iD (its check digit is checked too).", pattern = "^\\s*([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|[0-9]{15}[0-9Xx])\\s*$")),
    responses(
        (status = 200, description = "The account.", body = AdminAccountDetail),
        NotSignedIn,
        (status = 403, description = "Your role may not read this account.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an ORCID iD.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/admin/accounts/{orcid}")]
pub async fn get_account(
    caller: Caller,
    state: web::Data<AppState>,
    orcid: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ListAccounts, None)?;
    let orcid = parse_orcid(&orcid, "orcid")?;
    let target = load_target(&state, orcid.to_string()).await?;
    caller.authorize(Action::ReadAccount, Some(Subject::of(&target)))?;
    Ok(HttpResponse::Ok().json(detail(&state, target).await?))
}

/// What an administrator may change. Absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminAccountUpdate {
    /// Staff admins only, and never their own.
    pub role: Option<Role>,
    pub is_public: Option<bool>,
    pub beta_tester: Option<bool>,
    /// Staff admins only; `null` clears it.
    #[serde(default, deserialize_with = "crate::accounts::present")]
    pub provider_id: Option<Option<String>>,
    /// Staff admins only; `null` clears it.
    #[serde(default, deserialize_with = "crate::accounts::present")]
    pub client_id: Option<Option<String>>,
}

/// Change an account
///
/// Flags for admins in scope; role and provider/client links for staff admins (never their own
/// role). Written to the audit log with before and after.
#[utoipa::path(
    tag = "admin",
    params(("orcid" = String, Path, description = "The account's ORCID iD (its check digit is checked too).", pattern = "^\\s*([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|[0-9]{15}[0-9Xx])\\s*$")),
    request_body = AdminAccountUpdate,
    responses(
        (status = 200, description = "The account, changed.", body = AdminAccountDetail),
        JsonBodyErrors,
        NeedsRecentSignIn,
        (status = 403, description = "Your role may not make this change (e.g. your own role), a bearer JWT (`session_required`: admin changes need the browser session), or a cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an ORCID iD, an unknown role, or an unknown field.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/admin/accounts/{orcid}")]
pub async fn update_account(
    caller: Caller,
    state: web::Data<AppState>,
    orcid: web::Path<String>,
    body: web::Json<AdminAccountUpdate>,
) -> ApiResult<HttpResponse> {
    // Outside the administration area, whether an account exists is nobody's business.
    caller.authorize(Action::ListAccounts, None)?;
    let orcid = parse_orcid(&orcid, "orcid")?;
    let target = load_target(&state, orcid.to_string()).await?;
    let body = body.into_inner();
    caller.authorize(Action::UpdateAccount, Some(Subject::of(&target)))?;
    if body.role.is_some() || body.provider_id.is_some() || body.client_id.is_some() {
        caller
            .authorize(Action::ChangeRole, Some(Subject::of(&target)))
            .map_err(|e| {
                if e.code == ErrorCode::ReauthenticationRequired {
                    e
                } else if target.id == caller.account.id {
                    ApiError::new(
                        ErrorCode::OwnRole,
                        "Nobody changes their own role; ask another staff admin.",
                    )
                } else {
                    forbidden()
                }
            })?;
    }
    let actor = caller.account.clone();
    let id = target.id;
    let updated = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let before: Account = accounts::table
                .find(id)
                .select(Account::as_select())
                .for_update()
                .first(conn)?;
            AccountChangeset {
                role: body.role,
                is_public: body.is_public,
                beta_tester: body.beta_tester,
                provider_id: body.provider_id.clone(),
                client_id: body.client_id.clone(),
                ..Default::default()
            }
            .apply(conn, id)?;
            let after: Account = accounts::table.find(id).select(Account::as_select()).first(conn)?;
            let view = |a: &Account| {
                json!({"role": a.role, "is_public": a.is_public, "beta_tester": a.beta_tester,
                       "provider_id": a.provider_id, "client_id": a.client_id})
            };
            audit(
                conn,
                Some(&actor),
                "",
                "account.updated",
                ("account", &after.orcid),
                json!({ "before": view(&before), "after": view(&after) }),
            )?;
            Ok::<_, diesel::result::Error>(after)
        })
        .map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(detail(&state, updated).await?))
}

async fn claim_target(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<Claim> {
    // Outside the administration area, whether a claim exists is nobody's business.
    caller.authorize_or(Action::ListAccounts, None, forbidden)?;
    let claim = crate::db::run(&state.pool, move |conn| Ok(store::find(conn, id)?))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::ClaimNotFound, "There is no such claim."))?;
    let orcid = claim.orcid.clone();
    let owner = crate::db::run(&state.pool, move |conn| {
        Ok(accounts::table
            .filter(accounts::orcid.eq(orcid))
            .select(Account::as_select())
            .first(conn)
            .optional()?)
    })
    .await?;
    // Claims of people without an account are staff business.
    caller.authorize_or(
        Action::ManageClaims,
        Some(Subject::record(&claim.orcid, owner.as_ref())),
        forbidden,
    )?;
    Ok(claim)
}

/// Re-queue a claim
///
/// Sends it through processing again whatever state it is in (except while a worker holds it),
/// clearing its error. Audited.
#[utoipa::path(
    tag = "admin",
    params(("id" = Uuid, Path, description = "The claim's id.")),
    responses(
        (status = 202, description = "The claim, re-queued (or waiting for permission).", body = ClaimView),
        NotSignedIn,
        (status = 403, description = "Your role may not manage this claim, a bearer JWT or API token (admin changes need the browser session), or a cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such claim.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A worker is processing it right now.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/admin/claims/{id}/requeue")]
pub async fn requeue_claim(caller: Caller, state: web::Data<AppState>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let claim = claim_target(&state, &caller, id.into_inner()).await?;
    let (max_attempts, now) = (state.config.claims.max_attempts, state.clock.now());
    let actor = caller.account.clone();
    let claim = crate::db::run(&state.pool, move |conn| {
        claims::admin::requeue(conn, &actor, claim.id, max_attempts, now)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(ClaimView::from(claim)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IgnoreClaim {
    /// Shown to the person as the skip reason.
    pub reason: String,
}

/// Mark a claim ignored
///
/// For claims that are waiting, waiting for permission or failed; the reason is shown to the
/// person. Audited.
#[utoipa::path(
    tag = "admin",
    params(("id" = Uuid, Path, description = "The claim's id.")),
    request_body = IgnoreClaim,
    responses(
        (status = 200, description = "The claim, ignored.", body = ClaimView),
        JsonBodyErrors,
        NotSignedIn,
        (status = 403, description = "Your role may not manage this claim, a bearer JWT or API token (admin changes need the browser session), or a cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such claim.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The claim is in progress, done or deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty reason or an unknown field.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/admin/claims/{id}/ignore")]
pub async fn ignore_claim(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: web::Json<IgnoreClaim>,
) -> ApiResult<HttpResponse> {
    let reason = body.into_inner().reason.trim().to_owned();
    if reason.is_empty() || reason.len() > 500 {
        return Err(
            ApiError::new(ErrorCode::InvalidReason, "Give a reason of 1–500 characters.")
                .with_field("reason", "1–500 characters"),
        );
    }
    let claim = claim_target(&state, &caller, id.into_inner()).await?;
    let actor = caller.account.clone();
    let claim = crate::db::run(&state.pool, move |conn| {
        claims::admin::ignore(conn, &actor, claim.id, &reason)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ClaimView::from(claim)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryFailed {
    /// Only this person's failed claims.
    pub orcid: Option<String>,
    pub source: Option<ClaimSource>,
    /// Only claims that failed with this error code (e.g. `orcid_unavailable`).
    pub error_code: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RetryFailedResult {
    /// How many failed claims were re-queued (or now wait for permission).
    pub requeued: usize,
}

/// Retry all failed claims
///
/// Staff admins only; optionally filtered by ORCID iD, source and error code. Audited.
#[utoipa::path(
    tag = "admin",
    request_body = RetryFailed,
    responses(
        (status = 202, description = "How many were re-queued.", body = RetryFailedResult),
        JsonBodyErrors,
        NotSignedIn,
        (status = 403, description = "Not a staff admin, a bearer JWT or API token (admin changes need the browser session), or a cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an ORCID iD, or an unknown field.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/admin/claims/retry-failed")]
pub async fn retry_failed(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<RetryFailed>,
) -> ApiResult<HttpResponse> {
    caller.authorize_or(Action::ManageClaims, None, forbidden)?;
    let body = body.into_inner();
    let orcid = body.orcid.as_deref().map(|o| parse_orcid(o, "orcid")).transpose()?;
    let (max_attempts, now) = (state.config.claims.max_attempts, state.clock.now());
    let actor = caller.account.clone();
    let filter = claims::admin::FailedFilter {
        orcid: orcid.map(|o| o.to_string()),
        source: body.source,
        error_code: body.error_code,
    };
    let n = crate::db::run(&state.pool, move |conn| {
        Ok(claims::admin::retry_failed(conn, &actor, &filter, max_attempts, now)?)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(RetryFailedResult { requeued: n }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `account` (every entry names the account it concerns).
    pub target_type: Option<String>,
    /// E.g. an ORCID iD or a claim id.
    pub target_id: Option<String>,
    /// At most 200 (default 50), newest first.
    pub limit: Option<i64>,
}

/// The audit log
///
/// Every administrative change, newest first. Staff only.
#[utoipa::path(
    tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, description = "Audit entries.", body = Vec<AuditEntry>),
        MalformedQuery,
        NotSignedIn,
        (status = 403, description = "Not staff.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/admin/audit")]
pub async fn audit_entries(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadAudit, None)?;
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let rows = crate::db::run(&state.pool, move |conn| {
        let mut query = audit_log::table.into_boxed();
        if let Some(t) = q.target_type {
            query = query.filter(audit_log::target_type.eq(t));
        }
        if let Some(t) = q.target_id {
            query = query.filter(audit_log::target_id.eq(t));
        }
        Ok(query
            .order(audit_log::id.desc())
            .limit(limit)
            .select(AUDIT_COLUMNS)
            .load::<AuditEntry>(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(rows))
}

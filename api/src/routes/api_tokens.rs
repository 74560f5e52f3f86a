//! Personal API tokens for integrators: created with a name, scopes and an expiry; the secret is
//! shown once; listed with last use; revocable. Only the person (not a token) manages them.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::audit;
use crate::auth::api_tokens::{self, role_allows, ApiTokenView, SCOPES};
use crate::auth::session::Caller;
use crate::db::schema::api_tokens as tokens;
use crate::error::responses::{JsonBodyErrors, NeedsRecentSignIn, NotSignedIn, RateLimited};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::policy::Action;
use crate::ratelimit::RateRule;

const MAX_ACTIVE: i64 = 20;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiToken {
    /// The secret: shown this once, stored only as a hash. Send it as `Authorization: Bearer …`.
    pub token: String,
    #[serde(flatten)]
    pub details: ApiTokenView,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    /// What it is for, 1–100 characters.
    pub name: String,
    /// `claims:read`, `claims:write`; staff also `accounts:read`, staff admins `events:write`.
    pub scopes: Vec<String>,
    /// Days until it expires: 1–365 (default 90).
    pub expires_in_days: Option<i64>,
}

/// Your API tokens
///
/// Newest first, revoked ones included (with when), with their last use.
#[utoipa::path(
    operation_id = "list_api_tokens",
    tag = "account",
    responses(
        (status = 200, description = "Your tokens (never their secrets).", body = Vec<ApiTokenView>),
        NotSignedIn,
        (status = 403, description = "Called with an API token.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/accounts/me/tokens")]
pub async fn list(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadOwnAccount, None)?;
    let id = caller.account.id;
    let views = crate::db::run(&state.pool, move |conn| Ok(api_tokens::load_views(conn, id)?)).await?;
    Ok(HttpResponse::Ok().json(views))
}

/// Create an API token
///
/// The secret is in the answer and nowhere else. A token never does more than you: scopes your
/// role cannot use are refused.
#[utoipa::path(
    operation_id = "create_api_token",
    tag = "account",
    request_body = NewApiToken,
    responses(
        (status = 201, description = "The token, with its secret (shown once).", body = CreatedApiToken),
        JsonBodyErrors,
        NeedsRecentSignIn, RateLimited,
        (status = 403, description = "A bearer JWT or an API token (`session_required`, `api_token_not_allowed`: account changes need the browser session); or: A scope your role cannot use, an API token as caller, or a cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You already have 20 active tokens; revoke one first.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty or long name, no or unknown scopes, an expiry outside 1–365 days, or an unknown field.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/accounts/me/tokens")]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<NewApiToken>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    caller.authorize(Action::SecureOwnAccount, None)?;
    crate::ratelimit::check(&state, RateRule::Tokens, &caller.account.id.to_string()).await?;
    let body = body.into_inner();
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(
            ApiError::new(ErrorCode::InvalidName, "Give the token a name of 1–100 characters.")
                .with_field("name", "1–100 characters"),
        );
    }
    let mut scopes = body.scopes.clone();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(
            ApiError::new(ErrorCode::InvalidScopes, "Give at least one scope.").with_field("scopes", "at least one")
        );
    }
    if let Some(bad) = scopes.iter().find(|s| !api_tokens::is_scope(s)) {
        let known: Vec<&str> = SCOPES.iter().map(|(n, _)| *n).collect();
        return Err(ApiError::new(
            ErrorCode::InvalidScopes,
            format!("Unknown scope {bad:?}; known: {}.", known.join(", ")),
        )
        .with_field("scopes", format!("unknown scope {bad}")));
    }
    if let Some(bad) = scopes.iter().find(|s| !role_allows(caller.role(), s)) {
        return Err(ApiError::new(
            ErrorCode::ScopeNotAllowed,
            format!("Your role cannot use {bad:?}, so no token of yours can either."),
        ));
    }
    let days = body.expires_in_days.unwrap_or(90);
    if !(1..=365).contains(&days) {
        return Err(
            ApiError::new(ErrorCode::InvalidExpiry, "expires_in_days must be between 1 and 365.")
                .with_field("expires_in_days", "1–365"),
        );
    }
    let expires = now + chrono::Duration::days(days);
    let account = caller.account.clone();
    let (token, row) = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let active: i64 = tokens::table
                .filter(tokens::account_id.eq(account.id))
                .filter(tokens::revoked_at.is_null())
                .filter(tokens::expires_at.gt(now))
                .count()
                .get_result(conn)?;
            if active >= MAX_ACTIVE {
                return Err(ApiError::new(
                    ErrorCode::TooManyTokens,
                    format!("You already have {MAX_ACTIVE} active tokens; revoke one first."),
                ));
            }
            let (token, id) = api_tokens::create(conn, account.id, &name, &scopes, Some(expires))?;
            let row = api_tokens::load_view(conn, id)?;
            audit(
                conn,
                Some(&account),
                "",
                "api_token.created",
                ("account", &account.orcid),
                serde_json::json!({"token_id": id, "name": name, "scopes": scopes}),
            )?;
            Ok((token, row))
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(CreatedApiToken { token, details: row }))
}

/// Revoke an API token
///
/// It stops working at once.
#[utoipa::path(
    operation_id = "revoke_api_token",
    tag = "account",
    params(("id" = Uuid, Path, description = "The token's id.")),
    responses(
        (status = 204, description = "Revoked (or already was)."),
        NotSignedIn,
        (status = 403, description = "A bearer JWT or an API token (`session_required`, `api_token_not_allowed`: account changes need the browser session); or: Called with an API token, or a cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me/tokens/{id}")]
pub async fn revoke(caller: Caller, state: web::Data<AppState>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    caller.authorize(Action::ManageOwnAccount, None)?;
    let (account, id) = (caller.account.clone(), id.into_inner());
    crate::db::run(&state.pool, move |conn| {
        let found: Option<Option<DateTime<Utc>>> = tokens::table
            .filter(tokens::id.eq(id))
            .filter(tokens::account_id.eq(account.id))
            .select(tokens::revoked_at)
            .first(conn)
            .optional()?;
        match found {
            None => Err(ApiError::new(
                ErrorCode::TokenNotFound,
                "You have no API token with this id.",
            )),
            Some(Some(_)) => Ok(()),
            Some(None) => {
                diesel::update(tokens::table.find(id))
                    .set(tokens::revoked_at.eq(now))
                    .execute(conn)?;
                audit(
                    conn,
                    Some(&account),
                    "",
                    "api_token.revoked",
                    ("account", &account.orcid),
                    serde_json::json!({"token_id": id}),
                )?;
                Ok(())
            }
        }
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

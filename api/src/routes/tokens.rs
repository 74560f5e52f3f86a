//! JWTs for single sign-on: `POST /api/v1/tokens`, the published keys, and DataCite's
//! optional `_datacite` cookie.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::auth::sso::{issue, TokenResponse};
use crate::error::responses::RateLimited;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::policy::Action;
use crate::ratelimit::RateRule;

/// Issue an access token
///
/// Turns the current session into a short-lived RS256 JWT (1 hour by default) for calling this
/// API or other services that trust our published keys. Its claims carry `iss`, `aud`, `sub`
/// (the ORCID iD), `iat`, `exp`, `jti`, and DataCite's names: `uid`, `name`, `email`, `role_id`,
/// `beta_tester`, `has_orcid_token`. It stops working when the session ends.
#[utoipa::path(
    operation_id = "create_token",
    tag = "tokens",
    responses(
        (status = 201, description = "A new access token.", body = TokenResponse),
        (status = 401, description = "Not signed in, or the session has ended.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A bearer JWT or an API token (`session_required`, `api_token_not_allowed`: account changes need the browser session); or: Cross-site request refused.", body = Problem, content_type = "application/problem+json"),
        RateLimited,
    )
)]
#[post("/api/v1/tokens")]
pub async fn create(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ManageOwnAccount, None)?;
    crate::ratelimit::check(&state, RateRule::Tokens, &caller.account.id.to_string()).await?;
    let response = issue(&state, caller.account, caller.session_id).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(response))
}

/// Public signing keys
///
/// The JSON Web Key Set that verifies our JWTs. Several keys may be listed while keys rotate;
/// pick the one whose `kid` matches the token header.
#[utoipa::path(
    tag = "tokens",
    responses(
        (status = 200, description = "The active public keys.", body = Object, example = json!({"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "…", "n": "…", "e": "AQAB"}]})),
        (status = 503, description = "The keys cannot be loaded.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let set = state.keys.jwks(&state.pool).await.map_err(|e| {
        ApiError::new(
            ErrorCode::KeysUnavailable,
            "The signing keys cannot be loaded right now.",
        )
        .with_source(e)
    })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(set))
}

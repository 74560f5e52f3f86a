//! JWTs for single sign-on: `POST /api/v1/tokens`, the published keys, and DataCite's
//! optional `_datacite` cookie.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::keys::AccessClaims;
use crate::auth::session::Caller;
use crate::db::models::Account;
use crate::db::schema::{accounts, identities, sessions};
use crate::error::{ApiError, ApiResult, Problem};
use crate::policy::Action;
use crate::startup::AppState;

pub const DATACITE_COOKIE: &str = "_datacite";

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// An RS256 JWT; send it as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// When it expires (seconds since the epoch).
    pub expires_at: i64,
}

fn has_orcid_token(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<bool> {
    let n: i64 = identities::table
        .filter(identities::account_id.eq(account_id))
        .filter(identities::provider.eq("orcid"))
        .filter(identities::access_token_enc.is_not_null())
        .filter(
            identities::token_expires_at
                .is_null()
                .or(identities::token_expires_at.gt(diesel::dsl::now)),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Signs an access token for `account`, tied to session `sid`.
pub async fn issue(state: &AppState, account: Account, sid: Option<Uuid>) -> ApiResult<TokenResponse> {
    let account_id = account.id;
    let has_token = crate::db::run(&state.pool, move |conn| Ok(has_orcid_token(conn, account_id)?)).await?;
    let now = Utc::now().timestamp();
    let ttl = i64::try_from(state.config.jwt.ttl.as_secs()).unwrap_or(3600);
    let claims = AccessClaims {
        iss: state.config.jwt.issuer.clone(),
        aud: state.config.jwt.audience.clone(),
        sub: account.orcid.clone(),
        iat: now,
        exp: now + ttl,
        jti: Uuid::new_v4().to_string(),
        uid: account.orcid.clone(),
        name: account.name.clone(),
        email: account.email.clone(),
        role_id: account.role.clone(),
        beta_tester: account.beta_tester,
        has_orcid_token: has_token,
        sid: sid.map(|s| s.to_string()),
    };
    let token = state
        .keys
        .sign(&state.pool, &claims)
        .await
        .map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: ttl,
        expires_at: now + ttl,
    })
}

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
        (status = 403, description = "Cross-site request refused.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/tokens")]
pub async fn create(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ManageOwnAccount, None)?;
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
        ApiError::unavailable("keys_unavailable", "The signing keys cannot be loaded right now.").with_source(e)
    })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(set))
}

/// When configured, adds DataCite's `_datacite` cookie (ember-simple-auth format, profiles-behaviour.md §3)
/// so DataCite's services see the sign-in. It is readable by scripts, as those services require.
pub async fn with_datacite_cookie(state: &AppState, sid: Uuid, mut response: HttpResponse) -> HttpResponse {
    let Some(domain) = state.config.datacite_cookie_domain.clone() else {
        return response;
    };
    let account = crate::db::run(&state.pool, move |conn| {
        Ok(sessions::table
            .inner_join(accounts::table)
            .filter(sessions::id.eq(sid))
            .select(Account::as_select())
            .first(conn)?)
    })
    .await;
    let Ok(account) = account else { return response };
    let Ok(token) = issue(state, account, Some(sid)).await else {
        return response;
    };
    let value = serde_json::json!({
        "authenticated": {
            "authenticator": "authenticator:oauth2",
            "access_token": token.access_token,
            "expires_in": token.expires_in,
            "expires_at": token.expires_at,
        }
    })
    .to_string();
    let cookie = Cookie::build(DATACITE_COOKIE, value)
        .domain(domain)
        .path("/")
        .secure(state.config.cookies_secure())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(token.expires_in))
        .finish();
    let _ = response.add_cookie(&cookie);
    response
}

pub fn clear_datacite_cookie(state: &AppState) -> Option<Cookie<'static>> {
    let domain = state.config.datacite_cookie_domain.clone()?;
    Some(
        Cookie::build(DATACITE_COOKIE, "")
            .domain(domain)
            .path("/")
            .max_age(time::Duration::ZERO)
            .finish(),
    )
}

//! Single sign-on JWTs: signing one for a person's session, and DataCite's optional `_datacite`
//! cookie that carries it to DataCite's services.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::HttpResponse;
use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::keys::AccessClaims;
use crate::db::models::Account;
use crate::db::schema::{accounts, identities, sessions};
use crate::error::{ApiError, ApiResult};

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

fn has_orcid_token(conn: &mut PgConnection, account_id: Uuid, now: chrono::DateTime<Utc>) -> QueryResult<bool> {
    let n: i64 = identities::table
        .filter(identities::account_id.eq(account_id))
        .filter(identities::provider.eq("orcid"))
        .filter(identities::access_token_enc.is_not_null())
        .filter(
            identities::token_expires_at
                .is_null()
                .or(identities::token_expires_at.gt(now)),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Signs an access token for `account`, tied to session `sid`.
pub async fn issue(state: &AppState, account: Account, sid: Option<Uuid>) -> ApiResult<TokenResponse> {
    let (account_id, clock_now) = (account.id, state.clock.now());
    let has_token = crate::db::run(&state.pool, move |conn| {
        Ok(has_orcid_token(conn, account_id, clock_now)?)
    })
    .await?;
    let now = state.clock.now().timestamp();
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
        role_id: account.role.as_str().to_owned(),
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

/// When configured, adds DataCite's `_datacite` cookie (the ember-simple-auth format DataCite's front ends read)
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

//! Single sign-on JWTs: signing one for a person's session, and DataCite's optional `_datacite`
//! cookie that carries it to DataCite's services.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::dev::ServiceResponse;
use actix_web::{web, HttpMessage, HttpResponse};
use chrono::{DateTime, Utc};
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

pub fn has_orcid_token(conn: &mut PgConnection, account_id: Uuid, now: chrono::DateTime<Utc>) -> QueryResult<bool> {
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

/// Signs an access token for `account`, tied to session `sid`, for `JWT_TTL_SECS`.
pub async fn issue(state: &AppState, account: Account, sid: Option<Uuid>) -> ApiResult<TokenResponse> {
    let ttl = i64::try_from(state.config.jwt.ttl.as_secs()).unwrap_or(3600);
    let until = state.clock.now().timestamp() + ttl;
    issue_until(state, account, sid, until, false).await
}

/// Signs an access token for `account`, tied to session `sid`, that expires at `until`
/// (seconds since the epoch). `sso`: for DataCite's cookie, so our own API lets it only read
/// claims.
pub async fn issue_until(
    state: &AppState,
    account: Account,
    sid: Option<Uuid>,
    until: i64,
    sso: bool,
) -> ApiResult<TokenResponse> {
    let (account_id, clock_now) = (account.id, state.clock.now());
    let has_token = crate::db::run(&state.pool, move |conn| {
        Ok(has_orcid_token(conn, account_id, clock_now)?)
    })
    .await?;
    let now = state.clock.now().timestamp();
    let ttl = (until - now).max(1);
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
        sso,
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

/// What the request's browser session turned out to be (set when the `Caller` or `PendingCaller` looks the caller up), so that
/// the `_datacite` cookie can follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionSeen {
    Live {
        sid: Uuid,
        expires_at: DateTime<Utc>,
    },
    /// The browser's session was signed out, revoked or expired.
    Ended,
}

/// How often a live session's `_datacite` cookie is rewritten while the person uses Profiles, so
/// that a changed name or ORCID token reaches DataCite's services.
const COOKIE_REFRESH_SECS: i64 = 3600;

/// The ember-simple-auth value DataCite's front ends read, URL-encoded as Rails writes it.
fn cookie_value(value: &serde_json::Value) -> String {
    url::form_urlencoded::byte_serialize(value.to_string().as_bytes()).collect()
}

fn datacite_cookie(state: &AppState, domain: String, value: String) -> Cookie<'static> {
    Cookie::build(DATACITE_COOKIE, value)
        .domain(domain)
        .path("/")
        .secure(state.config.cookies_secure())
        .same_site(SameSite::Lax)
        .finish()
}

/// The `_datacite` cookie for session `sid`: a JWT that lives as long as the session, inside
/// DataCite's `{"authenticated": {…}}`, with `expires_in` and `expires_at` those of the JWT.
async fn session_cookie(state: &AppState, sid: Uuid) -> Option<Cookie<'static>> {
    let domain = state.config.datacite_cookie_domain.clone()?;
    let now = state.clock.now();
    let (account, expires_at) = crate::db::run(&state.pool, move |conn| {
        Ok(sessions::table
            .inner_join(accounts::table)
            .filter(sessions::id.eq(sid))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .select((Account::as_select(), sessions::expires_at))
            .first::<(Account, DateTime<Utc>)>(conn)?)
    })
    .await
    .ok()?;
    let token = issue_until(state, account, Some(sid), expires_at.timestamp(), true)
        .await
        .ok()?;
    let value = serde_json::json!({
        "authenticated": {
            "authenticator": "authenticator:oauth2",
            "access_token": token.access_token,
            "expires_in": token.expires_in,
            "expires_at": token.expires_at,
        }
    });
    let mut cookie = datacite_cookie(state, domain, cookie_value(&value));
    cookie.set_max_age(time::Duration::seconds(token.expires_in));
    Some(cookie)
}

/// When configured, adds DataCite's `_datacite` cookie (the ember-simple-auth format DataCite's
/// front ends read) so DataCite's services see the sign-in. It is readable by scripts, as those
/// services require.
pub async fn with_datacite_cookie(state: &AppState, sid: Uuid, mut response: HttpResponse) -> HttpResponse {
    if let Some(cookie) = session_cookie(state, sid).await {
        let _ = response.add_cookie(&cookie);
    }
    response
}

/// DataCite's signed-out cookie, `{"authenticated":{}}`, on its domain.
pub fn clear_datacite_cookie(state: &AppState) -> Option<Cookie<'static>> {
    let domain = state.config.datacite_cookie_domain.clone()?;
    Some(datacite_cookie(
        state,
        domain,
        cookie_value(&serde_json::json!({ "authenticated": {} })),
    ))
}

/// The JWT claims inside a `_datacite` cookie value (read, not verified: only to decide whether
/// to write a fresh one).
fn cookie_claims(value: &str) -> Option<serde_json::Value> {
    use base64::Engine as _;
    let json: serde_json::Value = serde_json::from_str(value).ok().or_else(|| {
        let decoded: String = url::form_urlencoded::parse(format!("v={value}").as_bytes())
            .next()?
            .1
            .into_owned();
        serde_json::from_str(&decoded).ok()
    })?;
    let token = json.pointer("/authenticated/access_token")?.as_str()?;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Keeps the `_datacite` cookie in step with the browser's session, after any request that
/// looked at it: written when missing, for another session, older than an hour or not ending
/// with the session; set to signed-out when the session ended (signed out or revoked
/// anywhere, or expired). A handler that wrote the cookie itself has the last word.
pub async fn follow_session(mut res: ServiceResponse) -> Result<ServiceResponse, actix_web::Error> {
    let Some(state) = res.request().app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res);
    };
    if state.config.datacite_cookie_domain.is_none() || res.response().cookies().any(|c| c.name() == DATACITE_COOKIE) {
        return Ok(res);
    }
    let seen = res.request().extensions().get::<SessionSeen>().copied();
    let claims = res
        .request()
        .cookie(DATACITE_COOKIE)
        .and_then(|c| cookie_claims(c.value()));
    let cookie = match seen {
        Some(SessionSeen::Ended) if claims.is_some() => clear_datacite_cookie(&state),
        Some(SessionSeen::Live { sid, expires_at }) => {
            let now = state.clock.now().timestamp();
            let current = claims.as_ref().is_some_and(|c| {
                c["sid"].as_str() == Some(sid.to_string().as_str())
                    && c["exp"].as_i64() == Some(expires_at.timestamp())
                    && c["iat"].as_i64().is_some_and(|iat| now - iat < COOKIE_REFRESH_SECS)
            });
            if current {
                None
            } else {
                // Ended while this request ran (the person revoked it): signed out.
                match session_cookie(&state, sid).await {
                    Some(cookie) => Some(cookie),
                    None => clear_datacite_cookie(&state),
                }
            }
        }
        _ => None,
    };
    if let Some(cookie) = cookie {
        let _ = res.response_mut().add_cookie(&cookie);
    }
    Ok(res)
}

/// A page on DataCite's sites: a host within `DATACITE_COOKIE_DOMAIN`, or `DATACITE_SEARCH_URL`'s
/// origin; over https, unless this service itself runs on plain http (as under `make run`).
pub fn datacite_site(state: &AppState, url: &url::Url) -> bool {
    if !matches!(url.scheme(), "https" | "http") || !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let in_cookie_domain = state.config.datacite_cookie_domain.as_deref().is_some_and(|d| {
        let d = d.trim_start_matches('.').to_ascii_lowercase();
        !d.is_empty() && (host == d || host.ends_with(&format!(".{d}")))
    });
    let search = crate::config::origin(&state.config.datacite_search_url) == crate::config::origin(url);
    let secure_enough = url.scheme() == "https" || state.config.public_url.scheme() == "http";
    (in_cookie_domain || search) && secure_enough
}

/// Where to send someone after signing out, given the page that sent them (`candidate`): a
/// page of ours (its path; a settings page would only ask to sign in again, so `/`), or a page
/// on DataCite's sites ([`datacite_site`]); anything else is `/`.
pub fn sign_out_target(state: &AppState, candidate: Option<&str>) -> String {
    let Some(url) = candidate.and_then(|c| url::Url::parse(c).ok()) else {
        return candidate
            .filter(|c| c.starts_with('/') && crate::identities::flow::safe_return_to(Some(c), "/").is_ok())
            .filter(|c| !c.starts_with("/settings"))
            .map_or_else(|| "/".to_owned(), str::to_owned);
    };
    if crate::config::origin(&url) == crate::config::origin(&state.config.public_url) {
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        return sign_out_target(state, Some(&path));
    }
    if datacite_site(state, &url) {
        url.to_string()
    } else {
        "/".to_owned()
    }
}

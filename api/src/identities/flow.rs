//! The OAuth/OpenID Connect flows' server-side state: starting a flow (state, PKCE, nonce, kept
//! in `auth_states` for ten minutes and bound to the browser by a cookie), and finishing it (the
//! state checked once, the code exchanged, the identity verified, then a sign-in, a link or a
//! stored grant).

use actix_session::SessionExt;
use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{link, redirect, sign_in, store_grant};
use crate::app::AppState;
use crate::auth::providers::ProviderError;
use crate::auth::session::{self, Caller};
use crate::crypto::random_token;
use crate::db::schema::auth_states;
use crate::domain::{PermissionKind, Provider};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::policy::Action;

#[derive(Debug, Deserialize, IntoParams)]
pub struct CallbackQuery {
    /// The authorization code, on success.
    #[param(nullable = false, min_length = 1)]
    pub code: Option<String>,
    /// The `state` this flow sent. Required: it must be the one bound to this browser's flow
    /// cookie, which no schema can say, so any other value is 400 `invalid_state` or
    /// `state_mismatch`.
    #[param(nullable = false, pattern = "^[A-Za-z0-9_-]{1,128}$")]
    pub state: Option<String>,
    /// The provider's error code, when the person cancelled or the provider refused.
    #[param(nullable = false, min_length = 1)]
    pub error: Option<String>,
    #[param(nullable = false)]
    pub error_description: Option<String>,
}

pub const STATE_COOKIE: &str = "profiles_oauth_state";

pub const STATE_TTL_MINUTES: i64 = 10;

/// Clock difference tolerated between us and a provider's `auth_time`.
const STALE_LOGIN_LEEWAY_SECS: i64 = 60;

/// Only same-origin paths: `/x`, never `//host`, `/\\host` or absolute URLs, and never another
/// flow or API route (a sign-in must not chain into a grant or a link), however it is spelled.
pub fn safe_return_to(value: Option<&str>, default: &str) -> Result<String, ApiError> {
    let Some(v) = value.filter(|v| !v.is_empty()) else {
        return Ok(default.to_owned());
    };
    let shaped = v.starts_with('/')
        && !v.starts_with("//")
        && !v.contains('\\')
        && !v.chars().any(|c| c.is_control())
        && v.len() <= 2000;
    // Resolve it as a browser would (dot segments), then decode, before asking where it leads.
    let resolved = url::Url::parse("http://profiles.invalid")
        .and_then(|base| base.join(v))
        .ok()
        .filter(|u| u.host_str() == Some("profiles.invalid"))
        .map(|u| {
            percent_encoding::percent_decode_str(u.path())
                .decode_utf8_lossy()
                .to_ascii_lowercase()
        });
    // `//` anywhere would be merged by some proxies, or read as a host by a browser.
    let leads_to_flow = resolved.as_deref().is_none_or(|path| {
        path.contains("//")
            || ["/auth", "/api"]
                .iter()
                .any(|p| path == *p || path.starts_with(&format!("{p}/")))
    });
    if shaped && !leads_to_flow {
        Ok(v.to_owned())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidReturnTo,
            "return_to must be a page of this site, such as /settings (not a sign-in flow or an API route).",
        ))
    }
}

pub fn state_cookie(state: &AppState, value: &str, max_age: time::Duration) -> Cookie<'static> {
    // `Path=/`, as the `__Host-` prefix requires; the cookie lives ten minutes at most.
    Cookie::build(state.config.cookie_name(STATE_COOKIE), value.to_owned())
        .path("/")
        .http_only(true)
        .secure(state.config.cookies_secure())
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .finish()
}

pub fn parse_provider(state: &AppState, name: &str) -> Result<Provider, ApiError> {
    let provider: Provider = name.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::UnknownProvider,
            format!("There is no sign-in provider called {name:?}."),
        )
    })?;
    if !state.providers.enabled(provider) {
        return Err(ApiError::new(
            ErrorCode::ProviderDisabled,
            format!("Sign-in with {} is not enabled on this service.", provider.label()),
        ));
    }
    Ok(provider)
}

pub struct NewState {
    pub provider: Provider,
    pub intent: &'static str,
    pub account_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub grant_kind: Option<PermissionKind>,
    pub pending_signup_id: Option<Uuid>,
    pub return_to: String,
    /// Ask the provider to take the person's credentials again (re-authentication).
    pub fresh_login: bool,
}

pub async fn begin(req: &HttpRequest, state: &web::Data<AppState>, new: NewState) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let value = random_token(32);
    let grant = new.grant_kind.is_some();
    let authorization = state
        .providers
        .authorize(new.provider, &value, grant, new.fresh_login)
        .await
        .map_err(provider_error)?;
    let row_state = value.clone();
    let (pkce, nonce) = (authorization.pkce_verifier, authorization.nonce);
    crate::db::run(&state.pool, move |conn| {
        diesel::insert_into(auth_states::table)
            .values((
                auth_states::state.eq(&row_state),
                auth_states::provider.eq(new.provider.as_str()),
                auth_states::intent.eq(new.intent),
                auth_states::pkce_verifier.eq(pkce),
                auth_states::nonce.eq(nonce),
                auth_states::account_id.eq(new.account_id),
                auth_states::session_id.eq(new.session_id),
                auth_states::grant_kind.eq(new.grant_kind.map(|k| k.as_str())),
                auth_states::pending_signup_id.eq(new.pending_signup_id),
                auth_states::return_to.eq(new.return_to),
                auth_states::expires_at.eq(now + chrono::Duration::minutes(STATE_TTL_MINUTES)),
            ))
            .execute(conn)?;
        Ok(())
    })
    .await?;
    let _ = req;
    Ok(HttpResponse::SeeOther()
        .cookie(state_cookie(state, &value, time::Duration::minutes(STATE_TTL_MINUTES)))
        .insert_header((header::LOCATION, authorization.url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

pub fn provider_error(e: ProviderError) -> ApiError {
    match e {
        ProviderError::Disabled(p) => ApiError::new(
            ErrorCode::ProviderDisabled,
            format!("{p} is not enabled on this service."),
        ),
        ProviderError::Unavailable { provider, .. } => ApiError::new(
            ErrorCode::ProviderUnavailable,
            format!("{provider} did not answer as expected. Please try again in a moment."),
        )
        .with_source(e),
        ProviderError::Rejected { provider, ref message } => ApiError::new(
            ErrorCode::ProviderRejected,
            format!("{provider} refused to complete the sign-in ({message}). Please start again."),
        ),
        ProviderError::InvalidIdToken(ref message) => ApiError::new(
            ErrorCode::InvalidIdToken,
            format!("The identity token from the provider did not verify ({message}). Please start again."),
        ),
    }
}

#[derive(Queryable)]
pub struct PendingState {
    state: String,
    provider: String,
    intent: String,
    pkce_verifier: Option<String>,
    nonce: Option<String>,
    account_id: Option<Uuid>,
    session_id: Option<Uuid>,
    grant_kind: Option<String>,
    pending_signup_id: Option<Uuid>,
    return_to: String,
    _created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

pub async fn finish_flow_inner(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    provider_name: &str,
    query: CallbackQuery,
    grant_path: bool,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let provider = parse_provider(state, provider_name)?;
    let value = query.state.clone().filter(|s| !s.is_empty()).ok_or_else(|| {
        ApiError::new(
            ErrorCode::MissingState,
            "The sign-in response has no state. Please start signing in again.",
        )
    })?;
    // Ours are URL-safe base64; anything else was never issued here (and stays out of the database).
    let issued_shape = value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !issued_shape {
        return Err(ApiError::new(
            ErrorCode::InvalidState,
            "This sign-in response is unknown or was already used. Please start signing in again.",
        ));
    }
    // Single use: the row is deleted as it is read, so a replayed callback finds nothing.
    let taken = value.clone();
    let pending: Option<PendingState> = crate::db::run(&state.pool, move |conn| {
        Ok(diesel::delete(auth_states::table.find(taken))
            .returning(auth_states::all_columns)
            .get_result(conn)
            .optional()?)
    })
    .await?;
    let pending = pending.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidState,
            "This sign-in response is unknown or was already used. Please start signing in again.",
        )
    })?;
    if pending.expires_at < now {
        return Err(ApiError::new(
            ErrorCode::ExpiredState,
            "This sign-in took longer than 10 minutes. Please start again.",
        ));
    }
    let cookie_state = req
        .cookie(&state.config.cookie_name(STATE_COOKIE))
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !crate::crypto::constant_time_eq(cookie_state.as_bytes(), pending.state.as_bytes()) {
        return Err(ApiError::new(
            ErrorCode::StateMismatch,
            "This sign-in was started in another browser. Please start signing in again here.",
        ));
    }
    if pending.provider != provider.as_str() || (pending.intent == "grant") != grant_path {
        return Err(ApiError::new(
            ErrorCode::InvalidState,
            "This sign-in response does not belong here.",
        ));
    }
    if let Some(error) = query.error {
        // The person said no at the provider, or it failed there: go back with the reason.
        let sep = if pending.return_to.contains('?') { '&' } else { '?' };
        let code = if error == "access_denied" {
            "access_denied"
        } else {
            "provider_error"
        };
        let _ = query.error_description;
        return Ok(redirect(&format!("{}{sep}error={code}", pending.return_to)));
    }
    let code = query
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::new(ErrorCode::MissingCode, "The provider sent no authorization code."))?;
    // Linking and grants continue the session that started them, and only that one.
    let session = req.get_session();
    let signs_in = matches!(pending.intent.as_str(), "sign_in" | "reauthenticate");
    if !signs_in {
        let current = session::cookie_session_id(&session);
        if current.is_none() || current != pending.session_id {
            return Err(ApiError::new(
                ErrorCode::SessionMismatch,
                "This request was started from another session. Sign in and try again.",
            ));
        }
        // Still that person's own session (the recent sign-in was checked when the flow began;
        // the ten minutes at the provider do not count against it).
        Caller::extract(req).await?.authorize(Action::ManageOwnAccount, None)?;
    }
    let identity = state
        .providers
        .finish(
            provider,
            &code,
            pending.pkce_verifier.as_deref().unwrap_or_default(),
            pending.nonce.as_deref(),
            grant_path,
        )
        .await
        .map_err(provider_error)?;
    if pending.intent == "reauthenticate" {
        // The provider must have taken the password during this flow, not reused an old login.
        let started = pending.expires_at - chrono::Duration::minutes(STATE_TTL_MINUTES);
        if identity
            .auth_time
            .is_none_or(|at| at < started - chrono::Duration::seconds(STALE_LOGIN_LEEWAY_SECS))
        {
            return Err(ApiError::new(
                ErrorCode::ReauthenticationRequired,
                "The provider did not ask for your password again. Please sign in again.",
            ));
        }
    }
    match pending.intent.as_str() {
        "sign_in" | "reauthenticate" => {
            sign_in(
                req,
                state,
                &session,
                identity,
                pending.pending_signup_id,
                &pending.return_to,
            )
            .await
        }
        "link" => {
            let account_id = pending
                .account_id
                .ok_or_else(|| ApiError::internal("link state without account"))?;
            link(state, account_id, identity).await?;
            Ok(redirect(&pending.return_to))
        }
        "grant" => {
            let account_id = pending
                .account_id
                .ok_or_else(|| ApiError::internal("grant state without account"))?;
            let kind: PermissionKind = pending
                .grant_kind
                .as_deref()
                .and_then(|k| k.parse().ok())
                .ok_or_else(|| ApiError::internal("grant state without kind"))?;
            match store_grant(state, account_id, kind, identity).await {
                Ok(()) => Ok(redirect(&pending.return_to)),
                // Granted from another ORCID iD (a different orcid.org session in this browser):
                // back to the page, which explains and offers to sign in to ORCID afresh.
                Err(e) if e.code == ErrorCode::GrantWrongOrcid && wants_page(req) => {
                    let sep = if pending.return_to.contains('?') { '&' } else { '?' };
                    Ok(redirect(&format!(
                        "{}{sep}error=grant_wrong_orcid&kind={}",
                        pending.return_to,
                        kind.as_str()
                    )))
                }
                Err(e) => Err(e),
            }
        }
        other => Err(ApiError::internal(format!("unknown intent {other}"))),
    }
}

/// Whether the browser asked for a page (`Accept: text/html`), not a program for JSON.
pub fn wants_page(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// An error in a browser flow: a small HTML page for people, problem details for programs. A
/// person who must sign in again is sent through ORCID (`prompt=login`) and back to `back`.
pub fn error_page(req: &HttpRequest, error: ApiError, back: &str) -> HttpResponse {
    if !wants_page(req) {
        return actix_web::ResponseError::error_response(&error);
    }
    if error.code == ErrorCode::ReauthenticationRequired {
        let back = safe_return_to(Some(back), "/settings").unwrap_or_else(|_| "/settings".to_owned());
        let mut to = url::form_urlencoded::Serializer::new(String::new());
        to.append_pair("return_to", &back);
        return crate::identities::redirect(&format!("{}&{}", session::REAUTHENTICATE_PATH, to.finish()));
    }
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    HttpResponse::build(error.kind.status())
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>Sign-in problem – Profiles</title></head><body><main><h1>Sign-in problem</h1><p>{}</p>\
<p><small>Error code: <code>{}</code></small></p><p><a href=\"/sign-in\">Back to sign in</a> · <a href=\"/settings\">Settings</a></p></main></body></html>",
            escape(&error.detail),
            escape(error.code.as_str())
        ))
}

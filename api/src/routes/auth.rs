//! Browser sign-in flows under `/auth/{provider}/…`, and the JSON endpoints the sign-in page uses.
//!
//! Every flow keeps its pending state server-side in `auth_states` (single use, 10 minutes),
//! bound to the browser by a short-lived cookie holding the same `state`, and uses PKCE and (for
//! OpenID Connect) a nonce. Linking and ORCID grants are bound to the session that started them.

use actix_session::SessionExt;
use actix_web::cookie::time;
use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::session::{self, Caller};
use crate::db::schema::pending_signups;
use crate::domain::{PermissionKind, Provider};
use crate::error::responses::NotSignedIn;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::identities::flow::{
    begin, finish_flow_inner, parse_provider, safe_return_to, state_cookie, CallbackQuery, NewState,
};
use crate::identities::PENDING_SIGNUP;
use crate::policy::Action;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Sign in (or sign up, with ORCID).
    SignIn,
    /// Connect Google or GitHub to the signed-in account.
    Link,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct StartQuery {
    /// `sign_in` (default) or `link` (connect to the signed-in account).
    pub intent: Option<Intent>,
    /// A same-origin path to return to afterwards, e.g. `/settings`.
    pub return_to: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct GrantQuery {
    /// Which ORCID permission to grant.
    pub kind: PermissionKind,
    /// A same-origin path to return to afterwards.
    pub return_to: Option<String>,
}

/// An error in a browser flow: a small HTML page for people, problem details for programs.
fn flow_error(req: &HttpRequest, error: ApiError) -> HttpResponse {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !wants_html {
        return actix_web::ResponseError::error_response(&error);
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

/// Start signing in or linking
///
/// Redirects the browser to the provider. With `intent=link` the signed-in user connects
/// Google or GitHub to their account. ORCID sign-in also finishes a pending Google/GitHub sign-up.
#[utoipa::path(
    tag = "sign-in",
    params(("provider" = Provider, Path, description = "orcid, google or github"), StartQuery),
    responses(
        (status = 303, description = "Redirect to the provider's authorization page."),
        (status = 400, description = "Bad `return_to` or intent.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`intent=link` without a session.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`intent=link` with a bearer JWT or API token (`session_required`, `api_token_not_allowed`): linking needs the browser session.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown or disabled provider.", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The provider is unreachable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/{provider}/start")]
pub async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<StartQuery>,
) -> HttpResponse {
    let result: ApiResult<HttpResponse> = async {
        let provider = parse_provider(&state, &path)?;
        let intent = query.intent.unwrap_or(Intent::SignIn);
        let session = req.get_session();
        match intent {
            Intent::SignIn => {
                let return_to = safe_return_to(query.return_to.as_deref(), "/settings")?;
                let pending = match provider {
                    Provider::Orcid => session.get::<Uuid>(PENDING_SIGNUP).ok().flatten(),
                    _ => None,
                };
                begin(
                    &req,
                    &state,
                    NewState {
                        provider,
                        intent: "sign_in",
                        account_id: None,
                        session_id: None,
                        grant_kind: None,
                        pending_signup_id: pending,
                        return_to,
                    },
                )
                .await
            }
            Intent::Link => {
                if provider == Provider::Orcid {
                    return Err(ApiError::new(
                        ErrorCode::OrcidNotLinkable,
                        "ORCID is already your account's anchor; to refresh its token, sign in with ORCID.",
                    ));
                }
                let caller = Caller::extract(&req).await?;
                caller.authorize(Action::ManageOwnAccount, None)?;
                let return_to = safe_return_to(query.return_to.as_deref(), "/settings/social")?;
                begin(
                    &req,
                    &state,
                    NewState {
                        provider,
                        intent: "link",
                        account_id: Some(caller.account.id),
                        session_id: caller.session_id,
                        grant_kind: None,
                        pending_signup_id: None,
                        return_to,
                    },
                )
                .await
            }
        }
    }
    .await;
    result.unwrap_or_else(|e| flow_error(&req, e))
}

/// Start an ORCID permission grant
///
/// Redirects the signed-in user to ORCID to grant "Search & Link" or "Auto-Update"
/// (`/activities/update /read-limited`). The grant must come from the account's own ORCID iD.
#[utoipa::path(
    tag = "sign-in",
    params(GrantQuery),
    responses(
        (status = 303, description = "Redirect to ORCID."),
        (status = 400, description = "Bad `return_to` or kind.", body = Problem, content_type = "application/problem+json"),
        NotSignedIn,
        (status = 403, description = "A bearer JWT or API token (`session_required`, `api_token_not_allowed`): granting needs the browser session.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "ORCID is not configured.", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "ORCID is unreachable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/orcid/grant")]
pub async fn grant_start(req: HttpRequest, state: web::Data<AppState>, query: web::Query<GrantQuery>) -> HttpResponse {
    let result: ApiResult<HttpResponse> = async {
        parse_provider(&state, "orcid")?;
        let caller = Caller::extract(&req).await?;
        caller.authorize(Action::ManageOwnAccount, None)?;
        let return_to = safe_return_to(query.return_to.as_deref(), "/settings/claims")?;
        begin(
            &req,
            &state,
            NewState {
                provider: Provider::Orcid,
                intent: "grant",
                account_id: Some(caller.account.id),
                session_id: caller.session_id,
                grant_kind: Some(query.kind),
                pending_signup_id: None,
                return_to,
            },
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| flow_error(&req, e))
}

/// Finish signing in, linking or granting
///
/// The provider sends the browser back here. Checks `state` (single use, bound to this browser,
/// 10 minutes), exchanges the code with PKCE, verifies the identity token and nonce, then signs
/// in, links or stores the grant, and redirects to the same-origin `return_to`.
#[utoipa::path(
    tag = "sign-in",
    params(("provider" = Provider, Path, description = "orcid, google or github"), CallbackQuery),
    responses(
        (status = 303, description = "Done: redirect to the return path (or to /link-orcid for a new Google/GitHub sign-up)."),
        (status = 400, description = "Missing, forged, expired or reused state; the provider refused the code; the identity token did not verify.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The flow belongs to another session, or the ORCID grant came from another ORCID iD.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The identity is already linked to another account.", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The provider is unreachable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/{provider}/callback")]
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CallbackQuery>,
) -> HttpResponse {
    finish_flow(req, state, path.into_inner(), query.into_inner(), false).await
}

/// Finish an ORCID permission grant
///
/// ORCID sends the browser back here after "Search & Link" or "Auto-Update" was granted.
#[utoipa::path(
    tag = "sign-in",
    params(CallbackQuery),
    responses(
        (status = 303, description = "Grant stored; redirect to the return path."),
        (status = 400, description = "Missing, forged, expired or reused state, or ORCID refused the code.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The grant came from a different ORCID iD, or the flow belongs to another session.", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "ORCID is unreachable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/orcid/grant/callback")]
pub async fn grant_callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<CallbackQuery>,
) -> HttpResponse {
    finish_flow(req, state, "orcid".into(), query.into_inner(), true).await
}

async fn finish_flow(
    req: HttpRequest,
    state: web::Data<AppState>,
    provider_name: String,
    query: CallbackQuery,
    grant_path: bool,
) -> HttpResponse {
    let clear_state_cookie = state_cookie(&state, "", time::Duration::ZERO);
    let result = finish_flow_inner(&req, &state, &provider_name, query, grant_path).await;
    let mut response = result.unwrap_or_else(|e| flow_error(&req, e));
    let _ = response.add_cookie(&clear_state_cookie);
    response
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProviderInfo {
    /// `orcid`, `google` or `github`.
    pub id: Provider,
    /// Human name for the button.
    pub name: String,
    /// Where the sign-in button points.
    pub sign_in_url: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProvidersResponse {
    /// The enabled providers, ORCID first.
    pub providers: Vec<ProviderInfo>,
    /// True when ORCID is the sandbox (which needs its own sandbox account).
    pub orcid_sandbox: bool,
    /// The ORCID site, e.g. `https://orcid.org`, for "ORCID record" links.
    pub orcid_url: Option<String>,
    /// DataCite's search site, for "Your DOIs in DataCite Search".
    pub datacite_search_url: String,
}

/// Sign-in providers
///
/// The providers enabled on this service, ORCID first, for the sign-in page.
#[utoipa::path(tag = "sign-in", responses((status = 200, description = "Enabled providers.", body = ProvidersResponse)))]
#[get("/api/v1/auth/providers")]
pub async fn providers(state: web::Data<AppState>) -> HttpResponse {
    let list = Provider::ALL
        .into_iter()
        .filter(|p| state.providers.enabled(*p))
        .map(|p| ProviderInfo {
            id: p,
            name: p.label().to_owned(),
            sign_in_url: format!("/auth/{p}/start"),
        })
        .collect();
    HttpResponse::Ok().json(ProvidersResponse {
        providers: list,
        orcid_sandbox: state.config.orcid.as_ref().is_some_and(|o| o.sandbox),
        orcid_url: state.config.orcid.as_ref().map(|o| {
            if o.sandbox {
                "https://sandbox.orcid.org".to_owned()
            } else {
                "https://orcid.org".to_owned()
            }
        }),
        datacite_search_url: state
            .config
            .datacite_search_url
            .as_str()
            .trim_end_matches('/')
            .to_owned(),
    })
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingSignupView {
    /// `google` or `github`.
    pub provider: Provider,
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// The sign-up is forgotten after this; sign in with ORCID before then.
    pub expires_at: DateTime<Utc>,
}

/// provider, display name, email, expiry
type PendingRow = (String, Option<String>, Option<String>, DateTime<Utc>);

/// Pending sign-up
///
/// After a first sign-in with Google or GitHub, the identity waits here (30 minutes) until the
/// person signs in with ORCID to finish setting up the account.
#[utoipa::path(
    tag = "sign-in",
    responses(
        (status = 200, description = "The identity waiting for an ORCID iD.", body = PendingSignupView),
        (status = 404, description = "Nothing is pending in this browser.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/auth/pending-signup")]
pub async fn pending_signup(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let id = req
        .get_session()
        .get::<Uuid>(PENDING_SIGNUP)
        .ok()
        .flatten()
        .ok_or_else(|| ApiError::new(ErrorCode::NoPendingSignup, "No sign-up is waiting in this browser."))?;
    let row: Option<PendingRow> = crate::db::run(&state.pool, move |conn| {
        Ok(pending_signups::table
            .find(id)
            .filter(pending_signups::expires_at.gt(now))
            .select((
                pending_signups::provider,
                pending_signups::display_name,
                pending_signups::email,
                pending_signups::expires_at,
            ))
            .first(conn)
            .optional()?)
    })
    .await?;
    let (provider, display_name, email, expires_at) = row.ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoPendingSignup,
            "The sign-up expired; sign in with Google or GitHub again.",
        )
    })?;
    Ok(HttpResponse::Ok().json(PendingSignupView {
        provider: provider.parse().map_err(|_| ApiError::internal("bad provider"))?,
        display_name,
        email,
        expires_at,
    }))
}

/// Sign out
///
/// Ends the session server-side (a copied cookie stops working, and so do JWTs made from it) and
/// clears the cookies. Signing out twice is fine.
#[utoipa::path(tag = "sign-in", responses((status = 204, description = "Signed out.")))]
#[post("/api/v1/auth/logout")]
pub async fn logout(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let session = req.get_session();
    if let Some(sid) = session::cookie_session_id(&session) {
        let now = state.clock.now();
        crate::db::run(&state.pool, move |conn| Ok(session::revoke(conn, sid, now)?)).await?;
    }
    session.purge();
    let mut response = HttpResponse::NoContent();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    let mut response = response.finish();
    if let Some(cookie) = crate::auth::sso::clear_datacite_cookie(&state) {
        let _ = response.add_cookie(&cookie);
    }
    let _ = StatusCode::OK;
    Ok(response)
}

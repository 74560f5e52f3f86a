//! Browser sign-in flows under `/auth/{provider}/…` (the sign-in page's JSON endpoints are in
//! `sign_in.rs`).
//!
//! Every flow keeps its pending state server-side in `auth_states` (single use, 10 minutes),
//! bound to the browser by a short-lived cookie holding the same `state`, and uses PKCE and (for
//! OpenID Connect) a nonce. Linking and ORCID grants are bound to the session that started them.

use actix_session::SessionExt;
use actix_web::cookie::time;
use actix_web::{get, post, web, FromRequest, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::origin;
use crate::auth::session::{self, Caller};
use crate::domain::{PermissionKind, Provider};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::identities::flow::{
    begin, error_page, finish_flow_inner, parse_provider, safe_return_to, state_cookie, CallbackQuery, NewState,
};
use crate::identities::PENDING_SIGNUP;
use crate::notifications::invite;
use crate::policy::Action;
use crate::ratelimit::RateRule;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Sign in (or sign up, with ORCID).
    SignIn,
    /// Connect Google or GitHub to the signed-in account.
    Link,
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
pub struct StartQuery {
    /// `sign_in` (default) or `link` (connect to the signed-in account).
    #[param(nullable = false)]
    #[schema(nullable = false)]
    pub intent: Option<Intent>,
    /// A page of this site to return to, e.g. `/settings` (not a flow or API route; empty: default).
    #[param(
        pattern = "^$|^/((settings|admin|sign-in|link-orcid)(/[A-Za-z0-9._~-]+)*)?(\\?[A-Za-z0-9._~=&%+,-]*)?$",
        nullable = false
    )]
    #[schema(
        pattern = "^$|^/((settings|admin|sign-in|link-orcid)(/[A-Za-z0-9._~-]+)*)?(\\?[A-Za-z0-9._~=&%+,-]*)?$",
        nullable = false
    )]
    pub return_to: Option<String>,
    /// `true`: sign in again, entering the password at the provider whatever session it has
    /// (`prompt=login`, `max_age=0`), as guarded actions need after `reauthentication_required`.
    #[param(nullable = false)]
    #[schema(nullable = false)]
    pub reauthenticate: Option<bool>,
    /// Form posts to `/auth/orcid/start` only: the pending Google/GitHub sign-up this ORCID
    /// sign-in finishes (its `id` from `GET /api/v1/auth/pending-signup`). Naming it is the
    /// person's confirmation; without it a pending sign-up is never linked. On `GET` it is
    /// always refused (422 `confirmation_required`).
    #[param(nullable = false)]
    #[schema(nullable = false)]
    pub pending_signup: Option<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
pub struct GrantQuery {
    /// Which ORCID permission to grant.
    pub kind: PermissionKind,
    /// A page of this site to return to afterwards.
    #[param(
        pattern = "^$|^/((settings|admin|sign-in|link-orcid)(/[A-Za-z0-9._~-]+)*)?(\\?[A-Za-z0-9._~=&%+,-]*)?$",
        nullable = false
    )]
    #[schema(
        pattern = "^$|^/((settings|admin|sign-in|link-orcid)(/[A-Za-z0-9._~-]+)*)?(\\?[A-Za-z0-9._~=&%+,-]*)?$",
        nullable = false
    )]
    pub return_to: Option<String>,
    /// `true`: ORCID asks for the password again whatever orcid.org session the browser has
    /// (`prompt=login`), to grant as another ORCID iD than the one signed in at orcid.org.
    #[param(nullable = false)]
    #[schema(nullable = false)]
    pub fresh_login: Option<bool>,
}

/// How a flow was started: a navigation (`GET`) or a form posted by our own page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartedBy {
    Navigation,
    FormPost,
}

/// Start signing in or linking
///
/// Redirects the browser to the provider. With `intent=link` the signed-in user connects
/// Google or GitHub to their account; a link started by another site (`Sec-Fetch-Site`
/// `cross-site`/`same-site`, or a foreign `Referer`) is refused, and our own pages use the form
/// post below. Finishing a pending Google/GitHub sign-up takes the form post.
#[utoipa::path(
    tag = "sign-in",
    params(("provider" = Provider, Path, description = "orcid, google or github"), StartQuery),
    responses(
        (status = 303, description = "Redirect to the provider's authorization page (or, for a link that needs a recent sign-in, to `/auth/orcid/start?reauthenticate=true`)."),
        (status = 400, description = "Bad `return_to` (`invalid_return_to`), or `intent=link` with ORCID, which is the account's anchor (`orcid_not_linkable`).", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`intent=link` without a session, or (to programs) `reauthentication_required`.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`intent=link` from another site (`cross_origin_request`), or with a bearer JWT or API token (`session_required`, `api_token_not_allowed`).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown or disabled provider.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`pending_signup` in a `GET` (`confirmation_required`): finish a sign-up with the form post.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many flows started from this address (`rate_limited`); see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
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
    start_flow(req, state, &path, query.into_inner(), StartedBy::Navigation).await
}

/// Start signing in or linking, from our own page
///
/// The same as `GET`, as a form post (`application/x-www-form-urlencoded`) that must come from
/// this service's own pages (`Origin`, or `Sec-Fetch-Site: same-origin`). The only way to finish
/// a pending Google/GitHub sign-up: `pending_signup` names it, as the person confirmed.
#[utoipa::path(
    tag = "sign-in",
    params(("provider" = Provider, Path, description = "orcid, google or github")),
    request_body(content = StartQuery, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Redirect to the provider's authorization page (or to `/auth/orcid/start?reauthenticate=true`)."),
        (status = 400, description = "Bad `return_to` (`invalid_return_to`), or `intent=link` with ORCID, which is the account's anchor (`orcid_not_linkable`).", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`intent=link` without a session, or (to programs) `reauthentication_required`.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not posted by our own page (`cross_origin_request`), or a bearer credential (`session_required`, `api_token_not_allowed`).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown or disabled provider, or the named sign-up is not waiting in this browser (`no_pending_signup`).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`pending_signup` with another provider than ORCID (`confirmation_required`).", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not a form (`application/x-www-form-urlencoded`).", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many flows started from this address (`rate_limited`); see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The provider is unreachable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/{provider}/start")]
pub async fn start_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<StartQuery>,
) -> HttpResponse {
    start_flow(req, state, &path, form.into_inner(), StartedBy::FormPost).await
}

async fn start_flow(
    req: HttpRequest,
    state: web::Data<AppState>,
    provider: &str,
    params: StartQuery,
    by: StartedBy,
) -> HttpResponse {
    let intent = params.intent.unwrap_or(Intent::SignIn);
    let default_return = match intent {
        Intent::SignIn => "/settings",
        Intent::Link => "/settings/social",
    };
    let return_to = params.return_to.clone();
    let result: ApiResult<HttpResponse> = async {
        if by == StartedBy::FormPost {
            origin::check_form_post(&req, &state)?;
        }
        let provider = parse_provider(&state, provider)?;
        let return_to = safe_return_to(params.return_to.as_deref(), default_return)?;
        let session = req.get_session();
        match intent {
            Intent::SignIn => {
                let pending = match params.pending_signup {
                    None => None,
                    Some(_) if by == StartedBy::Navigation || provider != Provider::Orcid => {
                        return Err(ApiError::new(
                            ErrorCode::ConfirmationRequired,
                            "A Google or GitHub sign-up is finished only with ORCID, from the confirmation on /link-orcid.",
                        ))
                    }
                    Some(id) => {
                        if session.get::<Uuid>(PENDING_SIGNUP).ok().flatten() != Some(id) {
                            return Err(ApiError::new(
                                ErrorCode::NoPendingSignup,
                                "That sign-up is not waiting in this browser; sign in with Google or GitHub again.",
                            ));
                        }
                        Some(id)
                    }
                };
                let fresh = params.reauthenticate.unwrap_or(false);
                if fresh && provider != Provider::Orcid {
                    return Err(ApiError::new(
                        ErrorCode::InvalidParameter,
                        "Signing in again to confirm it is you is done with ORCID.",
                    ));
                }
                limit_flow_starts(&req, &state).await?;
                begin(
                    &req,
                    &state,
                    NewState {
                        provider,
                        intent: if fresh { "reauthenticate" } else { "sign_in" },
                        account_id: None,
                        session_id: None,
                        grant_kind: None,
                        pending_signup_id: pending,
                        return_to,
                        fresh_login: fresh,
                    },
                )
                .await
            }
            Intent::Link => {
                if by == StartedBy::Navigation {
                    origin::check_navigation(&req, &state)?;
                }
                if provider == Provider::Orcid {
                    return Err(ApiError::new(
                        ErrorCode::OrcidNotLinkable,
                        "ORCID is already your account's anchor; to refresh its token, sign in with ORCID.",
                    ));
                }
                let caller = Caller::extract(&req).await?;
                caller.authorize(Action::SecureOwnAccount, None)?;
                limit_flow_starts(&req, &state).await?;
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
                        fresh_login: false,
                    },
                )
                .await
            }
        }
    }
    .await;
    result.unwrap_or_else(|e| error_page(&req, e, return_to.as_deref().unwrap_or(default_return)))
}

/// Start an ORCID permission grant
///
/// Redirects the signed-in user to ORCID to grant "Search & Link" or "Auto-Update"
/// (`/activities/update /read-limited`). The grant must come from the account's own ORCID iD.
/// Refused when another site started it (`Sec-Fetch-Site` `cross-site`/`same-site`, or a foreign
/// `Referer`); our own pages use the form post.
#[utoipa::path(
    tag = "sign-in",
    params(GrantQuery),
    responses(
        (status = 303, description = "Redirect to ORCID (or, without a recent sign-in, to `/auth/orcid/start?reauthenticate=true`)."),
        (status = 400, description = "Bad `return_to` (`invalid_return_to`) or kind.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in, or (to programs) `reauthentication_required`.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Started by another site (`cross_origin_request`), or a bearer JWT or API token (`session_required`, `api_token_not_allowed`): granting needs the browser session.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "ORCID is not configured.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many flows started from this address (`rate_limited`).", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "ORCID is unreachable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/orcid/grant")]
pub async fn grant_start(req: HttpRequest, state: web::Data<AppState>, query: web::Query<GrantQuery>) -> HttpResponse {
    grant_flow(req, state, query.into_inner(), StartedBy::Navigation).await
}

/// Start an ORCID permission grant, from our own page
///
/// The same as `GET`, as a form post that must come from this service's own pages.
#[utoipa::path(
    tag = "sign-in",
    request_body(content = GrantQuery, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Redirect to ORCID (or, without a recent sign-in, to `/auth/orcid/start?reauthenticate=true`)."),
        (status = 400, description = "Bad `return_to` (`invalid_return_to`).", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in, or (to programs) `reauthentication_required`.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not posted by our own page (`cross_origin_request`), or a bearer credential.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "ORCID is not configured.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not a form (`application/x-www-form-urlencoded`).", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many flows started from this address (`rate_limited`).", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "ORCID is unreachable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/orcid/grant")]
pub async fn grant_form(req: HttpRequest, state: web::Data<AppState>, form: web::Form<GrantQuery>) -> HttpResponse {
    grant_flow(req, state, form.into_inner(), StartedBy::FormPost).await
}

async fn grant_flow(req: HttpRequest, state: web::Data<AppState>, params: GrantQuery, by: StartedBy) -> HttpResponse {
    let result: ApiResult<HttpResponse> = async {
        match by {
            StartedBy::FormPost => origin::check_form_post(&req, &state)?,
            StartedBy::Navigation => origin::check_navigation(&req, &state)?,
        }
        parse_provider(&state, "orcid")?;
        let return_to = safe_return_to(params.return_to.as_deref(), "/settings/claims")?;
        let caller = Caller::extract(&req).await?;
        caller.authorize(Action::SecureOwnAccount, None)?;
        limit_flow_starts(&req, &state).await?;
        begin(
            &req,
            &state,
            NewState {
                provider: Provider::Orcid,
                intent: "grant",
                account_id: Some(caller.account.id),
                session_id: caller.session_id,
                grant_kind: Some(params.kind),
                pending_signup_id: None,
                return_to,
                fresh_login: params.fresh_login.unwrap_or(false),
            },
        )
        .await
    }
    .await;
    let back = params.return_to.as_deref().unwrap_or("/settings/claims");
    result.unwrap_or_else(|e| error_page(&req, e, back))
}

/// Flow starts per client address, shared by every process.
async fn limit_flow_starts(req: &HttpRequest, state: &AppState) -> ApiResult<()> {
    let ip = session::client_ip(req, &state.config.security.trusted_proxies);
    crate::ratelimit::check(state, RateRule::FlowStarts, &crate::ratelimit::address_key(ip)).await
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
        (status = 404, description = "Unknown or disabled provider.", body = Problem, content_type = "application/problem+json"),
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
/// ORCID sends the browser back here after "Search & Link" or "Auto-Update" was granted, also
/// from the "Grant permission" of an ORCID inbox notification (its `state` starts `inv_`): that
/// grants Auto-Update to the notified iD (creating its account), and signs the person in through
/// an ordinary ORCID sign-in unless this browser is already theirs.
#[utoipa::path(
    tag = "sign-in",
    params(CallbackQuery),
    responses(
        (status = 303, description = "Grant stored; redirect to the return path (from a notification: to `/settings/claims?granted=auto_update&via=inbox`, or first through ORCID sign-in)."),
        (status = 400, description = "Missing, forged, expired or reused state (a notification's link is `expired_state` once its waiting claims expired), or ORCID refused the code.", body = Problem, content_type = "application/problem+json"),
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
    if grant_path && invite::is_invite(&state, query.state.as_deref()).await {
        // "Grant permission" in an ORCID inbox notification: bound to the notification instead
        // (and it may start a sign-in, whose state cookie must stay).
        let result = invite::finish(&req, &state, query).await;
        return result.unwrap_or_else(|e| error_page(&req, e, "/sign-in"));
    }
    let result = finish_flow_inner(&req, &state, &provider_name, query, grant_path).await;
    let mut response = result.unwrap_or_else(|e| error_page(&req, e, "/settings"));
    let _ = response.add_cookie(&clear_state_cookie);
    response
}

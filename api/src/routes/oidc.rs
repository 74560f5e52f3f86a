//! Profiles as an OpenID Provider, for people's browsers: discovery, the authorization endpoint
//! (with its consent page) and RP-initiated logout.

use actix_session::SessionExt;
use actix_web::http::header;
use actix_web::{get, post, web, FromRequest, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::session::{self, AuthMethod, Caller};
use crate::clients::authorize::{self, back_to, query_of, AuthorizeParams, Signed, Step};
use crate::clients::{oidc, pages, tokens};
use crate::db::schema::sessions;
use crate::error::{ApiResult, Problem};
use diesel::prelude::*;

fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // Our pages only: no other site may frame the consent page (clickjacking).
        .insert_header((
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'",
        ))
        .body(body)
}

fn see(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// OpenID Provider configuration
///
/// Discovery (OpenID Connect Discovery 1.0): the endpoints, the code flow with PKCE S256, the
/// scopes (`openid profile email orcid datacite offline_access`) and the claims they reveal.
#[utoipa::path(
    tag = "openid-provider",
    responses((status = 200, description = "The provider's metadata.", content_type = "application/json"))
)]
#[get("/.well-known/openid-configuration")]
pub async fn discovery(state: web::Data<AppState>) -> HttpResponse {
    let issuer = state.config.jwt.issuer.trim_end_matches('/').to_owned();
    let base = state.config.public_url.as_str().trim_end_matches('/').to_owned();
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{base}/oauth/authorize"),
            "token_endpoint": format!("{base}/oauth/token"),
            "userinfo_endpoint": format!("{base}/oauth/userinfo"),
            "jwks_uri": format!("{base}/.well-known/jwks.json"),
            "revocation_endpoint": format!("{base}/oauth/revoke"),
            "introspection_endpoint": format!("{base}/oauth/introspect"),
            "end_session_endpoint": format!("{base}/oauth/logout"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": crate::clients::SCOPES.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "azp",
                "name", "given_name", "family_name", "email", "orcid", "uid", "role_id", "beta_tester", "has_orcid_token"],
            "prompt_values_supported": ["none", "login", "consent"],
            "authorization_response_iss_parameter_supported": true,
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
        }))
}

/// Who is signed in here with a browser session, and when they last entered their credentials.
async fn signed_in(req: &HttpRequest, state: &AppState) -> Option<(Signed, crate::db::models::Account)> {
    let caller = Caller::extract(req).await.ok()?;
    if caller.method != AuthMethod::Session {
        return None;
    }
    let sid = caller.session_id?;
    let at = crate::db::run(&state.pool, move |conn| {
        Ok(sessions::table
            .find(sid)
            .select(sessions::authenticated_at)
            .first::<Option<chrono::DateTime<chrono::Utc>>>(conn)?)
    })
    .await
    .ok()?;
    Some((
        Signed {
            account_id: caller.account.id,
            session_id: sid,
            authenticated_at: at,
        },
        caller.account,
    ))
}

async fn authorization(req: HttpRequest, state: web::Data<AppState>, params: AuthorizeParams) -> HttpResponse {
    use actix_web::http::StatusCode;
    let id = params.client_id.clone().unwrap_or_default();
    let client = crate::db::run(&state.pool, move |conn| Ok(crate::clients::find(conn, &id)?))
        .await
        .ok()
        .flatten();
    let (client, redirect_uri) = match authorize::check_client(client, &params) {
        Ok(c) => c,
        Err(message) => return html(StatusCode::BAD_REQUEST, pages::error(&message, "invalid_client")),
    };
    let state_param = params.state.clone().unwrap_or_default();
    let iss = state.config.jwt.issuer.clone();
    let fail = |error: &str, description: &str| {
        let mut pairs = vec![
            ("error", error),
            ("error_description", description),
            ("iss", iss.as_str()),
        ];
        if !state_param.is_empty() {
            pairs.push(("state", state_param.as_str()));
        }
        see(&back_to(&redirect_uri, &pairs))
    };
    let checked = match authorize::check_request(client, redirect_uri.clone(), params) {
        Ok(c) => c,
        Err(Step::Fail { error, description }) => return fail(error, &description),
        Err(_) => return fail("server_error", "Unexpected request state."),
    };
    let now = state.clock.now();
    let signed = signed_in(&req, &state).await;
    let consented = match &signed {
        Some((s, _)) => {
            let (account, client_id, scopes) = (s.account_id, checked.client.id.clone(), checked.scopes.clone());
            crate::db::run(&state.pool, move |conn| {
                Ok(tokens::consented(conn, account, &client_id, &scopes)?)
            })
            .await
            .unwrap_or(false)
        }
        None => false,
    };
    // A consent answer is a form post from our own page only.
    if checked.params.decision.is_some() && crate::auth::origin::check_form_post(&req, &state).is_err() {
        return html(
            StatusCode::FORBIDDEN,
            pages::error(
                "This answer did not come from the Profiles consent page.",
                "cross_origin_request",
            ),
        );
    }
    match authorize::next(&checked, signed.as_ref().map(|(s, _)| *s), consented, now) {
        Step::Fail { error, description } => fail(error, &description),
        Step::SignIn { fresh } => {
            let back = format!("/oauth/authorize?{}", query_of(&checked.params, fresh));
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            q.append_pair("return_to", &back);
            if fresh {
                see(&format!("{}&{}", session::REAUTHENTICATE_PATH, q.finish()))
            } else {
                see(&format!("/sign-in?{}", q.finish()))
            }
        }
        Step::Consent => {
            let who = signed
                .as_ref()
                .map(|(_, a)| a.name.clone().unwrap_or_else(|| a.orcid.clone()))
                .unwrap_or_default();
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query_of(&checked.params, false).as_bytes())
                .into_owned()
                .filter(|(k, _)| k != "prompt")
                .collect();
            let hidden: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            html(
                StatusCode::OK,
                pages::consent(&checked.client.name, &who, &checked.scopes, &hidden),
            )
        }
        Step::Issue(request) => {
            let (record_consent, account, client_id, scopes) = (
                checked.params.decision.as_deref() == Some("allow"),
                request.account_id,
                request.client_id.clone(),
                request.scopes.clone(),
            );
            let issued = crate::db::run(&state.pool, move |conn| {
                if record_consent {
                    tokens::consent(conn, account, &client_id, &scopes, now)?;
                }
                Ok(tokens::issue_code(conn, &request, now)?)
            })
            .await;
            match issued {
                Ok(code) => {
                    let mut pairs = vec![("code", code.as_str()), ("iss", iss.as_str())];
                    if !state_param.is_empty() {
                        pairs.push(("state", state_param.as_str()));
                    }
                    see(&back_to(&redirect_uri, &pairs))
                }
                Err(_) => fail("server_error", "The sign-in could not be completed; try again."),
            }
        }
    }
}

/// Authorization endpoint
///
/// Signs a person in to a registered client application (OpenID Connect, code flow only). The
/// client and `redirect_uri` (exact match) are checked first; if either is wrong the person sees
/// an error page and is never redirected. Then: `response_type=code`, PKCE with
/// `code_challenge_method=S256` (required), `scope` including `openid` and only scopes the
/// client may have; `state` and `nonce` are carried through. Without a session the person signs
/// in first (`prompt=none`: `login_required`); `prompt=login` or a sign-in older than `max_age`
/// signs in again at ORCID; a third-party client needs the person's consent (a page here;
/// `prompt=consent` asks again). Answers `303` to the redirect URI with `code`, `state` and
/// `iss` (RFC 9207), or with `error` and `error_description`.
#[utoipa::path(
    tag = "openid-provider",
    params(AuthorizeParams),
    responses(
        (status = 303, description = "To the client's redirect URI (code or error), to sign-in, or to re-authentication."),
        (status = 200, description = "The consent page (third-party clients).", body = String, content_type = "text/html"),
        (status = 400, description = "Unknown client or unregistered redirect URI: an error page, no redirect (a query string that cannot be read at all: problem details).", content((String = "text/html"), (Problem = "application/problem+json"))),
    )
)]
#[get("/oauth/authorize")]
pub async fn authorize_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<AuthorizeParams>,
) -> HttpResponse {
    let mut params = query.into_inner();
    // A decision is only ever the consent page's form post.
    params.decision = None;
    authorization(req, state, params).await
}

/// Authorization endpoint: the consent page's answer
///
/// The consent page posts the same request with `decision=allow` or `deny`; only from this
/// site's own page (`Origin`/`Sec-Fetch-Site`).
#[utoipa::path(
    tag = "openid-provider",
    request_body(content = AuthorizeParams, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "To the client's redirect URI with a code, or `error=access_denied`."),
        (status = 400, description = "Unknown client or unregistered redirect URI (a form that cannot be read at all: problem details).", content((String = "text/html"), (Problem = "application/problem+json"))),
        (status = 403, description = "Not posted by our consent page.", body = String, content_type = "text/html"),
        (status = 415, description = "Not a form.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/oauth/authorize")]
pub async fn authorize_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<AuthorizeParams>,
) -> HttpResponse {
    authorization(req, state, form.into_inner()).await
}

#[derive(Debug, Clone, Deserialize, IntoParams, ToSchema)]
pub struct LogoutParams {
    /// An ID token we issued to the client (expired is fine): proves which session to end.
    #[param(nullable = false)]
    pub id_token_hint: Option<String>,
    /// Where to go afterwards: one of the client's registered logout URIs.
    #[param(nullable = false)]
    pub post_logout_redirect_uri: Option<String>,
    #[param(nullable = false)]
    pub client_id: Option<String>,
    /// Returned as is.
    #[param(nullable = false, max_length = 500)]
    pub state: Option<String>,
}

async fn end_session(
    req: &HttpRequest,
    state: &AppState,
    params: LogoutParams,
    confirmed: bool,
) -> ApiResult<HttpResponse> {
    if params.state.as_deref().is_some_and(|s| s.len() > 500) {
        return Ok(html(
            actix_web::http::StatusCode::BAD_REQUEST,
            pages::error(
                "The application sent a state longer than 500 characters.",
                "invalid_request",
            ),
        ));
    }
    let hint = match params.id_token_hint.as_deref() {
        Some(t) => oidc::read_id_token_hint(state, t).await,
        None => None,
    };
    let client_id = hint
        .as_ref()
        .and_then(|h| h["aud"].as_str().map(str::to_owned))
        .or_else(|| params.client_id.clone());
    let id = client_id.clone().unwrap_or_default();
    let client = crate::db::run(&state.pool, move |conn| Ok(crate::clients::find(conn, &id)?)).await?;
    let back = match (&params.post_logout_redirect_uri, &client) {
        (Some(uri), Some(c)) if c.post_logout_redirect_uris.iter().any(|u| u == uri) => Some(uri.clone()),
        (Some(_), _) => {
            return Ok(html(
                actix_web::http::StatusCode::BAD_REQUEST,
                pages::error(
                    "The application asked to send you to an address it did not register.",
                    "invalid_request",
                ),
            ))
        }
        (None, _) => None,
    };
    let current = session::cookie_session_id(&req.get_session());
    let proven = hint
        .as_ref()
        .and_then(|h| h["sid"].as_str())
        .is_some_and(|sid| current.is_some_and(|c| c.to_string() == sid));
    if current.is_some() && !proven && !confirmed {
        let mut hidden = Vec::new();
        for (k, v) in [
            ("client_id", &client_id),
            ("post_logout_redirect_uri", &back),
            ("state", &params.state),
        ] {
            if let Some(v) = v {
                hidden.push((k, v.clone()));
            }
        }
        let name = client.as_ref().map(|c| c.name.as_str());
        return Ok(html(
            actix_web::http::StatusCode::OK,
            pages::logout_confirm(name, &hidden),
        ));
    }
    if current.is_some() {
        session::sign_out(state, &req.get_session()).await?;
    }
    let mut response = match back {
        Some(uri) => {
            let pairs: Vec<(&str, &str)> = params.state.as_deref().map(|s| vec![("state", s)]).unwrap_or_default();
            see(&back_to(&uri, &pairs))
        }
        None => html(actix_web::http::StatusCode::OK, pages::signed_out()),
    };
    if let Some(cookie) = crate::auth::sso::clear_datacite_cookie(state) {
        let _ = response.add_cookie(&cookie);
    }
    Ok(response)
}

/// RP-initiated logout
///
/// OpenID Connect RP-Initiated Logout 1.0. With an `id_token_hint` of this browser's session the
/// session ends at once (and every client it signed in to is told by back-channel logout);
/// otherwise the person confirms on a page first. Then back to `post_logout_redirect_uri` (one
/// the client registered) with `state`, or a "signed out" page.
#[utoipa::path(
    tag = "openid-provider",
    params(LogoutParams),
    responses(
        (status = 303, description = "Signed out; back to the client."),
        (status = 200, description = "The confirmation page, or the signed-out page.", body = String, content_type = "text/html"),
        (status = 400, description = "An unregistered `post_logout_redirect_uri`, or a `state` over 500 characters (a query or form that cannot be read at all: problem details).", content((String = "text/html"), (Problem = "application/problem+json"))),
    )
)]
#[get("/oauth/logout")]
pub async fn logout_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LogoutParams>,
) -> ApiResult<HttpResponse> {
    end_session(&req, &state, query.into_inner(), false).await
}

/// RP-initiated logout: the confirmation
///
/// The confirmation page's form post (from this site's own page only).
#[utoipa::path(
    tag = "openid-provider",
    request_body(content = LogoutParams, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Signed out; back to the client."),
        (status = 200, description = "The signed-out page.", body = String, content_type = "text/html"),
        (status = 400, description = "An unregistered `post_logout_redirect_uri`, or a `state` over 500 characters (a query or form that cannot be read at all: problem details).", content((String = "text/html"), (Problem = "application/problem+json"))),
        (status = 403, description = "Not posted by our page (`cross_origin_request`).", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a form.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/oauth/logout")]
pub async fn logout_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LogoutParams>,
) -> ApiResult<HttpResponse> {
    crate::auth::origin::check_form_post(&req, &state)?;
    end_session(&req, &state, form.into_inner(), true).await
}

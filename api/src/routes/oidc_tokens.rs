//! Profiles as an OpenID Provider, for client applications and resource servers: the token
//! endpoint (codes and refresh tokens), userinfo, revocation (RFC 7009) and introspection (RFC
//! 7662). These speak OAuth's own error format, `{"error", "error_description"}`, as OAuth client
//! libraries expect, rather than problem details.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::clients::oidc::{self, TokenSet};
use crate::clients::tokens::{self, GrantError};
use crate::clients::Client;

/// An OAuth error (RFC 6749 §5.2).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OauthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type`, `invalid_scope`, `invalid_token`, `server_error`.
    pub error: String,
    pub error_description: String,
}

fn oauth_error(e: GrantError) -> HttpResponse {
    let status = match e.error {
        "invalid_client" => StatusCode::UNAUTHORIZED,
        "server_error" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    if e.error == "invalid_client" {
        res.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"profiles\""));
    }
    res.json(OauthError {
        error: e.error.to_owned(),
        error_description: e.description,
    })
}

fn no_store(body: impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(body)
}

/// The form of the token, revocation and introspection endpoints.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenForm {
    /// `authorization_code` or `refresh_token` (token endpoint).
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    /// PKCE: the verifier of the code's challenge.
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    /// The token to revoke or introspect.
    pub token: Option<String>,
    pub token_type_hint: Option<String>,
    /// Client authentication in the body (`client_secret_post`), or `client_id` alone for a
    /// public client; otherwise HTTP Basic (`client_secret_basic`).
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// Who is calling: HTTP Basic, the form's `client_secret`, or a public client's `client_id`.
async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
    form: &TokenForm,
    confidential_only: bool,
) -> Result<Client, GrantError> {
    let bad = || GrantError::new("invalid_client", "Client authentication failed.");
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(|b64| -> Result<(String, String), GrantError> {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| bad())?;
            let text = String::from_utf8(raw).map_err(|_| bad())?;
            let (id, secret) = text.split_once(':').ok_or_else(bad)?;
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            Ok((decode(id), decode(secret)))
        })
        .transpose()?;
    let (id, secret) = match (basic, &form.client_id) {
        (Some(_), Some(_)) if form.client_secret.is_some() => {
            return Err(GrantError::new(
                "invalid_request",
                "Use one client authentication method.",
            ))
        }
        (Some((id, secret)), _) => (id, Some(secret)),
        (None, Some(id)) => (id.clone(), form.client_secret.clone()),
        (None, None) => return Err(bad()),
    };
    let lookup = id.clone();
    let client = crate::db::run(&state.pool, move |conn| Ok(crate::clients::find(conn, &lookup)?))
        .await
        .map_err(|_| GrantError::new("server_error", "Try again."))?
        .ok_or_else(bad)?;
    match (client.confidential(), secret) {
        (true, Some(s)) if client.secret_matches(&s) => Ok(client),
        (false, None) if !confidential_only => Ok(client),
        _ => Err(bad()),
    }
}

/// Token endpoint
///
/// `grant_type=authorization_code` (with `code`, the same `redirect_uri` and the PKCE
/// `code_verifier`) or `grant_type=refresh_token`. Confidential clients authenticate with HTTP
/// Basic or `client_secret_post`; public clients send `client_id`. Answers an access token (JWT,
/// `typ: at+jwt`, 15 minutes), an ID token, and a refresh token. Refresh tokens rotate: each is
/// spent by its use; a spent one presented again revokes every token of that sign-in, as does a
/// code used twice. Errors are OAuth's (`invalid_grant`, `invalid_client` 401, …).
#[utoipa::path(
    tag = "openid-provider",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The tokens.", body = TokenSet),
        (status = 400, description = "`invalid_request`, `invalid_grant` (unknown, expired, replayed or another client's code or refresh token; wrong redirect_uri or PKCE verifier), `unsupported_grant_type`.", body = OauthError),
        (status = 401, description = "`invalid_client`: unknown client or wrong secret.", body = OauthError),
        (status = 415, description = "Not a form.", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("client_secret_basic" = []), ())
)]
#[post("/oauth/token")]
pub async fn token_endpoint(req: HttpRequest, state: web::Data<AppState>, form: web::Form<TokenForm>) -> HttpResponse {
    let result: Result<TokenSet, GrantError> = async {
        let client = authenticate(&req, &state, &form, false).await?;
        let (now, ttl) = (state.clock.now(), state.config.jwt.oidc_refresh_ttl);
        match form.grant_type.as_deref() {
            Some("authorization_code") => {
                let need = |v: &Option<String>, name: &str| {
                    v.clone()
                        .filter(|v| !v.is_empty())
                        .ok_or_else(|| GrantError::new("invalid_request", format!("{name} is required.")))
                };
                let (code, uri, verifier) = (
                    need(&form.code, "code")?,
                    need(&form.redirect_uri, "redirect_uri")?,
                    need(&form.code_verifier, "code_verifier")?,
                );
                let client_id = client.id.clone();
                let (family, nonce, refresh) = crate::db::run(&state.pool, move |conn| {
                    Ok(
                        tokens::redeem_code(conn, &code, &client_id, &uri, &verifier, now).and_then(
                            |(family, nonce)| {
                                let refresh = tokens::new_refresh(conn, family.id, ttl, now)?;
                                Ok((family, nonce, refresh))
                            },
                        ),
                    )
                })
                .await
                .map_err(|_| GrantError::new("server_error", "Try again."))??;
                oidc::mint(&state, &family, nonce, refresh).await
            }
            Some("refresh_token") => {
                let presented = form
                    .refresh_token
                    .clone()
                    .ok_or_else(|| GrantError::new("invalid_request", "refresh_token is required."))?;
                let client_id = client.id.clone();
                let (family, next) = crate::db::run(&state.pool, move |conn| {
                    Ok(tokens::rotate(conn, &presented, &client_id, ttl, now))
                })
                .await
                .map_err(|_| GrantError::new("server_error", "Try again."))??;
                oidc::mint(&state, &family, None, next).await
            }
            Some(other) => Err(GrantError::new(
                "unsupported_grant_type",
                format!("grant_type {other:?} is not offered; use authorization_code or refresh_token."),
            )),
            None => Err(GrantError::new("invalid_request", "grant_type is required.")),
        }
    }
    .await;
    match result {
        Ok(set) => no_store(set),
        Err(e) => oauth_error(e),
    }
}

fn bearer(req: &HttpRequest, form: Option<&TokenForm>) -> Option<String> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .or_else(|| form.and_then(|f| f.token.clone()))
}

async fn userinfo_of(req: &HttpRequest, state: &AppState) -> HttpResponse {
    let invalid = || {
        HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\""))
            .json(OauthError {
                error: "invalid_token".into(),
                error_description: "The access token is missing, expired, revoked or not ours.".into(),
            })
    };
    let Some(presented) = bearer(req, None) else {
        return invalid();
    };
    let Some(checked) = oidc::check_access(state, &presented).await else {
        return invalid();
    };
    match oidc::userinfo(state, &checked).await {
        Ok(claims) => no_store(claims),
        Err(e) => oauth_error(e),
    }
}

/// UserInfo
///
/// The claims of the signed-in person that the access token's scopes allow: `sub` always;
/// `profile` → `name`, `given_name`, `family_name`; `email` → `email`; `orcid` → `orcid` (the
/// iD's URL); `datacite` → DataCite's `uid`, `role_id`, `beta_tester`, `has_orcid_token`.
#[utoipa::path(
    tag = "openid-provider",
    responses(
        (status = 200, description = "The claims.", content_type = "application/json"),
        (status = 401, description = "`invalid_token`: missing, expired, revoked (its session ended, the app was revoked) or not one of our access tokens.", body = OauthError),
    ),
    security(("oidc_access_token" = []))
)]
#[get("/oauth/userinfo")]
pub async fn userinfo_get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    userinfo_of(&req, &state).await
}

/// UserInfo (POST)
///
/// The same as `GET`.
#[utoipa::path(
    tag = "openid-provider",
    responses(
        (status = 200, description = "The claims.", content_type = "application/json"),
        (status = 401, description = "`invalid_token`.", body = OauthError),
    ),
    security(("oidc_access_token" = []))
)]
#[post("/oauth/userinfo")]
pub async fn userinfo_post(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    userinfo_of(&req, &state).await
}

/// Token revocation (RFC 7009)
///
/// Revokes an access or refresh token of the calling client, and with it every token of that
/// sign-in. Always `200` for a token that is unknown or already revoked, as RFC 7009 says.
#[utoipa::path(
    tag = "openid-provider",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Revoked (or nothing to revoke)."),
        (status = 400, description = "`invalid_request`: no `token`.", body = OauthError),
        (status = 401, description = "`invalid_client`.", body = OauthError),
        (status = 415, description = "Not a form.", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("client_secret_basic" = []), ())
)]
#[post("/oauth/revoke")]
pub async fn revoke(req: HttpRequest, state: web::Data<AppState>, form: web::Form<TokenForm>) -> HttpResponse {
    let client = match authenticate(&req, &state, &form, false).await {
        Ok(c) => c,
        Err(e) => return oauth_error(e),
    };
    let Some(presented) = form.token.clone().filter(|t| !t.is_empty()) else {
        return oauth_error(GrantError::new("invalid_request", "token is required."));
    };
    let now = state.clock.now();
    let family = match oidc::check_access(&state, &presented).await {
        Some(c) => Some((c.family.id, c.family.client_id)),
        None => {
            let t = presented.clone();
            let found = crate::db::run(&state.pool, move |conn| Ok(tokens::family_of_refresh(conn, &t)?))
                .await
                .ok()
                .flatten();
            match found {
                Some((fid, _, _)) => {
                    let owner = crate::db::run(&state.pool, move |conn| {
                        use crate::db::schema::oauth_families;
                        use diesel::prelude::*;
                        Ok(oauth_families::table
                            .find(fid)
                            .select(oauth_families::client_id)
                            .first::<String>(conn)?)
                    })
                    .await
                    .ok();
                    owner.map(|o| (fid, o))
                }
                None => None,
            }
        }
    };
    if let Some((fid, owner)) = family.filter(|(_, owner)| *owner == client.id) {
        let _ = owner;
        let _ = crate::db::run(&state.pool, move |conn| {
            Ok(tokens::revoke_family(conn, fid, "revoked_by_client", now)?)
        })
        .await;
    }
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Token introspection (RFC 7662)
///
/// For resource servers (any confidential client): whether a token is active now — signed by
/// us, not expired, and its sign-in neither revoked nor ended with its session — with `scope`,
/// `client_id`, `sub`, `exp`, `iat`, `iss`, `token_type`. An inactive token is just
/// `{"active": false}`.
#[utoipa::path(
    tag = "openid-provider",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "`{active, …}`.", content_type = "application/json"),
        (status = 400, description = "`invalid_request`: no `token`.", body = OauthError),
        (status = 401, description = "`invalid_client`: resource servers authenticate as confidential clients.", body = OauthError),
        (status = 415, description = "Not a form.", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("client_secret_basic" = []))
)]
#[post("/oauth/introspect")]
pub async fn introspect(req: HttpRequest, state: web::Data<AppState>, form: web::Form<TokenForm>) -> HttpResponse {
    if let Err(e) = authenticate(&req, &state, &form, true).await {
        return oauth_error(e);
    }
    let Some(presented) = form.token.clone().filter(|t| !t.is_empty()) else {
        return oauth_error(GrantError::new("invalid_request", "token is required."));
    };
    if let Some(c) = oidc::check_access(&state, &presented).await {
        return no_store(json!({
            "active": true,
            "token_type": "Bearer",
            "scope": c.claims.scope,
            "client_id": c.claims.client_id,
            "sub": c.claims.sub,
            "aud": c.claims.aud,
            "iss": c.claims.iss,
            "exp": c.claims.exp,
            "iat": c.claims.iat,
        }));
    }
    let now = state.clock.now();
    let t = presented.clone();
    let refresh = crate::db::run(&state.pool, move |conn| {
        Ok(match tokens::family_of_refresh(conn, &t)? {
            Some((fid, expires, used)) if !used && expires > now => {
                tokens::live_family(conn, fid, now)?.map(|f| (f, expires))
            }
            _ => None,
        })
    })
    .await
    .ok()
    .flatten();
    match refresh {
        Some((f, expires)) => no_store(json!({
            "active": true,
            "token_type": "refresh_token",
            "scope": f.scopes.join(" "),
            "client_id": f.client_id,
            "sub": f.account_id.to_string(),
            "iss": state.config.jwt.issuer,
            "exp": expires.timestamp(),
        })),
        None => no_store(json!({ "active": false })),
    }
}

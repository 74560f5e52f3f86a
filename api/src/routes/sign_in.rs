//! The JSON endpoints of the sign-in page: the enabled providers, a pending Google/GitHub
//! sign-up waiting for its ORCID iD, and signing out.

use actix_session::SessionExt;
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::session;
use crate::db::schema::pending_signups;
use crate::domain::Provider;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::identities::PENDING_SIGNUP;

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
        orcid_url: state.config.orcid.as_ref().map(|_| state.config.orcid_site()),
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
    /// Names this sign-up in the confirmation (`pending_signup` in `POST /auth/orcid/start`).
    pub id: Uuid,
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
        id,
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
#[utoipa::path(
    tag = "sign-in",
    responses(
        (status = 204, description = "Signed out."),
        (status = 403, description = "`cross_origin_request`: the request came from another site (its `Origin`, or `Sec-Fetch-Site` other than `same-origin`/`none`).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/logout")]
pub async fn logout(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    // Another site must not be able to sign the person out either.
    crate::auth::origin::check_cookie_write(&req, &state)?;
    session::sign_out(&state, &req.get_session()).await?;
    let mut response = HttpResponse::NoContent();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    let mut response = response.finish();
    if let Some(cookie) = crate::auth::sso::clear_datacite_cookie(&state) {
        let _ = response.add_cookie(&cookie);
    }
    Ok(response)
}

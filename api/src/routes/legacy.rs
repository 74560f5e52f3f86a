//! The browser addresses DataCite Profiles' pages and e-mails link to: `/sign_in`, `/sign_out`,
//! `/settings/me` and `/link_orcid`, each leading to the page of ours that does the same.

use actix_session::SessionExt;
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiResult, Problem};

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn referer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// DataCite: the sign-in page
///
/// Leads to the sign-in page (`/sign-in`); a page of ours that sent the person here is where
/// they come back to.
#[utoipa::path(
    tag = "sign-in",
    responses((status = 303, description = "To `/sign-in`, with `return_to` when one of our pages linked here."))
)]
#[get("/sign_in")]
pub async fn sign_in(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let ours = crate::config::origin(&state.config.public_url);
    let back = referer(&req)
        .and_then(|r| url::Url::parse(&r).ok())
        .filter(|u| crate::config::origin(u) == ours)
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        })
        .filter(|p| p != "/" && crate::identities::flow::safe_return_to(Some(p), "/settings").is_ok());
    match back {
        Some(back) => {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", &back)
                .finish();
            see_other(&format!("/sign-in?{query}"))
        }
        None => see_other("/sign-in"),
    }
}

/// DataCite: sign out
///
/// Ends the session (as `POST /api/v1/auth/logout` does), sets DataCite's `_datacite` cookie to
/// `{"authenticated":{}}` on its domain when one is configured, and goes back to the page that
/// linked here: one of ours (but not a settings page, which would ask to sign in again), or one
/// on DataCite's sites (the cookie's domain, `DATACITE_SEARCH_URL`); otherwise to `/`. A link
/// followed from another site (`Sec-Fetch-Site: cross-site`, or a `Referer` that is neither
/// ours nor DataCite's) is not enough to sign someone out: the person is asked on `/sign-out`,
/// whose button posts back here.
#[utoipa::path(
    tag = "sign-in",
    responses((status = 303, description = "Signed out, and back to the referring page or `/`; or, from another site, to `/sign-out` to confirm."))
)]
#[get("/sign_out")]
pub async fn sign_out(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let back = crate::auth::sso::sign_out_target(&state, referer(&req).as_deref());
    if !may_sign_out_directly(&req, &state) {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("back", &back)
            .finish();
        return Ok(see_other(&format!("/sign-out?{query}")));
    }
    signed_out(&req, &state, &back).await
}

/// A link from our pages or DataCite's signs out at once (DataCite's pages link here); one that
/// the browser says came from another site (`Sec-Fetch-Site: cross-site`, or a `Referer`
/// elsewhere) only leads to the question.
fn may_sign_out_directly(req: &HttpRequest, state: &AppState) -> bool {
    let fetch_site = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    if fetch_site.as_deref() == Some("cross-site") {
        return false;
    }
    match referer(req).and_then(|r| url::Url::parse(&r).ok()) {
        Some(from) => {
            crate::config::origin(&from) == crate::config::origin(&state.config.public_url)
                || crate::auth::sso::datacite_site(state, &from)
        }
        // A typed address, a bookmark, an e-mail: as DataCite's did.
        None => true,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SignOutForm {
    /// Where to go afterwards (checked again: one of our pages, or one on DataCite's sites).
    #[schema(max_length = 2000)]
    pub back: Option<String>,
}

/// DataCite: sign out (the confirmation's form)
///
/// The button of `/sign-out`. Only our own page may post it.
#[utoipa::path(
    tag = "sign-in",
    request_body(content = SignOutForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Signed out, and to `back` (when allowed) or `/`."),
        (status = 403, description = "`cross_origin_request`: not posted by our own page.", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "`bad_request`: an unreadable form.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: a body beyond `MAX_BODY_BYTES`.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`: not a form (`application/x-www-form-urlencoded`).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_body`: `back` longer than 2000 characters.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sign_out")]
pub async fn sign_out_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignOutForm>,
) -> ApiResult<HttpResponse> {
    crate::auth::origin::check_form_post(&req, &state)?;
    if form.back.as_ref().is_some_and(|b| b.chars().count() > 2000) {
        return Err(crate::error::ApiError::new(
            crate::error::ErrorCode::InvalidBody,
            "back is at most 2000 characters.",
        )
        .with_field("back", "too long"));
    }
    let back = crate::auth::sso::sign_out_target(&state, form.back.as_deref());
    signed_out(&req, &state, &back).await
}

async fn signed_out(req: &HttpRequest, state: &AppState, back: &str) -> ApiResult<HttpResponse> {
    crate::auth::session::sign_out(state, &req.get_session()).await?;
    let mut response = see_other(back);
    if let Some(cookie) = crate::auth::sso::clear_datacite_cookie(state) {
        let _ = response.add_cookie(&cookie);
    }
    Ok(response)
}

/// DataCite: the settings page
#[utoipa::path(
    tag = "sign-in",
    responses((status = 308, description = "To `/settings`."))
)]
#[get("/settings/me")]
pub async fn settings_me() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/settings"))
        .finish()
}

/// DataCite: link an ORCID iD to a Google or GitHub sign-in
#[utoipa::path(
    tag = "sign-in",
    responses((status = 308, description = "To `/link-orcid`."))
)]
#[get("/link_orcid")]
pub async fn link_orcid() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/link-orcid"))
        .finish()
}

//! Where a browser request came from, and which requests we therefore refuse.
//!
//! Browsers say where a request came from twice: `Origin` (on every write, and on CORS reads) and
//! `Sec-Fetch-Site` (`same-origin`, `same-site`, `cross-site` or `none` for a typed address or a
//! bookmark). A program that is not a browser sends neither and carries no ambient cookie of ours,
//! so it cannot be tricked into acting for someone; a browser always sends one of the two on a
//! write, and at least `Sec-Fetch-Site` on a navigation (every current engine).
//!
//! `same-site` is refused as well as `cross-site`: under `make run` every other port of 127.0.0.1
//! is the same site, and in production so is every sibling subdomain.

use actix_web::http::{header, Method};
use actix_web::HttpRequest;

use crate::app::AppState;
use crate::error::{ApiError, ErrorCode};

const SEC_FETCH_SITE: &str = "sec-fetch-site";

/// What the browser told us about the request's origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// Our own pages (`Origin` is ours, or `Sec-Fetch-Site: same-origin`), or the person typed
    /// the address (`Sec-Fetch-Site: none`).
    Ours,
    /// Another origin: another site, a sibling subdomain or another port.
    Elsewhere,
    /// Neither header: not a browser (or one too old to say).
    Unstated,
}

fn header_str(req: &HttpRequest, name: impl header::AsHeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Where `req` came from, judged by `Origin` first and `Sec-Fetch-Site` second. `Referer` counts
/// only when `consider_referer` (navigations, which carry no `Origin`).
pub fn site_of(req: &HttpRequest, state: &AppState, consider_referer: bool) -> Site {
    let ours = crate::config::origin(&state.config.public_url);
    if let Some(origin) = header_str(req, header::ORIGIN) {
        return if origin == ours { Site::Ours } else { Site::Elsewhere };
    }
    match header_str(req, SEC_FETCH_SITE).map(str::to_ascii_lowercase).as_deref() {
        Some("same-origin" | "none") => return Site::Ours,
        Some(_) => return Site::Elsewhere,
        None => {}
    }
    if consider_referer {
        if let Some(referer) = header_str(req, header::REFERER).and_then(|r| url::Url::parse(r).ok()) {
            return if crate::config::origin(&referer) == ours {
                Site::Ours
            } else {
                Site::Elsewhere
            };
        }
    }
    Site::Unstated
}

fn cross_origin() -> ApiError {
    ApiError::new(
        ErrorCode::CrossOriginRequest,
        "This request came from another site and was refused. Start it from this service's own pages.",
    )
}

/// A write that a cookie authenticates (or that ends a session) must come from our own pages:
/// a foreign `Origin`, or `Sec-Fetch-Site` other than `same-origin`/`none`, is refused. Reads
/// (`GET`, `HEAD`, `OPTIONS`) pass.
pub fn check_cookie_write(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    match site_of(req, state, false) {
        Site::Elsewhere => Err(cross_origin()),
        Site::Ours | Site::Unstated => Ok(()),
    }
}

/// A form that starts a flow changing an account must be posted by our own page: a browser
/// always states where a form post came from, so "unstated" is refused too.
pub fn check_form_post(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    match site_of(req, state, false) {
        Site::Ours => Ok(()),
        Site::Elsewhere | Site::Unstated => Err(cross_origin()),
    }
}

/// A navigation (`GET`) that starts a flow changing an account: refused when the browser says
/// another site sent it (by `Sec-Fetch-Site`, or failing that by `Referer`).
pub fn check_navigation(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    match site_of(req, state, true) {
        Site::Elsewhere => Err(cross_origin()),
        Site::Ours | Site::Unstated => Ok(()),
    }
}

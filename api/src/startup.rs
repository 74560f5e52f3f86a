//! Builds the actix-web application around a bound listener (port 0 in tests).

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, App, HttpMessage, HttpRequest, HttpResponse, HttpServer, ResponseError};
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::{time, Key, SameSite};

pub use crate::app::AppState;
use crate::config::Config;
use crate::error::{ApiError, ErrorCode, PROBLEM_CONTENT_TYPE};
use crate::routes;

fn session_middleware(config: &Config, key: &Key) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
        .cookie_name(config.cookie_name(crate::auth::session::SESSION_COOKIE))
        .cookie_secure(config.cookies_secure())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(PersistentSession::default().session_ttl(time::Duration::seconds(
            i64::try_from(config.session_ttl.as_secs()).unwrap_or(1_209_600),
        )))
        .build()
}

/// The OpenAPI document, generated from the handlers' annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(routes::ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    let mut api = api;
    routes::declare_security(&mut api);
    api
}

/// Starts serving on `listener`; the returned server runs until stopped or signalled.
pub fn run(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let document = web::Data::new(openapi());
    let route_table = web::Data::new(RouteTable::from_openapi(document.get_ref()));
    let shutdown_timeout = state.config.shutdown_timeout.as_secs();
    // One HTTP worker per core and, between them, about as many threads for blocking work
    // (database calls, mostly) as the pool has connections: a request beyond that waits in its
    // worker's queue and is taken by the next thread to finish, where it used to get a thread of
    // its own that slept on the pool and was woken (context switches were the largest cost of a
    // read under load: 78 threads for 10 connections). Measured, the pool's size for each worker
    // instead (threads waiting on the pool again) put `/heartbeat`'s p99 at 96–114 ms, against
    // 15–20 ms split; a worker holding more keep-alive connections than the others gets its
    // share only.
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let blocking_threads = usize::try_from(state.config.database_pool_size)
        .unwrap_or(1)
        .div_ceil(workers)
        .max(1);
    let session_key = match &state.config.session_secret {
        Some(secret) => Key::derive_from(secret.expose()),
        None => {
            tracing::warn!("SESSION_SECRET is not set: sessions will not survive a restart");
            Key::generate()
        }
    };
    let web_ui = web::Data::new(crate::spa::WebUi::new(&state.config.web_ui_dir));
    let server = HttpServer::new(move || {
        let max_body = state.config.max_body_bytes;
        let (app, _) = App::new()
            .app_data(state.clone())
            .app_data(web_ui.clone())
            .app_data(route_table.clone())
            .app_data(json_config(max_body))
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(web::FormConfig::default().limit(max_body).error_handler(|err, _| {
                use actix_web::error::UrlencodedError;
                match err {
                    UrlencodedError::Overflow { .. } | UrlencodedError::UnknownLength => {
                        ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
                    }
                    UrlencodedError::ContentType => ApiError::new(
                        ErrorCode::UnsupportedMediaType,
                        "Send a form (application/x-www-form-urlencoded).",
                    ),
                    other => ApiError::new(ErrorCode::BadRequest, format!("The form could not be read: {other}")),
                }
                .into()
            }))
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                ApiError::new(ErrorCode::InvalidQuery, format!("The query string is not valid: {err}")).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|err, req| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("Nothing is found at {}: {err}", req.path()),
                )
                .into()
            }))
            // DataCite's `_datacite` cookie follows the session the request turned out to have.
            .wrap_fn(|req, srv| {
                use actix_web::dev::Service;
                let fut = srv.call(req);
                async move { crate::auth::sso::follow_session(fut.await?).await }
            })
            .wrap(session_middleware(&state.config, &session_key))
            .wrap(ErrorHandlers::new().default_handler(problem_for_bare_errors))
            .wrap_fn(|req, srv| {
                use actix_web::dev::Service;
                let started = std::time::Instant::now();
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    // The route's template keeps the label set bounded; anything unrouted (the
                    // SPA's pages, static files, 404s) counts as `unmatched`.
                    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
                    crate::metrics::http_request(
                        res.request().method().as_str(),
                        &route,
                        res.status().as_u16(),
                        started.elapsed(),
                    );
                    let id = res.request().extensions().get::<RequestId>().map(|id| id.to_string());
                    if let Some(id) = id.and_then(|id| header::HeaderValue::from_str(&id).ok()) {
                        res.headers_mut()
                            .insert(header::HeaderName::from_static("x-request-id"), id);
                    }
                    Ok(res)
                }
            })
            .wrap(security_headers(&state.config))
            .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
            .into_utoipa_app()
            .openapi(routes::ApiDoc::openapi())
            .configure(routes::configure)
            .split_for_parts();
        let app = app
            // The OpenAPI document, and the web UI's reference page that reads it (an
            // accessible viewer of our own, offline, under the same CSP as every page).
            .app_data(document.clone())
            .route("/api/openapi.json", web::get().to(openapi_json))
            .route("/api/docs", web::get().to(api_docs_page))
            .route(
                "/api/docs/",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header((header::LOCATION, "/api/docs"))
                        .finish()
                }),
            )
            .default_service(web::to(fallback));
        // Hashed asset names change with their content, so they may be cached for good.
        app.route("/assets/{name}", web::get().to(asset))
    })
    .workers(workers)
    .worker_max_blocking_threads(blocking_threads)
    .shutdown_timeout(shutdown_timeout)
    .listen(listener)?
    .run();
    Ok(server)
}

/// What a `profiles worker` serves on `WORKER_METRICS_PORT`: its own metrics, readiness and
/// liveness, for monitoring (the same handlers, and the same access rules, as `serve`'s).
pub fn run_operations(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let shutdown_timeout = state.config.shutdown_timeout.as_secs();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(ErrorHandlers::new().default_handler(problem_for_bare_errors))
            .wrap(security_headers(&state.config))
            .service(routes::health::heartbeat)
            .service(routes::health::readiness)
            .service(routes::health::metrics)
    })
    .workers(1)
    .shutdown_timeout(shutdown_timeout)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

/// The SPA and the API docs load only their own scripts (no inline script anywhere), so
/// `script-src 'self'` holds; styles allow inline attributes (components may set them). Over https,
/// browsers are told to use nothing else (HSTS).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: https:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
frame-ancestors 'none'";

fn security_headers(config: &Config) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY));
    if config.public_url.scheme() == "https" {
        headers.add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"))
    } else {
        headers
    }
}

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .content_type_required(true)
        .content_type(|mime| mime.subtype() == actix_web::mime::JSON || mime.suffix() == Some(actix_web::mime::JSON))
        .error_handler(move |err, _req| {
            use actix_web::error::JsonPayloadError as E;
            let problem = match &err {
                E::OverflowKnownLength { .. } | E::Overflow { .. } => ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    format!("The request body is larger than the {limit} bytes allowed."),
                ),
                E::ContentType => ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "Send the request body as JSON, with `Content-Type: application/json`.",
                ),
                E::Deserialize(e) if e.is_data() => ApiError::new(
                    ErrorCode::InvalidBody,
                    format!("The JSON body does not fit this endpoint: {e}"),
                ),
                E::Deserialize(e) => ApiError::new(
                    ErrorCode::InvalidJson,
                    format!("The request body is not valid JSON: {e}"),
                ),
                _ => ApiError::new(ErrorCode::UnreadableBody, "The request body could not be read."),
            };
            problem.into()
        })
}

/// Safety net: any error response that is not already problem details (actix's own 404, 413,
/// 400 …) is rewritten into problem details, so clients meet one error shape everywhere.
fn problem_for_bare_errors<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // Our own error bodies (problem details, DataCite's envelope on its compatibility routes, the
    // HTML pages of browser flows) stay as they are;
    // actix's bare text/plain (or empty) errors are rewritten.
    // The OpenID Provider's endpoints answer OAuth's own JSON errors (RFC 6749), as clients expect.
    let oauth = res.request().path().starts_with("/oauth/");
    let already = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        let v = v.as_bytes();
        v.starts_with(PROBLEM_CONTENT_TYPE.as_bytes())
            || v.starts_with(b"text/html")
            || v.starts_with(crate::compat::datacite::JSONAPI.as_bytes())
            || (oauth && v.starts_with(b"application/json"))
    });
    // Non-API pages (the SPA, OAuth browser redirects) render their own errors.
    if already || !res.status().is_client_error() && !res.status().is_server_error() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "Nothing is found at this address."),
        StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, "This method is not allowed here."),
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::PayloadTooLarge, "The request body is too large."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorCode::UnsupportedMediaType,
            "The request body has a content type this endpoint does not accept.",
        ),
        s if s.is_server_error() => (
            ErrorCode::InternalError,
            "Something went wrong on our side. Please try again.",
        ),
        _ => (ErrorCode::BadRequest, "The request could not be understood."),
    };
    let mut error = ApiError::new(code, detail);
    if let Some(allow) = res.headers().get(header::ALLOW).and_then(|v| v.to_str().ok()) {
        error = error.with_header(header::ALLOW, allow);
    }
    let mut response = error.error_response();
    *response.status_mut() = status;
    let (req, _) = res.into_parts();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

/// `GET /api/openapi.json`: the document the handlers' annotations make.
async fn openapi_json(document: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(document.get_ref())
}

/// `GET /api/docs`: the web UI's API reference (a page of the SPA).
async fn api_docs_page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    spa_file(&req, &state.config.web_ui_dir, "/")
}

/// `GET /assets/{name}`: a hashed asset of the web UI, from memory.
async fn asset(
    req: HttpRequest,
    web_ui: web::Data<crate::spa::WebUi>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    web_ui
        .asset(&req, &name)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("There is no asset {:?}.", name.as_str())))
}

/// Anything no route matched: 405 for a known path with another method, 404 for API paths,
/// and otherwise the SPA (a deep link falls back to `index.html`).
async fn fallback(
    req: HttpRequest,
    state: web::Data<AppState>,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if let Some(allowed) = routes.methods_for(path) {
        if !allowed.contains(req.method()) {
            let allow = allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
            return Err(ApiError::new(
                ErrorCode::MethodNotAllowed,
                format!("{} is not allowed on {path}; use {allow}.", req.method()),
            )
            .with_header(header::ALLOW, allow));
        }
    }
    let reserved = ["/api", "/auth", "/oauth", "/.well-known", "/heartbeat", "/assets"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if reserved || !(req.method() == Method::GET || req.method() == Method::HEAD) {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("No route matches {} {path}.", req.method()),
        ));
    }
    spa_file(&req, &state.config.web_ui_dir, path)
}

fn spa_file(req: &HttpRequest, dir: &Path, path: &str) -> Result<HttpResponse, ApiError> {
    // A top-level static file (favicon, robots.txt …); never anything with a dot-segment.
    let name = path.trim_start_matches('/');
    let is_plain_file = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    let candidate: PathBuf = dir.join(name);
    if is_plain_file && candidate.is_file() && name != "index.html" {
        let file = NamedFile::open(candidate).map_err(ApiError::internal)?;
        let mut res = file.into_response(req);
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("public, max-age=3600"),
        );
        return Ok(res);
    }
    if let Some(web_ui) = req.app_data::<web::Data<crate::spa::WebUi>>() {
        if let Some(page) = web_ui.index(req) {
            return Ok(page);
        }
    }
    let index = dir.join("index.html");
    if !index.is_file() {
        return Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Profiles</title></head>\
<body><main><h1>Profiles</h1><p>The web UI has not been built. Run <code>make run</code>, \
or read the <a href=\"/api/openapi.json\">OpenAPI document</a>.</p></main></body></html>",
        ));
    }
    let file = NamedFile::open(index).map_err(ApiError::internal)?;
    let mut res = file.use_etag(true).use_last_modified(true).into_response(req);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-cache"));
    Ok(res)
}

/// Paths and methods from the OpenAPI document, to tell 405 from 404.
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<Method>)>,
}

impl RouteTable {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.trim_matches('/').split('/').map(str::to_owned).collect();
                let mut methods = Vec::new();
                let ops = [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ];
                for (op, method) in ops {
                    if op.is_some() {
                        methods.push(method);
                    }
                }
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods documented for the first template that matches `path`.
    pub fn methods_for(&self, path: &str) -> Option<Vec<Method>> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut found: Option<Vec<Method>> = None;
        for (template, methods) in &self.routes {
            let matches = template.len() == parts.len()
                && template
                    .iter()
                    .zip(&parts)
                    .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p);
            if matches {
                found.get_or_insert_with(Vec::new).extend(methods.iter().cloned());
            }
        }
        found
    }
}

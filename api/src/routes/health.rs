//! Liveness and status for load balancers, operators and the SPA.

use actix_web::{get, http::header, web, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};

/// Heartbeat
///
/// Answers `OK` as plain text when the service can reach PostgreSQL, the one thing it cannot work
/// without; otherwise 503 with the reason. Same contract as DataCite's `/heartbeat`.
#[utoipa::path(
    tag = "status",
    responses(
        (status = 200, description = "The service and its database are up.", body = String, content_type = "text/plain", example = "OK"),
        (status = 503, description = "PostgreSQL is unreachable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/heartbeat")]
pub async fn heartbeat(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    crate::db::run(&state.pool, |conn| {
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    })
    .await
    .map_err(|e| {
        ApiError::new(ErrorCode::DatabaseUnavailable, "PostgreSQL is unreachable.")
            .with_source(e)
            .with_header(header::RETRY_AFTER, "5")
    })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/plain; charset=utf-8")
        .body("OK"))
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseState {
    Ok,
    Unavailable,
}

/// What an operator wants to see at a glance.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Status {
    /// The running version of Profiles.
    #[schema(example = "0.1.0")]
    pub version: String,
    /// Whether PostgreSQL answers.
    pub database: DatabaseState,
    /// Jobs waiting in the queue; absent when the database is unavailable.
    pub queue_depth: Option<i64>,
}

/// Service status
///
/// Version, database state and queue depth. Always 200 while the process runs, so the
/// database state can be read even when it is down (use `/heartbeat` for health checks).
#[utoipa::path(
    tag = "status",
    responses((status = 200, description = "The service status.", body = Status))
)]
#[get("/api/v1/status")]
pub async fn status(state: web::Data<AppState>) -> HttpResponse {
    let depth = crate::db::run(&state.pool, |conn| Ok(crate::jobs::depth(conn)?)).await;
    let (database, queue_depth) = match depth {
        Ok(n) => (DatabaseState::Ok, Some(n)),
        Err(_) => (DatabaseState::Unavailable, None),
    };
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Status {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            database,
            queue_depth,
        })
}

/// Whether this process should get traffic.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: String,
}

/// Readiness
///
/// For load balancers and orchestrators: 200 when this process can serve, that is when PostgreSQL
/// answers and its schema has every migration this build expects. Otherwise 503 with code
/// `not_ready`, and in `errors` the failed checks: `database` (unreachable) or `migrations`
/// (naming those not yet applied: run `profiles migrate`, or start one `serve` without
/// `--no-migrate`). Liveness is `/heartbeat`, which keeps DataCite's plain `OK`.
#[utoipa::path(
    tag = "status",
    responses(
        (status = 200, description = "Ready: the database answers and is migrated.", body = Readiness),
        (status = 503, description = "Not ready; `errors` names the failed checks (`database`, `migrations`).", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u32, description = "Seconds to wait before asking again."))),
    )
)]
#[get("/readyz")]
pub async fn readiness(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let pending = crate::db::run(&state.pool, |conn| {
        crate::db::pending_migrations(conn).map_err(|e| ApiError::new(ErrorCode::InternalError, e.to_string()))
    })
    .await;
    let not_ready =
        ApiError::new(ErrorCode::NotReady, "This process cannot serve yet.").with_header(header::RETRY_AFTER, "5");
    match pending {
        Ok(p) if p.is_empty() => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(Readiness { status: "ready".into() })),
        Ok(p) => Err(not_ready.with_field("migrations", format!("Not applied yet: {}.", p.join(", ")))),
        Err(e) => Err(not_ready
            .with_field("database", "PostgreSQL is unreachable.")
            .with_source(e)),
    }
}

/// Prometheus metrics
///
/// The text exposition format (version 0.0.4): requests by route and status with latency
/// histograms, calls to ORCID and DataCite by status with latency, rate-limit waits and jobs run
/// (all of this process); claims by state, queue depth and the oldest ready job's age, failed
/// jobs, active sessions and the DataCite poller's lag (read from the database, the same on every
/// process).
///
/// Closed unless configured: a scraper presents `METRICS_TOKEN` as a bearer token, or comes from
/// an address in `METRICS_ALLOWED_NETWORKS`. Without either setting the route answers 404.
#[utoipa::path(
    tag = "status",
    responses(
        (status = 200, description = "The metrics.", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "Metrics are enabled, and the request carries neither the metrics token nor comes from an allowed network (a person's session, JWT or API token is no metrics credential).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Metrics are not enabled on this service.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn metrics(req: actix_web::HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    if !state.config.metrics.enabled() {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "Metrics are not enabled on this service.",
        ));
    }
    let actor = crate::policy::Actor {
        credential: crate::metrics::scraper(&req, &state.config),
        ..crate::policy::Actor::ANONYMOUS
    };
    crate::policy::decide(
        actor,
        crate::policy::Surface::Api,
        crate::policy::Action::ReadMetrics,
        None,
    )
    .map_err(|d| {
        crate::auth::session::denial_error(d).with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")
    })?;
    let now = state.clock.now();
    let snapshot = crate::db::run(&state.pool, move |conn| Ok(crate::metrics::snapshot(conn, now)?))
        .await
        .ok();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(crate::metrics::render(snapshot.as_ref())))
}

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

//! The background worker: which job kinds exist and what runs them.

use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use futures_util::FutureExt;
use serde_json::json;
use tokio::sync::watch;

use crate::db::schema::{auth_states, pending_signups};
use crate::db::DbPool;
use crate::jobs::{self, JobError, NewJob, Worker, WorkerOptions};

pub const PURGE_EXPIRED: &str = "maintenance.purge_expired";

/// Deletes OAuth states and pending sign-ups whose time is up.
pub fn purge_expired(conn: &mut PgConnection) -> QueryResult<usize> {
    let now = diesel::dsl::now;
    let states = diesel::delete(auth_states::table.filter(auth_states::expires_at.lt(now))).execute(conn)?;
    let signups = diesel::delete(pending_signups::table.filter(pending_signups::expires_at.lt(now))).execute(conn)?;
    Ok(states + signups)
}

pub fn build(pool: DbPool, options: WorkerOptions) -> Worker {
    let purge_pool = pool.clone();
    Worker::new(pool, options).handle(
        PURGE_EXPIRED,
        Arc::new(move |_job| {
            let pool = purge_pool.clone();
            async move {
                tokio::task::spawn_blocking(move || {
                    let mut conn = pool.get().map_err(|e| JobError::retry(e.to_string()))?;
                    let n = purge_expired(&mut conn).map_err(|e| JobError::retry(e.to_string()))?;
                    tracing::debug!(purged = n, "purged expired auth states");
                    Ok(())
                })
                .await
                .map_err(|e| JobError::retry(e.to_string()))?
            }
            .boxed()
        }),
    )
}

/// Queues periodic maintenance; the dedup key keeps one pending copy however many
/// processes run this.
async fn schedule(pool: DbPool, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        let p = pool.clone();
        let _ = tokio::task::spawn_blocking(move || -> Result<(), String> {
            let mut conn = p.get().map_err(|e| e.to_string())?;
            jobs::enqueue(
                &mut conn,
                NewJob::new(PURGE_EXPIRED, json!({}))
                    .dedup(PURGE_EXPIRED)
                    .max_attempts(3),
            )
            .map_err(|e| e.to_string())?;
            Ok(())
        })
        .await;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(300)) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Runs the worker and its scheduler until `shutdown` turns true.
pub async fn run(pool: DbPool, shutdown: watch::Receiver<bool>) {
    let worker = build(pool.clone(), WorkerOptions::default());
    tokio::join!(worker.run(shutdown.clone()), schedule(pool, shutdown));
}

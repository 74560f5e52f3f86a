//! The background worker: which job kinds exist and what runs them.

use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use futures_util::FutureExt;
use serde_json::json;
use tokio::sync::watch;

use crate::claims::backfill::BACKFILL_JOB;
use crate::claims::intake::{DOI_EVENT_BATCH, DOI_EVENT_JOB, POLL_JOB};
use crate::claims::process::Engine;
use crate::claims::reconcile::{RECONCILE_JOB, RECONCILE_SWEEP_JOB};
use crate::claims::store::PUSH_JOB;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::schema::{auth_states, pending_signups};
use crate::db::DbPool;
use crate::jobs::{self, JobError, NewJob, Worker, WorkerOptions};
use crate::notifications::send::Notifier;
use crate::notifications::{SEND_JOB, SWEEP_JOB};

pub const PURGE_EXPIRED: &str = "maintenance.purge_expired";

/// Deletes OAuth states and pending sign-ups whose time is up at `now`, and the OpenID
/// Provider's spent codes, lapsed refresh tokens and long-revoked sign-ins.
pub fn purge_expired(conn: &mut PgConnection, now: chrono::DateTime<chrono::Utc>) -> QueryResult<usize> {
    let states = diesel::delete(auth_states::table.filter(auth_states::expires_at.lt(now))).execute(conn)?;
    let signups = diesel::delete(pending_signups::table.filter(pending_signups::expires_at.lt(now))).execute(conn)?;
    let limits = crate::ratelimit::purge(conn, now)?;
    let oauth = crate::clients::tokens::purge(conn, now)?;
    Ok(states + signups + limits + oauth)
}

/// The notifier the worker of `config` runs, sharing `engine`'s ORCID client and rate limit.
pub fn notifier(pool: DbPool, config: &Config, engine: &Engine) -> Notifier {
    let providers = Arc::new(crate::auth::providers::Providers::new(config));
    Notifier::new(pool, config, engine.orcid.clone(), providers, engine.clock.clone())
}

pub fn build(pool: DbPool, engine: Engine, notifier: Notifier, options: WorkerOptions) -> Worker {
    let (send, sweeper) = (notifier.clone(), notifier);
    let purge_pool = pool.clone();
    let purge_clock = options.clock.clone();
    let (push, event, poll, reconcile, sweep, backfill) = (
        engine.clone(),
        engine.clone(),
        engine.clone(),
        engine.clone(),
        engine.clone(),
        engine,
    );
    Worker::new(pool, options)
        .handle(
            PURGE_EXPIRED,
            Arc::new(move |_job| {
                let pool = purge_pool.clone();
                let now = purge_clock.now();
                async move {
                    tokio::task::spawn_blocking(move || {
                        let mut conn = pool.get().map_err(|e| JobError::retry(e.to_string()))?;
                        let n = purge_expired(&mut conn, now).map_err(|e| JobError::retry(e.to_string()))?;
                        tracing::debug!(purged = n, "purged expired auth states");
                        Ok(())
                    })
                    .await
                    .map_err(|e| JobError::retry(e.to_string()))?
                }
                .boxed()
            }),
        )
        .handle(
            PUSH_JOB,
            Arc::new(move |job| {
                let engine = push.clone();
                async move { engine.process(&job).await }.boxed()
            }),
        )
        .handle_batch(
            DOI_EVENT_JOB,
            DOI_EVENT_BATCH,
            Arc::new(move |jobs| {
                let engine = event.clone();
                async move {
                    let payloads: Vec<serde_json::Value> = jobs.into_iter().map(|job| job.payload).collect();
                    engine.doi_events(&payloads).await
                }
                .boxed()
            }),
        )
        .handle(
            POLL_JOB,
            Arc::new(move |_job| {
                let engine = poll.clone();
                async move { engine.poll().await }.boxed()
            }),
        )
        .handle(
            RECONCILE_JOB,
            Arc::new(move |job| {
                let engine = reconcile.clone();
                async move { engine.reconcile_job(&job.payload).await }.boxed()
            }),
        )
        .handle(
            BACKFILL_JOB,
            Arc::new(move |job| {
                let engine = backfill.clone();
                async move { engine.backfill_job(&job.payload).await }.boxed()
            }),
        )
        .handle(
            SEND_JOB,
            Arc::new(move |job| {
                let notifier = send.clone();
                async move { notifier.send_job(&job.payload).await }.boxed()
            }),
        )
        .handle(
            SWEEP_JOB,
            Arc::new(move |_job| {
                let notifier = sweeper.clone();
                async move { notifier.sweep().await.map(|_| ()) }.boxed()
            }),
        )
        .handle(
            RECONCILE_SWEEP_JOB,
            Arc::new(move |_job| {
                let engine = sweep.clone();
                async move {
                    match engine.config.reconcile_interval {
                        Some(every) => engine.reconcile_sweep(every).await,
                        None => Ok(()),
                    }
                }
                .boxed()
            }),
        )
}

/// Queues a periodic job every `every`; the dedup key keeps one pending copy however many
/// processes run this.
async fn schedule(pool: DbPool, kind: &'static str, every: Duration, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        let p = pool.clone();
        let _ = tokio::task::spawn_blocking(move || -> Result<(), String> {
            let mut conn = p.get().map_err(|e| e.to_string())?;
            jobs::enqueue(&mut conn, NewJob::new(kind, json!({})).dedup(kind).max_attempts(3))
                .map_err(|e| e.to_string())?;
            Ok(())
        })
        .await;
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => {}
        }
    }
}

pub fn options(config: &Config, clock: Clock) -> WorkerOptions {
    WorkerOptions {
        clock,
        lease: config.worker.lease,
        poll_interval: config.worker.poll_interval,
        batch: config.worker.concurrency,
        shutdown_grace: config.shutdown_timeout,
        ..WorkerOptions::default()
    }
}

/// Runs the worker and its schedulers until `shutdown` turns true.
pub async fn run(pool: DbPool, config: Arc<Config>, shutdown: watch::Receiver<bool>) {
    let clock = Clock::system();
    let engine = Engine::new(pool.clone(), &config, clock.clone());
    let notify = notifier(pool.clone(), &config, &engine);
    let app = Arc::new(crate::app::AppState::with_clock(
        pool.clone(),
        config.clone(),
        clock.clone(),
    ));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let worker = build(pool.clone(), engine, notify, options(&config, clock)).handle(
        crate::clients::tokens::BACKCHANNEL_JOB,
        Arc::new(move |job| {
            let (app, http) = (app.clone(), http.clone());
            async move { crate::clients::oidc::backchannel_logout(&app, &http, &job.payload).await }.boxed()
        }),
    );
    let purge = schedule(pool.clone(), PURGE_EXPIRED, Duration::from_secs(300), shutdown.clone());
    let poll = async {
        if let Some(every) = config.claims.poll_interval {
            schedule(pool.clone(), POLL_JOB, every, shutdown.clone()).await;
        }
    };
    // Hourly, the records not read within RECONCILE_INTERVAL_HOURS are queued for reading.
    let reconcile = async {
        if config.claims.reconcile_interval.is_some() {
            schedule(
                pool.clone(),
                RECONCILE_SWEEP_JOB,
                Duration::from_secs(3600),
                shutdown.clone(),
            )
            .await;
        }
    };
    // Waiting claims are gathered into inbox notifications (when on) and expire.
    let notifications = schedule(
        pool.clone(),
        SWEEP_JOB,
        config.claims.notifications.sweep,
        shutdown.clone(),
    );
    tokio::join!(worker.run(shutdown.clone()), purge, poll, reconcile, notifications);
}

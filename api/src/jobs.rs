//! The PostgreSQL-backed job queue and the worker loop that drains it.
//!
//! Any number of worker processes, on any number of machines, share the `jobs` table. A worker
//! takes ready jobs with `FOR UPDATE SKIP LOCKED` and stamps a lease (`locked_until`); a job whose
//! worker died becomes ready again when its lease runs out. Failures are retried with exponential
//! backoff and jitter until `max_attempts`, after which the job is kept as `failed`, never dropped.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use futures_util::future::BoxFuture;
use rand::Rng;
use serde_json::Value;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::db::schema::jobs;
use crate::db::DbPool;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = jobs)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    pub state: String,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub dedup_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = jobs)]
pub struct NewJob {
    pub kind: String,
    pub payload: Value,
    /// `None`: as soon as possible (the column's default, the database's now).
    pub run_at: Option<DateTime<Utc>>,
    pub max_attempts: i32,
    pub dedup_key: Option<String>,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: Value) -> Self {
        Self {
            kind: kind.into(),
            payload,
            run_at: None,
            max_attempts: 10,
            dedup_key: None,
        }
    }
    pub fn dedup(mut self, key: impl Into<String>) -> Self {
        self.dedup_key = Some(key.into());
        self
    }
    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }
    pub fn max_attempts(mut self, n: i32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
}

/// Queues a job. With a dedup key, a job already pending under that key absorbs this one
/// (its `run_at` moves earlier if needed); returns the id of the pending job either way.
pub fn enqueue(conn: &mut PgConnection, job: NewJob) -> QueryResult<i64> {
    if job.dedup_key.is_some() {
        diesel::insert_into(jobs::table)
            .values(&job)
            .on_conflict(jobs::dedup_key)
            .filter_target(jobs::state.eq("pending").and(jobs::dedup_key.is_not_null()))
            .do_update()
            .set(jobs::run_at.eq(diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
                "LEAST(jobs.run_at, excluded.run_at)",
            )))
            .returning(jobs::id)
            .get_result(conn)
    } else {
        diesel::insert_into(jobs::table)
            .values(&job)
            .returning(jobs::id)
            .get_result(conn)
    }
}

/// Takes up to `limit` jobs of the given kinds that are ready at `now` and leases them to
/// `worker` for `lease`.
pub fn claim(
    conn: &mut PgConnection,
    worker: &str,
    kinds: &[String],
    lease: Duration,
    limit: i64,
    now: DateTime<Utc>,
) -> QueryResult<Vec<Job>> {
    diesel::sql_query(
        "UPDATE jobs SET locked_by = $1, locked_until = $5 + make_interval(secs => $2), attempts = attempts + 1
         WHERE id IN (
             SELECT id FROM jobs
             WHERE state = 'pending' AND run_at <= $5 AND kind = ANY($3)
               AND (locked_until IS NULL OR locked_until < $5)
             ORDER BY run_at, id
             LIMIT $4
             FOR UPDATE SKIP LOCKED)
         RETURNING *",
    )
    .bind::<Text, _>(worker)
    .bind::<Integer, _>(i32::try_from(lease.as_secs()).unwrap_or(i32::MAX))
    .bind::<diesel::sql_types::Array<Text>, _>(kinds)
    .bind::<BigInt, _>(limit)
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .load(conn)
}

/// Marks a job done, but only while this worker still holds its lease.
pub fn complete(conn: &mut PgConnection, id: i64, worker: &str, now: DateTime<Utc>) -> QueryResult<bool> {
    Ok(complete_all(conn, &[id], worker, now)? == 1)
}

/// Marks jobs done in one statement, those this worker still holds; returns how many it held.
pub fn complete_all(conn: &mut PgConnection, ids: &[i64], worker: &str, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        jobs::table
            .filter(jobs::id.eq_any(ids))
            .filter(jobs::locked_by.eq(worker)),
    )
    .set((
        jobs::state.eq("done"),
        jobs::finished_at.eq(now),
        jobs::locked_by.eq(None::<String>),
        jobs::locked_until.eq(None::<DateTime<Utc>>),
        jobs::last_error.eq(None::<String>),
    ))
    .execute(conn)
}

/// Records a failure: retried after `retry_in`, or `failed` for good once the attempts run out
/// or when the error is permanent.
pub fn fail(
    conn: &mut PgConnection,
    job: &Job,
    worker: &str,
    error: &JobError,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let exhausted = !error.retry || job.attempts >= job.max_attempts;
    let target = jobs::table
        .filter(jobs::id.eq(job.id))
        .filter(jobs::locked_by.eq(worker));
    let message = truncate(&error.message, 2000);
    let n = if exhausted {
        diesel::update(target)
            .set((
                jobs::state.eq("failed"),
                jobs::finished_at.eq(now),
                jobs::locked_by.eq(None::<String>),
                jobs::locked_until.eq(None::<DateTime<Utc>>),
                jobs::last_error.eq(message),
            ))
            .execute(conn)?
    } else {
        let delay = error.retry_after.unwrap_or_else(|| backoff(job.attempts));
        let run_at = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
        diesel::update(target)
            .set((
                jobs::run_at.eq(run_at),
                jobs::locked_by.eq(None::<String>),
                jobs::locked_until.eq(None::<DateTime<Utc>>),
                jobs::last_error.eq(message),
            ))
            .execute(conn)?
    };
    Ok(n == 1)
}

/// Gives back every lease `worker` still holds (a worker stopping with jobs unfinished): the jobs
/// are ready for another worker at once instead of when the lease would have run out, and the
/// interrupted attempt is not counted.
pub fn release_leases(conn: &mut PgConnection, worker: &str) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE jobs SET locked_by = NULL, locked_until = NULL, attempts = GREATEST(attempts - 1, 0)
         WHERE locked_by = $1 AND state = 'pending'",
    )
    .bind::<Text, _>(worker)
    .execute(conn)
}

/// Jobs waiting to run (ready now or later).
pub fn depth(conn: &mut PgConnection) -> QueryResult<i64> {
    jobs::table.filter(jobs::state.eq("pending")).count().get_result(conn)
}

/// Exponential backoff with full jitter: ~2s, 4s, 8s … capped at one hour.
pub fn backoff(attempt: i32) -> Duration {
    let exp = attempt.clamp(1, 12) as u32;
    let ceiling = (2u64.pow(exp)).min(3600) as f64;
    let jittered = rand::thread_rng().gen_range(ceiling * 0.5..=ceiling);
    Duration::from_secs_f64(jittered)
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Why a job did not finish.
#[derive(Debug, Clone)]
pub struct JobError {
    pub message: String,
    /// False for errors that another attempt cannot fix.
    pub retry: bool,
    /// Overrides the backoff (e.g. a `Retry-After` from upstream).
    pub retry_after: Option<Duration>,
}

impl JobError {
    pub fn retry(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retry: true,
            retry_after: None,
        }
    }
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retry: false,
            retry_after: None,
        }
    }
}

pub type Handler = Arc<dyn Fn(Job) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync>;

/// Runs many jobs of one kind together; answers one outcome per job, in the jobs' order.
pub type BatchHandler = Arc<dyn Fn(Vec<Job>) -> BoxFuture<'static, Vec<Result<(), JobError>>> + Send + Sync>;

#[derive(Clone)]
pub struct WorkerOptions {
    pub id: String,
    pub lease: Duration,
    pub poll_interval: Duration,
    pub batch: i64,
    /// How long jobs already running may take to finish once shutdown is asked for; then they
    /// are dropped and their leases given back.
    pub shutdown_grace: Duration,
    /// When jobs are ready and leases end.
    pub clock: Clock,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            id: format!("{}-{}", hostname(), uuid::Uuid::new_v4().simple()),
            lease: Duration::from_secs(120),
            poll_interval: Duration::from_millis(500),
            batch: 8,
            shutdown_grace: Duration::from_secs(30),
            clock: Clock::system(),
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "worker".into())
}

/// Resolves `grace` after `shutdown` turns true (never, while it stays false).
async fn grace_over(mut shutdown: watch::Receiver<bool>, grace: Duration) {
    while !*shutdown.borrow() {
        if shutdown.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
    tokio::time::sleep(grace).await;
}

/// The channel a trigger on `jobs` notifies at each insert.
pub const WAKE_CHANNEL: &str = "profiles_jobs";

/// How often the listening connection is asked for notifications (it cannot block: diesel reads
/// them without waiting), so a worker wakes at most this long after a job is queued.
const LISTEN_EVERY: Duration = Duration::from_millis(5);

/// Wakes `wake` whenever a job is queued: one connection of `pool`, kept in a thread of its own,
/// `LISTEN`s on [`WAKE_CHANNEL`]. If the connection is lost it is taken again; meanwhile the
/// worker still polls.
fn listen_for_jobs(pool: DbPool, wake: Arc<tokio::sync::Notify>, shutdown: watch::Receiver<bool>) {
    let spawned = std::thread::Builder::new().name("job-listener".into()).spawn(move || {
        while !*shutdown.borrow() {
            let Ok(mut conn) = pool.get() else {
                std::thread::park_timeout(Duration::from_secs(1));
                continue;
            };
            if diesel::sql_query(format!("LISTEN {WAKE_CHANNEL}"))
                .execute(&mut **conn)
                .is_err()
            {
                std::thread::park_timeout(Duration::from_secs(1));
                continue;
            }
            'listening: while !*shutdown.borrow() {
                let mut woke = false;
                for received in conn.notifications_iter() {
                    match received {
                        Ok(_) => woke = true,
                        Err(_) => break 'listening,
                    }
                }
                if woke {
                    wake.notify_one();
                }
                // A thread of its own, outside the runtime: waiting here blocks nothing else.
                std::thread::park_timeout(LISTEN_EVERY);
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "no job listener: the worker polls only");
    }
}

/// Drains the queue until `shutdown` turns true. Jobs of one batch run concurrently.
pub struct Worker {
    pool: DbPool,
    handlers: HashMap<String, Handler>,
    /// Kinds whose jobs are taken up to `max` at a time and run by one call.
    batches: HashMap<String, (BatchHandler, i64)>,
    options: WorkerOptions,
}

impl Worker {
    pub fn new(pool: DbPool, options: WorkerOptions) -> Self {
        Self {
            pool,
            handlers: HashMap::new(),
            batches: HashMap::new(),
            options,
        }
    }

    pub fn handle(mut self, kind: impl Into<String>, handler: Handler) -> Self {
        self.handlers.insert(kind.into(), handler);
        self
    }

    /// Jobs of `kind` run together: when a pick-up takes one, the worker takes up to `max` of that
    /// kind that are ready, and `handler` runs at most `max` of them in one call (one upstream request and one
    /// transaction for many, where a job each would pay for its own). Each job keeps its own
    /// outcome, attempts and backoff.
    pub fn handle_batch(mut self, kind: impl Into<String>, max: i64, handler: BatchHandler) -> Self {
        self.batches.insert(kind.into(), (handler, max.max(1)));
        self
    }

    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let kinds: Vec<String> = self.handlers.keys().chain(self.batches.keys()).cloned().collect();
        let wake = Arc::new(tokio::sync::Notify::new());
        listen_for_jobs(self.pool.clone(), wake.clone(), shutdown.clone());
        tracing::info!(worker = %self.options.id, ?kinds, "worker started");
        while !*shutdown.borrow() {
            // Jobs under way finish, within the grace once shutdown is asked for.
            let outcome = tokio::select! {
                outcome = self.tick(&kinds) => Some(outcome),
                () = grace_over(shutdown.clone(), self.options.shutdown_grace) => None,
            };
            let Some(outcome) = outcome else {
                tracing::warn!(worker = %self.options.id, "jobs were still running at the end of the shutdown grace");
                break;
            };
            let took = match outcome {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "worker could not reach the queue");
                    0
                }
            };
            if took == 0 {
                // Until the next poll, or sooner: new work, or the end.
                tokio::select! {
                    _ = tokio::time::sleep(self.options.poll_interval) => {}
                    _ = wake.notified() => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
        let (pool, id) = (self.pool.clone(), self.options.id.clone());
        let released = tokio::task::spawn_blocking(move || -> Result<usize, String> {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            release_leases(&mut conn, &id).map_err(|e| e.to_string())
        })
        .await;
        match released {
            Ok(Ok(n)) => tracing::info!(worker = %self.options.id, released_leases = n, "worker stopped"),
            Ok(Err(e)) => {
                tracing::warn!(worker = %self.options.id, error = %e, "worker stopped; its leases run out by themselves")
            }
            Err(e) => {
                tracing::warn!(worker = %self.options.id, error = %e, "worker stopped; its leases run out by themselves")
            }
        }
    }

    /// Claims one batch and runs it; returns how many jobs ran.
    pub async fn tick(&self, kinds: &[String]) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
        let pool = self.pool.clone();
        let (worker, lease, batch) = (self.options.id.clone(), self.options.lease, self.options.batch);
        let now = self.options.clock.now();
        let kinds_owned = kinds.to_vec();
        let batched: Vec<(String, i64)> = self.batches.iter().map(|(k, (_, max))| (k.clone(), *max)).collect();
        let jobs =
            tokio::task::spawn_blocking(move || -> Result<Vec<Job>, Box<dyn std::error::Error + Send + Sync>> {
                let mut conn = pool.get()?;
                let mut jobs = claim(&mut conn, &worker, &kinds_owned, lease, batch, now)?;
                // A kind run in batches: as many more of it as a batch holds.
                for (kind, max) in &batched {
                    let taken = jobs.iter().filter(|j| &j.kind == kind).count();
                    let more = *max - i64::try_from(taken).unwrap_or(i64::MAX);
                    if taken > 0 && more > 0 {
                        jobs.extend(claim(&mut conn, &worker, std::slice::from_ref(kind), lease, more, now)?);
                    }
                }
                Ok(jobs)
            })
            .await??;
        let n = jobs.len();
        let (mut singles, mut grouped): (Vec<Job>, HashMap<String, Vec<Job>>) = (Vec::new(), HashMap::new());
        for job in jobs {
            if self.batches.contains_key(&job.kind) {
                grouped.entry(job.kind.clone()).or_default().push(job);
            } else {
                singles.push(job);
            }
        }
        let singles = futures_util::future::join_all(singles.into_iter().map(|job| self.run_one(job)));
        // A pick-up may have taken more of a kind than its batch holds: then several batches.
        let batches: Vec<(String, Vec<Job>)> = grouped
            .into_iter()
            .flat_map(|(kind, jobs)| {
                let max = self
                    .batches
                    .get(&kind)
                    .map_or(1, |(_, max)| usize::try_from(*max).unwrap_or(1));
                jobs.chunks(max).map(|c| (kind.clone(), c.to_vec())).collect::<Vec<_>>()
            })
            .collect();
        let groups = futures_util::future::join_all(batches.into_iter().map(|(kind, jobs)| self.run_batch(kind, jobs)));
        futures_util::future::join(singles, groups).await;
        Ok(n)
    }

    async fn run_batch(&self, kind: String, jobs: Vec<Job>) {
        use tracing::Instrument;
        let Some((handler, _)) = self.batches.get(&kind).cloned() else {
            return;
        };
        let span = tracing::info_span!("jobs", kind = %kind, n = jobs.len());
        async move {
            let mut outcomes = handler(jobs.clone()).await;
            if outcomes.len() != jobs.len() {
                tracing::error!(
                    outcomes = outcomes.len(),
                    "a batch handler answered for a different number of jobs"
                );
                outcomes = vec![Err(JobError::retry("the batch gave no outcome for this job")); jobs.len()];
            }
            let outcomes: Vec<(Job, Result<(), JobError>)> = jobs.into_iter().zip(outcomes).collect();
            self.record(outcomes).await;
        }
        .instrument(span)
        .await;
    }

    async fn run_one(&self, job: Job) {
        use tracing::Instrument;
        // Instrumented, not entered: jobs run side by side, and an entered span held across an
        // await would nest one job's log lines under another's.
        let span = tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
        self.run_in_span(job).instrument(span).await;
    }

    async fn run_in_span(&self, job: Job) {
        let Some(handler) = self.handlers.get(&job.kind).cloned() else {
            return;
        };
        let outcome = handler(job.clone()).await;
        self.record(vec![(job, outcome)]).await;
    }

    /// Marks each job done, or failed (to be retried or for good), while this worker holds it.
    async fn record(&self, outcomes: Vec<(Job, Result<(), JobError>)>) {
        for (job, outcome) in &outcomes {
            let counted = match outcome {
                Ok(()) => "done",
                Err(e) if e.retry && job.attempts < job.max_attempts => "retry",
                Err(_) => "failed",
            };
            crate::metrics::job(&job.kind, counted);
        }
        let pool = self.pool.clone();
        let worker = self.options.id.clone();
        let now = self.options.clock.now();
        let result = tokio::task::spawn_blocking(move || -> QueryResult<usize> {
            let mut conn = pool.get().map_err(|e| {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ClosedConnection,
                    Box::new(e.to_string()),
                )
            })?;
            let done: Vec<i64> = outcomes.iter().filter(|(_, o)| o.is_ok()).map(|(j, _)| j.id).collect();
            let mut lost = done.len().saturating_sub(complete_all(&mut conn, &done, &worker, now)?);
            for (job, outcome) in &outcomes {
                if let Err(e) = outcome {
                    tracing::warn!(job = job.id, error = %e.message, retry = e.retry, "job failed");
                    lost += usize::from(!fail(&mut conn, job, &worker, e, now)?);
                }
            }
            Ok(lost)
        })
        .await;
        match result {
            Ok(Ok(0)) => {}
            Ok(Ok(lost)) => {
                tracing::warn!(
                    jobs = lost,
                    "lease lost before the job finished; another worker will run it"
                )
            }
            Ok(Err(e)) => tracing::error!(error = %e, "could not record the job outcome"),
            Err(e) => tracing::error!(error = %e, "job bookkeeping panicked"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 1..20 {
            let d = backoff(attempt).as_secs_f64();
            let ceiling = 2f64.powi(attempt.clamp(1, 12)).min(3600.0);
            assert!(d >= ceiling * 0.5 && d <= ceiling, "attempt {attempt}: {d}");
        }
        assert!(backoff(30) <= Duration::from_secs(3600));
    }

    #[test]
    fn truncate_keeps_char_boundaries() {
        let s = "é".repeat(10);
        let t = truncate(&s, 5);
        assert!(t.ends_with('…'));
        assert!(t.len() <= 5 + '…'.len_utf8());
    }
}

//! A token bucket kept in PostgreSQL, so that every worker process on every machine shares one
//! budget for ORCID's Member API (24 requests/s, burst 40 by default).
//!
//! Callers reserve a token and wait until it is due (the bucket may go negative), so waiting
//! callers are served in order without polling. The bucket is ORCID's own model (a steady rate
//! and a burst), run 2 % below the configured rate so that the few milliseconds between a grant
//! and its arrival at ORCID never add up to a request over ORCID's bucket; and when ORCID says
//! 429 or 503 anyway, every process backs off together (`back_off` drains the shared bucket for
//! the time ORCID asked, or a second).

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Double, Text};

use crate::db::DbPool;

/// Share of the configured rate actually spent.
const RATE_MARGIN: f64 = 0.98;
/// Share of the configured burst actually spent.
const BURST_MARGIN: f64 = 0.75;

#[derive(Debug, Clone)]
pub struct RateLimiter {
    pool: DbPool,
    name: String,
    per_second: f64,
    burst: f64,
    /// A reservation further away than this is refused rather than waited for.
    max_wait: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum RateLimitError {
    #[error("rate limit bucket unavailable: {0}")]
    Database(String),
    #[error("rate limit saturated; next slot in {0:?}")]
    Saturated(Duration),
}

#[derive(QueryableByName)]
struct Bucket {
    #[diesel(sql_type = Double)]
    tokens: f64,
    #[diesel(sql_type = Double)]
    elapsed: f64,
}

impl RateLimiter {
    /// `per_second` and `burst` are the upstream's published limits; the limiter stays below them.
    pub fn new(pool: DbPool, name: impl Into<String>, per_second: f64, burst: f64) -> Self {
        Self {
            pool,
            name: name.into(),
            per_second: (per_second * RATE_MARGIN).max(0.01),
            burst: (burst * BURST_MARGIN).floor().max(1.0),
            max_wait: Duration::from_secs(60),
        }
    }

    /// The rate the limiter actually allows (after the margin).
    pub fn effective_rate(&self) -> f64 {
        self.per_second
    }

    /// ORCID refused a request for its rate (429/503): nobody sends for `pause` (what ORCID's
    /// `Retry-After` said, or a second), so the shared bucket starts again below empty.
    pub async fn back_off(&self, pause: Duration) {
        let (pool, name, rate, owed) = (
            self.pool.clone(),
            self.name.clone(),
            self.per_second,
            pause.min(Duration::from_secs(30)).as_secs_f64() * self.per_second,
        );
        let done = tokio::task::spawn_blocking(move || -> QueryResult<usize> {
            let mut conn = pool
                .get()
                .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
            // The bucket as of now, then `owed` below empty (never deeper than that).
            diesel::sql_query(
                "UPDATE rate_limits SET
                     tokens = LEAST(tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - updated_at)) * $3, 0) - $2,
                     updated_at = clock_timestamp()
                 WHERE name = $1 AND tokens > -$2",
            )
            .bind::<Text, _>(name)
            .bind::<Double, _>(owed)
            .bind::<Double, _>(rate)
            .execute(&mut **conn)
        })
        .await;
        if !matches!(done, Ok(Ok(_))) {
            tracing::debug!("could not record ORCID's back-off in the shared bucket");
        }
    }

    /// Waits until one more request may be sent.
    pub async fn acquire(&self) -> Result<(), RateLimitError> {
        let (pool, name, rate, burst, max_wait) = (
            self.pool.clone(),
            self.name.clone(),
            self.per_second,
            self.burst,
            self.max_wait,
        );
        let wait = tokio::task::spawn_blocking(move || -> Result<Duration, RateLimitError> {
            let mut conn = pool.get().map_err(|e| RateLimitError::Database(e.to_string()))?;
            reserve(&mut conn, &name, rate, burst, max_wait).map_err(|e| RateLimitError::Database(e.to_string()))?
        })
        .await
        .map_err(|e| RateLimitError::Database(e.to_string()))??;
        if !wait.is_zero() {
            crate::metrics::rate_limit_wait(wait);
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }
}

/// Takes one token, refilled by the database clock (one clock for every machine). Returns how long
/// to wait before using it.
fn reserve(
    conn: &mut PgConnection,
    name: &str,
    rate: f64,
    burst: f64,
    max_wait: Duration,
) -> QueryResult<Result<Duration, RateLimitError>> {
    conn.transaction(|conn| {
        diesel::sql_query(
            "INSERT INTO rate_limits (name, tokens, updated_at) VALUES ($1, $2, clock_timestamp())
             ON CONFLICT (name) DO NOTHING",
        )
        .bind::<Text, _>(name)
        .bind::<Double, _>(burst)
        .execute(conn)?;
        // Lock first, then read the clock, so time spent waiting for the lock is not counted twice.
        diesel::sql_query("SELECT 1 FROM rate_limits WHERE name = $1 FOR UPDATE")
            .bind::<Text, _>(name)
            .execute(conn)?;
        let bucket: Bucket = diesel::sql_query(
            "SELECT tokens, GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - updated_at))::float8 AS elapsed
             FROM rate_limits WHERE name = $1",
        )
        .bind::<Text, _>(name)
        .get_result(conn)?;
        let available = (bucket.tokens + bucket.elapsed * rate).min(burst);
        let after = available - 1.0;
        let wait = if after >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-after / rate)
        };
        if wait > max_wait {
            return Ok(Err(RateLimitError::Saturated(wait)));
        }
        diesel::sql_query(
            "UPDATE rate_limits SET tokens = $2,
                 updated_at = updated_at + make_interval(secs => $3)
             WHERE name = $1",
        )
        .bind::<Text, _>(name)
        .bind::<Double, _>(after)
        .bind::<Double, _>(bucket.elapsed)
        .execute(conn)?;
        Ok(Ok(wait))
    })
}

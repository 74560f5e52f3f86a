//! Prometheus metrics, served at `/metrics` in the text exposition format.
//!
//! Two kinds of figure: what this process did (requests by route and status with their latency,
//! calls to ORCID and DataCite, waits for ORCID's rate limit, jobs run), counted in memory and
//! scraped from each `serve` process (its in-process worker included) and from each `profiles
//! worker` that has a `WORKER_METRICS_PORT`; and what the service holds (claims by
//! state, the queue, the poller's lag, active sessions), read from PostgreSQL when scraped, so
//! every process reports the same totals. Aggregate the first kind with `sum`, not the second.
//!
//! Labels are bounded: a route is its template (`/api/v1/claims/{id}`), never a raw path, and an
//! upstream status is a number or `error`.

use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

/// Request and upstream latency buckets, in seconds: 5 ms to 30 s.
const BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    upstream: IntCounterVec,
    upstream_seconds: HistogramVec,
    rate_limit_waits: IntCounter,
    rate_limit_wait_seconds: Histogram,
    jobs: IntCounterVec,
}

#[expect(
    clippy::expect_used,
    reason = "the metric definitions are constants; a bad one fails every test at the first request"
)]
fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let registry = Registry::new_custom(Some("profiles".into()), None).expect("metrics registry");
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by route template and status.",
            ),
            &["method", "route", "status"],
        )
        .expect("metric");
        let request_seconds = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to answer an HTTP request.")
                .buckets(BUCKETS.to_vec()),
            &["method", "route"],
        )
        .expect("metric");
        let upstream = IntCounterVec::new(
            Opts::new(
                "upstream_requests_total",
                "Calls to ORCID and DataCite, by service, operation and status (`error`: no HTTP answer).",
            ),
            &["service", "operation", "status"],
        )
        .expect("metric");
        let upstream_seconds = HistogramVec::new(
            HistogramOpts::new("upstream_request_duration_seconds", "Time an upstream call took.")
                .buckets(BUCKETS.to_vec()),
            &["service", "operation"],
        )
        .expect("metric");
        let rate_limit_waits = IntCounter::new(
            "orcid_rate_limit_waits_total",
            "ORCID calls that waited for the shared rate limit before they were sent.",
        )
        .expect("metric");
        let rate_limit_wait_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "orcid_rate_limit_wait_seconds",
                "How long an ORCID call waited for the rate limit.",
            )
            .buckets(BUCKETS.to_vec()),
        )
        .expect("metric");
        let jobs = IntCounterVec::new(
            Opts::new("jobs_total", "Background jobs this process ran, by kind and outcome."),
            &["kind", "outcome"],
        )
        .expect("metric");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(request_seconds.clone()),
            Box::new(upstream.clone()),
            Box::new(upstream_seconds.clone()),
            Box::new(rate_limit_waits.clone()),
            Box::new(rate_limit_wait_seconds.clone()),
            Box::new(jobs.clone()),
        ] {
            registry.register(c).expect("metric registers once");
        }
        Metrics {
            registry,
            requests,
            request_seconds,
            upstream,
            upstream_seconds,
            rate_limit_waits,
            rate_limit_wait_seconds,
            jobs,
        }
    })
}

/// One answered HTTP request. `route` is the matched template, or `unmatched`; a method outside
/// HTTP's usual ones counts as `other` (a client may send any token there).
pub fn http_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    let method = METHODS.iter().find(|m| **m == method).copied().unwrap_or("other");
    let m = metrics();
    m.requests
        .with_label_values(&[method, route, &status.to_string()])
        .inc();
    m.request_seconds
        .with_label_values(&[method, route])
        .observe(elapsed.as_secs_f64());
}

/// One call to an upstream service; `status` is `None` when no HTTP answer came.
pub fn upstream_call(service: &str, operation: &str, status: Option<u16>, elapsed: Duration) {
    let m = metrics();
    let status = status.map_or_else(|| "error".to_owned(), |s| s.to_string());
    m.upstream.with_label_values(&[service, operation, &status]).inc();
    m.upstream_seconds
        .with_label_values(&[service, operation])
        .observe(elapsed.as_secs_f64());
}

/// A wait for ORCID's rate limit (called only when the wait was not zero).
pub fn rate_limit_wait(waited: Duration) {
    let m = metrics();
    m.rate_limit_waits.inc();
    m.rate_limit_wait_seconds.observe(waited.as_secs_f64());
}

/// A job that ran to an outcome: `done`, `retry` or `failed`.
pub fn job(kind: &str, outcome: &str) {
    metrics().jobs.with_label_values(&[kind, outcome]).inc();
}

/// What the database holds, read at scrape time.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub claims_by_state: Vec<(String, i64)>,
    pub jobs_pending_by_kind: Vec<(String, i64)>,
    /// Age of the oldest job that is ready to run and not leased, in seconds.
    pub oldest_ready_job_seconds: f64,
    /// Jobs kept as `failed` after their last attempt.
    pub jobs_failed: i64,
    pub sessions_active: i64,
    /// Since the DataCite poller's cursor, when it has one.
    pub poller_lag_seconds: Option<f64>,
    /// ORCID inbox notifications: people notified, granted since, claims waiting and expired.
    pub notifications: crate::notifications::history::NotificationSummary,
}

#[derive(QueryableByName)]
struct Age {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    seconds: Option<f64>,
}

/// Reads the [`Snapshot`] in one short transaction.
pub fn snapshot(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<Snapshot> {
    use crate::db::schema::{claims, jobs, sessions, worker_state};
    conn.transaction(|conn| {
        let claims_by_state = claims::table
            .group_by(claims::state)
            .select((claims::state, diesel::dsl::count_star()))
            .load(conn)?;
        let jobs_pending_by_kind = jobs::table
            .filter(jobs::state.eq("pending"))
            .group_by(jobs::kind)
            .select((jobs::kind, diesel::dsl::count_star()))
            .load(conn)?;
        let oldest: Age = diesel::sql_query(
            "SELECT EXTRACT(EPOCH FROM ($1 - MIN(run_at)))::float8 AS seconds FROM jobs
             WHERE state = 'pending' AND run_at <= $1 AND (locked_until IS NULL OR locked_until < $1)",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(now)
        .get_result(conn)?;
        let jobs_failed = jobs::table.filter(jobs::state.eq("failed")).count().get_result(conn)?;
        let sessions_active = sessions::table
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .count()
            .get_result(conn)?;
        let cursor: Option<serde_json::Value> = worker_state::table
            .find(crate::claims::intake::POLL_CURSOR_KEY)
            .select(worker_state::value)
            .first(conn)
            .optional()?;
        let poller_lag_seconds = cursor
            .and_then(|v| v.get("since").and_then(serde_json::Value::as_str).map(str::to_owned))
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|since| (now - since.with_timezone(&Utc)).num_milliseconds() as f64 / 1000.0);
        let notifications = crate::notifications::history::summary(conn)?;
        Ok(Snapshot {
            notifications,
            claims_by_state,
            jobs_pending_by_kind,
            oldest_ready_job_seconds: oldest.seconds.unwrap_or(0.0).max(0.0),
            jobs_failed,
            sessions_active,
            poller_lag_seconds,
        })
    })
}

/// The exposition: this process's counters, then the database snapshot (absent when the
/// database could not be read; `profiles_database_up` says which).
#[expect(
    clippy::expect_used,
    reason = "gauges of constant definitions; encoding into a Vec cannot fail"
)]
pub fn render(snapshot: Option<&Snapshot>) -> String {
    let mut families = metrics().registry.gather();
    let reg = Registry::new_custom(Some("profiles".into()), None).expect("registry");
    let gauge = |name: &str, help: &str, labels: &[&str]| {
        let g = GaugeVec::new(Opts::new(name, help), labels).expect("gauge");
        reg.register(Box::new(g.clone())).expect("gauge registers once");
        g
    };
    let single = |name: &str, help: &str, value: f64| {
        let g = Gauge::new(name, help).expect("gauge");
        g.set(value);
        reg.register(Box::new(g)).expect("gauge registers once");
    };
    single(
        "database_up",
        "1 when this scrape could read PostgreSQL.",
        if snapshot.is_some() { 1.0 } else { 0.0 },
    );
    let info = IntGaugeVec::new(Opts::new("build_info", "The running version."), &["version"]).expect("gauge");
    reg.register(Box::new(info.clone())).expect("gauge registers once");
    info.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
    if let Some(s) = snapshot {
        let claims = gauge("claims", "Claims held, by state.", &["state"]);
        for state in crate::claims::ClaimState::ALL {
            claims.with_label_values(&[state.as_str()]).set(0.0);
        }
        for (state, n) in &s.claims_by_state {
            claims.with_label_values(&[state]).set(*n as f64);
        }
        let depth = gauge("queue_depth", "Jobs waiting to run (now or later), by kind.", &["kind"]);
        for (kind, n) in &s.jobs_pending_by_kind {
            depth.with_label_values(&[kind]).set(*n as f64);
        }
        single(
            "queue_oldest_ready_seconds",
            "Age of the oldest job that is ready and not taken by a worker (0 when none waits).",
            s.oldest_ready_job_seconds,
        );
        single(
            "jobs_failed",
            "Jobs kept as failed after their last attempt.",
            s.jobs_failed as f64,
        );
        single(
            "sessions_active",
            "Browser sessions neither ended nor expired.",
            s.sessions_active as f64,
        );
        let n = &s.notifications;
        let by_status = gauge(
            "orcid_notifications",
            "ORCID inbox permission notifications, by status.",
            &["status"],
        );
        for status in ["pending", "sent", "refused", "failed"] {
            by_status
                .with_label_values(&[status])
                .set(n.by_status.get(status).copied().unwrap_or(0) as f64);
        }
        let answers = gauge(
            "orcid_notification_answers",
            "ORCID's answers to permission notifications, by answer.",
            &["answer"],
        );
        for (answer, count) in &n.by_answer {
            answers.with_label_values(&[answer]).set(*count as f64);
        }
        single(
            "orcid_notified_people",
            "People sent an ORCID inbox permission notification.",
            n.people_notified as f64,
        );
        single(
            "orcid_notified_people_granted",
            "Of those, people who granted Auto-Update since (the conversion's numerator).",
            n.people_granted as f64,
        );
        single(
            "claims_waiting_for_auto_update",
            "Auto-Update claims waiting for their person to grant the permission.",
            n.claims_waiting as f64,
        );
        single(
            "claims_expired_waiting",
            "Auto-Update claims set aside after waiting too long for a permission.",
            n.claims_expired as f64,
        );
        if let Some(lag) = s.poller_lag_seconds {
            single(
                "datacite_poller_lag_seconds",
                "Time since the DataCite poller's cursor: how far behind Auto-Update's intake is.",
                lag,
            );
        }
    }
    families.extend(reg.gather());
    let mut out = Vec::new();
    TextEncoder::new().encode(&families, &mut out).expect("text encoding");
    String::from_utf8(out).unwrap_or_default()
}

/// Who is scraping: [`Credential::MetricsScraper`](crate::policy::Credential) when the request
/// carries `METRICS_TOKEN` as its bearer token, or comes from an address in
/// `METRICS_ALLOWED_NETWORKS` (read through `TRUSTED_PROXIES`); anonymous otherwise.
pub fn scraper(req: &actix_web::HttpRequest, config: &crate::config::Config) -> crate::policy::Credential<'static> {
    use crate::policy::Credential;
    let m = &config.metrics;
    let bearer = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let token_ok = match (&m.token, bearer) {
        (Some(expected), Some(given)) => crate::crypto::constant_time_eq(
            &crate::crypto::sha256(expected.expose().as_bytes()),
            &crate::crypto::sha256(given.as_bytes()),
        ),
        _ => false,
    };
    let network_ok = crate::auth::session::client_ip(req, &config.security.trusted_proxies)
        .is_some_and(|ip| m.allowed_networks.iter().any(|net| net.contains(&ip)));
    if token_ok || network_ok {
        Credential::MetricsScraper
    } else {
        Credential::Anonymous
    }
}

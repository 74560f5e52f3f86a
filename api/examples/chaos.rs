//! `make chaos`: the fault suite. The real binaries (`profiles serve`, `profiles worker`), the real
//! PostgreSQL and the stand-in doubles of ORCID's Member API and DataCite, each its own process,
//! put through faults; every scenario prints one row of the table in docs/reliability.md and
//! fails the run when a claim is lost, a work is duplicated at the ORCID double, or an answer
//! breaks its promise.
//!
//! Sizes are bounded for `make test`; larger runs by variable:
//!   CHAOS_CLAIMS=1000        claims of the worker-kill run      CHAOS_KILLS=10   SIGKILLs in it
//!   CHAOS_FAULT_CLAIMS=300   claims of the ORCID-fault, PostgreSQL-restart and SIGTERM runs
//!   CHAOS_DATACITE_DOWN_SECS=15   how long DataCite is down (the minute: 60)
//!   CHAOS_PG_DOWN_SECS=5     how long PostgreSQL is stopped
//!   CHAOS_ONLY=name,…        run only these scenarios (kill, orcid, datacite, postgres, sigterm)
//!
//! The PostgreSQL restart stops and starts the project-local cluster (scripts/pg.sh), so it runs
//! only when DATABASE_URL is that cluster's; anything else connected to it sees the same outage
//! and, if it is Profiles, recovers the same way.

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rand::RngCore;
use serde_json::{json, Value};

use profiles_api::claims::store::{self, Requester, Submission};
use profiles_api::claims::{ClaimSource, ClaimState};
use profiles_api::clock::Clock;
use profiles_api::db::schema::{accounts, claims, jobs};
use profiles_api::domain::{Doi, OrcidId, PermissionKind};

use support::*;

/// A Dataset with complete metadata in the DataCite double.
const DOI: &str = "10.5555/j9cp-6b21";
const MAX_ATTEMPTS: i32 = 12;
const GRACE_SECS: u64 = 10;

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// One line of the table.
struct Row {
    scenario: &'static str,
    faults: String,
    expected: usize,
    done: usize,
    duplicates: u64,
    recovery: Duration,
    notes: String,
    problems: Vec<String>,
}

impl Row {
    fn lost(&self) -> usize {
        self.expected.saturating_sub(self.done)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = tokio::select! {
        r = run() => r,
        _ = tokio::signal::ctrl_c() => Err("interrupted".into()),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("chaos: error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<bool, BoxError> {
    let admin_url = std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set (scripts/chaos.sh sets it)")?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let profiles = profiles_binary()?;
    let only: Option<Vec<String>> = std::env::var("CHAOS_ONLY")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect());
    let wanted = |name: &str| only.as_ref().is_none_or(|o| o.iter().any(|s| s == name));
    let ctx = Ctx {
        admin_url,
        root,
        profiles,
        http: reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?,
    };
    let mut rows = Vec::new();
    if wanted("kill") {
        rows.push(kill_workers(&ctx).await?);
    }
    if wanted("orcid") {
        rows.push(orcid_faults(&ctx).await?);
    }
    if wanted("datacite") {
        rows.push(datacite_down(&ctx).await?);
    }
    if wanted("postgres") {
        if let Some(row) = postgres_restart(&ctx).await? {
            rows.push(row);
        }
    }
    if wanted("sigterm") {
        rows.push(sigterm(&ctx).await?);
    }
    print_table(&rows);
    Ok(rows.iter().all(|r| r.problems.is_empty()))
}

struct Ctx {
    admin_url: String,
    root: PathBuf,
    profiles: PathBuf,
    http: reqwest::Client,
}

/// A database, doubles and a key of one scenario.
struct Scene {
    db: BenchDatabase,
    key: [u8; 32],
    datacite: Double,
    orcid: Double,
}

impl Scene {
    async fn new(ctx: &Ctx, orcid_limit: (f64, f64), latency_ms: u64) -> Result<Self, BoxError> {
        let db = BenchDatabase::create(&ctx.admin_url)?;
        let mut conn = PgConnection::establish(&db.url)?;
        profiles_api::db::migrate(&mut conn)?;
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        let datacite = Double::start(&ctx.root, &["datacite"])?;
        let orcid = Double::start(&ctx.root, &["orcid-api"])?;
        control(
            &ctx.http,
            &orcid.url,
            "/_control/config",
            Some(json!({
                "latencyMs": latency_ms,
                "rateLimit": { "perSecond": orcid_limit.0, "burst": orcid_limit.1 },
            })),
        )
        .await?;
        Ok(Self {
            db,
            key,
            datacite,
            orcid,
        })
    }

    fn conn(&self) -> Result<PgConnection, BoxError> {
        Ok(PgConnection::establish(&self.db.url)?)
    }

    fn worker_env(&self, limit: (f64, f64), extra: &[(&str, &str)]) -> WorkerEnv {
        let mut all = vec![
            ("WORKER_LEASE_SECS".to_owned(), "3".to_owned()),
            ("CLAIM_MAX_ATTEMPTS".to_owned(), MAX_ATTEMPTS.to_string()),
            ("SHUTDOWN_TIMEOUT_SECS".to_owned(), GRACE_SECS.to_string()),
            ("DATABASE_CONNECT_TIMEOUT_SECS".to_owned(), "2".to_owned()),
            ("UPSTREAM_TIMEOUT_SECS".to_owned(), "2".to_owned()),
        ];
        all.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        WorkerEnv {
            database_url: self.db.url.clone(),
            key: hex::encode(self.key),
            orcid_api: self.orcid.url.clone(),
            datacite: self.datacite.url.clone(),
            rate: limit.0,
            burst: limit.1,
            extra: all,
            quiet: true,
        }
    }

    async fn duplicates(&self, http: &reqwest::Client) -> Result<u64, BoxError> {
        let d = control(http, &self.orcid.url, "/_control/duplicates", None).await?;
        Ok(d["count"].as_u64().unwrap_or(u64::MAX))
    }
}

async fn start_workers(ctx: &Ctx, env: &WorkerEnv, n: usize) -> Result<Vec<Worker>, BoxError> {
    let mut workers = Vec::with_capacity(n);
    for i in 0..n {
        let mut w = Worker::start(&ctx.profiles, i, env)?;
        w.wait_started(Duration::from_secs(30))?;
        workers.push(w);
    }
    Ok(workers)
}

/// Queues one Search & Link claim per person, all at once.
fn queue_claims(conn: &mut PgConnection, people: &[OrcidId]) -> Result<(), BoxError> {
    let doi = Doi::parse(DOI)?;
    conn.transaction(|conn| -> Result<(), BoxError> {
        for orcid in people {
            let submission = Submission {
                orcid: orcid.clone(),
                doi: doi.clone(),
                source: ClaimSource::SearchAndLink,
                requester: Requester::Person,
                skip_reason: None,
                title: None,
            };
            store::submit(conn, &submission, MAX_ATTEMPTS, Clock::system().now())?;
        }
        Ok(())
    })
}

/// Polls until `expected` claims are done or `timeout` passes; returns how many are done. A
/// database that is away (a restart) is waited for.
async fn wait_done(url: &str, expected: usize, timeout: Duration) -> usize {
    let deadline = Instant::now() + timeout;
    let mut done = 0;
    loop {
        if let Ok(mut conn) = PgConnection::establish(url) {
            if let Ok(counts) = state_counts(&mut conn) {
                done = usize::try_from(done_count(&counts)).unwrap_or(0);
            }
        }
        if done >= expected || Instant::now() > deadline {
            return done;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The longest pause between two claims being done, from `from` on: how long the pipeline took
/// to recover from the worst fault.
fn longest_stall(conn: &mut PgConnection, from: DateTime<Utc>) -> Result<Duration, BoxError> {
    let mut times = completion_times(conn)?;
    times.retain(|t| *t >= from);
    let mut worst = chrono::Duration::zero();
    let mut previous = from;
    for t in times {
        worst = worst.max(t - previous);
        previous = t;
    }
    Ok(worst.to_std().unwrap_or_default())
}

fn max_attempts(conn: &mut PgConnection) -> Result<i32, BoxError> {
    let m: Option<i32> = claims::table.select(diesel::dsl::max(claims::attempts)).first(conn)?;
    Ok(m.unwrap_or(0))
}

fn check(row: &mut Row, ok: bool, problem: impl Into<String>) {
    if !ok {
        row.problems.push(problem.into());
    }
}

fn claim_checks(row: &mut Row) {
    let lost = row.lost();
    check(row, lost == 0, format!("{lost} claims were not done"));
    let dups = row.duplicates;
    check(row, dups == 0, format!("{dups} duplicate works at the ORCID double"));
}

/// Ten SIGKILLs of a worker (of two) while 1,000 claims are pushed; each is restarted at once.
async fn kill_workers(ctx: &Ctx) -> Result<Row, BoxError> {
    let n = knob("CHAOS_CLAIMS", 1000) as usize;
    let kills = knob("CHAOS_KILLS", 10) as usize;
    let limit = (100.0, 100.0);
    let scene = Scene::new(ctx, limit, 20).await?;
    let mut conn = scene.conn()?;
    let people = seed_people(&mut conn, &scene.key, n, PermissionKind::SearchAndLink)?;
    let env = scene.worker_env(limit, &[]);
    let mut workers = start_workers(ctx, &env, 2).await?;
    let started = Clock::system().now();
    queue_claims(&mut conn, &people)?;
    // Spread the kills over the time the run takes at the rate limit.
    let every = Duration::from_secs_f64((n as f64 / limit.0 / (kills as f64 + 1.0)).max(0.3));
    for k in 0..kills {
        tokio::time::sleep(every).await;
        let i = k % workers.len();
        workers[i].child.kill()?;
        workers[i].child.wait()?;
        let mut fresh = Worker::start(&ctx.profiles, i, &env)?;
        fresh.wait_started(Duration::from_secs(30))?;
        workers[i] = fresh;
    }
    let timeout = Duration::from_secs_f64(60.0 + 4.0 * n as f64 / limit.0);
    let done = wait_done(&scene.db.url, n, timeout).await;
    let stats = control(&ctx.http, &scene.orcid.url, "/_control/stats", None).await?;
    let mut row = Row {
        scenario: "SIGKILL a worker (of 2) during the run, restarted at once",
        faults: format!("{kills} kills"),
        expected: n,
        done,
        duplicates: scene.duplicates(&ctx.http).await?,
        recovery: longest_stall(&mut conn, started)?,
        notes: format!("lease 3 s; {} ORCID calls", stats["requests"]),
        problems: Vec::new(),
    };
    claim_checks(&mut row);
    let over = stats["overLimit"].as_u64().unwrap_or(u64::MAX);
    check(
        &mut row,
        over == 0,
        format!("{over} calls over the ORCID double's rate limit"),
    );
    Ok(row)
}

/// ORCID answers 5xx or times out for 20 % of calls, and 503 beyond its rate limit (the workers
/// are told three times the double's limit, so they run into it).
async fn orcid_faults(ctx: &Ctx) -> Result<Row, BoxError> {
    let n = knob("CHAOS_FAULT_CLAIMS", 300) as usize;
    let scene = Scene::new(ctx, (30.0, 30.0), 20).await?;
    control(
        &ctx.http,
        &scene.orcid.url,
        "/_control/config",
        Some(json!({
            "timeoutMs": 4000,
            "faultRate": { "ratio": 0.2, "statuses": [500, 502, 503, 504, "timeout"], "seed": 20261201 },
        })),
    )
    .await?;
    let mut conn = scene.conn()?;
    let people = seed_people(&mut conn, &scene.key, n, PermissionKind::SearchAndLink)?;
    let env = scene.worker_env((90.0, 90.0), &[]);
    let _workers = start_workers(ctx, &env, 2).await?;
    let started = Clock::system().now();
    queue_claims(&mut conn, &people)?;
    let done = wait_done(&scene.db.url, n, Duration::from_secs(240)).await;
    let stats = control(&ctx.http, &scene.orcid.url, "/_control/stats", None).await?;
    let faulted: u64 = stats["faulted"]
        .as_object()
        .map_or(0, |m| m.values().filter_map(Value::as_u64).sum());
    let over = stats["overLimit"].as_u64().unwrap_or(0);
    let attempts = max_attempts(&mut conn)?;
    let failed = claims::table
        .filter(claims::state.eq(ClaimState::Failed.as_str()))
        .count()
        .get_result::<i64>(&mut conn)?;
    let mut row = Row {
        scenario: "ORCID: 20 % of calls 5xx or time out, 503 beyond its limit",
        faults: format!("{faulted} faulted, {over} over the limit"),
        expected: n,
        done,
        duplicates: scene.duplicates(&ctx.http).await?,
        recovery: longest_stall(&mut conn, started)?,
        notes: format!(
            "most attempts of a claim {attempts} (cap {MAX_ATTEMPTS}); {} ORCID calls for {n} works",
            stats["requests"]
        ),
        problems: Vec::new(),
    };
    claim_checks(&mut row);
    check(&mut row, faulted > 0, "no fault was injected");
    check(&mut row, over > 0, "the double's rate limit never answered 503");
    check(&mut row, failed == 0, format!("{failed} claims failed for good"));
    check(
        &mut row,
        attempts < MAX_ATTEMPTS,
        format!("a claim needed {attempts} attempts"),
    );
    Ok(row)
}

/// DataCite is down for a while; the Auto-Update poller resumes from its cursor: every DOI
/// registered before, during and after the outage becomes a claim, and is pushed.
async fn datacite_down(ctx: &Ctx) -> Result<Row, BoxError> {
    let down_for = Duration::from_secs(knob("CHAOS_DATACITE_DOWN_SECS", 15));
    let per_phase = 10usize;
    let scene = Scene::new(ctx, (100.0, 100.0), 20).await?;
    let mut conn = scene.conn()?;
    let people = seed_people(&mut conn, &scene.key, per_phase * 3, PermissionKind::AutoUpdate)?;
    let env = scene.worker_env((100.0, 100.0), &[("AUTO_UPDATE_POLL_SECS", "1")]);
    let _workers = start_workers(ctx, &env, 2).await?;
    // The first poll starts the clock (history is not back-filled): wait for its cursor.
    let deadline = Instant::now() + Duration::from_secs(30);
    while cursor(&mut conn)?.is_none() {
        if Instant::now() > deadline {
            return Err("the DataCite poller stored no cursor within 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut people = people.into_iter();
    let mut register = |phase: &str| {
        let batch: Vec<(String, OrcidId)> = (0..per_phase)
            .filter_map(|i| people.next().map(|o| (format!("10.5555/chaos-{phase}-{i}"), o)))
            .collect();
        batch
    };
    for (doi, orcid) in register("before") {
        add_doi(ctx, &scene, &doi, &orcid).await?;
    }
    control(
        &ctx.http,
        &scene.datacite.url,
        "/_control/config",
        Some(json!({ "down": true })),
    )
    .await?;
    for (doi, orcid) in register("during") {
        add_doi(ctx, &scene, &doi, &orcid).await?;
    }
    tokio::time::sleep(down_for).await;
    control(
        &ctx.http,
        &scene.datacite.url,
        "/_control/config",
        Some(json!({ "down": false })),
    )
    .await?;
    let back = Instant::now();
    for (doi, orcid) in register("after") {
        add_doi(ctx, &scene, &doi, &orcid).await?;
    }
    let expected = per_phase * 3;
    // Recovery: until the claims of the DOIs registered during the outage exist.
    let recovery_deadline = back + Duration::from_secs(120);
    let mut recovery = Duration::ZERO;
    loop {
        let during: i64 = claims::table
            .filter(claims::doi.like("10.5555/chaos-during-%"))
            .count()
            .get_result(&mut conn)?;
        if during >= per_phase as i64 {
            recovery = back.elapsed();
            break;
        }
        if Instant::now() > recovery_deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let done = wait_done(&scene.db.url, expected, Duration::from_secs(120)).await;
    let stats = control(&ctx.http, &scene.datacite.url, "/_control/stats", None).await?;
    let mut row = Row {
        scenario: "DataCite down; the poller resumes from its cursor",
        faults: format!("{} s down, {} calls refused", down_for.as_secs(), stats["down"]),
        expected,
        done,
        duplicates: scene.duplicates(&ctx.http).await?,
        recovery,
        notes: format!("{per_phase} DOIs registered before, during and after the outage"),
        problems: Vec::new(),
    };
    claim_checks(&mut row);
    check(
        &mut row,
        recovery > Duration::ZERO,
        "DOIs registered during the outage were skipped",
    );
    Ok(row)
}

fn cursor(conn: &mut PgConnection) -> Result<Option<Value>, BoxError> {
    use profiles_api::db::schema::worker_state;
    Ok(worker_state::table
        .find(profiles_api::claims::intake::POLL_CURSOR_KEY)
        .select(worker_state::value)
        .first(conn)
        .optional()?)
}

async fn add_doi(ctx: &Ctx, scene: &Scene, doi: &str, orcid: &OrcidId) -> Result<(), BoxError> {
    control(
        &ctx.http,
        &scene.datacite.url,
        "/_control/dois",
        Some(json!({
            "doi": doi,
            "titles": [{ "title": format!("Chaos dataset {doi}") }],
            "creators": [{
                "name": "Researcher, Chaos",
                "givenName": "Chaos",
                "familyName": "Researcher",
                "nameType": "Personal",
                "nameIdentifiers": [{ "nameIdentifier": format!("https://orcid.org/{orcid}"), "nameIdentifierScheme": "ORCID" }],
            }],
            "publisher": "Chaos Repository",
            "publicationYear": 2026,
            "types": { "resourceTypeGeneral": "Dataset", "resourceType": "Survey data" },
        })),
    )
    .await?;
    Ok(())
}

/// A `profiles serve --no-worker`, stopped when dropped.
struct Serve {
    child: Child,
    url: String,
}

impl Serve {
    async fn start(ctx: &Ctx, scene: &Scene, http: &reqwest::Client) -> Result<Self, BoxError> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        drop(listener);
        let url = format!("http://127.0.0.1:{port}");
        let mut secret = [0u8; 64];
        rand::thread_rng().fill_bytes(&mut secret);
        let child = Command::new(&ctx.profiles)
            .args(["serve", "--no-worker", "--no-migrate"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "error")
            .env("NO_COLOR", "1")
            .env("DATABASE_URL", &scene.db.url)
            .env("DATABASE_CONNECT_TIMEOUT_SECS", "2")
            .env("ENCRYPTION_KEY", hex::encode(scene.key))
            .env("SESSION_SECRET", hex::encode(secret))
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("PUBLIC_URL", &url)
            .env("ORCID_CLIENT_ID", "APP-PROFILESTEST0001")
            .env("ORCID_CLIENT_SECRET", "chaos-secret")
            .env("ORCID_URL", "http://127.0.0.1:9")
            .env("ORCID_API_URL", &scene.orcid.url)
            .env("DATACITE_API_URL", &scene.datacite.url)
            .env("SHUTDOWN_TIMEOUT_SECS", GRACE_SECS.to_string())
            .env("UPSTREAM_TIMEOUT_SECS", "10")
            .env("AUTO_UPDATE_POLL_SECS", "0")
            // Measured alone: no scheduled readings of the records.
            .env("RECONCILE_INTERVAL_HOURS", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let serve = Self { child, url };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = http.get(format!("{}/readyz", serve.url)).send().await {
                if r.status().is_success() {
                    return Ok(serve);
                }
            }
            if Instant::now() > deadline {
                return Err("profiles serve did not become ready within 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// PostgreSQL stops mid-run and comes back: `serve` and the workers recover without a restart;
/// meanwhile requests answer 503 problem+json quickly.
async fn postgres_restart(ctx: &Ctx) -> Result<Option<Row>, BoxError> {
    let local = String::from_utf8(Command::new(ctx.root.join("scripts/pg.sh")).arg("url").output()?.stdout)?;
    if local.trim() != ctx.admin_url.trim() {
        eprintln!("chaos: skipping the PostgreSQL restart: DATABASE_URL is not the project-local cluster");
        return Ok(None);
    }
    let n = knob("CHAOS_FAULT_CLAIMS", 300) as usize;
    let down_for = Duration::from_secs(knob("CHAOS_PG_DOWN_SECS", 5));
    let limit = (50.0, 50.0);
    let scene = Scene::new(ctx, limit, 20).await?;
    let mut conn = scene.conn()?;
    let people = seed_people(&mut conn, &scene.key, n, PermissionKind::SearchAndLink)?;
    let mut serve = Serve::start(ctx, &scene, &ctx.http).await?;
    let env = scene.worker_env(limit, &[]);
    let mut workers = start_workers(ctx, &env, 2).await?;
    queue_claims(&mut conn, &people)?;
    drop(conn);
    tokio::time::sleep(Duration::from_secs(2)).await;

    pg(ctx, "stop")?;
    let stopped = Instant::now();
    // Requests during the outage: 503 problem+json, each within a few seconds.
    let (mut slowest, mut answers, mut bad) = (Duration::ZERO, 0, Vec::new());
    while stopped.elapsed() < down_for {
        for path in ["/readyz", "/heartbeat", "/api/v1/accounts/me"] {
            let t = Instant::now();
            let r = ctx
                .http
                .get(format!("{}{path}", serve.url))
                .header("authorization", "Bearer prf_chaos")
                .send()
                .await;
            slowest = slowest.max(t.elapsed());
            answers += 1;
            match r {
                Ok(r) => {
                    let problem = r
                        .headers()
                        .get("content-type")
                        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
                    if r.status() != 503 || !problem {
                        bad.push(format!("{path}: {}", r.status()));
                    }
                }
                Err(e) => bad.push(format!("{path}: {e}")),
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    pg(ctx, "start")?;
    let restarted = Instant::now();
    let restarted_at = Clock::system().now();
    let serve_back = loop {
        if let Ok(r) = ctx.http.get(format!("{}/readyz", serve.url)).send().await {
            if r.status().is_success() {
                break restarted.elapsed();
            }
        }
        if restarted.elapsed() > Duration::from_secs(60) {
            break Duration::MAX;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let done = wait_done(&scene.db.url, n, Duration::from_secs(120)).await;
    let mut conn = scene.conn()?;
    let worker_back = first_done_after(&mut conn, restarted_at)?;
    let alive = workers.iter_mut().all(|w| matches!(w.child.try_wait(), Ok(None)));
    let mut row = Row {
        scenario: "PostgreSQL stopped and started mid-run",
        faults: format!("{} s down", down_for.as_secs()),
        expected: n,
        done,
        duplicates: scene.duplicates(&ctx.http).await?,
        recovery: serve_back.max(worker_back),
        notes: format!(
            "{answers} requests in the outage, slowest {:.1} s; serve ready {:.1} s after, workers pushing {:.1} s after",
            slowest.as_secs_f64(),
            serve_back.as_secs_f64(),
            worker_back.as_secs_f64()
        ),
        problems: Vec::new(),
    };
    claim_checks(&mut row);
    check(
        &mut row,
        bad.is_empty(),
        format!("answers in the outage that were not 503 problem+json: {bad:?}"),
    );
    check(
        &mut row,
        slowest < Duration::from_secs(5),
        format!("a request took {slowest:?} in the outage"),
    );
    check(&mut row, alive, "a worker exited during the outage");
    let serving = matches!(serve.child.try_wait(), Ok(None));
    check(&mut row, serving, "serve exited during the outage");
    Ok(Some(row))
}

fn pg(ctx: &Ctx, action: &str) -> Result<(), BoxError> {
    let status = Command::new(ctx.root.join("scripts/pg.sh"))
        .arg(action)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        return Err(format!("scripts/pg.sh {action} failed").into());
    }
    Ok(())
}

/// How long after `from` the first claim was done.
fn first_done_after(conn: &mut PgConnection, from: DateTime<Utc>) -> Result<Duration, BoxError> {
    let first = completion_times(conn)?.into_iter().find(|t| *t >= from);
    Ok(first.map_or(Duration::MAX, |t| (t - from).to_std().unwrap_or_default()))
}

/// SIGTERM during traffic: `serve` finishes the requests in flight; a worker finishes its jobs,
/// gives back its leases and exits within the grace; nothing is lost.
async fn sigterm(ctx: &Ctx) -> Result<Row, BoxError> {
    let n = knob("CHAOS_FAULT_CLAIMS", 300).min(200) as usize;
    let limit = (200.0, 200.0);
    // Slow upstreams, so that requests and jobs are in flight when the signal comes.
    let scene = Scene::new(ctx, limit, 1000).await?;
    control(
        &ctx.http,
        &scene.datacite.url,
        "/_control/config",
        Some(json!({ "latencyMs": 1500 })),
    )
    .await?;
    let mut conn = scene.conn()?;
    let people = seed_people(&mut conn, &scene.key, n, PermissionKind::SearchAndLink)?;
    let account: uuid::Uuid = accounts::table
        .filter(accounts::orcid.eq(people[0].as_str()))
        .select(accounts::id)
        .first(&mut conn)?;
    let scopes = vec!["claims:read".to_owned()];
    let (token, _) = profiles_api::auth::api_tokens::create(&mut conn, account, "chaos", &scopes, None)?;

    let mut serve = Serve::start(ctx, &scene, &ctx.http).await?;
    let in_flight: Vec<_> = (0..8)
        .map(|_| {
            let (http, url, token) = (ctx.http.clone(), format!("{}/api/v1/works", serve.url), token.clone());
            tokio::spawn(async move {
                http.get(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let signalled = Instant::now();
    signal(&serve.child, "TERM")?;
    let mut finished = 0;
    let mut serve_problems = Vec::new();
    for h in in_flight {
        match h.await? {
            Ok(200) => finished += 1,
            Ok(s) => serve_problems.push(format!("{s}")),
            Err(e) => serve_problems.push(e.to_string()),
        }
    }
    let serve_exit = wait_exit(&mut serve.child, Duration::from_secs(GRACE_SECS + 5))
        .await
        .map(|_| signalled.elapsed());

    // This worker also serves its own metrics (WORKER_METRICS_PORT), scraped mid-run.
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let port = metrics_port.to_string();
    let observed = scene.worker_env(
        limit,
        &[
            ("WORKER_METRICS_PORT", &port),
            ("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32"),
            ("HOST", "127.0.0.1"),
        ],
    );
    let env = scene.worker_env(limit, &[]);
    let mut workers = start_workers(ctx, &observed, 1).await?;
    queue_claims(&mut conn, &people)?;
    // Scraped until it shows this worker's upstream calls (the first finish after DataCite's
    // 1.5 s and ORCID's 1 s); the jobs then under way are what SIGTERM interrupts.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut worker_metrics = false;
    while !worker_metrics && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if let Ok(r) = ctx
            .http
            .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
            .send()
            .await
        {
            let text = r.text().await.unwrap_or_default();
            worker_metrics =
                text.contains("profiles_upstream_requests_total{") && text.contains("profiles_database_up 1");
        }
    }
    let signalled = Instant::now();
    signal(&workers[0].child, "TERM")?;
    let worker_exit = wait_exit(&mut workers[0].child, Duration::from_secs(GRACE_SECS + 5))
        .await
        .map(|_| signalled.elapsed());
    let held: i64 = jobs::table
        .filter(jobs::locked_by.is_not_null())
        .filter(jobs::state.eq("pending"))
        .count()
        .get_result(&mut conn)?;
    let resumed = Clock::system().now();
    let _next = start_workers(ctx, &env, 1).await?;
    let done = wait_done(&scene.db.url, n, Duration::from_secs(120)).await;
    let mut row = Row {
        scenario: "SIGTERM to serve and to a worker during traffic",
        faults: "2 signals".into(),
        expected: n,
        done,
        duplicates: scene.duplicates(&ctx.http).await?,
        recovery: first_done_after(&mut conn, resumed)?,
        notes: format!(
            "{finished}/8 requests in flight finished; serve exited in {:.1} s, the worker in {:.1} s (grace {GRACE_SECS} s), leases left held: {held}; the worker's /metrics scraped mid-run",
            serve_exit.map_or(f64::NAN, |d| d.as_secs_f64()),
            worker_exit.map_or(f64::NAN, |d| d.as_secs_f64()),
        ),
        problems: Vec::new(),
    };
    claim_checks(&mut row);
    check(
        &mut row,
        finished == 8,
        format!("requests in flight did not finish: {serve_problems:?}"),
    );
    check(&mut row, serve_exit.is_some(), "serve did not exit within the grace");
    check(
        &mut row,
        worker_exit.is_some(),
        "the worker did not exit within the grace",
    );
    check(
        &mut row,
        held == 0,
        format!("{held} leases still held by the stopped worker"),
    );
    check(
        &mut row,
        worker_metrics,
        "the worker's own /metrics lacked its ORCID calls",
    );
    Ok(row)
}

fn signal(child: &Child, name: &str) -> Result<(), BoxError> {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()?;
    if !status.success() {
        return Err(format!("kill -{name} failed").into());
    }
    Ok(())
}

/// Waits for the child to exit; `None` if it is still running after `within`.
async fn wait_exit(child: &mut Child, within: Duration) -> Option<()> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return Some(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

fn print_table(rows: &[Row]) {
    println!();
    println!("Fault suite (debug build; sizes: CHAOS_CLAIMS, CHAOS_KILLS, CHAOS_FAULT_CLAIMS, CHAOS_DATACITE_DOWN_SECS, CHAOS_PG_DOWN_SECS)");
    println!();
    println!(
        "| scenario | faults injected | claims expected | done | lost | duplicate works | longest recovery | notes |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.1} s | {} |",
            r.scenario,
            r.faults,
            r.expected,
            r.done,
            r.lost(),
            r.duplicates,
            r.recovery.as_secs_f64(),
            r.notes
        );
    }
    println!();
    for r in rows {
        for p in &r.problems {
            println!("FAILED: {}: {p}", r.scenario);
        }
    }
}

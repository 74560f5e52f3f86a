//! `make bench`: N claims pushed by two `profiles worker` processes to the ORCID Member API double
//! (150 ms per call), against ORCID's rate limit shared through PostgreSQL.
//!
//! Figures are ratios against a baseline measured in the same run (achieved pushes/s over the
//! configured limit; each worker's peak RSS over its idle RSS right after start-up), so they say
//! the same thing on a fast and a slow machine. Nothing here is a test: only "requests over the
//! limit" (and claims that never finish) make it exit non-zero.
//!
//! Expects `DATABASE_URL` (an admin URL; a fresh `bench_<random>` database is created beside it and
//! dropped at the end), the debug binaries built, and the stand-ins' npm packages installed;
//! `scripts/bench.sh` sees to all three. `BENCH_CLAIMS` sets N (default 400).

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rand::RngCore;
use serde_json::{json, Value};

use profiles_api::claims::store::{self, Requester, Submission};
use profiles_api::claims::{ClaimSource, ClaimState};
use profiles_api::clock::Clock;
use profiles_api::domain::{Doi, PermissionKind};

#[path = "support/mod.rs"]
mod support;

use support::*;

const DEFAULT_CLAIMS: usize = 400;
const WORKERS: usize = 2;
/// ORCID's published Member API limit, given to the workers and enforced by the double.
const RATE_PER_SEC: f64 = 24.0;
const RATE_BURST: f64 = 40.0;
/// Per process; the worker's default.
const WORKER_CONCURRENCY: u32 = 8;
const ORCID_LATENCY_MS: u64 = 150;
/// A Dataset with complete metadata in the DataCite double; N different people claim it.
const BENCH_DOI: &str = "10.5555/j9cp-6b21";
const MAX_ATTEMPTS: i32 = 12;
/// How long a worker is left alone after start-up before its idle RSS is read.
const SETTLE: Duration = Duration::from_secs(1);
/// Claims submitted one at a time to idle workers, for the wake-up latency.
const LATENCY_SAMPLES: usize = 20;

#[tokio::main]
async fn main() -> ExitCode {
    // Ctrl-C drops the run, and with it every guard: workers, doubles, the bench database.
    let outcome = tokio::select! {
        r = run() => r,
        _ = tokio::signal::ctrl_c() => Err("interrupted".into()),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Returns whether the run met its one requirement (nothing over the limit, every claim done).
async fn run() -> Result<bool, BoxError> {
    let n: usize = match std::env::var("BENCH_CLAIMS") {
        Ok(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("BENCH_CLAIMS={v:?} is not a count"))?,
        Err(_) => DEFAULT_CLAIMS,
    };
    if n == 0 {
        return Err("BENCH_CLAIMS must be at least 1".into());
    }
    let admin_url = std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set (scripts/bench.sh sets it)")?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let profiles = profiles_binary()?;

    let database = BenchDatabase::create(&admin_url)?;
    let mut conn = PgConnection::establish(&database.url)?;
    profiles_api::db::migrate(&mut conn)?;

    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    let everyone = seed_people(&mut conn, &key, n + LATENCY_SAMPLES, PermissionKind::SearchAndLink)?;
    let (people, latecomers) = everyone.split_at(n);
    eprintln!(
        "bench: {n} accounts with an active Search & Link permission in {}",
        database.name
    );

    let datacite = Double::start(&root, &["datacite"])?;
    let orcid_api = Double::start(&root, &["orcid-api", "--latency-ms", &ORCID_LATENCY_MS.to_string()])?;
    let http = reqwest::Client::new();
    control(
        &http,
        &orcid_api.url,
        "/_control/config",
        Some(json!({
            "latencyMs": ORCID_LATENCY_MS,
            "rateLimit": { "perSecond": RATE_PER_SEC, "burst": RATE_BURST },
        })),
    )
    .await?;

    let env = WorkerEnv {
        database_url: database.url.clone(),
        key: hex::encode(key),
        orcid_api: orcid_api.url.clone(),
        datacite: datacite.url.clone(),
        rate: RATE_PER_SEC,
        burst: RATE_BURST,
        // The default poll interval: between polls, a queued job wakes the workers (LISTEN).
        extra: vec![
            ("WORKER_CONCURRENCY".into(), WORKER_CONCURRENCY.to_string()),
            ("WORKER_POLL_MS".into(), "500".into()),
        ],
        quiet: false,
    };
    let mut workers = Vec::with_capacity(WORKERS);
    for i in 0..WORKERS {
        workers.push(Worker::start(&profiles, i, &env)?);
    }
    for w in &mut workers {
        w.wait_started(Duration::from_secs(30))?;
    }
    tokio::time::sleep(SETTLE).await;
    let mut idle = Vec::with_capacity(WORKERS);
    for w in &workers {
        idle.push(proc_status_kib(w.pid(), "VmRSS")?);
    }

    // Every job appears at once, when this transaction commits; that is when the clock starts.
    let doi = Doi::parse(BENCH_DOI)?;
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
            let (claim, _) = store::submit(conn, &submission, MAX_ATTEMPTS, Clock::system().now())?;
            if claim.state() != ClaimState::Waiting {
                return Err(format!("claim for {orcid} is {} instead of waiting", claim.state()).into());
            }
        }
        Ok(())
    })?;
    let started_at = Clock::system().now();
    let started = Instant::now();
    eprintln!("bench: {n} claims queued; {WORKERS} workers pushing");

    let timeout = Duration::from_secs_f64((4.0 * n as f64 / (0.9 * RATE_PER_SEC)).max(120.0));
    let finished = loop {
        for w in &mut workers {
            if let Some(status) = w.child.try_wait()? {
                return Err(format!("worker {} exited early ({status})", w.number).into());
            }
        }
        let counts = state_counts(&mut conn)?;
        if done_count(&counts) == n as i64 {
            break true;
        }
        if started.elapsed() > timeout {
            eprintln!(
                "bench: not every claim was done after {:.0} s; claims by state and error:",
                timeout.as_secs_f64()
            );
            for (state, code, count) in remaining(&mut conn)? {
                eprintln!("  {state:<24} {:<28} {count}", code.unwrap_or_default());
            }
            break false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let mut peak = Vec::with_capacity(WORKERS);
    for w in &workers {
        peak.push(proc_status_kib(w.pid(), "VmHWM")?);
    }
    let stats = control(&http, &orcid_api.url, "/_control/stats", None).await?;
    let done_at = completion_times(&mut conn)?;
    // Wake-up: one claim at a time while the workers idle, ORCID answering at once; from the
    // commit to the claim done (its push included).
    control(
        &http,
        &orcid_api.url,
        "/_control/config",
        Some(json!({ "latencyMs": 0 })),
    )
    .await?;
    let mut waits = Vec::with_capacity(LATENCY_SAMPLES);
    for orcid in latecomers {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let submission = Submission {
            orcid: orcid.clone(),
            doi: doi.clone(),
            source: ClaimSource::SearchAndLink,
            requester: Requester::Person,
            skip_reason: None,
            title: None,
        };
        let (claim, _) = store::submit(&mut conn, &submission, MAX_ATTEMPTS, Clock::system().now())?;
        let queued = Instant::now();
        loop {
            let state = store::find(&mut conn, claim.id)?.map(|c| c.state());
            if state == Some(ClaimState::Done) {
                waits.push(queued.elapsed());
                break;
            }
            if queued.elapsed() > Duration::from_secs(10) {
                return Err(format!("a lone claim was not done within 10 s ({state:?})").into());
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    // Intake: BENCH_INTAKE_DOIS DOIs with three creators each through one poll, then half as
    // many others as DOI events, as the API queues them, each fetched from DataCite by a worker.
    let intake_n: usize = std::env::var("BENCH_INTAKE_DOIS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let (event_rate, poll_rate) = intake(&http, &datacite.url, &mut conn, intake_n).await?;
    waits.sort();
    let wake_ms = |q: f64| {
        waits
            .get(((waits.len() as f64 - 1.0) * q).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    drop(workers);
    // Spot check at the double: the first and last person each have exactly one work.
    let mut records_ok = true;
    for orcid in [people.first(), people.last()].into_iter().flatten() {
        let record = control(&http, &orcid_api.url, &format!("/_control/records/{orcid}"), None).await?;
        let works = record["works"].as_array().map_or(0, Vec::len);
        if finished && works != 1 {
            eprintln!("bench: {orcid} has {works} works at the ORCID double instead of 1");
            records_ok = false;
        }
    }

    let over_limit = stats["overLimit"].as_u64().unwrap_or(u64::MAX);
    let report = Report {
        n,
        finished,
        started_at,
        done_at,
        stats,
        idle_kib: idle,
        peak_kib: peak,
        wake: (wake_ms(0.5), wake_ms(0.9), waits.len()),
        intake: (intake_n, event_rate, poll_rate),
    };
    report.print();
    if over_limit != 0 {
        eprintln!("bench: FAILED: the ORCID double saw {over_limit} requests over its limit (must be 0)");
    }
    Ok(finished && records_ok && over_limit == 0)
}

/// `target/debug/profiles`, next to this example's `target/debug/examples/`; `PROFILES_BIN` overrides.
struct Report {
    n: usize,
    finished: bool,
    started_at: DateTime<Utc>,
    done_at: Vec<DateTime<Utc>>,
    stats: Value,
    idle_kib: Vec<u64>,
    peak_kib: Vec<u64>,
    /// p50 and p90 of a lone claim's queue-to-done time, in ms, over this many.
    wake: (f64, f64, usize),
    /// DOIs taken in, and DOIs/s through events and through the poller.
    intake: (usize, f64, f64),
}

impl Report {
    fn print(&self) {
        let secs = |from: DateTime<Utc>, to: DateTime<Utc>| (to - from).num_microseconds().unwrap_or(0) as f64 / 1e6;
        let done = self.done_at.len();
        let elapsed = self.done_at.last().map_or(0.0, |&last| secs(self.started_at, last));
        let overall = if elapsed > 0.0 { done as f64 / elapsed } else { 0.0 };
        // The second half of the run: the starting burst is spent by then, so this is the rate
        // the limiter sustains.
        let half = done / 2;
        let steady = match (self.done_at.get(half), self.done_at.last()) {
            (Some(&from), Some(&to)) if secs(from, to) > 0.0 => (done - 1 - half) as f64 / secs(from, to),
            _ => 0.0,
        };
        let stat = |k: &str| self.stats[k].as_u64().map_or("?".into(), |v| v.to_string());
        let status = |code: &str| self.stats["byStatus"][code].as_u64().unwrap_or(0);
        let mib = |kib: u64| kib as f64 / 1024.0;

        println!();
        println!("ORCID claims benchmark");
        println!(
            "  each push: GET /dois/{{doi}} at the DataCite double, then POST /work at the ORCID double ({ORCID_LATENCY_MS} ms per call)"
        );
        println!("  {:<44} {}", "claims (N)", self.n);
        println!(
            "  {:<44} {} (WORKER_CONCURRENCY={WORKER_CONCURRENCY} each)",
            "worker processes", WORKERS
        );
        println!(
            "  {:<44} {RATE_PER_SEC}/s, burst {RATE_BURST}",
            "configured limit (ORCID_RATE_LIMIT_*)"
        );
        println!(
            "  {:<44} {done} of {}{}",
            "claims done",
            self.n,
            if self.finished { "" } else { "  (NOT FINISHED)" }
        );
        println!("  {:<44} {elapsed:.2} s", "queued to last done");
        println!(
            "  {:<44} {overall:.2}/s  ratio {:.3}",
            "achieved pushes/s, whole run (with burst)",
            overall / RATE_PER_SEC
        );
        println!(
            "  {:<44} {steady:.2}/s  ratio {:.3}",
            "achieved pushes/s, second half (sustained)",
            steady / RATE_PER_SEC
        );
        println!("  {:<44} {}", "ORCID requests", stat("requests"));
        println!(
            "  {:<44} {}  (must be 0)",
            "ORCID requests over the limit",
            stat("overLimit")
        );
        println!(
            "  {:<44} 201: {}, 503: {}",
            "ORCID responses",
            status("201"),
            status("503")
        );
        println!(
            "  {:<44} {}  (burst included)",
            "ORCID requests in busiest 1 s window",
            stat("perSecondPeak")
        );
        println!(
            "  {:<44} {}",
            "ORCID requests in flight, at most",
            stat("maxConcurrent")
        );
        println!(
            "  {:<44} p50 {:.1} ms, p90 {:.1} ms over {} (target p50 < 50 ms; polling alone: up to 500 ms)",
            "lone claim, queued to done (idle workers)", self.wake.0, self.wake.1, self.wake.2
        );
        println!(
            "  {:<44} poller {:.0} DOIs/s (ratio {:.2}) over {} new DOIs; events {:.0} DOIs/s (ratio {:.2}) over {}; 3 creators each (target 1,000/s)",
            "intake into claims",
            self.intake.2,
            self.intake.2 / 1000.0,
            self.intake.0,
            self.intake.1,
            self.intake.1 / 1000.0,
            self.intake.0 / 2
        );
        for (i, (idle, peak)) in self.idle_kib.iter().zip(&self.peak_kib).enumerate() {
            println!(
                "  {:<44} idle {:.1} MiB, peak {:.1} MiB, ratio {:.2}",
                format!("worker {i} RSS"),
                mib(*idle),
                mib(*peak),
                *peak as f64 / (*idle).max(1) as f64
            );
        }
        println!();
    }
}

/// Registers `n` DOIs (three creators each, none with a permission) at the DataCite double, then
/// measures DOIs/s into claims: queued as DOI events (one job each, as `POST /api/v1/events/dois`
/// queues them), and read by the poller (pages of 1,000). Returns (events, poller) DOIs/s.
async fn intake(
    http: &reqwest::Client,
    datacite: &str,
    conn: &mut PgConnection,
    n: usize,
) -> Result<(f64, f64), BoxError> {
    use profiles_api::db::schema::worker_state;
    let run = uuid::Uuid::new_v4().simple().to_string();
    // `n` DOIs for the poller, then `n / 2` others for DOI events: every one new to the intake.
    let register = |from: usize, count: usize| {
        let run = run.clone();
        async move {
            let mut dois = Vec::with_capacity(count);
            for i in from..from + count {
                let doi = format!("10.5555/intake-{run}-{i}");
                let creators: Vec<Value> = (0..3)
                    .map(|k| -> Result<Value, BoxError> {
                        let orcid = bench_orcid(500_000 + i * 3 + k)?;
                        Ok(json!({"name": format!("Creator {k}"), "nameIdentifiers": [{"nameIdentifier": format!("https://orcid.org/{orcid}"), "nameIdentifierScheme": "ORCID"}]}))
                    })
                    .collect::<Result<_, _>>()?;
                control(
                    http,
                    datacite,
                    "/_control/dois",
                    Some(
                        json!({"doi": doi, "creators": creators, "titles": [{"title": format!("Intake {i}")}],
                        "publisher": {"name": "Bench"}, "publicationYear": 2026, "types": {"resourceTypeGeneral": "Dataset"},
                        "url": "https://example.org/intake"}),
                    ),
                )
                .await?;
                dois.push(doi);
            }
            Ok::<_, BoxError>(dois)
        }
    };
    let prefix = format!("10.5555/intake-{run}-");
    // The poller: with its cursor an hour back, one poll reads every DOI naming an ORCID iD that
    // the double holds (these `n`, and the few of the first part), in pages of 1,000.
    register(0, n).await?;
    let since = (Clock::system().now() - chrono::Duration::hours(1)).to_rfc3339();
    diesel::insert_into(worker_state::table)
        .values((
            worker_state::key.eq(profiles_api::claims::intake::POLL_CURSOR_KEY),
            worker_state::value.eq(json!({"since": since})),
        ))
        .on_conflict(worker_state::key)
        .do_update()
        .set(worker_state::value.eq(json!({"since": since})))
        .execute(conn)?;
    let started = Instant::now();
    profiles_api::jobs::enqueue(
        conn,
        profiles_api::jobs::NewJob::new(profiles_api::claims::intake::POLL_JOB, json!({})),
    )?;
    wait_for(conn, &prefix, (n * 3) as i64, "the poller", started).await?;
    let polled = n as f64 / started.elapsed().as_secs_f64();

    // Events: one job per DOI, all queued in one transaction (a batch of the API's); the two
    // workers take them in, each fetching its DOI from DataCite.
    let events_n = n / 2;
    let dois = register(n, events_n).await?;
    let started = Instant::now();
    conn.transaction(|conn| -> Result<(), BoxError> {
        for d in &dois {
            profiles_api::claims::intake::enqueue_doi_event(conn, &Doi::parse(d)?)?;
        }
        Ok(())
    })?;
    wait_for(conn, &prefix, ((n + events_n) * 3) as i64, "DOI events", started).await?;
    let events = events_n as f64 / started.elapsed().as_secs_f64();
    Ok((events, polled))
}

/// Waits until `want` claims of DOIs starting with `prefix` exist (at most 300 s).
async fn wait_for(
    conn: &mut PgConnection,
    prefix: &str,
    want: i64,
    what: &str,
    started: Instant,
) -> Result<(), BoxError> {
    use profiles_api::db::schema::claims;
    loop {
        let have: i64 = claims::table
            .filter(claims::doi.like(format!("{prefix}%")))
            .count()
            .get_result(conn)?;
        if have >= want {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(300) {
            return Err(format!("{what} took in {have} of {want} claims within 300 s").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

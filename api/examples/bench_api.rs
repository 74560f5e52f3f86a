//! `make bench`, part one: the API's throughput and latency, as ratios to `/heartbeat` on the
//! same release server in the same run (wrk, 2 threads, 64 connections).
//!
//! One person holds 1,000 claims; their JWT reads `/api/v1/claims` (25 per page),
//! `/api/v1/accounts/me` and the claim stats; the SPA's `index.html` and its largest hashed
//! asset are fetched as a browser would. After an unmeasured warm-up of each case, rounds run
//! `/heartbeat`, a case, `/heartbeat`, the next case, …; a case's ratio in a round is to the
//! heartbeat runs either side of it, and the figure is the median over the rounds. Targets:
//! reads ≥ 0.40× with p99 < 25 ms, static files ≥ 0.60×. Also: idle RSS and the time from start
//! to the first `/heartbeat`.
//!
//! Expects `DATABASE_URL` (an admin URL), `PROFILES_BIN` (the release binary) and `wrk` on the
//! PATH; `scripts/bench.sh` sees to them. `BENCH_API_SECS` sets each run's length (default 4),
//! `BENCH_API_ROUNDS` the rounds (default 3), `BENCH_API_WARMUP_SECS` the warm-up (default 2).
//! `BENCH_API_HOLD=1` seeds and starts the server, prints its pid, URL and JWT, and waits for Enter
//! instead of measuring, for profiling by hand.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use rand::RngCore;

use profiles_api::claims::{ClaimAction, ClaimSource, ClaimState};
use profiles_api::db::schema::{accounts, claims};

#[path = "support/mod.rs"]
mod support;

use support::*;

const CLAIMS: usize = 1000;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bench_api: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A measured request: its name, URL, headers, the ratio it should reach and its p99 bound.
type Case = (&'static str, String, Vec<String>, f64, Option<f64>);

/// One wrk run.
#[derive(Debug, Clone, Default)]
struct Measured {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

fn millis(text: &str) -> Option<f64> {
    let t = text.trim();
    let (number, factor) = if let Some(v) = t.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = t.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = t.strip_suffix('s') {
        (v, 1000.0)
    } else {
        (t, 1.0)
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

fn wrk(url: &str, secs: u64, headers: &[String]) -> Result<Measured, BoxError> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", "-c64", &format!("-d{secs}s"), "--latency", "--timeout", "5s"]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    let out = cmd
        .arg(url)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("wrk: {e} (is it installed?)"))?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut m = Measured::default();
    for line in text.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            m.rps = v.trim().parse().unwrap_or(0.0);
        } else if let Some(v) = line.strip_prefix("50%") {
            m.p50_ms = millis(v).unwrap_or(0.0);
        } else if let Some(v) = line.strip_prefix("99%") {
            m.p99_ms = millis(v).unwrap_or(0.0);
        } else if let Some(v) = line.strip_prefix("Non-2xx or 3xx responses:") {
            m.errors += v.trim().parse::<u64>().unwrap_or(0);
        } else if line.starts_with("Socket errors:") {
            m.errors += line
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    if m.rps == 0.0 {
        return Err(format!("wrk printed no rate for {url}:\n{text}").into());
    }
    Ok(m)
}

async fn run() -> Result<bool, BoxError> {
    let secs: u64 = std::env::var("BENCH_API_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let rounds: usize = std::env::var("BENCH_API_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(3);
    let warmup: u64 = std::env::var("BENCH_API_WARMUP_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let admin_url = std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set (scripts/bench.sh sets it)")?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let profiles = profiles_binary()?;
    let dist = root.join("web-ui/dist");
    let asset = std::fs::read_dir(dist.join("assets"))?
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "js"))
        .max_by_key(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .map(|e| format!("/assets/{}", e.file_name().to_string_lossy()))
        .ok_or("web-ui/dist has no built assets (cd web-ui && npm run build)")?;

    let database = BenchDatabase::create(&admin_url)?;
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    let key_b64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(key)
    };
    let status = Command::new(&profiles)
        .arg("migrate")
        .env("DATABASE_URL", &database.url)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        return Err("migrations failed".into());
    }
    // One person with 1,000 claims, done, as a long-standing Search & Link user's would be.
    let mut conn = PgConnection::establish(&database.url)?;
    let people = seed_people(&mut conn, &key, 1, profiles_api::domain::PermissionKind::SearchAndLink)?;
    let orcid = people[0].to_string();
    let rows: Vec<_> = (0..CLAIMS)
        .map(|i| {
            (
                claims::orcid.eq(orcid.clone()),
                claims::doi.eq(format!("10.5555/bench-{i:05}")),
                claims::source.eq(ClaimSource::SearchAndLink),
                claims::action.eq(ClaimAction::Create),
                claims::state.eq(ClaimState::Done),
                claims::put_code.eq(Some(100_000 + i as i64)),
                claims::title.eq(Some(format!("Benchmark dataset number {i}"))),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        diesel::insert_into(claims::table).values(chunk).execute(&mut conn)?;
    }
    diesel::sql_query("ANALYZE").execute(&mut conn)?;

    // The server, as an operator runs it: release build, JSON logs at info.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let env: HashMap<String, String> = [
        ("DATABASE_URL", database.url.clone()),
        ("ENCRYPTION_KEY", key_b64.clone()),
        ("SESSION_SECRET", hex_secret()),
        ("PUBLIC_URL", base.clone()),
        ("PORT", port.to_string()),
        ("HOST", "127.0.0.1".to_owned()),
        ("WEB_UI_DIR", dist.to_string_lossy().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Arc::new(profiles_api::config::Config::from(&env)?);
    let pool = profiles_api::db::pool(&database.url, 2, Duration::from_secs(5));
    let state = profiles_api::app::AppState::new(pool.clone(), config);
    state.keys.ensure_key(&mut conn)?;
    let account: profiles_api::db::models::Account = accounts::table
        .filter(accounts::orcid.eq(&orcid))
        .select(profiles_api::db::models::Account::as_select())
        .first(&mut conn)?;
    let started = Instant::now();
    let mut server = Command::new(&profiles)
        .args(["serve", "--no-worker", "--no-migrate"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(&env)
        .env("RUST_LOG", "info")
        .env("LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let http = reqwest::Client::new();
    let ready = loop {
        if http
            .get(format!("{base}/heartbeat"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break started.elapsed();
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = server.kill();
            return Err("the server did not answer /heartbeat within 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_kib = proc_status_kib(server.id(), "VmRSS")?;
    let jwt = profiles_api::auth::sso::issue(&state, account, None)
        .await
        .map_err(|e| format!("minting a JWT: {}", e.detail))?
        .access_token;
    let auth = vec![format!("Authorization: Bearer {jwt}")];
    for path in [
        "/api/v1/claims?page[size]=25",
        "/api/v1/accounts/me",
        "/api/v1/accounts/me/claims/stats",
    ] {
        let res = http.get(format!("{base}{path}")).bearer_auth(&jwt).send().await?;
        if !res.status().is_success() {
            let _ = server.kill();
            return Err(format!("{path} answered {}", res.status()).into());
        }
    }

    if std::env::var("BENCH_API_HOLD").is_ok_and(|v| v == "1") {
        // For profiling by hand (`perf record -p <pid>` while wrk runs): keep the server up.
        println!("bench_api: holding the server for profiling; press Enter to stop it");
        println!("  server pid {}  base {base}", server.id());
        println!("  Authorization: Bearer {jwt}");
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        let _ = server.kill();
        return Ok(true);
    }
    println!("bench_api: wrk -t2 -c64 -d{secs}s against a release `profiles serve` (1,000 claims for one person)");
    let cases: Vec<Case> = vec![
        (
            "GET /api/v1/claims (JWT, 25 of 1,000)",
            format!("{base}/api/v1/claims?page[size]=25"),
            auth.clone(),
            0.40,
            Some(25.0),
        ),
        (
            "GET /api/v1/accounts/me (JWT)",
            format!("{base}/api/v1/accounts/me"),
            auth.clone(),
            0.40,
            Some(25.0),
        ),
        (
            "GET /api/v1/accounts/me/claims/stats (JWT)",
            format!("{base}/api/v1/accounts/me/claims/stats"),
            auth.clone(),
            0.40,
            Some(25.0),
        ),
        ("GET / (the SPA's index.html)", format!("{base}/"), vec![], 0.60, None),
        (
            "GET a hashed asset (largest JS)",
            format!("{base}{asset}"),
            vec!["Accept-Encoding: gzip".into()],
            0.60,
            None,
        ),
    ];
    // Every case once, unmeasured, before the figures: the pool opens its connections lazily,
    // and each one prepares its statements on first use. Without this the first read measured
    // pays the whole server's warm-up.
    for (_, url, headers, _, _) in cases.iter().filter(|_| warmup > 0) {
        // Its figures are not kept; a wrong answer shows in the measured runs that follow.
        wrk(url, warmup, headers)?;
    }
    // Rounds of `/heartbeat`, case, `/heartbeat`, case, …: each case's ratio is to the two
    // heartbeat runs either side of it, and the figure is the median over the rounds. On a shared
    // VM one run can be 20 % off its neighbours; a single pass put the same build's list at
    // 0.27× and at 0.41×.
    let heartbeat = format!("{base}/heartbeat");
    let mut beats = Vec::new();
    let mut runs: Vec<Vec<(Measured, f64)>> = vec![Vec::new(); cases.len()];
    for _ in 0..rounds {
        let mut before = wrk(&heartbeat, secs, &[])?;
        beats.push(before.clone());
        for (i, (_, url, headers, _, _)) in cases.iter().enumerate() {
            let m = wrk(url, secs, headers)?;
            let after = wrk(&heartbeat, secs, &[])?;
            let ratio = m.rps / ((before.rps + after.rps) / 2.0);
            runs[i].push((m, ratio));
            beats.push(after.clone());
            before = after;
        }
    }
    let peak_kib = proc_status_kib(server.id(), "VmHWM").unwrap_or(0);
    let _ = server.kill();
    let _ = server.wait();

    let median = |mut v: Vec<f64>| -> f64 {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let spread = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    println!();
    println!("{rounds} rounds; each figure is the median over them (range in brackets).");
    println!();
    println!("| what | req/s | ratio to /heartbeat | p50 | p99 | target | met |");
    println!("|---|---|---|---|---|---|---|");
    let beat_rps: Vec<f64> = beats.iter().map(|m| m.rps).collect();
    let (lo, hi) = spread(&beat_rps);
    println!(
        "| `/heartbeat` (baseline, {} runs: {lo:.0}–{hi:.0}) | {:.0} | 1 | {:.2} ms | {:.2} ms | | |",
        beats.len(),
        median(beat_rps.clone()),
        median(beats.iter().map(|m| m.p50_ms).collect()),
        median(beats.iter().map(|m| m.p99_ms).collect()),
    );
    let mut clean = true;
    for ((name, _, _, target, p99), measured) in cases.iter().zip(&runs) {
        let ratios: Vec<f64> = measured.iter().map(|(_, r)| *r).collect();
        let ratio = median(ratios.clone());
        let (lo, hi) = spread(&ratios);
        let p99_ms = median(measured.iter().map(|(m, _)| m.p99_ms).collect());
        let met = ratio >= *target && p99.is_none_or(|limit| p99_ms < limit);
        let errors: u64 = measured.iter().map(|(m, _)| m.errors).sum();
        clean &= errors == 0;
        let goal = match p99 {
            Some(l) => format!("≥ {target:.2}×, p99 < {l:.0} ms"),
            None => format!("≥ {target:.2}×"),
        };
        println!(
            "| {name} | {:.0} | {ratio:.2} ({lo:.2}–{hi:.2}) | {:.2} ms | {:.2} ms | {goal} | {} |",
            median(measured.iter().map(|(m, _)| m.rps).collect()),
            median(measured.iter().map(|(m, _)| m.p50_ms).collect()),
            p99_ms,
            if met { "yes" } else { "no" }
        );
        if errors > 0 {
            println!("|   ↳ {errors} responses were errors | | | | | | |");
        }
    }
    println!();
    println!(
        "idle RSS {:.1} MiB (target < 50), peak {:.1} MiB; start to /heartbeat {} ms (target < 200)",
        idle_kib as f64 / 1024.0,
        peak_kib as f64 / 1024.0,
        ready.as_millis()
    );
    drop(database);
    // Only wrong answers fail the run: the figures are for reading.
    Ok(clean && idle_kib > 0)
}

fn hex_secret() -> String {
    let mut bytes = [0u8; 64];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

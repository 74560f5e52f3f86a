//! `make bench`, part three: a large database. `BENCH_SCALE_CLAIMS` claims (default 200,000;
//! the issue's 1,000,000 by setting it) over a tenth as many people, one of whom has 10,000, read
//! through a release `profiles serve` one request at a time (latency, not throughput): that
//! person's list page by page with keyset cursors, and staff's search by state and by error; then
//! the job queue's pick-up with a 10,000-job backlog and with one as large as the claims, as a
//! ratio (flat is 1); and a `profiles worker`'s peak RSS over its idle RSS while a backlog of
//! 10,000 push jobs, then one as large as the claims, drains (each watched for
//! `BENCH_SCALE_DRAIN_SECS`, default 10).
//!
//! Expects `DATABASE_URL` (an admin URL) and `PROFILES_BIN` (the release binary).

use std::collections::HashMap;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use rand::RngCore;
use serde_json::Value;

use profiles_api::db::schema::accounts;

#[path = "support/mod.rs"]
mod support;

use support::*;

const PERSONAL: i64 = 10_000;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bench_scale: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

async fn timed(http: &reqwest::Client, url: &str, jwt: &str) -> Result<(Duration, Value), BoxError> {
    let started = Instant::now();
    let res = http.get(url).bearer_auth(jwt).send().await?;
    let status = res.status();
    let body: Value = res.json().await?;
    let took = started.elapsed();
    if !status.is_success() {
        return Err(format!("{url}: {status} {body}").into());
    }
    Ok((took, body))
}

async fn run() -> Result<bool, BoxError> {
    let total: i64 = std::env::var("BENCH_SCALE_CLAIMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000)
        .max(PERSONAL * 2);
    let drain_secs = Duration::from_secs(
        std::env::var("BENCH_SCALE_DRAIN_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10),
    );
    let admin_url = std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set (scripts/bench.sh sets it)")?;
    let profiles = profiles_binary()?;
    let database = BenchDatabase::create(&admin_url)?;
    let status = Command::new(&profiles)
        .arg("migrate")
        .env("DATABASE_URL", &database.url)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        return Err("migrations failed".into());
    }
    let mut conn = PgConnection::establish(&database.url)?;
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    let people = seed_people(&mut conn, &key, 2, profiles_api::domain::PermissionKind::SearchAndLink)?;
    let (person, staff) = (people[0].to_string(), people[1].to_string());
    diesel::update(accounts::table.filter(accounts::orcid.eq(&staff)))
        .set(accounts::role.eq("staff_admin"))
        .execute(&mut conn)?;
    let generating = Instant::now();
    // The person's 10,000, then everyone else's, ten each: mostly done, some failed with ORCID's
    // errors, some waiting for a permission, as a live service's would be.
    diesel::sql_query(
        "INSERT INTO claims (orcid, doi, source, action, state, title, error_code, error_message, created_at, updated_at)
         SELECT CASE WHEN i <= $2 THEN $1
                     ELSE '0008-' || substr(lpad((i / 10)::text, 12, '0'), 1, 4) || '-' || substr(lpad((i / 10)::text, 12, '0'), 5, 4)
                          || '-' || substr(lpad((i / 10)::text, 12, '0'), 9, 4) END,
                '10.5555/scale-' || i,
                CASE WHEN i % 3 = 0 THEN 'auto_update' ELSE 'search_and_link' END,
                'create',
                CASE WHEN i % 50 = 0 THEN 'failed' WHEN i % 20 = 0 THEN 'waiting_for_permission' ELSE 'done' END,
                'Scale dataset ' || i,
                CASE WHEN i % 50 = 0 THEN (ARRAY['orcid_rejected', 'orcid_unavailable', 'doi_not_found'])[1 + i % 3] END,
                CASE WHEN i % 50 = 0 THEN 'ORCID refused the request (HTTP 400)' END,
                now() - make_interval(secs => i), now() - make_interval(secs => i)
         FROM generate_series(1, $3) AS i",
    )
    .bind::<diesel::sql_types::Text, _>(&person)
    .bind::<diesel::sql_types::BigInt, _>(PERSONAL)
    .bind::<diesel::sql_types::BigInt, _>(total)
    .execute(&mut conn)?;
    // As autovacuum does after a bulk load: statistics, and the visibility map index-only scans use.
    diesel::sql_query("VACUUM ANALYZE").execute(&mut conn)?;
    eprintln!(
        "bench_scale: {total} claims over {} people in {:.0} s",
        total / 10,
        generating.elapsed().as_secs_f64()
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let key_b64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(key)
    };
    let env: HashMap<String, String> = [
        ("DATABASE_URL", database.url.clone()),
        ("ENCRYPTION_KEY", key_b64),
        ("PUBLIC_URL", base.clone()),
        ("PORT", port.to_string()),
        ("HOST", "127.0.0.1".to_owned()),
        ("WEB_UI_DIR", "/nonexistent".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Arc::new(profiles_api::config::Config::from(&env)?);
    let state =
        profiles_api::app::AppState::new(profiles_api::db::pool(&database.url, 2, Duration::from_secs(5)), config);
    state.keys.ensure_key(&mut conn)?;
    let mut server = Command::new(&profiles)
        .args(["serve", "--no-worker", "--no-migrate"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(&env)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let http = reqwest::Client::new();
    let started = Instant::now();
    while !http
        .get(format!("{base}/heartbeat"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = server.kill();
            return Err("the server did not start".into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let jwt_of = |orcid: &str| {
        let orcid = orcid.to_owned();
        let mut c = PgConnection::establish(&database.url);
        async move {
            let account: profiles_api::db::models::Account = accounts::table
                .filter(accounts::orcid.eq(&orcid))
                .select(profiles_api::db::models::Account::as_select())
                .first(c.as_mut().map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(account)
        }
    };
    let person_account = jwt_of(&person).await?;
    let staff_account = jwt_of(&staff).await?;
    let person_jwt = profiles_api::auth::sso::issue(&state, person_account, None)
        .await
        .map_err(|e| e.detail.clone())?
        .access_token;
    let staff_jwt = profiles_api::auth::sso::issue(&state, staff_account, None)
        .await
        .map_err(|e| e.detail.clone())?
        .access_token;

    // The person's list, page by page (25), following links.next: 200 pages.
    let mut times = Vec::new();
    let mut url = format!("{base}/api/v1/claims?page[size]=25");
    for _ in 0..200 {
        let (took, body) = timed(&http, &url, &person_jwt).await?;
        times.push(took);
        match body["links"]["next"].as_str() {
            Some(next) => url = format!("{base}{next}"),
            None => break,
        }
    }
    times.sort();
    let list = (percentile(&times, 0.5), percentile(&times, 0.99), times.len());
    // Staff: everyone's claims by state, and by error, 100 of each.
    let mut by = Vec::new();
    for (label, query) in [
        ("state=failed", "state=failed"),
        ("error=orcid_rejected", "error=orcid_rejected"),
    ] {
        let mut t = Vec::new();
        for _ in 0..100 {
            let (took, _) = timed(
                &http,
                &format!("{base}/api/v1/claims?{query}&page[size]=25"),
                &staff_jwt,
            )
            .await?;
            t.push(took);
        }
        t.sort();
        by.push((label, percentile(&t, 0.5), percentile(&t, 0.99)));
    }
    let _ = server.kill();
    let _ = server.wait();

    // The queue: how long one pick-up of 8 takes behind 10,000 jobs, then behind `total`.
    let pick = |conn: &mut PgConnection| -> Result<f64, BoxError> {
        let mut t = Vec::new();
        for _ in 0..50 {
            let started = Instant::now();
            // Rolled back: the next pick sees the same backlog.
            let outcome = conn.transaction::<(), diesel::result::Error, _>(|conn| {
                let picked = profiles_api::jobs::claim(
                    conn,
                    "bench",
                    &["bench.noop".to_owned()],
                    Duration::from_secs(60),
                    8,
                    profiles_api::clock::Clock::system().now(),
                )?;
                t.push(started.elapsed());
                if picked.len() != 8 {
                    return Err(diesel::result::Error::NotFound);
                }
                Err(diesel::result::Error::RollbackTransaction)
            });
            if outcome != Err(diesel::result::Error::RollbackTransaction) {
                return Err(format!("a pick-up did not take 8 jobs: {outcome:?}").into());
            }
        }
        t.sort();
        Ok(percentile(&t, 0.5))
    };
    let backlog = |conn: &mut PgConnection, n: i64| -> QueryResult<usize> {
        diesel::sql_query(
            "INSERT INTO jobs (kind, payload, max_attempts) SELECT 'bench.noop', '{}'::jsonb, 3 FROM generate_series(1, $1)",
        )
        .bind::<diesel::sql_types::BigInt, _>(n)
        .execute(conn)
    };
    backlog(&mut conn, 10_000)?;
    diesel::sql_query("ANALYZE jobs").execute(&mut conn)?;
    let small = pick(&mut conn)?;
    backlog(&mut conn, total - 10_000)?;
    diesel::sql_query("ANALYZE jobs").execute(&mut conn)?;
    let large = pick(&mut conn)?;

    // A worker's memory while a backlog drains: its RSS idle (empty queue), then its peak while
    // 10,000 push jobs wait, then while `total` do. Each job is real work (the claim is read and,
    // being done already, left alone), so the worker takes jobs as fast as PostgreSQL lets it.
    diesel::sql_query("DELETE FROM jobs").execute(&mut conn)?;
    let mut worker = Command::new(&profiles)
        .arg("worker")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(&env)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(
            std::env::temp_dir().join("bench_scale_worker.log"),
        )?)
        .spawn()?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let worker_idle = proc_status_kib(worker.id(), "VmRSS")?;
    let push_backlog = |conn: &mut PgConnection, n: i64| -> QueryResult<usize> {
        diesel::sql_query(
            "INSERT INTO jobs (kind, payload, max_attempts)
             SELECT 'claims.push', jsonb_build_object('claim_id', id), 3 FROM claims LIMIT $1",
        )
        .bind::<diesel::sql_types::BigInt, _>(n)
        .execute(conn)
    };
    let queued = |conn: &mut PgConnection| -> QueryResult<i64> {
        use profiles_api::db::schema::jobs;
        jobs::table.filter(jobs::state.eq("pending")).count().get_result(conn)
    };
    let mut drains = Vec::new();
    let any_queued = |conn: &mut PgConnection| -> QueryResult<bool> {
        use profiles_api::db::schema::jobs;
        diesel::select(diesel::dsl::exists(jobs::table.filter(jobs::state.eq("pending")))).get_result(conn)
    };
    for n in [10_000, total] {
        push_backlog(&mut conn, n)?;
        // As autovacuum would by the time a backlog has grown this large.
        diesel::sql_query("ANALYZE jobs").execute(&mut conn)?;
        let before = queued(&mut conn)?;
        let (started, mut peak) = (Instant::now(), 0u64);
        // Watched for up to BENCH_SCALE_DRAIN_SECS (default 10) or until the queue is empty.
        while started.elapsed() < drain_secs {
            peak = peak.max(proc_status_kib(worker.id(), "VmRSS")?);
            if !any_queued(&mut conn)? {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let after = queued(&mut conn)?;
        let rate = (before - after) as f64 / started.elapsed().as_secs_f64();
        drains.push((n, peak, rate));
        diesel::sql_query("DELETE FROM jobs").execute(&mut conn)?;
    }
    let _ = worker.kill();
    let _ = worker.wait();
    drop(conn);

    println!();
    println!(
        "bench_scale: {total} claims over {} people; one person has {PERSONAL}",
        total / 10
    );
    println!("| what | p50 | p99 | target | met |");
    println!("|---|---|---|---|---|");
    println!(
        "| a person's list, 25 per page, keyset cursors ({} pages) | {:.2} ms | {:.2} ms | p99 < 25 ms | {} |",
        list.2,
        list.0,
        list.1,
        if list.1 < 25.0 { "yes" } else { "no" }
    );
    for (label, p50, p99) in &by {
        println!(
            "| staff search `{label}` over everyone's | {p50:.2} ms | {p99:.2} ms | p99 < 100 ms | {} |",
            if *p99 < 100.0 { "yes" } else { "no" }
        );
    }
    println!(
        "| queue pick-up of 8 behind 10,000 jobs → behind {total} | {small:.2} ms → {large:.2} ms, ratio {:.2} | | flat (≈ 1) | {} |",
        large / small.max(0.001),
        if large / small.max(0.001) < 2.0 { "yes" } else { "no" }
    );
    let idle_mib = worker_idle as f64 / 1024.0;
    for (n, peak, rate) in &drains {
        let ratio = *peak as f64 / worker_idle.max(1) as f64;
        println!(
            "| a worker draining {n} push jobs ({rate:.0} jobs/s): RSS idle {idle_mib:.1} MiB, peak {:.1} MiB, ratio {ratio:.2} | | | ≤ 1.3 | {} |",
            *peak as f64 / 1024.0,
            if ratio <= 1.3 { "yes" } else { "no" }
        );
    }
    drop(database);
    Ok(true)
}

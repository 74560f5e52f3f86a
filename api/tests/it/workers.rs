//! Real worker processes (the `profiles worker` binary) sharing one database: a worker killed in
//! the middle of a push, and the ORCID rate limit held across two workers. Each test runs its own
//! ORCID Member API double, so its counters and latency are not shared with other tests.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use profiles_api::db::schema::claims;
use serde_json::{json, Value};

use crate::claims::{person, seed_doi};
use crate::standins::{spawn_app_with_providers, standins};
use crate::support::TestApp;

/// A private ORCID Member API double that checks tokens against the shared ORCID stand-in.
struct PrivateDouble {
    url: String,
    _process: (Child, ChildStdin),
}

fn private_orcid_api(latency_ms: u64) -> PrivateDouble {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut child = Command::new("node")
        .arg(root.join("e2e/stand-ins/cli.mjs"))
        .args([
            "orcid-api",
            "--port",
            "0",
            "--orcid-url",
            &standins().orcid,
            "--exit-with-stdin",
        ])
        .args(["--latency-ms", &latency_ms.max(1).to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs the ORCID API double");
    let stdin = child.stdin.take().unwrap();
    let line = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let v: Value = serde_json::from_str(&line).unwrap();
    PrivateDouble {
        url: v["url"].as_str().unwrap().to_owned(),
        _process: (child, stdin),
    }
}

/// Kills the process when dropped, so a failing test leaves nothing running.
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_worker(app: &TestApp, orcid_api: &str, extra: &[(&str, &str)]) -> Worker {
    let orcid = app.config.orcid.as_ref().unwrap();
    let key = hex::encode(app.config.encryption_key.as_ref().unwrap().expose());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_profiles"));
    cmd.arg("worker")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("DATABASE_URL", &app.db.url)
        .env("ENCRYPTION_KEY", key)
        .env("ORCID_CLIENT_ID", &orcid.client_id)
        .env("ORCID_CLIENT_SECRET", orcid.client_secret.expose())
        .env("ORCID_URL", orcid.url.as_str())
        .env("ORCID_API_URL", orcid_api)
        .env("DATACITE_API_URL", &standins().datacite)
        .env("AUTO_UPDATE_POLL_SECS", "0")
        .env("WORKER_POLL_MS", "50")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    Worker(cmd.spawn().expect("the profiles binary"))
}

async fn control(url: &str, path: &str, body: Option<Value>) -> Value {
    let client = reqwest::Client::new();
    let req = match body {
        Some(b) => client.post(format!("{url}{path}")).json(&b),
        None => client.get(format!("{url}{path}")),
    };
    req.send().await.unwrap().json().await.unwrap()
}

fn states(app: &TestApp) -> Vec<String> {
    let mut conn = app.db.conn();
    claims::table.select(claims::state).load(&mut conn).unwrap()
}

async fn until_all_done(app: &TestApp, n: usize, within: Duration) {
    let start = Instant::now();
    loop {
        let s = states(app);
        if s.len() == n && s.iter().all(|s| s == "done") {
            return;
        }
        assert!(start.elapsed() < within, "claims not done in time: {s:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn a_worker_killed_mid_push_loses_nothing_and_duplicates_nothing() {
    let double = private_orcid_api(1500);
    let (app, _) = spawn_app_with_providers(&[("ORCID_API_URL", &double.url)]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let doi = seed_doi(&[&orcid], json!({})).await;
    let res = b
        .post(app.url("/api/v1/claims"))
        .json(&json!({ "doi": doi }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);

    let mut first = spawn_worker(&app, &double.url, &[("WORKER_LEASE_SECS", "3")]);
    // Wait until the push is under way and ORCID has a call in flight, then kill it without
    // warning. (The worker wakes as soon as a job is queued, so it may be reading the record for
    // the grant first: the claim must be `working` too.)
    let start = Instant::now();
    loop {
        let stats = control(&double.url, "/_control/stats", None).await;
        if stats["inFlight"].as_i64().unwrap_or(0) >= 1 && states(&app) == ["working"] {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the worker never called ORCID"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    assert_eq!(states(&app), ["working"], "the claim was in flight");

    // Another worker takes the job over once the lease runs out.
    let _second = spawn_worker(&app, &double.url, &[("WORKER_LEASE_SECS", "3")]);
    until_all_done(&app, 1, Duration::from_secs(60)).await;
    let works = control(&double.url, &format!("/_control/records/{orcid}"), None).await;
    assert_eq!(works["works"].as_array().unwrap().len(), 1, "{works}");
    let mut conn = app.db.conn();
    let (put_code, attempts): (Option<i64>, i32) = claims::table
        .select((claims::put_code, claims::attempts))
        .first(&mut conn)
        .unwrap();
    assert_eq!(put_code, works["works"][0]["put-code"].as_i64());
    assert_eq!(attempts, 2, "the job ran again");
}

#[actix_web::test]
async fn two_workers_share_one_orcid_rate_limit() {
    let double = private_orcid_api(50);
    // A small limit keeps the test short; the mechanism is the same at 24/s.
    control(
        &double.url,
        "/_control/config",
        Some(json!({"rateLimit": {"perSecond": 10, "burst": 6}})),
    )
    .await;
    let (app, _) = spawn_app_with_providers(&[("ORCID_API_URL", &double.url)]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let n = 40;
    for _ in 0..n {
        let doi = seed_doi(&[&orcid], json!({})).await;
        let res = b
            .post(app.url("/api/v1/claims"))
            .json(&json!({ "doi": doi }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
    }
    let limits = [
        ("ORCID_RATE_LIMIT_PER_SEC", "10"),
        ("ORCID_RATE_LIMIT_BURST", "6"),
        ("WORKER_CONCURRENCY", "8"),
    ];
    let _a = spawn_worker(&app, &double.url, &limits);
    let _b = spawn_worker(&app, &double.url, &limits);
    until_all_done(&app, n, Duration::from_secs(120)).await;
    let stats = control(&double.url, "/_control/stats", None).await;
    assert_eq!(stats["overLimit"], 0, "{stats}");
    assert_eq!(stats["byStatus"]["201"], n as i64, "{stats}");
    assert!(stats["perSecondPeak"].as_i64().unwrap() <= 10 + 6, "{stats}");
    let works = control(&double.url, &format!("/_control/records/{orcid}"), None).await;
    assert_eq!(works["works"].as_array().unwrap().len(), n);
}

//! What the benchmark and the fault suite share: a database of their own, seeded people, the
//! stand-in doubles and `profiles worker` processes, all real and all stopped when dropped.

#![allow(dead_code, reason = "each of the two examples uses part of it")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use profiles_api::claims::ClaimState;
use profiles_api::crypto::permission_context;
use profiles_api::crypto::Cipher;
use profiles_api::db::schema::{accounts, claims, orcid_permissions};
use profiles_api::domain::{OrcidId, PermissionKind};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub fn profiles_binary() -> Result<PathBuf, BoxError> {
    if let Ok(p) = std::env::var("PROFILES_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe()?;
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("profiles"))
        .ok_or("cannot locate the profiles binary; set PROFILES_BIN")?;
    if !bin.is_file() {
        return Err(format!("{} is missing: cargo build -p profiles-api --bins", bin.display()).into());
    }
    Ok(bin)
}

/// A database of its own, dropped (even while workers hold connections) when this goes.
pub struct BenchDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl BenchDatabase {
    pub fn create(admin_url: &str) -> Result<Self, BoxError> {
        let name = format!("bench_{}", Uuid::new_v4().simple());
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&format!("/{name}"));
        let mut admin = PgConnection::establish(admin_url)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for BenchDatabase {
    fn drop(&mut self) {
        let dropped = PgConnection::establish(&self.admin_url)
            .map_err(BoxError::from)
            .and_then(|mut admin| {
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
                    .execute(&mut admin)
                    .map_err(BoxError::from)
            });
        if let Err(e) = dropped {
            eprintln!("bench: could not drop database {}: {e}", self.name);
        }
    }
}

/// The `i`-th bench ORCID iD, `0009-0000-0000-000C` upwards, with its ISO 7064 11,2 check digit.
pub fn bench_orcid(i: usize) -> Result<OrcidId, BoxError> {
    let base = format!("0009{:011}", 1_000_000 + i);
    let mut total: u32 = 0;
    for c in base.chars() {
        total = (total + c.to_digit(10).unwrap_or(0)) * 2;
    }
    let check = match (12 - total % 11) % 11 {
        10 => 'X',
        d => char::from_digit(d, 10).unwrap_or('0'),
    };
    Ok(OrcidId::parse(&format!("{base}{check}"))?)
}

/// N accounts, each with an active Search & Link permission whose token is sealed the way the
/// sign-in flow seals it.
pub fn seed_people(
    conn: &mut PgConnection,
    key: &[u8; 32],
    n: usize,
    kind: PermissionKind,
) -> Result<Vec<OrcidId>, BoxError> {
    let cipher = Cipher::new(key);
    let people = (0..n).map(bench_orcid).collect::<Result<Vec<_>, _>>()?;
    conn.transaction(|conn| -> Result<(), BoxError> {
        for chunk in people.chunks(1000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|o| (accounts::orcid.eq(o.as_str()), accounts::role.eq("user")))
                .collect();
            let created: Vec<(Uuid, String)> = diesel::insert_into(accounts::table)
                .values(&rows)
                .returning((accounts::id, accounts::orcid))
                .get_results(conn)?;
            let grants: Vec<_> = created
                .iter()
                .map(|(account_id, orcid)| {
                    let sealed = cipher.seal_str(
                        &format!("bench-token-{orcid}"),
                        &permission_context(*account_id, kind, "access"),
                    );
                    (
                        orcid_permissions::account_id.eq(*account_id),
                        orcid_permissions::kind.eq(kind.as_str()),
                        orcid_permissions::status.eq("active"),
                        orcid_permissions::scope.eq("/activities/update"),
                        orcid_permissions::access_token_enc.eq(sealed),
                    )
                })
                .collect();
            diesel::insert_into(orcid_permissions::table)
                .values(&grants)
                .execute(conn)?;
        }
        Ok(())
    })?;
    Ok(people)
}

pub fn state_counts(conn: &mut PgConnection) -> QueryResult<Vec<(String, i64)>> {
    claims::table
        .group_by(claims::state)
        .select((claims::state, diesel::dsl::count_star()))
        .load(conn)
}

pub fn done_count(counts: &[(String, i64)]) -> i64 {
    counts
        .iter()
        .find(|(s, _)| s == ClaimState::Done.as_str())
        .map_or(0, |(_, c)| *c)
}

pub fn remaining(conn: &mut PgConnection) -> QueryResult<Vec<(String, Option<String>, i64)>> {
    claims::table
        .group_by((claims::state, claims::error_code))
        .select((claims::state, claims::error_code, diesel::dsl::count_star()))
        .order_by(claims::state)
        .load(conn)
}

/// When each claim became `done` (the worker stamps `claimed_at` as the push succeeds), in order.
pub fn completion_times(conn: &mut PgConnection) -> QueryResult<Vec<DateTime<Utc>>> {
    let times: Vec<Option<DateTime<Utc>>> = claims::table
        .filter(claims::state.eq(ClaimState::Done.as_str()))
        .select(claims::claimed_at)
        .order_by(claims::claimed_at)
        .load(conn)?;
    Ok(times.into_iter().flatten().collect())
}

/// A stand-in from `e2e/stand-ins/cli.mjs`; it exits when its stdin closes, i.e. when this goes.
pub struct Double {
    pub url: String,
    child: Child,
    _stdin: ChildStdin,
}

impl Double {
    pub fn start(root: &Path, args: &[&str]) -> Result<Self, BoxError> {
        let mut child = Command::new("node")
            .arg(root.join("e2e/stand-ins/cli.mjs"))
            .args(args)
            .args(["--port", "0", "--exit-with-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("node e2e/stand-ins/cli.mjs: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin pipe")?;
        let stdout = child.stdout.take().ok_or("no stdout pipe")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let ready: Value = serde_json::from_str(&line).map_err(|_| format!("{} did not start: {line:?}", args[0]))?;
        let url = ready["url"].as_str().ok_or("ready line without url")?.to_owned();
        Ok(Self {
            url,
            child,
            _stdin: stdin,
        })
    }
}

impl Drop for Double {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct WorkerEnv {
    pub database_url: String,
    pub key: String,
    pub orcid_api: String,
    pub datacite: String,
    /// ORCID's limit, as the workers are told it.
    pub rate: f64,
    pub burst: f64,
    /// More settings, applied last.
    pub extra: Vec<(String, String)>,
    /// Drop the worker's log instead of forwarding its warnings.
    pub quiet: bool,
}

/// A `profiles worker` process, killed when this goes.
pub struct Worker {
    pub child: Child,
    pub number: usize,
    /// Signals once, when the worker logs that it has started.
    started: Option<mpsc::Receiver<()>>,
}

impl Worker {
    pub fn start(profiles: &Path, i: usize, env: &WorkerEnv) -> Result<Self, BoxError> {
        let mut child = Command::new(profiles)
            .arg("worker")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            // Warnings, plus the job queue's "worker started" line, which marks the end of start-up.
            .env("RUST_LOG", "warn,profiles_api::jobs=info")
            .env("NO_COLOR", "1")
            .env("DATABASE_URL", &env.database_url)
            .env("ENCRYPTION_KEY", &env.key)
            .env("ORCID_CLIENT_ID", "APP-PROFILESTEST0001")
            .env("ORCID_CLIENT_SECRET", "bench-secret")
            .env("ORCID_URL", "http://127.0.0.1:9")
            .env("ORCID_API_URL", &env.orcid_api)
            .env("DATACITE_API_URL", &env.datacite)
            .env("ORCID_RATE_LIMIT_PER_SEC", env.rate.to_string())
            .env("ORCID_RATE_LIMIT_BURST", env.burst.to_string())
            .env("WORKER_CONCURRENCY", "8")
            .env("WORKER_POLL_MS", "100")
            .env("AUTO_UPDATE_POLL_SECS", "0")
            // Measured alone: no scheduled readings of the records.
            .env("RECONCILE_INTERVAL_HOURS", "0")
            .envs(env.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e}", profiles.display()))?;
        let stderr = child.stderr.take().ok_or("no stderr pipe")?;
        let (tx, rx) = mpsc::channel();
        // Forwards the worker's log (warnings only, after start-up) and reports start-up once.
        let quiet = env.quiet;
        std::thread::spawn(move || {
            let mut started = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("worker started") {
                    if let Some(tx) = started.take() {
                        let _ = tx.send(());
                    }
                } else if !quiet {
                    eprintln!("worker {i}: {line}");
                }
            }
        });
        Ok(Self {
            child,
            number: i,
            started: Some(rx),
        })
    }

    pub fn wait_started(&mut self, within: Duration) -> Result<(), BoxError> {
        let rx = self.started.take().ok_or("start-up already awaited")?;
        rx.recv_timeout(within)
            .map_err(|_| format!("worker {} did not start within {within:?}", self.number).into())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `Vm…` line of `/proc/<pid>/status`, in KiB.
pub fn proc_status_kib(pid: u32, field: &str) -> Result<u64, BoxError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status").into())
}

pub async fn control(http: &reqwest::Client, base: &str, path: &str, body: Option<Value>) -> Result<Value, BoxError> {
    let url = format!("{base}{path}");
    let req = match body {
        Some(b) => http.post(&url).json(&b),
        None => http.get(&url),
    };
    Ok(req.send().await?.error_for_status()?.json().await?)
}

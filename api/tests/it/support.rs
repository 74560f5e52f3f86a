//! Test harness: a fresh PostgreSQL database per test (cloned from a migrated template) and the
//! real app served on a random port.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use profiles_api::config::Config;
use profiles_api::db::{self, DbPool};
use profiles_api::startup::{self, AppState};
use sha2::{Digest, Sha256};

/// The server that `make test` started, from `DATABASE_URL`.
pub fn server_url() -> String {
    std::env::var("DATABASE_URL")
        .or_else(|_| std::env::var("TEST_DATABASE_URL"))
        .expect("DATABASE_URL must point at a PostgreSQL server; run the tests with `make test`")
}

fn with_database(url: &str, name: &str) -> String {
    let mut u = url::Url::parse(url).expect("DATABASE_URL is a URL");
    u.set_path(&format!("/{name}"));
    u.to_string()
}

/// Template name changes whenever a migration changes, so stale templates are never used.
fn template_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let mut hasher = Sha256::new();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        let mut entries: Vec<_> = walk(&dir);
        entries.sort();
        for path in entries {
            hasher.update(path.to_string_lossy().as_bytes());
            hasher.update(std::fs::read(&path).expect("read migration"));
        }
        format!("profiles_tpl_{}", &hex::encode(hasher.finalize())[..16])
    })
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn admin_conn() -> PgConnection {
    PgConnection::establish(&with_database(&server_url(), "postgres")).expect("connect to the postgres database")
}

fn ensure_template() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let mut admin = admin_conn();
        // Test binaries run in parallel processes too: one of them builds the template.
        diesel::sql_query("SELECT pg_advisory_lock(727274)")
            .execute(&mut admin)
            .unwrap();
        let name = template_name();
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let exists: Count = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
        ))
        .get_result(&mut admin)
        .unwrap();
        if exists.n == 0 {
            let building = format!("{name}_building");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                .execute(&mut admin)
                .unwrap();
            diesel::sql_query(format!("CREATE DATABASE {building}"))
                .execute(&mut admin)
                .unwrap();
            {
                let mut conn = PgConnection::establish(&with_database(&server_url(), &building)).unwrap();
                db::migrate(&mut conn).expect("migrations apply to an empty database");
            }
            diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
                .execute(&mut admin)
                .unwrap();
            diesel::sql_query(format!("ALTER DATABASE {name} IS_TEMPLATE true"))
                .execute(&mut admin)
                .unwrap();
        }
        diesel::sql_query("SELECT pg_advisory_unlock(727274)")
            .execute(&mut admin)
            .unwrap();
    });
}

/// A database of its own, dropped when the test ends.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub fn new() -> Self {
        Self::create(true)
    }

    /// An empty database, without migrations.
    pub fn empty() -> Self {
        Self::create(false)
    }

    fn create(migrated: bool) -> Self {
        let name = format!("profiles_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = admin_conn();
        if migrated {
            ensure_template();
            diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {}", template_name()))
                .execute(&mut admin)
                .expect("clone the template database");
        } else {
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .unwrap();
        }
        // A throwaway database: commits need not wait for the disk (the cluster keeps fsync on).
        diesel::sql_query(format!("ALTER DATABASE {name} SET synchronous_commit = off"))
            .execute(&mut admin)
            .unwrap();
        let url = with_database(&server_url(), &name);
        Self { name, url }
    }

    pub fn pool(&self) -> DbPool {
        db::pool(&self.url, 8, Duration::from_secs(5))
    }

    pub fn conn(&self) -> PgConnection {
        PgConnection::establish(&self.url).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let mut admin = admin_conn();
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut admin);
    }
}

pub struct TestApp {
    pub address: String,
    pub db: TestDb,
    pub pool: DbPool,
    pub client: reqwest::Client,
    pub config: Arc<Config>,
    /// The app's clock: tests move it forward instead of backdating rows or sleeping.
    pub clock: profiles_api::clock::Clock,
}

impl TestApp {
    /// A handle on a server running in another process (its database is not ours to drop).
    pub fn external(address: &str) -> ExternalApp {
        ExternalApp {
            address: address.to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }
}

/// Starts the real app on a random port, against a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    spawn_on(TcpListener::bind("127.0.0.1:0").unwrap(), overrides).await
}

/// The app on an already bound listener (so OAuth clients can be registered for its port first).
pub async fn spawn_on(listener: TcpListener, overrides: &[(&str, &str)]) -> TestApp {
    let db = TestDb::new();
    let port = listener.local_addr().unwrap().port();
    let mut env: HashMap<String, String> = HashMap::new();
    env.insert("DATABASE_URL".into(), db.url.clone());
    env.insert("PORT".into(), port.to_string());
    env.insert("WEB_UI_DIR".into(), "/nonexistent".into());
    for (k, v) in overrides {
        env.insert((*k).into(), (*v).into());
    }
    let config = Arc::new(Config::from(&env).expect("test config"));
    let pool = db::pool(
        config.database_url.as_ref().unwrap().expose(),
        8,
        config.database_connect_timeout,
    );
    let state = AppState::new(pool.clone(), config.clone());
    let clock = state.clock.clone();
    if state.cipher.is_some() {
        let mut conn = db.conn();
        state.keys.ensure_key(&mut conn).expect("a signing key");
    }
    let server = startup::run(listener, state).expect("server starts");
    actix_web::rt::spawn(server);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        db,
        pool,
        client,
        config,
        clock,
    }
}

/// Asserts an RFC 9457 problem response and returns its body.
pub async fn assert_problem(res: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(res.status().as_u16(), status, "unexpected status");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(ct.starts_with("application/problem+json"), "content type {ct}");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["type"], format!("urn:profiles:problem:{code}"), "{body}");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    body
}

/// An app served by another process, for the helpers that only need its address.
pub struct ExternalApp {
    pub address: String,
}

/// Anything served at an address: the in-process app or a spawned binary.
pub trait Addressed {
    fn address(&self) -> &str;
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address())
    }
}

impl Addressed for TestApp {
    fn address(&self) -> &str {
        &self.address
    }
}

impl Addressed for ExternalApp {
    fn address(&self) -> &str {
        &self.address
    }
}

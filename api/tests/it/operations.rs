//! What operators do to a running service: restore a backup into a fresh database, and rotate
//! `ENCRYPTION_KEY` with the old key readable meanwhile.

use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;

use diesel::prelude::*;
use serde_json::{json, Value};

use profiles_api::config::Config;
use profiles_api::crypto::{permission_context, Cipher};
use profiles_api::db::schema::{orcid_permissions, signing_keys};
use profiles_api::domain::PermissionKind;
use profiles_api::startup::{self, AppState};

use crate::claims::person;
use crate::datacite_compat::our_jwt;
use crate::standins::spawn_app_with_providers;
use crate::support::{TestApp, TestDb};

fn pg_tool(name: &str) -> String {
    let out = Command::new("pg_config").arg("--bindir").output().expect("pg_config");
    format!("{}/{name}", String::from_utf8(out.stdout).unwrap().trim())
}

/// Another server, with `config`, on the database at `url`.
fn serve_on(url: &str, config: Arc<Config>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let pool = profiles_api::db::pool(url, 4, std::time::Duration::from_secs(5));
    let server = startup::run(listener, AppState::new(pool, config)).unwrap();
    actix_web::rt::spawn(server);
    format!("http://127.0.0.1:{port}")
}

fn key_of(app: &TestApp) -> [u8; 32] {
    *app.config.encryption_key.as_ref().unwrap().expose()
}

/// How many sealed permission tokens of the database open with `cipher`, and how many do not.
fn permissions_open(conn: &mut PgConnection, cipher: &Cipher) -> (usize, usize) {
    let rows: Vec<(uuid::Uuid, String, Option<Vec<u8>>)> = orcid_permissions::table
        .select((
            orcid_permissions::account_id,
            orcid_permissions::kind,
            orcid_permissions::access_token_enc,
        ))
        .load(conn)
        .unwrap();
    let (mut opened, mut closed) = (0, 0);
    for (account, kind, sealed) in rows {
        let kind: PermissionKind = kind.parse().unwrap();
        let sealed = sealed.unwrap();
        match cipher.open_str(&sealed, &permission_context(account, kind, "access")) {
            Ok(_) => opened += 1,
            Err(_) => closed += 1,
        }
    }
    (opened, closed)
}

/// How many sealed identity tokens (access and refresh) open with `cipher`, and how many do not.
fn identities_open(conn: &mut PgConnection, cipher: &Cipher) -> (usize, usize) {
    use profiles_api::crypto::identity_context;
    use profiles_api::db::schema::identities;
    type Row = (String, String, Option<Vec<u8>>, Option<Vec<u8>>);
    let rows: Vec<Row> = identities::table
        .select((
            identities::provider,
            identities::subject,
            identities::access_token_enc,
            identities::refresh_token_enc,
        ))
        .load(conn)
        .unwrap();
    let (mut opened, mut closed) = (0, 0);
    for (provider, subject, access, refresh) in rows {
        let provider: profiles_api::domain::Provider = provider.parse().unwrap();
        for (which, sealed) in [("access", access), ("refresh", refresh)] {
            let Some(sealed) = sealed else { continue };
            match cipher.open_str(&sealed, &identity_context(provider, &subject, which)) {
                Ok(_) => opened += 1,
                Err(_) => closed += 1,
            }
        }
    }
    (opened, closed)
}

#[actix_web::test]
async fn a_pg_dump_restored_into_a_fresh_database_serves_the_same_accounts_claims_and_sessions() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (browser, orcid) = person(&app, &["search_and_link"]).await;
    let created = browser
        .post(app.url("/api/v1/claims"))
        .header("origin", &app.address)
        .json(&json!({ "doi": "10.5555/j9cp-6b21" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 202);
    let jwt = our_jwt(&app, &browser).await;

    let dump = std::env::temp_dir().join(format!("{}.dump", app.db.name));
    let status = Command::new(pg_tool("pg_dump"))
        .args(["-Fc", "--no-owner", "-f"])
        .arg(&dump)
        .arg(&app.db.url)
        .status()
        .unwrap();
    assert!(status.success(), "pg_dump");
    let restored = TestDb::empty();
    let status = Command::new(pg_tool("pg_restore"))
        .args(["--no-owner", "--exit-on-error", "-d", &restored.url])
        .arg(&dump)
        .status()
        .unwrap();
    std::fs::remove_file(&dump).ok();
    assert!(status.success(), "pg_restore");

    // The same settings (ENCRYPTION_KEY, SESSION_SECRET), the restored database.
    let there = serve_on(&restored.url, app.config.clone());
    let ready = reqwest::get(format!("{there}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200, "the restored schema is complete");
    // The browser's session goes on (cookies are per host, so it sends the same one).
    let me: Value = browser
        .get(format!("{there}/api/v1/accounts/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["orcid"], orcid.as_str());
    let claims: Value = browser
        .get(format!("{there}/api/v1/claims"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(claims["data"][0]["doi"], "10.5555/j9cp-6b21", "{claims}");
    // A JWT signed before the backup verifies; the restored private key signs new ones.
    let res = reqwest::Client::new()
        .get(format!("{there}/api/v1/accounts/me"))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let minted = browser
        .post(format!("{there}/api/v1/tokens"))
        // The restored service keeps its PUBLIC_URL, and so its origin.
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(minted.status(), 201);
    // The stored ORCID token decrypts with the same key.
    assert_eq!(
        permissions_open(&mut restored.conn(), &Cipher::new(&key_of(&app))),
        (1, 0)
    );
}

#[actix_web::test]
async fn encryption_key_rotation_reads_the_old_key_meanwhile_and_reencrypt_moves_everything() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (browser, _) = person(&app, &["search_and_link", "auto_update"]).await;
    let old = key_of(&app);
    let new = [7u8; 32];
    let mut conn = app.db.conn();

    // The new key alone cannot read what the old one sealed: that is why the old one stays listed.
    assert_eq!(permissions_open(&mut conn, &Cipher::new(&new)), (0, 2));
    let rotating = Cipher::new(&new).with_previous([&old]);
    assert_eq!(permissions_open(&mut conn, &rotating), (2, 0));

    // A process restarted with the new key and the old one as previous keeps serving.
    let mut env: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    env.insert("DATABASE_URL".into(), app.db.url.clone());
    env.insert("ENCRYPTION_KEY".into(), hex::encode(new));
    env.insert("ENCRYPTION_KEY_PREVIOUS".into(), hex::encode(old));
    env.insert("PUBLIC_URL".into(), app.address.clone());
    let mut config = Config::from(&env).unwrap();
    config.session_secret = app.config.session_secret.clone();
    let rotated = serve_on(&app.db.url, Arc::new(config));
    let minted = browser
        .post(format!("{rotated}/api/v1/tokens"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(
        minted.status(),
        201,
        "the signing key, sealed by the old key, still signs"
    );

    let (identity_tokens, _) = identities_open(&mut conn, &rotating);
    assert!(identity_tokens >= 1, "the ORCID identity keeps its token");
    let sealed_in = |column: &str| -> usize {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let q = format!("SELECT count({column}) AS n FROM orcid_permissions");
        diesel::sql_query(q).get_result::<N>(&mut app.db.conn()).unwrap().n as usize
    };
    let permission_tokens = sealed_in("access_token_enc") + sealed_in("refresh_token_enc");
    let report = profiles_api::auth::rekey::reencrypt(&mut conn, &rotating).unwrap();
    let keys: i64 = signing_keys::table.count().get_result(&mut conn).unwrap();
    // Every value was the old key's: the identity tokens, the permissions' access and refresh
    // tokens, the signing keys (the rotated process made none: it found the existing one).
    assert_eq!(
        report.resealed,
        identity_tokens + permission_tokens + keys as usize,
        "{report:?}"
    );
    assert_eq!(report.current, 0, "{report:?}");
    assert!(report.unreadable.is_empty(), "{report:?}");
    // Now the new key alone reads everything, and the old one nothing.
    assert_eq!(permissions_open(&mut conn, &Cipher::new(&new)), (2, 0));
    assert_eq!(permissions_open(&mut conn, &Cipher::new(&old)), (0, 2));
    assert_eq!(identities_open(&mut conn, &Cipher::new(&new)), (identity_tokens, 0));
    let again = profiles_api::auth::rekey::reencrypt(&mut conn, &rotating).unwrap();
    assert_eq!(again.resealed, 0, "{again:?}");

    // A key that opens nothing is reported, not silently skipped.
    let wrong = profiles_api::auth::rekey::reencrypt(&mut conn, &Cipher::new(&[9u8; 32])).unwrap();
    assert!(!wrong.unreadable.is_empty());
}

#[test]
fn previous_keys_without_a_current_key_are_a_configuration_error() {
    let env: std::collections::HashMap<String, String> =
        [("ENCRYPTION_KEY_PREVIOUS".to_owned(), hex::encode([1u8; 32]))]
            .into_iter()
            .collect();
    assert_eq!(Config::from(&env).unwrap_err().name, "ENCRYPTION_KEY_PREVIOUS");
}

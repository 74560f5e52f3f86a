//! The real binary, run through full sign-in flows with debug logging: no secret may appear in
//! its logs (tokens, codes, client secrets, keys, cookies).

use std::net::TcpListener;
use std::process::{Command, Stdio};

use diesel::prelude::*;
use profiles_api::crypto::Cipher;
use profiles_api::db::schema::{identities, orcid_permissions};

use crate::standins::{browser, flow, random_key, register, standins};
use crate::support::TestDb;

#[actix_web::test]
async fn no_secret_reaches_the_logs_of_a_full_flow() {
    let s = standins();
    let db = TestDb::new();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let orcid = register(
        &format!("{}/reg", s.orcid),
        serde_json::json!({ "redirect_uris": [format!("{base}/auth/orcid/callback"), format!("{base}/auth/orcid/grant/callback")],
                            "token_endpoint_auth_method": "client_secret_post", "grant_types": ["authorization_code", "refresh_token"] }),
    )
    .await;
    let github = register(
        &format!("{}/_control/clients", s.github),
        serde_json::json!({ "redirect_uris": [format!("{base}/auth/github/callback")] }),
    )
    .await;
    let (enc, session) = (random_key(32), random_key(64));
    let log_path = std::env::temp_dir().join(format!("profiles-log-{}.log", uuid::Uuid::new_v4()));
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_profiles"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "debug")
        .env("LOG_FORMAT", "json")
        .env("PORT", port.to_string())
        .env("DATABASE_URL", &db.url)
        .env("WEB_UI_DIR", "/nonexistent")
        .env("ENCRYPTION_KEY", &enc)
        .env("SESSION_SECRET", &session)
        .env("ORCID_CLIENT_ID", &orcid.0)
        .env("ORCID_CLIENT_SECRET", &orcid.1)
        .env("ORCID_URL", &s.orcid)
        .env("ORCID_API_URL", &s.orcid_api)
        .env("GITHUB_CLIENT_ID", &github.0)
        .env("GITHUB_CLIENT_SECRET", &github.1)
        .env("GITHUB_URL", &s.github)
        .env("GITHUB_API_URL", &s.github)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..200 {
        if client
            .get(format!("{base}/heartbeat"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        up,
        "the server did not start: {}",
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );

    let app = crate::support::TestApp::external(&base);
    let (b, jar) = browser();
    let res = flow(&app, &b, "/auth/orcid/start", "0000-0002-1825-0097").await;
    assert_eq!(res.status(), 303);
    let res = flow(&app, &b, "/auth/orcid/grant?kind=auto_update", "0000-0002-1825-0097").await;
    assert_eq!(res.status(), 303);
    let res = flow(&app, &b, "/auth/github/start?intent=link", "octocat").await;
    assert_eq!(res.status(), 303);
    let jwt: serde_json::Value = b
        .post(format!("{base}/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwt = jwt["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        client
            .get(format!("{base}/api/v1/accounts/me"))
            .bearer_auth(&jwt)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let cookie = reqwest::cookie::CookieStore::cookies(&*jar, &url::Url::parse(&base).unwrap())
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    b.post(format!("{base}/api/v1/auth/logout")).send().await.unwrap();

    // Every provider token the server holds, in plaintext.
    let cipher = Cipher::new(&profiles_api::config::decode_key(&enc).unwrap().try_into().unwrap());
    let mut conn = db.conn();
    let mut secrets: Vec<String> = vec![orcid.1.clone(), github.1.clone(), enc.clone(), session.clone(), jwt];
    for (provider, subject, sealed) in identities::table
        .select((
            identities::provider,
            identities::subject,
            identities::access_token_enc.assume_not_null(),
        ))
        .load::<(String, String, Vec<u8>)>(&mut conn)
        .unwrap()
    {
        secrets.push(
            cipher
                .open_str(&sealed, &format!("identity:{provider}:{subject}:access"))
                .unwrap(),
        );
    }
    let (account, sealed): (uuid::Uuid, Vec<u8>) = orcid_permissions::table
        .select((
            orcid_permissions::account_id,
            orcid_permissions::access_token_enc.assume_not_null(),
        ))
        .first(&mut conn)
        .unwrap();
    secrets.push(
        cipher
            .open_str(&sealed, &format!("permission:{account}:auto_update:access"))
            .unwrap(),
    );
    for part in cookie.split(';') {
        if let Some((_, value)) = part.trim().split_once('=') {
            secrets.push(value.to_owned());
        }
    }

    unsafe_kill(&mut child);
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(logs.contains("HTTP request"), "debug logs were written");
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret ({}…) appears in the logs",
            &secret[..4]
        );
    }
    // Authorization codes and states travel in query strings, which are never logged.
    assert!(!logs.contains("code="), "a query string with a code reached the logs");
    std::fs::remove_file(log_path).ok();
}

fn unsafe_kill(child: &mut std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

//! The independent security review's findings, one attack per test, each against the real app,
//! its database and the provider stand-ins. Each test failed on the code before its fix.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use diesel::prelude::*;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use profiles_api::config::Config;
use profiles_api::crypto::Cipher;
use profiles_api::db::schema::{accounts, api_tokens, audit_log, identities, sessions};
use profiles_api::domain::Role;
use profiles_api::startup::{self, AppState};
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use serde_json::{json, Value};

use crate::claims::{person, random_orcid};
use crate::datacite_compat::{datacite_jwt, datacite_keys, our_jwt};
use crate::standins::{
    browser, flow, form_flow, form_until_callback, location, sign_in_orcid, spawn_app_with_providers, standins, Started,
};
use crate::support::{assert_problem, TestApp};

const EVIL: &str = "http://evil.example";

/// Another API process on the same database and configuration (as behind a load balancer).
fn second_process(app: &TestApp, config: Config) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Real processes share the wall clock; this one shares the test's clock.
    let state = AppState::with_clock(app.pool.clone(), Arc::new(config), app.clock.clone());
    let server = startup::run(listener, state).unwrap();
    actix_web::rt::spawn(server);
    format!("http://127.0.0.1:{port}")
}

fn set_role(app: &TestApp, orcid: &str, role: Role) {
    diesel::update(accounts::table.filter(accounts::orcid.eq(orcid)))
        .set(accounts::role.eq(role.as_str()))
        .execute(&mut app.db.conn())
        .unwrap();
}

#[expect(
    clippy::disallowed_methods,
    reason = "DataCite's tokens carry wall-clock `iat` and `exp`, and so must these"
)]
fn datacite_token(key: &EncodingKey, claims: Value) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut body = json!({"name": "Someone", "iat": now, "exp": now + 300});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), claims.as_object()) {
        body.extend(extra.clone());
    }
    encode(&Header::new(Algorithm::RS256), &body, key).unwrap()
}

#[expect(clippy::disallowed_methods, reason = "as above")]
fn epoch() -> i64 {
    chrono::Utc::now().timestamp()
}

/// H1: a DataCite-signed token is a service only when its `uid` is on the allow-list, never an
/// ORCID iD; a person only with an account here; and never for longer than DataCite's own
/// tokens live.
#[actix_web::test]
async fn h1_datacite_jwts_speak_only_for_listed_services_and_people_with_accounts() {
    let (public, key) = datacite_keys();
    let (app, _) = spawn_app_with_providers(&[
        ("DATACITE_JWT_PUBLIC_KEY", &public),
        ("DATACITE_SERVICE_UIDS", "datacite.levriero"),
    ])
    .await;
    let (_, victim) = person(&app, &[]).await;
    let client = reqwest::Client::new();
    let read = |token: String| {
        client
            .get(app.url(&format!("/claims?user-id={victim}")))
            .bearer_auth(token)
            .send()
    };
    // The listed service reads anyone's claims.
    assert_eq!(
        read(datacite_jwt(&key, "datacite.levriero", "staff_admin"))
            .await
            .unwrap()
            .status(),
        200
    );
    // Any other staff-admin uid (a Fabrica login, another service) is nobody.
    for uid in ["datacite.lupo", "datacite", "admin"] {
        let res = read(datacite_jwt(&key, uid, "staff_admin")).await.unwrap();
        assert_eq!(res.status(), 401, "{uid}");
    }
    // An ORCID iD without an account here, raising its own role on volpino, is nobody either.
    let res = read(datacite_jwt(&key, &random_orcid(), "staff_admin")).await.unwrap();
    assert_eq!(res.status(), 401);
    // A listed service, but only with a staff-admin token.
    let res = read(datacite_jwt(&key, "datacite.levriero", "user")).await.unwrap();
    assert_eq!(res.status(), 401);
    // Lifetimes: DataCite's tokens live 30 days; a year-long one, or one issued 40 days ago, is
    // refused however it is signed.
    let now = epoch();
    let forever = datacite_token(
        &key,
        json!({"uid": "datacite.levriero", "role_id": "staff_admin", "exp": now + 400 * 86_400}),
    );
    assert_eq!(read(forever).await.unwrap().status(), 401);
    let old = datacite_token(
        &key,
        json!({"uid": "datacite.levriero", "role_id": "staff_admin", "iat": now - 40 * 86_400}),
    );
    assert_eq!(read(old).await.unwrap().status(), 401);
    let expired = datacite_token(
        &key,
        json!({"uid": "datacite.levriero", "role_id": "staff_admin", "iat": now - 600, "exp": now - 1}),
    );
    assert_eq!(read(expired).await.unwrap().status(), 401);
    // The configuration itself refuses an ORCID iD as a service.
    let mut env = std::collections::HashMap::new();
    env.insert("DATACITE_SERVICE_UIDS".to_owned(), format!("datacite.lupo,{victim}"));
    assert!(Config::from(&env).is_err());
}

/// H1: with our own key configured as DataCite's, our JWTs are not accepted on DataCite's path:
/// a signed-out session's token stays dead there too.
#[actix_web::test]
async fn h1_our_own_tokens_are_refused_on_the_datacite_path() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    // Our public key, as PEM, from our own JWKS.
    let jwks: Value = app
        .client
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let number = |field: &str| {
        rsa::BigUint::from_bytes_be(
            &URL_SAFE_NO_PAD
                .decode(jwks["keys"][0][field].as_str().unwrap())
                .unwrap(),
        )
    };
    let ours = rsa::RsaPublicKey::new(number("n"), number("e"))
        .unwrap()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let mut config = (*app.config).clone();
    config.datacite_jwt_public_key = Some(ours);
    let other = second_process(&app, config);

    let (b, orcid) = person(&app, &[]).await;
    let jwt = our_jwt(&app, &b).await;
    let claims = |base: &str| {
        reqwest::Client::new()
            .get(format!("{base}/claims?user-id={orcid}"))
            .bearer_auth(&jwt)
            .send()
    };
    assert_eq!(claims(&other).await.unwrap().status(), 200);
    let res = b
        .post(app.url("/api/v1/auth/logout"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    // Signed out: the token ends with its session, on both paths.
    assert_eq!(claims(&app.address).await.unwrap().status(), 401);
    assert_eq!(claims(&other).await.unwrap().status(), 401);
}

/// H1: what a DataCite service changes in someone's record is audited under its uid.
#[actix_web::test]
async fn h1_service_changes_are_audited_under_the_service_uid() {
    let (public, key) = datacite_keys();
    let (app, _) = spawn_app_with_providers(&[
        ("DATACITE_JWT_PUBLIC_KEY", &public),
        ("DATACITE_SERVICE_UIDS", "datacite.levriero"),
    ])
    .await;
    let (_, stranger) = crate::claims::person(&app, &[]).await;
    let res = reqwest::Client::new()
        .post(app.url("/claims"))
        .bearer_auth(datacite_jwt(&key, "datacite.levriero", "staff_admin"))
        .json(&json!({"claim": {"orcid": stranger, "doi": "10.5555/audited", "source_id": "orcid_update", "claim_action": "create"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let labels: Vec<String> = audit_log::table
        .filter(audit_log::target_id.eq(&stranger))
        .select(audit_log::actor_label)
        .load(&mut app.db.conn())
        .unwrap();
    assert_eq!(labels, ["DataCite service datacite.levriero"]);
}

/// M2: a pending Google/GitHub sign-up planted in the victim's browser is never linked by the
/// victim's ordinary ORCID sign-in; only the explicit confirmation, posted by our own page and
/// naming that very sign-up, links it.
#[actix_web::test]
async fn m2_a_planted_pending_sign_up_is_linked_only_by_its_confirmation() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    // The attacker's GitHub sign-up ends up in the victim's browser (a planted cookie).
    let (victim_browser, _) = browser();
    let res = flow(&app, &victim_browser, "/auth/github/start", "octocat").await;
    assert_eq!(location(&res), "/link-orcid");
    let pending: Value = victim_browser
        .get(app.url("/api/v1/auth/pending-signup"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pending["provider"], "github");

    // The victim signs in with ORCID as usual: nothing is linked, and the planted sign-up is gone.
    let victim = random_orcid();
    assert_eq!(sign_in_orcid(&app, &victim_browser, &victim).await.status(), 303);
    let linked: i64 = identities::table
        .filter(identities::provider.eq("github"))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(linked, 0, "an ordinary sign-in linked a pending sign-up");
    let res = victim_browser
        .get(app.url("/api/v1/auth/pending-signup"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 404, "no_pending_signup").await;

    // Only the person's own confirmation finishes one.
    let res = flow(&app, &victim_browser, "/auth/github/start", "octocat").await;
    assert_eq!(location(&res), "/link-orcid");
    let pending: Value = victim_browser
        .get(app.url("/api/v1/auth/pending-signup"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = pending["id"].as_str().unwrap().to_owned();
    // A confirmation by navigation (a link from anywhere) is refused …
    let res = victim_browser
        .get(app.url(&format!("/auth/orcid/start?pending_signup={id}")))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "confirmation_required").await;
    // … and so is a form posted by another site, or one naming another sign-up.
    let res = victim_browser
        .post(app.url("/auth/orcid/start"))
        .header("origin", EVIL)
        .form(&[("pending_signup", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "cross_origin_request").await;
    let other = uuid::Uuid::new_v4().to_string();
    let Started::Refused(res) = form_until_callback(
        &app,
        &victim_browser,
        "/auth/orcid/start",
        &[("pending_signup", &other)],
        &victim,
    )
    .await
    else {
        panic!("a sign-up that is not waiting here was accepted");
    };
    assert_problem(res, 404, "no_pending_signup").await;

    // The person's own confirmation links it.
    let res = form_flow(
        &app,
        &victim_browser,
        "/auth/orcid/start",
        &[("pending_signup", &id), ("return_to", "/settings/social")],
        &victim,
    )
    .await;
    assert_eq!(location(&res), "/settings/social");
    let linked: i64 = identities::table
        .filter(identities::provider.eq("github"))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(linked, 1);
}

/// M2 and L9: over https our cookies carry the `__Host-` prefix (no sibling subdomain or http
/// page can plant them), and browsers are told to stay on https.
#[actix_web::test]
async fn m2_over_https_cookies_carry_the_host_prefix_and_hsts_is_sent() {
    let (app, _) = spawn_app_with_providers(&[("PUBLIC_URL", "https://profiles.example.test")]).await;
    let res = app.client.get(app.url("/auth/orcid/start")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-profiles_oauth_state="), "{cookie}");
    assert!(cookie.contains("Path=/;") || cookie.ends_with("Path=/"), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    let hsts = res.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    // Plain http on loopback (make run) sends no HSTS.
    let (plain, _) = spawn_app_with_providers(&[]).await;
    let res = plain.client.get(plain.url("/api/v1/status")).send().await.unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
}

/// M3: a link or a grant started from another site is refused, however it is started.
#[actix_web::test]
async fn m3_link_and_grant_flows_started_by_another_site_are_refused() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = person(&app, &[]).await;
    for (path, sec_fetch_site) in [
        ("/auth/orcid/grant?kind=auto_update", "cross-site"),
        ("/auth/orcid/grant?kind=auto_update", "same-site"),
        ("/auth/github/start?intent=link", "cross-site"),
        ("/auth/google/start?intent=link", "same-site"),
    ] {
        let res = b
            .get(app.url(path))
            .header("sec-fetch-site", sec_fetch_site)
            .send()
            .await
            .unwrap();
        assert_problem(res, 403, "cross_origin_request").await;
    }
    // An older browser without Sec-Fetch-Site still says where it came from.
    let res = b
        .get(app.url("/auth/orcid/grant?kind=auto_update"))
        .header("referer", format!("{EVIL}/page"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "cross_origin_request").await;
    // Form posts must come from our own page.
    for origin in [Some(EVIL), None] {
        let mut req = b.post(app.url("/auth/orcid/grant")).form(&[("kind", "auto_update")]);
        if let Some(origin) = origin {
            req = req.header("origin", origin);
        }
        assert_problem(req.send().await.unwrap(), 403, "cross_origin_request").await;
    }
    // From our own page, the grant goes to ORCID.
    let res = b
        .post(app.url("/auth/orcid/grant"))
        .header("origin", &app.address)
        .form(&[("kind", "auto_update"), ("return_to", "/settings/claims")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with(&standins().orcid), "{}", location(&res));
    let res = b
        .get(app.url("/auth/orcid/grant?kind=search_and_link"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

/// M3: `return_to` cannot chain a sign-in into a grant, a link or an API call, however spelled.
#[actix_web::test]
async fn m3_return_to_never_names_another_flow() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    for return_to in [
        "/auth/orcid/grant?kind=auto_update",
        "/auth/github/start?intent=link",
        "/./auth/orcid/grant?kind=auto_update",
        "/settings/../auth/orcid/grant",
        "/x/..//auth/orcid/grant",
        "/%61uth/orcid/grant?kind=auto_update",
        "/AUTH/orcid/grant",
        "/api/v1/tokens",
    ] {
        let mut url = url::Url::parse(&app.url("/auth/orcid/start")).unwrap();
        url.query_pairs_mut().append_pair("return_to", return_to);
        let res = app.client.get(url).send().await.unwrap();
        assert_problem(res, 400, "invalid_return_to").await;
    }
    let res = app
        .client
        .get(app.url("/auth/orcid/start?return_to=/settings/claims%3Ftab%3Dauto"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

/// L1: another site cannot sign the person out.
#[actix_web::test]
async fn l1_logout_from_another_site_is_refused() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = person(&app, &[]).await;
    let res = b
        .post(app.url("/api/v1/auth/logout"))
        .header("origin", EVIL)
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "cross_origin_request").await;
    let res = b
        .post(app.url("/api/v1/auth/logout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "cross_origin_request").await;
    assert_eq!(
        b.get(app.url("/api/v1/accounts/me")).send().await.unwrap().status(),
        200
    );
}

/// L2: a cookie-authenticated write without `Origin` is refused when the browser says another
/// site (or a sibling) sent it.
#[actix_web::test]
async fn l2_cookie_writes_without_origin_are_judged_by_sec_fetch_site() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = person(&app, &[]).await;
    for site in ["cross-site", "same-site"] {
        let res = b
            .post(app.url("/api/v1/tokens"))
            .header("sec-fetch-site", site)
            .send()
            .await
            .unwrap();
        assert_problem(res, 403, "cross_origin_request").await;
    }
    for site in ["same-origin", "none"] {
        let res = b
            .post(app.url("/api/v1/tokens"))
            .header("sec-fetch-site", site)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{site}");
    }
}

/// L3: what cannot be a DOI (a suffix that walks up the URL path) is refused before it is
/// queued, on both surfaces.
#[actix_web::test]
async fn l3_a_doi_that_walks_a_url_path_is_refused() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &[]).await;
    for doi in [
        "10.5555/../../providers/x",
        "10.5555/./x",
        "https://doi.org/10.5555/a/../../b",
    ] {
        let res = b
            .post(app.url("/api/v1/claims"))
            .header("origin", &app.address)
            .json(&json!({ "doi": doi }))
            .send()
            .await
            .unwrap();
        assert_problem(res, 422, "invalid_doi").await;
    }
    let jwt = our_jwt(&app, &b).await;
    let res = reqwest::Client::new()
        .post(app.url("/claims"))
        .bearer_auth(&jwt)
        .json(&json!({"claim": {"orcid": orcid, "doi": "10.5555/../../providers/x", "source_id": "orcid_search"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}

/// L4: when a new sign-in or grant replaces a stored provider token, the old one is revoked at
/// the provider (GitHub: that token only; ORCID: that authorization only), and the new one works.
#[actix_web::test]
async fn l4_a_replaced_provider_token_is_revoked_at_the_provider() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &[]).await;
    let res = flow(&app, &b, "/auth/github/start?intent=link", "octocat").await;
    assert_eq!(res.status(), 303);
    let cipher = Cipher::new(app.config.encryption_key.as_ref().unwrap().expose());
    let token = |provider: &str| {
        let (subject, sealed): (String, Vec<u8>) = identities::table
            .filter(identities::provider.eq(provider))
            .select((identities::subject, identities::access_token_enc.assume_not_null()))
            .first(&mut app.db.conn())
            .unwrap();
        cipher
            .open_str(&sealed, &format!("identity:{provider}:{subject}:access"))
            .unwrap()
    };
    let (github_before, orcid_before) = (token("github"), token("orcid"));
    // Signing in again, from another browser, with GitHub and then ORCID, stores new tokens.
    let (b2, _) = browser();
    assert_eq!(flow(&app, &b2, "/auth/github/start", "octocat").await.status(), 303);
    assert_eq!(sign_in_orcid(&app, &b2, &orcid).await.status(), 303);
    let (github_after, orcid_after) = (token("github"), token("orcid"));
    assert_ne!(github_before, github_after);
    assert_ne!(orcid_before, orcid_after);
    let github_works = |t: String| async move {
        reqwest::Client::new()
            .get(format!("{}/user", standins().github))
            .bearer_auth(t)
            .header("user-agent", "profiles-tests")
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    };
    let orcid_works = |t: String| async move {
        reqwest::Client::new()
            .get(format!("{}/oauth/userinfo", standins().orcid))
            .bearer_auth(t)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    };
    // The revocations run in the background; give them a moment.
    let mut revoked = (false, false);
    for _ in 0..50 {
        revoked = (
            !github_works(github_before.clone()).await,
            !orcid_works(orcid_before.clone()).await,
        );
        if revoked == (true, true) {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(revoked, (true, true), "(GitHub, ORCID): the replaced tokens still work");
    assert!(github_works(github_after).await, "the new GitHub token was revoked too");
    assert!(orcid_works(orcid_after).await, "the new ORCID token was revoked too");
}

/// L5: limits are counted in PostgreSQL, so two processes share them; a refusal is a 429
/// problem with `Retry-After`, and the next window is open again.
#[actix_web::test]
async fn l5_rate_limits_hold_across_processes_and_say_when_to_retry() {
    let (app, _) = spawn_app_with_providers(&[
        ("RATE_LIMIT_FLOW_STARTS_PER_MINUTE", "4"),
        ("RATE_LIMIT_TOKENS_PER_HOUR", "2"),
        ("RATE_LIMIT_CLAIMS_PER_HOUR", "2"),
    ])
    .await;
    // Start just after the turn of an hour, so that no fixed window (minute or hour) ends
    // while the test counts.
    let now = app.clock.now().timestamp();
    app.clock
        .advance(chrono::Duration::seconds(3600 - now.rem_euclid(3600) + 1));
    let other = second_process(&app, (*app.config).clone());
    let start = |base: &str| app.client.get(format!("{base}/auth/orcid/start")).send();
    for base in [&app.address, &other, &app.address, &other] {
        assert_eq!(start(base).await.unwrap().status(), 303);
    }
    let res = start(&other).await.unwrap();
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_problem(res, 429, "rate_limited").await;
    // Not one row per anonymous start beyond the limit.
    let states: i64 = profiles_api::db::schema::auth_states::table
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(states, 4);
    // The next window opens again.
    app.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(start(&app.address).await.unwrap().status(), 303);

    // Tokens, per account.
    let (b, _) = person(&app, &[]).await;
    let mint = |base: &str| {
        b.post(format!("{base}/api/v1/tokens"))
            .header("origin", &app.address)
            .send()
    };
    assert_eq!(mint(&app.address).await.unwrap().status(), 201);
    assert_eq!(mint(&other).await.unwrap().status(), 201);
    assert_problem(mint(&app.address).await.unwrap(), 429, "rate_limited").await;
    // Claims, per account.
    let claim = |n: u32| {
        b.post(app.url("/api/v1/claims"))
            .header("origin", &app.address)
            .json(&json!({ "doi": format!("10.5555/limit-{n}") }))
            .send()
    };
    assert_eq!(claim(1).await.unwrap().status(), 202);
    assert_eq!(claim(2).await.unwrap().status(), 202);
    assert_problem(claim(3).await.unwrap(), 429, "rate_limited").await;
}

/// L7: `X-Forwarded-For` names the client only when a trusted proxy sent it.
#[actix_web::test]
async fn l7_forwarded_for_counts_only_from_trusted_proxies() {
    async fn session_ip(app: &TestApp) -> Option<String> {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
        let b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar)
            .default_headers(headers)
            .build()
            .unwrap();
        let orcid = random_orcid();
        assert_eq!(sign_in_orcid(app, &b, &orcid).await.status(), 303);
        sessions::table
            .inner_join(accounts::table)
            .filter(accounts::orcid.eq(&orcid))
            .select(sessions::ip)
            .first(&mut app.db.conn())
            .unwrap()
    }
    let (untrusting, _) = spawn_app_with_providers(&[]).await;
    assert_eq!(session_ip(&untrusting).await.as_deref(), Some("127.0.0.1"));
    let (behind_proxy, _) = spawn_app_with_providers(&[("TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    assert_eq!(session_ip(&behind_proxy).await.as_deref(), Some("203.0.113.9"));
}

/// L9: every page and answer carries a Content-Security-Policy that allows only our own scripts.
#[actix_web::test]
async fn l9_pages_carry_a_content_security_policy() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    for path in ["/", "/settings", "/api/v1/status", "/api/docs", "/auth/orcid/start"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        let csp = res
            .headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp:?}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp:?}");
        assert!(!csp.contains("unsafe-eval"), "{path}: {csp:?}");
    }
}

/// L10: tokens made on the command line expire, and their creation is audited.
#[actix_web::test]
async fn l10_command_line_tokens_expire_and_are_audited() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (_, orcid) = person(&app, &[]).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_profiles"))
        .args([
            "tokens",
            "create",
            "--orcid",
            &orcid,
            "--name",
            "feed",
            "--scope",
            "claims:read",
        ])
        .env("DATABASE_URL", &app.db.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let expires: Option<chrono::DateTime<chrono::Utc>> = api_tokens::table
        .select(api_tokens::expires_at)
        .first(&mut app.db.conn())
        .unwrap();
    let days = (expires.expect("an expiry") - app.clock.now()).num_days();
    assert!((364..=365).contains(&days), "{days}");
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("api_token.created"))
        .filter(audit_log::target_id.eq(&orcid))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(audited, 1);
    // And none lives for ever.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_profiles"))
        .args([
            "tokens",
            "create",
            "--orcid",
            &orcid,
            "--name",
            "x",
            "--scope",
            "claims:read",
        ])
        .args(["--expires-in-days", "100000"])
        .env("DATABASE_URL", &app.db.url)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// Re-authentication: what guards an account needs a sign-in within the last ten minutes; an
/// older session hears `reauthentication_required`, and a fresh ORCID sign-in (asked to take the
/// password again) lets the person go on.
#[actix_web::test]
async fn reauthentication_guards_tokens_linking_permissions_deletion_and_roles() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let (_, other) = person(&app, &[]).await;
    set_role(&app, &orcid, Role::StaffAdmin);
    let origin = app.address.clone();
    let new_token = || {
        b.post(app.url("/api/v1/accounts/me/tokens"))
            .header("origin", &origin)
            .json(&json!({"name": "ci", "scopes": ["claims:read"]}))
            .send()
    };
    assert_eq!(new_token().await.unwrap().status(), 201);

    // Eleven minutes later. The session's sign-in is moved back rather than our clock forward:
    // the ORCID stand-in, another process, stamps `auth_time` with the wall clock.
    diesel::update(sessions::table)
        .set(sessions::authenticated_at.eq(sessions::authenticated_at - chrono::Duration::minutes(11)))
        .execute(&mut app.db.conn())
        .unwrap();
    assert_problem(new_token().await.unwrap(), 401, "reauthentication_required").await;
    let guarded = [
        b.delete(app.url("/api/v1/accounts/me"))
            .json(&json!({"confirm": orcid})),
        b.delete(app.url("/api/v1/accounts/me/permissions/search_and_link")),
        b.delete(app.url("/api/v1/accounts/me/identities/github")),
        b.delete(app.url("/api/v1/accounts/me/identities/orcid/token")),
        b.patch(app.url(&format!("/api/v1/admin/accounts/{other}")))
            .json(&json!({"role": "staff_user"})),
    ];
    for req in guarded {
        let res = req.header("origin", &origin).send().await.unwrap();
        let url = res.url().path().to_owned();
        let status = res.status();
        assert_eq!(status, 401, "{url}");
        assert_problem(res, 401, "reauthentication_required").await;
    }
    // Everyday things do not ask for it, and the session is still there.
    let res = b
        .patch(app.url("/api/v1/accounts/me"))
        .header("origin", &origin)
        .json(&json!({"name": "Still Me"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A browser flow sends the person through ORCID's login and back to the page.
    let res = b
        .post(app.url("/auth/orcid/grant"))
        .header("origin", &origin)
        .header("accept", "text/html")
        .form(&[("kind", "auto_update"), ("return_to", "/settings/claims")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert_eq!(
        to,
        "/auth/orcid/start?reauthenticate=true&return_to=%2Fsettings%2Fclaims"
    );
    // Signing in again: ORCID is asked to take the password whatever session it has.
    let start = b.get(app.url(&to)).send().await.unwrap();
    let authorize = location(&start);
    assert!(authorize.contains("prompt=login"), "{authorize}");
    assert!(authorize.contains("max_age=0"), "{authorize}");
    let res = flow(&app, &b, &to, &orcid).await;
    assert_eq!(location(&res), "/settings/claims");
    assert_eq!(new_token().await.unwrap().status(), 201);
    let res = b
        .patch(app.url(&format!("/api/v1/admin/accounts/{other}")))
        .header("origin", &origin)
        .json(&json!({"role": "staff_user"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The session it replaced is over.
    let live: i64 = sessions::table
        .inner_join(accounts::table)
        .filter(accounts::orcid.eq(&orcid))
        .filter(sessions::revoked_at.is_null())
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(live, 1);
    // A provider that answers with an old login (`auth_time` before this flow began) has not
    // re-authenticated anyone: seen from a clock 11 minutes ahead, the stand-in's fresh login is
    // just that.
    app.clock.advance(chrono::Duration::minutes(11));
    let res = flow(&app, &b, &to, &orcid).await;
    assert_problem(res, 401, "reauthentication_required").await;
    // Nor does an ordinary sign-in that rides on such a login count as a recent one.
    assert_eq!(sign_in_orcid(&app, &b, &orcid).await.status(), 303);
    assert_problem(new_token().await.unwrap(), 401, "reauthentication_required").await;
    // Re-authentication is with ORCID.
    let res = b
        .get(app.url("/auth/github/start?reauthenticate=true"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "invalid_parameter").await;
}

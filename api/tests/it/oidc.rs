//! Profiles as an OpenID Provider, driven by the `openidconnect` crate as a relying party, and
//! attacked: wrong redirect URI, wrong secret, code replay, PKCE and nonce mismatches, refresh
//! token reuse, a revoked session's tokens, `alg: none` and key confusion.

use base64::Engine;
use diesel::prelude::*;
use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreResponseType, CoreUserInfoClaims};
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, RefreshToken, Scope, TokenResponse,
};
use serde_json::{json, Value};

use crate::claims::person;
use crate::standins::spawn_app_with_providers;
use crate::support::{Addressed, TestApp};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn register(app: &TestApp, public: bool, first_party: bool, extra: Value) -> (String, Option<String>) {
    let mut conn = app.db.conn();
    let new: profiles_api::clients::NewClient = serde_json::from_value(json!({
        "name": "Repository of Examples",
        "redirect_uris": [REDIRECT],
        // DataCite's claims are for first-party clients only.
        "allowed_scopes": if first_party { json!(["profile", "orcid", "datacite", "offline_access"]) } else { json!(["profile", "orcid", "offline_access"]) },
        "public": public,
        "first_party": first_party,
        "post_logout_redirect_uris": extra.get("post_logout_redirect_uris").cloned().unwrap_or(json!([])),
        "backchannel_logout_uri": extra.get("backchannel_logout_uri").cloned().unwrap_or(Value::Null),
    }))
    .unwrap();
    let (client, secret) = profiles_api::clients::register(&mut conn, &new, None).unwrap();
    (client.id, secret)
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Follows our authorization endpoint in the signed-in browser `b` to the client's redirect;
/// returns the redirect's query.
async fn authorize(app: &TestApp, b: &reqwest::Client, url: &str) -> Vec<(String, String)> {
    let res = b.get(url).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(REDIRECT),
        "to the client: {location} ({})",
        app.address()
    );
    url::Url::parse(&location).unwrap().query_pairs().into_owned().collect()
}

fn param(q: &[(String, String)], k: &str) -> Option<String> {
    q.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone())
}

fn pkce_pair() -> (String, String) {
    let verifier = profiles_api::crypto::random_token(32);
    let challenge = profiles_api::clients::tokens::challenge_of(&verifier);
    (verifier, challenge)
}

fn authorize_url(app: &TestApp, client_id: &str, challenge: &str, extra: &str) -> String {
    app.url(&format!(
        "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid%20profile&state=s1&nonce=n1&code_challenge={challenge}&code_challenge_method=S256{extra}",
        urlencoding(REDIRECT)
    ))
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn token(app: &TestApp, form: &[(&str, &str)]) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/oauth/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn userinfo(app: &TestApp, access: &str) -> u16 {
    app.client
        .get(app.url("/oauth/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[actix_web::test]
async fn an_openidconnect_relying_party_signs_in_with_pkce_refreshes_and_reads_userinfo() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &[]).await;
    let (client_id, secret) = register(&app, false, true, json!({}));
    let http = http();
    let metadata = CoreProviderMetadata::discover_async(IssuerUrl::new(app.config.jwt.issuer.clone()).unwrap(), &http)
        .await
        .expect("discovery");
    let rp = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id.clone()),
        Some(ClientSecret::new(secret.clone().unwrap())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = rp
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("orcid".into()))
        .add_scope(Scope::new("datacite".into()))
        .set_pkce_challenge(challenge)
        .url();
    let q = authorize(&app, &b, url.as_str()).await;
    assert_eq!(param(&q, "state").as_deref(), Some(csrf.secret().as_str()));
    assert_eq!(param(&q, "iss").as_deref(), Some(app.config.jwt.issuer.as_str()));
    let code = param(&q, "code").expect("a code");
    let tokens = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("the code is exchanged");
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&rp.id_token_verifier(), &nonce)
        .expect("the ID token verifies");
    let account_id: String = {
        use profiles_api::db::schema::accounts;
        let mut conn = app.db.conn();
        accounts::table
            .filter(accounts::orcid.eq(&orcid))
            .select(accounts::id)
            .first::<uuid::Uuid>(&mut conn)
            .unwrap()
            .to_string()
    };
    assert_eq!(claims.subject().as_str(), account_id, "sub is the account");
    assert!(claims.auth_time().is_some());
    // A wrong nonce does not verify: the RP would refuse a token made for another request.
    assert!(id_token
        .claims(&rp.id_token_verifier(), &Nonce::new("other".into()))
        .is_err());

    let info: CoreUserInfoClaims = rp
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.subject().as_str(), account_id);
    let raw: Value = app
        .client
        .get(app.url("/oauth/userinfo"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        raw["uid"],
        orcid.as_str(),
        "DataCite's claims by the datacite scope: {raw}"
    );
    assert!(raw["orcid"].as_str().unwrap().ends_with(&orcid));
    assert!(raw.get("role_id").is_some());
    // Our API does not take the provider's access token for its own bearer JWT.
    let res = app
        .client
        .get(app.url("/api/v1/accounts/me"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // Refresh rotates; the spent one, presented again, revokes the whole sign-in.
    let first = tokens.refresh_token().expect("a refresh token").clone();
    let refreshed = rp
        .exchange_refresh_token(&first)
        .unwrap()
        .request_async(&http)
        .await
        .expect("refreshed");
    let second = refreshed.refresh_token().expect("a new refresh token").clone();
    assert_ne!(first.secret(), second.secret());
    assert_eq!(userinfo(&app, refreshed.access_token().secret()).await, 200);
    let reused = rp.exchange_refresh_token(&first).unwrap().request_async(&http).await;
    assert!(reused.is_err(), "a spent refresh token is refused");
    let after = rp
        .exchange_refresh_token(&RefreshToken::new(second.secret().clone()))
        .unwrap()
        .request_async(&http)
        .await;
    assert!(after.is_err(), "and the family is revoked with it");
    assert_eq!(userinfo(&app, refreshed.access_token().secret()).await, 401);
}

#[actix_web::test]
async fn wrong_redirects_secrets_codes_verifiers_and_tokens_are_refused() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = person(&app, &[]).await;
    let (client_id, secret) = register(&app, false, true, json!({}));
    let secret = secret.unwrap();
    let (verifier, challenge) = pkce_pair();

    // An unregistered redirect URI or client: a page, never a redirect.
    let wrong = authorize_url(&app, &client_id, &challenge, "")
        .replace(&urlencoding(REDIRECT), &urlencoding("https://evil.example/cb"));
    let res = b.get(&wrong).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.headers().get("location").is_none());
    let res = b
        .get(authorize_url(&app, "pc_nobody", &challenge, ""))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    // No PKCE: back to the client with an error.
    let no_pkce = app.url(&format!(
        "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid&state=s",
        urlencoding(REDIRECT)
    ));
    let q = authorize(&app, &b, &no_pkce).await;
    assert_eq!(param(&q, "error").as_deref(), Some("invalid_request"));
    assert_eq!(param(&q, "state").as_deref(), Some("s"));
    // Not signed in, prompt=none: login_required.
    let q = authorize(
        &app,
        &app.client,
        &authorize_url(&app, &client_id, &challenge, "&prompt=none"),
    )
    .await;
    assert_eq!(param(&q, "error").as_deref(), Some("login_required"));
    // A scope the client may not have.
    let q = authorize(
        &app,
        &b,
        &authorize_url(&app, &client_id, &challenge, "").replace("openid%20profile", "openid%20email"),
    )
    .await;
    assert_eq!(param(&q, "error").as_deref(), Some("invalid_scope"));

    let code = param(
        &authorize(&app, &b, &authorize_url(&app, &client_id, &challenge, "")).await,
        "code",
    )
    .unwrap();
    // Wrong secret; wrong verifier.
    let (status, body) = token(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
            ("client_secret", "nope"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "{body}"
    );
    let (status, body) = token(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", "x".repeat(43).as_str()),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");

    // A fresh code, redeemed; then replayed: refused, and what it gave is revoked.
    let code = param(
        &authorize(&app, &b, &authorize_url(&app, &client_id, &challenge, "")).await,
        "code",
    )
    .unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.as_str()),
        ("client_id", client_id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    let (status, issued) = token(&app, &form).await;
    assert_eq!(status, 200, "{issued}");
    let access = issued["access_token"].as_str().unwrap().to_owned();
    assert_eq!(userinfo(&app, &access).await, 200);
    let (status, body) = token(&app, &form).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(userinfo(&app, &access).await, 401, "a replayed code revokes its tokens");

    // alg none, and key confusion (HS256 keyed with our public key), on a real token's claims.
    let code = param(
        &authorize(&app, &b, &authorize_url(&app, &client_id, &challenge, "")).await,
        "code",
    )
    .unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.as_str()),
        ("client_id", client_id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    let (_, issued) = token(&app, &form).await;
    let access = issued["access_token"].as_str().unwrap().to_owned();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let body_part = access.split('.').nth(1).unwrap();
    let none = format!("{}.{body_part}.", b64.encode(br#"{"alg":"none","typ":"at+jwt"}"#));
    assert_eq!(userinfo(&app, &none).await, 401);
    let jwks: Value = app
        .client
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let n = jwks["keys"][0]["n"].as_str().unwrap();
    let kid = jwks["keys"][0]["kid"].as_str().unwrap();
    let claims: Value = serde_json::from_slice(&b64.decode(body_part).unwrap()).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(kid.into());
    header.typ = Some("at+jwt".into());
    let confused =
        jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_secret(n.as_bytes())).unwrap();
    assert_eq!(userinfo(&app, &confused).await, 401);
    // The ID token is not an access token either.
    assert_eq!(userinfo(&app, issued["id_token"].as_str().unwrap()).await, 401);

    // Introspection for resource servers: active now; inactive once the session ends.
    let introspect = |t: String| {
        let (app, id, secret) = (&app, client_id.clone(), secret.clone());
        async move {
            let v: Value = app
                .client
                .post(app.url("/oauth/introspect"))
                .basic_auth(id, Some(secret))
                .form(&[("token", t)])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v
        }
    };
    // Signing in to Profiles again (here: as a client's prompt=login would) keeps the person's
    // sign-ins to apps.
    let orcid_of_b = {
        let me: Value = b
            .get(app.url("/api/v1/accounts/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        me["orcid"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        crate::standins::sign_in_orcid(&app, &b, &orcid_of_b).await.status(),
        303
    );
    assert_eq!(
        userinfo(&app, &access).await,
        200,
        "signing in again keeps app sign-ins"
    );
    // Another person naming this session's id ends nothing of it.
    let sid = {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let claims: Value = serde_json::from_slice(
            &b64.decode(issued["id_token"].as_str().unwrap().split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        claims["sid"].as_str().unwrap().to_owned()
    };
    let (other, _) = person(&app, &[]).await;
    let res = other
        .delete(app.url(&format!("/api/v1/accounts/me/sessions/{sid}")))
        .header("origin", app.address().trim_end_matches('/'))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // One more sign-in, asking for offline_access.
    let offline_url =
        authorize_url(&app, &client_id, &challenge, "").replace("openid%20profile", "openid%20offline_access");
    let code = param(&authorize(&app, &b, &offline_url).await, "code").unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.as_str()),
        ("client_id", client_id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    let (_, offline) = token(&app, &form).await;
    let offline_access = offline["access_token"].as_str().unwrap().to_owned();
    let live = introspect(access.clone()).await;
    assert_eq!(live["active"], true, "{live}");
    assert_eq!(live["client_id"], client_id.as_str());
    let refresh = issued["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(introspect(refresh.clone()).await["active"], true);
    let res = b
        .post(app.url("/api/v1/auth/logout"))
        .header("origin", app.address().trim_end_matches('/'))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(introspect(access.clone()).await, json!({"active": false}));
    assert_eq!(userinfo(&app, &access).await, 401, "the session's tokens end with it");
    assert_eq!(
        userinfo(&app, &offline_access).await,
        200,
        "offline_access outlives the session"
    );
    let (status, body) = token(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
}

#[actix_web::test]
async fn third_party_clients_ask_consent_once_and_people_can_revoke_them() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = person(&app, &[]).await;
    let (client_id, _) = register(&app, true, false, json!({}));
    let (verifier, challenge) = pkce_pair();
    let url = authorize_url(&app, &client_id, &challenge, "");
    let page = b.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Repository of Examples") && html.contains("Your name"),
        "{html}"
    );
    // The answer must come from our page.
    let mut form: Vec<(String, String)> = url::Url::parse(&url).unwrap().query_pairs().into_owned().collect();
    form.push(("decision".into(), "allow".into()));
    let res = b
        .post(app.url("/oauth/authorize"))
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = b
        .post(app.url("/oauth/authorize"))
        .header("origin", app.address().trim_end_matches('/'))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let code = url::Url::parse(res.headers()["location"].to_str().unwrap())
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    // A public client: client_id and PKCE, no secret.
    let (status, issued) = token(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(status, 200, "{issued}");
    // Asked once: the next sign-in goes straight through.
    let q = authorize(&app, &b, &url).await;
    assert!(param(&q, "code").is_some());

    // Apps with access, and the session that signed in to it.
    let apps: Value = b
        .get(app.url("/api/v1/accounts/me/apps"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(apps["data"][0]["client_id"], client_id.as_str(), "{apps}");
    assert_eq!(apps["data"][0]["active_sign_ins"], 1);
    let sessions: Value = b
        .get(app.url("/api/v1/accounts/me/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sessions[0]["apps"], json!(["Repository of Examples"]), "{sessions}");
    let res = b
        .delete(app.url(&format!("/api/v1/accounts/me/apps/{client_id}")))
        .header("origin", app.address().trim_end_matches('/'))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(userinfo(&app, issued["access_token"].as_str().unwrap()).await, 401);
    let page = b.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200, "asked again after revoking");
}

#[actix_web::test]
async fn signing_out_tells_clients_by_back_channel_and_logout_returns_to_the_client() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = person(&app, &[]).await;
    // A back-channel endpoint that records what it is sent.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = received.clone();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = vec![0u8; 65536];
            let mut got = 0;
            stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).ok();
            while let Ok(n) = stream.read(&mut buf[got..]) {
                if n == 0 {
                    break;
                }
                got += n;
                let text = String::from_utf8_lossy(&buf[..got]).to_string();
                if text.contains("logout_token=") && text.split("\r\n\r\n").nth(1).is_some_and(|b| !b.is_empty()) {
                    break;
                }
            }
            *sink.lock().unwrap() = String::from_utf8_lossy(&buf[..got]).to_string();
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let back = format!("http://127.0.0.1:{port}/backchannel");
    let (client_id, secret) = register(
        &app,
        false,
        true,
        json!({"backchannel_logout_uri": back, "post_logout_redirect_uris": ["http://127.0.0.1:9/bye"]}),
    );
    let (verifier, challenge) = pkce_pair();
    let code = param(
        &authorize(&app, &b, &authorize_url(&app, &client_id, &challenge, "")).await,
        "code",
    )
    .unwrap();
    let secret = secret.unwrap();
    let (_, issued) = token(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    let id_token = issued["id_token"].as_str().unwrap().to_owned();

    // RP-initiated logout with this session's ID token: no question, back to the client.
    let res = b
        .get(app.url(&format!(
            "/oauth/logout?id_token_hint={id_token}&post_logout_redirect_uri={}&state=bye1",
            urlencoding("http://127.0.0.1:9/bye")
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "http://127.0.0.1:9/bye?state=bye1");
    assert_eq!(
        b.get(app.url("/api/v1/accounts/me")).send().await.unwrap().status(),
        401
    );
    // An unregistered place to go back to is refused.
    let res = app
        .client
        .get(app.url("/oauth/logout?client_id=x&post_logout_redirect_uri=https://evil.example/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    // The session's end queued a back-channel logout; the worker sends it.
    let payload: Value = {
        use profiles_api::db::schema::jobs;
        let mut conn = app.db.conn();
        jobs::table
            .filter(jobs::kind.eq(profiles_api::clients::tokens::BACKCHANNEL_JOB))
            .select(jobs::payload)
            .first(&mut conn)
            .unwrap()
    };
    let state = profiles_api::app::AppState::with_clock(app.pool.clone(), app.config.clone(), app.clock.clone());
    profiles_api::clients::oidc::backchannel_logout(&state, &http(), &payload)
        .await
        .unwrap();
    let request = received.lock().unwrap().clone();
    let token = request
        .split("logout_token=")
        .nth(1)
        .unwrap_or_default()
        .trim()
        .to_owned();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{request}");
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header: Value = serde_json::from_slice(&b64.decode(parts[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(header["typ"], "logout+jwt");
    assert_eq!(claims["aud"], client_id.as_str());
    assert!(
        claims["events"]
            .get("http://schemas.openid.net/event/backchannel-logout")
            .is_some(),
        "{claims}"
    );
    assert!(claims["sid"].is_string());
    assert!(claims.get("nonce").is_none());
}

#[actix_web::test]
async fn staff_admins_register_and_remove_clients_and_nobody_else_may() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (user, _) = person(&app, &[]).await;
    let (admin, admin_orcid) = person(&app, &[]).await;
    {
        let mut conn = app.db.conn();
        profiles_api::accounts::set_role(
            &mut conn,
            None,
            "test",
            &admin_orcid,
            profiles_api::domain::Role::StaffAdmin,
        )
        .unwrap()
        .unwrap();
    }
    let origin = app.address().trim_end_matches('/').to_owned();
    let body = json!({"name": "Journal system", "redirect_uris": [REDIRECT], "allowed_scopes": ["profile", "email"]});
    let res = user
        .post(app.url("/api/v1/admin/clients"))
        .header("origin", &origin)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = admin
        .post(app.url("/api/v1/admin/clients"))
        .header("origin", &origin)
        .json(&json!({"name": "Bad", "redirect_uris": ["http://example.org/cb"]}))
        .send()
        .await
        .unwrap();
    crate::support::assert_problem(res, 422, "invalid_parameter").await;
    let res = admin
        .post(app.url("/api/v1/admin/clients"))
        .header("origin", &origin)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let made: Value = res.json().await.unwrap();
    let id = made["client"]["client_id"].as_str().unwrap().to_owned();
    assert!(made["client_secret"].as_str().unwrap().starts_with("pcs_"));
    assert_eq!(made["client"]["allowed_scopes"], json!(["openid", "profile", "email"]));
    let list: Value = admin
        .get(app.url("/api/v1/admin/clients"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["client_id"] == id.as_str()));
    assert!(list.to_string().find("pcs_").is_none(), "secrets are never listed");
    let res = admin
        .delete(app.url(&format!("/api/v1/admin/clients/{id}")))
        .header("origin", &origin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (_, challenge) = pkce_pair();
    let res = admin
        .get(authorize_url(&app, &id, &challenge, ""))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "a removed client signs nobody in");
}

//! Sign-in, linking, grants, sessions and JWTs against the stand-ins over real HTTP, and the
//! attacks each must refuse.

use diesel::prelude::*;
use profiles_api::crypto::Cipher;
use profiles_api::db::schema::{accounts, auth_states, identities, orcid_permissions};
use serde_json::Value;

use crate::standins::{
    browser, flow, form_flow, location, sign_in_orcid, spawn_app_with_providers, standins, until_callback, Started,
};
use crate::support::{assert_problem, TestApp};

const JOSIAH: &str = "0000-0002-1825-0097";
const LAUREL: &str = "0000-0001-5109-3700";

async fn me(app: &TestApp, b: &reqwest::Client) -> reqwest::Response {
    b.get(app.url("/api/v1/accounts/me")).send().await.unwrap()
}

async fn me_json(app: &TestApp, b: &reqwest::Client) -> Value {
    let res = me(app, b).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn cipher(app: &TestApp) -> Cipher {
    Cipher::new(app.config.encryption_key.as_ref().unwrap().expose())
}

#[actix_web::test]
async fn providers_are_listed_orcid_first() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let v: Value = app
        .client
        .get(app.url("/api/v1/auth/providers"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = v["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["orcid", "google", "github"]);
    assert_eq!(v["providers"][0]["sign_in_url"], "/auth/orcid/start");
}

#[actix_web::test]
async fn a_provider_without_credentials_is_hidden_and_refused() {
    let (app, _) = spawn_app_with_providers(&[("GOOGLE_CLIENT_ID", ""), ("GOOGLE_CLIENT_SECRET", "")]).await;
    let v: Value = app
        .client
        .get(app.url("/api/v1/auth/providers"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!v.to_string().contains("google"));
    let res = app.client.get(app.url("/auth/google/start")).send().await.unwrap();
    assert_problem(res, 404, "provider_disabled").await;
}

#[actix_web::test]
async fn orcid_sign_in_creates_the_account_and_stores_the_token_encrypted() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    let res = sign_in_orcid(&app, &b, JOSIAH).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings");
    let v = me_json(&app, &b).await;
    assert_eq!(v["orcid"], JOSIAH);
    assert_eq!(v["name"], "Josiah Carberry");
    assert_eq!(v["family_name"], "Carberry");
    assert_eq!(v["role"], "user");
    // The record on the ORCID site the service is set up with (here the stand-in).
    assert_eq!(
        v["orcid_url"],
        format!("{}/{JOSIAH}", standins().orcid.trim_end_matches('/'))
    );
    assert_eq!(v["identities"][0]["provider"], "orcid");
    assert_eq!(v["identities"][0]["token_state"], "active");
    assert_eq!(v["identities"][0]["can_unlink"], false);

    // The token at rest decrypts only with our key and its row's context, and is a live ORCID token.
    let mut conn = app.db.conn();
    let sealed: Vec<u8> = identities::table
        .filter(identities::provider.eq("orcid"))
        .select(identities::access_token_enc.assume_not_null())
        .first(&mut conn)
        .unwrap();
    let token = cipher(&app)
        .open_str(&sealed, &format!("identity:orcid:{JOSIAH}:access"))
        .unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains(&token));
    let info: Value = reqwest::get(format!("{}/_control/token-info?token={token}", standins().orcid))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["active"], true, "{info}");

    // Signing in again finds the same account.
    let (b2, _) = browser();
    sign_in_orcid(&app, &b2, JOSIAH).await;
    let n: i64 = accounts::table.count().get_result(&mut conn).unwrap();
    assert_eq!(n, 1);
}

#[actix_web::test]
async fn github_first_then_orcid_links_both_and_github_signs_in_again() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    let res = flow(&app, &b, "/auth/github/start", "octocat").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        "/link-orcid",
        "an unknown GitHub identity must link an ORCID iD first"
    );
    // Not signed in yet.
    assert_eq!(me(&app, &b).await.status(), 401);
    let pending: Value = b
        .get(app.url("/api/v1/auth/pending-signup"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pending["provider"], "github");
    assert_eq!(pending["display_name"], "The Octocat");
    let id = pending["id"].as_str().unwrap().to_owned();

    // The person confirms, on our page, that this GitHub account joins their ORCID iD.
    let confirm = [("pending_signup", id.as_str()), ("return_to", "/settings")];
    let res = form_flow(&app, &b, "/auth/orcid/start", &confirm, LAUREL).await;
    assert_eq!(res.status(), 303);
    let v = me_json(&app, &b).await;
    let providers: Vec<&str> = v["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, ["orcid", "github"]);
    assert_eq!(v["identities"][1]["subject"], "583231");
    assert_eq!(v["identities"][1]["email"], "octocat@example.test");
    let pending = b.get(app.url("/api/v1/auth/pending-signup")).send().await.unwrap();
    assert_problem(pending, 404, "no_pending_signup").await;

    // A fresh browser signing in with GitHub lands in the same account.
    let (b2, _) = browser();
    let res = flow(&app, &b2, "/auth/github/start?return_to=/settings/social", "octocat").await;
    assert_eq!(location(&res), "/settings/social");
    assert_eq!(me_json(&app, &b2).await["orcid"], LAUREL);
}

#[actix_web::test]
async fn google_sign_in_never_links_by_email() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, JOSIAH).await;
    b.patch(app.url("/api/v1/accounts/me"))
        .json(&serde_json::json!({ "email": "alice@example.test" }))
        .send()
        .await
        .unwrap();
    // Someone signs in with a Google account of the same address: not linked, must add ORCID.
    let (b2, _) = browser();
    let res = flow(&app, &b2, "/auth/google/start", "alice@example.test").await;
    assert_eq!(location(&res), "/link-orcid");
    assert_eq!(me(&app, &b2).await.status(), 401);
}

#[actix_web::test]
async fn connect_google_then_unlink_revokes_it_at_google() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, JOSIAH).await;
    let res = flow(&app, &b, "/auth/google/start?intent=link", "alice@example.test").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/social");
    let v = me_json(&app, &b).await;
    let google = v["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["provider"] == "google")
        .unwrap()
        .clone();
    assert_eq!(google["email"], "alice@example.test");
    assert_eq!(google["can_unlink"], true);

    let mut conn = app.db.conn();
    let (subject, sealed): (String, Vec<u8>) = identities::table
        .filter(identities::provider.eq("google"))
        .select((identities::subject, identities::access_token_enc.assume_not_null()))
        .first(&mut conn)
        .unwrap();
    let token = cipher(&app)
        .open_str(&sealed, &format!("identity:google:{subject}:access"))
        .unwrap();

    let res = b
        .delete(app.url("/api/v1/accounts/me/identities/google"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["revoked_at_provider"], true);
    let v = me_json(&app, &b).await;
    assert!(v["identities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["provider"] != "google"));
    // The token no longer works at Google's userinfo.
    let userinfo = reqwest::Client::new()
        .get(format!("{}/me", standins().google))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(
        userinfo.status().is_client_error(),
        "revoked token still works: {}",
        userinfo.status()
    );

    // ORCID, the anchor and last way to sign in, cannot go.
    let res = b
        .delete(app.url("/api/v1/accounts/me/identities/orcid"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 409, "orcid_is_anchor").await;
    let res = b
        .delete(app.url("/api/v1/accounts/me/identities/github"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 404, "identity_not_linked").await;
}

#[actix_web::test]
async fn unlinking_github_revokes_the_grant_at_github() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, JOSIAH).await;
    flow(&app, &b, "/auth/github/start?intent=link", "jcarberry").await;
    let res = b
        .delete(app.url("/api/v1/accounts/me/identities/github"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let state: Value = reqwest::get(format!("{}/_control/state", standins().github))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let revoked = state["revokedGrants"].as_array().unwrap();
    assert!(revoked.iter().any(|g| g["login"] == "jcarberry"), "{state}");
}

#[actix_web::test]
async fn linking_an_identity_owned_by_another_account_is_a_409() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (a, _) = browser();
    sign_in_orcid(&app, &a, JOSIAH).await;
    flow(&app, &a, "/auth/github/start?intent=link", "octocat").await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, LAUREL).await;
    let res = flow(&app, &b, "/auth/github/start?intent=link", "octocat").await;
    let body = assert_problem(res, 409, "identity_taken").await;
    assert!(body["detail"].as_str().unwrap().contains("already linked"));
    // Still owned by the first account.
    assert_eq!(me_json(&app, &a).await["identities"].as_array().unwrap().len(), 2);
    assert_eq!(me_json(&app, &b).await["identities"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn linking_needs_a_session_and_orcid_cannot_be_linked() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    let res = b.get(app.url("/auth/github/start?intent=link")).send().await.unwrap();
    assert_problem(res, 401, "unauthenticated").await;
    sign_in_orcid(&app, &b, JOSIAH).await;
    let res = b.get(app.url("/auth/orcid/start?intent=link")).send().await.unwrap();
    assert_problem(res, 400, "orcid_not_linkable").await;
}

#[actix_web::test]
async fn expiring_the_orcid_token_revokes_it_and_signing_in_again_refreshes_it() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, JOSIAH).await;
    let mut conn = app.db.conn();
    let sealed: Vec<u8> = identities::table
        .select(identities::access_token_enc.assume_not_null())
        .first(&mut conn)
        .unwrap();
    let token = cipher(&app)
        .open_str(&sealed, &format!("identity:orcid:{JOSIAH}:access"))
        .unwrap();

    let res = b
        .delete(app.url("/api/v1/accounts/me/identities/orcid/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["token_state"], "expired");
    let info: Value = reqwest::get(format!("{}/_control/token-info?token={token}", standins().orcid))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["active"], false, "revoked at ORCID");
    let tokens: Value = b
        .post(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let claims = decode_unverified(tokens["access_token"].as_str().unwrap());
    assert_eq!(claims["has_orcid_token"], false);

    sign_in_orcid(&app, &b, JOSIAH).await;
    assert_eq!(me_json(&app, &b).await["identities"][0]["token_state"], "active");
}

#[actix_web::test]
async fn orcid_permissions_are_granted_for_the_own_orcid_id_only_and_can_be_disabled() {
    // An iD of its own: this test revokes every token of its account at the shared ORCID stand-in,
    // which would pull the rug from under parallel tests signed in as the same person.
    let me = crate::claims::random_orcid();
    let me = me.as_str();
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, me).await;
    let perms: Value = b
        .get(app.url("/api/v1/accounts/me/permissions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(perms[0]["status"], "missing");

    // A grant from another ORCID iD is refused, and nothing is stored.
    let res = flow(&app, &b, "/auth/orcid/grant?kind=auto_update", LAUREL).await;
    let body = assert_problem(res, 403, "grant_wrong_orcid").await;
    assert!(body["detail"].as_str().unwrap().contains(LAUREL));
    let mut conn = app.db.conn();
    let n: i64 = orcid_permissions::table.count().get_result(&mut conn).unwrap();
    assert_eq!(n, 0);
    // A browser is sent back to the page, which explains; nothing is stored either.
    if let crate::standins::Started::Callback(url) =
        crate::standins::until_callback(&app, &b, "/auth/orcid/grant?kind=auto_update", LAUREL).await
    {
        let res = b.get(url).header("accept", "text/html").send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(
            location(&res),
            "/settings/claims?error=grant_wrong_orcid&kind=auto_update"
        );
    } else {
        panic!("the grant reached ORCID");
    }
    assert_eq!(
        orcid_permissions::table.count().get_result::<i64>(&mut conn).unwrap(),
        0
    );
    // "Sign in to ORCID afresh": the grant asks ORCID for the password again.
    let res = b
        .get(app.url("/auth/orcid/grant?kind=auto_update&fresh_login=true"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(location(&res).contains("prompt=login"), "{}", location(&res));

    let res = flow(&app, &b, "/auth/orcid/grant?kind=search_and_link", me).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/claims");
    let perms: Value = b
        .get(app.url("/api/v1/accounts/me/permissions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sl = perms
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "search_and_link")
        .unwrap();
    assert_eq!(sl["status"], "active");
    assert!(sl["scope"].as_str().unwrap().contains("/activities/update"));

    // The token works at the Member API double for this record.
    let (account_id, sealed): (uuid::Uuid, Vec<u8>) = orcid_permissions::table
        .select((
            orcid_permissions::account_id,
            orcid_permissions::access_token_enc.assume_not_null(),
        ))
        .first(&mut conn)
        .unwrap();
    let token = cipher(&app)
        .open_str(&sealed, &format!("permission:{account_id}:search_and_link:access"))
        .unwrap();
    let works = reqwest::Client::new()
        .get(format!("{}/v3.0/{me}/works", standins().orcid_api))
        .bearer_auth(&token)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(works.status(), 200);

    // The person revokes it on orcid.org; disabling here still works.
    reqwest::Client::new()
        .post(format!("{}/_control/revoke-account-tokens", standins().orcid))
        .json(&serde_json::json!({ "orcid": me }))
        .send()
        .await
        .unwrap();
    let res = b
        .delete(app.url("/api/v1/accounts/me/permissions/search_and_link"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "revoked");
    let still: Option<Vec<u8>> = orcid_permissions::table
        .select(orcid_permissions::access_token_enc)
        .first(&mut conn)
        .unwrap();
    assert!(still.is_none(), "the token is forgotten");
    let res = b
        .delete(app.url("/api/v1/accounts/me/permissions/auto_update"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 404, "permission_not_granted").await;
}

#[actix_web::test]
async fn a_denied_grant_returns_with_the_reason() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, JOSIAH).await;
    let Started::Callback(url) = until_callback(&app, &b, "/auth/orcid/grant?kind=auto_update", JOSIAH).await else {
        panic!("expected a callback")
    };
    let mut parsed = url::Url::parse(&url).unwrap();
    let state = parsed.query_pairs().find(|(k, _)| k == "state").unwrap().1.to_string();
    parsed.set_query(Some(&format!("error=access_denied&state={state}")));
    let res = b.get(parsed.as_str()).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/settings/claims?error=access_denied");
}

// ---- sessions and JWTs ----

pub fn decode_unverified(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

#[actix_web::test]
async fn a_session_becomes_a_jwt_that_the_api_accepts() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, JOSIAH).await;
    let res = b.post(app.url("/api/v1/tokens")).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    let jwt = t["access_token"].as_str().unwrap();
    let claims = decode_unverified(jwt);
    for name in [
        "iss",
        "aud",
        "sub",
        "iat",
        "exp",
        "jti",
        "uid",
        "name",
        "role_id",
        "beta_tester",
        "has_orcid_token",
    ] {
        assert!(claims.get(name).is_some(), "claim {name} missing: {claims}");
    }
    assert_eq!(claims["sub"], JOSIAH);
    assert_eq!(claims["uid"], JOSIAH);
    assert_eq!(claims["has_orcid_token"], true);
    assert_eq!(claims["iss"], app.address);

    // Verifiable with the published key named in the header.
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    let jwks: jsonwebtoken::jwk::JwkSet = app
        .client
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwk = jwks.find(header.kid.as_deref().unwrap()).expect("kid is published");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[app.address.as_str()]);
    jsonwebtoken::decode::<Value>(jwt, &jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap(), &validation).unwrap();

    let res = app
        .client
        .get(app.url("/api/v1/accounts/me"))
        .bearer_auth(jwt)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["orcid"], JOSIAH);
}

async fn sign(app: &TestApp, claims: Value) -> String {
    let keys = profiles_api::auth::keys::KeyStore::new(Some(cipher(app)), app.clock.clone());
    let claims: profiles_api::auth::keys::AccessClaims = serde_json::from_value(claims).unwrap();
    keys.sign(&app.pool, &claims).await.unwrap()
}

fn claims_for(app: &TestApp, orcid: &str) -> Value {
    let now = app.clock.now().timestamp();
    serde_json::json!({
        "iss": app.address, "aud": app.address, "sub": orcid, "iat": now, "exp": now + 600,
        "jti": "j", "uid": orcid, "role_id": "user", "beta_tester": false, "has_orcid_token": true
    })
}

#[actix_web::test]
async fn forged_and_misused_jwts_are_refused() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, JOSIAH).await;
    let call = |token: String| {
        let client = app.client.clone();
        let url = app.url("/api/v1/accounts/me");
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    // A well-signed token works, so the refusals below are about what they change.
    assert_eq!(call(sign(&app, claims_for(&app, JOSIAH)).await).await.status(), 200);

    // alg: none
    let body = URL_SAFE_NO_PAD.encode(claims_for(&app, JOSIAH).to_string());
    let none = format!("{}.{body}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#));
    assert_problem(call(none).await, 401, "token_algorithm_not_allowed").await;

    // HS256 signed with the public key (algorithm confusion).
    let jwks: Value = app
        .client
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kid = jwks["keys"][0]["kid"].as_str().unwrap().to_owned();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(kid.clone());
    let hs = jsonwebtoken::encode(
        &header,
        &claims_for(&app, JOSIAH),
        &jsonwebtoken::EncodingKey::from_secret(jwks["keys"][0].to_string().as_bytes()),
    )
    .unwrap();
    assert_problem(call(hs).await, 401, "token_algorithm_not_allowed").await;

    // Expired.
    let mut c = claims_for(&app, JOSIAH);
    c["exp"] = serde_json::json!(app.clock.now().timestamp() - 5);
    assert_problem(call(sign(&app, c).await).await, 401, "token_expired").await;

    // Wrong audience, wrong issuer.
    let mut c = claims_for(&app, JOSIAH);
    c["aud"] = "https://elsewhere.example".into();
    assert_problem(call(sign(&app, c).await).await, 401, "token_wrong_audience").await;
    let mut c = claims_for(&app, JOSIAH);
    c["iss"] = "https://elsewhere.example".into();
    assert_problem(call(sign(&app, c).await).await, 401, "token_wrong_issuer").await;

    // Unknown kid: a key we never published.
    let other = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
    let pem = rsa::pkcs8::EncodePrivateKey::to_pkcs8_pem(&other, rsa::pkcs8::LineEnding::LF).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("not-our-key".into());
    let foreign = jsonwebtoken::encode(
        &header,
        &claims_for(&app, JOSIAH),
        &jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_problem(call(foreign.clone()).await, 401, "token_unknown_key").await;
    // Our kid with another key's signature.
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid);
    let tampered = jsonwebtoken::encode(
        &header,
        &claims_for(&app, JOSIAH),
        &jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_problem(call(tampered).await, 401, "token_signature_invalid").await;
    assert_problem(call("garbage".into()).await, 401, "token_malformed").await;
}

#[actix_web::test]
async fn logout_ends_the_session_for_copied_cookies_and_derived_jwts() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, jar) = browser();
    sign_in_orcid(&app, &b, JOSIAH).await;
    let url = url::Url::parse(&app.address).unwrap();
    let cookie = reqwest::cookie::CookieStore::cookies(&*jar, &url)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("profiles_session="));
    let jwt: Value = b
        .post(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwt = jwt["access_token"].as_str().unwrap().to_owned();
    let copied = app
        .client
        .get(app.url("/api/v1/accounts/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(copied.status(), 200);

    let res = b.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_problem(me(&app, &b).await, 401, "unauthenticated").await;
    let copied = app
        .client
        .get(app.url("/api/v1/accounts/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_problem(copied, 401, "session_expired").await;
    let res = app
        .client
        .get(app.url("/api/v1/accounts/me"))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "session_revoked").await;
}

#[actix_web::test]
async fn people_list_and_revoke_their_own_sessions() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (laptop, _) = browser();
    let (phone, _) = browser();
    let (other_person, _) = browser();
    sign_in_orcid(&app, &laptop, JOSIAH).await;
    sign_in_orcid(&app, &phone, JOSIAH).await;
    sign_in_orcid(&app, &other_person, LAUREL).await;
    let list: Value = laptop
        .get(app.url("/api/v1/accounts/me/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let phone_id = list.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Someone else's session id is not found, not revoked.
    let theirs: Value = other_person
        .get(app.url("/api/v1/accounts/me/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let their_id = theirs[0]["id"].as_str().unwrap();
    let res = laptop
        .delete(app.url(&format!("/api/v1/accounts/me/sessions/{their_id}")))
        .send()
        .await
        .unwrap();
    assert_problem(res, 404, "session_not_found").await;
    assert_eq!(me(&app, &other_person).await.status(), 200);

    let res = laptop
        .delete(app.url(&format!("/api/v1/accounts/me/sessions/{phone_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_problem(me(&app, &phone).await, 401, "session_expired").await;
    assert_eq!(me(&app, &laptop).await.status(), 200);

    sign_in_orcid(&app, &phone, JOSIAH).await;
    let res: Value = laptop
        .delete(app.url("/api/v1/accounts/me/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res["revoked"], 1);
    assert_eq!(me(&app, &phone).await.status(), 401);
    assert_eq!(me(&app, &laptop).await.status(), 200);
}

// ---- the account's own fields ----

#[actix_web::test]
async fn people_edit_their_names_but_never_their_role() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, JOSIAH).await;
    let res = b
        .patch(app.url("/api/v1/accounts/me"))
        .json(&serde_json::json!({ "name": "  Josiah   S. Carberry ", "other_names": ["J. Carberry"], "email": "josiah@example.org" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["name"], "Josiah S. Carberry");
    assert_eq!(v["other_names"][0], "J. Carberry");
    assert_eq!(v["email"], "josiah@example.org");

    for body in [
        serde_json::json!({ "role": "staff_admin" }),
        serde_json::json!({ "role_id": "staff_admin", "name": "x" }),
        serde_json::json!({ "beta_tester": true }),
        serde_json::json!({ "orcid_token": "abc" }),
    ] {
        let res = b
            .patch(app.url("/api/v1/accounts/me"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_problem(res, 403, "field_not_editable").await;
    }
    let mut conn = app.db.conn();
    let (role, name): (String, Option<String>) = accounts::table
        .select((accounts::role, accounts::name))
        .first(&mut conn)
        .unwrap();
    assert_eq!(role, "user");
    assert_eq!(
        name.as_deref(),
        Some("Josiah S. Carberry"),
        "a refused request changes nothing"
    );

    let res = b
        .patch(app.url("/api/v1/accounts/me"))
        .json(&serde_json::json!({ "email": "nope" }))
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 422, "invalid_field").await;
    assert_eq!(body["errors"][0]["field"], "email");
    let res = b
        .patch(app.url("/api/v1/accounts/me"))
        .json(&serde_json::json!({ "nickname": "jc" }))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "invalid_body").await;
    let res = b
        .patch(app.url("/api/v1/accounts/me"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "invalid_json").await;
    // A cross-site write with the cookie is refused.
    let res = b
        .patch(app.url("/api/v1/accounts/me"))
        .header("origin", "https://evil.example")
        .json(&serde_json::json!({ "name": "pwned" }))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "cross_origin_request").await;
}

// ---- attacks on the OAuth flow ----

async fn callback_url(app: &TestApp, b: &reqwest::Client) -> String {
    match until_callback(app, b, "/auth/orcid/start", JOSIAH).await {
        Started::Callback(url) => url,
        Started::Refused(res) => panic!("start refused: {}", res.status()),
    }
}

fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_query(None);
    for (k, v) in pairs {
        u.query_pairs_mut().append_pair(k, v);
    }
    u.to_string()
}

fn param(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .unwrap()
        .1
        .to_string()
}

#[actix_web::test]
async fn missing_forged_expired_and_reused_state_are_refused() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();

    let url = callback_url(&app, &b).await;
    let res = b
        .get(with_query(&url, &[("code", &param(&url, "code"))]))
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "missing_state").await;

    let url = callback_url(&app, &b).await;
    let forged = with_query(
        &url,
        &[
            ("code", &param(&url, "code")),
            ("state", "forged-state-value-0123456789"),
        ],
    );
    assert_problem(b.get(forged).send().await.unwrap(), 400, "invalid_state").await;

    let url = callback_url(&app, &b).await;
    // Ten minutes pass: the state is no longer accepted.
    app.clock.advance(chrono::Duration::minutes(11));
    assert_problem(b.get(&url).send().await.unwrap(), 400, "expired_state").await;

    let url = callback_url(&app, &b).await;
    assert_eq!(b.get(&url).send().await.unwrap().status(), 303);
    let again = b.get(&url).send().await.unwrap();
    assert_problem(again, 400, "invalid_state").await;

    // People see a page, not JSON.
    let res = b.get(&url).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 400);
    let page = res.text().await.unwrap();
    assert!(page.contains("invalid_state"), "{page}");
}

#[actix_web::test]
async fn a_callback_from_another_browser_is_refused() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (attacker, _) = browser();
    let url = callback_url(&app, &attacker).await;
    // The victim's browser is lured to the attacker's callback URL (login CSRF).
    let (victim, _) = browser();
    assert_problem(victim.get(&url).send().await.unwrap(), 400, "state_mismatch").await;
    assert_eq!(me(&app, &victim).await.status(), 401);
}

#[actix_web::test]
async fn a_nonce_mismatch_is_refused() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    let url = callback_url(&app, &b).await;
    let mut conn = app.db.conn();
    diesel::update(auth_states::table.find(param(&url, "state")))
        .set(auth_states::nonce.eq("a-different-nonce"))
        .execute(&mut conn)
        .unwrap();
    let res = b.get(&url).send().await.unwrap();
    let body = assert_problem(res, 400, "invalid_id_token").await;
    assert!(
        body["detail"].as_str().unwrap().to_lowercase().contains("nonce"),
        "{body}"
    );
    assert_eq!(me(&app, &b).await.status(), 401);
}

#[actix_web::test]
async fn a_replayed_code_is_refused() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    let first = callback_url(&app, &b).await;
    assert_eq!(b.get(&first).send().await.unwrap().status(), 303);
    // A new flow in the same browser, answered with the old, already used code.
    let second = callback_url(&app, &b).await;
    let replay = with_query(
        &second,
        &[("code", &param(&first, "code")), ("state", &param(&second, "state"))],
    );
    assert_problem(b.get(replay).send().await.unwrap(), 400, "provider_rejected").await;
}

#[actix_web::test]
async fn open_redirects_are_refused() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    for target in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let res = app
            .client
            .get(app.url("/auth/orcid/start"))
            .query(&[("return_to", target)])
            .send()
            .await
            .unwrap();
        assert_problem(res, 400, "invalid_return_to").await;
    }
    let (b, _) = browser();
    let res = flow(
        &app,
        &b,
        "/auth/orcid/start?return_to=/settings/claims%3Ftab%3D1",
        JOSIAH,
    )
    .await;
    assert_eq!(location(&res), "/settings/claims?tab=1", "{}", res.status());
}

#[actix_web::test]
async fn a_link_flow_cannot_be_finished_from_another_session() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, jar) = browser();
    sign_in_orcid(&app, &b, JOSIAH).await;
    let Started::Callback(url) = until_callback(&app, &b, "/auth/github/start?intent=link", "octocat").await else {
        panic!()
    };
    // Same browser, but it signed out and in as someone else meanwhile.
    b.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
    sign_in_orcid(&app, &b, LAUREL).await;
    // Keep the state cookie of the link flow, which the second sign-in replaced.
    let app_url = url::Url::parse(&app.address).unwrap();
    jar.add_cookie_str(
        &format!("profiles_oauth_state={}; Path=/auth", param(&url, "state")),
        &app_url,
    );
    let res = b.get(&url).send().await.unwrap();
    assert_problem(res, 403, "session_mismatch").await;
    assert_eq!(me_json(&app, &b).await["identities"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn rotated_keys_are_published_together_and_old_tokens_keep_working_until_retired() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, JOSIAH).await;
    let old: Value = b
        .post(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let old = old["access_token"].as_str().unwrap().to_owned();
    let old_kid = jsonwebtoken::decode_header(&old).unwrap().kid.unwrap();

    let store = profiles_api::auth::keys::KeyStore::new(Some(cipher(&app)), app.clock.clone());
    let new_kid = store.create_key(&mut app.db.conn()).unwrap();
    assert_ne!(new_kid, old_kid);
    // The server's cache reloads when it meets an unknown kid, at most once a second.
    app.clock.advance(chrono::Duration::seconds(2));
    let token = sign(&app, claims_for(&app, JOSIAH)).await;
    assert_eq!(
        jsonwebtoken::decode_header(&token).unwrap().kid.unwrap(),
        new_kid,
        "the newest key signs"
    );
    let res = app
        .client
        .get(app.url("/api/v1/accounts/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "a token from the new key verifies at once");
    let res = app
        .client
        .get(app.url("/api/v1/accounts/me"))
        .bearer_auth(&old)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "tokens from the old key still verify");

    profiles_api::auth::keys::KeyStore::retire(&mut app.db.conn(), &old_kid).unwrap();
    // A fresh process (empty cache; it only verifies, so it needs no encryption key) publishes
    // only the new key and refuses the old token.
    let keys = profiles_api::auth::keys::KeyStore::new(None, profiles_api::clock::Clock::system());
    let jwks = keys.jwks(&app.pool).await.unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, [new_kid.as_str()]);
    let err = keys.verify(&app.pool, &app.config.jwt, &old).await.unwrap_err();
    assert_eq!(err.code().as_str(), "token_unknown_key");

    // The running server verified `old` before and remembers that: a copy with one byte of its
    // signature changed is still checked in full, and `old` itself dies with its key once the
    // server's key cache reloads (a minute).
    let at = old.len() - 10;
    let swapped = if &old[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swapped}{}", &old[..at], &old[at + 1..]);
    let res = app
        .client
        .get(app.url("/api/v1/accounts/me"))
        .bearer_auth(&forged)
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "token_signature_invalid").await;
    app.clock.advance(chrono::Duration::seconds(61));
    let res = app
        .client
        .get(app.url("/api/v1/accounts/me"))
        .bearer_auth(&old)
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "token_unknown_key").await;
}

#[actix_web::test]
async fn the_datacite_cookie_is_written_when_configured_and_cleared_on_logout() {
    let (app, _) = spawn_app_with_providers(&[("DATACITE_COOKIE_DOMAIN", "127.0.0.1")]).await;
    let (b, _) = browser();
    let res = sign_in_orcid(&app, &b, JOSIAH).await;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("_datacite="))
        .expect("a _datacite cookie");
    assert!(
        !cookie.to_lowercase().contains("httponly"),
        "DataCite's services read it from scripts"
    );
    let value = cookie.trim_start_matches("_datacite=").split(';').next().unwrap();
    let value = urlencoding_decode(value);
    let v: Value = serde_json::from_str(&value).unwrap();
    assert_eq!(v["authenticated"]["authenticator"], "authenticator:oauth2");
    let jwt = v["authenticated"]["access_token"].as_str().unwrap();
    assert_eq!(decode_unverified(jwt)["uid"], JOSIAH);
    let res = b.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
    let cleared = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("_datacite="))
        .expect("logout sets the _datacite cookie to signed-out");
    let value = urlencoding_decode(cleared.trim_start_matches("_datacite=").split(';').next().unwrap());
    assert_eq!(value, r#"{"authenticated":{}}"#, "DataCite's signed-out value");
}

fn urlencoding_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={s}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned()
}

// A grant disabled without the session it came from keeps nothing either way.
#[actix_web::test]
async fn grants_need_a_session() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let res = app
        .client
        .get(app.url("/auth/orcid/grant?kind=auto_update"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "unauthenticated").await;
    let res = app
        .client
        .get(app.url("/auth/orcid/grant?kind=everything"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

/// A connected service's verified email fills an account that has none; one the person set stays.
#[actix_web::test]
async fn a_connected_services_verified_email_fills_the_account_unless_the_person_set_one() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    let orcid = crate::claims::random_orcid();
    sign_in_orcid(&app, &b, &orcid).await;
    assert!(me_json(&app, &b).await["email"].is_null());
    flow(&app, &b, "/auth/google/start?intent=link", "alice@example.test").await;
    assert_eq!(me_json(&app, &b).await["email"], "alice@example.test");

    let (c, _) = browser();
    sign_in_orcid(&app, &c, &crate::claims::random_orcid()).await;
    let res = c
        .patch(app.url("/api/v1/accounts/me"))
        .header("origin", &app.address)
        .json(&serde_json::json!({ "email": "mine@example.org" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    flow(&app, &c, "/auth/github/start?intent=link", "jcarberry").await;
    assert_eq!(me_json(&app, &c).await["email"], "mine@example.org");
}

/// A name of only spaces is refused in words; the limit is stated; `null` still clears it.
#[actix_web::test]
async fn an_empty_name_is_refused_clearly() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, &crate::claims::random_orcid()).await;
    let patch = |body: Value| {
        b.patch(app.url("/api/v1/accounts/me"))
            .header("origin", &app.address)
            .json(&body)
            .send()
    };
    let res = patch(serde_json::json!({ "name": "   " })).await.unwrap();
    let body = assert_problem(res, 422, "invalid_name").await;
    assert!(body["detail"].as_str().unwrap().contains("200 characters"), "{body}");
    let res = patch(serde_json::json!({ "name": "x".repeat(201) })).await.unwrap();
    assert_problem(res, 422, "invalid_field").await;
    let res = patch(serde_json::json!({ "name": null })).await.unwrap();
    assert_eq!(res.status(), 200);
}

/// A dead session cookie ends only the session: a Google/GitHub sign-up waiting in the same
/// browser survives it, so the linking page can still finish it.
#[actix_web::test]
async fn a_dead_session_does_not_take_a_waiting_sign_up_with_it() {
    use profiles_api::db::schema::sessions;
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = browser();
    sign_in_orcid(&app, &b, &crate::claims::random_orcid()).await;
    // That session ends elsewhere (revoked from another device).
    diesel::update(sessions::table)
        .set(sessions::revoked_at.eq(Some(app.clock.now())))
        .execute(&mut app.db.conn())
        .unwrap();
    let login = format!("newcomer{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let res = flow(&app, &b, "/auth/github/start", &login).await;
    assert_eq!(location(&res), "/link-orcid");
    let res = me(&app, &b).await;
    assert_eq!(res.status(), 401);
    let res = b.get(app.url("/api/v1/auth/pending-signup")).send().await.unwrap();
    assert_eq!(res.status(), 200, "the waiting sign-up survives the dead session");
}

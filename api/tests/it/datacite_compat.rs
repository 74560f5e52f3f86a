//! DataCite's existing callers (Commons via lupo, levriero) against the compatibility surface:
//! status codes, JSON:API bodies and DataCite's error envelope.

use diesel::prelude::*;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use profiles_api::db::schema::accounts;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::{json, Value};

use crate::claims::{person, random_orcid, seed_doi};
use crate::standins::spawn_app_with_providers;
use crate::support::TestApp;

/// DataCite's own key pair; the app trusts its public half.
pub fn datacite_keys() -> (String, EncodingKey) {
    let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
    let public = key.to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
    let private = key.to_pkcs8_pem(LineEnding::LF).unwrap();
    (public, EncodingKey::from_rsa_pem(private.as_bytes()).unwrap())
}

#[expect(
    clippy::disallowed_methods,
    reason = "jsonwebtoken checks `exp` against the system clock"
)]
pub fn datacite_jwt(key: &EncodingKey, uid: &str, role: &str) -> String {
    let exp = chrono::Utc::now().timestamp() + 300;
    encode(
        &Header::new(Algorithm::RS256),
        &json!({"uid": uid, "name": "Levriero", "role_id": role, "exp": exp, "iat": exp - 300}),
        key,
    )
    .unwrap()
}

pub async fn our_jwt(app: &TestApp, b: &reqwest::Client) -> String {
    let v: Value = b
        .post(app.url("/api/v1/tokens"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

async fn envelope(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], status.to_string(), "{body}");
    assert!(
        body["errors"][0]["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    body
}

#[actix_web::test]
async fn commons_and_levriero_keep_working_without_the_old_holes() {
    let (public, key) = datacite_keys();
    let (app, _) = spawn_app_with_providers(&[
        ("DATACITE_JWT_PUBLIC_KEY", &public),
        ("DATACITE_SERVICE_UIDS", "datacite.levriero,datacite.lupo"),
    ])
    .await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let (other, other_orcid) = person(&app, &[]).await;
    let jwt = our_jwt(&app, &b).await;
    let client = reqwest::Client::new();
    let doi = seed_doi(&[&orcid], json!({})).await;

    // Commons (through lupo) with the person's JWT: their own claim.
    let res = client
        .post(app.url("/claims"))
        .bearer_auth(&jwt)
        .json(
            &json!({"claim": {"uuid": "00000000-0000-0000-0000-000000000001", "orcid": orcid,
                                "doi": doi.to_uppercase(), "source-id": "orcid_search", "claim_action": "create"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let created: Value = res.json().await.unwrap();
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    assert_ne!(
        id, "00000000-0000-0000-0000-000000000001",
        "client-chosen ids are ignored"
    );
    assert_eq!(created["data"]["type"], "claims");
    let attrs = &created["data"]["attributes"];
    assert_eq!(attrs["doi"], format!("https://doi.org/{}", doi.to_uppercase()));
    assert_eq!(attrs["sourceId"], "orcid_search");
    assert_eq!(attrs["claimAction"], "create");
    assert_eq!(attrs["state"], "waiting");
    assert_eq!(created["data"]["relationships"]["user"]["data"]["id"], orcid.as_str());

    // Not for someone else, and never without credentials.
    let res = client
        .post(app.url("/claims"))
        .bearer_auth(&jwt)
        .json(&json!({"claim": {"orcid": other_orcid, "doi": doi, "source_id": "orcid_search"}}))
        .send()
        .await
        .unwrap();
    envelope(res, 403).await;
    let res = client
        .post(app.url("/claims"))
        .json(&json!({"claim": {}}))
        .send()
        .await
        .unwrap();
    let body = envelope(res, 401).await;
    assert_eq!(body["errors"][0]["title"], "Bad credentials.");
    let res = client
        .post(app.url("/claims"))
        .bearer_auth(&jwt)
        .json(&json!({"nope": 1}))
        .send()
        .await
        .unwrap();
    envelope(res, 422).await;

    // Lookup as Commons does it: user-id and dois (any case), with facets.
    let list: Value = client
        .get(app.url(&format!("/claims?user-id={orcid}&dois={}", doi.to_uppercase())))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 1, "{list}");
    assert_eq!(list["meta"]["sources"][0]["id"], "orcid_search");
    assert_eq!(list["meta"]["states"][0]["title"], "Waiting");
    assert_eq!(list["data"][0]["id"], id.as_str());
    // Ordinary users only ever see their own claims.
    let other_jwt = our_jwt(&app, &other).await;
    let res = client
        .get(app.url(&format!("/claims?user-id={orcid}")))
        .bearer_auth(&other_jwt)
        .send()
        .await
        .unwrap();
    envelope(res, 403).await;
    let theirs: Value = client
        .get(app.url("/claims"))
        .bearer_auth(&other_jwt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["meta"]["total"], 0);
    let res = client
        .get(app.url(&format!("/claims/{id}")))
        .bearer_auth(&other_jwt)
        .send()
        .await
        .unwrap();
    envelope(res, 404).await;
    let res = client
        .get(app.url(&format!("/claims/{id}")))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // levriero with DataCite's staff-admin token, for anyone with an account here.
    let levriero = datacite_jwt(&key, "datacite.levriero", "staff_admin");
    let stranger = random_orcid();
    let res = client
        .post(app.url("/claims"))
        .bearer_auth(&levriero)
        .json(&json!({"claim": {"orcid": stranger, "doi": doi, "source_id": "orcid_update", "claim_action": "create"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"errors": [{"source": "user", "title": "Must exist"}]})
    );
    let res = client
        .post(app.url("/claims"))
        .bearer_auth(&levriero)
        .json(&json!({"claim": {"orcid": other_orcid, "doi": doi, "source_id": "orcid_update", "claim_action": "create"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let held: Value = res.json().await.unwrap();
    assert_eq!(held["data"]["attributes"]["sourceId"], "orcid_update");
    // A DataCite token claiming a role does not get it: the role comes from our database.
    let pretender = datacite_jwt(&key, &other_orcid, "staff_admin");
    let res = client
        .get(app.url(&format!("/claims?user-id={orcid}")))
        .bearer_auth(&pretender)
        .send()
        .await
        .unwrap();
    envelope(res, 403).await;
    // A token signed by someone else is refused.
    let (_, wrong) = datacite_keys();
    let forged = datacite_jwt(&wrong, "datacite.levriero", "staff_admin");
    let res = client
        .get(app.url("/claims"))
        .bearer_auth(&forged)
        .send()
        .await
        .unwrap();
    envelope(res, 401).await;

    // Remove through the old route.
    let res = client
        .delete(app.url(&format!("/claims/{id}")))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let removed: Value = res.json().await.unwrap();
    assert_eq!(removed["data"]["attributes"]["claimAction"], "delete");
}

#[actix_web::test]
async fn users_are_read_and_upserted_as_lupo_expects() {
    let (public, key) = datacite_keys();
    let (app, _) = spawn_app_with_providers(&[
        ("DATACITE_JWT_PUBLIC_KEY", &public),
        ("DATACITE_SERVICE_UIDS", "datacite.levriero,datacite.lupo"),
    ])
    .await;
    let (b, orcid) = person(&app, &[]).await;
    let client = reqwest::Client::new();

    let anonymous: Value = client
        .get(app.url(&format!("/users/{orcid}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(anonymous["data"]["type"], "users");
    assert_eq!(
        anonymous["data"]["attributes"]["orcid"],
        format!("https://orcid.org/{orcid}")
    );
    assert!(anonymous["data"]["attributes"].get("email").is_none());
    // A private profile is not there for strangers, but is for its owner.
    let mut conn = app.db.conn();
    diesel::update(accounts::table.filter(accounts::orcid.eq(&orcid)))
        .set(accounts::is_public.eq(false))
        .execute(&mut conn)
        .unwrap();
    envelope(
        client.get(app.url(&format!("/users/{orcid}"))).send().await.unwrap(),
        404,
    )
    .await;
    let jwt = our_jwt(&app, &b).await;
    let own: Value = client
        .get(app.url(&format!("/users/{orcid}")))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(own["data"]["attributes"].get("email").is_some(), "{own}");

    // Only staff admins upsert; the role never comes from the body.
    let body = json!({"data": {"type": "users", "attributes": {"name": "New Person", "providerId": "brown", "roleId": "staff_admin"}}});
    envelope(
        client
            .put(app.url(&format!("/users/{orcid}")))
            .bearer_auth(&jwt)
            .json(&body)
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
    let lupo = datacite_jwt(&key, "datacite.lupo", "staff_admin");
    let fresh = random_orcid();
    let res = client
        .put(app.url(&format!("/users/{fresh}")))
        .bearer_auth(&lupo)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["data"]["attributes"]["roleId"], "user");
    assert_eq!(created["data"]["attributes"]["name"], "New Person");
    let clear = json!({"data": {"type": "users", "attributes": {"providerId": null}}});
    let res = client
        .put(app.url(&format!("/users/{fresh}")))
        .bearer_auth(&lupo)
        .json(&clear)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let provider: Option<String> = accounts::table
        .filter(accounts::orcid.eq(&fresh))
        .select(accounts::provider_id)
        .first(&mut conn)
        .unwrap();
    assert_eq!(provider, None);
    // The audit trail says what changed, before and after, and who did it.
    let details: Value = profiles_api::db::schema::audit_log::table
        .filter(profiles_api::db::schema::audit_log::target_id.eq(&fresh))
        .filter(profiles_api::db::schema::audit_log::action.eq("account.updated"))
        .select(profiles_api::db::schema::audit_log::details)
        .first(&mut conn)
        .unwrap();
    assert_eq!(details["before"]["name"], "New Person", "{details}");
    assert!(details["before"]["provider_id"].is_string(), "{details}");
    assert!(details["after"]["provider_id"].is_null(), "{details}");
    let res = client
        .put(app.url(&format!("/users/{fresh}")))
        .bearer_auth(&lupo)
        .json(&json!({"name": "no data key"}))
        .send()
        .await
        .unwrap();
    envelope(res, 400).await;
    assert_eq!(
        client
            .get(app.url("/heartbeat"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "OK"
    );
}

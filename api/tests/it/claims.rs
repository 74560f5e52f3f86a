//! The claims engine against the stand-ins: permissions granted through the real ORCID flow, DOI
//! metadata from the DataCite double, works pushed to the ORCID Member API double, and the worker
//! driven tick by tick so every state transition can be observed.

use diesel::prelude::*;
use profiles_api::claims::process::Engine;
use profiles_api::db::schema::{accounts, claims, jobs, orcid_permissions};
use profiles_api::jobs::{Worker, WorkerOptions};
use serde_json::{json, Value};

use crate::standins::{browser, flow, sign_in_orcid, spawn_app_with_providers, standins};
use crate::support::{assert_problem, TestApp};

/// A fresh, valid ORCID iD, so parallel tests never share a record in the doubles.
pub fn random_orcid() -> String {
    let digits: Vec<u32> = (0..15)
        .map(|i| if i < 4 { 0 } else { rand::random::<u32>() % 10 })
        .collect();
    let mut total = 0;
    for d in &digits {
        total = (total + d) * 2;
    }
    let check = (12 - total % 11) % 11;
    let mut s: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
    s.push(if check == 10 {
        'X'
    } else {
        char::from_digit(check, 10).unwrap()
    });
    format!("{}-{}-{}-{}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
}

/// A signed-in person with the given ORCID permissions granted.
pub async fn person(app: &TestApp, grants: &[&str]) -> (reqwest::Client, String) {
    let (b, _) = browser();
    let orcid = random_orcid();
    let res = sign_in_orcid(app, &b, &orcid).await;
    assert_eq!(res.status(), 303, "sign-in");
    for kind in grants {
        grant(app, &b, &orcid, kind).await;
    }
    (b, orcid)
}

pub async fn grant(app: &TestApp, b: &reqwest::Client, orcid: &str, kind: &str) {
    let res = flow(app, b, &format!("/auth/orcid/grant?kind={kind}"), orcid).await;
    assert_eq!(res.status(), 303, "granting {kind}");
}

/// Registers a DOI at the DataCite double with these creators (ORCID iDs) and returns it.
pub async fn seed_doi(creators: &[&str], extra: Value) -> String {
    let doi = format!("10.5555/t-{}", uuid::Uuid::new_v4().simple());
    let people: Vec<Value> = creators
        .iter()
        .enumerate()
        .map(|(i, orcid)| {
            json!({"givenName": format!("Test{i}"), "familyName": "Person",
                   "nameIdentifiers": [{"nameIdentifier": format!("https://orcid.org/{orcid}"), "nameIdentifierScheme": "ORCID"}]})
        })
        .collect();
    let mut body = json!({
        "doi": doi,
        "creators": people,
        "titles": [{"title": format!("A test dataset {doi}")}],
        "publisher": {"name": "Test Repository"},
        "publicationYear": 2024,
        "types": {"resourceTypeGeneral": "Dataset"},
        "url": "https://example.org/data",
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let res = reqwest::Client::new()
        .post(format!("{}/_control/dois", standins().datacite))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success(),
        "seeding {doi}: {}",
        res.text().await.unwrap()
    );
    doi
}

pub async fn record(orcid: &str) -> Vec<Value> {
    let v: Value = reqwest::get(format!("{}/_control/records/{orcid}", standins().orcid_api))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["works"].as_array().cloned().unwrap_or_default()
}

pub async fn fail_next(orcid: &str, fault: Value) {
    let mut fault = fault;
    fault["orcid"] = json!(orcid);
    let res = reqwest::Client::new()
        .post(format!("{}/_control/fail-next", standins().orcid_api))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

fn worker(app: &TestApp) -> Worker {
    let engine = Engine::new(app.pool.clone(), &app.config, app.clock.clone());
    let options = WorkerOptions {
        clock: app.clock.clone(),
        ..WorkerOptions::default()
    };
    let notifier = profiles_api::worker::notifier(app.pool.clone(), &app.config, &engine);
    profiles_api::worker::build(app.pool.clone(), engine, notifier, options)
}

/// Runs ready jobs until none are left; backoff delays are waited out by moving the app's clock
/// forward (`fast_forward`) or respected.
pub async fn drain(app: &TestApp, fast_forward: bool) -> usize {
    let w = worker(app);
    let kinds: Vec<String> = ["claims.push", "autoupdate.doi", "autoupdate.poll"]
        .map(String::from)
        .to_vec();
    let mut ran = 0;
    for _ in 0..50 {
        if fast_forward {
            let mut conn = app.db.conn();
            let next: Option<chrono::DateTime<chrono::Utc>> = jobs::table
                .filter(jobs::state.eq("pending"))
                .filter(jobs::kind.eq_any(&kinds))
                .select(diesel::dsl::min(jobs::run_at))
                .first(&mut conn)
                .unwrap();
            let now = app.clock.now();
            if let Some(wait) = next.map(|at| at - now).filter(|d| *d > chrono::Duration::zero()) {
                app.clock.advance(wait + chrono::Duration::milliseconds(1));
            }
        }
        let n = w.tick(&kinds).await.unwrap();
        if n == 0 {
            return ran;
        }
        ran += n;
    }
    panic!("the queue did not drain");
}

/// Runs ready jobs of these kinds until none are left.
pub async fn run_jobs(app: &TestApp, kinds: &[&str]) -> usize {
    let kinds: Vec<String> = kinds.iter().map(|k| (*k).to_owned()).collect();
    let w = worker(app);
    let mut ran = 0;
    loop {
        let n = w.tick(&kinds).await.unwrap();
        if n == 0 {
            return ran;
        }
        ran += n;
    }
}

/// Runs exactly one round of ready jobs.
pub async fn tick(app: &TestApp) -> usize {
    let kinds: Vec<String> = ["claims.push", "autoupdate.doi"].map(String::from).to_vec();
    worker(app).tick(&kinds).await.unwrap()
}

async fn post_claim(app: &TestApp, b: &reqwest::Client, body: Value) -> reqwest::Response {
    b.post(app.url("/api/v1/claims")).json(&body).send().await.unwrap()
}

async fn claim_json(app: &TestApp, b: &reqwest::Client, id: &str) -> Value {
    let res = b.get(app.url(&format!("/api/v1/claims/{id}"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

pub async fn add(app: &TestApp, b: &reqwest::Client, doi: &str) -> Value {
    let res = post_claim(app, b, json!({ "doi": doi })).await;
    assert_eq!(res.status(), 202);
    res.json().await.unwrap()
}

#[actix_web::test]
async fn search_and_link_pushes_a_work_and_removes_it_again() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let doi = seed_doi(
        &[&orcid],
        json!({"types": {"resourceTypeGeneral": "Text", "resourceType": "Journal Article"},
        "container": {"type": "Journal", "title": "Journal of Tests"}}),
    )
    .await;

    // Any accepted DOI form; stored one way.
    let claim = add(&app, &b, &format!("https://doi.org/{}", doi.to_uppercase())).await;
    assert_eq!(claim["doi"], doi);
    assert_eq!(claim["state"], "waiting");
    assert_eq!(claim["source"], "search_and_link");
    let id = claim["id"].as_str().unwrap().to_owned();

    assert_eq!(drain(&app, false).await, 1);
    let claim = claim_json(&app, &b, &id).await;
    assert_eq!(claim["state"], "done", "{claim}");
    assert!(claim["claimed_at"].is_string());
    assert!(claim["title"].as_str().unwrap().starts_with("A test dataset"));
    let works = record(&orcid).await;
    assert_eq!(works.len(), 1);
    assert_eq!(works[0]["put-code"], claim["put_code"]);
    assert_eq!(works[0]["type"], "journal-article");
    assert_eq!(works[0]["journal-title"]["value"], "Journal of Tests");
    assert_eq!(
        works[0]["external-ids"]["external-id"][0]["external-id-value"],
        doi.as_str()
    );

    // Asking again changes nothing and pushes nothing twice.
    let again = add(&app, &b, &doi).await;
    assert_eq!(again["id"], id.as_str());
    assert_eq!(again["state"], "done");
    assert_eq!(drain(&app, false).await, 0);

    let res = b.delete(app.url(&format!("/api/v1/claims/{id}"))).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["action"], "delete");
    drain(&app, false).await;
    let claim = claim_json(&app, &b, &id).await;
    assert_eq!(claim["state"], "deleted");
    assert!(claim["put_code"].is_null() && claim["claimed_at"].is_null());
    assert!(record(&orcid).await.is_empty());

    // Re-adding a removed work creates it again.
    let again = add(&app, &b, &doi).await;
    assert_eq!(again["state"], "waiting");
    drain(&app, false).await;
    assert_eq!(claim_json(&app, &b, &id).await["state"], "done");
    assert_eq!(record(&orcid).await.len(), 1);
}

#[actix_web::test]
async fn claims_wait_for_permission_and_go_out_when_it_is_granted() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &[]).await;
    let doi = seed_doi(&[&orcid], json!({})).await;
    let claim = add(&app, &b, &doi).await;
    assert_eq!(claim["state"], "waiting_for_permission");
    assert_eq!(claim["error"]["code"], "permission_not_granted");
    assert_eq!(drain(&app, false).await, 0, "nothing is queued without permission");

    grant(&app, &b, &orcid, "search_and_link").await;
    drain(&app, false).await;
    let claim = claim_json(&app, &b, claim["id"].as_str().unwrap()).await;
    assert_eq!(claim["state"], "done");
    assert!(claim["error"].is_null());
    assert_eq!(record(&orcid).await.len(), 1);
}

#[actix_web::test]
async fn a_revoked_token_marks_the_permission_invalid_until_it_is_granted_again() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let first = seed_doi(&[&orcid], json!({})).await;
    add(&app, &b, &first).await;
    drain(&app, false).await;

    // The person revokes access on orcid.org.
    let res = reqwest::Client::new()
        .post(format!("{}/_control/revoke", standins().orcid_api))
        .json(&json!({ "orcid": orcid }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let second = seed_doi(&[&orcid], json!({})).await;
    let claim = add(&app, &b, &second).await;
    drain(&app, false).await;
    let claim = claim_json(&app, &b, claim["id"].as_str().unwrap()).await;
    assert_eq!(claim["state"], "waiting_for_permission", "{claim}");
    assert_eq!(claim["error"]["code"], "permission_invalid");
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
    assert_eq!(sl["status"], "invalid", "the person sees it and can enable it again");

    grant(&app, &b, &orcid, "search_and_link").await;
    drain(&app, false).await;
    assert_eq!(
        claim_json(&app, &b, claim["id"].as_str().unwrap()).await["state"],
        "done"
    );
    assert_eq!(record(&orcid).await.len(), 2);
}

#[actix_web::test]
async fn a_work_already_in_the_record_is_adopted_not_duplicated() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let doi = seed_doi(&[&orcid], json!({})).await;
    let claim = add(&app, &b, &doi).await;
    drain(&app, false).await;
    let put_code = claim_json(&app, &b, claim["id"].as_str().unwrap()).await["put_code"].clone();

    // We lose the put-code (as DataCite did); re-adding meets ORCID's 409 9021.
    let mut conn = app.db.conn();
    diesel::update(claims::table)
        .set((
            claims::put_code.eq(None::<i64>),
            claims::state.eq("failed"),
            claims::error_code.eq("x"),
            claims::error_message.eq("x"),
        ))
        .execute(&mut conn)
        .unwrap();
    add(&app, &b, &doi).await;
    drain(&app, false).await;
    let after = claim_json(&app, &b, claim["id"].as_str().unwrap()).await;
    assert_eq!(after["state"], "done", "{after}");
    assert_eq!(after["put_code"], put_code);
    assert_eq!(record(&orcid).await.len(), 1);
}

#[actix_web::test]
async fn a_work_removed_on_orcid_org_is_not_added_back_unless_the_person_asks_and_a_gone_work_counts_as_deleted() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let doi = seed_doi(&[&orcid], json!({})).await;
    let claim = add(&app, &b, &doi).await;
    let id = claim["id"].as_str().unwrap().to_owned();
    drain(&app, false).await;
    let old = claim_json(&app, &b, &id).await["put_code"].as_i64().unwrap();

    // The next PUT answers 404 (deleted on orcid.org): the person's choice, so the claim is
    // `removed_in_orcid` and nothing is created (DataCite's claims came back: #331, #2316).
    fail_next(&orcid, json!({"status": 404, "method": "PUT"})).await;
    let mut conn = app.db.conn();
    diesel::update(claims::table)
        .set((
            claims::state.eq("failed"),
            claims::error_code.eq("x"),
            claims::error_message.eq("x"),
        ))
        .execute(&mut conn)
        .unwrap();
    add(&app, &b, &doi).await;
    drain(&app, false).await;
    let removed = claim_json(&app, &b, &id).await;
    assert_eq!(removed["state"], "removed_in_orcid", "{removed}");
    // Adding it again is the person's own request: a new work is made (the double still holds
    // the old one, so the create meets 409 and the work is adopted: still one work).
    add(&app, &b, &doi).await;
    drain(&app, false).await;
    let again = claim_json(&app, &b, &id).await;
    assert_eq!(again["state"], "done", "{again}");
    assert_eq!(again["put_code"].as_i64().unwrap(), old);
    assert_eq!(record(&orcid).await.len(), 1);
    let log: Vec<Value> = reqwest::get(format!("{}/_control/requests", standins().orcid_api))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mine: Vec<String> = log
        .iter()
        .filter(|r| r["path"].as_str().unwrap_or("").contains(&orcid))
        .map(|r| format!("{} {}", r["method"].as_str().unwrap(), r["status"]))
        .collect();
    // The double names the existing put-code in its 9021 message, so no `GET /works` is needed.
    assert_eq!(&mine[mine.len() - 3..], ["PUT 404", "POST 409", "PUT 200"], "{mine:?}");

    // A DELETE answering 404: already gone, so the claim is deleted.
    fail_next(&orcid, json!({"status": 404, "method": "DELETE"})).await;
    b.delete(app.url(&format!("/api/v1/claims/{id}"))).send().await.unwrap();
    drain(&app, false).await;
    assert_eq!(claim_json(&app, &b, &id).await["state"], "deleted");
}

#[actix_web::test]
async fn outages_are_retried_with_backoff_and_fail_readably_after_the_cap() {
    let (app, _) = spawn_app_with_providers(&[("CLAIM_MAX_ATTEMPTS", "3")]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let doi = seed_doi(&[&orcid], json!({})).await;

    // One 503 (over the rate limit), then success.
    fail_next(&orcid, json!({"status": 503, "method": "POST"})).await;
    let claim = add(&app, &b, &doi).await;
    let id = claim["id"].as_str().unwrap().to_owned();
    assert_eq!(tick(&app).await, 1);
    let waiting = claim_json(&app, &b, &id).await;
    assert_eq!(waiting["state"], "waiting", "{waiting}");
    assert_eq!(waiting["error"]["code"], "orcid_throttled");
    assert!(waiting["next_attempt_at"].is_string(), "{waiting}");
    let mut conn = app.db.conn();
    let run_at: chrono::DateTime<chrono::Utc> = jobs::table
        .filter(jobs::kind.eq("claims.push"))
        .select(jobs::run_at)
        .first(&mut conn)
        .unwrap();
    assert!(run_at > app.clock.now(), "backed off");
    assert_eq!(tick(&app).await, 0, "not before the backoff");
    drain(&app, true).await;
    let done = claim_json(&app, &b, &id).await;
    assert_eq!(done["state"], "done");
    assert!(done["next_attempt_at"].is_null() && done["error"].is_null(), "{done}");

    // Three 500s exhaust the attempts: failed, with the reason, and retryable by hand.
    let other = seed_doi(&[&orcid], json!({})).await;
    fail_next(&orcid, json!({"status": 500, "method": "POST", "count": 3})).await;
    let claim = add(&app, &b, &other).await;
    let id = claim["id"].as_str().unwrap().to_owned();
    drain(&app, true).await;
    let failed = claim_json(&app, &b, &id).await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert_eq!(failed["error"]["code"], "orcid_unavailable");
    assert!(failed["error"]["message"]
        .as_str()
        .unwrap()
        .contains("gave up after 3 attempts"));

    let res = b
        .post(app.url(&format!("/api/v1/claims/{id}/retry")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    drain(&app, true).await;
    assert_eq!(claim_json(&app, &b, &id).await["state"], "done");
    let res = b
        .post(app.url(&format!("/api/v1/claims/{id}/retry")))
        .send()
        .await
        .unwrap();
    assert_problem(res, 409, "claim_not_retryable").await;
    assert_eq!(record(&orcid).await.len(), 2);
}

#[actix_web::test]
async fn unknown_dois_and_incomplete_metadata_fail_with_a_reason() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let unknown = add(&app, &b, "10.5555/does-not-exist").await;
    let incomplete = seed_doi(&[&orcid], json!({"titles": []})).await;
    let incomplete = add(&app, &b, &incomplete).await;
    drain(&app, false).await;
    let u = claim_json(&app, &b, unknown["id"].as_str().unwrap()).await;
    assert_eq!(
        (u["state"].as_str(), u["error"]["code"].as_str()),
        (Some("failed"), Some("doi_not_found"))
    );
    let i = claim_json(&app, &b, incomplete["id"].as_str().unwrap()).await;
    assert_eq!(
        (i["state"].as_str(), i["error"]["code"].as_str()),
        (Some("failed"), Some("missing_metadata"))
    );
    assert!(i["error"]["message"].as_str().unwrap().contains("title"));
    assert!(record(&orcid).await.is_empty());
}

#[actix_web::test]
async fn twenty_identical_requests_make_one_claim() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let doi = seed_doi(&[&orcid], json!({})).await;
    let forms = [
        doi.clone(),
        format!("doi:{doi}"),
        format!("https://doi.org/{}", doi.to_uppercase()),
    ];
    let requests = (0..20).map(|i| {
        let (b, url, doi) = (b.clone(), app.url("/api/v1/claims"), forms[i % 3].clone());
        async move { b.post(url).json(&json!({ "doi": doi })).send().await.unwrap() }
    });
    let responses = futures_util::future::join_all(requests).await;
    let mut ids = std::collections::HashSet::new();
    for res in responses {
        assert_eq!(res.status(), 202);
        let v: Value = res.json().await.unwrap();
        ids.insert(v["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1);
    let mut conn = app.db.conn();
    let n: i64 = claims::table.count().get_result(&mut conn).unwrap();
    assert_eq!(n, 1);
    let queued: i64 = jobs::table
        .filter(jobs::kind.eq("claims.push"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(queued, 1);
    drain(&app, false).await;
    assert_eq!(record(&orcid).await.len(), 1);
}

#[actix_web::test]
async fn nobody_sees_or_touches_another_persons_claims() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (alice, alice_orcid) = person(&app, &["search_and_link"]).await;
    let (bob, bob_orcid) = person(&app, &[]).await;
    let doi = seed_doi(&[&alice_orcid], json!({})).await;
    let claim = add(&app, &alice, &doi).await;
    let id = claim["id"].as_str().unwrap();

    for res in [
        bob.get(app.url(&format!("/api/v1/claims/{id}"))).send().await.unwrap(),
        bob.delete(app.url(&format!("/api/v1/claims/{id}")))
            .send()
            .await
            .unwrap(),
        bob.post(app.url(&format!("/api/v1/claims/{id}/retry")))
            .send()
            .await
            .unwrap(),
    ] {
        assert_problem(res, 404, "claim_not_found").await;
    }
    let list: Value = bob
        .get(app.url("/api/v1/claims"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 0);
    let res = bob
        .get(app.url(&format!("/api/v1/claims?orcid={alice_orcid}")))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "not_your_record").await;
    let res = post_claim(&app, &bob, json!({"doi": doi, "orcid": alice_orcid})).await;
    assert_problem(res, 403, "not_your_record").await;
    // Bob claiming the same DOI for himself is his own claim.
    let own = add(&app, &bob, &doi).await;
    assert_ne!(own["id"], claim["id"]);
    assert_eq!(own["orcid"], bob_orcid.as_str());
    assert_eq!(claim_json(&app, &alice, id).await["state"], "waiting");
}

#[actix_web::test]
async fn bad_input_gets_clear_problems() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = person(&app, &[]).await;
    let body = assert_problem(
        post_claim(&app, &b, json!({"doi": "not a doi"})).await,
        422,
        "invalid_doi",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "doi", "{body}");
    assert_problem(
        post_claim(&app, &b, json!({"doi": "10.5555/x", "orcid": "0000-0002-1825-0098"})).await,
        422,
        "invalid_orcid",
    )
    .await;
    assert_problem(
        post_claim(&app, &b, json!({"doi": "10.5555/x", "colour": "red"})).await,
        422,
        "invalid_body",
    )
    .await;
    assert_problem(
        post_claim(&app, &b, json!({"doi": "10.5555/x", "source": "elsewhere"})).await,
        422,
        "invalid_body",
    )
    .await;
    for q in [
        "state=sideways",
        "source=x",
        "sort=name",
        "page[size]=0",
        "page[cursor]=zzz",
        "created_from=yesterday",
        "doi=nope",
    ] {
        let res = b.get(app.url(&format!("/api/v1/claims?{q}"))).send().await.unwrap();
        assert_eq!(res.status(), 422, "{q}");
    }
    let res = app.client.get(app.url("/api/v1/claims")).send().await.unwrap();
    assert_problem(res, 401, "unauthenticated").await;
}

#[actix_web::test]
async fn the_list_filters_counts_and_pages() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let mut dois = Vec::new();
    for _ in 0..5 {
        let doi = seed_doi(&[&orcid], json!({})).await;
        add(&app, &b, &doi).await;
        dois.push(doi);
    }
    add(&app, &b, "10.5555/does-not-exist").await;
    drain(&app, false).await;

    let list: Value = b
        .get(app.url("/api/v1/claims"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 6);
    assert_eq!(list["meta"]["states"]["done"], 5);
    assert_eq!(list["meta"]["states"]["failed"], 1);
    assert_eq!(list["meta"]["states"]["waiting"], 0);
    assert_eq!(list["meta"]["sources"]["search_and_link"], 6);
    let failed: Value = b
        .get(app.url("/api/v1/claims?state=failed"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(failed["data"].as_array().unwrap().len(), 1);
    assert_eq!(failed["data"][0]["doi"], "10.5555/does-not-exist");
    let one: Value = b
        .get(app.url(&format!(
            "/api/v1/claims?doi=https://doi.org/{}",
            dois[2].to_uppercase()
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["meta"]["total"], 1);
    let text: Value = b
        .get(app.url("/api/v1/claims?q=TEST%20DATASET"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(text["meta"]["total"], 5);

    // Pages by number and by cursor cover every claim once, newest first.
    let p2: Value = b
        .get(app.url("/api/v1/claims?page[size]=4&page[number]=2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p2["data"].as_array().unwrap().len(), 2);
    assert_eq!(p2["meta"]["total_pages"], 2);
    let (mut seen, mut sizes) = (Vec::new(), Vec::new());
    let mut next = Some("/api/v1/claims?page[size]=4&sort=created".to_owned());
    while let Some(path) = next {
        let page: Value = b.get(app.url(&path)).send().await.unwrap().json().await.unwrap();
        for c in page["data"].as_array().unwrap() {
            seen.push(c["created_at"].as_str().unwrap().to_owned());
        }
        sizes.push(page["data"].as_array().unwrap().len());
        next = page["links"]["next"].as_str().map(str::to_owned);
    }
    // Four a page, whatever limit the statement was written with.
    assert_eq!(sizes, [4, 2]);
    assert_eq!(seen.len(), 6);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "ascending as asked");

    let stats: Value = b
        .get(app.url("/api/v1/accounts/me/claims/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["total"], 6);
    assert_eq!(stats["states"]["done"], 5);
    assert_eq!(stats["sources"][0]["source"], "search_and_link");
    assert_eq!(stats["sources"][0]["total"], 6);
    assert_eq!(stats["sources"][1]["total"], 0);
    assert!(dois.contains(&stats["last_claimed"]["doi"].as_str().unwrap().to_owned()));
}

/// The filters of one person's whole list.
fn persons(orcid: &str) -> profiles_api::claims::query::Filters {
    profiles_api::claims::query::Filters {
        orcid: Some(orcid.into()),
        states: Vec::new(),
        source: None,
        action: None,
        dois: Vec::new(),
        q: None,
        error: None,
        created_from: None,
        created_to: None,
    }
}

/// A cursor page starts its index scan at the cursor: the rows before it are not read and thrown
/// away, so a person's 40th page costs what their first does.
#[test]
fn a_cursor_page_reads_the_index_from_the_cursor_on() {
    use profiles_api::claims::query::{search, Order, SortKey};

    let db = crate::support::TestDb::new();
    let mut conn = db.conn();
    diesel::sql_query(
        "INSERT INTO claims (orcid, doi, source, state, created_at)
         SELECT '0000-0002-1825-0097', '10.5555/deep-' || g, 'search_and_link', 'done',
                now() - g * interval '1 second'
         FROM generate_series(1, 1000) g",
    )
    .execute(&mut conn)
    .unwrap();
    // Other people's, as in any real table.
    diesel::sql_query(
        "INSERT INTO claims (orcid, doi, source, state, created_at)
         SELECT '0000-0001-0000-' || lpad((g % 5000)::text, 4, '0'), '10.5555/other-' || g,
                'search_and_link', 'done', now() - g * interval '1 second'
         FROM generate_series(1, 50000) g",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query("ANALYZE claims").execute(&mut conn).unwrap();
    // The 900th newest claim: the cursor of a deep page.
    let (at, id): (chrono::DateTime<chrono::Utc>, uuid::Uuid) = claims::table
        .filter(claims::orcid.eq("0000-0002-1825-0097"))
        .order((claims::created_at.desc(), claims::id.desc()))
        .offset(899)
        .select((claims::created_at, claims::id))
        .first(&mut conn)
        .unwrap();
    let filters = persons("0000-0002-1825-0097");
    #[derive(QueryableByName)]
    struct Read {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    // Index entries returned by scans, as this connection has them: counts reach the shared
    // statistics only between transactions, so the difference inside one is the page's alone.
    let returned = |c: &mut PgConnection| -> diesel::QueryResult<i64> {
        let read: Read =
            diesel::sql_query("SELECT pg_stat_get_xact_tuples_returned('claims_orcid_created_id_idx'::regclass) AS n")
                .get_result(c)?;
        Ok(read.n)
    };
    let (page, read) = conn
        .transaction(|c| {
            let order = Order {
                sort: SortKey::Created,
                descending: true,
                page: 1,
                page_size: 25,
                cursor: Some((at, id)),
            };
            let before = returned(c)?;
            let page = search(c, &filters, order)?;
            diesel::QueryResult::Ok((page, returned(c)? - before))
        })
        .unwrap();
    assert_eq!(page.data.len(), 25);
    assert!(page.data.iter().all(|c| (c.created_at, c.id) < (at, id)));
    assert_eq!(page.total, 1000);
    assert!((1..=50).contains(&read), "the page read {read} index entries");
}

/// A DOI's 500 characters count as sent, padding included, as the spec's `maxLength` says; the same
/// DOI unpadded is taken.
#[actix_web::test]
async fn a_doi_over_500_characters_as_sent_is_refused() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = person(&app, &["search_and_link"]).await;
    let doi = format!("10.5555/{}", "a".repeat(484));
    let padded = format!("{}{doi}", "\r".repeat(10));
    assert_eq!(padded.chars().count(), 502);
    let res = post_claim(&app, &b, json!({ "doi": padded })).await;
    assert_problem(res, 422, "invalid_doi").await;
    let res = b
        .get(app.url("/api/v1/accounts/me/activity"))
        .query(&[("doi", padded.as_str())])
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "invalid_doi").await;
    let res = b
        .post(app.url("/api/v1/auto-update/exclusions"))
        .json(&json!({ "kind": "doi", "value": padded }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    add(&app, &b, &doi).await;
}

/// A person's list reads its page and its counts in one statement; where there is no row to
/// carry the counts, or the filters count another way, the counts agree all the same.
#[test]
fn a_persons_list_reads_its_page_and_its_counts_in_one_statement() {
    use diesel::connection::InstrumentationEvent;
    use profiles_api::claims::query::{search, Filters, Found, Order, SortKey};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let db = crate::support::TestDb::new();
    let mut conn = db.conn();
    let orcid = "0000-0002-1825-0097";
    let rows = [
        (orcid, "done", "search_and_link"),
        (orcid, "done", "search_and_link"),
        (orcid, "done", "auto_update"),
        (orcid, "failed", "search_and_link"),
        (orcid, "waiting", "auto_update"),
        ("0000-0001-5109-3700", "done", "search_and_link"),
    ];
    for (i, (who, state, source)) in rows.into_iter().enumerate() {
        diesel::insert_into(claims::table)
            .values((
                claims::orcid.eq(who),
                claims::doi.eq(format!("10.5555/counted-{i}")),
                claims::state.eq(state),
                claims::source.eq(source),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    // The failed claim has ORCID's error.
    diesel::update(claims::table.filter(claims::doi.eq("10.5555/counted-3")))
        .set((
            claims::error_code.eq("orcid_rejected"),
            claims::error_message.eq("ORCID said no"),
        ))
        .execute(&mut conn)
        .unwrap();
    let statements = Arc::new(AtomicUsize::new(0));
    let seen = statements.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            seen.fetch_add(1, Ordering::SeqCst);
        }
    });
    type Cursor = Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>;
    let mut run = |f: &Filters, page: i64, cursor: Cursor| -> (Found, usize) {
        statements.store(0, Ordering::SeqCst);
        let order = Order {
            sort: SortKey::Created,
            descending: true,
            page,
            page_size: 2,
            cursor,
        };
        let found = search(&mut conn, f, order).unwrap();
        (found, statements.load(Ordering::SeqCst))
    };
    let theirs = persons(orcid);

    let (first, n) = run(&theirs, 1, None);
    assert_eq!(n, 1, "the page and its counts in one statement");
    assert_eq!(first.total, 5);
    assert_eq!(first.data.len(), 2);
    assert!(first.next.is_some());
    assert_eq!(
        (first.states["done"], first.states["failed"], first.states["waiting"]),
        (3, 1, 1)
    );
    assert_eq!(first.states["working"], 0);
    assert_eq!((first.sources["search_and_link"], first.sources["auto_update"]), (3, 2));

    // Filtered by state and source: still one statement, and the filtered counts.
    let done = Filters {
        states: vec!["done".into(), "failed".into()],
        source: Some("search_and_link".into()),
        ..theirs.clone()
    };
    let (filtered, n) = run(&done, 1, None);
    assert_eq!(n, 1);
    assert_eq!(
        (filtered.total, filtered.states["done"], filtered.states["failed"]),
        (3, 2, 1)
    );
    assert_eq!(
        (filtered.sources["search_and_link"], filtered.sources["auto_update"]),
        (3, 0)
    );

    // A cursor page carries the counts of the whole filter too.
    let last = first.data.last().map(|c| (c.created_at, c.id));
    let (next, n) = run(&theirs, 1, last);
    assert_eq!(n, 1);
    assert_eq!((next.total, &next.states), (5, &first.states));
    assert!(next.data.iter().all(|c| !first.data.iter().any(|f| f.id == c.id)));

    // Past the last page no row carries the counts: they are read on their own.
    let (past, n) = run(&theirs, 9, None);
    assert_eq!(n, 2);
    assert!(past.data.is_empty() && past.next.is_none());
    assert_eq!(
        (past.total, &past.states, &past.sources),
        (5, &first.states, &first.sources)
    );

    // A person and an error: counted from the claims with an error, not from `claim_counts`.
    let rejected = Filters {
        error: Some("orcid_rejected".into()),
        ..theirs.clone()
    };
    let (errors, n) = run(&rejected, 1, None);
    assert_eq!(n, 2);
    assert_eq!((errors.total, errors.states["failed"], errors.data.len()), (1, 1, 1));

    // Counted the long way (a date filter), the same figures.
    let dated = Filters {
        created_from: Some(chrono::DateTime::UNIX_EPOCH),
        ..theirs.clone()
    };
    let (long, n) = run(&dated, 1, None);
    assert_eq!(n, 2);
    assert_eq!(
        (long.total, &long.states, &long.sources),
        (5, &first.states, &first.sources)
    );
    assert_eq!(
        long.data.iter().map(|c| c.id).collect::<Vec<_>>(),
        first.data.iter().map(|c| c.id).collect::<Vec<_>>()
    );

    // Someone with no claims: an empty page, zero counts.
    let nobody = Filters {
        orcid: Some("0000-0003-1415-9269".into()),
        ..theirs
    };
    let (none, _) = run(&nobody, 1, None);
    assert_eq!((none.total, none.states["done"], none.data.len()), (0, 0, 0));
}

#[actix_web::test]
async fn works_search_annotates_dois_with_the_callers_claims() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let claimed = seed_doi(&[&orcid], json!({})).await;
    let unclaimed = seed_doi(&[&orcid], json!({})).await;
    add(&app, &b, &claimed).await;
    drain(&app, false).await;
    let list: Value = b
        .get(app.url("/api/v1/works"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 2, "{list}");
    let by_doi = |d: &str| {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["doi"] == d)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_doi(&claimed)["in_orcid_record"], true);
    assert_eq!(by_doi(&claimed)["claim"]["state"], "done");
    assert_eq!(by_doi(&unclaimed)["in_orcid_record"], false);
    assert!(by_doi(&unclaimed)["claim"].is_null());
    assert_eq!(by_doi(&unclaimed)["work_type"], "data-set");
    // Free text searches everyone's DOIs.
    let found: Value = b
        .get(app.url("/api/v1/works?query=Carberry"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(found["meta"]["total"].as_i64().unwrap() >= 1, "{found}");
    let res = b.get(app.url("/api/v1/works?mine=false")).send().await.unwrap();
    assert_problem(res, 422, "invalid_parameter").await;
}

/// An API token for `orcid` with `scopes`, made as the operator's CLI does. Posting events is a
/// staff admin's job, so the account becomes one (a token never does more than its owner).
pub fn api_token(app: &TestApp, orcid: &str, scopes: &[&str]) -> String {
    use profiles_api::db::schema::accounts;
    let mut conn = app.db.conn();
    if scopes.contains(&"events:write") {
        profiles_api::accounts::set_role(&mut conn, None, "test", orcid, profiles_api::domain::Role::StaffAdmin)
            .unwrap()
            .unwrap();
    }
    let id: uuid::Uuid = accounts::table
        .filter(accounts::orcid.eq(orcid))
        .select(accounts::id)
        .first(&mut conn)
        .unwrap();
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    profiles_api::auth::api_tokens::create(&mut conn, id, "test", &scopes, None)
        .unwrap()
        .0
}

#[actix_web::test]
async fn auto_update_events_claim_for_every_person_named_and_skip_versions() {
    let (app, _) = spawn_app_with_providers(&[("AUTO_UPDATE_EXCLUDED_PREFIXES", "10.5072")]).await;
    let (service, service_orcid) = person(&app, &[]).await;
    drop(service);
    let feed = api_token(&app, &service_orcid, &["events:write"]);
    let (b, enabled) = person(&app, &["auto_update"]).await;
    let (_, not_enabled) = person(&app, &[]).await;
    let stranger = random_orcid();
    let contributor = random_orcid();
    let doi = seed_doi(&[&enabled, &not_enabled, &stranger], json!({
        "contributors": [{"name": "Helper, Ann", "contributorType": "DataCurator",
            "nameIdentifiers": [{"nameIdentifier": format!("https://orcid.org/{contributor}"), "nameIdentifierScheme": "ORCID"}]}]
    }))
    .await;
    let version = seed_doi(
        &[&enabled],
        json!({"relatedIdentifiers": [
        {"relationType": "IsVersionOf", "relatedIdentifier": "10.5555/concept", "relatedIdentifierType": "DOI"}]}),
    )
    .await;

    // A person's own session may not post events (their role may not); the feed's token may.
    let res = b
        .post(app.url("/api/v1/events/dois"))
        .json(&json!({"events": [{"doi": doi}]}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;
    let res = app
        .client
        .post(app.url("/api/v1/events/dois"))
        .bearer_auth(&feed)
        .json(&json!({"events": [{"doi": doi, "type": "create"}, {"doi": format!("doi:{version}")}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["accepted"], 2);
    // The feed's token cannot read claims.
    let res = app
        .client
        .get(app.url("/api/v1/claims"))
        .bearer_auth(&feed)
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "insufficient_scope").await;
    // Nor use endpoints for people.
    let res = app
        .client
        .get(app.url("/api/v1/accounts/me"))
        .bearer_auth(&feed)
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "api_token_not_allowed").await;

    drain(&app, false).await;
    let mut conn = app.db.conn();
    let rows: Vec<(String, String, String, Option<String>)> = claims::table
        .select((claims::orcid, claims::doi, claims::state, claims::skip_reason))
        .load(&mut conn)
        .unwrap();
    let state_of = |o: &str, d: &str| rows.iter().find(|r| r.0 == o && r.1 == d).map(|r| r.2.clone());
    assert_eq!(state_of(&enabled, &doi).as_deref(), Some("done"));
    assert_eq!(state_of(&not_enabled, &doi).as_deref(), Some("waiting_for_permission"));
    assert_eq!(state_of(&stranger, &doi).as_deref(), Some("waiting_for_permission"));
    assert_eq!(state_of(&contributor, &doi).as_deref(), Some("waiting_for_permission"));
    let skipped = rows.iter().find(|r| r.1 == version).unwrap();
    assert_eq!(skipped.2, "ignored");
    assert!(skipped.3.as_deref().unwrap().contains("IsVersionOf"), "{skipped:?}");
    assert_eq!(record(&enabled).await.len(), 1);
    assert!(
        record(&not_enabled).await.is_empty(),
        "nothing is pushed without permission"
    );

    // Disabling Auto-Update stops further pushes.
    let res = b
        .delete(app.url("/api/v1/accounts/me/permissions/auto_update"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let later = seed_doi(&[&enabled], json!({})).await;
    app.client
        .post(app.url("/api/v1/events/dois"))
        .bearer_auth(&feed)
        .json(&json!({"events": [{"doi": later}]}))
        .send()
        .await
        .unwrap();
    drain(&app, false).await;
    let state: String = claims::table
        .filter(claims::doi.eq(&later))
        .select(claims::state)
        .first(&mut conn)
        .unwrap();
    assert_eq!(state, "waiting_for_permission");
    assert_eq!(record(&enabled).await.len(), 1);

    // Bad events are all reported, and nothing is queued.
    let res = app
        .client
        .post(app.url("/api/v1/events/dois"))
        .bearer_auth(&feed)
        .json(&json!({"events": [{"doi": "10.5555/fine"}, {"doi": "nope"}, {"doi": "10.1/x"}]}))
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 422, "invalid_events").await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    let pending: i64 = jobs::table
        .filter(jobs::state.eq("pending"))
        .filter(jobs::kind.eq("autoupdate.doi"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(pending, 0);
}

#[actix_web::test]
async fn doi_events_waiting_together_are_read_from_datacite_in_one_request() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (_, feed_orcid) = person(&app, &[]).await;
    let feed = api_token(&app, &feed_orcid, &["events:write"]);
    let (_, named) = person(&app, &["auto_update"]).await;
    let mut dois = Vec::new();
    for _ in 0..10 {
        dois.push(seed_doi(&[&named], json!({})).await);
    }
    // lupo splits `ids` at commas: this one is read alone.
    let comma = format!("10.5555/t-{},v2", uuid::Uuid::new_v4().simple());
    let res = reqwest::Client::new()
        .post(format!("{}/_control/dois", standins().datacite))
        .json(&json!({"doi": comma, "creators": [{"givenName": "Test", "familyName": "Person",
            "nameIdentifiers": [{"nameIdentifier": format!("https://orcid.org/{named}"), "nameIdentifierScheme": "ORCID"}]}],
            "titles": [{"title": "A dataset with a comma"}], "publisher": {"name": "Test Repository"},
            "publicationYear": 2024, "types": {"resourceTypeGeneral": "Dataset"}, "url": "https://example.org/data"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    dois.push(comma.clone());
    let missing = format!("10.5555/t-missing-{}", uuid::Uuid::new_v4().simple());
    // Registered but not findable: DataCite's `ids` lookup returns it; it must not be claimed.
    let hidden = seed_doi(&[&named], json!({"state": "registered"})).await;
    let events: Vec<Value> = dois
        .iter()
        .chain([&missing, &hidden])
        .map(|d| json!({"doi": d}))
        .collect();
    let res = app
        .client
        .post(app.url("/api/v1/events/dois"))
        .bearer_auth(&feed)
        .json(&json!({ "events": events }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);

    let w = worker(&app);
    // One pick-up takes every waiting event (more than a batch of 8 would), in one DataCite read.
    let ran = w.tick(&["autoupdate.doi".to_owned()]).await.unwrap();
    assert_eq!(ran, 13);
    let log: Vec<Value> = reqwest::get(format!("{}/_control/requests", standins().datacite))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ours: Vec<&Value> = log
        .iter()
        // By each DOI's unique part, which URL-encoding leaves as it is.
        .filter(|r| {
            dois.iter().any(|d| {
                r.to_string()
                    .contains(d.trim_start_matches("10.5555/").split(',').next().unwrap_or(d))
            })
        })
        .collect();
    // One list request for the batch, and the DOI with a comma (and the missing one) alone.
    let lists: Vec<&&Value> = ours.iter().filter(|r| r["path"] == "/dois").collect();
    assert_eq!(lists.len(), 1, "{ours:?}");
    assert!(
        !lists[0].to_string().contains("v2"),
        "the comma DOI is not in the list request"
    );
    let alone: Vec<&&Value> = ours.iter().filter(|r| r["path"] != "/dois").collect();
    assert_eq!(alone.len(), 1, "{alone:?}");
    let mut conn = app.db.conn();
    let mut claimed: Vec<String> = claims::table
        .filter(claims::orcid.eq(&named))
        .select(claims::doi)
        .load(&mut conn)
        .unwrap();
    claimed.sort();
    let mut expected = dois.clone();
    expected.sort();
    assert_eq!(
        claimed, expected,
        "the findable DOIs, and nothing for the missing and hidden ones"
    );
    let states: Vec<String> = jobs::table
        .filter(jobs::kind.eq("autoupdate.doi"))
        .select(jobs::state)
        .load(&mut conn)
        .unwrap();
    assert_eq!(states, vec!["done"; 13]);
}

#[actix_web::test]
async fn datacites_claim_form_is_accepted_on_the_event_endpoint() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["auto_update"]).await;
    let feed = api_token(&app, &orcid, &["events:write"]);
    let doi = seed_doi(&[&orcid], json!({})).await;
    let res = app
        .client
        .post(app.url("/api/v1/events/dois"))
        .bearer_auth(&feed)
        .json(&json!({"claim": {"doi": doi, "orcid": orcid, "source-id": "orcid_update", "claim_action": "create"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let claim: Value = res.json().await.unwrap();
    assert_eq!(claim["source"], "auto_update");
    drain(&app, false).await;
    assert_eq!(
        claim_json(&app, &b, claim["id"].as_str().unwrap()).await["state"],
        "done"
    );
}

#[actix_web::test]
async fn the_poller_claims_dois_updated_since_its_cursor() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (_, orcid) = person(&app, &["auto_update"]).await;
    // First run: starts the clock without back-filling history.
    let mut conn = app.db.conn();
    profiles_api::jobs::enqueue(&mut conn, profiles_api::jobs::NewJob::new("autoupdate.poll", json!({}))).unwrap();
    drain(&app, false).await;
    let before: i64 = claims::table.count().get_result(&mut conn).unwrap();
    assert_eq!(before, 0);
    let doi = seed_doi(&[&orcid], json!({})).await;
    profiles_api::jobs::enqueue(&mut conn, profiles_api::jobs::NewJob::new("autoupdate.poll", json!({}))).unwrap();
    drain(&app, false).await;
    let state: String = claims::table
        .filter(claims::doi.eq(&doi))
        .filter(claims::orcid.eq(&orcid))
        .select(claims::state)
        .first(&mut conn)
        .unwrap();
    assert_eq!(state, "done");
    assert_eq!(record(&orcid).await.len(), 1);
    let perm: String = orcid_permissions::table
        .select(orcid_permissions::status)
        .first(&mut conn)
        .unwrap();
    assert_eq!(perm, "active");
}

/// One poll takes in a page of DOIs a chunk at a time: each person's rules and the cap on claims
/// waiting for a permission hold across the page's DOIs, and reading the page again adds nothing.
#[actix_web::test]
async fn one_poll_takes_in_a_page_together_with_each_persons_rules_and_the_cap() {
    let (app, _) = spawn_app_with_providers(&[("WAITING_CLAIMS_PER_PERSON", "2")]).await;
    let (_, reviewer) = person(&app, &["auto_update"]).await;
    let (_, pushed) = person(&app, &["auto_update"]).await;
    let stranger = random_orcid();
    let mut conn = app.db.conn();
    diesel::update(accounts::table.filter(accounts::orcid.eq(&reviewer)))
        .set(accounts::auto_update_mode.eq("review"))
        .execute(&mut conn)
        .unwrap();
    let poll = |conn: &mut PgConnection| {
        profiles_api::jobs::enqueue(conn, profiles_api::jobs::NewJob::new("autoupdate.poll", json!({}))).unwrap();
    };
    // The first run starts the clock.
    poll(&mut conn);
    drain(&app, false).await;
    let mut dois = Vec::new();
    for _ in 0..3 {
        dois.push(seed_doi(&[&stranger, &reviewer, &pushed], json!({})).await);
    }
    let states = |conn: &mut PgConnection, orcid: &str| -> Vec<String> {
        let mut states: Vec<String> = claims::table
            .filter(claims::orcid.eq(orcid))
            .filter(claims::doi.eq_any(&dois))
            .select(claims::state)
            .load(conn)
            .unwrap();
        states.sort();
        states
    };
    for round in ["first", "again"] {
        poll(&mut conn);
        drain(&app, false).await;
        assert_eq!(
            states(&mut conn, &stranger),
            ["waiting_for_permission", "waiting_for_permission"],
            "{round}: at most 2 wait for someone who never granted"
        );
        assert_eq!(
            states(&mut conn, &reviewer),
            ["pending_review"; 3],
            "{round}: held for review"
        );
        assert_eq!(states(&mut conn, &pushed), ["done"; 3], "{round}");
        assert_eq!(record(&pushed).await.len(), 3, "{round}: one work per DOI");
    }
}

/// The state machine writes every claim state, and only the moves its table allows: each pair
/// of states is tried against a real row.
#[test]
fn the_state_machine_is_the_writer_and_refuses_what_its_table_does_not_allow() {
    use profiles_api::claims::machine::{self, ClaimChangeset};
    use profiles_api::claims::store::{self, Requester, Submission};
    use profiles_api::claims::{ClaimSource, ClaimState};
    use profiles_api::domain::{Doi, OrcidId};

    let db = crate::support::TestDb::new();
    let mut conn = db.conn();
    let mut moved = 0;
    for from in ClaimState::ALL {
        for to in ClaimState::ALL {
            let submission = Submission {
                orcid: OrcidId::parse(&random_orcid()).unwrap(),
                doi: Doi::parse(&format!("10.5555/m-{}", uuid::Uuid::new_v4().simple())).unwrap(),
                source: ClaimSource::SearchAndLink,
                requester: Requester::Person,
                skip_reason: None,
                title: None,
            };
            let (claim, _) =
                store::submit(&mut conn, &submission, 3, profiles_api::clock::Clock::system().now()).unwrap();
            // The fixture puts the row where the case starts (a test may; the code may not).
            diesel::update(claims::table.find(claim.id))
                .set((claims::state.eq(from), claims::skip_reason.eq("fixture")))
                .execute(&mut conn)
                .unwrap();
            let change = ClaimChangeset {
                skip_reason: Some(Some("moved".into())),
                ..Default::default()
            };
            let result = machine::transition(&mut conn, claim.id, &[from], to, change).unwrap();
            let now: ClaimState = claims::table
                .find(claim.id)
                .select(claims::state)
                .first(&mut conn)
                .unwrap();
            if from.can_become(to) {
                moved += 1;
                assert_eq!(result.map(|c| c.state), Some(to), "{from} → {to} is allowed");
                assert_eq!(now, to);
            } else {
                assert!(result.is_none(), "{from} → {to} must be refused");
                assert_eq!(now, from, "{from} → {to} wrote nothing");
            }
            // A claim that is not where the caller thinks is left alone.
            let elsewhere = ClaimState::ALL.into_iter().find(|s| *s != now && s.can_become(to));
            if let Some(stale) = elsewhere {
                let result = machine::transition(&mut conn, claim.id, &[stale], to, ClaimChangeset::default()).unwrap();
                assert!(result.is_none(), "a claim in {now} moved as if it were {stale}");
            }
        }
    }
    assert!(moved > 10 && moved < 49, "{moved} of 49 moves allowed");
}

/// An empty filter is no filter (an HTML form sends every field, filled or not), as the
/// OpenAPI document says; a filled one is still checked.
#[actix_web::test]
async fn empty_claim_filters_are_no_filters() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = person(&app, &[]).await;
    let res = b
        .get(app.url("/api/v1/claims?state=&source=&action=&doi=&q=&orcid=&error=&sort=&page%5Bcursor%5D="))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let res = b.get(app.url("/api/v1/claims?source=nonsense")).send().await.unwrap();
    assert_problem(res, 422, "invalid_parameter").await;
}

/// What a researcher types in Search & Link: a pasted DOI in any form finds that DOI; words with
/// DataCite's operator characters are searched as words, never a parse error; "your DOIs" include
/// those naming you as a contributor.
#[actix_web::test]
async fn works_search_takes_a_doi_in_any_form_words_as_words_and_contributors_too() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &[]).await;
    let other = random_orcid();
    let as_creator = seed_doi(&[&orcid], json!({})).await;
    let as_contributor = seed_doi(
        &[&other],
        json!({"contributors": [{"name": "Person, Contributing", "contributorType": "DataCurator",
            "nameIdentifiers": [{"nameIdentifier": format!("https://orcid.org/{orcid}"), "nameIdentifierScheme": "ORCID"}]}]}),
    )
    .await;
    let get = |path: String| {
        let b = b.clone();
        let url = app.url(&path);
        async move {
            let res = b.get(url).send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let (status, mine) = get("/api/v1/works".into()).await;
    assert_eq!(status, 200, "{mine}");
    let dois: Vec<&str> = mine["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["doi"].as_str().unwrap())
        .collect();
    assert!(
        dois.contains(&as_creator.as_str()) && dois.contains(&as_contributor.as_str()),
        "{mine}"
    );

    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    for typed in [
        as_creator.clone(),
        format!("doi:{as_creator}"),
        format!("https://doi.org/{}", as_creator.to_uppercase()),
    ] {
        let (status, found) = get(format!("/api/v1/works?query={}", enc(&typed))).await;
        assert_eq!(status, 200, "{typed}: {found}");
        assert_eq!(found["meta"]["total"], 1, "{typed}: {found}");
        assert_eq!(found["data"][0]["doi"], as_creator.as_str(), "{typed}: {found}");
    }
    let (_, none) = get(format!("/api/v1/works?query={}", enc("10.5555/no-such-doi"))).await;
    assert_eq!(none["meta"]["total"], 0, "{none}");
    for words in ["title:(", "pots AND", "a/b \"c"] {
        let (status, body) = get(format!("/api/v1/works?query={}", enc(words))).await;
        assert_eq!(status, 200, "{words:?}: {body}");
    }
}

/// A person who just registered a DOI can see when Auto-Update last looked, what it found, and
/// when it looks next.
#[actix_web::test]
async fn auto_update_says_when_it_last_looked_and_when_it_looks_next() {
    let (app, _) = spawn_app_with_providers(&[("AUTO_UPDATE_POLL_SECS", "900")]).await;
    let (b, orcid) = person(&app, &["auto_update"]).await;
    let status = |b: reqwest::Client| {
        let url = app.url("/api/v1/auto-update/status");
        async move { b.get(url).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let before = status(b.clone()).await;
    assert_eq!(before["every_secs"], 900, "{before}");
    assert!(before["last_checked_at"].is_null(), "{before}");
    // The first look starts the clock; a DOI registered after it is found by the second.
    let mut conn = app.db.conn();
    let poll = || profiles_api::jobs::NewJob::new("autoupdate.poll", json!({}));
    profiles_api::jobs::enqueue(&mut conn, poll()).unwrap();
    drain(&app, false).await;
    seed_doi(&[&orcid], json!({})).await;
    profiles_api::jobs::enqueue(&mut conn, poll()).unwrap();
    drain(&app, false).await;
    let after = status(b.clone()).await;
    let checked = chrono::DateTime::parse_from_rfc3339(after["last_checked_at"].as_str().unwrap()).unwrap();
    let next = chrono::DateTime::parse_from_rfc3339(after["next_check_at"].as_str().unwrap()).unwrap();
    assert_eq!((next - checked).num_seconds(), 900, "{after}");
    assert!(after["last_dois"].as_i64().unwrap() >= 1, "{after}");
    assert!(after["last_claims_created"].as_i64().unwrap() >= 1, "{after}");
    let anonymous = reqwest::get(app.url("/api/v1/auto-update/status")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// A person sets aside a claim that failed: it stays listed as ignored ("Dismissed"), ORCID is
/// not asked anything, and only a failed claim can be dismissed.
#[actix_web::test]
async fn a_failed_claim_can_be_dismissed_without_asking_orcid() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let doi = seed_doi(&[&orcid], json!({})).await;
    let claim = add(&app, &b, &doi).await;
    let id = claim["id"].as_str().unwrap().to_owned();
    let dismiss = |id: String| {
        let b = b.clone();
        let url = app.url(&format!("/api/v1/claims/{id}/dismiss"));
        let origin = app.address.clone();
        async move { b.post(url).header("origin", origin).send().await.unwrap() }
    };
    // Queued, not failed: nothing to dismiss.
    assert_problem(dismiss(id.clone()).await, 409, "claim_not_ignorable").await;
    diesel::update(claims::table.filter(claims::id.eq(uuid::Uuid::parse_str(&id).unwrap())))
        .set((
            claims::state.eq("failed"),
            claims::error_code.eq("orcid_rejected"),
            claims::error_message.eq("ORCID refused the work."),
        ))
        .execute(&mut app.db.conn())
        .unwrap();
    let res = dismiss(id.clone()).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["state"], "ignored", "{body}");
    assert!(body["skip_reason"].as_str().unwrap().starts_with("Dismissed"), "{body}");
    drain(&app, false).await;
    assert!(record(&orcid).await.is_empty(), "nothing went to ORCID");
    // Someone else cannot dismiss it.
    let (other, _) = person(&app, &[]).await;
    let res = other
        .post(app.url(&format!("/api/v1/claims/{id}/dismiss")))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[actix_web::test]
async fn kept_claim_counts_follow_every_change_of_state_source_and_deletion() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let (_, other) = person(&app, &[]).await;
    for _ in 0..3 {
        let doi = seed_doi(&[&orcid], json!({})).await;
        add(&app, &b, &doi).await;
    }
    // Waiting for a permission, then pushed, then one removed.
    let waiting = seed_doi(&[&other], json!({})).await;
    {
        use profiles_api::claims::store::{self, Requester, Submission};
        let mut conn = app.db.conn();
        store::submit(
            &mut conn,
            &Submission {
                orcid: profiles_api::domain::OrcidId::parse(&other).unwrap(),
                doi: profiles_api::domain::Doi::parse(&waiting).unwrap(),
                source: profiles_api::claims::ClaimSource::AutoUpdate,
                requester: Requester::AutoUpdate,
                skip_reason: None,
                title: None,
            },
            3,
            app.clock.now(),
        )
        .unwrap();
    }
    drain(&app, false).await;
    let list: Value = b
        .get(app.url("/api/v1/claims"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let res = b
        .delete(app.url(&format!("/api/v1/claims/{id}")))
        .header("origin", app.address.trim_end_matches('/'))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    drain(&app, false).await;
    let mut conn = app.db.conn();
    let kept: Vec<(String, String, String, i64)> =
        diesel::sql_query("SELECT orcid, state, source, n FROM claim_counts WHERE n > 0 ORDER BY 1, 2, 3")
            .load::<Counted>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|c| (c.orcid, c.state, c.source, c.n))
            .collect();
    let counted: Vec<(String, String, String, i64)> =
        diesel::sql_query("SELECT orcid, state, source, COUNT(*) AS n FROM claims GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
            .load::<Counted>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|c| (c.orcid, c.state, c.source, c.n))
            .collect();
    assert_eq!(kept, counted);
    assert!(
        kept.iter().any(|(o, s, _, n)| *o == orcid && s == "deleted" && *n == 1),
        "{kept:?}"
    );
    assert!(
        kept.iter()
            .any(|(o, s, _, _)| *o == other && s == "waiting_for_permission"),
        "{kept:?}"
    );
    // What the list and the stats say is what the claims are.
    let list: Value = b
        .get(app.url("/api/v1/claims"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 3);
    assert_eq!(list["meta"]["states"]["done"], 2);
    assert_eq!(list["meta"]["states"]["deleted"], 1);
}

#[derive(diesel::QueryableByName)]
struct Counted {
    #[diesel(sql_type = diesel::sql_types::Text)]
    orcid: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    state: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    source: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

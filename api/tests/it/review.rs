//! Auto-Update on the person's terms: review mode (approve, dismiss, all at once) and
//! exclusions (a DOI, a prefix, a repository, a resource type, versions and parts; removed and
//! dismissed DOIs are never proposed again).

use serde_json::{json, Value};

use crate::claims::{api_token, drain, person, record, seed_doi};
use crate::standins::spawn_app_with_providers;
use crate::support::{assert_problem, TestApp};

struct Feed<'a> {
    app: &'a TestApp,
    token: String,
}

impl Feed<'_> {
    async fn event(&self, dois: &[&str]) {
        let events: Vec<Value> = dois.iter().map(|d| json!({ "doi": d })).collect();
        let res = self
            .app
            .client
            .post(self.app.url("/api/v1/events/dois"))
            .bearer_auth(&self.token)
            .json(&json!({ "events": events }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        drain(self.app, false).await;
    }
}

async fn send(app: &TestApp, b: &reqwest::Client, method: &str, path: &str, body: Option<Value>) -> reqwest::Response {
    let mut req = b
        .request(method.parse().unwrap(), app.url(path))
        .header("origin", &app.address);
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.unwrap()
}

async fn claim_of(app: &TestApp, b: &reqwest::Client, doi: &str) -> Value {
    let list: Value = b
        .get(app.url(&format!("/api/v1/claims?doi={doi}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["data"][0].clone()
}

#[actix_web::test]
async fn review_mode_holds_new_dois_until_the_person_decides() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["auto_update"]).await;
    let (_, service) = person(&app, &[]).await;
    let feed = Feed {
        token: api_token(&app, &service, &["events:write"]),
        app: &app,
    };
    let settings: Value = b
        .get(app.url("/api/v1/auto-update/settings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings, json!({"mode": "automatic", "inbox_notifications": true}));
    let res = send(
        &app,
        &b,
        "PUT",
        "/api/v1/auto-update/settings",
        Some(json!({"mode": "review"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_problem(
        send(
            &app,
            &b,
            "PUT",
            "/api/v1/auto-update/settings",
            Some(json!({"mode": "sometimes"})),
        )
        .await,
        422,
        "invalid_parameter",
    )
    .await;

    let (a, d) = (
        seed_doi(&[&orcid], json!({})).await,
        seed_doi(&[&orcid], json!({})).await,
    );
    feed.event(&[&a, &d]).await;
    for doi in [&a, &d] {
        assert_eq!(claim_of(&app, &b, doi).await["state"], "pending_review");
    }
    assert!(record(&orcid).await.is_empty(), "nothing added before approval");

    // Approved: to the record. Dismissed: set aside, never proposed again.
    let id = |c: Value| c["id"].as_str().unwrap().to_owned();
    let approved = send(
        &app,
        &b,
        "POST",
        &format!("/api/v1/claims/{}/approve", id(claim_of(&app, &b, &a).await)),
        None,
    )
    .await;
    assert_eq!(approved.status(), 200);
    drain(&app, false).await;
    assert_eq!(claim_of(&app, &b, &a).await["state"], "done");
    let dismissed = send(
        &app,
        &b,
        "POST",
        &format!("/api/v1/claims/{}/dismiss", id(claim_of(&app, &b, &d).await)),
        None,
    )
    .await;
    assert_eq!(dismissed.status(), 200);
    assert_eq!(claim_of(&app, &b, &d).await["state"], "ignored");
    feed.event(&[&d]).await;
    let again = claim_of(&app, &b, &d).await;
    assert_eq!(again["state"], "ignored", "{again}");
    assert_eq!(record(&orcid).await.len(), 1);
    let exclusions: Value = b
        .get(app.url("/api/v1/auto-update/exclusions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        exclusions
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "doi" && e["value"] == d.as_str() && e["origin"] == "dismissed"),
        "{exclusions}"
    );
    // Approving what is not waiting is a clear 409.
    assert_problem(
        send(
            &app,
            &b,
            "POST",
            &format!("/api/v1/claims/{}/approve", id(claim_of(&app, &b, &a).await)),
            None,
        )
        .await,
        409,
        "claim_not_reviewable",
    )
    .await;

    // All at once.
    let (e, f) = (
        seed_doi(&[&orcid], json!({})).await,
        seed_doi(&[&orcid], json!({})).await,
    );
    feed.event(&[&e, &f]).await;
    let res = send(
        &app,
        &b,
        "POST",
        "/api/v1/auto-update/review",
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"changed": 2}));
    drain(&app, false).await;
    assert_eq!(record(&orcid).await.len(), 3);

    // Adding a dismissed DOI by hand lifts its exclusion.
    let res = send(
        &app,
        &b,
        "POST",
        "/api/v1/claims",
        Some(json!({"doi": d, "source": "auto_update"})),
    )
    .await;
    assert_eq!(res.status(), 202);
    let exclusions: Value = b
        .get(app.url("/api/v1/auto-update/exclusions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        exclusions.as_array().unwrap().iter().all(|e| e["value"] != d.as_str()),
        "{exclusions}"
    );
}

#[actix_web::test]
async fn exclusions_keep_dois_out_of_auto_update() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["auto_update"]).await;
    let (_, service) = person(&app, &[]).await;
    let feed = Feed {
        token: api_token(&app, &service, &["events:write"]),
        app: &app,
    };
    for (body, code) in [
        (json!({"kind": "prefix", "value": "abc"}), "invalid_parameter"),
        (json!({"kind": "colour", "value": "red"}), "invalid_parameter"),
        (json!({"kind": "versions_and_parts", "value": "x"}), "invalid_parameter"),
    ] {
        assert_problem(
            send(&app, &b, "POST", "/api/v1/auto-update/exclusions", Some(body)).await,
            422,
            code,
        )
        .await;
    }
    for body in [
        json!({"kind": "resource_type", "value": "Software"}),
        json!({"kind": "versions_and_parts"}),
    ] {
        let res = send(&app, &b, "POST", "/api/v1/auto-update/exclusions", Some(body)).await;
        assert_eq!(res.status(), 201);
    }
    let software = seed_doi(&[&orcid], json!({"types": {"resourceTypeGeneral": "Software"}})).await;
    let supplement = seed_doi(
        &[&orcid],
        json!({"relatedIdentifiers": [{"relationType": "IsSupplementTo", "relatedIdentifier": "10.5555/paper", "relatedIdentifierType": "DOI"}]}),
    )
    .await;
    let dataset = seed_doi(&[&orcid], json!({})).await;
    feed.event(&[&software, &supplement, &dataset]).await;
    let skipped = claim_of(&app, &b, &software).await;
    assert_eq!(skipped["state"], "ignored");
    assert_eq!(skipped["skip_reason"], "You excluded software DOIs from Auto-Update.");
    assert_eq!(
        claim_of(&app, &b, &supplement).await["skip_reason"],
        "You excluded versions and parts of other works from Auto-Update."
    );
    assert_eq!(claim_of(&app, &b, &dataset).await["state"], "done");
    assert_eq!(record(&orcid).await.len(), 1);

    // Removing a work excludes its DOI: a new event leaves it out.
    let id = claim_of(&app, &b, &dataset).await["id"].as_str().unwrap().to_owned();
    assert_eq!(
        send(&app, &b, "DELETE", &format!("/api/v1/claims/{id}"), None)
            .await
            .status(),
        202
    );
    drain(&app, false).await;
    feed.event(&[&dataset]).await;
    assert!(record(&orcid).await.is_empty());
    let exclusions: Value = b
        .get(app.url("/api/v1/auto-update/exclusions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = exclusions.as_array().unwrap();
    assert!(
        rows.iter()
            .any(|e| e["value"] == dataset.as_str() && e["origin"] == "removed"),
        "{exclusions}"
    );

    // An exclusion is removed; someone else's is not there.
    let first = rows[0]["id"].as_str().unwrap().to_owned();
    let (other, _) = person(&app, &[]).await;
    assert_problem(
        send(
            &app,
            &other,
            "DELETE",
            &format!("/api/v1/auto-update/exclusions/{first}"),
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        send(
            &app,
            &b,
            "DELETE",
            &format!("/api/v1/auto-update/exclusions/{first}"),
            None
        )
        .await
        .status(),
        204
    );
}

//! Claims stay true to the ORCID record: a work removed on orcid.org is not pushed back, a DOI in
//! the record from another source is not duplicated, a lost put-code is found again.

use serde_json::{json, Value};

use crate::claims::{add, api_token, drain, person, record, seed_doi};
use crate::standins::{spawn_app_with_providers, standins};
use crate::support::{assert_problem, TestApp};

async fn check(app: &TestApp, b: &reqwest::Client) -> reqwest::Response {
    b.post(app.url("/api/v1/accounts/me/orcid-record/check"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap()
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

async fn control(path: &str, body: Value) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{}/_control/{path}", standins().orcid_api))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap()
}

#[actix_web::test]
async fn the_record_decides_what_is_claimed() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link", "auto_update"]).await;
    let (service, service_orcid) = person(&app, &[]).await;
    drop(service);
    let feed = api_token(&app, &service_orcid, &["events:write"]);

    // Pushed, then deleted by the person on orcid.org.
    let mine = seed_doi(&[&orcid], json!({})).await;
    add(&app, &b, &mine).await;
    drain(&app, false).await;
    let put_code = claim_of(&app, &b, &mine).await["put_code"].as_i64().unwrap();
    control("delete-work", json!({"orcid": orcid, "putCode": put_code})).await;
    // In the record already from another source, before Profiles pushes it.
    let theirs = seed_doi(&[&orcid], json!({})).await;
    control(
        "seed-work",
        json!({"orcid": orcid, "source": {"clientId": "APP-CROSSREF000001", "name": "Crossref Metadata Search"},
               "work": {"title": {"title": {"value": "Theirs"}}, "type": "data-set",
                        "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": theirs, "external-id-relationship": "self"}]}}}),
    )
    .await;
    add(&app, &b, &theirs).await;

    let res = check(&app, &b).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["works_in_record"], 1, "{report}");
    assert_eq!(report["removed_in_orcid"], 1, "{report}");
    assert_eq!(report["already_in_record"], 1, "{report}");
    assert!(report["checked_at"].is_string());
    let removed = claim_of(&app, &b, &mine).await;
    assert_eq!(removed["state"], "removed_in_orcid", "{removed}");
    assert!(
        removed["skip_reason"]
            .as_str()
            .unwrap()
            .starts_with("You removed this from your ORCID record"),
        "{removed}"
    );
    let elsewhere = claim_of(&app, &b, &theirs).await;
    assert_eq!(elsewhere["state"], "ignored", "{elsewhere}");
    assert_eq!(
        elsewhere["skip_reason"],
        "Already in your ORCID record (added by Crossref Metadata Search)."
    );
    drain(&app, false).await;
    assert_eq!(record(&orcid).await.len(), 1, "nothing pushed: no duplicate of theirs");
    // Nor by a later DataCite event for it (Auto-Update would re-queue an ignored claim).
    let res = app
        .client
        .post(app.url("/api/v1/events/dois"))
        .bearer_auth(&feed)
        .json(&json!({"events": [{"doi": theirs, "type": "update"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    drain(&app, false).await;
    assert_eq!(claim_of(&app, &b, &theirs).await["state"], "ignored");
    assert_eq!(record(&orcid).await.len(), 1, "still no second copy of theirs");
    let me: Value = b
        .get(app.url("/api/v1/accounts/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let at = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp_micros()
    };
    assert_eq!(at(&me["orcid_checked_at"]), at(&report["checked_at"]));

    // A DataCite update of the removed DOI does not bring it back.
    let res = app
        .client
        .post(app.url("/api/v1/events/dois"))
        .bearer_auth(&feed)
        .json(&json!({"events": [{"doi": mine, "type": "update"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    drain(&app, false).await;
    assert_eq!(claim_of(&app, &b, &mine).await["state"], "removed_in_orcid");
    assert_eq!(record(&orcid).await.len(), 1);

    // The person adding it again does: a new work.
    add(&app, &b, &mine).await;
    drain(&app, false).await;
    let back = claim_of(&app, &b, &mine).await;
    assert_eq!(back["state"], "done", "{back}");
    assert_ne!(back["put_code"].as_i64(), Some(put_code));
    assert_eq!(record(&orcid).await.len(), 2);

    // Each change is in the activity log, with its reason.
    let log: Value = b
        .get(app.url("/api/v1/accounts/me/activity?page[size]=100"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reconciled: Vec<(&str, &str)> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reason"] == "reconcile")
        .map(|e| (e["action"].as_str().unwrap(), e["doi"].as_str().unwrap()))
        .collect();
    assert!(reconciled.contains(&("removed", mine.as_str())), "{reconciled:?}");
    assert!(reconciled.contains(&("skipped", theirs.as_str())), "{reconciled:?}");
}

#[actix_web::test]
async fn a_lost_put_code_is_adopted_and_a_record_without_permission_is_not_read() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    // Ours in the record, but the claim does not know (a crash after ORCID made it).
    let doi = seed_doi(&[&orcid], json!({})).await;
    let seeded = control(
        "seed-work",
        json!({"orcid": orcid, "source": {"clientId": app.config.orcid.as_ref().unwrap().client_id},
               "work": {"title": {"title": {"value": "Ours"}}, "type": "data-set",
               "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": doi, "external-id-relationship": "self"}]}}}),
    )
    .await;
    add(&app, &b, &doi).await;
    let report: Value = check(&app, &b).await.json().await.unwrap();
    assert_eq!(report["adopted"], 1, "{report}");
    let claim = claim_of(&app, &b, &doi).await;
    assert_eq!(claim["state"], "done", "{claim}");
    assert_eq!(claim["put_code"], seeded["put-code"]);

    // Without a permission to read with: a clear 409.
    let (other, _) = person(&app, &[]).await;
    assert_problem(check(&app, &other).await, 409, "record_unreadable").await;
}

#[actix_web::test]
async fn metadata_follows_datacite_and_search_shows_the_record() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (auto, auto_orcid) = person(&app, &["auto_update"]).await;
    let (linker, linker_orcid) = person(&app, &["search_and_link"]).await;
    let (_, service) = person(&app, &[]).await;
    let feed = api_token(&app, &service, &["events:write"]);
    let event = |doi: String| {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/events/dois"), feed.clone());
        async move {
            let res = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"events": [{"doi": doi}]}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 202);
        }
    };
    let doi = seed_doi(&[&auto_orcid, &linker_orcid], json!({})).await;
    event(doi.clone()).await;
    add(&app, &linker, &doi).await;
    drain(&app, false).await;
    assert_eq!(claim_of(&app, &auto, &doi).await["state"], "done");
    assert_eq!(claim_of(&app, &linker, &doi).await["state"], "done");

    // DataCite's record no longer names either of them.
    let res = reqwest::Client::new()
        .post(format!("{}/_control/dois", standins().datacite))
        .json(&json!({"doi": doi, "creators": [{"name": "Someone Else", "nameType": "Personal"}],
               "titles": [{"title": "A test dataset"}], "publisher": {"name": "Test Repository"},
               "publicationYear": 2024, "types": {"resourceTypeGeneral": "Dataset"}, "url": "https://example.org/data"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    event(doi.clone()).await;
    drain(&app, false).await;
    // Auto-Update's work goes; the person's own Search & Link choice stays, and says so.
    assert_eq!(claim_of(&app, &auto, &doi).await["state"], "deleted");
    assert!(record(&auto_orcid).await.is_empty());
    let kept = claim_of(&app, &linker, &doi).await;
    assert_eq!(kept["state"], "done", "{kept}");
    assert_eq!(kept["error"]["code"], "no_longer_named", "{kept}");
    assert_eq!(record(&linker_orcid).await.len(), 1);
    // Named again: Auto-Update's work comes back (its removal was DataCite's, not the person's).
    seed_again(&doi, &auto_orcid).await;
    event(doi.clone()).await;
    drain(&app, false).await;
    assert_eq!(claim_of(&app, &auto, &doi).await["state"], "done");
    assert_eq!(record(&auto_orcid).await.len(), 1);

    // Search & Link marks a DOI in the record from another source, as the record says.
    let theirs = seed_doi(&[&linker_orcid], json!({})).await;
    control(
        "seed-work",
        json!({"orcid": linker_orcid, "source": {"clientId": "APP-CROSSREF000001", "name": "Crossref Metadata Search"},
               "work": {"title": {"title": {"value": "Theirs"}}, "type": "data-set",
                        "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": theirs, "external-id-relationship": "self"}]}}}),
    )
    .await;
    assert_eq!(check(&app, &linker).await.status(), 200);
    let found: Value = linker
        .get(app.url(&format!("/api/v1/works?query={theirs}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let work = &found["data"][0];
    assert_eq!(work["in_orcid_record"], true, "{work}");
    assert_eq!(work["in_record_from"], "Crossref Metadata Search");
    assert!(work["claim"].is_null());
}

/// Registers `doi` again at the DataCite double, naming `orcid` as its creator.
async fn seed_again(doi: &str, orcid: &str) {
    let res = reqwest::Client::new()
        .post(format!("{}/_control/dois", standins().datacite))
        .json(&json!({"doi": doi, "creators": [{"givenName": "Test", "familyName": "Person",
               "nameIdentifiers": [{"nameIdentifier": format!("https://orcid.org/{orcid}"), "nameIdentifierScheme": "ORCID"}]}],
               "titles": [{"title": "A test dataset"}], "publisher": {"name": "Test Repository"},
               "publicationYear": 2024, "types": {"resourceTypeGeneral": "Dataset"}, "url": "https://example.org/data"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
}

//! Back-fill: enabling Auto-Update adds every DOI already naming the person (creator or
//! contributor), with ORCID's bulk create: 151 DOIs in 2 requests.

use serde_json::{json, Value};

use crate::claims::{add, drain, person, record, run_jobs, seed_doi};
use crate::standins::{spawn_app_with_providers, standins};
use crate::support::assert_problem;

async fn orcid_calls(orcid: &str) -> Vec<String> {
    let log: Vec<Value> = reqwest::get(format!("{}/_control/requests", standins().orcid_api))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log.iter()
        .filter(|r| r["path"].as_str().unwrap_or("").contains(orcid))
        .map(|r| format!("{} {}", r["method"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect()
}

#[actix_web::test]
async fn enabling_auto_update_back_fills_every_doi_naming_the_person_in_bulk() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    // Already claimed by hand: left as it is.
    let mine = seed_doi(&[&orcid], json!({})).await;
    add(&app, &b, &mine).await;
    drain(&app, false).await;
    let mut dois = Vec::new();
    for _ in 0..150 {
        dois.push(seed_doi(&[&orcid], json!({})).await);
    }
    // Named only as a contributor (DataCite's user-id would miss it).
    let contributed = seed_doi(
        &[],
        json!({"creators": [{"name": "Someone Else"}],
               "contributors": [{"name": "Carberry", "contributorType": "DataCurator",
                   "nameIdentifiers": [{"nameIdentifier": format!("https://orcid.org/{orcid}"), "nameIdentifierScheme": "ORCID"}]}]}),
    )
    .await;
    // A version of another work: DataCite's rule leaves it out.
    let version = seed_doi(
        &[&orcid],
        json!({"relatedIdentifiers": [{"relationType": "IsVersionOf", "relatedIdentifier": "10.5555/concept", "relatedIdentifierType": "DOI"}]}),
    )
    .await;

    // Enabling Auto-Update queues the back-fill.
    crate::claims::grant(&app, &b, &orcid, "auto_update").await;
    let before = orcid_calls(&orcid).await.len();
    assert_eq!(run_jobs(&app, &["claims.backfill"]).await, 1);
    let calls: Vec<String> = orcid_calls(&orcid).await[before..].to_vec();
    let bulk = calls
        .iter()
        .filter(|c| c.ends_with("/works") && c.starts_with("POST"))
        .count();
    assert_eq!(bulk, 2, "151 works in two bulk requests: {calls:?}");
    assert!(
        calls.iter().all(|c| !c.contains("/work/") && !c.ends_with("/work")),
        "no one-by-one pushes: {calls:?}"
    );
    let works = record(&orcid).await;
    assert_eq!(
        works.len(),
        1 + 150 + 1,
        "the hand-made one, the 150 and the contributed one"
    );

    let list: Value = b
        .get(app.url("/api/v1/claims?state=done&page[size]=100"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 152, "{}", list["meta"]);
    let skipped: Value = b
        .get(app.url(&format!("/api/v1/claims?doi={version}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(skipped["data"][0]["state"], "ignored");
    let contributed: Value = b
        .get(app.url(&format!("/api/v1/claims?doi={contributed}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(contributed["data"][0]["source"], "auto_update");
    // In the activity log, as a back-fill.
    let log: Value = b
        .get(app.url("/api/v1/accounts/me/activity?action=added&page[size]=100"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(log["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["reason"] == "back_fill"));

    // Asked again: nothing new, nothing sent.
    let res = b
        .post(app.url("/api/v1/auto-update/backfill"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let before = orcid_calls(&orcid).await.len();
    run_jobs(&app, &["claims.backfill"]).await;
    assert_eq!(orcid_calls(&orcid).await.len(), before);
    assert_eq!(record(&orcid).await.len(), works.len());

    // Without Auto-Update, a clear 409.
    let (other, _) = person(&app, &[]).await;
    let res = other
        .post(app.url("/api/v1/auto-update/backfill"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_problem(res, 409, "permission_required").await;
}

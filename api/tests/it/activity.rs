//! The activity log: every change Profiles made or tried in an ORCID record, with why and what
//! ORCID answered, for the person (and their export) and for staff.

use diesel::prelude::*;
use profiles_api::db::schema::accounts;
use serde_json::{json, Value};

use crate::claims::{add, drain, fail_next, person, seed_doi};
use crate::standins::spawn_app_with_providers;
use crate::support::TestApp;

async fn activity(app: &TestApp, b: &reqwest::Client, query: &str) -> Value {
    let res = b
        .get(app.url(&format!("/api/v1/accounts/me/activity{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn actions(page: &Value) -> Vec<(String, String)> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["doi"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn every_change_in_the_record_is_logged_with_why_and_what_orcid_said() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let (other, _) = person(&app, &["search_and_link"]).await;

    // Added, then removed.
    let doi = seed_doi(&[&orcid], json!({})).await;
    let claim = add(&app, &b, &doi).await;
    let id = claim["id"].as_str().unwrap().to_owned();
    drain(&app, false).await;
    let res = b
        .delete(app.url(&format!("/api/v1/claims/{id}")))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    drain(&app, false).await;
    // Refused by ORCID: failed, with ORCID's status and our code; then dismissed by the person.
    let refused = seed_doi(&[&orcid], json!({})).await;
    fail_next(&orcid, json!({"status": 400, "method": "POST"})).await;
    let failed = add(&app, &b, &refused).await;
    drain(&app, false).await;
    let res = b
        .post(app.url(&format!("/api/v1/claims/{}/dismiss", failed["id"].as_str().unwrap())))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let page = activity(&app, &b, "").await;
    assert_eq!(
        actions(&page),
        [
            ("skipped", &refused),
            ("failed", &refused),
            ("removed", &doi),
            ("added", &doi),
        ]
        .map(|(a, d)| (a.to_owned(), d.clone()))
    );
    let entries = page["data"].as_array().unwrap();
    let put_code = entries[3]["put_code"].as_i64().expect("the put-code of the added work");
    assert_eq!(entries[2]["put_code"], put_code);
    assert!(entries.iter().all(|e| e["orcid"] == orcid.as_str()));
    assert_eq!(entries[3]["reason"], "search_and_link");
    assert_eq!(entries[3]["claim_id"], id.as_str());
    assert_eq!(entries[1]["orcid_status"], 400, "{}", entries[1]);
    assert_eq!(entries[1]["error_code"], "orcid_rejected");
    assert_eq!(entries[0]["reason"], "person");
    let text = page.to_string();
    assert!(!text.contains("access_token") && !text.contains("Bearer"), "{text}");

    // Filtered and paged.
    let failed_only = activity(&app, &b, "?action=failed,skipped").await;
    assert_eq!(failed_only["data"].as_array().unwrap().len(), 2);
    let first = activity(&app, &b, "?page[size]=2").await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    let next = first["links"]["next"].as_str().unwrap().to_owned();
    let second: Value = b.get(app.url(&next)).send().await.unwrap().json().await.unwrap();
    assert_eq!(actions(&second), actions(&page)[2..4].to_vec());
    let res = b
        .get(app.url("/api/v1/accounts/me/activity?action=exploded"))
        .send()
        .await
        .unwrap();
    crate::support::assert_problem(res, 422, "invalid_parameter").await;

    // Someone else's log is theirs; staff see everyone's, filtered.
    assert_eq!(activity(&app, &other, "").await["data"], json!([]));
    let res = b.get(app.url("/api/v1/admin/activity")).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let (staff, staff_orcid) = person(&app, &[]).await;
    diesel::update(accounts::table.filter(accounts::orcid.eq(&staff_orcid)))
        .set(accounts::role.eq("staff_user"))
        .execute(&mut app.db.conn())
        .unwrap();
    let theirs: Value = staff
        .get(app.url(&format!("/api/v1/admin/activity?orcid={orcid}&action=removed")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actions(&theirs), vec![("removed".to_owned(), doi.clone())]);

    // In the export, oldest first.
    let export: Value = b
        .get(app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let logged: Vec<&str> = export["orcid_activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(logged, ["added", "removed", "failed", "skipped"]);
}

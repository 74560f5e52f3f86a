//! ORCID inbox permission notifications: a DOI names someone who never signed in; they are asked
//! once in their ORCID inbox, and one click grants Auto-Update, pushes the works and signs them in.

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::claims::{api_token, drain, person, random_orcid, record, run_jobs, seed_doi};
use crate::standins::{absolute_url, browser, spawn_app_with_providers, standins};
use crate::support::{assert_problem, Addressed, TestApp};

const ON: &[(&str, &str)] = &[("ORCID_NOTIFICATIONS", "on")];

/// Posts DOI events as a feed and takes them in.
async fn events(app: &TestApp, feed: &str, dois: &[&str]) {
    let res = app
        .client
        .post(app.url("/api/v1/events/dois"))
        .bearer_auth(feed)
        .json(&json!({"events": dois.iter().map(|d| json!({"doi": d})).collect::<Vec<_>>()}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    drain(app, false).await;
}

/// One notification sweep, and the sends it queued.
async fn sweep(app: &TestApp) {
    {
        let mut conn = app.db.conn();
        profiles_api::jobs::enqueue(
            &mut conn,
            profiles_api::jobs::NewJob::new(profiles_api::notifications::SWEEP_JOB, json!({})),
        )
        .unwrap();
    }
    run_jobs(app, &["notifications.sweep"]).await;
    run_jobs(app, &["notifications.send"]).await;
}

async fn inbox(orcid: &str) -> Vec<Value> {
    let v: Value = reqwest::get(format!("{}/_control/inbox/{orcid}", standins().orcid_api))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["notifications"].as_array().cloned().unwrap_or_default()
}

async fn control(path: &str, body: Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/_control/{path}", standins().orcid_api))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "control {path}: {}", res.status());
}

async fn feed(app: &TestApp) -> String {
    let (_, service) = person(app, &[]).await;
    api_token(app, &service, &["events:write"])
}

/// A staff admin's browser.
async fn staff(app: &TestApp) -> reqwest::Client {
    let (b, orcid) = person(app, &[]).await;
    {
        let mut conn = app.db.conn();
        profiles_api::accounts::set_role(&mut conn, None, "test", &orcid, profiles_api::domain::Role::StaffAdmin)
            .unwrap()
            .unwrap();
    }
    // A new role takes a new sign-in.
    let res = crate::standins::sign_in_orcid(app, &b, &orcid).await;
    assert_eq!(res.status(), 303);
    b
}

async fn staff_get(app: &TestApp, b: &reqwest::Client, path: &str) -> Value {
    let res = b.get(app.url(path)).send().await.unwrap();
    let status = res.status();
    if status != 200 {
        panic!("{path}: {status} {}", res.text().await.unwrap_or_default());
    }
    res.json().await.unwrap()
}

/// Follows a notification's "Grant permission" as `login` at ORCID, with one ORCID session for
/// the whole journey (as one browser would); returns the app's last answer and where it led.
async fn follow(app: &TestApp, b: &reqwest::Client, link: &str, login: &str) -> (u16, String, Vec<String>) {
    let (provider, _) = browser();
    let mut url = link.to_owned();
    let mut seen = Vec::new();
    let mut logged_in = false;
    for _ in 0..30 {
        seen.push(url.clone());
        let at_app = url.starts_with(app.address());
        let res = if at_app {
            b.get(&url).header("accept", "text/html").send().await.unwrap()
        } else {
            provider.get(&url).send().await.unwrap()
        };
        if res.status().is_redirection() {
            let next = absolute_url(&url, res.headers()["location"].to_str().unwrap());
            if at_app && next.starts_with(app.address()) && !next.contains("/auth/") {
                seen.push(next);
                return (303, String::new(), seen);
            }
            url = next;
            continue;
        }
        if at_app {
            let status = res.status().as_u16();
            return (status, res.text().await.unwrap_or_default(), seen);
        }
        assert_eq!(res.status(), 200, "unexpected page at {url}");
        assert!(!logged_in, "ORCID asked to log in twice: {seen:?}");
        logged_in = true;
        let next = provider
            .post(&url)
            .form(&[("prompt", "login"), ("login", login), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert!(next.status().is_redirection(), "login answered {}", next.status());
        url = absolute_url(&url, next.headers()["location"].to_str().unwrap());
    }
    panic!("the journey did not end: {seen:?}");
}

fn link_of(notification: &Value) -> String {
    notification["authorization-url"]["uri"]
        .as_str()
        .expect("an authorization URL")
        .to_owned()
}

#[actix_web::test]
async fn a_doi_naming_a_stranger_reaches_their_inbox_and_one_click_grants_pushes_and_signs_in() {
    const METRICS: &str = "a-metrics-token-of-at-least-32-characters";
    let (app, _) = spawn_app_with_providers(&[ON[0], ("METRICS_TOKEN", METRICS)]).await;
    let feed = feed(&app).await;
    let stranger = random_orcid();
    let first = seed_doi(&[&stranger], json!({"titles": [{"title": "Glacier melt rates"}]})).await;
    let second = seed_doi(&[&stranger], json!({})).await;
    events(&app, &feed, &[&first, &second]).await;

    sweep(&app).await;
    let sent = inbox(&stranger).await;
    assert_eq!(sent.len(), 1, "one notification for both DOIs: {sent:?}");
    let n = &sent[0];
    assert_eq!(n["notification-type"], "permission");
    let items: Vec<&str> = n["items"]["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["external-id"]["external-id-value"].as_str().unwrap())
        .collect();
    assert!(
        items.contains(&first.as_str()) && items.contains(&second.as_str()),
        "{items:?}"
    );
    assert!(
        n["items"]["item"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["item-name"] == "Glacier melt rates"),
        "the title names the work: {n}"
    );
    let link = link_of(n);
    assert!(
        link.starts_with(&standins().orcid),
        "an ORCID authorization URL: {link}"
    );
    assert!(link.contains("code_challenge="), "with PKCE: {link}");

    // Nothing more within the period, however often the sweep runs.
    sweep(&app).await;
    sweep(&app).await;
    assert_eq!(inbox(&stranger).await.len(), 1);

    // One click: ORCID's login, then straight to the claims page, signed in.
    let (b, _) = browser();
    let (status, text, journey) = follow(&app, &b, &link, &stranger).await;
    assert_eq!(status, 303, "{text}\n{journey:?}");
    assert_eq!(
        journey
            .last()
            .map(|u| u.trim_start_matches(app.address()).trim_start_matches('/')),
        Some("settings/claims?granted=auto_update&via=inbox"),
        "{journey:?}"
    );
    assert!(
        journey.iter().any(|u| u.contains("/auth/orcid/callback")),
        "signed in through a browser-bound ORCID sign-in: {journey:?}"
    );
    let me: Value = b
        .get(app.url("/api/v1/accounts/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["orcid"], stranger.as_str(), "{me}");

    drain(&app, false).await;
    let works = record(&stranger).await;
    assert_eq!(works.len(), 2, "both works are in the record: {works:?}");
    let list: Value = b
        .get(app.url("/api/v1/claims?state=done"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 2, "{list}");

    // Staff see the history and the conversion, here and in /metrics.
    let admin = staff(&app).await;
    let history = staff_get(&app, &admin, &format!("/api/v1/admin/notifications?orcid={stranger}")).await;
    let row = &history["data"][0];
    assert_eq!(row["status"], "sent");
    assert_eq!(row["answer"], "accepted");
    assert!(row["put_code"].as_i64().is_some(), "{row}");
    assert!(row["granted_at"].is_string(), "{row}");
    assert_eq!(row["works"].as_array().map(Vec::len), Some(2));
    let summary = staff_get(&app, &admin, "/api/v1/admin/notifications/summary").await;
    assert_eq!(summary["enabled"], true);
    assert_eq!(summary["people_notified"], 1, "{summary}");
    assert_eq!(summary["people_granted"], 1, "{summary}");
    assert_eq!(summary["conversion"], 1.0, "{summary}");
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(METRICS)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "profiles_orcid_notified_people 1",
        "profiles_orcid_notified_people_granted 1",
        "profiles_orcid_notifications{status=\"sent\"} 1",
        "profiles_orcid_notification_answers{answer=\"accepted\"} 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "no {line:?} in\n{metrics}");
    }
}

#[actix_web::test]
async fn once_per_period_never_to_who_refused_archived_opted_out_or_granted() {
    let (app, _) = spawn_app_with_providers(ON).await;
    let feed = feed(&app).await;
    let (quiet, refuses, archives) = (random_orcid(), random_orcid(), random_orcid());
    let (opted_b, opted) = person(&app, &[]).await;
    let (_, granted) = person(&app, &["auto_update"]).await;
    control("record-state", json!({"orcid": refuses, "notificationsDisabled": true})).await;
    let mut dois = Vec::new();
    for who in [&quiet, &refuses, &archives, &opted, &granted] {
        dois.push(seed_doi(&[who], json!({})).await);
    }
    // The account holder says no to inbox notifications.
    let res = opted_b
        .put(app.url("/api/v1/auto-update/settings"))
        .header("origin", app.address().trim_end_matches('/'))
        .json(&json!({"mode": "automatic", "inbox_notifications": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let settings: Value = res.json().await.unwrap();
    assert_eq!(settings["inbox_notifications"], false);
    let refs: Vec<&str> = dois.iter().map(String::as_str).collect();
    events(&app, &feed, &refs).await;
    sweep(&app).await;

    assert_eq!(inbox(&quiet).await.len(), 1);
    assert_eq!(inbox(&archives).await.len(), 1);
    assert!(inbox(&opted).await.is_empty(), "opted out");
    assert!(inbox(&granted).await.is_empty(), "already granted");
    let admin = staff(&app).await;
    let refused = staff_get(&app, &admin, &format!("/api/v1/admin/notifications?orcid={refuses}")).await;
    assert_eq!(refused["data"][0]["status"], "refused", "{refused}");
    assert_eq!(refused["data"][0]["answer"], "notifications_disabled", "{refused}");
    assert_eq!(refused["data"][0]["orcid_status"], 409, "{refused}");

    // The person archives it at ORCID; the next sweep reads that back.
    let put_code = inbox(&archives).await[0]["put-code"].as_i64().unwrap();
    control(&format!("inbox/{archives}/{put_code}/archive"), json!({})).await;
    sweep(&app).await;
    let read = staff_get(&app, &admin, &format!("/api/v1/admin/notifications?orcid={archives}")).await;
    assert!(read["data"][0]["archived_at"].is_string(), "{read}");

    // New DOIs for all of them; a month later only the quiet one is asked again, about the new
    // DOI only.
    let mut fresh = Vec::new();
    for who in [&quiet, &refuses, &archives] {
        fresh.push(seed_doi(&[who], json!({})).await);
    }
    let refs: Vec<&str> = fresh.iter().map(String::as_str).collect();
    events(&app, &feed, &refs).await;
    sweep(&app).await;
    assert_eq!(inbox(&quiet).await.len(), 1, "not twice within the period");
    app.clock.advance(chrono::Duration::days(31));
    sweep(&app).await;
    let quiet_inbox = inbox(&quiet).await;
    assert_eq!(quiet_inbox.len(), 2, "asked again after the period");
    let newest = &quiet_inbox[0];
    let items = newest["items"]["item"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only the new DOI: {newest}");
    assert_eq!(items[0]["external-id"]["external-id-value"], fresh[0].as_str());
    // A month on, the staff session has ended too.
    let admin = staff(&app).await;
    let refused = staff_get(&app, &admin, &format!("/api/v1/admin/notifications?orcid={refuses}")).await;
    assert_eq!(refused["meta"]["total"], 1, "never retried after a refusal: {refused}");
    assert_eq!(
        inbox(&archives)
            .await
            .iter()
            .filter(|n| n["archived-date"].is_null())
            .count(),
        0
    );
    let archived = staff_get(&app, &admin, &format!("/api/v1/admin/notifications?orcid={archives}")).await;
    assert_eq!(archived["meta"]["total"], 1, "never again after an archive: {archived}");
}

#[actix_web::test]
async fn waiting_claims_are_capped_per_person_and_expire_with_a_reason() {
    let (app, _) =
        spawn_app_with_providers(&[("WAITING_CLAIMS_PER_PERSON", "2"), ("WAITING_CLAIM_EXPIRY_DAYS", "180")]).await;
    let feed = feed(&app).await;
    let stranger = random_orcid();
    let mut dois = Vec::new();
    for _ in 0..3 {
        dois.push(seed_doi(&[&stranger], json!({})).await);
    }
    let refs: Vec<&str> = dois.iter().map(String::as_str).collect();
    events(&app, &feed, &refs).await;
    let count = |state: &'static str| {
        use profiles_api::db::schema::claims;
        let mut conn = app.db.conn();
        claims::table
            .filter(claims::orcid.eq(stranger.clone()))
            .filter(claims::state.eq(state))
            .count()
            .get_result::<i64>(&mut conn)
            .unwrap()
    };
    assert_eq!(count("waiting_for_permission"), 2, "the cap holds");
    // Notifications are off here: expiry still runs.
    app.clock.advance(chrono::Duration::days(181));
    sweep(&app).await;
    assert_eq!(count("waiting_for_permission"), 0);
    assert_eq!(count("ignored"), 2);
    let admin = staff(&app).await;
    let summary = staff_get(&app, &admin, "/api/v1/admin/notifications/summary").await;
    assert_eq!(summary["enabled"], false);
    assert_eq!(summary["claims_expired"], 2, "{summary}");
    let reasons: Vec<Option<String>> = {
        use profiles_api::db::schema::claims;
        let mut conn = app.db.conn();
        claims::table
            .filter(claims::orcid.eq(stranger.clone()))
            .select(claims::skip_reason)
            .load(&mut conn)
            .unwrap()
    };
    assert!(
        reasons
            .iter()
            .all(|r| r.as_deref().is_some_and(|r| r.starts_with("Expired"))),
        "{reasons:?}"
    );
}

#[actix_web::test]
async fn a_link_followed_as_someone_else_forged_or_replayed_grants_nothing() {
    let (app, _) = spawn_app_with_providers(ON).await;
    let feed = feed(&app).await;
    let stranger = random_orcid();
    let doi = seed_doi(&[&stranger], json!({})).await;
    events(&app, &feed, &[&doi]).await;
    sweep(&app).await;
    let link = link_of(&inbox(&stranger).await[0]);

    // Forwarded to someone else, who follows it signed in to ORCID as themselves.
    let other = random_orcid();
    let (b, _) = browser();
    let (status, body, _) = follow(&app, &b, &link, &other).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("grant_wrong_orcid"), "{body}");
    {
        use profiles_api::db::schema::accounts;
        let mut conn = app.db.conn();
        let n: i64 = accounts::table
            .filter(accounts::orcid.eq_any([stranger.clone(), other.clone()]))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(n, 0, "no account for either");
    }
    let res = b.get(app.url("/api/v1/accounts/me")).send().await.unwrap();
    assert_eq!(res.status(), 401, "and nobody is signed in");

    // A state we never issued.
    let res = b
        .get(app.url("/auth/orcid/grant/callback?code=x&state=inv_forged"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "invalid_state").await;

    // The real person, then the same callback again: the code is spent.
    let (provider, _) = browser();
    let res = provider.get(&link).send().await.unwrap();
    let login = absolute_url(&link, res.headers()["location"].to_str().unwrap());
    let res = provider
        .post(&login)
        .form(&[("prompt", "login"), ("login", stranger.as_str()), ("password", "x")])
        .send()
        .await
        .unwrap();
    let mut url = absolute_url(&login, res.headers()["location"].to_str().unwrap());
    while !url.starts_with(app.address()) {
        let res = provider.get(&url).send().await.unwrap();
        url = absolute_url(&url, res.headers()["location"].to_str().unwrap());
    }
    let (fresh, _) = browser();
    let first = fresh.get(&url).send().await.unwrap();
    assert_eq!(first.status(), 303, "granted");
    let again = fresh.get(&url).send().await.unwrap();
    assert_problem(again, 400, "provider_rejected").await;
}

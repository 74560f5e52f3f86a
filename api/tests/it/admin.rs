//! Administration, personal API tokens, export and deletion, over real HTTP against the stand-ins.

use diesel::prelude::*;
use profiles_api::db::schema::{accounts, api_tokens, audit_log, claims, identities};
use profiles_api::domain::Role;
use serde_json::{json, Value};

use crate::claims::{add, drain, person, seed_doi};
use crate::standins::{flow, spawn_app_with_providers};
use crate::support::{assert_problem, TestApp};

fn set_role(app: &TestApp, orcid: &str, role: Role) {
    let mut conn = app.db.conn();
    profiles_api::accounts::set_role(&mut conn, None, "test", orcid, role)
        .unwrap()
        .unwrap();
}

fn set_provider(app: &TestApp, orcid: &str, provider: &str) {
    let mut conn = app.db.conn();
    diesel::update(accounts::table.filter(accounts::orcid.eq(orcid)))
        .set(accounts::provider_id.eq(provider))
        .execute(&mut conn)
        .unwrap();
}

async fn get(app: &TestApp, b: &reqwest::Client, path: &str) -> reqwest::Response {
    b.get(app.url(path)).send().await.unwrap()
}

#[actix_web::test]
async fn each_role_reaches_what_the_policy_allows() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (user, user_orcid) = person(&app, &[]).await;
    let (staff, staff_orcid) = person(&app, &[]).await;
    let (admin, admin_orcid) = person(&app, &[]).await;
    let (prov, prov_orcid) = person(&app, &[]).await;
    let (_, member_orcid) = person(&app, &[]).await;
    set_role(&app, &staff_orcid, Role::StaffUser);
    set_role(&app, &admin_orcid, Role::StaffAdmin);
    set_role(&app, &prov_orcid, Role::ProviderAdmin);
    set_provider(&app, &prov_orcid, "brown");
    set_provider(&app, &member_orcid, "brown");

    // A user has no administration area.
    assert_problem(get(&app, &user, "/api/v1/admin/accounts").await, 403, "forbidden").await;
    assert_problem(
        get(&app, &user, &format!("/api/v1/admin/accounts/{admin_orcid}")).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(get(&app, &user, "/api/v1/admin/audit").await, 403, "forbidden").await;

    // Staff users read everything, change nothing.
    let all: Value = get(&app, &staff, "/api/v1/admin/accounts").await.json().await.unwrap();
    assert_eq!(all["meta"]["total"], 5);
    assert_eq!(all["meta"]["roles"]["user"], 2);
    let res = staff
        .patch(app.url(&format!("/api/v1/admin/accounts/{user_orcid}")))
        .json(&json!({"beta_tester": true}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;

    // A provider admin sees only its provider's accounts, not every ordinary user.
    let mine: Value = get(&app, &prov, "/api/v1/admin/accounts").await.json().await.unwrap();
    let orcids: Vec<&str> = mine["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["orcid"].as_str().unwrap())
        .collect();
    assert_eq!(mine["meta"]["total"], 2, "{mine}");
    assert!(orcids.contains(&member_orcid.as_str()) && !orcids.contains(&user_orcid.as_str()));
    assert_eq!(
        get(&app, &prov, &format!("/api/v1/admin/accounts/{member_orcid}"))
            .await
            .status(),
        200
    );
    assert_problem(
        get(&app, &prov, &format!("/api/v1/admin/accounts/{user_orcid}")).await,
        403,
        "forbidden",
    )
    .await;
    let res = prov
        .patch(app.url(&format!("/api/v1/admin/accounts/{member_orcid}")))
        .json(&json!({"role": "staff_admin"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;

    // A staff admin changes others' roles, never their own; each change is audited.
    let res = admin
        .patch(app.url(&format!("/api/v1/admin/accounts/{user_orcid}")))
        .json(&json!({"role": "client_user", "beta_tester": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let detail: Value = res.json().await.unwrap();
    assert_eq!(detail["account"]["role"], "client_user");
    assert_eq!(detail["account"]["beta_tester"], true);
    let res = admin
        .patch(app.url(&format!("/api/v1/admin/accounts/{admin_orcid}")))
        .json(&json!({"role": "user"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "own_role").await;
    let audit: Value = get(&app, &admin, &format!("/api/v1/admin/audit?target_id={user_orcid}"))
        .await
        .json()
        .await
        .unwrap();
    let changed = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "account.updated")
        .unwrap();
    assert_eq!(changed["actor"], admin_orcid.as_str());
    assert_eq!(changed["details"]["before"]["role"], "user");
    assert_eq!(changed["details"]["after"]["role"], "client_user");

    // Search and filters.
    let found: Value = get(&app, &admin, &format!("/api/v1/admin/accounts?q={}", &user_orcid[10..]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["meta"]["total"], 1);
    let staff_only: Value = get(&app, &admin, "/api/v1/admin/accounts?role=staff_user")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(staff_only["data"][0]["orcid"], staff_orcid.as_str());
    assert_problem(
        get(&app, &admin, "/api/v1/admin/accounts?role=emperor").await,
        422,
        "invalid_parameter",
    )
    .await;
}

#[actix_web::test]
async fn staff_see_why_claims_failed_and_retry_them() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let (admin, admin_orcid) = person(&app, &[]).await;
    let (staff, staff_orcid) = person(&app, &[]).await;
    set_role(&app, &admin_orcid, Role::StaffAdmin);
    set_role(&app, &staff_orcid, Role::StaffUser);
    let doi = seed_doi(&[&orcid], json!({})).await;
    crate::claims::fail_next(&orcid, json!({"status": 400, "method": "POST"})).await;
    let claim = add(&app, &b, &doi).await;
    let other = add(&app, &b, "10.5555/does-not-exist").await;
    drain(&app, false).await;

    let detail: Value = get(&app, &admin, &format!("/api/v1/admin/accounts/{orcid}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["claim_states"]["failed"], 2);
    assert!(detail["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["kind"] == "search_and_link" && p["status"] == "active"));
    let failed: Value = get(
        &app,
        &staff,
        &format!("/api/v1/claims?orcid={orcid}&state=failed&error=orcid_rejected"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(failed["meta"]["total"], 1, "{failed}");
    assert_eq!(failed["data"][0]["id"], claim["id"]);

    // Staff users may look but not retry.
    let path = format!("/api/v1/admin/claims/{}/requeue", claim["id"].as_str().unwrap());
    assert_problem(staff.post(app.url(&path)).send().await.unwrap(), 403, "forbidden").await;
    let res = admin.post(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 202);
    drain(&app, false).await;
    let now: Value = get(&app, &b, &format!("/api/v1/claims/{}", claim["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["state"], "done");

    // Ignore the hopeless one, with a reason the person sees.
    let res = admin
        .post(app.url(&format!(
            "/api/v1/admin/claims/{}/ignore",
            other["id"].as_str().unwrap()
        )))
        .json(&json!({"reason": "not a DataCite DOI"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let ignored: Value = get(&app, &b, &format!("/api/v1/claims/{}", other["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (ignored["state"].as_str(), ignored["skip_reason"].as_str()),
        (Some("ignored"), Some("not a DataCite DOI"))
    );

    // Retry-all re-queues every failed claim matching the filter.
    let mut conn = app.db.conn();
    diesel::update(claims::table)
        .set((
            claims::state.eq("failed"),
            claims::error_code.eq("orcid_unavailable"),
            claims::error_message.eq("x"),
        ))
        .execute(&mut conn)
        .unwrap();
    let res = admin
        .post(app.url("/api/v1/admin/claims/retry-failed"))
        .json(&json!({"error_code": "orcid_unavailable"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    assert_eq!(res.json::<Value>().await.unwrap()["requeued"], 2);
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq_any(["claim.requeued", "claim.ignored", "claims.retry_failed"]))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(audited, 3);
    // Each shows under the person's account (and so in their export).
    let about: Value = get(
        &app,
        &admin,
        &format!("/api/v1/admin/audit?target_type=account&target_id={orcid}"),
    )
    .await
    .json()
    .await
    .unwrap();
    let actions: Vec<&str> = about
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["claim.requeued", "claim.ignored", "claims.retry_failed"] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
    let export: Value = b
        .get(app.url("/api/v1/accounts/me/export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(export["audit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "claim.ignored"));
}

#[actix_web::test]
async fn api_tokens_are_scoped_shown_once_and_revocable() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = person(&app, &["search_and_link"]).await;
    let res = b
        .post(app.url("/api/v1/accounts/me/tokens"))
        .json(&json!({"name": "my script", "scopes": ["claims:read"], "expires_in_days": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("prf_"));
    assert!(created["hint"].as_str().unwrap().starts_with(&token[..12]));

    let client = reqwest::Client::new();
    let res = client
        .get(app.url("/api/v1/claims"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = client
        .post(app.url("/api/v1/claims"))
        .bearer_auth(&token)
        .json(&json!({"doi": "10.5555/x"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "insufficient_scope").await;
    let res = client
        .get(app.url("/api/v1/accounts/me/tokens"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "api_token_not_allowed").await;

    // Listed with its last use, never with its secret; only its hash is stored.
    let listed = b
        .get(app.url("/api/v1/accounts/me/tokens"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(&token[12..]), "{listed}");
    let list: Value = serde_json::from_str(&listed).unwrap();
    assert!(list[0]["last_used_at"].is_string());
    let mut conn = app.db.conn();
    let hash: Vec<u8> = api_tokens::table
        .select(api_tokens::token_hash)
        .first(&mut conn)
        .unwrap();
    assert_ne!(hash, token.as_bytes());

    // A token never does more than its owner.
    for (scopes, status, code) in [
        (json!(["events:write"]), 403, "scope_not_allowed"),
        (json!(["accounts:read"]), 403, "scope_not_allowed"),
        (json!(["everything"]), 422, "invalid_scopes"),
        (json!([]), 422, "invalid_scopes"),
    ] {
        let res = b
            .post(app.url("/api/v1/accounts/me/tokens"))
            .json(&json!({"name": "x", "scopes": scopes}))
            .send()
            .await
            .unwrap();
        assert_problem(res, status, code).await;
    }

    let id = created["id"].as_str().unwrap();
    let res = b
        .delete(app.url(&format!("/api/v1/accounts/me/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = client
        .get(app.url("/api/v1/claims"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "invalid_api_token").await;
}

#[actix_web::test]
async fn export_holds_everything_and_deletion_leaves_only_counts() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &["search_and_link"]).await;
    let res = flow(
        &app,
        &b,
        "/auth/github/start?intent=link&return_to=/settings",
        "export-me",
    )
    .await;
    assert_eq!(res.status(), 303);
    let doi = seed_doi(&[&orcid], json!({})).await;
    add(&app, &b, &doi).await;
    drain(&app, false).await;
    b.post(app.url("/api/v1/accounts/me/tokens"))
        .json(&json!({"name": "export test", "scopes": ["claims:read"]}))
        .send()
        .await
        .unwrap();

    let res = b.get(app.url("/api/v1/accounts/me/export")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains(&orcid));
    let text = res.text().await.unwrap();
    let export: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["account"]["orcid"], orcid.as_str());
    let providers: Vec<&str> = export["account"]["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, ["orcid", "github"]);
    assert_eq!(export["claims"][0]["doi"], doi.as_str());
    assert_eq!(export["claims"][0]["state"], "done");
    assert!(!export["sessions"].as_array().unwrap().is_empty());
    assert_eq!(export["api_tokens"][0]["name"], "export test");
    assert!(export["audit"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "api_token.created"));
    for secret in ["access_token", "refresh_token", "token_hash", "_enc"] {
        assert!(!text.contains(secret), "the export leaks {secret}");
    }

    let res = b
        .delete(app.url("/api/v1/accounts/me"))
        .json(&json!({"confirm": "yes"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "confirmation_required").await;
    let res = b
        .delete(app.url("/api/v1/accounts/me"))
        .json(&json!({"confirm": orcid}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let gone: Value = res.json().await.unwrap();
    assert_eq!(gone["revoked_at_providers"]["github"], true, "{gone}");
    assert_eq!(gone["revoked_at_providers"]["orcid:search_and_link"], true, "{gone}");
    assert_eq!(gone["deleted"]["claims"], 1);

    // Signed out, and nothing personal is left.
    assert_problem(
        b.get(app.url("/api/v1/accounts/me")).send().await.unwrap(),
        401,
        "unauthenticated",
    )
    .await;
    let mut conn = app.db.conn();
    for (table, n) in [
        (
            "accounts",
            accounts::table.count().get_result::<i64>(&mut conn).unwrap(),
        ),
        (
            "identities",
            identities::table.count().get_result::<i64>(&mut conn).unwrap(),
        ),
        ("claims", claims::table.count().get_result::<i64>(&mut conn).unwrap()),
        (
            "api_tokens",
            api_tokens::table.count().get_result::<i64>(&mut conn).unwrap(),
        ),
    ] {
        assert_eq!(n, 0, "{table} still has rows");
    }
    let mentions: i64 = audit_log::table
        .filter(audit_log::actor_label.eq(&orcid).or(audit_log::target_id.eq(&orcid)))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(mentions, 0, "the audit log still names the person");
    let (details,): (Value,) = audit_log::table
        .filter(audit_log::action.eq("account.deleted"))
        .select((audit_log::details,))
        .first(&mut conn)
        .unwrap();
    assert_eq!(details["deleted"]["claims"], 1);
    assert!(!details.to_string().contains(&orcid));
}

/// Every role against every administration endpoint, on an ordinary person's account and claim
/// (someone with no provider or client id: DataCite let provider and client admins manage those).
#[actix_web::test]
async fn every_role_against_every_admin_endpoint() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (_, target) = person(&app, &[]).await;
    let doi = seed_doi(&[&target], json!({})).await;
    let claim_id: uuid::Uuid = {
        let mut conn = app.db.conn();
        diesel::insert_into(claims::table)
            .values((
                claims::orcid.eq(&target),
                claims::doi.eq(&doi),
                claims::source.eq("search_and_link"),
                claims::state.eq("failed"),
                claims::error_code.eq("orcid_rejected"),
                claims::error_message.eq("rejected"),
            ))
            .returning(claims::id)
            .get_result(&mut conn)
            .unwrap()
    };
    let roles = [
        Role::StaffAdmin,
        Role::StaffUser,
        Role::ProviderAdmin,
        Role::ProviderUser,
        Role::ClientAdmin,
        Role::ClientUser,
        Role::User,
    ];
    // Expected status per endpoint, in the order of `roles`.
    let table: [(&str, &str, Value, [u16; 7]); 8] = [
        (
            "GET",
            "/api/v1/admin/accounts",
            Value::Null,
            [200, 200, 200, 200, 200, 200, 403],
        ),
        (
            "GET",
            "/api/v1/admin/accounts/{target}",
            Value::Null,
            [200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "PATCH",
            "/api/v1/admin/accounts/{target}",
            json!({"beta_tester": true}),
            [200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/admin/claims/{claim}/requeue",
            Value::Null,
            [202, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/admin/claims/{claim}/ignore",
            json!({"reason": "test"}),
            [200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/v1/admin/claims/retry-failed",
            json!({}),
            [202, 403, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/api/v1/admin/audit",
            Value::Null,
            [200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/api/v1/claims?orcid={target}",
            Value::Null,
            [200, 200, 403, 403, 403, 403, 403],
        ),
    ];
    for (i, role) in roles.into_iter().enumerate() {
        let (b, orcid) = person(&app, &[]).await;
        set_role(&app, &orcid, role);
        set_provider(&app, &orcid, "p1");
        for (method, path, body, expected) in &table {
            // Each request starts from a failed claim, so requeue and ignore are always possible.
            let mut conn = app.db.conn();
            diesel::update(claims::table.find(claim_id))
                .set((
                    claims::state.eq("failed"),
                    claims::error_code.eq("orcid_rejected"),
                    claims::error_message.eq("rejected"),
                ))
                .execute(&mut conn)
                .unwrap();
            let url = app.url(
                &path
                    .replace("{target}", &target)
                    .replace("{claim}", &claim_id.to_string()),
            );
            let request = match *method {
                "GET" => b.get(url),
                "PATCH" => b.patch(url).json(body),
                _ if body.is_null() => b.post(url),
                _ => b.post(url).json(body),
            };
            let res = request.send().await.unwrap();
            assert_eq!(res.status().as_u16(), expected[i], "{role:?} {method} {path}");
        }
    }
}

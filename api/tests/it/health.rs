use crate::support::{assert_problem, spawn_app, spawn_app_with};

#[actix_web::test]
async fn heartbeat_answers_ok_with_a_request_id() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/heartbeat")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let id = res
        .headers()
        .get("x-request-id")
        .expect("request id header")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(res.text().await.unwrap(), "OK");
    // Every response gets its own id.
    let other = app.client.get(app.url("/heartbeat")).send().await.unwrap();
    assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id);
}

#[actix_web::test]
async fn heartbeat_is_503_with_a_reason_when_postgres_is_unreachable() {
    // Port 1 on loopback: nothing listens there.
    let app = spawn_app_with(&[
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none"),
        ("DATABASE_CONNECT_TIMEOUT_SECS", "1"),
    ])
    .await;
    let res = app.client.get(app.url("/heartbeat")).send().await.unwrap();
    let body = assert_problem(res, 503, "database_unavailable").await;
    assert!(body["detail"].as_str().unwrap().contains("PostgreSQL"));

    let status: serde_json::Value = app
        .client
        .get(app.url("/api/v1/status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["database"], "unavailable");
    assert!(status["queue_depth"].is_null());
}

#[actix_web::test]
async fn status_reports_version_database_and_queue_depth() {
    let app = spawn_app().await;
    {
        let mut conn = app.db.conn();
        for i in 0..3 {
            profiles_api::jobs::enqueue(
                &mut conn,
                profiles_api::jobs::NewJob::new("test.kind", serde_json::json!({ "i": i })),
            )
            .unwrap();
        }
    }
    let res = app.client.get(app.url("/api/v1/status")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["database"], "ok");
    assert_eq!(body["queue_depth"], 3);
}

#[actix_web::test]
async fn readiness_checks_the_database_and_its_migrations() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready");

    // An upgrade whose migrations have not run yet: not ready, and it says which.
    {
        use diesel::RunQueryDsl;
        let mut conn = app.db.conn();
        diesel::sql_query(
            "DELETE FROM __diesel_schema_migrations WHERE version = \
             (SELECT MAX(version) FROM __diesel_schema_migrations)",
        )
        .execute(&mut conn)
        .unwrap();
    }
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.headers()["retry-after"], "5");
    let body = assert_problem(res, 503, "not_ready").await;
    assert_eq!(body["errors"][0]["field"], "migrations", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Not applied yet"),
        "{body}"
    );

    let down = spawn_app_with(&[
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none"),
        ("DATABASE_CONNECT_TIMEOUT_SECS", "1"),
    ])
    .await;
    let res = down.client.get(down.url("/readyz")).send().await.unwrap();
    let body = assert_problem(res, 503, "not_ready").await;
    assert_eq!(body["errors"][0]["field"], "database", "{body}");
    // Liveness stays DataCite's: the process answers even so.
    let live = down.client.get(down.url("/heartbeat")).send().await.unwrap();
    assert_eq!(live.status(), 503);
}

#[actix_web::test]
async fn metrics_are_closed_unless_configured() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_problem(res, 404, "not_found").await;
}

#[actix_web::test]
async fn metrics_need_the_token_or_an_allowed_network() {
    let token = "m".repeat(40);
    // Loopback is not in the allowed networks, so only the token opens it.
    let app = spawn_app_with(&[("METRICS_TOKEN", &token), ("METRICS_ALLOWED_NETWORKS", "192.0.2.0/24")]).await;
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers().contains_key("www-authenticate"));
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("m".repeat(39) + "x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    {
        let mut conn = app.db.conn();
        profiles_api::jobs::enqueue(
            &mut conn,
            profiles_api::jobs::NewJob::new("test.kind", serde_json::json!({})),
        )
        .unwrap();
    }
    // Requests to count, then the scrape: one with an id in its path, one with a made-up method.
    app.client.get(app.url("/api/v1/status")).send().await.unwrap();
    let id = uuid::Uuid::new_v4();
    app.client
        .get(app.url(&format!("/api/v1/claims/{id}")))
        .send()
        .await
        .unwrap();
    app.client
        .request(reqwest::Method::from_bytes(b"MADEUP1").unwrap(), app.url("/heartbeat"))
        .send()
        .await
        .unwrap();
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.unwrap();
    for line in [
        "profiles_database_up 1",
        "profiles_queue_depth{kind=\"test.kind\"} 1",
        "profiles_claims{state=\"done\"} 0",
        "profiles_sessions_active 0",
    ] {
        assert!(text.lines().any(|l| l == line), "no line {line:?} in\n{text}");
    }
    assert!(
        text.lines().any(|l| l.starts_with("profiles_http_requests_total{")
            && l.contains("route=\"/api/v1/status\"")
            && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(
        text.contains("profiles_http_request_duration_seconds_bucket{"),
        "{text}"
    );
    // Routes are templates, never raw paths with ids in them; methods are HTTP's, or `other`.
    assert!(text.contains("route=\"/api/v1/claims/{id}\""), "{text}");
    assert!(!text.contains(&id.to_string()), "{text}");
    assert!(!text.contains("MADEUP1") && text.contains("method=\"other\""), "{text}");

    // From an allowed network no token is needed.
    let open = spawn_app_with(&[("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32")]).await;
    let res = open.client.get(open.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[test]
fn a_short_metrics_token_is_a_configuration_error() {
    let env: std::collections::HashMap<String, String> =
        [("METRICS_TOKEN".to_owned(), "short".to_owned())].into_iter().collect();
    let err = profiles_api::config::Config::from(&env).unwrap_err();
    assert_eq!(err.name, "METRICS_TOKEN");
}

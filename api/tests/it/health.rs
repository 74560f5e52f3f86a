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

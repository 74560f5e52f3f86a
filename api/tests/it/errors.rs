//! Pins the one error shape: RFC 9457 problem details with a stable code.

use actix_web::{test, web, App};
use profiles_api::startup::json_config;

use crate::support::{assert_problem, spawn_app};

#[actix_web::test]
async fn unknown_api_route_is_a_404_problem() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/v1/nothing-here")).send().await.unwrap();
    let body = assert_problem(res, 404, "not_found").await;
    assert_eq!(body["title"], "Not Found");
    assert!(body["detail"].as_str().unwrap().contains("/api/v1/nothing-here"));
}

#[actix_web::test]
async fn wrong_method_is_a_405_problem_with_allow() {
    let app = spawn_app().await;
    let res = app.client.delete(app.url("/api/v1/status")).send().await.unwrap();
    assert_eq!(res.headers().get("allow").unwrap(), "GET");
    assert_problem(res, 405, "method_not_allowed").await;
}

#[actix_web::test]
async fn non_get_on_unknown_path_is_404_not_the_spa() {
    let app = spawn_app().await;
    let res = app.client.post(app.url("/some/page")).send().await.unwrap();
    assert_problem(res, 404, "not_found").await;
}

async fn echo(body: web::Json<serde_json::Value>) -> web::Json<serde_json::Value> {
    body
}

#[derive(serde::Deserialize)]
#[expect(dead_code, reason = "only its shape matters to the extractor")]
struct Typed {
    name: String,
}

async fn typed(_body: web::Json<Typed>) -> &'static str {
    "ok"
}

/// The JSON extractor configuration the app uses, on a throwaway route.
async fn call(path: &str, content_type: Option<&str>, body: &'static str) -> actix_web::dev::ServiceResponse {
    let app = test::init_service(
        App::new()
            .app_data(json_config(64))
            .route("/echo", web::post().to(echo))
            .route("/typed", web::post().to(typed)),
    )
    .await;
    let mut req = test::TestRequest::post().uri(path).set_payload(body);
    if let Some(ct) = content_type {
        req = req.insert_header(("content-type", ct));
    }
    test::call_service(&app, req.to_request()).await
}

async fn problem_of(res: actix_web::dev::ServiceResponse) -> (u16, serde_json::Value) {
    let status = res.status().as_u16();
    assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");
    let body: serde_json::Value = test::read_body_json(res).await;
    assert_eq!(body["status"], status);
    (status, body)
}

#[actix_web::test]
async fn malformed_json_is_400_invalid_json() {
    let (status, body) = problem_of(call("/echo", Some("application/json"), "{\"a\":").await).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "invalid_json");
}

#[actix_web::test]
async fn wrong_content_type_is_415() {
    let (status, body) = problem_of(call("/echo", Some("text/plain"), "{}").await).await;
    assert_eq!(status, 415);
    assert_eq!(body["code"], "unsupported_media_type");
    let (status, _) = problem_of(call("/echo", None, "{}").await).await;
    assert_eq!(status, 415);
}

#[actix_web::test]
async fn oversize_body_is_413() {
    let big = Box::leak(format!("{{\"a\":\"{}\"}}", "x".repeat(500)).into_boxed_str());
    let (status, body) = problem_of(call("/echo", Some("application/json"), big).await).await;
    assert_eq!(status, 413);
    assert_eq!(body["code"], "payload_too_large");
}

#[actix_web::test]
async fn well_formed_json_of_the_wrong_shape_is_422() {
    let (status, body) = problem_of(call("/typed", Some("application/json"), "{\"nom\":1}").await).await;
    assert_eq!(status, 422);
    assert_eq!(body["code"], "invalid_body");
    // +json media types are JSON too.
    let res = call("/echo", Some("application/vnd.api+json"), "{}").await;
    assert_eq!(res.status(), 200);
}

//! The API serves the built SPA: deep links fall back to index.html (never cached), hashed
//! assets are cached for good, and API paths never fall through to the SPA.

use crate::support::{assert_problem, spawn_app_with};

#[actix_web::test]
async fn spa_is_served_with_the_right_caching() {
    let dir = std::env::temp_dir().join(format!("profiles-spa-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>Profiles SPA</title>").unwrap();
    std::fs::write(dir.join("assets/index-abc123.js"), "console.log(1)").unwrap();
    std::fs::write(dir.join("favicon.svg"), "<svg/>").unwrap();
    let app = spawn_app_with(&[("WEB_UI_DIR", dir.to_str().unwrap())]).await;

    for path in ["/", "/settings/claims", "/sign-in"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
        assert!(res.text().await.unwrap().contains("Profiles SPA"), "{path}");
    }
    let res = app.client.get(app.url("/assets/index-abc123.js")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(res.text().await.unwrap(), "console.log(1)");
    // index.html is served from memory, revalidated, and a new build replaces it.
    let res = app.client.get(app.url("/")).send().await.unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let res = app
        .client
        .get(app.url("/settings"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Profiles SPA, rebuilt</title>",
    )
    .unwrap();
    let res = app
        .client
        .get(app.url("/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("rebuilt"));
    let res = app.client.get(app.url("/oauth/unknown")).send().await.unwrap();
    assert_problem(res, 404, "not_found").await;
    let res = app.client.get(app.url("/favicon.svg")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "<svg/>");

    let res = app.client.get(app.url("/assets/missing.js")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = app.client.get(app.url("/api/v1/unknown")).send().await.unwrap();
    assert_problem(res, 404, "not_found").await;
    // No escaping the folder.
    let res = app.client.get(app.url("/..%2f..%2fetc%2fpasswd")).send().await.unwrap();
    assert!(!res.text().await.unwrap().contains("root:"));
    std::fs::remove_dir_all(dir).ok();
}

#[actix_web::test]
async fn text_assets_go_gzipped_to_browsers_that_accept_it() {
    use std::io::Read;
    let dir = std::env::temp_dir().join(format!("profiles-spa-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>Profiles SPA</title>").unwrap();
    let script = "export const greeting = 'hello, researcher';\n".repeat(200);
    std::fs::write(dir.join("assets/index-def456.js"), &script).unwrap();
    std::fs::write(dir.join("assets/logo-1a2b3c.png"), vec![7u8; 4096]).unwrap();
    let app = spawn_app_with(&[("WEB_UI_DIR", dir.to_str().unwrap())]).await;
    let get = |path: &'static str, accept: Option<&'static str>| {
        let mut req = app.client.get(app.url(path));
        if let Some(accept) = accept {
            req = req.header("accept-encoding", accept);
        }
        req.send()
    };

    // A browser's Accept-Encoding: gzipped, marked so, and the same script once inflated.
    let res = get("/assets/index-def456.js", Some("gzip, deflate, br, zstd"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.headers()["vary"], "Accept-Encoding");
    let gz_etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let body = res.bytes().await.unwrap();
    assert!(body.len() * 5 < script.len(), "{} bytes gzipped", body.len());
    let mut inflated = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut inflated)
        .unwrap();
    assert_eq!(inflated, script);

    // No Accept-Encoding, or gzip refused: the plain file, under its own ETag.
    for accept in [None, Some("gzip;q=0, br"), Some("identity"), Some("gzip; Q=0, *")] {
        let res = get("/assets/index-def456.js", accept).await.unwrap();
        assert!(res.headers().get("content-encoding").is_none(), "{accept:?}");
        assert_ne!(res.headers()["etag"].to_str().unwrap(), gz_etag);
        assert_eq!(res.text().await.unwrap(), script, "{accept:?}");
    }
    let res = get("/assets/index-def456.js", Some("*")).await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip", "any coding includes gzip");
    // Each representation revalidates with its own ETag.
    let res = app
        .client
        .get(app.url("/assets/index-def456.js"))
        .header("accept-encoding", "gzip")
        .header("if-none-match", &gz_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    let res = app
        .client
        .get(app.url("/assets/index-def456.js"))
        .header("if-none-match", &gz_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the gzip ETag does not validate the plain file");
    // An image is sent as it is.
    let res = get("/assets/logo-1a2b3c.png", Some("gzip")).await.unwrap();
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.bytes().await.unwrap().len(), 4096);
}

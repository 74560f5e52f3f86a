//! What a browser sees of DataCite's single sign-on: the `_datacite` cookie follows the session
//! (written when it starts, refreshed while it lives, signed-out when it ends anywhere), and the
//! addresses DataCite's pages and e-mails link to lead to ours.

use std::sync::Arc;

use diesel::prelude::*;
use profiles_api::db::schema::{accounts, sessions};
use serde_json::{json, Value};

use crate::auth::decode_unverified;
use crate::claims::random_orcid;
use crate::standins::{browser, location, sign_in_orcid, spawn_app_with_providers};
use crate::support::TestApp;

const SEARCH: &str = "http://127.0.0.1:9";

/// The `_datacite` cookies a response sets, decoded (`None`: none set).
fn datacite_cookie(res: &reqwest::Response) -> Option<Value> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("_datacite="))
        .map(|c| {
            let raw = c.trim_start_matches("_datacite=").split(';').next().unwrap().to_owned();
            assert!(!c.to_lowercase().contains("httponly"), "DataCite's pages read it: {c}");
            let decoded = url::form_urlencoded::parse(format!("v={raw}").as_bytes())
                .next()
                .unwrap()
                .1
                .into_owned();
            serde_json::from_str(&decoded).unwrap_or_else(|e| panic!("{e}: {decoded}"))
        })
}

fn cookie_header(v: &Value) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(v.to_string().as_bytes()).collect();
    format!("_datacite={encoded}")
}

/// Our cookies for `app` in `jar` (the session), without `_datacite`, plus `extra`.
fn cookies(app: &TestApp, jar: &Arc<reqwest::cookie::Jar>, extra: Option<&Value>) -> String {
    use reqwest::cookie::CookieStore;
    let ours = jar
        .cookies(&url::Url::parse(&app.address).unwrap())
        .map(|h| h.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let mut parts: Vec<String> = ours
        .split("; ")
        .filter(|p| !p.is_empty() && !p.starts_with("_datacite="))
        .map(str::to_owned)
        .collect();
    if let Some(v) = extra {
        parts.push(cookie_header(v));
    }
    parts.join("; ")
}

async fn me(app: &TestApp, cookie: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url("/api/v1/accounts/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

fn session_expiry(app: &TestApp, orcid: &str) -> Vec<i64> {
    sessions::table
        .inner_join(accounts::table)
        .filter(accounts::orcid.eq(orcid))
        .filter(sessions::revoked_at.is_null())
        .select(sessions::expires_at)
        .load::<chrono::DateTime<chrono::Utc>>(&mut app.db.conn())
        .unwrap()
        .into_iter()
        .map(|t| t.timestamp())
        .collect()
}

#[actix_web::test]
async fn the_datacite_cookie_follows_the_session() {
    let (app, _) = spawn_app_with_providers(&[("DATACITE_COOKIE_DOMAIN", "127.0.0.1")]).await;
    let (b, jar) = browser();
    let orcid = random_orcid();

    // Written when the session starts: DataCite's ember-simple-auth value, exactly, whose JWT
    // ends with the session (not after JWT_TTL_SECS).
    let res = sign_in_orcid(&app, &b, &orcid).await;
    let cookie = datacite_cookie(&res).expect("written at sign-in");
    let auth = &cookie["authenticated"];
    assert_eq!(
        auth.as_object().unwrap().keys().cloned().collect::<Vec<_>>(),
        ["access_token", "authenticator", "expires_at", "expires_in"]
    );
    assert_eq!(auth["authenticator"], "authenticator:oauth2");
    let jwt = decode_unverified(auth["access_token"].as_str().unwrap());
    assert_eq!(jwt["uid"], orcid.as_str());
    assert_eq!(auth["expires_at"], jwt["exp"]);
    assert_eq!(
        auth["expires_in"].as_i64(),
        Some(jwt["exp"].as_i64().unwrap() - jwt["iat"].as_i64().unwrap())
    );
    assert_eq!(session_expiry(&app, &orcid), vec![jwt["exp"].as_i64().unwrap()]);
    assert!(auth["expires_in"].as_i64().unwrap() > 13 * 24 * 3600, "{auth}");
    // Its JWT reads claims on our API while the session lives, and changes nothing: scripts on
    // DataCite's sites can read it, for as long as the session.
    let bearer = auth["access_token"].as_str().unwrap().to_owned();
    let with_bearer = || {
        reqwest::Client::new()
            .get(app.url("/api/v1/claims"))
            .bearer_auth(&bearer)
            .send()
    };
    assert_eq!(with_bearer().await.unwrap().status(), 200);
    for (method, path) in [
        ("POST", "/api/v1/claims"),
        ("GET", "/api/v1/accounts/me"),
        ("POST", "/api/v1/auto-update/backfill"),
    ] {
        let res = reqwest::Client::new()
            .request(method.parse().unwrap(), app.url(path))
            .bearer_auth(&bearer)
            .json(&json!({"doi": "10.5555/sso"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{method} {path} with the cookie's JWT");
    }

    // A current cookie is left alone; a missing one is written again.
    let res = me(&app, &cookies(&app, &jar, Some(&cookie))).await;
    assert_eq!(res.status(), 200);
    assert!(datacite_cookie(&res).is_none(), "rewritten though current");
    let res = me(&app, &cookies(&app, &jar, None)).await;
    assert_eq!(res.status(), 200);
    let again = datacite_cookie(&res).expect("written again when missing");
    assert_eq!(again["authenticated"]["expires_at"], auth["expires_at"]);

    // Refreshed while the session lives: after an hour, a new JWT, still ending with the session.
    app.clock.advance(chrono::Duration::minutes(61));
    let res = me(&app, &cookies(&app, &jar, Some(&cookie))).await;
    let refreshed = datacite_cookie(&res).expect("refreshed after an hour");
    let fresh = decode_unverified(refreshed["authenticated"]["access_token"].as_str().unwrap());
    assert!(fresh["iat"].as_i64() > jwt["iat"].as_i64(), "{fresh}");
    assert_eq!(fresh["exp"], jwt["exp"]);
    assert_eq!(refreshed["authenticated"]["expires_at"], fresh["exp"]);

    // Revoked from another browser: this one's next request finds it signed out.
    let (other, _) = browser();
    assert_eq!(sign_in_orcid(&app, &other, &orcid).await.status(), 303);
    let mine: Value = b
        .get(app.url("/api/v1/accounts/me/sessions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let current = mine
        .as_array()
        .or_else(|| mine["data"].as_array())
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = other
        .delete(app.url(&format!("/api/v1/accounts/me/sessions/{current}")))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = me(&app, &cookies(&app, &jar, Some(&refreshed))).await;
    assert_eq!(res.status(), 401);
    assert_eq!(datacite_cookie(&res), Some(json!({"authenticated": {}})));
    assert_eq!(
        with_bearer().await.unwrap().status(),
        401,
        "the cookie's JWT ends with its session"
    );

    // Signing out: signed-out on DataCite's domain.
    let res = other
        .post(app.url("/api/v1/auth/logout"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(datacite_cookie(&res), Some(json!({"authenticated": {}})));
}

#[actix_web::test]
async fn datacites_browser_addresses_lead_to_ours() {
    let (app, _) =
        spawn_app_with_providers(&[("DATACITE_COOKIE_DOMAIN", "127.0.0.1"), ("DATACITE_SEARCH_URL", SEARCH)]).await;
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (from, to, status) in [
        ("/settings/me", "/settings", 308),
        ("/link_orcid", "/link-orcid", 308),
        ("/sign_in", "/sign-in", 303),
    ] {
        let res = plain.get(app.url(from)).send().await.unwrap();
        assert_eq!(
            (res.status().as_u16(), location(&res)),
            (status, to.to_owned()),
            "{from}"
        );
    }
    // Back to the page of ours that linked to the sign-in page.
    let res = plain
        .get(app.url("/sign_in"))
        .header("referer", app.url("/settings/claims?tab=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/sign-in?return_to=%2Fsettings%2Fclaims%3Ftab%3D1");

    // /sign_out from DataCite Commons: signed out, _datacite signed-out, back to Commons.
    let (b, jar) = browser();
    let orcid = random_orcid();
    assert_eq!(sign_in_orcid(&app, &b, &orcid).await.status(), 303);
    let commons = format!("{SEARCH}/doi.org/10.5555/abc");
    let res = plain
        .get(app.url("/sign_out"))
        .header("cookie", cookies(&app, &jar, None))
        .header("referer", &commons)
        .header("sec-fetch-site", "same-site")
        .send()
        .await
        .unwrap();
    assert_eq!((res.status().as_u16(), location(&res)), (303, commons.clone()));
    assert_eq!(datacite_cookie(&res), Some(json!({"authenticated": {}})));
    assert!(session_expiry(&app, &orcid).is_empty(), "the session ended");
    assert_eq!(
        b.get(app.url("/api/v1/accounts/me")).send().await.unwrap().status(),
        401
    );

    // From a settings page of ours: to /, not to a page that asks to sign in again.
    let (b, jar) = browser();
    assert_eq!(sign_in_orcid(&app, &b, &orcid).await.status(), 303);
    let res = plain
        .get(app.url("/sign_out"))
        .header("cookie", cookies(&app, &jar, None))
        .header("referer", app.url("/settings"))
        .send()
        .await
        .unwrap();
    assert_eq!((res.status().as_u16(), location(&res)), (303, "/".to_owned()));

    // A link on another site only asks; the question's form signs out, from our page only.
    let (b, jar) = browser();
    assert_eq!(sign_in_orcid(&app, &b, &orcid).await.status(), 303);
    for (referer, site) in [
        ("https://evil.example/page", "cross-site"),
        ("https://evil.example/page", ""),
    ] {
        let mut req = plain
            .get(app.url("/sign_out"))
            .header("cookie", cookies(&app, &jar, None))
            .header("referer", referer);
        if !site.is_empty() {
            req = req.header("sec-fetch-site", site);
        }
        let res = req.send().await.unwrap();
        assert_eq!(
            (res.status().as_u16(), location(&res)),
            (303, "/sign-out?back=%2F".to_owned())
        );
        assert!(datacite_cookie(&res).is_none());
    }
    assert_eq!(
        b.get(app.url("/api/v1/accounts/me")).send().await.unwrap().status(),
        200,
        "still signed in"
    );
    let form = [("back", commons.as_str())];
    let res = plain
        .post(app.url("/sign_out"))
        .header("cookie", cookies(&app, &jar, None))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a form post must come from our page");
    let res = plain
        .post(app.url("/sign_out"))
        .header("cookie", cookies(&app, &jar, None))
        .header("origin", &app.address)
        .form(&[("back", "https://evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!((res.status().as_u16(), location(&res)), (303, "/".to_owned()));
    assert_eq!(datacite_cookie(&res), Some(json!({"authenticated": {}})));
    assert_eq!(
        b.get(app.url("/api/v1/accounts/me")).send().await.unwrap().status(),
        401
    );
}

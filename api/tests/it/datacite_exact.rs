//! DataCite's callers parse exact shapes: each status and each whole body of the drop-in
//! `/claims` and `/users`, called with DataCite-style JWTs (RS256, `uid`, `role_id`, no `kid`)
//! as a staff admin, a staff user, a person and a DataCite service.

use std::collections::BTreeSet;

use diesel::prelude::*;
use profiles_api::db::schema::accounts;
use serde_json::{json, Value};

use crate::claims::{person, random_orcid, seed_doi};
use crate::datacite_compat::{datacite_jwt, datacite_keys};
use crate::standins::spawn_app_with_providers;
use crate::support::TestApp;

const NOT_FOUND: &str = "The resource you are looking for doesn't exist.";
const FORBIDDEN: &str = "You are not authorized to access this resource.";

fn set_role(app: &TestApp, orcid: &str, role: &str) {
    diesel::update(accounts::table.filter(accounts::orcid.eq(orcid)))
        .set(accounts::role.eq(role))
        .execute(&mut app.db.conn())
        .unwrap();
}

/// The app, DataCite's signing key, and a DataCite JWT for each kind of caller: a staff admin,
/// a staff user and a person (all with accounts here), and levriero.
struct Callers {
    app: TestApp,
    admin: String,
    staff: String,
    person: String,
    person_orcid: String,
    service: String,
}

async fn callers(extra: &[(&str, &str)]) -> Callers {
    let (public, key) = datacite_keys();
    let mut env = vec![
        ("DATACITE_JWT_PUBLIC_KEY", public.as_str()),
        ("DATACITE_SERVICE_UIDS", "datacite.levriero,datacite.lupo"),
    ];
    env.extend_from_slice(extra);
    let (app, _) = spawn_app_with_providers(&env).await;
    let (_, admin) = person(&app, &[]).await;
    let (_, staff) = person(&app, &[]).await;
    let (_, someone) = person(&app, &["search_and_link"]).await;
    set_role(&app, &admin, "staff_admin");
    set_role(&app, &staff, "staff_user");
    Callers {
        // The token's role_id is not what counts: ours is.
        admin: datacite_jwt(&key, &admin, "user"),
        staff: datacite_jwt(&key, &staff, "staff_admin"),
        person: datacite_jwt(&key, &someone, "user"),
        person_orcid: someone,
        service: datacite_jwt(&key, "datacite.levriero", "staff_admin"),
        app,
    }
}

async fn send(req: reqwest::RequestBuilder) -> (u16, Value) {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn envelope(status: u16, title: &str) -> Value {
    json!({"errors": [{"status": status.to_string(), "title": title}]})
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

#[actix_web::test]
async fn claims_are_written_refused_and_rendered_as_datacite_does() {
    let c = callers(&[]).await;
    let (app, client) = (&c.app, reqwest::Client::new());
    let post = |jwt: &str, body: Value| send(client.post(app.url("/claims")).bearer_auth(jwt).json(&body));
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let doi = format!("10.5555/AbC-{suffix}");

    // A person's own claim: every attribute as DataCite renders it, the DOI in the sent case.
    let (status, body) = post(
        &c.person,
        json!({"claim": {"orcid": c.person_orcid, "doi": format!("https://doi.org/{doi}"), "source_id": "orcid_search"}}),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let attrs = &body["data"]["attributes"];
    assert_eq!(
        keys(attrs),
        [
            "claimAction",
            "claimed",
            "created",
            "doi",
            "errorMessages",
            "orcid",
            "putCode",
            "sourceId",
            "state",
            "updated"
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
    assert_eq!(attrs["orcid"], format!("https://orcid.org/{}", c.person_orcid));
    assert_eq!(attrs["doi"], format!("https://doi.org/{doi}"));
    assert_eq!(attrs["sourceId"], "orcid_search");
    assert_eq!(attrs["claimAction"], "create");
    assert_eq!(attrs["state"], "waiting");
    assert_eq!(attrs["putCode"], Value::Null);
    assert_eq!(attrs["claimed"], Value::Null);
    assert_eq!(attrs["errorMessages"], json!([]));
    assert!(attrs["created"].is_string() && attrs["updated"].is_string(), "{attrs}");
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    // Matching stays case-insensitive: the lower-cased DOI finds it, shown as it was sent.
    let (status, list) = send(
        client
            .get(app.url(&format!(
                "/claims?user-id={}&dois={}",
                c.person_orcid,
                doi.to_lowercase()
            )))
            .bearer_auth(&c.service),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["data"][0]["id"], id.as_str(), "{list}");
    assert_eq!(list["data"][0]["attributes"]["doi"], format!("https://doi.org/{doi}"));

    // DataCite's validation answers, whole.
    let someone = c.person_orcid.as_str();
    for (claim, errors) in [
        (
            json!({"orcid": someone, "source_id": "orcid_search"}),
            json!([{"source": "doi", "title": "Can't be blank"}]),
        ),
        (
            json!({"orcid": someone, "doi": "", "source_id": "orcid_search"}),
            json!([{"source": "doi", "title": "Can't be blank"}]),
        ),
        (
            json!({"orcid": someone, "doi": doi}),
            json!([{"source": "source_id", "title": "Can't be blank"}]),
        ),
        (
            json!({"orcid": someone, "doi": "not a doi", "source_id": "elsewhere"}),
            json!([{"source": "doi", "title": "Is invalid"}, {"source": "source_id", "title": "Is not included in the list"}]),
        ),
        (
            json!({"doi": doi, "source_id": "orcid_update"}),
            json!([{"source": "user", "title": "Must exist"}]),
        ),
    ] {
        let (status, body) = post(&c.person, json!({ "claim": claim })).await;
        assert_eq!((status, &body), (422, &json!({ "errors": errors })), "{claim}");
    }
    // levriero, for an iD with no account here.
    let (status, body) = post(
        &c.service,
        json!({"claim": {"orcid": random_orcid(), "doi": doi, "source_id": "orcid_update", "claim_action": "create"}}),
    )
    .await;
    assert_eq!(
        (status, body),
        (422, json!({"errors": [{"source": "user", "title": "Must exist"}]}))
    );
    // No wrapper, an empty one, and one that is not an object.
    for body in [json!({"doi": doi}), json!({"claim": {}}), json!({"claim": ""})] {
        let (status, answer) = post(&c.person, body.clone()).await;
        assert_eq!(
            (status, answer),
            (
                422,
                envelope(422, "param is missing or the value is empty or invalid: claim")
            ),
            "{body}"
        );
    }
    for body in [json!({"claim": "10.5555/x"}), json!({"claim": [1]})] {
        let (status, answer) = post(&c.person, body.clone()).await;
        assert_eq!(status, 400, "{body}");
        let title = answer["errors"][0]["title"].as_str().unwrap();
        assert!(
            !title.contains("invalid type") && !title.contains("expected"),
            "serde's words: {title}"
        );
    }
    let (status, answer) = send(
        client
            .post(app.url("/claims"))
            .bearer_auth(&c.person)
            .header("content-type", "application/json")
            .body("{\"claim\": {"),
    )
    .await;
    assert_eq!(
        (status, answer),
        (400, envelope(400, "The request body is not valid JSON."))
    );

    // Per role and caller.
    let (status, body) = send(client.post(app.url("/claims")).json(&json!({"claim": {"doi": doi}}))).await;
    assert_eq!((status, body), (401, envelope(401, "Bad credentials.")));
    let (status, body) = send(client.get(app.url(&format!("/claims/{id}")))).await;
    assert_eq!((status, body), (401, envelope(401, "Bad credentials.")));
    let (status, body) = post(
        &c.staff,
        json!({"claim": {"orcid": someone, "doi": doi, "source_id": "orcid_search"}}),
    )
    .await;
    assert_eq!((status, body), (403, envelope(403, FORBIDDEN)));
    let unknown = uuid::Uuid::new_v4();
    for jwt in [&c.admin, &c.staff, &c.person, &c.service] {
        let (status, body) = send(client.get(app.url(&format!("/claims/{unknown}"))).bearer_auth(jwt)).await;
        assert_eq!((status, body), (404, envelope(404, NOT_FOUND)));
        let (status, body) = send(client.delete(app.url(&format!("/claims/{unknown}"))).bearer_auth(jwt)).await;
        assert_eq!((status, body), (404, envelope(404, NOT_FOUND)));
    }
    // A staff user reads everyone's claims but removes none.
    let (status, _) = send(client.get(app.url(&format!("/claims/{id}"))).bearer_auth(&c.staff)).await;
    assert_eq!(status, 200);
    let (status, body) = send(client.delete(app.url(&format!("/claims/{id}"))).bearer_auth(&c.staff)).await;
    assert_eq!((status, body), (403, envelope(403, FORBIDDEN)));
    // A staff admin does.
    let (status, body) = send(client.delete(app.url(&format!("/claims/{id}"))).bearer_auth(&c.admin)).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["data"]["attributes"]["claimAction"], "delete");
}

#[actix_web::test]
async fn claims_are_paged_sorted_and_faceted_as_datacite_does() {
    let c = callers(&[]).await;
    let (app, client) = (&c.app, reqwest::Client::new());
    let (_, other) = person(app, &[]).await;
    let mut dois = Vec::new();
    for (n, orcid) in [&c.person_orcid, &c.person_orcid, &c.person_orcid, &other, &other]
        .into_iter()
        .enumerate()
    {
        let doi = format!("10.5555/page-{n}-{}", uuid::Uuid::new_v4().simple());
        let source = if n == 0 { "orcid_update" } else { "orcid_search" };
        let (status, body) = send(
            client
                .post(app.url("/claims"))
                .bearer_auth(&c.service)
                .json(&json!({"claim": {"orcid": orcid, "doi": doi, "source_id": source}})),
        )
        .await;
        assert_eq!(status, 202, "{body}");
        dois.push(doi);
    }
    let both = format!("dois={}", dois.join(","));
    let get = |jwt: &str, query: &str| send(client.get(app.url(&format!("/claims?{query}"))).bearer_auth(jwt));

    let (status, page) = get(&c.admin, &format!("{both}&page[size]=2")).await;
    assert_eq!(status, 200, "{page}");
    let meta = &page["meta"];
    assert_eq!(
        (meta["total"].clone(), meta["totalPages"].clone(), meta["page"].clone()),
        (json!(5), json!(3), json!(1))
    );
    let year = chrono::Datelike::year(&app.clock.now()).to_string();
    assert_eq!(meta["created"], json!([{"id": year, "title": year, "count": 5}]));
    assert_eq!(
        meta["sources"],
        json!([{"id": "orcid_search", "title": "ORCID Search and Link", "count": 4},
               {"id": "orcid_update", "title": "ORCID Auto-Update", "count": 1}])
    );
    assert_eq!(meta["users"][0]["id"], c.person_orcid.as_str());
    assert_eq!(meta["users"][0]["count"], 3);
    assert_eq!(meta["users"][1]["count"], 2);
    assert_eq!(
        meta["claimActions"],
        json!([{"id": "create", "title": "Create", "count": 5}])
    );
    assert_eq!(meta["states"][0]["id"], "waiting");
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let next = page["links"]["next"].as_str().unwrap();
    assert!(
        next.contains("page%5Bnumber%5D=2") || next.contains("page[number]=2"),
        "{next}"
    );
    assert!(page["links"]["self"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/claims?{both}&page[size]=2")));
    // Only those who may read everyone's claims see who has most.
    let (_, own) = get(&c.person, &both).await;
    assert_eq!(own["meta"]["total"], 3);
    assert!(own["meta"].get("users").is_none(), "{}", own["meta"]);

    // DataCite's sort keys.
    let order = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["attributes"]["doi"].as_str().unwrap().to_owned())
            .collect()
    };
    let expected: Vec<String> = dois.iter().map(|d| format!("https://doi.org/{d}")).collect();
    let (_, asc) = get(&c.admin, &format!("{both}&sort=doi")).await;
    assert_eq!(order(&asc), expected);
    let (_, desc) = get(&c.admin, &format!("{both}&sort=-doi")).await;
    assert_eq!(order(&desc), expected.iter().rev().cloned().collect::<Vec<_>>());
    let (_, created) = get(&c.admin, &format!("{both}&sort=created")).await;
    assert_eq!(order(&created), expected);
    let (status, body) = get(&c.admin, &format!("{both}&sort=title")).await;
    assert_eq!(status, 422, "{body}");

    // A cursor walk: created ascending, links.next until the last page.
    let mut seen = Vec::new();
    let mut url = app.url(&format!("/claims?{both}&page[size]=2&page[cursor]=1"));
    loop {
        let (status, page) = send(client.get(&url).bearer_auth(&c.admin)).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(order(&page));
        match page["links"]["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
        assert!(seen.len() <= 5, "the walk does not end");
    }
    assert_eq!(seen, expected);

    // Nothing: meta is exactly page, total, totalPages.
    let (_, none) = get(&c.admin, "dois=10.5555/nothing-here").await;
    assert_eq!(none["meta"], json!({"page": 1, "total": 0, "totalPages": 0}));
    assert_eq!(none["data"], json!([]));
    for bad in ["page[size]=1001", "page[number]=0", "state=lost", "created=20x4"] {
        let (status, body) = get(&c.admin, bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(body["errors"][0]["status"], "422");
    }
    let (status, _) = get(&c.admin, "created=2020,2099").await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn users_are_searched_created_and_shown_with_their_datacite_facets() {
    let c = callers(&[]).await;
    let (app, client) = (&c.app, reqwest::Client::new());
    let family = format!("Fam{}", uuid::Uuid::new_v4().simple());
    let mut conn = app.db.conn();
    let (_, public) = person(app, &[]).await;
    let (_, private) = person(app, &[]).await;
    for (orcid, given, is_public) in [(&public, "Ada", true), (&private, "Bea", false)] {
        diesel::update(accounts::table.filter(accounts::orcid.eq(orcid)))
            .set((
                accounts::family_name.eq(&family),
                accounts::given_names.eq(given),
                accounts::name.eq(format!("{given} {family}")),
                accounts::is_public.eq(is_public),
                accounts::email.eq("someone@example.org"),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    let (status, found) = send(client.get(app.url(&format!("/users?query={family}")))).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["meta"], json!({"total": 1, "totalPages": 1, "page": 1}));
    assert_eq!(found["data"][0]["id"], public.as_str());
    assert_eq!(found["data"][0]["type"], "users");
    assert_eq!(found["data"][0]["attributes"]["familyName"], family.as_str());
    assert!(found["data"][0]["attributes"].get("email").is_none(), "{found}");
    // The iD itself is found too, first.
    let (_, by_id) = send(client.get(app.url(&format!("/users?query={public}")))).await;
    assert_eq!(by_id["data"][0]["id"], public.as_str(), "{by_id}");
    let (status, _) = send(client.get(app.url("/users?sort=age"))).await;
    assert_eq!(status, 422);

    // Creating a user: staff admins and DataCite's services only.
    let fresh = random_orcid();
    let body =
        json!({"data": {"type": "users", "attributes": {"uid": fresh, "name": "New Person", "roleId": "staff_admin"}}});
    let create = |jwt: Option<&str>, body: &Value| {
        let req = client.post(app.url("/users")).json(body);
        send(match jwt {
            Some(j) => req.bearer_auth(j),
            None => req,
        })
    };
    assert_eq!(create(None, &body).await, (401, envelope(401, "Bad credentials.")));
    assert_eq!(create(Some(&c.person), &body).await, (403, envelope(403, FORBIDDEN)));
    assert_eq!(create(Some(&c.staff), &body).await, (403, envelope(403, FORBIDDEN)));
    let (status, created) = create(Some(&c.admin), &body).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["data"]["id"], fresh.as_str());
    assert_eq!(created["data"]["attributes"]["roleId"], "user");
    assert_eq!(created["data"]["attributes"]["name"], "New Person");
    assert_eq!(
        create(Some(&c.service), &body).await,
        (
            422,
            json!({"errors": [{"source": "uid", "title": "Has already been taken"}]})
        )
    );
    assert_eq!(
        create(
            Some(&c.admin),
            &json!({"data": {"type": "users", "attributes": {"name": "No iD"}}})
        )
        .await,
        (422, json!({"errors": [{"source": "uid", "title": "Can't be blank"}]}))
    );
    assert_eq!(
        create(
            Some(&c.admin),
            &json!({"data": {"attributes": {"uid": "0000-0000-0000-0000"}}})
        )
        .await,
        (422, json!({"errors": [{"source": "uid", "title": "Is invalid"}]}))
    );
    assert_eq!(
        create(Some(&c.admin), &json!({"uid": fresh})).await,
        (
            400,
            envelope(400, "You need to provide a payload following the JSONAPI spec")
        )
    );

    // One user, with the facets of their DOIs from DataCite.
    seed_doi(&[&public], json!({})).await;
    let (status, shown) = send(client.get(app.url(&format!("/users/{public}")))).await;
    assert_eq!(status, 200, "{shown}");
    let meta = &shown["meta"];
    assert_eq!(
        keys(meta),
        ["citations", "dois", "downloads", "published", "resourceTypes", "views"]
            .into_iter()
            .map(String::from)
            .collect()
    );
    assert_eq!(meta["published"], json!([{"id": "2024", "title": "2024", "count": 1}]));
    assert_eq!(meta["resourceTypes"][0]["id"], "dataset");
    // Without DataCite, the user still comes, without meta.
    let offline = callers(&[("DATACITE_API_URL", "http://127.0.0.1:9")]).await;
    let (_, someone) = person(&offline.app, &[]).await;
    let (status, shown) = send(client.get(offline.app.url(&format!("/users/{someone}")))).await;
    assert_eq!(status, 200, "{shown}");
    assert!(shown.get("meta").is_none(), "{shown}");
    let (status, body) = send(client.get(app.url(&format!("/users/{}", random_orcid())))).await;
    assert_eq!((status, body), (404, envelope(404, NOT_FOUND)));
}

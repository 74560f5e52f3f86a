//! One authorisation path: every route the app serves names its decision in `policy::ROUTES`, and
//! over HTTP each route answers every role × credential kind as `policy::decide` says.

use std::collections::BTreeSet;

use diesel::prelude::*;
use profiles_api::auth::api_tokens;
use profiles_api::claims::store::{self, Requester, Submission};
use profiles_api::claims::ClaimSource;
use profiles_api::db::models::Account;
use profiles_api::db::schema::{accounts, audit_log, claims};
use profiles_api::domain::{Doi, OrcidId, Role};
use profiles_api::policy::{self, Action, Actor, Credential, Subject};
use serde_json::{json, Value};

use crate::claims::person;
use crate::datacite_compat::{datacite_jwt, datacite_keys, our_jwt};
use crate::standins::spawn_app_with_providers;
use crate::support::{assert_problem, TestApp};

#[test]
fn every_route_has_a_decision() {
    let api = profiles_api::startup::openapi();
    let served: BTreeSet<(String, String)> = api
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            let mut methods = Vec::new();
            for (method, op) in [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ] {
                if op.is_some() {
                    methods.push((method.to_owned(), path.clone()));
                }
            }
            methods
        })
        .collect();
    let decided: BTreeSet<(String, String)> = policy::ROUTES
        .iter()
        .map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let undecided: Vec<_> = served.difference(&decided).collect();
    let stale: Vec<_> = decided.difference(&served).collect();
    assert!(
        undecided.is_empty(),
        "routes without a decision in policy::ROUTES: {undecided:?}"
    );
    assert!(
        stale.is_empty(),
        "policy::ROUTES names routes the app does not serve: {stale:?}"
    );
    assert_eq!(
        decided.len(),
        policy::ROUTES.len(),
        "a route is listed twice in policy::ROUTES"
    );
}

fn set(app: &TestApp, orcid: &str, role: Role, provider: Option<&str>, client: Option<&str>) {
    let mut conn = app.db.conn();
    diesel::update(accounts::table.filter(accounts::orcid.eq(orcid)))
        .set((
            accounts::role.eq(role.as_str()),
            accounts::provider_id.eq(provider),
            accounts::client_id.eq(client),
        ))
        .execute(&mut conn)
        .unwrap();
}

fn account(app: &TestApp, orcid: &str) -> Account {
    accounts::table
        .filter(accounts::orcid.eq(orcid))
        .select(Account::as_select())
        .first(&mut app.db.conn())
        .unwrap()
}

fn claim_for(app: &TestApp, orcid: &str) -> uuid::Uuid {
    let submission = Submission {
        orcid: OrcidId::parse(orcid).unwrap(),
        doi: Doi::parse(&format!("10.5555/policy-{}", uuid::Uuid::new_v4().simple())).unwrap(),
        source: ClaimSource::SearchAndLink,
        requester: Requester::Person,
        skip_reason: None,
        title: None,
    };
    store::submit(&mut app.db.conn(), &submission, 3, app.clock.now())
        .unwrap()
        .0
        .id
}

/// Whose thing a route acts on in this test.
#[derive(Clone, Copy)]
enum On {
    /// Nobody in particular (listing, one's own account).
    Nothing,
    /// The caller's own record.
    Me,
    /// Another person's.
    Victim,
}

/// How the test calls a route: the concrete path and body, and whose thing it names.
fn request(method: &str, path: &str, victim: &str, claim: uuid::Uuid) -> (String, Option<Value>, On) {
    let random = uuid::Uuid::new_v4();
    let (concrete, on) = match path {
        "/api/v1/claims" if method == "GET" => (format!("/api/v1/claims?orcid={victim}"), On::Victim),
        "/api/v1/claims" => (path.to_owned(), On::Victim),
        "/api/v1/claims/{id}"
        | "/api/v1/claims/{id}/retry"
        | "/api/v1/claims/{id}/dismiss"
        | "/api/v1/claims/{id}/approve" => (path.replace("{id}", &claim.to_string()), On::Victim),
        "/api/v1/admin/claims/{id}/requeue" | "/api/v1/admin/claims/{id}/ignore" => {
            (path.replace("{id}", &claim.to_string()), On::Victim)
        }
        "/api/v1/admin/accounts/{orcid}" => (path.replace("{orcid}", victim), On::Victim),
        "/api/v1/accounts/me/claims/stats"
        | "/api/v1/accounts/me/activity"
        | "/api/v1/accounts/me/orcid-record/check"
        | "/api/v1/auto-update/settings"
        | "/api/v1/auto-update/review"
        | "/api/v1/auto-update/backfill"
        | "/api/v1/auto-update/exclusions"
        | "/api/v1/auto-update/exclusions/{id}" => (path.replace("{id}", &uuid::Uuid::new_v4().to_string()), On::Me),
        "/api/v1/works" => ("/api/v1/works?query=policy".to_owned(), On::Me),
        "/claims" if method == "GET" => (format!("/claims?user-id={victim}"), On::Victim),
        "/claims" => (path.to_owned(), On::Victim),
        "/claims/{id}" => (path.replace("{id}", &claim.to_string()), On::Victim),
        "/users/{orcid}" => (path.replace("{orcid}", victim), On::Victim),
        "/auth/orcid/grant" => ("/auth/orcid/grant?kind=auto_update".to_owned(), On::Nothing),
        other => (
            other
                .replace("{id}", &random.to_string())
                .replace("{provider}", "github")
                .replace("{kind}", "auto_update"),
            On::Nothing,
        ),
    };
    let body = match (method, path) {
        ("PATCH", "/api/v1/accounts/me") => Some(json!({"name": "Policy Test"})),
        ("DELETE", "/api/v1/accounts/me") => Some(json!({"confirm": "0000-0000-0000-0000"})),
        ("POST", "/api/v1/accounts/me/tokens") => {
            Some(json!({"name": "policy", "scopes": ["claims:read"], "expires_in_days": 1}))
        }
        ("POST", "/api/v1/claims") => Some(json!({"doi": "10.5555/policy-matrix", "orcid": victim})),
        ("POST", "/api/v1/events/dois") => Some(json!({"events": [{"doi": "10.5555/policy-event"}]})),
        ("PATCH", "/api/v1/admin/accounts/{orcid}") => Some(json!({"beta_tester": true})),
        ("POST", "/api/v1/admin/claims/retry-failed") => Some(json!({})),
        ("POST", "/api/v1/admin/claims/{id}/ignore") => Some(json!({"reason": "policy test"})),
        ("POST", "/claims") => {
            Some(json!({"claim": {"doi": "10.5555/policy-compat", "orcid": victim, "source_id": "orcid_search"}}))
        }
        ("PUT", "/users/{orcid}") => Some(json!({"data": {"type": "users", "attributes": {"name": "Policy Test"}}})),
        ("PUT", "/api/v1/auto-update/settings") => Some(json!({"mode": "automatic"})),
        ("POST", "/api/v1/admin/clients") => {
            Some(json!({"name": "Policy", "redirect_uris": ["https://rp.example/cb"]}))
        }
        ("POST", "/api/v1/auto-update/review") => Some(json!({"decision": "approve"})),
        ("POST", "/api/v1/auto-update/exclusions") => Some(json!({"kind": "versions_and_parts"})),
        _ => None,
    };
    (concrete, body, on)
}

/// One credential of one person, as the test presents it and as the policy sees it.
struct Presented {
    label: String,
    client: reqwest::Client,
    bearer: Option<String>,
    role: Role,
    account: Option<Account>,
    scopes: Vec<String>,
    kind: policy::CredentialKind,
}

impl Presented {
    fn actor(&self) -> Actor<'_> {
        Actor {
            role: self.role,
            subject: self.account.as_ref().map(Subject::of),
            credential: match self.kind {
                policy::CredentialKind::Anonymous => Credential::Anonymous,
                policy::CredentialKind::Session => Credential::Session { recent_sign_in: true },
                policy::CredentialKind::Jwt => Credential::Jwt,
                policy::CredentialKind::ApiToken => Credential::ApiToken { scopes: &self.scopes },
                policy::CredentialKind::DatacitePerson => Credential::DatacitePerson,
                policy::CredentialKind::DataciteService => Credential::DataciteService,
                policy::CredentialKind::MetricsScraper => Credential::MetricsScraper,
            },
        }
    }
}

#[actix_web::test]
async fn every_route_answers_every_role_and_credential_as_the_policy_decides() {
    let (public, key) = datacite_keys();
    let (app, _) = spawn_app_with_providers(&[
        ("DATACITE_JWT_PUBLIC_KEY", &public),
        ("DATACITE_SERVICE_UIDS", "datacite.lupo"),
    ])
    .await;
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The people acted upon: one in the provider and client of the provider and client roles
    // below, one outside them.
    let (_, insider) = person(&app, &[]).await;
    set(&app, &insider, Role::User, Some("prov"), Some("prov.client"));
    let (_, outsider) = person(&app, &[]).await;
    set(&app, &outsider, Role::User, Some("elsewhere"), Some("elsewhere.client"));
    let victims: Vec<(String, uuid::Uuid)> = [insider, outsider]
        .into_iter()
        .map(|orcid| {
            let claim = claim_for(&app, &orcid);
            (orcid, claim)
        })
        .collect();

    let mut presented = vec![
        Presented {
            label: "anonymous".into(),
            client: plain.clone(),
            bearer: None,
            role: Role::User,
            account: None,
            scopes: vec![],
            kind: policy::CredentialKind::Anonymous,
        },
        Presented {
            label: "DataCite service".into(),
            client: plain.clone(),
            bearer: Some(datacite_jwt(&key, "datacite.lupo", "staff_admin")),
            role: Role::StaffAdmin,
            account: None,
            scopes: vec![],
            kind: policy::CredentialKind::DataciteService,
        },
    ];
    for role in Role::ALL {
        let (browser, orcid) = person(&app, &[]).await;
        set(&app, &orcid, role, Some("prov"), Some("prov.client"));
        let me = account(&app, &orcid);
        let jwt = our_jwt(&app, &browser).await;
        let mut add = |label: &str, client: &reqwest::Client, bearer, scopes: Vec<String>, kind| {
            presented.push(Presented {
                label: format!("{} by {label}", role.as_str()),
                client: client.clone(),
                bearer,
                role,
                account: Some(me.clone()),
                scopes,
                kind,
            })
        };
        add("session", &browser, None, vec![], policy::CredentialKind::Session);
        add("JWT", &plain, Some(jwt), vec![], policy::CredentialKind::Jwt);
        for (scope, _) in api_tokens::SCOPES {
            // Made in the database, past the creation check, so that use is checked too.
            let scopes = vec![scope.to_owned()];
            let (token, _) = api_tokens::create(&mut app.db.conn(), me.id, scope, &scopes, None).unwrap();
            add(
                &format!("API token {scope}"),
                &plain,
                Some(token),
                scopes,
                policy::CredentialKind::ApiToken,
            );
        }
        add(
            "DataCite JWT",
            &plain,
            Some(datacite_jwt(&key, &orcid, "user")),
            vec![],
            policy::CredentialKind::DatacitePerson,
        );
    }

    let mut checked = 0;
    let mut wrong = Vec::new();
    for ((method, path, surface, action), (victim, claim)) in policy::ROUTES
        .iter()
        .flat_map(|route| victims.iter().map(move |v| (route, v)))
    {
        if *action == Action::Public {
            continue;
        }
        let (victim, claim) = (victim.as_str(), *claim);
        let victim_account = account(&app, victim);
        for who in &presented {
            let (url, body, on) = request(method, path, victim, claim);
            let target = match on {
                On::Nothing => None,
                On::Me => who.account.as_ref().map(Subject::of),
                On::Victim => Some(Subject::of(&victim_account)),
            };
            let action = match action {
                Action::ReadProfile { .. } => Action::ReadProfile {
                    public: victim_account.is_public,
                },
                other => *other,
            };
            let decision = policy::decide(who.actor(), *surface, action, target);
            let mut req = who
                .client
                .request(method.parse().unwrap(), app.url(&url))
                .header("accept", "application/json");
            if let Some(bearer) = &who.bearer {
                req = req.bearer_auth(bearer);
            }
            if let Some(body) = &body {
                req = req.json(body);
            }
            // The flows' form posts come from our own page.
            if *method == "POST" && path.starts_with("/auth/") {
                req = req
                    .header("origin", app.url("").trim_end_matches('/'))
                    .form(&[("kind", "auto_update")]);
            }
            let status = req.send().await.unwrap().status().as_u16();
            checked += 1;
            let ok = match decision {
                // Allowed: past the gate, and answered (a 404 for a random id or an unlinked
                // provider, a 409 or 422 for a test body, but never a server error).
                Ok(()) => !matches!(status, 401 | 403) && status < 500,
                Err(_) => matches!(status, 401 | 403 | 404),
            };
            if !ok {
                wrong.push(format!(
                    "{method} {url} by {}: {status}, policy {decision:?}",
                    who.label
                ));
            }
        }
    }
    assert!(checked > 3000, "only {checked} requests were checked");
    assert!(
        wrong.is_empty(),
        "{} answers differ from the policy:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The hole a read-only role used: deleting, retrying and creating claims in anyone's record.
#[actix_web::test]
async fn staff_user_changes_no_ones_claims_and_staff_admin_changes_are_audited() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (_, victim) = person(&app, &[]).await;
    let (staff, staff_orcid) = person(&app, &[]).await;
    let (admin, admin_orcid) = person(&app, &[]).await;
    set(&app, &staff_orcid, Role::StaffUser, None, None);
    set(&app, &admin_orcid, Role::StaffAdmin, None, None);
    let claim = claim_for(&app, &victim);

    // Read-only staff read, and change nothing.
    let read = staff
        .get(app.url(&format!("/api/v1/claims/{claim}")))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let res = staff
        .delete(app.url(&format!("/api/v1/claims/{claim}")))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;
    let res = staff
        .post(app.url(&format!("/api/v1/claims/{claim}/retry")))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;
    let res = staff
        .post(app.url("/api/v1/claims"))
        .json(&json!({"doi": "10.5555/not-theirs", "orcid": victim}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;
    let state: String = claims::table
        .find(claim)
        .select(claims::state)
        .first(&mut app.db.conn())
        .unwrap();
    assert_eq!(state, "waiting_for_permission", "the claim is untouched");

    // A staff admin may, and each change lands in the person's audit trail.
    let res = admin
        .post(app.url("/api/v1/claims"))
        .json(&json!({"doi": "10.5555/for-them", "orcid": victim}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let res = admin
        .delete(app.url(&format!("/api/v1/claims/{claim}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let trail: Vec<(String, String, String)> = audit_log::table
        .filter(audit_log::target_id.eq(&victim))
        .order(audit_log::id.asc())
        .select((audit_log::actor_label, audit_log::action, audit_log::target_type))
        .load(&mut app.db.conn())
        .unwrap();
    assert_eq!(
        trail,
        vec![
            (admin_orcid.clone(), "claim.submitted".into(), "account".into()),
            (admin_orcid.clone(), "claim.delete_requested".into(), "account".into()),
        ]
    );

    // A person's changes to their own claims are theirs, not an audit matter.
    let (me, _) = person(&app, &[]).await;
    let before: i64 = audit_log::table.count().get_result(&mut app.db.conn()).unwrap();
    let res = me
        .post(app.url("/api/v1/claims"))
        .json(&json!({"doi": "10.5555/mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let after: i64 = audit_log::table.count().get_result(&mut app.db.conn()).unwrap();
    assert_eq!(before, after);
}

/// Input that used to panic or answer 500 now answers 422 with a clear problem.
#[actix_web::test]
async fn unknown_sorts_and_huge_page_numbers_are_refused_clearly() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, _) = person(&app, &[]).await;
    for path in [
        "/api/v1/claims?sort=done",
        "/api/v1/claims?page[number]=9223372036854775807",
        "/api/v1/claims?page[number]=10001",
        "/api/v1/works?query=x&page[number]=9223372036854775807",
        "/api/v1/admin/accounts?page[number]=9223372036854775807",
    ] {
        let res = b.get(app.url(path)).send().await.unwrap();
        let status = res.status().as_u16();
        if path.contains("admin") {
            // A plain user is refused before the query is looked at.
            assert_eq!(status, 403, "{path}");
            continue;
        }
        let body = assert_problem(res, 422, "invalid_parameter").await;
        assert!(!body["errors"].as_array().unwrap().is_empty(), "{path}: {body}");
    }
    let res = b
        .get(app.url("/claims?page[number]=9223372036854775807&page[size]=25"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "DataCite's paging");
}

/// What the security review found in the first cut of the one path: provider admins removing
/// their members' works, people and tokens reaching the admin area's claim actions, and the
/// events feed's claim form removing works from anyone's record.
#[actix_web::test]
async fn claim_changes_stay_with_the_person_and_staff_admins() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (_, member) = person(&app, &[]).await;
    let (provider, provider_orcid) = person(&app, &[]).await;
    let (me, my_orcid) = person(&app, &[]).await;
    set(&app, &member, Role::User, Some("prov"), None);
    set(&app, &provider_orcid, Role::ProviderAdmin, Some("prov"), None);
    let theirs = claim_for(&app, &member);
    let mine = claim_for(&app, &my_orcid);

    // A provider admin processes a member's claims in the admin area, but removes no work.
    let res = provider
        .delete(app.url(&format!("/api/v1/claims/{theirs}")))
        .send()
        .await
        .unwrap();
    assert!(matches!(res.status().as_u16(), 403 | 404), "{}", res.status());
    let res = provider
        .post(app.url(&format!("/api/v1/admin/claims/{theirs}/requeue")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);

    // A person retries their own claim, but the admin area's actions are not theirs, and
    // whether a claim exists there is not for them to learn.
    let res = me
        .post(app.url(&format!("/api/v1/admin/claims/{mine}/requeue")))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;
    let res = me
        .post(app.url(&format!("/api/v1/admin/claims/{}/ignore", uuid::Uuid::new_v4())))
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;
    let res = me
        .patch(app.url(&format!("/api/v1/admin/accounts/{}", crate::claims::random_orcid())))
        .json(&json!({"beta_tester": true}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;

    // The events feed's token posts claims for whoever a DOI names, but removes nobody's work.
    let (_, admin_orcid) = person(&app, &[]).await;
    set(&app, &admin_orcid, Role::StaffAdmin, None, None);
    let admin = account(&app, &admin_orcid);
    let scopes = vec!["events:write".to_owned()];
    let (feed, _) = api_tokens::create(&mut app.db.conn(), admin.id, "feed", &scopes, None).unwrap();
    let doi: String = claims::table
        .find(theirs)
        .select(claims::doi)
        .first(&mut app.db.conn())
        .unwrap();
    let res = app
        .client
        .post(app.url("/api/v1/events/dois"))
        .bearer_auth(&feed)
        .json(&json!({"claim": {"orcid": member, "doi": doi, "source_id": "orcid_update", "claim_action": "delete"}}))
        .send()
        .await
        .unwrap();
    assert!(matches!(res.status().as_u16(), 403 | 404), "{}", res.status());
    let action: String = claims::table
        .find(theirs)
        .select(claims::action)
        .first(&mut app.db.conn())
        .unwrap();
    assert_eq!(action, "create", "the work was not asked to be removed");
    let res = app
        .client
        .post(app.url("/api/v1/events/dois"))
        .bearer_auth(&feed)
        .json(&json!({"claim": {"orcid": member, "doi": "10.5555/feed-new", "source_id": "orcid_update"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let audited: i64 = audit_log::table
        .filter(audit_log::target_id.eq(&member))
        .filter(audit_log::action.eq("claim.submitted"))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(audited, 1, "the feed's claim for someone else is in their audit trail");
}

/// A bearer JWT travels to other services (DataCite's `_datacite` cookie): it may read and
/// claim, but it changes nothing about the account itself, and never mints another JWT.
#[actix_web::test]
async fn a_bearer_jwt_does_not_change_the_account_it_names() {
    let (app, _) = spawn_app_with_providers(&[]).await;
    let (b, orcid) = person(&app, &[]).await;
    let jwt = our_jwt(&app, &b).await;
    let bearer = |req: reqwest::RequestBuilder| req.bearer_auth(&jwt).send();
    let c = &app.client;
    let refused = [
        bearer(c.post(app.url("/api/v1/tokens"))).await.unwrap(),
        bearer(
            c.post(app.url("/api/v1/accounts/me/tokens"))
                .json(&json!({"name": "stolen", "scopes": ["claims:read"], "expires_in_days": 365})),
        )
        .await
        .unwrap(),
        bearer(
            c.delete(app.url("/api/v1/accounts/me"))
                .json(&json!({"confirm": orcid})),
        )
        .await
        .unwrap(),
        bearer(c.delete(app.url("/api/v1/accounts/me/sessions"))).await.unwrap(),
        bearer(c.delete(app.url("/api/v1/accounts/me/permissions/auto_update")))
            .await
            .unwrap(),
        bearer(
            c.patch(app.url("/api/v1/accounts/me"))
                .json(&json!({"name": "Mallory"})),
        )
        .await
        .unwrap(),
    ];
    for res in refused {
        assert_problem(res, 403, "session_required").await;
    }
    // It still reads, and the account is all there.
    let me = bearer(c.get(app.url("/api/v1/accounts/me"))).await.unwrap();
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["orcid"], orcid.as_str());
    assert_ne!(me["name"], "Mallory");
    // The browser session does all of it.
    let res = b
        .post(app.url("/api/v1/accounts/me/tokens"))
        .json(&json!({"name": "mine", "scopes": ["claims:read"], "expires_in_days": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

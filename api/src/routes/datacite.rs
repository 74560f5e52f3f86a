//! Drop-in compatibility with DataCite's Profiles API for the
//! callers that exist today: Commons through lupo, levriero, other DataCite services.
//!
//! `POST /claims` (the `claim` wrapper), `GET /claims` (`user-id`, `dois`, facets in `meta`),
//! `GET`/`DELETE /claims/{uuid}`, `GET`/`PUT /users/{orcid}`; JSON:API with camelCase attributes and
//! DataCite's error envelope `{"errors":[{"status","title"}]}`. Bearer JWTs are ours, or DataCite's
//! own (with its claim names) when `DATACITE_JWT_PUBLIC_KEY` is set. Without DataCite's holes: no
//! raw query strings, ordinary users see only their own claims, a role comes from our database
//! (never from a token or a body), client-chosen claim ids are ignored, tokens never leave the
//! database.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::claims::legacy::{apply_legacy, parse_legacy, underscore_keys, LegacyClaim, LegacyClaimEnvelope};
use crate::claims::store::{self, Claim};
use crate::claims::{ClaimAction, ClaimSource, ClaimState};
use crate::compat::datacite::{
    account_of, caller, jsonapi, refused, CompatCaller, CompatError, CompatResult, DataciteErrors,
};
use crate::db::models::Account;
use crate::db::schema::{accounts, claims, identities};
use crate::domain::OrcidId;
use crate::error::ApiError;
use crate::policy::{self, Action, Denial, Subject, Surface};

/// Audits a change made to another person's claim (staff, or a DataCite service).
fn audit_for_another(conn: &mut PgConnection, actor: Option<&Account>, action: &str, claim: &Claim) -> QueryResult<()> {
    if actor.is_some_and(|a| a.orcid == claim.orcid) {
        return Ok(());
    }
    crate::audit::audit(
        conn,
        actor,
        "datacite service",
        action,
        ("account", &claim.orcid),
        json!({"claim": claim.id, "doi": claim.doi, "after": {"state": claim.state, "action": claim.action}, "via": "datacite"}),
    )
}

fn source_id(source: ClaimSource) -> &'static str {
    match source {
        ClaimSource::SearchAndLink => "orcid_search",
        ClaimSource::AutoUpdate => "orcid_update",
    }
}

/// DataCite's state names: our `waiting_for_permission` is a claim still waiting.
fn datacite_state(state: ClaimState) -> &'static str {
    match state {
        ClaimState::WaitingForPermission => "waiting",
        other => other.as_str(),
    }
}

fn claim_resource(c: &Claim) -> Value {
    let errors: Vec<Value> = match (&c.error_code, &c.error_message) {
        (Some(_), Some(message)) => vec![json!({ "title": message })],
        _ => vec![],
    };
    json!({
        "id": c.id,
        "type": "claims",
        "attributes": {
            "orcid": format!("https://orcid.org/{}", c.orcid),
            "doi": c.doi,
            "sourceId": source_id(c.source()),
            "state": datacite_state(c.state()),
            "claimAction": c.action().as_str(),
            "putCode": c.put_code,
            "errorMessages": errors,
            "claimed": c.claimed_at,
            "created": c.created_at,
            "updated": c.updated_at,
        },
        "relationships": { "user": { "data": { "id": c.orcid, "type": "users" } } },
    })
}

fn underscore(query: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .map(|(k, v)| (k.replace('-', "_"), v))
        .collect()
}

/// DataCite: create or re-queue a claim
///
/// Body `{"claim": {"orcid", "doi", "source_id", "claim_action"}}` (hyphenated keys accepted; a
/// client-chosen `uuid` is ignored). A person may only claim for their own iD; DataCite's
/// staff-admin token (levriero) may claim for anyone. Answers 202 with the JSON:API claim.
#[utoipa::path(
    operation_id = "datacite_create_claim",
    tag = "datacite",
    request_body = LegacyClaimEnvelope,
    responses(
        (status = 202, description = "The claim, JSON:API with camelCase attributes.", body = Value, content_type = "application/vnd.api+json"),
        (status = 400, description = "Malformed JSON.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 401, description = "Bad credentials.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 403, description = "Claiming for another person.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 404, description = "`claim_action: delete` for a claim that does not exist.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 422, description = "A missing `claim`, or a bad DOI or iD.", body = DataciteErrors, content_type = "application/vnd.api+json"),
    )
)]
#[post("/claims")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    ours: Result<Caller, ApiError>,
    body: web::Bytes,
) -> CompatResult<HttpResponse> {
    let who = caller(&req, &state, ours).await?;
    let value: Value =
        serde_json::from_slice(&body).map_err(|e| CompatError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let value = underscore_keys(&value);
    let Some(claim) = value.get("claim").cloned() else {
        return Err(CompatError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "param is missing or the value is empty or invalid: claim",
        ));
    };
    let claim: LegacyClaim =
        serde_json::from_value(claim).map_err(|e| CompatError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let parsed = parse_legacy(&claim).map_err(CompatError::from)?;
    let owner = account_of(&state, parsed.orcid.to_string()).await?;
    let action = if parsed.delete {
        Action::ManageClaims
    } else {
        Action::CreateClaim
    };
    // Claiming for someone else is refused outright, as DataCite does.
    who.decide(action, Some(Subject::record(parsed.orcid.as_str(), owner.as_ref())))
        .map_err(|d| {
            if d == Denial::Hidden {
                CompatError::forbidden()
            } else {
                refused(d)
            }
        })?;
    let (max_attempts, now) = (state.config.claims.max_attempts, state.clock.now());
    let actor = who.account().cloned();
    let claim = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let claim = apply_legacy(conn, &parsed, max_attempts, now)?;
            audit_for_another(conn, actor.as_ref(), "claim.submitted", &claim)?;
            Ok(claim)
        })
    })
    .await?;
    Ok(jsonapi(StatusCode::ACCEPTED, json!({ "data": claim_resource(&claim) })))
}

fn facet(counts: &[(String, i64)], title: impl Fn(&str) -> String) -> Vec<Value> {
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(id, n)| json!({ "id": id, "title": title(id), "count": n }))
        .collect()
}

fn titleize(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or_else(String::new, |f| f.to_uppercase().collect::<String>() + c.as_str())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// DataCite: list claims
///
/// `user-id` (an iD; people only ever get their own claims), `dois` (comma list, any case),
/// `source-id`, `claim-action`, `state` (comma list), `page[number]`, `page[size]` (≤ 1000).
/// Newest first. `meta` carries `total`, `totalPages`, `page` and the facets `sources`, `states`
/// and `claimActions`.
#[utoipa::path(
    operation_id = "datacite_list_claims",
    tag = "datacite",
    params(
        ("user-id" = Option<String>, Query, description = "An ORCID iD (bare or URL)."),
        ("dois" = Option<String>, Query, description = "Comma-separated DOIs."),
        ("source-id" = Option<String>, Query, description = "`orcid_search` or `orcid_update`."),
        ("claim-action" = Option<String>, Query, description = "`create` or `delete`."),
        ("state" = Option<String>, Query, description = "Comma-separated states."),
        ("page[number]" = Option<i64>, Query, description = "From 1."),
        ("page[size]" = Option<i64>, Query, description = "1–1000, default 25."),
    ),
    responses(
        (status = 200, description = "JSON:API list of claims.", body = Value, content_type = "application/vnd.api+json"),
        (status = 401, description = "Bad credentials.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 403, description = "Another person's claims.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 422, description = "A bad iD, DOI, source, action, state or page.", body = DataciteErrors, content_type = "application/vnd.api+json"),
    )
)]
#[get("/claims")]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    ours: Result<Caller, ApiError>,
) -> CompatResult<HttpResponse> {
    let who = caller(&req, &state, ours).await?;
    let q = underscore(req.query_string());
    let unprocessable = |m: String| CompatError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
    let user = q
        .get("user_id")
        .map(|v| {
            OrcidId::parse(v)
                .map(|o| o.to_string())
                .map_err(|e| unprocessable(format!("user-id: {e}")))
        })
        .transpose()?;
    let orcid = match user {
        Some(u) => {
            let owner = account_of(&state, u.clone()).await?;
            who.decide(Action::ReadClaims, Some(Subject::record(&u, owner.as_ref())))
                .map_err(|d| {
                    if d == Denial::Hidden {
                        CompatError::forbidden()
                    } else {
                        refused(d)
                    }
                })?;
            Some(u)
        }
        // Everyone's claims for those who may read them, else one's own.
        None if who.decide(Action::ReadClaims, None).is_ok() => None,
        None => Some(who.orcid().map(str::to_owned).ok_or_else(CompatError::forbidden)?),
    };
    let dois: Vec<String> = q
        .get("dois")
        .map(|v| {
            v.split(',')
                .filter(|d| !d.trim().is_empty())
                .map(|d| {
                    crate::domain::Doi::parse(d)
                        .map(String::from)
                        .map_err(|e| unprocessable(format!("dois: {e}")))
                })
                .collect::<CompatResult<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    let source = q
        .get("source_id")
        .map(|v| match v.as_str() {
            "orcid_search" => Ok(ClaimSource::SearchAndLink),
            "orcid_update" => Ok(ClaimSource::AutoUpdate),
            other => Err(unprocessable(format!("source-id: unknown {other:?}"))),
        })
        .transpose()?;
    let action = q
        .get("claim_action")
        .map(|v| {
            v.parse::<ClaimAction>()
                .map_err(|_| unprocessable(format!("claim-action: unknown {v:?}")))
        })
        .transpose()?;
    let mut states: Vec<String> = Vec::new();
    for s in q
        .get("state")
        .map(|v| v.split(',').collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let st = s
            .trim()
            .parse::<ClaimState>()
            .map_err(|_| unprocessable(format!("state: unknown {s:?}")))?;
        states.push(st.as_str().to_owned());
        if st == ClaimState::Waiting {
            states.push(ClaimState::WaitingForPermission.as_str().to_owned());
        }
    }
    let size: i64 = q
        .get("page[size]")
        .map_or(Ok(25), |v| v.parse())
        .map_err(|_| unprocessable("page[size]: a number".into()))?;
    let page: i64 = q
        .get("page[number]")
        .map_or(Ok(1), |v| v.parse())
        .map_err(|_| unprocessable("page[number]: a number".into()))?;
    if !(1..=1000).contains(&size) || page < 1 || page.checked_mul(size).is_none_or(|n| n > 10_000 + size) {
        return Err(unprocessable(
            "page[size] is 1–1000 and page[number] × page[size] reaches 10,000 at most".into(),
        ));
    }
    let filter = move || {
        let mut query = claims::table.into_boxed();
        if let Some(o) = &orcid {
            query = query.filter(claims::orcid.eq(o.clone()));
        }
        if !dois.is_empty() {
            query = query.filter(claims::doi.eq_any(dois.clone()));
        }
        if let Some(s) = source {
            query = query.filter(claims::source.eq(s));
        }
        if let Some(a) = action {
            query = query.filter(claims::action.eq(a));
        }
        if !states.is_empty() {
            query = query.filter(claims::state.eq_any(states.clone()));
        }
        query
    };
    let (total, rows, by_source, by_state, by_action) = crate::db::run(&state.pool, move |conn| {
        let total: i64 = filter().count().get_result(conn)?;
        let rows: Vec<Claim> = filter()
            .order((claims::updated_at.desc(), claims::id.desc()))
            .offset((page - 1) * size)
            .limit(size)
            .select(Claim::as_select())
            .load(conn)?;
        let ids = || filter().select(claims::id);
        let by_source: Vec<(ClaimSource, i64)> = claims::table
            .filter(claims::id.eq_any(ids()))
            .group_by(claims::source)
            .select((claims::source, count_star()))
            .load(conn)?;
        let by_state: Vec<(ClaimState, i64)> = claims::table
            .filter(claims::id.eq_any(ids()))
            .group_by(claims::state)
            .select((claims::state, count_star()))
            .load(conn)?;
        let by_action: Vec<(String, i64)> = claims::table
            .filter(claims::id.eq_any(ids()))
            .group_by(claims::action)
            .select((claims::action, count_star()))
            .load(conn)?;
        Ok((total, rows, by_source, by_state, by_action))
    })
    .await?;
    let sources: Vec<(String, i64)> = by_source
        .into_iter()
        .map(|(s, n)| (source_id(s).to_owned(), n))
        .collect();
    let mut merged: BTreeMap<String, i64> = BTreeMap::new();
    for (s, n) in by_state {
        *merged.entry(datacite_state(s).to_owned()).or_default() += n;
    }
    let states: Vec<(String, i64)> = merged.into_iter().collect();
    let mut meta = json!({
        "total": total,
        "totalPages": (total.min(10_000) + size - 1) / size,
        "page": page,
    });
    if total > 0 {
        meta["sources"] = json!(facet(&sources, |id| match id {
            "orcid_search" => "ORCID Search and Link".to_owned(),
            _ => "ORCID Auto-Update".to_owned(),
        }));
        meta["states"] = json!(facet(&states, titleize));
        meta["claimActions"] = json!(facet(&by_action, titleize));
    }
    let base = format!("{}/claims", crate::config::origin(&state.config.public_url));
    let mut links = json!({ "self": format!("{base}?{}", req.query_string()) });
    if page * size < total.min(10_000) {
        let next: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
            .into_owned()
            .filter(|(k, _)| k != "page[number]")
            .chain([("page[number]".to_owned(), (page + 1).to_string())])
            .collect();
        let qs = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(next)
            .finish();
        links["next"] = json!(format!("{base}?{qs}"));
    }
    Ok(jsonapi(
        StatusCode::OK,
        json!({
            "data": rows.iter().map(claim_resource).collect::<Vec<_>>(),
            "meta": meta,
            "links": links,
        }),
    ))
}

async fn visible_claim(state: &AppState, who: &CompatCaller, id: Uuid, action: Action) -> CompatResult<Claim> {
    let claim = crate::db::run(&state.pool, move |conn| Ok(store::find(conn, id)?))
        .await?
        .ok_or_else(CompatError::not_found)?;
    let owner = account_of(state, claim.orcid.clone()).await?;
    // Someone else's claim is, for those who may not read it, not there.
    who.decide(action, Some(Subject::record(&claim.orcid, owner.as_ref())))
        .map_err(refused)?;
    Ok(claim)
}

/// DataCite: one claim
#[utoipa::path(
    operation_id = "datacite_get_claim",
    tag = "datacite",
    params(("id" = Uuid, Path, description = "The claim's id.")),
    responses(
        (status = 200, description = "The JSON:API claim.", body = Value, content_type = "application/vnd.api+json"),
        (status = 401, description = "Bad credentials.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 404, description = "No such claim among those you may see.", body = DataciteErrors, content_type = "application/vnd.api+json"),
    )
)]
#[get("/claims/{id}")]
pub async fn get_one(
    req: HttpRequest,
    state: web::Data<AppState>,
    ours: Result<Caller, ApiError>,
    id: web::Path<String>,
) -> CompatResult<HttpResponse> {
    let who = caller(&req, &state, ours).await?;
    let id = Uuid::parse_str(&id).map_err(|_| CompatError::not_found())?;
    let claim = visible_claim(&state, &who, id, Action::ReadClaims).await?;
    Ok(jsonapi(StatusCode::OK, json!({ "data": claim_resource(&claim) })))
}

/// DataCite: remove a claim's work from ORCID
///
/// Answers 202 with `claimAction: "delete"`; the work is removed from the ORCID record.
#[utoipa::path(
    operation_id = "datacite_delete_claim",
    tag = "datacite",
    params(("id" = Uuid, Path, description = "The claim's id.")),
    responses(
        (status = 202, description = "The JSON:API claim, with claimAction delete.", body = Value, content_type = "application/vnd.api+json"),
        (status = 401, description = "Bad credentials.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 404, description = "No such claim among yours.", body = DataciteErrors, content_type = "application/vnd.api+json"),
    )
)]
#[delete("/claims/{id}")]
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    ours: Result<Caller, ApiError>,
    id: web::Path<String>,
) -> CompatResult<HttpResponse> {
    let who = caller(&req, &state, ours).await?;
    let id = Uuid::parse_str(&id).map_err(|_| CompatError::not_found())?;
    let claim = visible_claim(&state, &who, id, Action::ManageClaims).await?;
    let (max_attempts, now) = (state.config.claims.max_attempts, state.clock.now());
    let actor = who.account().cloned();
    let claim = crate::db::run(&state.pool, move |conn| {
        Ok(conn.transaction(|conn| {
            let after = store::request_delete(conn, claim.id, max_attempts, now)?;
            audit_for_another(conn, actor.as_ref(), "claim.delete_requested", &after)?;
            QueryResult::Ok(after)
        })?)
    })
    .await?;
    Ok(jsonapi(StatusCode::ACCEPTED, json!({ "data": claim_resource(&claim) })))
}

fn user_resource(a: &Account, github: Option<String>, with_email: bool) -> Value {
    let mut attributes = json!({
        "givenName": a.given_names,
        "familyName": a.family_name,
        "name": a.name,
        "orcid": format!("https://orcid.org/{}", a.orcid),
        "github": github,
        "roleId": a.role,
        "isActive": true,
        "created": a.created_at,
        "updated": a.updated_at,
    });
    if with_email {
        attributes["email"] = json!(a.email);
    }
    json!({ "id": a.orcid, "type": "users", "attributes": attributes })
}

async fn load_user(state: &AppState, orcid: String) -> CompatResult<Option<(Account, Option<String>)>> {
    Ok(crate::db::run(&state.pool, move |conn| {
        let account: Option<Account> = accounts::table
            .filter(accounts::orcid.eq(&orcid))
            .select(Account::as_select())
            .first(conn)
            .optional()?;
        let Some(account) = account else {
            return Ok(None);
        };
        let github: Option<Option<String>> = identities::table
            .filter(identities::account_id.eq(account.id))
            .filter(identities::provider.eq("github"))
            .select(identities::profile_url)
            .first(conn)
            .optional()?;
        Ok(Some((account, github.flatten())))
    })
    .await?)
}

/// DataCite: one user
///
/// Public for public profiles; a private profile is visible to its owner and to those whose role
/// may read it. `email` only for those.
#[utoipa::path(
    operation_id = "datacite_get_user",
    tag = "datacite",
    params(("orcid" = String, Path, description = "The ORCID iD.")),
    responses(
        (status = 200, description = "The JSON:API user.", body = Value, content_type = "application/vnd.api+json"),
        (status = 404, description = "No such (visible) user.", body = DataciteErrors, content_type = "application/vnd.api+json"),
    )
)]
#[get("/users/{orcid}")]
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    ours: Result<Caller, ApiError>,
    orcid: web::Path<String>,
) -> CompatResult<HttpResponse> {
    let orcid = OrcidId::parse(&orcid).map_err(|_| CompatError::not_found())?;
    let (account, github) = load_user(&state, orcid.to_string())
        .await?
        .ok_or_else(CompatError::not_found)?;
    // Anonymous callers are fine here: they see public profiles.
    let who = caller(&req, &state, ours).await.ok();
    let actor = who.as_ref().map_or(policy::Actor::ANONYMOUS, CompatCaller::actor);
    let target = Some(Subject::of(&account));
    let public = account.is_public;
    policy::decide(actor, Surface::Datacite, Action::ReadProfile { public }, target)
        .map_err(|_| CompatError::not_found())?;
    // Those who may read the account see its email too.
    let privileged = policy::decide(actor, Surface::Datacite, Action::ReadAccount, target).is_ok();
    Ok(jsonapi(
        StatusCode::OK,
        json!({ "data": user_resource(&account, github, privileged) }),
    ))
}

/// What DataCite's services may set on a user (lupo clears provider/client links this way).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserAttributes {
    pub name: Option<String>,
    pub given_names: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::accounts::present")]
    pub provider_id: Option<Option<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::accounts::present")]
    pub client_id: Option<Option<String>>,
    pub beta_tester: Option<bool>,
}

/// DataCite: create or update a user
///
/// Staff admins (and DataCite's staff-admin token) only. JSON:API body
/// `{"data": {"type": "users", "attributes": {…}}}`; a role is never taken from it. 200 when the
/// user existed, 201 when created.
#[utoipa::path(
    operation_id = "datacite_put_user",
    tag = "datacite",
    params(("orcid" = String, Path, description = "The ORCID iD.")),
    request_body = Value,
    responses(
        (status = 200, description = "Updated; the JSON:API user.", body = Value, content_type = "application/vnd.api+json"),
        (status = 201, description = "Created; the JSON:API user.", body = Value, content_type = "application/vnd.api+json"),
        (status = 400, description = "No JSON:API payload.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 401, description = "Bad credentials.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 403, description = "Not a staff admin.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 404, description = "Not an ORCID iD.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 422, description = "Unreadable attributes.", body = DataciteErrors, content_type = "application/vnd.api+json"),
    )
)]
#[put("/users/{orcid}")]
pub async fn put_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    ours: Result<Caller, ApiError>,
    orcid: web::Path<String>,
    body: web::Bytes,
) -> CompatResult<HttpResponse> {
    let who = caller(&req, &state, ours).await?;
    let orcid = OrcidId::parse(&orcid).map_err(|_| CompatError::not_found())?;
    let existing = load_user(&state, orcid.to_string()).await?;
    // The body may relink provider and client ids, which is a role change's business.
    match &existing {
        Some((account, _)) => who.decide(Action::ChangeRole, Some(Subject::of(account))),
        None => who.decide(Action::CreateAccount, None),
    }
    .map_err(|d| {
        if d == Denial::Hidden {
            CompatError::forbidden()
        } else {
            refused(d)
        }
    })?;
    let value: Value =
        serde_json::from_slice(&body).map_err(|e| CompatError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let Some(attributes) = value.pointer("/data/attributes").cloned() else {
        return Err(CompatError::new(
            StatusCode::BAD_REQUEST,
            "You need to provide a payload following the JSONAPI spec",
        ));
    };
    let attrs: UserAttributes = serde_json::from_value(attributes)
        .map_err(|e| CompatError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let created = existing.is_none();
    let (actor, label) = (
        who.account().cloned(),
        if who.account().is_some() {
            ""
        } else {
            "DataCite service"
        },
    );
    let orcid_s = orcid.to_string();
    let account = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let id: Uuid = match accounts::table
                .filter(accounts::orcid.eq(&orcid_s))
                .select(accounts::id)
                .first::<Uuid>(conn)
                .optional()?
            {
                Some(id) => id,
                None => diesel::insert_into(accounts::table)
                    .values(accounts::orcid.eq(&orcid_s))
                    .returning(accounts::id)
                    .get_result(conn)?,
            };
            let target = accounts::table.find(id);
            if let Some(v) = &attrs.name {
                diesel::update(target).set(accounts::name.eq(v)).execute(conn)?;
            }
            if let Some(v) = &attrs.given_names {
                diesel::update(target).set(accounts::given_names.eq(v)).execute(conn)?;
            }
            if let Some(v) = &attrs.family_name {
                diesel::update(target).set(accounts::family_name.eq(v)).execute(conn)?;
            }
            if let Some(v) = &attrs.email {
                diesel::update(target).set(accounts::email.eq(v)).execute(conn)?;
            }
            if let Some(v) = &attrs.provider_id {
                diesel::update(target).set(accounts::provider_id.eq(v)).execute(conn)?;
            }
            if let Some(v) = &attrs.client_id {
                diesel::update(target).set(accounts::client_id.eq(v)).execute(conn)?;
            }
            if let Some(v) = attrs.beta_tester {
                diesel::update(target).set(accounts::beta_tester.eq(v)).execute(conn)?;
            }
            crate::audit::audit(
                conn,
                actor.as_ref(),
                label,
                if created { "account.created" } else { "account.updated" },
                ("account", &orcid_s),
                json!({ "via": "PUT /users", "provider_id": attrs.provider_id, "client_id": attrs.client_id }),
            )?;
            accounts::table
                .find(id)
                .select(Account::as_select())
                .first::<Account>(conn)
        })
        .map_err(ApiError::from)
    })
    .await?;
    let body = json!({ "data": user_resource(&account, None, true) });
    Ok(if created {
        jsonapi(StatusCode::CREATED, body)
    } else {
        jsonapi(StatusCode::OK, body)
    })
}

//! Drop-in compatibility with DataCite's Profiles API for the
//! callers that exist today: Commons through lupo, levriero, other DataCite services.
//!
//! `POST /claims` (the `claim` wrapper), `GET /claims` (`user-id`, `dois`, facets in `meta`),
//! `GET`/`DELETE /claims/{uuid}`, `GET`/`PUT /users/{orcid}`; JSON:API with camelCase attributes and
//! DataCite's error envelope `{"errors":[{"status","title"}]}`. Bearer JWTs are ours, or DataCite's
//! own (with its claim names) when `DATACITE_JWT_PUBLIC_KEY` is set: a person's, for an account
//! here, or a staff-admin token of a service named in `DATACITE_SERVICE_UIDS`, never older or
//! longer-lived than `DATACITE_JWT_MAX_AGE_DAYS`. Without DataCite's holes: no
//! raw query strings, ordinary users see only their own claims, a role comes from our database
//! (never from a token or a body), client-chosen claim ids are ignored, tokens never leave the
//! database.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::claims::legacy::{apply_legacy, parse_legacy, underscore_keys, LegacyClaim, LegacyClaimEnvelope};
use crate::claims::store::{self};
use crate::compat::datacite::{
    account_of, audit_for_another, caller, claim_resource, jsonapi, load_user, parse_claim_filters, refused_outright,
    search_claims, underscore, user_resource, visible_claim, CompatCaller, CompatError, CompatResult, DataciteErrors,
    UserAttributes,
};
use crate::db::models::{Account, AccountChangeset};
use crate::db::schema::accounts;
use crate::domain::OrcidId;
use crate::error::ApiError;
use crate::policy::{self, Action, Subject, Surface};

/// DataCite: create or re-queue a claim
///
/// Body `{"claim": {"orcid", "doi", "source_id", "claim_action"}}` (hyphenated keys accepted; a
/// client-chosen `uuid` is ignored). A person may only claim for their own iD; a DataCite service
/// listed in `DATACITE_SERVICE_UIDS` (levriero) may claim for anyone, audited under its uid.
/// Answers 202 with the JSON:API claim.
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
        (status = 422, description = "A missing `claim`, or a bad DOI (one with `.` or `..` segments, say) or iD.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 429, description = "A person created more claims this hour than `RATE_LIMIT_CLAIMS_PER_HOUR`; see `Retry-After`. Services are not limited.", body = DataciteErrors, content_type = "application/vnd.api+json"),
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
        Action::ChangeClaim
    } else {
        Action::CreateClaim
    };
    // Claiming for someone else is refused outright, as DataCite does.
    who.decide(action, Some(Subject::record(parsed.orcid.as_str(), owner.as_ref())))
        .map_err(refused_outright)?;
    if let (false, Some(key)) = (parsed.delete, who.claim_limit_key()) {
        crate::ratelimit::check(&state, crate::ratelimit::RateRule::Claims, &key).await?;
    }
    let (max_attempts, now) = (state.config.claims.max_attempts, state.clock.now());
    let (actor, label, delete) = (who.account().cloned(), who.audit_label(), parsed.delete);
    let claim = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let claim = apply_legacy(conn, &parsed, max_attempts, now)?;
            audit_for_another(
                conn,
                (actor.as_ref(), &label),
                if delete {
                    "claim.delete_requested"
                } else {
                    "claim.submitted"
                },
                &claim,
            )?;
            Ok(claim)
        })
    })
    .await?;
    Ok(jsonapi(StatusCode::ACCEPTED, json!({ "data": claim_resource(&claim) })))
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
        ("user-id" = Option<String>, Query, description = "An ORCID iD (bare or URL).", pattern = "^\\s*(https?://orcid\\.org/|https://sandbox\\.orcid\\.org/|orcid\\.org/)?([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|[0-9]{15}[0-9Xx])\\s*$"),
        ("dois" = Option<String>, Query, description = "Comma-separated DOIs.", pattern = "^\\s*((([Hh][Tt][Tt][Pp][Ss]?://)?(([Dd][Xx]\\.)?[Dd][Oo][Ii]\\.[Oo][Rr][Gg]/|[Dd][Oo][Ii]:)\\s*|[Hh][Tt][Tt][Pp][Ss]?://)?10\\.[0-9]{4,9}(/|%2[Ff])(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+)(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)*|(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)+))?\\s*(,\\s*((([Hh][Tt][Tt][Pp][Ss]?://)?(([Dd][Xx]\\.)?[Dd][Oo][Ii]\\.[Oo][Rr][Gg]/|[Dd][Oo][Ii]:)\\s*|[Hh][Tt][Tt][Pp][Ss]?://)?10\\.[0-9]{4,9}(/|%2[Ff])(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+)(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)*|(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)+))?\\s*)*$", max_length = 2000),
        ("source-id" = Option<String>, Query, description = "`orcid_search` or `orcid_update`.", pattern = "^(orcid_search|orcid_update)$"),
        ("claim-action" = Option<String>, Query, description = "`create` or `delete`.", pattern = "^(create|delete)$"),
        ("state" = Option<String>, Query, description = "Comma-separated states.", pattern = "^(deleted|done|failed|ignored|waiting|waiting_for_permission|working)(,(deleted|done|failed|ignored|waiting|waiting_for_permission|working))*$"),
        ("page[number]" = Option<i64>, Query, description = "From 1.", minimum = 1, maximum = 10000),
        ("page[size]" = Option<i64>, Query, description = "1–1000, default 25.", minimum = 1, maximum = 1000),
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
                .map_err(refused_outright)?;
            Some(u)
        }
        // Everyone's claims for those who may read them, else one's own.
        None if who.decide(Action::ReadClaims, None).is_ok() => None,
        None => Some(who.orcid().map(str::to_owned).ok_or_else(CompatError::forbidden)?),
    };
    let filters = parse_claim_filters(&q, orcid)?;
    let (page, size) = (filters.page, filters.size);
    let (rows, total, meta) = crate::db::run(&state.pool, move |conn| Ok(search_claims(conn, &filters)?)).await?;
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
        (status = 403, description = "Someone else's claim that you may read but not remove.", body = DataciteErrors, content_type = "application/vnd.api+json"),
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
    let claim = visible_claim(&state, &who, id, Action::ChangeClaim).await?;
    let (max_attempts, now) = (state.config.claims.max_attempts, state.clock.now());
    let (actor, label) = (who.account().cloned(), who.audit_label());
    let claim = crate::db::run(&state.pool, move |conn| {
        Ok(conn.transaction(|conn| {
            let after = store::request_delete(conn, claim.id, max_attempts, now)?;
            audit_for_another(conn, (actor.as_ref(), &label), "claim.delete_requested", &after)?;
            QueryResult::Ok(after)
        })?)
    })
    .await?;
    Ok(jsonapi(StatusCode::ACCEPTED, json!({ "data": claim_resource(&claim) })))
}

/// DataCite: one user
///
/// Public for public profiles; a private profile is visible to its owner and to those whose role
/// may read it. `email` only for those.
#[utoipa::path(
    operation_id = "datacite_get_user",
    tag = "datacite",
    params(("orcid" = String, Path, description = "The ORCID iD (its check digit is checked too).", pattern = "^\\s*([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|[0-9]{15}[0-9Xx])\\s*$")),
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

/// DataCite: create or update a user
///
/// Staff admins (and DataCite's staff-admin token) only. JSON:API body
/// `{"data": {"type": "users", "attributes": {…}}}`; a role is never taken from it. 200 when the
/// user existed, 201 when created.
#[utoipa::path(
    operation_id = "datacite_put_user",
    tag = "datacite",
    params(("orcid" = String, Path, description = "The ORCID iD (its check digit is checked too).", pattern = "^\\s*([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|[0-9]{15}[0-9Xx])\\s*$")),
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
    .map_err(refused_outright)?;
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
    let (actor, label) = (who.account().cloned(), who.audit_label());
    let orcid_s = orcid.to_string();
    let account = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let before: Option<Account> = accounts::table
                .filter(accounts::orcid.eq(&orcid_s))
                .select(Account::as_select())
                .for_update()
                .first(conn)
                .optional()?;
            let id: Uuid = match before.as_ref().map(|a| a.id) {
                Some(id) => id,
                None => diesel::insert_into(accounts::table)
                    .values(accounts::orcid.eq(&orcid_s))
                    .returning(accounts::id)
                    .get_result(conn)?,
            };
            // Never a role: DataCite's body does not decide who may do what here.
            AccountChangeset {
                name: attrs.name.clone().map(Some),
                given_names: attrs.given_names.clone().map(Some),
                family_name: attrs.family_name.clone().map(Some),
                email: attrs.email.clone().map(Some),
                provider_id: attrs.provider_id.clone(),
                client_id: attrs.client_id.clone(),
                beta_tester: attrs.beta_tester,
                ..Default::default()
            }
            .apply(conn, id)?;
            let after: Account = accounts::table.find(id).select(Account::as_select()).first(conn)?;
            let view = |a: &Account| {
                json!({"name": a.name, "given_names": a.given_names, "family_name": a.family_name,
                       "email": a.email, "provider_id": a.provider_id, "client_id": a.client_id,
                       "beta_tester": a.beta_tester})
            };
            crate::audit::audit(
                conn,
                actor.as_ref(),
                &label,
                if created { "account.created" } else { "account.updated" },
                ("account", &orcid_s),
                json!({ "via": "PUT /users", "before": before.as_ref().map(view), "after": view(&after) }),
            )?;
            Ok::<_, diesel::result::Error>(after)
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

//! Drop-in compatibility with DataCite's Profiles API for the
//! callers that exist today: Commons through lupo, levriero, other DataCite services.
//!
//! `POST /claims` (the `claim` wrapper), `GET /claims` (`user-id`, `dois`, paging, facets in
//! `meta`), `GET`/`DELETE /claims/{uuid}` (the users are `datacite_users.rs`); JSON:API with camelCase attributes and
//! DataCite's error envelope `{"errors":[{"status","title"}]}`. Bearer JWTs are ours, or DataCite's
//! own (with its claim names) when `DATACITE_JWT_PUBLIC_KEY` is set: a person's, for an account
//! here, or a staff-admin token of a service named in `DATACITE_SERVICE_UIDS`, never older or
//! longer-lived than `DATACITE_JWT_MAX_AGE_DAYS`. Without DataCite's holes: no
//! raw query strings, ordinary users see only their own claims, a role comes from our database
//! (never from a token or a body), client-chosen claim ids are ignored, tokens never leave the
//! database.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::claims::legacy::{apply_legacy, LegacyClaimEnvelope};
use crate::claims::store::{self};
use crate::compat::claims::{
    check_claim, claim_object, claim_resource, parse_claim_filters, search_claims, visible_claim,
};
use crate::compat::datacite::{
    account_of, audit_for_another, caller, jsonapi, refused_outright, underscore, CompatError, CompatResult,
    DataciteErrors,
};
use crate::domain::OrcidId;
use crate::error::ApiError;
use crate::policy::{Action, Subject};

/// DataCite: create or re-queue a claim
///
/// Body `{"claim": {"orcid", "doi", "source_id", "claim_action"}}`, as lupo and levriero send it
/// (hyphenated keys accepted; a client-chosen `uuid` is ignored). `source_id` is required
/// (`orcid_search` or `orcid_update`); `claim_action` is `create` (default) or `delete`. A
/// person may only claim for their own iD; a DataCite service listed in
/// `DATACITE_SERVICE_UIDS` (levriero) may claim for anyone with an account here, audited under
/// its uid. A claim for (iD, DOI) that exists is re-queued with the new source and action.
/// Answers 202 with the JSON:API claim: `orcid` and `doi` as URLs (the DOI in the case it was
/// sent; matching ignores case), `sourceId`, `state` (`waiting`, `working`, `done`, `failed`,
/// `deleted`, `ignored`), `claimAction`, `putCode`, `claimed`, `created`, `updated` and
/// `errorMessages` (`[{"title"}]`, empty unless it failed or waits for a permission).
#[utoipa::path(
    operation_id = "datacite_create_claim",
    tag = "datacite",
    request_body = LegacyClaimEnvelope,
    responses(
        (status = 202, description = "The claim, JSON:API with camelCase attributes.", body = Value, content_type = "application/vnd.api+json"),
        (status = 400, description = "Not JSON (`The request body is not valid JSON.`), or `claim` is not an object.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 401, description = "No credentials, or bad ones: `Bad credentials.`", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 403, description = "Claiming for another person, or a role that may not claim (`staff_user`).", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 404, description = "`claim_action: delete` for a claim that does not exist.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 422, description = "No `claim` (or an empty one): `param is missing or the value is empty or invalid: claim`. Otherwise DataCite's validation answer, an entry per attribute: `{\"errors\": [{\"source\": \"doi\", \"title\": \"Can't be blank\"}]}`; `doi` and `source_id` are `Can't be blank` or `Is invalid` / `Is not included in the list`; `claim_action` `Is not included in the list`; an iD that is missing, malformed or without an account here is `{\"source\": \"user\", \"title\": \"Must exist\"}`.", body = DataciteErrors, content_type = "application/vnd.api+json"),
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
    let claim = claim_object(&body)?;
    let parsed = check_claim(&state, &who, &claim).await?;
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
/// Filters: `user-id` (an iD; people only ever get their own claims), `dois` (comma list, any
/// case), `source-id`, `claim-action`, `state` (comma list), `created` and `claimed` (a year,
/// or `2020,2024`), `query` (words matched as text in the DOI, the iD or the claim id: no query
/// language). `sort`: `relevance`, `doi`, `-doi`, `orcid`, `-orcid`, `created`, `-created`,
/// `updated`, `-updated` (default `-updated`). Paging: `page[number]` and `page[size]` (1–1000,
/// default 25; the first 10,000 hits), or `page[cursor]` (`1` starts; created ascending; follow
/// `links.next`, absent on the last page). `meta`: `total`, `totalPages`, `page` (`null` in a
/// cursor walk) and, when anything matched, the facets `created` (years, newest first),
/// `sources`, `users` (the ten iDs with most claims, for callers who may read everyone's),
/// `claimActions` and `states`, each `[{"id", "title", "count"}]`, most first.
#[utoipa::path(
    operation_id = "datacite_list_claims",
    tag = "datacite",
    params(
        ("user-id" = Option<String>, Query, description = "An ORCID iD (bare or URL); empty is none.", pattern = "^$|^\\s*(https?://orcid\\.org/|https://sandbox\\.orcid\\.org/|orcid\\.org/)?([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|[0-9]{15}[0-9Xx])\\s*$"),
        ("dois" = Option<String>, Query, description = "Comma-separated DOIs.", pattern = "^\\s*((([Hh][Tt][Tt][Pp][Ss]?://)?(([Dd][Xx]\\.)?[Dd][Oo][Ii]\\.[Oo][Rr][Gg]/|[Dd][Oo][Ii]:)\\s*|[Hh][Tt][Tt][Pp][Ss]?://)?10\\.[0-9]{4,9}(/|%2[Ff])(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+)(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)*|(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)+))?\\s*(,\\s*((([Hh][Tt][Tt][Pp][Ss]?://)?(([Dd][Xx]\\.)?[Dd][Oo][Ii]\\.[Oo][Rr][Gg]/|[Dd][Oo][Ii]:)\\s*|[Hh][Tt][Tt][Pp][Ss]?://)?10\\.[0-9]{4,9}(/|%2[Ff])(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+)(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)*|(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)+))?\\s*)*$", max_length = 2000),
        ("source-id" = Option<String>, Query, description = "`orcid_search` or `orcid_update`.", pattern = "^$|^(orcid_search|orcid_update)$"),
        ("claim-action" = Option<String>, Query, description = "`create` or `delete`.", pattern = "^$|^(create|delete)$"),
        ("state" = Option<String>, Query, description = "Comma-separated states.", pattern = "^$|^(deleted|done|failed|ignored|pending_review|removed_in_orcid|waiting|waiting_for_permission|working)(,(deleted|done|failed|ignored|pending_review|removed_in_orcid|waiting|waiting_for_permission|working))*$"),
        ("created" = Option<String>, Query, description = "A year (`2024`) or a range of years (`2020,2024`) the claim was created in.", pattern = "^$|^\\s*[0-9]{4}\\s*(,\\s*[0-9]{4}\\s*)?$"),
        ("claimed" = Option<String>, Query, description = "A year or a range of years the work was last pushed in.", pattern = "^$|^\\s*[0-9]{4}\\s*(,\\s*[0-9]{4}\\s*)?$"),
        ("query" = Option<String>, Query, description = "At most 10 words, each matched as text in the DOI, the iD or the claim id.", max_length = 2000, pattern = "^\\s*(\\S+(\\s+\\S+){0,9})?\\s*$"),
        ("sort" = Option<String>, Query, description = "Default `-updated`.", pattern = "^$|^(relevance|doi|-doi|orcid|-orcid|created|-created|updated|-updated)$"),
        ("page[number]" = Option<i64>, Query, description = "From 1.", minimum = 1, maximum = 10000),
        ("page[size]" = Option<i64>, Query, description = "1–1000, default 25.", minimum = 1, maximum = 1000),
        ("page[cursor]" = Option<String>, Query, description = "`1` starts a cursor walk (created ascending); then the value from `links.next`.", max_length = 200),
    ),
    responses(
        (status = 200, description = "JSON:API list of claims, with `meta` and `links`.", body = Value, content_type = "application/vnd.api+json"),
        (status = 401, description = "Bad credentials.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 403, description = "Another person's claims.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 422, description = "A bad iD, DOI, source, action, state, year, sort, page or cursor.", body = DataciteErrors, content_type = "application/vnd.api+json"),
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
    let user = q
        .get("user_id")
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            OrcidId::parse(v)
                .map(|o| o.to_string())
                .map_err(|e| CompatError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("user-id: {e}")))
        })
        .transpose()?;
    let everyone = who.decide(Action::ReadClaims, None).is_ok();
    let orcid = match user {
        Some(u) => {
            let owner = account_of(&state, u.clone()).await?;
            who.decide(Action::ReadClaims, Some(Subject::record(&u, owner.as_ref())))
                .map_err(refused_outright)?;
            Some(u)
        }
        // Everyone's claims for those who may read them, else one's own.
        None if everyone => None,
        None => Some(who.orcid().map(str::to_owned).ok_or_else(CompatError::forbidden)?),
    };
    let filters = parse_claim_filters(&q, orcid, everyone)?;
    let (page, size, cursor) = (filters.page, filters.size, filters.cursor.is_some());
    let found = crate::db::run(&state.pool, move |conn| Ok(search_claims(conn, &filters)?)).await?;
    let base = format!("{}/claims", crate::config::origin(&state.config.public_url));
    let mut links = json!({ "self": format!("{base}?{}", req.query_string()) });
    let next = match (&found.next_cursor, cursor) {
        (Some(c), true) => Some(("page[cursor]", c.clone())),
        (None, false) if page * size < found.total.min(10_000) => Some(("page[number]", (page + 1).to_string())),
        _ => None,
    };
    if let Some((key, value)) = next {
        let qs = crate::paging::next_query(req.query_string(), &[], (key, &value));
        links["next"] = json!(format!("{base}?{qs}"));
    }
    Ok(jsonapi(
        StatusCode::OK,
        json!({
            "data": found.rows.iter().map(claim_resource).collect::<Vec<_>>(),
            "meta": found.meta,
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

//! DataCite's `/users` for its existing callers: the people search (`GET /users`), one person
//! with the facets of their DOIs (`GET /users/{orcid}`), and creating (`POST /users`) or
//! updating (`PUT /users/{orcid}`) a user from DataCite's JSON:API body. Public profiles only
//! for strangers; an email only for those who may read the account; a role never from a body.

use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::compat::datacite::{
    caller, jsonapi, refused_outright, underscore, CompatCaller, CompatError, CompatResult, DataciteErrors,
};
use crate::compat::users::{
    load_user, parse_user_search, profile_meta, search_users, upsert_user, user_attributes, user_resource,
};
use crate::domain::OrcidId;
use crate::error::ApiError;
use crate::policy::{self, Action, Subject, Surface};

/// DataCite: search people
///
/// Public profiles whose iD or names hold every word of `query` (as text: no query language).
/// `sort`: `relevance` (the default with a query: the iD itself, then matching names), `name`,
/// `-name`, `created`, `-created`; without a query, by family name. `page[number]`,
/// `page[size]` (1–1000, default 25). `meta` has `total`, `totalPages` and `page`. Never an
/// email, never a private profile.
#[utoipa::path(
    operation_id = "datacite_list_users",
    tag = "datacite",
    params(
        ("query" = Option<String>, Query, description = "At most 10 words, matched in the iD and names.", max_length = 2000, pattern = "^\\s*(\\S+(\\s+\\S+){0,9})?\\s*$"),
        ("sort" = Option<String>, Query, description = "relevance, name, -name, created or -created.", pattern = "^$|^(relevance|name|-name|created|-created)$"),
        ("page[number]" = Option<i64>, Query, description = "From 1.", minimum = 1, maximum = 10000),
        ("page[size]" = Option<i64>, Query, description = "1–1000, default 25.", minimum = 1, maximum = 1000),
    ),
    responses(
        (status = 200, description = "JSON:API list of users.", body = Value, content_type = "application/vnd.api+json"),
        (status = 422, description = "A bad sort or page, or a query longer than 2000 characters.", body = DataciteErrors, content_type = "application/vnd.api+json"),
    )
)]
#[get("/users")]
pub async fn list_users(req: HttpRequest, state: web::Data<AppState>) -> CompatResult<HttpResponse> {
    let q = underscore(req.query_string());
    let search = parse_user_search(&q)?;
    let (page, size) = (search.page, search.size);
    let (rows, total) = crate::db::run(&state.pool, move |conn| Ok(search_users(conn, &search)?)).await?;
    let base = format!("{}/users", crate::config::origin(&state.config.public_url));
    let mut links = json!({ "self": format!("{base}?{}", req.query_string()) });
    if page * size < total.min(10_000) {
        let qs = crate::paging::next_query(req.query_string(), &[], ("page[number]", &(page + 1).to_string()));
        links["next"] = json!(format!("{base}?{qs}"));
    }
    Ok(jsonapi(
        StatusCode::OK,
        json!({
            "data": rows.iter().map(|(a, g)| user_resource(a, g.clone(), false)).collect::<Vec<_>>(),
            "meta": { "total": total, "totalPages": (total.min(10_000) + size - 1) / size, "page": page },
            "links": links,
        }),
    ))
}

/// DataCite: one user
///
/// Public for public profiles; a private profile is visible to its owner and to those whose role
/// may read it. `email` only for those. `meta` carries the facets of the DOIs that name the
/// person, from DataCite (`dois` by year, `published`, `resourceTypes`, `views`, `downloads`,
/// `citations`); without it when DataCite does not answer within 5 s.
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
    let mut body = json!({ "data": user_resource(&account, github, privileged) });
    if let Some(meta) = profile_meta(&state, orcid.as_str()).await {
        body["meta"] = meta;
    }
    Ok(jsonapi(StatusCode::OK, body))
}

/// DataCite: create a user
///
/// Staff admins (and DataCite's staff-admin token) only. JSON:API body
/// `{"data": {"type": "users", "attributes": {"uid", "name", "givenNames", "familyName",
/// "email", "betaTester", …}}}`; a role is never taken from it. 201 with the user.
#[utoipa::path(
    operation_id = "datacite_create_user",
    tag = "datacite",
    request_body = Value,
    responses(
        (status = 201, description = "Created; the JSON:API user.", body = Value, content_type = "application/vnd.api+json"),
        (status = 400, description = "No JSON:API payload (`data`), or not JSON.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 401, description = "Bad credentials.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 403, description = "Not a staff admin.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 422, description = "`{\"errors\": [{\"source\": \"uid\", \"title\": \"Can't be blank\"}]}` (or `Is invalid`, `Has already been taken`), and the same for another unusable attribute.", body = DataciteErrors, content_type = "application/vnd.api+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    ours: Result<Caller, ApiError>,
    body: web::Bytes,
) -> CompatResult<HttpResponse> {
    let who = caller(&req, &state, ours).await?;
    who.decide(Action::CreateAccount, None).map_err(refused_outright)?;
    let attrs = user_attributes(&body)?;
    let orcid = match attrs.uid.as_deref() {
        None => return Err(CompatError::invalid(&[("uid", "Can't be blank")])),
        Some(uid) => OrcidId::parse(uid).map_err(|_| CompatError::invalid(&[("uid", "Is invalid")]))?,
    };
    let (actor, label) = (who.account().cloned(), who.audit_label());
    let (account, _) = crate::db::run(&state.pool, move |conn| {
        Ok(upsert_user(
            conn,
            &orcid,
            &attrs,
            (actor.as_ref(), &label, "POST /users"),
            true,
        ))
    })
    .await??;
    Ok(jsonapi(
        StatusCode::CREATED,
        json!({ "data": user_resource(&account, None, true) }),
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
        (status = 400, description = "No JSON:API payload (`data`), or not JSON.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 401, description = "Bad credentials.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 403, description = "Not a staff admin.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 404, description = "Not an ORCID iD.", body = DataciteErrors, content_type = "application/vnd.api+json"),
        (status = 422, description = "An unusable attribute: `{\"errors\": [{\"source\": \"email\", \"title\": \"Is not a valid email address\"}]}`.", body = DataciteErrors, content_type = "application/vnd.api+json"),
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
    let attrs = user_attributes(&body)?;
    let create_only = existing.is_none();
    let (actor, label) = (who.account().cloned(), who.audit_label());
    let (account, created) = crate::db::run(&state.pool, move |conn| {
        Ok(upsert_user(
            conn,
            &orcid,
            &attrs,
            (actor.as_ref(), &label, "PUT /users"),
            // Decided as a creation when there was none: it stays one.
            create_only,
        ))
    })
    .await??;
    let body = json!({ "data": user_resource(&account, existing.and_then(|(_, g)| g), true) });
    Ok(jsonapi(
        if created { StatusCode::CREATED } else { StatusCode::OK },
        body,
    ))
}

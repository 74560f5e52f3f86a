//! Client applications: staff register them; people see and revoke the apps they signed in to.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::clients::{self, tokens, ClientView, NewClient};
use crate::db::schema::{oauth_clients, oauth_consents, oauth_families};
use crate::error::responses::{JsonBodyErrors, NotSignedIn};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::policy::Action;

/// A newly registered client, with its secret: shown this once, stored only as a hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredClient {
    pub client: ClientView,
    /// The client secret (confidential clients); `null` for a public client.
    pub client_secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientList {
    pub data: Vec<ClientView>,
}

/// Client applications
///
/// Every registered client application that signs people in through Profiles (OpenID Connect).
#[utoipa::path(
    tag = "openid-provider",
    responses(
        (status = 200, description = "Oldest first.", body = ClientList),
        (status = 401, description = "Not signed in, or not recently enough (`reauthentication_required`: sign in again with ORCID).", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a staff admin's browser session (a bearer JWT or an API token never does this).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/admin/clients")]
pub async fn list_clients(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ManageClients, None)?;
    let rows = crate::db::run(&state.pool, |conn| Ok(clients::list(conn)?)).await?;
    Ok(HttpResponse::Ok().json(ClientList {
        data: rows.into_iter().map(ClientView::from).collect(),
    }))
}

/// Register a client application
///
/// Exact redirect URIs (`https`, or `http` on localhost), the scopes it may ask for
/// (`openid` always; `profile`, `email`, `orcid`, `datacite`, `offline_access`), confidential
/// (default, with a secret shown only in this answer) or `public` (PKCE alone), and
/// `first_party` (no consent page). Optional: post-logout redirect URIs and a back-channel
/// logout URI. Audited.
#[utoipa::path(
    tag = "openid-provider",
    request_body = NewClient,
    responses(
        (status = 201, description = "Registered; the secret is in this answer only.", body = RegisteredClient),
        JsonBodyErrors,
        (status = 401, description = "Not signed in, or not recently enough (`reauthentication_required`: sign in again with ORCID).", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a staff admin's browser session, or another site's request.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_parameter`: a name, URI or scope that does not do.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/admin/clients")]
pub async fn register_client(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<NewClient>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ManageClients, None)?;
    let actor = caller.account.clone();
    let new = body.into_inner();
    let (client, secret) = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let (client, secret) = clients::register(conn, &new, Some(actor.id))?;
            crate::audit::audit(
                conn,
                Some(&actor),
                "",
                "client.registered",
                ("client", &client.id),
                serde_json::json!({ "name": client.name, "redirect_uris": client.redirect_uris, "first_party": client.first_party }),
            )?;
            Ok::<_, ApiError>((client, secret))
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(RegisteredClient {
        client: client.into(),
        client_secret: secret,
    }))
}

/// Remove a client application
///
/// It signs nobody in any more, and every token it holds stops working. Audited.
#[utoipa::path(
    tag = "openid-provider",
    params(("client_id" = String, Path, description = "The client's id.")),
    responses(
        (status = 204, description = "Removed."),
        (status = 401, description = "Not signed in, or not recently enough (`reauthentication_required`: sign in again with ORCID).", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a staff admin's browser session, or another site's request.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such client.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/admin/clients/{client_id}")]
pub async fn remove_client(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ManageClients, None)?;
    let (id, actor, now) = (path.into_inner(), caller.account.clone(), state.clock.now());
    let removed = crate::db::run(&state.pool, move |conn| {
        let removed = clients::remove(conn, &id, now)?;
        if removed {
            crate::audit::audit(
                conn,
                Some(&actor),
                "",
                "client.removed",
                ("client", &id),
                serde_json::json!({}),
            )?;
        }
        Ok(removed)
    })
    .await?;
    if !removed {
        return Err(ApiError::new(ErrorCode::NotFound, "No such client application."));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// An application the person signed in to.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppAccess {
    pub client_id: String,
    pub name: String,
    /// What it may have (the scopes agreed to, or asked for by a first-party app).
    pub scopes: Vec<String>,
    pub first_party: bool,
    /// When the person agreed (third-party apps).
    pub consented_at: Option<DateTime<Utc>>,
    /// The latest sign-in to it.
    pub last_signed_in_at: Option<DateTime<Utc>>,
    /// Sign-ins to it still live.
    pub active_sign_ins: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppList {
    pub data: Vec<AppAccess>,
}

/// Apps with access
///
/// The applications you signed in to with Profiles, with what each may have and how many of your
/// sign-ins to it are live.
#[utoipa::path(
    tag = "account",
    responses(
        (status = 200, description = "Your apps.", body = AppList),
        NotSignedIn,
        (status = 403, description = "An API token (`api_token_not_allowed`).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/accounts/me/apps")]
pub async fn my_apps(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadOwnAccount, None)?;
    let account = caller.account.id;
    let data = crate::db::run(&state.pool, move |conn| {
        let consents: Vec<(String, Vec<String>, DateTime<Utc>)> = oauth_consents::table
            .filter(oauth_consents::account_id.eq(account))
            .select((
                oauth_consents::client_id,
                oauth_consents::scopes,
                oauth_consents::granted_at,
            ))
            .load(conn)?;
        let families: Vec<(String, Vec<String>, DateTime<Utc>, bool)> = oauth_families::table
            .filter(oauth_families::account_id.eq(account))
            .select((
                oauth_families::client_id,
                oauth_families::scopes,
                oauth_families::created_at,
                oauth_families::revoked_at.is_null(),
            ))
            .load(conn)?;
        let mut ids: Vec<String> = consents.iter().map(|c| c.0.clone()).collect();
        ids.extend(families.iter().filter(|f| f.3).map(|f| f.0.clone()));
        ids.sort();
        ids.dedup();
        let known: Vec<(String, String, bool)> = oauth_clients::table
            .filter(oauth_clients::id.eq_any(&ids))
            .filter(oauth_clients::disabled_at.is_null())
            .select((oauth_clients::id, oauth_clients::name, oauth_clients::first_party))
            .load(conn)?;
        Ok(known
            .into_iter()
            .map(|(id, name, first_party)| {
                let consent = consents.iter().find(|c| c.0 == id);
                let mine: Vec<_> = families.iter().filter(|f| f.0 == id).collect();
                let mut scopes = consent.map(|c| c.1.clone()).unwrap_or_default();
                for f in mine.iter().filter(|f| f.3) {
                    for s in &f.1 {
                        if !scopes.contains(s) {
                            scopes.push(s.clone());
                        }
                    }
                }
                AppAccess {
                    client_id: id,
                    name,
                    scopes,
                    first_party,
                    consented_at: consent.map(|c| c.2),
                    last_signed_in_at: mine.iter().map(|f| f.2).max(),
                    active_sign_ins: mine.iter().filter(|f| f.3).count() as i64,
                }
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(AppList { data }))
}

/// Revoke an app's access
///
/// Takes back your consent and ends every sign-in of yours to the app: its tokens stop working
/// at once and it is told (back-channel logout). It asks again next time you sign in to it.
#[utoipa::path(
    tag = "account",
    params(("client_id" = String, Path, description = "The app's client id.")),
    responses(
        (status = 204, description = "Revoked."),
        NotSignedIn,
        (status = 403, description = "Another site's request, a bearer JWT or an API token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: you have not signed in to that app.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me/apps/{client_id}")]
pub async fn revoke_app(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ManageOwnAccount, None)?;
    let (account, id, now) = (caller.account.id, path.into_inner(), state.clock.now());
    let n = crate::db::run(&state.pool, move |conn| {
        Ok(tokens::revoke_app(conn, account, &id, now)?)
    })
    .await?;
    if n == 0 {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "You have not signed in to that app.",
        ));
    }
    Ok(HttpResponse::NoContent().finish())
}

//! The signed-in person's own account: overview, editable fields, identities, ORCID
//! permissions and sessions.

use actix_web::{delete, get, patch, web, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::profile::{profile_change, AccountUpdate};
use crate::accounts::{
    identity_views, load_identities, load_permissions, overview, permission_views, revoke_sealed, AccountView,
    IdentityView, PermissionView, SessionView,
};
use crate::app::AppState;
use crate::auth::session::{self, Caller, PendingCaller};
use crate::crypto::{identity_context, permission_context};
use crate::db::models::{OrcidPermission, Session};
use crate::db::schema::{identities, orcid_permissions, sessions};
use crate::domain::{GrantStatus, PermissionKind, Provider};
use crate::error::responses::{JsonBodyErrors, NeedsRecentSignIn, NotSignedIn};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::policy::Action;

/// Your account
///
/// The overview filled from the connected services: names, ORCID iD and record URL, email,
/// role, when the account was created, linked identities and ORCID permission states.
#[utoipa::path(
    tag = "account",
    responses(
        (status = 200, description = "The account.", body = AccountView),
        NotSignedIn,
    )
)]
#[get("/api/v1/accounts/me")]
pub async fn me(caller: PendingCaller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let view = caller
        .run(move |conn, caller| {
            caller.authorize(Action::ReadOwnAccount, None)?;
            crate::accounts::own_overview(conn, &state, caller.account.clone())
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Update your account
///
/// Changes the fields a person may edit: names, other names, email and visibility. Role, flags
/// reserved to staff, identifiers and tokens are refused with 403.
#[utoipa::path(
    tag = "account",
    request_body = AccountUpdate,
    responses(
        (status = 200, description = "The updated account.", body = AccountView),
        JsonBodyErrors,
        NotSignedIn,
        (status = 403, description = "A bearer JWT or an API token (`session_required`, `api_token_not_allowed`: account changes need the browser session); or: A field only staff may change (role, flags) or one that is never writable.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A value is invalid or a field is unknown.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/accounts/me")]
pub async fn update_me(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ManageOwnAccount, None)?;
    let change = profile_change(body.into_inner())?;
    let account_id = caller.account.id;
    crate::db::run(&state.pool, move |conn| Ok(change.apply(conn, account_id)?)).await?;
    Ok(HttpResponse::Ok().json(overview(&state, account_id).await?))
}

/// Your linked identities
///
/// Every way you can sign in, with its token state and whether it can be unlinked (and why not).
#[utoipa::path(
    tag = "account",
    responses(
        (status = 200, description = "Linked identities.", body = Vec<IdentityView>),
        NotSignedIn,
    )
)]
#[get("/api/v1/accounts/me/identities")]
pub async fn list_identities(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadOwnAccount, None)?;
    let id = caller.account.id;
    let rows = crate::db::run(&state.pool, move |conn| Ok(load_identities(conn, id)?)).await?;
    Ok(HttpResponse::Ok().json(identity_views(&state, rows)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnlinkResult {
    pub provider: Provider,
    /// Whether the grant was also revoked at the provider (false when it was already gone).
    pub revoked_at_provider: bool,
}

/// Unlink Google or GitHub
///
/// Removes the identity and revokes its grant at the provider. ORCID, the account's anchor,
/// cannot be unlinked, and neither can the last remaining way to sign in.
#[utoipa::path(
    tag = "account",
    params(("provider" = Provider, Path, description = "google or github")),
    responses(
        (status = 200, description = "Unlinked.", body = UnlinkResult),
        NeedsRecentSignIn,
        (status = 403, description = "A bearer JWT or an API token (`session_required`, `api_token_not_allowed`: account changes need the browser session); or: A cookie-authenticated write from another site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such identity is linked.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "ORCID, or the last way to sign in.", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The provider could not be reached to revoke the grant; nothing changed.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me/identities/{provider}")]
pub async fn unlink(caller: Caller, state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::SecureOwnAccount, None)?;
    let provider: Provider = path.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::UnknownProvider,
            format!("There is no provider called {:?}.", path.as_str()),
        )
    })?;
    if provider == Provider::Orcid {
        return Err(ApiError::new(
            ErrorCode::OrcidIsAnchor,
            "ORCID is the anchor of your account and cannot be unlinked. You can expire its token instead.",
        ));
    }
    let account_id = caller.account.id;
    let rows = crate::db::run(&state.pool, move |conn| Ok(load_identities(conn, account_id)?)).await?;
    let views = identity_views(&state, rows.clone());
    let (row, view) = rows
        .into_iter()
        .zip(views)
        .find(|(r, _)| r.provider == provider)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::IdentityNotLinked,
                format!("No {} account is linked.", provider.label()),
            )
        })?;
    if let Some(reason) = view.unlink_blocked_reason {
        return Err(ApiError::new(ErrorCode::LastSignInMethod, reason));
    }
    let context = identity_context(provider, &row.subject, "access");
    let revoked = revoke_sealed(&state, provider, row.access_token_enc.as_deref(), &context).await?;
    let id = row.id;
    crate::db::run(&state.pool, move |conn| {
        diesel::delete(identities::table.find(id)).execute(conn)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(UnlinkResult {
        provider,
        revoked_at_provider: revoked,
    }))
}

/// Expire the ORCID token
///
/// Revokes the sign-in token at ORCID and forgets it here; the identity shows as expired.
/// Signing in with ORCID again gives a fresh token.
#[utoipa::path(
    tag = "account",
    responses(
        (status = 200, description = "The ORCID identity, now expired.", body = IdentityView),
        NeedsRecentSignIn,
        (status = 403, description = "A bearer JWT or an API token (`session_required`, `api_token_not_allowed`: account changes need the browser session); or: A cookie-authenticated write from another site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No ORCID identity (cannot happen for a normal account).", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "ORCID could not be reached; nothing changed.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me/identities/orcid/token")]
pub async fn expire_orcid_token(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    caller.authorize(Action::SecureOwnAccount, None)?;
    let account_id = caller.account.id;
    let rows = crate::db::run(&state.pool, move |conn| Ok(load_identities(conn, account_id)?)).await?;
    let row = rows
        .into_iter()
        .find(|r| r.provider == Provider::Orcid)
        .ok_or_else(|| ApiError::new(ErrorCode::IdentityNotLinked, "No ORCID identity is linked."))?;
    let context = identity_context(Provider::Orcid, &row.subject, "access");
    revoke_sealed(&state, Provider::Orcid, row.access_token_enc.as_deref(), &context).await?;
    let id = row.id;
    let updated = crate::db::run(&state.pool, move |conn| {
        diesel::update(identities::table.find(id))
            .set((
                identities::access_token_enc.eq(None::<Vec<u8>>),
                identities::refresh_token_enc.eq(None::<Vec<u8>>),
                identities::token_expires_at.eq(Some(now)),
            ))
            .execute(conn)?;
        Ok(load_identities(conn, account_id)?)
    })
    .await?;
    let view = identity_views(&state, updated)
        .into_iter()
        .find(|v| v.provider == Provider::Orcid)
        .ok_or_else(|| ApiError::internal("ORCID identity vanished"))?;
    Ok(HttpResponse::Ok().json(view))
}

/// Your ORCID permissions
///
/// "Search & Link" and "Auto-Update", each missing, active, expired, revoked (by you) or invalid
/// (ORCID rejected the token, e.g. after a revocation on orcid.org), with the URL that grants it.
#[utoipa::path(
    tag = "account",
    responses(
        (status = 200, description = "Both permissions.", body = Vec<PermissionView>),
        NotSignedIn,
    )
)]
#[get("/api/v1/accounts/me/permissions")]
pub async fn list_permissions(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadOwnAccount, None)?;
    let id = caller.account.id;
    let rows = crate::db::run(&state.pool, move |conn| Ok(load_permissions(conn, id)?)).await?;
    Ok(HttpResponse::Ok().json(permission_views(rows, state.clock.now())))
}

/// Disable an ORCID permission
///
/// Revokes the token at ORCID and disables the permission here. If ORCID says the token is
/// already gone (revoked on orcid.org), it is still disabled here.
#[utoipa::path(
    tag = "account",
    params(("kind" = PermissionKind, Path, description = "search_and_link or auto_update")),
    responses(
        (status = 200, description = "The permission, now revoked.", body = PermissionView),
        NeedsRecentSignIn,
        (status = 403, description = "A bearer JWT or an API token (`session_required`, `api_token_not_allowed`: account changes need the browser session); or: A cookie-authenticated write from another site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown kind, or never granted.", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "ORCID could not be reached; nothing changed.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me/permissions/{kind}")]
pub async fn disable_permission(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    caller.authorize(Action::SecureOwnAccount, None)?;
    let kind: PermissionKind = path.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::UnknownPermission,
            "Permissions are search_and_link and auto_update.",
        )
    })?;
    let account_id = caller.account.id;
    let row = crate::db::run(&state.pool, move |conn| {
        Ok(orcid_permissions::table
            .filter(orcid_permissions::account_id.eq(account_id))
            .filter(orcid_permissions::kind.eq(kind))
            .select(OrcidPermission::as_select())
            .first(conn)
            .optional()?)
    })
    .await?
    .ok_or_else(|| ApiError::new(ErrorCode::PermissionNotGranted, "This permission was never granted."))?;
    let context = permission_context(account_id, kind, "access");
    revoke_sealed(&state, Provider::Orcid, row.access_token_enc.as_deref(), &context).await?;
    let rows = crate::db::run(&state.pool, move |conn| {
        diesel::update(orcid_permissions::table.find(row.id))
            .set((
                orcid_permissions::status.eq(GrantStatus::Revoked),
                orcid_permissions::access_token_enc.eq(None::<Vec<u8>>),
                orcid_permissions::refresh_token_enc.eq(None::<Vec<u8>>),
                orcid_permissions::revoked_at.eq(Some(now)),
            ))
            .execute(conn)?;
        Ok(load_permissions(conn, account_id)?)
    })
    .await?;
    let view = permission_views(rows, state.clock.now())
        .into_iter()
        .find(|v| v.kind == kind)
        .ok_or_else(|| ApiError::internal("permission vanished"))?;
    Ok(HttpResponse::Ok().json(view))
}

/// Your active sessions
///
/// Every browser signed in to your account, newest first.
#[utoipa::path(
    tag = "account",
    responses(
        (status = 200, description = "Active sessions.", body = Vec<SessionView>),
        NotSignedIn,
    )
)]
#[get("/api/v1/accounts/me/sessions")]
pub async fn list_sessions(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    caller.authorize(Action::ReadOwnAccount, None)?;
    let (id, current) = (caller.account.id, caller.session_id);
    let (rows, mut apps) = crate::db::run(&state.pool, move |conn| {
        let rows: Vec<Session> = sessions::table
            .filter(sessions::account_id.eq(id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .order(sessions::created_at.desc())
            .select(Session::as_select())
            .load(conn)?;
        let ids: Vec<Uuid> = rows.iter().map(|s| s.id).collect();
        Ok((rows, crate::accounts::apps_by_session(conn, &ids)?))
    })
    .await?;
    let views: Vec<SessionView> = rows
        .into_iter()
        .map(|s| SessionView {
            apps: apps.remove(&s.id).unwrap_or_default(),
            current: Some(s.id) == current,
            id: s.id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            user_agent: s.user_agent,
            ip: s.ip,
        })
        .collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Revoke a session
///
/// Signs that browser out at once. Revoking the current session signs you out.
#[utoipa::path(
    tag = "account",
    params(("id" = Uuid, Path, description = "The session id")),
    responses(
        (status = 204, description = "Revoked."),
        NotSignedIn,
        (status = 403, description = "A bearer JWT or an API token (`session_required`, `api_token_not_allowed`: account changes need the browser session); or: A cookie-authenticated write from another site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such active session of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me/sessions/{id}")]
pub async fn revoke_session(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    caller.authorize(Action::ManageOwnAccount, None)?;
    let (account_id, sid) = (caller.account.id, path.into_inner());
    let n = crate::db::run(&state.pool, move |conn| {
        let n = diesel::update(
            sessions::table
                .find(sid)
                .filter(sessions::account_id.eq(account_id))
                .filter(sessions::revoked_at.is_null()),
        )
        .set(sessions::revoked_at.eq(now))
        .execute(conn)?;
        // Only a session of the caller's own that this ended.
        if n > 0 {
            crate::clients::tokens::sessions_ended(conn, &[sid], now)?;
        }
        Ok(n)
    })
    .await?;
    if n == 0 {
        return Err(ApiError::new(ErrorCode::SessionNotFound, "No such active session."));
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RevokedCount {
    /// How many sessions were signed out.
    pub revoked: usize,
}

/// Revoke all other sessions
///
/// Signs out every browser except the one making this request.
#[utoipa::path(
    tag = "account",
    responses(
        (status = 200, description = "How many were revoked.", body = RevokedCount),
        NotSignedIn,
        (status = 403, description = "A bearer JWT or an API token (`session_required`, `api_token_not_allowed`: account changes need the browser session); or: A cookie-authenticated write from another site.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me/sessions")]
pub async fn revoke_other_sessions(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    caller.authorize(Action::ManageOwnAccount, None)?;
    let (account_id, current) = (caller.account.id, caller.session_id);
    let n = crate::db::run(&state.pool, move |conn| {
        let mut q = diesel::update(sessions::table)
            .filter(sessions::account_id.eq(account_id))
            .filter(sessions::revoked_at.is_null())
            .into_boxed();
        if let Some(current) = current {
            q = q.filter(sessions::id.ne(current));
        }
        let ended: Vec<Uuid> = q
            .set(sessions::revoked_at.eq(now))
            .returning(sessions::id)
            .get_results(conn)?;
        crate::clients::tokens::sessions_ended(conn, &ended, now)?;
        Ok(ended.len())
    })
    .await?;
    let _ = session::SESSION_COOKIE;
    Ok(HttpResponse::Ok().json(RevokedCount { revoked: n }))
}

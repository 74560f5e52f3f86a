//! The signed-in person's own account: overview, editable fields, identities, ORCID
//! permissions and sessions.

use actix_web::{delete, get, patch, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::session::{self, Caller};
use crate::db::models::{Account, Identity, OrcidPermission, Session};
use crate::db::schema::{accounts, identities, orcid_permissions, sessions};
use crate::domain::{PermissionKind, Provider, Role};
use crate::error::{ApiError, ApiResult, ErrorKind, Problem};
use crate::policy::Action;
use crate::routes::auth::{identity_context, permission_context};
use crate::startup::AppState;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    /// A token is held and has not expired.
    Active,
    /// The token expired or was expired by the user.
    Expired,
    /// No token is held.
    Missing,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IdentityView {
    pub provider: Provider,
    /// The provider's id for the person (the ORCID iD for ORCID).
    pub subject: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub profile_url: Option<String>,
    pub linked_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub token_state: TokenState,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// Whether `DELETE /api/v1/accounts/me/identities/{provider}` would succeed.
    pub can_unlink: bool,
    /// Why it cannot be unlinked, in plain words.
    pub unlink_blocked_reason: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PermissionStatus {
    /// Never granted.
    Missing,
    Active,
    /// The token's expiry has passed.
    Expired,
    /// Disabled by the user.
    Revoked,
    /// ORCID rejected the token (e.g. revoked on orcid.org): enable it again.
    Invalid,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PermissionView {
    pub kind: PermissionKind,
    pub status: PermissionStatus,
    /// The ORCID scopes granted.
    pub scope: Option<String>,
    pub granted_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Where to send the browser to grant (or re-grant) it.
    pub enable_url: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountView {
    pub orcid: String,
    /// The person's ORCID record.
    pub orcid_url: String,
    pub name: Option<String>,
    pub given_names: Option<String>,
    pub family_name: Option<String>,
    pub other_names: Vec<String>,
    pub email: Option<String>,
    pub role: Role,
    pub provider_id: Option<String>,
    pub client_id: Option<String>,
    pub beta_tester: bool,
    pub is_public: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub identities: Vec<IdentityView>,
    pub permissions: Vec<PermissionView>,
}

fn orcid_site(state: &AppState) -> String {
    match &state.config.orcid {
        Some(o) if o.sandbox => "https://sandbox.orcid.org".into(),
        _ => "https://orcid.org".into(),
    }
}

fn token_state(access: &Option<Vec<u8>>, expires: Option<DateTime<Utc>>) -> TokenState {
    match (access, expires) {
        (None, Some(_)) => TokenState::Expired,
        (None, None) => TokenState::Missing,
        (Some(_), Some(at)) if at <= Utc::now() => TokenState::Expired,
        (Some(_), _) => TokenState::Active,
    }
}

pub(crate) fn identity_views(state: &AppState, rows: Vec<Identity>) -> Vec<IdentityView> {
    let enabled: Vec<bool> = rows
        .iter()
        .map(|i| i.provider.parse().is_ok_and(|p| state.providers.enabled(p)))
        .collect();
    let enabled_count = enabled.iter().filter(|e| **e).count();
    rows.into_iter()
        .zip(enabled)
        .map(|(i, is_enabled)| {
            let provider: Provider = i.provider.parse().unwrap_or(Provider::Orcid);
            let blocked = if provider == Provider::Orcid {
                Some("ORCID is the anchor of your account and cannot be unlinked.".to_owned())
            } else if is_enabled && enabled_count <= 1 {
                Some("This is your last way to sign in; connect another one first.".to_owned())
            } else {
                None
            };
            IdentityView {
                provider,
                token_state: token_state(&i.access_token_enc, i.token_expires_at),
                token_expires_at: i.token_expires_at,
                subject: i.subject,
                email: i.email,
                display_name: i.display_name,
                avatar_url: i.avatar_url,
                profile_url: i.profile_url,
                linked_at: i.linked_at,
                last_used_at: i.last_used_at,
                can_unlink: blocked.is_none(),
                unlink_blocked_reason: blocked,
            }
        })
        .collect()
}

pub(crate) fn permission_views(rows: Vec<OrcidPermission>) -> Vec<PermissionView> {
    PermissionKind::ALL
        .into_iter()
        .map(|kind| {
            let row = rows.iter().find(|r| r.kind == kind.as_str());
            let enable_url = format!("/auth/orcid/grant?kind={}", kind.as_str());
            match row {
                None => PermissionView {
                    kind,
                    status: PermissionStatus::Missing,
                    scope: None,
                    granted_at: None,
                    expires_at: None,
                    revoked_at: None,
                    enable_url,
                },
                Some(r) => PermissionView {
                    kind,
                    status: match r.status.as_str() {
                        "revoked" => PermissionStatus::Revoked,
                        "invalid" => PermissionStatus::Invalid,
                        _ if r.expires_at.is_some_and(|at| at <= Utc::now()) => PermissionStatus::Expired,
                        _ => PermissionStatus::Active,
                    },
                    scope: Some(r.scope.clone()).filter(|s| !s.is_empty()),
                    granted_at: Some(r.granted_at),
                    expires_at: r.expires_at,
                    revoked_at: r.revoked_at,
                    enable_url,
                },
            }
        })
        .collect()
}

pub(crate) fn load_identities(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<Vec<Identity>> {
    identities::table
        .filter(identities::account_id.eq(account_id))
        // ORCID, the anchor, first; then in the order they were linked.
        .order((identities::provider.ne("orcid"), identities::linked_at))
        .select(Identity::as_select())
        .load(conn)
}

pub(crate) fn load_permissions(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<Vec<OrcidPermission>> {
    orcid_permissions::table
        .filter(orcid_permissions::account_id.eq(account_id))
        .select(OrcidPermission::as_select())
        .load(conn)
}

pub(crate) async fn overview(state: &AppState, account_id: Uuid) -> ApiResult<AccountView> {
    let (account, ids, perms) = crate::db::run(&state.pool, move |conn| {
        let account = accounts::table
            .find(account_id)
            .select(Account::as_select())
            .first(conn)?;
        Ok((
            account,
            load_identities(conn, account_id)?,
            load_permissions(conn, account_id)?,
        ))
    })
    .await?;
    Ok(AccountView {
        orcid_url: format!("{}/{}", orcid_site(state), account.orcid),
        other_names: serde_json::from_value(account.other_names.clone()).unwrap_or_default(),
        role: account.role.parse().unwrap_or(Role::User),
        orcid: account.orcid,
        name: account.name,
        given_names: account.given_names,
        family_name: account.family_name,
        email: account.email,
        provider_id: account.provider_id,
        client_id: account.client_id,
        beta_tester: account.beta_tester,
        is_public: account.is_public,
        created_at: account.created_at,
        updated_at: account.updated_at,
        identities: identity_views(state, ids),
        permissions: permission_views(perms),
    })
}

/// Your account
///
/// The overview filled from the connected services: names, ORCID iD and record URL, email,
/// role, when the account was created, linked identities and ORCID permission states.
#[utoipa::path(
    tag = "account",
    responses(
        (status = 200, description = "The account.", body = AccountView),
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/accounts/me")]
pub async fn me(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadOwnAccount, None)?;
    Ok(HttpResponse::Ok().json(overview(&state, caller.account.id).await?))
}

/// What a person may change about their own account. Everything is optional; `null` clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountUpdate {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub given_names: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub family_name: Option<Option<String>>,
    pub other_names: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Show the account in public listings.
    pub is_public: Option<bool>,
}

/// Tells "absent" (`None`) from "null" (`Some(None)`), so `null` can clear a field.
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Fields only staff may change, and tokens that are never writable.
const RESERVED_FIELDS: &[&str] = &[
    "role",
    "role_id",
    "provider_id",
    "client_id",
    "beta_tester",
    "auto_update",
    "orcid",
    "uid",
    "orcid_token",
    "access_token",
    "refresh_token",
    "github_token",
    "google_token",
    "created_at",
];

fn clean_text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    let Some(v) = value else { return Ok(None) };
    let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.chars().count() > max {
        return Err(
            ApiError::unprocessable("invalid_field", format!("{field} is too long."))
                .with_field(field, format!("at most {max} characters")),
        );
    }
    Ok(Some(v).filter(|s| !s.is_empty()))
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
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A field only staff may change (role, flags) or one that is never writable.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON.", body = Problem, content_type = "application/problem+json"),
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
    let object = body
        .as_object()
        .ok_or_else(|| ApiError::unprocessable("invalid_body", "Send a JSON object."))?;
    let reserved: Vec<&String> = object
        .keys()
        .filter(|k| RESERVED_FIELDS.contains(&k.as_str()))
        .collect();
    if !reserved.is_empty() {
        let mut error = ApiError::forbidden(
            "field_not_editable",
            format!(
                "You cannot change {} here: roles and flags are set by staff, and tokens are never writable.",
                reserved.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        );
        for field in reserved {
            error = error.with_field(field.clone(), "not editable by the account holder");
        }
        return Err(error);
    }
    let update: AccountUpdate = serde_json::from_value(body.into_inner()).map_err(|e| {
        ApiError::unprocessable("invalid_body", format!("The JSON body does not fit this endpoint: {e}"))
    })?;
    let name = update.name.map(|v| clean_text("name", v, 200)).transpose()?;
    let given = update
        .given_names
        .map(|v| clean_text("given_names", v, 200))
        .transpose()?;
    let family = update
        .family_name
        .map(|v| clean_text("family_name", v, 200))
        .transpose()?;
    let email = update.email.map(|v| clean_text("email", v, 254)).transpose()?;
    if let Some(Some(e)) = &email {
        let valid = e
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
            && !e.contains(' ');
        if !valid {
            return Err(
                ApiError::unprocessable("invalid_field", "That email address is not valid.")
                    .with_field("email", "expected an address like name@example.org"),
            );
        }
    }
    let other_names = match update.other_names {
        Some(list) => {
            if list.len() > 20 {
                return Err(ApiError::unprocessable("invalid_field", "At most 20 other names.")
                    .with_field("other_names", "at most 20 entries"));
            }
            let mut cleaned = Vec::new();
            for n in list {
                if let Some(n) = clean_text("other_names", Some(n), 200)? {
                    cleaned.push(n);
                }
            }
            Some(serde_json::json!(cleaned))
        }
        None => None,
    };
    let account_id = caller.account.id;
    crate::db::run(&state.pool, move |conn| {
        let target = accounts::table.find(account_id);
        if let Some(v) = name {
            diesel::update(target).set(accounts::name.eq(v)).execute(conn)?;
        }
        if let Some(v) = given {
            diesel::update(target).set(accounts::given_names.eq(v)).execute(conn)?;
        }
        if let Some(v) = family {
            diesel::update(target).set(accounts::family_name.eq(v)).execute(conn)?;
        }
        if let Some(v) = email {
            diesel::update(target).set(accounts::email.eq(v)).execute(conn)?;
        }
        if let Some(v) = other_names {
            diesel::update(target).set(accounts::other_names.eq(v)).execute(conn)?;
        }
        if let Some(v) = update.is_public {
            diesel::update(target).set(accounts::is_public.eq(v)).execute(conn)?;
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(overview(&state, account_id).await?))
}

/// Revokes a token we hold sealed under `context` at its provider before we forget it.
/// `Ok(false)` when there was nothing to revoke or the provider says it was already gone; a
/// provider that cannot be reached is a 502, so nothing is forgotten that is still live there.
pub(crate) async fn revoke_sealed(
    state: &AppState,
    provider: Provider,
    sealed: Option<&[u8]>,
    context: &str,
) -> ApiResult<bool> {
    let (Some(sealed), Some(cipher)) = (sealed, &state.cipher) else {
        return Ok(false);
    };
    if !state.providers.enabled(provider) {
        return Ok(false);
    }
    let Ok(token) = cipher.open_str(sealed, context) else {
        tracing::warn!(%provider, "a stored token does not decrypt; forgetting it without revocation");
        return Ok(false);
    };
    state.providers.revoke(provider, &token).await.map_err(|e| {
        ApiError::new(
            ErrorKind::BadGateway,
            "provider_unavailable",
            format!(
                "{} could not be reached to revoke access; nothing was changed. Try again.",
                provider.label()
            ),
        )
        .with_source(e)
    })
}

/// Your linked identities
///
/// Every way you can sign in, with its token state and whether it can be unlinked (and why not).
#[utoipa::path(
    tag = "account",
    responses(
        (status = 200, description = "Linked identities.", body = Vec<IdentityView>),
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
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
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A cookie-authenticated write from another site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such identity is linked.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "ORCID, or the last way to sign in.", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The provider could not be reached to revoke the grant; nothing changed.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me/identities/{provider}")]
pub async fn unlink(caller: Caller, state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ManageOwnAccount, None)?;
    let provider: Provider = path.parse().map_err(|_| {
        ApiError::not_found(
            "unknown_provider",
            format!("There is no provider called {:?}.", path.as_str()),
        )
    })?;
    if provider == Provider::Orcid {
        return Err(ApiError::conflict(
            "orcid_is_anchor",
            "ORCID is the anchor of your account and cannot be unlinked. You can expire its token instead.",
        ));
    }
    let account_id = caller.account.id;
    let rows = crate::db::run(&state.pool, move |conn| Ok(load_identities(conn, account_id)?)).await?;
    let views = identity_views(&state, rows.clone());
    let (row, view) = rows
        .into_iter()
        .zip(views)
        .find(|(r, _)| r.provider == provider.as_str())
        .ok_or_else(|| {
            ApiError::not_found(
                "identity_not_linked",
                format!("No {} account is linked.", provider.label()),
            )
        })?;
    if let Some(reason) = view.unlink_blocked_reason {
        return Err(ApiError::conflict("last_sign_in_method", reason));
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
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A cookie-authenticated write from another site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No ORCID identity (cannot happen for a normal account).", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "ORCID could not be reached; nothing changed.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me/identities/orcid/token")]
pub async fn expire_orcid_token(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ManageOwnAccount, None)?;
    let account_id = caller.account.id;
    let rows = crate::db::run(&state.pool, move |conn| Ok(load_identities(conn, account_id)?)).await?;
    let row = rows
        .into_iter()
        .find(|r| r.provider == "orcid")
        .ok_or_else(|| ApiError::not_found("identity_not_linked", "No ORCID identity is linked."))?;
    let context = identity_context(Provider::Orcid, &row.subject, "access");
    revoke_sealed(&state, Provider::Orcid, row.access_token_enc.as_deref(), &context).await?;
    let id = row.id;
    let updated = crate::db::run(&state.pool, move |conn| {
        diesel::update(identities::table.find(id))
            .set((
                identities::access_token_enc.eq(None::<Vec<u8>>),
                identities::refresh_token_enc.eq(None::<Vec<u8>>),
                identities::token_expires_at.eq(Some(Utc::now())),
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
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/accounts/me/permissions")]
pub async fn list_permissions(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadOwnAccount, None)?;
    let id = caller.account.id;
    let rows = crate::db::run(&state.pool, move |conn| Ok(load_permissions(conn, id)?)).await?;
    Ok(HttpResponse::Ok().json(permission_views(rows)))
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
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A cookie-authenticated write from another site.", body = Problem, content_type = "application/problem+json"),
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
    caller.authorize(Action::ManageOwnAccount, None)?;
    let kind: PermissionKind = path
        .parse()
        .map_err(|_| ApiError::not_found("unknown_permission", "Permissions are search_and_link and auto_update."))?;
    let account_id = caller.account.id;
    let row = crate::db::run(&state.pool, move |conn| {
        Ok(orcid_permissions::table
            .filter(orcid_permissions::account_id.eq(account_id))
            .filter(orcid_permissions::kind.eq(kind.as_str()))
            .select(OrcidPermission::as_select())
            .first(conn)
            .optional()?)
    })
    .await?
    .ok_or_else(|| ApiError::not_found("permission_not_granted", "This permission was never granted."))?;
    let context = permission_context(account_id, kind, "access");
    revoke_sealed(&state, Provider::Orcid, row.access_token_enc.as_deref(), &context).await?;
    let rows = crate::db::run(&state.pool, move |conn| {
        diesel::update(orcid_permissions::table.find(row.id))
            .set((
                orcid_permissions::status.eq("revoked"),
                orcid_permissions::access_token_enc.eq(None::<Vec<u8>>),
                orcid_permissions::refresh_token_enc.eq(None::<Vec<u8>>),
                orcid_permissions::revoked_at.eq(Some(Utc::now())),
            ))
            .execute(conn)?;
        Ok(load_permissions(conn, account_id)?)
    })
    .await?;
    let view = permission_views(rows)
        .into_iter()
        .find(|v| v.kind == kind)
        .ok_or_else(|| ApiError::internal("permission vanished"))?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// The session making this request.
    pub current: bool,
}

/// Your active sessions
///
/// Every browser signed in to your account, newest first.
#[utoipa::path(
    tag = "account",
    responses(
        (status = 200, description = "Active sessions.", body = Vec<SessionView>),
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/accounts/me/sessions")]
pub async fn list_sessions(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadOwnAccount, None)?;
    let (id, current) = (caller.account.id, caller.session_id);
    let rows: Vec<Session> = crate::db::run(&state.pool, move |conn| {
        Ok(sessions::table
            .filter(sessions::account_id.eq(id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(diesel::dsl::now))
            .order(sessions::created_at.desc())
            .select(Session::as_select())
            .load(conn)?)
    })
    .await?;
    let views: Vec<SessionView> = rows
        .into_iter()
        .map(|s| SessionView {
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
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A cookie-authenticated write from another site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such active session of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me/sessions/{id}")]
pub async fn revoke_session(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ManageOwnAccount, None)?;
    let (account_id, sid) = (caller.account.id, path.into_inner());
    let n = crate::db::run(&state.pool, move |conn| {
        Ok(diesel::update(
            sessions::table
                .find(sid)
                .filter(sessions::account_id.eq(account_id))
                .filter(sessions::revoked_at.is_null()),
        )
        .set(sessions::revoked_at.eq(diesel::dsl::now))
        .execute(conn)?)
    })
    .await?;
    if n == 0 {
        return Err(ApiError::not_found("session_not_found", "No such active session."));
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
        (status = 401, description = "Not signed in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A cookie-authenticated write from another site.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me/sessions")]
pub async fn revoke_other_sessions(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
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
        Ok(q.set(sessions::revoked_at.eq(diesel::dsl::now)).execute(conn)?)
    })
    .await?;
    let _ = session::SESSION_COOKIE;
    Ok(HttpResponse::Ok().json(RevokedCount { revoked: n }))
}

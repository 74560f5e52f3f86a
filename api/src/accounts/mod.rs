//! Accounts: what a person sees of their own account (profile, identities, ORCID permissions,
//! sessions), the rules for changing it, and role changes. Handlers in `routes/` render these.

pub mod admin;
pub mod profile;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::audit;
use crate::db::models::{Account, Identity, OrcidPermission};
use crate::db::schema::{accounts, identities, orcid_permissions};
use crate::domain::{GrantStatus, PermissionKind, Provider, Role};
use crate::error::{ApiError, ApiResult, ErrorCode};

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
    /// When Profiles last read the ORCID record and compared it with the claims (absent: never).
    pub orcid_checked_at: Option<DateTime<Utc>>,
}

fn orcid_site(state: &AppState) -> String {
    state.config.orcid_site()
}

fn token_state(access: &Option<Vec<u8>>, expires: Option<DateTime<Utc>>, now: DateTime<Utc>) -> TokenState {
    match (access, expires) {
        (None, Some(_)) => TokenState::Expired,
        (None, None) => TokenState::Missing,
        (Some(_), Some(at)) if at <= now => TokenState::Expired,
        (Some(_), _) => TokenState::Active,
    }
}

pub fn identity_views(state: &AppState, rows: Vec<Identity>) -> Vec<IdentityView> {
    let now = state.clock.now();
    let enabled: Vec<bool> = rows.iter().map(|i| state.providers.enabled(i.provider)).collect();
    let enabled_count = enabled.iter().filter(|e| **e).count();
    rows.into_iter()
        .zip(enabled)
        .map(|(i, is_enabled)| {
            let provider = i.provider;
            let blocked = if provider == Provider::Orcid {
                Some("ORCID is the anchor of your account and cannot be unlinked.".to_owned())
            } else if is_enabled && enabled_count <= 1 {
                Some("This is your last way to sign in; connect another one first.".to_owned())
            } else {
                None
            };
            IdentityView {
                provider,
                token_state: token_state(&i.access_token_enc, i.token_expires_at, now),
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

pub fn permission_views(rows: Vec<OrcidPermission>, now: DateTime<Utc>) -> Vec<PermissionView> {
    PermissionKind::ALL
        .into_iter()
        .map(|kind| {
            let row = rows.iter().find(|r| r.kind == kind);
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
                    status: match r.status {
                        GrantStatus::Revoked => PermissionStatus::Revoked,
                        GrantStatus::Invalid => PermissionStatus::Invalid,
                        _ if r.expires_at.is_some_and(|at| at <= now) => PermissionStatus::Expired,
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

pub fn load_identities(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<Vec<Identity>> {
    identities::table
        .filter(identities::account_id.eq(account_id))
        // ORCID, the anchor, first; then in the order they were linked.
        .order((identities::provider.ne("orcid"), identities::linked_at))
        .select(Identity::as_select())
        .load(conn)
}

pub fn load_permissions(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<Vec<OrcidPermission>> {
    orcid_permissions::table
        .filter(orcid_permissions::account_id.eq(account_id))
        .select(OrcidPermission::as_select())
        .load(conn)
}

pub async fn overview(state: &AppState, account_id: Uuid) -> ApiResult<AccountView> {
    let (account, ids, perms) = crate::db::run(&state.pool, move |conn| {
        let account = accounts::table
            .find(account_id)
            .select(Account::as_select())
            .first::<Account>(conn)?;
        Ok((
            account,
            load_identities(conn, account_id)?,
            load_permissions(conn, account_id)?,
        ))
    })
    .await?;
    Ok(view_of(state, account, ids, perms))
}

/// The caller's own account as the overview shows it, from the account row the caller's
/// authentication has just read on this connection (one query fewer than [`overview`]).
pub fn own_overview(conn: &mut PgConnection, state: &AppState, account: Account) -> ApiResult<AccountView> {
    let (ids, perms) = (load_identities(conn, account.id)?, load_permissions(conn, account.id)?);
    Ok(view_of(state, account, ids, perms))
}

fn view_of(state: &AppState, account: Account, ids: Vec<Identity>, perms: Vec<OrcidPermission>) -> AccountView {
    let checked = account.orcid_checked_at;
    AccountView {
        orcid_url: format!("{}/{}", orcid_site(state), account.orcid),
        other_names: serde_json::from_value(account.other_names.clone()).unwrap_or_default(),
        role: account.role,
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
        permissions: permission_views(perms, state.clock.now()),
        orcid_checked_at: checked,
    }
}

/// Tells "absent" (`None`) from "null" (`Some(None)`), so `null` can clear a field.
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Revokes a token we hold sealed under `context` at its provider before we forget it.
/// `Ok(false)` when there was nothing to revoke or the provider says it was already gone; a
/// provider that cannot be reached is a 502, so nothing is forgotten that is still live there.
pub async fn revoke_sealed(
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
            ErrorCode::ProviderUnavailable,
            format!(
                "{} could not be reached to revoke access; nothing was changed. Try again.",
                provider.label()
            ),
        )
        .with_source(e)
    })
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
    /// The client applications this session signed in to (names), while those sign-ins last.
    #[serde(default)]
    pub apps: Vec<String>,
}

/// For each of `sessions`, the names of the apps it signed in to (live sign-ins only).
pub fn apps_by_session(
    conn: &mut PgConnection,
    sessions: &[Uuid],
) -> QueryResult<std::collections::HashMap<Uuid, Vec<String>>> {
    use crate::db::schema::{oauth_clients, oauth_families};
    let rows: Vec<(Option<Uuid>, String)> = oauth_families::table
        .inner_join(oauth_clients::table)
        .filter(oauth_families::session_id.eq_any(sessions))
        .filter(oauth_families::revoked_at.is_null())
        .filter(oauth_clients::disabled_at.is_null())
        .select((oauth_families::session_id, oauth_clients::name))
        .distinct()
        .load(conn)?;
    let mut map: std::collections::HashMap<Uuid, Vec<String>> = std::collections::HashMap::new();
    for (sid, name) in rows {
        if let Some(sid) = sid {
            map.entry(sid).or_default().push(name);
        }
    }
    for names in map.values_mut() {
        names.sort();
    }
    Ok(map)
}

/// The account of an iD, if it has one here.
pub fn find_by_orcid(conn: &mut PgConnection, orcid: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::orcid.eq(orcid))
        .select(Account::as_select())
        .first(conn)
        .optional()
}

/// Sets an account's role; returns the role it had (None: no such account). Audited.
pub fn set_role(
    conn: &mut PgConnection,
    actor: Option<&Account>,
    actor_label: &str,
    orcid: &str,
    role: Role,
) -> QueryResult<Option<String>> {
    conn.transaction(|conn| {
        let before: Option<(Uuid, String)> = accounts::table
            .filter(accounts::orcid.eq(orcid))
            .select((accounts::id, accounts::role))
            .for_update()
            .first(conn)
            .optional()?;
        let Some((id, before)) = before else {
            return Ok(None);
        };
        diesel::update(accounts::table.find(id))
            .set(accounts::role.eq(role))
            .execute(conn)?;
        audit(
            conn,
            actor,
            actor_label,
            "account.role_changed",
            ("account", orcid),
            json!({ "before": { "role": before }, "after": { "role": role.as_str() } }),
        )?;
        Ok(Some(before))
    })
}

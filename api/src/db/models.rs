//! Row structs, one per table that handlers read.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::domain::{GrantStatus, PermissionKind, Provider, Role};

use super::schema::{accounts, identities, orcid_permissions, sessions};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: Uuid,
    pub orcid: String,
    pub name: Option<String>,
    pub given_names: Option<String>,
    pub family_name: Option<String>,
    pub other_names: serde_json::Value,
    pub email: Option<String>,
    pub role: Role,
    pub provider_id: Option<String>,
    pub client_id: Option<String>,
    pub auto_update: bool,
    pub is_public: bool,
    pub beta_tester: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the ORCID record was last read to refresh the names.
    pub orcid_checked_at: Option<DateTime<Utc>>,
}

/// A change to an account: `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = accounts)]
pub struct AccountChangeset {
    pub name: Option<Option<String>>,
    pub given_names: Option<Option<String>>,
    pub family_name: Option<Option<String>>,
    pub other_names: Option<serde_json::Value>,
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    pub provider_id: Option<Option<String>>,
    pub client_id: Option<Option<String>>,
    pub is_public: Option<bool>,
    pub beta_tester: Option<bool>,
}

impl AccountChangeset {
    /// Writes the change to account `id` (nothing when there is nothing to change).
    pub fn apply(self, conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
        if self.is_empty() {
            return Ok(0);
        }
        diesel::update(accounts::table.find(id)).set(self).execute(conn)
    }

    fn is_empty(&self) -> bool {
        let Self {
            name,
            given_names,
            family_name,
            other_names,
            email,
            role,
            provider_id,
            client_id,
            is_public,
            beta_tester,
        } = self;
        name.is_none()
            && given_names.is_none()
            && family_name.is_none()
            && other_names.is_none()
            && email.is_none()
            && role.is_none()
            && provider_id.is_none()
            && client_id.is_none()
            && is_public.is_none()
            && beta_tester.is_none()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = identities)]
pub struct Identity {
    pub id: Uuid,
    pub account_id: Uuid,
    pub provider: Provider,
    pub subject: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub profile_url: Option<String>,
    pub access_token_enc: Option<Vec<u8>>,
    pub refresh_token_enc: Option<Vec<u8>>,
    pub scopes: Vec<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub linked_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = orcid_permissions)]
pub struct OrcidPermission {
    pub id: Uuid,
    pub account_id: Uuid,
    pub kind: PermissionKind,
    pub access_token_enc: Option<Vec<u8>>,
    pub refresh_token_enc: Option<Vec<u8>>,
    pub scope: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub granted_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub status: GrantStatus,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: Uuid,
    pub account_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
}

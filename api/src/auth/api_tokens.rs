//! Long-lived API tokens for integrators and services (e.g. the DOI event feed), each limited to
//! a set of scopes. Only a SHA-256 hash is stored; the token is shown once, when created.
//!
//! Format: `prf_<prefix>_<secret>`. The prefix finds the row; the hash of the whole token is
//! compared in constant time.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::crypto::{constant_time_eq, random_token, sha256};
use crate::db::models::Account;
use crate::db::schema::api_tokens as tokens;
use crate::db::schema::{accounts, api_tokens};

pub const TOKEN_PREFIX: &str = "prf_";

pub use crate::policy::{is_scope, role_allows, SCOPES};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiTokenView {
    pub id: Uuid,
    pub name: String,
    /// The start of the token, to recognise it (`prf_<prefix>_…`).
    #[schema(example = "prf_Lu1ppEul_…")]
    pub hint: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

type Row = (
    Uuid,
    String,
    String,
    Vec<String>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

fn view(r: Row) -> ApiTokenView {
    ApiTokenView {
        id: r.0,
        name: r.1,
        hint: format!("{TOKEN_PREFIX}{}_…", r.2),
        scopes: r.3,
        created_at: r.4,
        expires_at: r.5,
        last_used_at: r.6,
        revoked_at: r.7,
    }
}

macro_rules! columns {
    () => {
        (
            tokens::id,
            tokens::name,
            tokens::prefix,
            tokens::scopes,
            tokens::created_at,
            tokens::expires_at,
            tokens::last_used_at,
            tokens::revoked_at,
        )
    };
}

/// An account's tokens, newest first (never their secrets).
pub fn load_views(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<Vec<ApiTokenView>> {
    let rows: Vec<Row> = tokens::table
        .filter(tokens::account_id.eq(account_id))
        .order(tokens::created_at.desc())
        .select(columns!())
        .load(conn)?;
    Ok(rows.into_iter().map(view).collect())
}

/// One token's view.
pub fn load_view(conn: &mut PgConnection, id: Uuid) -> QueryResult<ApiTokenView> {
    let row: Row = tokens::table.find(id).select(columns!()).first(conn)?;
    Ok(view(row))
}

/// Creates a token for `account_id`; returns the token (shown once) and its id.
pub fn create(
    conn: &mut PgConnection,
    account_id: Uuid,
    name: &str,
    scopes: &[String],
    expires_at: Option<DateTime<Utc>>,
) -> QueryResult<(String, Uuid)> {
    let prefix = random_token(6).replace(['-', '_'], "x");
    let token = format!("{TOKEN_PREFIX}{prefix}_{}", random_token(32));
    let id = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::account_id.eq(account_id),
            api_tokens::name.eq(name),
            api_tokens::prefix.eq(&prefix),
            api_tokens::token_hash.eq(sha256(token.as_bytes())),
            api_tokens::scopes.eq(scopes),
            api_tokens::expires_at.eq(expires_at),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    Ok((token, id))
}

/// The account and scopes of a token that is live at `now`, or `None`.
pub fn authenticate(
    conn: &mut PgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<(Account, Vec<String>)>> {
    let Some(prefix) = token
        .strip_prefix(TOKEN_PREFIX)
        .and_then(|rest| rest.split_once('_'))
        .map(|(p, _)| p)
    else {
        return Ok(None);
    };
    type Row = (Uuid, Vec<u8>, Vec<String>, Option<DateTime<Utc>>, Account);
    let row: Option<Row> = api_tokens::table
        .inner_join(accounts::table)
        .filter(api_tokens::prefix.eq(prefix))
        .filter(api_tokens::revoked_at.is_null())
        .select((
            api_tokens::id,
            api_tokens::token_hash,
            api_tokens::scopes,
            api_tokens::last_used_at,
            Account::as_select(),
        ))
        .first(conn)
        .optional()?;
    let Some((id, hash, scopes, last_used, account)) = row else {
        return Ok(None);
    };
    if !constant_time_eq(&hash, &sha256(token.as_bytes())) {
        return Ok(None);
    }
    let live: bool = diesel::select(diesel::dsl::exists(
        api_tokens::table
            .find(id)
            .filter(api_tokens::expires_at.is_null().or(api_tokens::expires_at.gt(now))),
    ))
    .get_result(conn)?;
    if !live {
        return Ok(None);
    }
    if last_used.is_none_or(|t| now - t > chrono::Duration::minutes(1)) {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::last_used_at.eq(now))
            .execute(conn)?;
    }
    Ok(Some((account, scopes)))
}

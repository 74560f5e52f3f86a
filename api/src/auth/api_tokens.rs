//! Long-lived API tokens for integrators and services (e.g. the DOI event feed), each limited to
//! a set of scopes. Only a SHA-256 hash is stored; the token is shown once, when created.
//!
//! Format: `prf_<prefix>_<secret>`. The prefix finds the row; the hash of the whole token is
//! compared in constant time.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::crypto::{constant_time_eq, random_token, sha256};
use crate::db::models::Account;
use crate::db::schema::{accounts, api_tokens};

pub const TOKEN_PREFIX: &str = "prf_";

pub use crate::policy::{is_scope, role_allows, SCOPES};

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

/// The account and scopes of a live token, or `None`.
pub fn authenticate(conn: &mut PgConnection, token: &str) -> QueryResult<Option<(Account, Vec<String>)>> {
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
        api_tokens::table.find(id).filter(
            api_tokens::expires_at
                .is_null()
                .or(api_tokens::expires_at.gt(diesel::dsl::now)),
        ),
    ))
    .get_result(conn)?;
    if !live {
        return Ok(None);
    }
    if last_used.is_none_or(|t| Utc::now() - t > chrono::Duration::minutes(1)) {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::last_used_at.eq(diesel::dsl::now))
            .execute(conn)?;
    }
    Ok(Some((account, scopes)))
}

//! Authorization codes, consents and token families.
//!
//! A code is single use and lives a minute; redeeming it starts a *family* (one sign-in of a
//! person to a client) with a refresh token. Each refresh hands out a new refresh token and
//! spends the old one; a spent one presented again revokes the whole family, as does the end of
//! the session it came from, the person revoking the app, or staff removing the client.

use base64::Engine;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use sha2::Digest;
use uuid::Uuid;

use crate::crypto::{random_token, sha256};
use crate::db::schema::{oauth_clients, oauth_codes, oauth_consents, oauth_families, oauth_refresh_tokens};
use crate::jobs::{self, NewJob};

/// Back-channel logout to one client.
pub const BACKCHANNEL_JOB: &str = "oidc.backchannel_logout";

const CODE_TTL_SECS: i64 = 60;

/// Why a token request is refused, as RFC 6749 names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantError {
    /// `invalid_grant`, `invalid_client`, `invalid_request`, `invalid_scope`, …
    pub error: &'static str,
    pub description: String,
}

impl GrantError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            error,
            description: description.into(),
        }
    }

    fn grant(description: impl Into<String>) -> Self {
        Self::new("invalid_grant", description)
    }
}

impl From<diesel::result::Error> for GrantError {
    fn from(e: diesel::result::Error) -> Self {
        tracing::error!(error = %e, "token endpoint database error");
        Self::new("server_error", "The request could not be completed; try again.")
    }
}

/// A person's sign-in to a client.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = oauth_families)]
pub struct Family {
    pub id: Uuid,
    pub client_id: String,
    pub account_id: Uuid,
    pub session_id: Option<Uuid>,
    pub scopes: Vec<String>,
    pub auth_time: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What an authorization code is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRequest {
    pub client_id: String,
    pub account_id: Uuid,
    pub session_id: Option<Uuid>,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub auth_time: Option<DateTime<Utc>>,
}

/// Issues a code; returns it (only its hash is kept).
pub fn issue_code(conn: &mut PgConnection, r: &CodeRequest, now: DateTime<Utc>) -> QueryResult<String> {
    let code = random_token(32);
    diesel::insert_into(oauth_codes::table)
        .values((
            oauth_codes::code_hash.eq(sha256(code.as_bytes())),
            oauth_codes::client_id.eq(&r.client_id),
            oauth_codes::account_id.eq(r.account_id),
            oauth_codes::session_id.eq(r.session_id),
            oauth_codes::redirect_uri.eq(&r.redirect_uri),
            oauth_codes::scopes.eq(&r.scopes),
            oauth_codes::nonce.eq(&r.nonce),
            oauth_codes::code_challenge.eq(&r.code_challenge),
            oauth_codes::auth_time.eq(r.auth_time),
            oauth_codes::expires_at.eq(now + chrono::Duration::seconds(CODE_TTL_SECS)),
        ))
        .execute(conn)?;
    Ok(code)
}

/// The S256 challenge of a PKCE verifier.
pub fn challenge_of(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// Redeems a code for `client_id` at `redirect_uri` with the PKCE `verifier`: a new family, and
/// the nonce to put in the ID token. A code used before revokes the family it started.
pub fn redeem_code(
    conn: &mut PgConnection,
    code: &str,
    client_id: &str,
    redirect_uri: &str,
    verifier: &str,
    now: DateTime<Utc>,
) -> Result<(Family, Option<String>), GrantError> {
    // The transaction commits whatever the answer: a replay's revocation must stay.
    let outcome: Result<(Family, Option<String>), GrantError> = conn.transaction(|conn| {
        type Row = (
            String,
            Uuid,
            Option<Uuid>,
            String,
            Vec<String>,
            Option<String>,
            String,
            Option<DateTime<Utc>>,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<Uuid>,
        );
        let row: Option<Row> = oauth_codes::table
            .find(sha256(code.as_bytes()))
            .select((
                oauth_codes::client_id,
                oauth_codes::account_id,
                oauth_codes::session_id,
                oauth_codes::redirect_uri,
                oauth_codes::scopes,
                oauth_codes::nonce,
                oauth_codes::code_challenge,
                oauth_codes::auth_time,
                oauth_codes::expires_at,
                oauth_codes::used_at,
                oauth_codes::family_id,
            ))
            .for_update()
            .first(conn)
            .optional()?;
        let Some((owner, account_id, session_id, uri, scopes, nonce, challenge, auth_time, expires, used, family)) =
            row
        else {
            return Ok(Err(GrantError::grant("The code is unknown.")));
        };
        if owner != client_id {
            return Ok(Err(GrantError::grant("The code was issued to another client.")));
        }
        if used.is_some() {
            // Replayed: whatever it gave out is no longer to be trusted.
            if let Some(family) = family {
                revoke_family(conn, family, "code_reused", now)?;
            }
            return Ok(Err(GrantError::grant(
                "The code was used already; the tokens it gave are revoked.",
            )));
        }
        if expires < now {
            return Ok(Err(GrantError::grant("The code has expired.")));
        }
        if let Some(sid) = session_id {
            use crate::db::schema::sessions;
            let live: i64 = sessions::table
                .find(sid)
                .filter(sessions::revoked_at.is_null())
                .filter(sessions::expires_at.gt(now))
                .count()
                .get_result(conn)?;
            if live == 0 {
                return Ok(Err(GrantError::grant("The sign-in this code came from has ended.")));
            }
        }
        if uri != redirect_uri {
            return Ok(Err(GrantError::grant(
                "redirect_uri is not the one the code was issued for.",
            )));
        }
        if !crate::crypto::constant_time_eq(challenge_of(verifier).as_bytes(), challenge.as_bytes()) {
            return Ok(Err(GrantError::grant(
                "The PKCE code_verifier does not match the code_challenge.",
            )));
        }
        let family: Family = diesel::insert_into(oauth_families::table)
            .values((
                oauth_families::client_id.eq(client_id),
                oauth_families::account_id.eq(account_id),
                oauth_families::session_id.eq(session_id),
                oauth_families::scopes.eq(&scopes),
                oauth_families::auth_time.eq(auth_time),
                oauth_families::created_at.eq(now),
            ))
            .returning(Family::as_returning())
            .get_result(conn)?;
        diesel::update(oauth_codes::table.find(sha256(code.as_bytes())))
            .set((oauth_codes::used_at.eq(now), oauth_codes::family_id.eq(family.id)))
            .execute(conn)?;
        Ok::<_, diesel::result::Error>(Ok((family, nonce)))
    })?;
    outcome
}

/// A new refresh token in `family`, valid for `ttl`.
pub fn new_refresh(
    conn: &mut PgConnection,
    family: Uuid,
    ttl: std::time::Duration,
    now: DateTime<Utc>,
) -> QueryResult<String> {
    let token = format!("prt_{}", random_token(32));
    diesel::insert_into(oauth_refresh_tokens::table)
        .values((
            oauth_refresh_tokens::token_hash.eq(sha256(token.as_bytes())),
            oauth_refresh_tokens::family_id.eq(family),
            oauth_refresh_tokens::created_at.eq(now),
            oauth_refresh_tokens::expires_at
                .eq(now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(30))),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Spends a refresh token of `client_id` for a new one in the same family; a spent one revokes
/// the family.
pub fn rotate(
    conn: &mut PgConnection,
    token: &str,
    client_id: &str,
    ttl: std::time::Duration,
    now: DateTime<Utc>,
) -> Result<(Family, String), GrantError> {
    let outcome: Result<(Family, String), GrantError> = conn.transaction(|conn| {
        let row: Option<(Uuid, DateTime<Utc>, Option<DateTime<Utc>>)> = oauth_refresh_tokens::table
            .find(sha256(token.as_bytes()))
            .select((
                oauth_refresh_tokens::family_id,
                oauth_refresh_tokens::expires_at,
                oauth_refresh_tokens::used_at,
            ))
            .for_update()
            .first(conn)
            .optional()?;
        let Some((family_id, expires, used)) = row else {
            return Ok(Err(GrantError::grant("The refresh token is unknown.")));
        };
        let Some(family) = live_family(conn, family_id, now)? else {
            return Ok(Err(GrantError::grant(
                "The refresh token was revoked, or its session has ended.",
            )));
        };
        if family.client_id != client_id {
            return Ok(Err(GrantError::grant(
                "The refresh token was issued to another client.",
            )));
        }
        if used.is_some() {
            revoke_family(conn, family_id, "refresh_token_reused", now)?;
            return Ok(Err(GrantError::grant(
                "The refresh token was used already; every token of this sign-in is revoked.",
            )));
        }
        if expires < now {
            return Ok(Err(GrantError::grant("The refresh token has expired.")));
        }
        diesel::update(oauth_refresh_tokens::table.find(sha256(token.as_bytes())))
            .set(oauth_refresh_tokens::used_at.eq(now))
            .execute(conn)?;
        let next = new_refresh(conn, family_id, ttl, now)?;
        Ok::<_, diesel::result::Error>(Ok((family, next)))
    })?;
    outcome
}

/// The family if it still holds: not revoked, its client enabled, and its session (if it came
/// from one) neither ended nor expired.
pub fn live_family(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> QueryResult<Option<Family>> {
    use crate::db::schema::sessions;
    let family: Option<Family> = oauth_families::table
        .inner_join(oauth_clients::table)
        .filter(oauth_families::id.eq(id))
        .filter(oauth_families::revoked_at.is_null())
        .filter(oauth_clients::disabled_at.is_null())
        .select(Family::as_select())
        .first(conn)
        .optional()?;
    let Some(family) = family else {
        return Ok(None);
    };
    // `offline_access` outlives the browser session it started in (it ends when the person revokes
    // the app, or its refresh tokens lapse); anything else ends with the session.
    let offline = family.scopes.iter().any(|s| s == "offline_access");
    if let (Some(sid), false) = (family.session_id, offline) {
        let live: i64 = sessions::table
            .find(sid)
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .count()
            .get_result(conn)?;
        if live == 0 {
            return Ok(None);
        }
    }
    Ok(Some(family))
}

/// The family a refresh token belongs to (for introspection and revocation).
pub fn family_of_refresh(conn: &mut PgConnection, token: &str) -> QueryResult<Option<(Uuid, DateTime<Utc>, bool)>> {
    oauth_refresh_tokens::table
        .find(sha256(token.as_bytes()))
        .select((
            oauth_refresh_tokens::family_id,
            oauth_refresh_tokens::expires_at,
            oauth_refresh_tokens::used_at.is_not_null(),
        ))
        .first(conn)
        .optional()
}

/// Revokes a family (and so every token in it).
pub fn revoke_family(conn: &mut PgConnection, id: Uuid, reason: &str, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        oauth_families::table
            .find(id)
            .filter(oauth_families::revoked_at.is_null()),
    )
    .set((
        oauth_families::revoked_at.eq(now),
        oauth_families::revoked_reason.eq(reason),
    ))
    .execute(conn)
}

/// Every family of a removed client.
pub fn revoke_client(conn: &mut PgConnection, client_id: &str, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        oauth_families::table
            .filter(oauth_families::client_id.eq(client_id))
            .filter(oauth_families::revoked_at.is_null()),
    )
    .set((
        oauth_families::revoked_at.eq(now),
        oauth_families::revoked_reason.eq("client_removed"),
    ))
    .execute(conn)
}

/// Whether the person already agreed that `client_id` may have every one of `scopes`.
pub fn consented(conn: &mut PgConnection, account_id: Uuid, client_id: &str, scopes: &[String]) -> QueryResult<bool> {
    let given: Option<Vec<String>> = oauth_consents::table
        .find((account_id, client_id))
        .select(oauth_consents::scopes)
        .first(conn)
        .optional()?;
    Ok(given.is_some_and(|g| scopes.iter().all(|s| g.contains(s))))
}

/// Records the person's consent (adding to what they agreed before).
pub fn consent(
    conn: &mut PgConnection,
    account_id: Uuid,
    client_id: &str,
    scopes: &[String],
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(oauth_consents::table)
        .values((
            oauth_consents::account_id.eq(account_id),
            oauth_consents::client_id.eq(client_id),
            oauth_consents::scopes.eq(scopes),
            oauth_consents::granted_at.eq(now),
        ))
        .on_conflict((oauth_consents::account_id, oauth_consents::client_id))
        .do_update()
        .set((
            oauth_consents::scopes.eq(diesel::dsl::sql::<diesel::sql_types::Array<diesel::sql_types::Text>>(
                "ARRAY(SELECT DISTINCT unnest(oauth_consents.scopes || excluded.scopes))",
            )),
            oauth_consents::granted_at.eq(now),
        ))
        .execute(conn)
}

/// Sessions ended (sign-out, revocation, a new sign-in, deletion): their families are revoked,
/// and each client with a back-channel logout URI is told. Call before deleting the sessions.
pub fn sessions_ended(conn: &mut PgConnection, sids: &[Uuid], now: DateTime<Utc>) -> QueryResult<usize> {
    if sids.is_empty() {
        return Ok(0);
    }
    let mut ended: Vec<(Uuid, String, Uuid, Option<Uuid>)> = diesel::update(
        oauth_families::table
            .filter(oauth_families::session_id.eq_any(sids))
            .filter(oauth_families::revoked_at.is_null())
            .filter(diesel::dsl::not(
                oauth_families::scopes.contains(vec!["offline_access".to_owned()]),
            )),
    )
    .set((
        oauth_families::revoked_at.eq(now),
        oauth_families::revoked_reason.eq("session_ended"),
    ))
    .returning((
        oauth_families::id,
        oauth_families::client_id,
        oauth_families::account_id,
        oauth_families::session_id,
    ))
    .get_results(conn)?;
    // `offline_access` sign-ins stay, but their clients still hear that the session ended.
    let offline: Vec<(Uuid, String, Uuid, Option<Uuid>)> = oauth_families::table
        .filter(oauth_families::session_id.eq_any(sids))
        .filter(oauth_families::revoked_at.is_null())
        .select((
            oauth_families::id,
            oauth_families::client_id,
            oauth_families::account_id,
            oauth_families::session_id,
        ))
        .load(conn)?;
    let revoked = ended.len();
    ended.extend(offline);
    tell_clients(conn, &ended)?;
    Ok(revoked)
}

/// The same person signed in again: their sign-ins to apps move from session `old` to `new`.
pub fn move_sign_ins(conn: &mut PgConnection, old: Uuid, new: Uuid) -> QueryResult<usize> {
    diesel::update(
        oauth_families::table
            .filter(oauth_families::session_id.eq(old))
            .filter(oauth_families::revoked_at.is_null()),
    )
    .set(oauth_families::session_id.eq(Some(new)))
    .execute(conn)
}

/// The person revoked the app: its consent and every sign-in to it end, and it is told.
pub fn revoke_app(
    conn: &mut PgConnection,
    account_id: Uuid,
    client_id: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let consents = diesel::delete(oauth_consents::table.find((account_id, client_id))).execute(conn)?;
    let ended: Vec<(Uuid, String, Uuid, Option<Uuid>)> = diesel::update(
        oauth_families::table
            .filter(oauth_families::account_id.eq(account_id))
            .filter(oauth_families::client_id.eq(client_id))
            .filter(oauth_families::revoked_at.is_null()),
    )
    .set((
        oauth_families::revoked_at.eq(now),
        oauth_families::revoked_reason.eq("app_revoked"),
    ))
    .returning((
        oauth_families::id,
        oauth_families::client_id,
        oauth_families::account_id,
        oauth_families::session_id,
    ))
    .get_results(conn)?;
    tell_clients(conn, &ended)?;
    Ok(consents + ended.len())
}

/// Queues a back-channel logout for each ended family whose client asked for them.
fn tell_clients(conn: &mut PgConnection, ended: &[(Uuid, String, Uuid, Option<Uuid>)]) -> QueryResult<()> {
    for (family, client_id, account_id, session_id) in ended {
        let uri: Option<Option<String>> = oauth_clients::table
            .find(client_id)
            .select(oauth_clients::backchannel_logout_uri)
            .first(conn)
            .optional()?;
        if uri.flatten().is_none() {
            continue;
        }
        jobs::enqueue(
            conn,
            NewJob::new(
                BACKCHANNEL_JOB,
                json!({ "client_id": client_id, "account_id": account_id, "session_id": session_id, "family": family }),
            )
            .dedup(format!("backchannel:{family}"))
            .max_attempts(5),
        )?;
    }
    Ok(())
}

/// What no longer needs keeping at `now`: codes an hour past their minute (a replay after that is
/// just an unknown code), refresh tokens past their end, and sign-ins revoked over 30 days ago
/// (with their tokens).
pub fn purge(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    let codes = diesel::delete(oauth_codes::table.filter(oauth_codes::expires_at.lt(now - chrono::Duration::hours(1))))
        .execute(conn)?;
    let refresh =
        diesel::delete(oauth_refresh_tokens::table.filter(oauth_refresh_tokens::expires_at.lt(now))).execute(conn)?;
    let families =
        diesel::delete(oauth_families::table.filter(oauth_families::revoked_at.lt(now - chrono::Duration::days(30))))
            .execute(conn)?;
    Ok(codes + refresh + families)
}

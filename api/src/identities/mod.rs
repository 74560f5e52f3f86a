//! Identities: signing in with a provider's verified identity (creating the ORCID-anchored
//! account on first sign-in), pending sign-ups that start at Google or GitHub, linking more
//! identities, and storing the ORCID permissions a person grants. The browser flows in
//! `routes/auth.rs` call these once the provider has answered.

pub mod flow;

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::providers::VerifiedIdentity;
use crate::auth::session;
use crate::crypto::{identity_context, permission_context};
use crate::db::models::Account;
use crate::db::schema::{accounts, identities, orcid_permissions, pending_signups};
use crate::domain::{GrantStatus, OrcidId, PermissionKind, Provider};
use crate::error::{ApiError, ApiResult, ErrorCode};

/// The session key holding a pending sign-up's id.
pub const PENDING_SIGNUP: &str = "pending_signup";

/// How long a sign-up that started at Google or GitHub waits for its ORCID iD.
pub const PENDING_SIGNUP_MINUTES: i64 = 30;

/// A 303 to `location`.
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

pub fn seal(state: &AppState, token: &str, context: &str) -> Result<Vec<u8>, ApiError> {
    let cipher = state
        .cipher
        .as_ref()
        .ok_or_else(|| ApiError::internal("ENCRYPTION_KEY is not configured"))?;
    Ok(cipher.seal_str(token, context))
}

/// An identity's access and refresh tokens, sealed for its `identities` row.
fn seal_tokens(state: &AppState, identity: &VerifiedIdentity) -> Result<(Vec<u8>, Option<Vec<u8>>), ApiError> {
    let context = |kind| identity_context(identity.provider, &identity.subject, kind);
    let access = seal(state, identity.access_token.expose(), &context("access"))?;
    let refresh = identity
        .refresh_token
        .as_ref()
        .map(|t| seal(state, t.expose(), &context("refresh")))
        .transpose()?;
    Ok((access, refresh))
}

/// When a provider's token ends, counted from `now`.
pub fn expiry(identity: &VerifiedIdentity, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    identity
        .expires_in
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .map(|d| now + d)
}

pub async fn sign_in(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    session: &Session,
    identity: VerifiedIdentity,
    pending_signup_id: Option<Uuid>,
    return_to: &str,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (access, refresh) = seal_tokens(state, &identity)?;
    let expires = expiry(&identity, now);
    let ttl = state.config.session_ttl;
    let req2 = session::ClientInfo::of(req, &state.config);
    // The pending sign-up is finished only if this browser still holds the one the person
    // confirmed when the flow started.
    if let Some(id) = pending_signup_id {
        if session.get::<Uuid>(PENDING_SIGNUP).ok().flatten() != Some(id) {
            return Err(ApiError::new(
                ErrorCode::NoPendingSignup,
                "The sign-up you confirmed is no longer waiting in this browser; sign in with Google or GitHub again.",
            ));
        }
    }
    // A new sign-in replaces the browser's previous session, which ends here.
    let previous = session::cookie_session_id(session);
    let authenticated_at = identity.auth_time;
    if identity.provider == Provider::Orcid {
        let orcid = OrcidId::parse(&identity.subject).map_err(|e| {
            ApiError::new(
                ErrorCode::UnusableOrcidId,
                format!("ORCID returned an identifier we cannot use: {e}"),
            )
        })?;
        let cipher = state.cipher.clone();
        let new_token = identity.access_token.clone();
        let context = identity_context(Provider::Orcid, &identity.subject, "access");
        let (sid, replaced) = crate::db::run(&state.pool, move |conn| {
            conn.transaction(|conn| {
                let replaced = stored_identity_token(conn, Provider::Orcid, orcid.as_str())?;
                let account_id = upsert_orcid_account(conn, &orcid, &identity, access, refresh, expires, now)?;
                if let (Some(pending), Some(cipher)) = (pending_signup_id, cipher) {
                    attach_pending_signup(conn, &cipher, account_id, pending, now)?;
                }
                let sid = session::start(conn, &req2, account_id, ttl, now, authenticated_at)?;
                if let Some(old) = previous {
                    session::replace(conn, old, sid, account_id, now)?;
                }
                // Read the record again: the person may have changed it on orcid.org.
                crate::claims::reconcile::enqueue(conn, orcid.as_str())?;
                Ok::<_, ApiError>((sid, replaced))
            })
        })
        .await?;
        retire_replaced(state, Provider::Orcid, replaced, &context, new_token.expose());
        session.remove(PENDING_SIGNUP);
        session::attach(session, sid)?;
        return Ok(crate::auth::sso::with_datacite_cookie(state, sid, redirect(return_to)).await);
    }
    // Google or GitHub: an identity already linked signs in to its account.
    let (provider, subject) = (identity.provider, identity.subject.clone());
    let linked: Option<Uuid> = crate::db::run(&state.pool, move |conn| {
        Ok(identities::table
            .filter(identities::provider.eq(provider))
            .filter(identities::subject.eq(&subject))
            .select(identities::account_id)
            .first(conn)
            .optional()?)
    })
    .await?;
    if let Some(account_id) = linked {
        let subject = identity.subject.clone();
        let context = identity_context(provider, &subject, "access");
        let (sid, replaced) = crate::db::run(&state.pool, move |conn| {
            conn.transaction(|conn| {
                let replaced = stored_identity_token(conn, provider, &subject)?;
                diesel::update(
                    identities::table
                        .filter(identities::provider.eq(provider))
                        .filter(identities::subject.eq(&subject)),
                )
                .set((
                    identities::access_token_enc.eq(Some(access)),
                    identities::refresh_token_enc.eq(refresh),
                    identities::token_expires_at.eq(expires),
                    identities::last_used_at.eq(now),
                ))
                .execute(conn)?;
                fill_account(
                    conn,
                    account_id,
                    identity.email.as_deref(),
                    identity.given_name.as_deref(),
                    identity.family_name.as_deref(),
                    now,
                )?;
                let sid = session::start(conn, &req2, account_id, ttl, now, authenticated_at)?;
                if let Some(old) = previous {
                    session::replace(conn, old, sid, account_id, now)?;
                }
                Ok::<_, ApiError>((sid, replaced))
            })
        })
        .await?;
        retire_replaced(state, provider, replaced, &context, identity.access_token.expose());
        session::attach(session, sid)?;
        return Ok(crate::auth::sso::with_datacite_cookie(state, sid, redirect(return_to)).await);
    }
    // Unknown identity: keep it for 30 minutes and ask for the ORCID iD to finish.
    // Never link by matching email.
    let pending_access = seal(
        state,
        identity.access_token.expose(),
        &identity_context(provider, &identity.subject, "pending"),
    )?;
    let id = crate::db::run(&state.pool, move |conn| {
        Ok(diesel::insert_into(pending_signups::table)
            .values((
                pending_signups::provider.eq(provider.as_str()),
                pending_signups::subject.eq(&identity.subject),
                pending_signups::email.eq(&identity.email),
                pending_signups::display_name.eq(&identity.name),
                pending_signups::avatar_url.eq(&identity.avatar_url),
                pending_signups::profile_url.eq(&identity.profile_url),
                pending_signups::access_token_enc.eq(Some(pending_access)),
                pending_signups::scopes.eq(&identity.scopes),
                pending_signups::token_expires_at.eq(expires),
                pending_signups::expires_at.eq(now + chrono::Duration::minutes(PENDING_SIGNUP_MINUTES)),
            ))
            .returning(pending_signups::id)
            .get_result::<Uuid>(conn)?)
    })
    .await?;
    session.insert(PENDING_SIGNUP, id).map_err(ApiError::internal)?;
    Ok(redirect("/link-orcid"))
}

/// The sealed access token stored for an identity, before a new sign-in replaces it.
fn stored_identity_token(conn: &mut PgConnection, provider: Provider, subject: &str) -> QueryResult<Option<Vec<u8>>> {
    Ok(identities::table
        .filter(identities::provider.eq(provider))
        .filter(identities::subject.eq(subject))
        .select(identities::access_token_enc)
        .for_update()
        .first::<Option<Vec<u8>>>(conn)
        .optional()?
        .flatten())
}

/// Revokes, at the provider and in the background, a token that a newer one has just replaced,
/// so that a copy of the old one (a backup, a log, a leak) stops working. The same token coming
/// back (ORCID may hand out the live one again) is left alone. Google is left alone too: revoking
/// any of its tokens withdraws the person's whole consent, the new token with it (its tokens
/// are short-lived, and the grant ends when the identity is unlinked).
fn retire_replaced(state: &AppState, provider: Provider, sealed: Option<Vec<u8>>, context: &str, new_token: &str) {
    if provider == Provider::Google {
        return;
    }
    let (Some(sealed), Some(cipher)) = (sealed, state.cipher.as_ref()) else {
        return;
    };
    let Ok(old) = cipher.open_str(&sealed, context) else {
        return;
    };
    if crate::crypto::constant_time_eq(old.as_bytes(), new_token.as_bytes()) {
        return;
    }
    let providers = state.providers.clone();
    actix_web::rt::spawn(async move {
        match providers.revoke_token(provider, &old).await {
            Ok(_) => tracing::info!(provider = provider.as_str(), "revoked a replaced provider token"),
            Err(e) => {
                tracing::warn!(provider = provider.as_str(), error = %e, "could not revoke a replaced provider token")
            }
        }
    });
}

pub fn upsert_orcid_account(
    conn: &mut PgConnection,
    orcid: &OrcidId,
    identity: &VerifiedIdentity,
    access: Vec<u8>,
    refresh: Option<Vec<u8>>,
    expires: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ApiResult<Uuid> {
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|v| !v.is_empty())
    };
    let (name, given, family) = (
        clean(&identity.name),
        clean(&identity.given_name),
        clean(&identity.family_name),
    );
    let account_id: Uuid = diesel::insert_into(accounts::table)
        .values((
            accounts::orcid.eq(orcid.as_str()),
            accounts::name.eq(&name),
            accounts::given_names.eq(&given),
            accounts::family_name.eq(&family),
        ))
        .on_conflict(accounts::orcid)
        .do_update()
        // Refresh names from ORCID on every sign-in, but never blank them.
        .set((
            accounts::name.eq(
                diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                    "COALESCE(excluded.name, accounts.name)",
                ),
            ),
            accounts::given_names.eq(
                diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                    "COALESCE(excluded.given_names, accounts.given_names)",
                ),
            ),
            accounts::family_name.eq(
                diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                    "COALESCE(excluded.family_name, accounts.family_name)",
                ),
            ),
        ))
        .returning(accounts::id)
        .get_result(conn)?;
    diesel::insert_into(identities::table)
        .values((
            identities::account_id.eq(account_id),
            identities::provider.eq("orcid"),
            identities::subject.eq(orcid.as_str()),
            identities::display_name.eq(&name),
            identities::profile_url.eq(&identity.profile_url),
            identities::access_token_enc.eq(Some(access.clone())),
            identities::refresh_token_enc.eq(refresh.clone()),
            identities::scopes.eq(&identity.scopes),
            identities::token_expires_at.eq(expires),
            identities::last_used_at.eq(Some(now)),
        ))
        .on_conflict((identities::provider, identities::subject))
        .do_update()
        .set((
            identities::display_name.eq(&name),
            identities::access_token_enc.eq(Some(access)),
            identities::refresh_token_enc.eq(refresh),
            identities::scopes.eq(&identity.scopes),
            identities::token_expires_at.eq(expires),
            identities::last_used_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(account_id)
}

#[derive(Queryable)]
#[expect(dead_code, reason = "every column is selected; not all are used")]
pub struct PendingSignup {
    id: Uuid,
    provider: String,
    subject: String,
    email: Option<String>,
    display_name: Option<String>,
    avatar_url: Option<String>,
    profile_url: Option<String>,
    access_token_enc: Option<Vec<u8>>,
    refresh_token_enc: Option<Vec<u8>>,
    scopes: Vec<String>,
    token_expires_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// Finishes a Google/GitHub sign-up by linking it to the ORCID-keyed account.
/// Fills what the account lacks (email, given and family names) from a connected service's
/// verified details: Google's verified address, GitHub's primary verified one. What the person
/// set (or the ORCID record gave) is never replaced.
pub fn fill_account(
    conn: &mut PgConnection,
    account_id: Uuid,
    email: Option<&str>,
    given: Option<&str>,
    family: Option<&str>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    use diesel::sql_types::{Nullable, Text, Timestamptz};
    let blank = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let (email, given, family) = (blank(email), blank(given), blank(family));
    if email.is_none() && given.is_none() && family.is_none() {
        return Ok(0);
    }
    diesel::sql_query(
        "UPDATE accounts SET
             email = COALESCE(NULLIF(email, ''), $2),
             given_names = COALESCE(NULLIF(given_names, ''), $3),
             family_name = COALESCE(NULLIF(family_name, ''), $4),
             updated_at = $5
         WHERE id = $1
           AND ((NULLIF(email, '') IS NULL AND $2 IS NOT NULL)
             OR (NULLIF(given_names, '') IS NULL AND $3 IS NOT NULL)
             OR (NULLIF(family_name, '') IS NULL AND $4 IS NOT NULL))",
    )
    .bind::<diesel::sql_types::Uuid, _>(account_id)
    .bind::<Nullable<Text>, _>(email)
    .bind::<Nullable<Text>, _>(given)
    .bind::<Nullable<Text>, _>(family)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
}

pub fn attach_pending_signup(
    conn: &mut PgConnection,
    cipher: &crate::crypto::Cipher,
    account_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(p): Option<PendingSignup> = diesel::delete(
        pending_signups::table
            .find(id)
            .filter(pending_signups::expires_at.gt(now)),
    )
    .returning(pending_signups::all_columns)
    .get_result(conn)
    .optional()?
    else {
        return Ok(());
    };
    let provider: Provider = p.provider.parse().map_err(|_| ApiError::internal("bad provider"))?;
    // Re-seal under the identity's own context.
    let access = match &p.access_token_enc {
        Some(sealed) => {
            let token = cipher
                .open_str(sealed, &identity_context(provider, &p.subject, "pending"))
                .map_err(ApiError::internal)?;
            Some(cipher.seal_str(&token, &identity_context(provider, &p.subject, "access")))
        }
        None => None,
    };
    let taken: Option<Uuid> = identities::table
        .filter(identities::provider.eq(&p.provider))
        .filter(identities::subject.eq(&p.subject))
        .select(identities::account_id)
        .first(conn)
        .optional()?;
    let has_provider: i64 = identities::table
        .filter(identities::account_id.eq(account_id))
        .filter(identities::provider.eq(&p.provider))
        .count()
        .get_result(conn)?;
    if taken.is_some() || has_provider > 0 {
        tracing::info!(provider = %p.provider, "pending sign-up not linked: identity or provider already linked");
        return Ok(());
    }
    diesel::insert_into(identities::table)
        .values((
            identities::account_id.eq(account_id),
            identities::provider.eq(&p.provider),
            identities::subject.eq(&p.subject),
            identities::email.eq(&p.email),
            identities::display_name.eq(&p.display_name),
            identities::avatar_url.eq(&p.avatar_url),
            identities::profile_url.eq(&p.profile_url),
            identities::access_token_enc.eq(access),
            identities::scopes.eq(&p.scopes),
            identities::token_expires_at.eq(p.token_expires_at),
            identities::last_used_at.eq(Some(now)),
        ))
        .execute(conn)?;
    fill_account(conn, account_id, p.email.as_deref(), None, None, now)?;
    Ok(())
}

pub async fn link(state: &web::Data<AppState>, account_id: Uuid, identity: VerifiedIdentity) -> ApiResult<()> {
    let now = state.clock.now();
    let provider = identity.provider;
    let (access, refresh) = seal_tokens(state, &identity)?;
    let expires = expiry(&identity, now);
    crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let owner: Option<Uuid> = identities::table
                .filter(identities::provider.eq(provider))
                .filter(identities::subject.eq(&identity.subject))
                .select(identities::account_id)
                .for_update()
                .first(conn)
                .optional()?;
            match owner {
                Some(owner) if owner != account_id => {
                    return Err(ApiError::new(
                        ErrorCode::IdentityTaken,
                        format!(
                            "This {} account is already linked to another Profiles account. Sign in with it and unlink it there first.",
                            provider.label()
                        ),
                    ))
                }
                Some(_) => {
                    diesel::update(
                        identities::table
                            .filter(identities::provider.eq(provider))
                            .filter(identities::subject.eq(&identity.subject)),
                    )
                    .set((
                        identities::access_token_enc.eq(Some(access)),
                        identities::refresh_token_enc.eq(refresh),
                        identities::token_expires_at.eq(expires),
                        identities::email.eq(&identity.email),
                        identities::display_name.eq(&identity.name),
                        identities::last_used_at.eq(Some(now)),
                    ))
                    .execute(conn)?;
                }
                None => {
                    let existing: i64 = identities::table
                        .filter(identities::account_id.eq(account_id))
                        .filter(identities::provider.eq(provider))
                        .count()
                        .get_result(conn)?;
                    if existing > 0 {
                        return Err(ApiError::new(
                            ErrorCode::ProviderAlreadyLinked,
                            format!(
                                "Another {} account is linked already. Unlink it first to connect this one.",
                                provider.label()
                            ),
                        ));
                    }
                    diesel::insert_into(identities::table)
                        .values((
                            identities::account_id.eq(account_id),
                            identities::provider.eq(provider),
                            identities::subject.eq(&identity.subject),
                            identities::email.eq(&identity.email),
                            identities::display_name.eq(&identity.name),
                            identities::avatar_url.eq(&identity.avatar_url),
                            identities::profile_url.eq(&identity.profile_url),
                            identities::access_token_enc.eq(Some(access)),
                            identities::refresh_token_enc.eq(refresh),
                            identities::scopes.eq(&identity.scopes),
                            identities::token_expires_at.eq(expires),
                        ))
                        .execute(conn)?;
                }
            }
            fill_account(
                conn,
                account_id,
                identity.email.as_deref(),
                identity.given_name.as_deref(),
                identity.family_name.as_deref(),
                now,
            )?;
            Ok(())
        })
    })
    .await
}

pub async fn store_grant(
    state: &web::Data<AppState>,
    account_id: Uuid,
    kind: PermissionKind,
    identity: VerifiedIdentity,
) -> ApiResult<()> {
    let now = state.clock.now();
    let account: Account = crate::db::run(&state.pool, move |conn| {
        Ok(accounts::table
            .find(account_id)
            .select(Account::as_select())
            .first(conn)?)
    })
    .await?;
    let granted_by = OrcidId::parse(&identity.subject)
        .map(|o| o.to_string())
        .unwrap_or_default();
    if granted_by != account.orcid {
        // Not ours to keep: give it back.
        let _ = state
            .providers
            .revoke(Provider::Orcid, identity.access_token.expose())
            .await;
        return Err(ApiError::new(
            ErrorCode::GrantWrongOrcid,
            format!(
                "You granted access for ORCID iD {granted_by}, but you are signed in as {}. Sign in to orcid.org as {} and try again.",
                account.orcid, account.orcid
            ),
        ));
    }
    let access = seal(
        state,
        identity.access_token.expose(),
        &permission_context(account_id, kind, "access"),
    )?;
    let refresh = identity
        .refresh_token
        .as_ref()
        .map(|t| seal(state, t.expose(), &permission_context(account_id, kind, "refresh")))
        .transpose()?;
    let expires = expiry(&identity, now);
    let scope = identity.scopes.join(" ");
    let (orcid, max_attempts) = (account.orcid.clone(), state.config.claims.max_attempts);
    let replaced = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let replaced: Option<Vec<u8>> = orcid_permissions::table
                .filter(orcid_permissions::account_id.eq(account_id))
                .filter(orcid_permissions::kind.eq(kind))
                .select(orcid_permissions::access_token_enc)
                .for_update()
                .first::<Option<Vec<u8>>>(conn)
                .optional()?
                .flatten();
            diesel::insert_into(orcid_permissions::table)
                .values((
                    orcid_permissions::account_id.eq(account_id),
                    orcid_permissions::kind.eq(kind),
                    orcid_permissions::access_token_enc.eq(Some(access.clone())),
                    orcid_permissions::refresh_token_enc.eq(refresh.clone()),
                    orcid_permissions::scope.eq(&scope),
                    orcid_permissions::expires_at.eq(expires),
                    orcid_permissions::status.eq(GrantStatus::Active),
                ))
                .on_conflict((orcid_permissions::account_id, orcid_permissions::kind))
                .do_update()
                .set((
                    orcid_permissions::access_token_enc.eq(Some(access)),
                    orcid_permissions::refresh_token_enc.eq(refresh),
                    orcid_permissions::scope.eq(&scope),
                    orcid_permissions::expires_at.eq(expires),
                    orcid_permissions::status.eq(GrantStatus::Active),
                    orcid_permissions::granted_at.eq(now),
                    orcid_permissions::revoked_at.eq(None::<DateTime<Utc>>),
                ))
                .execute(conn)?;
            // What is in the record already decides what is pushed.
            crate::claims::reconcile::enqueue(conn, &orcid)?;
            // Auto-Update from now on, and for every DOI that names the person already.
            if kind == PermissionKind::AutoUpdate {
                crate::claims::backfill::enqueue(conn, &orcid)?;
            }
            // Claims that waited for this permission go out now.
            let resumed =
                crate::claims::store::resume(conn, &orcid, crate::claims::ClaimSource::of(kind), max_attempts)?;
            if resumed > 0 {
                tracing::info!(resumed, kind = kind.as_str(), "claims resumed by a new ORCID grant");
            }
            Ok::<_, diesel::result::Error>(replaced)
        })
        .map_err(ApiError::from)
    })
    .await?;
    retire_replaced(
        state,
        Provider::Orcid,
        replaced,
        &permission_context(account_id, kind, "access"),
        identity.access_token.expose(),
    );
    Ok(())
}

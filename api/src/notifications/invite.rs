//! Following a notification's "Grant permission": ORCID sends the person back to our grant
//! callback with the notification's own `state` (`inv_…`). The link was made days before in a
//! worker, so nothing binds it to this browser; what stands in for the flow cookie is the
//! notification itself: its PKCE verifier (sealed) and nonce, and its ORCID iD, which the
//! identity token must name.
//!
//! A granted permission is safe to store whoever's browser brought the code (it is that
//! person's own, for their own record). Signing in is not: a code forwarded to someone else
//! would sign them in as the sender. So unless this browser is already that person's session,
//! the person is sent on through an ordinary, browser-bound ORCID sign-in, which orcid.org
//! answers at once for someone who just signed in there.

use actix_session::SessionExt;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::send::verifier_context;
use super::INVITE_PREFIX;
use crate::app::AppState;
use crate::auth::providers::VerifiedIdentity;
use crate::auth::session;
use crate::crypto::sha256;
use crate::db::schema::{accounts, identities, orcid_notifications};
use crate::domain::{OrcidId, PermissionKind, Provider};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identities::flow::{begin, provider_error, CallbackQuery, NewState};
use crate::identities::{redirect, store_grant};

/// Where a person lands once the notification's grant is done: their claims, with the works
/// on their way.
pub const LANDING: &str = "/settings/claims?granted=auto_update&via=inbox";

/// Whether a callback's `state` is a notification link's: shaped as ours and one we sent (an
/// ordinary flow's random state may, rarely, begin the same way).
pub async fn is_invite(state: &AppState, value: Option<&str>) -> bool {
    let Some(value) = value.filter(|s| s.starts_with(INVITE_PREFIX) && s.len() <= 128) else {
        return false;
    };
    let hash = sha256(value.as_bytes());
    crate::db::run(&state.pool, move |conn| {
        Ok(orcid_notifications::table
            .filter(orcid_notifications::state_hash.eq(hash))
            .count()
            .get_result::<i64>(conn)?)
    })
    .await
    .is_ok_and(|n| n > 0)
}

/// Finishes a grant that started in an ORCID inbox.
pub async fn finish(req: &HttpRequest, state: &web::Data<AppState>, query: CallbackQuery) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let value = query.state.clone().unwrap_or_default();
    let hash = sha256(value.as_bytes());
    type Row = (Uuid, String, String, Vec<u8>, DateTime<Utc>);
    let found: Option<Row> = crate::db::run(&state.pool, move |conn| {
        Ok(orcid_notifications::table
            .filter(orcid_notifications::state_hash.eq(hash))
            .select((
                orcid_notifications::id,
                orcid_notifications::orcid,
                orcid_notifications::nonce,
                orcid_notifications::pkce_verifier_enc,
                orcid_notifications::expires_at,
            ))
            .first(conn)
            .optional()?)
    })
    .await?;
    let (id, orcid, nonce, sealed, expires_at) = found.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidState,
            "This link from your ORCID inbox is not one of ours. Sign in to Profiles to enable Auto-Update.",
        )
    })?;
    if expires_at < now {
        return Err(ApiError::new(
            ErrorCode::ExpiredState,
            "This link from your ORCID inbox has expired. Sign in to Profiles to enable Auto-Update.",
        ));
    }
    if let Some(error) = query.error {
        let code = if error == "access_denied" {
            "access_denied"
        } else {
            "provider_error"
        };
        return Ok(redirect(&format!("/sign-in?error={code}")));
    }
    let code = query
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::new(ErrorCode::MissingCode, "ORCID sent no authorization code."))?;
    let verifier = state
        .cipher
        .as_ref()
        .and_then(|c| c.open_str(&sealed, &verifier_context(id)).ok())
        .ok_or_else(|| ApiError::internal("a notification's PKCE verifier does not decrypt; check ENCRYPTION_KEY"))?;
    let identity = state
        .providers
        .finish(Provider::Orcid, &code, &verifier, Some(&nonce), true)
        .await
        .map_err(provider_error)?;
    let granted_by = OrcidId::parse(&identity.subject)
        .map(|o| o.to_string())
        .unwrap_or_default();
    if granted_by != orcid {
        let _ = state
            .providers
            .revoke(Provider::Orcid, identity.access_token.expose())
            .await;
        return Err(ApiError::new(
            ErrorCode::GrantWrongOrcid,
            format!(
                "This link was sent to the ORCID inbox of {orcid}, but you granted access as {granted_by}. Sign in to orcid.org as {orcid} and follow the link again, or sign in to Profiles."
            ),
        ));
    }
    let account_id = {
        let (o, i) = (orcid.clone(), identity.clone());
        crate::db::run(&state.pool, move |conn| Ok(ensure_account(conn, &o, &i)?)).await?
    };
    store_grant(state, account_id, PermissionKind::AutoUpdate, identity).await?;
    crate::db::run(&state.pool, move |conn| {
        diesel::update(orcid_notifications::table.find(id))
            .set((
                orcid_notifications::granted_at.eq(diesel::dsl::sql::<
                    diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
                >("COALESCE(granted_at, now())")),
                orcid_notifications::actioned_at.eq(diesel::dsl::sql::<
                    diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
                >("COALESCE(actioned_at, now())")),
            ))
            .execute(conn)?;
        crate::audit::audit(
            conn,
            None,
            "system",
            "auto_update.granted_from_inbox",
            ("account", &orcid),
            serde_json::json!({ "notification": id }),
        )?;
        Ok(())
    })
    .await?;
    tracing::info!(notification = %id, "Auto-Update granted from an ORCID inbox notification");
    // Already this person's session here: straight to their claims.
    let session = req.get_session();
    if let Some(sid) = session::cookie_session_id(&session) {
        let signed_in_as: Option<Uuid> = crate::db::run(&state.pool, move |conn| {
            Ok(crate::db::schema::sessions::table
                .find(sid)
                .filter(crate::db::schema::sessions::revoked_at.is_null())
                .filter(crate::db::schema::sessions::expires_at.gt(now))
                .select(crate::db::schema::sessions::account_id)
                .first(conn)
                .optional()?)
        })
        .await?;
        if signed_in_as == Some(account_id) {
            return Ok(redirect(LANDING));
        }
    }
    begin(
        req,
        state,
        NewState {
            provider: Provider::Orcid,
            intent: "sign_in",
            account_id: None,
            session_id: None,
            grant_kind: None,
            pending_signup_id: None,
            return_to: LANDING.to_owned(),
            fresh_login: false,
        },
    )
    .await
}

/// The account of `orcid`, made now (from the identity token's names) if there is none.
fn ensure_account(conn: &mut PgConnection, orcid: &str, identity: &VerifiedIdentity) -> QueryResult<Uuid> {
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|v| !v.is_empty())
    };
    let name = clean(&identity.name);
    conn.transaction(|conn| {
        let created: Option<Uuid> = diesel::insert_into(accounts::table)
            .values((
                accounts::orcid.eq(orcid),
                accounts::name.eq(&name),
                accounts::given_names.eq(clean(&identity.given_name)),
                accounts::family_name.eq(clean(&identity.family_name)),
            ))
            .on_conflict(accounts::orcid)
            .do_nothing()
            .returning(accounts::id)
            .get_result(conn)
            .optional()?;
        let id = match created {
            Some(id) => id,
            None => accounts::table
                .filter(accounts::orcid.eq(orcid))
                .select(accounts::id)
                .first(conn)?,
        };
        // The account's ORCID identity, without a sign-in token until the person signs in.
        diesel::insert_into(identities::table)
            .values((
                identities::account_id.eq(id),
                identities::provider.eq(Provider::Orcid.as_str()),
                identities::subject.eq(orcid),
                identities::display_name.eq(&name),
                identities::profile_url.eq(&identity.profile_url),
                identities::scopes.eq(Vec::<String>::new()),
            ))
            .on_conflict((identities::provider, identities::subject))
            .do_nothing()
            .execute(conn)?;
        Ok(id)
    })
}

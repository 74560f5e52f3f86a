//! Your data: everything held about you, as JSON; and deleting your account.

use std::collections::BTreeMap;

use actix_session::Session as CookieSession;
use actix_web::{delete, get, http::header, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::accounts::{load_identities, load_permissions, overview, revoke_sealed, AccountView, SessionView};
use crate::app::AppState;
use crate::audit::{audit, AuditEntry, AUDIT_COLUMNS};
use crate::auth::api_tokens::ApiTokenView;
use crate::auth::session::Caller;
use crate::claims::store::Claim;
use crate::claims::view::ClaimView;
use crate::crypto::{identity_context, permission_context};
use crate::db::models::{Identity, OrcidPermission, Session};
use crate::db::schema::{accounts, api_tokens, audit_log, claims, orcid_activity, sessions};
use crate::domain::Provider;
use crate::error::responses::{JsonBodyErrors, NeedsRecentSignIn, NotSignedIn};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::policy::Action;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountExport {
    pub exported_at: DateTime<Utc>,
    /// The account with its identities and ORCID permissions (never their tokens).
    pub account: AccountView,
    pub claims: Vec<ClaimView>,
    /// Every session, ended ones included.
    pub sessions: Vec<SessionView>,
    pub api_tokens: Vec<ApiTokenView>,
    /// Audit entries about the account or made by it.
    pub audit: Vec<AuditEntry>,
    /// What Profiles did, or tried, in your ORCID record, oldest first.
    pub orcid_activity: Vec<crate::claims::activity::ActivityEntry>,
    /// The permission notifications sent to your ORCID inbox, newest first.
    pub orcid_notifications: Vec<crate::notifications::history::NotificationView>,
}

/// Export your data
///
/// Everything held about you as one JSON document: account, identities (without secrets), ORCID
/// permissions, claims, sessions, API tokens, audit entries about you, the activity log of your
/// ORCID record and the notifications sent to your ORCID inbox.
#[utoipa::path(
    tag = "account",
    responses(
        (status = 200, description = "Your data, as a download.", body = AccountExport),
        NotSignedIn,
        (status = 403, description = "Called with an API token.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/accounts/me/export")]
pub async fn export(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    caller.authorize(Action::ReadOwnAccount, None)?;
    let account = overview(&state, caller.account.id).await?;
    let (id, orcid, current) = (caller.account.id, caller.account.orcid.clone(), caller.session_id);
    let (claim_rows, session_rows, token_rows, audit_rows, activity_rows, notices) =
        crate::db::run(&state.pool, move |conn| {
            let claim_rows: Vec<Claim> = claims::table
                .filter(claims::orcid.eq(&orcid))
                .order(claims::created_at)
                .select(Claim::as_select())
                .load(conn)?;
            let session_rows: Vec<Session> = sessions::table
                .filter(sessions::account_id.eq(id))
                .order(sessions::created_at)
                .select(Session::as_select())
                .load(conn)?;
            let token_rows = crate::auth::api_tokens::load_views(conn, id)?;
            let audit_rows: Vec<AuditEntry> = audit_log::table
                .filter(
                    audit_log::actor_id.eq(id).or(audit_log::target_type
                        .eq("account")
                        .and(audit_log::target_id.eq(&orcid))),
                )
                .order(audit_log::id)
                .select(AUDIT_COLUMNS)
                .load(conn)?;
            let activity_rows = crate::claims::activity::all_of(conn, &orcid)?;
            let (notices, _) = crate::notifications::history::list(conn, Some(&orcid), None, (1, 1000))?;
            Ok((claim_rows, session_rows, token_rows, audit_rows, activity_rows, notices))
        })
        .await?;
    let body = AccountExport {
        exported_at: now,
        claims: claim_rows.into_iter().map(ClaimView::from).collect(),
        sessions: session_rows
            .into_iter()
            .map(|s| SessionView {
                apps: Vec::new(),
                current: Some(s.id) == current,
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
                user_agent: s.user_agent,
                ip: s.ip,
            })
            .collect(),
        api_tokens: token_rows,
        audit: audit_rows,
        orcid_activity: activity_rows,
        orcid_notifications: notices,
        account,
    };
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"profiles-{}.json\"", caller.account.orcid),
        ))
        .json(body))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccount {
    /// Your ORCID iD, typed again to confirm.
    #[schema(example = "0000-0002-1825-0097")]
    pub confirm: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountDeleted {
    /// Per grant (`orcid`, `google`, `github`, `orcid:search_and_link`, `orcid:auto_update`):
    /// whether the provider confirmed the revocation. Our copies are deleted either way.
    pub revoked_at_providers: BTreeMap<String, bool>,
    /// What was deleted, as counts only.
    pub deleted: BTreeMap<String, i64>,
}

/// Delete your account
///
/// Revokes your grants at ORCID, Google and GitHub, then deletes your identities, tokens,
/// sessions, claims and personal data; only anonymous counts remain. Works already in your ORCID
/// record stay there (they are yours). Send your ORCID iD as `confirm`.
#[utoipa::path(
    tag = "account",
    request_body = DeleteAccount,
    responses(
        (status = 200, description = "Deleted; you are signed out.", body = AccountDeleted),
        JsonBodyErrors,
        NeedsRecentSignIn,
        (status = 403, description = "A bearer JWT or an API token (`session_required`, `api_token_not_allowed`: account changes need the browser session); or: Called with an API token, or a cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`confirm` is not your ORCID iD.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/accounts/me")]
pub async fn delete_account(
    caller: Caller,
    state: web::Data<AppState>,
    session: CookieSession,
    body: web::Json<DeleteAccount>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::SecureOwnAccount, None)?;
    let account = caller.account.clone();
    if body.confirm.trim().to_ascii_uppercase() != account.orcid {
        return Err(ApiError::new(
            ErrorCode::ConfirmationRequired,
            "To delete your account, send your ORCID iD as `confirm`.",
        )
        .with_field("confirm", "your ORCID iD"));
    }
    let (id, now) = (account.id, state.clock.now());
    let (identities, permissions): (Vec<Identity>, Vec<OrcidPermission>) = crate::db::run(&state.pool, move |conn| {
        Ok((load_identities(conn, id)?, load_permissions(conn, id)?))
    })
    .await?;
    let mut revoked = BTreeMap::new();
    for identity in &identities {
        let provider = identity.provider;
        let context = identity_context(provider, &identity.subject, "access");
        let ok = revoke_sealed(&state, provider, identity.access_token_enc.as_deref(), &context)
            .await
            .unwrap_or(false);
        revoked.insert(provider.as_str().to_owned(), ok);
    }
    for permission in &permissions {
        let kind = permission.kind;
        let context = permission_context(id, kind, "access");
        let ok = revoke_sealed(
            &state,
            Provider::Orcid,
            permission.access_token_enc.as_deref(),
            &context,
        )
        .await
        .unwrap_or(false);
        revoked.insert(format!("orcid:{}", kind.as_str()), ok);
    }
    let orcid = account.orcid.clone();
    let (identities_n, permissions_n) = (identities.len() as i64, permissions.len() as i64);
    let deleted = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let activity_n =
                diesel::delete(orcid_activity::table.filter(orcid_activity::orcid.eq(&orcid))).execute(conn)? as i64;
            diesel::delete(
                crate::db::schema::orcid_record_works::table
                    .filter(crate::db::schema::orcid_record_works::orcid.eq(&orcid)),
            )
            .execute(conn)?;
            let notifications_n = crate::notifications::forget(conn, &orcid)? as i64;
            let claims_n = diesel::delete(claims::table.filter(claims::orcid.eq(&orcid))).execute(conn)? as i64;
            diesel::delete(
                crate::db::schema::claim_counts::table.filter(crate::db::schema::claim_counts::orcid.eq(&orcid)),
            )
            .execute(conn)?;
            let sessions_n: i64 = sessions::table
                .filter(sessions::account_id.eq(id))
                .count()
                .get_result(conn)?;
            let tokens_n: i64 = api_tokens::table
                .filter(api_tokens::account_id.eq(id))
                .count()
                .get_result(conn)?;
            // Client applications it signed in to are told, before its sessions go.
            let live: Vec<uuid::Uuid> = sessions::table
                .filter(sessions::account_id.eq(id))
                .filter(sessions::revoked_at.is_null())
                .select(sessions::id)
                .load(conn)?;
            crate::clients::tokens::sessions_ended(conn, &live, now)?;
            // Identities, permissions, sessions and API tokens go with the account (ON DELETE CASCADE).
            diesel::delete(accounts::table.find(id)).execute(conn)?;
            // The audit trail keeps what happened, not who it happened to.
            diesel::update(audit_log::table.filter(audit_log::actor_label.eq(&orcid)))
                .set(audit_log::actor_label.eq("deleted account"))
                .execute(conn)?;
            diesel::update(audit_log::table.filter(audit_log::target_id.eq(&orcid)))
                .set(audit_log::target_id.eq("deleted account"))
                .execute(conn)?;
            let counts = BTreeMap::from([
                ("claims".to_owned(), claims_n),
                ("orcid_activity".to_owned(), activity_n),
                ("orcid_notifications".to_owned(), notifications_n),
                ("identities".to_owned(), identities_n),
                ("orcid_permissions".to_owned(), permissions_n),
                ("sessions".to_owned(), sessions_n),
                ("api_tokens".to_owned(), tokens_n),
            ]);
            audit(
                conn,
                None,
                "the account holder",
                "account.deleted",
                ("account", "deleted account"),
                json!({ "deleted": counts }),
            )?;
            Ok::<_, diesel::result::Error>(counts)
        })
        .map_err(ApiError::from)
    })
    .await?;
    session.purge();
    let mut response = HttpResponse::Ok().json(AccountDeleted {
        revoked_at_providers: revoked,
        deleted,
    });
    if let Some(cookie) = crate::auth::sso::clear_datacite_cookie(&state) {
        let _ = response.add_cookie(&cookie);
    }
    Ok(response)
}

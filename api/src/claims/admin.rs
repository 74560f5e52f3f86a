//! What administrators do to claims: re-queue one, skip one, retry the failed ones. Each change
//! is audited under the person's account. Who may do it is the policy's to say, before these run.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::activity::{self, ActivityAction, ActivityReason, NewActivity};
use super::store::{self, Claim};
use super::{ClaimSource, ClaimState};
use crate::audit::audit;
use crate::db::models::Account;
use crate::db::schema::claims;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// Sends a claim through processing again (unless a worker holds it), clearing its error.
pub fn requeue(
    conn: &mut PgConnection,
    actor: &Account,
    id: Uuid,
    max_attempts: i32,
    now: DateTime<Utc>,
) -> ApiResult<Claim> {
    conn.transaction(|conn| {
        let current: Claim = claims::table
            .find(id)
            .select(Claim::as_select())
            .for_update()
            .first(conn)?;
        if current.state() == ClaimState::Working {
            return Err(ApiError::new(
                ErrorCode::ClaimInProgress,
                "A worker is processing this claim; try again shortly.",
            ));
        }
        let routed = store::route(conn, &current, max_attempts, now)?;
        audit(
            conn,
            Some(actor),
            "",
            "claim.requeued",
            ("account", &current.orcid),
            json!({
                "claim": current.id,
                "doi": current.doi,
                "before": {"state": current.state, "error_code": current.error_code},
                "after": {"state": routed.state},
            }),
        )?;
        Ok(routed)
    })
}

/// Marks a waiting or failed claim skipped, with the reason the person sees.
pub fn ignore(conn: &mut PgConnection, actor: &Account, id: Uuid, reason: &str) -> ApiResult<Claim> {
    conn.transaction(|conn| {
        let current: Claim = claims::table
            .find(id)
            .select(Claim::as_select())
            .for_update()
            .first(conn)?;
        if !current.state().can_become(ClaimState::Ignored) || current.state() == ClaimState::Working {
            return Err(ApiError::new(
                ErrorCode::ClaimNotIgnorable,
                format!(
                    "The claim is {}; only waiting or failed claims can be ignored.",
                    current.state()
                ),
            ));
        }
        let updated = store::ignore(conn, &current, reason)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::ClaimNotIgnorable,
                "The claim changed meanwhile; look at it again.",
            )
        })?;
        audit(
            conn,
            Some(actor),
            "",
            "claim.ignored",
            ("account", &current.orcid),
            json!({"claim": current.id, "doi": current.doi,
                       "before": {"state": current.state}, "after": {"state": "ignored", "reason": reason}}),
        )?;
        let entry = NewActivity::new(ActivityAction::Skipped, ActivityReason::Admin)
            .actor(actor.orcid.clone())
            .message(format!("An administrator set it aside: {reason}"));
        activity::record(conn, &updated, entry, updated.updated_at)?;
        Ok(updated)
    })
}

/// What a person's dismissal of their own failed claim says, where the list shows a reason.
pub const DISMISSED: &str = "Dismissed: you chose not to add it.";

/// A person sets aside a claim that failed, or one Auto-Update holds for their approval: it is
/// kept as `ignored`, never pushed, nothing is asked of ORCID (nothing reached the record), and
/// Auto-Update does not propose the DOI again. Adding the DOI by hand queues it afresh.
pub fn dismiss(conn: &mut PgConnection, actor: &Account, id: Uuid) -> ApiResult<Claim> {
    conn.transaction(|conn| {
        let current: Claim = claims::table
            .find(id)
            .select(Claim::as_select())
            .for_update()
            .first(conn)?;
        if !matches!(current.state(), ClaimState::Failed | ClaimState::PendingReview) {
            return Err(ApiError::new(
                ErrorCode::ClaimNotIgnorable,
                format!(
                    "The claim is {}; only a failed claim, or one waiting for your approval, can be dismissed.",
                    current.state()
                ),
            ));
        }
        let updated = store::ignore(conn, &current, DISMISSED)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::ClaimNotIgnorable,
                "The claim changed meanwhile; look at it again.",
            )
        })?;
        crate::audit::claim_change_by_another(conn, actor, "claim.dismissed", Some(&current), &updated)?;
        // Dismissed: never proposed again.
        super::exclusions::exclude_doi(
            conn,
            &current.orcid,
            &current.doi,
            super::exclusions::ORIGIN_DISMISSED,
            updated.updated_at,
        )?;
        let mut entry = NewActivity::new(ActivityAction::Skipped, ActivityReason::Person).message(DISMISSED);
        if actor.orcid != current.orcid {
            entry = NewActivity {
                reason: ActivityReason::Admin,
                ..entry
            }
            .actor(actor.orcid.clone());
        }
        activity::record(conn, &updated, entry, updated.updated_at)?;
        Ok(updated)
    })
}

/// Which failed claims to retry.
#[derive(Debug, Clone)]
pub struct FailedFilter {
    pub orcid: Option<String>,
    pub source: Option<ClaimSource>,
    pub error_code: Option<String>,
}

/// Re-queues the failed claims that match `filter`; returns how many.
pub fn retry_failed(
    conn: &mut PgConnection,
    actor: &Account,
    filter: &FailedFilter,
    max_attempts: i32,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let mut query = claims::table.filter(claims::state.eq(ClaimState::Failed)).into_boxed();
        if let Some(o) = &filter.orcid {
            query = query.filter(claims::orcid.eq(o.clone()));
        }
        if let Some(s) = filter.source {
            query = query.filter(claims::source.eq(s));
        }
        if let Some(code) = &filter.error_code {
            query = query.filter(claims::error_code.eq(code.clone()));
        }
        let failed: Vec<Claim> = query.select(Claim::as_select()).load(conn)?;
        for claim in &failed {
            store::route(conn, claim, max_attempts, now)?;
        }
        // One entry per person, so each shows under their account and in their export.
        let mut by_person: BTreeMap<&str, Vec<&Claim>> = BTreeMap::new();
        for claim in &failed {
            by_person.entry(claim.orcid.as_str()).or_default().push(claim);
        }
        for (person, theirs) in by_person {
            audit(
                conn,
                Some(actor),
                "",
                "claims.retry_failed",
                ("account", person),
                json!({"filter": {"source": filter.source, "error_code": filter.error_code},
                           "requeued": theirs.len(),
                           "claims": theirs.iter().map(|c| json!({"claim": c.id, "doi": c.doi})).collect::<Vec<_>>()}),
            )?;
        }
        Ok::<_, diesel::result::Error>(failed.len())
    })
}

/// The person approves a claim Auto-Update held for their approval: it goes on its way.
pub fn approve(
    conn: &mut PgConnection,
    actor: &Account,
    id: Uuid,
    max_attempts: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Claim> {
    conn.transaction(|conn| {
        let current: Claim = claims::table
            .find(id)
            .select(Claim::as_select())
            .for_update()
            .first(conn)?;
        let updated = store::approve(conn, &current, max_attempts, now)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::ClaimNotReviewable,
                format!(
                    "The claim is {}; only a claim waiting for your approval can be approved.",
                    current.state()
                ),
            )
        })?;
        crate::audit::claim_change_by_another(conn, actor, "claim.approved", Some(&current), &updated)?;
        Ok(updated)
    })
}

/// Approves or dismisses every claim of `orcid` waiting for approval (or those of `ids`);
/// returns how many changed.
pub fn review_all(
    conn: &mut PgConnection,
    actor: &Account,
    orcid: &str,
    ids: Option<&[Uuid]>,
    approve_them: bool,
    max_attempts: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<usize> {
    let mut query = claims::table
        .filter(claims::orcid.eq(orcid))
        .filter(claims::state.eq(ClaimState::PendingReview))
        .select(claims::id)
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(claims::id.eq_any(ids.to_vec()));
    }
    let pending: Vec<Uuid> = query.load(conn)?;
    let mut n = 0;
    for id in pending {
        let done = if approve_them {
            approve(conn, actor, id, max_attempts, now)
        } else {
            dismiss(conn, actor, id)
        };
        match done {
            Ok(_) => n += 1,
            // Moved meanwhile (approved elsewhere, say): not this call's to count.
            Err(e) if e.code == ErrorCode::ClaimNotReviewable || e.code == ErrorCode::ClaimNotIgnorable => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

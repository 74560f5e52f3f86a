//! ORCID inbox permission notifications: Auto-Update reaches people who never signed in.
//!
//! When DOIs name someone who has not granted Auto-Update, their claims wait as
//! `waiting_for_permission`. The sweep ([`sweep`]) gathers those into one *permission
//! notification* per person ([`send`]), posted to their ORCID inbox at most once per period,
//! never to someone who granted, opted out, refused or archived one. Its "Grant permission"
//! link is an ORCID authorization URL whose `state` is ours ([`invite`]): following it grants
//! Auto-Update, pushes the waiting works and signs the person in. Claims of people who never
//! grant expire; ORCID's answers and what the person did are recorded for staff ([`history`]).

pub mod history;
pub mod invite;
pub mod send;
pub mod sweep;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::{orcid_notification_items, orcid_notifications};

/// Gathers waiting claims into notifications and expires the old ones (every
/// `NOTIFICATION_SWEEP_SECS`).
pub const SWEEP_JOB: &str = "notifications.sweep";
/// Sends one person's notification.
pub const SEND_JOB: &str = "notifications.send";
/// Our notification links' `state` values start so (other flows' are plain random tokens).
pub const INVITE_PREFIX: &str = "inv_";
/// The most works one notification names (ORCID shows them as a list in the inbox).
pub const MAX_ITEMS: i64 = 50;

/// What a claim says once it waited too long for a permission.
pub const EXPIRED: &str = "Expired: Auto-Update was never granted for this ORCID iD while the DOI waited.";

/// Where a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Built; ORCID has not accepted it yet (sending, or waiting to try again).
    Pending,
    /// In the person's ORCID inbox.
    Sent,
    /// The person, or their record, does not take notifications: none is sent again.
    Refused,
    /// ORCID refused the request itself; tried again after the period at the earliest.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Sent, Self::Refused, Self::Failed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// One notification row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orcid_notifications)]
pub struct Notification {
    pub id: Uuid,
    pub orcid: String,
    pub status: String,
    pub answer: Option<String>,
    pub orcid_status: Option<i32>,
    pub message: Option<String>,
    pub put_code: Option<i64>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub actioned_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
    pub checked_at: Option<DateTime<Utc>>,
    pub granted_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// Why no notification goes to a person now, if none does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    /// Auto-Update is granted: the claims go out by themselves.
    Granted,
    /// The person turned notifications off in their settings.
    OptedOut,
    /// An earlier one was refused, or archived without granting: never again.
    Declined,
    /// One was sent (or tried) within the period; the next may go after `until`.
    Recent { until: DateTime<Utc> },
}

/// Whether `orcid` may be sent a notification at `now` (`interval`: one per period).
pub fn hold(
    conn: &mut PgConnection,
    orcid: &str,
    interval: chrono::Duration,
    now: DateTime<Utc>,
) -> QueryResult<Option<Hold>> {
    use crate::claims::store::{readiness, Readiness};
    use crate::claims::ClaimSource;
    use crate::db::schema::{accounts, orcid_permissions};
    use crate::domain::{GrantStatus, PermissionKind};
    if readiness(conn, orcid, ClaimSource::AutoUpdate, now)? == Readiness::Ready {
        return Ok(Some(Hold::Granted));
    }
    let wants: Option<bool> = accounts::table
        .filter(accounts::orcid.eq(orcid))
        .select(accounts::inbox_notifications)
        .first(conn)
        .optional()?;
    if wants == Some(false) {
        return Ok(Some(Hold::OptedOut));
    }
    // Turned off by the person here: not ours to ask again.
    let revoked: i64 = accounts::table
        .inner_join(orcid_permissions::table)
        .filter(accounts::orcid.eq(orcid))
        .filter(orcid_permissions::kind.eq(PermissionKind::AutoUpdate))
        .filter(orcid_permissions::status.eq(GrantStatus::Revoked))
        .count()
        .get_result(conn)?;
    if revoked > 0 {
        return Ok(Some(Hold::Declined));
    }
    let declined: i64 = orcid_notifications::table
        .filter(orcid_notifications::orcid.eq(orcid))
        .filter(
            orcid_notifications::status
                .eq(Status::Refused.as_str())
                .or(orcid_notifications::archived_at
                    .is_not_null()
                    .and(orcid_notifications::granted_at.is_null())),
        )
        .count()
        .get_result(conn)?;
    if declined > 0 {
        return Ok(Some(Hold::Declined));
    }
    let last: Option<DateTime<Utc>> = orcid_notifications::table
        .filter(orcid_notifications::orcid.eq(orcid))
        .filter(orcid_notifications::status.ne(Status::Pending.as_str()))
        .select(diesel::dsl::max(orcid_notifications::created_at))
        .first(conn)?;
    Ok(last
        .map(|at| at + interval)
        .filter(|until| *until > now)
        .map(|until| Hold::Recent { until }))
}

/// The claims a new notification for `orcid` would name: Auto-Update claims waiting for the
/// permission that no sent (or sending) notification named yet, newest first.
pub fn unasked(conn: &mut PgConnection, orcid: &str, limit: i64) -> QueryResult<Vec<(Uuid, String, Option<String>)>> {
    use crate::claims::{ClaimSource, ClaimState};
    use crate::db::schema::claims;
    let asked = orcid_notification_items::table
        .inner_join(orcid_notifications::table)
        .filter(orcid_notifications::status.eq_any([Status::Sent.as_str(), Status::Pending.as_str()]))
        .filter(orcid_notification_items::claim_id.eq(claims::id.nullable()));
    claims::table
        .filter(claims::orcid.eq(orcid))
        .filter(claims::state.eq(ClaimState::WaitingForPermission))
        .filter(claims::source.eq(ClaimSource::AutoUpdate))
        .filter(diesel::dsl::not(diesel::dsl::exists(asked)))
        .order((claims::created_at.desc(), claims::id))
        .limit(limit)
        .select((claims::id, claims::doi, claims::title))
        .load(conn)
}

/// How many Auto-Update claims wait for `orcid`'s permission (the per-person cap counts them).
pub fn waiting_count(conn: &mut PgConnection, orcid: &str) -> QueryResult<i64> {
    use crate::claims::{ClaimSource, ClaimState};
    use crate::db::schema::claims;
    claims::table
        .filter(claims::orcid.eq(orcid))
        .filter(claims::state.eq(ClaimState::WaitingForPermission))
        .filter(claims::source.eq(ClaimSource::AutoUpdate))
        .count()
        .get_result(conn)
}

/// Forgets a person's notifications (their account is being deleted).
pub fn forget(conn: &mut PgConnection, orcid: &str) -> QueryResult<usize> {
    diesel::delete(orcid_notifications::table.filter(orcid_notifications::orcid.eq(orcid))).execute(conn)
}

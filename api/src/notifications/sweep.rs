//! The `notifications.sweep` job: expires claims that waited too long for a permission, queues a
//! notification for each person with unasked waiting claims, and reads back from ORCID what
//! people did with the notifications they were sent.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::send::{Notifier, Seen};
use super::Status;
use crate::claims::{ClaimSource, ClaimState};
use crate::db::schema::{claims, orcid_notification_items, orcid_notifications};
use crate::domain::OrcidId;
use crate::jobs::JobError;

/// People queued per sweep, and notifications read back per sweep (the rest wait for the next).
const PEOPLE_PER_SWEEP: i64 = 1000;
const READS_PER_SWEEP: i64 = 100;
/// A notification is read back at most this often.
const READ_EVERY_HOURS: i64 = 24;
/// A notification ORCID has not accepted within this long is given up (`failed`).
const PENDING_GIVE_UP_HOURS: i64 = 24;

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    pub expired: usize,
    pub queued: usize,
    pub read_back: usize,
}

/// Sets aside the Auto-Update claims that have waited for a permission since before `before`.
pub fn expire_waiting(conn: &mut PgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    let ids: Vec<Uuid> = claims::table
        .filter(claims::state.eq(ClaimState::WaitingForPermission))
        .filter(claims::source.eq(ClaimSource::AutoUpdate))
        .filter(claims::created_at.lt(before))
        .select(claims::id)
        .limit(10_000)
        .load(conn)?;
    let expired = crate::claims::machine::set_aside(conn, &ids, ClaimState::WaitingForPermission, super::EXPIRED)?;
    Ok(expired)
}

/// The people with waiting Auto-Update claims that no notification asked about yet, leaving out
/// those notified within `since` and those who declined.
pub fn people_to_notify(conn: &mut PgConnection, since: DateTime<Utc>, limit: i64) -> QueryResult<Vec<String>> {
    let asked = orcid_notification_items::table
        .inner_join(orcid_notifications::table)
        .filter(orcid_notifications::status.eq_any([Status::Sent.as_str(), Status::Pending.as_str()]))
        .filter(orcid_notification_items::claim_id.eq(claims::id.nullable()));
    let recent_or_declined = orcid_notifications::table
        .filter(orcid_notifications::orcid.eq(claims::orcid))
        .filter(
            orcid_notifications::created_at
                .ge(since)
                .or(orcid_notifications::status.eq(Status::Refused.as_str()))
                .or(orcid_notifications::archived_at
                    .is_not_null()
                    .and(orcid_notifications::granted_at.is_null())),
        );
    let opted_out = crate::db::schema::accounts::table
        .filter(crate::db::schema::accounts::orcid.eq(claims::orcid))
        .filter(crate::db::schema::accounts::inbox_notifications.eq(false));
    claims::table
        .filter(claims::state.eq(ClaimState::WaitingForPermission))
        .filter(claims::source.eq(ClaimSource::AutoUpdate))
        .filter(diesel::dsl::not(diesel::dsl::exists(asked)))
        .filter(diesel::dsl::not(diesel::dsl::exists(recent_or_declined)))
        .filter(diesel::dsl::not(diesel::dsl::exists(opted_out)))
        .select(claims::orcid)
        .distinct()
        .limit(limit)
        .load(conn)
}

impl Notifier {
    /// Runs one sweep.
    pub async fn sweep(&self) -> Result<SweepReport, JobError> {
        let now = self.clock.now();
        let settings = self.config.notifications.clone();
        let mut report = SweepReport::default();
        if let Some(expiry) = settings.waiting_expiry.and_then(|d| chrono::Duration::from_std(d).ok()) {
            report.expired = self.db(move |conn| expire_waiting(conn, now - expiry)).await?;
        }
        if !settings.enabled || self.orcid.is_none() {
            return Ok(report);
        }
        let since = now - chrono::Duration::from_std(settings.interval).unwrap_or(chrono::Duration::days(30));
        report.queued = self
            .db(move |conn| {
                // Notifications ORCID never took within a day are given up, so that their
                // claims can be asked about again after the period.
                diesel::update(
                    orcid_notifications::table
                        .filter(orcid_notifications::status.eq(Status::Pending.as_str()))
                        .filter(
                            orcid_notifications::created_at.lt(now - chrono::Duration::hours(PENDING_GIVE_UP_HOURS)),
                        ),
                )
                .set((
                    orcid_notifications::status.eq(Status::Failed.as_str()),
                    orcid_notifications::answer.eq("unavailable"),
                ))
                .execute(conn)?;
                let people = people_to_notify(conn, since, PEOPLE_PER_SWEEP)?;
                for orcid in &people {
                    Notifier::enqueue(conn, orcid)?;
                }
                Ok(people.len())
            })
            .await?;
        report.read_back = self.read_back(now).await?;
        if report != SweepReport::default() {
            tracing::info!(
                expired = report.expired,
                queued = report.queued,
                read_back = report.read_back,
                "notification sweep"
            );
        }
        Ok(report)
    }

    /// Reads back the open notifications not read within a day: read, clicked or archived.
    async fn read_back(&self, now: DateTime<Utc>) -> Result<usize, JobError> {
        let Some(api) = self.orcid.clone() else {
            return Ok(0);
        };
        let due: Vec<(Uuid, String, Option<i64>)> = self
            .db(move |conn| {
                orcid_notifications::table
                    .filter(orcid_notifications::status.eq(Status::Sent.as_str()))
                    .filter(orcid_notifications::archived_at.is_null())
                    .filter(orcid_notifications::granted_at.is_null())
                    .filter(orcid_notifications::expires_at.gt(now))
                    .filter(
                        orcid_notifications::checked_at
                            .is_null()
                            .or(orcid_notifications::checked_at.lt(now - chrono::Duration::hours(READ_EVERY_HOURS))),
                    )
                    .order(orcid_notifications::checked_at.asc().nulls_first())
                    .limit(READS_PER_SWEEP)
                    .select((
                        orcid_notifications::id,
                        orcid_notifications::orcid,
                        orcid_notifications::put_code,
                    ))
                    .load(conn)
            })
            .await?;
        if due.is_empty() {
            return Ok(0);
        }
        let token = self.access_token().await?;
        let mut read = 0;
        for (id, orcid, put_code) in due {
            let (Ok(orcid), Some(put_code)) = (OrcidId::parse(&orcid), put_code) else {
                continue;
            };
            let seen = match api.read_notification(&token, &orcid, put_code).await {
                Ok(seen) => seen,
                // The person's record is gone, or the notification with it: nothing more to learn.
                Err(crate::claims::orcid::OrcidError::NotFound) => Seen {
                    archived_at: Some(now),
                    ..Seen::default()
                },
                Err(e) => {
                    tracing::debug!(notification = %id, error = %e, "could not read a notification back; next sweep");
                    break;
                }
            };
            self.db(move |conn| {
                diesel::update(orcid_notifications::table.find(id))
                    .set((
                        orcid_notifications::read_at.eq(seen.read_at),
                        orcid_notifications::actioned_at.eq(seen.actioned_at),
                        orcid_notifications::archived_at.eq(seen.archived_at),
                        orcid_notifications::checked_at.eq(Some(now)),
                    ))
                    .execute(conn)
            })
            .await?;
            read += 1;
        }
        Ok(read)
    }
}

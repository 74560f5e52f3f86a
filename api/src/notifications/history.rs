//! What staff see of the notifications: each person's history, and the overall counts (also in
//! `/metrics`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Notification, Status};
use crate::db::schema::{orcid_notification_items, orcid_notifications};

/// One work a notification named.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NotifiedWork {
    pub doi: String,
    pub title: Option<String>,
}

/// A permission notification, as staff (and the person's export) see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    /// The ORCID iD whose inbox it went to.
    pub orcid: String,
    /// `pending`, `sent`, `refused` (the person or their record takes none; never sent again)
    /// or `failed` (ORCID refused the request; tried again after the period at the earliest).
    #[schema(pattern = "^(pending|sent|refused|failed)$")]
    pub status: String,
    /// ORCID's answer: `accepted`, `notifications_disabled`, `record_deactivated`,
    /// `record_locked`, `record_deprecated`, `record_unavailable`, `record_not_found`,
    /// `invalid_notification`, `not_permitted`, or `unavailable` (never accepted within a day).
    pub answer: Option<String>,
    /// The HTTP status of ORCID's answer.
    pub orcid_status: Option<i32>,
    /// ORCID's message when it refused (never a token).
    pub message: Option<String>,
    /// The notification's put-code in the person's ORCID inbox.
    pub put_code: Option<i64>,
    /// Tries so far.
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Read back from ORCID: when the person read it, clicked "Grant permission", archived it.
    pub read_at: Option<DateTime<Utc>>,
    pub actioned_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
    /// When the person granted Auto-Update through its link.
    pub granted_at: Option<DateTime<Utc>>,
    /// Its link works until then.
    pub expires_at: DateTime<Utc>,
    /// The works it named.
    pub works: Vec<NotifiedWork>,
}

/// Overall figures.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct NotificationSummary {
    /// Whether this service sends notifications (`ORCID_NOTIFICATIONS`).
    pub enabled: bool,
    /// People with a notification in their ORCID inbox.
    pub people_notified: i64,
    /// Of those, people who have granted Auto-Update since (through the link or otherwise).
    pub people_granted: i64,
    /// `people_granted / people_notified` (0 when none was notified).
    pub conversion: f64,
    /// Notifications by status, and by ORCID's answer.
    pub by_status: BTreeMap<String, i64>,
    pub by_answer: BTreeMap<String, i64>,
    /// Auto-Update claims waiting for a permission now, and claims that expired waiting.
    pub claims_waiting: i64,
    pub claims_expired: i64,
}

/// Notifications, newest first, for one iD and/or in one status; with the total.
pub fn list(
    conn: &mut PgConnection,
    orcid: Option<&str>,
    status: Option<Status>,
    page: (i64, i64),
) -> QueryResult<(Vec<NotificationView>, i64)> {
    let filtered = || {
        let mut q = orcid_notifications::table.into_boxed();
        if let Some(o) = orcid {
            q = q.filter(orcid_notifications::orcid.eq(o.to_owned()));
        }
        if let Some(s) = status {
            q = q.filter(orcid_notifications::status.eq(s.as_str()));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let (number, size) = page;
    let rows: Vec<Notification> = filtered()
        .order((orcid_notifications::created_at.desc(), orcid_notifications::id))
        .offset((number - 1) * size)
        .limit(size)
        .select(Notification::as_select())
        .load(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|n| n.id).collect();
    let items: Vec<(Uuid, String, Option<String>)> = orcid_notification_items::table
        .filter(orcid_notification_items::notification_id.eq_any(&ids))
        .order((orcid_notification_items::notification_id, orcid_notification_items::doi))
        .select((
            orcid_notification_items::notification_id,
            orcid_notification_items::doi,
            orcid_notification_items::title,
        ))
        .load(conn)?;
    let mut works: BTreeMap<Uuid, Vec<NotifiedWork>> = BTreeMap::new();
    for (id, doi, title) in items {
        works.entry(id).or_default().push(NotifiedWork { doi, title });
    }
    let views = rows
        .into_iter()
        .map(|n| NotificationView {
            works: works.remove(&n.id).unwrap_or_default(),
            id: n.id,
            orcid: n.orcid,
            status: n.status,
            answer: n.answer,
            orcid_status: n.orcid_status,
            message: n.message,
            put_code: n.put_code,
            attempts: n.attempts,
            created_at: n.created_at,
            sent_at: n.sent_at,
            read_at: n.read_at,
            actioned_at: n.actioned_at,
            archived_at: n.archived_at,
            granted_at: n.granted_at,
            expires_at: n.expires_at,
        })
        .collect();
    Ok((views, total))
}

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    notified: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    granted: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    waiting: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    expired: i64,
}

/// The overall figures (`enabled` is the caller's to set).
pub fn summary(conn: &mut PgConnection) -> QueryResult<NotificationSummary> {
    let counts: Counts = diesel::sql_query(
        "SELECT
           (SELECT COUNT(DISTINCT orcid) FROM orcid_notifications WHERE status = 'sent') AS notified,
           (SELECT COUNT(DISTINCT n.orcid) FROM orcid_notifications n
              WHERE n.status = 'sent' AND (n.granted_at IS NOT NULL OR EXISTS (
                SELECT 1 FROM accounts a JOIN orcid_permissions p ON p.account_id = a.id
                 WHERE a.orcid = n.orcid AND p.kind = 'auto_update' AND p.status = 'active'
                   AND p.granted_at >= n.sent_at))) AS granted,
           (SELECT COUNT(*) FROM claims
              WHERE state = 'waiting_for_permission' AND source = 'auto_update') AS waiting,
           (SELECT COUNT(*) FROM claims WHERE state = 'ignored' AND skip_reason = $1) AS expired",
    )
    .bind::<diesel::sql_types::Text, _>(super::EXPIRED)
    .get_result(conn)?;
    let by_status: Vec<(String, i64)> = orcid_notifications::table
        .group_by(orcid_notifications::status)
        .select((orcid_notifications::status, diesel::dsl::count_star()))
        .load(conn)?;
    let by_answer: Vec<(Option<String>, i64)> = orcid_notifications::table
        .group_by(orcid_notifications::answer)
        .select((orcid_notifications::answer, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(NotificationSummary {
        enabled: false,
        people_notified: counts.notified,
        people_granted: counts.granted,
        conversion: if counts.notified > 0 {
            counts.granted as f64 / counts.notified as f64
        } else {
            0.0
        },
        by_status: by_status.into_iter().collect(),
        by_answer: by_answer
            .into_iter()
            .map(|(a, n)| (a.unwrap_or_else(|| "none".into()), n))
            .collect(),
        claims_waiting: counts.waiting,
        claims_expired: counts.expired,
    })
}

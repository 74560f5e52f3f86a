//! The audit log: who changed what, with before and after. Every staff change to another
//! person's account or claims writes one record, whichever route it came through.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::db::models::Account;
use crate::db::schema::audit_log;

/// Writes one audit record: who did what to which thing, with before/after in `details`.
pub fn audit(
    conn: &mut PgConnection,
    actor: Option<&Account>,
    actor_label: &str,
    action: &str,
    target: (&str, &str),
    details: Value,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor_id.eq(actor.map(|a| a.id)),
            audit_log::actor_label.eq(actor.map_or_else(|| actor_label.to_owned(), |a| a.orcid.clone())),
            audit_log::action.eq(action),
            audit_log::target_type.eq(target.0),
            audit_log::target_id.eq(target.1),
            audit_log::details.eq(details),
        ))
        .execute(conn)?;
    Ok(())
}

/// Audits a change that someone made to another person's claim (staff through this API).
pub fn claim_change_by_another(
    conn: &mut PgConnection,
    caller: &Account,
    action: &str,
    before: Option<&crate::claims::store::Claim>,
    after: &crate::claims::store::Claim,
) -> QueryResult<()> {
    if after.orcid == caller.orcid {
        return Ok(());
    }
    audit(
        conn,
        Some(caller),
        "",
        action,
        ("account", &after.orcid),
        serde_json::json!({
            "claim": after.id,
            "doi": after.doi,
            "before": before.map(|b| serde_json::json!({"state": b.state, "action": b.action})),
            "after": {"state": after.state, "action": after.action},
        }),
    )
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Queryable)]
pub struct AuditEntry {
    pub id: i64,
    /// Who acted: an ORCID iD, or `command line`/`system`.
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    /// Before and after, or what was done.
    pub details: Value,
    pub at: DateTime<Utc>,
}

/// The columns an [`AuditEntry`] is read from, in its field order.
pub const AUDIT_COLUMNS: (
    audit_log::id,
    audit_log::actor_label,
    audit_log::action,
    audit_log::target_type,
    audit_log::target_id,
    audit_log::details,
    audit_log::at,
) = (
    audit_log::id,
    audit_log::actor_label,
    audit_log::action,
    audit_log::target_type,
    audit_log::target_id,
    audit_log::details,
    audit_log::at,
);

//! Reconciling claims with the ORCID record itself: one `GET /works` (every summary, with its
//! source), then
//! - a work of ours that is gone from the record: the person removed it on orcid.org, so the
//!   claim becomes `removed_in_orcid` and is never pushed again unless they add it again;
//! - a DOI already in the record from another source: the claim is set aside ("Already in your
//!   ORCID record, added by …"), not duplicated;
//! - a work of ours that the claim had lost track of: its put-code is adopted and the claim done.
//!
//! It runs when a person signs in, on a schedule (`RECONCILE_INTERVAL_HOURS`), on demand, and
//! after ORCID answers 404 for one of our works. The read shares ORCID's rate limit with pushes.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::activity::{self, ActivityAction, ActivityReason, NewActivity};
use super::machine::{self, ClaimChangeset};
use super::orcid::WorkSummary;
use super::process::Engine;
use super::store::{self, Claim};
use super::{ClaimAction, ClaimSource, ClaimState};
use crate::crypto::permission_context;
use crate::db::schema::{accounts, claims, orcid_record_works};
use crate::domain::OrcidId;
use crate::jobs::{self, JobError, NewJob};

pub const RECONCILE_JOB: &str = "claims.reconcile";
pub const RECONCILE_SWEEP_JOB: &str = "claims.reconcile_sweep";

/// What one reading of the record found and did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReconcileReport {
    /// When the record was read.
    pub checked_at: Option<DateTime<Utc>>,
    /// Works in the record, from any source.
    pub works_in_record: usize,
    /// Works of ours the person removed on orcid.org (now `removed_in_orcid`).
    pub removed_in_orcid: usize,
    /// Claims set aside because the DOI is in the record from another source.
    pub already_in_record: usize,
    /// Works of ours found in the record and taken back (put-code adopted).
    pub adopted: usize,
}

/// Why the record could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReconcileError {
    /// No usable Search & Link or Auto-Update permission to read it with.
    #[error("Profiles has no ORCID permission to read this record with; enable Search & Link or Auto-Update.")]
    NoPermission,
    #[error("ORCID could not be asked: {0}")]
    Orcid(String),
    #[error("{0}")]
    Database(String),
}

/// What to do with one claim, given the record.
#[derive(Debug, Clone, PartialEq)]
enum Finding {
    RemovedInOrcid,
    Elsewhere(Option<String>),
    Adopt(i64),
}

/// Compares one claim with the record's works, read at `read_at`. A claim pushed since then is
/// not judged by the older reading.
fn finding(claim: &Claim, works: &[WorkSummary], read_at: DateTime<Utc>) -> Option<Finding> {
    if claim.action() != ClaimAction::Create || claim.updated_at > read_at {
        return None;
    }
    match (claim.state(), claim.put_code) {
        (ClaimState::Done, Some(pc)) => (!works.iter().any(|w| w.put_code == pc)).then_some(Finding::RemovedInOrcid),
        (
            ClaimState::Done
            | ClaimState::Waiting
            | ClaimState::WaitingForPermission
            | ClaimState::Failed
            | ClaimState::PendingReview,
            _,
        ) => {
            let holding: Vec<&WorkSummary> = works.iter().filter(|w| w.dois.contains(&claim.doi)).collect();
            if let Some(ours) = holding.iter().find(|w| w.ours) {
                Some(Finding::Adopt(ours.put_code))
            } else if claim.state() == ClaimState::Done {
                None
            } else {
                holding.first().map(|w| Finding::Elsewhere(w.source_name.clone()))
            }
        }
        _ => None,
    }
}

/// The words a claim set aside for being in the record already shows.
pub fn elsewhere_reason(source: Option<&str>) -> String {
    match source {
        Some(s) => format!("Already in your ORCID record (added by {s})."),
        None => "Already in your ORCID record (added by someone else).".to_owned(),
    }
}

/// Applies what the record says to the person's claims; returns the counts.
fn apply(
    conn: &mut PgConnection,
    orcid: &str,
    works: &[WorkSummary],
    read_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<ReconcileReport> {
    conn.transaction(|conn| {
        let mine: Vec<Claim> = claims::table
            .filter(claims::orcid.eq(orcid))
            .filter(claims::action.eq(ClaimAction::Create))
            .select(Claim::as_select())
            .for_update()
            .load(conn)?;
        let mut report = ReconcileReport {
            checked_at: Some(read_at),
            works_in_record: works.len(),
            ..Default::default()
        };
        for claim in &mine {
            let Some(found) = finding(claim, works, read_at) else {
                continue;
            };
            let from = [claim.state()];
            match found {
                Finding::RemovedInOrcid => {
                    let change = ClaimChangeset {
                        skip_reason: Some(Some(format!(
                            "You removed this from your ORCID record on {}.",
                            now.format("%Y-%m-%d")
                        ))),
                        ..Default::default()
                    }
                    .clear_error();
                    if let Some(after) = machine::transition(conn, claim.id, &from, ClaimState::RemovedInOrcid, change)? {
                        report.removed_in_orcid += 1;
                        super::exclusions::exclude_doi(
                            conn,
                            orcid,
                            &claim.doi,
                            super::exclusions::ORIGIN_REMOVED_IN_ORCID,
                            now,
                        )?;
                        let entry = NewActivity::new(ActivityAction::Removed, ActivityReason::Reconcile)
                            .put_code(claim.put_code)
                            .message("Gone from the ORCID record (removed on orcid.org); Profiles will not add it again unless you do.");
                        activity::record(conn, &after, entry, now)?;
                    }
                }
                Finding::Elsewhere(source) => {
                    let reason = elsewhere_reason(source.as_deref());
                    if let Some(after) = store::ignore(conn, claim, &reason)? {
                        report.already_in_record += 1;
                        // Not pushed by a later event either: that would be a second copy.
                        super::exclusions::exclude_doi(
                            conn,
                            orcid,
                            &claim.doi,
                            super::exclusions::ORIGIN_IN_RECORD,
                            now,
                        )?;
                        let entry = NewActivity::new(ActivityAction::Skipped, ActivityReason::Reconcile).message(reason);
                        activity::record(conn, &after, entry, now)?;
                    }
                }
                Finding::Adopt(put_code) => {
                    let change = ClaimChangeset {
                        put_code: Some(Some(put_code)),
                        claimed_at: Some(Some(claim.claimed_at.unwrap_or(now))),
                        skip_reason: Some(None),
                        ..Default::default()
                    }
                    .clear_error();
                    if let Some(after) = machine::transition(conn, claim.id, &from, ClaimState::Done, change)? {
                        report.adopted += 1;
                        let entry = NewActivity::new(ActivityAction::Adopted, ActivityReason::Reconcile)
                            .put_code(Some(put_code))
                            .message("Found in the ORCID record already, from Profiles: taken over, not added twice.");
                        activity::record(conn, &after, entry, now)?;
                    }
                }
            }
        }
        diesel::update(accounts::table.filter(accounts::orcid.eq(orcid)))
            .set(accounts::orcid_checked_at.eq(read_at))
            .execute(conn)?;
        // The record as read, for Search & Link to mark what is in it already.
        diesel::delete(orcid_record_works::table.filter(orcid_record_works::orcid.eq(orcid))).execute(conn)?;
        let rows: Vec<_> = works
            .iter()
            .flat_map(|w| {
                w.dois.iter().map(move |d| {
                    (
                        orcid_record_works::orcid.eq(orcid),
                        orcid_record_works::put_code.eq(w.put_code),
                        orcid_record_works::doi.eq(d.clone()),
                        orcid_record_works::ours.eq(w.ours),
                        orcid_record_works::source_name.eq(w.source_name.clone()),
                    )
                })
            })
            .collect();
        for chunk in rows.chunks(1000) {
            diesel::insert_into(orcid_record_works::table)
                .values(chunk)
                .on_conflict_do_nothing()
                .execute(conn)?;
        }
        Ok(report)
    })
}

/// Queues a reading of `orcid`'s record (one pending per person).
pub fn enqueue(conn: &mut PgConnection, orcid: &str) -> QueryResult<i64> {
    jobs::enqueue(
        conn,
        NewJob::new(RECONCILE_JOB, json!({ "orcid": orcid }))
            .dedup(format!("reconcile:{orcid}"))
            .max_attempts(5),
    )
}

impl Engine {
    /// Reads `orcid`'s record and brings their claims in line with it.
    pub async fn reconcile(&self, orcid: &OrcidId) -> Result<ReconcileReport, ReconcileError> {
        let api = self.orcid.as_ref().ok_or(ReconcileError::NoPermission)?;
        let (who, now) = (orcid.to_string(), self.clock.now());
        let permission = self
            .db(move |conn| {
                for source in [ClaimSource::SearchAndLink, ClaimSource::AutoUpdate] {
                    if let Ok(p) = store::permission_token(conn, &who, source, now)? {
                        return Ok(Some((p, source)));
                    }
                }
                Ok(None)
            })
            .await
            .map_err(|e| ReconcileError::Database(e.message))?;
        let (permission, source) = permission.ok_or(ReconcileError::NoPermission)?;
        let context = permission_context(permission.account_id, source.permission(), "access");
        let token = self
            .cipher
            .as_ref()
            .and_then(|c| c.open_str(&permission.sealed, &context).ok())
            .ok_or_else(|| ReconcileError::Database("the stored ORCID permission does not decrypt".into()))?;
        let read_at = self.clock.now();
        let works = api
            .works(&token, orcid)
            .await
            .map_err(|e| ReconcileError::Orcid(e.to_string()))?;
        let (who, now) = (orcid.to_string(), self.clock.now());
        self.db(move |conn| apply(conn, &who, &works, read_at, now))
            .await
            .map_err(|e| ReconcileError::Database(e.message))
    }

    /// The `claims.reconcile` job.
    pub async fn reconcile_job(&self, payload: &serde_json::Value) -> Result<(), JobError> {
        let orcid = payload
            .get("orcid")
            .and_then(serde_json::Value::as_str)
            .and_then(|o| OrcidId::parse(o).ok())
            .ok_or_else(|| JobError::permanent("job payload has no orcid"))?;
        match self.reconcile(&orcid).await {
            Ok(report) => {
                tracing::info!(
                    removed = report.removed_in_orcid,
                    adopted = report.adopted,
                    elsewhere = report.already_in_record,
                    "record reconciled"
                );
                Ok(())
            }
            // Nothing to read it with: nothing to do until a permission is granted.
            Err(ReconcileError::NoPermission) => Ok(()),
            Err(e) => Err(JobError::retry(e.to_string())),
        }
    }

    /// The `claims.reconcile_sweep` job: queues a reading of every record not read within
    /// `every` whose owner has a permission Profiles can read it with (a batch at a time).
    pub async fn reconcile_sweep(&self, every: std::time::Duration) -> Result<(), JobError> {
        let now = self.clock.now();
        let due = now - chrono::Duration::from_std(every).unwrap_or(chrono::Duration::days(1));
        let n = self
            .db(move |conn| {
                use crate::db::schema::orcid_permissions;
                // Usable permissions only, the longest unread first.
                let due_rows: Vec<(String, Option<DateTime<Utc>>)> = accounts::table
                    .inner_join(orcid_permissions::table)
                    .filter(orcid_permissions::status.eq(crate::domain::GrantStatus::Active))
                    .filter(orcid_permissions::access_token_enc.is_not_null())
                    .filter(
                        orcid_permissions::expires_at
                            .is_null()
                            .or(orcid_permissions::expires_at.gt(now)),
                    )
                    .filter(
                        accounts::orcid_checked_at
                            .is_null()
                            .or(accounts::orcid_checked_at.lt(due)),
                    )
                    .select((accounts::orcid, accounts::orcid_checked_at))
                    .distinct()
                    .order(accounts::orcid_checked_at.asc().nulls_first())
                    .limit(500)
                    .load(conn)?;
                let orcids: Vec<String> = due_rows.into_iter().map(|(o, _)| o).collect();
                for o in &orcids {
                    enqueue(conn, o)?;
                }
                Ok(orcids.len())
            })
            .await?;
        tracing::debug!(queued = n, "records due for reconciling");
        Ok(())
    }
}

/// What the record held for `dois` when last read: DOI → (ours, who added it).
pub fn in_record(
    conn: &mut PgConnection,
    orcid: &str,
    dois: &[String],
) -> QueryResult<std::collections::HashMap<String, (bool, Option<String>)>> {
    let rows: Vec<(String, bool, Option<String>)> = orcid_record_works::table
        .filter(orcid_record_works::orcid.eq(orcid))
        .filter(orcid_record_works::doi.eq_any(dois))
        .select((
            orcid_record_works::doi,
            orcid_record_works::ours,
            orcid_record_works::source_name,
        ))
        .load(conn)?;
    let mut out = std::collections::HashMap::new();
    for (doi, ours, source) in rows {
        // Ours first: it is the one Profiles can update or remove.
        let entry = out.entry(doi).or_insert((ours, source.clone()));
        if ours && !entry.0 {
            *entry = (ours, source);
        }
    }
    Ok(out)
}

/// Queues a reading of the record when the last one is older than `stale` (or there was none).
pub fn refresh_if_stale(
    conn: &mut PgConnection,
    orcid: &str,
    stale: chrono::Duration,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let checked: Option<Option<DateTime<Utc>>> = accounts::table
        .filter(accounts::orcid.eq(orcid))
        .select(accounts::orcid_checked_at)
        .first(conn)
        .optional()?;
    if checked.is_some_and(|at| at.is_none_or(|at| now - at > stale)) {
        enqueue(conn, orcid)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(state: ClaimState, put_code: Option<i64>, doi: &str) -> Claim {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        Claim {
            id: uuid::Uuid::new_v4(),
            orcid: "0000-0002-1825-0097".into(),
            doi: doi.into(),
            source: ClaimSource::AutoUpdate,
            action: ClaimAction::Create,
            state,
            put_code,
            title: None,
            attempts: 0,
            next_attempt_at: None,
            error_code: None,
            error_message: None,
            skip_reason: None,
            claimed_at: None,
            created_at: now,
            updated_at: now,
            doi_as_given: None,
        }
    }

    fn finding_now(claim: &Claim, works: &[WorkSummary]) -> Option<Finding> {
        finding(claim, works, DateTime::<Utc>::UNIX_EPOCH)
    }

    fn work(put_code: i64, doi: &str, ours: bool) -> WorkSummary {
        WorkSummary {
            put_code,
            dois: vec![doi.into()],
            ours,
            source_name: Some(if ours { "Profiles" } else { "Crossref" }.into()),
        }
    }

    #[test]
    fn the_record_decides() {
        let works = [
            work(7, "10.5555/a", true),
            work(8, "10.5555/b", false),
            work(9, "10.5555/c", true),
        ];
        // Ours and still there: nothing. Ours and gone: removed on orcid.org.
        assert_eq!(
            finding_now(&claim(ClaimState::Done, Some(7), "10.5555/a"), &works),
            None
        );
        assert_eq!(
            finding_now(&claim(ClaimState::Done, Some(70), "10.5555/z"), &works),
            Some(Finding::RemovedInOrcid)
        );
        // Waiting, but another source has it: set aside, naming the source.
        assert_eq!(
            finding_now(&claim(ClaimState::Waiting, None, "10.5555/b"), &works),
            Some(Finding::Elsewhere(Some("Crossref".into())))
        );
        // Ours, with the put-code lost: adopted.
        assert_eq!(
            finding_now(&claim(ClaimState::Failed, None, "10.5555/c"), &works),
            Some(Finding::Adopt(9))
        );
        // Removed, deleted, ignored claims, and removals, are left alone.
        for state in [
            ClaimState::Deleted,
            ClaimState::Ignored,
            ClaimState::RemovedInOrcid,
            ClaimState::Working,
        ] {
            assert_eq!(finding_now(&claim(state, None, "10.5555/b"), &works), None, "{state}");
        }
        // Pushed after the record was read: not judged by that reading.
        let later = claim(ClaimState::Done, Some(70), "10.5555/z");
        assert_eq!(
            finding(&later, &works, later.updated_at - chrono::Duration::seconds(1)),
            None
        );
    }
}

//! Claims in PostgreSQL: submitting, routing to the queue, moving through the state machine,
//! listing and counting.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Text, Uuid as SqlUuid};
use serde_json::json;
use uuid::Uuid;

use super::machine::{self, ClaimChangeset};
use super::{ClaimAction, ClaimSource, ClaimState};
use crate::db::schema::{accounts, claims, orcid_permissions};
use crate::domain::{Doi, GrantStatus, OrcidId};
use crate::jobs::{self, NewJob};

pub const PUSH_JOB: &str = "claims.push";

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = claims)]
pub struct Claim {
    pub id: Uuid,
    pub orcid: String,
    pub doi: String,
    pub source: ClaimSource,
    pub action: ClaimAction,
    pub state: ClaimState,
    pub put_code: Option<i64>,
    pub title: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub skip_reason: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The DOI in the case DataCite's caller sent it (`None`: as `doi`).
    pub doi_as_given: Option<String>,
}

impl Claim {
    pub fn state(&self) -> ClaimState {
        self.state
    }
    pub fn source(&self) -> ClaimSource {
        self.source
    }
    pub fn action(&self) -> ClaimAction {
        self.action
    }
}

/// Who asks for a claim: a person (Search & Link, or an integrator on their behalf) or the
/// Auto-Update pipeline. They re-queue existing claims differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requester {
    Person,
    AutoUpdate,
}

/// Whether a claim can be pushed now, and if not, why (stored on the claim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    Blocked { code: &'static str, message: String },
}

/// The stored permission that pushes claims of one source for one ORCID iD.
#[derive(Debug, Clone)]
pub struct PermissionToken {
    pub permission_id: Uuid,
    pub account_id: Uuid,
    pub sealed: Vec<u8>,
}

/// Accounts with their permission of `source`'s kind, as [`PermissionRow`]s.
macro_rules! permission_query {
    ($source:expr) => {
        accounts::table
            .left_join(
                orcid_permissions::table.on(orcid_permissions::account_id
                    .eq(accounts::id)
                    .and(orcid_permissions::kind.eq($source.permission()))),
            )
            .select((
                accounts::orcid,
                (
                    accounts::id,
                    orcid_permissions::id.nullable(),
                    orcid_permissions::status.nullable(),
                    orcid_permissions::expires_at.nullable(),
                    orcid_permissions::access_token_enc.nullable(),
                ),
            ))
    };
}

/// Can `orcid`'s record be written with the permission `source` needs?
pub fn readiness(
    conn: &mut PgConnection,
    orcid: &str,
    source: ClaimSource,
    now: DateTime<Utc>,
) -> QueryResult<Readiness> {
    Ok(match permission_token(conn, orcid, source, now)? {
        Ok(_) => Readiness::Ready,
        Err(blocked) => blocked,
    })
}

/// The usable permission for `orcid` and `source`, or why there is none.
pub fn permission_token(
    conn: &mut PgConnection,
    orcid: &str,
    source: ClaimSource,
    now: DateTime<Utc>,
) -> QueryResult<Result<PermissionToken, Readiness>> {
    let found: Option<PermissionRow> = permission_query!(source)
        .filter(accounts::orcid.eq(orcid))
        .first(conn)
        .optional()?;
    Ok(decide(found.map(|(_, row)| row), source, now))
}

/// How many advisory locks stand for all people: a person's intake and permission changes take
/// their bucket's, so a transaction holds at most this many however many people it names.
const PEOPLE_LOCK_BUCKETS: i64 = 64;

/// Takes, until the transaction ends, the advisory locks of `orcids`' buckets, in bucket order
/// (so two transactions never wait on each other's in a cycle). Intake holds them while it counts
/// and inserts a person's claims waiting for a permission; granting a permission holds them while
/// those claims resume.
pub fn lock_people(conn: &mut PgConnection, orcids: &[String]) -> QueryResult<usize> {
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(7, b) FROM (
             SELECT DISTINCT (hashtextextended(o, 7) & ($2 - 1))::int AS b FROM unnest($1::text[]) AS o ORDER BY 1
         ) AS buckets",
    )
    .bind::<Array<Text>, _>(orcids)
    .bind::<diesel::sql_types::BigInt, _>(PEOPLE_LOCK_BUCKETS)
    .execute(conn)
}

/// Readiness for each of `orcids` with the permission `source` needs, in one query: what
/// [`readiness`] says for each.
pub fn readiness_many(
    conn: &mut PgConnection,
    orcids: &[String],
    source: ClaimSource,
    now: DateTime<Utc>,
) -> QueryResult<HashMap<String, Readiness>> {
    let found: Vec<PermissionRow> = permission_query!(source)
        .filter(accounts::orcid.eq_any(orcids))
        .load(conn)?;
    let mut by_orcid: HashMap<String, Readiness> = orcids
        .iter()
        .map(|o| (o.clone(), ready_or_blocked(decide(None, source, now))))
        .collect();
    for (orcid, row) in found {
        by_orcid.insert(orcid, ready_or_blocked(decide(Some(row), source, now)));
    }
    Ok(by_orcid)
}

fn ready_or_blocked(decided: Result<PermissionToken, Readiness>) -> Readiness {
    match decided {
        Ok(_) => Readiness::Ready,
        Err(blocked) => blocked,
    }
}

/// An account's id, and its permission of one kind if it has one (id, status, expiry, token).
type Permission = (
    Uuid,
    Option<Uuid>,
    Option<GrantStatus>,
    Option<DateTime<Utc>>,
    Option<Vec<u8>>,
);
/// A [`Permission`] with the account's iD.
type PermissionRow = (String, Permission);

/// What a person's stored permission (`None`: no account) says about pushing now.
fn decide(found: Option<Permission>, source: ClaimSource, now: DateTime<Utc>) -> Result<PermissionToken, Readiness> {
    let label = source.label();
    let not_granted = || Readiness::Blocked {
        code: "permission_not_granted",
        message: format!("{label} is not enabled for this ORCID record; the work goes out once it is."),
    };
    match found {
        None => Err(Readiness::Blocked {
            code: "no_account",
            message: format!(
                "This ORCID iD has no Profiles account yet; the work goes out once its owner signs in and enables {label}."
            ),
        }),
        Some((account_id, Some(permission_id), Some(status), expires, sealed)) => match (status, sealed) {
            (GrantStatus::Active, _) if expires.is_some_and(|e| e <= now) => Err(Readiness::Blocked {
                code: "permission_expired",
                message: format!("The {label} permission has expired. Enable it again to continue."),
            }),
            (GrantStatus::Active, Some(sealed)) => Ok(PermissionToken {
                permission_id,
                account_id,
                sealed,
            }),
            (GrantStatus::Invalid, _) => Err(Readiness::Blocked {
                code: "permission_invalid",
                message: format!(
                    "ORCID no longer accepts the {label} permission (it was revoked on orcid.org or has expired). Enable it again to continue."
                ),
            }),
            _ => Err(not_granted()),
        },
        Some(_) => Err(not_granted()),
    }
}

/// ORCID refused the token: keep it for the record, but stop using it until the person grants
/// the permission again.
pub fn invalidate_permission(conn: &mut PgConnection, permission_id: Uuid) -> QueryResult<usize> {
    diesel::update(
        orcid_permissions::table
            .find(permission_id)
            .filter(orcid_permissions::status.eq(GrantStatus::Active)),
    )
    .set(orcid_permissions::status.eq(GrantStatus::Invalid))
    .execute(conn)
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Claim>> {
    claims::table.find(id).select(Claim::as_select()).first(conn).optional()
}

/// Queues the push job for a claim; one pending job per claim.
pub fn enqueue(conn: &mut PgConnection, id: Uuid, max_attempts: i32) -> QueryResult<i64> {
    jobs::enqueue(
        conn,
        NewJob::new(PUSH_JOB, json!({ "claim_id": id }))
            .dedup(format!("claim:{id}"))
            .max_attempts(max_attempts),
    )
}

/// Sends a claim on its way: `waiting` with a job when its permission is usable, otherwise
/// `waiting_for_permission` with the reason. Errors from earlier attempts are cleared.
pub fn route(conn: &mut PgConnection, claim: &Claim, max_attempts: i32, now: DateTime<Utc>) -> QueryResult<Claim> {
    let ready = readiness(conn, &claim.orcid, claim.source(), now)?;
    let (state, code, message) = match &ready {
        Readiness::Ready => (ClaimState::Waiting, None, None),
        Readiness::Blocked { code, message } => (
            ClaimState::WaitingForPermission,
            Some(code.to_string()),
            Some(message.clone()),
        ),
    };
    let change = ClaimChangeset {
        error_code: Some(code),
        error_message: Some(message),
        skip_reason: Some(None),
        attempts: Some(0),
        next_attempt_at: Some(None),
        ..Default::default()
    };
    let Some(updated) = machine::transition(conn, claim.id, &[claim.state], state, change)? else {
        // Someone moved it meanwhile: it is on its way already, or it is theirs to settle.
        return find(conn, claim.id)?.ok_or(diesel::result::Error::NotFound);
    };
    if ready == Readiness::Ready {
        enqueue(conn, claim.id, max_attempts)?;
    }
    Ok(updated)
}

/// A request to add a DOI to a record.
#[derive(Debug, Clone)]
pub struct Submission {
    pub orcid: OrcidId,
    pub doi: Doi,
    pub source: ClaimSource,
    pub requester: Requester,
    /// Why Auto-Update must not push it (already decided by the caller), if anything.
    pub skip_reason: Option<String>,
    pub title: Option<String>,
}

/// Creates the claim for (iD, DOI) or re-queues the existing one. Safe under concurrency: the
/// unique (orcid, doi) index decides, so twenty identical requests make one claim.
/// Returns the claim and whether it is new.
pub fn submit(
    conn: &mut PgConnection,
    s: &Submission,
    max_attempts: i32,
    now: DateTime<Utc>,
) -> QueryResult<(Claim, bool)> {
    conn.transaction(|conn| {
        let inserted: Option<Claim> = diesel::insert_into(claims::table)
            .values((
                claims::orcid.eq(s.orcid.as_str()),
                claims::doi.eq(s.doi.as_str()),
                claims::source.eq(s.source),
                claims::action.eq(ClaimAction::Create),
                claims::title.eq(&s.title),
            ))
            .on_conflict((claims::orcid, claims::doi))
            .do_nothing()
            .returning(Claim::as_returning())
            .get_result(conn)
            .optional()?;
        if let Some(claim) = inserted {
            if s.requester == Requester::Person {
                super::exclusions::lift_doi(conn, s.orcid.as_str(), s.doi.as_str())?;
            }
            let claim = match &s.skip_reason {
                Some(reason) => ignore(conn, &claim, reason)?.unwrap_or(claim),
                None => route(conn, &claim, max_attempts, now)?,
            };
            return Ok((claim, true));
        }
        let existing: Claim = claims::table
            .filter(claims::orcid.eq(s.orcid.as_str()))
            .filter(claims::doi.eq(s.doi.as_str()))
            .select(Claim::as_select())
            .for_update()
            .first(conn)?;
        let state = existing.state();
        let claim = match s.requester {
            Requester::Person => {
                // Asked for by hand: no exclusion of this DOI holds any more.
                super::exclusions::lift_doi(conn, s.orcid.as_str(), s.doi.as_str())?;
                // A person asking again revives a claim that failed, was removed or skipped, and
                // takes over a claim still waiting for Auto-Update's permission.
                let revive = matches!(
                    state,
                    ClaimState::Failed
                        | ClaimState::Deleted
                        | ClaimState::Ignored
                        | ClaimState::WaitingForPermission
                        | ClaimState::RemovedInOrcid
                        | ClaimState::PendingReview
                ) || (existing.action() == ClaimAction::Delete && state != ClaimState::Working);
                if revive {
                    let c = set_intent(conn, existing.id, s.source, ClaimAction::Create)?;
                    // Removed on orcid.org: add it as a new work (the old put-code is gone).
                    let c = if state == ClaimState::RemovedInOrcid {
                        diesel::update(claims::table.find(c.id))
                            .set((
                                claims::put_code.eq(None::<i64>),
                                claims::claimed_at.eq(None::<DateTime<Utc>>),
                            ))
                            .returning(Claim::as_returning())
                            .get_result(conn)?
                    } else {
                        c
                    };
                    route(conn, &c, max_attempts, now)?
                } else {
                    existing
                }
            }
            Requester::AutoUpdate => match auto_update_again(&existing, s.skip_reason.is_some()) {
                AutoUpdateAgain::Revive => {
                    let c = set_intent(conn, existing.id, s.source, ClaimAction::Create)?;
                    route(conn, &c, max_attempts, now)?
                }
                AutoUpdateAgain::Skip => match &s.skip_reason {
                    Some(reason) => ignore(conn, &existing, reason)?.unwrap_or(existing),
                    None => existing,
                },
                AutoUpdateAgain::Refresh => route(conn, &existing, max_attempts, now)?,
                AutoUpdateAgain::Keep => existing,
            },
        };
        Ok((claim, false))
    })
}

/// What Auto-Update does with a claim that exists when DataCite names its person again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoUpdateAgain {
    /// Withdrawn by Auto-Update because DataCite no longer named the person: back it comes.
    Revive,
    /// Now skipped (`skipped`), and not pushed yet: set aside.
    Skip,
    /// Pushed, failed or skipped before: pushed again with the new metadata.
    Refresh,
    /// Left as it is: a person's removal is never undone, and a claim on its way stays so.
    Keep,
}

/// How [`submit`] treats `existing` for Auto-Update; `skipped` says whether the DOI is now
/// skipped for this person.
pub fn auto_update_again(existing: &Claim, skipped: bool) -> AutoUpdateAgain {
    let state = existing.state();
    let withdrawn = existing.action() == ClaimAction::Delete
        && state == ClaimState::Deleted
        && existing.source() == ClaimSource::AutoUpdate
        && existing.skip_reason.as_deref() == Some(super::intake::NO_LONGER_NAMED);
    if withdrawn && !skipped {
        AutoUpdateAgain::Revive
    } else if existing.action() == ClaimAction::Delete {
        AutoUpdateAgain::Keep
    } else if skipped {
        if matches!(state, ClaimState::Waiting | ClaimState::WaitingForPermission)
            && existing.source() == ClaimSource::AutoUpdate
        {
            AutoUpdateAgain::Skip
        } else {
            AutoUpdateAgain::Keep
        }
    } else if matches!(state, ClaimState::Done | ClaimState::Failed)
        || (state == ClaimState::Ignored && existing.source() == ClaimSource::AutoUpdate)
    {
        AutoUpdateAgain::Refresh
    } else {
        AutoUpdateAgain::Keep
    }
}

fn set_intent(conn: &mut PgConnection, id: Uuid, source: ClaimSource, action: ClaimAction) -> QueryResult<Claim> {
    // Source and action only: the state is the state machine's to write.
    diesel::update(claims::table.find(id))
        .set(ClaimChangeset {
            source: Some(source),
            action: Some(action),
            ..Default::default()
        })
        .returning(Claim::as_returning())
        .get_result(conn)
}

/// Holds a new Auto-Update claim for the person's approval (review mode). Its queued push, if
/// any, finds it no longer waiting and does nothing.
pub fn hold_for_review(conn: &mut PgConnection, claim: &Claim) -> QueryResult<Option<Claim>> {
    let change = ClaimChangeset::default().clear_error();
    machine::transition(conn, claim.id, &[claim.state], ClaimState::PendingReview, change)
}

/// The person approves a claim held for review: it goes on its way.
pub fn approve(
    conn: &mut PgConnection,
    claim: &Claim,
    max_attempts: i32,
    now: DateTime<Utc>,
) -> QueryResult<Option<Claim>> {
    if claim.state() != ClaimState::PendingReview {
        return Ok(None);
    }
    route(conn, claim, max_attempts, now).map(Some)
}

/// Marks a claim skipped with the reason the person will see. `None` when it was elsewhere or
/// may not be skipped from where it is.
pub fn ignore(conn: &mut PgConnection, claim: &Claim, reason: &str) -> QueryResult<Option<Claim>> {
    let change = ClaimChangeset {
        skip_reason: Some(Some(reason.to_owned())),
        error_code: Some(None),
        error_message: Some(None),
        ..Default::default()
    };
    machine::transition(conn, claim.id, &[claim.state], ClaimState::Ignored, change)
}

/// Asks for the work to be removed from the ORCID record. A claim that never reached ORCID is
/// withdrawn at once; otherwise the worker deletes the work.
pub fn request_delete(conn: &mut PgConnection, id: Uuid, max_attempts: i32, now: DateTime<Utc>) -> QueryResult<Claim> {
    request_removal(conn, id, max_attempts, now, true)
}

/// [`request_delete`], for Auto-Update's own removal of a work whose DOI no longer names the
/// person: no exclusion, so the DOI comes back if DataCite names them again.
pub fn withdraw_auto_update(
    conn: &mut PgConnection,
    id: Uuid,
    max_attempts: i32,
    now: DateTime<Utc>,
) -> QueryResult<Claim> {
    request_removal(conn, id, max_attempts, now, false)
}

fn request_removal(
    conn: &mut PgConnection,
    id: Uuid,
    max_attempts: i32,
    now: DateTime<Utc>,
    exclude: bool,
) -> QueryResult<Claim> {
    conn.transaction(|conn| {
        let claim: Claim = claims::table
            .find(id)
            .select(Claim::as_select())
            .for_update()
            .first(conn)?;
        // Removed: Auto-Update does not bring it back (the person can, by adding it by hand).
        if exclude {
            super::exclusions::exclude_doi(conn, &claim.orcid, &claim.doi, super::exclusions::ORIGIN_REMOVED, now)?;
        }
        // Nothing of ours in the record: never pushed, or already removed there by the person.
        let never_pushed = (claim.put_code.is_none()
            && claim.claimed_at.is_none()
            && matches!(claim.state(), ClaimState::WaitingForPermission | ClaimState::Ignored))
            || matches!(claim.state(), ClaimState::RemovedInOrcid | ClaimState::PendingReview);
        if never_pushed {
            let change = ClaimChangeset {
                action: Some(ClaimAction::Delete),
                error_code: Some(None),
                error_message: Some(None),
                ..Default::default()
            };
            let withdrawn = machine::transition(conn, id, &[claim.state], ClaimState::Deleted, change)?;
            return withdrawn.ok_or(diesel::result::Error::NotFound);
        }
        let c = set_intent(conn, id, claim.source(), ClaimAction::Delete)?;
        if claim.state() == ClaimState::Working {
            // The running job sees the new action when it finishes and goes round again.
            let requeued = machine::transition(
                conn,
                id,
                &[ClaimState::Working],
                ClaimState::Waiting,
                ClaimChangeset::default(),
            )?;
            enqueue(conn, id, max_attempts)?;
            return requeued.ok_or(diesel::result::Error::NotFound);
        }
        route(conn, &c, max_attempts, now)
    })
}

/// Re-queues the claims of `orcid` that waited for the permission `source` needs.
pub fn resume(conn: &mut PgConnection, orcid: &str, source: ClaimSource, max_attempts: i32) -> QueryResult<usize> {
    // Not while an intake is deciding whether this person's new claims wait.
    lock_people(conn, &[orcid.to_owned()])?;
    let change = ClaimChangeset {
        error_code: Some(None),
        error_message: Some(None),
        attempts: Some(0),
        ..Default::default()
    };
    let ids = machine::transition_all(
        conn,
        orcid,
        source,
        ClaimState::WaitingForPermission,
        ClaimState::Waiting,
        change,
    )?;
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::sql_query(
        "INSERT INTO jobs (kind, payload, dedup_key, max_attempts)
         SELECT $1, jsonb_build_object('claim_id', id), 'claim:' || id, $3 FROM unnest($2) AS id
         ON CONFLICT (dedup_key) WHERE state = 'pending' AND dedup_key IS NOT NULL DO NOTHING",
    )
    .bind::<Text, _>(PUSH_JOB)
    .bind::<Array<SqlUuid>, _>(&ids)
    .bind::<Integer, _>(max_attempts)
    .execute(conn)?;
    Ok(ids.len())
}

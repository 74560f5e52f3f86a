//! Back-fill: when a person enables Auto-Update (and whenever they ask), every DataCite DOI that
//! names them as a creator or a contributor (up to 2,000) is proposed (review mode) or pushed, with ORCID's
//! bulk create (up to 100 works a request), so 150 DOIs take 2 ORCID requests, not 150.
//!
//! The same rules as Auto-Update's apply (DataCite's skip rules, the person's exclusions). Only
//! DOIs without a claim are taken; a claim taken here is `working` with a safety push job queued
//! for later, so a back-fill that dies half-way loses nothing: those jobs push what it did not.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::activity::{self, ActivityAction, ActivityReason, NewActivity};
use super::datacite::DoiQuery;
use super::machine::{self, ClaimChangeset};
use super::orcid::OrcidError;
use super::process::Engine;
use super::store::{self, Claim, Readiness};
use super::work::DoiMetadata;
use super::{ClaimAction, ClaimSource, ClaimState};
use crate::crypto::permission_context;
use crate::db::schema::claims;
use crate::domain::{Doi, OrcidId};
use crate::jobs::{self, JobError, NewJob};

pub const BACKFILL_JOB: &str = "claims.backfill";

/// ORCID's largest bulk create.
pub const BULK_SIZE: usize = 100;
/// At most this many DOIs are looked at in one back-fill (two pages of DataCite's largest, 20
/// bulk requests): it stays well within a job's lease.
const MAX_DOIS: usize = 2_000;
/// A claim taken by a back-fill is pushed on its own after this, if the back-fill did not.
const SAFETY_DELAY: Duration = Duration::from_secs(15 * 60);

/// What a back-fill did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BackfillReport {
    /// DataCite DOIs naming the person (as creator or contributor).
    pub found: usize,
    /// Of those, new claims made.
    pub new_claims: usize,
    /// Added to the ORCID record (or found there already from us, and adopted).
    pub pushed: usize,
    /// Held for the person's approval (review mode).
    pub held_for_review: usize,
    /// Left out by DataCite's rules or the person's exclusions.
    pub skipped: usize,
    /// Refused by ORCID, or unusable metadata.
    pub failed: usize,
    /// Waiting for the Auto-Update permission.
    pub waiting_for_permission: usize,
    /// ORCID bulk requests made.
    pub orcid_requests: usize,
}

/// Queues a back-fill of `orcid`'s DOIs (one pending per person).
pub fn enqueue(conn: &mut PgConnection, orcid: &str) -> QueryResult<i64> {
    jobs::enqueue(
        conn,
        NewJob::new(BACKFILL_JOB, json!({ "orcid": orcid }))
            .dedup(format!("backfill:{orcid}"))
            .max_attempts(5),
    )
}

/// How one work of a bulk request ended: its put-code and how, or ORCID's refusal.
type Settled = Result<(i64, ActivityAction), OrcidError>;

/// A new claim the back-fill took to push, with its work.
struct Taken {
    claim: Claim,
    work: Value,
}

/// What to do with one DOI, decided in the database.
enum Intake {
    /// Already claimed, or not naming the person after all.
    Nothing,
    Skipped,
    Held,
    Waiting,
    Failed,
    Taken(Box<Taken>),
}

fn take_one(
    conn: &mut PgConnection,
    orcid: &OrcidId,
    metadata: &DoiMetadata,
    excluded_prefixes: &[String],
    (max_attempts, now): (i32, DateTime<Utc>),
) -> QueryResult<Intake> {
    let Ok(doi) = Doi::parse(metadata.doi()) else {
        return Ok(Intake::Nothing);
    };
    if !metadata.orcid_ids().contains(orcid) {
        return Ok(Intake::Nothing);
    }
    let inserted: Option<Claim> = diesel::insert_into(claims::table)
        .values((
            claims::orcid.eq(orcid.as_str()),
            claims::doi.eq(doi.as_str()),
            claims::source.eq(ClaimSource::AutoUpdate),
            claims::action.eq(ClaimAction::Create),
            claims::title.eq(metadata.title()),
        ))
        .on_conflict((claims::orcid, claims::doi))
        .do_nothing()
        .returning(Claim::as_returning())
        .get_result(conn)
        .optional()?;
    let Some(claim) = inserted else {
        return Ok(Intake::Nothing);
    };
    let rules = super::exclusions::rules_for(conn, orcid.as_str(), metadata)?;
    if let Some(reason) = metadata.skip_reason(excluded_prefixes).or(rules.excluded) {
        let after = store::ignore(conn, &claim, &reason)?;
        if let Some(after) = after {
            activity::record(
                conn,
                &after,
                NewActivity::new(ActivityAction::Skipped, ActivityReason::BackFill).message(reason),
                now,
            )?;
        }
        return Ok(Intake::Skipped);
    }
    if rules.review {
        store::hold_for_review(conn, &claim)?;
        return Ok(Intake::Held);
    }
    if store::readiness(conn, orcid.as_str(), ClaimSource::AutoUpdate, now)? != Readiness::Ready {
        store::route(conn, &claim, max_attempts, now)?;
        return Ok(Intake::Waiting);
    }
    let work = match metadata.to_orcid_work(None) {
        Ok(w) => w,
        Err(e) => {
            let change = ClaimChangeset::default().error("missing_metadata", &format!("{doi}: {e}"));
            machine::transition(
                conn,
                claim.id,
                &[ClaimState::Waiting],
                ClaimState::Working,
                ClaimChangeset::default(),
            )?;
            if let Some(after) =
                machine::transition(conn, claim.id, &[ClaimState::Working], ClaimState::Failed, change)?
            {
                activity::record(
                    conn,
                    &after,
                    NewActivity::new(ActivityAction::Failed, ActivityReason::BackFill).error(
                        "missing_metadata",
                        &format!("{doi}: {e}"),
                        None,
                    ),
                    now,
                )?;
            }
            return Ok(Intake::Failed);
        }
    };
    let Some(taken) = machine::transition(
        conn,
        claim.id,
        &[ClaimState::Waiting],
        ClaimState::Working,
        ClaimChangeset::default(),
    )?
    else {
        return Ok(Intake::Nothing);
    };
    // The safety net: pushed on its own later, unless this back-fill settles it first.
    jobs::enqueue(
        conn,
        NewJob::new(store::PUSH_JOB, json!({ "claim_id": taken.id }))
            .dedup(format!("claim:{}", taken.id))
            .max_attempts(max_attempts)
            .run_at(now + chrono::Duration::from_std(SAFETY_DELAY).unwrap_or(chrono::Duration::minutes(15))),
    )?;
    Ok(Intake::Taken(Box::new(Taken { claim: taken, work })))
}

impl Engine {
    /// Finds every DOI naming `orcid` and proposes or pushes those without a claim.
    pub async fn backfill(&self, orcid: &OrcidId) -> Result<BackfillReport, JobError> {
        let mut report = BackfillReport::default();
        // Every DOI naming the person, creators and contributors (not only `user-id`).
        let mut page = self
            .datacite
            .search(&DoiQuery {
                user_id: None,
                query: Some(super::finder::naming(orcid.as_str())),
                page_number: None,
                page_size: 1000,
                cursor: true,
                sort: None,
            })
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        let mut records: Vec<Value> = Vec::new();
        loop {
            records.append(&mut page.records);
            let Some(next) = page.next.take().filter(|_| records.len() < MAX_DOIS) else {
                break;
            };
            page = self
                .datacite
                .next(&next)
                .await
                .map_err(|e| JobError::retry(e.to_string()))?;
        }
        let metadata: Vec<DoiMetadata> = records
            .iter()
            .filter_map(|r| DoiMetadata::from_response(r).ok())
            .collect();
        report.found = metadata.len();
        let (who, prefixes) = (orcid.clone(), self.config.excluded_prefixes.clone());
        let (max_attempts, now) = (self.config.max_attempts, self.clock.now());
        let intakes = self
            .db(move |conn| {
                let mut out = Vec::new();
                for m in &metadata {
                    out.push(conn.transaction(|conn| take_one(conn, &who, m, &prefixes, (max_attempts, now)))?);
                }
                Ok(out)
            })
            .await?;
        let mut taken = Vec::new();
        for intake in intakes {
            match intake {
                Intake::Nothing => {}
                Intake::Skipped => {
                    report.new_claims += 1;
                    report.skipped += 1;
                }
                Intake::Held => {
                    report.new_claims += 1;
                    report.held_for_review += 1;
                }
                Intake::Waiting => {
                    report.new_claims += 1;
                    report.waiting_for_permission += 1;
                }
                Intake::Failed => {
                    report.new_claims += 1;
                    report.failed += 1;
                }
                Intake::Taken(t) => {
                    report.new_claims += 1;
                    taken.push(*t);
                }
            }
        }
        if taken.is_empty() {
            return Ok(report);
        }
        self.push_in_bulk(orcid, taken, &mut report).await?;
        Ok(report)
    }

    /// Pushes the taken claims 100 at a time; settles each with its own result.
    async fn push_in_bulk(
        &self,
        orcid: &OrcidId,
        taken: Vec<Taken>,
        report: &mut BackfillReport,
    ) -> Result<(), JobError> {
        let Some(api) = self.orcid.as_ref() else {
            return Ok(());
        };
        let (who, now) = (orcid.to_string(), self.clock.now());
        let permission = self
            .db(move |conn| store::permission_token(conn, &who, ClaimSource::AutoUpdate, now))
            .await?;
        let Ok(permission) = permission else {
            // Lost meanwhile: the safety jobs will find the claims waiting for it.
            return Ok(());
        };
        let context = permission_context(permission.account_id, ClaimSource::AutoUpdate.permission(), "access");
        let Some(token) = self
            .cipher
            .as_ref()
            .and_then(|c| c.open_str(&permission.sealed, &context).ok())
        else {
            return Ok(());
        };
        for chunk in taken.chunks(BULK_SIZE) {
            let works: Vec<Value> = chunk.iter().map(|t| t.work.clone()).collect();
            report.orcid_requests += 1;
            let results = match api.create_bulk(&token, orcid, &works).await {
                Ok(r) => r,
                Err(e) => {
                    // The whole request failed: each claim goes back to its own push, now.
                    tracing::warn!(error = %e, "bulk create failed; the claims go one by one");
                    let ids: Vec<uuid::Uuid> = chunk.iter().map(|t| t.claim.id).collect();
                    let (max_attempts, now) = (self.config.max_attempts, self.clock.now());
                    self.db(move |conn| {
                        for id in ids {
                            if machine::transition(
                                conn,
                                id,
                                &[ClaimState::Working],
                                ClaimState::Waiting,
                                ClaimChangeset::default(),
                            )?
                            .is_some()
                            {
                                jobs::enqueue(
                                    conn,
                                    NewJob::new(store::PUSH_JOB, json!({ "claim_id": id }))
                                        .dedup(format!("claim:{id}"))
                                        .max_attempts(max_attempts)
                                        .run_at(now),
                                )?;
                            }
                        }
                        Ok(())
                    })
                    .await?;
                    continue;
                }
            };
            // A 9021 whose message names no put-code: find ours in the record (one read).
            let needs_lookup = results
                .iter()
                .any(|r| matches!(r, Err(OrcidError::Duplicate { put_code: None })));
            let summaries = if needs_lookup {
                api.works(&token, orcid).await.unwrap_or_default()
            } else {
                Vec::new()
            };
            let settled: Vec<(Claim, Settled)> = chunk
                .iter()
                .zip(results)
                .map(|(t, r)| {
                    let outcome = match r {
                        Ok(pc) => Ok((pc, ActivityAction::Added)),
                        Err(OrcidError::Duplicate { put_code: Some(pc) }) => Ok((pc, ActivityAction::Adopted)),
                        Err(OrcidError::Duplicate { put_code: None }) => summaries
                            .iter()
                            .find(|w| w.ours && w.dois.contains(&t.claim.doi))
                            .map(|w| (w.put_code, ActivityAction::Adopted))
                            .ok_or(OrcidError::Duplicate { put_code: None }),
                        Err(e) => Err(e),
                    };
                    (t.claim.clone(), outcome)
                })
                .collect();
            let now = self.clock.now();
            let (pushed, failed) = self
                .db(move |conn| {
                    let (mut pushed, mut failed) = (0, 0);
                    for (claim, outcome) in settled {
                        conn.transaction(|conn| {
                            match outcome {
                                Ok((put_code, how)) => {
                                    let change = ClaimChangeset {
                                        put_code: Some(Some(put_code)),
                                        claimed_at: Some(Some(now)),
                                        skip_reason: Some(None),
                                        ..Default::default()
                                    }
                                    .clear_error();
                                    if let Some(after) = machine::transition(
                                        conn,
                                        claim.id,
                                        &[ClaimState::Working],
                                        ClaimState::Done,
                                        change,
                                    )? {
                                        pushed += 1;
                                        let entry =
                                            NewActivity::new(how, ActivityReason::BackFill).put_code(Some(put_code));
                                        activity::record(conn, &after, entry, now)?;
                                    }
                                }
                                Err(e) => {
                                    let (code, message) = (e.code(), e.to_string());
                                    let change = ClaimChangeset::default().error(code, &message);
                                    if let Some(after) = machine::transition(
                                        conn,
                                        claim.id,
                                        &[ClaimState::Working],
                                        ClaimState::Failed,
                                        change,
                                    )? {
                                        failed += 1;
                                        let status = super::process::status_in(&message);
                                        let entry = NewActivity::new(ActivityAction::Failed, ActivityReason::BackFill)
                                            .error(code, &message, status);
                                        activity::record(conn, &after, entry, now)?;
                                    }
                                }
                            }
                            QueryResult::Ok(())
                        })?;
                    }
                    Ok((pushed, failed))
                })
                .await?;
            report.pushed += pushed;
            report.failed += failed;
        }
        Ok(())
    }

    /// The `claims.backfill` job.
    pub async fn backfill_job(&self, payload: &Value) -> Result<(), JobError> {
        let orcid = payload
            .get("orcid")
            .and_then(Value::as_str)
            .and_then(|o| OrcidId::parse(o).ok())
            .ok_or_else(|| JobError::permanent("job payload has no orcid"))?;
        let report = self.backfill(&orcid).await?;
        tracing::info!(
            found = report.found,
            new = report.new_claims,
            pushed = report.pushed,
            requests = report.orcid_requests,
            "back-fill done"
        );
        Ok(())
    }
}

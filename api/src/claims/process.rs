//! The `claims.push` job: one claim, from DataCite metadata to a work in (or out of) an ORCID record.

use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::activity::{self, ActivityAction, ActivityReason, NewActivity};
use super::datacite::{Datacite, DataciteError};
use super::machine::{self, ClaimChangeset};
use super::orcid::{OrcidApi, OrcidError};
use super::ratelimit::RateLimiter;
use super::store::{self, Claim, PermissionToken, Readiness};
use super::work::DoiMetadata;
use super::{ClaimAction, ClaimSource, ClaimState};
use crate::clock::Clock;
use crate::config::{ClaimsConfig, Config};
use crate::crypto::permission_context;
use crate::crypto::Cipher;
use crate::db::schema::claims;
use crate::db::DbPool;
use crate::domain::{Doi, OrcidId};
use crate::jobs::{Job, JobError};

/// Everything the claim jobs need; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub pool: DbPool,
    pub cipher: Option<Cipher>,
    /// `None` when ORCID is not configured: claims then wait.
    pub orcid: Option<OrcidApi>,
    pub datacite: Datacite,
    pub config: Arc<ClaimsConfig>,
    pub clock: Clock,
}

impl Engine {
    pub fn new(pool: DbPool, config: &Config, clock: Clock) -> Self {
        let claims = config.claims.clone();
        let orcid = config.orcid.as_ref().map(|o| {
            let limiter = RateLimiter::new(
                pool.clone(),
                "orcid_member_api",
                claims.orcid_rate_per_sec,
                claims.orcid_rate_burst,
            );
            OrcidApi::new(o.api_url.clone(), o.client_id.clone(), limiter, claims.upstream_timeout)
        });
        Self {
            cipher: config.cipher(),
            datacite: Datacite::new(config.datacite_api_url.clone(), claims.upstream_timeout),
            orcid,
            config: Arc::new(claims),
            pool,
            clock,
        }
    }

    /// Runs blocking diesel work off the async threads; failures are worth a retry.
    pub(super) async fn db<T, F>(&self, f: F) -> Result<T, JobError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> QueryResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool
                .get()
                .map_err(|e| JobError::retry(format!("database unavailable: {e}")))?;
            f(&mut conn).map_err(|e| JobError::retry(format!("database error: {e}")))
        })
        .await
        .map_err(|e| JobError::retry(format!("database task failed: {e}")))?
    }

    /// Runs one `claims.push` job.
    pub async fn process(&self, job: &Job) -> Result<(), JobError> {
        let id = job
            .payload
            .get("claim_id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| JobError::permanent("job payload has no claim_id"))?;
        let attempt = job.attempts;
        let now = self.clock.now();
        let started = self
            .db(move |conn| {
                conn.transaction(|conn| {
                    let Some(claim) = store::find(conn, id)? else {
                        return Ok(None);
                    };
                    let change = ClaimChangeset {
                        attempts: Some(attempt),
                        ..Default::default()
                    };
                    let waiting = [ClaimState::Waiting, ClaimState::Working];
                    let Some(claim) = machine::transition(conn, claim.id, &waiting, ClaimState::Working, change)?
                    else {
                        return Ok(None);
                    };
                    let permission = store::permission_token(conn, &claim.orcid, claim.source(), now)?;
                    Ok(Some((claim, permission)))
                })
            })
            .await?;
        let Some((claim, permission)) = started else {
            tracing::debug!(claim = %id, "nothing to do: the claim is no longer waiting");
            return Ok(());
        };
        let outcome = self.run(&claim, permission).await;
        self.record(job, &claim, outcome).await
    }

    async fn run(&self, claim: &Claim, permission: Result<PermissionToken, Readiness>) -> Outcome {
        let (Ok(orcid), Ok(doi)) = (OrcidId::parse(&claim.orcid), Doi::parse(&claim.doi)) else {
            return Outcome::Failed {
                code: "invalid_claim",
                message: "The claim's ORCID iD or DOI is malformed.".into(),
            };
        };
        match claim.action() {
            ClaimAction::Create => self.create(claim, &orcid, &doi, permission).await,
            ClaimAction::Delete => self.delete(claim, &orcid, &doi, permission).await,
        }
    }

    fn token(&self, claim: &Claim, permission: &PermissionToken) -> Result<String, Outcome> {
        let context = permission_context(permission.account_id, claim.source().permission(), "access");
        self.cipher
            .as_ref()
            .and_then(|c| c.open_str(&permission.sealed, &context).ok())
            .ok_or_else(|| {
                // A worker with the wrong ENCRYPTION_KEY must not condemn good permissions.
                tracing::error!(claim = %claim.id, "a stored ORCID token does not decrypt; check ENCRYPTION_KEY");
                Outcome::Retry {
                    code: "token_unreadable",
                    message: "The stored ORCID permission could not be decrypted by this worker.".into(),
                    retry_after: None,
                }
            })
    }

    fn api(&self) -> Result<&OrcidApi, Outcome> {
        self.orcid.as_ref().ok_or_else(|| Outcome::Blocked {
            code: "orcid_not_configured",
            message: "This service has no ORCID client configured, so nothing can be pushed yet.".into(),
        })
    }

    async fn create(
        &self,
        claim: &Claim,
        orcid: &OrcidId,
        doi: &Doi,
        permission: Result<PermissionToken, Readiness>,
    ) -> Outcome {
        let permission = match permission {
            Ok(p) => p,
            Err(blocked) => return Outcome::from_blocked(blocked),
        };
        let api = match self.api() {
            Ok(api) => api,
            Err(o) => return o,
        };
        let record = match self.datacite.doi(doi).await {
            Ok(r) => r,
            Err(e) => return Outcome::from_datacite(e),
        };
        let metadata = match DoiMetadata::from_response(&record) {
            Ok(m) => m,
            Err(e) => {
                return Outcome::Failed {
                    code: "metadata_unreadable",
                    message: format!("DataCite's record for {doi} could not be read: {e}"),
                }
            }
        };
        // In the record already from another source (as last read): a second copy helps nobody.
        if claim.put_code.is_none() {
            let (who, d) = (claim.orcid.clone(), vec![claim.doi.clone()]);
            match self.db(move |conn| super::reconcile::in_record(conn, &who, &d)).await {
                Ok(found) => {
                    if let Some((false, source)) = found.get(&claim.doi) {
                        return Outcome::Ignored(super::reconcile::elsewhere_reason(source.as_deref()));
                    }
                }
                Err(e) => {
                    return Outcome::Retry {
                        code: "database_unavailable",
                        message: e.message,
                        retry_after: None,
                    }
                }
            }
        }
        if claim.source() == ClaimSource::AutoUpdate {
            if let Some(reason) = metadata.skip_reason(&self.config.excluded_prefixes) {
                return Outcome::Ignored(reason);
            }
            // The person's own exclusions, as they stand now (added since it was queued, say).
            let (who, m) = (claim.orcid.clone(), metadata.clone());
            match self.db(move |conn| super::exclusions::rules_for(conn, &who, &m)).await {
                Ok(rules) => {
                    if let Some(reason) = rules.excluded {
                        return Outcome::Ignored(reason);
                    }
                }
                Err(e) => {
                    return Outcome::Retry {
                        code: "database_unavailable",
                        message: e.message,
                        retry_after: None,
                    }
                }
            }
        }
        let title = metadata.title().map(str::to_owned);
        if title.is_some() && title != claim.title {
            // Shown even if the push fails.
            let (id, t) = (claim.id, title.clone());
            if let Err(e) = self
                .db(move |conn| {
                    diesel::update(claims::table.find(id))
                        .set(claims::title.eq(t))
                        .execute(conn)
                })
                .await
            {
                return Outcome::Retry {
                    code: "database_unavailable",
                    message: e.message,
                    retry_after: None,
                };
            }
        }
        let token = match self.token(claim, &permission) {
            Ok(t) => t,
            Err(o) => return o,
        };
        let work = match metadata.to_orcid_work(None) {
            Ok(w) => w,
            Err(e) => {
                return Outcome::Failed {
                    code: "missing_metadata",
                    message: format!("{doi}: {e}"),
                }
            }
        };
        let pushed = async {
            if let Some(pc) = claim.put_code {
                match api.update(&token, orcid, pc, &with_put_code(&metadata, pc)?).await {
                    Ok(()) => return Ok((pc, ActivityAction::Updated)),
                    // Removed on orcid.org: the person's choice, not to be undone on our own.
                    Err(OrcidError::NotFound) => return Err(PushError::Gone(pc)),
                    Err(e) => return Err(PushError::Orcid(e)),
                }
            }
            match api.create(&token, orcid, &work).await {
                Ok(pc) => Ok((pc, ActivityAction::Added)),
                Err(OrcidError::Duplicate { put_code: named }) => {
                    // Already there (we lost the put-code, or a crashed attempt created it): adopt it.
                    let pc = match named {
                        Some(pc) => pc,
                        None => api
                            .find_by_doi(&token, orcid, doi.as_str())
                            .await?
                            .ok_or(PushError::Orcid(OrcidError::Rejected {
                            status: 409,
                            message:
                                "ORCID reports this work as already added, but it is not among our works in the record"
                                    .into(),
                        }))?,
                    };
                    api.update(&token, orcid, pc, &with_put_code(&metadata, pc)?).await?;
                    Ok((pc, ActivityAction::Adopted))
                }
                Err(e) => Err(PushError::Orcid(e)),
            }
        }
        .await;
        match pushed {
            Ok((put_code, how)) => Outcome::Done { put_code, title, how },
            Err(PushError::Gone(put_code)) => Outcome::RemovedInOrcid { put_code },
            Err(PushError::Orcid(e)) => Outcome::from_orcid(e, permission.permission_id),
            Err(PushError::Metadata(message)) => Outcome::Failed {
                code: "missing_metadata",
                message,
            },
        }
    }

    async fn delete(
        &self,
        claim: &Claim,
        orcid: &OrcidId,
        doi: &Doi,
        permission: Result<PermissionToken, Readiness>,
    ) -> Outcome {
        let permission = match permission {
            Ok(p) => p,
            // Without a put-code nothing of ours is known to be in the record.
            Err(_) if claim.put_code.is_none() && claim.claimed_at.is_none() => {
                return Outcome::Deleted { removed: None }
            }
            Err(blocked) => return Outcome::from_blocked(blocked),
        };
        let api = match self.api() {
            Ok(api) => api,
            Err(o) => return o,
        };
        let token = match self.token(claim, &permission) {
            Ok(t) => t,
            Err(o) => return o,
        };
        let put_code = match claim.put_code {
            Some(pc) => pc,
            None => match api.find_by_doi(&token, orcid, doi.as_str()).await {
                Ok(Some(pc)) => pc,
                Ok(None) => return Outcome::Deleted { removed: None },
                Err(e) => return Outcome::from_orcid(e, permission.permission_id),
            },
        };
        match api.delete(&token, orcid, put_code).await {
            Ok(()) => Outcome::Deleted {
                removed: Some(put_code),
            },
            // 404: the person already removed it on orcid.org.
            Err(OrcidError::NotFound) => Outcome::Deleted { removed: None },
            Err(e) => Outcome::from_orcid(e, permission.permission_id),
        }
    }

    /// Stores the outcome on the claim (only if nobody changed it meanwhile) and tells the queue
    /// whether to run the job again.
    async fn record(&self, job: &Job, claim: &Claim, outcome: Outcome) -> Result<(), JobError> {
        let id = claim.id;
        let last_attempt = job.attempts >= job.max_attempts;
        let log_outcome = outcome.label();
        // The claim shows when the queue will try again; both use the same delay.
        let delay = match &outcome {
            Outcome::Retry { retry_after, .. } => retry_after.unwrap_or_else(|| crate::jobs::backoff(job.attempts)),
            _ => Duration::ZERO,
        };
        let now = self.clock.now();
        let next_attempt = self.clock.after(delay);
        let retry = match &outcome {
            Outcome::Retry { message, .. } => Some(JobError {
                message: message.clone(),
                retry: true,
                retry_after: Some(delay),
            }),
            _ => None,
        };
        let outcome_for_db = outcome.clone();
        let outcome_for_log = outcome.clone();
        let (orcid, source, attempts) = (claim.orcid.clone(), claim.source(), job.attempts);
        let doi_for_db = claim.doi.clone();
        let changed = self
            .db(move |conn| {
                conn.transaction(|conn| {
                    let working = [ClaimState::Working];
                    let (to, change) = match outcome_for_db {
                        Outcome::Done { put_code, title, .. } => (
                            ClaimState::Done,
                            ClaimChangeset {
                                put_code: Some(Some(put_code)),
                                claimed_at: Some(Some(now)),
                                title: Some(title),
                                skip_reason: Some(None),
                                ..Default::default()
                            }
                            .clear_error(),
                        ),
                        Outcome::Deleted { .. } => (
                            ClaimState::Deleted,
                            ClaimChangeset {
                                put_code: Some(None),
                                claimed_at: Some(None),
                                ..Default::default()
                            }
                            .clear_error(),
                        ),
                        Outcome::RemovedInOrcid { .. } => {
                            // The rest of the record may have changed too.
                            super::reconcile::enqueue(conn, &orcid)?;
                            super::exclusions::exclude_doi(
                                conn,
                                &orcid,
                                &doi_for_db,
                                super::exclusions::ORIGIN_REMOVED_IN_ORCID,
                                now,
                            )?;
                            (
                                ClaimState::RemovedInOrcid,
                                ClaimChangeset {
                                    skip_reason: Some(Some(format!(
                                        "You removed this from your ORCID record on {}.",
                                        now.format("%Y-%m-%d")
                                    ))),
                                    ..Default::default()
                                }
                                .clear_error(),
                            )
                        }
                        Outcome::Ignored(reason) => (
                            ClaimState::Ignored,
                            ClaimChangeset {
                                skip_reason: Some(Some(reason)),
                                error_code: Some(None),
                                error_message: Some(None),
                                ..Default::default()
                            },
                        ),
                        Outcome::TokenRejected { permission_id } => {
                            store::invalidate_permission(conn, permission_id)?;
                            let blocked = match store::readiness(conn, &orcid, source, now)? {
                                Readiness::Blocked { code, message } => (code, message),
                                Readiness::Ready => ("permission_invalid", "ORCID rejected the permission.".into()),
                            };
                            settled(ClaimState::WaitingForPermission, blocked.0, &blocked.1)
                        }
                        Outcome::Blocked { code, message } => settled(ClaimState::WaitingForPermission, code, &message),
                        Outcome::Failed { code, message } => settled(ClaimState::Failed, code, &message),
                        Outcome::Retry { code, message, .. } if last_attempt => settled(
                            ClaimState::Failed,
                            code,
                            &format!("{message} (gave up after {attempts} attempts)"),
                        ),
                        Outcome::Retry { code, message, .. } => (
                            ClaimState::Waiting,
                            ClaimChangeset {
                                next_attempt_at: Some(Some(next_attempt)),
                                ..Default::default()
                            }
                            .error(code, &message),
                        ),
                    };
                    let Some(after) = machine::transition(conn, id, &working, to, change)? else {
                        return Ok(false);
                    };
                    if let Some(entry) = activity_of(&outcome_for_log, source, last_attempt, next_attempt) {
                        activity::record(conn, &after, entry, now)?;
                    }
                    Ok(true)
                })
            })
            .await?;
        tracing::info!(claim = %id, doi = %claim.doi, outcome = log_outcome, stored = changed, "claim processed");
        if !changed {
            // Someone re-queued or withdrew the claim while we worked: go round again with the
            // new intent (their enqueue merged into this job).
            return Err(JobError {
                message: "the claim changed while it was being processed".into(),
                retry: true,
                retry_after: Some(Duration::ZERO),
            });
        }
        match retry {
            Some(e) if !last_attempt => Err(e),
            _ => Ok(()),
        }
    }
}

/// What the activity log says about an outcome (nothing when no call to ORCID was made or
/// refused: a claim waiting for its permission).
fn activity_of(
    outcome: &Outcome,
    source: ClaimSource,
    last_attempt: bool,
    next_attempt: chrono::DateTime<chrono::Utc>,
) -> Option<NewActivity> {
    let reason = ActivityReason::of(source);
    Some(match outcome {
        Outcome::Done { put_code, how, .. } => NewActivity::new(*how, reason).put_code(Some(*put_code)),
        Outcome::Deleted { removed: Some(pc) } => NewActivity::new(ActivityAction::Removed, reason).put_code(Some(*pc)),
        Outcome::Deleted { removed: None } => NewActivity::new(ActivityAction::Skipped, reason)
            .message("Nothing of ours was in the ORCID record, so there was nothing to remove."),
        Outcome::Ignored(why) => NewActivity::new(ActivityAction::Skipped, reason).message(why.clone()),
        Outcome::RemovedInOrcid { put_code } => NewActivity::new(ActivityAction::Skipped, reason)
            .put_code(Some(*put_code))
            .error(
                "orcid_work_removed",
                "ORCID no longer has this work: it was removed on orcid.org, so Profiles did not add it again.",
                Some(404),
            ),
        Outcome::TokenRejected { .. } => NewActivity::new(ActivityAction::Failed, reason).error(
            "orcid_token_invalid",
            "ORCID refused the permission (it was revoked or has expired).",
            Some(401),
        ),
        Outcome::Blocked { .. } => return None,
        Outcome::Failed { code, message } => {
            NewActivity::new(ActivityAction::Failed, reason).error(code, message, status_in(message))
        }
        Outcome::Retry { code, message, .. } => {
            let then = if last_attempt {
                " Gave up.".to_owned()
            } else {
                format!(" Will try again at {}.", next_attempt.format("%Y-%m-%d %H:%M UTC"))
            };
            NewActivity::new(ActivityAction::Failed, reason).error(
                code,
                &format!("{message}{then}"),
                status_in(message),
            )
        }
    })
}

/// The HTTP status an error message names (`… (HTTP 400) …`, `… HTTP 500: …`), if any.
pub(super) fn status_in(message: &str) -> Option<u16> {
    let at = message.find("HTTP ")? + 5;
    message.get(at..at + 3)?.parse().ok().filter(|s| (100..600).contains(s))
}

/// How a round of processing ends in `to` with the reason.
fn settled(to: ClaimState, code: &str, message: &str) -> (ClaimState, ClaimChangeset) {
    (to, ClaimChangeset::default().clear_error().error(code, message))
}

fn with_put_code(metadata: &DoiMetadata, put_code: i64) -> Result<Value, PushError> {
    metadata
        .to_orcid_work(Some(put_code))
        .map_err(|e| PushError::Metadata(e.to_string()))
}

enum PushError {
    Orcid(OrcidError),
    Metadata(String),
    /// The work with this put-code is gone from the record.
    Gone(i64),
}

impl From<OrcidError> for PushError {
    fn from(e: OrcidError) -> Self {
        Self::Orcid(e)
    }
}

/// What one attempt achieved.
#[derive(Debug, Clone)]
enum Outcome {
    Done {
        put_code: i64,
        title: Option<String>,
        /// What it took: a new work, an update of ours, or ours found already there.
        how: ActivityAction,
    },
    /// Our work is out of the record (`removed`: we deleted it; `None`: nothing was there).
    Deleted {
        removed: Option<i64>,
    },
    /// ORCID has no work `put_code` any more: the person removed it on orcid.org.
    RemovedInOrcid {
        put_code: i64,
    },
    Ignored(String),
    /// The permission is missing, revoked or expired: wait for the person.
    Blocked {
        code: &'static str,
        message: String,
    },
    /// ORCID refused the token: mark the permission invalid, then wait.
    TokenRejected {
        permission_id: Uuid,
    },
    /// Another attempt cannot help.
    Failed {
        code: &'static str,
        message: String,
    },
    /// Try again later.
    Retry {
        code: &'static str,
        message: String,
        retry_after: Option<Duration>,
    },
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Self::Done { .. } => "done",
            Self::Deleted { .. } => "deleted",
            Self::RemovedInOrcid { .. } => "removed_in_orcid",
            Self::Ignored(_) => "ignored",
            Self::Blocked { .. } | Self::TokenRejected { .. } => "waiting_for_permission",
            Self::Failed { .. } => "failed",
            Self::Retry { .. } => "retry",
        }
    }

    fn from_blocked(blocked: Readiness) -> Self {
        match blocked {
            Readiness::Blocked { code, message } => Self::Blocked { code, message },
            Readiness::Ready => Self::Failed {
                code: "internal",
                message: "inconsistent permission state".into(),
            },
        }
    }

    fn from_datacite(e: DataciteError) -> Self {
        match e {
            DataciteError::NotFound(doi) => Self::Failed {
                code: "doi_not_found",
                message: format!("DataCite has no findable DOI {doi}."),
            },
            DataciteError::Unavailable { message, retry_after } => Self::Retry {
                code: "datacite_unavailable",
                message: format!("DataCite is unavailable: {message}"),
                retry_after,
            },
            DataciteError::Rejected { status, message } => Self::Failed {
                code: "datacite_rejected",
                message: format!("DataCite refused the request (HTTP {status}): {message}"),
            },
        }
    }

    fn from_orcid(e: OrcidError, permission_id: Uuid) -> Self {
        let code = e.code();
        match e {
            OrcidError::InvalidToken(_) => Self::TokenRejected { permission_id },
            OrcidError::Throttled { retry_after, .. } => Self::Retry {
                code,
                message: e.to_string(),
                retry_after,
            },
            OrcidError::Unavailable(_) => Self::Retry {
                code,
                message: e.to_string(),
                retry_after: None,
            },
            OrcidError::NotFound => Self::Failed {
                code,
                message: "ORCID has no such record (the iD may have been deprecated).".into(),
            },
            OrcidError::Duplicate { .. } | OrcidError::Rejected { .. } => Self::Failed {
                code,
                message: e.to_string(),
            },
        }
    }
}

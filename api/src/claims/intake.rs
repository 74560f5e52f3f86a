//! Auto-Update intake: DOI events (pushed to us) and the DataCite poller (pulled by us) become
//! Auto-Update claims for every creator's and contributor's ORCID iD, with DataCite's skip rules.

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use super::datacite::{DataciteError, DoiQuery};
use super::process::Engine;
use super::store::{self, Requester, Submission};
use super::work::DoiMetadata;
use super::ClaimSource;
use crate::db::schema::worker_state;
use crate::domain::Doi;
use crate::jobs::{self, JobError, NewJob};

pub const DOI_EVENT_JOB: &str = "autoupdate.doi";
pub const POLL_JOB: &str = "autoupdate.poll";
pub const POLL_CURSOR_KEY: &str = "datacite_poller";
/// Re-read this much before the cursor, for DOIs indexed late.
const POLL_OVERLAP_SECS: i64 = 120;

/// Queues one DOI event; repeated events for a DOI still pending collapse into one job.
pub fn enqueue_doi_event(conn: &mut PgConnection, doi: &Doi) -> QueryResult<i64> {
    jobs::enqueue(
        conn,
        NewJob::new(DOI_EVENT_JOB, json!({ "doi": doi.as_str() }))
            .dedup(format!("autoupdate:{doi}"))
            .max_attempts(10),
    )
}

/// What a claim says once DataCite's record of its DOI no longer names the person.
pub const NO_LONGER_NAMED: &str = "DataCite's record of this DOI no longer names you.";

/// The claims of people `doi` no longer names (`named` are those it does): Auto-Update's works
/// are removed from their records (a claim not yet pushed is set aside); a Search & Link claim is
/// the person's own choice, so it only says so ("ask, don't remove").
fn no_longer_named(
    conn: &mut PgConnection,
    doi: &Doi,
    named: &[String],
    max_attempts: i32,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    use super::{ClaimAction, ClaimState};
    use crate::db::schema::claims;
    let gone: Vec<store::Claim> = claims::table
        .filter(claims::doi.eq(doi.as_str()))
        .filter(claims::orcid.ne_all(named))
        .filter(claims::action.eq(ClaimAction::Create))
        .filter(claims::state.eq_any([
            ClaimState::Done,
            ClaimState::Waiting,
            ClaimState::WaitingForPermission,
            ClaimState::Failed,
            ClaimState::PendingReview,
        ]))
        .select(store::Claim::as_select())
        .load(conn)?;
    for claim in &gone {
        match (claim.source(), claim.state()) {
            (ClaimSource::AutoUpdate, ClaimState::Done) => {
                let after = store::withdraw_auto_update(conn, claim.id, max_attempts, now)?;
                // Marked, so that the DOI comes back if DataCite names the person again.
                diesel::update(claims::table.find(after.id))
                    .set(claims::skip_reason.eq(NO_LONGER_NAMED))
                    .execute(conn)?;
            }
            (ClaimSource::AutoUpdate, _) => {
                store::ignore(conn, claim, NO_LONGER_NAMED)?;
            }
            (ClaimSource::SearchAndLink, ClaimState::Done) if claim.error_code.is_none() => {
                diesel::update(claims::table.find(claim.id))
                    .set((
                        claims::error_code.eq("no_longer_named"),
                        claims::error_message.eq(format!(
                            "{NO_LONGER_NAMED} It stays in your ORCID record until you remove it."
                        )),
                    ))
                    .execute(conn)?;
            }
            _ => {}
        }
    }
    Ok(gone.len())
}

/// What the intake did with one DOI.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IntakeReport {
    pub claims_created: usize,
    pub claims_existing: usize,
    pub skipped: usize,
    /// Not stored: the person already has the most claims that may wait for a permission.
    pub over_cap: usize,
}

/// Whether a new claim for (`orcid`, `doi`) would go over the per-person cap on waiting claims.
fn over_waiting_cap(conn: &mut PgConnection, orcid: &str, doi: &Doi, cap: i64) -> QueryResult<bool> {
    use crate::db::schema::claims;
    // Intake jobs run side by side: one person's count and insert are taken one at a time.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))")
        .bind::<diesel::sql_types::Text, _>(orcid)
        .execute(conn)?;
    if crate::notifications::waiting_count(conn, orcid)? < cap {
        return Ok(false);
    }
    let exists: i64 = claims::table
        .filter(claims::orcid.eq(orcid))
        .filter(claims::doi.eq(doi.as_str()))
        .count()
        .get_result(conn)?;
    Ok(exists == 0)
}

impl Engine {
    /// Creates (or refreshes) the Auto-Update claims for one DOI record.
    pub async fn take_in(&self, metadata: DoiMetadata) -> Result<IntakeReport, JobError> {
        let Ok(doi) = Doi::parse(metadata.doi()) else {
            return Err(JobError::permanent(format!(
                "DataCite returned a malformed DOI {:?}",
                metadata.doi()
            )));
        };
        let orcids = metadata.orcid_ids();
        // Metadata follows DataCite: people this DOI no longer names.
        if metadata.has_creators() {
            let (named, d, max_attempts, now) = (
                orcids.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
                doi.clone(),
                self.config.max_attempts,
                self.clock.now(),
            );
            self.db(move |conn| no_longer_named(conn, &d, &named, max_attempts, now))
                .await?;
        }
        if orcids.is_empty() {
            tracing::debug!(%doi, "no ORCID iD among creators and contributors; nothing to claim");
            return Ok(IntakeReport::default());
        }
        let skip = metadata.skip_reason(&self.config.excluded_prefixes);
        let title = metadata.title().map(str::to_owned);
        let (max_attempts, now) = (self.config.max_attempts, self.clock.now());
        let cap = self.config.notifications.waiting_cap;
        self.db(move |conn| {
            let mut report = IntakeReport::default();
            for orcid in orcids {
                // Each person's own rules: what they exclude, and whether they review first.
                let rules = super::exclusions::rules_for(conn, orcid.as_str(), &metadata)?;
                let skip_reason = skip.clone().or(rules.excluded);
                let skipped = skip_reason.is_some();
                let submission = Submission {
                    orcid,
                    doi: doi.clone(),
                    source: ClaimSource::AutoUpdate,
                    requester: Requester::AutoUpdate,
                    skip_reason,
                    title: title.clone(),
                };
                // One transaction: a worker must not see the new claim's push job before it is
                // held for review.
                let review = rules.review && !skipped;
                let held = conn.transaction(|conn| {
                    // A person who never granted has at most `cap` claims waiting; the back-fill
                    // finds the rest in DataCite once they grant.
                    if over_waiting_cap(conn, submission.orcid.as_str(), &doi, cap)? {
                        return QueryResult::Ok(None);
                    }
                    let (claim, created) = store::submit(conn, &submission, max_attempts, now)?;
                    if created && review {
                        store::hold_for_review(conn, &claim)?;
                    }
                    QueryResult::Ok(Some((claim, created)))
                })?;
                let Some((_, created)) = held else {
                    report.over_cap += 1;
                    continue;
                };
                if created {
                    report.claims_created += 1;
                } else {
                    report.claims_existing += 1;
                }
                if skipped {
                    report.skipped += 1;
                }
            }
            Ok(report)
        })
        .await
    }

    /// The `autoupdate.doi` job: fetch the DOI and take it in.
    pub async fn doi_event(&self, payload: &Value) -> Result<(), JobError> {
        let doi = payload
            .get("doi")
            .and_then(Value::as_str)
            .and_then(|d| Doi::parse(d).ok())
            .ok_or_else(|| JobError::permanent("job payload has no valid doi"))?;
        let record = match self.datacite.doi(&doi).await {
            Ok(r) => r,
            Err(DataciteError::NotFound(_)) => {
                tracing::info!(%doi, "DOI event for a DOI DataCite does not show (yet); nothing to claim");
                return Ok(());
            }
            Err(DataciteError::Unavailable { message, retry_after }) => {
                return Err(JobError {
                    message,
                    retry: true,
                    retry_after,
                })
            }
            Err(e) => return Err(JobError::permanent(e.to_string())),
        };
        let metadata = DoiMetadata::from_response(&record).map_err(|e| JobError::permanent(e.to_string()))?;
        let report = self.take_in(metadata).await?;
        tracing::info!(%doi, created = report.claims_created, existing = report.claims_existing, skipped = report.skipped, over_cap = report.over_cap, "DOI event taken in");
        Ok(())
    }

    /// The `autoupdate.poll` job: every DOI with an ORCID iD updated since the stored cursor.
    pub async fn poll(&self) -> Result<(), JobError> {
        let until = self.clock.now();
        let stored: Option<Value> = self
            .db(|conn| {
                worker_state::table
                    .find(POLL_CURSOR_KEY)
                    .select(worker_state::value)
                    .first(conn)
                    .optional()
            })
            .await?;
        let since = stored
            .and_then(|v| v.get("since").and_then(Value::as_str).map(str::to_owned))
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|d| d.with_timezone(&Utc));
        let (mut seen, mut created) = (0usize, 0usize);
        // The first run starts the clock: history is not back-filled.
        if let Some(since) = since {
            let from =
                (since - chrono::Duration::seconds(POLL_OVERLAP_SECS)).to_rfc3339_opts(SecondsFormat::Secs, true);
            let query = format!(
                "(creators.nameIdentifiers.nameIdentifierScheme:ORCID OR contributors.nameIdentifiers.nameIdentifierScheme:ORCID) AND updated:[{from} TO *]"
            );
            let mut page = self
                .datacite
                .search(&DoiQuery {
                    query: Some(query),
                    page_size: 1000,
                    cursor: true,
                    ..DoiQuery::default()
                })
                .await
                .map_err(datacite_job_error)?;
            loop {
                for record in &page.records {
                    let Ok(metadata) = DoiMetadata::from_response(record) else {
                        continue;
                    };
                    seen += 1;
                    created += self.take_in(metadata).await?.claims_created;
                }
                let Some(next) = page.next.clone().filter(|_| !page.records.is_empty()) else {
                    break;
                };
                page = self.datacite.next(&next).await.map_err(datacite_job_error)?;
            }
        }
        // The cursor, and what this run did: the Auto-Update status people and operators read.
        let value = json!({
            "since": until.to_rfc3339_opts(SecondsFormat::Secs, true),
            "checked_at": self.clock.now().to_rfc3339_opts(SecondsFormat::Secs, true),
            "dois": seen,
            "claims_created": created,
        });
        self.db(move |conn| {
            diesel::insert_into(worker_state::table)
                .values((worker_state::key.eq(POLL_CURSOR_KEY), worker_state::value.eq(&value)))
                .on_conflict(worker_state::key)
                .do_update()
                .set((
                    worker_state::value.eq(&value),
                    worker_state::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)
        })
        .await?;
        tracing::info!(dois = seen, claims_created = created, "DataCite poll finished");
        Ok(())
    }
}

fn datacite_job_error(e: DataciteError) -> JobError {
    match e {
        DataciteError::Unavailable { message, retry_after } => JobError {
            message,
            retry: true,
            retry_after,
        },
        other => JobError::retry(other.to_string()),
    }
}

/// What the DataCite poller did last, from its cursor row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollerRun {
    /// When the last run finished.
    pub checked_at: DateTime<Utc>,
    /// DOIs with an ORCID iD it read, and the claims it made of them.
    pub dois: i64,
    pub claims_created: i64,
}

/// The poller's last run, if it has run (and recorded one).
pub fn last_poll(conn: &mut PgConnection) -> diesel::QueryResult<Option<PollerRun>> {
    let stored: Option<Value> = worker_state::table
        .find(POLL_CURSOR_KEY)
        .select(worker_state::value)
        .first(conn)
        .optional()?;
    Ok(stored.and_then(|v| {
        let checked_at = v
            .get("checked_at")
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())?
            .with_timezone(&Utc);
        Some(PollerRun {
            checked_at,
            dois: v.get("dois").and_then(Value::as_i64).unwrap_or(0),
            claims_created: v.get("claims_created").and_then(Value::as_i64).unwrap_or(0),
        })
    }))
}

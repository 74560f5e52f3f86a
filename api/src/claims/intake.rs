//! Auto-Update intake: DOI events (pushed to us) and the DataCite poller (pulled by us) become
//! Auto-Update claims for every creator's and contributor's ORCID iD, with DataCite's skip rules.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use super::datacite::{DataciteError, DoiQuery, MAX_IDS};
use super::process::Engine;
use super::store::{self, Requester, Submission};
use super::work::DoiMetadata;
use super::ClaimSource;
use crate::db::schema::worker_state;
use crate::domain::{Doi, OrcidId};
use crate::jobs::{self, JobError, NewJob};

pub const DOI_EVENT_JOB: &str = "autoupdate.doi";
/// How many `autoupdate.doi` jobs a worker takes and runs together ([`Engine::doi_events`]):
/// one DataCite request and, at most [`INTAKE_CHUNK`] DOIs, one transaction.
pub const DOI_EVENT_BATCH: i64 = MAX_IDS as i64;
const _: () = assert!(DOI_EVENT_BATCH as usize <= INTAKE_CHUNK);
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

/// The claims of people each DOI no longer names (with the iDs it does name): Auto-Update's works
/// are removed from their records (a claim not yet pushed is set aside); a Search & Link claim is
/// the person's own choice, so it only says so ("ask, don't remove"). One query for all of them.
fn no_longer_named(
    conn: &mut PgConnection,
    named: &HashMap<String, HashSet<String>>,
) -> QueryResult<Vec<store::Claim>> {
    use super::{ClaimAction, ClaimState};
    use crate::db::schema::claims;
    if named.is_empty() {
        return Ok(Vec::new());
    }
    let dois: Vec<&String> = named.keys().collect();
    let gone: Vec<store::Claim> = claims::table
        .filter(claims::doi.eq_any(dois))
        .filter(claims::action.eq(ClaimAction::Create))
        .filter(claims::state.eq_any([
            ClaimState::Done,
            ClaimState::Waiting,
            ClaimState::WaitingForPermission,
            ClaimState::Failed,
            ClaimState::PendingReview,
        ]))
        .select(store::Claim::as_select())
        .load::<store::Claim>(conn)?
        .into_iter()
        .filter(|c| named.get(&c.doi).is_some_and(|people| !people.contains(&c.orcid)))
        .collect();
    Ok(gone)
}

/// Settles the claims [`no_longer_named`] found (their people's locks held).
fn settle_no_longer_named(
    conn: &mut PgConnection,
    gone: &[store::Claim],
    max_attempts: i32,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    use super::ClaimState;
    use crate::db::schema::claims;
    for claim in gone {
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
    Ok(())
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
    store::lock_people(conn, &[orcid.to_owned()])?;
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

impl IntakeReport {
    fn add(&mut self, other: &IntakeReport) {
        self.claims_created += other.claims_created;
        self.claims_existing += other.claims_existing;
        self.skipped += other.skipped;
        self.over_cap += other.over_cap;
    }
}

/// DOIs taken in together, in one transaction.
pub const INTAKE_CHUNK: usize = 200;

/// One DOI record of a chunk: its DOI, and why nobody's claim of it may be pushed (if so).
struct Named {
    doi: Doi,
    metadata: DoiMetadata,
    skip: Option<String>,
}

/// Takes in a chunk of DOI records in one transaction, in a handful of queries for the common
/// case: a new claim for someone with no rule about it, inserted straight in the state routing
/// would give it (`waiting` with its push job, or `waiting_for_permission` within the cap).
/// Claims that exist already, are skipped or held for review go the one-by-one way of
/// [`store::submit`], after the new ones, so the cap counts them too.
fn take_in_chunk(
    conn: &mut PgConnection,
    chunk: &[Named],
    max_attempts: i32,
    cap: i64,
    now: DateTime<Utc>,
) -> QueryResult<IntakeReport> {
    use super::ClaimState;
    use crate::db::schema::{claim_counts, claims};
    let mut report = IntakeReport::default();
    // Metadata follows DataCite: people each DOI no longer names.
    let named: HashMap<String, HashSet<String>> = chunk
        .iter()
        .filter(|n| n.metadata.has_creators())
        .map(|n| {
            let people = n.metadata.orcid_ids().iter().map(|o| o.to_string()).collect();
            (n.doi.to_string(), people)
        })
        .collect();
    let gone = no_longer_named(conn, &named)?;
    // Everyone named, by (iD, DOI): in iD order, so that two intakes lock people in one order.
    let mut pairs: Vec<(OrcidId, &Named)> = chunk
        .iter()
        .flat_map(|n| n.metadata.orcid_ids().into_iter().map(move |o| (o, n)))
        .collect();
    pairs.sort_by(|a, b| (a.0.as_str(), a.1.doi.as_str()).cmp(&(b.0.as_str(), b.1.doi.as_str())));
    pairs.dedup_by(|a, b| a.0 == b.0 && a.1.doi == b.1.doi);
    let mut orcids: Vec<String> = pairs.iter().map(|(o, _)| o.to_string()).collect();
    orcids.dedup();
    // Intake jobs run side by side: one person's cap count and inserts are taken one at a time.
    // Everyone whose claims this writes is locked before its first write.
    let mut locked: Vec<String> = orcids
        .iter()
        .cloned()
        .chain(gone.iter().map(|c| c.orcid.clone()))
        .collect();
    locked.sort();
    locked.dedup();
    store::lock_people(conn, &locked)?;
    settle_no_longer_named(conn, &gone, max_attempts, now)?;
    if pairs.is_empty() {
        tracing::debug!(
            dois = chunk.len(),
            "no ORCID iD among creators and contributors; nothing to claim"
        );
        return Ok(report);
    }
    let readiness = store::readiness_many(conn, &orcids, ClaimSource::AutoUpdate, now)?;
    let rules = super::exclusions::rules_for_many(conn, &orcids)?;
    let mut waiting: HashMap<String, i64> = claim_counts::table
        .filter(claim_counts::orcid.eq_any(&orcids))
        .filter(claim_counts::state.eq(ClaimState::WaitingForPermission.as_str()))
        .filter(claim_counts::source.eq(ClaimSource::AutoUpdate.as_str()))
        .select((claim_counts::orcid, claim_counts::n))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let dois: Vec<String> = chunk.iter().map(|n| n.doi.to_string()).collect();
    let existing: HashMap<(String, String), store::Claim> = claims::table
        .filter(claims::orcid.eq_any(&orcids))
        .filter(claims::doi.eq_any(&dois))
        .select(store::Claim::as_select())
        .load::<store::Claim>(conn)?
        .into_iter()
        .map(|c| ((c.orcid.clone(), c.doi.clone()), c))
        .collect();

    let mut one_by_one: Vec<(OrcidId, &Named, Option<String>, bool)> = Vec::new();
    let (mut fast, mut rows) = (Vec::new(), Vec::new());
    for (orcid, n) in pairs {
        let super::exclusions::PersonRules { review, excluded } =
            super::exclusions::person_rules(rules.get(orcid.as_str()), &n.metadata);
        let skip_reason = n.skip.clone().or(excluded);
        let review = review && skip_reason.is_none();
        if let Some(claim) = existing.get(&(orcid.to_string(), n.doi.to_string())) {
            // Most are on their way or settled, and stay so: nothing to write.
            if store::auto_update_again(claim, skip_reason.is_some()) == store::AutoUpdateAgain::Keep {
                report.claims_existing += 1;
                if skip_reason.is_some() {
                    report.skipped += 1;
                }
            } else {
                one_by_one.push((orcid, n, skip_reason, review));
            }
            continue;
        }
        if skip_reason.is_some() || review {
            one_by_one.push((orcid, n, skip_reason, review));
            continue;
        }
        let (state, code, message) = match readiness.get(orcid.as_str()) {
            Some(store::Readiness::Ready) => (ClaimState::Waiting, None, None),
            Some(store::Readiness::Blocked { code, message }) => {
                // A person who never granted has at most `cap` claims waiting; the back-fill
                // finds the rest in DataCite once they grant.
                let count = waiting.entry(orcid.to_string()).or_default();
                if *count >= cap {
                    report.over_cap += 1;
                    continue;
                }
                *count += 1;
                (
                    ClaimState::WaitingForPermission,
                    Some(code.to_string()),
                    Some(message.clone()),
                )
            }
            // (Every iD asked about has an answer.)
            None => {
                one_by_one.push((orcid, n, None, false));
                continue;
            }
        };
        fast.push((orcid.clone(), n));
        rows.push(super::machine::NewRouted {
            orcid: orcid.to_string(),
            doi: n.doi.to_string(),
            title: n.metadata.title().map(str::to_owned),
            state,
            error_code: code,
            error_message: message,
        });
    }
    let mut inserted: HashSet<(String, String)> = HashSet::new();
    for (id, orcid, doi, state) in super::machine::insert_routed(conn, &rows)? {
        if state == ClaimState::Waiting {
            store::enqueue(conn, id, max_attempts)?;
        }
        inserted.insert((orcid, doi));
    }
    report.claims_created += inserted.len();
    // Inserted meanwhile by someone else: taken in one by one, as existing claims are.
    for (orcid, n) in fast {
        if !inserted.contains(&(orcid.to_string(), n.doi.to_string())) {
            one_by_one.push((orcid, n, None, false));
        }
    }
    for (orcid, n, skip_reason, review) in one_by_one {
        let skipped = skip_reason.is_some();
        if over_waiting_cap(conn, orcid.as_str(), &n.doi, cap)? {
            report.over_cap += 1;
            continue;
        }
        let submission = Submission {
            orcid,
            doi: n.doi.clone(),
            source: ClaimSource::AutoUpdate,
            requester: Requester::AutoUpdate,
            skip_reason,
            title: n.metadata.title().map(str::to_owned),
        };
        let (claim, created) = store::submit(conn, &submission, max_attempts, now)?;
        if created && review {
            store::hold_for_review(conn, &claim)?;
        }
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
}

impl Engine {
    /// Creates (or refreshes) the Auto-Update claims for one DOI record.
    pub async fn take_in(&self, metadata: DoiMetadata) -> Result<IntakeReport, JobError> {
        self.take_in_all(vec![metadata]).await
    }

    /// Creates (or refreshes) the Auto-Update claims for DOI records, [`INTAKE_CHUNK`] DOIs to a
    /// transaction.
    pub async fn take_in_all(&self, records: Vec<DoiMetadata>) -> Result<IntakeReport, JobError> {
        let mut report = IntakeReport::default();
        let mut records = records.into_iter().peekable();
        while records.peek().is_some() {
            let chunk: Vec<DoiMetadata> = records.by_ref().take(INTAKE_CHUNK).collect();
            let mut named = Vec::with_capacity(chunk.len());
            for metadata in chunk {
                let Ok(doi) = Doi::parse(metadata.doi()) else {
                    return Err(JobError::permanent(format!(
                        "DataCite returned a malformed DOI {:?}",
                        metadata.doi()
                    )));
                };
                let skip = metadata.skip_reason(&self.config.excluded_prefixes);
                named.push(Named { doi, metadata, skip });
            }
            let (max_attempts, now) = (self.config.max_attempts, self.clock.now());
            let cap = self.config.notifications.waiting_cap;
            let done = self
                .db(move |conn| conn.transaction(|conn| take_in_chunk(conn, &named, max_attempts, cap, now)))
                .await?;
            report.add(&done);
        }
        Ok(report)
    }

    /// The `autoupdate.doi` jobs, [`DOI_EVENT_BATCH`] at a time: their DOIs read from DataCite
    /// in one request (`GET /dois?ids=…`) and taken in together by [`Engine::take_in_all`], in one
    /// transaction. One outcome per payload, in order:
    /// - a DOI the list does not return is read again alone (`GET /dois/{doi}` reads DataCite's
    ///   database; the list its search index, which can lag a registration by seconds), and if
    ///   DataCite does not show it either, the job is done with nothing to claim;
    /// - DataCite refusing the list request (4xx) sends each DOI alone, as before batching;
    /// - a record that cannot be read fails its own job for good;
    /// - a failed write is tried again DOI by DOI, so one bad record holds up no other job;
    /// - an outage leaves each job to its own retry.
    pub async fn doi_events(&self, payloads: &[Value]) -> Vec<Result<(), JobError>> {
        let mut outcomes: Vec<Option<Result<(), JobError>>> = vec![None; payloads.len()];
        let mut wanted: Vec<(usize, Doi)> = Vec::new();
        for (i, payload) in payloads.iter().enumerate() {
            match payload
                .get("doi")
                .and_then(Value::as_str)
                .and_then(|d| Doi::parse(d).ok())
            {
                Some(doi) => wanted.push((i, doi)),
                None => outcomes[i] = Some(Err(JobError::permanent("job payload has no valid doi"))),
            }
        }
        for group in wanted.chunks(usize::try_from(DOI_EVENT_BATCH).unwrap_or(1)) {
            let (records, taken) = self.read_events(group, &mut outcomes).await;
            if records.is_empty() {
                continue;
            }
            let n = records.len();
            match self.take_in_all(records.clone()).await {
                Ok(report) => {
                    tracing::info!(
                        dois = n,
                        created = report.claims_created,
                        existing = report.claims_existing,
                        skipped = report.skipped,
                        over_cap = report.over_cap,
                        "DOI events taken in"
                    );
                    for i in taken {
                        outcomes[i] = Some(Ok(()));
                    }
                }
                Err(e) if n == 1 => outcomes[taken[0]] = Some(Err(e)),
                Err(e) => {
                    tracing::warn!(dois = n, error = %e.message, "DOI events could not be taken in together; taking them in one by one");
                    for (i, metadata) in taken.into_iter().zip(records) {
                        outcomes[i] = Some(self.take_in(metadata).await.map(|_| ()));
                    }
                }
            }
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(JobError::retry("the DOI event was not taken in"))))
            .collect()
    }

    /// Reads the records of `group` from DataCite: those to take in, with the index of each one's
    /// job; every other job of the group gets its outcome in `outcomes`.
    async fn read_events(
        &self,
        group: &[(usize, Doi)],
        outcomes: &mut [Option<Result<(), JobError>>],
    ) -> (Vec<DoiMetadata>, Vec<usize>) {
        // lupo splits `ids` at commas, so a DOI with a comma in it is read alone.
        let (mut alone, together): (Vec<_>, Vec<_>) =
            group.iter().cloned().partition(|(_, d)| d.as_str().contains(','));
        let (mut records, mut taken) = (Vec::new(), Vec::new());
        for request in ids_requests(&together) {
            let dois: Vec<Doi> = request.iter().map(|(_, d)| d.clone()).collect();
            match self.datacite.dois(&dois).await {
                Ok(found) => {
                    let mut found = findable_by_doi(found);
                    for (i, doi) in request {
                        match found.remove(doi.as_str()) {
                            Some(record) => read_record(*i, &record, outcomes, &mut records, &mut taken),
                            None => alone.push((*i, doi.clone())),
                        }
                    }
                }
                Err(DataciteError::Rejected { .. }) => alone.extend(request.iter().cloned()),
                Err(e) => {
                    let error = datacite_job_error(e);
                    for (i, _) in request {
                        outcomes[*i] = Some(Err(error.clone()));
                    }
                }
            }
        }
        for (i, doi) in alone {
            match self.datacite.doi(&doi).await {
                Ok(record) => read_record(i, &record, outcomes, &mut records, &mut taken),
                Err(DataciteError::NotFound(_)) => {
                    tracing::info!(%doi, "DOI event for a DOI DataCite does not show (yet); nothing to claim");
                    outcomes[i] = Some(Ok(()));
                }
                Err(e @ DataciteError::Rejected { .. }) => outcomes[i] = Some(Err(JobError::permanent(e.to_string()))),
                Err(e) => outcomes[i] = Some(Err(datacite_job_error(e))),
            }
        }
        (records, taken)
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
                let records: Vec<DoiMetadata> = page
                    .records
                    .iter()
                    .filter_map(|record| DoiMetadata::from_response(record).ok())
                    .collect();
                seen += records.len();
                created += self.take_in_all(records).await?.claims_created;
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

/// The `GET /dois?ids=…` requests for `dois`: at most [`MAX_IDS`] DOIs and about
/// [`IDS_BUDGET`] bytes of URL-encoded `ids` each.
fn ids_requests(dois: &[(usize, Doi)]) -> Vec<&[(usize, Doi)]> {
    let encoded = |d: &Doi| {
        d.as_str()
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    1
                } else {
                    3
                }
            })
            .sum::<usize>()
            + 3
    };
    let mut requests = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (at, (_, doi)) in dois.iter().enumerate() {
        let size = encoded(doi);
        if at > start && (at - start >= MAX_IDS || bytes + size > IDS_BUDGET) {
            requests.push(&dois[start..at]);
            (start, bytes) = (at, 0);
        }
        bytes += size;
    }
    if start < dois.len() {
        requests.push(&dois[start..]);
    }
    requests
}

/// About this many bytes of `ids` a request: well inside the 8 kB request line that common
/// proxies accept.
const IDS_BUDGET: usize = 6_000;

/// The findable records of a `GET /dois?ids=…` answer, by DOI. lupo returns the DOIs named
/// whatever their state, where `GET /dois/{doi}` shows someone signed out only findable ones.
fn findable_by_doi(found: Vec<Value>) -> HashMap<String, Value> {
    let mut by_doi = HashMap::new();
    for record in found {
        let data = record.get("data").unwrap_or(&record);
        let attributes = data.get("attributes");
        let state = attributes.and_then(|a| a.get("state")).and_then(Value::as_str);
        if state.is_some_and(|s| s != "findable") {
            continue;
        }
        let id = attributes
            .and_then(|a| a.get("doi"))
            .or_else(|| data.get("id"))
            .and_then(Value::as_str)
            .and_then(|d| Doi::parse(d).ok());
        if let Some(id) = id {
            by_doi.insert(id.as_str().to_owned(), record);
        }
    }
    by_doi
}

/// A record read for job `i`: to be taken in, or that job failed for good if it cannot be read.
fn read_record(
    i: usize,
    record: &Value,
    outcomes: &mut [Option<Result<(), JobError>>],
    records: &mut Vec<DoiMetadata>,
    taken: &mut Vec<usize>,
) {
    match DoiMetadata::from_response(record) {
        Ok(metadata) => {
            records.push(metadata);
            taken.push(i);
        }
        Err(e) => outcomes[i] = Some(Err(JobError::permanent(e.to_string()))),
    }
}

#[cfg(test)]
mod ids_tests {
    use super::*;

    #[test]
    fn ids_requests_keep_to_the_count_and_the_url_budget() {
        let doi = |s: String| Doi::parse(&s).unwrap();
        let short: Vec<(usize, Doi)> = (0..250).map(|i| (i, doi(format!("10.5555/d{i}")))).collect();
        let sizes: Vec<usize> = ids_requests(&short).iter().map(|r| r.len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
        let long: Vec<(usize, Doi)> = (0..100)
            .map(|i| (i, doi(format!("10.5555/{}-{i}", "a/b".repeat(40)))))
            .collect();
        let requests = ids_requests(&long);
        assert!(requests.len() > 1);
        assert_eq!(requests.iter().map(|r| r.len()).sum::<usize>(), 100);
        assert!(ids_requests(&[]).is_empty());
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

//! Auto-Update intake over HTTP: DOI registration and update events from DataCite's pipeline.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::claims::intake::enqueue_doi_event;
use crate::claims::legacy::{apply_legacy, parse_legacy, underscore_keys, LegacyClaim, LegacyClaimEnvelope};
use crate::claims::view::ClaimView;
use crate::domain::parse_doi;
use crate::error::responses::JsonBodyErrors;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::policy::{Action, Subject};

pub const MAX_EVENTS: usize = 1000;

/// One DOI that was registered or updated.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoiEvent {
    /// Any accepted form of a DOI; at most 500 characters as sent.
    #[schema(example = "10.5555/k4s2-v7q8", max_length = 500)]
    pub doi: String,
    /// `create` or `update` (informational: both are handled alike).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoiEventBatch {
    /// Up to 1000 events.
    pub events: Vec<DoiEvent>,
}

/// Either a batch of DOI events or DataCite's `{"claim": {…}}` form.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum EventsRequest {
    Batch(DoiEventBatch),
    Claim(LegacyClaimEnvelope),
}

/// What was accepted: a batch summary, or the claim (DataCite's form).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum EventsResponse {
    Batch(EventsAccepted),
    Claim(Box<ClaimView>),
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventsAccepted {
    /// How many events were queued.
    pub accepted: usize,
    /// The DOIs, normalised, in the order given (duplicates collapse into one job).
    pub dois: Vec<String>,
}

fn shape_error(e: serde_json::Error) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidBody,
        format!("The body does not have the expected shape: {e}."),
    )
}

/// Post DOI events (Auto-Update)
///
/// For every creator's and contributor's ORCID iD in each DOI, an Auto-Update claim is created
/// (or refreshed) after DataCite's skip rules: versions, parts and duplicates of other works and
/// excluded prefixes are recorded as `ignored` with the reason. People without an account, or
/// without Auto-Update enabled, get claims that wait as `waiting_for_permission`.
///
/// Also accepts DataCite's existing body, `{"claim": {"doi", "orcid", "source_id", "claim_action"}}`,
/// which answers with the claim. Requires the `events:write` scope (an API token, or a staff admin).
#[utoipa::path(
    tag = "claims",
    request_body = EventsRequest,
    responses(
        (status = 202, description = "Events queued (batch form), or the claim (claim form).", body = EventsResponse),
        JsonBodyErrors,
        (status = 401, description = "No or an unknown credential.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The credential lacks `events:write`; or the claim form removes a work from someone else's record (`not_your_record`: only the person or a staff admin's session may).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Claim form with `claim_action: delete` for a claim that does not exist.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad DOI or iD (each listed in `errors`), more than 1000 events, or an unknown shape. Nothing is queued.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/events/dois")]
pub async fn post_events(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::PostEvents, None)?;
    let body = underscore_keys(&body.into_inner());
    if body.get("claim").is_some() {
        let envelope: LegacyClaimEnvelope = serde_json::from_value(body).map_err(shape_error)?;
        return legacy_claim(&state, &caller, envelope.claim).await;
    }
    let batch: DoiEventBatch = serde_json::from_value(body).map_err(shape_error)?;
    if batch.events.len() > MAX_EVENTS {
        return Err(ApiError::new(
            ErrorCode::TooManyEvents,
            format!("At most {MAX_EVENTS} events per request; split the batch."),
        ));
    }
    let mut problem = ApiError::new(ErrorCode::InvalidEvents, "Some events are invalid; nothing was queued.");
    let mut dois = Vec::with_capacity(batch.events.len());
    let mut bad = false;
    for (i, event) in batch.events.iter().enumerate() {
        match parse_doi(&event.doi, "doi") {
            Ok(doi) => dois.push(doi),
            Err(_) => {
                bad = true;
                problem = problem.with_field(format!("events[{i}].doi"), format!("{:?} is not a DOI", event.doi));
            }
        }
        if let Some(kind) = &event.kind {
            if !["create", "update"].contains(&kind.as_str()) {
                bad = true;
                problem = problem.with_field(format!("events[{i}].type"), "one of create, update");
            }
        }
    }
    if bad {
        return Err(problem);
    }
    let to_queue = dois.clone();
    crate::db::run(&state.pool, move |conn| {
        use diesel::Connection;
        conn.transaction(|conn| {
            for doi in &to_queue {
                enqueue_doi_event(conn, doi)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Accepted().json(EventsAccepted {
        accepted: dois.len(),
        dois: dois.into_iter().map(String::from).collect(),
    }))
}

/// DataCite's one-claim form. Creating is Auto-Update's business (any record a DOI names);
/// removing a work from a record is a change to that person's claim, decided as one. Either way
/// the change to someone else's record is audited.
async fn legacy_claim(state: &AppState, caller: &Caller, claim: LegacyClaim) -> ApiResult<HttpResponse> {
    let parsed = parse_legacy(&claim)?;
    if parsed.delete {
        let orcid = parsed.orcid.to_string();
        let owner = crate::db::run(&state.pool, move |conn| {
            Ok(crate::accounts::find_by_orcid(conn, &orcid)?)
        })
        .await?;
        caller.authorize_or(
            Action::ChangeClaim,
            Some(Subject::record(parsed.orcid.as_str(), owner.as_ref())),
            || {
                ApiError::new(
                    ErrorCode::NotYourRecord,
                    "Only the person or a staff admin removes works from a record.",
                )
            },
        )?;
    }
    let (max_attempts, now) = (state.config.claims.max_attempts, state.clock.now());
    let actor = caller.account.clone();
    let claim = crate::db::run(&state.pool, move |conn| {
        use diesel::Connection;
        conn.transaction(|conn| {
            let claim = apply_legacy(conn, &parsed, max_attempts, now)?;
            let action = if parsed.delete {
                "claim.delete_requested"
            } else {
                "claim.submitted"
            };
            crate::audit::claim_change_by_another(conn, &actor, action, None, &claim)?;
            Ok(claim)
        })
    })
    .await?;
    Ok(HttpResponse::Accepted().json(ClaimView::from(claim)))
}

/// When Auto-Update looks for new DOIs, and what it found.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AutoUpdateStatus {
    /// How often DataCite is asked for new and updated DOIs naming an ORCID iD, in seconds;
    /// `null` when this service polls no more (it then takes DOI events only).
    pub every_secs: Option<u64>,
    /// When the last look finished; `null` before the first.
    pub last_checked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The new or updated DOIs naming any ORCID iD that the last look read (everyone's, not only
    /// yours), and the claims made of them.
    pub last_dois: Option<i64>,
    pub last_claims_created: Option<i64>,
    /// When the next look is due (about: a worker takes it when free).
    pub next_check_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Auto-Update's schedule
///
/// When DataCite was last asked for new DOIs naming ORCID iDs, what was found, and when it is
/// asked next, so a person who just registered a DOI knows when to expect it (DOI events, when
/// DataCite sends them, are taken in at once).
#[utoipa::path(
    tag = "claims",
    responses(
        (status = 200, description = "The schedule.", body = AutoUpdateStatus),
        crate::error::responses::NotSignedIn,
    )
)]
#[get("/api/v1/auto-update/status")]
pub async fn auto_update_status(caller: Caller, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadOwnAccount, Some(Subject::of(&caller.account)))?;
    let last = crate::db::run(&state.pool, |conn| Ok(crate::claims::intake::last_poll(conn)?)).await?;
    let every = state.config.claims.poll_interval;
    let next = match (every, &last) {
        (Some(every), Some(run)) => chrono::Duration::from_std(every).ok().map(|d| run.checked_at + d),
        _ => None,
    };
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(AutoUpdateStatus {
            every_secs: every.map(|d| d.as_secs()),
            last_checked_at: last.as_ref().map(|r| r.checked_at),
            last_dois: last.as_ref().map(|r| r.dois),
            last_claims_created: last.as_ref().map(|r| r.claims_created),
            next_check_at: next,
        }))
}

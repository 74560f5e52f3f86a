//! Search & Link: find DataCite DOIs to add to one's ORCID record.

use std::collections::HashMap;

use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::claims::datacite::DataciteError;
use crate::claims::finder;
use crate::claims::work::DoiMetadata;
use crate::claims::{ClaimAction, ClaimSource, ClaimState};
use crate::db::schema::claims;
use crate::error::responses::{MalformedQuery, NotSignedIn};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::policy::{Action, Subject};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkQuery {
    /// A DOI in any form, or words to search for (taken as plain words, never as DataCite's
    /// query syntax). Without it, your own DOIs are listed (and `mine=false`
    /// without a `query` is 422: there is nothing to search for). Empty is the same as absent.
    #[param(max_length = 500)]
    pub query: Option<String>,
    /// Only DOIs that name you (your ORCID iD) as a creator or contributor. Defaults to true without `query`
    /// and to false with it.
    pub mine: Option<bool>,
    /// Page number, from 1 (DataCite serves the first 10,000 results this way).
    #[serde(rename = "page[number]")]
    #[param(rename = "page[number]", minimum = 1, maximum = 10000)]
    pub page_number: Option<i64>,
    /// Page size, 1–100 (default 25).
    #[serde(rename = "page[size]")]
    #[param(rename = "page[size]", minimum = 1, maximum = 100)]
    pub page_size: Option<i64>,
}

/// Your claim for a DOI, if any.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkClaim {
    pub id: Uuid,
    pub state: ClaimState,
    pub action: ClaimAction,
    pub source: ClaimSource,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkView {
    pub doi: String,
    pub doi_url: String,
    pub title: Option<String>,
    /// Creator names, in order.
    pub creators: Vec<String>,
    /// The container title, else the publisher (what ORCID shows as the journal).
    pub journal_title: Option<String>,
    pub publication_year: Option<i32>,
    pub resource_type_general: Option<String>,
    /// The ORCID work type it would be added as.
    pub work_type: String,
    /// The landing page.
    pub url: Option<String>,
    /// Your claim for this DOI.
    pub claim: Option<WorkClaim>,
    /// True when the work is (or is being put) in your ORCID record, by your claim or as the
    /// record itself last read says: offer "Remove" (for ours) rather than "Add to ORCID record".
    pub in_orcid_record: bool,
    /// Who added it to your ORCID record when it is there from another source (e.g. "Crossref
    /// Metadata Search"), as the record said when last read; `null` otherwise. Adding it again
    /// would not duplicate it: Profiles sets such a claim aside.
    pub in_record_from: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkListMeta {
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
    pub total_pages: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkList {
    pub data: Vec<WorkView>,
    pub meta: WorkListMeta,
}

fn names(record: &Value) -> Vec<String> {
    record
        .pointer("/attributes/creators")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let given = c.get("givenName").and_then(Value::as_str).filter(|s| !s.is_empty());
            let family = c.get("familyName").and_then(Value::as_str).filter(|s| !s.is_empty());
            match (given, family) {
                (Some(g), Some(f)) => Some(format!("{g} {f}")),
                _ => c.get("name").and_then(Value::as_str).map(str::to_owned),
            }
        })
        .collect()
}

/// Search DataCite for works
///
/// By default lists the DOIs that name you as a creator or a contributor; with `query`, searches
/// DataCite: a DOI in any form (`10.x/y`, `doi:10.x/y`, `https://doi.org/10.x/y`) finds that DOI,
/// anything else is searched as plain words (no query syntax). Each
/// DOI carries your claim for it, so a client can offer "Add to ORCID record" or show that it is
/// already there.
#[utoipa::path(
    tag = "claims",
    params(WorkQuery),
    responses(
        (status = 200, description = "One page of DOIs.", body = WorkList),
        MalformedQuery,
        NotSignedIn,
        (status = 403, description = "A token without `claims:read`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A page outside 1–100 items or beyond DataCite's window, or a query DataCite cannot parse.", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "DataCite could not be reached.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/works")]
pub async fn search(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<WorkQuery>,
) -> ApiResult<HttpResponse> {
    caller.authorize(Action::ReadClaims, Some(Subject::of(&caller.account)))?;
    let q = query.into_inner();
    let text = q.query.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if text.as_ref().is_some_and(|t| t.len() > 500) {
        return Err(
            ApiError::new(ErrorCode::InvalidParameter, "query is limited to 500 characters.")
                .with_field("query", "too long"),
        );
    }
    let mine = q.mine.unwrap_or(text.is_none());
    if !mine && text.is_none() {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "Give a query, or leave mine=true to list your own DOIs.",
        )
        .with_field("query", "required when mine=false"));
    }
    let (page, page_size) = crate::paging::page(q.page_number, q.page_size)?;
    // DataCite serves the first 10,000 results by page number.
    if page * page_size > 10_000 + page_size {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "page[number] starts at 1 and reaches the first 10,000 results.",
        )
        .with_field("page[number]", "out of range"));
    }
    // Both checked above: page ≤ 10,001 and page_size ≤ 100.
    let (page, page_size) = (page as u32, page_size as u32);
    let wanted = finder::interpret(text.as_deref(), mine.then_some(caller.account.orcid.as_str()));
    let found = finder::run(&state.claims.datacite, wanted, page, page_size)
        .await
        .map_err(|e| match e {
            // Words are escaped, so this is DataCite refusing something we could not foresee:
            // say so in words, and keep its text for the log only.
            DataciteError::Rejected { status: 400, .. } => ApiError::new(
                ErrorCode::QueryNotSupported,
                "DataCite could not search for this. Try other words, or paste a DOI.",
            )
            .with_field("query", "not searchable")
            .with_source(e),
            other => ApiError::new(
                ErrorCode::DataciteUnavailable,
                "DataCite could not be reached; try again shortly.",
            )
            .with_source(other),
        })?;
    let parsed: Vec<(Value, DoiMetadata)> = found
        .records
        .into_iter()
        .filter_map(|r| DoiMetadata::from_response(&r).ok().map(|m| (r, m)))
        .collect();
    let dois: Vec<String> = parsed.iter().map(|(_, m)| m.doi().to_owned()).collect();
    let (orcid, now) = (caller.account.orcid.clone(), state.clock.now());
    let (rows, recorded) = crate::db::run(&state.pool, move |conn| {
        let rows: Vec<(String, Uuid, ClaimState, ClaimAction, ClaimSource)> = claims::table
            .filter(claims::orcid.eq(&orcid))
            .filter(claims::doi.eq_any(&dois))
            .select((claims::doi, claims::id, claims::state, claims::action, claims::source))
            .load(conn)?;
        // The record as last read; read it again soon when that is long ago.
        let recorded = crate::claims::reconcile::in_record(conn, &orcid, &dois)?;
        crate::claims::reconcile::refresh_if_stale(conn, &orcid, chrono::Duration::minutes(10), now)?;
        Ok((rows, recorded))
    })
    .await?;
    let mut mine_by_doi: HashMap<String, WorkClaim> = rows
        .into_iter()
        .map(|(doi, id, st, action, source)| {
            (
                doi,
                WorkClaim {
                    id,
                    state: st,
                    action,
                    source,
                },
            )
        })
        .collect();
    let data = parsed
        .into_iter()
        .map(|(record, m)| {
            let claim = mine_by_doi.remove(m.doi());
            let in_record = recorded.get(m.doi());
            let by_claim = claim.as_ref().is_some_and(|c| {
                c.action == ClaimAction::Create
                    && matches!(c.state, ClaimState::Done | ClaimState::Waiting | ClaimState::Working)
            });
            let gone = claim.as_ref().is_some_and(|c| c.state == ClaimState::RemovedInOrcid);
            let in_orcid_record = (by_claim || in_record.is_some()) && !(gone && in_record.is_none());
            let in_record_from = in_record
                .filter(|(ours, _)| !ours)
                .map(|(_, source)| source.clone().unwrap_or_else(|| "someone else".to_owned()));
            WorkView {
                doi_url: crate::domain::doi_url(m.doi()),
                doi: m.doi().to_owned(),
                title: m.title().map(str::to_owned),
                creators: names(&record),
                journal_title: m.journal_title().map(str::to_owned),
                publication_year: m.publication_year(),
                resource_type_general: record
                    .pointer("/attributes/types/resourceTypeGeneral")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                work_type: m.work_type().to_owned(),
                url: m.url().map(str::to_owned),
                claim,
                in_orcid_record,
                in_record_from,
            }
        })
        .collect();
    let total = found.total;
    Ok(HttpResponse::Ok().json(WorkList {
        data,
        meta: WorkListMeta {
            total,
            page,
            page_size,
            total_pages: (total.min(10_000) + i64::from(page_size) - 1) / i64::from(page_size),
        },
    }))
}

//! ORCID claims: the caller's own (staff: anyone's), created by hand or by Auto-Update.

use actix_web::{delete, get, http::header, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::find_by_orcid;
use crate::app::AppState;
use crate::auth::session::{Caller, PendingCaller};
use crate::claims::access::target;
use crate::claims::query::{self, decode_cursor, next_link, one_of, parse_time, Filters, Order, SortKey};
use crate::claims::store::{self, Claim, Requester, Submission};
use crate::claims::view::{ClaimList, ClaimListMeta, ClaimStats, ClaimView, ListLinks};
use crate::claims::{ClaimAction, ClaimSource, ClaimState};
use crate::db::schema::claims;
use crate::domain::{parse_doi, parse_orcid};
use crate::error::responses::{JsonBodyErrors, MalformedQuery, NotSignedIn, RateLimited};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::policy::{Action, Subject};
use crate::ratelimit::RateRule;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClaim {
    /// `10.x/y`, `doi:10.x/y` or `https://doi.org/10.x/y`; compared case-insensitively.
    #[schema(
        example = "10.5555/j9cp-6b21",
        pattern = "^\\s*(([Hh][Tt][Tt][Pp][Ss]?://)?(([Dd][Xx]\\.)?[Dd][Oo][Ii]\\.[Oo][Rr][Gg]/|[Dd][Oo][Ii]:)\\s*|[Hh][Tt][Tt][Pp][Ss]?://)?10\\.[0-9]{4,9}(/|%2[Ff])(([^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/\\x00-\\x1f\\x7f-\\x9f]+)(/(([^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/\\x00-\\x1f\\x7f-\\x9f]+))?)*|(/(([^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/\\x00-\\x1f\\x7f-\\x9f]+))?)+)\\s*$",
        max_length = 500
    )]
    pub doi: String,
    /// Defaults to `search_and_link`. Decides which ORCID permission pushes the work.
    pub source: Option<ClaimSource>,
    /// Whose record. Defaults to the caller's; only staff may name another iD.
    #[schema(
        example = "0000-0002-1825-0097",
        pattern = "^\\s*(https?://orcid\\.org/|https://sandbox\\.orcid\\.org/|orcid\\.org/)?([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|[0-9]{15}[0-9Xx])\\s*$"
    )]
    pub orcid: Option<String>,
}

fn accepted(claim: Claim) -> HttpResponse {
    let location = format!("/api/v1/claims/{}", claim.id);
    HttpResponse::Accepted()
        .insert_header((header::LOCATION, location))
        .json(ClaimView::from(claim))
}

/// Add a DOI to an ORCID record
///
/// Queues the work for the record and answers at once. Idempotent on (ORCID iD, DOI): asking again
/// returns the same claim, and re-queues it if it had failed, been removed or been skipped. A
/// claim whose ORCID permission is missing waits as `waiting_for_permission` and goes out when the
/// permission is granted.
#[utoipa::path(
    operation_id = "create_claim",
    tag = "claims",
    request_body = NewClaim,
    responses(
        (status = 202, description = "The claim, queued (or as it already was).", body = ClaimView,
            headers(("Location" = String, description = "The claim's URL."))),
        JsonBodyErrors,
        NotSignedIn,
        (status = 403, description = "Another person's iD, a token without `claims:write`, or a cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a DOI, not an ORCID iD, or an unknown field.", body = Problem, content_type = "application/problem+json"),
        RateLimited,
    )
)]
#[post("/api/v1/claims")]
pub async fn create(caller: Caller, state: web::Data<AppState>, body: web::Json<NewClaim>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let orcid = match &body.orcid {
        Some(value) => parse_orcid(value, "orcid")?,
        None => parse_orcid(&caller.account.orcid, "orcid")?,
    };
    let wanted = orcid.to_string();
    let owner = crate::db::run(&state.pool, move |conn| Ok(find_by_orcid(conn, &wanted)?)).await?;
    caller.authorize_or(
        Action::CreateClaim,
        Some(Subject::record(orcid.as_str(), owner.as_ref())),
        || {
            ApiError::new(
                ErrorCode::NotYourRecord,
                "You can only add works to your own ORCID record.",
            )
        },
    )?;
    let doi = parse_doi(&body.doi, "doi")?;
    crate::ratelimit::check(&state, RateRule::Claims, &caller.account.id.to_string()).await?;
    let submission = Submission {
        orcid,
        doi,
        source: body.source.unwrap_or(ClaimSource::SearchAndLink),
        requester: Requester::Person,
        skip_reason: None,
        title: None,
    };
    let (max_attempts, now) = (state.config.claims.max_attempts, state.clock.now());
    let actor = caller.account.clone();
    let (claim, _) = crate::db::run(&state.pool, move |conn| {
        Ok(conn.transaction(|conn| {
            let (claim, created) = store::submit(conn, &submission, max_attempts, now)?;
            crate::audit::claim_change_by_another(conn, &actor, "claim.submitted", None, &claim)?;
            QueryResult::Ok((claim, created))
        })?)
    })
    .await?;
    Ok(accepted(claim))
}

/// One claim
#[utoipa::path(
    tag = "claims",
    params(("id" = Uuid, Path, description = "The claim's id.")),
    responses(
        (status = 200, description = "The claim.", body = ClaimView),
        NotSignedIn,
        (status = 403, description = "A token without `claims:read`.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such claim among yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/claims/{id}")]
pub async fn get_one(caller: Caller, state: web::Data<AppState>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let (claim, _) = target(&state, &caller, id.into_inner(), Action::ReadClaims).await?;
    Ok(HttpResponse::Ok().json(ClaimView::from(claim)))
}

/// Remove the work from the ORCID record
///
/// Queues the removal and answers at once; the claim ends `deleted`. A claim that never reached
/// ORCID is withdrawn immediately.
#[utoipa::path(
    tag = "claims",
    params(("id" = Uuid, Path, description = "The claim's id.")),
    responses(
        (status = 202, description = "The claim, with action `delete`.", body = ClaimView),
        NotSignedIn,
        (status = 403, description = "A token without `claims:write`, someone else's claim that your role may read but not change (`forbidden`), or a cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such claim among yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/claims/{id}")]
pub async fn remove(caller: Caller, state: web::Data<AppState>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let (claim, _) = target(&state, &caller, id.into_inner(), Action::ChangeClaim).await?;
    let (max_attempts, now) = (state.config.claims.max_attempts, state.clock.now());
    let actor = caller.account.clone();
    let claim = crate::db::run(&state.pool, move |conn| {
        Ok(conn.transaction(|conn| {
            let after = store::request_delete(conn, claim.id, max_attempts, now)?;
            crate::audit::claim_change_by_another(conn, &actor, "claim.delete_requested", Some(&claim), &after)?;
            QueryResult::Ok(after)
        })?)
    })
    .await?;
    Ok(accepted(claim))
}

/// Try a claim again
///
/// For claims that `failed`, were `ignored`, or wait for a permission: re-queued now, with the
/// attempt count reset.
#[utoipa::path(
    tag = "claims",
    params(("id" = Uuid, Path, description = "The claim's id.")),
    responses(
        (status = 202, description = "The claim, re-queued.", body = ClaimView),
        NotSignedIn,
        (status = 403, description = "A token without `claims:write`, someone else's claim that your role may read but not change (`forbidden`), or a cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such claim among yours.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The claim is queued, in progress, done or deleted: nothing to retry.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/claims/{id}/retry")]
pub async fn retry(caller: Caller, state: web::Data<AppState>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let (claim, _) = target(&state, &caller, id.into_inner(), Action::ChangeClaim).await?;
    let (max_attempts, now) = (state.config.claims.max_attempts, state.clock.now());
    let actor = caller.account.clone();
    let claim = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let current: Claim = claims::table
                .find(claim.id)
                .select(Claim::as_select())
                .for_update()
                .first(conn)?;
            let from = current.state();
            if !matches!(
                from,
                ClaimState::Failed | ClaimState::Ignored | ClaimState::WaitingForPermission
            ) {
                return Err(ApiError::new(
                    ErrorCode::ClaimNotRetryable,
                    format!(
                        "The claim is {from}; only failed, ignored or waiting-for-permission claims can be retried."
                    ),
                ));
            }
            let after = store::route(conn, &current, max_attempts, now)?;
            crate::audit::claim_change_by_another(conn, &actor, "claim.retried", Some(&current), &after)?;
            Ok(after)
        })
    })
    .await?;
    Ok(accepted(claim))
}

/// Your claims
///
/// Filtered, sorted and paginated (by page number, or with the cursor in `links.next`), with the
/// total and counts per state and per source in `meta`. Staff see everyone's claims and can filter
/// by `orcid`.
#[utoipa::path(
    operation_id = "list_claims",
    tag = "claims",
    params(crate::claims::query::ClaimQuery),
    responses(
        (status = 200, description = "One page of claims.", body = ClaimList),
        MalformedQuery,
        NotSignedIn,
        (status = 403, description = "A token without `claims:read`, or `orcid` from a non-staff caller.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown state, source, action, sort, DOI, iD, date or cursor.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/claims")]
pub async fn list(
    caller: PendingCaller,
    query: web::Query<crate::claims::query::ClaimQuery>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    // The caller's lookup, the checks and the search share one connection and one trip.
    let (found, order) = caller.run(move |conn, caller| list_search(conn, caller, q)).await?;
    let (page, page_size) = (order.page, order.page_size);
    let links = ListLinks {
        next: found.next.as_deref().map(|c| next_link(req.query_string(), c)),
    };
    let list = ClaimList {
        meta: ClaimListMeta {
            total: found.total,
            page: order.cursor.is_none().then_some(page),
            page_size,
            total_pages: (found.total + page_size - 1) / page_size,
            states: found.states,
            sources: found.sources,
        },
        data: found.data.into_iter().map(ClaimView::from).collect(),
        links,
    };
    // Written into a buffer of about the page's size (a claim is about 450 bytes), not grown
    // from empty as `HttpResponse::json` does.
    let mut body = Vec::with_capacity(1024 + 512 * list.data.len());
    serde_json::to_writer(&mut body, &list).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().content_type(header::ContentType::json()).body(body))
}

/// The list's query checked and authorised for `caller`, then searched.
fn list_search(
    conn: &mut PgConnection,
    caller: &Caller,
    q: crate::claims::query::ClaimQuery,
) -> ApiResult<(query::Found, Order)> {
    let not_yours = || ApiError::new(ErrorCode::NotYourRecord, "Only staff can list other people's claims.");
    crate::claims::query::check_doi_filter(q.doi.as_deref())?;
    let orcid = match q.orcid.as_deref().filter(|v| !v.trim().is_empty()) {
        Some(value) => {
            let wanted = parse_orcid(value, "orcid")?.to_string();
            let owner = find_by_orcid(conn, &wanted)?;
            caller.authorize_or(
                Action::ReadClaims,
                Some(Subject::record(&wanted, owner.as_ref())),
                not_yours,
            )?;
            Some(wanted)
        }
        // Everyone's claims for those who may read them, else one's own.
        None if caller.authorize(Action::ReadClaims, None).is_ok() => None,
        None => {
            caller.authorize_or(Action::ReadClaims, Some(Subject::of(&caller.account)), not_yours)?;
            Some(caller.account.orcid.clone())
        }
    };
    let split = |v: &Option<String>| -> Vec<String> {
        v.as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let states = split(&q.state)
        .iter()
        .map(|s| {
            one_of::<ClaimState>(
                s,
                "state",
                "waiting, waiting_for_permission, working, done, failed, deleted, ignored",
            )
            .map(|v| v.as_str().to_owned())
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let present = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let source = present(&q.source)
        .as_deref()
        .map(|s| one_of::<ClaimSource>(s, "source", "search_and_link, auto_update").map(|v| v.as_str().to_owned()))
        .transpose()?;
    let action = present(&q.action)
        .as_deref()
        .map(|s| one_of::<ClaimAction>(s, "action", "create, delete").map(|v| v.as_str().to_owned()))
        .transpose()?;
    let dois = split(&q.doi)
        .iter()
        .map(|d| parse_doi(d, "doi").map(|d| d.to_string()))
        .collect::<ApiResult<Vec<_>>>()?;
    let (sort, descending) = SortKey::parse(present(&q.sort).as_deref())?;
    let (page, page_size) = crate::paging::page(q.page_number, q.page_size)?;
    let cursor = present(&q.page_cursor).as_deref().map(decode_cursor).transpose()?;
    let filters = Filters {
        orcid,
        states,
        source,
        action,
        dois,
        q: q.q.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
        error: q.error.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
        created_from: q
            .created_from
            .as_deref()
            .map(|v| parse_time(v, "created_from"))
            .transpose()?,
        created_to: q
            .created_to
            .as_deref()
            .map(|v| parse_time(v, "created_to"))
            .transpose()?,
    };
    let order = Order {
        sort,
        descending,
        page,
        page_size,
        cursor,
    };
    Ok((query::search(conn, &filters, order)?, order))
}

/// Your claim counts
///
/// For the "ORCID Claims" section: counts by source (Search & Link, Auto-Update) and by state, and
/// the last DOI written to your ORCID record.
#[utoipa::path(
    tag = "claims",
    responses(
        (status = 200, description = "Counts and the last claim.", body = ClaimStats),
        NotSignedIn,
        (status = 403, description = "A token without `claims:read`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/accounts/me/claims/stats")]
pub async fn stats(caller: PendingCaller) -> ApiResult<HttpResponse> {
    let stats = caller
        .run(|conn, caller| {
            caller.authorize(Action::ReadClaims, Some(Subject::of(&caller.account)))?;
            Ok(query::stats(conn, &caller.account.orcid)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(stats))
}

/// Dismiss a failed claim, or one waiting for your approval
///
/// Sets aside a claim that failed, or one Auto-Update holds for your approval
/// (`pending_review`), without asking anything of ORCID (the work never reached the record): it
/// stays in the list as `ignored` with the reason "Dismissed", is never pushed, and Auto-Update
/// does not propose the DOI again (it is added to your exclusions). Adding the DOI by hand
/// (`POST /api/v1/claims`) queues it afresh.
#[utoipa::path(
    tag = "claims",
    params(("id" = Uuid, Path, description = "The claim's id.")),
    responses(
        (status = 200, description = "The claim, dismissed (`ignored`).", body = ClaimView),
        NotSignedIn,
        (status = 403, description = "A token without `claims:write`, someone else's claim that your role may read but not change (`forbidden`), or a cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such claim among yours.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The claim has not failed and waits for no approval (`claim_not_ignorable`): nothing to dismiss.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/claims/{id}/dismiss")]
pub async fn dismiss(caller: Caller, state: web::Data<AppState>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let (claim, _) = target(&state, &caller, id.into_inner(), Action::ChangeClaim).await?;
    let actor = caller.account.clone();
    let claim = crate::db::run(&state.pool, move |conn| {
        crate::claims::admin::dismiss(conn, &actor, claim.id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ClaimView::from(claim)))
}

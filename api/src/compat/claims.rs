//! DataCite's `/claims`, as lupo (for Commons) and levriero (for Auto-Update) call it: the claim
//! body and DataCite's validation answers, the JSON:API claim, and the list with DataCite's
//! filters, sort keys, paging (`page[number]`/`page[size]`, or `page[cursor]`) and facets.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use chrono::{DateTime, TimeZone, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::datacite::{account_of, refused, refused_outright, titleize, CompatCaller, CompatError, CompatResult};
use crate::app::AppState;
use crate::claims::legacy::LegacyRequest;
use crate::claims::query::{decode_cursor, encode_cursor};
use crate::claims::store::{self, Claim};
use crate::claims::{ClaimAction, ClaimSource, ClaimState};
use crate::db::schema::{accounts, claims};
use crate::domain::{Doi, OrcidId};
use crate::policy::{Action, Subject};

/// The most words a `query` may hold (each is a pattern match over several columns).
pub const MAX_WORDS: usize = 10;

pub const MISSING_CLAIM: &str = "param is missing or the value is empty or invalid: claim";

/// The `claim` object of a `POST /claims` body (keys underscored), read as DataCite's Rails app
/// reads it: unreadable JSON is a 400; no `claim`, or an empty one, a 422; a `claim` that is not
/// an object a 400.
pub fn claim_object(body: &[u8]) -> CompatResult<Map<String, Value>> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| CompatError::new(StatusCode::BAD_REQUEST, "The request body is not valid JSON."))?;
    let value = crate::claims::legacy::underscore_keys(&value);
    match value.get("claim") {
        None | Some(Value::Null) => Err(CompatError::new(StatusCode::UNPROCESSABLE_ENTITY, MISSING_CLAIM)),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(CompatError::new(StatusCode::UNPROCESSABLE_ENTITY, MISSING_CLAIM))
        }
        Some(Value::Object(m)) if m.is_empty() => {
            Err(CompatError::new(StatusCode::UNPROCESSABLE_ENTITY, MISSING_CLAIM))
        }
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(CompatError::new(
            StatusCode::BAD_REQUEST,
            "claim must be an object: {\"claim\": {\"orcid\", \"doi\", \"source_id\", \"claim_action\"}}.",
        )),
    }
}

/// A text field of the claim: `None` when absent or blank, `Err` when not a string.
fn text(claim: &Map<String, Value>, key: &str) -> Result<Option<String>, ()> {
    match claim.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(()),
    }
}

/// Checks a claim as DataCite does and says who it is for. A claim for someone else's record is
/// refused outright (403) unless the caller may act for them; what is wrong with the rest comes
/// back in one 422, an entry per attribute (`{"source": "doi", "title": "Can't be blank"}`);
/// a person without an account here is `{"source": "user", "title": "Must exist"}`.
pub async fn check_claim(
    state: &AppState,
    who: &CompatCaller,
    claim: &Map<String, Value>,
) -> CompatResult<LegacyRequest> {
    let mut errors: Vec<(&str, &str)> = Vec::new();
    let delete = match text(claim, "claim_action").as_ref().map(Option::as_deref) {
        Ok(None | Some("create")) => false,
        Ok(Some("delete")) => true,
        _ => {
            errors.push(("claim_action", "Is not included in the list"));
            false
        }
    };
    let orcid = text(claim, "orcid")
        .ok()
        .flatten()
        .and_then(|o| OrcidId::parse(&o).ok());
    let owner = match &orcid {
        Some(orcid) => {
            let owner = account_of(state, orcid.to_string()).await?;
            let action = if delete {
                Action::ChangeClaim
            } else {
                Action::CreateClaim
            };
            who.decide(action, Some(Subject::record(orcid.as_str(), owner.as_ref())))
                .map_err(refused_outright)?;
            owner
        }
        None => None,
    };
    let doi = match text(claim, "doi") {
        Ok(None) => {
            errors.push(("doi", "Can't be blank"));
            None
        }
        Ok(Some(d)) => Doi::parse_as_given(&d)
            .map_err(|_| errors.push(("doi", "Is invalid")))
            .ok(),
        Err(()) => {
            errors.push(("doi", "Is invalid"));
            None
        }
    };
    let source = match text(claim, "source_id").as_ref().map(Option::as_deref) {
        Ok(None) => {
            errors.push(("source_id", "Can't be blank"));
            None
        }
        Ok(Some("orcid_update")) => Some(ClaimSource::AutoUpdate),
        Ok(Some("orcid_search")) => Some(ClaimSource::SearchAndLink),
        _ => {
            errors.push(("source_id", "Is not included in the list"));
            None
        }
    };
    if owner.is_none() {
        errors.push(("user", "Must exist"));
    }
    match (orcid, doi, source) {
        (Some(orcid), Some((doi, as_given)), Some(source)) if errors.is_empty() => Ok(LegacyRequest {
            by_person: who.orcid() == Some(orcid.as_str()),
            orcid,
            doi,
            doi_as_given: Some(as_given),
            source,
            delete,
        }),
        _ => Err(CompatError::invalid(&errors)),
    }
}

pub fn source_id(source: ClaimSource) -> &'static str {
    match source {
        ClaimSource::SearchAndLink => "orcid_search",
        ClaimSource::AutoUpdate => "orcid_update",
    }
}

fn source_title(id: &str) -> String {
    match id {
        "orcid_search" => "ORCID Search and Link".to_owned(),
        _ => "ORCID Auto-Update".to_owned(),
    }
}

/// DataCite's state names: our `waiting_for_permission` and `pending_review` are claims still
/// waiting; a work the person removed on orcid.org is `deleted`.
pub fn datacite_state(state: ClaimState) -> &'static str {
    match state {
        ClaimState::WaitingForPermission | ClaimState::PendingReview => "waiting",
        ClaimState::RemovedInOrcid => "deleted",
        other => other.as_str(),
    }
}

/// A claim as DataCite renders it: the iD and the DOI as URLs (the DOI in the case its caller
/// sent), DataCite's source and state names, and `errorMessages` (empty unless it failed).
pub fn claim_resource(c: &Claim) -> Value {
    let errors: Vec<Value> = match (c.state(), &c.error_message) {
        (ClaimState::Failed | ClaimState::WaitingForPermission, Some(message)) => vec![json!({ "title": message })],
        _ => vec![],
    };
    json!({
        "id": c.id,
        "type": "claims",
        "attributes": {
            "orcid": format!("https://orcid.org/{}", c.orcid),
            "doi": crate::domain::doi_url(c.doi_as_given.as_deref().unwrap_or(&c.doi)),
            "sourceId": source_id(c.source()),
            "state": datacite_state(c.state()),
            "claimAction": c.action().as_str(),
            "putCode": c.put_code,
            "errorMessages": errors,
            "claimed": c.claimed_at,
            "created": c.created_at,
            "updated": c.updated_at,
        },
        "relationships": { "user": { "data": { "id": c.orcid, "type": "users" } } },
    })
}

/// A claim the caller may see for `action`: someone else's claim that the caller may not even
/// read is not there (404); one they may read but not change is refused (403).
pub async fn visible_claim(state: &AppState, who: &CompatCaller, id: Uuid, action: Action) -> CompatResult<Claim> {
    let claim = crate::db::run(&state.pool, move |conn| Ok(store::find(conn, id)?))
        .await?
        .ok_or_else(CompatError::not_found)?;
    let owner = account_of(state, claim.orcid.clone()).await?;
    let target = Some(Subject::record(&claim.orcid, owner.as_ref()));
    who.decide(Action::ReadClaims, target).map_err(refused)?;
    who.decide(action, target).map_err(refused_outright)?;
    Ok(claim)
}

/// How `GET /claims` is ordered: DataCite's sort keys, default `-updated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimSort {
    Doi,
    Orcid,
    Created,
    Updated,
}

/// What DataCite's `GET /claims` asks for, checked.
#[derive(Debug, Clone)]
pub struct ClaimFilters {
    pub orcid: Option<String>,
    pub dois: Vec<String>,
    pub source: Option<ClaimSource>,
    pub action: Option<ClaimAction>,
    pub states: Vec<ClaimState>,
    /// Words, each matched (as text, never as a query language) in the DOI, the iD or the source.
    pub words: Vec<String>,
    pub created: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub claimed: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub sort: (ClaimSort, bool),
    pub page: i64,
    pub size: i64,
    /// `page[cursor]` was given: created ascending, after this claim (`None`: from the start).
    pub cursor: Option<Option<(DateTime<Utc>, Uuid)>>,
    /// The `users` facet: only for callers who may read everyone's claims.
    pub with_users: bool,
}

fn unprocessable(m: impl Into<String>) -> CompatError {
    CompatError::new(StatusCode::UNPROCESSABLE_ENTITY, m)
}

/// `2024`, or `2020,2024`: from the start of the first year to the end of the last.
fn years(value: &str, key: &str) -> CompatResult<(DateTime<Utc>, DateTime<Utc>)> {
    let bad = || unprocessable(format!("{key}: a year (2024) or a range of years (2020,2024)"));
    let year = |y: &str| {
        let y = y.trim();
        if y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()) {
            y.parse::<i32>()
        } else {
            "x".parse::<i32>()
        }
    };
    let mut parts = value.split(',').map(year);
    let from = parts.next().and_then(Result::ok).ok_or_else(bad)?;
    let to = match parts.next() {
        None => from,
        Some(y) => y.map_err(|_| bad())?,
    };
    if parts.next().is_some() || !(0..=9999).contains(&from) || !(0..=9999).contains(&to) {
        return Err(bad());
    }
    let (from, to) = (from.min(to), from.max(to));
    let start = |y: i32| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).single().ok_or_else(bad);
    Ok((start(from)?, start(to + 1)?))
}

/// Reads the filters, sort and page of DataCite's `GET /claims` (keys already underscored), for
/// the record `orcid` the caller may read (`None`: everyone's).
pub fn parse_claim_filters(
    q: &BTreeMap<String, String>,
    orcid: Option<String>,
    with_users: bool,
) -> CompatResult<ClaimFilters> {
    if q.get("dois").is_some_and(|v| v.chars().count() > 2000) {
        return Err(unprocessable("dois: at most 2000 characters"));
    }
    let dois: Vec<String> = q
        .get("dois")
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| {
                    Doi::parse(d)
                        .map(String::from)
                        .map_err(|e| unprocessable(format!("dois: {e}")))
                })
                .collect::<CompatResult<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    let present = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let source = present("source_id")
        .map(|v| match v {
            "orcid_search" => Ok(ClaimSource::SearchAndLink),
            "orcid_update" => Ok(ClaimSource::AutoUpdate),
            other => Err(unprocessable(format!(
                "source-id: orcid_search or orcid_update, not {other:?}"
            ))),
        })
        .transpose()?;
    let action = present("claim_action")
        .map(|v| {
            v.parse::<ClaimAction>()
                .map_err(|_| unprocessable(format!("claim-action: create or delete, not {v:?}")))
        })
        .transpose()?;
    let mut states: Vec<ClaimState> = Vec::new();
    for s in present("state")
        .map(|v| v.split(',').collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let st = s
            .trim()
            .parse::<ClaimState>()
            .map_err(|_| unprocessable(format!("state: unknown {s:?}")))?;
        states.push(st);
        if st == ClaimState::Waiting {
            states.extend([ClaimState::WaitingForPermission, ClaimState::PendingReview]);
        }
        if st == ClaimState::Deleted {
            states.push(ClaimState::RemovedInOrcid);
        }
    }
    if present("query").is_some_and(|v| v.chars().count() > 2000) {
        return Err(unprocessable("query: at most 2000 characters"));
    }
    let words: Vec<String> = present("query")
        .map(|v| v.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    if words.len() > MAX_WORDS {
        return Err(unprocessable(format!("query: at most {MAX_WORDS} words")));
    }
    let created = present("created").map(|v| years(v, "created")).transpose()?;
    let claimed = present("claimed").map(|v| years(v, "claimed")).transpose()?;
    let sort = match present("sort").unwrap_or("-updated") {
        // Without a text to rank by, relevance is DataCite's default order.
        "relevance" | "-updated" => (ClaimSort::Updated, true),
        "updated" => (ClaimSort::Updated, false),
        "created" => (ClaimSort::Created, false),
        "-created" => (ClaimSort::Created, true),
        "doi" => (ClaimSort::Doi, false),
        "-doi" => (ClaimSort::Doi, true),
        "orcid" => (ClaimSort::Orcid, false),
        "-orcid" => (ClaimSort::Orcid, true),
        other => {
            return Err(unprocessable(format!(
                "sort: one of relevance, doi, -doi, orcid, -orcid, created, -created, updated, -updated; not {other:?}"
            )))
        }
    };
    let (page, size) = crate::compat::datacite::page_of(q)?;
    let cursor = match q.get("page[cursor]").map(|v| v.trim()) {
        None => None,
        // DataCite's callers start a cursor walk with `page[cursor]=1` (or empty).
        Some("" | "1") => Some(None),
        Some(c) => {
            Some(Some(decode_cursor(c).map_err(|_| {
                unprocessable("page[cursor]: not a cursor from links.next")
            })?))
        }
    };
    Ok(ClaimFilters {
        orcid,
        dois,
        source,
        action,
        states,
        words,
        created,
        claimed,
        sort,
        page,
        size,
        cursor,
        with_users,
    })
}

fn filtered(f: &ClaimFilters) -> claims::BoxedQuery<'static, Pg> {
    let mut query = claims::table.into_boxed();
    if let Some(o) = &f.orcid {
        query = query.filter(claims::orcid.eq(o.clone()));
    }
    if !f.dois.is_empty() {
        query = query.filter(claims::doi.eq_any(f.dois.clone()));
    }
    if let Some(s) = f.source {
        query = query.filter(claims::source.eq(s));
    }
    if let Some(a) = f.action {
        query = query.filter(claims::action.eq(a));
    }
    if !f.states.is_empty() {
        query = query.filter(claims::state.eq_any(f.states.clone()));
    }
    for word in &f.words {
        // A word of a source id (`orcid`, `search`) matches every claim.
        let lower = word.to_lowercase();
        if ["orcid_search", "orcid_update"].iter().any(|s| s.contains(&lower)) {
            continue;
        }
        let pattern = crate::db::contains_pattern(word);
        let mut any = Box::new(claims::doi.ilike(pattern.clone()).or(claims::orcid.ilike(pattern)))
            as Box<dyn BoxableExpression<claims::table, Pg, SqlType = diesel::sql_types::Bool>>;
        if let Ok(id) = Uuid::parse_str(word) {
            any = Box::new(any.or(claims::id.eq(id)));
        }
        query = query.filter(any);
    }
    if let Some((from, to)) = f.created {
        query = query.filter(claims::created_at.ge(from).and(claims::created_at.lt(to)));
    }
    if let Some((from, to)) = f.claimed {
        query = query.filter(claims::claimed_at.ge(from).and(claims::claimed_at.lt(to)));
    }
    query
}

/// One page of claims, what matched in all, DataCite's `meta` and the cursor of the next page
/// (in a cursor walk).
pub struct ClaimPage {
    pub rows: Vec<Claim>,
    pub total: i64,
    pub meta: Value,
    pub next_cursor: Option<String>,
}

fn facet(counts: Vec<(String, i64)>, title: impl Fn(&str) -> String) -> Value {
    let mut counts: Vec<(String, i64)> = counts.into_iter().filter(|(_, n)| *n > 0).collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
        .iter()
        .map(|(id, n)| json!({ "id": id, "title": title(id), "count": n }))
        .collect()
}

/// The claims that match `f`, one page, with DataCite's `meta`: `total`, `totalPages`, `page`,
/// and when anything matched the facets `created` (years, newest first), `sources`, `users`
/// (the ten iDs with most claims, for those who may read everyone's), `claimActions` and
/// `states` (most first).
pub fn search_claims(conn: &mut PgConnection, f: &ClaimFilters) -> QueryResult<ClaimPage> {
    let total: i64 = filtered(f).count().get_result(conn)?;
    let mut query = filtered(f);
    let mut next_cursor = None;
    let rows: Vec<Claim> = if let Some(after) = f.cursor {
        if let Some(past) = after {
            query = query.filter(crate::db::Keyset::past(claims::created_at, claims::id, past, false));
        }
        let mut rows: Vec<Claim> = query
            .order((claims::created_at.asc(), claims::id.asc()))
            .limit(f.size + 1)
            .select(Claim::as_select())
            .load(conn)?;
        if rows.len() as i64 > f.size {
            rows.truncate(f.size as usize);
            next_cursor = rows.last().map(|c| encode_cursor(c.created_at, c.id));
        }
        rows
    } else {
        query = match f.sort {
            (ClaimSort::Updated, true) => query.order((claims::updated_at.desc(), claims::id.desc())),
            (ClaimSort::Updated, false) => query.order((claims::updated_at.asc(), claims::id.asc())),
            (ClaimSort::Created, true) => query.order((claims::created_at.desc(), claims::id.desc())),
            (ClaimSort::Created, false) => query.order((claims::created_at.asc(), claims::id.asc())),
            (ClaimSort::Doi, true) => query.order((claims::doi.desc(), claims::id.desc())),
            (ClaimSort::Doi, false) => query.order((claims::doi.asc(), claims::id.asc())),
            (ClaimSort::Orcid, true) => query.order((claims::orcid.desc(), claims::id.desc())),
            (ClaimSort::Orcid, false) => query.order((claims::orcid.asc(), claims::id.asc())),
        };
        query
            .offset((f.page - 1) * f.size)
            .limit(f.size)
            .select(Claim::as_select())
            .load(conn)?
    };
    let mut meta = json!({
        "total": total,
        "totalPages": (total.min(10_000) + f.size - 1) / f.size,
        "page": if f.cursor.is_some() { Value::Null } else { json!(f.page) },
    });
    if total > 0 {
        let ids = || filtered(f).select(claims::id);
        let by_source: Vec<(ClaimSource, i64)> = claims::table
            .filter(claims::id.eq_any(ids()))
            .group_by(claims::source)
            .select((claims::source, count_star()))
            .load(conn)?;
        let by_state: Vec<(ClaimState, i64)> = claims::table
            .filter(claims::id.eq_any(ids()))
            .group_by(claims::state)
            .select((claims::state, count_star()))
            .load(conn)?;
        let by_action: Vec<(String, i64)> = claims::table
            .filter(claims::id.eq_any(ids()))
            .group_by(claims::action)
            .select((claims::action, count_star()))
            .load(conn)?;
        let year =
            || diesel::dsl::sql::<diesel::sql_types::Integer>("CAST(date_part('year', claims.created_at) AS integer)");
        let by_year: BTreeMap<i32, i64> = claims::table
            .filter(claims::id.eq_any(ids()))
            .group_by(year())
            .select((year(), count_star()))
            .load::<(i32, i64)>(conn)?
            .into_iter()
            .collect();
        let mut merged: BTreeMap<String, i64> = BTreeMap::new();
        for (s, n) in by_state {
            *merged.entry(datacite_state(s).to_owned()).or_default() += n;
        }
        meta["created"] = by_year
            .iter()
            .rev()
            .map(|(y, n)| json!({ "id": y.to_string(), "title": y.to_string(), "count": n }))
            .collect();
        meta["sources"] = facet(
            by_source
                .into_iter()
                .map(|(s, n)| (source_id(s).to_owned(), n))
                .collect(),
            source_title,
        );
        if f.with_users {
            let by_user: Vec<(String, i64)> = claims::table
                .filter(claims::id.eq_any(ids()))
                .group_by(claims::orcid)
                .select((claims::orcid, count_star()))
                .order((count_star().desc(), claims::orcid.asc()))
                .limit(10)
                .load(conn)?;
            let names: BTreeMap<String, Option<String>> = accounts::table
                .filter(accounts::orcid.eq_any(by_user.iter().map(|(o, _)| o.clone()).collect::<Vec<_>>()))
                .select((accounts::orcid, accounts::name))
                .load::<(String, Option<String>)>(conn)?
                .into_iter()
                .collect();
            meta["users"] = facet(by_user, |id| {
                names.get(id).cloned().flatten().unwrap_or_else(|| id.to_owned())
            });
        }
        meta["claimActions"] = facet(by_action, titleize);
        meta["states"] = facet(merged.into_iter().collect(), titleize);
    }
    Ok(ClaimPage {
        rows,
        total,
        meta,
        next_cursor,
    })
}

//! Searching claims: the filters every list shares, keyset cursors, and counts per state and
//! source. The routes parse a request into [`Filters`] and [`Order`] and render what [`search`]
//! finds.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::store::Claim;
use super::view::{ClaimStats, LastClaim, SourceStats};
use super::{ClaimSource, ClaimState};
use crate::db::schema::claims;
use crate::error::{ApiError, ApiResult, ErrorCode};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SortKey {
    Created,
    Updated,
}

#[derive(Debug, Clone)]
pub struct Filters {
    pub orcid: Option<String>,
    pub states: Vec<String>,
    pub source: Option<String>,
    pub action: Option<String>,
    pub dois: Vec<String>,
    pub q: Option<String>,
    pub error: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
}

pub fn parse_time(value: &str, field: &str) -> ApiResult<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("{field} must be a date (YYYY-MM-DD) or an RFC 3339 time."),
            )
            .with_field(field, "not a date")
        })
}

pub fn one_of<T: std::str::FromStr>(value: &str, field: &str, allowed: &str) -> ApiResult<T> {
    value.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("{field} must be one of {allowed}; got {value:?}."),
        )
        .with_field(field, format!("one of {allowed}"))
    })
}

pub fn filtered(f: &Filters) -> claims::BoxedQuery<'static, Pg> {
    let mut query = claims::table.into_boxed();
    if let Some(orcid) = &f.orcid {
        query = query.filter(claims::orcid.eq(orcid.clone()));
    }
    if !f.states.is_empty() {
        query = query.filter(claims::state.eq_any(f.states.clone()));
    }
    if let Some(source) = &f.source {
        query = query.filter(claims::source.eq(source.clone()));
    }
    if let Some(action) = &f.action {
        query = query.filter(claims::action.eq(action.clone()));
    }
    if !f.dois.is_empty() {
        query = query.filter(claims::doi.eq_any(f.dois.clone()));
    }
    if let Some(q) = &f.q {
        let pattern = crate::db::contains_pattern(q);
        query = query.filter(claims::doi.ilike(pattern.clone()).or(claims::title.ilike(pattern)));
    }
    if let Some(error) = &f.error {
        let pattern = crate::db::contains_pattern(error);
        // Only claims with an error have one (the table checks code and message go together):
        // said so, the planner reads the partial index of those instead of every claim.
        query = query.filter(claims::error_code.is_not_null()).filter(
            claims::error_code
                .eq(error.clone())
                .or(claims::error_message.ilike(pattern)),
        );
    }
    if let Some(from) = f.created_from {
        query = query.filter(claims::created_at.ge(from));
    }
    if let Some(to) = f.created_to {
        query = query.filter(claims::created_at.lt(to));
    }
    query
}

/// The longest `doi` filter, in characters: a request line stays within what servers and
/// balancers buffer, percent-encoded.
pub const MAX_DOI_FILTER: usize = 2000;

/// Refuses a `doi` filter longer than [`MAX_DOI_FILTER`].
pub fn check_doi_filter(value: Option<&str>) -> ApiResult<()> {
    if value.is_some_and(|d| d.chars().count() > MAX_DOI_FILTER) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("doi lists at most {MAX_DOI_FILTER} characters of DOIs; ask for fewer at a time."),
        )
        .with_field("doi", "too long"));
    }
    Ok(())
}

/// The query of `GET /api/v1/claims`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClaimQuery {
    /// Only these states (comma-separated), e.g. `failed,waiting_for_permission`. Here and in
    /// every filter below, an empty value is no filter.
    #[param(
        pattern = "^$|^(deleted|done|failed|ignored|pending_review|removed_in_orcid|waiting|waiting_for_permission|working)(,(deleted|done|failed|ignored|pending_review|removed_in_orcid|waiting|waiting_for_permission|working))*$"
    )]
    pub state: Option<String>,
    /// `search_and_link` or `auto_update`.
    #[param(pattern = "^$|^(search_and_link|auto_update)$")]
    pub source: Option<String>,
    /// `create` or `delete`.
    #[param(pattern = "^$|^(create|delete)$")]
    pub action: Option<String>,
    /// Only these DOIs (comma-separated, any accepted form).
    #[param(
        pattern = "^\\s*((([Hh][Tt][Tt][Pp][Ss]?://)?(([Dd][Xx]\\.)?[Dd][Oo][Ii]\\.[Oo][Rr][Gg]/|[Dd][Oo][Ii]:)\\s*|[Hh][Tt][Tt][Pp][Ss]?://)?10\\.[0-9]{4,9}(/|%2[Ff])(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+)(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)*|(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)+))?\\s*(,\\s*((([Hh][Tt][Tt][Pp][Ss]?://)?(([Dd][Xx]\\.)?[Dd][Oo][Ii]\\.[Oo][Rr][Gg]/|[Dd][Oo][Ii]:)\\s*|[Hh][Tt][Tt][Pp][Ss]?://)?10\\.[0-9]{4,9}(/|%2[Ff])(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+)(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)*|(/(([^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.,\\x00-\\x1f\\x7f-\\x9f][^\\s/,\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/,\\x00-\\x1f\\x7f-\\x9f]+))?)+))?\\s*)*$",
        max_length = 2000
    )]
    pub doi: Option<String>,
    /// Free text, matched against DOI and title.
    pub q: Option<String>,
    /// Staff only: the claims of this ORCID iD (its check digit is checked too: 422 when it is
    /// wrong).
    #[param(
        pattern = "^$|^\\s*(https?://orcid\\.org/|https://sandbox\\.orcid\\.org/|orcid\\.org/)?([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|[0-9]{15}[0-9Xx])\\s*$"
    )]
    pub orcid: Option<String>,
    /// Only claims whose error code is this, or whose error message contains it.
    pub error: Option<String>,
    /// Created at or after (`YYYY-MM-DD`, or an RFC 3339 time).
    #[param(value_type = Option<String>, format = Date)]
    pub created_from: Option<String>,
    /// Created before (`YYYY-MM-DD`, or an RFC 3339 time; exclusive).
    #[param(value_type = Option<String>, format = Date)]
    pub created_to: Option<String>,
    /// `-created` (default), `created`, `-updated` or `updated`.
    #[param(pattern = "^$|^-?(created|updated)$")]
    pub sort: Option<String>,
    /// Page number, 1–10,000.
    #[serde(rename = "page[number]")]
    #[param(rename = "page[number]", minimum = 1, maximum = 10000)]
    pub page_number: Option<i64>,
    /// Page size, 1–100 (default 25).
    #[serde(rename = "page[size]")]
    #[param(rename = "page[size]", minimum = 1, maximum = 100)]
    pub page_size: Option<i64>,
    /// Opaque cursor from `links.next`; takes precedence over `page[number]`. Any other value
    /// is 422 `invalid_cursor`.
    #[serde(rename = "page[cursor]")]
    #[param(rename = "page[cursor]", max_length = 200)]
    pub page_cursor: Option<String>,
}

pub fn encode_cursor(at: DateTime<Utc>, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", at.timestamp_micros()))
}

pub fn decode_cursor(value: &str) -> ApiResult<(DateTime<Utc>, Uuid)> {
    let bad = || {
        ApiError::new(
            ErrorCode::InvalidCursor,
            "page[cursor] is not a cursor from links.next.",
        )
        .with_field("page[cursor]", "unknown cursor")
    };
    let text = URL_SAFE_NO_PAD
        .decode(value)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    let (micros, id) = text.split_once('|').ok_or_else(bad)?;
    let at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(bad)?;
    Ok((at, Uuid::parse_str(id).map_err(|_| bad())?))
}

/// How a search is ordered and paged: by page number, or after a cursor from the last page.
#[derive(Debug, Clone, Copy)]
pub struct Order {
    pub sort: SortKey,
    pub descending: bool,
    pub page: i64,
    pub page_size: i64,
    pub cursor: Option<(DateTime<Utc>, Uuid)>,
}

/// One page of claims, with the totals of everything that matched.
#[derive(Debug)]
pub struct Found {
    pub total: i64,
    /// Every state, with its count (zero included).
    pub states: BTreeMap<String, i64>,
    /// Every source, with its count (zero included).
    pub sources: BTreeMap<String, i64>,
    pub data: Vec<Claim>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
}

/// Every state (or source) with a count of zero, ready to be filled in.
pub fn zero_counts<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> BTreeMap<String, i64> {
    all.iter().map(|s| (name(*s).to_owned(), 0)).collect()
}

/// The claims that match `f`, one page in `order`.
/// One (state, source) count from a grouped SQL query.
#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    state: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    source: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Whether the filters narrow by nothing but person, state, source and error: those the kept
/// counts answer.
fn by_state_and_source(f: &Filters) -> bool {
    f.action.is_none() && f.dois.is_empty() && f.q.is_none() && f.created_from.is_none() && f.created_to.is_none()
}

/// Counts by (state, source) without going through the list of matching ids, when the filters
/// allow: a person's from `claim_counts` (kept by a trigger), everyone's by state from the state
/// index, and those by error from the index of claims with one. `None`: count the claims.
fn kept_counts(conn: &mut PgConnection, f: &Filters) -> QueryResult<Option<Vec<(String, String, i64)>>> {
    if !by_state_and_source(f) {
        return Ok(None);
    }
    if let Some(error) = &f.error {
        return error_counts(conn, f, error).map(Some);
    }
    let Some(orcid) = f.orcid.as_ref() else {
        // Everyone's, by state (the administration area's queues): grouped straight from the
        // state index, not through a list of ids.
        if f.states.is_empty() {
            return Ok(None);
        }
        let rows: Vec<CountRow> = diesel::sql_query(
            "SELECT state, source, COUNT(*) AS n FROM claims
             WHERE state = ANY($1) AND ($2::text IS NULL OR source = $2) GROUP BY state, source",
        )
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&f.states)
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(&f.source)
        .load(conn)?;
        return Ok(Some(rows.into_iter().map(|r| (r.state, r.source, r.n)).collect()));
    };
    // A person's, from `claim_counts`: the same subquery a page carries, on its own.
    let counts = InlineCounts {
        orcid: orcid.clone(),
        states: f.states.clone(),
        source: f.source.clone(),
    };
    let text: Option<String> = diesel::select(counts).get_result(conn)?;
    InlineCounts::parse(text.as_deref()).map(Some)
}

/// Counts by (state, source) of the claims with an error matching `error` (its code, or words of
/// its message), perhaps of one person, states and a source: grouped straight from the rows, so
/// the partial index of claims with an error, which carries these columns, answers it alone.
fn error_counts(conn: &mut PgConnection, f: &Filters, error: &str) -> QueryResult<Vec<(String, String, i64)>> {
    let rows: Vec<CountRow> = diesel::sql_query(
        "SELECT state, source, COUNT(*) AS n FROM claims
         WHERE error_code IS NOT NULL AND (error_code = $1 OR error_message ILIKE $2)
           AND ($3::text IS NULL OR orcid = $3)
           AND (cardinality($4::text[]) = 0 OR state = ANY($4))
           AND ($5::text IS NULL OR source = $5)
         GROUP BY state, source",
    )
    .bind::<diesel::sql_types::Text, _>(error)
    .bind::<diesel::sql_types::Text, _>(crate::db::contains_pattern(error))
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(&f.orcid)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&f.states)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(&f.source)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.state, r.source, r.n)).collect())
}

/// A person's counts from `claim_counts` as one text column, `state source n` per (state,
/// source) joined by commas, for the page's own statement to carry: a list then takes one round
/// trip to PostgreSQL, not two. PostgreSQL runs the uncorrelated subquery once per statement, and
/// every row repeats its value. `None` where [`kept_counts`] would not read `claim_counts`.
#[derive(Debug, Clone)]
struct InlineCounts {
    orcid: String,
    states: Vec<String>,
    source: Option<String>,
}

impl InlineCounts {
    fn of(f: &Filters) -> Option<Self> {
        // As `kept_counts` reads `claim_counts`: a person's, with no error filter (those are
        // counted from the index of claims with an error).
        let orcid = f
            .orcid
            .clone()
            .filter(|_| by_state_and_source(f) && f.error.is_none())?;
        Some(InlineCounts {
            orcid,
            states: f.states.clone(),
            source: f.source.clone(),
        })
    }

    /// The column's text back as (state, source, count) rows.
    fn parse(text: Option<&str>) -> QueryResult<Vec<(String, String, i64)>> {
        let bad = || diesel::result::Error::DeserializationError(format!("unreadable counts {text:?}").into());
        text.unwrap_or_default()
            .split(',')
            .filter(|row| !row.is_empty())
            .map(|row| {
                let mut parts = row.split(' ');
                match (
                    parts.next(),
                    parts.next(),
                    parts.next().map(str::parse::<i64>),
                    parts.next(),
                ) {
                    (Some(state), Some(source), Some(Ok(n)), None) => Ok((state.to_owned(), source.to_owned(), n)),
                    _ => Err(bad()),
                }
            })
            .collect()
    }
}

impl Expression for InlineCounts {
    type SqlType = diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

impl diesel::expression::ValidGrouping<()> for InlineCounts {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<QS> diesel::expression::AppearsOnTable<QS> for InlineCounts {}

impl<QS> SelectableExpression<QS> for InlineCounts {}

impl diesel::query_builder::QueryId for InlineCounts {
    type QueryId = ();
    // The text differs by filter; the statement cache keys on it (it stays cacheable: only
    // fixed SQL and bound values are written).
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::QueryFragment<Pg> for InlineCounts {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        use diesel::sql_types::{Array, Text};
        // `state` and `source` are single words (`claims` checks them, and the trigger copies
        // them into `claim_counts`), so spaces and commas separate them safely.
        out.push_sql(
            "(SELECT string_agg(k.state || ' ' || k.source || ' ' || k.n, ',') \
             FROM claim_counts k WHERE k.n > 0 AND k.orcid = ",
        );
        out.push_bind_param::<Text, _>(&self.orcid)?;
        if !self.states.is_empty() {
            out.push_sql(" AND k.state = ANY(");
            out.push_bind_param::<Array<Text>, _>(&self.states)?;
            out.push_sql(")");
        }
        if let Some(source) = &self.source {
            out.push_sql(" AND k.source = ");
            out.push_bind_param::<Text, _>(source)?;
        }
        out.push_sql(")");
        Ok(())
    }
}

pub fn search(conn: &mut PgConnection, f: &Filters, order: Order) -> QueryResult<Found> {
    let Order {
        sort,
        descending,
        page,
        page_size,
        cursor,
    } = order;
    let inline = InlineCounts::of(f);
    // Keyset order on (sort key, id), so cursors are stable while claims change.
    macro_rules! ordered {
        ($key:expr) => {{
            let mut rows = filtered(f);
            if let Some(past) = cursor {
                rows = rows.filter(crate::db::Keyset::past($key, claims::id, past, descending));
            }
            if descending {
                rows.order(($key.desc(), claims::id.desc()))
            } else {
                rows.order(($key.asc(), claims::id.asc()))
            }
        }};
    }
    let rows = match sort {
        SortKey::Created => ordered!(claims::created_at),
        SortKey::Updated => ordered!(claims::updated_at),
    };
    let skip = if cursor.is_none() { (page - 1) * page_size } else { 0 };
    use crate::db::Page;
    let (data, inline_counted): (Vec<Claim>, Option<Option<String>>) = match inline {
        // A person's list: the counts ride on the page's statement.
        Some(counts) => {
            let loaded: Vec<(Claim, Option<String>)> =
                Page::new(rows.select((Claim::as_select(), counts)), page_size, skip).load(conn, page_size)?;
            let counts = loaded.first().map(|(_, counts)| counts.clone());
            (loaded.into_iter().map(|(claim, _)| claim).collect(), counts)
        }
        None => (
            Page::new(rows.select(Claim::as_select()), page_size, skip).load(conn, page_size)?,
            None,
        ),
    };
    // One pass for the counts: per (state, source), summed up into the total and each facet.
    let counted: Vec<(String, String, i64)> = match inline_counted {
        Some(text) => InlineCounts::parse(text.as_deref())?,
        // An empty page carries no counts; and other filters count another way.
        None => match kept_counts(conn, f)? {
            Some(kept) => kept,
            None => claims::table
                .filter(claims::id.eq_any(filtered(f).select(claims::id)))
                .group_by((claims::state, claims::source))
                .select((claims::state, claims::source, count_star()))
                .load(conn)?,
        },
    };
    let total: i64 = counted.iter().map(|(_, _, n)| n).sum();
    let mut by_state: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_source: BTreeMap<String, i64> = BTreeMap::new();
    for (state, source, n) in counted {
        *by_state.entry(state).or_default() += n;
        *by_source.entry(source).or_default() += n;
    }
    let mut states = zero_counts(&ClaimState::ALL, ClaimState::as_str);
    states.extend(by_state);
    let mut sources = zero_counts(&ClaimSource::ALL, ClaimSource::as_str);
    sources.extend(by_source);
    let full = i64::try_from(data.len()).unwrap_or(i64::MAX) == page_size;
    let next = data.last().filter(|_| full).map(|last| {
        let at = match sort {
            SortKey::Created => last.created_at,
            SortKey::Updated => last.updated_at,
        };
        encode_cursor(at, last.id)
    });
    let more = match cursor {
        Some(_) => next.is_some(),
        None => page * page_size < total,
    };
    Ok(Found {
        total,
        states,
        sources,
        data,
        next: next.filter(|_| more),
    })
}

/// A person's claim counts by source and state, and the work last written to their record.
pub fn stats(conn: &mut PgConnection, orcid: &str) -> QueryResult<ClaimStats> {
    let (rows, last) = {
        let rows: Vec<(String, String, i64)> = {
            use crate::db::schema::claim_counts;
            claim_counts::table
                .filter(claim_counts::orcid.eq(orcid))
                .filter(claim_counts::n.gt(0))
                .select((claim_counts::source, claim_counts::state, claim_counts::n))
                .load(conn)?
        };
        let last: Option<(String, Option<String>, Option<DateTime<Utc>>)> = claims::table
            .filter(claims::orcid.eq(orcid))
            .filter(claims::claimed_at.is_not_null())
            .order(claims::claimed_at.desc())
            .select((claims::doi, claims::title, claims::claimed_at))
            .first(conn)
            .optional()?;
        (rows, last)
    };
    let empty = || -> BTreeMap<String, i64> { ClaimState::ALL.iter().map(|s| (s.as_str().to_owned(), 0)).collect() };
    let mut states = empty();
    let mut sources: Vec<SourceStats> = ClaimSource::ALL
        .iter()
        .map(|s| SourceStats {
            source: *s,
            label: s.label().to_owned(),
            total: 0,
            states: empty(),
        })
        .collect();
    let mut total = 0;
    for (source, st, n) in rows {
        total += n;
        *states.entry(st.clone()).or_default() += n;
        if let Some(entry) = sources.iter_mut().find(|s| s.source.as_str() == source) {
            entry.total += n;
            *entry.states.entry(st).or_default() += n;
        }
    }
    Ok(ClaimStats {
        total,
        states,
        sources,
        last_claimed: last.and_then(|(doi, title, at)| {
            at.map(|claimed_at| LastClaim {
                doi_url: format!("https://doi.org/{doi}"),
                doi,
                title,
                claimed_at,
            })
        }),
    })
}

/// The same query with the cursor for the next page (and no page number).
pub fn next_link(query: &str, cursor: &str) -> String {
    let query = crate::paging::next_query(query, &["page[number]"], ("page[cursor]", cursor));
    format!("/api/v1/claims?{query}")
}

impl SortKey {
    /// `-created` (the default), `created`, `-updated` or `updated`: the key and whether it
    /// runs newest first.
    pub fn parse(value: Option<&str>) -> ApiResult<(SortKey, bool)> {
        Ok(match value.unwrap_or("-created") {
            "-created" => (SortKey::Created, true),
            "created" => (SortKey::Created, false),
            "-updated" => (SortKey::Updated, true),
            "updated" => (SortKey::Updated, false),
            other => {
                let allowed = "-created, created, -updated, updated";
                return Err(ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!("sort must be one of {allowed}; got {other:?}."),
                )
                .with_field("sort", format!("one of {allowed}")));
            }
        })
    }
}

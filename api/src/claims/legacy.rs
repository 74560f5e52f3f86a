//! DataCite's own claim form, `{"claim": {"doi", "orcid", "source_id", "claim_action"}}`, as
//! levriero and lupo send it: read, checked, and applied to the claims store.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::store::{self, Claim, Requester, Submission};
use super::ClaimSource;
use crate::db::schema::claims;
use crate::domain::{parse_doi, parse_orcid, Doi, OrcidId};
use crate::error::{ApiError, ApiResult, ErrorCode};

/// DataCite's existing form (levriero's `POST /claims`): one claim for one iD.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LegacyClaim {
    #[schema(
        pattern = "^\\s*(([Hh][Tt][Tt][Pp][Ss]?://)?(([Dd][Xx]\\.)?[Dd][Oo][Ii]\\.[Oo][Rr][Gg]/|[Dd][Oo][Ii]:)\\s*|[Hh][Tt][Tt][Pp][Ss]?://)?10\\.[0-9]{4,9}(/|%2[Ff])(([^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/\\x00-\\x1f\\x7f-\\x9f]+)(/(([^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/\\x00-\\x1f\\x7f-\\x9f]+))?)*|(/(([^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/\\x00-\\x1f\\x7f-\\x9f]+))?)+)\\s*$",
        max_length = 500
    )]
    pub doi: String,
    #[schema(
        pattern = "^\\s*(https?://orcid\\.org/|https://sandbox\\.orcid\\.org/|orcid\\.org/)?([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|[0-9]{15}[0-9Xx])\\s*$"
    )]
    pub orcid: String,
    /// `orcid_update` (Auto-Update, the default) or `orcid_search` (Search & Link).
    #[schema(pattern = "^(orcid_update|orcid_search)$")]
    pub source_id: Option<String>,
    /// `create` (default) or `delete`.
    #[schema(pattern = "^(create|delete)$")]
    pub claim_action: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LegacyClaimEnvelope {
    pub claim: LegacyClaim,
}

/// Hyphenated keys (`source-id`) become underscores, as DataCite's Rails app does.
pub fn underscore_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.replace('-', "_"), underscore_keys(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// DataCite's claim, checked.
#[derive(Debug, Clone)]
pub struct LegacyRequest {
    pub orcid: OrcidId,
    pub doi: Doi,
    /// The DOI as the caller spelt it, to give back in that case (DataCite's callers expect it).
    pub doi_as_given: Option<String>,
    pub source: ClaimSource,
    pub delete: bool,
    /// Asked for by the person themselves (their own token), not by a service or staff for them:
    /// only then does it count as the person's own request (reviving what they removed).
    pub by_person: bool,
}

/// Checks DataCite's `{doi, orcid, source_id, claim_action}`.
pub fn parse_legacy(claim: &LegacyClaim) -> ApiResult<LegacyRequest> {
    let doi = parse_doi(&claim.doi, "claim.doi")?;
    let orcid = parse_orcid(&claim.orcid, "claim.orcid")?;
    let source = match claim.source_id.as_deref() {
        None | Some("orcid_update") | Some("auto_update") => ClaimSource::AutoUpdate,
        Some("orcid_search") | Some("search_and_link") => ClaimSource::SearchAndLink,
        Some(other) => {
            return Err(
                ApiError::new(ErrorCode::InvalidParameter, format!("Unknown source_id {other:?}."))
                    .with_field("claim.source_id", "orcid_update or orcid_search"),
            )
        }
    };
    let delete = match claim.claim_action.as_deref() {
        None | Some("create") => false,
        Some("delete") => true,
        Some(other) => {
            return Err(
                ApiError::new(ErrorCode::InvalidParameter, format!("Unknown claim_action {other:?}."))
                    .with_field("claim.claim_action", "create or delete"),
            )
        }
    };
    Ok(LegacyRequest {
        orcid,
        doi,
        doi_as_given: None,
        source,
        delete,
        by_person: false,
    })
}

/// Creates, re-queues or withdraws the claim DataCite's form asks for.
pub fn apply_legacy(
    conn: &mut PgConnection,
    r: &LegacyRequest,
    max_attempts: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Claim> {
    if r.delete {
        let id: Option<uuid::Uuid> = claims::table
            .filter(claims::orcid.eq(r.orcid.as_str()))
            .filter(claims::doi.eq(r.doi.as_str()))
            .select(claims::id)
            .first(conn)
            .optional()?;
        let id = id.ok_or_else(|| ApiError::new(ErrorCode::ClaimNotFound, "There is no claim for this iD and DOI."))?;
        return Ok(store::request_delete(conn, id, max_attempts, now)?);
    }
    let submission = Submission {
        orcid: r.orcid.clone(),
        doi: r.doi.clone(),
        source: r.source,
        requester: if r.source == ClaimSource::SearchAndLink && r.by_person {
            Requester::Person
        } else {
            Requester::AutoUpdate
        },
        skip_reason: None,
        title: None,
    };
    let claim = store::submit(conn, &submission, max_attempts, now)?.0;
    match &r.doi_as_given {
        Some(given) if claim.doi_as_given.as_ref() != Some(given) => Ok(diesel::update(claims::table.find(claim.id))
            .set(claims::doi_as_given.eq(given))
            .returning(Claim::as_returning())
            .get_result(conn)?),
        _ => Ok(claim),
    }
}

//! How a claim is shown through the API.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::store::Claim;
use super::{ClaimAction, ClaimSource, ClaimState};

/// A claim's last error, in words and as a stable code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClaimError {
    /// E.g. `permission_not_granted`, `orcid_unavailable`, `doi_not_found`, `missing_metadata`.
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClaimView {
    pub id: Uuid,
    #[schema(example = "0000-0002-1825-0097")]
    pub orcid: String,
    /// Lower case, without resolver prefix.
    #[schema(example = "10.5555/j9cp-6b21")]
    pub doi: String,
    #[schema(example = "https://doi.org/10.5555/j9cp-6b21")]
    pub doi_url: String,
    pub source: ClaimSource,
    pub action: ClaimAction,
    pub state: ClaimState,
    /// The work's put-code in the ORCID record, once pushed.
    pub put_code: Option<i64>,
    /// The work's title, once known.
    pub title: Option<String>,
    /// Why the claim is waiting for permission, or why the last attempt went wrong.
    pub error: Option<ClaimError>,
    /// Why Auto-Update skipped it (state `ignored`).
    pub skip_reason: Option<String>,
    /// Attempts made by the current round of processing.
    pub attempts: i32,
    /// When the next attempt is due, after a failure that is retried.
    #[serde(serialize_with = "crate::clock::rfc3339_opt")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the work was last written to ORCID.
    #[serde(serialize_with = "crate::clock::rfc3339_opt")]
    pub claimed_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::clock::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::clock::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl From<Claim> for ClaimView {
    fn from(c: Claim) -> Self {
        let (state, source, action) = (c.state(), c.source(), c.action());
        Self {
            doi_url: crate::domain::doi_url(&c.doi),
            error: match (c.error_code, c.error_message) {
                (Some(code), Some(message)) => Some(ClaimError { code, message }),
                _ => None,
            },
            id: c.id,
            orcid: c.orcid,
            doi: c.doi,
            source,
            action,
            state,
            put_code: c.put_code,
            title: c.title,
            skip_reason: c.skip_reason,
            attempts: c.attempts,
            next_attempt_at: c.next_attempt_at,
            claimed_at: c.claimed_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClaimListMeta {
    /// Claims matching the filters.
    pub total: i64,
    /// The page number (absent in cursor mode).
    pub page: Option<i64>,
    pub page_size: i64,
    pub total_pages: i64,
    /// Matching claims per state (every state listed).
    pub states: BTreeMap<String, i64>,
    /// Matching claims per source (every source listed).
    pub sources: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ListLinks {
    /// The next page (cursor mode), when there is one.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClaimList {
    pub data: Vec<ClaimView>,
    pub meta: ClaimListMeta,
    pub links: ListLinks,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SourceStats {
    pub source: ClaimSource,
    /// "ORCID Search & Link" or "ORCID Auto-Update".
    pub label: String,
    pub total: i64,
    /// Claims per state (every state listed).
    pub states: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LastClaim {
    pub doi: String,
    pub doi_url: String,
    pub title: Option<String>,
    pub claimed_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClaimStats {
    pub total: i64,
    /// All claims per state (every state listed).
    pub states: BTreeMap<String, i64>,
    /// Search & Link first, then Auto-Update.
    pub sources: Vec<SourceStats>,
    /// The work most recently written to the ORCID record.
    pub last_claimed: Option<LastClaim>,
}

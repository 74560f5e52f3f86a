//! What a person keeps out of Auto-Update, and whether Auto-Update asks them first.
//!
//! Exclusions: one DOI, a DOI prefix, a DataCite repository (client), a resource type, or
//! "versions and parts" of other works. A DOI the person removed (here, or on orcid.org) or
//! dismissed from the review queue is excluded too, so it is never proposed again; adding it by
//! hand lifts that. Review mode (`review`) holds new Auto-Update claims as `pending_review`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::work::DoiMetadata;
use crate::db::schema::{accounts, auto_update_exclusions};
use crate::domain::Doi;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// What an exclusion matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionKind {
    /// One DOI (`10.5555/abc`).
    Doi,
    /// Every DOI of a prefix (`10.5555`).
    Prefix,
    /// Every DOI of a DataCite repository, by its client id (`datacite.test`).
    Client,
    /// Every DOI of a resource type (`Dataset`, `Software`, …; DataCite's `resourceTypeGeneral`).
    ResourceType,
    /// Versions, parts and supplements of other works (IsVersionOf, IsNewVersionOf,
    /// IsPreviousVersionOf, IsPartOf, IsSupplementTo, IsVariantFormOf, IsIdenticalTo).
    VersionsAndParts,
}

impl ExclusionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Doi => "doi",
            Self::Prefix => "prefix",
            Self::Client => "client",
            Self::ResourceType => "resource_type",
            Self::VersionsAndParts => "versions_and_parts",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        [
            Self::Doi,
            Self::Prefix,
            Self::Client,
            Self::ResourceType,
            Self::VersionsAndParts,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The relations that make a DOI a version, part or supplement of another work.
const VERSION_AND_PART_RELATIONS: [&str; 7] = [
    "isversionof",
    "isnewversionof",
    "ispreviousversionof",
    "ispartof",
    "issupplementto",
    "isvariantformof",
    "isidenticalto",
];

/// Why an exclusion exists.
pub const ORIGIN_PERSON: &str = "person";
pub const ORIGIN_REMOVED: &str = "removed";
pub const ORIGIN_REMOVED_IN_ORCID: &str = "removed_in_orcid";
pub const ORIGIN_DISMISSED: &str = "dismissed";
pub const ORIGIN_IN_RECORD: &str = "in_record";

/// One exclusion, as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = auto_update_exclusions)]
pub struct Exclusion {
    pub id: Uuid,
    /// `doi`, `prefix`, `client`, `resource_type` or `versions_and_parts`.
    pub kind: String,
    /// What it matches (lower case; empty for `versions_and_parts`).
    pub value: String,
    /// `person` (you added it), `removed` (you removed the work here), `removed_in_orcid` (you
    /// removed it on orcid.org), `dismissed` (you dismissed it in the review queue) or
    /// `in_record` (it is in your ORCID record from another source).
    pub origin: String,
    pub created_at: DateTime<Utc>,
}

/// A new exclusion, from the API.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExclusion {
    /// `doi`, `prefix`, `client`, `resource_type` or `versions_and_parts`.
    #[schema(pattern = "^(doi|prefix|client|resource_type|versions_and_parts)$")]
    pub kind: String,
    /// A DOI (any accepted form), a prefix (`10.5555`), a client id (`datacite.test`), a resource
    /// type (`Dataset`); omitted for `versions_and_parts`.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub value: Option<String>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter, message).with_field("value", "not usable for this kind")
}

impl NewExclusion {
    /// Checks and normalises it: `(kind, value)`.
    pub fn check(&self) -> ApiResult<(ExclusionKind, String)> {
        let kind = ExclusionKind::parse(self.kind.trim()).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                "kind must be doi, prefix, client, resource_type or versions_and_parts.",
            )
            .with_field("kind", "unknown kind")
        })?;
        if self.value.as_deref().is_some_and(|v| v.chars().count() > 500) {
            return Err(invalid("value: at most 500 characters."));
        }
        let value = self.value.as_deref().map(str::trim).unwrap_or_default();
        let value = match kind {
            ExclusionKind::Doi => Doi::parse(value)
                .map_err(|e| invalid(format!("value: {e}")))?
                .to_string(),
            ExclusionKind::Prefix => {
                let p = value.trim_end_matches('/').to_ascii_lowercase();
                let digits = p.strip_prefix("10.").unwrap_or_default();
                if !(4..=9).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
                    return Err(invalid("value: a DOI prefix looks like 10.5555."));
                }
                p
            }
            ExclusionKind::Client => {
                let c = value.to_ascii_lowercase();
                if c.is_empty()
                    || c.len() > 100
                    || !c
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_'))
                {
                    return Err(invalid("value: a DataCite repository id looks like datacite.test."));
                }
                c
            }
            ExclusionKind::ResourceType => {
                let t = value.to_ascii_lowercase();
                if t.is_empty() || t.len() > 100 || !t.chars().all(|ch| ch.is_ascii_alphabetic() || ch == '-') {
                    return Err(invalid("value: a resource type looks like Dataset or Software."));
                }
                t
            }
            ExclusionKind::VersionsAndParts => {
                if !value.is_empty() {
                    return Err(invalid("value: versions_and_parts takes no value."));
                }
                String::new()
            }
        };
        Ok((kind, value))
    }
}

/// The account's exclusions, newest first.
pub fn list(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<Vec<Exclusion>> {
    auto_update_exclusions::table
        .filter(auto_update_exclusions::account_id.eq(account_id))
        .order((auto_update_exclusions::created_at.desc(), auto_update_exclusions::id))
        .select(Exclusion::as_select())
        .load(conn)
}

/// Adds one (an existing one is kept as it is); returns it.
pub fn add(
    conn: &mut PgConnection,
    account_id: Uuid,
    (kind, value): (ExclusionKind, &str),
    origin: &str,
    now: DateTime<Utc>,
) -> QueryResult<Exclusion> {
    diesel::insert_into(auto_update_exclusions::table)
        .values((
            auto_update_exclusions::account_id.eq(account_id),
            auto_update_exclusions::kind.eq(kind.as_str()),
            auto_update_exclusions::value.eq(value),
            auto_update_exclusions::origin.eq(origin),
            auto_update_exclusions::created_at.eq(now),
        ))
        .on_conflict((
            auto_update_exclusions::account_id,
            auto_update_exclusions::kind,
            auto_update_exclusions::value,
        ))
        .do_nothing()
        .execute(conn)?;
    auto_update_exclusions::table
        .filter(auto_update_exclusions::account_id.eq(account_id))
        .filter(auto_update_exclusions::kind.eq(kind.as_str()))
        .filter(auto_update_exclusions::value.eq(value))
        .select(Exclusion::as_select())
        .first(conn)
}

/// Excludes one DOI of the person with iD `orcid` (when they have an account), for `origin`.
pub fn exclude_doi(
    conn: &mut PgConnection,
    orcid: &str,
    doi: &str,
    origin: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let account: Option<Uuid> = accounts::table
        .filter(accounts::orcid.eq(orcid))
        .select(accounts::id)
        .first(conn)
        .optional()?;
    if let Some(id) = account {
        add(conn, id, (ExclusionKind::Doi, doi), origin, now)?;
    }
    Ok(())
}

/// The person asked for this DOI by hand: a DOI exclusion no longer holds.
pub fn lift_doi(conn: &mut PgConnection, orcid: &str, doi: &str) -> QueryResult<usize> {
    let ids = accounts::table.filter(accounts::orcid.eq(orcid)).select(accounts::id);
    diesel::delete(
        auto_update_exclusions::table
            .filter(auto_update_exclusions::account_id.eq_any(ids))
            .filter(auto_update_exclusions::kind.eq("doi"))
            .filter(auto_update_exclusions::value.eq(doi)),
    )
    .execute(conn)
}

/// Removes one; `false` when it was not the account's.
pub fn remove(conn: &mut PgConnection, account_id: Uuid, id: Uuid) -> QueryResult<bool> {
    let n = diesel::delete(
        auto_update_exclusions::table
            .filter(auto_update_exclusions::id.eq(id))
            .filter(auto_update_exclusions::account_id.eq(account_id)),
    )
    .execute(conn)?;
    Ok(n == 1)
}

/// What Auto-Update does for one person with one DOI: their mode, and the exclusion that keeps
/// it out (the reason they will read), if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonRules {
    pub review: bool,
    pub excluded: Option<String>,
}

/// The first of `rules` that keeps `metadata` out, in words.
pub fn matching(rules: &[Exclusion], metadata: &DoiMetadata) -> Option<String> {
    let doi = metadata.doi().to_ascii_lowercase();
    let prefix = doi.split_once('/').map_or(doi.as_str(), |(p, _)| p).to_owned();
    let client = metadata.client_id().map(str::to_ascii_lowercase);
    let resource = metadata.resource_type_general().map(str::to_ascii_lowercase);
    rules.iter().find_map(|r| {
        let hit = match r.kind.as_str() {
            "doi" => r.value == doi,
            "prefix" => r.value == prefix,
            "client" => client.as_deref() == Some(r.value.as_str()),
            "resource_type" => resource.as_deref() == Some(r.value.as_str()),
            "versions_and_parts" => metadata.relations().any(|(relation, target)| {
                VERSION_AND_PART_RELATIONS.contains(&relation.to_ascii_lowercase().as_str())
                    && Doi::parse(target).map_or(true, |t| t.as_str() != doi)
            }),
            _ => false,
        };
        hit.then(|| match (r.kind.as_str(), r.origin.as_str()) {
            ("doi", ORIGIN_REMOVED) => {
                "You removed this DOI from your ORCID record, so Auto-Update leaves it out.".to_owned()
            }
            ("doi", ORIGIN_REMOVED_IN_ORCID) => {
                "You removed this DOI from your ORCID record on orcid.org, so Auto-Update leaves it out.".to_owned()
            }
            ("doi", ORIGIN_DISMISSED) => "You dismissed this DOI, so Auto-Update does not propose it again.".to_owned(),
            ("doi", ORIGIN_IN_RECORD) => {
                "Already in your ORCID record from another source, so Auto-Update does not add it twice.".to_owned()
            }
            ("doi", _) => "You excluded this DOI from Auto-Update.".to_owned(),
            ("prefix", _) => format!("You excluded DOIs with prefix {} from Auto-Update.", r.value),
            ("client", _) => format!("You excluded DOIs from the repository {} from Auto-Update.", r.value),
            ("resource_type", _) => format!("You excluded {} DOIs from Auto-Update.", r.value),
            _ => "You excluded versions and parts of other works from Auto-Update.".to_owned(),
        })
    })
}

/// The rules of the person with iD `orcid` for `metadata` (none without an account).
pub fn rules_for(conn: &mut PgConnection, orcid: &str, metadata: &DoiMetadata) -> QueryResult<PersonRules> {
    let rules = rules_for_many(conn, &[orcid.to_owned()])?;
    Ok(person_rules(rules.get(orcid), metadata))
}

/// What a person's mode and exclusions (from [`rules_for_many`]; `None`: no account) say of
/// `metadata`.
pub fn person_rules(found: Option<&(bool, Vec<Exclusion>)>, metadata: &DoiMetadata) -> PersonRules {
    match found {
        Some((review, rules)) => PersonRules {
            review: *review,
            excluded: matching(rules, metadata),
        },
        None => PersonRules::default(),
    }
}

/// Each of `orcids`' Auto-Update mode (review first?) and exclusions, in two queries; people
/// without an account have neither and are left out.
pub fn rules_for_many(
    conn: &mut PgConnection,
    orcids: &[String],
) -> QueryResult<HashMap<String, (bool, Vec<Exclusion>)>> {
    let found: Vec<(Uuid, String, String)> = accounts::table
        .filter(accounts::orcid.eq_any(orcids))
        .select((accounts::id, accounts::orcid, accounts::auto_update_mode))
        .load(conn)?;
    if found.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = found.iter().map(|(id, _, _)| *id).collect();
    let mut rules: HashMap<Uuid, Vec<Exclusion>> = HashMap::new();
    let rows: Vec<(Uuid, Exclusion)> = auto_update_exclusions::table
        .filter(auto_update_exclusions::account_id.eq_any(&ids))
        .order((auto_update_exclusions::created_at.desc(), auto_update_exclusions::id))
        .select((auto_update_exclusions::account_id, Exclusion::as_select()))
        .load(conn)?;
    for (account_id, rule) in rows {
        rules.entry(account_id).or_default().push(rule);
    }
    Ok(found
        .into_iter()
        .map(|(id, orcid, mode)| (orcid, (mode == "review", rules.remove(&id).unwrap_or_default())))
        .collect())
}

/// Auto-Update's mode for the account: `automatic` or `review`.
/// The person's Auto-Update mode, and whether they take ORCID inbox notifications.
pub fn mode(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<(String, bool)> {
    accounts::table
        .find(account_id)
        .select((accounts::auto_update_mode, accounts::inbox_notifications))
        .first(conn)
}

/// Sets the mode, and the inbox notifications choice when `inbox` says one.
pub fn set_mode(conn: &mut PgConnection, account_id: Uuid, review: bool, inbox: Option<bool>) -> QueryResult<usize> {
    diesel::update(accounts::table.find(account_id))
        .set((
            accounts::auto_update_mode.eq(if review { "review" } else { "automatic" }),
            inbox.map(|i| accounts::inbox_notifications.eq(i)),
        ))
        .execute(conn)
}

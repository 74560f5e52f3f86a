//! The activity log of each ORCID record: every change Profiles made, or tried, in it — added,
//! updated, removed, adopted, skipped, failed — with when, why (the flow or person that asked),
//! the DOI, the put-code and what ORCID answered. Never a token. The person reads their own
//! (Settings → ORCID claims → Activity, and the data export); staff filter everyone's.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::store::Claim;
use super::ClaimSource;
use crate::db::schema::orcid_activity;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// What happened in the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityAction {
    /// A new work was created in the record.
    Added,
    /// An existing work of ours was brought up to date with DataCite.
    Updated,
    /// Our work was deleted from the record.
    Removed,
    /// The work was already in the record from us (a lost put-code): taken over, not duplicated.
    Adopted,
    /// Nothing was sent: a rule, the person or an administrator kept it out.
    Skipped,
    /// ORCID (or DataCite) refused or did not answer.
    Failed,
}

impl ActivityAction {
    pub const ALL: [Self; 6] = [
        Self::Added,
        Self::Updated,
        Self::Removed,
        Self::Adopted,
        Self::Skipped,
        Self::Failed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Updated => "updated",
            Self::Removed => "removed",
            Self::Adopted => "adopted",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }
}

/// Why it happened: the flow that asked for it, or who.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityReason {
    SearchAndLink,
    AutoUpdate,
    BackFill,
    Reconcile,
    Admin,
    Person,
}

impl ActivityReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SearchAndLink => "search_and_link",
            Self::AutoUpdate => "auto_update",
            Self::BackFill => "back_fill",
            Self::Reconcile => "reconcile",
            Self::Admin => "admin",
            Self::Person => "person",
        }
    }
    pub fn of(source: ClaimSource) -> Self {
        match source {
            ClaimSource::SearchAndLink => Self::SearchAndLink,
            ClaimSource::AutoUpdate => Self::AutoUpdate,
        }
    }
}

/// One entry to write.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub action: ActivityAction,
    pub reason: ActivityReason,
    /// Who, when not the person or the service itself (an administrator's iD, a service uid).
    pub actor: Option<String>,
    pub put_code: Option<i64>,
    /// ORCID's HTTP status, when it refused.
    pub orcid_status: Option<u16>,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

impl NewActivity {
    pub fn new(action: ActivityAction, reason: ActivityReason) -> Self {
        Self {
            action,
            reason,
            actor: None,
            put_code: None,
            orcid_status: None,
            error_code: None,
            message: None,
        }
    }
    pub fn put_code(mut self, put_code: Option<i64>) -> Self {
        self.put_code = put_code;
        self
    }
    pub fn error(mut self, code: &str, message: &str, orcid_status: Option<u16>) -> Self {
        self.error_code = Some(code.to_owned());
        self.message = Some(message.to_owned());
        self.orcid_status = orcid_status;
        self
    }
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }
}

/// Writes one entry about `claim`.
pub fn record(conn: &mut PgConnection, claim: &Claim, entry: NewActivity, at: DateTime<Utc>) -> QueryResult<()> {
    diesel::insert_into(orcid_activity::table)
        .values((
            orcid_activity::orcid.eq(&claim.orcid),
            orcid_activity::claim_id.eq(Some(claim.id)),
            orcid_activity::doi.eq(&claim.doi),
            orcid_activity::action.eq(entry.action.as_str()),
            orcid_activity::reason.eq(entry.reason.as_str()),
            orcid_activity::actor.eq(entry.actor),
            orcid_activity::put_code.eq(entry.put_code),
            orcid_activity::orcid_status.eq(entry.orcid_status.map(i32::from)),
            orcid_activity::error_code.eq(entry.error_code),
            orcid_activity::message.eq(entry.message.map(|m| m.chars().take(1000).collect::<String>())),
            orcid_activity::at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// One entry, as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = orcid_activity)]
pub struct ActivityEntry {
    pub id: i64,
    /// The ORCID iD whose record it was.
    pub orcid: String,
    /// The claim it was about (absent once the claim was deleted).
    pub claim_id: Option<Uuid>,
    pub doi: String,
    /// `added`, `updated`, `removed`, `adopted`, `skipped` or `failed`.
    pub action: String,
    /// `search_and_link`, `auto_update`, `back_fill`, `reconcile`, `admin` or `person`.
    pub reason: String,
    /// Who, when not the person or Profiles itself: an administrator's iD, a DataCite service.
    pub actor: Option<String>,
    /// The work's put-code in the record.
    pub put_code: Option<i64>,
    /// ORCID's HTTP status, when it refused or failed.
    pub orcid_status: Option<i32>,
    /// Our code for what went wrong (e.g. `orcid_unavailable`, `orcid_rejected`).
    pub error_code: Option<String>,
    /// What happened, in words.
    pub message: Option<String>,
    pub at: DateTime<Utc>,
}

/// The query of the activity lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// Only these actions (comma-separated), e.g. `failed,skipped`; empty is every action.
    #[param(
        pattern = "^$|^(added|updated|removed|adopted|skipped|failed)(,(added|updated|removed|adopted|skipped|failed))*$"
    )]
    pub action: Option<String>,
    /// Only this DOI (any accepted form); empty is every DOI.
    #[param(
        pattern = "^$|^\\s*(([Hh][Tt][Tt][Pp][Ss]?://)?(([Dd][Xx]\\.)?[Dd][Oo][Ii]\\.[Oo][Rr][Gg]/|[Dd][Oo][Ii]:)\\s*|[Hh][Tt][Tt][Pp][Ss]?://)?10\\.[0-9]{4,9}(/|%2[Ff])(([^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/\\x00-\\x1f\\x7f-\\x9f]+)(/(([^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/\\x00-\\x1f\\x7f-\\x9f]+))?)*|(/(([^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.[^\\s/.\\x00-\\x1f\\x7f-\\x9f][^\\s/\\x00-\\x1f\\x7f-\\x9f]*|\\.\\.[^\\s/\\x00-\\x1f\\x7f-\\x9f]+))?)+)\\s*$",
        max_length = 500
    )]
    pub doi: Option<String>,
    /// Staff only: this person's record (an ORCID iD); empty is everyone's. On your own log it
    /// changes nothing (but must still be an iD).
    #[param(
        pattern = "^$|^\\s*(https?://orcid\\.org/|https://sandbox\\.orcid\\.org/|orcid\\.org/)?([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]|[0-9]{15}[0-9Xx])\\s*$"
    )]
    pub orcid: Option<String>,
    /// 1–100, default 25.
    #[serde(rename = "page[size]")]
    #[param(rename = "page[size]", minimum = 1, maximum = 100)]
    pub page_size: Option<i64>,
    /// The `id` of the last entry seen: the next page holds older ones.
    #[serde(rename = "page[before]")]
    #[param(rename = "page[before]", minimum = 1, maximum = 9_223_372_036_854_775_807_i64)]
    pub page_before: Option<i64>,
}

/// A checked [`ActivityQuery`].
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub orcid: Option<String>,
    pub actions: Vec<String>,
    pub doi: Option<String>,
    pub size: i64,
    pub before: Option<i64>,
}

impl ActivityQuery {
    /// Checks the query; `orcid` is the record the caller may read (`None`: everyone's, then the
    /// query's own `orcid` applies).
    pub fn check(&self, orcid: Option<String>) -> ApiResult<ActivityFilter> {
        let present = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let mut actions = Vec::new();
        for a in present(&self.action)
            .map(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>())
            .unwrap_or_default()
        {
            let a = a.trim().to_owned();
            if !ActivityAction::ALL.iter().any(|k| k.as_str() == a) {
                return Err(ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!("action must be added, updated, removed, adopted, skipped or failed; got {a:?}."),
                )
                .with_field("action", "unknown action"));
            }
            actions.push(a);
        }
        // Read as sent: its length counts surrounding spaces, as `maxLength` does.
        let doi = (self.doi.as_deref())
            .filter(|d| !d.trim().is_empty())
            .map(|d| crate::domain::parse_doi(d, "doi").map(String::from))
            .transpose()?;
        // Checked even where it does not apply (a person's own log): bad input is said so.
        let asked = present(&self.orcid)
            .map(|o| crate::domain::parse_orcid(&o, "orcid").map(|o| o.to_string()))
            .transpose()?;
        let orcid = orcid.or(asked);
        let size = self.page_size.unwrap_or(25);
        if !(1..=100).contains(&size) || self.page_before.is_some_and(|b| b < 1) {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                "page[size] is 1–100 and page[before] an entry's id.",
            )
            .with_field("page", "out of range"));
        }
        Ok(ActivityFilter {
            orcid,
            actions,
            doi,
            size,
            before: self.page_before,
        })
    }
}

/// Newest first, one page; the id to pass as `page[before]` for the next page, if there is one.
pub fn list(conn: &mut PgConnection, f: &ActivityFilter) -> QueryResult<(Vec<ActivityEntry>, Option<i64>)> {
    let mut query = orcid_activity::table.into_boxed();
    if let Some(o) = &f.orcid {
        query = query.filter(orcid_activity::orcid.eq(o.clone()));
    }
    if !f.actions.is_empty() {
        query = query.filter(orcid_activity::action.eq_any(f.actions.clone()));
    }
    if let Some(d) = &f.doi {
        query = query.filter(orcid_activity::doi.eq(d.clone()));
    }
    if let Some(before) = f.before {
        query = query.filter(orcid_activity::id.lt(before));
    }
    let mut rows: Vec<ActivityEntry> = query
        .order(orcid_activity::id.desc())
        .limit(f.size + 1)
        .select(ActivityEntry::as_select())
        .load(conn)?;
    let next = if rows.len() as i64 > f.size {
        rows.truncate(f.size as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok((rows, next))
}

/// Everything in one person's record's log, oldest first (the data export).
pub fn all_of(conn: &mut PgConnection, orcid: &str) -> QueryResult<Vec<ActivityEntry>> {
    orcid_activity::table
        .filter(orcid_activity::orcid.eq(orcid))
        .order(orcid_activity::id.asc())
        .select(ActivityEntry::as_select())
        .load(conn)
}

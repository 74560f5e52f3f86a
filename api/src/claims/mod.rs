//! ORCID claims: DOIs pushed into (or removed from) researchers' ORCID records.
//!
//! `store` keeps claims and their state machine in PostgreSQL, `process` is the worker job that
//! talks to DataCite and ORCID, `intake` turns DOI events and the DataCite poller into
//! Auto-Update claims, `work` maps DataCite metadata to an ORCID work.

pub mod access;
pub mod activity;
pub mod admin;
pub mod backfill;
pub mod datacite;
pub mod exclusions;
pub mod finder;
pub mod intake;
pub mod legacy;
pub mod machine;
pub mod orcid;
pub mod process;
pub mod query;
pub mod ratelimit;
pub mod reconcile;
pub mod store;
pub mod view;
pub mod work;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::PermissionKind;

/// Where a claim is in its life. `waiting → working → done | failed | deleted | ignored`, plus
/// `waiting_for_permission` while the person has not granted (or has lost) the permission the
/// claim's source needs, `removed_in_orcid` when the person removed our work on orcid.org
/// (never pushed again unless they add it again), and `pending_review` while an Auto-Update
/// claim waits for the person's approval.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, diesel::AsExpression, diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum ClaimState {
    Waiting,
    WaitingForPermission,
    Working,
    Done,
    Failed,
    Deleted,
    Ignored,
    RemovedInOrcid,
    PendingReview,
}

impl ClaimState {
    pub const ALL: [ClaimState; 9] = [
        Self::Waiting,
        Self::WaitingForPermission,
        Self::Working,
        Self::Done,
        Self::Failed,
        Self::Deleted,
        Self::Ignored,
        Self::RemovedInOrcid,
        Self::PendingReview,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::WaitingForPermission => "waiting_for_permission",
            Self::Working => "working",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Deleted => "deleted",
            Self::Ignored => "ignored",
            Self::RemovedInOrcid => "removed_in_orcid",
            Self::PendingReview => "pending_review",
        }
    }

    /// The states a claim may move to `self` from. Anything else is refused (DataCite's state
    /// machine silently ignored invalid transitions; ours reports them).
    pub fn allowed_from(self) -> &'static [ClaimState] {
        use ClaimState::*;
        match self {
            // Sent (again) on its way by a person, an event, a retry, an administrator, a granted
            // permission, or a worker that will try again later: to `waiting` when its permission
            // is usable, else to `waiting_for_permission`.
            Waiting | WaitingForPermission => &[
                WaitingForPermission,
                Waiting,
                Working,
                Done,
                Failed,
                Deleted,
                Ignored,
                RemovedInOrcid,
                PendingReview,
            ],
            Working => &[Waiting, Working],
            // Pushed; or found in the record already from us (reconciling with it).
            Done => &[Working, Waiting, WaitingForPermission, Failed, PendingReview],
            Failed => &[Working],
            // A never-pushed claim (or one whose work is gone) can be withdrawn without ORCID.
            Deleted => &[Working, WaitingForPermission, Ignored, RemovedInOrcid, PendingReview],
            // Skipped by Auto-Update's rules, by the person or by an administrator, or found in
            // the record from another source.
            Ignored => &[Waiting, Working, WaitingForPermission, Failed, PendingReview],
            // Gone from the record: found by reading it, or by ORCID's 404 on an update.
            RemovedInOrcid => &[Done, Working],
            PendingReview => &[Waiting, WaitingForPermission, Failed, Ignored],
        }
    }

    pub fn can_become(self, to: ClaimState) -> bool {
        to.allowed_from().contains(&self)
    }
}

impl fmt::Display for ClaimState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ClaimState {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or(())
    }
}

/// Which flow created the claim; it decides which ORCID permission (token) pushes it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, diesel::AsExpression, diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum ClaimSource {
    SearchAndLink,
    AutoUpdate,
}

impl ClaimSource {
    pub const ALL: [ClaimSource; 2] = [Self::SearchAndLink, Self::AutoUpdate];

    pub fn as_str(self) -> &'static str {
        self.permission().as_str()
    }

    pub fn permission(self) -> PermissionKind {
        match self {
            Self::SearchAndLink => PermissionKind::SearchAndLink,
            Self::AutoUpdate => PermissionKind::AutoUpdate,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::SearchAndLink => "ORCID Search & Link",
            Self::AutoUpdate => "ORCID Auto-Update",
        }
    }

    pub fn of(kind: PermissionKind) -> Self {
        match kind {
            PermissionKind::SearchAndLink => Self::SearchAndLink,
            PermissionKind::AutoUpdate => Self::AutoUpdate,
        }
    }
}

impl FromStr for ClaimSource {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or(())
    }
}

/// What the claim asks of the ORCID record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, diesel::AsExpression, diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum ClaimAction {
    Create,
    Delete,
}

impl ClaimAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Delete => "delete",
        }
    }
}

impl FromStr for ClaimAction {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "create" => Ok(Self::Create),
            "delete" => Ok(Self::Delete),
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ClaimState::*;
    use super::*;

    #[test]
    fn the_state_machine_allows_only_documented_moves() {
        // The happy paths.
        assert!(Waiting.can_become(Working));
        for end in [Done, Failed, Deleted, Ignored, Waiting, WaitingForPermission] {
            assert!(Working.can_become(end), "working → {end}");
        }
        assert!(WaitingForPermission.can_become(Waiting));
        for settled in [Done, Failed, Deleted, Ignored] {
            assert!(settled.can_become(Waiting), "{settled} can be re-queued");
        }
        // Failures only come from a worker; a push's success from a worker, or from the record
        // itself (our work found there, reconciling), never for a removed or withdrawn claim.
        for from in [
            Waiting,
            WaitingForPermission,
            Done,
            Failed,
            Deleted,
            Ignored,
            RemovedInOrcid,
            PendingReview,
        ] {
            assert!(!from.can_become(Failed), "{from} → failed");
        }
        for from in [Done, Deleted, Ignored, RemovedInOrcid] {
            assert!(!from.can_become(Done), "{from} → done");
        }
        // Removed on orcid.org: only what ORCID or the record says, and only the person revives it.
        assert_eq!(RemovedInOrcid.allowed_from(), &[Done, Working]);
        assert!(RemovedInOrcid.can_become(Waiting) && RemovedInOrcid.can_become(Deleted));
        assert!(
            !RemovedInOrcid.can_become(Working),
            "never pushed without being re-queued"
        );
        // In review: approved (queued), dismissed (ignored) or withdrawn.
        for to in [Waiting, WaitingForPermission, Ignored, Deleted] {
            assert!(PendingReview.can_become(to), "pending_review → {to}");
        }
        assert!(!PendingReview.can_become(Working));
        assert!(!Done.can_become(Deleted), "a pushed work is only removed through ORCID");
        assert!(!Failed.can_become(Deleted));
        assert!(!Done.can_become(Ignored));
        for s in ClaimState::ALL {
            assert_eq!(s.as_str().parse::<ClaimState>(), Ok(s));
        }
    }
}

crate::text_enum!(ClaimState);

crate::text_enum!(ClaimSource);

crate::text_enum!(ClaimAction);

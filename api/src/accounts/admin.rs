//! Accounts as the administration area sees them: searching within what a role may list,
//! one account's detail with its identities, permission health and claim counts.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{identity_views, load_identities, load_permissions, permission_views, IdentityView, PermissionView};
use crate::app::AppState;
use crate::claims::{ClaimSource, ClaimState};
use crate::db::models::Account;
use crate::db::schema::{accounts, claims};
use crate::domain::Role;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::policy::Scope;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdminAccountSummary {
    pub id: Uuid,
    pub orcid: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Role,
    pub provider_id: Option<String>,
    pub client_id: Option<String>,
    pub is_public: bool,
    pub beta_tester: bool,
    pub created_at: DateTime<Utc>,
    /// Claims for this iD.
    pub claims: i64,
    /// Of which failed.
    pub claims_failed: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdminAccountListMeta {
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    pub total_pages: i64,
    /// Matching accounts per role.
    pub roles: BTreeMap<String, i64>,
    /// Matching accounts per year created.
    pub created_years: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdminAccountList {
    pub data: Vec<AdminAccountSummary>,
    pub meta: AdminAccountListMeta,
}

#[derive(Clone)]
pub struct AccountFilters {
    pub scope: Scope,
    pub q: Option<String>,
    pub role: Option<String>,
    pub year: Option<i32>,
}

pub fn filtered_accounts(f: &AccountFilters) -> accounts::BoxedQuery<'static, Pg> {
    let mut query = accounts::table.into_boxed();
    match &f.scope {
        Scope::Everyone => {}
        Scope::Provider(p) => query = query.filter(accounts::provider_id.eq(p.clone())),
        Scope::Client(c) => query = query.filter(accounts::client_id.eq(c.clone())),
        Scope::Nobody => query = query.filter(accounts::id.is_null()),
    }
    if let Some(q) = &f.q {
        let pattern = crate::db::contains_pattern(q);
        query = query.filter(
            accounts::name
                .ilike(pattern.clone())
                .or(accounts::orcid.ilike(pattern.clone()))
                .or(accounts::email.ilike(pattern.clone()))
                .or(accounts::family_name.ilike(pattern)),
        );
    }
    if let Some(role) = &f.role {
        query = query.filter(accounts::role.eq(role.clone()));
    }
    if let Some(year) = f.year {
        let from = chrono::NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
        let to = chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
        if let (Some(from), Some(to)) = (from, to) {
            query = query.filter(
                accounts::created_at
                    .ge(from.and_utc())
                    .and(accounts::created_at.lt(to.and_utc())),
            );
        }
    }
    query
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdminAccountDetail {
    pub account: AdminAccountSummary,
    pub identities: Vec<IdentityView>,
    /// Permission health: missing, active, expired, revoked or invalid.
    pub permissions: Vec<PermissionView>,
    /// Claims per state (every state listed).
    pub claim_states: BTreeMap<String, i64>,
    /// Claims per source.
    pub claim_sources: BTreeMap<String, i64>,
}

pub async fn load_target(state: &AppState, orcid: String) -> ApiResult<Account> {
    crate::db::run(&state.pool, move |conn| {
        Ok(accounts::table
            .filter(accounts::orcid.eq(orcid))
            .select(Account::as_select())
            .first(conn)
            .optional()?)
    })
    .await?
    .ok_or_else(not_found)
}

pub async fn detail(state: &AppState, account: Account) -> ApiResult<AdminAccountDetail> {
    let (id, orcid) = (account.id, account.orcid.clone());
    let (ids, perms, counts) = crate::db::run(&state.pool, move |conn| {
        let counts: Vec<(String, String, i64)> = claims::table
            .filter(claims::orcid.eq(&orcid))
            .group_by((claims::source, claims::state))
            .select((claims::source, claims::state, count_star()))
            .load(conn)?;
        Ok((load_identities(conn, id)?, load_permissions(conn, id)?, counts))
    })
    .await?;
    let mut claim_states: BTreeMap<String, i64> = ClaimState::ALL.iter().map(|s| (s.as_str().to_owned(), 0)).collect();
    let mut claim_sources: BTreeMap<String, i64> =
        ClaimSource::ALL.iter().map(|s| (s.as_str().to_owned(), 0)).collect();
    for (source, st, n) in &counts {
        *claim_states.entry(st.clone()).or_default() += n;
        *claim_sources.entry(source.clone()).or_default() += n;
    }
    let total = claim_states.values().sum();
    let failed = claim_states.get("failed").copied().unwrap_or(0);
    Ok(AdminAccountDetail {
        identities: identity_views(state, ids),
        permissions: permission_views(perms, state.clock.now()),
        claim_states,
        claim_sources,
        account: AdminAccountSummary::new(account, total, failed),
    })
}

pub fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::AccountNotFound,
        "There is no account with this ORCID iD that you may see.",
    )
}

impl AdminAccountSummary {
    pub fn new(a: Account, claims: i64, claims_failed: i64) -> Self {
        Self {
            role: a.role,
            id: a.id,
            orcid: a.orcid,
            name: a.name,
            email: a.email,
            provider_id: a.provider_id,
            client_id: a.client_id,
            is_public: a.is_public,
            beta_tester: a.beta_tester,
            created_at: a.created_at,
            claims,
            claims_failed,
        }
    }
}

/// One page of the accounts that match `filters`, with counts per role and per year created.
pub fn search(
    conn: &mut PgConnection,
    filters: &AccountFilters,
    page: i64,
    page_size: i64,
) -> QueryResult<AdminAccountList> {
    let (total, roles, created, rows, counts) = {
        let total: i64 = filtered_accounts(filters).count().get_result(conn)?;
        let roles: Vec<(String, i64)> = accounts::table
            .filter(accounts::id.eq_any(filtered_accounts(filters).select(accounts::id)))
            .group_by(accounts::role)
            .select((accounts::role, count_star()))
            .load(conn)?;
        let created: Vec<DateTime<Utc>> = filtered_accounts(filters).select(accounts::created_at).load(conn)?;
        let rows: Vec<Account> = filtered_accounts(filters)
            .order((
                accounts::family_name.asc().nulls_last(),
                accounts::name.asc(),
                accounts::orcid.asc(),
            ))
            .offset((page - 1) * page_size)
            .limit(page_size)
            .select(Account::as_select())
            .load(conn)?;
        let orcids: Vec<String> = rows.iter().map(|a| a.orcid.clone()).collect();
        let counts: Vec<(String, String, i64)> = claims::table
            .filter(claims::orcid.eq_any(&orcids))
            .group_by((claims::orcid, claims::state))
            .select((claims::orcid, claims::state, count_star()))
            .load(conn)?;
        (total, roles, created, rows, counts)
    };
    let mut created_years: BTreeMap<String, i64> = BTreeMap::new();
    for at in created {
        *created_years.entry(at.year().to_string()).or_default() += 1;
    }
    let data = rows
        .into_iter()
        .map(|a| {
            let mine = counts.iter().filter(|(o, _, _)| *o == a.orcid);
            let (claims_total, claims_failed) = mine.fold((0, 0), |(t, f), (_, s, n)| {
                (t + n, f + if s == "failed" { *n } else { 0 })
            });
            AdminAccountSummary::new(a, claims_total, claims_failed)
        })
        .collect();
    Ok(AdminAccountList {
        data,
        meta: AdminAccountListMeta {
            total,
            page,
            page_size,
            total_pages: (total + page_size - 1) / page_size,
            roles: roles.into_iter().collect(),
            created_years,
        },
    })
}

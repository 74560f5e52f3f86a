//! Finding a claim for a caller: the claim, if the policy lets the caller do the action to it;
//! someone else's claim the caller may not see is "not there".

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::claims::store::{self, Claim};
use crate::db::models::Account;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::policy::{Action, Subject};
use uuid::Uuid;

pub fn not_found() -> ApiError {
    ApiError::new(ErrorCode::ClaimNotFound, "You have no claim with this id.")
}

/// The claim with `id` and its record's account, if the caller may do `action` to it.
pub async fn target(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    action: Action,
) -> ApiResult<(Claim, Option<Account>)> {
    let (claim, owner) = crate::db::run(&state.pool, move |conn| {
        let Some(claim) = store::find(conn, id)? else {
            return Ok((None, None));
        };
        let owner = crate::accounts::find_by_orcid(conn, &claim.orcid)?;
        Ok((Some(claim), owner))
    })
    .await?;
    let claim = claim.ok_or_else(not_found)?;
    caller.authorize_or(action, Some(Subject::record(&claim.orcid, owner.as_ref())), not_found)?;
    Ok((claim, owner))
}

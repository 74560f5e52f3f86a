//! The claim state machine's writer: the only code that writes `claims.state`. Every move is
//! checked against [`ClaimState::can_become`], so the worker's outcomes, people's requests,
//! administrators' actions and permission changes all follow the one table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::store::Claim;
use super::{ClaimAction, ClaimSource, ClaimState};
use crate::db::schema::claims;

/// The longest error message kept on a claim, in characters (PostgreSQL's limit on an index entry
/// is 2,704 bytes, and the index of claims with an error carries the message).
pub const ERROR_MESSAGE_CHARS: usize = 500;

/// The other columns a move writes with the state (`None`: left as they are; `Some(None)`:
/// cleared).
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = claims)]
pub struct ClaimChangeset {
    pub source: Option<ClaimSource>,
    pub action: Option<ClaimAction>,
    pub put_code: Option<Option<i64>>,
    pub title: Option<Option<String>>,
    pub attempts: Option<i32>,
    pub next_attempt_at: Option<Option<DateTime<Utc>>>,
    pub error_code: Option<Option<String>>,
    pub error_message: Option<Option<String>>,
    pub skip_reason: Option<Option<String>>,
    pub claimed_at: Option<Option<DateTime<Utc>>>,
}

impl ClaimChangeset {
    /// Clears the last error (and when to try again).
    pub fn clear_error(mut self) -> Self {
        self.error_code = Some(None);
        self.error_message = Some(None);
        self.next_attempt_at = Some(None);
        self
    }

    /// Records why the claim stopped or waits; a message (perhaps an upstream's) is cut to
    /// [`ERROR_MESSAGE_CHARS`] characters, as the index of claims with an error carries it.
    pub fn error(mut self, code: &str, message: &str) -> Self {
        self.error_code = Some(Some(code.to_owned()));
        self.error_message = Some(Some(match message.char_indices().nth(ERROR_MESSAGE_CHARS) {
            Some((at, _)) => format!("{}…", &message[..at]),
            None => message.to_owned(),
        }));
        self
    }
}

/// The states among `from` that may move to `to`; the others are logged as refused.
fn allowed(id: Option<Uuid>, from: &[ClaimState], to: ClaimState) -> Vec<ClaimState> {
    from.iter()
        .copied()
        .filter(|f| {
            let ok = f.can_become(to);
            if !ok {
                tracing::error!(claim = ?id, from = %f, %to, "refused a claim move the state machine does not allow");
            }
            ok
        })
        .collect()
}

/// Moves claim `id` to `to` if it is in one of `from`, writing `change` with it. Returns the
/// claim as written, or `None` when it was in another state (someone changed it meanwhile) or the
/// move is not allowed (refused, logged, nothing written).
pub fn transition(
    conn: &mut PgConnection,
    id: Uuid,
    from: &[ClaimState],
    to: ClaimState,
    change: ClaimChangeset,
) -> QueryResult<Option<Claim>> {
    let from = allowed(Some(id), from, to);
    if from.is_empty() {
        return Ok(None);
    }
    diesel::update(claims::table.find(id).filter(claims::state.eq_any(from)))
        .set((claims::state.eq(to), change))
        .returning(Claim::as_returning())
        .get_result(conn)
        .optional()
}

/// A new Auto-Update claim, already routed: the state routing gave it and why it waits, if so.
#[derive(Debug, Clone)]
pub struct NewRouted {
    pub orcid: String,
    pub doi: String,
    pub title: Option<String>,
    pub state: ClaimState,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// Inserts new Auto-Update claims in the states they were routed to, in one statement (those
/// whose (iD, DOI) exists already are left out). A new claim starts `waiting`, so only states
/// `waiting` may become are written; the others are refused and logged. Returns what was
/// inserted: id, iD, DOI and state.
pub fn insert_routed(
    conn: &mut PgConnection,
    new: &[NewRouted],
) -> QueryResult<Vec<(Uuid, String, String, ClaimState)>> {
    let rows: Vec<_> = new
        .iter()
        .filter(|n| n.state == ClaimState::Waiting || !allowed(None, &[ClaimState::Waiting], n.state).is_empty())
        .map(|n| {
            (
                claims::orcid.eq(&n.orcid),
                claims::doi.eq(&n.doi),
                claims::source.eq(ClaimSource::AutoUpdate),
                claims::action.eq(ClaimAction::Create),
                claims::title.eq(&n.title),
                claims::state.eq(n.state),
                claims::error_code.eq(&n.error_code),
                claims::error_message.eq(&n.error_message),
            )
        })
        .collect();
    let mut inserted = Vec::with_capacity(rows.len());
    // 8 parameters a row: well under PostgreSQL's 65,535 a statement.
    for rows in rows.chunks(1000) {
        inserted.extend(
            diesel::insert_into(claims::table)
                .values(rows)
                .on_conflict((claims::orcid, claims::doi))
                .do_nothing()
                .returning((claims::id, claims::orcid, claims::doi, claims::state))
                .get_results::<(Uuid, String, String, ClaimState)>(conn)?,
        );
    }
    Ok(inserted)
}

/// Moves every claim of `orcid` from `source` that is in `from` to `to`; returns their ids.
pub fn transition_all(
    conn: &mut PgConnection,
    orcid: &str,
    source: ClaimSource,
    from: ClaimState,
    to: ClaimState,
    change: ClaimChangeset,
) -> QueryResult<Vec<Uuid>> {
    if allowed(None, &[from], to).is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(
        claims::table
            .filter(claims::orcid.eq(orcid))
            .filter(claims::source.eq(source))
            .filter(claims::state.eq(from)),
    )
    .set((claims::state.eq(to), change))
    .returning(claims::id)
    .get_results(conn)
}

/// Sets the claims `ids` that are still in `from` aside as `ignored`, with `reason`; returns how
/// many moved.
pub fn set_aside(conn: &mut PgConnection, ids: &[Uuid], from: ClaimState, reason: &str) -> QueryResult<usize> {
    if ids.is_empty() || allowed(None, &[from], ClaimState::Ignored).is_empty() {
        return Ok(0);
    }
    let change = ClaimChangeset {
        skip_reason: Some(Some(reason.to_owned())),
        ..Default::default()
    }
    .clear_error();
    diesel::update(
        claims::table
            .filter(claims::id.eq_any(ids))
            .filter(claims::state.eq(from)),
    )
    .set((claims::state.eq(ClaimState::Ignored), change))
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_message_is_cut_to_what_the_index_of_errors_can_hold() {
        // 2,000 two-byte characters: 4,000 bytes, over PostgreSQL's 2,704 for an index entry.
        let long = "é".repeat(2000);
        let kept = ClaimChangeset::default().error("orcid_rejected", &long).error_message;
        let kept = kept.flatten().unwrap();
        assert_eq!(kept.chars().count(), ERROR_MESSAGE_CHARS + 1);
        assert!(kept.ends_with('…') && kept.len() < 2000, "{} bytes", kept.len());
        let short = ClaimChangeset::default().error("orcid_rejected", "ORCID said no.");
        assert_eq!(short.error_message, Some(Some("ORCID said no.".to_owned())));
    }
}

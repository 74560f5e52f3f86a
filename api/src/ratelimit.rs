//! Request rate limits, kept in PostgreSQL so that every API process behind a load balancer
//! counts against one budget (a limit per process would multiply with the number of processes).
//!
//! Fixed windows: a bucket (`rule:key`) counts hits per window with one upsert; a hit beyond the
//! limit is refused with 429 `rate_limited` and `Retry-After` (the seconds until the window
//! ends). Old windows are purged with the expired sign-in state.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::app::AppState;
use crate::db::schema::request_limits;
use crate::error::{ApiError, ErrorCode};

/// What is limited, per what, and over which window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateRule {
    /// Sign-in, link and grant flows started, per client address, per minute.
    FlowStarts,
    /// JWTs and API tokens minted, per account, per hour.
    Tokens,
    /// Claims created, per account, per hour.
    Claims,
    /// Readings of the ORCID record asked for ("Check my ORCID record"), per account, per hour:
    /// each is a call to ORCID, within the budget every worker shares.
    RecordChecks,
    /// Back-fills asked for, per account, per hour.
    Backfills,
}

impl RateRule {
    fn name(self) -> &'static str {
        match self {
            Self::FlowStarts => "flow_starts",
            Self::Tokens => "tokens",
            Self::Claims => "claims",
            Self::RecordChecks => "record_checks",
            Self::Backfills => "backfills",
        }
    }

    fn window_secs(self) -> i64 {
        match self {
            Self::FlowStarts => 60,
            Self::Tokens | Self::Claims | Self::RecordChecks | Self::Backfills => 3600,
        }
    }

    fn limit(self, state: &AppState) -> u32 {
        let limits = state.config.security.rate_limits;
        match self {
            Self::FlowStarts => limits.flow_starts_per_minute,
            Self::Tokens => limits.tokens_per_hour,
            Self::Claims => limits.claims_per_hour,
            Self::RecordChecks => 30,
            Self::Backfills => 5,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::FlowStarts => "sign-ins started from your address",
            Self::Tokens => "tokens created for your account",
            Self::Claims => "claims created for your account",
            Self::RecordChecks => "readings of your ORCID record asked for",
            Self::Backfills => "back-fills asked for",
        }
    }
}

/// The bucket key of a client address: an IPv6 client holds a whole /64, so counting single
/// addresses would let it rotate through them.
pub fn address_key(ip: Option<std::net::IpAddr>) -> String {
    match ip {
        Some(std::net::IpAddr::V6(v6)) => ipnet::Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
        Some(ip) => ip.to_string(),
        None => String::new(),
    }
}

/// The start of the window holding `now`.
fn window_start(rule: RateRule, now: DateTime<Utc>) -> DateTime<Utc> {
    let secs = rule.window_secs();
    DateTime::from_timestamp(now.timestamp().div_euclid(secs) * secs, 0).unwrap_or(now)
}

/// Counts a hit on `key` under `rule`; refuses it (429 with `Retry-After`) beyond the limit.
pub async fn check(state: &AppState, rule: RateRule, key: &str) -> Result<(), ApiError> {
    let limit = rule.limit(state);
    if limit == 0 {
        return Ok(());
    }
    let now = state.clock.now();
    let start = window_start(rule, now);
    let bucket = format!("{}:{key}", rule.name());
    let hits: i32 = crate::db::run(&state.pool, move |conn| {
        Ok(diesel::insert_into(request_limits::table)
            .values((
                request_limits::bucket.eq(&bucket),
                request_limits::window_start.eq(start),
                request_limits::hits.eq(1),
            ))
            .on_conflict((request_limits::bucket, request_limits::window_start))
            .do_update()
            .set(request_limits::hits.eq(request_limits::hits + 1))
            .returning(request_limits::hits)
            .get_result(conn)?)
    })
    .await?;
    if i64::from(hits) <= i64::from(limit) {
        return Ok(());
    }
    let retry_after = (start + chrono::Duration::seconds(rule.window_secs()) - now)
        .num_seconds()
        .max(1);
    Err(ApiError::new(
        ErrorCode::RateLimited,
        format!(
            "Too many {} ({limit} per {} seconds). Try again in {retry_after} seconds.",
            rule.what(),
            rule.window_secs()
        ),
    )
    .with_header(actix_web::http::header::RETRY_AFTER, retry_after.to_string()))
}

/// Forgets windows that ended before `now`.
pub fn purge(conn: &mut PgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(request_limits::table.filter(request_limits::window_start.lt(now - chrono::Duration::hours(2))))
        .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::address_key;

    #[test]
    fn an_ipv6_client_is_one_bucket_per_64() {
        let a = address_key("2001:db8:1:2:aaaa::1".parse().ok());
        let b = address_key("2001:db8:1:2:bbbb::9".parse().ok());
        assert_eq!(a, b);
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_ne!(a, address_key("2001:db8:1:3::1".parse().ok()));
        assert_eq!(address_key("203.0.113.9".parse().ok()), "203.0.113.9");
    }
}

//! Error responses that many endpoints share, documented once for the OpenAPI document. List
//! them in a handler's `#[utoipa::path(responses(...))]` next to its own.

#![expect(dead_code, reason = "these types only document responses; nothing builds them")]

use utoipa::IntoResponses;

use super::Problem;

/// 401: no credential, or one that no longer works.
#[derive(IntoResponses)]
#[response(
    status = 401,
    description = "Not signed in.",
    content_type = "application/problem+json"
)]
pub struct NotSignedIn(Problem);

/// 400 and 415: a JSON body that cannot be read.
#[derive(IntoResponses)]
pub enum JsonBodyErrors {
    #[response(
        status = 400,
        description = "Malformed JSON.",
        content_type = "application/problem+json"
    )]
    Malformed(Problem),
    #[response(status = 415, description = "Not JSON.", content_type = "application/problem+json")]
    NotJson(Problem),
}

/// 400: a query string that cannot be read.
#[derive(IntoResponses)]
#[response(
    status = 400,
    description = "A malformed query string.",
    content_type = "application/problem+json"
)]
pub struct MalformedQuery(Problem);

/// 401 on a guarded action: not signed in, or signed in too long ago.
#[derive(IntoResponses)]
#[response(
    status = 401,
    description = "Not signed in; or `reauthentication_required`: this action needs a sign-in within the last \
`REAUTH_MAX_AGE_MINUTES` (10 by default). Sign in again at `/auth/orcid/start?reauthenticate=true&return_to=<page>` \
and repeat the action.",
    content_type = "application/problem+json"
)]
pub struct NeedsRecentSignIn(Problem);

/// 429: a rate limit shared by every process.
#[derive(IntoResponses)]
#[response(
    status = 429,
    description = "`rate_limited`: too many of these in the current window; `Retry-After` says how many seconds to wait.",
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds until the limit resets."))
)]
pub struct RateLimited(Problem);

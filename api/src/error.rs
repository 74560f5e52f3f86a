//! The one API error type, and which error type belongs where.
//!
//! - Handlers and services that answer a request return `Result<_, ApiError>`. An error has a
//!   stable machine-readable [`ErrorCode`] that clients switch on (its HTTP status comes from the
//!   one table in [`ErrorCode::kind`]), and a human `detail`. It renders as RFC 9457
//!   `application/problem+json`; internal causes are logged, never sent to the client.
//! - Database helpers that know nothing of HTTP return diesel's `QueryResult`; `?` turns it into
//!   an `ApiError` (unavailable while the database is down, internal otherwise).
//! - Upstream clients (ORCID, DataCite, providers) have their own error enums; the service that
//!   calls them decides which `ErrorCode` a person sees, never the upstream's raw text.
//! - DataCite's drop-in routes answer in DataCite's envelope (`compat::datacite::CompatError`),
//!   built from these.
//! - The claims engine's per-claim reasons (`claims.error_code`) are a vocabulary of their own,
//!   stored on the claim, not response codes.

use std::fmt;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod responses;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unprocessable,
    TooManyRequests,
    Internal,
    BadGateway,
    Unavailable,
}

impl ErrorKind {
    /// The one table from error kind to HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::BadGateway => StatusCode::BAD_GATEWAY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn title(self) -> &'static str {
        self.status().canonical_reason().unwrap_or("Error")
    }
}

macro_rules! error_codes {
    ($($variant:ident = $name:literal => $kind:ident;)*) => {
        /// Every machine-readable `code` an API error can carry. Switch on this, not on `detail`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// The one table from code to kind (and so to HTTP status).
            pub fn kind(self) -> ErrorKind {
                match self {
                    $(Self::$variant => ErrorKind::$kind,)*
                }
            }
        }
    };
}

error_codes! {
    AccountNotFound = "account_not_found" => NotFound;
    ApiTokenNotAllowed = "api_token_not_allowed" => Forbidden;
    BadRequest = "bad_request" => BadRequest;
    ClaimInProgress = "claim_in_progress" => Conflict;
    ClaimNotFound = "claim_not_found" => NotFound;
    ClaimNotIgnorable = "claim_not_ignorable" => Conflict;
    ClaimNotRetryable = "claim_not_retryable" => Conflict;
    ClaimNotReviewable = "claim_not_reviewable" => Conflict;
    ConfirmationRequired = "confirmation_required" => Unprocessable;
    CrossOriginRequest = "cross_origin_request" => Forbidden;
    DatabaseUnavailable = "database_unavailable" => Unavailable;
    DataciteUnavailable = "datacite_unavailable" => BadGateway;
    ExpiredState = "expired_state" => BadRequest;
    FieldNotEditable = "field_not_editable" => Forbidden;
    Forbidden = "forbidden" => Forbidden;
    GrantWrongOrcid = "grant_wrong_orcid" => Forbidden;
    IdentityNotLinked = "identity_not_linked" => NotFound;
    IdentityTaken = "identity_taken" => Conflict;
    InsufficientScope = "insufficient_scope" => Forbidden;
    InternalError = "internal_error" => Internal;
    InvalidApiToken = "invalid_api_token" => Unauthorized;
    InvalidBody = "invalid_body" => Unprocessable;
    InvalidCursor = "invalid_cursor" => Unprocessable;
    InvalidDoi = "invalid_doi" => Unprocessable;
    InvalidEvents = "invalid_events" => Unprocessable;
    InvalidExpiry = "invalid_expiry" => Unprocessable;
    InvalidField = "invalid_field" => Unprocessable;
    InvalidIdToken = "invalid_id_token" => BadRequest;
    InvalidJson = "invalid_json" => BadRequest;
    InvalidName = "invalid_name" => Unprocessable;
    InvalidOrcid = "invalid_orcid" => Unprocessable;
    InvalidParameter = "invalid_parameter" => Unprocessable;
    InvalidQuery = "invalid_query" => BadRequest;
    InvalidReason = "invalid_reason" => Unprocessable;
    InvalidReturnTo = "invalid_return_to" => BadRequest;
    InvalidScopes = "invalid_scopes" => Unprocessable;
    InvalidState = "invalid_state" => BadRequest;
    KeysUnavailable = "keys_unavailable" => Unavailable;
    LastSignInMethod = "last_sign_in_method" => Conflict;
    MethodNotAllowed = "method_not_allowed" => MethodNotAllowed;
    MissingCode = "missing_code" => BadRequest;
    MissingState = "missing_state" => BadRequest;
    NoPendingSignup = "no_pending_signup" => NotFound;
    NotFound = "not_found" => NotFound;
    NotReady = "not_ready" => Unavailable;
    NotYourRecord = "not_your_record" => Forbidden;
    OrcidIsAnchor = "orcid_is_anchor" => Conflict;
    OrcidNotLinkable = "orcid_not_linkable" => BadRequest;
    OwnRole = "own_role" => Forbidden;
    PayloadTooLarge = "payload_too_large" => PayloadTooLarge;
    PermissionNotGranted = "permission_not_granted" => NotFound;
    ProviderAlreadyLinked = "provider_already_linked" => Conflict;
    ProviderDisabled = "provider_disabled" => NotFound;
    ProviderRejected = "provider_rejected" => BadRequest;
    PermissionRequired = "permission_required" => Conflict;
    ProviderUnavailable = "provider_unavailable" => BadGateway;
    QueryNotSupported = "query_not_supported" => Unprocessable;
    RecordUnreadable = "record_unreadable" => Conflict;
    RateLimited = "rate_limited" => TooManyRequests;
    ReauthenticationRequired = "reauthentication_required" => Unauthorized;
    ScopeNotAllowed = "scope_not_allowed" => Forbidden;
    ServiceUnavailable = "service_unavailable" => Unavailable;
    SessionExpired = "session_expired" => Unauthorized;
    SessionMismatch = "session_mismatch" => Forbidden;
    SessionNotFound = "session_not_found" => NotFound;
    SessionRequired = "session_required" => Forbidden;
    SessionRevoked = "session_revoked" => Unauthorized;
    StateMismatch = "state_mismatch" => BadRequest;
    TokenAlgorithmNotAllowed = "token_algorithm_not_allowed" => Unauthorized;
    TokenExpired = "token_expired" => Unauthorized;
    TokenKeysUnavailable = "token_keys_unavailable" => Unauthorized;
    TokenMalformed = "token_malformed" => Unauthorized;
    TokenNotFound = "token_not_found" => NotFound;
    TokenSignatureInvalid = "token_signature_invalid" => Unauthorized;
    TokenUnknownKey = "token_unknown_key" => Unauthorized;
    TokenWrongAudience = "token_wrong_audience" => Unauthorized;
    TokenWrongIssuer = "token_wrong_issuer" => Unauthorized;
    TooManyEvents = "too_many_events" => Unprocessable;
    TooManyTokens = "too_many_tokens" => Conflict;
    Unauthenticated = "unauthenticated" => Unauthorized;
    UnknownAccount = "unknown_account" => Unauthorized;
    UnknownPermission = "unknown_permission" => NotFound;
    UnknownProvider = "unknown_provider" => NotFound;
    UnreadableBody = "unreadable_body" => BadRequest;
    UnsupportedAuthorization = "unsupported_authorization" => Unauthorized;
    UnsupportedMediaType = "unsupported_media_type" => UnsupportedMediaType;
    UnusableOrcidId = "unusable_orcid_id" => BadRequest;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One invalid field of a request, for 422 problems.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Where the problem is: a JSON field, query parameter or path segment.
    pub field: String,
    /// What is wrong with it, in plain words.
    pub message: String,
}

/// RFC 9457 problem details, the body of every error response.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:profiles:problem:not_found",
    "title": "Not Found",
    "status": 404,
    "detail": "No route matches GET /api/v1/nothing.",
    "code": "not_found"
}))]
pub struct Problem {
    /// A URI naming the problem type: `urn:profiles:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The HTTP status phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// Stable machine-readable code; switch on this, not on `detail`.
    pub code: ErrorCode,
    /// Field-level problems, for validation errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

pub struct ApiError {
    /// Follows from `code`.
    pub kind: ErrorKind,
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Extra response headers (e.g. `Allow`, `Retry-After`, `WWW-Authenticate`).
    pub headers: Vec<(header::HeaderName, String)>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ApiError {
    /// An error with `code` (which decides its status) and a human `detail`. An unauthorised one
    /// says how to authenticate (`WWW-Authenticate: Bearer`).
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        let error = Self {
            kind: code.kind(),
            code,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
            source: None,
        };
        if error.kind == ErrorKind::Unauthorized {
            error.with_header(header::WWW_AUTHENTICATE, "Bearer")
        } else {
            error
        }
    }

    /// An unexpected failure. The cause is logged; the client sees a generic message.
    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::new(
            ErrorCode::InternalError,
            "Something went wrong on our side. Please try again.",
        )
        .with_source(source)
    }

    pub fn with_field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
        self
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn with_source(mut self, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("urn:profiles:problem:{}", self.code),
            title: self.kind.title().to_owned(),
            status: self.kind.status().as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            errors: self.errors.clone(),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("kind", &self.kind)
            .field("code", &self.code)
            .field("detail", &self.detail)
            .field("source", &self.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.kind.status(), self.code, self.detail)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.kind.status().is_server_error() {
            tracing::error!(code = %self.code, error = %self, "request failed");
        }
        let mut response = HttpResponse::build(self.kind.status());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.as_str()));
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::new(ErrorCode::NotFound, "The resource you are looking for doesn't exist."),
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => {
                ApiError::new(
                    ErrorCode::DatabaseUnavailable,
                    "The database is unavailable. Please try again shortly.",
                )
                .with_source(e)
                .with_header(header::RETRY_AFTER, "5")
            }
            // A connection that PostgreSQL ended under us (a restart, a failover): the next
            // request gets a fresh one, so this is an outage to wait out, not our bug.
            Error::DatabaseError(_, ref info) if is_connection_loss(info.message()) => ApiError::new(
                ErrorCode::DatabaseUnavailable,
                "The database is unavailable. Please try again shortly.",
            )
            .with_source(e)
            .with_header(header::RETRY_AFTER, "5"),
            // PostgreSQL keeps no NUL in text.
            Error::DatabaseError(_, ref info)
                if info.message().contains("invalid byte sequence") && info.message().contains("0x00") =>
            {
                ApiError::new(ErrorCode::InvalidField, "Text may not contain NUL characters.")
            }
            other => ApiError::internal(other),
        }
    }
}

/// PostgreSQL's and libpq's words for a connection that is gone.
fn is_connection_loss(message: &str) -> bool {
    [
        "terminating connection",
        "server closed the connection",
        "connection to server",
        "could not connect",
        "the database system is shutting down",
        "the database system is starting up",
        "no connection to the server",
        "Connection refused",
    ]
    .iter()
    .any(|m| message.contains(m))
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        ApiError::new(
            ErrorCode::DatabaseUnavailable,
            "The database is unavailable. Please try again shortly.",
        )
        .with_source(e)
        .with_header(header::RETRY_AFTER, "5")
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_its_snake_case_name_and_has_one_status() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str(), "{code:?}");
            assert_eq!(serde_json::from_value::<ErrorCode>(json).unwrap(), *code);
            let error = ApiError::new(*code, "x");
            assert_eq!(error.kind.status(), code.kind().status());
            assert_eq!(error.problem().status, code.kind().status().as_u16());
            assert_eq!(error.problem().type_, format!("urn:profiles:problem:{code}"));
        }
        assert_eq!(ErrorCode::NotYourRecord.kind().status(), StatusCode::FORBIDDEN);
        assert_eq!(ErrorCode::InvalidBody.kind().status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(ErrorCode::UnreadableBody.kind().status(), StatusCode::BAD_REQUEST);
        // An unauthorised answer says how to authenticate.
        let error = ApiError::new(ErrorCode::Unauthenticated, "x");
        assert!(error
            .headers
            .iter()
            .any(|(h, v)| h == header::WWW_AUTHENTICATE && v == "Bearer"));
    }
}

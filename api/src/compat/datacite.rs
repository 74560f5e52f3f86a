//! DataCite's side of the drop-in routes: who its callers are (our credentials, DataCite-signed
//! JWTs of people and of DataCite's services), its JSON:API media type and its error envelope
//! `{"errors":[{"status","title"}]}`. The routes in `routes/datacite.rs` render through these.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::db::models::Account;
use crate::db::schema::accounts;
use crate::domain::{OrcidId, Role};
use crate::error::ApiError;
use crate::policy::{self, Action, Credential, Denial, Subject, Surface};

/// An error in DataCite's envelope.
#[derive(Debug)]
pub struct CompatError {
    status: StatusCode,
    title: String,
}

/// Documents DataCite's envelope.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DataciteErrors {
    /// `[{"status": "404", "title": "The resource you are looking for doesn't exist."}]`
    pub errors: Vec<DataciteError>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DataciteError {
    pub status: String,
    pub title: String,
}

pub type CompatResult<T> = Result<T, CompatError>;

/// JSON:API's media type, which DataCite's clients accept (and our error safety net leaves alone).
pub const JSONAPI: &str = "application/vnd.api+json";

pub fn jsonapi(status: StatusCode, body: Value) -> HttpResponse {
    HttpResponse::build(status).content_type(JSONAPI).json(body)
}

/// Who is calling, as DataCite's services see it: one of our credentials, a person presenting a
/// DataCite-signed JWT, or a DataCite service presenting DataCite's staff-admin JWT (no account
/// here). What each may do is the policy's to say.
pub enum CompatCaller {
    Ours(Caller),
    DatacitePerson(Account),
    DataciteService,
}

/// A refusal in DataCite's words; what the caller may not see is not there.
pub fn refused(denial: Denial) -> CompatError {
    match denial {
        Denial::Unauthenticated => CompatError::new(StatusCode::UNAUTHORIZED, "Bad credentials."),
        Denial::Hidden => CompatError::not_found(),
        Denial::CredentialNotAccepted | Denial::MissingScope(_) | Denial::Role => CompatError::forbidden(),
    }
}

/// The account of an iD, if it has one here.
pub async fn account_of(state: &AppState, orcid: String) -> CompatResult<Option<Account>> {
    Ok(crate::db::run(&state.pool, move |conn| {
        Ok(accounts::table
            .filter(accounts::orcid.eq(orcid))
            .select(Account::as_select())
            .first(conn)
            .optional()?)
    })
    .await?)
}

/// Claims in DataCite's own JWTs: `uid`, `role_id`, `exp`.
#[derive(Debug, Deserialize)]
pub struct DataciteClaims {
    uid: String,
    #[serde(default)]
    role_id: Option<String>,
}

pub async fn datacite_jwt(state: &AppState, token: &str) -> Option<CompatCaller> {
    let key = state.config.datacite_jwt_public_key.as_ref()?;
    let decoding = jsonwebtoken::DecodingKey::from_rsa_pem(key.as_bytes()).ok()?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp"]);
    validation.leeway = 0;
    let claims = jsonwebtoken::decode::<DataciteClaims>(token, &decoding, &validation)
        .ok()?
        .claims;
    let account = match OrcidId::parse(&claims.uid) {
        Ok(orcid) => {
            let orcid = orcid.to_string();
            crate::db::run(&state.pool, move |conn| {
                Ok(accounts::table
                    .filter(accounts::orcid.eq(orcid))
                    .select(Account::as_select())
                    .first(conn)
                    .optional()?)
            })
            .await
            .ok()?
        }
        Err(_) => None,
    };
    match account {
        // A person: their role is ours, whatever the token says.
        Some(a) => Some(CompatCaller::DatacitePerson(a)),
        // A DataCite service without an account here: only its staff-admin token counts.
        None if claims.role_id.as_deref() == Some("staff_admin") => Some(CompatCaller::DataciteService),
        None => None,
    }
}

pub async fn caller(req: &HttpRequest, state: &AppState, ours: Result<Caller, ApiError>) -> CompatResult<CompatCaller> {
    match ours {
        Ok(c) => Ok(CompatCaller::Ours(c)),
        Err(e) => {
            let bearer = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim);
            if let Some(token) = bearer {
                if let Some(c) = datacite_jwt(state, token).await {
                    return Ok(c);
                }
            }
            Err(e.into())
        }
    }
}

impl CompatError {
    pub fn new(status: StatusCode, title: impl Into<String>) -> Self {
        Self {
            status,
            title: title.into(),
        }
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "The resource you are looking for doesn't exist.")
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "You are not authorized to access this resource.")
    }
}

impl std::fmt::Display for CompatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.title)
    }
}

impl From<ApiError> for CompatError {
    fn from(e: ApiError) -> Self {
        let status = e.kind.status();
        let title = match status {
            StatusCode::UNAUTHORIZED => "Bad credentials.".to_owned(),
            StatusCode::FORBIDDEN => "You are not authorized to access this resource.".to_owned(),
            StatusCode::NOT_FOUND => "The resource you are looking for doesn't exist.".to_owned(),
            StatusCode::INTERNAL_SERVER_ERROR => "An error occured.".to_owned(),
            _ => e.detail.clone(),
        };
        Self { status, title }
    }
}

impl From<diesel::result::Error> for CompatError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::from(e).into()
    }
}

impl ResponseError for CompatError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status)
            .content_type(JSONAPI)
            .json(DataciteErrors {
                errors: vec![DataciteError {
                    status: self.status.as_u16().to_string(),
                    title: self.title.clone(),
                }],
            })
    }
}

impl CompatCaller {
    pub fn actor(&self) -> policy::Actor<'_> {
        match self {
            Self::Ours(c) => c.actor(),
            Self::DatacitePerson(a) => policy::Actor {
                role: a.role,
                subject: Some(Subject::of(a)),
                credential: Credential::DatacitePerson,
            },
            Self::DataciteService => policy::Actor {
                role: Role::StaffAdmin,
                subject: None,
                credential: Credential::DataciteService,
            },
        }
    }
    pub fn decide(&self, action: Action, target: Option<Subject<'_>>) -> Result<(), Denial> {
        policy::decide(self.actor(), Surface::Datacite, action, target)
    }
    pub fn account(&self) -> Option<&Account> {
        match self {
            Self::Ours(c) => Some(&c.account),
            Self::DatacitePerson(a) => Some(a),
            Self::DataciteService => None,
        }
    }
    pub fn orcid(&self) -> Option<&str> {
        match self {
            Self::Ours(c) => Some(c.account.orcid.as_str()),
            Self::DatacitePerson(a) => Some(a.orcid.as_str()),
            Self::DataciteService => None,
        }
    }
}

//! DataCite's side of the drop-in routes: who its callers are (our credentials, DataCite-signed
//! JWTs of people and of DataCite's services), its JSON:API media type and its error envelope
//! `{"errors":[{"status","title"}]}`. The routes in `routes/datacite.rs` render through these.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::claims::store::Claim;
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
    /// DataCite's validation answer, `[{"source", "title"}]` (no `status`), instead of the title.
    invalid: Vec<(String, String)>,
    /// Carried over from our own errors (`Retry-After` on a rate limit).
    headers: Vec<(header::HeaderName, String)>,
}

/// DataCite's error envelope: `{"errors": [{"status": "404", "title": "The resource you are
/// looking for doesn't exist."}]}`; a validation failure (422) names the attribute instead of
/// the status: `{"errors": [{"source": "doi", "title": "Can't be blank"}]}`, an entry per attribute.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DataciteErrors {
    pub errors: Vec<DataciteError>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DataciteError {
    /// The HTTP status, as a string (absent on validation failures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The attribute a validation failure is about (`doi`, `source_id`, `user`, `uid`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What is wrong, in DataCite's words.
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
    /// One of DataCite's services, by its `uid` (e.g. `datacite.levriero`).
    DataciteService(String),
}

/// A refusal of a write that names someone else's record: DataCite answers 403 even where a
/// read would be a 404.
pub fn refused_outright(denial: Denial) -> CompatError {
    if denial == Denial::Hidden {
        CompatError::forbidden()
    } else {
        refused(denial)
    }
}

/// A refusal in DataCite's words; what the caller may not see is not there.
pub fn refused(denial: Denial) -> CompatError {
    match denial {
        Denial::Unauthenticated => CompatError::new(StatusCode::UNAUTHORIZED, "Bad credentials."),
        Denial::ReauthenticationRequired => {
            CompatError::new(StatusCode::UNAUTHORIZED, "Sign in again before doing this.")
        }
        Denial::Hidden => CompatError::not_found(),
        Denial::CredentialNotAccepted | Denial::SessionRequired | Denial::MissingScope(_) | Denial::Role => {
            CompatError::forbidden()
        }
    }
}

/// The account of an iD, if it has one here.
pub async fn account_of(state: &AppState, orcid: String) -> CompatResult<Option<Account>> {
    Ok(crate::db::run(&state.pool, move |conn| {
        Ok(crate::accounts::find_by_orcid(conn, &orcid)?)
    })
    .await?)
}

/// Claims in DataCite's own JWTs: `uid`, `role_id`, `iat`, `exp` (no `iss`, `aud` or `sub`).
#[derive(Debug, Deserialize)]
pub struct DataciteClaims {
    uid: String,
    #[serde(default)]
    role_id: Option<String>,
    exp: i64,
    #[serde(default)]
    iat: Option<i64>,
    /// Only our own tokens carry these; one that does is refused here.
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sid: Option<String>,
}

/// Who a DataCite-signed JWT speaks for, if anyone: a person with an account here (their role is
/// ours, whatever the token says), or one of the DataCite services named in
/// `DATACITE_SERVICE_UIDS` presenting a staff-admin token. Refused: our own tokens (by `kid`,
/// `iss` or `sid`: they are checked, and end with their session, on our own path), a lifetime
/// or age beyond `DATACITE_JWT_MAX_AGE_DAYS`, an ORCID iD posing as a service.
pub async fn datacite_jwt(state: &AppState, token: &str) -> Option<CompatCaller> {
    let key = state.config.datacite_jwt_public_key.as_ref()?;
    let decoding = jsonwebtoken::DecodingKey::from_rsa_pem(key.as_bytes()).ok()?;
    let header = jsonwebtoken::decode_header(token).ok()?;
    if let Some(kid) = header.kid.as_deref() {
        if state.keys.is_ours(&state.pool, kid).await {
            return None;
        }
    }
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_aud = false;
    // Expiry is checked below against the service's clock, with the lifetime cap.
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp"]);
    let claims = jsonwebtoken::decode::<DataciteClaims>(token, &decoding, &validation)
        .ok()?
        .claims;
    if claims.sid.is_some() || claims.iss.as_deref() == Some(state.config.jwt.issuer.as_str()) {
        return None;
    }
    let now = state.clock.now().timestamp();
    let max_age = i64::try_from(state.config.datacite_jwt_max_age.as_secs()).unwrap_or(i64::MAX);
    let fresh = claims.exp > now
        && claims.exp - now <= max_age
        && claims
            .iat
            .is_none_or(|iat| iat <= now + 60 && now.saturating_sub(iat) <= max_age);
    if !fresh {
        return None;
    }
    match OrcidId::parse(&claims.uid) {
        // A person: only with an account here, and with our role for them.
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
            .map(CompatCaller::DatacitePerson)
        }
        // A DataCite service: only the configured ones, and only with a staff-admin token.
        Err(_) => (claims.role_id.as_deref() == Some("staff_admin")
            && state.config.datacite_service_uids.contains(&claims.uid))
        .then_some(CompatCaller::DataciteService(claims.uid)),
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
            invalid: Vec::new(),
            headers: Vec::new(),
        }
    }
    /// A 422 naming what is wrong with each attribute, as DataCite's validations answer.
    pub fn invalid(errors: &[(&str, &str)]) -> Self {
        Self {
            invalid: errors.iter().map(|(s, t)| ((*s).to_owned(), (*t).to_owned())).collect(),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "Validation failed.")
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
        Self {
            status,
            title,
            invalid: Vec::new(),
            headers: e.headers,
        }
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
        let mut response = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        let errors = if self.invalid.is_empty() {
            vec![DataciteError {
                status: Some(self.status.as_u16().to_string()),
                source: None,
                title: self.title.clone(),
            }]
        } else {
            self.invalid
                .iter()
                .map(|(source, title)| DataciteError {
                    status: None,
                    source: Some(source.clone()),
                    title: title.clone(),
                })
                .collect()
        };
        response.content_type(JSONAPI).json(DataciteErrors { errors })
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
            Self::DataciteService(_) => policy::Actor {
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
            Self::DataciteService(_) => None,
        }
    }
    /// How the audit log names a caller without an account here: the service's `uid`.
    pub fn audit_label(&self) -> String {
        match self {
            Self::DataciteService(uid) => format!("DataCite service {uid}"),
            _ => String::new(),
        }
    }

    /// The key claims are rate-limited by: the person's account. DataCite's services are not
    /// limited (Auto-Update's volume is theirs to decide).
    pub fn claim_limit_key(&self) -> Option<String> {
        self.account().map(|a| a.id.to_string())
    }

    pub fn orcid(&self) -> Option<&str> {
        match self {
            Self::Ours(c) => Some(c.account.orcid.as_str()),
            Self::DatacitePerson(a) => Some(a.orcid.as_str()),
            Self::DataciteService(_) => None,
        }
    }
}

/// Audits a change made to another person's claim (staff, or a DataCite service, named by
/// `label`).
pub fn audit_for_another(
    conn: &mut PgConnection,
    (actor, label): (Option<&Account>, &str),
    action: &str,
    claim: &Claim,
) -> QueryResult<()> {
    if actor.is_some_and(|a| a.orcid == claim.orcid) {
        return Ok(());
    }
    crate::audit::audit(
        conn,
        actor,
        label,
        action,
        ("account", &claim.orcid),
        json!({"claim": claim.id, "doi": claim.doi, "after": {"state": claim.state, "action": claim.action}, "via": "datacite"}),
    )
}

pub fn underscore(query: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .map(|(k, v)| (k.replace('-', "_"), v))
        .collect()
}

pub fn titleize(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or_else(String::new, |f| f.to_uppercase().collect::<String>() + c.as_str())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `page[number]` (from 1) and `page[size]` (1–1000, default 25), with DataCite's cap: no page
/// starts beyond the 10,000th hit.
pub fn page_of(q: &BTreeMap<String, String>) -> CompatResult<(i64, i64)> {
    let unprocessable = |m: &str| CompatError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
    let size: i64 = q
        .get("page[size]")
        .map_or(Ok(25), |v| v.trim().parse())
        .map_err(|_| unprocessable("page[size]: a number from 1 to 1000"))?;
    let page: i64 = q
        .get("page[number]")
        .map_or(Ok(1), |v| v.trim().parse())
        .map_err(|_| unprocessable("page[number]: a number from 1"))?;
    if !(1..=1000).contains(&size) || page < 1 || page.checked_mul(size).is_none_or(|n| n > 10_000 + size) {
        return Err(unprocessable(
            "page[size] is 1–1000 and page[number] × page[size] reaches 10,000 at most",
        ));
    }
    Ok((page, size))
}

//! DataCite's side of the drop-in routes: who its callers are (our credentials, DataCite-signed
//! JWTs of people and of DataCite's services), its JSON:API media type and its error envelope
//! `{"errors":[{"status","title"}]}`. The routes in `routes/datacite.rs` render through these.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::session::Caller;
use crate::claims::store::{self, Claim};
use crate::claims::{ClaimAction, ClaimSource, ClaimState};
use crate::db::models::Account;
use crate::db::schema::{accounts, claims, identities};
use crate::domain::{OrcidId, Role};
use crate::error::ApiError;
use crate::policy::{self, Action, Credential, Denial, Subject, Surface};

/// An error in DataCite's envelope.
#[derive(Debug)]
pub struct CompatError {
    status: StatusCode,
    title: String,
    /// Carried over from our own errors (`Retry-After` on a rate limit).
    headers: Vec<(header::HeaderName, String)>,
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
            headers: Vec::new(),
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
        response.content_type(JSONAPI).json(DataciteErrors {
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

pub fn source_id(source: ClaimSource) -> &'static str {
    match source {
        ClaimSource::SearchAndLink => "orcid_search",
        ClaimSource::AutoUpdate => "orcid_update",
    }
}

/// DataCite's state names: our `waiting_for_permission` is a claim still waiting.
pub fn datacite_state(state: ClaimState) -> &'static str {
    match state {
        ClaimState::WaitingForPermission => "waiting",
        other => other.as_str(),
    }
}

pub fn claim_resource(c: &Claim) -> Value {
    let errors: Vec<Value> = match (&c.error_code, &c.error_message) {
        (Some(_), Some(message)) => vec![json!({ "title": message })],
        _ => vec![],
    };
    json!({
        "id": c.id,
        "type": "claims",
        "attributes": {
            "orcid": format!("https://orcid.org/{}", c.orcid),
            "doi": c.doi,
            "sourceId": source_id(c.source()),
            "state": datacite_state(c.state()),
            "claimAction": c.action().as_str(),
            "putCode": c.put_code,
            "errorMessages": errors,
            "claimed": c.claimed_at,
            "created": c.created_at,
            "updated": c.updated_at,
        },
        "relationships": { "user": { "data": { "id": c.orcid, "type": "users" } } },
    })
}

pub fn underscore(query: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .map(|(k, v)| (k.replace('-', "_"), v))
        .collect()
}

pub fn facet(counts: &[(String, i64)], title: impl Fn(&str) -> String) -> Vec<Value> {
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(id, n)| json!({ "id": id, "title": title(id), "count": n }))
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

pub async fn visible_claim(state: &AppState, who: &CompatCaller, id: Uuid, action: Action) -> CompatResult<Claim> {
    let claim = crate::db::run(&state.pool, move |conn| Ok(store::find(conn, id)?))
        .await?
        .ok_or_else(CompatError::not_found)?;
    let owner = account_of(state, claim.orcid.clone()).await?;
    // Someone else's claim is, for those who may not read it, not there.
    who.decide(action, Some(Subject::record(&claim.orcid, owner.as_ref())))
        .map_err(refused)?;
    Ok(claim)
}

pub fn user_resource(a: &Account, github: Option<String>, with_email: bool) -> Value {
    let mut attributes = json!({
        "givenName": a.given_names,
        "familyName": a.family_name,
        "name": a.name,
        "orcid": format!("https://orcid.org/{}", a.orcid),
        "github": github,
        "roleId": a.role,
        "isActive": true,
        "created": a.created_at,
        "updated": a.updated_at,
    });
    if with_email {
        attributes["email"] = json!(a.email);
    }
    json!({ "id": a.orcid, "type": "users", "attributes": attributes })
}

pub async fn load_user(state: &AppState, orcid: String) -> CompatResult<Option<(Account, Option<String>)>> {
    Ok(crate::db::run(&state.pool, move |conn| {
        let account: Option<Account> = accounts::table
            .filter(accounts::orcid.eq(&orcid))
            .select(Account::as_select())
            .first(conn)
            .optional()?;
        let Some(account) = account else {
            return Ok(None);
        };
        let github: Option<Option<String>> = identities::table
            .filter(identities::account_id.eq(account.id))
            .filter(identities::provider.eq("github"))
            .select(identities::profile_url)
            .first(conn)
            .optional()?;
        Ok(Some((account, github.flatten())))
    })
    .await?)
}

/// What DataCite's services may set on a user (lupo clears provider/client links this way).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserAttributes {
    pub name: Option<String>,
    pub given_names: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::accounts::present")]
    pub provider_id: Option<Option<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::accounts::present")]
    pub client_id: Option<Option<String>>,
    pub beta_tester: Option<bool>,
}

/// What DataCite's `GET /claims` asks for, checked.
#[derive(Debug, Clone)]
pub struct ClaimFilters {
    pub orcid: Option<String>,
    pub dois: Vec<String>,
    pub source: Option<ClaimSource>,
    pub action: Option<ClaimAction>,
    pub states: Vec<ClaimState>,
    pub page: i64,
    pub size: i64,
}

/// Reads the filters and page of DataCite's `GET /claims` (keys already underscored), for the
/// record `orcid` the caller may read (`None`: everyone's).
pub fn parse_claim_filters(q: &BTreeMap<String, String>, orcid: Option<String>) -> CompatResult<ClaimFilters> {
    let unprocessable = |m: String| CompatError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
    if q.get("dois").is_some_and(|v| v.chars().count() > 2000) {
        return Err(unprocessable("dois: at most 2000 characters".into()));
    }
    let dois: Vec<String> = q
        .get("dois")
        .map(|v| {
            v.split(',')
                .filter(|d| !d.trim().is_empty())
                .map(|d| {
                    crate::domain::Doi::parse(d)
                        .map(String::from)
                        .map_err(|e| unprocessable(format!("dois: {e}")))
                })
                .collect::<CompatResult<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    let source = q
        .get("source_id")
        .map(|v| match v.as_str() {
            "orcid_search" => Ok(ClaimSource::SearchAndLink),
            "orcid_update" => Ok(ClaimSource::AutoUpdate),
            other => Err(unprocessable(format!("source-id: unknown {other:?}"))),
        })
        .transpose()?;
    let action = q
        .get("claim_action")
        .map(|v| {
            v.parse::<ClaimAction>()
                .map_err(|_| unprocessable(format!("claim-action: unknown {v:?}")))
        })
        .transpose()?;
    let mut states: Vec<ClaimState> = Vec::new();
    for s in q
        .get("state")
        .map(|v| v.split(',').collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let st = s
            .trim()
            .parse::<ClaimState>()
            .map_err(|_| unprocessable(format!("state: unknown {s:?}")))?;
        states.push(st);
        if st == ClaimState::Waiting {
            states.push(ClaimState::WaitingForPermission);
        }
    }
    let size: i64 = q
        .get("page[size]")
        .map_or(Ok(25), |v| v.parse())
        .map_err(|_| unprocessable("page[size]: a number".into()))?;
    let page: i64 = q
        .get("page[number]")
        .map_or(Ok(1), |v| v.parse())
        .map_err(|_| unprocessable("page[number]: a number".into()))?;
    if !(1..=1000).contains(&size) || page < 1 || page.checked_mul(size).is_none_or(|n| n > 10_000 + size) {
        return Err(unprocessable(
            "page[size] is 1–1000 and page[number] × page[size] reaches 10,000 at most".into(),
        ));
    }
    Ok(ClaimFilters {
        orcid,
        dois,
        source,
        action,
        states,
        page,
        size,
    })
}

/// One page of the claims that match `f`, their total, and DataCite's `meta` with its facets.
pub fn search_claims(conn: &mut PgConnection, f: &ClaimFilters) -> QueryResult<(Vec<Claim>, i64, Value)> {
    let (page, size) = (f.page, f.size);
    let filter = || {
        let mut query = claims::table.into_boxed();
        if let Some(o) = &f.orcid {
            query = query.filter(claims::orcid.eq(o.clone()));
        }
        if !f.dois.is_empty() {
            query = query.filter(claims::doi.eq_any(f.dois.clone()));
        }
        if let Some(s) = f.source {
            query = query.filter(claims::source.eq(s));
        }
        if let Some(a) = f.action {
            query = query.filter(claims::action.eq(a));
        }
        if !f.states.is_empty() {
            query = query.filter(claims::state.eq_any(f.states.clone()));
        }
        query
    };
    let (total, rows, by_source, by_state, by_action) = {
        let total: i64 = filter().count().get_result(conn)?;
        let rows: Vec<Claim> = filter()
            .order((claims::updated_at.desc(), claims::id.desc()))
            .offset((page - 1) * size)
            .limit(size)
            .select(Claim::as_select())
            .load(conn)?;
        let ids = || filter().select(claims::id);
        let by_source: Vec<(ClaimSource, i64)> = claims::table
            .filter(claims::id.eq_any(ids()))
            .group_by(claims::source)
            .select((claims::source, count_star()))
            .load(conn)?;
        let by_state: Vec<(ClaimState, i64)> = claims::table
            .filter(claims::id.eq_any(ids()))
            .group_by(claims::state)
            .select((claims::state, count_star()))
            .load(conn)?;
        let by_action: Vec<(String, i64)> = claims::table
            .filter(claims::id.eq_any(ids()))
            .group_by(claims::action)
            .select((claims::action, count_star()))
            .load(conn)?;
        (total, rows, by_source, by_state, by_action)
    };
    let sources: Vec<(String, i64)> = by_source
        .into_iter()
        .map(|(s, n)| (source_id(s).to_owned(), n))
        .collect();
    let mut merged: BTreeMap<String, i64> = BTreeMap::new();
    for (s, n) in by_state {
        *merged.entry(datacite_state(s).to_owned()).or_default() += n;
    }
    let states: Vec<(String, i64)> = merged.into_iter().collect();
    let mut meta = json!({
        "total": total,
        "totalPages": (total.min(10_000) + size - 1) / size,
        "page": page,
    });
    if total > 0 {
        meta["sources"] = json!(facet(&sources, |id| match id {
            "orcid_search" => "ORCID Search and Link".to_owned(),
            _ => "ORCID Auto-Update".to_owned(),
        }));
        meta["states"] = json!(facet(&states, titleize));
        meta["claimActions"] = json!(facet(&by_action, titleize));
    }
    Ok((rows, total, meta))
}

//! Who is calling: a browser session (revocable, server-side) or a bearer JWT.
//!
//! The session cookie is actix-session's private (encrypted and signed) cookie, holding only the
//! id of a `sessions` row. Every request checks that row, so signing out or revoking a session
//! ends it everywhere, and a copied cookie stops working.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::app::AppState;
use crate::db::models::Account;
use crate::db::schema::{accounts, sessions};
use crate::domain::Role;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::policy::{self, Action, Actor, Credential, Denial, Subject, Surface};

pub const SESSION_COOKIE: &str = "profiles_session";
/// Where a person signs in again (ORCID with `prompt=login`) when an action needs it.
pub const REAUTHENTICATE_PATH: &str = "/auth/orcid/start?reauthenticate=true";
const SID: &str = "sid";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Session,
    Jwt,
    /// A scoped API token (`prf_…`).
    ApiToken,
}

/// The authenticated caller. Use it as a handler argument to require a credential; then ask
/// [`Caller::authorize`] whether it may do what the route does.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    pub session_id: Option<Uuid>,
    pub method: AuthMethod,
    /// The scopes of an API token; `None` for the person themselves (session or JWT).
    pub scopes: Option<Vec<String>>,
    /// A session whose sign-in is within the re-authentication window.
    pub recent_sign_in: bool,
    /// A JWT from DataCite's `_datacite` cookie: on our own API it reads claims, nothing more.
    pub sso: bool,
}

impl Caller {
    pub fn role(&self) -> Role {
        self.account.role
    }

    /// The caller as the policy sees them.
    pub fn actor(&self) -> Actor<'_> {
        Actor {
            role: self.role(),
            subject: Some(Subject::of(&self.account)),
            credential: match (self.method, &self.scopes) {
                (AuthMethod::Session, _) => Credential::Session {
                    recent_sign_in: self.recent_sign_in,
                },
                (AuthMethod::Jwt, _) => Credential::Jwt,
                (AuthMethod::ApiToken, scopes) => Credential::ApiToken {
                    scopes: scopes.as_deref().unwrap_or_default(),
                },
            },
        }
    }

    /// Whether the caller may do `action` to `target` on `/api/v1` (see [`crate::policy`]).
    /// Someone else's thing the caller may not see answers 404 `not_found`.
    pub fn authorize(&self, action: Action, target: Option<Subject<'_>>) -> Result<(), ApiError> {
        self.authorize_or(action, target, || {
            ApiError::new(ErrorCode::NotFound, "The resource you are looking for doesn't exist.")
        })
    }

    /// As [`Caller::authorize`], with the route's own answer for what the caller may not see.
    pub fn authorize_or(
        &self,
        action: Action,
        target: Option<Subject<'_>>,
        hidden: impl FnOnce() -> ApiError,
    ) -> Result<(), ApiError> {
        // The cookie's JWT lives as long as the session and scripts on DataCite's sites can read
        // it: here it counts as a token that may only read claims.
        let read_only = ["claims:read".to_owned()];
        let actor = if self.sso {
            Actor {
                credential: Credential::ApiToken { scopes: &read_only },
                ..self.actor()
            }
        } else {
            self.actor()
        };
        policy::decide(actor, Surface::Api, action, target).map_err(|denial| match denial {
            Denial::Hidden => hidden(),
            other => denial_error(other),
        })
    }
}

/// The problem for a refusal of the policy (other than [`Denial::Hidden`], which each route
/// words itself).
pub fn denial_error(denial: Denial) -> ApiError {
    match denial {
        Denial::Unauthenticated => unauthenticated(),
        Denial::CredentialNotAccepted => ApiError::new(
            ErrorCode::ApiTokenNotAllowed,
            "This credential cannot be used here; sign in instead.",
        ),
        Denial::MissingScope(scope) => ApiError::new(
            ErrorCode::InsufficientScope,
            format!("This credential does not carry the `{scope}` scope."),
        )
        .with_header(
            header::WWW_AUTHENTICATE,
            format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\""),
        ),
        Denial::SessionRequired => ApiError::new(
            ErrorCode::SessionRequired,
            "Changing your account needs you signed in in the browser; a bearer token cannot do it.",
        ),
        Denial::Role => ApiError::new(ErrorCode::Forbidden, "Your role does not allow this."),
        Denial::Hidden => ApiError::new(ErrorCode::NotFound, "The resource you are looking for doesn't exist."),
        Denial::ReauthenticationRequired => ApiError::new(
            ErrorCode::ReauthenticationRequired,
            format!("For your security, sign in again before doing this: {REAUTHENTICATE_PATH}?return_to=<this page>."),
        ),
    }
}

/// The session id in the cookie, if any (not checked against the database).
pub fn cookie_session_id(session: &Session) -> Option<Uuid> {
    session.get::<Uuid>(SID).ok().flatten()
}

/// What we note about the browser that signs in, to show in the sessions list.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

impl ClientInfo {
    pub fn of(req: &HttpRequest, config: &crate::config::Config) -> Self {
        Self {
            user_agent: req
                .headers()
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(300).collect::<String>()),
            ip: client_ip(req, &config.security.trusted_proxies).map(|ip| ip.to_string()),
        }
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy (`TRUSTED_PROXIES`); then
/// the nearest address in `X-Forwarded-For` that is not one of our proxies. Without trusted
/// proxies the header is ignored, since any client can write it.
pub fn client_ip(req: &HttpRequest, trusted: &[ipnet::IpNet]) -> Option<std::net::IpAddr> {
    let peer = req.peer_addr()?.ip().to_canonical();
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // From the nearest hop outwards: the first address our proxies did not add is the client.
    // An entry that does not read as an address (or `address:port`) ends the walk at the last
    // trusted hop, so nothing a client wrote further left is believed.
    let entries: Vec<String> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|part| part.trim().to_owned())
        .collect();
    let mut nearest = peer;
    for entry in entries.iter().rev() {
        let parsed = entry
            .parse::<std::net::IpAddr>()
            .or_else(|_| entry.parse::<std::net::SocketAddr>().map(|s| s.ip()));
        let Ok(ip) = parsed.map(|ip| ip.to_canonical()) else {
            return Some(nearest);
        };
        if !is_trusted(&ip) {
            return Some(ip);
        }
        nearest = ip;
    }
    Some(nearest)
}

/// Starts a server-side session for `account_id`. `authenticated_at` is when the person last
/// entered their credentials at the provider (its `auth_time`, never later than `now`), if it
/// said; a provider's lasting login is not a fresh one.
pub fn start(
    conn: &mut PgConnection,
    client: &ClientInfo,
    account_id: Uuid,
    ttl: std::time::Duration,
    now: DateTime<Utc>,
    authenticated_at: Option<DateTime<Utc>>,
) -> QueryResult<Uuid> {
    let (user_agent, ip) = (client.user_agent.clone(), client.ip.clone());
    let expires = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(14));
    diesel::insert_into(sessions::table)
        .values((
            sessions::account_id.eq(account_id),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
            sessions::expires_at.eq(expires),
            sessions::user_agent.eq(user_agent),
            sessions::ip.eq(ip),
            sessions::authenticated_at.eq(authenticated_at.map(|at| at.min(now))),
        ))
        .returning(sessions::id)
        .get_result(conn)
}

/// Binds the browser to `sid`. The cookie is renewed, so a cookie planted before sign-in is useless.
pub fn attach(session: &Session, sid: Uuid) -> Result<(), ApiError> {
    session.renew();
    session.insert(SID, sid).map_err(ApiError::internal)
}

/// Ends the browser's session: revoked server-side (a copied cookie, and JWTs made from it, stop
/// working), and the cookie's contents dropped.
pub async fn sign_out(state: &AppState, session: &Session) -> Result<(), ApiError> {
    if let Some(sid) = cookie_session_id(session) {
        let now = state.clock.now();
        crate::db::run(&state.pool, move |conn| Ok(revoke(conn, sid, now)?)).await?;
    }
    session.purge();
    Ok(())
}

/// A new sign-in in a browser that had session `old`: the old session ends. If it was the same
/// person's, the sign-ins it made to client applications carry over to the new session (signing
/// in again, or a client's `prompt=login`, must not sign them out of every app).
pub fn replace(
    conn: &mut PgConnection,
    old: Uuid,
    new: Uuid,
    account_id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let same: i64 = sessions::table
        .find(old)
        .filter(sessions::account_id.eq(account_id))
        .count()
        .get_result(conn)?;
    if same > 0 {
        crate::clients::tokens::move_sign_ins(conn, old, new)?;
    }
    revoke(conn, old, now)
}

/// Ends a session, and with it the sign-ins it made to client applications (which are told).
pub fn revoke(conn: &mut PgConnection, sid: Uuid, now: DateTime<Utc>) -> QueryResult<usize> {
    let n = diesel::update(sessions::table.find(sid).filter(sessions::revoked_at.is_null()))
        .set(sessions::revoked_at.eq(now))
        .execute(conn)?;
    crate::clients::tokens::sessions_ended(conn, &[sid], now)?;
    Ok(n)
}

/// A live session: its account, when it was last seen, and when the person last entered their
/// credentials at the provider (if known).
type LiveSession = (Account, DateTime<Utc>, Option<DateTime<Utc>>, DateTime<Utc>);

/// The session row and its account, if it is live at `now`.
fn live_session(conn: &mut PgConnection, sid: Uuid, now: DateTime<Utc>) -> QueryResult<Option<LiveSession>> {
    sessions::table
        .inner_join(accounts::table)
        .filter(sessions::id.eq(sid))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .select((
            Account::as_select(),
            sessions::last_seen_at,
            sessions::authenticated_at,
            sessions::expires_at,
        ))
        .first(conn)
        .optional()
}

fn unauthenticated() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthenticated,
        "Sign in first, or send `Authorization: Bearer <token>` with a token from POST /api/v1/tokens.",
    )
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let pending = PendingCaller::of(req).await?;
            pending.run(|_, caller| Ok(caller.clone())).await
        })
    }
}

/// A request's credential, checked as far as it can be without the database (the JWT's
/// signature, the cookie's seal and the request's origin), with the caller not yet looked up.
///
/// [`PendingCaller::run`] looks the caller up and runs the route's own queries on the same pooled
/// connection, in one trip to the blocking pool: for the reads that are most of the traffic, the
/// [`Caller`] extractor's separate lookup was a second round of thread wake-ups per request.
///
/// Nothing about the caller is known until `run`: a route must do everything, its decision
/// through [`Caller::authorize`] first, inside the closure.
#[must_use = "the caller is only looked up, and authorised, by `run`"]
pub struct PendingCaller {
    req: HttpRequest,
    state: web::Data<AppState>,
    presented: Presented,
}

enum Presented {
    Session(Uuid),
    Jwt {
        orcid: String,
        sid: Option<Uuid>,
        sso: bool,
    },
    ApiToken(String),
}

/// What the lookup found: the caller or why not, and what the browser's session turned out to be.
struct LookedUp {
    caller: Result<Caller, ApiError>,
    seen: Option<crate::auth::sso::SessionSeen>,
}

impl FromRequest for PendingCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        Box::pin(PendingCaller::of(req.clone()))
    }
}

impl PendingCaller {
    async fn of(req: HttpRequest) -> Result<Self, ApiError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| ApiError::internal("AppState missing"))?;
        let presented = present(&req, &state).await?;
        Ok(PendingCaller { req, state, presented })
    }

    /// Looks the caller up, then runs `f` with them on the same connection (not at all if the
    /// credential is refused). `f` decides what the caller may do through [`Caller::authorize`].
    pub async fn run<T, F>(self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection, &Caller) -> ApiResult<T> + Send + 'static,
    {
        let PendingCaller { req, state, presented } = self;
        let now = state.clock.now();
        let window = chrono::Duration::from_std(state.config.security.reauth_max_age).unwrap_or(chrono::Duration::MAX);
        let (found, out) = crate::db::run(&state.pool, move |conn| {
            let found = look_up(conn, presented, now, window)?;
            let out = match &found.caller {
                Ok(caller) => match f(conn, caller) {
                    // A lost connection is the whole trip's failure (the pool checks it again).
                    Err(e) if e.code == ErrorCode::DatabaseUnavailable => return Err(e),
                    out => Some(out),
                },
                Err(_) => None,
            };
            Ok((found, out))
        })
        .await?;
        if let Some(seen) = found.seen {
            req.extensions_mut().insert(seen);
            if seen == crate::auth::sso::SessionSeen::Ended {
                // Only the dead session goes: a Google/GitHub sign-up waiting in this browser to
                // be linked to an ORCID iD stays, so /link-orcid can still finish it.
                req.get_session().remove(SID);
            }
        }
        found.caller?;
        out.unwrap_or_else(|| Err(ApiError::internal("the caller was found but the route did not run")))
    }
}

/// Reads the credential the request carries, without the database.
async fn present(req: &HttpRequest, state: &AppState) -> Result<Presented, ApiError> {
    if let Some(auth) = req.headers().get(header::AUTHORIZATION) {
        let value = auth.to_str().unwrap_or_default();
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::UnsupportedAuthorization,
                    "Only `Authorization: Bearer <token>` is accepted.",
                )
            })?;
        if token.starts_with(crate::auth::api_tokens::TOKEN_PREFIX) {
            return Ok(Presented::ApiToken(token.to_owned()));
        }
        let claims = state
            .keys
            .verify(&state.pool, &state.config.jwt, token)
            .await
            .map_err(|r| ApiError::new(r.code(), r.message()))?;
        return Ok(Presented::Jwt {
            sid: claims.sid.as_deref().and_then(|s| Uuid::parse_str(s).ok()),
            orcid: claims.sub,
            sso: claims.sso,
        });
    }
    let sid = cookie_session_id(&req.get_session()).ok_or_else(unauthenticated)?;
    crate::auth::origin::check_cookie_write(req, state)?;
    Ok(Presented::Session(sid))
}

/// Finds who presented the credential. `window` is how long a sign-in counts as recent.
fn look_up(
    conn: &mut PgConnection,
    presented: Presented,
    now: DateTime<Utc>,
    window: chrono::Duration,
) -> ApiResult<LookedUp> {
    use crate::auth::sso::SessionSeen;
    let caller = |caller| LookedUp {
        caller: Ok(caller),
        seen: None,
    };
    let refused = |e| LookedUp {
        caller: Err(e),
        seen: None,
    };
    Ok(match presented {
        Presented::Session(sid) => match live_session(conn, sid, now)? {
            Some((account, last_seen, authenticated, expires_at)) => {
                // Keep last-seen fresh without a write on every request.
                if now - last_seen > chrono::Duration::minutes(1) {
                    diesel::update(sessions::table.find(sid))
                        .set(sessions::last_seen_at.eq(now))
                        .execute(conn)?;
                }
                LookedUp {
                    caller: Ok(Caller {
                        account,
                        session_id: Some(sid),
                        method: AuthMethod::Session,
                        scopes: None,
                        // Recent: the person typed their password at the provider lately, not
                        // merely rode on a lasting login there (its `auth_time` says which).
                        recent_sign_in: authenticated.is_some_and(|at| now - at <= window),
                        sso: false,
                    }),
                    seen: Some(SessionSeen::Live { sid, expires_at }),
                }
            }
            None => LookedUp {
                caller: Err(ApiError::new(
                    ErrorCode::SessionExpired,
                    "Your session has ended (signed out, revoked or expired). Please sign in again.",
                )),
                seen: Some(SessionSeen::Ended),
            },
        },
        Presented::ApiToken(token) => match crate::auth::api_tokens::authenticate(conn, &token, now)? {
            Some((account, scopes)) => caller(Caller {
                account,
                session_id: None,
                method: AuthMethod::ApiToken,
                scopes: Some(scopes),
                recent_sign_in: false,
                sso: false,
            }),
            None => refused(ApiError::new(
                ErrorCode::InvalidApiToken,
                "This API token is unknown, revoked or expired.",
            )),
        },
        Presented::Jwt { orcid, sid, sso } => {
            let account: Option<Account> = accounts::table
                .filter(accounts::orcid.eq(&orcid))
                .select(Account::as_select())
                .first(conn)
                .optional()?;
            // A token made from a session ends with that session.
            let live = match (&account, sid) {
                (Some(_), Some(sid)) => live_session(conn, sid, now)?.is_some(),
                _ => true,
            };
            match account {
                Some(account) if live => caller(Caller {
                    account,
                    session_id: sid,
                    method: AuthMethod::Jwt,
                    scopes: None,
                    recent_sign_in: false,
                    sso,
                }),
                Some(_) => refused(ApiError::new(
                    ErrorCode::SessionRevoked,
                    "The session this token was issued from has ended.",
                )),
                None => refused(ApiError::new(
                    ErrorCode::UnknownAccount,
                    "The token names an account that does not exist.",
                )),
            }
        }
    })
}

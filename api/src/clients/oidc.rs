//! The tokens our OpenID Provider issues and what each scope reveals.
//!
//! ID tokens and access tokens are RS256 JWTs signed with our rotating keys (the JWKS at
//! `/.well-known/jwks.json`). Their `aud` is the client, so our own API never takes them for its
//! bearer JWTs (whose audience is ours), and access tokens carry `typ: at+jwt` (RFC 9068). An
//! access token is only good while its family is: every check reads the family, so a revoked
//! session, app or reused refresh token stops it at once, not at expiry.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::tokens::{self, Family, GrantError};
use crate::app::AppState;
use crate::db::models::Account;
use crate::db::schema::accounts;

/// What the token endpoint answers.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenSet {
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// Seconds the access token lives.
    pub expires_in: i64,
    pub id_token: String,
    /// Spent by its first use: each refresh answers a new one.
    pub refresh_token: String,
    pub scope: String,
}

/// Our access tokens' claims.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The family (one sign-in of the person to the client).
    pub fid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// What the claims are made from: the account, whether Profiles holds an ORCID token for it,
/// and whether its email is one a provider verified.
pub struct Subject {
    pub account: Account,
    pub has_orcid_token: bool,
    pub email_verified: bool,
}

/// The claims each of `scopes` reveals about the subject.
pub fn scoped_claims(state: &AppState, subject: &Subject, scopes: &[String]) -> Map<String, Value> {
    let (account, has_orcid_token) = (&subject.account, subject.has_orcid_token);
    let mut c = Map::new();
    let has = |s: &str| scopes.iter().any(|x| x == s);
    if has("profile") {
        for (k, v) in [
            ("name", &account.name),
            ("given_name", &account.given_names),
            ("family_name", &account.family_name),
        ] {
            if let Some(v) = v {
                c.insert(k.into(), json!(v));
            }
        }
    }
    if has("email") {
        if let Some(e) = &account.email {
            c.insert("email".into(), json!(e));
            // A person may type any address into their profile: only one Google or GitHub
            // verified (the address of a linked identity) is said to be verified.
            c.insert("email_verified".into(), json!(subject.email_verified));
        }
    }
    if has("orcid") || has("datacite") {
        c.insert(
            "orcid".into(),
            json!(format!("{}/{}", state.config.orcid_site(), account.orcid)),
        );
    }
    if has("datacite") {
        c.insert("uid".into(), json!(account.orcid));
        c.insert("role_id".into(), json!(account.role.as_str()));
        c.insert("beta_tester".into(), json!(account.beta_tester));
        c.insert("has_orcid_token".into(), json!(has_orcid_token));
    }
    c
}

async fn account_of(state: &AppState, id: Uuid) -> Result<Subject, GrantError> {
    use crate::db::schema::identities;
    let now = state.clock.now();
    crate::db::run(&state.pool, move |conn| {
        let account: Account = accounts::table.find(id).select(Account::as_select()).first(conn)?;
        let has_orcid_token = crate::auth::sso::has_orcid_token(conn, id, now)?;
        // Identities keep only addresses their provider verified.
        let email_verified = match &account.email {
            Some(e) => {
                identities::table
                    .filter(identities::account_id.eq(id))
                    .filter(identities::email.ilike(e.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")))
                    .count()
                    .get_result::<i64>(conn)?
                    > 0
            }
            None => false,
        };
        Ok(Subject {
            account,
            has_orcid_token,
            email_verified,
        })
    })
    .await
    .map_err(|_| GrantError::new("server_error", "The account could not be read."))
}

/// Mints the access and ID tokens of `family`, with `refresh_token`.
pub async fn mint(
    state: &AppState,
    family: &Family,
    nonce: Option<String>,
    refresh_token: String,
) -> Result<TokenSet, GrantError> {
    let subject = account_of(state, family.account_id).await?;
    let account = &subject.account;
    let now = state.clock.now().timestamp();
    let ttl = state.config.jwt.oidc_access_ttl.as_secs() as i64;
    let issuer = state.config.jwt.issuer.clone();
    let sid = family.session_id.map(|s| s.to_string());
    let access = AccessTokenClaims {
        iss: issuer.clone(),
        sub: account.id.to_string(),
        aud: family.client_id.clone(),
        client_id: family.client_id.clone(),
        scope: family.scopes.join(" "),
        iat: now,
        exp: now + ttl,
        jti: Uuid::new_v4().to_string(),
        fid: family.id.to_string(),
        sid: sid.clone(),
    };
    let mut id = scoped_claims(state, &subject, &family.scopes);
    for (k, v) in [
        ("iss", json!(issuer)),
        ("sub", json!(account.id.to_string())),
        ("aud", json!(family.client_id)),
        ("azp", json!(family.client_id)),
        ("iat", json!(now)),
        ("exp", json!(now + ttl)),
    ] {
        id.insert(k.into(), v);
    }
    if let Some(at) = family.auth_time {
        id.insert("auth_time".into(), json!(at.timestamp()));
    }
    if let Some(n) = nonce {
        id.insert("nonce".into(), json!(n));
    }
    if let Some(s) = &sid {
        id.insert("sid".into(), json!(s));
    }
    let failed = |e: crate::auth::keys::KeyError| {
        tracing::error!(error = %e, "could not sign an OpenID Connect token");
        GrantError::new("server_error", "Tokens cannot be signed right now.")
    };
    let access_token = state
        .keys
        .sign_typed(&state.pool, &access, Some("at+jwt"))
        .await
        .map_err(failed)?;
    let id_token = state
        .keys
        .sign_typed(&state.pool, &Value::Object(id), None)
        .await
        .map_err(failed)?;
    Ok(TokenSet {
        access_token,
        token_type: "Bearer".into(),
        expires_in: ttl,
        id_token,
        refresh_token,
        scope: family.scopes.join(" "),
    })
}

/// A checked access token: its claims and its (live) family.
pub struct Checked {
    pub claims: AccessTokenClaims,
    pub family: Family,
}

/// Checks one of our access tokens: RS256 by a key of ours, `typ: at+jwt`, our issuer, not
/// expired, and its family still live.
pub async fn check_access(state: &AppState, token: &str) -> Option<Checked> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&state.config.jwt.issuer]);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 0;
    let (claims, typ) = state
        .keys
        .verify_with::<AccessTokenClaims>(&state.pool, token, &validation)
        .await
        .ok()?;
    if !typ.is_some_and(|t| t.eq_ignore_ascii_case("at+jwt")) || claims.aud != claims.client_id {
        return None;
    }
    let fid = Uuid::parse_str(&claims.fid).ok()?;
    let now = state.clock.now();
    let family = crate::db::run(&state.pool, move |conn| Ok(tokens::live_family(conn, fid, now)?))
        .await
        .ok()
        .flatten()?;
    (family.client_id == claims.client_id).then_some(Checked { claims, family })
}

/// The claims of an ID token of ours, expired or not (RP-initiated logout's `id_token_hint`).
pub async fn read_id_token_hint(state: &AppState, token: &str) -> Option<Value> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&state.config.jwt.issuer]);
    validation.validate_aud = false;
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["iss", "aud", "sub"]);
    let (claims, typ) = state
        .keys
        .verify_with::<Value>(&state.pool, token, &validation)
        .await
        .ok()?;
    // One of our ID tokens (made for a client: `azp` is its `aud`), not an API or cookie JWT.
    let id_token = claims["azp"]
        .as_str()
        .is_some_and(|azp| claims["aud"].as_str() == Some(azp));
    (typ.is_none_or(|t| t.eq_ignore_ascii_case("JWT")) && id_token).then_some(claims)
}

/// The userinfo of a checked access token.
pub async fn userinfo(state: &AppState, checked: &Checked) -> Result<Map<String, Value>, GrantError> {
    let subject = account_of(state, checked.family.account_id).await?;
    let mut c = scoped_claims(state, &subject, &checked.family.scopes);
    c.insert("sub".into(), json!(subject.account.id.to_string()));
    Ok(c)
}

/// The back-channel logout job: a signed `logout_token` POSTed to the client.
pub async fn backchannel_logout(
    state: &AppState,
    http: &reqwest::Client,
    payload: &Value,
) -> Result<(), crate::jobs::JobError> {
    use crate::jobs::JobError;
    let client_id = payload["client_id"].as_str().unwrap_or_default().to_owned();
    let account = payload["account_id"].as_str().unwrap_or_default().to_owned();
    let c = client_id.clone();
    let client = crate::db::run(&state.pool, move |conn| Ok(super::find(conn, &c)?))
        .await
        .map_err(|e| JobError::retry(e.to_string()))?;
    let Some(uri) = client.and_then(|c| c.backchannel_logout_uri) else {
        return Ok(());
    };
    let now: DateTime<Utc> = state.clock.now();
    let mut claims = json!({
        "iss": state.config.jwt.issuer,
        "aud": client_id,
        "sub": account,
        "iat": now.timestamp(),
        "exp": now.timestamp() + 120,
        "jti": Uuid::new_v4().to_string(),
        "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
    });
    if let Some(sid) = payload["session_id"].as_str() {
        claims["sid"] = json!(sid);
    }
    let token = state
        .keys
        .sign_typed(&state.pool, &claims, Some("logout+jwt"))
        .await
        .map_err(|e| JobError::retry(e.to_string()))?;
    let res = http
        .post(&uri)
        .form(&[("logout_token", token.as_str())])
        .send()
        .await
        .map_err(|e| JobError::retry(format!("back-channel logout to {client_id}: {}", e.without_url())))?;
    if res.status().is_success() {
        Ok(())
    } else {
        Err(JobError::retry(format!(
            "back-channel logout to {client_id} answered {}",
            res.status()
        )))
    }
}

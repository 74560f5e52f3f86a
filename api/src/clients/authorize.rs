//! The authorization endpoint's rules: which client and redirect URI (checked before anything
//! else, and never redirected to when wrong), code flow with PKCE S256 only, the scopes the
//! client may have, `prompt` and `max_age`, and consent for third-party clients.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::tokens::CodeRequest;
use super::Client;

/// The authorization request (a `GET` query, or the consent page's form).
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct AuthorizeParams {
    /// `code` (the only flow).
    #[param(nullable = false)]
    pub response_type: Option<String>,
    #[param(nullable = false)]
    pub client_id: Option<String>,
    /// Exactly one of the client's registered redirect URIs.
    #[param(nullable = false)]
    pub redirect_uri: Option<String>,
    /// Space-separated; must include `openid`, and only scopes the client is allowed.
    #[param(nullable = false)]
    pub scope: Option<String>,
    /// Returned as is.
    #[param(nullable = false, max_length = 500)]
    pub state: Option<String>,
    /// Put into the ID token.
    #[param(nullable = false, max_length = 500)]
    pub nonce: Option<String>,
    /// PKCE: required, method `S256`.
    #[param(nullable = false, pattern = "^[A-Za-z0-9_-]{43}$")]
    pub code_challenge: Option<String>,
    #[param(nullable = false, pattern = "^S256$")]
    pub code_challenge_method: Option<String>,
    /// `none` (never show a page: fail with `login_required`/`consent_required`), `login`
    /// (sign in again at ORCID), `consent` (ask again).
    #[param(nullable = false)]
    pub prompt: Option<String>,
    /// Seconds: a sign-in older than this is done again.
    #[param(nullable = false, pattern = "^[0-9]{1,9}$")]
    pub max_age: Option<String>,
    /// The consent page's answer (`allow` or `deny`); only in its form post.
    #[param(nullable = false)]
    pub decision: Option<String>,
}

/// What the authorization endpoint does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Back to the client with an OAuth error (the redirect URI is the client's).
    Fail { error: &'static str, description: String },
    /// Sign in first (or again), then come back to this request.
    SignIn { fresh: bool },
    /// Ask the person.
    Consent,
    /// Issue a code.
    Issue(Box<CodeRequest>),
}

/// A request checked against its client.
#[derive(Debug, Clone)]
pub struct Checked {
    pub client: Client,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub params: AuthorizeParams,
}

/// The first checks, whose failures are shown to the person (never sent to a redirect URI that
/// is not the client's).
pub fn check_client(client: Option<Client>, params: &AuthorizeParams) -> Result<(Client, String), String> {
    let client =
        client.ok_or_else(|| "This application is not registered with Profiles (unknown client_id).".to_owned())?;
    let uri = params.redirect_uri.clone().unwrap_or_default();
    if !client.redirect_uris.contains(&uri) {
        return Err(format!(
            "{} asked to send you back to an address it did not register (redirect_uri). Nothing was shared.",
            client.name
        ));
    }
    Ok((client, uri))
}

/// The rest of the checks, whose failures go back to the client.
pub fn check_request(client: Client, redirect_uri: String, params: AuthorizeParams) -> Result<Checked, Step> {
    let fail = |error: &'static str, description: &str| Step::Fail {
        error,
        description: description.to_owned(),
    };
    if params.response_type.as_deref() != Some("code") {
        return Err(fail(
            "unsupported_response_type",
            "Only the authorization code flow (response_type=code) is offered.",
        ));
    }
    let challenge = params.code_challenge.as_deref().unwrap_or_default();
    let challenge_ok = challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if params.code_challenge_method.as_deref() != Some("S256") || !challenge_ok {
        return Err(fail(
            "invalid_request",
            "PKCE is required: code_challenge with code_challenge_method=S256.",
        ));
    }
    if params.state.as_deref().is_some_and(|s| s.len() > 500) || params.nonce.as_deref().is_some_and(|s| s.len() > 500)
    {
        return Err(fail("invalid_request", "state and nonce are at most 500 characters."));
    }
    if let Some(p) = params.prompt.as_deref() {
        if p.split(' ').any(|v| !matches!(v, "none" | "login" | "consent")) || (p.contains("none") && p != "none") {
            return Err(fail(
                "invalid_request",
                "prompt is none, login or consent (none alone).",
            ));
        }
    }
    if params.max_age.as_deref().is_some_and(|m| m.parse::<u32>().is_err()) {
        return Err(fail("invalid_request", "max_age is a number of seconds."));
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in params
        .scope
        .as_deref()
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
    {
        if !client.allowed_scopes.iter().any(|a| a == s) {
            return Err(Step::Fail {
                error: "invalid_scope",
                description: format!("This application may not ask for {s:?}."),
            });
        }
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_owned());
        }
    }
    if !scopes.iter().any(|s| s == "openid") {
        return Err(fail("invalid_scope", "scope must include openid."));
    }
    Ok(Checked {
        client,
        redirect_uri,
        scopes,
        params,
    })
}

/// The signed-in person, as the authorization endpoint needs them.
#[derive(Debug, Clone, Copy)]
pub struct Signed {
    pub account_id: Uuid,
    pub session_id: Uuid,
    pub authenticated_at: Option<DateTime<Utc>>,
}

/// What to do with a checked request for `signed` (if signed in), who `consented` already.
pub fn next(checked: &Checked, signed: Option<Signed>, consented: bool, now: DateTime<Utc>) -> Step {
    let prompt = checked.params.prompt.as_deref().unwrap_or_default();
    let none = prompt == "none";
    let Some(signed) = signed else {
        return if none {
            Step::Fail {
                error: "login_required",
                description: "Not signed in to Profiles.".into(),
            }
        } else {
            Step::SignIn { fresh: false }
        };
    };
    let too_old = checked
        .params
        .max_age
        .as_deref()
        .and_then(|m| m.parse::<i64>().ok())
        .is_some_and(|max| signed.authenticated_at.is_none_or(|at| (now - at).num_seconds() > max));
    if prompt.split(' ').any(|p| p == "login") || too_old {
        return if none {
            Step::Fail {
                error: "login_required",
                description: "The sign-in is older than max_age.".into(),
            }
        } else {
            Step::SignIn { fresh: true }
        };
    }
    let decided = checked.params.decision.as_deref();
    let asks = !checked.client.first_party
        && (!consented || prompt.split(' ').any(|p| p == "consent"))
        && decided != Some("allow");
    if decided == Some("deny") {
        return Step::Fail {
            error: "access_denied",
            description: "You did not allow it.".into(),
        };
    }
    if asks {
        return if none {
            Step::Fail {
                error: "consent_required",
                description: "The person has not agreed to share this with the application.".into(),
            }
        } else {
            Step::Consent
        };
    }
    Step::Issue(Box::new(CodeRequest {
        client_id: checked.client.id.clone(),
        account_id: signed.account_id,
        session_id: Some(signed.session_id),
        redirect_uri: checked.redirect_uri.clone(),
        scopes: checked.scopes.clone(),
        nonce: checked.params.nonce.clone(),
        code_challenge: checked.params.code_challenge.clone().unwrap_or_default(),
        auth_time: signed.authenticated_at,
    }))
}

/// `redirect_uri` with `pairs` added to its query.
pub fn back_to(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => redirect_uri.to_owned(),
    }
}

/// The same request as a query string, without `prompt` and `max_age` when `fresh` (a fresh
/// sign-in coming back must not be asked for again) and without the consent answer.
pub fn query_of(params: &AuthorizeParams, fresh: bool) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("response_type", &params.response_type),
        ("client_id", &params.client_id),
        ("redirect_uri", &params.redirect_uri),
        ("scope", &params.scope),
        ("state", &params.state),
        ("nonce", &params.nonce),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
    ] {
        if let Some(v) = v {
            q.append_pair(k, v);
        }
    }
    if !fresh {
        for (k, v) in [("max_age", &params.max_age), ("prompt", &params.prompt)] {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
    }
    q.finish()
}

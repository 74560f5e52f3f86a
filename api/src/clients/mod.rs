//! Profiles as an OpenID Provider: the client applications that sign their users in through us.
//!
//! Staff register clients (`register`); each has exact redirect URIs, the scopes it may ask for,
//! and is confidential (a secret, shown once, stored as its SHA-256) or public (PKCE alone).
//! First-party clients skip the consent page. `tokens` keeps codes, consents and token families;
//! `oidc` mints and checks the tokens and says what each scope reveals.

pub mod authorize;
pub mod oidc;
pub mod pages;
pub mod tokens;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::crypto::{constant_time_eq, random_token, sha256};
use crate::db::schema::oauth_clients;
use crate::error::{ApiError, ErrorCode};

/// The scopes a client may be allowed, and what each gives it.
pub const SCOPES: &[(&str, &str)] = &[
    ("openid", "Know that it is you (a stable identifier for your account)"),
    ("profile", "Your name"),
    ("email", "Your email address"),
    ("orcid", "Your ORCID iD"),
    (
        "datacite",
        "What DataCite's services read: your ORCID iD, your role, whether you test new features, and whether Profiles holds an ORCID token for you",
    ),
    ("offline_access", "Keep access while you are signed out of Profiles (until you revoke it, or 30 days unused)"),
];

/// A registered client application.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = oauth_clients)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub secret_hash: Option<Vec<u8>>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub allowed_scopes: Vec<String>,
    pub first_party: bool,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl Client {
    pub fn confidential(&self) -> bool {
        self.secret_hash.is_some()
    }

    /// Whether `secret` is this client's (constant time); a public client has none to present.
    pub fn secret_matches(&self, secret: &str) -> bool {
        self.secret_hash
            .as_deref()
            .is_some_and(|h| constant_time_eq(h, &sha256(secret.as_bytes())))
    }
}

/// A client as staff see it (never its secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientView {
    pub client_id: String,
    pub name: String,
    /// `confidential` (a secret) or `public` (PKCE alone, e.g. a single-page app).
    #[schema(pattern = "^(confidential|public)$")]
    pub kind: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub allowed_scopes: Vec<String>,
    /// Signs people in without a consent page.
    pub first_party: bool,
    pub created_at: DateTime<Utc>,
}

impl From<Client> for ClientView {
    fn from(c: Client) -> Self {
        Self {
            kind: if c.confidential() { "confidential" } else { "public" }.into(),
            client_id: c.id,
            name: c.name,
            redirect_uris: c.redirect_uris,
            post_logout_redirect_uris: c.post_logout_redirect_uris,
            backchannel_logout_uri: c.backchannel_logout_uri,
            allowed_scopes: c.allowed_scopes,
            first_party: c.first_party,
            created_at: c.created_at,
        }
    }
}

/// What staff register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// Shown to people on the consent page and in "Apps with access" (1–100 characters).
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Exact redirect URIs (1–10): `https://…`, or `http://localhost`/`http://127.0.0.1` for
    /// development; no fragment.
    #[schema(min_items = 1, max_items = 10)]
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may send people back to (same rules).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Back-channel logout: we POST a `logout_token` here when a session that signed in to the
    /// client ends (sign-out, revocation, account deletion).
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    /// The scopes it may ask for (default `openid profile`); `openid` is always included.
    #[serde(default)]
    pub allowed_scopes: Vec<String>,
    /// `false` (default): confidential, with a secret. `true`: public (PKCE alone).
    #[serde(default)]
    pub public: bool,
    /// `true`: no consent page (for DataCite's own services).
    #[serde(default)]
    pub first_party: bool,
}

/// Checks a redirect or logout URI: absolute, no fragment, `https` (or loopback `http`).
fn check_uri(uri: &str, field: &'static str) -> Result<String, ApiError> {
    let bad = |why: &str| {
        ApiError::new(ErrorCode::InvalidParameter, format!("{field}: {uri:?} {why}.")).with_field(field, why)
    };
    let parsed = url::Url::parse(uri).map_err(|_| bad("is not an absolute URL"))?;
    if parsed.fragment().is_some() {
        return Err(bad("must not have a fragment"));
    }
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(bad("must be https (http only for localhost)")),
    }
    if uri.len() > 500 {
        return Err(bad("is longer than 500 characters"));
    }
    Ok(uri.to_owned())
}

/// Registers a client; returns it with its secret (confidential clients), shown only now.
pub fn register(
    conn: &mut PgConnection,
    new: &NewClient,
    by: Option<Uuid>,
) -> Result<(Client, Option<String>), ApiError> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(
            ApiError::new(ErrorCode::InvalidParameter, "name is 1–100 characters.").with_field("name", "length")
        );
    }
    if new.redirect_uris.is_empty() || new.redirect_uris.len() > 10 || new.post_logout_redirect_uris.len() > 10 {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "Give 1–10 redirect URIs (and at most 10 logout URIs).",
        )
        .with_field("redirect_uris", "count"));
    }
    let redirects = new
        .redirect_uris
        .iter()
        .map(|u| check_uri(u, "redirect_uris"))
        .collect::<Result<Vec<_>, _>>()?;
    let logouts = new
        .post_logout_redirect_uris
        .iter()
        .map(|u| check_uri(u, "post_logout_redirect_uris"))
        .collect::<Result<Vec<_>, _>>()?;
    let backchannel = new
        .backchannel_logout_uri
        .as_deref()
        .map(|u| check_uri(u, "backchannel_logout_uri"))
        .transpose()?;
    let mut scopes: Vec<String> = vec!["openid".into()];
    let asked = if new.allowed_scopes.is_empty() {
        vec!["profile".to_owned()]
    } else {
        new.allowed_scopes.clone()
    };
    for s in asked {
        if !SCOPES.iter().any(|(k, _)| *k == s) {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!(
                    "Unknown scope {s:?}; the scopes are {}.",
                    SCOPES.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                ),
            )
            .with_field("allowed_scopes", "unknown scope"));
        }
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    // DataCite's claims (role, uid) are read by DataCite's own services: first-party clients only.
    if scopes.iter().any(|s| s == "datacite") && !new.first_party {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "The datacite scope is for DataCite's own services: register the client as first-party, or leave the scope out.",
        )
        .with_field("allowed_scopes", "datacite needs first_party"));
    }
    let id = format!("pc_{}", random_token(18));
    let secret = (!new.public).then(|| format!("pcs_{}", random_token(32)));
    let client = diesel::insert_into(oauth_clients::table)
        .values((
            oauth_clients::id.eq(&id),
            oauth_clients::name.eq(name),
            oauth_clients::secret_hash.eq(secret.as_ref().map(|s| sha256(s.as_bytes()))),
            oauth_clients::redirect_uris.eq(&redirects),
            oauth_clients::post_logout_redirect_uris.eq(&logouts),
            oauth_clients::backchannel_logout_uri.eq(&backchannel),
            oauth_clients::allowed_scopes.eq(&scopes),
            oauth_clients::first_party.eq(new.first_party),
            oauth_clients::created_by.eq(by),
        ))
        .returning(Client::as_returning())
        .get_result(conn)?;
    Ok((client, secret))
}

/// An enabled client.
pub fn find(conn: &mut PgConnection, id: &str) -> QueryResult<Option<Client>> {
    oauth_clients::table
        .find(id)
        .filter(oauth_clients::disabled_at.is_null())
        .select(Client::as_select())
        .first(conn)
        .optional()
}

/// Every enabled client, oldest first.
pub fn list(conn: &mut PgConnection) -> QueryResult<Vec<Client>> {
    oauth_clients::table
        .filter(oauth_clients::disabled_at.is_null())
        .order(oauth_clients::created_at)
        .select(Client::as_select())
        .load(conn)
}

/// Removes a client: it signs nobody in any more and its tokens stop working.
pub fn remove(conn: &mut PgConnection, id: &str, now: DateTime<Utc>) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let n = diesel::update(
            oauth_clients::table
                .find(id)
                .filter(oauth_clients::disabled_at.is_null()),
        )
        .set(oauth_clients::disabled_at.eq(now))
        .execute(conn)?;
        tokens::revoke_client(conn, id, now)?;
        Ok(n > 0)
    })
}

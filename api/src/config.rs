//! Configuration, read once from environment variables.
//!
//! Every variable is documented in `.env.example` and the README. Secrets are wrapped in
//! [`Secret`], whose `Debug` never shows the value, so a config dump is safe to log.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use base64::Engine;

/// A value that must never be printed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }
    /// The secret itself. Call sites are easy to grep for.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

/// Where environment values come from; tests pass a map instead of touching the process env.
pub trait Env {
    fn get(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Env for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        self.get(name).cloned().filter(|v| !v.trim().is_empty())
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    /// The origin browsers use to reach us; OAuth callbacks and cookies derive from it.
    pub public_url: url::Url,
    pub database_url: Option<Secret<String>>,
    pub database_pool_size: u32,
    pub database_connect_timeout: Duration,
    pub log_format: LogFormat,
    /// 32-byte key for AES-256-GCM encryption of provider tokens and signing keys.
    pub encryption_key: Option<Secret<[u8; 32]>>,
    /// Keys `ENCRYPTION_KEY` replaces, still read until `profiles keys reencrypt` has run.
    pub encryption_key_previous: Vec<Secret<[u8; 32]>>,
    /// At least 64 bytes; signs and encrypts the session cookie.
    pub session_secret: Option<Secret<Vec<u8>>>,
    pub web_ui_dir: std::path::PathBuf,
    pub run_migrations: bool,
    pub run_worker: bool,
    pub max_body_bytes: usize,
    pub shutdown_timeout: Duration,
    pub orcid: Option<OrcidConfig>,
    pub google: Option<OidcProviderConfig>,
    pub github: Option<GithubConfig>,
    /// Base URL of the DataCite REST API.
    pub datacite_api_url: url::Url,
    /// DataCite Commons (or Search), for "Your DOIs in DataCite Search".
    pub datacite_search_url: url::Url,
    pub jwt: JwtConfig,
    pub session_ttl: Duration,
    /// Also write DataCite's `_datacite` SSO cookie, on this domain.
    pub datacite_cookie_domain: Option<String>,
    pub claims: ClaimsConfig,
    pub worker: WorkerConfig,
    /// DataCite's RS256 public key (PEM): its JWTs are then accepted on the compatibility routes.
    pub datacite_jwt_public_key: Option<String>,
    /// The `uid`s of DataCite's services (lupo, levriero …) whose staff-admin JWTs act on
    /// DataCite's behalf on the compatibility routes. Never an ORCID iD.
    pub datacite_service_uids: Vec<String>,
    /// The oldest DataCite JWT accepted (by `iat`), and the furthest `exp` (DataCite's own
    /// tokens live 30 days).
    pub datacite_jwt_max_age: Duration,
    pub security: SecurityConfig,
    pub metrics: MetricsConfig,
}

/// Who may scrape `/metrics`. Closed unless one of the two is set.
#[derive(Debug, Clone, Default)]
pub struct MetricsConfig {
    /// A bearer token a scraper presents (`Authorization: Bearer …`), from anywhere.
    pub token: Option<Secret<String>>,
    /// Client addresses (after `TRUSTED_PROXIES`) that may scrape without the token.
    pub allowed_networks: Vec<ipnet::IpNet>,
}

impl MetricsConfig {
    pub fn enabled(&self) -> bool {
        self.token.is_some() || !self.allowed_networks.is_empty()
    }
}

/// Re-authentication, proxies and rate limits.
#[derive(Debug, Clone)]
pub struct SecurityConfig {
    /// Guarded actions (API tokens, linking, ORCID permissions, deletion, roles) need a sign-in
    /// this recent.
    pub reauth_max_age: Duration,
    /// Peers whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (a load balancer).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub rate_limits: RateLimits,
}

/// Limits per fixed window, shared by every process through PostgreSQL. Zero turns one off.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Sign-in, link and grant flows started per client IP per minute.
    pub flow_starts_per_minute: u32,
    /// JWTs and API tokens minted per account per hour.
    pub tokens_per_hour: u32,
    /// Claims created per account per hour (DataCite's services are not limited).
    pub claims_per_hour: u32,
}

/// How claims are pushed to ORCID.
#[derive(Debug, Clone)]
pub struct ClaimsConfig {
    /// ORCID's published limit for the Member API, summed over every worker process.
    pub orcid_rate_per_sec: f64,
    pub orcid_rate_burst: f64,
    /// Attempts before a claim is `failed` (transient errors are retried with backoff).
    pub max_attempts: i32,
    /// DOI prefixes Auto-Update never pushes (DataCite's EXCLUDE_PREFIXES_FROM_ORCID_CLAIMING).
    pub excluded_prefixes: Vec<String>,
    /// How often the DataCite poller looks for updated DOIs; `None` turns it off.
    pub poll_interval: Option<Duration>,
    /// Timeout for one call to ORCID or DataCite.
    pub upstream_timeout: Duration,
    /// How often each person's ORCID record is read and compared with their claims
    /// (`RECONCILE_INTERVAL_HOURS`, 24); `None` turns the schedule off (sign-in, the person's
    /// "Check my ORCID record" and ORCID's 404s still read it).
    pub reconcile_interval: Option<Duration>,
    /// ORCID inbox permission notifications, and the life of claims that wait for a permission.
    pub notifications: NotificationsConfig,
}

/// Permission notifications to the ORCID inboxes of people a DOI names who have not granted
/// Auto-Update, and how long their claims wait.
#[derive(Debug, Clone)]
pub struct NotificationsConfig {
    /// `ORCID_NOTIFICATIONS=on` (off by default): needs an ORCID member client allowed the
    /// `/premium-notification` scope.
    pub enabled: bool,
    /// At most one notification per person per this period (`NOTIFICATION_INTERVAL_DAYS`, 30).
    pub interval: Duration,
    /// How often waiting claims are gathered into notifications and expired
    /// (`NOTIFICATION_SWEEP_SECS`, 600): the DOIs that arrive in between go out together.
    pub sweep: Duration,
    /// Auto-Update claims for people who never grant are set aside after this long
    /// (`WAITING_CLAIM_EXPIRY_DAYS`, 180; 0 keeps them).
    pub waiting_expiry: Option<Duration>,
    /// At most this many Auto-Update claims wait per person (`WAITING_CLAIMS_PER_PERSON`, 500);
    /// beyond it new DOIs are not stored (the back-fill finds them when the person grants).
    pub waiting_cap: i64,
}

/// The background worker in this process.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// How long a worker owns a job before another may take it over.
    pub lease: Duration,
    /// Jobs run at once by one process.
    pub concurrency: i64,
    pub poll_interval: Duration,
    /// `profiles worker` only: a port (on `HOST`) serving `/metrics`, `/readyz` and `/heartbeat`
    /// for this process (`WORKER_METRICS_PORT`); none by default.
    pub metrics_port: Option<u16>,
}

/// ORCID: sign-in (OpenID Connect) and the Member API.
#[derive(Debug, Clone)]
pub struct OrcidConfig {
    pub client_id: String,
    pub client_secret: Secret<String>,
    /// `https://orcid.org` or `https://sandbox.orcid.org`: the issuer and OAuth host.
    pub url: url::Url,
    /// `https://api.orcid.org` (Member API).
    pub api_url: url::Url,
    pub sandbox: bool,
}

#[derive(Debug, Clone)]
pub struct OidcProviderConfig {
    pub client_id: String,
    pub client_secret: Secret<String>,
    pub issuer_url: url::Url,
}

#[derive(Debug, Clone)]
pub struct GithubConfig {
    pub client_id: String,
    pub client_secret: Secret<String>,
    /// `https://github.com` (authorize, access_token).
    pub url: url::Url,
    /// `https://api.github.com` (user, revocation).
    pub api_url: url::Url,
}

#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub issuer: String,
    pub audience: String,
    pub ttl: Duration,
    /// Our OpenID Provider's access tokens (`OIDC_ACCESS_TOKEN_TTL_SECS`, 900: kanidm's 15
    /// minutes) and refresh tokens, sliding (`OIDC_REFRESH_TOKEN_TTL_DAYS`, 30).
    pub oidc_access_ttl: Duration,
    pub oidc_refresh_ttl: Duration,
}

impl Config {
    /// Where people's ORCID records are: the configured `ORCID_URL` (orcid.org, the sandbox, or
    /// a stand-in), without a trailing slash; orcid.org when ORCID is not configured.
    pub fn orcid_site(&self) -> String {
        self.orcid.as_ref().map_or_else(
            || "https://orcid.org".to_owned(),
            |o| o.url.as_str().trim_end_matches('/').to_owned(),
        )
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from(&ProcessEnv)
    }

    pub fn from(env: &dyn Env) -> Result<Self, ConfigError> {
        let host = env.get("HOST").unwrap_or_else(|| "127.0.0.1".into());
        host.parse::<IpAddr>().map_err(|_| ConfigError {
            name: "HOST",
            message: format!("{host:?} is not an IP address"),
        })?;
        let port = parse(env, "PORT", 8080u16)?;
        let default_public = format!("http://{}:{port}", display_host(&host));
        let public_url = env.get("PUBLIC_URL").unwrap_or(default_public);
        let public_url = url::Url::parse(public_url.trim_end_matches('/')).map_err(|e| ConfigError {
            name: "PUBLIC_URL",
            message: e.to_string(),
        })?;
        let log_format = match env.get("LOG_FORMAT").as_deref() {
            None | Some("human") | Some("text") => LogFormat::Human,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    name: "LOG_FORMAT",
                    message: format!("{other:?} is not one of human, json"),
                })
            }
        };
        let encryption_key = match env.get("ENCRYPTION_KEY") {
            None => None,
            Some(v) => {
                let bytes = decode_key(&v).ok_or(ConfigError {
                    name: "ENCRYPTION_KEY",
                    message: "must be 32 bytes, base64 or hex encoded".into(),
                })?;
                let key: [u8; 32] = bytes.try_into().map_err(|_| ConfigError {
                    name: "ENCRYPTION_KEY",
                    message: "must be exactly 32 bytes".into(),
                })?;
                Some(Secret::new(key))
            }
        };
        let encryption_key_previous = env
            .get("ENCRYPTION_KEY_PREVIOUS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| {
                decode_key(v)
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .map(Secret::new)
                    .ok_or(ConfigError {
                        name: "ENCRYPTION_KEY_PREVIOUS",
                        message: "each key must be 32 bytes, base64 or hex encoded, comma-separated".into(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !encryption_key_previous.is_empty() && encryption_key.is_none() {
            return Err(ConfigError {
                name: "ENCRYPTION_KEY_PREVIOUS",
                message: "is set without ENCRYPTION_KEY (the key that replaces them)".into(),
            });
        }
        let session_secret = match env.get("SESSION_SECRET") {
            None => None,
            Some(v) => {
                let bytes = decode_key(&v).ok_or(ConfigError {
                    name: "SESSION_SECRET",
                    message: "must be base64 or hex encoded".into(),
                })?;
                if bytes.len() < 64 {
                    return Err(ConfigError {
                        name: "SESSION_SECRET",
                        message: "must be at least 64 bytes".into(),
                    });
                }
                Some(Secret::new(bytes))
            }
        };
        let sandbox = parse_bool(env, "ORCID_SANDBOX", false)?;
        let orcid = match (env.get("ORCID_CLIENT_ID"), env.get("ORCID_CLIENT_SECRET")) {
            (Some(client_id), Some(secret)) => {
                let (default_url, default_api) = if sandbox {
                    ("https://sandbox.orcid.org", "https://api.sandbox.orcid.org")
                } else {
                    ("https://orcid.org", "https://api.orcid.org")
                };
                Some(OrcidConfig {
                    client_id,
                    client_secret: Secret::new(secret),
                    url: parse_url(env, "ORCID_URL", default_url)?,
                    api_url: parse_url(env, "ORCID_API_URL", default_api)?,
                    sandbox,
                })
            }
            _ => None,
        };
        let google = match (env.get("GOOGLE_CLIENT_ID"), env.get("GOOGLE_CLIENT_SECRET")) {
            (Some(client_id), Some(secret)) => Some(OidcProviderConfig {
                client_id,
                client_secret: Secret::new(secret),
                issuer_url: parse_url(env, "GOOGLE_ISSUER_URL", "https://accounts.google.com")?,
            }),
            _ => None,
        };
        let github = match (env.get("GITHUB_CLIENT_ID"), env.get("GITHUB_CLIENT_SECRET")) {
            (Some(client_id), Some(secret)) => Some(GithubConfig {
                client_id,
                client_secret: Secret::new(secret),
                url: parse_url(env, "GITHUB_URL", "https://github.com")?,
                api_url: parse_url(env, "GITHUB_API_URL", "https://api.github.com")?,
            }),
            _ => None,
        };
        let issuer = env.get("JWT_ISSUER").unwrap_or_else(|| origin(&public_url));
        let jwt = JwtConfig {
            audience: env.get("JWT_AUDIENCE").unwrap_or_else(|| issuer.clone()),
            issuer,
            ttl: Duration::from_secs(parse(env, "JWT_TTL_SECS", 3600u64)?.max(1)),
            oidc_access_ttl: Duration::from_secs(parse(env, "OIDC_ACCESS_TOKEN_TTL_SECS", 900u64)?.clamp(60, 86_400)),
            oidc_refresh_ttl: Duration::from_secs(
                parse(env, "OIDC_REFRESH_TOKEN_TTL_DAYS", 30u64)?.clamp(1, 365) * 86_400,
            ),
        };
        let excluded_prefixes = env
            .get("AUTO_UPDATE_EXCLUDED_PREFIXES")
            .or_else(|| env.get("EXCLUDE_PREFIXES_FROM_ORCID_CLAIMING"))
            .unwrap_or_default()
            .split([',', ' '])
            .map(|p| p.trim().to_ascii_lowercase())
            .filter(|p| !p.is_empty())
            .collect();
        let poll_secs = parse(env, "AUTO_UPDATE_POLL_SECS", 900u64)?;
        let reconcile_hours = parse(env, "RECONCILE_INTERVAL_HOURS", 24u64)?;
        let expiry_days = parse(env, "WAITING_CLAIM_EXPIRY_DAYS", 180u64)?;
        let notifications = parse_bool(env, "ORCID_NOTIFICATIONS", false)?;
        if notifications && orcid.is_none() {
            return Err(ConfigError {
                name: "ORCID_NOTIFICATIONS",
                message: "ORCID inbox notifications need ORCID_CLIENT_ID and ORCID_CLIENT_SECRET (a member client allowed /premium-notification)".into(),
            });
        }
        let claims = ClaimsConfig {
            orcid_rate_per_sec: positive(env, "ORCID_RATE_LIMIT_PER_SEC", 24.0)?,
            orcid_rate_burst: positive(env, "ORCID_RATE_LIMIT_BURST", 40.0)?,
            max_attempts: parse(env, "CLAIM_MAX_ATTEMPTS", 12i32)?.max(1),
            excluded_prefixes,
            poll_interval: (poll_secs > 0).then(|| Duration::from_secs(poll_secs)),
            upstream_timeout: Duration::from_secs(parse(env, "UPSTREAM_TIMEOUT_SECS", 20u64)?.max(1)),
            reconcile_interval: (reconcile_hours > 0).then(|| Duration::from_secs(reconcile_hours * 3600)),
            notifications: NotificationsConfig {
                enabled: notifications,
                interval: Duration::from_secs(parse(env, "NOTIFICATION_INTERVAL_DAYS", 30u64)?.max(1) * 86_400),
                sweep: Duration::from_secs(parse(env, "NOTIFICATION_SWEEP_SECS", 600u64)?.max(1)),
                waiting_expiry: (expiry_days > 0).then(|| Duration::from_secs(expiry_days * 86_400)),
                waiting_cap: parse(env, "WAITING_CLAIMS_PER_PERSON", 500i64)?.max(1),
            },
        };
        let worker = WorkerConfig {
            lease: Duration::from_secs(parse(env, "WORKER_LEASE_SECS", 120u64)?.max(1)),
            concurrency: parse(env, "WORKER_CONCURRENCY", 8i64)?.clamp(1, 256),
            poll_interval: Duration::from_millis(parse(env, "WORKER_POLL_MS", 500u64)?.max(10)),
            metrics_port: env
                .get("WORKER_METRICS_PORT")
                .map(|v| {
                    v.trim().parse::<u16>().map_err(|_| ConfigError {
                        name: "WORKER_METRICS_PORT",
                        message: format!("{v:?} is not a port"),
                    })
                })
                .transpose()?,
        };
        let datacite_service_uids: Vec<String> = env
            .get("DATACITE_SERVICE_UIDS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(person) = datacite_service_uids
            .iter()
            .find(|uid| crate::domain::OrcidId::parse(uid).is_ok())
        {
            return Err(ConfigError {
                name: "DATACITE_SERVICE_UIDS",
                message: format!("{person:?} is an ORCID iD; list only DataCite's services, such as datacite.lupo"),
            });
        }
        let trusted_proxies = networks(env, "TRUSTED_PROXIES")?;
        let metrics_token = env.get("METRICS_TOKEN").map(Secret::new);
        if metrics_token.as_ref().is_some_and(|t| t.expose().len() < 32) {
            return Err(ConfigError {
                name: "METRICS_TOKEN",
                message: "must be at least 32 characters (e.g. openssl rand -hex 32)".into(),
            });
        }
        let metrics = MetricsConfig {
            token: metrics_token,
            allowed_networks: networks(env, "METRICS_ALLOWED_NETWORKS")?,
        };
        let security = SecurityConfig {
            reauth_max_age: Duration::from_secs(parse(env, "REAUTH_MAX_AGE_MINUTES", 10u64)?.max(1) * 60),
            trusted_proxies,
            rate_limits: RateLimits {
                flow_starts_per_minute: parse(env, "RATE_LIMIT_FLOW_STARTS_PER_MINUTE", 60u32)?,
                tokens_per_hour: parse(env, "RATE_LIMIT_TOKENS_PER_HOUR", 60u32)?,
                claims_per_hour: parse(env, "RATE_LIMIT_CLAIMS_PER_HOUR", 1000u32)?,
            },
        };
        Ok(Self {
            datacite_jwt_public_key: env.get("DATACITE_JWT_PUBLIC_KEY").map(|k| k.replace("\\n", "\n")),
            datacite_service_uids,
            datacite_jwt_max_age: Duration::from_secs(parse(env, "DATACITE_JWT_MAX_AGE_DAYS", 31u64)?.max(1) * 86_400),
            security,
            metrics,
            claims,
            worker,
            orcid,
            google,
            github,
            datacite_api_url: parse_url(env, "DATACITE_API_URL", "https://api.datacite.org")?,
            datacite_search_url: parse_url(env, "DATACITE_SEARCH_URL", "https://commons.datacite.org")?,
            jwt,
            session_ttl: Duration::from_secs(parse(env, "SESSION_TTL_HOURS", 336u64)?.max(1) * 3600),
            datacite_cookie_domain: env.get("DATACITE_COOKIE_DOMAIN"),
            host,
            port,
            public_url,
            database_url: env.get("DATABASE_URL").map(Secret::new),
            database_pool_size: parse(env, "DATABASE_POOL_SIZE", 10u32)?.max(1),
            database_connect_timeout: Duration::from_secs(parse(env, "DATABASE_CONNECT_TIMEOUT_SECS", 5u64)?.max(1)),
            log_format,
            encryption_key,
            encryption_key_previous,
            session_secret,
            web_ui_dir: env.get("WEB_UI_DIR").unwrap_or_else(|| "web-ui/dist".into()).into(),
            run_migrations: parse_bool(env, "RUN_MIGRATIONS", true)?,
            run_worker: parse_bool(env, "RUN_WORKER", true)?,
            max_body_bytes: parse(env, "MAX_BODY_BYTES", 256 * 1024usize)?,
            shutdown_timeout: Duration::from_secs(parse(env, "SHUTDOWN_TIMEOUT_SECS", 30u64)?),
        })
    }

    /// What seals and opens stored secrets: `ENCRYPTION_KEY`, opening `ENCRYPTION_KEY_PREVIOUS` too.
    pub fn cipher(&self) -> Option<crate::crypto::Cipher> {
        self.encryption_key.as_ref().map(|k| {
            crate::crypto::Cipher::new(k.expose())
                .with_previous(self.encryption_key_previous.iter().map(Secret::expose))
        })
    }

    /// The name a cookie of ours carries: with the `__Host-` prefix when we are served over https,
    /// so that no sibling subdomain or plain-http page can set or shadow it (browsers then insist
    /// on `Secure`, `Path=/` and no `Domain`).
    pub fn cookie_name(&self, base: &str) -> String {
        if self.public_url.scheme() == "https" {
            format!("__Host-{base}")
        } else {
            base.to_owned()
        }
    }

    /// Cookies may drop `Secure` only when browsers reach us over plain http on loopback.
    pub fn cookies_secure(&self) -> bool {
        !(self.public_url.scheme() == "http" && is_loopback_host(self.public_url.host_str().unwrap_or("")))
    }
}

/// `scheme://host[:port]` with no trailing slash.
pub fn origin(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}

/// A comma-separated list of IP addresses and CIDR ranges.
fn networks(env: &dyn Env, name: &'static str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    env.get(name)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError {
                    name,
                    message: format!("{s:?} is not an IP address or a CIDR range"),
                })
        })
        .collect()
}

fn parse_url(env: &dyn Env, name: &'static str, default: &str) -> Result<url::Url, ConfigError> {
    let value = env.get(name).unwrap_or_else(|| default.to_owned());
    url::Url::parse(value.trim_end_matches('/')).map_err(|e| ConfigError {
        name,
        message: format!("{value:?}: {e}"),
    })
}

fn display_host(host: &str) -> String {
    match host {
        "0.0.0.0" | "::" => "127.0.0.1".into(),
        h if h.contains(':') => format!("[{h}]"),
        h => h.into(),
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// Accepts standard or URL-safe base64 (padded or not) or hex.
pub fn decode_key(value: &str) -> Option<Vec<u8>> {
    let v = value.trim();
    if v.len().is_multiple_of(2) && v.chars().all(|c| c.is_ascii_hexdigit()) {
        return hex::decode(v).ok();
    }
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(v).ok())
}

fn parse<T: std::str::FromStr>(env: &dyn Env, name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    match env.get(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|e: T::Err| ConfigError {
            name,
            message: format!("{v:?}: {e}"),
        }),
    }
}

fn positive(env: &dyn Env, name: &'static str, default: f64) -> Result<f64, ConfigError> {
    let value = parse(env, name, default)?;
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(ConfigError {
            name,
            message: format!("{value} must be a positive number"),
        })
    }
}

fn parse_bool(env: &dyn Env, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match env.get(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
        Some(v) => Err(ConfigError {
            name,
            message: format!("{v:?} is not a boolean (true/false)"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_work_on_a_laptop() {
        let c = Config::from(&env(&[])).unwrap();
        assert_eq!(c.port, 8080);
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:8080/");
        assert!(!c.cookies_secure());
        assert!(c.run_migrations && c.run_worker);
    }

    #[test]
    fn secrets_never_print() {
        let key = "00".repeat(32);
        let c = Config::from(&env(&[
            ("ENCRYPTION_KEY", &key),
            ("DATABASE_URL", "postgres://u:hunter2@h/db"),
        ]))
        .unwrap();
        let dump = format!("{c:?}");
        assert!(!dump.contains("hunter2"), "{dump}");
        assert!(dump.contains("[redacted]"));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = Config::from(&env(&[("PORT", "eighty")])).unwrap_err();
        assert_eq!(err.name, "PORT");
        let err = Config::from(&env(&[("ENCRYPTION_KEY", "c2hvcnQ=")])).unwrap_err();
        assert_eq!(err.name, "ENCRYPTION_KEY");
        let err = Config::from(&env(&[("SESSION_SECRET", &"ab".repeat(10))])).unwrap_err();
        assert_eq!(err.name, "SESSION_SECRET");
    }

    #[test]
    fn https_public_url_means_secure_cookies() {
        let c = Config::from(&env(&[("PUBLIC_URL", "https://profiles.example.org")])).unwrap();
        assert!(c.cookies_secure());
    }
}

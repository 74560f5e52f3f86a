//! The keys that sign our JWTs, and the JWTs themselves.
//!
//! Private keys live in `signing_keys`, sealed with `ENCRYPTION_KEY`; their public halves are
//! published at `/.well-known/jwks.json`. Several keys can be active at once so keys rotate
//! without breaking tokens in flight: `profiles keys rotate` adds a new signing key, and
//! `profiles keys retire <kid>` withdraws an old one once its tokens have expired.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;
use utoipa::ToSchema;

use crate::clock::Clock;
use crate::config::JwtConfig;
use crate::crypto::Cipher;
use crate::db::schema::signing_keys;
use crate::error::ErrorCode;

/// Claims of the access tokens we issue: standard ones plus DataCite's names, so DataCite's
/// services can read them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The ORCID iD.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The ORCID iD again, under DataCite's name.
    pub uid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub role_id: String,
    pub beta_tester: bool,
    pub has_orcid_token: bool,
    /// The session the token was made from; the token dies with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Made for DataCite's `_datacite` cookie (readable by scripts on DataCite's sites, and as
    /// long-lived as the session): on our own API it only reads claims.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sso: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("ENCRYPTION_KEY is not set; it is needed to keep signing keys")]
    NoEncryptionKey,
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("key: {0}")]
    Key(String),
}

#[derive(Clone)]
struct LoadedKey {
    kid: String,
    created_at: DateTime<Utc>,
    encoding: Option<EncodingKey>,
    decoding: DecodingKey,
    jwk: serde_json::Value,
}

/// Active keys, cached for a minute and reloaded when a token names an unknown `kid`.
#[derive(Clone)]
pub struct KeyStore {
    cipher: Option<Cipher>,
    cache: Arc<RwLock<Cached>>,
    verified: Arc<std::sync::Mutex<HashMap<[u8; 32], Verified>>>,
    clock: Clock,
}

/// An access token this process has verified, by the SHA-256 of its exact text: the same bytes
/// verify the same way until they expire, so a client that sends its token on every request pays
/// for the RSA signature check once. A hit still needs its key to be active, and the caller
/// still checks the account and the session in the database on every request.
#[derive(Clone)]
struct Verified {
    claims: AccessClaims,
    kid: String,
}

/// At most this many verified tokens are remembered; past it, expired ones go, then all.
const VERIFIED_MAX: usize = 10_000;

/// The loaded keys and when they were loaded.
type Cached = (Vec<LoadedKey>, Option<DateTime<Utc>>);

const CACHE_FOR: Duration = Duration::from_secs(60);

impl KeyStore {
    pub fn new(cipher: Option<Cipher>, clock: Clock) -> Self {
        Self {
            cipher,
            clock,
            cache: Arc::new(RwLock::new((Vec::new(), None))),
            verified: Arc::new(std::sync::Mutex::new(HashMap::new())),
        }
    }

    fn load(&self, conn: &mut PgConnection) -> Result<Vec<LoadedKey>, KeyError> {
        let rows: Vec<(String, Vec<u8>, serde_json::Value, DateTime<Utc>)> = signing_keys::table
            .filter(signing_keys::status.eq("active"))
            .order(signing_keys::created_at.desc())
            .select((
                signing_keys::kid,
                signing_keys::private_key_enc,
                signing_keys::public_jwk,
                signing_keys::created_at,
            ))
            .load(conn)?;
        rows.into_iter()
            .map(|(kid, sealed, jwk, created_at)| {
                let n = jwk["n"].as_str().unwrap_or_default();
                let e = jwk["e"].as_str().unwrap_or_default();
                let decoding = DecodingKey::from_rsa_components(n, e).map_err(|e| KeyError::Key(e.to_string()))?;
                // A process without the encryption key can still verify.
                let encoding = match &self.cipher {
                    Some(c) => {
                        let pem = c
                            .open(&sealed, &format!("signing_key:{kid}"))
                            .map_err(|e| KeyError::Key(e.to_string()))?;
                        Some(EncodingKey::from_rsa_pem(&pem).map_err(|e| KeyError::Key(e.to_string()))?)
                    }
                    None => None,
                };
                Ok(LoadedKey {
                    kid,
                    created_at,
                    encoding,
                    decoding,
                    jwk,
                })
            })
            .collect()
    }

    /// Whether `kid` names one of our own signing keys, as the cache knows them (never a forced
    /// reload: anyone can send a token with an unknown `kid`).
    pub async fn is_ours(&self, pool: &crate::db::DbPool, kid: &str) -> bool {
        self.keys(pool, false)
            .await
            .is_ok_and(|keys| keys.iter().any(|k| k.kid == kid))
    }

    async fn keys(&self, pool: &crate::db::DbPool, force: bool) -> Result<Vec<LoadedKey>, KeyError> {
        {
            let cache = self.cache.read().await;
            if let (false, Some(at)) = (force, cache.1) {
                if self.age(at) < CACHE_FOR {
                    return Ok(cache.0.clone());
                }
            }
        }
        let mut cache = self.cache.write().await;
        // Even a forced reload waits a second between database reads, so a flood of tokens
        // with made-up kids cannot hammer the database.
        if let Some(at) = cache.1 {
            let age = self.age(at);
            if age < Duration::from_secs(1) || (!force && age < CACHE_FOR) {
                return Ok(cache.0.clone());
            }
        }
        let pool = pool.clone();
        let store = self.clone();
        let keys = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| KeyError::Key(e.to_string()))?;
            store.load(&mut conn)
        })
        .await
        .map_err(|e| KeyError::Key(e.to_string()))??;
        *cache = (keys.clone(), Some(self.clock.now()));
        Ok(keys)
    }

    /// How long ago `at` was (zero if the clock went back).
    fn age(&self, at: DateTime<Utc>) -> Duration {
        (self.clock.now() - at).to_std().unwrap_or_default()
    }

    /// Creates the first signing key if there is none. Safe to call from many processes.
    pub fn ensure_key(&self, conn: &mut PgConnection) -> Result<(), KeyError> {
        conn.transaction(|conn| {
            diesel::sql_query("SELECT pg_advisory_xact_lock(4242001)").execute(conn)?;
            let active: i64 = signing_keys::table
                .filter(signing_keys::status.eq("active"))
                .count()
                .get_result(conn)?;
            if active == 0 {
                self.create_key(conn)?;
            }
            Ok(())
        })
    }

    /// Adds a new signing key; returns its kid.
    pub fn create_key(&self, conn: &mut PgConnection) -> Result<String, KeyError> {
        let cipher = self.cipher.as_ref().ok_or(KeyError::NoEncryptionKey)?;
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).map_err(|e| KeyError::Key(e.to_string()))?;
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Key(e.to_string()))?;
        let n = URL_SAFE_NO_PAD.encode(key.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        // RFC 7638 thumbprint as the kid: stable and derived from the key itself.
        let thumb = crate::crypto::sha256(format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#).as_bytes());
        let kid = URL_SAFE_NO_PAD.encode(thumb);
        let jwk = serde_json::json!({ "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e });
        diesel::insert_into(signing_keys::table)
            .values((
                signing_keys::kid.eq(&kid),
                signing_keys::private_key_enc.eq(cipher.seal(pem.as_bytes(), &format!("signing_key:{kid}"))),
                signing_keys::public_jwk.eq(&jwk),
            ))
            .execute(conn)?;
        Ok(kid)
    }

    pub fn retire(conn: &mut PgConnection, kid: &str) -> Result<bool, KeyError> {
        let n = diesel::update(signing_keys::table.find(kid).filter(signing_keys::status.eq("active")))
            .set((
                signing_keys::status.eq("retired"),
                signing_keys::retired_at.eq(diesel::dsl::now),
            ))
            .execute(conn)?;
        Ok(n == 1)
    }

    /// Public keys of every active key, newest first.
    pub async fn jwks(&self, pool: &crate::db::DbPool) -> Result<serde_json::Value, KeyError> {
        let keys = self.keys(pool, false).await?;
        Ok(serde_json::json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() }))
    }

    /// Signs `claims` with the newest active key.
    pub async fn sign(&self, pool: &crate::db::DbPool, claims: &AccessClaims) -> Result<String, KeyError> {
        self.sign_typed(pool, claims, None).await
    }

    /// Signs any claims with the newest active key, with `typ` in the header when given (RFC
    /// 9068's `at+jwt` for access tokens, `logout+jwt` for logout tokens).
    pub async fn sign_typed<T: Serialize>(
        &self,
        pool: &crate::db::DbPool,
        claims: &T,
        typ: Option<&str>,
    ) -> Result<String, KeyError> {
        let keys = self.keys(pool, false).await?;
        let (key, encoding) = keys
            .iter()
            .filter_map(|k| k.encoding.as_ref().map(|e| (k, e)))
            .max_by_key(|(k, _)| k.created_at)
            .ok_or_else(|| KeyError::Key("no active signing key".into()))?;
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        if let Some(typ) = typ {
            header.typ = Some(typ.to_owned());
        }
        jsonwebtoken::encode(&header, claims, encoding).map_err(|e| KeyError::Key(e.to_string()))
    }

    /// Verifies a token: RS256 only, a known `kid`, our issuer and audience, not expired.
    pub async fn verify(
        &self,
        pool: &crate::db::DbPool,
        config: &JwtConfig,
        token: &str,
    ) -> Result<AccessClaims, TokenRejection> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(hit) = self.verified_before(&digest, config) {
            if self.is_ours(pool, &hit.kid).await {
                return Ok(hit.claims);
            }
        }
        let (claims, typ) = self.verify_with::<AccessClaims>(pool, token, &validation).await?;
        // Our OpenID Provider's access and logout tokens are for other services.
        if typ.is_some_and(|t| !t.eq_ignore_ascii_case("JWT")) {
            return Err(TokenRejection::Audience);
        }
        if let Some(kid) = jsonwebtoken::decode_header(token).ok().and_then(|h| h.kid) {
            self.remember_verified(
                digest,
                Verified {
                    claims: claims.clone(),
                    kid,
                },
            );
        }
        Ok(claims)
    }

    /// A token verified before with these exact bytes, for this issuer and audience, that has not
    /// expired since.
    fn verified_before(&self, digest: &[u8; 32], config: &JwtConfig) -> Option<Verified> {
        let now = self.clock.now().timestamp();
        let verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        verified
            .get(digest)
            .filter(|v| v.claims.exp > now && v.claims.iss == config.issuer && v.claims.aud == config.audience)
            .cloned()
    }

    fn remember_verified(&self, digest: [u8; 32], entry: Verified) {
        let now = self.clock.now().timestamp();
        let mut verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if verified.len() >= VERIFIED_MAX {
            verified.retain(|_, v| v.claims.exp > now);
            if verified.len() >= VERIFIED_MAX {
                verified.clear();
            }
        }
        verified.insert(digest, entry);
    }

    /// Verifies a token of ours against `validation` (RS256 only, a known `kid`); returns its
    /// claims and the header's `typ`.
    pub async fn verify_with<T: serde::de::DeserializeOwned>(
        &self,
        pool: &crate::db::DbPool,
        token: &str,
        validation: &Validation,
    ) -> Result<(T, Option<String>), TokenRejection> {
        // Read `alg` ourselves first: jsonwebtoken cannot even parse `none`, and that deserves
        // its own clear refusal.
        let raw_header = token.split('.').next().unwrap_or_default();
        let alg = URL_SAFE_NO_PAD
            .decode(raw_header)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .and_then(|h| h["alg"].as_str().map(str::to_owned))
            .ok_or(TokenRejection::Malformed)?;
        if alg != "RS256" {
            return Err(TokenRejection::Algorithm);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenRejection::Malformed)?;
        let kid = header.kid.ok_or(TokenRejection::UnknownKey)?;
        let mut keys = self.keys(pool, false).await.map_err(|_| TokenRejection::Unavailable)?;
        if !keys.iter().any(|k| k.kid == kid) {
            keys = self.keys(pool, true).await.map_err(|_| TokenRejection::Unavailable)?;
        }
        let key = keys.iter().find(|k| k.kid == kid).ok_or(TokenRejection::UnknownKey)?;
        if validation.algorithms != [Algorithm::RS256] {
            return Err(TokenRejection::Algorithm);
        }
        let typ = header.typ.clone();
        jsonwebtoken::decode::<T>(token, &key.decoding, validation)
            .map(|data| (data.claims, typ))
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                match e.kind() {
                    K::ExpiredSignature => TokenRejection::Expired,
                    K::InvalidAudience => TokenRejection::Audience,
                    K::InvalidIssuer => TokenRejection::Issuer,
                    K::InvalidSignature => TokenRejection::Signature,
                    K::InvalidAlgorithm => TokenRejection::Algorithm,
                    _ => TokenRejection::Malformed,
                }
            })
    }
}

/// Why a bearer JWT was refused; each has its own problem code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    Malformed,
    Algorithm,
    UnknownKey,
    Signature,
    Expired,
    Audience,
    Issuer,
    Unavailable,
}

impl TokenRejection {
    pub fn code(self) -> ErrorCode {
        match self {
            Self::Malformed => ErrorCode::TokenMalformed,
            Self::Algorithm => ErrorCode::TokenAlgorithmNotAllowed,
            Self::UnknownKey => ErrorCode::TokenUnknownKey,
            Self::Signature => ErrorCode::TokenSignatureInvalid,
            Self::Expired => ErrorCode::TokenExpired,
            Self::Audience => ErrorCode::TokenWrongAudience,
            Self::Issuer => ErrorCode::TokenWrongIssuer,
            Self::Unavailable => ErrorCode::TokenKeysUnavailable,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Malformed => "The bearer token is not a well-formed JWT.",
            Self::Algorithm => "The bearer token must be signed with RS256.",
            Self::UnknownKey => "The bearer token was not signed by a key we publish.",
            Self::Signature => "The bearer token's signature does not verify.",
            Self::Expired => "The bearer token has expired; request a new one.",
            Self::Audience => "The bearer token was issued for another audience.",
            Self::Issuer => "The bearer token was issued by someone else.",
            Self::Unavailable => "Signing keys cannot be loaded right now.",
        }
    }
}

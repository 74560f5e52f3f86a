//! Talking to the identity providers: ORCID and Google over OpenID Connect, GitHub over OAuth 2.0
//! plus its user API. Every flow uses `state`, PKCE (S256) and, with OIDC, a nonce.

use std::time::Duration;

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use tokio::sync::RwLock;

use crate::config::{Config, GithubConfig, Secret};
use crate::domain::Provider;

/// What a provider told us about the person, after a verified callback.
#[derive(Debug, Clone)]
pub struct VerifiedIdentity {
    pub provider: Provider,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub avatar_url: Option<String>,
    pub profile_url: Option<String>,
    pub access_token: Secret<String>,
    pub refresh_token: Option<Secret<String>>,
    pub scopes: Vec<String>,
    pub expires_in: Option<Duration>,
    /// When the person last entered their credentials at the provider (OpenID Connect's
    /// `auth_time`), if it says.
    pub auth_time: Option<chrono::DateTime<chrono::Utc>>,
}

/// The `max_age` of an ordinary sign-in: long enough never to force a login, but present, so that
/// the ID token carries `auth_time`.
const SIGN_IN_MAX_AGE: Duration = Duration::from_secs(30 * 86_400);

/// A started flow: where to send the browser, and what to keep for the callback.
pub struct Authorization {
    pub url: String,
    pub pkce_verifier: String,
    pub nonce: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("{0} is not configured")]
    Disabled(&'static str),
    #[error("{provider} is unreachable or answered unexpectedly: {message}")]
    Unavailable { provider: &'static str, message: String },
    #[error("{provider} refused the sign-in: {message}")]
    Rejected { provider: &'static str, message: String },
    #[error("the identity token did not verify: {0}")]
    InvalidIdToken(String),
}

struct OidcProvider {
    provider: Provider,
    client_id: String,
    client_secret: Secret<String>,
    issuer: String,
    auth_type: AuthType,
    metadata: RwLock<Option<(CoreProviderMetadata, Option<String>)>>,
}

pub struct Providers {
    http: reqwest::Client,
    orcid: Option<OidcProvider>,
    orcid_url: Option<url::Url>,
    google: Option<OidcProvider>,
    github: Option<GithubConfig>,
    public_url: String,
}

/// The scopes each flow asks for. ORCID's `openid` gives an id_token naming the iD, so a grant
/// can be checked against the signed-in account.
pub const ORCID_SIGN_IN_SCOPES: &[&str] = &[];
pub const ORCID_GRANT_SCOPES: &[&str] = &["/activities/update", "/read-limited"];
const GOOGLE_SCOPES: &[&str] = &["email", "profile"];
const GITHUB_SCOPES: &str = "read:user user:email";

fn trimmed(url: &url::Url) -> String {
    url.as_str().trim_end_matches('/').to_owned()
}

impl Providers {
    #[expect(
        clippy::expect_used,
        reason = "a client of fixed settings fails to build only if TLS cannot start, at start-up"
    )]
    pub fn new(config: &Config) -> Self {
        let http = reqwest::Client::builder()
            // The openidconnect docs: never follow redirects from identity providers (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("Profiles/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a reqwest client builds");
        let orcid = config.orcid.as_ref().map(|o| OidcProvider {
            provider: Provider::Orcid,
            client_id: o.client_id.clone(),
            client_secret: o.client_secret.clone(),
            issuer: trimmed(&o.url),
            // ORCID only accepts client_secret_post.
            auth_type: AuthType::RequestBody,
            metadata: RwLock::new(None),
        });
        let google = config.google.as_ref().map(|g| OidcProvider {
            provider: Provider::Google,
            client_id: g.client_id.clone(),
            client_secret: g.client_secret.clone(),
            issuer: trimmed(&g.issuer_url),
            auth_type: AuthType::BasicAuth,
            metadata: RwLock::new(None),
        });
        Self {
            http,
            orcid,
            orcid_url: config.orcid.as_ref().map(|o| o.url.clone()),
            google,
            github: config.github.clone(),
            public_url: trimmed(&config.public_url),
        }
    }

    pub fn enabled(&self, provider: Provider) -> bool {
        match provider {
            Provider::Orcid => self.orcid.is_some(),
            Provider::Google => self.google.is_some(),
            Provider::Github => self.github.is_some(),
        }
    }

    pub fn callback_url(&self, provider: Provider, grant: bool) -> String {
        if grant {
            format!("{}/auth/orcid/grant/callback", self.public_url)
        } else {
            format!("{}/auth/{provider}/callback", self.public_url)
        }
    }

    fn oidc(&self, provider: Provider) -> Result<&OidcProvider, ProviderError> {
        match provider {
            Provider::Orcid => self.orcid.as_ref().ok_or(ProviderError::Disabled("ORCID")),
            Provider::Google => self.google.as_ref().ok_or(ProviderError::Disabled("Google")),
            Provider::Github => Err(ProviderError::Disabled("GitHub over OpenID Connect")),
        }
    }

    /// Discovery, cached after the first success.
    async fn metadata(&self, p: &OidcProvider) -> Result<(CoreProviderMetadata, Option<String>), ProviderError> {
        if let Some(m) = p.metadata.read().await.as_ref() {
            return Ok(m.clone());
        }
        let unavailable = |message: String| ProviderError::Unavailable {
            provider: p.provider.label(),
            message,
        };
        let issuer = IssuerUrl::new(p.issuer.clone()).map_err(|e| unavailable(e.to_string()))?;
        let meta = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| unavailable(format!("discovery failed: {e}")))?;
        // RFC 7009 revocation is not part of the core metadata type; read it from the document.
        let revocation = match p.provider {
            Provider::Orcid => self.orcid_url.as_ref().map(|u| format!("{}/oauth/revoke", trimmed(u))),
            _ => {
                let doc: serde_json::Value = self
                    .http
                    .get(format!("{}/.well-known/openid-configuration", p.issuer))
                    .send()
                    .await
                    .map_err(|e| unavailable(e.to_string()))?
                    .json()
                    .await
                    .map_err(|e| unavailable(e.to_string()))?;
                doc["revocation_endpoint"].as_str().map(str::to_owned)
            }
        };
        *p.metadata.write().await = Some((meta.clone(), revocation.clone()));
        Ok((meta, revocation))
    }

    async fn client(
        &self,
        p: &OidcProvider,
        redirect: String,
    ) -> Result<
        openidconnect::core::CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        ProviderError,
    > {
        let (meta, _) = self.metadata(p).await?;
        let redirect = RedirectUrl::new(redirect).map_err(|e| ProviderError::Unavailable {
            provider: p.provider.label(),
            message: e.to_string(),
        })?;
        Ok(CoreClient::from_provider_metadata(
            meta,
            ClientId::new(p.client_id.clone()),
            Some(ClientSecret::new(p.client_secret.expose().clone())),
        )
        .set_auth_type(p.auth_type.clone())
        .set_redirect_uri(redirect))
    }

    /// Starts a flow; `state` is ours (stored server-side before the redirect).
    pub async fn authorize(
        &self,
        provider: Provider,
        state: &str,
        grant: bool,
        fresh_login: bool,
    ) -> Result<Authorization, ProviderError> {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let redirect = self.callback_url(provider, grant);
        if provider == Provider::Github {
            let gh = self.github.as_ref().ok_or(ProviderError::Disabled("GitHub"))?;
            let mut url = gh
                .url
                .join("/login/oauth/authorize")
                .map_err(|e| ProviderError::Unavailable {
                    provider: "GitHub",
                    message: e.to_string(),
                })?;
            url.query_pairs_mut()
                .append_pair("client_id", &gh.client_id)
                .append_pair("redirect_uri", &redirect)
                .append_pair("scope", GITHUB_SCOPES)
                .append_pair("state", state)
                .append_pair("code_challenge", challenge.as_str())
                .append_pair("code_challenge_method", "S256")
                .append_pair("allow_signup", "true");
            return Ok(Authorization {
                url: url.to_string(),
                pkce_verifier: verifier.secret().clone(),
                nonce: None,
            });
        }
        let p = self.oidc(provider)?;
        let client = self.client(p, redirect).await?;
        let nonce = crate::crypto::random_token(24);
        let (state_owned, nonce_owned) = (state.to_owned(), nonce.clone());
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            move || CsrfToken::new(state_owned),
            move || Nonce::new(nonce_owned),
        );
        let scopes: &[&str] = match (provider, grant) {
            (Provider::Orcid, true) => ORCID_GRANT_SCOPES,
            (Provider::Orcid, false) => ORCID_SIGN_IN_SCOPES,
            _ => GOOGLE_SCOPES,
        };
        for scope in scopes {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        if fresh_login {
            // Re-authentication: the person enters their credentials again, whatever session
            // they have at the provider.
            request = request
                .add_prompt(openidconnect::core::CoreAuthPrompt::Login)
                .set_max_age(Duration::ZERO);
        } else if !grant {
            // Any `max_age` obliges the provider to say when the person last logged in
            // (`auth_time`), which tells a fresh sign-in from a lasting login there.
            request = request.set_max_age(SIGN_IN_MAX_AGE);
        }
        let (url, _, _) = request.set_pkce_challenge(challenge).url();
        Ok(Authorization {
            url: url.to_string(),
            pkce_verifier: verifier.secret().clone(),
            nonce: Some(nonce),
        })
    }

    /// Exchanges the code and verifies who came back.
    pub async fn finish(
        &self,
        provider: Provider,
        code: &str,
        pkce_verifier: &str,
        nonce: Option<&str>,
        grant: bool,
    ) -> Result<VerifiedIdentity, ProviderError> {
        if provider == Provider::Github {
            return self
                .finish_github(code, pkce_verifier, &self.callback_url(provider, false))
                .await;
        }
        let p = self.oidc(provider)?;
        let client = self.client(p, self.callback_url(provider, grant)).await?;
        let rejected = |message: String| ProviderError::Rejected {
            provider: p.provider.label(),
            message,
        };
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| rejected(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| rejected(describe_token_error(&e)))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| ProviderError::InvalidIdToken("no id_token in the token response".into()))?;
        let nonce = Nonce::new(nonce.unwrap_or_default().to_owned());
        let claims = id_token
            .claims(&client.id_token_verifier(), &nonce)
            .map_err(|e| ProviderError::InvalidIdToken(e.to_string()))?;
        let localized = |c: Option<&openidconnect::LocalizedClaim<_>>| -> Option<String> {
            c.and_then(|l| l.get(None))
                .map(|v: &openidconnect::EndUserName| v.to_string())
        };
        Ok(VerifiedIdentity {
            provider,
            subject: claims.subject().to_string(),
            // Google says whether it verified the address; only keep verified ones.
            email: match claims.email_verified() {
                Some(false) => None,
                _ => claims.email().map(|e| e.to_string()),
            },
            name: localized(claims.name()),
            given_name: claims.given_name().and_then(|l| l.get(None)).map(|v| v.to_string()),
            family_name: claims.family_name().and_then(|l| l.get(None)).map(|v| v.to_string()),
            avatar_url: claims.picture().and_then(|l| l.get(None)).map(|v| v.to_string()),
            profile_url: match provider {
                Provider::Orcid => self
                    .orcid_url
                    .as_ref()
                    .map(|u| format!("{}/{}", trimmed(u), claims.subject().as_str())),
                _ => None,
            },
            access_token: Secret::new(token.access_token().secret().clone()),
            refresh_token: token.refresh_token().map(|t| Secret::new(t.secret().clone())),
            scopes: token
                .scopes()
                .map(|s| s.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default(),
            expires_in: token.expires_in(),
            auth_time: claims.auth_time(),
        })
    }

    async fn finish_github(
        &self,
        code: &str,
        verifier: &str,
        redirect: &str,
    ) -> Result<VerifiedIdentity, ProviderError> {
        let gh = self.github.as_ref().ok_or(ProviderError::Disabled("GitHub"))?;
        let unavailable = |message: String| ProviderError::Unavailable {
            provider: "GitHub",
            message,
        };
        #[derive(Deserialize)]
        struct TokenAnswer {
            access_token: Option<String>,
            scope: Option<String>,
            error: Option<String>,
            error_description: Option<String>,
        }
        let answer: TokenAnswer = self
            .http
            .post(trimmed(
                gh.url
                    .join("/login/oauth/access_token")
                    .as_ref()
                    .map_err(|e| unavailable(e.to_string()))?,
            ))
            .header("Accept", "application/json")
            .form(&[
                ("client_id", gh.client_id.as_str()),
                ("client_secret", gh.client_secret.expose().as_str()),
                ("code", code),
                ("redirect_uri", redirect),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?
            .json()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        // GitHub reports token errors with HTTP 200 and an `error` field.
        let access_token = match (answer.access_token, answer.error) {
            (Some(t), None) => t,
            (_, error) => {
                return Err(ProviderError::Rejected {
                    provider: "GitHub",
                    message: answer
                        .error_description
                        .or(error)
                        .unwrap_or_else(|| "no access token".into()),
                })
            }
        };
        #[derive(Deserialize)]
        struct User {
            id: u64,
            login: String,
            name: Option<String>,
            email: Option<String>,
            avatar_url: Option<String>,
            html_url: Option<String>,
        }
        let user: User = self
            .github_get(gh, "/user", &access_token)
            .await?
            .json()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        #[derive(Deserialize)]
        struct Email {
            email: String,
            primary: bool,
            verified: bool,
        }
        let email = match self.github_get(gh, "/user/emails", &access_token).await {
            Ok(res) => res
                .json::<Vec<Email>>()
                .await
                .ok()
                .and_then(|list| list.into_iter().find(|e| e.primary && e.verified).map(|e| e.email)),
            Err(_) => None,
        }
        .or(user.email);
        Ok(VerifiedIdentity {
            provider: Provider::Github,
            subject: user.id.to_string(),
            email,
            name: user.name.or(Some(user.login.clone())),
            given_name: None,
            family_name: None,
            avatar_url: user.avatar_url,
            profile_url: user.html_url,
            access_token: Secret::new(access_token),
            refresh_token: None,
            scopes: answer
                .scope
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            expires_in: None,
            auth_time: None,
        })
    }

    async fn github_get(&self, gh: &GithubConfig, path: &str, token: &str) -> Result<reqwest::Response, ProviderError> {
        let res = self
            .http
            .get(format!("{}{path}", trimmed(&gh.api_url)))
            .bearer_auth(token)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .send()
            .await
            .map_err(|e| ProviderError::Unavailable {
                provider: "GitHub",
                message: e.to_string(),
            })?;
        if !res.status().is_success() {
            return Err(ProviderError::Rejected {
                provider: "GitHub",
                message: format!("{path} answered {}", res.status()),
            });
        }
        Ok(res)
    }

    /// Revokes one token and nothing else (GitHub's `revoke` ends the whole grant, with every
    /// token of the app; this ends only `token`, as when a newer token replaced it).
    pub async fn revoke_token(&self, provider: Provider, token: &str) -> Result<bool, ProviderError> {
        match provider {
            Provider::Github => self.github_revoke("token", token).await,
            _ => self.revoke(provider, token).await,
        }
    }

    /// GitHub's `DELETE /applications/{client_id}/{what}`: `grant` ends every token of the app
    /// for that person, `token` only the one given.
    async fn github_revoke(&self, what: &str, token: &str) -> Result<bool, ProviderError> {
        let unavailable = |message: String| ProviderError::Unavailable {
            provider: "GitHub",
            message,
        };
        let gh = self.github.as_ref().ok_or(ProviderError::Disabled("GitHub"))?;
        let res = self
            .http
            .delete(format!("{}/applications/{}/{what}", trimmed(&gh.api_url), gh.client_id))
            .basic_auth(&gh.client_id, Some(gh.client_secret.expose()))
            .header("Accept", "application/vnd.github+json")
            .json(&serde_json::json!({ "access_token": token }))
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        match res.status().as_u16() {
            204 | 200 => Ok(true),
            404 | 422 => Ok(false),
            s => Err(unavailable(format!("revocation answered {s}"))),
        }
    }

    /// Revokes a token at the provider. `Ok(false)` when the provider says it was already gone.
    pub async fn revoke(&self, provider: Provider, token: &str) -> Result<bool, ProviderError> {
        let unavailable = |message: String| ProviderError::Unavailable {
            provider: provider.label(),
            message,
        };
        match provider {
            Provider::Github => self.github_revoke("grant", token).await,
            Provider::Orcid | Provider::Google => {
                let p = self.oidc(provider)?;
                let (_, endpoint) = self.metadata(p).await?;
                let Some(endpoint) = endpoint else {
                    // Nothing to call: the provider offers no revocation.
                    return Ok(true);
                };
                let res = self
                    .http
                    .post(endpoint)
                    .header("Accept", "application/json")
                    .form(&[
                        ("client_id", p.client_id.as_str()),
                        ("client_secret", p.client_secret.expose().as_str()),
                        ("token", token),
                    ])
                    .send()
                    .await
                    .map_err(|e| unavailable(e.to_string()))?;
                match res.status().as_u16() {
                    200 | 204 => Ok(true),
                    // RFC 7009: invalid tokens are a 200, but some providers say 400/401 when
                    // the token is already gone.
                    400 | 401 | 404 => Ok(false),
                    s => Err(unavailable(format!("revocation answered {s}"))),
                }
            }
        }
    }
}

fn describe_token_error<E: std::error::Error>(e: &E) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

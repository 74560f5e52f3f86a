//! The `notifications.send` job: one person's permission notification, from their waiting
//! claims to `POST /v3.0/{orcid}/notification-permission`, with ORCID's answer recorded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use tokio::sync::Mutex;
use uuid::Uuid;

use super::{hold, unasked, Status, INVITE_PREFIX, MAX_ITEMS};
use crate::auth::providers::Providers;
use crate::claims::orcid::{OrcidApi, OrcidError};
use crate::clock::Clock;
use crate::config::{ClaimsConfig, Config, Secret};
use crate::crypto::{random_token, sha256, Cipher};
use crate::db::schema::{orcid_notification_items, orcid_notifications};
use crate::db::DbPool;
use crate::domain::{OrcidId, Provider};
use crate::jobs::{self, JobError, NewJob};

/// ORCID's two-legged scope for notifications.
pub const NOTIFICATION_SCOPE: &str = "/premium-notification";

/// What the person reads in their ORCID inbox.
pub const SUBJECT: &str = "Add your published works to your ORCID record";

/// The sealing context of a notification link's PKCE verifier.
pub fn verifier_context(id: Uuid) -> String {
    format!("orcid_notification:{id}:pkce")
}

/// A two-legged token and when it stops being usable (`None`: ORCID gave no lifetime).
type CachedToken = (String, Option<Instant>);

/// Everything the notification jobs need; cheap to clone.
#[derive(Clone)]
pub struct Notifier {
    pub pool: DbPool,
    pub cipher: Option<Cipher>,
    /// The Member API client (and its shared rate limit); `None` without ORCID.
    pub orcid: Option<OrcidApi>,
    pub providers: Arc<Providers>,
    pub config: Arc<ClaimsConfig>,
    pub clock: Clock,
    http: reqwest::Client,
    /// ORCID's token endpoint and our member client, for the two-legged token.
    token_url: Option<(String, String, Secret<String>)>,
    token: Arc<Mutex<Option<CachedToken>>>,
    service_url: String,
}

impl Notifier {
    #[expect(
        clippy::expect_used,
        reason = "a client of fixed settings fails to build only if TLS cannot start, at start-up"
    )]
    pub fn new(
        pool: DbPool,
        config: &Config,
        orcid: Option<OrcidApi>,
        providers: Arc<Providers>,
        clock: Clock,
    ) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.claims.upstream_timeout)
            .user_agent(concat!(
                "Profiles/",
                env!("CARGO_PKG_VERSION"),
                " (ORCID notifications)"
            ))
            .build()
            .expect("static HTTP client configuration");
        Self {
            pool,
            cipher: config.cipher(),
            orcid,
            providers,
            config: Arc::new(config.claims.clone()),
            clock,
            http,
            token_url: config.orcid.as_ref().map(|o| {
                (
                    format!("{}/oauth/token", o.url.as_str().trim_end_matches('/')),
                    o.client_id.clone(),
                    o.client_secret.clone(),
                )
            }),
            token: Arc::new(Mutex::new(None)),
            service_url: config.public_url.as_str().trim_end_matches('/').to_owned(),
        }
    }

    pub(super) async fn db<T, F>(&self, f: F) -> Result<T, JobError>
    where
        T: Send + 'static,
        F: FnOnce(&mut PgConnection) -> QueryResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool
                .get()
                .map_err(|e| JobError::retry(format!("database unavailable: {e}")))?;
            f(&mut conn).map_err(|e| JobError::retry(format!("database error: {e}")))
        })
        .await
        .map_err(|e| JobError::retry(format!("database task failed: {e}")))?
    }

    /// The cached `/premium-notification` token, fetched once (ORCID's live for years) and again
    /// only after ORCID refused it.
    pub(super) async fn access_token(&self) -> Result<String, JobError> {
        let mut cached = self.token.lock().await;
        if let Some((token, expires)) = cached.as_ref() {
            if expires.is_none_or(|e| e > Instant::now()) {
                return Ok(token.clone());
            }
        }
        let (url, client_id, secret) = self
            .token_url
            .as_ref()
            .ok_or_else(|| JobError::permanent("ORCID is not configured"))?;
        let response = self
            .http
            .post(url)
            .header(header::ACCEPT, "application/json")
            .form(&[
                ("client_id", client_id.as_str()),
                ("client_secret", secret.expose().as_str()),
                ("grant_type", "client_credentials"),
                ("scope", NOTIFICATION_SCOPE),
            ])
            .send()
            .await
            .map_err(|e| JobError::retry(format!("ORCID's token endpoint is unreachable: {}", e.without_url())))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let token = body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|_| status.is_success());
        let Some(token) = token else {
            // ORCID answers bad client credentials and scopes it does not grant with 401/400 (and
            // some with 500): a configuration matter, not one for blind retries.
            let reason = body
                .get("error_description")
                .or_else(|| body.get("error"))
                .and_then(Value::as_str)
                .unwrap_or("no access_token")
                .chars()
                .take(200)
                .collect::<String>();
            tracing::error!(%status, reason, "ORCID refused the /premium-notification token; check the member client");
            return Err(JobError {
                message: format!("ORCID refused the notification token (HTTP {status}): {reason}"),
                retry: true,
                retry_after: Some(Duration::from_secs(3600)),
            });
        };
        // A little early, so that a token is never used in its last minute.
        let expires = body
            .get("expires_in")
            .and_then(Value::as_u64)
            .map(|s| Instant::now() + Duration::from_secs(s.saturating_sub(60)));
        *cached = Some((token.to_owned(), expires));
        Ok(token.to_owned())
    }

    async fn forget_token(&self) {
        *self.token.lock().await = None;
    }

    /// Queues the send job for one person (one pending per person).
    pub fn enqueue(conn: &mut PgConnection, orcid: &str) -> QueryResult<i64> {
        jobs::enqueue(
            conn,
            NewJob::new(super::SEND_JOB, json!({ "orcid": orcid }))
                .dedup(format!("notify:{orcid}"))
                .max_attempts(8),
        )
    }

    /// Runs one `notifications.send` job.
    pub async fn send_job(&self, payload: &Value) -> Result<(), JobError> {
        let orcid = payload
            .get("orcid")
            .and_then(Value::as_str)
            .and_then(|o| OrcidId::parse(o).ok())
            .ok_or_else(|| JobError::permanent("job payload has no valid orcid"))?;
        if !self.config.notifications.enabled {
            return Ok(());
        }
        let Some(api) = self.orcid.clone() else {
            return Ok(());
        };
        let Some(notification) = self.prepare(&orcid).await? else {
            return Ok(());
        };
        let token = self.access_token().await?;
        let answer = api.notify(&token, &orcid, &notification.body).await;
        self.record(notification.id, answer).await
    }

    /// The person's pending notification (one that could not be sent yet), or a new one naming
    /// their unasked claims; `None` when none is due.
    async fn prepare(&self, orcid: &OrcidId) -> Result<Option<Prepared>, JobError> {
        let (o, interval, now) = (
            orcid.to_string(),
            chrono::Duration::from_std(self.config.notifications.interval).unwrap_or(chrono::Duration::days(30)),
            self.clock.now(),
        );
        let due = self
            .db(move |conn| {
                if let Some(held) = hold(conn, &o, interval, now)? {
                    return Ok(Err(held));
                }
                let pending: Option<(Uuid, Value)> = orcid_notifications::table
                    .filter(orcid_notifications::orcid.eq(&o))
                    .filter(orcid_notifications::status.eq(Status::Pending.as_str()))
                    .select((orcid_notifications::id, orcid_notifications::body))
                    .first(conn)
                    .optional()?;
                if let Some(pending) = pending {
                    return Ok(Ok(Due::Pending(pending)));
                }
                Ok(Ok(Due::New(unasked(conn, &o, MAX_ITEMS)?, waiting_total(conn, &o)?)))
            })
            .await?;
        let (items, total) = match due {
            Err(held) => {
                tracing::debug!(%orcid, ?held, "no notification due");
                return Ok(None);
            }
            Ok(Due::Pending((id, body))) => return Ok(Some(Prepared { id, body })),
            Ok(Due::New(items, _)) if items.is_empty() => return Ok(None),
            Ok(Due::New(items, total)) => (items, total),
        };
        let cipher = self
            .cipher
            .clone()
            .ok_or_else(|| JobError::permanent("ENCRYPTION_KEY is not set"))?;
        let state = format!("{INVITE_PREFIX}{}", random_token(32));
        let authorization = self
            .providers
            .authorize(Provider::Orcid, &state, true, false)
            .await
            .map_err(|e| JobError::retry(format!("ORCID's authorization endpoint: {e}")))?;
        let nonce = authorization.nonce.clone().unwrap_or_default();
        let body = body(&authorization.url, &items, total, &self.service_url);
        let id = Uuid::new_v4();
        let sealed = cipher.seal_str(&authorization.pkce_verifier, &verifier_context(id));
        let expires = now
            + self
                .config
                .notifications
                .waiting_expiry
                .and_then(|d| chrono::Duration::from_std(d).ok())
                .unwrap_or(chrono::Duration::days(180));
        let (o, stored) = (orcid.to_string(), body.clone());
        self.db(move |conn| {
            conn.transaction(|conn| {
                diesel::insert_into(orcid_notifications::table)
                    .values((
                        orcid_notifications::id.eq(id),
                        orcid_notifications::orcid.eq(&o),
                        orcid_notifications::state_hash.eq(sha256(state.as_bytes())),
                        orcid_notifications::pkce_verifier_enc.eq(sealed),
                        orcid_notifications::nonce.eq(nonce),
                        orcid_notifications::body.eq(&stored),
                        orcid_notifications::created_at.eq(now),
                        orcid_notifications::expires_at.eq(expires),
                    ))
                    .execute(conn)?;
                let rows: Vec<_> = items
                    .iter()
                    .map(|(claim, doi, title)| {
                        (
                            orcid_notification_items::notification_id.eq(id),
                            orcid_notification_items::claim_id.eq(Some(*claim)),
                            orcid_notification_items::doi.eq(doi.clone()),
                            orcid_notification_items::title.eq(title.clone()),
                        )
                    })
                    .collect();
                diesel::insert_into(orcid_notification_items::table)
                    .values(rows)
                    .on_conflict_do_nothing()
                    .execute(conn)?;
                Ok(())
            })
        })
        .await?;
        Ok(Some(Prepared { id, body }))
    }

    /// Writes ORCID's answer on the notification; what needs another try says so to the queue.
    async fn record(&self, id: Uuid, answer: Result<i64, OrcidError>) -> Result<(), JobError> {
        let now = self.clock.now();
        let outcome = Answer::of(&answer);
        if let Err(OrcidError::InvalidToken(_)) = &answer {
            self.forget_token().await;
        }
        let (status, code, http, message) = match (&answer, &outcome) {
            (Ok(_), _) => (Status::Sent, "accepted", Some(201), None),
            (Err(e), Answer::Retry) => {
                let message = e.to_string();
                self.db(move |conn| {
                    diesel::update(orcid_notifications::table.find(id))
                        .set((
                            orcid_notifications::attempts.eq(orcid_notifications::attempts + 1),
                            orcid_notifications::message.eq(Some(&message)),
                        ))
                        .execute(conn)
                })
                .await?;
                let retry_after = match e {
                    OrcidError::Throttled { retry_after, .. } => *retry_after,
                    _ => None,
                };
                return Err(JobError {
                    message: e.to_string(),
                    retry: true,
                    retry_after,
                });
            }
            (Err(e), Answer::Final { status, code, http }) => (*status, *code, Some(*http), Some(e.to_string())),
        };
        let put_code = answer.as_ref().ok().copied();
        self.db(move |conn| {
            diesel::update(orcid_notifications::table.find(id))
                .set((
                    orcid_notifications::status.eq(status.as_str()),
                    orcid_notifications::answer.eq(code),
                    orcid_notifications::orcid_status.eq(http),
                    orcid_notifications::message.eq(message),
                    orcid_notifications::put_code.eq(put_code),
                    orcid_notifications::sent_at.eq(put_code.map(|_| now)),
                    orcid_notifications::attempts.eq(orcid_notifications::attempts + 1),
                ))
                .execute(conn)
        })
        .await?;
        match status {
            Status::Sent => tracing::info!(notification = %id, ?put_code, "permission notification sent"),
            _ => tracing::warn!(notification = %id, answer = code, "ORCID did not take the permission notification"),
        }
        Ok(())
    }
}

/// How many Auto-Update claims wait for the person, named or not (the intro says how many more).
fn waiting_total(conn: &mut PgConnection, orcid: &str) -> QueryResult<i64> {
    super::waiting_count(conn, orcid)
}

enum Due {
    Pending((Uuid, Value)),
    New(Vec<(Uuid, String, Option<String>)>, i64),
}

struct Prepared {
    id: Uuid,
    body: Value,
}

/// What ORCID's answer to a notification means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Throttled, unavailable, or a token to fetch again: the queue tries later.
    Retry,
    /// Settled: recorded with this status and code, never sent again blindly.
    Final {
        status: Status,
        code: &'static str,
        http: i32,
    },
}

impl Answer {
    pub fn of(answer: &Result<i64, OrcidError>) -> Self {
        let refused = |code, http| Self::Final {
            status: Status::Refused,
            code,
            http,
        };
        let failed = |code, http| Self::Final {
            status: Status::Failed,
            code,
            http,
        };
        match answer {
            Ok(_) => Self::Final {
                status: Status::Sent,
                code: "accepted",
                http: 201,
            },
            Err(OrcidError::Throttled { .. } | OrcidError::Unavailable(_) | OrcidError::InvalidToken(_)) => Self::Retry,
            Err(OrcidError::NotFound) => refused("record_not_found", 404),
            Err(OrcidError::Duplicate { .. }) => failed("invalid_notification", 409),
            Err(OrcidError::Rejected { status, message }) => {
                let m = message.to_ascii_lowercase();
                let http = i32::from(*status);
                match status {
                    // ORCID: 409 with error 9032, "The user … don't allow notifications".
                    403 | 409 if m.contains("notification") => refused("notifications_disabled", http),
                    403 => failed("not_permitted", http),
                    409 if m.contains("deactivated") => refused("record_deactivated", http),
                    409 if m.contains("locked") => refused("record_locked", http),
                    409 if m.contains("deprecated") => refused("record_deprecated", http),
                    409 => refused("record_unavailable", http),
                    _ => failed("invalid_notification", http),
                }
            }
        }
    }
}

/// The `notification-permission` body: the works waiting, and the link that grants.
pub fn body(authorization_url: &str, items: &[(Uuid, String, Option<String>)], total: i64, service_url: &str) -> Value {
    let more = total - i64::try_from(items.len()).unwrap_or(0);
    let (count, them) = if total == 1 {
        ("A work that names your ORCID iD was".to_owned(), "it")
    } else {
        (format!("{total} works that name your ORCID iD were"), "them")
    };
    let mut intro = format!(
        "{count} registered with DataCite. Profiles ({service_url}) can add {them} to your ORCID record for you. \
Grant permission once, and works that name you are added as they are registered; you can review them first or \
turn this off at any time in your Profiles settings."
    );
    if more > 0 {
        intro.push_str(&format!(
            " The first {} are listed here; {more} more are waiting.",
            items.len()
        ));
    }
    json!({
        "notification-type": "permission",
        "authorization-url": { "uri": authorization_url },
        "notification-subject": SUBJECT,
        "notification-intro": intro,
        "items": {
            "item": items.iter().map(|(_, doi, title)| json!({
                "item-type": "work",
                "item-name": title.as_deref().filter(|t| !t.trim().is_empty()).unwrap_or(doi).chars().take(1000).collect::<String>(),
                "external-id": {
                    "external-id-type": "doi",
                    "external-id-value": doi,
                    "external-id-url": { "value": format!("https://doi.org/{doi}") },
                    "external-id-relationship": "self",
                },
            })).collect::<Vec<_>>(),
        },
    })
}

impl OrcidApi {
    /// `POST /notification-permission` with the two-legged token; the new put-code.
    pub async fn notify(&self, token: &str, orcid: &OrcidId, body: &Value) -> Result<i64, OrcidError> {
        let request = self
            .request(reqwest::Method::POST, orcid, "notification-permission")
            .bearer_auth(token)
            .json(body);
        let response = self.send("send_notification", request).await?;
        if response.status() == StatusCode::CREATED {
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            return crate::claims::orcid::put_code_from_location(&location).ok_or_else(|| OrcidError::Rejected {
                status: 201,
                message: format!("no put-code in Location {location:?}"),
            });
        }
        Err(crate::claims::orcid::error_of(response).await)
    }

    /// `GET /notification-permission/{put-code}`: what the person did with it.
    pub async fn read_notification(&self, token: &str, orcid: &OrcidId, put_code: i64) -> Result<Seen, OrcidError> {
        let tail = format!("notification-permission/{put_code}");
        let request = self.request(reqwest::Method::GET, orcid, &tail).bearer_auth(token);
        let response = self.send("read_notification", request).await?;
        if !response.status().is_success() {
            return Err(crate::claims::orcid::error_of(response).await);
        }
        let body: Value = response
            .json()
            .await
            .map_err(|e| OrcidError::Unavailable(format!("unreadable notification: {e}")))?;
        let date = |k: &str| {
            body.get(k)
                .and_then(|d| d.get("value"))
                .and_then(Value::as_i64)
                .and_then(DateTime::<Utc>::from_timestamp_millis)
        };
        Ok(Seen {
            read_at: date("read-date"),
            actioned_at: date("actioned-date"),
            archived_at: date("archived-date"),
        })
    }
}

/// What ORCID says the person did with a notification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub read_at: Option<DateTime<Utc>>,
    pub actioned_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orcid_answers_are_sorted_into_retry_refused_and_failed() {
        let rejected = |status, message: &str| {
            Answer::of(&Err(OrcidError::Rejected {
                status,
                message: message.into(),
            }))
        };
        assert_eq!(
            Answer::of(&Ok(7)),
            Answer::Final {
                status: Status::Sent,
                code: "accepted",
                http: 201
            }
        );
        assert_eq!(Answer::of(&Err(OrcidError::Unavailable("x".into()))), Answer::Retry);
        assert_eq!(Answer::of(&Err(OrcidError::InvalidToken("x".into()))), Answer::Retry);
        assert!(matches!(
            rejected(
                403,
                "The record owner does not accept notifications from member organisations"
            ),
            Answer::Final {
                status: Status::Refused,
                code: "notifications_disabled",
                ..
            }
        ));
        assert!(matches!(
            rejected(409, "The user 0000-0002-1825-0097 don't allow notifications"),
            Answer::Final {
                status: Status::Refused,
                code: "notifications_disabled",
                http: 409
            }
        ));
        assert!(matches!(
            rejected(403, "Insufficient or wrong scope"),
            Answer::Final {
                status: Status::Failed,
                code: "not_permitted",
                ..
            }
        ));
        assert!(matches!(
            rejected(409, "The ORCID record is deactivated"),
            Answer::Final {
                status: Status::Refused,
                code: "record_deactivated",
                ..
            }
        ));
        assert!(matches!(
            rejected(409, "The ORCID record is locked"),
            Answer::Final {
                status: Status::Refused,
                code: "record_locked",
                ..
            }
        ));
        assert!(matches!(
            rejected(400, "bad authorization-url"),
            Answer::Final {
                status: Status::Failed,
                code: "invalid_notification",
                ..
            }
        ));
        assert!(matches!(
            Answer::of(&Err(OrcidError::NotFound)),
            Answer::Final {
                status: Status::Refused,
                code: "record_not_found",
                ..
            }
        ));
    }

    #[test]
    fn the_body_names_each_work_and_how_many_more_wait() {
        let items = vec![
            (Uuid::nil(), "10.5555/a".to_owned(), Some("A study".to_owned())),
            (Uuid::nil(), "10.5555/b".to_owned(), None),
        ];
        let b = body(
            "https://orcid.org/oauth/authorize?state=inv_x",
            &items,
            5,
            "https://profiles.example",
        );
        assert_eq!(b["notification-type"], "permission");
        assert_eq!(
            b["authorization-url"]["uri"],
            "https://orcid.org/oauth/authorize?state=inv_x"
        );
        let listed = b["items"]["item"].as_array().map(Vec::len);
        assert_eq!(listed, Some(2));
        assert_eq!(b["items"]["item"][0]["item-name"], "A study");
        // No title: the DOI names it.
        assert_eq!(b["items"]["item"][1]["item-name"], "10.5555/b");
        assert_eq!(b["items"]["item"][1]["external-id"]["external-id-value"], "10.5555/b");
        let intro = b["notification-intro"].as_str().unwrap_or_default();
        assert!(intro.starts_with("5 works that name your ORCID iD"), "{intro}");
        assert!(intro.contains("3 more are waiting"), "{intro}");
    }
}

//! The ORCID Member API v3.0, works only: create, update, delete and list,
//! every call paced by the shared rate limiter.

use std::time::Duration;

use reqwest::{header, StatusCode};
use serde_json::Value;

use super::ratelimit::{RateLimitError, RateLimiter};
use crate::domain::OrcidId;

const ORCID_JSON: &str = "application/vnd.orcid+json";

#[derive(Clone)]
pub struct OrcidApi {
    http: reqwest::Client,
    base: url::Url,
    client_id: String,
    limiter: RateLimiter,
}

/// How a Member API call went wrong, sorted by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OrcidError {
    /// 409 with error code 9021: the work is already in the record (from this client).
    #[error("ORCID already has this work (error 9021)")]
    Duplicate { put_code: Option<i64> },
    /// 401: the token was revoked on orcid.org, expired, or belongs elsewhere.
    #[error("ORCID rejected the access token ({0})")]
    InvalidToken(String),
    #[error("ORCID has no such work or record")]
    NotFound,
    /// 429 or 503 beyond the rate limit: back off and try again.
    #[error("ORCID asked us to slow down (HTTP {status})")]
    Throttled { status: u16, retry_after: Option<Duration> },
    /// 5xx, timeouts and connection failures: worth another try later.
    #[error("ORCID is unavailable: {0}")]
    Unavailable(String),
    /// Any other 4xx: another try will not help.
    #[error("ORCID refused the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
}

impl OrcidError {
    /// A short machine-readable code, stored on the claim.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Duplicate { .. } => "orcid_duplicate",
            Self::InvalidToken(_) => "orcid_token_invalid",
            Self::NotFound => "orcid_not_found",
            Self::Throttled { .. } => "orcid_throttled",
            Self::Unavailable(_) => "orcid_unavailable",
            Self::Rejected { .. } => "orcid_rejected",
        }
    }
}

impl From<RateLimitError> for OrcidError {
    fn from(e: RateLimitError) -> Self {
        match e {
            RateLimitError::Saturated(wait) => Self::Throttled {
                status: 429,
                retry_after: Some(wait),
            },
            RateLimitError::Database(m) => Self::Unavailable(m),
        }
    }
}

impl OrcidApi {
    #[expect(
        clippy::expect_used,
        reason = "a client of fixed settings fails to build only if TLS cannot start, at start-up"
    )]
    pub fn new(base: url::Url, client_id: String, limiter: RateLimiter, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("Profiles/", env!("CARGO_PKG_VERSION"), " (ORCID claims)"))
            .build()
            .expect("static HTTP client configuration");
        Self {
            http,
            base,
            client_id,
            limiter,
        }
    }

    fn url(&self, orcid: &OrcidId, tail: &str) -> String {
        format!(
            "{}/v3.0/{}/{tail}",
            self.base.as_str().trim_end_matches('/'),
            orcid.as_str()
        )
    }

    /// A Member API request on `orcid`'s record (`tail`: the path after the iD).
    pub(crate) fn request(&self, method: reqwest::Method, orcid: &OrcidId, tail: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(orcid, tail))
    }

    /// Sends one Member API call once the shared rate limit allows it; `operation` names it in
    /// the metrics.
    pub(crate) async fn send(
        &self,
        operation: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, OrcidError> {
        self.limiter.acquire().await?;
        let started = std::time::Instant::now();
        let sent = request.header(header::ACCEPT, ORCID_JSON).send().await;
        crate::metrics::upstream_call(
            "orcid",
            operation,
            sent.as_ref().ok().map(|r| r.status().as_u16()),
            started.elapsed(),
        );
        let response = sent.map_err(|e| OrcidError::Unavailable(transport_message(e)))?;
        // Over ORCID's own bucket after all: every process pauses, for as long as ORCID asks. A
        // 503 is also what an outage answers, so without `Retry-After` it pauses only briefly.
        let pause = match response.status().as_u16() {
            429 => Some(retry_after(&response).unwrap_or(Duration::from_secs(1))),
            503 => Some(retry_after(&response).unwrap_or(Duration::from_millis(100))),
            _ => None,
        };
        if let Some(pause) = pause {
            self.limiter.back_off(pause).await;
        }
        Ok(response)
    }

    /// `POST /work`; returns the new put-code, read from the last segment of `Location`
    /// (ORCID answers with an `http://` URL even on https).
    pub async fn create(&self, token: &str, orcid: &OrcidId, work: &Value) -> Result<i64, OrcidError> {
        let response = self
            .send(
                "create_work",
                self.http
                    .post(self.url(orcid, "work"))
                    .bearer_auth(token)
                    .header(header::CONTENT_TYPE, ORCID_JSON)
                    .json(work),
            )
            .await?;
        if response.status() == StatusCode::CREATED {
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            return put_code_from_location(&location).ok_or_else(|| OrcidError::Rejected {
                status: 201,
                message: format!("no put-code in Location {location:?}"),
            });
        }
        Err(error_of(response).await)
    }

    /// `PUT /work/{put-code}`; the body must carry the same put-code.
    pub async fn update(&self, token: &str, orcid: &OrcidId, put_code: i64, work: &Value) -> Result<(), OrcidError> {
        let response = self
            .send(
                "update_work",
                self.http
                    .put(self.url(orcid, &format!("work/{put_code}")))
                    .bearer_auth(token)
                    .header(header::CONTENT_TYPE, ORCID_JSON)
                    .json(work),
            )
            .await?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(error_of(response).await)
    }

    /// `DELETE /work/{put-code}`.
    pub async fn delete(&self, token: &str, orcid: &OrcidId, put_code: i64) -> Result<(), OrcidError> {
        let response = self
            .send(
                "delete_work",
                self.http
                    .delete(self.url(orcid, &format!("work/{put_code}")))
                    .bearer_auth(token),
            )
            .await?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(error_of(response).await)
    }

    /// `POST /works`: up to 100 works in one call. Each item's result, in order: its new put-code,
    /// or why ORCID refused that one (a 9021 is `Duplicate`, as for one work).
    pub async fn create_bulk(
        &self,
        token: &str,
        orcid: &OrcidId,
        works: &[Value],
    ) -> Result<Vec<Result<i64, OrcidError>>, OrcidError> {
        let body =
            serde_json::json!({ "bulk": works.iter().map(|w| serde_json::json!({ "work": w })).collect::<Vec<_>>() });
        let response = self
            .send(
                "create_works_bulk",
                self.http
                    .post(self.url(orcid, "works"))
                    .bearer_auth(token)
                    .header(header::CONTENT_TYPE, ORCID_JSON)
                    .json(&body),
            )
            .await?;
        if !response.status().is_success() {
            return Err(error_of(response).await);
        }
        let answer: Value = response
            .json()
            .await
            .map_err(|e| OrcidError::Unavailable(format!("unreadable bulk answer: {e}")))?;
        let items = answer
            .get("bulk")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if items.len() != works.len() {
            return Err(OrcidError::Unavailable(format!(
                "the bulk answer holds {} results for {} works",
                items.len(),
                works.len()
            )));
        }
        Ok(items
            .iter()
            .map(|item| {
                if let Some(pc) = item.pointer("/work/put-code").and_then(Value::as_i64) {
                    return Ok(pc);
                }
                let error = item.get("error").cloned().unwrap_or(Value::Null);
                let status = error
                    .get("response-code")
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .and_then(|s| StatusCode::from_u16(s).ok())
                    .unwrap_or(StatusCode::BAD_REQUEST);
                Err(classify(status, &error, &error.to_string(), None))
            })
            .collect())
    }

    /// Every work in the record, from `GET /works` (one call: the summaries, with each work's
    /// source and DOIs).
    pub async fn works(&self, token: &str, orcid: &OrcidId) -> Result<Vec<WorkSummary>, OrcidError> {
        let response = self
            .send("read_works", self.http.get(self.url(orcid, "works")).bearer_auth(token))
            .await?;
        if !response.status().is_success() {
            return Err(error_of(response).await);
        }
        let body: Value = response
            .json()
            .await
            .map_err(|e| OrcidError::Unavailable(format!("unreadable works list: {e}")))?;
        Ok(summaries(&body, &self.client_id))
    }

    /// The put-code of the work in this record that we created for `doi`, from `GET /works`.
    pub async fn find_by_doi(&self, token: &str, orcid: &OrcidId, doi: &str) -> Result<Option<i64>, OrcidError> {
        let response = self
            .send("read_works", self.http.get(self.url(orcid, "works")).bearer_auth(token))
            .await?;
        if !response.status().is_success() {
            return Err(error_of(response).await);
        }
        let body: Value = response
            .json()
            .await
            .map_err(|e| OrcidError::Unavailable(format!("unreadable works list: {e}")))?;
        Ok(find_in_works(&body, doi, &self.client_id))
    }
}

/// One work of a record, as `GET /works` summarises it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkSummary {
    pub put_code: i64,
    /// Its `self` DOIs, normalised.
    pub dois: Vec<String>,
    /// Added by our ORCID client.
    pub ours: bool,
    /// Who added it, as ORCID names the source (a member's name, or the person's).
    pub source_name: Option<String>,
}

/// The summaries of a `GET /works` body.
pub fn summaries(body: &Value, client_id: &str) -> Vec<WorkSummary> {
    let mut out = Vec::new();
    for group in body.get("group").and_then(Value::as_array).into_iter().flatten() {
        for summary in group
            .get("work-summary")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(put_code) = summary.get("put-code").and_then(Value::as_i64) else {
                continue;
            };
            let dois = summary
                .pointer("/external-ids/external-id")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|id| {
                    id.get("external-id-type").and_then(Value::as_str) == Some("doi")
                        && id
                            .get("external-id-relationship")
                            .and_then(Value::as_str)
                            .is_none_or(|r| r == "self")
                })
                .filter_map(|id| id.get("external-id-value").and_then(Value::as_str))
                .filter_map(|v| crate::domain::Doi::parse(v).ok())
                .map(String::from)
                .collect();
            out.push(WorkSummary {
                put_code,
                dois,
                ours: summary.pointer("/source/source-client-id/path").and_then(Value::as_str) == Some(client_id),
                source_name: summary
                    .pointer("/source/source-name/value")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
    }
    out
}

/// Looks through `GET /works` groups for a summary with a `self` DOI id equal to `doi` whose source
/// is our client (we may only update our own works); falls back to any source when none says.
pub fn find_in_works(body: &Value, doi: &str, client_id: &str) -> Option<i64> {
    let groups = body.get("group")?.as_array()?;
    let mut fallback = None;
    for group in groups {
        for summary in group
            .get("work-summary")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let ids = summary
                .pointer("/external-ids/external-id")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let matches = ids.iter().any(|id| {
                id.get("external-id-type").and_then(Value::as_str) == Some("doi")
                    && id
                        .get("external-id-value")
                        .and_then(Value::as_str)
                        .and_then(|v| crate::domain::Doi::parse(v).ok())
                        .is_some_and(|v| v.as_str() == doi)
            });
            if !matches {
                continue;
            }
            let Some(put_code) = summary.get("put-code").and_then(Value::as_i64) else {
                continue;
            };
            match summary.pointer("/source/source-client-id/path").and_then(Value::as_str) {
                Some(source) if source == client_id => return Some(put_code),
                Some(_) => {}
                None => fallback = fallback.or(Some(put_code)),
            }
        }
    }
    fallback
}

pub fn put_code_from_location(location: &str) -> Option<i64> {
    location
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .filter(|n: &i64| *n > 0)
}

/// The existing put-code that newer ORCID servers name in a 9021 message ("… put-code 1234").
fn put_code_in_message(message: &str) -> Option<i64> {
    let lower = message.to_ascii_lowercase();
    let at = lower.find("put-code")?;
    lower[at + "put-code".len()..]
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
}

fn transport_message(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "request timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        // Never include the URL's query or headers; the path holds only the ORCID iD.
        e.without_url().to_string()
    }
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

pub(crate) async fn error_of(response: reqwest::Response) -> OrcidError {
    let status = response.status();
    let retry = retry_after(&response);
    let text = response.text().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    classify(status, &body, &text, retry)
}

/// What an ORCID error (`status` and its JSON `body`, `text` the raw body) means for us.
fn classify(status: StatusCode, body: &Value, text: &str, retry: Option<Duration>) -> OrcidError {
    // The user message is meant for people; the developer message is the fallback.
    let message = ["user-message", "developer-message", "error_description", "error"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_str))
        .map(str::to_owned)
        .unwrap_or_else(|| text.chars().take(300).collect());
    let error_code = body.get("error-code").and_then(Value::as_i64);
    match status.as_u16() {
        401 => OrcidError::InvalidToken(
            body.get("error")
                .and_then(Value::as_str)
                .unwrap_or("unauthorized")
                .to_owned(),
        ),
        404 => OrcidError::NotFound,
        409 if error_code == Some(9021) || text.contains("already added") => OrcidError::Duplicate {
            // Newer servers name the existing put-code in the developer message.
            put_code: put_code_in_message(text),
        },
        429 | 503 => OrcidError::Throttled {
            status: status.as_u16(),
            retry_after: retry,
        },
        408 => OrcidError::Unavailable("request timed out".into()),
        s if s >= 500 => {
            OrcidError::Unavailable(format!("HTTP {s}: {}", message.chars().take(300).collect::<String>()))
        }
        s => OrcidError::Rejected {
            status: s,
            message: message.chars().take(500).collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn put_code_comes_from_the_last_segment() {
        assert_eq!(
            put_code_from_location("http://api.sandbox.orcid.org/v3.0/0000-0002-1825-0097/work/1234"),
            Some(1234)
        );
        assert_eq!(put_code_from_location("http://x/work/1234/"), Some(1234));
        assert_eq!(put_code_from_location("http://x/work/"), None);
        assert_eq!(put_code_from_location(""), None);
    }

    #[test]
    fn duplicate_messages_name_the_put_code() {
        assert_eq!(
            put_code_in_message("409 Conflict: You have already added this activity (matched by external identifiers), please see element with put-code 98765. If you are trying to edit the item, please use PUT instead of POST."),
            Some(98765)
        );
        assert_eq!(put_code_in_message("You have already added this activity"), None);
    }

    #[test]
    fn works_are_found_by_doi_and_source() {
        let body = json!({"group": [
            {"work-summary": [{"put-code": 1, "source": {"source-client-id": {"path": "APP-OTHER"}},
              "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": "10.5555/ABC"}]}}]},
            {"work-summary": [{"put-code": 2, "source": {"source-client-id": {"path": "APP-US"}},
              "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": "https://doi.org/10.5555/abc"}]}}]},
            {"work-summary": [{"put-code": 3, "source": {"source-client-id": {"path": "APP-US"}},
              "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": "10.5555/other"}]}}]}
        ]});
        assert_eq!(find_in_works(&body, "10.5555/abc", "APP-US"), Some(2));
        assert_eq!(find_in_works(&body, "10.5555/abc", "APP-NOBODY"), None);
        assert_eq!(find_in_works(&body, "10.5555/missing", "APP-US"), None);
        assert_eq!(find_in_works(&json!({}), "10.5555/abc", "APP-US"), None);
    }
}

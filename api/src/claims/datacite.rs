//! The DataCite REST API: one DOI, searches, and "updated since" scans.

use std::time::Duration;

use reqwest::{header, StatusCode};
use serde_json::Value;

use crate::domain::Doi;

#[derive(Clone)]
pub struct Datacite {
    http: reqwest::Client,
    base: url::Url,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataciteError {
    #[error("DataCite has no findable DOI {0}")]
    NotFound(String),
    /// 429, 5xx, timeouts: try again later.
    #[error("DataCite is unavailable: {message}")]
    Unavailable {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Another 4xx (e.g. a query DataCite cannot parse).
    #[error("DataCite refused the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
}

/// The most DOIs asked for in one `GET /dois?ids=…` (the intake also keeps each request's `ids`
/// to about 6 kB once URL-encoded).
pub const MAX_IDS: usize = 100;

/// One page of `GET /dois`.
#[derive(Debug, Clone)]
pub struct DoiPage {
    pub records: Vec<Value>,
    pub total: i64,
    /// The next page in cursor mode (`links.next`), when there is one.
    pub next: Option<url::Url>,
}

/// Query parameters for `GET /dois`.
#[derive(Debug, Clone, Default)]
pub struct DoiQuery {
    pub user_id: Option<String>,
    pub query: Option<String>,
    pub page_number: Option<u32>,
    pub page_size: u32,
    pub cursor: bool,
    pub sort: Option<String>,
}

impl Datacite {
    #[expect(
        clippy::expect_used,
        reason = "a client of fixed settings fails to build only if TLS cannot start, at start-up"
    )]
    pub fn new(base: url::Url, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!(
                "Profiles/",
                env!("CARGO_PKG_VERSION"),
                " (https://github.com/profiles; ORCID claims)"
            ))
            .build()
            .expect("static HTTP client configuration");
        Self { http, base }
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.base.as_str().trim_end_matches('/'))
    }

    /// `GET /dois/{doi}`: the DOI's slash kept, each segment percent-encoded.
    pub async fn doi(&self, doi: &Doi) -> Result<Value, DataciteError> {
        let url = self.endpoint(&format!("/dois/{}", doi.url_path()));
        let started = std::time::Instant::now();
        let sent = self
            .http
            .get(url)
            .query(&[("affiliation", "false"), ("publisher", "true")])
            .header(header::ACCEPT, "application/vnd.api+json")
            .send()
            .await;
        observe("read_doi", &sent, started);
        let response = sent.map_err(transport)?;
        match response.status() {
            StatusCode::OK => response.json().await.map_err(|e| DataciteError::Unavailable {
                message: format!("unreadable DOI record: {e}"),
                retry_after: None,
            }),
            StatusCode::NOT_FOUND => Err(DataciteError::NotFound(doi.to_string())),
            _ => Err(error_of(response).await),
        }
    }

    /// Several DOIs in one request: `GET /dois?ids=a,b,…` (lupo matches them whatever their case,
    /// and ignores the other filters). The records DataCite has, in no set order; a DOI it does
    /// not have is simply missing. At most [`MAX_IDS`] a request.
    pub async fn dois(&self, dois: &[Doi]) -> Result<Vec<Value>, DataciteError> {
        let ids = dois.iter().map(Doi::as_str).collect::<Vec<_>>().join(",");
        let size = dois.len().clamp(1, MAX_IDS).to_string();
        let request = self.http.get(self.endpoint("/dois")).query(&[
            ("ids", ids.as_str()),
            ("page[size]", size.as_str()),
            ("disable-facets", "true"),
            ("affiliation", "false"),
            ("publisher", "true"),
        ]);
        Ok(self.page(request).await?.records)
    }

    /// `GET /dois` with the given filters (facets disabled).
    pub async fn search(&self, q: &DoiQuery) -> Result<DoiPage, DataciteError> {
        let mut params: Vec<(&str, String)> = vec![
            ("page[size]", q.page_size.to_string()),
            ("disable-facets", "true".into()),
            ("publisher", "true".into()),
        ];
        if let Some(v) = &q.user_id {
            params.push(("user-id", v.clone()));
        }
        if let Some(v) = &q.query {
            params.push(("query", v.clone()));
        }
        if let Some(v) = &q.sort {
            params.push(("sort", v.clone()));
        }
        if q.cursor {
            params.push(("page[cursor]", "1".into()));
        } else if let Some(n) = q.page_number {
            params.push(("page[number]", n.to_string()));
        }
        let request = self.http.get(self.endpoint("/dois")).query(&params);
        self.page(request).await
    }

    /// The facets of everything that names `orcid` (`GET /dois?user-id=…&page[size]=0`): DataCite's
    /// `meta`, or why not. Quicker to give up than a push: a profile page waits for it.
    pub async fn facets_of(&self, orcid: &str) -> Result<Value, DataciteError> {
        let request = self
            .http
            .get(self.endpoint("/dois"))
            .query(&[("user-id", orcid), ("page[size]", "0")])
            .timeout(Duration::from_secs(5));
        let started = std::time::Instant::now();
        let sent = request.header(header::ACCEPT, "application/vnd.api+json").send().await;
        observe("user_facets", &sent, started);
        let response = sent.map_err(transport)?;
        if !response.status().is_success() {
            return Err(error_of(response).await);
        }
        let body: Value = response.json().await.map_err(|e| DataciteError::Unavailable {
            message: format!("unreadable DOI list: {e}"),
            retry_after: None,
        })?;
        Ok(body.get("meta").cloned().unwrap_or(Value::Null))
    }

    /// Follows a `links.next` URL from an earlier page. Only URLs on the configured host are followed.
    pub async fn next(&self, next: &url::Url) -> Result<DoiPage, DataciteError> {
        if next.origin() != self.base.origin() {
            return Err(DataciteError::Rejected {
                status: 0,
                message: format!(
                    "refusing to follow a next link to another host: {}",
                    next.origin().ascii_serialization()
                ),
            });
        }
        self.page(self.http.get(next.clone())).await
    }

    async fn page(&self, request: reqwest::RequestBuilder) -> Result<DoiPage, DataciteError> {
        let started = std::time::Instant::now();
        let sent = request.header(header::ACCEPT, "application/vnd.api+json").send().await;
        observe("list_dois", &sent, started);
        let response = sent.map_err(transport)?;
        if !response.status().is_success() {
            return Err(error_of(response).await);
        }
        let body: Value = response.json().await.map_err(|e| DataciteError::Unavailable {
            message: format!("unreadable DOI list: {e}"),
            retry_after: None,
        })?;
        Ok(DoiPage {
            records: body.get("data").and_then(Value::as_array).cloned().unwrap_or_default(),
            total: body.pointer("/meta/total").and_then(Value::as_i64).unwrap_or(0),
            next: body
                .pointer("/links/next")
                .and_then(Value::as_str)
                .and_then(|s| url::Url::parse(s).ok()),
        })
    }
}

fn transport(e: reqwest::Error) -> DataciteError {
    DataciteError::Unavailable {
        message: if e.is_timeout() {
            "request timed out".into()
        } else if e.is_connect() {
            "could not connect".into()
        } else {
            e.without_url().to_string()
        },
        retry_after: None,
    }
}

async fn error_of(response: reqwest::Response) -> DataciteError {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|b| b.pointer("/errors/0/title").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {status}"));
    if status == 429 || status >= 500 {
        DataciteError::Unavailable { message, retry_after }
    } else {
        DataciteError::Rejected { status, message }
    }
}

/// Counts one DataCite call in the metrics.
fn observe(operation: &str, sent: &Result<reqwest::Response, reqwest::Error>, started: std::time::Instant) {
    crate::metrics::upstream_call(
        "datacite",
        operation,
        sent.as_ref().ok().map(|r| r.status().as_u16()),
        started.elapsed(),
    );
}

//! The web UI's files, served from memory: `index.html` (checked against the file's size and
//! modification time on every request, so a new build is picked up) and the hashed assets
//! (immutable by name, so read once). Reading them through a file handle on the blocking pool for
//! every request cost more than the API's own reads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};

/// One file in memory, with its validator.
#[derive(Debug)]
struct Cached {
    body: Bytes,
    etag: String,
    content_type: &'static str,
    stamp: Option<(SystemTime, u64)>,
}

/// The web UI's files under `dir`.
#[derive(Debug, Default)]
pub struct WebUi {
    dir: PathBuf,
    index: RwLock<Option<Arc<Cached>>>,
    assets: RwLock<HashMap<String, Arc<Cached>>>,
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "json" | "map" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn load(path: &Path, name: &str) -> Option<Cached> {
    let meta = std::fs::metadata(path).ok()?;
    let body = std::fs::read(path).ok()?;
    let digest = crate::crypto::sha256(&body);
    let etag = format!(
        "\"{}\"",
        digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>()
    );
    Some(Cached {
        body: Bytes::from(body),
        etag,
        content_type: content_type(name),
        stamp: meta.modified().ok().map(|m| (m, meta.len())),
    })
}

fn respond(req: &HttpRequest, file: &Cached, cache_control: &'static str) -> HttpResponse {
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == file.etag));
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::ETAG, file.etag.clone()));
    if fresh {
        return res.finish();
    }
    res.content_type(file.content_type).body(file.body.clone())
}

impl WebUi {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            ..Self::default()
        }
    }

    /// `index.html`, revalidated by browsers (`no-cache`); `None` when the UI is not built.
    pub fn index(&self, req: &HttpRequest) -> Option<HttpResponse> {
        let path = self.dir.join("index.html");
        let meta = std::fs::metadata(&path).ok()?;
        let stamp = meta.modified().ok().map(|m| (m, meta.len()));
        let cached = self.index.read().ok().and_then(|c| c.clone());
        let file = match cached {
            Some(c) if c.stamp == stamp && stamp.is_some() => c,
            _ => {
                let fresh = Arc::new(load(&path, "index.html")?);
                if let Ok(mut slot) = self.index.write() {
                    *slot = Some(fresh.clone());
                }
                fresh
            }
        };
        Some(respond(req, &file, "no-cache"))
    }

    /// A hashed asset under `assets/` (`name` has no slashes or dot-segments); cached for good.
    pub fn asset(&self, req: &HttpRequest, name: &str) -> Option<HttpResponse> {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !plain {
            return None;
        }
        if let Some(file) = self.assets.read().ok().and_then(|a| a.get(name).cloned()) {
            return Some(respond(req, &file, "public, max-age=31536000, immutable"));
        }
        let file = Arc::new(load(&self.dir.join("assets").join(name), name)?);
        if let Ok(mut assets) = self.assets.write() {
            // A handful of files per build; a stale name simply stays until the next start.
            if assets.len() < 512 {
                assets.insert(name.to_owned(), file.clone());
            }
        }
        Some(respond(req, &file, "public, max-age=31536000, immutable"))
    }
}

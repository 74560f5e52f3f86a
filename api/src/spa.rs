//! The web UI's files, served from memory: `index.html` (checked against the file's size and
//! modification time on every request, so a new build is picked up) and the hashed assets
//! (immutable by name, so read once). Reading them through a file handle on the blocking pool for
//! every request cost more than the API's own reads. Text files are also kept gzipped (compressed
//! once, as each is first read) and sent so to a browser that accepts it: the largest bundle goes
//! from about 290 kB to a third of that.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};

/// One file in memory, with its validator, and its gzipped form where that is smaller.
#[derive(Debug)]
struct Cached {
    body: Bytes,
    etag: String,
    /// The gzipped body and its own validator (another representation, another ETag).
    gzip: Option<(Bytes, String)>,
    content_type: &'static str,
    stamp: Option<(SystemTime, u64)>,
}

/// Gzip pays for text above a kilobyte or so; images and fonts are compressed already.
fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/") || content_type.starts_with("application/json") || content_type == "image/svg+xml"
}

fn gzipped(body: &[u8]) -> Option<Bytes> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::default());
    encoder.write_all(body).ok()?;
    let out = encoder.finish().ok()?;
    // Kept only if it saves a tenth or more.
    (out.len() * 10 < body.len() * 9).then(|| Bytes::from(out))
}

/// Whether the request's `Accept-Encoding` takes gzip: named, or `*`, with a weight above 0 (an
/// explicit `gzip;q=0` wins over `*`).
fn accepts_gzip(req: &HttpRequest) -> bool {
    let (mut gzip, mut any) = (None, None);
    for coding in req
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let weight = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .map_or(1.0, |(_, q)| q.trim().parse::<f32>().unwrap_or(0.0));
        if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            gzip = Some(weight);
        } else if name == "*" {
            any = Some(weight);
        }
    }
    gzip.or(any).is_some_and(|q| q > 0.0)
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
    let content_type = content_type(name);
    let gzip = if compressible(content_type) && body.len() > 1024 {
        gzipped(&body).map(|gz| (gz, format!("{}-gzip\"", etag.trim_end_matches('"'))))
    } else {
        None
    };
    Some(Cached {
        body: Bytes::from(body),
        etag,
        gzip,
        content_type,
        stamp: meta.modified().ok().map(|m| (m, meta.len())),
    })
}

fn respond(req: &HttpRequest, file: &Cached, cache_control: &'static str) -> HttpResponse {
    let (body, etag, gzip) = match &file.gzip {
        Some((gz, etag)) if accepts_gzip(req) => (gz, etag, true),
        _ => (&file.body, &file.etag, false),
    };
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
        });
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::ETAG, etag.clone()));
    if file.gzip.is_some() {
        res.insert_header((header::VARY, "Accept-Encoding"));
    }
    if fresh {
        return res.finish();
    }
    if gzip {
        // Already encoded: actix must not encode it again or drop the header.
        res.insert_header(actix_web::http::header::ContentEncoding::Gzip);
    }
    res.content_type(file.content_type).body(body.clone())
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

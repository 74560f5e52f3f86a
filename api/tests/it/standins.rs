//! The local stand-ins (e2e/stand-ins), started once per test process as their own Node process,
//! and an app wired to them with its own freshly registered OAuth clients.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine;

use crate::support::{spawn_on, Addressed, TestApp};

pub struct StandIns {
    pub orcid: String,
    pub google: String,
    pub github: String,
    pub orcid_api: String,
    pub datacite: String,
    // Held so the process lives as long as the tests; it exits when this pipe closes.
    _process: Mutex<(Child, ChildStdin)>,
}

pub fn standins() -> &'static StandIns {
    static S: OnceLock<StandIns> = OnceLock::new();
    S.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let log = std::fs::File::create(root.join("target/stand-ins-test.log")).expect("log file");
        let mut cmd = Command::new("node");
        cmd.arg(root.join("e2e/stand-ins/cli.mjs"))
            .args(["all", "--exit-with-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log);
        for name in ["ORCID", "GOOGLE", "GITHUB", "ORCID_API", "DATACITE"] {
            cmd.env(format!("STANDIN_{name}_PORT"), "0");
        }
        let mut child = cmd.spawn().expect("node runs the stand-ins (make test installs them)");
        let stdin = child.stdin.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut urls = std::collections::HashMap::new();
        while urls.len() < 5 {
            let line = lines.next().expect("stand-ins print ready lines").unwrap();
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            urls.insert(
                v["ready"].as_str().unwrap().to_owned(),
                v["url"].as_str().unwrap().to_owned(),
            );
        }
        // Tests in parallel share this double from one IP: its rate limit would couple them. The
        // limit itself is tested against private doubles (workers.rs); faults are injected per iD.
        let status = ureq_post(
            &format!("{}/_control/config", urls["orcid-api"]),
            r#"{"rateLimit": false}"#,
        );
        assert_eq!(status, 200, "configuring the ORCID API double");
        StandIns {
            orcid: urls["orcid"].clone(),
            google: urls["google"].clone(),
            github: urls["github"].clone(),
            orcid_api: urls["orcid-api"].clone(),
            datacite: urls["datacite"].clone(),
            _process: Mutex::new((child, stdin)),
        }
    })
}

/// A blocking POST of a JSON body (the stand-ins start outside any async runtime); returns the status.
fn ureq_post(url: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let parsed = url::Url::parse(url).unwrap();
    let mut stream = std::net::TcpStream::connect((parsed.host_str().unwrap(), parsed.port().unwrap())).unwrap();
    write!(
        stream,
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        parsed.path(),
        parsed.host_str().unwrap(),
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The OAuth clients registered for one app (their secrets must never reach a log).
#[expect(dead_code, reason = "the log-secrecy test reads them")]
pub struct Clients {
    pub orcid: (String, String),
    pub google: (String, String),
    pub github: (String, String),
}

/// Registers an OAuth client at a stand-in; returns (client_id, client_secret).
pub async fn register(url: &str, body: serde_json::Value) -> (String, String) {
    let res = reqwest::Client::new().post(url).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201, "registering a client at {url}");
    let v: serde_json::Value = res.json().await.unwrap();
    (
        v["client_id"].as_str().unwrap().to_owned(),
        v["client_secret"].as_str().unwrap().to_owned(),
    )
}

pub fn random_key(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::Rng::fill(&mut rand::thread_rng(), &mut bytes[..]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An app with ORCID, Google and GitHub enabled against the stand-ins.
pub async fn spawn_app_with_providers(extra: &[(&str, &str)]) -> (TestApp, Clients) {
    let s = standins();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let orcid = register(
        &format!("{}/reg", s.orcid),
        serde_json::json!({
            "redirect_uris": [format!("{base}/auth/orcid/callback"), format!("{base}/auth/orcid/grant/callback")],
            "token_endpoint_auth_method": "client_secret_post",
            "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        }),
    )
    .await;
    let google = register(
        &format!("{}/reg", s.google),
        serde_json::json!({
            "redirect_uris": [format!("{base}/auth/google/callback")],
            "grant_types": ["authorization_code", "refresh_token"],
        }),
    )
    .await;
    let github = register(
        &format!("{}/_control/clients", s.github),
        serde_json::json!({ "redirect_uris": [format!("{base}/auth/github/callback")] }),
    )
    .await;
    let enc = random_key(32);
    let session = random_key(64);
    let mut env: Vec<(&str, String)> = vec![
        ("PUBLIC_URL", base.clone()),
        ("ENCRYPTION_KEY", enc),
        ("SESSION_SECRET", session),
        ("ORCID_CLIENT_ID", orcid.0.clone()),
        ("ORCID_CLIENT_SECRET", orcid.1.clone()),
        ("ORCID_URL", s.orcid.clone()),
        ("ORCID_API_URL", s.orcid_api.clone()),
        ("GOOGLE_CLIENT_ID", google.0.clone()),
        ("GOOGLE_CLIENT_SECRET", google.1.clone()),
        ("GOOGLE_ISSUER_URL", s.google.clone()),
        ("GITHUB_CLIENT_ID", github.0.clone()),
        ("GITHUB_CLIENT_SECRET", github.1.clone()),
        ("GITHUB_URL", s.github.clone()),
        ("GITHUB_API_URL", s.github.clone()),
        ("DATACITE_API_URL", s.datacite.clone()),
    ];
    for (k, v) in extra {
        env.retain(|(name, _)| name != k);
        env.push((k, (*v).to_owned()));
    }
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_on(listener, &pairs).await;
    (app, Clients { orcid, google, github })
}

/// A browser: one cookie jar for our app. The provider side of each flow gets a fresh jar, as if
/// the person had to log in at the provider every time.
pub fn browser() -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar.clone())
        .build()
        .unwrap();
    (client, jar)
}

pub fn absolute_url(base: &str, location: &str) -> String {
    absolute(base, location)
}

fn absolute(base: &str, location: &str) -> String {
    url::Url::parse(base).unwrap().join(location).unwrap().to_string()
}

/// Outcome of the provider part of a flow.
pub enum Started {
    /// The provider sent the browser back to our callback with this URL.
    Callback(String),
    /// Our start endpoint answered without redirecting to a provider.
    Refused(reqwest::Response),
}

/// Starts a flow at `start` and logs in at the provider as `login`; stops before our callback.
pub async fn until_callback(app: &impl Addressed, browser: &reqwest::Client, start: &str, login: &str) -> Started {
    let res = browser.get(app.url(start)).send().await.unwrap();
    at_provider(app, res, login).await
}

/// Posts a flow's start form from our own page (`Origin` ours), then logs in as `login`.
pub async fn form_until_callback(
    app: &impl Addressed,
    browser: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
    login: &str,
) -> Started {
    let res = browser
        .post(app.url(path))
        .header("origin", app.address().trim_end_matches('/'))
        .form(form)
        .send()
        .await
        .unwrap();
    at_provider(app, res, login).await
}

/// A whole flow started by a form post; returns our callback's response.
pub async fn form_flow(
    app: &impl Addressed,
    browser: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
    login: &str,
) -> reqwest::Response {
    match form_until_callback(app, browser, path, form, login).await {
        Started::Callback(url) => browser.get(url).send().await.unwrap(),
        Started::Refused(res) => res,
    }
}

/// Follows our start's redirect through the provider's login, up to our callback.
async fn at_provider(app: &impl Addressed, res: reqwest::Response, login: &str) -> Started {
    if !res.status().is_redirection() {
        return Started::Refused(res);
    }
    let mut url = absolute(app.address(), res.headers()["location"].to_str().unwrap());
    let (provider, _) = browser_pair();
    let mut logged_in = false;
    for _ in 0..20 {
        if url.starts_with(app.address()) {
            return Started::Callback(url);
        }
        let res = provider.get(&url).send().await.unwrap();
        if res.status().is_redirection() {
            url = absolute(&url, res.headers()["location"].to_str().unwrap());
            continue;
        }
        assert_eq!(res.status(), 200, "unexpected provider page at {url}");
        assert!(!logged_in, "the provider asked to log in twice at {url}");
        logged_in = true;
        let next = if url.contains("/login/oauth/authorize") {
            // GitHub: the authorize page posts its own query back with the login.
            let parsed = url::Url::parse(&url).unwrap();
            let mut form: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
            form.push(("login".into(), login.into()));
            form.push(("authorize".into(), "1".into()));
            let post_to = format!("{}{}", parsed.origin().ascii_serialization(), parsed.path());
            provider.post(post_to).form(&form).send().await.unwrap()
        } else {
            provider
                .post(&url)
                .form(&[("prompt", "login"), ("login", login), ("password", "x")])
                .send()
                .await
                .unwrap()
        };
        assert!(
            next.status().is_redirection(),
            "login at {url} answered {}",
            next.status()
        );
        url = absolute(&url, next.headers()["location"].to_str().unwrap());
    }
    panic!("the flow did not come back to the app");
}

fn browser_pair() -> (reqwest::Client, ()) {
    (browser().0, ())
}

/// A whole flow; returns our callback's response (normally a 303 to the return path).
pub async fn flow(app: &impl Addressed, browser: &reqwest::Client, start: &str, login: &str) -> reqwest::Response {
    match until_callback(app, browser, start, login).await {
        Started::Callback(url) => browser.get(url).send().await.unwrap(),
        Started::Refused(res) => res,
    }
}

pub async fn sign_in_orcid(app: &impl Addressed, browser: &reqwest::Client, orcid: &str) -> reqwest::Response {
    flow(app, browser, "/auth/orcid/start?return_to=/settings", orcid).await
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

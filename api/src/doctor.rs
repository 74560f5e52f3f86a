//! `profiles doctor`: is this installation able to work, and what is it configured with?
//!
//! Each check prints one line, `ok` or `FAILED` with the reason; then a configuration dump with
//! every secret masked (`[set]` / `[not set]`) and no password in a URL, safe to paste into a
//! support request. Reaching a service means getting an HTTP answer from it: what a check can
//! verify without credentials of a person.

use std::time::Duration;

use crate::config::{Config, Secret};

/// One check's outcome.
pub struct Check {
    pub name: String,
    pub result: Result<String, String>,
}

/// Runs every check; the configuration itself was checked when it was read.
pub async fn checks(config: &Config) -> Vec<Check> {
    let mut out = vec![Check {
        name: "configuration".into(),
        result: Ok("read and valid".into()),
    }];
    out.push(Check {
        name: "PostgreSQL".into(),
        result: database(config).await,
    });
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .user_agent(concat!("Profiles/", env!("CARGO_PKG_VERSION"), " (doctor)"))
        .build();
    let Ok(http) = http else {
        return out;
    };
    let reach = |name: &str, url: String, want_ok: bool| (name.to_owned(), url, want_ok);
    let mut targets = Vec::new();
    match &config.orcid {
        Some(o) => {
            targets.push(reach(
                "ORCID sign-in",
                format!(
                    "{}/.well-known/openid-configuration",
                    o.url.as_str().trim_end_matches('/')
                ),
                true,
            ));
            targets.push(reach("ORCID Member API", o.api_url.to_string(), false));
        }
        None => out.push(Check {
            name: "ORCID".into(),
            result: Err("not configured (ORCID_CLIENT_ID, ORCID_CLIENT_SECRET): nobody can sign in".into()),
        }),
    }
    targets.push(reach(
        "DataCite REST API",
        format!("{}/heartbeat", config.datacite_api_url.as_str().trim_end_matches('/')),
        false,
    ));
    if let Some(g) = &config.google {
        targets.push(reach(
            "Google sign-in",
            format!(
                "{}/.well-known/openid-configuration",
                g.issuer_url.as_str().trim_end_matches('/')
            ),
            true,
        ));
    }
    if let Some(g) = &config.github {
        targets.push(reach("GitHub API", g.api_url.to_string(), false));
    }
    for (name, url, want_ok) in targets {
        let shown = masked_url(&url);
        let result = match http.get(&url).send().await {
            Ok(r) if want_ok && !r.status().is_success() => Err(format!("{shown} answered {}", r.status())),
            Ok(r) => Ok(format!("{shown} answered {}", r.status())),
            Err(e) => Err(format!("{shown}: {}", without_url(&e))),
        };
        out.push(Check { name, result });
    }
    out
}

fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    kind.to_owned()
}

async fn database(config: &Config) -> Result<String, String> {
    let url = config.database_url.as_ref().ok_or("DATABASE_URL is not set")?;
    let pool = crate::db::pool(url.expose(), 1, config.database_connect_timeout);
    tokio::task::spawn_blocking(move || -> Result<String, String> {
        use diesel::RunQueryDsl;
        let mut conn = pool.get().map_err(|e| format!("cannot connect: {e}"))?;
        #[derive(diesel::QueryableByName)]
        struct Version {
            #[diesel(sql_type = diesel::sql_types::Text)]
            server_version: String,
        }
        let v: Version = diesel::sql_query("SHOW server_version")
            .get_result(&mut **conn)
            .map_err(|e| e.to_string())?;
        let pending = crate::db::pending_migrations(&mut conn).map_err(|e| e.to_string())?;
        if pending.is_empty() {
            Ok(format!("PostgreSQL {}, schema up to date", v.server_version))
        } else {
            Err(format!(
                "PostgreSQL {}, {} migrations not applied (run `profiles migrate`): {}",
                v.server_version,
                pending.len(),
                pending.join(", ")
            ))
        }
    })
    .await
    .map_err(|e| e.to_string())?
}

fn set<T>(secret: &Option<Secret<T>>) -> String {
    if secret.is_some() { "[set]" } else { "[not set]" }.into()
}

/// A URL with its password masked and its query left out (a query may carry credentials too,
/// e.g. `?password=` or `sslpassword=` in a PostgreSQL URL).
fn masked_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            let had_query = u.query().is_some();
            u.set_query(None);
            u.set_fragment(None);
            if had_query {
                format!("{u}?[query masked]")
            } else {
                u.to_string()
            }
        }
        Err(_) => "[not a URL]".into(),
    }
}

fn masked(u: &url::Url) -> String {
    masked_url(u.as_str())
}

/// The settings that matter for support, by environment variable, secrets masked.
pub fn dump(config: &Config) -> Vec<(&'static str, String)> {
    let secs = |d: Duration| format!("{} s", d.as_secs());
    let nets = |n: &[ipnet::IpNet]| {
        if n.is_empty() {
            "—".to_owned()
        } else {
            n.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
        }
    };
    vec![
        ("version", env!("CARGO_PKG_VERSION").to_owned()),
        ("PUBLIC_URL", masked(&config.public_url)),
        ("HOST:PORT", format!("{}:{}", config.host, config.port)),
        (
            "DATABASE_URL",
            config
                .database_url
                .as_ref()
                .map_or("[not set]".into(), |u| masked_url(u.expose())),
        ),
        ("DATABASE_POOL_SIZE", config.database_pool_size.to_string()),
        ("DATABASE_CONNECT_TIMEOUT_SECS", secs(config.database_connect_timeout)),
        ("ENCRYPTION_KEY", set(&config.encryption_key)),
        (
            "ENCRYPTION_KEY_PREVIOUS",
            format!("{} keys", config.encryption_key_previous.len()),
        ),
        ("SESSION_SECRET", set(&config.session_secret)),
        (
            "ORCID",
            config.orcid.as_ref().map_or("[not configured]".into(), |o| {
                format!(
                    "client {} secret [set], {} (Member API {})",
                    o.client_id,
                    masked(&o.url),
                    masked(&o.api_url)
                )
            }),
        ),
        (
            "GOOGLE",
            config.google.as_ref().map_or("[not configured]".into(), |g| {
                format!("client {} secret [set], {}", g.client_id, masked(&g.issuer_url))
            }),
        ),
        (
            "GITHUB",
            config.github.as_ref().map_or("[not configured]".into(), |g| {
                format!("client {} secret [set], {}", g.client_id, masked(&g.api_url))
            }),
        ),
        ("DATACITE_API_URL", masked(&config.datacite_api_url)),
        (
            "DATACITE_JWT_PUBLIC_KEY",
            if config.datacite_jwt_public_key.is_some() {
                "[set]"
            } else {
                "[not set]"
            }
            .into(),
        ),
        ("DATACITE_SERVICE_UIDS", config.datacite_service_uids.join(",")),
        ("TRUSTED_PROXIES", nets(&config.security.trusted_proxies)),
        ("METRICS_TOKEN", set(&config.metrics.token)),
        ("METRICS_ALLOWED_NETWORKS", nets(&config.metrics.allowed_networks)),
        ("RUN_MIGRATIONS", config.run_migrations.to_string()),
        ("RUN_WORKER", config.run_worker.to_string()),
        ("SHUTDOWN_TIMEOUT_SECS", secs(config.shutdown_timeout)),
        (
            "ORCID_RATE_LIMIT_PER_SEC / BURST",
            format!(
                "{} / {}",
                config.claims.orcid_rate_per_sec, config.claims.orcid_rate_burst
            ),
        ),
        ("WORKER_LEASE_SECS", secs(config.worker.lease)),
        ("WORKER_CONCURRENCY", config.worker.concurrency.to_string()),
        ("SESSION_TTL_HOURS", format!("{}", config.session_ttl.as_secs() / 3600)),
        (
            "REAUTH_MAX_AGE_MINUTES",
            format!("{}", config.security.reauth_max_age.as_secs() / 60),
        ),
        ("WEB_UI_DIR", config.web_ui_dir.display().to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dump_shows_no_secret() {
        let env: std::collections::HashMap<String, String> = [
            (
                "DATABASE_URL",
                "postgres://app:hunter2-password@db:5432/profiles?sslpassword=query-secret",
            ),
            ("DATACITE_API_URL", "https://user:datacite-secret@api.datacite.org/"),
            ("ENCRYPTION_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
            ("SESSION_SECRET", &"s".repeat(88)),
            ("ORCID_CLIENT_ID", "APP-0000000000000001"),
            ("ORCID_CLIENT_SECRET", "orcid-secret-value"),
            ("METRICS_TOKEN", &"t".repeat(40)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let config = Config::from(&env).unwrap();
        let text = format!("{:?}", dump(&config));
        for secret in [
            "hunter2-password",
            "MDEyMzQ1",
            "orcid-secret-value",
            "ssssssss",
            "tttttttt",
        ] {
            assert!(!text.contains(secret), "{secret} shows in {text}");
        }
        assert!(
            text.contains("postgres://app:***@db:5432/profiles?[query masked]"),
            "{text}"
        );
        assert!(text.contains("APP-0000000000000001"), "{text}");
    }
}

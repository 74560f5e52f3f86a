//! The `profiles` command: serve, worker, migrate, openapi.

use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use tokio::sync::watch;

use profiles_api::config::Config;
use profiles_api::startup::{self, AppState};
use profiles_api::{db, telemetry, worker};

#[derive(Parser)]
#[command(name = "profiles", version, about = "Profiles: account service for researchers")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API, the web UI and the docs; runs the background worker in-process too.
    Serve {
        /// Do not apply pending database migrations at start.
        #[arg(long)]
        no_migrate: bool,
        /// Do not run the background worker in this process.
        #[arg(long)]
        no_worker: bool,
    },
    /// Run background jobs only.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Check the configuration, PostgreSQL, ORCID, DataCite and the sign-in providers, and print
    /// the configuration with its secrets masked (for a support request).
    Doctor,
    /// Manage the keys that sign JWTs.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Administration from the command line (bootstrap the first admin).
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Manage API tokens (e.g. the credential of the DOI event feed).
    Tokens {
        #[command(subcommand)]
        action: TokensAction,
    },
    /// Manage the client applications that sign people in with Profiles (OpenID Connect).
    Clients {
        #[command(subcommand)]
        action: ClientsAction,
    },
}

#[derive(Subcommand)]
enum ClientsAction {
    /// Register a client and print its id and secret (the secret is shown only once).
    Add {
        /// Shown to people on the consent page and in "Apps with access".
        #[arg(long)]
        name: String,
        /// An exact redirect URI; repeat for several.
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// A scope it may ask for besides openid: profile, email, orcid, datacite,
        /// offline_access; repeat for several (default: profile).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// A public client (a single-page or native app): no secret, PKCE alone.
        #[arg(long)]
        public: bool,
        /// No consent page (DataCite's own services).
        #[arg(long)]
        first_party: bool,
        /// Where RP-initiated logout may send people back to; repeat for several.
        #[arg(long = "post-logout-redirect-uri")]
        post_logout_redirect_uris: Vec<String>,
        /// Back-channel logout: a `logout_token` is POSTed here when a session ends.
        #[arg(long)]
        backchannel_logout_uri: Option<String>,
    },
    /// List the clients.
    List,
    /// Remove a client: it signs nobody in any more and its tokens stop working.
    Remove { client_id: String },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Give an existing account a role: staff_admin, staff_user, provider_admin, provider_user,
    /// client_admin, client_user or user.
    Grant { orcid: String, role: String },
}

#[derive(Subcommand)]
enum TokensAction {
    /// Create a token for an existing account and print it (it is shown only once).
    Create {
        /// The account's ORCID iD.
        #[arg(long)]
        orcid: String,
        /// What the token is for, e.g. "DataCite event feed".
        #[arg(long)]
        name: String,
        /// A scope: claims:read, claims:write, events:write, accounts:read. Repeat for several.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Days until it expires: 1 to 730 (default 365). Every token ends; make a new one
        /// before this one does.
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=730))]
        expires_in_days: u32,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// List the active keys.
    List,
    /// Add a new signing key. Older keys keep verifying tokens until retired.
    Rotate,
    /// Withdraw a key; tokens it signed stop verifying. Do this once they have expired.
    Retire { kid: String },
    /// Re-seal every stored secret (provider tokens, ORCID permissions, signing keys) under the
    /// current ENCRYPTION_KEY, after a rotation; then ENCRYPTION_KEY_PREVIOUS can go.
    Reencrypt,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        match startup::openapi().to_pretty_json() {
            Ok(json) => {
                println!("{json}");
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let result = actix_web::rt::System::new().block_on(async move {
        match cli.command {
            Command::Serve { no_migrate, no_worker } => {
                let (migrations, background) = (config.run_migrations && !no_migrate, config.run_worker && !no_worker);
                serve(config, migrations, background).await
            }
            Command::Worker => run_worker(config).await,
            Command::Migrate => migrate(&config).await,
            Command::Doctor => doctor(&config).await,
            Command::Openapi => Ok(()),
            Command::Keys { action } => keys(&config, action).await,
            Command::Tokens { action } => tokens(&config, action).await,
            Command::Clients { action } => clients(&config, action).await,
            Command::Admin { action } => admin(&config, action).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "profiles stopped with an error");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn pool(config: &Config) -> Result<db::DbPool, BoxError> {
    let url = config
        .database_url
        .as_ref()
        .ok_or("DATABASE_URL is not set (make run and make test set it for you)")?;
    Ok(db::pool(
        url.expose(),
        config.database_pool_size,
        config.database_connect_timeout,
    ))
}

async fn doctor(config: &Config) -> Result<(), BoxError> {
    let checks = profiles_api::doctor::checks(config).await;
    println!("Profiles doctor");
    for c in &checks {
        match &c.result {
            Ok(m) => println!("  ok      {:<20} {m}", c.name),
            Err(m) => println!("  FAILED  {:<20} {m}", c.name),
        }
    }
    println!();
    println!("Configuration (secrets masked):");
    for (name, value) in profiles_api::doctor::dump(config) {
        println!("  {name:<34} {value}");
    }
    let failed = checks.iter().filter(|c| c.result.is_err()).count();
    if failed > 0 {
        return Err(format!("{failed} checks failed").into());
    }
    Ok(())
}

async fn migrate(config: &Config) -> Result<(), BoxError> {
    let pool = pool(config)?;
    let applied = tokio::task::spawn_blocking(move || -> Result<Vec<String>, BoxError> {
        let mut conn = pool.get()?;
        db::migrate(&mut conn)
    })
    .await??;
    if applied.is_empty() {
        tracing::info!("database schema is up to date");
    } else {
        tracing::info!(?applied, "applied migrations");
    }
    Ok(())
}

async fn serve(config: Config, run_migrations: bool, run_worker: bool) -> Result<(), BoxError> {
    if run_migrations {
        migrate(&config).await?;
    }
    let pool = pool(&config)?;
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    tracing::info!(address = %listener.local_addr()?, public_url = %config.public_url, "serving");
    let (stop_tx, stop_rx) = watch::channel(false);
    let config = Arc::new(config);
    let background = run_worker.then(|| actix_web::rt::spawn(worker::run(pool.clone(), config.clone(), stop_rx)));
    let state = AppState::new(pool, config);
    if state.cipher.is_none() {
        return Err(
            "ENCRYPTION_KEY is not set: it protects tokens and signing keys at rest (make run generates one)".into(),
        );
    }
    let (keys, key_pool) = (state.keys.clone(), state.pool.clone());
    tokio::task::spawn_blocking(move || -> Result<(), BoxError> {
        let mut conn = key_pool.get()?;
        keys.ensure_key(&mut conn)?;
        Ok(())
    })
    .await??;
    let server = startup::run(listener, state)?;
    // HttpServer stops gracefully on SIGINT/SIGTERM; the in-process worker is told at the same
    // moment, so both finish within one grace and it takes no new job meanwhile.
    let stop_tx = Arc::new(stop_tx);
    let on_signal = stop_tx.clone();
    actix_web::rt::spawn(async move {
        if shutdown_signal().await.is_ok() {
            let _ = on_signal.send(true);
        }
    });
    server.await?;
    let _ = stop_tx.send(true);
    if let Some(handle) = background {
        let _ = handle.await;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn keys(config: &Config, action: KeysAction) -> Result<(), BoxError> {
    use diesel::prelude::*;
    use profiles_api::auth::keys::KeyStore;
    use profiles_api::db::schema::signing_keys;
    let pool = pool(config)?;
    let cipher = config.cipher();
    tokio::task::spawn_blocking(move || -> Result<(), BoxError> {
        let mut conn = pool.get()?;
        let store = KeyStore::new(cipher.clone(), profiles_api::clock::Clock::system());
        match action {
            KeysAction::List => {
                let rows: Vec<(String, String, chrono::DateTime<chrono::Utc>)> = signing_keys::table
                    .order(signing_keys::created_at.desc())
                    .select((signing_keys::kid, signing_keys::status, signing_keys::created_at))
                    .load(&mut **conn)?;
                for (kid, status, created) in rows {
                    println!("{kid}\t{status}\t{}", created.to_rfc3339());
                }
            }
            KeysAction::Rotate => {
                let kid = store.create_key(&mut conn)?;
                println!("new signing key {kid}; retire older keys once their tokens have expired");
            }
            KeysAction::Reencrypt => {
                let cipher = cipher.as_ref().ok_or("ENCRYPTION_KEY is not set")?;
                let report = profiles_api::auth::rekey::reencrypt(&mut conn, cipher)?;
                println!(
                    "re-sealed {} values under the current ENCRYPTION_KEY ({} already were){}",
                    report.resealed,
                    report.current,
                    if report.unreadable.is_empty() {
                        String::new()
                    } else {
                        format!("; no key opens: {}", report.unreadable.join(", "))
                    }
                );
                if !report.unreadable.is_empty() {
                    return Err("some values open with no configured key; keep ENCRYPTION_KEY_PREVIOUS".into());
                }
            }
            KeysAction::Retire { kid } => {
                if !KeyStore::retire(&mut conn, &kid)? {
                    return Err(format!("no active key {kid}").into());
                }
                println!("retired {kid}");
            }
        }
        Ok(())
    })
    .await?
}

async fn admin(config: &Config, action: AdminAction) -> Result<(), BoxError> {
    let pool = pool(config)?;
    tokio::task::spawn_blocking(move || -> Result<(), BoxError> {
        let mut conn = pool.get()?;
        match action {
            AdminAction::Grant { orcid, role } => {
                let orcid = profiles_api::domain::OrcidId::parse(&orcid).map_err(|e| format!("orcid: {e}"))?;
                let role: profiles_api::domain::Role = role
                    .parse()
                    .map_err(|_| format!("unknown role {role:?}; see profiles admin grant --help"))?;
                let before = profiles_api::accounts::set_role(&mut conn, None, "command line", orcid.as_str(), role)?
                    .ok_or_else(|| format!("no account for {orcid}; sign in with that ORCID iD first"))?;
                println!("{orcid}: {before} -> {}", role.as_str());
            }
        }
        Ok(())
    })
    .await?
}

async fn clients(config: &Config, action: ClientsAction) -> Result<(), BoxError> {
    use profiles_api::clients;
    let pool = pool(config)?;
    let issuer = config.jwt.issuer.clone();
    tokio::task::spawn_blocking(move || -> Result<(), BoxError> {
        let mut conn = pool.get()?;
        match action {
            ClientsAction::Add {
                name,
                redirect_uris,
                scopes,
                public,
                first_party,
                post_logout_redirect_uris,
                backchannel_logout_uri,
            } => {
                let new = clients::NewClient {
                    name,
                    redirect_uris,
                    post_logout_redirect_uris,
                    backchannel_logout_uri,
                    allowed_scopes: scopes,
                    public,
                    first_party,
                };
                let (client, secret) = clients::register(&mut conn, &new, None).map_err(|e| e.detail.clone())?;
                profiles_api::audit::audit(
                    &mut conn,
                    None,
                    "command line",
                    "client.registered",
                    ("client", &client.id),
                    serde_json::json!({ "name": client.name, "redirect_uris": client.redirect_uris }),
                )?;
                println!("client_id:     {}", client.id);
                match secret {
                    Some(s) => println!("client_secret: {s}   (shown only now)"),
                    None => println!("client_secret: none (a public client: PKCE alone)"),
                }
                println!("issuer:        {issuer}");
                println!("scopes:        {}", client.allowed_scopes.join(" "));
            }
            ClientsAction::List => {
                for c in clients::list(&mut conn)? {
                    let kind = if c.confidential() { "confidential" } else { "public" };
                    let party = if c.first_party { ", first-party" } else { "" };
                    println!("{}  {}  ({kind}{party})  {}", c.id, c.name, c.redirect_uris.join(" "));
                }
            }
            ClientsAction::Remove { client_id } => {
                let now = profiles_api::clock::Clock::system().now();
                if !clients::remove(&mut conn, &client_id, now)? {
                    return Err(format!("no client {client_id}").into());
                }
                profiles_api::audit::audit(
                    &mut conn,
                    None,
                    "command line",
                    "client.removed",
                    ("client", &client_id),
                    serde_json::json!({}),
                )?;
                println!("removed {client_id}");
            }
        }
        Ok(())
    })
    .await?
}

async fn tokens(config: &Config, action: TokensAction) -> Result<(), BoxError> {
    use diesel::prelude::*;
    use profiles_api::auth::api_tokens;
    use profiles_api::db::schema::accounts;
    let pool = pool(config)?;
    tokio::task::spawn_blocking(move || -> Result<(), BoxError> {
        let mut conn = pool.get()?;
        match action {
            TokensAction::Create {
                orcid,
                name,
                scopes,
                expires_in_days,
            } => {
                let orcid = profiles_api::domain::OrcidId::parse(&orcid).map_err(|e| format!("--orcid: {e}"))?;
                if let Some(bad) = scopes.iter().find(|s| !api_tokens::is_scope(s)) {
                    return Err(format!("unknown scope {bad:?}").into());
                }
                let (account_id, role): (uuid::Uuid, String) = accounts::table
                    .filter(accounts::orcid.eq(orcid.as_str()))
                    .select((accounts::id, accounts::role))
                    .first(&mut **conn)
                    .optional()?
                    .ok_or_else(|| format!("no account for {orcid}; sign in with that ORCID iD first"))?;
                let role: profiles_api::domain::Role = role.parse().map_err(|_| "the account has an unknown role")?;
                if let Some(bad) = scopes.iter().find(|s| !api_tokens::role_allows(role, s)) {
                    return Err(format!(
                        "a {} account cannot use {bad:?}; a token never does more than its owner \
                         (grant a role first: profiles admin grant {orcid} staff_admin)",
                        role.as_str()
                    )
                    .into());
                }
                let expires =
                    profiles_api::clock::Clock::system().now() + chrono::Duration::days(i64::from(expires_in_days));
                let (token, id) = conn.transaction(|conn| {
                    let (token, id) = api_tokens::create(conn, account_id, &name, &scopes, Some(expires))?;
                    profiles_api::audit::audit(
                        conn,
                        None,
                        "command line",
                        "api_token.created",
                        ("account", orcid.as_str()),
                        serde_json::json!({"token_id": id, "name": name, "scopes": scopes, "expires_at": expires}),
                    )?;
                    diesel::QueryResult::Ok((token, id))
                })?;
                eprintln!(
                    "created API token {id} for {orcid} with scopes {}, expiring {}",
                    scopes.join(", "),
                    expires.format("%Y-%m-%d")
                );
                println!("{token}");
            }
        }
        Ok(())
    })
    .await?
}

async fn run_worker(config: Config) -> Result<(), BoxError> {
    if config.encryption_key.is_none() {
        return Err("ENCRYPTION_KEY is not set: the worker needs it to use stored ORCID permissions".into());
    }
    let pool = pool(&config)?;
    let config = Arc::new(config);
    let operations = match config.worker.metrics_port {
        Some(port) => {
            let listener = TcpListener::bind((config.host.as_str(), port))
                .map_err(|e| format!("cannot listen on {}:{port} (WORKER_METRICS_PORT): {e}", config.host))?;
            tracing::info!(address = %listener.local_addr()?, "serving this worker's metrics");
            let server = startup::run_operations(listener, AppState::new(pool.clone(), config.clone()))?;
            let handle = server.handle();
            actix_web::rt::spawn(server);
            Some(handle)
        }
        None => None,
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let handle = actix_web::rt::spawn(worker::run(pool, config, stop_rx));
    shutdown_signal().await?;
    tracing::info!("stopping worker");
    let _ = stop_tx.send(true);
    let _ = handle.await;
    if let Some(operations) = operations {
        operations.stop(true).await;
    }
    Ok(())
}

/// SIGINT (Ctrl-C) or SIGTERM (service managers).
async fn shutdown_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}

//! The state every handler and the worker share: the pool, the configuration, the clients.

use std::sync::Arc;

use crate::auth::keys::KeyStore;
use crate::auth::providers::Providers;
use crate::claims::process::Engine;
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::Cipher;
use crate::db::DbPool;

/// Shared by every handler.
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    /// Seals tokens at rest; `None` only when ENCRYPTION_KEY is unset (tests of the skeleton).
    pub cipher: Option<Cipher>,
    pub keys: KeyStore,
    pub providers: Arc<Providers>,
    /// DataCite and ORCID clients and the claims settings.
    pub claims: Engine,
    /// Now, for every handler (the engine shares it).
    pub clock: Clock,
}

impl AppState {
    pub fn new(pool: DbPool, config: Arc<Config>) -> Self {
        Self::with_clock(pool, config, Clock::system())
    }

    /// A state whose parts all read `clock` (tests run several processes on one clock).
    pub fn with_clock(pool: DbPool, config: Arc<Config>, clock: Clock) -> Self {
        let cipher = config.cipher();
        Self {
            claims: Engine::new(pool.clone(), &config, clock.clone()),
            keys: KeyStore::new(cipher.clone(), clock.clone()),
            clock,
            providers: Arc::new(Providers::new(&config)),
            cipher,
            pool,
            config,
        }
    }
}

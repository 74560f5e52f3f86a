//! One integration-test binary (each extra binary costs a link).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that cannot set up or read what it checks should stop there, loudly"
)]

mod standins;
mod support;

mod activity;
mod admin;
mod architecture;
mod attacks;
mod auth;
mod backfill;
mod claims;
mod datacite_browser;
mod datacite_compat;
mod datacite_exact;
mod errors;
mod health;
mod logs;
mod notifications;
mod oidc;
mod openapi;
mod operations;
mod policy;
mod queue;
mod reconcile;
mod review;
mod schema;
mod spa;
mod workers;

//! Profiles: an account service for researchers.
//!
//! Module map: `config` (environment), `startup` (the actix app), `routes` (every endpoint,
//! registered in one place), `error` (the one API error type), `db` (pool, migrations, schema),
//! `jobs` (the PostgreSQL job queue), `worker` (what the background jobs do).

pub mod accounts;
pub mod app;
pub mod audit;
pub mod auth;
pub mod claims;
pub mod clock;
pub mod compat;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod error;
pub mod identities;
pub mod jobs;
pub mod paging;
pub mod policy;
pub mod routes;
pub mod startup;
pub mod telemetry;
pub mod worker;

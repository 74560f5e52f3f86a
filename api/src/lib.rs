//! Profiles: an account service for researchers.
//!
//! Module map (docs/architecture.md says more). Arrows point down the list: the wiring uses the
//! product modules, product modules use the foundations, and nothing below the wiring imports it.
//!
//! - Wiring: `startup` (the actix app, its middleware and error safety nets), `routes` (every
//!   endpoint: parse, authorise through `policy`, call one service, render), `main` (the CLI).
//! - Product modules: `accounts` (a person's account, profile rules, the admin view, role
//!   changes), `identities` (sign-in with a verified identity, pending sign-ups, linking, ORCID
//!   grants, the OAuth/OIDC flow state), `auth` (who is calling: sessions, JWTs and their keys,
//!   API tokens, providers, single sign-on), `claims` (the claims store, state machine, search,
//!   processing, Auto-Update intake, DataCite's legacy form, admin actions, ORCID and DataCite
//!   clients), `notifications` (ORCID inbox permission notifications for people who have not
//!   granted Auto-Update, their links back, and the life of claims waiting for a permission),
//!   `clients` (Profiles as an OpenID Provider: registered client applications, codes,
//!   consents, token families, the tokens and what each scope reveals), `audit` (the audit log), `compat::datacite` (DataCite's callers, envelope and
//!   bodies), `policy` (every authorisation decision), `worker` and `jobs` (the queue), `metrics`
//!   (Prometheus counters and the database snapshot behind `/metrics`), `doctor` (an
//!   installation's checks and masked configuration dump).
//! - Foundations: `app` (the state handlers share), `clock` (the one source of now), `config`,
//!   `crypto`, `db` (pool, migrations, generated schema, models, enum columns), `domain` (values
//!   that validate on parse), `error` (the one API error type), `paging`, `ratelimit` (request limits shared through
//!   PostgreSQL), `telemetry`.

pub mod accounts;
pub mod app;
pub mod audit;
pub mod auth;
pub mod claims;
pub mod clients;
pub mod clock;
pub mod compat;
pub mod config;
pub mod crypto;
pub mod db;
pub mod doctor;
pub mod domain;
pub mod error;
pub mod identities;
pub mod jobs;
pub mod metrics;
pub mod notifications;
pub mod paging;
pub mod policy;
pub mod ratelimit;
pub mod routes;
pub mod spa;
pub mod startup;
pub mod telemetry;
pub mod worker;

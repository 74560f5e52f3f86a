//! Every route of the service, registered in one place so the route table reads in one file.
//!
//! Handlers carry `#[utoipa::path]` docs; registering them through utoipa-actix-web puts them in
//! the OpenAPI document. A test fails when a handler in `src/routes` is missing from it.

pub mod accounts;
pub mod admin;
pub mod api_tokens;
pub mod auth;
pub mod claims;
pub mod datacite;
pub mod events;
pub mod health;
pub mod my_data;
pub mod sign_in;
pub mod tokens;
pub mod works;

use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Profiles API",
        description = "Account service for researchers: sign-in with ORCID, Google or GitHub, linked identities, \
single sign-on JWTs, and ORCID claims that push DataCite DOIs into ORCID records.\n\n\
Errors are RFC 9457 problem details (`application/problem+json`) with a stable machine-readable `code`.",
        license(name = "MIT"),
    ),
    components(schemas(
        Problem,
        FieldError,
        crate::domain::Provider,
        crate::domain::Role,
        crate::domain::PermissionKind,
        auth::Intent,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "status", description = "Health and status of the service."),
        (name = "sign-in", description = "Browser sign-in with ORCID, Google and GitHub; linking; ORCID permission grants; sign-out."),
        (name = "account", description = "The signed-in person's account, identities, ORCID permissions and sessions."),
        (name = "claims", description = "ORCID claims: DOIs pushed into (or removed from) ORCID records by Search & Link and Auto-Update."),
        (name = "admin", description = "Administration: accounts, their claims and the audit log, as each role allows."),
        (name = "datacite", description = "Drop-in compatibility with DataCite's Profiles API for its existing callers: JSON:API with camelCase attributes and DataCite's error envelope `{\"errors\":[{\"status\",\"title\"}]}`."),
        (name = "tokens", description = "JWT access tokens for single sign-on, and the public keys that verify them."),
    )
)]
pub struct ApiDoc;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::heartbeat)
        .service(health::status)
        .service(sign_in::providers)
        .service(sign_in::pending_signup)
        .service(sign_in::logout)
        // The fixed ORCID paths before the `{provider}` patterns that would also match them.
        .service(auth::grant_start)
        .service(auth::grant_form)
        .service(auth::grant_callback)
        .service(auth::start)
        .service(auth::start_form)
        .service(auth::callback)
        .service(tokens::create)
        .service(tokens::jwks)
        .service(accounts::me)
        .service(accounts::update_me)
        .service(accounts::list_identities)
        .service(accounts::expire_orcid_token)
        .service(accounts::unlink)
        .service(accounts::list_permissions)
        .service(accounts::disable_permission)
        .service(accounts::list_sessions)
        .service(accounts::revoke_other_sessions)
        .service(accounts::revoke_session)
        .service(my_data::export)
        .service(my_data::delete_account)
        .service(api_tokens::list)
        .service(api_tokens::create)
        .service(api_tokens::revoke)
        .service(claims::create)
        .service(claims::list)
        .service(claims::get_one)
        .service(claims::remove)
        .service(claims::retry)
        .service(claims::stats)
        .service(works::search)
        .service(events::post_events)
        .service(admin::list_accounts)
        .service(admin::get_account)
        .service(admin::update_account)
        .service(admin::retry_failed)
        .service(admin::requeue_claim)
        .service(admin::ignore_claim)
        .service(admin::audit_entries)
        .service(datacite::create)
        .service(datacite::list)
        .service(datacite::get_one)
        .service(datacite::remove)
        .service(datacite::get_user)
        .service(datacite::put_user);
}

/// Documents how to authenticate: a session cookie from the browser flows, or a bearer JWT.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A JWT from POST /api/v1/tokens."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "profiles_session",
                "The session cookie set by the browser sign-in flows (`__Host-profiles_session` over https). \
Writes it authenticates must come from this service's pages: a foreign `Origin`, or `Sec-Fetch-Site` \
`cross-site`/`same-site`, is refused with 403 `cross_origin_request`.",
            ))),
        );
    }
}

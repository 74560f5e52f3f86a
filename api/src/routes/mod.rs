//! Every route of the service, registered in one place so the route table reads in one file.
//!
//! Handlers carry `#[utoipa::path]` docs; registering them through utoipa-actix-web puts them in
//! the OpenAPI document. A test fails when a handler in `src/routes` is missing from it.

pub mod accounts;
pub mod activity;
pub mod admin;
pub mod api_tokens;
pub mod auth;
pub mod auto_update;
pub mod claims;
pub mod clients;
pub mod datacite;
pub mod datacite_users;
pub mod events;
pub mod health;
pub mod legacy;
pub mod my_data;
pub mod notifications;
pub mod oidc;
pub mod oidc_tokens;
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
        .service(health::readiness)
        .service(health::metrics)
        .service(events::auto_update_status)
        .service(sign_in::providers)
        .service(sign_in::pending_signup)
        .service(sign_in::logout)
        .service(legacy::sign_in)
        .service(legacy::sign_out)
        .service(legacy::sign_out_form)
        .service(legacy::settings_me)
        .service(legacy::link_orcid)
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
        .service(claims::dismiss)
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
        .service(activity::my_activity)
        .service(activity::all_activity)
        .service(activity::check_record)
        .service(notifications::list)
        .service(oidc::discovery)
        .service(oidc::authorize_get)
        .service(oidc::authorize_post)
        .service(oidc::logout_get)
        .service(oidc::logout_post)
        .service(oidc_tokens::token_endpoint)
        .service(oidc_tokens::userinfo_get)
        .service(oidc_tokens::userinfo_post)
        .service(oidc_tokens::revoke)
        .service(oidc_tokens::introspect)
        .service(clients::list_clients)
        .service(clients::register_client)
        .service(clients::remove_client)
        .service(clients::my_apps)
        .service(clients::revoke_app)
        .service(notifications::summary)
        .service(auto_update::settings)
        .service(auto_update::set_settings)
        .service(auto_update::approve)
        .service(auto_update::review)
        .service(auto_update::list_exclusions)
        .service(auto_update::add_exclusion)
        .service(auto_update::remove_exclusion)
        .service(auto_update::backfill)
        .service(datacite::create)
        .service(datacite::list)
        .service(datacite::get_one)
        .service(datacite::remove)
        .service(datacite_users::list_users)
        .service(datacite_users::create_user)
        .service(datacite_users::get_user)
        .service(datacite_users::put_user);
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
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("prf_…")
                    .description(Some(
                        "A personal API token (`prf_…`, from POST /api/v1/accounts/me/tokens or `profiles tokens \
create`). The scopes listed with an operation are those that open it; a token never does more than \
its owner's role allows.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "datacite_jwt",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT signed by DataCite (its public key in `DATACITE_JWT_PUBLIC_KEY`): a person who has \
an account here, or one of the services in `DATACITE_SERVICE_UIDS`. Accepted on DataCite's routes only.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`METRICS_TOKEN`, for Prometheus. Addresses in `METRICS_ALLOWED_NETWORKS` need no token.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "client_secret_basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "An OpenID Connect client's id and secret (`client_secret_basic`); the form's `client_id` and `client_secret` (`client_secret_post`) work too, and a public client sends its `client_id` alone.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "oidc_access_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `/oauth/token` (`typ: at+jwt`, 15 minutes), good while its sign-in lasts.",
                    ))
                    .build(),
            ),
        );
    }
}

/// States on every operation which credentials open it (called once the routes are in the
/// document), derived from the policy itself: each
/// kind of credential is tried, with the most powerful role, against the route's decision.
/// Public operations state an empty list; a profile that may be public states `{}` too, for
/// "no credential".
pub fn declare_security(openapi: &mut utoipa::openapi::OpenApi) {
    use crate::domain::Role;
    use crate::policy::{self, Action, Actor, Credential, Subject};
    use utoipa::openapi::security::SecurityRequirement;
    let me = Subject {
        id: Some(uuid::Uuid::nil()),
        orcid: "0000-0002-1825-0097",
        provider_id: None,
        client_id: None,
    };
    let other = Subject {
        id: Some(uuid::Uuid::max()),
        orcid: "0000-0001-5109-3700",
        provider_id: None,
        client_id: None,
    };
    let opens = |credential: Credential<'_>, surface, action| {
        let actor = Actor {
            role: Role::StaffAdmin,
            subject: Some(me),
            credential,
        };
        [None, Some(me), Some(other)]
            .into_iter()
            .any(|target| policy::decide(actor, surface, action, target).is_ok())
    };
    for (path, item) in openapi.paths.paths.iter_mut() {
        let operations = [
            ("GET", &mut item.get),
            ("POST", &mut item.post),
            ("PUT", &mut item.put),
            ("PATCH", &mut item.patch),
            ("DELETE", &mut item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            let Some((_, _, surface, action)) = policy::ROUTES.iter().find(|(m, p, _, _)| *m == method && p == path)
            else {
                continue;
            };
            // The OpenID Provider's protocol endpoints authenticate clients and their tokens
            // themselves, as their own annotations state.
            if path.starts_with("/oauth/") && operation.security.is_some() {
                continue;
            }
            let mut required = Vec::new();
            if *action == (Action::ReadProfile { public: false }) {
                required.push(SecurityRequirement::default());
            }
            if *action != Action::Public {
                let mut push = |name: &str, scopes: Vec<&str>| {
                    let requirement = SecurityRequirement::new(name, scopes);
                    if !required.contains(&requirement) {
                        required.push(requirement);
                    }
                };
                if opens(Credential::Session { recent_sign_in: true }, *surface, *action) {
                    push("session", vec![]);
                }
                if opens(Credential::Jwt, *surface, *action) {
                    push("bearer", vec![]);
                }
                let scopes: Vec<&str> = policy::SCOPES
                    .iter()
                    .map(|(s, _)| *s)
                    .filter(|s| {
                        let scopes = [(*s).to_owned()];
                        opens(Credential::ApiToken { scopes: &scopes }, *surface, *action)
                    })
                    .collect();
                if !scopes.is_empty() {
                    push("api_token", scopes);
                }
                if opens(Credential::DatacitePerson, *surface, *action)
                    || opens(Credential::DataciteService, *surface, *action)
                {
                    push("datacite_jwt", vec![]);
                }
                if opens(Credential::MetricsScraper, *surface, *action) {
                    push("metrics_token", vec![]);
                }
            }
            operation.security = Some(required);
        }
    }
}

//! Who may do what: the one place where authorisation is decided.
//!
//! A decision has three inputs: who is acting (their [`Role`] and account), the credential they
//! presented ([`Credential`]: a browser session, one of our JWTs, a personal API token with its
//! scopes, or a DataCite-signed JWT), and what they want to do ([`Action`]) to whose account or
//! record ([`Subject`]). [`decide`] answers, and says why when it refuses, so that the caller can
//! tell "sign in" (401) from "not allowed" (403) from "not yours to see" (404).
//!
//! The rules, without the holes of DataCite's own service: provider and client admins reach only
//! accounts that carry their own provider or client id, never every ordinary user; nobody reads
//! every claim by virtue of being signed in; nobody changes their own role; `staff_user` is
//! read-only everywhere; an API token never does more than its scopes and its owner's role allow,
//! and never acts on someone else's record; a bearer JWT (which travels to other DataCite
//! services) never changes the account it names; removing someone's works is theirs or a staff
//! admin's, while provider and client admins process their members' claims only in the admin
//! area.
//!
//! [`ROUTES`] names the action every route decides. A test derives the route table from the app
//! and fails when a route is missing from it, and another checks each route × role × credential
//! over HTTP against [`decide`].

use crate::domain::Role;

/// The side of a decision that is being acted upon: an account, or the record of an ORCID iD
/// that may not have an account here (`id` is then `None`).
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub id: Option<uuid::Uuid>,
    pub orcid: &'a str,
    pub provider_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
}

impl<'a> Subject<'a> {
    pub fn of(account: &'a crate::db::models::Account) -> Self {
        Self {
            id: Some(account.id),
            orcid: &account.orcid,
            provider_id: account.provider_id.as_deref(),
            client_id: account.client_id.as_deref(),
        }
    }

    /// The record of an iD, with its account when there is one.
    pub fn record(orcid: &'a str, account: Option<&'a crate::db::models::Account>) -> Self {
        account.map_or(
            Self {
                id: None,
                orcid,
                provider_id: None,
                client_id: None,
            },
            Self::of,
        )
    }

    fn is(&self, other: &Subject<'_>) -> bool {
        match (self.id, other.id) {
            (Some(a), Some(b)) => a == b,
            _ => !self.orcid.is_empty() && self.orcid.eq_ignore_ascii_case(other.orcid),
        }
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// No credential at all.
    Anonymous,
    /// A browser session (the `profiles_session` cookie); `recent_sign_in` when the person
    /// signed in within the re-authentication window (`REAUTH_MAX_AGE_MINUTES`).
    Session { recent_sign_in: bool },
    /// One of our JWTs (`POST /api/v1/tokens`, or the `_datacite` cookie's).
    Jwt,
    /// A personal API token (`prf_…`) with its scopes.
    ApiToken { scopes: &'a [String] },
    /// A DataCite-signed JWT naming a person who has an account here.
    DatacitePerson,
    /// A DataCite-signed staff-admin JWT of one of DataCite's services (no account here).
    DataciteService,
    /// A metrics scraper: `METRICS_TOKEN`, or a client address in `METRICS_ALLOWED_NETWORKS`.
    /// It reads `/metrics` and nothing else.
    MetricsScraper,
}

impl Credential<'_> {
    /// The kinds, for tests that walk every one.
    pub fn kind(&self) -> CredentialKind {
        match self {
            Self::Anonymous => CredentialKind::Anonymous,
            Self::Session { .. } => CredentialKind::Session,
            Self::Jwt => CredentialKind::Jwt,
            Self::ApiToken { .. } => CredentialKind::ApiToken,
            Self::DatacitePerson => CredentialKind::DatacitePerson,
            Self::DataciteService => CredentialKind::DataciteService,
            Self::MetricsScraper => CredentialKind::MetricsScraper,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    Anonymous,
    Session,
    Jwt,
    ApiToken,
    DatacitePerson,
    DataciteService,
    MetricsScraper,
}

/// The one acting.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub role: Role,
    /// `None` for an anonymous caller or a DataCite service.
    pub subject: Option<Subject<'a>>,
    pub credential: Credential<'a>,
}

impl Actor<'_> {
    pub const ANONYMOUS: Actor<'static> = Actor {
        role: Role::User,
        subject: None,
        credential: Credential::Anonymous,
    };
}

/// Which of our two API surfaces a route belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// `/api/v1`, the sign-in flows and the status routes.
    Api,
    /// The drop-in routes for DataCite's callers (`/claims`, `/users`).
    Datacite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Open to everyone: status, sign-in flows, public keys.
    Public,
    /// Read one's own account: profile, identities, permissions, sessions, export, API tokens.
    ReadOwnAccount,
    /// Change one's own account: profile, sessions, JWTs.
    ManageOwnAccount,
    /// Change what guards one's own account: create API tokens, link or unlink identities,
    /// grant or revoke ORCID permissions, delete the account. Needs a recent sign-in.
    SecureOwnAccount,
    /// Read a person's profile (public profiles are open to everyone).
    ReadProfile { public: bool },
    /// See the admin area and search accounts.
    ListAccounts,
    /// Read an account with its identities, permission health and claim counts.
    ReadAccount,
    /// Change an account's flags (public, beta tester) or its provider/client links.
    UpdateAccount,
    /// Change an account's role.
    ChangeRole,
    /// Create an account for someone else (DataCite's `POST`/`PUT /users`).
    CreateAccount,
    /// Read the claims of a record (`None`: everyone's), and search its DOIs.
    ReadClaims,
    /// Add a DOI to a record.
    CreateClaim,
    /// Retry a record's claim, or remove its work from the record.
    ChangeClaim,
    /// The administration area's claim actions: re-queue, ignore, retry every failed one.
    ManageClaims,
    /// Read the audit log.
    ReadAudit,
    /// Post DOI events for Auto-Update (a service's job).
    PostEvents,
    /// Scrape the Prometheus metrics (an operator's monitoring, never a person's credential).
    ReadMetrics,
    /// Register and remove the client applications that sign people in through us.
    ManageClients,
}

impl Action {
    /// Every action, for tests that walk the table (`ReadProfile` both ways).
    pub const ALL: [Action; 19] = [
        Self::Public,
        Self::ReadOwnAccount,
        Self::ManageOwnAccount,
        Self::SecureOwnAccount,
        Self::ReadProfile { public: true },
        Self::ReadProfile { public: false },
        Self::ListAccounts,
        Self::ReadAccount,
        Self::UpdateAccount,
        Self::ChangeRole,
        Self::CreateAccount,
        Self::ReadClaims,
        Self::CreateClaim,
        Self::ChangeClaim,
        Self::ManageClaims,
        Self::ReadAudit,
        Self::PostEvents,
        Self::ReadMetrics,
        Self::ManageClients,
    ];

    /// The API-token scope that carries this action, if any can.
    pub fn scope(self) -> Option<&'static str> {
        match self {
            Self::ReadClaims => Some("claims:read"),
            Self::CreateClaim | Self::ChangeClaim => Some("claims:write"),
            Self::PostEvents => Some("events:write"),
            Self::ListAccounts | Self::ReadAccount => Some("accounts:read"),
            _ => None,
        }
    }

    /// Whether the action changes something (and so is refused to read-only roles and audited
    /// when it touches another person).
    pub fn writes(self) -> bool {
        matches!(
            self,
            Self::ManageOwnAccount
                | Self::SecureOwnAccount
                | Self::UpdateAccount
                | Self::ChangeRole
                | Self::ManageClients
                | Self::CreateAccount
                | Self::CreateClaim
                | Self::ChangeClaim
                | Self::ManageClaims
                | Self::PostEvents
        )
    }
}

/// The API-token scopes, with what each allows.
pub const SCOPES: [(&str, &str); 4] = [
    ("claims:read", "Read the account's ORCID claims and search its DOIs."),
    ("claims:write", "Create, retry and remove the account's ORCID claims."),
    (
        "events:write",
        "Post DOI events that feed ORCID Auto-Update (services only).",
    ),
    (
        "accounts:read",
        "Read accounts in the administration area, as the owner's role allows.",
    ),
];

pub fn is_scope(s: &str) -> bool {
    SCOPES.iter().any(|(name, _)| *name == s)
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// No credential: sign in first (401).
    Unauthenticated,
    /// This kind of credential is not accepted for the action (403).
    CredentialNotAccepted,
    /// Changing one's own account takes the browser session, not a bearer JWT (403).
    SessionRequired,
    /// An API token without the scope the action needs (403).
    MissingScope(&'static str),
    /// The role does not allow it (403).
    Role,
    /// Someone else's thing, which the caller may not even know exists (404).
    Hidden,
    /// Allowed, but only after signing in again: the session's sign-in is older than the
    /// re-authentication window (401).
    ReauthenticationRequired,
}

fn same(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if !x.is_empty() && x == y)
}

/// May `actor` do `action` to `target` (`None`: no particular account, e.g. listing) on
/// `surface`? The one decision every route takes.
pub fn decide(actor: Actor<'_>, surface: Surface, action: Action, target: Option<Subject<'_>>) -> Result<(), Denial> {
    use Credential::*;
    if action == Action::Public || action == (Action::ReadProfile { public: true }) {
        return Ok(());
    }
    // Metrics are an operator's, and the scraper's credential opens nothing else.
    match (action, actor.credential) {
        (Action::ReadMetrics, MetricsScraper) => return Ok(()),
        (Action::ReadMetrics, Anonymous) => return Err(Denial::Unauthenticated),
        (Action::ReadMetrics, _) | (_, MetricsScraper) => return Err(Denial::CredentialNotAccepted),
        _ => {}
    }
    let own = match (actor.subject, target) {
        (Some(me), Some(t)) => me.is(&t),
        _ => false,
    };
    match (actor.credential, surface) {
        (Anonymous, _) => return Err(Denial::Unauthenticated),
        (MetricsScraper, _) => return Err(Denial::CredentialNotAccepted),
        // DataCite's credentials belong to the drop-in routes; our API tokens to /api/v1.
        (DatacitePerson | DataciteService, Surface::Api) | (ApiToken { .. }, Surface::Datacite) => {
            return Err(Denial::CredentialNotAccepted);
        }
        (ApiToken { scopes }, Surface::Api) => {
            let Some(scope) = action.scope() else {
                return Err(Denial::CredentialNotAccepted);
            };
            if !scopes.iter().any(|s| s == scope) || !role_allows(actor.role, scope) {
                return Err(Denial::MissingScope(scope));
            }
            // A token never carries staff powers over someone else's record.
            let claims = matches!(action, Action::ReadClaims | Action::CreateClaim | Action::ChangeClaim);
            if claims && !own {
                return Err(if target.is_some() {
                    Denial::Hidden
                } else {
                    Denial::CredentialNotAccepted
                });
            }
        }
        (DataciteService, Surface::Datacite) => {
            // DataCite's own services (lupo, levriero) act on DataCite's behalf.
            return match action {
                Action::ReadClaims
                | Action::CreateClaim
                | Action::ChangeClaim
                | Action::ReadAccount
                | Action::ReadProfile { .. }
                | Action::UpdateAccount
                | Action::ChangeRole
                | Action::CreateAccount => Ok(()),
                _ => Err(Denial::Role),
            };
        }
        // A JWT travels to other services (the `_datacite` cookie): it reads and claims, but the
        // account itself (tokens, JWTs, identities, permissions, sessions, deletion) is changed
        // only from the browser session.
        // Nor does it make the administration area's changes (a leaked staff admin's JWT must not
        // hand out roles).
        (Jwt, Surface::Api)
            if matches!(
                action,
                Action::ManageOwnAccount
                    | Action::SecureOwnAccount
                    | Action::UpdateAccount
                    | Action::ChangeRole
                    | Action::CreateAccount
                    | Action::ManageClaims
                    | Action::ManageClients
            ) =>
        {
            return Err(Denial::SessionRequired)
        }
        // Nor, on DataCite's routes, does a person's bearer token hand out roles or relink an
        // account (`PUT /users` of an existing user): that is a browser session's, or one of
        // DataCite's services'. A staff admin's token may make an account (`POST /users`, as
        // DataCite's allows): it starts as an ordinary user.
        (Jwt | DatacitePerson, Surface::Datacite) if action == Action::ChangeRole => {
            return Err(Denial::SessionRequired)
        }
        (Session { .. } | Jwt | DatacitePerson, _) => {}
    }
    if actor.subject.is_none() {
        return Err(Denial::Unauthenticated);
    }
    if role_may(actor, action, target, own) {
        // What guards an account, and handing out roles, needs the person to have signed in
        // recently, so that a browser left signed in is not enough.
        let guarded = matches!(
            action,
            Action::SecureOwnAccount | Action::ChangeRole | Action::ManageClients
        );
        if guarded && matches!(actor.credential, Session { recent_sign_in: false }) {
            return Err(Denial::ReauthenticationRequired);
        }
        return Ok(());
    }
    // Someone else's claims stay out of sight of those who may not read them.
    let unseen_claims = matches!(action, Action::ReadClaims | Action::CreateClaim | Action::ChangeClaim)
        && !role_may(actor, Action::ReadClaims, target, own);
    if unseen_claims || action == (Action::ReadProfile { public: false }) {
        Err(Denial::Hidden)
    } else {
        Err(Denial::Role)
    }
}

/// The role table: what each role may do to a target, whatever the credential.
fn role_may(actor: Actor<'_>, action: Action, target: Option<Subject<'_>>, own: bool) -> bool {
    use Action::*;
    use Role::*;
    let (theirs, ours) = (target.as_ref(), actor.subject.as_ref());
    let in_provider = same(theirs.and_then(|s| s.provider_id), ours.and_then(|s| s.provider_id));
    let in_client = same(theirs.and_then(|s| s.client_id), ours.and_then(|s| s.client_id));
    match (actor.role, action) {
        (_, Public | ReadOwnAccount | ManageOwnAccount | SecureOwnAccount) => true,
        (StaffAdmin, ChangeRole) => !own,
        // Everyone reads their own account and profile, and adds, retries and removes their own
        // claims (the administration area's claim actions are another matter).
        (_, ReadAccount | ReadProfile { .. } | ReadClaims | CreateClaim | ChangeClaim) if own => true,
        (StaffAdmin, _) => true,
        (StaffUser, ListAccounts | ReadAccount | ReadProfile { .. } | ReadClaims | ReadAudit) => true,
        (StaffUser, _) => false,
        (ProviderAdmin | ClientAdmin | ProviderUser | ClientUser, ListAccounts) => true,
        (ProviderAdmin, ReadAccount | ReadProfile { .. } | UpdateAccount | ReadClaims | ManageClaims) => {
            in_provider && !own
        }
        (ProviderUser, ReadAccount | ReadProfile { .. } | ReadClaims) => in_provider,
        (ClientAdmin, ReadAccount | ReadProfile { .. } | UpdateAccount | ReadClaims | ManageClaims) => {
            in_client && !own
        }
        (ClientUser, ReadAccount | ReadProfile { .. }) => in_client,
        _ => false,
    }
}

/// Whether an account with `role` may hold `scope` at all (a token never does more than its
/// owner).
pub fn role_allows(role: Role, scope: &str) -> bool {
    match scope {
        "claims:read" | "claims:write" => true,
        "events:write" => matches!(role, Role::StaffAdmin),
        "accounts:read" => sees_admin(role),
        _ => false,
    }
}

/// What listing is limited to for a role that may list accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Everyone,
    Provider(String),
    Client(String),
    Nobody,
}

pub fn account_scope(actor: Actor<'_>) -> Scope {
    let ids = actor.subject;
    match actor.role {
        Role::StaffAdmin | Role::StaffUser => Scope::Everyone,
        Role::ProviderAdmin | Role::ProviderUser => ids
            .and_then(|s| s.provider_id)
            .filter(|p| !p.is_empty())
            .map_or(Scope::Nobody, |p| Scope::Provider(p.to_owned())),
        Role::ClientAdmin | Role::ClientUser => ids
            .and_then(|s| s.client_id)
            .filter(|c| !c.is_empty())
            .map_or(Scope::Nobody, |c| Scope::Client(c.to_owned())),
        Role::User => Scope::Nobody,
    }
}

/// Whether the role sees the administration area at all.
pub fn sees_admin(role: Role) -> bool {
    !matches!(role, Role::User)
}

/// The action each route decides, by method and path template. Every route the app serves is
/// listed; a test fails when one is missing or extra.
pub const ROUTES: &[(&str, &str, Surface, Action)] = {
    use Action::*;
    use Surface::*;
    &[
        ("GET", "/heartbeat", Api, Public),
        ("GET", "/api/v1/status", Api, Public),
        ("GET", "/readyz", Api, Public),
        ("GET", "/metrics", Api, ReadMetrics),
        ("GET", "/api/v1/auth/providers", Api, Public),
        ("GET", "/api/v1/auth/pending-signup", Api, Public),
        ("POST", "/api/v1/auth/logout", Api, Public),
        ("GET", "/sign_in", Api, Public),
        ("GET", "/sign_out", Api, Public),
        ("POST", "/sign_out", Api, Public),
        ("GET", "/settings/me", Api, Public),
        ("GET", "/link_orcid", Api, Public),
        ("GET", "/auth/orcid/grant", Api, SecureOwnAccount),
        ("POST", "/auth/orcid/grant", Api, SecureOwnAccount),
        ("GET", "/auth/orcid/grant/callback", Api, Public),
        ("GET", "/auth/{provider}/start", Api, Public),
        ("POST", "/auth/{provider}/start", Api, Public),
        ("GET", "/auth/{provider}/callback", Api, Public),
        ("POST", "/api/v1/tokens", Api, ManageOwnAccount),
        ("GET", "/.well-known/jwks.json", Api, Public),
        ("GET", "/api/v1/accounts/me", Api, ReadOwnAccount),
        ("PATCH", "/api/v1/accounts/me", Api, ManageOwnAccount),
        ("DELETE", "/api/v1/accounts/me", Api, SecureOwnAccount),
        ("GET", "/api/v1/accounts/me/identities", Api, ReadOwnAccount),
        (
            "DELETE",
            "/api/v1/accounts/me/identities/orcid/token",
            Api,
            SecureOwnAccount,
        ),
        (
            "DELETE",
            "/api/v1/accounts/me/identities/{provider}",
            Api,
            SecureOwnAccount,
        ),
        ("GET", "/api/v1/accounts/me/permissions", Api, ReadOwnAccount),
        (
            "DELETE",
            "/api/v1/accounts/me/permissions/{kind}",
            Api,
            SecureOwnAccount,
        ),
        ("GET", "/api/v1/accounts/me/sessions", Api, ReadOwnAccount),
        ("DELETE", "/api/v1/accounts/me/sessions", Api, ManageOwnAccount),
        ("DELETE", "/api/v1/accounts/me/sessions/{id}", Api, ManageOwnAccount),
        ("GET", "/api/v1/accounts/me/export", Api, ReadOwnAccount),
        ("GET", "/api/v1/accounts/me/tokens", Api, ReadOwnAccount),
        ("POST", "/api/v1/accounts/me/tokens", Api, SecureOwnAccount),
        ("DELETE", "/api/v1/accounts/me/tokens/{id}", Api, ManageOwnAccount),
        ("GET", "/api/v1/accounts/me/claims/stats", Api, ReadClaims),
        ("POST", "/api/v1/claims", Api, CreateClaim),
        ("GET", "/api/v1/claims", Api, ReadClaims),
        ("GET", "/api/v1/claims/{id}", Api, ReadClaims),
        ("DELETE", "/api/v1/claims/{id}", Api, ChangeClaim),
        ("POST", "/api/v1/claims/{id}/retry", Api, ChangeClaim),
        ("POST", "/api/v1/claims/{id}/dismiss", Api, ChangeClaim),
        ("GET", "/api/v1/works", Api, ReadClaims),
        ("POST", "/api/v1/events/dois", Api, PostEvents),
        ("GET", "/api/v1/auto-update/status", Api, ReadOwnAccount),
        ("GET", "/api/v1/admin/accounts", Api, ListAccounts),
        ("GET", "/api/v1/admin/accounts/{orcid}", Api, ReadAccount),
        ("PATCH", "/api/v1/admin/accounts/{orcid}", Api, UpdateAccount),
        ("POST", "/api/v1/admin/claims/retry-failed", Api, ManageClaims),
        ("POST", "/api/v1/admin/claims/{id}/requeue", Api, ManageClaims),
        ("POST", "/api/v1/admin/claims/{id}/ignore", Api, ManageClaims),
        ("GET", "/api/v1/admin/audit", Api, ReadAudit),
        ("GET", "/api/v1/accounts/me/activity", Api, ReadClaims),
        ("GET", "/api/v1/admin/activity", Api, ReadAudit),
        ("GET", "/api/v1/admin/notifications", Api, ReadAudit),
        ("GET", "/api/v1/admin/clients", Api, ManageClients),
        ("POST", "/api/v1/admin/clients", Api, ManageClients),
        ("DELETE", "/api/v1/admin/clients/{client_id}", Api, ManageClients),
        ("GET", "/api/v1/accounts/me/apps", Api, ReadOwnAccount),
        ("DELETE", "/api/v1/accounts/me/apps/{client_id}", Api, ManageOwnAccount),
        // The OpenID Provider's protocol endpoints authenticate clients and tokens themselves.
        ("GET", "/.well-known/openid-configuration", Api, Public),
        ("GET", "/oauth/authorize", Api, Public),
        ("POST", "/oauth/authorize", Api, Public),
        ("GET", "/oauth/logout", Api, Public),
        ("POST", "/oauth/logout", Api, Public),
        ("POST", "/oauth/token", Api, Public),
        ("GET", "/oauth/userinfo", Api, Public),
        ("POST", "/oauth/userinfo", Api, Public),
        ("POST", "/oauth/revoke", Api, Public),
        ("POST", "/oauth/introspect", Api, Public),
        ("GET", "/api/v1/admin/notifications/summary", Api, ReadAudit),
        ("POST", "/api/v1/accounts/me/orcid-record/check", Api, ChangeClaim),
        ("GET", "/api/v1/auto-update/settings", Api, ReadClaims),
        ("PUT", "/api/v1/auto-update/settings", Api, ChangeClaim),
        ("POST", "/api/v1/claims/{id}/approve", Api, ChangeClaim),
        ("POST", "/api/v1/auto-update/review", Api, ChangeClaim),
        ("GET", "/api/v1/auto-update/exclusions", Api, ReadClaims),
        ("POST", "/api/v1/auto-update/exclusions", Api, ChangeClaim),
        ("DELETE", "/api/v1/auto-update/exclusions/{id}", Api, ChangeClaim),
        ("POST", "/api/v1/auto-update/backfill", Api, ChangeClaim),
        ("POST", "/claims", Datacite, CreateClaim),
        ("GET", "/claims", Datacite, ReadClaims),
        ("GET", "/claims/{id}", Datacite, ReadClaims),
        ("DELETE", "/claims/{id}", Datacite, ChangeClaim),
        // Public profiles only, for everyone.
        ("GET", "/users", Datacite, Public),
        ("POST", "/users", Datacite, CreateAccount),
        ("GET", "/users/{orcid}", Datacite, ReadProfile { public: false }),
        ("PUT", "/users/{orcid}", Datacite, ChangeRole),
    ]
};

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::*;
    use uuid::Uuid;

    fn subject(orcid: &'static str, provider: Option<&'static str>, client: Option<&'static str>) -> Subject<'static> {
        Subject {
            id: Some(Uuid::new_v4()),
            orcid,
            provider_id: provider,
            client_id: client,
        }
    }

    fn session(role: Role, me: Subject<'static>) -> Actor<'static> {
        Actor {
            role,
            subject: Some(me),
            credential: Credential::Session { recent_sign_in: true },
        }
    }

    fn allowed(actor: Actor<'_>, action: Action, target: Option<Subject<'_>>) -> bool {
        decide(actor, Surface::Api, action, target).is_ok()
    }

    /// The expected answer for every role × action × kind of target, written out as a table.
    #[test]
    fn every_role_and_action() {
        // Targets: same provider, same client, an ordinary user (no ids), someone elsewhere.
        let me = subject("0000-0002-1825-0097", Some("prov"), Some("prov.client"));
        let targets = [
            ("same provider", subject("0000-0001-5109-3700", Some("prov"), None)),
            (
                "same client",
                subject("0000-0002-9079-593X", Some("other"), Some("prov.client")),
            ),
            ("ordinary user", subject("0000-0003-1419-2405", None, None)),
            (
                "elsewhere",
                subject("0000-0001-6000-0007", Some("other"), Some("other.client")),
            ),
        ];
        // (role, action, [same provider, same client, ordinary, elsewhere])
        let table: &[(Role, Action, [bool; 4])] = &[
            (Role::StaffAdmin, ReadAccount, [true; 4]),
            (Role::StaffAdmin, UpdateAccount, [true; 4]),
            (Role::StaffAdmin, ChangeRole, [true; 4]),
            (Role::StaffAdmin, CreateClaim, [true; 4]),
            (Role::StaffAdmin, ManageClaims, [true; 4]),
            (Role::StaffAdmin, ChangeClaim, [true; 4]),
            (Role::StaffAdmin, PostEvents, [true; 4]),
            (Role::StaffAdmin, ManageClients, [true; 4]),
            (Role::StaffUser, ManageClients, [false; 4]),
            (Role::ProviderAdmin, ManageClients, [false; 4]),
            (Role::User, ManageClients, [false; 4]),
            (Role::StaffUser, ReadAccount, [true; 4]),
            (Role::StaffUser, ReadClaims, [true; 4]),
            (Role::StaffUser, UpdateAccount, [false; 4]),
            (Role::StaffUser, ChangeRole, [false; 4]),
            (Role::StaffUser, CreateClaim, [false; 4]),
            (Role::StaffUser, ManageClaims, [false; 4]),
            (Role::StaffUser, ChangeClaim, [false; 4]),
            (Role::StaffUser, CreateAccount, [false; 4]),
            (Role::StaffUser, PostEvents, [false; 4]),
            (Role::ProviderAdmin, ReadAccount, [true, false, false, false]),
            (Role::ProviderAdmin, UpdateAccount, [true, false, false, false]),
            (Role::ProviderAdmin, ManageClaims, [true, false, false, false]),
            (Role::ProviderAdmin, CreateClaim, [false; 4]),
            // Processing their members' claims in the admin area, yes; removing their works, no.
            (Role::ProviderAdmin, ChangeClaim, [false; 4]),
            (Role::ClientAdmin, ChangeClaim, [false; 4]),
            (Role::ProviderUser, ChangeClaim, [false; 4]),
            (Role::ProviderAdmin, ChangeRole, [false; 4]),
            (Role::ProviderUser, ReadAccount, [true, false, false, false]),
            (Role::ProviderUser, UpdateAccount, [false; 4]),
            (Role::ProviderUser, ManageClaims, [false; 4]),
            (Role::ClientAdmin, ReadAccount, [false, true, false, false]),
            (Role::ClientAdmin, UpdateAccount, [false, true, false, false]),
            (Role::ClientAdmin, ChangeRole, [false; 4]),
            (Role::ClientUser, ReadAccount, [false, true, false, false]),
            (Role::ClientUser, ReadClaims, [false; 4]),
            (Role::User, ReadAccount, [false; 4]),
            (Role::User, ReadClaims, [false; 4]),
            (Role::User, CreateClaim, [false; 4]),
            (Role::User, ManageClaims, [false; 4]),
            (Role::User, ChangeClaim, [false; 4]),
            (Role::User, PostEvents, [false; 4]),
        ];
        for (role, action, expected) in table {
            for ((label, target), want) in targets.iter().zip(expected) {
                assert_eq!(
                    allowed(session(*role, me), *action, Some(*target)),
                    *want,
                    "{role:?} {action:?} on {label}"
                );
            }
        }
        // Every role × action has an answer for "no target" and for oneself.
        for role in Role::ALL {
            let actor = session(role, me);
            for action in Action::ALL {
                let on_self = allowed(actor, action, Some(me));
                match action {
                    ChangeRole => assert!(!on_self, "{role:?} may not change their own role"),
                    ReadAccount | ReadClaims | CreateClaim | ChangeClaim => {
                        assert!(on_self, "{role:?} does {action:?} on their own record")
                    }
                    // The admin area's claim actions are not a person's own business.
                    ManageClaims => assert_eq!(on_self, role == Role::StaffAdmin, "{role:?} manages own claims"),
                    _ => {}
                }
                let listing = allowed(actor, action, None);
                assert_eq!(
                    listing && action == ListAccounts,
                    sees_admin(role) && action == ListAccounts,
                    "{role:?} lists accounts"
                );
                // Read-only staff never change anything of anyone else's.
                if role == Role::StaffUser && action.writes() && !matches!(action, ManageOwnAccount | SecureOwnAccount)
                {
                    for (label, target) in &targets {
                        assert!(
                            !allowed(actor, action, Some(*target)),
                            "staff_user {action:?} on {label}"
                        );
                    }
                    assert!(!allowed(actor, action, None), "staff_user {action:?} on everyone");
                }
            }
        }
    }

    #[test]
    fn guarded_actions_need_a_recent_sign_in() {
        let me = subject("0000-0002-1825-0097", None, None);
        let other = subject("0000-0001-5109-3700", None, None);
        let stale = |role| Actor {
            role,
            subject: Some(me),
            credential: Credential::Session { recent_sign_in: false },
        };
        let api = Surface::Api;
        assert_eq!(
            decide(stale(Role::User), api, SecureOwnAccount, None),
            Err(Denial::ReauthenticationRequired)
        );
        assert_eq!(decide(session(Role::User, me), api, SecureOwnAccount, None), Ok(()));
        // Everyday changes do not ask for it.
        assert_eq!(decide(stale(Role::User), api, ManageOwnAccount, None), Ok(()));
        assert_eq!(decide(stale(Role::StaffAdmin), api, UpdateAccount, Some(other)), Ok(()));
        // Handing out roles does; and one who may not do it at all hears that first.
        assert_eq!(
            decide(stale(Role::StaffAdmin), api, ChangeRole, Some(other)),
            Err(Denial::ReauthenticationRequired)
        );
        assert_eq!(
            decide(stale(Role::User), api, ChangeRole, Some(other)),
            Err(Denial::Role)
        );
    }

    #[test]
    fn someone_elses_claims_are_hidden_from_those_who_may_not_read_them() {
        let me = subject("0000-0002-1825-0097", None, None);
        let other = subject("0000-0001-5109-3700", None, None);
        let user = session(Role::User, me);
        assert_eq!(
            decide(user, Surface::Api, ChangeClaim, Some(other)),
            Err(Denial::Hidden)
        );
        assert_eq!(decide(user, Surface::Api, ManageClaims, Some(other)), Err(Denial::Role));
        assert_eq!(decide(user, Surface::Api, ReadClaims, Some(other)), Err(Denial::Hidden));
        // A read-only staff member sees them, and so learns a 403 rather than a 404.
        let staff = session(Role::StaffUser, me);
        assert_eq!(decide(staff, Surface::Api, ChangeClaim, Some(other)), Err(Denial::Role));
        assert_eq!(decide(staff, Surface::Api, CreateClaim, Some(other)), Err(Denial::Role));
        assert_eq!(decide(staff, Surface::Api, ReadClaims, Some(other)), Ok(()));
        // A record without an account here is matched by its iD.
        let record = Subject {
            id: None,
            orcid: "0000-0002-1825-0097",
            provider_id: None,
            client_id: None,
        };
        assert_eq!(decide(user, Surface::Api, CreateClaim, Some(record)), Ok(()));
    }

    #[test]
    fn credentials_carry_only_what_they_may() {
        let me = subject("0000-0002-1825-0097", None, None);
        let other = subject("0000-0001-5109-3700", None, None);
        let read = ["claims:read".to_owned()];
        let token = |role, scopes: &'static [String]| Actor {
            role,
            subject: Some(me),
            credential: Credential::ApiToken { scopes },
        };
        let read: &'static [String] = Box::leak(Box::new(read));
        assert_eq!(
            decide(token(Role::User, read), Surface::Api, ReadClaims, Some(me)),
            Ok(())
        );
        assert_eq!(
            decide(token(Role::User, read), Surface::Api, ChangeClaim, Some(me)),
            Err(Denial::MissingScope("claims:write"))
        );
        // Staff powers never travel in a token.
        assert_eq!(
            decide(token(Role::StaffAdmin, read), Surface::Api, ReadClaims, Some(other)),
            Err(Denial::Hidden)
        );
        assert_eq!(
            decide(token(Role::StaffAdmin, read), Surface::Api, ManageOwnAccount, None),
            Err(Denial::CredentialNotAccepted)
        );
        assert_eq!(
            decide(token(Role::User, read), Surface::Datacite, ReadClaims, Some(me)),
            Err(Denial::CredentialNotAccepted)
        );
        let events: &'static [String] = Box::leak(Box::new(["events:write".to_owned()]));
        assert_eq!(
            decide(token(Role::User, events), Surface::Api, PostEvents, None),
            Err(Denial::MissingScope("events:write"))
        );
        assert_eq!(
            decide(token(Role::StaffAdmin, events), Surface::Api, PostEvents, None),
            Ok(())
        );
        // Nobody anonymous gets past anything but public routes and public profiles.
        for action in Action::ALL {
            let public = matches!(action, Public | ReadProfile { public: true });
            assert_eq!(
                decide(Actor::ANONYMOUS, Surface::Api, action, Some(other)).is_ok(),
                public,
                "{action:?}"
            );
        }
        // A bearer JWT does not change the account it names.
        let jwt = Actor {
            role: Role::User,
            subject: Some(me),
            credential: Credential::Jwt,
        };
        assert_eq!(
            decide(jwt, Surface::Api, ManageOwnAccount, None),
            Err(Denial::SessionRequired)
        );
        assert_eq!(decide(jwt, Surface::Api, ReadOwnAccount, None), Ok(()));
        let admin_jwt = Actor {
            role: Role::StaffAdmin,
            ..jwt
        };
        for action in [UpdateAccount, ChangeRole, ManageClaims] {
            assert_eq!(
                decide(admin_jwt, Surface::Api, action, Some(other)),
                Err(Denial::SessionRequired),
                "{action:?}"
            );
        }
        assert_eq!(decide(admin_jwt, Surface::Api, ReadAccount, Some(other)), Ok(()));
        assert_eq!(decide(jwt, Surface::Api, CreateClaim, Some(me)), Ok(()));
        // DataCite's services act on the drop-in routes only.
        let service = Actor {
            role: Role::StaffAdmin,
            subject: None,
            credential: Credential::DataciteService,
        };
        assert_eq!(decide(service, Surface::Datacite, ChangeClaim, Some(other)), Ok(()));
        // Nor does any token reach the admin area's claim actions.
        assert_eq!(
            decide(token(Role::StaffAdmin, read), Surface::Api, ManageClaims, Some(me)),
            Err(Denial::CredentialNotAccepted)
        );
        assert_eq!(
            decide(service, Surface::Api, ReadClaims, Some(other)),
            Err(Denial::CredentialNotAccepted)
        );
        assert_eq!(decide(service, Surface::Datacite, ReadAudit, None), Err(Denial::Role));
    }

    #[test]
    fn scopes_follow_the_ids() {
        let me = subject("0000-0002-1825-0097", Some("prov"), None);
        assert_eq!(
            account_scope(session(Role::ProviderAdmin, me)),
            Scope::Provider("prov".into())
        );
        assert_eq!(account_scope(session(Role::ClientAdmin, me)), Scope::Nobody);
        assert_eq!(account_scope(session(Role::StaffUser, me)), Scope::Everyone);
        assert_eq!(account_scope(session(Role::User, me)), Scope::Nobody);
    }

    #[test]
    fn every_role_may_hold_only_its_scopes() {
        for role in Role::ALL {
            assert!(role_allows(role, "claims:read") && role_allows(role, "claims:write"));
            assert_eq!(role_allows(role, "events:write"), role == Role::StaffAdmin);
            assert_eq!(role_allows(role, "accounts:read"), sees_admin(role));
            assert!(!role_allows(role, "admin"));
        }
    }
}

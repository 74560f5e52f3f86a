//! Who may do what: every authorisation decision about accounts, claims and the audit log, in
//! one table (profiles-behaviour.md §1.3, without DataCite's holes: provider and client admins
//! only reach accounts that carry their own provider or client id, never every ordinary user; no
//! one reads every claim by virtue of being signed in; no one changes their own role).

use crate::domain::Role;

/// The side of a decision that is being acted upon.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub id: uuid::Uuid,
    pub provider_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
}

impl<'a> Subject<'a> {
    pub fn of(account: &'a crate::db::models::Account) -> Self {
        Self {
            id: account.id,
            provider_id: account.provider_id.as_deref(),
            client_id: account.client_id.as_deref(),
        }
    }
}

/// The one acting.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub role: Role,
    pub subject: Subject<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the admin area and search accounts.
    ListAccounts,
    /// Read an account with its identities, permission health and claim counts.
    ReadAccount,
    /// Change an account's flags (public, beta tester) or its provider/client links.
    UpdateAccount,
    /// Change an account's role.
    ChangeRole,
    /// Read an account's claims.
    ReadClaims,
    /// Re-queue, retry or ignore an account's claims.
    ManageClaims,
    /// Read the audit log.
    ReadAudit,
    /// Post DOI events for Auto-Update (a service's job).
    PostEvents,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Self::ListAccounts,
        Self::ReadAccount,
        Self::UpdateAccount,
        Self::ChangeRole,
        Self::ReadClaims,
        Self::ManageClaims,
        Self::ReadAudit,
        Self::PostEvents,
    ];
}

fn same(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if !x.is_empty() && x == y)
}

/// May `actor` do `action` to `target` (`None`: no particular account, e.g. listing)?
pub fn allowed(actor: Actor<'_>, action: Action, target: Option<Subject<'_>>) -> bool {
    use Action::*;
    use Role::*;
    let own = target.is_some_and(|t| t.id == actor.subject.id);
    let in_provider = target.is_some_and(|t| same(t.provider_id, actor.subject.provider_id));
    let in_client = target.is_some_and(|t| same(t.client_id, actor.subject.client_id));
    match (actor.role, action) {
        (StaffAdmin, ChangeRole) => !own,
        (StaffAdmin, _) => true,
        (StaffUser, ListAccounts | ReadAccount | ReadClaims | ReadAudit) => true,
        (StaffUser, _) => false,
        // Everyone reads their own account and claims (through /me), nothing more by default.
        (_, ReadAccount | ReadClaims) if own => true,
        (ProviderAdmin, ListAccounts) | (ClientAdmin, ListAccounts) => true,
        (ProviderAdmin, ReadAccount | UpdateAccount | ReadClaims | ManageClaims) => in_provider && !own,
        (ProviderUser, ListAccounts) => true,
        (ProviderUser, ReadAccount | ReadClaims) => in_provider,
        (ClientAdmin, ReadAccount | UpdateAccount | ReadClaims | ManageClaims) => in_client && !own,
        (ClientUser, ListAccounts) => true,
        (ClientUser, ReadAccount) => in_client,
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
    match actor.role {
        Role::StaffAdmin | Role::StaffUser => Scope::Everyone,
        Role::ProviderAdmin | Role::ProviderUser => actor
            .subject
            .provider_id
            .filter(|p| !p.is_empty())
            .map_or(Scope::Nobody, |p| Scope::Provider(p.to_owned())),
        Role::ClientAdmin | Role::ClientUser => actor
            .subject
            .client_id
            .filter(|c| !c.is_empty())
            .map_or(Scope::Nobody, |c| Scope::Client(c.to_owned())),
        Role::User => Scope::Nobody,
    }
}

/// Whether the role sees the administration area at all.
pub fn sees_admin(role: Role) -> bool {
    !matches!(role, Role::User)
}

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::*;
    use uuid::Uuid;

    const ROLES: [Role; 7] = [
        Role::StaffAdmin,
        Role::StaffUser,
        Role::ProviderAdmin,
        Role::ProviderUser,
        Role::ClientAdmin,
        Role::ClientUser,
        Role::User,
    ];

    fn subject(provider: Option<&'static str>, client: Option<&'static str>) -> Subject<'static> {
        Subject {
            id: Uuid::new_v4(),
            provider_id: provider,
            client_id: client,
        }
    }

    /// The expected answer for every role × action × kind of target, written out as a table.
    #[test]
    fn every_role_and_action() {
        // Targets: same provider, same client, an ordinary user (no ids), someone elsewhere.
        let me = subject(Some("prov"), Some("prov.client"));
        let targets = [
            ("same provider", subject(Some("prov"), None)),
            ("same client", subject(Some("other"), Some("prov.client"))),
            ("ordinary user", subject(None, None)),
            ("elsewhere", subject(Some("other"), Some("other.client"))),
        ];
        // (role, action, [same provider, same client, ordinary, elsewhere])
        let table: &[(Role, Action, [bool; 4])] = &[
            (Role::StaffAdmin, ReadAccount, [true; 4]),
            (Role::StaffAdmin, UpdateAccount, [true; 4]),
            (Role::StaffAdmin, ChangeRole, [true; 4]),
            (Role::StaffAdmin, ManageClaims, [true; 4]),
            (Role::StaffAdmin, PostEvents, [true; 4]),
            (Role::StaffUser, ReadAccount, [true; 4]),
            (Role::StaffUser, ReadClaims, [true; 4]),
            (Role::StaffUser, UpdateAccount, [false; 4]),
            (Role::StaffUser, ChangeRole, [false; 4]),
            (Role::StaffUser, ManageClaims, [false; 4]),
            (Role::StaffUser, PostEvents, [false; 4]),
            (Role::ProviderAdmin, ReadAccount, [true, false, false, false]),
            (Role::ProviderAdmin, UpdateAccount, [true, false, false, false]),
            (Role::ProviderAdmin, ManageClaims, [true, false, false, false]),
            (Role::ProviderAdmin, ChangeRole, [false; 4]),
            (Role::ProviderUser, ReadAccount, [true, false, false, false]),
            (Role::ProviderUser, UpdateAccount, [false; 4]),
            (Role::ClientAdmin, ReadAccount, [false, true, false, false]),
            (Role::ClientAdmin, UpdateAccount, [false, true, false, false]),
            (Role::ClientAdmin, ChangeRole, [false; 4]),
            (Role::ClientUser, ReadAccount, [false, true, false, false]),
            (Role::ClientUser, ReadClaims, [false; 4]),
            (Role::User, ReadAccount, [false; 4]),
            (Role::User, ReadClaims, [false; 4]),
            (Role::User, ManageClaims, [false; 4]),
            (Role::User, PostEvents, [false; 4]),
        ];
        for (role, action, expected) in table {
            let actor = Actor {
                role: *role,
                subject: me,
            };
            for ((label, target), want) in targets.iter().zip(expected) {
                assert_eq!(
                    allowed(actor, *action, Some(*target)),
                    *want,
                    "{role:?} {action:?} on {label}"
                );
            }
        }
        // Every role × action has an answer for "no target" and for oneself.
        for role in ROLES {
            let actor = Actor { role, subject: me };
            for action in Action::ALL {
                let on_self = allowed(actor, action, Some(me));
                match action {
                    ChangeRole => assert!(!on_self, "{role:?} may not change their own role"),
                    ReadAccount | ReadClaims => assert!(on_self, "{role:?} reads their own {action:?}"),
                    _ => {}
                }
                let listing = allowed(actor, action, None);
                assert_eq!(
                    listing && action == ListAccounts,
                    sees_admin(role) && action == ListAccounts,
                    "{role:?} lists accounts"
                );
            }
        }
    }

    #[test]
    fn scopes_follow_the_ids() {
        let me = subject(Some("prov"), None);
        assert_eq!(
            account_scope(Actor {
                role: Role::ProviderAdmin,
                subject: me
            }),
            Scope::Provider("prov".into())
        );
        assert_eq!(
            account_scope(Actor {
                role: Role::ClientAdmin,
                subject: me
            }),
            Scope::Nobody
        );
        assert_eq!(
            account_scope(Actor {
                role: Role::StaffUser,
                subject: me
            }),
            Scope::Everyone
        );
        assert_eq!(
            account_scope(Actor {
                role: Role::User,
                subject: me
            }),
            Scope::Nobody
        );
    }
}

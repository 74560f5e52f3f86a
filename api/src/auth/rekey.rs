//! Re-sealing every stored secret under the current `ENCRYPTION_KEY` (`profiles keys
//! reencrypt`), the last step of a key rotation.
//!
//! A rotation: set the new key as `ENCRYPTION_KEY` and the old one in `ENCRYPTION_KEY_PREVIOUS`
//! on every process (both open what the old key sealed, only the new one seals), run this once,
//! then drop `ENCRYPTION_KEY_PREVIOUS`. Each value is re-sealed in its own row update, guarded by
//! its old bytes, so a token a sign-in replaces meanwhile is left as the sign-in wrote it.

use diesel::prelude::*;
use uuid::Uuid;

use crate::crypto::{identity_context, permission_context, Cipher};
use crate::db::schema::{identities, orcid_permissions, pending_signups, signing_keys};
use crate::domain::{PermissionKind, Provider};

#[derive(Debug, Default)]
pub struct Report {
    /// Values sealed by an earlier key, now sealed by the current one.
    pub resealed: usize,
    /// Values the current key already sealed.
    pub current: usize,
    /// Where a value opens with no configured key (named by table and row).
    pub unreadable: Vec<String>,
}

impl Report {
    fn take(&mut self, cipher: &Cipher, sealed: &[u8], context: &str, place: String) -> Option<Vec<u8>> {
        match cipher.reseal(sealed, context) {
            Ok(Some(fresh)) => {
                self.resealed += 1;
                Some(fresh)
            }
            Ok(None) => {
                self.current += 1;
                None
            }
            Err(_) => {
                self.unreadable.push(place);
                None
            }
        }
    }
}

/// Re-seals provider tokens, ORCID permission tokens, pending sign-ups' tokens and signing keys.
pub fn reencrypt(conn: &mut PgConnection, cipher: &Cipher) -> QueryResult<Report> {
    let mut report = Report::default();

    type IdentityRow = (Uuid, String, String, Option<Vec<u8>>, Option<Vec<u8>>);
    let rows: Vec<IdentityRow> = identities::table
        .select((
            identities::id,
            identities::provider,
            identities::subject,
            identities::access_token_enc,
            identities::refresh_token_enc,
        ))
        .load(conn)?;
    for (id, provider, subject, access, refresh) in rows {
        let Ok(provider) = provider.parse::<Provider>() else {
            report
                .unreadable
                .push(format!("identities {id} (unknown provider {provider:?})"));
            continue;
        };
        for (which, sealed) in [("access", access), ("refresh", refresh)] {
            let Some(sealed) = sealed else { continue };
            let context = identity_context(provider, &subject, which);
            if let Some(fresh) = report.take(cipher, &sealed, &context, format!("identities {id} {which}")) {
                let row = identities::table.filter(identities::id.eq(id));
                if which == "access" {
                    diesel::update(row.filter(identities::access_token_enc.eq(&sealed)))
                        .set(identities::access_token_enc.eq(fresh))
                        .execute(conn)?;
                } else {
                    diesel::update(row.filter(identities::refresh_token_enc.eq(&sealed)))
                        .set(identities::refresh_token_enc.eq(fresh))
                        .execute(conn)?;
                }
            }
        }
    }

    type PermissionRow = (Uuid, Uuid, String, Option<Vec<u8>>, Option<Vec<u8>>);
    let rows: Vec<PermissionRow> = orcid_permissions::table
        .select((
            orcid_permissions::id,
            orcid_permissions::account_id,
            orcid_permissions::kind,
            orcid_permissions::access_token_enc,
            orcid_permissions::refresh_token_enc,
        ))
        .load(conn)?;
    for (id, account_id, kind, access, refresh) in rows {
        let Ok(kind) = kind.parse::<PermissionKind>() else {
            report
                .unreadable
                .push(format!("orcid_permissions {id} (unknown kind {kind:?})"));
            continue;
        };
        for (which, sealed) in [("access", access), ("refresh", refresh)] {
            let Some(sealed) = sealed else { continue };
            let context = permission_context(account_id, kind, which);
            if let Some(fresh) = report.take(cipher, &sealed, &context, format!("orcid_permissions {id} {which}")) {
                let row = orcid_permissions::table.filter(orcid_permissions::id.eq(id));
                if which == "access" {
                    diesel::update(row.filter(orcid_permissions::access_token_enc.eq(&sealed)))
                        .set(orcid_permissions::access_token_enc.eq(fresh))
                        .execute(conn)?;
                } else {
                    diesel::update(row.filter(orcid_permissions::refresh_token_enc.eq(&sealed)))
                        .set(orcid_permissions::refresh_token_enc.eq(fresh))
                        .execute(conn)?;
                }
            }
        }
    }

    // A pending sign-up keeps only its access token, for at most 30 minutes.
    let rows: Vec<(Uuid, String, String, Option<Vec<u8>>)> = pending_signups::table
        .select((
            pending_signups::id,
            pending_signups::provider,
            pending_signups::subject,
            pending_signups::access_token_enc,
        ))
        .load(conn)?;
    for (id, provider, subject, sealed) in rows {
        let Some(sealed) = sealed else { continue };
        let Ok(provider) = provider.parse::<Provider>() else {
            report
                .unreadable
                .push(format!("pending_signups {id} (unknown provider {provider:?})"));
            continue;
        };
        let context = identity_context(provider, &subject, "pending");
        if let Some(fresh) = report.take(cipher, &sealed, &context, format!("pending_signups {id}")) {
            diesel::update(
                pending_signups::table
                    .filter(pending_signups::id.eq(id))
                    .filter(pending_signups::access_token_enc.eq(&sealed)),
            )
            .set(pending_signups::access_token_enc.eq(fresh))
            .execute(conn)?;
        }
    }

    let rows: Vec<(String, Vec<u8>)> = signing_keys::table
        .select((signing_keys::kid, signing_keys::private_key_enc))
        .load(conn)?;
    for (kid, sealed) in rows {
        let context = format!("signing_key:{kid}");
        if let Some(fresh) = report.take(cipher, &sealed, &context, format!("signing_keys {kid}")) {
            diesel::update(
                signing_keys::table
                    .filter(signing_keys::kid.eq(&kid))
                    .filter(signing_keys::private_key_enc.eq(&sealed)),
            )
            .set(signing_keys::private_key_enc.eq(fresh))
            .execute(conn)?;
        }
    }
    Ok(report)
}

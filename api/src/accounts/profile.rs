//! The rules for what a person may change on their own account: names, email, other names and
//! whether the profile is public; never roles, flags or tokens.

use serde::Deserialize;
use utoipa::ToSchema;

use super::present;
use crate::db::models::AccountChangeset;
use crate::error::{ApiError, ErrorCode};

/// What a person may change about their own account. Everything is optional; `null` clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountUpdate {
    /// The name shown, 1–200 characters (spaces collapsed); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub given_names: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub family_name: Option<Option<String>>,
    pub other_names: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Show the account in public listings.
    pub is_public: Option<bool>,
}

/// Fields only staff may change, and tokens that are never writable.
pub const RESERVED_FIELDS: &[&str] = &[
    "role",
    "role_id",
    "provider_id",
    "client_id",
    "beta_tester",
    "auto_update",
    "orcid",
    "uid",
    "orcid_token",
    "access_token",
    "refresh_token",
    "github_token",
    "google_token",
    "created_at",
];

pub fn clean_text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    let Some(v) = value else { return Ok(None) };
    let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.chars().count() > max {
        return Err(ApiError::new(ErrorCode::InvalidField, format!("{field} is too long."))
            .with_field(field, format!("at most {max} characters")));
    }
    Ok(Some(v).filter(|s| !s.is_empty()))
}

/// The change a person's `PATCH /api/v1/accounts/me` body asks for, checked field by field.
pub fn profile_change(body: serde_json::Value) -> Result<AccountChangeset, ApiError> {
    let object = body
        .as_object()
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidBody, "Send a JSON object."))?;
    let reserved: Vec<&String> = object
        .keys()
        .filter(|k| RESERVED_FIELDS.contains(&k.as_str()))
        .collect();
    if !reserved.is_empty() {
        let mut error = ApiError::new(
            ErrorCode::FieldNotEditable,
            format!(
                "You cannot change {} here: roles and flags are set by staff, and tokens are never writable.",
                reserved.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        );
        for field in reserved {
            error = error.with_field(field.clone(), "not editable by the account holder");
        }
        return Err(error);
    }
    let update: AccountUpdate = serde_json::from_value(body).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidBody,
            format!("The JSON body does not fit this endpoint: {e}"),
        )
    })?;
    // A name of only spaces is a mistake, not a wish to clear it (`null` clears).
    if matches!(&update.name, Some(Some(v)) if v.trim().is_empty()) {
        return Err(ApiError::new(
            ErrorCode::InvalidName,
            "Your name cannot be empty. Type the name to show (up to 200 characters), or send null to use your ORCID record's.",
        )
        .with_field("name", "empty"));
    }
    let name = update.name.map(|v| clean_text("name", v, 200)).transpose()?;
    let given = update
        .given_names
        .map(|v| clean_text("given_names", v, 200))
        .transpose()?;
    let family = update
        .family_name
        .map(|v| clean_text("family_name", v, 200))
        .transpose()?;
    let email = update.email.map(|v| clean_text("email", v, 254)).transpose()?;
    if let Some(Some(e)) = &email {
        if !looks_like_email(e) {
            return Err(
                ApiError::new(ErrorCode::InvalidField, "That email address is not valid.")
                    .with_field("email", "expected an address like name@example.org"),
            );
        }
    }
    let other_names = match update.other_names {
        Some(list) => {
            if list.len() > 20 {
                return Err(ApiError::new(ErrorCode::InvalidField, "At most 20 other names.")
                    .with_field("other_names", "at most 20 entries"));
            }
            let mut cleaned = Vec::new();
            for n in list {
                if let Some(n) = clean_text("other_names", Some(n), 200)? {
                    cleaned.push(n);
                }
            }
            Some(serde_json::json!(cleaned))
        }
        None => None,
    };
    Ok(AccountChangeset {
        name,
        given_names: given,
        family_name: family,
        email,
        other_names,
        is_public: update.is_public,
        ..Default::default()
    })
}

/// An address like `name@example.org`: something, an `@`, and a domain with a dot; no spaces.
pub fn looks_like_email(e: &str) -> bool {
    e.split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
        && !e.contains(' ')
}

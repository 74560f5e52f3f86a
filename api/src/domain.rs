//! Product values that validate when parsed: an ORCID iD, a provider, a role.

use std::fmt;
use std::str::FromStr;

use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An ORCID iD in canonical form (`0000-0002-1825-0097`), with a valid ISO 7064 11,2 check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "0000-0002-1825-0097", pattern = r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")]
pub struct OrcidId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrcidIdError {
    #[error("an ORCID iD has 16 characters in four groups of four, like 0000-0002-1825-0097")]
    Format,
    #[error("the check digit of this ORCID iD is wrong; check it for typos")]
    Checksum,
}

impl OrcidId {
    /// Accepts the bare iD, `https://orcid.org/…` or `orcid.org/…`, with or without hyphens,
    /// and a lower-case `x`.
    pub fn parse(input: &str) -> Result<Self, OrcidIdError> {
        let s = input.trim();
        let s = [
            "https://orcid.org/",
            "http://orcid.org/",
            "https://sandbox.orcid.org/",
            "orcid.org/",
        ]
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .unwrap_or(s);
        let compact: String = s.chars().filter(|c| *c != '-').collect::<String>().to_ascii_uppercase();
        if compact.len() != 16
            || !compact[..15].chars().all(|c| c.is_ascii_digit())
            || !compact[15..].chars().all(|c| c.is_ascii_digit() || c == 'X')
        {
            return Err(OrcidIdError::Format);
        }
        if s.contains('-') && !(s.len() == 19 && s.split('-').all(|g| g.len() == 4)) {
            return Err(OrcidIdError::Format);
        }
        let mut total: u32 = 0;
        for c in compact[..15].chars() {
            total = (total + c.to_digit(10).unwrap_or(0)) * 2;
        }
        let check = (12 - total % 11) % 11;
        let expected = if check == 10 {
            'X'
        } else {
            char::from_digit(check, 10).unwrap_or('0')
        };
        if !compact.ends_with(expected) {
            return Err(OrcidIdError::Checksum);
        }
        Ok(Self(format!(
            "{}-{}-{}-{}",
            &compact[0..4],
            &compact[4..8],
            &compact[8..12],
            &compact[12..16]
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrcidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OrcidId {
    type Error = OrcidIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OrcidId> for String {
    fn from(value: OrcidId) -> Self {
        value.0
    }
}

impl FromStr for OrcidId {
    type Err = OrcidIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The longest DOI accepted, in characters.
pub const MAX_DOI_CHARS: usize = 500;

/// `https://doi.org/` and the DOI (or any text), built without `core::fmt`: lists build one a row.
pub fn doi_url(doi: &str) -> String {
    const RESOLVER: &str = "https://doi.org/";
    let mut url = String::with_capacity(RESOLVER.len() + doi.len());
    url.push_str(RESOLVER);
    url.push_str(doi);
    url
}

/// A DOI in the form claims store it: `10.<registrant>/<suffix>`, lower case, no resolver prefix.
/// DOIs are case-insensitive, so `10.5555/ABC` and `10.5555/abc` are the same claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "10.5555/j9cp-6b21", pattern = r"^10\.[0-9]{4,9}/\S+$")]
pub struct Doi(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DoiError {
    #[error("a DOI looks like 10.1234/abc (also accepted: doi:10.1234/abc and https://doi.org/10.1234/abc)")]
    Format,
    #[error("a DOI is at most 500 characters long")]
    TooLong,
}

impl Doi {
    /// Accepts `10.x/y`, `doi:10.x/y` and `https://doi.org/10.x/y` (also `dx.doi.org`, `http`),
    /// percent-encoded slashes included; stores it lower-cased.
    pub fn parse(input: &str) -> Result<Self, DoiError> {
        Self::parse_as_given(input).map(|(doi, _)| doi)
    }

    /// [`Doi::parse`], and the DOI in the case it was written (`10.5555/ABC`), for callers that
    /// expect to see their own spelling back.
    pub fn parse_as_given(input: &str) -> Result<(Self, String), DoiError> {
        fn strip_ascii_prefix<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
            let head = s.get(..prefix.len())?;
            head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
        }
        let s = input.trim();
        if s.chars().count() > MAX_DOI_CHARS {
            return Err(DoiError::TooLong);
        }
        let mut rest = s;
        for prefix in ["https://", "http://"] {
            if let Some(r) = strip_ascii_prefix(rest, prefix) {
                rest = r;
                break;
            }
        }
        for prefix in ["dx.doi.org/", "doi.org/", "doi:"] {
            if let Some(r) = strip_ascii_prefix(rest, prefix) {
                rest = r.trim_start();
                break;
            }
        }
        let given = rest.replace("%2f", "/").replace("%2F", "/");
        let decoded = given.to_lowercase();
        let Some((prefix, suffix)) = decoded.split_once('/') else {
            return Err(DoiError::Format);
        };
        let registrant = prefix.strip_prefix("10.").ok_or(DoiError::Format)?;
        if !(4..=9).contains(&registrant.len())
            || !registrant.chars().all(|c| c.is_ascii_digit())
            || suffix.is_empty()
            || suffix.chars().any(|c| c.is_whitespace() || c.is_control())
            // A suffix is opaque, but a `.` or `..` segment would walk up a URL path.
            || suffix.split('/').any(|segment| segment == "." || segment == "..")
        {
            return Err(DoiError::Format);
        }
        Ok((Self(decoded), given))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The DOI as URL path segments (`10.5555/a%3Fb/c`): each segment percent-encoded, so that
    /// nothing in a suffix can end the path, start a query or change the host's route.
    pub fn url_path(&self) -> String {
        use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
        const SEGMENT: &AsciiSet = &CONTROLS
            .add(b' ')
            .add(b'"')
            .add(b'#')
            .add(b'%')
            .add(b'/')
            .add(b'<')
            .add(b'>')
            .add(b'?')
            .add(b'[')
            .add(b'\\')
            .add(b']')
            .add(b'^')
            .add(b'`')
            .add(b'{')
            .add(b'|')
            .add(b'}');
        self.0
            .split('/')
            .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The part before the slash, e.g. `10.5555`.
    pub fn prefix(&self) -> &str {
        self.0.split_once('/').map_or(self.0.as_str(), |(p, _)| p)
    }
}

impl fmt::Display for Doi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Doi {
    type Error = DoiError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Doi> for String {
    fn from(value: Doi) -> Self {
        value.0
    }
}

/// A way to sign in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, diesel::AsExpression, diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Orcid,
    Google,
    Github,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Orcid, Provider::Google, Provider::Github];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Orcid => "orcid",
            Self::Google => "google",
            Self::Github => "github",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Orcid => "ORCID",
            Self::Google => "Google",
            Self::Github => "GitHub",
        }
    }
}

impl FromStr for Provider {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "orcid" => Ok(Self::Orcid),
            "google" => Ok(Self::Google),
            "github" => Ok(Self::Github),
            _ => Err(()),
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// DataCite's roles, from staff admin down to an ordinary user.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, diesel::AsExpression, diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    StaffAdmin,
    StaffUser,
    ProviderAdmin,
    ProviderUser,
    ClientAdmin,
    ClientUser,
    User,
}

impl Role {
    /// Every role, from staff admin down.
    pub const ALL: [Role; 7] = [
        Self::StaffAdmin,
        Self::StaffUser,
        Self::ProviderAdmin,
        Self::ProviderUser,
        Self::ClientAdmin,
        Self::ClientUser,
        Self::User,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::StaffAdmin => "staff_admin",
            Self::StaffUser => "staff_user",
            Self::ProviderAdmin => "provider_admin",
            Self::ProviderUser => "provider_user",
            Self::ClientAdmin => "client_admin",
            Self::ClientUser => "client_user",
            Self::User => "user",
        }
    }

    pub fn is_staff(self) -> bool {
        matches!(self, Self::StaffAdmin | Self::StaffUser)
    }
}

impl FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "staff_admin" => Self::StaffAdmin,
            "staff_user" => Self::StaffUser,
            "provider_admin" => Self::ProviderAdmin,
            "provider_user" => Self::ProviderUser,
            "client_admin" => Self::ClientAdmin,
            "client_user" => Self::ClientUser,
            "user" => Self::User,
            _ => return Err(()),
        })
    }
}

/// The two ORCID grants used to push works.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, diesel::AsExpression, diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum PermissionKind {
    SearchAndLink,
    AutoUpdate,
}

impl PermissionKind {
    pub const ALL: [PermissionKind; 2] = [PermissionKind::SearchAndLink, PermissionKind::AutoUpdate];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SearchAndLink => "search_and_link",
            Self::AutoUpdate => "auto_update",
        }
    }
}

impl FromStr for PermissionKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "search_and_link" => Ok(Self::SearchAndLink),
            "auto_update" => Ok(Self::AutoUpdate),
            _ => Err(()),
        }
    }
}

/// A DOI from request input, or a 422 problem naming `field`. Its length counts the value as sent,
/// surrounding spaces included, as the API's `maxLength` of 500 does.
pub fn parse_doi(value: &str, field: &str) -> crate::error::ApiResult<Doi> {
    let as_sent = if value.chars().count() > MAX_DOI_CHARS {
        Err(DoiError::TooLong)
    } else {
        Doi::parse(value)
    };
    as_sent.map_err(|e| {
        crate::error::ApiError::new(ErrorCode::InvalidDoi, format!("{value:?} is not a DOI: {e}."))
            .with_field(field, e.to_string())
    })
}

/// An ORCID iD from request input, or a 422 problem naming `field`.
pub fn parse_orcid(value: &str, field: &str) -> crate::error::ApiResult<OrcidId> {
    OrcidId::parse(value).map_err(|e| {
        crate::error::ApiError::new(ErrorCode::InvalidOrcid, format!("{value:?} is not an ORCID iD: {e}."))
            .with_field(field, e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dois_cannot_walk_a_url_path() {
        for bad in [
            "10.5555/../../providers/x",
            "10.5555/./x",
            "10.5555/a/..",
            "10.5555/a\u{7}b",
        ] {
            assert_eq!(Doi::parse(bad), Err(DoiError::Format), "{bad}");
        }
        let doi = Doi::parse("10.5555/a?b#c/d%25e..g").unwrap();
        assert_eq!(doi.url_path(), "10.5555/a%3Fb%23c/d%2525e..g");
        let sici = Doi::parse("10.1002/(SICI)1097-4571:<3.0.CO;2-0").unwrap();
        assert_eq!(sici.url_path(), "10.1002/(sici)1097-4571:%3C3.0.co;2-0");
    }

    #[test]
    fn orcid_ids_are_checked_and_canonicalised() {
        assert_eq!(
            OrcidId::parse("0000-0002-1825-0097").unwrap().as_str(),
            "0000-0002-1825-0097"
        );
        assert_eq!(
            OrcidId::parse("https://orcid.org/0000-0002-1825-0097")
                .unwrap()
                .as_str(),
            "0000-0002-1825-0097"
        );
        assert_eq!(
            OrcidId::parse("000000021825 0097".replace(' ', "").as_str())
                .unwrap()
                .as_str(),
            "0000-0002-1825-0097"
        );
        assert_eq!(
            OrcidId::parse("0000-0002-9079-593x").unwrap().as_str(),
            "0000-0002-9079-593X"
        );
        assert_eq!(OrcidId::parse("0000-0002-1825-0098"), Err(OrcidIdError::Checksum));
        assert_eq!(OrcidId::parse("0000-0002-1825"), Err(OrcidIdError::Format));
        assert_eq!(OrcidId::parse("0000-00021-825-0097"), Err(OrcidIdError::Format));
        assert_eq!(OrcidId::parse("abcd-0002-1825-0097"), Err(OrcidIdError::Format));
    }

    #[test]
    fn dois_are_normalised() {
        for input in [
            "10.5555/J9CP-6B21",
            " doi:10.5555/j9cp-6b21 ",
            "DOI: 10.5555/j9cp-6b21",
            "https://doi.org/10.5555/j9cp-6b21",
            "http://dx.doi.org/10.5555/J9CP-6b21",
            "https://doi.org/10.5555%2Fj9cp-6b21",
        ] {
            assert_eq!(Doi::parse(input).unwrap().as_str(), "10.5555/j9cp-6b21", "{input}");
        }
        assert_eq!(Doi::parse("10.5555/x").unwrap().prefix(), "10.5555");
        for (input, given) in [
            ("https://DOI.org/10.5555/J9CP-6b21", "10.5555/J9CP-6b21"),
            ("DOI:10.5555%2FAbC", "10.5555/AbC"),
            ("10.5555/İx", "10.5555/İx"),
        ] {
            let (doi, as_given) = Doi::parse_as_given(input).unwrap();
            assert_eq!(as_given, given);
            assert_eq!(doi.as_str(), given.to_lowercase());
        }
        for bad in [
            "",
            "10.5555",
            "10.55/abc",
            "11.5555/abc",
            "10.5555/",
            "10.5555/a b",
            "https://example.org/10.5555/x",
        ] {
            assert_eq!(Doi::parse(bad), Err(DoiError::Format), "{bad}");
        }
        assert_eq!(
            Doi::parse(&format!("10.5555/{}", "a".repeat(600))),
            Err(DoiError::TooLong)
        );
        // Request input counts as sent, as the API's `maxLength` does: padding counts there.
        // Data from ORCID and DataCite is trimmed first.
        let padded = format!("{}10.5555/{}", "\r".repeat(10), "a".repeat(484));
        assert_eq!(padded.chars().count(), 502);
        let refused = parse_doi(&padded, "doi").unwrap_err();
        assert_eq!(refused.code, ErrorCode::InvalidDoi);
        assert!(parse_doi(&padded[10..], "doi").is_ok());
        assert!(Doi::parse(&padded).is_ok());
    }
}

crate::text_enum!(Provider);

crate::text_enum!(Role);

crate::text_enum!(PermissionKind);

/// Whether a stored ORCID permission can still push works.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, diesel::AsExpression, diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    /// Usable.
    Active,
    /// Withdrawn by the person (here or at ORCID); its tokens are gone.
    Revoked,
    /// ORCID refused its token; the person must grant again.
    Invalid,
}

impl GrantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
            Self::Invalid => "invalid",
        }
    }
}

impl FromStr for GrantStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(Self::Active),
            "revoked" => Ok(Self::Revoked),
            "invalid" => Ok(Self::Invalid),
            _ => Err(()),
        }
    }
}

crate::text_enum!(GrantStatus);

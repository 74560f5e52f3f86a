//! Compatibility layers for callers of other services' APIs.

pub mod claims;
pub mod datacite;
pub mod users;

//! Compatibility layers for callers of other services' APIs.

pub mod datacite;

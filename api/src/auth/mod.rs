//! Authentication: identity providers, sessions, and the JWTs we issue.

pub mod api_tokens;
pub mod keys;
pub mod origin;
pub mod providers;
pub mod rekey;
pub mod session;
pub mod sso;

//! Secrets at rest and random tokens.
//!
//! Provider tokens and signing keys are sealed with AES-256-GCM under `ENCRYPTION_KEY`. A sealed
//! value is `version (1 byte) || nonce (12) || ciphertext+tag`, so the key can be rotated later
//! by adding a version. The row's identity goes in as associated data, so a ciphertext copied to
//! another row does not decrypt.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

const VERSION: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the sealed value does not decrypt with this key (wrong ENCRYPTION_KEY or tampered data)")]
    Decrypt,
}

#[derive(Clone)]
pub struct Cipher {
    aead: Aes256Gcm,
    /// Earlier keys (`ENCRYPTION_KEY_PREVIOUS`): still opened, never sealed with, while a
    /// rotation is under way.
    previous: Vec<Aes256Gcm>,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher([redacted])")
    }
}

impl Cipher {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            aead: Aes256Gcm::new(key.into()),
            previous: Vec::new(),
        }
    }

    /// Also opens what `keys` sealed (the keys a rotation replaces).
    pub fn with_previous<'a>(mut self, keys: impl IntoIterator<Item = &'a [u8; 32]>) -> Self {
        self.previous = keys.into_iter().map(|k| Aes256Gcm::new(k.into())).collect();
        self
    }

    /// `sealed` under the current key: `None` when it already is, the new value when an earlier
    /// key sealed it, an error when no key opens it.
    pub fn reseal(&self, sealed: &[u8], context: &str) -> Result<Option<Vec<u8>>, CryptoError> {
        if open_with(&self.aead, sealed, context).is_ok() {
            return Ok(None);
        }
        let plaintext = self
            .previous
            .iter()
            .find_map(|aead| open_with(aead, sealed, context).ok())
            .ok_or(CryptoError::Decrypt)?;
        Ok(Some(self.seal(&plaintext, context)))
    }

    /// Encrypts `plaintext`, bound to `context` (e.g. `identity:<uuid>:access`).
    #[expect(
        clippy::expect_used,
        reason = "AES-GCM fails only past 64 GiB of plaintext; tokens are bytes"
    )]
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ciphertext = self
            .aead
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encryption cannot fail for in-memory buffers");
        let mut out = Vec::with_capacity(1 + 12 + ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Decrypts with the current key, or else with an earlier one.
    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>, CryptoError> {
        match open_with(&self.aead, sealed, context) {
            Err(CryptoError::Decrypt) => self
                .previous
                .iter()
                .find_map(|aead| open_with(aead, sealed, context).ok())
                .ok_or(CryptoError::Decrypt),
            other => other,
        }
    }

    pub fn seal_str(&self, plaintext: &str, context: &str) -> Vec<u8> {
        self.seal(plaintext.as_bytes(), context)
    }

    pub fn open_str(&self, sealed: &[u8], context: &str) -> Result<String, CryptoError> {
        String::from_utf8(self.open(sealed, context)?).map_err(|_| CryptoError::Malformed)
    }
}

fn open_with(aead: &Aes256Gcm, sealed: &[u8], context: &str) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < 1 + 12 + 16 || sealed[0] != VERSION {
        return Err(CryptoError::Malformed);
    }
    let nonce: [u8; 12] = sealed[1..13].try_into().map_err(|_| CryptoError::Malformed)?;
    aead.decrypt(
        &Nonce::from(nonce),
        Payload {
            msg: &sealed[13..],
            aad: context.as_bytes(),
        },
    )
    .map_err(|_| CryptoError::Decrypt)
}

/// `n` random bytes, URL-safe base64 without padding.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

/// Compares secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a sealed token of an identity is bound to (the AEAD associated data).
pub fn identity_context(provider: crate::domain::Provider, subject: &str, which: &str) -> String {
    format!("identity:{provider}:{subject}:{which}")
}

/// What a sealed token of an ORCID permission is bound to.
pub fn permission_context(account_id: uuid::Uuid, kind: crate::domain::PermissionKind, which: &str) -> String {
    format!("permission:{account_id}:{}:{which}", kind.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip() {
        let c = Cipher::new(&[7u8; 32]);
        let sealed = c.seal_str("gho_secret", "identity:1:access");
        assert!(
            !sealed.windows(10).any(|w| w == b"gho_secret"),
            "plaintext must not show"
        );
        assert_eq!(c.open_str(&sealed, "identity:1:access").unwrap(), "gho_secret");
    }

    #[test]
    fn wrong_key_context_or_tampering_fails() {
        let c = Cipher::new(&[7u8; 32]);
        let sealed = c.seal_str("token", "a");
        assert!(Cipher::new(&[8u8; 32]).open(&sealed, "a").is_err());
        assert!(c.open(&sealed, "b").is_err(), "bound to its row");
        let mut bad = sealed.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(c.open(&bad, "a").is_err());
        assert!(matches!(c.open(&[1, 2, 3], "a"), Err(CryptoError::Malformed)));
    }

    #[test]
    fn nonces_differ() {
        let c = Cipher::new(&[7u8; 32]);
        assert_ne!(c.seal_str("x", "a"), c.seal_str("x", "a"));
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let a = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32));
        assert!(constant_time_eq(a.as_bytes(), a.as_bytes()));
        assert!(!constant_time_eq(a.as_bytes(), random_token(32).as_bytes()));
    }
}

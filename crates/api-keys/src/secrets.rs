//! Random credentials and how they are kept: client secrets as Argon2id hashes (slow on
//! purpose: they are long-lived), bearer tokens as SHA-256 digests (fast: they are 256-bit random
//! and short-lived, and every request looks one up).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// `prefix` followed by `bytes` random bytes, base64url.
pub fn random_credential(prefix: &str, bytes: usize) -> String {
    let mut random = vec![0u8; bytes];
    rand::fill(&mut random[..]);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(random))
}

pub fn hash_secret(secret: &str) -> String {
    let salt: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .expect("Argon2id with default parameters hashes any secret")
        .to_string()
}

pub fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
}

/// Spends the time a real verification takes, so an unknown client id cannot be told from a
/// wrong secret by timing.
pub fn verify_against_nothing(secret: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_secret("no key has this secret"));
    verify_secret(secret, hash);
}

pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_verify_only_against_their_own_hash() {
        let secret = random_credential("cs_", 32);
        assert_eq!(secret.len(), 3 + 43, "256 bits, base64url");
        let hash = hash_secret(&secret);
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains(&secret));
        assert!(verify_secret(&secret, &hash));
        assert!(!verify_secret(&random_credential("cs_", 32), &hash));
        assert!(!verify_secret(&secret, "not a hash"));
    }

    #[test]
    fn credentials_differ_and_digests_are_stable() {
        assert_ne!(random_credential("ck_", 16), random_credential("ck_", 16));
        assert_eq!(token_digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}

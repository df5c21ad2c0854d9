//! Random credentials and how they are kept: client secrets as Argon2id hashes (slow on
//! purpose: they are long-lived), bearer tokens as SHA-256 digests (fast: they are 256-bit random
//! and short-lived, and every request looks one up).

use std::sync::Mutex;

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

/// Argon2's working memory (19 MiB with the default parameters), kept for the next
/// verification: allocated afresh for each one, it stayed in the allocator's per-thread arenas,
/// and a burst of token requests took the server to 1.9 GB. Verifications run a few at a time
/// (one per core), so this holds that many.
static WORKING_MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

pub fn verify_secret(secret: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        parsed.version.map_or(Ok(Version::default()), Version::try_from),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let block_count = params.block_count();
    let mut memory = WORKING_MEMORY.lock().ok().and_then(|mut kept| kept.pop()).unwrap_or_default();
    memory.resize(block_count, Block::default());
    let mut computed = vec![0u8; expected.len()];
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        secret.as_bytes(),
        salt,
        &mut computed,
        &mut memory[..],
    );
    if let Ok(mut kept) = WORKING_MEMORY.lock() {
        kept.push(memory);
    }
    // `Output` compares in constant time.
    hashed.is_ok() && Output::new(&computed).is_ok_and(|computed| computed == expected)
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

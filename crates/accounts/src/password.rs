//! Password hashing with argon2id.
//!
//! Hashes are PHC strings (`$argon2id$v=19$m=…`), which carry their own
//! parameters and salt, so parameters can be raised later without breaking
//! existing accounts. These functions are slow on purpose; never call them
//! while holding the connection lock.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::{Error, Result};

/// The hasher for new passwords: argon2id with the crate's recommended
/// parameters (19 MiB, 2 passes, 1 lane).
#[cfg(not(test))]
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Unit tests hash hundreds of passwords in an unoptimised build; they use
/// the smallest argon2id parameters. Verification reads the parameters from
/// the stored hash, so only hashing differs.
#[cfg(test)]
fn hasher() -> Argon2<'static> {
    let params = Params::new(Params::MIN_M_COST, 1, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The production parameters, for tests that check them.
#[cfg(test)]
pub(crate) fn production_hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Hashes `password` with a fresh random salt.
pub(crate) fn hash(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::PasswordHash(e.to_string()))
}

/// Whether `password` matches the PHC string `stored`.
pub(crate) fn verify(password: &str, stored: &str) -> Result<bool> {
    let parsed = PasswordHash::new(stored).map_err(|e| Error::PasswordHash(e.to_string()))?;
    if parsed.hash.is_none() {
        // Without an output nothing can match; that is damage, not a wrong password.
        return Err(Error::PasswordHash("stored hash has no output".into()));
    }
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(Error::PasswordHash(e.to_string())),
    }
}

/// Spends as long as checking a real password would, for sign-ins to
/// addresses that have no account. The result is always a mismatch.
pub(crate) fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        // A random secret nobody knows, hashed like every real password.
        let mut secret = [0u8; 16];
        argon2::password_hash::rand_core::RngCore::fill_bytes(&mut OsRng, &mut secret);
        hash(&hex::encode(secret)).ok()
    });
    if let Some(dummy) = dummy {
        let _ = verify(password, dummy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$"), "{h}");
        assert!(!h.contains("correct horse"));
        assert!(verify("correct horse", &h).unwrap());
        assert!(!verify("correct horsE", &h).unwrap());
        assert!(!verify("", &h).unwrap());
        // Salted: the same password hashes differently each time.
        assert_ne!(h, hash("correct horse").unwrap());
    }

    #[test]
    fn production_parameters_are_argon2id_defaults() {
        let salt = SaltString::generate(&mut OsRng);
        let h = production_hasher()
            .hash_password(b"pw", &salt)
            .unwrap()
            .to_string();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("pw", &h).unwrap());
    }

    #[test]
    fn malformed_stored_hash_is_an_error() {
        for stored in [
            "",
            "plaintext",
            "$argon2id$v=19$m=x",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ",
            "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
        ] {
            assert!(
                matches!(verify("pw", stored), Err(Error::PasswordHash(_))),
                "{stored:?}"
            );
        }
    }
}

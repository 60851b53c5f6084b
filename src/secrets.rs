//! Secrets at rest: how passwords and session tokens are kept in the db
//! file, so that reading the file hands out neither.
//!
//! Write-only properties (user passwords, `boot-ftp-password`,
//! `ssc-master-pw`, `bind-password`) are stored as `sha256$<salt>$<digest>`
//! (hex; the digest is SHA-256 of the 16 salt bytes followed by the
//! password). A salted SHA-256, not a slow KDF like argon2: the db holds
//! test credentials, the point is that a copied file or a `sqlite3` look
//! does not show them, and test suites log on thousands of times per run
//! (and in debug builds, where a memory-hard hash costs milliseconds), so
//! a logon must stay at microseconds. A stored value already in that form
//! is kept as it is, which is how `dump --with-passwords` output loads back.
//!
//! Session ids and credentials are stored as their SHA-256: they are 244
//! random bits, so no salt is needed, and a request's id finds its row by
//! hashing it again.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

const PREFIX: &str = "sha256$";
const SALT_BYTES: usize = 16;

fn hex(bytes: &[u8]) -> String {
    // By table rather than `write!("{:02x}")`: every request hashes its
    // session id, and the formatting machinery cost more than the hash.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn salted_digest(salt: &[u8], password: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(password.as_bytes());
    h.finalize().to_vec()
}

/// The stored form of `password`, with a fresh random salt.
pub fn hash_password(password: &str) -> String {
    // A v4 UUID is 122 random bits from the OS generator: salt enough for
    // this purpose, without another dependency.
    let salt = uuid::Uuid::new_v4().into_bytes();
    format!(
        "{PREFIX}{}${}",
        hex(&salt),
        hex(&salted_digest(&salt, password))
    )
}

/// The salt and digest of a stored password, if it is in the hashed form.
fn parse(stored: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let (salt, digest) = stored.strip_prefix(PREFIX)?.split_once('$')?;
    let (salt, digest) = (unhex(salt)?, unhex(digest)?);
    (salt.len() == SALT_BYTES && digest.len() == 32).then_some((salt, digest))
}

/// Whether `stored` is a hashed password.
pub fn is_hashed(stored: &str) -> bool {
    parse(stored).is_some()
}

/// Whether `given` is the password `stored` holds. A stored value that is
/// not hashed (put into the db behind the HMC's back, e.g. with `sqlite3`)
/// is compared as it is.
pub fn verify_password(stored: &str, given: &str) -> bool {
    match parse(stored) {
        // Compares every byte, so the time does not tell how many matched.
        Some((salt, digest)) => {
            salted_digest(&salt, given)
                .iter()
                .zip(&digest)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
        }
        None => stored == given,
    }
}

/// Replaces the string values of the write-only properties `names` in
/// `props` by their hashed form (values already hashed stay).
pub fn seal(props: &mut Map<String, Value>, names: &[&str]) {
    for name in names {
        if let Some(Value::String(s)) = props.get_mut(*name)
            && !is_hashed(s)
        {
            *s = hash_password(s);
        }
    }
}

/// Whether `props` holds a write-only property of `names` in plain text.
pub fn has_plain(props: &Map<String, Value>, names: &[&str]) -> bool {
    names
        .iter()
        .any(|n| matches!(props.get(*n), Some(Value::String(s)) if !is_hashed(s)))
}

/// The stored key of a session id or credential: its SHA-256, in hex.
pub fn token_key(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_hashed_password_verifies_only_the_password() {
        let stored = hash_password("s3cret");
        assert!(is_hashed(&stored));
        assert!(!stored.contains("s3cret"));
        assert!(verify_password(&stored, "s3cret"));
        assert!(!verify_password(&stored, "s3cre"));
        assert!(!verify_password(&stored, ""));
        // A fresh salt each time.
        assert_ne!(hash_password("s3cret"), stored);
    }

    #[test]
    fn a_plain_stored_value_compares_as_it_is() {
        assert!(verify_password("pw", "pw"));
        assert!(!verify_password("pw", "PW"));
        assert!(!is_hashed("sha256$zz$00"));
    }

    #[test]
    fn seal_hashes_plain_write_only_strings_once() {
        let mut props = json!({"password": "pw", "name": "u", "other": 3})
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert!(has_plain(&props, &["password"]));
        seal(&mut props, &["password", "other"]);
        let stored = props["password"].as_str().unwrap_or_default().to_string();
        assert!(verify_password(&stored, "pw"));
        assert_eq!(props["other"], 3);
        assert!(!has_plain(&props, &["password"]));
        seal(&mut props, &["password"]);
        assert_eq!(props["password"], stored.as_str());
    }

    #[test]
    fn token_keys_are_stable_sha256_hex() {
        assert_eq!(
            token_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

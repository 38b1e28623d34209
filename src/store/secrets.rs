//! Secrets at rest: option values a datasource type marks secret are
//! encrypted before they reach the store.
//!
//! XChaCha20-Poly1305 with a 32-byte key in `<data_dir>/secret.key`
//! (created with mode 0600; a key file others can read is refused) and a
//! random 24-byte nonce per value: with nonces that long, random ones never
//! collide in practice, which a 96-bit AES-GCM nonce cannot promise (the
//! issue asked for AES-GCM; the stack notes chose XChaCha20 for this).
//! The stored form is `v1:` + base64(nonce ‖ ciphertext). The associated
//! data names the owner (`datasource:<name>:<option>`), so a ciphertext
//! copied into another row or option fails to decrypt.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use super::StoreError;

const KEY_FILE: &str = "secret.key";
const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;

/// Encrypts and decrypts secret values with the data dir's key.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl SecretBox {
    /// Loads `<data_dir>/secret.key`, creating it (mode 0600) on first use.
    pub fn open(data_dir: &Path) -> Result<SecretBox, StoreError> {
        let path = data_dir.join(KEY_FILE);
        let key = match std::fs::read(&path) {
            Ok(key) => {
                check_permissions(&path)?;
                key
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key(&path)?,
            Err(e) => return Err(StoreError::Io(e)),
        };
        let cipher = XChaCha20Poly1305::new_from_slice(&key).map_err(|_| {
            StoreError::Secret(format!(
                "key file {} (it must hold 32 bytes)",
                path.display()
            ))
        })?;
        Ok(SecretBox { cipher })
    }

    /// Encrypts `value` for the owner `aad` (e.g. `datasource:pg:password`).
    pub fn seal(&self, aad: &str, value: &SecretString) -> Result<String, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: value.expose_secret().as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Secret(aad.to_string()))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", STANDARD.encode(bytes)))
    }

    /// Decrypts a value sealed for `aad`.
    pub fn open_value(&self, aad: &str, stored: &str) -> Result<SecretString, StoreError> {
        let fail = || StoreError::Secret(aad.to_string());
        let bytes = stored
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or_else(fail)?;
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| fail())?;
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| fail())?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| fail())
    }
}

/// Writes a fresh random key, creating the file with mode 0600 so that it
/// is never readable by others, not even for a moment.
fn create_key(path: &PathBuf) -> Result<Vec<u8>, StoreError> {
    let mut key = vec![0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(&key)?;
    file.sync_all()?;
    Ok(key)
}

fn check_permissions(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(StoreError::KeyFilePermissions(path.display().to_string()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_round_trips_and_binds_the_owner() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = SecretBox::open(dir.path()).unwrap();
        // Long enough that the sealed text cannot hold it by chance (a
        // two-letter secret turned up in the base64 about once in 100 runs).
        let secret = "correct horse battery staple";
        let sealed = secrets
            .seal("datasource:a:password", &SecretString::from(secret))
            .unwrap();
        assert!(sealed.starts_with("v1:"));
        let payload = STANDARD.decode(&sealed[3..]).unwrap();
        assert!(!sealed.contains(secret));
        assert!(
            !payload
                .windows(secret.len())
                .any(|w| w == secret.as_bytes())
        );
        let opened = secrets
            .open_value("datasource:a:password", &sealed)
            .unwrap();
        assert_eq!(opened.expose_secret(), secret);
        assert!(matches!(
            secrets.open_value("datasource:b:password", &sealed),
            Err(StoreError::Secret(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_private_and_a_readable_one_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        SecretBox::open(dir.path()).unwrap();
        let path = dir.path().join(KEY_FILE);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            SecretBox::open(dir.path()),
            Err(StoreError::KeyFilePermissions(_))
        ));
    }

    #[test]
    fn another_key_cannot_open_a_value() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let sealed = SecretBox::open(a.path())
            .unwrap()
            .seal("x", &SecretString::from("pw"))
            .unwrap();
        assert!(
            SecretBox::open(b.path())
                .unwrap()
                .open_value("x", &sealed)
                .is_err()
        );
    }
}

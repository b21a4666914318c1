//! Encryption at rest for sensitive free text (narratives, notes, reporter contact, health
//! details): AES-256-GCM with a random 96-bit nonce per value. A stored value reads
//! `v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`; the associated data binds it to its
//! place (table, column, row id), so a value copied into another row or column does not open.
//!
//! The key comes from `MADAR_DATA_KEY` (32 bytes, base64); previous keys stay readable through
//! `MADAR_DATA_KEY_PREVIOUS` while rows are re-encrypted. Names used for matching and search are
//! not encrypted: access to them is what the policy guards.
use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

pub mod sealed_columns;

const VERSION: &str = "v1";
const NONCE_LEN: usize = 12;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Where a value is stored: its associated data.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row_id: &'a str,
}

impl Place<'_> {
    fn aad(&self) -> Vec<u8> {
        format!("madar\0{}\0{}\0{}", self.table, self.column, self.row_id).into_bytes()
    }
}

struct DataKey {
    id: String,
    cipher: Aes256Gcm,
}

impl DataKey {
    fn new(bytes: &[u8]) -> anyhow::Result<DataKey> {
        anyhow::ensure!(
            bytes.len() == 32,
            "a data key is 32 bytes (base64 of 32 random bytes)"
        );
        let id = hex::encode(&Sha256::digest(bytes)[..4]);
        let cipher = Aes256Gcm::new_from_slice(bytes)
            .map_err(|_| anyhow::anyhow!("a data key is 32 bytes"))?;
        Ok(DataKey { id, cipher })
    }
}

/// The current key, which seals, and the previous ones, which still open.
pub struct Keyring {
    current: DataKey,
    previous: Vec<DataKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Keyring(current {}, {} previous)",
            self.current.id,
            self.previous.len()
        )
    }
}

/// Decodes a key written as base64 (standard or URL-safe, padded or not).
pub fn decode_key(text: &str) -> anyhow::Result<Vec<u8>> {
    let text = text.trim();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .or_else(|_| B64.decode(text.trim_end_matches('=')))
        .map_err(|_| anyhow::anyhow!("a data key is written in base64"))
}

/// A new random key, in base64 (for `madar` to generate one in development).
pub fn generate_key() -> String {
    base64::engine::general_purpose::STANDARD.encode(Aes256Gcm::generate_key(OsRng))
}

impl Keyring {
    pub fn new(current: &[u8], previous: &[Vec<u8>]) -> anyhow::Result<Keyring> {
        Ok(Keyring {
            current: DataKey::new(current)?,
            previous: previous
                .iter()
                .map(|k| DataKey::new(k))
                .collect::<anyhow::Result<_>>()?,
        })
    }

    /// Encrypts `plaintext` for its place.
    pub fn seal(&self, place: Place<'_>, plaintext: &str) -> Result<String, ApiError> {
        self.seal_bytes(place, plaintext.as_bytes())
    }

    /// Encrypts bytes (a file) for their place, in the same text form as `seal`.
    pub fn seal_bytes(&self, place: Place<'_>, plaintext: &[u8]) -> Result<String, ApiError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = place.aad();
        let sealed = self
            .current
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("encryption failed")))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!(
            "{VERSION}:{}:{}",
            self.current.id,
            B64.encode(bytes)
        ))
    }

    /// Decrypts a stored value; a value moved from its place, altered, or sealed with an unknown
    /// key is an internal error (it is never shown).
    pub fn open(&self, place: Place<'_>, stored: &str) -> Result<String, ApiError> {
        let plain = self.open_bytes(place, stored)?;
        String::from_utf8(plain).map_err(|_| {
            ApiError::Internal(anyhow::anyhow!(
                "encrypted {}.{}: not UTF-8",
                place.table,
                place.column
            ))
        })
    }

    /// Decrypts a value sealed with `seal_bytes` (or `seal`), as bytes.
    pub fn open_bytes(&self, place: Place<'_>, stored: &str) -> Result<Vec<u8>, ApiError> {
        let broken = |why: &str| {
            ApiError::Internal(anyhow::anyhow!(
                "encrypted {}.{}: {why}",
                place.table,
                place.column
            ))
        };
        let mut parts = stored.splitn(3, ':');
        let (Some(VERSION), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(broken("not a sealed value"));
        };
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
            .ok_or_else(|| broken("sealed with an unknown key"))?;
        let bytes = B64.decode(data).map_err(|_| broken("not base64"))?;
        if bytes.len() < NONCE_LEN {
            return Err(broken("too short"));
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| broken("bad nonce"))?;
        let aad = place.aad();
        key.cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| broken("does not open (altered or moved)"))
    }

    /// Whether a stored value was sealed with an older key (to re-encrypt it).
    pub fn is_current(&self, stored: &str) -> bool {
        stored.split(':').nth(1) == Some(self.current.id.as_str())
    }

    /// The current key's id (the one `seal` writes).
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Whether the key `id` is in the ring (current or previous).
    pub fn knows(&self, id: &str) -> bool {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .any(|k| k.id == id)
    }
}

/// The key id of a stored sealed value, or None when it is not a sealed value.
pub fn key_id(stored: &str) -> Option<&str> {
    let mut parts = stored.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(VERSION), Some(id), Some(_)) => Some(id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyring() -> Keyring {
        Keyring::new(&[7u8; 32], &[]).unwrap()
    }

    const HERE: Place<'static> = Place {
        table: "reports",
        column: "narrative",
        row_id: "r1",
    };

    #[test]
    fn a_sealed_value_opens_in_its_place_only() {
        let k = keyring();
        let sealed = k.seal(HERE, "الطفل في خطر").unwrap();
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("الطفل"));
        assert_eq!(k.open(HERE, &sealed).unwrap(), "الطفل في خطر");
        let elsewhere = Place {
            row_id: "r2",
            ..HERE
        };
        assert!(k.open(elsewhere, &sealed).is_err());
        let other_column = Place {
            column: "notes",
            ..HERE
        };
        assert!(k.open(other_column, &sealed).is_err());
    }

    #[test]
    fn bytes_seal_and_open_in_their_place_only() {
        let k = keyring();
        let file = [0x89u8, b'P', b'N', b'G', 0, 0xff, 0xfe];
        let sealed = k.seal_bytes(HERE, &file).unwrap();
        assert!(sealed.starts_with("v1:"));
        assert_eq!(k.open_bytes(HERE, &sealed).unwrap(), file);
        let elsewhere = Place {
            row_id: "r2",
            ..HERE
        };
        assert!(k.open_bytes(elsewhere, &sealed).is_err());
        // Bytes that are not UTF-8 do not open as text.
        assert!(k.open(HERE, &sealed).is_err());
    }

    #[test]
    fn the_same_text_seals_differently_each_time() {
        let k = keyring();
        assert_ne!(k.seal(HERE, "x").unwrap(), k.seal(HERE, "x").unwrap());
    }

    #[test]
    fn an_altered_value_does_not_open() {
        let k = keyring();
        let sealed = k.seal(HERE, "secret").unwrap();
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(k.open(HERE, &String::from_utf8(altered).unwrap()).is_err());
        assert!(k.open(HERE, "plain text").is_err());
    }

    #[test]
    fn a_rotated_key_still_opens_old_values_and_seals_with_the_new() {
        let old = keyring();
        let sealed = old.seal(HERE, "old").unwrap();
        let rotated = Keyring::new(&[9u8; 32], &[vec![7u8; 32]]).unwrap();
        assert_eq!(rotated.open(HERE, &sealed).unwrap(), "old");
        assert!(!rotated.is_current(&sealed));
        assert!(rotated.is_current(&rotated.seal(HERE, "new").unwrap()));
        assert!(Keyring::new(&[9u8; 32], &[])
            .unwrap()
            .open(HERE, &sealed)
            .is_err());
    }

    #[test]
    fn keys_are_32_bytes_of_base64() {
        let text = generate_key();
        assert_eq!(decode_key(&text).unwrap().len(), 32);
        assert!(Keyring::new(&[1u8; 16], &[]).is_err());
        assert!(decode_key("not base64!").is_err());
    }
}

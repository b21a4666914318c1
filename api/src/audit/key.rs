//! The audit chain's key, kept outside the database so that someone who can edit the database
//! cannot re-seal what they changed: `MADAR_AUDIT_KEY`, or in development one generated once
//! into `$MADAR_DATA_DIR/audit_key` (mode 0600). Production refuses to start without it
//! (`config`). Never logged.
use std::path::PathBuf;

use anyhow::{bail, Context};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::Settings;

/// An HMAC-SHA-256 key, ready to use.
#[derive(Clone)]
pub struct AuditKey(Hmac<Sha256>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

impl AuditKey {
    pub fn new(secret: &[u8]) -> anyhow::Result<AuditKey> {
        if secret.len() < 32 {
            bail!("the audit key must be at least 32 characters");
        }
        Ok(AuditKey(
            Hmac::<Sha256>::new_from_slice(secret).context("audit key")?,
        ))
    }

    /// A fresh MAC under this key.
    pub fn mac(&self) -> Hmac<Sha256> {
        self.0.clone()
    }

    /// The server's key: the setting, or the development file (created when missing).
    pub fn load(settings: &Settings) -> anyhow::Result<AuditKey> {
        match &settings.audit_key {
            Some(key) => AuditKey::new(key.as_bytes()),
            None => AuditKey::new(crate::secrets::in_file(&file(settings))?.as_bytes()),
        }
    }

    /// The key to verify with: the setting or the existing development file, never a new one
    /// (a new key would report every sealed event as broken).
    pub fn existing(settings: &Settings) -> anyhow::Result<AuditKey> {
        if let Some(key) = &settings.audit_key {
            return AuditKey::new(key.as_bytes());
        }
        let path = file(settings);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "no audit key: set MADAR_AUDIT_KEY or run the server once to create {}",
                path.display()
            )
        })?;
        AuditKey::new(text.trim().as_bytes())
    }
}

fn file(settings: &Settings) -> PathBuf {
    settings.data_dir.join("audit_key")
}

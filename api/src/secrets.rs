//! The token-signing secret: `MADAR_JWT_SECRET`, or one generated once and kept where every
//! process finds it: in the database on PostgreSQL (several processes share one), in the data
//! folder with mode 0600 on SQLite. Never logged.
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use diesel::prelude::*;

use crate::auth::tokens::random_token;
use crate::config::Settings;
use crate::db::{Backend, DbConn};
use crate::schema::settings as kv;

const KEY: &str = "jwt_secret";

pub fn jwt_secret(settings: &Settings, conn: &mut DbConn) -> anyhow::Result<String> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.clone());
    }
    match Backend::of(&settings.database_url) {
        Backend::Postgres => in_database(conn),
        Backend::Sqlite => in_file(&settings.data_dir.join("jwt_secret")),
    }
}

fn in_database(conn: &mut DbConn) -> anyhow::Result<String> {
    // Two processes starting at once may both insert: the second insert fails on the key and
    // both read the one that won.
    let _ = diesel::insert_into(kv::table)
        .values((kv::key.eq(KEY), kv::value.eq(random_token())))
        .execute(conn);
    kv::table
        .find(KEY)
        .select(kv::value)
        .first(conn)
        .context("reading the stored JWT secret")
}

/// The keyring that seals sensitive text: `MADAR_DATA_KEY` (and `MADAR_DATA_KEY_PREVIOUS`), or
/// in development a key generated once into the data folder (mode 0600). It is never kept in the
/// database it protects.
pub fn data_keys(settings: &Settings) -> anyhow::Result<crate::crypto::Keyring> {
    let current = match &settings.data_key {
        Some(key) => key.clone(),
        None => in_file(&settings.data_dir.join("data_key"))?,
    };
    let previous = settings
        .data_key_previous
        .iter()
        .map(|k| crate::crypto::decode_key(k))
        .collect::<anyhow::Result<Vec<_>>>()?;
    crate::crypto::Keyring::new(&crate::crypto::decode_key(&current)?, &previous)
}

/// A secret kept in `path` (mode 0600), generated the first time; also the audit key's home.
pub(crate) fn in_file(path: &Path) -> anyhow::Result<String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            let secret = random_token();
            file.write_all(secret.as_bytes())?;
            file.sync_all()?;
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let secret = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            anyhow::ensure!(
                secret.trim().len() >= 32,
                "{} is too short to be a secret",
                path.display()
            );
            Ok(secret.trim().to_string())
        }
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

//! `madar backup` and `madar restore`: an online, consistent copy of a SQLite database
//! (`VACUUM INTO`, safe while the server serves) and its return in place of the configured
//! database file. PostgreSQL has its own tools (`pg_dump`, `pg_basebackup`): Madar names them
//! rather than imitating them.
//!
//! A database alone does not restore a SQLite installation: the data directory holds the keys
//! that open its sealed columns (`data_key`), the audit chain's key and the attachments' files.
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;

use crate::config::Settings;
use crate::db::Backend;

const POSTGRES: &str = "madar backup and restore copy SQLite databases only. For PostgreSQL use \
its own tools: `pg_dump --format=custom` (a logical copy, restored with `pg_restore`) or \
`pg_basebackup` with WAL archiving (point-in-time recovery); see the README's \"Backups\" \
section. Keep MADAR_DATA_KEY with the copy: without it the sealed columns cannot be read.";

/// The file of a SQLite URL, or the PostgreSQL message.
fn sqlite_file(settings: &Settings) -> anyhow::Result<PathBuf> {
    let url = &settings.database_url;
    if Backend::of(url) != Backend::Sqlite {
        bail!("{POSTGRES}");
    }
    Ok(PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url)))
}

fn open(path: &Path) -> anyhow::Result<SqliteConnection> {
    let text = path.to_str().context("the path is not UTF-8")?;
    let mut conn =
        SqliteConnection::establish(text).with_context(|| format!("opening {}", path.display()))?;
    conn.batch_execute("PRAGMA busy_timeout = 10000;")?;
    Ok(conn)
}

/// Whether the SQLite file at `path` is a sound Madar database (its migrations table present,
/// its pages intact).
fn check_madar(path: &Path) -> anyhow::Result<()> {
    if !path.is_file() {
        bail!("{} does not exist", path.display());
    }
    let mut conn = open(path)?;
    let tables: i64 = diesel::select(diesel::dsl::sql::<BigInt>(
        "(SELECT count(*) FROM sqlite_master WHERE type = 'table' \
         AND name = '__diesel_schema_migrations')",
    ))
    .get_result(&mut conn)
    .with_context(|| format!("{} is not a SQLite database", path.display()))?;
    if tables == 0 {
        bail!(
            "{} is not a Madar database (no migrations table)",
            path.display()
        );
    }
    let check: String = diesel::select(diesel::dsl::sql::<Text>(
        "(SELECT group_concat(quick_check, '; ') FROM pragma_quick_check)",
    ))
    .get_result(&mut conn)?;
    if check != "ok" {
        bail!("{} is damaged: {check}", path.display());
    }
    Ok(())
}

/// `madar backup --to PATH`: a consistent copy of the live database, taken in one read
/// transaction (writers go on meanwhile). Refuses to overwrite a file.
pub fn backup(settings: &Settings, to: &Path) -> anyhow::Result<()> {
    let from = sqlite_file(settings)?;
    if to.exists() {
        bail!("{} already exists: choose a new file", to.display());
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let target = to.to_str().context("the path is not UTF-8")?;
    let mut conn = open(&from)?;
    diesel::sql_query(format!("VACUUM INTO '{}'", target.replace('\'', "''")))
        .execute(&mut conn)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    check_madar(to)?;
    let bytes = std::fs::metadata(to)?.len();
    println!(
        "backed up {} to {} ({bytes} bytes); keep the data directory's keys ({}) with it",
        from.display(),
        to.display(),
        settings.data_dir.display()
    );
    Ok(())
}

/// `madar restore --from PATH`: puts a backup in place of the configured database file (stop
/// the server first). Checks the backup is a sound Madar database; an existing database is
/// replaced only with `force`.
pub fn restore(settings: &Settings, from: &Path, force: bool) -> anyhow::Result<()> {
    let target = sqlite_file(settings)?;
    check_madar(from)?;
    if target.exists() && !force {
        bail!(
            "{} exists: stop the server and pass --force to replace it",
            target.display()
        );
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // Copy beside the target, then rename over it: a failure leaves the old file whole. The old
    // database's write-ahead log must go with it, or SQLite would replay it onto the backup.
    let mut partial = target.clone().into_os_string();
    partial.push(".restoring");
    let partial = PathBuf::from(partial);
    std::fs::copy(from, &partial)
        .with_context(|| format!("copying {} to {}", from.display(), partial.display()))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&partial, &target)?;
    println!("restored {} from {}", target.display(), from.display());
    Ok(())
}

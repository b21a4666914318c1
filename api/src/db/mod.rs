//! The database: one connection type over SQLite and PostgreSQL, its r2d2 pool, the embedded
//! migrations. Everything that differs between the two backends lives here or in `migrations/`.
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub mod dialect;
pub mod search;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// A connection to either backend. Queries written with diesel's DSL run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// A pooled connection, with a mark set when it was found dead so the pool drops it instead
/// of handing it to the next request.
pub struct PoolConn {
    conn: DbConn,
    broken: bool,
}

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Settings applied to every SQLite connection.
/// - WAL lets readers run beside the one writer.
/// - `synchronous = FULL` syncs the WAL on every commit, so an acknowledged write survives a
///   power cut (NORMAL may lose the last commits then; it is faster, but a lost report is the
///   worst bug Madar can ship).
/// - foreign keys are off by default in SQLite.
/// - the busy timeout makes a writer wait for the write lock instead of failing at once.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON;";

/// An r2d2 manager that picks the backend from the URL scheme, so a PostgreSQL that is down
/// reports its real error (diesel's `MultiConnection::establish` would hide it).
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    backend: Backend,
    /// The longest a statement may run (`MADAR_REQUEST_TIMEOUT`): PostgreSQL cancels it, and
    /// SQLite waits at most this long for the write lock. No request hangs on the database.
    statement_timeout: Duration,
}

impl Manager {
    pub fn new(url: &str, statement_timeout: Duration) -> Manager {
        let backend = Backend::of(url);
        let url = match backend {
            Backend::Sqlite => url.strip_prefix("sqlite://").unwrap_or(url).to_string(),
            Backend::Postgres => url.to_string(),
        };
        Manager {
            url,
            backend,
            statement_timeout,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn connect(&self) -> Result<DbConn, diesel::ConnectionError> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.url)?;
                let ms = self.statement_timeout.as_millis();
                conn.batch_execute(&format!(
                    "SET statement_timeout = {ms}; SET TIME ZONE 'UTC'"
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Postgres(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.url)?;
                let ms = self.statement_timeout.as_millis();
                conn.batch_execute(&format!("{SQLITE_PRAGMAS} PRAGMA busy_timeout = {ms};"))
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = PoolConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<PoolConn, r2d2::Error> {
        Manager::connect(self)
            .map(|conn| PoolConn {
                conn,
                broken: false,
            })
            .map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut PoolConn) -> Result<(), r2d2::Error> {
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut PoolConn) -> bool {
        conn.broken
    }
}

/// Builds the pool. Connections are not tested on every checkout (that costs a round trip per
/// request); a broken one fails its query and is replaced. Waiting for a free connection is
/// bounded, so an exhausted pool or a lost database becomes a quick 503.
pub fn pool(
    url: &str,
    size: u32,
    connect_timeout: Duration,
    statement_timeout: Duration,
) -> Result<Pool, r2d2::PoolError> {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .test_on_check_out(false)
        .connection_timeout(connect_timeout)
        .build(Manager::new(url, statement_timeout))
}

/// Runs the migrations not yet applied.
pub fn migrate(conn: &mut DbConn) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(applied.len())
}

/// Reverts every migration (used by the up/down/up test through `madar migrate --redo-all`).
pub fn revert_all(conn: &mut DbConn) -> anyhow::Result<usize> {
    let reverted = match conn {
        DbConn::Postgres(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS),
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("revert failed: {e}"))?;
    Ok(reverted.len())
}

/// Creates the SQLite file's folder if needed.
pub fn prepare(url: &str) -> anyhow::Result<()> {
    if Backend::of(url) == Backend::Sqlite {
        let path = std::path::Path::new(url.strip_prefix("sqlite://").unwrap_or(url));
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
    }
    Ok(())
}

/// Runs `f` with a pooled connection on the blocking thread pool: diesel never blocks the async
/// request workers. An exhausted pool or a lost database gives a 503.
pub async fn run<T, F>(pool: &Pool, f: F) -> Result<T, crate::error::ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, crate::error::ApiError> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut pooled = pool.get()?;
        let result = f(&mut pooled.conn);
        check_connection(&mut pooled, result)
    })
    .await?
}

/// After an unexpected error, checks that the connection still answers. A connection that does
/// not (the server went away, the database was dropped) is dropped from the pool rather than
/// handed to the next request, and the error is a 503: the database, not the request, failed.
fn check_connection<T>(
    pooled: &mut PooledConn,
    result: Result<T, crate::error::ApiError>,
) -> Result<T, crate::error::ApiError> {
    use crate::error::ApiError;
    match result {
        Err(e @ (ApiError::Internal(_) | ApiError::Unavailable { .. })) => {
            if let Err(lost) = pooled.conn.batch_execute("SELECT 1") {
                pooled.broken = true;
                Err(ApiError::unavailable(format!(
                    "database connection lost ({e}): {lost}"
                )))
            } else {
                Err(e)
            }
        }
        other => other,
    }
}

/// Like `run`, inside one transaction that may write ([`write_transaction`]).
pub async fn transaction<T, F>(pool: &Pool, f: F) -> Result<T, crate::error::ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, crate::error::ApiError> + Send + 'static,
{
    run(pool, move |conn| write_transaction(conn, f)).await
}

/// Runs `f` in one transaction, as `Connection::transaction` does, except that on SQLite the
/// outermost transaction takes the write lock when it begins (`BEGIN IMMEDIATE`). A deferred
/// transaction that reads before it writes fails at once with "database is locked" when another
/// connection commits between its first read and its first write (WAL keeps its snapshot; the
/// busy timeout does not apply): a 503 for a valid request, seen on most concurrent saves of
/// rows read first. An immediate one waits for the lock (the busy timeout), then reads what is
/// committed. PostgreSQL, and transactions nested in another, are unchanged.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(sqlite) = conn else {
        return conn.transaction(f);
    };
    let depth =
        AnsiTransactionManager::transaction_manager_status_mut(sqlite).transaction_depth()?;
    if depth.is_some() {
        return conn.transaction(f);
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

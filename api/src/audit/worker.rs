//! The audit log's background work in a server process: flushing buffered read events and
//! sealing committed events into the chain, each about once a second, and both once more at
//! shutdown. On PostgreSQL several processes run a sealer; an advisory lock lets one seal at a
//! time, so the chain stays a single line.
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::buffer::CAPACITY;
use super::chain::{self, GENESIS};
use super::key::AuditKey;
use super::{store, AuditEvent};
use crate::db::{self, DbConn, Pool};
use crate::error::ApiError;

/// How long a read event may wait in the buffer, and how often the sealer looks for events.
pub const PERIOD: Duration = Duration::from_secs(1);
/// Events sealed per transaction.
const SEAL_BATCH: i64 = 2_000;
/// Buffered events that trigger a flush before the period ends.
const FLUSH_BATCH: usize = 1_000;
/// The most events one flush takes (a backlog is written in batches this large).
const FLUSH_MAX: usize = 10_000;

/// Chains up to `SEAL_BATCH` unsealed events after the current head; returns how many. Call it
/// inside a transaction: it takes the sealer's lock, which ends with the transaction.
pub fn seal_batch(conn: &mut DbConn, key: &AuditKey) -> Result<usize, ApiError> {
    if !store::try_lock_sealer(conn)? {
        return Ok(0);
    }
    let rows = store::unsealed(conn, SEAL_BATCH)?;
    let (mut seq, mut prev) = store::head(conn)?.unwrap_or((0, GENESIS.to_string()));
    let mut links = Vec::with_capacity(rows.len());
    for row in &rows {
        seq += 1;
        let hmac = chain::link(key, &prev, row, seq);
        links.push(store::Link {
            id: row.id,
            seq,
            prev_hmac: std::mem::replace(&mut prev, hmac.clone()),
            hmac,
        });
    }
    store::seal_all(conn, &links)?;
    Ok(rows.len())
}

/// Seals everything committed so far, one transaction per batch, each taken under `gate`
/// when there is one (`Gate`).
pub async fn seal_all(pool: &Pool, key: &AuditKey) -> Result<usize, ApiError> {
    seal_gated(pool, key, &Gate::none()).await
}

/// On SQLite the flusher and the sealer take turns in the process rather than in the database:
/// both write, SQLite has one write lock, and a writer that finds it taken sleeps in growing
/// steps (up to 100 ms) before trying again, so under a steady stream of reads each could
/// wait far longer than the other's transaction lasts. On PostgreSQL they run side by side.
#[derive(Clone, Default)]
struct Gate {
    lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Whether the pool's database is SQLite, learnt on first use.
    sqlite: std::sync::Arc<tokio::sync::OnceCell<bool>>,
}

impl Gate {
    /// A gate that is never closed (`seal_all`, alone at shutdown or in a command).
    fn none() -> Gate {
        Gate {
            sqlite: std::sync::Arc::new(tokio::sync::OnceCell::new_with(Some(false))),
            ..Gate::default()
        }
    }

    async fn enter(&self, pool: &Pool) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        let sqlite = self
            .sqlite
            .get_or_try_init(|| db::run(pool, |c| Ok(matches!(c, DbConn::Sqlite(_)))))
            .await
            .ok()
            .copied()
            .unwrap_or(false);
        if sqlite {
            Some(self.lock.lock().await)
        } else {
            None
        }
    }
}

async fn seal_gated(pool: &Pool, key: &AuditKey, gate: &Gate) -> Result<usize, ApiError> {
    let mut total = 0;
    loop {
        let key = key.clone();
        let turn = gate.enter(pool).await;
        let sealed = db::transaction(pool, move |c| seal_batch(c, &key)).await?;
        drop(turn);
        total += sealed;
        if sealed < SEAL_BATCH as usize {
            return Ok(total);
        }
    }
}

/// Writes buffered read events in one transaction; on failure they stay pending for the next
/// attempt.
async fn flush(pool: &Pool, gate: &Gate, pending: &mut Vec<AuditEvent>) {
    if pending.is_empty() {
        return;
    }
    let _turn = gate.enter(pool).await;
    let events = pending.clone();
    match db::transaction(pool, move |c| store::record_all(c, &events)).await {
        Ok(()) => pending.clear(),
        Err(e) => {
            tracing::warn!(count = pending.len(), error = %e, "audit read events not flushed; will retry")
        }
    }
}

/// The running workers; `shutdown` flushes and seals one last time.
pub struct Workers {
    stop: watch::Sender<bool>,
    flusher: JoinHandle<()>,
    sealer: JoinHandle<()>,
    pool: Pool,
    key: AuditKey,
}

impl Workers {
    /// Starts both tasks on the current (actix) runtime.
    pub fn start(pool: Pool, key: AuditKey, reads: mpsc::Receiver<AuditEvent>) -> Workers {
        let (stop, stopped) = watch::channel(false);
        let gate = Gate::default();
        let flusher =
            actix_web::rt::spawn(flusher(pool.clone(), gate.clone(), reads, stopped.clone()));
        let sealer = actix_web::rt::spawn(sealer(pool.clone(), gate, key.clone(), stopped));
        Workers {
            stop,
            flusher,
            sealer,
            pool,
            key,
        }
    }

    /// Writes every buffered read event, then seals everything committed. Both tasks finish
    /// their current transaction first, so the last seal does not race the sealer's.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.flusher.await;
        let _ = self.sealer.await;
        match seal_all(&self.pool, &self.key).await {
            Ok(sealed) => tracing::info!(sealed, "audit events sealed at shutdown"),
            Err(e) => tracing::warn!(error = %e, "audit events not sealed at shutdown"),
        }
    }
}

async fn flusher(
    pool: Pool,
    gate: Gate,
    mut reads: mpsc::Receiver<AuditEvent>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut pending = Vec::new();
    let mut tick = tokio::time::interval(PERIOD);
    loop {
        tokio::select! {
            _ = tick.tick() => flush(&pool, &gate, &mut pending).await,
            // While the database is away, pending events stop being taken: the channel fills
            // and reads are refused rather than left unaudited.
            Some(event) = reads.recv(), if pending.len() < CAPACITY => {
                pending.push(event);
                // Whatever else is already waiting joins the batch: under load a flush writes
                // more events per transaction instead of falling behind.
                while pending.len() < FLUSH_MAX {
                    match reads.try_recv() {
                        Ok(event) => pending.push(event),
                        Err(_) => break,
                    }
                }
                if pending.len() >= FLUSH_BATCH {
                    flush(&pool, &gate, &mut pending).await;
                }
            }
            _ = stopped.changed() => break,
        }
    }
    reads.close();
    while let Some(event) = reads.recv().await {
        pending.push(event);
    }
    flush(&pool, &gate, &mut pending).await;
}

async fn sealer(pool: Pool, gate: Gate, key: AuditKey, mut stopped: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(PERIOD);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = seal_gated(&pool, &key, &gate).await {
                    tracing::warn!(error = %e, "audit sealer: will retry");
                }
            }
            _ = stopped.changed() => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::Connection;

    use super::*;
    use crate::audit::chain::Verifier;
    use crate::audit::{AuditAction, Resource};

    /// More events than one multi-row INSERT (SQLite's bind limit) and than one sealing batch
    /// take, flushed and sealed as the workers do: every event is stored once, in order, and
    /// the chain verifies.
    #[test]
    fn a_large_flush_is_stored_in_order_and_sealed_into_one_chain() {
        let mut conn = match diesel::sqlite::SqliteConnection::establish(":memory:") {
            Ok(c) => DbConn::Sqlite(c),
            Err(e) => panic!("{e}"),
        };
        if let Err(e) = db::migrate(&mut conn) {
            panic!("{e}");
        }
        let key = match AuditKey::new(b"an audit key of at least 32 characters") {
            Ok(k) => k,
            Err(e) => panic!("{e}"),
        };
        let at = chrono::NaiveDateTime::default();
        let events: Vec<AuditEvent> = (0..(SEAL_BATCH as usize + 777))
            .map(|i| {
                let event = AuditEvent::system(AuditAction::ChildRead, at);
                if i % 3 == 0 {
                    event
                } else {
                    event.on(Resource::Child, format!("c{i}"))
                }
            })
            .collect();
        let stored = crate::db::write_transaction(&mut conn, |c| store::record_all(c, &events));
        assert!(stored.is_ok(), "{stored:?}");
        let mut sealed = 0;
        loop {
            match crate::db::write_transaction(&mut conn, |c| seal_batch(c, &key)) {
                Ok(0) => break,
                Ok(n) => sealed += n,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(sealed, events.len());
        let rows = match store::sealed_after(&mut conn, 0, i64::MAX) {
            Ok(rows) => rows,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(rows.len(), events.len());
        let mut verifier = Verifier::new(key);
        for (row, event) in rows.iter().zip(&events) {
            assert_eq!(row.resource_id, event.resource_id);
            assert!(verifier.check(row).is_ok(), "{row:?}");
        }
        assert_eq!(store::count_unsealed(&mut conn).ok(), Some(0));
    }
}

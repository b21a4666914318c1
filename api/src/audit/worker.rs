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
const SEAL_BATCH: i64 = 500;
/// Buffered events that trigger a flush before the period ends.
const FLUSH_BATCH: usize = 1_000;

/// Chains up to `SEAL_BATCH` unsealed events after the current head; returns how many. Call it
/// inside a transaction: it takes the sealer's lock, which ends with the transaction.
pub fn seal_batch(conn: &mut DbConn, key: &AuditKey) -> Result<usize, ApiError> {
    if !store::try_lock_sealer(conn)? {
        return Ok(0);
    }
    let rows = store::unsealed(conn, SEAL_BATCH)?;
    let (mut seq, mut prev) = store::head(conn)?.unwrap_or((0, GENESIS.to_string()));
    for row in &rows {
        seq += 1;
        let hmac = chain::link(key, &prev, row, seq);
        store::seal(conn, row.id, seq, &prev, &hmac)?;
        prev = hmac;
    }
    Ok(rows.len())
}

/// Seals everything committed so far.
pub async fn seal_all(pool: &Pool, key: &AuditKey) -> Result<usize, ApiError> {
    let mut total = 0;
    loop {
        let key = key.clone();
        let sealed = db::transaction(pool, move |c| seal_batch(c, &key)).await?;
        total += sealed;
        if sealed < SEAL_BATCH as usize {
            return Ok(total);
        }
    }
}

/// Writes buffered read events in one transaction; on failure they stay pending for the next
/// attempt.
async fn flush(pool: &Pool, pending: &mut Vec<AuditEvent>) {
    if pending.is_empty() {
        return;
    }
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
        let flusher = actix_web::rt::spawn(flusher(pool.clone(), reads, stopped.clone()));
        let sealer = actix_web::rt::spawn(sealer(pool.clone(), key.clone(), stopped));
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
    mut reads: mpsc::Receiver<AuditEvent>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut pending = Vec::new();
    let mut tick = tokio::time::interval(PERIOD);
    loop {
        tokio::select! {
            _ = tick.tick() => flush(&pool, &mut pending).await,
            // While the database is away, pending events stop being taken: the channel fills
            // and reads are refused rather than left unaudited.
            Some(event) = reads.recv(), if pending.len() < CAPACITY => {
                pending.push(event);
                if pending.len() >= FLUSH_BATCH {
                    flush(&pool, &mut pending).await;
                }
            }
            _ = stopped.changed() => break,
        }
    }
    reads.close();
    while let Some(event) = reads.recv().await {
        pending.push(event);
    }
    flush(&pool, &mut pending).await;
}

async fn sealer(pool: Pool, key: AuditKey, mut stopped: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(PERIOD);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = seal_all(&pool, &key).await {
                    tracing::warn!(error = %e, "audit sealer: will retry");
                }
            }
            _ = stopped.changed() => break,
        }
    }
}

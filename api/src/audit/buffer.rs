//! Read events go through a buffer so that auditing a read costs no database write on the
//! request's path: a bounded channel the worker (`worker`) empties into one transaction at most
//! every second, and once more at shutdown. A `kill -9` may lose up to the last second of read
//! events; write events never pass here.
use tokio::sync::mpsc;

use super::AuditEvent;
use crate::error::ApiError;

/// How many read events may wait before reads are refused (503) rather than left unaudited.
pub const CAPACITY: usize = 50_000;

/// The sending side, in `AppState`.
#[derive(Debug, Clone)]
pub struct AuditBuffer {
    tx: mpsc::Sender<AuditEvent>,
}

impl AuditBuffer {
    /// A buffer and the receiver its worker drains.
    pub fn new() -> (AuditBuffer, mpsc::Receiver<AuditEvent>) {
        let (tx, rx) = mpsc::channel(CAPACITY);
        (AuditBuffer { tx }, rx)
    }

    /// Records a read (of a child's data, of the audit log). Never waits: when the buffer is
    /// full or closed the read is refused with 503, so no read goes unaudited.
    pub fn record_read(&self, event: AuditEvent) -> Result<(), ApiError> {
        self.tx.try_send(event).map_err(|e| {
            let why = match e {
                mpsc::error::TrySendError::Full(_) => "audit buffer full",
                mpsc::error::TrySendError::Closed(_) => "audit buffer closed",
            };
            ApiError::unavailable(why)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditAction, Resource};

    #[test]
    fn reads_queue_until_the_worker_takes_them_and_fail_once_it_is_gone() {
        let (buffer, mut rx) = AuditBuffer::new();
        let event = AuditEvent::system(AuditAction::ChildRead, chrono::NaiveDateTime::default())
            .on(Resource::Child, "c1");
        assert!(buffer.record_read(event.clone()).is_ok());
        assert_eq!(rx.try_recv().ok(), Some(event.clone()));
        drop(rx);
        assert!(matches!(
            buffer.record_read(event),
            Err(ApiError::Unavailable { .. })
        ));
    }
}

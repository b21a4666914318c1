//! The HMAC chain over sealed events: event n's `hmac` is HMAC-SHA-256(key, hmac of event n-1 ||
//! canonical form of event n), its position `seq` included. Editing an event breaks its own
//! link, deleting one leaves a gap, moving one (other id or position) breaks its link, and
//! without the key none can be re-sealed. Pure functions: the sealer and `madar audit verify`
//! supply the rows.
use hmac::Mac;

use super::key::AuditKey;
use super::store::AuditRow;

/// The `prev_hmac` of the first sealed event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The bytes an event's HMAC covers: every field, each length-prefixed so no two events
/// serialize alike, with `seq` as the position the event takes in the chain.
pub fn canonical(row: &AuditRow, seq: i64) -> Vec<u8> {
    let mut out = b"madar-audit-v1;".to_vec();
    let time = row.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let fields = [
        Some(row.id.to_string()),
        Some(seq.to_string()),
        Some(time),
        Some(row.actor_kind.clone()),
        row.actor_id.clone(),
        Some(row.action.clone()),
        row.resource_type.clone(),
        row.resource_id.clone(),
        row.request_id.clone(),
    ];
    for field in &fields {
        match field {
            None => out.extend_from_slice(b"-;"),
            Some(value) => {
                out.extend_from_slice(format!("{}:", value.len()).as_bytes());
                out.extend_from_slice(value.as_bytes());
                out.push(b';');
            }
        }
    }
    out
}

/// The HMAC (hex) of `row` at position `seq`, after the event whose HMAC is `prev`.
pub fn link(key: &AuditKey, prev: &str, row: &AuditRow, seq: i64) -> String {
    let mut mac = key.mac();
    mac.update(prev.as_bytes());
    mac.update(&canonical(row, seq));
    hex::encode(mac.finalize().into_bytes())
}

/// Why a link does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Positions skip: an event before this one was deleted (or unsealed).
    Gap,
    /// `prev_hmac` is not the previous event's HMAC.
    WrongPrevious,
    /// The HMAC does not match the fields: the event was edited or moved.
    WrongHmac,
}

impl Fault {
    pub fn describe(self) -> &'static str {
        match self {
            Fault::Gap => "an event before it is missing (deleted or unsealed)",
            Fault::WrongPrevious => "its link to the previous event does not match",
            Fault::WrongHmac => "its HMAC does not match its fields (edited or moved)",
        }
    }
}

/// The first link that does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Broken {
    pub id: i64,
    pub seq: i64,
    pub fault: Fault,
}

/// What walking the whole chain found: how many sealed events verify, and the first broken
/// link if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Walked {
    pub verified: i64,
    pub broken: Option<Broken>,
}

/// Verifies the chain from its first event, reading `batch(after)` (the sealed events after a
/// position, in order) until it is empty or a link breaks.
pub fn walk<E>(
    key: AuditKey,
    mut batch: impl FnMut(i64) -> Result<Vec<AuditRow>, E>,
) -> Result<Walked, E> {
    let mut verifier = Verifier::new(key);
    loop {
        let rows = batch(verifier.checked())?;
        if rows.is_empty() {
            return Ok(Walked {
                verified: verifier.checked(),
                broken: None,
            });
        }
        for row in &rows {
            if let Err(broken) = verifier.check(row) {
                return Ok(Walked {
                    verified: verifier.checked(),
                    broken: Some(broken),
                });
            }
        }
    }
}

/// Walks sealed events in `seq` order and stops at the first broken link.
#[derive(Debug)]
pub struct Verifier {
    key: AuditKey,
    prev: String,
    next_seq: i64,
}

impl Verifier {
    pub fn new(key: AuditKey) -> Verifier {
        Verifier {
            key,
            prev: GENESIS.into(),
            next_seq: 1,
        }
    }

    /// How many events have been checked (and the position to read on from).
    pub fn checked(&self) -> i64 {
        self.next_seq - 1
    }

    pub fn check(&mut self, row: &AuditRow) -> Result<(), Broken> {
        let seq = row.seq.unwrap_or(0);
        let broken = |fault| Broken {
            id: row.id,
            seq,
            fault,
        };
        if seq != self.next_seq {
            return Err(broken(Fault::Gap));
        }
        if row.prev_hmac.as_deref() != Some(self.prev.as_str()) {
            return Err(broken(Fault::WrongPrevious));
        }
        let expected = link(&self.key, &self.prev, row, seq);
        let Some(hmac) = row.hmac.as_deref() else {
            return Err(broken(Fault::WrongHmac));
        };
        if !constant_time_eq(expected.as_bytes(), hmac.as_bytes()) {
            return Err(broken(Fault::WrongHmac));
        }
        self.prev = expected;
        self.next_seq += 1;
        Ok(())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AuditKey {
        match AuditKey::new(b"an audit key of at least 32 characters") {
            Ok(k) => k,
            Err(e) => panic!("{e}"),
        }
    }

    fn row(id: i64, action: &str) -> AuditRow {
        AuditRow {
            id,
            occurred_at: chrono::DateTime::from_timestamp(1_790_000_000 + id, 0)
                .map(|t| t.naive_utc())
                .unwrap_or_default(),
            actor_kind: "user".into(),
            actor_id: Some("u1".into()),
            action: action.into(),
            resource_type: Some("territory".into()),
            resource_id: Some(format!("t{id}")),
            request_id: None,
            seq: None,
            prev_hmac: None,
            hmac: None,
        }
    }

    /// Seals rows in the given order, as the sealer does.
    fn sealed(rows: Vec<AuditRow>) -> Vec<AuditRow> {
        let mut prev = GENESIS.to_string();
        rows.into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                let seq = i as i64 + 1;
                let hmac = link(&key(), &prev, &r, seq);
                r.seq = Some(seq);
                r.prev_hmac = Some(prev.clone());
                r.hmac = Some(hmac.clone());
                prev = hmac;
                r
            })
            .collect()
    }

    fn verify(rows: &[AuditRow]) -> Result<i64, Broken> {
        let mut v = Verifier::new(key());
        for r in rows {
            v.check(r)?;
        }
        Ok(v.checked())
    }

    fn chain() -> Vec<AuditRow> {
        sealed((1..=5).map(|i| row(i, "territory.update")).collect())
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain()), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn an_edited_event_breaks_its_own_link() {
        let mut rows = chain();
        rows[2].action = "auth.login".into();
        let broken = verify(&rows).err();
        assert_eq!(broken.map(|b| (b.id, b.fault)), Some((3, Fault::WrongHmac)));
    }

    #[test]
    fn a_deleted_event_leaves_a_gap_at_the_next_one() {
        let mut rows = chain();
        rows.remove(1);
        let broken = verify(&rows).err();
        assert_eq!(broken.map(|b| (b.id, b.fault)), Some((3, Fault::Gap)));
    }

    #[test]
    fn swapped_ids_break_the_first_moved_event() {
        let mut rows = chain();
        rows[1].id = 3;
        rows[2].id = 2;
        let broken = verify(&rows).err();
        assert_eq!(broken.map(|b| (b.id, b.fault)), Some((3, Fault::WrongHmac)));
    }

    #[test]
    fn fields_cannot_be_shifted_between_neighbours() {
        let mut a = row(1, "ab");
        a.resource_type = Some("c".into());
        let mut b = row(1, "a");
        b.resource_type = Some("bc".into());
        assert_ne!(canonical(&a, 1), canonical(&b, 1));
        assert_ne!(canonical(&a, 1), canonical(&a, 2));
    }

    #[test]
    fn another_key_does_not_verify() {
        let rows = chain();
        let other = AuditKey::new(b"another audit key, also 32 characters long");
        let mut v = Verifier::new(match other {
            Ok(k) => k,
            Err(e) => panic!("{e}"),
        });
        assert_eq!(
            v.check(&rows[0]).err().map(|b| b.fault),
            Some(Fault::WrongHmac)
        );
    }
}

//! The pure rules of live updates: the SSE frames, where a stream resumes, the audience of an
//! event, and the ids a poll may still have to pick up (a transaction that took an id earlier
//! may commit after a later one: its id is a gap, looked for again for a while).
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use madar_openapi::events::{LiveEvent, LiveEventType};

use crate::auth::actor::Actor;
use crate::auth::policy::sees_live_event;

/// How long a ticket opens a stream.
pub const TICKET_TTL_SECONDS: i64 = 30;
/// A comment sent this often keeps proxies from closing an idle stream.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// How often a stream reads the new events.
pub const POLL: Duration = Duration::from_millis(500);
/// How long an id skipped by a poll is looked for again.
pub const GAP_WAIT: Duration = Duration::from_secs(10);
/// The most ids a poll awaits below one it read.
pub const MAX_GAPS: i64 = 64;
/// The most events one poll reads.
pub const BATCH: i64 = 200;
/// Events older than this are purged (a stream resumed later misses them).
pub const RETENTION_HOURS: i64 = 24;

/// One stored event, as a stream reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub seq: i64,
    pub kind: String,
    pub resource_id: String,
    pub organizations: String,
    pub territories: String,
}

/// A JSON array of strings, as the audience columns hold it.
pub fn encode_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

fn decode_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The SSE frame of `event` for `viewer`, or `None` when the viewer may not see it (or its
/// type is unknown to this version).
pub fn frame_for(viewer: &Actor, event: &Stored) -> Option<String> {
    let kind = LiveEventType::parse(&event.kind)?;
    let (organizations, territories) = (
        decode_list(&event.organizations),
        decode_list(&event.territories),
    );
    if !sees_live_event(viewer, kind, &organizations, &territories) {
        return None;
    }
    Some(frame(event.seq, kind, &event.resource_id))
}

/// `id: <seq>`, `event: <type>`, `data: {"type":…,"id":…}`, a blank line.
pub fn frame(seq: i64, kind: LiveEventType, id: &str) -> String {
    let data = serde_json::to_string(&LiveEvent {
        type_: kind,
        id: id.to_string(),
    })
    .unwrap_or_default();
    format!("id: {seq}\nevent: {}\ndata: {data}\n\n", kind.code())
}

/// The sequence a stream resumes after: the `Last-Event-ID` header, else the `last_event_id`
/// query parameter; `None` (only new events) when neither is a number.
pub fn resume_after(header: Option<&str>, query: Option<&str>) -> Option<i64> {
    header
        .and_then(|h| h.trim().parse::<i64>().ok())
        .or_else(|| query.and_then(|q| q.trim().parse::<i64>().ok()))
        .filter(|seq| *seq >= 0)
}

/// Where a stream stands: the highest sequence read, and the lower ids not seen yet (with
/// when they were first missed).
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    pub last: i64,
    pub gaps: BTreeMap<i64, Instant>,
}

impl Cursor {
    pub fn after(last: i64) -> Cursor {
        Cursor {
            last,
            gaps: BTreeMap::new(),
        }
    }

    /// The gaps still worth looking for.
    pub fn pending_gaps(&self) -> Vec<i64> {
        self.gaps.keys().copied().collect()
    }

    /// Takes the ids a poll read (ascending, above `last` or among the gaps): fills the gaps
    /// they close, records the ones they open, forgets gaps older than `GAP_WAIT`.
    pub fn advance(&mut self, ids: &[i64], now: Instant) {
        for &id in ids {
            if id > self.last {
                // A wider jump is a purge or a resume from long ago, not transactions in flight.
                let from = (self.last + 1).max(id - MAX_GAPS);
                for missing in from..id {
                    self.gaps.insert(missing, now);
                }
                self.last = id;
            }
            self.gaps.remove(&id);
        }
        self.gaps
            .retain(|_, since| now.saturating_duration_since(*since) < GAP_WAIT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::actor::Scope;
    use crate::auth::tokens::Subject;
    use madar_openapi::users::Role;

    fn actor(role: Role, organization: &str, path: Option<&str>) -> Actor {
        Actor {
            kind: Subject::User,
            id: "u".into(),
            role,
            organization_id: organization.into(),
            organization_code: organization.into(),
            territory: path.map(|p| Scope {
                code: "x".into(),
                path: p.into(),
            }),
            grants: Vec::new(),
        }
    }

    fn stored(kind: &str, organizations: &[&str], territories: &[&str]) -> Stored {
        let list = |v: &[&str]| encode_list(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        Stored {
            seq: 7,
            kind: kind.into(),
            resource_id: "r1".into(),
            organizations: list(organizations),
            territories: list(territories),
        }
    }

    #[test]
    fn a_frame_carries_the_sequence_the_type_and_only_ids() {
        assert_eq!(
            frame(7, LiveEventType::ReportReceived, "r1"),
            "id: 7\nevent: report.received\ndata: {\"type\":\"report.received\",\"id\":\"r1\"}\n\n"
        );
    }

    #[test]
    fn a_report_reaches_the_routed_case_workers_and_the_territory_coordinators() {
        let event = stored("report.received", &["cape"], &["MA/MA-04/421/"]);
        let sees = |a: &Actor| frame_for(a, &event).is_some();
        assert!(sees(&actor(
            Role::CaseWorker,
            "cape",
            Some("MA/MA-04/421/")
        )));
        assert!(!sees(&actor(
            Role::CaseWorker,
            "other",
            Some("MA/MA-04/421/")
        )));
        assert!(sees(&actor(Role::Coordinator, "x", Some("MA/MA-04/"))));
        assert!(sees(&actor(Role::Coordinator, "x", Some("MA/"))));
        assert!(!sees(&actor(Role::Coordinator, "x", Some("MA/MA-06/"))));
        assert!(!sees(&actor(Role::Partner, "cape", None)));
        assert!(!sees(&actor(Role::Hotline, "cape", None)));
        assert!(!sees(&actor(Role::Admin, "cape", Some("MA/"))));
    }

    #[test]
    fn a_referral_reaches_the_organizations_it_names() {
        let created = stored("referral.created", &["ngo"], &[]);
        let updated = stored("referral.updated", &["cape", "ngo"], &[]);
        let partner = actor(Role::Partner, "ngo", None);
        let sender = actor(Role::CaseWorker, "cape", Some("MA/"));
        assert!(frame_for(&partner, &created).is_some());
        assert!(frame_for(&sender, &created).is_none());
        assert!(frame_for(&partner, &updated).is_some());
        assert!(frame_for(&sender, &updated).is_some());
        assert!(frame_for(&actor(Role::Analyst, "ngo", None), &updated).is_none());
        assert!(frame_for(&partner, &stored("alert.created", &["ngo"], &[])).is_none());
    }

    #[test]
    fn the_header_wins_over_the_query_and_garbage_means_only_new_events() {
        assert_eq!(resume_after(Some("12"), Some("3")), Some(12));
        assert_eq!(resume_after(None, Some("3")), Some(3));
        assert_eq!(resume_after(Some("x"), Some("3")), Some(3));
        assert_eq!(resume_after(Some("-1"), None), None);
        assert_eq!(resume_after(None, None), None);
    }

    #[test]
    fn skipped_ids_are_looked_for_until_they_arrive_or_time_out() {
        let t0 = Instant::now();
        let mut cursor = Cursor::after(3);
        cursor.advance(&[4, 7], t0);
        assert_eq!(cursor.last, 7);
        assert_eq!(cursor.pending_gaps(), vec![5, 6]);
        cursor.advance(&[5, 8], t0 + Duration::from_secs(1));
        assert_eq!(cursor.last, 8);
        assert_eq!(cursor.pending_gaps(), vec![6]);
        cursor.advance(&[], t0 + GAP_WAIT + Duration::from_secs(1));
        assert!(cursor.pending_gaps().is_empty());
        cursor.advance(&[1000], t0);
        assert_eq!(cursor.pending_gaps().len(), MAX_GAPS as usize);
    }
}

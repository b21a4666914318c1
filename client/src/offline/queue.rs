//! The offline queue's rules, in plain Rust (tested on the host): what an entry is, whose it is,
//! which entries a sync sends and in what order, and what each answer does to an entry.
//!
//! An entry's life: `Queued` → `Sending` → removed (201) or `Failed` (a 4xx problem, kept so the
//! person can fix or discard it). No answer (offline, a 5xx, a 401 or 429) puts it back to
//! `Queued` and ends the sync round: it is sent again when the network returns, with the same
//! Idempotency-Key, so the server files it at most once.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where an entry stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum EntryState {
    Queued,
    /// Being sent by this page; found so at start (the page was closed mid-send), it is sent
    /// again (the key makes that safe).
    Sending,
    /// Refused by the server: kept and shown until the person edits or discards it.
    Failed(Failure),
}

/// A refusal, kept as the problem's code and its field errors (no values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub status: u16,
    pub code: String,
    /// `(field, code)` of a 422.
    #[serde(default)]
    pub fields: Vec<(String, String)>,
}

/// What is stored in clear beside an entry's encrypted report: nothing about the child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// The Idempotency-Key made at capture; also the entry's id in the store.
    pub key: String,
    /// Who captured it: only they see and send it.
    pub user: String,
    pub captured_at: DateTime<Utc>,
    #[serde(flatten)]
    pub state: EntryState,
    /// How many times it was sent without an answer.
    #[serde(default)]
    pub attempts: u32,
}

impl Meta {
    pub fn new(key: String, user: String, captured_at: DateTime<Utc>) -> Meta {
        Meta {
            key,
            user,
            captured_at,
            state: EntryState::Queued,
            attempts: 0,
        }
    }
}

/// The answer to one sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 201 (or the replay of the first 201).
    Created,
    /// An error status, with the problem's code and field errors.
    Problem(Failure),
    /// No answer at all.
    Network,
}

/// What to do with an entry after an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Filed: remove it from the device.
    Remove,
    /// Refused: keep it, marked failed.
    Fail(Failure),
    /// Not filed yet: keep it queued and stop this round (the network is likely down).
    Retry,
}

/// Statuses that say "try again later" rather than "this report is wrong".
fn is_transient(status: u16) -> bool {
    matches!(status, 401 | 408 | 425 | 429) || status >= 500
}

/// What an answer does to an entry.
pub fn step(answer: &Answer) -> Step {
    match answer {
        Answer::Created => Step::Remove,
        Answer::Problem(f) if is_transient(f.status) => Step::Retry,
        Answer::Problem(f) => Step::Fail(f.clone()),
        Answer::Network => Step::Retry,
    }
}

/// The entry after a step (`None`: removed).
pub fn apply(mut meta: Meta, step: &Step) -> Option<Meta> {
    match step {
        Step::Remove => None,
        Step::Fail(failure) => {
            meta.state = EntryState::Failed(failure.clone());
            Some(meta)
        }
        Step::Retry => {
            meta.state = EntryState::Queued;
            meta.attempts += 1;
            Some(meta)
        }
    }
}

/// The entry marked as being sent.
pub fn sending(mut meta: Meta) -> Meta {
    meta.state = EntryState::Sending;
    meta
}

/// `user`'s entries, oldest first.
pub fn of_user(entries: Vec<Meta>, user: &str) -> Vec<Meta> {
    let mut mine: Vec<Meta> = entries.into_iter().filter(|m| m.user == user).collect();
    mine.sort_by(|a, b| a.captured_at.cmp(&b.captured_at).then(a.key.cmp(&b.key)));
    mine
}

/// The entries a sync sends for `user`, oldest first: queued ones, and those left `Sending` by
/// a page closed mid-send. Failed ones wait for the person.
pub fn to_send(entries: Vec<Meta>, user: &str) -> Vec<Meta> {
    of_user(entries, user)
        .into_iter()
        .filter(|m| matches!(m.state, EntryState::Queued | EntryState::Sending))
        .collect()
}

/// How many of `user`'s entries are not filed yet (queued, sending or failed): what signing out
/// would leave behind.
pub fn pending(entries: &[Meta], user: &str) -> u32 {
    entries.iter().filter(|m| m.user == user).count() as u32
}

/// Whether to keep a report on the device rather than (or after) sending it.
pub fn queue_instead(online: bool, answer: Option<&Answer>) -> bool {
    !online || matches!(answer, Some(a) if step(a) == Step::Retry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn meta(key: &str, user: &str, minute: u32) -> Meta {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 10, minute, 0).single();
        Meta::new(key.into(), user.into(), at.unwrap_or_default())
    }

    fn failure(status: u16, code: &str) -> Failure {
        Failure {
            status,
            code: code.into(),
            fields: vec![],
        }
    }

    #[test]
    fn a_201_removes_the_entry() {
        assert_eq!(step(&Answer::Created), Step::Remove);
        assert_eq!(apply(meta("k", "u", 1), &Step::Remove), None);
    }

    #[test]
    fn a_4xx_problem_keeps_it_failed() {
        let f = Failure {
            status: 422,
            code: "validation_failed".into(),
            fields: vec![("children[0].territory".into(), "unknown_territory".into())],
        };
        let s = step(&Answer::Problem(f.clone()));
        assert_eq!(s, Step::Fail(f.clone()));
        let after = apply(sending(meta("k", "u", 1)), &s);
        assert_eq!(after.map(|m| m.state), Some(EntryState::Failed(f)));
    }

    #[test]
    fn no_answer_a_5xx_or_an_expired_session_retries() {
        for answer in [
            Answer::Network,
            Answer::Problem(failure(503, "unavailable")),
            Answer::Problem(failure(500, "internal")),
            Answer::Problem(failure(401, "unauthorized")),
            Answer::Problem(failure(429, "too_many_requests")),
        ] {
            assert_eq!(step(&answer), Step::Retry, "{answer:?}");
        }
        let after = apply(sending(meta("k", "u", 1)), &Step::Retry);
        assert_eq!(after.as_ref().map(|m| &m.state), Some(&EntryState::Queued));
        assert_eq!(after.map(|m| m.attempts), Some(1));
    }

    #[test]
    fn a_user_sees_and_sends_only_their_entries_oldest_first() {
        let entries = vec![
            meta("c", "amal", 3),
            meta("a", "amal", 1),
            meta("b", "karim", 2),
        ];
        let keys: Vec<String> = to_send(entries.clone(), "amal")
            .into_iter()
            .map(|m| m.key)
            .collect();
        assert_eq!(keys, ["a", "c"]);
        assert_eq!(pending(&entries, "karim"), 1);
        assert_eq!(pending(&entries, "nobody"), 0);
    }

    #[test]
    fn failed_entries_wait_and_stale_sending_ones_are_sent_again() {
        let mut failed = meta("f", "u", 1);
        failed.state = EntryState::Failed(failure(422, "validation_failed"));
        let stale = sending(meta("s", "u", 2));
        let entries = vec![failed, stale, meta("q", "u", 3)];
        let keys: Vec<String> = to_send(entries.clone(), "u")
            .into_iter()
            .map(|m| m.key)
            .collect();
        assert_eq!(keys, ["s", "q"]);
        // All three still count before signing out.
        assert_eq!(pending(&entries, "u"), 3);
    }

    #[test]
    fn offline_or_no_answer_queues_a_new_report() {
        assert!(queue_instead(false, None));
        assert!(queue_instead(true, Some(&Answer::Network)));
        assert!(!queue_instead(true, Some(&Answer::Created)));
        assert!(!queue_instead(
            true,
            Some(&Answer::Problem(failure(422, "validation_failed")))
        ));
    }

    #[test]
    fn meta_round_trips_through_json_without_report_data() {
        let mut m = meta("k", "u", 1);
        m.state = EntryState::Failed(failure(422, "validation_failed"));
        let json = serde_json::to_string(&m).unwrap_or_default();
        assert!(json.contains("\"state\":\"failed\""), "{json}");
        let back: Option<Meta> = serde_json::from_str(&json).ok();
        assert_eq!(back, Some(m));
    }
}

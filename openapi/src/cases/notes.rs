//! Case notes: what the team saw and heard (home visits, interviews, calls, meetings,
//! hearings). The text is always stored encrypted; a sensitive note's text is shown only to the
//! coordinators and the case workers assigned to the case.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// What kind of contact or event a note records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoteType {
    HomeVisit,
    Interview,
    PhoneCall,
    Meeting,
    Hearing,
    CaseConference,
    Other,
}

/// A note to add to a case. `occurred_at` may not lie in the future (422 `in_future`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateNote {
    pub note_type: NoteType,
    /// When the visit, interview, call... took place.
    pub occurred_at: DateTime<Utc>,
    /// A sensitive note's text is shown to the coordinators and the assigned case workers only.
    pub sensitive: bool,
    /// Free text; stored encrypted.
    #[validate(
        length(min = 1, max = 20000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 20000)]
    pub text: String,
}

/// A note as the caller may see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NoteResponse {
    pub id: Uuid,
    pub case_id: Uuid,
    pub note_type: NoteType,
    pub occurred_at: DateTime<Utc>,
    pub sensitive: bool,
    /// The text; `null` (with `redacted`) for a sensitive note the caller may not read.
    pub text: Option<String>,
    /// Whether the text was withheld: a sensitive note read by a case worker not assigned to
    /// the case.
    pub redacted: bool,
    /// The user who wrote it.
    pub author_id: Uuid,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(text: &str) -> CreateNote {
        serde_json::from_value(serde_json::json!({
            "note_type": "home_visit", "occurred_at": "2026-01-05T10:00:00Z",
            "sensitive": true, "text": text
        }))
        .expect("a note")
    }

    #[test]
    fn a_note_has_one_to_20000_characters_of_free_text() {
        assert!(note("Visite à domicile.\nLa mère était présente.")
            .validate()
            .is_ok());
        assert!(note(&"a".repeat(20000)).validate().is_ok());
        assert!(note(&"a".repeat(20001)).validate().is_err());
        assert!(note("").validate().is_err());
        assert!(note("  ").validate().is_err());
        assert!(note("a\u{202E}b").validate().is_err());
        let unknown = serde_json::json!({
            "note_type": "home_visit", "occurred_at": "2026-01-05T10:00:00Z",
            "sensitive": true, "text": "x", "extra": 1
        });
        assert!(serde_json::from_value::<CreateNote>(unknown).is_err());
    }
}

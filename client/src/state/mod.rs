//! The app's shared state, provided as a context: the language shown, the signed-in person and
//! the vocabulary (reference lists with their labels). The access token is not here: it lives
//! in [`crate::api`]'s memory only.
use std::rc::Rc;

use madar_openapi::users::UserResponse;
use madar_openapi::Language;
use yew::{Reducible, UseReducerHandle};

pub mod vocabulary;
pub use vocabulary::Vocabulary;

#[derive(Clone, PartialEq)]
pub struct AppState {
    pub lang: Language,
    /// `None` until signed in.
    pub user: Option<Rc<UserResponse>>,
    /// True while the app looks for a session to resume (after a reload).
    pub resuming: bool,
    pub vocabulary: Rc<Vocabulary>,
    /// Bumped on each live event, so pages that show live data reload it.
    pub live_version: u64,
    /// The last live event's type (`report.received`, `referral.updated`...).
    pub live_last: Option<Rc<str>>,
    /// Set when the session ended by itself (expired, revoked): the sign-in page says so.
    pub expired: bool,
    /// Bumped when a language's texts arrive (French and English are fetched when chosen).
    pub locales: u32,
}

impl Default for AppState {
    fn default() -> AppState {
        AppState {
            lang: Language::default(),
            user: None,
            resuming: true,
            vocabulary: Rc::default(),
            live_version: 0,
            live_last: None,
            expired: false,
            locales: 0,
        }
    }
}

pub enum Action {
    SetLanguage(Language),
    /// A language's texts were installed (or found unavailable): show it.
    LocaleLoaded,
    /// Also switches to the person's own language.
    SignedIn(UserResponse),
    /// The look for a session to resume found none.
    NoSession,
    SignedOut,
    /// The session could not be refreshed any more.
    Expired,
    Vocabulary(Vocabulary),
    /// A live event arrived (its type).
    Live(String),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::SetLanguage(lang) => next.lang = lang,
            Action::LocaleLoaded => next.locales = next.locales.wrapping_add(1),
            Action::SignedIn(user) => {
                next.lang = user.language;
                next.user = Some(Rc::new(user));
                next.resuming = false;
                next.expired = false;
            }
            Action::NoSession => next.resuming = false,
            Action::SignedOut => next.user = None,
            Action::Expired => {
                // Several calls in flight can each find the session gone: the first one that
                // finds it signed in sets the flag, and the later ones must not clear it.
                next.expired = next.expired || next.user.is_some();
                next.user = None;
            }
            Action::Vocabulary(vocabulary) => next.vocabulary = Rc::new(vocabulary),
            Action::Live(kind) => {
                next.live_version += 1;
                next.live_last = Some(kind.into());
            }
        }
        Rc::new(next)
    }
}

/// What components get with `use_context::<AppContext>()`.
pub type AppContext = UseReducerHandle<AppState>;

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_in() -> Rc<AppState> {
        let user: UserResponse = serde_json::from_value(serde_json::json!({
            "id": "01a22eb1-d4c9-75db-aacb-b22c348af7b3",
            "email": "caseworker@demo.madar.ma",
            "display_name": "Case worker",
            "role": "case_worker",
            "organization": "CENTRE-RABAT",
            "territory": "MA-RAB",
            "language": "ar",
            "active": true,
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        }))
        .unwrap_or_else(|e| panic!("a user: {e}"));
        Rc::new(AppState::default()).reduce(Action::SignedIn(user))
    }

    #[test]
    fn the_session_ended_flag_survives_a_second_call_finding_it_gone() {
        let state = signed_in().reduce(Action::Expired).reduce(Action::Expired);
        assert!(state.expired);
        assert!(state.user.is_none());
    }

    #[test]
    fn signing_out_is_not_an_expiry() {
        let state = signed_in()
            .reduce(Action::SignedOut)
            .reduce(Action::Expired);
        assert!(!state.expired);
    }
}

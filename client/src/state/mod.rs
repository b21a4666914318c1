//! The app's shared state, provided as a context: the language shown and the session. The
//! access token lives in memory only (never in localStorage); a reload means signing in again
//! until the refresh cookie is used to resume.
use std::rc::Rc;

use madar_openapi::users::UserResponse;
use madar_openapi::Language;
use yew::{Reducible, UseReducerHandle};

/// A signed-in person.
#[derive(Clone, PartialEq)]
pub struct Session {
    pub access_token: String,
    pub user: UserResponse,
}

#[derive(Clone, PartialEq, Default)]
pub struct AppState {
    pub lang: Language,
    pub session: Option<Rc<Session>>,
}

pub enum Action {
    SetLanguage(Language),
    /// Also switches to the person's own language.
    SignedIn(Session),
    SignedOut,
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::SetLanguage(lang) => next.lang = lang,
            Action::SignedIn(session) => {
                next.lang = session.user.language;
                next.session = Some(Rc::new(session));
            }
            Action::SignedOut => next.session = None,
        }
        Rc::new(next)
    }
}

/// What components get with `use_context::<AppContext>()`.
pub type AppContext = UseReducerHandle<AppState>;

//! Changing one record (a user, an organization) from its page: read with its ETag, a draft of
//! the form, the changes sent with `If-Match`, and the record (de)activated the same way. A
//! 412 loads the record as it is now into the form and says so.
use std::rc::Rc;

use madar_openapi::Language;
use serde::de::DeserializeOwned;
use serde::Serialize;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::fields::refused;
use super::logic::FieldErrors;
use crate::api::{self, ApiError};
use crate::i18n::{self, Key};
use crate::pages::case::form::Outcome;

/// A record the administration pages change.
pub trait Editable: DeserializeOwned + 'static {
    /// The form as typed.
    type Draft: Clone + Default + 'static;
    /// The PATCH body.
    type Update: Serialize + 'static;
    /// The contract paths the form shows errors for.
    const PATHS: &'static [&'static str];

    fn draft(&self) -> Self::Draft;
    /// The changes the draft makes; `Ok(None)` when none.
    fn changes(draft: &Self::Draft, before: &Self) -> Result<Option<Self::Update>, FieldErrors>;
    fn activation(active: bool) -> Self::Update;
    /// The text after (de)activation.
    fn toggled(active: bool) -> Key;
}

/// A record read with its ETag, for a change with `If-Match`.
pub struct Tagged<T> {
    pub record: Rc<T>,
    pub etag: String,
}

impl<T> Clone for Tagged<T> {
    fn clone(&self) -> Self {
        Tagged {
            record: self.record.clone(),
            etag: self.etag.clone(),
        }
    }
}

async fn read<T: DeserializeOwned>(path: &str) -> Result<Tagged<T>, ApiError> {
    let (record, etag) = api::get_tagged::<T>(path).await?;
    Ok(Tagged {
        record: Rc::new(record),
        etag,
    })
}

/// What a record's page needs: the record, the form's state and what its buttons do.
pub struct Editor<T: Editable> {
    pub loaded: Option<Result<Tagged<T>, ApiError>>,
    pub draft: UseStateHandle<T::Draft>,
    pub errors: UseStateHandle<FieldErrors>,
    pub outcome: Outcome,
    /// The outcome of the last (de)activation.
    pub access: Outcome,
    pub save: Callback<SubmitEvent>,
    /// Sets the record active or not.
    pub toggle: Callback<bool>,
}

/// Why a change was not made: the problem, and after a 412 the record as it is now.
enum Refusal<T> {
    Changed(Tagged<T>),
    Failed(ApiError),
}

/// `PATCH path` with the ETag of the copy shown; after a 412, the record read again.
async fn patch<T: Editable>(
    path: &str,
    etag: &str,
    body: &T::Update,
) -> Result<Tagged<T>, Refusal<T>> {
    match api::patch::<T::Update, T>(path, etag, body).await {
        Ok((record, etag)) => Ok(Tagged {
            record: Rc::new(record),
            etag,
        }),
        Err(error) if error.status() == Some(412) => match read(path).await {
            Ok(fresh) => Err(Refusal::Changed(fresh)),
            Err(_) => Err(Refusal::Failed(error)),
        },
        Err(error) => Err(Refusal::Failed(error)),
    }
}

/// The record at `path` and its form; `on_saved` gets each change made (with the body sent).
#[hook]
pub fn use_editor<T: Editable>(
    path: String,
    lang: Language,
    on_saved: Callback<Rc<T::Update>>,
) -> Editor<T> {
    let loaded = use_state(|| None::<Result<Tagged<T>, ApiError>>);
    let draft = use_state(T::Draft::default);
    let errors = use_state(FieldErrors::new);
    let outcome = use_state(Outcome::default);
    let access = use_state(Outcome::default);
    // The record as it is now, and the form on it.
    let show = {
        let (loaded, draft) = (loaded.clone(), draft.clone());
        move |t: Tagged<T>| {
            draft.set(t.record.draft());
            loaded.set(Some(Ok(t)));
        }
    };
    {
        let (loaded, show) = (loaded.clone(), show.clone());
        use_effect_with(path.clone(), move |path| {
            let path = path.clone();
            spawn_local(async move {
                match read::<T>(&path).await {
                    Ok(t) => show(t),
                    Err(e) => loaded.set(Some(Err(e))),
                }
            });
        });
    }
    let current = match &*loaded {
        Some(Ok(t)) => Some(t.clone()),
        _ => None,
    };
    // Sends `body`; `state` says how it went (`done` on success, else the refusal).
    let send = {
        let (current, path, errors, on_saved) = (
            current.clone(),
            path.clone(),
            errors.clone(),
            on_saved.clone(),
        );
        move |body: T::Update, state: UseStateHandle<Outcome>, done: Key| {
            let Some(current) = current.clone() else {
                return;
            };
            let (path, show, errors, on_saved) =
                (path.clone(), show.clone(), errors.clone(), on_saved.clone());
            state.set(Outcome::Busy);
            spawn_local(async move {
                match patch::<T>(&path, &current.etag, &body).await {
                    Ok(t) => {
                        show(t);
                        on_saved.emit(Rc::new(body));
                        state.set(Outcome::Done(i18n::t(lang, done).into()));
                    }
                    Err(Refusal::Changed(t)) => {
                        show(t);
                        state.set(Outcome::Invalid(
                            i18n::t(lang, Key::AdminConflictReloaded).into(),
                        ));
                    }
                    Err(Refusal::Failed(error)) => {
                        let (found, shown) = refused(lang, error, T::PATHS);
                        errors.set(found);
                        state.set(shown);
                    }
                }
            });
        }
    };
    let save = {
        let (draft, errors, outcome, send, current) = (
            draft.clone(),
            errors.clone(),
            outcome.clone(),
            send.clone(),
            current.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(current) = &current else {
                return;
            };
            if outcome.busy() {
                return;
            }
            match T::changes(&draft, &current.record) {
                Ok(Some(changes)) => {
                    errors.set(FieldErrors::new());
                    send(changes, outcome.clone(), Key::AdminSaved);
                }
                Ok(None) => outcome.set(Outcome::Done(i18n::t(lang, Key::AdminNoChange).into())),
                Err(found) => {
                    errors.set(found);
                    outcome.set(Outcome::Invalid(
                        i18n::t(lang, Key::AdminCheckFields).into(),
                    ));
                }
            }
        })
    };
    let toggle = {
        let access = access.clone();
        Callback::from(move |active: bool| {
            send(T::activation(active), access.clone(), T::toggled(active))
        })
    };
    Editor {
        loaded: (*loaded).clone(),
        draft,
        errors,
        outcome: (*outcome).clone(),
        access: (*access).clone(),
        save,
        toggle,
    }
}

//! Small form helpers shared by the case page and the child file: reading a control's value,
//! labelled fields, a `<select>` of coded items, and a message after an action.
use madar_openapi::common::Labels;
use madar_openapi::Language;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::ApiError;
use crate::components::widgets::ProblemMessage;

/// The text of an `<input>` after an `input` event.
pub fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

/// The text of a `<textarea>` after an `input` event.
pub fn area_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlTextAreaElement>().value()
}

/// The chosen value of a `<select>` after a `change` event.
pub fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

/// Whether a checkbox is checked after a `change` event.
pub fn checked(e: &Event) -> bool {
    e.target_unchecked_into::<HtmlInputElement>().checked()
}

/// A callback that sets a text state from an `<input>`.
pub fn set_text(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| state.set(input_value(&e)))
}

/// A callback that sets a text state from a `<textarea>`.
pub fn set_area(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| state.set(area_value(&e)))
}

/// A callback that sets a text state from a `<select>`.
pub fn set_select(state: &UseStateHandle<String>) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| state.set(select_value(&e)))
}

/// Labels in the page's language.
pub fn pick(labels: &Labels, lang: Language) -> String {
    match lang {
        Language::Ar => labels.ar.clone(),
        Language::Fr => labels.fr.clone(),
        Language::En => labels.en.clone(),
    }
}

/// `<option>`s for `(code, label)` items, `selected` marked, after an empty choice when
/// `empty` is given.
pub fn options(items: &[(String, String)], selected: &str, empty: Option<&str>) -> Html {
    html! {
        <>
            if let Some(empty) = empty {
                <option value="" selected={selected.is_empty()}>{ empty.to_owned() }</option>
            }
            { for items.iter().map(|(code, label)| html! {
                <option value={code.clone()} selected={code == selected}>{ label.clone() }</option>
            }) }
        </>
    }
}

/// The identity of one row of an editable list (a rule, an action, a need): the key of its
/// element, so that removing a row removes its own element and the rows after it keep theirs
/// (a list keyed by position would hand a row's element, with a `<select>` chosen by hand, to
/// the next row, and show one value while holding another). Every new row gets a new one; a
/// copy keeps it. Not part of the row's value: any two compare equal.
#[derive(Debug, Clone, Copy)]
pub struct Uid(pub u32);

impl Default for Uid {
    fn default() -> Uid {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(1);
        Uid(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl PartialEq for Uid {
    fn eq(&self, _: &Uid) -> bool {
        true
    }
}

impl Uid {
    /// The element key.
    pub fn key(self) -> String {
        self.0.to_string()
    }
}

/// `None` for blank text, else the text trimmed.
pub fn non_blank(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The outcome of a form's last submission.
#[derive(Clone, PartialEq, Default)]
pub enum Outcome {
    #[default]
    Idle,
    Busy,
    Done(String),
    Failed(ApiError),
    /// The form's own check refused it (a translated message).
    Invalid(String),
}

impl Outcome {
    pub fn busy(&self) -> bool {
        matches!(self, Outcome::Busy)
    }

    /// The message under a form; `id` lets tests find it.
    pub fn view(&self, id: &str) -> Html {
        match self {
            Outcome::Idle | Outcome::Busy => {
                html! { <div id={id.to_owned()} aria-live="polite"></div> }
            }
            Outcome::Done(text) => html! {
                <p id={id.to_owned()} class="case-success" role="status">{ text.clone() }</p>
            },
            Outcome::Failed(error) => html! {
                <div id={id.to_owned()}><ProblemMessage error={error.clone()} /></div>
            },
            Outcome::Invalid(text) => html! {
                <p id={id.to_owned()} class="error" role="alert">{ text.clone() }</p>
            },
        }
    }
}

/// A submit button that shows "…" and is disabled while busy.
pub fn submit(id: &str, label: &str, busy: bool) -> Html {
    html! {
        <button type="submit" id={id.to_owned()} class="primary" disabled={busy} aria-busy={busy.to_string()}>
            { label.to_owned() }{ if busy { "…" } else { "" } }
        </button>
    }
}

/// The browser's clock (chrono's `Utc::now` is not available in the browser build).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// The active organizations as `(code, name in the page's language)`, loaded once per
/// component (for pickers of recipients and responsible organizations).
#[hook]
pub fn use_organizations(lang: Language) -> std::rc::Rc<Vec<(String, String)>> {
    let list = use_state(|| None::<Vec<madar_openapi::organizations::OrganizationResponse>>);
    {
        let list = list.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                let mut all = Vec::new();
                let mut cursor: Option<String> = None;
                for _ in 0..10 {
                    let path = match &cursor {
                        Some(c) => format!("/organizations?limit=100&cursor={c}"),
                        None => "/organizations?limit=100".to_owned(),
                    };
                    let Ok(page) = crate::api::get::<
                        madar_openapi::Page<madar_openapi::organizations::OrganizationResponse>,
                    >(&path)
                    .await
                    else {
                        break;
                    };
                    all.extend(page.items);
                    cursor = page.next_cursor;
                    if cursor.is_none() {
                        break;
                    }
                }
                list.set(Some(all));
            });
        });
    }
    std::rc::Rc::new(
        list.iter()
            .flatten()
            .map(|o| {
                let name = o
                    .labels
                    .as_ref()
                    .map(|l| pick(l, lang))
                    .unwrap_or_else(|| o.name.clone());
                (o.code.clone(), name)
            })
            .collect(),
    )
}

/// A `<datalist>` of organization codes with their names.
pub fn organizations_datalist(id: &str, organizations: &[(String, String)]) -> Html {
    html! {
        <datalist id={id.to_owned()}>
            { for organizations.iter().map(|(code, name)| html! {
                <option value={code.clone()}>{ name.clone() }</option>
            }) }
        </datalist>
    }
}

//! The pieces the administration forms share: a labelled control with its error beside it
//! (linked with `aria-describedby`), callbacks that edit one field of a draft, territory chips,
//! a failed call spread onto the fields, a generated password, focus and confirmation.
use madar_openapi::Language;
use yew::prelude::*;

use super::logic::{error_on, password_from, FieldErrors};
use crate::api::ApiError;
use crate::i18n::{self, Key};
use crate::pages::case::form::{input_value, select_value, Outcome};
use crate::state::AppContext;

/// A callback that sets one field of a draft from an `<input>`.
pub fn on_input<D: Clone + 'static>(
    draft: &UseStateHandle<D>,
    set: fn(&mut D, String),
) -> Callback<InputEvent> {
    let draft = draft.clone();
    Callback::from(move |e: InputEvent| {
        let mut next = (*draft).clone();
        set(&mut next, input_value(&e));
        draft.set(next);
    })
}

/// A callback that sets one field of a draft from a `<select>`.
pub fn on_select<D: Clone + 'static>(
    draft: &UseStateHandle<D>,
    set: fn(&mut D, String),
) -> Callback<Event> {
    let draft = draft.clone();
    Callback::from(move |e: Event| {
        let mut next = (*draft).clone();
        set(&mut next, select_value(&e));
        draft.set(next);
    })
}

/// The field errors a form shows, cleared field by field as the person corrects them.
pub type Errors = UseStateHandle<FieldErrors>;

/// `then`, after dropping the error of `path` (the person is correcting that field).
pub fn clearing<E: 'static>(errors: &Errors, path: &str, then: Callback<E>) -> Callback<E> {
    let (errors, path) = (errors.clone(), path.to_owned());
    Callback::from(move |e: E| {
        if error_on(&errors, &path).is_some() {
            errors.set(errors.iter().filter(|(p, _)| *p != path).cloned().collect());
        }
        then.emit(e);
    })
}

/// One field of a form: its control's id, label, hint and the contract path its errors use.
pub struct Field<'a> {
    pub id: &'a str,
    pub label: Key,
    pub path: &'a str,
    pub hint: Option<Key>,
}

/// The message for a field error; a few read better said for the administration forms.
fn message(lang: Language, path: &str, code: &str) -> String {
    let own = match (path, code) {
        ("territory", "outside_organization") => Some(Key::AdminOutsideOrganization),
        ("password", "length") => Some(Key::AdminPasswordLength),
        ("code", "length" | "invalid_code") => Some(Key::AdminCodeInvalid),
        _ => None,
    };
    own.map(|k| i18n::t(lang, k).to_owned())
        .unwrap_or_else(|| i18n::field_problem(lang, code).to_owned())
}

/// `aria-describedby` of a control: its hint and its error, when it has them.
fn described_by(f: &Field, error: bool) -> Option<String> {
    let ids: Vec<String> = [
        f.hint.map(|_| format!("{}-hint", f.id)),
        error.then(|| format!("{}-error", f.id)),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The label, `control` (given the attributes it must carry), hint and error of a field.
fn field(
    lang: Language,
    f: &Field,
    errors: &FieldErrors,
    control: impl FnOnce(Option<String>, String) -> Html,
) -> Html {
    let error = error_on(errors, f.path);
    html! {
        <div class={classes!("field", error.map(|_| "admin-invalid"))}>
            <label for={f.id.to_owned()}>{ i18n::t(lang, f.label) }</label>
            { control(described_by(f, error.is_some()), error.is_some().to_string()) }
            if let Some(hint) = f.hint {
                <p class="hint" id={format!("{}-hint", f.id)}>{ i18n::t(lang, hint) }</p>
            }
            if let Some(code) = error {
                <p class="admin-field-error" id={format!("{}-error", f.id)}>{ message(lang, f.path, code) }</p>
            }
        </div>
    }
}

/// A text `<input>` of `kind` (`text`, `email`...); `ltr` for codes, emails and passwords.
pub fn input(
    lang: Language,
    f: Field,
    errors: &Errors,
    (kind, ltr): (&str, bool),
    value: &str,
    oninput: Callback<InputEvent>,
) -> Html {
    let oninput = clearing(errors, f.path, oninput);
    let (id, kind, value) = (f.id.to_owned(), kind.to_owned(), value.to_owned());
    let dir = if ltr { "ltr" } else { "auto" };
    field(lang, &f, errors, |described, invalid| {
        html! {
            <input {id} type={kind} {dir} {value} {oninput} autocomplete="off"
                aria-describedby={described} aria-invalid={invalid} />
        }
    })
}

/// A `<select>` with `options`.
pub fn select(
    lang: Language,
    f: Field,
    errors: &Errors,
    options: Html,
    onchange: Callback<Event>,
) -> Html {
    let onchange = clearing(errors, f.path, onchange);
    let id = f.id.to_owned();
    field(lang, &f, errors, |described, invalid| {
        html! {
            <select {id} {onchange} aria-describedby={described} aria-invalid={invalid}>
                { options }
            </select>
        }
    })
}

/// Territories in tree order as `(code, indented name)`, for a `<select>`.
pub fn indented(tree: Vec<(String, String, usize)>) -> Vec<(String, String)> {
    tree.into_iter()
        .map(|(code, label, depth)| (code, format!("{}{label}", "\u{a0}\u{a0}".repeat(depth))))
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct ChipsProps {
    /// The id of the "add" `<select>` (the field's label points at it).
    pub id: AttrValue,
    pub label: Key,
    pub chosen: Vec<String>,
    pub on_change: Callback<Vec<String>>,
    pub error: Option<AttrValue>,
}

/// The territories an organization serves: chips with a remove button each, and a `<select>`
/// that adds one.
#[function_component(TerritoryChips)]
pub fn territory_chips(props: &ChipsProps) -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return Html::default();
    };
    let lang = ctx.lang;
    let id = props.id.to_string();
    let on_add = {
        let (chosen, on_change) = (props.chosen.clone(), props.on_change.clone());
        Callback::from(move |e: Event| {
            let code = select_value(&e);
            if !code.is_empty() && !chosen.contains(&code) {
                let mut next = chosen.clone();
                next.push(code);
                on_change.emit(next);
            }
        })
    };
    let chips = props.chosen.iter().map(|code| {
        let name = ctx.vocabulary.territory(lang, code);
        let remove = {
            let (chosen, on_change, code) =
                (props.chosen.clone(), props.on_change.clone(), code.clone());
            Callback::from(move |_: MouseEvent| {
                on_change.emit(chosen.iter().filter(|c| **c != code).cloned().collect())
            })
        };
        html! {
            <li class="child-chip" data-code={code.clone()}>
                <bdi>{ name.clone() }</bdi>
                <button type="button" class="child-chip-remove" onclick={remove}
                    aria-label={i18n::tf(lang, Key::AdminRemoveTerritory, &[("name", &name)])}>{ "×" }</button>
            </li>
        }
    });
    let choices = indented(ctx.vocabulary.territories(lang));
    let error_id = format!("{id}-error");
    html! {
        <div class={classes!("field", props.error.as_ref().map(|_| "admin-invalid"))}>
            <label for={id.clone()}>{ i18n::t(lang, props.label) }</label>
            if props.chosen.is_empty() {
                <p class="hint">{ i18n::t(lang, Key::AdminTerritoriesNone) }</p>
            } else {
                <ul id={format!("{id}-chosen")} class="child-chips" aria-live="polite">{ for chips }</ul>
            }
            <select {id} onchange={on_add} aria-invalid={props.error.is_some().to_string()}
                aria-describedby={props.error.as_ref().map(|_| error_id.clone())}>
                <option value="" selected=true>{ i18n::t(lang, Key::AdminAddTerritory) }</option>
                { for choices.into_iter().filter(|(c, _)| !props.chosen.contains(c)).map(|(code, label)| html! {
                    <option value={code}>{ label }</option>
                }) }
            </select>
            if let Some(e) = &props.error {
                <p class="admin-field-error" id={error_id}>{ i18n::field_problem(lang, e) }</p>
            }
        </div>
    }
}

/// A refused call: a 422's field errors go on their fields (with a summary under the form)
/// when the form has each of them (`paths`); any other problem is shown under the form whole.
pub fn refused(lang: Language, error: ApiError, paths: &[&str]) -> (FieldErrors, Outcome) {
    let fields: FieldErrors = error
        .field_errors()
        .iter()
        .map(|f| (f.field.clone(), f.code.clone()))
        .collect();
    if fields.is_empty() || fields.iter().any(|(p, _)| !paths.contains(&p.as_str())) {
        (FieldErrors::new(), Outcome::Failed(error))
    } else {
        (
            fields,
            Outcome::Invalid(i18n::t(lang, Key::AdminCheckFields).to_owned()),
        )
    }
}

/// The submit of a "new" form: the draft checked by the contract's rules (its field errors
/// shown, nothing sent), then `POST path`; a refusal goes onto the fields (`paths`) or under the
/// form. `created` gets the answer with the request sent (a password typed is shown once).
pub fn create_on_submit<D, Q, A>(
    lang: Language,
    states: (
        &UseStateHandle<D>,
        &UseStateHandle<FieldErrors>,
        &UseStateHandle<Outcome>,
    ),
    check: fn(&D) -> Result<Q, FieldErrors>,
    path: &'static str,
    paths: &'static [&'static str],
    created: Callback<(A, Q)>,
) -> Callback<SubmitEvent>
where
    D: 'static,
    Q: serde::Serialize + 'static,
    A: serde::de::DeserializeOwned + 'static,
{
    let (draft, errors, outcome) = (states.0.clone(), states.1.clone(), states.2.clone());
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        if outcome.busy() {
            return;
        }
        let request = match check(&draft) {
            Ok(request) => request,
            Err(found) => {
                errors.set(found);
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::AdminCheckFields).to_owned(),
                ));
                return;
            }
        };
        errors.set(FieldErrors::new());
        outcome.set(Outcome::Busy);
        let (errors, outcome, created) = (errors.clone(), outcome.clone(), created.clone());
        yew::platform::spawn_local(async move {
            match crate::api::post::<_, A>(path, &request).await {
                Ok(answer) => {
                    outcome.set(Outcome::Idle);
                    created.emit((answer, request));
                }
                Err(error) => {
                    let (found, shown) = refused(lang, error, paths);
                    errors.set(found);
                    outcome.set(shown);
                }
            }
        });
    })
}

/// A new password from the browser's cryptographic random numbers.
pub fn generate_password() -> String {
    let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) else {
        return String::new();
    };
    loop {
        let mut bytes = [0u8; 64];
        if crypto.get_random_values_with_u8_array(&mut bytes).is_err() {
            return String::new();
        }
        if let Some(password) = password_from(&bytes) {
            return password;
        }
    }
}

/// Moves the keyboard focus to the control `id` (the first field of a form just opened).
pub fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    let control = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(control) = control {
        let _ = control.focus();
    }
}

/// Asks the person to confirm (the browser's own dialog, reachable with the keyboard).
pub use crate::components::widgets::confirm;

/// A secret shown this once (Madar keeps only its hash or its sealed copy): each value in a
/// read-only field that can be selected and copied, the warning, and the button that says it
/// is copied (`done`). Ids: `{prefix}-secret`, `{prefix}-secret-title`,
/// `{prefix}-secret-warning`, `{prefix}-secret-done`, and each value's own.
pub fn shown_once(
    lang: Language,
    (prefix, title): (&str, String),
    warning: Key,
    values: &[(&str, Key, &str)],
    done: Callback<MouseEvent>,
) -> Html {
    html! {
        <section id={format!("{prefix}-secret")} class="card admin-created"
            aria-labelledby={format!("{prefix}-secret-title")}>
            <h2 id={format!("{prefix}-secret-title")}>{ title }</h2>
            <p id={format!("{prefix}-secret-warning")} class="admin-warning" role="alert">{ i18n::t(lang, warning) }</p>
            { for values.iter().map(|(id, label, value)| html! {
                <div class="field">
                    <label for={id.to_string()}>{ i18n::t(lang, *label) }</label>
                    <input id={id.to_string()} type="text" dir="ltr" readonly=true autocomplete="off"
                        value={value.to_string()} />
                </div>
            }) }
            <button type="button" id={format!("{prefix}-secret-done")} class="primary" onclick={done}>
                { i18n::t(lang, Key::AdminSecretCopied) }</button>
        </section>
    }
}

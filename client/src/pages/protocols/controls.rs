//! The editor's pieces: callbacks that change one field of the form (of a rule, of an action),
//! `<option>`s that keep an unknown code, and labelled controls with their problem beside them
//! (linked with `aria-describedby`).
use madar_openapi::Language;
use yew::prelude::*;

use super::logic::{ActionDraft, Located, ProtocolForm, RuleDraft};
use crate::i18n::{self, Key};
use crate::pages::case::form::{input_value, options, select_value};

/// The form being edited.
pub type Form = UseStateHandle<ProtocolForm>;

/// A callback that changes the form with what `event` carries (`read` gets it out).
pub fn change<E: 'static, V: 'static>(
    form: &Form,
    read: fn(&E) -> V,
    set: impl Fn(&mut ProtocolForm, V) + 'static,
) -> Callback<E> {
    let form = form.clone();
    Callback::from(move |e: E| {
        let mut next = (*form).clone();
        set(&mut next, read(&e));
        form.set(next);
    })
}

/// A callback that changes rule `i` with an `<input>`'s text.
pub fn rule_input(form: &Form, i: usize, set: fn(&mut RuleDraft, String)) -> Callback<InputEvent> {
    change(form, input_value, move |f, v| {
        if let Some(r) = f.rules.get_mut(i) {
            set(r, v)
        }
    })
}

/// A callback that changes rule `i` with a `<select>`'s choice.
pub fn rule_select(form: &Form, i: usize, set: fn(&mut RuleDraft, String)) -> Callback<Event> {
    change(form, select_value, move |f, v| {
        if let Some(r) = f.rules.get_mut(i) {
            set(r, v)
        }
    })
}

/// A callback that changes action `j` of rule `i` with a control's value.
pub fn action_change<E: 'static>(
    form: &Form,
    (i, j): (usize, usize),
    read: fn(&E) -> String,
    set: fn(&mut ActionDraft, String),
) -> Callback<E> {
    change(form, read, move |f, v| {
        if let Some(a) = f.rules.get_mut(i).and_then(|r| r.actions.get_mut(j)) {
            set(a, v)
        }
    })
}

/// A button's callback that changes the form.
pub fn click(form: &Form, edit: impl Fn(&mut ProtocolForm) + 'static) -> Callback<MouseEvent> {
    change(form, |_: &MouseEvent| (), move |f, ()| edit(f))
}

/// `items` as `<option>`s, with the current code kept (as itself) when it is not one of them.
pub fn choices(items: Vec<(String, String)>, selected: &str, empty: Option<&str>) -> Html {
    let mut items = items;
    if !selected.is_empty() && !items.iter().any(|(c, _)| c == selected) {
        items.insert(0, (selected.to_owned(), selected.to_owned()));
    }
    options(&items, selected, empty)
}

/// The problem of `field` in rule `i`, if any.
pub fn problem_on<'a>(problems: &'a [Located], i: usize, field: &str) -> Option<&'a str> {
    problems
        .iter()
        .find(|p| p.rule == Some(i) && p.field == field)
        .map(|p| p.code.as_str())
}

/// A labelled control with its problem beside it; `control` gets `aria-describedby` and
/// `aria-invalid`.
pub fn field(
    lang: Language,
    (id, label): (&str, Key),
    problem: Option<&str>,
    control: impl FnOnce(Option<String>, String) -> Html,
) -> Html {
    let error_id = format!("{id}-error");
    html! {
        <div class={classes!("field", problem.map(|_| "protocols-invalid"))}>
            <label for={id.to_owned()}>{ i18n::t(lang, label) }</label>
            { control(problem.map(|_| error_id.clone()), problem.is_some().to_string()) }
            if let Some(code) = problem {
                <p class="protocols-field-error" id={error_id}>{ i18n::field_problem(lang, code) }</p>
            }
        </div>
    }
}

pub fn text(
    lang: Language,
    at: (&str, Key),
    problem: Option<&str>,
    (value, ltr): (&str, bool),
    oninput: Callback<InputEvent>,
) -> Html {
    let (id, value) = (at.0.to_owned(), value.to_owned());
    let dir = if ltr { "ltr" } else { "auto" };
    field(lang, at, problem, |described, invalid| {
        html! {
            <input {id} type="text" {dir} {value} {oninput} autocomplete="off"
                aria-describedby={described} aria-invalid={invalid} />
        }
    })
}

pub fn select(
    lang: Language,
    at: (&str, Key),
    problem: Option<&str>,
    choices: Html,
    onchange: Callback<Event>,
) -> Html {
    let id = at.0.to_owned();
    field(lang, at, problem, |described, invalid| {
        html! {
            <select {id} {onchange} aria-describedby={described} aria-invalid={invalid}>{ choices }</select>
        }
    })
}

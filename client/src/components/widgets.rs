//! Small shared pieces: a problem message, dates and numbers in the page's language, a child's
//! names in both scripts, a "load more" button.
use chrono::{DateTime, Utc};
use madar_openapi::Language;
use yew::prelude::*;

use crate::api::ApiError;
use crate::i18n::{self, Key};
use crate::state::AppContext;

/// The locale for `Intl` formatting: Moroccan Arabic keeps Western digits.
pub fn locale(lang: Language) -> &'static str {
    match lang {
        Language::Ar => "ar-MA",
        Language::Fr => "fr-MA",
        Language::En => "en-GB",
    }
}

/// Asks the browser's confirmation dialog; `false` when it cannot be shown.
pub fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}

/// A date and time in the page's language.
pub fn datetime(lang: Language, at: &DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        at.timestamp_millis() as f64
    ));
    date.to_locale_string(locale(lang), &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}

/// A date in the page's language.
pub fn date(lang: Language, at: &chrono::NaiveDate) -> String {
    let Some(midday) = at.and_hms_opt(12, 0, 0) else {
        return at.to_string();
    };
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        midday.and_utc().timestamp_millis() as f64,
    ));
    date.to_locale_date_string(locale(lang), &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}

/// A count in the page's language.
pub fn number(lang: Language, n: i64) -> String {
    js_sys::Number::from(n as f64)
        .to_locale_string(locale(lang))
        .into()
}

#[derive(Properties, PartialEq)]
pub struct ProblemProps {
    pub error: ApiError,
}

/// A failed call, translated: the problem's message and, for a 422, each invalid field.
#[function_component(ProblemMessage)]
pub fn problem_message(props: &ProblemProps) -> Html {
    let lang = use_context::<AppContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let fields = props.error.field_errors();
    html! {
        <div class="error" role="alert">
            <p>{ i18n::problem(lang, &props.error.code()) }</p>
            if !fields.is_empty() {
                <ul class="field-errors">
                    { for fields.iter().map(|f| html! {
                        <li><bdi class="code">{ f.field.clone() }</bdi>{ ": " }
                            { i18n::field_problem(lang, &f.code) }</li>
                    }) }
                </ul>
            }
        </div>
    }
}

/// A child's names as a record holds them: Arabic and Latin script, each isolated.
pub fn child_names(
    given_ar: &Option<String>,
    family_ar: &Option<String>,
    given_latin: &Option<String>,
    family_latin: &Option<String>,
) -> Html {
    let join = |a: &Option<String>, b: &Option<String>| {
        [a.as_deref(), b.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let ar = join(given_ar, family_ar);
    let latin = join(given_latin, family_latin);
    html! {
        <span class="child-names">
            if !ar.is_empty() { <bdi lang="ar" dir="rtl" class="name-ar">{ ar }</bdi> }
            if !latin.is_empty() { <bdi lang="fr" dir="ltr" class="name-latin">{ latin }</bdi> }
        </span>
    }
}

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub busy: bool,
}

/// "Loading…" while a page's data is on its way.
#[function_component(Loading)]
pub fn loading(props: &StatusProps) -> Html {
    let lang = use_context::<AppContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    html! {
        if props.busy {
            <p class="loading" role="status">{ i18n::t(lang, Key::Loading) }</p>
        }
    }
}

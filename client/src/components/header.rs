//! The top bar: the app's name and the language switcher.
use madar_openapi::Language;
use yew::prelude::*;

use crate::i18n::{self, Key};
use crate::state::{Action, AppContext};

#[function_component(Header)]
pub fn header() -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return Html::default();
    };
    let current = ctx.lang;
    let buttons: Html = Language::ALL
        .into_iter()
        .map(|lang| {
            let ctx = ctx.clone();
            let onclick =
                Callback::from(move |_: MouseEvent| ctx.dispatch(Action::SetLanguage(lang)));
            html! {
                <button type="button" id={format!("lang-{}", lang.code())} class="lang"
                    lang={lang.code()} aria-pressed={(lang == current).to_string()} {onclick}>
                    { i18n::language_name(lang) }
                </button>
            }
        })
        .collect();
    html! {
        <header class="app-header">
            <span class="brand">{ i18n::APP_NAME }</span>
            <nav class="lang-switch" aria-label={i18n::t(current, Key::LanguageSwitcher)}>
                { buttons }
            </nav>
        </header>
    }
}

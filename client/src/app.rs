//! The root component: provides the state and picks the page.
use madar_openapi::Language;
use yew::prelude::*;

use crate::components::Header;
use crate::i18n;
use crate::pages::{HomePage, LoginPage};
use crate::state::{AppContext, AppState};

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    use_effect_with(state.lang, |lang| apply_language(*lang));
    html! {
        <ContextProvider<AppContext> context={state.clone()}>
            <Header />
            <main class="page">
                if state.session.is_some() {
                    <HomePage />
                } else {
                    <LoginPage />
                }
            </main>
        </ContextProvider<AppContext>>
    }
}

/// Sets `<html lang dir>`, so the whole layout mirrors for Arabic.
fn apply_language(lang: Language) {
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element());
    if let Some(root) = root {
        let _ = root.set_attribute("lang", lang.code());
        let _ = root.set_attribute("dir", i18n::dir(lang));
    }
}

//! An address the app does not know.
use yew::prelude::*;
use yew_router::prelude::*;

use crate::i18n::{self, Key};
use crate::route::Route;
use crate::state::AppContext;

#[function_component(NotFoundPage)]
pub fn not_found_page() -> Html {
    let lang = use_context::<AppContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    html! {
        <section class="card">
            <h1>{ i18n::t(lang, Key::NotFoundTitle) }</h1>
            <Link<Route> to={Route::Home}>{ i18n::t(lang, Key::NavHome) }</Link<Route>>
        </section>
    }
}

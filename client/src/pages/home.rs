//! The page after signing in.
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::i18n::{self, Key};
use crate::state::{Action, AppContext};

#[function_component(HomePage)]
pub fn home_page() -> Html {
    let ctx = use_context::<AppContext>();
    let busy = use_state(|| false);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let Some(session) = ctx.session.clone() else {
        return Html::default();
    };
    let lang = ctx.lang;

    let onclick = {
        let (ctx, busy, token) = (ctx.clone(), busy.clone(), session.access_token.clone());
        Callback::from(move |_: MouseEvent| {
            busy.set(true);
            let ctx = ctx.clone();
            let token = token.clone();
            spawn_local(async move {
                // Signed out locally whatever the server says: the token is dropped either way.
                let _ = api::logout(&token).await;
                ctx.dispatch(Action::SignedOut);
            });
        })
    };

    let user = &session.user;
    let (before, after) = i18n::welcome_parts(lang);
    html! {
        <section id="home" class="card home" aria-labelledby="welcome">
            <h1 id="welcome">{ before }<bdi>{ user.display_name.clone() }</bdi>{ after }</h1>
            <dl class="facts">
                <div>
                    <dt>{ i18n::t(lang, Key::Role) }</dt>
                    <dd>{ i18n::role(lang, user.role) }</dd>
                </div>
                <div>
                    <dt>{ i18n::t(lang, Key::Organization) }</dt>
                    <dd><bdi class="code">{ user.organization.clone() }</bdi></dd>
                </div>
            </dl>
            <button id="logout" type="button" class="secondary" disabled={*busy} {onclick}>
                { i18n::t(lang, Key::SignOut) }
            </button>
        </section>
    }
}

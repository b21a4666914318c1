//! The sign-in form.
use madar_openapi::auth::LoginRequest;
use validator::Validate;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::i18n::{self, Key};
use crate::state::{Action, AppContext};

#[function_component(LoginPage)]
pub fn login_page() -> Html {
    let ctx = use_context::<AppContext>();
    let email = use_state(String::new);
    let password = use_state(String::new);
    let busy = use_state(|| false);
    // A problem code, translated at render time so a language switch re-translates it.
    let error = use_state(|| None::<String>);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let (lang, expired) = (ctx.lang, ctx.expired);

    let on_email = {
        let email = email.clone();
        Callback::from(move |e: InputEvent| {
            email.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_password = {
        let password = password.clone();
        Callback::from(move |e: InputEvent| {
            password.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let onsubmit = {
        let (email, password) = (email.clone(), password.clone());
        let (busy, error) = (busy.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let credentials = LoginRequest {
                email: email.trim().to_owned(),
                password: (*password).clone(),
            };
            if credentials.validate().is_err() {
                error.set(Some("validation_failed".to_owned()));
                return;
            }
            busy.set(true);
            error.set(None);
            let (ctx, busy, error) = (ctx.clone(), busy.clone(), error.clone());
            spawn_local(async move {
                match api::login(&credentials).await {
                    Ok(user) => ctx.dispatch(Action::SignedIn(user)),
                    Err(err) => {
                        error.set(Some(err.code()));
                        busy.set(false);
                    }
                }
            });
        })
    };

    html! {
        <section class="card login" aria-labelledby="login-title">
            <h1 id="login-title">{ i18n::t(lang, Key::SignInTitle) }</h1>
            <p class="intro">{ i18n::t(lang, Key::SignInIntro) }</p>
            if expired {
                <p id="session-expired" class="error" role="status">
                    { i18n::t(lang, Key::SessionExpired) }
                </p>
            }
            <form id="login-form" novalidate=true {onsubmit}>
                <div class="field">
                    <label for="email">{ i18n::t(lang, Key::Email) }</label>
                    <input id="email" name="email" type="email" autocomplete="username" dir="ltr"
                        required=true value={(*email).clone()} oninput={on_email} />
                </div>
                <div class="field">
                    <label for="password">{ i18n::t(lang, Key::Password) }</label>
                    <input id="password" name="password" type="password" dir="ltr"
                        autocomplete="current-password" required=true value={(*password).clone()}
                        oninput={on_password} />
                </div>
                if let Some(code) = &*error {
                    <p id="login-error" class="error" role="alert">{ i18n::problem(lang, code) }</p>
                }
                <button id="login-submit" type="submit" class="primary" disabled={*busy}>
                    { i18n::t(lang, if *busy { Key::SigningIn } else { Key::SignIn }) }
                </button>
            </form>
        </section>
    }
}

//! A new account: the form, then what to hand over. The API makes no invitation and returns
//! no password: the password is the one typed or generated here, shown once after creation.
use madar_openapi::users::{CreateUser, UserResponse};
use yew::prelude::*;
use yew_router::prelude::Link;

use super::super::fields::{self, on_input, Field};
use super::super::logic::FieldErrors;
use super::draft::UserDraft;
use super::form::{user_fields, PATHS};
use crate::i18n::{self, Key};
use crate::pages::case::form::{submit, Outcome};
use crate::pages::referrals::lists::use_organizations;
use crate::route::Route;
use crate::state::AppContext;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Told after an account is created (the list reloads).
    pub on_created: Callback<()>,
    pub on_close: Callback<()>,
}

#[function_component(NewUser)]
pub fn new_user(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let draft = use_state(UserDraft::new);
    let errors = use_state(FieldErrors::new);
    let outcome = use_state(Outcome::default);
    // The account made and the password it was given.
    let created = use_state(|| None::<(UserResponse, String)>);
    let orgs = use_organizations();
    use_effect_with((), |_| fields::focus("user-email"));
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let onsubmit = {
        let (created, on_created) = (created.clone(), props.on_created.clone());
        let done = Callback::from(move |(user, request): (UserResponse, CreateUser)| {
            created.set(Some((user, request.password)));
            on_created.emit(());
        });
        let states = (&draft, &errors, &outcome);
        fields::create_on_submit(lang, states, UserDraft::to_create, "/users", &PATHS, done)
    };
    let on_another = {
        let (draft, created) = (draft.clone(), created.clone());
        Callback::from(move |_: MouseEvent| {
            draft.set(UserDraft::new());
            created.set(None);
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    if let Some((user, password)) = &*created {
        return html! {
            <section id="user-created" class="card admin-created" role="status" aria-labelledby="user-created-title">
                <h2 id="user-created-title">
                    { i18n::tf(lang, Key::AdminUserCreated, &[("name", &user.display_name)]) }</h2>
                <p>{ i18n::t(lang, Key::AdminPasswordOnce) }</p>
                <p><code id="user-password-once" class="admin-secret" dir="ltr">{ password.clone() }</code></p>
                <p class="hint">{ i18n::t(lang, Key::AdminPasswordOnceHint) }</p>
                <div class="admin-buttons">
                    <Link<Route> to={Route::AdminUser { id: user.id.to_string() }} classes={classes!("secondary", "admin-link-button")}>
                        { i18n::t(lang, Key::AdminOpenUser) }</Link<Route>>
                    <button type="button" id="user-another" class="secondary" onclick={on_another}>
                        { i18n::t(lang, Key::AdminAnotherUser) }</button>
                    <button type="button" class="secondary" onclick={close}>{ i18n::t(lang, Key::AdminClose) }</button>
                </div>
            </section>
        };
    }
    html! {
        <section id="user-new" class="card" aria-labelledby="user-new-title">
            <h2 id="user-new-title">{ i18n::t(lang, Key::AdminNewUser) }</h2>
            <form id="user-form" class="admin-form" novalidate=true {onsubmit}>
                { fields::input(lang, Field { id: "user-email", label: Key::AdminEmail, path: "email", hint: None },
                    &errors, ("email", true), &draft.email, on_input(&draft, |d, v| d.email = v)) }
                { user_fields(&ctx, &orgs, &draft, &errors, true) }
                <div class="admin-buttons">
                    { submit("user-submit", i18n::t(lang, Key::AdminCreateUser), outcome.busy()) }
                    <button type="button" class="secondary" onclick={close}>{ i18n::t(lang, Key::AdminCancel) }</button>
                </div>
                { outcome.view("user-outcome") }
            </form>
        </section>
    }
}

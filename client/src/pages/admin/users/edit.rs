//! One account (`/admin/users/:id`): its name, role, organization, territory, language and a
//! new password, changed with `If-Match`; and deactivating or reactivating it. The email
//! cannot be changed (the API takes no new one).
use std::rc::Rc;

use madar_openapi::users::{UpdateUser, UserResponse};
use yew::prelude::*;
use yew_router::prelude::Link;

use super::super::editor::{use_editor, Editable};
use super::super::logic::FieldErrors;
use super::super::{access_section, is_admin, status_badge, AccessTexts};
use super::draft::UserDraft;
use super::form::{user_fields, PATHS};
use crate::components::widgets::{date, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::case::form::submit;
use crate::pages::referrals::lists::{organization_name, use_organizations};
use crate::route::Route;
use crate::state::AppContext;

impl Editable for UserResponse {
    type Draft = UserDraft;
    type Update = UpdateUser;
    const PATHS: &'static [&'static str] = &PATHS;

    fn draft(&self) -> UserDraft {
        UserDraft::of(self)
    }

    fn changes(draft: &UserDraft, before: &Self) -> Result<Option<UpdateUser>, FieldErrors> {
        draft.changes(before)
    }

    fn activation(active: bool) -> UpdateUser {
        UpdateUser {
            active: Some(active),
            ..UpdateUser::default()
        }
    }

    fn toggled(active: bool) -> Key {
        if active {
            Key::AdminUserReactivated
        } else {
            Key::AdminUserDeactivated
        }
    }
}

const ACCESS: AccessTexts = AccessTexts {
    active: Key::AdminUserActive,
    inactive: Key::AdminUserInactive,
    deactivate: Key::AdminDeactivateUser,
    reactivate: Key::AdminReactivateUser,
    confirm: Key::AdminDeactivateUserConfirm,
};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

#[function_component(UserPage)]
pub fn user_page(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    // A new password just set, shown once.
    let password = use_state(|| None::<String>);
    let on_saved = {
        let password = password.clone();
        Callback::from(move |sent: Rc<UpdateUser>| password.set(sent.password.clone()))
    };
    let editor = use_editor::<UserResponse>(format!("/users/{}", props.id), lang, on_saved);
    let orgs = use_organizations();
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let user = match &editor.loaded {
        None => return html! { <Loading busy=true /> },
        Some(Err(e)) => return html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(t)) => t.record.clone(),
    };
    html! {
        <section id="user-page" class="admin" aria-labelledby="user-title">
            <p><Link<Route> to={Route::AdminUsers}>{ i18n::t(lang, Key::AdminBackToUsers) }</Link<Route>></p>
            <h1 id="user-title"><bdi>{ user.display_name.clone() }</bdi></h1>
            <p class="facts admin-meta">
                <bdi id="user-email" dir="ltr">{ user.email.clone() }</bdi>{ " · " }
                <span class="badge">{ ctx.vocabulary.label_of(lang, "roles", &user.role) }</span>{ " " }
                { status_badge(lang, user.active) }{ " · " }
                <bdi>{ organization_name(&orgs, lang, &user.organization) }</bdi>{ " · " }
                { i18n::tf(lang, Key::AdminCreatedOn, &[("date", &date(lang, &user.created_at.date_naive()))]) }
            </p>
            if is_admin(&ctx) {
                <section class="card">
                    <form id="user-form" class="admin-form" novalidate=true aria-labelledby="user-title"
                        onsubmit={editor.save.clone()}>
                        { user_fields(&ctx, &orgs, &editor.draft, &editor.errors, false) }
                        { submit("user-save", i18n::t(lang, Key::AdminSave), editor.outcome.busy()) }
                        { editor.outcome.view("user-outcome") }
                    </form>
                    if let Some(p) = &*password {
                        <div id="user-password-set" class="admin-created" role="status">
                            <p>{ i18n::t(lang, Key::AdminPasswordOnce) }</p>
                            <p><code id="user-password-once" class="admin-secret" dir="ltr">{ p.clone() }</code></p>
                            <p class="hint">{ i18n::t(lang, Key::AdminPasswordOnceHint) }</p>
                        </div>
                    }
                </section>
                { access_section(lang, (&user.display_name, user.active), &ACCESS, &editor.access, editor.toggle.clone()) }
            }
        </section>
    }
}

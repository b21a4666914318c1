//! The users (`/admin/users`): filtered by role, organization and text in the name or email
//! (the API's filters); paged. Admins
//! open each account and create new ones; coordinators read the users of their territory.
use madar_openapi::users::UserResponse;
use yew::prelude::*;
use yew_router::prelude::Link;

use super::fields::{on_input, on_select};
use super::{is_admin, organization_options, status_badge, PAGE};
use crate::components::widgets::{number, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::approvals::paged::use_paged;
use crate::pages::case::form::{options, submit};
use crate::pages::referrals::lists::{organization_name, use_organizations, Organizations};
use crate::route::Route;
use crate::state::AppContext;

mod draft;
mod edit;
mod form;
mod new;

use draft::{users_path, UserFilter};
pub use edit::UserPage;
use new::NewUser;

fn card(ctx: &AppContext, orgs: &Option<Organizations>, user: &UserResponse) -> Html {
    let lang = ctx.lang;
    let name = html! { <bdi>{ user.display_name.clone() }</bdi> };
    html! {
        <li class="card admin-item" data-id={user.id.to_string()} data-email={user.email.clone()}>
            <h2 class="admin-item-title">
                if is_admin(ctx) {
                    <Link<Route> to={Route::AdminUser { id: user.id.to_string() }}>{ name }</Link<Route>>
                } else { { name } }
            </h2>
            <p class="admin-meta"><bdi dir="ltr">{ user.email.clone() }</bdi></p>
            <p class="admin-meta">
                <span class="badge admin-role">{ ctx.vocabulary.label_of(lang, "roles", &user.role) }</span>{ " " }
                { status_badge(lang, user.active) }
            </p>
            <p class="admin-meta">
                <bdi>{ organization_name(orgs, lang, &user.organization) }</bdi>{ " · " }
                { ctx.vocabulary.territory(lang, &user.territory) }
                { " · " }{ i18n::language_name(user.language) }
            </p>
        </li>
    }
}

#[function_component(UsersPage)]
pub fn users_page() -> Html {
    let ctx = use_context::<AppContext>();
    let draft = use_state(UserFilter::default);
    let applied = use_state(UserFilter::default);
    let reload = use_state(|| 0u64);
    let creating = use_state(|| false);
    let paged = use_paged::<UserResponse>(users_path(&applied, PAGE), *reload);
    let orgs = use_organizations();
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let t = |k| i18n::t(lang, k);
    let onsubmit = {
        let (draft, applied) = (draft.clone(), applied.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            applied.set((*draft).clone());
        })
    };
    let onreset = {
        let (draft, applied) = (draft.clone(), applied.clone());
        Callback::from(move |_: MouseEvent| {
            draft.set(UserFilter::default());
            applied.set(UserFilter::default());
        })
    };
    let roles = ctx.vocabulary.items(lang, "roles");
    let filters = html! {
        <form id="users-filters" class="card admin-filters" role="search" aria-label={t(Key::AdminUsersFilters)} {onsubmit}>
            <div class="field">
                <label for="users-role">{ t(Key::AdminRole) }</label>
                <select id="users-role" onchange={on_select(&draft, |f, v| f.role = v)}>
                    { options(&roles, &draft.role, Some(t(Key::AdminAny))) }</select>
            </div>
            <div class="field">
                <label for="users-organization">{ t(Key::AdminOrganization) }</label>
                <select id="users-organization" onchange={on_select(&draft, |f, v| f.organization = v)}>
                    { organization_options(&orgs, lang, &draft.organization, Key::AdminAny, true) }</select>
            </div>
            <div class="field">
                <label for="users-q">{ t(Key::AdminSearch) }</label>
                <input id="users-q" type="search" dir="auto" value={draft.q.clone()}
                    aria-describedby="users-q-hint" oninput={on_input(&draft, |f, v| f.q = v)} />
                <p id="users-q-hint" class="hint">{ t(Key::AdminSearchHint) }</p>
            </div>
            <div class="admin-buttons">
                { submit("users-filter", t(Key::AdminFilter), paged.listing.is_none()) }
                <button type="button" id="users-reset" class="secondary" onclick={onreset}>{ t(Key::AdminReset) }</button>
            </div>
        </form>
    };
    let list = match &paged.listing {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(l)) => {
            let shown = &l.items;
            html! {
                <>
                    <p id="users-count" class="facts" role="status">
                        { i18n::tf(lang, Key::AdminUsersShown, &[("n", &number(lang, shown.len() as i64))]) }</p>
                    if shown.is_empty() {
                        <p id="users-empty" class="empty">{ t(Key::AdminUsersNone) }</p>
                    } else {
                        <ul id="users-list" class="admin-list">{ for shown.iter().map(|u| card(&ctx, &orgs, u)) }</ul>
                    }
                    if l.next_cursor.is_some() {
                        <button type="button" id="users-more" class="secondary" disabled={paged.loading_more}
                            onclick={paged.load_more.reform(|_: MouseEvent| ())}>{ t(Key::AdminMore) }</button>
                    }
                    if let Some(e) = &paged.more_error { <ProblemMessage error={e.clone()} /> }
                </>
            }
        }
    };
    let admin = is_admin(&ctx);
    let on_created = {
        let reload = reload.clone();
        Callback::from(move |()| reload.set(reload.wrapping_add(1)))
    };
    html! {
        <section id="users" class="admin" aria-labelledby="users-title">
            <h1 id="users-title">{ t(Key::AdminUsersTitle) }</h1>
            <p class="intro">{ t(if admin { Key::AdminUsersIntro } else { Key::AdminUsersIntroReadOnly }) }</p>
            if admin {
                if *creating {
                    <NewUser {on_created} on_close={let c = creating.clone(); Callback::from(move |()| c.set(false))} />
                } else {
                    <p><button type="button" id="user-new-open" class="primary"
                        onclick={let c = creating.clone(); Callback::from(move |_| c.set(true))}>
                        { t(Key::AdminNewUser) }</button></p>
                }
            }
            { filters }
            <div id="users-results" aria-live="polite">{ list }</div>
        </section>
    }
}

//! Administration (issue 9): users, organizations and API clients for admins; coordinators read
//! the users of their territory; partners and the hotline manage their organization's webhooks. A list per resource with its "new" form, and a page per user
//! and per organization that changes it with `If-Match` (a 412 shows the fresh copy). The
//! forms' rules, tested on the host, are in each resource's `draft` module and in [`logic`].
use madar_openapi::users::Role;
use madar_openapi::Language;
use yew::prelude::*;

use crate::i18n::{self, Key};
use crate::pages::case::form;
use crate::pages::referrals::lists::{name_of, Organizations};
use crate::state::AppContext;

mod clients;
mod editor;
pub(super) mod fields;
pub(super) mod logic;
mod organizations;
mod users;
mod webhooks;

pub use clients::ClientsPage;
pub use organizations::{OrganizationPage, OrganizationsPage};
pub use users::{UserPage, UsersPage};
pub use webhooks::WebhooksPage;

/// Items per page of the lists.
const PAGE: u32 = 50;

/// Whether the signed-in person is an admin (the others only read, where they may).
fn is_admin(ctx: &AppContext) -> bool {
    ctx.user.as_ref().is_some_and(|u| u.role == Role::Admin)
}

/// "Active" or "Deactivated", as a badge.
fn status_badge(lang: Language, active: bool) -> Html {
    let (key, class) = if active {
        (Key::AdminActive, "admin-active")
    } else {
        (Key::AdminInactive, "admin-inactive")
    };
    html! { <span class={classes!("badge", "admin-status", class)}>{ i18n::t(lang, key) }</span> }
}

/// `<option>`s of the organizations by name (the inactive ones only with `all`, or when
/// chosen), after an empty choice labelled `empty`.
fn organization_options(
    orgs: &Option<Organizations>,
    lang: Language,
    selected: &str,
    empty: Key,
    all: bool,
) -> Html {
    let items: Vec<(String, String)> = orgs
        .iter()
        .flat_map(|list| list.iter())
        .filter(|o| all || o.active || o.code == selected)
        .map(|o| (o.code.clone(), name_of(o, lang)))
        .collect();
    form::options(&items, selected, Some(i18n::t(lang, empty)))
}

/// The texts of an access section (a user's or an organization's).
struct AccessTexts {
    active: Key,
    inactive: Key,
    deactivate: Key,
    reactivate: Key,
    confirm: Key,
}

/// Whether the record is active, and the button that deactivates it (after the browser's
/// confirmation) or reactivates it: `on_toggle` gets the new state.
fn access_section(
    lang: Language,
    (name, active): (&str, bool),
    texts: &AccessTexts,
    outcome: &form::Outcome,
    on_toggle: Callback<bool>,
) -> Html {
    let question = i18n::tf(lang, texts.confirm, &[("name", name)]);
    let onclick = Callback::from(move |_: MouseEvent| {
        if !active || fields::confirm(&question) {
            on_toggle.emit(!active);
        }
    });
    let (statement, button, id, class) = if active {
        (texts.active, texts.deactivate, "deactivate", "danger")
    } else {
        (texts.inactive, texts.reactivate, "reactivate", "secondary")
    };
    html! {
        <section class="card admin-access" aria-labelledby="access-title">
            <h2 id="access-title">{ i18n::t(lang, Key::AdminAccess) }</h2>
            <p id="access-state">{ status_badge(lang, active) }{ " " }{ i18n::t(lang, statement) }</p>
            <button type="button" {id} class={classes!(class)} disabled={outcome.busy()} {onclick}>
                { i18n::t(lang, button) }</button>
            { outcome.view("access-outcome") }
        </section>
    }
}

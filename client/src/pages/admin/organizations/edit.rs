//! One organization (`/admin/organizations/:code`): its name, names in the three languages,
//! sector and territories, changed with `If-Match`; and deactivating or reactivating it.
use std::rc::Rc;

use madar_openapi::organizations::{OrganizationResponse, UpdateOrganization};
use yew::prelude::*;
use yew_router::prelude::Link;

use super::super::editor::{use_editor, Editable};
use super::super::logic::FieldErrors;
use super::super::{access_section, is_admin, status_badge, AccessTexts};
use super::draft::OrganizationDraft;
use super::form::{organization_fields, PATHS};
use crate::components::widgets::{Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::approvals::paged::encode;
use crate::pages::case::form::submit;
use crate::pages::referrals::lists::{forget_organizations, name_of, use_reference_list};
use crate::route::Route;
use crate::state::AppContext;

impl Editable for OrganizationResponse {
    type Draft = OrganizationDraft;
    type Update = UpdateOrganization;
    const PATHS: &'static [&'static str] = &PATHS;

    fn draft(&self) -> OrganizationDraft {
        OrganizationDraft::of(self)
    }

    fn changes(
        draft: &OrganizationDraft,
        before: &Self,
    ) -> Result<Option<UpdateOrganization>, FieldErrors> {
        draft.changes(before)
    }

    fn activation(active: bool) -> UpdateOrganization {
        UpdateOrganization {
            active: Some(active),
            ..UpdateOrganization::default()
        }
    }

    fn toggled(active: bool) -> Key {
        if active {
            Key::AdminOrganizationReactivated
        } else {
            Key::AdminOrganizationDeactivated
        }
    }
}

const ACCESS: AccessTexts = AccessTexts {
    active: Key::AdminOrganizationActive,
    inactive: Key::AdminOrganizationInactive,
    deactivate: Key::AdminDeactivateOrganization,
    reactivate: Key::AdminReactivateOrganization,
    confirm: Key::AdminDeactivateOrganizationConfirm,
};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub code: String,
}

#[function_component(OrganizationPage)]
pub fn organization_page(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    // The organizations kept for the session are read again after a change.
    let on_saved = Callback::from(|_: Rc<UpdateOrganization>| forget_organizations());
    let path = format!("/organizations/{}", encode(&props.code));
    let editor = use_editor::<OrganizationResponse>(path, lang, on_saved);
    let sectors = use_reference_list("public_service_sectors");
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let org = match &editor.loaded {
        None => return html! { <Loading busy=true /> },
        Some(Err(e)) => return html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(t)) => t.record.clone(),
    };
    let name = name_of(&org, lang);
    html! {
        <section id="org-page" class="admin" aria-labelledby="org-title">
            <p><Link<Route> to={Route::AdminOrganizations}>{ i18n::t(lang, Key::AdminBackToOrganizations) }</Link<Route>></p>
            <h1 id="org-title"><bdi>{ name.clone() }</bdi></h1>
            <p class="facts admin-meta">
                <bdi class="code" dir="ltr">{ org.code.clone() }</bdi>{ " · " }
                <span class="badge">{ ctx.vocabulary.label_of(lang, "organization_types", &org.type_) }</span>{ " " }
                { status_badge(lang, org.active) }
            </p>
            if is_admin(&ctx) {
                <section class="card">
                    <form id="org-form" class="admin-form" novalidate=true aria-labelledby="org-title"
                        onsubmit={editor.save.clone()}>
                        <p class="hint">{ i18n::t(lang, Key::AdminTypeFixed) }</p>
                        { organization_fields(&ctx, &sectors, &editor.draft, &editor.errors, false) }
                        { submit("org-save", i18n::t(lang, Key::AdminSave), editor.outcome.busy()) }
                        { editor.outcome.view("org-outcome") }
                    </form>
                </section>
                { access_section(lang, (&name, org.active), &ACCESS, &editor.access, editor.toggle.clone()) }
            }
        </section>
    }
}

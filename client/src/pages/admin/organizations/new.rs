//! A new organization: the form, then a link to it.
use madar_openapi::organizations::OrganizationResponse;
use yew::prelude::*;
use yew_router::prelude::Link;

use super::super::fields::{self};
use super::super::logic::FieldErrors;
use super::draft::OrganizationDraft;
use super::form::{organization_fields, PATHS};
use crate::i18n::{self, Key};
use crate::pages::case::form::{submit, Outcome};
use crate::pages::referrals::lists::{forget_organizations, name_of, use_reference_list};
use crate::route::Route;
use crate::state::AppContext;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Told after an organization is created (the list reloads).
    pub on_created: Callback<()>,
    pub on_close: Callback<()>,
}

#[function_component(NewOrganization)]
pub fn new_organization(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let draft = use_state(OrganizationDraft::default);
    let errors = use_state(FieldErrors::new);
    let outcome = use_state(Outcome::default);
    let created = use_state(|| None::<OrganizationResponse>);
    let sectors = use_reference_list("public_service_sectors");
    use_effect_with((), |_| fields::focus("org-code"));
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let onsubmit = {
        let (reset, created, on_created) =
            (draft.clone(), created.clone(), props.on_created.clone());
        let done = Callback::from(move |(org, _): (OrganizationResponse, _)| {
            forget_organizations();
            reset.set(OrganizationDraft::default());
            created.set(Some(org));
            on_created.emit(());
        });
        let states = (&draft, &errors, &outcome);
        fields::create_on_submit(
            lang,
            states,
            OrganizationDraft::to_create,
            "/organizations",
            &PATHS,
            done,
        )
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    if let Some(org) = &*created {
        let another = {
            let created = created.clone();
            Callback::from(move |_: MouseEvent| created.set(None))
        };
        return html! {
            <section id="org-created" class="card admin-created" role="status">
                <p>{ i18n::tf(lang, Key::AdminOrganizationCreated, &[("name", &name_of(org, lang))]) }</p>
                <div class="admin-buttons">
                    <Link<Route> to={Route::AdminOrganization { code: org.code.clone() }}
                        classes={classes!("secondary", "admin-link-button")}>
                        { i18n::t(lang, Key::AdminOpenOrganization) }</Link<Route>>
                    <button type="button" id="org-another" class="secondary" onclick={another}>
                        { i18n::t(lang, Key::AdminNewOrganization) }</button>
                    <button type="button" class="secondary" onclick={close}>{ i18n::t(lang, Key::AdminClose) }</button>
                </div>
            </section>
        };
    }
    html! {
        <section id="org-new" class="card" aria-labelledby="org-new-title">
            <h2 id="org-new-title">{ i18n::t(lang, Key::AdminNewOrganization) }</h2>
            <form id="org-form" class="admin-form" novalidate=true {onsubmit}>
                { organization_fields(&ctx, &sectors, &draft, &errors, true) }
                <div class="admin-buttons">
                    { submit("org-submit", i18n::t(lang, Key::AdminCreateOrganization), outcome.busy()) }
                    <button type="button" class="secondary" onclick={close}>{ i18n::t(lang, Key::AdminCancel) }</button>
                </div>
                { outcome.view("org-outcome") }
            </form>
        </section>
    }
}

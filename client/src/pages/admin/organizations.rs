//! The organizations (`/admin/organizations`), by code, with their type, sector, the
//! territories they serve and whether they are active (admins see the deactivated ones too);
//! a new organization from here, and a page for each.
use madar_openapi::organizations::OrganizationResponse;
use yew::prelude::*;
use yew_router::prelude::Link;

use super::{is_admin, status_badge, PAGE};
use crate::components::widgets::{Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::approvals::paged::use_paged;
use crate::pages::referrals::lists::{self, name_of, use_reference_list, Items};
use crate::route::Route;
use crate::state::{AppContext, Vocabulary};

mod draft;
mod edit;
mod form;
mod new;

pub use edit::OrganizationPage;
use new::NewOrganization;

fn card(ctx: &AppContext, sectors: &Option<Items>, org: &OrganizationResponse) -> Html {
    let lang = ctx.lang;
    let v = &ctx.vocabulary;
    let name = html! { <bdi>{ name_of(org, lang) }</bdi> };
    let served: Vec<String> = org
        .territories
        .iter()
        .map(|c| v.territory(lang, c))
        .collect();
    html! {
        <li class="card admin-item" data-code={org.code.clone()}>
            <h2 class="admin-item-title">
                if is_admin(ctx) {
                    <Link<Route> to={Route::AdminOrganization { code: org.code.clone() }}>{ name }</Link<Route>>
                } else { { name } }
            </h2>
            <p class="admin-meta">
                <bdi class="code" dir="ltr">{ org.code.clone() }</bdi>{ " " }
                <span class="badge">{ v.label_of(lang, "organization_types", &org.type_) }</span>{ " " }
                { status_badge(lang, org.active) }
            </p>
            <p class="admin-meta">
                if let Some(sector) = &org.sector {
                    { lists::label(sectors, lang, &Vocabulary::code_of(sector)) }{ " · " }
                }
                { served.join(if lang.is_rtl() { "، " } else { ", " }) }
            </p>
        </li>
    }
}

#[function_component(OrganizationsPage)]
pub fn organizations_page() -> Html {
    let ctx = use_context::<AppContext>();
    let reload = use_state(|| 0u64);
    let creating = use_state(|| false);
    let paged = use_paged::<OrganizationResponse>(format!("/organizations?limit={PAGE}"), *reload);
    let sectors = use_reference_list("public_service_sectors");
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let t = |k| i18n::t(lang, k);
    let list = match &paged.listing {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(l)) if l.items.is_empty() => {
            html! { <p id="orgs-empty" class="empty">{ t(Key::AdminOrganizationsNone) }</p> }
        }
        Some(Ok(l)) => html! {
            <>
                <ul id="orgs-list" class="admin-list">{ for l.items.iter().map(|o| card(&ctx, &sectors, o)) }</ul>
                if l.next_cursor.is_some() {
                    <button type="button" id="orgs-more" class="secondary" disabled={paged.loading_more}
                        onclick={paged.load_more.reform(|_: MouseEvent| ())}>{ t(Key::AdminMore) }</button>
                }
                if let Some(e) = &paged.more_error { <ProblemMessage error={e.clone()} /> }
            </>
        },
    };
    let on_created = {
        let reload = reload.clone();
        Callback::from(move |()| reload.set(reload.wrapping_add(1)))
    };
    html! {
        <section id="orgs" class="admin" aria-labelledby="orgs-title">
            <h1 id="orgs-title">{ t(Key::AdminOrganizationsTitle) }</h1>
            <p class="intro">{ t(Key::AdminOrganizationsIntro) }</p>
            if is_admin(&ctx) {
                if *creating {
                    <NewOrganization {on_created} on_close={let c = creating.clone(); Callback::from(move |()| c.set(false))} />
                } else {
                    <p><button type="button" id="org-new-open" class="primary"
                        onclick={let c = creating.clone(); Callback::from(move |_| c.set(true))}>
                        { t(Key::AdminNewOrganization) }</button></p>
                }
            }
            <div id="orgs-results" aria-live="polite">{ list }</div>
        </section>
    }
}

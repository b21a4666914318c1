//! The root component: provides the state, resumes the session after a reload, loads the
//! vocabulary, keeps the live-updates stream open and picks the page for the address.
use madar_openapi::reference::{ReferenceList, TerritoryNode};
use madar_openapi::Language;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{Header, LiveUpdates};
use crate::i18n::{self, Key};
use crate::pages::{
    ApprovalsPage, AuditPage, CasePage, ChildPage, ClientsPage, HomePage, LoginPage, NewReportPage,
    NotFoundPage, OrganizationPage, OrganizationsPage, PlansPage, ProgrammePage, ProtocolPage,
    ProtocolsPage, ReferralPage, ReferralsPage, ReportPage, ReportsInboxPage, ServicesPage,
    StatisticsPage, UserPage, UsersPage, WebhooksPage,
};
use crate::route::Route;
use crate::state::{Action, AppContext, AppState, Vocabulary};

/// The reference lists the pages label codes with.
const LISTS: [&str; 16] = [
    "age_bands",
    "case_stages",
    "closure_reasons",
    "concern_families",
    "concern_types",
    "organization_types",
    "pathway_domains",
    "referral_statuses",
    "report_closure_reasons",
    "report_sources",
    "report_statuses",
    "reporter_types",
    "risk_levels",
    "roles",
    "service_types",
    "sexes",
];

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    // Only Arabic is in the module: another language's texts are fetched when it is chosen,
    // and the page shows it once they are there.
    let ready = i18n::ready(state.lang);
    {
        let state = state.clone();
        use_effect_with((state.lang, ready), move |(lang, ready)| {
            let lang = *lang;
            if *ready {
                apply_language(lang);
            } else {
                spawn_local(async move {
                    fetch_locale(lang).await;
                    state.dispatch(Action::LocaleLoaded);
                });
            }
        });
    }
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            if let Some(lang) = stored_language() {
                state.dispatch(Action::SetLanguage(lang));
            }
            let expired = state.clone();
            api::on_expired(Callback::from(move |_| expired.dispatch(Action::Expired)));
            spawn_local(async move {
                match api::resume().await {
                    Some(user) => state.dispatch(Action::SignedIn(user)),
                    None => state.dispatch(Action::NoSession),
                }
            });
        });
    }
    {
        let state = state.clone();
        let signed_in = state.user.is_some();
        let user_id = state.user.as_ref().map(|u| u.id.to_string());
        use_effect_with(signed_in, move |signed_in| {
            if *signed_in {
                // Reports captured offline on this device are sent as soon as possible.
                if let Some(user_id) = user_id {
                    crate::offline::watch(&user_id);
                }
                spawn_local(async move {
                    state.dispatch(Action::Vocabulary(load_vocabulary().await));
                });
            }
        });
    }

    if !ready {
        return html! { <main id="main" class="page"><p class="loading" role="status" aria-busy="true" /></main> };
    }
    let body = if state.resuming {
        html! { <p class="loading" role="status">{ i18n::t(state.lang, Key::Loading) }</p> }
    } else if state.user.is_some() {
        html! {
            <>
                <LiveUpdates />
                <Switch<Route> render={switch} />
            </>
        }
    } else {
        html! { <LoginPage /> }
    };
    html! {
        <ContextProvider<AppContext> context={state.clone()}>
            <BrowserRouter>
                <a class="skip-link" href="#main">{ i18n::t(state.lang, Key::SkipToContent) }</a>
                <Header />
                <main id="main" class="page" tabindex="-1">{ body }</main>
            </BrowserRouter>
        </ContextProvider<AppContext>>
    }
}

/// The page for an address (signed in).
fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <HomePage /> },
        Route::ReportsInbox => html! { <ReportsInboxPage /> },
        Route::NewReport => html! { <NewReportPage /> },
        Route::Report { id } => html! { <ReportPage {id} /> },
        Route::Child { id } => html! { <ChildPage {id} /> },
        Route::Case { id } => html! { <CasePage {id} /> },
        Route::Referrals => html! { <ReferralsPage /> },
        Route::Referral { id } => html! { <ReferralPage {id} /> },
        Route::Services => html! { <ServicesPage /> },
        Route::Statistics => html! { <StatisticsPage /> },
        Route::Approvals => html! { <ApprovalsPage /> },
        Route::Audit => html! { <AuditPage /> },
        Route::Plans => html! { <PlansPage /> },
        Route::Programme => html! { <ProgrammePage /> },
        Route::Protocols => html! { <ProtocolsPage /> },
        Route::Protocol { id } => html! { <ProtocolPage {id} /> },
        Route::AdminUsers => html! { <UsersPage /> },
        Route::AdminUser { id } => html! { <UserPage {id} /> },
        Route::AdminOrganizations => html! { <OrganizationsPage /> },
        Route::AdminOrganization { code } => html! { <OrganizationPage {code} /> },
        Route::AdminClients => html! { <ClientsPage /> },
        Route::Webhooks => html! { <WebhooksPage /> },
        Route::NotFound => html! { <NotFoundPage /> },
    }
}

async fn load_vocabulary() -> Vocabulary {
    let mut vocabulary = Vocabulary::default();
    if let Ok(tree) = api::get::<Vec<TerritoryNode>>("/territories").await {
        vocabulary.set_territories(tree);
    }
    for list in LISTS {
        if let Ok(answer) = api::get::<ReferenceList>(&format!("/reference/{list}")).await {
            vocabulary.add_list(list, answer.items);
        }
    }
    vocabulary
}

/// Fetches and installs the texts of `lang` (`locale-fr.json`, `locale-en.json`, served beside
/// the module under its hashed folder, cached for good); when that fails, Arabic stands in.
async fn fetch_locale(lang: Language) {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("meta[name='madar-assets']").ok().flatten())
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_else(|| "/assets/".to_owned());
    let url = format!("{base}locale-{}.json", lang.code());
    let text = match gloo_net::http::Request::get(&url).send().await {
        Ok(response) if response.ok() => response.text().await.ok(),
        _ => None,
    };
    match text {
        Some(text) => {
            i18n::install(lang, &text);
        }
        None => i18n::unavailable(lang),
    }
}

/// The language chosen on this device before signing in (not sensitive: kept in localStorage).
fn stored_language() -> Option<Language> {
    let storage = web_sys::window()?.local_storage().ok()??;
    Language::parse(&storage.get_item("madar.lang").ok()??)
}

/// Remembers the language chosen before signing in.
pub fn store_language(lang: Language) {
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) {
        let _ = storage.set_item("madar.lang", lang.code());
    }
}

/// Sets `<html lang dir>`, so the whole layout mirrors for Arabic.
fn apply_language(lang: Language) {
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element());
    if let Some(root) = root {
        let _ = root.set_attribute("lang", lang.code());
        let _ = root.set_attribute("dir", i18n::dir(lang));
    }
}

//! The top bar: the app's name, the navigation for the person's role, the language switcher
//! (saved as the person's preference) and signing out.
use madar_openapi::users::Role;
use madar_openapi::Language;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::i18n::{self, Key};
use crate::route::Route;
use crate::state::{Action, AppContext};

/// The navigation: each entry with the roles that see it.
fn entries() -> Vec<(Route, Key, &'static [Role])> {
    use Role::*;
    vec![
        (Route::Home, Key::NavHome, &Role::ALL),
        (
            Route::ReportsInbox,
            Key::NavReports,
            &[Coordinator, CaseWorker],
        ),
        (
            Route::NewReport,
            Key::NavNewReport,
            &[Coordinator, CaseWorker, Partner, Hotline],
        ),
        (
            Route::Referrals,
            Key::NavReferrals,
            &[Coordinator, CaseWorker, Partner],
        ),
        (
            Route::Services,
            Key::NavServices,
            &[Admin, Coordinator, CaseWorker, Partner],
        ),
        (Route::Approvals, Key::NavApprovals, &[Coordinator]),
        (
            Route::Statistics,
            Key::NavStatistics,
            &[Admin, Coordinator, Analyst],
        ),
        (Route::Plans, Key::NavPlans, &[Admin, Coordinator, Analyst]),
        (
            Route::Programme,
            Key::NavProgramme,
            &[Admin, Coordinator, Analyst],
        ),
        (
            Route::Protocols,
            Key::ProtocolsNav,
            &[Admin, Coordinator, CaseWorker],
        ),
        (Route::Audit, Key::NavAudit, &[Auditor]),
        // Coordinators read the users of their territory; the rest is the admin's.
        (Route::AdminUsers, Key::NavUsers, &[Admin, Coordinator]),
        (Route::AdminOrganizations, Key::NavOrganizations, &[Admin]),
        (Route::AdminClients, Key::NavClients, &[Admin]),
        (Route::Webhooks, Key::WebhooksNav, &[Partner, Hotline]),
    ]
}

#[function_component(Header)]
pub fn header() -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return Html::default();
    };
    let current = ctx.lang;
    let buttons: Html = Language::ALL
        .into_iter()
        .map(|lang| {
            let ctx = ctx.clone();
            let onclick = Callback::from(move |_: MouseEvent| {
                ctx.dispatch(Action::SetLanguage(lang));
                crate::app::store_language(lang);
                if ctx.user.is_some() {
                    spawn_local(async move {
                        let _ = api::save_language(lang).await;
                    });
                }
            });
            html! {
                <button type="button" id={format!("lang-{}", lang.code())} class="lang"
                    lang={lang.code()} aria-pressed={(lang == current).to_string()} {onclick}>
                    { i18n::language_name(lang) }
                </button>
            }
        })
        .collect();
    let nav = ctx.user.as_ref().map(|user| {
        let links: Html = entries()
            .into_iter()
            .filter(|(_, _, roles)| roles.contains(&user.role))
            .map(|(route, key, _)| {
                html! {
                    <li><Link<Route> to={route}>{ i18n::t(current, key) }</Link<Route>></li>
                }
            })
            .collect();
        let signout = {
            let (ctx, user_id) = (ctx.clone(), user.id.to_string());
            Callback::from(move |_: MouseEvent| {
                let (ctx, user_id) = (ctx.clone(), user_id.clone());
                spawn_local(async move {
                    // Reports captured offline and not yet sent: warn before leaving.
                    let waiting = crate::offline::pending_count(&user_id).await;
                    if waiting > 0 {
                        let n = waiting.to_string();
                        let question = i18n::tf(ctx.lang, Key::SignOutWithQueued, &[("n", &n)]);
                        if !crate::components::widgets::confirm(&question) {
                            return;
                        }
                    }
                    crate::offline::unwatch();
                    // Signed out locally whatever the server says: the token is dropped either way.
                    api::logout().await;
                    ctx.dispatch(Action::SignedOut);
                });
            })
        };
        html! {
            <>
                <nav class="main-nav" aria-label={i18n::t(current, Key::NavLabel)}>
                    <ul>{ links }</ul>
                </nav>
                <div class="who">
                    <bdi class="user-name">{ user.display_name.clone() }</bdi>
                    <button id="logout" type="button" class="link" onclick={signout}>
                        { i18n::t(current, Key::SignOut) }
                    </button>
                </div>
            </>
        }
    });
    html! {
        <header class="app-header">
            <span class="brand">{ i18n::APP_NAME }</span>
            { for nav }
            <div class="lang-switch" role="group" aria-label={i18n::t(current, Key::LanguageSwitcher)}>
                { buttons }
            </div>
        </header>
    }
}

//! The page after signing in: the person's work list (urgent first), their alerts, and the
//! counts of new reports and incoming referrals. Reloads when a live event arrives.
use madar_openapi::cases::CaseResponse;
use madar_openapi::protocols::AlertResponse;
use madar_openapi::users::Role;
use madar_openapi::Page;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::widgets::{child_names, datetime, number, Loading, ProblemMessage};
use crate::i18n::{self, CodeTable, Key};
use crate::state::{AppContext, Vocabulary};

/// What the home page shows; each part is loaded only for the roles that have it.
#[derive(Default)]
struct Home {
    cases: Option<Page<CaseResponse>>,
    alerts: Option<Page<AlertResponse>>,
    // Counted only: the items' shape (a report whole or its status only) does not matter.
    new_reports: Option<Page<serde_json::Value>>,
    incoming: Option<Page<serde_json::Value>>,
}

async fn load(role: Role) -> Result<Home, ApiError> {
    let mut home = Home::default();
    match role {
        Role::CaseWorker => {
            home.cases = Some(api::get("/cases?assigned_to=me&limit=25").await?);
        }
        Role::Coordinator => home.cases = Some(api::get("/cases?limit=25").await?),
        _ => {}
    }
    if matches!(role, Role::CaseWorker | Role::Coordinator) {
        home.alerts = Some(api::get("/alerts?limit=20").await?);
        home.new_reports = Some(api::get("/reports?status=received&limit=100").await?);
    }
    if matches!(role, Role::CaseWorker | Role::Coordinator | Role::Partner) {
        home.incoming =
            Some(api::get("/referrals?direction=incoming&status=sent&limit=100").await?);
    }
    Ok(home)
}

#[function_component(HomePage)]
pub fn home_page() -> Html {
    let ctx = use_context::<AppContext>();
    let home = use_state(|| None::<Result<Home, ApiError>>);
    let role = ctx.as_ref().and_then(|c| c.user.as_ref().map(|u| u.role));
    let live = ctx.as_ref().map(|c| c.live_version).unwrap_or_default();
    {
        let home = home.clone();
        use_effect_with((role, live), move |(role, _)| {
            if let Some(role) = *role {
                spawn_local(async move { home.set(Some(load(role).await)) });
            }
        });
    }
    let (Some(ctx), Some(user)) = (ctx.clone(), ctx.and_then(|c| c.user.clone())) else {
        return Html::default();
    };
    let lang = ctx.lang;
    let (before, after) = i18n::split(lang, Key::Welcome, "name");
    let body = match &*home {
        None => html! { <Loading busy=true /> },
        Some(Err(error)) => html! { <ProblemMessage error={error.clone()} /> },
        Some(Ok(home)) => render(&ctx, home),
    };
    html! {
        <section id="home" class="home" aria-labelledby="welcome">
            <h1 id="welcome">{ before }<bdi>{ user.display_name.clone() }</bdi>{ after }</h1>
            <p class="facts">
                { ctx.vocabulary.label_of(lang, "roles", &user.role) }{ " · " }
                <bdi class="code">{ user.organization.clone() }</bdi>
            </p>
            { body }
        </section>
    }
}

/// "25" or "100+" when there is another page.
fn count<T>(lang: madar_openapi::Language, page: &Page<T>) -> String {
    let n = number(lang, page.items.len() as i64);
    if page.next_cursor.is_some() {
        format!("{n}+")
    } else {
        n
    }
}

fn render(ctx: &AppContext, home: &Home) -> Html {
    let lang = ctx.lang;
    let vocabulary: &Vocabulary = &ctx.vocabulary;
    let counts = html! {
        <ul class="counts" aria-live="polite">
            if let Some(page) = &home.new_reports {
                <li id="count-new-reports"><span class="count">{ count(lang, page) }</span>
                    { i18n::t(lang, Key::HomeNewReports) }</li>
            }
            if let Some(page) = &home.incoming {
                <li id="count-incoming-referrals"><span class="count">{ count(lang, page) }</span>
                    { i18n::t(lang, Key::HomeIncomingReferrals) }</li>
            }
        </ul>
    };
    let alerts = home.alerts.as_ref().map(|page| {
        html! {
            <section class="card" aria-labelledby="alerts-title">
                <h2 id="alerts-title">{ i18n::t(lang, Key::HomeAlerts) }</h2>
                if page.items.is_empty() {
                    <p class="empty">{ i18n::t(lang, Key::HomeNoAlerts) }</p>
                } else {
                    <ul id="alerts" class="alerts">
                        { for page.items.iter().map(|alert| {
                            let kind = Vocabulary::code_of(&alert.kind);
                            html! {
                                <li class={classes!("alert", kind.clone())}>
                                    <span>{ i18n::code(lang, CodeTable::AlertKinds, &kind)
                                        .unwrap_or(&kind) }</span>
                                    <time datetime={alert.due_at.to_rfc3339()}>
                                        { datetime(lang, &alert.due_at) }</time>
                                </li>
                            }
                        }) }
                    </ul>
                }
            </section>
        }
    });
    let cases = home.cases.as_ref().map(|page| {
        html! {
            <section class="card" aria-labelledby="worklist-title">
                <h2 id="worklist-title">{ i18n::t(lang, Key::HomeWorkList) }</h2>
                if page.items.is_empty() {
                    <p class="empty">{ i18n::t(lang, Key::HomeNoCases) }</p>
                } else {
                    <div class="table-wrap">
                    <table id="worklist">
                        <thead><tr>
                            <th scope="col">{ i18n::t(lang, Key::CaseReference) }</th>
                            <th scope="col">{ i18n::t(lang, Key::Child) }</th>
                            <th scope="col">{ i18n::t(lang, Key::Urgency) }</th>
                            <th scope="col">{ i18n::t(lang, Key::Stage) }</th>
                            <th scope="col">{ i18n::t(lang, Key::Opened) }</th>
                        </tr></thead>
                        <tbody>
                        { for page.items.iter().map(|case| html! {
                            <tr class={classes!("urgency", Vocabulary::code_of(&case.urgency))}>
                                <td><bdi class="code">{ case.reference.clone() }</bdi></td>
                                <td>{ child_names(&case.child.given_name_ar,
                                    &case.child.family_name_ar, &case.child.given_name_latin,
                                    &case.child.family_name_latin) }</td>
                                <td>{ vocabulary.label_of(lang, "risk_levels", &case.urgency) }</td>
                                <td>{ vocabulary.label_of(lang, "case_stages", &case.stage) }</td>
                                <td>{ datetime(lang, &case.opened_at) }</td>
                            </tr>
                        }) }
                        </tbody>
                    </table>
                    </div>
                }
            </section>
        }
    });
    html! { <>{ counts }{ for alerts }{ for cases }</> }
}

//! The reports inbox: the reports routed to the person's organization, immediate danger first
//! (as the API sorts them), filtered by status (new ones by default), a page at a time; reloads
//! when a live event arrives.
use std::collections::BTreeSet;

use madar_openapi::reports::{ReportResponse, ReportView};
use madar_openapi::Page;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::report::{danger_badge, form::encode, labels, separator};
use crate::api::{self, ApiError};
use crate::components::widgets::{child_names, datetime, number, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::route::Route;
use crate::state::AppContext;

/// Reports per page.
const LIMIT: usize = 25;

/// The statuses of the filter, in pathway order ("" for all).
const STATUSES: [&str; 4] = ["received", "under_review", "case_opened", "closed"];

/// The list's address for a status ("" for all) and a cursor.
fn path(status: &str, cursor: Option<&str>) -> String {
    let mut path = format!("/reports?limit={LIMIT}");
    if !status.is_empty() {
        path.push_str(&format!("&status={}", encode(status)));
    }
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", encode(cursor)));
    }
    path
}

/// The loaded rows and where the next page starts.
#[derive(Default, Clone)]
struct Rows {
    items: Vec<ReportView>,
    next: Option<String>,
}

#[function_component(ReportsInboxPage)]
pub fn reports_inbox_page() -> Html {
    let ctx = use_context::<AppContext>();
    let status = use_state(|| "received".to_owned());
    let rows = use_state(|| None::<Rows>);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);
    let live = ctx.as_ref().map(|c| c.live_version).unwrap_or_default();
    {
        let (rows, error, busy) = (rows.clone(), error.clone(), busy.clone());
        use_effect_with(((*status).clone(), live), move |(status, _)| {
            let path = path(status, None);
            busy.set(true);
            spawn_local(async move {
                match api::get::<Page<ReportView>>(&path).await {
                    Ok(page) => {
                        error.set(None);
                        rows.set(Some(Rows {
                            items: page.items,
                            next: page.next_cursor,
                        }));
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let on_status = {
        let (status, rows) = (status.clone(), rows.clone());
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                rows.set(None);
                status.set(select.value());
            }
        })
    };
    let on_more = {
        let (rows, error, busy, status) =
            (rows.clone(), error.clone(), busy.clone(), status.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(current) = (*rows).clone() else {
                return;
            };
            let Some(cursor) = current.next.clone() else {
                return;
            };
            let path = path(&status, Some(&cursor));
            let (rows, error, busy) = (rows.clone(), error.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                match api::get::<Page<ReportView>>(&path).await {
                    Ok(page) => {
                        let mut items = current.items;
                        items.extend(page.items);
                        rows.set(Some(Rows {
                            items,
                            next: page.next_cursor,
                        }));
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        })
    };
    let list = match &*rows {
        None => html! { <Loading busy=true /> },
        Some(rows) if rows.items.is_empty() => html! {
            <p id="reports-empty" class="empty">{ i18n::t(lang, Key::ReportsEmpty) }</p>
        },
        Some(rows) => html! {
            <div class="table-wrap">
                <table id="reports-table" class="reports-table">
                    <thead><tr>
                        <th scope="col">{ i18n::t(lang, Key::ReportsReference) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ReportsReceived) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ReportsSource) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ReportsDanger) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ReportsConcerns) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ReportsTerritory) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ReportsChildren) }</th>
                        <th scope="col">{ i18n::t(lang, Key::ReportsStatus) }</th>
                    </tr></thead>
                    <tbody>{ for rows.items.iter().map(|r| row(&ctx, r)) }</tbody>
                </table>
            </div>
        },
    };
    let more = rows.as_ref().is_some_and(|r| r.next.is_some());
    html! {
        <section id="reports-inbox" class="reports-page" aria-labelledby="reports-title">
            <h1 id="reports-title">{ i18n::t(lang, Key::ReportsTitle) }</h1>
            <p class="facts">{ i18n::t(lang, Key::ReportsIntro) }</p>
            <div class="field reports-filter">
                <label for="report-status-filter">{ i18n::t(lang, Key::ReportsStatusFilter) }</label>
                <select id="report-status-filter" onchange={on_status}>
                    <option value="" selected={status.is_empty()}>
                        { i18n::t(lang, Key::ReportsAllStatuses) }</option>
                    { for STATUSES.iter().map(|code| html! {
                        <option value={*code} selected={*status == *code}>
                            { ctx.vocabulary.label(lang, "report_statuses", code) }</option>
                    }) }
                </select>
            </div>
            if let Some(e) = &*error { <ProblemMessage error={e.clone()} /> }
            { list }
            if more {
                <button type="button" id="reports-more" class="secondary" onclick={on_more}
                    disabled={*busy}>
                    { i18n::t(lang, if *busy { Key::Loading } else { Key::ReportsMore }) }
                </button>
            }
        </section>
    }
}

/// The reference, linking to the report.
fn reference_link(id: String, reference: &str) -> Html {
    html! {
        <Link<Route> to={Route::Report { id }}>
            <bdi class="code">{ reference.to_owned() }</bdi>
        </Link<Route>>
    }
}

fn row(ctx: &AppContext, report: &ReportView) -> Html {
    let lang = ctx.lang;
    match report {
        ReportView::Full(full) => full_row(ctx, full),
        ReportView::Status(status) => html! {
            <tr class="reports-row">
                <td>{ reference_link(status.id.to_string(), &status.reference) }</td>
                <td>{ datetime(lang, &status.received_at) }</td>
                <td colspan="5" class="facts">{ i18n::t(lang, Key::ReportsStatusOnly) }</td>
                <td>{ ctx.vocabulary.label_of(lang, "report_statuses", &status.status) }</td>
            </tr>
        },
    }
}

fn full_row(ctx: &AppContext, report: &ReportResponse) -> Html {
    let lang = ctx.lang;
    let vocabulary = &ctx.vocabulary;
    let territories: BTreeSet<&str> = report
        .children
        .iter()
        .map(|c| c.territory.as_str())
        .collect();
    let territories = territories
        .into_iter()
        .map(|code| vocabulary.territory(lang, code))
        .collect::<Vec<_>>()
        .join(separator(lang));
    let count = i18n::tf(
        lang,
        Key::ReportsChildrenCount,
        &[("n", &number(lang, report.children.len() as i64))],
    );
    html! {
        <tr class={classes!("reports-row", report.immediate_danger.then_some("reports-row-danger"))}>
            <td>{ reference_link(report.id.to_string(), &report.reference) }</td>
            <td>{ datetime(lang, &report.received_at) }</td>
            <td>{ vocabulary.label_of(lang, "report_sources", &report.source) }</td>
            <td>if report.immediate_danger { { danger_badge(lang, true) } }</td>
            <td>{ labels(lang, vocabulary, "concern_types", &report.concerns) }</td>
            <td>{ territories }</td>
            <td>
                <span class="reports-count">{ count }</span>
                <ul class="reports-names">
                    { for report.children.iter().map(|c| html! {
                        <li>{ child_names(&c.given_name_ar, &c.family_name_ar,
                            &c.given_name_latin, &c.family_name_latin) }</li>
                    }) }
                </ul>
            </td>
            <td>{ vocabulary.label_of(lang, "report_statuses", &report.status) }</td>
        </tr>
    }
}

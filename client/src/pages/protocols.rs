//! The framework protocol (issue 9), for admins, coordinators and case workers: the versions
//! (`/protocols`, newest first, by status) and one version's rules as a table
//! (`/protocols/:id`). Admins (the national protocol) and coordinators (their territory's
//! variant) start a new draft from the version shown, change a draft's rules with `If-Match`
//! and publish it; the problems a publication finds are shown beside the rule and field they
//! name. The form's rules, tested on the host, are in [`logic`].
use madar_openapi::protocols::{ProtocolResponse, ProtocolStatus};
use madar_openapi::Language;
use yew::prelude::*;
use yew_router::prelude::Link;

use crate::components::widgets::{date, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::approvals::paged::use_paged;
use crate::pages::case::form::{options, select_value};
use crate::route::Route;
use crate::state::{AppContext, Vocabulary};

mod calls;
mod controls;
mod edit;
mod logic;
mod page;
mod view;

pub use page::ProtocolPage;

/// Versions per page of the list.
const PAGE: u32 = 50;

/// A version's status, as a badge.
fn status_badge(lang: Language, status: ProtocolStatus) -> Html {
    let key = match status {
        ProtocolStatus::Draft => Key::ProtocolsStatusDraft,
        ProtocolStatus::Published => Key::ProtocolsStatusPublished,
        ProtocolStatus::Retired => Key::ProtocolsStatusRetired,
    };
    let class = format!("protocols-status-{}", Vocabulary::code_of(&status));
    html! { <span class={classes!("badge", "protocols-status", class)}>{ i18n::t(lang, key) }</span> }
}

/// The name of a protocol's territory ("national" for `MA`).
fn territory_name(ctx: &AppContext, p: &ProtocolResponse) -> String {
    if p.national {
        i18n::t(ctx.lang, Key::ProtocolsNational).to_owned()
    } else {
        ctx.vocabulary.territory(ctx.lang, &p.territory)
    }
}

fn row(ctx: &AppContext, p: &ProtocolResponse) -> Html {
    let lang = ctx.lang;
    let published = p
        .published_at
        .map(|d| date(lang, &d.date_naive()))
        .unwrap_or_else(|| "—".into());
    html! {
        <tr data-id={p.id.to_string()} data-status={Vocabulary::code_of(&p.status)}>
            <td>{ territory_name(ctx, p) }</td>
            <th scope="row">
                <Link<Route> to={Route::Protocol { id: p.id.to_string() }}><bdi>{ p.title.clone() }</bdi></Link<Route>>
            </th>
            <td>{ status_badge(lang, p.status) }</td>
            <td>{ p.version }</td>
            <td>{ published }</td>
        </tr>
    }
}

#[function_component(ProtocolsPage)]
pub fn protocols_page() -> Html {
    let ctx = use_context::<AppContext>();
    let status = use_state(String::new);
    let live = ctx.as_ref().map(|c| c.live_version).unwrap_or_default();
    let paged = use_paged::<ProtocolResponse>(logic::protocols_path(&status, PAGE), live);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let t = |k| i18n::t(lang, k);
    let statuses: Vec<(String, String)> = [
        ("draft", Key::ProtocolsStatusDraft),
        ("published", Key::ProtocolsStatusPublished),
        ("retired", Key::ProtocolsStatusRetired),
    ]
    .into_iter()
    .map(|(code, key)| (code.to_owned(), t(key).to_owned()))
    .collect();
    let onchange = {
        let status = status.clone();
        Callback::from(move |e: Event| status.set(select_value(&e)))
    };
    let list = match &paged.listing {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(l)) if l.items.is_empty() => {
            html! { <p id="protocols-empty" class="empty">{ t(Key::ProtocolsNone) }</p> }
        }
        Some(Ok(l)) => html! {
            <>
                <div class="table-wrap">
                    <table id="protocols-list" class="protocols-table">
                        <caption>{ t(Key::ProtocolsVersions) }</caption>
                        <thead><tr>
                            <th scope="col">{ t(Key::ProtocolsTerritory) }</th>
                            <th scope="col">{ t(Key::ProtocolsProtocolTitle) }</th>
                            <th scope="col">{ t(Key::ProtocolsStatus) }</th>
                            <th scope="col">{ t(Key::ProtocolsVersion) }</th>
                            <th scope="col">{ t(Key::ProtocolsPublishedOn) }</th>
                        </tr></thead>
                        <tbody>{ for l.items.iter().map(|p| row(&ctx, p)) }</tbody>
                    </table>
                </div>
                if l.next_cursor.is_some() {
                    <button type="button" id="protocols-more" class="secondary" disabled={paged.loading_more}
                        onclick={paged.load_more.reform(|_: MouseEvent| ())}>{ t(Key::ProtocolsMore) }</button>
                }
                if let Some(e) = &paged.more_error { <ProblemMessage error={e.clone()} /> }
            </>
        },
    };
    html! {
        <section id="protocols" class="protocols" aria-labelledby="protocols-title">
            <h1 id="protocols-title">{ t(Key::ProtocolsTitle) }</h1>
            <p class="intro">{ t(Key::ProtocolsIntro) }</p>
            <div class="field protocols-filter">
                <label for="protocols-status">{ t(Key::ProtocolsStatus) }</label>
                <select id="protocols-status" {onchange}>
                    { options(&statuses, &status, Some(t(Key::ProtocolsAnyStatus))) }
                </select>
            </div>
            <div id="protocols-results" aria-live="polite">{ list }</div>
        </section>
    }
}

//! Break-the-glass openings, for auditors (a view of the audit screen): every grant
//! (`GET /access-grants`, newest first, paged), who opened which case, when, for how long and
//! why, and whether it is in force, ended by its holder or expired. Each leads to its holder's
//! events on the case in the log (auditors do not open cases themselves).
use chrono::{DateTime, Utc};
use madar_openapi::access::AccessGrantResponse;
use madar_openapi::Language;
use yew::prelude::*;

use crate::components::widgets::{datetime, number, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::approvals::paged::use_paged;
use crate::pages::case::form::{now, options, set_select};
use crate::state::AppContext;

/// Where a grant stands now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GrantState {
    Active { until: DateTime<Utc> },
    Ended { at: DateTime<Utc> },
    Expired { at: DateTime<Utc> },
}

/// A grant's state from its times: ended by its holder, else in force until it expires.
pub fn grant_state(g: &AccessGrantResponse, now: DateTime<Utc>) -> GrantState {
    match g.ended_at {
        Some(at) => GrantState::Ended { at },
        None if g.expires_at <= now => GrantState::Expired { at: g.expires_at },
        None => GrantState::Active {
            until: g.expires_at,
        },
    }
}

/// The hours a grant was given for, rounded.
pub fn hours(g: &AccessGrantResponse) -> i64 {
    ((g.expires_at - g.granted_at).num_minutes() + 30) / 60
}

/// The list's path for the choice shown (`""` all, `"true"` in force, `"false"` over).
pub fn grants_path(show: &str, limit: u32) -> String {
    match show {
        "true" | "false" => format!("/access-grants?limit={limit}&active={show}"),
        _ => format!("/access-grants?limit={limit}"),
    }
}

fn state(lang: Language, s: GrantState) -> Html {
    let (key, at, class) = match s {
        GrantState::Active { until } => (Key::AuditStateActive, until, "danger"),
        GrantState::Ended { at } => (Key::AuditStateEnded, at, "ended"),
        GrantState::Expired { at } => (Key::AuditStateExpired, at, "expired"),
    };
    html! {
        <span class={classes!("badge", "audit-grant-state", class)}>
            { i18n::tf(lang, key, &[("at", &datetime(lang, &at))]) }</span>
    }
}

fn opening(lang: Language, g: &AccessGrantResponse, on_trace: &Callback<(String, String)>) -> Html {
    let t = |k| i18n::t(lang, k);
    let trace = {
        let (on_trace, who, case) = (
            on_trace.clone(),
            g.user_id.to_string(),
            g.case_id.to_string(),
        );
        Callback::from(move |_: MouseEvent| on_trace.emit((who.clone(), case.clone())))
    };
    let n = hours(g);
    let duration = i18n::hours(lang, n, &number(lang, n));
    html! {
        <li class="card audit-opening" data-id={g.id.to_string()} data-case={g.case_id.to_string()}>
            <p>{ state(lang, grant_state(g, now())) }</p>
            <dl class="audit-opening-facts">
                <dt>{ t(Key::AuditOpenedAt) }</dt><dd>{ datetime(lang, &g.granted_at) }</dd>
                <dt>{ t(Key::AuditDuration) }</dt><dd>{ duration }</dd>
                <dt>{ t(Key::AuditOpenedBy) }</dt>
                <dd><bdi class="code audit-id">{ g.user_id.to_string() }</bdi></dd>
                <dt>{ t(Key::AuditCase) }</dt>
                <dd><bdi class="code audit-id">{ g.case_id.to_string() }</bdi></dd>
                <dt>{ t(Key::AuditReason) }</dt>
                <dd><bdi class="audit-reason" dir="auto">{ g.reason.clone() }</bdi></dd>
            </dl>
            <button type="button" class="secondary audit-trace" onclick={trace}>{ t(Key::AuditTrace) }</button>
        </li>
    }
}

/// The audit screen's two views, events and openings: one button each, the one shown pressed.
pub fn tabs(lang: Language, showing_openings: &UseStateHandle<bool>) -> Html {
    let views = [
        (false, Key::AuditTabEvents, "audit-tab-events"),
        (true, Key::AuditTabOpenings, "audit-tab-openings"),
    ];
    let buttons = views.map(|(openings, key, id)| {
        let tab = showing_openings.clone();
        let onclick = Callback::from(move |_: MouseEvent| tab.set(openings));
        let pressed = (**showing_openings == openings).to_string();
        html! {
            <button type="button" {id} class="secondary audit-tab" {onclick} aria-pressed={pressed}>
                { i18n::t(lang, key) }</button>
        }
    });
    html! {
        <div class="audit-tabs" role="group" aria-label={i18n::t(lang, Key::AuditTabs)}>
            { for buttons }</div>
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Told `(holder, case)` to show the holder's events on the case.
    pub on_trace: Callback<(String, String)>,
}

#[function_component(Openings)]
pub fn openings(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let show = use_state(String::new);
    let paged = use_paged::<AccessGrantResponse>(grants_path(&show, 50), 0);
    let t = |k| i18n::t(lang, k);
    let choices = [
        ("true", Key::AuditShowActive),
        ("false", Key::AuditShowOver),
    ]
    .map(|(code, key)| (code.to_owned(), t(key).to_owned()));
    let list = match &paged.listing {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(l)) if l.items.is_empty() => html! {
            <p class="empty" id="openings-empty">{ t(Key::AuditOpeningsNone) }</p>
        },
        Some(Ok(l)) => html! {
            <ul class="audit-openings" id="openings-list" aria-label={t(Key::AuditTabOpenings)}>
                { for l.items.iter().map(|g| opening(lang, g, &props.on_trace)) }
            </ul>
        },
    };
    let has_more = matches!(&paged.listing, Some(Ok(l)) if l.next_cursor.is_some());
    html! {
        <div id="openings" class="audit-openings-view">
            <p>{ t(Key::AuditOpeningsIntro) }</p>
            <div class="field audit-show">
                <label for="openings-show">{ t(Key::AuditShow) }</label>
                <select id="openings-show" onchange={set_select(&show)}>
                    { options(&choices, &show, Some(t(Key::AuditShowAll))) }
                </select>
            </div>
            { list }
            if has_more {
                <button type="button" class="secondary" id="openings-more" disabled={paged.loading_more}
                    onclick={paged.load_more.reform(|_: MouseEvent| ())}>
                    { t(Key::AuditMore) }{ if paged.loading_more { "…" } else { "" } }
                </button>
            }
            if let Some(e) = &paged.more_error {
                <ProblemMessage error={e.clone()} />
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(hours: i64, ended: Option<i64>) -> AccessGrantResponse {
        let granted_at = DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default();
        AccessGrantResponse {
            id: Default::default(),
            user_id: Default::default(),
            case_id: Default::default(),
            child_id: Default::default(),
            reason: "Enfant vu à Rabat la nuit, appel du 2511.".into(),
            granted_at,
            expires_at: granted_at + chrono::Duration::hours(hours),
            ended_at: ended.map(|m| granted_at + chrono::Duration::minutes(m)),
            active: true,
        }
    }

    #[test]
    fn a_grant_is_in_force_until_it_expires_or_its_holder_ends_it() {
        let g = grant(4, None);
        let at = |h: i64| g.granted_at + chrono::Duration::hours(h);
        assert_eq!(grant_state(&g, at(1)), GrantState::Active { until: at(4) });
        assert_eq!(grant_state(&g, at(4)), GrantState::Expired { at: at(4) });
        let ended = grant(4, Some(90));
        let when = ended.granted_at + chrono::Duration::minutes(90);
        assert_eq!(grant_state(&ended, at(1)), GrantState::Ended { at: when });
        assert_eq!(grant_state(&ended, at(9)), GrantState::Ended { at: when });
        assert_eq!((hours(&g), hours(&grant(72, None))), (4, 72));
    }

    #[test]
    fn the_list_asks_for_what_is_shown() {
        assert_eq!(grants_path("", 50), "/access-grants?limit=50");
        assert_eq!(
            grants_path("true", 50),
            "/access-grants?limit=50&active=true"
        );
        assert_eq!(
            grants_path("false", 20),
            "/access-grants?limit=20&active=false"
        );
        assert_eq!(grants_path("maybe", 50), "/access-grants?limit=50");
    }
}

//! The audit log for auditors: a filters form (action, actor, resource, period), a paged table
//! of events (newest first) and each event's place in the HMAC chain, and, on request, the
//! whole chain verified by the server (`GET /audit/verification`): intact, or where it breaks.
//! A second view lists the break-the-glass openings ([`openings`]).
use madar_openapi::audit::{ActorKind, AuditChainFault, AuditEventResponse, AuditVerification};
use madar_openapi::Language;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, ApiError};

use crate::components::widgets::{datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::state::AppContext;

use super::approvals::paged::{encode, use_paged};
use super::case::form::{self, non_blank, Outcome};

mod openings;

use openings::Openings;

const PAGE: u32 = 50;

/// Action codes the log records (codes of the API, `api/src/audit/mod.rs`).
const ACTIONS: &[&str] = &[
    "auth.login",
    "auth.login_failed",
    "organization.create",
    "organization.update",
    "organization.deactivate",
    "user.create",
    "user.update",
    "user.deactivate",
    "client.create",
    "client.update",
    "client.deactivate",
    "client.secret_rotate",
    "territory.update",
    "child.read",
    "child.create",
    "child.update",
    "child.export",
    "child.match_announce",
    "child.merge",
    "child.merge_undo",
    "consent.create",
    "consent.withdraw",
    "report.create",
    "report.screen",
    "report.read",
    "audit.read",
    "case.open",
    "case.attach_report",
    "case.read",
    "case.export",
    "case.update",
    "case.transition",
    "approval.request",
    "approval.decide",
    "approval.rule_change",
    "assessment.create",
    "plan.update",
    "service.record",
    "placement.create",
    "placement.update",
    "judicial_measure.create",
    "judicial_measure.update",
    "note.create",
    "attachment.create",
    "attachment.read",
    "transfer.request",
    "transfer.decide",
    "guardian.create",
    "guardian.update",
    "guardian.delete",
    "sibling.link",
    "sibling.unlink",
    "referral.send",
    "referral.override",
    "referral.accept",
    "referral.decline",
    "referral.start",
    "referral.complete",
    "referral.cancel",
    "referral.expire",
    "referral.read",
    "service.create",
    "service.update",
    "service.capacity_update",
    "protocol.create",
    "protocol.update",
    "protocol.publish",
    "protocol_action.complete",
    "protocol_action.waive",
    "action_plan.create",
    "action_plan.update",
    "action_plan.progress",
    "programme.update",
    "webhook.create",
    "webhook.delete",
    "webhook.secret_rotate",
    "data_keys.rotate",
    "retention.run",
    "retention.erase",
    "access_grant.create",
    "access_grant.end",
    "access_grant.use",
    "legal_hold.place",
    "legal_hold.lift",
    "territory.needs_update",
];

/// Resource types the log knows (codes of the API).
const RESOURCES: &[&str] = &[
    "access_grant",
    "action_plan",
    "approval",
    "assessment",
    "attachment",
    "audit_log",
    "case",
    "case_service",
    "child",
    "client",
    "consent",
    "guardian",
    "judicial_measure",
    "note",
    "organization",
    "placement",
    "plan",
    "programme",
    "protocol",
    "protocol_action",
    "referral",
    "report",
    "service",
    "sibling_link",
    "territory",
    "transfer",
    "user",
    "webhook",
];

/// The filters as typed in the form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    pub action: String,
    pub actor_id: String,
    pub resource_type: String,
    pub resource_id: String,
    /// `YYYY-MM-DD` from a date input.
    pub from: String,
    pub to: String,
}

/// Why filters are refused.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FilterError {
    BadDate,
    FromAfterTo,
}

fn day(text: &str) -> Result<Option<chrono::NaiveDate>, FilterError> {
    match non_blank(text) {
        None => Ok(None),
        Some(t) => chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| FilterError::BadDate),
    }
}

/// The `/audit` path for `filters`: blank fields left out, the period from the start of
/// `from` to the end of `to` (UTC).
pub fn audit_path(filters: &Filters, limit: u32) -> Result<String, FilterError> {
    let (from, to) = (day(&filters.from)?, day(&filters.to)?);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(FilterError::FromAfterTo);
        }
    }
    let mut query = vec![format!("limit={limit}")];
    for (name, value) in [
        ("action", &filters.action),
        ("actor_id", &filters.actor_id),
        ("resource_type", &filters.resource_type),
        ("resource_id", &filters.resource_id),
    ] {
        if let Some(v) = non_blank(value) {
            query.push(format!("{name}={}", encode(&v)));
        }
    }
    if let Some(f) = from {
        query.push(format!("from={}", encode(&format!("{f}T00:00:00Z"))));
    }
    if let Some(t) = to {
        query.push(format!("to={}", encode(&format!("{t}T23:59:59.999Z"))));
    }
    Ok(format!("/audit?{}", query.join("&")))
}

fn actor_kind(lang: Language, kind: ActorKind) -> &'static str {
    let key = match kind {
        ActorKind::User => Key::AuditActorUser,
        ActorKind::Client => Key::AuditActorClient,
        ActorKind::System => Key::AuditActorSystem,
    };
    i18n::t(lang, key)
}

fn code(text: Option<&str>) -> Html {
    match text {
        Some(t) => html! { <bdi class="code">{ t.to_owned() }</bdi> },
        None => html! { "—" },
    }
}

fn row(lang: Language, event: &AuditEventResponse) -> Html {
    let sealed = event.seq.is_some();
    html! {
        <tr class="audit-row" data-action={event.action.clone()} data-id={event.id.to_string()}>
            <td>{ datetime(lang, &event.occurred_at) }</td>
            <td>{ actor_kind(lang, event.actor_kind) }{ " " }{ code(event.actor_id.as_deref()) }</td>
            <td>{ code(Some(&event.action)) }</td>
            <td>{ code(event.resource_type.as_deref()) }{ " " }
                if let Some(id) = &event.resource_id { { code(Some(id)) } }</td>
            <td>
                <span class={classes!("badge", "audit-seal", if sealed { "sealed" } else { "pending" })}>
                    if let Some(seq) = event.seq {
                        { i18n::tf(lang, Key::AuditSealed, &[("n", &seq.to_string())]) }
                    } else {
                        { i18n::t(lang, Key::AuditNotSealed) }
                    }
                </span>
            </td>
        </tr>
    }
}

fn text_field(
    lang: Language,
    id: &str,
    label: Key,
    state: &UseStateHandle<String>,
    list: Option<&str>,
) -> Html {
    html! {
        <div class="field">
            <label for={id.to_owned()}>{ i18n::t(lang, label) }</label>
            <input id={id.to_owned()} type="text" dir="ltr" value={(**state).clone()}
                list={list.map(str::to_owned)} oninput={form::set_text(state)} />
        </div>
    }
}

fn date_field(lang: Language, id: &str, label: Key, state: &UseStateHandle<String>) -> Html {
    html! {
        <div class="field">
            <label for={id.to_owned()}>{ i18n::t(lang, label) }</label>
            <input id={id.to_owned()} type="date" value={(**state).clone()}
                oninput={form::set_text(state)} />
        </div>
    }
}

#[function_component(AuditPage)]
pub fn audit_page() -> Html {
    let ctx = use_context::<AppContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let action = use_state(String::new);
    let actor = use_state(String::new);
    let resource_type = use_state(String::new);
    let resource_id = use_state(String::new);
    let from = use_state(String::new);
    let to = use_state(String::new);
    let applied = use_state(Filters::default);
    let reload = use_state(|| 0u64);
    let check = use_state(Outcome::default);
    let showing_openings = use_state(|| false);
    let path = audit_path(&applied, PAGE).unwrap_or_else(|_| format!("/audit?limit={PAGE}"));
    let paged = use_paged::<AuditEventResponse>(path, *reload);
    if ctx.is_none() {
        return Html::default();
    }
    let onsubmit = {
        let (applied, reload, check) = (applied.clone(), reload.clone(), check.clone());
        let fields =
            [&action, &actor, &resource_type, &resource_id, &from, &to].map(|s| (**s).clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let [action, actor_id, resource_type, resource_id, from, to] = fields.clone();
            let filters = Filters {
                action,
                actor_id,
                resource_type,
                resource_id,
                from,
                to,
            };
            match audit_path(&filters, PAGE) {
                Err(FilterError::BadDate) => check.set(Outcome::Invalid(
                    i18n::t(lang, Key::AuditBadDate).to_owned(),
                )),
                Err(FilterError::FromAfterTo) => check.set(Outcome::Invalid(
                    i18n::t(lang, Key::AuditFromAfterTo).to_owned(),
                )),
                Ok(_) => {
                    check.set(Outcome::Idle);
                    applied.set(filters);
                    reload.set(reload.wrapping_add(1));
                }
            }
        })
    };
    let onreset = {
        let states = [&action, &actor, &resource_type, &resource_id, &from, &to].map(|s| s.clone());
        let (applied, check) = (applied.clone(), check.clone());
        Callback::from(move |_: MouseEvent| {
            for s in &states {
                s.set(String::new());
            }
            check.set(Outcome::Idle);
            applied.set(Filters::default());
        })
    };
    // From an opening: its holder's events on its case.
    let on_trace = {
        let (actor, resource_type, resource_id) =
            (actor.clone(), resource_type.clone(), resource_id.clone());
        let (applied, reload, tab) = (applied.clone(), reload.clone(), showing_openings.clone());
        Callback::from(move |(who, case): (String, String)| {
            actor.set(who.clone());
            resource_type.set("case".into());
            resource_id.set(case.clone());
            applied.set(Filters {
                actor_id: who,
                resource_type: "case".into(),
                resource_id: case,
                ..Filters::default()
            });
            reload.set(reload.wrapping_add(1));
            tab.set(false);
        })
    };
    let tabs = openings::tabs(lang, &showing_openings);
    if *showing_openings {
        return html! {
            <section id="audit" class="audit">
                <h1>{ i18n::t(lang, Key::AuditTitle) }</h1>
                { tabs }
                <Openings {on_trace} />
            </section>
        };
    }
    let busy = paged.listing.is_none();
    let table = match &paged.listing {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(l)) if l.items.is_empty() => html! {
            <p class="empty" id="audit-empty">{ i18n::t(lang, Key::AuditNone) }</p>
        },
        Some(Ok(l)) => html! {
            <div class="table-wrap">
                <table class="audit-table" id="audit-table">
                    <caption class="audit-caption">{ i18n::t(lang, Key::AuditCaption) }</caption>
                    <thead><tr>
                        <th scope="col">{ i18n::t(lang, Key::AuditTime) }</th>
                        <th scope="col">{ i18n::t(lang, Key::AuditActor) }</th>
                        <th scope="col">{ i18n::t(lang, Key::AuditAction) }</th>
                        <th scope="col">{ i18n::t(lang, Key::AuditResource) }</th>
                        <th scope="col">{ i18n::t(lang, Key::AuditChain) }</th>
                    </tr></thead>
                    <tbody>{ for l.items.iter().map(|e| row(lang, e)) }</tbody>
                </table>
            </div>
        },
    };
    let has_more = matches!(&paged.listing, Some(Ok(l)) if l.next_cursor.is_some());
    html! {
        <section id="audit" class="audit">
            <h1>{ i18n::t(lang, Key::AuditTitle) }</h1>
            { tabs }
            <p class="audit-chain-note" id="audit-chain-note">{ i18n::t(lang, Key::AuditChainNote) }</p>
            <ChainCheck />
            <form class="card audit-filters" id="audit-filters" {onsubmit}>
                { text_field(lang, "audit-action", Key::AuditAction, &action, Some("audit-actions")) }
                <datalist id="audit-actions">
                    { for ACTIONS.iter().map(|a| html! { <option value={*a} /> }) }
                </datalist>
                { text_field(lang, "audit-actor", Key::AuditActorId, &actor, None) }
                { text_field(lang, "audit-resource-type", Key::AuditResourceType, &resource_type, Some("audit-resource-types")) }
                <datalist id="audit-resource-types">
                    { for RESOURCES.iter().map(|r| html! { <option value={*r} /> }) }
                </datalist>
                { text_field(lang, "audit-resource-id", Key::AuditResourceId, &resource_id, None) }
                { date_field(lang, "audit-from", Key::AuditFrom, &from) }
                { date_field(lang, "audit-to", Key::AuditTo, &to) }
                <div class="audit-actions">
                    { form::submit("audit-submit", i18n::t(lang, Key::AuditFilter), busy) }
                    <button type="button" class="secondary" id="audit-reset" onclick={onreset}>
                        { i18n::t(lang, Key::AuditReset) }
                    </button>
                </div>
                { check.view("audit-check") }
            </form>
            { table }
            if has_more {
                <button type="button" class="secondary" id="audit-more" disabled={paged.loading_more}
                    onclick={paged.load_more.reform(|_: MouseEvent| ())}>
                    { i18n::t(lang, Key::AuditMore) }{ if paged.loading_more { "…" } else { "" } }
                </button>
            }
            if let Some(e) = &paged.more_error {
                <ProblemMessage error={e.clone()} />
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_has_only_the_filled_filters() {
        let mut f = Filters::default();
        assert_eq!(audit_path(&f, 50).as_deref(), Ok("/audit?limit=50"));
        f.action = " approval.decide ".into();
        f.from = "2026-11-01".into();
        f.to = "2026-11-30".into();
        assert_eq!(
            audit_path(&f, 50).as_deref(),
            Ok("/audit?limit=50&action=approval.decide&from=2026-11-01T00%3A00%3A00Z&to=2026-11-30T23%3A59%3A59.999Z")
        );
    }

    #[test]
    fn periods_are_checked() {
        let f = Filters {
            from: "2026-12-01".into(),
            to: "2026-11-30".into(),
            ..Filters::default()
        };
        assert_eq!(audit_path(&f, 50), Err(FilterError::FromAfterTo));
        let f = Filters {
            from: "01/12/2026".into(),
            ..Filters::default()
        };
        assert_eq!(audit_path(&f, 50), Err(FilterError::BadDate));
    }
}

/// The chain's state as the server finds it now (`GET /audit/verification`), on request.
#[function_component(ChainCheck)]
fn chain_check() -> Html {
    let ctx = use_context::<AppContext>();
    let state = use_state(|| None::<Result<AuditVerification, ApiError>>);
    let busy = use_state(|| false);
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let onclick = {
        let (state, busy) = (state.clone(), busy.clone());
        Callback::from(move |_: MouseEvent| {
            let (state, busy) = (state.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                state.set(Some(api::get("/audit/verification").await));
                busy.set(false);
            });
        })
    };
    let shown = match &*state {
        None => Html::default(),
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(v)) => {
            let (verified, unsealed) = (v.verified.to_string(), v.unsealed.to_string());
            match &v.broken_at {
                None => html! {
                    <p id="audit-chain-state" class="case-success" role="status">
                        { i18n::tf(lang, Key::AuditChainIntact, &[("verified", &verified), ("unsealed", &unsealed)]) }</p>
                },
                Some(b) => {
                    let fault = i18n::t(
                        lang,
                        match b.fault {
                            AuditChainFault::Gap => Key::AuditFaultGap,
                            AuditChainFault::WrongPrevious => Key::AuditFaultPrevious,
                            AuditChainFault::WrongHmac => Key::AuditFaultHmac,
                        },
                    );
                    let (event, position) = (b.event_id.to_string(), b.position.to_string());
                    html! {
                        <p id="audit-chain-state" class="error" role="alert">
                            { i18n::tf(lang, Key::AuditChainBroken, &[("event", &event), ("position", &position),
                                ("fault", fault), ("verified", &verified)]) }</p>
                    }
                }
            }
        }
    };
    html! {
        <div class="audit-verify">
            <button type="button" id="audit-verify" class="secondary" disabled={*busy} aria-busy={busy.to_string()} {onclick}>
                { i18n::t(lang, Key::AuditVerify) }</button>
            { shown }
        </div>
    }
}

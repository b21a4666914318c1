//! The case's read-only lists: protocol actions with their due times, the timeline, services
//! delivered and judicial measures.
use madar_openapi::cases::{
    CaseEvent, CaseEventKind, CaseServiceResponse, JudicialMeasureResponse, JudicialMeasureType,
};
use madar_openapi::protocols::{ProtocolActionResponse, ProtocolActionStatus};
use madar_openapi::reference::ReferenceList;
use madar_openapi::{Language, Page};
use serde::de::DeserializeOwned;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form::pick;
use crate::api::{self, ApiError};
use crate::components::widgets::{date, datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::state::{AppContext, Vocabulary};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub case_id: String,
    #[prop_or_default]
    pub version: u32,
}

/// Loads `path` when the case or `version` changes.
#[hook]
fn use_load<T: DeserializeOwned + 'static>(
    path: String,
    version: u32,
) -> UseStateHandle<Option<Result<std::rc::Rc<T>, ApiError>>> {
    let state = use_state(|| None);
    {
        let state = state.clone();
        use_effect_with((path, version), move |(path, _)| {
            let path = path.clone();
            spawn_local(async move {
                state.set(Some(api::get::<T>(&path).await.map(std::rc::Rc::new)));
            });
        });
    }
    state
}

fn section(id: &str, title: &str, body: Html) -> Html {
    html! {
        <section class="card case-list" aria-labelledby={format!("{id}-title")}>
            <h2 id={format!("{id}-title")}>{ title.to_owned() }</h2>
            { body }
        </section>
    }
}

fn loaded<T>(
    lang: Language,
    state: &Option<Result<std::rc::Rc<T>, ApiError>>,
    show: impl FnOnce(&T) -> Html,
) -> Html {
    let _ = lang;
    match state {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(v)) => show(v),
    }
}

pub fn action_label(lang: Language, code: &str) -> String {
    let key = match code {
        "screen_report" => Key::CaseProtocolScreenReport,
        "contact_child" => Key::CaseProtocolContactChild,
        "assessment" => Key::CaseProtocolAssessment,
        "notify_prosecutor" => Key::CaseProtocolNotifyProsecutor,
        "medical_exam" => Key::CaseProtocolMedicalExam,
        "forensic_exam" => Key::CaseProtocolForensicExam,
        "psychological_support" => Key::CaseProtocolPsychologicalSupport,
        "service_referral" => Key::CaseProtocolServiceReferral,
        "home_visit" => Key::CaseProtocolHomeVisit,
        "mobile_unit_contact" => Key::CaseProtocolMobileUnitContact,
        "transition_plan" => Key::CaseProtocolTransitionPlan,
        "follow_up_visit" => Key::CaseProtocolFollowUpVisit,
        _ => return code.to_owned(),
    };
    i18n::t(lang, key).to_owned()
}

fn action_status(lang: Language, status: &ProtocolActionStatus) -> &'static str {
    match status {
        ProtocolActionStatus::Pending => i18n::t(lang, Key::CaseProtocolPending),
        ProtocolActionStatus::Done => i18n::t(lang, Key::CaseActionDone),
        ProtocolActionStatus::Overdue => i18n::t(lang, Key::CaseProtocolOverdue),
        ProtocolActionStatus::Waived => i18n::t(lang, Key::CaseProtocolWaived),
    }
}

#[function_component(ActionsSection)]
pub fn actions_section(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let state = use_load::<Page<ProtocolActionResponse>>(
        format!("/cases/{}/actions", props.case_id),
        props.version,
    );
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let body = loaded(lang, &state, |page| {
        if page.items.is_empty() {
            return html! { <p class="empty">{ i18n::t(lang, Key::CaseNoActions) }</p> };
        }
        html! {
            <div class="table-wrap">
            <table id="protocol-actions">
                <thead><tr>
                    <th scope="col">{ i18n::t(lang, Key::CaseProtocolAction) }</th>
                    <th scope="col">{ i18n::t(lang, Key::CaseDueAt) }</th>
                    <th scope="col">{ i18n::t(lang, Key::CaseReferralStatus) }</th>
                </tr></thead>
                <tbody>
                { for page.items.iter().map(|a| html! {
                    <tr class={classes!("case-protocol", Vocabulary::code_of(&a.status))}>
                        <td>{ action_label(lang, &a.action) }</td>
                        <td><time datetime={a.due_at.to_rfc3339()}>{ datetime(lang, &a.due_at) }</time></td>
                        <td>{ action_status(lang, &a.status) }</td>
                    </tr>
                }) }
                </tbody>
            </table>
            </div>
        }
    });
    section("actions", i18n::t(lang, Key::CaseActionsTitle), body)
}

fn event_label(lang: Language, kind: &CaseEventKind) -> &'static str {
    use CaseEventKind as E;
    let key = match kind {
        E::CaseOpened => Key::CaseEventCaseOpened,
        E::ReportAttached => Key::CaseEventReportAttached,
        E::CaseUpdated => Key::CaseEventCaseUpdated,
        E::StageChanged => Key::CaseEventStageChanged,
        E::AssessmentRecorded => Key::CaseEventAssessmentRecorded,
        E::PlanUpdated => Key::CaseEventPlanUpdated,
        E::ServiceRecorded => Key::CaseEventServiceRecorded,
        E::PlacementRecorded => Key::CaseEventPlacementRecorded,
        E::PlacementUpdated => Key::CaseEventPlacementUpdated,
        E::JudicialMeasureRecorded => Key::CaseEventJudicialMeasureRecorded,
        E::JudicialMeasureUpdated => Key::CaseEventJudicialMeasureUpdated,
        E::NoteAdded => Key::CaseEventNoteAdded,
        E::AttachmentAdded => Key::CaseEventAttachmentAdded,
        E::ApprovalRequested => Key::CaseEventApprovalRequested,
        E::ApprovalDecided => Key::CaseEventApprovalDecided,
        E::TransferRequested => Key::CaseEventTransferRequested,
        E::TransferDecided => Key::CaseEventTransferDecided,
        E::ReferralSent => Key::CaseEventReferralSent,
        E::ReferralAccepted => Key::CaseEventReferralAccepted,
        E::ReferralDeclined => Key::CaseEventReferralDeclined,
        E::ReferralStarted => Key::CaseEventReferralStarted,
        E::ReferralCompleted => Key::CaseEventReferralCompleted,
        E::ReferralCancelled => Key::CaseEventReferralCancelled,
        E::ReferralExpired => Key::CaseEventReferralExpired,
    };
    i18n::t(lang, key)
}

/// What an event's detail adds that a person reads: a stage change's stages.
fn event_detail(lang: Language, vocabulary: &Vocabulary, event: &CaseEvent) -> Option<String> {
    let from = event.detail.get("from").and_then(|v| v.as_str());
    let to = event.detail.get("to").and_then(|v| v.as_str());
    match (event.kind, from, to) {
        (CaseEventKind::StageChanged, Some(from), Some(to)) => Some(i18n::tf(
            lang,
            Key::CaseStageFromTo,
            &[
                ("from", &vocabulary.label(lang, "case_stages", from)),
                ("to", &vocabulary.label(lang, "case_stages", to)),
            ],
        )),
        _ => None,
    }
}

#[function_component(TimelineSection)]
pub fn timeline_section(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let state =
        use_load::<Vec<CaseEvent>>(format!("/cases/{}/timeline", props.case_id), props.version);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let body = loaded(lang, &state, |events| {
        html! {
            <ul id="timeline" class="case-timeline">
                { for events.iter().rev().map(|e| html! {
                    <li class={classes!("case-event", Vocabulary::code_of(&e.kind))}>
                        <time datetime={e.at.to_rfc3339()}>{ datetime(lang, &e.at) }</time>
                        <span class="case-event-kind">{ event_label(lang, &e.kind) }</span>
                        if let Some(detail) = event_detail(lang, &ctx.vocabulary, e) {
                            <span class="case-event-detail">{ detail }</span>
                        }
                        if let Some(note) = &e.note {
                            <p class="case-event-note">{ note.clone() }</p>
                        }
                    </li>
                }) }
            </ul>
        }
    });
    section("timeline", i18n::t(lang, Key::CaseTimelineTitle), body)
}

#[function_component(ServicesSection)]
pub fn services_section(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let state = use_load::<Page<CaseServiceResponse>>(
        format!("/cases/{}/services?limit=100", props.case_id),
        props.version,
    );
    let types = use_load::<ReferenceList>("/reference/service_types".to_owned(), 0);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let type_label = |code: String| -> String {
        match &*types {
            Some(Ok(list)) => list
                .items
                .iter()
                .find(|i| i.code == code)
                .map(|i| pick(&i.labels, lang))
                .unwrap_or(code),
            _ => code,
        }
    };
    let body = loaded(lang, &state, |page| {
        if page.items.is_empty() {
            return html! { <p class="empty">{ i18n::t(lang, Key::CaseNoServices) }</p> };
        }
        html! {
            <ul id="case-services" class="case-simple-list">
                { for page.items.iter().map(|s| html! {
                    <li>
                        <strong>{ type_label(Vocabulary::code_of(&s.service_type)) }</strong>
                        { " · " }<bdi class="code">{ s.by_organization.clone() }</bdi>
                        { " · " }{ datetime(lang, &s.delivered_at) }
                    </li>
                }) }
            </ul>
        }
    });
    section("services", i18n::t(lang, Key::CaseServicesTitle), body)
}

fn measure_label(lang: Language, t: &JudicialMeasureType) -> &'static str {
    match t {
        JudicialMeasureType::ProsecutorNotified => {
            i18n::t(lang, Key::CaseMeasureProsecutorNotified)
        }
        JudicialMeasureType::ProtectionOrder => i18n::t(lang, Key::CaseMeasureProtectionOrder),
        JudicialMeasureType::PlacementOrder => i18n::t(lang, Key::CaseMeasurePlacementOrder),
        JudicialMeasureType::Hearing => i18n::t(lang, Key::CaseMeasureHearing),
        JudicialMeasureType::Decision => i18n::t(lang, Key::CaseMeasureDecision),
    }
}

#[function_component(JudicialSection)]
pub fn judicial_section(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let state = use_load::<Vec<JudicialMeasureResponse>>(
        format!("/cases/{}/judicial-measures", props.case_id),
        props.version,
    );
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let body = loaded(lang, &state, |list| {
        if list.is_empty() {
            return html! { <p class="empty">{ i18n::t(lang, Key::CaseNoMeasures) }</p> };
        }
        html! {
            <ul id="judicial-measures" class="case-simple-list">
                { for list.iter().map(|m| html! {
                    <li>
                        <strong>{ measure_label(lang, &m.measure_type) }</strong>
                        { " · " }<bdi>{ m.authority.clone() }</bdi>
                        { " · " }{ date(lang, &m.date) }
                        if let Some(next) = &m.next_date {
                            { " · " }{ i18n::t(lang, Key::CaseNextDate) }{ " " }{ date(lang, next) }
                        }
                    </li>
                }) }
            </ul>
        }
    });
    section("judicial", i18n::t(lang, Key::CaseJudicialTitle), body)
}

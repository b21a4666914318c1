//! The case's referrals: the list, and a form to refer the child to a service of the directory
//! under one of the child's active consents (which names the receiving organization and covers
//! the groups of data shared). A referral of the type an open protocol action calls for carries
//! that action out: it is sent with the action's id and the server marks it done.
use std::rc::Rc;

use madar_openapi::cases::RiskLevel;
use madar_openapi::consents::{ConsentResponse, ConsentStatus, FieldGroup};
use madar_openapi::protocols::{ProtocolActionResponse, ProtocolActionStatus};
use madar_openapi::reference::ReferenceList;
use madar_openapi::referrals::{CreateReferral, ReferralResponse};
use madar_openapi::services::ServiceResponse;
use madar_openapi::users::Role;
use madar_openapi::{Language, Page};
use validator::Validate;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form::{
    checked, non_blank, options, pick, set_area, set_select, set_text, submit, use_organizations,
    Outcome,
};
use crate::api::{self, ApiError};
use crate::components::widgets::{datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::state::{AppContext, Vocabulary};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub case_id: String,
    pub on_change: Callback<()>,
    pub child_id: String,
    pub urgency: RiskLevel,
}

pub const GROUPS: [FieldGroup; 6] = [
    FieldGroup::Identity,
    FieldGroup::Contact,
    FieldGroup::Health,
    FieldGroup::Narrative,
    FieldGroup::Situation,
    FieldGroup::Education,
];

/// The label of a group of the child's data.
pub fn group_label(lang: Language, group: &FieldGroup) -> &'static str {
    match group {
        FieldGroup::Identity => i18n::t(lang, Key::CaseGroupIdentity),
        FieldGroup::Contact => i18n::t(lang, Key::CaseGroupContact),
        FieldGroup::Health => i18n::t(lang, Key::CaseGroupHealth),
        FieldGroup::Narrative => i18n::t(lang, Key::CaseGroupNarrative),
        FieldGroup::Situation => i18n::t(lang, Key::CaseGroupSituation),
        FieldGroup::Education => i18n::t(lang, Key::CaseGroupEducation),
    }
}

struct Data {
    referrals: Vec<ReferralResponse>,
    services: Vec<ServiceResponse>,
    consents: Vec<ConsentResponse>,
    types: Option<ReferenceList>,
    /// The case's open `service_referral` protocol actions.
    actions: Vec<ProtocolActionResponse>,
}

/// The open protocol action a referral of `service_type` carries out: the `service_referral`
/// of that type due first.
fn carried_action<'a>(
    actions: &'a [ProtocolActionResponse],
    service_type: &str,
) -> Option<&'a ProtocolActionResponse> {
    actions
        .iter()
        .filter(|a| a.action == "service_referral")
        .filter(|a| a.service_type.as_deref() == Some(service_type))
        .filter(|a| {
            matches!(
                a.status,
                ProtocolActionStatus::Pending | ProtocolActionStatus::Overdue
            )
        })
        .min_by_key(|a| a.due_at)
}

async fn load(case_id: &str, child_id: &str) -> Result<Data, ApiError> {
    let referrals: Page<ReferralResponse> =
        api::get(&format!("/cases/{case_id}/referrals?limit=100")).await?;
    let services: Page<ServiceResponse> = api::get(&format!(
        "/services?eligible_for_child={child_id}&limit=100"
    ))
    .await?;
    let consents: Page<ConsentResponse> =
        api::get(&format!("/children/{child_id}/consents?limit=100")).await?;
    let types = api::get::<ReferenceList>("/reference/service_types")
        .await
        .ok();
    let actions =
        api::get::<Page<ProtocolActionResponse>>(&format!("/cases/{case_id}/actions?limit=100"))
            .await
            .map(|p| p.items)
            .unwrap_or_default();
    Ok(Data {
        referrals: referrals.items,
        services: services.items,
        consents: consents
            .items
            .into_iter()
            .filter(|c| c.status == ConsentStatus::Active)
            .collect(),
        types,
        actions,
    })
}

fn service_type(lang: Language, types: &Option<ReferenceList>, code: &str) -> String {
    types
        .as_ref()
        .and_then(|t| t.items.iter().find(|i| i.code == code))
        .map(|i| pick(&i.labels, lang))
        .unwrap_or_else(|| code.to_owned())
}

fn service_name(lang: Language, s: &ServiceResponse) -> String {
    let name = match lang {
        Language::Ar => s.name_ar.clone(),
        Language::Fr => s.name_fr.clone(),
        Language::En => None,
    };
    name.unwrap_or_else(|| s.name.clone())
}

/// The default answer deadline: in 14 days.
fn in_two_weeks() -> String {
    (super::form::now() + chrono::Duration::days(14))
        .date_naive()
        .to_string()
}

#[function_component(ReferralsSection)]
pub fn referrals_section(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let data = use_state(|| None::<Result<Rc<Data>, ApiError>>);
    let version = use_state(|| 0_u32);
    let service = use_state(String::new);
    let consent = use_state(String::new);
    let reason = use_state(String::new);
    let urgency = use_state(|| Vocabulary::code_of(&props.urgency));
    let due = use_state(in_two_weeks);
    let groups = use_state(Vec::<FieldGroup>::new);
    let override_reason = use_state(String::new);
    let carry = use_state(|| true);
    let organizations = use_organizations(ctx.as_ref().map(|c| c.lang).unwrap_or_default());
    let outcome = use_state(Outcome::default);
    // A referral's answer arrives live: reload the list on each live event.
    let live = ctx.as_ref().map(|c| c.live_version).unwrap_or_default();
    {
        let data = data.clone();
        use_effect_with(
            (
                props.case_id.clone(),
                props.child_id.clone(),
                *version,
                live,
            ),
            move |(case_id, child_id, _, _)| {
                let (case_id, child_id) = (case_id.clone(), child_id.clone());
                spawn_local(async move {
                    data.set(Some(load(&case_id, &child_id).await.map(Rc::new)));
                });
            },
        );
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let coordinator = ctx
        .user
        .as_ref()
        .is_some_and(|u| u.role == Role::Coordinator);
    let title = html! { <h2 id="referrals-title">{ i18n::t(lang, Key::CaseReferralsTitle) }</h2> };
    let data = match &*data {
        None => return html! { <section class="card">{ title }<Loading busy=true /></section> },
        Some(Err(e)) => {
            return html! { <section class="card">{ title }<ProblemMessage error={e.clone()} /></section> }
        }
        Some(Ok(d)) => d.clone(),
    };
    let on_consent = {
        let (consent, groups, data) = (consent.clone(), groups.clone(), data.clone());
        Callback::from(move |e: Event| {
            let id = super::form::select_value(&e);
            if let Some(c) = data.consents.iter().find(|c| c.id.to_string() == id) {
                groups.set(c.field_groups.clone());
            }
            consent.set(id);
        })
    };
    let onsubmit = {
        let (service, consent, reason, urgency, due, groups, outcome, version) = (
            service.clone(),
            consent.clone(),
            reason.clone(),
            urgency.clone(),
            due.clone(),
            groups.clone(),
            outcome.clone(),
            version.clone(),
        );
        let (data, case_id, override_reason, on_change, carry) = (
            data.clone(),
            props.case_id.clone(),
            override_reason.clone(),
            props.on_change.clone(),
            *carry,
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let chosen = data.services.iter().find(|s| s.id.to_string() == *service);
            let consent_id = data
                .consents
                .iter()
                .find(|c| c.id.to_string() == *consent)
                .map(|c| c.id);
            let urgency = crate::json::code::<RiskLevel>(&urgency);
            let due_by = due
                .parse::<chrono::NaiveDate>()
                .ok()
                .and_then(|d| d.and_hms_opt(23, 59, 0))
                .map(|d| d.and_utc());
            let (Some(chosen), Some(urgency), Some(due_by)) = (chosen, urgency, due_by) else {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::CaseReferralIncomplete).to_owned(),
                ));
                return;
            };
            let carried = carried_action(&data.actions, &Vocabulary::code_of(&chosen.type_))
                .filter(|_| carry)
                .map(|a| a.id);
            let body = CreateReferral {
                service_id: Some(chosen.id),
                organization: None,
                service_type: None,
                reason: reason.trim().to_owned(),
                urgency,
                due_by,
                consent_id,
                field_groups: (*groups).clone(),
                plan_action_id: None,
                protocol_action_id: carried,
                override_reason: if consent_id.is_none() && coordinator {
                    non_blank(&override_reason)
                } else {
                    None
                },
            };
            if body.validate().is_err() {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::CaseReferralIncomplete).to_owned(),
                ));
                return;
            }
            outcome.set(Outcome::Busy);
            let (outcome, version, reason, path) = (
                outcome.clone(),
                version.clone(),
                reason.clone(),
                format!("/cases/{case_id}/referrals"),
            );
            let (service, consent, groups) = (service.clone(), consent.clone(), groups.clone());
            let on_change = on_change.clone();
            spawn_local(async move {
                match api::post::<_, ReferralResponse>(&path, &body).await {
                    Ok(_) => {
                        outcome.set(Outcome::Done(
                            i18n::t(lang, Key::CaseReferralSent).to_owned(),
                        ));
                        on_change.emit(());
                        reason.set(String::new());
                        service.set(String::new());
                        consent.set(String::new());
                        groups.set(Vec::new());
                        version.set(version.wrapping_add(1));
                    }
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let services: Vec<(String, String)> = data
        .services
        .iter()
        .map(|s| {
            (
                s.id.to_string(),
                format!("{} — {}", service_name(lang, s), s.provider_name),
            )
        })
        .collect();
    let carried = data
        .services
        .iter()
        .find(|s| s.id.to_string() == *service)
        .and_then(|s| carried_action(&data.actions, &Vocabulary::code_of(&s.type_)));
    let consents: Vec<(String, String)> = data
        .consents
        .iter()
        .map(|c| {
            (
                c.id.to_string(),
                format!(
                    "{} · {} · {}",
                    c.given_by,
                    c.recipients.join("، "),
                    datetime(lang, &c.given_at)
                ),
            )
        })
        .collect();
    html! {
        <section class="card case-referrals" aria-labelledby="referrals-title">
            { title }
            if data.referrals.is_empty() {
                <p class="empty">{ i18n::t(lang, Key::CaseNoReferrals) }</p>
            } else {
                <div class="table-wrap">
                <table id="referrals">
                    <thead><tr>
                        <th scope="col">{ i18n::t(lang, Key::CaseReferralTo) }</th>
                        <th scope="col">{ i18n::t(lang, Key::CaseServiceType) }</th>
                        <th scope="col">{ i18n::t(lang, Key::CaseReferralStatus) }</th>
                        <th scope="col">{ i18n::t(lang, Key::Urgency) }</th>
                        <th scope="col">{ i18n::t(lang, Key::CaseSentAt) }</th>
                        <th scope="col">{ i18n::t(lang, Key::CaseRespondBy) }</th>
                    </tr></thead>
                    <tbody>
                        { for data.referrals.iter().map(|r| html! {
                            <tr>
                                <td><bdi>{ organizations.iter().find(|(c, _)| *c == r.to_organization)
                                    .map(|(_, n)| n.clone()).unwrap_or_else(|| r.to_organization.clone()) }</bdi></td>
                                <td>{ service_type(lang, &data.types, &Vocabulary::code_of(&r.service_type)) }</td>
                                <td>{ ctx.vocabulary.label_of(lang, "referral_statuses", &r.status) }</td>
                                <td>{ ctx.vocabulary.label_of(lang, "risk_levels", &r.urgency) }</td>
                                <td>{ datetime(lang, &r.sent_at) }</td>
                                <td>{ datetime(lang, &r.respond_by) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                </div>
            }
            <h3>{ i18n::t(lang, Key::CaseNewReferral) }</h3>
            <form id="referral-form" class="case-form" novalidate=true {onsubmit}>
                <div class="field">
                    <label for="referral-service">{ i18n::t(lang, Key::CaseReferralService) }</label>
                    <select id="referral-service" onchange={set_select(&service)}>
                        { options(&services, &service, Some(i18n::t(lang, Key::CaseChoose))) }
                    </select>
                </div>
                if let Some(action) = carried {
                    <div class="case-check" id="referral-carries">
                        <input type="checkbox" id="referral-carry" checked={*carry}
                            onchange={let carry = carry.clone(); Callback::from(move |e: Event| carry.set(checked(&e)))} />
                        <label for="referral-carry">
                            { i18n::t(lang, Key::CaseReferralCarriesAction) }{ " " }
                            <bdi>{ super::lists::action_label(lang, &action.action) }</bdi>
                            { " · " }{ i18n::t(lang, Key::CaseDueAt) }{ " " }{ datetime(lang, &action.due_at) }
                        </label>
                    </div>
                }
                <div class="field">
                    <label for="referral-consent">{ i18n::t(lang, Key::CaseReferralConsent) }</label>
                    <select id="referral-consent" onchange={on_consent}>
                        { options(&consents, &consent, Some(i18n::t(lang, Key::CaseNoConsent))) }
                    </select>
                </div>
                if coordinator && consent.is_empty() {
                    <div class="field">
                        <label for="referral-override">{ i18n::t(lang, Key::CaseOverrideReason) }</label>
                        <textarea id="referral-override" rows="2" value={(*override_reason).clone()}
                            oninput={set_area(&override_reason)} />
                    </div>
                }
                <fieldset class="case-groups">
                    <legend>{ i18n::t(lang, Key::CaseFieldGroups) }</legend>
                    { for GROUPS.iter().map(|g| {
                        let code = Vocabulary::code_of(g);
                        let id = format!("referral-group-{code}");
                        let on = groups.contains(g);
                        let onchange = {
                            let (groups, g) = (groups.clone(), *g);
                            Callback::from(move |e: Event| {
                                let mut next: Vec<FieldGroup> = groups.iter().copied().filter(|x| *x != g).collect();
                                if checked(&e) { next.push(g) }
                                next.sort();
                                groups.set(next);
                            })
                        };
                        html! {
                            <div class="case-check">
                                <input type="checkbox" id={id.clone()} checked={on} {onchange} />
                                <label for={id}>{ group_label(lang, g) }</label>
                            </div>
                        }
                    }) }
                </fieldset>
                <div class="field">
                    <label for="referral-reason">{ i18n::t(lang, Key::CaseReferralReason) }</label>
                    <textarea id="referral-reason" rows="3" value={(*reason).clone()} oninput={set_area(&reason)} />
                </div>
                <div class="field">
                    <label for="referral-urgency">{ i18n::t(lang, Key::Urgency) }</label>
                    <select id="referral-urgency" onchange={set_select(&urgency)}>
                        { options(&ctx.vocabulary.items(lang, "risk_levels"), &urgency, None) }
                    </select>
                </div>
                <div class="field">
                    <label for="referral-due">{ i18n::t(lang, Key::CaseDueBy) }</label>
                    <input id="referral-due" type="date" value={(*due).clone()} oninput={set_text(&due)} />
                </div>
                { submit("referral-submit", i18n::t(lang, Key::CaseSendReferral), outcome.busy()) }
            </form>
            { outcome.view("referral-result") }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn action(
        n: u8,
        kind: &str,
        service_type: Option<&str>,
        status: &str,
        day: u32,
    ) -> ProtocolActionResponse {
        let at = format!("2026-12-{day:02}T09:00:00Z");
        serde_json::from_value(json!({
            "id": format!("00000000-0000-7000-8000-0000000000{n:02}"),
            "protocol_id": "00000000-0000-7000-8000-000000000000",
            "rule_key": "r", "trigger": "case_opened", "action": kind,
            "service_type": service_type, "responsible": "owning_organization",
            "report_id": null, "case_id": null, "status": status,
            "due_at": at, "created_at": at, "completed_at": null, "waiver_reason": null,
            "version": 1
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_referral_carries_the_open_action_of_its_type_due_first() {
        let actions = [
            action(
                1,
                "service_referral",
                Some("school_reintegration"),
                "done",
                1,
            ),
            action(
                2,
                "service_referral",
                Some("school_reintegration"),
                "pending",
                20,
            ),
            action(
                3,
                "service_referral",
                Some("school_reintegration"),
                "overdue",
                10,
            ),
            action(
                4,
                "service_referral",
                Some("psychological_support"),
                "pending",
                2,
            ),
            action(5, "home_visit", None, "pending", 3),
        ];
        let id = |a: Option<&ProtocolActionResponse>| a.map(|a| a.id);
        assert_eq!(
            id(carried_action(&actions, "school_reintegration")),
            Some(actions[2].id)
        );
        assert_eq!(
            id(carried_action(&actions, "psychological_support")),
            Some(actions[3].id)
        );
        assert!(carried_action(&actions, "legal_aid").is_none());
        assert!(carried_action(&actions[..1], "school_reintegration").is_none());
    }
}

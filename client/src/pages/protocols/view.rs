//! A version's rules as a table: each rule's key and description, what fires it (the event
//! and its conditions) and what it asks for (each action, its service type, who answers for
//! it and its deadline); disabled rules are marked. Codes are shown through the reference
//! lists and the screen's own texts, or as the code itself when neither has it.
use madar_openapi::protocols::{ProtocolRule, RuleAction, RuleTrigger};
use madar_openapi::Language;
use yew::prelude::*;

use super::logic::OWNING_ORGANIZATION;
use crate::i18n::{self, Key};
use crate::state::AppContext;

/// What fires a rule, in the page's language.
pub fn event_label(lang: Language, code: &str) -> String {
    let key = match code {
        "report_received" => Key::ProtocolsEventReportReceived,
        "case_opened" => Key::ProtocolsEventCaseOpened,
        "risk_level_reached" => Key::ProtocolsEventRiskLevelReached,
        "concern_present" => Key::ProtocolsEventConcernPresent,
        "stage_reached" => Key::ProtocolsEventStageReached,
        "turning_18_in_institution" => Key::ProtocolsEventTurning18InInstitution,
        "referral_unanswered" => Key::ProtocolsEventReferralUnanswered,
        _ => return code.to_owned(),
    };
    i18n::t(lang, key).to_owned()
}

/// What a rule asks for, in the page's language.
pub fn action_label(lang: Language, code: &str) -> String {
    let key = match code {
        "screen_report" => Key::ProtocolsActionScreenReport,
        "contact_child" => Key::ProtocolsActionContactChild,
        "assessment" => Key::ProtocolsActionAssessment,
        "notify_prosecutor" => Key::ProtocolsActionNotifyProsecutor,
        "medical_exam" => Key::ProtocolsActionMedicalExam,
        "forensic_exam" => Key::ProtocolsActionForensicExam,
        "psychological_support" => Key::ProtocolsActionPsychologicalSupport,
        "service_referral" => Key::ProtocolsActionServiceReferral,
        "home_visit" => Key::ProtocolsActionHomeVisit,
        "transition_plan" => Key::ProtocolsActionTransitionPlan,
        "mobile_unit_contact" => Key::ProtocolsActionMobileUnitContact,
        "follow_up_visit" => Key::ProtocolsActionFollowUpVisit,
        _ => return code.to_owned(),
    };
    i18n::t(lang, key).to_owned()
}

/// Who answers for an action: the organization that owns the file, or an organization type.
pub fn responsible_label(ctx: &AppContext, code: &str) -> String {
    if code == OWNING_ORGANIZATION {
        i18n::t(ctx.lang, Key::ProtocolsOwningOrganization).to_owned()
    } else {
        ctx.vocabulary.label(ctx.lang, "organization_types", code)
    }
}

/// The conditions of a trigger, one line each.
fn conditions(ctx: &AppContext, t: &RuleTrigger) -> Vec<String> {
    let lang = ctx.lang;
    let label = |list: &str, code: &str| ctx.vocabulary.label(lang, list, code);
    let mut out = Vec::new();
    if !t.concerns.is_empty() {
        let names: Vec<String> = t
            .concerns
            .iter()
            .map(|c| label("concern_types", c))
            .collect();
        let list = names.join(if lang.is_rtl() { "، " } else { ", " });
        out.push(i18n::tf(
            lang,
            Key::ProtocolsWhenConcerns,
            &[("list", &list)],
        ));
    }
    if let Some(r) = &t.risk_level {
        let level = label("risk_levels", r);
        out.push(i18n::tf(lang, Key::ProtocolsWhenRisk, &[("level", &level)]));
    }
    if let Some(s) = &t.stage {
        let stage = label("case_stages", s);
        out.push(i18n::tf(
            lang,
            Key::ProtocolsWhenStage,
            &[("stage", &stage)],
        ));
    }
    let age = |a: Option<i32>| a.map(|a| a.to_string());
    match (age(t.min_age), age(t.max_age)) {
        (Some(min), Some(max)) => out.push(i18n::tf(
            lang,
            Key::ProtocolsWhenAges,
            &[("min", &min), ("max", &max)],
        )),
        (Some(min), None) => out.push(i18n::tf(lang, Key::ProtocolsWhenMinAge, &[("min", &min)])),
        (None, Some(max)) => out.push(i18n::tf(lang, Key::ProtocolsWhenMaxAge, &[("max", &max)])),
        (None, None) => {}
    }
    match t.immediate_danger {
        Some(true) => out.push(i18n::t(lang, Key::ProtocolsWhenDanger).to_owned()),
        Some(false) => out.push(i18n::t(lang, Key::ProtocolsWhenNoDanger).to_owned()),
        None => {}
    }
    out
}

fn trigger_cell(ctx: &AppContext, trigger: &Option<RuleTrigger>) -> Html {
    let Some(t) = trigger else {
        return html! { <span class="protocols-muted">{ i18n::t(ctx.lang, Key::ProtocolsNoTrigger) }</span> };
    };
    html! {
        <>
            <strong class="protocols-event" data-code={t.event.clone()}>{ event_label(ctx.lang, &t.event) }</strong>
            <ul class="protocols-conditions">
                { for conditions(ctx, t).into_iter().map(|c| html! { <li>{ c }</li> }) }
            </ul>
        </>
    }
}

fn action_item(ctx: &AppContext, a: &RuleAction) -> Html {
    let lang = ctx.lang;
    let hours = i18n::hours(lang, a.deadline_hours, &a.deadline_hours.to_string());
    html! {
        <li class="protocols-action" data-code={a.action.clone()}>
            <strong>{ action_label(lang, &a.action) }</strong>
            if let Some(s) = &a.service_type {
                { " · " }<span>{ ctx.vocabulary.label(lang, "service_types", s) }</span>
            }
            <br />
            <span class="protocols-muted">{ i18n::tf(lang, Key::ProtocolsBy, &[("who", &responsible_label(ctx, &a.responsible))]) }</span>
            <br />
            <span class="protocols-deadline">{ i18n::tf(lang, Key::ProtocolsWithinHours, &[("hours", &hours)]) }</span>
        </li>
    }
}

fn rule_row(ctx: &AppContext, rule: &ProtocolRule) -> Html {
    let lang = ctx.lang;
    // Each cell names its column, shown when a phone stacks the cells of a row.
    let label = |k| i18n::t(lang, k);
    html! {
        <tr class={classes!("protocols-rule", rule.disabled.then_some("protocols-disabled"))}
            data-key={rule.key.clone()}>
            <th scope="row">
                <bdi class="code" dir="ltr">{ rule.key.clone() }</bdi>
                if rule.disabled {
                    <br /><span class="badge protocols-disabled-badge">{ i18n::t(lang, Key::ProtocolsDisabled) }</span>
                }
            </th>
            <td data-label={label(Key::ProtocolsDescription)}><bdi dir="auto">{ rule.description.clone().unwrap_or_default() }</bdi></td>
            <td data-label={label(Key::ProtocolsTrigger)}>{ trigger_cell(ctx, &rule.trigger) }</td>
            <td data-label={label(Key::ProtocolsActions)}>
                <ul class="protocols-actions">{ for rule.actions.iter().map(|a| action_item(ctx, a)) }</ul>
            </td>
        </tr>
    }
}

/// The rules of a version, as a table.
pub fn rules_table(ctx: &AppContext, rules: &[ProtocolRule]) -> Html {
    let t = |k| i18n::t(ctx.lang, k);
    if rules.is_empty() {
        return html! { <p id="protocol-no-rules" class="empty">{ t(Key::ProtocolsNoRules) }</p> };
    }
    html! {
        <div class="table-wrap">
            <table id="protocol-rules" class="protocols-table protocols-rules">
                <caption>{ t(Key::ProtocolsRules) }</caption>
                <thead><tr>
                    <th scope="col">{ t(Key::ProtocolsKey) }</th>
                    <th scope="col">{ t(Key::ProtocolsDescription) }</th>
                    <th scope="col">{ t(Key::ProtocolsTrigger) }</th>
                    <th scope="col">{ t(Key::ProtocolsActions) }</th>
                </tr></thead>
                <tbody>{ for rules.iter().map(|r| rule_row(ctx, r)) }</tbody>
            </table>
        </div>
    }
}

//! The editor of a draft: each rule's key, description, whether it is disabled, its trigger
//! (event and conditions) and its actions, with buttons that add and remove rules and
//! actions. Each control is labelled; a problem the form or the server found is shown beside
//! the control it names (linked with `aria-describedby`), or at the top of its rule when the
//! rule has no control for it.
use madar_openapi::Language;
use yew::prelude::*;

use super::controls::{
    action_change, change, choices, click, field, problem_on, rule_input, rule_select, select,
    text, Form,
};
use super::logic::{
    has_control, ActionDraft, Located, RuleDraft, ACTIONS, EVENTS, OWNING_ORGANIZATION,
};
use super::view::{action_label, event_label, responsible_label};
use crate::i18n::{self, Key};
use crate::pages::case::form::{area_value, checked, input_value, select_value};
use crate::state::AppContext;

/// The concern types a trigger needs (any of them), as checkboxes.
fn concerns(
    ctx: &AppContext,
    form: &Form,
    i: usize,
    rule: &RuleDraft,
    problem: Option<&str>,
) -> Html {
    let lang = ctx.lang;
    let id = format!("rule-{i}-concerns");
    let boxes = ctx
        .vocabulary
        .items(lang, "concern_types")
        .into_iter()
        .map(|(code, label)| {
            let box_id = format!("{id}-{code}");
            let on = rule.concerns.contains(&code);
            let onchange = {
                let code = code.clone();
                change(form, checked, move |f, on: bool| {
                    if let Some(r) = f.rules.get_mut(i) {
                        r.concerns.retain(|c| *c != code);
                        if on {
                            r.concerns.push(code.clone());
                        }
                    }
                })
            };
            html! {
                <li><input type="checkbox" id={box_id.clone()} checked={on} {onchange} />
                    <label for={box_id}>{ label }</label></li>
            }
        });
    let n = rule.concerns.len().to_string();
    html! {
        <fieldset id={id.clone()} class={classes!("protocols-concerns", problem.map(|_| "protocols-invalid"))}
            aria-describedby={problem.map(|_| format!("{id}-error"))}>
            <legend>{ i18n::t(lang, Key::ProtocolsConcerns) }</legend>
            <details>
                <summary>{ i18n::tf(lang, Key::ProtocolsConcernsChosen, &[("n", &n)]) }</summary>
                <ul class="protocols-checks">{ for boxes }</ul>
            </details>
            if let Some(code) = problem {
                <p class="protocols-field-error" id={format!("{id}-error")}>{ i18n::field_problem(lang, code) }</p>
            }
        </fieldset>
    }
}

fn trigger(
    ctx: &AppContext,
    form: &Form,
    i: usize,
    rule: &RuleDraft,
    problems: &[Located],
) -> Html {
    let lang = ctx.lang;
    let t = |k| i18n::t(lang, k);
    let id = |f: &str| format!("rule-{i}-{f}");
    let on = |f: &str| problem_on(problems, i, f);
    let events: Vec<(String, String)> = EVENTS
        .iter()
        .map(|e| (e.to_string(), event_label(lang, e)))
        .collect();
    let dangers: Vec<(String, String)> = vec![
        ("true".into(), t(Key::ProtocolsDangerYes).into()),
        ("false".into(), t(Key::ProtocolsDangerNo).into()),
    ];
    html! {
        <fieldset class="protocols-trigger-edit">
            <legend>{ t(Key::ProtocolsTrigger) }</legend>
            <div class="protocols-grid">
                { select(lang, (&id("event"), Key::ProtocolsEvent), on("trigger.event"),
                    choices(events, &rule.event, Some(t(Key::ProtocolsNoTrigger))),
                    rule_select(form, i, |r, v| r.event = v)) }
                { select(lang, (&id("risk"), Key::ProtocolsRiskLevel), on("trigger.risk_level"),
                    choices(ctx.vocabulary.items(lang, "risk_levels"), &rule.risk_level, Some(t(Key::ProtocolsAny))),
                    rule_select(form, i, |r, v| r.risk_level = v)) }
                { select(lang, (&id("stage"), Key::ProtocolsStage), on("trigger.stage"),
                    choices(ctx.vocabulary.items(lang, "case_stages"), &rule.stage, Some(t(Key::ProtocolsAny))),
                    rule_select(form, i, |r, v| r.stage = v)) }
                { select(lang, (&id("danger"), Key::ProtocolsImmediateDanger), on("trigger.immediate_danger"),
                    choices(dangers, &rule.immediate_danger, Some(t(Key::ProtocolsAny))),
                    rule_select(form, i, |r, v| r.immediate_danger = v)) }
                { text(lang, (&id("min-age"), Key::ProtocolsMinAge), on("trigger.min_age"),
                    (&rule.min_age, true), rule_input(form, i, |r, v| r.min_age = v)) }
                { text(lang, (&id("max-age"), Key::ProtocolsMaxAge), on("trigger.max_age"),
                    (&rule.max_age, true), rule_input(form, i, |r, v| r.max_age = v)) }
            </div>
            { concerns(ctx, form, i, rule, on("trigger.concerns")) }
        </fieldset>
    }
}

fn action(
    ctx: &AppContext,
    form: &Form,
    (i, j): (usize, usize),
    a: &ActionDraft,
    problems: &[Located],
) -> Html {
    let lang = ctx.lang;
    let t = |k| i18n::t(lang, k);
    let id = |f: &str| format!("rule-{i}-action-{j}-{f}");
    let on = |f: &str| problem_on(problems, i, &format!("actions[{j}].{f}"));
    let actions: Vec<(String, String)> = ACTIONS
        .iter()
        .map(|a| (a.to_string(), action_label(lang, a)))
        .collect();
    let mut responsible = vec![(
        OWNING_ORGANIZATION.to_owned(),
        responsible_label(ctx, OWNING_ORGANIZATION),
    )];
    responsible.extend(ctx.vocabulary.items(lang, "organization_types"));
    let n = (j + 1).to_string();
    let remove = click(form, move |f| {
        if let Some(r) = f.rules.get_mut(i) {
            if j < r.actions.len() {
                r.actions.remove(j);
            }
        }
    });
    html! {
        <li class="protocols-action-edit" key={a.uid.key()} id={format!("rule-{i}-action-{j}")}>
            <p class="protocols-action-title">{ i18n::tf(lang, Key::ProtocolsActionN, &[("n", &n)]) }</p>
            <div class="protocols-grid">
                { select(lang, (&id("action"), Key::ProtocolsAction), on("action"),
                    choices(actions, &a.action, Some("—")),
                    action_change(form, (i, j), select_value, |a, v| a.action = v)) }
                { select(lang, (&id("service"), Key::ProtocolsServiceType), on("service_type"),
                    choices(ctx.vocabulary.items(lang, "service_types"), &a.service_type, Some(t(Key::ProtocolsNoServiceType))),
                    action_change(form, (i, j), select_value, |a, v| a.service_type = v)) }
                { select(lang, (&id("responsible"), Key::ProtocolsResponsible), on("responsible"),
                    choices(responsible, &a.responsible, None),
                    action_change(form, (i, j), select_value, |a, v| a.responsible = v)) }
                { text(lang, (&id("deadline"), Key::ProtocolsDeadlineHours), on("deadline_hours"),
                    (&a.deadline_hours, true), action_change(form, (i, j), input_value, |a, v| a.deadline_hours = v)) }
            </div>
            <button type="button" class="secondary protocols-remove" id={id("remove")} onclick={remove}
                aria-label={i18n::tf(lang, Key::ProtocolsRemoveActionNamed, &[("n", &n)])}>
                { t(Key::ProtocolsRemoveAction) }</button>
        </li>
    }
}

/// The problems of rule `i` (or of the protocol, `None`) that no control shows.
fn loose_problems(lang: Language, id: &str, problems: &[Located], rule: Option<usize>) -> Html {
    let loose: Vec<&Located> = problems
        .iter()
        .filter(|p| p.rule == rule && (rule.is_none() || !has_control(&p.field)))
        .filter(|p| rule.is_some() || p.field != "title")
        .collect();
    if loose.is_empty() {
        return Html::default();
    }
    html! {
        <ul class="protocols-problems error" id={id.to_owned()} tabindex="-1">
            { for loose.into_iter().map(|p| html! {
                <li>
                    if !p.field.is_empty() { <bdi class="code" dir="ltr">{ p.field.clone() }</bdi>{ ": " } }
                    { i18n::field_problem(lang, &p.code) }
                </li>
            }) }
        </ul>
    }
}

fn rule(ctx: &AppContext, form: &Form, i: usize, r: &RuleDraft, problems: &[Located]) -> Html {
    let lang = ctx.lang;
    let t = |k| i18n::t(lang, k);
    let id = |f: &str| format!("rule-{i}-{f}");
    let on = |f: &str| problem_on(problems, i, f);
    let n = (i + 1).to_string();
    let disabled = change(form, checked, move |f, on: bool| {
        if let Some(r) = f.rules.get_mut(i) {
            r.disabled = on
        }
    });
    let description = change(form, area_value, move |f, v| {
        if let Some(r) = f.rules.get_mut(i) {
            r.description = v
        }
    });
    let add_action = click(form, move |f| {
        if let Some(r) = f.rules.get_mut(i) {
            r.actions.push(ActionDraft::default())
        }
    });
    let remove = click(form, move |f| {
        if i < f.rules.len() {
            f.rules.remove(i);
        }
    });
    let invalid = problems.iter().any(|p| p.rule == Some(i));
    let description_id = id("description");
    html! {
        <li key={r.uid.key()}>
        <fieldset id={id("edit")} data-key={r.key.clone()}
            class={classes!("card", "protocols-rule-edit", r.disabled.then_some("protocols-disabled"), invalid.then_some("protocols-rule-invalid"))}>
            <legend>{ i18n::tf(lang, Key::ProtocolsRuleN, &[("n", &n)]) }{ " " }<bdi class="code" dir="ltr">{ r.key.clone() }</bdi></legend>
            { loose_problems(lang, &id("problems"), problems, Some(i)) }
            <div class="protocols-grid">
                { text(lang, (&id("key"), Key::ProtocolsKey), on("key"), (&r.key, true), rule_input(form, i, |r, v| r.key = v)) }
                <div class="field protocols-check">
                    <input type="checkbox" id={id("disabled")} checked={r.disabled} onchange={disabled}
                        aria-invalid={on("disabled").is_some().to_string()}
                        aria-describedby={on("disabled").map(|_| id("disabled-error"))} />
                    <label for={id("disabled")}>{ t(Key::ProtocolsDisableRule) }</label>
                    if let Some(code) = on("disabled") {
                        <p class="protocols-field-error" id={id("disabled-error")}>{ i18n::field_problem(lang, code) }</p>
                    }
                </div>
            </div>
            { field(lang, (&description_id, Key::ProtocolsDescription), on("description"), |described, invalid| html! {
                <textarea id={description_id.clone()} dir="auto" value={r.description.clone()} oninput={description}
                    aria-describedby={described} aria-invalid={invalid} />
            }) }
            { trigger(ctx, form, i, r, problems) }
            <fieldset class="protocols-actions-edit">
                <legend>{ t(Key::ProtocolsActions) }</legend>
                <ol class="protocols-action-list">
                    { for r.actions.iter().enumerate().map(|(j, a)| action(ctx, form, (i, j), a, problems)) }
                </ol>
                <button type="button" class="secondary" id={id("add-action")} onclick={add_action}>{ t(Key::ProtocolsAddAction) }</button>
            </fieldset>
            <button type="button" class="danger protocols-remove" id={id("remove")} onclick={remove}
                aria-label={i18n::tf(lang, Key::ProtocolsRemoveRuleNamed, &[("n", &n)])}>{ t(Key::ProtocolsRemoveRule) }</button>
        </fieldset>
        </li>
    }
}

/// The draft's title and rules, editable; `problems` shown where they belong.
pub fn editor(ctx: &AppContext, form: &Form, problems: &[Located]) -> Html {
    let lang = ctx.lang;
    let title_problem = problems
        .iter()
        .find(|p| p.rule.is_none() && p.field == "title")
        .map(|p| p.code.as_str());
    let title = change(form, input_value, |f, v| f.title = v);
    let add_rule = click(form, |f| {
        f.rules.push(RuleDraft {
            actions: vec![ActionDraft::default()],
            ..RuleDraft::default()
        })
    });
    html! {
        <>
            { text(lang, ("protocol-edit-title", Key::ProtocolsProtocolTitle), title_problem, (&form.title, false), title) }
            { loose_problems(lang, "protocol-problems", problems, None) }
            <ol id="protocol-rules-edit" class="protocols-rule-list">
                { for form.rules.iter().enumerate().map(|(i, r)| rule(ctx, form, i, r, problems)) }
            </ol>
            <p><button type="button" class="secondary" id="rule-add" onclick={add_rule}>
                { i18n::t(lang, Key::ProtocolsAddRule) }</button></p>
        </>
    }
}

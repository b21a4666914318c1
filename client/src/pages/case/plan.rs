//! The case plan (خطة التكفل): objectives per pathway domain with their actions (responsible
//! organization, due date, status); edited whole and saved with `PUT …/plan` (If-Match).
use gloo_net::http::Method;
use madar_openapi::cases::{
    CasePlan, NewPlanAction, NewPlanObjective, PlanActionStatus, ReplacePlan,
};
use madar_openapi::pathway::PathwayDomain;
use madar_openapi::Language;
use validator::Validate;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form::{
    area_value, input_value, non_blank, options, organizations_datalist, select_value, submit,
    use_organizations, Outcome,
};
use crate::api::{self, ApiError, Call};
use crate::components::widgets::{date, datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::state::{AppContext, Vocabulary};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub case_id: String,
    pub on_change: Callback<()>,
    pub closed: bool,
}

#[derive(Clone, PartialEq, Default)]
struct ActionDraft {
    description: String,
    organization: String,
    due: String,
    status: PlanActionStatus,
}

#[derive(Clone, PartialEq, Default)]
struct ObjectiveDraft {
    domain: String,
    description: String,
    actions: Vec<ActionDraft>,
}

fn drafts_of(plan: Option<&CasePlan>) -> Vec<ObjectiveDraft> {
    let Some(plan) = plan else {
        return vec![ObjectiveDraft::default()];
    };
    plan.objectives
        .iter()
        .map(|o| ObjectiveDraft {
            domain: Vocabulary::code_of(&o.domain),
            description: o.description.clone(),
            actions: o
                .actions
                .iter()
                .map(|a| ActionDraft {
                    description: a.description.clone(),
                    organization: a.responsible_organization.clone().unwrap_or_default(),
                    due: a.due_date.map(|d| d.to_string()).unwrap_or_default(),
                    status: a.status,
                })
                .collect(),
        })
        .collect()
}

/// The plan to send, or `None` when an objective has no domain or a date is not one.
fn plan_of(drafts: &[ObjectiveDraft]) -> Option<ReplacePlan> {
    let mut objectives = Vec::new();
    for d in drafts {
        let domain: PathwayDomain = crate::json::code(&d.domain)?;
        let mut actions = Vec::new();
        for a in d
            .actions
            .iter()
            .filter(|a| !a.description.trim().is_empty())
        {
            let due_date = match non_blank(&a.due) {
                Some(text) => Some(text.parse().ok()?),
                None => None,
            };
            actions.push(NewPlanAction {
                description: a.description.trim().to_owned(),
                responsible_organization: non_blank(&a.organization),
                due_date,
                status: a.status,
            });
        }
        objectives.push(NewPlanObjective {
            domain,
            description: d.description.trim().to_owned(),
            actions,
        });
    }
    Some(ReplacePlan { objectives })
}

type Loaded = Result<Option<(CasePlan, String)>, ApiError>;

async fn load(case_id: &str) -> Loaded {
    match api::get_tagged::<CasePlan>(&format!("/cases/{case_id}/plan")).await {
        Ok(plan) => Ok(Some(plan)),
        Err(e) if e.status() == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn action_status(lang: Language, status: &PlanActionStatus) -> &'static str {
    match status {
        PlanActionStatus::Planned => i18n::t(lang, Key::CaseActionPlanned),
        PlanActionStatus::InProgress => i18n::t(lang, Key::CaseActionInProgress),
        PlanActionStatus::Done => i18n::t(lang, Key::CaseActionDone),
        PlanActionStatus::Cancelled => i18n::t(lang, Key::CaseActionCancelled),
    }
}

fn view_plan(lang: Language, vocabulary: &Vocabulary, plan: &CasePlan) -> Html {
    html! {
        <div id="plan-view">
            <p class="case-meta">{ super::assessment::status(lang, &Vocabulary::code_of(&plan.status)) }
                { " · " }{ datetime(lang, &plan.updated_at) }</p>
            <ol class="case-objectives">
                { for plan.objectives.iter().map(|o| html! {
                    <li class="case-objective">
                        <p><strong>{ vocabulary.label_of(lang, "pathway_domains", &o.domain) }</strong>
                            { ": " }{ o.description.clone() }</p>
                        if !o.actions.is_empty() {
                            <ul class="case-plan-actions">
                                { for o.actions.iter().map(|a| html! {
                                    <li>
                                        { a.description.clone() }
                                        if let Some(org) = &a.responsible_organization {
                                            { " · " }<bdi class="code">{ org.clone() }</bdi>
                                        }
                                        if let Some(due) = &a.due_date {
                                            { " · " }{ date(lang, due) }
                                        }
                                        { " · " }<span class="case-badge">{ action_status(lang, &a.status) }</span>
                                    </li>
                                }) }
                            </ul>
                        }
                    </li>
                }) }
            </ol>
        </div>
    }
}

#[function_component(PlanSection)]
pub fn plan_section(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let loaded = use_state(|| None::<Loaded>);
    let version = use_state(|| 0_u32);
    let drafts = use_state(|| None::<Vec<ObjectiveDraft>>);
    let outcome = use_state(Outcome::default);
    let organizations = use_organizations(ctx.as_ref().map(|c| c.lang).unwrap_or_default());
    {
        let loaded = loaded.clone();
        use_effect_with((props.case_id.clone(), *version), move |(id, _)| {
            let id = id.clone();
            spawn_local(async move { loaded.set(Some(load(&id).await)) });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let title = html! { <h2 id="plan-title">{ i18n::t(lang, Key::CasePlanTitle) }</h2> };
    let current = match &*loaded {
        None => return html! { <section class="card">{ title }<Loading busy=true /></section> },
        Some(Err(e)) => {
            return html! { <section class="card">{ title }<ProblemMessage error={e.clone()} /></section> }
        }
        Some(Ok(current)) => current.clone(),
    };
    let edit = {
        let (drafts, plan) = (drafts.clone(), current.clone());
        Callback::from(move |_| drafts.set(Some(drafts_of(plan.as_ref().map(|(p, _)| p)))))
    };
    let onsubmit = {
        let (drafts, outcome, version, on_change) = (
            drafts.clone(),
            outcome.clone(),
            version.clone(),
            props.on_change.clone(),
        );
        let (etag, case_id) = (
            current.as_ref().map(|(_, t)| t.clone()),
            props.case_id.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(list) = &*drafts else { return };
            let Some(body) = plan_of(list).filter(|b| b.validate().is_ok()) else {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::CasePlanIncomplete).to_owned(),
                ));
                return;
            };
            outcome.set(Outcome::Busy);
            let (drafts, outcome, version, on_change, etag, case_id) = (
                drafts.clone(),
                outcome.clone(),
                version.clone(),
                on_change.clone(),
                etag.clone(),
                case_id.clone(),
            );
            spawn_local(async move {
                let path = format!("/cases/{case_id}/plan");
                let mut call = Call::new(Method::PUT, &path).json(&body);
                if let Some(etag) = &etag {
                    call = call.if_match(etag);
                }
                match call.send().await {
                    Ok(_) => {
                        outcome.set(Outcome::Done(i18n::t(lang, Key::CasePlanSaved).to_owned()));
                        drafts.set(None);
                        version.set(version.wrapping_add(1));
                        on_change.emit(());
                    }
                    Err(e) if e.status() == Some(412) => {
                        outcome.set(Outcome::Invalid(
                            i18n::t(lang, Key::CasePlanConflict).to_owned(),
                        ));
                        version.set(version.wrapping_add(1));
                    }
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    html! {
        <section class="card case-plan" aria-labelledby="plan-title">
            { title }
            if let Some((plan, _)) = &current {
                { view_plan(lang, &ctx.vocabulary, plan) }
            } else {
                <p class="empty">{ i18n::t(lang, Key::CaseNoPlan) }</p>
            }
            { outcome.view("plan-result") }
            if !props.closed && drafts.is_none() {
                <button type="button" id="plan-edit" class="secondary" onclick={edit}>
                    { i18n::t(lang, if current.is_some() { Key::CaseEditPlan } else { Key::CaseWritePlan }) }
                </button>
            }
            if let Some(list) = &*drafts {
                <form id="plan-form" class="case-form" novalidate=true {onsubmit}>
                    { organizations_datalist("plan-organizations", &organizations) }
                    { for list.iter().enumerate().map(|(i, o)| objective_editor(lang, &ctx.vocabulary, &drafts, i, o)) }
                    <div class="case-buttons">
                        <button type="button" id="plan-add-objective" class="secondary"
                            onclick={let drafts = drafts.clone(); move |_| change(&drafts, |l| l.push(ObjectiveDraft::default()))}>
                            { i18n::t(lang, Key::CaseAddObjective) }</button>
                        { submit("plan-submit", i18n::t(lang, Key::CaseSavePlan), outcome.busy()) }
                        <button type="button" class="secondary"
                            onclick={let drafts = drafts.clone(); move |_| drafts.set(None)}>
                            { i18n::t(lang, Key::CaseCancel) }</button>
                    </div>
                </form>
            }
        </section>
    }
}

fn change(
    drafts: &UseStateHandle<Option<Vec<ObjectiveDraft>>>,
    f: impl FnOnce(&mut Vec<ObjectiveDraft>),
) {
    let mut list = (**drafts).clone().unwrap_or_default();
    f(&mut list);
    drafts.set(Some(list));
}

fn objective_editor(
    lang: Language,
    vocabulary: &Vocabulary,
    drafts: &UseStateHandle<Option<Vec<ObjectiveDraft>>>,
    i: usize,
    o: &ObjectiveDraft,
) -> Html {
    let on_domain = {
        let drafts = drafts.clone();
        Callback::from(move |e: Event| {
            let v = select_value(&e);
            change(&drafts, |l| {
                if let Some(o) = l.get_mut(i) {
                    o.domain = v
                }
            });
        })
    };
    let on_description = {
        let drafts = drafts.clone();
        Callback::from(move |e: InputEvent| {
            let v = area_value(&e);
            change(&drafts, |l| {
                if let Some(o) = l.get_mut(i) {
                    o.description = v
                }
            });
        })
    };
    let add_action = {
        let drafts = drafts.clone();
        Callback::from(move |_| {
            change(&drafts, |l| {
                if let Some(o) = l.get_mut(i) {
                    o.actions.push(ActionDraft::default())
                }
            })
        })
    };
    let remove = {
        let drafts = drafts.clone();
        Callback::from(move |_| {
            change(&drafts, |l| {
                if i < l.len() {
                    l.remove(i);
                }
            })
        })
    };
    html! {
        <fieldset class="case-objective-editor" id={format!("objective-{i}")}>
            <legend>{ i18n::tf(lang, Key::CaseObjectiveN, &[("n", &(i + 1).to_string())]) }</legend>
            <div class="field">
                <label for={format!("objective-{i}-domain")}>{ i18n::t(lang, Key::CaseDomain) }</label>
                <select id={format!("objective-{i}-domain")} onchange={on_domain}>
                    { options(&vocabulary.items(lang, "pathway_domains"), &o.domain, Some(i18n::t(lang, Key::CaseChoose))) }
                </select>
            </div>
            <div class="field">
                <label for={format!("objective-{i}-description")}>{ i18n::t(lang, Key::CaseObjective) }</label>
                <textarea id={format!("objective-{i}-description")} rows="2" value={o.description.clone()}
                    oninput={on_description} />
            </div>
            { for o.actions.iter().enumerate().map(|(j, a)| action_editor(lang, drafts, i, j, a)) }
            <div class="case-buttons">
                <button type="button" class="secondary" id={format!("plan-add-action-{i}")} onclick={add_action}>
                    { i18n::t(lang, Key::CaseAddAction) }</button>
                <button type="button" class="secondary" onclick={remove}>{ i18n::t(lang, Key::CaseRemove) }</button>
            </div>
        </fieldset>
    }
}

fn action_editor(
    lang: Language,
    drafts: &UseStateHandle<Option<Vec<ObjectiveDraft>>>,
    i: usize,
    j: usize,
    a: &ActionDraft,
) -> Html {
    let set = |field: fn(&mut ActionDraft, String)| {
        let drafts = drafts.clone();
        Callback::from(move |e: InputEvent| {
            let v = input_value(&e);
            change(&drafts, |l| {
                if let Some(a) = l.get_mut(i).and_then(|o| o.actions.get_mut(j)) {
                    field(a, v)
                }
            });
        })
    };
    let id = |name: &str| format!("action-{i}-{j}-{name}");
    html! {
        <div class="case-action-editor">
            <div class="field">
                <label for={id("description")}>{ i18n::t(lang, Key::CaseActionDescription) }</label>
                <input id={id("description")} value={a.description.clone()}
                    oninput={set(|a, v| a.description = v)} />
            </div>
            <div class="field">
                <label for={id("org")}>{ i18n::t(lang, Key::CaseResponsibleOrganization) }</label>
                <input id={id("org")} dir="ltr" list="plan-organizations" value={a.organization.clone()}
                    oninput={set(|a, v| a.organization = v)} />
            </div>
            <div class="field">
                <label for={id("due")}>{ i18n::t(lang, Key::CaseDueDate) }</label>
                <input id={id("due")} type="date" value={a.due.clone()} oninput={set(|a, v| a.due = v)} />
            </div>
        </div>
    }
}

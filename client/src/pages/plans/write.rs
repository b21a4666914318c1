//! Writing plans, for coordinators: a new plan for their territory; on a plan not closed, an
//! objective or a measure (with an indicator whose values progress records) added, the plan
//! adopted or closed (`PATCH` with `If-Match`); and on an active plan, progress recorded on a
//! measure (`POST …/progress`). Each form is checked by [`super::draft`] before sending.
use std::rc::Rc;

use madar_openapi::plans::{
    ActionPlanObjective, ActionPlanResponse, ActionPlanStatus, PlanMeasureStatus,
    PlanProgressResponse, UpdateActionPlan,
};
use madar_openapi::Language;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::draft::{add_objective, Errors, MeasureDraft, PlanDraft, ProgressDraft};
use crate::api;
use crate::components::widgets::confirm;
use crate::i18n::{self, Key};
use crate::pages::case::form::{options, set_area, set_select, set_text, submit, Outcome};
use crate::pages::new_report::form::code;
use crate::state::{AppContext, Vocabulary};

/// A plan as read, with the `ETag` its changes send back.
#[derive(Clone)]
pub struct Loaded {
    pub plan: Rc<ActionPlanResponse>,
    pub etag: String,
}

impl PartialEq for Loaded {
    fn eq(&self, other: &Loaded) -> bool {
        self.plan.id == other.plan.id
            && self.plan.version == other.plan.version
            && self.etag == other.etag
    }
}

/// What a refused form shows: the first error's message.
fn refused(lang: Language, errors: &Errors) -> Outcome {
    let first = errors
        .first()
        .map(|(_, code)| i18n::field_problem(lang, code));
    Outcome::Invalid(format!(
        "{} {}",
        i18n::t(lang, Key::PlansCheckFields),
        first.unwrap_or_default()
    ))
}

fn field(id: &str, label: &str, control: Html) -> Html {
    html! {
        <div class="field">
            <label for={id.to_owned()}>{ label.to_owned() }</label>
            { control }
        </div>
    }
}

fn text_input(id: &str, kind: &str, state: &UseStateHandle<String>) -> Html {
    html! { <input id={id.to_owned()} type={kind.to_owned()} value={(**state).clone()} oninput={set_text(state)} /> }
}

#[derive(Properties, PartialEq)]
pub struct NewPlanProps {
    pub territory: String,
    /// Told the new plan's id.
    pub on_created: Callback<String>,
}

/// A new plan (a draft) for the coordinator's territory.
#[function_component(NewPlan)]
pub fn new_plan(props: &NewPlanProps) -> Html {
    let ctx = use_context::<AppContext>();
    let (title, starts, ends) = (
        use_state(String::new),
        use_state(String::new),
        use_state(String::new),
    );
    let outcome = use_state(Outcome::default);
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let t = |k| i18n::t(lang, k);
    let onsubmit = {
        let (title, starts, ends, outcome) =
            (title.clone(), starts.clone(), ends.clone(), outcome.clone());
        let (territory, on_created) = (props.territory.clone(), props.on_created.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let draft = PlanDraft {
                title: (*title).clone(),
                starts_on: (*starts).clone(),
                ends_on: (*ends).clone(),
            };
            let request = match draft.to_create(&territory) {
                Ok(r) => r,
                Err(errors) => return outcome.set(refused(lang, &errors)),
            };
            outcome.set(Outcome::Busy);
            let (outcome, on_created) = (outcome.clone(), on_created.clone());
            spawn_local(async move {
                match api::post::<_, ActionPlanResponse>("/plans", &request).await {
                    Ok(plan) => {
                        outcome.set(Outcome::Done(i18n::t(lang, Key::PlansCreated).to_owned()));
                        on_created.emit(plan.id.to_string());
                    }
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    html! {
        <section class="card plans-new" id="plan-new" aria-labelledby="plan-new-title">
            <h2 id="plan-new-title">{ t(Key::PlansNewPlan) }</h2>
            <form id="plan-form" class="case-form" novalidate=true {onsubmit}>
                { field("plan-title-input", t(Key::PlansPlanTitle), text_input("plan-title-input", "text", &title)) }
                { field("plan-starts", t(Key::PlansStartsOn), text_input("plan-starts", "date", &starts)) }
                { field("plan-ends", t(Key::PlansEndsOn), text_input("plan-ends", "date", &ends)) }
                { submit("plan-submit", t(Key::PlansCreatePlan), outcome.busy()) }
            </form>
            { outcome.view("plan-new-result") }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct WriterProps {
    pub loaded: Loaded,
    /// Told after a change, so the plan is read again.
    pub on_saved: Callback<()>,
}

/// Sends a change of the plan with its `ETag`; tells `on_saved` or shows the refusal.
fn change(
    loaded: &Loaded,
    body: UpdateActionPlan,
    outcome: &UseStateHandle<Outcome>,
    on_saved: &Callback<()>,
    lang: Language,
) {
    outcome.set(Outcome::Busy);
    let (path, etag) = (format!("/plans/{}", loaded.plan.id), loaded.etag.clone());
    let (outcome, on_saved) = (outcome.clone(), on_saved.clone());
    spawn_local(async move {
        match api::patch::<_, ActionPlanResponse>(&path, &etag, &body).await {
            Ok(_) => {
                outcome.set(Outcome::Done(i18n::t(lang, Key::PlansSaved).to_owned()));
                on_saved.emit(());
            }
            Err(e) => outcome.set(Outcome::Failed(e)),
        }
    });
}

fn contents(objectives: Vec<ActionPlanObjective>) -> UpdateActionPlan {
    UpdateActionPlan {
        title: None,
        starts_on: None,
        ends_on: None,
        status: None,
        objectives: Some(objectives),
    }
}

/// The plan's writing controls: its status, a new objective, a new measure of an objective,
/// and progress on a measure (active plans).
#[function_component(PlanWriter)]
pub fn plan_writer(props: &WriterProps) -> Html {
    let ctx = use_context::<AppContext>();
    let outcome = use_state(Outcome::default);
    let objective_title = use_state(String::new);
    // The objective a measure is being added to, and the measure's fields.
    let adding_to = use_state(String::new);
    let m = (
        use_state(String::new),
        use_state(String::new),
        use_state(String::new),
        use_state(String::new),
        use_state(String::new),
        use_state(String::new),
        use_state(String::new),
        use_state(String::new),
    );
    // The measure whose progress is being recorded, and the progress fields.
    let recording = use_state(String::new);
    let p_status = use_state(|| "in_progress".to_owned());
    let (p_percent, p_as_of, p_note) = (
        use_state(String::new),
        use_state(String::new),
        use_state(String::new),
    );
    let p_values = use_state(Vec::<(String, String)>::new);
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let t = |k| i18n::t(lang, k);
    let plan = props.loaded.plan.clone();
    if plan.status == ActionPlanStatus::Closed {
        return Html::default();
    }

    let status_button = {
        let (next, label, question) = match plan.status {
            ActionPlanStatus::Draft => (
                ActionPlanStatus::Active,
                Key::PlansAdopt,
                Key::PlansAdoptConfirm,
            ),
            _ => (
                ActionPlanStatus::Closed,
                Key::PlansClosePlan,
                Key::PlansCloseConfirm,
            ),
        };
        let (loaded, outcome, on_saved) = (
            props.loaded.clone(),
            outcome.clone(),
            props.on_saved.clone(),
        );
        let onclick = Callback::from(move |_: MouseEvent| {
            if confirm(i18n::t(lang, question)) {
                let body = UpdateActionPlan {
                    title: None,
                    starts_on: None,
                    ends_on: None,
                    status: Some(next),
                    objectives: None,
                };
                change(&loaded, body, &outcome, &on_saved, lang);
            }
        });
        html! { <button type="button" id="plan-status-next" class="secondary" {onclick}>{ t(label) }</button> }
    };

    let on_objective = {
        let (loaded, outcome, on_saved, title) = (
            props.loaded.clone(),
            outcome.clone(),
            props.on_saved.clone(),
            objective_title.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match add_objective(&loaded.plan.objectives, &title) {
                Ok(objectives) => {
                    title.set(String::new());
                    change(&loaded, contents(objectives), &outcome, &on_saved, lang);
                }
                Err(errors) => outcome.set(refused(lang, &errors)),
            }
        })
    };

    let measure_form = if adding_to.is_empty() {
        Html::default()
    } else {
        let (title, budget, starts, ends, expected, indicator, baseline, target) = &m;
        let onsubmit = {
            let (loaded, outcome, on_saved, adding_to) = (
                props.loaded.clone(),
                outcome.clone(),
                props.on_saved.clone(),
                adding_to.clone(),
            );
            let m = m.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let draft = MeasureDraft {
                    title: (*m.0).clone(),
                    budget: (*m.1).clone(),
                    starts_on: (*m.2).clone(),
                    ends_on: (*m.3).clone(),
                    expected: (*m.4).clone(),
                    indicator: (*m.5).clone(),
                    baseline: (*m.6).clone(),
                    target: (*m.7).clone(),
                };
                match draft.add_to(&loaded.plan.objectives, &adding_to) {
                    Ok(objectives) => {
                        for s in [&m.0, &m.1, &m.2, &m.3, &m.4, &m.5, &m.6, &m.7] {
                            s.set(String::new());
                        }
                        adding_to.set(String::new());
                        change(&loaded, contents(objectives), &outcome, &on_saved, lang);
                    }
                    Err(errors) => outcome.set(refused(lang, &errors)),
                }
            })
        };
        html! {
            <form id="measure-form" class="case-form" novalidate=true {onsubmit}>
                <h3>{ t(Key::PlansAddMeasure) }</h3>
                { field("measure-title", t(Key::PlansMeasureTitle), text_input("measure-title", "text", title)) }
                { field("measure-budget", t(Key::PlansBudget), text_input("measure-budget", "text", budget)) }
                { field("measure-starts", t(Key::PlansStartsOn), text_input("measure-starts", "date", starts)) }
                { field("measure-ends", t(Key::PlansEndsOn), text_input("measure-ends", "date", ends)) }
                { field("measure-expected", t(Key::PlansExpectedResults), html! {
                    <textarea id="measure-expected" rows="2" value={(**expected).clone()} oninput={set_area(expected)} /> }) }
                { field("measure-indicator", t(Key::PlansIndicatorName), text_input("measure-indicator", "text", indicator)) }
                { field("measure-baseline", t(Key::PlansBaseline), text_input("measure-baseline", "text", baseline)) }
                { field("measure-target", t(Key::PlansTarget), text_input("measure-target", "text", target)) }
                { submit("measure-submit", t(Key::PlansAddMeasure), outcome.busy()) }
            </form>
        }
    };

    let objectives: Html = plan.objectives.iter().map(|o| {
        let onclick = { let (adding_to, key) = (adding_to.clone(), o.key.clone()); Callback::from(move |_: MouseEvent| adding_to.set(key.clone())) };
        html! {
            <li class="plans-objective" data-key={o.key.clone()}>
                <bdi>{ o.title.clone() }</bdi>{ " " }
                <button type="button" class="secondary plans-add-measure" {onclick}
                    aria-label={format!("{} — {}", t(Key::PlansAddMeasure), o.title)}>{ t(Key::PlansAddMeasure) }</button>
            </li>
        }
    }).collect();

    let progress_form = if plan.status != ActionPlanStatus::Active || recording.is_empty() {
        Html::default()
    } else {
        let measure = plan
            .objectives
            .iter()
            .flat_map(|o| &o.measures)
            .find(|m| m.key == *recording);
        let title = measure.map(|m| m.title.clone()).unwrap_or_default();
        let statuses: Vec<(String, String)> = [
            (PlanMeasureStatus::Planned, Key::PlansMeasurePlanned),
            (PlanMeasureStatus::InProgress, Key::PlansMeasureInProgress),
            (PlanMeasureStatus::Done, Key::PlansMeasureDone),
            (PlanMeasureStatus::Delayed, Key::PlansMeasureDelayed),
            (PlanMeasureStatus::Cancelled, Key::PlansMeasureCancelled),
        ]
        .into_iter()
        .map(|(s, k)| (Vocabulary::code_of(&s), t(k).to_owned()))
        .collect();
        let onsubmit = {
            let (loaded, outcome, on_saved, recording) = (
                props.loaded.clone(),
                outcome.clone(),
                props.on_saved.clone(),
                recording.clone(),
            );
            let (status, percent, as_of, note, values) = (
                p_status.clone(),
                p_percent.clone(),
                p_as_of.clone(),
                p_note.clone(),
                p_values.clone(),
            );
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let status = code(&status).unwrap_or(PlanMeasureStatus::InProgress);
                let draft = ProgressDraft {
                    status,
                    percent: (*percent).clone(),
                    as_of: (*as_of).clone(),
                    note: (*note).clone(),
                    values: (*values).clone(),
                };
                let record = match draft.to_record(&recording) {
                    Ok(r) => r,
                    Err(errors) => return outcome.set(refused(lang, &errors)),
                };
                outcome.set(Outcome::Busy);
                let path = format!("/plans/{}/progress", loaded.plan.id);
                let (outcome, on_saved, recording) =
                    (outcome.clone(), on_saved.clone(), recording.clone());
                let (percent, note, values) = (percent.clone(), note.clone(), values.clone());
                spawn_local(async move {
                    match api::post::<_, PlanProgressResponse>(&path, &record).await {
                        Ok(_) => {
                            outcome.set(Outcome::Done(
                                i18n::t(lang, Key::PlansProgressSaved).to_owned(),
                            ));
                            for s in [&percent, &note] {
                                s.set(String::new());
                            }
                            values.set(Vec::new());
                            recording.set(String::new());
                            on_saved.emit(());
                        }
                        Err(e) => outcome.set(Outcome::Failed(e)),
                    }
                });
            })
        };
        let typed: Vec<(String, String)> = measure
            .map(|m| {
                m.indicators
                    .iter()
                    .filter(|i| i.statistics_query.is_none() && i.ministry_indicator.is_none())
                    .map(|i| (i.key.clone(), i.name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        html! {
            <form id="progress-form" class="case-form" novalidate=true {onsubmit}>
                <h3>{ t(Key::PlansRecordProgress) }{ " — " }<bdi>{ title }</bdi></h3>
                { field("progress-status", t(Key::PlansState), html! {
                    <select id="progress-status" onchange={set_select(&p_status)}>{ options(&statuses, &p_status, None) }</select> }) }
                { field("progress-percent", t(Key::PlansPercent), html! {
                    <input id="progress-percent" type="number" min="0" max="100" value={(*p_percent).clone()} oninput={set_text(&p_percent)} /> }) }
                { field("progress-as-of", t(Key::PlansAsOf), text_input("progress-as-of", "date", &p_as_of)) }
                { for typed.into_iter().map(|(key, name)| {
                    let id = format!("progress-value-{key}");
                    let value = p_values.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()).unwrap_or_default();
                    let oninput = {
                        let (values, key) = (p_values.clone(), key.clone());
                        Callback::from(move |e: InputEvent| {
                            let text = crate::pages::case::form::input_value(&e);
                            let mut next: Vec<(String, String)> = values.iter().filter(|(k, _)| *k != key).cloned().collect();
                            next.push((key.clone(), text));
                            values.set(next);
                        })
                    };
                    html! {
                        <div class="field">
                            <label for={id.clone()}><bdi>{ name }</bdi></label>
                            <input {id} type="text" inputmode="decimal" {value} {oninput} />
                        </div>
                    }
                }) }
                { field("progress-note", t(Key::PlansNote), html! {
                    <textarea id="progress-note" rows="2" value={(*p_note).clone()} oninput={set_area(&p_note)} /> }) }
                { submit("progress-submit", t(Key::PlansSaveProgress), outcome.busy()) }
            </form>
        }
    };

    let record_buttons: Html = if plan.status == ActionPlanStatus::Active {
        plan.measures.iter().map(|state| {
            let title = plan.objectives.iter().flat_map(|o| &o.measures).find(|m| m.key == state.measure)
                .map(|m| m.title.clone()).unwrap_or_else(|| state.measure.clone());
            let onclick = {
                let (recording, key, as_of) = (recording.clone(), state.measure.clone(), p_as_of.clone());
                Callback::from(move |_: MouseEvent| {
                    if as_of.is_empty() {
                        as_of.set(crate::pages::case::form::now().date_naive().to_string());
                    }
                    recording.set(key.clone());
                })
            };
            html! {
                <li><button type="button" class="secondary plans-record" data-measure={state.measure.clone()} {onclick}>
                    { t(Key::PlansRecordProgress) }{ " — " }<bdi>{ title }</bdi></button></li>
            }
        }).collect()
    } else {
        Html::default()
    };

    html! {
        <section class="card plans-writer" id="plan-writer" aria-labelledby="plan-writer-title">
            <h2 id="plan-writer-title">{ t(Key::PlansWrite) }</h2>
            <p>{ status_button }</p>
            <ul class="plans-objectives" id="plan-objectives">{ objectives }</ul>
            { measure_form }
            <form id="objective-form" class="case-form" novalidate=true onsubmit={on_objective}>
                { field("objective-title", t(Key::PlansObjectiveTitle), text_input("objective-title", "text", &objective_title)) }
                { submit("objective-submit", t(Key::PlansAddObjective), outcome.busy()) }
            </form>
            if plan.status == ActionPlanStatus::Active {
                <ul class="plans-record-list" id="plan-record">{ record_buttons }</ul>
            }
            { progress_form }
            { outcome.view("plan-write-result") }
        </section>
    }
}

//! The risk assessment: the instrument's items by domain, the level they give as the worker
//! answers, the override with its justification, and the assessments recorded.
use std::collections::BTreeMap;
use std::rc::Rc;

use madar_openapi::cases::{AssessmentInstrument, AssessmentResponse, CreateAssessment, RiskLevel};
use madar_openapi::Page;
use validator::Validate;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form::{non_blank, options, pick, select_value, set_area, set_select, submit, Outcome};
use super::rules::compute_level;
use crate::api::{self, ApiError};
use crate::components::widgets::{datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::state::{AppContext, Vocabulary};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub case_id: String,
    pub on_change: Callback<()>,
    pub closed: bool,
}

type Loaded = Result<(Rc<AssessmentInstrument>, Rc<Vec<AssessmentResponse>>), ApiError>;

async fn load(case_id: &str) -> Loaded {
    let instruments: Page<AssessmentInstrument> = api::get("/assessment-instruments").await?;
    let Some(instrument) = instruments
        .items
        .into_iter()
        .max_by_key(|i| (i.code == "madar_risk", i.version))
    else {
        return Err(ApiError::Decode);
    };
    let done: Page<AssessmentResponse> =
        api::get(&format!("/cases/{case_id}/assessments?limit=10")).await?;
    Ok((Rc::new(instrument), Rc::new(done.items)))
}

#[function_component(AssessmentSection)]
pub fn assessment_section(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let loaded = use_state(|| None::<Loaded>);
    let version = use_state(|| 0_u32);
    let answers = use_state(BTreeMap::<String, String>::new);
    let level = use_state(String::new);
    let justification = use_state(String::new);
    let outcome = use_state(Outcome::default);
    let open = use_state(|| false);
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
    let vocabulary: &Vocabulary = &ctx.vocabulary;
    let title =
        html! { <h2 id="assessment-title">{ i18n::t(lang, Key::CaseAssessmentTitle) }</h2> };
    let (instrument, done) = match &*loaded {
        None => return html! { <section class="card">{ title }<Loading busy=true /></section> },
        Some(Err(e)) => {
            return html! { <section class="card">{ title }<ProblemMessage error={e.clone()} /></section> }
        }
        Some(Ok((instrument, done))) => (instrument.clone(), done.clone()),
    };
    let (score, computed, complete) = compute_level(&instrument, &answers);
    let onsubmit = {
        let (answers, level, justification, outcome, version, on_change, open) = (
            answers.clone(),
            level.clone(),
            justification.clone(),
            outcome.clone(),
            version.clone(),
            props.on_change.clone(),
            open.clone(),
        );
        let (instrument, case_id) = (instrument.clone(), props.case_id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let risk_level = crate::json::code::<RiskLevel>(&level);
            let (_, computed, complete) = compute_level(&instrument, &answers);
            let overridden = risk_level.is_some_and(|l| l != computed);
            let body = CreateAssessment {
                instrument: instrument.code.clone(),
                version: instrument.version,
                answers: (*answers).clone(),
                risk_level: risk_level.filter(|_| overridden),
                override_justification: if overridden {
                    non_blank(&justification)
                } else {
                    None
                },
            };
            if !complete {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::CaseAnswerEveryItem).to_owned(),
                ));
                return;
            }
            if body.validate().is_err() || (overridden && body.override_justification.is_none()) {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::CaseJustificationNeeded).to_owned(),
                ));
                return;
            }
            outcome.set(Outcome::Busy);
            let (outcome, version, on_change, answers, open, case_id) = (
                outcome.clone(),
                version.clone(),
                on_change.clone(),
                answers.clone(),
                open.clone(),
                case_id.clone(),
            );
            spawn_local(async move {
                let path = format!("/cases/{case_id}/assessments");
                match api::post::<_, AssessmentResponse>(&path, &body).await {
                    Ok(_) => {
                        outcome.set(Outcome::Done(
                            i18n::t(lang, Key::CaseAssessmentSaved).to_owned(),
                        ));
                        answers.set(BTreeMap::new());
                        open.set(false);
                        version.set(version.wrapping_add(1));
                        on_change.emit(());
                    }
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let label = |l: &RiskLevel| vocabulary.label_of(lang, "risk_levels", l);
    let latest = done.first().map(|a| {
        html! {
            <div id="assessment-latest" class="case-assessment-latest">
                <p>
                    { i18n::t(lang, Key::CaseComputedLevel) }{ ": " }
                    <strong id="assessment-computed" class={classes!("case-level", Vocabulary::code_of(&a.computed_level))}>
                        { label(&a.computed_level) }</strong>
                    { " · " }{ i18n::tf(lang, Key::CaseScore, &[("n", &a.score.to_string())]) }
                </p>
                <p>
                    { i18n::t(lang, Key::CaseRetainedLevel) }{ ": " }
                    <strong id="assessment-level">{ label(&a.risk_level) }</strong>
                    if a.overridden { { " " }<span class="case-badge">{ i18n::t(lang, Key::CaseOverridden) }</span> }
                    { " · " }{ status_label(lang, &Vocabulary::code_of(&a.status)) }
                    { " · " }{ datetime(lang, &a.assessed_at) }
                </p>
            </div>
        }
    });
    html! {
        <section class="card case-assessment" aria-labelledby="assessment-title">
            { title }
            if done.is_empty() {
                <p class="empty">{ i18n::t(lang, Key::CaseNoAssessment) }</p>
            }
            { for latest }
            { outcome.view("assessment-result") }
            if !props.closed && !*open {
                <button type="button" id="assessment-start" class="secondary"
                    onclick={let open = open.clone(); move |_| open.set(true)}>
                    { i18n::t(lang, Key::CaseNewAssessment) }</button>
            }
            if !props.closed && *open {
                <form id="assessment-form" class="case-form" novalidate=true {onsubmit}>
                    <p class="case-instrument">{ pick(&instrument.labels, lang) }</p>
                    { for instrument.domains.iter().map(|domain| html! {
                        <fieldset class="case-domain">
                            <legend>{ pick(&domain.labels, lang) }</legend>
                            { for domain.items.iter().map(|item| {
                                let id = format!("item-{}", item.code);
                                let items: Vec<(String, String)> = item.options.iter()
                                    .map(|o| (o.code.clone(), pick(&o.labels, lang))).collect();
                                let chosen = answers.get(&item.code).cloned().unwrap_or_default();
                                let onchange = {
                                    let (answers, code) = (answers.clone(), item.code.clone());
                                    Callback::from(move |e: Event| {
                                        let mut next = (*answers).clone();
                                        next.insert(code.clone(), select_value(&e));
                                        answers.set(next);
                                    })
                                };
                                html! {
                                    <div class="field">
                                        <label for={id.clone()}>{ pick(&item.labels, lang) }</label>
                                        <select {id} class="case-item" {onchange}>
                                            { options(&items, &chosen, Some(i18n::t(lang, Key::CaseChoose))) }
                                        </select>
                                    </div>
                                }
                            }) }
                        </fieldset>
                    }) }
                    <p id="assessment-preview" class="case-preview" aria-live="polite">
                        { i18n::t(lang, Key::CaseComputedLevel) }{ ": " }
                        <strong class={classes!("case-level", Vocabulary::code_of(&computed))}>{ label(&computed) }</strong>
                        { " · " }{ i18n::tf(lang, Key::CaseScore, &[("n", &score.to_string())]) }
                        if !complete { { " · " }{ i18n::t(lang, Key::CaseAnswerEveryItem) } }
                    </p>
                    <div class="field">
                        <label for="assessment-override">{ i18n::t(lang, Key::CaseOverrideLevel) }</label>
                        <select id="assessment-override" onchange={set_select(&level)}>
                            { options(&vocabulary.items(lang, "risk_levels"), &level,
                                Some(i18n::t(lang, Key::CaseKeepComputed))) }
                        </select>
                    </div>
                    if !level.is_empty() && *level != Vocabulary::code_of(&computed) {
                        <div class="field">
                            <label for="assessment-justification">{ i18n::t(lang, Key::CaseJustification) }</label>
                            <textarea id="assessment-justification" rows="3"
                                value={(*justification).clone()} oninput={set_area(&justification)} />
                        </div>
                    }
                    { submit("assessment-submit", i18n::t(lang, Key::CaseSaveAssessment), outcome.busy()) }
                </form>
            }
        </section>
    }
}

fn status_label(lang: madar_openapi::Language, code: &str) -> &'static str {
    match code {
        "pending_approval" => i18n::t(lang, Key::CasePendingApproval),
        "rejected" => i18n::t(lang, Key::CaseRejected),
        "active" => i18n::t(lang, Key::CaseActive),
        _ => i18n::t(lang, Key::CaseCompleted),
    }
}

/// The label of an assessment's or plan's status.
pub fn status(lang: madar_openapi::Language, code: &str) -> &'static str {
    status_label(lang, code)
}

//! A protection case: its header, the pathway stepper with the moves the case may make, its
//! urgency, and its parts (risk assessment, plan, referrals, notes, protocol actions,
//! timeline, services and judicial measures), each a module of its own under `case/`.
//! Changes that race another person's (412) say which fields differ.
mod assessment;
pub(crate) mod form;
mod glass;
mod lists;
mod notes;
mod plan;
pub(crate) mod referrals;
pub(crate) mod rules;

use std::rc::Rc;

use gloo_net::http::Method;
use madar_openapi::cases::{
    CaseResponse, CaseStage, CaseTransition, ClosureReason, RiskLevel, UpdateCase,
};
use madar_openapi::Language;
use validator::Validate;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::Link;

use crate::api::{self, ApiError, Call};
use crate::components::widgets::{child_names, datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::route::Route;
use crate::state::{AppContext, Vocabulary};
use form::{non_blank, options, set_area, set_select, submit, Outcome};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

/// A case as read, with its ETag; equal when it is the same read.
#[derive(Clone)]
pub struct Loaded {
    pub case: Rc<CaseResponse>,
    pub etag: Rc<str>,
}

impl PartialEq for Loaded {
    fn eq(&self, other: &Loaded) -> bool {
        Rc::ptr_eq(&self.case, &other.case) && self.etag == other.etag
    }
}

/// A change refused with 412: the copy seen and the fresh one.
#[derive(Clone)]
pub struct Conflict {
    pub seen: Rc<CaseResponse>,
    pub fresh: Rc<CaseResponse>,
}

impl PartialEq for Conflict {
    fn eq(&self, other: &Conflict) -> bool {
        Rc::ptr_eq(&self.seen, &other.seen) && Rc::ptr_eq(&self.fresh, &other.fresh)
    }
}

#[function_component(CasePage)]
pub fn case_page(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let loaded = use_state(|| None::<Result<Loaded, ApiError>>);
    let version = use_state(|| 0_u32);
    let grant = use_state(|| None::<madar_openapi::access::AccessGrantResponse>);
    {
        let loaded = loaded.clone();
        use_effect_with((props.id.clone(), *version), move |(id, _)| {
            let path = format!("/cases/{id}");
            spawn_local(async move {
                let answer = api::get_tagged::<CaseResponse>(&path).await;
                loaded.set(Some(answer.map(|(case, etag)| Loaded {
                    case: Rc::new(case),
                    etag: etag.into(),
                })));
            });
        });
    }
    let reload = {
        let version = version.clone();
        Callback::from(move |()| version.set(version.wrapping_add(1)))
    };
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let coordinator = ctx
        .user
        .as_ref()
        .is_some_and(|u| u.role == madar_openapi::users::Role::Coordinator);
    let on_granted = {
        let (grant, reload) = (grant.clone(), reload.clone());
        Callback::from(move |g| {
            grant.set(Some(g));
            reload.emit(());
        })
    };
    let body = match &*loaded {
        None => html! { <Loading busy=true /> },
        // A coordinator may break the glass on a case outside their territory.
        Some(Err(error)) if coordinator && error.status() == Some(404) => html! {
            <>
                <ProblemMessage error={error.clone()} />
                <glass::BreakGlass case_id={props.id.clone()} {lang} {on_granted} />
            </>
        },
        Some(Err(error)) => html! { <ProblemMessage error={error.clone()} /> },
        Some(Ok(loaded)) => {
            let case = &loaded.case;
            let case_id = case.id.to_string();
            let child_id = case.child.id.to_string();
            let closed = case.stage == CaseStage::Closed;
            html! {
                <>
                    if let Some(g) = grant.as_ref().filter(|g| g.case_id == case.id) {
                        { glass::banner(lang, g) }
                    }
                    { header(lang, &ctx.vocabulary, case) }
                    { stepper(lang, &ctx.vocabulary, case.stage) }
                    <Transitions loaded={loaded.clone()} on_change={reload.clone()} />
                    if !closed {
                        <UrgencyForm loaded={loaded.clone()} on_change={reload.clone()} />
                    }
                    <assessment::AssessmentSection case_id={case_id.clone()}
                        on_change={reload.clone()} {closed} />
                    <plan::PlanSection case_id={case_id.clone()} on_change={reload.clone()} {closed} />
                    <referrals::ReferralsSection case_id={case_id.clone()} child_id={child_id} urgency={case.urgency} on_change={reload.clone()} />
                    <notes::NotesSection case_id={case_id.clone()} on_change={reload.clone()} />
                    <lists::ActionsSection case_id={case_id.clone()} version={*version} />
                    <lists::TimelineSection case_id={case_id.clone()} version={*version} />
                    <lists::ServicesSection case_id={case_id.clone()} />
                    <lists::JudicialSection case_id={case_id} />
                </>
            }
        }
    };
    html! {
        <section id="case" class="case" aria-labelledby="case-title">
            { body }
        </section>
    }
}

fn fact(label: &str, value: Html) -> Html {
    html! { <div class="case-fact"><dt>{ label.to_owned() }</dt><dd>{ value }</dd></div> }
}

fn header(lang: Language, vocabulary: &Vocabulary, case: &CaseResponse) -> Html {
    let child = &case.child;
    let concerns = case
        .concerns
        .iter()
        .map(|c| vocabulary.label_of(lang, "concern_types", c))
        .collect::<Vec<_>>()
        .join("، ");
    let risk = match &case.risk_level {
        Some(level) => vocabulary.label_of(lang, "risk_levels", level),
        None => i18n::t(lang, Key::CaseNotAssessed).to_owned(),
    };
    html! {
        <header class="case-header card">
            <h1 id="case-title">{ i18n::t(lang, Key::CaseTitle) }{ " " }
                <bdi class="code">{ case.reference.clone() }</bdi></h1>
            <p class="case-child">
                <Link<Route> to={Route::Child { id: child.id.to_string() }} classes="case-child-link">
                    { child_names(&child.given_name_ar, &child.family_name_ar,
                        &child.given_name_latin, &child.family_name_latin) }
                </Link<Route>>
                if let Some(age) = child.age {
                    <span class="case-age">{ i18n::tf(lang, Key::CaseAge, &[("n", &age.to_string())]) }</span>
                }
            </p>
            <dl class="case-facts">
                { fact(i18n::t(lang, Key::Stage),
                    html! { <span id="case-stage">{ vocabulary.label_of(lang, "case_stages", &case.stage) }</span> }) }
                { fact(i18n::t(lang, Key::Urgency), html! {
                    <span id="case-urgency" class={classes!("case-level", Vocabulary::code_of(&case.urgency))}>
                        { vocabulary.label_of(lang, "risk_levels", &case.urgency) }</span> }) }
                { fact(i18n::t(lang, Key::CaseRiskLevel), html! { <span id="case-risk">{ risk }</span> }) }
                { fact(i18n::t(lang, Key::CaseConcerns), html! { { concerns } }) }
                { fact(i18n::t(lang, Key::CaseTerritory), html! { { vocabulary.territory(lang, &case.territory) } }) }
                { fact(i18n::t(lang, Key::Opened), html! { { datetime(lang, &case.opened_at) } }) }
                if let Some(reason) = &case.closure_reason {
                    { fact(i18n::t(lang, Key::CaseClosureReason),
                        html! { { vocabulary.label_of(lang, "closure_reasons", reason) } }) }
                }
            </dl>
        </header>
    }
}

/// The pathway's stages, the current one marked.
fn stepper(lang: Language, vocabulary: &Vocabulary, current: CaseStage) -> Html {
    let position = rules::STAGES
        .iter()
        .position(|s| *s == current)
        .unwrap_or(0);
    html! {
        <nav class="case-stepper" aria-label={i18n::t(lang, Key::CasePathway)}>
            <ol id="case-stepper">
                { for rules::STAGES.iter().enumerate().map(|(i, stage)| {
                    let state = if i < position { "done" } else if i == position { "current" } else { "todo" };
                    html! {
                        <li class={classes!("case-step", state)}
                            aria-current={(i == position).then_some("step")}>
                            <span class="case-step-number">{ (i + 1).to_string() }</span>
                            <span class="case-step-label">{ vocabulary.label_of(lang, "case_stages", stage) }</span>
                        </li>
                    }
                }) }
            </ol>
        </nav>
    }
}

/// The fields that differ between the copy seen and a fresh one, before and after.
pub fn conflict_view(lang: Language, vocabulary: &Vocabulary, conflict: &Conflict) -> Html {
    let fields = rules::changed_fields(&conflict.seen, &conflict.fresh);
    let show = |case: &CaseResponse, field: &str| -> String {
        match field {
            "stage" => vocabulary.label_of(lang, "case_stages", &case.stage),
            "urgency" => vocabulary.label_of(lang, "risk_levels", &case.urgency),
            "risk_level" => case
                .risk_level
                .map(|l| vocabulary.label_of(lang, "risk_levels", &l))
                .unwrap_or_else(|| i18n::t(lang, Key::CaseNotAssessed).to_owned()),
            "concerns" => case
                .concerns
                .iter()
                .map(|c| vocabulary.label_of(lang, "concern_types", c))
                .collect::<Vec<_>>()
                .join("، "),
            "closure_reason" => case
                .closure_reason
                .map(|r| vocabulary.label_of(lang, "closure_reasons", &r))
                .unwrap_or_default(),
            "assigned_to" => case.assigned_to.len().to_string(),
            "organization" => case.organization.clone(),
            _ => String::new(),
        }
    };
    html! {
        <div id="case-conflict" class="case-conflict error" role="alert">
            <p><strong>{ i18n::t(lang, Key::CaseConflict) }</strong></p>
            if fields.is_empty() {
                <p>{ i18n::t(lang, Key::CaseConflictNoFields) }</p>
            } else {
                <p>{ i18n::t(lang, Key::CaseConflictFields) }</p>
                <ul class="case-conflict-fields">
                    { for fields.iter().map(|f| html! {
                        <li data-field={*f}><strong>{ field_label(lang, f) }</strong>{ ": " }
                            { i18n::tf(lang, Key::CaseChange, &[("before", &show(&conflict.seen, f)), ("after", &show(&conflict.fresh, f))]) }
                            { " " }<span class="case-conflict-hint">{ i18n::t(lang, Key::CaseConflictHint) }</span>
                        </li>
                    }) }
                </ul>
            }
        </div>
    }
}

fn field_label(lang: Language, field: &str) -> &'static str {
    match field {
        "stage" => i18n::t(lang, Key::Stage),
        "urgency" => i18n::t(lang, Key::Urgency),
        "risk_level" => i18n::t(lang, Key::CaseRiskLevel),
        "concerns" => i18n::t(lang, Key::CaseConcerns),
        "assigned_to" => i18n::t(lang, Key::CaseAssignedTo),
        "closure_reason" => i18n::t(lang, Key::CaseClosureReason),
        "outcome_note" => i18n::t(lang, Key::CaseOutcomeNote),
        _ => i18n::t(lang, Key::CaseOrganization),
    }
}

/// After a 412: the fresh copy, to compare with the one seen.
async fn fresh_conflict(seen: Rc<CaseResponse>) -> Option<Conflict> {
    let path = format!("/cases/{}", seen.id);
    let fresh: CaseResponse = api::get(&path).await.ok()?;
    Some(Conflict {
        seen,
        fresh: Rc::new(fresh),
    })
}

#[derive(Properties, PartialEq)]
struct CaseFormProps {
    loaded: Loaded,
    on_change: Callback<()>,
}

/// The moves the case may make: a button per allowed stage, then its reason (and, to close,
/// the closure reason and outcome note).
#[function_component(Transitions)]
fn transitions(props: &CaseFormProps) -> Html {
    let ctx = use_context::<AppContext>();
    let target = use_state(|| None::<CaseStage>);
    let reason = use_state(String::new);
    let closure = use_state(String::new);
    let note = use_state(String::new);
    let outcome = use_state(Outcome::default);
    let conflict = use_state(|| None::<Conflict>);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let case = props.loaded.case.clone();
    let onsubmit = {
        let (target, reason, closure, note) = (
            target.clone(),
            reason.clone(),
            closure.clone(),
            note.clone(),
        );
        let (outcome, conflict, loaded, on_change) = (
            outcome.clone(),
            conflict.clone(),
            props.loaded.clone(),
            props.on_change.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(to) = *target else { return };
            let closing = to == CaseStage::Closed;
            let body = CaseTransition {
                to,
                reason: reason.trim().to_owned(),
                closure_reason: if closing {
                    crate::json::code::<ClosureReason>(&closure)
                } else {
                    None
                },
                outcome_note: if closing { non_blank(&note) } else { None },
            };
            if body.validate().is_err()
                || (closing && (body.closure_reason.is_none() || body.outcome_note.is_none()))
            {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::CaseTransitionIncomplete).to_owned(),
                ));
                return;
            }
            outcome.set(Outcome::Busy);
            let (outcome, conflict, loaded, on_change, target) = (
                outcome.clone(),
                conflict.clone(),
                loaded.clone(),
                on_change.clone(),
                target.clone(),
            );
            spawn_local(async move {
                let path = format!("/cases/{}/transitions", loaded.case.id);
                let sent = Call::new(Method::POST, &path)
                    .json(&body)
                    .if_match(&loaded.etag)
                    .send()
                    .await;
                match sent {
                    Ok(response) => {
                        let key = if response.status() == 202 {
                            Key::CaseClosureAsked
                        } else {
                            Key::CaseStageChanged
                        };
                        outcome.set(Outcome::Done(i18n::t(lang, key).to_owned()));
                        target.set(None);
                        conflict.set(None);
                        on_change.emit(());
                    }
                    Err(error) if error.status() == Some(412) => {
                        conflict.set(fresh_conflict(loaded.case.clone()).await);
                        outcome.set(Outcome::Failed(error));
                    }
                    Err(error) => outcome.set(Outcome::Failed(error)),
                }
            });
        })
    };
    let choices = rules::next_stages(case.stage);
    let closing = *target == Some(CaseStage::Closed);
    html! {
        <section class="card case-transitions" aria-labelledby="transitions-title">
            <h2 id="transitions-title">{ i18n::t(lang, Key::CaseMoveTitle) }</h2>
            <div class="case-stage-buttons" role="group" aria-labelledby="transitions-title">
                { for choices.iter().map(|stage| {
                    let code = Vocabulary::code_of(stage);
                    let pressed = *target == Some(*stage);
                    let onclick = {
                        let (target, stage) = (target.clone(), *stage);
                        Callback::from(move |_| target.set(Some(stage)))
                    };
                    html! {
                        <button type="button" id={format!("move-{code}")}
                            class={if pressed { "primary" } else { "secondary" }}
                            aria-pressed={pressed.to_string()} {onclick}>
                            { i18n::tf(lang, Key::CaseMoveTo, &[("stage", &ctx.vocabulary.label_of(lang, "case_stages", stage))]) }
                        </button>
                    }
                }) }
            </div>
            if target.is_some() {
                <form id="transition-form" class="case-form" novalidate=true {onsubmit}>
                    <div class="field">
                        <label for="transition-reason">{ i18n::t(lang, Key::CaseTransitionReason) }</label>
                        <textarea id="transition-reason" required=true rows="3"
                            value={(*reason).clone()} oninput={set_area(&reason)} />
                    </div>
                    if closing {
                        <div class="field">
                            <label for="transition-closure">{ i18n::t(lang, Key::CaseClosureReason) }</label>
                            <select id="transition-closure" onchange={set_select(&closure)}>
                                { options(&ctx.vocabulary.items(lang, "closure_reasons"), &closure,
                                    Some(i18n::t(lang, Key::CaseChoose))) }
                            </select>
                        </div>
                        <div class="field">
                            <label for="transition-outcome">{ i18n::t(lang, Key::CaseOutcomeNote) }</label>
                            <textarea id="transition-outcome" rows="3" value={(*note).clone()}
                                oninput={set_area(&note)} />
                        </div>
                    }
                    { submit("transition-submit", i18n::t(lang, Key::CaseConfirmMove), outcome.busy()) }
                </form>
            }
            { outcome.view("transition-result") }
            if let Some(c) = &*conflict {
                { conflict_view(lang, &ctx.vocabulary, c) }
                <button type="button" class="secondary" id="conflict-reload"
                    onclick={let on_change = props.on_change.clone(); move |_| on_change.emit(())}>
                    { i18n::t(lang, Key::CaseReload) }</button>
            }
        </section>
    }
}

/// The case's urgency (`PATCH /cases/{id}` with If-Match).
#[function_component(UrgencyForm)]
fn urgency_form(props: &CaseFormProps) -> Html {
    let ctx = use_context::<AppContext>();
    let chosen = use_state(|| Vocabulary::code_of(&props.loaded.case.urgency));
    let outcome = use_state(Outcome::default);
    let conflict = use_state(|| None::<Conflict>);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let onsubmit = {
        let (chosen, outcome, conflict, loaded, on_change) = (
            chosen.clone(),
            outcome.clone(),
            conflict.clone(),
            props.loaded.clone(),
            props.on_change.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(urgency) = crate::json::code::<RiskLevel>(&chosen) else {
                return;
            };
            let body = UpdateCase {
                urgency: Some(urgency),
                ..UpdateCase::default()
            };
            outcome.set(Outcome::Busy);
            let (outcome, conflict, loaded, on_change) = (
                outcome.clone(),
                conflict.clone(),
                loaded.clone(),
                on_change.clone(),
            );
            spawn_local(async move {
                let path = format!("/cases/{}", loaded.case.id);
                match api::patch::<_, CaseResponse>(&path, &loaded.etag, &body).await {
                    Ok(_) => {
                        outcome.set(Outcome::Done(i18n::t(lang, Key::CaseSaved).to_owned()));
                        conflict.set(None);
                        on_change.emit(());
                    }
                    Err(error) if error.status() == Some(412) => {
                        conflict.set(fresh_conflict(loaded.case.clone()).await);
                        outcome.set(Outcome::Failed(error));
                    }
                    Err(error) => outcome.set(Outcome::Failed(error)),
                }
            });
        })
    };
    html! {
        <section class="card case-urgency" aria-labelledby="urgency-title">
            <h2 id="urgency-title">{ i18n::t(lang, Key::Urgency) }</h2>
            <form id="urgency-form" class="case-inline-form" {onsubmit}>
                <div class="field">
                    <label for="urgency-select">{ i18n::t(lang, Key::Urgency) }</label>
                    <select id="urgency-select" onchange={set_select(&chosen)}>
                        { options(&ctx.vocabulary.items(lang, "risk_levels"), &chosen, None) }
                    </select>
                </div>
                { submit("urgency-submit", i18n::t(lang, Key::CaseSave), outcome.busy()) }
            </form>
            { outcome.view("urgency-result") }
            if let Some(c) = &*conflict {
                { conflict_view(lang, &ctx.vocabulary, c) }
                <button type="button" class="secondary" id="urgency-reload"
                    onclick={let on_change = props.on_change.clone(); move |_| on_change.emit(())}>
                    { i18n::t(lang, Key::CaseReload) }</button>
            }
        </section>
    }
}

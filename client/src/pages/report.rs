//! One report, beside the duplicate suggestions, and its screening: per reported child link to
//! a known child or create one (a case is opened, or the report attached to the child's open
//! case), or close the report with a reason.
use madar_openapi::cases::CaseResponse;
use madar_openapi::children::{ChildMatch, ChildMatches, MatchDecision};
use madar_openapi::reports::{
    ReportResponse, ReportStatus, ReportView, ReportedChildResponse, ScreenReport,
    ScreeningDecision, ScreeningResponse,
};
use madar_openapi::Language;
use std::rc::Rc;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, ApiError};
use crate::components::widgets::{child_names, date, datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::route::Route;
use crate::state::{AppContext, Vocabulary};

pub(crate) mod form;
use form::{Choice, Form, FormError};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

/// Suggestions per reported child: `None` while loading.
type Suggestions = Vec<Option<Result<Vec<ChildMatch>, ApiError>>>;

/// The answer of a screening, with the references of the cases it names.
#[derive(Clone)]
struct Outcome {
    answer: ScreeningResponse,
    case_refs: Vec<Option<String>>,
}

async fn load_suggestions(child: &ReportedChildResponse) -> Result<Vec<ChildMatch>, ApiError> {
    let mut lists = Vec::new();
    for path in form::match_paths(child) {
        lists.push(api::get::<ChildMatches>(&path).await?.items);
    }
    Ok(form::merge(lists))
}

async fn screen(id: &str, request: &ScreenReport) -> Result<Outcome, ApiError> {
    let answer: ScreeningResponse = api::post(&format!("/reports/{id}/screening"), request).await?;
    let mut case_refs = Vec::new();
    for child in &answer.children {
        let case = api::get::<CaseResponse>(&format!("/cases/{}", child.case_id)).await;
        case_refs.push(case.ok().map(|c| c.reference));
    }
    Ok(Outcome { answer, case_refs })
}

fn open(status: ReportStatus) -> bool {
    matches!(status, ReportStatus::Received | ReportStatus::UnderReview)
}

#[function_component(ReportPage)]
pub fn report_page(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let report = use_state(|| None::<Result<ReportView, ApiError>>);
    let suggestions = use_state(Suggestions::new);
    let form = use_state(Form::default);
    let reload = use_state(|| 0u32);
    let outcome = use_state(|| None::<Rc<Outcome>>);
    {
        let (report, suggestions, form) = (report.clone(), suggestions.clone(), form.clone());
        let outcome = outcome.clone();
        use_effect_with((props.id.clone(), *reload), move |(id, _)| {
            let path = format!("/reports/{id}");
            report.set(None);
            outcome.set(None);
            spawn_local(async move {
                let answer = api::get::<ReportView>(&path).await;
                let children = match &answer {
                    Ok(ReportView::Full(full)) if open(full.status) => full.children.clone(),
                    _ => Vec::new(),
                };
                form.set(Form::for_children(children.len()));
                suggestions.set(vec![None; children.len()]);
                report.set(Some(answer));
                let mut found = Vec::new();
                for child in &children {
                    found.push(Some(load_suggestions(child).await));
                }
                suggestions.set(found);
            });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let back = html! {
        <p class="reports-back"><Link<Route> to={Route::ReportsInbox}>
            { i18n::t(lang, Key::ReportsBack) }</Link<Route>></p>
    };
    let body = match &*report {
        None => html! { <Loading busy=true /> },
        Some(Err(error)) => html! { <ProblemMessage error={error.clone()} /> },
        Some(Ok(ReportView::Status(status))) => html! {
            <section class="card">
                <h1><bdi id="report-reference" class="code">{ status.reference.clone() }</bdi></h1>
                <p class="empty">{ i18n::t(lang, Key::ReportsStatusOnly) }</p>
                <dl class="reports-facts">
                    { fact(i18n::t(lang, Key::ReportsStatus),
                        Html::from(ctx.vocabulary.label_of(lang, "report_statuses", &status.status))) }
                    { fact(i18n::t(lang, Key::ReportsReceived),
                        Html::from(datetime(lang, &status.received_at))) }
                </dl>
            </section>
        },
        Some(Ok(ReportView::Full(full))) => {
            let on_reload = {
                let reload = reload.clone();
                Callback::from(move |_| reload.set(*reload + 1))
            };
            let on_done = {
                let outcome = outcome.clone();
                Callback::from(move |done: Outcome| outcome.set(Some(Rc::new(done))))
            };
            let shown = outcome.as_ref().map_or(full.as_ref(), |o| &o.answer.report);
            html! {
                <div class="reports-layout">
                    { details(&ctx, shown) }
                    if let Some(done) = &*outcome {
                        { result(&ctx, done) }
                    } else if open(full.status) {
                        <Screening id={props.id.clone()} report={full.as_ref().clone()}
                            suggestions={(*suggestions).clone()} form={form.clone()}
                            on_reload={on_reload} on_done={on_done} />
                    }
                </div>
            }
        }
    };
    html! {
        <section id="report-page" class="reports-page">
            { back }
            { body }
        </section>
    }
}

/// One fact of a definition list.
fn fact(term: &str, value: Html) -> Html {
    html! { <><dt>{ term.to_owned() }</dt><dd>{ value }</dd></> }
}

/// The immediate-danger badge (or its absence, said).
pub(crate) fn danger_badge(lang: Language, danger: bool) -> Html {
    if danger {
        html! { <span class="reports-danger">{ i18n::t(lang, Key::ReportsDanger) }</span> }
    } else {
        html! { <span class="reports-no-danger">{ i18n::t(lang, Key::ReportsNoDanger) }</span> }
    }
}

/// What separates the items of a list in running text.
pub(crate) fn separator(lang: Language) -> &'static str {
    match lang {
        Language::Ar => "، ",
        _ => ", ",
    }
}

/// The labels of codes of a list, joined.
pub(crate) fn labels<T: serde::Serialize>(
    lang: Language,
    vocabulary: &Vocabulary,
    list: &str,
    values: &[T],
) -> String {
    values
        .iter()
        .map(|v| vocabulary.label_of(lang, list, v))
        .collect::<Vec<_>>()
        .join(separator(lang))
}

fn names_of(child: &ReportedChildResponse) -> Html {
    child_names(
        &child.given_name_ar,
        &child.family_name_ar,
        &child.given_name_latin,
        &child.family_name_latin,
    )
}

/// The report itself: who, when, what, and its children.
fn details(ctx: &AppContext, report: &ReportResponse) -> Html {
    let lang = ctx.lang;
    let vocabulary = &ctx.vocabulary;
    let reporter = &report.reporter;
    html! {
        <section class="card reports-details" aria-labelledby="report-reference">
            <h1>{ i18n::t(lang, Key::ReportsReport) }{ " " }
                <bdi id="report-reference" class="code">{ report.reference.clone() }</bdi></h1>
            <p id="report-danger">{ danger_badge(lang, report.immediate_danger) }</p>
            if !open(report.status) {
                <p id="report-screened" class="reports-note">{ i18n::t(lang, Key::ReportsScreened) }</p>
            }
            <dl class="reports-facts">
                { fact(i18n::t(lang, Key::ReportsStatus), html! {
                    <span id="report-status">
                        { vocabulary.label_of(lang, "report_statuses", &report.status) }</span> }) }
                { fact(i18n::t(lang, Key::ReportsSource),
                    Html::from(vocabulary.label_of(lang, "report_sources", &report.source))) }
                { fact(i18n::t(lang, Key::ReportsReceived),
                    Html::from(datetime(lang, &report.received_at))) }
                if let Some(external) = &report.external_ref {
                    { fact(i18n::t(lang, Key::ReportsExternalRef),
                        html! { <bdi class="code">{ external.clone() }</bdi> }) }
                }
                { fact(i18n::t(lang, Key::ReportsReporter), html! { <>
                    { vocabulary.label_of(lang, "reporter_types", &reporter.type_) }
                    if let Some(name) = &reporter.name { { " · " }<bdi>{ name.clone() }</bdi> }
                    if let Some(phone) = &reporter.phone {
                        { " · " }<bdi dir="ltr" class="code">{ phone.clone() }</bdi>
                    }
                </> }) }
                { fact(i18n::t(lang, Key::ReportsConcerns),
                    Html::from(labels(lang, vocabulary, "concern_types", &report.concerns))) }
            </dl>
            if let Some(narrative) = &report.narrative {
                <h2>{ i18n::t(lang, Key::ReportsNarrative) }</h2>
                <p id="report-narrative" class="reports-narrative" dir="auto">
                    { narrative.clone() }</p>
            }
            <h2>{ i18n::t(lang, Key::ReportsReportedChildren) }</h2>
            <ol id="report-children" class="reports-children">
                { for report.children.iter().map(|child| reported_child(ctx, child)) }
            </ol>
        </section>
    }
}

fn reported_child(ctx: &AppContext, child: &ReportedChildResponse) -> Html {
    let lang = ctx.lang;
    let vocabulary = &ctx.vocabulary;
    let birth = match (&child.date_of_birth, child.estimated_birth_year) {
        (Some(d), _) => Some(date(lang, d)),
        (None, Some(year)) => Some(i18n::tf(
            lang,
            Key::ReportsBornAbout,
            &[("year", &year.to_string())],
        )),
        (None, None) => None,
    };
    html! {
        <li class="reports-child">
            <p class="reports-child-names">{ names_of(child) }</p>
            <dl class="reports-facts">
                { fact(i18n::t(lang, Key::ReportsSex),
                    Html::from(vocabulary.label_of(lang, "sexes", &child.sex))) }
                if let Some(birth) = birth { { fact(i18n::t(lang, Key::ReportsBirth), Html::from(birth)) } }
                { fact(i18n::t(lang, Key::ReportsTerritory),
                    Html::from(vocabulary.territory(lang, &child.territory))) }
                if let Some(address) = &child.address_text {
                    { fact(i18n::t(lang, Key::ReportsAddress), html! { <bdi>{ address.clone() }</bdi> }) }
                }
                if !child.situation.is_empty() {
                    { fact(i18n::t(lang, Key::ReportsSituation),
                        Html::from(labels(lang, vocabulary, "concern_types", &child.situation))) }
                }
            </dl>
            if let Some(id) = child.child_id {
                <p><Link<Route> to={Route::Child { id: id.to_string() }}>
                    { i18n::t(lang, Key::ReportsLinkedChild) }</Link<Route>></p>
            }
        </li>
    }
}

#[derive(Properties)]
struct ScreeningProps {
    id: String,
    report: ReportResponse,
    suggestions: Suggestions,
    form: UseStateHandle<Form>,
    on_reload: Callback<()>,
    on_done: Callback<Outcome>,
}

/// The contract's types do not compare: the form renders again whenever the page does.
impl PartialEq for ScreeningProps {
    fn eq(&self, _: &ScreeningProps) -> bool {
        false
    }
}

/// The screening form beside the report, then its result.
#[function_component(Screening)]
fn screening(props: &ScreeningProps) -> Html {
    let ctx = use_context::<AppContext>();
    let busy = use_state(|| false);
    let form_error = use_state(|| None::<FormError>);
    let failure = use_state(|| None::<ApiError>);
    {
        // A changed choice clears the message about the previous one.
        let form_error = form_error.clone();
        use_effect_with((*props.form).clone(), move |_| form_error.set(None));
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let loaded: Vec<Vec<ChildMatch>> = props
        .suggestions
        .iter()
        .map(|s| {
            s.as_ref()
                .and_then(|r| r.as_ref().ok())
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let onsubmit = {
        let (busy, form_error, failure, on_done) = (
            busy.clone(),
            form_error.clone(),
            failure.clone(),
            props.on_done.clone(),
        );
        let (form, id, loaded) = (props.form.clone(), props.id.clone(), loaded.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            failure.set(None);
            let request = match form::request(&form, &loaded) {
                Ok(request) => request,
                Err(error) => {
                    form_error.set(Some(error));
                    return;
                }
            };
            form_error.set(None);
            busy.set(true);
            let (busy, failure, on_done, id) =
                (busy.clone(), failure.clone(), on_done.clone(), id.clone());
            spawn_local(async move {
                let answer = screen(&id, &request).await;
                busy.set(false);
                match answer {
                    Ok(done) => on_done.emit(done),
                    Err(error) => failure.set(Some(error)),
                }
            });
        })
    };
    let set_decision = |decision: ScreeningDecision| {
        let form = props.form.clone();
        Callback::from(move |_: Event| {
            let mut next = (*form).clone();
            next.decision = Some(decision);
            form.set(next);
        })
    };
    let on_reason = {
        let form = props.form.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            let mut next = (*form).clone();
            next.closing_reason = form::closing_reason(&value);
            form.set(next);
        })
    };
    let decision = props.form.decision;
    let conflict = failure
        .as_ref()
        .is_some_and(|e| e.code() == "report_already_screened");
    html! {
        <section class="card reports-screening" aria-labelledby="screening-title">
            <h2 id="screening-title">{ i18n::t(lang, Key::ReportsScreening) }</h2>
            <form id="screening-form" onsubmit={onsubmit} novalidate=true>
                <fieldset class="reports-decision">
                    <legend>{ i18n::t(lang, Key::ReportsDecision) }</legend>
                    { radio("decision-accept", "decision",
                        decision == Some(ScreeningDecision::Accept),
                        i18n::t(lang, Key::ReportsAccept), set_decision(ScreeningDecision::Accept)) }
                    { radio("decision-close", "decision",
                        decision == Some(ScreeningDecision::Close),
                        i18n::t(lang, Key::ReportsClose), set_decision(ScreeningDecision::Close)) }
                </fieldset>
                if decision == Some(ScreeningDecision::Close) {
                    <div class="field">
                        <label for="closing-reason">{ i18n::t(lang, Key::ReportsClosingReason) }</label>
                        <select id="closing-reason" onchange={on_reason}>
                            <option value="" selected={props.form.closing_reason.is_none()}>
                                { i18n::t(lang, Key::ReportsChoose) }</option>
                            { for ctx.vocabulary.items(lang, "report_closure_reasons").into_iter()
                                .map(|(code, label)| {
                                    let selected = props.form.closing_reason
                                        == form::closing_reason(&code);
                                    html! { <option value={code} selected={selected}>{ label }</option> }
                                }) }
                        </select>
                    </div>
                } else {
                    <p class="reports-note">{ i18n::t(lang, Key::ReportsCaseNote) }</p>
                }
                { for props.report.children.iter().enumerate().map(|(index, child)| {
                    child_choice(&ctx, &props.form, index, child, props.suggestions.get(index),
                        decision == Some(ScreeningDecision::Accept))
                }) }
                if let Some(error) = &*form_error {
                    <p id="screening-form-error" class="error" role="alert">
                        { i18n::t(lang, match error {
                            FormError::ChooseEachChild => Key::ReportsChooseEachChild,
                            FormError::ChooseReason => Key::ReportsChooseReason,
                            FormError::ConfirmNeeded(_) => Key::ReportsConfirmNeeded,
                            FormError::Invalid => Key::ReportsInvalidForm,
                        }) }</p>
                }
                if conflict {
                    <div id="screening-conflict" class="error" role="alert">
                        <p>{ i18n::t(lang, Key::ReportsAlreadyScreened) }</p>
                        <button type="button" class="secondary" id="screening-reload"
                            onclick={props.on_reload.reform(|_| ())}>
                            { i18n::t(lang, Key::ReportsReload) }</button>
                    </div>
                } else if let Some(error) = &*failure {
                    <div id="screening-error"><ProblemMessage error={error.clone()} /></div>
                }
                <button type="submit" id="screen-submit" class="primary" disabled={*busy}>
                    { i18n::t(lang, if *busy { Key::ReportsSubmitting } else { Key::ReportsSubmit }) }
                </button>
            </form>
        </section>
    }
}

/// A labelled radio button.
fn radio(id: &str, name: &str, checked: bool, label: &str, onchange: Callback<Event>) -> Html {
    html! {
        <div class="reports-radio">
            <input type="radio" id={id.to_owned()} name={name.to_owned()} checked={checked}
                onchange={onchange} />
            <label for={id.to_owned()}>{ label.to_owned() }</label>
        </div>
    }
}

/// One reported child in the form: its suggestions, each to link to, or a new record.
fn child_choice(
    ctx: &AppContext,
    form: &UseStateHandle<Form>,
    index: usize,
    child: &ReportedChildResponse,
    suggestions: Option<&Option<Result<Vec<ChildMatch>, ApiError>>>,
    deciding: bool,
) -> Html {
    let lang = ctx.lang;
    let choose = |choice: Choice| {
        let form = form.clone();
        Callback::from(move |_: Event| {
            let mut next = (*form).clone();
            if let Some(slot) = next.choices.get_mut(index) {
                *slot = choice;
            }
            form.set(next);
        })
    };
    let current = form.choices.get(index).copied().unwrap_or_default();
    let name = format!("choice-{index}");
    let list = match suggestions {
        None | Some(None) => html! { <Loading busy=true /> },
        Some(Some(Err(error))) => html! { <ProblemMessage error={error.clone()} /> },
        Some(Some(Ok(found))) if found.is_empty() => html! {
            <p class="empty">{ i18n::t(lang, Key::ReportsNoSuggestions) }</p>
        },
        Some(Some(Ok(found))) => html! {
            <ul class="reports-suggestions">
                { for found.iter().enumerate().map(|(at, candidate)| {
                    suggestion(ctx, index, at, candidate, deciding.then(|| html! {
                        { radio(&format!("choice-{index}-link-{at}"), &name,
                            current == Choice::Link(at), i18n::t(lang, Key::ReportsLinkTo),
                            choose(Choice::Link(at))) }
                    }))
                }) }
            </ul>
        },
    };
    let likely = matches!(suggestions, Some(Some(Ok(found))) if form::has_likely(found));
    let on_confirm = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let checked = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .map(|i| i.checked())
                .unwrap_or(false);
            let mut next = (*form).clone();
            if let Some(slot) = next.confirm_new.get_mut(index) {
                *slot = checked;
            }
            form.set(next);
        })
    };
    let confirm_id = format!("confirm-new-{index}");
    html! {
        <fieldset id={format!("suggestions-{index}")} class="reports-child-choice">
            <legend>{ names_of(child) }</legend>
            <h3>{ i18n::t(lang, Key::ReportsSuggestions) }</h3>
            { list }
            if deciding {
                { radio(&format!("choice-{index}-create"), &name, current == Choice::Create,
                    i18n::t(lang, Key::ReportsCreateNew), choose(Choice::Create)) }
                if current == Choice::Create && likely {
                    <div class="reports-radio">
                        <input type="checkbox" id={confirm_id.clone()}
                            checked={form.confirm_new.get(index).copied().unwrap_or(false)}
                            onchange={on_confirm} />
                        <label for={confirm_id}>{ i18n::t(lang, Key::ReportsConfirmNew) }</label>
                    </div>
                }
            }
        </fieldset>
    }
}

/// A match's badge: its label and its class.
pub(crate) fn decision_badge(decision: MatchDecision) -> (Key, &'static str) {
    match decision {
        MatchDecision::Likely => (Key::ReportsLikely, "likely"),
        MatchDecision::Possible => (Key::ReportsPossible, "possible"),
    }
}

/// One candidate: the child (with its link) or, outside scope, its owner.
fn suggestion(
    ctx: &AppContext,
    index: usize,
    at: usize,
    candidate: &ChildMatch,
    pick: Option<Html>,
) -> Html {
    let lang = ctx.lang;
    let vocabulary = &ctx.vocabulary;
    let (badge, class) = decision_badge(candidate.decision);
    let score = i18n::tf(
        lang,
        Key::ReportsScore,
        &[("n", &form::percent(candidate.score).to_string())],
    );
    let head = html! { <p class="reports-match">
    <span class={classes!("reports-badge", class)}>{ i18n::t(lang, badge) }</span>
    { " " }<span class="reports-score">{ score }</span></p> };
    let body = match (&candidate.child, &candidate.owner) {
        (Some(child), _) => {
            let birth = match (&child.date_of_birth, child.estimated_birth_year) {
                (Some(d), _) => date(lang, d),
                (None, Some(year)) => {
                    i18n::tf(lang, Key::ReportsBornAbout, &[("year", &year.to_string())])
                }
                (None, None) => String::new(),
            };
            html! { <>
                <p><Link<Route> to={Route::Child { id: child.id.to_string() }}>
                    { child_names(&child.given_name_ar, &child.family_name_ar,
                        &child.given_name_latin, &child.family_name_latin) }</Link<Route>></p>
                <p class="facts">
                    { vocabulary.label_of(lang, "sexes", &child.sex) }
                    if !birth.is_empty() { { " · " }{ birth } }
                    { " · " }{ vocabulary.territory(lang, &child.territory) }
                </p>
                { for pick }
            </> }
        }
        (None, Some(owner)) => {
            let territory = vocabulary.territory(lang, &owner.territory);
            html! { <p class="reports-elsewhere">{ i18n::tf(lang, Key::ReportsOwnerElsewhere,
            &[("organization", &owner.organization), ("territory", &territory)]) }</p> }
        }
        (None, None) => Html::default(),
    };
    html! {
        <li id={format!("suggestion-{index}-{at}")} class={classes!("reports-suggestion", class)}>
            { head }{ body }
        </li>
    }
}

/// What the screening did: the children's records and their cases, with links.
fn result(ctx: &AppContext, outcome: &Outcome) -> Html {
    let lang = ctx.lang;
    let answer = &outcome.answer;
    let vocabulary = &ctx.vocabulary;
    html! {
        <section id="screening-result" class="card reports-result" role="status">
            <h2>{ i18n::t(lang, Key::ReportsResultTitle) }</h2>
            <p>{ i18n::t(lang, Key::ReportsStatus) }{ ": " }
                { vocabulary.label_of(lang, "report_statuses", &answer.report.status) }</p>
            if answer.children.is_empty() {
                <p>{ i18n::t(lang, Key::ReportsResultClosed) }</p>
            }
            <ul class="reports-outcomes">
                { for answer.children.iter().enumerate().map(|(i, child)| {
                    let reported = answer.report.children.get(child.index as usize);
                    let reference = outcome.case_refs.get(i).cloned().flatten()
                        .unwrap_or_else(|| i18n::t(lang, Key::ReportsOpenCase).to_owned());
                    html! {
                        <li id={format!("result-{}", child.index)}>
                            <Link<Route> to={Route::Child { id: child.child_id.to_string() }}>
                                { for reported.map(names_of) }
                            </Link<Route>>
                            { " (" }{ i18n::t(lang, if child.created { Key::ReportsChildCreated }
                                else { Key::ReportsChildLinked }) }{ ") → " }
                            <Link<Route> to={Route::Case { id: child.case_id.to_string() }}
                                classes="reports-case-link">
                                <bdi class="code">{ reference }</bdi>
                            </Link<Route>>
                            { " (" }{ i18n::t(lang, if child.case_opened { Key::ReportsCaseOpened }
                                else { Key::ReportsCaseAttached }) }{ ")" }
                        </li>
                    }
                }) }
            </ul>
            { for answer.announcements.iter().map(|a| {
                let territory = vocabulary.territory(lang, &a.owner.territory);
                html! { <p class="reports-elsewhere">{ i18n::tf(lang, Key::ReportsOwnerElsewhere,
                    &[("organization", &a.owner.organization), ("territory", &territory)]) }</p> }
            }) }
        </section>
    }
}

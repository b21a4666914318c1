//! The short form for a new report, usable on a phone and offline: a mobile unit in the street
//! files it at once when there is network, else keeps it encrypted on the device and sends it
//! when the network returns (see [`crate::offline`]).
use std::rc::Rc;

use madar_openapi::reports::CreateReport;
use madar_openapi::Language;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::i18n::{self, Key};
use crate::offline::{self, queue, Filed};
use crate::state::AppContext;

pub(crate) mod form;
mod queue_view;

use form::{FieldErrors, Form};
use queue_view::QueuePanel;

/// Situation flags offered for the child (concern codes that describe a situation rather than
/// a harm).
const SITUATIONS: [&str; 8] = [
    "street_situation",
    "out_of_school",
    "unregistered_civil_status",
    "deprived_of_family",
    "unaccompanied_migrant",
    "disability",
    "addiction",
    "in_institution",
];

/// JavaScript's `getTimezoneOffset()`: UTC minus local time, in minutes.
fn tz_offset() -> i32 {
    js_sys::Date::new_0().get_timezone_offset() as i32
}

/// A change to the form.
enum Edit {
    Set(fn(&mut Form, String), String),
    Toggle(fn(&mut Form) -> &mut Vec<String>, String),
    Danger(bool),
    Replace(Form),
}

#[derive(PartialEq, Default)]
struct FormState(Form);

impl Reducible for FormState {
    type Action = Edit;

    fn reduce(self: Rc<Self>, edit: Edit) -> Rc<Self> {
        let mut form = self.0.clone();
        match edit {
            Edit::Set(apply, value) => apply(&mut form, value),
            Edit::Toggle(list, code) => {
                let next = form::toggle(list(&mut form), &code);
                *list(&mut form) = next;
            }
            Edit::Danger(on) => form.immediate_danger = on,
            Edit::Replace(next) => form = next,
        }
        Rc::new(FormState(form))
    }
}

/// What the last submission gave.
#[derive(Clone, PartialEq)]
enum Outcome {
    Filed(Filed),
    Queued,
    Refused(ApiError),
    /// The device could not keep it (storage or crypto unavailable).
    NotKept,
}

/// The message for a field error code (the form's, the contract's or the server's).
fn field_message(lang: Language, code: &str) -> String {
    let key = match code {
        "required" => Key::NewReportErrRequired,
        "name_required" => Key::NewReportErrNameRequired,
        "in_future" => Key::NewReportErrInFuture,
        "range" => Key::NewReportErrRange,
        "inconsistent" => Key::NewReportErrInconsistent,
        "invalid_phone" => Key::NewReportErrInvalidPhone,
        "length" => Key::NewReportErrLength,
        "forbidden_character" | "blank" => Key::NewReportErrCharacters,
        "invalid_date" => Key::NewReportErrInvalidDate,
        "invalid_code" | "unknown_territory" | "unknown_code" => Key::NewReportErrUnknownCode,
        other => return i18n::problem(lang, other).to_owned(),
    };
    i18n::t(lang, key).to_owned()
}

/// The errors of a 422, on their fields.
fn server_errors(error: &ApiError) -> FieldErrors {
    error
        .field_errors()
        .iter()
        .map(|f| (form::field_of(&f.field), f.code.clone()))
        .collect()
}

fn error_of<'a>(errors: &'a FieldErrors, id: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| *f == id)
        .map(|(_, c)| c.as_str())
}

/// A field's label, control and error.
fn field(
    lang: Language,
    id: &'static str,
    label: Key,
    errors: &FieldErrors,
    control: Html,
) -> Html {
    let error = error_of(errors, id);
    html! {
        <div class={classes!("field", error.map(|_| "nr-invalid"))}>
            <label for={id}>{ i18n::t(lang, label) }</label>
            { control }
            if let Some(code) = error {
                <p class="nr-field-error" id={format!("{id}-error")}>{ field_message(lang, code) }</p>
            }
        </div>
    }
}

/// A group of checkboxes for codes of a vocabulary list.
fn checkboxes(
    prefix: &'static str,
    items: Vec<(String, String)>,
    chosen: &[String],
    on: Callback<String>,
) -> Html {
    html! {
        <div class="nr-choices">
            { for items.into_iter().map(|(code, label)| {
                let id = format!("{prefix}-{code}");
                let checked = chosen.contains(&code);
                let on = on.clone();
                let value = code.clone();
                html! {
                    <label class="nr-choice" for={id.clone()}>
                        <input type="checkbox" id={id} value={code} {checked}
                            onchange={Callback::from(move |_| on.emit(value.clone()))} />
                        <span>{ label }</span>
                    </label>
                }
            }) }
        </div>
    }
}

fn options(lang: Language, items: Vec<(String, String)>, chosen: &str, placeholder: bool) -> Html {
    html! {
        <>
            if placeholder {
                <option value="" selected={chosen.is_empty()}>{ i18n::t(lang, Key::NewReportChoose) }</option>
            }
            { for items.into_iter().map(|(code, label)| {
                let selected = code == chosen;
                html! { <option value={code} {selected}>{ label }</option> }
            }) }
        </>
    }
}

#[function_component(NewReportPage)]
pub fn new_report_page() -> Html {
    let ctx = use_context::<AppContext>();
    let form = use_reducer(FormState::default);
    let errors = use_state(FieldErrors::new);
    let busy = use_state(|| false);
    let outcome = use_state(|| None::<Outcome>);
    // The Idempotency-Key of the report being captured: made at its first submission, kept
    // while it is corrected, so the server files it once.
    let key = use_state(|| None::<String>);
    let redraw = use_force_update();
    let user = ctx
        .as_ref()
        .and_then(|c| c.user.as_ref())
        .map(|u| (u.id.to_string(), u.territory.clone()));

    {
        let form = form.clone();
        let territory = user.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
        use_effect_with((), move |_| {
            form.dispatch(Edit::Replace(Form {
                territory,
                ..Form::new(offline::now(), tz_offset())
            }));
        });
    }
    // Redraw when the network comes and goes (the banner, the button's text).
    use_effect_with((), move |_| {
        let listener = Closure::<dyn FnMut()>::new(move || redraw.force_update());
        let window = web_sys::window();
        if let Some(w) = &window {
            for event in ["online", "offline"] {
                let _ =
                    w.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
            }
        }
        move || {
            if let Some(w) = &window {
                for event in ["online", "offline"] {
                    let _ = w.remove_event_listener_with_callback(
                        event,
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
            drop(listener);
        }
    });

    let (Some(ctx), Some((user_id, _))) = (ctx, user) else {
        return Html::default();
    };
    let lang = ctx.lang;
    let vocabulary = ctx.vocabulary.clone();
    let online = offline::online();
    let f = &form.0;

    let set = |apply: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            form.dispatch(Edit::Set(
                apply,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let set_area = |apply: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            form.dispatch(Edit::Set(
                apply,
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ))
        })
    };
    let choose = |apply: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            form.dispatch(Edit::Set(
                apply,
                e.target_unchecked_into::<HtmlSelectElement>().value(),
            ))
        })
    };
    let toggle = |list: fn(&mut Form) -> &mut Vec<String>| {
        let form = form.clone();
        Callback::from(move |code: String| form.dispatch(Edit::Toggle(list, code)))
    };
    let on_danger = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            form.dispatch(Edit::Danger(
                e.target_unchecked_into::<HtmlInputElement>().checked(),
            ))
        })
    };

    let onsubmit = {
        let (form, errors, busy, outcome, key) = (
            form.clone(),
            errors.clone(),
            busy.clone(),
            outcome.clone(),
            key.clone(),
        );
        let user_id = user_id.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let now = offline::now();
            let report = match form.0.to_request(now, tz_offset()) {
                Ok(report) => report,
                Err(found) => {
                    errors.set(found);
                    outcome.set(None);
                    focus_first_error();
                    return;
                }
            };
            errors.set(Vec::new());
            outcome.set(None);
            busy.set(true);
            let id = (*key).clone().unwrap_or_else(api::new_key);
            key.set(Some(id.clone()));
            let (form, errors, busy, outcome, key) = (
                form.clone(),
                errors.clone(),
                busy.clone(),
                outcome.clone(),
                key.clone(),
            );
            let user_id = user_id.clone();
            spawn_local(async move {
                let result = submit(&user_id, &id, &report).await;
                match &result {
                    Outcome::Refused(error) => errors.set(server_errors(error)),
                    Outcome::NotKept => {}
                    Outcome::Filed(_) | Outcome::Queued => {
                        key.set(None);
                        let territory = form.0.territory.clone();
                        form.dispatch(Edit::Replace(Form {
                            territory,
                            ..Form::new(offline::now(), tz_offset())
                        }));
                    }
                }
                outcome.set(Some(result));
                busy.set(false);
                scroll_to("nr-result");
            });
        })
    };

    let on_correct = {
        let (form, errors, key, outcome) =
            (form.clone(), errors.clone(), key.clone(), outcome.clone());
        Callback::from(
            move |(id, report, failure): (String, CreateReport, Option<queue::Failure>)| {
                form.dispatch(Edit::Replace(Form::of(&report, tz_offset())));
                // A refused request stored nothing: the corrected one may reuse the key,
                // unless the key itself was refused (used for another report).
                let reused = failure
                    .as_ref()
                    .is_some_and(|f| f.code == "idempotency_key_reused");
                key.set((!reused).then_some(id));
                outcome.set(None);
                errors.set(
                    failure
                        .map(|f| {
                            f.fields
                                .iter()
                                .map(|(path, code)| (form::field_of(path), code.clone()))
                                .collect()
                        })
                        .unwrap_or_default(),
                );
                scroll_to("nr-form");
            },
        )
    };

    let sexes = vocabulary.items(lang, "sexes");
    let sources = vocabulary.items(lang, "report_sources");
    let reporters = vocabulary.items(lang, "reporter_types");
    let concerns = vocabulary.items(lang, "concern_types");
    let situations: Vec<(String, String)> = SITUATIONS
        .iter()
        .map(|c| (c.to_string(), vocabulary.label(lang, "concern_types", c)))
        .collect();
    let territories = vocabulary.territories(lang);
    let errs = &*errors;
    let described = |id: &str| error_of(errs, id).map(|_| format!("{id}-error"));
    let invalid = |id: &str| error_of(errs, id).map(|_| "true");

    html! {
        <section id="new-report" class="nr" aria-labelledby="nr-title">
            <h1 id="nr-title">{ i18n::t(lang, Key::NewReportTitle) }</h1>
            <p class="intro">{ i18n::t(lang, Key::NewReportIntro) }</p>
            if !online {
                <p id="nr-offline" class="nr-offline" role="status">{ i18n::t(lang, Key::NewReportOfflineBanner) }</p>
            }
            <div id="nr-result" aria-live="polite">
                { outcome_view(lang, &vocabulary, outcome.as_ref()) }
            </div>
            <form id="nr-form" class="card nr-form" novalidate=true {onsubmit}>
                if !errs.is_empty() {
                    <p id="nr-errors" class="error" role="alert">{ i18n::t(lang, Key::NewReportCheckFields) }</p>
                }
                <fieldset class="nr-group">
                    <legend>{ i18n::t(lang, Key::NewReportSectionReport) }</legend>
                    { field(lang, "nr-source", Key::NewReportSource, errs, html! {
                        <select id="nr-source" onchange={choose(|f, v| f.source = v)}
                            aria-invalid={invalid("nr-source")} aria-describedby={described("nr-source")}>
                            { options(lang, sources, &f.source, true) }
                        </select>
                    }) }
                    { field(lang, "nr-received-at", Key::NewReportReceivedAt, errs, html! {
                        <input id="nr-received-at" type="datetime-local" dir="ltr" value={f.received_at.clone()}
                            oninput={set(|f, v| f.received_at = v)}
                            aria-invalid={invalid("nr-received-at")} aria-describedby={described("nr-received-at")} />
                    }) }
                </fieldset>
                <fieldset class="nr-group">
                    <legend>{ i18n::t(lang, Key::NewReportSectionChild) }</legend>
                    <p class="nr-hint">{ i18n::t(lang, Key::NewReportNameHint) }</p>
                    { field(lang, "nr-given-ar", Key::NewReportGivenNameAr, errs, html! {
                        <input id="nr-given-ar" lang="ar" dir="rtl" autocomplete="off" value={f.given_name_ar.clone()}
                            oninput={set(|f, v| f.given_name_ar = v)}
                            aria-invalid={invalid("nr-given-ar")} aria-describedby={described("nr-given-ar")} />
                    }) }
                    { field(lang, "nr-family-ar", Key::NewReportFamilyNameAr, errs, html! {
                        <input id="nr-family-ar" lang="ar" dir="rtl" autocomplete="off" value={f.family_name_ar.clone()}
                            oninput={set(|f, v| f.family_name_ar = v)} aria-invalid={invalid("nr-family-ar")} />
                    }) }
                    { field(lang, "nr-given-latin", Key::NewReportGivenNameLatin, errs, html! {
                        <input id="nr-given-latin" lang="fr" dir="ltr" autocomplete="off" value={f.given_name_latin.clone()}
                            oninput={set(|f, v| f.given_name_latin = v)} aria-invalid={invalid("nr-given-latin")} />
                    }) }
                    { field(lang, "nr-family-latin", Key::NewReportFamilyNameLatin, errs, html! {
                        <input id="nr-family-latin" lang="fr" dir="ltr" autocomplete="off" value={f.family_name_latin.clone()}
                            oninput={set(|f, v| f.family_name_latin = v)} aria-invalid={invalid("nr-family-latin")} />
                    }) }
                    { field(lang, "nr-sex", Key::NewReportSex, errs, html! {
                        <select id="nr-sex" onchange={choose(|f, v| f.sex = v)} aria-invalid={invalid("nr-sex")}>
                            { options(lang, sexes, &f.sex, false) }
                        </select>
                    }) }
                    <div class="nr-pair">
                        { field(lang, "nr-dob", Key::NewReportDateOfBirth, errs, html! {
                            <input id="nr-dob" type="date" dir="ltr" value={f.date_of_birth.clone()}
                                oninput={set(|f, v| f.date_of_birth = v)}
                                aria-invalid={invalid("nr-dob")} aria-describedby={described("nr-dob")} />
                        }) }
                        { field(lang, "nr-birth-year", Key::NewReportBirthYear, errs, html! {
                            <input id="nr-birth-year" type="number" inputmode="numeric" min="1990" max="2100" dir="ltr"
                                value={f.birth_year.clone()} oninput={set(|f, v| f.birth_year = v)}
                                aria-invalid={invalid("nr-birth-year")} aria-describedby={described("nr-birth-year")} />
                        }) }
                    </div>
                    { field(lang, "nr-territory", Key::NewReportTerritory, errs, html! {
                        <select id="nr-territory" onchange={choose(|f, v| f.territory = v)}
                            aria-invalid={invalid("nr-territory")} aria-describedby={described("nr-territory")}>
                            <option value="" selected={f.territory.is_empty()}>{ i18n::t(lang, Key::NewReportChoose) }</option>
                            { for territories.into_iter().map(|(code, label, depth)| {
                                let selected = code == f.territory;
                                let indent = "\u{a0}\u{a0}".repeat(depth);
                                html! { <option value={code} {selected}>{ format!("{indent}{label}") }</option> }
                            }) }
                        </select>
                    }) }
                    { field(lang, "nr-address", Key::NewReportAddress, errs, html! {
                        <input id="nr-address" autocomplete="off" value={f.address.clone()}
                            oninput={set(|f, v| f.address = v)}
                            aria-invalid={invalid("nr-address")} aria-describedby={described("nr-address")} />
                    }) }
                    <fieldset class="nr-sub" id="nr-situation">
                        <legend>{ i18n::t(lang, Key::NewReportSituation) }</legend>
                        { checkboxes("nr-sit", situations, &f.situation, toggle(|f| &mut f.situation)) }
                    </fieldset>
                </fieldset>
                <fieldset class={classes!("nr-group", error_of(errs, "nr-concerns").map(|_| "nr-invalid"))} id="nr-concerns">
                    <legend>{ i18n::t(lang, Key::NewReportConcerns) }</legend>
                    if let Some(code) = error_of(errs, "nr-concerns") {
                        <p class="nr-field-error" id="nr-concerns-error">{ field_message(lang, code) }</p>
                    }
                    { checkboxes("nr-concern", concerns, &f.concerns, toggle(|f| &mut f.concerns)) }
                    <label class="nr-choice nr-danger" for="nr-danger">
                        <input type="checkbox" id="nr-danger" checked={f.immediate_danger} onchange={on_danger} />
                        <span>{ i18n::t(lang, Key::NewReportImmediateDanger) }</span>
                    </label>
                    { field(lang, "nr-narrative", Key::NewReportNarrative, errs, html! {
                        <textarea id="nr-narrative" rows="5" value={f.narrative.clone()}
                            oninput={set_area(|f, v| f.narrative = v)}
                            aria-invalid={invalid("nr-narrative")} aria-describedby={described("nr-narrative")} />
                    }) }
                </fieldset>
                <fieldset class="nr-group">
                    <legend>{ i18n::t(lang, Key::NewReportSectionReporter) }</legend>
                    { field(lang, "nr-reporter-type", Key::NewReportReporterType, errs, html! {
                        <select id="nr-reporter-type" onchange={choose(|f, v| f.reporter_type = v)}
                            aria-invalid={invalid("nr-reporter-type")}>
                            { options(lang, reporters, &f.reporter_type, true) }
                        </select>
                    }) }
                    { field(lang, "nr-reporter-name", Key::NewReportReporterName, errs, html! {
                        <input id="nr-reporter-name" autocomplete="off" value={f.reporter_name.clone()}
                            oninput={set(|f, v| f.reporter_name = v)}
                            aria-invalid={invalid("nr-reporter-name")} aria-describedby={described("nr-reporter-name")} />
                    }) }
                    { field(lang, "nr-reporter-phone", Key::NewReportReporterPhone, errs, html! {
                        <input id="nr-reporter-phone" type="tel" dir="ltr" autocomplete="off" value={f.reporter_phone.clone()}
                            oninput={set(|f, v| f.reporter_phone = v)}
                            aria-invalid={invalid("nr-reporter-phone")} aria-describedby={described("nr-reporter-phone")} />
                    }) }
                </fieldset>
                <button id="nr-submit" type="submit" class="primary nr-submit" disabled={*busy}>
                    { i18n::t(lang, match (*busy, online) {
                        (true, _) => Key::NewReportSending,
                        (false, true) => Key::NewReportSubmit,
                        (false, false) => Key::NewReportKeepOnDevice,
                    }) }
                </button>
            </form>
            <QueuePanel user={user_id} {on_correct} />
        </section>
    }
}

/// Files the report, or keeps it on the device when there is no network.
async fn submit(user: &str, key: &str, report: &CreateReport) -> Outcome {
    let answer = if offline::online() {
        let (answer, filed) = offline::send(key, report).await;
        if let Some(filed) = filed {
            return Outcome::Filed(filed);
        }
        Some(answer)
    } else {
        None
    };
    if queue::queue_instead(offline::online(), answer.as_ref()) {
        return match offline::enqueue(user, key, report).await {
            Ok(()) => Outcome::Queued,
            Err(_) => Outcome::NotKept,
        };
    }
    match answer {
        Some(queue::Answer::Problem(f)) => Outcome::Refused(problem_error(f)),
        // A 201 without a readable body: filed all the same.
        _ => Outcome::Filed(Filed {
            reference: String::new(),
            status: madar_openapi::reports::ReportStatus::Received,
        }),
    }
}

/// Back from the queue's failure to an [`ApiError`], for the problem message.
fn problem_error(f: queue::Failure) -> ApiError {
    let errors = f
        .fields
        .into_iter()
        .map(|(field, code)| madar_openapi::problem::FieldError {
            field,
            code,
            message: String::new(),
        })
        .collect();
    match serde_json::from_value::<madar_openapi::Problem>(serde_json::json!({
        "type": "about:blank", "title": "", "status": f.status, "code": f.code,
    })) {
        Ok(mut problem) => {
            problem.errors = errors;
            ApiError::Problem(Box::new(problem))
        }
        Err(_) => ApiError::Status(f.status),
    }
}

fn outcome_view(
    lang: Language,
    vocabulary: &crate::state::Vocabulary,
    outcome: Option<&Outcome>,
) -> Html {
    match outcome {
        None => Html::default(),
        Some(Outcome::Filed(filed)) => html! {
            <div class="success nr-filed" role="status">
                <p>{ i18n::t(lang, Key::NewReportFiled) }</p>
                <p class="nr-reference"><bdi id="nr-reference" class="code" dir="ltr">{ filed.reference.clone() }</bdi></p>
                <p>{ i18n::t(lang, Key::NewReportStatus) }{ ": " }
                    <span id="nr-status">{ vocabulary.label_of(lang, "report_statuses", &filed.status) }</span></p>
            </div>
        },
        Some(Outcome::Queued) => html! {
            <p id="nr-queued" class="success nr-queued" role="status">{ i18n::t(lang, Key::NewReportQueued) }</p>
        },
        Some(Outcome::Refused(error)) => html! {
            <div id="nr-problem" class="error" role="alert">
                <p>{ i18n::problem(lang, &error.code()) }</p>
            </div>
        },
        Some(Outcome::NotKept) => html! {
            <p id="nr-problem" class="error" role="alert">{ i18n::t(lang, Key::NewReportNotKept) }</p>
        },
    }
}

fn element(id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}

fn scroll_to(id: &'static str) {
    // After the redraw.
    spawn_local(async move {
        if let Some(el) = element(id) {
            el.scroll_into_view();
        }
    });
}

/// Moves the focus to the first invalid control, after the redraw.
fn focus_first_error() {
    spawn_local(async {
        let found = web_sys::window().and_then(|w| w.document()).and_then(|d| {
            d.query_selector("[aria-invalid=\"true\"], .nr-invalid input")
                .ok()
                .flatten()
        });
        if let Some(el) = found.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

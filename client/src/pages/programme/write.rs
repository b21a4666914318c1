//! An admin's controls on the programme: here a measure's status and an indicator's value for
//! a year; new sub-objectives and measures in [`super::add`]. Each change is made into the
//! whole programme by [`super::edit`] and sent at once (`PUT` with `If-Match`): a 412 reads the
//! programme again and says so, keeping what was typed; a 422 puts its errors beside the
//! fields they name.
use madar_openapi::plans::PlanMeasureStatus;
use madar_openapi::programme::{ProgrammeMeasure, ProgrammeResponse};
use madar_openapi::Language;
use std::rc::Rc;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::edit::{apply, within, Applied, Change};
use super::Loaded;
use crate::api;
use crate::i18n::{self, Key};
use crate::pages::admin::fields::{input, select, Errors, Field};
use crate::pages::admin::logic::FieldErrors;
use crate::pages::case::form::{options, set_select, set_text, submit, Outcome};
use crate::pages::plans::measure_status;
use crate::state::{AppContext, Vocabulary};

/// A refusal on the page: check the fields, or the message of an error no field shows.
fn refused(lang: Language, errors: &FieldErrors, fields: &[&str]) -> Outcome {
    match errors.iter().find(|(p, _)| !fields.contains(&p.as_str())) {
        Some((_, code)) => Outcome::Invalid(i18n::field_problem(lang, code).to_owned()),
        None => Outcome::Invalid(i18n::t(lang, Key::AdminCheckFields).to_owned()),
    }
}

/// What a form needs to send a change: the programme read, its errors and outcome, and who to
/// tell of the programme as it is after.
#[derive(Clone)]
pub(super) struct Sender {
    pub lang: Language,
    loaded: Loaded,
    pub errors: Errors,
    pub outcome: UseStateHandle<Outcome>,
    on_saved: Callback<Loaded>,
}

impl Sender {
    /// Makes `change` and sends it; `fields` are the form's own (their errors shown beside
    /// them); `then` is told after it is saved (one copy of this for every form: not generic).
    pub fn send(&self, change: Change, fields: &'static [&'static str], then: Callback<()>) {
        let Sender {
            lang,
            loaded,
            errors,
            outcome,
            on_saved,
        } = self;
        if outcome.busy() {
            return;
        }
        let Applied { body, at } = match apply(&loaded.programme.objectives, &change) {
            Ok(applied) => applied,
            Err(found) => {
                outcome.set(refused(*lang, &found, fields));
                return errors.set(found);
            }
        };
        errors.set(FieldErrors::new());
        outcome.set(Outcome::Busy);
        let (lang, etag) = (*lang, loaded.etag.clone());
        let (errors, outcome, on_saved) = (errors.clone(), outcome.clone(), on_saved.clone());
        let show = move |(p, etag): (ProgrammeResponse, String)| {
            on_saved.emit(Loaded {
                programme: Rc::new(p),
                etag,
            })
        };
        spawn_local(async move {
            let error = match api::put::<_, ProgrammeResponse>("/programme", &etag, &body).await {
                Ok(saved) => {
                    show(saved);
                    outcome.set(Outcome::Done(i18n::t(lang, Key::ProgrammeSaved).to_owned()));
                    return then.emit(());
                }
                Err(e) => e,
            };
            if error.status() == Some(412) {
                if let Ok(fresh) = api::get_tagged("/programme").await {
                    show(fresh);
                    let text = i18n::t(lang, Key::ProgrammeConflict);
                    return outcome.set(Outcome::Invalid(text.to_owned()));
                }
            }
            let named: FieldErrors = (error.field_errors().iter())
                .map(|f| (f.field.clone(), f.code.clone()))
                .collect();
            match within(&named, &at) {
                Some(found) if !found.is_empty() => {
                    outcome.set(refused(lang, &found, fields));
                    errors.set(found);
                }
                _ => outcome.set(Outcome::Failed(error)),
            }
        });
    }
}

#[hook]
pub(super) fn use_sender(loaded: &Loaded, on_saved: &Callback<Loaded>) -> Sender {
    Sender {
        lang: use_context::<AppContext>()
            .map(|c| c.lang)
            .unwrap_or_default(),
        loaded: loaded.clone(),
        errors: use_state(FieldErrors::new),
        outcome: use_state(Outcome::default),
        on_saved: on_saved.clone(),
    }
}

pub(super) fn field<'a>(id: &'a str, label: Key, path: &'a str) -> Field<'a> {
    Field {
        id,
        label,
        path,
        hint: None,
    }
}

#[derive(Properties, PartialEq)]
pub struct MeasureProps {
    pub measure: ProgrammeMeasure,
    pub loaded: Loaded,
    pub on_saved: Callback<Loaded>,
}

/// A measure's status, and a value of one of its indicators for a year.
#[function_component(MeasureEditor)]
pub fn measure_editor(props: &MeasureProps) -> Html {
    let m = &props.measure;
    let sender = use_sender(&props.loaded, &props.on_saved);
    let status = use_state(|| Vocabulary::code_of(&m.status));
    {
        // Read again (someone else changed it): the choice shows the status as it is now.
        let status = status.clone();
        use_effect_with(m.status, move |now| status.set(Vocabulary::code_of(now)));
    }
    let first = m
        .indicators
        .first()
        .map(|x| x.key.clone())
        .unwrap_or_default();
    let indicator = use_state(|| first);
    let (year, value) = (use_state(String::new), use_state(String::new));
    let lang = sender.lang;
    let t = |k| i18n::t(lang, k);
    let key = &m.key;
    let ids = [
        "status",
        "status-save",
        "indicator",
        "year",
        "value",
        "value-save",
        "result",
    ]
    .map(|what| format!("{what}-{key}"));
    let statuses: Vec<(String, String)> = PlanMeasureStatus::ALL
        .iter()
        .map(|s| (Vocabulary::code_of(s), measure_status(lang, *s).to_owned()))
        .collect();
    let on_status = {
        let (measure, status, sender) = (key.clone(), status.clone(), sender.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(status) = crate::json::code(&status) {
                let change = Change::Status {
                    measure: measure.clone(),
                    status,
                };
                sender.send(change, &["status"], Callback::noop());
            }
        })
    };
    let on_value = {
        let (measure, sender) = (key.clone(), sender.clone());
        let (indicator, year, value) = (indicator.clone(), year.clone(), value.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let change = Change::YearValue {
                measure: measure.clone(),
                indicator: (*indicator).clone(),
                year: (*year).clone(),
                value: (*value).clone(),
            };
            let typed = value.clone();
            sender.send(
                change,
                &["year", "value"],
                Callback::from(move |()| typed.set(String::new())),
            );
        })
    };
    let indicators: Vec<(String, String)> = m
        .indicators
        .iter()
        .map(|x| (x.key.clone(), x.name.clone()))
        .collect();
    let errors = &sender.errors;
    let busy = sender.outcome.busy();
    html! {
        <div class="programme-edit">
            <form class="programme-edit-form" novalidate=true onsubmit={on_status}>
                { select(lang, field(&ids[0], Key::ProgrammeStatusOf, "status"), errors,
                    options(&statuses, &status, None), set_select(&status)) }
                { submit(&ids[1], t(Key::ProgrammeSaveStatus), busy) }
            </form>
            if !indicators.is_empty() {
                <form class="programme-edit-form" novalidate=true onsubmit={on_value}>
                    { select(lang, field(&ids[2], Key::PlansIndicator, "indicator"), errors,
                        options(&indicators, &indicator, None), set_select(&indicator)) }
                    { input(lang, field(&ids[3], Key::ProgrammeYear, "year"), errors, ("text", true), &year, set_text(&year)) }
                    { input(lang, field(&ids[4], Key::ProgrammeValue, "value"), errors, ("text", true), &value, set_text(&value)) }
                    { submit(&ids[5], t(Key::ProgrammeSaveValue), busy) }
                </form>
            }
            { sender.outcome.view(&ids[6]) }
        </div>
    }
}

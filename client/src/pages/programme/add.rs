//! An admin's new elements of the programme: a measure of a sub-objective (with at most one
//! indicator), a sub-objective of an objective; sent as [`super::write`] sends every change.
use yew::prelude::*;

use super::edit::{Change, MeasureDraft};
use super::write::{field, use_sender};
use super::Loaded;
use crate::i18n::{self, Key};
use crate::pages::admin::fields::{focus, input};
use crate::pages::case::form::{input_value, set_text, submit};

#[derive(Properties, PartialEq)]
pub struct AddMeasureProps {
    pub sub_objective: String,
    pub loaded: Loaded,
    pub on_saved: Callback<Loaded>,
}

/// The fields of a new measure: their contract paths (relative to it)...
const MEASURE_PATHS: [&str; 8] = [
    "title",
    "sector",
    "partners",
    "starts_year",
    "ends_year",
    "indicators[0].name",
    "indicators[0].baseline",
    "indicators[0].target",
];

/// ... and, in the same order, their controls: id (after the form's), label, left to right.
const MEASURE_CONTROLS: [(&str, Key, bool); 8] = [
    ("title", Key::ProgrammeMeasureTitle, false),
    ("sector", Key::ProgrammeSector, false),
    ("partners", Key::ProgrammePartners, false),
    ("starts", Key::ProgrammeStartsYear, true),
    ("ends", Key::ProgrammeEndsYear, true),
    ("indicator", Key::ProgrammeIndicatorName, false),
    ("baseline", Key::PlansBaseline, true),
    ("target", Key::PlansTarget, true),
];

/// A new measure as typed, in the order of [`MEASURE_PATHS`].
fn measure_draft(typed: &[String; 8]) -> MeasureDraft {
    let [title, sector, partners, starts_year, ends_year, indicator, baseline, target] =
        typed.clone();
    MeasureDraft {
        title,
        sector,
        partners,
        starts_year,
        ends_year,
        indicator,
        baseline,
        target,
    }
}

/// A new measure of a sub-objective (its status: planned), opened by a button.
#[function_component(AddMeasure)]
pub fn add_measure(props: &AddMeasureProps) -> Html {
    let sender = use_sender(&props.loaded, &props.on_saved);
    let opened = use_state(|| false);
    let typed = use_state(<[String; 8]>::default);
    let lang = sender.lang;
    let t = |k| i18n::t(lang, k);
    let prefix = format!("measure-{}", props.sub_objective);
    {
        let first = format!("{prefix}-title");
        use_effect_with(*opened, move |opened| {
            if *opened {
                focus(&first);
            }
        });
    }
    let toggle = {
        let opened = opened.clone();
        Callback::from(move |_: MouseEvent| opened.set(!*opened))
    };
    if !*opened {
        return html! {
            <p><button type="button" class="secondary programme-add-measure" id={format!("{prefix}-open")}
                onclick={toggle}>{ t(Key::ProgrammeAddMeasure) }</button></p>
        };
    }
    let onsubmit = {
        let (sub, typed, opened) = (props.sub_objective.clone(), typed.clone(), opened.clone());
        let sender = sender.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let draft = measure_draft(&typed);
            let change = Change::Measure {
                sub_objective: sub.clone(),
                draft,
            };
            let (typed, opened) = (typed.clone(), opened.clone());
            let then = Callback::from(move |()| {
                typed.set(Default::default());
                opened.set(false);
            });
            sender.send(change, &MEASURE_PATHS, then);
        })
    };
    let fields = MEASURE_CONTROLS
        .iter()
        .enumerate()
        .map(|(n, (id, label, ltr))| {
            let id = format!("{prefix}-{id}");
            let mut f = field(&id, *label, MEASURE_PATHS[n]);
            if n == 2 {
                f.hint = Some(Key::ProgrammePartnersHint);
            }
            let set = {
                let typed = typed.clone();
                Callback::from(move |e: InputEvent| {
                    let mut next = (*typed).clone();
                    next[n] = input_value(&e);
                    typed.set(next);
                })
            };
            input(lang, f, &sender.errors, ("text", *ltr), &typed[n], set)
        });
    html! {
        <form class="card case-form programme-new-measure" id={prefix.clone()} novalidate=true {onsubmit}>
            <h4>{ t(Key::ProgrammeAddMeasure) }</h4>
            { for fields }
            <p class="programme-actions">
                { submit(&format!("{prefix}-submit"), t(Key::ProgrammeAddMeasure), sender.outcome.busy()) }
                <button type="button" class="secondary" onclick={toggle}>{ t(Key::ProgrammeCancel) }</button>
            </p>
            { sender.outcome.view(&format!("{prefix}-result")) }
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct AddSubProps {
    pub objective: String,
    pub loaded: Loaded,
    pub on_saved: Callback<Loaded>,
}

/// A new sub-objective of an objective.
#[function_component(AddSubObjective)]
pub fn add_sub_objective(props: &AddSubProps) -> Html {
    let sender = use_sender(&props.loaded, &props.on_saved);
    let title = use_state(String::new);
    let lang = sender.lang;
    let prefix = format!("sub-{}", props.objective);
    let onsubmit = {
        let (objective, title) = (props.objective.clone(), title.clone());
        let sender = sender.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let change = Change::SubObjective {
                objective: objective.clone(),
                title: (*title).clone(),
            };
            let typed = title.clone();
            sender.send(
                change,
                &["title"],
                Callback::from(move |()| typed.set(String::new())),
            );
        })
    };
    html! {
        <form class="programme-edit-form programme-new-sub" id={prefix.clone()} novalidate=true {onsubmit}>
            { input(lang, field(&format!("{prefix}-title"), Key::ProgrammeSubTitle, "title"),
                &sender.errors, ("text", false), &title, set_text(&title)) }
            { submit(&format!("{prefix}-submit"), i18n::t(lang, Key::ProgrammeAddSub), sender.outcome.busy()) }
            { sender.outcome.view(&format!("{prefix}-result")) }
        </form>
    }
}

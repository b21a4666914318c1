//! Break-the-glass on the case page: a coordinator who opens a case outside their territory
//! (404) may ask for time-limited access with a written reason; the case then opens, under a
//! banner saying until when. The access is recorded and shown to the auditors.
use madar_openapi::access::{AccessGrantResponse, CreateAccessGrant};
use madar_openapi::Language;
use validator::Validate;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form::{options, set_area, set_select, submit, Outcome};
use crate::api;
use crate::components::widgets::datetime;
use crate::i18n::{self, Key};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub case_id: String,
    pub lang: Language,
    /// The grant, once made.
    pub on_granted: Callback<AccessGrantResponse>,
}

const HOURS: [u32; 5] = [1, 4, 8, 24, 72];

#[function_component(BreakGlass)]
pub fn break_glass(props: &Props) -> Html {
    let reason = use_state(String::new);
    let hours = use_state(|| "8".to_owned());
    let outcome = use_state(Outcome::default);
    let lang = props.lang;
    let onsubmit = {
        let (reason, hours, outcome) = (reason.clone(), hours.clone(), outcome.clone());
        let (case_id, on_granted) = (props.case_id.clone(), props.on_granted.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = match case_id.parse() {
                Ok(case_id) => CreateAccessGrant {
                    case_id,
                    reason: reason.trim().to_owned(),
                    hours: hours.parse().ok(),
                },
                Err(_) => return,
            };
            if body.validate().is_err() {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::CaseGlassTooShort).to_owned(),
                ));
                return;
            }
            outcome.set(Outcome::Busy);
            let (outcome, on_granted) = (outcome.clone(), on_granted.clone());
            spawn_local(async move {
                match api::post::<_, AccessGrantResponse>("/access-grants", &body).await {
                    Ok(grant) => {
                        outcome.set(Outcome::Idle);
                        on_granted.emit(grant);
                    }
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let choices: Vec<(String, String)> = HOURS
        .iter()
        .map(|h| {
            let n = h.to_string();
            (n.clone(), i18n::hours(lang, i64::from(*h), &n))
        })
        .collect();
    html! {
        <section id="glass" class="card case-glass" aria-labelledby="glass-title">
            <h2 id="glass-title">{ i18n::t(lang, Key::CaseGlassTitle) }</h2>
            <p>{ i18n::t(lang, Key::CaseGlassExplain) }</p>
            <form id="glass-form" class="case-form" novalidate=true {onsubmit}>
                <div class="field">
                    <label for="glass-reason">{ i18n::t(lang, Key::CaseGlassReason) }</label>
                    <textarea id="glass-reason" rows="3" dir="auto" value={(*reason).clone()}
                        oninput={set_area(&reason)} />
                </div>
                <div class="field">
                    <label for="glass-hours">{ i18n::t(lang, Key::CaseGlassHours) }</label>
                    <select id="glass-hours" onchange={set_select(&hours)}>
                        { options(&choices, &hours, None) }
                    </select>
                </div>
                { submit("glass-submit", i18n::t(lang, Key::CaseGlassSubmit), outcome.busy()) }
                { outcome.view("glass-outcome") }
            </form>
        </section>
    }
}

/// The banner over a case opened under a grant.
pub fn banner(lang: Language, grant: &AccessGrantResponse) -> Html {
    html! {
        <p id="glass-banner" class="case-glass-banner" role="status">
            { i18n::t(lang, Key::CaseGlassActive) }{ " " }{ datetime(lang, &grant.expires_at) }
        </p>
    }
}

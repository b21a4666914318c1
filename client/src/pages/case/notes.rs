//! Case notes: the list (newest first, paged) and a form to add one.
use madar_openapi::cases::{CreateNote, NoteResponse, NoteType};
use madar_openapi::{Language, Page};
use validator::Validate;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::form::{checked, options, set_area, set_select, set_text, submit, Outcome};
use crate::api::{self, ApiError};
use crate::components::widgets::{datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::state::AppContext;
use crate::state::Vocabulary;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub case_id: String,
    pub on_change: Callback<()>,
}

const NOTE_TYPES: [NoteType; 7] = [
    NoteType::HomeVisit,
    NoteType::Interview,
    NoteType::PhoneCall,
    NoteType::Meeting,
    NoteType::Hearing,
    NoteType::CaseConference,
    NoteType::Other,
];

pub fn note_type(lang: Language, t: &NoteType) -> &'static str {
    match t {
        NoteType::HomeVisit => i18n::t(lang, Key::CaseNoteHomeVisit),
        NoteType::Interview => i18n::t(lang, Key::CaseNoteInterview),
        NoteType::PhoneCall => i18n::t(lang, Key::CaseNotePhoneCall),
        NoteType::Meeting => i18n::t(lang, Key::CaseNoteMeeting),
        NoteType::Hearing => i18n::t(lang, Key::CaseNoteHearing),
        NoteType::CaseConference => i18n::t(lang, Key::CaseNoteCaseConference),
        NoteType::Other => i18n::t(lang, Key::CaseNoteOther),
    }
}

/// `datetime-local` text (`2026-01-05T10:00`) as UTC, read in the browser's time zone.
fn local_to_utc(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let ms = js_sys::Date::parse(text);
    if ms.is_nan() {
        return None;
    }
    chrono::DateTime::from_timestamp_millis(ms as i64)
}

#[function_component(NotesSection)]
pub fn notes_section(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let notes = use_state(|| None::<Result<Vec<NoteResponse>, ApiError>>);
    let cursor = use_state(|| None::<String>);
    let version = use_state(|| 0_u32);
    let kind = use_state(|| "home_visit".to_owned());
    let at = use_state(String::new);
    let sensitive = use_state(|| false);
    let text = use_state(String::new);
    let outcome = use_state(Outcome::default);
    {
        let (notes, cursor) = (notes.clone(), cursor.clone());
        use_effect_with((props.case_id.clone(), *version), move |(id, _)| {
            let path = format!("/cases/{id}/notes?limit=20");
            spawn_local(async move {
                match api::get::<Page<NoteResponse>>(&path).await {
                    Ok(page) => {
                        cursor.set(page.next_cursor);
                        notes.set(Some(Ok(page.items)));
                    }
                    Err(e) => notes.set(Some(Err(e))),
                }
            });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let more = {
        let (notes, cursor, case_id) = (notes.clone(), cursor.clone(), props.case_id.clone());
        Callback::from(move |_| {
            let Some(next) = (*cursor).clone() else {
                return;
            };
            let (notes, cursor) = (notes.clone(), cursor.clone());
            let path = format!("/cases/{case_id}/notes?limit=20&cursor={next}");
            spawn_local(async move {
                if let Ok(page) = api::get::<Page<NoteResponse>>(&path).await {
                    let mut list = match &*notes {
                        Some(Ok(list)) => list.clone(),
                        _ => Vec::new(),
                    };
                    list.extend(page.items);
                    cursor.set(page.next_cursor);
                    notes.set(Some(Ok(list)));
                }
            });
        })
    };
    let onsubmit = {
        let (kind, at, sensitive, text, outcome, version) = (
            kind.clone(),
            at.clone(),
            sensitive.clone(),
            text.clone(),
            outcome.clone(),
            version.clone(),
        );
        let (case_id, on_change) = (props.case_id.clone(), props.on_change.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let occurred_at = if at.is_empty() {
                Some(super::form::now())
            } else {
                local_to_utc(&at)
            };
            let note_type = crate::json::code::<NoteType>(&kind);
            let (Some(occurred_at), Some(note_type)) = (occurred_at, note_type) else {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::CaseNoteIncomplete).to_owned(),
                ));
                return;
            };
            let body = CreateNote {
                note_type,
                occurred_at,
                sensitive: *sensitive,
                text: text.trim().to_owned(),
            };
            if body.validate().is_err() {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::CaseNoteIncomplete).to_owned(),
                ));
                return;
            }
            outcome.set(Outcome::Busy);
            let on_change = on_change.clone();
            let (outcome, version, text, path) = (
                outcome.clone(),
                version.clone(),
                text.clone(),
                format!("/cases/{case_id}/notes"),
            );
            spawn_local(async move {
                match api::post::<_, NoteResponse>(&path, &body).await {
                    Ok(_) => {
                        outcome.set(Outcome::Done(i18n::t(lang, Key::CaseNoteSaved).to_owned()));
                        on_change.emit(());
                        text.set(String::new());
                        version.set(version.wrapping_add(1));
                    }
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let types: Vec<(String, String)> = NOTE_TYPES
        .iter()
        .map(|t| (Vocabulary::code_of(t), note_type(lang, t).to_owned()))
        .collect();
    let list = match &*notes {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(list)) if list.is_empty() => {
            html! { <p class="empty">{ i18n::t(lang, Key::CaseNoNotes) }</p> }
        }
        Some(Ok(list)) => html! {
            <ul id="notes" class="case-notes">
                { for list.iter().map(|n| html! {
                    <li class="case-note">
                        <p class="case-meta"><strong>{ note_type(lang, &n.note_type) }</strong>
                            { " · " }{ datetime(lang, &n.occurred_at) }
                            if n.sensitive { { " · " }<span class="case-badge">{ i18n::t(lang, Key::CaseSensitive) }</span> }
                        </p>
                        if let Some(text) = &n.text {
                            <p class="case-note-text">{ text.clone() }</p>
                        } else {
                            <p class="empty">{ i18n::t(lang, Key::CaseRedacted) }</p>
                        }
                    </li>
                }) }
            </ul>
        },
    };
    html! {
        <section class="card case-notes-section" aria-labelledby="notes-title">
            <h2 id="notes-title">{ i18n::t(lang, Key::CaseNotesTitle) }</h2>
            <form id="note-form" class="case-form" novalidate=true {onsubmit}>
                <div class="field">
                    <label for="note-type">{ i18n::t(lang, Key::CaseNoteType) }</label>
                    <select id="note-type" onchange={set_select(&kind)}>{ options(&types, &kind, None) }</select>
                </div>
                <div class="field">
                    <label for="note-at">{ i18n::t(lang, Key::CaseOccurredAt) }</label>
                    <input id="note-at" type="datetime-local" value={(*at).clone()} oninput={set_text(&at)} />
                </div>
                <div class="case-check">
                    <input id="note-sensitive" type="checkbox" checked={*sensitive}
                        onchange={let s = sensitive.clone(); move |e: Event| s.set(checked(&e))} />
                    <label for="note-sensitive">{ i18n::t(lang, Key::CaseSensitive) }</label>
                </div>
                <div class="field">
                    <label for="note-text">{ i18n::t(lang, Key::CaseNoteText) }</label>
                    <textarea id="note-text" rows="4" value={(*text).clone()} oninput={set_area(&text)} />
                </div>
                { submit("note-submit", i18n::t(lang, Key::CaseAddNote), outcome.busy()) }
            </form>
            { outcome.view("note-result") }
            { list }
            if cursor.is_some() {
                <button type="button" class="secondary" id="notes-more" onclick={more}>{ i18n::t(lang, Key::CaseMore) }</button>
            }
        </section>
    }
}

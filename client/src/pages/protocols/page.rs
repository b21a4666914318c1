//! One protocol version (`/protocols/:id`), read with its ETag: its facts and rules; for the
//! people who manage it, "New draft" (a copy of the rules shown, for the territory they
//! manage) and, on a draft, the editor with "Save" (PATCH with `If-Match`) and "Publish" (the
//! changes saved first, then published). A refused publication puts each problem beside its
//! rule; a 412 loads the version as it is now and says so.
use madar_openapi::protocols::{CreateProtocol, ProtocolResponse};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::{use_navigator, Link};

use super::calls::{read, send, Refused, Tagged};
use super::edit::editor;
use super::logic::{draft_territory, locate_all, may_edit, Located, ProtocolForm};
use super::view::rules_table;
use super::{status_badge, territory_name};
use crate::api::{self, ApiError};
use crate::components::widgets::{date, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::case::form::{submit, Outcome};
use crate::route::Route;
use crate::state::AppContext;

/// Moves the focus to the first problem shown in the editor (a control, or a rule's list).
fn focus_first_problem() {
    use wasm_bindgen::JsCast;
    let found = web_sys::window().and_then(|w| w.document()).and_then(|d| {
        d.query_selector(
            "#protocol-form [aria-invalid=\"true\"], #protocol-form .protocols-problems",
        )
        .ok()
        .flatten()
    });
    if let Some(el) = found.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: String,
}

#[function_component(ProtocolPage)]
pub fn protocol_page(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let loaded = use_state(|| None::<Result<Tagged, ApiError>>);
    let form = use_state(ProtocolForm::default);
    let problems = use_state(Vec::<Located>::new);
    let outcome = use_state(Outcome::default);
    let creating = use_state(Outcome::default);
    // Bumped on each refusal with problems, which then takes the focus.
    let refusals = use_state(|| 0u32);
    use_effect_with(*refusals, |n| {
        if *n > 0 {
            focus_first_problem();
        }
    });
    let navigator = use_navigator();
    let path = format!("/protocols/{}", props.id);
    // The version as it is now, and the form on it.
    let show = {
        let (loaded, form) = (loaded.clone(), form.clone());
        move |t: Tagged| {
            form.set(ProtocolForm::of(&t.record));
            loaded.set(Some(Ok(t)));
        }
    };
    {
        let (loaded, show, problems, outcome, creating) = (
            loaded.clone(),
            show.clone(),
            problems.clone(),
            outcome.clone(),
            creating.clone(),
        );
        use_effect_with(path.clone(), move |path| {
            let path = path.clone();
            loaded.set(None);
            problems.set(Vec::new());
            outcome.set(Outcome::Idle);
            creating.set(Outcome::Idle);
            spawn_local(async move {
                match read(&path).await {
                    Ok(t) => show(t),
                    Err(e) => loaded.set(Some(Err(e))),
                }
            });
        });
    }
    let current = match &*loaded {
        Some(Ok(t)) => Some(t.clone()),
        _ => None,
    };
    // Saves the form, then publishes when asked.
    let run = {
        let (loaded, form, problems, outcome, current, path, refusals) = (
            loaded.clone(),
            form.clone(),
            problems.clone(),
            outcome.clone(),
            current.clone(),
            path.clone(),
            refusals.clone(),
        );
        Callback::from(move |publish: bool| {
            let Some(current) = current.clone() else {
                return;
            };
            if outcome.busy() {
                return;
            }
            let update = match form.changes(&current.record) {
                Ok(None) if !publish => {
                    outcome.set(Outcome::Done(i18n::t(lang, Key::AdminNoChange).into()));
                    return;
                }
                Ok(update) => update,
                Err(errors) => {
                    let typed: Vec<String> = form.rules.iter().map(|r| r.key.clone()).collect();
                    problems.set(locate_all(&errors, &typed));
                    refusals.set(refusals.wrapping_add(1));
                    outcome.set(Outcome::Invalid(
                        i18n::t(lang, Key::AdminCheckFields).into(),
                    ));
                    return;
                }
            };
            outcome.set(Outcome::Busy);
            let (path, show, problems, outcome, loaded, refusals) = (
                path.clone(),
                show.clone(),
                problems.clone(),
                outcome.clone(),
                loaded.clone(),
                refusals.clone(),
            );
            spawn_local(async move {
                let (saved, result) = send(&path, current, update, publish).await;
                if let Some(saved) = saved {
                    // Saved, then not published: the form already shows what was saved.
                    loaded.set(Some(Ok(saved)));
                }
                match result {
                    Ok(t) => {
                        show(t);
                        problems.set(Vec::new());
                        let done = if publish {
                            Key::ProtocolsPublishedNow
                        } else {
                            Key::AdminSaved
                        };
                        outcome.set(Outcome::Done(i18n::t(lang, done).into()));
                    }
                    Err(Refused::Reloaded(t)) => {
                        show(t);
                        problems.set(Vec::new());
                        let text = i18n::t(lang, Key::AdminConflictReloaded);
                        outcome.set(Outcome::Invalid(text.into()));
                    }
                    Err(Refused::Rules(found)) => {
                        let n = found.len().to_string();
                        problems.set(found);
                        refusals.set(refusals.wrapping_add(1));
                        let text = if publish {
                            i18n::tf(lang, Key::ProtocolsPublishRefused, &[("n", &n)])
                        } else {
                            i18n::t(lang, Key::AdminCheckFields).to_owned()
                        };
                        outcome.set(Outcome::Invalid(text));
                    }
                    Err(Refused::Failed(e)) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let t = |k| i18n::t(lang, k);
    let protocol = match &*loaded {
        None => return html! { <Loading busy=true /> },
        Some(Err(e)) => return html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(t)) => t.record.clone(),
    };
    let role = ctx.user.as_ref().map(|u| u.role);
    let territory = ctx
        .user
        .as_ref()
        .map(|u| u.territory.clone())
        .unwrap_or_default();
    let editable = role.is_some_and(|r| may_edit(r, &protocol));
    // Admins start national drafts from the national protocol; coordinators their variant.
    let draft_for = role
        .and_then(|r| draft_territory(r, &territory))
        .filter(|t| protocol.national || t != super::logic::NATIONAL);
    let new_draft = draft_for.map(|territory| {
        let (creating, navigator, protocol) =
            (creating.clone(), navigator.clone(), protocol.clone());
        Callback::from(move |_: MouseEvent| {
            if creating.busy() {
                return;
            }
            let body = CreateProtocol {
                territory: territory.clone(),
                title: protocol.title.clone(),
                rules: protocol.rules.clone(),
            };
            creating.set(Outcome::Busy);
            let (creating, navigator) = (creating.clone(), navigator.clone());
            spawn_local(async move {
                match api::post::<_, ProtocolResponse>("/protocols", &body).await {
                    Ok(created) => {
                        creating.set(Outcome::Idle);
                        if let Some(nav) = navigator {
                            nav.push(&Route::Protocol {
                                id: created.id.to_string(),
                            });
                        }
                    }
                    Err(e) => creating.set(Outcome::Failed(e)),
                }
            });
        })
    });
    let published = protocol.published_at.map(|d| {
        i18n::tf(
            lang,
            Key::ProtocolsPublishedDate,
            &[("date", &date(lang, &d.date_naive()))],
        )
    });
    let onsubmit = {
        let run = run.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            run.emit(false);
        })
    };
    let publish = run.reform(|_: MouseEvent| true);
    html! {
        <section id="protocol-page" class="protocols" aria-labelledby="protocol-title">
            <p><Link<Route> to={Route::Protocols}>{ t(Key::ProtocolsBack) }</Link<Route>></p>
            <h1 id="protocol-title"><bdi>{ protocol.title.clone() }</bdi></h1>
            <p class="facts protocols-facts" id="protocol-facts">
                <span id="protocol-territory">{ territory_name(&ctx, &protocol) }</span>{ " · " }
                <span id="protocol-status" data-status={crate::state::Vocabulary::code_of(&protocol.status)}>
                    { status_badge(lang, protocol.status) }</span>{ " · " }
                { i18n::tf(lang, Key::ProtocolsVersionN, &[("n", &protocol.version.to_string())]) }
                if let Some(p) = published { { " · " }{ p } }
            </p>
            if let Some(onclick) = new_draft {
                <div class="protocols-new">
                    <button type="button" id="protocol-new-draft" class="secondary" {onclick}
                        disabled={creating.busy()} aria-describedby="protocol-new-draft-hint">
                        { t(Key::ProtocolsNewDraft) }</button>
                    <p class="hint" id="protocol-new-draft-hint">{ t(Key::ProtocolsNewDraftHint) }</p>
                    { creating.view("protocol-new-outcome") }
                </div>
            }
            if editable {
                <form id="protocol-form" class="protocols-editor" novalidate=true
                    aria-labelledby="protocol-edit-heading" {onsubmit}>
                    <h2 id="protocol-edit-heading">{ t(Key::ProtocolsEditDraft) }</h2>
                    <p class="hint">{ t(Key::ProtocolsEditHint) }</p>
                    { editor(&ctx, &form, &problems) }
                    <div class="protocols-buttons">
                        { submit("protocol-save", t(Key::ProtocolsSave), outcome.busy()) }
                        <button type="button" id="protocol-publish" class="primary"
                            disabled={outcome.busy()} onclick={publish}>{ t(Key::ProtocolsPublish) }</button>
                        { outcome.view("protocol-outcome") }
                    </div>
                </form>
            } else {
                { outcome.view("protocol-outcome") }
                { rules_table(&ctx, &protocol.rules) }
            }
        </section>
    }
}

//! The webhooks of a partner's or the hotline's organization (`/webhooks`): the endpoints
//! Madar posts events to, signed per Standard Webhooks. A new endpoint, and a new secret for
//! one, show the `whsec_` secret once; an endpoint can be deleted (its deliveries go with it);
//! each lists its deliveries (the newest 100) with their attempts, so the organization sees
//! what reached its system and what is still retried.
use gloo_net::http::Method;
use madar_openapi::webhooks::{
    WebhookDelivery, WebhookDeliveryStatus, WebhookEventType, WebhookResponse, WebhookStatus,
    WebhookWithSecret,
};
use madar_openapi::{Language, Page};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::fields::{self, confirm, on_input, Field};
use super::logic::{error_on, FieldErrors};
use crate::api::{self, ApiError, Call};
use crate::components::widgets::{date, datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::case::form::{checked, submit, Outcome};

mod draft;

use draft::WebhookDraft;

const PATHS: [&str; 2] = ["url", "events"];

/// The label of an event type.
fn event_label(lang: Language, kind: WebhookEventType) -> &'static str {
    i18n::t(
        lang,
        match kind {
            WebhookEventType::ReferralCreated => Key::WebhooksEventReferralCreated,
            WebhookEventType::ReferralUpdated => Key::WebhooksEventReferralUpdated,
            WebhookEventType::ReportStatusChanged => Key::WebhooksEventReportStatusChanged,
            WebhookEventType::AlertCreated => Key::WebhooksEventAlertCreated,
        },
    )
}

fn delivery_status(lang: Language, status: WebhookDeliveryStatus) -> Html {
    let (key, class) = match status {
        WebhookDeliveryStatus::Pending => (Key::WebhooksDeliveryPending, "webhooks-pending"),
        WebhookDeliveryStatus::Delivered => (Key::WebhooksDeliveryDelivered, "webhooks-delivered"),
        WebhookDeliveryStatus::Failed => (Key::WebhooksDeliveryFailed, "webhooks-failed"),
        WebhookDeliveryStatus::Stopped => (Key::WebhooksDeliveryStopped, "webhooks-stopped"),
    };
    html! { <span class={classes!("badge", class)}>{ i18n::t(lang, key) }</span> }
}

/// The endpoint's secret, shown this once (Madar keeps it sealed and never shows it again).
fn secret_panel(
    lang: Language,
    title: String,
    answer: &WebhookWithSecret,
    done: Callback<MouseEvent>,
) -> Html {
    let values = [(
        "webhook-secret-once",
        Key::WebhooksSecret,
        answer.secret.as_str(),
    )];
    fields::shown_once(
        lang,
        ("webhook", title),
        Key::WebhooksSecretOnce,
        &values,
        done,
    )
}

#[derive(Properties, PartialEq)]
struct DeliveriesProps {
    /// The endpoint's id.
    webhook: String,
}

/// The endpoint's deliveries, newest first, each with its attempts.
#[function_component(Deliveries)]
fn deliveries(props: &DeliveriesProps) -> Html {
    let ctx = use_context::<crate::state::AppContext>();
    let state = use_state(|| None::<Result<Page<WebhookDelivery>, ApiError>>);
    {
        let state = state.clone();
        use_effect_with(props.webhook.clone(), move |id| {
            let path = format!("/webhooks/{id}/deliveries");
            spawn_local(async move { state.set(Some(api::get(&path).await)) });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let t = |k| i18n::t(lang, k);
    let page = match &*state {
        None => return html! { <Loading busy=true /> },
        Some(Err(e)) => return html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(page)) => page,
    };
    if page.items.is_empty() {
        return html! { <p class="empty webhooks-deliveries-none">{ t(Key::WebhooksNoDeliveries) }</p> };
    }
    html! {
        <div class="table-wrap">
        <table class="webhooks-deliveries">
            <caption>{ t(Key::WebhooksDeliveries) }</caption>
            <thead><tr>
                <th scope="col">{ t(Key::WebhooksEvent) }</th>
                <th scope="col">{ t(Key::WebhooksRecord) }</th>
                <th scope="col">{ t(Key::WebhooksStatus) }</th>
                <th scope="col">{ t(Key::WebhooksAttempts) }</th>
                <th scope="col">{ t(Key::WebhooksLastAnswer) }</th>
                <th scope="col">{ t(Key::WebhooksWhen) }</th>
            </tr></thead>
            <tbody>
            { for page.items.iter().map(|d| {
                let last = d.attempts.last().map(|a| match (a.status_code, &a.error) {
                    (Some(code), _) => code.to_string(),
                    (None, Some(error)) => error.clone(),
                    (None, None) => String::new(),
                }).unwrap_or_default();
                let when = match (d.delivered_at, d.next_attempt_at) {
                    (Some(at), _) => i18n::tf(lang, Key::WebhooksDeliveredAt, &[("at", &datetime(lang, &at))]),
                    (None, Some(at)) => i18n::tf(lang, Key::WebhooksNextAttempt, &[("at", &datetime(lang, &at))]),
                    (None, None) => datetime(lang, &d.created_at),
                };
                html! {
                    <tr class="webhooks-delivery" data-id={d.id.clone()}>
                        <td>{ event_label(lang, d.type_) }</td>
                        <td><bdi class="code" dir="ltr">{ d.resource_id.clone() }</bdi></td>
                        <td>{ delivery_status(lang, d.status) }</td>
                        <td>{ d.attempts.len() }</td>
                        <td><bdi dir="ltr">{ last }</bdi></td>
                        <td>{ when }</td>
                    </tr>
                }
            }) }
            </tbody>
        </table>
        </div>
    }
}

/// What a card's buttons ask the page to do.
#[derive(Clone)]
enum Ask {
    Rotate(WebhookResponse),
    Delete(WebhookResponse),
    Deliveries(String),
}

fn card(lang: Language, hook: &WebhookResponse, open: bool, on_ask: &Callback<Ask>) -> Html {
    let t = |k| i18n::t(lang, k);
    let ask = |question: Option<String>, what: Ask| {
        let on_ask = on_ask.clone();
        Callback::from(move |_: MouseEvent| {
            if question.as_deref().is_none_or(confirm) {
                on_ask.emit(what.clone());
            }
        })
    };
    let id = hook.id.to_string();
    let rotate = ask(
        Some(t(Key::WebhooksRotateConfirm).to_owned()),
        Ask::Rotate(hook.clone()),
    );
    let delete = ask(
        Some(t(Key::WebhooksDeleteConfirm).to_owned()),
        Ask::Delete(hook.clone()),
    );
    let show = ask(
        None,
        Ask::Deliveries(if open { String::new() } else { id.clone() }),
    );
    let (status, class) = match hook.status {
        WebhookStatus::Active => (Key::AdminActive, "admin-active"),
        WebhookStatus::Disabled => (Key::WebhooksDisabled, "admin-inactive"),
    };
    let events: Vec<&str> = hook.events.iter().map(|e| event_label(lang, *e)).collect();
    html! {
        <li class="card admin-item webhooks-item" data-id={id.clone()}>
            <h2 class="admin-item-title"><bdi dir="ltr">{ hook.url.clone() }</bdi></h2>
            <p class="admin-meta">
                <span class={classes!("badge", "admin-status", class)}>{ t(status) }</span>{ " " }
                { i18n::tf(lang, Key::AdminCreatedOn, &[("date", &date(lang, &hook.created_at.date_naive()))]) }
            </p>
            <p class="admin-meta webhooks-events">{ events.join(" · ") }</p>
            if let Some(until) = hook.previous_secret_until {
                <p class="hint">{ i18n::tf(lang, Key::WebhooksPreviousSecret, &[("at", &datetime(lang, &until))]) }</p>
            }
            <div class="admin-buttons">
                <button type="button" class="secondary webhooks-show" aria-expanded={open.to_string()} onclick={show}>
                    { t(Key::WebhooksDeliveries) }</button>
                if hook.status == WebhookStatus::Active {
                    <button type="button" class="secondary webhooks-rotate" onclick={rotate}>
                        { t(Key::WebhooksRotate) }</button>
                }
                <button type="button" class="danger webhooks-delete" onclick={delete}>
                    { t(Key::WebhooksDelete) }</button>
            </div>
            if open {
                <Deliveries webhook={id} />
            }
        </li>
    }
}

/// The form of a new endpoint: its address and the events it receives.
fn new_form(
    lang: Language,
    states: (
        &UseStateHandle<WebhookDraft>,
        &UseStateHandle<FieldErrors>,
        &UseStateHandle<Outcome>,
    ),
    onsubmit: Callback<SubmitEvent>,
) -> Html {
    let (draft, errors, outcome) = states;
    let t = |k| i18n::t(lang, k);
    let events_error = error_on(errors, "events");
    html! {
        <section id="webhook-new" class="card" aria-labelledby="webhook-new-title">
            <h2 id="webhook-new-title">{ t(Key::WebhooksNew) }</h2>
            <form id="webhook-form" class="admin-form" novalidate=true {onsubmit}>
                { fields::input(lang, Field { id: "webhook-url", label: Key::WebhooksUrl, path: "url", hint: Some(Key::WebhooksUrlHint) },
                    errors, ("url", true), &draft.url, on_input(draft, |d, v| d.url = v)) }
                <fieldset class={classes!("admin-labels", events_error.map(|_| "admin-invalid"))}
                    aria-describedby={events_error.map(|_| "webhook-events-error")}>
                    <legend>{ t(Key::WebhooksEvents) }</legend>
                    { for WebhookEventType::ALL.into_iter().map(|kind| {
                        let id = format!("webhook-event-{}", kind.code().replace('.', "-"));
                        let onchange = {
                            let (draft, errors) = (draft.clone(), errors.clone());
                            Callback::from(move |e: Event| {
                                let mut next = (*draft).clone();
                                next.toggle(kind, checked(&e));
                                draft.set(next);
                                errors.set(errors.iter().filter(|(p, _)| p != "events").cloned().collect());
                            })
                        };
                        html! {
                            <div class="case-check">
                                <input type="checkbox" id={id.clone()} checked={draft.events.contains(&kind)} {onchange} />
                                <label for={id}>{ event_label(lang, kind) }</label>
                            </div>
                        }
                    }) }
                    if events_error.is_some() {
                        <p class="admin-field-error" id="webhook-events-error">{ t(Key::WebhooksEventsRequired) }</p>
                    }
                </fieldset>
                { submit("webhook-submit", t(Key::WebhooksCreate), outcome.busy()) }
                { outcome.view("webhook-outcome") }
            </form>
        </section>
    }
}

#[function_component(WebhooksPage)]
pub fn webhooks_page() -> Html {
    let ctx = use_context::<crate::state::AppContext>();
    let reload = use_state(|| 0u64);
    let list = use_state(|| None::<Result<Page<WebhookResponse>, ApiError>>);
    let draft = use_state(WebhookDraft::default);
    let errors = use_state(FieldErrors::new);
    let outcome = use_state(Outcome::default);
    let actions = use_state(Outcome::default);
    // A secret just made (new endpoint or rotation), shown until the person says it is copied.
    let secret = use_state(|| None::<(Key, WebhookWithSecret)>);
    let open = use_state(String::new);
    {
        let list = list.clone();
        use_effect_with(*reload, move |_| {
            spawn_local(async move { list.set(Some(api::get("/webhooks").await)) });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let t = |k| i18n::t(lang, k);
    let bump = {
        let reload = reload.clone();
        move || reload.set(reload.wrapping_add(1))
    };
    let onsubmit = {
        let (secret, reset, bump) = (secret.clone(), draft.clone(), bump.clone());
        let done = Callback::from(move |(answer, _): (WebhookWithSecret, _)| {
            reset.set(WebhookDraft::default());
            secret.set(Some((Key::WebhooksCreated, answer)));
            bump();
        });
        fields::create_on_submit(
            lang,
            (&draft, &errors, &outcome),
            WebhookDraft::to_create,
            "/webhooks",
            &PATHS,
            done,
        )
    };
    let on_ask = {
        let (actions, secret, open, bump) =
            (actions.clone(), secret.clone(), open.clone(), bump.clone());
        Callback::from(move |ask: Ask| {
            let (actions, secret, bump) = (actions.clone(), secret.clone(), bump.clone());
            match ask {
                Ask::Deliveries(id) => open.set(id),
                Ask::Rotate(hook) => {
                    actions.set(Outcome::Busy);
                    spawn_local(async move {
                        let path = format!("/webhooks/{}/secret-rotation", hook.id);
                        let answer = match Call::new(Method::POST, &path).send().await {
                            Ok(response) => api::json::<WebhookWithSecret>(response).await,
                            Err(e) => Err(e),
                        };
                        match answer {
                            Ok(answer) => {
                                actions.set(Outcome::Idle);
                                secret.set(Some((Key::WebhooksRotated, answer)));
                                bump();
                            }
                            Err(e) => actions.set(Outcome::Failed(e)),
                        }
                    });
                }
                Ask::Delete(hook) => {
                    actions.set(Outcome::Busy);
                    spawn_local(async move {
                        let path = format!("/webhooks/{}", hook.id);
                        match Call::new(Method::DELETE, &path).send().await {
                            Ok(_) => {
                                actions.set(Outcome::Done(
                                    i18n::t(lang, Key::WebhooksDeleted).to_owned(),
                                ));
                                bump();
                            }
                            Err(e) => actions.set(Outcome::Failed(e)),
                        }
                    });
                }
            }
        })
    };
    let body = match &*list {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(page)) if page.items.is_empty() => {
            html! { <p id="webhooks-empty" class="empty">{ t(Key::WebhooksNone) }</p> }
        }
        Some(Ok(page)) => html! {
            <ul id="webhooks-list" class="admin-list webhooks-list">
                { for page.items.iter().map(|h| card(lang, h, *open == h.id.to_string(), &on_ask)) }
            </ul>
        },
    };
    html! {
        <section id="webhooks" class="admin" aria-labelledby="webhooks-title">
            <h1 id="webhooks-title">{ t(Key::WebhooksTitle) }</h1>
            <p class="intro">{ t(Key::WebhooksIntro) }</p>
            if let Some((title, answer)) = &*secret {
                { secret_panel(lang, t(*title).to_owned(), answer,
                    { let secret = secret.clone(); Callback::from(move |_: MouseEvent| secret.set(None)) }) }
            } else {
                { new_form(lang, (&draft, &errors, &outcome), onsubmit) }
            }
            { actions.view("webhooks-outcome") }
            <div id="webhooks-results" aria-live="polite">{ body }</div>
        </section>
    }
}

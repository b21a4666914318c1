//! The API clients (`/admin/clients`): the hotline's and partners' systems, with their client
//! id, organization, role and whether they may still get tokens. A new one shows its secret
//! once; an active one can be given a new secret (`POST /clients/{id}/secret-rotation`: the old
//! one and its tokens stop at once), shown once the same way; revoking one deactivates it
//! (`DELETE`), and it can be reactivated (`PATCH` with `If-Match`).
use gloo_net::http::Method;
use madar_openapi::clients::{ClientResponse, CreatedClient, UpdateClient};
use madar_openapi::Language;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::fields::confirm;
use super::{status_badge, PAGE};
use crate::api::{self, ApiError, Call};
use crate::components::widgets::{date, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::approvals::paged::use_paged;
use crate::pages::case::form::Outcome;
use crate::pages::referrals::lists::{organization_name, use_organizations, Organizations};
use crate::state::AppContext;

mod draft;
mod new;

use new::{secret_panel, NewClient};

/// Gives the client a new secret; answers it (shown once).
async fn rotate(client: &ClientResponse) -> Result<CreatedClient, ApiError> {
    let path = format!("/clients/{}/secret-rotation", client.id);
    api::json(Call::new(Method::POST, &path).send().await?).await
}

/// Revokes (`active` false) or reactivates a client.
async fn set_active(client: &ClientResponse, active: bool) -> Result<(), ApiError> {
    let path = format!("/clients/{}", client.id);
    if !active {
        return Call::new(Method::DELETE, &path).send().await.map(|_| ());
    }
    let (_, etag) = api::get_tagged::<ClientResponse>(&path).await?;
    let body = UpdateClient {
        name: None,
        active: Some(true),
    };
    api::patch::<_, ClientResponse>(&path, &etag, &body)
        .await
        .map(|_| ())
}

fn card(
    ctx: &AppContext,
    orgs: &Option<Organizations>,
    client: &ClientResponse,
    (on_toggle, on_rotate): (&Callback<(ClientResponse, bool)>, &Callback<ClientResponse>),
) -> Html {
    let lang: Language = ctx.lang;
    let (label, next) = if client.active {
        (Key::AdminRevoke, false)
    } else {
        (Key::AdminReactivate, true)
    };
    let onclick = {
        let (on_toggle, client) = (on_toggle.clone(), client.clone());
        let question = i18n::tf(lang, Key::AdminRevokeConfirm, &[("name", &client.name)]);
        Callback::from(move |_: MouseEvent| {
            if next || confirm(&question) {
                on_toggle.emit((client.clone(), next));
            }
        })
    };
    let rotate = {
        let (on_rotate, client) = (on_rotate.clone(), client.clone());
        let question = i18n::tf(lang, Key::AdminRotateConfirm, &[("name", &client.name)]);
        Callback::from(move |_: MouseEvent| {
            if confirm(&question) {
                on_rotate.emit(client.clone());
            }
        })
    };
    html! {
        <li class="card admin-item" data-id={client.id.to_string()} data-client-id={client.client_id.clone()}>
            <h2 class="admin-item-title"><bdi>{ client.name.clone() }</bdi></h2>
            <p class="admin-meta">
                <bdi class="code" dir="ltr">{ client.client_id.clone() }</bdi>{ " " }
                <span class="badge">{ ctx.vocabulary.label_of(lang, "roles", &client.role) }</span>{ " " }
                { status_badge(lang, client.active) }
            </p>
            <p class="admin-meta">
                <bdi>{ organization_name(orgs, lang, &client.organization) }</bdi>{ " · " }
                { i18n::tf(lang, Key::AdminCreatedOn, &[("date", &date(lang, &client.created_at.date_naive()))]) }
            </p>
            if client.active {
                <button type="button" class="admin-rotate secondary"
                    aria-label={format!("{} — {}", i18n::t(lang, Key::AdminRotate), client.name)} onclick={rotate}>
                    { i18n::t(lang, Key::AdminRotate) }</button>{ " " }
            }
            <button type="button" class={classes!("admin-toggle", if next { "secondary" } else { "danger" })}
                aria-label={format!("{} — {}", i18n::t(lang, label), client.name)} {onclick}>
                { i18n::t(lang, label) }</button>
        </li>
    }
}

#[function_component(ClientsPage)]
pub fn clients_page() -> Html {
    let ctx = use_context::<AppContext>();
    let reload = use_state(|| 0u64);
    let creating = use_state(|| false);
    let outcome = use_state(Outcome::default);
    // A client's new secret, shown until the admin says it is copied; then forgotten.
    let rotated = use_state(|| None::<CreatedClient>);
    let paged = use_paged::<ClientResponse>(format!("/clients?limit={PAGE}"), *reload);
    let orgs = use_organizations();
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let t = |k| i18n::t(lang, k);
    let on_toggle = {
        let (outcome, reload) = (outcome.clone(), reload.clone());
        Callback::from(move |(client, active): (ClientResponse, bool)| {
            let (outcome, reload) = (outcome.clone(), reload.clone());
            outcome.set(Outcome::Busy);
            spawn_local(async move {
                match set_active(&client, active).await {
                    Ok(()) => {
                        let key = if active {
                            Key::AdminClientReactivated
                        } else {
                            Key::AdminClientRevoked
                        };
                        outcome.set(Outcome::Done(i18n::tf(
                            lang,
                            key,
                            &[("name", &client.name)],
                        )));
                        reload.set(reload.wrapping_add(1));
                    }
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let on_rotate = {
        let (outcome, rotated) = (outcome.clone(), rotated.clone());
        Callback::from(move |client: ClientResponse| {
            let (outcome, rotated) = (outcome.clone(), rotated.clone());
            outcome.set(Outcome::Busy);
            spawn_local(async move {
                match rotate(&client).await {
                    Ok(answer) => {
                        outcome.set(Outcome::Idle);
                        rotated.set(Some(answer));
                    }
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let list = match &paged.listing {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(l)) if l.items.is_empty() => {
            html! { <p id="clients-empty" class="empty">{ t(Key::AdminClientsNone) }</p> }
        }
        Some(Ok(l)) => html! {
            <>
                <ul id="clients-list" class="admin-list">
                    { for l.items.iter().map(|c| card(&ctx, &orgs, c, (&on_toggle, &on_rotate))) }</ul>
                if l.next_cursor.is_some() {
                    <button type="button" id="clients-more" class="secondary" disabled={paged.loading_more}
                        onclick={paged.load_more.reform(|_: MouseEvent| ())}>{ t(Key::AdminMore) }</button>
                }
                if let Some(e) = &paged.more_error { <ProblemMessage error={e.clone()} /> }
            </>
        },
    };
    let on_created = {
        let reload = reload.clone();
        Callback::from(move |()| reload.set(reload.wrapping_add(1)))
    };
    html! {
        <section id="clients" class="admin" aria-labelledby="clients-title">
            <h1 id="clients-title">{ t(Key::AdminClientsTitle) }</h1>
            <p class="intro">{ t(Key::AdminClientsIntro) }</p>
            <p class="hint" id="clients-rotation-hint">{ t(Key::AdminRotationHint) }</p>
            if let Some(answer) = &*rotated {
                { secret_panel(
                    lang,
                    i18n::tf(lang, Key::AdminSecretRotated, &[("name", &answer.client.name)]),
                    answer,
                    { let rotated = rotated.clone(); Callback::from(move |_: MouseEvent| rotated.set(None)) },
                ) }
            } else if *creating {
                <NewClient {on_created} on_close={let c = creating.clone(); Callback::from(move |()| c.set(false))} />
            } else {
                <p><button type="button" id="client-new-open" class="primary"
                    onclick={let c = creating.clone(); Callback::from(move |_| c.set(true))}>
                    { t(Key::AdminNewClient) }</button></p>
            }
            { outcome.view("clients-outcome") }
            <div id="clients-results" aria-live="polite">{ list }</div>
        </section>
    }
}

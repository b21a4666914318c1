//! What waits on this device: the count and the list of the signed-in person's queued reports
//! (capture time, state, the server's refusal), with "correct" and "discard"; and the
//! references of those sent from here in this session.
use madar_openapi::reports::CreateReport;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::widgets;
use crate::i18n::{self, Key};
use crate::offline::{self, queue, EntryState, Meta};
use crate::state::AppContext;

#[derive(Properties, PartialEq)]
pub struct QueueProps {
    /// The signed-in person's id: only their entries are shown and sent.
    pub user: String,
    /// A refused entry taken back into the form: (its key, its report, the refusal).
    pub on_correct: Callback<(String, CreateReport, Option<queue::Failure>)>,
}

#[function_component(QueuePanel)]
pub fn queue_panel(props: &QueueProps) -> Html {
    let ctx = use_context::<AppContext>();
    let entries = use_state(|| None::<Vec<Meta>>);
    let failed_store = use_state(|| false);
    {
        let (entries, failed_store) = (entries.clone(), failed_store.clone());
        use_effect_with(props.user.clone(), move |user| {
            let load = {
                let user = user.clone();
                Callback::from(move |_: ()| {
                    let (entries, failed_store, user) =
                        (entries.clone(), failed_store.clone(), user.clone());
                    spawn_local(async move {
                        match offline::entries(&user).await {
                            Ok(list) => entries.set(Some(list)),
                            Err(_) => failed_store.set(true),
                        }
                    });
                })
            };
            load.emit(());
            offline::on_change(Some(load));
            // Sends what waits now, and whenever the network returns.
            offline::watch(user);
            || offline::on_change(None)
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let list = entries.as_deref().unwrap_or_default();
    let filed = offline::filed();

    let item = |meta: &Meta| {
        let key = meta.key.clone();
        let sending = meta.state == EntryState::Sending;
        let (state_key, failure) = match &meta.state {
            EntryState::Queued => (Key::NewReportStateQueued, None),
            EntryState::Sending => (Key::NewReportStateSending, None),
            EntryState::Failed(f) => (Key::NewReportStateFailed, Some(f.clone())),
        };
        let on_discard = {
            let (user, key) = (props.user.clone(), key.clone());
            let confirm = i18n::t(lang, Key::NewReportDiscardConfirm);
            Callback::from(move |_| {
                if crate::components::widgets::confirm(confirm) {
                    let (user, key) = (user.clone(), key.clone());
                    spawn_local(async move {
                        let _ = offline::discard(&user, &key).await;
                    });
                }
            })
        };
        let on_correct = {
            let (user, key, failure) = (props.user.clone(), key.clone(), failure.clone());
            let cb = props.on_correct.clone();
            Callback::from(move |_| {
                let (user, key, failure, cb) =
                    (user.clone(), key.clone(), failure.clone(), cb.clone());
                spawn_local(async move {
                    if let Ok(Some(report)) = offline::take(&user, &key).await {
                        cb.emit((key, report, failure));
                    }
                });
            })
        };
        html! {
            <li class={classes!("nr-queue-item", failure.as_ref().map(|_| "nr-queue-failed"))}>
                <p class="nr-queue-line">
                    <span class="nr-captured">{ i18n::tf(lang, Key::NewReportCapturedAt,
                        &[("at", &widgets::datetime(lang, &meta.captured_at))]) }</span>
                    <span class="badge nr-state">{ i18n::t(lang, state_key) }</span>
                </p>
                if let Some(f) = &failure {
                    <div class="error">
                        <p>{ i18n::problem(lang, &f.code) }</p>
                        if !f.fields.is_empty() {
                            <ul class="field-errors">
                                { for f.fields.iter().map(|(_, code)| html! {
                                    <li>{ super::field_message(lang, code) }</li>
                                }) }
                            </ul>
                        }
                    </div>
                }
                // A refused report can be corrected; one not sent yet, or refused, discarded
                // (not while it is being sent).
                if !sending {
                    <div class="nr-queue-actions">
                        if failure.is_some() {
                            <button type="button" class="secondary nr-correct" onclick={on_correct}>
                                { i18n::t(lang, Key::NewReportCorrect) }</button>
                        }
                        <button type="button" class="secondary nr-discard" onclick={on_discard}>
                            { i18n::t(lang, Key::NewReportDiscard) }</button>
                    </div>
                }
            </li>
        }
    };

    html! {
        <section id="nr-queue" class="card nr-queue" aria-labelledby="nr-queue-title">
            <h2 id="nr-queue-title">{ i18n::t(lang, Key::NewReportQueueTitle) }</h2>
            if *failed_store {
                <p class="error" role="alert">{ i18n::t(lang, Key::NewReportNotKept) }</p>
            } else if entries.is_none() {
                <widgets::Loading busy=true />
            } else {
                <p id="nr-queue-count" class="nr-queue-count" data-count={list.len().to_string()} role="status">
                    { if list.is_empty() {
                        i18n::t(lang, Key::NewReportQueueEmpty).to_owned()
                    } else {
                        i18n::tf(lang, Key::NewReportQueueCount, &[("n", &widgets::number(lang, list.len() as i64))])
                    } }
                </p>
                if !list.is_empty() {
                    <ul id="nr-queue-list" class="nr-queue-list">{ for list.iter().map(item) }</ul>
                }
            }
            if !filed.is_empty() {
                <h3 class="nr-synced-title">{ i18n::t(lang, Key::NewReportSyncedTitle) }</h3>
                <ul id="nr-synced" class="nr-synced">
                    { for filed.iter().map(|f| html! {
                        <li>
                            <bdi class="code nr-synced-ref" dir="ltr">{ f.reference.clone() }</bdi>
                            { " · " }{ ctx.vocabulary.label_of(lang, "report_statuses", &f.status) }
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}

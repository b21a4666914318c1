//! Reports captured without network (mobile units in the street): kept on the device,
//! encrypted, until the network returns, then sent once each with the Idempotency-Key made at
//! capture. The rules are in [`queue`] (host-tested); the IndexedDB and WebCrypto glue in
//! [`store`].
//!
//! Signing out with reports still waiting loses nothing (they stay encrypted under the user's
//! key and are sent at their next sign-in on this device), but the person must be warned:
//! call [`pending_count`] before signing out.
use std::cell::{Cell, RefCell};

use gloo_net::http::Method;
use madar_openapi::reports::{CreateReport, ReportStatus, ReportView};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::platform::spawn_local;
use yew::Callback;

use crate::api::{self, ApiError};

pub mod queue;
pub mod store;

pub use queue::{EntryState, Failure, Meta};
pub use store::StoreError;

/// A report the server filed: its reference and status.
#[derive(Debug, Clone, PartialEq)]
pub struct Filed {
    pub reference: String,
    pub status: ReportStatus,
}

thread_local! {
    /// True while a sync runs in this page (the `online` event and a mount may both ask).
    static SYNCING: Cell<bool> = const { Cell::new(false) };
    /// Asked again while a sync ran: run once more after it.
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    /// The signed-in user whose entries the `online` listener sends.
    static USER: RefCell<Option<String>> = const { RefCell::new(None) };
    static LISTENING: Cell<bool> = const { Cell::new(false) };
    /// Told whenever the queue changed (the new-report page redraws its list).
    static ON_CHANGE: RefCell<Option<Callback<()>>> = const { RefCell::new(None) };
    /// Reports filed by syncs in this session, newest last, to show their references.
    static FILED: RefCell<Vec<Filed>> = const { RefCell::new(Vec::new()) };
}

/// The browser's clock (`chrono::Utc::now` is not available in the browser without chrono's
/// `wasmbind` feature).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// Whether the browser thinks it is online.
pub fn online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

/// Registers who to tell when the queue changes (`None` on unmount).
pub fn on_change(callback: Option<Callback<()>>) {
    ON_CHANGE.with(|c| *c.borrow_mut() = callback);
}

fn changed() {
    if let Some(cb) = ON_CHANGE.with(|c| c.borrow().clone()) {
        cb.emit(());
    }
}

/// The reports filed by syncs in this session.
pub fn filed() -> Vec<Filed> {
    FILED.with(|f| f.borrow().clone())
}

/// Sends `user`'s queue now and whenever the network returns (a window `online` listener,
/// installed once). Call it at sign-in and on the new-report page's mount.
pub fn watch(user: &str) {
    USER.with(|u| *u.borrow_mut() = Some(user.to_owned()));
    if !LISTENING.with(|l| l.replace(true)) {
        if let Some(window) = web_sys::window() {
            let listener = Closure::<dyn FnMut()>::new(|| {
                if let Some(user) = USER.with(|u| u.borrow().clone()) {
                    spawn_local(async move { sync(&user).await });
                }
            });
            let _ = window
                .add_event_listener_with_callback("online", listener.as_ref().unchecked_ref());
            // Lives as long as the page.
            listener.forget();
        }
    }
    let user = user.to_owned();
    spawn_local(async move { sync(&user).await });
}

/// Forgets the signed-in user (at sign-out): the listener sends nothing more.
pub fn unwatch() {
    USER.with(|u| *u.borrow_mut() = None);
    FILED.with(|f| f.borrow_mut().clear());
}

/// How many of `user`'s reports wait on this device (queued or refused): warn before signing
/// out when it is not 0.
pub async fn pending_count(user: &str) -> u32 {
    store::all()
        .await
        .map(|all| queue::pending(&all, user))
        .unwrap_or(0)
}

/// `user`'s entries, oldest first.
pub async fn entries(user: &str) -> Result<Vec<Meta>, StoreError> {
    Ok(queue::of_user(store::all().await?, user))
}

/// Keeps a report on the device, encrypted, to send later with `key`.
pub async fn enqueue(user: &str, key: &str, report: &CreateReport) -> Result<(), StoreError> {
    let plain = serde_json::to_vec(report).map_err(|_| StoreError)?;
    let meta = Meta::new(key.to_owned(), user.to_owned(), now());
    store::put(&meta, &plain).await?;
    changed();
    Ok(())
}

/// Removes one of `user`'s entries and gives its report back (to correct it in the form).
pub async fn take(user: &str, key: &str) -> Result<Option<CreateReport>, StoreError> {
    let Some(plain) = store::read(user, key).await? else {
        return Ok(None);
    };
    let report = crate::json::from_slice(&plain).ok_or(StoreError)?;
    store::remove(key).await?;
    changed();
    Ok(Some(report))
}

/// Deletes one of `user`'s entries.
pub async fn discard(user: &str, key: &str) -> Result<(), StoreError> {
    if store::read(user, key).await?.is_some() {
        store::remove(key).await?;
    }
    changed();
    Ok(())
}

/// Posts a report with its key; the answer as the queue reads it, and the filed report.
pub async fn send(key: &str, report: &CreateReport) -> (queue::Answer, Option<Filed>) {
    let answer = api::Call::new(Method::POST, "/reports")
        .json(report)
        .idempotency_key(key)
        .send()
        .await;
    match answer {
        Ok(response) => {
            let filed = match api::json::<ReportView>(response).await {
                Ok(ReportView::Full(r)) => Some(Filed {
                    reference: r.reference,
                    status: r.status,
                }),
                Ok(ReportView::Status(r)) => Some(Filed {
                    reference: r.reference,
                    status: r.status,
                }),
                Err(_) => None,
            };
            (queue::Answer::Created, filed)
        }
        Err(error) => (answer_of(&error), None),
    }
}

/// The queue's view of a failed call.
pub fn answer_of(error: &ApiError) -> queue::Answer {
    match error {
        ApiError::Network => queue::Answer::Network,
        other => queue::Answer::Problem(Failure {
            status: other.status().unwrap_or(0),
            code: other.code(),
            fields: other
                .field_errors()
                .iter()
                .map(|f| (f.field.clone(), f.code.clone()))
                .collect(),
        }),
    }
}

/// Sends `user`'s waiting reports, oldest first, each with its own key; stops at the first
/// one left without an answer. One sync at a time per page.
pub async fn sync(user: &str) {
    if SYNCING.with(|s| s.replace(true)) {
        AGAIN.with(|a| a.set(true));
        return;
    }
    loop {
        AGAIN.with(|a| a.set(false));
        sync_round(user).await;
        if !AGAIN.with(|a| a.get()) {
            break;
        }
    }
    SYNCING.with(|s| s.set(false));
    changed();
}

async fn sync_round(user: &str) {
    if !online() {
        return;
    }
    let Ok(all) = store::all().await else {
        return;
    };
    for meta in queue::to_send(all, user) {
        let Ok(Some(plain)) = store::read(user, &meta.key).await else {
            continue;
        };
        let Some(report) = crate::json::from_slice::<CreateReport>(&plain) else {
            continue;
        };
        let meta = queue::sending(meta);
        let _ = store::update(&meta).await;
        changed();
        let (answer, filed) = send(&meta.key, &report).await;
        let step = queue::step(&answer);
        let key = meta.key.clone();
        match queue::apply(meta, &step) {
            None => {
                let _ = store::remove(&key).await;
                if let Some(filed) = filed {
                    FILED.with(|f| f.borrow_mut().push(filed));
                }
            }
            Some(next) => {
                let _ = store::update(&next).await;
            }
        }
        changed();
        if step == queue::Step::Retry {
            break;
        }
    }
}

//! Keeps a Server-Sent Events stream open while signed in (`/api/v1/events`, with a single-use
//! ticket since `EventSource` cannot send a header) and turns each event into
//! [`Action::Live`], so the pages showing live data reload. When the stream ends (the token
//! expired, the server restarted) it reconnects with a new ticket and the last event id, and
//! the pages reload once.
use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::Method;
use madar_openapi::events::{EventTicket, LiveEventType};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};
use yew::platform::spawn_local;
use yew::platform::time::sleep;
use yew::prelude::*;

use crate::api::{self, Call};
use crate::state::{Action, AppContext};

/// The `Action::Live` kind sent when a stream reopens, for pages to reload.
const RESYNC: &str = "resync";

#[function_component(LiveUpdates)]
pub fn live_updates() -> Html {
    let ctx = use_context::<AppContext>();
    use_effect_with((), move |_| {
        let alive = Rc::new(RefCell::new(true));
        if let Some(ctx) = ctx {
            spawn_local(run(ctx, alive.clone()));
        }
        move || *alive.borrow_mut() = false
    });
    Html::default()
}

async fn run(ctx: AppContext, alive: Rc<RefCell<bool>>) {
    let last_id: Rc<RefCell<Option<String>>> = Rc::default();
    let mut reconnect = false;
    while *alive.borrow() {
        if let Some(source) = open(&ctx, &last_id).await {
            // Events made while no stream was open are not all resumable (a stream that saw
            // no event has no id to resume after): the pages read their data again once.
            if std::mem::replace(&mut reconnect, true) {
                ctx.dispatch(Action::Live(RESYNC.to_owned()));
            }
            // Wait until the stream closes or the component goes.
            while *alive.borrow() && source.ready_state() != EventSource::CLOSED {
                sleep(std::time::Duration::from_millis(500)).await;
            }
            source.close();
        }
        sleep(std::time::Duration::from_secs(3)).await;
    }
}

async fn open(ctx: &AppContext, last_id: &Rc<RefCell<Option<String>>>) -> Option<EventSource> {
    let response = Call::new(Method::POST, "/events/tickets")
        .send()
        .await
        .ok()?;
    let ticket: EventTicket = api::json(response).await.ok()?;
    let mut url = format!("{}/events?ticket={}", api::BASE, ticket.ticket);
    if let Some(id) = last_id.borrow().as_deref() {
        url.push_str(&format!("&last_event_id={id}"));
    }
    let source = EventSource::new(&url).ok()?;
    for kind in LiveEventType::ALL.map(LiveEventType::code) {
        let (ctx, last_id) = (ctx.clone(), last_id.clone());
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            *last_id.borrow_mut() = Some(event.last_event_id());
            ctx.dispatch(Action::Live(kind.to_owned()));
        });
        let _ = source.add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref());
        listener.forget();
    }
    // Without this, the browser would retry with the same (used) ticket forever.
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new({
        let source = source.clone();
        move |_| source.close()
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    Some(source)
}

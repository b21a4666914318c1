//! `/api/v1/events`: a single-use ticket for the logged-in caller, and the Server-Sent Events
//! stream it opens (EventSource cannot send an `Authorization` header).
use std::collections::VecDeque;
use std::time::Instant;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, TimeDelta};
use madar_openapi::events::EventTicket;
use serde::Deserialize;
use utoipa::IntoParams;

use super::domain::{self, Cursor};
use super::store;
use crate::auth::actor::{self, Actor};
use crate::auth::policy::{authorize, Action};
use crate::auth::tokens::{random_token, token_hash};
use crate::clock::Clock;
use crate::db::{self, Pool};
use crate::error::ApiError;
use crate::http::ProblemResponse;
use crate::state::AppState;

fn invalid_ticket() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_ticket",
    }
}

/// The caller's bearer token (the `Actor` extractor has already checked it).
fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// A ticket that opens the caller's event stream once, within 30 seconds. Only its hash is
/// kept; the stream it opens ends when the access token used here expires.
#[utoipa::path(
    tag = "events",
    security(("bearer" = [])),
    responses((status = 201, description = "The ticket", body = EventTicket), ProblemResponse)
)]
#[post("/events/tickets")]
pub async fn create_event_ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadSelf)?;
    let now = state.clock.now();
    let token = bearer(&req).ok_or(ApiError::Unauthorized {
        code: "unauthorized",
    })?;
    let claims = state.keys.verify(token, now)?;
    let token_expires_at = DateTime::from_timestamp(claims.exp, 0)
        .ok_or(ApiError::Unauthorized {
            code: "invalid_token",
        })?
        .naive_utc();
    let expires_at = now + TimeDelta::seconds(domain::TICKET_TTL_SECONDS);
    let ticket = random_token();
    let hash = token_hash(&ticket);
    let (naive_now, naive_expiry) = (now.naive_utc(), expires_at.naive_utc());
    db::run(&state.pool, move |c| {
        store::issue_ticket(
            c,
            &hash,
            (actor.kind, &actor.id),
            token_expires_at,
            naive_expiry,
            naive_now,
        )
    })
    .await?;
    Ok(HttpResponse::Created().json(EventTicket { ticket, expires_at }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// A ticket from `POST /api/v1/events/tickets` (single use).
    pub ticket: String,
    /// Resume after this event id (as `Last-Event-ID`, which wins when both are sent).
    pub last_event_id: Option<String>,
}

/// The caller's live events, as Server-Sent Events (`text/event-stream`, never compressed):
/// `id:` (the sequence to resume after), `event:` (`report.received`, `referral.created`,
/// `referral.updated`) and `data: {"type", "id"}` — ids only. A `: heartbeat` comment every
/// 15 s; the stream ends when the access token behind the ticket expires, and at the next
/// heartbeat once the viewer is deactivated or (an API client) its secret rotated. 401
/// `invalid_ticket` for an unknown, expired or used ticket.
#[utoipa::path(
    tag = "events",
    params(
        StreamQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id"),
    ),
    responses(
        (status = 200, description = "The event stream", content_type = "text/event-stream", body = String),
        ProblemResponse
    )
)]
#[get("/events")]
pub async fn get_event_stream(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<StreamQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let hash = token_hash(&query.ticket);
    let now = state.clock.now_naive();
    let header = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let resume = domain::resume_after(header.as_deref(), query.last_event_id.as_deref());
    let (viewer, ticket, last) = db::run(&state.pool, move |c| {
        let Some(ticket) = store::redeem(c, &hash, now)? else {
            return Ok(None);
        };
        let Some(viewer) = actor::load(c, ticket.kind, &ticket.id, Some(ticket.issued_at), now)?
        else {
            return Ok(None);
        };
        let last = match resume {
            Some(seq) => seq,
            None => store::latest(c)?,
        };
        Ok(Some((viewer, ticket, last)))
    })
    .await?
    .ok_or_else(invalid_ticket)?;
    if ticket.token_expires_at <= now {
        return Err(invalid_ticket());
    }
    super::watch_shutdown();
    let tail = Tail {
        pool: state.pool.clone(),
        clock: state.clock.clone(),
        viewer,
        token_expires_at: ticket.token_expires_at,
        issued_at: ticket.issued_at,
        cursor: Cursor::after(last),
        pending: VecDeque::from([Bytes::from_static(b"retry: 3000\n\n")]),
        next_beat: Instant::now() + domain::HEARTBEAT,
    };
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // The compression middleware leaves alone a response that names its encoding.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(futures_util::stream::unfold(tail, next_chunk)))
}

/// A stream's state between two chunks.
struct Tail {
    pool: Pool,
    clock: Clock,
    viewer: Actor,
    token_expires_at: NaiveDateTime,
    /// When the ticket was issued: the viewer is reloaded as of then (a client whose secret
    /// was rotated since is refused).
    issued_at: NaiveDateTime,
    cursor: Cursor,
    pending: VecDeque<Bytes>,
    next_beat: Instant,
}

/// The next chunk of a stream: an event, a heartbeat, or the end (the token expired, the
/// viewer was deactivated, the database failed: the client resumes with a new ticket).
async fn next_chunk(mut tail: Tail) -> Option<(Result<Bytes, actix_web::Error>, Tail)> {
    loop {
        if let Some(chunk) = tail.pending.pop_front() {
            return Some((Ok(chunk), tail));
        }
        if tail.clock.now_naive() >= tail.token_expires_at || super::closing() {
            return None;
        }
        if Instant::now() >= tail.next_beat {
            tail.next_beat = Instant::now() + domain::HEARTBEAT;
            let (kind, id, issued_at, now) = (
                tail.viewer.kind,
                tail.viewer.id.clone(),
                tail.issued_at,
                tail.clock.now_naive(),
            );
            let reload =
                move |c: &mut crate::db::DbConn| actor::load(c, kind, &id, Some(issued_at), now);
            match db::run(&tail.pool, reload).await {
                Ok(Some(viewer)) => tail.viewer = viewer,
                Ok(None) => return None,
                Err(e) => {
                    tracing::warn!(error = %e, "event stream: reloading the viewer");
                    return None;
                }
            }
            return Some((Ok(Bytes::from_static(b": heartbeat\n\n")), tail));
        }
        let (last, gaps) = (tail.cursor.last, tail.cursor.pending_gaps());
        let rows = match db::run(&tail.pool, move |c| store::after(c, last, &gaps)).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "event stream: reading events");
                return None;
            }
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        tail.cursor.advance(&ids, Instant::now());
        for row in &rows {
            if let Some(frame) = domain::frame_for(&tail.viewer, row) {
                tail.pending.push_back(Bytes::from(frame));
            }
        }
        if tail.pending.is_empty() {
            tokio::time::sleep(domain::POLL).await;
        }
    }
}

//! The middleware every request passes: a request id (kept from `X-Request-Id` or made), one
//! log line per request, and the security headers.
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError};

use crate::auth::actor::ActorId;
use crate::error::{ApiError, REQUEST_ID};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The CSP of the web client: scripts only from Madar itself (and WASM compilation).
pub const APP_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";
/// Swagger UI sets inline styles, so `/docs` allows them; its scripts (the bootstrap included) are
/// files Madar serves, so no inline script runs there either.
pub const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// An incoming request id is kept when it is short and plain; otherwise a new one is made.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

/// An error response that is not yet a problem (one made by CORS or a file service) becomes one,
/// keeping its status and headers, so every error a client sees is RFC 9457.
fn as_problem<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
    id: &str,
    is_preflight: bool,
) -> ServiceResponse<EitherBody<B>> {
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return res.map_into_left_body();
    }
    let error = ApiError::framework(status, is_preflight);
    let mut problem = REQUEST_ID.sync_scope(id.to_string(), || error.error_response());
    let (req, old) = res.into_parts();
    for (name, value) in old.headers() {
        let body_header = [
            header::CONTENT_TYPE,
            header::CONTENT_LENGTH,
            header::CONTENT_ENCODING,
            header::TRANSFER_ENCODING,
        ]
        .contains(name);
        if !body_header && !problem.headers().contains_key(name) {
            problem.headers_mut().append(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, problem).map_into_right_body()
}

pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(&req);
    let started = Instant::now();
    let method = req.method().to_string();
    // HEAD is answered as GET (routes are registered for GET only); the HTTP encoder sends the
    // headers of the response without its body.
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let is_api = req.path().starts_with("/api/");
    let is_docs = req.path().starts_with("/docs");
    // The web client's assets sit under a folder named by their content hash (see
    // scripts/build-client.sh), so they never change: cached for a year. Its pages revalidate.
    let is_asset = req.path().starts_with("/assets/");
    let is_preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ORIGIN);
    let res = REQUEST_ID.scope(id.clone(), next.call(req)).await?;
    let mut res = as_problem(res, &id, is_preflight);
    let route = res.request().match_pattern().unwrap_or_else(|| "-".into());
    let actor = res
        .request()
        .extensions()
        .get::<ActorId>()
        .map(|a| a.0.clone());
    tracing::info!(
        request_id = %id,
        method = %method,
        route = %route,
        status = res.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        actor = actor.as_deref().unwrap_or("-"),
        "request"
    );
    let status_ok = res.status().is_success();
    let headers = res.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // A page that sets its own CSP (the printable statistics report) keeps it.
    if is_html && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = if is_docs { DOCS_CSP } else { APP_CSP };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        let policy = if is_api {
            Some("no-store")
        } else if is_docs {
            None
        } else if is_asset && status_ok {
            Some("public, max-age=31536000, immutable")
        } else {
            Some("no-cache")
        };
        if let Some(policy) = policy {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        }
    }
    Ok(res)
}

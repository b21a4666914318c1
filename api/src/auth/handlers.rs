//! `/api/v1/auth/*`: log in, refresh, log out, and the OAuth 2 client-credentials token.
use std::net::IpAddr;

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{post, web, HttpRequest, HttpResponse};
use madar_openapi::auth::{
    LoginRequest, LoginResponse, RefreshRequest, TokenRequest, TokenResponse,
};
use validator::Validate;

use super::store::{self, Attempt, Rotation};
use super::tokens::{self, jti_for, Subject};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::UserScope;
use crate::db;
use crate::error::ApiError;
use crate::http::body::{content_type, parse_json, payload_error};
use crate::http::{ProblemResponse, ValidJson};
use crate::state::AppState;
use crate::users::domain::Email;
use crate::users::store as users;

pub const REFRESH_COOKIE: &str = "madar_refresh";

/// The client's address: the peer, or the first untrusted hop of `X-Forwarded-For` when the
/// peer is a trusted proxy.
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    forwarded
        .split(',')
        .rev()
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .find(|ip| !trusted.contains(ip))
        .or(Some(peer))
}

fn check_rate(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let Some(ip) = client_ip(req, &state.settings.trusted_proxies) else {
        return Ok(());
    };
    state.login_limiter.check_key(&ip).map_err(|not_until| {
        use governor::clock::{Clock, DefaultClock};
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        ApiError::RateLimited {
            retry_after: wait.as_secs().max(1),
        }
    })
}

fn refresh_cookie(token: &str, max_age: CookieDuration) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, token.to_string())
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .path("/api/v1/auth")
        .max_age(max_age)
        .finish()
}

async fn session(
    state: &AppState,
    user_id: String,
    refresh_token: String,
    issued_at: chrono::DateTime<chrono::Utc>,
) -> Result<HttpResponse, ApiError> {
    let id = user_id.clone();
    let user = db::run(&state.pool, move |c| users::find(c, &UserScope::All, &id)).await?;
    let access_token =
        state
            .keys
            .access_token(Subject::User, &user_id, issued_at, &jti_for(&refresh_token))?;
    let cookie = refresh_cookie(
        &refresh_token,
        CookieDuration::seconds(tokens::REFRESH_TTL.num_seconds()),
    );
    Ok(HttpResponse::Ok().cookie(cookie).json(LoginResponse {
        access_token,
        token_type: "Bearer".into(),
        refresh_token,
        expires_in: tokens::ACCESS_TTL.num_seconds(),
        user: user.response()?,
    }))
}

/// Logs a person in. Five failures within 15 minutes lock the email for 15 minutes, whether or
/// not an account has it; each attempt is counted before its password is checked, so attempts
/// sent at once get no more guesses. Logins are also rate-limited per client address.
#[utoipa::path(
    operation_id = "create_session",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the refresh token is also set as an HttpOnly cookie", body = LoginResponse),
        ProblemResponse,
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    check_rate(&req, &state)?;
    let LoginRequest { email, password } = body.0;
    let email = Email::parse(&email).as_str().to_string();
    let (now, rate) = (state.clock.now_naive(), state.settings.login_lockout);
    let key = email.clone();
    let failed = AuditEvent::by_user(None, AuditAction::AuthLoginFailed, now);
    let locked = failed.clone();
    let (attempt, found) = db::transaction(&state.pool, move |c| {
        let attempt = store::begin_attempt(c, &key, now, rate)?;
        let found = store::user_credentials(c, &key)?;
        if let Attempt::Locked { .. } = attempt {
            audit::record(c, &failed_login(locked, &found))?;
        }
        Ok((attempt, found))
    })
    .await?;
    if let Attempt::Locked { retry_after } = attempt {
        return Err(ApiError::Locked { retry_after });
    }
    let (user_id, hash, active) = match found {
        Some((id, hash, active)) => (Some(id), Some(hash), active),
        None => (None, None, false),
    };
    let verified = state.hasher.verify(password, hash).await?;
    let key = email.clone();
    let failed = match &user_id {
        Some(id) => failed.on(Resource::User, id),
        None => failed,
    };
    let (Some(user_id), true, true) = (user_id, verified, active) else {
        db::transaction(&state.pool, move |c| {
            store::fail_attempt(c, &key, now, rate)?;
            audit::record(c, &failed)
        })
        .await?;
        return Err(ApiError::Unauthorized {
            code: "invalid_credentials",
        });
    };
    let uid = user_id.clone();
    let logged_in = AuditEvent::by_user(Some(user_id.clone()), AuditAction::AuthLogin, now)
        .on(Resource::User, &user_id);
    let refresh_token = db::transaction(&state.pool, move |c| {
        store::clear_failures(c, &key)?;
        audit::record(c, &logged_in)?;
        store::start_family(c, &uid, now)
    })
    .await?;
    session(&state, user_id, refresh_token, now.and_utc()).await
}

/// A failed login's event: the account's id when the email has one, never the email itself.
fn failed_login(event: AuditEvent, found: &Option<(String, String, bool)>) -> AuditEvent {
    match found {
        Some((id, _, _)) => event.on(Resource::User, id),
        None => event,
    }
}

fn presented_refresh(req: &HttpRequest, body: Option<RefreshRequest>) -> Option<String> {
    body.and_then(|b| b.refresh_token)
        .or_else(|| req.cookie(REFRESH_COOKIE).map(|c| c.value().to_string()))
        .filter(|t| !t.is_empty())
}

/// Reads an optional JSON body (an empty body is allowed: the cookie then carries the token).
async fn optional_body(
    req: &HttpRequest,
    payload: web::Bytes,
) -> Result<Option<RefreshRequest>, ApiError> {
    if payload.is_empty() {
        return Ok(None);
    }
    if content_type(req).is_none_or(|ct| ct != "application/json") {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body: RefreshRequest = parse_json(&payload)?;
    body.validate()?;
    Ok(Some(body))
}

/// Rotates a refresh token (from the body or the cookie) into a new pair. Reusing a rotated
/// token revokes its whole family, except within 30 s of the rotation, when the same new pair
/// is returned (two tabs refreshing at once).
#[utoipa::path(
    operation_id = "refresh_session",
    tag = "auth",
    request_body(content = Option<RefreshRequest>, description = "Optional: the cookie may carry the token"),
    responses((status = 200, description = "A new pair", body = LoginResponse), ProblemResponse)
)]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = optional_body(&req, payload).await?;
    let token = presented_refresh(&req, body).ok_or(ApiError::Unauthorized {
        code: "invalid_refresh_token",
    })?;
    let (now, keys) = (state.clock.now_naive(), state.keys.clone());
    let outcome =
        db::transaction(&state.pool, move |c| store::rotate(c, &keys, &token, now)).await?;
    match outcome {
        Rotation::Rotated {
            user_id,
            token,
            issued_at,
        } => {
            let uid = user_id.clone();
            let active = db::run(&state.pool, move |c| {
                Ok(crate::auth::actor::load(c, Subject::User, &uid, None, now)?.is_some())
            })
            .await?;
            if !active {
                return Err(ApiError::Unauthorized {
                    code: "invalid_refresh_token",
                });
            }
            session(&state, user_id, token, issued_at.and_utc()).await
        }
        Rotation::Refused { code } => Err(ApiError::Unauthorized { code }),
    }
}

/// Logs out: the refresh token's family is revoked and the cookie cleared.
#[utoipa::path(
    operation_id = "delete_session",
    tag = "auth",
    request_body(content = Option<RefreshRequest>, description = "Optional: the cookie may carry the token"),
    responses((status = 204, description = "Signed out"), ProblemResponse)
)]
#[post("/auth/logout")]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body = optional_body(&req, payload).await?;
    if let Some(token) = presented_refresh(&req, body) {
        db::transaction(&state.pool, move |c| store::revoke_family_of(c, &token)).await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(refresh_cookie("", CookieDuration::ZERO))
        .finish())
}

fn oauth(status: StatusCode, error: &'static str, description: &'static str) -> ApiError {
    ApiError::OAuth {
        status,
        error,
        description,
    }
}

/// `client_id`/`client_secret` from HTTP Basic authentication (RFC 6749 §2.3.1).
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    use base64::Engine;
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let (id, secret) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
    let decode = |part: &str| {
        let plus_as_space = part.replace('+', " ");
        percent_encoding::percent_decode_str(&plus_as_space)
            .decode_utf8()
            .ok()
            .map(|s| s.into_owned())
    };
    Some((decode(id)?, decode(secret)?))
}

/// OAuth 2 client credentials (RFC 6749 §4.4) for the hotline's and partners' systems, as
/// `application/x-www-form-urlencoded` or JSON. Errors carry RFC 6749's `error`.
#[utoipa::path(
    operation_id = "create_token",
    tag = "auth",
    request_body(content((TokenRequest = "application/x-www-form-urlencoded"), (TokenRequest = "application/json"))),
    responses((status = 200, description = "An access token", body = TokenResponse), ProblemResponse)
)]
#[post("/auth/token")]
pub async fn issue_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_rate(&req, &state)?;
    let bytes = payload
        .to_bytes_limited(crate::http::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let bytes = bytes.map_err(payload_error)?;
    let body: TokenRequest = match content_type(&req).as_deref() {
        Some("application/x-www-form-urlencoded") => {
            serde_urlencoded::from_bytes(&bytes).map_err(|_| {
                oauth(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The form is malformed or has unknown fields.",
                )
            })?
        }
        Some("application/json") => parse_json(&bytes).map_err(|_| {
            oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The JSON body is malformed or has unknown fields.",
            )
        })?,
        _ => return Err(ApiError::UnsupportedMediaType),
    };
    body.validate().map_err(|_| {
        oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "A parameter is too long or empty.",
        )
    })?;
    if body.grant_type != "client_credentials" {
        return Err(oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only client_credentials is supported.",
        ));
    }
    let (client_id, secret) = match (basic_credentials(&req), body.client_id, body.client_secret) {
        (Some(pair), None, None) => pair,
        (None, Some(id), Some(secret)) => (id, secret),
        (Some(_), _, _) => {
            return Err(oauth(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Send the credentials once, not twice.",
            ))
        }
        _ => {
            return Err(oauth(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Client authentication failed.",
            ))
        }
    };
    let found = db::run(&state.pool, move |c| {
        store::client_credentials(c, &client_id)
    })
    .await?;
    let (id, hash, active) = match found {
        Some((id, hash, active)) => (Some(id), Some(hash), active),
        None => (None, None, false),
    };
    let verified = state.hasher.verify(secret, hash).await?;
    let (Some(id), true, true) = (id, verified, active) else {
        return Err(oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed.",
        ));
    };
    let jti = uuid::Uuid::now_v7().to_string();
    let access_token = state
        .keys
        .access_token(Subject::Client, &id, state.clock.now(), &jti)?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: tokens::ACCESS_TTL.num_seconds(),
    }))
}

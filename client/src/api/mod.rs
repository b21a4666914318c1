//! Calls to `/api/v1`. One [`call`] adds the bearer token, an `Idempotency-Key` on POST and
//! `If-Match` where given, refreshes an expired session once from the HttpOnly refresh cookie,
//! and turns error answers into an [`ApiError`]; thin helpers per verb sit on top.
//!
//! The access token lives in this module's memory only, never in storage a page script could
//! read; a reload resumes the session with [`resume`] (the cookie).
use std::cell::RefCell;

use gloo_net::http::{Method, RequestBuilder, Response};
use madar_openapi::auth::{LoginRequest, LoginResponse, RefreshRequest};
use madar_openapi::users::{UpdateMe, UserResponse};
use madar_openapi::Problem;
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::RequestCredentials;
use yew::Callback;

use crate::i18n;

/// Where the API lives, on the same origin as the client.
pub const BASE: &str = "/api/v1";

thread_local! {
    static TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Told when the session cannot be refreshed any more.
    static ON_EXPIRED: RefCell<Option<Callback<()>>> = const { RefCell::new(None) };
}

fn token() -> Option<String> {
    TOKEN.with(|t| t.borrow().clone())
}

fn set_token(token: Option<String>) {
    TOKEN.with(|t| *t.borrow_mut() = token);
}

/// Registers what to do when the session has expired for good (back to the sign-in page).
pub fn on_expired(callback: Callback<()>) {
    ON_EXPIRED.with(|c| *c.borrow_mut() = Some(callback));
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an `application/problem+json` body.
    Problem(Box<Problem>),
    /// The server answered with an error status and no readable problem.
    Status(u16),
    /// No answer (offline, DNS...).
    Network,
    /// A success answer whose body is not what the contract says.
    Decode,
}

impl ApiError {
    /// The problem code to translate with [`crate::i18n::problem`].
    pub fn code(&self) -> String {
        match self {
            ApiError::Problem(p) => p.code.clone(),
            ApiError::Status(status) => i18n::code_for_status(*status).to_owned(),
            ApiError::Network => i18n::NETWORK_ERROR.to_owned(),
            ApiError::Decode => i18n::UNEXPECTED_ERROR.to_owned(),
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(p) => Some(p.status),
            ApiError::Status(s) => Some(*s),
            _ => None,
        }
    }

    /// The field errors of a 422.
    pub fn field_errors(&self) -> &[madar_openapi::problem::FieldError] {
        match self {
            ApiError::Problem(p) => &p.errors,
            _ => &[],
        }
    }
}

/// A request before it is sent.
pub struct Call<'a> {
    method: Method,
    path: &'a str,
    body: Option<String>,
    if_match: Option<&'a str>,
    idempotency_key: Option<String>,
    accept: &'a str,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, path: &'a str) -> Call<'a> {
        // A POST always carries a key, so a retry after a lost answer is not done twice.
        let idempotency_key = (method == Method::POST).then(new_key);
        Call {
            method,
            path,
            body: None,
            if_match: None,
            idempotency_key,
            accept: "application/json, application/problem+json",
        }
    }

    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Call<'a> {
        self.body = serde_json::to_string(body).ok();
        self
    }

    pub fn if_match(mut self, etag: &'a str) -> Call<'a> {
        self.if_match = Some(etag);
        self
    }

    /// Uses a key made earlier (an offline report keeps the key made when it was captured).
    pub fn idempotency_key(mut self, key: &str) -> Call<'a> {
        self.idempotency_key = Some(key.to_owned());
        self
    }

    pub fn accept(mut self, accept: &'a str) -> Call<'a> {
        self.accept = accept;
        self
    }

    /// Sends the call; on a 401 with a token, refreshes the session once and retries.
    pub async fn send(self) -> Result<Response, ApiError> {
        let had_token = token().is_some();
        match self.send_once().await {
            Err(ApiError::Problem(p)) if p.status == 401 && had_token => {
                if refresh().await.is_ok() {
                    self.send_once().await
                } else {
                    set_token(None);
                    if let Some(cb) = ON_EXPIRED.with(|c| c.borrow().clone()) {
                        cb.emit(());
                    }
                    Err(ApiError::Problem(p))
                }
            }
            other => other,
        }
    }

    async fn send_once(&self) -> Result<Response, ApiError> {
        let mut builder = RequestBuilder::new(&format!("{BASE}{}", self.path))
            .method(self.method.clone())
            .credentials(RequestCredentials::SameOrigin)
            .header("Accept", self.accept);
        if let Some(token) = token() {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        if let Some(etag) = self.if_match {
            builder = builder.header("If-Match", etag);
        }
        if let Some(key) = &self.idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        let request = match &self.body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body.clone())
                .map_err(|_| ApiError::Decode)?,
            None => builder.build().map_err(|_| ApiError::Decode)?,
        };
        let response = request.send().await.map_err(|_| ApiError::Network)?;
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Err(match crate::json::from_str::<Problem>(&text) {
            Some(problem) => ApiError::Problem(Box::new(problem)),
            None => ApiError::Status(status),
        })
    }
}

/// A fresh Idempotency-Key (a random UUID from the browser's crypto).
pub fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_default()
}

/// The body of an answer, as text. The waiting is here, in one copy: the generic helpers
/// below only [`decode`] after it, which keeps one async state machine per answer type out of
/// the WASM module.
pub async fn text(response: Response) -> Result<String, ApiError> {
    response.text().await.map_err(|_| ApiError::Decode)
}

/// `T` from the JSON text of an answer.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    crate::json::from_str(text).ok_or(ApiError::Decode)
}

/// The body of a success answer.
pub async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    decode(&text(response).await?)
}

/// Sends `call` and answers the text of its success answer and its `ETag` (empty when none).
async fn fetch(call: Call<'_>) -> Result<(String, String), ApiError> {
    let response = call.send().await?;
    let tag = etag(&response).unwrap_or_default();
    Ok((text(response).await?, tag))
}

/// The `ETag` of an answer, for a later `If-Match`.
pub fn etag(response: &Response) -> Option<String> {
    response.headers().get("etag")
}

/// `GET path` → `T`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(&fetch(Call::new(Method::GET, path)).await?.0)
}

/// `GET path` → `T` and its `ETag`.
pub async fn get_tagged<T: DeserializeOwned>(path: &str) -> Result<(T, String), ApiError> {
    let (text, tag) = fetch(Call::new(Method::GET, path)).await?;
    Ok((decode(&text)?, tag))
}

/// `POST path` with a JSON body (and a new Idempotency-Key) → `T`.
pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    decode(&fetch(Call::new(Method::POST, path).json(body)).await?.0)
}

/// `PATCH path` with `If-Match: etag` → `T` and its new `ETag`.
pub async fn patch<B: Serialize + ?Sized, T: DeserializeOwned>(
    path: &str,
    etag: &str,
    body: &B,
) -> Result<(T, String), ApiError> {
    let (text, tag) = fetch(Call::new(Method::PATCH, path).json(body).if_match(etag)).await?;
    Ok((decode(&text)?, tag))
}

/// `PUT path` (a whole document replaced) with `If-Match: etag` → `T` and its new `ETag`.
pub async fn put<B: Serialize + ?Sized, T: DeserializeOwned>(
    path: &str,
    etag: &str,
    body: &B,
) -> Result<(T, String), ApiError> {
    let (text, tag) = fetch(Call::new(Method::PUT, path).json(body).if_match(etag)).await?;
    Ok((decode(&text)?, tag))
}

/// `POST /auth/login`; keeps the access token in memory.
pub async fn login(credentials: &LoginRequest) -> Result<UserResponse, ApiError> {
    let answer: LoginResponse = post("/auth/login", credentials).await?;
    set_token(Some(answer.access_token));
    Ok(answer.user)
}

/// `POST /auth/refresh` with the HttpOnly cookie; keeps the new access token in memory.
async fn refresh() -> Result<UserResponse, ApiError> {
    let response = Call::new(Method::POST, "/auth/refresh")
        .json(&RefreshRequest::default())
        .send_once()
        .await?;
    let answer: LoginResponse = json(response).await?;
    set_token(Some(answer.access_token));
    Ok(answer.user)
}

/// Resumes the session after a reload, from the refresh cookie; `None` when there is none.
pub async fn resume() -> Option<UserResponse> {
    refresh().await.ok()
}

/// `POST /auth/logout`: revokes the refresh token sent in the cookie; forgets the token.
pub async fn logout() {
    let _ = Call::new(Method::POST, "/auth/logout")
        .json(&RefreshRequest::default())
        .send_once()
        .await;
    set_token(None);
}

/// `PATCH /me`: remembers the language as the person's preference.
pub async fn save_language(language: madar_openapi::Language) -> Result<UserResponse, ApiError> {
    json(
        Call::new(Method::PATCH, "/me")
            .json(&UpdateMe { language })
            .send()
            .await?,
    )
    .await
}

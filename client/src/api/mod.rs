//! Calls to `/api/v1`: one [`request`] that adds the bearer token and turns error answers into
//! an [`ApiError`], then one thin function per endpoint.
use gloo_net::http::{Method, RequestBuilder, Response};
use madar_openapi::auth::{LoginRequest, LoginResponse, RefreshRequest};
use madar_openapi::Problem;
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::RequestCredentials;

use crate::i18n::ProblemCode;

/// Where the API lives, on the same origin as the client.
pub const BASE: &str = "/api/v1";

/// Why a call failed.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The server answered with an `application/problem+json` body.
    Problem(Problem),
    /// The server answered with an error status and no readable problem.
    Status(u16),
    /// No answer (offline, DNS, CORS...).
    Network,
    /// A success answer whose body is not what the contract says.
    Decode,
}

impl ApiError {
    /// The problem code to translate with [`crate::i18n::problem`].
    pub fn code(&self) -> String {
        match self {
            ApiError::Problem(p) => p.code.clone(),
            ApiError::Status(status) => ProblemCode::from_status(*status).code().to_owned(),
            ApiError::Network => ProblemCode::NetworkError.code().to_owned(),
            ApiError::Decode => ProblemCode::Unexpected.code().to_owned(),
        }
    }
}

/// Sends `method path` with an optional JSON `body` and bearer `token`; cookies go along (the
/// refresh token is an HttpOnly cookie scoped to `/api/v1/auth`). A non-2xx answer becomes an
/// [`ApiError`].
pub async fn request<B: Serialize + ?Sized>(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&B>,
) -> Result<Response, ApiError> {
    let mut builder = RequestBuilder::new(&format!("{BASE}{path}"))
        .method(method)
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json, application/problem+json");
    if let Some(token) = token {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => builder.json(body).map_err(|_| ApiError::Decode)?,
        None => builder.build().map_err(|_| ApiError::Decode)?,
    };
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    Err(match serde_json::from_str::<Problem>(&text) {
        Ok(problem) => ApiError::Problem(problem),
        Err(_) => ApiError::Status(status),
    })
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response.json().await.map_err(|_| ApiError::Decode)
}

/// `POST /auth/login`.
pub async fn login(credentials: &LoginRequest) -> Result<LoginResponse, ApiError> {
    json(request(Method::POST, "/auth/login", None, Some(credentials)).await?).await
}

/// `POST /auth/logout`: revokes the refresh token sent in the cookie.
pub async fn logout(token: &str) -> Result<(), ApiError> {
    request(
        Method::POST,
        "/auth/logout",
        Some(token),
        Some(&RefreshRequest::default()),
    )
    .await?;
    Ok(())
}

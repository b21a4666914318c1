//! One error type for the whole API, turned into an RFC 9457 problem in one place. Causes are
//! logged with the request id; a client only ever sees the status, a stable `code` and a
//! generic title.
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use madar_openapi::{FieldError, Problem};

tokio::task_local! {
    /// The id of the request being served, so every problem can carry it.
    pub static REQUEST_ID: String;
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {code}")]
    BadRequest { code: &'static str, detail: String },
    #[error("unauthorized: {code}")]
    Unauthorized { code: &'static str },
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("conflict: {code}")]
    Conflict { code: &'static str, detail: String },
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("precondition required")]
    PreconditionRequired,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// A well-formed request that cannot be processed as it stands, with its own code.
    #[error("unprocessable: {code}")]
    Unprocessable { code: &'static str, detail: String },
    #[error("locked")]
    Locked { retry_after: u64 },
    #[error("rate limited")]
    RateLimited { retry_after: u64 },
    #[error("service unavailable")]
    Unavailable { cause: String },
    #[error("oauth error {error}")]
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: &'static str,
    },
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
    /// An error response another part made (CORS, the docs' files), turned into a problem.
    #[error("{status}")]
    Framework {
        status: StatusCode,
        code: &'static str,
    },
}

impl ApiError {
    pub fn validation(field: &str, code: &str, message: &str) -> ApiError {
        ApiError::Validation(vec![FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }])
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn unavailable(cause: impl std::fmt::Display) -> ApiError {
        ApiError::Unavailable {
            cause: cause.to_string(),
        }
    }

    /// The stable code, title and detail a client may see.
    fn parts(&self) -> (&'static str, &'static str, Option<String>) {
        match self {
            ApiError::BadRequest { code, detail } => (code, "Bad request", Some(detail.clone())),
            ApiError::Unauthorized { code } => (code, "Unauthorized", None),
            ApiError::Forbidden => (
                "forbidden",
                "Forbidden",
                Some("Your role may not do this.".into()),
            ),
            ApiError::NotFound => ("not_found", "Not found", None),
            ApiError::MethodNotAllowed { .. } => ("method_not_allowed", "Method not allowed", None),
            ApiError::Conflict { code, detail } => (code, "Conflict", Some(detail.clone())),
            ApiError::PreconditionFailed => (
                "precondition_failed",
                "Precondition failed",
                Some("The record changed since you read it; read it again.".into()),
            ),
            ApiError::PreconditionRequired => (
                "precondition_required",
                "Precondition required",
                Some("Send If-Match with the ETag of your last read.".into()),
            ),
            ApiError::PayloadTooLarge => (
                "payload_too_large",
                "Payload too large",
                Some("The limit is 1 MiB.".into()),
            ),
            ApiError::UnsupportedMediaType => (
                "unsupported_media_type",
                "Unsupported media type",
                Some("Send application/json.".into()),
            ),
            ApiError::Validation(_) => ("validation_failed", "Validation failed", None),
            ApiError::Unprocessable { code, detail } => {
                (code, "Unprocessable request", Some(detail.clone()))
            }
            ApiError::Locked { .. } => (
                "account_locked",
                "Locked",
                Some("Too many failed logins; try later.".into()),
            ),
            ApiError::RateLimited { .. } => ("rate_limited", "Too many requests", None),
            ApiError::Unavailable { .. } => ("service_unavailable", "Service unavailable", None),
            ApiError::OAuth {
                error, description, ..
            } => (error, "Token request refused", Some((*description).into())),
            ApiError::Internal(_) => ("internal_error", "Internal server error", None),
            ApiError::Framework { status, code } => {
                (code, status.canonical_reason().unwrap_or("Error"), None)
            }
        }
    }
}

impl ApiError {
    /// The problem for an error response made outside Madar's handlers, by its status.
    pub fn framework(status: StatusCode, cors: bool) -> ApiError {
        let code = match status.as_u16() {
            400 if cors => "cors_rejected",
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            408 => "request_timeout",
            413 => "payload_too_large",
            414 => "uri_too_long",
            415 => "unsupported_media_type",
            429 => "rate_limited",
            503 => "service_unavailable",
            400..=499 => "bad_request",
            _ => "internal_error",
        };
        ApiError::Framework { status, code }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::Unprocessable { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Locked { .. } => StatusCode::LOCKED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::OAuth { status, .. } => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Framework { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let request_id = REQUEST_ID.try_with(|id| id.clone()).ok();
        match self {
            ApiError::Internal(cause) => {
                tracing::error!(request_id = request_id.as_deref().unwrap_or("-"), error = %format!("{cause:#}"), "internal error")
            }
            ApiError::Unavailable { cause } => {
                tracing::warn!(request_id = request_id.as_deref().unwrap_or("-"), %cause, "service unavailable")
            }
            _ => {}
        }
        let (code, title, detail) = self.parts();
        let (error, error_description) = match self {
            ApiError::OAuth {
                error, description, ..
            } => (Some((*error).to_string()), Some((*description).to_string())),
            _ => (None, None),
        };
        let problem = Problem {
            type_: "about:blank".into(),
            title: title.into(),
            status: status.as_u16(),
            detail,
            code: code.into(),
            request_id,
            errors: match self {
                ApiError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
            error,
            error_description,
        };
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        match self {
            ApiError::Unauthorized { .. } => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"madar\""));
            }
            ApiError::OAuth { status, .. } if *status == StatusCode::UNAUTHORIZED => {
                response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"madar\""));
            }
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.clone()));
            }
            ApiError::Locked { retry_after } | ApiError::RateLimited { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::Unavailable { .. } => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        match serde_json::to_vec(&problem) {
            Ok(body) => response.body(body),
            Err(_) => response.finish(),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> ApiError {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match e {
            Error::NotFound => ApiError::NotFound,
            Error::DatabaseError(Kind::UniqueViolation, _) => ApiError::conflict(
                "already_exists",
                "A record with this identifier already exists.",
            ),
            Error::DatabaseError(Kind::ClosedConnection, info) => {
                ApiError::unavailable(info.message())
            }
            Error::DatabaseError(_, ref info) if is_unavailable(info.message()) => {
                ApiError::unavailable(info.message())
            }
            other => ApiError::Internal(other.into()),
        }
    }
}

/// Database errors that say the database cannot take the request now (busy, full, read-only,
/// shutting down), as opposed to a bug: 503 with `Retry-After`, and the request changed nothing.
fn is_unavailable(message: &str) -> bool {
    const TRANSIENT: [&str; 9] = [
        "database is locked",
        "terminating connection",
        "statement timeout",
        "database or disk is full",
        "attempt to write a readonly database",
        "disk I/O error",
        "No space left on device",
        "could not extend file",
        "read-only transaction",
    ];
    TRANSIENT.iter().any(|t| message.contains(t))
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> ApiError {
        ApiError::unavailable(e)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> ApiError {
        ApiError::unavailable(e)
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> ApiError {
        let mut out = Vec::new();
        flatten(&errors, "", &mut out);
        out.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(out)
    }
}

fn flatten(errors: &validator::ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind as K;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            K::Field(list) => out.extend(list.iter().map(|e| {
                FieldError {
                    field: path.clone(),
                    code: e.code.to_string(),
                    message: e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| message_for(&e.code)),
                }
            })),
            K::Struct(inner) => flatten(inner, &path, out),
            K::List(items) => {
                for (i, inner) in items {
                    flatten(inner, &format!("{path}[{i}]"), out)
                }
            }
        }
    }
}

fn message_for(code: &str) -> String {
    match code {
        "length" => "has the wrong length".into(),
        "email" => "is not an email address".into(),
        "forbidden_character" => "holds a control or direction-override character".into(),
        "blank" => "must not be blank".into(),
        "invalid_code" => "must be letters, digits, '-' or '_'".into(),
        other => format!("is invalid ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_made_outside_the_handlers_get_a_code_by_status() {
        let code = |status: u16, cors: bool| {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
            ApiError::framework(status, cors).parts().0
        };
        assert_eq!(code(400, true), "cors_rejected");
        assert_eq!(code(400, false), "bad_request");
        assert_eq!(code(404, false), "not_found");
        assert_eq!(code(418, false), "bad_request");
        assert_eq!(code(502, false), "internal_error");
        let error = ApiError::framework(StatusCode::NOT_FOUND, false);
        assert_eq!(error.status_code(), StatusCode::NOT_FOUND);
        assert_eq!(error.parts().1, "Not Found");
    }

    /// The second argument from the end, for [`literal_args`].
    const SECOND_TO_LAST: usize = usize::MAX - 1;

    /// The `n`-th argument of each call `marker(` in `text`, when it is a string literal.
    fn literal_args(text: &str, marker: &str, n: usize, out: &mut Vec<String>) {
        for (at, _) in text.match_indices(marker) {
            let (mut depth, mut args, mut current, mut quoted) =
                (1, Vec::new(), String::new(), false);
            for c in text[at + marker.len()..].chars() {
                match c {
                    '"' => quoted = !quoted,
                    '(' | '[' | '{' if !quoted => depth += 1,
                    ')' | ']' | '}' if !quoted => depth -= 1,
                    ',' if !quoted && depth == 1 => {
                        args.push(std::mem::take(&mut current));
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    // A trailing comma leaves no argument after it.
                    if !current.trim().is_empty() {
                        args.push(current);
                    }
                    break;
                }
                current.push(c);
            }
            // `n` counts from the end when `usize::MAX - n`: (field, code, message) and
            // (code, message) constructors both put the code second to last.
            let index = if n > usize::MAX / 2 {
                args.len().checked_sub(usize::MAX - n + 1)
            } else {
                Some(n)
            };
            let arg = index
                .and_then(|i| args.get(i))
                .map(|a| a.trim())
                .unwrap_or("");
            if let Some(code) = arg.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
                out.push(code.to_string());
            }
        }
    }

    /// The `code: "…"` fields of each struct literal `marker {` in `text`.
    fn code_fields(text: &str, marker: &str, out: &mut Vec<String>) {
        for (at, _) in text.match_indices(marker) {
            let block = text[at..].split('}').next().unwrap_or("");
            if let Some(rest) = block.split("code:").nth(1) {
                let rest = rest.trim_start();
                if let Some(code) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                    out.push(code.to_string());
                }
            }
        }
    }

    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                // Code only: test modules make up codes of their own.
                out.push(text.split("#[cfg(test)]").next().unwrap_or("").to_string());
            }
        }
    }

    /// The contract lists every code a client may have to translate: the codes written in the
    /// server's sources (problem constructors, field errors) must all be in it.
    #[test]
    fn every_code_the_server_sends_is_in_the_contract() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        sources(&root.join("src"), &mut files);
        sources(&root.join("../openapi/src"), &mut files);
        let (mut problems, mut fields) = (Vec::new(), Vec::new());
        for text in &files {
            for marker in ["ApiError::conflict(", "ApiError::bad_request("] {
                literal_args(text, marker, 0, &mut problems);
            }
            for variant in ["Conflict", "BadRequest", "Unprocessable", "Unauthorized"] {
                code_fields(text, &format!("ApiError::{variant} {{"), &mut problems);
            }
            literal_args(text, "ApiError::validation(", 1, &mut fields);
            // Local constructors: (field, code, message) or (code, message).
            literal_args(text, "invalid(", SECOND_TO_LAST, &mut fields);
            literal_args(text, "ValidationError::new(", 0, &mut fields);
            literal_args(text, "field(", SECOND_TO_LAST, &mut fields);
            // The stage rules' refusals name their codes in match arms.
            for line in text
                .lines()
                .filter(|l| l.trim_start().starts_with("Refusal::"))
            {
                let literal = line.split("=> \"").nth(1).and_then(|r| r.split('"').next());
                // Codes, not the messages of the same arms.
                let is_code = |c: &&str| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                if let Some(code) = literal.filter(is_code) {
                    problems.push(code.to_string());
                }
            }
            code_fields(text, "FieldError {", &mut fields);
        }
        for status in [
            400, 401, 403, 404, 405, 408, 412, 413, 414, 415, 428, 429, 500, 503,
        ] {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
            problems.push(ApiError::framework(status, false).parts().0.to_string());
        }
        problems.push(
            ApiError::framework(StatusCode::BAD_REQUEST, true)
                .parts()
                .0
                .to_string(),
        );
        let missing = |found: &[String], listed: &[&str]| -> Vec<String> {
            let mut m: Vec<String> = found
                .iter()
                .filter(|c| !listed.contains(&c.as_str()))
                .cloned()
                .collect();
            m.sort();
            m.dedup();
            m
        };
        assert!(
            problems.len() > 30 && fields.len() > 30,
            "the scan finds the codes"
        );
        let unlisted = missing(&problems, madar_openapi::problem::PROBLEM_CODES);
        assert!(unlisted.is_empty(), "add to PROBLEM_CODES: {unlisted:?}");
        let unlisted = missing(&fields, madar_openapi::problem::FIELD_CODES);
        assert!(unlisted.is_empty(), "add to FIELD_CODES: {unlisted:?}");
    }
}

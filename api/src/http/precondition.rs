//! Optimistic concurrency: reads return an `ETag` built from the record's version; updates must
//! send it back in `If-Match` (428 without, 412 when stale).
use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::header, FromRequest, HttpRequest};

use crate::error::ApiError;

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version a client last read, from `If-Match`.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub i32);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<IfMatch, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get(header::IF_MATCH) else {
            return ready(Err(ApiError::PreconditionRequired));
        };
        let parsed = value
            .to_str()
            .ok()
            .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
            .and_then(|v| v.parse::<i32>().ok());
        ready(parsed.map(IfMatch).ok_or(ApiError::PreconditionFailed))
    }
}

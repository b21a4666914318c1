//! Responses for one record: its JSON with the `ETag` of its version, and `Location` on create.
use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use serde::Serialize;

use super::etag;

/// One record, with the ETag its next update must send back in `If-Match`.
pub fn record<T: Serialize>(status: StatusCode, version: i32, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// A record just created at `location`: 201 with `Location` and `ETag`.
pub fn created<T: Serialize>(location: &str, version: i32, body: &T) -> HttpResponse {
    let mut res = record(StatusCode::CREATED, version, body);
    if let Ok(value) = header::HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, value);
    }
    res
}

//! `ValidJson<T>`: a JSON request body that is parsed and validated, or refused with a problem:
//! 415 for another media type, 413 over 1 MiB, 400 for malformed JSON, 422 naming the field for
//! a wrong or unknown field and for a failed validation rule.
use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::ApiError;

pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json =
            content_type(req).is_some_and(|ct| ct == "application/json" || ct.ends_with("+json"));
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let bytes = bytes.await.map_err(payload_error)?;
            let value: T = parse_json(&bytes)?;
            value.validate()?;
            Ok(ValidJson(value))
        })
    }
}

/// The media type of the request, lower-cased, without parameters.
pub fn content_type(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

pub fn payload_error(e: actix_web::Error) -> ApiError {
    let text = e.to_string();
    if e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
        || text.contains("overflow")
    {
        ApiError::PayloadTooLarge
    } else {
        ApiError::bad_request("malformed_body", "The request body could not be read.")
    }
}

/// Parses JSON, naming the offending field of a well-formed body that does not fit.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de)
        .map_err(|e| shape_error(e.path().to_string(), e.inner()))?;
    de.end().map_err(|_| {
        ApiError::bad_request("malformed_json", "The request body is not valid JSON.")
    })?;
    Ok(value)
}

/// The dotted path of a field named in an error, from the path serde reached and the name.
fn field_path(path: &str, name: &str, path_has_name: bool) -> String {
    if path == "." || path.is_empty() {
        name.to_string()
    } else if path_has_name && (path == name || path.ends_with(&format!(".{name}"))) {
        path.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn shape_error(path: String, e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => {
            let message = e.to_string();
            let (field, code) = if let Some(name) = message.strip_prefix("unknown field `") {
                // The path already ends with the unknown key (it was read before refused).
                let name = name.split('`').next().unwrap_or("");
                (field_path(&path, name, true), "unknown_field")
            } else if let Some(name) = message.strip_prefix("missing field `") {
                // The path is the object's; the missing key is not in it.
                let name = name.split('`').next().unwrap_or("");
                (field_path(&path, name, false), "required")
            } else {
                (
                    if path == "." { String::new() } else { path },
                    "invalid_value",
                )
            };
            let message = message.split(" at line ").next().unwrap_or("").to_string();
            ApiError::validation(&field, code, &message)
        }
        _ => ApiError::bad_request("malformed_json", "The request body is not valid JSON."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: u8,
    }

    fn field_of(e: ApiError) -> (String, String) {
        match e {
            ApiError::Validation(errors) => (errors[0].field.clone(), errors[0].code.clone()),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn wrong_fields_are_named() {
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"name":"a","x":1}"#).unwrap_err()),
            ("x".into(), "unknown_field".into())
        );
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"name":"a","inner":{"n":1,"m":2}}"#).unwrap_err()),
            ("inner.m".into(), "unknown_field".into())
        );
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"name":"a","inner":{}}"#).unwrap_err()),
            ("inner.n".into(), "required".into())
        );
        assert_eq!(
            field_of(parse_json::<Body>(br#"{}"#).unwrap_err()),
            ("name".into(), "required".into())
        );
        assert_eq!(
            field_of(parse_json::<Body>(br#"{"name":"a","inner":{"n":300}}"#).unwrap_err()),
            ("inner.n".into(), "invalid_value".into())
        );
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            parse_json::<Body>(b"{\"name\":"),
            Err(ApiError::BadRequest {
                code: "malformed_json",
                ..
            })
        ));
        assert!(matches!(
            parse_json::<Body>(b"{\"name\":\"a\"} x"),
            Err(ApiError::BadRequest { .. })
        ));
    }
}

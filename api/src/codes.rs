//! Contract enums are stored as their snake_case codes (the same strings as in the JSON).
use serde::{de::DeserializeOwned, Serialize};

use crate::error::ApiError;

pub fn to_code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub fn from_code<T: DeserializeOwned>(code: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(code.to_string())).map_err(|_| {
        ApiError::Internal(anyhow::anyhow!(
            "stored code {code:?} is not in the vocabulary"
        ))
    })
}

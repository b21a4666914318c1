//! Paged lists: `?limit=&cursor=` → `{items, next_cursor}` in a stable order.
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::tokens::base64_url;
use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// How many items (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListQuery {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::validation(
                "limit",
                "range",
                "must be between 1 and 200",
            )),
        }
    }

    /// The sort key the previous page ended at.
    pub fn after(&self) -> Result<Option<String>, ApiError> {
        use base64::Engine;
        let Some(cursor) = &self.cursor else {
            return Ok(None);
        };
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::validation("cursor", "invalid_cursor", "is not a cursor this list gave")
            })
    }
}

/// Cuts a page fetched with `limit + 1` rows, and gives the cursor of the next one.
pub fn page<T>(
    mut rows: Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let next = if more {
        rows.last().map(|r| base64_url(key(r).as_bytes()))
    } else {
        None
    };
    (rows, next)
}

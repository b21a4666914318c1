//! The national framework protocol Madar ships (`api/data/protocols/national.json`), published
//! at start-up when the database holds no national protocol yet, so that a fresh install has
//! one in force, like the reference data the migrations ship (so without an audit event).
//! Later versions are the admins' (a new draft, then publication, audited).
use chrono::NaiveDateTime;
use madar_openapi::protocols::{ProtocolRule, ProtocolStatus};
use serde::Deserialize;

use super::domain::{self, NATIONAL};
use super::store::{self, NewProtocol};
use crate::db::DbConn;
use crate::error::ApiError;

const NATIONAL_JSON: &str = include_str!("../../data/protocols/national.json");

/// The actor of the shipped version: Madar itself (the nil UUID).
const SYSTEM: &str = "00000000-0000-0000-0000-000000000000";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipped {
    pub title: String,
    pub rules: Vec<ProtocolRule>,
}

/// The shipped national protocol, checked.
pub fn national() -> Result<Shipped, ApiError> {
    let shipped: Shipped =
        serde_json::from_str(NATIONAL_JSON).map_err(|e| ApiError::Internal(e.into()))?;
    let problems = domain::problems(&shipped.rules, None);
    if let Some(p) = problems.first() {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "the shipped national protocol is invalid: {} {}",
            p.field,
            p.code
        )));
    }
    Ok(shipped)
}

/// Publishes the shipped national protocol unless a national protocol exists; whether it did.
pub fn ensure_national(conn: &mut DbConn, now: NaiveDateTime) -> Result<bool, ApiError> {
    crate::db::write_transaction(conn, |c| {
        if store::has_national(c)? {
            return Ok(false);
        }
        let shipped = national()?;
        let n = NewProtocol {
            territory: NATIONAL,
            title: &shipped.title,
            rules: &shipped.rules,
            status: ProtocolStatus::Published,
            by: SYSTEM,
        };
        store::create(c, &n, now)?;
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_national_protocol_is_valid() {
        match super::national() {
            Ok(shipped) => assert!(shipped.rules.len() >= 10),
            Err(e) => panic!("{e}"),
        }
    }
}

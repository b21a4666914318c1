//! The one Idempotency-Key mechanism of every POST that creates or changes something
//! (design.md, "HTTP API"). The key row is written in the same transaction as the effect, with a
//! fingerprint of the request and the response:
//! - a retry with the same key replays the stored response, byte for byte;
//! - the same key with another request → 422 `idempotency_key_reused`;
//! - a duplicate sent while the first is still running waits for it (the key row is the
//!   transaction's first write) and then replays its response; if the first failed, the
//!   duplicate runs;
//! - API clients must send a key (400 `idempotency_key_required`); people's browsers should.
//!
//! Keys are scoped to the actor that sent them and kept for at least 7 days. The stored response
//! body is sealed with the data key (it may hold a child's data, or a secret shown once), bound
//! to its actor and key.
use std::future::{ready, Ready};
use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{dev::Payload, FromRequest, HttpRequest, HttpResponse};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::tokens::Subject;
use crate::auth::Actor;
use crate::crypto::{Keyring, Place};
use crate::db::{self, DbConn, Pool};
use crate::error::ApiError;
use crate::schema::idempotency_keys as keys;

pub const HEADER: &str = "idempotency-key";
/// A status stored while the first request with a key is still running.
const IN_FLIGHT: i32 = 0;

/// The `Idempotency-Key` header, if sent: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<IdempotencyKey, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get(HEADER) else {
            return ready(Ok(IdempotencyKey(None)));
        };
        let key = value
            .to_str()
            .ok()
            .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()));
        ready(match key {
            Some(k) => Ok(IdempotencyKey(Some(k.to_string()))),
            None => Err(ApiError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            )),
        })
    }
}

/// A JSON response held as data, so that it can be stored with its key and replayed.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
}

impl Stored {
    /// A record just created at `location`: 201 with `Location` and the record's `ETag`.
    pub fn created<T: Serialize>(
        location: String,
        version: i32,
        body: &T,
    ) -> Result<Stored, ApiError> {
        Ok(Stored {
            status: StatusCode::CREATED.as_u16(),
            body: serde_json::to_string(body).map_err(|e| ApiError::Internal(e.into()))?,
            location: Some(location),
            etag: Some(crate::http::etag(version)),
        })
    }

    /// A record changed in place (or an action's outcome): 200 with the record's `ETag`.
    pub fn ok<T: Serialize>(version: i32, body: &T) -> Result<Stored, ApiError> {
        Ok(Stored {
            status: StatusCode::OK.as_u16(),
            body: serde_json::to_string(body).map_err(|e| ApiError::Internal(e.into()))?,
            location: None,
            etag: Some(crate::http::etag(version)),
        })
    }

    fn response(&self, replayed: bool) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let mut res = HttpResponse::build(status);
        res.content_type("application/json");
        if let Some(location) = &self.location {
            res.insert_header((header::LOCATION, location.clone()));
        }
        if let Some(etag) = &self.etag {
            res.insert_header((header::ETAG, etag.clone()));
        }
        if replayed {
            res.insert_header(("idempotent-replayed", "true"));
        }
        res.body(self.body.clone())
    }
}

/// What a POST needs to be idempotent: the key (if any) and the request's fingerprint.
pub struct Idempotent {
    key: Option<String>,
    actor_id: String,
    fingerprint: String,
    /// Seals the stored body; `None` only where no server state exists (unit tests).
    keyring: Option<Arc<Keyring>>,
}

impl Idempotent {
    /// Checks the key rule for the actor and fingerprints the request: SHA-256 of the method, the
    /// path and the body as canonical JSON (keys sorted).
    pub fn new<B: Serialize>(
        key: IdempotencyKey,
        actor: &Actor,
        req: &HttpRequest,
        body: &B,
    ) -> Result<Self, ApiError> {
        if key.0.is_none() && actor.kind == Subject::Client {
            return Err(ApiError::bad_request(
                "idempotency_key_required",
                "API clients send an Idempotency-Key with every POST.",
            ));
        }
        let canonical = serde_json::to_value(body)
            .and_then(|v| serde_json::to_string(&v))
            .map_err(|e| ApiError::Internal(e.into()))?;
        let mut hash = Sha256::new();
        for part in [req.method().as_str(), req.path(), canonical.as_str()] {
            hash.update(part.as_bytes());
            hash.update([0u8]);
        }
        let keyring = req
            .app_data::<actix_web::web::Data<crate::state::AppState>>()
            .map(|state| state.data_keys.clone());
        Ok(Idempotent {
            key: key.0,
            actor_id: actor.id.clone(),
            fingerprint: hex::encode(hash.finalize()),
            keyring,
        })
    }

    fn place<'a>(&'a self, row_id: &'a str) -> Place<'a> {
        Place {
            table: "idempotency_keys",
            column: "body",
            row_id,
        }
    }

    /// The body as stored: sealed.
    fn seal(&self, key: &str, body: &str) -> Result<String, ApiError> {
        match &self.keyring {
            Some(keyring) => keyring.seal(self.place(&format!("{}/{key}", self.actor_id)), body),
            None => Ok(body.to_owned()),
        }
    }

    /// The stored body, opened (rows stored before bodies were sealed are plain JSON).
    fn open(&self, key: &str, stored: String) -> Result<String, ApiError> {
        match &self.keyring {
            Some(keyring) if !stored.starts_with('{') && !stored.starts_with('[') => {
                keyring.open(self.place(&format!("{}/{key}", self.actor_id)), &stored)
            }
            _ => Ok(stored),
        }
    }
}

/// Runs `effect` in one transaction with the key's row, and answers with its response, or with
/// the response stored for the key by an earlier request.
pub async fn run<F>(
    pool: &Pool,
    request: Idempotent,
    now: NaiveDateTime,
    effect: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<Stored, ApiError> + Send + 'static,
{
    let (stored, replayed) = db::transaction(pool, move |conn| {
        let Some(key) = request.key.as_deref() else {
            return Ok((effect(conn)?, false));
        };
        if let Some(earlier) = claim(conn, &request, key, now)? {
            return Ok((earlier, true));
        }
        let stored = effect(conn)?;
        let sealed = request.seal(key, &stored.body)?;
        diesel::update(keys::table.find((&request.actor_id, key)))
            .set((
                keys::status.eq(i32::from(stored.status)),
                keys::body.eq(&sealed),
                keys::location.eq(&stored.location),
                keys::etag.eq(&stored.etag),
            ))
            .execute(conn)?;
        Ok((stored, false))
    })
    .await?;
    Ok(stored.response(replayed))
}

/// Writes the key's row first (so a concurrent duplicate waits on it), or returns the response an
/// earlier request with this key stored.
fn claim(
    conn: &mut DbConn,
    request: &Idempotent,
    key: &str,
    now: NaiveDateTime,
) -> Result<Option<Stored>, ApiError> {
    use diesel::result::{DatabaseErrorKind, Error};
    // A savepoint: on PostgreSQL a failed insert would otherwise abort the whole transaction.
    let inserted = crate::db::write_transaction(conn, |c| {
        diesel::insert_into(keys::table)
            .values((
                keys::actor_id.eq(&request.actor_id),
                keys::key.eq(key),
                keys::fingerprint.eq(&request.fingerprint),
                keys::status.eq(IN_FLIGHT),
                keys::body.eq(""),
                keys::created_at.eq(now),
            ))
            .execute(c)
    });
    match inserted {
        Ok(_) => Ok(None),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            let (fingerprint, status, body, location, etag): (
                String,
                i32,
                String,
                Option<String>,
                Option<String>,
            ) = keys::table
                .find((&request.actor_id, key))
                .select((
                    keys::fingerprint,
                    keys::status,
                    keys::body,
                    keys::location,
                    keys::etag,
                ))
                .first(conn)?;
            if fingerprint != request.fingerprint {
                return Err(ApiError::Unprocessable {
                    code: "idempotency_key_reused",
                    detail: "This Idempotency-Key was already used for another request.".into(),
                });
            }
            if status == IN_FLIGHT {
                return Err(ApiError::conflict(
                    "idempotency_key_in_flight",
                    "A request with this key is still being processed; retry shortly.",
                ));
            }
            let status = u16::try_from(status).map_err(|e| ApiError::Internal(e.into()))?;
            Ok(Some(Stored {
                status,
                body: request.open(key, body)?,
                location,
                etag,
            }))
        }
        Err(e) => Err(e.into()),
    }
}

/// Forgets keys created before `cutoff` (now less the retention period, `retention::Policy`).
pub fn purge(conn: &mut DbConn, cutoff: NaiveDateTime) -> Result<usize, ApiError> {
    Ok(diesel::delete(keys::table.filter(keys::created_at.lt(cutoff))).execute(conn)?)
}

/// How many keys `purge` would forget.
pub fn count_purgeable(conn: &mut DbConn, cutoff: NaiveDateTime) -> Result<usize, ApiError> {
    let n: i64 = keys::table
        .filter(keys::created_at.lt(cutoff))
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Purges keys older than `keep` once an hour, in the background of the server. Several
/// processes may each run it: deleting expired rows twice is harmless.
pub fn spawn_purger(pool: Pool, clock: crate::clock::Clock, keep: TimeDelta) {
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            let cutoff = clock.now_naive() - keep;
            match db::run(&pool, move |c| purge(c, cutoff)).await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "expired idempotency keys purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging idempotency keys failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use madar_openapi::users::Role;

    fn actor(kind: Subject) -> Actor {
        Actor {
            kind,
            id: "a1".into(),
            role: Role::Hotline,
            organization_id: "o".into(),
            organization_code: "hotline-2511".into(),
            territory: None,
            grants: Vec::new(),
        }
    }

    fn fingerprint(
        key: Option<&str>,
        kind: Subject,
        path: &str,
        body: serde_json::Value,
    ) -> Result<String, ApiError> {
        let req = actix_web::test::TestRequest::post()
            .uri(path)
            .to_http_request();
        Idempotent::new(
            IdempotencyKey(key.map(str::to_string)),
            &actor(kind),
            &req,
            &body,
        )
        .map(|i| i.fingerprint)
    }

    #[test]
    fn api_clients_must_send_a_key_and_people_may_not() {
        let body = serde_json::json!({"a": 1});
        assert!(matches!(
            fingerprint(None, Subject::Client, "/x", body.clone()),
            Err(ApiError::BadRequest {
                code: "idempotency_key_required",
                ..
            })
        ));
        assert!(fingerprint(Some("k"), Subject::Client, "/x", body.clone()).is_ok());
        assert!(fingerprint(None, Subject::User, "/x", body).is_ok());
    }

    #[test]
    fn the_fingerprint_ignores_key_order_but_not_the_path_or_values() {
        let a = fingerprint(
            Some("k"),
            Subject::User,
            "/x",
            serde_json::json!({"a": 1, "b": 2}),
        )
        .ok();
        let b = fingerprint(
            Some("k"),
            Subject::User,
            "/x",
            serde_json::json!({"b": 2, "a": 1}),
        )
        .ok();
        let c = fingerprint(
            Some("k"),
            Subject::User,
            "/y",
            serde_json::json!({"a": 1, "b": 2}),
        )
        .ok();
        let d = fingerprint(
            Some("k"),
            Subject::User,
            "/x",
            serde_json::json!({"a": 1, "b": 3}),
        )
        .ok();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }
}

//! The `Actor` extractor: a bearer token checked and its user or client loaded, with its active
//! flag and scope, in one query per request. A deactivated user or client is refused at once.
use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};
use chrono::{DateTime, NaiveDateTime};
use diesel::prelude::*;
use madar_openapi::users::Role;

use crate::auth::tokens::Subject;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::schema::{api_clients, organizations, territories, users};
use crate::state::AppState;

/// The territory an actor's scope covers (its whole subtree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub code: String,
    /// Materialized path with a trailing slash, such as `MA/MA-04/421/`.
    pub path: String,
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: Subject,
    pub id: String,
    pub role: Role,
    pub organization_id: String,
    pub organization_code: String,
    /// Users have a territory; API clients act for their organization only.
    pub territory: Option<Scope>,
    /// A coordinator's break-the-glass grants in force: cases outside their territory they may
    /// open, with their children (`access`). Empty for every other role.
    pub grants: Vec<Grant>,
}

/// One case (and its child) a grant opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub case_id: String,
    pub child_id: String,
}

/// The actor id recorded in the request log.
#[derive(Debug, Clone)]
pub struct ActorId(pub String);

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Actor, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or(ApiError::unavailable("no state"))?;
            let token = bearer(&req).ok_or(ApiError::Unauthorized {
                code: "unauthorized",
            })?;
            let now = state.clock.now();
            let claims = state.keys.verify(token, now)?;
            let actor = db::run(&state.pool, move |conn| {
                let issued_at = DateTime::from_timestamp(claims.iat, 0).map(|t| t.naive_utc());
                load(
                    conn,
                    claims.sub_kind,
                    &claims.sub,
                    issued_at,
                    now.naive_utc(),
                )
            })
            .await?;
            let actor = actor.ok_or(ApiError::Unauthorized {
                code: "invalid_token",
            })?;
            req.extensions_mut().insert(ActorId(actor.id.clone()));
            Ok(actor)
        })
    }
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// Loads an active actor, or `None` when it is unknown, inactive, or its organization is, or
/// (`issued_at`: when its token was issued) a client whose secret was replaced since; a
/// coordinator with the grants in force at `now`.
pub fn load(
    conn: &mut DbConn,
    kind: Subject,
    id: &str,
    issued_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<Option<Actor>, ApiError> {
    let found = match kind {
        Subject::User => users::table
            .inner_join(organizations::table)
            .inner_join(territories::table)
            .filter(
                users::id
                    .eq(id)
                    .and(users::active)
                    .and(organizations::active),
            )
            .select((
                users::role,
                organizations::id,
                organizations::code,
                territories::code.nullable(),
                territories::path.nullable(),
            ))
            .first::<(String, String, String, Option<String>, Option<String>)>(conn)
            .optional()?,
        Subject::Client => api_clients::table
            .inner_join(organizations::table)
            .filter(
                api_clients::id
                    .eq(id)
                    .and(api_clients::active)
                    .and(organizations::active),
            )
            .filter(
                api_clients::secret_rotated_at
                    .is_null()
                    .or(api_clients::secret_rotated_at.le(issued_at.unwrap_or(now))),
            )
            .select((
                api_clients::role,
                organizations::id,
                organizations::code,
                None::<String>.into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(),
                None::<String>.into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(),
            ))
            .first::<(String, String, String, Option<String>, Option<String>)>(conn)
            .optional()?,
    };
    let Some((role, organization_id, organization_code, code, path)) = found else {
        return Ok(None);
    };
    let role = Role::parse(&role)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("stored role {role:?}")))?;
    let territory = code.zip(path).map(|(code, path)| Scope { code, path });
    let grants = match role {
        Role::Coordinator => crate::access::store::in_force(conn, id, now)?,
        _ => Vec::new(),
    };
    Ok(Some(Actor {
        kind,
        id: id.to_string(),
        role,
        organization_id,
        organization_code,
        territory,
        grants,
    }))
}

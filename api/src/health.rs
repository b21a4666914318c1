//! Liveness and readiness for the load balancer.
use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::error::ApiError;
use crate::http::ProblemResponse;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    pub status: String,
}

/// The process is up.
#[utoipa::path(operation_id = "get_health", tag = "operations", responses((status = 200, description = "Up", body = Health), ProblemResponse))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(Health {
            status: "ok".into(),
        })
}

/// The database answers.
#[utoipa::path(operation_id = "get_readiness", tag = "operations", responses((status = 200, description = "Ready", body = Health), ProblemResponse))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, |c| {
        c.batch_execute("SELECT 1").map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(Health {
            status: "ok".into(),
        }))
}

//! `/api/v1/me`: every user reads their profile and sets their language.
use actix_web::{get, patch, web, HttpResponse};
use madar_openapi::users::{UpdateMe, UserResponse};

use super::handlers::one;
use super::store;
use crate::auth::policy::{authorize, Action, UserScope};
use crate::auth::tokens::Subject;
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::{ProblemResponse, ValidJson};
use crate::state::AppState;

fn user_only(actor: &Actor) -> Result<(), ApiError> {
    authorize(actor, Action::ReadSelf)?;
    if actor.kind == Subject::Client {
        return Err(ApiError::Forbidden);
    }
    Ok(())
}

/// The signed-in user.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses((status = 200, description = "The signed-in user", body = UserResponse), ProblemResponse)
)]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, actor: Actor) -> Result<HttpResponse, ApiError> {
    user_only(&actor)?;
    let user = db::run(&state.pool, move |c| {
        store::find(c, &UserScope::All, &actor.id)
    })
    .await?;
    one(&user)
}

/// Sets the signed-in user's language.
#[utoipa::path(
    tag = "users",
    request_body = UpdateMe,
    security(("bearer" = [])),
    responses((status = 200, description = "The signed-in user", body = UserResponse), ProblemResponse)
)]
#[patch("/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    actor: Actor,
    body: Result<ValidJson<UpdateMe>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    user_only(&actor)?;
    let (now, language) = (state.clock.now_naive(), body?.0.language);
    let user = db::transaction(&state.pool, move |c| {
        store::set_language(c, &actor.id, language, now)
    })
    .await?;
    one(&user)
}

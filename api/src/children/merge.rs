//! `POST /api/v1/children/{id}/merge` and `POST /api/v1/children/{id}/merges/{merge_id}/undo`:
//! a coordinator folds a duplicate child record into the surviving one, both in their
//! territory, in one transaction; and can undo it, restoring exactly the previous state.
//! `GET /api/v1/children/{id}/merges` lists the merges into a child, undone ones included.
//!
//! A merged duplicate stays in the database, marked `merged_into` the survivor: it is hidden
//! from lists, searches and matches, and reading it answers 404 (like any record the caller
//! does not see: the survivor's id is not disclosed). What pointed at it (`merge_store::FOLLOWERS`)
//! points at the survivor; its matching keys are removed. Undoing moves back exactly the rows
//! the merge moved, shows the duplicate again and rewrites its keys.
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use madar_openapi::children::{ChildMergeResponse, MergeChild};

use super::domain::ChildRecord;
use super::merge_store::{self, MergeRow, Party};
use super::{key_store, store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, child_scope, Action, ChildScope};
use crate::auth::Actor;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::http::{ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

fn uuid_of(id: &str) -> Result<uuid::Uuid, ApiError> {
    id.parse()
        .map_err(|e: uuid::Error| ApiError::Internal(e.into()))
}

fn child_merged() -> ApiError {
    ApiError::conflict(
        "child_merged",
        "This child was already merged into another record.",
    )
}

/// The two children, in the caller's scope (404 otherwise), merged ones included.
fn pair(
    conn: &mut DbConn,
    scope: &ChildScope,
    survivor: &str,
    duplicate: &str,
) -> Result<(Party, Party), ApiError> {
    let found = merge_store::parties(conn, scope, vec![survivor.into(), duplicate.into()])?;
    let of = |id: &str| {
        found
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or(ApiError::NotFound)
    };
    Ok((of(survivor)?, of(duplicate)?))
}

fn response(conn: &mut DbConn, merge: &MergeRow) -> Result<ChildMergeResponse, ApiError> {
    Ok(ChildMergeResponse {
        id: uuid_of(&merge.id)?,
        survivor_id: uuid_of(&merge.survivor_id)?,
        duplicate_id: uuid_of(&merge.duplicate_id)?,
        moved: merge_store::moved(conn, &merge.id)?,
        merged_by: merge.merged_by.clone(),
        merged_at: merge.merged_at.and_utc(),
        undone_by: merge.undone_by.clone(),
        undone_at: merge.undone_at.map(|t| t.and_utc()),
    })
}

/// The survivor's version after a merge or its undoing (the response's `ETag`).
fn version_of(conn: &mut DbConn, scope: &ChildScope, id: &str) -> Result<i32, ApiError> {
    Ok(store::find(conn, scope, id)?.row.version)
}

/// Merges the duplicate `duplicate_id` into the child in the path (coordinators; both children
/// in their territory, else 404). The duplicate's report links and consents move to the
/// survivor; the duplicate is hidden (reads of it answer 404) and no longer matched. 422
/// `same_child` on `duplicate_id` for a child merged into itself; 409 `child_merged` when
/// either child is already merged; 409 `child_changed` when one changed meanwhile. The
/// `ETag` is the survivor's. Undo with `POST .../merges/{merge_id}/undo`.
#[utoipa::path(
    tag = "children",
    request_body = MergeChild,
    params(
        ("id" = uuid::Uuid, Path, description = "The surviving child's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "Merged", body = ChildMergeResponse), ProblemResponse)
)]
#[post("/children/{id}/merge")]
pub async fn merge_child(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<MergeChild>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::MergeChildren)?;
    let body = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &body)?;
    let (survivor_id, duplicate_id) = (id.to_string(), body.duplicate_id.to_string());
    if survivor_id == duplicate_id {
        return Err(ApiError::validation(
            "duplicate_id",
            "same_child",
            "names the child it would be merged into",
        ));
    }
    let scope = child_scope(&actor);
    // Read outside the write's transaction: the compare-and-set on both versions decides.
    let (read_scope, s, d) = (scope.clone(), survivor_id.clone(), duplicate_id.clone());
    let (survivor, duplicate) = db::run(&state.pool, move |c| pair(c, &read_scope, &s, &d)).await?;
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::ChildMerge, now);
    idempotency::run(&state.pool, request, now, move |c| {
        if survivor.merged_into.is_some() || duplicate.merged_into.is_some() {
            return Err(child_merged());
        }
        let merge_id = uuid::Uuid::now_v7().to_string();
        merge_store::merge(c, &merge_id, &survivor, &duplicate, &actor.id, now)?;
        audit::record(c, &event.clone().on(Resource::Child, &survivor.id))?;
        audit::record(c, &event.on(Resource::Child, &duplicate.id))?;
        let merge = merge_store::find(c, &merge_id, &survivor.id)?;
        let version = version_of(c, &scope, &survivor.id)?;
        Stored::ok(version, &response(c, &merge)?)
    })
    .await
}

/// The merges into the child in the path, newest first, undone ones included (coordinators;
/// the child in their territory, else 404): what each moved, by whom and when, so a merge can
/// be undone from a later visit.
#[utoipa::path(
    tag = "children",
    params(("id" = uuid::Uuid, Path, description = "The surviving child's id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The merges", body = Vec<ChildMergeResponse>), ProblemResponse)
)]
#[get("/children/{id}/merges")]
pub async fn list_merges(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::MergeChildren)?;
    let (id, scope) = (id.to_string(), child_scope(&actor));
    let merges = db::run(&state.pool, move |c| {
        store::find(c, &scope, &id)?;
        merge_store::of_survivor(c, &id)?
            .iter()
            .map(|merge| response(c, merge))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(merges))
}

/// Undoes a merge of the child in the path (coordinators; both children in their territory,
/// else 404): the moved records go back, the duplicate is visible and matched again. 409
/// `merge_already_undone` the second time; 409 `child_merged` when the survivor was since
/// merged itself (undo that merge first). The `ETag` is the survivor's.
#[utoipa::path(
    tag = "children",
    params(
        ("id" = uuid::Uuid, Path, description = "The surviving child's id"),
        ("merge_id" = uuid::Uuid, Path, description = "The merge's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "Undone", body = ChildMergeResponse), ProblemResponse)
)]
#[post("/children/{id}/merges/{merge_id}/undo")]
pub async fn undo_merge(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    key: Result<IdempotencyKey, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::MergeChildren)?;
    let request = Idempotent::new(key?, &actor, &req, &())?;
    let (survivor_id, merge_id) = (path.0.to_string(), path.1.to_string());
    let scope = child_scope(&actor);
    let read_scope = scope.clone();
    let (merge, survivor, duplicate) = db::run(&state.pool, move |c| {
        let merge = merge_store::find(c, &merge_id, &survivor_id)?;
        let (survivor, duplicate) = pair(c, &read_scope, &survivor_id, &merge.duplicate_id)?;
        Ok((merge, survivor, duplicate))
    })
    .await?;
    let (now, today, keys) = (
        state.clock.now_naive(),
        state.clock.now(),
        state.data_keys.clone(),
    );
    let event = AuditEvent::by(&actor, AuditAction::ChildMergeUndo, now);
    idempotency::run(&state.pool, request, now, move |c| {
        if merge.undone_at.is_some() {
            return Err(merge_store::already_undone());
        }
        if survivor.merged_into.is_some() {
            return Err(child_merged());
        }
        merge_store::undo(c, &merge, &survivor, &actor.id, now)?;
        let shown = store::find(c, &scope, &duplicate.id)?;
        let record = ChildRecord::checked(shown.record(&keys)?, today)?;
        key_store::write_keys(c, &duplicate.id, &record)?;
        audit::record(c, &event.clone().on(Resource::Child, &survivor.id))?;
        audit::record(c, &event.on(Resource::Child, &duplicate.id))?;
        let merge = merge_store::find(c, &merge.id, &survivor.id)?;
        let version = version_of(c, &scope, &survivor.id)?;
        Stored::ok(version, &response(c, &merge)?)
    })
    .await
}

//! `/api/v1/cases/{id}/attachments`: the documents of a case (consent forms, medical
//! certificates, court decisions...) as PDF, PNG, JPEG or WebP files of at most 10 MiB, sent as
//! the raw request body. The server checks the declared type against the file's first bytes,
//! stores the file sealed (AES-256-GCM bound to its row) with its SHA-256, and lets only those
//! who see the case's sensitive fields (coordinators, assigned case workers) download it or
//! read its name; other case workers of the owning organization see the rest of the metadata
//! and get 403 on download. Every upload and every download is audited.
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use madar_openapi::cases::{
    AttachmentFile, AttachmentKind, AttachmentResponse, CaseEventKind, ATTACHMENT_MAX_BYTES,
};
use madar_openapi::Page;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::IntoParams;

use super::attachment_files::{self as files, check_contents, check_file_name};
use super::attachments_store::{self as att, Upload};
use super::events::{self, Event};
use super::handlers::audit_reads;
use super::notes::case_in_scope;
use super::store;
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, sees_sensitive, Action};
use crate::auth::Actor;
use crate::codes::to_code;
use crate::db;
use crate::error::ApiError;
use crate::http::body::content_type;
use crate::http::paging::page;
use crate::http::{ListQuery, ProblemResponse};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// The operations on attachments.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(upload_attachment)
        .service(list_attachments)
        .service(download_attachment);
}

#[derive(Debug, Clone, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    pub kind: AttachmentKind,
    /// The file's name: one line of 1 to 200 characters, without `/` or `\`.
    pub file_name: String,
}

/// What an upload's Idempotency-Key fingerprint covers: its metadata and the file's hash.
#[derive(Serialize)]
struct Fingerprint<'a> {
    query: &'a UploadQuery,
    content_type: &'a str,
    sha256: &'a str,
}

/// Uploads a document to a case: the file is the request body, with its `Content-Type`
/// (`application/pdf`, `image/png`, `image/jpeg` or `image/webp`; 415 otherwise). Its first
/// bytes must match that type (422 `content_mismatch`); at most 10 MiB (413). Stored
/// encrypted.
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        UploadQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body(
        description = "The file, at most 10 MiB",
        content(
            (AttachmentFile = "application/pdf"),
            (AttachmentFile = "image/png"),
            (AttachmentFile = "image/jpeg"),
            (AttachmentFile = "image/webp"),
        )
    ),
    security(("bearer" = [])),
    responses((status = 201, description = "Created", body = AttachmentResponse), ProblemResponse)
)]
#[post("/cases/{id}/attachments")]
pub async fn upload_attachment(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    query: web::Query<UploadQuery>,
    key: Result<IdempotencyKey, ApiError>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let (key, query) = (key?, query.into_inner());
    check_file_name(&query.file_name)?;
    let declared = content_type(&req);
    files::accepted_type(declared.as_deref())?;
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if length.is_some_and(|n| n > ATTACHMENT_MAX_BYTES) {
        return Err(files::too_large());
    }
    let case = case_in_scope(&state, &actor, id.to_string()).await?;
    let bytes = payload
        .to_bytes_limited(ATTACHMENT_MAX_BYTES)
        .await
        .map_err(|_| files::too_large())?
        .map_err(crate::http::body::payload_error)?;
    let content_type = check_contents(declared.as_deref(), &bytes)?;
    let sha256 = files::sha256(&bytes);
    let fingerprint = Fingerprint {
        query: &query,
        content_type,
        sha256: &sha256,
    };
    let request = Idempotent::new(key, &actor, &req, &fingerprint)?;
    let upload = Upload {
        kind: query.kind,
        file_name: query.file_name,
        content_type,
        sha256,
        bytes,
    };
    let sensitive = sees_sensitive(&actor, &case.assigned);
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let audit = AuditEvent::by(&actor, AuditAction::AttachmentCreate, now);
    let (case_id, by) = (case.row.id, actor.id.clone());
    idempotency::run(&state.pool, request, now, move |c| {
        let id = att::create(c, &keys, &case_id, &upload, &by, now)?;
        store::touch(c, &case_id, None, now)?;
        let detail = json!({"kind": to_code(&upload.kind), "content_type": upload.content_type});
        let event = Event::new(&case_id, CaseEventKind::AttachmentAdded, &by)
            .subject(&id)
            .detail(detail);
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit.on(Resource::Attachment, &id))?;
        let row = att::find(c, &case_id, &id)?;
        let location = format!("/api/v1/cases/{case_id}/attachments/{id}");
        Stored::created(location, 1, &row.response(sensitive)?)
    })
    .await
}

/// The documents of a case, the newest first: their metadata, the file name withheld
/// (`redacted`) from case workers not assigned to the case. Audited as a read of the case.
#[utoipa::path(
    tag = "case records",
    params(("id" = uuid::Uuid, Path, description = "Case id"), ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of attachments", body = Page<AttachmentResponse>), ProblemResponse)
)]
#[get("/cases/{id}/attachments")]
pub async fn list_attachments(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (limit, after) = (query.limit()?, query.after()?);
    let case = case_in_scope(&state, &actor, id.to_string()).await?;
    let case_id = case.row.id.clone();
    let rows = db::run(&state.pool, move |c| {
        att::list(c, &case_id, after, limit + 1)
    })
    .await?;
    audit_reads(
        &state,
        &actor,
        AuditAction::CaseRead,
        &[case.row.id.as_str()],
    )?;
    let (rows, next_cursor) = page(rows, limit, |r| r.id.clone());
    let sensitive = sees_sensitive(&actor, &case.assigned);
    let items = rows
        .iter()
        .map(|r| r.response(sensitive))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Downloads a document, byte for byte as uploaded, for the coordinators and the case workers
/// assigned to the case (403 for other case workers of its organization; 404 outside the
/// caller's scope). Every download is audited.
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("attachment_id" = uuid::Uuid, Path, description = "Attachment id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file, as an attachment (`Content-Disposition`)", content(
            (AttachmentFile = "application/pdf"),
            (AttachmentFile = "image/png"),
            (AttachmentFile = "image/jpeg"),
            (AttachmentFile = "image/webp"),
        )),
        ProblemResponse
    )
)]
#[get("/cases/{id}/attachments/{attachment_id}")]
pub async fn download_attachment(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (case_id, attachment_id) = (path.0.to_string(), path.1.to_string());
    let case = case_in_scope(&state, &actor, case_id.clone()).await?;
    let reader = actor.clone();
    let keys = state.data_keys.clone();
    let (row, bytes) = db::run(&state.pool, move |c| {
        let row = att::find(c, &case_id, &attachment_id)?;
        if !sees_sensitive(&reader, &case.assigned) {
            return Err(ApiError::Forbidden);
        }
        let bytes = att::contents(c, &keys, &case_id, &attachment_id)?;
        Ok((row, bytes))
    })
    .await?;
    let event = AuditEvent::by(&actor, AuditAction::AttachmentRead, state.clock.now_naive())
        .on(Resource::Attachment, &row.id);
    state.audit.record_read(event)?;
    Ok(HttpResponse::Ok()
        .content_type(row.content_type.clone())
        .insert_header((
            header::CONTENT_DISPOSITION,
            files::content_disposition(&row.file_name),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}

//! Attachments: the documents of a case (consent forms, medical certificates, court
//! decisions...), PDF or images, stored encrypted. Their contents (and their file names) are
//! shown only to the coordinators and the case workers assigned to the case.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    ConsentForm,
    MedicalCertificate,
    CourtDecision,
    SchoolCertificate,
    IdentityDocument,
    Other,
}

/// The media types an attachment may have.
pub const ATTACHMENT_CONTENT_TYPES: [&str; 4] =
    ["application/pdf", "image/png", "image/jpeg", "image/webp"];

/// The largest attachment accepted, in bytes (10 MiB).
pub const ATTACHMENT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// A file's bytes, as the body of an upload or a download (documented as binary).
#[derive(Debug, Clone, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct AttachmentFile(pub Vec<u8>);

/// An attachment's description (its contents are downloaded apart).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachmentResponse {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: AttachmentKind,
    /// The name given at upload; `null` (with `redacted`) for those who may not download it.
    pub file_name: Option<String>,
    /// `application/pdf`, `image/png`, `image/jpeg` or `image/webp`.
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the contents, in lower-case hex.
    pub sha256: String,
    /// Whether the file name was withheld: a case worker not assigned to the case.
    pub redacted: bool,
    /// The user who uploaded it.
    pub uploaded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

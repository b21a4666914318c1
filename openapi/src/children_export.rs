//! `GET /api/v1/children/{id}/export`: everything Madar holds on one child, for a data
//! subject's access request (law 09-08), as the coordinators of its territory see it whole.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cases::{
    AssessmentResponse, AttachmentResponse, CaseEvent, CasePlan, CaseResponse, CaseServiceResponse,
    JudicialMeasureResponse, NoteResponse, PlacementResponse,
};
use crate::children::{ChildAccessEvent, ChildResponse};
use crate::consents::ConsentResponse;
use crate::family::{GuardianResponse, SiblingResponse};
use crate::referrals::ReferralResponse;
use crate::reports::ReportResponse;

/// One case of the child with everything recorded on it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseExport {
    pub case: CaseResponse,
    /// Oldest first.
    pub assessments: Vec<AssessmentResponse>,
    /// The plan, when one was written.
    pub plan: Option<CasePlan>,
    pub services: Vec<CaseServiceResponse>,
    pub judicial_measures: Vec<JudicialMeasureResponse>,
    /// Every note, sensitive ones opened.
    pub notes: Vec<NoteResponse>,
    /// The documents' metadata (their files are downloaded one by one).
    pub attachments: Vec<AttachmentResponse>,
    /// The referrals sent from the case, each with the snapshot of the child's data it
    /// carried.
    pub referrals: Vec<ReferralResponse>,
    pub timeline: Vec<CaseEvent>,
}

/// Everything Madar holds on one child (a data subject's access request).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChildExport {
    pub exported_at: DateTime<Utc>,
    pub child: ChildResponse,
    pub consents: Vec<ConsentResponse>,
    pub guardians: Vec<GuardianResponse>,
    pub siblings: Vec<SiblingResponse>,
    pub placements: Vec<PlacementResponse>,
    /// The reports naming the child, whole (narrative, reporter).
    pub reports: Vec<ReportResponse>,
    pub cases: Vec<CaseExport>,
    /// Who read or changed the child's record, newest first.
    pub access_log: Vec<ChildAccessEvent>,
}

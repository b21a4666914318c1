//! The audit log (design.md, "Identity and access"): who did what to which record, as ids and
//! action codes only, never names, emails or free text.
//!
//! - A write records its event with [`record`] inside its own transaction, so a write is never
//!   committed without its event.
//! - A read of a child's data goes through [`AuditBuffer::record_read`]: buffered in memory and
//!   written in one transaction at most a second later, and at shutdown (`buffer`).
//! - One sealer chains committed events with HMAC-SHA-256 under a key kept outside the database
//!   (`chain`, `key`, `worker`); `madar audit verify` recomputes the chain.
//!
//! From a handler (capture the event in the async handler: it reads the request id, which the
//! blocking thread cannot see):
//!
//! ```ignore
//! let event = AuditEvent::by(&actor, AuditAction::UserUpdate, state.clock.now_naive());
//! let user = db::transaction(&state.pool, move |c| {
//!     let user = store::update(c, &id, version, &changes, now)?;
//!     audit::record(c, &event.on(Resource::User, &user.row.id))?;
//!     Ok(user)
//! })
//! .await?;
//! ```
pub mod buffer;
pub mod chain;
pub mod handlers;
pub mod key;
pub mod store;
pub mod worker;

use chrono::{NaiveDateTime, SubsecRound};
use madar_openapi::audit::ActorKind;

pub use buffer::AuditBuffer;
pub use store::record;

use crate::auth::tokens::Subject;
use crate::auth::Actor;
use crate::error::REQUEST_ID;

/// What happened. The codes are stable: auditors filter on them and the chain covers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    AuthLogin,
    AuthLoginFailed,
    OrganizationCreate,
    OrganizationUpdate,
    OrganizationDeactivate,
    UserCreate,
    UserUpdate,
    UserDeactivate,
    ClientCreate,
    ClientUpdate,
    ClientDeactivate,
    /// An API client's secret was replaced.
    ClientSecretRotate,
    TerritoryUpdate,
    ChildRead,
    ChildCreate,
    ChildUpdate,
    /// Everything held on a child was exported (an access request).
    ChildExport,
    /// A likely match outside the caller's scope was announced with its owner.
    ChildMatchAnnounce,
    /// A duplicate child record was merged into another.
    ChildMerge,
    /// A merge was undone.
    ChildMergeUndo,
    /// A consent to share a child's data was recorded.
    ConsentCreate,
    /// A consent was withdrawn.
    ConsentWithdraw,
    ReportCreate,
    /// A report was screened: accepted (its children linked or created) or closed.
    ReportScreen,
    /// A report's data (its children, narrative, reporter) was read.
    ReportRead,
    /// An auditor read the audit log.
    AuditRead,
    /// A case was opened (at screening).
    CaseOpen,
    /// A report was attached to a child's open case (at screening).
    CaseAttachReport,
    /// A case's data (or a list of cases) was read.
    CaseRead,
    /// A work list was exported as CSV.
    CaseExport,
    CaseUpdate,
    /// A case moved to another stage.
    CaseTransition,
    ApprovalRequest,
    ApprovalDecide,
    /// A coordinator turned an approval on or off for their territory.
    ApprovalRuleChange,
    AssessmentCreate,
    PlanUpdate,
    ServiceRecord,
    PlacementCreate,
    PlacementUpdate,
    JudicialMeasureCreate,
    JudicialMeasureUpdate,
    NoteCreate,
    AttachmentCreate,
    /// An attachment's file was downloaded.
    AttachmentRead,
    TransferRequest,
    TransferDecide,
    GuardianCreate,
    GuardianUpdate,
    GuardianDelete,
    SiblingLink,
    SiblingUnlink,
    ReferralSend,
    /// A coordinator sent a referral without a covering consent (with a written reason).
    ReferralOverride,
    ReferralAccept,
    ReferralDecline,
    ReferralStart,
    ReferralComplete,
    ReferralCancel,
    /// A referral unanswered by its deadline expired (a system event).
    ReferralExpire,
    /// A referral with its snapshot of a child's data was read.
    ReferralRead,
    ServiceCreate,
    ServiceUpdate,
    /// A provider updated a service's free places.
    ServiceCapacityUpdate,
    ProtocolCreate,
    ProtocolUpdate,
    /// A protocol version was published (and the one in force for its territory retired).
    ProtocolPublish,
    ProtocolActionComplete,
    ProtocolActionWaive,
    ActionPlanCreate,
    ActionPlanUpdate,
    /// Progress was recorded on a measure of a provincial action plan.
    ActionPlanProgress,
    /// The national executive programme was replaced.
    ProgrammeUpdate,
    WebhookCreate,
    WebhookDelete,
    WebhookSecretRotate,
    /// `madar keys rotate` re-sealed values under the current data key.
    DataKeysRotate,
    /// `madar retention run` erased records past their retention period.
    RetentionRun,
    /// That run erased what one record (a case, a report, a child) held.
    RetentionErase,
    /// Break-the-glass: a coordinator opened a case outside their territory.
    AccessGrantCreate,
    /// A grant ended by its holder before it expired.
    AccessGrantEnd,
    /// A case or child read under a grant (beside the read's own event).
    AccessGrantUse,
    LegalHoldPlace,
    LegalHoldLift,
    /// A provincial committee's needs (its diagnostic) were replaced.
    TerritoryNeedsUpdate,
}

impl AuditAction {
    pub fn code(self) -> &'static str {
        use AuditAction as A;
        match self {
            A::AuthLogin => "auth.login",
            A::AuthLoginFailed => "auth.login_failed",
            A::OrganizationCreate => "organization.create",
            A::OrganizationUpdate => "organization.update",
            A::OrganizationDeactivate => "organization.deactivate",
            A::UserCreate => "user.create",
            A::UserUpdate => "user.update",
            A::UserDeactivate => "user.deactivate",
            A::ClientCreate => "client.create",
            A::ClientUpdate => "client.update",
            A::ClientDeactivate => "client.deactivate",
            A::ClientSecretRotate => "client.secret_rotate",
            A::TerritoryUpdate => "territory.update",
            A::ChildRead => "child.read",
            A::ChildCreate => "child.create",
            A::ChildUpdate => "child.update",
            A::ChildExport => "child.export",
            A::ChildMatchAnnounce => "child.match_announce",
            A::ChildMerge => "child.merge",
            A::ChildMergeUndo => "child.merge_undo",
            A::ConsentCreate => "consent.create",
            A::ConsentWithdraw => "consent.withdraw",
            A::ReportCreate => "report.create",
            A::ReportScreen => "report.screen",
            A::ReportRead => "report.read",
            A::AuditRead => "audit.read",
            A::CaseOpen => "case.open",
            A::CaseAttachReport => "case.attach_report",
            A::CaseRead => "case.read",
            A::CaseExport => "case.export",
            A::CaseUpdate => "case.update",
            A::CaseTransition => "case.transition",
            A::ApprovalRequest => "approval.request",
            A::ApprovalDecide => "approval.decide",
            A::ApprovalRuleChange => "approval.rule_change",
            A::AssessmentCreate => "assessment.create",
            A::PlanUpdate => "plan.update",
            A::ServiceRecord => "service.record",
            A::PlacementCreate => "placement.create",
            A::PlacementUpdate => "placement.update",
            A::JudicialMeasureCreate => "judicial_measure.create",
            A::JudicialMeasureUpdate => "judicial_measure.update",
            A::NoteCreate => "note.create",
            A::AttachmentCreate => "attachment.create",
            A::AttachmentRead => "attachment.read",
            A::TransferRequest => "transfer.request",
            A::TransferDecide => "transfer.decide",
            A::GuardianCreate => "guardian.create",
            A::GuardianUpdate => "guardian.update",
            A::GuardianDelete => "guardian.delete",
            A::SiblingLink => "sibling.link",
            A::SiblingUnlink => "sibling.unlink",
            A::ReferralSend => "referral.send",
            A::ReferralOverride => "referral.override",
            A::ReferralAccept => "referral.accept",
            A::ReferralDecline => "referral.decline",
            A::ReferralStart => "referral.start",
            A::ReferralComplete => "referral.complete",
            A::ReferralCancel => "referral.cancel",
            A::ReferralExpire => "referral.expire",
            A::ReferralRead => "referral.read",
            A::ServiceCreate => "service.create",
            A::ServiceUpdate => "service.update",
            A::ServiceCapacityUpdate => "service.capacity_update",
            A::ProtocolCreate => "protocol.create",
            A::ProtocolUpdate => "protocol.update",
            A::ProtocolPublish => "protocol.publish",
            A::ProtocolActionComplete => "protocol_action.complete",
            A::ProtocolActionWaive => "protocol_action.waive",
            A::ActionPlanCreate => "action_plan.create",
            A::ActionPlanUpdate => "action_plan.update",
            A::ActionPlanProgress => "action_plan.progress",
            A::ProgrammeUpdate => "programme.update",
            A::WebhookCreate => "webhook.create",
            A::WebhookDelete => "webhook.delete",
            A::WebhookSecretRotate => "webhook.secret_rotate",
            A::DataKeysRotate => "data_keys.rotate",
            A::RetentionRun => "retention.run",
            A::RetentionErase => "retention.erase",
            A::AccessGrantCreate => "access_grant.create",
            A::AccessGrantEnd => "access_grant.end",
            A::AccessGrantUse => "access_grant.use",
            A::LegalHoldPlace => "legal_hold.place",
            A::LegalHoldLift => "legal_hold.lift",
            A::TerritoryNeedsUpdate => "territory.needs_update",
        }
    }
}

/// The kind of record an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    User,
    Organization,
    Client,
    Territory,
    Child,
    Consent,
    Report,
    AuditLog,
    Case,
    Approval,
    Assessment,
    Plan,
    CaseService,
    Placement,
    JudicialMeasure,
    Note,
    Attachment,
    Transfer,
    Guardian,
    SiblingLink,
    Referral,
    Service,
    Protocol,
    ProtocolAction,
    ActionPlan,
    Programme,
    Webhook,
    AccessGrant,
}

impl Resource {
    pub fn code(self) -> &'static str {
        match self {
            Resource::User => "user",
            Resource::Organization => "organization",
            Resource::Client => "client",
            Resource::Territory => "territory",
            Resource::Child => "child",
            Resource::Consent => "consent",
            Resource::Report => "report",
            Resource::AuditLog => "audit_log",
            Resource::Case => "case",
            Resource::Approval => "approval",
            Resource::Assessment => "assessment",
            Resource::Plan => "plan",
            Resource::CaseService => "case_service",
            Resource::Placement => "placement",
            Resource::JudicialMeasure => "judicial_measure",
            Resource::Note => "note",
            Resource::Attachment => "attachment",
            Resource::Transfer => "transfer",
            Resource::Guardian => "guardian",
            Resource::SiblingLink => "sibling_link",
            Resource::Referral => "referral",
            Resource::Service => "service",
            Resource::Protocol => "protocol",
            Resource::ProtocolAction => "protocol_action",
            Resource::ActionPlan => "action_plan",
            Resource::Programme => "programme",
            Resource::Webhook => "webhook",
            Resource::AccessGrant => "access_grant",
        }
    }
}

/// One event to record. Built from typed parts, so no free text can slip in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub occurred_at: NaiveDateTime,
    pub actor_kind: ActorKind,
    pub actor_id: Option<String>,
    pub action: AuditAction,
    pub resource_type: Option<Resource>,
    pub resource_id: Option<String>,
    pub request_id: Option<String>,
}

impl AuditEvent {
    /// An event by `actor`, carrying the current request's id. Call it in the async handler,
    /// not inside `db::run`/`db::transaction` (the request id is task-local).
    pub fn by(actor: &Actor, action: AuditAction, now: NaiveDateTime) -> AuditEvent {
        let kind = match actor.kind {
            Subject::User => ActorKind::User,
            Subject::Client => ActorKind::Client,
        };
        AuditEvent::new(kind, Some(actor.id.clone()), action, now)
    }

    /// An event by a user known only by id (or not at all: a failed login with an unknown email).
    pub fn by_user(user_id: Option<String>, action: AuditAction, now: NaiveDateTime) -> AuditEvent {
        AuditEvent::new(ActorKind::User, user_id, action, now)
    }

    /// An event done by Madar itself (the command line, start-up).
    pub fn system(action: AuditAction, now: NaiveDateTime) -> AuditEvent {
        AuditEvent::new(ActorKind::System, None, action, now)
    }

    fn new(
        actor_kind: ActorKind,
        actor_id: Option<String>,
        action: AuditAction,
        now: NaiveDateTime,
    ) -> AuditEvent {
        AuditEvent {
            // Microseconds: what both backends store, so the sealed value reads back the same.
            occurred_at: now.trunc_subsecs(6),
            actor_kind,
            actor_id,
            action,
            resource_type: None,
            resource_id: None,
            request_id: current_request_id(),
        }
    }

    /// The record the event is about, by id (or code, for territories).
    pub fn on(mut self, resource: Resource, id: impl Into<String>) -> AuditEvent {
        self.resource_type = Some(resource);
        self.resource_id = Some(id.into());
        self
    }

    /// The kind of record the event is about, when it names no single one.
    pub fn about(mut self, resource: Resource) -> AuditEvent {
        self.resource_type = Some(resource);
        self
    }
}

/// The id of the request being served, when there is one.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(|id| id.clone()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_keep_microseconds_and_take_no_request_id_outside_a_request() {
        let now = chrono::DateTime::from_timestamp(1_790_000_000, 123_456_789)
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        let event = AuditEvent::system(AuditAction::UserCreate, now).on(Resource::User, "u1");
        assert_eq!(
            event.occurred_at.and_utc().timestamp_subsec_nanos(),
            123_456_000
        );
        assert_eq!(event.request_id, None);
        assert_eq!(event.resource_type, Some(Resource::User));
        assert_eq!(event.resource_id.as_deref(), Some("u1"));
        assert_eq!(event.action.code(), "user.create");
    }
}

//! The access policy, in one place (design.md, "Identity and access"). `authorize` decides
//! whether a role may ever do an action (else 403); the scope functions build the filters that
//! queries apply, so a record outside the caller's scope is simply not found (404).
use madar_openapi::users::Role;

use crate::auth::actor::Actor;
use crate::error::ApiError;

/// Everything an actor may ask of the API so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read one's own profile and set one's language.
    ReadSelf,
    /// List and read referrals and their snapshots, and answer those addressed to one's
    /// organization (the referral scope decides which).
    ReadReferrals,
    /// List and read organizations (to pick a referral target).
    ListOrganizations,
    ManageOrganizations,
    ListUsers,
    ManageUsers,
    ManageClients,
    /// Correct territories' names and other reference data.
    ManageReference,
    /// Read the audit log (ids and action codes).
    ReadAudit,
    /// File a report of a child at risk.
    CreateReport,
    /// List and read reports (the scope decides which, and how much of each).
    ReadReports,
    /// Screen a report: link or create its children, or close it (the scope and
    /// `sees_whole_report` decide which reports).
    ScreenReports,
    /// List and read children (the scope decides which). Partners hold it with an empty scope:
    /// a child answers them 404, as if it did not exist.
    ReadChildren,
    /// Search for a reported child among the known ones (the duplicate search of screening).
    MatchChildren,
    /// Create and change child records.
    ManageChildren,
    /// Merge duplicate child records, and undo a merge (coordinators).
    MergeChildren,
    /// Read a child's access log (coordinators).
    ReadChildAccessLog,
    /// Export everything held on a child for an access request (coordinators).
    ExportChildData,
    /// List and read cases and what is recorded on them (the scope decides which). Partners
    /// hold it with an empty scope: they follow a child only through the referrals addressed
    /// to them, and a case answers them 404.
    ReadCases,
    /// Change cases and record on them: stages, assessments, plans, services, notes...
    ManageCases,
    /// Decide approvals and incoming transfers, turn approvals on for a territory
    /// (coordinators).
    DecideApprovals,
    /// Search and read the service directory and its HSDS publication (everyone).
    ReadServices,
    /// Create and change services (admins; coordinators within their subtree:
    /// `manages_service_in`).
    ManageServices,
    /// Update a service's free places (its provider's people: `provides`).
    UpdateServiceCapacity,
    /// Read protocols (admins, coordinators, case workers).
    ReadProtocols,
    /// Create, change and publish protocols (admins: the national one; coordinators: the
    /// variants of their subtree, `manages_protocol_of`).
    ManageProtocols,
    /// Read the protocol actions of the cases and reports in scope, complete them, and read
    /// one's alerts (coordinators, case workers).
    HandleProtocolActions,
    /// Waive a protocol action, with a reason (coordinators).
    WaiveProtocolActions,
    /// Read statistics and indicators (analysts and admins nationally, suppressed under k;
    /// coordinators exact within their subtree: `statistics_scope`).
    ReadStatistics,
    /// Read provincial action plans (coordinators and analysts within their subtree, admins
    /// everywhere: `plan_scope`).
    ReadPlans,
    /// Create and change the action plans of one's subtree, record their progress and the
    /// needs of its committees' diagnostics (coordinators: `manages_plan_of`).
    ManagePlans,
    /// Replace the national executive programme (admins).
    ManageProgramme,
    /// Read counts of referrals (partners: those addressed to their organization; the roles
    /// that read statistics: `referral_count_scope`).
    ReadReferralCounts,
    /// Break the glass: open a case outside one's territory for a limited time with a written
    /// reason, and end one's grants (coordinators).
    BreakGlass,
    /// List break-the-glass grants: auditors all of them, coordinators their own
    /// (`grant_scope`).
    ReadAccessGrants,
    /// Place and lift legal holds on the cases of one's scope (coordinators).
    PlaceLegalHolds,
    /// Register, read, delete webhooks and rotate their secrets: partners and hotlines (users
    /// and API clients), their own organization's only (`webhook_organization`).
    ManageWebhooks,
}

/// Whether `actor`'s role may ever do `action`; scope is decided by the filters below.
pub fn authorize(actor: &Actor, action: Action) -> Result<(), ApiError> {
    use Action as A;
    use Role as R;
    let allowed = match action {
        A::ReadSelf | A::ListOrganizations | A::ReadServices => true,
        A::ManageServices => matches!(actor.role, R::Admin | R::Coordinator),
        A::UpdateServiceCapacity => {
            matches!(actor.role, R::Partner | R::Coordinator | R::CaseWorker)
        }
        A::ManageOrganizations | A::ManageUsers | A::ManageClients | A::ManageReference => {
            actor.role == R::Admin
        }
        A::ListUsers => matches!(actor.role, R::Admin | R::Coordinator),
        A::MergeChildren | A::ReadChildAccessLog | A::DecideApprovals => {
            actor.role == R::Coordinator
        }
        A::ReadAudit => actor.role == R::Auditor,
        A::ExportChildData => actor.role == R::Coordinator,
        A::ReadStatistics => matches!(actor.role, R::Analyst | R::Admin | R::Coordinator),
        A::ReadPlans => matches!(actor.role, R::Admin | R::Coordinator | R::Analyst),
        A::ManagePlans => actor.role == R::Coordinator,
        A::ManageProgramme => actor.role == R::Admin,
        A::ReadReferralCounts => {
            matches!(
                actor.role,
                R::Analyst | R::Admin | R::Coordinator | R::Partner
            )
        }
        A::BreakGlass | A::PlaceLegalHolds => actor.role == R::Coordinator,
        A::ReadAccessGrants => matches!(actor.role, R::Auditor | R::Coordinator),
        A::ReadProtocols => matches!(actor.role, R::Admin | R::Coordinator | R::CaseWorker),
        A::ManageProtocols => matches!(actor.role, R::Admin | R::Coordinator),
        A::HandleProtocolActions => matches!(actor.role, R::Coordinator | R::CaseWorker),
        A::WaiveProtocolActions => actor.role == R::Coordinator,
        A::ReadReferrals => matches!(actor.role, R::Coordinator | R::CaseWorker | R::Partner),
        A::ManageWebhooks => matches!(actor.role, R::Partner | R::Hotline),
        A::CreateReport | A::ReadReports => {
            matches!(
                actor.role,
                R::Coordinator | R::CaseWorker | R::Partner | R::Hotline
            )
        }
        A::ReadChildren | A::ReadCases => {
            matches!(actor.role, R::Coordinator | R::CaseWorker | R::Partner)
        }
        A::MatchChildren | A::ManageChildren | A::ScreenReports | A::ManageCases => {
            matches!(actor.role, R::Coordinator | R::CaseWorker)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The organization whose webhooks an actor manages: its own (another's answer 404).
pub fn webhook_organization(actor: &Actor) -> String {
    actor.organization_id.clone()
}

/// Which users an actor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserScope {
    All,
    /// Users whose territory lies in this subtree (a materialized path prefix).
    Subtree(String),
    None,
}

pub fn user_scope(actor: &Actor) -> UserScope {
    match (actor.role, &actor.territory) {
        (Role::Admin, _) => UserScope::All,
        (Role::Coordinator, Some(scope)) => UserScope::Subtree(scope.path.clone()),
        _ => UserScope::None,
    }
}

/// Which organizations an actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationScope {
    All,
    /// Only active ones: a deactivated organization is no referral target.
    Active,
}

pub fn organization_scope(actor: &Actor) -> OrganizationScope {
    if actor.role == Role::Admin {
        OrganizationScope::All
    } else {
        OrganizationScope::Active
    }
}

/// Which reports an actor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportScope {
    /// A coordinator: reports with a child in this territory subtree (a path prefix), those
    /// their organization sent (which they follow as senders when outside the subtree), and
    /// the reports of the cases their break-the-glass grants open (`granted`: case ids). The
    /// inbox lists the territory's only ([`ReportScope::territorial`]).
    Subtree {
        path: String,
        organization: String,
        granted: Vec<String>,
    },
    /// A case worker: reports routed to their organization, or that it sent.
    RoutedOrCreated(String),
    /// The hotline and partners: the reports their organization sent.
    CreatedBy(String),
    None,
}

pub fn report_scope(actor: &Actor) -> ReportScope {
    match (actor.role, &actor.territory) {
        (Role::Coordinator, Some(scope)) => ReportScope::Subtree {
            path: scope.path.clone(),
            organization: actor.organization_id.clone(),
            granted: actor.grants.iter().map(|g| g.case_id.clone()).collect(),
        },
        (Role::CaseWorker, _) => ReportScope::RoutedOrCreated(actor.organization_id.clone()),
        (Role::Hotline | Role::Partner, _) => ReportScope::CreatedBy(actor.organization_id.clone()),
        _ => ReportScope::None,
    }
}

impl ReportScope {
    /// The scope without what break-the-glass grants open: a grant opens a record, it adds
    /// no work to the territory's queues.
    pub fn territorial(self) -> ReportScope {
        match self {
            ReportScope::Subtree {
                path, organization, ..
            } => ReportScope::Subtree {
                path,
                organization,
                granted: Vec::new(),
            },
            other => other,
        }
    }
}

/// Whether the actor sees a report (already within their scope) whole, or only its reference,
/// status and dates: the coordinators of its territory (`in_territory`: a child of the report
/// lies in the coordinator's subtree, or a grant of theirs opens its case) and the case workers
/// it was routed to see it whole; its sender (the hotline, a partner, another centre or
/// territory) follows its status.
pub fn sees_whole_report(actor: &Actor, routed_to: &[String], in_territory: bool) -> bool {
    match actor.role {
        Role::Coordinator => in_territory,
        Role::CaseWorker => routed_to.contains(&actor.organization_id),
        _ => false,
    }
}

/// Which children an actor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildScope {
    /// A coordinator: children whose territory lies in this subtree (a path prefix), and those
    /// their break-the-glass grants open (`granted`: child ids).
    Subtree {
        path: String,
        granted: Vec<String>,
    },
    /// A case worker: the children their organization owns, and those of its cases.
    OwnedBy(String),
    None,
}

impl ChildScope {
    /// Whether a child placed in the territory at `path` stays within this scope: a coordinator
    /// keeps the children they create or move within their subtree (422 otherwise, rather than
    /// a record that vanishes from its author's sight).
    pub fn covers(&self, path: &str) -> bool {
        match self {
            ChildScope::Subtree { path: scope, .. } => path.starts_with(scope.as_str()),
            ChildScope::OwnedBy(_) => true,
            ChildScope::None => false,
        }
    }
}

pub fn child_scope(actor: &Actor) -> ChildScope {
    match (actor.role, &actor.territory) {
        (Role::Coordinator, Some(scope)) => ChildScope::Subtree {
            path: scope.path.clone(),
            granted: actor.grants.iter().map(|g| g.child_id.clone()).collect(),
        },
        (Role::CaseWorker, _) => ChildScope::OwnedBy(actor.organization_id.clone()),
        _ => ChildScope::None,
    }
}

/// Whose break-the-glass grants an actor lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantScope {
    /// Auditors: every grant.
    All,
    /// Coordinators: their own (a user id).
    HeldBy(String),
    None,
}

pub fn grant_scope(actor: &Actor) -> GrantScope {
    match actor.role {
        Role::Auditor => GrantScope::All,
        Role::Coordinator => GrantScope::HeldBy(actor.id.clone()),
        _ => GrantScope::None,
    }
}

/// Which cases an actor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseScope {
    /// A coordinator: cases whose territory lies in this subtree (a path prefix), and those
    /// their break-the-glass grants open (`granted`: case ids). Work queues of the territory
    /// (approvals, alerts) use the path only.
    Subtree {
        path: String,
        granted: Vec<String>,
    },
    /// A case worker: the cases their organization owns.
    OwnedBy(String),
    None,
}

pub fn case_scope(actor: &Actor) -> CaseScope {
    match (actor.role, &actor.territory) {
        (Role::Coordinator, Some(scope)) => CaseScope::Subtree {
            path: scope.path.clone(),
            granted: actor.grants.iter().map(|g| g.case_id.clone()).collect(),
        },
        (Role::CaseWorker, _) => CaseScope::OwnedBy(actor.organization_id.clone()),
        _ => CaseScope::None,
    }
}

/// Whether the actor sees a case's sensitive fields (outcome note, sensitive notes, attachments'
/// contents): its territory's coordinators, and the case workers assigned to it (`assigned`:
/// user ids). The case is already within the actor's scope.
pub fn sees_sensitive(actor: &Actor, assigned: &[String]) -> bool {
    match actor.role {
        Role::Coordinator => true,
        Role::CaseWorker => assigned.contains(&actor.id),
        _ => false,
    }
}

/// Which transfers an actor sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferScope {
    /// A coordinator: transfers into or out of this subtree (target or source territory).
    Subtree(String),
    /// A case worker: transfers from or to their organization.
    Organization(String),
    None,
}

pub fn transfer_scope(actor: &Actor) -> TransferScope {
    match (actor.role, &actor.territory) {
        (Role::Coordinator, Some(scope)) => TransferScope::Subtree(scope.path.clone()),
        (Role::CaseWorker, _) => TransferScope::Organization(actor.organization_id.clone()),
        _ => TransferScope::None,
    }
}

/// Whether the actor decides a transfer (already within their scope) into the territory at
/// `target_path`: only the receiving side's coordinators, whose subtree contains it. The
/// sending coordinator sees the transfer but may not decide it (403).
pub fn decides_transfer(actor: &Actor, target_path: &str) -> bool {
    actor.role == Role::Coordinator
        && actor
            .territory
            .as_ref()
            .is_some_and(|t| target_path.starts_with(t.path.as_str()))
}

/// Whether the actor reads a transfer's reason and comment: coordinators, and the user who
/// asked for it.
pub fn sees_transfer_reason(actor: &Actor, requested_by: &str) -> bool {
    actor.role == Role::Coordinator || actor.id == requested_by
}

/// Whether the actor may create or change a service serving the territories at `paths`: admins
/// anywhere, coordinators when every territory lies within their subtree.
pub fn manages_service_in(actor: &Actor, paths: &[String]) -> bool {
    match (actor.role, &actor.territory) {
        (Role::Admin, _) => true,
        (Role::Coordinator, Some(scope)) => {
            paths.iter().all(|p| p.starts_with(scope.path.as_str()))
        }
        _ => false,
    }
}

/// Whether the actor may edit the protocol of the territory at `path` (`national`: the
/// national protocol): admins the national one only, coordinators the variants of territories
/// within their subtree.
pub fn manages_protocol_of(actor: &Actor, path: &str, national: bool) -> bool {
    match (actor.role, &actor.territory) {
        (Role::Admin, _) => national,
        (Role::Coordinator, Some(scope)) => !national && path.starts_with(scope.path.as_str()),
        _ => false,
    }
}

/// The territory subtree (a path prefix) whose action plans an actor reads; `None`: all of
/// them (admins). A plan outside answers 404.
pub fn plan_scope(actor: &Actor) -> Option<String> {
    match (actor.role, &actor.territory) {
        (Role::Admin, _) => None,
        (_, Some(scope)) => Some(scope.path.clone()),
        // No territory: nothing (a path no territory has).
        (_, None) => Some(String::from("\u{0}")),
    }
}

/// Whether the actor may create or change the action plan of the territory at `path`:
/// coordinators within their subtree.
pub fn manages_plan_of(actor: &Actor, path: &str) -> bool {
    matches!((actor.role, &actor.territory), (Role::Coordinator, Some(scope)) if path.starts_with(scope.path.as_str()))
}

/// What statistics an actor reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatisticsScope {
    /// A coordinator: exact counts, within this territory subtree (`code`, and its path
    /// prefix); a territory outside it answers 404.
    Exact { code: String, path: String },
    /// Analysts and admins: the whole country, counts from 1 to k−1 suppressed (primary and
    /// secondary).
    Suppressed,
}

pub fn statistics_scope(actor: &Actor) -> StatisticsScope {
    match (actor.role, &actor.territory) {
        (Role::Coordinator, Some(scope)) => StatisticsScope::Exact {
            code: scope.code.clone(),
            path: scope.path.clone(),
        },
        _ => StatisticsScope::Suppressed,
    }
}

/// Which referrals an actor counts, and whether the counts are masked under k.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralCountScope {
    /// A partner: those addressed to its organization, masked.
    AddressedTo(String),
    /// A coordinator: those of the cases of their subtree (a path prefix), exact.
    Subtree(String),
    /// Analysts and admins: every referral, masked.
    National,
    None,
}

pub fn referral_count_scope(actor: &Actor) -> ReferralCountScope {
    match (actor.role, &actor.territory) {
        (Role::Partner, _) => ReferralCountScope::AddressedTo(actor.organization_id.clone()),
        (Role::Coordinator, Some(scope)) => ReferralCountScope::Subtree(scope.path.clone()),
        (Role::Analyst | Role::Admin, _) => ReferralCountScope::National,
        _ => ReferralCountScope::None,
    }
}

/// Whether the actor speaks for the organization providing a service (`provider`: its id).
pub fn provides(actor: &Actor, provider: &str) -> bool {
    actor.organization_id == provider
}

/// Whether the actor sees a confidential service's locations (shelters): case workers and
/// coordinators.
pub fn sees_confidential_locations(actor: &Actor) -> bool {
    matches!(actor.role, Role::CaseWorker | Role::Coordinator)
}

/// Which referrals an actor sees: those addressed to their organization, and on the sending
/// side those of the cases they see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralScope {
    /// A coordinator: referrals of cases in this subtree (a path prefix), and those addressed
    /// to their organization.
    Subtree {
        path: String,
        organization: String,
    },
    /// A case worker: referrals sent from or addressed to their organization.
    Organization(String),
    /// A partner (user or API client): referrals addressed to their organization only.
    AddressedTo(String),
    None,
}

pub fn referral_scope(actor: &Actor) -> ReferralScope {
    let org = actor.organization_id.clone();
    match (actor.role, &actor.territory) {
        (Role::Coordinator, Some(scope)) => ReferralScope::Subtree {
            path: scope.path.clone(),
            organization: org,
        },
        (Role::CaseWorker, _) => ReferralScope::Organization(org),
        (Role::Partner, _) => ReferralScope::AddressedTo(org),
        _ => ReferralScope::None,
    }
}

/// Whether the actor is on a referral's sending side (sees its case's identifiers and the
/// override reason, may cancel it): a coordinator whose subtree holds the case (`case_path`),
/// a case worker of the sending organization.
pub fn sends_referral(actor: &Actor, from_org: &str, case_path: &str) -> bool {
    match (actor.role, &actor.territory) {
        (Role::Coordinator, Some(t)) => case_path.starts_with(t.path.as_str()),
        (Role::CaseWorker, _) => actor.organization_id == from_org,
        _ => false,
    }
}

/// Whether the actor answers a referral (accepts, declines, starts, completes it): anyone of
/// the receiving organization who reads referrals.
pub fn receives_referral(actor: &Actor, to_org: &str) -> bool {
    authorize(actor, Action::ReadReferrals).is_ok() && actor.organization_id == to_org
}

/// Whether `actor` receives a live event (`events`) of `kind` whose audience is `organizations`
/// (ids) and `territories` (paths): a new report reaches the case workers of the organizations
/// it was routed to and the coordinators whose subtree holds one of its children; a referral
/// reaches the people of the organizations it names (the receiver when sent, both sides when
/// it changes), partners included.
pub fn sees_live_event(
    actor: &Actor,
    kind: madar_openapi::events::LiveEventType,
    organizations: &[String],
    territories: &[String],
) -> bool {
    use madar_openapi::events::LiveEventType as E;
    match kind {
        // A new alert reaches who sees the case or report: its organizations' case workers,
        // and the coordinators of its territory.
        E::ReportReceived | E::AlertCreated => match (actor.role, &actor.territory) {
            (Role::CaseWorker, _) => organizations.contains(&actor.organization_id),
            (Role::Coordinator, Some(scope)) => territories
                .iter()
                .any(|p| p.starts_with(scope.path.as_str())),
            _ => false,
        },
        E::ReferralCreated | E::ReferralUpdated => {
            authorize(actor, Action::ReadReferrals).is_ok()
                && organizations.contains(&actor.organization_id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::actor::Scope;
    use crate::auth::tokens::Subject;

    fn actor(role: Role) -> Actor {
        Actor {
            kind: Subject::User,
            id: "u".into(),
            role,
            organization_id: "o".into(),
            organization_code: "org".into(),
            territory: Some(Scope {
                code: "421".into(),
                path: "MA/MA-04/421/".into(),
            }),
            grants: Vec::new(),
        }
    }

    #[test]
    fn only_admins_manage_users_organizations_and_clients() {
        for role in Role::ALL {
            let expected = role == Role::Admin;
            for action in [
                Action::ManageUsers,
                Action::ManageOrganizations,
                Action::ManageClients,
                Action::ManageReference,
            ] {
                assert_eq!(
                    authorize(&actor(role), action).is_ok(),
                    expected,
                    "{role:?} {action:?}"
                );
            }
            assert!(authorize(&actor(role), Action::ListOrganizations).is_ok());
            assert!(authorize(&actor(role), Action::ReadSelf).is_ok());
        }
    }

    #[test]
    fn the_directory_is_read_by_all_edited_by_admins_and_coordinators_in_their_territory() {
        for role in Role::ALL {
            assert!(authorize(&actor(role), Action::ReadServices).is_ok());
            assert_eq!(
                authorize(&actor(role), Action::ManageServices).is_ok(),
                matches!(role, Role::Admin | Role::Coordinator),
                "{role:?}"
            );
            assert_eq!(
                sees_confidential_locations(&actor(role)),
                matches!(role, Role::CaseWorker | Role::Coordinator),
                "{role:?}"
            );
        }
        let coordinator = actor(Role::Coordinator);
        assert!(manages_service_in(&coordinator, &["MA/MA-04/421/".into()]));
        assert!(!manages_service_in(&coordinator, &["MA/MA-04/".into()]));
        assert!(manages_service_in(&actor(Role::Admin), &["MA/".into()]));
        assert!(provides(&actor(Role::Partner), "o") && !provides(&actor(Role::Partner), "p"));
    }

    #[test]
    fn statistics_are_read_nationally_suppressed_or_exactly_in_a_coordinators_subtree() {
        for role in Role::ALL {
            assert_eq!(
                authorize(&actor(role), Action::ReadStatistics).is_ok(),
                matches!(role, Role::Analyst | Role::Admin | Role::Coordinator),
                "{role:?}"
            );
        }
        assert_eq!(
            statistics_scope(&actor(Role::Coordinator)),
            StatisticsScope::Exact {
                code: "421".into(),
                path: "MA/MA-04/421/".into()
            }
        );
        assert_eq!(
            statistics_scope(&actor(Role::Analyst)),
            StatisticsScope::Suppressed
        );
    }

    #[test]
    fn only_auditors_read_the_audit_log() {
        for role in Role::ALL {
            assert_eq!(
                authorize(&actor(role), Action::ReadAudit).is_ok(),
                role == Role::Auditor,
                "{role:?}"
            );
        }
    }

    #[test]
    fn reports_are_filed_and_read_by_the_pathway_roles_only() {
        for role in Role::ALL {
            let expected = matches!(
                role,
                Role::Coordinator | Role::CaseWorker | Role::Partner | Role::Hotline
            );
            assert_eq!(
                authorize(&actor(role), Action::CreateReport).is_ok(),
                expected,
                "{role:?}"
            );
            assert_eq!(
                authorize(&actor(role), Action::ReadReports).is_ok(),
                expected,
                "{role:?}"
            );
        }
        assert_eq!(
            report_scope(&actor(Role::Hotline)),
            ReportScope::CreatedBy("o".into())
        );
        assert_eq!(
            report_scope(&actor(Role::Coordinator)),
            ReportScope::Subtree {
                path: "MA/MA-04/421/".into(),
                organization: "o".into(),
                granted: vec![]
            }
        );
        assert!(sees_whole_report(
            &actor(Role::CaseWorker),
            &["o".into()],
            false
        ));
        assert!(!sees_whole_report(
            &actor(Role::CaseWorker),
            &["other".into()],
            true
        ));
        assert!(!sees_whole_report(
            &actor(Role::Hotline),
            &["o".into()],
            true
        ));
        assert!(sees_whole_report(&actor(Role::Coordinator), &[], true));
        // A coordinator who sent a report about a child elsewhere follows it as its sender.
        assert!(!sees_whole_report(
            &actor(Role::Coordinator),
            &["o".into()],
            false
        ));
    }

    #[test]
    fn cases_are_reached_by_the_pathway_roles_and_decided_by_coordinators() {
        for role in Role::ALL {
            let pathway = matches!(role, Role::Coordinator | Role::CaseWorker);
            let manage = authorize(&actor(role), Action::ManageCases).is_ok();
            assert_eq!(manage, pathway, "{role:?}");
            // Partners read with an empty scope: a case answers them 404.
            let read = authorize(&actor(role), Action::ReadCases).is_ok();
            assert_eq!(read, pathway || role == Role::Partner, "{role:?}");
            assert_eq!(
                authorize(&actor(role), Action::DecideApprovals).is_ok(),
                role == Role::Coordinator,
                "{role:?}"
            );
        }
        assert_eq!(
            case_scope(&actor(Role::CaseWorker)),
            CaseScope::OwnedBy("o".into())
        );
        assert_eq!(case_scope(&actor(Role::Partner)), CaseScope::None);
        assert!(sees_sensitive(&actor(Role::CaseWorker), &["u".into()]));
        assert!(!sees_sensitive(&actor(Role::CaseWorker), &["v".into()]));
        assert!(sees_sensitive(&actor(Role::Coordinator), &[]));
    }

    #[test]
    fn coordinators_see_the_users_of_their_subtree() {
        assert_eq!(
            user_scope(&actor(Role::Coordinator)),
            UserScope::Subtree("MA/MA-04/421/".into())
        );
        assert_eq!(user_scope(&actor(Role::Admin)), UserScope::All);
        assert_eq!(user_scope(&actor(Role::CaseWorker)), UserScope::None);
        assert!(authorize(&actor(Role::Coordinator), Action::ListUsers).is_ok());
        assert!(authorize(&actor(Role::Analyst), Action::ListUsers).is_err());
    }

    #[test]
    fn children_are_reached_by_the_pathway_roles() {
        for role in Role::ALL {
            let expected = matches!(role, Role::Coordinator | Role::CaseWorker);
            for action in [
                Action::MatchChildren,
                Action::ManageChildren,
                Action::ScreenReports,
            ] {
                assert_eq!(
                    authorize(&actor(role), action).is_ok(),
                    expected,
                    "{role:?} {action:?}"
                );
            }
            // Partners read with an empty scope: a child answers them 404.
            let reads = expected || role == Role::Partner;
            let read = authorize(&actor(role), Action::ReadChildren).is_ok();
            assert_eq!(read, reads, "{role:?}");
        }
        assert_eq!(
            child_scope(&actor(Role::Coordinator)),
            ChildScope::Subtree {
                path: "MA/MA-04/421/".into(),
                granted: Vec::new()
            }
        );
        assert_eq!(
            child_scope(&actor(Role::CaseWorker)),
            ChildScope::OwnedBy("o".into())
        );
        for role in [
            Role::Partner,
            Role::Hotline,
            Role::Admin,
            Role::Analyst,
            Role::Auditor,
        ] {
            assert_eq!(child_scope(&actor(role)), ChildScope::None, "{role:?}");
        }
    }
}

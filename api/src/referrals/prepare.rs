//! What sending a referral checks and gathers before its transaction: the receiving
//! organization (by a directory service, or by code and service type), the plan or protocol
//! action it carries out, the consent that covers the field groups (or a coordinator's override), and the snapshot.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use madar_openapi::consents::FieldGroup;
use madar_openapi::organizations::OrganizationType;
use madar_openapi::pathway::ServiceType;
use madar_openapi::referrals::CreateReferral;

use super::domain::{self, Ground};
use super::snapshot;
use super::store::{self, Organization};
use super::writes::{self, NewReferral};
use crate::auth::Actor;
use crate::cases::rows::Case;
use crate::children::consent::covers;
use crate::children::consent_store::ConsentRow;
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{child_consents, services};

fn unknown_organization() -> ApiError {
    ApiError::validation(
        "organization",
        "unknown_organization",
        "names no active organization",
    )
}

/// The receiving organization and the service type, from a directory service or from the
/// organization's code and a type (422 `target_required`, `unknown_service`,
/// `unknown_organization`, `same_organization`).
fn target(
    conn: &mut DbConn,
    new: &CreateReferral,
    owner: &str,
) -> Result<(Organization, ServiceType), ApiError> {
    let (org, service_type) = match (new.service_id, &new.organization, new.service_type) {
        (Some(id), None, None) => {
            let service: Option<(String, String, bool)> = services::table
                .find(id.to_string())
                .select((
                    services::provider_org,
                    services::service_type,
                    services::active,
                ))
                .first(conn)
                .optional()?;
            let (provider, service_type, _) = service.filter(|s| s.2).ok_or_else(|| {
                ApiError::validation("service_id", "unknown_service", "names no active service")
            })?;
            let org = store::organization_by_id(conn, &provider)?;
            (org, from_code(&service_type)?)
        }
        (None, Some(code), Some(service_type)) => (store::organization(conn, code)?, service_type),
        _ => {
            return Err(ApiError::validation(
                "service_id",
                "target_required",
                "give a service_id, or an organization and a service_type",
            ))
        }
    };
    let org = org.filter(|o| o.3).ok_or_else(unknown_organization)?;
    if org.0 == owner {
        return Err(ApiError::validation(
            "organization",
            "same_organization",
            "is the case's own organization",
        ));
    }
    Ok((org, service_type))
}

/// The consent rows that may cover: the one named (422 `unknown_consent` unless it is the
/// child's), or all the child's.
fn consents(
    conn: &mut DbConn,
    child_id: &str,
    named: Option<uuid::Uuid>,
) -> Result<Vec<ConsentRow>, ApiError> {
    let mut query = child_consents::table
        .filter(child_consents::child_id.eq(child_id.to_string()))
        .order(child_consents::id)
        .into_boxed();
    if let Some(id) = named {
        query = query.filter(child_consents::id.eq(id.to_string()));
    }
    let rows = query.select(ConsentRow::as_select()).load(conn)?;
    if named.is_some() && rows.is_empty() {
        return Err(ApiError::validation(
            "consent_id",
            "unknown_consent",
            "is not a consent of the case's child",
        ));
    }
    Ok(rows)
}

/// Checks a referral to send from `case` and gathers what its transaction writes.
pub fn prepare(
    conn: &mut DbConn,
    keys: &Keyring,
    actor: &Actor,
    case: &Case,
    new: CreateReferral,
    now: DateTime<Utc>,
) -> Result<NewReferral, ApiError> {
    let respond_by = domain::respond_by(new.urgency, now, new.due_by)?;
    let ((org_id, org_code, org_type, _), service_type) = target(conn, &new, &case.row.owner_org)?;
    let org_type: OrganizationType = from_code(&org_type)?;
    let plan_action_id = new.plan_action_id.map(|a| a.to_string());
    if let Some(action) = &plan_action_id {
        if !writes::is_plan_action(conn, &case.row.id, action)? {
            return Err(ApiError::validation(
                "plan_action_id",
                "unknown_plan_action",
                "is not an action of the case's plan",
            ));
        }
    }
    let protocol_action_id = new.protocol_action_id.map(|a| a.to_string());
    if let Some(action) = &protocol_action_id {
        let service_type = to_code(&service_type);
        if !crate::protocols::store::is_referral_action(conn, &case.row.id, action, &service_type)?
        {
            return Err(ApiError::validation(
                "protocol_action_id",
                "unknown_protocol_action",
                "is not a service referral action of the case for this service type",
            ));
        }
    }
    let mut groups: Vec<FieldGroup> = new.field_groups.clone();
    groups.sort();
    groups.dedup();
    let rows = consents(conn, &case.row.child_id, new.consent_id)?;
    let all = rows
        .iter()
        .map(|r| r.consent())
        .collect::<Result<Vec<_>, _>>()?;
    let covered_by = |set: &[_]| {
        groups
            .iter()
            .all(|g| covers(set, &org_code, org_type, *g, now))
    };
    let covered = covered_by(&all);
    let ground = domain::ground(covered, actor.role, new.override_reason.is_some())?;
    let consent_id = match ground {
        Ground::Override => None,
        Ground::Consent => rows
            .iter()
            .zip(&all)
            .find(|(_, c)| covered_by(std::slice::from_ref(*c)))
            .map(|(r, _)| r.id.clone()),
    };
    let snapshot = snapshot::take(conn, keys, case, &groups, now)?;
    Ok(NewReferral {
        case_id: case.row.id.clone(),
        child_id: case.row.child_id.clone(),
        from_org: case.row.owner_org.clone(),
        to_org: org_id,
        service_id: new.service_id.map(|s| s.to_string()),
        service_type: to_code(&service_type),
        domain: to_code(&service_type.domain()),
        urgency: to_code(&new.urgency),
        reason: new.reason,
        due_by: new.due_by.naive_utc(),
        respond_by: respond_by.naive_utc(),
        consent_id,
        field_groups: groups,
        snapshot,
        plan_action_id,
        protocol_action_id,
        override_reason: match ground {
            Ground::Override => new.override_reason,
            Ground::Consent => None,
        },
        sent_by: actor.id.clone(),
    })
}

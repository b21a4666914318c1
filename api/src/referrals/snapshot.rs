//! The snapshot a referral carries: only the field groups it names, taken from the case and
//! its child when it is sent, then sealed with the referral and never updated. Sources:
//! - `identity`: the child's names, sex and (estimated) birth date;
//! - `contact`: the child's territory and its guardians (`child_guardians`);
//! - `health`: the case plan's objectives and the services delivered on the case in the
//!   `health_care` and `psychological_care` domains;
//! - `narrative`: the accounts (narratives) of the reports attached to the case;
//! - `situation`: the child's situation codes and family situation, the case's concerns and
//!   risk level;
//! - `education`: the child's schooling and the plan's `education_training` objectives.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use madar_openapi::consents::FieldGroup;
use madar_openapi::pathway::PathwayDomain;
use madar_openapi::referrals::{
    ReferralSnapshot, SnapshotContact, SnapshotEducation, SnapshotGuardian, SnapshotHealth,
    SnapshotIdentity, SnapshotObjective, SnapshotService, SnapshotSituation,
};

use crate::cases::rows::open;
use crate::cases::rows::Case;
use crate::cases::{domain as case_domain, plan_store};
use crate::children::domain::situation_of;
use crate::children::family_store;
use crate::children::rows::ChildRow;
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{case_reports, case_services, children, reports};

const HEALTH: [PathwayDomain; 2] = [PathwayDomain::HealthCare, PathwayDomain::PsychologicalCare];

/// The plan's objectives in `domains` (none when the case has no plan yet).
fn objectives(
    conn: &mut DbConn,
    keys: &Keyring,
    case_id: &str,
    domains: &[PathwayDomain],
) -> Result<Vec<SnapshotObjective>, ApiError> {
    let plan = match plan_store::find(conn, keys, case_id) {
        Ok(plan) => plan,
        Err(ApiError::NotFound) => return Ok(vec![]),
        Err(e) => return Err(e),
    };
    Ok(plan
        .objectives
        .into_iter()
        .filter(|o| domains.contains(&o.domain))
        .map(|o| SnapshotObjective {
            domain: o.domain,
            description: o.description,
        })
        .collect())
}

fn health(conn: &mut DbConn, keys: &Keyring, case_id: &str) -> Result<SnapshotHealth, ApiError> {
    let domains: Vec<String> = HEALTH.iter().map(to_code).collect();
    let services = case_services::table
        .filter(case_services::case_id.eq(case_id))
        .filter(case_services::domain.eq_any(domains))
        .order(case_services::delivered_at)
        .select((case_services::service_type, case_services::delivered_at))
        .load::<(String, chrono::NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(service_type, at)| SnapshotService {
            service_type,
            delivered_at: at.and_utc(),
        })
        .collect();
    Ok(SnapshotHealth {
        objectives: objectives(conn, keys, case_id, &HEALTH)?,
        services,
    })
}

fn narrative(conn: &mut DbConn, keys: &Keyring, case_id: &str) -> Result<Vec<String>, ApiError> {
    let attached = case_reports::table
        .filter(case_reports::case_id.eq(case_id.to_string()))
        .select(case_reports::report_id);
    let rows: Vec<(String, Option<String>)> = reports::table
        .filter(reports::id.eq_any(attached))
        .order(reports::id)
        .select((reports::id, reports::narrative_sealed))
        .load(conn)?;
    let mut accounts = vec![];
    for (id, sealed) in rows {
        if let Some(text) = open(keys, ("reports", "narrative", &id), sealed.as_deref())? {
            accounts.push(text);
        }
    }
    Ok(accounts)
}

fn contact(
    conn: &mut DbConn,
    keys: &Keyring,
    child: &ChildRow,
) -> Result<SnapshotContact, ApiError> {
    let guardians = family_store::guardians(conn, &child.id)?
        .iter()
        .map(|g| {
            let g = g.record(keys)?;
            Ok(SnapshotGuardian {
                relationship: g.relationship,
                name: g.name,
                phone: g.phone,
                address: g.address,
                lives_with_child: g.lives_with_child,
                primary: g.primary,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(SnapshotContact {
        territory: child.territory_code.clone(),
        guardians,
    })
}

/// Takes the snapshot of `groups` for a referral from `case`, at `now`.
pub fn take(
    conn: &mut DbConn,
    keys: &Keyring,
    case: &Case,
    groups: &[FieldGroup],
    now: DateTime<Utc>,
) -> Result<ReferralSnapshot, ApiError> {
    let child: ChildRow = children::table
        .find(&case.row.child_id)
        .select(ChildRow::as_select())
        .first(conn)?;
    let case_id = case.row.id.as_str();
    let text = |column: &str, stored: &Option<String>| {
        open(keys, ("children", column, &child.id), stored.as_deref())
    };
    let wants = |g: FieldGroup| groups.contains(&g);
    let mut snapshot = ReferralSnapshot {
        taken_at: now,
        identity: None,
        contact: None,
        health: None,
        narrative: None,
        situation: None,
        education: None,
    };
    if wants(FieldGroup::Identity) {
        let (birth_date, estimated) =
            case_domain::birth_date(child.date_of_birth, child.estimated_birth_year);
        snapshot.identity = Some(SnapshotIdentity {
            given_name_ar: child.given_name_ar.clone(),
            family_name_ar: child.family_name_ar.clone(),
            given_name_latin: child.given_name_latin.clone(),
            family_name_latin: child.family_name_latin.clone(),
            sex: from_code(&child.sex)?,
            birth_date,
            birth_date_estimated: estimated,
        });
    }
    if wants(FieldGroup::Contact) {
        snapshot.contact = Some(contact(conn, keys, &child)?);
    }
    if wants(FieldGroup::Health) {
        snapshot.health = Some(health(conn, keys, case_id)?);
    }
    if wants(FieldGroup::Narrative) {
        snapshot.narrative = Some(narrative(conn, keys, case_id)?);
    }
    if wants(FieldGroup::Situation) {
        snapshot.situation = Some(SnapshotSituation {
            situation: situation_of(&child.situation)?,
            family_situation: text("family_situation", &child.family_situation_sealed)?,
            concerns: case.concerns.clone(),
            risk_level: case.row.risk_level.as_deref().map(from_code).transpose()?,
        });
    }
    if wants(FieldGroup::Education) {
        let domains = [PathwayDomain::EducationTraining];
        snapshot.education = Some(SnapshotEducation {
            schooling: text("schooling", &child.schooling_sealed)?,
            objectives: objectives(conn, keys, case_id, &domains)?,
        });
    }
    Ok(snapshot)
}

//! Queries on risk assessments. The case's scope is checked by the handlers before these run;
//! the override justification is sealed on the way in and opened only for those who see the
//! case's sensitive fields.
use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::cases::{AssessmentResponse, AssessmentStatus, RiskLevel};

use crate::cases::rows::{open, seal, uuid};
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{case_assessments, cases};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_assessments)]
pub struct AssessmentRow {
    pub id: String,
    pub case_id: String,
    pub instrument_code: String,
    pub instrument_version: i32,
    pub answers: String,
    pub score: i32,
    pub computed_level: String,
    pub risk_level: String,
    pub override_justification_sealed: Option<String>,
    pub status: String,
    pub assessed_by_id: String,
    pub assessed_at: NaiveDateTime,
}

/// An assessment checked and scored (`instrument::score`, `instrument::retained`).
#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub instrument: String,
    pub version: i32,
    pub answers: BTreeMap<String, String>,
    pub score: i32,
    pub computed_level: RiskLevel,
    pub risk_level: RiskLevel,
    pub justification: Option<String>,
    pub status: AssessmentStatus,
}

fn internal(e: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Internal(e.into())
}

/// Writes an assessment (the insert is the effect's first statement); returns its id.
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    case_id: &str,
    a: &NewAssessment,
    by: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let justification = seal(
        keys,
        ("case_assessments", "override_justification", &id),
        a.justification.as_deref(),
    )?;
    diesel::insert_into(case_assessments::table)
        .values((
            case_assessments::id.eq(&id),
            case_assessments::case_id.eq(case_id),
            case_assessments::instrument_code.eq(&a.instrument),
            case_assessments::instrument_version.eq(a.version),
            case_assessments::answers.eq(serde_json::to_string(&a.answers).map_err(internal)?),
            case_assessments::score.eq(a.score),
            case_assessments::computed_level.eq(to_code(&a.computed_level)),
            case_assessments::risk_level.eq(to_code(&a.risk_level)),
            case_assessments::override_justification_sealed.eq(justification),
            case_assessments::status.eq(to_code(&a.status)),
            case_assessments::assessed_by_id.eq(by),
            case_assessments::assessed_at.eq(now),
            case_assessments::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Sets the case's risk level to an assessment's (once it is completed).
pub fn set_case_risk(conn: &mut DbConn, case_id: &str, level: &str) -> Result<(), ApiError> {
    diesel::update(cases::table.filter(cases::id.eq(case_id)))
        .set(cases::risk_level.eq(Some(level)))
        .execute(conn)?;
    Ok(())
}

/// One assessment of a case.
pub fn find(conn: &mut DbConn, case_id: &str, id: &str) -> Result<AssessmentRow, ApiError> {
    case_assessments::table
        .filter(case_assessments::id.eq(id))
        .filter(case_assessments::case_id.eq(case_id))
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// A page of a case's assessments, newest first (ids are time-ordered), after `before`.
pub fn list(
    conn: &mut DbConn,
    case_id: &str,
    before: Option<String>,
    limit: i64,
) -> Result<Vec<AssessmentRow>, ApiError> {
    let mut query = case_assessments::table
        .filter(case_assessments::case_id.eq(case_id))
        .order(case_assessments::id.desc())
        .limit(limit)
        .select(AssessmentRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(case_assessments::id.lt(before));
    }
    Ok(query.load(conn)?)
}

impl AssessmentRow {
    /// The assessment as shown; the justification only when `sensitive`.
    pub fn response(
        &self,
        keys: &Keyring,
        sensitive: bool,
    ) -> Result<AssessmentResponse, ApiError> {
        let justification = if sensitive {
            open(
                keys,
                ("case_assessments", "override_justification", &self.id),
                self.override_justification_sealed.as_deref(),
            )?
        } else {
            None
        };
        let computed_level: RiskLevel = from_code(&self.computed_level)?;
        let risk_level: RiskLevel = from_code(&self.risk_level)?;
        Ok(AssessmentResponse {
            id: uuid(&self.id)?,
            case_id: uuid(&self.case_id)?,
            instrument: self.instrument_code.clone(),
            version: self.instrument_version,
            answers: serde_json::from_str(&self.answers).map_err(internal)?,
            score: self.score,
            computed_level,
            risk_level,
            overridden: computed_level != risk_level,
            override_justification: justification,
            status: from_code(&self.status)?,
            assessed_by: uuid(&self.assessed_by_id)?,
            assessed_at: self.assessed_at.and_utc(),
        })
    }
}

//! A stored case and what it becomes: the response, with the child as a case shows it. The
//! outcome note is sealed (AES-256-GCM bound to the row) and opened only for those who see
//! the case's sensitive fields.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use madar_openapi::cases::{CaseChild, CaseResponse};
use madar_openapi::reports::ConcernType;

use super::domain;
use crate::codes::from_code;
use crate::crypto::{Keyring, Place};
use crate::error::ApiError;
use crate::schema::{cases, children};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: String,
    pub reference: String,
    pub child_id: String,
    pub territory_code: String,
    pub owner_org: String,
    pub stage: String,
    pub urgency: String,
    pub priority: i32,
    pub risk_level: Option<String>,
    pub closure_reason: Option<String>,
    pub outcome_note_sealed: Option<String>,
    pub opened_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

/// What a case shows of its child.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = children)]
pub struct ChildSummaryRow {
    pub id: String,
    pub given_name_ar: Option<String>,
    pub family_name_ar: Option<String>,
    pub given_name_latin: Option<String>,
    pub family_name_latin: Option<String>,
    pub sex: String,
    pub date_of_birth: Option<NaiveDate>,
    pub estimated_birth_year: Option<i32>,
}

/// A case with its child, its owner's code, its territory's path, and its lists.
#[derive(Debug, Clone)]
pub struct Case {
    pub row: CaseRow,
    pub child: ChildSummaryRow,
    pub organization: String,
    pub territory_path: String,
    pub concerns: Vec<ConcernType>,
    /// User ids.
    pub assigned: Vec<String>,
    /// Report ids.
    pub reports: Vec<String>,
}

/// Where a sealed column of a case-pathway table lives, for `Keyring::seal`/`open`.
pub fn place<'a>(table: &'a str, column: &'a str, row_id: &'a str) -> Place<'a> {
    Place {
        table,
        column,
        row_id,
    }
}

/// Seals optional text into `table.column` of row `id`.
pub fn seal(
    keys: &Keyring,
    (table, column, id): (&str, &str, &str),
    text: Option<&str>,
) -> Result<Option<String>, ApiError> {
    text.map(|t| keys.seal(place(table, column, id), t))
        .transpose()
}

/// Opens optional sealed text of `table.column` of row `id`.
pub fn open(
    keys: &Keyring,
    (table, column, id): (&str, &str, &str),
    stored: Option<&str>,
) -> Result<Option<String>, ApiError> {
    stored
        .map(|s| keys.open(place(table, column, id), s))
        .transpose()
}

/// A stored id as a UUID.
pub fn uuid(id: &str) -> Result<uuid::Uuid, ApiError> {
    id.parse()
        .map_err(|e: uuid::Error| ApiError::Internal(e.into()))
}

impl ChildSummaryRow {
    pub fn response(&self, today: NaiveDate) -> Result<CaseChild, ApiError> {
        let (birth_date, estimated) =
            domain::birth_date(self.date_of_birth, self.estimated_birth_year);
        Ok(CaseChild {
            id: uuid(&self.id)?,
            given_name_ar: self.given_name_ar.clone(),
            family_name_ar: self.family_name_ar.clone(),
            given_name_latin: self.given_name_latin.clone(),
            family_name_latin: self.family_name_latin.clone(),
            sex: from_code(&self.sex)?,
            birth_date,
            birth_date_estimated: estimated,
            age: birth_date.map(|b| domain::age_on(b, today)),
            adult_on: birth_date.and_then(domain::adult_on),
        })
    }
}

impl Case {
    /// The case as `sensitive` decides (`policy::sees_sensitive`): without it, the outcome
    /// note stays closed.
    pub fn response(
        &self,
        keys: &Keyring,
        today: NaiveDate,
        sensitive: bool,
    ) -> Result<CaseResponse, ApiError> {
        let r = &self.row;
        let outcome_note = if sensitive {
            open(
                keys,
                ("cases", "outcome_note", &r.id),
                r.outcome_note_sealed.as_deref(),
            )?
        } else {
            None
        };
        Ok(CaseResponse {
            id: uuid(&r.id)?,
            reference: r.reference.clone(),
            child: self.child.response(today)?,
            territory: r.territory_code.clone(),
            organization: self.organization.clone(),
            stage: from_code(&r.stage)?,
            urgency: from_code(&r.urgency)?,
            risk_level: r.risk_level.as_deref().map(from_code).transpose()?,
            concerns: self.concerns.clone(),
            assigned_to: self
                .assigned
                .iter()
                .map(|u| uuid(u))
                .collect::<Result<_, _>>()?,
            reports: self
                .reports
                .iter()
                .map(|u| uuid(u))
                .collect::<Result<_, _>>()?,
            closure_reason: r.closure_reason.as_deref().map(from_code).transpose()?,
            outcome_note,
            opened_at: r.opened_at.and_utc(),
            closed_at: r.closed_at.map(|t| t.and_utc()),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

//! A stored child row and what it becomes: the record (its sealed text opened), the response,
//! the identity the matching engine compares.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::children::{ChildResponse, CreateChild};

use super::domain;
use super::matching::{Identity, Territory};
use crate::codes::from_code;
use crate::crypto::{Keyring, Place};
use crate::error::ApiError;
use crate::schema::children;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = children)]
pub struct ChildRow {
    pub id: String,
    pub given_name_ar: Option<String>,
    pub family_name_ar: Option<String>,
    pub given_name_latin: Option<String>,
    pub family_name_latin: Option<String>,
    pub aliases: String,
    pub sex: String,
    pub date_of_birth: Option<chrono::NaiveDate>,
    pub estimated_birth_year: Option<i32>,
    pub nationality: Option<String>,
    pub civil_status: String,
    pub territory_code: String,
    pub situation: String,
    pub family_situation_sealed: Option<String>,
    pub schooling_sealed: Option<String>,
    pub owner_org: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A child row with its owner's code and its territory's path.
#[derive(Debug, Clone)]
pub struct Child {
    pub row: ChildRow,
    pub organization: String,
    pub territory_path: String,
}

fn place<'a>(column: &'a str, row_id: &'a str) -> Place<'a> {
    Place {
        table: "children",
        column,
        row_id,
    }
}

pub fn seal(
    keys: &Keyring,
    column: &str,
    id: &str,
    text: &Option<String>,
) -> Result<Option<String>, ApiError> {
    text.as_deref()
        .map(|t| keys.seal(place(column, id), t))
        .transpose()
}

fn open(
    keys: &Keyring,
    column: &str,
    id: &str,
    stored: &Option<String>,
) -> Result<Option<String>, ApiError> {
    stored
        .as_deref()
        .map(|s| keys.open(place(column, id), s))
        .transpose()
}

pub fn json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.into()))
}

impl Child {
    /// The record as written, its sealed text opened (to apply changes to).
    pub fn record(&self, keys: &Keyring) -> Result<CreateChild, ApiError> {
        let r = &self.row;
        Ok(CreateChild {
            given_name_ar: r.given_name_ar.clone(),
            family_name_ar: r.family_name_ar.clone(),
            given_name_latin: r.given_name_latin.clone(),
            family_name_latin: r.family_name_latin.clone(),
            aliases: serde_json::from_str(&r.aliases).map_err(|e| ApiError::Internal(e.into()))?,
            sex: from_code(&r.sex)?,
            date_of_birth: r.date_of_birth,
            estimated_birth_year: r.estimated_birth_year,
            nationality: r.nationality.clone(),
            civil_status: domain::civil_status_of(&r.civil_status)?,
            territory: r.territory_code.clone(),
            situation: domain::situation_of(&r.situation)?,
            family_situation: open(keys, "family_situation", &r.id, &r.family_situation_sealed)?,
            schooling: open(keys, "schooling", &r.id, &r.schooling_sealed)?,
        })
    }

    pub fn response(&self, keys: &Keyring) -> Result<ChildResponse, ApiError> {
        let c = self.record(keys)?;
        let r = &self.row;
        Ok(ChildResponse {
            id: r
                .id
                .parse()
                .map_err(|e: uuid::Error| ApiError::Internal(e.into()))?,
            given_name_ar: c.given_name_ar,
            family_name_ar: c.family_name_ar,
            given_name_latin: c.given_name_latin,
            family_name_latin: c.family_name_latin,
            aliases: c.aliases,
            sex: c.sex,
            date_of_birth: c.date_of_birth,
            estimated_birth_year: c.estimated_birth_year,
            nationality: c.nationality,
            civil_status: c.civil_status,
            territory: c.territory,
            situation: c.situation,
            family_situation: c.family_situation,
            schooling: c.schooling,
            organization: self.organization.clone(),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }

    /// The identity the matching engine compares, with the territory's ancestors.
    pub fn identity(&self) -> Result<Identity, ApiError> {
        let r = &self.row;
        let aliases: Vec<String> =
            serde_json::from_str(&r.aliases).map_err(|e| ApiError::Internal(e.into()))?;
        domain::identity_of(
            [&r.given_name_ar, &r.given_name_latin],
            [&r.family_name_ar, &r.family_name_latin],
            &aliases,
            from_code(&r.sex)?,
            domain::birth_of(r.date_of_birth, r.estimated_birth_year),
            Territory::with_path(&r.territory_code, &self.territory_path).ok(),
        )
    }
}

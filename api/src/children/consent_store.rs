//! Queries on consents. The child's scope is checked by the handlers (`store::find`) before
//! any of these run; the purpose and the withdrawal reason are sealed on the way in.
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use madar_openapi::consents::{ConsentResponse, CreateConsent, FieldGroup};

use super::consent::{recipient_type, Consent};
use super::rows::json;
use crate::auth::Actor;
use crate::codes::{from_code, to_code};
use crate::crypto::{Keyring, Place};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{child_consents, organizations};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = child_consents)]
pub struct ConsentRow {
    pub id: String,
    pub child_id: String,
    pub given_by: String,
    pub relationship: String,
    pub given_at: NaiveDateTime,
    pub recipients: String,
    pub field_groups: String,
    pub purpose_sealed: String,
    pub expires_at: Option<NaiveDateTime>,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawn_by_id: Option<String>,
    pub withdrawal_reason_sealed: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn place<'a>(column: &'a str, row_id: &'a str) -> Place<'a> {
    Place {
        table: "child_consents",
        column,
        row_id,
    }
}

fn internal(e: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Internal(e.into())
}

impl ConsentRow {
    fn recipients(&self) -> Result<Vec<String>, ApiError> {
        serde_json::from_str(&self.recipients).map_err(internal)
    }

    fn field_groups(&self) -> Result<Vec<FieldGroup>, ApiError> {
        serde_json::from_str(&self.field_groups).map_err(internal)
    }

    /// What `consent::covers` needs.
    pub fn consent(&self) -> Result<Consent, ApiError> {
        Ok(Consent {
            recipients: self.recipients()?,
            field_groups: self.field_groups()?,
            given_at: self.given_at.and_utc(),
            expires_at: self.expires_at.map(|t| t.and_utc()),
            withdrawn_at: self.withdrawn_at.map(|t| t.and_utc()),
        })
    }

    /// The consent as shown, its status taken at `now`.
    pub fn response(
        &self,
        keys: &Keyring,
        now: DateTime<Utc>,
    ) -> Result<ConsentResponse, ApiError> {
        let reason = self
            .withdrawal_reason_sealed
            .as_deref()
            .map(|s| keys.open(place("withdrawal_reason", &self.id), s))
            .transpose()?;
        let c = self.consent()?;
        Ok(ConsentResponse {
            id: self.id.parse().map_err(internal)?,
            child_id: self.child_id.parse().map_err(internal)?,
            given_by: self.given_by.clone(),
            relationship: from_code(&self.relationship)?,
            given_at: c.given_at,
            status: c.status(now),
            recipients: c.recipients,
            field_groups: c.field_groups,
            purpose: keys.open(place("purpose", &self.id), &self.purpose_sealed)?,
            expires_at: c.expires_at,
            withdrawn_at: c.withdrawn_at,
            withdrawn_by: self.withdrawn_by_id.clone(),
            withdrawal_reason: reason,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}

/// Checks that every recipient is an organization type of the vocabulary or an existing
/// organization's code (422 `unknown_organization` on `recipients`).
pub fn check_recipients(conn: &mut DbConn, recipients: &[String]) -> Result<(), ApiError> {
    let codes: Vec<&String> = recipients
        .iter()
        .filter(|r| recipient_type(r).is_none())
        .collect();
    let found: Vec<String> = organizations::table
        .filter(organizations::code.eq_any(&codes))
        .select(organizations::code)
        .load(conn)?;
    if codes.iter().all(|c| found.contains(c)) {
        Ok(())
    } else {
        Err(ApiError::validation(
            "recipients",
            "unknown_organization",
            "names no organization or organization type",
        ))
    }
}

/// Writes a checked consent (`consent::checked`) for a child; returns its id. The insert is
/// the effect's first statement.
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    child_id: &str,
    c: &CreateConsent,
    by: &Actor,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(child_consents::table)
        .values((
            child_consents::id.eq(&id),
            child_consents::child_id.eq(child_id),
            child_consents::given_by.eq(&c.given_by),
            child_consents::relationship.eq(to_code(&c.relationship)),
            child_consents::given_at.eq(c.given_at.naive_utc()),
            child_consents::recipients.eq(json(&c.recipients)?),
            child_consents::field_groups.eq(json(&c.field_groups)?),
            child_consents::purpose_sealed.eq(keys.seal(place("purpose", &id), &c.purpose)?),
            child_consents::expires_at.eq(c.expires_at.map(|t| t.naive_utc())),
            child_consents::created_by_id.eq(&by.id),
            child_consents::created_at.eq(now),
            child_consents::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Withdraws a consent of a child still active (compare-and-set, the effect's first
/// statement); 409 `consent_already_withdrawn` when it was withdrawn first, 404 when the child
/// has no such consent.
pub fn withdraw(
    conn: &mut DbConn,
    keys: &Keyring,
    child_id: &str,
    id: &str,
    reason: &Option<String>,
    by: &Actor,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let sealed = reason
        .as_deref()
        .map(|r| keys.seal(place("withdrawal_reason", id), r))
        .transpose()?;
    let updated = diesel::update(
        child_consents::table.filter(
            child_consents::id
                .eq(id)
                .and(child_consents::child_id.eq(child_id))
                .and(child_consents::withdrawn_at.is_null()),
        ),
    )
    .set((
        child_consents::withdrawn_at.eq(now),
        child_consents::withdrawn_by_id.eq(&by.id),
        child_consents::withdrawal_reason_sealed.eq(sealed),
        child_consents::version.eq(child_consents::version + 1),
        child_consents::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        find(conn, child_id, id)?;
        return Err(ApiError::conflict(
            "consent_already_withdrawn",
            "This consent was already withdrawn.",
        ));
    }
    Ok(())
}

/// One consent of a child (whose scope the caller checked).
pub fn find(conn: &mut DbConn, child_id: &str, id: &str) -> Result<ConsentRow, ApiError> {
    child_consents::table
        .filter(
            child_consents::id
                .eq(id)
                .and(child_consents::child_id.eq(child_id)),
        )
        .select(ConsentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// A page of a child's consents, newest first (ids are time-ordered UUIDv7).
pub fn list(
    conn: &mut DbConn,
    child_id: &str,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<ConsentRow>, ApiError> {
    let mut query = child_consents::table
        .filter(child_consents::child_id.eq(child_id.to_string()))
        .order(child_consents::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(child_consents::id.lt(after));
    }
    Ok(query.select(ConsentRow::as_select()).load(conn)?)
}

/// The consents of a child as `consent::covers` takes them.
pub fn of_child(conn: &mut DbConn, child_id: &str) -> Result<Vec<Consent>, ApiError> {
    child_consents::table
        .filter(child_consents::child_id.eq(child_id))
        .select(ConsentRow::as_select())
        .load(conn)?
        .iter()
        .map(ConsentRow::consent)
        .collect()
}

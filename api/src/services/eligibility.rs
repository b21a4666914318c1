//! What an eligibility search (`?eligible_for_child=`) knows of a child within the caller's
//! scope: age, sex, territory, and the concerns of their situation and open cases.
use chrono::NaiveDate;
use diesel::prelude::*;
use madar_openapi::reports::ConcernType;

use super::domain::ChildFacts;
use crate::auth::policy::ChildScope;
use crate::children::domain::situation_of;
use crate::children::store as children;
use crate::codes::from_code;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{case_concerns, cases};

/// The facts of a child in `scope` (404 otherwise).
pub fn facts(
    conn: &mut DbConn,
    scope: &ChildScope,
    id: &str,
    today: NaiveDate,
) -> Result<ChildFacts, ApiError> {
    let child = children::find(conn, scope, id)?;
    let open = cases::table
        .filter(cases::child_id.eq(id).and(cases::closed_at.is_null()))
        .select(cases::id);
    let codes: Vec<String> = case_concerns::table
        .filter(case_concerns::case_id.eq_any(open))
        .select(case_concerns::concern_code)
        .load(conn)?;
    let mut concerns = situation_of(&child.row.situation)?;
    for code in codes {
        concerns.push(from_code::<ConcernType>(&code)?);
    }
    Ok(ChildFacts::new(
        child.row.date_of_birth,
        child.row.estimated_birth_year,
        today,
        from_code(&child.row.sex)?,
        concerns,
        &child.territory_path,
    ))
}

//! Triggers: when a report is received or a case opened, the rules in force for its territory
//! (the national protocol merged with the nearest variant on the territory's ancestor path)
//! that fire create protocol actions, in the caller's transaction, each due at the trigger
//! time plus its deadline. Versions published later leave these actions as they are.
use chrono::{Datelike, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use madar_openapi::cases::RiskLevel;
use madar_openapi::protocols::ProtocolRule;

use super::domain::{self, Facts, NATIONAL};
use super::store::{self, NewAction};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{case_concerns, cases, children, report_concerns, reports};

/// The rules in force for a territory, each with the id of the protocol it comes from.
pub fn effective(
    conn: &mut DbConn,
    territory: &str,
) -> Result<Vec<(String, ProtocolRule)>, ApiError> {
    let Some(path) = store::territory_path(conn, territory)? else {
        return Ok(vec![]);
    };
    let in_force = store::in_force_on(conn, &path)?;
    let depth = |code: &str| path.find(&format!("{code}/")).unwrap_or(0);
    let national = in_force.iter().find(|p| p.territory_code == NATIONAL);
    let variant = in_force
        .iter()
        .filter(|p| p.territory_code != NATIONAL)
        .max_by_key(|p| depth(&p.territory_code));
    let national_rules = national.map(|p| p.rules()).transpose()?.unwrap_or_default();
    let variant_rules = variant.map(|p| p.rules()).transpose()?;
    let merged = domain::merge(&national_rules, variant_rules.as_deref());
    let source = |key: &str| -> Option<String> {
        let from_variant = variant_rules
            .as_ref()
            .is_some_and(|rules| rules.iter().any(|r| r.key == key && !r.disabled));
        match (from_variant, variant, national) {
            (true, Some(v), _) => Some(v.id.clone()),
            (_, _, Some(n)) => Some(n.id.clone()),
            _ => None,
        }
    };
    Ok(merged
        .into_iter()
        .filter_map(|r| source(&r.key).map(|id| (id, r)))
        .collect())
}

/// Where the actions created go.
struct Subject<'a> {
    territory: &'a str,
    report_id: Option<&'a str>,
    case_id: Option<&'a str>,
}

fn create(
    conn: &mut DbConn,
    rules: &[(String, ProtocolRule)],
    facts: &Facts,
    at: &Subject,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let mut created = 0;
    for (protocol_id, rule) in rules.iter().filter(|(_, r)| domain::fires(r, facts)) {
        for a in &rule.actions {
            let action = NewAction {
                protocol_id,
                rule_key: &rule.key,
                event: facts.event,
                action: &a.action,
                service_type: a.service_type.as_deref(),
                responsible: &a.responsible,
                territory: at.territory,
                report_id: at.report_id,
                case_id: at.case_id,
                due_at: now + TimeDelta::hours(a.deadline_hours),
            };
            store::insert_action(conn, &action, now)?;
            created += 1;
        }
    }
    Ok(created)
}

/// A report was received: the `report_received` rules fire on its territory, concerns and
/// immediate danger. Returns how many actions were created.
pub fn report_received(
    conn: &mut DbConn,
    report_id: &str,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let (territory, immediate_danger): (String, bool) = reports::table
        .find(report_id)
        .select((reports::territory_code, reports::immediate_danger))
        .first(conn)?;
    let concerns: Vec<String> = report_concerns::table
        .filter(report_concerns::report_id.eq(report_id))
        .select(report_concerns::concern_code)
        .load(conn)?;
    let rules = effective(conn, &territory)?;
    let facts = Facts {
        event: "report_received",
        concerns,
        risk_level: immediate_danger.then_some(RiskLevel::ImmediateDanger),
        stage: None,
        age: None,
        immediate_danger,
    };
    let at = Subject {
        territory: &territory,
        report_id: Some(report_id),
        case_id: None,
    };
    create(conn, &rules, &facts, &at, now)
}

/// The child's age in whole years at `now`, from the date of birth or the estimated year.
fn age(dob: Option<chrono::NaiveDate>, year: Option<i32>, now: NaiveDateTime) -> Option<i32> {
    let today = now.date();
    match (dob, year) {
        (Some(d), _) => today.years_since(d).and_then(|y| i32::try_from(y).ok()),
        (None, Some(y)) => Some(today.year() - y),
        _ => None,
    }
}

/// A case was opened (`opened`) or a report attached to an open one (nothing fires then):
/// the `case_opened`, `concern_present`, `risk_level_reached` and `stage_reached` rules fire
/// on the case's territory, concerns, urgency or risk level, stage and the child's age.
pub fn case_opened(
    conn: &mut DbConn,
    case_id: &str,
    opened: bool,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    if !opened {
        return Ok(0);
    }
    let (territory, urgency, risk, stage, dob, year): (
        String,
        String,
        Option<String>,
        String,
        Option<chrono::NaiveDate>,
        Option<i32>,
    ) = cases::table
        .inner_join(children::table)
        .filter(cases::id.eq(case_id))
        .select((
            cases::territory_code,
            cases::urgency,
            cases::risk_level,
            cases::stage,
            children::date_of_birth,
            children::estimated_birth_year,
        ))
        .first(conn)?;
    let concerns: Vec<String> = case_concerns::table
        .filter(case_concerns::case_id.eq(case_id))
        .select(case_concerns::concern_code)
        .load(conn)?;
    let level = |code: &str| serde_json::from_value::<RiskLevel>(code.into()).ok();
    let risk_level = [Some(urgency.as_str()), risk.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(level)
        .max_by_key(|l| domain::risk_rank(*l));
    let rules = effective(conn, &territory)?;
    let base = Facts {
        event: "case_opened",
        concerns,
        risk_level,
        stage: Some(stage),
        age: age(dob, year, now),
        immediate_danger: risk_level == Some(RiskLevel::ImmediateDanger),
    };
    let at = Subject {
        territory: &territory,
        report_id: None,
        case_id: Some(case_id),
    };
    let mut created = 0;
    for event in [
        "case_opened",
        "concern_present",
        "risk_level_reached",
        "stage_reached",
    ] {
        let facts = Facts {
            event,
            ..base.clone()
        };
        created += create(conn, &rules, &facts, &at, now)?;
    }
    Ok(created)
}

/// A report was screened (accepted or closed): its screening actions are done.
pub fn report_screened(
    conn: &mut DbConn,
    report_id: &str,
    by: &str,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    store::complete_screening(conn, report_id, by, now)
}

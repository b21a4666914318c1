//! Triggers: when a report is received, a case opened, its stage changed or its risk level set
//! by an assessment (in the caller's transaction), and from the worker for children turning 18
//! in an institution and referrals unanswered, the rules in force for its territory
//! (the national protocol merged with the nearest variant on the territory's ancestor path)
//! that fire create protocol actions, in the caller's transaction, each due at the trigger
//! time plus its deadline. Versions published later leave these actions as they are.
use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use madar_openapi::cases::RiskLevel;
use madar_openapi::protocols::ProtocolRule;

use super::domain::{self, Facts, NATIONAL};
use super::store::{self, NewAction};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{
    case_concerns, cases, children, organizations, placements, protocol_actions, referrals,
    report_concerns, reports,
};

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
    let (territory, base) = case_facts(conn, case_id, "case_opened", now)?;
    let rules = effective(conn, &territory)?;
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

/// What a trigger on a case looks at: its territory and facts (concerns, urgency or risk
/// level, stage, the child's age at `now`), for `event`.
fn case_facts(
    conn: &mut DbConn,
    case_id: &str,
    event: &'static str,
    now: NaiveDateTime,
) -> Result<(String, Facts), ApiError> {
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
    let facts = Facts {
        event,
        concerns,
        risk_level,
        stage: Some(stage),
        age: age(dob, year, now),
        immediate_danger: risk_level == Some(RiskLevel::ImmediateDanger),
    };
    Ok((territory, facts))
}

/// The rules of `rules` that have not fired yet on the case for `event` (a rule fires once per
/// case: the value it watches, a stage or a risk threshold, is fixed by the rule). `since`:
/// only actions created from then on count (a referral's sending time: one firing per
/// referral sent after the last one).
fn not_fired_yet(
    conn: &mut DbConn,
    rules: Vec<(String, ProtocolRule)>,
    case_id: &str,
    event: &str,
    since: Option<NaiveDateTime>,
) -> Result<Vec<(String, ProtocolRule)>, ApiError> {
    let mut q = protocol_actions::table
        .filter(protocol_actions::case_id.eq(case_id))
        .filter(protocol_actions::trigger_event.eq(event))
        .select(protocol_actions::rule_key)
        .into_boxed();
    if let Some(t) = since {
        q = q.filter(protocol_actions::created_at.ge(t));
    }
    let fired: Vec<String> = q.load(conn)?;
    Ok(rules
        .into_iter()
        .filter(|(_, r)| !fired.contains(&r.key))
        .collect())
}

/// Fires the `event` rules on a case, each at most once per case; how many actions.
fn fire_on_case(
    conn: &mut DbConn,
    case_id: &str,
    event: &'static str,
    extra_concern: Option<&str>,
    since: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let (territory, mut facts) = case_facts(conn, case_id, event, now)?;
    if let Some(c) = extra_concern {
        facts.concerns.push(c.to_string());
    }
    let rules: Vec<_> = effective(conn, &territory)?
        .into_iter()
        .filter(|(_, r)| domain::fires(r, &facts))
        .collect();
    if rules.is_empty() {
        return Ok(0);
    }
    let rules = not_fired_yet(conn, rules, case_id, event, since)?;
    let at = Subject {
        territory: &territory,
        report_id: None,
        case_id: Some(case_id),
    };
    create(conn, &rules, &facts, &at, now)
}

/// A case's stage changed: the `stage_reached` rules of its new stage fire (once per case and
/// rule), due from `now`. Called by `cases::transitions_store::apply`, in its transaction.
pub fn stage_reached(
    conn: &mut DbConn,
    case_id: &str,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    fire_on_case(conn, case_id, "stage_reached", None, None, now)
}

/// A completed assessment set the case's risk level: the `risk_level_reached` rules whose
/// threshold it reaches fire (once per case and rule), due from `now`.
pub fn risk_level_reached(
    conn: &mut DbConn,
    case_id: &str,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    fire_on_case(conn, case_id, "risk_level_reached", None, None, now)
}

/// The concern a child placed in a social-care institution has (what the shipped
/// `turning_18_transition` rule names).
pub const IN_INSTITUTION: &str = "in_institution";

/// A child in an open placement: child, case of the placement, date of birth, estimated year.
type PlacedRow = (String, Option<String>, Option<NaiveDate>, Option<i32>);

/// The children in an open placement in a social-care institution at `today` whose 18th
/// birthday falls within the next six months (as `placements` flags them: an estimated birth
/// year counts from 1 January), each with the case of the placement (or else the child's
/// latest open case) and the birthday. Children without an open case are left out.
pub fn turning_18_placed(
    conn: &mut DbConn,
    today: NaiveDate,
) -> Result<Vec<(String, String, NaiveDate)>, ApiError> {
    let years = |n: u32| Months::new(n * 12);
    let bounds = today
        .checked_sub_months(years(18))
        .and_then(|d| d.checked_sub_days(Days::new(2)))
        .zip(
            today
                .checked_add_months(Months::new(6))
                .and_then(|d| d.checked_sub_months(years(18)))
                .and_then(|d| d.checked_add_days(Days::new(2))),
        );
    let Some((earliest, latest)) = bounds else {
        return Ok(vec![]);
    };
    let estimated = [today.year() - 18, today.year() - 17];
    let rows: Vec<PlacedRow> = placements::table
        .inner_join(organizations::table.on(organizations::id.eq(placements::institution_org)))
        .inner_join(children::table.on(children::id.eq(placements::child_id)))
        .filter(organizations::org_type.eq("social_care_institution"))
        .filter(placements::to_date.is_null())
        .filter(
            children::date_of_birth
                .between(earliest, latest)
                .or(children::date_of_birth
                    .is_null()
                    .and(children::estimated_birth_year.eq_any(estimated))),
        )
        .order(placements::child_id)
        .select((
            placements::child_id,
            placements::case_id,
            children::date_of_birth,
            children::estimated_birth_year,
        ))
        .load(conn)?;
    let mut out: Vec<(String, String, NaiveDate)> = Vec::new();
    for (child, case, dob, year) in rows {
        let adult_on = crate::cases::domain::birth_date(dob, year)
            .0
            .and_then(crate::cases::domain::adult_on);
        let Some(birthday) = adult_on
            .filter(|_| crate::placements::domain::turns_18_within_6_months(adult_on, today))
        else {
            continue;
        };
        if out.iter().any(|(c, _, _)| *c == child) {
            continue;
        }
        let open = || {
            cases::table
                .filter(cases::child_id.eq(child.clone()))
                .filter(cases::stage.ne("closed"))
        };
        let case = match case {
            Some(id) => open()
                .filter(cases::id.eq(id))
                .select(cases::id)
                .first(conn)
                .optional()?,
            None => None,
        };
        let case = match case {
            Some(c) => Some(c),
            None => open()
                .order(cases::opened_at.desc())
                .select(cases::id)
                .first(conn)
                .optional()?,
        };
        if let Some(case) = case {
            out.push((child, case, birthday));
        }
    }
    Ok(out)
}

/// Fires `turning_18_in_institution` for every child placed in a social-care institution
/// whose 18th birthday is within six months, once per child and rule (on their case, the
/// concern `in_institution` added to the case's); how many actions.
pub fn turning_18_in_institution(conn: &mut DbConn, now: NaiveDateTime) -> Result<usize, ApiError> {
    let mut created = 0;
    for (child, case_id, _) in turning_18_placed(conn, now.date())? {
        let (territory, mut facts) = case_facts(conn, &case_id, "turning_18_in_institution", now)?;
        facts.concerns.push(IN_INSTITUTION.to_string());
        let rules: Vec<_> = effective(conn, &territory)?
            .into_iter()
            .filter(|(_, r)| domain::fires(r, &facts))
            .collect();
        if rules.is_empty() {
            continue;
        }
        let fired: Vec<String> = protocol_actions::table
            .inner_join(cases::table.on(cases::id.nullable().eq(protocol_actions::case_id)))
            .filter(cases::child_id.eq(&child))
            .filter(protocol_actions::trigger_event.eq("turning_18_in_institution"))
            .select(protocol_actions::rule_key)
            .load(conn)?;
        let rules: Vec<_> = rules
            .into_iter()
            .filter(|(_, r)| !fired.contains(&r.key))
            .collect();
        let at = Subject {
            territory: &territory,
            report_id: None,
            case_id: Some(&case_id),
        };
        created += create(conn, &rules, &facts, &at, now)?;
    }
    Ok(created)
}

/// The statuses of a referral nobody answered: still `sent`, or `expired` at its deadline.
pub const UNANSWERED: [&str; 2] = ["sent", "expired"];

/// How long after its deadline an unanswered referral still fires (a server down longer
/// misses it): 30 days.
const UNANSWERED_WINDOW_DAYS: i64 = 30;

/// Fires `referral_unanswered` on the case of every referral unanswered past its `respond_by`
/// (still sent, or expired): once per referral and rule (an action of the rule created on the
/// case since the referral was sent covers it); how many actions.
pub fn referrals_unanswered(conn: &mut DbConn, now: NaiveDateTime) -> Result<usize, ApiError> {
    let due: Vec<(String, NaiveDateTime)> = referrals::table
        .filter(referrals::status.eq_any(UNANSWERED))
        .filter(referrals::answered_at.is_null())
        .filter(referrals::respond_by.le(now))
        .filter(referrals::respond_by.gt(now - TimeDelta::days(UNANSWERED_WINDOW_DAYS)))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            protocol_actions::table
                .filter(protocol_actions::case_id.eq(referrals::case_id.nullable()))
                .filter(protocol_actions::trigger_event.eq("referral_unanswered"))
                .filter(protocol_actions::created_at.ge(referrals::sent_at)),
        )))
        .order(referrals::respond_by)
        .select((referrals::case_id, referrals::sent_at))
        .limit(500)
        .load(conn)?;
    let mut created = 0;
    for (case_id, sent_at) in due {
        created += fire_on_case(
            conn,
            &case_id,
            "referral_unanswered",
            None,
            Some(sent_at),
            now,
        )?;
    }
    Ok(created)
}

//! Which records are past their retention period on a given day (`Policy`):
//!
//! - a **case** when it was closed more than `case_years` ago and its child has come of age
//!   (a child of unknown age: the closure alone counts), unless it is on legal hold;
//! - a **report** when it was received more than `report_years` ago, has been screened
//!   (`case_opened` or `closed`), and every case it is attached to and every case of the
//!   children it names is due;
//! - a **child** when the child came of age more than `child_years` ago, every case of the child
//!   is due, and every report naming the child has been screened; the duplicates merged into
//!   a due child are due with it.
use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::policy::{majority, years_before, Policy, AGE_OF_MAJORITY};
use super::{pairs, CHUNK};
use crate::db::DbConn;
use crate::schema::{cases, children, legal_holds, reports};

/// Report statuses of a screened report.
const SCREENED: [&str; 2] = ["case_opened", "closed"];

/// The records due on a day, each list sorted.
#[derive(Debug, Default)]
pub struct Due {
    pub cases: Vec<String>,
    /// Cases otherwise due, kept whole because they are on legal hold.
    pub held_cases: usize,
    pub reports: Vec<String>,
    pub children: Vec<String>,
}

/// The records due on `today` under `policy`.
pub fn due(conn: &mut DbConn, policy: &Policy, today: NaiveDate) -> anyhow::Result<Due> {
    let (cases, held_cases) = due_cases(conn, policy, today)?;
    let due_cases: BTreeSet<String> = cases.iter().cloned().collect();
    let reports = due_reports(conn, policy, today, &due_cases)?;
    let children = due_children(conn, policy, today, &due_cases)?;
    Ok(Due {
        cases,
        held_cases,
        reports,
        children,
    })
}

fn due_cases(
    conn: &mut DbConn,
    policy: &Policy,
    today: NaiveDate,
) -> anyhow::Result<(Vec<String>, usize)> {
    let closed_before = years_before(today, policy.case_years).and_time(chrono::NaiveTime::MIN);
    let closed: Vec<(String, Option<NaiveDate>, Option<i32>)> = cases::table
        .inner_join(children::table)
        .filter(cases::stage.eq("closed"))
        .filter(cases::closed_at.lt(closed_before))
        .select((
            cases::id,
            children::date_of_birth,
            children::estimated_birth_year,
        ))
        .order(cases::id)
        .load(conn)?;
    let held: BTreeSet<String> = legal_holds::table
        .select(legal_holds::case_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let (kept, due): (Vec<String>, Vec<String>) = closed
        .into_iter()
        .filter(|(_, dob, year)| majority(*dob, *year).is_none_or(|of_age| of_age <= today))
        .map(|(id, _, _)| id)
        .partition(|id| held.contains(id));
    Ok((due, kept.len()))
}

fn due_reports(
    conn: &mut DbConn,
    policy: &Policy,
    today: NaiveDate,
    due_cases: &BTreeSet<String>,
) -> anyhow::Result<Vec<String>> {
    let received_before = years_before(today, policy.report_years).and_time(chrono::NaiveTime::MIN);
    let old: Vec<String> = reports::table
        .filter(reports::received_at.lt(received_before))
        .filter(reports::status.eq_any(SCREENED))
        .select(reports::id)
        .order(reports::id)
        .load(conn)?;
    let mut due = Vec::new();
    for chunk in old.chunks(CHUNK) {
        let mut kept = BTreeSet::new();
        let attached = pairs(
            conn,
            "SELECT report_id AS k, case_id AS v FROM case_reports WHERE report_id IN (IDS)",
            chunk,
        )?;
        let of_children = pairs(
            conn,
            "SELECT l.report_id AS k, c.id AS v FROM report_child_links l \
             JOIN cases c ON c.child_id = l.child_id WHERE l.report_id IN (IDS)",
            chunk,
        )?;
        for link in attached.into_iter().chain(of_children) {
            if !due_cases.contains(&link.v) {
                kept.insert(link.k);
            }
        }
        due.extend(chunk.iter().filter(|id| !kept.contains(*id)).cloned());
    }
    Ok(due)
}

fn due_children(
    conn: &mut DbConn,
    policy: &Policy,
    today: NaiveDate,
    due_cases: &BTreeSet<String>,
) -> anyhow::Result<Vec<String>> {
    let born_before = years_before(today, policy.child_years + AGE_OF_MAJORITY);
    // An estimated year only: of age on the last day of the year (`majority`).
    let year_before = born_before.year();
    let old: Vec<String> = children::table
        .filter(children::merged_into.is_null())
        .filter(
            children::date_of_birth
                .lt(born_before)
                .or(children::date_of_birth
                    .is_null()
                    .and(children::estimated_birth_year.lt(year_before))),
        )
        .select(children::id)
        .order(children::id)
        .load(conn)?;
    let mut due = Vec::new();
    for chunk in old.chunks(CHUNK) {
        let mut kept = BTreeSet::new();
        for case in pairs(
            conn,
            "SELECT child_id AS k, id AS v FROM cases WHERE child_id IN (IDS)",
            chunk,
        )? {
            if !due_cases.contains(&case.v) {
                kept.insert(case.k);
            }
        }
        for report in pairs(
            conn,
            "SELECT l.child_id AS k, r.status AS v FROM report_child_links l \
             JOIN reports r ON r.id = l.report_id WHERE l.child_id IN (IDS)",
            chunk,
        )? {
            if !SCREENED.contains(&report.v.as_str()) {
                kept.insert(report.k);
            }
        }
        let survivors: Vec<String> = chunk
            .iter()
            .filter(|id| !kept.contains(*id))
            .cloned()
            .collect();
        let merged = pairs(
            conn,
            "SELECT id AS k, merged_into AS v FROM children WHERE merged_into IN (IDS)",
            &survivors,
        )?;
        due.extend(survivors);
        due.extend(merged.into_iter().map(|m| m.k));
    }
    due.sort();
    Ok(due)
}

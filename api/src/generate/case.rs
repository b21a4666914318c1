//! One generated case: its row, concerns, workers, reports, the assessment, plan, services,
//! notes and judicial measure its course calls for, its timeline and its audit events.
use chrono::{Datelike, NaiveDateTime, TimeDelta};
use rand::Rng;
use serde_json::json;

use super::child::{ChildFacts, Course, FiledReport, World};
use super::protocol::{self, End};
use super::sql::V;
use super::staff::Centre;
use super::tables::Tables;
use super::Ids;
use crate::audit::{AuditAction as A, Resource as Res};
use crate::protocols::domain::{risk_rank, Facts};
use madar_openapi::cases::RiskLevel;

/// What the parts of a case are written for.
pub(super) struct Ctx<'c> {
    pub id: &'c str,
    pub child: &'c ChildFacts<'c>,
    pub worker: &'c str,
    pub centre: &'c Centre,
    pub course: &'c Course,
    pub opened: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// A timeline event before it is written: (at, kind, actor, subject, detail, note).
pub(super) type Pending = (
    NaiveDateTime,
    &'static str,
    String,
    Option<String>,
    String,
    Option<&'static str>,
);

fn reason(to: &str) -> &'static str {
    match to {
        "assessment" => "Identification terminée, évaluation engagée.",
        "planning" => "تم تقييم الخطر، الانتقال إلى إعداد المشروع الفردي.",
        "implementation" => "Plan validé avec la famille.",
        "follow_up" => "Objectifs atteints, suivi engagé.",
        _ => "Clôture du dossier.",
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn write<R: Rng>(
    world: &mut World<'_>,
    rng: &mut R,
    ids: &mut Ids,
    t: &mut Tables,
    centre: &Centre,
    child: &ChildFacts<'_>,
    course: &Course,
    reports: &[&FiledReport],
) -> anyhow::Result<()> {
    let mut w = world.parts();
    let now = w.now;
    let opened = course.opened;
    let id = ids.next(opened);
    let year = opened.year();
    let reference =
        crate::cases::domain::reference(&centre.territory, year, w.number(&centre.territory, year));
    let mut assigned = vec![centre.workers[rng.gen_range(0..centre.workers.len())].clone()];
    if centre.workers.len() > 1 && rng.gen_bool(0.2) {
        let other = centre.workers[rng.gen_range(0..centre.workers.len())].clone();
        if other != assigned[0] {
            assigned.push(other);
        }
    }
    let worker = assigned[0].clone();
    let end = course.end(now);
    let mut events: Vec<Pending> = Vec::new();
    let audit =
        |w: &mut super::child::Parts<'_>, t: &mut Tables, at, action, res, rid: &str, who: &str| {
            w.chain
                .record(&mut t.audit_events, at, ("user", who), action, res, rid);
        };
    // Reports: the first opened the case, the others were attached at screening.
    let mut concerns: Vec<usize> = Vec::new();
    let mut danger = false;
    for r in reports {
        let at = r.screened.unwrap_or(opened);
        t.case_reports.push(&[V::S(&id), V::S(&r.id), V::T(at)]);
        concerns.extend(&r.concerns);
        danger |= r.danger;
        let (kind, action) = if r.opens {
            ("case_opened", A::CaseOpen)
        } else {
            ("report_attached", A::CaseAttachReport)
        };
        events.push((
            at,
            kind,
            worker.clone(),
            Some(r.id.clone()),
            "{}".into(),
            None,
        ));
        audit(&mut w, t, at, action, Res::Case, &id, &worker);
    }
    concerns.sort();
    concerns.dedup();
    for c in &concerns {
        t.case_concerns
            .push(&[V::S(&id), V::S(w.concerns.codes[*c])]);
    }
    for user in &assigned {
        t.case_assignments
            .push(&[V::S(&id), V::S(user), V::T(opened + TimeDelta::hours(1))]);
    }
    let ctx = Ctx {
        id: &id,
        child,
        worker: &worker,
        centre,
        course,
        opened,
        end,
    };
    let risk = super::care::write(&mut w, rng, ids, t, &ctx, &concerns, &mut events)?;
    let urgency = if danger { "immediate_danger" } else { "medium" };
    let codes: Vec<&'static str> = concerns.iter().map(|c| w.concerns.codes[*c]).collect();
    let asked = if danger {
        urgency
    } else {
        risk.as_deref().unwrap_or(urgency)
    };
    super::referral::write(
        &mut w,
        rng,
        ids,
        t,
        &ctx,
        &codes,
        (asked, risk.as_deref()),
        &mut events,
    )?;
    actions(
        &mut w,
        rng,
        ids,
        t,
        &ctx,
        &codes,
        (urgency, risk.as_deref()),
    )?;
    // Stage changes; the closing one with its reason and outcome note.
    let mut from = "identification";
    let mut closure = None;
    for (to, at) in &course.steps {
        let mut detail = json!({"from": from, "to": to});
        if *to == "closed" {
            let r = if course.completed {
                w.completed.pick(rng)
            } else {
                w.early.pick(rng)
            };
            detail["closure_reason"] = json!(r);
            closure = Some((r, *at));
        }
        events.push((
            *at,
            "stage_changed",
            worker.clone(),
            None,
            detail.to_string(),
            Some(reason(to)),
        ));
        audit(&mut w, t, *at, A::CaseTransition, Res::Case, &id, &worker);
        from = to;
    }
    events.sort_by_key(|e| e.0);
    let updated = events.last().map_or(opened, |e| e.0);
    let outcome = match closure {
        Some(_) => Some(w.seal(
            "cases",
            "outcome_note",
            &id,
            "L'enfant a retrouvé un cadre stable; suivi terminé.",
        )?),
        None => None,
    };
    t.cases.push(&[
        V::S(&id),
        V::S(&reference),
        V::S(child.id),
        V::S(&centre.territory),
        V::S(&centre.org_id),
        V::S(course.stage()),
        V::S(urgency),
        V::I(if danger { 0 } else { 2 }),
        V::O(risk.as_deref()),
        V::O(closure.map(|c| c.0)),
        V::O(outcome.as_deref()),
        V::T(opened),
        V::OT(closure.map(|c| c.1)),
        V::S(&worker),
        V::I(events.len() as i64),
        V::T(opened),
        V::T(updated),
    ]);
    for (at, kind, actor, subject, detail, note) in &events {
        let eid = ids.next(*at);
        let sealed = match note {
            Some(n) => Some(w.seal("case_events", "note", &eid, n)?),
            None => None,
        };
        t.case_events.push(&[
            V::S(&eid),
            V::S(&id),
            V::S(kind),
            V::T(*at),
            V::S(actor),
            V::O(subject.as_deref()),
            V::S(detail),
            V::O(sealed.as_deref()),
        ]);
    }
    Ok(())
}

/// The protocol actions of the case: those its opening fired (`case_opened`,
/// `concern_present`, `risk_level_reached` on its urgency, `stage_reached`), those its
/// assessment's risk level and its stage changes fired later (each rule once per case),
/// settled by the case's course.
fn actions<R: Rng>(
    w: &mut super::child::Parts<'_>,
    rng: &mut R,
    ids: &mut Ids,
    t: &mut Tables,
    ctx: &Ctx<'_>,
    concerns: &[&'static str],
    (urgency, risk): (&str, Option<&str>),
) -> anyhow::Result<()> {
    let all = w.rules;
    let Some(rules) = all.get(&ctx.centre.territory) else {
        return Ok(());
    };
    let course = ctx.course;
    let birth = crate::cases::domain::birth_date(
        ctx.child.dob,
        ctx.child.year.and_then(|y| i32::try_from(y).ok()),
    )
    .0;
    let age = |at: NaiveDateTime| birth.map(|b| crate::cases::domain::age_on(b, at.date()));
    let level = |code: &str| crate::codes::from_code::<RiskLevel>(code).ok();
    let stage_at = |at: NaiveDateTime| {
        course
            .steps
            .iter()
            .rfind(|(_, when)| *when <= at)
            .map_or("identification", |(s, _)| s)
    };
    let mut facts = Facts {
        event: "case_opened",
        concerns: concerns.iter().map(|c| c.to_string()).collect(),
        risk_level: level(urgency),
        stage: Some("identification".into()),
        age: age(ctx.opened),
        immediate_danger: urgency == "immediate_danger",
    };
    let mut fired = Vec::new();
    let mut due = Vec::new();
    for event in [
        "case_opened",
        "concern_present",
        "risk_level_reached",
        "stage_reached",
    ] {
        facts.event = event;
        for f in protocol::fire(rules, &facts, ctx.opened, None) {
            if !fired.contains(&(f.event, f.rule_key)) {
                fired.push((f.event, f.rule_key));
            }
            due.push(f);
        }
    }
    if let (Some(at), Some(assessed)) = (course.assessed, risk.and_then(level)) {
        facts.event = "risk_level_reached";
        facts.risk_level = [facts.risk_level, Some(assessed)]
            .into_iter()
            .flatten()
            .max_by_key(|l| risk_rank(*l));
        facts.immediate_danger = facts.risk_level == Some(RiskLevel::ImmediateDanger);
        facts.stage = Some(stage_at(at).to_string());
        facts.age = age(at);
        due.extend(protocol::fire(rules, &facts, at, Some(&mut fired)));
    }
    for (to, at) in &course.steps {
        facts.event = "stage_reached";
        facts.stage = Some(to.to_string());
        facts.age = age(*at);
        due.extend(protocol::fire(rules, &facts, *at, Some(&mut fired)));
    }
    let open = course.closed_at().is_none();
    let subject = protocol::Subject {
        territory: &ctx.centre.territory,
        report_id: None,
        case_id: Some(ctx.id),
        by: ctx.worker,
        now: w.now,
    };
    for f in &due {
        let end = match (f.action, course.assessed) {
            // The assessment asked for is the one recorded.
            ("assessment", Some(at)) if at >= f.created => End::Done(at),
            ("assessment", _) if open => End::Open,
            ("assessment", _) => End::Waived(ctx.end),
            _ => protocol::settle(rng, f.created, f.due, ctx.end, open),
        };
        protocol::write(w.keys, &mut *w.chain, rng, ids, t, &subject, f, end)?;
    }
    Ok(())
}

//! The parts of a generated case its course calls for: the risk assessment, the plan with its
//! objectives and actions, services, notes and a judicial measure, each with its timeline event
//! and audit event.
use chrono::TimeDelta;
use rand::Rng;
use serde_json::json;

use super::case::{Ctx, Pending};
use super::child::{Answers, Parts};
use super::lifecycle::between;
use super::sql::V;
use super::tables::Tables;
use super::Ids;
use crate::audit::{AuditAction as A, Resource as Res};
use crate::cases::assessment::{instrument, scoring};

const OBJECTIVE_DOMAINS: [&str; 7] = [
    "health_care",
    "psychological_care",
    "social_care",
    "education_training",
    "reintegration",
    "judicial_support",
    "follow_up_evaluation",
];

fn audit(
    w: &mut Parts<'_>,
    t: &mut Tables,
    at: chrono::NaiveDateTime,
    action: A,
    res: Res,
    rid: &str,
    who: &str,
) {
    w.chain
        .record(&mut t.audit_events, at, ("user", who), action, res, rid);
}

/// Writes the parts; returns the risk level the case takes from its assessment.
pub(super) fn write<R: Rng>(
    w: &mut Parts<'_>,
    rng: &mut R,
    ids: &mut Ids,
    t: &mut Tables,
    ctx: &Ctx<'_>,
    concerns: &[usize],
    events: &mut Vec<Pending>,
) -> anyhow::Result<Option<String>> {
    let mut risk = None;
    // The risk assessment, when the course needed one.
    if let Some(at) = ctx.course.assessed {
        let instrument = instrument::find("madar_risk", 1)?;
        let mut answers = Answers::new();
        for item in instrument.domains.iter().flat_map(|d| &d.items) {
            let u: f64 = rng.gen();
            let k = ((u * u * u) * item.options.len() as f64) as usize;
            answers.insert(
                item.code.clone(),
                item.options[k.min(item.options.len() - 1)].code.clone(),
            );
        }
        let scored = scoring::score(instrument, &answers)?;
        let level = crate::codes::to_code(&scored.computed_level);
        let aid = ids.next(at);
        t.case_assessments.push(&[
            V::S(&aid),
            V::S(ctx.id),
            V::S("madar_risk"),
            V::I(1),
            V::S(&serde_json::to_string(&answers)?),
            V::I(i64::from(scored.score)),
            V::S(&level),
            V::S(&level),
            V::S("completed"),
            V::S(ctx.worker),
            V::T(at),
            V::T(at),
        ]);
        let detail = json!({"risk_level": level, "computed_level": level, "status": "completed"});
        events.push((
            at,
            "assessment_recorded",
            ctx.worker.to_string(),
            Some(aid.clone()),
            detail.to_string(),
            None,
        ));
        audit(
            w,
            t,
            at,
            A::AssessmentCreate,
            Res::Assessment,
            &aid,
            ctx.worker,
        );
        risk = Some(level);
    }
    // The plan.
    if let Some(at) = ctx.course.planned {
        let objectives = rng.gen_range(1..=3);
        let mut actions = 0;
        for position in 0..objectives {
            let oid = ids.next(at);
            let domain = OBJECTIVE_DOMAINS[rng.gen_range(0..OBJECTIVE_DOMAINS.len())];
            let text = w.seal(
                "plan_objectives",
                "description",
                &oid,
                "Objectif: sécuriser la situation de l'enfant.",
            )?;
            t.plan_objectives.push(&[
                V::S(&oid),
                V::S(ctx.id),
                V::I(position),
                V::S(domain),
                V::S(&text),
            ]);
            for p in 0..rng.gen_range(1..=2) {
                let aid = ids.next(at);
                let text = w.seal(
                    "plan_actions",
                    "description",
                    &aid,
                    "تنسيق مع الأسرة والمدرسة",
                )?;
                let status = match ctx.course.stage() {
                    "follow_up" | "closed" => {
                        if rng.gen_bool(0.85) {
                            "done"
                        } else {
                            "cancelled"
                        }
                    }
                    "implementation" => ["planned", "in_progress", "done"][rng.gen_range(0..3)],
                    _ => "planned",
                };
                let due = (at + TimeDelta::days(rng.gen_range(14..120))).date();
                t.plan_actions.push(&[
                    V::S(&aid),
                    V::S(ctx.id),
                    V::S(&oid),
                    V::I(p),
                    V::S(&text),
                    V::S(&ctx.centre.org_id),
                    V::D(due),
                    V::S(status),
                ]);
                actions += 1;
            }
        }
        t.case_plans.push(&[
            V::S(ctx.id),
            V::S("active"),
            V::I(1),
            V::S(ctx.worker),
            V::T(at),
            V::T(at),
        ]);
        let detail = json!({"objectives": objectives, "actions": actions, "status": "active"});
        events.push((
            at,
            "plan_updated",
            ctx.worker.to_string(),
            None,
            detail.to_string(),
            None,
        ));
        audit(w, t, at, A::PlanUpdate, Res::Plan, ctx.id, ctx.worker);
    }
    // Services, while the plan is carried out.
    if let Some((_, from)) = ctx
        .course
        .steps
        .iter()
        .find(|(s, _)| *s == "implementation")
    {
        for _ in 0..rng.gen_range(1..=3) {
            let at = between(rng, *from, ctx.end);
            let sid = ids.next(at);
            let service = w.services.pick(rng);
            let domain = w.domains.get(service).cloned().unwrap_or_default();
            t.case_services.push(&[
                V::S(&sid),
                V::S(ctx.id),
                V::S(service),
                V::S(&domain),
                V::T(at),
                V::S(&ctx.centre.org_id),
                V::S(ctx.worker),
                V::T(at),
            ]);
            let detail = json!({"service_type": service, "domain": domain});
            events.push((
                at,
                "service_recorded",
                ctx.worker.to_string(),
                Some(sid.clone()),
                detail.to_string(),
                None,
            ));
            audit(
                w,
                t,
                at,
                A::ServiceRecord,
                Res::CaseService,
                &sid,
                ctx.worker,
            );
        }
    }
    // Notes.
    for _ in 0..[0, 0, 0, 1, 1, 2][rng.gen_range(0..6)] {
        let at = between(rng, ctx.opened, ctx.end);
        let nid = ids.next(at);
        let kind = w.note_types.pick(rng);
        let sensitive = rng.gen_bool(0.2);
        let text = w.seal(
            "case_notes",
            "text",
            &nid,
            "Entretien avec l'enfant et la mère; situation stable.",
        )?;
        t.case_notes.push(&[
            V::S(&nid),
            V::S(ctx.id),
            V::S(kind),
            V::T(at),
            V::B(sensitive),
            V::S(&text),
            V::S(ctx.worker),
            V::T(at),
        ]);
        let detail = json!({"note_type": kind, "sensitive": sensitive});
        events.push((
            at,
            "note_added",
            ctx.worker.to_string(),
            Some(nid.clone()),
            detail.to_string(),
            None,
        ));
        audit(w, t, at, A::NoteCreate, Res::Note, &nid, ctx.worker);
    }
    // The prosecutor, told of the gravest concerns.
    let grave = concerns.iter().any(|c| {
        matches!(
            w.concerns.codes[*c],
            "sexual_violence" | "sexual_exploitation" | "trafficking"
        )
    });
    if rng.gen_bool(if grave { 0.5 } else { 0.05 }) {
        let at = (ctx.opened + TimeDelta::days(rng.gen_range(0..10))).min(ctx.end);
        let jid = ids.next(at);
        t.judicial_measures.push(&[
            V::S(&jid),
            V::S(ctx.id),
            V::S("prosecutor_notified"),
            V::S("Procureur du Roi"),
            V::D(at.date()),
            V::S(ctx.worker),
            V::T(at),
            V::T(at),
        ]);
        let detail = json!({"measure_type": "prosecutor_notified"});
        events.push((
            at,
            "judicial_measure_recorded",
            ctx.worker.to_string(),
            Some(jid.clone()),
            detail.to_string(),
            None,
        ));
        audit(
            w,
            t,
            at,
            A::JudicialMeasureCreate,
            Res::JudicialMeasure,
            &jid,
            ctx.worker,
        );
    }
    Ok(risk)
}

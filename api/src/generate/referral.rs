//! The referrals of a generated case: about a third of the cases that reached planning send one
//! or two, while open, to active directory services serving the child's territory, on the
//! ground of a consent of the child's family recorded first (or, rarely, a coordinator's
//! written override). Each walks the server's lifecycle (`referrals::domain::next`) no further
//! than the case's life and the dataset's present allow: answered before its deadline
//! (`respond_by`, computed by the server's rule) or expired at it, accepted then started then
//! completed with an outcome, declined, or cancelled by the sending side. Every step has its
//! timeline event and audit event, as the server writes them.
use chrono::{NaiveDateTime, TimeDelta};
use madar_openapi::cases::RiskLevel;
use madar_openapi::referrals::{
    ReferralSnapshot, ReferralStatus as S, SnapshotIdentity, SnapshotSituation,
};
use rand::Rng;
use serde_json::json;

use super::case::{Ctx, Pending};
use super::child::{json_list, Parts};
use super::directory::Offer;
use super::lifecycle::between;
use super::sql::V;
use super::tables::Tables;
use super::Ids;
use crate::audit::{AuditAction as A, Resource as Res};
use crate::codes::{from_code, to_code};
use crate::referrals::domain::{self, Move};

/// The actor of system events on a case's timeline (`referrals::expiry`).
const SYSTEM_ACTOR: &str = crate::referrals::expiry::SYSTEM_ACTOR;

const REASONS: [&str; 4] = [
    "Orientation pour une prise en charge spécialisée de l'enfant.",
    "توجيه الطفل للاستفادة من خدمة ملائمة لوضعيته",
    "Besoin d'un accompagnement que le centre ne peut assurer seul.",
    "Demande de la famille, appuyée par l'évaluation du risque.",
];
const DECLINES: [&str; 2] = [
    "Capacité atteinte pour la période.",
    "الخدمة لا تستجيب لحاجيات الطفل",
];
const CANCELS: [&str; 2] = [
    "La situation de l'enfant a changé.",
    "La famille a trouvé une autre solution.",
];
const FEEDBACK: [&str; 2] = [
    "Prise en charge réalisée; l'enfant a participé régulièrement.",
    "تمت المواكبة وفق البرنامج المتفق عليه",
];
const GIVERS: [&str; 4] = ["Fatima Z.", "Mohamed B.", "Khadija E.", "Ahmed T."];

/// One status change: (move, at, actor).
type Step = (Move, NaiveDateTime, String);

/// The steps of a referral sent at `sent`, answerable until `respond_by`, on a case whose
/// life runs to `horizon` (`open`: still open at the dataset's present).
fn course<R: Rng>(
    rng: &mut R,
    sent: NaiveDateTime,
    respond_by: NaiveDateTime,
    horizon: NaiveDateTime,
    open: bool,
    (partner, worker): (&str, &str),
) -> Vec<Step> {
    let cancel = |rng: &mut R, from: NaiveDateTime| -> Step {
        (
            Move::Cancel,
            between(rng, from, horizon),
            worker.to_string(),
        )
    };
    let mut steps: Vec<Step> = Vec::new();
    if rng.gen_bool(0.12) {
        // Nobody answered: expired at the deadline, unless the case ended first.
        let expired = respond_by + TimeDelta::seconds(rng.gen_range(1..120));
        if expired <= horizon {
            steps.push((Move::Expire, expired, SYSTEM_ACTOR.to_string()));
        } else if !open {
            steps.push(cancel(rng, sent));
        }
        return steps;
    }
    let answered = between(rng, sent + TimeDelta::minutes(30), respond_by);
    if answered > horizon {
        if !open {
            steps.push(cancel(rng, sent));
        }
        return steps;
    }
    if rng.gen_bool(0.12) {
        steps.push((Move::Decline, answered, partner.to_string()));
        return steps;
    }
    steps.push((Move::Accept, answered, partner.to_string()));
    let started = answered + TimeDelta::seconds(rng.gen_range(3600..10 * 86_400));
    if started > horizon {
        if !open {
            steps.push(cancel(rng, answered));
        }
        return steps;
    }
    steps.push((Move::Start, started, partner.to_string()));
    if rng.gen_bool(0.05) {
        steps.push(cancel(rng, started));
        return steps;
    }
    let completed = started + TimeDelta::seconds(rng.gen_range(7 * 86_400..90 * 86_400));
    match (completed <= horizon, open) {
        (true, _) => steps.push((Move::Complete, completed, partner.to_string())),
        (false, true) => {}
        // The service ended with the case.
        (false, false) => steps.push((
            Move::Complete,
            between(rng, started, horizon),
            partner.to_string(),
        )),
    }
    steps
}

fn kind_and_action(m: Move) -> (&'static str, A) {
    match m {
        Move::Accept => ("referral_accepted", A::ReferralAccept),
        Move::Decline => ("referral_declined", A::ReferralDecline),
        Move::Start => ("referral_started", A::ReferralStart),
        Move::Complete => ("referral_completed", A::ReferralComplete),
        Move::Cancel => ("referral_cancelled", A::ReferralCancel),
        Move::Expire => ("referral_expired", A::ReferralExpire),
    }
}

/// Sends the case's referrals, if it sends any.
#[allow(clippy::too_many_arguments)]
pub(super) fn write<R: Rng>(
    w: &mut Parts<'_>,
    rng: &mut R,
    ids: &mut Ids,
    t: &mut Tables,
    ctx: &Ctx<'_>,
    concerns: &[&'static str],
    (urgency, risk): (&str, Option<&str>),
    events: &mut Vec<Pending>,
) -> anyhow::Result<()> {
    let Some((_, planning)) = ctx.course.steps.iter().find(|(s, _)| *s == "planning") else {
        return Ok(());
    };
    let offers: &[Offer] = w
        .directory
        .get(&ctx.centre.territory)
        .map_or(&[], |o| o.as_slice());
    if offers.is_empty() || !rng.gen_bool(0.35) {
        return Ok(());
    }
    // Sent while the case is open, an hour at least before it closes.
    let last = ctx.end - TimeDelta::hours(1);
    if last <= *planning {
        return Ok(());
    }
    let mut sent: Vec<NaiveDateTime> = (0..if rng.gen_bool(0.75) { 1 } else { 2 })
        .map(|_| between(rng, *planning, last))
        .collect();
    sent.sort();
    let chosen: Vec<&Offer> = sent
        .iter()
        .map(|_| &offers[rng.gen_range(0..offers.len())])
        .collect();
    let open = ctx.course.closed_at().is_none();
    let urgency_level: RiskLevel = from_code(urgency)?;
    let groups = ["identity", "situation"];
    // The family's consent, recorded before the first referral, naming every recipient.
    let consent = if rng.gen_bool(0.92) {
        let cid = ids.next(sent[0]);
        let given = between(rng, ctx.opened.max(sent[0] - TimeDelta::days(3)), sent[0]);
        let mut recipients: Vec<&str> = chosen.iter().map(|o| o.provider_code.as_str()).collect();
        recipients.dedup();
        let relationship = ["parent", "parent", "parent", "relative", "other"][rng.gen_range(0..5)];
        let purpose = w.seal(
            "child_consents",
            "purpose",
            &cid,
            "Orientation de l'enfant vers les services partenaires du parcours de protection.",
        )?;
        t.child_consents.push(&[
            V::S(&cid),
            V::S(ctx.child.id),
            V::S(GIVERS[rng.gen_range(0..GIVERS.len())]),
            V::S(relationship),
            V::T(given),
            V::S(&json_list(&recipients)),
            V::S(&json_list(&groups)),
            V::S(&purpose),
            V::T((given + TimeDelta::days(365)).max(last + TimeDelta::days(30))),
            V::S(ctx.worker),
            V::T(given),
            V::T(given),
        ]);
        w.chain.record(
            &mut t.audit_events,
            given,
            ("user", ctx.worker),
            A::ConsentCreate,
            Res::Consent,
            &cid,
        );
        Some(cid)
    } else {
        None
    };
    let situation = ctx
        .child
        .situation
        .iter()
        .map(|c| from_code(c))
        .collect::<Result<Vec<_>, _>>()?;
    let concerns = concerns
        .iter()
        .map(|c| from_code(c))
        .collect::<Result<Vec<_>, _>>()?;
    let (birth_date, estimated) = crate::cases::domain::birth_date(
        ctx.child.dob,
        ctx.child.year.and_then(|y| i32::try_from(y).ok()),
    );
    let names = ctx.child.names;
    for (at, offer) in sent.into_iter().zip(chosen) {
        let id = ids.next(at);
        let due_by = at + TimeDelta::days(rng.gen_range(7..45));
        let respond_by =
            domain::respond_by(urgency_level, at.and_utc(), due_by.and_utc())?.naive_utc();
        let (sender, overridden) = match &consent {
            Some(_) => (ctx.worker, None),
            None => (
                ctx.centre.coordinator.as_str(),
                Some(w.seal(
                    "referrals",
                    "override_reason",
                    &id,
                    "Urgence: la famille est injoignable, l'enfant a besoin du service.",
                )?),
            ),
        };
        let snapshot = ReferralSnapshot {
            taken_at: at.and_utc(),
            identity: Some(SnapshotIdentity {
                given_name_ar: names[0].map(str::to_string),
                family_name_ar: names[1].map(str::to_string),
                given_name_latin: names[2].map(str::to_string),
                family_name_latin: names[3].map(str::to_string),
                sex: from_code(ctx.child.sex)?,
                birth_date,
                birth_date_estimated: estimated,
            }),
            contact: None,
            health: None,
            narrative: None,
            situation: Some(SnapshotSituation {
                situation: situation.clone(),
                family_situation: None,
                concerns: concerns.clone(),
                risk_level: risk.map(from_code).transpose()?,
            }),
            education: None,
        };
        let snapshot = w.seal(
            "referrals",
            "snapshot",
            &id,
            &serde_json::to_string(&snapshot)?,
        )?;
        let reason = w.seal(
            "referrals",
            "reason",
            &id,
            REASONS[rng.gen_range(0..REASONS.len())],
        )?;
        let steps = course(
            rng,
            at,
            respond_by,
            ctx.end,
            open,
            (&offer.partner, ctx.worker),
        );
        // The sending, then each change, on the timeline and in the audit.
        events.push((
            at,
            "referral_sent",
            sender.to_string(),
            Some(id.clone()),
            json!({
                "to": offer.provider_code,
                "service_type": offer.service_type,
                "consent_overridden": overridden.is_some(),
            })
            .to_string(),
            None,
        ));
        w.chain.record(
            &mut t.audit_events,
            at,
            ("user", sender),
            A::ReferralSend,
            Res::Referral,
            &id,
        );
        if overridden.is_some() {
            w.chain.record(
                &mut t.audit_events,
                at,
                ("user", sender),
                A::ReferralOverride,
                Res::Referral,
                &id,
            );
        }
        let mut status = S::Sent;
        let (mut answered, mut started, mut closed) = (None, None, None);
        let (mut declined, mut cancelled, mut outcome, mut feedback) = (None, None, None, None);
        let (mut updated, mut updated_by) = (at, None);
        for (moved, when, actor) in &steps {
            let to = domain::next(status, *moved)?;
            let (kind, action) = kind_and_action(*moved);
            let mut detail = json!({"from": to_code(&status), "to": to_code(&to)});
            let mut note = None;
            match moved {
                Move::Accept => answered = Some(*when),
                Move::Decline => {
                    let text = DECLINES[rng.gen_range(0..DECLINES.len())];
                    declined = Some(w.seal("referrals", "decline_reason", &id, text)?);
                    note = Some(text);
                    answered = Some(*when);
                    closed = Some(*when);
                }
                Move::Start => started = Some(*when),
                Move::Complete => {
                    let o = [
                        "achieved",
                        "achieved",
                        "achieved",
                        "partially_achieved",
                        "not_achieved",
                    ][rng.gen_range(0..5)];
                    detail["outcome"] = json!(o);
                    outcome = Some(o);
                    let text = FEEDBACK[rng.gen_range(0..FEEDBACK.len())];
                    feedback = Some(w.seal("referrals", "feedback", &id, text)?);
                    closed = Some(*when);
                }
                Move::Cancel => {
                    let text = CANCELS[rng.gen_range(0..CANCELS.len())];
                    cancelled = Some(w.seal("referrals", "cancel_reason", &id, text)?);
                    note = Some(text);
                    closed = Some(*when);
                }
                Move::Expire => closed = Some(*when),
            }
            events.push((
                *when,
                kind,
                actor.clone(),
                Some(id.clone()),
                detail.to_string(),
                note,
            ));
            let who = match moved {
                Move::Expire => ("system", None),
                _ => ("user", Some(actor.as_str())),
            };
            w.chain
                .record_as(&mut t.audit_events, *when, who, action, Res::Referral, &id);
            if *moved != Move::Expire {
                updated_by = Some(actor.clone());
            }
            updated = *when;
            status = to;
        }
        t.referrals.push(&[
            V::S(&id),
            V::S(ctx.id),
            V::S(ctx.child.id),
            V::S(&ctx.centre.org_id),
            V::S(&offer.provider_org),
            V::S(&offer.service_id),
            V::S(&offer.service_type),
            V::S(&offer.domain),
            V::S(&to_code(&status)),
            V::S(urgency),
            V::S(&reason),
            V::T(due_by),
            V::T(respond_by),
            V::O(consent.as_deref()),
            V::S(&json_list(&groups)),
            V::S(&snapshot),
            V::Null,
            V::O(overridden.as_deref()),
            V::O(declined.as_deref()),
            V::O(outcome),
            V::O(feedback.as_deref()),
            V::O(cancelled.as_deref()),
            V::S(sender),
            V::T(at),
            V::OT(answered),
            V::OT(started),
            V::OT(closed),
            V::O(updated_by.as_deref()),
            V::I(1 + steps.len() as i64),
            V::T(updated),
        ]);
    }
    Ok(())
}

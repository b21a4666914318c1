//! The protocol actions the rules in force would have created for the generated reports and
//! cases (`protocols::triggers`): `report_received` on a report, `case_opened`,
//! `concern_present`, `risk_level_reached` and `stage_reached` when a case opens, then
//! `risk_level_reached` at its assessment and `stage_reached` at each stage change (each rule
//! once per case, as the server fires them). Each action is due at its trigger time plus the
//! rule's deadline and settled as the people would have: done (mostly in time, some late, a
//! screening when the report was screened, an assessment when it was recorded), rarely
//! waived with a sealed reason, and still open (pending, or overdue past its due time) when
//! the dataset's present came first. The time-driven triggers (`turning_18_in_institution`,
//! `referral_unanswered`) are left to the server's worker.
use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};
use madar_openapi::protocols::ProtocolRule;
use rand::Rng;

use super::audit::Chain;
use super::lifecycle::between;
use super::sql::V;
use super::staff::Staff;
use super::tables::Tables;
use super::Ids;
use crate::audit::{AuditAction as A, Resource as Res};
use crate::crypto::{Keyring, Place};
use crate::db::DbConn;
use crate::protocols::domain::{self, Facts};

/// The rules in force for a territory, each with the id of the protocol it comes from.
pub type Rules = Vec<(String, ProtocolRule)>;

/// The rules in force for each centre's territory (the national protocol and its variants).
pub fn load(conn: &mut DbConn, staff: &Staff) -> anyhow::Result<HashMap<String, Rules>> {
    let mut all = HashMap::new();
    for centre in &staff.centres {
        if !all.contains_key(&centre.territory) {
            let rules = crate::protocols::triggers::effective(conn, &centre.territory)?;
            all.insert(centre.territory.clone(), rules);
        }
    }
    Ok(all)
}

/// One action a trigger created, before it is settled.
pub(super) struct Fired<'r> {
    pub protocol_id: &'r str,
    pub rule_key: &'r str,
    pub event: &'static str,
    pub action: &'r str,
    pub service_type: Option<&'r str>,
    pub responsible: &'r str,
    pub created: NaiveDateTime,
    pub due: NaiveDateTime,
}

/// The actions of the rules that fire on `facts` at `at`, leaving out the rules of `fired`
/// (each `(event, rule key)` fires once per case) and noting those that fire.
pub(super) fn fire<'r>(
    rules: &'r Rules,
    facts: &Facts,
    at: NaiveDateTime,
    fired: Option<&mut Vec<(&'static str, &'r str)>>,
) -> Vec<Fired<'r>> {
    let mut out = Vec::new();
    let mut seen = fired;
    for (protocol_id, rule) in rules.iter().filter(|(_, r)| domain::fires(r, facts)) {
        if let Some(seen) = seen.as_deref_mut() {
            let key = (facts.event, rule.key.as_str());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
        }
        for a in &rule.actions {
            out.push(Fired {
                protocol_id,
                rule_key: &rule.key,
                event: facts.event,
                action: &a.action,
                service_type: a.service_type.as_deref(),
                responsible: &a.responsible,
                created: at,
                due: at + TimeDelta::hours(a.deadline_hours),
            });
        }
    }
    out
}

/// How an action ended (or not yet).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum End {
    Done(NaiveDateTime),
    /// Waived at that time, with a sealed reason (audited).
    Waived(NaiveDateTime),
    Open,
}

/// The usual course of an action created at `created`, due at `due`, on a subject whose life
/// runs to `horizon` (`open`: still running at the dataset's present).
pub(super) fn settle<R: Rng>(
    rng: &mut R,
    created: NaiveDateTime,
    due: NaiveDateTime,
    horizon: NaiveDateTime,
    open: bool,
) -> End {
    if rng.gen_bool(0.02) {
        return End::Waived(between(rng, created, due.min(horizon)));
    }
    let span = (due - created).num_seconds().max(60) as f64;
    let at = if rng.gen_bool(0.85) {
        created + TimeDelta::seconds((span * rng.gen_range(0.05..0.95)) as i64)
    } else {
        due + TimeDelta::seconds((span * rng.gen_range(0.02..1.0)) as i64 + 60)
    };
    match (at <= horizon, open) {
        (true, _) => End::Done(at),
        (false, true) => End::Open,
        // The case closed first: the action was waived at its closing.
        (false, false) => End::Waived(horizon),
    }
}

/// Where the actions go and who closes them.
pub(super) struct Subject<'a> {
    pub territory: &'a str,
    pub report_id: Option<&'a str>,
    pub case_id: Option<&'a str>,
    /// The user who completes or waives them.
    pub by: &'a str,
    pub now: NaiveDateTime,
}

const WAIVERS: [&str; 3] = [
    "Dossier clôturé avant l'échéance.",
    "Action déjà réalisée par un partenaire.",
    "لم يعد الإجراء ضروريا بعد تقييم الوضعية",
];

/// Writes one action as it ended, with the audit event of its waiver. Completions are left
/// out of the audit trail: one per action, they would add about half again to the largest
/// table of the dataset and so to the time a national load takes (the benchmark's budget).
#[allow(clippy::too_many_arguments)]
pub(super) fn write<R: Rng>(
    keys: &Keyring,
    chain: &mut Chain,
    rng: &mut R,
    ids: &mut Ids,
    t: &mut Tables,
    s: &Subject<'_>,
    f: &Fired<'_>,
    end: End,
) -> anyhow::Result<()> {
    let id = ids.next(f.created);
    let (status, completed, waiver, version, updated) = match end {
        End::Done(at) => ("done", Some(at), None, 2, at),
        End::Waived(at) => {
            let text = WAIVERS[rng.gen_range(0..WAIVERS.len())];
            let place = Place {
                table: "protocol_actions",
                column: "waiver_reason_sealed",
                row_id: &id,
            };
            ("waived", Some(at), Some(keys.seal(place, text)?), 2, at)
        }
        // The worker marks a pending action overdue shortly after its due time.
        End::Open if f.due <= s.now => ("overdue", None, None, 1, f.due),
        End::Open => ("pending", None, None, 1, f.created),
    };
    t.protocol_actions.push(&[
        V::S(&id),
        V::S(f.protocol_id),
        V::S(f.rule_key),
        V::S(f.event),
        V::S(f.action),
        V::O(f.service_type),
        V::S(f.responsible),
        V::S(s.territory),
        V::O(s.report_id),
        V::O(s.case_id),
        V::S(status),
        V::T(f.due),
        V::T(f.created),
        V::OT(completed),
        V::O(completed.map(|_| s.by)),
        V::O(waiver.as_deref()),
        V::I(version),
        V::T(updated),
    ]);
    if let End::Waived(at) = end {
        chain.record(
            &mut t.audit_events,
            at,
            ("user", s.by),
            A::ProtocolActionWaive,
            Res::ProtocolAction,
            &id,
        );
    }
    Ok(())
}

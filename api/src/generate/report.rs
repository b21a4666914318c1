//! One generated report: numbered in its territory's series, routed as the server routes, its
//! reporter's name and narrative sealed, screened (or still waiting), and audited.
use chrono::Datelike;
use rand::Rng;

use super::child::{json_list, Filed, Person, World};
use super::dist;
use super::lifecycle::ReportPlan;
use super::names;
use super::protocol::{self, End};
use super::sql::V;
use super::staff::Centre;
use super::tables::Tables;
use super::Ids;
use crate::audit::{AuditAction as A, Resource as Res};
use crate::protocols::domain::Facts;
use madar_openapi::cases::RiskLevel;

impl World<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn report<R: Rng>(
        &mut self,
        rng: &mut R,
        ids: &mut Ids,
        t: &mut Tables,
        centre: &Centre,
        person: &Person,
        child_id: &str,
        plan: &ReportPlan,
        concerns: Vec<usize>,
    ) -> anyhow::Result<Filed> {
        let at = plan.received;
        let id = ids.next(at);
        let year = at.year();
        let seq = self.number("report", &centre.territory, year);
        let reference = crate::reports::domain::reference(&centre.territory, year, seq);
        let source = self.sources.pick(rng);
        let reporter = dist::reporter_type(rng, source);
        let (kind, by, org) = if source == "hotline_2511" || source == "online_2511" {
            (
                "client",
                self.staff.hotline.0.as_str(),
                self.staff.hotline.1.as_str(),
            )
        } else {
            let w = &centre.workers[rng.gen_range(0..centre.workers.len())];
            ("user", w.as_str(), centre.org_id.as_str())
        };
        let reporter_name = if reporter == "anonymous" || reporter == "child_self" {
            None
        } else {
            let g = names::pick(rng, &self.names.male).latin[0];
            let f = names::pick(rng, &self.names.family).latin[0];
            Some(self.seal("reports", "reporter_name", &id, &format!("{g} {f}"))?)
        };
        let narrative = self.seal(
            "reports",
            "narrative",
            &id,
            dist::NARRATIVES[rng.gen_range(0..dist::NARRATIVES.len())],
        )?;
        let danger = rng.gen_bool(0.05);
        let status = match (plan.screened, plan.case) {
            (None, _) => "received",
            (Some(_), Some(_)) => "case_opened",
            (Some(_), None) => "closed",
        };
        let codes = self.codes(&concerns);
        t.reports.push(&[
            V::S(&id),
            V::S(&reference),
            V::S(&centre.territory),
            V::S(source),
            V::T(at),
            V::S(reporter),
            V::O(reporter_name.as_deref()),
            V::B(danger),
            V::I(if danger { 0 } else { 1 }),
            V::S(&narrative),
            V::S(status),
            V::B(centre.routes.is_empty()),
            V::S(kind),
            V::S(by),
            V::S(org),
            V::I(if plan.screened.is_some() { 2 } else { 1 }),
            V::T(at),
            V::T(plan.screened.unwrap_or(at)),
        ]);
        let names = self.spelled(rng, person);
        let (dob, year) = if person.exact {
            (Some(person.birth), None)
        } else {
            (None, Some(i64::from(person.birth.year())))
        };
        t.report_children.push(&[
            V::S(&id),
            V::I(0),
            V::O(names[0]),
            V::O(names[1]),
            V::O(names[2]),
            V::O(names[3]),
            V::S(person.sex),
            V::OD(dob),
            year.map_or(V::Null, V::I),
            V::S(&centre.territory),
            V::S(&json_list(&codes)),
        ]);
        for code in &codes {
            t.report_concerns.push(&[V::S(&id), V::S(code)]);
        }
        for org in &centre.routes {
            t.report_routes.push(&[V::S(&id), V::S(org)]);
        }
        self.chain.record(
            &mut t.audit_events,
            at,
            (kind, by),
            A::ReportCreate,
            Res::Report,
            &id,
        );
        let mut screened_by = None;
        if let Some(screened) = plan.screened {
            let screener = &centre.workers[rng.gen_range(0..centre.workers.len())];
            screened_by = Some(screener.as_str());
            let (decision, reason) = match plan.case {
                Some(_) => ("accept", None),
                None => ("close", Some(self.screen_closings.pick(rng))),
            };
            t.report_screenings.push(&[
                V::S(&id),
                V::S(decision),
                V::O(reason),
                V::S(screener),
                V::T(screened),
            ]);
            if plan.case.is_some() {
                t.report_child_links
                    .push(&[V::S(&id), V::I(0), V::S(child_id)]);
            }
            self.chain.record(
                &mut t.audit_events,
                screened,
                ("user", screener),
                A::ReportScreen,
                Res::Report,
                &id,
            );
        }
        // What the protocol in force asked on receiving it: its screening, done at the
        // screening, and for immediate danger the prosecutor and a medical examination.
        if let Some(rules) = self.rules.get(&centre.territory) {
            let facts = Facts {
                event: "report_received",
                concerns: codes.iter().map(|c| c.to_string()).collect(),
                risk_level: danger.then_some(RiskLevel::ImmediateDanger),
                stage: None,
                age: None,
                immediate_danger: danger,
            };
            let worker = &centre.workers[rng.gen_range(0..centre.workers.len())];
            let subject = protocol::Subject {
                territory: &centre.territory,
                report_id: Some(&id),
                case_id: None,
                by: screened_by.unwrap_or(worker),
                now: self.now,
            };
            for f in protocol::fire(rules, &facts, at, None) {
                let end = match (f.action, plan.screened) {
                    ("screen_report", Some(s)) => End::Done(s),
                    ("screen_report", None) => End::Open,
                    _ => protocol::settle(rng, f.created, f.due, self.now, true),
                };
                protocol::write(self.keys, &mut self.chain, rng, ids, t, &subject, &f, end)?;
            }
        }
        Ok(Filed {
            id,
            concerns,
            danger,
            screened: plan.screened,
            opens: plan.opens,
        })
    }
}

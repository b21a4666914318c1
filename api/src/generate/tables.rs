//! The tables the generator fills, each with its pending rows, in foreign-key order.
use super::sql::Rows;
use crate::db::DbConn;

macro_rules! tables {
    ($($field:ident: $table:literal ($columns:literal)),* $(,)?) => {
        pub struct Tables {
            $(pub $field: Rows,)*
        }

        impl Tables {
            /// Multi-row INSERTs (SQLite), or COPY when `copy` (PostgreSQL).
            pub fn new(copy: bool) -> Tables {
                Tables {
                    $($field: {
                        let rows = Rows::new($table, $columns);
                        if copy {
                            fn send(
                                conn: &mut diesel::PgConnection,
                                data: &[u8],
                            ) -> diesel::QueryResult<usize> {
                                struct Target;
                                impl diesel::pg::CopyTarget for Target {
                                    type Table = crate::schema::$field::table;
                                    type SqlType = diesel::sql_types::Text;
                                    fn walk_target(
                                        mut pass: diesel::query_builder::AstPass<'_, '_, diesel::pg::Pg>,
                                    ) -> diesel::QueryResult<()> {
                                        pass.push_sql(concat!($table, " (", $columns, ")"));
                                        Ok(())
                                    }
                                }
                                use diesel::prelude::*;
                                diesel::copy_from(crate::schema::$field::table)
                                    .from_raw_data(Target, |w: &mut dyn std::io::Write| {
                                        w.write_all(data).map_err(|e| {
                                            diesel::result::Error::SerializationError(Box::new(e))
                                        })
                                    })
                                    .execute(conn)
                            }
                            rows.copied(send)
                        } else {
                            rows
                        }
                    },)*
                }
            }

            fn all(&mut self) -> Vec<&mut Rows> {
                vec![$(&mut self.$field,)*]
            }

            /// Rows written so far, per table.
            pub fn summary(&self) -> String {
                let mut parts = Vec::new();
                $(parts.push(format!("{} {}", $table, self.$field.total));)*
                parts.join(", ")
            }
        }
    };
}

tables! {
    children: "children" ("id, given_name_ar, family_name_ar, given_name_latin, family_name_latin, \
        aliases, sex, date_of_birth, estimated_birth_year, nationality, civil_status, \
        territory_code, situation, owner_org, created_by_id, created_at, updated_at"),
    reports: "reports" ("id, reference, territory_code, source, received_at, reporter_type, \
        reporter_name_sealed, immediate_danger, priority, narrative_sealed, status, \
        routed_national, created_by_kind, created_by_id, created_by_org, version, created_at, \
        updated_at"),
    report_children: "report_children" ("report_id, position, given_name_ar, family_name_ar, \
        given_name_latin, family_name_latin, sex, date_of_birth, estimated_birth_year, \
        territory_code, situation"),
    report_concerns: "report_concerns" ("report_id, concern_code"),
    report_routes: "report_routes" ("report_id, organization_id"),
    report_screenings: "report_screenings" ("report_id, decision, closing_reason, decided_by, \
        decided_at"),
    report_child_links: "report_child_links" ("report_id, position, child_id"),
    cases: "cases" ("id, reference, child_id, territory_code, owner_org, stage, urgency, \
        priority, risk_level, closure_reason, outcome_note_sealed, opened_at, closed_at, \
        opened_by_id, version, created_at, updated_at"),
    case_concerns: "case_concerns" ("case_id, concern_code"),
    case_assignments: "case_assignments" ("case_id, user_id, assigned_at"),
    case_reports: "case_reports" ("case_id, report_id, attached_at"),
    case_assessments: "case_assessments" ("id, case_id, instrument_code, instrument_version, \
        answers, score, computed_level, risk_level, status, assessed_by_id, assessed_at, \
        created_at"),
    case_plans: "case_plans" ("case_id, status, version, updated_by_id, created_at, updated_at"),
    plan_objectives: "plan_objectives" ("id, case_id, position, domain, description_sealed"),
    plan_actions: "plan_actions" ("id, case_id, objective_id, position, description_sealed, \
        responsible_org, due_date, status"),
    case_services: "case_services" ("id, case_id, service_type, domain, delivered_at, by_org, \
        recorded_by_id, created_at"),
    case_notes: "case_notes" ("id, case_id, note_type, occurred_at, sensitive, text_sealed, \
        author_id, created_at"),
    judicial_measures: "judicial_measures" ("id, case_id, measure_type, authority, \
        measure_date, created_by_id, created_at, updated_at"),
    child_consents: "child_consents" ("id, child_id, given_by, relationship, given_at, \
        recipients, field_groups, purpose_sealed, expires_at, created_by_id, created_at, \
        updated_at"),
    referrals: "referrals" ("id, case_id, child_id, from_org, to_org, service_id, service_type, \
        domain, status, urgency, reason_sealed, due_by, respond_by, consent_id, field_groups, \
        snapshot_sealed, plan_action_id, override_reason_sealed, decline_reason_sealed, outcome, \
        feedback_sealed, cancel_reason_sealed, sent_by_id, sent_at, answered_at, started_at, \
        closed_at, updated_by_id, version, updated_at"),
    protocol_actions: "protocol_actions" ("id, protocol_id, rule_key, trigger_event, action, \
        service_type, responsible, territory_code, report_id, case_id, status, due_at, \
        created_at, completed_at, completed_by_id, waiver_reason_sealed, version, updated_at"),
    case_events: "case_events" ("id, case_id, kind, at, actor_id, subject_id, detail, \
        note_sealed"),
    audit_events: "audit_events" ("id, occurred_at, actor_kind, actor_id, action, \
        resource_type, resource_id, seq, prev_hmac, hmac"),
}

impl Tables {
    /// Sends every table whose statement is full. Parents are sent with their children: with
    /// foreign keys checked (PostgreSQL), a row never goes before the row it names.
    pub fn flush_full(&mut self, conn: &mut DbConn) -> anyhow::Result<()> {
        if self.all().iter().any(|t| t.full()) {
            self.flush_all(conn)?;
        }
        Ok(())
    }

    /// Sends everything pending, parents first.
    pub fn flush_all(&mut self, conn: &mut DbConn) -> anyhow::Result<()> {
        for table in self.all() {
            table.flush(conn)?;
        }
        Ok(())
    }

    pub fn total(&self) -> u64 {
        let mut all = 0;
        for t in [
            &self.children,
            &self.reports,
            &self.report_children,
            &self.report_concerns,
            &self.report_routes,
            &self.report_screenings,
            &self.report_child_links,
            &self.cases,
            &self.case_concerns,
            &self.case_assignments,
            &self.case_reports,
            &self.case_assessments,
            &self.case_plans,
            &self.plan_objectives,
            &self.plan_actions,
            &self.case_services,
            &self.case_notes,
            &self.judicial_measures,
            &self.child_consents,
            &self.referrals,
            &self.protocol_actions,
            &self.case_events,
            &self.audit_events,
        ] {
            all += t.total;
        }
        all
    }
}

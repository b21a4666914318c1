//! The validation limits of every request body agree with its OpenAPI schema: a value at a
//! schema bound passes `validate()`, one step past it fails on that field.
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use utoipa::PartialSchema;
use validator::Validate;

use crate::auth::{LoginRequest, RefreshRequest, TokenRequest};
use crate::children::{CreateChild, MergeChild, UpdateChild};
use crate::clients::{CreateClient, UpdateClient};
use crate::common::{Labels, PartialLabels};
use crate::consents::{CreateConsent, WithdrawConsent};
use crate::family::{CreateGuardian, LinkSibling, UpdateGuardian};
use crate::organizations::{CreateOrganization, UpdateOrganization};
use crate::reports::{CreateReport, ReportedChild, Reporter, ScreenReport, ScreenedChild};
use crate::users::{CreateUser, UpdateUser};

/// A string of `n` characters that satisfies the field's other rules.
fn text(n: usize, format: Option<&str>) -> String {
    match format {
        Some("phone") => "1".repeat(n),
        Some("email") if n >= 6 => {
            // A local part of at most 64 characters, then domain labels of at most 60.
            let local = "a".repeat((n - 5).min(64));
            let mut domain = String::from("ma");
            while local.len() + 1 + domain.len() < n {
                let room = n - local.len() - 1 - domain.len() - 1;
                domain = format!("{}.{domain}", "b".repeat(room.clamp(1, 60)));
            }
            format!("{local}@{domain}")
        }
        _ => "a".repeat(n),
    }
}

fn fails_on<T: DeserializeOwned + Validate>(body: &Value, field: &str) -> bool {
    let value: T = serde_json::from_value(body.clone()).expect("a body of the right shape");
    match value.validate() {
        Ok(()) => false,
        Err(e) => e.field_errors().contains_key(field),
    }
}

fn check<T: PartialSchema + DeserializeOwned + Validate>(valid: Value) -> usize {
    let schema = serde_json::to_value(T::schema()).expect("schema");
    let props = schema["properties"]
        .as_object()
        .expect("properties")
        .clone();
    assert!(!fails_on::<T>(&valid, ""), "the example must be valid");
    let mut checked = 0;
    for (name, prop) in props {
        // A phone's pattern wants digits; other strings take letters.
        let format = prop["format"].as_str().or_else(|| {
            prop["pattern"]
                .as_str()
                .filter(|p| p.contains("+0-9"))
                .map(|_| "phone")
        });
        let at = |v: Value| {
            let mut body = valid.clone();
            body[&name] = v;
            body
        };
        if let Some(max) = prop["maxLength"].as_u64() {
            let max = max as usize;
            assert!(
                !fails_on::<T>(&at(json!(text(max, format))), &name),
                "{name}: {max} characters must pass"
            );
            assert!(
                fails_on::<T>(&at(json!(text(max + 1, format))), &name),
                "{name}: {} characters must fail",
                max + 1
            );
            checked += 1;
        }
        if let Some(min) = prop["minLength"].as_u64().filter(|m| *m > 0) {
            let min = min as usize;
            assert!(
                !fails_on::<T>(&at(json!(text(min.max(6), format))), &name),
                "{name}: {min} characters must pass"
            );
            if format.is_none() {
                assert!(
                    fails_on::<T>(&at(json!(text(min - 1, format))), &name),
                    "{name}: {} characters must fail",
                    min - 1
                );
            }
            checked += 1;
        }
        if let Some(max) = prop["maxItems"].as_u64() {
            // Items like the example's first (an enum code must stay valid), else plain codes.
            let first = valid[&name].get(0).cloned();
            let items: Vec<Value> = (0..=max)
                .map(|i| first.clone().unwrap_or_else(|| json!(format!("t{i}"))))
                .collect();
            assert!(
                fails_on::<T>(&at(json!(items)), &name),
                "{name}: {} items must fail",
                max + 1
            );
            assert!(
                !fails_on::<T>(&at(json!(items[..max as usize])), &name),
                "{name}: {max} items must pass"
            );
            checked += 1;
        }
        let bound = |key: &str| {
            prop[key]
                .as_i64()
                .or_else(|| prop[key].as_f64().map(|f| f as i64))
        };
        if let Some(max) = bound("maximum") {
            assert!(
                !fails_on::<T>(&at(json!(max)), &name),
                "{name}: {max} must pass"
            );
            assert!(
                fails_on::<T>(&at(json!(max + 1)), &name),
                "{name}: {} must fail",
                max + 1
            );
            checked += 1;
        }
        if let Some(min) = bound("minimum") {
            assert!(
                !fails_on::<T>(&at(json!(min)), &name),
                "{name}: {min} must pass"
            );
            assert!(
                fails_on::<T>(&at(json!(min - 1)), &name),
                "{name}: {} must fail",
                min - 1
            );
            checked += 1;
        }
        if prop["minItems"].as_u64() == Some(1) {
            assert!(
                fails_on::<T>(&at(json!([])), &name),
                "{name}: no items must fail"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn validator_limits_agree_with_the_schema() {
    let labels = json!({"ar": "مركز", "fr": "Centre", "en": "Centre"});
    let mut checked = 0;
    checked += check::<Labels>(labels.clone());
    checked += check::<PartialLabels>(json!({"ar": "مركز"}));
    checked += check::<CreateOrganization>(
        json!({"code": "cape-rabat", "name": "CAPE Rabat", "labels": labels, "type": "support_centre", "territories": ["421"]}),
    );
    checked += check::<UpdateOrganization>(json!({"name": "CAPE", "territories": ["421"]}));
    checked += check::<CreateUser>(json!({
        "email": "amina@example.ma", "display_name": "Amina", "password": "a long password",
        "role": "case_worker", "organization": "cape-rabat", "territory": "421"
    }));
    checked += check::<UpdateUser>(
        json!({"display_name": "Amina", "password": "a long password", "organization": "o", "territory": "421"}),
    );
    checked += check::<CreateClient>(
        json!({"name": "2511", "organization": "hotline-2511", "role": "hotline"}),
    );
    checked += check::<UpdateClient>(json!({"name": "2511"}));
    checked += check::<LoginRequest>(json!({"email": "a@b.ma", "password": "x"}));
    checked += check::<RefreshRequest>(json!({"refresh_token": "t"}));
    checked += check::<TokenRequest>(
        json!({"grant_type": "client_credentials", "client_id": "c", "client_secret": "s", "scope": ""}),
    );
    checked +=
        check::<Reporter>(json!({"type": "neighbour", "name": "Fatima", "phone": "0600000000"}));
    let child = json!({"given_name_latin": "Amine", "family_name_ar": "العلوي", "sex": "male", "territory": "421",
                       "address_text": "Hay Riad", "estimated_birth_year": 2014,
                       "situation": ["street_situation"]});
    checked += check::<ReportedChild>(child.clone());
    checked += check::<CreateReport>(json!({
        "source": "hotline_2511", "received_at": "2026-01-05T10:00:00Z", "external_ref": "CALL-1",
        "reporter": {"type": "anonymous"}, "children": [child], "concerns": ["neglect"],
        "immediate_danger": false, "narrative": "Le voisin signale un enfant seul."
    }));
    checked += check::<ScreenedChild>(json!({"index": 0, "create": true}));
    checked += check::<ScreenReport>(json!({
        "decision": "accept",
        "children": [{"index": 0, "create": true}, {"index": 1, "child_id": "01a22bb8-3f27-7223-9fad-10acb7f42e8a"}]
    }));
    checked += check::<CreateChild>(json!({
        "given_name_ar": "محمد", "family_name_latin": "El Idrissi", "aliases": ["Hamoudi"],
        "sex": "male", "estimated_birth_year": 2014, "nationality": "MA",
        "civil_status": "registered", "territory": "421", "situation": ["out_of_school"],
        "family_situation": "Lives with his grandmother.", "schooling": "Left school in 2024."
    }));
    checked += check::<UpdateChild>(json!({
        "given_name_latin": "Mohamed", "aliases": ["Hamoudi"], "nationality": "MA",
        "territory": "421", "family_situation": "Back with his mother.", "schooling": "CE6"
    }));
    checked += check::<CreateConsent>(json!({
        "given_by": "The mother", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
        "recipients": ["cape-sale", "ngo"], "field_groups": ["identity", "health"],
        "purpose": "Medical follow-up.", "expires_at": "2027-01-05T10:00:00Z"
    }));
    checked += check::<WithdrawConsent>(json!({"reason": "Changed her mind."}));
    checked += check::<CreateGuardian>(json!({
        "relationship": "mother", "name": "Fatima Alaoui", "phone": "+212 6 61 00 00 00",
        "address": "Derb Sidi Fateh, Rabat", "lives_with_child": true, "primary": true
    }));
    checked += check::<UpdateGuardian>(json!({
        "name": "Fatima Alaoui", "phone": "0661000000", "address": "Salé"
    }));
    checked += check::<crate::services::CreateService>(json!({
        "type": "legal_aid", "provider": "ngo-rabat", "name": "Aide juridique", "name_ar": "مساعدة",
        "name_fr": "Aide", "description": "Conseil.", "min_age": 0, "max_age": 18, "sexes": ["female"],
        "concerns": ["neglect"], "languages": ["ar"], "capacity": 5, "places_available": 2,
        "territories": ["421"], "locations": [{"address": "Agdal", "phone": "0537000000"}]
    }));
    checked += check::<crate::services::UpdateService>(json!({
        "name": "Aide", "languages": ["fr"], "territories": ["421"], "sexes": ["male"], "concerns": ["neglect"],
        "locations": [{"address": "Agdal"}]
    }));
    checked += check::<crate::services::ServiceLocationInput>(json!({
        "name": "Accueil", "address": "Agdal", "city": "Rabat", "territory": "421",
        "phone": "0537000000", "opening_hours": "8h-16h", "latitude": 34.0, "longitude": -6.8
    }));
    checked += check::<crate::services::ServiceCapacity>(json!({"places_available": 3}));
    checked += check::<crate::cases::RecordCaseService>(json!({
        "service_type": "social_emergency", "delivered_at": "2026-01-05T10:00:00Z",
        "by_organization": "cape-rabat", "notes": "Night outreach."
    }));
    checked += check::<crate::cases::CreatePlacement>(json!({
        "institution": "eps-rabat", "from": "2026-01-05", "reason": "Court order."
    }));
    checked += check::<crate::cases::UpdatePlacement>(json!({"to": "2026-02-05", "reason": "x"}));
    checked += check::<crate::cases::CreateJudicialMeasure>(json!({
        "measure_type": "hearing", "authority": "Tribunal de Rabat", "date": "2026-01-05",
        "reference": "123/2026", "outcome": "Adjourned."
    }));
    checked += check::<crate::cases::UpdateJudicialMeasure>(
        json!({"reference": "123/2026", "outcome": "Placed."}),
    );
    checked += check::<crate::cases::CaseTransition>(json!({
        "to": "closed", "reason": "Back home.", "closure_reason": "reintegrated_family",
        "outcome_note": "Goes to school."
    }));
    checked += check::<crate::approvals::DecideApproval>(
        json!({"decision": "approve", "comment": "Agreed."}),
    );
    checked += check::<crate::approvals::SetApprovalRule>(json!({"enabled": true}));
    checked += check::<crate::cases::CreateAssessment>(
        json!({"instrument": "madar_risk", "version": 1, "answers": {"housing": "stable"}, "risk_level": "high", "override_justification": "Why."}),
    );
    checked += check::<crate::cases::ReplacePlan>(
        json!({"objectives": [{"domain": "health_care", "description": "Soins"}]}),
    );
    checked += check::<crate::cases::NewPlanObjective>(
        json!({"domain": "health_care", "description": "Soins", "actions": [{"description": "Examen"}]}),
    );
    checked += check::<crate::cases::NewPlanAction>(
        json!({"description": "Examen", "responsible_organization": "health-rabat", "due_date": "2026-12-15", "status": "planned"}),
    );
    checked += check::<crate::referrals::CreateReferral>(json!({
        "organization": "ngo-rabat", "service_type": "psychological_support",
        "reason": "Suivi psychologique.", "urgency": "high", "due_by": "2027-01-05T10:00:00Z",
        "field_groups": ["identity", "contact"], "override_reason": "Urgence, mère injoignable."
    }));
    checked += check::<crate::referrals::DeclineReferral>(json!({"reason": "Complet."}));
    checked += check::<crate::referrals::CompleteReferral>(json!({
        "outcome": "achieved", "feedback": "Six séances."
    }));
    checked += check::<crate::referrals::CancelReferral>(json!({"reason": "Déménagé."}));
    checked += check::<crate::plans::CreateActionPlan>(json!({
        "territory": "421", "title": "Plan", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
        "objectives": [{"key": "o1", "title": "Objectif", "measures": []}]
    }));
    checked += check::<crate::plans::ActionPlanObjective>(json!({
        "key": "o1", "title": "Objectif", "measures": [{"key": "m1", "title": "Mesure"}]
    }));
    checked += check::<crate::plans::ActionPlanMeasure>(json!({
        "key": "m1", "title": "Mesure", "responsible": ["ngo-rabat"], "budget_mad": 1000,
        "expected_results": "Plus.", "indicators": [{"key": "i1", "name": "Indicateur"}]
    }));
    checked += check::<crate::plans::ActionPlanIndicator>(json!({
        "key": "i1", "name": "Signalements", "statistics_query": "measure=reports"
    }));
    checked += check::<crate::plans::RecordPlanProgress>(json!({
        "measure": "m1", "status": "in_progress", "percent_done": 10, "as_of": "2026-06-01",
        "note": "Bien.", "values": [{"indicator": "i1", "value": 3.0}]
    }));
    checked += check::<crate::programme::ProgrammeMeasure>(json!({
        "key": "m1", "title": "Mesure", "sector": "Ministère", "partners": ["UNICEF"],
        "starts_year": 2026, "ends_year": 2027, "status": "planned",
        "indicators": [{"key": "i1", "name": "Indicateur"}]
    }));
    checked += check::<crate::programme::ProgrammeIndicator>(json!({
        "key": "i1", "name": "Indicateur", "yearly": [{"year": 2026, "value": 1.0}]
    }));
    checked += check::<crate::programme::StrategicObjective>(json!({
        "code": "so1", "title": {"ar": "هدف", "fr": "Objectif", "en": "Objective"},
        "sub_objectives": [{"key": "s1", "title": "Sous-objectif"}]
    }));
    checked += check::<crate::protocols::CreateProtocol>(json!({
        "territory": "MA", "title": "Protocole national",
        "rules": [{"key": "screen", "actions": []}]
    }));
    checked += check::<crate::protocols::UpdateProtocol>(
        json!({"title": "Protocole", "rules": [{"key": "screen", "actions": []}]}),
    );
    checked += check::<crate::protocols::ProtocolRule>(json!({
        "key": "screen", "description": "Tri.", "trigger": {"event": "report_received"},
        "actions": [{"action": "screen_report", "responsible": "owning_organization", "deadline_hours": 2}]
    }));
    checked += check::<crate::protocols::RuleTrigger>(json!({
        "event": "case_opened", "concerns": ["neglect"], "risk_level": "high",
        "stage": "assessment", "min_age": 3, "max_age": 17
    }));
    checked += check::<crate::protocols::RuleAction>(json!({
        "action": "service_referral", "service_type": "medical_exam",
        "responsible": "owning_organization", "deadline_hours": 24
    }));
    checked += check::<crate::protocols::WaiveProtocolAction>(json!({"reason": "Déjà fait."}));
    checked += check::<crate::cases::UpdateCase>(json!({
        "assigned_to": ["01a22bb8-3f27-7223-9fad-10acb7f42e8a"], "concerns": ["neglect"],
        "urgency": "high"
    }));
    checked += check::<crate::webhooks::CreateWebhook>(json!({
        "url": "https://partner.example/hooks", "events": ["referral.created"]
    }));
    // No bound to mirror yet: checked so that one added later is.
    checked += check::<LinkSibling>(json!({
        "child_id": "01a22bb8-3f27-7223-9fad-10acb7f42e8a", "relation": "half_sibling"
    }));
    checked += check::<MergeChild>(json!({"duplicate_id": "01a22bb8-3f27-7223-9fad-10acb7f42e8a"}));
    checked += check::<crate::cases::CreateNote>(
        json!({"note_type": "home_visit", "occurred_at": "2026-01-05T10:00:00Z", "sensitive": true, "text": "Visite."}),
    );
    checked += check::<crate::cases::CreateTransfer>(
        json!({"to_organization": "cape-sale", "territory": "441", "reason": "Déménagement."}),
    );
    checked += check::<crate::cases::DecideTransfer>(
        json!({"decision": "accept", "comment": "Bienvenue."}),
    );
    assert!(checked >= 30, "only {checked} limits were checked");
}

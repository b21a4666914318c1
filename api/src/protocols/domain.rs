//! The rules of protocols, pure: validating a version before publication (every problem, each
//! on `rules[<key>]...`), merging the national protocol with a territory's variant by rule
//! key, and deciding which rules a trigger fires.
use std::collections::HashSet;

use madar_openapi::cases::{CaseStage, RiskLevel};
use madar_openapi::organizations::OrganizationType;
use madar_openapi::pathway::ServiceType;
use madar_openapi::protocols::{ProtocolRule, RuleTrigger};
use madar_openapi::reports::ConcernType;
use madar_openapi::FieldError;
use serde::de::DeserializeOwned;

/// The longest deadline a rule may give: a year.
pub const MAX_DEADLINE_HOURS: i64 = 8760;

pub use madar_openapi::protocols::{ACTIONS, EVENTS, NATIONAL, OWNING_ORGANIZATION};

fn is<T: DeserializeOwned>(code: &str) -> bool {
    serde_json::from_value::<T>(serde_json::Value::String(code.to_string())).is_ok()
}

/// The rank of a risk level (low 0 … immediate_danger 3).
pub fn risk_rank(level: RiskLevel) -> u8 {
    match level {
        RiskLevel::Low => 0,
        RiskLevel::Medium => 1,
        RiskLevel::High => 2,
        RiskLevel::ImmediateDanger => 3,
    }
}

fn risk_of(code: &str) -> Option<RiskLevel> {
    serde_json::from_value(serde_json::Value::String(code.to_string())).ok()
}

struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, key: &str, field: &str, code: &str, message: &str) {
        let field = if field.is_empty() {
            format!("rules[{key}]")
        } else {
            format!("rules[{key}].{field}")
        };
        self.0.push(FieldError {
            field,
            code: code.into(),
            message: message.into(),
        });
    }
}

fn check_trigger(p: &mut Problems, key: &str, t: &RuleTrigger) {
    if !EVENTS.contains(&t.event.as_str()) {
        p.add(
            key,
            "trigger.event",
            "unknown_event",
            "names no trigger event",
        );
    }
    for (i, c) in t.concerns.iter().enumerate() {
        if !is::<ConcernType>(c) {
            let field = format!("trigger.concerns[{i}]");
            p.add(key, &field, "unknown_concern", "names no concern type");
        }
    }
    if let Some(r) = &t.risk_level {
        if !is::<RiskLevel>(r) {
            p.add(
                key,
                "trigger.risk_level",
                "unknown_risk_level",
                "names no risk level",
            );
        }
    }
    if let Some(s) = &t.stage {
        if !is::<CaseStage>(s) {
            p.add(key, "trigger.stage", "unknown_stage", "names no case stage");
        }
    }
    if let (Some(min), Some(max)) = (t.min_age, t.max_age) {
        if min > max {
            p.add(key, "trigger.max_age", "invalid_range", "is below min_age");
        }
    }
    let needs = match t.event.as_str() {
        "risk_level_reached" => t.risk_level.is_none().then_some("trigger.risk_level"),
        "concern_present" => t.concerns.is_empty().then_some("trigger.concerns"),
        "stage_reached" => t.stage.is_none().then_some("trigger.stage"),
        _ => None,
    };
    if let Some(field) = needs {
        p.add(key, field, "required", "this trigger event needs it");
    }
}

fn check_rule(p: &mut Problems, rule: &ProtocolRule) {
    let key = rule.key.as_str();
    match &rule.trigger {
        Some(t) => check_trigger(p, key, t),
        None => p.add(key, "trigger", "required", "a rule needs a trigger"),
    }
    if rule.actions.is_empty() {
        p.add(
            key,
            "actions",
            "required",
            "a rule asks for at least one action",
        );
    }
    for (i, a) in rule.actions.iter().enumerate() {
        let at = |f: &str| format!("actions[{i}].{f}");
        if !ACTIONS.contains(&a.action.as_str()) {
            p.add(
                key,
                &at("action"),
                "unknown_action",
                "names no protocol action",
            );
        }
        match &a.service_type {
            Some(s) if !is::<ServiceType>(s) => p.add(
                key,
                &at("service_type"),
                "unknown_service_type",
                "names no service type",
            ),
            None if a.action == "service_referral" => p.add(
                key,
                &at("service_type"),
                "required",
                "a service referral names its service type",
            ),
            _ => {}
        }
        if a.responsible != OWNING_ORGANIZATION && !is::<OrganizationType>(&a.responsible) {
            p.add(
                key,
                &at("responsible"),
                "unknown_responsible",
                "is neither owning_organization nor an organization type",
            );
        }
        if a.deadline_hours < 1 || a.deadline_hours > MAX_DEADLINE_HOURS {
            p.add(
                key,
                &at("deadline_hours"),
                "invalid_deadline",
                "lies between 1 and 8760 hours",
            );
        }
    }
}

/// Every problem of a version's rules. `base`: for a variant, the keys of the national
/// protocol in force (a variant disables only a rule that exists); `None` for the national
/// protocol itself, which disables nothing.
pub fn problems(rules: &[ProtocolRule], base: Option<&HashSet<String>>) -> Vec<FieldError> {
    let mut p = Problems(Vec::new());
    let mut seen = HashSet::new();
    for rule in rules {
        let key = rule.key.as_str();
        if !seen.insert(key) {
            p.add(key, "key", "duplicate_key", "two rules share this key");
        }
        if !rule.disabled {
            check_rule(&mut p, rule);
            continue;
        }
        match base {
            None => p.add(
                key,
                "disabled",
                "disabled_in_national",
                "the national protocol disables nothing: remove the rule",
            ),
            Some(keys) if !keys.contains(key) => p.add(
                key,
                "key",
                "unknown_base_rule",
                "disables a rule the national protocol does not have",
            ),
            Some(_) => {}
        }
    }
    p.0
}

/// The rules in force for a territory: the national ones, each replaced or disabled by the
/// variant's rule of the same key, then the variant's own rules.
pub fn merge(national: &[ProtocolRule], variant: Option<&[ProtocolRule]>) -> Vec<ProtocolRule> {
    let mut rules: Vec<ProtocolRule> = national.to_vec();
    for rule in variant.unwrap_or_default() {
        match rules.iter().position(|r| r.key == rule.key) {
            Some(i) if rule.disabled => {
                rules.remove(i);
            }
            Some(i) => rules[i] = rule.clone(),
            None if !rule.disabled => rules.push(rule.clone()),
            None => {}
        }
    }
    rules.retain(|r| !r.disabled);
    rules
}

/// What is known when a trigger fires.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub event: &'static str,
    pub concerns: Vec<String>,
    pub risk_level: Option<RiskLevel>,
    pub stage: Option<String>,
    pub age: Option<i32>,
    pub immediate_danger: bool,
}

/// Whether `rule` fires on `facts`: same event, and every condition it sets holds (an age or
/// risk condition is not met when the age or risk is unknown).
pub fn fires(rule: &ProtocolRule, facts: &Facts) -> bool {
    let Some(t) = rule.trigger.as_ref().filter(|_| !rule.disabled) else {
        return false;
    };
    if t.event != facts.event {
        return false;
    }
    if !t.concerns.is_empty() && !t.concerns.iter().any(|c| facts.concerns.contains(c)) {
        return false;
    }
    if let Some(level) = t.risk_level.as_deref() {
        match (risk_of(level), facts.risk_level) {
            (Some(want), Some(have)) if risk_rank(have) >= risk_rank(want) => {}
            _ => return false,
        }
    }
    if t.stage.is_some() && t.stage != facts.stage {
        return false;
    }
    if t.min_age.is_some() || t.max_age.is_some() {
        let Some(age) = facts.age else { return false };
        if t.min_age.is_some_and(|m| age < m) || t.max_age.is_some_and(|m| age > m) {
            return false;
        }
    }
    if t.immediate_danger
        .is_some_and(|d| d != facts.immediate_danger)
    {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use madar_openapi::protocols::RuleAction;

    fn action(code: &str, hours: i64) -> RuleAction {
        RuleAction {
            action: code.into(),
            service_type: None,
            responsible: OWNING_ORGANIZATION.into(),
            deadline_hours: hours,
        }
    }

    fn rule(key: &str, event: &str) -> ProtocolRule {
        ProtocolRule {
            key: key.into(),
            disabled: false,
            description: None,
            trigger: Some(RuleTrigger {
                event: event.into(),
                concerns: vec![],
                risk_level: None,
                stage: None,
                min_age: None,
                max_age: None,
                immediate_danger: None,
            }),
            actions: vec![action("contact_child", 24)],
        }
    }

    fn disabled(key: &str) -> ProtocolRule {
        ProtocolRule {
            key: key.into(),
            disabled: true,
            description: None,
            trigger: None,
            actions: vec![],
        }
    }

    fn fields(rules: &[ProtocolRule], base: Option<&HashSet<String>>) -> Vec<(String, String)> {
        problems(rules, base)
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn each_bad_rule_has_its_problem() {
        type Edit = fn(&mut ProtocolRule);
        let table: [(Edit, &str, &str); 12] = [
            (
                |r| r.actions[0].action = "dance".into(),
                "rules[k].actions[0].action",
                "unknown_action",
            ),
            (
                |r| r.actions[0].deadline_hours = 0,
                "rules[k].actions[0].deadline_hours",
                "invalid_deadline",
            ),
            (
                |r| r.actions[0].deadline_hours = -3,
                "rules[k].actions[0].deadline_hours",
                "invalid_deadline",
            ),
            (
                |r| r.actions[0].deadline_hours = 8761,
                "rules[k].actions[0].deadline_hours",
                "invalid_deadline",
            ),
            (
                |r| r.actions[0].responsible = "wizard".into(),
                "rules[k].actions[0].responsible",
                "unknown_responsible",
            ),
            (
                |r| r.actions[0].action = "service_referral".into(),
                "rules[k].actions[0].service_type",
                "required",
            ),
            (
                |r| r.actions[0].service_type = Some("spa".into()),
                "rules[k].actions[0].service_type",
                "unknown_service_type",
            ),
            (|r| r.actions.clear(), "rules[k].actions", "required"),
            (|r| r.trigger = None, "rules[k].trigger", "required"),
            (
                |r| {
                    if let Some(t) = r.trigger.as_mut() {
                        t.event = "full_moon".into()
                    }
                },
                "rules[k].trigger.event",
                "unknown_event",
            ),
            (
                |r| {
                    if let Some(t) = r.trigger.as_mut() {
                        t.concerns = vec!["boredom".into()]
                    }
                },
                "rules[k].trigger.concerns[0]",
                "unknown_concern",
            ),
            (
                |r| {
                    if let Some(t) = r.trigger.as_mut() {
                        t.event = "stage_reached".into()
                    }
                },
                "rules[k].trigger.stage",
                "required",
            ),
        ];
        for (edit, field, code) in table {
            let mut r = rule("k", "case_opened");
            edit(&mut r);
            assert_eq!(
                fields(&[r], None),
                vec![(field.to_string(), code.to_string())]
            );
        }
        assert!(problems(&[rule("k", "case_opened")], None).is_empty());
    }

    #[test]
    fn every_problem_is_listed_with_its_rule() {
        let mut bad = rule("b", "nothing");
        bad.actions.push(action("dance", 0));
        let rules = [rule("a", "case_opened"), rule("a", "case_opened"), bad];
        let found = fields(&rules, None);
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found.contains(&("rules[a].key".into(), "duplicate_key".into())));
        assert!(found.contains(&("rules[b].trigger.event".into(), "unknown_event".into())));
        assert!(found.contains(&("rules[b].actions[1].action".into(), "unknown_action".into())));
    }

    #[test]
    fn variants_disable_only_national_rules() {
        let base: HashSet<String> = ["screen".to_string()].into();
        assert!(problems(&[disabled("screen")], Some(&base)).is_empty());
        assert_eq!(
            fields(&[disabled("ghost")], Some(&base)),
            vec![("rules[ghost].key".into(), "unknown_base_rule".into())]
        );
        assert_eq!(
            fields(&[disabled("screen")], None),
            vec![(
                "rules[screen].disabled".into(),
                "disabled_in_national".into()
            )]
        );
    }

    #[test]
    fn a_variant_replaces_disables_and_adds_by_key() {
        let national = [
            rule("a", "case_opened"),
            rule("b", "case_opened"),
            rule("c", "case_opened"),
        ];
        let mut a2 = rule("a", "case_opened");
        a2.actions[0].deadline_hours = 6;
        let variant = [a2, disabled("b"), rule("d", "report_received")];
        let merged = merge(&national, Some(&variant));
        let keys: Vec<&str> = merged.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["a", "c", "d"]);
        assert_eq!(merged[0].actions[0].deadline_hours, 6);
        assert_eq!(merge(&national, None).len(), 3);
    }

    #[test]
    fn conditions_decide_whether_a_rule_fires() {
        let mut r = rule("k", "case_opened");
        if let Some(t) = r.trigger.as_mut() {
            t.concerns = vec!["sexual_violence".into(), "trafficking".into()];
            t.risk_level = Some("high".into());
            t.max_age = Some(17);
        }
        let facts = Facts {
            event: "case_opened",
            concerns: vec!["neglect".into(), "trafficking".into()],
            risk_level: Some(RiskLevel::ImmediateDanger),
            stage: None,
            age: Some(12),
            immediate_danger: true,
        };
        assert!(fires(&r, &facts));
        let table: [(Facts, bool); 5] = [
            (
                Facts {
                    event: "report_received",
                    ..facts.clone()
                },
                false,
            ),
            (
                Facts {
                    concerns: vec!["neglect".into()],
                    ..facts.clone()
                },
                false,
            ),
            (
                Facts {
                    risk_level: Some(RiskLevel::Medium),
                    ..facts.clone()
                },
                false,
            ),
            (
                Facts {
                    age: Some(18),
                    ..facts.clone()
                },
                false,
            ),
            (
                Facts {
                    age: None,
                    ..facts.clone()
                },
                false,
            ),
        ];
        for (f, expected) in table {
            assert_eq!(fires(&r, &f), expected, "{f:?}");
        }
    }
}

//! The protocol screens' rules without the browser (tested on the host): the list's address,
//! who may change a version, the editor's form as typed and the rules made from it, and each
//! problem of a refused save or publication put back on the rule and field it names.
use madar_openapi::protocols::{
    ProtocolResponse, ProtocolRule, ProtocolStatus, RuleAction, RuleTrigger, UpdateProtocol,
};
use madar_openapi::users::Role;
use validator::Validate;

use crate::pages::case::form::Uid;
use crate::pages::new_report::form::flatten;

pub use madar_openapi::protocols::{ACTIONS, EVENTS, NATIONAL, OWNING_ORGANIZATION};

/// `/protocols?…`, all of them or those of one status (`draft`, `published`, `retired`).
pub fn protocols_path(status: &str, limit: u32) -> String {
    match status {
        "" => format!("/protocols?limit={limit}"),
        s => format!("/protocols?limit={limit}&status={s}"),
    }
}

/// The territory a person may start a draft for: the national protocol for an admin, their
/// own territory's variant for a coordinator, none for the others.
pub fn draft_territory(role: Role, territory: &str) -> Option<String> {
    match role {
        Role::Admin => Some(NATIONAL.to_owned()),
        Role::Coordinator if !territory.is_empty() && territory != NATIONAL => {
            Some(territory.to_owned())
        }
        _ => None,
    }
}

/// Whether a person may change this version: a draft, the national one for an admin, a
/// variant for a coordinator (the server checks the variant lies in their subtree).
pub fn may_edit(role: Role, protocol: &ProtocolResponse) -> bool {
    protocol.status == ProtocolStatus::Draft
        && match role {
            Role::Admin => protocol.national,
            Role::Coordinator => !protocol.national,
            _ => false,
        }
}

/// One action of a rule as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionDraft {
    pub uid: Uid,
    pub action: String,
    pub service_type: String,
    pub responsible: String,
    pub deadline_hours: String,
}

impl Default for ActionDraft {
    fn default() -> ActionDraft {
        ActionDraft {
            uid: Uid::default(),
            action: String::new(),
            service_type: String::new(),
            responsible: OWNING_ORGANIZATION.to_owned(),
            deadline_hours: "24".to_owned(),
        }
    }
}

/// One rule as typed; an empty `event` means no trigger.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleDraft {
    pub uid: Uid,
    pub key: String,
    pub description: String,
    pub disabled: bool,
    pub event: String,
    pub concerns: Vec<String>,
    pub risk_level: String,
    pub stage: String,
    pub min_age: String,
    pub max_age: String,
    /// `""` (either), `"true"` or `"false"`.
    pub immediate_danger: String,
    pub actions: Vec<ActionDraft>,
}

/// The editor's form: the title and the rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProtocolForm {
    pub title: String,
    pub rules: Vec<RuleDraft>,
}

/// `(contract path, error code)` of each invalid field (`rules[2].actions[0].deadline_hours`).
pub type FieldErrors = Vec<(String, String)>;

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

impl RuleDraft {
    pub fn of(rule: &ProtocolRule) -> RuleDraft {
        let t = rule.trigger.as_ref();
        let age = |a: Option<i32>| a.map(|a| a.to_string()).unwrap_or_default();
        RuleDraft {
            uid: Uid::default(),
            key: rule.key.clone(),
            description: text(&rule.description),
            disabled: rule.disabled,
            event: t.map(|t| t.event.clone()).unwrap_or_default(),
            concerns: t.map(|t| t.concerns.clone()).unwrap_or_default(),
            risk_level: t.map(|t| text(&t.risk_level)).unwrap_or_default(),
            stage: t.map(|t| text(&t.stage)).unwrap_or_default(),
            min_age: age(t.and_then(|t| t.min_age)),
            max_age: age(t.and_then(|t| t.max_age)),
            immediate_danger: t
                .and_then(|t| t.immediate_danger)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            actions: rule
                .actions
                .iter()
                .map(|a| ActionDraft {
                    uid: Uid::default(),
                    action: a.action.clone(),
                    service_type: text(&a.service_type),
                    responsible: a.responsible.clone(),
                    deadline_hours: a.deadline_hours.to_string(),
                })
                .collect(),
        }
    }

    /// The rule, with the errors of what cannot be read (`at`: the rule's contract path).
    fn to_rule(&self, at: &str, errors: &mut FieldErrors) -> ProtocolRule {
        use crate::pages::case::form::non_blank;
        let mut bad = |field: &str, code: &str| errors.push((format!("{at}.{field}"), code.into()));
        if self.key.trim().is_empty() {
            bad("key", "required");
        }
        let mut number = |value: &str, field: &str, required: bool| -> Option<i64> {
            match value.trim() {
                "" if required => {
                    bad(field, "required");
                    None
                }
                "" => None,
                v => v
                    .parse::<i64>()
                    .map_err(|_| bad(field, "invalid_value"))
                    .ok(),
            }
        };
        // Out of `i32`: the contract's range check says so.
        let age = |n: Option<i64>| n.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
        let min_age = age(number(&self.min_age, "trigger.min_age", false));
        let max_age = age(number(&self.max_age, "trigger.max_age", false));
        let actions = self
            .actions
            .iter()
            .enumerate()
            .map(|(j, a)| {
                let field = format!("actions[{j}].deadline_hours");
                let hours = number(&a.deadline_hours, &field, true);
                RuleAction {
                    action: a.action.trim().to_owned(),
                    service_type: non_blank(&a.service_type),
                    responsible: a.responsible.trim().to_owned(),
                    deadline_hours: hours.unwrap_or_default(),
                }
            })
            .collect();
        let trigger = non_blank(&self.event).map(|event| RuleTrigger {
            event,
            concerns: self.concerns.clone(),
            risk_level: non_blank(&self.risk_level),
            stage: non_blank(&self.stage),
            min_age,
            max_age,
            immediate_danger: self.immediate_danger.parse().ok(),
        });
        ProtocolRule {
            key: self.key.trim().to_owned(),
            disabled: self.disabled,
            description: non_blank(&self.description),
            trigger,
            actions,
        }
    }
}

impl ProtocolForm {
    pub fn of(protocol: &ProtocolResponse) -> ProtocolForm {
        ProtocolForm {
            title: protocol.title.clone(),
            rules: protocol.rules.iter().map(RuleDraft::of).collect(),
        }
    }

    /// The rules as typed, checked by the contract's rules; the errors otherwise.
    pub fn to_rules(&self) -> Result<Vec<ProtocolRule>, FieldErrors> {
        let mut errors = FieldErrors::new();
        let rules: Vec<ProtocolRule> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| r.to_rule(&format!("rules[{i}]"), &mut errors))
            .collect();
        if self.title.trim().is_empty() {
            errors.push(("title".into(), "required".into()));
        }
        let update = UpdateProtocol {
            title: Some(self.title.trim().to_owned()),
            rules: Some(rules),
        };
        if let Err(found) = update.validate() {
            flatten(&found, "", &mut errors);
        }
        match (errors.is_empty(), update.rules) {
            (true, Some(rules)) => Ok(rules),
            _ => Err(errors),
        }
    }

    /// The PATCH body of what changed from `before`; `None` when nothing did.
    pub fn changes(
        &self,
        before: &ProtocolResponse,
    ) -> Result<Option<UpdateProtocol>, FieldErrors> {
        let rules = self.to_rules()?;
        let title = self.title.trim();
        let update = UpdateProtocol {
            title: (title != before.title).then(|| title.to_owned()),
            rules: (rules != before.rules).then_some(rules),
        };
        Ok((update.title.is_some() || update.rules.is_some()).then_some(update))
    }
}

/// A problem put back where it belongs: its rule (by position in the form; `None` for the
/// protocol as a whole), the field inside the rule (`""`: the rule itself) and its code.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub rule: Option<usize>,
    pub field: String,
    pub code: String,
}

/// The rules a problem's path names: `rules[<key>]…` (publication names rules by key, every
/// rule of that key) or `rules[<n>]…` (the contract's checks name them by position); the
/// field inside the rule, with a concern's position dropped (`trigger.concerns[1]` is shown
/// on the concerns).
pub fn locate(path: &str, code: &str, keys: &[String]) -> Vec<Located> {
    let whole = || {
        vec![Located {
            rule: None,
            field: path.to_owned(),
            code: code.to_owned(),
        }]
    };
    let Some((inner, rest)) = path.strip_prefix("rules[").and_then(|p| p.split_once(']')) else {
        return whole();
    };
    let field = rest.strip_prefix('.').unwrap_or(rest);
    let field = match field.split_once('[') {
        Some((f @ "trigger.concerns", _)) => f,
        _ => field,
    };
    let mut rules: Vec<usize> = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.as_str() == inner)
        .map(|(i, _)| i)
        .collect();
    if rules.is_empty() {
        rules.extend(inner.parse::<usize>().ok().filter(|i| *i < keys.len()));
    }
    if rules.is_empty() {
        return whole();
    }
    rules
        .into_iter()
        .map(|i| Located {
            rule: Some(i),
            field: field.to_owned(),
            code: code.to_owned(),
        })
        .collect()
}

/// Every problem of `errors`, located on the rules whose keys are `keys`.
pub fn locate_all(errors: &FieldErrors, keys: &[String]) -> Vec<Located> {
    errors
        .iter()
        .flat_map(|(path, code)| locate(path, code, keys))
        .collect()
}

/// The fields of a rule the editor has a control for (their problems are shown beside it;
/// the others at the top of the rule).
pub fn has_control(field: &str) -> bool {
    const RULE: [&str; 10] = [
        "key",
        "description",
        "disabled",
        "trigger.event",
        "trigger.concerns",
        "trigger.risk_level",
        "trigger.stage",
        "trigger.min_age",
        "trigger.max_age",
        "trigger.immediate_danger",
    ];
    const ACTION: [&str; 4] = ["action", "service_type", "responsible", "deadline_hours"];
    RULE.contains(&field)
        || field
            .strip_prefix("actions[")
            .and_then(|f| f.split_once("]."))
            .is_some_and(|(n, f)| n.parse::<usize>().is_ok() && ACTION.contains(&f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protocol() -> ProtocolResponse {
        serde_json::from_value(serde_json::json!({
            "id": "01a22eb1-d4c9-75db-aacb-b22c348af7b3", "territory": "MA", "national": true,
            "title": "Protocole national", "status": "draft", "version": 1,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "published_at": null, "retired_at": null,
            "rules": [
                { "key": "screening", "description": "Screened within 2 hours.",
                  "trigger": { "event": "report_received", "immediate_danger": true },
                  "actions": [{ "action": "screen_report", "responsible": "owning_organization",
                                "deadline_hours": 2 }] },
                { "key": "young", "trigger": { "event": "case_opened", "concerns": ["neglect"],
                  "risk_level": "high", "max_age": 12 },
                  "actions": [{ "action": "service_referral", "service_type": "shelter",
                                "responsible": "public_service", "deadline_hours": 48 }] }
            ]
        }))
        .expect("a protocol")
    }

    #[test]
    fn the_list_asks_for_the_status_chosen() {
        assert_eq!(protocols_path("", 50), "/protocols?limit=50");
        assert_eq!(
            protocols_path("draft", 50),
            "/protocols?limit=50&status=draft"
        );
    }

    #[test]
    fn admins_change_the_national_protocol_and_coordinators_their_variants() {
        let mut p = protocol();
        assert!(may_edit(Role::Admin, &p));
        assert!(!may_edit(Role::Coordinator, &p));
        assert!(!may_edit(Role::CaseWorker, &p));
        p.national = false;
        assert!(may_edit(Role::Coordinator, &p));
        assert!(!may_edit(Role::Admin, &p));
        p.status = ProtocolStatus::Published;
        assert!(!may_edit(Role::Coordinator, &p), "only drafts change");
        assert_eq!(draft_territory(Role::Admin, "MA").as_deref(), Some("MA"));
        assert_eq!(
            draft_territory(Role::Coordinator, "421").as_deref(),
            Some("421")
        );
        assert_eq!(draft_territory(Role::CaseWorker, "421"), None);
    }

    #[test]
    fn the_form_gives_back_the_rules_it_was_made_of() {
        let p = protocol();
        let form = ProtocolForm::of(&p);
        assert_eq!(form.rules[1].concerns, ["neglect"]);
        assert_eq!(form.rules[0].immediate_danger, "true");
        assert_eq!(form.to_rules().expect("valid"), p.rules);
        assert!(form.changes(&p).expect("valid").is_none());
        let mut changed = form.clone();
        changed.rules[0].actions[0].deadline_hours = " 0 ".into();
        changed.rules[1].description = "  ".into();
        let update = changed.changes(&p).expect("valid").expect("a change");
        assert_eq!(update.title, None);
        let rules = update.rules.expect("the rules");
        assert_eq!(
            rules[0].actions[0].deadline_hours, 0,
            "the server says why 0 is wrong"
        );
        assert_eq!(rules[1].description, None);
    }

    #[test]
    fn what_cannot_be_read_is_refused_on_its_field() {
        let mut form = ProtocolForm::of(&protocol());
        form.rules[0].actions[0].deadline_hours = "two".into();
        form.rules[1].key = " ".into();
        form.rules[1].max_age = "twelve".into();
        form.rules[1].min_age = "40".into();
        form.title = String::new();
        let errors = form.to_rules().expect_err("refused");
        for (path, code) in [
            ("rules[0].actions[0].deadline_hours", "invalid_value"),
            ("rules[1].key", "required"),
            ("rules[1].trigger.max_age", "invalid_value"),
            ("rules[1].trigger.min_age", "range"),
            ("title", "required"),
        ] {
            assert!(
                errors.iter().any(|(p, c)| p == path && c == code),
                "{path} {code}: {errors:?}"
            );
        }
        let mut form = ProtocolForm::default();
        form.title = "T".into();
        form.rules.push(RuleDraft::default());
        let errors = form.to_rules().expect_err("a rule needs a key");
        assert_eq!(errors[0], ("rules[0].key".into(), "required".into()));
    }

    #[test]
    fn problems_land_on_the_rule_and_field_they_name() {
        let keys: Vec<String> = ["a", "b", "a"].iter().map(|k| k.to_string()).collect();
        let at = |path: &str| -> Vec<(Option<usize>, String)> {
            locate(path, "x", &keys)
                .into_iter()
                .map(|l| (l.rule, l.field))
                .collect()
        };
        assert_eq!(
            at("rules[b].actions[0].deadline_hours"),
            [(Some(1), "actions[0].deadline_hours".to_owned())]
        );
        // A key two rules share: shown on both.
        assert_eq!(
            at("rules[a].key"),
            [(Some(0), "key".to_owned()), (Some(2), "key".to_owned())]
        );
        assert_eq!(at("rules[b]"), [(Some(1), String::new())]);
        assert_eq!(
            at("rules[2].trigger.concerns[3]"),
            [(Some(2), "trigger.concerns".to_owned())]
        );
        assert_eq!(at("rules[9].key"), [(None, "rules[9].key".to_owned())]);
        assert_eq!(at("title"), [(None, "title".to_owned())]);
        let all = locate_all(&vec![("rules[b].trigger".into(), "required".into())], &keys);
        assert_eq!(all[0].code, "required");
    }

    #[test]
    fn fields_without_a_control_are_shown_on_the_rule() {
        assert!(has_control("actions[3].deadline_hours"));
        assert!(has_control("trigger.event"));
        assert!(!has_control("actions"));
        assert!(!has_control("trigger"));
        assert!(!has_control(""));
        assert!(!has_control("actions[x].action"));
    }
}

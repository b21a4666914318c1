//! The users list's address, the territories a user may be given, and the user
//! form as typed, made into a `CreateUser` or the `UpdateUser` of what changed (host-tested).
use madar_openapi::users::{CreateUser, UpdateUser, UserResponse};
use madar_openapi::Language;

use super::super::logic::{blanks, checked, FieldErrors};
use crate::pages::approvals::paged::encode;
use crate::pages::case::form::non_blank as text;
use crate::pages::new_report::form::code;
use crate::state::Vocabulary;

/// What the users list asks the API for: a role, an organization, text in the name or email.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserFilter {
    pub role: String,
    pub organization: String,
    pub q: String,
}

/// `/users?…` with the filters the API takes.
pub fn users_path(filter: &UserFilter, limit: u32) -> String {
    let mut path = format!("/users?limit={limit}");
    for (name, value) in [
        ("role", filter.role.as_str()),
        ("organization", filter.organization.as_str()),
        ("q", filter.q.trim()),
    ] {
        if !value.is_empty() {
            path.push_str(&format!("&{name}={}", encode(value)));
        }
    }
    path
}

/// The territories (in tree order, with their depth) inside one of those an organization
/// serves: where its users may work.
pub fn territory_choices(
    tree: &[(String, String, usize)],
    served: &[String],
) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut inside: Option<usize> = None;
    for (code, label, depth) in tree {
        if inside.is_some_and(|d| *depth <= d) {
            inside = None;
        }
        if inside.is_none() && served.contains(code) {
            inside = Some(*depth);
        }
        if inside.is_some() {
            out.push((code.clone(), label.clone(), *depth));
        }
    }
    out
}

/// The territory a user keeps when their organization changes: the one they had if the new
/// organization serves it, else the new organization's when it serves only one, else none.
pub fn territory_after(
    current: &str,
    choices: &[(String, String, usize)],
    served: &[String],
) -> String {
    if choices.iter().any(|(c, _, _)| c == current) {
        current.to_owned()
    } else if let [only] = served {
        only.clone()
    } else {
        String::new()
    }
}

/// An email worth sending: one `@` with text on each side, no spaces, at most 254 characters.
fn plausible_email(email: &str) -> bool {
    let parts: Vec<&str> = email.split('@').collect();
    matches!(parts.as_slice(), [user, domain] if !user.is_empty() && domain.contains('.')
        && !domain.starts_with('.') && !domain.ends_with('.'))
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
}

/// The user form as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserDraft {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub organization: String,
    /// Empty: the organization's own territory (new user) or unchanged (edit).
    pub territory: String,
    pub language: String,
    pub password: String,
}

impl UserDraft {
    pub fn new() -> UserDraft {
        UserDraft {
            language: Language::default().code().to_owned(),
            ..UserDraft::default()
        }
    }

    pub fn of(user: &UserResponse) -> UserDraft {
        UserDraft {
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            role: Vocabulary::code_of(&user.role),
            organization: user.organization.clone(),
            territory: user.territory.clone(),
            language: user.language.code().to_owned(),
            password: String::new(),
        }
    }

    pub fn to_create(&self) -> Result<CreateUser, FieldErrors> {
        let mut errors = FieldErrors::new();
        blanks(
            &mut errors,
            &[
                ("email", &self.email),
                ("display_name", &self.display_name),
                ("password", &self.password),
            ],
        );
        let role = code(&self.role);
        if role.is_none() {
            errors.push(("role".into(), "required".into()));
        }
        if self.organization.is_empty() {
            errors.push(("organization".into(), "required".into()));
        }
        let email = self.email.trim();
        if !plausible_email(email) {
            errors.push(("email".into(), "email".into()));
        }
        // The contract's rules for the other fields are those of `UpdateUser`: checked there,
        // since `CreateUser`'s email check would bring a regex engine and IDNA tables into the
        // WASM module (600 KB). The server checks the email fully.
        let same_rules = UpdateUser {
            display_name: Some(self.display_name.trim().to_owned()),
            password: Some(self.password.clone()),
            organization: text(&self.organization),
            territory: text(&self.territory),
            ..UpdateUser::default()
        };
        checked(same_rules, errors)?;
        Ok(CreateUser {
            email: email.to_owned(),
            display_name: self.display_name.trim().to_owned(),
            password: self.password.clone(),
            role: role.unwrap_or(madar_openapi::users::Role::CaseWorker),
            organization: self.organization.clone(),
            territory: text(&self.territory),
            language: Language::parse(&self.language),
        })
    }

    /// The changes from `before`; `Ok(None)` when nothing changed.
    pub fn changes(&self, before: &UserResponse) -> Result<Option<UpdateUser>, FieldErrors> {
        let name = self.display_name.trim();
        let role = code(&self.role).filter(|r| *r != before.role);
        let language = Language::parse(&self.language).filter(|l| *l != before.language);
        let organization =
            Some(self.organization.clone()).filter(|o| !o.is_empty() && *o != before.organization);
        let territory = text(&self.territory).filter(|t| *t != before.territory);
        let changes = UpdateUser {
            display_name: (name != before.display_name).then(|| name.to_owned()),
            password: (!self.password.is_empty()).then(|| self.password.clone()),
            role,
            organization,
            territory,
            language,
            active: None,
        };
        let unchanged = changes.display_name.is_none()
            && changes.password.is_none()
            && changes.role.is_none()
            && changes.organization.is_none()
            && changes.territory.is_none()
            && changes.language.is_none();
        if unchanged {
            return Ok(None);
        }
        let mut errors = FieldErrors::new();
        blanks(&mut errors, &[("display_name", name)]);
        checked(changes, errors).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::admin::logic::error_on;
    use madar_openapi::users::Role;

    fn user() -> UserResponse {
        serde_json::from_value(serde_json::json!({
            "id": "01a22eb1-d4c9-75db-aacb-b22c348af7b3", "email": "amina@ngo.ma",
            "display_name": "Amina Alaoui", "role": "partner", "organization": "ngo-rabat",
            "territory": "421", "language": "fr", "active": true,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .expect("a user")
    }

    #[test]
    fn the_users_address_carries_the_filters() {
        assert_eq!(users_path(&UserFilter::default(), 50), "/users?limit=50");
        let filter = UserFilter {
            role: "case_worker".into(),
            organization: "cape-rabat".into(),
            q: " amina alaoui ".into(),
        };
        assert_eq!(
            users_path(&filter, 50),
            "/users?limit=50&role=case_worker&organization=cape-rabat&q=amina%20alaoui"
        );
    }

    #[test]
    fn a_user_works_inside_the_territories_their_organization_serves() {
        let node = |c: &str, d| (c.to_owned(), c.to_owned(), d);
        let tree = vec![
            node("MA", 0),
            node("MA-04", 1),
            node("421", 2),
            node("441", 2),
            node("MA-06", 1),
            node("141", 2),
        ];
        let codes = |served: &[&str]| -> Vec<String> {
            let served: Vec<String> = served.iter().map(|s| s.to_string()).collect();
            territory_choices(&tree, &served)
                .into_iter()
                .map(|(c, _, _)| c)
                .collect()
        };
        assert_eq!(codes(&["MA-04"]), ["MA-04", "421", "441"]);
        assert_eq!(codes(&["441", "141"]), ["441", "141"]);
        assert_eq!(codes(&["MA"]).len(), 6);
        assert!(codes(&[]).is_empty());
        let served = |s: &[&str]| s.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let choices = territory_choices(&tree, &served(&["MA-04"]));
        assert_eq!(territory_after("441", &choices, &served(&["MA-04"])), "441");
        assert_eq!(
            territory_after("141", &choices, &served(&["MA-04"])),
            "MA-04"
        );
        let two = served(&["421", "441"]);
        let choices = territory_choices(&tree, &two);
        assert_eq!(territory_after("141", &choices, &two), "");
    }

    #[test]
    fn a_new_user_is_checked_with_the_contracts_rules() {
        let draft = UserDraft {
            email: "not an email".into(),
            display_name: " ".into(),
            password: "short".into(),
            ..UserDraft::new()
        };
        let errors = draft.to_create().expect_err("refused");
        for (path, code) in [
            ("display_name", "required"),
            ("role", "required"),
            ("organization", "required"),
            ("email", "email"),
            ("password", "length"),
        ] {
            assert_eq!(error_on(&errors, path), Some(code), "{path}: {errors:?}");
        }
        let draft = UserDraft {
            email: " Salma@ngo.ma ".into(),
            display_name: "Salma".into(),
            password: "abcd-efgh-jkmn-pqrs".into(),
            role: "partner".into(),
            organization: "ngo-rabat".into(),
            ..UserDraft::new()
        };
        let request = draft.to_create().expect("valid");
        assert_eq!(request.email, "Salma@ngo.ma");
        assert_eq!(request.role, Role::Partner);
        assert_eq!(request.territory, None);
        assert_eq!(request.language, Some(Language::Ar));
        for bad in ["a@b", "@ngo.ma", "a b@ngo.ma", "a@@ngo.ma", "a@ngo.", ""] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn an_edit_sends_only_what_changed() {
        let before = user();
        assert!(matches!(UserDraft::of(&before).changes(&before), Ok(None)));
        let mut draft = UserDraft::of(&before);
        draft.display_name = "Amina El Alaoui ".into();
        draft.role = "case_worker".into();
        let changes = draft.changes(&before).expect("valid").expect("changed");
        assert_eq!(changes.display_name.as_deref(), Some("Amina El Alaoui"));
        assert_eq!(changes.role, Some(Role::CaseWorker));
        assert_eq!(changes.organization, None);
        assert_eq!(changes.territory, None);
        assert_eq!(changes.password, None);
        draft.password = "too short".into();
        let errors = draft.changes(&before).expect_err("refused");
        assert_eq!(error_on(&errors, "password"), Some("length"));
    }
}

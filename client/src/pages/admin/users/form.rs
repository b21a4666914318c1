//! The fields a new account and a change of one share: name, role, organization, a territory
//! inside what that organization serves, language, and a password (typed or generated).
use madar_openapi::Language;
use yew::prelude::*;

use super::super::fields::{self, generate_password, indented, on_input, on_select, Errors, Field};
use super::super::organization_options;
use super::draft::{territory_after, territory_choices, UserDraft};
use crate::i18n::{self, Key};
use crate::pages::case::form::{options, select_value};
use crate::pages::referrals::lists::Organizations;
use crate::state::AppContext;

/// The contract paths these fields show errors for.
pub const PATHS: [&str; 7] = [
    "email",
    "display_name",
    "role",
    "organization",
    "territory",
    "language",
    "password",
];

/// The territories the organization `code` serves.
fn served_by(orgs: &Option<Organizations>, code: &str) -> Vec<String> {
    orgs.iter()
        .flat_map(|l| l.iter())
        .find(|o| o.code == code)
        .map(|o| o.territories.clone())
        .unwrap_or_default()
}

/// The fields after the email; `new` for a new account (its password is required).
pub fn user_fields(
    ctx: &AppContext,
    orgs: &Option<Organizations>,
    draft: &UseStateHandle<UserDraft>,
    errors: &Errors,
    new: bool,
) -> Html {
    let lang = ctx.lang;
    let tree = ctx.vocabulary.territories(lang);
    let choices = territory_choices(&tree, &served_by(orgs, &draft.organization));
    let on_organization = {
        let (draft, orgs, tree) = (draft.clone(), orgs.clone(), tree.clone());
        Callback::from(move |e: Event| {
            let code = select_value(&e);
            let served = served_by(&orgs, &code);
            let mut next = (*draft).clone();
            let choices = territory_choices(&tree, &served);
            next.territory = territory_after(&next.territory, &choices, &served);
            next.organization = code;
            draft.set(next);
        })
    };
    let on_generate = {
        let draft = draft.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*draft).clone();
            next.password = generate_password();
            draft.set(next);
        })
    };
    let roles = ctx.vocabulary.items(lang, "roles");
    let languages: Vec<(String, String)> = Language::ALL
        .into_iter()
        .map(|l| (l.code().to_owned(), i18n::language_name(l).to_owned()))
        .collect();
    let choose = Some(i18n::t(lang, Key::AdminChoose));
    let (password_label, password_hint) = if new {
        (Key::AdminPassword, Key::AdminPasswordHint)
    } else {
        (Key::AdminNewPassword, Key::AdminNewPasswordHint)
    };
    html! {
        <>
            { fields::input(lang, Field { id: "user-name", label: Key::AdminDisplayName, path: "display_name", hint: None },
                errors, ("text", false), &draft.display_name, on_input(draft, |d, v| d.display_name = v)) }
            { fields::select(lang, Field { id: "user-role", label: Key::AdminRole, path: "role", hint: None },
                errors, options(&roles, &draft.role, choose), on_select(draft, |d, v| d.role = v)) }
            { fields::select(lang, Field { id: "user-organization", label: Key::AdminOrganization, path: "organization", hint: None },
                errors, organization_options(orgs, lang, &draft.organization, Key::AdminChoose, false), on_organization) }
            { fields::select(lang, Field { id: "user-territory", label: Key::AdminTerritory, path: "territory", hint: Some(Key::AdminTerritoryHint) },
                errors, options(&indented(choices), &draft.territory, choose), on_select(draft, |d, v| d.territory = v)) }
            { fields::select(lang, Field { id: "user-language", label: Key::AdminLanguage, path: "language", hint: None },
                errors, options(&languages, &draft.language, None), on_select(draft, |d, v| d.language = v)) }
            <div class="admin-password">
                { fields::input(lang, Field { id: "user-password", label: password_label, path: "password", hint: Some(password_hint) },
                    errors, ("text", true), &draft.password, on_input(draft, |d, v| d.password = v)) }
                <button type="button" id="user-generate" class="secondary" onclick={on_generate}>
                    { i18n::t(lang, Key::AdminGenerate) }</button>
            </div>
        </>
    }
}

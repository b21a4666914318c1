//! The fields a new organization and a change of one share: name, names in the three
//! languages, sector (public services only) and the territories served. The code and type are
//! chosen once, at creation.
use yew::prelude::*;

use super::super::fields::{self, clearing, on_input, on_select, Errors, Field, TerritoryChips};
use super::super::logic::error_on;
use super::draft::OrganizationDraft;
use crate::i18n::{self, Key};
use crate::pages::case::form::options;
use crate::pages::referrals::lists::{self, Items};
use crate::state::AppContext;

/// The contract paths these fields show errors for.
pub const PATHS: [&str; 8] = [
    "code",
    "name",
    "labels.ar",
    "labels.fr",
    "labels.en",
    "type",
    "sector",
    "territories",
];

/// The fields; `new` adds the code and the type.
pub fn organization_fields(
    ctx: &AppContext,
    sectors: &Option<Items>,
    draft: &UseStateHandle<OrganizationDraft>,
    errors: &Errors,
    new: bool,
) -> Html {
    let lang = ctx.lang;
    let choose = Some(i18n::t(lang, Key::AdminChoose));
    let on_territories = {
        let draft = draft.clone();
        let set = Callback::from(move |territories: Vec<String>| {
            let mut next = (*draft).clone();
            next.territories = territories;
            draft.set(next);
        });
        clearing(errors, "territories", set)
    };
    let label = |id: &'static str,
                 key: Key,
                 path: &'static str,
                 set: fn(&mut OrganizationDraft, String)| {
        let value = match path {
            "labels.ar" => &draft.label_ar,
            "labels.fr" => &draft.label_fr,
            _ => &draft.label_en,
        };
        fields::input(
            lang,
            Field {
                id,
                label: key,
                path,
                hint: None,
            },
            errors,
            ("text", false),
            value,
            on_input(draft, set),
        )
    };
    html! {
        <>
            if new {
                { fields::input(lang, Field { id: "org-code", label: Key::AdminCode, path: "code", hint: Some(Key::AdminCodeHint) },
                    errors, ("text", true), &draft.code, on_input(draft, |d, v| d.code = v)) }
            }
            { fields::input(lang, Field { id: "org-name", label: Key::AdminOfficialName, path: "name", hint: None },
                errors, ("text", false), &draft.name, on_input(draft, |d, v| d.name = v)) }
            <fieldset class="admin-labels">
                <legend>{ i18n::t(lang, Key::AdminLabels) }</legend>
                { label("org-label-ar", Key::AdminLabelAr, "labels.ar", |d, v| d.label_ar = v) }
                { label("org-label-fr", Key::AdminLabelFr, "labels.fr", |d, v| d.label_fr = v) }
                { label("org-label-en", Key::AdminLabelEn, "labels.en", |d, v| d.label_en = v) }
            </fieldset>
            if new {
                { fields::select(lang, Field { id: "org-type", label: Key::AdminType, path: "type", hint: None },
                    errors, options(&ctx.vocabulary.items(lang, "organization_types"), &draft.type_, choose),
                    on_select(draft, |d, v| d.type_ = v)) }
            }
            if draft.is_public_service() {
                { fields::select(lang, Field { id: "org-sector", label: Key::AdminSector, path: "sector", hint: None },
                    errors, options(&lists::options(sectors, lang), &draft.sector, choose),
                    on_select(draft, |d, v| d.sector = v)) }
            }
            <TerritoryChips id="org-territories" label={Key::AdminTerritories} chosen={draft.territories.clone()}
                on_change={on_territories} error={error_on(errors, "territories").map(|e| AttrValue::from(e.to_owned()))} />
        </>
    }
}

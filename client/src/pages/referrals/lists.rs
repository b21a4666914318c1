//! Reference lists the app's vocabulary does not load (`service_types`), fetched once by the
//! pages that need them and kept for the session.
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use madar_openapi::organizations::OrganizationResponse;
use madar_openapi::reference::{ReferenceItem, ReferenceList};
use madar_openapi::{Language, Page};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api;

/// A list's items in vocabulary order.
pub type Items = Rc<Vec<ReferenceItem>>;

thread_local! {
    static CACHE: RefCell<HashMap<&'static str, Items>> = RefCell::new(HashMap::new());
}

/// `GET /reference/{name}`, once per session; `None` until it has arrived.
#[hook]
pub fn use_reference_list(name: &'static str) -> Option<Items> {
    let list = use_state(|| CACHE.with(|c| c.borrow().get(name).cloned()));
    {
        let list = list.clone();
        use_effect_with(name, move |name| {
            let name = *name;
            if list.is_none() {
                spawn_local(async move {
                    let path = format!("/reference/{name}");
                    if let Ok(answer) = api::get::<ReferenceList>(&path).await {
                        let items = Rc::new(answer.items);
                        CACHE.with(|c| c.borrow_mut().insert(name, items.clone()));
                        list.set(Some(items));
                    }
                });
            }
        });
    }
    (*list).clone()
}

/// The label of `code` in a fetched list, or the code itself.
pub fn label(items: &Option<Items>, lang: Language, code: &str) -> String {
    items
        .as_ref()
        .and_then(|items| items.iter().find(|i| i.code == code))
        .map(|i| match lang {
            Language::Ar => i.labels.ar.clone(),
            Language::Fr => i.labels.fr.clone(),
            Language::En => i.labels.en.clone(),
        })
        .unwrap_or_else(|| code.to_owned())
}

/// `(code, label)` of every item, for a `<select>`.
pub fn options(items: &Option<Items>, lang: Language) -> Vec<(String, String)> {
    items
        .as_ref()
        .map(|items| {
            items
                .iter()
                .map(|i| (i.code.clone(), label(&Some(items.clone()), lang, &i.code)))
                .collect()
        })
        .unwrap_or_default()
}

/// The organizations (`GET /organizations`, every role may list them), by code.
pub type Organizations = Rc<Vec<OrganizationResponse>>;

thread_local! {
    static ORGANIZATIONS: RefCell<Option<Organizations>> = const { RefCell::new(None) };
}

/// The organizations, once per session (their names for codes, their types for filters).
#[hook]
pub fn use_organizations() -> Option<Organizations> {
    let list = use_state(|| ORGANIZATIONS.with(|c| c.borrow().clone()));
    {
        let list = list.clone();
        use_effect_with((), move |_| {
            if list.is_none() {
                spawn_local(async move {
                    let mut all = Vec::new();
                    let mut cursor: Option<String> = None;
                    loop {
                        let path = match &cursor {
                            Some(c) => format!("/organizations?limit=200&cursor={c}"),
                            None => "/organizations?limit=200".to_owned(),
                        };
                        let Ok(page) = api::get::<Page<OrganizationResponse>>(&path).await else {
                            break;
                        };
                        all.extend(page.items);
                        match page.next_cursor {
                            Some(next) if all.len() < 2000 => cursor = Some(next),
                            _ => break,
                        }
                    }
                    let all = Rc::new(all);
                    ORGANIZATIONS.with(|c| *c.borrow_mut() = Some(all.clone()));
                    list.set(Some(all));
                });
            }
        });
    }
    (*list).clone()
}

/// Forgets the organizations read this session (after one was created or changed), so the
/// next page that needs them reads them again.
pub fn forget_organizations() {
    ORGANIZATIONS.with(|c| *c.borrow_mut() = None);
}

/// An organization's name in the page's language.
pub fn name_of(o: &OrganizationResponse, lang: Language) -> String {
    match (&o.labels, lang) {
        (Some(l), Language::Ar) => l.ar.clone(),
        (Some(l), Language::Fr) => l.fr.clone(),
        (Some(l), Language::En) => l.en.clone(),
        (None, _) => o.name.clone(),
    }
}

/// An organization's name in the page's language, or its code.
pub fn organization_name(list: &Option<Organizations>, lang: Language, code: &str) -> String {
    list.as_ref()
        .and_then(|l| l.iter().find(|o| o.code == code))
        .map(|o| name_of(o, lang))
        .unwrap_or_else(|| code.to_owned())
}

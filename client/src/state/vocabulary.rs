//! The reference lists (`GET /api/v1/reference/{list}`) and territories, with their labels in
//! the three languages, loaded once after signing in. Codes the API sends are shown through
//! [`Vocabulary::label`], so the client never repeats the vocabulary.
use std::collections::HashMap;

use madar_openapi::common::Labels;
use madar_openapi::reference::{ReferenceItem, TerritoryNode};
use madar_openapi::Language;

#[derive(Clone, Default, PartialEq)]
pub struct Vocabulary {
    /// list name → items in vocabulary order.
    lists: HashMap<String, Vec<(String, Labels)>>,
    /// territory code → labels.
    territories: HashMap<String, Labels>,
    /// Territories in tree order (depth-first), with their depth, for pickers.
    territory_order: Vec<(String, usize)>,
}

fn pick(labels: &Labels, lang: Language) -> &str {
    match lang {
        Language::Ar => &labels.ar,
        Language::Fr => &labels.fr,
        Language::En => &labels.en,
    }
}

impl Vocabulary {
    pub fn add_list(&mut self, name: &str, items: Vec<ReferenceItem>) {
        self.lists.insert(
            name.to_owned(),
            items.into_iter().map(|i| (i.code, i.labels)).collect(),
        );
    }

    pub fn set_territories(&mut self, tree: Vec<TerritoryNode>) {
        fn walk(v: &mut Vocabulary, nodes: Vec<TerritoryNode>, depth: usize) {
            for node in nodes {
                v.territory_order.push((node.code.clone(), depth));
                v.territories.insert(node.code, node.labels);
                walk(v, node.children, depth + 1);
            }
        }
        walk(self, tree, 0);
    }

    /// The label of `code` in `list`, or the code itself when the list does not have it.
    pub fn label(&self, lang: Language, list: &str, code: &str) -> String {
        self.lists
            .get(list)
            .and_then(|items| items.iter().find(|(c, _)| c == code))
            .map(|(_, labels)| pick(labels, lang).to_owned())
            .unwrap_or_else(|| code.to_owned())
    }

    /// `(code, label)` of every item of `list`, in vocabulary order.
    pub fn items(&self, lang: Language, list: &str) -> Vec<(String, String)> {
        self.lists
            .get(list)
            .map(|items| {
                items
                    .iter()
                    .map(|(c, l)| (c.clone(), pick(l, lang).to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A territory's name, or its code.
    pub fn territory(&self, lang: Language, code: &str) -> String {
        self.territories
            .get(code)
            .map(|l| pick(l, lang).to_owned())
            .unwrap_or_else(|| code.to_owned())
    }

    /// `(code, label, depth)` of every territory in tree order.
    pub fn territories(&self, lang: Language) -> Vec<(String, String, usize)> {
        self.territory_order
            .iter()
            .map(|(code, depth)| (code.clone(), self.territory(lang, code), *depth))
            .collect()
    }

    /// A serialized code (`"case_worker"`, `"follow_up"`) of a contract enum, for [`label`].
    pub fn code_of<T: serde::Serialize>(value: &T) -> String {
        serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The label of a contract enum value in `list`.
    pub fn label_of<T: serde::Serialize>(&self, lang: Language, list: &str, value: &T) -> String {
        self.label(lang, list, &Vocabulary::code_of(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(ar: &str, fr: &str, en: &str) -> Labels {
        Labels {
            ar: ar.into(),
            fr: fr.into(),
            en: en.into(),
        }
    }

    #[test]
    fn labels_come_from_the_lists_and_unknown_codes_show_as_is() {
        let mut v = Vocabulary::default();
        v.add_list(
            "case_stages",
            vec![ReferenceItem {
                code: "follow_up".into(),
                labels: labels("التتبع", "Suivi", "Follow-up"),
                parent: None,
            }],
        );
        assert_eq!(v.label(Language::Fr, "case_stages", "follow_up"), "Suivi");
        assert_eq!(v.label(Language::Ar, "case_stages", "nope"), "nope");
        assert_eq!(v.label(Language::En, "no_list", "x"), "x");
        assert_eq!(
            v.label_of(
                Language::En,
                "case_stages",
                &madar_openapi::cases::CaseStage::FollowUp
            ),
            "Follow-up"
        );
    }
}

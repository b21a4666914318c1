//! The merge of a duplicate into the child's file (coordinators): the two records side by side
//! (identity fields, differences marked), what the merge does, a confirmation, then
//! `POST /children/{id}/merge`: the file open here survives, as the API defines it. Then the
//! merge made (what moved) and `POST .../merges/{merge_id}/undo` while it is not undone.
use std::collections::BTreeMap;
use std::rc::Rc;

use gloo_net::http::Method;
use madar_openapi::children::{ChildMergeResponse, ChildResponse, MergeChild, MovedRecord};
use madar_openapi::Language;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::super::case::form::{checked, submit, Outcome};
use crate::api::{self, Call};
use crate::components::widgets::datetime;
use crate::i18n::{self, Key};
use crate::state::{AppContext, Vocabulary};

/// A merge, and the duplicate as it was read when the merge was made on this page (it reads
/// 404 once merged: a merge found on a later visit shows the duplicate's id only).
#[derive(Clone)]
pub struct Merged {
    pub merge: Rc<ChildMergeResponse>,
    pub duplicate: Option<Rc<ChildResponse>>,
}

impl Merged {
    pub fn new(merge: ChildMergeResponse, duplicate: Option<Rc<ChildResponse>>) -> Merged {
        Merged {
            merge: Rc::new(merge),
            duplicate,
        }
    }
}

impl PartialEq for Merged {
    fn eq(&self, other: &Merged) -> bool {
        let same_duplicate = match (&self.duplicate, &other.duplicate) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        Rc::ptr_eq(&self.merge, &other.merge) && same_duplicate
    }
}

/// One identity field of a record: the text, and the script of a name (for its `<bdi>`).
struct Value {
    text: String,
    script: Option<(&'static str, &'static str)>,
}

/// The identity fields compared, in order: (label, value).
fn fields(lang: Language, vocabulary: &Vocabulary, c: &ChildResponse) -> Vec<(Key, Value)> {
    let plain = |text: String| Value { text, script: None };
    vec![
        (
            Key::ChildNameAr,
            Value {
                text: super::joined(&c.given_name_ar, &c.family_name_ar),
                script: Some(("ar", "rtl")),
            },
        ),
        (
            Key::ChildNameLatin,
            Value {
                text: super::joined(&c.given_name_latin, &c.family_name_latin),
                script: Some(("fr", "ltr")),
            },
        ),
        (Key::ChildAliases, plain(c.aliases.join("، "))),
        (
            Key::ChildSex,
            plain(vocabulary.label_of(lang, "sexes", &c.sex)),
        ),
        (Key::ChildBirth, plain(super::birth(lang, c))),
        (
            Key::ChildNationality,
            plain(c.nationality.clone().unwrap_or_default()),
        ),
        (
            Key::ChildCivilStatus,
            plain(super::civil_status(lang, &c.civil_status).to_owned()),
        ),
        (
            Key::ChildTerritory,
            plain(vocabulary.territory(lang, &c.territory)),
        ),
        (Key::ChildMergeOrganization, plain(c.organization.clone())),
        (Key::ChildMergeCreated, plain(datetime(lang, &c.created_at))),
    ]
}

fn cell(lang: Language, value: &Value) -> Html {
    if value.text.is_empty() {
        return html! { <td class="empty">{ i18n::t(lang, Key::ChildUnknown) }</td> };
    }
    let (script, dir) = value.script.unwrap_or(("", "auto"));
    html! { <td><bdi lang={(!script.is_empty()).then_some(script)} dir={dir}>{ value.text.clone() }</bdi></td> }
}

/// The two records side by side; a row whose values differ is marked (not by colour alone).
fn comparison(
    lang: Language,
    vocabulary: &Vocabulary,
    kept: &ChildResponse,
    duplicate: &ChildResponse,
) -> Html {
    let rows = fields(lang, vocabulary, kept)
        .into_iter()
        .zip(fields(lang, vocabulary, duplicate));
    html! {
        <div class="table-wrap">
        <table id="merge-comparison" class="child-merge-table">
            <thead><tr>
                <th scope="col">{ i18n::t(lang, Key::ChildMergeField) }</th>
                <th scope="col">{ i18n::t(lang, Key::ChildMergeKept) }</th>
                <th scope="col">{ i18n::t(lang, Key::ChildMergeFolded) }</th>
            </tr></thead>
            <tbody>
            { for rows.map(|((key, a), (_, b))| {
                let differs = key != Key::ChildMergeCreated && a.text != b.text;
                html! {
                    <tr class={classes!(differs.then_some("differs"))}>
                        <th scope="row">{ i18n::t(lang, key) }
                            if differs { { " " }<span class="child-badge child-warning">{ i18n::t(lang, Key::ChildMergeDiffers) }</span> }
                        </th>
                        { cell(lang, &a) }{ cell(lang, &b) }
                    </tr>
                }
            }) }
            </tbody>
        </table>
        </div>
    }
}

#[derive(Properties, Clone)]
pub struct CompareProps {
    /// The child whose file is open: it survives the merge.
    pub kept: Rc<ChildResponse>,
    /// The duplicate folded into it.
    pub duplicate: Rc<ChildResponse>,
    pub on_merged: Callback<ChildMergeResponse>,
    pub on_cancel: Callback<()>,
}

impl PartialEq for CompareProps {
    fn eq(&self, other: &CompareProps) -> bool {
        Rc::ptr_eq(&self.kept, &other.kept)
            && Rc::ptr_eq(&self.duplicate, &other.duplicate)
            && self.on_merged == other.on_merged
            && self.on_cancel == other.on_cancel
    }
}

/// The comparison, the confirmation and the merge.
#[function_component(Compare)]
pub fn compare(props: &CompareProps) -> Html {
    let ctx = use_context::<AppContext>();
    let confirmed = use_state(|| false);
    let outcome = use_state(Outcome::default);
    // One key for this comparison: a retry after a lost answer replays the merge, not repeats it.
    let key = use_state(api::new_key);
    let title = use_node_ref();
    {
        // Opened from a button further down: the keyboard focus follows.
        let title = title.clone();
        use_effect_with(props.duplicate.id, move |_| {
            if let Some(h) = title.cast::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let onsubmit = {
        let (confirmed, outcome, key) = (confirmed.clone(), outcome.clone(), key.clone());
        let (kept, duplicate_id, on_merged) =
            (props.kept.id, props.duplicate.id, props.on_merged.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !*confirmed {
                outcome.set(Outcome::Invalid(
                    i18n::t(lang, Key::ChildMergeConfirmNeeded).to_owned(),
                ));
                return;
            }
            outcome.set(Outcome::Busy);
            let (outcome, on_merged, key) = (outcome.clone(), on_merged.clone(), (*key).clone());
            spawn_local(async move {
                let path = format!("/children/{kept}/merge");
                let sent = Call::new(Method::POST, &path)
                    .json(&MergeChild { duplicate_id })
                    .idempotency_key(&key)
                    .send()
                    .await;
                match sent {
                    Ok(response) => match api::json::<ChildMergeResponse>(response).await {
                        Ok(merge) => on_merged.emit(merge),
                        Err(e) => outcome.set(Outcome::Failed(e)),
                    },
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let on_confirm = {
        let confirmed = confirmed.clone();
        Callback::from(move |e: Event| confirmed.set(checked(&e)))
    };
    html! {
        <div id="merge-compare" class="child-merge" role="region" aria-labelledby="merge-compare-title">
            <h3 id="merge-compare-title" tabindex="-1" ref={title}>{ i18n::t(lang, Key::ChildMergeCompareTitle) }</h3>
            { comparison(lang, &ctx.vocabulary, &props.kept, &props.duplicate) }
            <p id="merge-what-happens">{ i18n::t(lang, Key::ChildMergeWhatHappens) }</p>
            <form id="merge-form" class="case-form" novalidate=true {onsubmit}>
                <div class="case-check">
                    <input type="checkbox" id="merge-confirm" checked={*confirmed}
                        aria-describedby="merge-what-happens" onchange={on_confirm} />
                    <label for="merge-confirm">{ i18n::t(lang, Key::ChildMergeConfirm) }</label>
                </div>
                <div class="child-merge-actions">
                    { submit("merge-submit", i18n::t(lang, Key::ChildMergeSubmit), outcome.busy()) }
                    <button type="button" class="secondary" id="merge-cancel"
                        onclick={let c = props.on_cancel.clone(); move |_| c.emit(())}>
                        { i18n::t(lang, Key::CaseCancel) }</button>
                </div>
            </form>
            { outcome.view("merge-outcome") }
        </div>
    }
}

/// What moved, counted by kind, in a stable order.
pub fn moved_counts(moved: &[MovedRecord]) -> Vec<(Key, usize)> {
    let mut counts: BTreeMap<u8, (Key, usize)> = BTreeMap::new();
    for record in moved {
        let (order, key) = match record.kind.as_str() {
            "report_link" => (0, Key::ChildMergeKindReport),
            "case" => (1, Key::ChildMergeKindCase),
            "consent" => (2, Key::ChildMergeKindConsent),
            "placement" => (3, Key::ChildMergeKindPlacement),
            "guardian" => (4, Key::ChildMergeKindGuardian),
            "sibling_link" => (5, Key::ChildMergeKindSibling),
            _ => (6, Key::ChildMergeKindOther),
        };
        counts.entry(order).or_insert((key, 0)).1 += 1;
    }
    counts.into_values().collect()
}

#[derive(Properties, PartialEq)]
pub struct ResultProps {
    pub merged: Merged,
    /// Told with the merge once undone.
    pub on_undone: Callback<ChildMergeResponse>,
}

/// The merge made: with whom, when, what moved; "Undo" while the merge stands.
#[function_component(MergeResult)]
pub fn merge_result(props: &ResultProps) -> Html {
    let ctx = use_context::<AppContext>();
    let outcome = use_state(Outcome::default);
    // One key per merge (the component is keyed by the merge's id): a retried undo is replayed.
    let key = use_state(api::new_key);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let merge = &props.merged.merge;
    let duplicate = &props.merged.duplicate;
    let undo = {
        let (outcome, key, on_undone) = (outcome.clone(), key.clone(), props.on_undone.clone());
        let path = format!("/children/{}/merges/{}/undo", merge.survivor_id, merge.id);
        Callback::from(move |_: MouseEvent| {
            outcome.set(Outcome::Busy);
            let (outcome, on_undone, key, path) = (
                outcome.clone(),
                on_undone.clone(),
                (*key).clone(),
                path.clone(),
            );
            spawn_local(async move {
                let sent = Call::new(Method::POST, &path)
                    .idempotency_key(&key)
                    .send()
                    .await;
                match sent {
                    Ok(response) => match api::json::<ChildMergeResponse>(response).await {
                        Ok(merge) => {
                            outcome.set(Outcome::Idle);
                            on_undone.emit(merge);
                        }
                        Err(e) => outcome.set(Outcome::Failed(e)),
                    },
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let counts = moved_counts(&merge.moved);
    let undone = merge.undone_at.is_some();
    html! {
        <div id="merge-result" class={classes!("child-merge-result", undone.then_some("undone"))}
            data-merge-id={merge.id.to_string()}>
            <p class="case-success" role="status">
                { i18n::t(lang, if undone { Key::ChildMergeUndone } else { Key::ChildMergeDone }) }</p>
            <p>{ match duplicate {
                Some(d) => crate::components::widgets::child_names(&d.given_name_ar, &d.family_name_ar,
                    &d.given_name_latin, &d.family_name_latin),
                None => html! { <bdi class="code" id="merge-duplicate-id">{ merge.duplicate_id.to_string() }</bdi> },
            } }</p>
            <dl class="child-facts">
                <div class="child-fact"><dt>{ i18n::t(lang, Key::ChildMergeMergedAt) }</dt>
                    <dd>{ datetime(lang, &merge.merged_at) }{ " · " }<bdi class="code">{ merge.merged_by.clone() }</bdi></dd></div>
                if let Some(at) = &merge.undone_at {
                    <div class="child-fact"><dt>{ i18n::t(lang, Key::ChildMergeUndoneAt) }</dt>
                        <dd>{ datetime(lang, at) }{ " · " }<bdi class="code">{ merge.undone_by.clone().unwrap_or_default() }</bdi></dd></div>
                }
                <div class="child-fact"><dt>{ i18n::t(lang, Key::ChildMergeMoved) }</dt>
                    <dd id="merge-moved">
                        if counts.is_empty() {
                            { i18n::t(lang, Key::ChildMergeNothingMoved) }
                        }
                        { for counts.iter().map(|(key, n)| html! {
                            <span class="child-badge">{ i18n::t(lang, *key) }{ ": " }{ n.to_string() }</span>
                        }) }
                    </dd></div>
            </dl>
            if !undone {
                <button type="button" class="secondary" id="merge-undo" aria-describedby="merge-undo-hint"
                    disabled={outcome.busy()} aria-busy={outcome.busy().to_string()} onclick={undo}>
                    { i18n::t(lang, Key::ChildMergeUndo) }</button>
                <p id="merge-undo-hint" class="hint">{ i18n::t(lang, Key::ChildMergeUndoHint) }</p>
            }
            { outcome.view("merge-undo-outcome") }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_moved_is_counted_by_kind_in_a_fixed_order() {
        let record = |kind: &str| MovedRecord {
            kind: kind.into(),
            id: "x".into(),
        };
        let moved = [
            record("consent"),
            record("report_link"),
            record("consent"),
            record("sibling_link"),
            record("something_new"),
        ];
        assert_eq!(
            moved_counts(&moved),
            vec![
                (Key::ChildMergeKindReport, 1),
                (Key::ChildMergeKindConsent, 2),
                (Key::ChildMergeKindSibling, 1),
                (Key::ChildMergeKindOther, 1),
            ]
        );
        assert!(moved_counts(&[]).is_empty());
    }
}

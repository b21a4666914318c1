//! "Possible duplicates" on a child's file (coordinators): the children the matching engine
//! finds for this one's names, sex, birth and territory (the child itself left out), each with
//! a button that opens the comparison and merge of [`super::merge`]; then the merge made and
//! its undoing.
use std::rc::Rc;

use madar_openapi::children::{ChildMatch, ChildMatches, ChildMergeResponse, ChildResponse};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::Link;

use super::super::report::form::{self, Identity};
use super::merge::{Compare, MergeResult, Merged};
use crate::api::{self, ApiError};
use crate::components::widgets::{child_names, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::route::Route;
use crate::state::AppContext;

#[derive(Properties, Clone)]
pub struct Props {
    pub child: Rc<ChildResponse>,
    /// Told after a merge or its undoing, so the file is read again.
    pub on_change: Callback<()>,
}

impl PartialEq for Props {
    fn eq(&self, other: &Props) -> bool {
        Rc::ptr_eq(&self.child, &other.child) && self.on_change == other.on_change
    }
}

/// The matching queries of a child record (one per script its names are in), one more
/// candidate each than shown, since the child itself comes first.
pub fn match_paths(child: &ChildResponse) -> Vec<String> {
    let identity = Identity {
        names: [
            (&child.given_name_ar, &child.family_name_ar),
            (&child.given_name_latin, &child.family_name_latin),
        ],
        sex: child.sex,
        date_of_birth: child.date_of_birth,
        estimated_birth_year: child.estimated_birth_year,
        territory: &child.territory,
    };
    form::identity_paths(&identity, form::SUGGESTIONS + 1)
}

/// The candidates that may be merged: children in the caller's scope other than `id`, each
/// once with its best score, best first.
pub fn duplicates_of(id: &str, lists: Vec<Vec<ChildMatch>>) -> Vec<ChildMatch> {
    let other = |m: &ChildMatch| m.child.as_ref().is_some_and(|c| c.id.to_string() != id);
    form::merge(
        lists
            .into_iter()
            .map(|list| list.into_iter().filter(other).collect())
            .collect(),
    )
}

async fn load(child: &ChildResponse) -> Result<Vec<ChildMatch>, ApiError> {
    let mut lists = Vec::new();
    for path in match_paths(child) {
        lists.push(api::get::<ChildMatches>(&path).await?.items);
    }
    Ok(duplicates_of(&child.id.to_string(), lists))
}

#[function_component(Duplicates)]
pub fn duplicates(props: &Props) -> Html {
    let ctx = use_context::<AppContext>();
    let list = use_state(|| None::<Result<Vec<ChildMatch>, ApiError>>);
    let chosen = use_state(|| None::<Rc<ChildResponse>>);
    let merged = use_state(|| None::<Merged>);
    {
        // Read again when the file is (after a merge or an undo, the child's version moves).
        let (list, child) = (list.clone(), props.child.clone());
        use_effect_with((child.id, child.updated_at), move |_| {
            spawn_local(async move { list.set(Some(load(&child).await)) });
        });
    }
    {
        // A merge into this child that still stands, made on an earlier visit: offered for undo.
        let (merged, id) = (merged.clone(), props.child.id);
        use_effect_with(id, move |_| {
            spawn_local(async move {
                let path = format!("/children/{id}/merges");
                if let Ok(merges) = api::get::<Vec<ChildMergeResponse>>(&path).await {
                    let standing = merges.into_iter().find(|m| m.undone_at.is_none());
                    if let (Some(merge), None) = (standing, &*merged) {
                        merged.set(Some(Merged::new(merge, None)));
                    }
                }
            });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let on_merged = {
        let (chosen, merged, on_change) = (chosen.clone(), merged.clone(), props.on_change.clone());
        Callback::from(move |merge: ChildMergeResponse| {
            if let Some(duplicate) = (*chosen).clone() {
                merged.set(Some(Merged::new(merge, Some(duplicate))));
            }
            chosen.set(None);
            on_change.emit(());
        })
    };
    let on_undone = {
        let (merged, on_change) = (merged.clone(), props.on_change.clone());
        Callback::from(move |merge: ChildMergeResponse| {
            if let Some(last) = (*merged).clone() {
                merged.set(Some(Merged::new(merge, last.duplicate)));
            }
            on_change.emit(());
        })
    };
    let body = match (&*chosen, &*list) {
        (Some(duplicate), _) => html! {
            <Compare key={duplicate.id.to_string()} kept={props.child.clone()} duplicate={duplicate.clone()} {on_merged}
                on_cancel={let c = chosen.clone(); Callback::from(move |_| c.set(None))} />
        },
        (None, None) => html! { <Loading busy=true /> },
        (None, Some(Err(e))) => html! { <ProblemMessage error={e.clone()} /> },
        (None, Some(Ok(items))) if items.is_empty() => {
            html! { <p class="empty" id="duplicates-none">{ i18n::t(lang, Key::ChildMergeNoDuplicates) }</p> }
        }
        (None, Some(Ok(items))) => html! {
            <ul id="duplicates-list" class="child-duplicates">
                { for items.iter().filter_map(|m| candidate(&ctx, m, &chosen)) }
            </ul>
        },
    };
    html! {
        <section id="duplicates" class="card" aria-labelledby="duplicates-title">
            <h2 id="duplicates-title">{ i18n::t(lang, Key::ChildMergeDuplicates) }</h2>
            if let Some(merged) = &*merged {
                <MergeResult key={merged.merge.id.to_string()} merged={merged.clone()} {on_undone} />
            }
            <p class="hint">{ i18n::t(lang, Key::ChildMergeDuplicatesHint) }</p>
            { body }
        </section>
    }
}

/// One possible duplicate: names in both scripts, sex, birth year, territory, score, and the
/// button that opens the comparison.
fn candidate(
    ctx: &AppContext,
    found: &ChildMatch,
    chosen: &UseStateHandle<Option<Rc<ChildResponse>>>,
) -> Option<Html> {
    let child = Rc::new(found.child.clone()?);
    let lang = ctx.lang;
    let id = child.id.to_string();
    let year = child
        .date_of_birth
        .map(|d| chrono::Datelike::year(&d))
        .or(child.estimated_birth_year);
    let (badge, class) = super::super::report::decision_badge(found.decision);
    let names_id = format!("duplicate-names-{id}");
    let open = {
        let (chosen, child) = (chosen.clone(), child.clone());
        Callback::from(move |_| chosen.set(Some(child.clone())))
    };
    Some(html! {
        <li class={classes!("child-duplicate", class)} data-id={id.clone()}>
            <p id={names_id.clone()} class="child-duplicate-names">
                <Link<Route> to={Route::Child { id: id.clone() }}>
                    { child_names(&child.given_name_ar, &child.family_name_ar,
                        &child.given_name_latin, &child.family_name_latin) }</Link<Route>></p>
            <p class="facts">
                { ctx.vocabulary.label_of(lang, "sexes", &child.sex) }
                if let Some(year) = year {
                    { " · " }{ i18n::tf(lang, Key::ChildMergeBorn, &[("year", &year.to_string())]) }
                }
                { " · " }{ ctx.vocabulary.territory(lang, &child.territory) }
            </p>
            <p class="reports-match">
                <span class={classes!("reports-badge", class)}>{ i18n::t(lang, badge) }</span>{ " " }
                <span class="reports-score">{ i18n::tf(lang, Key::ReportsScore,
                    &[("n", &form::percent(found.score).to_string())]) }</span>
            </p>
            <button type="button" class="secondary" id={format!("compare-{id}")}
                aria-describedby={names_id} onclick={open}>
                { i18n::t(lang, Key::ChildMergeCompare) }</button>
        </li>
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SELF: &str = "0190b6a0-0000-7000-8000-000000000001";
    const OTHER: &str = "0190b6a0-0000-7000-8000-000000000002";

    fn record(id: &str) -> serde_json::Value {
        json!({
            "id": id, "given_name_ar": "أنس", "family_name_ar": null,
            "given_name_latin": "Anas", "family_name_latin": "Cherkaoui", "aliases": [],
            "sex": "male", "date_of_birth": null, "estimated_birth_year": 2015,
            "nationality": null, "civil_status": "unknown", "territory": "421", "situation": [],
            "family_situation": null, "schooling": null, "organization": "cape-rabat",
            "created_at": "2026-01-05T10:00:00Z", "updated_at": "2026-01-05T10:00:00Z"
        })
    }

    fn found(id: &str, score: f64) -> ChildMatch {
        serde_json::from_value(json!({
            "child": record(id), "score": score, "decision": "likely", "reasons": []
        }))
        .unwrap()
    }

    #[test]
    fn a_record_is_matched_in_each_script_with_one_candidate_more_than_shown() {
        let child: ChildResponse = serde_json::from_value(record(SELF)).unwrap();
        let paths = match_paths(&child);
        assert_eq!(paths.len(), 2);
        assert!(paths[0].starts_with("/children/matches?limit=6&given_name=%D8%A3"));
        assert_eq!(
            paths[1],
            "/children/matches?limit=6&given_name=Anas&family_name=Cherkaoui&sex=male&territory=421&birth_year=2015"
        );
    }

    #[test]
    fn the_child_itself_and_owners_outside_scope_are_not_duplicates() {
        let owner: ChildMatch = serde_json::from_value(json!({
            "owner": {"organization": "cape-sale", "territory": "441"},
            "score": 0.97, "decision": "likely", "reasons": []
        }))
        .unwrap();
        let shown = duplicates_of(
            SELF,
            vec![
                vec![found(SELF, 1.0), owner, found(OTHER, 0.8)],
                vec![found(OTHER, 0.9)],
            ],
        );
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].child.as_ref().unwrap().id.to_string(), OTHER);
        assert_eq!(form::percent(shown[0].score), 90);
    }
}

//! The provincial committee's needs, beside the diagnostic (issue 8): read by whoever reads the
//! diagnostic; a coordinator of the territory records them, replaced whole with If-Match on the
//! diagnostic's ETag (`PUT /statistics/territories/{code}/diagnostic/needs`).
use gloo_net::http::Method;
use madar_openapi::diagnostics::{CommitteeNeed, NeedPriority, TerritoryDiagnostic};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::widgets::{datetime, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::case::form::{options, submit, Outcome};
use crate::state::{AppContext, Vocabulary};

use super::logic::{needs_request, NeedRow, PRIORITIES};

#[derive(Properties, PartialEq)]
pub struct NeedsProps {
    pub territory: AttrValue,
    pub year: i32,
    /// The reader may record the needs (a coordinator of the territory).
    pub editable: bool,
}

fn priority_key(p: NeedPriority) -> Key {
    match p {
        NeedPriority::High => Key::StatisticsNeedHigh,
        NeedPriority::Medium => Key::StatisticsNeedMedium,
        NeedPriority::Low => Key::StatisticsNeedLow,
    }
}

fn rows_of(needs: &[CommitteeNeed]) -> Vec<NeedRow> {
    needs.iter().map(NeedRow::of).collect()
}

#[function_component(CommitteeNeeds)]
pub fn committee_needs(props: &NeedsProps) -> Html {
    let ctx = use_context::<AppContext>();
    let loaded = use_state(|| None::<Result<(TerritoryDiagnostic, String), ApiError>>);
    let rows = use_state(Vec::<NeedRow>::new);
    let outcome = use_state(Outcome::default);
    {
        let (loaded, rows, outcome) = (loaded.clone(), rows.clone(), outcome.clone());
        use_effect_with(
            (props.territory.clone(), props.year),
            move |(territory, year)| {
                loaded.set(None);
                outcome.set(Outcome::Idle);
                let path = format!("/statistics/territories/{territory}/diagnostic?year={year}");
                spawn_local(async move {
                    let got = api::get_tagged::<TerritoryDiagnostic>(&path).await;
                    if let Ok((d, _)) = &got {
                        rows.set(rows_of(&d.committee_needs));
                    }
                    loaded.set(Some(got));
                });
            },
        );
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let t = |key| i18n::t(lang, key);
    let (diagnostic, etag) = match &*loaded {
        None => return html! { <Loading busy=true /> },
        Some(Err(e)) => return html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(pair)) => pair.clone(),
    };
    let domains = ctx.vocabulary.items(lang, "pathway_domains");
    let updated = diagnostic.committee_updated_at.map(|at| {
        i18n::tf(
            lang,
            Key::StatisticsNeedsUpdated,
            &[("at", &datetime(lang, &at))],
        )
    });

    if !props.editable {
        let list: Html = if diagnostic.committee_needs.is_empty() {
            html! { <p class="empty">{ t(Key::StatisticsNeedsNone) }</p> }
        } else {
            html! {
                <ul class="statistics-needs-list">
                    { for diagnostic.committee_needs.iter().map(|n| html! {
                        <li>
                            <strong>{ t(priority_key(n.priority)) }</strong>{ " · " }
                            if let Some(d) = &n.domain {
                                { ctx.vocabulary.label_of(lang, "pathway_domains", d) }{ " · " }
                            }
                            <bdi>{ n.text.clone() }</bdi>
                        </li>
                    }) }
                </ul>
            }
        };
        return html! {
            <section class="card statistics-section" id="statistics-needs">
                <h2>{ t(Key::StatisticsNeedsTitle) }</h2>
                { list }
                if let Some(u) = updated { <p class="statistics-needs-updated">{ u }</p> }
            </section>
        };
    }

    let edit = |i: usize, f: fn(&mut NeedRow, String)| {
        let rows = rows.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .map(|x| x.value())
                .or_else(|| {
                    e.target_dyn_into::<web_sys::HtmlSelectElement>()
                        .map(|x| x.value())
                })
                .or_else(|| {
                    e.target_dyn_into::<web_sys::HtmlTextAreaElement>()
                        .map(|x| x.value())
                });
            if let Some(value) = value {
                let mut next = (*rows).clone();
                if let Some(row) = next.get_mut(i) {
                    f(row, value);
                    rows.set(next);
                }
            }
        })
    };
    let on_add = {
        let rows = rows.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*rows).clone();
            next.push(NeedRow::default());
            rows.set(next);
        })
    };
    let on_submit = {
        let (rows, outcome, loaded) = (rows.clone(), outcome.clone(), loaded.clone());
        let path = format!(
            "/statistics/territories/{}/diagnostic/needs",
            props.territory
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = match needs_request(&rows) {
                Ok(body) => body,
                Err(row) => {
                    outcome.set(Outcome::Invalid(i18n::tf(
                        lang,
                        Key::StatisticsNeedTextRequired,
                        &[("n", &(row + 1).to_string())],
                    )));
                    return;
                }
            };
            let (outcome, loaded, rows, path, etag) = (
                outcome.clone(),
                loaded.clone(),
                rows.clone(),
                path.clone(),
                etag.clone(),
            );
            outcome.set(Outcome::Busy);
            spawn_local(async move {
                let sent = api::Call::new(Method::PUT, &path)
                    .json(&body)
                    .if_match(&etag)
                    .send()
                    .await;
                let answer = match sent {
                    Ok(response) => {
                        let tag = api::etag(&response).unwrap_or_default();
                        api::json::<TerritoryDiagnostic>(response)
                            .await
                            .map(|d| (d, tag))
                    }
                    Err(e) => Err(e),
                };
                match answer {
                    Ok((d, tag)) => {
                        rows.set(rows_of(&d.committee_needs));
                        loaded.set(Some(Ok((d, tag))));
                        outcome.set(Outcome::Done(
                            i18n::t(lang, Key::StatisticsNeedsSaved).to_owned(),
                        ));
                    }
                    Err(e) => outcome.set(Outcome::Failed(e)),
                }
            });
        })
    };
    let priorities: Vec<(String, String)> = PRIORITIES
        .iter()
        .map(|p| (Vocabulary::code_of(p), t(priority_key(*p)).to_owned()))
        .collect();
    html! {
        <section class="card statistics-section" id="statistics-needs">
            <h2>{ t(Key::StatisticsNeedsTitle) }</h2>
            <p>{ t(Key::StatisticsNeedsNote) }</p>
            <form onsubmit={on_submit} aria-label={t(Key::StatisticsNeedsTitle)}>
                if rows.is_empty() { <p class="empty">{ t(Key::StatisticsNeedsNone) }</p> }
                { for rows.iter().enumerate().map(|(i, row)| {
                    let id = |f: &str| format!("need-{i}-{f}");
                    let on_remove = {
                        let rows = rows.clone();
                        Callback::from(move |_: MouseEvent| {
                            let mut next = (*rows).clone();
                            if i < next.len() {
                                next.remove(i);
                            }
                            rows.set(next);
                        })
                    };
                    html! {
                        <fieldset class="statistics-need" key={row.uid.key()} data-need={i.to_string()}>
                            <legend>{ i18n::tf(lang, Key::StatisticsNeedNumber, &[("n", &(i + 1).to_string())]) }</legend>
                            <div class="field">
                                <label for={id("text")}>{ t(Key::StatisticsNeedText) }</label>
                                <textarea id={id("text")} maxlength="500" rows="2" value={row.text.clone()}
                                    onchange={edit(i, |r, v| r.text = v)} />
                            </div>
                            <div class="field">
                                <label for={id("priority")}>{ t(Key::StatisticsNeedPriority) }</label>
                                <select id={id("priority")} onchange={edit(i, |r, v| r.priority = v)}>
                                    { options(&priorities, &row.priority, None) }
                                </select>
                            </div>
                            <div class="field">
                                <label for={id("domain")}>{ t(Key::StatisticsNeedDomain) }</label>
                                <select id={id("domain")} onchange={edit(i, |r, v| r.domain = v)}>
                                    { options(&domains, &row.domain, Some(t(Key::StatisticsNeedNoDomain))) }
                                </select>
                            </div>
                            <button type="button" class="secondary" id={id("remove")} onclick={on_remove}>
                                { t(Key::StatisticsNeedRemove) }
                            </button>
                        </fieldset>
                    }
                }) }
                <div class="statistics-actions">
                    <button type="button" class="secondary" id="need-add" onclick={on_add}>
                        { t(Key::StatisticsNeedAdd) }
                    </button>
                    { submit("needs-save", t(Key::StatisticsNeedsSave), outcome.busy()) }
                </div>
                { outcome.view("needs-outcome") }
                if let Some(u) = updated { <p class="statistics-needs-updated">{ u }</p> }
            </form>
        </section>
    }
}

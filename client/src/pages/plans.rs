//! Provincial action plans, for coordinators, analysts and admins: the plans in the reader's
//! scope (newest first) and, for the one chosen, each measure's state and each indicator's
//! value now beside its baseline and target (a bound value is counted by the server; a count
//! hidden under k shows as such, never as 0). Coordinators also write them ([`write`]): a new
//! plan, objectives and measures, adoption and closing, progress on each measure.
use madar_openapi::plans::{
    ActionPlanResponse, ActionPlanStatus, ActionPlanSummary, PlanIndicatorValue, PlanMeasureStatus,
    PlanValueSource,
};
use madar_openapi::Language;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::widgets::{date, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::state::AppContext;
use madar_openapi::users::Role;
use std::rc::Rc;

use super::approvals::paged::use_paged;

pub(crate) mod draft;
mod write;

use write::{Loaded, NewPlan, PlanWriter};

fn status(lang: Language, s: ActionPlanStatus) -> &'static str {
    i18n::t(
        lang,
        match s {
            ActionPlanStatus::Draft => Key::PlansDraft,
            ActionPlanStatus::Active => Key::PlansActive,
            ActionPlanStatus::Closed => Key::PlansClosed,
        },
    )
}

pub(crate) fn measure_status(lang: Language, s: PlanMeasureStatus) -> &'static str {
    i18n::t(
        lang,
        match s {
            PlanMeasureStatus::Planned => Key::PlansMeasurePlanned,
            PlanMeasureStatus::InProgress => Key::PlansMeasureInProgress,
            PlanMeasureStatus::Done => Key::PlansMeasureDone,
            PlanMeasureStatus::Delayed => Key::PlansMeasureDelayed,
            PlanMeasureStatus::Cancelled => Key::PlansMeasureCancelled,
        },
    )
}

/// A figure as the reader may see it: hidden counts say so.
pub fn figure(lang: Language, value: Option<f64>, suppressed: bool) -> String {
    match (value, suppressed) {
        (_, true) => i18n::t(lang, Key::PlansSuppressed).to_owned(),
        (Some(v), _) if v.fract() == 0.0 && v.abs() < 1e15 => {
            crate::components::widgets::number(lang, v as i64)
        }
        (Some(v), _) => format!("{v:.2}"),
        (None, _) => "—".to_owned(),
    }
}

fn source(lang: Language, s: PlanValueSource) -> &'static str {
    i18n::t(
        lang,
        match s {
            PlanValueSource::Computed => Key::PlansComputed,
            PlanValueSource::Recorded => Key::PlansRecorded,
            PlanValueSource::None => Key::PlansNotYet,
        },
    )
}

fn indicator_row(lang: Language, plan: &ActionPlanResponse, v: &PlanIndicatorValue) -> Html {
    let name = plan
        .objectives
        .iter()
        .flat_map(|o| &o.measures)
        .filter(|m| m.key == v.measure)
        .flat_map(|m| &m.indicators)
        .find(|i| i.key == v.indicator)
        .map(|i| i.name.clone())
        .unwrap_or_else(|| v.indicator.clone());
    html! {
        <tr class="plans-indicator" data-indicator={v.indicator.clone()}>
            <th scope="row"><bdi>{ name }</bdi></th>
            <td class="plans-value">{ figure(lang, v.value, v.suppressed) }</td>
            <td>{ figure(lang, v.baseline, false) }</td>
            <td>{ figure(lang, v.target, false) }</td>
            <td>{ source(lang, v.source) }</td>
        </tr>
    }
}

fn detail(lang: Language, plan: &ActionPlanResponse) -> Html {
    let measures: Html = plan
        .measures
        .iter()
        .map(|state| {
            let title = plan
                .objectives
                .iter()
                .flat_map(|o| &o.measures)
                .find(|m| m.key == state.measure)
                .map(|m| m.title.clone())
                .unwrap_or_else(|| state.measure.clone());
            let objective = plan
                .objectives
                .iter()
                .find(|o| o.key == state.objective)
                .map(|o| o.title.clone())
                .unwrap_or_default();
            html! {
                <tr class="plans-measure" data-measure={state.measure.clone()}>
                    <th scope="row"><bdi>{ title }</bdi></th>
                    <td><bdi>{ objective }</bdi></td>
                    <td class="plans-state">{ measure_status(lang, state.status) }</td>
                    <td>
                        <meter min="0" max="100" value={state.percent_done.to_string()}
                            aria-label={i18n::t(lang, Key::PlansPercent)}></meter>
                        { format!(" {} %", state.percent_done) }
                    </td>
                    <td>{ state.as_of.map(|d| date(lang, &d)).unwrap_or_else(|| "—".into()) }</td>
                </tr>
            }
        })
        .collect();
    html! {
        <section class="card plans-detail" id="plan-detail" aria-labelledby="plan-title">
            <h2 id="plan-title"><bdi>{ plan.title.clone() }</bdi></h2>
            <p class="plans-facts">
                <span class="badge">{ status(lang, plan.status) }</span>{ " " }
                <bdi class="code">{ plan.territory.clone() }</bdi>{ " · " }
                { i18n::tf(lang, Key::PlansPeriod, &[
                    ("from", &date(lang, &plan.starts_on)), ("to", &date(lang, &plan.ends_on)),
                ]) }
            </p>
            <div class="table-wrap">
                <table class="plans-table" id="plan-measures">
                    <caption>{ i18n::t(lang, Key::PlansMeasures) }</caption>
                    <thead><tr>
                        <th scope="col">{ i18n::t(lang, Key::PlansMeasure) }</th>
                        <th scope="col">{ i18n::t(lang, Key::PlansObjective) }</th>
                        <th scope="col">{ i18n::t(lang, Key::PlansState) }</th>
                        <th scope="col">{ i18n::t(lang, Key::PlansPercent) }</th>
                        <th scope="col">{ i18n::t(lang, Key::PlansAsOf) }</th>
                    </tr></thead>
                    <tbody>{ measures }</tbody>
                </table>
            </div>
            <div class="table-wrap">
                <table class="plans-table" id="plan-indicators">
                    <caption>{ i18n::t(lang, Key::PlansIndicators) }</caption>
                    <thead><tr>
                        <th scope="col">{ i18n::t(lang, Key::PlansIndicator) }</th>
                        <th scope="col">{ i18n::t(lang, Key::PlansValue) }</th>
                        <th scope="col">{ i18n::t(lang, Key::PlansBaseline) }</th>
                        <th scope="col">{ i18n::t(lang, Key::PlansTarget) }</th>
                        <th scope="col">{ i18n::t(lang, Key::PlansSource) }</th>
                    </tr></thead>
                    <tbody>{ for plan.indicators.iter().map(|v| indicator_row(lang, plan, v)) }</tbody>
                </table>
            </div>
        </section>
    }
}

#[function_component(PlansPage)]
pub fn plans_page() -> Html {
    let ctx = use_context::<AppContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let live = ctx.as_ref().map(|c| c.live_version).unwrap_or_default();
    let user = ctx.as_ref().and_then(|c| c.user.clone());
    let writer = user.as_ref().is_some_and(|u| u.role == Role::Coordinator);
    // Bumped after each change, so the list reads the plans again.
    let saved = use_state(|| 0u64);
    let paged =
        use_paged::<ActionPlanSummary>("/plans?limit=50".to_owned(), live.wrapping_add(*saved));
    let chosen = use_state(|| None::<Result<Loaded, ApiError>>);
    let creating = use_state(|| false);
    let open = {
        let chosen = chosen.clone();
        Callback::from(move |id: String| {
            let chosen = chosen.clone();
            spawn_local(async move {
                let read = api::get_tagged::<ActionPlanResponse>(&format!("/plans/{id}")).await;
                chosen.set(Some(read.map(|(plan, etag)| Loaded {
                    plan: Rc::new(plan),
                    etag,
                })));
            });
        })
    };
    let on_saved = {
        let (open, chosen, saved) = (open.clone(), chosen.clone(), saved.clone());
        Callback::from(move |()| {
            saved.set(saved.wrapping_add(1));
            if let Some(Ok(loaded)) = &*chosen {
                open.emit(loaded.plan.id.to_string());
            }
        })
    };
    let on_created = {
        let (open, creating, saved) = (open.clone(), creating.clone(), saved.clone());
        Callback::from(move |id: String| {
            creating.set(false);
            saved.set(saved.wrapping_add(1));
            open.emit(id);
        })
    };
    let list = match &paged.listing {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(l)) if l.items.is_empty() => html! {
            <p class="empty" id="plans-empty">{ i18n::t(lang, Key::PlansNone) }</p>
        },
        Some(Ok(l)) => html! {
            <ul class="plans-list" id="plans-list">
                { for l.items.iter().map(|p| {
                    let id = p.id.to_string();
                    let onclick = { let open = open.clone(); let id = id.clone(); Callback::from(move |_: MouseEvent| open.emit(id.clone())) };
                    html! {
                        <li class="card plans-item" data-id={id}>
                            <button type="button" class="plans-open" {onclick}>
                                <bdi>{ p.title.clone() }</bdi>
                            </button>
                            <span class="badge">{ status(lang, p.status) }</span>{ " " }
                            <bdi class="code">{ p.territory.clone() }</bdi>{ " · " }
                            { i18n::tf(lang, Key::PlansPeriod, &[
                                ("from", &date(lang, &p.starts_on)), ("to", &date(lang, &p.ends_on)),
                            ]) }
                        </li>
                    }
                }) }
            </ul>
        },
    };
    let shown = match &*chosen {
        None => Html::default(),
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(loaded)) => html! {
            <>
                { detail(lang, &loaded.plan) }
                if writer {
                    <PlanWriter loaded={loaded.clone()} {on_saved} />
                }
            </>
        },
    };
    let new_plan = match (&user, writer, *creating) {
        (Some(user), true, true) => {
            html! { <NewPlan territory={user.territory.clone()} {on_created} /> }
        }
        (_, true, false) => html! {
            <p><button type="button" id="plan-new-open" class="primary"
                onclick={let c = creating.clone(); Callback::from(move |_| c.set(true))}>
                { i18n::t(lang, Key::PlansNewPlan) }</button></p>
        },
        _ => Html::default(),
    };
    html! {
        <section class="plans" id="plans" aria-labelledby="plans-title">
            <h1 id="plans-title">{ i18n::t(lang, Key::PlansTitle) }</h1>
            <p class="plans-intro">{ i18n::t(lang, Key::PlansIntro) }</p>
            { new_plan }
            { list }
            { shown }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_count_is_never_shown_as_a_number() {
        assert_eq!(
            figure(Language::En, None, true),
            i18n::t(Language::En, Key::PlansSuppressed)
        );
        assert_eq!(figure(Language::Fr, None, false), "—");
        assert_eq!(figure(Language::En, Some(2.5), false), "2.50");
    }
}

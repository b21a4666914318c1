//! An objective opened: its progress report, then its sub-objectives → measures → indicators,
//! with an admin's controls beside what they change.
use madar_openapi::programme::{
    ObjectiveReport, ProgrammeIndicator, ProgrammeMeasure, StrategicObjective,
};
use madar_openapi::Language;
use yew::prelude::*;

use super::add::{AddMeasure, AddSubObjective};
use super::write::MeasureEditor;
use super::{percent, Loaded};
use crate::api::ApiError;
use crate::components::widgets::{number, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::plans::{figure, measure_status};

/// What an admin's controls need: the programme as read and who to tell after a change.
pub type Writer<'a> = Option<(&'a Loaded, &'a Callback<Loaded>)>;

/// The years of a measure: `2025–2027`, `2025–`, `–2027` or `—`.
pub fn years(starts: Option<i32>, ends: Option<i32>) -> String {
    match (starts, ends) {
        (Some(s), Some(e)) => format!("{s}–{e}"),
        (Some(s), None) => format!("{s}–"),
        (None, Some(e)) => format!("–{e}"),
        (None, None) => "—".to_owned(),
    }
}

/// An objective's progress report, as read.
pub fn report(lang: Language, read: Option<&Result<ObjectiveReport, ApiError>>) -> Html {
    let t = |k| i18n::t(lang, k);
    let r = match read {
        None => return html! { <Loading busy=true /> },
        Some(Err(e)) => return html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(r)) => &r.progress,
    };
    let on_target = i18n::tf(
        lang,
        Key::ProgrammeOnTarget,
        &[
            ("on", &number(lang, r.indicators_on_target)),
            ("all", &number(lang, r.indicators)),
        ],
    );
    html! {
        <section class="programme-report" aria-label={t(Key::ProgrammeReport)}>
            <div class="table-wrap">
                <table class="plans-table programme-by-status">
                    <caption>{ t(Key::ProgrammeReport) }</caption>
                    <thead><tr>
                        <th scope="col">{ t(Key::PlansState) }</th>
                        <th scope="col">{ t(Key::ProgrammeMeasures) }</th>
                    </tr></thead>
                    <tbody>
                        { for r.by_status.iter().map(|s| html! {
                            <tr><th scope="row">{ measure_status(lang, s.status) }</th>
                                <td>{ number(lang, s.measures) }</td></tr>
                        }) }
                    </tbody>
                </table>
            </div>
            <p class="programme-share">
                { i18n::tf(lang, Key::ProgrammeShareLine, &[("share", &percent(lang, r.share_done))]) }</p>
            <p class="programme-on-target">{ on_target }</p>
        </section>
    }
}

fn indicators(lang: Language, list: &[ProgrammeIndicator]) -> Html {
    let t = |k| i18n::t(lang, k);
    let value = |v: Option<f64>| figure(lang, v, false);
    html! {
        <div class="table-wrap">
            <table class="plans-table programme-indicators">
                <caption>{ t(Key::PlansIndicators) }</caption>
                <thead><tr>
                    <th scope="col">{ t(Key::PlansIndicator) }</th>
                    <th scope="col">{ t(Key::PlansBaseline) }</th>
                    <th scope="col">{ t(Key::PlansTarget) }</th>
                    <th scope="col">{ t(Key::ProgrammeYearly) }</th>
                </tr></thead>
                <tbody>
                    { for list.iter().map(|x| html! {
                        <tr class="programme-indicator" data-indicator={x.key.clone()}>
                            <th scope="row"><bdi>{ x.name.clone() }</bdi></th>
                            <td>{ value(x.baseline) }</td>
                            <td>{ value(x.target) }</td>
                            <td class="programme-yearly">
                                if x.yearly.is_empty() { { "—" } }
                                { for x.yearly.iter().map(|v| html! {
                                    <span class="programme-year" data-year={v.year.to_string()}>
                                        { format!("{}: {}", v.year, value(Some(v.value))) }</span>
                                }) }
                            </td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn measure(lang: Language, m: &ProgrammeMeasure, writer: Writer) -> Html {
    let t = |k| i18n::t(lang, k);
    let partners = if m.partners.is_empty() {
        "—".to_owned()
    } else {
        m.partners.join("، ")
    };
    html! {
        <article class="programme-measure" key={m.key.clone()} data-measure={m.key.clone()}>
            <h4><bdi>{ m.title.clone() }</bdi></h4>
            <dl class="programme-facts">
                <dt>{ t(Key::ProgrammeSector) }</dt><dd><bdi>{ m.sector.clone() }</bdi></dd>
                <dt>{ t(Key::ProgrammePartners) }</dt><dd><bdi>{ partners }</bdi></dd>
                <dt>{ t(Key::ProgrammeSchedule) }</dt><dd>{ years(m.starts_year, m.ends_year) }</dd>
                <dt>{ t(Key::PlansState) }</dt>
                <dd class="programme-status">{ measure_status(lang, m.status) }</dd>
            </dl>
            if !m.indicators.is_empty() { { indicators(lang, &m.indicators) } }
            if let Some((loaded, on_saved)) = writer {
                <MeasureEditor measure={m.clone()} loaded={loaded.clone()} on_saved={on_saved.clone()} />
            }
        </article>
    }
}

/// An objective's sub-objectives and measures, with the admin's controls when `writer`.
pub fn objective(lang: Language, o: &StrategicObjective, writer: Writer) -> Html {
    let t = |k| i18n::t(lang, k);
    html! {
        <>
            if o.sub_objectives.is_empty() {
                <p class="empty">{ t(Key::ProgrammeNoSub) }</p>
            }
            { for o.sub_objectives.iter().map(|s| html! {
                <section class="programme-sub" key={s.key.clone()} data-key={s.key.clone()}>
                    <h3><bdi>{ s.title.clone() }</bdi></h3>
                    if s.measures.is_empty() {
                        <p class="empty">{ t(Key::ProgrammeNoMeasure) }</p>
                    }
                    { for s.measures.iter().map(|m| measure(lang, m, writer)) }
                    if let Some((loaded, on_saved)) = writer {
                        <AddMeasure sub_objective={s.key.clone()} loaded={loaded.clone()} on_saved={on_saved.clone()} />
                    }
                </section>
            }) }
            if let Some((loaded, on_saved)) = writer {
                <AddSubObjective objective={o.code.clone()} loaded={loaded.clone()} on_saved={on_saved.clone()} />
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_shows_the_years_it_has() {
        assert_eq!(years(Some(2025), Some(2027)), "2025–2027");
        assert_eq!(years(Some(2025), None), "2025–");
        assert_eq!(years(None, Some(2030)), "–2030");
        assert_eq!(years(None, None), "—");
    }
}

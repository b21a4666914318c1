//! Statistics: the dashboard, filters, the provincial report (print view, CSV).
use madar_openapi::statistics::{
    Dimension, IndicatorCode, IndicatorResponse, StatisticsCell, StatisticsResponse,
};
use madar_openapi::statistics_report::{Compliance, DashboardResponse, ReferralDelay};
use madar_openapi::users::Role;
use madar_openapi::Language;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::components::widgets::{number, Loading, ProblemMessage};
use crate::i18n::{self, Key};
use crate::pages::referrals::lists::{self as ref_lists, use_reference_list, Items};
use crate::state::{AppContext, Vocabulary};

pub mod export;
pub mod logic;
pub mod needs;

use logic::{Figure, CHART_HEIGHT, CHART_WIDTH};

const FAMILIES: [&str; 4] = ["violence", "exploitation", "neglect", "vulnerability"];

/// The current calendar year, from the browser's clock.
fn this_year() -> i32 {
    js_sys::Date::new_0().get_full_year() as i32
}

/// A month's short name in the page's language.
fn month_name(lang: Language, month: u32) -> String {
    let date = js_sys::Date::new_with_year_month_day(2001, month as i32 - 1, 15);
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"month".into(), &"short".into());
    date.to_locale_date_string(crate::components::widgets::locale(lang), &options)
        .into()
}

/// A figure as text: the count, or `<k` for a hidden one.
fn figure_text(lang: Language, figure: Figure, k: Option<i64>) -> String {
    match figure {
        Figure::Count(n) => number(lang, n),
        Figure::Masked => logic::masked_text(k),
    }
}

/// A figure in a cell; a hidden one is marked for styles and tests.
fn figure_html(lang: Language, figure: Figure, k: Option<i64>) -> Html {
    match figure {
        Figure::Count(_) => html! { <bdi>{ figure_text(lang, figure, k) }</bdi> },
        Figure::Masked => html! {
            <bdi class="statistics-masked" data-masked="true" dir="ltr">{ figure_text(lang, figure, k) }</bdi>
        },
    }
}

/// The index of a dimension in a statistic's keys.
fn dim(stat: &StatisticsResponse, d: Dimension) -> Option<usize> {
    stat.group_by.iter().position(|g| *g == d)
}

fn cell_figure(cell: &StatisticsCell) -> Figure {
    Figure::of(cell.count, cell.suppressed)
}

fn previous_year_figure(cell: &StatisticsCell) -> Figure {
    Figure::of(cell.previous_year, cell.previous_year_suppressed)
}

/// `grid[month][family]` of a statistic by period and concern family (missing cells: 0).
fn family_grid(stat: &StatisticsResponse, year: i32) -> Vec<Vec<Figure>> {
    let months = logic::months(year);
    let mut grid = vec![vec![Figure::Count(0); FAMILIES.len()]; months.len()];
    let (Some(p), Some(f)) = (
        dim(stat, Dimension::Period),
        dim(stat, Dimension::ConcernFamily),
    ) else {
        return grid;
    };
    for cell in &stat.cells {
        let (Some(period), Some(family)) = (cell.key.get(p), cell.key.get(f)) else {
            continue;
        };
        let m = months.iter().position(|m| m == period);
        let s = FAMILIES.iter().position(|x| x == family);
        if let (Some(m), Some(s)) = (m, s) {
            grid[m][s] = cell_figure(cell);
        }
    }
    grid
}

#[derive(Properties, PartialEq)]
struct ChartProps {
    id: AttrValue,
    title: AttrValue,
    stat: StatisticsResponse,
    year: i32,
    k: Option<i64>,
}

/// A statistic by month and concern family: stacked bars and the table of its figures.
#[function_component(FamilyChart)]
fn family_chart(props: &ChartProps) -> Html {
    let Some(ctx) = use_context::<AppContext>() else {
        return Html::default();
    };
    let lang = ctx.lang;
    let grid = family_grid(&props.stat, props.year);
    let columns: Vec<Vec<i64>> = grid
        .iter()
        .map(|row| row.iter().map(|f| f.value()).collect())
        .collect();
    let chart = logic::stacked_bars(&columns, CHART_WIDTH, CHART_HEIGHT, lang == Language::Ar);
    let view_box = format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}");
    let family_label = |s: usize| ctx.vocabulary.label(lang, "concern_families", FAMILIES[s]);
    let month_labels: Vec<String> = (1..=12).map(|m| month_name(lang, m)).collect();
    let bars = chart.bars.iter().map(|b| {
        let title = format!(
            "{} — {}: {}",
            month_labels[b.column],
            family_label(b.series),
            number(lang, columns[b.column][b.series])
        );
        html! {
            <rect class={format!("statistics-bar statistics-family-{}", b.series)}
                x={format!("{:.1}", b.x)} y={format!("{:.1}", b.y)}
                width={format!("{:.1}", b.width)} height={format!("{:.1}", b.height)}>
                <title>{ title }</title>
            </rect>
        }
    });
    let labels = chart.label_x.iter().enumerate().map(|(i, x)| {
        html! {
            <text class="statistics-axis" x={format!("{x:.1}")} y={format!("{:.1}", CHART_HEIGHT - 6.0)}
                text-anchor="middle">{ (i + 1).to_string() }</text>
        }
    });
    let k = props.k;
    let rows = grid.iter().enumerate().map(|(m, row)| {
        let known: i64 = row.iter().map(|f| f.value()).sum();
        let any_masked = row.contains(&Figure::Masked);
        html! {
            <tr>
                <th scope="row">{ month_labels[m].clone() }</th>
                { for row.iter().map(|f| html! { <td>{ figure_html(lang, *f, k) }</td> }) }
                <td>{ if any_masked && known == 0 { figure_html(lang, Figure::Masked, k) }
                      else if any_masked { html! { <bdi>{ format!("≥{}", number(lang, known)) }</bdi> } }
                      else { figure_html(lang, Figure::Count(known), k) } }</td>
            </tr>
        }
    });
    html! {
            <section class="card statistics-section" id={props.id.clone()}>
                <h2>{ props.title.clone() }</h2>
                <ul class="statistics-legend">
                    { for (0..FAMILIES.len()).map(|s| html! {
                        <li><span class={format!("statistics-swatch statistics-family-{s}")} aria-hidden="true"></span>
                            { family_label(s) }</li>
                    }) }
                </ul>
                <svg class="statistics-chart" viewBox={view_box} role="img" aria-label={props.title.clone()}
    >
                    <line class="statistics-baseline" x1="0" x2={CHART_WIDTH.to_string()}
                        y1={(CHART_HEIGHT - logic::CHART_BOTTOM).to_string()}
                        y2={(CHART_HEIGHT - logic::CHART_BOTTOM).to_string()} />
                    { for bars }
                    { for labels }
                </svg>
                <div class="table-wrap">
                    <table class="statistics-table">
                        <thead><tr>
                            <th scope="col">{ i18n::t(lang, Key::StatisticsMonth) }</th>
                            { for (0..FAMILIES.len()).map(|s| html! { <th scope="col">{ family_label(s) }</th> }) }
                            <th scope="col">{ i18n::t(lang, Key::StatisticsTotal) }</th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            </section>
        }
}

fn indicator_key(code: IndicatorCode) -> Key {
    match code {
        IndicatorCode::ChildrenIntegrated => Key::StatisticsIndicatorChildrenIntegrated,
        IndicatorCode::SocialEmergency => Key::StatisticsIndicatorSocialEmergency,
        IndicatorCode::VocationalTraining => Key::StatisticsIndicatorVocationalTraining,
        IndicatorCode::BackToSchool => Key::StatisticsIndicatorBackToSchool,
    }
}

fn indicators(lang: Language, list: &[IndicatorResponse], k: Option<i64>) -> Html {
    html! {
        <section class="card statistics-section" id="statistics-indicators">
            <h2>{ i18n::t(lang, Key::StatisticsIndicators) }</h2>
            <ul class="statistics-indicators">
                { for list.iter().map(|i| {
                    let code = Vocabulary::code_of(&i.code);
                    let value = Figure::of(i.value, i.suppressed);
                    let previous = Figure::of(i.previous_year, i.previous_year_suppressed);
                    html! {
                        <li class="statistics-indicator" data-indicator={code}>
                            <span class="statistics-indicator-value">{ figure_html(lang, value, k) }</span>
                            <span class="statistics-indicator-label">{ i18n::t(lang, indicator_key(i.code)) }</span>
                            <span class="statistics-indicator-previous">
                                { i18n::tf(lang, Key::StatisticsPreviousYear,
                                    &[("value", &figure_text(lang, previous, k))]) }
                            </span>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

/// A statistic with one dimension as a list of labelled bars, each with the previous year.
fn bar_list(
    lang: Language,
    id: &'static str,
    title: Key,
    stat: &StatisticsResponse,
    k: Option<i64>,
    label: impl Fn(&str) -> String,
) -> Html {
    let max = stat
        .cells
        .iter()
        .map(|c| cell_figure(c).value())
        .max()
        .unwrap_or(0);
    let mut cells: Vec<&StatisticsCell> = stat.cells.iter().collect();
    cells.sort_by_key(|c| std::cmp::Reverse(cell_figure(c).value()));
    html! {
        <section class="card statistics-section" {id}>
            <h2>{ i18n::t(lang, title) }</h2>
            if cells.is_empty() {
                <p class="empty">{ i18n::t(lang, Key::StatisticsNoFigures) }</p>
            } else {
                <ul class="statistics-bars">
                    { for cells.iter().map(|c| {
                        let code = c.key.first().cloned().unwrap_or_default();
                        let figure = cell_figure(c);
                        let filled = format!("{:.1}", logic::percent_of(figure, max));
                        html! {
                            <li data-code={code.clone()}>
                                <span class="statistics-bar-label">{ label(&code) }</span>
                                <progress class="statistics-bar-track" max="100" value={filled} aria-hidden="true"></progress>
                                <span class="statistics-bar-value">{ figure_html(lang, figure, k) }</span>
                                <span class="statistics-bar-previous">
                                    { i18n::tf(lang, Key::StatisticsPreviousYear,
                                        &[("value", &figure_text(lang, previous_year_figure(c), k))]) }
                                </span>
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}

fn hours_cell(value: Option<f64>) -> Html {
    match value {
        Some(h) => html! { <td><bdi>{ logic::hours(h) }</bdi></td> },
        None => html! { <td>{ "—" }</td> },
    }
}

fn delays_table(
    lang: Language,
    caption: Key,
    rows: &[ReferralDelay],
    types: &Option<Items>,
    k: Option<i64>,
) -> Html {
    html! {
        <div class="table-wrap">
            <table class="statistics-table statistics-delays">
                <caption>{ i18n::t(lang, caption) }</caption>
                <thead><tr>
                    <th scope="col">{ i18n::t(lang, Key::StatisticsService) }</th>
                    <th scope="col">{ i18n::t(lang, Key::StatisticsAccepted) }</th>
                    <th scope="col">{ i18n::t(lang, Key::StatisticsToAcceptanceMedian) }</th>
                    <th scope="col">{ i18n::t(lang, Key::StatisticsToAcceptanceP90) }</th>
                    <th scope="col">{ i18n::t(lang, Key::StatisticsCompleted) }</th>
                    <th scope="col">{ i18n::t(lang, Key::StatisticsToCompletionMedian) }</th>
                    <th scope="col">{ i18n::t(lang, Key::StatisticsToCompletionP90) }</th>
                </tr></thead>
                <tbody>
                    if rows.is_empty() {
                        <tr><td colspan="7" class="empty">{ i18n::t(lang, Key::StatisticsNoFigures) }</td></tr>
                    }
                    { for rows.iter().map(|r| html! {
                        <tr data-service={r.service_type.clone()}>
                            <th scope="row">{ ref_lists::label(types, lang, &r.service_type) }</th>
                            <td>{ figure_html(lang, Figure::of(r.accepted, r.accepted_suppressed), k) }</td>
                            { hours_cell(r.hours_to_acceptance_median) }
                            { hours_cell(r.hours_to_acceptance_p90) }
                            <td>{ figure_html(lang, Figure::of(r.completed, r.completed_suppressed), k) }</td>
                            { hours_cell(r.hours_to_completion_median) }
                            { hours_cell(r.hours_to_completion_p90) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn compliance_row(
    lang: Language,
    label: Key,
    year: &Compliance,
    previous: &Compliance,
    k: Option<i64>,
) -> Html {
    let share = |c: &Compliance| {
        c.share
            .map(logic::percent)
            .unwrap_or_else(|| "—".to_owned())
    };
    html! {
        <tr>
            <th scope="row">{ i18n::t(lang, label) }</th>
            <td>{ figure_html(lang, Figure::of(year.due, year.due_suppressed), k) }</td>
            <td>{ figure_html(lang, Figure::of(year.on_time, year.on_time_suppressed), k) }</td>
            <td>{ figure_html(lang, Figure::of(year.late, year.late_suppressed), k) }</td>
            <td class="statistics-share"><bdi>{ share(year) }</bdi></td>
            <td><bdi>{ share(previous) }</bdi></td>
        </tr>
    }
}

fn dashboard(ctx: &AppContext, d: &DashboardResponse, types: &Option<Items>) -> Html {
    let lang = ctx.lang;
    let k = d.k;
    let vocabulary = ctx.vocabulary.clone();
    let stage_vocabulary = ctx.vocabulary.clone();
    let pc = &d.protocol_compliance;
    html! {
        <>
            if let Some(k) = k {
                <p id="statistics-legend" class="statistics-note">
                    { figure_html(lang, Figure::Masked, Some(k)) }{ " " }
                    { i18n::tf(lang, Key::StatisticsMaskedLegend, &[("k", &k.to_string())]) }
                </p>
            } else {
                <p id="statistics-exact" class="statistics-note">{ i18n::t(lang, Key::StatisticsExactFigures) }</p>
            }
            { indicators(lang, &d.indicators, k) }
            <FamilyChart id="statistics-reports-chart" title={i18n::t(lang, Key::StatisticsReportsByFamily)}
                stat={d.reports_by_family.clone()} year={d.year} {k} />
            <FamilyChart id="statistics-cases-chart" title={i18n::t(lang, Key::StatisticsCasesByFamily)}
                stat={d.cases_by_family.clone()} year={d.year} {k} />
            { bar_list(lang, "statistics-territories", Key::StatisticsReportsByTerritory,
                &d.reports_by_territory, k, move |code| vocabulary.territory(lang, code)) }
            { bar_list(lang, "statistics-stages", Key::StatisticsCasesByStage, &d.cases_by_stage, k,
                move |code| stage_vocabulary.label(lang, "case_stages", code)) }
            <section class="card statistics-section" id="statistics-delays">
                <h2>{ i18n::t(lang, Key::StatisticsReferralDelays) }</h2>
                { delays_table(lang, Key::StatisticsThisYear, &d.referral_delays.rows, types, k) }
                { delays_table(lang, Key::StatisticsDelaysPreviousYear, &d.referral_delays.previous_year, types, k) }
            </section>
            <section class="card statistics-section" id="statistics-compliance">
                <h2>{ i18n::t(lang, Key::StatisticsCompliance) }</h2>
                <div class="table-wrap">
                    <table class="statistics-table">
                        <thead><tr>
                            <th scope="col"></th>
                            <th scope="col">{ i18n::t(lang, Key::StatisticsDue) }</th>
                            <th scope="col">{ i18n::t(lang, Key::StatisticsOnTime) }</th>
                            <th scope="col">{ i18n::t(lang, Key::StatisticsLate) }</th>
                            <th scope="col">{ i18n::t(lang, Key::StatisticsShare) }</th>
                            <th scope="col">{ i18n::t(lang, Key::StatisticsDelaysPreviousYear) }</th>
                        </tr></thead>
                        <tbody>
                            { compliance_row(lang, Key::StatisticsComplianceActions, &pc.actions, &pc.actions_previous_year, k) }
                            { compliance_row(lang, Key::StatisticsComplianceScreening, &pc.immediate_danger_screening,
                                &pc.immediate_danger_screening_previous_year, k) }
                        </tbody>
                    </table>
                </div>
            </section>
        </>
    }
}

#[derive(Clone, PartialEq)]
enum ExportState {
    Idle,
    Busy,
    Done(String),
    Failed(ApiError),
    Blocked,
}

#[derive(Properties, PartialEq)]
struct ReportProps {
    territory: AttrValue,
    year: i32,
}

/// The provincial report: a print view in a new tab, or the CSV file.
#[function_component(ReportExport)]
fn report_export(props: &ReportProps) -> Html {
    let ctx = use_context::<AppContext>();
    let state = use_state(|| ExportState::Idle);
    {
        let state = state.clone();
        use_effect_with((props.territory.clone(), props.year), move |_| {
            state.set(ExportState::Idle)
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let lang_code = Vocabulary::code_of(&lang);
    let path = logic::report_path(&props.territory, props.year, &lang_code);
    let busy = *state == ExportState::Busy;
    // A printable page of the API in a new tab: the report, or the diagnostic beside it.
    let print = |path: String| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            // The tab opens now, within the click, so no pop-up blocker stops it.
            let tab = web_sys::window()
                .and_then(|w| w.open_with_url_and_target("", "_blank").ok().flatten());
            let Some(tab) = tab else {
                state.set(ExportState::Blocked);
                return;
            };
            let (state, path) = (state.clone(), path.clone());
            state.set(ExportState::Busy);
            spawn_local(async move {
                match export::fetch_object_url(&path, export::Format::Html).await {
                    Ok((url, body)) => {
                        let _ = tab.location().set_href(&url);
                        if let Some(css) = export::style_of(&body) {
                            export::adopt_style(&tab, &url, css).await;
                        }
                        export::revoke_later(url);
                        state.set(ExportState::Done(
                            i18n::t(lang, Key::StatisticsOpened).to_owned(),
                        ));
                    }
                    Err(e) => {
                        let _ = tab.close();
                        state.set(ExportState::Failed(e));
                    }
                }
            });
        })
    };
    let on_print = print(path.clone());
    let on_diagnostic = print(logic::diagnostic_path(
        &props.territory,
        props.year,
        &lang_code,
    ));
    let on_csv = {
        let (state, path) = (state.clone(), path.clone());
        let file = logic::csv_file_name(&props.territory, props.year);
        Callback::from(move |_| {
            let (state, path, file) = (state.clone(), path.clone(), file.clone());
            state.set(ExportState::Busy);
            spawn_local(async move {
                match export::fetch_object_url(&path, export::Format::Csv).await {
                    Ok((url, _)) => {
                        export::save(&url, &file);
                        export::revoke_later(url);
                        state.set(ExportState::Done(i18n::tf(
                            lang,
                            Key::StatisticsDownloaded,
                            &[("file", &file)],
                        )));
                    }
                    Err(e) => state.set(ExportState::Failed(e)),
                }
            });
        })
    };
    let label = |key: Key| {
        if busy {
            i18n::t(lang, Key::StatisticsPreparing)
        } else {
            i18n::t(lang, key)
        }
    };
    html! {
        <section class="card statistics-section" id="statistics-report">
            <h2>{ i18n::t(lang, Key::StatisticsReport) }</h2>
            <p>{ i18n::t(lang, Key::StatisticsReportNote) }</p>
            <div class="statistics-actions">
                <button id="statistics-print" type="button" class="secondary" disabled={busy} onclick={on_print}>
                    { label(Key::StatisticsPrintView) }
                </button>
                <button id="statistics-csv" type="button" class="secondary" disabled={busy} onclick={on_csv}>
                    { label(Key::StatisticsDownloadCsv) }
                </button>
                <button id="statistics-diagnostic" type="button" class="secondary" disabled={busy} onclick={on_diagnostic}>
                    { label(Key::StatisticsDiagnosticPrintView) }
                </button>
            </div>
            { match &*state {
                ExportState::Done(text) => html! { <p id="statistics-report-done" class="statistics-done" role="status">{ text.clone() }</p> },
                ExportState::Failed(e) => html! { <ProblemMessage error={e.clone()} /> },
                ExportState::Blocked => html! { <p class="error" role="alert">{ i18n::t(lang, Key::StatisticsPopupBlocked) }</p> },
                _ => Html::default(),
            } }
        </section>
    }
}

#[function_component(StatisticsPage)]
pub fn statistics_page() -> Html {
    let ctx = use_context::<AppContext>();
    let user = ctx.as_ref().and_then(|c| c.user.clone());
    let own = user
        .as_ref()
        .filter(|u| u.role == Role::Coordinator)
        .map(|u| u.territory.clone());
    // The territory picked; until then a coordinator's own, or the whole country.
    let picked = use_state(|| None::<String>);
    let territory = (*picked)
        .clone()
        .or_else(|| own.clone())
        .unwrap_or_else(|| "MA".to_owned());
    let year = use_state(this_year);
    let data = use_state(|| None::<Result<DashboardResponse, ApiError>>);
    let types = use_reference_list("service_types");
    {
        let data = data.clone();
        use_effect_with((territory.clone(), *year), move |(territory, year)| {
            data.set(None);
            let path = format!("/statistics/dashboard?territory={territory}&year={year}");
            spawn_local(async move {
                data.set(Some(api::get::<DashboardResponse>(&path).await));
            });
        });
    }
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let all = ctx.vocabulary.territories(lang);
    let mut choices: Vec<&(String, String, usize)> = match &own {
        Some(root) => logic::subtree(&all, root),
        None => all.iter().collect(),
    };
    // Until the territories have arrived, the one shown.
    let current = (
        territory.clone(),
        ctx.vocabulary.territory(lang, &territory),
        0,
    );
    if choices.is_empty() {
        choices.push(&current);
    }
    let on_territory = {
        let picked = picked.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                picked.set(Some(select.value()));
            }
        })
    };
    let on_year = {
        let year = year.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Ok(y) = select.value().parse() {
                    year.set(y);
                }
            }
        })
    };
    let now = this_year();
    // The diagnostic and its needs: admins, analysts and coordinators; coordinators record.
    let reads_diagnostic = user
        .as_ref()
        .is_some_and(|u| matches!(u.role, Role::Admin | Role::Analyst | Role::Coordinator));
    let body = match &*data {
        None => html! { <Loading busy=true /> },
        Some(Err(e)) => html! { <ProblemMessage error={e.clone()} /> },
        Some(Ok(d)) => dashboard(&ctx, d, &types),
    };
    html! {
        <main class="statistics-page">
            <h1>{ i18n::t(lang, Key::StatisticsTitle) }</h1>
            <p class="statistics-intro">{ i18n::t(lang, Key::StatisticsIntro) }</p>
            <form class="card statistics-filters" aria-label={i18n::t(lang, Key::StatisticsFilters)}
                onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <div class="field">
                    <label for="statistics-territory">{ i18n::t(lang, Key::StatisticsTerritory) }</label>
                    <select id="statistics-territory" onchange={on_territory}>
                        { for choices.iter().map(|(code, label, depth)| html! {
                            <option value={code.clone()} selected={*code == territory}>
                                { format!("{}{}", "\u{a0}\u{a0}".repeat(*depth), label) }
                            </option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="statistics-year">{ i18n::t(lang, Key::StatisticsYear) }</label>
                    <select id="statistics-year" onchange={on_year}>
                        { for (now - 5..=now).rev().map(|y| html! {
                            <option value={y.to_string()} selected={y == *year}>{ y.to_string() }</option>
                        }) }
                    </select>
                </div>
            </form>
            <ReportExport territory={territory.clone()} year={*year} />
            { body }
            if reads_diagnostic {
                <needs::CommitteeNeeds territory={territory.clone()} year={*year}
                    editable={own.is_some()} />
            }
        </main>
    }
}

//! Plain logic of the statistics page, tested on the host: the chart's geometry, the grid of
//! a statistic's cells, masked figures, the territories a coordinator may pick.
use madar_openapi::diagnostics::{CommitteeNeed, NeedPriority, RecordCommitteeNeeds};
use validator::Validate;

use crate::pages::case::form::Uid;

/// A figure as the API gives it: a count, or a count hidden under k.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Count(i64),
    Masked,
}

impl Figure {
    pub fn of(count: Option<i64>, suppressed: bool) -> Figure {
        match count {
            Some(n) if !suppressed => Figure::Count(n),
            None if !suppressed => Figure::Count(0),
            _ => Figure::Masked,
        }
    }

    /// The height a bar draws: a hidden count draws nothing.
    pub fn value(self) -> i64 {
        match self {
            Figure::Count(n) => n,
            Figure::Masked => 0,
        }
    }
}

/// A hidden figure's text: `<k` (`<5` when the threshold is unknown).
pub fn masked_text(k: Option<i64>) -> String {
    format!("<{}", k.unwrap_or(5))
}

/// One bar segment of a chart, in SVG user units.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// The column (month index) and the series (stack position).
    pub column: usize,
    pub series: usize,
}

/// The geometry of a stacked bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub bars: Vec<Bar>,
    /// The x of each column's centre, for its label.
    pub label_x: Vec<f64>,
    /// The largest column total (the top of the scale).
    pub max: i64,
}

pub const CHART_WIDTH: f64 = 600.0;
pub const CHART_HEIGHT: f64 = 220.0;
/// Room under the bars for the month labels.
pub const CHART_BOTTOM: f64 = 24.0;

/// Stacked bars: `columns[c][s]` is series `s` of column `c`. Columns run left to right, or
/// right to left when `rtl` (Arabic reads months from the right).
pub fn stacked_bars(columns: &[Vec<i64>], width: f64, height: f64, rtl: bool) -> Chart {
    let n = columns.len().max(1) as f64;
    let slot = width / n;
    let bar_width = slot * 0.7;
    let plot = (height - CHART_BOTTOM).max(1.0);
    let max = columns
        .iter()
        .map(|c| c.iter().map(|v| (*v).max(0)).sum::<i64>())
        .max()
        .unwrap_or(0);
    let scale = if max > 0 { plot / max as f64 } else { 0.0 };
    let mut bars = Vec::new();
    let mut label_x = Vec::new();
    for (c, values) in columns.iter().enumerate() {
        let left = slot * c as f64 + (slot - bar_width) / 2.0;
        let x = if rtl { width - left - bar_width } else { left };
        label_x.push(x + bar_width / 2.0);
        let mut top = plot;
        for (s, v) in values.iter().enumerate() {
            let h = (*v).max(0) as f64 * scale;
            if h <= 0.0 {
                continue;
            }
            top -= h;
            bars.push(Bar {
                x,
                y: top,
                width: bar_width,
                height: h,
                column: c,
                series: s,
            });
        }
    }
    Chart { bars, label_x, max }
}

/// The share of a bar list's row, in percent of the largest (0 when hidden or nothing).
pub fn percent_of(value: Figure, max: i64) -> f64 {
    match value {
        Figure::Count(n) if max > 0 => (n.max(0) as f64 * 100.0 / max as f64).min(100.0),
        _ => 0.0,
    }
}

/// The months `YYYY-01`..`YYYY-12` of a year.
pub fn months(year: i32) -> Vec<String> {
    (1..=12).map(|m| format!("{year}-{m:02}")).collect()
}

/// The territories one may pick: all of them, or a coordinator's own subtree (the tree is
/// given in order as `(code, depth)`).
pub fn subtree<'a, T>(tree: &'a [(String, T, usize)], root: &str) -> Vec<&'a (String, T, usize)> {
    let Some(start) = tree.iter().position(|(code, _, _)| code == root) else {
        return Vec::new();
    };
    let depth = tree[start].2;
    let mut out = vec![&tree[start]];
    out.extend(tree[start + 1..].iter().take_while(|t| t.2 > depth));
    out
}

/// A number of hours with one decimal at most.
pub fn hours(h: f64) -> String {
    let rounded = (h * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

/// A share as a whole percentage.
pub fn percent(share: f64) -> String {
    format!("{}%", (share * 100.0).round() as i64)
}

/// The file a provincial report's CSV is saved as.
pub fn csv_file_name(code: &str, year: i32) -> String {
    format!("report-{code}-{year}.csv")
}

/// The report's path for a territory, a year and the page's language (the printable page
/// exists in Arabic and French only: English readers get French).
pub fn report_path(code: &str, year: i32, lang: &str) -> String {
    territory_page(code, "report", year, lang)
}

/// The printable diagnostic of structures and services of a territory, as [`report_path`].
pub fn diagnostic_path(code: &str, year: i32, lang: &str) -> String {
    territory_page(code, "diagnostic", year, lang)
}

fn territory_page(code: &str, page: &str, year: i32, lang: &str) -> String {
    let lang = if lang == "ar" { "ar" } else { "fr" };
    format!("/statistics/territories/{code}/{page}?year={year}&lang={lang}")
}

/// A committee need as its form holds it: codes as text, `""` for no domain.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedRow {
    pub uid: Uid,
    pub text: String,
    pub priority: String,
    pub domain: String,
}

impl Default for NeedRow {
    fn default() -> NeedRow {
        NeedRow {
            uid: Uid::default(),
            text: String::new(),
            priority: code_of(&NeedPriority::Medium),
            domain: String::new(),
        }
    }
}

impl NeedRow {
    pub fn of(need: &CommitteeNeed) -> NeedRow {
        NeedRow {
            uid: Uid::default(),
            text: need.text.clone(),
            priority: code_of(&need.priority),
            domain: need.domain.as_ref().map(code_of).unwrap_or_default(),
        }
    }
}

/// The priorities a need may take, highest first.
pub const PRIORITIES: [NeedPriority; 3] =
    [NeedPriority::High, NeedPriority::Medium, NeedPriority::Low];

fn code_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    crate::json::code(code)
}

/// The request that records `rows`, checked as the contract checks it; else the index of the
/// first row whose text is blank or too long.
pub fn needs_request(rows: &[NeedRow]) -> Result<RecordCommitteeNeeds, usize> {
    let mut needs = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let need = CommitteeNeed {
            text: row.text.trim().to_owned(),
            priority: parse(&row.priority).unwrap_or(NeedPriority::Medium),
            domain: parse(&row.domain),
        };
        if need.validate().is_err() {
            return Err(i);
        }
        needs.push(need);
    }
    Ok(RecordCommitteeNeeds { needs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_keep_hidden_counts_apart_from_zero() {
        assert_eq!(Figure::of(Some(3), false), Figure::Count(3));
        assert_eq!(Figure::of(None, true), Figure::Masked);
        assert_eq!(Figure::of(None, false), Figure::Count(0));
        assert_eq!(Figure::Masked.value(), 0);
        assert_eq!(masked_text(Some(5)), "<5");
        assert_eq!(masked_text(None), "<5");
    }

    #[test]
    fn bars_stack_and_scale_to_the_largest_column() {
        let chart = stacked_bars(&[vec![2, 2], vec![0, 0], vec![1, 0]], 300.0, 124.0, false);
        assert_eq!(chart.max, 4);
        assert_eq!(chart.bars.len(), 3);
        let first = &chart.bars[0];
        assert_eq!((first.column, first.series), (0, 0));
        assert!((first.height - 50.0).abs() < 1e-9);
        assert!((first.y - 50.0).abs() < 1e-9);
        let second = &chart.bars[1];
        assert!((second.y - 0.0).abs() < 1e-9);
        assert!((first.x - 15.0).abs() < 1e-9);
        assert!((first.width - 70.0).abs() < 1e-9);
        assert_eq!(chart.label_x.len(), 3);
        assert!((chart.label_x[0] - 50.0).abs() < 1e-9);
    }

    #[test]
    fn right_to_left_mirrors_the_columns() {
        let ltr = stacked_bars(&[vec![1], vec![2]], 200.0, 100.0, false);
        let rtl = stacked_bars(&[vec![1], vec![2]], 200.0, 100.0, true);
        assert!(rtl.label_x[0] > rtl.label_x[1]);
        for (a, b) in ltr.bars.iter().zip(&rtl.bars) {
            assert!((a.x + a.width + b.x - 200.0).abs() < 1e-9);
            assert_eq!(a.height, b.height);
        }
    }

    #[test]
    fn an_empty_chart_draws_nothing() {
        let chart = stacked_bars(&vec![vec![0, 0]; 12], 600.0, 220.0, false);
        assert!(chart.bars.is_empty());
        assert_eq!(chart.max, 0);
        assert_eq!(chart.label_x.len(), 12);
    }

    #[test]
    fn subtree_keeps_a_territory_and_its_descendants() {
        let tree: Vec<(String, (), usize)> = [("MA", 0), ("MA-06", 1), ("421", 2), ("MA-07", 1)]
            .into_iter()
            .map(|(c, d)| (c.to_owned(), (), d))
            .collect();
        let codes = |root| {
            subtree(&tree, root)
                .iter()
                .map(|t| t.0.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(codes("MA-06"), ["MA-06", "421"]);
        assert_eq!(codes("MA").len(), 4);
        assert!(codes("XX").is_empty());
    }

    #[test]
    fn formatting() {
        assert_eq!(hours(12.0), "12");
        assert_eq!(hours(3.456), "3.5");
        assert_eq!(percent(0.875), "88%");
        assert_eq!(percent_of(Figure::Count(5), 10), 50.0);
        assert_eq!(percent_of(Figure::Masked, 10), 0.0);
        assert_eq!(months(2026)[2], "2026-03");
        assert_eq!(csv_file_name("421", 2026), "report-421-2026.csv");
        assert_eq!(
            report_path("421", 2026, "en"),
            "/statistics/territories/421/report?year=2026&lang=fr"
        );
        assert_eq!(
            diagnostic_path("421", 2026, "ar"),
            "/statistics/territories/421/diagnostic?year=2026&lang=ar"
        );
    }

    #[test]
    fn needs_are_checked_as_the_contract_checks_them() {
        let row = |text: &str, priority: &str, domain: &str| NeedRow {
            uid: Uid::default(),
            text: text.into(),
            priority: priority.into(),
            domain: domain.into(),
        };
        let body = needs_request(&[
            row(" Un centre d'accueil ", "high", "social_care"),
            row("Des éducateurs", "low", ""),
        ]);
        let Ok(body) = body else {
            panic!("valid rows are sent")
        };
        assert_eq!(body.needs[0].text, "Un centre d'accueil");
        assert_eq!(body.needs[0].priority, NeedPriority::High);
        assert_eq!(
            body.needs[0].domain.as_ref().map(code_of).as_deref(),
            Some("social_care")
        );
        assert_eq!(body.needs[1].domain, None);
        assert_eq!(
            needs_request(&[row("Bien", "high", ""), row("  ", "high", "")]).err(),
            Some(1)
        );
        assert_eq!(
            needs_request(&[row(&"x".repeat(501), "low", "")]).err(),
            Some(0)
        );
        let need = CommitteeNeed {
            text: "Texte".into(),
            priority: NeedPriority::Low,
            domain: None,
        };
        assert_eq!(NeedRow::of(&need), row("Texte", "low", ""));
        assert_eq!(NeedRow::default().priority, "medium");
    }
}

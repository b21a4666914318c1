//! The provincial report as a printable HTML page (`Accept: text/html`), in Arabic (right to
//! left) or French: one section per chart, each an inline SVG with the table of its figures
//! under it, A4 print styles, and nothing external (no script, no font, no image). The one
//! `<style>` element is allowed by its hash in the response's own CSP (`csp()`). Every text
//! that comes from data is escaped.
use std::fmt::Write;

use base64::Engine;
use chrono::{Datelike, NaiveDate};
use madar_openapi::statistics::StatisticsResponse;
use madar_openapi::statistics_report::{Compliance, ProvincialReport};
use sha2::{Digest, Sha256};

use super::params::Lang;
use super::report_svg::{bars, escape, legend, lines, shown};
use super::report_text::{month, word, Labels};
use crate::codes::to_code;

pub const CSS: &str = "@page { size: A4; margin: 14mm; }
body { font-family: 'Noto Naskh Arabic', 'DejaVu Sans', Arial, sans-serif; font-size: 10.5pt; color: #1d1d1d; max-width: 182mm; margin: 0 auto; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; border-bottom: 1px solid #777; margin: 6mm 0 2mm; }
p.meta { color: #555; margin: 0 0 4mm; }
section { break-inside: avoid; page-break-inside: avoid; }
svg.chart { display: block; width: 100%; height: auto; margin: 2mm 0; }
.legend svg { display: inline-block; width: 3mm; height: 3mm; vertical-align: middle; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 3mm; }
th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; text-align: start; }
td.n { text-align: end; font-variant-numeric: tabular-nums; }
.legend span { margin-inline-end: 4mm; }
@media print { body { max-width: none; } }
";

const FAMILIES: [&str; 4] = ["violence", "exploitation", "neglect", "vulnerability"];
const STAGES: [&str; 6] = [
    "identification",
    "assessment",
    "planning",
    "implementation",
    "follow_up",
    "closed",
];

/// The CSP of the page: nothing but its own style element.
pub fn csp() -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

fn count(v: Option<i64>) -> Option<f64> {
    v.map(|n| n as f64)
}

/// One row of a figures table: a label, then (value, suppressed) cells.
fn row(out: &mut String, label: &str, cells: &[(Option<f64>, bool)]) {
    let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(label));
    for (v, s) in cells {
        let _ = write!(out, "<td class=\"n\">{}</td>", shown(*v, *s));
    }
    out.push_str("</tr>");
}

fn head(out: &mut String, columns: &[&str]) {
    out.push_str("<table><thead><tr>");
    for c in columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(c));
    }
    out.push_str("</tr></thead><tbody>");
}

/// A cell of a one-dimension statistic (`code`), with the previous year.
fn by_code(stat: &StatisticsResponse, code: &str) -> [(Option<f64>, bool); 2] {
    stat.cells
        .iter()
        .find(|c| c.key.last().map(String::as_str) == Some(code))
        .map(|c| {
            [
                (count(c.count), c.suppressed),
                (count(c.previous_year), c.previous_year_suppressed),
            ]
        })
        .unwrap_or([(Some(0.0), false), (Some(0.0), false)])
}

/// A labelled pair of figures (the year, the previous year), each (value, suppressed).
type Item = (String, [(Option<f64>, bool); 2]);

struct Page<'a> {
    out: String,
    lang: Lang,
    labels: &'a Labels,
    report: &'a ProvincialReport,
    /// The last month drawn: December, or the current month of the current year.
    last_month: usize,
}

impl Page<'_> {
    fn w(&self, key: &str) -> String {
        escape(word(self.lang, key))
    }

    fn years(&self) -> [String; 2] {
        let r = self.report;
        [r.year.to_string(), (r.year - 1).to_string()]
    }

    fn section(&mut self, key: &str) {
        let title = self.w(key);
        let _ = write!(self.out, "<section><h2>{title}</h2>");
    }

    fn summary(&mut self) {
        self.section("summary");
        let [y, p] = self.years();
        head(&mut self.out, &[word(self.lang, "indicator"), &y, &p]);
        let s = &self.report.summary;
        for (key, stat) in [
            ("reports", &s.reports),
            ("children", &s.children),
            ("cases_opened", &s.cases_opened),
            ("cases_closed", &s.cases_closed),
        ] {
            let cells = stat.cells.first().map_or([(Some(0.0), false); 2], |c| {
                [
                    (count(c.count), c.suppressed),
                    (count(c.previous_year), c.previous_year_suppressed),
                ]
            });
            row(&mut self.out, word(self.lang, key), &cells);
        }
        self.out.push_str("</tbody></table></section>");
    }

    fn trend(&mut self) {
        self.section("reports_by_concern");
        let stat = &self.report.reports_by_concern;
        let year = self.report.year;
        let value = |family: &str, m: usize| {
            let key = [format!("{year}-{m:02}"), family.to_string()];
            stat.cells
                .iter()
                .find(|c| c.key == key)
                .map_or((Some(0.0), false), |c| (count(c.count), c.suppressed))
        };
        let series: Vec<(String, Vec<Option<f64>>)> = FAMILIES
            .iter()
            .map(|f| {
                let label = self.labels.of(self.lang, "concern_families", f).to_string();
                let months = (1..=self.last_month).map(|m| value(f, m).0).collect();
                (label, months)
            })
            .collect();
        let names: Vec<String> = series.iter().map(|(n, _)| n.clone()).collect();
        self.out.push_str(&lines(&series, self.lang));
        legend(&mut self.out, &names);
        let months: Vec<&str> = (1..=12).map(|m| month(self.lang, m)).collect();
        let mut columns = vec![word(self.lang, "month")];
        columns.extend(months);
        head(&mut self.out, &columns);
        for (f, name) in FAMILIES.iter().zip(&names) {
            let cells: Vec<(Option<f64>, bool)> = (1..=12).map(|m| value(f, m)).collect();
            row(&mut self.out, name, &cells);
        }
        self.out.push_str("</tbody></table></section>");
    }

    /// A section of one-dimension bars (`list`: the codes' reference list).
    fn coded(&mut self, key: &str, stat: &StatisticsResponse, list: &str, codes: &[String]) {
        self.section(key);
        let items: Vec<Item> = codes
            .iter()
            .map(|c| {
                (
                    self.labels.of(self.lang, list, c).to_string(),
                    by_code(stat, c),
                )
            })
            .collect();
        self.chart_and_table(&items);
    }

    fn chart_and_table(&mut self, items: &[Item]) {
        let bars_of: Vec<(String, Vec<Option<f64>>)> = items
            .iter()
            .map(|(l, v)| {
                let shown = |(n, s): (Option<f64>, bool)| if s { None } else { n };
                (l.clone(), vec![shown(v[0]), shown(v[1])])
            })
            .collect();
        self.out.push_str(&bars(&bars_of, 2));
        let years = self.years().to_vec();
        legend(&mut self.out, &years);
        let [y, p] = self.years();
        head(&mut self.out, &["", &y, &p]);
        for (label, cells) in items {
            row(&mut self.out, label, cells);
        }
        self.out.push_str("</tbody></table></section>");
    }

    fn outcomes(&mut self) {
        self.section("outcomes");
        let items: Vec<Item> = self
            .report
            .outcomes
            .indicators
            .iter()
            .map(|i| {
                (
                    word(self.lang, &to_code(&i.code)).to_string(),
                    [
                        (count(i.value), i.suppressed),
                        (count(i.previous_year), i.previous_year_suppressed),
                    ],
                )
            })
            .collect();
        self.chart_and_table(&items);
        let stat = &self.report.outcomes.closures_by_reason;
        let mut codes: Vec<String> = stat
            .cells
            .iter()
            .filter_map(|c| c.key.first().cloned())
            .collect();
        codes.sort();
        codes.dedup();
        self.coded("closures_by_reason", stat, "closure_reasons", &codes);
    }

    fn delays(&mut self) {
        self.section("referral_delays");
        let rows = &self.report.referral_delays.rows;
        let items: Vec<(String, Vec<Option<f64>>)> = rows
            .iter()
            .map(|r| {
                let label = self.labels.of(self.lang, "service_types", &r.service_type);
                (
                    label.to_string(),
                    vec![r.hours_to_acceptance_median, r.hours_to_completion_median],
                )
            })
            .collect();
        self.out.push_str(&bars(&items, 2));
        legend(
            &mut self.out,
            &[
                word(self.lang, "median_acceptance").into(),
                word(self.lang, "median_completion").into(),
            ],
        );
        let columns = [
            "service_type",
            "accepted",
            "median_acceptance",
            "p90_acceptance",
            "completed",
            "median_completion",
            "p90_completion",
        ]
        .map(|k| word(self.lang, k));
        head(&mut self.out, &columns);
        for r in rows {
            let (a, c) = (r.accepted_suppressed, r.completed_suppressed);
            let cells = [
                (count(r.accepted), a),
                (r.hours_to_acceptance_median, a),
                (r.hours_to_acceptance_p90, a),
                (count(r.completed), c),
                (r.hours_to_completion_median, c),
                (r.hours_to_completion_p90, c),
            ];
            row(
                &mut self.out,
                self.labels.of(self.lang, "service_types", &r.service_type),
                &cells,
            );
        }
        if rows.is_empty() {
            let _ = write!(
                self.out,
                "<tr><td colspan=\"7\">{}</td></tr>",
                self.w("none")
            );
        }
        self.out.push_str("</tbody></table></section>");
    }

    fn compliance(&mut self) {
        self.section("protocol_compliance");
        let c = &self.report.protocol_compliance;
        let pct = |x: &Compliance| x.share.map(|s| (s * 100.0 * 10.0).round() / 10.0);
        let items = vec![
            (
                word(self.lang, "actions").to_string(),
                vec![pct(&c.actions), pct(&c.actions_previous_year)],
            ),
            (
                word(self.lang, "immediate_danger_screening").to_string(),
                vec![
                    pct(&c.immediate_danger_screening),
                    pct(&c.immediate_danger_screening_previous_year),
                ],
            ),
        ];
        self.out.push_str(&bars(&items, 2));
        let years = self.years().to_vec();
        legend(&mut self.out, &years);
        let [y, p] = self.years();
        let columns = ["", "due", "on_time", "late", "share"].map(|k| {
            if k.is_empty() {
                ""
            } else {
                word(self.lang, k)
            }
        });
        head(&mut self.out, &columns);
        for (key, x, year) in [
            ("actions", &c.actions, &y),
            ("actions", &c.actions_previous_year, &p),
            (
                "immediate_danger_screening",
                &c.immediate_danger_screening,
                &y,
            ),
            (
                "immediate_danger_screening",
                &c.immediate_danger_screening_previous_year,
                &p,
            ),
        ] {
            let hidden = x.due_suppressed || x.on_time_suppressed || x.late_suppressed;
            let cells = [
                (count(x.due), x.due_suppressed),
                (count(x.on_time), x.on_time_suppressed),
                (count(x.late), x.late_suppressed),
                (pct(x), hidden),
            ];
            row(
                &mut self.out,
                &format!("{} ({year})", word(self.lang, key)),
                &cells,
            );
        }
        self.out.push_str("</tbody></table></section>");
    }
}

/// The page of a report in `lang`, drawn on `today` (months to come are not drawn).
pub fn render(report: &ProvincialReport, lang: Lang, labels: &Labels, today: NaiveDate) -> String {
    let (code, dir) = match lang {
        Lang::Ar => ("ar", "rtl"),
        Lang::Fr => ("fr", "ltr"),
    };
    let name = if lang == Lang::Ar {
        &report.name_ar
    } else {
        &report.name_fr
    };
    let mut page = Page {
        out: String::with_capacity(32 * 1024),
        lang,
        labels,
        report,
        last_month: match today.year().cmp(&report.year) {
            std::cmp::Ordering::Greater => 12,
            std::cmp::Ordering::Equal => today.month() as usize,
            std::cmp::Ordering::Less => 0,
        },
    };
    let title = format!("{} — {} {}", word(lang, "title"), name, report.year);
    let _ = write!(
        page.out,
        "<!DOCTYPE html><html lang=\"{code}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>{CSS}</style></head><body><header><h1>{t}</h1>\
         <p class=\"meta\">{territory} · {from} – {to} · * {note}</p></header>",
        t = escape(&title),
        territory = escape(&report.territory),
        from = report.from,
        to = report.to,
        note = page.w("suppressed"),
    );
    page.summary();
    page.trend();
    let stages: Vec<String> = STAGES.iter().map(|s| s.to_string()).collect();
    page.coded(
        "cases_by_stage",
        &report.cases_by_stage,
        "case_stages",
        &stages,
    );
    page.outcomes();
    page.delays();
    page.compliance();
    page.out.push_str("</body></html>");
    page.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csp_allows_only_the_page_style() {
        let csp = csp();
        assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(!csp.contains("unsafe"));
    }
}

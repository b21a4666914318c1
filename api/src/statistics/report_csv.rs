//! The provincial report as CSV (`Accept: text/csv`): one row per figure, `section, series,
//! period, value, suppressed`, the year's figures then the previous year's. A suppressed
//! figure has an empty value; a median or a share with nothing to measure is empty too, but
//! not suppressed.
use madar_openapi::statistics::{IndicatorResponse, StatisticsResponse};
use madar_openapi::statistics_report::{Compliance, ProvincialReport, ReferralDelay};

use crate::codes::to_code;
use crate::error::ApiError;

pub const HEADER: [&str; 5] = ["section", "series", "period", "value", "suppressed"];

/// One figure of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub section: &'static str,
    pub series: String,
    pub period: String,
    pub value: Option<String>,
    pub suppressed: bool,
}

struct Out {
    rows: Vec<Figure>,
}

impl Out {
    fn push(
        &mut self,
        section: &'static str,
        series: String,
        period: String,
        value: Option<String>,
        suppressed: bool,
    ) {
        self.rows.push(Figure {
            section,
            series,
            period,
            value,
            suppressed,
        });
    }

    fn count(
        &mut self,
        section: &'static str,
        series: String,
        period: String,
        n: Option<i64>,
        hidden: bool,
    ) {
        self.push(section, series, period, n.map(|n| n.to_string()), hidden);
    }

    /// A statistic of at most one dimension besides the period: each cell for the year and
    /// the previous year (`series`: the cell's last code, or `total`).
    fn statistic(&mut self, section: &'static str, stat: &StatisticsResponse, year: i32) {
        for cell in &stat.cells {
            let series = cell.key.last().cloned().unwrap_or_else(|| "total".into());
            let (now, before) = if stat.period.is_some() {
                let month = cell.key.first().cloned().unwrap_or_default();
                let before = month
                    .get(4..)
                    .map(|rest| format!("{}{rest}", year - 1))
                    .unwrap_or_default();
                (month, before)
            } else {
                (year.to_string(), (year - 1).to_string())
            };
            self.count(section, series.clone(), now, cell.count, cell.suppressed);
            self.count(
                section,
                series,
                before,
                cell.previous_year,
                cell.previous_year_suppressed,
            );
        }
    }

    fn indicator(&mut self, i: &IndicatorResponse, year: i32) {
        let series = to_code(&i.code);
        self.count(
            "outcomes",
            series.clone(),
            year.to_string(),
            i.value,
            i.suppressed,
        );
        self.count(
            "outcomes",
            series,
            (year - 1).to_string(),
            i.previous_year,
            i.previous_year_suppressed,
        );
    }

    fn delays(&mut self, rows: &[ReferralDelay], period: String) {
        let hours = |h: Option<f64>| h.map(|h| h.to_string());
        for r in rows {
            let t = &r.service_type;
            let s = "referral_delays";
            self.count(
                s,
                format!("{t}.accepted"),
                period.clone(),
                r.accepted,
                r.accepted_suppressed,
            );
            self.push(
                s,
                format!("{t}.hours_to_acceptance_median"),
                period.clone(),
                hours(r.hours_to_acceptance_median),
                r.accepted_suppressed,
            );
            self.push(
                s,
                format!("{t}.hours_to_acceptance_p90"),
                period.clone(),
                hours(r.hours_to_acceptance_p90),
                r.accepted_suppressed,
            );
            self.count(
                s,
                format!("{t}.completed"),
                period.clone(),
                r.completed,
                r.completed_suppressed,
            );
            self.push(
                s,
                format!("{t}.hours_to_completion_median"),
                period.clone(),
                hours(r.hours_to_completion_median),
                r.completed_suppressed,
            );
            self.push(
                s,
                format!("{t}.hours_to_completion_p90"),
                period.clone(),
                hours(r.hours_to_completion_p90),
                r.completed_suppressed,
            );
        }
    }

    fn compliance(&mut self, name: &str, c: &Compliance, period: String) {
        let s = "protocol_compliance";
        self.count(
            s,
            format!("{name}.due"),
            period.clone(),
            c.due,
            c.due_suppressed,
        );
        self.count(
            s,
            format!("{name}.on_time"),
            period.clone(),
            c.on_time,
            c.on_time_suppressed,
        );
        self.count(
            s,
            format!("{name}.late"),
            period.clone(),
            c.late,
            c.late_suppressed,
        );
        let hidden = c.due_suppressed || c.on_time_suppressed || c.late_suppressed;
        self.push(
            s,
            format!("{name}.share"),
            period,
            c.share.map(|v| v.to_string()),
            hidden,
        );
    }
}

/// Every figure of a report, in the order of its sections.
pub fn figures(report: &ProvincialReport) -> Vec<Figure> {
    let year = report.year;
    let mut out = Out { rows: Vec::new() };
    let s = &report.summary;
    for (name, stat) in [
        ("reports", &s.reports),
        ("children", &s.children),
        ("cases_opened", &s.cases_opened),
        ("cases_closed", &s.cases_closed),
    ] {
        for cell in &stat.cells {
            out.count(
                "summary",
                name.into(),
                year.to_string(),
                cell.count,
                cell.suppressed,
            );
            out.count(
                "summary",
                name.into(),
                (year - 1).to_string(),
                cell.previous_year,
                cell.previous_year_suppressed,
            );
        }
    }
    out.statistic("reports_by_concern", &report.reports_by_concern, year);
    out.statistic("cases_by_stage", &report.cases_by_stage, year);
    for i in &report.outcomes.indicators {
        out.indicator(i, year);
    }
    out.statistic(
        "closures_by_reason",
        &report.outcomes.closures_by_reason,
        year,
    );
    out.delays(&report.referral_delays.rows, year.to_string());
    out.delays(
        &report.referral_delays.previous_year,
        (year - 1).to_string(),
    );
    let c = &report.protocol_compliance;
    out.compliance("actions", &c.actions, year.to_string());
    out.compliance("actions", &c.actions_previous_year, (year - 1).to_string());
    out.compliance(
        "immediate_danger_screening",
        &c.immediate_danger_screening,
        year.to_string(),
    );
    out.compliance(
        "immediate_danger_screening",
        &c.immediate_danger_screening_previous_year,
        (year - 1).to_string(),
    );
    out.rows
}

/// The report as CSV text (RFC 4180: CRLF line ends, quoting where needed).
pub fn render(report: &ProvincialReport) -> Result<Vec<u8>, ApiError> {
    let internal = |e: csv::Error| ApiError::Internal(e.into());
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record(HEADER).map_err(internal)?;
    for f in figures(report) {
        let suppressed = if f.suppressed { "true" } else { "false" };
        out.write_record([
            f.section,
            &f.series,
            &f.period,
            f.value.as_deref().unwrap_or(""),
            suppressed,
        ])
        .map_err(internal)?;
    }
    out.into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("csv: {e}")))
}

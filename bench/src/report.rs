//! The figures table: every scenario on every backend and the machine's ceilings, each Madar
//! figure as a fraction of the ceiling it compares to, the targets; printed and written
//! as JSON (`bench/results/<date>-<commit>.json`).
use serde::Serialize;

use crate::load::Measured;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub scenario: String,
    pub backend: String,
    #[serde(flatten)]
    pub measured: Measured,
    /// The ceiling this figure is compared to, its throughput, and the fraction reached.
    pub ceiling: Option<String>,
    pub ceiling_throughput: Option<f64>,
    pub fraction_of_ceiling: Option<f64>,
    pub target: Option<String>,
    pub target_met: Option<bool>,
    /// The server's peak RSS (VmHWM) after this scenario.
    pub peak_rss_mib: Option<f64>,
    /// Why a scenario did not run.
    pub skipped: Option<String>,
}

impl Row {
    pub fn new(scenario: &str, backend: &str, measured: Measured) -> Row {
        Row {
            scenario: scenario.into(),
            backend: backend.into(),
            measured,
            ceiling: None,
            ceiling_throughput: None,
            fraction_of_ceiling: None,
            target: None,
            target_met: None,
            peak_rss_mib: None,
            skipped: None,
        }
    }
}

/// The targets at 1,000,000 children: (minimum throughput, maximum p99 in ms).
pub fn target(scenario: &str, backend: &str) -> Option<(Option<f64>, f64)> {
    match (scenario, backend) {
        ("intake", "postgres") => Some((Some(2000.0), 50.0)),
        ("intake", "sqlite") => Some((Some(1500.0), 50.0)),
        ("case-read", "postgres") => Some((Some(5000.0), 20.0)),
        ("case-read", "sqlite") => Some((Some(8000.0), 20.0)),
        ("work-list", _) => Some((None, 50.0)),
        ("child-match", _) => Some((None, 100.0)),
        ("provincial-report", _) => Some((None, 200.0)),
        ("dashboard", _) => Some((None, 500.0)),
        _ => None,
    }
}

/// Which ceiling a scenario is compared to: writes to the backend's insert rate, reads to its
/// primary-key select rate, the mixed run to their 90/10 blend.
fn ceiling_of(scenario: &str, backend: &str, rows: &[Row]) -> Option<(String, f64)> {
    let rate = |name: &str| {
        rows.iter()
            .find(|r| r.scenario == name && r.backend == backend)
            .map(|r| r.measured.throughput)
            .filter(|t| *t > 0.0)
    };
    match scenario {
        "intake" => Some(("ceiling:insert".into(), rate("ceiling:insert")?)),
        "case-read" | "work-list" | "child-match" => {
            Some(("ceiling:select".into(), rate("ceiling:select")?))
        }
        "mixed" => {
            let (i, s) = (rate("ceiling:insert")?, rate("ceiling:select")?);
            Some(("0.9 select + 0.1 insert".into(), 1.0 / (0.9 / s + 0.1 / i)))
        }
        _ => None,
    }
}

/// Fills in ceilings, fractions and targets.
pub fn complete(rows: &mut [Row]) {
    let snapshot = rows.to_vec();
    for row in rows.iter_mut().filter(|r| r.skipped.is_none()) {
        if let Some((name, rate)) = ceiling_of(&row.scenario, &row.backend, &snapshot) {
            row.fraction_of_ceiling = Some(row.measured.throughput / rate);
            row.ceiling = Some(name);
            row.ceiling_throughput = Some(rate);
        }
        if let Some((rate, p99)) = target(&row.scenario, &row.backend) {
            // Nothing answered within the run is a miss, not a p99 of zero.
            let met = row.measured.requests > 0
                && row.measured.errors == 0
                && row.measured.p99_ms <= p99
                && rate.is_none_or(|r| row.measured.throughput >= r);
            row.target = Some(match rate {
                Some(r) => format!("≥{r:.0}/s p99≤{p99:.0}ms"),
                None => format!("p99≤{p99:.0}ms"),
            });
            row.target_met = Some(met);
        }
    }
}

/// The table as text.
pub fn table(rows: &[Row]) -> String {
    let mut out = format!(
        "{:<17} {:<9} {:>9} {:>10} {:>8} {:>8} {:>7} {:>8} {:>9}  {}\n",
        "scenario",
        "backend",
        "requests",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "ceiling",
        "RSS MiB",
        "target"
    );
    for r in rows {
        if let Some(why) = &r.skipped {
            out += &format!("{:<17} {:<9} skipped: {why}\n", r.scenario, r.backend);
            continue;
        }
        let m = &r.measured;
        out += &format!(
            "{:<17} {:<9} {:>9} {:>10.0} {:>8.2} {:>8.2} {:>7} {:>8} {:>9}  {}\n",
            r.scenario,
            r.backend,
            m.requests,
            m.throughput,
            m.p50_ms,
            m.p99_ms,
            m.errors,
            r.fraction_of_ceiling
                .map_or("".into(), |f| format!("{:.0}%", f * 100.0)),
            r.peak_rss_mib.map_or("".into(), |v| format!("{v:.0}")),
            match (&r.target, r.target_met) {
                (Some(t), Some(true)) => format!("{t} met"),
                (Some(t), _) => format!("{t} MISSED"),
                _ => String::new(),
            }
        );
    }
    out
}

/// The machine, for the record: CPU model, cores, memory, kernel.
pub fn machine() -> serde_json::Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .map(|v| v.trim().to_string());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    serde_json::json!({
        "cpu": model,
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "memory": mem,
        "kernel": kernel.trim(),
    })
}

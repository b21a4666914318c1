//! The SQL of a statistic (pure): one aggregate over the base tables, grouped by the asked
//! dimensions, for one window of time. The text holds only vocabulary codes, dates and
//! territory paths that `params` and the reference tables checked; `lit` quotes them anyway.
use chrono::{Datelike, NaiveDateTime};
use madar_openapi::reports::ConcernType;
use madar_openapi::statistics::{
    ConcernFamily, Dimension, IndicatorCode, Measure, PeriodUnit, TerritoryLevel,
};

use super::params::{Filters, Request, UNASSESSED};
use crate::codes::to_code;
use crate::db::dialect::Bucket;
use crate::db::Backend;

/// Every concern type (vocabulary.md), for the family mapping.
pub const CONCERNS: [ConcernType; 23] = {
    use ConcernType as C;
    [
        C::PhysicalViolence,
        C::SexualViolence,
        C::PsychologicalViolence,
        C::WitnessOfViolence,
        C::OnlineRisks,
        C::HarmfulPractices,
        C::DegradingTreatment,
        C::EconomicExploitation,
        C::BeggingExploitation,
        C::SexualExploitation,
        C::Trafficking,
        C::Neglect,
        C::Abandonment,
        C::DeprivedOfFamily,
        C::StreetSituation,
        C::UnregisteredCivilStatus,
        C::OutOfSchool,
        C::Disability,
        C::Addiction,
        C::ConflictWithLaw,
        C::UnaccompaniedMigrant,
        C::FamilyInDifficulty,
        C::InInstitution,
    ]
};

/// A quoted SQL string literal.
pub fn lit(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn list(values: &[String]) -> String {
    values.iter().map(|v| lit(v)).collect::<Vec<_>>().join(", ")
}

/// How a measure reaches its columns.
struct Source {
    /// FROM and the joins always needed; the territory table is `t`.
    base: &'static str,
    /// The event's timestamp.
    event: &'static str,
    count: &'static str,
    /// The join to the child's profile, when sex or age are used ("" when always joined).
    profile_join: &'static str,
    sex: &'static str,
    dob: &'static str,
    birth_year: &'static str,
    concern_join: &'static str,
    /// The column holding the territory counted (`within` filters on it).
    territory: &'static str,
}

fn source(measure: Measure) -> Source {
    match measure {
        Measure::Reports => Source {
            base: "reports r JOIN territories t ON t.code = r.territory_code",
            event: "r.received_at",
            count: "COUNT(DISTINCT r.id)",
            profile_join: " JOIN report_children rc ON rc.report_id = r.id",
            sex: "rc.sex",
            dob: "rc.date_of_birth",
            birth_year: "rc.estimated_birth_year",
            concern_join: " JOIN report_concerns cc ON cc.report_id = r.id",
            territory: "r.territory_code",
        },
        Measure::Children => Source {
            base: "report_children rc JOIN reports r ON r.id = rc.report_id \
                   LEFT JOIN report_child_links l ON l.report_id = rc.report_id \
                   AND l.position = rc.position \
                   JOIN territories t ON t.code = rc.territory_code",
            event: "r.received_at",
            count: "COUNT(DISTINCT COALESCE(l.child_id, rc.report_id || ':' || CAST(rc.position AS TEXT)))",
            profile_join: "",
            sex: "rc.sex",
            dob: "rc.date_of_birth",
            birth_year: "rc.estimated_birth_year",
            concern_join: " JOIN report_concerns cc ON cc.report_id = r.id",
            territory: "rc.territory_code",
        },
        Measure::CasesOpened | Measure::CasesClosed => Source {
            base: "cases c JOIN territories t ON t.code = c.territory_code",
            event: if measure == Measure::CasesOpened {
                "c.opened_at"
            } else {
                "c.closed_at"
            },
            count: "COUNT(DISTINCT c.id)",
            profile_join: " JOIN children ch ON ch.id = c.child_id",
            sex: "ch.sex",
            dob: "ch.date_of_birth",
            birth_year: "ch.estimated_birth_year",
            concern_join: " JOIN case_concerns cc ON cc.case_id = c.id",
            territory: "c.territory_code",
        },
    }
}

/// `column` (a territory code) within the subtree at `path`, or `None` at the root (every
/// territory). Written as a list of codes rather than a condition on the joined territory, so
/// both databases read the rows of a province or region by `(territory_code, date)` indexes
/// instead of every row of the country in the window; the whole country needs no filter (a
/// list of every code would make SQLite read all years through the territory index).
pub fn in_subtree(column: &str, path: &str) -> Option<String> {
    let root = path.trim_end_matches('/').split('/').count() <= 1;
    (!root).then(|| {
        format!(
            "{column} IN (SELECT code FROM territories WHERE path LIKE {})",
            lit(&format!("{path}%"))
        )
    })
}

/// The code of a territory's ancestor at `level`, from its materialized path
/// (`MA/MA-04/421/`): regions are `MA-NN`, provinces three digits; a territory above the level
/// keeps its own code.
fn territory_expr(level: TerritoryLevel) -> &'static str {
    match level {
        TerritoryLevel::Region => {
            "COALESCE(CASE WHEN length(t.path) >= 9 THEN substr(t.path, 4, 5) END, t.code)"
        }
        TerritoryLevel::Province => {
            "COALESCE(CASE WHEN length(t.path) >= 13 THEN substr(t.path, 10, 3) END, t.code)"
        }
    }
}

fn family_expr() -> String {
    let mut arms = String::from("CASE cc.concern_code");
    for family in ConcernFamily::ALL {
        let members: Vec<String> = CONCERNS
            .iter()
            .filter(|c| ConcernFamily::of(**c) == family)
            .map(to_code)
            .collect();
        for m in members {
            arms.push_str(&format!(
                " WHEN {} THEN {}",
                lit(&m),
                lit(&to_code(&family))
            ));
        }
    }
    arms.push_str(" ELSE 'unknown' END");
    arms
}

fn age_band_expr(backend: Backend, s: &Source) -> String {
    let age = backend.age_at(s.event, s.dob, s.birth_year);
    format!(
        "(CASE WHEN {age} IS NULL THEN 'unknown' WHEN {age} < 6 THEN '0_5' \
         WHEN {age} < 12 THEN '6_11' WHEN {age} < 15 THEN '12_14' \
         WHEN {age} < 18 THEN '15_17' ELSE '18_plus' END)"
    )
}

fn bucket(unit: PeriodUnit) -> Bucket {
    match unit {
        PeriodUnit::Month => Bucket::Month,
        PeriodUnit::Quarter => Bucket::Quarter,
        PeriodUnit::Year => Bucket::Year,
    }
}

/// What a query needs beyond the base: its dimension's expression and joins.
struct Parts<'a> {
    backend: Backend,
    source: Source,
    request: &'a Request,
    profile: bool,
    concern: bool,
}

impl Parts<'_> {
    fn expr(&mut self, dimension: Dimension) -> String {
        let s = &self.source;
        match dimension {
            Dimension::Period => self.backend.bucket(s.event, bucket(self.request.period)),
            Dimension::Territory => territory_expr(self.request.territory_level).into(),
            Dimension::Concern => {
                self.concern = true;
                "cc.concern_code".into()
            }
            Dimension::ConcernFamily => {
                self.concern = true;
                family_expr()
            }
            Dimension::Sex => {
                self.profile = true;
                s.sex.into()
            }
            Dimension::AgeBand => {
                self.profile = true;
                age_band_expr(self.backend, s)
            }
            Dimension::Source => "r.source".into(),
            Dimension::RiskLevel => format!("COALESCE(c.risk_level, {})", lit(UNASSESSED)),
            Dimension::Stage => "c.stage".into(),
            Dimension::ClosureReason => "COALESCE(c.closure_reason, 'unknown')".into(),
        }
    }
}

/// The SQL counting `request.measure` over `[start, end)`, within the territory subtree
/// `path` (a materialized path, or none): columns `d0`, `d1`, `d2` (the dimensions' codes, NULL
/// beyond `group_by`) and `n`.
pub fn statistics_sql(
    backend: Backend,
    request: &Request,
    path: Option<&str>,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> String {
    let mut parts = Parts {
        backend,
        source: source(request.measure),
        request,
        profile: false,
        concern: false,
    };
    let mut select = Vec::new();
    for (i, d) in request.group_by.iter().enumerate() {
        select.push(format!("{} AS d{i}", parts.expr(*d)));
    }
    for i in request.group_by.len()..3 {
        select.push(format!("CAST(NULL AS TEXT) AS d{i}"));
    }
    let event = parts.source.event;
    let mut wheres = vec![
        format!("{event} >= {}", backend.timestamp(start)),
        format!("{event} < {}", backend.timestamp(end)),
    ];
    if let Some(path) = path {
        wheres.extend(in_subtree(parts.source.territory, path));
    }
    let Filters {
        concern,
        concern_family,
        sex,
        age_band,
        source,
        risk_level,
        stage,
    } = &request.filters;
    for (dimension, values) in [
        (Dimension::Concern, concern),
        (Dimension::ConcernFamily, concern_family),
        (Dimension::Sex, sex),
        (Dimension::AgeBand, age_band),
        (Dimension::Source, source),
        (Dimension::RiskLevel, risk_level),
        (Dimension::Stage, stage),
    ] {
        if !values.is_empty() {
            let expr = parts.expr(dimension);
            wheres.push(format!("{expr} IN ({})", list(values)));
        }
    }
    let mut from = parts.source.base.to_string();
    if parts.profile {
        from.push_str(parts.source.profile_join);
    }
    if parts.concern {
        from.push_str(parts.source.concern_join);
    }
    let group = if request.group_by.is_empty() {
        String::new()
    } else {
        let cols: Vec<String> = (1..=request.group_by.len())
            .map(|i| i.to_string())
            .collect();
        format!(" GROUP BY {}", cols.join(", "))
    };
    format!(
        "SELECT {}, {} AS n FROM {from} WHERE {}{group}",
        select.join(", "),
        parts.source.count,
        wheres.join(" AND ")
    )
}

/// Closure reasons that count as integration (vocabulary.md: children integrated).
const INTEGRATED: [&str; 6] = [
    "reintegrated_family",
    "reintegrated_school",
    "vocational_training",
    "apprenticeship",
    "alternative_care",
    "autonomy_after_18",
];

/// The SQL of an indicator over `[start, end)` within `path`: one column `n`, the distinct
/// children counted (vocabulary.md, "The ministry's indicators").
pub fn indicator_sql(
    backend: Backend,
    code: IndicatorCode,
    path: Option<&str>,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> String {
    let (s, e) = (backend.timestamp(start), backend.timestamp(end));
    let within = path
        .and_then(|p| in_subtree("c.territory_code", p))
        .map(|f| format!(" AND {f}"))
        .unwrap_or_default();
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let closures = |reasons: &[&str]| {
        format!(
            "SELECT c.child_id FROM cases c \
             WHERE c.closed_at >= {s} AND c.closed_at < {e} AND c.closure_reason IN ({}){within}",
            list(&owned(reasons))
        )
    };
    let referrals = |types: &[&str]| {
        format!(
            "SELECT c.child_id FROM referrals rf JOIN cases c ON c.id = rf.case_id \
             WHERE rf.status = 'completed' AND rf.closed_at >= {s} AND rf.closed_at < {e} \
             AND rf.service_type IN ({}){within}",
            list(&owned(types))
        )
    };
    let services = |types: &[&str]| {
        format!(
            "SELECT c.child_id FROM case_services cs JOIN cases c ON c.id = cs.case_id \
             WHERE cs.delivered_at >= {s} AND cs.delivered_at < {e} \
             AND cs.service_type IN ({}){within}",
            list(&owned(types))
        )
    };
    let parts = match code {
        IndicatorCode::ChildrenIntegrated => vec![closures(&INTEGRATED)],
        IndicatorCode::SocialEmergency => vec![
            referrals(&["social_emergency"]),
            services(&["social_emergency"]),
        ],
        IndicatorCode::VocationalTraining => vec![
            referrals(&["vocational_training", "apprenticeship"]),
            closures(&["vocational_training", "apprenticeship"]),
        ],
        IndicatorCode::BackToSchool => vec![
            referrals(&["school_reintegration", "non_formal_education"]),
            closures(&["reintegrated_school"]),
        ],
    };
    format!(
        "SELECT COUNT(DISTINCT u.child_id) AS n FROM ({}) u",
        parts.join(" UNION ALL ")
    )
}

/// Whether `[start, end)` begins and ends at the first instant of a month (the tallies count
/// by month).
fn whole_months(start: NaiveDateTime, end: NaiveDateTime) -> bool {
    let first = |at: NaiveDateTime| at.day() == 1 && at.time() == chrono::NaiveTime::MIN;
    first(start) && first(end)
}

/// The tally facet that answers `request` from `statistic_tallies` (`tally`), or `None` when
/// only the records can: a filter, the children measure, a dimension the tallies do not keep,
/// or a window that does not start and end on the first of a month.
fn tally_facet(
    request: &Request,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Option<&'static str> {
    if request.filters != Filters::default() || !whole_months(start, end) {
        return None;
    }
    let has = |d: Dimension| request.group_by.contains(&d);
    let facet = match request.measure {
        Measure::Children => return None,
        Measure::Reports if has(Dimension::ConcernFamily) => "concern_family",
        Measure::Reports => "all",
        Measure::CasesOpened if has(Dimension::ConcernFamily) => "concern_family",
        Measure::CasesOpened => "stage",
        Measure::CasesClosed => "closure_reason",
    };
    let fits = request.group_by.iter().all(|d| match d {
        Dimension::Period | Dimension::Territory => true,
        Dimension::ConcernFamily => facet == "concern_family",
        Dimension::Stage => facet == "stage",
        Dimension::ClosureReason => facet == "closure_reason",
        _ => false,
    });
    fits.then_some(facet)
}

/// The SQL of `statistics_sql` answered from the tallies (same columns, same counts), when
/// they hold the answer (`tally_facet`).
pub fn tallied_sql(
    backend: Backend,
    request: &Request,
    path: Option<&str>,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Option<String> {
    let facet = tally_facet(request, start, end)?;
    let mut select = Vec::new();
    for (i, d) in request.group_by.iter().enumerate() {
        let expr = match d {
            Dimension::Period => backend.bucket("s.month", bucket(request.period)),
            Dimension::Territory => territory_expr(request.territory_level).into(),
            _ => "s.value".into(),
        };
        select.push(format!("{expr} AS d{i}"));
    }
    for i in request.group_by.len()..3 {
        select.push(format!("CAST(NULL AS TEXT) AS d{i}"));
    }
    let mut wheres = vec![
        format!("s.measure = {}", lit(measure_code(request.measure))),
        format!("s.facet = {}", lit(facet)),
        format!("s.month >= {}", backend.timestamp(start)),
        format!("s.month < {}", backend.timestamp(end)),
    ];
    if let Some(path) = path {
        wheres.extend(in_subtree("s.territory_code", path));
    }
    let (count, group) = if request.group_by.is_empty() {
        ("COALESCE(CAST(SUM(s.n) AS BIGINT), 0)", String::new())
    } else {
        let cols: Vec<String> = (1..=request.group_by.len())
            .map(|i| i.to_string())
            .collect();
        (
            "CAST(SUM(s.n) AS BIGINT)",
            format!(" GROUP BY {} HAVING SUM(s.n) <> 0", cols.join(", ")),
        )
    };
    Some(format!(
        "SELECT {}, {count} AS n FROM statistic_tallies s \
         JOIN territories t ON t.code = s.territory_code WHERE {}{group}",
        select.join(", "),
        wheres.join(" AND ")
    ))
}

fn measure_code(measure: Measure) -> &'static str {
    match measure {
        Measure::Reports => "reports",
        Measure::Children => "children",
        Measure::CasesOpened => "cases_opened",
        Measure::CasesClosed => "cases_closed",
    }
}

/// The SQL of the done and overdue actions of protocol compliance (`outcomes::compliance_sql`)
/// summed from the tallies, when `[start, end)` is made of whole months.
pub fn tallied_compliance_sql(
    backend: Backend,
    screening: bool,
    path: Option<&str>,
    (start, end): (NaiveDateTime, NaiveDateTime),
) -> Option<String> {
    if !whole_months(start, end) {
        return None;
    }
    let facet = if screening {
        "screening_compliance"
    } else {
        "compliance"
    };
    let within = path
        .and_then(|p| in_subtree("s.territory_code", p))
        .map(|f| format!(" AND {f}"))
        .unwrap_or_default();
    Some(format!(
        "SELECT s.value AS d0, CAST(NULL AS TEXT) AS d1, CAST(NULL AS TEXT) AS d2, \
         CAST(SUM(s.n) AS BIGINT) AS n FROM statistic_tallies s \
         WHERE s.measure = 'protocol_actions' AND s.facet = '{facet}' \
         AND s.month >= {} AND s.month < {}{within} GROUP BY 1",
        backend.timestamp(start),
        backend.timestamp(end),
    ))
}

/// The statements that recompute every tally from the records (after a `DELETE`): what
/// `tally::report_received` and `tally::case_after` add, row by row, summed.
pub fn tally_rebuild_sql(backend: Backend) -> Vec<String> {
    let month = |ts: &str| backend.month_start(ts);
    let family = family_expr();
    let insert = "INSERT INTO statistic_tallies \
                  (measure, facet, value, month, territory_code, n, folded)";
    let actions = |facet: &str, only: &str| {
        format!(
            "SELECT 'protocol_actions', '{facet}', CASE WHEN pa.status = 'done' \
             AND pa.completed_at <= pa.due_at THEN 'on_time' ELSE 'late' END, {}, \
             pa.territory_code, COUNT(*), TRUE FROM protocol_actions pa \
             WHERE pa.status IN ('done', 'overdue'){only}",
            month("pa.due_at")
        )
    };
    vec![
        format!(
            "{insert} SELECT 'reports', 'all', '', {}, r.territory_code, COUNT(*), TRUE \
             FROM reports r GROUP BY 4, 5",
            month("r.received_at")
        ),
        format!(
            "{insert} SELECT 'reports', 'concern_family', {family}, {}, r.territory_code, \
             COUNT(DISTINCT r.id), TRUE \
             FROM reports r JOIN report_concerns cc ON cc.report_id = r.id GROUP BY 3, 4, 5",
            month("r.received_at")
        ),
        format!(
            "{insert} SELECT 'cases_opened', 'stage', c.stage, {}, c.territory_code, COUNT(*), \
             TRUE FROM cases c GROUP BY 3, 4, 5",
            month("c.opened_at")
        ),
        format!(
            "{insert} SELECT 'cases_opened', 'concern_family', {family}, {}, c.territory_code, \
             COUNT(DISTINCT c.id), TRUE \
             FROM cases c JOIN case_concerns cc ON cc.case_id = c.id GROUP BY 3, 4, 5",
            month("c.opened_at")
        ),
        format!(
            "{insert} SELECT 'cases_closed', 'closure_reason', \
             COALESCE(c.closure_reason, 'unknown'), {}, c.territory_code, COUNT(*), TRUE \
             FROM cases c WHERE c.closed_at IS NOT NULL GROUP BY 3, 4, 5",
            month("c.closed_at")
        ),
        format!(
            "{insert} {actions} GROUP BY 3, 4, 5",
            actions = actions("compliance", "")
        ),
        format!(
            "{insert} {actions} GROUP BY 3, 4, 5",
            actions = actions(
                "screening_compliance",
                " AND pa.action = 'screen_report' AND EXISTS (SELECT 1 FROM reports r \
                 WHERE r.id = pa.report_id AND r.immediate_danger)"
            )
        ),
    ]
}

/// Folds the tallies' deltas (`tally::compact`, the table locked): every row of a key with a
/// delta is marked unfolded, their sum is written as one folded row (none when zero), and the
/// unfolded rows go.
pub const TALLY_COMPACT_SQL: [&str; 3] = [
    "UPDATE statistic_tallies SET folded = FALSE WHERE folded \
     AND (measure, facet, value, month, territory_code) IN \
     (SELECT measure, facet, value, month, territory_code FROM statistic_tallies WHERE NOT folded)",
    "INSERT INTO statistic_tallies (measure, facet, value, month, territory_code, n, folded) \
     SELECT measure, facet, value, month, territory_code, SUM(n), TRUE \
     FROM statistic_tallies WHERE NOT folded GROUP BY 1, 2, 3, 4, 5 HAVING SUM(n) <> 0",
    "DELETE FROM statistic_tallies WHERE NOT folded",
];

/// Counts the tallies' deltas not folded yet.
pub const TALLY_PENDING_SQL: &str = "SELECT COUNT(*) AS n FROM statistic_tallies WHERE NOT folded";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistics::params::parse;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()
    }

    #[test]
    fn the_whole_country_needs_no_territory_filter() {
        assert_eq!(in_subtree("r.territory_code", "MA/"), None);
        assert_eq!(
            in_subtree("r.territory_code", "MA/MA-04/").as_deref(),
            Some("r.territory_code IN (SELECT code FROM territories WHERE path LIKE 'MA/MA-04/%')")
        );
    }

    #[test]
    fn the_concern_list_matches_the_vocabulary() {
        let mut codes: Vec<String> = CONCERNS.iter().map(to_code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 23);
        assert!(family_expr().contains("WHEN 'trafficking' THEN 'exploitation'"));
    }

    #[test]
    fn joins_follow_what_is_asked() {
        let r = parse("measure=reports", today()).unwrap_or_else(|e| panic!("{e:?}"));
        let sql = statistics_sql(Backend::Sqlite, &r, None, at(2026, 1, 1), at(2027, 1, 1));
        assert!(
            !sql.contains("report_children") && !sql.contains("GROUP BY"),
            "{sql}"
        );
        let r = parse(
            "measure=reports&group_by=sex,concern_family&territory=421&age_band=12_14",
            today(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let sql = statistics_sql(
            Backend::Postgres,
            &r,
            Some("MA/MA-04/421/"),
            at(2026, 1, 1),
            at(2027, 1, 1),
        );
        assert!(sql.contains("JOIN report_children rc"), "{sql}");
        assert!(sql.contains("JOIN report_concerns cc"), "{sql}");
        assert!(
            sql.contains("r.territory_code IN (SELECT code FROM territories WHERE path LIKE 'MA/MA-04/421/%')"),
            "{sql}"
        );
        assert!(sql.contains("GROUP BY 1, 2"), "{sql}");
        assert!(sql.contains("TIMESTAMP '2026-01-01 00:00:00'"), "{sql}");
    }

    #[test]
    fn the_tallies_answer_whole_months_without_filters() {
        let q = |query: &str| parse(query, today()).unwrap_or_else(|e| panic!("{e:?}"));
        let (jan, next) = (at(2026, 1, 1), at(2027, 1, 1));
        let tallied = |query: &str, start, end| {
            tallied_sql(Backend::Postgres, &q(query), Some("MA/MA-04/"), start, end)
        };
        let sql = tallied("measure=reports&group_by=period,concern_family", jan, next);
        let sql = sql.unwrap_or_default();
        assert!(sql.contains("s.facet = 'concern_family'"), "{sql}");
        assert!(sql.contains("s.territory_code IN (SELECT code"), "{sql}");
        assert!(sql.contains("HAVING SUM(s.n) <> 0"), "{sql}");
        let stage = tallied("measure=cases_opened&group_by=stage", jan, next).unwrap_or_default();
        assert!(stage.contains("s.facet = 'stage'"), "{stage}");
        let total = tallied("measure=cases_closed", jan, next).unwrap_or_default();
        assert!(
            total.contains("COALESCE(CAST(SUM(s.n) AS BIGINT), 0)"),
            "{total}"
        );
        assert!(tallied("measure=children", jan, next).is_none());
        assert!(tallied("measure=reports&sex=female", jan, next).is_none());
        assert!(tallied("measure=reports&group_by=sex", jan, next).is_none());
        assert!(tallied(
            "measure=cases_opened&group_by=stage,concern_family",
            jan,
            next
        )
        .is_none());
        assert!(tallied("measure=reports", at(2026, 1, 2), next).is_none());
    }

    #[test]
    fn literals_are_quoted() {
        assert_eq!(lit("a'b"), "'a''b'");
    }

    #[test]
    fn indicators_union_their_sources() {
        let sql = indicator_sql(
            Backend::Sqlite,
            IndicatorCode::SocialEmergency,
            None,
            at(2026, 1, 1),
            at(2027, 1, 1),
        );
        assert!(sql.contains("case_services") && sql.contains("referrals rf"));
        assert!(!sql.contains("closure_reason"));
        let sql = indicator_sql(
            Backend::Sqlite,
            IndicatorCode::BackToSchool,
            Some("MA/"),
            at(2026, 1, 1),
            at(2027, 1, 1),
        );
        assert!(sql.contains("'reintegrated_school'") && !sql.contains("case_services"));
    }
}

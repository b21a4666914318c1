//! The new-report form's values and rules, without the browser: text fields to a
//! [`CreateReport`] (checked with its `Validate` impl and the rules the server adds), errors
//! per field, and back (to correct a report the server refused).
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use madar_openapi::reports::{CreateReport, ReportedChild, Reporter};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

/// What the form holds, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Form {
    pub source: String,
    /// `YYYY-MM-DDTHH:MM`, local time (an `<input type="datetime-local">`).
    pub received_at: String,
    pub given_name_ar: String,
    pub family_name_ar: String,
    pub given_name_latin: String,
    pub family_name_latin: String,
    pub sex: String,
    /// `YYYY-MM-DD` or empty.
    pub date_of_birth: String,
    pub birth_year: String,
    pub territory: String,
    pub address: String,
    pub situation: Vec<String>,
    pub concerns: Vec<String>,
    pub immediate_danger: bool,
    pub narrative: String,
    pub reporter_type: String,
    pub reporter_name: String,
    pub reporter_phone: String,
}

/// `(form field id, error code)`.
pub type FieldErrors = Vec<(&'static str, String)>;

fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A contract enum from its code.
pub(crate) fn code<T: DeserializeOwned>(value: &str) -> Option<T> {
    crate::json::code(value)
}

fn code_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Local `YYYY-MM-DDTHH:MM` for an instant; `offset_minutes` as JavaScript's
/// `getTimezoneOffset()` (UTC minus local).
pub fn local_input(at: DateTime<Utc>, offset_minutes: i32) -> String {
    (at.naive_utc() - Duration::minutes(offset_minutes.into()))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn from_local_input(value: &str, offset_minutes: i32) -> Option<DateTime<Utc>> {
    let local = NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M").ok()?;
    Some((local + Duration::minutes(offset_minutes.into())).and_utc())
}

/// The form field that shows an error of a contract path (`children[0].territory`...).
pub fn field_of(path: &str) -> &'static str {
    let last = path.rsplit('.').next().unwrap_or(path);
    match last {
        "source" => "nr-source",
        "received_at" => "nr-received-at",
        "given_name_ar" => "nr-given-ar",
        "family_name_ar" => "nr-family-ar",
        "given_name_latin" => "nr-given-latin",
        "family_name_latin" => "nr-family-latin",
        "sex" => "nr-sex",
        "date_of_birth" => "nr-dob",
        "estimated_birth_year" => "nr-birth-year",
        "territory" => "nr-territory",
        "address_text" => "nr-address",
        "situation" => "nr-situation",
        "concerns" => "nr-concerns",
        "narrative" => "nr-narrative",
        "type" => "nr-reporter-type",
        "name" => "nr-reporter-name",
        "phone" => "nr-reporter-phone",
        // `children[0]` (no name) and anything else: on the child's first name.
        _ if path.starts_with("children") => "nr-given-ar",
        _ => "nr-form",
    }
}

/// Every error of a `validator` result, with its contract path.
pub(crate) fn flatten(errors: &ValidationErrors, prefix: &str, out: &mut Vec<(String, String)>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                out.extend(list.iter().map(|e| (path.clone(), e.code.to_string())))
            }
            ValidationErrorsKind::Struct(inner) => flatten(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(inner, &format!("{path}[{i}]"), out)
                }
            }
        }
    }
}

impl Form {
    /// A fresh form: received now, a mobile unit's report.
    pub fn new(now: DateTime<Utc>, offset_minutes: i32) -> Form {
        Form {
            source: "mobile_unit".into(),
            received_at: local_input(now, offset_minutes),
            sex: "unknown".into(),
            reporter_type: "professional".into(),
            ..Form::default()
        }
    }

    /// The request, or the errors to show (the contract's rules and the server's own).
    pub fn to_request(
        &self,
        now: DateTime<Utc>,
        offset_minutes: i32,
    ) -> Result<CreateReport, FieldErrors> {
        let mut errors: FieldErrors = Vec::new();
        let mut need = |ok: bool, field: &'static str, code: &str| {
            if !ok {
                errors.push((field, code.to_owned()));
            }
        };
        let source = code(&self.source);
        need(source.is_some(), "nr-source", "required");
        let received_at = from_local_input(&self.received_at, offset_minutes);
        need(received_at.is_some(), "nr-received-at", "required");
        let sex = code(&self.sex);
        need(sex.is_some(), "nr-sex", "required");
        let date_of_birth = match text(&self.date_of_birth) {
            None => None,
            Some(d) => {
                let parsed = NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok();
                need(parsed.is_some(), "nr-dob", "invalid_date");
                parsed
            }
        };
        let estimated_birth_year = match text(&self.birth_year) {
            None => None,
            Some(y) => {
                let parsed = y.parse::<i32>().ok();
                need(parsed.is_some(), "nr-birth-year", "range");
                parsed
            }
        };
        need(!self.territory.is_empty(), "nr-territory", "required");
        let reporter_type = code(&self.reporter_type);
        need(reporter_type.is_some(), "nr-reporter-type", "required");
        let concerns: Vec<_> = self.concerns.iter().filter_map(|c| code(c)).collect();
        let situation: Vec<_> = self.situation.iter().filter_map(|c| code(c)).collect();
        need(!concerns.is_empty(), "nr-concerns", "required");
        let (Some(source), Some(received_at), Some(sex), Some(reporter_type)) =
            (source, received_at, sex, reporter_type)
        else {
            return Err(errors);
        };
        let report = CreateReport {
            source,
            received_at,
            external_ref: None,
            reporter: Reporter {
                type_: reporter_type,
                name: text(&self.reporter_name),
                phone: text(&self.reporter_phone),
            },
            children: vec![ReportedChild {
                given_name_ar: text(&self.given_name_ar),
                family_name_ar: text(&self.family_name_ar),
                given_name_latin: text(&self.given_name_latin),
                family_name_latin: text(&self.family_name_latin),
                sex,
                date_of_birth,
                estimated_birth_year,
                territory: self.territory.clone(),
                address_text: text(&self.address),
                situation,
            }],
            concerns,
            immediate_danger: self.immediate_danger,
            narrative: text(&self.narrative),
        };
        if let Err(found) = report.validate() {
            let mut paths = Vec::new();
            flatten(&found, "", &mut paths);
            for (path, code) in paths {
                let field = field_of(&path);
                if !errors.iter().any(|(f, _)| *f == field) {
                    errors.push((field, code));
                }
            }
        }
        // What the server checks beyond the contract (api/src/reports/domain.rs).
        let child = &report.children[0];
        if !child.has_a_name() {
            errors.push(("nr-given-ar", "name_required".into()));
        }
        let today = now.date_naive();
        if let Some(born) = child.date_of_birth {
            if born > today {
                errors.push(("nr-dob", "in_future".into()));
            } else if born.year() < 1990 {
                errors.push(("nr-dob", "range".into()));
            } else if child.estimated_birth_year.is_some_and(|y| y != born.year()) {
                errors.push(("nr-birth-year", "inconsistent".into()));
            }
        }
        if child.estimated_birth_year.is_some_and(|y| y > today.year()) {
            errors.push(("nr-birth-year", "in_future".into()));
        }
        if report.received_at > now + Duration::minutes(5) {
            errors.push(("nr-received-at", "in_future".into()));
        }
        if errors.is_empty() {
            Ok(report)
        } else {
            Err(errors)
        }
    }

    /// The form for a report (kept on the device and refused by the server), to correct it.
    pub fn of(report: &CreateReport, offset_minutes: i32) -> Form {
        let child = report.children.first();
        let s = |v: Option<&Option<String>>| v.and_then(|o| o.clone()).unwrap_or_default();
        Form {
            source: code_of(&report.source),
            received_at: local_input(report.received_at, offset_minutes),
            given_name_ar: s(child.map(|c| &c.given_name_ar)),
            family_name_ar: s(child.map(|c| &c.family_name_ar)),
            given_name_latin: s(child.map(|c| &c.given_name_latin)),
            family_name_latin: s(child.map(|c| &c.family_name_latin)),
            sex: child.map(|c| code_of(&c.sex)).unwrap_or_default(),
            date_of_birth: child
                .and_then(|c| c.date_of_birth)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            birth_year: child
                .and_then(|c| c.estimated_birth_year)
                .map(|y| y.to_string())
                .unwrap_or_default(),
            territory: child.map(|c| c.territory.clone()).unwrap_or_default(),
            address: s(child.map(|c| &c.address_text)),
            situation: child
                .map(|c| c.situation.iter().map(code_of).collect())
                .unwrap_or_default(),
            concerns: report.concerns.iter().map(code_of).collect(),
            immediate_danger: report.immediate_danger,
            narrative: report.narrative.clone().unwrap_or_default(),
            reporter_type: code_of(&report.reporter.type_),
            reporter_name: report.reporter.name.clone().unwrap_or_default(),
            reporter_phone: report.reporter.phone.clone().unwrap_or_default(),
        }
    }
}

/// Adds or removes `code` from a multi-select.
pub fn toggle(list: &[String], code: &str) -> Vec<String> {
    if list.iter().any(|c| c == code) {
        list.iter().filter(|c| *c != code).cloned().collect()
    } else {
        let mut next = list.to_vec();
        next.push(code.to_owned());
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn filled() -> Form {
        Form {
            given_name_ar: "ياسين".into(),
            territory: "421".into(),
            concerns: vec!["street_situation".into()],
            narrative: "Seen near the station.".into(),
            ..Form::new(now(), -60)
        }
    }

    #[test]
    fn a_filled_form_makes_a_valid_request_in_utc() {
        let report = filled().to_request(now(), -60);
        let Ok(report) = report else {
            panic!("{report:?}");
        };
        assert_eq!(report.received_at, now());
        assert_eq!(report.children.len(), 1);
        assert_eq!(report.children[0].territory, "421");
        assert_eq!(report.reporter.name, None);
        assert!(report.validate().is_ok());
    }

    #[test]
    fn missing_name_territory_and_concerns_are_shown_on_their_fields() {
        let form = Form::new(now(), 0);
        let Err(errors) = form.to_request(now(), 0) else {
            panic!("accepted an empty form");
        };
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert!(fields.contains(&"nr-territory"), "{errors:?}");
        assert!(fields.contains(&"nr-concerns"), "{errors:?}");
        assert!(
            errors.contains(&("nr-given-ar", "name_required".into())),
            "{errors:?}"
        );
    }

    #[test]
    fn the_contract_rules_apply_a_bad_phone_a_future_birth() {
        let form = Form {
            reporter_phone: "call me".into(),
            date_of_birth: "2027-01-01".into(),
            received_at: "2026-12-01T10:00".into(),
            ..filled()
        };
        let Err(errors) = form.to_request(now(), 0) else {
            panic!("accepted");
        };
        assert!(
            errors.contains(&("nr-reporter-phone", "invalid_phone".into())),
            "{errors:?}"
        );
        assert!(
            errors.contains(&("nr-dob", "in_future".into())),
            "{errors:?}"
        );
        assert!(
            errors.contains(&("nr-received-at", "in_future".into())),
            "{errors:?}"
        );
    }

    #[test]
    fn a_report_goes_back_into_the_form_unchanged() {
        let form = Form {
            situation: vec!["out_of_school".into()],
            birth_year: "2014".into(),
            reporter_phone: "+212 600 000 000".into(),
            immediate_danger: true,
            ..filled()
        };
        let Ok(report) = form.to_request(now(), -60) else {
            panic!("refused");
        };
        assert_eq!(Form::of(&report, -60), form);
    }

    #[test]
    fn server_paths_map_to_fields() {
        assert_eq!(field_of("children[0].territory"), "nr-territory");
        assert_eq!(field_of("children[0]"), "nr-given-ar");
        assert_eq!(field_of("reporter.phone"), "nr-reporter-phone");
        assert_eq!(field_of("whatever"), "nr-form");
    }

    #[test]
    fn toggling_adds_and_removes() {
        let list = toggle(&[], "neglect");
        assert_eq!(list, ["neglect"]);
        assert!(toggle(&list, "neglect").is_empty());
    }
}

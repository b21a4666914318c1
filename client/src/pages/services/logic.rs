//! The directory search without the DOM (tested on the host): the search's address and the
//! eligibility and organization-type filters applied to the services shown.
use madar_openapi::reports::Sex;
use madar_openapi::services::ServiceResponse;

use crate::pages::referrals::logic::encode;

/// What the person asked for; empty strings mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub q: String,
    pub territory: String,
    pub service_type: String,
    pub concern: String,
    pub organization_type: String,
    pub provider: String,
    pub age: String,
    pub sex: String,
}

/// `/services?…` with the filters the API takes (`q`, `territory`, `type`, `concern`,
/// `provider`).
pub fn search_path(filter: &Filter, limit: u32, cursor: Option<&str>) -> String {
    let mut path = format!("/services?limit={limit}");
    let params = [
        ("q", filter.q.trim()),
        ("territory", filter.territory.as_str()),
        ("type", filter.service_type.as_str()),
        ("concern", filter.concern.as_str()),
        ("provider", filter.provider.as_str()),
    ];
    for (name, value) in params {
        if !value.is_empty() {
            path.push_str(&format!("&{name}={}", encode(value)));
        }
    }
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={}", encode(cursor)));
    }
    path
}

/// The age typed, when it is a whole number of years from 0 to 25.
pub fn age_of(text: &str) -> Option<i32> {
    text.trim().parse().ok().filter(|a| (0..=25).contains(a))
}

/// Whether the service admits a child of this age and sex (empty `sexes`: any; an unknown
/// sex is admitted everywhere).
pub fn admits(service: &ServiceResponse, age: Option<i32>, sex: Option<Sex>) -> bool {
    let age_ok = age.is_none_or(|a| {
        service.min_age.is_none_or(|min| a >= min) && service.max_age.is_none_or(|max| a <= max)
    });
    let sex_ok = match sex {
        None | Some(Sex::Unknown) => true,
        Some(s) => service.sexes.is_empty() || service.sexes.contains(&s),
    };
    age_ok && sex_ok
}

/// The sex chosen in the filter.
pub fn sex_of(code: &str) -> Option<Sex> {
    match code {
        "female" => Some(Sex::Female),
        "male" => Some(Sex::Male),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(min: Option<i32>, max: Option<i32>, sexes: Vec<Sex>) -> ServiceResponse {
        serde_json::from_value(serde_json::json!({
            "id": "00000000-0000-0000-0000-000000000001", "type": "legal_aid",
            "domain": "judicial_support", "provider": "ngo-rabat", "provider_name": "NGO",
            "name": "Legal aid", "name_ar": null, "name_fr": null, "description": null,
            "min_age": min, "max_age": max, "sexes": sexes, "concerns": [], "languages": [],
            "capacity": null, "places_available": null, "capacity_updated_at": null,
            "territories": ["421"], "locations": [], "confidential": false, "active": true,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .expect("a service")
    }

    #[test]
    fn the_address_carries_only_what_was_chosen() {
        assert_eq!(
            search_path(&Filter::default(), 20, None),
            "/services?limit=20"
        );
        let filter = Filter {
            q: " مأوى ".into(),
            territory: "421".into(),
            service_type: "legal_aid".into(),
            age: "9".into(),
            ..Filter::default()
        };
        assert_eq!(
            search_path(&filter, 20, Some("x=")),
            "/services?limit=20&q=%D9%85%D8%A3%D9%88%D9%89&territory=421&type=legal_aid&cursor=x%3D"
        );
    }

    #[test]
    fn eligibility_follows_the_age_range_and_the_sexes() {
        let girls_12 = service(Some(12), None, vec![Sex::Female]);
        assert!(admits(&girls_12, Some(14), Some(Sex::Female)));
        assert!(!admits(&girls_12, Some(10), Some(Sex::Female)));
        assert!(!admits(&girls_12, Some(14), Some(Sex::Male)));
        assert!(admits(&girls_12, None, None));
        let any = service(None, Some(17), vec![]);
        assert!(admits(&any, Some(3), Some(Sex::Male)));
        assert!(!admits(&any, Some(18), None));
        assert_eq!(age_of(" 7 "), Some(7));
        assert_eq!(age_of("30"), None);
        assert_eq!(age_of("sept"), None);
        assert_eq!(sex_of("female"), Some(Sex::Female));
        assert_eq!(sex_of(""), None);
    }
}

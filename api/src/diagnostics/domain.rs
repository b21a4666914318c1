//! The diagnostic's inventory and needs, from the services serving a territory and the
//! children counted by concern.
use std::collections::BTreeMap;

use madar_openapi::diagnostics::{ConcernNeed, DomainInventory, ServiceTypeInventory};
use madar_openapi::pathway::PathwayDomain;
use madar_openapi::reports::ConcernType;

/// The pathway domains, in the order of the pathway.
pub const DOMAINS: [PathwayDomain; 10] = [
    PathwayDomain::Detection,
    PathwayDomain::Reporting,
    PathwayDomain::HealthCare,
    PathwayDomain::PsychologicalCare,
    PathwayDomain::SocialCare,
    PathwayDomain::EducationTraining,
    PathwayDomain::CulturalSports,
    PathwayDomain::Reintegration,
    PathwayDomain::JudicialSupport,
    PathwayDomain::FollowUpEvaluation,
];

/// What the diagnostic needs of one active service serving the territory.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFacts {
    pub service_type: String,
    pub domain: PathwayDomain,
    pub capacity: Option<i64>,
    pub places_available: Option<i64>,
    /// The concerns it answers; empty: any.
    pub concerns: Vec<ConcernType>,
}

fn add(total: Option<i64>, value: Option<i64>) -> Option<i64> {
    match (total, value) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    }
}

/// Services by domain (every domain, in pathway order) and type (by code).
pub fn inventory(services: &[ServiceFacts]) -> Vec<DomainInventory> {
    DOMAINS
        .iter()
        .map(|domain| {
            let mut types: BTreeMap<&str, ServiceTypeInventory> = BTreeMap::new();
            for s in services.iter().filter(|s| s.domain == *domain) {
                let row = types
                    .entry(&s.service_type)
                    .or_insert_with(|| ServiceTypeInventory {
                        service_type: s.service_type.clone(),
                        services: 0,
                        capacity: None,
                        places_available: None,
                    });
                row.services += 1;
                row.capacity = add(row.capacity, s.capacity);
                row.places_available = add(row.places_available, s.places_available);
            }
            let service_types: Vec<ServiceTypeInventory> = types.into_values().collect();
            DomainInventory {
                domain: *domain,
                services: service_types.iter().map(|t| t.services).sum(),
                service_types,
            }
        })
        .collect()
}

/// Children counted for one concern: the count, or `None` with `suppressed` when hidden.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    pub concern: ConcernType,
    pub children: Option<i64>,
    pub suppressed: bool,
}

/// Each concern children were reported with (a hidden count is at least 1), most children
/// first (hidden ones after those shown), against the services answering it; a gap where no
/// service answers.
pub fn needs(counted: &[Counted], services: &[ServiceFacts]) -> Vec<ConcernNeed> {
    let mut out: Vec<ConcernNeed> = counted
        .iter()
        .filter(|c| c.suppressed || c.children.is_some_and(|n| n > 0))
        .map(|c| {
            let answering = services
                .iter()
                .filter(|s| s.concerns.is_empty() || s.concerns.contains(&c.concern))
                .count() as i64;
            ConcernNeed {
                concern: c.concern,
                children: c.children,
                suppressed: c.suppressed,
                services: answering,
                gap: answering == 0,
            }
        })
        .collect();
    out.sort_by_key(|n| std::cmp::Reverse(n.children.unwrap_or(0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(
        t: &str,
        domain: PathwayDomain,
        cap: Option<i64>,
        concerns: &[ConcernType],
    ) -> ServiceFacts {
        ServiceFacts {
            service_type: t.into(),
            domain,
            capacity: cap,
            places_available: cap.map(|c| c / 2),
            concerns: concerns.to_vec(),
        }
    }

    #[test]
    fn the_inventory_lists_every_domain_and_sums_declared_capacity() {
        let services = [
            service("shelter", PathwayDomain::SocialCare, Some(20), &[]),
            service("shelter", PathwayDomain::SocialCare, None, &[]),
            service("day_centre", PathwayDomain::SocialCare, Some(10), &[]),
            service("medical_care", PathwayDomain::HealthCare, None, &[]),
        ];
        let inv = inventory(&services);
        assert_eq!(inv.len(), 10);
        let social = inv
            .iter()
            .find(|d| d.domain == PathwayDomain::SocialCare)
            .expect("social");
        assert_eq!(social.services, 3);
        assert_eq!(social.service_types[1].service_type, "shelter");
        assert_eq!(social.service_types[1].services, 2);
        assert_eq!(social.service_types[1].capacity, Some(20));
        let health = inv
            .iter()
            .find(|d| d.domain == PathwayDomain::HealthCare)
            .expect("health");
        assert_eq!(health.service_types[0].capacity, None, "none declared");
        let detection = &inv[0];
        assert_eq!((detection.services, detection.service_types.len()), (0, 0));
    }

    #[test]
    fn a_concern_with_children_and_no_answering_service_is_a_gap() {
        let services = [
            service(
                "psychological_support",
                PathwayDomain::PsychologicalCare,
                None,
                &[ConcernType::SexualViolence],
            ),
            service(
                "legal_aid",
                PathwayDomain::JudicialSupport,
                None,
                &[ConcernType::SexualViolence, ConcernType::Neglect],
            ),
        ];
        let counted = [
            Counted {
                concern: ConcernType::Neglect,
                children: Some(3),
                suppressed: false,
            },
            Counted {
                concern: ConcernType::SexualViolence,
                children: Some(12),
                suppressed: false,
            },
            Counted {
                concern: ConcernType::EconomicExploitation,
                children: None,
                suppressed: true,
            },
            Counted {
                concern: ConcernType::BeggingExploitation,
                children: Some(0),
                suppressed: false,
            },
        ];
        let n = needs(&counted, &services);
        let concerns: Vec<ConcernType> = n.iter().map(|c| c.concern).collect();
        assert_eq!(
            concerns,
            [
                ConcernType::SexualViolence,
                ConcernType::Neglect,
                ConcernType::EconomicExploitation
            ]
        );
        assert_eq!((n[0].services, n[0].gap), (2, false));
        assert_eq!((n[1].services, n[1].gap), (1, false));
        assert_eq!(
            (n[2].services, n[2].gap),
            (0, true),
            "a hidden count is still children"
        );
        // A service answering any concern closes every gap.
        let any = [service("shelter", PathwayDomain::SocialCare, None, &[])];
        assert!(needs(&counted, &any).iter().all(|c| !c.gap));
    }
}

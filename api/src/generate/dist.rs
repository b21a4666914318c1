//! The frequencies the national dataset follows: where children live (by population), what is
//! reported, by whom, how screening decides and how cases close. Coarse, plausible weights; the
//! codes are the vocabulary's (a test parses each with the contract's enums).
use rand::distributions::{Distribution, WeightedIndex};
use rand::Rng;

/// A weighted choice among codes.
pub struct Table {
    pub codes: Vec<&'static str>,
    index: WeightedIndex<f64>,
}

impl Table {
    pub fn new(weights: &[(&'static str, f64)]) -> Table {
        Table {
            codes: weights.iter().map(|(c, _)| *c).collect(),
            // The tables are constants with positive weights (a test checks them).
            index: WeightedIndex::new(weights.iter().map(|(_, w)| *w))
                .unwrap_or_else(|_| WeightedIndex::new([1.0]).unwrap_or_else(|_| unreachable!())),
        }
    }

    pub fn pick<R: Rng>(&self, rng: &mut R) -> &'static str {
        self.codes[self.index.sample(rng)]
    }

    pub fn pick_index<R: Rng>(&self, rng: &mut R) -> usize {
        self.index.sample(rng)
    }
}

/// Population weight of a prefecture or province (hundreds of thousands, coarse; 2.5 when not
/// listed). Casablanca's eight prefectures of arrondissements share its 3.7 million.
pub fn population(code: &str) -> f64 {
    match code {
        c if c.starts_with("141-") => 4.6,
        "351" => 14.0,
        "231" => 12.5,
        "281" | "511" => 10.6,
        "441" => 9.8,
        "061" | "541" => 8.4,
        "181" => 7.9,
        "431" => 6.9,
        "531" => 6.6,
        "461" => 6.3,
        "001" | "501" => 6.0,
        "421" => 5.8,
        "041" | "381" => 5.6,
        "091" | "411" | "571" | "081" => 5.5,
        "273" | "191" | "291" => 5.4,
        "561" => 5.3,
        "255" | "311" | "331" => 5.0,
        "117" => 4.8,
        "211" => 4.5,
        "371" => 4.0,
        "066" | "071" | "121" | "537" => 0.5,
        "221" | "551" | "473" | "521" | "391" | "227" | "131" => 1.0,
        _ => 2.5,
    }
}

pub const CONCERNS: [(&str, f64); 23] = [
    ("physical_violence", 16.0),
    ("sexual_violence", 9.0),
    ("psychological_violence", 8.0),
    ("witness_of_violence", 4.0),
    ("online_risks", 2.0),
    ("harmful_practices", 3.0),
    ("degrading_treatment", 0.5),
    ("economic_exploitation", 6.0),
    ("begging_exploitation", 4.0),
    ("sexual_exploitation", 1.5),
    ("trafficking", 0.5),
    ("neglect", 14.0),
    ("abandonment", 5.0),
    ("deprived_of_family", 4.0),
    ("street_situation", 7.0),
    ("unregistered_civil_status", 3.0),
    ("out_of_school", 8.0),
    ("disability", 3.0),
    ("addiction", 2.0),
    ("conflict_with_law", 4.0),
    ("unaccompanied_migrant", 2.0),
    ("family_in_difficulty", 10.0),
    ("in_institution", 2.0),
];

pub const SOURCES: [(&str, f64); 15] = [
    ("hotline_2511", 28.0),
    ("online_2511", 5.0),
    ("walk_in", 10.0),
    ("mobile_unit", 6.0),
    ("police", 10.0),
    ("gendarmerie", 4.0),
    ("prosecutor", 6.0),
    ("school", 9.0),
    ("health_facility", 7.0),
    ("ngo", 6.0),
    ("social_care_institution", 2.0),
    ("family", 4.0),
    ("child_self", 1.0),
    ("community", 1.5),
    ("other", 0.5),
];

/// Who reports, given through which source.
pub fn reporter_type<R: Rng>(rng: &mut R, source: &str) -> &'static str {
    match source {
        "child_self" => "child_self",
        "family" => {
            if rng.gen_bool(0.6) {
                "parent"
            } else {
                "relative"
            }
        }
        "police"
        | "gendarmerie"
        | "prosecutor"
        | "school"
        | "health_facility"
        | "ngo"
        | "social_care_institution"
        | "mobile_unit" => "professional",
        _ => [
            "parent",
            "relative",
            "neighbour",
            "anonymous",
            "child_self",
            "other",
            "professional",
        ][WeightedIndex::new([25.0, 15.0, 20.0, 25.0, 5.0, 5.0, 5.0])
            .map(|w| w.sample(rng))
            .unwrap_or(0)],
    }
}

/// Why screening closed a report without a case.
pub const SCREEN_CLOSINGS: [(&str, f64); 5] = [
    ("no_protection_concern", 40.0),
    ("duplicate", 15.0),
    ("referred_elsewhere", 20.0),
    ("insufficient_information", 20.0),
    ("out_of_scope", 5.0),
];

/// Why a case that went through its plan closed.
pub const CLOSURES_COMPLETED: [(&str, f64); 8] = [
    ("reintegrated_family", 30.0),
    ("reintegrated_school", 15.0),
    ("vocational_training", 6.0),
    ("apprenticeship", 4.0),
    ("alternative_care", 8.0),
    ("autonomy_after_18", 3.0),
    ("no_longer_at_risk", 20.0),
    ("other", 2.0),
];

/// Why a case closed early (before any plan was carried out).
pub const CLOSURES_EARLY: [(&str, f64); 5] = [
    ("no_longer_at_risk", 40.0),
    ("transferred", 20.0),
    ("unreachable", 30.0),
    ("other", 9.0),
    ("deceased", 0.3),
];

pub const SERVICES: [(&str, f64); 23] = [
    ("medical_exam", 8.0),
    ("forensic_medicine", 2.0),
    ("hospital_child_unit", 1.0),
    ("addiction_care", 1.0),
    ("disability_care", 1.5),
    ("psychological_support", 15.0),
    ("trauma_care", 3.0),
    ("social_assistance", 15.0),
    ("emergency_shelter", 3.0),
    ("social_emergency", 4.0),
    ("alternative_care_placement", 1.5),
    ("civil_registration_assistance", 3.0),
    ("parenting_support", 6.0),
    ("school_reintegration", 10.0),
    ("non_formal_education", 5.0),
    ("vocational_training", 4.0),
    ("apprenticeship", 2.0),
    ("cultural_sports_activities", 4.0),
    ("family_mediation", 10.0),
    ("family_reintegration", 4.0),
    ("post18_support", 0.5),
    ("legal_aid", 6.0),
    ("court_accompaniment", 4.0),
];

pub const NOTE_TYPES: [(&str, f64); 6] = [
    ("home_visit", 30.0),
    ("interview", 30.0),
    ("phone_call", 25.0),
    ("meeting", 8.0),
    ("case_conference", 5.0),
    ("other", 2.0),
];

/// The age of a child when first reported (0–17).
pub const AGES: [f64; 18] = [
    3.0, 3.0, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 8.5, 8.0, 7.0, 5.0,
];

/// Sentences of a report's narrative (sealed): what a hotline operator writes down.
pub const NARRATIVES: [&str; 8] = [
    "اتصل المبلغ بخصوص طفل في وضعية صعبة ويحتاج إلى تدخل.",
    "Signalement reçu: l'enfant serait exposé à des violences au domicile.",
    "The child was found alone near the bus station late at night.",
    "المدرسة لاحظت غياب الطفل المتكرر وآثار كدمات.",
    "Le voisin signale des cris répétés et un enfant non scolarisé.",
    "طفل يشتغل في ورشة لساعات طويلة دون أجر.",
    "La mère demande de l'aide: elle ne peut plus subvenir aux besoins des enfants.",
    "Hospital staff report injuries that do not match the explanation given.",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::from_code;
    use madar_openapi::cases::ClosureReason;
    use madar_openapi::pathway::ServiceType;
    use madar_openapi::reports::{ConcernType, ReportSource};

    #[test]
    fn every_code_is_the_vocabularys() {
        for (c, _) in CONCERNS {
            from_code::<ConcernType>(c).unwrap();
        }
        for (c, _) in SOURCES {
            from_code::<ReportSource>(c).unwrap();
        }
        for (c, _) in CLOSURES_COMPLETED.iter().chain(&CLOSURES_EARLY) {
            from_code::<ClosureReason>(c).unwrap();
        }
        for (c, _) in SERVICES {
            from_code::<ServiceType>(c).unwrap();
        }
        for (c, _) in NOTE_TYPES {
            from_code::<madar_openapi::cases::NoteType>(c).unwrap();
        }
    }

    #[test]
    fn weights_are_positive_and_picks_follow_them() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let concerns = Table::new(&CONCERNS);
        let n = 100_000;
        let violence = (0..n)
            .filter(|_| concerns.pick(&mut rng) == "physical_violence")
            .count() as f64;
        let total: f64 = CONCERNS.iter().map(|(_, w)| w).sum();
        let expected = 16.0 / total;
        assert!((violence / n as f64 - expected).abs() < 0.01, "{violence}");
        for (_, w) in CONCERNS.iter().chain(&SOURCES).chain(&SERVICES) {
            assert!(*w > 0.0);
        }
        assert_eq!(AGES.len(), 18);
        assert!(population("141-03") > population("066"));
    }
}

//! The codes of the protection pathway shared by services, plans, referrals and statistics
//! (vocabulary: pathway domains, service types).
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A domain of the protection pathway (vocabulary: pathway domains).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PathwayDomain {
    Detection,
    Reporting,
    HealthCare,
    PsychologicalCare,
    SocialCare,
    EducationTraining,
    CulturalSports,
    Reintegration,
    JudicialSupport,
    FollowUpEvaluation,
}

/// A type of service (vocabulary: services), each in one pathway domain.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ServiceType {
    MedicalExam,
    ForensicMedicine,
    HospitalChildUnit,
    AddictionCare,
    DisabilityCare,
    PsychologicalSupport,
    TraumaCare,
    SocialAssistance,
    EmergencyShelter,
    SocialEmergency,
    AlternativeCarePlacement,
    CivilRegistrationAssistance,
    ParentingSupport,
    SchoolReintegration,
    NonFormalEducation,
    VocationalTraining,
    Apprenticeship,
    CulturalSportsActivities,
    FamilyMediation,
    FamilyReintegration,
    #[serde(rename = "post18_support")]
    Post18Support,
    LegalAid,
    CourtAccompaniment,
}

impl ServiceType {
    /// The pathway domain the vocabulary puts this service in.
    pub fn domain(self) -> PathwayDomain {
        use PathwayDomain as D;
        use ServiceType as S;
        match self {
            S::MedicalExam
            | S::ForensicMedicine
            | S::HospitalChildUnit
            | S::AddictionCare
            | S::DisabilityCare => D::HealthCare,
            S::PsychologicalSupport | S::TraumaCare => D::PsychologicalCare,
            S::SocialAssistance
            | S::EmergencyShelter
            | S::SocialEmergency
            | S::AlternativeCarePlacement
            | S::CivilRegistrationAssistance
            | S::ParentingSupport => D::SocialCare,
            S::SchoolReintegration
            | S::NonFormalEducation
            | S::VocationalTraining
            | S::Apprenticeship => D::EducationTraining,
            S::CulturalSportsActivities => D::CulturalSports,
            S::FamilyMediation | S::FamilyReintegration | S::Post18Support => D::Reintegration,
            S::LegalAid | S::CourtAccompaniment => D::JudicialSupport,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_vocabulary_s() {
        let code = |s: ServiceType| serde_json::to_value(s).unwrap();
        assert_eq!(code(ServiceType::Post18Support), "post18_support");
        assert_eq!(code(ServiceType::SocialEmergency), "social_emergency");
        assert_eq!(
            ServiceType::Post18Support.domain(),
            PathwayDomain::Reintegration
        );
        assert_eq!(
            serde_json::to_value(PathwayDomain::FollowUpEvaluation).unwrap(),
            "follow_up_evaluation"
        );
    }
}

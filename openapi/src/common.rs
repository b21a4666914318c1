//! Types used by many resources: labels, languages, pages of a list.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A label in Madar's three languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub ar: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub fr: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub en: String,
}

/// Some of the three labels, for a correction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PartialLabels {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub ar: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub fr: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub en: Option<String>,
}

/// The language a user reads Madar in. Arabic is the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Ar,
    Fr,
    En,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Ar, Language::Fr, Language::En];

    pub fn code(self) -> &'static str {
        match self {
            Language::Ar => "ar",
            Language::Fr => "fr",
            Language::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Arabic is written right to left.
    pub fn is_rtl(self) -> bool {
        matches!(self, Language::Ar)
    }
}

/// One page of a list, in a stable order. Pass `next_cursor` back as `cursor` for the next page;
/// it is absent on the last page.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

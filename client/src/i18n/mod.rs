//! Interface strings in Arabic (the default), French and English, and the translation of the
//! problem `code`s the API answers with. Plain Rust with no browser code, so its tests run on
//! the host.
//!
//! Each language file matches exhaustively on [`Key`], [`ProblemCode`] and [`Role`], so a text
//! missing in one language is a compile error, not a blank label.
use madar_openapi::users::Role;
use madar_openapi::Language;

mod ar;
mod en;
mod fr;

/// The app's name, the same in every language.
pub const APP_NAME: &str = "مدار / Madar";

/// A piece of interface text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// The name of the language switcher, for screen readers.
    LanguageSwitcher,
    SignInTitle,
    SignInIntro,
    Email,
    Password,
    SignIn,
    SigningIn,
    /// Contains `{name}`, replaced by the person's display name.
    Welcome,
    Role,
    Organization,
    SignOut,
}

impl Key {
    pub const ALL: [Key; 11] = [
        Key::LanguageSwitcher,
        Key::SignInTitle,
        Key::SignInIntro,
        Key::Email,
        Key::Password,
        Key::SignIn,
        Key::SigningIn,
        Key::Welcome,
        Key::Role,
        Key::Organization,
        Key::SignOut,
    ];
}

/// The problem codes the client knows how to say; any other code reads as
/// [`ProblemCode::Unexpected`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemCode {
    InvalidCredentials,
    AccountLocked,
    RateLimited,
    ValidationFailed,
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    PreconditionFailed,
    ServiceUnavailable,
    InternalError,
    /// The client's own: no answer from the server.
    NetworkError,
    /// The client's own: an answer it cannot read, or a code it does not know.
    Unexpected,
}

impl ProblemCode {
    pub const ALL: [ProblemCode; 14] = [
        ProblemCode::InvalidCredentials,
        ProblemCode::AccountLocked,
        ProblemCode::RateLimited,
        ProblemCode::ValidationFailed,
        ProblemCode::BadRequest,
        ProblemCode::Unauthorized,
        ProblemCode::Forbidden,
        ProblemCode::NotFound,
        ProblemCode::Conflict,
        ProblemCode::PreconditionFailed,
        ProblemCode::ServiceUnavailable,
        ProblemCode::InternalError,
        ProblemCode::NetworkError,
        ProblemCode::Unexpected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProblemCode::InvalidCredentials => "invalid_credentials",
            ProblemCode::AccountLocked => "account_locked",
            ProblemCode::RateLimited => "rate_limited",
            ProblemCode::ValidationFailed => "validation_failed",
            ProblemCode::BadRequest => "bad_request",
            ProblemCode::Unauthorized => "unauthorized",
            ProblemCode::Forbidden => "forbidden",
            ProblemCode::NotFound => "not_found",
            ProblemCode::Conflict => "conflict",
            ProblemCode::PreconditionFailed => "precondition_failed",
            ProblemCode::ServiceUnavailable => "service_unavailable",
            ProblemCode::InternalError => "internal_error",
            ProblemCode::NetworkError => "network_error",
            ProblemCode::Unexpected => "unexpected_error",
        }
    }

    /// The known code, or `Unexpected`.
    pub fn parse(code: &str) -> ProblemCode {
        ProblemCode::ALL
            .into_iter()
            .find(|p| p.code() == code)
            .unwrap_or(ProblemCode::Unexpected)
    }

    /// The code to show when an error answer has no readable problem body.
    pub fn from_status(status: u16) -> ProblemCode {
        match status {
            400 => ProblemCode::BadRequest,
            401 => ProblemCode::Unauthorized,
            403 => ProblemCode::Forbidden,
            404 => ProblemCode::NotFound,
            409 => ProblemCode::Conflict,
            412 | 428 => ProblemCode::PreconditionFailed,
            422 => ProblemCode::ValidationFailed,
            429 => ProblemCode::RateLimited,
            502..=504 => ProblemCode::ServiceUnavailable,
            500..=599 => ProblemCode::InternalError,
            _ => ProblemCode::Unexpected,
        }
    }
}

/// The text of `key` in `lang`.
pub fn t(lang: Language, key: Key) -> &'static str {
    match lang {
        Language::Ar => ar::text(key),
        Language::Fr => fr::text(key),
        Language::En => en::text(key),
    }
}

/// The message for a problem `code` in `lang`; unknown codes get the generic message.
pub fn problem(lang: Language, code: &str) -> &'static str {
    let code = ProblemCode::parse(code);
    match lang {
        Language::Ar => ar::problem(code),
        Language::Fr => fr::problem(code),
        Language::En => en::problem(code),
    }
}

/// The name of a role in `lang`.
pub fn role(lang: Language, role: Role) -> &'static str {
    match lang {
        Language::Ar => ar::role(role),
        Language::Fr => fr::role(role),
        Language::En => en::role(role),
    }
}

/// The welcome line split around the name, so the name can be isolated (`<bdi>`) in the page.
pub fn welcome_parts(lang: Language) -> (&'static str, &'static str) {
    t(lang, Key::Welcome)
        .split_once("{name}")
        .unwrap_or((t(lang, Key::Welcome), ""))
}

/// The welcome line with the person's name.
pub fn welcome(lang: Language, name: &str) -> String {
    let (before, after) = welcome_parts(lang);
    format!("{before}{name}{after}")
}

/// The language's own name, as shown on its switcher button.
pub fn language_name(lang: Language) -> &'static str {
    match lang {
        Language::Ar => "العربية",
        Language::Fr => "Français",
        Language::En => "English",
    }
}

/// The value of the `dir` attribute for `lang`.
pub fn dir(lang: Language) -> &'static str {
    if lang.is_rtl() {
        "rtl"
    } else {
        "ltr"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn has_arabic_letters(s: &str) -> bool {
        s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
    }

    #[test]
    fn every_key_has_text_in_all_three_languages() {
        for key in Key::ALL {
            for lang in Language::ALL {
                assert!(
                    !t(lang, key).trim().is_empty(),
                    "{key:?} is empty in {}",
                    lang.code()
                );
            }
            assert!(
                has_arabic_letters(t(Language::Ar, key)),
                "{key:?} is not Arabic"
            );
            assert!(!has_arabic_letters(t(Language::Fr, key)), "{key:?} fr");
            assert!(!has_arabic_letters(t(Language::En, key)), "{key:?} en");
        }
    }

    #[test]
    fn key_list_is_complete_and_without_duplicates() {
        let keys: HashSet<Key> = Key::ALL.into_iter().collect();
        assert_eq!(keys.len(), Key::ALL.len());
        let problems: HashSet<&str> = ProblemCode::ALL.into_iter().map(|p| p.code()).collect();
        assert_eq!(problems.len(), ProblemCode::ALL.len());
    }

    #[test]
    fn every_problem_code_is_translated() {
        for code in ProblemCode::ALL {
            assert_eq!(ProblemCode::parse(code.code()), code);
            for lang in Language::ALL {
                assert!(!problem(lang, code.code()).trim().is_empty());
            }
            assert!(has_arabic_letters(problem(Language::Ar, code.code())));
        }
    }

    #[test]
    fn the_codes_the_api_sends_are_known() {
        for code in [
            "invalid_credentials",
            "account_locked",
            "rate_limited",
            "validation_failed",
            "unauthorized",
            "forbidden",
            "not_found",
            "service_unavailable",
        ] {
            assert_ne!(ProblemCode::parse(code), ProblemCode::Unexpected, "{code}");
        }
    }

    #[test]
    fn unknown_codes_fall_back_to_the_generic_message() {
        assert_eq!(ProblemCode::parse("no_such_code"), ProblemCode::Unexpected);
        for lang in Language::ALL {
            assert_eq!(
                problem(lang, "no_such_code"),
                problem(lang, "unexpected_error")
            );
        }
        assert_eq!(
            problem(Language::En, "invalid_credentials"),
            "Incorrect email or password."
        );
    }

    #[test]
    fn statuses_map_to_codes() {
        assert_eq!(ProblemCode::from_status(401), ProblemCode::Unauthorized);
        assert_eq!(ProblemCode::from_status(422), ProblemCode::ValidationFailed);
        assert_eq!(ProblemCode::from_status(429), ProblemCode::RateLimited);
        assert_eq!(
            ProblemCode::from_status(503),
            ProblemCode::ServiceUnavailable
        );
        assert_eq!(ProblemCode::from_status(500), ProblemCode::InternalError);
        assert_eq!(ProblemCode::from_status(418), ProblemCode::Unexpected);
    }

    #[test]
    fn every_role_is_translated() {
        for r in Role::ALL {
            for lang in Language::ALL {
                assert!(!role(lang, r).trim().is_empty());
            }
            assert!(has_arabic_letters(role(Language::Ar, r)));
        }
    }

    #[test]
    fn welcome_puts_the_name_in_place() {
        for lang in Language::ALL {
            assert!(t(lang, Key::Welcome).contains("{name}"), "{}", lang.code());
            let line = welcome(lang, "Salma");
            assert!(line.contains("Salma") && !line.contains("{name}"));
        }
        assert_eq!(welcome(Language::En, "Salma"), "Welcome, Salma");
    }

    #[test]
    fn arabic_is_right_to_left_and_the_others_left_to_right() {
        assert_eq!(dir(Language::Ar), "rtl");
        assert_eq!(dir(Language::Fr), "ltr");
        assert_eq!(dir(Language::En), "ltr");
        assert_eq!(Language::default(), Language::Ar);
        let names: HashSet<&str> = Language::ALL.into_iter().map(language_name).collect();
        assert_eq!(names.len(), 3);
    }
}

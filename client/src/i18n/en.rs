//! English.
use super::{Key, ProblemCode};
use madar_openapi::users::Role;

pub(super) fn text(key: Key) -> &'static str {
    match key {
        Key::LanguageSwitcher => "Language",
        Key::SignInTitle => "Sign in",
        Key::SignInIntro => "Workspace for child-protection staff",
        Key::Email => "Email",
        Key::Password => "Password",
        Key::SignIn => "Sign in",
        Key::SigningIn => "Signing in…",
        Key::Welcome => "Welcome, {name}",
        Key::Role => "Role",
        Key::Organization => "Organization",
        Key::SignOut => "Sign out",
    }
}

pub(super) fn problem(code: ProblemCode) -> &'static str {
    match code {
        ProblemCode::InvalidCredentials => "Incorrect email or password.",
        ProblemCode::AccountLocked => {
            "Account locked for a while after several failed attempts. Try again later."
        }
        ProblemCode::RateLimited => "Too many requests. Wait a moment and try again.",
        ProblemCode::ValidationFailed => "Some fields are invalid. Check them and try again.",
        ProblemCode::BadRequest => "Invalid request.",
        ProblemCode::Unauthorized => "Your session has expired or you are not signed in.",
        ProblemCode::Forbidden => "You are not allowed to do this.",
        ProblemCode::NotFound => "Not found.",
        ProblemCode::Conflict => "This conflicts with another change. Reload and try again.",
        ProblemCode::PreconditionFailed => "Someone else changed this in the meantime. Reload it.",
        ProblemCode::ServiceUnavailable => "Service temporarily unavailable. Try again shortly.",
        ProblemCode::InternalError => "Server error.",
        ProblemCode::NetworkError => "Cannot reach the server. Check the connection.",
        ProblemCode::Unexpected => "An unexpected error occurred.",
    }
}

pub(super) fn role(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administrator",
        Role::Coordinator => "Coordinator",
        Role::CaseWorker => "Case worker",
        Role::Partner => "Partner",
        Role::Hotline => "Hotline operator",
        Role::Analyst => "Analyst",
        Role::Auditor => "Auditor",
    }
}

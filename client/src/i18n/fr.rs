//! French.
use super::{Key, ProblemCode};
use madar_openapi::users::Role;

pub(super) fn text(key: Key) -> &'static str {
    match key {
        Key::LanguageSwitcher => "Langue",
        Key::SignInTitle => "Connexion",
        Key::SignInIntro => "Espace des professionnels de la protection de l'enfance",
        Key::Email => "Adresse e-mail",
        Key::Password => "Mot de passe",
        Key::SignIn => "Se connecter",
        Key::SigningIn => "Connexion…",
        Key::Welcome => "Bienvenue, {name}",
        Key::Role => "Rôle",
        Key::Organization => "Organisation",
        Key::SignOut => "Se déconnecter",
    }
}

pub(super) fn problem(code: ProblemCode) -> &'static str {
    match code {
        ProblemCode::InvalidCredentials => "Adresse e-mail ou mot de passe incorrect.",
        ProblemCode::AccountLocked => {
            "Compte verrouillé temporairement après plusieurs échecs. Réessayez plus tard."
        }
        ProblemCode::RateLimited => "Trop de requêtes. Patientez un instant puis réessayez.",
        ProblemCode::ValidationFailed => {
            "Certains champs sont invalides. Vérifiez-les puis réessayez."
        }
        ProblemCode::BadRequest => "Requête invalide.",
        ProblemCode::Unauthorized => "Session expirée ou absente. Veuillez vous reconnecter.",
        ProblemCode::Forbidden => "Vous n'avez pas le droit d'effectuer cette opération.",
        ProblemCode::NotFound => "Élément introuvable.",
        ProblemCode::Conflict => "Conflit avec une autre modification. Rechargez les données.",
        ProblemCode::PreconditionFailed => {
            "Quelqu'un d'autre a modifié ces données entre-temps. Rechargez-les."
        }
        ProblemCode::ServiceUnavailable => {
            "Service temporairement indisponible. Réessayez dans un instant."
        }
        ProblemCode::InternalError => "Erreur du serveur.",
        ProblemCode::NetworkError => "Impossible de joindre le serveur. Vérifiez la connexion.",
        ProblemCode::Unexpected => "Une erreur inattendue s'est produite.",
    }
}

pub(super) fn role(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administrateur",
        Role::Coordinator => "Coordinateur",
        Role::CaseWorker => "Gestionnaire de cas",
        Role::Partner => "Partenaire",
        Role::Hotline => "Écoutant 2511",
        Role::Analyst => "Analyste",
        Role::Auditor => "Auditeur",
    }
}

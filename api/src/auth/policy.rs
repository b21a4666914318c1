//! The access policy, in one place (design.md, "Identity and access"). `authorize` decides
//! whether a role may ever do an action (else 403); the scope functions build the filters that
//! queries apply, so a record outside the caller's scope is simply not found (404).
use madar_openapi::users::Role;

use crate::auth::actor::Actor;
use crate::error::ApiError;

/// Everything an actor may ask of the API so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read one's own profile and set one's language.
    ReadSelf,
    /// List and read organizations (to pick a referral target).
    ListOrganizations,
    ManageOrganizations,
    ListUsers,
    ManageUsers,
    ManageClients,
    /// Correct territories' names and other reference data.
    ManageReference,
}

/// Whether `actor`'s role may ever do `action`; scope is decided by the filters below.
pub fn authorize(actor: &Actor, action: Action) -> Result<(), ApiError> {
    use Action as A;
    use Role as R;
    let allowed = match action {
        A::ReadSelf | A::ListOrganizations => true,
        A::ManageOrganizations | A::ManageUsers | A::ManageClients | A::ManageReference => {
            actor.role == R::Admin
        }
        A::ListUsers => matches!(actor.role, R::Admin | R::Coordinator),
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Which users an actor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserScope {
    All,
    /// Users whose territory lies in this subtree (a materialized path prefix).
    Subtree(String),
    None,
}

pub fn user_scope(actor: &Actor) -> UserScope {
    match (actor.role, &actor.territory) {
        (Role::Admin, _) => UserScope::All,
        (Role::Coordinator, Some(scope)) => UserScope::Subtree(scope.path.clone()),
        _ => UserScope::None,
    }
}

/// Which organizations an actor may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationScope {
    All,
    /// Only active ones: a deactivated organization is no referral target.
    Active,
}

pub fn organization_scope(actor: &Actor) -> OrganizationScope {
    if actor.role == Role::Admin {
        OrganizationScope::All
    } else {
        OrganizationScope::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::actor::Scope;
    use crate::auth::tokens::Subject;

    fn actor(role: Role) -> Actor {
        Actor {
            kind: Subject::User,
            id: "u".into(),
            role,
            organization_id: "o".into(),
            organization_code: "org".into(),
            territory: Some(Scope {
                code: "421".into(),
                path: "MA/MA-04/421/".into(),
            }),
        }
    }

    #[test]
    fn only_admins_manage_users_organizations_and_clients() {
        for role in Role::ALL {
            let expected = role == Role::Admin;
            for action in [
                Action::ManageUsers,
                Action::ManageOrganizations,
                Action::ManageClients,
                Action::ManageReference,
            ] {
                assert_eq!(
                    authorize(&actor(role), action).is_ok(),
                    expected,
                    "{role:?} {action:?}"
                );
            }
            assert!(authorize(&actor(role), Action::ListOrganizations).is_ok());
            assert!(authorize(&actor(role), Action::ReadSelf).is_ok());
        }
    }

    #[test]
    fn coordinators_see_the_users_of_their_subtree() {
        assert_eq!(
            user_scope(&actor(Role::Coordinator)),
            UserScope::Subtree("MA/MA-04/421/".into())
        );
        assert_eq!(user_scope(&actor(Role::Admin)), UserScope::All);
        assert_eq!(user_scope(&actor(Role::CaseWorker)), UserScope::None);
        assert!(authorize(&actor(Role::Coordinator), Action::ListUsers).is_ok());
        assert!(authorize(&actor(Role::Analyst), Action::ListUsers).is_err());
    }
}

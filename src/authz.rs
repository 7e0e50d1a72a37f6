//! Authorisation: the one place that decides who may see and do what.
//!
//! Therapists and leads work inside their own clinic; admins administer everything. A record
//! outside the caller's scope is reported as not found, never as forbidden, so its existence
//! does not leak across clinics.

use crate::db::ids::{ClinicId, UserId};
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Assesses and treats patients of their clinic.
    Therapist,
    /// Reviews the clinic's caseload and audit log.
    Lead,
    /// Administers users, clinics and the audit log of the whole organisation.
    Admin,
}

impl Role {
    /// Every role, in order of reach.
    pub const ALL: [Role; 3] = [Role::Therapist, Role::Lead, Role::Admin];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Therapist => "therapist",
            Self::Lead => "lead",
            Self::Admin => "admin",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Therapist => "Physiotherapist",
            Self::Lead => "Clinic lead",
            Self::Admin => "Administrator",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| String::from("role must be one of: therapist, lead, admin"))
    }
}

crate::stored_as_code!(Role);

/// Which clinics' records a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every clinic (admins).
    AllClinics,
    /// One clinic only.
    Clinic(ClinicId),
}

impl Scope {
    /// Whether a record of `clinic` is visible in this scope.
    pub fn includes(self, clinic: ClinicId) -> bool {
        match self {
            Self::AllClinics => true,
            Self::Clinic(own) => own == clinic,
        }
    }

    /// The single clinic, if the scope is limited to one.
    pub fn clinic(self) -> Option<ClinicId> {
        match self {
            Self::AllClinics => None,
            Self::Clinic(id) => Some(id),
        }
    }
}

/// Things a role may or may not do (beyond seeing records in scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read and write patient records in scope.
    TreatPatients,
    /// Read the audit log in scope.
    ViewAudit,
    /// Add and edit the clinic's own library items and protocols.
    ManageLibrary,
    /// Review the whole clinic's caseload and reassign patients.
    ReviewCaseload,
    /// Create users and clinics.
    Administer,
}

/// The signed-in user on whose behalf a request runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user.
    pub user_id: UserId,
    /// Their home clinic.
    pub clinic_id: ClinicId,
    /// Their role.
    pub role: Role,
    /// Display name (a staff member's, not patient data).
    pub name: String,
    /// Sign-in e-mail.
    pub email: String,
}

impl Actor {
    /// The clinics this actor's records come from.
    pub fn scope(&self) -> Scope {
        match self.role {
            Role::Admin => Scope::AllClinics,
            Role::Therapist | Role::Lead => Scope::Clinic(self.clinic_id),
        }
    }

    /// Whether the role grants `permission`.
    pub fn may(&self, permission: Permission) -> bool {
        match permission {
            Permission::TreatPatients => true,
            Permission::ViewAudit | Permission::ManageLibrary | Permission::ReviewCaseload => {
                matches!(self.role, Role::Lead | Role::Admin)
            }
            Permission::Administer => self.role == Role::Admin,
        }
    }

    /// `Ok` when the role grants `permission`, else 403.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// `Ok` when a record of `clinic` is in scope, else 404.
    pub fn require_in_scope(&self, clinic: ClinicId) -> Result<(), AppError> {
        if self.scope().includes(clinic) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(),
            clinic_id: ClinicId::new(),
            role,
            name: "Staff".into(),
            email: "staff@example.org".into(),
        }
    }

    #[test]
    fn therapists_and_leads_see_only_their_own_clinic() {
        for role in [Role::Therapist, Role::Lead] {
            let a = actor(role);
            assert!(a.require_in_scope(a.clinic_id).is_ok());
            assert!(matches!(a.require_in_scope(ClinicId::new()), Err(AppError::NotFound)));
        }
    }

    #[test]
    fn admins_see_every_clinic() {
        let a = actor(Role::Admin);
        assert!(a.require_in_scope(ClinicId::new()).is_ok());
    }

    #[test]
    fn only_leads_and_admins_read_the_audit_log_and_only_admins_administer() {
        assert!(!actor(Role::Therapist).may(Permission::ViewAudit));
        assert!(actor(Role::Lead).may(Permission::ViewAudit));
        assert!(!actor(Role::Lead).may(Permission::Administer));
        assert!(actor(Role::Admin).may(Permission::Administer));
    }
}

//! Typed UUID v7 ids, stored as text so one schema serves both databases.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.to_string()
            }
        }

        impl TryFrom<String> for $name {
            type Error = uuid::Error;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
    )*};
}

id_type!(
    /// A clinic (site) of the organisation.
    ClinicId,
    /// A user account (therapist, lead or admin).
    UserId,
    /// A patient record.
    PatientId,
    /// An audit event.
    AuditId,
    /// An assessment.
    AssessmentId,
    /// An amendment to a signed assessment.
    AmendmentId,
    /// A recorded action on a red flag.
    RedFlagActionId,
    /// A library item version.
    ModalityId,
    /// A treatment plan.
    PlanId,
    /// A protocol (plan template).
    ProtocolId,
);

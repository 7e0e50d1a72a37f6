//! The typed ids live in the leaf module [`crate::ids`] (domain types use them too); this
//! path is kept for the layers above the domain.

pub use crate::ids::*;

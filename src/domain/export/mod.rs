//! What leaves the system for people and other systems: the patient handout's wording and
//! the FHIR R4 export. Pure: services load the data, web and api serve it.

pub mod fhir;
pub mod handout;

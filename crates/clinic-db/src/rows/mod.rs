//! Row structs for the clinic tables the facade reads and writes, one module per table group.
//!
//! Convention: `XRow` is a row as stored (`id`, the embedded `XFields`, `updated_at`, `version`);
//! `XFields` are the columns a FHIR write sets (Insertable + AsChangeset with
//! `treat_none_as_null`, so an update replaces every one of them).

mod appointment;
mod claim;
mod medication;
mod note;
mod patient;

pub use appointment::{AppointmentFields, AppointmentRow};
pub use claim::{ClaimFields, ClaimItemFields, ClaimItemRow, ClaimRow};
pub use medication::{DrugRow, PrescriptionFields, PrescriptionRow};
pub use note::{ClinicalNoteFields, ClinicalNoteRow};
pub use patient::{PatientFields, PatientRow};

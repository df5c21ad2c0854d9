//! Row structs for the clinic tables the facade reads and writes, one module per table group.
//!
//! Convention: `XRow` is a row as stored (`id`, the embedded `XFields`, `updated_at`, `version`);
//! `XFields` are the columns a FHIR write sets (Insertable + AsChangeset with
//! `treat_none_as_null`, so an update replaces every one of them).

mod appointment;
mod audit;
mod claim;
mod coverage;
mod diagnosis;
mod medication;
mod note;
mod observation;
mod patient;
mod reference;
mod schedule;
mod subscription;
mod visit;

pub use appointment::{AppointmentFields, AppointmentRow};
pub use audit::AuditEventRow;
pub use claim::{ClaimFields, ClaimItemFields, ClaimItemRow, ClaimRow};
pub use coverage::CoverageRow;
pub use diagnosis::DiagnosisRow;
pub use medication::{DrugRow, PrescriptionFields, PrescriptionRow};
pub use note::{ClinicalNoteFields, ClinicalNoteRow};
pub use observation::{LabResultFields, LabResultRow, VitalSignsFields, VitalSignsRow};
pub use patient::{PatientFields, PatientRow};
pub use reference::{BranchRow, DoctorRow, InsurerRow};
pub use schedule::DoctorScheduleRow;
pub use subscription::{SubscriptionFields, SubscriptionRow};
pub use visit::{VisitFields, VisitRow};

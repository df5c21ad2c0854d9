//! Clinic rows <-> FHIR R4 resources, as pure functions (no IO).
//!
//! Resources are built as JSON trees in the element order the specification defines; the codec
//! crate turns them into XML, and tests check every one against fhirbolt's strict parser.
//!
//! Writes go the other way and are checked by a round trip: the client's resource is mapped to
//! row fields, mapped back, and every element of the input the round trip lost is refused with
//! an issue naming it. The facade never silently drops what a client sent.
//!
//! Resource ids are the clinic row keys (`Patient/42` is `patients.id = 42`).

mod appointment;
mod audit_event;
mod claim;
mod condition;
mod context;
mod coverage;
mod elements;
mod encounter;
mod group;
mod icd10;
mod location;
mod medication;
mod note;
mod observation;
mod organization;
mod patient;
mod practitioner;
mod round_trip;
mod schedule;
mod subscription;
pub mod systems;
#[cfg(test)]
mod test_support;
pub mod thai_id;

pub use appointment::{
    APPOINTMENT_CANCELLED, APPOINTMENT_STATUSES, APPOINTMENT_TYPES, appointment_from_fhir,
    appointment_to_fhir,
};
pub use audit_event::{
    AUDIT_ACTIONS, AUDIT_OUTCOMES, RESTFUL_INTERACTIONS, RESTFUL_OPERATION, TOKEN_INTERACTION,
    USER_AUTHENTICATION, audit_event_to_fhir,
};
pub use claim::{CLAIM_PRIORITIES, CLAIM_STATUSES, CLAIM_USES, ClaimWrite, claim_from_fhir, claim_to_fhir};
pub use condition::{condition_to_fhir, diagnosis_type_coding};
pub use context::MappingContext;
pub use coverage::{INSURANCE_SCHEMES, coverage_to_fhir};
pub use encounter::{
    ENCOUNTER_STATUSES, EncounterDiagnosis, EncounterWrite, VISIT_TYPES, encounter_class,
    encounter_from_fhir, encounter_to_fhir, visit_number,
};
pub use group::{GroupKey, Membership, PanelOwner, WithMembers, group_to_fhir, group_without_members};
pub use icd10::{icd10_with_dot, icd10_without_dot};
pub use location::{BRANCH_TYPES, branch_role, location_to_fhir};
pub use medication::{
    DrugCode, MEDICATION_REQUEST_STATUSES, MedicationRequestWrite, medication_request_from_fhir,
    medication_request_to_fhir,
};
pub use note::{
    DOCUMENT_REFERENCE_STATUSES, NOTE_RETRACTED, NOTE_TYPES, document_reference_from_fhir,
    document_reference_to_fhir,
};
pub use observation::{
    BLOOD_PRESSURE_COMPONENTS, LAB_STATUSES, ObservationId, VitalSign, VitalSignWrite, VitalValues,
    is_vital_sign, lab_result_from_fhir, lab_result_to_fhir, parse_observation_id, vital_sign_from_fhir,
    vital_sign_to_fhir, vital_signs_to_fhir,
};
pub use organization::{OrganizationKey, branch_organization_to_fhir, insurer_organization_to_fhir};
pub use patient::{patient_from_fhir, patient_to_fhir};
pub use practitioner::practitioner_to_fhir;
pub use round_trip::{unstored_elements, without_elements};
pub use schedule::{ScheduleKey, parse_slot_id, schedule_to_fhir, slot_id, slot_starts, slot_to_fhir};
pub use subscription::{
    FHIR_JSON, SUBSCRIPTION_ACTIVE, SUBSCRIPTION_ERROR, SUBSCRIPTION_OFF, subscription_from_fhir,
    subscription_to_fhir,
};

use serde_json::{Value, json};

/// `meta` of a resource read from a row with a version counter and an update time.
fn meta(version: i32, updated_at: chrono::NaiveDateTime, ctx: &MappingContext) -> Value {
    json!({
        "versionId": version.to_string(),
        "lastUpdated": ctx.instant(updated_at),
    })
}

/// The patient a resource's `subject` references, if it is a `Patient/[id]` reference. Resources
/// kept per visit (observations, prescriptions, notes) hold their patient only through the
/// visit, so the store checks this against it.
pub fn subject_patient_id(resource: &Value) -> Option<i64> {
    resource["subject"]["reference"].as_str()?.strip_prefix("Patient/")?.parse().ok()
}

/// A `Type/id` reference to a clinic row.
fn reference(resource_type: &str, id: i64) -> Value {
    json!({ "reference": format!("{resource_type}/{id}") })
}

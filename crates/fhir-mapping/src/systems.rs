//! Identifier systems, code systems and extension URLs, in one place.

/// Thai 13-digit citizen identification number (as used by TH Core).
pub const THAI_CITIZEN_ID: &str = "https://terms.sil-th.org/id/th-cid";
/// Passport numbers: the issuing country's ISO 3166 alpha-3 code is appended.
pub const PASSPORT_PREFIX: &str = "http://hl7.org/fhir/sid/passport-";
pub const IDENTIFIER_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
pub const ISO_3166: &str = "urn:iso:std:iso:3166";
pub const PATIENT_NATIONALITY: &str = "http://hl7.org/fhir/StructureDefinition/patient-nationality";
/// The language of an element (here: whether a HumanName is the Thai or the English name).
pub const LANGUAGE_EXTENSION: &str = "http://hl7.org/fhir/StructureDefinition/language";
/// The clinic's visit numbers (VN), the identifier of an Encounter.
pub const VISIT_NUMBER: &str = "https://clinic.example.th/fhir/sid/vn";
/// The clinic's visit types (walk_in, appointment, follow_up, telemedicine, emergency).
pub const VISIT_TYPE: &str = "https://clinic.example.th/fhir/CodeSystem/visit-type";
/// Thai OPD diagnosis types: 1 principal, 2 comorbidity, 3 complication, 4 other, 5 external cause.
pub const DIAGNOSIS_TYPE: &str = "https://clinic.example.th/fhir/CodeSystem/diagnosis-type";
/// The coverage (right to treatment) a visit is billed to; R4 Encounter has no element for it.
pub const ENCOUNTER_COVERAGE: &str = "https://clinic.example.th/fhir/StructureDefinition/encounter-coverage";
/// The clinic's own lab test codes (lab_results.local_code).
pub const LAB_TEST: &str = "https://clinic.example.th/fhir/CodeSystem/lab-test";
pub const V3_ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
pub const V3_ACT_PRIORITY: &str = "http://terminology.hl7.org/CodeSystem/v3-ActPriority";
pub const V3_PARTICIPATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
pub const V3_OBSERVATION_INTERPRETATION: &str =
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
pub const LOINC: &str = "http://loinc.org";
pub const UCUM: &str = "http://unitsofmeasure.org";
/// Where the core specification's profiles (e.g. the vital-signs profiles) are published.
pub const CORE_PROFILE_PREFIX: &str = "http://hl7.org/fhir/StructureDefinition/";

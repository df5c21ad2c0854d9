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
pub const LOINC: &str = "http://loinc.org";
pub const UCUM: &str = "http://unitsofmeasure.org";
pub const ICD_10: &str = "http://hl7.org/fhir/sid/icd-10";
/// Marks a required element whose value the clinic does not have.
pub const DATA_ABSENT_REASON: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
/// Thai Medicines Terminology, as its publisher (THIS) names it in its FHIR CodeSystem.
pub const TMT: &str = "http://tmt.this.or.th";
/// The clinic's drug codes (`drugs.local_code`).
pub const CLINIC_DRUG: &str = "https://clinic.example.th/fhir/CodeSystem/drug";
/// The clinic's dosing frequencies (OD, BID, TID, QID, HS, Q4H, Q6H, Q8H, STAT).
pub const CLINIC_DOSE_FREQUENCY: &str = "https://clinic.example.th/fhir/CodeSystem/dose-frequency";
/// The clinic's routes of administration (PO, IV, IM, SC, TOP, INH, SL, PR).
pub const CLINIC_ROUTE: &str = "https://clinic.example.th/fhir/CodeSystem/route";
/// Whether (and when) the pharmacy dispensed a prescription: valueBoolean or valueDateTime.
pub const PRESCRIPTION_DISPENSED: &str =
    "https://clinic.example.th/fhir/StructureDefinition/prescription-dispensed";
pub const APPOINTMENT_REASON_V2: &str = "http://terminology.hl7.org/CodeSystem/v2-0276";
/// The clinic's appointment types (`appointments.appt_type`).
pub const CLINIC_APPOINTMENT_TYPE: &str = "https://clinic.example.th/fhir/CodeSystem/appointment-type";
/// The clinic's daily queue numbers (`appointments.queue_no`).
pub const CLINIC_QUEUE_NUMBER: &str = "https://clinic.example.th/fhir/sid/queue-no";
pub const CLAIM_TYPE: &str = "http://terminology.hl7.org/CodeSystem/claim-type";
/// The clinic's claim types (`claims.claim_type`: opd, dental, pharmacy).
pub const CLINIC_CLAIM_TYPE: &str = "https://clinic.example.th/fhir/CodeSystem/claim-type";
/// The clinic's claim numbers (`claims.claim_no`).
pub const CLINIC_CLAIM_NUMBER: &str = "https://clinic.example.th/fhir/sid/claim-no";
/// The clinic's claim workflow status (draft, submitted, approved, rejected, paid, cancelled), finer
/// than Claim.status.
pub const CLAIM_STATUS_EXTENSION: &str = "https://clinic.example.th/fhir/StructureDefinition/claim-status";
/// When the claim was sent to the insurer (`claims.submitted_at`).
pub const CLAIM_SUBMITTED_EXTENSION: &str =
    "https://clinic.example.th/fhir/StructureDefinition/claim-submitted";
/// R5's Claim.encounter carried into R4 (the cross-version extension).
pub const CLAIM_ENCOUNTER_EXTENSION: &str =
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-Claim.encounter";
pub const PROCESS_PRIORITY: &str = "http://terminology.hl7.org/CodeSystem/processpriority";
pub const DIAGNOSIS_TYPE: &str = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype";
/// Thai OPD diagnosis types (`diagnoses.diag_type`): 1 principal, 2 comorbidity, 3 complication,
/// 4 other, 5 external cause.
pub const CLINIC_DIAGNOSIS_TYPE: &str = "https://clinic.example.th/fhir/CodeSystem/diagnosis-type";
/// The clinic's claim item categories (drug, lab, procedure, service, supply).
pub const CLINIC_CLAIM_ITEM_CATEGORY: &str = "https://clinic.example.th/fhir/CodeSystem/claim-item-category";
/// The clinic's billing codes (`claim_items.item_code`).
pub const CLINIC_BILLING_CODE: &str = "https://clinic.example.th/fhir/CodeSystem/billing-code";

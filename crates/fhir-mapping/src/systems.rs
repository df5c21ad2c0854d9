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

/// Thai Medical Council licence numbers (ว.12345 is `12345`), as TH Core names them.
pub const TH_MEDICAL_LICENSE: &str = "https://terms.sil-th.org/id/th-doctor-id";
/// Thai Dental Council licence numbers (ท.12345), for doctors titled ทพ./ทพญ.
pub const TH_DENTAL_LICENSE: &str = "https://terms.sil-th.org/id/th-dentist-id";
/// MOPH 5-digit health facility codes (hcode, also a coverage's hmain), as TH Core names them.
pub const TH_MOPH_HCODE: &str = "https://terms.sil-th.org/id/th-moph-hcode";
pub const ORGANIZATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/organization-type";
pub const V3_ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
pub const COVERAGE_CLASS: &str = "http://terminology.hl7.org/CodeSystem/coverage-class";
pub const CONDITION_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
pub const CONDITION_VERIFICATION: &str = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
pub const CONDITION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/condition-category";
pub const ICD_10: &str = "http://hl7.org/fhir/sid/icd-10";
/// The clinic's own identifier and code systems: fixed (unlike the HN system, which each
/// deployment configures), as they name codes of the clinic's schema, not of one site.
pub const BRANCH_CODE: &str = "https://clinic.example.th/fhir/sid/branch-code";
pub const INSURER_CODE: &str = "https://clinic.example.th/fhir/sid/insurer-code";
/// Coverage member (subscriber/policy) numbers; the identifier's assigner names the insurer.
pub const COVERAGE_MEMBER_NO: &str = "https://clinic.example.th/fhir/sid/coverage-member-no";
/// Branch kinds: clinic, hospital, telemedicine.
pub const BRANCH_TYPE: &str = "https://clinic.example.th/fhir/CodeSystem/branch-type";
/// Insurer kinds: government, private.
pub const INSURER_TYPE: &str = "https://clinic.example.th/fhir/CodeSystem/insurer-type";
/// Thai health insurance schemes (สิทธิการรักษา): UCS, SSS, OFC, LGO, PRIVATE, SELF.
pub const INSURANCE_SCHEME: &str = "https://clinic.example.th/fhir/CodeSystem/insurance-scheme";
/// Thai OPD diagnosis types: 1 principal, 2 comorbidity, 3 complication, 4 other, 5 external cause.
pub const DIAGNOSIS_TYPE: &str = "https://clinic.example.th/fhir/CodeSystem/diagnosis-type";
/// A coverage's registered main hospital (hmain), as a reference by MOPH code.
pub const COVERAGE_MAIN_HOSPITAL: &str =
    "https://clinic.example.th/fhir/StructureDefinition/coverage-main-hospital";
/// The clinic's visit numbers (VN), the identifier of an Encounter.
pub const VISIT_NUMBER: &str = "https://clinic.example.th/fhir/sid/vn";
/// The clinic's visit types (walk_in, appointment, follow_up, telemedicine, emergency).
pub const VISIT_TYPE: &str = "https://clinic.example.th/fhir/CodeSystem/visit-type";
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
pub const EX_DIAGNOSIS_TYPE: &str = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype";
/// The clinic's claim item categories (drug, lab, procedure, service, supply).
pub const CLINIC_CLAIM_ITEM_CATEGORY: &str = "https://clinic.example.th/fhir/CodeSystem/claim-item-category";
/// The clinic's billing codes (`claim_items.item_code`).
pub const CLINIC_BILLING_CODE: &str = "https://clinic.example.th/fhir/CodeSystem/billing-code";
/// AuditEvent.type: `rest` (RESTful Operation).
pub const AUDIT_EVENT_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-event-type";
/// DICOM controlled terminology: AuditEvent.type `110114` (User Authentication).
pub const DICOM: &str = "http://dicom.nema.org/resources/ontology/DCM";
/// FHIR restful interactions (read, search-type, ...): AuditEvent.subtype.
pub const RESTFUL_INTERACTION: &str = "http://hl7.org/fhir/restful-interaction";
pub const AUDIT_EVENT_ACTION: &str = "http://hl7.org/fhir/audit-event-action";
pub const AUDIT_EVENT_OUTCOME: &str = "http://hl7.org/fhir/audit-event-outcome";
/// AuditEvent.source.type: `4` (Application Server).
pub const SECURITY_SOURCE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/security-source-type";
/// The key (client id) a Subscription delivers for: the one that last wrote it.
pub const SUBSCRIPTION_OWNER: &str = "https://clinic.example.th/fhir/StructureDefinition/subscription-owner";
/// The patient's user id at MOPH Connect, the Ministry of Public Health's patient messaging service.
pub const MOPH_CONNECT_USER: &str = "https://connect.moph.go.th/fhir/sid/user-id";

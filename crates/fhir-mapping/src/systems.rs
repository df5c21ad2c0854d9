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

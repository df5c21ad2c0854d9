//! The search parameters each resource type supports, with the official definitions they
//! implement (reported in the CapabilityStatement).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    Token,
    String,
    Date,
    Reference,
    Quantity,
    /// Values of the listed types joined with `$`, matched together on one element.
    Composite(&'static [ParamType]),
}

impl ParamType {
    pub fn code(self) -> &'static str {
        match self {
            ParamType::Token => "token",
            ParamType::String => "string",
            ParamType::Date => "date",
            ParamType::Reference => "reference",
            ParamType::Quantity => "quantity",
            ParamType::Composite(_) => "composite",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct ParamDef {
    pub name: &'static str,
    pub kind: ParamType,
    pub definition: &'static str,
    pub documentation: &'static str,
}

const fn param(
    name: &'static str,
    kind: ParamType,
    definition: &'static str,
    documentation: &'static str,
) -> ParamDef {
    ParamDef { name, kind, definition, documentation }
}

macro_rules! spec_url {
    ($id:literal) => {
        concat!("http://hl7.org/fhir/SearchParameter/", $id)
    };
}

/// `_has:[type]:[reference]:[parameter]` (reverse chaining): parsed on its own, since its name
/// carries the chain.
pub static HAS: ParamDef =
    param("_has", ParamType::Reference, spec_url!("Resource-has"), "Resources referenced by matching others");

/// Parameters every resource type supports.
pub static COMMON: &[ParamDef] = &[
    param("_id", ParamType::Token, spec_url!("Resource-id"), "Logical id (the clinic row key)"),
    param(
        "_lastUpdated",
        ParamType::Date,
        spec_url!("Resource-lastUpdated"),
        "When the row was last changed",
    ),
];

/// `name, Kind, definition id, documentation;` per parameter (`Kind` a `ParamType` variant).
macro_rules! params {
    ($($name:literal, $kind:expr, $id:literal, $doc:literal;)*) => {
        &[$(param($name, { use ParamType::*; $kind }, spec_url!($id), $doc)),*]
    };
}

pub static PATIENT: &[ParamDef] = params![
    "identifier", Token, "Patient-identifier", "HN, Thai citizen ID or passport number";
    "name", String, "Patient-name", "Thai or English first or last name, or Thai title";
    "family", String, "individual-family", "Thai or English last name";
    "given", String, "individual-given", "Thai or English first name";
    "birthdate", Date, "individual-birthdate", "Date of birth";
    "gender", Token, "individual-gender", "male | female | other | unknown";
    "active", Token, "Patient-active", "Whether the record is active";
    "phone", Token, "individual-phone", "Phone number ([phone|]number)";
    "email", Token, "individual-email", "E-mail address ([email|]address)";
    "telecom", Token, "individual-telecom", "Phone number or e-mail address; the system is phone or email";
    "address", String, "individual-address", "Any part of the address: line, tambon, amphoe, province, postal code";
    "address-city", String, "individual-address-city", "Tambon / khwaeng";
    "address-state", String, "individual-address-state", "Province";
    "address-postalcode", String, "individual-address-postalcode", "Postal code";
    "general-practitioner", Reference, "Patient-general-practitioner", "The patient's primary doctor";
    "organization", Reference, "Patient-organization", "The registering branch";
    "deceased", Token, "Patient-deceased", "Whether the patient has died";
    "death-date", Date, "Patient-death-date", "When the patient died";
];

pub static PRACTITIONER: &[ParamDef] = params![
    "identifier", Token, "Practitioner-identifier", "Thai Medical Council licence number";
    "name", String, "Practitioner-name", "Thai or English first or last name";
    "family", String, "individual-family", "Thai or English last name";
    "given", String, "individual-given", "Thai or English first name";
    "gender", Token, "individual-gender", "male | female | other | unknown";
    "active", Token, "Practitioner-active", "Whether the doctor is active";
    "phone", Token, "individual-phone", "Phone number ([phone|]number)";
    "email", Token, "individual-email", "E-mail address ([email|]address)";
    "telecom", Token, "individual-telecom", "Phone number or e-mail address; the system is phone or email";
];

pub static ORGANIZATION: &[ParamDef] = params![
    "identifier", Token, "Organization-identifier", "Branch code, MOPH health facility code or insurer code";
    "name", String, "Organization-name", "Thai or English name";
    "active", Token, "Organization-active", "Whether the branch or insurer is active";
    "address", String, "Organization-address", "Any part of a branch's address (insurers have none here)";
    "address-city", String, "Organization-address-city", "A branch's tambon / khwaeng";
    "address-state", String, "Organization-address-state", "A branch's province";
    "address-postalcode", String, "Organization-address-postalcode", "A branch's postal code";
    "type", Token, "Organization-type", "organization-type prov (branches) or ins (insurers), or the insurer type (government, private)";
];

pub static LOCATION: &[ParamDef] = params![
    "identifier", Token, "Location-identifier", "Branch code";
    "name", String, "Location-name", "Thai or English name";
    "status", Token, "Location-status", "active | inactive";
    "organization", Reference, "Location-organization", "The branch's Organization";
    "address", String, "Location-address", "Any part of the address: line, tambon, amphoe, province, postal code";
    "address-city", String, "Location-address-city", "Tambon / khwaeng";
    "address-state", String, "Location-address-state", "Province";
    "address-postalcode", String, "Location-address-postalcode", "Postal code";
    "type", Token, "Location-type", "v3-RoleCode HOSP or OF, or the clinic's branch type (clinic, hospital, telemedicine)";
];

pub static COVERAGE: &[ParamDef] = params![
    "patient", Reference, "Coverage-patient", "The covered patient";
    "beneficiary", Reference, "Coverage-beneficiary", "The covered patient";
    "payor", Reference, "Coverage-payor", "The insurer's Organization";
    "status", Token, "Coverage-status", "active | cancelled";
    "type", Token, "Coverage-type", "The insurance scheme (UCS, SSS, OFC, LGO, PRIVATE, SELF)";
    "identifier", Token, "Coverage-identifier", "Member (policy) number";
    "class-type", Token, "Coverage-class-type", "plan, when the plan is named";
    "class-value", String, "Coverage-class-value", "The plan's name";
];

pub static CONDITION: &[ParamDef] = params![
    "patient", Reference, "clinical-patient", "The patient diagnosed";
    "subject", Reference, "Condition-subject", "The patient diagnosed";
    "encounter", Reference, "Condition-encounter", "The visit of the diagnosis";
    "code", Token, "clinical-code", "ICD-10 code (with or without the dot)";
    "recorded-date", Date, "Condition-recorded-date", "When the diagnosis was made";
    "asserter", Reference, "Condition-asserter", "The diagnosing doctor";
    "category", Token, "Condition-category", "encounter-diagnosis, or the Thai OPD diagnosis type (1 principal ... 5 external cause)";
    "clinical-status", Token, "Condition-clinical-status", "Always active";
    "verification-status", Token, "Condition-verification-status", "Always confirmed";
];

pub static ENCOUNTER: &[ParamDef] = params![
    "patient", Reference, "clinical-patient", "The patient visiting";
    "subject", Reference, "Encounter-subject", "The patient visiting";
    "date", Date, "clinical-date", "The visit's period";
    "status", Token, "Encounter-status", "arrived | in-progress | finished | cancelled";
    "identifier", Token, "clinical-identifier", "Visit number (VN)";
    "practitioner", Reference, "Encounter-practitioner", "The doctor";
    "service-provider", Reference, "Encounter-service-provider", "The branch's Organization";
    "class", Token, "Encounter-class", "v3-ActCode AMB, or VR for telemedicine";
    "type", Token, "clinical-type", "The clinic's visit type (walk_in, appointment, follow_up, telemedicine, emergency)";
    "diagnosis", Reference, "Encounter-diagnosis", "A diagnosis (Condition) made at the visit";
    "appointment", Reference, "Encounter-appointment", "The appointment the visit was booked as";
    "reason-code", Token, "Encounter-reason-code", "The chief complaint, kept as text only: search it with :text";
    "participant", Reference, "Encounter-participant", "The doctor (the visit's one participant)";
    "participant-type", Token, "Encounter-participant-type", "v3-ParticipationType PPRF, when a doctor saw the patient";
];

pub static OBSERVATION: &[ParamDef] = params![
    "patient", Reference, "clinical-patient", "The patient observed";
    "subject", Reference, "Observation-subject", "The patient observed";
    "encounter", Reference, "clinical-encounter", "The visit";
    "category", Token, "Observation-category", "vital-signs | laboratory";
    "code", Token, "clinical-code", "LOINC code (or the clinic's lab code)";
    "date", Date, "clinical-date", "When measured or collected";
    "status", Token, "Observation-status", "registered | preliminary | final | corrected | cancelled";
    "value-quantity", Quantity, "Observation-value-quantity", "The measured value ([prefix]number[|system|code]; a code without a system also matches a lab result's unit)";
    "value-string", String, "Observation-value-string", "A lab result given as text";
    "component-code", Token, "Observation-component-code", "Blood pressure component: LOINC 8480-6 systolic, 8462-4 diastolic";
    "component-value-quantity", Quantity, "Observation-component-value-quantity", "A blood pressure component's value";
    "code-value-quantity", Composite(&[Token, Quantity]), "Observation-code-value-quantity", "code$value-quantity";
    "code-value-string", Composite(&[Token, String]), "Observation-code-value-string", "code$value-string (lab results given as text)";
    "component-code-value-quantity", Composite(&[Token, Quantity]), "Observation-component-code-value-quantity", "component-code$component-value-quantity, on the same component";
    "combo-code", Token, "Observation-combo-code", "The code or a component's code";
    "combo-value-quantity", Quantity, "Observation-combo-value-quantity", "The value or a component's value";
    "combo-code-value-quantity", Composite(&[Token, Quantity]), "Observation-combo-code-value-quantity", "code$value of the observation or of one component";
];

pub static MEDICATION_REQUEST: &[ParamDef] = params![
    "patient", Reference, "clinical-patient", "The patient";
    "subject", Reference, "MedicationRequest-subject", "The patient";
    "encounter", Reference, "medications-encounter", "The visit";
    "status", Token, "medications-status", "active | on-hold | completed | cancelled | stopped";
    "intent", Token, "MedicationRequest-intent", "order";
    "authoredon", Date, "MedicationRequest-authoredon", "When prescribed";
    "requester", Reference, "MedicationRequest-requester", "The prescribing doctor";
    "code", Token, "clinical-code", "TMT or clinic drug code";
];

pub static APPOINTMENT: &[ParamDef] = params![
    "patient", Reference, "Appointment-patient", "The patient";
    "practitioner", Reference, "Appointment-practitioner", "The doctor";
    "location", Reference, "Appointment-location", "The branch";
    "actor", Reference, "Appointment-actor", "Patient, doctor or branch";
    "date", Date, "Appointment-date", "Start time";
    "status", Token, "Appointment-status", "booked | arrived | fulfilled | cancelled | noshow";
    "reason-code", Token, "Appointment-reason-code", "The reason, kept as text only: search it with :text";
    "appointment-type", Token, "Appointment-appointment-type", "The clinic's appointment type, or its v2-0276 code";
    "identifier", Token, "Appointment-identifier", "Queue number";
];

pub static CLAIM: &[ParamDef] = params![
    "patient", Reference, "Claim-patient", "The patient";
    "identifier", Token, "Claim-identifier", "Claim number";
    "status", Token, "Claim-status", "draft | active | cancelled";
    "use", Token, "Claim-use", "claim | preauthorization";
    "created", Date, "Claim-created", "When the claim was created";
    "insurer", Reference, "Claim-insurer", "The insurer's Organization";
    "provider", Reference, "Claim-provider", "The branch's Organization";
    "priority", Token, "Claim-priority", "processpriority normal | stat";
];

pub static DOCUMENT_REFERENCE: &[ParamDef] = params![
    "patient", Reference, "clinical-patient", "The patient";
    "subject", Reference, "DocumentReference-subject", "The patient";
    "encounter", Reference, "clinical-encounter", "The visit";
    "type", Token, "clinical-type", "LOINC 11506-3 progress note | 34108-1 outpatient note";
    "date", Date, "DocumentReference-date", "When written";
    "status", Token, "DocumentReference-status", "current | entered-in-error";
    "author", Reference, "DocumentReference-author", "The doctor";
];

pub static SCHEDULE: &[ParamDef] = params![
    "actor", Reference, "Schedule-actor", "The doctor or the branch's Location";
    "active", Token, "Schedule-active", "Whether the block is in use";
];

pub static SLOT: &[ParamDef] = params![
    "schedule", Reference, "Slot-schedule", "The doctor's weekly block";
    "start", Date, "Slot-start", "Slot start; without it, the next 14 days; at most 93 days at once";
    "status", Token, "Slot-status", "free | busy";
];

pub static AUDIT_EVENT: &[ParamDef] = params![
    "date", Date, "AuditEvent-date", "When the request was received";
    "altid", Token, "AuditEvent-altid", "The client id of the key that made the request";
    "address", String, "AuditEvent-address", "The client's IP address";
    "subtype", Token, "AuditEvent-subtype", "The FHIR interaction (read, search-type, create, ...)";
    "action", Token, "AuditEvent-action", "C | R | U | D | E";
    "outcome", Token, "AuditEvent-outcome", "0 (below HTTP 400) | 4 (4xx) | 8 (5xx)";
    "type", Token, "AuditEvent-type", "rest | DICOM 110114 (token requests)";
    "entity", Reference, "AuditEvent-entity", "A resource the request touched";
    "patient", Reference, "AuditEvent-patient", "A patient the request touched";
];

pub static GROUP: &[ParamDef] = params![
    "type", Token, "Group-type", "person (every panel is of patients)";
    "member", Reference, "Group-member", "A patient of the panel";
];

pub static SUBSCRIPTION: &[ParamDef] = params![
    "status", Token, "Subscription-status", "requested | active | error | off";
    "type", Token, "Subscription-type", "rest-hook (the only channel served)";
    "criteria", String, "Subscription-criteria", "The search the subscription watches";
    "payload", Token, "Subscription-payload", "application/fhir+json (absent: notifications without content)";
];

/// The parameters of `resource_type` beyond the common ones; `None` for a type not searchable.
pub fn for_type(resource_type: &str) -> Option<&'static [ParamDef]> {
    match resource_type {
        "Patient" => Some(PATIENT),
        "Practitioner" => Some(PRACTITIONER),
        "Organization" => Some(ORGANIZATION),
        "Location" => Some(LOCATION),
        "Coverage" => Some(COVERAGE),
        "Condition" => Some(CONDITION),
        "Encounter" => Some(ENCOUNTER),
        "Observation" => Some(OBSERVATION),
        "MedicationRequest" => Some(MEDICATION_REQUEST),
        "Appointment" => Some(APPOINTMENT),
        "Claim" => Some(CLAIM),
        "DocumentReference" => Some(DOCUMENT_REFERENCE),
        "Schedule" => Some(SCHEDULE),
        "Slot" => Some(SLOT),
        "AuditEvent" => Some(AUDIT_EVENT),
        "Group" => Some(GROUP),
        "Subscription" => Some(SUBSCRIPTION),
        _ => None,
    }
}

/// Where the references a reference parameter searches are in a resource (JSON member names
/// from the root, `.`-separated; arrays are walked) and the types they may point to. For
/// `_include`, `_revinclude` and the CapabilityStatement.
pub fn reference_path(resource_type: &str, name: &str) -> Option<(&'static str, &'static [&'static str])> {
    const PATIENT: &[&str] = &["Patient"];
    const ENCOUNTER: &[&str] = &["Encounter"];
    const PRACTITIONER: &[&str] = &["Practitioner"];
    const ORGANIZATION: &[&str] = &["Organization"];
    // What requests touch: every served type.
    const AUDITED: &[&str] = &[
        "Patient",
        "Practitioner",
        "Organization",
        "Location",
        "Coverage",
        "Condition",
        "Encounter",
        "Observation",
        "MedicationRequest",
        "Appointment",
        "Claim",
        "DocumentReference",
        "Schedule",
        "Slot",
        "StructureDefinition",
        "AuditEvent",
        "Group",
        "Subscription",
    ];
    Some(match (resource_type, name) {
        ("Location", "organization") => ("managingOrganization", ORGANIZATION),
        ("Patient", "general-practitioner") => ("generalPractitioner", PRACTITIONER),
        ("Condition", "asserter") => ("asserter", PRACTITIONER),
        ("Patient", "organization") => ("managingOrganization", ORGANIZATION),
        ("Encounter", "diagnosis") => ("diagnosis.condition", &["Condition"]),
        ("Encounter", "appointment") => ("appointment", &["Appointment"]),
        ("Coverage", "patient" | "beneficiary") => ("beneficiary", PATIENT),
        ("Coverage", "payor") => ("payor", ORGANIZATION),
        (
            "Condition" | "Encounter" | "Observation" | "MedicationRequest" | "DocumentReference",
            "patient" | "subject",
        ) => ("subject", PATIENT),
        ("Condition" | "Observation" | "MedicationRequest", "encounter") => ("encounter", ENCOUNTER),
        ("DocumentReference", "encounter") => ("context.encounter", ENCOUNTER),
        ("Encounter", "practitioner" | "participant") => ("participant.individual", PRACTITIONER),
        ("Encounter", "service-provider") => ("serviceProvider", ORGANIZATION),
        ("MedicationRequest", "requester") => ("requester", PRACTITIONER),
        ("Appointment", "patient") => ("participant.actor", PATIENT),
        ("Appointment", "practitioner") => ("participant.actor", PRACTITIONER),
        ("Appointment", "location") => ("participant.actor", &["Location"]),
        ("Appointment", "actor") => ("participant.actor", &["Patient", "Practitioner", "Location"]),
        ("Claim", "patient") => ("patient", PATIENT),
        ("Claim", "insurer") => ("insurer", ORGANIZATION),
        ("Claim", "provider") => ("provider", ORGANIZATION),
        ("DocumentReference", "author") => ("author", PRACTITIONER),
        ("Schedule", "actor") => ("actor", &["Practitioner", "Location"]),
        ("Slot", "schedule") => ("schedule", &["Schedule"]),
        ("AuditEvent", "entity") => ("entity.what", AUDITED),
        ("AuditEvent", "patient") => ("entity.what", PATIENT),
        ("Group", "member") => ("member.entity", PATIENT),
        _ => return None,
    })
}

/// Looks a parameter up by name for a resource type.
pub fn find(resource_type: &str, name: &str) -> Option<&'static ParamDef> {
    COMMON.iter().chain(for_type(resource_type).unwrap_or_default()).find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "http://hl7.org/fhir/SearchParameter/";

    #[test]
    fn every_reference_parameter_has_a_path_for_include() {
        for resource_type in ["Patient", "Practitioner", "Organization", "Location", "Coverage", "Condition"]
            .into_iter()
            .chain([
                "Encounter",
                "Observation",
                "MedicationRequest",
                "Appointment",
                "Claim",
                "DocumentReference",
            ])
            .chain(["Schedule", "Slot", "AuditEvent", "Group"])
        {
            for p in for_type(resource_type).unwrap().iter().filter(|p| p.kind == ParamType::Reference) {
                assert!(reference_path(resource_type, p.name).is_some(), "{resource_type}.{}", p.name);
            }
        }
    }

    #[test]
    fn definitions_point_at_the_specification() {
        let every = [PATIENT, PRACTITIONER, ORGANIZATION, LOCATION, COVERAGE, CONDITION, ENCOUNTER]
            .into_iter()
            .chain([OBSERVATION, MEDICATION_REQUEST, APPOINTMENT, CLAIM, DOCUMENT_REFERENCE, SCHEDULE, SLOT])
            .chain([AUDIT_EVENT, GROUP, SUBSCRIPTION])
            .flatten();
        for p in COMMON.iter().chain(every) {
            assert!(p.definition.starts_with(SPEC), "{}", p.name);
        }
        assert_eq!(find("Patient", "birthdate").unwrap().kind, ParamType::Date);
        assert!(find("Patient", "colour").is_none());
    }
}

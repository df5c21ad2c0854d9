//! What the clinic maps of each served type: the source of the generated profiles. Each list
//! is checked against what the mapping really produces over seeded data (tests/api).

/// A clinic profile: the base type's top-level elements the facade maps.
#[derive(Debug)]
pub struct ProfileSpec {
    pub resource_type: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// Base element names (`deceased[x]` for choices) the facade reads and writes.
    pub elements: &'static [&'static str],
    /// Choice elements limited to some of their types.
    pub choices: &'static [(&'static str, &'static [&'static str])],
    /// The identifier and code systems an element uses, as the profile's comment on it.
    pub notes: &'static [(&'static str, &'static str)],
}

impl ProfileSpec {
    /// `clinic-medication-request` for MedicationRequest.
    pub fn id(&self) -> String {
        let mut id = String::from("clinic");
        for c in self.resource_type.chars() {
            if c.is_ascii_uppercase() {
                id.push('-');
            }
            id.push(c.to_ascii_lowercase());
        }
        id
    }
}

pub const PROFILES: [ProfileSpec; 17] = [
    ProfileSpec {
        resource_type: "Patient",
        title: "Patient as the clinic keeps it",
        description: "A patients row: HN, Thai citizen ID, passport, Thai and English names, contact, address, registration.",
        elements: &[
            "extension",
            "identifier",
            "active",
            "name",
            "telecom",
            "gender",
            "birthDate",
            "deceased[x]",
            "address",
            "generalPractitioner",
            "managingOrganization",
        ],
        choices: &[("deceased[x]", &["boolean", "dateTime"])],
        notes: &[
            (
                "identifier",
                "HN (the deployment's HN system, type MR); Thai citizen ID https://terms.sil-th.org/id/th-cid \
                 (checksum verified); passports http://hl7.org/fhir/sid/passport-XXX (ISO 3166 alpha-3); \
                 MOPH Connect user id https://connect.moph.go.th/fhir/sid/user-id.",
            ),
            (
                "name",
                "At most one Thai and one English name, told apart by the language extension or script.",
            ),
            ("extension", "http://hl7.org/fhir/StructureDefinition/patient-nationality only."),
            ("birthDate", "A full date (YYYY-MM-DD)."),
        ],
    },
    ProfileSpec {
        resource_type: "Practitioner",
        title: "Practitioner from the clinic's doctors (read-only)",
        description: "A doctors row: licence number, Thai and English names, specialty.",
        elements: &["identifier", "active", "name", "telecom", "gender", "qualification"],
        choices: &[],
        notes: &[(
            "identifier",
            "Thai Medical Council licence https://terms.sil-th.org/id/th-doctor-id; Dental Council \
             https://terms.sil-th.org/id/th-dentist-id.",
        )],
    },
    ProfileSpec {
        resource_type: "Organization",
        title: "Organization from the clinic's branches and insurers (read-only)",
        description: "A branches row (id = row key) or an insurers row (id = insurer-<row key>).",
        elements: &["identifier", "active", "type", "name", "alias", "telecom", "address"],
        choices: &[],
        notes: &[(
            "identifier",
            "Branch code https://clinic.example.th/fhir/sid/branch-code; MOPH health facility code \
             https://terms.sil-th.org/id/th-moph-hcode; insurer code https://clinic.example.th/fhir/sid/insurer-code.",
        )],
    },
    ProfileSpec {
        resource_type: "Location",
        title: "Location from the clinic's branches (read-only)",
        description: "A branches row as a place of care.",
        elements: &[
            "identifier",
            "status",
            "name",
            "alias",
            "mode",
            "type",
            "telecom",
            "address",
            "managingOrganization",
        ],
        choices: &[],
        notes: &[],
    },
    ProfileSpec {
        resource_type: "Coverage",
        title: "Coverage from the patients' rights to treatment (read-only)",
        description: "A patient_coverages row: Thai scheme (UCS, SSS, OFC, LGO, private, self-pay), insurer, member number.",
        elements: &[
            "extension",
            "identifier",
            "status",
            "type",
            "subscriberId",
            "beneficiary",
            "period",
            "payor",
            "class",
        ],
        choices: &[],
        notes: &[("type", "https://clinic.example.th/fhir/CodeSystem/insurance-scheme.")],
    },
    ProfileSpec {
        resource_type: "Condition",
        title: "Condition from the visits' ICD-10 diagnoses (read-only)",
        description: "A diagnoses row: ICD-10 code and the Thai OPD diagnosis type.",
        elements: &[
            "clinicalStatus",
            "verificationStatus",
            "category",
            "code",
            "subject",
            "encounter",
            "recordedDate",
            "asserter",
        ],
        choices: &[],
        notes: &[("code", "ICD-10 http://hl7.org/fhir/sid/icd-10, with the dot (E11.9).")],
    },
    ProfileSpec {
        resource_type: "Encounter",
        title: "Encounter from the clinic's OPD visits",
        description: "A visits row with its diagnoses (restated, recorded by the clinic).",
        elements: &[
            "extension",
            "identifier",
            "status",
            "class",
            "type",
            "priority",
            "subject",
            "participant",
            "appointment",
            "period",
            "reasonCode",
            "diagnosis",
            "serviceProvider",
        ],
        choices: &[],
        notes: &[
            ("identifier", "Visit number https://clinic.example.th/fhir/sid/vn (assigned when absent)."),
            ("class", "AMB, or VR for telemedicine (v3-ActCode)."),
        ],
    },
    ProfileSpec {
        resource_type: "Observation",
        title: "Observation from vital signs and lab results",
        description: "One measurement of a vital_signs row (per the R4 vital-signs profiles) or a lab_results row.",
        elements: &[
            "status",
            "category",
            "code",
            "subject",
            "encounter",
            "effective[x]",
            "issued",
            "value[x]",
            "interpretation",
            "referenceRange",
            "component",
        ],
        choices: &[("effective[x]", &["dateTime"]), ("value[x]", &["Quantity", "string"])],
        notes: &[(
            "code",
            "LOINC http://loinc.org; lab tests also https://clinic.example.th/fhir/CodeSystem/lab-test.",
        )],
    },
    ProfileSpec {
        resource_type: "MedicationRequest",
        title: "MedicationRequest from the clinic's prescriptions",
        description: "A prescriptions row with its drug from the clinic catalogue.",
        elements: &[
            "extension",
            "status",
            "intent",
            "medication[x]",
            "subject",
            "encounter",
            "authoredOn",
            "requester",
            "dosageInstruction",
            "dispenseRequest",
        ],
        choices: &[("medication[x]", &["CodeableConcept"])],
        notes: &[(
            "medication[x]",
            "TMT http://tmt.this.or.th and/or the clinic drug code https://clinic.example.th/fhir/CodeSystem/drug.",
        )],
    },
    ProfileSpec {
        resource_type: "Appointment",
        title: "Appointment from the clinic's bookings",
        description: "An appointments row; delete cancels it.",
        elements: &[
            "identifier",
            "status",
            "appointmentType",
            "reasonCode",
            "start",
            "end",
            "minutesDuration",
            "created",
            "comment",
            "participant",
        ],
        choices: &[],
        notes: &[],
    },
    ProfileSpec {
        resource_type: "Claim",
        title: "Claim from the clinic's insurance claims",
        description: "A claims row with its items, in Thai baht.",
        elements: &[
            "extension",
            "identifier",
            "status",
            "type",
            "use",
            "patient",
            "created",
            "insurer",
            "provider",
            "priority",
            "diagnosis",
            "insurance",
            "item",
            "total",
        ],
        choices: &[],
        notes: &[("diagnosis", "ICD-10 http://hl7.org/fhir/sid/icd-10, restating the visit's diagnoses.")],
    },
    ProfileSpec {
        resource_type: "DocumentReference",
        title: "DocumentReference from the clinic's SOAP notes",
        description: "A clinical_notes row as a text/plain SOAP note; delete retracts it.",
        elements: &["status", "docStatus", "type", "subject", "date", "author", "content", "context"],
        choices: &[],
        notes: &[("type", "LOINC 11506-3 (progress note) or 34108-1 (outpatient note).")],
    },
    ProfileSpec {
        resource_type: "Schedule",
        title: "Schedule from the doctors' weekly consulting blocks (read-only)",
        description: "A doctor_schedules row.",
        elements: &["active", "actor", "planningHorizon", "comment"],
        choices: &[],
        notes: &[],
    },
    ProfileSpec {
        resource_type: "Slot",
        title: "Slot computed from schedules and bookings (read-only)",
        description: "A piece of a weekly block on one date; busy when a live appointment starts in it.",
        elements: &["schedule", "status", "start", "end"],
        choices: &[],
        notes: &[],
    },
    ProfileSpec {
        resource_type: "AuditEvent",
        title: "AuditEvent from the facade's audit trail (read-only)",
        description: "A fhir_audit_events row: one request (allowed or refused) with its client, address, \
                      interaction, the resources it touched and its HTTP status.",
        elements: &[
            "type",
            "subtype",
            "action",
            "recorded",
            "outcome",
            "outcomeDesc",
            "agent",
            "source",
            "entity",
        ],
        choices: &[],
        notes: &[
            (
                "type",
                "http://terminology.hl7.org/CodeSystem/audit-event-type rest; OAuth token requests \
                 http://dicom.nema.org/resources/ontology/DCM 110114.",
            ),
            ("subtype", "http://hl7.org/fhir/restful-interaction, when the request was a FHIR interaction."),
            ("agent", "The requesting client: altId is its client id (absent without a valid token)."),
            ("entity", "Each Type/id touched; a request that touched none names its resource type alone."),
        ],
    },
    ProfileSpec {
        resource_type: "Group",
        title: "Group: a doctor's or a branch's patient panel (read-only)",
        description: "The patients with a visit or appointment with a doctor (id doctor-<row key>) or at a \
                      branch (id branch-<row key>), computed from visits and appointments; for Group/[id]/$export.",
        elements: &["active", "type", "actual", "name", "quantity", "managingEntity", "member"],
        choices: &[],
        notes: &[("type", "Always person."), ("member", "Patient references only, without period.")],
    },
    ProfileSpec {
        resource_type: "Subscription",
        title: "Subscription: a rest-hook webhook (the facade's own table)",
        description: "Changes made through this server that match criteria are POSTed to channel.endpoint, signed \
                      with HMAC-SHA256 (Subscription/[id]/$signing-secret), retried 5 times, then status error.",
        elements: &["extension", "status", "contact", "end", "reason", "criteria", "error", "channel"],
        choices: &[],
        notes: &[
            (
                "extension",
                "subscription-owner: the client id of the key that last wrote it (set by the server).",
            ),
            ("status", "requested is stored as active; error is set by the server only; delete sets off."),
            ("criteria", "A search of a type clients write, which the owner's key may run."),
            (
                "channel",
                "rest-hook only; endpoint http(s); payload application/fhir+json or absent; header 'Name: value'.",
            ),
        ],
    },
];

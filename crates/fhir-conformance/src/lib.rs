//! What the facade conforms to. The official R4 base StructureDefinitions of the served types
//! are bundled (from `fhir-profiles/base/`), and one clinic profile per type is generated from
//! its base and the elements the clinic maps: those are mustSupport, every other top-level
//! element is `max 0`. The generated profiles are also committed under `fhir-profiles/` (a test
//! keeps them current) so integrators can read them without running the server.

mod specs;

use std::collections::HashMap;
use std::sync::OnceLock;

use fhir_outcome::{Issue, IssueType};
use serde_json::{Map, Value, json};

pub use specs::{PROFILES, ProfileSpec};

/// Where the clinic profiles are published.
pub const PROFILE_BASE: &str = "https://clinic.example.th/fhir/StructureDefinition/";

/// The official R4 definitions of the served types, unchanged.
const BASE_DEFINITIONS: [(&str, &str); 17] = [
    ("Patient", include_str!("../../../fhir-profiles/base/StructureDefinition-Patient.json")),
    ("Practitioner", include_str!("../../../fhir-profiles/base/StructureDefinition-Practitioner.json")),
    ("Organization", include_str!("../../../fhir-profiles/base/StructureDefinition-Organization.json")),
    ("Location", include_str!("../../../fhir-profiles/base/StructureDefinition-Location.json")),
    ("Coverage", include_str!("../../../fhir-profiles/base/StructureDefinition-Coverage.json")),
    ("Condition", include_str!("../../../fhir-profiles/base/StructureDefinition-Condition.json")),
    ("Encounter", include_str!("../../../fhir-profiles/base/StructureDefinition-Encounter.json")),
    ("Observation", include_str!("../../../fhir-profiles/base/StructureDefinition-Observation.json")),
    (
        "MedicationRequest",
        include_str!("../../../fhir-profiles/base/StructureDefinition-MedicationRequest.json"),
    ),
    ("Appointment", include_str!("../../../fhir-profiles/base/StructureDefinition-Appointment.json")),
    ("Claim", include_str!("../../../fhir-profiles/base/StructureDefinition-Claim.json")),
    (
        "DocumentReference",
        include_str!("../../../fhir-profiles/base/StructureDefinition-DocumentReference.json"),
    ),
    ("Schedule", include_str!("../../../fhir-profiles/base/StructureDefinition-Schedule.json")),
    ("Slot", include_str!("../../../fhir-profiles/base/StructureDefinition-Slot.json")),
    ("AuditEvent", include_str!("../../../fhir-profiles/base/StructureDefinition-AuditEvent.json")),
    ("Group", include_str!("../../../fhir-profiles/base/StructureDefinition-Group.json")),
    ("Subscription", include_str!("../../../fhir-profiles/base/StructureDefinition-Subscription.json")),
];

/// Elements every resource has that a profile of this facade does not constrain.
const UNCONSTRAINED: [&str; 3] = ["id", "meta", "text"];

/// A top-level element of a base definition.
#[derive(Debug, Clone)]
pub struct BaseElement {
    /// As the definition names it: `gender`, `deceased[x]`.
    pub name: String,
    pub min: u64,
    pub summary: bool,
}

/// The top-level elements of `resource_type`'s base definition, in definition order.
pub fn base_elements(resource_type: &str) -> Option<&'static [BaseElement]> {
    static PARSED: OnceLock<HashMap<&'static str, Vec<BaseElement>>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        BASE_DEFINITIONS
            .iter()
            .map(|(resource_type, json)| {
                let definition: Value = serde_json::from_str(json).expect("a bundled StructureDefinition");
                let prefix = format!("{resource_type}.");
                let elements = definition["snapshot"]["element"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|e| {
                        let name = e["path"].as_str()?.strip_prefix(&prefix)?;
                        (!name.contains('.')).then(|| BaseElement {
                            name: name.to_owned(),
                            min: e["min"].as_u64().unwrap_or(0),
                            summary: e["isSummary"] == true,
                        })
                    })
                    .collect();
                (*resource_type, elements)
            })
            .collect()
    });
    parsed.get(resource_type).map(Vec::as_slice)
}

pub fn spec(resource_type: &str) -> Option<&'static ProfileSpec> {
    PROFILES.iter().find(|p| p.resource_type == resource_type)
}

/// The canonical URL of the clinic profile of `resource_type`.
pub fn profile_url(resource_type: &str) -> Option<String> {
    spec(resource_type).map(|spec| format!("{PROFILE_BASE}{}", spec.id()))
}

/// The base element of `resource_type` a resource's JSON member is.
pub fn base_element(resource_type: &str, member: &str) -> Option<&'static BaseElement> {
    element_of(base_elements(resource_type)?, member)
}

/// The base element a resource's JSON member is: `valueQuantity` is `value[x]`.
fn element_of<'b>(base: &'b [BaseElement], member: &str) -> Option<&'b BaseElement> {
    base.iter().find(|e| match e.name.strip_suffix("[x]") {
        Some(choice) => {
            member.strip_prefix(choice).is_some_and(|t| t.starts_with(|c: char| c.is_ascii_uppercase()))
        }
        None => e.name == member,
    })
}

/// The generated clinic profile of `spec.resource_type`.
pub fn structure_definition(spec: &ProfileSpec) -> Value {
    let resource_type = spec.resource_type;
    let base = base_elements(resource_type).unwrap_or_default();
    let mut elements = vec![json!({"id": resource_type, "path": resource_type, "short": spec.title})];
    for element in base.iter().filter(|e| !UNCONSTRAINED.contains(&e.name.as_str())) {
        let path = format!("{resource_type}.{}", element.name);
        let mut differential = Map::new();
        differential.insert("id".into(), json!(path));
        differential.insert("path".into(), json!(path));
        if spec.elements.contains(&element.name.as_str()) {
            if let Some((_, comment)) = spec.notes.iter().find(|(name, _)| *name == element.name) {
                differential.insert("comment".into(), json!(comment));
            }
            if let Some((_, types)) = spec.choices.iter().find(|(name, _)| *name == element.name) {
                differential.insert("type".into(), types.iter().map(|code| json!({"code": code})).collect());
            }
            differential.insert("mustSupport".into(), json!(true));
        } else {
            differential.insert("max".into(), json!("0"));
        }
        elements.push(Value::Object(differential));
    }
    json!({
        "resourceType": "StructureDefinition",
        "id": spec.id(),
        "url": format!("{PROFILE_BASE}{}", spec.id()),
        "version": env!("CARGO_PKG_VERSION"),
        "name": format!("Clinic{resource_type}"),
        "title": spec.title,
        "status": "active",
        "publisher": "clinic-fhir",
        "description": spec.description,
        "fhirVersion": "4.0.1",
        "kind": "resource",
        "abstract": false,
        "type": resource_type,
        "baseDefinition": format!("http://hl7.org/fhir/StructureDefinition/{resource_type}"),
        "derivation": "constraint",
        "differential": {"element": elements},
    })
}

/// Where `resource` departs from its clinic profile: elements the profile forbids (max 0),
/// choice types it does not allow, and required elements that are missing.
pub fn profile_issues(resource: &Value) -> Vec<Issue> {
    let Some(resource_type) = resource["resourceType"].as_str() else {
        return vec![Issue::error(IssueType::Required, "resourceType is required").at("resourceType")];
    };
    let (Some(spec), Some(base)) = (spec(resource_type), base_elements(resource_type)) else {
        return vec![
            Issue::error(IssueType::NotSupported, format!("{resource_type} is not served here"))
                .at("resourceType"),
        ];
    };
    let mut issues = Vec::new();
    let members = resource.as_object().into_iter().flatten();
    for (member, _) in members.filter(|(m, _)| *m != "resourceType") {
        let path = format!("{resource_type}.{member}");
        let Some(element) = element_of(base, member) else {
            issues.push(
                Issue::error(IssueType::Structure, format!("{path} is not an element of {resource_type}"))
                    .at(path),
            );
            continue;
        };
        if UNCONSTRAINED.contains(&element.name.as_str()) {
            continue;
        }
        if !spec.elements.contains(&element.name.as_str()) {
            issues.push(
                Issue::error(
                    IssueType::NotSupported,
                    format!("{path} is not kept by this server (max 0 in its profile)"),
                )
                .at(path),
            );
        } else if let Some((choice, types)) = spec.choices.iter().find(|(name, _)| *name == element.name) {
            let prefix = choice.trim_end_matches("[x]");
            let given = member.trim_start_matches(prefix);
            if !types.iter().any(|t| t.eq_ignore_ascii_case(given)) {
                issues.push(
                    Issue::error(
                        IssueType::NotSupported,
                        format!("{path}: {choice} may only be {}", types.join(" or ")),
                    )
                    .at(path),
                );
            }
        }
    }
    for element in base.iter().filter(|e| e.min > 0) {
        let present = resource
            .as_object()
            .into_iter()
            .flatten()
            .any(|(member, _)| element_of(base, member).is_some_and(|found| found.name == element.name));
        if !present {
            let path = format!("{resource_type}.{}", element.name.trim_end_matches("[x]"));
            issues.push(Issue::error(IssueType::Required, format!("{path} is required")).at(path));
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed profiles under `fhir-profiles/` are what the server serves. After changing
    /// a spec, regenerate them with `CLINIC_FHIR_WRITE_PROFILES=1 cargo test -p fhir-conformance`.
    #[test]
    fn committed_profiles_are_current() {
        let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fhir-profiles");
        let write = std::env::var_os("CLINIC_FHIR_WRITE_PROFILES").is_some();
        for spec in PROFILES {
            let path = directory.join(format!("StructureDefinition-{}.json", spec.id()));
            let generated = serde_json::to_string_pretty(&structure_definition(&spec)).unwrap() + "\n";
            if write {
                std::fs::write(&path, &generated).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(committed == generated, "{} is stale: regenerate it (see this test)", path.display());
        }
    }

    #[test]
    fn every_profile_names_only_elements_of_its_base() {
        for spec in PROFILES {
            let base = base_elements(spec.resource_type).expect("a bundled base definition");
            for element in spec.elements.iter().chain(spec.notes.iter().map(|(e, _)| e)) {
                assert!(base.iter().any(|b| b.name == *element), "{}.{element}", spec.resource_type);
            }
            for (element, _) in spec.choices {
                assert!(element.ends_with("[x]") && spec.elements.contains(element), "{element}");
            }
        }
    }

    #[test]
    fn forbidden_required_and_choice_elements_are_named() {
        let issues = profile_issues(&json!({
            "resourceType": "Patient",
            "photo": [{"url": "x"}],
            "multipleBirthBoolean": true,
            "deceasedBoolean": false,
        }));
        let paths: Vec<&str> = issues.iter().flat_map(|i| i.expression.iter()).map(String::as_str).collect();
        assert_eq!(paths, ["Patient.photo", "Patient.multipleBirthBoolean"]);
        let issues = profile_issues(&json!({"resourceType": "Slot", "status": "free"}));
        let paths: Vec<&str> = issues.iter().flat_map(|i| i.expression.iter()).map(String::as_str).collect();
        assert_eq!(paths, ["Slot.schedule", "Slot.start", "Slot.end"]);
    }

    #[test]
    fn summary_flags_and_choice_members_come_from_the_specification() {
        for summary in ["identifier", "name", "gender", "birthDate", "address"] {
            assert!(base_element("Patient", summary).unwrap().summary, "{summary}");
        }
        assert!(base_element("Patient", "deceasedDateTime").unwrap().summary);
        assert!(!base_element("Patient", "contact").unwrap().summary);
        assert!(base_element("Patient", "deceased").is_none());
    }

    #[test]
    fn profiles_constrain_every_top_level_element_of_the_base() {
        let profile = structure_definition(spec("Patient").unwrap());
        let differential = profile["differential"]["element"].as_array().unwrap();
        let photo = differential.iter().find(|e| e["path"] == "Patient.photo").unwrap();
        assert_eq!(photo["max"], "0");
        let gender = differential.iter().find(|e| e["path"] == "Patient.gender").unwrap();
        assert_eq!(gender["mustSupport"], true);
        assert_eq!(profile["url"], "https://clinic.example.th/fhir/StructureDefinition/clinic-patient");
    }
}

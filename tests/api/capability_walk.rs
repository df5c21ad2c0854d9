//! The CapabilityStatement says exactly what the server does: every interaction and search
//! parameter it advertises is exercised here, and an advertised one without an exercise fails.

use serde_json::{Value, json};

use crate::app::{TestApp, json_of, somchai};
use crate::on_both_backends;

on_both_backends!(everything_advertised_works);

/// The order interactions are exercised in: each may use what an earlier one made.
const EXERCISED: [&str; 9] = [
    "create",
    "read",
    "vread",
    "update",
    "patch",
    "search-type",
    "history-instance",
    "history-type",
    "delete",
];

/// A resource to create of each type clients may write: a Patient as an HIS sends one, or a
/// copy of a seeded resource without what makes it that resource (id, identifiers) or, for an
/// Encounter, what only the clinic records (diagnoses; a Claim restates its visit's).
async fn sample(app: &TestApp, resource_type: &str) -> Value {
    if resource_type == "Patient" {
        // With every element a Patient search parameter looks at.
        let mut patient = somchai();
        patient["telecom"]
            .as_array_mut()
            .unwrap()
            .push(json!({"system": "email", "value": "somchai@example.th"}));
        patient["deceasedDateTime"] = json!("2026-01-02T03:04:05+07:00");
        let (_, doctors) = app.get("Practitioner?_count=1").await;
        let doctor = doctors["entry"][0]["resource"]["id"].as_str().unwrap();
        patient["generalPractitioner"] = json!([{"reference": format!("Practitioner/{doctor}")}]);
        let (_, encounters) = app.get("Encounter?_count=1").await;
        patient["managingOrganization"] = encounters["entry"][0]["resource"]["serviceProvider"].clone();
        return patient;
    }
    // The first Observation may be a BMI ('bmi' sorts first among a row's vital signs), which
    // is derived and cannot be created: a weight can.
    let criteria = if resource_type == "Observation" { "code=http://loinc.org|29463-7&" } else { "" };
    let (_, bundle) = app.get(&format!("{resource_type}?{criteria}_count=1")).await;
    let mut resource = bundle["entry"][0]["resource"].clone();
    let members = resource.as_object_mut().unwrap_or_else(|| panic!("the seed has no {resource_type}"));
    for own in ["id", "meta", "identifier"] {
        members.remove(own);
    }
    if resource_type == "Encounter" {
        members.remove("diagnosis");
    }
    resource
}

/// A resource of a type clients cannot create, as the clinic (or, for AuditEvent, the walk so
/// far) made it. The AuditEvent has every element its parameters search: a read of a Patient
/// (Patient is walked first); the Group has members.
async fn existing(app: &TestApp, resource_type: &str) -> Value {
    let criteria = match resource_type {
        "AuditEvent" => "subtype=read&_count=100",
        "Group" => "_count=100",
        _ => "_count=1",
    };
    let (status, bundle) = app.get(&format!("{resource_type}?{criteria}")).await;
    assert_eq!(status, 200, "{bundle}");
    let reads_a_patient =
        |r: &Value| r["entity"][0]["what"]["reference"].as_str().is_some_and(|w| w.starts_with("Patient/"));
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| entry["resource"].clone())
        .find(|r| match resource_type {
            "AuditEvent" => reads_a_patient(r),
            // A panel with patients, to export them.
            "Group" => r["quantity"].as_u64().is_some_and(|n| n > 0),
            _ => true,
        })
        .unwrap_or(Value::Null)
}

/// Where in a resource of `resource_type` a value of search parameter `name` is found.
fn element_of(resource_type: &str, name: &str) -> &'static str {
    match (resource_type, name) {
        (_, "identifier") => "/identifier/0",
        ("Patient" | "Practitioner", "name" | "family") => "/name/0/family",
        ("Patient" | "Practitioner", "phone" | "telecom") => "/telecom/0",
        // The walked doctor has a phone (given below), listed before the e-mail address.
        ("Patient" | "Practitioner", "email") => "/telecom/1",
        ("Patient", "address") => "/address/0/state",
        ("Patient", "address-city") => "/address/0/city",
        ("Patient", "address-state") => "/address/0/state",
        ("Patient", "address-postalcode") => "/address/0/postalCode",
        ("Patient", "general-practitioner") => "/generalPractitioner/0",
        ("Patient", "organization") => "/managingOrganization",
        ("Patient", "deceased" | "death-date") => "/deceasedDateTime",
        ("Encounter", "class") => "/class",
        ("Encounter", "type") => "/type/0/coding/0",
        ("Encounter", "diagnosis") => "/diagnosis/0/condition",
        ("Encounter", "appointment") => "/appointment/0",
        ("Encounter" | "Appointment", "reason-code") => "/reasonCode/0",
        ("Appointment", "appointment-type") => "/appointmentType/coding/0",
        ("Location", "address" | "address-state") => "/address/state",
        ("Location", "address-city") => "/address/city",
        ("Location", "address-postalcode") => "/address/postalCode",
        ("Organization", "address" | "address-state") => "/address/0/state",
        ("Organization", "address-city") => "/address/0/city",
        ("Organization", "address-postalcode") => "/address/0/postalCode",
        ("Claim", "priority") => "/priority/coding/0",
        ("Coverage", "type") => "/type/coding/0",
        ("Coverage", "class-type") => "/class/0/type/coding/0",
        ("Coverage", "class-value") => "/class/0/value",
        ("Condition", "asserter") => "/asserter",
        ("Condition", "clinical-status") => "/clinicalStatus/coding/0",
        ("Condition", "verification-status") => "/verificationStatus/coding/0",
        ("Encounter", "participant") => "/participant/0/individual",
        ("Encounter", "participant-type") => "/participant/0/type/0/coding/0",
        ("Location" | "Organization", "type") => "/type/0/coding/0",
        ("Condition", "category") => "/category/1/coding/0",
        ("Observation", "value-quantity" | "combo-value-quantity") => "/valueQuantity",
        ("Observation", "value-string") => "/valueString",
        ("Observation", "component-code") => "/component/0/code/coding/0",
        ("Observation", "component-value-quantity") => "/component/0/valueQuantity",
        ("Observation", "combo-code") => "/code/coding/0",
        ("Patient" | "Practitioner", "given") => "/name/0/given/0",
        ("Patient", "birthdate") => "/birthDate",
        (_, "gender") => "/gender",
        (_, "active") => "/active",
        (_, "status") => "/status",
        ("Organization" | "Location", "name") => "/name",
        ("Location", "organization") => "/managingOrganization",
        ("Coverage", "patient" | "beneficiary") => "/beneficiary",
        ("Coverage", "payor") => "/payor/0",
        ("Condition", "patient" | "subject") => "/subject",
        ("Condition", "encounter") => "/encounter",
        ("Condition", "code") => "/code/coding/0",
        ("Condition", "recorded-date") => "/recordedDate",
        ("Schedule", "actor") => "/actor/0",
        ("Encounter" | "MedicationRequest" | "DocumentReference", "patient" | "subject") => "/subject",
        ("MedicationRequest", "encounter") => "/encounter",
        ("Appointment", "patient" | "actor") => "/participant/0/actor",
        ("Appointment", "practitioner") => "/participant/1/actor",
        ("Appointment", "location") => "/participant/2/actor",
        ("Appointment", "date") => "/start",
        ("MedicationRequest", "intent") => "/intent",
        ("MedicationRequest", "authoredon") => "/authoredOn",
        ("MedicationRequest", "requester") => "/requester",
        ("MedicationRequest", "code") => "/medicationCodeableConcept/coding/0",
        ("Encounter", "date") => "/period/start",
        ("Encounter", "practitioner") => "/participant/0/individual",
        ("Encounter", "service-provider") => "/serviceProvider",
        ("Claim", "patient") => "/patient",
        ("Claim", "use") => "/use",
        ("Claim", "created") => "/created",
        ("Claim", "insurer") => "/insurer",
        ("Claim", "provider") => "/provider",
        ("DocumentReference", "encounter") => "/context/encounter/0",
        ("DocumentReference", "type") => "/type/coding/0",
        ("DocumentReference", "date") => "/date",
        ("DocumentReference", "author") => "/author/0",
        ("Observation", "patient" | "subject") => "/subject",
        ("Observation", "encounter") => "/encounter",
        ("Observation", "category") => "/category/0/coding/0",
        ("Observation", "code") => "/code/coding/0",
        ("Observation", "date") => "/effectiveDateTime",
        ("Slot", "schedule") => "/schedule",
        ("Slot", "start") => "/start",
        ("StructureDefinition", "url") => "/url",
        ("AuditEvent", "date") => "/recorded",
        ("AuditEvent", "altid") => "/agent/0/altId",
        ("AuditEvent", "address") => "/agent/0/network/address",
        ("AuditEvent", "subtype") => "/subtype/0",
        ("AuditEvent", "action") => "/action",
        ("AuditEvent", "outcome") => "/outcome",
        ("AuditEvent", "type") => "/type",
        ("AuditEvent", "entity" | "patient") => "/entity/0/what",
        ("Group", "type") => "/type",
        ("Group", "member") => "/member/0/entity",
        ("Subscription", "type") => "/channel/type",
        ("Subscription", "criteria") => "/criteria",
        ("Subscription", "payload") => "/channel/payload",
        (t, n) => panic!("{t} advertises search parameter '{n}': say where its value is here"),
    }
}

/// Where the parts of a composite search parameter's value are and their types, one per
/// component.
fn components_of(resource_type: &str, name: &str) -> [(&'static str, &'static str); 2] {
    match (resource_type, name) {
        ("Observation", "code-value-quantity" | "combo-code-value-quantity") => {
            [("/code/coding/0", "token"), ("/valueQuantity", "quantity")]
        }
        ("Observation", "code-value-string") => [("/code/coding/0", "token"), ("/valueString", "string")],
        ("Observation", "component-code-value-quantity") => {
            [("/component/0/code/coding/0", "token"), ("/component/0/valueQuantity", "quantity")]
        }
        (t, n) => panic!("{t} advertises composite search parameter '{n}': say where its parts are here"),
    }
}

/// The elements a value of search parameter `name` (of `kind`) is made from.
fn elements_of<'a>(resource_type: &str, name: &str, kind: &'a str) -> Vec<(&'static str, &'a str)> {
    match (name, kind) {
        ("_id" | "_lastUpdated", _) => Vec::new(),
        (_, "composite") => components_of(resource_type, name).to_vec(),
        _ => vec![(element_of(resource_type, name), kind)],
    }
}

/// The parameter (with a modifier where one is needed) and a value of it that match
/// `resource`; `None` when the resource has no such element.
fn matching_value(resource_type: &str, name: &str, kind: &str, resource: &Value) -> Option<(String, String)> {
    match name {
        "_id" => return Some((name.to_owned(), resource["id"].as_str().unwrap().to_owned())),
        "_lastUpdated" => {
            let day = &resource["meta"]["lastUpdated"].as_str().unwrap()[..10];
            return Some((name.to_owned(), format!("ge{day}")));
        }
        _ => {}
    }
    let elements = elements_of(resource_type, name, kind);
    if let [(pointer, "token")] = elements[..] {
        // A concept kept as text only is found by its text.
        let concept = resource.pointer(pointer)?;
        if concept.get("coding").is_none() && concept.get("text").is_some() {
            return Some((format!("{name}:text"), value_of(name, "string", &concept["text"])));
        }
    }
    let parts = elements
        .into_iter()
        .map(|(pointer, kind)| resource.pointer(pointer).map(|element| value_of(name, kind, element)))
        .collect::<Option<Vec<String>>>()?;
    Some((name.to_owned(), parts.join("$")))
}

/// A search value of `kind` matching `element`.
fn value_of(name: &str, kind: &str, element: &Value) -> String {
    match (kind, element) {
        ("reference", element) => element["reference"].as_str().unwrap().to_owned(),
        // Patient.deceased is a boolean or the time of death.
        ("token", Value::String(_)) if name == "deceased" => "true".to_owned(),
        ("token", Value::Bool(flag)) => flag.to_string(),
        ("token", Value::String(code)) => code.clone(),
        ("token", coded) => {
            let code = coded.get("value").or(coded.get("code")).and_then(Value::as_str).unwrap();
            format!("{}|{code}", coded["system"].as_str().unwrap())
        }
        ("quantity", quantity) => {
            let system = quantity["system"].as_str().unwrap_or_default();
            let code = quantity["code"].as_str().or(quantity["unit"].as_str()).unwrap_or_default();
            format!("{}|{system}|{code}", quantity["value"])
        }
        ("string", Value::String(text)) => text.chars().take(3).collect(),
        ("uri", Value::String(uri)) => uri.clone(),
        ("date", Value::String(date)) => date[..10].to_owned(),
        _ => panic!("no {kind} value of {name} from {element}"),
    }
}

/// A resource of `resource_type` with a value for search parameter `name`: `walked` when it has
/// one, otherwise a seeded one (the walked resource cannot have them all: a weight has no
/// components).
async fn with_value_of(app: &TestApp, resource_type: &str, name: &str, kind: &str, walked: &Value) -> Value {
    if matching_value(resource_type, name, kind, walked).is_some() {
        return walked.clone();
    }
    let (_, bundle) = app.get(&format!("{resource_type}?_count=1000")).await;
    let entries = bundle["entry"].as_array().into_iter().flatten();
    entries
        .map(|entry| entry["resource"].clone())
        .find(|resource| matching_value(resource_type, name, kind, resource).is_some())
        .unwrap_or_else(|| panic!("no {resource_type} has a value for its search parameter '{name}'"))
}

async fn everything_advertised_works(app: &TestApp) {
    let (status, statement) = app.get("metadata").await;
    assert_eq!(status, 200);
    for format in statement["format"].as_array().unwrap() {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("_format", format.as_str().unwrap())
            .finish();
        let url = app.url(&format!("metadata?{query}"));
        let response = app.client.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{format}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with(format.as_str().unwrap()));
    }
    let rest = &statement["rest"][0];
    for interaction in rest["interaction"].as_array().unwrap() {
        match interaction["code"].as_str().unwrap() {
            "history-system" => {
                let (status, bundle) = app.get("_history").await;
                assert_eq!((status, bundle["type"].as_str()), (200, Some("history")));
            }
            "search-system" => {
                let (status, bundle) = app.get("?_type=Patient,Encounter&_lastUpdated=ge2000").await;
                assert_eq!((status, bundle["type"].as_str()), (200, Some("searchset")), "{bundle}");
            }
            kind @ ("transaction" | "batch") => {
                let entry = serde_json::json!({"request": {"method": "GET", "url": "Patient?_count=1"}});
                let bundle = serde_json::json!({"resourceType": "Bundle", "type": kind, "entry": [entry]});
                let (status, response) = app.post_json("", &bundle).await;
                assert_eq!(status, 200, "{response}");
                assert_eq!(response["type"], format!("{kind}-response"));
                assert_eq!(response["entry"][0]["response"]["status"], "200 OK");
            }
            other => panic!("system interaction {other} is advertised but not exercised"),
        }
    }
    // The clinic's own data: read-only types are walked over what the clinic application wrote.
    app.seed_clinic(5).await;
    // Columns the seed leaves empty, filled as the clinic application would, so that every
    // advertised parameter has a value to find: a doctor's phone, a lab result given as text,
    // a visit booked as one of its patient's appointments.
    app.clinic_sql("UPDATE doctors SET phone = '021111111' WHERE id = (SELECT MIN(id) FROM doctors)".into())
        .await;
    app.clinic_sql(
        "UPDATE lab_results SET value_numeric = NULL, unit = NULL, value_text = 'negative' \
         WHERE id = (SELECT MIN(id) FROM lab_results)"
            .into(),
    )
    .await;
    app.clinic_sql(
        "UPDATE visits SET appointment_id = \
         (SELECT MIN(a.id) FROM appointments a WHERE a.patient_id = visits.patient_id) \
         WHERE id = (SELECT MIN(v.id) FROM visits v JOIN appointments a ON a.patient_id = v.patient_id)"
            .into(),
    )
    .await;
    for operation in rest["operation"].as_array().into_iter().flatten() {
        match operation["name"].as_str().unwrap() {
            "export" => {
                exported(app, "$export?_type=Patient,Practitioner", &["Patient", "Practitioner"]).await;
            }
            other => panic!("system operation {other} is advertised but not exercised"),
        }
    }
    let patch_format = statement["patchFormat"][0].as_str().unwrap();
    for resource in rest["resource"].as_array().unwrap() {
        walk_resource(app, resource, patch_format).await;
    }
}

async fn walk_resource(app: &TestApp, capability: &Value, patch_format: &str) {
    let resource_type = capability["type"].as_str().unwrap();
    let advertised: Vec<&str> =
        capability["interaction"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
    for code in &advertised {
        assert!(EXERCISED.contains(code), "{resource_type} advertises {code}, which is not exercised");
    }
    let mut resource =
        if advertised.contains(&"create") { Value::Null } else { existing(app, resource_type).await };
    assert!(resource.is_object() || advertised.contains(&"create"), "no {resource_type} to walk");
    for code in EXERCISED.iter().filter(|code| advertised.contains(code)) {
        let path = format!("{resource_type}/{}", resource["id"].as_str().unwrap_or_default());
        match *code {
            "create" => {
                let sample = sample(app, resource_type).await;
                let (status, created) = app.post_json(resource_type, &sample).await;
                assert_eq!(status, 201, "{created}");
                resource = created;
                if capability["conditionalCreate"] == true {
                    let criteria = format!("_id={}", resource["id"].as_str().unwrap());
                    let request = app
                        .fhir_json(reqwest::Method::POST, resource_type, &sample)
                        .header("if-none-exist", criteria);
                    assert_eq!(json_of(request.send().await.unwrap()).await.0, 200, "conditional create");
                }
            }
            "read" => {
                let (status, read) = app.get(&path).await;
                assert_eq!((status, &read), (200, &resource));
                if capability["conditionalRead"] == "full-support" {
                    let etag = format!("W/\"{}\"", resource["meta"]["versionId"].as_str().unwrap());
                    let request = app.client.get(app.url(&path)).header("if-none-match", etag);
                    assert_eq!(request.send().await.unwrap().status(), 304, "conditional read");
                }
            }
            "vread" => {
                let version = resource["meta"]["versionId"].as_str().unwrap();
                assert_eq!(app.get(&format!("{path}/_history/{version}")).await.0, 200);
            }
            "update" => {
                let (status, updated) = app.put_json(&path, &resource).await;
                assert_eq!(status, 200, "{updated}");
                if capability["conditionalUpdate"] == true {
                    let criteria = format!("{resource_type}?_id={}", resource["id"].as_str().unwrap());
                    let (status, updated) = app.put_json(&criteria, &resource).await;
                    assert_eq!(status, 200, "conditional update: {updated}");
                }
            }
            "patch" => {
                let request = app
                    .client
                    .patch(app.url(&path))
                    .header("content-type", patch_format)
                    .body(json!([{"op": "test", "path": "/id", "value": resource["id"]}]).to_string());
                let (status, patched) = json_of(request.send().await.unwrap()).await;
                assert_eq!(status, 200, "{patched}");
                resource = patched;
            }
            "search-type" => {
                for param in capability["searchParam"].as_array().unwrap() {
                    let name = param["name"].as_str().unwrap();
                    let kind = param["type"].as_str().unwrap();
                    let found = with_value_of(app, resource_type, name, kind, &resource).await;
                    let (key, value) = matching_value(resource_type, name, kind, &found).unwrap();
                    // With _id the answer is exactly this resource if the parameter matches it,
                    // however many others match too.
                    let query = form_urlencoded::Serializer::new(String::new())
                        .append_pair(&key, &value)
                        .append_pair("_id", found["id"].as_str().unwrap())
                        .finish();
                    let (status, bundle) = app.get(&format!("{resource_type}?{query}")).await;
                    assert_eq!(status, 200, "{name}: {bundle}");
                    assert_eq!(bundle["total"], 1, "{resource_type}?{query} did not find it: {bundle}");
                }
                walk_includes(app, capability, &resource).await;
            }
            "history-instance" | "history-type" => {
                let url = if *code == "history-instance" {
                    format!("{path}/_history")
                } else {
                    format!("{resource_type}/_history")
                };
                let (status, bundle) = app.get(&url).await;
                assert_eq!((status, bundle["type"].as_str()), (200, Some("history")), "{url}");
                assert!(!bundle["entry"].as_array().unwrap().is_empty(), "{url}");
            }
            "delete" => {
                let response = app.client.delete(app.url(&path)).send().await.unwrap();
                assert_eq!(response.status(), 200);
                assert_eq!(app.get(&path).await.0, 410);
            }
            other => unreachable!("{other} is in EXERCISED"),
        }
        if *code == "read" {
            walk_operations(app, capability, &resource).await;
        }
    }
}

/// Every advertised `_include` and `_revinclude` of the type, on a resource of it: each answers
/// with only that resource as the match, and included resources of the types the reference allows.
async fn walk_includes(app: &TestApp, capability: &Value, resource: &Value) {
    let resource_type = capability["type"].as_str().unwrap();
    for (parameter, list) in [("_include", "searchInclude"), ("_revinclude", "searchRevInclude")] {
        for include in capability[list].as_array().into_iter().flatten() {
            let include = include.as_str().unwrap();
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair("_id", resource["id"].as_str().unwrap())
                .append_pair(parameter, include)
                .finish();
            let (status, bundle) = app.get(&format!("{resource_type}?{query}")).await;
            assert_eq!((status, &bundle["total"]), (200, &Value::from(1)), "{parameter}={include}: {bundle}");
            let (source, _) = include.split_once(':').unwrap();
            for entry in
                bundle["entry"].as_array().unwrap().iter().filter(|e| e["search"]["mode"] == "include")
            {
                if parameter == "_revinclude" {
                    assert_eq!(entry["resource"]["resourceType"], source, "{parameter}={include}");
                }
            }
        }
    }
}

/// Every operation advertised on the type, run on a resource of it.
async fn walk_operations(app: &TestApp, capability: &Value, resource: &Value) {
    let resource_type = capability["type"].as_str().unwrap();
    for operation in capability["operation"].as_array().into_iter().flatten() {
        match operation["name"].as_str().unwrap() {
            "validate" => {
                let (status, outcome) = app.post_json(&format!("{resource_type}/$validate"), resource).await;
                assert_eq!(status, 200, "{outcome}");
                let errors: Vec<&Value> = outcome["issue"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|i| i["severity"] == "error")
                    .collect();
                assert!(errors.is_empty(), "{resource_type} does not validate: {outcome}");
            }
            "everything" => {
                let id = resource["id"].as_str().unwrap();
                let (status, bundle) = app.get(&format!("{resource_type}/{id}/$everything")).await;
                assert_eq!(status, 200, "{bundle}");
                assert_eq!(bundle["entry"][0]["resource"]["id"], id, "{bundle}");
            }
            "export" => {
                // The Patient file holds the walked patient, or exactly the walked Group's members.
                let id = resource["id"].as_str().unwrap();
                let path = match resource_type {
                    "Patient" => "Patient/$export?_type=Patient".to_owned(),
                    "Group" => format!("Group/{id}/$export?_type=Patient"),
                    other => panic!("{other} advertises $export: say how to walk it here"),
                };
                let manifest = exported(app, &path, &["Patient"]).await;
                let file =
                    app.client.get(manifest["output"][0]["url"].as_str().unwrap()).send().await.unwrap();
                let exported: std::collections::BTreeSet<String> = file
                    .text()
                    .await
                    .unwrap()
                    .lines()
                    .map(|line| {
                        serde_json::from_str::<Value>(line).unwrap()["id"].as_str().unwrap().to_owned()
                    })
                    .collect();
                if resource_type == "Patient" {
                    assert!(exported.contains(id), "{path} lacks Patient/{id}");
                } else {
                    let members = resource["member"].as_array().unwrap().iter().map(|m| {
                        m["entity"]["reference"].as_str().unwrap().trim_start_matches("Patient/").to_owned()
                    });
                    assert_eq!(exported, members.collect(), "{path}");
                }
            }
            other => panic!("{resource_type} advertises operation {other}, which is not exercised"),
        }
    }
}

/// Runs the export `path` to its manifest, which must list exactly the files of `types`.
async fn exported(app: &TestApp, path: &str, types: &[&str]) -> Value {
    let status_url = crate::export::started(app, &app.client, path).await;
    let manifest = crate::export::manifest(&app.client, &status_url).await;
    let listed: Vec<&str> =
        manifest["output"].as_array().unwrap().iter().map(|o| o["type"].as_str().unwrap()).collect();
    assert_eq!(listed, types, "{path}: {manifest}");
    manifest
}

//! Vital-sign Observations conform to the R4 vital-signs profiles they claim: every fixed and
//! pattern value and every required top-level element of those profiles (read from the
//! official StructureDefinitions) holds on each seeded vital sign.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::app::{Backend, TestApp};

const PROFILES: [(&str, &str); 9] = [
    ("vitalsigns", include_str!("../../fhir-profiles/base/StructureDefinition-vitalsigns.json")),
    ("bp", include_str!("../../fhir-profiles/base/StructureDefinition-bp.json")),
    ("bodyweight", include_str!("../../fhir-profiles/base/StructureDefinition-bodyweight.json")),
    ("bodyheight", include_str!("../../fhir-profiles/base/StructureDefinition-bodyheight.json")),
    ("heartrate", include_str!("../../fhir-profiles/base/StructureDefinition-heartrate.json")),
    ("bodytemp", include_str!("../../fhir-profiles/base/StructureDefinition-bodytemp.json")),
    ("resprate", include_str!("../../fhir-profiles/base/StructureDefinition-resprate.json")),
    ("oxygensat", include_str!("../../fhir-profiles/base/StructureDefinition-oxygensat.json")),
    ("bmi", include_str!("../../fhir-profiles/base/StructureDefinition-bmi.json")),
];

/// The constraints of a profile's differential as a tree: one node per element step (with its
/// slice, which one array item must satisfy as a whole), fixed or pattern values at the leaves.
#[derive(Default, Debug)]
struct Node {
    value: Option<Value>,
    children: BTreeMap<String, Node>,
}

fn constraints(definition: &Value) -> (Node, Vec<String>) {
    let mut root = Node::default();
    let mut required = Vec::new();
    for element in definition["differential"]["element"].as_array().unwrap() {
        let id = element["id"].as_str().unwrap();
        let steps: Vec<&str> = id.split('.').skip(1).collect();
        if steps.len() == 1 && element["min"].as_u64().unwrap_or(0) > 0 && !steps[0].contains(':') {
            required.push(steps[0].to_owned());
        }
        let fixed = element
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| k.starts_with("fixed") || k.starts_with("pattern"));
        if let Some((_, value)) = fixed {
            let mut node = &mut root;
            for step in &steps {
                node = node.children.entry((*step).to_owned()).or_default();
            }
            node.value = Some(value.clone());
        }
    }
    (root, required)
}

/// Whether `value` holds every constraint below `node`.
fn satisfies(value: &Value, node: &Node) -> bool {
    if let Some(expected) = &node.value
        && !contains(value, expected)
    {
        return false;
    }
    node.children.iter().all(|(step, child)| {
        let name = step.split(':').next().unwrap();
        let candidates: Vec<&Value> = match name.strip_suffix("[x]") {
            Some(prefix) => value
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| k.starts_with(prefix))
                .map(|(_, v)| v)
                .collect(),
            None => value.get(name).into_iter().collect(),
        };
        // A slice, or a repeating element, is satisfied by one of its items.
        candidates
            .iter()
            .flat_map(|v| v.as_array().map_or_else(|| vec![*v], |items| items.iter().collect()))
            .any(|item| satisfies(item, child))
    })
}

/// `expected` as a pattern: every member it has, `value` has equally.
fn contains(value: &Value, expected: &Value) -> bool {
    match (value, expected) {
        (Value::Object(value), Value::Object(expected)) => {
            expected.iter().all(|(k, e)| value.get(k).is_some_and(|v| contains(v, e)))
        }
        (Value::Array(items), Value::Array(expected)) => {
            expected.iter().all(|e| items.iter().any(|v| contains(v, e)))
        }
        (value, expected) => value == expected,
    }
}

fn holds(resource: &Value, definition: &Value) -> Result<(), String> {
    let (tree, required) = constraints(definition);
    for element in &required {
        let prefix = element.trim_end_matches("[x]");
        if !resource
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k == element || (element.ends_with("[x]") && k.starts_with(prefix)))
        {
            return Err(format!("missing {element}"));
        }
    }
    if satisfies(resource, &tree) {
        Ok(())
    } else {
        Err(format!("a fixed or pattern value of {}", definition["url"]))
    }
}

async fn vital_signs_conform_to_their_profiles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_clinic(30).await;
    let definitions: BTreeMap<String, Value> = PROFILES
        .iter()
        .map(|(_, json)| serde_json::from_str::<Value>(json).unwrap())
        .map(|definition| (definition["url"].as_str().unwrap().to_owned(), definition))
        .collect();
    let (status, bundle) = app.get("Observation?category=vital-signs&_count=500").await;
    assert_eq!(status, 200, "{bundle}");
    let mut checked: BTreeMap<String, usize> = BTreeMap::new();
    for entry in bundle["entry"].as_array().unwrap() {
        let observation = &entry["resource"];
        let claimed: Vec<&str> = observation["meta"]["profile"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .filter(|url| definitions.contains_key(*url))
            .collect();
        assert!(!claimed.is_empty(), "{} claims no vital-signs profile", observation["id"]);
        let vitalsigns = "http://hl7.org/fhir/StructureDefinition/vitalsigns";
        for url in claimed.iter().copied().chain(std::iter::once(vitalsigns)) {
            holds(observation, &definitions[url]).unwrap_or_else(|problem| {
                panic!("{} breaks {url}: {problem}\n{observation}", observation["id"])
            });
            *checked.entry(url.to_owned()).or_default() += 1;
        }
    }
    // Every vital-signs profile was met at least once.
    assert_eq!(checked.len(), definitions.len(), "{checked:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vital_signs_conform_to_their_profiles_on_postgres() {
    vital_signs_conform_to_their_profiles(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vital_signs_conform_to_their_profiles_on_sqlite() {
    vital_signs_conform_to_their_profiles(Backend::Sqlite).await;
}

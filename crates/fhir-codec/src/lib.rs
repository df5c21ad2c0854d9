//! JSON and XML for FHIR R4 resources.
//!
//! fhirbolt's serializers are generic; every crate that instantiates them for the `Resource`
//! enum pays minutes of compile time. This crate instantiates them once, behind plain functions,
//! and is the only crate that may call them. It also guards every parse of client input:
//! fhirbolt 0.4 panics on some JSON that is valid JSON but not valid FHIR, and a client must get a
//! 400, not a dropped connection.

mod guard;

pub use fhirbolt::model::r4::{Resource, resources, types};

use fhirbolt::serde::{DeserializationConfig, DeserializationMode, SerializationConfig};

/// A body that is not a FHIR R4 resource in the given format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// A resource fhirbolt could not write out (a bug in what we built, never the client's fault).
#[derive(Debug, thiserror::Error)]
#[error("cannot serialize resource: {0}")]
pub struct SerializeError(String);

// Strict mode only: in the lenient modes an unknown element holding an array makes fhirbolt
// 0.4 loop forever.
fn strict() -> Option<DeserializationConfig> {
    Some(DeserializationConfig { mode: DeserializationMode::Strict })
}

/// Parses a JSON resource of any type.
pub fn parse_json(body: &[u8]) -> Result<Resource, ParseError> {
    guard::catch_parse_panic(|| {
        fhirbolt::json::from_slice::<Resource>(body, strict()).map_err(|e| ParseError(e.to_string()))
    })
}

/// Parses an XML resource of any type.
pub fn parse_xml(body: &[u8]) -> Result<Resource, ParseError> {
    let text = std::str::from_utf8(body).map_err(|e| ParseError(format!("XML body is not UTF-8: {e}")))?;
    guard::catch_parse_panic(|| {
        fhirbolt::xml::from_str::<Resource>(text, strict()).map_err(|e| ParseError(e.to_string()))
    })
}

/// Writes a resource as JSON, elements in the order the specification defines.
pub fn to_json(resource: &Resource, pretty: bool) -> Result<Vec<u8>, SerializeError> {
    let config = Some(SerializationConfig::default());
    let written = if pretty {
        fhirbolt::json::to_vec_pretty(resource, config)
    } else {
        fhirbolt::json::to_vec(resource, config)
    };
    written.map_err(|e| SerializeError(e.to_string()))
}

/// Writes a resource as XML (fhirbolt has no indented form; `_pretty` does not apply).
pub fn to_xml(resource: &Resource) -> Result<Vec<u8>, SerializeError> {
    fhirbolt::xml::to_vec(resource, None).map_err(|e| SerializeError(e.to_string()))
}

/// The JSON tree of a resource, for comparing and inspecting resources element by element.
pub fn to_json_value(resource: &Resource) -> Result<serde_json::Value, SerializeError> {
    let bytes = to_json(resource, false)?;
    serde_json::from_slice(&bytes).map_err(|e| SerializeError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATIENT: &str = r#"{"resourceType":"Patient","id":"1","gender":"male","birthDate":"1980-05"}"#;

    #[test]
    fn json_round_trip_keeps_partial_dates() {
        let resource = parse_json(PATIENT.as_bytes()).unwrap();
        let written = to_json(&resource, false).unwrap();
        assert_eq!(std::str::from_utf8(&written).unwrap(), PATIENT);
    }

    #[test]
    fn xml_and_json_carry_the_same_content() {
        let resource = parse_json(PATIENT.as_bytes()).unwrap();
        let xml = to_xml(&resource).unwrap();
        assert_eq!(parse_xml(&xml).unwrap(), resource);
    }

    #[test]
    fn unknown_elements_are_refused() {
        let err = parse_json(br#"{"resourceType":"Patient","colour":"blue"}"#).unwrap_err();
        assert!(err.0.contains("colour"), "{err}");
    }

    #[test]
    fn input_that_makes_fhirbolt_panic_is_an_error() {
        // An empty array where an element is expected trips an unwrap inside fhirbolt 0.4.
        let bodies: [&[u8]; 3] = [
            br#"{"resourceType":"Patient","name":[{"given":[]}]}"#,
            br#"{"resourceType":"Patient","_birthDate":[]}"#,
            br#"{"resourceType":"Patient","name":[]}"#,
        ];
        for body in bodies {
            let _ = parse_json(body);
        }
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_json(b"{").is_err());
        assert!(parse_json(b"[]").is_err());
        assert!(parse_xml(b"<Patient").is_err());
        assert!(parse_xml(&[0xff, 0xfe]).is_err());
    }
}

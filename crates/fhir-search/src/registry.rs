//! The search parameters each resource type supports, with the official definitions they
//! implement (reported in the CapabilityStatement).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    Token,
    String,
    Date,
    Reference,
}

impl ParamType {
    pub fn code(self) -> &'static str {
        match self {
            ParamType::Token => "token",
            ParamType::String => "string",
            ParamType::Date => "date",
            ParamType::Reference => "reference",
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

pub static PATIENT: &[ParamDef] = &[
    param(
        "identifier",
        ParamType::Token,
        spec_url!("Patient-identifier"),
        "HN, Thai citizen ID or passport number",
    ),
    param(
        "name",
        ParamType::String,
        spec_url!("Patient-name"),
        "Thai or English first or last name, or Thai title",
    ),
    param("family", ParamType::String, spec_url!("individual-family"), "Thai or English last name"),
    param("given", ParamType::String, spec_url!("individual-given"), "Thai or English first name"),
    param("birthdate", ParamType::Date, spec_url!("individual-birthdate"), "Date of birth"),
    param("gender", ParamType::Token, spec_url!("individual-gender"), "male | female | other | unknown"),
    param("active", ParamType::Token, spec_url!("Patient-active"), "Whether the record is active"),
];

/// The parameters of `resource_type` beyond the common ones; `None` for a type not served.
pub fn for_type(resource_type: &str) -> Option<&'static [ParamDef]> {
    match resource_type {
        "Patient" => Some(PATIENT),
        _ => None,
    }
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
    fn definitions_point_at_the_specification() {
        for p in COMMON.iter().chain(PATIENT) {
            assert!(p.definition.starts_with(SPEC), "{}", p.name);
        }
        assert_eq!(find("Patient", "birthdate").unwrap().kind, ParamType::Date);
        assert!(find("Patient", "colour").is_none());
    }
}

//! Organization <- `branches` (id `3`) and <- `insurers` (id `insurer-2`), read-only.
//!
//! Branch Organization (the same ids Patient.managingOrganization uses):
//!
//! | FHIR                                        | clinic column                             |
//! |---------------------------------------------|-------------------------------------------|
//! | identifier (clinic branch-code system)      | code                                      |
//! | identifier (th-moph-hcode)                  | hcode                                     |
//! | active                                      | active                                    |
//! | type[0]                                     | always organization-type `prov`           |
//! | name / alias[0]                             | name_th / name_en                         |
//! | telecom phone / email                       | phone / email                             |
//! | address[0] (use work; Patient's shape)      | address_line, sub_district, district,     |
//! |                                             |   province, postal_code                   |
//!
//! Insurer Organization:
//!
//! | FHIR                                        | clinic column                             |
//! |---------------------------------------------|-------------------------------------------|
//! | identifier (clinic insurer-code system)     | code (NHSO, SSO, CGD, ...)                |
//! | active                                      | active                                    |
//! | type[0]                                     | always organization-type `ins`            |
//! | type[1] (clinic insurer-type system)        | insurer_type (government / private)       |
//! | name / alias[0]                             | name_th / name_en                         |
//! | telecom phone                               | phone                                     |
//!
//! The insurer type is a second `type` rather than text so that `Organization?type=` can
//! tell government payers from private ones.

use clinic_db::{BranchRow, InsurerRow};
use serde_json::{Map, Value, json};

use crate::elements::{ThaiAddress, concept, telecom, thai_address};
use crate::{MappingContext, meta, systems};

/// Insurer Organization ids carry this prefix, so they never clash with branch ids.
const INSURER_ID_PREFIX: &str = "insurer-";

/// The clinic table an Organization id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationKey {
    /// `branches.id`: Organization ids `1`, `2`, ...
    Branch(i64),
    /// `insurers.id`: Organization ids `insurer-1`, `insurer-2`, ...
    Insurer(i64),
}

impl OrganizationKey {
    /// The row an Organization id names; `None` for an id of neither form. Only the exact form
    /// [`OrganizationKey::to_id`] writes is accepted (not `03` or `+3`), so a resource has one id.
    pub fn from_id(id: &str) -> Option<OrganizationKey> {
        let key = match id.strip_prefix(INSURER_ID_PREFIX) {
            Some(insurer) => OrganizationKey::Insurer(insurer.parse().ok()?),
            None => OrganizationKey::Branch(id.parse().ok()?),
        };
        (key.to_id() == id).then_some(key)
    }

    /// The Organization id of the row.
    pub fn to_id(self) -> String {
        match self {
            OrganizationKey::Branch(branch) => branch.to_string(),
            OrganizationKey::Insurer(insurer) => format!("{INSURER_ID_PREFIX}{insurer}"),
        }
    }
}

pub fn branch_organization_to_fhir(row: &BranchRow, ctx: &MappingContext) -> Value {
    let mut organization = Map::new();
    organization.insert("resourceType".into(), json!("Organization"));
    organization.insert("id".into(), json!(OrganizationKey::Branch(row.id).to_id()));
    organization.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    let mut identifiers = vec![json!({"system": systems::BRANCH_CODE, "value": row.code})];
    if let Some(hcode) = &row.hcode {
        identifiers.push(json!({"use": "official", "system": systems::TH_MOPH_HCODE, "value": hcode}));
    }
    organization.insert("identifier".into(), Value::Array(identifiers));
    organization.insert("active".into(), json!(row.active));
    organization
        .insert("type".into(), json!([concept(systems::ORGANIZATION_TYPE, "prov", "Healthcare Provider")]));
    insert_names(&mut organization, &row.name_th, row.name_en.as_deref());
    if let Some(telecom) = telecom(row.phone.as_deref(), row.email.as_deref()) {
        organization.insert("telecom".into(), telecom);
    }
    if let Some(address) = branch_address(row) {
        organization.insert("address".into(), json!([address]));
    }
    Value::Object(organization)
}

pub fn insurer_organization_to_fhir(row: &InsurerRow, ctx: &MappingContext) -> Value {
    let mut organization = Map::new();
    organization.insert("resourceType".into(), json!("Organization"));
    organization.insert("id".into(), json!(OrganizationKey::Insurer(row.id).to_id()));
    organization.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    organization.insert("identifier".into(), json!([{"system": systems::INSURER_CODE, "value": row.code}]));
    organization.insert("active".into(), json!(row.active));
    let insurer_type = match row.insurer_type.as_str() {
        "government" => concept(systems::INSURER_TYPE, "government", "Government insurer"),
        "private" => concept(systems::INSURER_TYPE, "private", "Private insurer"),
        other => json!({"coding": [{"system": systems::INSURER_TYPE, "code": other}]}),
    };
    organization.insert(
        "type".into(),
        json!([concept(systems::ORGANIZATION_TYPE, "ins", "Insurance Company"), insurer_type]),
    );
    insert_names(&mut organization, &row.name_th, row.name_en.as_deref());
    if let Some(telecom) = telecom(row.phone.as_deref(), None) {
        organization.insert("telecom".into(), telecom);
    }
    Value::Object(organization)
}

/// `name` is the Thai name; the English one, when known, is the only alias.
fn insert_names(organization: &mut Map<String, Value>, name_th: &str, name_en: Option<&str>) {
    organization.insert("name".into(), json!(name_th));
    if let Some(name_en) = name_en {
        organization.insert("alias".into(), json!([name_en]));
    }
}

/// A branch's street address (Organization.address[0] and Location.address).
pub(crate) fn branch_address(row: &BranchRow) -> Option<Value> {
    thai_address(
        "work",
        &ThaiAddress {
            line: row.address_line.as_deref(),
            sub_district: row.sub_district.as_deref(),
            district: row.district.as_deref(),
            province: row.province.as_deref(),
            postal_code: row.postal_code.as_deref(),
        },
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::test_support::ctx;

    pub(crate) fn branch() -> BranchRow {
        BranchRow {
            id: 3,
            code: "BKK01".into(),
            hcode: Some("41234".into()),
            name_th: "คลินิกสุขใจ สาขาสุขุมวิท".into(),
            name_en: Some("Sukjai Clinic Sukhumvit".into()),
            branch_type: "clinic".into(),
            phone: Some("022345678".into()),
            email: Some("sukhumvit@sukjai.example".into()),
            address_line: Some("99 ถนนสุขุมวิท".into()),
            sub_district: Some("คลองตัน".into()),
            district: Some("คลองเตย".into()),
            province: Some("กรุงเทพมหานคร".into()),
            postal_code: Some("10110".into()),
            active: true,
            updated_at: NaiveDate::from_ymd_opt(2026, 1, 2).and_then(|d| d.and_hms_opt(8, 0, 0)).unwrap(),
            version: 1,
        }
    }

    fn insurer() -> InsurerRow {
        InsurerRow {
            id: 2,
            code: "NHSO".into(),
            name_th: "สำนักงานหลักประกันสุขภาพแห่งชาติ".into(),
            name_en: Some("National Health Security Office".into()),
            insurer_type: "government".into(),
            phone: Some("1330".into()),
            active: true,
            updated_at: NaiveDate::from_ymd_opt(2026, 1, 2).and_then(|d| d.and_hms_opt(8, 0, 0)).unwrap(),
            version: 5,
        }
    }

    fn element_names(resource: &Value) -> Vec<String> {
        resource.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
    }

    #[test]
    fn a_branch_is_a_healthcare_provider_with_its_codes_and_address() {
        let organization = branch_organization_to_fhir(&branch(), &ctx());
        assert_eq!(organization["id"], "3");
        assert_eq!(
            organization["identifier"],
            json!([
                {"system": systems::BRANCH_CODE, "value": "BKK01"},
                {"use": "official", "system": systems::TH_MOPH_HCODE, "value": "41234"}
            ])
        );
        assert_eq!(organization["type"][0]["coding"][0]["code"], "prov");
        assert_eq!(organization["name"], "คลินิกสุขใจ สาขาสุขุมวิท");
        assert_eq!(organization["alias"], json!(["Sukjai Clinic Sukhumvit"]));
        assert_eq!(organization["telecom"][1]["value"], "sukhumvit@sukjai.example");
        assert_eq!(
            organization["address"],
            json!([{
                "use": "work", "line": ["99 ถนนสุขุมวิท"], "city": "คลองตัน", "district": "คลองเตย",
                "state": "กรุงเทพมหานคร", "postalCode": "10110", "country": "TH"
            }])
        );
        assert_eq!(
            element_names(&organization),
            [
                "resourceType",
                "id",
                "meta",
                "identifier",
                "active",
                "type",
                "name",
                "alias",
                "telecom",
                "address"
            ]
        );
    }

    #[test]
    fn a_branch_without_optional_columns_has_no_empty_elements() {
        let row = BranchRow {
            hcode: None,
            name_en: None,
            phone: None,
            email: None,
            address_line: None,
            sub_district: None,
            district: None,
            province: None,
            postal_code: None,
            ..branch()
        };
        let organization = branch_organization_to_fhir(&row, &ctx());
        assert_eq!(organization["identifier"].as_array().map(Vec::len), Some(1));
        assert_eq!(
            element_names(&organization),
            ["resourceType", "id", "meta", "identifier", "active", "type", "name"]
        );
    }

    #[test]
    fn an_insurer_is_an_insurance_company_with_its_kind_as_a_second_type() {
        let organization = insurer_organization_to_fhir(&insurer(), &ctx());
        assert_eq!(organization["id"], "insurer-2");
        assert_eq!(organization["meta"]["versionId"], "5");
        assert_eq!(organization["identifier"], json!([{"system": systems::INSURER_CODE, "value": "NHSO"}]));
        assert_eq!(organization["type"][0]["coding"][0]["system"], systems::ORGANIZATION_TYPE);
        assert_eq!(organization["type"][0]["coding"][0]["code"], "ins");
        assert_eq!(organization["type"][1]["coding"][0]["system"], systems::INSURER_TYPE);
        assert_eq!(organization["type"][1]["coding"][0]["code"], "government");
        assert_eq!(organization["name"], "สำนักงานหลักประกันสุขภาพแห่งชาติ");
        assert_eq!(organization["alias"], json!(["National Health Security Office"]));
        assert_eq!(organization["telecom"], json!([{"system": "phone", "value": "1330"}]));
        assert_eq!(
            element_names(&organization),
            ["resourceType", "id", "meta", "identifier", "active", "type", "name", "alias", "telecom"]
        );
    }

    #[test]
    fn organization_ids_name_a_branch_or_an_insurer() {
        assert_eq!(OrganizationKey::from_id("3"), Some(OrganizationKey::Branch(3)));
        assert_eq!(OrganizationKey::from_id("insurer-2"), Some(OrganizationKey::Insurer(2)));
        assert_eq!(OrganizationKey::from_id("insurer-x"), None);
        assert_eq!(OrganizationKey::from_id("abc"), None);
        assert_eq!(OrganizationKey::from_id("03"), None);
        assert_eq!(OrganizationKey::from_id("insurer-+2"), None);
        assert_eq!(OrganizationKey::Insurer(2).to_id(), "insurer-2");
    }
}

//! Location <- `branches` (read-only; the same id as the branch's Organization).
//!
//! | FHIR                                        | clinic column                             |
//! |---------------------------------------------|-------------------------------------------|
//! | identifier (clinic branch-code system)      | code                                      |
//! | status                                      | active (active / inactive)                |
//! | name / alias[0]                             | name_th / name_en                         |
//! | mode                                        | always `instance`                         |
//! | type[0] (v3-RoleCode)                       | branch_type: hospital HOSP, otherwise OF  |
//! | type[1] (clinic branch-type system)         | branch_type (clinic/hospital/telemedicine)|
//! | telecom phone / email                       | phone / email                             |
//! | address (use work; Patient's shape)         | address_line ... postal_code              |
//! | managingOrganization                        | Organization/{id}: the branch itself      |
//!
//! v3-RoleCode has no code for a telemedicine service, so a telemedicine branch is an
//! outpatient facility (OF) whose clinic branch type says `telemedicine`.

use clinic_db::BranchRow;
use serde_json::{Map, Value, json};

use crate::elements::{concept, telecom};
use crate::organization::branch_address;
use crate::{MappingContext, meta, reference, systems};

/// Branch types (the codes of `systems::BRANCH_TYPE`) with their displays.
pub const BRANCH_TYPES: [(&str, &str); 3] =
    [("clinic", "Clinic"), ("hospital", "Hospital"), ("telemedicine", "Telemedicine service")];

/// The v3-RoleCode (code, display) of a branch of `branch_type`: a hospital, otherwise an
/// outpatient facility.
pub fn branch_role(branch_type: &str) -> (&'static str, &'static str) {
    if branch_type == "hospital" { ("HOSP", "Hospital") } else { ("OF", "Outpatient facility") }
}

pub fn location_to_fhir(row: &BranchRow, ctx: &MappingContext) -> Value {
    let mut location = Map::new();
    location.insert("resourceType".into(), json!("Location"));
    location.insert("id".into(), json!(row.id.to_string()));
    location.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    location.insert("identifier".into(), json!([{"system": systems::BRANCH_CODE, "value": row.code}]));
    location.insert("status".into(), json!(if row.active { "active" } else { "inactive" }));
    location.insert("name".into(), json!(row.name_th));
    if let Some(name_en) = &row.name_en {
        location.insert("alias".into(), json!([name_en]));
    }
    location.insert("mode".into(), json!("instance"));
    let (role_code, role_display) = branch_role(&row.branch_type);
    let role = concept(systems::V3_ROLE_CODE, role_code, role_display);
    let branch_type = match BRANCH_TYPES.iter().find(|(code, _)| *code == row.branch_type) {
        Some((code, display)) => concept(systems::BRANCH_TYPE, code, display),
        None => json!({"coding": [{"system": systems::BRANCH_TYPE, "code": row.branch_type}]}),
    };
    location.insert("type".into(), json!([role, branch_type]));
    if let Some(telecom) = telecom(row.phone.as_deref(), row.email.as_deref()) {
        location.insert("telecom".into(), telecom);
    }
    if let Some(address) = branch_address(row) {
        location.insert("address".into(), address);
    }
    location.insert("managingOrganization".into(), reference("Organization", row.id));
    Value::Object(location)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organization::tests::branch;
    use crate::test_support::ctx;

    #[test]
    fn a_branch_is_an_outpatient_facility_managed_by_its_organization() {
        let location = location_to_fhir(&branch(), &ctx());
        assert_eq!(location["id"], "3");
        assert_eq!(location["identifier"], json!([{"system": systems::BRANCH_CODE, "value": "BKK01"}]));
        assert_eq!(location["status"], "active");
        assert_eq!(location["name"], "คลินิกสุขใจ สาขาสุขุมวิท");
        assert_eq!(location["alias"], json!(["Sukjai Clinic Sukhumvit"]));
        assert_eq!(location["mode"], "instance");
        assert_eq!(location["type"][0]["coding"][0]["system"], systems::V3_ROLE_CODE);
        assert_eq!(location["type"][0]["coding"][0]["code"], "OF");
        assert_eq!(
            location["type"][1],
            json!({"coding": [{"system": systems::BRANCH_TYPE, "code": "clinic", "display": "Clinic"}]})
        );
        assert_eq!(location["address"]["city"], "คลองตัน");
        assert_eq!(location["address"]["country"], "TH");
        assert_eq!(location["managingOrganization"]["reference"], "Organization/3");
        let names: Vec<_> = location.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            names,
            [
                "resourceType",
                "id",
                "meta",
                "identifier",
                "status",
                "name",
                "alias",
                "mode",
                "type",
                "telecom",
                "address",
                "managingOrganization"
            ]
        );
    }

    #[test]
    fn an_inactive_hospital_and_a_telemedicine_branch() {
        let hospital = BranchRow { branch_type: "hospital".into(), active: false, ..branch() };
        let location = location_to_fhir(&hospital, &ctx());
        assert_eq!(location["status"], "inactive");
        assert_eq!(location["type"][0]["coding"][0]["code"], "HOSP");

        let telemedicine = BranchRow { branch_type: "telemedicine".into(), ..branch() };
        let location = location_to_fhir(&telemedicine, &ctx());
        assert_eq!(location["type"][0]["coding"][0]["code"], "OF");
        assert_eq!(location["type"][1]["coding"][0]["code"], "telemedicine");
    }
}

//! Practitioner (doctors), Organization (branches and insurers) and Location (branches): the
//! reference data the clinic application maintains. Read-only here.

use std::collections::BTreeMap;

use clinic_db::{BranchRow, DbConnection, DoctorRow, InsurerRow};
use diesel::QueryableByName;
use diesel::sql_types::Text;
use fhir_mapping::{
    BRANCH_TYPES, MappingContext, branch_organization_to_fhir, branch_role, insurer_organization_to_fhir,
    location_to_fhir, practitioner_to_fhir, systems,
};
use fhir_search::{SearchParam, SearchRequest, SearchValue};
use serde_json::Value;

use crate::keyset::{self, Keyset, SortType};
use crate::kind::{ResourceKind, RowSource};
use crate::predicate::{self, AddressColumns};
use crate::row_search::{self, Rows, Sort, unsupported};
use crate::sql::Sql;
use crate::{SearchPage, StoreError};

const SEXES: [(&str, &str); 4] = [("male", "M"), ("female", "F"), ("other", "O"), ("unknown", "U")];
const GENDER_SYSTEM: &str = "http://hl7.org/fhir/administrative-gender";

pub(crate) const DOCTORS: Rows = Rows {
    resource_type: "Practitioner",
    columns: "d.*",
    from: "doctors d",
    alias: "d",
    id_prefix: "",
    sorts: &[
        Sort { param: "family", expr: "COALESCE(d.last_name_en, d.last_name_th)", kind: SortType::Text },
        Sort { param: "given", expr: "COALESCE(d.first_name_en, d.first_name_th)", kind: SortType::Text },
        Sort { param: "name", expr: "COALESCE(d.last_name_en, d.last_name_th)", kind: SortType::Text },
    ],
};
pub(crate) const BRANCH_ORGANIZATIONS: Rows = Rows {
    resource_type: "Organization",
    columns: "b.*",
    from: "branches b",
    alias: "b",
    id_prefix: "",
    sorts: &[],
};
const INSURER_ORGANIZATIONS: Rows = Rows {
    resource_type: "Organization",
    columns: "i.*",
    from: "insurers i",
    alias: "i",
    id_prefix: "insurer-",
    sorts: &[],
};
const LOCATIONS: Rows = Rows {
    resource_type: "Location",
    columns: "b.*",
    from: "branches b",
    alias: "b",
    id_prefix: "",
    sorts: &[],
};

/// Thai or English names of a person row aliased `alias`.
fn person_name(
    sql: &mut Sql,
    name: &str,
    modifier: Option<fhir_search::Modifier>,
    value: &SearchValue,
    alias: &str,
) -> Result<(), StoreError> {
    let column = |c: &str| format!("{alias}.{c}");
    let columns: Vec<String> = match name {
        "family" => vec![column("last_name_th"), column("last_name_en")],
        "given" => vec![column("first_name_th"), column("first_name_en")],
        _ => ["last_name_th", "last_name_en", "first_name_th", "first_name_en"].map(column).to_vec(),
    };
    predicate::string(sql, &columns.iter().map(String::as_str).collect::<Vec<_>>(), modifier, value)
}

pub struct PractitionerKind;

impl ResourceKind for PractitionerKind {
    fn resource_type(&self) -> &'static str {
        "Practitioner"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("doctors")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        Ok(practitioner_to_fhir(&row_search::found(conn, &DOCTORS, id)?, ctx))
    }

    fn id_subquery(
        &self,
        sql: &mut Sql,
        params: &[SearchParam],
        ctx: &MappingContext,
    ) -> Result<(), StoreError> {
        row_search::push_ids(sql, &DOCTORS, params, ctx, &|sql, name, modifier, value| {
            practitioner_criterion(sql, name, modifier, value)
        })
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let page =
            row_search::search::<DoctorRow>(conn, &DOCTORS, request, ctx, |sql, name, modifier, value| {
                practitioner_criterion(sql, name, modifier, value)
            })?;
        Ok(page.into_resources(|row| practitioner_to_fhir(row, ctx)))
    }
}

pub struct LocationKind;

impl ResourceKind for LocationKind {
    fn resource_type(&self) -> &'static str {
        "Location"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("branches")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        Ok(location_to_fhir(&row_search::found(conn, &LOCATIONS, id)?, ctx))
    }

    fn id_subquery(
        &self,
        sql: &mut Sql,
        params: &[SearchParam],
        ctx: &MappingContext,
    ) -> Result<(), StoreError> {
        row_search::push_ids(sql, &LOCATIONS, params, ctx, &|sql, name, modifier, value| {
            location_criterion(sql, name, modifier, value, ctx)
        })
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let page =
            row_search::search::<BranchRow>(conn, &LOCATIONS, request, ctx, |sql, name, modifier, value| {
                location_criterion(sql, name, modifier, value, ctx)
            })?;
        Ok(page.into_resources(|row| location_to_fhir(row, ctx)))
    }
}

const LOCATION_STATUS: &str = "http://hl7.org/fhir/location-status";

pub struct OrganizationKind;

impl ResourceKind for OrganizationKind {
    fn resource_type(&self) -> &'static str {
        "Organization"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[
            RowSource::rows_of("branches"),
            RowSource { table: "insurers", id_sql: "'insurer-' || CAST(t.id AS TEXT)", filter: "" },
        ];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        match INSURER_ORGANIZATIONS.key_of(id) {
            Some(_) => {
                Ok(insurer_organization_to_fhir(&row_search::found(conn, &INSURER_ORGANIZATIONS, id)?, ctx))
            }
            None => {
                Ok(branch_organization_to_fhir(&row_search::found(conn, &BRANCH_ORGANIZATIONS, id)?, ctx))
            }
        }
    }

    /// Chained into from branch columns (service-provider, provider, organization); insurer
    /// columns chain through [`insurer_ids`].
    fn id_subquery(
        &self,
        sql: &mut Sql,
        params: &[SearchParam],
        ctx: &MappingContext,
    ) -> Result<(), StoreError> {
        row_search::push_ids(sql, &BRANCH_ORGANIZATIONS, params, ctx, &branch_criterion)
    }

    /// Branches first, then insurers, unless `_sort` says otherwise: one query over both.
    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let criteria = |sql: &mut Sql| organizations_matching(sql, &request.params, ctx);
        let sortable = |param: &str| {
            let (expr, kind) = match param {
                "_id" => ("o.rid", SortType::Text),
                "_lastUpdated" => ("o.updated_at", SortType::Timestamp),
                "name" => ("o.name", SortType::Text),
                "identifier" => ("o.code", SortType::Text),
                _ => return None,
            };
            Some((expr.to_owned(), kind))
        };
        let ties = [("o.part", SortType::BigInt), ("o.row_key", SortType::BigInt)];
        let keyset = Keyset::new("Organization", request, sortable, &ties)?;
        let window = keyset::load::<OrganizationKey>(conn, &keyset, request, "SELECT o.rid", criteria)?;
        let total = row_search::total(conn, request, window.whole_count, criteria)?;
        let keys = |part: &Rows| -> Vec<i64> {
            let mut keys: Vec<i64> = window.rows.iter().filter_map(|o| part.key_of(&o.rid)).collect();
            keys.sort_unstable();
            keys
        };
        let branches: BTreeMap<i64, BranchRow> =
            row_search::find_many(conn, &BRANCH_ORGANIZATIONS, &keys(&BRANCH_ORGANIZATIONS))?
                .into_iter()
                .map(|row: BranchRow| (row.id, row))
                .collect();
        let insurers: BTreeMap<i64, InsurerRow> =
            row_search::find_many(conn, &INSURER_ORGANIZATIONS, &keys(&INSURER_ORGANIZATIONS))?
                .into_iter()
                .map(|row: InsurerRow| (row.id, row))
                .collect();
        let resources = window
            .rows
            .iter()
            .filter_map(|o| match INSURER_ORGANIZATIONS.key_of(&o.rid) {
                Some(key) => insurers.get(&key).map(|row| insurer_organization_to_fhir(row, ctx)),
                None => BRANCH_ORGANIZATIONS
                    .key_of(&o.rid)
                    .and_then(|key| branches.get(&key))
                    .map(|row| branch_organization_to_fhir(row, ctx)),
            })
            .collect();
        Ok(SearchPage {
            resources,
            total,
            next_cursor: window.next,
            previous_cursor: window.previous,
            included: Vec::new(),
        })
    }
}

#[derive(QueryableByName)]
struct OrganizationKey {
    #[diesel(sql_type = Text)]
    rid: String,
}

/// ` FROM (...) o WHERE 1 = 1`: the branch and insurer Organizations matching `params`, each
/// with its id `rid`, `part` (0 a branch, 1 an insurer), `row_key`, and what it sorts by.
fn organizations_matching(
    sql: &mut Sql,
    params: &[SearchParam],
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    sql.push(" FROM (");
    let branch =
        "CAST(b.id AS TEXT) AS rid, 0 AS part, b.id AS row_key, b.updated_at, b.name_th AS name, b.code";
    row_search::push_column(sql, &BRANCH_ORGANIZATIONS, branch, params, ctx, &branch_criterion)?;
    sql.push(" UNION ALL ");
    let insurer = "'insurer-' || CAST(i.id AS TEXT), 1, i.id, i.updated_at, i.name_th, i.code";
    row_search::push_column(sql, &INSURER_ORGANIZATIONS, insurer, params, ctx, &insurer_criterion)?;
    sql.push(") o WHERE 1 = 1");
    Ok(())
}

/// One value of a Practitioner search parameter as SQL.
fn practitioner_criterion(
    sql: &mut Sql,
    name: &str,
    modifier: Option<fhir_search::Modifier>,
    value: &SearchValue,
) -> Result<(), StoreError> {
    match (name, value) {
        ("identifier", value) => predicate::identifier(
            sql,
            value,
            &[(systems::TH_MEDICAL_LICENSE, "d.license_no"), (systems::TH_DENTAL_LICENSE, "d.license_no")],
        )?,
        ("name" | "family" | "given", value) => person_name(sql, name, modifier, value, "d")?,
        ("gender", value) => predicate::code(sql, "d.sex", GENDER_SYSTEM, &SEXES, value)?,
        ("active", value) => predicate::boolean(sql, "d.active", value)?,
        ("phone" | "email" | "telecom", value) => predicate::telecom(sql, name, value, "d.phone", "d.email")?,
        _ => return Err(unsupported("Practitioner", name)),
    }
    Ok(())
}

/// Where the branches table keeps the address (a branch is a Location and an Organization).
const BRANCH_ADDRESS: AddressColumns = AddressColumns {
    line: "b.address_line",
    sub_district: "b.sub_district",
    district: "b.district",
    province: "b.province",
    postal_code: "b.postal_code",
};

/// One value of a Location search parameter as SQL.
fn location_criterion(
    sql: &mut Sql,
    name: &str,
    modifier: Option<fhir_search::Modifier>,
    value: &SearchValue,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    match (name, value) {
        ("identifier", value) => predicate::identifier(sql, value, &[(systems::BRANCH_CODE, "b.code")])?,
        ("name", value) => predicate::string(sql, &["b.name_th", "b.name_en"], modifier, value)?,
        ("status", value) => {
            let Some(token) = predicate::token(sql, value, &["b.active"])? else { return Ok(()) };
            // Location.status is active/inactive from the branch's active flag.
            let flag = token.code.as_deref().map(|code| match code {
                "active" => "true",
                "inactive" => "false",
                _ => "none",
            });
            let as_boolean = fhir_search::TokenValue { system: None, code: flag.map(str::to_owned) };
            if token.system.as_deref().is_none_or(|s| s == LOCATION_STATUS) {
                predicate::boolean(sql, "b.active", &SearchValue::Token(as_boolean))?;
            } else {
                predicate::never(sql);
            }
        }
        ("organization", value) => predicate::reference(sql, "b.id", "Organization", value, ctx)?,
        ("type", text @ SearchValue::String(_)) => {
            let displays: Vec<(&str, &str)> = BRANCH_TYPES
                .iter()
                .flat_map(|(code, display)| [(*display, *code), (branch_role(code).1, *code)])
                .collect();
            predicate::code_text(sql, "b.branch_type", &displays, text)?
        }
        ("type", value) => {
            let roles: Vec<(&str, &str)> = BRANCH_TYPES
                .iter()
                .map(|(branch_type, _)| (branch_role(branch_type).0, *branch_type))
                .collect();
            let types: Vec<(&str, &str)> = BRANCH_TYPES.iter().map(|(code, _)| (*code, *code)).collect();
            let tables = [(systems::V3_ROLE_CODE, &roles[..]), (systems::BRANCH_TYPE, &types[..])];
            predicate::code_in_systems(sql, "b.branch_type", &tables, value)?
        }
        ("address" | "address-city" | "address-state" | "address-postalcode", value) => {
            predicate::address(sql, name, &BRANCH_ADDRESS, modifier, value)?
        }
        _ => return Err(unsupported("Location", name)),
    }
    Ok(())
}

/// The insurer keys of the insurer Organizations matching `params`, as a subquery.
pub fn insurer_ids(sql: &mut Sql, params: &[SearchParam], ctx: &MappingContext) -> Result<(), StoreError> {
    row_search::push_ids(sql, &INSURER_ORGANIZATIONS, params, ctx, &insurer_criterion)
}

/// One value of an Organization search parameter as SQL over `branches b`.
fn branch_criterion(
    sql: &mut Sql,
    name: &str,
    modifier: Option<fhir_search::Modifier>,
    value: &SearchValue,
) -> Result<(), StoreError> {
    match (name, value) {
        ("identifier", value) => predicate::identifier(
            sql,
            value,
            &[(systems::BRANCH_CODE, "b.code"), (systems::TH_MOPH_HCODE, "b.hcode")],
        )?,
        ("name", value) => predicate::string(sql, &["b.name_th", "b.name_en"], modifier, value)?,
        ("active", value) => predicate::boolean(sql, "b.active", value)?,
        ("address" | "address-city" | "address-state" | "address-postalcode", value) => {
            predicate::address(sql, name, &BRANCH_ADDRESS, modifier, value)?
        }
        ("type", value) => {
            predicate::code_when_present(sql, "b.id", systems::ORGANIZATION_TYPE, "prov", value)?
        }
        _ => return Err(unsupported("Organization", name)),
    }
    Ok(())
}

/// One value of an Organization search parameter as SQL over `insurers i`.
fn insurer_criterion(
    sql: &mut Sql,
    name: &str,
    modifier: Option<fhir_search::Modifier>,
    value: &SearchValue,
) -> Result<(), StoreError> {
    match (name, value) {
        ("identifier", value) => predicate::identifier(sql, value, &[(systems::INSURER_CODE, "i.code")])?,
        ("name", value) => predicate::string(sql, &["i.name_th", "i.name_en"], modifier, value)?,
        ("active", value) => predicate::boolean(sql, "i.active", value)?,
        ("type", value) => {
            const INSURER_TYPES: [&str; 2] = ["government", "private"];
            let insurers = INSURER_TYPES.map(|insurer_type| ("ins", insurer_type));
            let types = INSURER_TYPES.map(|insurer_type| (insurer_type, insurer_type));
            let tables = [(systems::ORGANIZATION_TYPE, &insurers[..]), (systems::INSURER_TYPE, &types[..])];
            predicate::code_in_systems(sql, "i.insurer_type", &tables, value)?
        }
        // The clinic keeps no insurer addresses.
        ("address" | "address-city" | "address-state" | "address-postalcode", _) => predicate::never(sql),
        _ => return Err(unsupported("Organization", name)),
    }
    Ok(())
}

//! Practitioner (doctors), Organization (branches and insurers) and Location (branches): the
//! reference data the clinic application maintains. Read-only here.

use clinic_db::{BranchRow, DbConnection, DoctorRow, InsurerRow};
use fhir_mapping::{
    BRANCH_TYPES, MappingContext, branch_organization_to_fhir, branch_role, insurer_organization_to_fhir,
    location_to_fhir, practitioner_to_fhir, systems,
};
use fhir_search::{SearchParam, SearchRequest, SearchValue};
use serde_json::Value;

use crate::kind::{ResourceKind, RowSource};
use crate::predicate::{self, AddressColumns};
use crate::row_search::{self, HasRowKey, Rows, Sort, SortType, unsupported};
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

impl HasRowKey for DoctorRow {
    fn row_key(&self) -> i64 {
        self.id
    }
}

impl HasRowKey for BranchRow {
    fn row_key(&self) -> i64 {
        self.id
    }
}

impl HasRowKey for InsurerRow {
    fn row_key(&self) -> i64 {
        self.id
    }
}

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

    /// Branches first, then insurers; a cursor `insurer-<id>` continues among the insurers.
    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        if !request.sort.is_empty() {
            return Err(StoreError::InvalidSearch("_sort is not supported on Organization yet".into()));
        }
        let insurer_cursor = request.cursor.as_deref().and_then(|c| c.strip_prefix("insurer-"));
        let in_insurers = insurer_cursor.is_some();
        // Which part comes next depends on the counts: this search always counts.
        let request = &SearchRequest { total: fhir_search::Total::Accurate, ..request.clone() };
        let branch_request = SearchRequest {
            count: if in_insurers { 0 } else { request.count },
            cursor: if in_insurers { None } else { request.cursor.clone() },
            ..request.clone()
        };
        let branches = row_search::search::<BranchRow>(
            conn,
            &BRANCH_ORGANIZATIONS,
            &branch_request,
            ctx,
            branch_criterion,
        )?;
        let mut resources: Vec<Value> =
            branches.rows.iter().map(|row| branch_organization_to_fhir(row, ctx)).collect();
        let room = request.count.saturating_sub(u32::try_from(resources.len()).unwrap_or(u32::MAX));
        let insurer_request = SearchRequest {
            count: if branches.next_cursor.is_some() { 0 } else { room },
            cursor: insurer_cursor.map(str::to_owned),
            ..request.clone()
        };
        let insurers = row_search::search::<InsurerRow>(
            conn,
            &INSURER_ORGANIZATIONS,
            &insurer_request,
            ctx,
            insurer_criterion,
        )?;
        resources.extend(insurers.rows.iter().map(|row| insurer_organization_to_fhir(row, ctx)));
        let next_cursor = match (branches.next_cursor, insurers.next_cursor) {
            (Some(branch), _) => Some(branch),
            (None, Some(insurer)) => Some(format!("insurer-{insurer}")),
            // The page ended exactly at the last branch: the insurers come next.
            (None, None) if !in_insurers && room == 0 && insurers.total.unwrap_or_default() > 0 => {
                Some("insurer-0".into())
            }
            (None, None) => None,
        };
        Ok(SearchPage {
            resources,
            total: branches.total.zip(insurers.total).map(|(b, i)| b + i),
            next_cursor,
            included: Vec::new(),
        })
    }
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

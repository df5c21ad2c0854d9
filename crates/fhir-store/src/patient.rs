//! Patient <-> `patients`.

use clinic_db::schema::patients;
use clinic_db::{DbConnection, PatientFields, PatientRow};
use diesel::prelude::*;
use fhir_mapping::{MappingContext, patient_from_fhir, patient_to_fhir, systems};
use fhir_search::{SearchParam, SearchRequest, SearchValue};
use serde_json::Value;

use crate::keyset::SortType;
use crate::kind::{ResourceKind, RowSource, row_key};
use crate::predicate::{self, AddressColumns, DateColumn};
use crate::row_search::{self, Rows, Sort};
use crate::sql::{Bind, Sql};
use crate::writes::VersionedFields;
use crate::{SearchPage, StoreError, Written, local_now};

const GENDERS: [(&str, &str); 4] = [("male", "M"), ("female", "F"), ("other", "O"), ("unknown", "U")];
const GENDER_SYSTEM: &str = "http://hl7.org/fhir/administrative-gender";

/// Where the patients table keeps the address.
const ADDRESS: AddressColumns = AddressColumns {
    line: "p.address_line",
    sub_district: "p.sub_district",
    district: "p.district",
    province: "p.province",
    postal_code: "p.postal_code",
};

/// The patients table, as searches see it.
const PATIENTS: Rows = Rows {
    resource_type: "Patient",
    columns: "p.*",
    from: "patients p",
    alias: "p",
    id_prefix: "",
    sorts: &[
        Sort { param: "birthdate", expr: "p.birth_date", kind: SortType::Date },
        Sort { param: "family", expr: "COALESCE(p.last_name_en, p.last_name_th)", kind: SortType::Text },
        Sort { param: "given", expr: "COALESCE(p.first_name_en, p.first_name_th)", kind: SortType::Text },
        Sort { param: "name", expr: "COALESCE(p.last_name_en, p.last_name_th)", kind: SortType::Text },
        Sort { param: "gender", expr: "p.sex", kind: SortType::Text },
    ],
};

pub struct PatientKind;

impl ResourceKind for PatientKind {
    fn resource_type(&self) -> &'static str {
        "Patient"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("patients")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        Ok(patient_to_fhir(&find(conn, row_key("Patient", id)?)?, ctx))
    }

    fn writable(&self) -> bool {
        true
    }

    fn check(&self, resource: &Value, ctx: &MappingContext) -> Vec<fhir_outcome::Issue> {
        patient_from_fhir(resource, ctx).err().unwrap_or_default()
    }

    fn create(
        &self,
        conn: &mut DbConnection,
        resource: &Value,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let mut fields = patient_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
        let assign_hn = fields.hn.is_empty();
        if assign_hn {
            // A unique placeholder until the row key, which the HN is made from, exists.
            fields.hn = format!("~{:016x}", rand::random::<u64>());
        }
        let id = fields.insert(conn, local_now(ctx))?;
        if assign_hn {
            diesel::update(patients::table.find(id)).set(patients::hn.eq(hn_for(id))).execute(conn)?;
        }
        Ok(Written::new(patient_to_fhir(&find(conn, id)?, ctx), true, None))
    }

    fn update(
        &self,
        conn: &mut DbConnection,
        id: &str,
        resource: &Value,
        expected_version: Option<i32>,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let mut fields: PatientFields =
            patient_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
        let current = find(conn, row_key("Patient", id)?)?;
        if fields.hn.is_empty() {
            // The HN is the clinic's key for the patient: leaving it out keeps it.
            fields.hn = current.fields.hn.clone();
        }
        write_version(conn, &current, expected_version, &fields, ctx)
    }

    fn id_subquery(
        &self,
        sql: &mut Sql,
        params: &[SearchParam],
        ctx: &MappingContext,
    ) -> Result<(), StoreError> {
        row_search::push_ids(sql, &PATIENTS, params, ctx, &|sql, name, modifier, value| {
            criterion(sql, name, modifier, value, ctx)
        })
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let page =
            row_search::search::<PatientRow>(conn, &PATIENTS, request, ctx, |sql, name, modifier, value| {
                criterion(sql, name, modifier, value, ctx)
            })?;
        Ok(page.into_resources(|row| patient_to_fhir(row, ctx)))
    }

    fn delete_effect(&self) -> Option<&'static str> {
        Some(
            "The clinic never removes a patient record: delete marks the patient inactive \
             (active = false) as a new version, and the resource reads as deleted (410) until \
             a later update, from FHIR or the clinic application, supersedes that version.",
        )
    }

    fn in_deleted_state(&self, resource: &Value) -> bool {
        resource["active"] == false
    }

    fn delete(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Written, StoreError> {
        let current = find(conn, row_key("Patient", id)?)?;
        let fields = PatientFields { active: false, ..current.fields.clone() };
        write_version(conn, &current, None, &fields, ctx)
    }
}

fn find(conn: &mut DbConnection, id: i64) -> Result<PatientRow, StoreError> {
    patients::table
        .find(id)
        .select(PatientRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { resource_type: "Patient".into(), id: id.to_string() })
}

/// HNs the facade assigns: the row key, zero-padded to seven digits (as the seeder does).
fn hn_for(id: i64) -> String {
    format!("{id:07}")
}

/// Writes `fields` as the next version of `current`, conditional on the version the write is
/// based on: a writer that got in between makes this a conflict instead of a lost update.
fn write_version(
    conn: &mut DbConnection,
    current: &PatientRow,
    expected_version: Option<i32>,
    fields: &PatientFields,
    ctx: &MappingContext,
) -> Result<Written, StoreError> {
    fields.update(conn, current.id, current.version, expected_version, local_now(ctx))?;
    Ok(Written::new(
        patient_to_fhir(&find(conn, current.id)?, ctx),
        false,
        Some(patient_to_fhir(current, ctx)),
    ))
}

fn criterion(
    sql: &mut Sql,
    name: &str,
    modifier: Option<fhir_search::Modifier>,
    value: &SearchValue,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    match (name, value) {
        ("identifier", value @ SearchValue::OfType { .. }) => predicate::of_type(
            sql,
            value,
            &[("MR", "p.hn"), ("NI", "p.national_id"), ("PPN", "p.passport_no")],
        )?,
        ("identifier", value) => identifier(sql, value, ctx)?,
        ("family", value) => {
            predicate::string(sql, &["p.last_name_th", "p.last_name_en"], modifier, value)?;
        }
        ("given", value) => {
            predicate::string(sql, &["p.first_name_th", "p.first_name_en"], modifier, value)?;
        }
        ("name", value) => predicate::string(
            sql,
            &["p.last_name_th", "p.last_name_en", "p.first_name_th", "p.first_name_en", "p.title_th"],
            modifier,
            value,
        )?,
        ("birthdate", value) => {
            predicate::date(sql, "p.birth_date", DateColumn::Day, value, ctx)?;
        }
        ("gender", value) => predicate::code(sql, "p.sex", GENDER_SYSTEM, &GENDERS, value)?,
        ("active", value) => predicate::boolean(sql, "p.active", value)?,
        ("phone" | "email" | "telecom", value) => predicate::telecom(sql, name, value, "p.phone", "p.email")?,
        ("address" | "address-city" | "address-state" | "address-postalcode", value) => {
            predicate::address(sql, name, &ADDRESS, modifier, value)?
        }
        ("general-practitioner", value) => {
            predicate::reference(sql, "p.primary_doctor_id", "Practitioner", value, ctx)?
        }
        ("organization", value) => {
            predicate::reference(sql, "p.registered_branch_id", "Organization", value, ctx)?
        }
        ("deceased", value) => predicate::boolean(sql, "p.deceased", value)?,
        // The time of death is only told for a patient marked deceased (as the mapping does).
        ("death-date", value) => {
            sql.push("(p.deceased = ").bind(Bind::Bool(true)).push(" AND ");
            predicate::date(sql, "p.deceased_at", DateColumn::Instant, value, ctx)?;
            sql.push(")");
        }
        _ => return Err(row_search::unsupported("Patient", name)),
    }
    Ok(())
}

/// `identifier=[system]|[value]` over the HN, the citizen ID, the passport number and the MOPH
/// Connect user id.
fn identifier(sql: &mut Sql, value: &SearchValue, ctx: &MappingContext) -> Result<(), StoreError> {
    // Every patient has an HN (NOT NULL), so `:missing` is decided by it, which its index serves.
    let Some(token) = predicate::token(sql, value, &["p.hn"])? else {
        return Ok(());
    };
    let value = token.code.clone();
    let column_is = |sql: &mut Sql, column: &str| match &value {
        Some(v) => {
            sql.push(column).push(" = ").bind(Bind::Text(v.clone()));
        }
        None => {
            sql.push(column).push(" IS NOT NULL");
        }
    };
    match token.system.as_deref() {
        None => {
            sql.push("(");
            column_is(sql, "p.hn");
            sql.push(" OR ");
            column_is(sql, "p.national_id");
            sql.push(" OR ");
            column_is(sql, "p.passport_no");
            sql.push(" OR ");
            column_is(sql, "p.moph_user_id");
            sql.push(")");
        }
        Some(system) if system == ctx.hn_system => column_is(sql, "p.hn"),
        Some(systems::THAI_CITIZEN_ID) => column_is(sql, "p.national_id"),
        Some(systems::MOPH_CONNECT_USER) => column_is(sql, "p.moph_user_id"),
        Some(system) => match system.strip_prefix(systems::PASSPORT_PREFIX) {
            Some(country) => {
                sql.push("(");
                column_is(sql, "p.passport_no");
                sql.push(" AND p.passport_country = ").bind(Bind::Text(country.to_owned())).push(")");
            }
            None => predicate::never(sql),
        },
    }
    Ok(())
}

//! Appointment <-> `appointments`. A FHIR delete cancels the appointment.

use clinic_db::{AppointmentFields, AppointmentRow, DbConnection};
use fhir_mapping::{
    APPOINTMENT_CANCELLED, APPOINTMENT_STATUSES, APPOINTMENT_TYPES, MappingContext, appointment_from_fhir,
    appointment_to_fhir, systems,
};
use fhir_search::{SearchRequest, SearchValue};
use serde_json::Value;

use crate::keyset::SortType;
use crate::kind::{ResourceKind, RowSource};
use crate::predicate::{self, DateColumn};
use crate::row_search::{self, Rows, Sort, unsupported};
use crate::sql::{Bind, Sql};
use crate::writes::{RowRef, VersionedFields, require_rows};
use crate::{SearchPage, StoreError, Written, local_now};

const APPOINTMENTS: Rows = Rows {
    resource_type: "Appointment",
    columns: "a.*",
    from: "appointments a",
    alias: "a",
    id_prefix: "",
    sorts: &[
        Sort { param: "date", expr: "a.start_at", kind: SortType::Timestamp },
        Sort { param: "status", expr: "a.status", kind: SortType::Text },
    ],
};
const STATUS_SYSTEM: &str = "http://hl7.org/fhir/appointmentstatus";

pub struct AppointmentKind;

impl ResourceKind for AppointmentKind {
    fn resource_type(&self) -> &'static str {
        "Appointment"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("appointments")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        Ok(appointment_to_fhir(&row_search::found(conn, &APPOINTMENTS, id)?, ctx))
    }

    fn writable(&self) -> bool {
        true
    }

    fn check(&self, resource: &Value, ctx: &MappingContext) -> Vec<fhir_outcome::Issue> {
        appointment_from_fhir(resource, ctx).err().unwrap_or_default()
    }

    fn create(
        &self,
        conn: &mut DbConnection,
        resource: &Value,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let fields = appointment_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
        require_rows(conn, &references(&fields, resource))?;
        let id = fields.insert(conn, local_now(ctx))?;
        Ok(Written::new(self.read(conn, &id.to_string(), ctx)?, true, None))
    }

    fn update(
        &self,
        conn: &mut DbConnection,
        id: &str,
        resource: &Value,
        expected_version: Option<i32>,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let fields = appointment_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
        require_rows(conn, &references(&fields, resource))?;
        let current: AppointmentRow = row_search::found(conn, &APPOINTMENTS, id)?;
        write_version(conn, &current, expected_version, &fields, ctx)
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let page = row_search::search::<AppointmentRow>(
            conn,
            &APPOINTMENTS,
            request,
            ctx,
            |sql, name, _, value| {
                match (name, value) {
                    ("patient", value) => predicate::reference(sql, "a.patient_id", "Patient", value, ctx)?,
                    ("practitioner", value) => {
                        predicate::reference(sql, "a.doctor_id", "Practitioner", value, ctx)?
                    }
                    ("location", value) => predicate::reference(sql, "a.branch_id", "Location", value, ctx)?,
                    ("actor", value) => {
                        sql.push("(");
                        predicate::reference(sql, "a.patient_id", "Patient", value, ctx)?;
                        sql.push(" OR ");
                        predicate::reference(sql, "a.doctor_id", "Practitioner", value, ctx)?;
                        sql.push(" OR ");
                        predicate::reference(sql, "a.branch_id", "Location", value, ctx)?;
                        sql.push(")");
                    }
                    ("date", value) => predicate::date(sql, "a.start_at", DateColumn::Instant, value, ctx)?,
                    ("status", value) => status(sql, value)?,
                    ("reason-code", value) => predicate::text_only(sql, "a.reason", value)?,
                    ("appointment-type", text @ SearchValue::String(_)) => {
                        let displays: Vec<(&str, &str)> =
                            APPOINTMENT_TYPES.iter().map(|(code, display, _)| (*display, *code)).collect();
                        predicate::code_text(sql, "a.appt_type", &displays, text)?
                    }
                    ("appointment-type", value) => {
                        let clinic: Vec<(&str, &str)> =
                            APPOINTMENT_TYPES.iter().map(|(code, _, _)| (*code, *code)).collect();
                        let v2: Vec<(&str, &str)> = APPOINTMENT_TYPES
                            .iter()
                            .filter_map(|(code, _, v2)| Some(((*v2)?, *code)))
                            .collect();
                        let tables = [
                            (systems::CLINIC_APPOINTMENT_TYPE, &clinic[..]),
                            (systems::APPOINTMENT_REASON_V2, &v2[..]),
                        ];
                        predicate::code_in_systems(sql, "a.appt_type", &tables, value)?
                    }
                    ("identifier", value) => {
                        predicate::identifier(sql, value, &[(systems::CLINIC_QUEUE_NUMBER, "a.queue_no")])?
                    }
                    _ => return Err(unsupported("Appointment", name)),
                }
                Ok(())
            },
        )?;
        Ok(page.into_resources(|row| appointment_to_fhir(row, ctx)))
    }

    fn delete_effect(&self) -> Option<&'static str> {
        Some(
            "Delete cancels the appointment (status cancelled) as a new version; the slot it held \
             becomes free and the resource reads as deleted (410) until a later update.",
        )
    }

    fn in_deleted_state(&self, resource: &Value) -> bool {
        resource["status"] == APPOINTMENT_CANCELLED
    }

    fn delete(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Written, StoreError> {
        let current: AppointmentRow = row_search::found(conn, &APPOINTMENTS, id)?;
        let cancelled =
            AppointmentFields { status: APPOINTMENT_CANCELLED.to_owned(), ..current.fields.clone() };
        write_version(conn, &current, None, &cancelled, ctx)
    }
}

fn write_version(
    conn: &mut DbConnection,
    current: &AppointmentRow,
    expected_version: Option<i32>,
    fields: &AppointmentFields,
    ctx: &MappingContext,
) -> Result<Written, StoreError> {
    fields.update(conn, current.id, current.version, expected_version, local_now(ctx))?;
    let id = current.id.to_string();
    Ok(Written::new(
        appointment_to_fhir(&row_search::found(conn, &APPOINTMENTS, &id)?, ctx),
        false,
        Some(appointment_to_fhir(current, ctx)),
    ))
}

/// Appointment.status: one FHIR status may stand for several clinic statuses (booked is
/// scheduled or confirmed).
fn status(sql: &mut Sql, value: &SearchValue) -> Result<(), StoreError> {
    let Some(token) = predicate::token(sql, value, &["a.status"])? else { return Ok(()) };
    if token.system.as_deref().is_some_and(|s| s != STATUS_SYSTEM) {
        predicate::never(sql);
        return Ok(());
    }
    let Some(code) = token.code.as_deref() else {
        sql.push("1 = 1");
        return Ok(());
    };
    sql.push("a.status IN ('-'");
    for (clinic, _) in APPOINTMENT_STATUSES.iter().filter(|(_, fhir)| *fhir == code) {
        sql.push(", ").bind(Bind::Text((*clinic).to_owned()));
    }
    sql.push(")");
    Ok(())
}

/// The rows an appointment references, each at the participant that names it.
fn references(fields: &AppointmentFields, resource: &Value) -> Vec<RowRef> {
    let actor_path = |resource_type: &str| {
        let participants = resource["participant"].as_array().map_or(&[][..], Vec::as_slice);
        let prefix = format!("{resource_type}/");
        match participants
            .iter()
            .position(|p| p["actor"]["reference"].as_str().is_some_and(|r| r.starts_with(&prefix)))
        {
            Some(index) => format!("Appointment.participant[{index}].actor"),
            None => "Appointment.participant".to_owned(),
        }
    };
    vec![
        RowRef::new("Patient", "patients", Some(fields.patient_id), &actor_path("Patient")),
        RowRef::new("Practitioner", "doctors", fields.doctor_id, &actor_path("Practitioner")),
        RowRef::new("Location", "branches", Some(fields.branch_id), &actor_path("Location")),
    ]
}

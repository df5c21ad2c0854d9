//! `doctor_schedules`: a doctor's weekly consulting block at a branch, read-only.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;

use crate::schema::doctor_schedules;

/// A doctor_schedules row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = doctor_schedules)]
pub struct DoctorScheduleRow {
    pub id: i64,
    pub doctor_id: i64,
    pub branch_id: i64,
    /// ISO 8601 weekday: 1 = Monday.
    pub weekday: i16,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub slot_minutes: i32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub active: bool,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

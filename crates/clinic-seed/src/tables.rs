//! The tables the seeder fills, their rows encoded for each backend's fastest bulk path:
//! PostgreSQL `COPY ... FROM STDIN` text and SQLite multi-row `INSERT`s.

use std::fmt::Write as _;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use clinic_db::{Backend, DbConnection, schema};
use diesel::connection::SimpleConnection;
use diesel::pg::CopyFormat;
use diesel::prelude::*;

/// Rows per SQLite INSERT statement: large enough to amortise parsing, small enough that one
/// statement stays a few hundred kilobytes. Tests use fewer so that tables span statements.
const SQLITE_ROWS_PER_INSERT: u64 = if cfg!(test) { 40 } else { 500 };

/// libpq takes a COPY buffer's length as a C int, so large batches go in slices.
const COPY_CHUNK_BYTES: usize = 1 << 20;

/// Declares each seeded table once: its variant, its diesel table and the column order the
/// seeder writes. Generating both the COPY target and the SQLite column list from this one
/// list keeps them in step, and the compiler checks every column against the schema.
macro_rules! seed_tables {
    ($($variant:ident => $table:ident ($($column:ident),+ $(,)?);)+) => {
        /// The seeded tables, in an order that satisfies their foreign keys.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum SeedTable {
            $($variant,)+
        }

        impl SeedTable {
            pub(crate) const ALL: &'static [SeedTable] = &[$(SeedTable::$variant,)+];

            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(SeedTable::$variant => stringify!($table),)+
                }
            }

            pub(crate) fn columns(self) -> &'static [&'static str] {
                match self {
                    $(SeedTable::$variant => &[$(stringify!($column),)+],)+
                }
            }

            pub(crate) fn max_id(self, conn: &mut DbConnection) -> QueryResult<i64> {
                let max = match self {
                    $(SeedTable::$variant => schema::$table::table
                        .select(diesel::dsl::max(schema::$table::id))
                        .get_result::<Option<i64>>(conn)?,)+
                };
                Ok(max.unwrap_or(0))
            }

            fn copy_into_postgres(self, pg: &mut PgConnection, data: &[u8]) -> QueryResult<usize> {
                match self {
                    $(SeedTable::$variant => diesel::copy_from(schema::$table::table)
                        .from_raw_data(($(schema::$table::$column,)+), |sink| write_copy_data(sink, data))
                        .with_format(CopyFormat::Text)
                        .execute(pg),)+
                }
            }
        }
    };
}

seed_tables! {
    Branches => branches(
        id, code, hcode, name_th, name_en, branch_type, phone, email, address_line, sub_district,
        district, province, postal_code, active, updated_at, version,
    );
    Doctors => doctors(
        id, license_no, title_th, first_name_th, last_name_th, first_name_en, last_name_en, sex,
        specialty, phone, email, branch_id, active, updated_at, version,
    );
    Insurers => insurers(id, code, name_th, name_en, insurer_type, phone, active, updated_at, version);
    Drugs => drugs(
        id, local_code, tmt_code, generic_name, trade_name, strength, dosage_form, dispense_unit,
        unit_price_satang, active, updated_at, version,
    );
    DoctorSchedules => doctor_schedules(
        id, doctor_id, branch_id, weekday, start_time, end_time, slot_minutes, valid_from, valid_to,
        active, updated_at, version,
    );
    Patients => patients(
        id, hn, national_id, passport_no, passport_country, title_th, first_name_th, last_name_th,
        first_name_en, last_name_en, sex, birth_date, phone, email, address_line, sub_district,
        district, province, postal_code, nationality, blood_group, allergies, deceased, deceased_at,
        primary_doctor_id, registered_branch_id, active, created_at, updated_at, version,
    );
    PatientCoverages => patient_coverages(
        id, patient_id, insurer_id, scheme, member_no, plan_name, main_hospital_code, valid_from,
        valid_to, status, updated_at, version,
    );
    Appointments => appointments(
        id, patient_id, doctor_id, branch_id, start_at, duration_min, appt_type, status, reason,
        note, queue_no, created_at, updated_at, version,
    );
    Visits => visits(
        id, vn, patient_id, doctor_id, branch_id, appointment_id, coverage_id, started_at, ended_at,
        chief_complaint, visit_type, status, updated_at, version,
    );
    VitalSigns => vital_signs(
        id, visit_id, measured_at, weight_kg, height_cm, bp_systolic, bp_diastolic, pulse_rate,
        temperature_c, respiratory_rate, spo2, updated_at, version,
    );
    LabResults => lab_results(
        id, visit_id, local_code, loinc_code, test_name, value_numeric, value_text, unit, ref_low,
        ref_high, ref_text, flag, status, collected_at, reported_at, updated_at, version,
    );
    Diagnoses => diagnoses(id, visit_id, icd10, diag_type, doctor_id, diagnosed_at, updated_at, version);
    Prescriptions => prescriptions(
        id, visit_id, drug_id, doctor_id, dose, dose_unit, frequency, route, duration_days, quantity,
        sig_text, status, dispensed, dispensed_at, prescribed_at, updated_at, version,
    );
    Claims => claims(
        id, claim_no, visit_id, patient_id, coverage_id, insurer_id, branch_id, claim_use,
        claim_type, status, priority, total_satang, created_at, submitted_at, updated_at, version,
    );
    ClaimItems => claim_items(
        id, claim_id, seq, category, item_code, item_name, quantity, unit_price_satang, net_satang,
        updated_at, version,
    );
    ClinicalNotes => clinical_notes(
        id, visit_id, author_doctor_id, note_type, subjective, objective, assessment, plan, status,
        written_at, updated_at, version,
    );
}

impl SeedTable {
    /// Variants are declared in the order of `ALL`, so the discriminant is the position.
    fn index(self) -> usize {
        self as usize
    }
}

fn write_copy_data(sink: &mut dyn std::io::Write, data: &[u8]) -> QueryResult<()> {
    for chunk in data.chunks(COPY_CHUNK_BYTES) {
        sink.write_all(chunk).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    }
    Ok(())
}

/// One column value of a row being encoded.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Field<'a> {
    Null,
    Int(i64),
    Float(f64),
    Text(&'a str),
    Bool(bool),
    Date(NaiveDate),
    Time(NaiveTime),
    Timestamp(NaiveDateTime),
}

impl From<i64> for Field<'_> {
    fn from(value: i64) -> Self {
        Field::Int(value)
    }
}

impl From<i32> for Field<'_> {
    fn from(value: i32) -> Self {
        Field::Int(value.into())
    }
}

impl From<i16> for Field<'_> {
    fn from(value: i16) -> Self {
        Field::Int(value.into())
    }
}

impl From<f64> for Field<'_> {
    fn from(value: f64) -> Self {
        Field::Float(value)
    }
}

impl<'a> From<&'a str> for Field<'a> {
    fn from(value: &'a str) -> Self {
        Field::Text(value)
    }
}

impl<'a> From<&'a String> for Field<'a> {
    fn from(value: &'a String) -> Self {
        Field::Text(value)
    }
}

impl From<bool> for Field<'_> {
    fn from(value: bool) -> Self {
        Field::Bool(value)
    }
}

impl From<NaiveDate> for Field<'_> {
    fn from(value: NaiveDate) -> Self {
        Field::Date(value)
    }
}

impl From<NaiveTime> for Field<'_> {
    fn from(value: NaiveTime) -> Self {
        Field::Time(value)
    }
}

impl From<NaiveDateTime> for Field<'_> {
    fn from(value: NaiveDateTime) -> Self {
        Field::Timestamp(value)
    }
}

impl<'a, T: Into<Field<'a>>> From<Option<T>> for Field<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Field::Null, Into::into)
    }
}

/// Rows for one table, already encoded in the backend's bulk-load format.
struct EncodedRows {
    rows: u64,
    text: String,
}

/// All rows of one batch, one buffer per table, written in one transaction.
pub(crate) struct Batch {
    backend: Backend,
    tables: Vec<EncodedRows>,
}

impl Batch {
    pub(crate) fn new(backend: Backend) -> Batch {
        let tables = SeedTable::ALL.iter().map(|_| EncodedRows { rows: 0, text: String::new() }).collect();
        Batch { backend, tables }
    }

    /// Appends one row; `fields` are in the order the table's declaration above lists.
    pub(crate) fn push(&mut self, table: SeedTable, fields: &[Field<'_>]) {
        debug_assert_eq!(fields.len(), table.columns().len(), "{}", table.name());
        let encoded = &mut self.tables[table.index()];
        match self.backend {
            Backend::Postgres => encode_copy_row(&mut encoded.text, fields),
            Backend::Sqlite => {
                if encoded.rows.is_multiple_of(SQLITE_ROWS_PER_INSERT) {
                    start_sqlite_insert(&mut encoded.text, table);
                } else {
                    encoded.text.push(',');
                }
                encode_sqlite_row(&mut encoded.text, fields);
            }
        }
        encoded.rows += 1;
    }

    pub(crate) fn rows(&self, table: SeedTable) -> u64 {
        self.tables[table.index()].rows
    }

    pub(crate) fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    /// Writes every table's rows, parents before children, in one transaction.
    pub(crate) fn write(&self, conn: &mut DbConnection) -> QueryResult<()> {
        conn.transaction(|conn| {
            for (&table, encoded) in SeedTable::ALL.iter().zip(&self.tables) {
                if encoded.rows == 0 {
                    continue;
                }
                match conn {
                    DbConnection::Postgres(pg) => {
                        table.copy_into_postgres(pg, encoded.text.as_bytes())?;
                    }
                    DbConnection::Sqlite(lite) => lite.batch_execute(&encoded.text)?,
                }
            }
            if let DbConnection::Postgres(pg) = conn {
                reset_postgres_sequences(pg)?;
            }
            Ok(())
        })
    }
}

/// Serialises the sequence resets of concurrent seeding transactions (see below).
const SEQUENCE_RESET_LOCK: i64 = 0x5EED_5E00;

/// Rows were inserted with explicit ids, which leaves each BIGSERIAL sequence behind; the API's
/// next insert would collide without this. Batches commit concurrently, so the reset waits for
/// any other batch's reset to commit first: its `max(id)` then counts that batch's rows too,
/// and a sequence never moves back.
fn reset_postgres_sequences(pg: &mut PgConnection) -> QueryResult<()> {
    let mut sql = format!("SELECT pg_advisory_xact_lock({SEQUENCE_RESET_LOCK});\n");
    for table in SeedTable::ALL {
        let name = table.name();
        // setval is strict: on an empty table max(id) is NULL and the sequence is left alone.
        let _ = writeln!(
            sql,
            "SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}));"
        );
    }
    pg.batch_execute(&sql)
}

fn start_sqlite_insert(out: &mut String, table: SeedTable) {
    if !out.is_empty() {
        out.push_str(";\n");
    }
    let _ = write!(out, "INSERT INTO {} (", table.name());
    for (i, column) in table.columns().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"{column}\"");
    }
    out.push_str(") VALUES ");
}

/// PostgreSQL COPY text format: tab-separated, `\N` for NULL, backslash escapes in text.
fn encode_copy_row(out: &mut String, fields: &[Field<'_>]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        match *field {
            Field::Null => out.push_str("\\N"),
            Field::Text(text) => escape_copy_text(out, text),
            Field::Bool(value) => out.push(if value { 't' } else { 'f' }),
            other => encode_plain(out, other),
        }
    }
    out.push('\n');
}

fn escape_copy_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// A SQLite row literal; booleans are stored as 0/1 and timestamps as text, as diesel does.
fn encode_sqlite_row(out: &mut String, fields: &[Field<'_>]) {
    out.push('(');
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match *field {
            Field::Null => out.push_str("NULL"),
            Field::Bool(value) => out.push(if value { '1' } else { '0' }),
            Field::Text(text) => quote_sql_text(out, text),
            Field::Int(_) | Field::Float(_) => encode_plain(out, *field),
            Field::Date(_) | Field::Time(_) | Field::Timestamp(_) => {
                out.push('\'');
                encode_plain(out, *field);
                out.push('\'');
            }
        }
    }
    out.push(')');
}

fn quote_sql_text(out: &mut String, text: &str) {
    out.push('\'');
    for c in text.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
}

/// Values whose text form needs no escaping in either format.
fn encode_plain(out: &mut String, field: Field<'_>) {
    let _ = match field {
        Field::Int(value) => write!(out, "{value}"),
        // `{:?}` keeps a decimal point (70.0), so SQLite stores a REAL, never an INTEGER.
        Field::Float(value) => write!(out, "{value:?}"),
        // chrono's Display is ISO 8601 with a space before the time and no fraction for whole
        // seconds: the form both backends parse.
        Field::Date(value) => write!(out, "{value}"),
        Field::Time(value) => write!(out, "{value}"),
        Field::Timestamp(value) => write!(out, "{value}"),
        Field::Null | Field::Text(_) | Field::Bool(_) => {
            unreachable!("NULL, text and booleans are encoded per backend")
        }
    };
}

/// The id each table's next row gets: one past the largest id already stored.
pub(crate) struct NextIds([i64; SeedTable::ALL.len()]);

impl NextIds {
    pub(crate) fn load(conn: &mut DbConnection) -> QueryResult<NextIds> {
        let mut next = [0; SeedTable::ALL.len()];
        for (slot, table) in next.iter_mut().zip(SeedTable::ALL) {
            *slot = table.max_id(conn)? + 1;
        }
        Ok(NextIds(next))
    }

    pub(crate) fn take(&mut self, table: SeedTable) -> i64 {
        let slot = &mut self.0[table.index()];
        let id = *slot;
        *slot += 1;
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_separators_and_backslashes() {
        let mut out = String::new();
        encode_copy_row(
            &mut out,
            &[Field::Int(7), Field::Text("a\tb\\c\nd"), Field::Null, Field::Bool(true), Field::Float(70.0)],
        );
        assert_eq!(out, "7\ta\\tb\\\\c\\nd\t\\N\tt\t70.0\n");
    }

    #[test]
    fn sqlite_literals_double_quotes_and_quote_dates() {
        let mut out = String::new();
        let date = NaiveDate::from_ymd_opt(2024, 2, 29).expect("valid date");
        encode_sqlite_row(
            &mut out,
            &[Field::Text("O'Brien"), Field::Date(date), Field::Bool(false), Field::Null],
        );
        assert_eq!(out, "('O''Brien','2024-02-29',0,NULL)");
    }
}

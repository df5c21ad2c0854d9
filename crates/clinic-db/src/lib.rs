//! The clinic database: schema, one connection type for PostgreSQL and SQLite, a pool, and the
//! migrations embedded in the binary.
//!
//! Every clinic timestamp is the clinic's local wall-clock time in a `TIMESTAMP` column (the
//! clinic application writes them that way); the mapping crate attaches the clinic's UTC offset.

mod connection;
mod rows;
pub mod schema;

pub use connection::{Backend, Connector, Database, DbBackend, DbConnection, DbError};
pub use diesel;
pub use rows::{AppointmentFields, AppointmentRow};
pub use rows::{ClaimFields, ClaimItemFields, ClaimItemRow, ClaimRow};
pub use rows::{ClinicalNoteFields, ClinicalNoteRow};
pub use rows::{DrugRow, PrescriptionFields, PrescriptionRow};
pub use rows::{PatientFields, PatientRow};

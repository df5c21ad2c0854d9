//! The clinic database: schema, one connection type for PostgreSQL and SQLite, a pool, and the
//! migrations embedded in the binary.
//!
//! Every clinic timestamp is the clinic's local wall-clock time in a `TIMESTAMP` column (the
//! clinic application writes them that way); the mapping crate attaches the clinic's UTC offset.

mod connection;
mod rows;
pub mod schema;
mod search_fold;
pub mod sql;

pub use connection::{Backend, Connector, Database, DbBackend, DbConnection, DbError};
pub use diesel;
pub use rows::*;
pub use search_fold::search_fold;

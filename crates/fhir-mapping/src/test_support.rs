//! What the mapping tests share.

use chrono::NaiveDateTime;

use crate::MappingContext;

/// A clinic in Thailand with a test HN system.
pub fn ctx() -> MappingContext {
    MappingContext::thailand("https://clinic.example/hn")
}

/// Clinic wall-clock time from `YYYY-MM-DD HH:MM`.
pub fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

//! Turns a panic inside fhirbolt into a parse error, without printing it.
//!
//! The default panic hook would print the panic message to stderr, and a message from deep
//! inside a deserializer may quote the client's data (patient data must never reach the logs).
//! A hook installed once stays silent for panics on threads that are inside a guarded parse and
//! defers to the previous hook everywhere else.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::ParseError;

thread_local! {
    static IN_GUARDED_PARSE: Cell<bool> = const { Cell::new(false) };
}

static INSTALL_HOOK: Once = Once::new();

fn install_quiet_hook() {
    INSTALL_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !IN_GUARDED_PARSE.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

pub(crate) fn catch_parse_panic<T>(parse: impl FnOnce() -> Result<T, ParseError>) -> Result<T, ParseError> {
    install_quiet_hook();
    IN_GUARDED_PARSE.with(|flag| flag.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(parse));
    IN_GUARDED_PARSE.with(|flag| flag.set(false));
    outcome.unwrap_or_else(|_| {
        Err(ParseError(
            "the body is not a valid FHIR resource (an element has an empty or malformed value)".to_owned(),
        ))
    })
}

//! FHIR search, parsed: a query string becomes a typed [`SearchRequest`] checked against the
//! [`registry`] of parameters the server supports. No IO: the store compiles requests to SQL.

mod date;
mod history;
mod prefix;
mod quantity;
pub mod registry;
mod request;

pub use date::{DateValue, approximate_range};
pub use history::{HistoryRequest, parse_history};
pub use prefix::Prefix;
pub use quantity::{Decimal, QuantityValue};
pub use registry::{ParamDef, ParamType};
pub use request::{
    DEFAULT_COUNT, Handling, Include, MAX_COUNT, MAX_SORT_KEYS, Modifier, SearchParam, SearchRequest,
    SearchValue, TokenValue, Total, UNASKED_TOTAL_LIMIT, parse,
};

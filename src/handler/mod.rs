//! One module per statement family; each exposes `handle_<verb>_<object>`
//! functions that the session's dispatch calls.

pub mod datasource;
pub mod flink;
pub mod preview;

pub use crate::sql::ast::object_name;

//! One module per statement family; each exposes `handle_<verb>_<object>`
//! functions that the session's dispatch calls.

pub mod datasource;

use sqlparser::ast::Ident;

/// The name an object is stored under: unquoted identifiers fold to lower
/// case (as in PostgreSQL), quoted ones keep their case.
pub fn object_name(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

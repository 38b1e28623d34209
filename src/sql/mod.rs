//! The SQL layer: splitting a script into statements, parsing scaleph's
//! extension statements into [`ast::Statement`], and telling Flink SQL
//! apart without ever rejecting it.

pub mod ast;
pub mod mask;

use crate::error::Result;

pub use ast::Statement;

/// One statement of a script, with its original text and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedStatement {
    /// What it is.
    pub statement: Statement,
    /// Its original text, without the terminating `;` (forwarded as is).
    pub text: String,
    /// Byte offset of `text` in the script.
    pub offset: usize,
}

impl ParsedStatement {
    /// The statement as it may be logged: option values whose keys look
    /// secret are masked.
    pub fn redacted(&self) -> String {
        todo!("sql helper")
    }
}

/// Splits `script` into statements and parses each. An empty script (only
/// whitespace and comments) gives no statements. Errors carry the position
/// in `script`.
pub fn parse_script(script: &str) -> Result<Vec<ParsedStatement>> {
    let _ = script;
    todo!("sql helper")
}

/// Whether `text` typed so far holds complete statements: it ends with a
/// `;` outside strings, comments and `BEGIN ... END` blocks. The REPL reads
/// more lines until it does.
pub fn input_complete(text: &str) -> bool {
    text.trim_end().ends_with(';')
}

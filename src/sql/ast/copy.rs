//! `COPY ... TO STDOUT`: a query's rows in PostgreSQL's COPY text or CSV
//! form, what psql's `\copy (query) TO ...` and export scripts ask for.

use std::fmt;

use super::{Statement, quote_string};

/// `COPY (query) TO STDOUT [WITH (...)]`, or `COPY table [(columns)] TO
/// STDOUT ...` (read as `SELECT columns FROM table`).
#[derive(Clone, Debug, PartialEq)]
pub struct CopyTo {
    /// The query whose rows are copied: a query the engine answers or a
    /// Flink query.
    pub query: Box<Statement>,
    /// The query's text as written (or made from the table form).
    pub text: String,
    /// How rows are written.
    pub format: CopyFormat,
}

/// The options of a COPY: PostgreSQL's defaults are text with tab
/// delimiters and `\N` for NULL, CSV with commas and an empty NULL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyFormat {
    /// CSV instead of text.
    pub csv: bool,
    /// A first line with the column names.
    pub header: bool,
    /// The character between values.
    pub delimiter: char,
    /// How NULL is written.
    pub null: String,
    /// The CSV quote character.
    pub quote: char,
}

impl CopyFormat {
    /// The defaults of the text format.
    pub fn text() -> CopyFormat {
        CopyFormat {
            csv: false,
            header: false,
            delimiter: '\t',
            null: "\\N".to_string(),
            quote: '"',
        }
    }

    /// The defaults of the CSV format (the header and quote kept).
    pub fn csv(self) -> CopyFormat {
        CopyFormat {
            csv: true,
            delimiter: ',',
            null: String::new(),
            ..self
        }
    }
}

impl fmt::Display for CopyTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = &self.format;
        write!(
            f,
            "COPY ({}) TO STDOUT WITH (FORMAT {}, HEADER {}, DELIMITER {}, NULL {}",
            self.text,
            if format.csv { "csv" } else { "text" },
            format.header,
            quote_string(&format.delimiter.to_string()),
            quote_string(&format.null),
        )?;
        if format.csv {
            write!(f, ", QUOTE {}", quote_string(&format.quote.to_string()))?;
        }
        f.write_str(")")
    }
}

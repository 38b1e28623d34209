//! Rendering results for a terminal: psql-like aligned tables, expanded
//! records (`\x`), and command tags. Cell text comes from one function,
//! [`cell_texts`], so tables and records show values the same way; a
//! timestamp with a zone (Flink's TIMESTAMP_LTZ) is written as psql shows
//! a timestamptz, in the session's `TimeZone`.

use std::fmt::Write as _;

use arrow::array::{Array, AsArray, RecordBatch, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Schema, TimeUnit, TimestampMicrosecondType};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::{Alignment, Style};

use crate::error::{Error, Result};
use crate::server::pgwire::encode::{client_zone, timestamptz_text};

/// How rows are laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// One row per line, aligned columns.
    #[default]
    Table,
    /// One `column | value` line per field, a header per record (psql `\x`).
    Expanded,
}

/// The text of every cell of `batch`, row by row; NULL is empty, as in
/// psql; timestamps with a zone in `time_zone`.
pub fn cell_texts(batch: &RecordBatch, time_zone: &str) -> Result<Vec<Vec<String>>> {
    let options = FormatOptions::default().with_null("");
    let formatters = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::internal(format!("cannot format a result column: {e}")).with_source(e)
        })?;
    let zone = client_zone(time_zone);
    let instants = batch
        .columns()
        .iter()
        .map(|c| instants(c.as_ref()))
        .collect::<Result<Vec<_>>>()?;
    Ok((0..batch.num_rows())
        .map(|row| {
            formatters
                .iter()
                .zip(&instants)
                .map(|(f, instants)| {
                    instants
                        .as_ref()
                        .filter(|column| !column.is_null(row))
                        .and_then(|column| column.value_as_datetime(row))
                        .and_then(|at| timestamptz_text(&at.and_utc(), zone))
                        .unwrap_or_else(|| f.value(row).to_string())
                })
                .collect()
        })
        .collect())
}

/// A timestamp-with-zone column as UTC microseconds (`None` for other
/// types).
fn instants(column: &dyn Array) -> Result<Option<TimestampMicrosecondArray>> {
    let DataType::Timestamp(_, Some(_)) = column.data_type() else {
        return Ok(None);
    };
    let cast = arrow::compute::cast(column, &DataType::Timestamp(TimeUnit::Microsecond, None))
        .map_err(|e| Error::internal(format!("a timestamp column: {e}")).with_source(e))?;
    Ok(Some(
        cast.as_primitive::<TimestampMicrosecondType>().clone(),
    ))
}

/// Renders rows as psql does, with a `(N rows)` footer; timestamps with a
/// zone in `time_zone` (the session's `TimeZone`).
pub fn render_rows(
    schema: &Schema,
    batches: &[RecordBatch],
    layout: Layout,
    time_zone: &str,
) -> Result<String> {
    let mut rows = Vec::new();
    for batch in batches {
        rows.extend(cell_texts(batch, time_zone)?);
    }
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let mut out = match layout {
        Layout::Table => render_table(schema, &names, &rows),
        Layout::Expanded => render_expanded(&names, &rows),
    };
    let count = rows.len();
    let _ = writeln!(out, "({count} row{})", if count == 1 { "" } else { "s" });
    Ok(out)
}

fn render_table(schema: &Schema, names: &[&str], rows: &[Vec<String>]) -> String {
    let mut builder = Builder::default();
    builder.push_record(names.iter().copied());
    for row in rows {
        builder.push_record(row.iter().map(String::as_str));
    }
    let mut table = builder.build();
    table.with(Style::psql());
    for (i, field) in schema.fields().iter().enumerate() {
        if field.data_type().is_numeric() {
            table.modify(Columns::one(i), Alignment::right());
        }
    }
    // The header row is centred, as in psql.
    table.modify(tabled::settings::object::Rows::first(), Alignment::center());
    let mut out = table.to_string();
    out.push('\n');
    out
}

fn render_expanded(names: &[&str], rows: &[Vec<String>]) -> String {
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let _ = writeln!(
            out,
            "-[ RECORD {} ]{}",
            i + 1,
            "-".repeat(width.saturating_sub(8))
        );
        for (name, value) in names.iter().zip(row) {
            let _ = writeln!(out, "{name:<width$} | {value}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field};
    use std::sync::Arc;

    fn sample() -> (Arc<Schema>, RecordBatch) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, true),
            Field::new("name", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(vec![Some(42), None])),
                Arc::new(StringArray::from(vec![Some("ab"), Some("c")])),
            ],
        )
        .unwrap();
        (schema, batch)
    }

    #[test]
    fn render_rows_table_is_psql_like_with_footer() {
        let (schema, batch) = sample();
        let text = render_rows(&schema, &[batch], Layout::Table, "UTC").unwrap();
        assert!(text.contains(" n  | name"), "{text}");
        assert!(text.contains(" 42 | ab"), "{text}");
        assert!(text.ends_with("(2 rows)\n"), "{text}");
    }

    #[test]
    fn render_rows_expanded_shows_one_record_per_block() {
        let (schema, batch) = sample();
        let text = render_rows(&schema, &[batch], Layout::Expanded, "UTC").unwrap();
        assert!(text.contains("-[ RECORD 2 ]"), "{text}");
        assert!(text.contains("name | c\n"), "{text}");
    }

    /// Issue 18: a TIMESTAMP_LTZ shows as psql shows a timestamptz, in
    /// the session's TimeZone; NULL stays empty.
    #[test]
    fn issue_18_timestamps_with_a_zone_show_in_the_time_zone() {
        let at = TimestampMicrosecondArray::from(vec![Some(1_767_232_800_000_000), None])
            .with_timezone("UTC");
        let schema = Arc::new(Schema::new(vec![Field::new(
            "at",
            at.data_type().clone(),
            true,
        )]));
        let batch = RecordBatch::try_new(schema, vec![Arc::new(at)]).unwrap();
        assert_eq!(
            cell_texts(&batch, "Asia/Shanghai").unwrap(),
            [["2026-01-01 10:00:00+08"], [""]]
        );
    }
}

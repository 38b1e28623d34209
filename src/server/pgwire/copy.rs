//! COPY ... TO STDOUT: rows as COPY writes them, one line per row, each
//! value in PostgreSQL's text representation (the one DataRows carry, from
//! [`encode_batch`]), escaped for the text format (`\t`, `\n`, `\\`, NULL
//! as `\N`) or quoted for CSV (values holding the delimiter, the quote, a
//! line break, or the NULL text are quoted; NULL is the NULL text bare);
//! and the copy-out sub-protocol that sends them, for both query
//! protocols. The REPL writes the same lines to stdout.

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::Schema;
use futures::{Sink, SinkExt, StreamExt};
use pgwire::api::results::Tag;
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::copy::{CopyData, CopyDone, CopyOutResponse};
use pgwire::messages::data::DataRow;

use super::encode::{encode_batch, fields};
use crate::error::Error;
use crate::result::RecordBatchStream;
use crate::sql::ast::CopyFormat;

/// The tag of a COPY of `rows` rows.
pub fn copy_tag(rows: usize) -> Tag {
    Tag::new("COPY").with_rows(rows)
}

/// Sends the rows of `batches` in COPY's copy-out sub-protocol: the
/// CopyOutResponse, a CopyData per line (the header first when asked),
/// then CopyDone; the number of rows, or the error that stopped the query
/// (sent by the caller as an ErrorResponse, which also ends copy-out).
pub async fn send_copy_out<C>(
    client: &mut C,
    format: &CopyFormat,
    schema: &Schema,
    mut batches: RecordBatchStream,
    time_zone: &str,
) -> PgWireResult<Result<usize, Error>>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let columns = schema.fields().len();
    let text_formats = vec![0; columns];
    client
        .feed(PgWireBackendMessage::CopyOutResponse(CopyOutResponse::new(
            0,
            columns as i16,
            text_formats,
        )))
        .await?;
    if format.header {
        let header = header_line(schema, format);
        client
            .feed(PgWireBackendMessage::CopyData(CopyData::new(header.into())))
            .await?;
    }
    let mut rows = 0;
    while let Some(batch) = batches.next().await {
        let batch = match batch {
            Ok(batch) => batch,
            Err(err) => return Ok(Err(err)),
        };
        for line in lines(&batch, format, time_zone)? {
            client
                .feed(PgWireBackendMessage::CopyData(CopyData::new(line.into())))
                .await?;
        }
        rows += batch.num_rows();
        client.flush().await?;
    }
    client
        .feed(PgWireBackendMessage::CopyDone(CopyDone::new()))
        .await?;
    Ok(Ok(rows))
}

/// The header line: the column names, written as values.
pub fn header_line(schema: &Schema, format: &CopyFormat) -> Vec<u8> {
    let names: Vec<Option<&[u8]>> = schema
        .fields()
        .iter()
        .map(|field| Some(field.name().as_bytes()))
        .collect();
    line(&names, format)
}

/// Each row of `batch` as a line, timestamps with a zone in `time_zone`.
pub fn lines(
    batch: &RecordBatch,
    format: &CopyFormat,
    time_zone: &str,
) -> PgWireResult<Vec<Vec<u8>>> {
    let text_fields = Arc::new(fields(batch.schema().as_ref(), None, time_zone));
    let rows = encode_batch(batch, &text_fields)?;
    Ok(rows.iter().map(|row| line(&values(row), format)).collect())
}

/// The values of a text-format DataRow: each field is a 4-byte length
/// (-1 for NULL) and that many bytes.
fn values(row: &DataRow) -> Vec<Option<&[u8]>> {
    let data = &row.data[..];
    let mut at = 0;
    let mut values = Vec::with_capacity(row.field_count.max(0) as usize);
    for _ in 0..row.field_count {
        let length = data
            .get(at..at + 4)
            .map_or(-1, |b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        at += 4;
        if length < 0 {
            values.push(None);
        } else {
            let end = (at + length as usize).min(data.len());
            values.push(Some(&data[at..end]));
            at = end;
        }
    }
    values
}

/// One line of `values`, ending in a newline.
fn line(values: &[Option<&[u8]>], format: &CopyFormat) -> Vec<u8> {
    let mut out = Vec::new();
    let mut delimiter = [0u8; 4];
    let delimiter = format.delimiter.encode_utf8(&mut delimiter).as_bytes();
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(delimiter);
        }
        match value {
            None => out.extend_from_slice(format.null.as_bytes()),
            Some(value) if format.csv => csv_value(value, format, &mut out),
            Some(value) => text_value(value, format.delimiter, &mut out),
        }
    }
    out.push(b'\n');
    out
}

/// A value of the text format: backslash escapes for the characters that
/// would end it.
fn text_value(value: &[u8], delimiter: char, out: &mut Vec<u8>) {
    for &byte in value {
        match byte {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x0b => out.extend_from_slice(b"\\v"),
            b if u32::from(b) == u32::from(delimiter) => {
                out.push(b'\\');
                out.push(b);
            }
            b => out.push(b),
        }
    }
}

/// A value of CSV: quoted, with quotes doubled, when it must be.
fn csv_value(value: &[u8], format: &CopyFormat, out: &mut Vec<u8>) {
    let quote = format.quote as u8;
    let delimiter = format.delimiter as u8;
    let must_quote = value.is_empty()
        || value == format.null.as_bytes()
        || value
            .iter()
            .any(|&b| b == delimiter || b == quote || b == b'\n' || b == b'\r');
    if !must_quote {
        out.extend_from_slice(value);
        return;
    }
    out.push(quote);
    for &byte in value {
        if byte == quote {
            out.push(quote);
        }
        out.push(byte);
    }
    out.push(quote);
}

#[cfg(test)]
mod tests {
    use arrow::array::{ArrayRef, Int64Array, StringArray};

    use super::*;

    fn batch() -> RecordBatch {
        RecordBatch::try_from_iter([
            (
                "name",
                Arc::new(StringArray::from(vec![
                    Some("plain"),
                    Some("tab\there, new\nline \\ \"q\""),
                    Some(""),
                    None,
                ])) as ArrayRef,
            ),
            (
                "n",
                Arc::new(Int64Array::from(vec![Some(1), None, Some(-3), Some(4)])) as ArrayRef,
            ),
        ])
        .unwrap()
    }

    fn written(format: &CopyFormat) -> String {
        let batch = batch();
        let mut out = header_line(batch.schema().as_ref(), format);
        for line in lines(&batch, format, "UTC").unwrap() {
            out.extend(line);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_format_escapes_like_postgres() {
        assert_eq!(
            written(&CopyFormat::text()),
            "name\tn\nplain\t1\ntab\\there, new\\nline \\\\ \"q\"\t\\N\n\t-3\n\\N\t4\n"
        );
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        assert_eq!(
            written(&CopyFormat::text().csv()),
            "name,n\nplain,1\n\"tab\there, new\nline \\ \"\"q\"\"\",\n\"\",-3\n,4\n"
        );
        let custom = CopyFormat {
            delimiter: ';',
            null: "NULL".into(),
            quote: '\'',
            ..CopyFormat::text().csv()
        };
        assert_eq!(
            written(&custom),
            "name;n\nplain;1\n'tab\there, new\nline \\ \"q\"';NULL\n'';-3\nNULL;4\n"
        );
    }
}

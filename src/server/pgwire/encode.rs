//! Arrow to the PostgreSQL wire format, written once: [`fields`] describes
//! each column with the PostgreSQL type clients see ([`crate::pg::pg_type`]),
//! [`encode_batch`] turns a record batch into DataRows in text or binary
//! format per column.
//!
//! Scalar types use PostgreSQL's own text and binary representations (via
//! pgwire's `ToSqlText` and postgres-types' `ToSql`). Nested and exotic
//! types (lists, structs, maps, intervals) are sent as `text` rendered by
//! Arrow; a client asking for them in binary gets that text, typed `text`.
//!
//! A timestamp with a zone (Flink's TIMESTAMP_LTZ) is an instant, sent as
//! `timestamptz`: in text it is written in the client's `TimeZone` with
//! its offset, as PostgreSQL writes it (`2026-01-01 10:00:00+08`, the
//! fraction only when there is one); in binary it is the instant itself.

use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::*;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use pgwire::api::portal::Format;
use pgwire::api::results::{DataRowEncoder, FieldFormat, FieldInfo};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::data::DataRow;

// Re-exported for `super::params`, which names it by its old path; goes
// when that module imports `crate::pg::pg_type` itself.
pub use crate::pg::pg_type;

/// The row description of `schema`, each column in the format the client
/// asked for (`None`: all text, as in the simple protocol), timestamps
/// with a zone to be written in `time_zone` (the client's `TimeZone`).
pub fn fields(schema: &Schema, format: Option<&Format>, time_zone: &str) -> Vec<FieldInfo> {
    let mut options = pgwire::types::format::FormatOptions::default();
    options.time_zone = time_zone.to_string();
    let options = Arc::new(options);
    schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let format = format.map_or(FieldFormat::Text, |f| f.format_for(i));
            FieldInfo::new(
                field.name().clone(),
                None,
                None,
                pg_type(field.data_type()),
                format,
            )
            .with_format_options(options.clone())
        })
        .collect()
}

fn encode_error(message: String) -> PgWireError {
    PgWireError::ApiError(message.into())
}

/// One column of a batch, ready to encode row by row.
enum Column<'a> {
    Bool(&'a arrow::array::BooleanArray),
    I16(Vec<Option<i16>>),
    I32(Vec<Option<i32>>),
    I64(Vec<Option<i64>>),
    F32(Vec<Option<f32>>),
    F64(&'a arrow::array::Float64Array),
    Numeric(Vec<Option<rust_decimal::Decimal>>),
    Text(&'a dyn Array, ArrayFormatter<'a>),
    Str(Vec<Option<&'a str>>),
    Bytes(Vec<Option<&'a [u8]>>),
    Date(Vec<Option<chrono::NaiveDate>>),
    Time(Vec<Option<chrono::NaiveTime>>),
    Timestamp(Vec<Option<chrono::NaiveDateTime>>),
    TimestampTz(Vec<Option<chrono::DateTime<chrono::Utc>>>),
    /// Values already written as text (timestamps in ISO text format).
    Formatted(Vec<Option<String>>),
}

fn primitive<T: ArrowPrimitiveType, U>(
    array: &dyn Array,
    f: impl Fn(T::Native) -> U,
) -> Vec<Option<U>> {
    array
        .as_primitive::<T>()
        .iter()
        .map(|v| v.map(&f))
        .collect()
}

fn decimal(value: i128, scale: i8) -> Option<rust_decimal::Decimal> {
    let scale = u32::try_from(scale).ok()?;
    rust_decimal::Decimal::try_from_i128_with_scale(value, scale).ok()
}

fn timestamps<T: ArrowTimestampType>(array: &dyn Array) -> Vec<Option<chrono::NaiveDateTime>> {
    let array = array.as_primitive::<T>();
    per_row(array, |i| array.value_as_datetime(i))
}

/// `value(i)` for every row of `array`, `None` where the row is NULL.
fn per_row<T>(array: &dyn Array, value: impl Fn(usize) -> Option<T>) -> Vec<Option<T>> {
    (0..array.len())
        .map(|i| if array.is_null(i) { None } else { value(i) })
        .collect()
}

fn column<'a>(array: &'a dyn Array, options: &'a FormatOptions<'a>) -> PgWireResult<Column<'a>> {
    Ok(match array.data_type() {
        DataType::Boolean => Column::Bool(array.as_boolean()),
        DataType::Int8 => Column::I16(primitive::<Int8Type, _>(array, i16::from)),
        DataType::Int16 => Column::I16(primitive::<Int16Type, _>(array, |v| v)),
        DataType::UInt8 => Column::I16(primitive::<UInt8Type, _>(array, i16::from)),
        DataType::Int32 => Column::I32(primitive::<Int32Type, _>(array, |v| v)),
        DataType::UInt16 => Column::I32(primitive::<UInt16Type, _>(array, i32::from)),
        DataType::Int64 => Column::I64(primitive::<Int64Type, _>(array, |v| v)),
        DataType::UInt32 => Column::I64(primitive::<UInt32Type, _>(array, i64::from)),
        DataType::UInt64 => Column::Numeric(primitive::<UInt64Type, _>(
            array,
            rust_decimal::Decimal::from,
        )),
        DataType::Float16 => Column::F32(primitive::<Float16Type, _>(array, f32::from)),
        DataType::Float32 => Column::F32(primitive::<Float32Type, _>(array, |v| v)),
        DataType::Float64 => Column::F64(array.as_primitive::<Float64Type>()),
        DataType::Decimal128(_, scale) => {
            let scale = *scale;
            let values = array.as_primitive::<Decimal128Type>();
            let converted: Vec<Option<rust_decimal::Decimal>> = values
                .iter()
                .map(|v| v.and_then(|v| decimal(v, scale)))
                .collect();
            if converted
                .iter()
                .zip(values.iter())
                .any(|(c, v)| c.is_none() && v.is_some())
            {
                // Beyond rust_decimal's 28 digits: exact text instead.
                text_column(array, options)?
            } else {
                Column::Numeric(converted)
            }
        }
        DataType::Utf8 => Column::Str(array.as_string::<i32>().iter().collect()),
        DataType::LargeUtf8 => Column::Str(array.as_string::<i64>().iter().collect()),
        DataType::Utf8View => Column::Str(array.as_string_view().iter().collect()),
        DataType::Binary => Column::Bytes(array.as_binary::<i32>().iter().collect()),
        DataType::LargeBinary => Column::Bytes(array.as_binary::<i64>().iter().collect()),
        DataType::BinaryView => Column::Bytes(array.as_binary_view().iter().collect()),
        DataType::FixedSizeBinary(_) => {
            Column::Bytes(array.as_fixed_size_binary().iter().collect())
        }
        DataType::Date32 => {
            let a = array.as_primitive::<Date32Type>();
            Column::Date(per_row(a, |i| a.value_as_date(i)))
        }
        DataType::Date64 => {
            let a = array.as_primitive::<Date64Type>();
            Column::Date(per_row(a, |i| a.value_as_date(i)))
        }
        DataType::Time32(unit) | DataType::Time64(unit) => {
            let cast = arrow::compute::cast(array, &DataType::Time64(TimeUnit::Nanosecond))
                .map_err(|e| encode_error(format!("time column ({unit:?}): {e}")))?;
            let a = cast.as_primitive::<Time64NanosecondType>();
            Column::Time(per_row(a, |i| a.value_as_time(i)))
        }
        DataType::Timestamp(unit, tz) => {
            let naive = match unit {
                TimeUnit::Second => timestamps::<TimestampSecondType>(array),
                TimeUnit::Millisecond => timestamps::<TimestampMillisecondType>(array),
                TimeUnit::Microsecond => timestamps::<TimestampMicrosecondType>(array),
                TimeUnit::Nanosecond => timestamps::<TimestampNanosecondType>(array),
            };
            match tz {
                None => Column::Timestamp(naive),
                Some(_) => {
                    Column::TimestampTz(naive.into_iter().map(|t| t.map(|t| t.and_utc())).collect())
                }
            }
        }
        _ => text_column(array, options)?,
    })
}

fn text_column<'a>(
    array: &'a dyn Array,
    options: &'a FormatOptions<'a>,
) -> PgWireResult<Column<'a>> {
    let formatter =
        ArrayFormatter::try_new(array, options).map_err(|e| encode_error(e.to_string()))?;
    Ok(Column::Text(array, formatter))
}

impl Column<'_> {
    fn encode(&self, row: usize, encoder: &mut DataRowEncoder) -> PgWireResult<()> {
        match self {
            Column::Bool(a) => encoder.encode_field(&(!a.is_null(row)).then(|| a.value(row))),
            Column::I16(v) => encoder.encode_field(&v[row]),
            Column::I32(v) => encoder.encode_field(&v[row]),
            Column::I64(v) => encoder.encode_field(&v[row]),
            Column::F32(v) => encoder.encode_field(&v[row]),
            Column::F64(a) => encoder.encode_field(&(!a.is_null(row)).then(|| a.value(row))),
            Column::Numeric(v) => encoder.encode_field(&v[row]),
            Column::Text(array, formatter) => {
                let value = (!array.is_null(row)).then(|| formatter.value(row).to_string());
                encoder.encode_field(&value)
            }
            Column::Str(v) => encoder.encode_field(&v[row]),
            Column::Bytes(v) => encoder.encode_field(&v[row]),
            Column::Date(v) => encoder.encode_field(&v[row]),
            Column::Time(v) => encoder.encode_field(&v[row]),
            Column::Timestamp(v) => encoder.encode_field(&v[row]),
            Column::TimestampTz(v) => encoder.encode_field(&v[row]),
            Column::Formatted(v) => encoder.encode_field(&v[row]),
        }
    }
}

/// Timestamps of a text-format field in ISO DateStyle written here as
/// PostgreSQL writes them (`2026-01-01 10:00:00`, `.5` only when there is
/// a fraction; a timestamptz in the field's time zone with its offset,
/// `+08`, `+05:30`), without parsing a format string and a DateStyle for
/// every value, which was a fifth of the CPU of streaming a result; other
/// formats and DateStyles keep pgwire's encoding.
fn iso_text<'a>(column: Column<'a>, field: &FieldInfo) -> Column<'a> {
    let iso = field.format() == FieldFormat::Text
        && field
            .format_options()
            .date_style
            .trim_start()
            .starts_with("ISO");
    match column {
        Column::Timestamp(values) if iso => {
            // A NULL stays NULL; a value this cannot write keeps pgwire's path.
            let texts: Option<Vec<Option<String>>> = values
                .iter()
                .map(|v| {
                    v.as_ref()
                        .map_or(Some(None), |t| postgres_timestamp(t, None).map(Some))
                })
                .collect();
            match texts {
                Some(texts) => Column::Formatted(texts),
                None => Column::Timestamp(values),
            }
        }
        Column::TimestampTz(values) if iso => {
            let zone = client_zone(&field.format_options().time_zone);
            let texts: Option<Vec<Option<String>>> = values
                .iter()
                .map(|v| {
                    v.as_ref()
                        .map_or(Some(None), |t| timestamptz_text(t, zone).map(Some))
                })
                .collect();
            match texts {
                Some(texts) => Column::Formatted(texts),
                None => Column::TimestampTz(values),
            }
        }
        other => other,
    }
}

/// The zone a client's `TimeZone` names (a tz database name, `UTC+8`);
/// UTC when it names none scaleph knows.
pub fn client_zone(time_zone: &str) -> chrono_tz::Tz {
    crate::flink::session::parse_zone(time_zone).unwrap_or(chrono_tz::Tz::UTC)
}

/// An instant as PostgreSQL writes a timestamptz in ISO DateStyle, in
/// `zone` with its offset (`2026-01-01 10:00:00+08`); `None` outside years
/// 0–9999.
pub fn timestamptz_text(at: &chrono::DateTime<chrono::Utc>, zone: chrono_tz::Tz) -> Option<String> {
    let local = at.with_timezone(&zone);
    let offset = chrono::Offset::fix(local.offset()).local_minus_utc();
    postgres_timestamp(&local.naive_local(), Some(offset))
}

/// A timestamp as PostgreSQL's ISO DateStyle writes it, with the UTC
/// offset `offset` (seconds east) when it is a timestamptz: `+08`,
/// `-03:30`, `+00:53:28`. `None` outside years 0–9999 (PostgreSQL writes
/// those with `BC`; pgwire's path takes them).
fn postgres_timestamp(t: &chrono::NaiveDateTime, offset: Option<i32>) -> Option<String> {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let year = t.year();
    if !(0..=9999).contains(&year) || t.nanosecond() >= 1_000_000_000 {
        return None;
    }
    let mut text = format!(
        "{year:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let micros = t.nanosecond() / 1000;
    if micros > 0 {
        let fraction = format!("{micros:06}");
        let _ = write!(text, ".{}", fraction.trim_end_matches('0'));
    }
    if let Some(offset) = offset {
        let sign = if offset < 0 { '-' } else { '+' };
        let offset = offset.unsigned_abs();
        let _ = write!(text, "{sign}{:02}", offset / 3600);
        if offset % 3600 != 0 {
            let _ = write!(text, ":{:02}", offset / 60 % 60);
        }
        if offset % 60 != 0 {
            let _ = write!(text, ":{:02}", offset % 60);
        }
    }
    Some(text)
}

/// Encodes every row of `batch` as DataRows described by `fields`.
pub fn encode_batch(
    batch: &RecordBatch,
    fields: &Arc<Vec<FieldInfo>>,
) -> PgWireResult<Vec<DataRow>> {
    let options = FormatOptions::default();
    let columns = batch
        .columns()
        .iter()
        .zip(fields.iter())
        .map(|(c, field)| column(c.as_ref(), &options).map(|column| iso_text(column, field)))
        .collect::<PgWireResult<Vec<_>>>()?;
    let mut encoder = DataRowEncoder::new(fields.clone());
    let mut rows = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        for column in &columns {
            column.encode(row, &mut encoder)?;
        }
        rows.push(encoder.take_row());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::*;
    use bytes::BytesMut;
    use pgwire::messages::Message;

    /// The text of each field of the first row.
    fn text_row(batch: &RecordBatch) -> Vec<Option<String>> {
        text_row_in(batch, "UTC")
    }

    /// The text of each field of the first row, timestamptz in `zone`.
    fn text_row_in(batch: &RecordBatch, zone: &str) -> Vec<Option<String>> {
        let fields = Arc::new(fields(batch.schema().as_ref(), None, zone));
        let row = encode_batch(batch, &fields).unwrap().remove(0);
        let mut buf = BytesMut::new();
        row.encode(&mut buf).unwrap();
        // 'D', length, field count, then (length, bytes) per field.
        let mut at = 7;
        (0..row.field_count)
            .map(|_| {
                let len = i32::from_be_bytes(buf[at..at + 4].try_into().unwrap());
                at += 4;
                if len < 0 {
                    None
                } else {
                    let text = String::from_utf8(buf[at..at + len as usize].to_vec()).unwrap();
                    at += len as usize;
                    Some(text)
                }
            })
            .collect()
    }

    #[test]
    fn text_format_matches_postgresql() {
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("b", Arc::new(BooleanArray::from(vec![true]))),
            ("i", Arc::new(Int64Array::from(vec![-42]))),
            ("f", Arc::new(Float64Array::from(vec![1.5]))),
            ("s", Arc::new(StringArray::from(vec!["x"]))),
            ("n", Arc::new(StringArray::from(vec![None::<&str>]))),
            (
                "d",
                Arc::new(
                    Decimal128Array::from(vec![12345])
                        .with_precision_and_scale(10, 2)
                        .unwrap(),
                ),
            ),
            ("y", Arc::new(BinaryArray::from(vec![&b"\x01\xff"[..]]))),
            (
                "t",
                Arc::new(TimestampMicrosecondArray::from(vec![1_700_000_000_123_456])),
            ),
            ("dt", Arc::new(Date32Array::from(vec![20000]))),
        ];
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let row = text_row(&batch);
        let expected = ["t", "-42", "1.5", "x"].map(|s| Some(s.to_string()));
        assert_eq!(&row[..4], &expected);
        assert_eq!(row[4], None);
        assert_eq!(row[5].as_deref(), Some("123.45"));
        assert_eq!(row[6].as_deref(), Some("\\x01ff"));
        assert_eq!(row[7].as_deref(), Some("2023-11-14 22:13:20.123456"));
        assert_eq!(row[8].as_deref(), Some("2024-10-04"));
    }

    /// Issue 18: a TIMESTAMP_LTZ reaches psql as a timestamptz written in
    /// the client's TimeZone, exactly as PostgreSQL writes one.
    #[test]
    fn issue_18_timestamptz_is_written_in_the_clients_time_zone() {
        // 2026-01-01T02:00:00Z, and the same plus 0.5 s.
        let at = 1_767_232_800_000_000;
        let utc = TimestampMicrosecondArray::from(vec![at, at + 500_000]).with_timezone("UTC");
        let naive = TimestampMicrosecondArray::from(vec![at, at + 500_000]);
        let batch = RecordBatch::try_from_iter([
            ("tz", Arc::new(utc) as ArrayRef),
            ("t", Arc::new(naive) as ArrayRef),
        ])
        .unwrap();
        let expected = [
            ("Asia/Shanghai", "2026-01-01 10:00:00+08"),
            ("UTC", "2026-01-01 02:00:00+00"),
            ("asia/kolkata", "2026-01-01 07:30:00+05:30"),
            ("America/St_Johns", "2025-12-31 22:30:00-03:30"),
            ("no/such_zone", "2026-01-01 02:00:00+00"),
        ];
        for (zone, text) in expected {
            let row = text_row_in(&batch, zone);
            assert_eq!(row[0].as_deref(), Some(text), "{zone}");
            assert_eq!(row[1].as_deref(), Some("2026-01-01 02:00:00"), "{zone}");
        }
        let row = text_row_in(&batch.slice(1, 1), "Asia/Shanghai");
        assert_eq!(row[0].as_deref(), Some("2026-01-01 10:00:00.5+08"));
        // Madras time (before 1906) has seconds in its offset.
        let old =
            TimestampMicrosecondArray::from(vec![-2_208_988_800_000_000]).with_timezone("UTC");
        let batch = RecordBatch::try_from_iter([("tz", Arc::new(old) as ArrayRef)]).unwrap();
        assert_eq!(
            text_row_in(&batch, "Asia/Kolkata")[0].as_deref(),
            Some("1900-01-01 05:21:10+05:21:10")
        );
    }

    #[test]
    fn iso_timestamps_read_as_pgwire_writes_them() {
        use chrono::TimeZone;
        let times = [
            0,
            1_700_000_000_123_456,
            1_704_067_201_001_000,
            -1_000_000,
            253_402_300_799_999_999,
        ];
        let naive = TimestampMicrosecondArray::from(
            times
                .iter()
                .map(|t| Some(*t))
                .chain([None])
                .collect::<Vec<_>>(),
        );
        let utc = naive.clone().with_timezone("UTC");
        let batch = RecordBatch::try_from_iter([
            ("t", Arc::new(naive) as ArrayRef),
            ("tz", Arc::new(utc) as ArrayRef),
        ])
        .unwrap();
        let fields = Arc::new(fields(batch.schema().as_ref(), None, "UTC"));
        for (row, micros) in times.iter().enumerate() {
            let at = chrono::Utc.timestamp_micros(*micros).unwrap();
            let slice = batch.slice(row, 1);
            let texts = text_row(&slice);
            // PostgreSQL drops a zero fraction and trailing zeros.
            let fraction = at.format("%.6f").to_string();
            let fraction = fraction.trim_end_matches('0').trim_end_matches('.');
            let expected = format!("{}{fraction}", at.format("%Y-%m-%d %H:%M:%S"));
            assert_eq!(texts[0].as_deref(), Some(expected.as_str()));
            assert_eq!(texts[1].as_deref(), Some(format!("{expected}+00").as_str()));
        }
        assert_eq!(text_row(&batch.slice(5, 1)), vec![None, None]);
        let Column::Formatted(_) = iso_text(
            column(batch.column(0).as_ref(), &FormatOptions::default()).unwrap(),
            &fields[0],
        ) else {
            panic!("text-format ISO timestamps take the fast path");
        };
    }
}

//! The Flink SQL Gateway's result format turned into Arrow: column types
//! from the `logicalType` JSON (docs/flink-sql-gateway-rest.md §3.1) and values from `fields` in
//! rowFormat=JSON (§3.2), decoded exactly: BIGINT beyond 2^53, DECIMAL in
//! exponent form (`1E+2`), `"NaN"`/`"Infinity"` as strings, base64 bytes,
//! TIMESTAMP_LTZ as the session zone's wall clock with a literal `Z`.
//! Nested types (ARRAY, MAP, MULTISET, ROW) and RAW become their JSON text.
//!
//! Values fetched as PLAIN_TEXT (the fallback when JSON cannot represent
//! a column, §6) are CAST strings: each is first rewritten into the JSON
//! form of its type, so one decoder reads both; nested and RAW columns
//! stay the text Flink gives (`{1=a}`).

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BinaryBuilder, BooleanBuilder, Date32Builder, Decimal128Builder, Float32Builder,
    Float64Builder, Int8Builder, Int16Builder, Int32Builder, Int64Builder, IntervalDayTimeBuilder,
    IntervalYearMonthBuilder, NullArray, StringBuilder, Time64MicrosecondBuilder,
    TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, IntervalDayTime, IntervalUnit, TimeUnit};
use base64::Engine;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde_json::Value;
use serde_json::value::RawValue;

use super::client::RowFormat;

/// A Flink column type, as far as scaleph maps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlinkType {
    /// `NULL`.
    Null,
    /// `BOOLEAN`.
    Boolean,
    /// `TINYINT`.
    TinyInt,
    /// `SMALLINT`.
    SmallInt,
    /// `INTEGER`.
    Int,
    /// `BIGINT`.
    BigInt,
    /// `FLOAT`.
    Float,
    /// `DOUBLE`.
    Double,
    /// `DECIMAL(precision, scale)`.
    Decimal(u8, i8),
    /// `CHAR(n)`.
    Char(u32),
    /// `VARCHAR(n)` shorter than `STRING`.
    Varchar(u32),
    /// `STRING`, which is `VARCHAR(2147483647)`.
    String,
    /// `BINARY(n)`, `VARBINARY(n)`, `BYTES`.
    Binary,
    /// `DATE`.
    Date,
    /// `TIME(p)`: its fractional-second digits as declared (Flink's
    /// default 0). Values decode to microseconds whatever `p` is.
    Time(u8),
    /// `TIMESTAMP(p)` (default 6).
    Timestamp(u8),
    /// `TIMESTAMP_LTZ(p)` (default 6).
    TimestampLtz(u8),
    /// `INTERVAL YEAR TO MONTH` (months).
    IntervalYearMonth,
    /// `INTERVAL DAY TO SECOND` (milliseconds).
    IntervalDayTime,
    /// ARRAY, MAP, MULTISET, ROW, RAW: shown as JSON text.
    Json(String),
}

/// A result column: its name, type and nullability.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlinkColumn {
    /// The column name.
    pub name: String,
    /// Its type.
    pub flink_type: FlinkType,
    /// Whether it may be NULL.
    pub nullable: bool,
}

impl FlinkType {
    /// The type of a `logicalType` JSON object, and its nullability.
    pub fn from_json(logical_type: &Value) -> Result<(FlinkType, bool), String> {
        let root = logical_type
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("logicalType without a type: {logical_type}"))?;
        let nullable = logical_type
            .get("nullable")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let int = |key: &str| logical_type.get(key).and_then(Value::as_i64);
        let flink_type = match root {
            "NULL" => FlinkType::Null,
            "BOOLEAN" => FlinkType::Boolean,
            "TINYINT" => FlinkType::TinyInt,
            "SMALLINT" => FlinkType::SmallInt,
            "INTEGER" => FlinkType::Int,
            "BIGINT" => FlinkType::BigInt,
            "FLOAT" => FlinkType::Float,
            "DOUBLE" => FlinkType::Double,
            "DECIMAL" => {
                let precision = int("precision").unwrap_or(10);
                let scale = int("scale").unwrap_or(0);
                match (u8::try_from(precision), i8::try_from(scale)) {
                    (Ok(p), Ok(s)) if (1..=38).contains(&p) && (0..=38).contains(&s) => {
                        FlinkType::Decimal(p, s)
                    }
                    _ => return Err(format!("DECIMAL({precision}, {scale}) is out of range")),
                }
            }
            "CHAR" => FlinkType::characters(true, int("length")),
            "VARCHAR" => FlinkType::characters(false, int("length")),
            "BINARY" | "VARBINARY" => FlinkType::Binary,
            "DATE" => FlinkType::Date,
            "TIME_WITHOUT_TIME_ZONE" => FlinkType::Time(digits(int("precision"), 0)),
            "TIMESTAMP_WITHOUT_TIME_ZONE" => FlinkType::Timestamp(digits(int("precision"), 6)),
            "TIMESTAMP_WITH_LOCAL_TIME_ZONE" => {
                FlinkType::TimestampLtz(digits(int("precision"), 6))
            }
            "INTERVAL_YEAR_MONTH" => FlinkType::IntervalYearMonth,
            "INTERVAL_DAY_TIME" => FlinkType::IntervalDayTime,
            other => FlinkType::Json(other.to_string()),
        };
        Ok((flink_type, nullable))
    }

    /// `CHAR(length)` when `fixed`, else `VARCHAR(length)`, `STRING` when
    /// it is that long; Flink's default length is 1.
    fn characters(fixed: bool, length: Option<i64>) -> FlinkType {
        /// The length of `STRING`, Flink's longest `VARCHAR`.
        const STRING_LENGTH: u32 = i32::MAX as u32;
        match length.map_or(Some(1), |n| u32::try_from(n).ok()) {
            Some(n) if fixed => FlinkType::Char(n),
            Some(n) if n < STRING_LENGTH => FlinkType::Varchar(n),
            _ => FlinkType::String,
        }
    }

    /// The type of a type as `DESCRIBE` prints it (`INT NOT NULL`,
    /// `DECIMAL(10, 2)`, `TIMESTAMP(3) *ROWTIME*`, `ARRAY<STRING>`), and
    /// its nullability. Names scaleph does not map become [`FlinkType::Json`].
    pub fn from_summary(summary: &str) -> (FlinkType, bool) {
        let text = summary
            .replace("*ROWTIME*", "")
            .replace("*PROCTIME*", "")
            .trim()
            .to_ascii_uppercase();
        let (text, nullable) = match text.strip_suffix("NOT NULL") {
            Some(rest) => (rest.trim_end().to_string(), false),
            None => (text, true),
        };
        let name_end = text
            .find(|c: char| c == '(' || c == '<' || c.is_whitespace())
            .unwrap_or(text.len());
        let (name, rest) = text.split_at(name_end);
        let arguments: Vec<i64> = rest
            .trim_start()
            .strip_prefix('(')
            .and_then(|r| r.split_once(')'))
            .map(|(inside, _)| {
                inside
                    .split(',')
                    .filter_map(|n| n.trim().parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        let flink_type = match name {
            "NULL" => FlinkType::Null,
            "BOOLEAN" => FlinkType::Boolean,
            "TINYINT" => FlinkType::TinyInt,
            "SMALLINT" => FlinkType::SmallInt,
            "INT" | "INTEGER" => FlinkType::Int,
            "BIGINT" => FlinkType::BigInt,
            "FLOAT" => FlinkType::Float,
            "DOUBLE" => FlinkType::Double,
            "DECIMAL" | "DEC" | "NUMERIC" => {
                let precision = arguments.first().copied().unwrap_or(10);
                let scale = arguments.get(1).copied().unwrap_or(0);
                match (u8::try_from(precision), i8::try_from(scale)) {
                    (Ok(p), Ok(s)) if (1..=38).contains(&p) && (0..=38).contains(&s) => {
                        FlinkType::Decimal(p, s)
                    }
                    _ => FlinkType::Json(name.to_string()),
                }
            }
            "CHAR" => FlinkType::characters(true, arguments.first().copied()),
            "VARCHAR" => FlinkType::characters(false, arguments.first().copied()),
            "STRING" => FlinkType::String,
            "BINARY" | "VARBINARY" | "BYTES" => FlinkType::Binary,
            "DATE" => FlinkType::Date,
            "TIME" => FlinkType::Time(digits(arguments.first().copied(), 0)),
            "TIMESTAMP" if text.contains("WITH LOCAL TIME ZONE") => {
                FlinkType::TimestampLtz(digits(arguments.first().copied(), 6))
            }
            "TIMESTAMP" => FlinkType::Timestamp(digits(arguments.first().copied(), 6)),
            "TIMESTAMP_LTZ" => FlinkType::TimestampLtz(digits(arguments.first().copied(), 6)),
            "INTERVAL" if rest.contains("YEAR") || rest.trim_start().starts_with("MONTH") => {
                FlinkType::IntervalYearMonth
            }
            "INTERVAL" => FlinkType::IntervalDayTime,
            other => FlinkType::Json(other.to_string()),
        };
        (flink_type, nullable)
    }

    /// The Arrow type its values decode to.
    pub fn arrow(&self) -> DataType {
        match self {
            FlinkType::Null => DataType::Null,
            FlinkType::Boolean => DataType::Boolean,
            FlinkType::TinyInt => DataType::Int8,
            FlinkType::SmallInt => DataType::Int16,
            FlinkType::Int => DataType::Int32,
            FlinkType::BigInt => DataType::Int64,
            FlinkType::Float => DataType::Float32,
            FlinkType::Double => DataType::Float64,
            FlinkType::Decimal(p, s) => DataType::Decimal128(*p, *s),
            FlinkType::Char(_) | FlinkType::Varchar(_) | FlinkType::String | FlinkType::Json(_) => {
                DataType::Utf8
            }
            FlinkType::Binary => DataType::Binary,
            FlinkType::Date => DataType::Date32,
            FlinkType::Time(_) => DataType::Time64(TimeUnit::Microsecond),
            FlinkType::Timestamp(_) => DataType::Timestamp(TimeUnit::Microsecond, None),
            FlinkType::TimestampLtz(_) => {
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
            }
            FlinkType::IntervalYearMonth => DataType::Interval(IntervalUnit::YearMonth),
            FlinkType::IntervalDayTime => DataType::Interval(IntervalUnit::DayTime),
        }
    }
}

/// Fractional-second digits as declared, or `default`; at most 9.
fn digits(declared: Option<i64>, default: u8) -> u8 {
    declared.map_or(default, |d| d.clamp(0, 9) as u8)
}

/// A decoding failure: which value, and why.
fn bad(value: &str, what: &str) -> String {
    format!("Flink value {value} is not a valid {what}")
}

/// Decodes one column: `values` are the raw JSON texts of its fields in
/// `format`, `zone` the zone TIMESTAMP_LTZ values are the wall clock of.
pub fn decode_column(
    flink_type: &FlinkType,
    values: &[&RawValue],
    zone: Tz,
    format: RowFormat,
) -> Result<ArrayRef, String> {
    let texts: Vec<Option<&str>> = values
        .iter()
        .map(|v| Some(v.get().trim()).filter(|t| *t != "null"))
        .collect();
    match format {
        RowFormat::Json => decode_texts(flink_type, &texts, zone),
        RowFormat::PlainText => {
            let rewritten = texts
                .iter()
                .map(|text| text.map(|t| json_of_plain(flink_type, t)).transpose())
                .collect::<Result<Vec<Option<String>>, String>>()?;
            let texts: Vec<Option<&str>> = rewritten.iter().map(Option::as_deref).collect();
            decode_texts(flink_type, &texts, zone)
        }
    }
}

/// A PLAIN_TEXT value (a JSON string holding what SQL `CAST(x AS
/// STRING)` gives, docs/flink-sql-gateway-rest.md §3.2) in the JSON form
/// of its type; nested and RAW values stay their text.
fn json_of_plain(flink_type: &FlinkType, raw: &str) -> Result<String, String> {
    let text = unquote(raw).ok_or_else(|| bad(raw, "PLAIN_TEXT value"))?;
    let text = text.trim();
    Ok(match flink_type {
        FlinkType::Null => "null".to_string(),
        FlinkType::Boolean => text.to_ascii_lowercase(),
        FlinkType::TinyInt
        | FlinkType::SmallInt
        | FlinkType::Int
        | FlinkType::BigInt
        | FlinkType::Decimal(..) => text.to_string(),
        FlinkType::Float | FlinkType::Double => match text {
            "NaN" | "Infinity" | "-Infinity" => format!("\"{text}\""),
            _ => text.to_string(),
        },
        FlinkType::Char(_)
        | FlinkType::Varchar(_)
        | FlinkType::String
        | FlinkType::Date
        | FlinkType::Time(_) => raw.to_string(),
        FlinkType::Json(_) => text.to_string(),
        FlinkType::Binary => {
            let hex = text
                .strip_prefix("x'")
                .and_then(|h| h.strip_suffix('\''))
                .ok_or_else(|| bad(raw, "PLAIN_TEXT BYTES value"))?;
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| {
                    hex.get(i..i + 2)
                        .and_then(|b| u8::from_str_radix(b, 16).ok())
                })
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| bad(raw, "PLAIN_TEXT BYTES value"))?;
            format!(
                "\"{}\"",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        }
        FlinkType::Timestamp(_) => format!("\"{}\"", text.replacen(' ', "T", 1)),
        FlinkType::TimestampLtz(_) => format!("\"{}Z\"", text.replacen(' ', "T", 1)),
        FlinkType::IntervalYearMonth => interval_year_month(text)
            .ok_or_else(|| bad(raw, "INTERVAL"))?
            .to_string(),
        FlinkType::IntervalDayTime => interval_day_time(text)
            .ok_or_else(|| bad(raw, "INTERVAL"))?
            .to_string(),
    })
}

/// `+1-02` (Flink's CAST of an INTERVAL YEAR TO MONTH) -> 14 months.
fn interval_year_month(text: &str) -> Option<i64> {
    let (negative, rest) = signed(text);
    let (years, months) = rest.split_once('-').unwrap_or((rest, "0"));
    let months = years.parse::<i64>().ok()? * 12 + months.parse::<i64>().ok()?;
    Some(if negative { -months } else { months })
}

/// `+1 02:03:04.500` (Flink's CAST of an INTERVAL DAY TO SECOND) ->
/// milliseconds.
fn interval_day_time(text: &str) -> Option<i64> {
    let (negative, rest) = signed(text);
    let (days, time) = rest.split_once(' ').unwrap_or(("0", rest));
    let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut parts = clock.split(':').map(|p| p.parse::<i64>().ok());
    let (hours, minutes, seconds) = (parts.next()??, parts.next()??, parts.next()??);
    let millis: i64 = format!("{fraction:0<3}").get(..3)?.parse().ok()?;
    let total = ((days.parse::<i64>().ok()? * 24 + hours) * 60 + minutes) * 60_000
        + seconds * 1000
        + millis;
    Some(if negative { -total } else { total })
}

/// A leading `+` or `-` taken off: whether it was `-`, and the rest.
fn signed(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

/// Decodes one column of JSON value texts (`None`: NULL).
fn decode_texts(
    flink_type: &FlinkType,
    texts: &[Option<&str>],
    zone: Tz,
) -> Result<ArrayRef, String> {
    macro_rules! build {
        ($builder:expr, $parse:expr) => {{
            let mut builder = $builder;
            for text in texts {
                match text {
                    None => builder.append_null(),
                    Some(text) => builder.append_value($parse(*text)?),
                }
            }
            Ok(Arc::new(builder.finish()) as ArrayRef)
        }};
    }
    let number = |what: &'static str| move |t: &str| t.parse::<i64>().map_err(|_| bad(t, what));
    fn string(t: &str) -> Result<std::borrow::Cow<'_, str>, String> {
        unquote(t).ok_or_else(|| bad(t, "string"))
    }
    match flink_type {
        FlinkType::Null => Ok(Arc::new(NullArray::new(texts.len()))),
        FlinkType::Boolean => build!(BooleanBuilder::new(), |t: &str| t
            .parse::<bool>()
            .map_err(|_| bad(t, "BOOLEAN"))),
        FlinkType::TinyInt => build!(Int8Builder::new(), |t: &str| number("TINYINT")(t)
            .and_then(|n| i8::try_from(n).map_err(|_| bad(t, "TINYINT")))),
        FlinkType::SmallInt => build!(Int16Builder::new(), |t: &str| number("SMALLINT")(t)
            .and_then(|n| i16::try_from(n).map_err(|_| bad(t, "SMALLINT")))),
        FlinkType::Int => build!(Int32Builder::new(), |t: &str| number("INTEGER")(t)
            .and_then(|n| i32::try_from(n).map_err(|_| bad(t, "INTEGER")))),
        FlinkType::BigInt => build!(Int64Builder::new(), number("BIGINT")),
        FlinkType::Float => build!(Float32Builder::new(), |t: &str| float(t).map(|f| f as f32)),
        FlinkType::Double => build!(Float64Builder::new(), float),
        FlinkType::Decimal(p, s) => {
            let builder = Decimal128Builder::new()
                .with_precision_and_scale(*p, *s)
                .map_err(|e| e.to_string())?;
            build!(builder, |t: &str| decimal(t, *s)
                .ok_or_else(|| bad(t, "DECIMAL")))
        }
        FlinkType::Char(_) | FlinkType::Varchar(_) | FlinkType::String => {
            build!(StringBuilder::new(), string)
        }
        FlinkType::Json(_) => build!(StringBuilder::new(), |t: &str| Ok::<_, String>(
            t.to_string()
        )),
        FlinkType::Binary => build!(BinaryBuilder::new(), |t: &str| string(t).and_then(|s| {
            base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .map_err(|_| bad(t, "base64 BYTES value"))
        })),
        FlinkType::Date => build!(Date32Builder::new(), |t: &str| {
            let s = string(t)?;
            let date = NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| bad(t, "DATE"))?;
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
            i32::try_from((date - epoch).num_days()).map_err(|_| bad(t, "DATE"))
        }),
        FlinkType::Time(_) => build!(Time64MicrosecondBuilder::new(), |t: &str| {
            let s = string(t)?;
            let time = NaiveTime::parse_from_str(&s, "%H:%M:%S%.f").map_err(|_| bad(t, "TIME"))?;
            Ok::<_, String>(
                (time - NaiveTime::MIN)
                    .num_microseconds()
                    .unwrap_or_default(),
            )
        }),
        FlinkType::Timestamp(_) => build!(TimestampMicrosecondBuilder::new(), |t: &str| {
            local_timestamp(&string(t)?)
                .map(|ts| ts.and_utc().timestamp_micros())
                .ok_or_else(|| bad(t, "TIMESTAMP"))
        }),
        FlinkType::TimestampLtz(_) => {
            let builder = TimestampMicrosecondBuilder::new().with_timezone("UTC");
            build!(builder, |t: &str| {
                // The session zone's wall clock, with a literal Z (not UTC).
                let s = string(t)?;
                let wall = local_timestamp(s.trim_end_matches('Z'))
                    .ok_or_else(|| bad(t, "TIMESTAMP_LTZ"))?;
                zone.from_local_datetime(&wall)
                    .earliest()
                    .map(|at| at.timestamp_micros())
                    .ok_or_else(|| bad(t, "TIMESTAMP_LTZ in the session time zone"))
            })
        }
        FlinkType::IntervalYearMonth => {
            build!(IntervalYearMonthBuilder::new(), |t: &str| number(
                "INTERVAL"
            )(t)
            .and_then(|n| i32::try_from(n).map_err(|_| bad(t, "INTERVAL"))))
        }
        FlinkType::IntervalDayTime => build!(IntervalDayTimeBuilder::new(), |t: &str| {
            let millis = number("INTERVAL")(t)?;
            let days = i32::try_from(millis / 86_400_000).map_err(|_| bad(t, "INTERVAL"))?;
            Ok::<_, String>(IntervalDayTime::new(days, (millis % 86_400_000) as i32))
        }),
    }
}

/// `1.5`, `"NaN"`, `"Infinity"`, `"-Infinity"`.
fn float(text: &str) -> Result<f64, String> {
    match text {
        "\"NaN\"" => Ok(f64::NAN),
        "\"Infinity\"" => Ok(f64::INFINITY),
        "\"-Infinity\"" => Ok(f64::NEG_INFINITY),
        _ => text.parse().map_err(|_| bad(text, "FLOAT/DOUBLE")),
    }
}

/// A JSON string's value: borrowed when it has no escapes (the common
/// case, and the fast one), unescaped otherwise.
fn unquote(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(std::borrow::Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(text)
        .ok()
        .map(std::borrow::Cow::Owned)
}

/// `1990-10-14T12:12:43.123` (ISO, fraction optional): read by hand in
/// the exact shape Flink writes, with chrono's parser for anything else.
fn local_timestamp(text: &str) -> Option<NaiveDateTime> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes.get(range)?.iter().try_fold(0u32, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let fast = (|| {
        if bytes.len() < 19 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[10] != b'T' {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(
            i32::try_from(digits(0..4)?).ok()?,
            digits(5..7)?,
            digits(8..10)?,
        )?;
        let nanos = match bytes.get(19) {
            None => 0,
            Some(b'.') if (21..=29).contains(&bytes.len()) => {
                let places = u32::try_from(bytes.len() - 20).ok()?;
                digits(20..bytes.len())? * 10u32.pow(9 - places)
            }
            _ => return None,
        };
        let time =
            NaiveTime::from_hms_nano_opt(digits(11..13)?, digits(14..16)?, digits(17..19)?, nanos)?;
        (bytes[13] == b':' && bytes[16] == b':').then(|| date.and_time(time))
    })();
    fast.or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok())
}

/// The exact unscaled value of a JSON number at `scale` (`1E+2` at scale
/// 2 is 10000); `None` if it does not fit or would lose digits.
pub fn decimal(text: &str, scale: i8) -> Option<i128> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty()
        || !(whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let mut value: i128 = 0;
    for digit in whole.chars().chain(fraction.chars()) {
        value = value
            .checked_mul(10)?
            .checked_add(i128::from(digit.to_digit(10)?))?;
    }
    // value * 10^(exponent - fraction digits) is the number; scale it.
    let shift = exponent - i32::try_from(fraction.len()).ok()? + i32::from(scale);
    if shift >= 0 {
        value = value.checked_mul(10i128.checked_pow(u32::try_from(shift).ok()?)?)?;
    } else {
        let divisor = 10i128.checked_pow(u32::try_from(-shift).ok()?)?;
        if value % divisor != 0 {
            return None;
        }
        value /= divisor;
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{Decimal128Type, Int64Type, TimestampMicrosecondType};

    fn raw(texts: &[&str]) -> Vec<Box<RawValue>> {
        texts
            .iter()
            .map(|t| RawValue::from_string(t.to_string()).unwrap())
            .collect()
    }

    fn column(logical_type: &str, values: &[&str], zone: Tz) -> ArrayRef {
        let json: Value = serde_json::from_str(logical_type).unwrap();
        let (flink_type, _) = FlinkType::from_json(&json).unwrap();
        let values = raw(values);
        let refs: Vec<&RawValue> = values.iter().map(|v| v.as_ref()).collect();
        let array = decode_column(&flink_type, &refs, zone, RowFormat::Json).unwrap();
        assert_eq!(array.data_type(), &flink_type.arrow());
        array
    }

    #[test]
    fn described_types_map_like_logical_types() {
        let ty = FlinkType::from_summary;
        assert_eq!(ty("INT NOT NULL"), (FlinkType::Int, false));
        assert_eq!(ty("STRING"), (FlinkType::String, true));
        assert_eq!(ty("VARCHAR(20)"), (FlinkType::Varchar(20), true));
        assert_eq!(ty("VARCHAR(2147483647)"), (FlinkType::String, true));
        assert_eq!(ty("CHAR(3) NOT NULL"), (FlinkType::Char(3), false));
        assert_eq!(ty("DECIMAL(10, 2)"), (FlinkType::Decimal(10, 2), true));
        assert_eq!(
            ty("TIMESTAMP(3) *ROWTIME*"),
            (FlinkType::Timestamp(3), true)
        );
        assert_eq!(
            ty("TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*"),
            (FlinkType::TimestampLtz(3), false)
        );
        assert_eq!(
            ty("TIMESTAMP(6) WITH LOCAL TIME ZONE"),
            (FlinkType::TimestampLtz(6), true)
        );
        assert_eq!(ty("TIMESTAMP"), (FlinkType::Timestamp(6), true));
        assert_eq!(ty("TIME(0)"), (FlinkType::Time(0), true));
        assert_eq!(ty("TIMESTAMP(42)"), (FlinkType::Timestamp(9), true));
        // Values keep microseconds whatever the declared digits.
        assert_eq!(
            FlinkType::Timestamp(3).arrow(),
            DataType::Timestamp(TimeUnit::Microsecond, None)
        );
        assert_eq!(
            ty("INTERVAL YEAR(2) TO MONTH"),
            (FlinkType::IntervalYearMonth, true)
        );
        assert_eq!(
            ty("INTERVAL DAY(2) TO SECOND(3)"),
            (FlinkType::IntervalDayTime, true)
        );
        assert_eq!(ty("ARRAY<INT>"), (FlinkType::Json("ARRAY".into()), true));
        assert_eq!(ty("DECIMAL(99, 0)").0, FlinkType::Json("DECIMAL".into()));
        assert_eq!(ty("").0, FlinkType::Json(String::new()));
        // Whatever Flink (or a broken gateway) prints, never a panic.
        for odd in [
            "DECIMAL(",
            "DECIMAL(,)",
            "DECIMAL(-1, 99)",
            "ÄRRAY<INT>",
            "  NOT NULL",
            "INTERVAL",
            "TIMESTAMP(9999999999999999999999)",
            "VARCHAR(-1)",
            "CHAR(99999999999)",
            "*ROWTIME*",
        ] {
            let _ = ty(odd);
        }
    }

    #[test]
    fn logical_types_map_to_arrow() {
        let ty = |json: &str| FlinkType::from_json(&serde_json::from_str(json).unwrap()).unwrap();
        assert_eq!(
            ty(r#"{"type":"INTEGER","nullable":false}"#),
            (FlinkType::Int, false)
        );
        assert_eq!(
            ty(r#"{"type":"VARCHAR","nullable":true,"length":2147483647}"#).0,
            FlinkType::String
        );
        assert_eq!(
            ty(r#"{"type":"VARCHAR","length":20}"#).0,
            FlinkType::Varchar(20)
        );
        assert_eq!(ty(r#"{"type":"CHAR","length":2}"#).0, FlinkType::Char(2));
        assert_eq!(FlinkType::Varchar(20).arrow(), DataType::Utf8);
        assert_eq!(
            ty(r#"{"type":"DECIMAL","nullable":true,"precision":10,"scale":2}"#).0,
            FlinkType::Decimal(10, 2)
        );
        assert_eq!(ty(r#"{"type":"NULL"}"#), (FlinkType::Null, true));
        assert_eq!(
            ty(r#"{"type":"ROW","nullable":true,"fields":[]}"#).0,
            FlinkType::Json("ROW".into())
        );
        assert!(
            FlinkType::from_json(
                &serde_json::from_str(r#"{"type":"DECIMAL","precision":40,"scale":0}"#).unwrap()
            )
            .is_err()
        );
    }

    #[test]
    fn values_decode_exactly() {
        let bigint = column(
            r#"{"type":"BIGINT"}"#,
            &["9007199254740993", "null"],
            Tz::UTC,
        );
        assert_eq!(
            bigint.as_primitive::<Int64Type>().value(0),
            9_007_199_254_740_993
        );
        assert!(bigint.is_null(1));
        let decimal = column(
            r#"{"type":"DECIMAL","precision":10,"scale":2}"#,
            &["1E+2", "1.5", "-0.01"],
            Tz::UTC,
        );
        let decimal = decimal.as_primitive::<Decimal128Type>();
        assert_eq!(
            (decimal.value(0), decimal.value(1), decimal.value(2)),
            (10000, 150, -1)
        );
        let double = column(
            r#"{"type":"DOUBLE"}"#,
            &["33.333", "\"NaN\"", "\"-Infinity\""],
            Tz::UTC,
        );
        let double = double.as_primitive::<arrow::datatypes::Float64Type>();
        assert!(double.value(1).is_nan() && double.value(2) == f64::NEG_INFINITY);
        let bytes = column(
            r#"{"type":"VARBINARY","length":16}"#,
            &["\"AQID\""],
            Tz::UTC,
        );
        assert_eq!(bytes.as_binary::<i32>().value(0), &[1, 2, 3]);
        let nested = column(r#"{"type":"MAP"}"#, &[r#"{"element":123}"#], Tz::UTC);
        assert_eq!(nested.as_string::<i32>().value(0), r#"{"element":123}"#);
    }

    #[test]
    fn timestamps_follow_the_session_zone() {
        let shanghai: Tz = "Asia/Shanghai".parse().unwrap();
        let ltz = column(
            r#"{"type":"TIMESTAMP_WITH_LOCAL_TIME_ZONE","precision":3}"#,
            &["\"1990-10-14T12:12:43.123Z\""],
            shanghai,
        );
        // 12:12:43.123 in Shanghai (UTC+8) is 04:12:43.123 UTC.
        let expected = chrono::Utc
            .with_ymd_and_hms(1990, 10, 14, 4, 12, 43)
            .unwrap()
            .timestamp_micros()
            + 123_000;
        assert_eq!(
            ltz.as_primitive::<TimestampMicrosecondType>().value(0),
            expected
        );
        let ts = column(
            r#"{"type":"TIMESTAMP_WITHOUT_TIME_ZONE","precision":3}"#,
            &["\"2024-01-01T00:00:00\""],
            shanghai,
        );
        assert_eq!(
            ts.as_primitive::<TimestampMicrosecondType>().value(0),
            chrono::Utc
                .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
                .unwrap()
                .timestamp_micros()
        );
        let time = column(
            r#"{"type":"TIME_WITHOUT_TIME_ZONE"}"#,
            &["\"12:12:43\""],
            Tz::UTC,
        );
        assert_eq!(
            time.as_primitive::<arrow::datatypes::Time64MicrosecondType>()
                .value(0),
            43_963_000_000
        );
        let date = column(r#"{"type":"DATE"}"#, &["\"1970-01-02\""], Tz::UTC);
        assert_eq!(
            date.as_primitive::<arrow::datatypes::Date32Type>().value(0),
            1
        );
    }

    #[test]
    fn timestamps_and_strings_take_the_fast_path_and_the_slow_one() {
        let at = |t: &str| local_timestamp(t).map(|ts| ts.and_utc().timestamp_micros());
        assert_eq!(at("1970-01-01T00:00:01"), Some(1_000_000));
        assert_eq!(at("1970-01-01T00:00:00.5"), Some(500_000));
        assert_eq!(at("1970-01-01T00:00:00.000001"), Some(1));
        assert_eq!(at("1970-01-01T00:00:00.123456789"), Some(123_456));
        assert_eq!(at("1970-13-01T00:00:00"), None);
        assert_eq!(at("1970-01-01T24:00:00"), None);
        assert_eq!(at("1970-01-01 00:00:00"), None);
        assert_eq!(at("x"), None);
        assert_eq!(unquote(r#""plain""#).as_deref(), Some("plain"));
        assert_eq!(unquote(r#""a\"b\u00e9""#).as_deref(), Some("a\"bé"));
        assert_eq!(unquote("1"), None);
    }

    #[test]
    fn decimal_rejects_what_it_cannot_hold_exactly() {
        assert_eq!(decimal("123.456789", 6), Some(123_456_789));
        assert_eq!(decimal("1.234", 2), None);
        assert_eq!(decimal("abc", 2), None);
        assert_eq!(decimal("1E+40", 0), None);
        let column = column(r#"{"type":"INTEGER"}"#, &["1"], Tz::UTC);
        assert_eq!(column.len(), 1);
        let values = raw(&["99999999999"]);
        let refs: Vec<&RawValue> = values.iter().map(|v| v.as_ref()).collect();
        assert!(
            decode_column(&FlinkType::Int, &refs, Tz::UTC, RowFormat::Json)
                .unwrap_err()
                .contains("INTEGER")
        );
    }

    #[test]
    fn plain_text_values_decode_like_their_json_forms() {
        let plain = |logical_type: &str, values: &[&str]| {
            let json: Value = serde_json::from_str(logical_type).unwrap();
            let (flink_type, _) = FlinkType::from_json(&json).unwrap();
            let values = raw(values);
            let refs: Vec<&RawValue> = values.iter().map(|v| v.as_ref()).collect();
            decode_column(&flink_type, &refs, Tz::UTC, RowFormat::PlainText)
        };
        let booleans = plain(r#"{"type":"BOOLEAN"}"#, &["\"TRUE\"", "\"FALSE\"", "null"]).unwrap();
        assert!(booleans.as_boolean().value(0) && !booleans.as_boolean().value(1));
        assert!(booleans.is_null(2));
        let big = plain(r#"{"type":"BIGINT"}"#, &["\"1238123899121\""]).unwrap();
        assert_eq!(big.as_primitive::<Int64Type>().value(0), 1_238_123_899_121);
        let decimal = plain(
            r#"{"type":"DECIMAL","precision":10,"scale":6}"#,
            &["\"123.456789\""],
        )
        .unwrap();
        assert_eq!(
            decimal.as_primitive::<Decimal128Type>().value(0),
            123_456_789
        );
        let double = plain(r#"{"type":"DOUBLE"}"#, &["\"NaN\"", "\"33.333\""]).unwrap();
        assert!(
            double
                .as_primitive::<arrow::datatypes::Float64Type>()
                .value(0)
                .is_nan()
        );
        let bytes = plain(r#"{"type":"VARBINARY"}"#, &["\"x'0102ff'\""]).unwrap();
        assert_eq!(bytes.as_binary::<i32>().value(0), &[1, 2, 255]);
        let ts = plain(
            r#"{"type":"TIMESTAMP_WITHOUT_TIME_ZONE","precision":3}"#,
            &["\"1990-10-14 12:12:43.123\""],
        )
        .unwrap();
        let ltz = plain(
            r#"{"type":"TIMESTAMP_WITH_LOCAL_TIME_ZONE","precision":3}"#,
            &["\"1990-10-14 12:12:43.123\""],
        )
        .unwrap();
        assert_eq!(
            ts.as_primitive::<TimestampMicrosecondType>().value(0),
            ltz.as_primitive::<TimestampMicrosecondType>().value(0)
        );
        let map = plain(r#"{"type":"MAP"}"#, &["\"{1=a, 2=b}\""]).unwrap();
        assert_eq!(map.as_string::<i32>().value(0), "{1=a, 2=b}");
        let text = plain(r#"{"type":"VARCHAR","length":9}"#, &["\"a\\\"b\""]).unwrap();
        assert_eq!(text.as_string::<i32>().value(0), "a\"b");
        assert_eq!(interval_year_month("+1-02"), Some(14));
        assert_eq!(interval_year_month("-0-03"), Some(-3));
        assert_eq!(interval_day_time("+1 02:03:04.500"), Some(93_784_500));
        assert_eq!(interval_day_time("-0 00:00:01.000"), Some(-1000));
        assert_eq!(interval_day_time("x"), None);
        // Not a PLAIN_TEXT value at all: an error, never a panic.
        assert!(plain(r#"{"type":"INTEGER"}"#, &["1"]).is_err());
        assert!(plain(r#"{"type":"VARBINARY"}"#, &["\"x'0'\""]).is_err());
    }
}

//! Values of result rows: the deterministic datagen rule, literals, and the
//! two wire renderings (docs/flink-sql-gateway-rest.md §3.2): JSON (`RowDataToJsonConverters`) and
//! PLAIN_TEXT (CAST to STRING).

use base64::Engine as _;
use chrono::{DateTime, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use std::fmt::Write as _;

use chrono::{Datelike as _, Timelike as _};

use super::errors::push_json_string;
use super::types::{Kind, Type};

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// BOOLEAN.
    Bool(bool),
    /// TINYINT, SMALLINT, INT, BIGINT.
    Int(i64),
    /// FLOAT, DOUBLE.
    Float(f64),
    /// DECIMAL: `unscaled * 10^-scale`.
    Decimal(i128, u32),
    /// CHAR, VARCHAR.
    Str(String),
    /// BINARY, VARBINARY.
    Bytes(Vec<u8>),
    /// DATE.
    Date(NaiveDate),
    /// TIME, as a second of the day with `precision` digits in PLAIN_TEXT.
    Time(u32, u32),
    /// TIMESTAMP(p).
    Timestamp(NaiveDateTime, u32),
    /// TIMESTAMP_LTZ(p): an instant.
    Ltz(DateTime<Utc>, u32),
    /// ARRAY.
    Array(Vec<Value>),
    /// MAP, in insertion order.
    Map(Vec<(Value, Value)>),
    /// ROW: field names and values.
    Row(Vec<(String, Value)>),
    /// RAW: an object JSON cannot write, shown by its `toString()`.
    Raw(String),
}

/// What `Value::json` cannot write: a MAP key that is not a string, a RAW value.
#[derive(Debug)]
pub struct NotJson;

/// The instant datagen's TIMESTAMP columns start from.
fn timestamp_base() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date")
}

/// Keeps `precision` fractional digits of `nanos`.
fn truncate_nanos(nanos: u32, precision: u32) -> u32 {
    let unit = 10u32.pow(9 - precision.min(9));
    nanos / unit * unit
}

/// Value of datagen row `i` at column position `j` of type `ty` (see the
/// module docs of the double for the rule).
pub fn generate(ty: &Type, i: u64, j: usize) -> Value {
    if ty.nullable && (i + j as u64) % 10 == 9 {
        return Value::Null;
    }
    generate_non_null(ty, i)
}

fn generate_non_null(ty: &Type, i: u64) -> Value {
    match &ty.kind {
        Kind::Null => Value::Null,
        Kind::Boolean => Value::Bool(i.is_multiple_of(2)),
        Kind::TinyInt => Value::Int((i % 128) as i64),
        Kind::SmallInt => Value::Int((i % 32768) as i64),
        Kind::Int => Value::Int(i as i32 as i64),
        Kind::BigInt => Value::Int(9_007_199_254_740_993i64.wrapping_add(i as i64)),
        Kind::Float | Kind::Double => Value::Float(i as f64 + 0.5),
        Kind::Decimal(p, s) => {
            let value = (i as i128 + 1) * 10;
            let digits = value.to_string().len() as u32;
            if digits + s > *p {
                // The value does not fit DECIMAL(p, s): Flink casts it to NULL.
                Value::Null
            } else {
                Value::Decimal(value * 10i128.pow(*s), *s)
            }
        }
        Kind::Char(n) | Kind::Varchar(n) => {
            Value::Str(format!("row-{i}").chars().take(*n as usize).collect())
        }
        Kind::Binary(_) | Kind::Varbinary(_) => Value::Bytes((i as u32).to_be_bytes().to_vec()),
        Kind::Date => Value::Date(
            NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|epoch| epoch.checked_add_days(Days::new(i)))
                .unwrap_or(NaiveDate::MAX),
        ),
        Kind::Time(p) => Value::Time((i % 86_400) as u32, *p),
        Kind::Timestamp(p) => Value::Timestamp(generated_timestamp(i, *p), *p),
        Kind::TimestampLtz(p) => Value::Ltz(Utc.from_utc_datetime(&generated_timestamp(i, *p)), *p),
        Kind::Array(element) => {
            let v = generate_non_null(element, i);
            Value::Array(vec![v.clone(), v])
        }
        Kind::Map(key, value) => Value::Map(vec![(
            generate_non_null(key, i),
            generate_non_null(value, i),
        )]),
        Kind::Multiset(element) => Value::Map(vec![(generate_non_null(element, i), Value::Int(1))]),
        Kind::Raw(_) => Value::Raw(format!("raw-{i}")),
        Kind::Row(fields) => Value::Row(
            fields
                .iter()
                .map(|(name, ty)| (name.clone(), generate_non_null(ty, i)))
                .collect(),
        ),
    }
}

/// 2024-01-01T00:00:00 + i s + (i % 1000) ms, cut to `precision`.
fn generated_timestamp(i: u64, precision: u32) -> NaiveDateTime {
    let offset = Duration::try_seconds(i.min(i64::MAX as u64 / 1000) as i64)
        .unwrap_or(Duration::MAX)
        + Duration::milliseconds((i % 1000) as i64);
    let t = timestamp_base()
        .checked_add_signed(offset)
        .unwrap_or(NaiveDateTime::MAX);
    let nanos = truncate_nanos(t.and_utc().timestamp_subsec_nanos(), precision);
    t.with_nanosecond_fixed(nanos)
}

/// `with_nanosecond` for a value known to be valid.
trait WithNanos {
    fn with_nanosecond_fixed(self, nanos: u32) -> Self;
}

impl WithNanos for NaiveDateTime {
    fn with_nanosecond_fixed(self, nanos: u32) -> NaiveDateTime {
        use chrono::Timelike as _;
        self.with_nanosecond(nanos).expect("nanos below one second")
    }
}

/// Java's `Double.toString`: `0.5`, `1.0`, `1.0E7`, `NaN`, `Infinity`.
pub fn java_double(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let magnitude = v.abs();
    if v == 0.0 || (1e-3..1e7).contains(&magnitude) {
        let text = format!("{v}");
        return if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        };
    }
    let text = format!("{v:e}");
    let (mantissa, exponent) = text.split_once('e').expect("exponent form");
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    format!("{mantissa}E{exponent}")
}

/// Java's `BigDecimal.stripTrailingZeros().toString()`: `1.5`, `1E+2`.
pub fn java_decimal_stripped(unscaled: i128, scale: u32) -> String {
    if unscaled == 0 {
        return "0".into();
    }
    let mut unscaled = unscaled;
    let mut scale = scale as i64;
    while unscaled % 10 == 0 {
        unscaled /= 10;
        scale -= 1;
    }
    let negative = unscaled < 0;
    let digits = unscaled.unsigned_abs().to_string();
    let adjusted = digits.len() as i64 - 1 - scale;
    let body = if scale >= 0 && adjusted >= -6 {
        plain_decimal(&digits, scale as u32)
    } else {
        let mut mantissa = digits[..1].to_string();
        if digits.len() > 1 {
            mantissa.push('.');
            mantissa.push_str(&digits[1..]);
        }
        let sign = if adjusted >= 0 { "+" } else { "" };
        format!("{mantissa}E{sign}{adjusted}")
    };
    if negative { format!("-{body}") } else { body }
}

/// `digits` with a decimal point `scale` places from the right.
fn plain_decimal(digits: &str, scale: u32) -> String {
    let scale = scale as usize;
    if scale == 0 {
        return digits.to_string();
    }
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits.to_string()
    };
    let point = padded.len() - scale;
    format!("{}.{}", &padded[..point], &padded[point..])
}

/// `HH:MM:SS` of a second of the day.
fn time_text(second: u32) -> String {
    let t = NaiveTime::from_num_seconds_from_midnight_opt(second, 0).expect("a second of the day");
    t.format("%H:%M:%S").to_string()
}

/// The fraction of `nanos` trimmed of trailing zeros, with its dot; empty when zero.
fn trimmed_fraction(nanos: u32) -> String {
    if nanos == 0 {
        return String::new();
    }
    let digits = format!("{nanos:09}");
    format!(".{}", digits.trim_end_matches('0'))
}

/// The fraction of `nanos` padded to `precision` digits, with its dot; empty for precision 0.
fn padded_fraction(nanos: u32, precision: u32) -> String {
    if precision == 0 {
        return String::new();
    }
    format!(".{}", &format!("{nanos:09}")[..precision.min(9) as usize])
}

/// The wall-clock time of `instant` in `zone`.
fn wall_clock(instant: &DateTime<Utc>, zone: Tz) -> NaiveDateTime {
    instant.with_timezone(&zone).naive_local()
}

impl Value {
    /// Appends the JSON form (rowFormat=JSON) to `out`; TIMESTAMP_LTZ is
    /// written in `zone`.
    pub fn write_json(&self, out: &mut String, zone: Tz) -> Result<(), NotJson> {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(v) => {
                let _ = write!(out, "{v}");
            }
            Value::Float(v) if v.is_finite() => out.push_str(&java_double(*v)),
            Value::Float(v) => push_json_string(out, &java_double(*v)),
            Value::Decimal(unscaled, scale) => {
                out.push_str(&java_decimal_stripped(*unscaled, *scale))
            }
            Value::Str(s) => push_json_string(out, s),
            Value::Bytes(b) => {
                out.push('"');
                base64::engine::general_purpose::STANDARD.encode_string(b, out);
                out.push('"');
            }
            Value::Date(d) => {
                let _ = write!(out, "\"{:04}-{:02}-{:02}\"", d.year(), d.month(), d.day());
            }
            Value::Time(second, _) => {
                let _ = write!(out, "\"{}\"", time_text(*second));
            }
            Value::Timestamp(t, _) => {
                out.push('"');
                write_iso(out, t);
                out.push('"');
            }
            Value::Ltz(instant, _) => {
                out.push('"');
                write_iso(out, &wall_clock(instant, zone));
                out.push_str("Z\"");
            }
            Value::Array(items) => {
                out.push('[');
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    item.write_json(out, zone)?;
                }
                out.push(']');
            }
            Value::Map(entries) => {
                out.push('{');
                for (n, (key, value)) in entries.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    match key {
                        Value::Str(s) => push_json_string(out, s),
                        Value::Null => out.push_str("\"null\""),
                        _ => return Err(NotJson),
                    }
                    out.push(':');
                    value.write_json(out, zone)?;
                }
                out.push('}');
            }
            Value::Raw(_) => return Err(NotJson),
            Value::Row(fields) => {
                out.push('{');
                for (n, (name, value)) in fields.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    push_json_string(out, name);
                    out.push(':');
                    value.write_json(out, zone)?;
                }
                out.push('}');
            }
        }
        Ok(())
    }

    /// Appends the PLAIN_TEXT form to `out`: a JSON string, or `null` for SQL NULL.
    pub fn write_plain_json(&self, out: &mut String, zone: Tz) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Str(s) => push_json_string(out, s),
            other => push_json_string(out, &other.plain(zone)),
        }
    }

    /// CAST(value AS STRING) in `zone`; NULL inside collections is `NULL`.
    pub fn plain(&self, zone: Tz) -> String {
        match self {
            Value::Null => "NULL".into(),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Value::Int(v) => v.to_string(),
            Value::Float(v) => java_double(*v),
            Value::Decimal(unscaled, scale) => {
                let text = plain_decimal(&unscaled.unsigned_abs().to_string(), *scale);
                if *unscaled < 0 {
                    format!("-{text}")
                } else {
                    text
                }
            }
            Value::Str(s) | Value::Raw(s) => s.clone(),
            Value::Bytes(b) => {
                let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
                format!("x'{hex}'")
            }
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::Time(second, precision) => {
                format!("{}{}", time_text(*second), padded_fraction(0, *precision))
            }
            Value::Timestamp(t, precision) => spaced(t, *precision),
            Value::Ltz(instant, precision) => spaced(&wall_clock(instant, zone), *precision),
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(|v| v.plain(zone)).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Map(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}={}", k.plain(zone), v.plain(zone)))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
            Value::Row(fields) => {
                let fields: Vec<String> = fields.iter().map(|(_, v)| v.plain(zone)).collect();
                format!("({})", fields.join(", "))
            }
        }
    }

    /// A key for grouping rows by this value.
    pub fn group_key(&self) -> String {
        format!("{self:?}")
    }
}

/// Appends the ISO local date-time with a `T`, the fraction trimmed (omitted when zero).
fn write_iso(out: &mut String, t: &NaiveDateTime) {
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    out.push_str(&trimmed_fraction(t.nanosecond()));
}

/// `yyyy-MM-dd HH:mm:ss` with the fraction padded to `precision`.
fn spaced(t: &NaiveDateTime, precision: u32) -> String {
    use chrono::Timelike as _;
    format!(
        "{}{}",
        t.format("%Y-%m-%d %H:%M:%S"),
        padded_fraction(t.nanosecond(), precision)
    )
}

/// The session time zone named by `table.local-time-zone`: the gateway
/// JVM's zone `jvm` when unset or `default`, UTC when unknown.
pub fn zone(name: Option<&str>, jvm: Option<&str>) -> Tz {
    let name = name.filter(|n| !n.trim().eq_ignore_ascii_case("default"));
    name.or(jvm)
        .and_then(|n| n.parse::<Tz>().ok())
        .unwrap_or(Tz::UTC)
}

/// Whether Flink `version` (`1.20.0`) writes TIMESTAMP_LTZ in JSON rows as
/// the session zone's wall clock (1.19 and later, FLINK-32396) rather than
/// the UTC instant.
pub fn ltz_json_in_session_zone(version: &str) -> bool {
    let mut parts = version.split(|c: char| !c.is_ascii_digit());
    let major: u32 = parts
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(u32::MAX);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor) >= (1, 19)
}

/// Now, as a TIMESTAMP_LTZ(p) value.
pub fn now_ltz(precision: u32) -> Value {
    let now = Utc::now();
    let nanos = truncate_nanos(now.timestamp_subsec_nanos(), precision);
    let naive = now.naive_utc().with_nanosecond_fixed(nanos);
    Value::Ltz(Utc.from_utc_datetime(&naive), precision)
}

/// An epoch-millisecond instant as a TIMESTAMP_LTZ(p) value.
pub fn ltz_at(time: std::time::SystemTime, precision: u32) -> Value {
    let instant: DateTime<Utc> = time.into();
    let nanos = truncate_nanos(instant.timestamp_subsec_nanos(), precision);
    let naive = instant.naive_utc().with_nanosecond_fixed(nanos);
    Value::Ltz(Utc.from_utc_datetime(&naive), precision)
}

/// `CAST(value AS to)` of a value whose type [`Type::casts_to`] `to`:
/// numbers narrow like Java casts, DECIMALs round half up (NULL when they
/// do not fit), CHAR(n) pads and VARCHAR(n) cuts, strings parse, date-times
/// convert in UTC. Where Flink's job would fail (a string that does not
/// parse), the double yields NULL, as TRY_CAST does.
pub fn cast(value: &Value, to: &Type) -> Value {
    convert(value, to).unwrap_or(Value::Null)
}

fn convert(value: &Value, to: &Type) -> Option<Value> {
    if *value == Value::Null {
        return Some(Value::Null);
    }
    Some(match &to.kind {
        Kind::Null => Value::Null,
        Kind::Char(n) => {
            let mut text: String = value.plain(Tz::UTC).chars().take(*n as usize).collect();
            let len = text.chars().count();
            text.extend(std::iter::repeat_n(' ', *n as usize - len));
            Value::Str(text)
        }
        Kind::Varchar(n) => Value::Str(value.plain(Tz::UTC).chars().take(*n as usize).collect()),
        Kind::Boolean => Value::Bool(match value {
            Value::Bool(b) => *b,
            Value::Int(v) => *v != 0,
            Value::Float(v) => *v != 0.0,
            Value::Decimal(unscaled, _) => *unscaled != 0,
            Value::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "t" | "true" | "y" | "yes" | "1" => true,
                "f" | "false" | "n" | "no" | "0" => false,
                _ => return None,
            },
            _ => return None,
        }),
        Kind::TinyInt | Kind::SmallInt | Kind::Int | Kind::BigInt => {
            let wide: i64 = match value {
                Value::Bool(b) => *b as i64,
                Value::Int(v) => *v,
                Value::Float(v) if matches!(to.kind, Kind::BigInt) => *v as i64,
                Value::Float(v) => *v as i32 as i64,
                Value::Decimal(unscaled, scale) => (unscaled / 10i128.pow(*scale)) as i64,
                Value::Str(s) => {
                    let s = s.trim();
                    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
                    if !frac.chars().all(|c| c.is_ascii_digit()) {
                        return None;
                    }
                    int.parse().ok()?
                }
                _ => return None,
            };
            Value::Int(match to.kind {
                Kind::TinyInt => wide as i8 as i64,
                Kind::SmallInt => wide as i16 as i64,
                Kind::Int => wide as i32 as i64,
                _ => wide,
            })
        }
        Kind::Float | Kind::Double => Value::Float(match value {
            Value::Bool(b) => *b as u8 as f64,
            Value::Int(v) => *v as f64,
            Value::Float(v) => *v,
            Value::Decimal(unscaled, scale) => *unscaled as f64 / 10f64.powi(*scale as i32),
            Value::Str(s) => s.trim().parse().ok()?,
            _ => return None,
        }),
        Kind::Decimal(p, s) => {
            let (unscaled, scale) = match value {
                Value::Bool(b) => (*b as i128, 0),
                Value::Int(v) => (*v as i128, 0),
                Value::Decimal(unscaled, scale) => (*unscaled, *scale),
                Value::Float(v) if v.is_finite() => parse_decimal(&format!("{v}"))?,
                Value::Str(text) => parse_decimal(text.trim())?,
                _ => return None,
            };
            let unscaled = rescale(unscaled, scale, *s)?;
            if unscaled.unsigned_abs().to_string().len() as u32 > *p {
                return None;
            }
            Value::Decimal(unscaled, *s)
        }
        Kind::Binary(n) | Kind::Varbinary(n) => {
            let mut bytes = match value {
                Value::Bytes(b) => b.clone(),
                Value::Str(s) => s.as_bytes().to_vec(),
                _ => return None,
            };
            bytes.truncate(*n as usize);
            if matches!(to.kind, Kind::Binary(_)) {
                bytes.resize(*n as usize, 0);
            }
            Value::Bytes(bytes)
        }
        Kind::Date => Value::Date(match value {
            Value::Date(d) => *d,
            Value::Timestamp(t, _) => t.date(),
            Value::Ltz(instant, _) => instant.naive_utc().date(),
            Value::Str(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?,
            _ => return None,
        }),
        Kind::Time(p) => {
            let time = match value {
                Value::Time(second, _) => {
                    NaiveTime::from_num_seconds_from_midnight_opt(*second, 0)?
                }
                Value::Timestamp(t, _) => t.time(),
                Value::Ltz(instant, _) => instant.naive_utc().time(),
                Value::Str(s) => NaiveTime::parse_from_str(s.trim(), "%H:%M:%S%.f").ok()?,
                _ => return None,
            };
            Value::Time(time.num_seconds_from_midnight(), *p)
        }
        Kind::Timestamp(p) | Kind::TimestampLtz(p) => {
            let wall = match value {
                Value::Timestamp(t, _) => *t,
                Value::Ltz(instant, _) => instant.naive_utc(),
                Value::Date(d) => d.and_hms_opt(0, 0, 0)?,
                Value::Time(second, _) => NaiveDate::from_ymd_opt(1970, 1, 1)?
                    .and_time(NaiveTime::from_num_seconds_from_midnight_opt(*second, 0)?),
                Value::Str(s) => parse_timestamp(s.trim())?,
                _ => return None,
            };
            let wall = wall.with_nanosecond_fixed(truncate_nanos(wall.nanosecond(), *p));
            if matches!(to.kind, Kind::Timestamp(_)) {
                Value::Timestamp(wall, *p)
            } else {
                Value::Ltz(Utc.from_utc_datetime(&wall), *p)
            }
        }
        Kind::Array(element) => match value {
            Value::Array(items) => Value::Array(items.iter().map(|v| cast(v, element)).collect()),
            _ => return None,
        },
        Kind::Map(key, val) => match value {
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (cast(k, key), cast(v, val)))
                    .collect(),
            ),
            _ => return None,
        },
        Kind::Multiset(element) => match value {
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, count)| (cast(k, element), count.clone()))
                    .collect(),
            ),
            _ => return None,
        },
        Kind::Raw(_) => return None,
        Kind::Row(fields) => match value {
            Value::Row(values) if values.len() == fields.len() => Value::Row(
                fields
                    .iter()
                    .zip(values)
                    .map(|((name, ty), (_, v))| (name.clone(), cast(v, ty)))
                    .collect(),
            ),
            _ => return None,
        },
    })
}

/// `[-]digits[.digits]` as an unscaled value and its scale.
fn parse_decimal(text: &str) -> Option<(i128, u32)> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let unscaled: i128 = format!("{int}{frac}0").parse::<i128>().ok()? / 10;
    Some((
        if negative { -unscaled } else { unscaled },
        frac.len() as u32,
    ))
}

/// `unscaled * 10^-from` at scale `to`, rounding half up (away from zero).
fn rescale(unscaled: i128, from: u32, to: u32) -> Option<i128> {
    if to >= from {
        return unscaled.checked_mul(10i128.checked_pow(to - from)?);
    }
    let divisor = 10i128.checked_pow(from - to)?;
    let (quotient, remainder) = (unscaled / divisor, unscaled % divisor);
    Some(if remainder.abs() * 2 >= divisor {
        quotient + unscaled.signum()
    } else {
        quotient
    })
}

/// `yyyy-MM-dd[ HH:mm[:ss[.f]]]`, with a space or a `T`.
fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    let text = text.replacen('T', " ", 1);
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&text, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .ok()?
                .and_hms_opt(0, 0, 0)
        })
}

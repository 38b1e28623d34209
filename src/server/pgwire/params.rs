//! Bind parameters: the bytes a client sent, in text or binary format,
//! decoded into DataFusion scalars of the type the statement expects.

use arrow::datatypes::DataType;
use datafusion::scalar::ScalarValue;
use pgwire::api::Type;
use pgwire::api::portal::Portal;
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};

use crate::sql::ParsedStatement;

/// The wire type of parameter `index`: what the client declared, else what
/// the statement expects, else `text`.
pub fn parameter_type(declared: Option<&Type>, inferred: Option<&DataType>) -> Type {
    match (declared, inferred) {
        (Some(t), _) if *t != Type::UNKNOWN => t.clone(),
        (_, Some(data_type)) => super::encode::pg_type(data_type),
        _ => Type::TEXT,
    }
}

fn bad_parameter(index: usize, pg_type: &Type, err: impl std::fmt::Display) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        "ERROR".to_string(),
        "22P02".to_string(),
        format!(
            "invalid value for parameter ${} of type {}: {err}",
            index + 1,
            pg_type.name()
        ),
    )))
}

/// Decodes every parameter of `portal`, given the types the statement
/// expects (`inferred`, `$1` first).
pub fn decode(
    portal: &Portal<ParsedStatement>,
    inferred: &[Option<DataType>],
) -> PgWireResult<Vec<ScalarValue>> {
    (0..portal.parameter_len())
        .map(|i| {
            let declared = portal
                .statement
                .parameter_types
                .get(i)
                .and_then(Option::as_ref);
            let pg_type = parameter_type(declared, inferred.get(i).and_then(Option::as_ref));
            decode_one(portal, i, &pg_type).map_err(|e| bad_parameter(i, &pg_type, e))
        })
        .collect()
}

fn decode_one(
    portal: &Portal<ParsedStatement>,
    i: usize,
    pg_type: &Type,
) -> PgWireResult<ScalarValue> {
    Ok(match *pg_type {
        Type::BOOL => ScalarValue::Boolean(portal.parameter::<bool>(i, pg_type)?),
        Type::INT2 => ScalarValue::Int16(portal.parameter::<i16>(i, pg_type)?),
        Type::INT4 => ScalarValue::Int32(portal.parameter::<i32>(i, pg_type)?),
        Type::INT8 => ScalarValue::Int64(portal.parameter::<i64>(i, pg_type)?),
        Type::FLOAT4 => ScalarValue::Float32(portal.parameter::<f32>(i, pg_type)?),
        Type::FLOAT8 => ScalarValue::Float64(portal.parameter::<f64>(i, pg_type)?),
        Type::NUMERIC => match portal.parameter::<rust_decimal::Decimal>(i, pg_type)? {
            Some(d) => ScalarValue::Decimal128(Some(d.mantissa()), 38, d.scale() as i8),
            None => ScalarValue::Decimal128(None, 38, 0),
        },
        Type::BYTEA => ScalarValue::Binary(portal.parameter::<Vec<u8>>(i, pg_type)?),
        Type::DATE => ScalarValue::Date32(
            portal
                .parameter::<chrono::NaiveDate>(i, pg_type)?
                .map(|d| (d - chrono::NaiveDate::default()).num_days() as i32),
        ),
        Type::TIMESTAMP => ScalarValue::TimestampMicrosecond(
            portal
                .parameter::<chrono::NaiveDateTime>(i, pg_type)?
                .map(|t| t.and_utc().timestamp_micros()),
            None,
        ),
        Type::TIMESTAMPTZ => ScalarValue::TimestampMicrosecond(
            portal
                .parameter::<chrono::DateTime<chrono::FixedOffset>>(i, pg_type)?
                .map(|t| t.timestamp_micros()),
            Some("UTC".into()),
        ),
        _ if portal.parameter_format.is_binary(i)
            && !matches!(
                *pg_type,
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME
            ) =>
        {
            return Err(PgWireError::UserError(Box::new(ErrorInfo::new(
                "ERROR".to_string(),
                "0A000".to_string(),
                format!(
                    "binary parameters of type {} are not supported; send it as text",
                    pg_type.name()
                ),
            ))));
        }
        _ => ScalarValue::Utf8(portal.parameter::<String>(i, &Type::TEXT)?),
    })
}

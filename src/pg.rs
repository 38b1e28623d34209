//! What PostgreSQL clients see of scaleph, wherever they see it: the
//! version it presents itself as, and the PostgreSQL type of each Arrow
//! type. The pgwire server sends columns with these types, the session
//! reports the version in `server_version`, and the local engine's
//! emulated catalogs (`information_schema.columns`, `version()`) must say
//! the same, so it is written once here, below all three.
//!
//! Nothing here depends on the rest of the crate: any layer may use it.

use arrow::datatypes::DataType;
use pgwire::api::Type;

/// The PostgreSQL version scaleph presents itself as to clients.
pub const EMULATED_SERVER_VERSION: &str = "15.0";

/// [`EMULATED_SERVER_VERSION`] as PostgreSQL's `server_version_num` says
/// it (major * 10000 + minor).
pub const EMULATED_SERVER_VERSION_NUM: &str = "150000";

/// The PostgreSQL type a column of `data_type` is sent as.
pub fn pg_type(data_type: &DataType) -> Type {
    match data_type {
        DataType::Boolean => Type::BOOL,
        DataType::Int8 | DataType::Int16 | DataType::UInt8 => Type::INT2,
        DataType::Int32 | DataType::UInt16 => Type::INT4,
        DataType::Int64 | DataType::UInt32 => Type::INT8,
        DataType::UInt64
        | DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..) => Type::NUMERIC,
        DataType::Float16 | DataType::Float32 => Type::FLOAT4,
        DataType::Float64 => Type::FLOAT8,
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => Type::BYTEA,
        DataType::Date32 | DataType::Date64 => Type::DATE,
        DataType::Time32(_) | DataType::Time64(_) => Type::TIME,
        DataType::Timestamp(_, None) => Type::TIMESTAMP,
        DataType::Timestamp(_, Some(_)) => Type::TIMESTAMPTZ,
        _ => Type::TEXT,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::datatypes::{Field, TimeUnit};

    use super::*;

    #[test]
    fn server_version_num_says_the_emulated_version() {
        let (major, minor) = EMULATED_SERVER_VERSION.split_once('.').unwrap();
        let num = major.parse::<u32>().unwrap() * 10000 + minor.parse::<u32>().unwrap();
        assert_eq!(EMULATED_SERVER_VERSION_NUM, num.to_string());
    }

    #[test]
    fn pg_type_covers_the_common_types() {
        assert_eq!(pg_type(&DataType::Int64), Type::INT8);
        assert_eq!(pg_type(&DataType::Utf8View), Type::TEXT);
        assert_eq!(
            pg_type(&DataType::Timestamp(
                TimeUnit::Microsecond,
                Some("UTC".into())
            )),
            Type::TIMESTAMPTZ
        );
        assert_eq!(pg_type(&DataType::Decimal128(10, 2)), Type::NUMERIC);
        assert_eq!(
            pg_type(&DataType::List(Arc::new(Field::new(
                "x",
                DataType::Int32,
                true
            )))),
            Type::TEXT
        );
    }
}

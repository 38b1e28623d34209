//! Parameter types DataFusion cannot infer but PostgreSQL would: a
//! placeholder cast to a type (`$1::BIGINT`, `CAST($2 AS VARCHAR)`) has
//! that type. Drivers (tokio-postgres, pgjdbc) refuse to bind a value to a
//! parameter described as `text` when they hold an integer.

use std::collections::HashMap;
use std::ops::ControlFlow;

use arrow::datatypes::{DataType, TimeUnit};
use sqlparser::ast::{Expr, Statement, Value, Visit, Visitor};

struct Casts(HashMap<String, DataType>);

impl Visitor for Casts {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if let Expr::Cast {
            expr: inner,
            data_type,
            ..
        } = expr
            && let Expr::Value(value) = inner.as_ref()
            && let Value::Placeholder(name) = &value.value
            && let Some(arrow) = arrow_type(&data_type.to_string())
        {
            self.0.entry(name.clone()).or_insert(arrow);
        }
        ControlFlow::Continue(())
    }
}

/// The type each cast placeholder is cast to, by placeholder (`$1`).
pub fn cast_types(statement: &Statement) -> HashMap<String, DataType> {
    let mut casts = Casts(HashMap::new());
    let _ = statement.visit(&mut casts);
    casts.0
}

/// The Arrow type of a SQL type name, for the types parameters are cast to.
fn arrow_type(sql_type: &str) -> Option<DataType> {
    let upper = sql_type.to_ascii_uppercase();
    let base = upper.split('(').next().unwrap_or("").trim();
    Some(match base {
        "BIGINT" | "INT8" | "INT64" => DataType::Int64,
        "INT" | "INTEGER" | "INT4" => DataType::Int32,
        "SMALLINT" | "INT2" => DataType::Int16,
        "TINYINT" => DataType::Int8,
        "BOOLEAN" | "BOOL" => DataType::Boolean,
        "REAL" | "FLOAT4" => DataType::Float32,
        "DOUBLE" | "DOUBLE PRECISION" | "FLOAT8" | "FLOAT" => DataType::Float64,
        "VARCHAR" | "CHAR" | "TEXT" | "STRING" | "CHARACTER VARYING" | "CHARACTER" => {
            DataType::Utf8
        }
        "BYTEA" | "BINARY" | "VARBINARY" => DataType::Binary,
        "DATE" => DataType::Date32,
        "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => {
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        }
        "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => {
            DataType::Timestamp(TimeUnit::Microsecond, None)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_types_reads_placeholder_casts() {
        let statement = sqlparser::parser::Parser::parse_sql(
            &sqlparser::dialect::GenericDialect {},
            "SELECT $1::BIGINT + 1, CAST($2 AS VARCHAR), $3::NUMERIC(10, 2)",
        )
        .unwrap()
        .remove(0);
        let types = cast_types(&statement);
        assert_eq!(types.get("$1"), Some(&DataType::Int64));
        assert_eq!(types.get("$2"), Some(&DataType::Utf8));
        assert_eq!(types.get("$3"), None);
    }
}

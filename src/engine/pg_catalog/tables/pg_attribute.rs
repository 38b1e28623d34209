//! `pg_attribute` with each column's type modifier (`atttypmod`), which
//! datafusion-pg-catalog leaves at -1, and its declared type where its
//! Arrow type is too wide (a Flink `VARCHAR(20)` is `character
//! varying(20)`, not `text`): a decimal's precision and scale
//! (Flink's `DECIMAL(10, 2)` shows as `numeric(10,2)` in psql's `\d`, and
//! pgjdbc's getColumns takes COLUMN_SIZE and DECIMAL_DIGITS from it) and
//! the fractional digits of a timestamp or time other than PostgreSQL's
//! default of 6 (`TIMESTAMP(3)` as `timestamp(3) without time zone`).
//!
//! The emulated table is read whole, and each row's modifier looked up by
//! its relation: pg_class and pg_namespace name the table, the session's
//! catalog gives its Arrow schema. A field may say its type and modifier
//! in its metadata ([`TYPE_OID_KEY`], [`TYPMOD_KEY`]) where its Arrow type
//! cannot: a Flink `TIMESTAMP(9)` or `TIME(4)` decodes to microseconds
//! like any other, a `VARCHAR(20)` to Utf8.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int64Array, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Int64Type, TimeUnit};
use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, Session};
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::context::SessionState;

use super::{RowAmendment, rows};

/// Schemas whose tables are PostgreSQL's own catalogs, whose columns keep
/// no modifiers.
const CATALOG_SCHEMAS: &[&str] = &["pg_catalog", "information_schema"];

/// The key of a field's metadata holding its PostgreSQL type modifier,
/// when its Arrow type does not imply it.
pub const TYPMOD_KEY: &str = "pg_typmod";

/// The key of a field's metadata holding the oid of its PostgreSQL type,
/// when it is not the one its Arrow type maps to (`varchar` for a Flink
/// `VARCHAR(n)`, which is Utf8 as `text` is).
pub const TYPE_OID_KEY: &str = "pg_type_oid";

/// What pg_attribute says of a column beyond datafusion-pg-catalog.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Declared {
    /// `atttypid`, when not the Arrow type's.
    type_oid: Option<i64>,
    /// `atttypmod`; -1 for none.
    typmod: i32,
}

/// What the column `field` declares: its metadata's type and modifier, or
/// the modifier its type implies.
fn declared(field: &Field) -> Declared {
    let metadata = field.metadata();
    Declared {
        type_oid: metadata.get(TYPE_OID_KEY).and_then(|oid| oid.parse().ok()),
        typmod: metadata
            .get(TYPMOD_KEY)
            .and_then(|typmod| typmod.parse().ok())
            .unwrap_or_else(|| typmod(field.data_type())),
    }
}

/// The type modifier PostgreSQL keeps for a column of `data_type`; -1 for
/// none.
fn typmod(data_type: &DataType) -> i32 {
    let digits = |unit: &TimeUnit| match unit {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 3,
        // PostgreSQL's default (and most) precision: no modifier.
        TimeUnit::Microsecond | TimeUnit::Nanosecond => -1,
    };
    match data_type {
        DataType::Decimal32(precision, scale)
        | DataType::Decimal64(precision, scale)
        | DataType::Decimal128(precision, scale)
        | DataType::Decimal256(precision, scale)
            if *scale >= 0 =>
        {
            ((i32::from(*precision) << 16) | i32::from(*scale)) + 4
        }
        DataType::Timestamp(unit, _) | DataType::Time32(unit) | DataType::Time64(unit) => {
            digits(unit)
        }
        _ => -1,
    }
}

/// `pg_attribute`'s rows with the types and modifiers columns declare;
/// `pg_catalog` is the schema it is in (for pg_class and pg_namespace).
#[derive(Debug)]
pub struct TypedAttributes {
    pg_catalog: Arc<dyn SchemaProvider>,
}

impl TypedAttributes {
    /// The declarations of the tables `pg_catalog` lists.
    pub fn new(pg_catalog: Arc<dyn SchemaProvider>) -> TypedAttributes {
        TypedAttributes { pg_catalog }
    }

    /// The rows of the catalog table `name`.
    async fn catalog_rows(&self, name: &str, state: &dyn Session) -> DfResult<Vec<RecordBatch>> {
        let table = self
            .pg_catalog
            .table(name)
            .await?
            .ok_or_else(|| DataFusionError::Plan(format!("pg_catalog.{name} is missing")))?;
        rows(&table, state).await
    }

    /// `(attrelid, attnum) -> what it declares` for every column declaring
    /// a modifier or a type of its own.
    async fn declarations(&self, state: &dyn Session) -> DfResult<HashMap<(i64, i64), Declared>> {
        let mut declarations = HashMap::new();
        let Some(state) = state.as_any().downcast_ref::<SessionState>() else {
            return Ok(declarations);
        };
        let database = &state.config().options().catalog.default_catalog;
        let Some(catalog) = state.catalog_list().catalog(database) else {
            return Ok(declarations);
        };
        let mut namespaces = HashMap::new();
        for batch in self.catalog_rows("pg_namespace", state).await? {
            let oids = integers(&batch, "oid")?;
            let names = texts(&batch, "nspname")?;
            for row in 0..batch.num_rows() {
                namespaces.insert(oids.value(row), names.value(row).to_string());
            }
        }
        for batch in self.catalog_rows("pg_class", state).await? {
            let oids = integers(&batch, "oid")?;
            let names = texts(&batch, "relname")?;
            let spaces = integers(&batch, "relnamespace")?;
            for row in 0..batch.num_rows() {
                let Some(namespace) = namespaces.get(&spaces.value(row)) else {
                    continue;
                };
                if CATALOG_SCHEMAS.contains(&namespace.as_str()) {
                    continue;
                }
                let Some(schema) = catalog.schema(namespace) else {
                    continue;
                };
                let Some(table) = schema.table(names.value(row)).await? else {
                    continue;
                };
                for (index, field) in table.schema().fields().iter().enumerate() {
                    let declared = declared(field);
                    if declared.typmod != -1 || declared.type_oid.is_some() {
                        declarations.insert((oids.value(row), index as i64 + 1), declared);
                    }
                }
            }
        }
        Ok(declarations)
    }
}

/// The column `name` of `batch`.
fn column<'a>(batch: &'a RecordBatch, name: &str) -> DfResult<&'a ArrayRef> {
    batch
        .column_by_name(name)
        .ok_or_else(|| DataFusionError::Plan(format!("catalog column {name} is missing")))
}

/// The column `name` of `batch` as 64-bit integers.
fn integers(batch: &RecordBatch, name: &str) -> DfResult<arrow::array::Int64Array> {
    Ok(cast(column(batch, name)?, &DataType::Int64)?
        .as_primitive::<Int64Type>()
        .clone())
}

/// The column `name` of `batch` as text.
fn texts(batch: &RecordBatch, name: &str) -> DfResult<arrow::array::StringArray> {
    Ok(cast(column(batch, name)?, &DataType::Utf8)?
        .as_string::<i32>()
        .clone())
}

/// `batch` with `atttypid` and `atttypmod` as `declarations` say, where
/// they say it.
fn with_declarations(
    batch: RecordBatch,
    declarations: &HashMap<(i64, i64), Declared>,
) -> DfResult<RecordBatch> {
    let relations = integers(&batch, "attrelid")?;
    let numbers = integers(&batch, "attnum")?;
    let declared = |row: usize| declarations.get(&(relations.value(row), numbers.value(row)));
    let batch = overlay(batch, "atttypid", |row| declared(row)?.type_oid)?;
    overlay(batch, "atttypmod", |row| {
        declared(row).map(|declared| i64::from(declared.typmod))
    })
}

/// `batch` with the integer column `name` replaced by `value` in the rows
/// it gives one for.
fn overlay(
    batch: RecordBatch,
    name: &str,
    value: impl Fn(usize) -> Option<i64>,
) -> DfResult<RecordBatch> {
    let Ok(index) = batch.schema().index_of(name) else {
        return Ok(batch);
    };
    let kept = integers(&batch, name)?;
    let values: Int64Array = (0..batch.num_rows())
        .map(|row| value(row).or_else(|| (!kept.is_null(row)).then(|| kept.value(row))))
        .collect();
    let mut columns = batch.columns().to_vec();
    columns[index] = cast(
        &(Arc::new(values) as ArrayRef),
        batch.column(index).data_type(),
    )?;
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

#[async_trait]
impl RowAmendment for TypedAttributes {
    async fn amend(
        &self,
        batches: Vec<RecordBatch>,
        state: &dyn Session,
    ) -> DfResult<Vec<RecordBatch>> {
        let declarations = self.declarations(state).await?;
        batches
            .into_iter()
            .map(|batch| with_declarations(batch, &declarations))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use arrow::datatypes::Schema;
    use datafusion::prelude::SessionContext;

    use super::super::test_support::{answer, with_pg_catalog};
    use super::*;

    #[test]
    fn modifiers_are_postgres_encodings() {
        assert_eq!(typmod(&DataType::Decimal128(10, 2)), (10 << 16 | 2) + 4);
        assert_eq!(typmod(&DataType::Timestamp(TimeUnit::Millisecond, None)), 3);
        assert_eq!(typmod(&DataType::Time32(TimeUnit::Second)), 0);
        assert_eq!(
            typmod(&DataType::Timestamp(
                TimeUnit::Microsecond,
                Some("UTC".into())
            )),
            -1
        );
        assert_eq!(typmod(&DataType::Utf8), -1);
        let micros = DataType::Timestamp(TimeUnit::Microsecond, None);
        assert_eq!(
            declared(&Field::new("at", micros.clone(), true)),
            Declared {
                type_oid: None,
                typmod: -1
            }
        );
        let field = Field::new("at", micros, true)
            .with_metadata([(TYPMOD_KEY.to_string(), "9".to_string())].into());
        assert_eq!(declared(&field).typmod, 9);
        let field = Field::new("code", DataType::Utf8, true).with_metadata(
            [
                (TYPE_OID_KEY.to_string(), "1043".to_string()),
                (TYPMOD_KEY.to_string(), "24".to_string()),
            ]
            .into(),
        );
        assert_eq!(
            declared(&field),
            Declared {
                type_oid: Some(1043),
                typmod: 24
            }
        );
    }

    #[tokio::test]
    async fn format_type_shows_precision_scale_and_digits() {
        let context = SessionContext::new();
        let schema = Arc::new(Schema::new(vec![
            Field::new("amount", DataType::Decimal128(10, 2), true),
            Field::new(
                "at",
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                true,
            ),
            Field::new("note", DataType::Utf8, true),
        ]));
        context
            .register_table(
                "t",
                Arc::new(datafusion::datasource::MemTable::try_new(schema, vec![vec![]]).unwrap()),
            )
            .unwrap();
        let context = with_pg_catalog(context);
        let text = answer(
            &context,
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type \
             FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON a.attrelid = c.oid \
             WHERE c.relname = 't' ORDER BY a.attnum",
        )
        .await;
        assert!(text.contains("| amount  | numeric(10,2)"), "{text}");
        assert!(
            text.contains("| at      | timestamp(3) with time zone"),
            "{text}"
        );
        assert!(text.contains("| note    | text"), "{text}");
    }
}

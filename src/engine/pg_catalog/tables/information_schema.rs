//! `information_schema` as PostgreSQL clients read it: DataFusion's
//! (tables, views, columns, schemata, routines, parameters, df_settings),
//! with PostgreSQL's constraint tables, empty since nothing scaleph shows
//! has constraints (Metabase's column sync joins `table_constraints` and
//! `key_column_usage` for primary keys), and PostgreSQL's columns of
//! `columns` after DataFusion's (Metabase reads `udt_name` for a column's
//! type, and `is_identity`), and `schemata` listing `information_schema`
//! too.

use std::sync::Arc;

use arrow::array::{Array, AsArray, StringArray};
use arrow::datatypes::DataType;
use datafusion::catalog::TableProvider;
use datafusion::catalog::information_schema::InformationSchemaProvider;
use datafusion::common::Column;
use datafusion::datasource::ViewTable;
use datafusion::datasource::provider_as_source;
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::{
    ColumnarValue, Expr, LogicalPlanBuilder, ScalarUDF, Volatility, cast, create_udf, lit,
};
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;

use super::{Amendment, ExtendedSchema, empty_table};

/// The PostgreSQL type of a column DataFusion describes as `arrow_type`
/// (its `data_type` text): the type scaleph sends the column as, `text`
/// when the description does not parse.
fn pg_type(arrow_type: &str) -> pgwire::api::Type {
    arrow_type.parse::<DataType>().map_or_else(
        |_| pgwire::api::Type::TEXT,
        |data_type| crate::pg::pg_type(&data_type),
    )
}

/// The PostgreSQL type name (`udt_name`) of a column DataFusion describes
/// as `arrow_type`.
fn udt_name(arrow_type: &str) -> String {
    pg_type(arrow_type).name().to_string()
}

/// The SQL name PostgreSQL's `information_schema.columns.data_type` gives
/// the type of a column DataFusion describes as `arrow_type` (`bigint`,
/// `timestamp with time zone`): what dbt, Grafana and other tools reading
/// `information_schema` compare against. Only the types [`pg_type`] gives
/// need a name of their own.
fn sql_data_type(arrow_type: &str) -> String {
    match pg_type(arrow_type).name() {
        "int2" => "smallint",
        "int4" => "integer",
        "int8" => "bigint",
        "bool" => "boolean",
        "float4" => "real",
        "float8" => "double precision",
        "time" => "time without time zone",
        "timestamp" => "timestamp without time zone",
        "timestamptz" => "timestamp with time zone",
        name => name,
    }
    .to_string()
}

/// `naming` of DataFusion's `data_type` column, as the function `name`.
fn type_naming_function(name: &str, naming: fn(&str) -> String) -> ScalarUDF {
    create_udf(
        name,
        vec![DataType::Utf8],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(move |args: &[ColumnarValue]| {
            let types = ColumnarValue::values_to_arrays(args)?;
            let names: StringArray = types[0]
                .as_string::<i32>()
                .iter()
                .map(|arrow_type| arrow_type.map(naming))
                .collect();
            let scalar = matches!(args[0], ColumnarValue::Scalar(_)) && names.len() == 1;
            Ok(if scalar {
                ColumnarValue::Scalar(ScalarValue::try_from_array(&names, 0)?)
            } else {
                ColumnarValue::Array(Arc::new(names))
            })
        }),
    )
}

/// The columns PostgreSQL's `information_schema.columns` has after
/// DataFusion's, in PostgreSQL's order.
fn postgres_columns() -> Vec<Expr> {
    let column = |name: &str| Expr::Column(Column::from_name(name));
    let text = |value: Option<&str>| lit(ScalarValue::Utf8(value.map(str::to_string)));
    let no_int = || lit(ScalarValue::Int64(None));
    vec![
        no_int().alias("interval_precision"),
        text(None).alias("character_set_catalog"),
        text(None).alias("character_set_schema"),
        text(None).alias("character_set_name"),
        text(None).alias("collation_catalog"),
        text(None).alias("collation_schema"),
        text(None).alias("collation_name"),
        text(None).alias("domain_catalog"),
        text(None).alias("domain_schema"),
        text(None).alias("domain_name"),
        column("table_catalog").alias("udt_catalog"),
        text(Some("pg_catalog")).alias("udt_schema"),
        type_naming_function("scaleph_udt_name", udt_name)
            .call(vec![column("data_type")])
            .alias("udt_name"),
        text(None).alias("scope_catalog"),
        text(None).alias("scope_schema"),
        text(None).alias("scope_name"),
        no_int().alias("maximum_cardinality"),
        cast(
            column("ordinal_position") + lit(ScalarValue::UInt64(Some(1))),
            DataType::Utf8,
        )
        .alias("dtd_identifier"),
        text(Some("NO")).alias("is_self_referencing"),
        text(Some("NO")).alias("is_identity"),
        text(None).alias("identity_generation"),
        text(None).alias("identity_start"),
        text(None).alias("identity_increment"),
        text(None).alias("identity_maximum"),
        text(None).alias("identity_minimum"),
        text(Some("NO")).alias("identity_cycle"),
        text(Some("NEVER")).alias("is_generated"),
        text(None).alias("generation_expression"),
        text(Some("YES")).alias("is_updatable"),
    ]
}

/// DataFusion's `columns` with [`postgres_columns`] after its own, and
/// `ordinal_position` counted from 1 as in PostgreSQL (DataFusion counts
/// from 0; Metabase subtracts 1 for its column positions).
fn postgres_columns_view(
    columns: Arc<dyn TableProvider>,
    _: Arc<dyn datafusion::catalog::SchemaProvider>,
) -> DfResult<Arc<dyn TableProvider>> {
    let own = columns
        .schema()
        .fields()
        .iter()
        .map(|field| {
            let column = Expr::Column(Column::from_name(field.name()));
            match field.name().as_str() {
                "ordinal_position" => {
                    (column + lit(ScalarValue::UInt64(Some(1)))).alias("ordinal_position")
                }
                "data_type" => type_naming_function("scaleph_data_type", sql_data_type)
                    .call(vec![column])
                    .alias("data_type"),
                _ => column,
            }
        })
        .collect::<Vec<_>>();
    let plan = LogicalPlanBuilder::scan("columns", provider_as_source(columns), None)?
        .project(own.into_iter().chain(postgres_columns()))?
        .build()?;
    Ok(Arc::new(ViewTable::new(plan, None)))
}

/// DataFusion's `schemata` with a row for `information_schema` itself
/// (DataFusion adds it only when its own information_schema is on), made
/// from `pg_catalog`'s row.
fn with_own_row(
    schemata: Arc<dyn TableProvider>,
    _: Arc<dyn datafusion::catalog::SchemaProvider>,
) -> DfResult<Arc<dyn TableProvider>> {
    let source = provider_as_source(schemata.clone());
    let own = schemata
        .schema()
        .fields()
        .iter()
        .map(|field| match field.name().as_str() {
            "schema_name" => lit(super::INFORMATION_SCHEMA).alias("schema_name"),
            name => Expr::Column(Column::from_name(name)),
        })
        .collect::<Vec<_>>();
    let own_row = LogicalPlanBuilder::scan("schemata", source.clone(), None)?
        .filter(Expr::Column(Column::from_name("schema_name")).eq(lit("pg_catalog")))?
        .project(own)?
        .build()?;
    let plan = LogicalPlanBuilder::scan("schemata", source, None)?
        .union(own_row)?
        .build()?;
    Ok(Arc::new(ViewTable::new(plan, None)))
}

/// PostgreSQL's constraint tables, empty: `(name, columns)`.
fn constraint_tables() -> Vec<(&'static str, Arc<dyn TableProvider>)> {
    let text = |names: &[&'static str]| -> Vec<(&'static str, DataType)> {
        names.iter().map(|name| (*name, DataType::Utf8)).collect()
    };
    let constraint = ["constraint_catalog", "constraint_schema", "constraint_name"];
    let table = ["table_catalog", "table_schema", "table_name"];
    let mut table_constraints = text(&constraint);
    table_constraints.extend(text(&table));
    table_constraints.extend(text(&[
        "constraint_type",
        "is_deferrable",
        "initially_deferred",
        "enforced",
        "nulls_distinct",
    ]));
    let mut key_column_usage = text(&constraint);
    key_column_usage.extend(text(&table));
    key_column_usage.extend([
        ("column_name", DataType::Utf8),
        ("ordinal_position", DataType::Int32),
        ("position_in_unique_constraint", DataType::Int32),
    ]);
    let mut referential_constraints = text(&constraint);
    referential_constraints.extend(text(&[
        "unique_constraint_catalog",
        "unique_constraint_schema",
        "unique_constraint_name",
        "match_option",
        "update_rule",
        "delete_rule",
    ]));
    let mut constraint_column_usage = text(&table);
    constraint_column_usage.extend(text(&["column_name"]));
    constraint_column_usage.extend(text(&constraint));
    vec![
        ("table_constraints", empty_table(&table_constraints)),
        ("key_column_usage", empty_table(&key_column_usage)),
        (
            "referential_constraints",
            empty_table(&referential_constraints),
        ),
        (
            "constraint_column_usage",
            empty_table(&constraint_column_usage),
        ),
        (
            "check_constraints",
            empty_table(&[
                ("constraint_catalog", DataType::Utf8),
                ("constraint_schema", DataType::Utf8),
                ("constraint_name", DataType::Utf8),
                ("check_clause", DataType::Utf8),
            ]),
        ),
    ]
}

/// The `information_schema` of `context`'s catalogs, to register as a
/// schema of its default catalog in place of DataFusion's built-in one
/// (which is on only when the session config asks, and then answers every
/// `information_schema` name itself, so it cannot be extended).
pub fn information_schema(context: &SessionContext) -> ExtendedSchema {
    let state = context.state_ref();
    let state = state.read();
    let inner = InformationSchemaProvider::new(state.catalog_list().clone())
        .with_table_functions(state.table_functions().clone());
    ExtendedSchema::new(
        Arc::new(inner),
        constraint_tables(),
        [
            ("columns", postgres_columns_view as Amendment),
            ("schemata", with_own_row as Amendment),
        ],
    )
}

#[cfg(test)]
mod tests {
    use datafusion::execution::context::SessionConfig;

    use super::super::array_of;
    use super::*;

    #[test]
    fn udt_names_are_the_types_scaleph_sends() {
        assert_eq!(udt_name("Int64"), "int8");
        assert_eq!(udt_name("Utf8"), "text");
        assert_eq!(udt_name(&DataType::Boolean.to_string()), "bool");
        let timestamp = DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None);
        assert_eq!(udt_name(&timestamp.to_string()), "timestamp");
        assert_eq!(udt_name(&array_of(DataType::Int32).to_string()), "text");
        assert_eq!(udt_name("not a type"), "text");
    }

    #[test]
    fn data_types_are_postgres_sql_names() {
        assert_eq!(sql_data_type("Int64"), "bigint");
        assert_eq!(sql_data_type("Int32"), "integer");
        assert_eq!(sql_data_type("Float64"), "double precision");
        assert_eq!(sql_data_type("Utf8"), "text");
        assert_eq!(sql_data_type(&DataType::Boolean.to_string()), "boolean");
        assert_eq!(
            sql_data_type(&DataType::Decimal128(10, 2).to_string()),
            "numeric"
        );
        let at = |zone: Option<&str>| {
            DataType::Timestamp(
                arrow::datatypes::TimeUnit::Millisecond,
                zone.map(Into::into),
            )
            .to_string()
        };
        assert_eq!(sql_data_type(&at(None)), "timestamp without time zone");
        assert_eq!(sql_data_type(&at(Some("UTC"))), "timestamp with time zone");
        assert_eq!(sql_data_type(&DataType::Date32.to_string()), "date");
    }

    #[tokio::test]
    async fn constraint_tables_and_postgres_columns_answer() {
        let config = SessionConfig::new().with_information_schema(false);
        let context = SessionContext::new_with_config(config);
        context
            .sql("CREATE TABLE t (id BIGINT NOT NULL, name TEXT)")
            .await
            .unwrap();
        let schema = information_schema(&context);
        context
            .catalog("datafusion")
            .unwrap()
            .register_schema(super::super::INFORMATION_SCHEMA, Arc::new(schema))
            .unwrap();
        let text = super::super::test_support::answer(
            &context,
            "SELECT c.ordinal_position, c.column_name, c.data_type, c.udt_name, c.is_identity, pk.column_name IS NOT NULL \
             FROM information_schema.columns c LEFT JOIN (SELECT kc.table_name, kc.column_name \
             FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage kc \
             ON tc.constraint_name = kc.constraint_name WHERE tc.constraint_type = 'PRIMARY KEY') pk \
             ON c.table_name = pk.table_name AND c.column_name = pk.column_name \
             WHERE c.table_name = 't' ORDER BY c.ordinal_position",
        )
        .await;
        assert!(
            text.contains("| 1                | id          | bigint    | int8     | NO"),
            "{text}"
        );
        assert!(
            text.contains("| 2                | name        | text      | text     | NO"),
            "{text}"
        );
        // DataFusion's own tables and SHOW still go through it.
        let settings = context.sql("SHOW datafusion.execution.batch_size").await;
        assert!(settings.is_ok());
        let tables = context
            .sql("SELECT count(*) FROM information_schema.tables WHERE table_name = 't'")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(tables[0].num_rows(), 1);
    }
}

//! Functions PostgreSQL clients call that DataFusion lacks or answers
//! differently: `version()`, `current_schema()`, `current_database()`,
//! `current_user`, `session_user`, `pg_backend_pid()`, `format()`, and the
//! catalog functions of an oid whose answer scaleph knows whatever the oid.

use std::sync::Arc;

use arrow::array::{Array, AsArray};
use arrow::datatypes::DataType;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility, create_udf,
};
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;

use crate::context::SessionInfo;
use crate::engine::SYSTEM_SCHEMA;
use crate::pg::EMULATED_SERVER_VERSION;

mod expand_array;
mod format;

/// What `version()` answers: the PostgreSQL version clients should assume,
/// and that this is scaleph.
pub fn version_string() -> String {
    format!(
        "PostgreSQL {EMULATED_SERVER_VERSION} (scaleph {}) on {}-{}, a SQL-first gateway for Apache Flink",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH,
        std::env::consts::OS
    )
}

/// A niladic function returning a constant.
fn constant(name: &str, value: ScalarValue) -> ScalarUDF {
    fixed(name, vec![], value)
}

/// A function answering `value` whatever its arguments, which `signature`
/// says.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Constant {
    name: String,
    signature: Signature,
    value: ScalarValue,
}

impl ScalarUDFImpl for Constant {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> datafusion::error::Result<DataType> {
        Ok(self.value.data_type())
    }

    fn invoke_with_args(&self, _: ScalarFunctionArgs) -> datafusion::error::Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(self.value.clone()))
    }
}

/// A function of `inputs` that always returns `value`.
fn fixed(name: &str, inputs: Vec<DataType>, value: ScalarValue) -> ScalarUDF {
    ScalarUDF::new_from_impl(Constant {
        name: name.to_string(),
        signature: Signature::exact(inputs, Volatility::Stable),
        value,
    })
}

/// The type an oid argument is declared as: every narrower integer
/// (`INT`, `SMALLINT`, unsigned up to 32 bits) coerces to it, and a
/// literal a client binds is `BIGINT`.
const OID: DataType = DataType::Int64;

/// `name(oid, <form>...)` for each of `forms` (the arguments after the
/// oid), always returning `value`.
fn of_oid(name: &str, forms: &[&[DataType]], value: ScalarValue) -> ScalarUDF {
    let forms = forms
        .iter()
        .map(|rest| TypeSignature::Exact([&[OID], *rest].concat()))
        .collect();
    ScalarUDF::new_from_impl(Constant {
        name: name.to_string(),
        signature: Signature::one_of(forms, Volatility::Stable),
        value,
    })
}

/// Catalog functions of an object's oid whose answer is the same for every
/// object scaleph shows: sizes and scan counts are 0 (Flink tables keep no
/// storage in scaleph), every owner is `postgres` (the one role the
/// emulation's pg_roles lists), a tablespace's location is the default one
/// (`''`), view and index definitions are unknown (NULL: Flink views are
/// not kept as PostgreSQL text, and there are no indexes), and everything
/// is on the search path (`pg_function_is_visible` and its kin).
fn of_oid_functions() -> Vec<ScalarUDF> {
    let bytes = ScalarValue::Int64(Some(0));
    let no_text = ScalarValue::Utf8(None);
    let mut functions = vec![
        // pg_relation_size(oid [, fork]).
        of_oid("pg_relation_size", &[&[], &[DataType::Utf8]], bytes.clone()),
        of_oid("pg_total_relation_size", &[&[]], bytes.clone()),
        // psql's `\dt+`.
        of_oid("pg_table_size", &[&[]], bytes.clone()),
        of_oid("pg_indexes_size", &[&[]], bytes.clone()),
        of_oid("pg_stat_get_numscans", &[&[]], bytes),
        of_oid(
            "pg_get_userbyid",
            &[&[]],
            ScalarValue::Utf8(Some("postgres".to_string())),
        ),
        of_oid(
            "pg_tablespace_location",
            &[&[]],
            ScalarValue::Utf8(Some(String::new())),
        ),
        // pg_get_viewdef(oid [, pretty | wrap column]).
        of_oid(
            "pg_get_viewdef",
            &[&[], &[DataType::Boolean], &[DataType::Int64]],
            no_text.clone(),
        ),
        // pg_get_indexdef(oid [, column, pretty]).
        of_oid(
            "pg_get_indexdef",
            &[&[], &[DataType::Int64, DataType::Boolean]],
            no_text,
        ),
    ];
    functions.extend(
        [
            "pg_function_is_visible",
            "pg_type_is_visible",
            "pg_collation_is_visible",
            "pg_conversion_is_visible",
            "pg_operator_is_visible",
            "pg_opclass_is_visible",
            "pg_ts_config_is_visible",
        ]
        .map(|name| of_oid(name, &[&[]], ScalarValue::Boolean(Some(true)))),
    );
    functions
}

/// A function that is always NULL: `obj_description(oid, catalog)` and its
/// kin (scaleph's objects carry their comments in their own tables),
/// `to_regtype(name)` / `to_regclass(name)` (no extension types or
/// relations outside what pg_catalog lists), and
/// `pg_get_function_result(oid)` / `pg_get_function_arguments(oid)` (the
/// functions pg_proc lists are PostgreSQL's, whose signatures scaleph does
/// not keep; psql's `\df` shows user functions, of which there are none).
fn always_null(name: &str, inputs: Vec<DataType>, output: DataType) -> ScalarUDF {
    let null = ScalarValue::try_from(&output).unwrap_or(ScalarValue::Null);
    fixed(name, inputs, null)
}

/// `json_build_object(key, value, ...)`: a JSON object text of the pairs,
/// values as JSON strings (numbers and booleans as their text), NULL as
/// `null`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonBuildObject {
    signature: Signature,
}

impl ScalarUDFImpl for JsonBuildObject {
    fn name(&self) -> &str {
        "json_build_object"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> datafusion::error::Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(
        &self,
        args: ScalarFunctionArgs,
    ) -> datafusion::error::Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let mut objects = Vec::with_capacity(rows);
        for row in 0..rows {
            let mut object = serde_json::Map::new();
            for pair in arrays.chunks(2) {
                let text = |i: usize| -> datafusion::error::Result<Option<String>> {
                    let value = ScalarValue::try_from_array(&pair[i], row)?;
                    Ok((!value.is_null()).then(|| value.to_string()))
                };
                let key = text(0)?.unwrap_or_default();
                let value = if pair.len() > 1 { text(1)? } else { None };
                object.insert(
                    key,
                    value.map_or(serde_json::Value::Null, serde_json::Value::String),
                );
            }
            objects.push(serde_json::Value::Object(object).to_string());
        }
        Ok(ColumnarValue::Array(Arc::new(
            arrow::array::StringArray::from(objects),
        )))
    }
}

/// `current_schemas(include_implicit)`: the search path, `scaleph`, after
/// `pg_catalog` when implicit schemas are asked for (as PostgreSQL lists
/// them).
fn current_schemas() -> ScalarUDF {
    let item = Arc::new(arrow::datatypes::Field::new("item", DataType::Utf8, true));
    create_udf(
        "current_schemas",
        vec![DataType::Boolean],
        DataType::List(item),
        Volatility::Stable,
        Arc::new(|args: &[ColumnarValue]| {
            let flags = ColumnarValue::values_to_arrays(args)?;
            let flags = flags[0].as_boolean();
            let mut lists = arrow::array::ListBuilder::new(arrow::array::StringBuilder::new());
            for row in 0..flags.len() {
                if flags.is_valid(row) && flags.value(row) {
                    lists.values().append_value("pg_catalog");
                }
                lists.values().append_value(SYSTEM_SCHEMA);
                lists.append(true);
            }
            let lists = lists.finish();
            Ok(
                if args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_))) {
                    ColumnarValue::Scalar(ScalarValue::List(Arc::new(lists)))
                } else {
                    ColumnarValue::Array(Arc::new(lists))
                },
            )
        }),
    )
}

/// `pg_size_pretty(bytes)`: `123 bytes`, `12 kB`, `3 MB` as PostgreSQL
/// writes them (a unit is used from 10 240 of the one below).
fn size_pretty(bytes: i64) -> String {
    let mut size = bytes;
    for unit in ["bytes", "kB", "MB", "GB", "TB"] {
        if size.abs() < 10 * 1024 || unit == "TB" {
            return format!("{size} {unit}");
        }
        size = (size + 512) / 1024;
    }
    format!("{size} TB")
}

fn pg_size_pretty() -> ScalarUDF {
    create_udf(
        "pg_size_pretty",
        vec![DataType::Int64],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| {
            let pretty = |value: &ScalarValue| match value {
                ScalarValue::Int64(Some(bytes)) => ScalarValue::Utf8(Some(size_pretty(*bytes))),
                _ => ScalarValue::Utf8(None),
            };
            Ok(match &args[0] {
                ColumnarValue::Scalar(value) => ColumnarValue::Scalar(pretty(value)),
                ColumnarValue::Array(array) => {
                    let texts = (0..array.len())
                        .map(|i| {
                            ScalarValue::try_from_array(array, i).map(|v| match pretty(&v) {
                                ScalarValue::Utf8(text) => text,
                                _ => None,
                            })
                        })
                        .collect::<datafusion::error::Result<Vec<_>>>()?;
                    ColumnarValue::Array(Arc::new(arrow::array::StringArray::from(texts)))
                }
            })
        }),
    )
}

/// Registers the session functions on `context`.
pub fn register(context: &SessionContext, info: &SessionInfo) {
    let text = |s: &str| ScalarValue::Utf8(Some(s.to_string()));
    context.register_udf(constant("version", text(&version_string())));
    context.register_udf(constant("current_schema", text(SYSTEM_SCHEMA)));
    context.register_udf(current_schemas());
    context.register_udf(constant("current_database", text(&info.database)));
    context.register_udf(constant("current_catalog", text(&info.database)));
    for name in ["current_user", "session_user", "user", "current_role"] {
        context.register_udf(constant(name, text(&info.user)));
    }
    for function in of_oid_functions() {
        context.register_udf(function);
    }
    for name in ["obj_description", "col_description", "shobj_description"] {
        context.register_udf(always_null(
            name,
            vec![DataType::Int64, DataType::Utf8],
            DataType::Utf8,
        ));
    }
    context.register_udf(ScalarUDF::new_from_impl(JsonBuildObject {
        signature: Signature::variadic_any(Volatility::Immutable),
    }));
    context.register_udf(always_null(
        "pg_get_serial_sequence",
        vec![DataType::Utf8, DataType::Utf8],
        DataType::Utf8,
    ));
    for name in ["to_regtype", "to_regclass", "to_regproc"] {
        context.register_udf(always_null(name, vec![DataType::Utf8], DataType::Int64));
    }
    for name in [
        "pg_get_function_result",
        "pg_get_function_arguments",
        "pg_get_function_identity_arguments",
    ] {
        context.register_udf(always_null(name, vec![DataType::Int64], DataType::Utf8));
    }
    context.register_udf(ScalarUDF::new_from_impl(expand_array::ExpandArray::new()));
    context.register_udf(pg_size_pretty());
    context.register_udf(ScalarUDF::new_from_impl(format::Format::new()));
    context.register_udf(constant(
        "pg_backend_pid",
        ScalarValue::Int32(Some(info.id as i32)),
    ));
}

#[cfg(test)]
mod tests {
    use datafusion::prelude::SessionContext;

    use super::super::tables::test_support::answer;

    /// A context with the functions of an oid.
    fn oid_function_context() -> SessionContext {
        let context = SessionContext::new();
        for function in super::of_oid_functions() {
            context.register_udf(function);
        }
        context
    }

    #[tokio::test]
    async fn oids_of_any_integer_type_are_taken() {
        let context = oid_function_context();
        let sizes = answer(
            &context,
            "SELECT pg_total_relation_size(16456) AS t, pg_relation_size(CAST(1 AS INT)) AS r, \
             pg_relation_size(CAST(1 AS SMALLINT), 'main') AS f, pg_stat_get_numscans(CAST(2 AS INT UNSIGNED)) AS n",
        )
        .await;
        assert!(sizes.contains("| 0 | 0 | 0 | 0 |"), "{sizes}");
        let texts = answer(
            &context,
            "SELECT pg_tablespace_location(1663) = '' AS loc, pg_get_viewdef(16456, true) IS NULL AS v, \
             pg_get_viewdef(CAST(1 AS INT)) IS NULL AS v1, pg_get_indexdef(1, 1, false) IS NULL AS i, \
             pg_get_userbyid(10) = 'postgres' AS u",
        )
        .await;
        assert!(
            texts.contains("| true | true | true | true | true |"),
            "{texts}"
        );
    }

    #[tokio::test]
    async fn other_arguments_are_refused() {
        let context = oid_function_context();
        assert!(
            context
                .sql("SELECT pg_get_viewdef(1, 'x', 2)")
                .await
                .is_err()
        );
        assert!(
            context
                .sql("SELECT pg_total_relation_size(1.5)")
                .await
                .is_err()
        );
    }

    #[test]
    fn sizes_read_like_postgres() {
        assert_eq!(super::size_pretty(123), "123 bytes");
        assert_eq!(super::size_pretty(10 * 1024), "10 kB");
        assert_eq!(super::size_pretty(5 * 1024 * 1024 * 1024), "5120 MB");
    }
}

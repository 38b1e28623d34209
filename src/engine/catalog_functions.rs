//! Catalog functions of an object's oid whose answer is the same for every
//! object scaleph shows, taking the oid as any integer (a column of
//! pg_catalog, or a literal a client bound, which DataFusion types
//! `BIGINT`): sizes and scan counts are 0 (Flink tables keep no storage in
//! scaleph), every owner is `postgres`, a tablespace's location is the default one (`''`), and view
//! and index definitions are unknown (NULL: Flink views are not kept as
//! PostgreSQL text, and there are no indexes). Registered after
//! datafusion-pg-catalog's, whose size functions take only `INT`.

use arrow::datatypes::DataType;
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility,
};
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;

/// The type an oid argument is declared as: every narrower integer
/// (`INT`, `SMALLINT`, unsigned up to 32 bits) coerces to it.
const OID: DataType = DataType::Int64;

/// A function of an oid, and of the further arguments of one of its
/// forms, that answers `value`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct OfOid {
    name: &'static str,
    signature: Signature,
    value: ScalarValue,
}

impl OfOid {
    /// `name(oid, <form>...)` for each of `forms` (the arguments after
    /// the oid), answering `value`.
    fn function(name: &'static str, forms: &[&[DataType]], value: ScalarValue) -> ScalarUDF {
        let forms = forms
            .iter()
            .map(|rest| {
                let mut arguments = vec![OID];
                arguments.extend_from_slice(rest);
                TypeSignature::Exact(arguments)
            })
            .collect();
        ScalarUDF::new_from_impl(OfOid {
            name,
            signature: Signature::one_of(forms, Volatility::Stable),
            value,
        })
    }
}

impl ScalarUDFImpl for OfOid {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(self.value.data_type())
    }

    fn invoke_with_args(&self, _: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        Ok(ColumnarValue::Scalar(self.value.clone()))
    }
}

/// The functions, each with its forms and answer.
fn functions() -> Vec<ScalarUDF> {
    let bytes = ScalarValue::Int64(Some(0));
    let no_text = ScalarValue::Utf8(None);
    vec![
        // pg_relation_size(oid [, fork]).
        OfOid::function("pg_relation_size", &[&[], &[DataType::Utf8]], bytes.clone()),
        OfOid::function("pg_total_relation_size", &[&[]], bytes.clone()),
        // psql's `\dt+`.
        OfOid::function("pg_table_size", &[&[]], bytes.clone()),
        OfOid::function("pg_indexes_size", &[&[]], bytes.clone()),
        OfOid::function("pg_stat_get_numscans", &[&[]], bytes),
        // Every object is owned by the one role the emulation's pg_roles
        // lists.
        OfOid::function(
            "pg_get_userbyid",
            &[&[]],
            ScalarValue::Utf8(Some("postgres".to_string())),
        ),
        OfOid::function(
            "pg_tablespace_location",
            &[&[]],
            ScalarValue::Utf8(Some(String::new())),
        ),
        // pg_get_viewdef(oid [, pretty | wrap column]).
        OfOid::function(
            "pg_get_viewdef",
            &[&[], &[DataType::Boolean], &[DataType::Int64]],
            no_text.clone(),
        ),
        // pg_get_indexdef(oid [, column, pretty]).
        OfOid::function(
            "pg_get_indexdef",
            &[&[], &[DataType::Int64, DataType::Boolean]],
            no_text,
        ),
    ]
}

/// Registers the functions on `context`, over any of the same names.
pub fn register(context: &SessionContext) {
    for function in functions() {
        context.register_udf(function);
    }
}

#[cfg(test)]
mod tests {
    use super::super::catalog_tables::test_support::answer;
    use super::*;

    #[tokio::test]
    async fn oids_of_any_integer_type_are_taken() {
        let context = SessionContext::new();
        register(&context);
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
        let context = SessionContext::new();
        register(&context);
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
}

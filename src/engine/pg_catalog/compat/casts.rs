//! `CAST(<text> AS regclass)` of a computed name (Metabase's column sync
//! casts `format('%I.%I', table_schema, table_name)`): the relation's oid
//! looked up in pg_class. datafusion-pg-catalog resolves casts of literals
//! and parameters; a cast of anything else plans as an integer cast, which
//! fails on a name. Only operands that are visibly text are looked up
//! (`format`, `concat`, `quote_ident`, `||`, a cast to text): a cast of an
//! oid column to regclass (`inhparent::regclass`) stays the oid it is.
//!
//! The lookup is a scalar subquery over every relation's names as
//! `format('%I.%I', schema, name)` writes them, plus the bare name for
//! relations of `pg_catalog` and the current schema, compared with the
//! operand by equality so that DataFusion decorrelates it. An unknown
//! name gives NULL (PostgreSQL fails with 42P01).

use std::ops::ControlFlow;

use sqlparser::ast::{BinaryOperator, DataType, Expr, Statement, visit_expressions_mut};

use super::{function_name, parse_expr};

/// The relation names a `regclass` text can be, and their oids.
const RELATION_NAMES: &str = "SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name \
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid \
     UNION ALL SELECT c.oid, format('%I', c.relname) \
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid \
     WHERE n.nspname IN ('pg_catalog', current_schema())";

/// Functions whose result is text.
const TEXT_FUNCTIONS: &[&str] = &["format", "concat", "concat_ws", "quote_ident"];

/// Whether `expr` is visibly a text value.
fn is_text(expr: &Expr) -> bool {
    match expr {
        Expr::Function(function) => {
            function_name(function).is_some_and(|name| TEXT_FUNCTIONS.contains(&name.as_str()))
        }
        Expr::BinaryOp {
            op: BinaryOperator::StringConcat,
            ..
        } => true,
        Expr::Cast { data_type, .. } => matches!(
            data_type,
            DataType::Text | DataType::Varchar(_) | DataType::String(_)
        ),
        Expr::Nested(inner) => is_text(inner),
        _ => false,
    }
}

/// Whether `data_type` is `regclass` (bare or `pg_catalog.` qualified).
fn is_regclass(data_type: &DataType) -> bool {
    let name = data_type.to_string().to_ascii_lowercase();
    name.strip_prefix("pg_catalog.").unwrap_or(&name) == "regclass"
}

/// Rewrites each `CAST(<text> AS regclass)` of `statement` into the lookup
/// of the relation the text names.
pub fn text_regclass_casts_as_lookups(statement: &mut Statement) {
    let _ = visit_expressions_mut(statement, |expr| {
        if let Expr::Cast {
            expr: operand,
            data_type,
            ..
        } = expr
            && is_regclass(data_type)
            && is_text(operand)
            && let Some(lookup) = parse_expr(&format!(
                "(SELECT max(r.oid) FROM ({RELATION_NAMES}) AS r WHERE r.name = {operand})"
            ))
        {
            *expr = lookup;
        }
        ControlFlow::<()>::Continue(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> String {
        super::super::rewritten(sql, text_regclass_casts_as_lookups)
    }

    #[test]
    fn computed_names_are_looked_up() {
        for sql in [
            "SELECT CAST(CAST(FORMAT('%I.%I', CAST(c.table_schema AS TEXT), c.table_name) AS REGCLASS) AS OID) FROM information_schema.columns c",
            "SELECT (c.table_schema || '.' || c.table_name)::pg_catalog.regclass FROM information_schema.columns c",
            "SELECT CAST(c.table_name AS TEXT)::regclass FROM information_schema.columns c",
        ] {
            let sql = rewritten(sql);
            assert!(
                sql.contains("SELECT max(r.oid) FROM (SELECT c.oid"),
                "{sql}"
            );
            assert!(!sql.to_ascii_lowercase().contains("as regclass"), "{sql}");
        }
    }

    #[test]
    fn oid_columns_and_literals_are_left_alone() {
        for sql in [
            "SELECT inhparent::regclass FROM pg_inherits",
            "SELECT 'scaleph.datasources'::regclass",
            "SELECT CAST(x AS TEXT) FROM t",
        ] {
            let kept = super::super::rewritten(sql, |_| {});
            assert_eq!(rewritten(sql), kept);
        }
    }
}

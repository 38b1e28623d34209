//! Catalog columns datafusion-pg-catalog lacks or keeps as text: a
//! reference to one is replaced by what PostgreSQL would give. Missing
//! columns (`pg_class.reloptions`, psql's `\d+`) are typed NULLs, which also
//! turns subqueries over them (`unnest(tc.reloptions)`) uncorrelated;
//! vectors and arrays kept as their text (`pg_index.indkey` as `1 2`,
//! `pg_constraint.conkey` as `[1, 2]`) are parsed back into arrays, which
//! `unnest`, `ANY` and `_pg_expandarray` need (SQLAlchemy's and pgjdbc's key
//! and index queries).

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, Ident, Query, SelectItem, SetExpr, Statement, TableFactor, Value, Visit, VisitMut,
    Visitor, VisitorMut, visit_expressions_mut,
};

use super::parse_expr;

/// A column NULL of this type in scaleph.
const NULL_TEXT_ARRAY: &str = "CAST(NULL AS TEXT[])";
/// An `int2vector` kept as space-separated text.
const INT2VECTOR: &str = "CAST(string_to_array(NULLIF({}, ''), ' ') AS SMALLINT[])";
/// An `oidvector` kept as space-separated text.
const OIDVECTOR: &str = "CAST(string_to_array(NULLIF({}, ''), ' ') AS INT[])";
/// An `int2[]` kept as `[1, 2]`.
const INT2_LIST: &str = "CAST(string_to_array(NULLIF(btrim({}, '[]'), ''), ', ') AS SMALLINT[])";
/// A `text[]` (or `aclitem[]`) kept as `[a, b]`.
const TEXT_LIST: &str = "string_to_array(NULLIF(btrim({}, '[]'), ''), ', ')";

/// `(table, column, SQL)`: how a reference to the column reads, `{}` the
/// reference itself.
const AMENDED: &[(&str, &str, &str)] = &[
    ("pg_class", "reloptions", NULL_TEXT_ARRAY),
    ("pg_class", "relacl", NULL_TEXT_ARRAY),
    ("pg_namespace", "nspacl", TEXT_LIST),
    ("pg_index", "indkey", INT2VECTOR),
    ("pg_index", "indoption", INT2VECTOR),
    ("pg_index", "indclass", OIDVECTOR),
    ("pg_index", "indcollation", OIDVECTOR),
    ("pg_constraint", "conkey", INT2_LIST),
    ("pg_constraint", "confkey", INT2_LIST),
    // Empty in scaleph (no extensions), kept as text by the emulation;
    // DBeaver unnests them.
    ("pg_extension", "extconfig", "CAST(NULL AS INT[])"),
    ("pg_extension", "extcondition", NULL_TEXT_ARRAY),
];

/// The amendment of `table.column`, if any.
fn amendment(table: &str, column: &str) -> Option<&'static str> {
    AMENDED
        .iter()
        .find(|(t, c, _)| *t == table && *c == column)
        .map(|(_, _, sql)| *sql)
}

/// Which amended catalog tables each name in a statement's FROM clauses
/// stands for (an alias, or the table's own name when it has none).
#[derive(Default)]
struct Bindings(HashMap<String, HashSet<&'static str>>);

impl Visitor for Bindings {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table { name, alias, .. } = factor
            && let Some(last) = name.0.last().and_then(|p| p.as_ident())
            && let Some((table, _, _)) = AMENDED
                .iter()
                .find(|(t, _, _)| last.value.eq_ignore_ascii_case(t))
        {
            let bound = alias.as_ref().map_or_else(
                || last.value.to_lowercase(),
                |a| a.name.value.to_lowercase(),
            );
            self.0.entry(bound).or_default().insert(table);
        }
        ControlFlow::Continue(())
    }
}

impl Bindings {
    /// The amendment of a column reference, when every table its qualifier
    /// can stand for amends it (unqualified: the one bound table that does).
    fn amendment_of(&self, parts: &[Ident]) -> Option<&'static str> {
        let column = parts.last()?.value.to_lowercase();
        let amend_all = |tables: &HashSet<&'static str>| {
            let found: HashSet<_> = tables.iter().map(|t| amendment(t, &column)).collect();
            match found.into_iter().collect::<Vec<_>>().as_slice() {
                [Some(sql)] => Some(*sql),
                _ => None,
            }
        };
        match parts {
            [_] => {
                let candidates: Vec<_> = self.0.values().filter_map(amend_all).collect();
                match candidates.as_slice() {
                    [sql] => Some(*sql),
                    _ => None,
                }
            }
            [.., qualifier, _] => amend_all(self.0.get(&qualifier.value.to_lowercase())?),
            [] => None,
        }
    }

    fn amend(&self, expr: &Expr) -> Option<Expr> {
        let parts = match expr {
            Expr::Identifier(ident) => std::slice::from_ref(ident),
            Expr::CompoundIdentifier(parts) => parts.as_slice(),
            _ => return None,
        };
        let sql = self.amendment_of(parts)?;
        parse_expr(&sql.replace("{}", &expr.to_string()))
    }
}

/// Names each unaliased amended column of a select list after the column,
/// as PostgreSQL would (it is about to become an expression).
struct KeepNames<'a>(&'a Bindings);

impl VisitorMut for KeepNames<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let SetExpr::Select(select) = query.body.as_mut() {
            for item in &mut select.projection {
                if let SelectItem::UnnamedExpr(expr) = item
                    && self.0.amend(expr).is_some()
                    && let Some(name) = match &*expr {
                        Expr::Identifier(name) => Some(name.value.to_lowercase()),
                        Expr::CompoundIdentifier(parts) => {
                            parts.last().map(|p| p.value.to_lowercase())
                        }
                        _ => None,
                    }
                {
                    let alias = Ident::with_quote('"', name);
                    *item = SelectItem::ExprWithAlias {
                        expr: expr.clone(),
                        alias,
                    };
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// Rewrites `'schema.name'::regproc` into `'name'`: the emulation keeps
/// `regproc` columns (`pg_type.typinput`, ...) as function names, which a
/// literal cast to `regproc` (an integer to DataFusion) cannot be compared
/// with (pgjdbc's type cache asks `typinput = 'pg_catalog.array_in'::regproc`).
pub fn regproc_literals_as_names(statement: &mut Statement) {
    let _ = visit_expressions_mut(statement, |expr| {
        if let Expr::Cast {
            expr: inner,
            data_type,
            ..
        } = expr
            && data_type
                .to_string()
                .rsplit('.')
                .next()
                .is_some_and(|t| t.eq_ignore_ascii_case("regproc"))
            && let Expr::Value(value) = inner.as_ref()
            && let Value::SingleQuotedString(name) = &value.value
        {
            let unqualified = name.rsplit('.').next().unwrap_or(name).to_string();
            *expr = Expr::Value(Value::SingleQuotedString(unqualified).into());
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Replaces every reference of `statement` to a column in [`AMENDED`].
pub fn amend_catalog_columns(statement: &mut Statement) {
    let mut bindings = Bindings::default();
    let _ = Visit::visit(&*statement, &mut bindings);
    if bindings.0.is_empty() {
        return;
    }
    let _ = statement.visit(&mut KeepNames(&bindings));
    let _ = visit_expressions_mut(statement, |expr| {
        if let Some(amended) = bindings.amend(expr) {
            *expr = amended;
        }
        ControlFlow::<()>::Continue(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amended(sql: &str) -> String {
        super::super::rewritten(sql, amend_catalog_columns)
    }

    #[test]
    fn missing_columns_are_nulls_and_vectors_arrays() {
        let sql = amended(
            "SELECT c.reloptions, array(SELECT x FROM pg_catalog.unnest(tc.reloptions) x) FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON c.reltoastrelid = tc.oid",
        );
        assert!(
            sql.starts_with("SELECT CAST(NULL AS TEXT[]) AS \"reloptions\", "),
            "{sql}"
        );
        assert!(
            sql.contains("pg_catalog.unnest(CAST(NULL AS TEXT[]))"),
            "{sql}"
        );
        let sql = amended(
            "SELECT unnest(pg_catalog.pg_index.indkey) AS attnum, i.relname FROM pg_catalog.pg_index JOIN pg_class i ON true",
        );
        assert!(
            sql.contains("unnest(CAST(string_to_array(NULLIF(pg_catalog.pg_index.indkey, ''), ' ') AS SMALLINT[])) AS attnum"),
            "{sql}"
        );
        assert!(sql.contains("i.relname"), "{sql}");
        let sql = amended("SELECT conkey FROM pg_constraint WHERE 1 = ANY(conkey)");
        assert!(sql.contains("btrim(conkey, '[]')"), "{sql}");
        assert!(!sql.contains("ANY(conkey)"), "{sql}");
    }

    #[test]
    fn regproc_literals_are_function_names() {
        assert_eq!(
            super::super::rewritten(
                "SELECT typinput = 'pg_catalog.array_in'::regproc FROM pg_type",
                regproc_literals_as_names
            ),
            "SELECT typinput = 'array_in' FROM pg_type"
        );
    }

    #[test]
    fn other_tables_columns_are_kept() {
        for sql in [
            "SELECT t.reloptions FROM my_table t",
            "SELECT reloptions FROM my_table",
            "SELECT c.indkey FROM pg_class c",
        ] {
            let kept = super::super::rewritten(sql, |_| {});
            assert_eq!(amended(sql), kept);
        }
    }
}

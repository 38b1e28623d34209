//! Set-returning functions in select lists and composite field access as
//! PostgreSQL catalog queries write them, in DataFusion's terms:
//! `(<expr>).field` is `get_field(<expr>, 'field')`;
//! `information_schema._pg_expandarray(a)` (pgjdbc's `getPrimaryKeys`,
//! `getIndexInfo`) returns one `(x, n)` row per element, so it becomes
//! `unnest(_pg_expandarray(a))` over the function of the same name that
//! returns them as a list; `generate_subscripts(a, d)` (SQLAlchemy's
//! constraint and index queries) becomes `unnest` of the subscripts'
//! range, in step with an `unnest(a)` beside it; and `unnest(a) AS x` in
//! a FROM clause (psql's `\d+`, once its schema qualifier is gone) is a
//! derived table of one column named by the alias, as in PostgreSQL.

use std::ops::ControlFlow;

use sqlparser::ast::{
    AccessExpr, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Statement, TableAlias,
    TableFactor, VisitMut, VisitorMut, visit_expressions_mut,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

use super::{function_name, parse_expr};

/// The rewrite of one expression, if it is one of these shapes.
fn rewritten(expr: &Expr) -> Option<Expr> {
    match expr {
        Expr::CompoundFieldAccess { root, access_chain } if matches!(**root, Expr::Nested(_)) => {
            let mut sql = root.to_string();
            for access in access_chain {
                let AccessExpr::Dot(Expr::Identifier(field)) = access else {
                    return None;
                };
                sql = format!("get_field({sql}, '{}')", field.value.replace('\'', "''"));
            }
            parse_expr(&sql)
        }
        Expr::Function(function) => {
            let name = function_name(function)?;
            match name.as_str() {
                "_pg_expandarray" => parse_expr(&format!("unnest({function})")),
                "generate_subscripts" => {
                    let FunctionArguments::List(list) = &function.args else {
                        return None;
                    };
                    let [array, dimension] = list.args.as_slice() else {
                        return None;
                    };
                    parse_expr(&format!(
                        "unnest(range(1, CAST(array_length({array}, {dimension}) AS BIGINT) + 1))"
                    ))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `unnest(a) [AS] x[(c)]` in a FROM clause as a derived table:
/// `(SELECT unnest(a) AS c) AS x`, `c` defaulting to `x`.
struct UnnestInFrom;

impl VisitorMut for UnnestInFrom {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name,
            args: Some(args),
            alias: Some(alias),
            ..
        } = factor
            && name
                .0
                .last()
                .and_then(|part| part.as_ident())
                .is_some_and(|last| last.value.eq_ignore_ascii_case("unnest"))
            && let [FunctionArg::Unnamed(FunctionArgExpr::Expr(array))] = args.args.as_slice()
        {
            let alias = alias.clone();
            let column = alias
                .columns
                .first()
                .map_or_else(|| alias.name.clone(), |c| c.name.clone());
            let sql = format!("SELECT unnest({array}) AS {column}");
            if let Ok(mut parsed) = Parser::parse_sql(&GenericDialect {}, &sql)
                && let Some(Statement::Query(subquery)) = parsed.pop()
            {
                *factor = TableFactor::Derived {
                    lateral: false,
                    subquery,
                    alias: Some(TableAlias {
                        columns: Vec::new(),
                        ..alias
                    }),
                    sample: None,
                };
            }
        }
        ControlFlow::Continue(())
    }
}

/// Rewrites field access on composite values and the set-returning
/// functions DataFusion lacks in `statement`.
pub fn rewrite_composites(statement: &mut Statement) {
    let _ = statement.visit(&mut UnnestInFrom);
    let _ = visit_expressions_mut(statement, |expr| {
        if let Some(new) = rewritten(expr) {
            *expr = new;
        }
        ControlFlow::<()>::Continue(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expandarray_and_field_access_become_unnest_and_get_field() {
        let mut statement = sqlparser::parser::Parser::parse_sql(
            &sqlparser::dialect::PostgreSqlDialect {},
            "SELECT (_pg_expandarray(i.indkey)).n AS key_seq, _pg_expandarray(i.indkey) AS keys, \
             generate_subscripts(i.indkey, 1) AS ord FROM pg_index i WHERE a = (r.keys).x",
        )
        .unwrap()
        .remove(0);
        rewrite_composites(&mut statement);
        let sql = statement.to_string();
        assert!(
            sql.contains("get_field((unnest(_pg_expandarray(i.indkey))), 'n') AS key_seq"),
            "{sql}"
        );
        assert!(
            sql.contains("unnest(_pg_expandarray(i.indkey)) AS keys"),
            "{sql}"
        );
        assert!(
            sql.contains("unnest(range(1, CAST(array_length(i.indkey, 1) AS BIGINT) + 1)) AS ord"),
            "{sql}"
        );
        assert!(sql.contains("a = get_field((r.keys), 'x')"), "{sql}");
    }

    #[test]
    fn unnest_in_from_is_a_derived_table_named_by_its_alias() {
        let mut statement = sqlparser::parser::Parser::parse_sql(
            &sqlparser::dialect::PostgreSqlDialect {},
            "SELECT 'toast.' || x FROM pg_catalog.unnest(tc.reloptions) x",
        )
        .unwrap()
        .remove(0);
        rewrite_composites(&mut statement);
        assert_eq!(
            statement.to_string(),
            "SELECT 'toast.' || x FROM (SELECT unnest(tc.reloptions) AS x) x"
        );
    }
}

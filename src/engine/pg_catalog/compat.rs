//! PostgreSQL constructs catalog queries use that neither DataFusion nor
//! datafusion-pg-catalog's rewrites cover: subqueries DataFusion plans
//! only aggregated ([`subqueries`]), catalog columns the emulation lacks
//! or keeps as text ([`columns`]), composite field access and
//! set-returning functions ([`composites`]), casts of computed names to
//! `regclass` ([`casts`]), `LIKE ... ESCAPE`; and a query
//! that reads only catalog tables scaleph always keeps empty (row-level
//! policies, publications, triggers, ...) is answered with no rows when
//! DataFusion cannot plan it, since no row could match.

mod casts;
mod columns;
mod composites;
mod parsing;
mod subqueries;

pub use parsing::{parse_catalog_query, select_subqueries_nulled};

use std::ops::ControlFlow;

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use sqlparser::ast::{Expr, SelectItem, SetExpr, Statement, visit_expressions_mut};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// `sql` (PostgreSQL dialect) after `rewrite`, printed: what the rewrite
/// tests compare.
#[cfg(test)]
fn rewritten(sql: &str, rewrite: fn(&mut Statement)) -> String {
    let mut statement = Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, sql)
        .unwrap()
        .remove(0);
    rewrite(&mut statement);
    statement.to_string()
}

/// The last part of a function's name, lower-cased: `pg_catalog.Format`
/// is `format`.
pub fn function_name(function: &sqlparser::ast::Function) -> Option<String> {
    Some(
        function
            .name
            .0
            .last()?
            .as_ident()?
            .value
            .to_ascii_lowercase(),
    )
}

/// Whether `node` calls a function `matches` accepts, anywhere in it.
pub fn calls(
    node: &impl sqlparser::ast::Visit,
    matches: impl Fn(&sqlparser::ast::Function) -> bool,
) -> bool {
    struct Finder<F>(F);
    impl<F: Fn(&sqlparser::ast::Function) -> bool> sqlparser::ast::Visitor for Finder<F> {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            match expr {
                Expr::Function(function) if (self.0)(function) => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        }
    }
    node.visit(&mut Finder(matches)).is_break()
}

/// An expression scaleph wrote, parsed.
fn parse_expr(sql: &str) -> Option<Expr> {
    Parser::new(&GenericDialect {})
        .try_with_sql(sql)
        .and_then(|mut parser| parser.parse_expr())
        .ok()
}

/// Rewrites `x LIKE p ESCAPE 'c'` with an escape character other than
/// backslash (SQLAlchemy writes `ESCAPE '/'`), which DataFusion does not
/// take, into the same match with backslash escapes: existing backslashes
/// doubled, then `c<char>` turned into `\<char>`.
pub fn rewrite_like_escapes(statement: &mut Statement) {
    let _ = visit_expressions_mut(statement, |expr| {
        if let Expr::Like {
            pattern,
            escape_char: escape @ Some(_),
            ..
        }
        | Expr::ILike {
            pattern,
            escape_char: escape @ Some(_),
            ..
        } = expr
            && let Some(escape_value) = escape.as_ref()
            && let sqlparser::ast::Value::SingleQuotedString(c) = &escape_value.value
            && c.chars().count() == 1
            && c != "\\"
        {
            let regex_escape = if c.chars().all(char::is_alphanumeric) {
                c.clone()
            } else {
                format!("\\{c}")
            };
            let sql = format!(
                "regexp_replace(regexp_replace({pattern}, '\\\\', '\\\\', 'g'), '{regex_escape}(.)', '\\${{1}}', 'g')"
            );
            if let Some(rewritten) = parse_expr(&sql) {
                **pattern = rewritten;
                *escape = None;
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Words that mark a query as a catalog query (what psql, JDBC and BI
/// tools ask before they show anything).
const CATALOG_MARKERS: &[&str] = &[
    "pg_",
    "information_schema",
    "format_type",
    "::reg",
    "regclass",
    "has_",
    "quote_ident",
    "current_schemas",
    "_description",
    "array_upper",
    "array_lower",
];

/// Whether lower-cased SQL text names the PostgreSQL catalogs or their
/// functions.
pub fn looks_like_catalog_query(text: &str) -> bool {
    CATALOG_MARKERS.iter().any(|marker| text.contains(marker))
}

/// Whether `statement` reads the PostgreSQL catalogs or calls their
/// functions.
pub fn is_catalog_query(statement: &Statement) -> bool {
    looks_like_catalog_query(&statement.to_string().to_ascii_lowercase())
}

/// A catalog query made plannable by DataFusion: datafusion-pg-catalog's
/// rewrites, then scaleph's.
pub fn rewrite_catalog_query(mut statement: Statement) -> Statement {
    // Before datafusion-pg-catalog's rewrites, which look regproc names up as oids.
    columns::regproc_literals_as_names(&mut statement);
    let mut statement = parsing::apply_rules(statement);
    casts::text_regclass_casts_as_lookups(&mut statement);
    columns::amend_catalog_columns(&mut statement);
    subqueries::rewrite_array_subqueries(&mut statement);
    subqueries::join_outer_reading_subqueries(&mut statement);
    subqueries::aggregate_scalar_subqueries(&mut statement);
    composites::rewrite_composites(&mut statement);
    rewrite_like_escapes(&mut statement);
    statement
}

/// Catalog tables that are always empty in scaleph: nothing it shows has
/// policies, publications, inheritance, triggers, rules, extended
/// statistics or foreign tables.
const EMPTY_CATALOG_TABLES: &[&str] = &[
    "pg_policy",
    "pg_publication",
    "pg_publication_rel",
    "pg_publication_namespace",
    "pg_statistic_ext",
    "pg_inherits",
    "pg_trigger",
    "pg_rewrite",
    "pg_partitioned_table",
    "pg_foreign_table",
    "pg_event_trigger",
];

/// The columns of an empty answer to `statement`, when it reads only
/// always-empty catalog tables (its select list's names, as text).
pub fn empty_catalog_answer(statement: &Statement) -> Option<SchemaRef> {
    let relations = crate::engine::routing::relation_names(statement);
    let reads_only_empty = relations
        .iter()
        .any(|name| EMPTY_CATALOG_TABLES.contains(&name.as_str()))
        && relations.iter().all(|name| {
            name.starts_with("pg_") || matches!(name.as_str(), "generate_series" | "unnest")
        });
    if !reads_only_empty {
        return None;
    }
    let Statement::Query(query) = statement else {
        return None;
    };
    // A UNION's columns are named by its first SELECT.
    let mut body = query.body.as_ref();
    let select = loop {
        match body {
            SetExpr::Select(select) => break select,
            SetExpr::SetOperation { left, .. } => body = left.as_ref(),
            SetExpr::Query(inner) => body = inner.body.as_ref(),
            _ => return None,
        }
    };
    let fields: Vec<Field> = select
        .projection
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let name = match item {
                SelectItem::ExprWithAlias { alias, .. } => alias.value.clone(),
                SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => parts
                    .last()
                    .map_or_else(|| format!("column{i}"), |p| p.value.clone()),
                SelectItem::UnnamedExpr(Expr::Identifier(ident)) => ident.value.clone(),
                _ => format!("column{}", i + 1),
            };
            Field::new(name, DataType::Utf8, true)
        })
        .collect();
    Some(Arc::new(Schema::new(fields)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_escapes_become_backslashes() {
        let mut statement = Parser::parse_sql(
            &sqlparser::dialect::PostgreSqlDialect {},
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg/_' || '%' ESCAPE '/'",
        )
        .unwrap()
        .remove(0);
        rewrite_like_escapes(&mut statement);
        let sql = statement.to_string();
        assert!(!sql.contains("ESCAPE"), "{sql}");
        assert!(sql.contains("regexp_replace"), "{sql}");
    }

    #[test]
    fn queries_on_always_empty_catalogs_get_their_columns() {
        let parse = |sql: &str| {
            Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, sql)
                .unwrap()
                .remove(0)
        };
        let schema = empty_catalog_answer(&parse(
            "SELECT pol.polname, pol.polpermissive AS permissive, 1 FROM pg_catalog.pg_policy pol WHERE pol.polrelid = '1'",
        ))
        .unwrap();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["polname", "permissive", "column3"]);
        assert!(empty_catalog_answer(&parse("SELECT relname FROM pg_catalog.pg_class")).is_none());
        assert!(empty_catalog_answer(&parse("SELECT * FROM orders, pg_policy")).is_none());
    }
}

//! Which queries the local engine answers: those that read nothing, or
//! only scaleph's own schemas, or DataFusion's table functions. Anything
//! reading another table is Flink SQL.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{ObjectName, Query, Statement, Visit, Visitor};

/// Schemas the local engine serves.
const LOCAL_SCHEMAS: &[&str] = &["scaleph", "pg_catalog", "information_schema"];

/// Whether `schema` is one the local engine serves (`scaleph`,
/// `pg_catalog`, `information_schema`).
pub fn is_local_schema(schema: &str) -> bool {
    LOCAL_SCHEMAS.contains(&schema)
}

/// Table functions DataFusion provides.
const TABLE_FUNCTIONS: &[&str] = &["generate_series", "range", "unnest"];

/// Collects CTE names and every relation read.
#[derive(Default)]
struct Relations {
    ctes: HashSet<String>,
    relations: Vec<ObjectName>,
}

impl Visitor for Relations {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(cte.alias.name.value.to_lowercase());
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        self.relations.push(relation.clone());
        ControlFlow::Continue(())
    }
}

fn parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| {
            part.as_ident()
                .map_or_else(|| part.to_string(), |i| i.value.to_lowercase())
        })
        .collect()
}

/// Whether every relation `statement` reads (its name's parts, lower
/// cased) is `allowed`; its CTEs and DataFusion's table functions always
/// are.
fn reads_only(statement: &Statement, allowed: impl Fn(&[String]) -> bool) -> bool {
    let mut relations = Relations::default();
    let _ = statement.visit(&mut relations);
    relations.relations.iter().all(|relation| {
        let parts = parts(relation);
        match parts.as_slice() {
            [name] if relations.ctes.contains(name) || TABLE_FUNCTIONS.contains(&name.as_str()) => {
                true
            }
            [] => false,
            parts => allowed(parts),
        }
    })
}

/// Whether `statement` only reads what the local engine has.
pub fn is_local(statement: &Statement) -> bool {
    reads_only(statement, |parts| match parts {
        [name] => name.starts_with("pg_"),
        [.., schema, _] => LOCAL_SCHEMAS.contains(&schema.as_str()),
        [] => false,
    })
}

/// Catalog relations whose rows change while a session runs: activity,
/// locks, settings (SET), statistics.
fn changes_while_running(name: &str) -> bool {
    name.starts_with("pg_stat")
        || matches!(
            name,
            "pg_settings"
                | "pg_locks"
                | "pg_prepared_statements"
                | "pg_prepared_xacts"
                | "pg_cursors"
                | "pg_replication_slots"
                | "df_settings"
        )
}

/// Whether `statement` reads catalog relations, and only those whose rows
/// change only when the session's catalog does (pg_class, pg_attribute,
/// information_schema.tables, ...): not scaleph's own tables, whose rows
/// any connection changes, nor activity or settings.
pub fn reads_only_catalog_snapshots(statement: &Statement) -> bool {
    let reads_catalog = std::cell::Cell::new(false);
    reads_only(statement, |parts| {
        reads_catalog.set(true);
        match parts {
            [name] => name.starts_with("pg_") && !changes_while_running(name),
            [.., schema, name] => {
                matches!(schema.as_str(), "pg_catalog" | "information_schema")
                    && !changes_while_running(name)
            }
            [] => false,
        }
    }) && reads_catalog.get()
}

/// The last part of every relation `statement` reads, lower-cased.
pub fn relation_names(statement: &Statement) -> Vec<String> {
    let mut relations = Relations::default();
    let _ = statement.visit(&mut relations);
    relations
        .relations
        .iter()
        .filter_map(|relation| parts(relation).pop())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(sql: &str) -> bool {
        let statement =
            sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, sql)
                .unwrap()
                .remove(0);
        is_local(&statement)
    }

    #[test]
    fn is_local_accepts_only_own_schemas_ctes_and_table_functions() {
        assert!(local("SELECT 1"));
        assert!(local("SELECT * FROM scaleph.datasources"));
        assert!(local(
            "SELECT * FROM Scaleph.Datasources d JOIN pg_catalog.pg_class c ON true"
        ));
        assert!(local("SELECT * FROM mydb.information_schema.tables"));
        assert!(local("WITH t AS (SELECT 1) SELECT * FROM t"));
        assert!(local("SELECT count(*) FROM generate_series(1, 10)"));
        assert!(!local("SELECT * FROM orders"));
        assert!(!local("SELECT * FROM scaleph.datasources, orders"));
        assert!(!local(
            "SELECT * FROM default_catalog.default_database.orders"
        ));
        assert!(!local("SELECT (SELECT max(x) FROM orders)"));
    }

    #[test]
    fn catalog_snapshots_exclude_own_tables_activity_and_settings() {
        let snapshot = |sql: &str| {
            reads_only_catalog_snapshots(
                &sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, sql)
                    .unwrap()
                    .remove(0),
            )
        };
        assert!(snapshot(
            "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        ));
        assert!(snapshot(
            "WITH t AS (SELECT * FROM information_schema.tables) SELECT * FROM t"
        ));
        assert!(!snapshot("SELECT * FROM pg_class, scaleph.datasources"));
        assert!(!snapshot("SELECT 1"));
        assert!(!snapshot("WITH t AS (SELECT 1) SELECT * FROM t"));
        assert!(!snapshot("SELECT * FROM pg_class, datasources"));
        assert!(!snapshot("SELECT * FROM pg_catalog.pg_settings"));
        assert!(!snapshot("SELECT * FROM pg_stat_activity"));
        assert!(!snapshot("SELECT * FROM orders"));
    }
}

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

/// Whether `statement` only reads what the local engine has.
pub fn is_local(statement: &Statement) -> bool {
    let mut relations = Relations::default();
    let _ = statement.visit(&mut relations);
    relations.relations.iter().all(|relation| {
        let parts = parts(relation);
        match parts.as_slice() {
            [name] => {
                relations.ctes.contains(name)
                    || TABLE_FUNCTIONS.contains(&name.as_str())
                    || name.starts_with("pg_")
            }
            [.., schema, _] => LOCAL_SCHEMAS.contains(&schema.as_str()),
            [] => false,
        }
    })
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
}

//! Catalog queries parsed and rewritten with datafusion-pg-catalog's
//! compatibility rules, all but one: `RemoveSubqueryFromProjection` turns
//! every correlated scalar subquery of a select list into NULL, a wrong
//! answer given as a right one (SQLAlchemy's column defaults, Metabase's
//! and DBeaver's per-table lookups); scaleph aggregates those subqueries
//! instead ([`super::subqueries`]), which DataFusion decorrelates, and
//! NULLs them only for a query where it cannot
//! ([`select_subqueries_nulled`]).
//!
//! The compatibility parser also replaces a few whole client queries it
//! knows DataFusion cannot plan (its "blacklist", psql's `\d` policy,
//! statistics and publication footers among them); its answer is kept
//! when that happened, which shows as its answer differing from its rules
//! applied to the plain parse.

use std::sync::{Arc, OnceLock};

use datafusion_pg_catalog::sql::PostgresCompatibilityParser;
use datafusion_pg_catalog::sql::rules::{
    AliasDuplicatedProjectionRewrite, CurrentUserVariableToSessionUserFunctionCall,
    FixArrayLiteral, FixVersionColumnName, PrependUnqualifiedPgTableName,
    RemoveSubqueryFromProjection, ResolveUnqualifiedIdentifier, RewriteArrayAnyAllOperation,
    RewritePgCatalogOperator, RewriteRegCastToSubquery, SqlStatementRewriteRule,
    StripCallableQualifier, StripCollate,
};
use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// The compatibility parser, built once.
fn compatibility_parser() -> &'static PostgresCompatibilityParser {
    static PARSER: OnceLock<PostgresCompatibilityParser> = OnceLock::new();
    PARSER.get_or_init(PostgresCompatibilityParser::new)
}

/// datafusion-pg-catalog's rewrite rules in its order, without
/// `RemoveSubqueryFromProjection`.
fn rules() -> &'static [Arc<dyn SqlStatementRewriteRule>] {
    static RULES: OnceLock<Vec<Arc<dyn SqlStatementRewriteRule>>> = OnceLock::new();
    RULES.get_or_init(|| {
        vec![
            Arc::new(AliasDuplicatedProjectionRewrite),
            Arc::new(ResolveUnqualifiedIdentifier),
            Arc::new(RewriteArrayAnyAllOperation),
            Arc::new(PrependUnqualifiedPgTableName),
            Arc::new(StripCallableQualifier),
            Arc::new(FixArrayLiteral),
            Arc::new(CurrentUserVariableToSessionUserFunctionCall),
            Arc::new(StripCollate),
            Arc::new(RewritePgCatalogOperator),
            Arc::new(RewriteRegCastToSubquery::new()),
            Arc::new(FixVersionColumnName),
        ]
    })
}

/// `statement` rewritten by the compatibility rules scaleph keeps.
pub fn apply_rules(statement: Statement) -> Statement {
    rules()
        .iter()
        .fold(statement, |statement, rule| rule.rewrite(statement))
}

/// `statement` with the correlated scalar subqueries of its select lists
/// NULL, as datafusion-pg-catalog would answer them: the fallback for a
/// query whose subqueries DataFusion cannot decorrelate (psql's `\d`
/// compares the outer and inner rows with `<>`); `None` when it has none.
pub fn select_subqueries_nulled(statement: &Statement) -> Option<Statement> {
    let nulled = RemoveSubqueryFromProjection.rewrite(statement.clone());
    (nulled != *statement).then_some(nulled)
}

/// The statements of PostgreSQL-dialect `text`, rewritten by the
/// compatibility rules (or replaced by the compatibility parser's
/// blacklist); `None` when it does not parse.
pub fn parse_catalog_query(text: &str) -> Option<Vec<Statement>> {
    let compatible = compatibility_parser().parse(text).ok()?;
    let Ok(plain) = Parser::parse_sql(&PostgreSqlDialect {}, text) else {
        return Some(compatible);
    };
    let ruled: Vec<Statement> = plain.into_iter().map(apply_rules).collect();
    let replaced = ruled.len() != compatible.len()
        || ruled.iter().zip(&compatible).any(|(ruled, compatible)| {
            RemoveSubqueryFromProjection.rewrite(ruled.clone()) != *compatible
        });
    Some(if replaced { compatible } else { ruled })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> String {
        let mut statements = parse_catalog_query(text).unwrap();
        assert_eq!(statements.len(), 1);
        statements.remove(0).to_string()
    }

    #[test]
    fn correlated_subqueries_of_a_select_list_are_kept() {
        let sql = one(
            "SELECT (SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname = t.relname) AS o \
             FROM pg_class t",
        );
        assert!(sql.contains("WHERE c.relname = t.relname"), "{sql}");
        assert!(!sql.contains("NULL"), "{sql}");
    }

    #[test]
    fn the_rules_still_apply() {
        let sql = one("SELECT relname FROM pg_class WHERE relname OPERATOR(pg_catalog.~) '^x$'");
        assert!(sql.contains("pg_catalog.pg_class"), "{sql}");
        assert!(!sql.contains("OPERATOR"), "{sql}");
    }

    #[test]
    fn blacklisted_queries_are_replaced() {
        // psql 15's `\d` footer for extended statistics, which the
        // compatibility parser replaces whole.
        let psql = "SELECT oid, stxrelid::pg_catalog.regclass, stxnamespace::pg_catalog.regnamespace::pg_catalog.text AS nsp, stxname,
pg_catalog.pg_get_statisticsobjdef_columns(oid) AS columns,
  'd' = any(stxkind) AS ndist_enabled,
  'f' = any(stxkind) AS deps_enabled,
  'm' = any(stxkind) AS mcv_enabled,
stxstattarget
FROM pg_catalog.pg_statistic_ext
WHERE stxrelid = '16385'
ORDER BY nsp, stxname;";
        let sql = one(psql);
        assert!(!sql.contains("any(stxkind)"), "{sql}");
        assert_eq!(
            sql,
            compatibility_parser().parse(psql).unwrap()[0].to_string()
        );
    }

    #[test]
    fn what_does_not_parse_is_none() {
        assert!(parse_catalog_query("SELECT FROM WHERE pg_class (").is_none());
    }
}

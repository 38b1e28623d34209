//! Subqueries DataFusion plans only when they aggregate: `ARRAY(<subquery>)`
//! (psql's `\du`, `\d+`) becomes a scalar subquery aggregating its rows
//! with `array_agg`, and a scalar subquery returning one plain value
//! (SQLAlchemy's `get_columns`, pgjdbc's `getTypeInfo`) takes it with
//! `first_value`. Both are correlated subqueries in catalog queries, which
//! DataFusion decorrelates into joins only when they are aggregates.

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArguments, GroupByExpr, Join, JoinConstraint, JoinOperator,
    LimitClause, OrderByKind, Query, SelectItem, SetExpr, Statement, TableFactor, Value, Visit,
    VisitMut, Visitor, VisitorMut, visit_expressions_mut,
};

use super::{calls, function_name, parse_expr};

/// Aggregate functions: a subquery projecting one of these already returns
/// one row.
const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "min",
    "max",
    "avg",
    "array_agg",
    "string_agg",
    "bool_and",
    "bool_or",
    "every",
    "first_value",
    "last_value",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
];

/// Whether `expr` calls an aggregate or window function.
fn aggregates(expr: &Expr) -> bool {
    calls(expr, |function| {
        function.over.is_some()
            || function_name(function).is_some_and(|name| AGGREGATES.contains(&name.as_str()))
    })
}

/// The single plain value a subquery selects, with its `ORDER BY` list as
/// SQL text (empty without one), when it is one SELECT of one expression
/// with no grouping, DISTINCT, aggregate or row limit other than
/// `LIMIT 1` (which aggregation keeps: it takes one row).
fn single_value(query: &Query) -> Option<(&Expr, String)> {
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let expr = match select.projection.as_slice() {
        [SelectItem::UnnamedExpr(expr)] | [SelectItem::ExprWithAlias { expr, .. }] => expr,
        _ => return None,
    };
    let grouped = !matches!(&select.group_by, GroupByExpr::Expressions(e, _) if e.is_empty());
    let limited = match &query.limit_clause {
        None => false,
        Some(LimitClause::LimitOffset {
            limit: Some(Expr::Value(limit)),
            offset: None,
            limit_by,
        }) => !(matches!(&limit.value, Value::Number(n, _) if n == "1") && limit_by.is_empty()),
        Some(_) => true,
    };
    if grouped
        || limited
        || query.with.is_some()
        || query.fetch.is_some()
        || select.distinct.is_some()
        || select.having.is_some()
        || aggregates(expr)
    {
        return None;
    }
    let order = match query.order_by.as_ref().map(|o| &o.kind) {
        None => String::new(),
        Some(OrderByKind::Expressions(list)) => {
            let list: Vec<String> = list.iter().map(ToString::to_string).collect();
            format!(" ORDER BY {}", list.join(", "))
        }
        Some(OrderByKind::All(_)) => return None,
    };
    Some((expr, order))
}

/// `query` selecting `aggregate(<its value> <its order>)` instead of its
/// value, without its ORDER BY and LIMIT; None when it is not a
/// [`single_value`] query.
fn aggregated(query: &Query, aggregate: &str) -> Option<Query> {
    let (expr, order) = single_value(query)?;
    let call = parse_expr(&format!("{aggregate}({expr}{order})"))?;
    let mut query = query.clone();
    query.order_by = None;
    query.limit_clause = None;
    if let SetExpr::Select(select) = query.body.as_mut() {
        match &mut select.projection[0] {
            SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => *expr = call,
            _ => return None,
        }
    }
    Some(query)
}

/// Rewrites every `ARRAY(<subquery>)` of `statement` into a scalar
/// subquery aggregating its rows: `(SELECT array_agg(e ORDER BY ...) FROM
/// ... WHERE ...)` when it selects one plain value, else
/// `(SELECT array_agg(e) FROM (<subquery>) AS s(e))`.
pub fn rewrite_array_subqueries(statement: &mut Statement) {
    let _ = visit_expressions_mut(statement, |expr| {
        if let Expr::Function(function) = expr
            && function.name.to_string().eq_ignore_ascii_case("array")
            && let FunctionArguments::Subquery(query) = &function.args
        {
            let rewritten = match aggregated(query, "array_agg") {
                Some(query) => Some(Expr::Subquery(Box::new(query))),
                None => parse_expr(&format!(
                    "(SELECT array_agg(\"array_element\") FROM ({query}) AS \"array_source\" (\"array_element\"))"
                )),
            };
            if let Some(rewritten) = rewritten {
                *expr = rewritten;
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Rewrites every scalar subquery of `statement` selecting one plain value
/// into one selecting `first_value(<value>)`: the same answer when it
/// finds at most one row (PostgreSQL would fail on more), and a form
/// DataFusion decorrelates when the subquery refers to the outer query.
/// Conditions of its WHERE on the outer query alone become a CASE around
/// it (DataFusion cannot decorrelate those inside a CASE, where
/// SQLAlchemy's `get_columns` has them).
pub fn aggregate_scalar_subqueries(statement: &mut Statement) {
    let _ = visit_expressions_mut(statement, |expr| {
        if let Expr::Subquery(query) = expr
            && let Some(mut rewritten) = aggregated(query, "first_value")
        {
            let outer = hoist_outer_conditions(&mut rewritten);
            let subquery = Expr::Subquery(Box::new(rewritten));
            *expr = match outer {
                Some(condition) => {
                    parse_expr(&format!("CASE WHEN {condition} THEN {subquery} END"))
                        .unwrap_or(subquery)
                }
                None => subquery,
            };
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Qualifiers of the columns `expr` reads (lower-cased), and whether it
/// reads an unqualified one.
fn qualifiers(expr: &Expr) -> (Vec<String>, bool) {
    struct Collect(Vec<String>, bool);
    impl Visitor for Collect {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            match expr {
                Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                    self.0.push(parts[parts.len() - 2].value.to_lowercase())
                }
                Expr::Identifier(_) => self.1 = true,
                _ => {}
            }
            ControlFlow::Continue(())
        }
    }
    let mut collect = Collect(Vec::new(), false);
    let _ = expr.visit(&mut collect);
    (collect.0, collect.1)
}

/// The LEFT JOIN standing for a scalar subquery whose select list reads
/// the outer query (`outer` names its FROM clause binds), and the value it
/// selects: `(SELECT f(o.x, t.y) FROM t WHERE p)` is `f(o.x, t.y)` over
/// `LEFT JOIN t ON p`. DataFusion decorrelates no subquery whose select
/// list reads the outer query (SQLAlchemy's `get_columns` identity
/// options). Only a subquery over one table, named apart from the outer
/// ones, reading no column of a further query and no unqualified one; the
/// join repeats outer rows where PostgreSQL would fail on a subquery of
/// more than one row.
fn as_left_join(query: &Query, outer: &[String]) -> Option<(Join, Expr)> {
    let (expr, _) = single_value(query)?;
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let [table] = select.from.as_slice() else {
        return None;
    };
    if !table.joins.is_empty() || !matches!(table.relation, TableFactor::Table { args: None, .. }) {
        return None;
    }
    let inner = local_names(select)?;
    if inner.iter().any(|name| outer.contains(name)) {
        return None;
    }
    let (read, unqualified) = qualifiers(expr);
    let reads_outer = read.iter().any(|q| outer.contains(q));
    let condition = select
        .selection
        .clone()
        .unwrap_or(Expr::Value(Value::Boolean(true).into()));
    let (condition_read, condition_unqualified) = qualifiers(&condition);
    let known = |q: &String| inner.contains(q) || outer.contains(q);
    if !reads_outer
        || unqualified
        || condition_unqualified
        || !read.iter().chain(&condition_read).all(known)
        || query.order_by.is_some()
        || query.limit_clause.is_some()
    {
        return None;
    }
    let join = Join {
        relation: table.relation.clone(),
        global: false,
        join_operator: JoinOperator::LeftOuter(JoinConstraint::On(condition)),
    };
    Some((join, Expr::Nested(Box::new(expr.clone()))))
}

/// Turns the scalar subqueries of each single-FROM SELECT's select list
/// that read the outer query there into LEFT JOINs ([`as_left_join`]).
struct SubqueriesToJoins;

impl VisitorMut for SubqueriesToJoins {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let SetExpr::Select(select) = query.body.as_mut() else {
            return ControlFlow::Continue(());
        };
        if select.from.len() != 1 {
            return ControlFlow::Continue(());
        }
        let Some(outer) = local_names(select) else {
            return ControlFlow::Continue(());
        };
        let mut joins = Vec::new();
        let mut names = outer.clone();
        for item in &mut select.projection {
            let (SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. }) = item
            else {
                continue;
            };
            let _ = visit_expressions_mut(expr, |expr| {
                if let Expr::Subquery(subquery) = expr
                    && let Some((join, value)) = as_left_join(subquery, &names)
                {
                    if let TableFactor::Table { name, alias, .. } = &join.relation
                        && let Some(bound) = alias
                            .as_ref()
                            .map(|a| a.name.value.clone())
                            .or_else(|| Some(name.0.last()?.as_ident()?.value.clone()))
                    {
                        names.push(bound.to_lowercase());
                    }
                    joins.push(join);
                    *expr = value;
                }
                ControlFlow::<()>::Continue(())
            });
        }
        select.from[0].joins.extend(joins);
        ControlFlow::Continue(())
    }
}

/// Rewrites the scalar subqueries of `statement` whose select list reads
/// the outer query into LEFT JOINs ([`as_left_join`]).
pub fn join_outer_reading_subqueries(statement: &mut Statement) {
    let _ = statement.visit(&mut SubqueriesToJoins);
}

/// The names a query's FROM clause binds (aliases, else table names),
/// lower-cased; None when one of its relations has no name.
fn local_names(select: &sqlparser::ast::Select) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for table in &select.from {
        for factor in
            std::iter::once(&table.relation).chain(table.joins.iter().map(|j| &j.relation))
        {
            let name = match factor {
                TableFactor::Table {
                    alias: Some(alias), ..
                }
                | TableFactor::Derived {
                    alias: Some(alias), ..
                } => alias.name.value.clone(),
                TableFactor::Table { name, .. } => name.0.last()?.as_ident()?.value.clone(),
                _ => return None,
            };
            names.push(name.to_lowercase());
        }
    }
    Some(names)
}

/// Whether `expr` reads only qualified columns, none of them qualified by
/// one of `local` names, and holds no subquery.
fn reads_only_outer(expr: &Expr, local: &[String]) -> bool {
    struct Check<'a> {
        local: &'a [String],
        outer_columns: usize,
        other: bool,
    }
    impl Visitor for Check<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            match expr {
                Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                    let qualifier = parts[parts.len() - 2].value.to_lowercase();
                    if self.local.contains(&qualifier) {
                        self.other = true;
                    } else {
                        self.outer_columns += 1;
                    }
                }
                Expr::Identifier(_)
                | Expr::Subquery(_)
                | Expr::Exists { .. }
                | Expr::InSubquery { .. } => self.other = true,
                _ => {}
            }
            if self.other {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    let mut check = Check {
        local,
        outer_columns: 0,
        other: false,
    };
    let _ = expr.visit(&mut check);
    !check.other && check.outer_columns > 0
}

/// Takes the conjuncts of `query`'s WHERE that read only the outer query
/// out of it; their conjunction, if any.
fn hoist_outer_conditions(query: &mut Query) -> Option<String> {
    let SetExpr::Select(select) = query.body.as_mut() else {
        return None;
    };
    let local = local_names(select)?;
    let mut conjuncts = Vec::new();
    split_conjuncts(select.selection.take()?, &mut conjuncts);
    let (outer, inner): (Vec<Expr>, Vec<Expr>) = conjuncts
        .into_iter()
        .partition(|c| reads_only_outer(c, &local));
    select.selection = inner.into_iter().reduce(|a, b| Expr::BinaryOp {
        left: Box::new(a),
        op: BinaryOperator::And,
        right: Box::new(b),
    });
    let outer: Vec<String> = outer.iter().map(|c| format!("({c})")).collect();
    (!outer.is_empty()).then(|| outer.join(" AND "))
}

fn split_conjuncts(expr: Expr, into: &mut Vec<Expr>) {
    match expr {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            split_conjuncts(*left, into);
            split_conjuncts(*right, into);
        }
        Expr::Nested(inner)
            if matches!(
                *inner,
                Expr::BinaryOp {
                    op: BinaryOperator::And,
                    ..
                }
            ) =>
        {
            split_conjuncts(*inner, into)
        }
        other => into.push(other),
    }
}

#[cfg(test)]
mod tests {
    use super::super::rewritten;
    use super::*;

    #[test]
    fn array_of_a_subquery_becomes_an_aggregate() {
        let sql = rewritten(
            "SELECT r.rolname, ARRAY(SELECT b.rolname FROM pg_roles b WHERE b.oid = r.oid ORDER BY 1) AS memberof FROM pg_roles r",
            rewrite_array_subqueries,
        );
        assert!(
            sql.contains(
                "(SELECT array_agg(b.rolname ORDER BY 1) FROM pg_roles b WHERE b.oid = r.oid) AS memberof"
            ),
            "{sql}"
        );
        let sql = rewritten(
            "SELECT ARRAY(SELECT DISTINCT x FROM t)",
            rewrite_array_subqueries,
        );
        assert!(sql.contains("array_agg(\"array_element\")"), "{sql}");
        assert!(!sql.contains("ARRAY(SELECT"), "{sql}");
    }

    #[test]
    fn scalar_subqueries_of_one_value_take_the_first() {
        let sql = rewritten(
            "SELECT a.attname, (SELECT pg_get_expr(d.adbin, d.adrelid) AS e FROM pg_attrdef d WHERE d.adrelid = a.attrelid) FROM pg_attribute a \
             WHERE (SELECT c.relkind = 'c' FROM pg_class c WHERE c.oid = a.attrelid ORDER BY c.oid DESC LIMIT 1)",
            aggregate_scalar_subqueries,
        );
        assert!(
            sql.contains("(SELECT first_value(pg_get_expr(d.adbin, d.adrelid)) AS e FROM"),
            "{sql}"
        );
        assert!(
            sql.contains(
                "(SELECT first_value(c.relkind = 'c' ORDER BY c.oid DESC) FROM pg_class c WHERE c.oid = a.attrelid)"
            ),
            "{sql}"
        );
        let sql = rewritten(
            "SELECT CASE WHEN pg_catalog.pg_attribute.atthasdef THEN (SELECT pg_get_expr(pg_catalog.pg_attrdef.adbin, 1) FROM pg_catalog.pg_attrdef \
             WHERE pg_catalog.pg_attribute.atthasdef AND pg_catalog.pg_attrdef.adrelid = pg_catalog.pg_attribute.attrelid) END FROM pg_catalog.pg_attribute",
            aggregate_scalar_subqueries,
        );
        assert!(
            sql.contains(
                "THEN CASE WHEN (pg_catalog.pg_attribute.atthasdef) THEN (SELECT first_value(pg_get_expr(pg_catalog.pg_attrdef.adbin, 1)) \
                 FROM pg_catalog.pg_attrdef WHERE pg_catalog.pg_attrdef.adrelid = pg_catalog.pg_attribute.attrelid) END END"
            ),
            "{sql}"
        );
        for kept in [
            "SELECT (SELECT max(x) FROM t)",
            "SELECT (SELECT x FROM t GROUP BY x)",
            "SELECT (SELECT x FROM t LIMIT 2)",
            "SELECT (SELECT x, y FROM t)",
            "SELECT (SELECT x FROM t UNION SELECT 1)",
        ] {
            assert_eq!(
                rewritten(kept, aggregate_scalar_subqueries),
                rewritten(kept, |_| {}),
                "{kept}"
            );
        }
    }

    #[test]
    fn subqueries_reading_the_outer_query_in_their_select_list_become_left_joins() {
        let sql = rewritten(
            "SELECT a.attname, CASE WHEN a.attidentity <> '' THEN (SELECT json_build_object('always', a.attidentity = 'a', 'start', s.seqstart) \
             FROM pg_sequence s WHERE a.attidentity <> '' AND s.seqrelid = a.attrelid) END FROM pg_attribute a",
            join_outer_reading_subqueries,
        );
        assert_eq!(
            sql,
            "SELECT a.attname, CASE WHEN a.attidentity <> '' THEN (json_build_object('always', a.attidentity = 'a', 'start', s.seqstart)) END \
             FROM pg_attribute a LEFT OUTER JOIN pg_sequence s ON a.attidentity <> '' AND s.seqrelid = a.attrelid"
        );
        for kept in [
            "SELECT (SELECT s.x FROM s WHERE s.y = a.y) FROM a",
            "SELECT (SELECT a.x + a.y FROM a WHERE a.y = 1) FROM a",
            "SELECT (SELECT a.x FROM s WHERE s.y = a.y) FROM a, b",
            "SELECT (SELECT a.x + z FROM s WHERE s.y = a.y) FROM a",
        ] {
            assert_eq!(
                rewritten(kept, join_outer_reading_subqueries),
                rewritten(kept, |_| {}),
                "{kept}"
            );
        }
    }
}

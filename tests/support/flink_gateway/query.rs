//! Queries: validation against the session's catalogs (with Calcite's
//! messages), and the row producers that feed result pages: literal rows,
//! datagen tables (bounded or not, paced by `rows-per-second`), views and
//! derived tables, and a streaming `GROUP BY ... COUNT(*)` changelog.
//!
//! A view or derived table over a plain query is a [`Source::View`]: its
//! row `i` is the inner query's row `i`, so the outer query is planned as
//! over a table. Over a GROUP BY it is a changelog: the outer select list is
//! composed onto the inner one, and an outer LIMIT n keeps the first n rows
//! to appear with their updates (Flink's rank without ORDER BY), ending
//! with the inner query.

use std::collections::HashMap;
use std::time::Instant;

use super::catalog::{Catalogs, Path, Relation, View, validation};
use super::errors::{CALCITE_CONTEXT, JavaError, SQL_VALIDATOR, Site, VALIDATION};
use super::sql::{ColumnDef, Expr, FromItem, Ident, Item, Literal, Query, Span, TableRef};
use super::types::{Column, Kind, Type};
use super::values::{Value, cast, generate, now_ltz};

/// A row kind of a changelog (`RowKind.name()`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowKind {
    /// `INSERT`.
    Insert,
    /// `UPDATE_BEFORE`.
    UpdateBefore,
    /// `UPDATE_AFTER`.
    UpdateAfter,
}

impl RowKind {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            RowKind::Insert => "INSERT",
            RowKind::UpdateBefore => "UPDATE_BEFORE",
            RowKind::UpdateAfter => "UPDATE_AFTER",
        }
    }
}

/// A row of a result page.
pub type Row = (RowKind, Vec<Value>);

/// Calcite's three-level validation error at `span`.
pub fn validator_error(span: Span, message: impl Into<String>) -> JavaError {
    let message = message.into();
    JavaError::new(SQL_VALIDATOR, message.clone(), Site::Validator)
        .wrap(
            CALCITE_CONTEXT,
            format!("{}: {message}", span.describe()),
            Site::Validator,
        )
        .wrap(
            VALIDATION,
            format!("SQL validation failed. {}: {message}", span.describe()),
            Site::Validator,
        )
}

/// Where the input rows of a query come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Literal rows: VALUES, or one empty row for SELECT without FROM.
    Fixed(Vec<Vec<Value>>),
    /// A table; only `'connector'='datagen'` ones produce rows.
    Table {
        /// The table's columns.
        columns: Vec<ColumnDef>,
        /// The row count when bounded.
        rows: Option<u64>,
        /// `rows-per-second`.
        rate: Option<f64>,
    },
    /// A view or derived table over a plain query: a projection of its source.
    View {
        /// The view's source.
        inner: Box<Source>,
        /// Its select list.
        projection: Vec<Proj>,
        /// Its LIMIT.
        limit: Option<u64>,
    },
}

impl Source {
    /// The number of rows when bounded.
    pub fn total(&self) -> Option<u64> {
        match self {
            Source::Fixed(rows) => Some(rows.len() as u64),
            Source::Table { rows, .. } => *rows,
            Source::View { inner, limit, .. } => min_bound(inner.total(), *limit),
        }
    }

    /// Rows per second when paced.
    pub fn rate(&self) -> Option<f64> {
        match self {
            Source::Fixed(_) => None,
            Source::Table { rate, .. } => *rate,
            Source::View { inner, .. } => inner.rate(),
        }
    }

    /// Input row `i`.
    fn row(&self, i: u64) -> Vec<Value> {
        match self {
            Source::Fixed(rows) => rows[i as usize].clone(),
            Source::Table { columns, .. } => columns
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    if c.proctime {
                        now_ltz(3)
                    } else {
                        generate(&c.ty, i, j)
                    }
                })
                .collect(),
            Source::View {
                inner, projection, ..
            } => {
                let row = inner.row(i);
                projection.iter().map(|p| p.value(&row, 0)).collect()
            }
        }
    }
}

/// The smaller of a bound and a limit.
fn min_bound(bound: Option<u64>, limit: Option<u64>) -> Option<u64> {
    match (bound, limit) {
        (Some(b), Some(l)) => Some(b.min(l)),
        (b, None) => b,
        (None, l) => l,
    }
}

/// One output column of a select list.
#[derive(Clone, Debug)]
pub enum Proj {
    /// An input column.
    Column(usize),
    /// A constant.
    Const(Value),
    /// `COUNT(*)` of the row's group.
    Count,
    /// `CAST` of another output to a type.
    Cast(Box<Proj>, Type),
}

impl Proj {
    fn value(&self, row: &[Value], count: i64) -> Value {
        match self {
            Proj::Column(j) => row[*j].clone(),
            Proj::Const(v) => v.clone(),
            Proj::Count => Value::Int(count),
            Proj::Cast(inner, to) => cast(&inner.value(row, count), to),
        }
    }

    /// This output over an input whose column `j` is `inner[j]`.
    fn compose(&self, inner: &[Proj]) -> Proj {
        match self {
            Proj::Column(j) => inner[*j].clone(),
            Proj::Cast(operand, to) => Proj::Cast(Box::new(operand.compose(inner)), to.clone()),
            other => other.clone(),
        }
    }
}

/// A validated query.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The result columns.
    pub columns: Vec<Column>,
    /// The input.
    pub source: Source,
    /// The select list.
    pub projection: Vec<Proj>,
    /// The grouping input columns, when aggregating.
    pub group_by: Option<Vec<usize>>,
    /// LIMIT: the input rows read.
    pub limit: Option<u64>,
    /// The LIMIT of a query over a changelog (`group_by` set): the first
    /// rows to appear are kept with their updates, others dropped.
    pub top: Option<u64>,
    /// The tables read, for EXPLAIN.
    pub tables: Vec<Path>,
}

impl Plan {
    /// The number of input rows read when bounded.
    pub fn total(&self) -> Option<u64> {
        min_bound(self.source.total(), self.limit)
    }
}

/// The type and value of a literal.
pub fn literal(lit: &Literal) -> (Type, Value) {
    match lit {
        Literal::Integer(text) => match text.parse::<i64>() {
            Ok(v) if i32::try_from(v).is_ok() => (Type::not_null(Kind::Int), Value::Int(v)),
            Ok(v) => (Type::not_null(Kind::BigInt), Value::Int(v)),
            Err(_) => {
                let digits = text.trim_start_matches('-').len() as u32;
                let unscaled = text.parse::<i128>().unwrap_or(0);
                (
                    Type::not_null(Kind::Decimal(digits.min(38), 0)),
                    Value::Decimal(unscaled, 0),
                )
            }
        },
        Literal::Decimal(text) => {
            let (int, frac) = text.split_once('.').unwrap_or((text, ""));
            let scale = frac.len() as u32;
            let unscaled: i128 = format!("{int}{frac}").parse().unwrap_or(0);
            let digits = unscaled.unsigned_abs().to_string().len() as u32;
            (
                Type::not_null(Kind::Decimal(digits.max(scale), scale)),
                Value::Decimal(unscaled, scale),
            )
        }
        Literal::Double(text) => (
            Type::not_null(Kind::Double),
            Value::Float(text.parse().unwrap_or(0.0)),
        ),
        Literal::Str(s) => (
            Type::not_null(Kind::Char(s.chars().count() as u32)),
            Value::Str(s.clone()),
        ),
        Literal::Bool(b) => (Type::not_null(Kind::Boolean), Value::Bool(*b)),
        Literal::Null => (Type::nullable(Kind::Null), Value::Null),
    }
}

/// Where the rows a SELECT reads come from.
enum Feed {
    /// Rows by index: a table, literal rows, or a plain view or derived table.
    Rows(Source),
    /// A GROUP BY query's changelog, which the outer select list projects.
    Changelog(Box<Plan>),
}

/// What a plan reads from: its columns and rows.
struct Input {
    columns: Vec<Column>,
    feed: Feed,
    tables: Vec<Path>,
    /// The name a derived table's columns are qualified with; `None` for
    /// tables and views (whose qualifiers are not checked).
    qualifier: Option<String>,
}

impl Input {
    /// The input of a view or derived table whose query planned as `inner`.
    fn of(inner: Plan) -> Input {
        if inner.group_by.is_some() {
            return Input {
                columns: inner.columns.clone(),
                tables: inner.tables.clone(),
                feed: Feed::Changelog(Box::new(inner)),
                qualifier: None,
            };
        }
        Input {
            columns: inner.columns,
            feed: Feed::Rows(Source::View {
                inner: Box::new(inner.source),
                projection: inner.projection,
                limit: inner.limit,
            }),
            tables: inner.tables,
            qualifier: None,
        }
    }

    /// The input column `parts` names, with Calcite's errors.
    fn resolve(&self, parts: &[Ident]) -> Result<usize, JavaError> {
        let ident = parts.last().expect("a column has a name");
        let position = self.columns.iter().position(|c| c.name == ident.name);
        if let (Some(table), [qualifier @ .., _]) = (&self.qualifier, parts)
            && !qualifier.is_empty()
        {
            let written: Vec<&str> = qualifier.iter().map(|q| q.name.as_str()).collect();
            let written = written.join(".");
            if written != *table {
                let span = qualifier[0].span.to(qualifier[qualifier.len() - 1].span);
                return Err(validator_error(
                    span,
                    format!("Table '{written}' not found"),
                ));
            }
            return position.ok_or_else(|| {
                validator_error(
                    ident.span,
                    format!("Column '{}' not found in table '{table}'", ident.name),
                )
            });
        }
        position.ok_or_else(|| {
            validator_error(
                ident.span,
                format!("Column '{}' not found in any table", ident.name),
            )
        })
    }

    /// Renames the columns to a column alias list `(c1, ...)`.
    fn rename(&mut self, aliases: &[Ident]) -> Result<(), JavaError> {
        if aliases.is_empty() {
            return Ok(());
        }
        for (i, alias) in aliases.iter().enumerate() {
            if aliases[..i].iter().any(|a| a.name == alias.name) {
                return Err(validator_error(
                    alias.span,
                    format!("Duplicate name '{}' in column alias list", alias.name),
                ));
            }
        }
        if aliases.len() != self.columns.len() {
            let names: Vec<String> = self
                .columns
                .iter()
                .map(|c| format!("'{}'", c.name))
                .collect();
            return Err(validator_error(
                aliases[0].span.to(aliases[aliases.len() - 1].span),
                format!(
                    "List of column aliases must have same degree as table; table has {} columns ({}), whereas alias list has {} columns",
                    self.columns.len(),
                    names.join(", "),
                    aliases.len()
                ),
            ));
        }
        for (column, alias) in self.columns.iter_mut().zip(aliases) {
            column.name = alias.name.clone();
        }
        Ok(())
    }
}

/// Validates `query` against `catalogs`; `batch` rejects unbounded inputs.
pub fn plan(catalogs: &Catalogs, query: &Query, batch: bool) -> Result<Plan, JavaError> {
    plan_at_depth(catalogs, query, batch, 0)
}

/// Plans a view's query, its names resolved where it was created.
pub fn plan_view(catalogs: &Catalogs, view: &View, batch: bool) -> Result<Plan, JavaError> {
    in_view_scope(catalogs, view, || plan(catalogs, &view.query, batch))
}

/// Runs `f` with unqualified names resolving in `view`'s scope.
fn in_view_scope<T>(catalogs: &Catalogs, view: &View, f: impl FnOnce() -> T) -> T {
    catalogs
        .session
        .view_scopes
        .borrow_mut()
        .push(view.scope.clone());
    let result = f();
    catalogs.session.view_scopes.borrow_mut().pop();
    result
}

/// The input of a FROM item: a table, a view or a derived table.
fn plan_from(
    catalogs: &Catalogs,
    from: &FromItem,
    batch: bool,
    depth: usize,
) -> Result<Input, JavaError> {
    let mut input = match &from.table {
        TableRef::Derived(query) => {
            let mut input = Input::of(plan_at_depth(catalogs, query, batch, depth + 1)?);
            // Calcite names an unaliased derived table after its position.
            input.qualifier = Some(
                from.alias
                    .as_ref()
                    .map(|a| a.name.clone())
                    .unwrap_or_else(|| "EXPR$0".into()),
            );
            input
        }
        TableRef::Named(name) => {
            let path = catalogs.qualify(name)?;
            match catalogs.relation(&path) {
                None => {
                    return Err(validator_error(
                        name.span(),
                        format!("Object '{}' not found", name.last()),
                    ));
                }
                Some(Relation::Table(table)) => {
                    let datagen = table.option("connector") == Some("datagen");
                    let rows = if datagen {
                        table.option("number-of-rows").and_then(|n| n.parse().ok())
                    } else {
                        Some(0)
                    };
                    if batch && rows.is_none() {
                        return Err(validation(format!(
                            "Querying an unbounded table '{}' in batch mode is not allowed. The table source is unbounded.",
                            path.dotted()
                        )));
                    }
                    let rate = table
                        .option("rows-per-second")
                        .and_then(|r| r.parse::<f64>().ok())
                        .filter(|r| *r > 0.0);
                    Input {
                        columns: table
                            .columns
                            .iter()
                            .map(|c| Column::new(&c.name, c.ty.clone()))
                            .collect(),
                        feed: Feed::Rows(Source::Table {
                            columns: table.columns.clone(),
                            rows,
                            rate,
                        }),
                        tables: vec![path.clone()],
                        qualifier: None,
                    }
                }
                Some(Relation::View(view)) => Input::of(in_view_scope(catalogs, view, || {
                    plan_at_depth(catalogs, &view.query, batch, depth + 1)
                })?),
            }
        }
    };
    input.rename(&from.columns)?;
    Ok(input)
}

/// What a select list is checked against.
struct Scope<'a> {
    input: &'a Input,
    group_by: &'a [usize],
    aggregating: bool,
}

/// The natural name (a column's), type and output of an expression.
fn typed(expr: &Expr, scope: &Scope) -> Result<(Option<String>, Type, Proj), JavaError> {
    Ok(match expr {
        Expr::Literal(lit, _) => {
            let (ty, value) = literal(lit);
            (None, ty, Proj::Const(value))
        }
        Expr::Count(_) => (None, Type::not_null(Kind::BigInt), Proj::Count),
        Expr::Column(parts) => {
            let ident = parts.last().expect("a column has a name");
            let j = scope.input.resolve(parts)?;
            if scope.aggregating && !scope.group_by.contains(&j) {
                return Err(not_grouped(ident.span, &ident.name));
            }
            (
                Some(ident.name.clone()),
                scope.input.columns[j].ty.clone(),
                Proj::Column(j),
            )
        }
        Expr::Cast(operand, target, span) => {
            let (_, from, proj) = typed(operand, scope)?;
            let ty = cast_type(&from, target, *span)?;
            let proj = match proj {
                Proj::Const(value) => Proj::Const(cast(&value, &ty)),
                other => Proj::Cast(Box::new(other), ty.clone()),
            };
            (None, ty, proj)
        }
        Expr::Call(name, args, span) => {
            let mut families = Vec::new();
            for arg in args {
                families.push(match arg {
                    Expr::Literal(lit, _) => literal(lit).0.family().to_string(),
                    Expr::Column(parts) => scope.input.columns[scope.input.resolve(parts)?]
                        .ty
                        .family()
                        .to_string(),
                    Expr::Count(_) => "<NUMERIC>".into(),
                    Expr::Cast(_, target, _) => target.family().to_string(),
                    Expr::Call(..) => "<ANY>".into(),
                });
            }
            return Err(validator_error(
                *span,
                format!(
                    "No match found for function signature {}({})",
                    name.name,
                    families.join(", ")
                ),
            ));
        }
    })
}

/// The type of `CAST(<from> AS target)`: the target with the operand's
/// nullability, or Calcite's error when Flink cannot cast.
fn cast_type(from: &Type, target: &Type, span: Span) -> Result<Type, JavaError> {
    if !from.casts_to(target) {
        return Err(validator_error(
            span,
            format!(
                "Cast function cannot convert value of type {} to type {}",
                from.calcite(),
                target.calcite()
            ),
        ));
    }
    Ok(target.with_nullable(from.nullable))
}

fn plan_at_depth(
    catalogs: &Catalogs,
    query: &Query,
    batch: bool,
    depth: usize,
) -> Result<Plan, JavaError> {
    if depth > 8 {
        return Err(validation(
            "Views and derived tables nested too deeply for the test double.",
        ));
    }
    let select = match query {
        Query::Values(rows) => return plan_values(rows),
        Query::Select(select) => select,
    };
    let input = match &select.from {
        None => Input {
            columns: Vec::new(),
            feed: Feed::Rows(Source::Fixed(vec![Vec::new()])),
            tables: Vec::new(),
            qualifier: None,
        },
        Some(from) => plan_from(catalogs, from, batch, depth)?,
    };
    let mut group_by = Vec::new();
    for ident in &select.group_by {
        group_by.push(input.resolve(std::slice::from_ref(ident))?);
    }
    let aggregating = !select.group_by.is_empty()
        || select
            .items
            .iter()
            .any(|i| matches!(i, Item::Expr(expr, _) if expr.has_count()));
    let scope = Scope {
        input: &input,
        group_by: &group_by,
        aggregating,
    };
    let mut columns = Vec::new();
    let mut projection = Vec::new();
    for (position, item) in select.items.iter().enumerate() {
        match item {
            Item::Star => {
                for (j, column) in input.columns.iter().enumerate() {
                    if aggregating && !group_by.contains(&j) {
                        return Err(not_grouped(
                            select.from.as_ref().map(|f| f.span).unwrap_or_default(),
                            &column.name,
                        ));
                    }
                    columns.push(column.clone());
                    projection.push(Proj::Column(j));
                }
            }
            Item::Expr(expr, alias) => {
                let (name, ty, proj) = typed(expr, &scope)?;
                let name = alias
                    .clone()
                    .or(name)
                    .unwrap_or_else(|| format!("EXPR${position}"));
                columns.push(Column::new(name, ty));
                projection.push(proj);
            }
        }
    }
    match input.feed {
        Feed::Rows(source) => Ok(Plan {
            columns,
            source,
            projection,
            group_by: aggregating.then_some(group_by),
            limit: select.limit,
            top: None,
            tables: input.tables,
        }),
        Feed::Changelog(inner) => {
            if aggregating {
                return Err(validation(
                    "The test double does not aggregate the result of a GROUP BY again.",
                ));
            }
            let inner = *inner;
            Ok(Plan {
                columns,
                projection: projection
                    .iter()
                    .map(|p| p.compose(&inner.projection))
                    .collect(),
                source: inner.source,
                group_by: inner.group_by,
                limit: inner.limit,
                top: min_bound(inner.top, select.limit),
                tables: inner.tables,
            })
        }
    }
}

fn not_grouped(span: Span, name: &str) -> JavaError {
    validator_error(span, format!("Expression '{name}' is not being grouped"))
}

/// The type and value of a constant: a literal, or a CAST of one.
fn constant(expr: &Expr) -> Result<(Type, Value), JavaError> {
    match expr {
        Expr::Literal(lit, _) => Ok(literal(lit)),
        Expr::Cast(operand, target, span) => {
            let (from, value) = constant(operand)?;
            let ty = cast_type(&from, target, *span)?;
            let value = cast(&value, &ty);
            Ok((ty, value))
        }
        _ => Err(validation(
            "The test double only evaluates literals in VALUES.",
        )),
    }
}

/// `VALUES (...), ...`: constant rows with one type per column, each value
/// converted to its column's type.
fn plan_values(rows: &[Vec<Expr>]) -> Result<Plan, JavaError> {
    let width = rows[0].len();
    let mut types: Vec<Option<Type>> = vec![None; width];
    let mut nullable = vec![false; width];
    let mut values = Vec::new();
    for row in rows {
        if row.len() != width {
            return Err(validator_error(
                row[0].span(),
                "Values passed to VALUES operator must have compatible types",
            ));
        }
        let mut out = Vec::new();
        for (j, expr) in row.iter().enumerate() {
            let (ty, value) = constant(expr)?;
            if ty.kind == Kind::Null {
                nullable[j] = true;
            } else {
                types[j] = Some(match types[j].take() {
                    None => ty,
                    Some(previous) => unify(&previous, &ty).ok_or_else(|| {
                        validator_error(
                            expr.span(),
                            "Values passed to VALUES operator must have compatible types",
                        )
                    })?,
                });
            }
            out.push(value);
        }
        values.push(out);
    }
    let columns: Vec<Column> = types
        .into_iter()
        .enumerate()
        .map(|(j, ty)| {
            let ty = match ty {
                None => Type::nullable(Kind::Null),
                Some(ty) => ty.with_nullable(ty.nullable || nullable[j]),
            };
            Column::new(format!("EXPR${j}"), ty)
        })
        .collect();
    for row in &mut values {
        for (value, column) in row.iter_mut().zip(&columns) {
            *value = cast(value, &column.ty);
        }
    }
    Ok(Plan {
        columns,
        source: Source::Fixed(values),
        projection: (0..width).map(Proj::Column).collect(),
        group_by: None,
        limit: None,
        top: None,
        tables: Vec::new(),
    })
}

/// The common type of two literal types of one VALUES column.
fn unify(a: &Type, b: &Type) -> Option<Type> {
    let kind = match (&a.kind, &b.kind) {
        (x, y) if x == y => x.clone(),
        (Kind::Char(m), Kind::Char(n)) => Kind::Varchar(*m.max(n)),
        (Kind::Char(m) | Kind::Varchar(m), Kind::Char(n) | Kind::Varchar(n)) => {
            Kind::Varchar(*m.max(n))
        }
        (Kind::Int, Kind::BigInt) | (Kind::BigInt, Kind::Int) => Kind::BigInt,
        (Kind::Decimal(p1, s1), Kind::Decimal(p2, s2)) => {
            let scale = *s1.max(s2);
            Kind::Decimal((p1 - s1).max(p2 - s2) + scale, scale)
        }
        (Kind::Int | Kind::BigInt, Kind::Decimal(p, s))
        | (Kind::Decimal(p, s), Kind::Int | Kind::BigInt) => Kind::Decimal((p - s).max(19) + s, *s),
        (Kind::Double, Kind::Int | Kind::BigInt | Kind::Decimal(..))
        | (Kind::Int | Kind::BigInt | Kind::Decimal(..), Kind::Double) => Kind::Double,
        _ => return None,
    };
    Some(Type {
        kind,
        nullable: a.nullable || b.nullable,
    })
}

/// A running query: the plan and how far it has read.
#[derive(Debug)]
pub struct QueryRun {
    /// The plan.
    pub plan: Plan,
    started: Instant,
    /// Input rows read so far.
    next: u64,
    /// Whether the first (always empty) page was served.
    started_paging: bool,
    /// Counts per group key, in first-seen order.
    groups: HashMap<String, i64>,
    /// Rows computed but not yet served (batch aggregation).
    pending: std::collections::VecDeque<Row>,
    /// Batch mode: aggregates emit final rows only.
    batch: bool,
    /// With [`Plan::top`]: the rows kept, by value, and how many.
    kept: HashMap<String, u64>,
    kept_rows: u64,
    /// Whether the last UPDATE_BEFORE retracted a kept row (so its
    /// UPDATE_AFTER is kept too).
    kept_before: bool,
}

impl QueryRun {
    /// Starts running `plan` now.
    pub fn new(plan: Plan, batch: bool) -> QueryRun {
        QueryRun {
            plan,
            started: Instant::now(),
            next: 0,
            started_paging: false,
            groups: HashMap::new(),
            pending: Default::default(),
            batch,
            kept: HashMap::new(),
            kept_rows: 0,
            kept_before: false,
        }
    }

    /// When the job of a bounded query has read everything (None: never).
    pub fn ends_after(plan: &Plan) -> Option<std::time::Duration> {
        let total = plan.total()?;
        Some(match plan.source.rate() {
            Some(rate) if total > 0 => {
                std::time::Duration::from_secs_f64((total - 1) as f64 / rate)
            }
            _ => std::time::Duration::ZERO,
        })
    }

    /// The rows of the next page (`None` at the end of a bounded result). The
    /// first page is always empty: the job has only just been submitted.
    pub fn next_page(&mut self, page_rows: usize) -> Option<Vec<Row>> {
        if !self.started_paging {
            self.started_paging = true;
            return Some(Vec::new());
        }
        let total = self.plan.total();
        let available = match self.plan.source.rate() {
            Some(rate) => (self.started.elapsed().as_secs_f64() * rate).floor() as u64 + 1,
            None => u64::MAX,
        };
        let cap = total.unwrap_or(u64::MAX).min(available);
        let mut out: Vec<Row> = Vec::new();
        let page_rows = page_rows.max(1);
        while out.len() < page_rows
            && let Some(row) = self.pending.pop_front()
        {
            out.push(row);
        }
        while out.len() < page_rows && self.next < cap {
            let row = self.plan.source.row(self.next);
            self.next += 1;
            match &self.plan.group_by {
                None => out.push((RowKind::Insert, self.project(&row, 0))),
                Some(keys) => {
                    let key: String = keys
                        .iter()
                        .map(|k| row[*k].group_key())
                        .collect::<Vec<_>>()
                        .join("\u{1}");
                    let count = self.groups.entry(key).or_insert(0);
                    *count += 1;
                    let count = *count;
                    if self.batch {
                        if self.next == cap && Some(cap) == total {
                            self.flush_batch_groups(&row);
                        }
                        continue;
                    }
                    let changes = if count == 1 {
                        vec![(RowKind::Insert, self.project(&row, 1))]
                    } else {
                        vec![
                            (RowKind::UpdateBefore, self.project(&row, count - 1)),
                            (RowKind::UpdateAfter, self.project(&row, count)),
                        ]
                    };
                    for (kind, values) in changes {
                        if self.keep(kind, &values) {
                            out.push((kind, values));
                        }
                    }
                }
            }
            while out.len() < page_rows
                && let Some(row) = self.pending.pop_front()
            {
                out.push(row);
            }
        }
        let done = total.is_some_and(|t| self.next >= t) && self.pending.is_empty();
        if out.is_empty() && done {
            return None;
        }
        Some(out)
    }

    fn project(&self, row: &[Value], count: i64) -> Vec<Value> {
        self.plan
            .projection
            .iter()
            .map(|p| p.value(row, count))
            .collect()
    }

    /// Batch mode: every group's final row, once the input is read. The
    /// groups are replayed from the input to recover each key's values.
    fn flush_batch_groups(&mut self, _last: &[Value]) {
        let keys = self.plan.group_by.clone().unwrap_or_default();
        let mut seen = std::collections::HashSet::new();
        for i in 0..self.next {
            let row = self.plan.source.row(i);
            let key: String = keys
                .iter()
                .map(|k| row[*k].group_key())
                .collect::<Vec<_>>()
                .join("\u{1}");
            if seen.insert(key.clone()) {
                let count = self.groups[&key];
                let values = self.project(&row, count);
                if self.keep(RowKind::Insert, &values) {
                    self.pending.push_back((RowKind::Insert, values));
                }
            }
        }
    }

    /// Whether a changelog row passes [`Plan::top`]: an INSERT while fewer
    /// rows are kept, an UPDATE_BEFORE of a kept row and its UPDATE_AFTER.
    fn keep(&mut self, kind: RowKind, values: &[Value]) -> bool {
        let Some(top) = self.plan.top else {
            return true;
        };
        let key: String = values
            .iter()
            .map(Value::group_key)
            .collect::<Vec<_>>()
            .join("\u{1}");
        let admit = match kind {
            RowKind::Insert => self.kept_rows < top,
            RowKind::UpdateBefore => {
                let kept = self.kept.get_mut(&key).filter(|n| **n > 0);
                self.kept_before = kept.is_some();
                if let Some(n) = kept {
                    *n -= 1;
                    self.kept_rows -= 1;
                }
                return self.kept_before;
            }
            RowKind::UpdateAfter => std::mem::take(&mut self.kept_before),
        };
        if admit {
            *self.kept.entry(key).or_insert(0) += 1;
            self.kept_rows += 1;
        }
        admit
    }
}

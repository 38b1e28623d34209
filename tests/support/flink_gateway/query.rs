//! Queries: validation against the session's catalogs (with Calcite's
//! messages), and the row producers that feed result pages: literal rows,
//! datagen tables (bounded or not, paced by `rows-per-second`), views, and a
//! streaming `GROUP BY ... COUNT(*)` changelog.

use std::collections::HashMap;
use std::time::Instant;

use super::catalog::{Catalogs, Path, Relation, validation};
use super::errors::{CALCITE_CONTEXT, JavaError, SQL_VALIDATOR, Site, VALIDATION};
use super::sql::{ColumnDef, Expr, Item, Literal, Query, Span};
use super::types::{Column, Kind, Type};
use super::values::{Value, generate, now_ltz};

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
    /// A view: a projection of its own source.
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
}

impl Proj {
    fn value(&self, row: &[Value], count: i64) -> Value {
        match self {
            Proj::Column(j) => row[*j].clone(),
            Proj::Const(v) => v.clone(),
            Proj::Count => Value::Int(count),
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
    /// LIMIT.
    pub limit: Option<u64>,
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

/// What a plan reads from: its columns and source.
struct Input {
    columns: Vec<Column>,
    source: Source,
    tables: Vec<Path>,
}

/// Validates `query` against `catalogs`; `batch` rejects unbounded inputs.
pub fn plan(catalogs: &Catalogs, query: &Query, batch: bool) -> Result<Plan, JavaError> {
    plan_at_depth(catalogs, query, batch, 0)
}

fn plan_at_depth(
    catalogs: &Catalogs,
    query: &Query,
    batch: bool,
    depth: usize,
) -> Result<Plan, JavaError> {
    if depth > 8 {
        return Err(validation("Views nested too deeply for the test double."));
    }
    let select = match query {
        Query::Values(rows) => return plan_values(rows),
        Query::Select(select) => select,
    };
    let input = match &select.from {
        None => Input {
            columns: Vec::new(),
            source: Source::Fixed(vec![Vec::new()]),
            tables: Vec::new(),
        },
        Some(name) => {
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
                        source: Source::Table {
                            columns: table.columns.clone(),
                            rows,
                            rate,
                        },
                        tables: vec![path.clone()],
                    }
                }
                Some(Relation::View(view)) => {
                    let inner = plan_at_depth(catalogs, &view.query, batch, depth + 1)?;
                    if inner.group_by.is_some() {
                        return Err(validation(
                            "The test double only reads views over a plain SELECT.",
                        ));
                    }
                    Input {
                        columns: inner.columns.clone(),
                        source: Source::View {
                            inner: Box::new(inner.source),
                            projection: inner.projection,
                            limit: inner.limit,
                        },
                        tables: inner.tables,
                    }
                }
            }
        }
    };
    let find = |ident: &super::sql::Ident| -> Result<usize, JavaError> {
        input
            .columns
            .iter()
            .position(|c| c.name == ident.name)
            .ok_or_else(|| {
                validator_error(
                    ident.span,
                    format!("Column '{}' not found in any table", ident.name),
                )
            })
    };
    let mut group_by = Vec::new();
    for ident in &select.group_by {
        group_by.push(find(ident)?);
    }
    let aggregating = !select.group_by.is_empty()
        || select
            .items
            .iter()
            .any(|i| matches!(i, Item::Expr(Expr::Count(_), _)));
    let mut columns = Vec::new();
    let mut projection = Vec::new();
    for (position, item) in select.items.iter().enumerate() {
        match item {
            Item::Star => {
                for (j, column) in input.columns.iter().enumerate() {
                    if aggregating && !group_by.contains(&j) {
                        return Err(not_grouped(
                            select.from.as_ref().map(|n| n.span()).unwrap_or_default(),
                            &column.name,
                        ));
                    }
                    columns.push(column.clone());
                    projection.push(Proj::Column(j));
                }
            }
            Item::Expr(expr, alias) => {
                let default_name = format!("EXPR${position}");
                let (name, ty, proj) = match expr {
                    Expr::Literal(lit, _) => {
                        let (ty, value) = literal(lit);
                        (default_name, ty, Proj::Const(value))
                    }
                    Expr::Count(_) => (default_name, Type::not_null(Kind::BigInt), Proj::Count),
                    Expr::Column(parts) => {
                        let ident = parts.last().expect("a column has a name");
                        let j = find(ident)?;
                        if aggregating && !group_by.contains(&j) {
                            return Err(not_grouped(ident.span, &ident.name));
                        }
                        (
                            ident.name.clone(),
                            input.columns[j].ty.clone(),
                            Proj::Column(j),
                        )
                    }
                    Expr::Call(name, args, span) => {
                        let mut families = Vec::new();
                        for arg in args {
                            families.push(match arg {
                                Expr::Literal(lit, _) => literal(lit).0.family().to_string(),
                                Expr::Column(parts) => {
                                    let ident = parts.last().expect("a column has a name");
                                    input.columns[find(ident)?].ty.family().to_string()
                                }
                                Expr::Count(_) => "<NUMERIC>".into(),
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
                };
                columns.push(Column::new(alias.clone().unwrap_or(name), ty));
                projection.push(proj);
            }
        }
    }
    Ok(Plan {
        columns,
        source: input.source,
        projection,
        group_by: aggregating.then_some(group_by),
        limit: select.limit,
        tables: input.tables,
    })
}

fn not_grouped(span: Span, name: &str) -> JavaError {
    validator_error(span, format!("Expression '{name}' is not being grouped"))
}

/// `VALUES (...), ...`: literal rows with one type per column.
fn plan_values(rows: &[Vec<Expr>]) -> Result<Plan, JavaError> {
    let width = rows[0].len();
    let mut types: Vec<Option<Type>> = vec![None; width];
    let mut nullable = vec![false; width];
    let mut values = Vec::new();
    for row in rows {
        if row.len() != width {
            let span = match &row[0] {
                Expr::Literal(_, span) | Expr::Count(span) | Expr::Call(_, _, span) => *span,
                Expr::Column(parts) => parts[0].span,
            };
            return Err(validator_error(
                span,
                "Values passed to VALUES operator must have compatible types",
            ));
        }
        let mut out = Vec::new();
        for (j, expr) in row.iter().enumerate() {
            let Expr::Literal(lit, span) = expr else {
                return Err(validation(
                    "The test double only evaluates literals in VALUES.",
                ));
            };
            let (ty, value) = literal(lit);
            if ty.kind == Kind::Null {
                nullable[j] = true;
            } else {
                types[j] = Some(match types[j].take() {
                    None => ty,
                    Some(previous) => unify(&previous, &ty).ok_or_else(|| {
                        validator_error(
                            *span,
                            "Values passed to VALUES operator must have compatible types",
                        )
                    })?,
                });
            }
            out.push(value);
        }
        values.push(out);
    }
    let columns = types
        .into_iter()
        .enumerate()
        .map(|(j, ty)| {
            let ty = match ty {
                None => Type::nullable(Kind::Null),
                Some(ty) => ty.with_nullable(nullable[j]),
            };
            Column::new(format!("EXPR${j}"), ty)
        })
        .collect();
    Ok(Plan {
        columns,
        source: Source::Fixed(values),
        projection: (0..width).map(Proj::Column).collect(),
        group_by: None,
        limit: None,
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
                    if count == 1 {
                        out.push((RowKind::Insert, self.project(&row, 1)));
                    } else {
                        out.push((RowKind::UpdateBefore, self.project(&row, count - 1)));
                        out.push((RowKind::UpdateAfter, self.project(&row, count)));
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
                self.pending
                    .push_back((RowKind::Insert, self.project(&row, count)));
            }
        }
    }
}

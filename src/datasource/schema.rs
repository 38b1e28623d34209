//! A whole database's tables, columns and primary keys, read in a few
//! round trips: what a sync plans from (`CREATE SYNC`). Browsing
//! (`DESCRIBE DATASOURCE ... TABLE`) reads one table at a time; planning a
//! database of a thousand tables that way would take a thousand round
//! trips, so this reads every column of the database in one query and
//! every primary key in another.
//!
//! Only base tables are read (PostgreSQL: ordinary and partitioned tables,
//! not their partitions, which a sync reaches through the parent; views
//! and foreign tables are left out). PostgreSQL reads every schema but
//! the system ones; MySQL reads the one database (its "schema").

use std::collections::BTreeMap;

use mysql_async::prelude::Queryable;

use super::ConnectionOptions;
use super::flink_types::SourceDialect;
use super::metadata::{mysql_connect, postgres_connect, postgres_error, timed};

/// A table of the database, with its columns in ordinal order.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSchema {
    /// PostgreSQL's schema; for MySQL the database.
    pub schema: String,
    /// The table's name.
    pub name: String,
    /// Its columns, in ordinal order.
    pub columns: Vec<ColumnSchema>,
    /// The primary key's columns in key order; empty without one.
    pub primary_key: Vec<String>,
}

/// A column as the source's catalog describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSchema {
    /// The column's name.
    pub name: String,
    /// The full type as the source prints it (`numeric(10,2)`,
    /// `int(10) unsigned`, `timestamp(3) with time zone`, `integer[]`).
    pub full_type: String,
    /// The base type name (PostgreSQL's `pg_type.typname`: `int4`,
    /// `numeric`, `timestamptz`, `_int4`; MySQL's `data_type`: `int`).
    pub data_type: String,
    /// Character length, when the type has one.
    pub length: Option<i64>,
    /// Numeric precision (bits for MySQL's BIT).
    pub precision: Option<i64>,
    /// Numeric scale, or the fractional-second digits of a time type.
    pub scale: Option<i64>,
    /// Whether NULL is allowed.
    pub nullable: bool,
}

/// Every base table of `database` (PostgreSQL: the database to connect to,
/// the datasource's own when `None`; MySQL: the schema, the datasource's
/// `database` option when `None`), in (schema, name) order.
pub async fn read_database(
    dialect: SourceDialect,
    options: &ConnectionOptions,
    database: Option<&str>,
) -> Result<Vec<TableSchema>, String> {
    match dialect {
        SourceDialect::Postgresql => postgres(options, database).await,
        SourceDialect::Mysql => mysql(options, database).await,
    }
}

/// The tables keyed by (schema, name), in order.
type Tables = BTreeMap<(String, String), TableSchema>;

fn table(tables: &mut Tables, schema: String, name: String) -> &mut TableSchema {
    tables
        .entry((schema.clone(), name.clone()))
        .or_insert_with(|| TableSchema {
            schema,
            name,
            columns: Vec::new(),
            primary_key: Vec::new(),
        })
}

/// Schemas a sync never reads.
const PG_SYSTEM_SCHEMAS: &str = "('pg_catalog', 'information_schema', 'pg_toast')";

async fn postgres(
    options: &ConnectionOptions,
    database: Option<&str>,
) -> Result<Vec<TableSchema>, String> {
    let client = postgres_connect(options, database).await?;
    // information_schema's own helpers give length, precision and scale
    // from the type modifier exactly as information_schema.columns does,
    // without that view's joins (it is slow on databases with many
    // tables).
    let columns = format!(
        "SELECT n.nspname::text, c.relname::text, a.attname::text, \
                format_type(a.atttypid, a.atttypmod), t.typname::text, \
                information_schema._pg_char_max_length(a.atttypid, a.atttypmod)::bigint, \
                information_schema._pg_numeric_precision(a.atttypid, a.atttypmod)::bigint, \
                COALESCE(information_schema._pg_numeric_scale(a.atttypid, a.atttypmod), \
                         information_schema._pg_datetime_precision(a.atttypid, a.atttypmod))::bigint, \
                NOT a.attnotnull \
         FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         JOIN pg_type t ON t.oid = a.atttypid \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition \
           AND n.nspname NOT IN {PG_SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg_temp%' \
         ORDER BY 1, 2, a.attnum"
    );
    let keys = format!(
        "SELECT n.nspname::text, c.relname::text, a.attname::text \
         FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey) \
         WHERE i.indisprimary AND n.nspname NOT IN {PG_SYSTEM_SCHEMAS} \
         ORDER BY 1, 2, array_position(i.indkey::int2[], a.attnum)"
    );
    let (column_rows, key_rows) = timed(options, async {
        let columns = client.query(&columns, &[]).await.map_err(postgres_error)?;
        let keys = client.query(&keys, &[]).await.map_err(postgres_error)?;
        Ok((columns, keys))
    })
    .await?;
    let mut tables = Tables::new();
    for row in &column_rows {
        table(&mut tables, row.get(0), row.get(1))
            .columns
            .push(ColumnSchema {
                name: row.get(2),
                full_type: row.get(3),
                data_type: row.get(4),
                length: row.get(5),
                precision: row.get(6),
                scale: row.get(7),
                nullable: row.get(8),
            });
    }
    for row in &key_rows {
        if let Some(t) = tables.get_mut(&(row.get(0), row.get(1))) {
            t.primary_key.push(row.get(2));
        }
    }
    Ok(tables.into_values().collect())
}

async fn mysql(
    options: &ConnectionOptions,
    database: Option<&str>,
) -> Result<Vec<TableSchema>, String> {
    let database = database
        .or(options.get("database"))
        .ok_or("give DATABASE: this datasource has no default database")?
        .to_string();
    let mut conn = mysql_connect(options, Some(&database)).await?;
    let read = timed(options, async {
        let columns: Vec<mysql_async::Row> = conn
            .exec(
                "SELECT c.table_name, c.column_name, c.column_type, c.data_type, \
                        c.character_maximum_length, c.numeric_precision, \
                        COALESCE(c.numeric_scale, c.datetime_precision), c.is_nullable = 'YES' \
                 FROM information_schema.columns c \
                 JOIN information_schema.tables t \
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = ? AND t.table_type = 'BASE TABLE' \
                 ORDER BY c.table_name, c.ordinal_position",
                (&database,),
            )
            .await
            .map_err(|e| e.to_string())?;
        let keys: Vec<(String, String)> = conn
            .exec(
                "SELECT table_name, column_name FROM information_schema.key_column_usage \
                 WHERE table_schema = ? AND constraint_name = 'PRIMARY' \
                 ORDER BY table_name, ordinal_position",
                (&database,),
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok((columns, keys))
    })
    .await;
    let _ = conn.disconnect().await;
    let (column_rows, key_rows) = read?;
    let mut tables = Tables::new();
    for row in column_rows {
        let text = |i: usize| {
            row.get_opt::<Option<String>, usize>(i)
                .and_then(|v| v.ok())
                .flatten()
                .unwrap_or_default()
        };
        let int = |i: usize| {
            row.get_opt::<Option<i64>, usize>(i)
                .and_then(|v| v.ok())
                .flatten()
        };
        let column = ColumnSchema {
            name: text(1),
            full_type: text(2),
            data_type: text(3),
            length: int(4),
            precision: int(5),
            scale: int(6),
            nullable: int(7).unwrap_or(0) != 0,
        };
        table(&mut tables, database.clone(), text(0))
            .columns
            .push(column);
    }
    for (name, column) in key_rows {
        if let Some(t) = tables.get_mut(&(database.clone(), name)) {
            t.primary_key.push(column);
        }
    }
    Ok(tables.into_values().collect())
}

//! Browsing the metadata of PostgreSQL and MySQL datasources: databases,
//! tables, columns (with the Flink type each maps to) and the first rows
//! of a table, read-only. Every call has the datasource's connect timeout.

use std::future::Future;

use mysql_async::prelude::Queryable;

use super::ConnectionOptions;
use super::flink_types::{SourceColumn, SourceDialect, flink_type};

/// The columns of `SHOW DATABASES FROM DATASOURCE`.
pub const DATABASE_COLUMNS: [&str; 1] = ["database"];
/// The columns of `SHOW TABLES FROM DATASOURCE`.
pub const TABLE_COLUMNS: [&str; 3] = ["schema", "table", "table_type"];
/// The columns of `DESCRIBE DATASOURCE ... TABLE`.
pub const COLUMN_COLUMNS: [&str; 5] = [
    "column",
    "source_type",
    "nullable",
    "primary_key",
    "flink_type",
];

/// A table of text: column names and rows (`None` is SQL NULL).
pub struct TextTable {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Option<String>>>,
}

/// A table of a source, named as the source needs it.
pub struct SourceTable<'a> {
    /// The database (PostgreSQL: the database to connect to; MySQL: the schema).
    pub database: Option<&'a str>,
    /// PostgreSQL only: the schema (`public` when absent).
    pub schema: Option<&'a str>,
    /// The table.
    pub table: &'a str,
}

/// scaleph's own connections are plain TCP for now: a datasource that
/// requires TLS is refused rather than reached without it.
fn refuse_required_tls(
    options: &ConnectionOptions,
    key: &str,
    requiring: &[&str],
) -> Result<(), String> {
    match options.get(key) {
        Some(mode) if requiring.iter().any(|r| r.eq_ignore_ascii_case(mode)) => Err(format!(
            "{key} = {mode} asks for TLS, which scaleph's own connections do not support yet \
             (Flink jobs use the setting); nothing was sent"
        )),
        _ => Ok(()),
    }
}

/// Runs `work` within the datasource's connect timeout.
pub(super) async fn timed<T>(
    options: &ConnectionOptions,
    work: impl Future<Output = Result<T, String>>,
) -> Result<T, String> {
    let timeout = options.timeout();
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| Err(format!("timed out after {} ms", timeout.as_millis())))
}

/// A PostgreSQL session to `database` (the datasource's own when `None`,
/// else `postgres`).
pub async fn postgres_connect(
    options: &ConnectionOptions,
    database: Option<&str>,
) -> Result<tokio_postgres::Client, String> {
    refuse_required_tls(options, "sslmode", &["require", "verify-ca", "verify-full"])?;
    let mut config = tokio_postgres::Config::new();
    config
        .host(options.require("host")?)
        .port(options.port("port", 5432)?)
        .user(options.require("username")?)
        .dbname(database.or(options.get("database")).unwrap_or("postgres"))
        .application_name("scaleph")
        .connect_timeout(options.timeout());
    if let Some(password) = options.get("password") {
        config.password(password);
    }
    let (client, connection) = timed(options, async {
        config
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(postgres_error)
    })
    .await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// A PostgreSQL error in words: the server's message (authentication
/// failed, database does not exist) or the transport's.
pub(super) fn postgres_error(err: tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => {
            let mut message = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                message = format!("{message}: {cause}");
                source = cause.source();
            }
            message
        }
    }
}

/// The server's version string.
pub async fn postgres_version(client: &tokio_postgres::Client) -> Result<String, String> {
    let row = client
        .query_one("SHOW server_version", &[])
        .await
        .map_err(postgres_error)?;
    Ok(format!("PostgreSQL {}", row.get::<_, String>(0)))
}

/// A MySQL session, in `database` when given.
pub async fn mysql_connect(
    options: &ConnectionOptions,
    database: Option<&str>,
) -> Result<mysql_async::Conn, String> {
    refuse_required_tls(
        options,
        "ssl_mode",
        &["REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"],
    )?;
    let opts = mysql_async::OptsBuilder::default()
        .ip_or_hostname(options.require("host")?)
        .tcp_port(options.port("port", 3306)?)
        .user(Some(options.require("username")?))
        .pass(options.get("password"))
        .db_name(database.or(options.get("database")))
        .prefer_socket(false);
    timed(options, async {
        mysql_async::Conn::new(opts)
            .await
            .map_err(|e| e.to_string())
    })
    .await
}

/// A MySQL session for `table`, and the database the table is in.
async fn mysql_table<'a>(
    options: &'a ConnectionOptions,
    table: &SourceTable<'a>,
) -> Result<(mysql_async::Conn, &'a str), String> {
    let database = table
        .database
        .or(options.get("database"))
        .ok_or("name the table as database.table")?;
    Ok((mysql_connect(options, Some(database)).await?, database))
}

/// The server's version string.
pub async fn mysql_version(conn: &mut mysql_async::Conn) -> Result<String, String> {
    let version: Option<String> = conn
        .query_first("SELECT VERSION()")
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("MySQL {}", version.unwrap_or_default()))
}

/// Which dialect a connectivity kind speaks, for metadata.
pub fn dialect(datasource_type: &crate::catalog::DatasourceType) -> Option<SourceDialect> {
    match datasource_type.connectivity {
        crate::catalog::Connectivity::Postgresql => Some(SourceDialect::Postgresql),
        crate::catalog::Connectivity::Mysql => Some(SourceDialect::Mysql),
        _ => None,
    }
}

fn text(columns: &[&str], rows: Vec<Vec<Option<String>>>) -> TextTable {
    TextTable {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    }
}

/// The databases of the source.
pub async fn databases(
    dialect: SourceDialect,
    options: &ConnectionOptions,
) -> Result<TextTable, String> {
    let names: Vec<String> = match dialect {
        SourceDialect::Postgresql => {
            let client = postgres_connect(options, None).await?;
            let rows = timed(options, async {
                client
                    .query("SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY 1", &[])
                    .await
                    .map_err(postgres_error)
            })
            .await?;
            rows.iter().map(|r| r.get(0)).collect()
        }
        SourceDialect::Mysql => {
            let mut conn = mysql_connect(options, None).await?;
            let names = timed(options, async {
                conn.query("SELECT schema_name FROM information_schema.schemata ORDER BY 1")
                    .await
                    .map_err(|e| e.to_string())
            })
            .await?;
            let _ = conn.disconnect().await;
            names
        }
    };
    Ok(text(
        &DATABASE_COLUMNS,
        names.into_iter().map(|n| vec![Some(n)]).collect(),
    ))
}

/// The tables of `database` (PostgreSQL: every schema but the system ones),
/// names matching the SQL LIKE `pattern` when given.
pub async fn tables(
    dialect: SourceDialect,
    options: &ConnectionOptions,
    database: Option<&str>,
    pattern: Option<&str>,
) -> Result<TextTable, String> {
    let pattern = pattern.unwrap_or("%");
    let rows: Vec<Vec<Option<String>>> = match dialect {
        SourceDialect::Postgresql => {
            let client = postgres_connect(options, database).await?;
            let rows = timed(options, async {
                client
                    .query(
                        "SELECT table_schema, table_name, table_type FROM information_schema.tables \
                         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_name LIKE $1 \
                         ORDER BY 1, 2",
                        &[&pattern],
                    )
                    .await
                    .map_err(postgres_error)
            })
            .await?;
            rows.iter()
                .map(|r| vec![Some(r.get(0)), Some(r.get(1)), Some(r.get(2))])
                .collect()
        }
        SourceDialect::Mysql => {
            let mut conn = mysql_connect(options, database).await?;
            let database = database
                .or(options.get("database"))
                .ok_or("give DATABASE: this datasource has no default database")?;
            let found: Vec<(String, String, String)> = timed(options, async {
                conn.exec(
                    "SELECT table_schema, table_name, table_type FROM information_schema.tables \
                     WHERE table_schema = ? AND table_name LIKE ? ORDER BY 2",
                    (database, pattern),
                )
                .await
                .map_err(|e| e.to_string())
            })
            .await?;
            let _ = conn.disconnect().await;
            found
                .into_iter()
                .map(|(s, t, k)| vec![Some(s), Some(t), Some(k)])
                .collect()
        }
    };
    Ok(text(&TABLE_COLUMNS, rows))
}

/// The columns of `table`: name, source type, nullable, primary key, and
/// the Flink SQL type it maps to.
pub async fn columns(
    dialect: SourceDialect,
    options: &ConnectionOptions,
    table: &SourceTable<'_>,
) -> Result<TextTable, String> {
    // (name, data type, nullable, primary key, length, precision, scale)
    type Described = (
        String,
        String,
        bool,
        bool,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let described: Vec<Described> = match dialect {
        SourceDialect::Postgresql => {
            let client = postgres_connect(options, table.database).await?;
            let schema = table.schema.unwrap_or("public");
            let rows = timed(options, async {
                client
                    .query(
                        "SELECT c.column_name::text, \
                                CASE WHEN c.data_type = 'ARRAY' THEN c.udt_name::text ELSE c.data_type::text END, \
                                c.is_nullable = 'YES', \
                                EXISTS (SELECT 1 FROM information_schema.table_constraints tc \
                                        JOIN information_schema.key_column_usage k \
                                          ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema \
                                        WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema \
                                          AND tc.table_name = c.table_name AND k.column_name = c.column_name), \
                                c.character_maximum_length::bigint, c.numeric_precision::bigint, \
                                COALESCE(c.numeric_scale, c.datetime_precision)::bigint \
                         FROM information_schema.columns c \
                         WHERE c.table_schema = $1 AND c.table_name = $2 ORDER BY c.ordinal_position",
                        &[&schema, &table.table],
                    )
                    .await
                    .map_err(postgres_error)
            })
            .await?;
            rows.iter()
                .map(|r| {
                    (
                        r.get(0),
                        r.get(1),
                        r.get(2),
                        r.get(3),
                        r.get(4),
                        r.get(5),
                        r.get(6),
                    )
                })
                .collect()
        }
        SourceDialect::Mysql => {
            let (mut conn, database) = mysql_table(options, table).await?;
            let rows: Vec<mysql_async::Row> = timed(options, async {
                conn.exec(
                    "SELECT column_name, column_type, is_nullable = 'YES', column_key = 'PRI', \
                            character_maximum_length, numeric_precision, COALESCE(numeric_scale, datetime_precision) \
                     FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                    (database, table.table),
                )
                .await
                .map_err(|e| e.to_string())
            })
            .await?;
            let _ = conn.disconnect().await;
            rows.into_iter()
                .map(|r| {
                    let int = |i: usize| {
                        r.get_opt::<Option<i64>, usize>(i)
                            .and_then(|v| v.ok())
                            .flatten()
                    };
                    let flag = |i: usize| int(i).unwrap_or(0) != 0;
                    (
                        r.get_opt::<String, usize>(0)
                            .and_then(|v| v.ok())
                            .unwrap_or_default(),
                        r.get_opt::<String, usize>(1)
                            .and_then(|v| v.ok())
                            .unwrap_or_default(),
                        flag(2),
                        flag(3),
                        int(4),
                        int(5),
                        int(6),
                    )
                })
                .collect()
        }
    };
    if described.is_empty() {
        return Err(format!(
            "table {} does not exist or has no columns",
            table.table
        ));
    }
    let rows = described
        .into_iter()
        .map(
            |(name, data_type, nullable, key, length, precision, scale)| {
                let flink = flink_type(
                    dialect,
                    &SourceColumn {
                        data_type: data_type.clone(),
                        length,
                        precision,
                        scale,
                    },
                );
                let flink = if nullable {
                    flink
                } else {
                    format!("{flink} NOT NULL")
                };
                vec![
                    Some(name),
                    Some(data_type),
                    Some(nullable.to_string()),
                    Some(key.to_string()),
                    Some(flink),
                ]
            },
        )
        .collect();
    Ok(text(&COLUMN_COLUMNS, rows))
}

/// The first `limit` rows of `table`, as text, in a read-only transaction.
pub async fn preview(
    dialect: SourceDialect,
    options: &ConnectionOptions,
    table: &SourceTable<'_>,
    limit: u64,
) -> Result<TextTable, String> {
    match dialect {
        SourceDialect::Postgresql => {
            let client = postgres_connect(options, table.database).await?;
            let quoted = format!(
                "{}.{}",
                quote(table.schema.unwrap_or("public"), '"'),
                quote(table.table, '"')
            );
            let sql = format!("BEGIN READ ONLY; SELECT * FROM {quoted} LIMIT {limit}; ROLLBACK");
            let messages = timed(options, async {
                client.simple_query(&sql).await.map_err(postgres_error)
            })
            .await?;
            let mut columns = Vec::new();
            let mut rows = Vec::new();
            for message in messages {
                match message {
                    tokio_postgres::SimpleQueryMessage::RowDescription(description) => {
                        columns = description.iter().map(|c| c.name().to_string()).collect();
                    }
                    tokio_postgres::SimpleQueryMessage::Row(row) => {
                        rows.push(
                            (0..row.len())
                                .map(|i| row.get(i).map(str::to_string))
                                .collect(),
                        );
                    }
                    _ => {}
                }
            }
            Ok(TextTable { columns, rows })
        }
        SourceDialect::Mysql => {
            let (mut conn, database) = mysql_table(options, table).await?;
            let sql = format!(
                "SELECT * FROM {}.{} LIMIT {limit}",
                quote(database, '`'),
                quote(table.table, '`')
            );
            let (columns, rows) = timed(options, async {
                conn.query_drop("START TRANSACTION READ ONLY")
                    .await
                    .map_err(|e| e.to_string())?;
                let mut result = conn.query_iter(sql).await.map_err(|e| e.to_string())?;
                let columns: Vec<String> = result
                    .columns_ref()
                    .iter()
                    .map(|c| c.name_str().to_string())
                    .collect();
                let rows: Vec<mysql_async::Row> =
                    result.collect().await.map_err(|e| e.to_string())?;
                Ok((columns, rows))
            })
            .await?;
            let _ = conn.query_drop("ROLLBACK").await;
            let _ = conn.disconnect().await;
            let rows = rows
                .into_iter()
                .map(|row| row.unwrap().into_iter().map(mysql_text).collect())
                .collect();
            Ok(TextTable { columns, rows })
        }
    }
}

/// A MySQL text-protocol value as text.
fn mysql_text(value: mysql_async::Value) -> Option<String> {
    match value {
        mysql_async::Value::NULL => None,
        mysql_async::Value::Bytes(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        other => Some(other.as_sql(true).trim_matches('\'').to_string()),
    }
}

/// `name` as a quoted identifier with `quote`.
fn quote(name: &str, quote: char) -> String {
    let doubled = format!("{quote}{quote}");
    format!("{quote}{}{quote}", name.replace(quote, &doubled))
}

//! The type each engine gives a source column. A sync's plan keeps the
//! source's own facts ([`PlannedColumn`]); what an engine makes of them is
//! derived here, at EXPLAIN and generation time, so a corrected mapping
//! applies to stored plans too.
//!
//! The three engines do not agree, because each reads the source its own
//! way, and a sync must declare (Flink SQL) or expect (Flink CDC's schema
//! evolution, SeaTunnel's created tables) what *that* engine produces:
//!
//! - **Flink SQL**: the table types a script declares —
//!   [`crate::datasource::flink_types::flink_type`], the Flink JDBC and CDC
//!   SQL connectors' type tables (one place, shared with `DESCRIBE
//!   DATASOURCE ... TABLE`).
//! - **Flink CDC**: the `DataType` a pipeline source emits, written as
//!   Flink SQL spells it (`TIMESTAMP_LTZ(3)`; `TIMESTAMP_TZ(p)` is CDC's
//!   `ZonedTimestampType`). Sources: the Data Type Mapping tables of Flink
//!   CDC's MySQL and PostgreSQL pipeline connector pages
//!   (`docs/sync-engines.md` §5). They differ from Flink SQL where the
//!   pipeline keeps more (MySQL `BINARY(n)`, `BIT(n)` as `BINARY`) or less
//!   (PostgreSQL character types are `STRING`, `TIME` is `TIME(3)`, bare
//!   `NUMERIC` is `DECIMAL(38, 0)`).
//! - **SeaTunnel**: the `SeaTunnelDataType` its connectors produce, as the
//!   connector pages spell them (`DECIMAL(20,0)`). MySQL: the Data Type
//!   Mapping table of `MySQL-CDC.md` (the Jdbc source's is the same);
//!   PostgreSQL: `PostgresTypeConverter` of the 2.3.8 line, which both
//!   Postgres-CDC and the Jdbc source use (its page's older table maps
//!   `INT2` to `INT`; the converter, which runs, says `SMALLINT`).
//!   SeaTunnel keeps no time zone: MySQL `TIMESTAMP` and PostgreSQL
//!   `TIMESTAMPTZ` are `TIMESTAMP`.
//!
//! A type an engine cannot read (Flink CDC's MySQL `SET`; SeaTunnel's
//! PostgreSQL intervals, bit strings, enums, ranges) is reported by
//! [`unsupported`], and the generators refuse the sync naming the column
//! and an engine that can read it: the job would otherwise fail at start.

use crate::datasource::flink_types::{SourceDialect, flink_type};

use super::plan::{Engine, PlannedColumn};

/// The type `engine` gives `column` of a `dialect` source (for a type the
/// engine cannot read, `UNSUPPORTED(<source type>)`; see [`unsupported`]).
pub fn target_type(engine: Engine, dialect: SourceDialect, column: &PlannedColumn) -> String {
    let mapped = match engine {
        Engine::FlinkSql => return flink_type(dialect, &column.source_column(dialect)),
        Engine::FlinkCdc => match dialect {
            SourceDialect::Mysql => cdc_mysql(&Facts::mysql(column)),
            SourceDialect::Postgresql => cdc_postgres(&column.data_type, column),
        },
        Engine::Seatunnel => match dialect {
            SourceDialect::Mysql => seatunnel_mysql(&Facts::mysql(column)),
            SourceDialect::Postgresql => seatunnel_postgres(&column.data_type, column),
        },
    };
    mapped.unwrap_or_else(|| format!("UNSUPPORTED({})", column.source_type))
}

/// Why `engine` cannot read `column`, when it cannot.
pub fn unsupported(
    engine: Engine,
    dialect: SourceDialect,
    column: &PlannedColumn,
) -> Option<String> {
    target_type(engine, dialect, column)
        .starts_with("UNSUPPORTED(")
        .then(|| {
            format!(
                "{} cannot read the {} type {}",
                engine_name(engine),
                match dialect {
                    SourceDialect::Mysql => "MySQL",
                    SourceDialect::Postgresql => "PostgreSQL",
                },
                column.source_type
            )
        })
}

/// The engine as messages name it.
pub(crate) fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::FlinkCdc => "Flink CDC",
        Engine::Seatunnel => "SeaTunnel",
        Engine::FlinkSql => "Flink SQL",
    }
}

/// What the MySQL mappings read off a column: the base type, the
/// `UNSIGNED` flag, the display width or `(p, s)` written in the type.
struct Facts<'a> {
    base: String,
    unsigned: bool,
    full: String,
    column: &'a PlannedColumn,
}

impl<'a> Facts<'a> {
    fn mysql(column: &'a PlannedColumn) -> Facts<'a> {
        let full = column.source_type.trim().to_ascii_lowercase();
        let base = full
            .split(['(', ' '])
            .next()
            .unwrap_or_default()
            .to_string();
        Facts {
            unsigned: full.contains("unsigned"),
            base,
            full,
            column,
        }
    }

    /// `tinyint(1)`: a boolean to both engines (Connector/J's tinyInt1isBit).
    fn tinyint1(&self) -> bool {
        self.full.starts_with("tinyint(1)") && !self.unsigned
    }

    /// The type was written with `(p, s)` (`float(7,3)`).
    fn has_precision_and_scale(&self) -> bool {
        self.full.contains(',')
    }
}

/// `name(n)` when `n` is known, else `otherwise`.
fn sized(name: &str, n: Option<i64>, otherwise: &str) -> String {
    match n {
        Some(n) if n > 0 => format!("{name}({n})"),
        _ => otherwise.to_string(),
    }
}

/// `name(p)` for fractional seconds when known, else `name`.
fn fraction(name: &str, scale: Option<i64>) -> String {
    match scale {
        Some(s) if (0..=9).contains(&s) => format!("{name}({s})"),
        _ => name.to_string(),
    }
}

/// Flink CDC's MySQL pipeline source (pipeline-connectors/mysql.md).
fn cdc_mysql(f: &Facts) -> Option<String> {
    let c = f.column;
    Some(match f.base.as_str() {
        "tinyint" if f.tinyint1() => "BOOLEAN".into(),
        "tinyint" if f.unsigned => "SMALLINT".into(),
        "tinyint" => "TINYINT".into(),
        "bool" | "boolean" => "BOOLEAN".into(),
        "smallint" if f.unsigned => "INT".into(),
        "smallint" => "SMALLINT".into(),
        "mediumint" | "year" => "INT".into(),
        "int" | "integer" if f.unsigned => "BIGINT".into(),
        "int" | "integer" => "INT".into(),
        "bigint" if f.unsigned => "DECIMAL(20, 0)".into(),
        "bigint" => "BIGINT".into(),
        "serial" => "DECIMAL(20, 0)".into(),
        "float" if f.has_precision_and_scale() => "DOUBLE".into(),
        "float" => "FLOAT".into(),
        "double" | "real" => "DOUBLE".into(),
        "decimal" | "numeric" | "fixed" => match (c.precision, c.scale) {
            (Some(p), s) if (1..=38).contains(&p) => format!("DECIMAL({p}, {})", s.unwrap_or(0)),
            _ => "STRING".into(),
        },
        "bit" => match c.precision.or(c.length) {
            None | Some(1) => "BOOLEAN".into(),
            Some(n) => format!("BINARY({})", (n + 7) / 8),
        },
        "date" => "DATE".into(),
        "time" => fraction("TIME", c.scale),
        "datetime" => fraction("TIMESTAMP", c.scale),
        "timestamp" => fraction("TIMESTAMP_LTZ", c.scale),
        "char" => sized("CHAR", c.length, "STRING"),
        "varchar" => sized("VARCHAR", c.length, "STRING"),
        "binary" => sized("BINARY", c.length, "BYTES"),
        "varbinary" => sized("VARBINARY", c.length, "BYTES"),
        "tinyblob" | "blob" | "mediumblob" | "longblob" => "BYTES".into(),
        "set" => return None,
        // Text types, LONG, ENUM, JSON, the spatial types.
        _ => "STRING".into(),
    })
}

/// Flink CDC's PostgreSQL pipeline source (pipeline-connectors/postgres.md,
/// Debezium's default `adaptive_time_microseconds` and `precise` modes).
fn cdc_postgres(data_type: &str, c: &PlannedColumn) -> Option<String> {
    let name = data_type.trim().to_ascii_lowercase();
    if let Some(element) = name.strip_prefix('_') {
        let bare = PlannedColumn {
            data_type: element.to_string(),
            length: None,
            precision: None,
            scale: None,
            ..c.clone()
        };
        return cdc_postgres(element, &bare).map(|t| format!("ARRAY<{t}>"));
    }
    Some(match name.as_str() {
        "boolean" | "bool" => "BOOLEAN".into(),
        "bit" if matches!(c.length, None | Some(1)) => "BOOLEAN".into(),
        "bit" | "bit varying" | "varbit" => "BYTES".into(),
        "smallint" | "int2" | "smallserial" | "serial2" => "SMALLINT".into(),
        "integer" | "int" | "int4" | "serial" | "serial4" => "INT".into(),
        "bigint" | "int8" | "bigserial" | "serial8" | "oid" => "BIGINT".into(),
        "real" | "float4" => "FLOAT".into(),
        "double precision" | "float8" => "DOUBLE".into(),
        "numeric" | "decimal" => match (c.precision, c.scale) {
            (Some(p), s) if (1..=38).contains(&p) => format!("DECIMAL({p}, {})", s.unwrap_or(0)),
            (Some(_), _) => "STRING".into(),
            (None, _) => "DECIMAL(38, 0)".into(),
        },
        "money" => "DECIMAL(38, 2)".into(),
        "date" => "DATE".into(),
        "time" | "time without time zone" | "timetz" | "time with time zone" => "TIME(3)".into(),
        "timestamp" | "timestamp without time zone" => {
            format!("TIMESTAMP({})", c.scale.unwrap_or(6))
        }
        "timestamptz" | "timestamp with time zone" => {
            format!("TIMESTAMP_TZ({})", c.scale.unwrap_or(6))
        }
        "interval" => "BIGINT".into(),
        "bytea" => "BYTES".into(),
        // Character types, JSON, XML, UUID, network, range, enum and
        // spatial types.
        _ => "STRING".into(),
    })
}

/// SeaTunnel's MySQL-CDC and Jdbc sources (MySQL-CDC.md, Data Type Mapping).
fn seatunnel_mysql(f: &Facts) -> Option<String> {
    let c = f.column;
    Some(match f.base.as_str() {
        "tinyint" if f.tinyint1() => "BOOLEAN".into(),
        "tinyint" if f.unsigned => "SMALLINT".into(),
        "tinyint" => "TINYINT".into(),
        "bool" | "boolean" => "BOOLEAN".into(),
        "bit" if matches!(c.precision.or(c.length), None | Some(1)) => "BOOLEAN".into(),
        "smallint" if f.unsigned => "INT".into(),
        "smallint" => "SMALLINT".into(),
        "mediumint" | "year" => "INT".into(),
        "int" | "integer" if f.unsigned => "BIGINT".into(),
        "int" | "integer" => "INT".into(),
        "bigint" if f.unsigned => "DECIMAL(20,0)".into(),
        "bigint" => "BIGINT".into(),
        "decimal" | "numeric" => format!(
            "DECIMAL({},{})",
            c.precision.unwrap_or(10),
            c.scale.unwrap_or(0)
        ),
        "float" => "FLOAT".into(),
        "double" | "real" => "DOUBLE".into(),
        "date" => "DATE".into(),
        "time" => fraction("TIME", c.scale),
        "datetime" | "timestamp" => fraction("TIMESTAMP", c.scale),
        "binary" | "varbinary" | "bit" | "tinyblob" | "blob" | "mediumblob" | "longblob"
        | "geometry" => "BYTES".into(),
        // Character and text types, ENUM, SET, JSON.
        _ => "STRING".into(),
    })
}

/// SeaTunnel's Postgres-CDC and Jdbc sources (`PostgresTypeConverter`).
fn seatunnel_postgres(data_type: &str, c: &PlannedColumn) -> Option<String> {
    let name = data_type.trim().to_ascii_lowercase();
    let capped = |name: &str| match c.scale {
        Some(s) if s > 6 => format!("{name}(6)"),
        scale => fraction(name, scale),
    };
    Some(match name.as_str() {
        "boolean" | "bool" => "BOOLEAN".into(),
        "_bool" => "ARRAY<BOOLEAN>".into(),
        "smallint" | "int2" | "smallserial" => "SMALLINT".into(),
        "_int2" => "ARRAY<SMALLINT>".into(),
        "integer" | "int" | "int4" | "serial" => "INT".into(),
        "_int4" => "ARRAY<INT>".into(),
        "bigint" | "int8" | "bigserial" => "BIGINT".into(),
        "_int8" => "ARRAY<BIGINT>".into(),
        "real" | "float4" => "FLOAT".into(),
        "_float4" => "ARRAY<FLOAT>".into(),
        "double precision" | "float8" => "DOUBLE".into(),
        "_float8" => "ARRAY<DOUBLE>".into(),
        "numeric" | "decimal" => match c.precision {
            Some(p) if p > 0 => format!("DECIMAL({p},{})", c.scale.unwrap_or(0)),
            _ => "DECIMAL(38,18)".into(),
        },
        "money" => "DECIMAL(30,2)".into(),
        "character" | "char" | "bpchar" | "character varying" | "varchar" | "text" | "uuid"
        | "json" | "jsonb" | "xml" | "geometry" | "geography" | "inet" => "STRING".into(),
        "_char" | "_bpchar" | "_varchar" | "_text" => "ARRAY<STRING>".into(),
        "bytea" => "BYTES".into(),
        "_bytea" => "ARRAY<TINYINT>".into(),
        "date" => "DATE".into(),
        "time" | "time without time zone" | "timetz" | "time with time zone" => capped("TIME"),
        "timestamp"
        | "timestamp without time zone"
        | "timestamptz"
        | "timestamp with time zone" => capped("TIMESTAMP"),
        // Intervals, bit strings, enums (USER-DEFINED), ranges, ...:
        // the converter throws.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(
        source_type: &str,
        data_type: &str,
        length: Option<i64>,
        precision: Option<i64>,
        scale: Option<i64>,
    ) -> PlannedColumn {
        PlannedColumn {
            name: "c".into(),
            source_type: source_type.into(),
            data_type: data_type.into(),
            length,
            precision,
            scale,
            nullable: true,
        }
    }

    fn my(engine: Engine, c: PlannedColumn) -> String {
        target_type(engine, SourceDialect::Mysql, &c)
    }

    fn pg(engine: Engine, c: PlannedColumn) -> String {
        target_type(engine, SourceDialect::Postgresql, &c)
    }

    /// docs/sync-engines.md §5, the rows the brief names first.
    #[test]
    fn flink_cdc_types_mysql_columns_as_its_pipeline_source_does() {
        let cdc = Engine::FlinkCdc;
        assert_eq!(
            my(cdc, col("tinyint(1)", "tinyint", None, Some(3), Some(0))),
            "BOOLEAN"
        );
        assert_eq!(
            my(cdc, col("tinyint(4)", "tinyint", None, Some(3), Some(0))),
            "TINYINT"
        );
        assert_eq!(
            my(
                cdc,
                col("tinyint unsigned", "tinyint", None, Some(3), Some(0))
            ),
            "SMALLINT"
        );
        assert_eq!(
            my(
                cdc,
                col("bigint unsigned", "bigint", None, Some(20), Some(0))
            ),
            "DECIMAL(20, 0)"
        );
        assert_eq!(
            my(cdc, col("int unsigned", "int", None, Some(10), Some(0))),
            "BIGINT"
        );
        assert_eq!(
            my(cdc, col("datetime(3)", "datetime", None, None, Some(3))),
            "TIMESTAMP(3)"
        );
        assert_eq!(
            my(cdc, col("timestamp", "timestamp", None, None, Some(0))),
            "TIMESTAMP_LTZ(0)"
        );
        assert_eq!(my(cdc, col("json", "json", None, None, None)), "STRING");
        assert_eq!(
            my(cdc, col("float(7,3)", "float", None, Some(7), Some(3))),
            "DOUBLE"
        );
        assert_eq!(
            my(
                cdc,
                col("decimal(65,2)", "decimal", None, Some(65), Some(2))
            ),
            "STRING"
        );
        assert_eq!(
            my(cdc, col("bit(10)", "bit", None, Some(10), None)),
            "BINARY(2)"
        );
        assert_eq!(
            my(cdc, col("binary(16)", "binary", Some(16), None, None)),
            "BINARY(16)"
        );
        assert_eq!(
            my(cdc, col("varchar(64)", "varchar", Some(64), None, None)),
            "VARCHAR(64)"
        );
        assert_eq!(my(cdc, col("year", "year", None, None, None)), "INT");
        assert!(
            unsupported(
                cdc,
                SourceDialect::Mysql,
                &col("set('a','b')", "set", None, None, None)
            )
            .is_some()
        );
        assert!(
            unsupported(
                cdc,
                SourceDialect::Mysql,
                &col("json", "json", None, None, None)
            )
            .is_none()
        );
    }

    #[test]
    fn flink_cdc_types_postgres_columns_as_its_pipeline_source_does() {
        let cdc = Engine::FlinkCdc;
        assert_eq!(
            pg(cdc, col("integer", "integer", None, Some(32), Some(0))),
            "INT"
        );
        assert_eq!(
            pg(
                cdc,
                col(
                    "character varying(40)",
                    "character varying",
                    Some(40),
                    None,
                    None
                )
            ),
            "STRING"
        );
        assert_eq!(
            pg(
                cdc,
                col("numeric(12,2)", "numeric", None, Some(12), Some(2))
            ),
            "DECIMAL(12, 2)"
        );
        assert_eq!(
            pg(cdc, col("numeric", "numeric", None, None, None)),
            "DECIMAL(38, 0)"
        );
        assert_eq!(
            pg(
                cdc,
                col("time", "time without time zone", None, None, Some(6))
            ),
            "TIME(3)"
        );
        assert_eq!(
            pg(
                cdc,
                col(
                    "timestamp with time zone",
                    "timestamp with time zone",
                    None,
                    None,
                    Some(6)
                )
            ),
            "TIMESTAMP_TZ(6)"
        );
        assert_eq!(
            pg(cdc, col("interval", "interval", None, None, None)),
            "BIGINT"
        );
        assert_eq!(
            pg(cdc, col("integer[]", "_int4", None, None, None)),
            "ARRAY<INT>"
        );
        assert_eq!(pg(cdc, col("jsonb", "jsonb", None, None, None)), "STRING");
        assert_eq!(
            pg(cdc, col("bit(1)", "bit", Some(1), None, None)),
            "BOOLEAN"
        );
    }

    #[test]
    fn seatunnel_types_follow_its_connectors() {
        let st = Engine::Seatunnel;
        assert_eq!(
            my(st, col("tinyint(1)", "tinyint", None, Some(3), Some(0))),
            "BOOLEAN"
        );
        assert_eq!(
            my(
                st,
                col("bigint unsigned", "bigint", None, Some(20), Some(0))
            ),
            "DECIMAL(20,0)"
        );
        assert_eq!(
            my(st, col("timestamp(3)", "timestamp", None, None, Some(3))),
            "TIMESTAMP(3)"
        );
        assert_eq!(
            my(st, col("datetime", "datetime", None, None, Some(0))),
            "TIMESTAMP(0)"
        );
        assert_eq!(my(st, col("json", "json", None, None, None)), "STRING");
        assert_eq!(
            my(st, col("varbinary(8)", "varbinary", Some(8), None, None)),
            "BYTES"
        );
        assert_eq!(
            pg(st, col("smallint", "smallint", None, Some(16), Some(0))),
            "SMALLINT"
        );
        assert_eq!(
            pg(st, col("numeric", "numeric", None, None, None)),
            "DECIMAL(38,18)"
        );
        assert_eq!(
            pg(
                st,
                col(
                    "timestamp with time zone",
                    "timestamp with time zone",
                    None,
                    None,
                    Some(6)
                )
            ),
            "TIMESTAMP(6)"
        );
        assert_eq!(
            pg(st, col("text[]", "_text", None, None, None)),
            "ARRAY<STRING>"
        );
        let interval = col("interval", "interval", None, None, None);
        assert_eq!(pg(st, interval.clone()), "UNSUPPORTED(interval)");
        assert!(
            unsupported(st, SourceDialect::Postgresql, &interval)
                .unwrap()
                .contains("SeaTunnel cannot read the PostgreSQL type interval")
        );
    }

    #[test]
    fn flink_sql_types_are_the_datasource_mapping() {
        let sql = Engine::FlinkSql;
        assert_eq!(
            my(sql, col("tinyint(1)", "tinyint", None, Some(3), Some(0))),
            "BOOLEAN"
        );
        assert_eq!(
            my(
                sql,
                col("bigint unsigned", "bigint", None, Some(20), Some(0))
            ),
            "DECIMAL(20, 0)"
        );
        assert_eq!(
            my(sql, col("timestamp(3)", "timestamp", None, None, Some(3))),
            "TIMESTAMP_LTZ(3)"
        );
        assert_eq!(
            pg(
                sql,
                col(
                    "character varying(40)",
                    "character varying",
                    Some(40),
                    None,
                    None
                )
            ),
            "VARCHAR(40)"
        );
        // Flink SQL reads every type (unknown ones as STRING).
        assert!(
            unsupported(
                sql,
                SourceDialect::Mysql,
                &col("set('a')", "set", None, None, None)
            )
            .is_none()
        );
    }
}

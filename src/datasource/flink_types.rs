//! Source column types to Flink SQL types: the one place that knows how a
//! PostgreSQL or MySQL column is declared in Flink (`DESCRIBE DATASOURCE
//! ... TABLE` shows it; sync planning reuses it). Follows the type mapping
//! tables of the Flink JDBC and CDC connectors.

/// The database family a column type comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceDialect {
    /// PostgreSQL (`information_schema.columns.data_type` / `udt_name`).
    Postgresql,
    /// MySQL / MariaDB (`information_schema.columns.column_type`).
    Mysql,
}

/// A column as the source describes it.
#[derive(Clone, Debug, Default)]
pub struct SourceColumn {
    /// The type name (`integer`, `varchar`, `int unsigned`, `_int4`...).
    pub data_type: String,
    /// Character length, for strings.
    pub length: Option<i64>,
    /// Numeric precision, for decimals.
    pub precision: Option<i64>,
    /// Numeric scale, for decimals; fractional seconds, for times.
    pub scale: Option<i64>,
}

/// The Flink SQL type of `column`.
pub fn flink_type(dialect: SourceDialect, column: &SourceColumn) -> String {
    let name = column.data_type.to_ascii_lowercase();
    match dialect {
        SourceDialect::Postgresql => postgres(&name, column),
        SourceDialect::Mysql => mysql(&name, column),
    }
}

fn decimal(column: &SourceColumn) -> String {
    match (column.precision, column.scale) {
        (Some(p), Some(s)) if (1..=38).contains(&p) => format!("DECIMAL({p}, {s})"),
        (Some(p), None) if (1..=38).contains(&p) => format!("DECIMAL({p}, 0)"),
        // Unbounded or wider than Flink's 38 digits.
        _ => "STRING".to_string(),
    }
}

fn with_fraction(base: &str, column: &SourceColumn) -> String {
    match column.scale {
        Some(s) if (0..=9).contains(&s) => format!("{base}({s})"),
        _ => base.to_string(),
    }
}

fn postgres(name: &str, column: &SourceColumn) -> String {
    if let Some(element) = name.strip_prefix('_') {
        let inner = SourceColumn {
            data_type: element.to_string(),
            ..SourceColumn::default()
        };
        return format!("ARRAY<{}>", postgres(element, &inner));
    }
    match name {
        "smallint" | "int2" | "smallserial" => "SMALLINT".into(),
        "integer" | "int" | "int4" | "serial" => "INT".into(),
        "bigint" | "int8" | "bigserial" => "BIGINT".into(),
        "real" | "float4" => "FLOAT".into(),
        "double precision" | "float8" => "DOUBLE".into(),
        "numeric" | "decimal" => decimal(column),
        "boolean" | "bool" => "BOOLEAN".into(),
        "date" => "DATE".into(),
        "time without time zone" | "time" => with_fraction("TIME", column),
        "timestamp without time zone" | "timestamp" => with_fraction("TIMESTAMP", column),
        "timestamp with time zone" | "timestamptz" => with_fraction("TIMESTAMP_LTZ", column),
        "character varying" | "varchar" => match column.length {
            Some(n) => format!("VARCHAR({n})"),
            None => "STRING".into(),
        },
        "character" | "char" | "bpchar" => match column.length {
            Some(n) => format!("CHAR({n})"),
            None => "STRING".into(),
        },
        "bytea" => "BYTES".into(),
        // text, json, jsonb, uuid, inet, enum types, ... have no closer Flink type.
        _ => "STRING".into(),
    }
}

fn mysql(name: &str, column: &SourceColumn) -> String {
    let unsigned = name.contains("unsigned");
    let base = name.split(['(', ' ']).next().unwrap_or(name);
    match base {
        "tinyint" if name.starts_with("tinyint(1)") => "BOOLEAN".into(),
        "tinyint" if unsigned => "SMALLINT".into(),
        "tinyint" => "TINYINT".into(),
        "smallint" if unsigned => "INT".into(),
        "smallint" => "SMALLINT".into(),
        "mediumint" => "INT".into(),
        "int" | "integer" if unsigned => "BIGINT".into(),
        "int" | "integer" => "INT".into(),
        "bigint" if unsigned => "DECIMAL(20, 0)".into(),
        "bigint" => "BIGINT".into(),
        "float" => "FLOAT".into(),
        "double" | "real" => "DOUBLE".into(),
        "decimal" | "numeric" => decimal(column),
        "bit" if column.precision == Some(1) => "BOOLEAN".into(),
        "bit" => "BYTES".into(),
        "bool" | "boolean" => "BOOLEAN".into(),
        "date" => "DATE".into(),
        "time" => with_fraction("TIME", column),
        "datetime" => with_fraction("TIMESTAMP", column),
        "timestamp" => with_fraction("TIMESTAMP_LTZ", column),
        "year" => "INT".into(),
        "char" => match column.length {
            Some(n) => format!("CHAR({n})"),
            None => "STRING".into(),
        },
        "varchar" => match column.length {
            Some(n) => format!("VARCHAR({n})"),
            None => "STRING".into(),
        },
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => "BYTES".into(),
        // text types, json, enum, set, geometry
        _ => "STRING".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(
        data_type: &str,
        length: Option<i64>,
        precision: Option<i64>,
        scale: Option<i64>,
    ) -> SourceColumn {
        SourceColumn {
            data_type: data_type.into(),
            length,
            precision,
            scale,
        }
    }

    #[test]
    fn postgres_types_map_to_flink() {
        let pg = |c: SourceColumn| flink_type(SourceDialect::Postgresql, &c);
        assert_eq!(pg(column("integer", None, Some(32), Some(0))), "INT");
        assert_eq!(
            pg(column("numeric", None, Some(12), Some(2))),
            "DECIMAL(12, 2)"
        );
        assert_eq!(pg(column("numeric", None, None, None)), "STRING");
        assert_eq!(
            pg(column("character varying", Some(40), None, None)),
            "VARCHAR(40)"
        );
        assert_eq!(
            pg(column("timestamp with time zone", None, None, Some(6))),
            "TIMESTAMP_LTZ(6)"
        );
        assert_eq!(
            pg(column("timestamp without time zone", None, None, Some(3))),
            "TIMESTAMP(3)"
        );
        assert_eq!(pg(column("_int4", None, None, None)), "ARRAY<INT>");
        assert_eq!(pg(column("jsonb", None, None, None)), "STRING");
    }

    #[test]
    fn mysql_types_map_to_flink() {
        let my = |c: SourceColumn| flink_type(SourceDialect::Mysql, &c);
        assert_eq!(my(column("tinyint(1)", None, Some(3), Some(0))), "BOOLEAN");
        assert_eq!(
            my(column("int unsigned", None, Some(10), Some(0))),
            "BIGINT"
        );
        assert_eq!(
            my(column("bigint unsigned", None, Some(20), Some(0))),
            "DECIMAL(20, 0)"
        );
        assert_eq!(
            my(column("decimal(10,2)", None, Some(10), Some(2))),
            "DECIMAL(10, 2)"
        );
        assert_eq!(
            my(column("varchar(64)", Some(64), None, None)),
            "VARCHAR(64)"
        );
        assert_eq!(
            my(column("datetime(3)", None, None, Some(3))),
            "TIMESTAMP(3)"
        );
        assert_eq!(
            my(column("timestamp", None, None, Some(0))),
            "TIMESTAMP_LTZ(0)"
        );
        assert_eq!(my(column("longtext", None, None, None)), "STRING");
    }
}

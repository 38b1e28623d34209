//! Flink logical types: their JSON form in `columns[i].logicalType`
//! (docs/flink-sql-gateway-rest.md §3.1), their summary form (DESCRIBE) and their serializable form
//! (SHOW CREATE TABLE).

/// The longest VARCHAR/VARBINARY, which STRING and BYTES stand for.
pub const MAX_LENGTH: u32 = 2_147_483_647;

/// A type root and its parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// The type of the `NULL` literal.
    Null,
    /// `BOOLEAN`.
    Boolean,
    /// `TINYINT`.
    TinyInt,
    /// `SMALLINT`.
    SmallInt,
    /// `INT`.
    Int,
    /// `BIGINT`.
    BigInt,
    /// `FLOAT`.
    Float,
    /// `DOUBLE`.
    Double,
    /// `DECIMAL(p, s)`.
    Decimal(u32, u32),
    /// `CHAR(n)`.
    Char(u32),
    /// `VARCHAR(n)`; STRING is `VARCHAR(MAX_LENGTH)`.
    Varchar(u32),
    /// `BINARY(n)`.
    Binary(u32),
    /// `VARBINARY(n)`; BYTES is `VARBINARY(MAX_LENGTH)`.
    Varbinary(u32),
    /// `DATE`.
    Date,
    /// `TIME(p)`.
    Time(u32),
    /// `TIMESTAMP(p)`.
    Timestamp(u32),
    /// `TIMESTAMP_LTZ(p)`.
    TimestampLtz(u32),
    /// `ARRAY<T>`.
    Array(Box<Type>),
    /// `MAP<K, V>`.
    Map(Box<Type>, Box<Type>),
    /// `MULTISET<T>`: a map of element to count.
    Multiset(Box<Type>),
    /// `RAW('class', 'snapshot')`: values JSON cannot write.
    Raw(String),
    /// `ROW<name T, ...>`.
    Row(Vec<(String, Type)>),
}

/// A logical type with its nullability.
#[derive(Clone, Debug, PartialEq)]
pub struct Type {
    /// The root and parameters.
    pub kind: Kind,
    /// Whether NULL is a value of it.
    pub nullable: bool,
}

impl Type {
    /// A nullable type of `kind`.
    pub fn nullable(kind: Kind) -> Type {
        Type {
            kind,
            nullable: true,
        }
    }

    /// A NOT NULL type of `kind`.
    pub fn not_null(kind: Kind) -> Type {
        Type {
            kind,
            nullable: false,
        }
    }

    /// `STRING` (nullable).
    pub fn string() -> Type {
        Type::nullable(Kind::Varchar(MAX_LENGTH))
    }

    /// The same type with another nullability.
    pub fn with_nullable(&self, nullable: bool) -> Type {
        Type {
            kind: self.kind.clone(),
            nullable,
        }
    }

    /// The `LogicalTypeRoot` name of the JSON form.
    fn root(&self) -> &'static str {
        match self.kind {
            Kind::Null => "NULL",
            Kind::Boolean => "BOOLEAN",
            Kind::TinyInt => "TINYINT",
            Kind::SmallInt => "SMALLINT",
            Kind::Int => "INTEGER",
            Kind::BigInt => "BIGINT",
            Kind::Float => "FLOAT",
            Kind::Double => "DOUBLE",
            Kind::Decimal(..) => "DECIMAL",
            Kind::Char(_) => "CHAR",
            Kind::Varchar(_) => "VARCHAR",
            Kind::Binary(_) => "BINARY",
            Kind::Varbinary(_) => "VARBINARY",
            Kind::Date => "DATE",
            Kind::Time(_) => "TIME_WITHOUT_TIME_ZONE",
            Kind::Timestamp(_) => "TIMESTAMP_WITHOUT_TIME_ZONE",
            Kind::TimestampLtz(_) => "TIMESTAMP_WITH_LOCAL_TIME_ZONE",
            Kind::Array(_) => "ARRAY",
            Kind::Map(..) => "MAP",
            Kind::Multiset(_) => "MULTISET",
            Kind::Raw(_) => "RAW",
            Kind::Row(_) => "ROW",
        }
    }

    /// The JSON of `logicalType`: `type`, `nullable`, then the extra keys.
    pub fn json(&self) -> String {
        if self.kind == Kind::Null {
            return "{\"type\":\"NULL\"}".to_string();
        }
        let extra = match &self.kind {
            Kind::Char(n) | Kind::Varchar(n) | Kind::Binary(n) | Kind::Varbinary(n) => {
                format!(",\"length\":{n}")
            }
            Kind::Decimal(p, s) => format!(",\"precision\":{p},\"scale\":{s}"),
            Kind::Time(p) | Kind::Timestamp(p) | Kind::TimestampLtz(p) => {
                format!(",\"precision\":{p}")
            }
            Kind::Array(element) | Kind::Multiset(element) => {
                format!(",\"elementType\":{}", element.json())
            }
            Kind::Raw(class) => format!(
                ",\"class\":{},\"serializer\":\"AAAAAQ==\"",
                super::errors::json_string(class)
            ),
            Kind::Map(key, value) => {
                format!(",\"keyType\":{},\"valueType\":{}", key.json(), value.json())
            }
            Kind::Row(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(name, ty)| {
                        format!(
                            "{{\"name\":{},\"fieldType\":{}}}",
                            super::errors::json_string(name),
                            ty.json()
                        )
                    })
                    .collect();
                format!(",\"fields\":[{}]", fields.join(","))
            }
            _ => String::new(),
        };
        format!(
            "{{\"type\":\"{}\",\"nullable\":{}{extra}}}",
            self.root(),
            self.nullable
        )
    }

    /// The summary string (DESCRIBE's `type` column): STRING, BYTES,
    /// TIMESTAMP_LTZ(p); nested NOT NULL shown, the top level's not.
    pub fn summary(&self) -> String {
        self.render(false)
    }

    /// The serializable string (SHOW CREATE TABLE), with ` NOT NULL`.
    pub fn serializable(&self) -> String {
        let text = self.render(true);
        if self.nullable {
            text
        } else {
            format!("{text} NOT NULL")
        }
    }

    fn render(&self, serializable: bool) -> String {
        let nested = |t: &Type| {
            let text = t.render(serializable);
            if t.nullable {
                text
            } else {
                format!("{text} NOT NULL")
            }
        };
        match &self.kind {
            Kind::Null => "NULL".into(),
            Kind::Boolean => "BOOLEAN".into(),
            Kind::TinyInt => "TINYINT".into(),
            Kind::SmallInt => "SMALLINT".into(),
            Kind::Int => "INT".into(),
            Kind::BigInt => "BIGINT".into(),
            Kind::Float => "FLOAT".into(),
            Kind::Double => "DOUBLE".into(),
            Kind::Decimal(p, s) => format!("DECIMAL({p}, {s})"),
            Kind::Char(n) => format!("CHAR({n})"),
            Kind::Varchar(MAX_LENGTH) if !serializable => "STRING".into(),
            Kind::Varchar(n) => format!("VARCHAR({n})"),
            Kind::Binary(n) => format!("BINARY({n})"),
            Kind::Varbinary(MAX_LENGTH) if !serializable => "BYTES".into(),
            Kind::Varbinary(n) => format!("VARBINARY({n})"),
            Kind::Date => "DATE".into(),
            Kind::Time(p) => format!("TIME({p})"),
            Kind::Timestamp(p) => format!("TIMESTAMP({p})"),
            Kind::TimestampLtz(p) if serializable => format!("TIMESTAMP({p}) WITH LOCAL TIME ZONE"),
            Kind::TimestampLtz(p) => format!("TIMESTAMP_LTZ({p})"),
            Kind::Array(element) => format!("ARRAY<{}>", nested(element)),
            Kind::Map(key, value) => format!("MAP<{}, {}>", nested(key), nested(value)),
            Kind::Multiset(element) => format!("MULTISET<{}>", nested(element)),
            Kind::Raw(class) => format!("RAW('{class}', '...')"),
            Kind::Row(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(name, ty)| format!("`{name}` {}", nested(ty)))
                    .collect();
                format!("ROW<{}>", fields.join(", "))
            }
        }
    }

    /// Whether JSON cannot represent values of this type: a MAP whose key,
    /// or a MULTISET whose element, is not a character string, at any depth.
    /// (RAW columns are written; their values are not.)
    pub fn json_unsupported(&self) -> bool {
        let string = |t: &Type| matches!(t.kind, Kind::Char(_) | Kind::Varchar(_));
        match &self.kind {
            Kind::Map(key, value) => {
                !string(key) || key.json_unsupported() || value.json_unsupported()
            }
            Kind::Multiset(element) => !string(element) || element.json_unsupported(),
            Kind::Array(element) => element.json_unsupported(),
            Kind::Row(fields) => fields.iter().any(|(_, ty)| ty.json_unsupported()),
            _ => false,
        }
    }

    /// Calcite's `RelDataType.toString()`: `INTEGER`, `VARCHAR(2147483647)`,
    /// `DECIMAL(10, 2)`, `INTEGER ARRAY`, `RecordType(INTEGER a)`; no
    /// nullability.
    pub fn calcite(&self) -> String {
        match &self.kind {
            Kind::Null => "NULL".into(),
            Kind::Boolean => "BOOLEAN".into(),
            Kind::TinyInt => "TINYINT".into(),
            Kind::SmallInt => "SMALLINT".into(),
            Kind::Int => "INTEGER".into(),
            Kind::BigInt => "BIGINT".into(),
            Kind::Float => "FLOAT".into(),
            Kind::Double => "DOUBLE".into(),
            Kind::Decimal(p, s) => format!("DECIMAL({p}, {s})"),
            Kind::Char(n) => format!("CHAR({n})"),
            Kind::Varchar(n) => format!("VARCHAR({n})"),
            Kind::Binary(n) => format!("BINARY({n})"),
            Kind::Varbinary(n) => format!("VARBINARY({n})"),
            Kind::Date => "DATE".into(),
            Kind::Time(p) => format!("TIME({p})"),
            Kind::Timestamp(p) => format!("TIMESTAMP({p})"),
            Kind::TimestampLtz(p) => format!("TIMESTAMP_WITH_LOCAL_TIME_ZONE({p})"),
            Kind::Array(element) => format!("{} ARRAY", element.calcite()),
            Kind::Map(key, value) => format!("({}, {}) MAP", key.calcite(), value.calcite()),
            Kind::Multiset(element) => format!("{} MULTISET", element.calcite()),
            Kind::Raw(class) => format!("RAW('{class}')"),
            Kind::Row(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(name, ty)| format!("{} {name}", ty.calcite()))
                    .collect();
                format!("RecordType({})", fields.join(", "))
            }
        }
    }

    /// Whether `CAST(<value of self> AS to)` validates (Flink's explicit
    /// casts: anything to a string, strings to scalars, numbers and BOOLEAN
    /// among themselves, date-times among themselves, collections element-wise).
    pub fn casts_to(&self, to: &Type) -> bool {
        fn numeric(kind: &Kind) -> bool {
            matches!(
                kind,
                Kind::TinyInt
                    | Kind::SmallInt
                    | Kind::Int
                    | Kind::BigInt
                    | Kind::Float
                    | Kind::Double
                    | Kind::Decimal(..)
            )
        }
        fn composite(kind: &Kind) -> bool {
            matches!(
                kind,
                Kind::Array(_) | Kind::Map(..) | Kind::Multiset(_) | Kind::Row(_) | Kind::Raw(_)
            )
        }
        match (&self.kind, &to.kind) {
            (Kind::Null, _) | (_, Kind::Char(_) | Kind::Varchar(_)) => true,
            (Kind::Char(_) | Kind::Varchar(_), target) => !composite(target),
            (Kind::Boolean, target) => *target == Kind::Boolean || numeric(target),
            (source, target) if numeric(source) => *target == Kind::Boolean || numeric(target),
            (Kind::Binary(_) | Kind::Varbinary(_), target) => {
                matches!(target, Kind::Binary(_) | Kind::Varbinary(_))
            }
            (Kind::Date, target) => matches!(
                target,
                Kind::Date | Kind::Timestamp(_) | Kind::TimestampLtz(_)
            ),
            (Kind::Time(_), target) => matches!(
                target,
                Kind::Time(_) | Kind::Timestamp(_) | Kind::TimestampLtz(_)
            ),
            (Kind::Timestamp(_) | Kind::TimestampLtz(_), target) => matches!(
                target,
                Kind::Date | Kind::Time(_) | Kind::Timestamp(_) | Kind::TimestampLtz(_)
            ),
            (Kind::Array(from), Kind::Array(to)) | (Kind::Multiset(from), Kind::Multiset(to)) => {
                from.casts_to(to)
            }
            (Kind::Map(fk, fv), Kind::Map(tk, tv)) => fk.casts_to(tk) && fv.casts_to(tv),
            (Kind::Row(from), Kind::Row(to)) => {
                from.len() == to.len() && from.iter().zip(to).all(|((_, f), (_, t))| f.casts_to(t))
            }
            _ => false,
        }
    }

    /// Calcite's family name in a function signature (`<NUMERIC>`).
    pub fn family(&self) -> &'static str {
        match self.kind {
            Kind::Null => "<NULL>",
            Kind::Boolean => "<BOOLEAN>",
            Kind::TinyInt
            | Kind::SmallInt
            | Kind::Int
            | Kind::BigInt
            | Kind::Float
            | Kind::Double
            | Kind::Decimal(..) => "<NUMERIC>",
            Kind::Char(_) | Kind::Varchar(_) => "<CHARACTER>",
            Kind::Binary(_) | Kind::Varbinary(_) => "<BINARY>",
            Kind::Date => "<DATE>",
            Kind::Time(_) => "<TIME>",
            Kind::Timestamp(_) => "<TIMESTAMP>",
            Kind::TimestampLtz(_) => "<TIMESTAMP_WITH_LOCAL_TIME_ZONE>",
            Kind::Array(_) => "<ARRAY>",
            Kind::Map(..) => "<MAP>",
            Kind::Multiset(_) => "<MULTISET>",
            Kind::Raw(_) => "<ANY>",
            Kind::Row(_) => "<ROW>",
        }
    }
}

/// One column of a result: its name, type and comment.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The column name.
    pub name: String,
    /// Its type.
    pub ty: Type,
}

impl Column {
    /// A column `name` of `ty`.
    pub fn new(name: impl Into<String>, ty: Type) -> Column {
        Column {
            name: name.into(),
            ty,
        }
    }

    /// The `ColumnInfo` JSON: `name`, `logicalType`, `comment` (always null).
    pub fn json(&self) -> String {
        format!(
            "{{\"name\":{},\"logicalType\":{},\"comment\":null}}",
            super::errors::json_string(&self.name),
            self.ty.json()
        )
    }
}

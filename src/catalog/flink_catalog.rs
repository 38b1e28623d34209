//! A Flink catalog made from a datasource (`CREATE CATALOG c FROM
//! DATASOURCE d`): the `CREATE CATALOG` statement Flink runs, built from
//! the `[flink_catalog]` block of the datasource's type and its options.
//!
//! Why here, in the type registry: which keys a Flink catalog takes, which
//! of the datasource's options feed them and which of those are secret are
//! all facts of the type, so the statement is derived from the type alone,
//! without a server — and tested so. The handler only runs it.
//!
//! The statement comes in two texts: the **definition**, with the real
//! values (secrets included, sealed at rest, sent to Flink), and the
//! **shown** text, the same statement with every value that comes from a
//! secret option (or whose key says it is secret) as `'******'`. The
//! secret values themselves are kept apart too, so that whatever Flink
//! answers can be scrubbed of them before anyone sees it.

use secrecy::{ExposeSecret, SecretString};

use super::datasource_type::render_template;
use super::{DatasourceType, FlinkCatalogMapping, Registry, TypedOptions};
use crate::error::{Error, SqlState};
use crate::sql::ast::{quote_flink_identifier, quote_string};
use crate::sql::mask;
use crate::store::{Datasource, MASK, OptionEntry};

/// The `CREATE CATALOG` statement of a catalog made from a datasource.
#[derive(Debug)]
pub struct CatalogSql {
    /// The catalog's `'type'` (`paimon`, `hive`, `jdbc`).
    pub catalog_type: String,
    /// The statement with the real values: what Flink runs and what the
    /// store keeps (sealed).
    pub definition: SecretString,
    /// The statement with secret values as `'******'`.
    pub shown: String,
    /// The secret values in `definition`, to scrub from Flink's answers.
    pub secrets: Vec<SecretString>,
}

impl CatalogSql {
    /// The secret values, exposed, for scrubbing.
    pub fn secret_values(&self) -> Vec<&str> {
        self.secrets.iter().map(|s| s.expose_secret()).collect()
    }
}

/// One option of the statement: its key, its value, and whether the value
/// is secret.
struct CatalogOption {
    key: String,
    value: SecretString,
    secret: bool,
}

/// The `CREATE CATALOG` of catalog `name` over `datasource`, with `extra`
/// Flink catalog options (`WITH (...)` of the statement) added to the
/// type's, or replacing one of the same key.
///
/// Errors: 0A000 when the type has no `[flink_catalog]` (naming the types
/// that have one) or the datasource has an attached file the catalog would
/// need; 55000 when an option the catalog needs is not set; 22023 when
/// `extra` gives `'type'`; 42704 when the datasource's type is no longer
/// in the registry.
pub fn create_catalog_sql(
    registry: &Registry,
    name: &str,
    datasource: &Datasource,
    extra: &[(String, String)],
) -> Result<CatalogSql, Error> {
    let datasource_type = registry.get(&datasource.datasource_type).ok_or_else(|| {
        Error::new(
            SqlState::UNDEFINED_OBJECT,
            format!(
                "datasource \"{}\" is of type \"{}\", which the type registry no longer has",
                datasource.name, datasource.datasource_type
            ),
        )
    })?;
    let Some(mapping) = &datasource_type.flink_catalog else {
        return Err(no_flink_catalog(registry, datasource));
    };
    check_files(mapping, datasource)?;
    let value = |key: &str| value_of(datasource_type, datasource, key);
    if let Some(missing) = mapping.requires.iter().find(|r| value(r).is_none()) {
        return Err(Error::new(
            SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!(
                "datasource \"{}\" has no {missing}, which a Flink {} catalog needs",
                datasource.name, mapping.catalog_type
            ),
        )
        .with_hint(format!(
            "ALTER DATASOURCE {} SET ({missing} = '...')",
            crate::sql::ast::ident_for(&datasource.name)
        )));
    }
    let mut options = type_options(datasource_type, mapping, datasource);
    for (key, given) in extra {
        if key.eq_ignore_ascii_case("type") {
            return Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!(
                    "a catalog made from a {} datasource is of type '{}'; WITH cannot change it",
                    datasource_type.name, mapping.catalog_type
                ),
            )
            .with_subject(key.as_str()));
        }
        let option = CatalogOption {
            key: key.clone(),
            value: SecretString::from(given.clone()),
            secret: false,
        };
        match options.iter_mut().find(|o| o.key == *key) {
            Some(replaced) => *replaced = option,
            None => options.push(option),
        }
    }
    Ok(statement(name, &mapping.catalog_type, options))
}

/// 0A000 for a datasource whose type cannot become a Flink catalog,
/// naming the types that can.
fn no_flink_catalog(registry: &Registry, datasource: &Datasource) -> Error {
    let able: Vec<&str> = registry
        .types()
        .filter(|t| t.flink_catalog.is_some())
        .map(|t| t.name.as_str())
        .collect();
    Error::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!(
            "datasource \"{}\" is of type {}, which has no Flink catalog",
            datasource.name, datasource.datasource_type
        ),
    )
    .with_hint(format!(
        "the types that become a Flink catalog: {}; for others, CREATE TABLE ... WITH ('connector' = ...)",
        able.join(", ")
    ))
}

/// 0A000 when the datasource has a file attached that the catalog would
/// need: a Flink catalog reads files on the Flink side only, and scaleph
/// cannot put them there through a SQL Gateway session.
fn check_files(mapping: &FlinkCatalogMapping, datasource: &Datasource) -> Result<(), Error> {
    let attached: Vec<&str> = mapping
        .files
        .iter()
        .filter(|f| datasource.files.contains_key(f.as_str()))
        .map(String::as_str)
        .collect();
    if attached.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!(
            "datasource \"{}\" has {} attached, which a Flink catalog cannot use: it reads files on the Flink side only, and scaleph cannot ship them there through the SQL Gateway",
            datasource.name,
            attached.join(", ")
        ),
    )
    .with_hint(
        "put the files on every Flink host (or configure them in the Flink cluster) and use a datasource without attached files, or CREATE CATALOG ... WITH (...) naming their paths there",
    ))
}

/// The value of option `key` of `datasource`: as set, else its default.
fn value_of<'a>(
    datasource_type: &'a DatasourceType,
    datasource: &'a Datasource,
    key: &str,
) -> Option<&'a str> {
    match datasource.options.get(key) {
        Some(OptionEntry::Plain(value)) => Some(value),
        Some(OptionEntry::Secret(value)) => Some(value.expose_secret()),
        None => datasource_type
            .option(key)
            .and_then(|spec| spec.default.as_deref()),
    }
}

/// The type's templated options with the datasource's values, a key left
/// out when its template names an option without a value; a value is
/// secret when its template names a secret option.
fn type_options(
    datasource_type: &DatasourceType,
    mapping: &FlinkCatalogMapping,
    datasource: &Datasource,
) -> Vec<CatalogOption> {
    mapping
        .options
        .iter()
        .filter_map(|(key, template)| {
            let value =
                render_template(template, |name| value_of(datasource_type, datasource, name))?;
            let secret = super::placeholders(template).any(|name| {
                datasource_type.is_secret(name)
                    || matches!(datasource.options.get(name), Some(OptionEntry::Secret(_)))
            });
            Some(CatalogOption {
                key: key.clone(),
                value: SecretString::from(value),
                secret,
            })
        })
        .collect()
}

/// `CREATE CATALOG `name` WITH ('type' = ..., ...)`, real and shown. A
/// value is shown masked when it is secret or its key says it is
/// (`mask::is_secret_key`, the rule every other statement is shown by).
fn statement(name: &str, catalog_type: &str, options: Vec<CatalogOption>) -> CatalogSql {
    let head = format!(
        "CREATE CATALOG {} WITH ('type' = {}",
        quote_flink_identifier(name),
        quote_string(catalog_type)
    );
    let mut definition = head.clone();
    let mut shown = head;
    let mut secrets = Vec::new();
    for option in options {
        let key = quote_string(&option.key);
        let value = option.value.expose_secret();
        definition.push_str(&format!(", {key} = {}", quote_string(value)));
        if option.secret || mask::is_secret_key(&option.key) {
            shown.push_str(&format!(", {key} = '{MASK}'"));
            if !value.is_empty() {
                secrets.push(option.value);
            }
        } else {
            shown.push_str(&format!(", {key} = {}", quote_string(value)));
        }
    }
    definition.push(')');
    shown.push(')');
    CatalogSql {
        catalog_type: catalog_type.to_string(),
        definition: SecretString::from(definition),
        // A password inside a URL is masked whatever its key.
        shown: mask::redact(&shown),
        secrets,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::store::AttachedFile;

    fn datasource(datasource_type: &str, options: &[(&str, &str)]) -> Datasource {
        let registry = Registry::embedded();
        let spec = registry.get(datasource_type).unwrap();
        let now = chrono::Utc::now();
        Datasource {
            name: "src".into(),
            datasource_type: datasource_type.into(),
            options: options
                .iter()
                .map(|(k, v)| {
                    let entry = if spec.is_secret(k) {
                        OptionEntry::Secret(SecretString::from(v.to_string()))
                    } else {
                        OptionEntry::Plain(v.to_string())
                    };
                    (k.to_string(), entry)
                })
                .collect(),
            files: BTreeMap::new(),
            comment: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn sql(datasource: &Datasource, extra: &[(&str, &str)]) -> Result<CatalogSql, Error> {
        let extra: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        create_catalog_sql(&Registry::embedded(), "lake", datasource, &extra)
    }

    #[test]
    fn paimon_catalog_takes_the_warehouse_and_s3_options_and_masks_the_secret_key() {
        let lake = datasource(
            "paimon",
            &[
                ("warehouse", "s3://lake/wh"),
                ("s3_endpoint", "http://minio:9000"),
                ("s3_access_key", "AKIA1"),
                ("s3_secret_key", "pa'ss-s3"),
            ],
        );
        let made = sql(&lake, &[]).unwrap();
        assert_eq!(made.catalog_type, "paimon");
        assert_eq!(
            made.definition.expose_secret(),
            "CREATE CATALOG `lake` WITH ('type' = 'paimon', 'metastore' = 'filesystem', \
             's3.access-key' = 'AKIA1', 's3.endpoint' = 'http://minio:9000', \
             's3.path.style.access' = 'false', 's3.secret-key' = 'pa''ss-s3', \
             'warehouse' = 's3://lake/wh')"
        );
        assert_eq!(
            made.shown,
            "CREATE CATALOG `lake` WITH ('type' = 'paimon', 'metastore' = 'filesystem', \
             's3.access-key' = '******', 's3.endpoint' = 'http://minio:9000', \
             's3.path.style.access' = 'false', 's3.secret-key' = '******', \
             'warehouse' = 's3://lake/wh')"
        );
        // The access key id is masked by its name, as in any statement.
        assert_eq!(made.secret_values(), ["AKIA1", "pa'ss-s3"]);
        // Unset options leave their keys out: no uri, no token.
        assert!(!made.definition.expose_secret().contains("'uri'"));
        assert!(!made.definition.expose_secret().contains("token"));
    }

    #[test]
    fn names_and_values_are_quoted_for_flink() {
        let lake = datasource("paimon", &[("warehouse", "s3://it's/wh")]);
        let extra = [("commit.user", "o'brien")];
        let made = create_catalog_sql(
            &Registry::embedded(),
            "my `odd` lake",
            &lake,
            &extra.map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .unwrap();
        let definition = made.definition.expose_secret();
        assert!(
            definition.starts_with("CREATE CATALOG `my ``odd`` lake` WITH ('type' = 'paimon'"),
            "{definition}"
        );
        assert!(definition.contains("'warehouse' = 's3://it''s/wh'"));
        assert!(definition.ends_with(", 'commit.user' = 'o''brien')"));
        // The text is one statement Flink SQL tokenizes: no quote escapes it.
        let tokens = crate::sql::lexer::tokenize(definition).unwrap();
        assert!(
            tokens
                .iter()
                .all(|t| t.kind != crate::sql::lexer::TokenKind::Punct(';'))
        );
    }

    #[test]
    fn jdbc_catalogs_take_base_url_without_the_database() {
        let pg = datasource(
            "postgresql",
            &[
                ("host", "db.internal"),
                ("username", "reader"),
                ("password", "pg-s3cret"),
            ],
        );
        let made = sql(&pg, &[]).unwrap();
        assert_eq!(
            made.definition.expose_secret(),
            "CREATE CATALOG `lake` WITH ('type' = 'jdbc', \
             'base-url' = 'jdbc:postgresql://db.internal:5432', 'default-database' = 'postgres', \
             'password' = 'pg-s3cret', 'username' = 'reader')"
        );
        assert!(!made.shown.contains("pg-s3cret"), "{}", made.shown);
        let my = datasource(
            "mysql",
            &[
                ("host", "m"),
                ("username", "u"),
                ("password", "p"),
                ("database", "shop"),
            ],
        );
        let made = sql(&my, &[("default-database", "crm")]).unwrap();
        let definition = made.definition.expose_secret();
        assert!(
            definition.contains("'base-url' = 'jdbc:mysql://m:3306'"),
            "{definition}"
        );
        // WITH replaces the datasource's key, where it stands.
        assert!(
            definition.contains("'base-url' = 'jdbc:mysql://m:3306', 'default-database' = 'crm', "),
            "{definition}"
        );
        assert!(!definition.contains("'shop'"));
    }

    #[test]
    fn a_missing_required_option_is_55000_with_the_alter_to_run() {
        let my = datasource(
            "mysql",
            &[("host", "m"), ("username", "u"), ("password", "p")],
        );
        let err = sql(&my, &[]).unwrap_err();
        assert_eq!(err.sqlstate, SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE);
        assert!(err.message.contains("has no database"), "{}", err.message);
        assert_eq!(
            err.hint.as_deref(),
            Some("ALTER DATASOURCE src SET (database = '...')")
        );
    }

    #[test]
    fn types_without_a_catalog_and_required_files_are_0a000() {
        let kafka = datasource("kafka", &[("bootstrap_servers", "k:9092")]);
        let err = sql(&kafka, &[]).unwrap_err();
        assert_eq!(err.sqlstate, SqlState::FEATURE_NOT_SUPPORTED);
        assert!(err.message.contains("type kafka"), "{}", err.message);
        let hint = err.hint.unwrap();
        for able in ["hive", "mysql", "paimon", "postgresql"] {
            assert!(hint.contains(able), "{hint}");
        }
        let mut hive = datasource(
            "hive",
            &[
                ("metastore_uris", "thrift://hms:9083"),
                ("hive_conf_dir", "/etc/hive/conf"),
            ],
        );
        hive.files.insert(
            "keytab".into(),
            AttachedFile {
                path: "/k".into(),
                size: 1,
                sha256: String::new(),
                content: OptionEntry::Secret(SecretString::from("a2V5".to_string())),
            },
        );
        let err = sql(&hive, &[]).unwrap_err();
        assert_eq!(err.sqlstate, SqlState::FEATURE_NOT_SUPPORTED);
        assert!(
            err.message.contains("has keytab attached"),
            "{}",
            err.message
        );
        hive.files.clear();
        let definition = sql(&hive, &[]).unwrap().definition;
        assert_eq!(
            definition.expose_secret(),
            "CREATE CATALOG `lake` WITH ('type' = 'hive', 'default-database' = 'default', \
             'hive-conf-dir' = '/etc/hive/conf')"
        );
    }

    #[test]
    fn with_cannot_change_the_type_and_secret_extra_keys_are_masked() {
        let lake = datasource("paimon", &[("warehouse", "s3://w")]);
        let err = sql(&lake, &[("TYPE", "hive")]).unwrap_err();
        assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
        let made = sql(&lake, &[("fs.oss.accessKeySecret", "oss-pw")]).unwrap();
        assert!(!made.shown.contains("oss-pw"), "{}", made.shown);
        assert!(made.secret_values().contains(&"oss-pw"));
    }

    #[test]
    fn a_flink_catalog_block_is_checked_when_the_registry_loads() {
        let base = r#"
name = "tiny"
title = "Tiny"
description = "A test type."
category = "database"
connectivity = "tcp"
address = ["host"]

[[options]]
name = "host"
type = "string"
required = true
group = "basic"
description = "Where."

[[files]]
name = "ca"
description = "A certificate."
"#;
        let parse =
            |block: &str| DatasourceType::parse("tiny.toml", "tiny", &format!("{base}\n{block}"));
        assert!(parse("[flink_catalog]\ntype = \"jdbc\"\noptions = { \"url\" = \"x://{host}\" }\nfiles = [\"ca\"]").is_ok());
        for (block, says) in [
            (
                "options = { \"url\" = \"x://{hots}\" }",
                "names unknown option \"hots\"",
            ),
            (
                "options = { \"t\" = \"{table}\" }",
                "names unknown option \"table\"",
            ),
            ("options = { \"TYPE\" = \"x\" }", "repeat \"type\""),
            ("requires = [\"port\"]", "requires unknown option \"port\""),
            ("files = [\"keytab\"]", "unknown file \"keytab\""),
        ] {
            let err = parse(&format!("[flink_catalog]\ntype = \"jdbc\"\n{block}")).unwrap_err();
            assert!(err.to_string().contains(says), "{block}: {err}");
        }
    }

    #[test]
    fn templates_render_or_leave_the_key_out() {
        let value = |name: &str| match name {
            "host" => Some("h"),
            "port" => Some("1"),
            _ => None,
        };
        assert_eq!(
            render_template("jdbc:x://{host}:{port}/", value).as_deref(),
            Some("jdbc:x://h:1/")
        );
        assert_eq!(render_template("{host}/{database}", value), None);
        assert_eq!(render_template("plain", value).as_deref(), Some("plain"));
        assert_eq!(render_template("open {brace", value), None);
    }
}

//! The catalog queries clients send before they show anything: the real
//! psql's backslash commands against pg_catalog emulation.

use crate::support::{Gateway, services};

/// Runs `command` in psql against `gateway`; its stdout, failing on an error.
fn psql(gateway: &Gateway, command: &str) -> String {
    let output = gateway.psql(&["-c", command]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "psql {command}: {stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn psql_lists_and_describes_scaleph_tables() {
    if !services::psql() {
        return;
    }
    let gateway = Gateway::start();
    let tables = psql(&gateway, "\\dt");
    for table in [
        "datasources",
        "datasource_types",
        "datasource_options",
        "catalogs",
        "connectors",
    ] {
        assert!(
            tables.contains(&format!("scaleph | {table}")),
            "{table} missing from \\dt:\n{tables}"
        );
    }
    let pattern = psql(&gateway, "\\dt scaleph.data*");
    assert!(pattern.contains("(3 rows)"), "{pattern}");
    let schemas = psql(&gateway, "\\dn");
    assert!(schemas.contains("scaleph"), "{schemas}");
    let databases = psql(&gateway, "\\l");
    assert!(databases.contains("scaleph"), "{databases}");
    let described = psql(&gateway, "\\d scaleph.datasources");
    assert!(
        described.contains("Table \"scaleph.datasources\""),
        "{described}"
    );
    for column in ["name", "type", "options", "comment", "created_at"] {
        assert!(described.contains(column), "{column}: {described}");
    }
    assert!(
        described.contains("timestamp with time zone"),
        "{described}"
    );
    let info = psql(&gateway, "\\conninfo");
    assert!(info.contains("database \"scaleph\""), "{info}");
    // A catalog query scaleph cannot answer is an error, never a hang.
    let output = gateway.psql(&["-c", "\\df"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("ERROR"));
}

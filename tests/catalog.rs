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
        "clusters",
        "catalogs",
        "connectors",
        "flink_objects",
    ] {
        assert!(
            tables.contains(&format!("scaleph | {table}")),
            "{table} missing from \\dt:\n{tables}"
        );
    }
    let pattern = psql(&gateway, "\\dt scaleph.data*");
    assert!(pattern.contains("(3 rows)"), "{pattern}");
    // Without a Flink gateway, scaleph's schema is the only one besides
    // PostgreSQL's catalogs, and the one unqualified names resolve in.
    let schemas = psql(
        &gateway,
        "SELECT string_agg(nspname, ',' ORDER BY nspname), current_schema(), \
         array_to_string(current_schemas(true), ',') FROM pg_catalog.pg_namespace",
    );
    let row: Vec<&str> = schemas
        .lines()
        .nth(2)
        .unwrap_or_default()
        .split('|')
        .map(str::trim)
        .collect();
    assert_eq!(
        row,
        [
            "information_schema,pg_catalog,scaleph",
            "scaleph",
            "pg_catalog,scaleph"
        ],
        "{schemas}"
    );
    let schemas = psql(&gateway, "\\dn");
    assert!(
        schemas.contains("scaleph") && !schemas.contains("public"),
        "{schemas}"
    );
    let schemata = psql(
        &gateway,
        "SELECT string_agg(schema_name, ',' ORDER BY schema_name) FROM information_schema.schemata",
    );
    assert!(
        schemata.contains(" information_schema,pg_catalog,scaleph\n"),
        "{schemata}"
    );
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
    let output = gateway.psql(&["-c", "\\dL"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("ERROR"));
}

#[test]
fn psql_describes_in_detail_and_lists_every_kind() {
    if !services::psql() {
        return;
    }
    let gateway = Gateway::start();
    let described = psql(&gateway, "\\d+ scaleph.datasources");
    for text in [
        "Table \"scaleph.datasources\"",
        "Storage",
        "created_at",
        "extended",
    ] {
        assert!(described.contains(text), "{text}: {described}");
    }
    let tables = psql(&gateway, "\\dt+");
    assert!(tables.contains("Size"), "{tables}");
    assert!(tables.contains("scaleph | datasources"), "{tables}");
    let schemas = psql(&gateway, "\\dn+");
    assert!(schemas.contains("Access privileges"), "{schemas}");
    assert!(schemas.contains("scaleph"), "{schemas}");
    // No views, user functions or roles to show, but lists, not errors
    // (psql says it found no views on stderr).
    psql(&gateway, "\\dv");
    assert!(psql(&gateway, "\\df").contains("List of functions"));
    assert!(psql(&gateway, "\\du").contains("List of roles"));
    // What psql 15 asks to complete `SELECT * FROM scal<TAB>`, then
    // `scaleph.data<TAB>`.
    let completions = psql(
        &gateway,
        "SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c \
         WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE 'scal%' \
         AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> \
         (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog') \
         UNION ALL SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n \
         WHERE n.nspname LIKE 'scal%' AND n.nspname NOT LIKE E'pg\\\\_%' LIMIT 1000",
    );
    assert!(completions.contains("| scaleph"), "{completions}");
    let completions = psql(
        &gateway,
        "SELECT c.relname, n.nspname FROM pg_catalog.pg_class c, pg_catalog.pg_namespace n \
         WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') \
         AND (c.relname) LIKE 'data%' AND n.nspname = 'scaleph' LIMIT 1000",
    );
    for table in ["datasources", "datasource_types", "datasource_options"] {
        assert!(completions.contains(table), "{table}: {completions}");
    }
}

/// Whether python3 can import `modules`.
fn python_has(modules: &str) -> bool {
    services::available(
        &format!("python3 with {modules}"),
        std::process::Command::new("python3")
            .args(["-c", &format!("import {modules}")])
            .output()
            .is_ok_and(|o| o.status.success()),
    )
}

#[test]
fn psycopg_and_sqlalchemy_connect_query_and_list_tables() {
    if !python_has("psycopg, psycopg2, sqlalchemy") {
        return;
    }
    let gateway = Gateway::start();
    let port = gateway.port;
    let script = format!(
        r#"
import psycopg, psycopg2
from sqlalchemy import create_engine, inspect
dsn = "host=127.0.0.1 port={port} user=scaleph dbname=scaleph"
with psycopg.connect(dsn) as c:
    assert c.execute("SELECT %s::int + 1", (41,)).fetchone() == (42,)
    assert c.execute("SELECT %s::text", ("x",), prepare=True).fetchone() == ("x",)
    assert c.execute("SELECT 40 + 2", binary=True).fetchone() == (42,)
    with c.transaction():
        with c.transaction():
            c.execute("SELECT count(*) FROM scaleph.datasources")
    with c.cursor().copy("COPY (SELECT name FROM scaleph.datasource_types WHERE name = 'doris') TO STDOUT CSV HEADER") as copy:
        assert b"".join(bytes(chunk) for chunk in copy) == b"name\ndoris\n"
c2 = psycopg2.connect(dsn)
cur = c2.cursor()
cur.execute("SELECT %s + 1", (41,))
assert cur.fetchone() == (42,)
c2.commit()
c2.close()
inspector = inspect(create_engine("postgresql+psycopg://scaleph@127.0.0.1:{port}/scaleph"))
assert "scaleph" in inspector.get_schema_names()
tables = inspector.get_table_names(schema="scaleph")
assert "datasources" in tables and "catalogs" in tables, tables
columns = inspector.get_columns("datasources", schema="scaleph")
assert [c["name"] for c in columns] == ["name", "type", "options", "comment", "created_at", "updated_at"], columns
assert [c["nullable"] for c in columns] == [False, False, False, True, False, False], columns
assert inspector.get_pk_constraint("datasources", schema="scaleph")["constrained_columns"] == []
assert inspector.get_foreign_keys("datasources", schema="scaleph") == []
assert inspector.get_indexes("datasources", schema="scaleph") == []
assert inspector.get_unique_constraints("datasources", schema="scaleph") == []
print("ok")
"#
    );
    let output = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("run python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ok");
}

/// The pgjdbc jar of Debian's libpostgresql-jdbc-java.
const PGJDBC: &str = "/usr/share/java/postgresql.jar";

/// A Java program using pgjdbc against the gateway on the port given as
/// its argument: metadata, a prepared statement, autocommit off.
const JDBC_PROBE: &str = r#"
import java.sql.*;
public class JdbcProbe {
  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/scaleph";
    try (Connection c = DriverManager.getConnection(url, "scaleph", "")) {
      DatabaseMetaData m = c.getMetaData();
      System.out.println("product " + m.getDatabaseProductName());
      System.out.println("catalogs " + count(m.getCatalogs()));
      System.out.println("schemas " + count(m.getSchemas()));
      System.out.println("tables " + count(m.getTables(null, "scaleph", "%", null)));
      System.out.println("columns " + count(m.getColumns(null, "scaleph", "datasources", "%")));
      System.out.println("primary keys " + count(m.getPrimaryKeys(null, "scaleph", "datasources")));
      System.out.println("indexes " + count(m.getIndexInfo(null, "scaleph", "datasources", false, true)));
      int types = 0;
      boolean text = false;
      ResultSet typeInfo = m.getTypeInfo();
      while (typeInfo.next()) {
        types++;
        text |= typeInfo.getString("TYPE_NAME").equals("text");
      }
      System.out.println("type info " + (types > 50 && text));
      try (PreparedStatement p = c.prepareStatement("SELECT ?::int + 1")) {
        p.setInt(1, 41);
        ResultSet rs = p.executeQuery();
        rs.next();
        System.out.println("prepared " + rs.getInt(1));
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT count(*) FROM scaleph.datasources");
      }
      c.commit();
      c.rollback();
      System.out.println("transactions ok");
    }
  }
  static int count(ResultSet rs) throws SQLException {
    int n = 0;
    while (rs.next()) n++;
    return n;
  }
}
"#;

#[test]
fn pgjdbc_reads_metadata_and_runs_prepared_statements() {
    let javac = std::process::Command::new("javac")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !services::available(
        "javac and pgjdbc",
        javac && std::path::Path::new(PGJDBC).exists(),
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("JdbcProbe.java"), JDBC_PROBE).unwrap();
    let compiled = std::process::Command::new("javac")
        .arg("JdbcProbe.java")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        compiled.status.success(),
        "{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let gateway = Gateway::start();
    let output = std::process::Command::new("java")
        .args(["-cp", &format!(".:{PGJDBC}"), "JdbcProbe"])
        .arg(gateway.port.to_string())
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for line in [
        "product PostgreSQL",
        "catalogs 1",
        // scaleph's system tables: datasources, clusters, datasource_types,
        // datasource_options, catalogs, connectors, flink_objects, jobs,
        // savepoints, job_events, syncs.
        "tables 11",
        "columns 6",
        "primary keys 0",
        "indexes 0",
        "type info true",
        "prepared 42",
        "transactions ok",
    ] {
        assert!(stdout.contains(line), "{line}: {stdout}");
    }
}

#[test]
fn psql_copies_query_results_to_stdout_and_to_client_files() {
    if !services::psql() {
        return;
    }
    let gateway = Gateway::start();
    let text = psql(
        &gateway,
        "\\copy (SELECT name, category FROM scaleph.datasource_types WHERE name IN ('mysql', 'kafka') ORDER BY name) TO STDOUT",
    );
    assert_eq!(text, "kafka\tmessagequeue\nmysql\tdatabase\n");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("types.csv");
    let output = psql(
        &gateway,
        &format!(
            "\\copy scaleph.datasource_types (name, title) TO '{}' WITH (FORMAT csv, HEADER)",
            file.display()
        ),
    );
    let written = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "name,title");
    assert!(lines.contains(&"mysql,MySQL"), "{written}");
    assert!(
        output.contains(&format!("COPY {}", lines.len() - 1)),
        "{output}"
    );
    // What COPY cannot do is refused with a clear error, and the
    // connection goes on.
    for (command, message) in [
        ("COPY (SELECT 1) TO '/tmp/scaleph-copy'", "use TO STDOUT"),
        (
            "COPY scaleph.datasources FROM STDIN",
            "COPY FROM is not supported",
        ),
        ("COPY (SELECT 1) TO STDOUT (FORMAT binary)", "binary format"),
    ] {
        let output = gateway.psql(&["-v", "ON_ERROR_STOP=0", "-c", command, "-c", "SELECT 42"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{command}: {stderr}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("42"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn copy_out_works_in_the_extended_protocol() {
    use futures::TryStreamExt;
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let stream = client
        .copy_out(
            "COPY (SELECT name FROM scaleph.datasource_types WHERE name = 'doris') TO STDOUT CSV HEADER",
        )
        .await
        .unwrap();
    let chunks: Vec<bytes::Bytes> = stream.try_collect().await.unwrap();
    let text: String = chunks
        .iter()
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect();
    assert_eq!(text, "name\ndoris\n");
    let one: i64 = client
        .query_one("SELECT 1::BIGINT", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(one, 1);
}

//! The pgwire frontend, driven by tokio-postgres and the real psql against
//! the real binary.

use std::time::Duration;

use tokio_postgres::SimpleQueryMessage;

use crate::support::{Gateway, services};

fn rows(messages: &[SimpleQueryMessage]) -> Vec<Vec<Option<String>>> {
    crate::support::text_rows(messages)
}

fn tags(messages: &[SimpleQueryMessage]) -> Vec<u64> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::CommandComplete(n) => Some(*n),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn simple_query_with_several_statements_returns_each_result() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let messages = client
        .simple_query("SELECT 40 + 2, upper('ab'); SET application_name = 'itest'; SHOW application_name; SELECT current_schema()")
        .await
        .unwrap();
    assert_eq!(
        rows(&messages),
        vec![
            vec![Some("42".into()), Some("AB".into())],
            vec![Some("itest".into())],
            vec![Some("scaleph".into())],
        ]
    );
    assert_eq!(tags(&messages).len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn version_says_scaleph_and_the_emulated_postgresql() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let row = client
        .query_one("SELECT version(), current_database(), current_user", &[])
        .await
        .unwrap();
    let version: String = row.get(0);
    assert!(version.starts_with("PostgreSQL 15"), "{version}");
    assert!(version.contains("scaleph"), "{version}");
    assert_eq!(row.get::<_, String>(1), "scaleph");
    assert_eq!(row.get::<_, String>(2), "scaleph");
}

#[tokio::test(flavor = "multi_thread")]
async fn error_then_success_keeps_the_connection_usable() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let err = client
        .simple_query("SELECT 1;\nSELECT nosuchcolumn FROM scaleph.datasources")
        .await
        .unwrap_err();
    let db = err.as_db_error().expect("a database error");
    assert_eq!(db.code().code(), "42703", "{db:?}");
    let err = client
        .simple_query("CREATE DATASOUCE x TYPE mysql")
        .await
        .unwrap_err();
    let db = err.as_db_error().expect("a database error");
    assert_eq!(db.code().code(), "42601", "{db:?}");
    assert!(
        db.position().is_some(),
        "syntax errors carry a position: {db:?}"
    );
    let messages = client.simple_query("SELECT 7").await.unwrap();
    assert_eq!(rows(&messages), vec![vec![Some("7".into())]]);
}

#[tokio::test(flavor = "multi_thread")]
async fn extended_protocol_binds_parameters_and_returns_binary_results() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let statement = client
        .prepare("SELECT $1::BIGINT + 1 AS n, upper($2::VARCHAR) AS s")
        .await
        .unwrap();
    assert_eq!(statement.columns()[0].name(), "n");
    for i in 0..3i64 {
        let n = 41 + i;
        let row = client.query_one(&statement, &[&n, &"ab"]).await.unwrap();
        assert_eq!(row.get::<_, i64>(0), 42 + i);
        assert_eq!(row.get::<_, String>(1), "AB");
    }
    let row = client
        .query_one("SELECT 1.5::DOUBLE, true, 'x'", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, f64>(0), 1.5);
    assert!(row.get::<_, bool>(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_request_stops_a_long_statement_and_keeps_the_connection() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let token = client.cancel_token();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        token.cancel_query(tokio_postgres::NoTls).await
    });
    let started = std::time::Instant::now();
    let err = client
        .simple_query("SELECT count(*) FROM generate_series(1, 50000000000)")
        .await
        .unwrap_err();
    canceller.await.unwrap().unwrap();
    assert_eq!(err.as_db_error().expect("db error").code().code(), "57014");
    assert!(started.elapsed() < Duration::from_secs(60));
    let messages = client.simple_query("SELECT 1").await.unwrap();
    assert_eq!(rows(&messages), vec![vec![Some("1".into())]]);
}

#[tokio::test(flavor = "multi_thread")]
async fn transactions_are_accepted_as_no_ops() {
    let gateway = Gateway::start();
    let mut client = gateway.client().await;
    let tx = client.transaction().await.unwrap();
    let row = tx.query_one("SELECT 3", &[]).await.unwrap();
    assert_eq!(row.get::<_, i64>(0), 3);
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn flink_sql_without_a_gateway_says_how_to_configure_one() {
    let gateway = Gateway::start();
    let client = gateway.client().await;
    let err = client
        .simple_query("SELECT * FROM orders")
        .await
        .unwrap_err();
    let db = err.as_db_error().expect("db error");
    assert_eq!(db.code().code(), "08001");
    assert!(
        db.hint().unwrap_or_default().contains("--flink-gateway"),
        "{db:?}"
    );
}

#[test]
fn psql_runs_statements_and_shows_error_positions() {
    if !services::psql() {
        return;
    }
    let gateway = Gateway::start();
    let out = gateway.psql(&[
        "-c",
        "SELECT 40 + 2 AS answer, upper('ab') AS up",
        "-c",
        "SHOW server_version",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("answer | up"), "{stdout}");
    assert!(stdout.contains("42 | AB"), "{stdout}");
    assert!(stdout.contains("15.0"), "{stdout}");
    let out = gateway.psql(&[
        "-c",
        "SELECT 'first' AS a; SHOW DateStyle; SELECT 'third' AS c",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for expected in ["first", "ISO, MDY", "third"] {
        assert!(
            stdout.contains(expected),
            "{expected} missing from {stdout}"
        );
    }
    let out = gateway.psql(&["-c", "SELECT 1 FROM scaleph.nosuchtable"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("relation \"scaleph.nosuchtable\" does not exist"),
        "{stderr}"
    );
    let out = gateway.psql(&["-c", "CREATE DATASOURCE x TYP mysql"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("ERROR:  expected TYPE"), "{stderr}");
    assert!(
        stderr.contains("LINE 1:") && stderr.contains('^'),
        "psql shows the position: {stderr}"
    );
}

#[test]
fn sigterm_shuts_down_gracefully() {
    let mut gateway = Gateway::start();
    let status = gateway
        .terminate(Duration::from_secs(10))
        .expect("exits after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(
        gateway.log().contains("scaleph stopped"),
        "{}",
        gateway.log()
    );
}

/// A frontend message: its type byte, then its length and body.
fn frame(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut message = vec![kind];
    message.extend((body.len() as i32 + 4).to_be_bytes());
    message.extend(body);
    message
}

/// Reads backend messages until one of type `last`; their type bytes.
async fn read_through(socket: &mut tokio::net::TcpStream, last: u8) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut kinds = Vec::new();
    loop {
        let kind = socket.read_u8().await.unwrap();
        let length = socket.read_i32().await.unwrap() as usize;
        let mut body = vec![0; length - 4];
        socket.read_exact(&mut body).await.unwrap();
        kinds.push(kind);
        if kind == last {
            return kinds;
        }
    }
}

/// As PostgreSQL, scaleph answers an extended-protocol batch when the
/// client waits for it: ParseComplete, BindComplete and the Describe
/// answer are not sent before Execute, Flush or Sync.
#[tokio::test(flavor = "multi_thread")]
async fn extended_batch_answers_wait_for_flush_or_sync() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let gateway = Gateway::start();
    let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", gateway.port))
        .await
        .unwrap();
    let mut startup = 196_608i32.to_be_bytes().to_vec(); // protocol 3.0
    for part in ["user", "scaleph", "database", "scaleph", ""] {
        startup.extend(part.as_bytes());
        startup.push(0);
    }
    let mut message = (startup.len() as i32 + 4).to_be_bytes().to_vec();
    message.extend(startup);
    socket.write_all(&message).await.unwrap();
    read_through(&mut socket, b'Z').await;

    let mut batch = frame(b'P', b"\0SELECT 1 AS n\0\0\0");
    batch.extend(frame(b'B', b"\0\0\0\0\0\0\0\0"));
    batch.extend(frame(b'D', b"P\0"));
    socket.write_all(&batch).await.unwrap();
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(300), socket.read(&mut byte)).await;
    assert!(early.is_err(), "answered before Flush or Sync: {early:?}");

    socket.write_all(&frame(b'H', b"")).await.unwrap();
    assert_eq!(read_through(&mut socket, b'T').await, b"12T");
    let mut rest = frame(b'E', b"\0\0\0\0\0");
    rest.extend(frame(b'S', b""));
    socket.write_all(&rest).await.unwrap();
    assert_eq!(read_through(&mut socket, b'Z').await, b"DCZ");
}

//! The catalog queries DBeaver and Metabase send when they connect and when
//! they browse schemas, tables and columns, replayed against the real binary.
//!
//! The queries live in `tests/corpus/clients/dbeaver.sql` and
//! `tests/corpus/clients/metabase.sql`. They were collected from the tools'
//! public source code (DBeaver's `org.jkiss.dbeaver.ext.postgresql` plugin;
//! Metabase's `src/metabase/driver/postgres.clj` and its sql-jdbc sync code)
//! and checked against statement logs in public issue trackers; each query
//! names the file, function and commit it came from, with its JDBC parameters
//! written as literals so it can go over the simple query protocol. The oids
//! DBeaver binds are not known in advance (scaleph hands them out as its
//! catalog is read): `{schema_oid}` and `{table_oid}` in a corpus are
//! replaced by the numbers the session reports, as DBeaver reads them.
//!
//! Every query must either answer or fail with an ErrorResponse carrying a
//! SQLSTATE, within 10 s, and leave the connection answering `SELECT 1`: a
//! hang or a dropped connection is a failure whatever the query. Queries
//! marked `-- expect: rows` must answer. The marks record what scaleph
//! answers today, as a ratchet: a query marked `error` that now answers fails
//! the test too, until its mark is flipped to `rows`. All failures are
//! reported together.

use std::time::Duration;

use tokio_postgres::{Client, SimpleQueryMessage};

use crate::support::Gateway;

/// Each client's corpus, named for the reports.
const CORPORA: [(&str, &str); 2] = [
    ("dbeaver", include_str!("corpus/clients/dbeaver.sql")),
    ("metabase", include_str!("corpus/clients/metabase.sql")),
];

/// How long a query may take before it counts as a hang.
const LIMIT: Duration = Duration::from_secs(10);

/// The placeholders a corpus may use for oids, each with the query that
/// reads its value (the first column of the first row).
const OIDS: [(&str, &str); 2] = [
    (
        "{schema_oid}",
        "SELECT s.oid as schema_id from pg_catalog.pg_namespace s WHERE s.nspname ='scaleph'",
    ),
    (
        "{table_oid}",
        "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n \
         ON n.oid = c.relnamespace WHERE n.nspname = 'scaleph' AND c.relname = 'datasources'",
    ),
];

/// What a corpus entry says scaleph does with its query.
#[derive(Clone, Copy)]
enum Expect {
    /// It answers (rows, or a command tag).
    Rows,
    /// It fails with an ErrorResponse (not yet supported).
    Error,
}

/// One query of a corpus, with its comment block.
struct Entry {
    /// `client.sql:line` of the query's first line.
    at: String,
    /// The `-- when:` value.
    when: String,
    expect: Expect,
    /// The query, without its final `;`.
    sql: String,
}

/// The header fields read so far for the next query.
#[derive(Default)]
struct Header {
    source: bool,
    when: Option<String>,
    expect: Option<Expect>,
}

/// Reads a corpus: lines outside a `-- source:` / `-- when:` / `-- expect:`
/// block are commentary; after `-- expect:` every line up to one ending in `;`
/// is the query.
fn parse(client: &str, text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut header = Header::default();
    let mut query: Option<(usize, Vec<&str>)> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if let Some((start, lines)) = &mut query {
            lines.push(line);
            if let Some(last) = line.trim_end().strip_suffix(';') {
                *lines.last_mut().expect("the line just pushed") = last;
                let header = std::mem::take(&mut header);
                entries.push(Entry {
                    at: format!("{client}.sql:{start}"),
                    when: header.when.expect("checked at -- expect"),
                    expect: header.expect.expect("set at -- expect"),
                    sql: lines.join("\n"),
                });
                query = None;
            }
        } else if line.starts_with("-- source:") {
            header.source = true;
        } else if let Some(when) = line.strip_prefix("-- when:") {
            header.when = Some(when.trim().to_string());
        } else if let Some(expect) = line.strip_prefix("-- expect:") {
            header.expect = Some(match expect.trim() {
                "rows" => Expect::Rows,
                "error" => Expect::Error,
                other => panic!("{client}.sql:{number}: expect must be rows or error, not {other}"),
            });
            assert!(
                header.source && header.when.is_some(),
                "{client}.sql:{number}: -- expect needs a -- source and a -- when before it"
            );
            query = Some((number + 1, Vec::new()));
        }
    }
    assert!(query.is_none(), "{client}.sql: last query has no final ;");
    entries
}

/// What a query did.
enum Outcome {
    /// It answered with this many rows.
    Rows(usize),
    /// It failed with an ErrorResponse: SQLSTATE and message.
    Error(String, String),
    /// The client failed without an ErrorResponse (e.g. a closed connection).
    Broken(String),
    /// No answer within [`LIMIT`].
    Hang,
}

/// Sends `sql` with the simple query protocol under [`LIMIT`].
async fn run(client: &Client, sql: &str) -> Outcome {
    match tokio::time::timeout(LIMIT, client.simple_query(sql)).await {
        Err(_) => Outcome::Hang,
        Ok(Ok(messages)) => Outcome::Rows(
            messages
                .iter()
                .filter(|m| matches!(m, SimpleQueryMessage::Row(_)))
                .count(),
        ),
        // An ErrorResponse always carries a SQLSTATE (err.code() is Some).
        Ok(Err(err)) => match err.as_db_error() {
            Some(db) => Outcome::Error(db.code().code().into(), db.message().into()),
            None => Outcome::Broken(err.to_string()),
        },
    }
}

/// `text` with each oid placeholder it uses replaced by the value `client`
/// reports for it.
async fn with_oids(client: &Client, text: &str) -> String {
    let mut text = text.to_string();
    for (placeholder, lookup) in OIDS {
        if !text.contains(placeholder) {
            continue;
        }
        let messages = tokio::time::timeout(LIMIT, client.simple_query(lookup))
            .await
            .unwrap_or_else(|_| panic!("no answer within {LIMIT:?}: {lookup}"))
            .unwrap_or_else(|err| panic!("{lookup}: {err}"));
        let oid = messages
            .iter()
            .find_map(|m| match m {
                SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no row for {placeholder}: {lookup}"));
        text = text.replace(placeholder, &oid);
    }
    text
}

/// Whether the connection still answers `SELECT 1`.
async fn alive(client: &Client) -> bool {
    matches!(run(client, "SELECT 1").await, Outcome::Rows(1))
}

/// The start of the query, on one line, to name it in a report.
fn head(sql: &str) -> String {
    let words: Vec<&str> = sql
        .lines()
        .filter(|line| !line.starts_with("--"))
        .flat_map(str::split_whitespace)
        .collect();
    let line = words.join(" ");
    match line.char_indices().nth(90) {
        Some((end, _)) => format!("{}...", &line[..end]),
        None => line,
    }
}

/// The last `lines` lines of `log`.
fn log_tail(log: &str, lines: usize) -> String {
    let all: Vec<&str> = log.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn dbeaver_and_metabase_catalog_queries_answer_or_fail_cleanly() {
    let gateway = Gateway::start();
    let mut failures = Vec::new();
    let (mut answered, mut total) = (0, 0);
    // Whether a query hung or broke the connection (then the log helps).
    let mut trouble = false;
    for (name, text) in CORPORA {
        // One session per client, as the tool would hold.
        let mut client = gateway.client().await;
        let text = with_oids(&client, text).await;
        for entry in parse(name, &text) {
            total += 1;
            let outcome = run(&client, &entry.sql).await;
            let label = format!("{} ({}): {}", entry.at, entry.when, head(&entry.sql));
            let problem = match (&outcome, entry.expect) {
                (Outcome::Rows(n), Expect::Rows) => {
                    println!("ok     {label} -> {n} rows");
                    answered += 1;
                    None
                }
                (Outcome::Rows(n), Expect::Error) => {
                    answered += 1;
                    Some(format!("answers now ({n} rows): mark it `-- expect: rows`"))
                }
                (Outcome::Error(code, message), Expect::Error) => {
                    println!("error  {label} -> {code} {message}");
                    None
                }
                (Outcome::Error(code, message), Expect::Rows) => {
                    Some(format!("expected rows, got {code} {message}"))
                }
                (Outcome::Broken(err), _) => {
                    trouble = true;
                    Some(format!("no ErrorResponse: {err}"))
                }
                (Outcome::Hang, _) => {
                    trouble = true;
                    Some(format!("no answer within {LIMIT:?}"))
                }
            };
            if let Some(problem) = problem {
                println!("FAIL   {label} -> {problem}");
                failures.push(format!("{label}\n    {problem}"));
            }
            if !alive(&client).await {
                trouble = true;
                failures.push(format!(
                    "{label}\n    the connection no longer answers SELECT 1"
                ));
                client = gateway.client().await;
            }
        }
    }
    println!("{answered} of {total} client queries answered");
    let log = if trouble {
        format!(
            "\n\nend of the gateway log:\n{}",
            log_tail(&gateway.log(), 60)
        )
    } else {
        String::new()
    };
    assert!(
        failures.is_empty(),
        "{} of {total} client queries failed:\n{}{log}",
        failures.len(),
        failures.join("\n"),
    );
}

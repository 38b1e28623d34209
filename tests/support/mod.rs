//! Helpers shared by the integration tests: the real `scaleph` binary on a
//! free port, and the real services and clients of this machine.

#![allow(dead_code)]

pub mod flink_cluster;
pub mod flink_gateway;
pub mod flink_planner;
pub mod gateway;
pub mod kube;
pub mod seatunnel;
pub mod services;
pub mod tls;

pub use gateway::Gateway;

/// The rows of a simple-query reply, as text (`None` is NULL).
pub fn text_rows(messages: &[tokio_postgres::SimpleQueryMessage]) -> Vec<Vec<Option<String>>> {
    messages
        .iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_string))
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

/// The text rows of simple query `sql`; panics naming it when it fails.
pub async fn query_rows(client: &tokio_postgres::Client, sql: &str) -> Vec<Vec<Option<String>>> {
    let messages = client
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    text_rows(&messages)
}

/// Waits until `done` holds (another process's state changes a moment
/// after the client's answer), failing after 5 s.
pub async fn eventually(what: &str, done: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "never: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

//! The session's transaction state as pgwire carries it: the status in
//! ReadyForQuery (`I`, `T`, `E`), which pgwire keeps per connection and
//! reports after every query. The session decides the state; this module
//! copies it to the connection after each statement, and tells the
//! session of the errors pgwire reports itself (a Parse, a Bind or a row
//! stream that failed), which fail a transaction block like any other.

use pgwire::api::{ClientInfo, ErrorHandler};
use pgwire::error::PgWireError;
use pgwire::messages::response::TransactionStatus;

use super::handler::{ScalephHandler, SharedSession};
use crate::session::{Session, TransactionState};

/// Copies `session`'s transaction state to `client`'s connection; the
/// status to report.
pub fn mirror<C: ClientInfo>(client: &mut C, session: &Session) -> TransactionStatus {
    let status = match session.transaction_status() {
        TransactionState::Idle => TransactionStatus::Idle,
        TransactionState::InBlock => TransactionStatus::Transaction,
        TransactionState::Failed => TransactionStatus::Error,
    };
    client.set_transaction_status(status);
    status
}

impl ErrorHandler for ScalephHandler {
    /// Fails the session's transaction block: pgwire then reports the
    /// connection's status as failed too (`to_error_state`), so the two
    /// agree.
    fn on_error<C: ClientInfo>(&self, client: &C, _error: &mut PgWireError) {
        let Some(shared) = client.session_extensions().get::<SharedSession>() else {
            return;
        };
        // pgwire calls this after the handler that failed returned, so
        // nothing holds the session.
        match shared.try_lock() {
            Ok(mut session) => session.fail_transaction(),
            Err(_) => tracing::warn!("session busy: an error left its transaction state as it was"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::net::TcpListener;
    use tokio_postgres::{Client, NoTls};

    use crate::context::Context;

    /// A client of a server running in this process over a fresh data
    /// directory (kept alive by the returned guard).
    async fn connect() -> (Client, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let context = Arc::new(Context::for_tests(dir.path()).await);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(super::super::serve(
            listener,
            context,
            std::future::pending(),
        ));
        let (client, connection) = tokio_postgres::connect(
            &format!("host=127.0.0.1 port={port} user=scaleph dbname=scaleph"),
            NoTls,
        )
        .await
        .unwrap();
        tokio::spawn(connection);
        (client, dir)
    }

    fn code(err: tokio_postgres::Error) -> String {
        err.as_db_error()
            .expect("db error")
            .code()
            .code()
            .to_string()
    }

    #[tokio::test]
    async fn failed_block_refuses_both_protocols_until_rolled_back() {
        let (client, _dir) = connect().await;
        client.simple_query("BEGIN").await.unwrap();
        // Over the extended protocol, as drivers send it: the block stays open.
        client.execute("SAVEPOINT s", &[]).await.unwrap();
        let err = client
            .simple_query("SELECT 1 FROM scaleph.nosuchtable")
            .await
            .unwrap_err();
        assert_eq!(code(err), "42P01");
        assert_eq!(
            code(client.query("SELECT 1", &[]).await.unwrap_err()),
            "25P02"
        );
        assert_eq!(
            code(client.simple_query("SELECT 1").await.unwrap_err()),
            "25P02"
        );
        client
            .simple_query("ROLLBACK TO SAVEPOINT s")
            .await
            .unwrap();
        client.query("SELECT 1", &[]).await.unwrap();
        client.execute("COMMIT", &[]).await.unwrap();
        assert!(
            client
                .simple_query("SELECT 1 FROM scaleph.nosuchtable")
                .await
                .is_err()
        );
        client.query("SELECT 1", &[]).await.unwrap();
    }

    #[tokio::test]
    async fn statement_that_does_not_parse_fails_the_block() {
        let (client, _dir) = connect().await;
        client.simple_query("BEGIN").await.unwrap();
        assert_eq!(code(client.prepare("SELEC 1").await.unwrap_err()), "42601");
        assert_eq!(
            code(client.simple_query("SELECT 1").await.unwrap_err()),
            "25P02"
        );
        client.simple_query("ROLLBACK").await.unwrap();
        // A script that does not parse runs none of its statements.
        assert!(client.simple_query("BEGIN; SELEC 1").await.is_err());
        client.query("SELECT 1", &[]).await.unwrap();
        client.simple_query("BEGIN").await.unwrap();
        assert_eq!(
            code(client.simple_query("SELEC 1").await.unwrap_err()),
            "42601"
        );
        assert_eq!(
            code(client.query("SELECT 1", &[]).await.unwrap_err()),
            "25P02"
        );
        client.simple_query("COMMIT").await.unwrap();
        client.simple_query("SELECT 1").await.unwrap();
    }
}

//! The pgwire frontend: PostgreSQL clients (psql, JDBC, psycopg, BI tools)
//! talk to scaleph as to a PostgreSQL server.
//!
//! - [`handler`]: the per-server handler and its factory, the connection's
//!   session;
//! - [`startup`]: startup, the session's variables, the backend key;
//! - [`cancel`]: CancelRequest, by backend key;
//! - [`simple`]: the simple query protocol;
//! - [`extended`]: the extended query protocol (Parse, Describe, Execute);
//! - [`respond`]: notices, ParameterStatus and tags, for both protocols;
//! - [`transaction`]: the session's transaction state as ReadyForQuery
//!   reports it;
//! - [`encode`]: Arrow results to DataRows, text and binary;
//! - [`copy`]: `COPY ... TO STDOUT`: lines (text and CSV) and copy-out;
//! - [`held`]: an extended-protocol batch answered in one write;
//! - [`params`]: Bind parameters to DataFusion scalars;
//! - [`error`]: our errors as ErrorResponse fields.

pub mod cancel;
pub mod copy;
pub mod encode;
pub mod error;
pub mod extended;
pub mod handler;
pub mod held;
pub mod params;
pub mod respond;
pub mod simple;
pub mod startup;
pub mod transaction;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::context::Context;
use handler::{Handlers, ScalephHandler};

/// How long a shutdown waits for running statements to finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves PostgreSQL clients on `listener` until `shutdown` completes; then
/// stops accepting, lets running statements finish (up to 5 s) and closes
/// every connection.
pub async fn serve(
    listener: TcpListener,
    context: Arc<Context>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let handler = Arc::new(ScalephHandler::new(context));
    let state = handler.state().clone();
    let handlers = Arc::new(Handlers(handler));
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => {
                    let _ = socket.set_nodelay(true);
                    let handlers = handlers.clone();
                    connections.spawn(async move {
                        if let Err(e) = pgwire::tokio::process_socket(socket, None, handlers).await {
                            tracing::debug!(%peer, error = %e, "connection ended with an error");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    tracing::info!(
        connections = connections.len(),
        "shutting down: no new connections"
    );
    let deadline = Instant::now() + DRAIN_TIMEOUT;
    while state.in_flight() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
    Ok(())
}

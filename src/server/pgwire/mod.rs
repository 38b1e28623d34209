//! The pgwire frontend.

use std::sync::Arc;

use tokio::net::TcpListener;

use crate::session::Context;

/// Serves PostgreSQL clients on `listener` until `shutdown` completes, then
/// stops accepting and lets open connections finish their current statement.
pub async fn serve(
    listener: TcpListener,
    context: Arc<Context>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let _ = (listener, context, shutdown);
    todo!("server helper")
}

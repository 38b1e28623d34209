//! The pgwire server's handler and its factory: one [`ScalephHandler`]
//! answers every connection, and each connection owns one [`Session`],
//! kept in pgwire's per-connection extensions; every statement goes
//! through it. What the handler answers lives beside this file: startup
//! in [`super::startup`], cancel requests in [`super::cancel`], the two
//! query protocols in [`super::simple`] and [`super::extended`].

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pgwire::api::auth::StartupHandler;
use pgwire::api::cancel::CancelHandler;
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::{ClientInfo, ErrorHandler, PgWireServerHandlers};
use pgwire::error::{PgWireError, PgWireResult};
use tokio::sync::Mutex as AsyncMutex;

use super::cancel::CancelRegistry;
use super::extended::StatementParser;
use super::held::Batched;
use crate::context::Context;
use crate::session::Session;

/// A connection's session, shared between pgwire's handler calls.
pub(super) type SharedSession = AsyncMutex<Session>;

/// State shared by every connection of one server.
pub struct ServerState {
    /// What every session shares.
    pub(super) context: Arc<Context>,
    /// The sessions' cancel handles, by backend key.
    pub(super) cancels: Arc<CancelRegistry>,
    /// Statements running now, for a graceful shutdown.
    pub(super) in_flight: AtomicUsize,
}

impl ServerState {
    /// How many statements are running now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }
}

/// Counts a running statement while alive.
pub(super) struct Busy<'a>(&'a AtomicUsize);

impl<'a> Busy<'a> {
    /// Counts one more running statement in `counter`, until dropped.
    pub(super) fn new(counter: &'a AtomicUsize) -> Busy<'a> {
        counter.fetch_add(1, Ordering::SeqCst);
        Busy(counter)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Every pgwire handler of scaleph, in one value.
pub struct ScalephHandler {
    /// What the server's connections share.
    pub(super) state: Arc<ServerState>,
    /// The parser of Parse messages, which pgwire asks for by reference.
    pub(super) parser: Arc<StatementParser>,
}

impl ScalephHandler {
    /// Handlers over `context`.
    pub fn new(context: Arc<Context>) -> ScalephHandler {
        ScalephHandler {
            state: Arc::new(ServerState {
                context,
                cancels: Arc::default(),
                in_flight: AtomicUsize::new(0),
            }),
            parser: Arc::new(StatementParser),
        }
    }

    /// The shared server state.
    pub fn state(&self) -> &Arc<ServerState> {
        &self.state
    }
}

/// The factory pgwire asks for handlers.
pub struct Handlers(pub Arc<ScalephHandler>);

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.0.clone()
    }

    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        Arc::new(Batched(self.0.clone()))
    }

    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        self.0.clone()
    }

    fn error_handler(&self) -> Arc<impl ErrorHandler> {
        self.0.clone()
    }

    fn cancel_handler(&self) -> Arc<impl CancelHandler> {
        self.0.clone()
    }
}

/// The session of `client`'s connection (there is none before startup).
pub(super) fn session_of<C: ClientInfo>(client: &C) -> PgWireResult<Arc<SharedSession>> {
    client
        .session_extensions()
        .get::<SharedSession>()
        .ok_or(PgWireError::NotReadyForQuery)
}

//! Connection startup: the protocol version, the session (its variables
//! from the startup parameters, its Flink catalog), the backend key for
//! cancel requests, and the server parameters reported to the client.
//!
//! Every client is trusted: the user name is taken as given, and no
//! password is asked. Authentication arrives with the security issue, as
//! another [`StartupHandler`] step before the session opens.

use std::collections::HashMap;
use std::fmt::Debug;

use async_trait::async_trait;
use bytes::Bytes;
use futures::Sink;
use pgwire::api::ClientInfo;
use pgwire::api::auth::{
    ServerParameterProvider, StartupHandler, finish_authentication, protocol_negotiation,
    save_startup_parameters_to_metadata,
};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::startup::SecretKey;
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage, ProtocolVersion};
use tokio::sync::Mutex as AsyncMutex;

use super::error::error_info;
use super::handler::{ScalephHandler, SharedSession};
use crate::context::SessionInfo;
use crate::error::Error;
use crate::session::Session;

/// The values reported to the client at startup.
struct ReportedParameters(HashMap<String, String>);

impl ServerParameterProvider for ReportedParameters {
    fn server_parameters<C: ClientInfo>(&self, _client: &C) -> Option<HashMap<String, String>> {
        Some(self.0.clone())
    }
}

/// Startup parameters that set session variables.
const STARTUP_VARIABLES: &[&str] = &[
    "application_name",
    "client_encoding",
    "DateStyle",
    "TimeZone",
    "extra_float_digits",
    "IntervalStyle",
    "search_path",
];

/// A fresh secret for the backend key: an i32 in protocol 3.0, 32 bytes
/// from 3.2 on.
fn new_secret_key(version: ProtocolVersion) -> SecretKey {
    match version {
        ProtocolVersion::PROTOCOL3_0 => SecretKey::I32(rand::random::<i32>()),
        _ => {
            let bytes: [u8; 32] = rand::random();
            SecretKey::Bytes(Bytes::copy_from_slice(&bytes))
        }
    }
}

/// `err` as a FATAL error: the connection ends with it.
fn fatal(err: &Error) -> PgWireError {
    let mut info = error_info(err, "");
    info.severity = "FATAL".to_string();
    PgWireError::UserError(Box::new(info))
}

#[async_trait]
impl StartupHandler for ScalephHandler {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let PgWireFrontendMessage::Startup(startup) = message else {
            return Ok(());
        };
        protocol_negotiation(client, &startup).await?;
        save_startup_parameters_to_metadata(client, &startup);
        let user = startup
            .parameters
            .get("user")
            .cloned()
            .unwrap_or_else(|| "scaleph".to_string());
        let database = startup
            .parameters
            .get("database")
            .cloned()
            .unwrap_or_else(|| user.clone());
        let info = SessionInfo::new(user.clone(), database, client.socket_addr().to_string());
        let mut session = Session::new(self.state.context.clone(), info);
        for (key, value) in &startup.parameters {
            if STARTUP_VARIABLES
                .iter()
                .any(|v| v.eq_ignore_ascii_case(key))
            {
                session.vars_mut().set(key, value).map_err(|e| fatal(&e))?;
            }
        }
        for notice in session.connect().await.map_err(|e| fatal(&e))? {
            tracing::warn!(session = session.info().id, "{}", notice.message);
        }
        let pid = session.info().id as i32;
        let secret = new_secret_key(client.protocol_version());
        client.set_pid_and_secret_key(pid, secret.clone());
        let registration = self
            .state
            .cancels
            .register(pid, &secret, session.cancel_handle())?;
        client.session_extensions().insert(registration);
        let mut reported: HashMap<String, String> = session
            .vars()
            .reported()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        reported.insert("session_authorization".to_string(), user);
        tracing::debug!(session = pid, client = %client.socket_addr(), "connection started");
        client
            .session_extensions()
            .insert::<SharedSession>(AsyncMutex::new(session));
        finish_authentication(client, &ReportedParameters(reported)).await
    }
}

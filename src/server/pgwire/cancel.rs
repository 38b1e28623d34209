//! CancelRequest: a client cancels a running statement by opening a second
//! connection that sends only the backend key (pid and secret) it was given
//! at startup. [`CancelRegistry`] finds the session behind a key; each
//! connection's [`CancelRegistration`] takes its key out when the
//! connection ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use pgwire::api::cancel::CancelHandler;
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::cancel::CancelRequest;
use pgwire::messages::startup::SecretKey;

use super::handler::ScalephHandler;
use crate::session::CancelHandle;

/// A backend key: the pid and the secret, as bytes whatever the protocol
/// version made of it.
type BackendKey = (i32, Bytes);

/// The cancel handles of the server's live sessions, by backend key.
#[derive(Default)]
pub struct CancelRegistry {
    handles: Mutex<HashMap<BackendKey, CancelHandle>>,
}

impl CancelRegistry {
    /// Registers `handle` under the backend key (`pid`, `secret`) until the
    /// returned registration is dropped.
    pub fn register(
        self: &Arc<Self>,
        pid: i32,
        secret: &SecretKey,
        handle: CancelHandle,
    ) -> PgWireResult<CancelRegistration> {
        let key = (pid, secret.to_bytes());
        self.handles
            .lock()
            .map_err(|_| PgWireError::NotReadyForQuery)?
            .insert(key.clone(), handle);
        Ok(CancelRegistration {
            registry: self.clone(),
            key,
        })
    }

    /// The handle registered under (`pid`, `secret`), if any.
    fn find(&self, pid: i32, secret: &SecretKey) -> Option<CancelHandle> {
        let handles = self.handles.lock().ok()?;
        handles.get(&(pid, secret.to_bytes())).cloned()
    }
}

/// Removes a connection's backend key from the registry when the
/// connection ends (kept in the connection's extensions).
pub struct CancelRegistration {
    registry: Arc<CancelRegistry>,
    key: BackendKey,
}

impl Drop for CancelRegistration {
    fn drop(&mut self) {
        if let Ok(mut handles) = self.registry.handles.lock() {
            handles.remove(&self.key);
        }
    }
}

#[async_trait]
impl CancelHandler for ScalephHandler {
    async fn on_cancel_request(&self, request: CancelRequest) {
        if let Some(handle) = self.state.cancels.find(request.pid, &request.secret_key) {
            tracing::debug!(session = request.pid, "cancel request");
            handle.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_is_found_by_its_key_until_dropped() {
        let registry = Arc::new(CancelRegistry::default());
        let secret = SecretKey::I32(7);
        let registration = registry
            .register(1, &secret, CancelHandle::default())
            .unwrap();
        assert!(registry.find(1, &secret).is_some());
        assert!(registry.find(1, &SecretKey::I32(8)).is_none());
        assert!(registry.find(2, &secret).is_none());
        drop(registration);
        assert!(registry.find(1, &secret).is_none());
    }
}

//! Waiting for and following the operator's work by watching, never by
//! polling: both ride kube-rs's `watcher`, which lists once, watches from
//! the list's resourceVersion, resumes a dropped watch where it left off
//! and re-lists when the server has forgotten that version (410 Gone).
//!
//! Failures while watching are of two sorts. Those a retry cannot fix —
//! credentials refused, a role that may not watch, a resource type the
//! server does not serve — end a wait at once. The rest (a dropped
//! connection, an API server restarting, a 410) are retried with the
//! watcher's backoff: a wait then ends only at its timeout, saying what
//! last went wrong. A [`Kube::watch`] stream yields both sorts as errors
//! (but not a 410, which it recovers from) and carries on: it serves a
//! long-lived tracker, which decides for itself when to give up.

use std::time::Duration;

use futures::stream::{BoxStream, StreamExt};
use kube::runtime::WatchStreamExt as _;
use kube::runtime::watcher::{self, Event};
use serde_json::Value;

use super::errors::Op;
use super::{Kind, Kube, object_value};
use crate::error::{Error, Result, SqlState};

/// One change to the watched objects.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// An object was created or changed: it is now this.
    Applied(Value),
    /// An object was deleted: this was its last state.
    Deleted(Value),
    /// The watch (re)started from a fresh list: these are all the objects
    /// now, and any other one known before is gone.
    Restarted(Vec<Value>),
}

impl Kube {
    /// Waits, by watching the one object (field selector
    /// `metadata.name=NAME`), until `check` returns `Some`: `check` sees
    /// the object each time it changes, `None` when it does not exist or
    /// is deleted. Returns what `check` returned; 57014 after `timeout`,
    /// naming `what` (`"the session cluster to be READY"`).
    pub async fn wait_for<T>(
        &self,
        kind: Kind,
        name: &str,
        timeout: Duration,
        what: &str,
        mut check: impl FnMut(Option<&Value>) -> Option<Result<T>> + Send,
    ) -> Result<T> {
        let op = self.op(kind, "watch", Some(name));
        let fields = format!("metadata.name={name}");
        let events = watcher::watcher(self.api(kind), watcher::Config::default().fields(&fields))
            .default_backoff();
        let mut last_failure: Option<Error> = None;
        let wait = async {
            let mut events = std::pin::pin!(events);
            // Whether the object was in the current (re)list: if not, it
            // does not exist, which `check` is told at the list's end.
            let mut listed = false;
            while let Some(event) = events.next().await {
                let object = match event {
                    Ok(Event::Init) => {
                        listed = false;
                        continue;
                    }
                    Ok(Event::InitApply(object)) => {
                        listed = true;
                        Some(object)
                    }
                    Ok(Event::InitDone) if listed => continue,
                    Ok(Event::InitDone | Event::Delete(_)) => None,
                    Ok(Event::Apply(object)) => Some(object),
                    Err(error) => match self.watch_failure(op, error) {
                        WatchFailure::Recovering => continue,
                        WatchFailure::Transient(error) => {
                            last_failure = Some(error);
                            continue;
                        }
                        WatchFailure::Permanent(error) => return Err(error),
                    },
                };
                let object = object.map(|o| object_value(o, kind));
                if let Some(answer) = check(object.as_ref()) {
                    return answer;
                }
            }
            Err(Error::internal("the watch of a Kubernetes object ended"))
        };
        let answer = tokio::time::timeout(timeout, wait).await;
        answer.unwrap_or_else(|_| {
            let error = Error::new(
                SqlState::QUERY_CANCELED,
                format!(
                    "{}: gave up waiting for {what} ({} \"{name}\" in namespace \"{}\") after {timeout:?}",
                    self.origin.owner,
                    kind.kind(),
                    self.namespace()
                ),
            );
            Err(match last_failure {
                Some(failure) => error
                    .with_detail(format!("the last failure: {}", failure.message))
                    .with_source(failure),
                None => error,
            })
        })
    }

    /// A stream of the changes to every `kind` object matching
    /// `label_selector` (`""`: all), starting with a
    /// [`Change::Restarted`] of those that exist. Never ends: drop it to
    /// stop watching. Failures are yielded as errors and retried with
    /// backoff — the caller decides whether one is worth giving up for
    /// (28000 will not heal, 08001 may); a 410 Gone is not a failure but
    /// a new [`Change::Restarted`].
    pub fn watch(&self, kind: Kind, label_selector: &str) -> BoxStream<'static, Result<Change>> {
        let mut config = watcher::Config::default();
        if !label_selector.is_empty() {
            config = config.labels(label_selector);
        }
        let this = self.clone();
        watcher::watcher(self.api(kind), config)
            .default_backoff()
            .scan(Vec::new(), move |listed: &mut Vec<Value>, event| {
                let change = match event {
                    Ok(Event::Init) => {
                        listed.clear();
                        None
                    }
                    Ok(Event::InitApply(object)) => {
                        listed.push(object_value(object, kind));
                        None
                    }
                    Ok(Event::InitDone) => Some(Ok(Change::Restarted(std::mem::take(listed)))),
                    Ok(Event::Apply(object)) => {
                        Some(Ok(Change::Applied(object_value(object, kind))))
                    }
                    Ok(Event::Delete(object)) => {
                        Some(Ok(Change::Deleted(object_value(object, kind))))
                    }
                    Err(error) => match this.watch_failure(this.op(kind, "watch", None), error) {
                        WatchFailure::Recovering => None,
                        WatchFailure::Transient(error) | WatchFailure::Permanent(error) => {
                            Some(Err(error))
                        }
                    },
                };
                std::future::ready(Some(change))
            })
            .filter_map(std::future::ready)
            .boxed()
    }

    /// What a watcher failure means for a wait or a stream.
    fn watch_failure(&self, op: Op<'_>, error: watcher::Error) -> WatchFailure {
        let error = match error {
            watcher::Error::WatchError(status) if status.code == 410 => {
                return WatchFailure::Recovering;
            }
            watcher::Error::WatchError(status) => kube::Error::Api(status),
            watcher::Error::InitialListFailed(e)
            | watcher::Error::WatchStartFailed(e)
            | watcher::Error::WatchFailed(e) => e,
            watcher::Error::NoResourceVersion => {
                return WatchFailure::Transient(Error::new(
                    SqlState::PROTOCOL_VIOLATION,
                    format!(
                        "{}: the Kubernetes API server at {} sent a {} without a resourceVersion",
                        self.origin.owner, self.origin.server, op.kind
                    ),
                ));
            }
        };
        let permanent =
            matches!(&error, kube::Error::Api(s) if matches!(s.code, 400 | 401 | 403 | 404));
        let error = self.origin.fail(op, error);
        if permanent {
            WatchFailure::Permanent(error)
        } else {
            WatchFailure::Transient(error)
        }
    }
}

/// A watcher failure, judged.
enum WatchFailure {
    /// A 410 Gone: the watcher lists again, nothing to report.
    Recovering,
    /// A failure the watcher retries with backoff (a dropped connection,
    /// a server error).
    Transient(Error),
    /// A failure no retry fixes: refused credentials or permission, a
    /// resource type the server does not serve, a bad selector.
    Permanent(Error),
}

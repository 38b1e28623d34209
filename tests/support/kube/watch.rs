//! Watch streams: newline-delimited `{"type": ..., "object": ...}` events
//! (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR) over a chunked 200, as the
//! API server's watch cache sends them.
//!
//! * From `resourceVersion=N`: every change after N, in order. N older
//!   than the store's history is one `ERROR` event carrying a 410 `Expired`
//!   Status (`too old resource version: N (M)`), then the end of the
//!   stream — the watch cache answers so, with a 200, not a 410 response.
//! * Without a resourceVersion (or `0`): the current objects as ADDED, then
//!   the changes. With `sendInitialEvents=true` the same, followed by a
//!   BOOKMARK annotated `k8s.io/initial-events-end: "true"`.
//! * Selectors are applied to both sides of a change: an object that stops
//!   matching is DELETED from the watcher's view, one that starts is ADDED.
//! * `allowWatchBookmarks=true`: a BOOKMARK with the current
//!   resourceVersion every `KubeOptions::bookmark_interval`.
//! * `timeoutSeconds`: the stream ends after it.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use serde_json::{Value as Json, json};
use tokio::time::Instant;

use super::Shared;
use super::api::WatchRequest;
use super::errors::ApiError;
use super::registry;
use super::store::{Change, Entry};

/// One watcher's position.
struct Watcher {
    shared: Arc<Shared>,
    request: WatchRequest,
    changes: tokio::sync::watch::Receiver<u64>,
    /// Changes up to here were sent (or did not match).
    cursor: u64,
    queue: VecDeque<Bytes>,
    deadline: Option<Instant>,
    next_bookmark: Option<Instant>,
    bookmark_interval: Duration,
    started: bool,
    done: bool,
}

/// The body of a watch answer.
pub fn stream(shared: Arc<Shared>, request: WatchRequest) -> Body {
    let now = Instant::now();
    let bookmark_interval = shared
        .options
        .bookmark_interval
        .max(Duration::from_millis(1));
    let watcher = Watcher {
        changes: shared.changes.clone(),
        cursor: request.from.unwrap_or_default(),
        queue: VecDeque::new(),
        deadline: request.timeout.map(|t| now + t),
        next_bookmark: request.bookmarks.then(|| now + bookmark_interval),
        bookmark_interval,
        started: false,
        done: false,
        shared,
        request,
    };
    Body::from_stream(futures::stream::unfold(watcher, |mut w| async move {
        w.next()
            .await
            .map(|line| (Ok::<_, std::convert::Infallible>(line), w))
    }))
}

impl Watcher {
    /// The next line to send, or `None` at the end of the stream.
    async fn next(&mut self) -> Option<Bytes> {
        loop {
            if let Some(line) = self.queue.pop_front() {
                return Some(line);
            }
            if self.done {
                return None;
            }
            self.changes.borrow_and_update();
            self.collect();
            if !self.queue.is_empty() {
                continue;
            }
            let deadline = self.deadline;
            let bookmark = self.next_bookmark;
            tokio::select! {
                changed = self.changes.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
                _ = sleep_until(deadline) => return None,
                _ = sleep_until(bookmark) => {
                    let line = self.bookmark(false);
                    self.queue.push_back(line);
                    self.next_bookmark = bookmark.map(|b| b + self.bookmark_interval);
                }
            }
        }
    }

    /// Queues what the store has for this watcher since the cursor.
    fn collect(&mut self) {
        let store = self.shared.store.lock().unwrap_or_else(|p| p.into_inner());
        let resource = registry::resource_key(self.request.resource);
        if !self.started {
            self.started = true;
            if self.request.from.is_none() {
                let namespace = self.request.namespace.as_deref();
                for (_, object) in store.list(&resource, namespace) {
                    if self.selects(&object) {
                        self.queue.push_back(event("ADDED", &object));
                    }
                }
                self.cursor = store.rv();
                if self.request.initial_events {
                    let line = self.bookmark(true);
                    self.queue.push_back(line);
                }
                return;
            }
        }
        let Some(entries) = store.changes_after(self.cursor) else {
            let error = ApiError::expired(format!(
                "too old resource version: {} ({})",
                self.cursor,
                store.oldest()
            ));
            self.queue.push_back(event("ERROR", &error.to_status()));
            self.done = true;
            return;
        };
        for entry in entries {
            if entry.key.resource == resource
                && self
                    .request
                    .namespace
                    .as_deref()
                    .is_none_or(|n| n == entry.key.namespace)
                && let Some(kind) = self.seen_as(&entry)
            {
                self.queue.push_back(event(kind, &entry.object));
            }
        }
        self.cursor = store.rv();
    }

    fn selects(&self, object: &Json) -> bool {
        self.request.labels.matches(object) && self.request.fields.matches(object)
    }

    /// The event type this watcher sees for a change, if any.
    fn seen_as(&self, entry: &Entry) -> Option<&'static str> {
        let now = self.selects(&entry.object);
        let before = entry.previous.as_ref().is_some_and(|p| self.selects(p));
        match (entry.change, before, now) {
            (Change::Deleted, _, true) => Some("DELETED"),
            (Change::Deleted, _, false) => None,
            (_, false, true) => Some("ADDED"),
            (_, true, true) => Some("MODIFIED"),
            (_, true, false) => Some("DELETED"),
            (_, false, false) => None,
        }
    }

    fn bookmark(&self, initial_events_end: bool) -> Bytes {
        let rt = self.request.resource;
        let mut metadata = json!({"resourceVersion": self.cursor.to_string()});
        if initial_events_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        event(
            "BOOKMARK",
            &json!({"kind": rt.kind, "apiVersion": rt.api_version(), "metadata": metadata}),
        )
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn event(kind: &str, object: &Json) -> Bytes {
    let mut line = json!({"type": kind, "object": object}).to_string();
    line.push('\n');
    Bytes::from(line)
}

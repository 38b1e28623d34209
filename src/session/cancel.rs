//! Cancelling the statement a session is running, from another task: a
//! pgwire CancelRequest arrives on a different connection, Ctrl-C in the
//! REPL on the signal handler. A cancel while nothing runs does nothing,
//! as in PostgreSQL.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::Notify;

use crate::error::{Error, Result, SqlState};
use crate::result::RecordBatchStream;

/// The flag of one running statement.
#[derive(Debug, Default)]
struct Flag {
    cancelled: AtomicBool,
    notify: Notify,
}

/// A handle that cancels whatever statement its session runs now. Cheap to
/// clone, `Send`, outlives the session safely.
#[derive(Clone, Debug, Default)]
pub struct CancelHandle {
    current: Arc<Mutex<Option<Arc<Flag>>>>,
}

impl CancelHandle {
    /// Cancels the running statement, if there is one.
    pub fn cancel(&self) {
        let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(flag) = current.as_ref() {
            flag.cancelled.store(true, Ordering::SeqCst);
            flag.notify.notify_waiters();
        }
    }

    /// Marks the start of a statement; cancels from now on reach the
    /// returned guard until the next `begin`.
    pub(crate) fn begin(&self) -> CancelGuard {
        let flag = Arc::new(Flag::default());
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(flag.clone());
        CancelGuard { flag }
    }
}

/// The cancel state of one statement.
#[derive(Clone, Debug)]
pub struct CancelGuard {
    flag: Arc<Flag>,
}

/// The error a cancelled statement ends with.
pub fn cancelled_error() -> Error {
    Error::new(
        SqlState::QUERY_CANCELED,
        "canceling statement due to user request",
    )
}

impl CancelGuard {
    /// Whether the statement was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.flag.cancelled.load(Ordering::SeqCst)
    }

    /// Runs `work` until it finishes or the statement is cancelled.
    pub async fn run<T>(&self, work: impl Future<Output = Result<T>>) -> Result<T> {
        let notified = self.flag.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if self.is_cancelled() {
            return Err(cancelled_error());
        }
        tokio::select! {
            result = work => result,
            _ = notified => Err(cancelled_error()),
        }
    }

    /// Wraps a row stream so that a cancel ends it with an error at the next
    /// batch boundary or while it waits for one.
    pub fn guard_stream(&self, batches: RecordBatchStream) -> RecordBatchStream {
        let flag = self.flag.clone();
        Box::pin(CancellableStream {
            inner: Some(batches),
            waiter: Box::pin(async move {
                let notified = flag.notify.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if !flag.cancelled.load(Ordering::SeqCst) {
                    notified.await;
                }
            }),
        })
    }
}

/// A stream that ends with [`cancelled_error`] once its statement is cancelled.
struct CancellableStream {
    inner: Option<RecordBatchStream>,
    waiter: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl Stream for CancellableStream {
    type Item = Result<arrow::array::RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.inner.is_none() {
            return Poll::Ready(None);
        }
        if self.waiter.as_mut().poll(cx).is_ready() {
            // Dropping the inner stream stops the work that feeds it.
            self.inner = None;
            return Poll::Ready(Some(Err(cancelled_error())));
        }
        let polled = self.inner.as_mut().map(|s| s.as_mut().poll_next(cx));
        match polled {
            Some(Poll::Ready(None)) => {
                self.inner = None;
                Poll::Ready(None)
            }
            Some(other) => other,
            None => Poll::Ready(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn cancel_while_idle_does_not_cancel_the_next_statement() {
        let handle = CancelHandle::default();
        handle.cancel();
        let guard = handle.begin();
        assert_eq!(guard.run(async { Ok(7) }).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn cancel_stops_a_running_statement() {
        let handle = CancelHandle::default();
        let guard = handle.begin();
        let canceller = handle.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            canceller.cancel();
        });
        let err = guard
            .run(async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(())
            })
            .await
            .unwrap_err();
        assert_eq!(err.sqlstate, SqlState::QUERY_CANCELED);
    }

    #[tokio::test]
    async fn cancel_ends_a_pending_stream_with_an_error() {
        use futures::StreamExt;
        let handle = CancelHandle::default();
        let guard = handle.begin();
        let mut stream = guard.guard_stream(Box::pin(futures::stream::pending()));
        let canceller = handle.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            canceller.cancel();
        });
        let first = stream.next().await.unwrap().unwrap_err();
        assert_eq!(first.sqlstate, SqlState::QUERY_CANCELED);
        assert!(stream.next().await.is_none());
    }
}

//! The HTTP server that serves job jars (`serve --http-listen`): what a
//! `FlinkSessionJob`'s `jarURI` points at.
//!
//! The Flink Kubernetes Operator downloads the jar itself, with a plain
//! GET and only the fixed headers of its configuration
//! (`docs/flink-kubernetes-operator.md` §4), so there is no login: the
//! random token in `/artifacts/<token>/<name>` is the credential. Hence
//! every miss is the same bare 404 (a wrong token and a wrong name are not
//! told apart), and the token never reaches a log line. Jars are read from
//! the data dir per request ([`Artifacts`]), so there is no state to load
//! at startup and a jar written by any process on the data dir is served.
//!
//! `GET /healthz` answers `ok`, for a Kubernetes probe.
//!
//! With a certificate (`--http-tls-cert`, `--http-tls-key`) it serves
//! HTTPS only, because the operator's default allowlist is `https` alone.
//! [`TlsListener`] completes each handshake in a task of its own, so a
//! slow or silent client delays nobody else's accept. A failed handshake
//! (a plain-HTTP request, a client that does not trust the certificate) is
//! logged at debug level and the connection dropped: it is the client's
//! problem, and a port scanner must not fill the log. The certificate
//! itself is `server::tls`'s.
//!
//! [`Artifacts`]: crate::store::artifacts::Artifacts

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::context::Context;

/// The media type of a jar.
const JAR: &str = "application/java-archive";

/// Serves job jars on `listener` — over TLS with `tls`
/// (`server::tls::server_config`), plain HTTP without — until `shutdown`
/// completes, then lets the downloads under way finish.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    context: Arc<Context>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router(context);
    match tls {
        None => {
            axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
        }
        Some(tls) => {
            axum::serve(TlsListener::new(listener, tls), router)
                .with_graceful_shutdown(shutdown)
                .await
        }
    }
}

/// How long a client may take to complete its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// At most this many handshakes at once; further connections wait in the
/// kernel's accept queue (jar downloads are few: one per submission).
const MAX_HANDSHAKES: usize = 64;

/// A TCP listener that hands out connections once their TLS handshake is
/// done: axum's [`Listener`](axum::serve::Listener) for HTTPS.
///
/// Handshakes run as tasks of their own, so `accept` never waits on one
/// client; each is bounded by `HANDSHAKE_TIMEOUT`, and at most
/// `MAX_HANDSHAKES` run at once. Dropping the listener (at shutdown)
/// aborts the handshakes under way.
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    handshakes: JoinSet<(SocketAddr, Result<TlsStream<TcpStream>, String>)>,
}

impl TlsListener {
    /// Serves TLS with `config` on connections accepted from `tcp`.
    pub fn new(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> TlsListener {
        TlsListener {
            tcp,
            acceptor: TlsAcceptor::from(config),
            handshakes: JoinSet::new(),
        }
    }

    /// Starts the handshake of a new connection.
    fn handshake(&mut self, stream: TcpStream, peer: SocketAddr) {
        let accepting = self.acceptor.accept(stream);
        self.handshakes.spawn(async move {
            let done = match tokio::time::timeout(HANDSHAKE_TIMEOUT, accepting).await {
                Ok(Ok(tls)) => Ok(tls),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(format!("no handshake within {HANDSHAKE_TIMEOUT:?}")),
            };
            (peer, done)
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            // Both branches are cancel-safe: axum may drop this future.
            tokio::select! {
                accepted = self.tcp.accept(), if self.handshakes.len() < MAX_HANDSHAKES => {
                    match accepted {
                        Ok((stream, peer)) => self.handshake(stream, peer),
                        Err(e) => accept_failed(e).await,
                    }
                }
                Some(done) = self.handshakes.join_next() => match done {
                    Ok((peer, Ok(tls))) => return (tls, peer),
                    Ok((peer, Err(error))) => {
                        tracing::debug!(%peer, %error, "TLS handshake failed");
                    }
                    Err(e) => tracing::debug!(error = %e, "TLS handshake task ended"),
                },
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// What axum's own TCP listener does when `accept` fails: a connection
/// that went away before it was taken is nothing; anything else (out of
/// file descriptors, say) is logged and waited out for a second, not spun
/// on.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept an HTTP connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// The routes: a jar, the health check, and a bare 404 for anything else
/// (other methods included).
fn router(context: Arc<Context>) -> Router {
    Router::new()
        .route(
            "/artifacts/{token}/{name}",
            get(artifact).fallback(not_found),
        )
        .route("/healthz", get(|| async { "ok" }).fallback(not_found))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(log_request))
        .with_state(context)
}

/// `GET`/`HEAD /artifacts/{token}/{name}` (axum answers HEAD with GET's
/// headers and no body).
async fn artifact(
    State(context): State<Arc<Context>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    // A path that does not decode (bad UTF-8) is a miss like any other.
    let Ok(Path((token, name))) = path else {
        return not_found().await;
    };
    match context.artifacts.read(&token, &name).await {
        Ok(Some(bytes)) => {
            let etag = format!("\"{}\"", hex(&Sha256::digest(&bytes)));
            let mut response = Response::new(Body::empty());
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JAR));
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            if let Ok(etag) = HeaderValue::from_str(&etag) {
                headers.insert(header::ETAG, etag);
            }
            *response.body_mut() = Body::from(bytes);
            response
        }
        Ok(None) => not_found().await,
        Err(e) => {
            tracing::warn!(name = %name, error = %e, "cannot read a served artifact");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot read the artifact\n",
            )
                .into_response()
        }
    }
}

/// The one answer to a miss: it does not say which part was wrong.
async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

/// Logs each request — its path with the token replaced — with its status
/// and duration. Health checks are logged at debug level (a probe asks
/// every few seconds).
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = redacted(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_millis();
    if path == "/healthz" {
        tracing::debug!(%method, %path, status, ms, "http request");
    } else {
        tracing::info!(%method, %path, status, ms, "http request");
    }
    response
}

/// `path` with the segment after `/artifacts/` (the token, or whatever
/// stands there) replaced by `<redacted>`. The query is never logged.
fn redacted(path: &str) -> String {
    match path.strip_prefix("/artifacts/") {
        Some(rest) => match rest.split_once('/') {
            Some((_, name)) => format!("/artifacts/<redacted>/{name}"),
            None => "/artifacts/<redacted>".to_string(),
        },
        None => path.to_string(),
    }
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_reaches_the_log() {
        let token = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            redacted(&format!("/artifacts/{token}/job.jar")),
            "/artifacts/<redacted>/job.jar"
        );
        assert_eq!(
            redacted(&format!("/artifacts/{token}")),
            "/artifacts/<redacted>"
        );
        assert_eq!(
            redacted(&format!("/artifacts/{token}/a/b")),
            "/artifacts/<redacted>/a/b"
        );
        assert_eq!(redacted("/healthz"), "/healthz");
    }
}

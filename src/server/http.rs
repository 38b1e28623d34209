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
//! [`Artifacts`]: crate::store::artifacts::Artifacts

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

use crate::context::Context;

/// The media type of a jar.
const JAR: &str = "application/java-archive";

/// Serves job jars on `listener` until `shutdown` completes, then lets the
/// downloads under way finish.
pub async fn serve(
    listener: TcpListener,
    context: Arc<Context>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(context))
        .with_graceful_shutdown(shutdown)
        .await
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

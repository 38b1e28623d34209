//! Network frontends: the PostgreSQL wire protocol server, and the HTTP
//! server that serves job jars to the Flink Kubernetes Operator; `tls`
//! holds what their TLS shares (certificate files, reload on SIGHUP).

pub mod http;
pub mod pgwire;
pub mod tls;

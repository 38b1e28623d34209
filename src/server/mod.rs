//! Network frontends: the PostgreSQL wire protocol server, and the HTTP
//! server that serves job jars to the Flink Kubernetes Operator.

pub mod http;
pub mod pgwire;

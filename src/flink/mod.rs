//! The Flink SQL Gateway client: every statement scaleph does not handle
//! itself goes through here. [`client`] speaks the REST protocol,
//! [`session`] keeps one Flink session per scaleph session (and replays
//! its state into a new one when Flink loses it), [`fetch`] streams
//! results, [`result`] decodes values into Arrow, [`errors`] turns Flink's
//! stack traces into readable errors, [`metadata`] lists a catalog's
//! databases, tables and columns for the pg catalogs, and [`shared`] makes
//! Flink's built-in catalog scaleph's shared default catalog, kept in the
//! store and replayed into every Flink session. [`rest`] is the other
//! API: a Flink cluster's own (the JobManager's), which clusters and jobs use.

pub mod client;
pub mod errors;
pub mod fetch;
pub mod metadata;
pub mod rest;
pub mod result;
pub mod session;
pub mod shared;

pub use client::{GatewayClient, GatewayError};
pub use session::FlinkSession;

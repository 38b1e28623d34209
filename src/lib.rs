//! scaleph: a SQL-first gateway and REPL for a Flink-based data platform.
//!
//! # Layout
//!
//! Every statement, whichever frontend it came from, takes one path
//! (see docs/design.md, "One path for every statement"):
//!
//! - [`server`] (pgwire, with COPY's copy-out), [`repl`] (interactive and
//!   scripts) are the frontends; they own a [`session::Session`] each and
//!   call `parse` / `describe` / `execute` on it.
//! - [`sql`] splits scripts and parses statements into [`sql::ast`].
//! - [`session`] holds variables and the one dispatch `match` that routes
//!   each statement to a [`handler`], the local [`engine`], or Flink.
//! - [`handler`] has one module per statement family.
//! - [`engine`] is DataFusion answering queries on scaleph's own tables
//!   and PostgreSQL's catalogs (pg_catalog, information_schema) over them
//!   and the session's Flink catalog, for psql, JDBC and BI tools.
//! - [`store`] is the durable metadata store (embedded SQLite by default).
//! - [`result`] is what every statement returns: Arrow rows or a command tag.
//! - [`error`] is the one error type, with SQLSTATE and position.
//! - [`config`] resolves defaults, `scaleph.toml`, `SCALEPH_*` and flags.

pub mod catalog;
pub mod config;
pub mod context;
pub mod datasource;
pub mod duration;
pub mod engine;
pub mod error;
pub mod flink;
pub mod handler;
pub mod pg;
pub mod repl;
pub mod result;
pub mod schedule;
pub mod server;
pub mod session;
pub mod settings;
pub mod sql;
pub mod store;

//! scaleph: a SQL-first gateway and REPL for a Flink-based data platform.
//!
//! # Layout
//!
//! Every statement, whichever frontend it came from, takes one path;
//! `ARCHITECTURE.md` at the repository root draws it, lists the layers and
//! what each may import, and says how to add a statement family. Bottom to
//! top:
//!
//! - [`error`] (one error type: SQLSTATE, position, cause), [`result`]
//!   (Arrow rows or a command tag, and a statement's description),
//!   [`settings`] (session variables, scaleph's typed settings), [`pg`]
//!   (what PostgreSQL clients see: the emulated version, the PostgreSQL
//!   type of each Arrow type).
//! - [`sql`] splits scripts, parses statements into [`sql::ast`] (grouped
//!   by family) and classifies Flink statements once; it imports only
//!   the foundation ([`error`], [`duration`]); its [`sql::cron`] checks
//!   schedules' cron expressions and time zones.
//! - [`config`], [`store`] (the durable metadata store, embedded SQLite by
//!   default), [`catalog`] (the datasource type registry).
//! - [`flink`] (the Flink SQL Gateway client; the cluster REST client and
//!   the SQL runner jobs run as), [`kube`] (the Flink Kubernetes
//!   Operator's resources), [`seatunnel`] (the SeaTunnel Zeta REST API
//!   that `SEATUNNEL` clusters are reached by), [`datasource`]
//!   (connectivity and metadata of external sources).
//! - [`context`]: what every session of the process shares, and who a
//!   session belongs to.
//! - [`engine`] is DataFusion answering queries on scaleph's own tables
//!   and PostgreSQL's catalogs (pg_catalog, information_schema) over them
//!   and the session's Flink catalog, for psql, JDBC and BI tools.
//! - [`handler`] has one module per statement family and the one
//!   exhaustive dispatch over families.
//! - [`session`] parses (keeping recent parses), describes and executes
//!   through the handlers, with cancel and transaction state.
//! - [`server`] (pgwire, with COPY's copy-out) and [`repl`] (interactive
//!   and scripts) are the frontends; they own a [`session::Session`] each.

pub mod catalog;
pub mod config;
pub mod context;
pub mod datasource;
pub mod duration;
pub mod engine;
pub mod error;
pub mod flink;
pub mod handler;
pub mod jobs;
pub mod kube;
pub mod pg;
pub mod repl;
pub mod result;
pub mod seatunnel;
pub mod server;
pub mod session;
pub mod settings;
pub mod sql;
pub mod store;
pub mod sync;

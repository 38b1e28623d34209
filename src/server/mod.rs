//! Network frontends: the PostgreSQL wire protocol server.

pub mod pgwire;

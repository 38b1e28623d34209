//! Helpers shared by the integration tests: the real `scaleph` binary on a
//! free port, and the real services and clients of this machine.

#![allow(dead_code)]

pub mod gateway;
pub mod services;

pub use gateway::Gateway;

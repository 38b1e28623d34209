//! The integration tests: one binary (one link on a 2-core CI), one module
//! per area, shared helpers in `support`.

mod architecture;
mod catalog;
mod catalog_from_datasource;
mod cli;
mod client_corpus;
mod cluster;
mod connectors;
mod datasource;
mod flink;
mod flink_catalog;
mod flink_cluster;
mod flink_double;
mod flink_shared;
mod http_artifacts;
mod jobs;
mod kube_client;
mod kube_double;
mod kubernetes;
mod pgwire;
mod planner;
mod preview;
mod runner;
mod seatunnel;
mod seatunnel_double;
mod sources;
mod support;
mod syncs;

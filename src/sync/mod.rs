//! Syncs (`CREATE SYNC`): a whole database, or a selection of its tables,
//! copied to one or more sinks by Flink CDC, SeaTunnel or Flink SQL.
//!
//! - [`plan`]: what planning read and decided, stored with the sync;
//! - [`types`]: each engine's type for a source column;
//! - [`options`]: the sync's `WITH (...)` options, typed and grouped;
//! - [`planner`]: the plan from the source's live metadata;
//! - [`artifacts`]: the pipeline YAML, SeaTunnel config or Flink SQL script
//!   an engine takes, generated from the plan (secrets masked for EXPLAIN,
//!   real for submission);
//! - [`run`]: starting and stopping a sync on its engine.

pub mod artifacts;
pub mod options;
pub mod plan;
pub mod planner;
pub mod run;
pub mod types;

use crate::sql::ast::{SyncEngine, SyncMode};

pub use plan::{Engine, Mode, SyncPlan};

impl From<SyncMode> for Mode {
    fn from(mode: SyncMode) -> Mode {
        match mode {
            SyncMode::Cdc => Mode::Cdc,
            SyncMode::Snapshot => Mode::Snapshot,
        }
    }
}

impl From<SyncEngine> for Engine {
    fn from(engine: SyncEngine) -> Engine {
        match engine {
            SyncEngine::FlinkCdc => Engine::FlinkCdc,
            SyncEngine::Seatunnel => Engine::Seatunnel,
            SyncEngine::FlinkSql => Engine::FlinkSql,
        }
    }
}

impl Mode {
    /// The keyword (`CDC`).
    pub fn keyword(self) -> &'static str {
        match self {
            Mode::Cdc => "CDC",
            Mode::Snapshot => "SNAPSHOT",
        }
    }
}

impl Engine {
    /// The engine of a keyword as stored (`FLINK_SQL`).
    pub fn from_keyword(keyword: &str) -> Option<Engine> {
        [Engine::FlinkCdc, Engine::Seatunnel, Engine::FlinkSql]
            .into_iter()
            .find(|e| e.keyword().eq_ignore_ascii_case(keyword))
    }

    /// The keyword (`FLINK_CDC`).
    pub fn keyword(self) -> &'static str {
        match self {
            Engine::FlinkCdc => "FLINK_CDC",
            Engine::Seatunnel => "SEATUNNEL",
            Engine::FlinkSql => "FLINK_SQL",
        }
    }
}

//! The gateway's memory: sessions with their idle clocks, operations with
//! their status and token cursor (docs/flink-sql-gateway-rest.md §4 step 5), the cluster's jobs,
//! and the stores of persistent catalogs. Jobs and stores live outside the
//! gateway in Flink (on the cluster, in warehouses and metastores), so a
//! restart, which forgets the sessions, keeps them.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono_tz::Tz;

use super::catalog::Stores;
use super::engine::{Job, Outcome, SessionContext, StaticResult};
use super::errors::{ILLEGAL_ARGUMENT, JavaError, SQL_EXECUTION, SQL_GATEWAY, Site};
use super::query::{QueryRun, Row, RowKind};

/// Where an operation's rows come from.
#[derive(Debug)]
pub enum Produced {
    /// One page, then EOS.
    Static {
        /// The result.
        result: StaticResult,
        /// Whether its page was served.
        served: bool,
    },
    /// Query pages.
    Query {
        /// The running query.
        run: Box<QueryRun>,
        /// Its job.
        job_id: String,
    },
    /// A failure, served as a 500 on fetch.
    Failed(JavaError),
}

/// One page of an operation's results.
#[derive(Clone, Debug)]
pub enum Page {
    /// `NOT_READY`.
    NotReady,
    /// `PAYLOAD` with the rows of [`Operation::page`], and the token of the next page.
    Payload(i64),
    /// `EOS`.
    Eos,
}

/// An operation: a statement's execution and its fetch cursor.
#[derive(Debug)]
pub struct Operation {
    /// What the statement produced.
    pub produced: Produced,
    /// Fetches still to answer NOT_READY (status RUNNING meanwhile).
    not_ready_left: u32,
    /// Whether it was cancelled.
    canceled: bool,
    /// The token the next new page gets.
    token: i64,
    /// The page served at `token - 1`.
    previous: Vec<Row>,
    /// The session time zone TIMESTAMP_LTZ values are shown in (PLAIN_TEXT).
    pub zone: Tz,
    /// The zone of TIMESTAMP_LTZ wall clocks in JSON rows: the session's
    /// from Flink 1.19, UTC before.
    pub json_zone: Tz,
    /// Its place among its session's operations: it waits (PENDING) while
    /// an earlier one runs.
    pub seq: u64,
}

impl Operation {
    /// An operation for `outcome`, answering NOT_READY `not_ready` times.
    pub fn new(outcome: Outcome, not_ready: u32, zone: Tz) -> Operation {
        let produced = match outcome {
            Outcome::Static(result) => Produced::Static {
                result,
                served: false,
            },
            Outcome::Query(run, job_id) => Produced::Query { run, job_id },
            Outcome::Failed(error) => Produced::Failed(error),
        };
        Operation {
            produced,
            not_ready_left: not_ready,
            canceled: false,
            token: 0,
            previous: Vec::new(),
            zone,
            json_zone: zone,
            seq: 0,
        }
    }

    /// The same operation at place `seq` in its session.
    pub fn with_seq(mut self, seq: u64) -> Operation {
        self.seq = seq;
        self
    }

    /// Whether it still runs, holding its session's one-operation lock.
    pub fn running(&self) -> bool {
        self.status() == "RUNNING"
    }

    /// The same operation writing TIMESTAMP_LTZ in JSON rows in `zone`.
    pub fn with_json_zone(mut self, zone: Tz) -> Operation {
        self.json_zone = zone;
        self
    }

    /// The `OperationStatus` name.
    pub fn status(&self) -> &'static str {
        if self.canceled {
            "CANCELED"
        } else if self.not_ready_left > 0 {
            "RUNNING"
        } else if matches!(self.produced, Produced::Failed(_)) {
            "ERROR"
        } else {
            "FINISHED"
        }
    }

    /// The job this operation started, if any.
    pub fn job_id(&self) -> Option<&str> {
        match &self.produced {
            Produced::Static { result, .. } => result.job_id.as_deref(),
            Produced::Query { job_id, .. } => Some(job_id),
            Produced::Failed(_) => None,
        }
    }

    /// Whether its job is a query's (closing the operation cancels it).
    pub fn is_query(&self) -> bool {
        matches!(self.produced, Produced::Query { .. })
    }

    /// The rows of the last page served.
    pub fn page(&self) -> &[Row] {
        &self.previous
    }

    /// Cancels a RUNNING operation; the error names the status it was in.
    pub fn cancel(&mut self, handle: &str) -> Result<(), JavaError> {
        let status = self.status();
        if status != "RUNNING" {
            return Err(JavaError::new(
                SQL_GATEWAY,
                format!(
                    "Failed to convert the Operation Status from {status} to CANCELED for {handle}."
                ),
                Site::OperationManager,
            ));
        }
        self.canceled = true;
        Ok(())
    }

    /// The page for `token`, by the rules of `ResultFetcher`; `pending`
    /// while an earlier operation of the session runs (NOT_READY, no
    /// progress).
    pub fn fetch(
        &mut self,
        handle: &str,
        token: i64,
        page_rows: usize,
        pending: bool,
    ) -> Result<Page, JavaError> {
        if self.canceled {
            return Err(JavaError::new(
                SQL_GATEWAY,
                format!("Can not fetch results from the {handle} in CANCELED status."),
                Site::OperationManager,
            ));
        }
        if pending {
            return Ok(Page::NotReady);
        }
        if self.not_ready_left > 0 {
            self.not_ready_left -= 1;
            return Ok(Page::NotReady);
        }
        if let Produced::Failed(error) = &self.produced {
            return Err(error.clone().wrap(
                SQL_EXECUTION,
                format!("Failed to execute the operation {handle}."),
                Site::Operation,
            ));
        }
        if token == self.token {
            let rows = match &mut self.produced {
                Produced::Static { served: true, .. } => None,
                Produced::Static { result, served } => {
                    *served = true;
                    Some(
                        result
                            .rows
                            .iter()
                            .map(|r| (RowKind::Insert, r.clone()))
                            .collect(),
                    )
                }
                Produced::Query { run, .. } => run.next_page(page_rows),
                Produced::Failed(_) => unreachable!("handled above"),
            };
            let Some(rows) = rows else {
                return Ok(Page::Eos);
            };
            self.previous = rows;
            self.token += 1;
            return Ok(Page::Payload(self.token));
        }
        if token == self.token - 1 && token >= 0 {
            return Ok(Page::Payload(self.token));
        }
        let message = if self.token == 0 {
            format!("Expecting token to be 0, but found {token}.")
        } else {
            format!(
                "Expecting token to be {} or {}, but found {token}.",
                self.token,
                self.token - 1
            )
        };
        Err(JavaError::new(
            ILLEGAL_ARGUMENT,
            message,
            Site::ResultFetcher,
        ))
    }
}

/// A session: its context, operations and idle clock.
#[derive(Debug)]
pub struct Session {
    /// Configuration, catalogs, jars...
    pub context: SessionContext,
    /// Operations by handle.
    pub operations: HashMap<String, Operation>,
    /// The place the next operation gets.
    pub next_seq: u64,
    /// The last call that resolved it.
    pub last_access: Instant,
}

impl Session {
    /// Whether operation `seq` waits (PENDING) behind an earlier one that
    /// runs: Flink runs one operation per session at a time.
    pub fn blocks(&self, seq: u64) -> bool {
        self.operations.values().any(|o| o.seq < seq && o.running())
    }
}

/// Everything the gateway remembers.
#[derive(Debug, Default)]
pub struct State {
    /// Sessions by handle.
    pub sessions: HashMap<String, Session>,
    /// The cluster's jobs, oldest first (they survive gateway restarts).
    pub jobs: Vec<Job>,
    /// The objects of persistent catalogs, shared by every session that
    /// creates a catalog over the same store (they survive gateway restarts).
    pub stores: Stores,
}

impl State {
    /// Closes sessions idle for longer than `timeout` (zero: never).
    pub fn expire_idle(&mut self, timeout: Duration) {
        if timeout.is_zero() {
            return;
        }
        let expired: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.last_access.elapsed() > timeout)
            .map(|(h, _)| h.clone())
            .collect();
        for handle in expired {
            self.close_session(&handle);
        }
    }

    /// Closes a session and its operations; false if it did not exist.
    pub fn close_session(&mut self, handle: &str) -> bool {
        let Some(session) = self.sessions.remove(handle) else {
            return false;
        };
        for operation in session.operations.values() {
            self.release(operation);
        }
        true
    }

    /// What closing `operation` does to its job: a query's job is cancelled.
    pub fn release(&mut self, operation: &Operation) {
        if operation.is_query()
            && let Some(id) = operation.job_id()
        {
            self.cancel_job(id);
        }
    }

    /// Cancels job `id` if it runs.
    pub fn cancel_job(&mut self, id: &str) {
        if let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) {
            job.cancel();
        }
    }

    /// The session `handle`, touched; or the chain of `Session '...' does not exist.`
    pub fn session(&mut self, handle: &str) -> Result<&mut Session, JavaError> {
        touch(&mut self.sessions, handle)
    }
}

/// The session `handle` of `sessions`, touched; or the chain of
/// `Session '...' does not exist.` (a free function so that the caller may
/// borrow the jobs alongside).
pub fn touch<'s>(
    sessions: &'s mut HashMap<String, Session>,
    handle: &str,
) -> Result<&'s mut Session, JavaError> {
    match sessions.get_mut(handle) {
        Some(session) => {
            session.last_access = Instant::now();
            Ok(session)
        }
        None => Err(JavaError::new(
            SQL_GATEWAY,
            format!("Session '{handle}' does not exist."),
            Site::SessionManager,
        )),
    }
}

/// The error for an operation the session does not hold.
pub fn operation_missing(handle: &str) -> JavaError {
    JavaError::new(
        SQL_GATEWAY,
        format!("Can not find the submitted operation in the OperationManager with the {handle}."),
        Site::OperationManager,
    )
}

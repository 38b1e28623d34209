//! The transaction block a session is in, tracked as PostgreSQL tracks it.
//!
//! scaleph has no transactions: a statement takes effect when it runs
//! (catalog changes go to the store, Flink statements to the gateway).
//! Clients still open and close transaction blocks (pgjdbc with autocommit
//! off, psycopg's `with conn.transaction()`, BI tools' manual-commit mode)
//! and read the block's status after every query (ReadyForQuery's `I`, `T`
//! or `E`; psql's prompt). So the session follows the block as PostgreSQL
//! does, without undoing anything: BEGIN opens it, COMMIT or ROLLBACK
//! closes it, any error in it fails it, and a failed block refuses every
//! statement (25P02) but the ones that close it or roll back to a
//! savepoint. It lives in the session, not in a frontend, so that pgwire
//! clients and the REPL see the same.

use crate::error::{Error, Result, SqlState};
use crate::result::{CommandTag, QueryResult, StatementOutput};
use crate::sql::ast::{Statement, TransactionCommand};

/// Where a session is with respect to a transaction block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TransactionState {
    /// No block is open: every statement stands alone.
    #[default]
    Idle,
    /// In a block opened by BEGIN.
    InBlock,
    /// In a block that a failed statement aborted: only COMMIT, ROLLBACK
    /// and ROLLBACK TO SAVEPOINT run until it ends.
    Failed,
}

impl TransactionState {
    /// Refuses `statement` with 25P02 when the block has failed and the
    /// statement neither ends it nor rolls back to a savepoint.
    pub fn admit(self, statement: &Statement) -> Result<()> {
        let ends_block = matches!(
            statement,
            Statement::Transaction(
                TransactionCommand::Commit
                    | TransactionCommand::Rollback
                    | TransactionCommand::RollbackToSavepoint
            )
        );
        if self == TransactionState::Failed && !ends_block {
            return Err(Error::new(
                SqlState::IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        Ok(())
    }

    /// The state after `statement` ran, successfully or not.
    pub fn after(self, statement: &Statement, succeeded: bool) -> TransactionState {
        if !succeeded {
            return self.failed();
        }
        match statement {
            Statement::Transaction(TransactionCommand::Begin) => TransactionState::InBlock,
            Statement::Transaction(TransactionCommand::Commit | TransactionCommand::Rollback) => {
                TransactionState::Idle
            }
            // Rolling back to a savepoint leaves a failed block usable.
            Statement::Transaction(TransactionCommand::RollbackToSavepoint)
                if self == TransactionState::Failed =>
            {
                TransactionState::InBlock
            }
            _ => self,
        }
    }

    /// The state after an error, whatever raised it (a statement, a script
    /// that did not parse, a row stream that broke): an open block fails.
    pub fn failed(self) -> TransactionState {
        match self {
            TransactionState::Idle => TransactionState::Idle,
            TransactionState::InBlock | TransactionState::Failed => TransactionState::Failed,
        }
    }

    /// Moves to the state after `statement` gave `output`, and returns the
    /// output as PostgreSQL reports it: COMMIT of a failed block rolls it
    /// back, and its tag says so.
    pub(super) fn finish(
        &mut self,
        statement: &Statement,
        output: Result<StatementOutput>,
    ) -> Result<StatementOutput> {
        let before = *self;
        *self = before.after(statement, output.is_ok());
        let mut output = output?;
        if before == TransactionState::Failed
            && let Statement::Transaction(TransactionCommand::Commit) = statement
            && let QueryResult::Command(tag) = &mut output.result
        {
            *tag = CommandTag {
                tag: "ROLLBACK".to_string(),
                ..tag.clone()
            };
        }
        Ok(output)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::TransactionState::{Failed, Idle, InBlock};
    use super::*;
    use crate::context::{Context, SessionInfo};
    use crate::session::Session;

    fn statement(sql: &str) -> Statement {
        crate::sql::parse_script(sql).unwrap().remove(0).statement
    }

    fn command(tag: &str) -> Result<StatementOutput> {
        Ok(QueryResult::command(tag).into())
    }

    fn tag_of(output: Result<StatementOutput>) -> String {
        match output.unwrap().result {
            QueryResult::Command(tag) => tag.to_string(),
            rows => panic!("rows, not a tag: {rows:?}"),
        }
    }

    #[test]
    fn begin_opens_a_block_and_commit_or_rollback_closes_it() {
        let (begin, commit, rollback) = (
            statement("BEGIN"),
            statement("COMMIT"),
            statement("ROLLBACK"),
        );
        assert_eq!(Idle.after(&begin, true), InBlock);
        assert_eq!(InBlock.after(&begin, true), InBlock);
        assert_eq!(InBlock.after(&statement("SELECT 1"), true), InBlock);
        assert_eq!(InBlock.after(&commit, true), Idle);
        assert_eq!(InBlock.after(&rollback, true), Idle);
        assert_eq!(Idle.after(&commit, true), Idle);
    }

    #[test]
    fn savepoints_keep_the_block_open() {
        for sql in [
            "SAVEPOINT s",
            "RELEASE SAVEPOINT s",
            "ROLLBACK TO SAVEPOINT s",
        ] {
            assert_eq!(InBlock.after(&statement(sql), true), InBlock, "{sql}");
            assert_eq!(Idle.after(&statement(sql), true), Idle, "{sql}");
        }
    }

    #[test]
    fn an_error_fails_a_block_and_nothing_else() {
        let select = statement("SELECT 1");
        assert_eq!(InBlock.after(&select, false), Failed);
        assert_eq!(Failed.after(&select, false), Failed);
        assert_eq!(Idle.after(&select, false), Idle);
        assert_eq!(InBlock.after(&statement("COMMIT"), false), Failed);
        assert_eq!(InBlock.failed(), Failed);
        assert_eq!(Idle.failed(), Idle);
    }

    #[test]
    fn failed_block_refuses_all_but_its_end_with_25p02() {
        for sql in ["SELECT 1", "BEGIN", "SAVEPOINT s", "SHOW DateStyle"] {
            let err = Failed.admit(&statement(sql)).unwrap_err();
            assert_eq!(err.sqlstate, SqlState::IN_FAILED_SQL_TRANSACTION, "{sql}");
            assert!(InBlock.admit(&statement(sql)).is_ok(), "{sql}");
            assert!(Idle.admit(&statement(sql)).is_ok(), "{sql}");
        }
        for sql in ["COMMIT", "ROLLBACK", "ROLLBACK TO SAVEPOINT s"] {
            assert!(Failed.admit(&statement(sql)).is_ok(), "{sql}");
        }
    }

    #[test]
    fn failed_block_ends_with_rollback_or_revives_at_a_savepoint() {
        assert_eq!(Failed.after(&statement("ROLLBACK"), true), Idle);
        assert_eq!(Failed.after(&statement("COMMIT"), true), Idle);
        assert_eq!(
            Failed.after(&statement("ROLLBACK TO SAVEPOINT s"), true),
            InBlock
        );
    }

    #[test]
    fn commit_of_a_failed_block_is_tagged_rollback() {
        let commit = statement("COMMIT");
        let mut state = Failed;
        assert_eq!(tag_of(state.finish(&commit, command("COMMIT"))), "ROLLBACK");
        assert_eq!(state, Idle);
        let mut state = InBlock;
        assert_eq!(tag_of(state.finish(&commit, command("COMMIT"))), "COMMIT");
        assert_eq!(state, Idle);
        let mut state = InBlock;
        let failure = Err(Error::new(SqlState::SYNTAX_ERROR, "no"));
        assert!(state.finish(&statement("SELECT 1"), failure).is_err());
        assert_eq!(state, Failed);
    }

    #[tokio::test]
    async fn session_refuses_statements_in_a_failed_block_until_rollback() {
        let dir = tempfile::tempdir().unwrap();
        let mut session = Session::new(
            Arc::new(Context::for_tests(dir.path()).await),
            SessionInfo::new("u", "scaleph", "test"),
        );
        let mut run = async |sql: &str| {
            let statement = session.parse(sql).unwrap()[0].clone();
            let output = session.execute(&statement, Vec::new()).await;
            (output.map(|_| ()), session.transaction_status())
        };
        assert_eq!(run("BEGIN").await, (Ok(()), InBlock));
        let (failure, state) = run("SELECT 1 FROM scaleph.nosuchtable").await;
        assert!(failure.is_err());
        assert_eq!(state, Failed);
        let (refusal, state) = run("SELECT 1").await;
        assert_eq!(
            refusal.unwrap_err().sqlstate,
            SqlState::IN_FAILED_SQL_TRANSACTION
        );
        assert_eq!(state, Failed);
        assert_eq!(run("ROLLBACK").await, (Ok(()), Idle));
        assert_eq!(run("SELECT 1").await, (Ok(()), Idle));
    }
}

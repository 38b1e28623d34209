//! The extended query protocol: Parse goes through the session's parser
//! ([`StatementParser`]), Describe asks the session what a statement takes
//! and returns, and Execute runs a bound portal through the session. pgwire
//! sequences the messages and streams a portal's rows; [`super::held`]
//! batches the answers to Parse, Bind and Describe.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use futures::{Sink, StreamExt, stream};
use pgwire::api::portal::{Format, Portal};
use pgwire::api::query::ExtendedQueryHandler;
use pgwire::api::results::{
    DescribePortalResponse, DescribeStatementResponse, FieldInfo, QueryResponse, Response,
};
use pgwire::api::stmt::{QueryParser, StoredStatement};
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, Type};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::extendedquery::Execute;

use super::copy::{copy_tag, send_copy_out};
use super::encode::{encode_batch, fields};
use super::error::user_error;
use super::handler::{Busy, ScalephHandler, session_of};
use super::params;
use super::respond::{command_tag, execute_reporting, report_changes, send_notices};
use super::transaction;
use crate::error::{Error, SqlState};
use crate::result::Description;
use crate::result::QueryResult;
use crate::sql::ParsedStatement;
use crate::sql::ast::{Statement, TransactionCommand};

/// Describes `statement` with the client's session.
async fn describe<C: ClientInfo>(
    client: &C,
    statement: &ParsedStatement,
) -> PgWireResult<Description> {
    let shared = session_of(client)?;
    let mut session = shared.lock().await;
    session
        .describe(statement)
        .await
        .map_err(|e| user_error(&e, &statement.text))
}

/// Parses the statement of a Parse message: exactly one statement.
pub struct StatementParser;

#[async_trait]
impl QueryParser for StatementParser {
    type Statement = ParsedStatement;

    async fn parse_sql<C>(
        &self,
        client: &C,
        sql: &str,
        _types: &[Option<Type>],
    ) -> PgWireResult<Option<ParsedStatement>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        // Through the session, whose parse cache serves drivers that send
        // the same Parse for every execution.
        let shared = session_of(client)?;
        let statements = shared
            .lock()
            .await
            .parse(sql)
            .map_err(|e| user_error(&e, sql))?;
        match statements.len() {
            0 => Ok(None),
            1 => Ok(Some(statements[0].clone())),
            _ => Err(user_error(
                &Error::new(
                    SqlState::SYNTAX_ERROR,
                    "cannot insert multiple commands into a prepared statement",
                ),
                sql,
            )),
        }
    }

    fn get_parameter_types(&self, _statement: &ParsedStatement) -> PgWireResult<Vec<Type>> {
        // Describe is answered by `ScalephHandler::do_describe_*`, which can ask the session.
        Ok(Vec::new())
    }

    fn get_result_schema(
        &self,
        _statement: &ParsedStatement,
        _format: Option<&Format>,
    ) -> PgWireResult<Vec<FieldInfo>> {
        Ok(Vec::new())
    }
}

#[async_trait]
impl ExtendedQueryHandler for ScalephHandler {
    type Statement = ParsedStatement;
    type QueryParser = StatementParser;

    fn query_parser(&self) -> Arc<StatementParser> {
        self.parser.clone()
    }

    async fn on_execute<C>(&self, client: &mut C, message: Execute) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = ParsedStatement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let executed = self._on_execute(client, message).await;
        // pgwire guesses the status from the kind of response (BEGIN,
        // another transaction statement, anything else); the session
        // knows it (a SAVEPOINT keeps the block open).
        if let Ok(shared) = session_of(client) {
            transaction::mirror(client, &*shared.lock().await);
        }
        executed
    }

    async fn do_describe_statement<C>(
        &self,
        client: &mut C,
        target: &StoredStatement<ParsedStatement>,
    ) -> PgWireResult<DescribeStatementResponse>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = ParsedStatement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let description = describe(client, &target.statement).await?;
        let count = target
            .parameter_types
            .len()
            .max(description.param_types.len());
        let parameters = (0..count)
            .map(|i| {
                params::parameter_type(
                    target.parameter_types.get(i).and_then(Option::as_ref),
                    description.param_types.get(i).and_then(Option::as_ref),
                )
            })
            .collect();
        let fields = description
            .schema
            .map(|s| fields(&s, None, "UTC"))
            .unwrap_or_default();
        Ok(DescribeStatementResponse::new(parameters, fields))
    }

    async fn do_describe_portal<C>(
        &self,
        client: &mut C,
        portal: &Portal<ParsedStatement>,
    ) -> PgWireResult<DescribePortalResponse>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = ParsedStatement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let description = describe(client, &portal.statement.statement).await?;
        let fields = description
            .schema
            .map(|s| fields(&s, Some(&portal.result_column_format), "UTC"))
            .unwrap_or_default();
        Ok(DescribePortalResponse::new(fields))
    }

    async fn do_query<C>(
        &self,
        client: &mut C,
        portal: &Portal<ParsedStatement>,
        _max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = ParsedStatement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let shared = session_of(client)?;
        let mut session = shared.lock().await;
        let _busy = Busy::new(&self.state.in_flight);
        let statement = &portal.statement.statement;
        let text = statement.text.clone();
        // `execute` refuses it too, but describing the parameters of a
        // Flink statement runs it: refuse first.
        session
            .transaction_status()
            .admit(&statement.statement)
            .map_err(|e| user_error(&e, &text))?;
        let params = if portal.parameter_len() > 0 {
            let description = session
                .describe(statement)
                .await
                .map_err(|e| user_error(&e, &text))?;
            params::decode(portal, &description.param_types)?
        } else {
            Vec::new()
        };
        let before = session.vars().reported();
        let output = execute_reporting(client, &mut session, statement, params)
            .await?
            .map_err(|e| user_error(&e, &text))?;
        if !output.more.is_empty() {
            let err = Error::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                format!(
                    "this statement returns {} results (one per sink) and an extended-protocol Execute carries one",
                    output.more.len() + 1
                ),
            )
            .with_hint("run it as a simple query (psql, or a driver's simple mode), or preview each INSERT on its own");
            return Err(user_error(&err, &text));
        }
        send_notices(client, &output.notices).await?;
        report_changes(client, &before, &session).await?;
        let time_zone = session.vars().time_zone();
        Ok(match output.result {
            QueryResult::Command(tag) => {
                let pg_tag = command_tag(&tag);
                match &statement.statement {
                    Statement::Transaction(TransactionCommand::Begin) => {
                        Response::TransactionStart(pg_tag)
                    }
                    Statement::Transaction(_) => Response::TransactionEnd(pg_tag),
                    _ => Response::Execution(pg_tag),
                }
            }
            QueryResult::Rows { schema, batches }
                if let Statement::CopyTo(copy) = &statement.statement =>
            {
                let rows = send_copy_out(client, &copy.format, &schema, batches, &time_zone)
                    .await?
                    .map_err(|e| user_error(&e, &text))?;
                Response::Execution(copy_tag(rows))
            }
            QueryResult::Rows { schema, batches } => {
                let fields = Arc::new(fields(
                    &schema,
                    Some(&portal.result_column_format),
                    &time_zone,
                ));
                let row_fields = fields.clone();
                let rows = batches.flat_map(move |batch| {
                    let rows = batch
                        .map_err(|e| user_error(&e, &text))
                        .and_then(|batch| encode_batch(&batch, &row_fields));
                    stream::iter(match rows {
                        Ok(rows) => rows.into_iter().map(Ok).collect::<Vec<_>>(),
                        Err(e) => vec![Err(e)],
                    })
                });
                Response::Query(QueryResponse::new(fields, rows))
            }
        })
    }
}

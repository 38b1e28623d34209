//! The simple query protocol: a Query message holds a script, whose
//! statements run one by one, each answered in full (rows stream to the
//! client as they come), until one fails; then ErrorResponse and, in any
//! case, one ReadyForQuery.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use futures::{FutureExt, Sink, SinkExt, StreamExt};
use pgwire::api::query::SimpleQueryHandler;
use pgwire::api::results::{Response, Tag};
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireConnectionState};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::data::RowDescription;
use pgwire::messages::response::{CommandComplete, EmptyQueryResponse, ReadyForQuery};
use pgwire::messages::simplequery::Query;

use super::copy::{copy_tag, send_copy_out};
use super::encode::{encode_batch, fields};
use super::error::error_info;
use super::handler::{Busy, ScalephHandler, session_of};
use super::respond::{command_tag, execute_reporting, report_changes, send_notices};
use super::transaction;
use crate::error::Error;
use crate::result::{Notice, QueryResult};
use crate::session::Session;
use crate::sql::ParsedStatement;
use crate::sql::ast::Statement;

/// Sends one result of a simple query: its rows or its command tag.
async fn send_result<C>(
    client: &mut C,
    statement: &ParsedStatement,
    result: QueryResult,
    time_zone: &str,
) -> PgWireResult<Result<(), Error>>
where
    C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    match result {
        QueryResult::Command(tag) => {
            client
                .feed(PgWireBackendMessage::CommandComplete(
                    CommandComplete::from(command_tag(&tag)),
                ))
                .await?;
        }
        QueryResult::Rows { schema, batches }
            if let Statement::CopyTo(copy) = &statement.statement =>
        {
            let rows =
                match send_copy_out(client, &copy.format, &schema, batches, time_zone).await? {
                    Ok(rows) => rows,
                    Err(err) => return Ok(Err(err)),
                };
            client
                .feed(PgWireBackendMessage::CommandComplete(
                    CommandComplete::from(copy_tag(rows)),
                ))
                .await?;
        }
        QueryResult::Rows {
            schema,
            mut batches,
        } => {
            let fields = Arc::new(fields(&schema, None, time_zone));
            let description = RowDescription::new(fields.iter().map(|f| f.into()).collect());
            client
                .feed(PgWireBackendMessage::RowDescription(description))
                .await?;
            let mut count = 0;
            loop {
                // Rows reach the client while the query still runs: when
                // the next batch is not ready yet, flush what was sent.
                let next = match batches.next().now_or_never() {
                    Some(next) => next,
                    None => {
                        client.flush().await?;
                        batches.next().await
                    }
                };
                let Some(batch) = next else { break };
                let batch = match batch {
                    Ok(batch) => batch,
                    Err(err) => return Ok(Err(err)),
                };
                for row in encode_batch(&batch, &fields)? {
                    client.feed(PgWireBackendMessage::DataRow(row)).await?;
                }
                count += batch.num_rows();
            }
            let tag = Tag::new("SELECT").with_rows(count);
            client
                .feed(PgWireBackendMessage::CommandComplete(
                    CommandComplete::from(tag),
                ))
                .await?;
        }
    }
    Ok(Ok(()))
}

/// Runs one statement of a simple query and sends its whole response.
async fn run_statement<C>(
    client: &mut C,
    session: &mut Session,
    statement: &ParsedStatement,
) -> PgWireResult<Result<(), Error>>
where
    C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let before = session.vars().reported();
    let output = match execute_reporting(client, session, statement, Vec::new()).await? {
        Ok(output) => output,
        Err(err) => return Ok(Err(err)),
    };
    send_notices(client, &output.notices).await?;
    report_changes(client, &before, session).await?;
    let time_zone = session.vars().time_zone();
    if let Err(err) = send_result(client, statement, output.result, &time_zone).await? {
        return Ok(Err(err));
    }
    for more in output.more {
        send_notices(client, &[Notice::new(more.label)]).await?;
        if let Err(err) = send_result(client, statement, more.result, &time_zone).await? {
            return Ok(Err(err));
        }
    }
    Ok(Ok(()))
}

/// Runs the script `text` and sends every response but ReadyForQuery: the
/// statements' results up to the first error, then that error.
async fn run_script<C>(client: &mut C, session: &mut Session, text: &str) -> PgWireResult<()>
where
    C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let failure = match session.parse(text) {
        Err(err) => Some(err),
        Ok(statements) if statements.is_empty() => {
            client
                .feed(PgWireBackendMessage::EmptyQueryResponse(
                    EmptyQueryResponse::new(),
                ))
                .await?;
            None
        }
        Ok(statements) => {
            let mut failure = None;
            for statement in statements.iter() {
                if let Err(err) = run_statement(client, session, statement).await? {
                    failure = Some(err);
                    break;
                }
            }
            failure
        }
    };
    if let Some(err) = failure {
        // `execute` fails the block on its own errors; a script that did
        // not parse, or rows that broke off, the session learns of here.
        session.fail_transaction();
        client
            .feed(PgWireBackendMessage::ErrorResponse(
                error_info(&err, text).into(),
            ))
            .await?;
    }
    Ok(())
}

#[async_trait]
impl SimpleQueryHandler for ScalephHandler {
    async fn on_query<C>(&self, client: &mut C, query: Query) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let shared = session_of(client)?;
        let mut session = shared.lock().await;
        let _busy = Busy::new(&self.state.in_flight);
        client.set_state(PgWireConnectionState::QueryInProgress);
        let sent = run_script(client, &mut session, &query.query).await;
        // Also when sending failed: pgwire then reports the error with
        // the connection's status.
        let status = transaction::mirror(client, &session);
        sent?;
        client.set_state(PgWireConnectionState::ReadyForQuery);
        client
            .send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
                status,
            )))
            .await?;
        Ok(())
    }

    async fn do_query<C>(&self, _client: &mut C, _query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        // `on_query` above handles simple queries end to end.
        Err(PgWireError::NotReadyForQuery)
    }
}

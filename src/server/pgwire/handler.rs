//! The per-connection side of the pgwire server: startup (trust, session
//! variables, cancel key), the simple and the extended query protocol, and
//! CancelRequest. Each connection owns one [`Session`], kept in pgwire's
//! per-connection extensions; every statement goes through it.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use futures::{FutureExt, Sink, SinkExt, StreamExt, stream};
use pgwire::api::auth::{
    ServerParameterProvider, StartupHandler, finish_authentication, protocol_negotiation,
    save_startup_parameters_to_metadata,
};
use pgwire::api::cancel::CancelHandler;
use pgwire::api::portal::Portal;
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::{
    DescribePortalResponse, DescribeStatementResponse, FieldInfo, QueryResponse, Response, Tag,
};
use pgwire::api::stmt::{QueryParser, StoredStatement};
use pgwire::api::store::PortalStore;
use pgwire::api::{
    ClientInfo, ClientPortalStore, PgWireConnectionState, PgWireServerHandlers, Type,
};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::cancel::CancelRequest;
use pgwire::messages::copy::{CopyData, CopyDone, CopyOutResponse};
use pgwire::messages::response::{
    CommandComplete, EmptyQueryResponse, NoticeResponse, ReadyForQuery, TransactionStatus,
};
use pgwire::messages::simplequery::Query;
use pgwire::messages::startup::{ParameterStatus, SecretKey};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage, ProtocolVersion};
use tokio::sync::Mutex as AsyncMutex;

use super::copy;
use super::encode::{encode_batch, fields};
use super::error::{error_info, notice_info, user_error};
use super::held::Batched;
use super::params;
use crate::error::{Error, SqlState};
use crate::result::{Notice, QueryResult};
use crate::session::{CancelHandle, Context, Session, SessionInfo};
use crate::sql::ParsedStatement;
use crate::sql::ast::{Statement, TransactionCommand};

/// A connection's session, shared between pgwire's handler calls.
type SharedSession = AsyncMutex<Session>;

/// State shared by every connection of one server.
pub struct ServerState {
    context: Arc<Context>,
    /// Backend key (pid, secret) -> the session's cancel handle.
    cancels: Mutex<HashMap<(i32, Bytes), CancelHandle>>,
    /// Statements running now, for a graceful shutdown.
    in_flight: AtomicUsize,
}

impl ServerState {
    /// How many statements are running now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }
}

/// Counts a running statement while alive.
struct Busy<'a>(&'a AtomicUsize);

impl<'a> Busy<'a> {
    fn new(counter: &'a AtomicUsize) -> Busy<'a> {
        counter.fetch_add(1, Ordering::SeqCst);
        Busy(counter)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Removes a connection's cancel key when the connection ends.
struct CancelRegistration {
    state: Arc<ServerState>,
    key: (i32, Bytes),
}

impl Drop for CancelRegistration {
    fn drop(&mut self) {
        if let Ok(mut cancels) = self.state.cancels.lock() {
            cancels.remove(&self.key);
        }
    }
}

/// Every pgwire handler of scaleph, in one value.
pub struct ScalephHandler {
    state: Arc<ServerState>,
    parser: Arc<StatementParser>,
}

impl ScalephHandler {
    /// Handlers over `context`.
    pub fn new(context: Arc<Context>) -> ScalephHandler {
        ScalephHandler {
            state: Arc::new(ServerState {
                context,
                cancels: Mutex::new(HashMap::new()),
                in_flight: AtomicUsize::new(0),
            }),
            parser: Arc::new(StatementParser),
        }
    }

    /// The shared server state.
    pub fn state(&self) -> &Arc<ServerState> {
        &self.state
    }
}

/// The factory pgwire asks for handlers.
pub struct Handlers(pub Arc<ScalephHandler>);

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.0.clone()
    }

    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        Arc::new(Batched(self.0.clone()))
    }

    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        self.0.clone()
    }

    fn cancel_handler(&self) -> Arc<impl CancelHandler> {
        self.0.clone()
    }
}

fn session_of<C: ClientInfo>(client: &C) -> PgWireResult<Arc<SharedSession>> {
    client
        .session_extensions()
        .get::<SharedSession>()
        .ok_or(PgWireError::NotReadyForQuery)
}

fn fatal(err: &Error) -> PgWireError {
    let mut info = error_info(err, "");
    info.severity = "FATAL".to_string();
    PgWireError::UserError(Box::new(info))
}

/// The values reported to the client at startup.
struct ReportedParameters(HashMap<String, String>);

impl ServerParameterProvider for ReportedParameters {
    fn server_parameters<C: ClientInfo>(&self, _client: &C) -> Option<HashMap<String, String>> {
        Some(self.0.clone())
    }
}

/// Startup parameters that set session variables.
const STARTUP_VARIABLES: &[&str] = &[
    "application_name",
    "client_encoding",
    "DateStyle",
    "TimeZone",
    "extra_float_digits",
    "IntervalStyle",
    "search_path",
];

fn new_secret_key(version: ProtocolVersion) -> SecretKey {
    match version {
        ProtocolVersion::PROTOCOL3_0 => SecretKey::I32(rand::random::<i32>()),
        _ => {
            let bytes: [u8; 32] = rand::random();
            SecretKey::Bytes(Bytes::copy_from_slice(&bytes))
        }
    }
}

#[async_trait]
impl StartupHandler for ScalephHandler {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let PgWireFrontendMessage::Startup(startup) = message else {
            return Ok(());
        };
        protocol_negotiation(client, &startup).await?;
        save_startup_parameters_to_metadata(client, &startup);
        let user = startup
            .parameters
            .get("user")
            .cloned()
            .unwrap_or_else(|| "scaleph".to_string());
        let database = startup
            .parameters
            .get("database")
            .cloned()
            .unwrap_or_else(|| user.clone());
        let info = SessionInfo::new(user.clone(), database, client.socket_addr().to_string());
        let mut session = Session::new(self.state.context.clone(), info);
        for (key, value) in &startup.parameters {
            if STARTUP_VARIABLES
                .iter()
                .any(|v| v.eq_ignore_ascii_case(key))
            {
                session.vars_mut().set(key, value).map_err(|e| fatal(&e))?;
            }
        }
        for notice in session.connect().await.map_err(|e| fatal(&e))? {
            tracing::warn!(session = session.info().id, "{}", notice.message);
        }
        let pid = session.info().id as i32;
        let secret = new_secret_key(client.protocol_version());
        client.set_pid_and_secret_key(pid, secret.clone());
        let key = (pid, secret.to_bytes());
        self.state
            .cancels
            .lock()
            .map_err(|_| PgWireError::NotReadyForQuery)?
            .insert(key.clone(), session.cancel_handle());
        client.session_extensions().insert(CancelRegistration {
            state: self.state.clone(),
            key,
        });
        let mut reported: HashMap<String, String> = session
            .vars()
            .reported()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        reported.insert("session_authorization".to_string(), user);
        tracing::debug!(session = pid, client = %client.socket_addr(), "connection started");
        client
            .session_extensions()
            .insert::<SharedSession>(AsyncMutex::new(session));
        finish_authentication(client, &ReportedParameters(reported)).await
    }
}

#[async_trait]
impl CancelHandler for ScalephHandler {
    async fn on_cancel_request(&self, request: CancelRequest) {
        let handle = self.state.cancels.lock().ok().and_then(|c| {
            c.get(&(request.pid, request.secret_key.to_bytes()))
                .cloned()
        });
        if let Some(handle) = handle {
            tracing::debug!(session = request.pid, "cancel request");
            handle.cancel();
        }
    }
}

/// Sends the notices of a statement's output.
async fn send_notices<C>(client: &mut C, notices: &[Notice]) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    for notice in notices {
        client
            .feed(PgWireBackendMessage::NoticeResponse(NoticeResponse::from(
                notice_info(notice),
            )))
            .await?;
    }
    Ok(())
}

/// Sends ParameterStatus for every reported variable whose value changed.
async fn report_changes<C>(
    client: &mut C,
    before: &[(&'static str, String)],
    session: &Session,
) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    for (name, value) in session.vars().reported() {
        if !before.iter().any(|(n, v)| *n == name && *v == value) {
            client
                .feed(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(
                    name.to_string(),
                    value,
                )))
                .await?;
        }
    }
    Ok(())
}

/// The transaction status after a statement ran successfully.
fn status_after(status: TransactionStatus, statement: &Statement) -> TransactionStatus {
    match statement {
        Statement::Transaction(TransactionCommand::Begin) => TransactionStatus::Transaction,
        Statement::Transaction(TransactionCommand::Commit | TransactionCommand::Rollback) => {
            TransactionStatus::Idle
        }
        // Rolling back to a savepoint leaves a failed transaction usable.
        Statement::Transaction(TransactionCommand::RollbackToSavepoint)
            if status == TransactionStatus::Error =>
        {
            TransactionStatus::Transaction
        }
        _ => status,
    }
}

/// Whether a statement may run in a failed transaction block (it ends it,
/// or rolls back to a savepoint).
fn ends_transaction(statement: &Statement) -> bool {
    matches!(
        statement,
        Statement::Transaction(
            TransactionCommand::Commit
                | TransactionCommand::Rollback
                | TransactionCommand::RollbackToSavepoint
        )
    )
}

fn aborted_transaction() -> Error {
    Error::new(
        SqlState::IN_FAILED_SQL_TRANSACTION,
        "current transaction is aborted, commands ignored until end of transaction block",
    )
}

/// The command tag of a finished statement, as PostgreSQL writes it.
fn command_tag(
    statement: &Statement,
    status: TransactionStatus,
    tag: &crate::result::CommandTag,
) -> Tag {
    // COMMIT of a failed transaction block rolls back, and says so.
    let name = match statement {
        Statement::Transaction(TransactionCommand::Commit)
            if status == TransactionStatus::Error =>
        {
            "ROLLBACK"
        }
        _ => tag.tag.as_str(),
    };
    match tag.rows {
        Some(rows) => Tag::new(name).with_rows(rows),
        None => Tag::new(name),
    }
}

/// Sends one result of a simple query: its rows or its command tag.
async fn send_result<C>(
    client: &mut C,
    statement: &ParsedStatement,
    status: TransactionStatus,
    result: QueryResult,
) -> PgWireResult<Result<(), Error>>
where
    C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    match result {
        QueryResult::Command(tag) => {
            let tag = command_tag(&statement.statement, status, &tag);
            client
                .feed(PgWireBackendMessage::CommandComplete(
                    CommandComplete::from(tag),
                ))
                .await?;
        }
        QueryResult::Rows { schema, batches }
            if let Statement::CopyTo(copy) = &statement.statement =>
        {
            let rows = match send_copy_out(client, &copy.format, &schema, batches).await? {
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
            let fields = Arc::new(fields(&schema, None));
            let description = pgwire::messages::data::RowDescription::new(
                fields.iter().map(|f| f.into()).collect(),
            );
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

/// The tag of a COPY of `rows` rows.
fn copy_tag(rows: usize) -> Tag {
    Tag::new("COPY").with_rows(rows)
}

/// Sends the rows of `batches` in COPY's copy-out sub-protocol: the
/// CopyOutResponse, a CopyData per line (the header first when asked),
/// then CopyDone; the number of rows, or the error that stopped the query
/// (sent by the caller as an ErrorResponse, which also ends copy-out).
async fn send_copy_out<C>(
    client: &mut C,
    format: &crate::sql::ast::CopyFormat,
    schema: &arrow::datatypes::Schema,
    mut batches: crate::result::RecordBatchStream,
) -> PgWireResult<Result<usize, Error>>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let columns = schema.fields().len();
    let text_formats = vec![0; columns];
    client
        .feed(PgWireBackendMessage::CopyOutResponse(CopyOutResponse::new(
            0,
            columns as i16,
            text_formats,
        )))
        .await?;
    if format.header {
        let header = copy::header_line(schema, format);
        client
            .feed(PgWireBackendMessage::CopyData(CopyData::new(header.into())))
            .await?;
    }
    let mut rows = 0;
    while let Some(batch) = batches.next().await {
        let batch = match batch {
            Ok(batch) => batch,
            Err(err) => return Ok(Err(err)),
        };
        for line in copy::lines(&batch, format)? {
            client
                .feed(PgWireBackendMessage::CopyData(CopyData::new(line.into())))
                .await?;
        }
        rows += batch.num_rows();
        client.flush().await?;
    }
    client
        .feed(PgWireBackendMessage::CopyDone(CopyDone::new()))
        .await?;
    Ok(Ok(rows))
}

impl ScalephHandler {
    /// Runs one statement of a simple query and sends its whole response.
    async fn run_simple<C>(
        &self,
        client: &mut C,
        session: &mut Session,
        statement: &ParsedStatement,
        status: TransactionStatus,
    ) -> PgWireResult<Result<(), Error>>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let before = session.vars().reported();
        let output = match session.execute(statement, Vec::new()).await {
            Ok(output) => output,
            Err(err) => return Ok(Err(err)),
        };
        send_notices(client, &output.notices).await?;
        report_changes(client, &before, session).await?;
        if let Err(err) = send_result(client, statement, status, output.result).await? {
            return Ok(Err(err));
        }
        for more in output.more {
            send_notices(client, &[Notice::new(more.label)]).await?;
            if let Err(err) = send_result(client, statement, status, more.result).await? {
                return Ok(Err(err));
            }
        }
        Ok(Ok(()))
    }
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
        let mut status = client.transaction_status();
        let text = query.query;
        let failure = match session.parse(&text) {
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
                    if status == TransactionStatus::Error && !ends_transaction(&statement.statement)
                    {
                        failure = Some(aborted_transaction());
                        break;
                    }
                    if let Err(err) = self
                        .run_simple(client, &mut session, statement, status)
                        .await?
                    {
                        failure = Some(err);
                        break;
                    }
                    status = status_after(status, &statement.statement);
                }
                failure
            }
        };
        if let Some(err) = failure {
            client
                .feed(PgWireBackendMessage::ErrorResponse(
                    error_info(&err, &text).into(),
                ))
                .await?;
            if status == TransactionStatus::Transaction {
                status = TransactionStatus::Error;
            }
        }
        client.set_state(PgWireConnectionState::ReadyForQuery);
        client.set_transaction_status(status);
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

/// Describes `statement` with the client's session.
async fn describe<C: ClientInfo>(
    client: &C,
    statement: &ParsedStatement,
) -> PgWireResult<crate::session::Description> {
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
        _format: Option<&pgwire::api::portal::Format>,
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
            .map(|s| fields(&s, None))
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
            .map(|s| fields(&s, Some(&portal.result_column_format)))
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
        let status = client.transaction_status();
        if status == TransactionStatus::Error && !ends_transaction(&statement.statement) {
            return Err(user_error(&aborted_transaction(), &text));
        }
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
        let output = session
            .execute(statement, params)
            .await
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
        Ok(match output.result {
            QueryResult::Command(tag) => {
                let pg_tag = command_tag(&statement.statement, status, &tag);
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
                let rows = send_copy_out(client, &copy.format, &schema, batches)
                    .await?
                    .map_err(|e| user_error(&e, &text))?;
                Response::Execution(copy_tag(rows))
            }
            QueryResult::Rows { schema, batches } => {
                let fields = Arc::new(fields(&schema, Some(&portal.result_column_format)));
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

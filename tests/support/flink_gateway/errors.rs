//! Java exceptions the way the gateway prints them: `class: message`, a few
//! `\tat` frames, then each cause as `Caused by: ...` with its own frames and a
//! `\t... N more` line, every line ending in `\n` (`Throwable.printStackTrace`).
//!
//! The frames are plausible stand-ins written for this double; clients must
//! only rely on the `Caused by:` lines and the messages.

/// `org.apache.flink.runtime.rest.handler.RestHandlerException`.
pub const REST_HANDLER: &str = "org.apache.flink.runtime.rest.handler.RestHandlerException";
/// `SqlGatewayException`, the service's wrapper.
pub const SQL_GATEWAY: &str = "org.apache.flink.table.gateway.api.utils.SqlGatewayException";
/// `SqlExecutionException`, the operation's wrapper.
pub const SQL_EXECUTION: &str =
    "org.apache.flink.table.gateway.service.utils.SqlExecutionException";
/// Validation failures of the planner and the catalog manager.
pub const VALIDATION: &str = "org.apache.flink.table.api.ValidationException";
/// A syntax error (message prefixed with `SQL parse failed. `).
pub const SQL_PARSER: &str = "org.apache.flink.table.api.SqlParserException";
/// An incomplete statement (message contains `Encountered "<EOF>"`).
pub const SQL_PARSER_EOF: &str = "org.apache.flink.table.api.SqlParserEOFException";
/// Calcite's parse exception, between Flink's and the generated parser's.
pub const CALCITE_PARSE: &str = "org.apache.calcite.sql.parser.SqlParseException";
/// The generated parser's exception: the last cause of a syntax error.
pub const FLINK_PARSE: &str = "org.apache.flink.sql.parser.impl.ParseException";
/// The generated tokenizer's error (an unterminated literal).
pub const TOKEN_MGR: &str = "org.apache.flink.sql.parser.impl.TokenMgrError";
/// Calcite's positioned validation error.
pub const CALCITE_CONTEXT: &str = "org.apache.calcite.runtime.CalciteContextException";
/// Calcite's validator error: the last cause of a validation failure.
pub const SQL_VALIDATOR: &str = "org.apache.calcite.sql.validate.SqlValidatorException";
/// `CatalogException`.
pub const CATALOG: &str = "org.apache.flink.table.catalog.exceptions.CatalogException";
/// A table or view that already exists.
pub const TABLE_EXISTS: &str =
    "org.apache.flink.table.catalog.exceptions.TableAlreadyExistException";
/// A database that already exists.
pub const DATABASE_EXISTS: &str =
    "org.apache.flink.table.catalog.exceptions.DatabaseAlreadyExistException";
/// A database that does not exist.
pub const DATABASE_NOT_EXIST: &str =
    "org.apache.flink.table.catalog.exceptions.DatabaseNotExistException";
/// A database that still holds tables.
pub const DATABASE_NOT_EMPTY: &str =
    "org.apache.flink.table.catalog.exceptions.DatabaseNotEmptyException";
/// A function that already exists.
pub const FUNCTION_EXISTS: &str =
    "org.apache.flink.table.catalog.exceptions.FunctionAlreadyExistException";
/// A job id the cluster does not know.
pub const JOB_NOT_FOUND: &str = "org.apache.flink.runtime.messages.FlinkJobNotFoundException";
/// `java.lang.UnsupportedOperationException`.
pub const UNSUPPORTED: &str = "java.lang.UnsupportedOperationException";
/// `java.lang.IllegalArgumentException`.
pub const ILLEGAL_ARGUMENT: &str = "java.lang.IllegalArgumentException";
/// Jackson's error for a body that is not JSON or has the wrong types.
pub const JSON_MAPPING: &str =
    "org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonMappingException";

/// Frames of the REST layer under every handler.
const NETTY: &[&str] = &[
    "org.apache.flink.runtime.rest.handler.AbstractHandler.respondAsLeader(AbstractHandler.java:211)",
    "org.apache.flink.runtime.rest.handler.LeaderRetrievalHandler.lambda$channelRead0$0(LeaderRetrievalHandler.java:83)",
    "java.base/java.util.Optional.ifPresent(Optional.java:178)",
    "org.apache.flink.util.OptionalConsumer.ifPresent(OptionalConsumer.java:45)",
    "org.apache.flink.runtime.rest.handler.LeaderRetrievalHandler.channelRead0(LeaderRetrievalHandler.java:80)",
    "org.apache.flink.shaded.netty4.io.netty.channel.SimpleChannelInboundHandler.channelRead(SimpleChannelInboundHandler.java:99)",
    "java.base/java.lang.Thread.run(Thread.java:840)",
];

/// Where an exception was thrown; picks its frames.
#[derive(Clone, Copy, Debug)]
pub enum Site {
    /// A REST handler (the class name is given).
    Handler(&'static str),
    /// `SqlGatewayServiceImpl` (the method is given).
    Service(&'static str),
    /// `SessionManagerImpl.getSession`.
    SessionManager,
    /// `OperationManager` (a missing or wrongly placed operation).
    OperationManager,
    /// `OperationManager$Operation.processThrowable`.
    Operation,
    /// `ResultFetcher.fetchResults` (token checks).
    ResultFetcher,
    /// `CalciteParser.parseSqlList`.
    Parser,
    /// The generated parser.
    GeneratedParser,
    /// The Calcite validator.
    Validator,
    /// `CatalogManager` / `TableEnvironmentImpl`.
    Catalog,
    /// `OperationExecutor` (statements the gateway itself rejects).
    Executor,
    /// The cluster client (job operations).
    Cluster,
    /// Request parsing of the REST layer.
    Request,
}

impl Site {
    /// A few frames for this site (the REST layer's are appended for handlers).
    fn frames(self) -> Vec<String> {
        let own: Vec<String> = match self {
            Site::Handler(class) => vec![
                format!("org.apache.flink.table.gateway.rest.handler.{class}.handleRequest({}.java:88)", short(class)),
                "org.apache.flink.table.gateway.rest.handler.AbstractSqlGatewayRestHandler.respondToRequest(AbstractSqlGatewayRestHandler.java:84)".into(),
            ],
            Site::Service(method) => vec![
                format!("org.apache.flink.table.gateway.service.SqlGatewayServiceImpl.{method}(SqlGatewayServiceImpl.java:212)"),
            ],
            Site::SessionManager => vec![
                "org.apache.flink.table.gateway.service.session.SessionManagerImpl.getSession(SessionManagerImpl.java:130)".into(),
                "org.apache.flink.table.gateway.service.SqlGatewayServiceImpl.getSession(SqlGatewayServiceImpl.java:364)".into(),
            ],
            Site::OperationManager => vec![
                "org.apache.flink.table.gateway.service.operation.OperationManager.getOperation(OperationManager.java:223)".into(),
            ],
            Site::Operation => vec![
                "org.apache.flink.table.gateway.service.operation.OperationManager$Operation.processThrowable(OperationManager.java:414)".into(),
                "org.apache.flink.table.gateway.service.operation.OperationManager$Operation.lambda$run$0(OperationManager.java:268)".into(),
                "java.base/java.util.concurrent.FutureTask.run(FutureTask.java:264)".into(),
                "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)".into(),
            ],
            Site::ResultFetcher => vec![
                "org.apache.flink.table.gateway.service.result.ResultFetcher.fetchResults(ResultFetcher.java:241)".into(),
                "org.apache.flink.table.gateway.service.operation.OperationManager$Operation.fetchResults(OperationManager.java:361)".into(),
            ],
            Site::Parser => vec![
                "org.apache.flink.table.planner.parse.CalciteParser.parseSqlList(CalciteParser.java:81)".into(),
                "org.apache.flink.table.planner.delegation.ParserImpl.parse(ParserImpl.java:102)".into(),
                "org.apache.flink.table.gateway.service.operation.OperationExecutor.executeStatement(OperationExecutor.java:196)".into(),
            ],
            Site::GeneratedParser => vec![
                "org.apache.flink.sql.parser.impl.FlinkSqlParserImpl.generateParseException(FlinkSqlParserImpl.java:43580)".into(),
                "org.apache.flink.sql.parser.impl.FlinkSqlParserImpl.jj_consume_token(FlinkSqlParserImpl.java:43391)".into(),
                "org.apache.flink.sql.parser.impl.FlinkSqlParserImpl.SqlStmtList(FlinkSqlParserImpl.java:3542)".into(),
            ],
            Site::Validator => vec![
                "org.apache.calcite.sql.validate.SqlValidatorImpl.newValidationError(SqlValidatorImpl.java:5599)".into(),
                "org.apache.flink.table.planner.calcite.FlinkPlannerImpl.validate(FlinkPlannerImpl.scala:195)".into(),
            ],
            Site::Catalog => vec![
                "org.apache.flink.table.catalog.CatalogManager.execute(CatalogManager.java:1432)".into(),
                "org.apache.flink.table.api.internal.TableEnvironmentImpl.executeInternal(TableEnvironmentImpl.java:1102)".into(),
            ],
            Site::Executor => vec![
                "org.apache.flink.table.gateway.service.operation.OperationExecutor.executeOperation(OperationExecutor.java:455)".into(),
                "org.apache.flink.table.gateway.service.operation.OperationExecutor.executeStatement(OperationExecutor.java:207)".into(),
            ],
            Site::Cluster => vec![
                "org.apache.flink.runtime.dispatcher.Dispatcher.lambda$requestJobStatus$27(Dispatcher.java:1018)".into(),
                "org.apache.flink.table.gateway.service.operation.OperationExecutor.runClusterAction(OperationExecutor.java:640)".into(),
            ],
            Site::Request => vec![],
        };
        match self {
            Site::Handler(_) | Site::Request => own
                .into_iter()
                .chain(NETTY.iter().map(|f| f.to_string()))
                .collect(),
            _ => own,
        }
    }
}

/// The simple class name of a handler path such as `statement.FetchResultsHandler`.
fn short(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

/// One Java exception and its causes.
#[derive(Clone, Debug)]
pub struct JavaError {
    class: &'static str,
    message: String,
    site: Site,
    cause: Option<Box<JavaError>>,
}

impl JavaError {
    /// An exception of `class` with `message`, thrown at `site`.
    pub fn new(class: &'static str, message: impl Into<String>, site: Site) -> JavaError {
        JavaError {
            class,
            message: message.into(),
            site,
            cause: None,
        }
    }

    /// A new exception of `class` whose cause is `self`.
    pub fn wrap(self, class: &'static str, message: impl Into<String>, site: Site) -> JavaError {
        JavaError {
            class,
            message: message.into(),
            site,
            cause: Some(Box::new(self)),
        }
    }

    /// `new X(cause)`: the message is the cause's `toString()`.
    pub fn wrap_plain(self, class: &'static str, site: Site) -> JavaError {
        let message = self.head();
        self.wrap(class, message, site)
    }

    /// `class: message`, the first line of the trace.
    fn head(&self) -> String {
        format!("{}: {}", self.class, self.message)
    }

    /// The whole trace, every line ending in `\n`.
    pub fn trace(&self) -> String {
        let mut out = String::new();
        let mut current = Some(self);
        let mut first = true;
        let outer_frames = self.site.frames().len();
        while let Some(error) = current {
            if !first {
                out.push_str("Caused by: ");
            }
            out.push_str(&error.head());
            out.push('\n');
            for frame in error.site.frames() {
                out.push_str("\tat ");
                out.push_str(&frame);
                out.push('\n');
            }
            if !first {
                out.push_str(&format!("\t... {} more\n", outer_frames.max(1)));
            }
            first = false;
            current = error.cause.as_deref();
        }
        out
    }
}

/// JSON string literal of `text`.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_json_string(&mut out, text);
    out
}

/// Appends `text` as a JSON string literal, escaped as Jackson does.
pub fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = std::fmt::Write::write_fmt(out, format_args!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Error body shape 1: one element, the trace of a `RestHandlerException`.
pub fn shape1(error: &JavaError) -> String {
    format!("{{\"errors\":[{}]}}", json_string(&error.trace()))
}

/// Error body shape 2: `Internal server error.` and the trace in `<Exception on server side: ...>`.
pub fn shape2(error: &JavaError) -> String {
    let wrapped = format!(
        "<Exception on server side:\n{}\nEnd of exception on server side>",
        error.trace()
    );
    format!(
        "{{\"errors\":[\"Internal server error.\",{}]}}",
        json_string(&wrapped)
    )
}

/// A body with the given single error strings (404s, the JSON mapping failure).
pub fn plain_errors(message: &str) -> String {
    format!("{{\"errors\":[{}]}}", json_string(message))
}

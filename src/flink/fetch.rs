//! Reading an operation's results (docs/flink-sql-gateway-rest.md §3, §4): the fetch loop with
//! its token protocol (NOT_READY: retry token 0; empty PAYLOAD: no rows
//! yet, back off; EOS: done), pages decoded into Arrow batches while they
//! arrive, changelog rows shown with an `op` column or applied, limits for
//! unbounded queries, and the operation closed however the reading ends —
//! at EOS, at a limit, on an error, or when the reader goes away (a cancel,
//! a dropped connection).
//!
//! Bodies of every Flink version are read: Flink 1.16's lacks
//! `isQueryResult` and `resultKind`, which are then taken from the
//! statement's classification ([`ReadOptions::expect_query`],
//! [`ReadOptions::expect_rows`]); values of `resultType`, `resultKind` and
//! `kind` newer than scaleph are logged and read as their nearest known
//! meaning where that is safe. A page JSON cannot represent (a 500 `Could
//! not map response to JSON.`) is fetched again as PLAIN_TEXT, and the
//! rest of the operation with it.
//!
//! The loop runs in its own task, one page ahead of the client, and hands
//! over batches through a channel of two: fetching the next page overlaps
//! with encoding the last one, and memory stays flat however long the
//! result is.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{Field, Schema, SchemaRef};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use super::client::{GatewayClient, GatewayError, RowFormat};
use super::result::{FlinkColumn, FlinkType, decode_column};
use crate::error::{Error, Position, SqlState};
use crate::result::{CommandTag, QueryResult};
pub use crate::settings::ChangelogMode;

/// One fetched page, borrowing from the response body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<'a> {
    result_type: ResultType,
    /// Absent in Flink 1.16's body.
    #[serde(default)]
    is_query_result: Option<bool>,
    /// Absent in Flink 1.16's body.
    #[serde(default)]
    result_kind: Option<ResultKind>,
    #[serde(borrow, default)]
    results: Option<ResultInfo<'a>>,
    /// Only its presence matters: absent at the end of the results.
    #[serde(default)]
    next_result_uri: Option<serde::de::IgnoredAny>,
}

/// Logs, once per process and enum, a value newer than scaleph.
fn unknown_value(what: &'static str, value: &str, read_as: &'static str) {
    static WARNED: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !warned.contains(&what) {
        warned.push(what);
        tracing::warn!(
            what,
            value,
            read_as,
            "the Flink SQL Gateway sent a value scaleph does not know"
        );
    }
}

/// Deserializes an enum from its name without allocating: `known` maps
/// the names scaleph knows, anything else is `unknown` (logged).
macro_rules! tolerant_enum {
    ($name:ident, $what:literal, $unknown:expr, $read_as:literal, { $($text:literal => $variant:expr),+ $(,)? }) => {
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("a ", $what, " name"))
                    }
                    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<$name, E> {
                        Ok(match name {
                            $($text => $variant,)+
                            other => {
                                unknown_value($what, other, $read_as);
                                $unknown
                            }
                        })
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResultType {
    NotReady,
    Payload,
    Eos,
    /// A newer one: read as PAYLOAD when it has results (EOS without a
    /// `nextResultUri`), as NOT_READY when it has none.
    Unknown,
}

tolerant_enum!(ResultType, "resultType", ResultType::Unknown, "PAYLOAD or EOS with results, NOT_READY without", {
    "NOT_READY" => ResultType::NotReady,
    "PAYLOAD" => ResultType::Payload,
    "EOS" => ResultType::Eos,
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResultKind {
    Success,
    /// Also a newer kind: its rows are shown.
    SuccessWithContent,
}

tolerant_enum!(ResultKind, "resultKind", ResultKind::SuccessWithContent, "SUCCESS_WITH_CONTENT", {
    "SUCCESS" => ResultKind::Success,
    "SUCCESS_WITH_CONTENT" => ResultKind::SuccessWithContent,
});

impl Page<'_> {
    /// The result type, a newer one read by what the page holds.
    fn result_type(&self) -> ResultType {
        match (self.result_type, &self.results) {
            (ResultType::Unknown, None) => ResultType::NotReady,
            (ResultType::Unknown, Some(_)) if self.next_result_uri.is_some() => ResultType::Payload,
            (ResultType::Unknown, Some(_)) => ResultType::Eos,
            (known, _) => known,
        }
    }
}

#[derive(Deserialize)]
struct ResultInfo<'a> {
    columns: Vec<ColumnInfo>,
    #[serde(borrow)]
    data: Vec<RowData<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ColumnInfo {
    name: String,
    logical_type: serde_json::Value,
}

#[derive(Deserialize)]
struct RowData<'a> {
    kind: RowKind,
    #[serde(borrow)]
    fields: Vec<&'a RawValue>,
}

/// What a changelog row does (docs/flink-sql-gateway-rest.md §3: `RowKind.name()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// `+I`.
    Insert,
    /// `-U`: the row before an update.
    UpdateBefore,
    /// `+U`: the row after an update.
    UpdateAfter,
    /// `-D`.
    Delete,
    /// A kind newer than scaleph: shown as `?` in an `op` column, never
    /// applied nor shown as an insert.
    Unknown,
}

tolerant_enum!(RowKind, "row kind", RowKind::Unknown, "a change shown as ? in the op column", {
    "INSERT" => RowKind::Insert,
    "UPDATE_BEFORE" => RowKind::UpdateBefore,
    "UPDATE_AFTER" => RowKind::UpdateAfter,
    "DELETE" => RowKind::Delete,
});

impl RowKind {
    /// The short form Flink's SQL client shows in its `op` column.
    pub fn short(self) -> &'static str {
        match self {
            RowKind::Insert => "+I",
            RowKind::UpdateBefore => "-U",
            RowKind::UpdateAfter => "+U",
            RowKind::Delete => "-D",
            RowKind::Unknown => "?",
        }
    }

    /// Whether the row adds to the result (`+I`, `+U`) or takes away.
    fn adds(self) -> bool {
        matches!(self, RowKind::Insert | RowKind::UpdateAfter)
    }
}

/// How one statement's result is read.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// For a query result: stop after this many rows (`None`: all).
    pub max_rows: Option<usize>,
    /// For a query result: stop after this long (`None`: never). For any
    /// statement: the longest wait for it to start (NOT_READY), after
    /// which it fails with 57014 and is closed.
    pub timeout: Option<Duration>,
    /// How changelog rows are shown.
    pub changelog: ChangelogMode,
    /// Whether the query may produce update or delete rows (decides the
    /// `op` column in [`ChangelogMode::Auto`]).
    pub may_update: bool,
    /// Where the statement starts in its script, and its text, when the
    /// text Flink runs is the user's: Flink's parse errors point into it.
    pub statement: Option<(Position, Arc<str>)>,
    /// Whether the statement is a query (limits apply, rows may be a
    /// changelog): what a page without `isQueryResult` (Flink 1.16) means.
    pub expect_query: bool,
    /// Whether the statement returns rows rather than a command tag: what
    /// a page without `resultKind` (Flink 1.16) means.
    pub expect_rows: bool,
}

impl ReadOptions {
    /// Everything read, no `op` column: for scaleph's own SHOW and
    /// DESCRIBE requests.
    pub fn plain() -> ReadOptions {
        ReadOptions {
            max_rows: None,
            timeout: None,
            changelog: ChangelogMode::Auto,
            may_update: false,
            statement: None,
            expect_query: false,
            expect_rows: true,
        }
    }
}

/// What the reading task hands over.
enum Event {
    /// The statement returned no rows (`resultKind` SUCCESS).
    Done,
    /// The columns, before any batch.
    Schema(SchemaRef),
    /// Rows.
    Batch(RecordBatch),
}

/// The pauses between fetches that find nothing new: none the first
/// time (a result is often one fetch away), then 1 ms doubling to 100 ms
/// — Flink has no long-poll, and a client must not busy-poll it.
#[derive(Default)]
struct Backoff {
    misses: u32,
}

impl Backoff {
    const LONGEST: Duration = Duration::from_millis(100);

    /// The pause before the next try, after one more miss.
    fn next(&mut self) -> Duration {
        let pause = match self.misses {
            0 => Duration::ZERO,
            n => Duration::from_millis(1 << (n - 1).min(7)).min(Backoff::LONGEST),
        };
        self.misses += 1;
        pause
    }

    /// A hit: the next miss starts over.
    fn reset(&mut self) {
        self.misses = 0;
    }
}

/// An operation being read; closes it when dropped unconsumed.
struct Reader {
    client: Arc<GatewayClient>,
    session: Arc<str>,
    operation: String,
    /// The session time zone (TIMESTAMP_LTZ values are its wall clock).
    zone: Tz,
    options: ReadOptions,
    events: mpsc::Sender<Result<Event, Error>>,
}

/// Reads the result of `operation` in a task of its own: `Command` for a
/// statement without rows (tag `tag`), or rows streamed while Flink
/// produces them, TIMESTAMP_LTZ values in `zone`. The operation is closed
/// when the reading ends, however it ends.
pub async fn read_result(
    client: Arc<GatewayClient>,
    (session, operation): (Arc<str>, String),
    zone: Tz,
    options: ReadOptions,
    tag: String,
) -> Result<QueryResult, Error> {
    let (events, mut received) = mpsc::channel(2);
    let reader = Reader {
        client,
        session,
        operation,
        zone,
        options,
        events,
    };
    tokio::spawn(reader.run());
    match received.recv().await {
        Some(Ok(Event::Done)) => Ok(QueryResult::Command(CommandTag::new(tag))),
        Some(Ok(Event::Schema(schema))) => {
            let batches = futures::stream::unfold(received, |mut received| async move {
                loop {
                    match received.recv().await? {
                        Ok(Event::Batch(batch)) => return Some((Ok(batch), received)),
                        Ok(Event::Done | Event::Schema(_)) => continue,
                        Err(err) => return Some((Err(err), received)),
                    }
                }
            });
            Ok(QueryResult::Rows {
                schema,
                batches: Box::pin(batches),
            })
        }
        Some(Ok(Event::Batch(_))) => Err(Error::internal("Flink rows arrived before columns")),
        Some(Err(err)) => Err(err),
        None => Err(Error::internal("the Flink result reader stopped")),
    }
}

/// The `op` column's field.
fn op_field() -> Field {
    Field::new("op", arrow::datatypes::DataType::Utf8, false)
}

/// The shape of the rows being read.
struct Shape {
    columns: Vec<FlinkColumn>,
    schema: SchemaRef,
    with_op: bool,
    /// Whether limits apply (a query's result, not a SHOW's).
    is_query: bool,
}

impl Shape {
    /// The shape of `page_columns`, with an `op` column first if `with_op`.
    fn new(page_columns: &[ColumnInfo], is_query: bool, with_op: bool) -> Result<Shape, Error> {
        let columns = page_columns
            .iter()
            .map(|column| {
                FlinkType::from_json(&column.logical_type)
                    .map(|(flink_type, nullable)| FlinkColumn {
                        name: column.name.clone(),
                        flink_type,
                        nullable,
                    })
                    .map_err(|e| Error::new(SqlState::PROTOCOL_VIOLATION, e))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let fields = with_op
            .then(op_field)
            .into_iter()
            .chain(
                columns
                    .iter()
                    .map(|c| Field::new(&c.name, c.flink_type.arrow(), c.nullable)),
            )
            .collect::<Vec<_>>();
        Ok(Shape {
            columns,
            schema: Arc::new(Schema::new(fields)),
            with_op,
            is_query,
        })
    }

    /// Whether a column is a TIMESTAMP_LTZ (whose values depend on the
    /// Flink release).
    fn has_ltz(&self) -> bool {
        self.columns
            .iter()
            .any(|c| matches!(c.flink_type, FlinkType::TimestampLtz(_)))
    }

    /// A batch of `rows` (each one's fields), with `kinds` in the `op`
    /// column when there is one.
    fn batch(
        &self,
        rows: &[&[&RawValue]],
        kinds: &[RowKind],
        zone: Tz,
        format: RowFormat,
    ) -> Result<RecordBatch, Error> {
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.schema.fields().len());
        if self.with_op {
            arrays.push(Arc::new(StringArray::from_iter_values(
                kinds.iter().map(|k| k.short()),
            )));
        }
        let mut values: Vec<&RawValue> = Vec::with_capacity(rows.len());
        for (j, column) in self.columns.iter().enumerate() {
            values.clear();
            for row in rows {
                let value = row.get(j).ok_or_else(|| {
                    Error::new(
                        SqlState::PROTOCOL_VIOLATION,
                        format!(
                            "a Flink row has {} fields for {} columns",
                            row.len(),
                            self.columns.len()
                        ),
                    )
                })?;
                values.push(value);
            }
            let array = decode_column(&column.flink_type, &values, zone, format).map_err(|e| {
                Error::new(
                    SqlState::DATA_EXCEPTION,
                    format!("column \"{}\": {e}", column.name),
                )
            })?;
            arrays.push(array);
        }
        RecordBatch::try_new(self.schema.clone(), arrays)
            .map_err(|e| Error::caused_by(SqlState::INTERNAL_ERROR, e))
    }
}

/// The rows of a changelog with its changes applied, in arrival order,
/// each with the format its values came in.
#[derive(Default)]
struct Applied {
    rows: Vec<Option<(RowFormat, Vec<Box<RawValue>>)>>,
    /// The positions in `rows` of the live rows with a given content.
    positions: HashMap<String, Vec<usize>>,
}

impl Applied {
    /// Applies one change; a kind scaleph does not know cannot be.
    fn apply(
        &mut self,
        kind: RowKind,
        fields: &[&RawValue],
        format: RowFormat,
    ) -> Result<(), Error> {
        let key: String = fields
            .iter()
            .map(|f| f.get())
            .collect::<Vec<_>>()
            .join("\u{1}");
        if kind == RowKind::Unknown {
            return Err(Error::new(
                SqlState::FEATURE_NOT_SUPPORTED,
                "the changelog has a row kind scaleph does not know, so it cannot be applied",
            )
            .with_hint("SET 'scaleph.result.changelog' = 'op' to see every change as it comes"));
        }
        if kind.adds() {
            self.positions.entry(key).or_default().push(self.rows.len());
            self.rows.push(Some((
                format,
                fields.iter().map(|f| (*f).to_owned()).collect(),
            )));
        } else if let Some(position) = self.positions.get_mut(&key).and_then(Vec::pop) {
            self.rows[position] = None;
        }
        Ok(())
    }

    /// The live rows, in runs of one format each.
    fn live(&self) -> Vec<(RowFormat, Vec<&[Box<RawValue>]>)> {
        let mut runs: Vec<(RowFormat, Vec<&[Box<RawValue>]>)> = Vec::new();
        for (format, row) in self.rows.iter().flatten() {
            match runs.last_mut() {
                Some((run_format, rows)) if run_format == format => rows.push(row),
                _ => runs.push((*format, vec![row.as_slice()])),
            }
        }
        runs
    }
}

impl Reader {
    async fn run(self) {
        let outcome = self.read().await;
        if let Err(err) = outcome {
            let _ = self.events.send(Err(err)).await;
        }
        if let Err(err) = self
            .client
            .close_operation(&self.session, &self.operation)
            .await
        {
            tracing::debug!(operation = %self.operation, error = ?err, "closing a Flink operation failed");
        }
    }

    /// Sends an event; `false` once nobody reads any more.
    async fn send(&self, event: Event) -> bool {
        self.events.send(Ok(event)).await.is_ok()
    }

    /// Waits `pause` (or until `deadline`); `false` if the reader went away.
    async fn pause(&self, pause: Duration, deadline: Option<Instant>) -> bool {
        let pause = match deadline {
            Some(deadline) => pause.min(deadline.saturating_duration_since(Instant::now())),
            None => pause,
        };
        if pause.is_zero() {
            return !self.events.is_closed();
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => true,
            _ = self.events.closed() => false,
        }
    }

    fn statement_error(&self, err: GatewayError) -> Error {
        match &self.options.statement {
            Some((start, text)) => err.into_statement_error(*start, text),
            None => err.into_error(),
        }
    }

    async fn read(&self) -> Result<(), Error> {
        let started = Instant::now();
        let mut token = 0u64;
        let mut backoff = Backoff::default();
        let mut shape: Option<Shape> = None;
        let mut sent = 0usize;
        let mut applied: Option<Applied> = None;
        let mut format = RowFormat::Json;
        // The zone TIMESTAMP_LTZ values in JSON are the wall clock of: UTC
        // before Flink 1.19 (docs/flink-sql-gateway-rest.md §0, §3.2).
        // PLAIN_TEXT values are always the session zone's.
        let mut json_zone = self.zone;
        loop {
            let fetched = tokio::select! {
                body = fetch(&self.client, &self.session, &self.operation, token, format) => body,
                _ = self.events.closed() => return Ok(()),
            };
            let body = match fetched {
                Err(err) if err.json_unmappable() && format == RowFormat::Json => {
                    let version = self
                        .client
                        .version()
                        .await
                        .map_err(GatewayError::into_error)?;
                    if !version.has_configure_session() {
                        // V1 (Flink 1.16) has no PLAIN_TEXT.
                        return Err(self.statement_error(err));
                    }
                    // The gateway moved on to the next token before failing to
                    // write this one: asking it again is allowed (it is now
                    // the previous one), as PLAIN_TEXT.
                    tracing::debug!(operation = %self.operation, token, "JSON cannot represent this result; fetching it as PLAIN_TEXT");
                    format = RowFormat::PlainText;
                    continue;
                }
                other => other.map_err(|e| self.statement_error(e))?,
            };
            let page = self.client.page(&body).map_err(GatewayError::into_error)?;
            let result_type = page.result_type();
            let deadline = shape
                .as_ref()
                .filter(|s| s.is_query)
                .and(self.options.timeout)
                .map(|timeout| started + timeout);
            if result_type == ResultType::NotReady {
                // Waiting for the statement to run (PENDING behind another
                // one, RUNNING until its job is submitted) counts against
                // the result timeout too.
                if let Some(timeout) = self.options.timeout
                    && started.elapsed() >= timeout
                {
                    return Err(not_ready_in_time(timeout));
                }
                let deadline = self.options.timeout.map(|timeout| started + timeout);
                if !self.pause(backoff.next(), deadline).await {
                    return Ok(());
                }
                continue;
            }
            let results = page.results.ok_or_else(|| {
                Error::new(
                    SqlState::PROTOCOL_VIOLATION,
                    "a Flink result page without results",
                )
            })?;
            if shape.is_none() {
                // Flink 1.16 does not say: the statement's classification does.
                let is_query = page.is_query_result.unwrap_or(self.options.expect_query);
                let result_kind = page.result_kind.unwrap_or(if self.options.expect_rows {
                    ResultKind::SuccessWithContent
                } else {
                    ResultKind::Success
                });
                if result_kind == ResultKind::Success {
                    self.send(Event::Done).await;
                    return Ok(());
                }
                let with_op = is_query
                    && match self.options.changelog {
                        ChangelogMode::Op => true,
                        ChangelogMode::Auto => self.options.may_update,
                        ChangelogMode::Apply => false,
                    };
                let new = Shape::new(&results.columns, is_query, with_op)?;
                if new.has_ltz()
                    && !self
                        .client
                        .ltz_in_session_zone()
                        .await
                        .map_err(GatewayError::into_error)?
                {
                    json_zone = Tz::UTC;
                }
                if new.is_query && self.options.changelog == ChangelogMode::Apply {
                    applied = Some(Applied::default());
                }
                if !self.send(Event::Schema(new.schema.clone())).await {
                    return Ok(());
                }
                shape = Some(new);
            }
            let Some(shape) = shape.as_ref() else {
                continue;
            };
            let zone = match format {
                RowFormat::Json => json_zone,
                RowFormat::PlainText => self.zone,
            };
            let limit = shape.is_query.then_some(self.options.max_rows).flatten();
            let room = limit.map_or(usize::MAX, |limit| limit.saturating_sub(sent));
            let rows = &results.data[..results.data.len().min(room)];
            if let Some(applied) = applied.as_mut() {
                for row in rows {
                    applied.apply(row.kind, &row.fields, format)?;
                }
            } else if !rows.is_empty() {
                if !shape.with_op
                    && let Some(row) = rows.iter().find(|r| r.kind != RowKind::Insert)
                {
                    return Err(changelog_without_op(row.kind));
                }
                let fields: Vec<&[&RawValue]> = rows.iter().map(|r| r.fields.as_slice()).collect();
                let kinds: Vec<RowKind> = rows.iter().map(|r| r.kind).collect();
                let batch = shape.batch(&fields, &kinds, zone, format)?;
                if !self.send(Event::Batch(batch)).await {
                    return Ok(());
                }
            }
            sent += rows.len();
            let limit_reached = limit.is_some_and(|limit| sent >= limit);
            let timed_out = deadline.is_some_and(|deadline| Instant::now() >= deadline);
            if result_type == ResultType::Eos || limit_reached || timed_out {
                break;
            }
            token += 1;
            if results.data.is_empty() {
                // No long-poll in Flink: wait before asking again.
                if !self.pause(backoff.next(), deadline).await {
                    return Ok(());
                }
            } else {
                backoff.reset();
            }
        }
        if let (Some(applied), Some(shape)) = (applied, shape.as_ref()) {
            for (format, live) in applied.live() {
                let rows: Vec<Vec<&RawValue>> = live
                    .iter()
                    .map(|row| row.iter().map(|v| v.as_ref()).collect())
                    .collect();
                let fields: Vec<&[&RawValue]> = rows.iter().map(Vec::as_slice).collect();
                let kinds = vec![RowKind::Insert; fields.len()];
                let zone = match format {
                    RowFormat::Json => json_zone,
                    RowFormat::PlainText => self.zone,
                };
                let batch = shape.batch(&fields, &kinds, zone, format)?;
                if !self.send(Event::Batch(batch)).await {
                    break;
                }
            }
        }
        Ok(())
    }
}

/// Decodes one FetchResults body on its own, as the reader does page by
/// page: its rows as a batch with an `op` column first, `None` for
/// NOT_READY. (The entry point of the page fuzzer.)
pub fn decode_page(body: &[u8], zone: Tz) -> Result<Option<RecordBatch>, Error> {
    let page: Page = serde_json::from_slice(body)
        .map_err(|e| Error::caused_by(SqlState::PROTOCOL_VIOLATION, e))?;
    let Some(results) = page.results else {
        return Ok(None);
    };
    let shape = Shape::new(&results.columns, true, true)?;
    let fields: Vec<&[&RawValue]> = results.data.iter().map(|r| r.fields.as_slice()).collect();
    let kinds: Vec<RowKind> = results.data.iter().map(|r| r.kind).collect();
    shape
        .batch(&fields, &kinds, zone, RowFormat::Json)
        .map(Some)
}

/// Fetches page `token` of an operation. A network failure fetches the
/// same token once more before it fails: the gateway serves the current
/// token and the one before it again (docs/flink-sql-gateway-rest.md §4
/// step 5), so a page whose answer was lost is served again.
async fn fetch(
    client: &GatewayClient,
    session: &str,
    operation: &str,
    token: u64,
    format: RowFormat,
) -> Result<bytes::Bytes, GatewayError> {
    match client.fetch(session, operation, token, format).await {
        Err(err) if err.is_network() => {
            tracing::debug!(operation, token, error = ?err, "a fetch failed in the network; fetching it again");
            client.fetch(session, operation, token, format).await
        }
        other => other,
    }
}

/// The error when a statement is still not running (NOT_READY) at the
/// result timeout.
fn not_ready_in_time(timeout: Duration) -> Error {
    Error::new(
        SqlState::QUERY_CANCELED,
        format!(
            "the Flink statement did not start within {timeout:?} (scaleph.result.timeout); it was cancelled"
        ),
    )
    .with_hint(
        "the Flink session may be busy with another statement, or the cluster slow to take the job; \
         SET 'scaleph.result.timeout' = '0' to wait without a limit",
    )
}

/// Reads a statement's result to its end, discarding rows: for state
/// statements replayed on V1, which has no `configure-session`.
pub async fn drain(
    client: &GatewayClient,
    session: &str,
    operation: &str,
) -> Result<(), GatewayError> {
    let mut token = 0;
    let mut backoff = Backoff::default();
    loop {
        let body = fetch(client, session, operation, token, RowFormat::Json).await?;
        match client.page(&body)?.result_type() {
            ResultType::Eos => return Ok(()),
            ResultType::Payload | ResultType::Unknown => token += 1,
            ResultType::NotReady => {
                tokio::time::sleep(backoff.next()).await;
            }
        }
    }
}

/// The error when a result scaleph showed without an `op` column turns
/// out to be a changelog: rows are never silently shown as inserts.
fn changelog_without_op(kind: RowKind) -> Error {
    Error::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!(
            "the result of this query is a changelog (a {} row arrived) and it is shown without an op column",
            kind.short()
        ),
    )
    .with_hint(
        "SET 'scaleph.result.changelog' = 'op' to see every change with its op, \
         or 'apply' to see the rows as they stand at the end",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_decode_with_their_optional_keys() {
        let not_ready: Page = serde_json::from_str(
            r#"{"resultType":"NOT_READY","nextResultUri":"/v3/sessions/s/operations/o/result/0?rowFormat=JSON"}"#,
        )
        .unwrap();
        assert_eq!(not_ready.result_type(), ResultType::NotReady);
        assert!(not_ready.results.is_none());
        let payload: Page = serde_json::from_str(
            r#"{"resultType":"PAYLOAD","isQueryResult":true,"jobID":"a0b1","resultKind":"SUCCESS_WITH_CONTENT","results":{"columns":[{"name":"EXPR$0","logicalType":{"type":"INTEGER","nullable":false},"comment":null}],"rowFormat":"JSON","data":[{"kind":"INSERT","fields":[1]},{"kind":"UPDATE_BEFORE","fields":[2]}]},"nextResultUri":"/v3/x/result/1?rowFormat=JSON"}"#,
        )
        .unwrap();
        let results = payload.results.unwrap();
        assert_eq!(results.columns[0].name, "EXPR$0");
        assert_eq!(results.data[1].kind, RowKind::UpdateBefore);
        assert_eq!(results.data[0].fields[0].get(), "1");
    }

    #[test]
    fn a_page_decodes_into_a_batch_and_bad_pages_are_errors() {
        let body = br#"{"resultType":"PAYLOAD","isQueryResult":true,"resultKind":"SUCCESS_WITH_CONTENT","results":{"columns":[{"name":"n","logicalType":{"type":"BIGINT","nullable":true},"comment":null}],"rowFormat":"JSON","data":[{"kind":"UPDATE_AFTER","fields":[9007199254740993]},{"kind":"INSERT","fields":[null]}]}}"#;
        let batch = decode_page(body, Tz::UTC).unwrap().unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.schema().field(0).name(), "op");
        let short = br#"{"resultType":"PAYLOAD","results":{"columns":[{"name":"a","logicalType":{"type":"INTEGER"}},{"name":"b","logicalType":{"type":"INTEGER"}}],"data":[{"kind":"INSERT","fields":[1]}]}}"#;
        assert_eq!(
            decode_page(short, Tz::UTC).unwrap_err().sqlstate,
            SqlState::PROTOCOL_VIOLATION
        );
        let wrong = br#"{"resultType":"EOS","results":{"columns":[{"name":"a","logicalType":{"type":"INTEGER"}}],"data":[{"kind":"INSERT","fields":["x"]}]}}"#;
        assert_eq!(
            decode_page(wrong, Tz::UTC).unwrap_err().sqlstate,
            SqlState::DATA_EXCEPTION
        );
        assert!(decode_page(b"{}", Tz::UTC).is_err());
        assert!(
            decode_page(br#"{"resultType":"NOT_READY"}"#, Tz::UTC)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn backoff_starts_at_once_and_doubles_to_100_ms() {
        let mut backoff = Backoff::default();
        let pauses: Vec<u128> = (0..10).map(|_| backoff.next().as_millis()).collect();
        assert_eq!(pauses, [0, 1, 2, 4, 8, 16, 32, 64, 100, 100]);
        backoff.reset();
        assert_eq!(backoff.next(), Duration::ZERO);
    }

    #[test]
    fn applied_changelog_keeps_the_live_rows_in_order() {
        let raw = |t: &str| RawValue::from_string(t.to_string()).unwrap();
        let (a1, a2, b1) = (raw("[\"a\",1]"), raw("[\"a\",2]"), raw("[\"b\",1]"));
        let mut applied = Applied::default();
        let json = RowFormat::Json;
        applied.apply(RowKind::Insert, &[&a1], json).unwrap();
        applied.apply(RowKind::Insert, &[&b1], json).unwrap();
        applied.apply(RowKind::UpdateBefore, &[&a1], json).unwrap();
        applied.apply(RowKind::UpdateAfter, &[&a2], json).unwrap();
        applied.apply(RowKind::Delete, &[&b1], json).unwrap();
        applied.apply(RowKind::Delete, &[&b1], json).unwrap();
        applied
            .apply(RowKind::Insert, &[&b1], RowFormat::PlainText)
            .unwrap();
        let live: Vec<(RowFormat, Vec<&str>)> = applied
            .live()
            .into_iter()
            .map(|(format, rows)| (format, rows.iter().map(|r| r[0].get()).collect()))
            .collect();
        assert_eq!(
            live,
            vec![
                (json, vec!["[\"a\",2]"]),
                (RowFormat::PlainText, vec!["[\"b\",1]"])
            ]
        );
        assert!(applied.apply(RowKind::Unknown, &[&a1], json).is_err());
        assert_eq!(ChangelogMode::parse(" APPLY "), Some(ChangelogMode::Apply));
        assert_eq!(ChangelogMode::parse("x"), None);
    }

    #[test]
    fn flink_1_16_bodies_and_newer_enum_values_are_read() {
        // Flink 1.16: no isQueryResult, resultKind nor jobID.
        let old: Page = serde_json::from_str(
            r#"{"results":{"columns":[{"name":"result","logicalType":{"type":"VARCHAR","nullable":true,"length":2147483647},"comment":null}],"data":[{"kind":"INSERT","fields":["OK"]}]},"resultType":"PAYLOAD","nextResultUri":"/v1/sessions/s/operations/o/result/1"}"#,
        )
        .unwrap();
        assert_eq!(old.result_type(), ResultType::Payload);
        assert_eq!((old.is_query_result, old.result_kind), (None, None));
        // Newer values: a result type read by what the page holds, a
        // result kind read as having content, a row kind as unknown.
        let newer: Page = serde_json::from_str(
            r#"{"resultType":"PARTIAL","isQueryResult":true,"resultKind":"SUCCESS_WITH_WARNINGS","results":{"columns":[],"data":[{"kind":"UPSERT","fields":[]}]}}"#,
        )
        .unwrap();
        assert_eq!(newer.result_type(), ResultType::Eos);
        assert_eq!(newer.result_kind, Some(ResultKind::SuccessWithContent));
        assert_eq!(newer.results.unwrap().data[0].kind, RowKind::Unknown);
        let waiting: Page = serde_json::from_str(r#"{"resultType":"QUEUED"}"#).unwrap();
        assert_eq!(waiting.result_type(), ResultType::NotReady);
        assert!(serde_json::from_str::<Page>(r#"{"resultType":7}"#).is_err());
    }
}

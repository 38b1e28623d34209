//! What the simple and the extended protocol send alike around a
//! statement's result: its notices, a ParameterStatus for each reported
//! variable it changed, and its command tag.

use futures::{Sink, SinkExt};
use pgwire::api::results::Tag;
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::response::NoticeResponse;
use pgwire::messages::startup::ParameterStatus;

use super::error::notice_info;
use crate::error::Error;
use crate::result::{CommandTag, Notice, Progress, StatementOutput};
use crate::session::Session;
use crate::sql::ParsedStatement;

/// Sends the notices of a statement's output.
pub async fn send_notices<C>(client: &mut C, notices: &[Notice]) -> PgWireResult<()>
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

/// Runs `statement`, sending the progress it reports (a job submit, a
/// savepoint) as NOTICEs while it runs — flushed, so psql shows each at
/// once — rather than with its result.
pub async fn execute_reporting<C>(
    client: &mut C,
    session: &mut Session,
    statement: &ParsedStatement,
    params: Vec<datafusion::scalar::ScalarValue>,
) -> PgWireResult<Result<StatementOutput, Error>>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let (progress, mut reports) = Progress::channel();
    session.report_progress(progress);
    let result = {
        let work = session.execute(statement, params);
        tokio::pin!(work);
        loop {
            tokio::select! {
                result = &mut work => break result,
                Some(notice) = reports.recv() => {
                    send_notices(client, &[notice]).await?;
                    client.flush().await?;
                }
            }
        }
    };
    session.report_progress(Progress::default());
    while let Ok(notice) = reports.try_recv() {
        send_notices(client, &[notice]).await?;
    }
    Ok(result)
}

/// Sends ParameterStatus for every reported variable whose value changed
/// since `before` (what [`crate::session::SessionVars::reported`] said
/// before the statement ran).
pub async fn report_changes<C>(
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

/// The CommandComplete tag of a finished statement.
pub fn command_tag(tag: &CommandTag) -> Tag {
    match tag.rows {
        Some(rows) => Tag::new(&tag.tag).with_rows(rows),
        None => Tag::new(&tag.tag),
    }
}

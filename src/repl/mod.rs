//! The terminal frontends: the interactive REPL (`scaleph repl`), the
//! script runner (`scaleph run`) and the offline checker (`scaleph check`).
//! All three go through a [`Session`] like any pgwire client.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use futures::TryStreamExt;
use rustyline::error::ReadlineError;

use crate::context::{Context, SessionInfo};
use crate::error::{Error, Position};
use crate::result::{QueryResult, StatementOutput};
use crate::session::Session;
use crate::sql::ParsedStatement;
use crate::sql::ast::Statement;

mod meta;
pub mod render;

use meta::MetaCommand;
use render::Layout;

/// Display settings toggled by backslash commands.
#[derive(Clone, Copy, Debug, Default)]
struct Display {
    layout: Layout,
    timing: bool,
}

fn local_session(context: Arc<Context>, client: &str) -> Session {
    let user = std::env::var("USER").unwrap_or_else(|_| "scaleph".to_string());
    Session::new(
        context,
        SessionInfo::new(user, crate::engine::LOCAL_DATABASE, client),
    )
}

/// Runs the interactive REPL until `\q` or end of input. Reads from a pipe
/// too (no line editing then), which is how it is tested.
pub async fn run_interactive(context: Arc<Context>) -> std::io::Result<()> {
    let history = context.config.data_dir.join("history");
    let mut session = local_session(context, "repl");
    let mut editor = rustyline::DefaultEditor::new().map_err(std::io::Error::other)?;
    let _ = editor.load_history(&history);
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        println!(
            "scaleph {} — type \\? for help, \\q to quit.",
            env!("CARGO_PKG_VERSION")
        );
    }
    let mut display = Display::default();
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() {
            "scaleph=> "
        } else {
            "scaleph-> "
        };
        let line = match tokio::task::block_in_place(|| editor.readline(prompt)) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                buffer.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(std::io::Error::other(e)),
        };
        if buffer.is_empty() && line.trim_start().starts_with('\\') {
            let _ = editor.add_history_entry(line.trim());
            match MetaCommand::parse(&line) {
                Ok(MetaCommand::Quit) => break,
                Ok(command) => println!("{}", command.apply(&mut display)),
                Err(message) => eprintln!("{message}"),
            }
            continue;
        }
        if !buffer.is_empty() {
            buffer.push('\n');
        }
        buffer.push_str(&line);
        if !crate::sql::input_complete(&buffer) {
            continue;
        }
        let script = std::mem::take(&mut buffer);
        let _ = editor.add_history_entry(script.trim());
        if let Err(err) = run_text(&mut session, &script, display, interactive).await {
            eprint!("{}", format_error(&err, &script));
        }
    }
    if !buffer.trim().is_empty()
        && let Err(err) = run_text(&mut session, &buffer, display, interactive).await
    {
        eprint!("{}", format_error(&err, &buffer));
    }
    let _ = editor.save_history(&history);
    session.close().await;
    Ok(())
}

/// Parses and runs every statement of `script`, printing each result;
/// stops at the first error and returns it.
async fn run_text(
    session: &mut Session,
    script: &str,
    display: Display,
    interactive: bool,
) -> Result<(), Error> {
    let run = async {
        let statements = session.parse(script)?;
        for statement in statements.iter() {
            run_statement(session, statement, display, interactive)
                .await
                .map_err(|e| e.with_position(Position::at(script, statement.offset)))?;
        }
        Ok(())
    };
    let result = run.await;
    if result.is_err() {
        // `execute` fails the block on its own errors; a script that did
        // not parse, or rows that broke off, the session learns of here.
        session.fail_transaction();
    }
    result
}

/// The lines `COPY ... TO STDOUT` writes for `batches`, and how many rows
/// they hold.
fn copy_text(
    format: &crate::sql::ast::CopyFormat,
    schema: &arrow::datatypes::Schema,
    batches: &[arrow::array::RecordBatch],
    time_zone: &str,
) -> Result<(String, usize), Error> {
    use crate::server::pgwire::copy;
    let mut bytes = Vec::new();
    if format.header {
        bytes.extend(copy::header_line(schema, format));
    }
    let mut rows = 0;
    for batch in batches {
        for line in copy::lines(batch, format, time_zone)
            .map_err(|e| Error::caused_by(crate::error::SqlState::INTERNAL_ERROR, e))?
        {
            bytes.extend(line);
        }
        rows += batch.num_rows();
    }
    Ok((String::from_utf8_lossy(&bytes).into_owned(), rows))
}

/// Runs one statement and prints its notices and result. In an interactive
/// terminal, Ctrl-C cancels the statement.
async fn run_statement(
    session: &mut Session,
    statement: &ParsedStatement,
    display: Display,
    interactive: bool,
) -> Result<(), Error> {
    let started = Instant::now();
    let cancel = session.cancel_handle();
    // Progress (a job submit, a savepoint) is printed as it comes, with
    // the time since the statement started.
    let (progress, mut reports) = crate::result::Progress::channel();
    session.report_progress(progress);
    let work = async {
        let output = session.execute(statement, Vec::new()).await?;
        collect(output).await
    };
    let outcome = {
        tokio::pin!(work);
        loop {
            tokio::select! {
                result = &mut work => break result,
                Some(notice) = reports.recv() => {
                    eprintln!("{}:  [{:.1} s] {}", notice.severity, started.elapsed().as_secs_f64(), notice.message);
                }
                _ = tokio::signal::ctrl_c(), if interactive => cancel.cancel(),
            }
        }
    };
    session.report_progress(crate::result::Progress::default());
    let (notices, rendered) = outcome?;
    for notice in notices {
        eprintln!("{}:  {}", notice.severity, notice.message);
    }
    let mut text = String::new();
    for (label, collected) in rendered {
        if let Some(label) = label {
            text.push_str(&format!("-- {label}\n"));
        }
        match collected {
            // COPY ... TO STDOUT writes its lines as they are, for files
            // made with `scaleph run script.sql > out.csv`.
            Collected::Rows(schema, batches)
                if let Statement::CopyTo(copy) = &statement.statement =>
            {
                let (lines, rows) =
                    copy_text(&copy.format, &schema, &batches, &session.vars().time_zone())?;
                // The tag goes to stderr, as notices do, so that stdout is the file.
                eprintln!("COPY {rows}");
                text.push_str(&lines)
            }
            Collected::Rows(schema, batches) => text.push_str(&render::render_rows(
                &schema,
                &batches,
                display.layout,
                &session.vars().time_zone(),
            )?),
            Collected::Tag(tag) => text.push_str(&format!("{tag}\n")),
        }
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    if display.timing {
        let _ = writeln!(
            stdout,
            "Time: {:.3} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    if !matches!(statement.statement, Statement::CopyTo(_)) {
        let _ = writeln!(stdout);
    }
    Ok(())
}

/// A result read to its end.
enum Collected {
    Rows(arrow::datatypes::SchemaRef, Vec<arrow::array::RecordBatch>),
    Tag(String),
}

/// Reads every result of `output` to its end: the first unlabelled (its
/// label, if any, is among the notices), the others with their labels.
async fn collect(
    output: StatementOutput,
) -> Result<(Vec<crate::result::Notice>, Vec<(Option<String>, Collected)>), Error> {
    async fn read(result: QueryResult) -> Result<Collected, Error> {
        Ok(match result {
            QueryResult::Rows { schema, batches } => {
                Collected::Rows(schema, batches.try_collect().await?)
            }
            QueryResult::Command(tag) => Collected::Tag(tag.to_string()),
        })
    }
    let mut collected = vec![(None, read(output.result).await?)];
    for more in output.more {
        collected.push((Some(more.label), read(more.result).await?));
    }
    Ok((output.notices, collected))
}

/// An error as psql shows it: `ERROR:`, the line with a caret under the
/// position, then detail and hint.
pub fn format_error(err: &Error, script: &str) -> String {
    let mut out = format!("ERROR:  {}\n", err.message);
    if let Some(position) = err.position {
        let line = script.lines().nth(position.line - 1).unwrap_or("");
        let prefix = format!("LINE {}: ", position.line);
        out.push_str(&format!("{prefix}{line}\n"));
        out.push_str(&format!(
            "{}^\n",
            " ".repeat(prefix.chars().count() + position.column - 1)
        ));
    }
    if let Some(detail) = &err.detail {
        out.push_str(&format!("DETAIL:  {detail}\n"));
    }
    if let Some(hint) = &err.hint {
        out.push_str(&format!("HINT:  {hint}\n"));
    }
    out
}

/// `FILE:LINE:COL: message` for an error in `script` read from `file`.
fn located(file: &Path, script: &str, err: &Error) -> String {
    let position = err.position.unwrap_or_else(|| Position::at(script, 0));
    let mut line = format!(
        "{}:{}:{}: {}",
        file.display(),
        position.line,
        position.column,
        err.message
    );
    if let Some(hint) = &err.hint {
        line.push_str(&format!(" (hint: {hint})"));
    }
    line
}

/// Runs scripts in order, printing results to stdout; stops at the first
/// error, printing `FILE:LINE:COL: message` to stderr. Returns whether all
/// statements succeeded.
pub async fn run_scripts(context: Arc<Context>, files: &[PathBuf]) -> bool {
    let mut session = local_session(context, "run");
    let mut ok = true;
    for file in files {
        let script = match std::fs::read_to_string(file) {
            Ok(script) => script,
            Err(e) => {
                eprintln!("{}: cannot read: {e}", file.display());
                ok = false;
                break;
            }
        };
        if let Err(err) = run_text(&mut session, &script, Display::default(), false).await {
            eprintln!("{}", located(file, &script, &err));
            ok = false;
            break;
        }
    }
    session.close().await;
    ok
}

/// How `scaleph check` prints problems.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// `FILE:LINE:COL: error: message`, one per line (editors, CI logs).
    #[default]
    Text,
    /// A JSON array of `{file, line, column, code, message, hint}` objects.
    Json,
}

/// One problem found by `scaleph check`.
#[derive(Debug, serde::Serialize)]
struct Problem {
    file: String,
    line: usize,
    column: usize,
    code: &'static str,
    message: String,
    hint: Option<String>,
}

/// Every problem of `script` found offline: syntax and parse-time checks
/// of every statement, then, for those that parse, what needs only the
/// embedded type registry (datasource and cluster types, options, files).
fn offline_problems(script: &str, registry: &crate::catalog::Registry) -> Vec<Error> {
    match crate::sql::parse_each(script) {
        Err(err) => vec![err],
        Ok(statements) => statements
            .into_iter()
            .filter_map(|parsed| match parsed {
                Err(err) => Some(err),
                Ok(parsed) => {
                    crate::handler::datasource::check_offline(registry, &parsed.statement)
                        .and_then(|()| {
                            crate::handler::cluster::check_offline(registry, &parsed.statement)
                        })
                        .err()
                        .map(|err| {
                            let mut err = parsed.locate(err);
                            err.position.get_or_insert(parsed.position());
                            err
                        })
                }
            })
            .collect(),
    }
}

/// Parses and checks scripts offline; prints every problem to stdout in
/// `format` and returns whether all scripts were clean.
pub fn check_scripts(files: &[PathBuf], format: CheckFormat) -> bool {
    let registry = crate::catalog::Registry::embedded();
    let mut problems = Vec::new();
    for file in files {
        let name = file.display().to_string();
        match std::fs::read_to_string(file) {
            Ok(script) => {
                problems.extend(offline_problems(&script, &registry).into_iter().map(|err| {
                    let position = err.position.unwrap_or_else(|| Position::at(&script, 0));
                    Problem {
                        file: name.clone(),
                        line: position.line,
                        column: position.column,
                        code: err.sqlstate.code(),
                        message: err.message,
                        hint: err.hint.map(String::from),
                    }
                }))
            }
            Err(e) => problems.push(Problem {
                file: name,
                line: 0,
                column: 0,
                code: crate::error::SqlState::IO_ERROR.code(),
                message: format!("cannot read: {e}"),
                hint: None,
            }),
        }
    }
    match format {
        CheckFormat::Text => {
            for p in &problems {
                println!("{}:{}:{}: error: {}", p.file, p.line, p.column, p.message);
            }
        }
        CheckFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&problems).unwrap_or_default()
        ),
    }
    problems.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_error_puts_a_caret_under_the_position() {
        let script = "SELECT 1;\nSELEC 2;";
        let err = Error::syntax(
            "syntax error at or near \"SELEC\"",
            Position::at(script, 10),
        );
        let text = format_error(&err, script);
        assert_eq!(
            text,
            "ERROR:  syntax error at or near \"SELEC\"\nLINE 2: SELEC 2;\n        ^\n"
        );
    }

    #[test]
    fn located_names_file_line_and_column() {
        let script = "SELECT 1;\n  SELEC 2;";
        let err = Error::syntax("bad", Position::at(script, 12));
        assert_eq!(located(Path::new("a.sql"), script, &err), "a.sql:2:3: bad");
    }
}

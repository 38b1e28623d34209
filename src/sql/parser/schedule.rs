//! `CREATE SCHEDULE` with its checks (cron expression, time zone, options,
//! the task DAG, each task's SQL), `EXECUTE SCHEDULE` and `SHOW RUNS`.

use chrono::{NaiveDate, NaiveDateTime};

use super::cursor::Cursor;
use crate::error::{Error, Position, Result, SqlState};
use crate::sql::ast::*;
use crate::sql::cron::CronSchedule;
use crate::sql::lexer::Token;

/// The largest `SHOW RUNS ... LIMIT`.
const MAX_RUNS_LIMIT: u64 = 100_000;

/// A schedule's options and the values they take.
const SCHEDULE_OPTIONS: &[(&str, OptionRule)] = &[
    ("retries", OptionRule::Integer(0, 100)),
    ("retry_delay", OptionRule::Duration),
    ("timeout", OptionRule::Duration),
    ("max_active_runs", OptionRule::Integer(1, 1000)),
    ("catchup", OptionRule::Boolean),
];

/// What values an option takes.
#[derive(Clone, Copy)]
enum OptionRule {
    Integer(i64, i64),
    Duration,
    Boolean,
}

/// `CREATE SCHEDULE [IF NOT EXISTS] name CRON 'expr' [TIMEZONE 'zone']
/// [WITH (...)] AS ( task, ... )`, the cursor after `CREATE SCHEDULE`.
pub(super) fn create(c: &mut Cursor) -> Result<Statement> {
    let if_not_exists = c.if_not_exists();
    let name = c.ident("a schedule name")?;
    c.expect_word("CRON", "after the schedule name")?;
    let (cron, cron_token) = c.string("a 'cron expression'")?;
    let timezone = if c.eat_word("TIMEZONE") {
        Some(c.string("a 'time zone' such as 'Asia/Shanghai'")?)
    } else {
        None
    };
    let zone_name = timezone.as_ref().map(|(zone, _)| zone.as_str());
    if let Err(err) = CronSchedule::parse(&cron, zone_name) {
        let token = match (&err, &timezone) {
            (crate::sql::cron::CronError::Zone { .. }, Some((_, token))) => *token,
            _ => cron_token,
        };
        return Err(c.error_at(token, SqlState::INVALID_PARAMETER_VALUE, err.to_string()));
    }
    let options_start = c.pos;
    let options = c.with_options()?;
    check_options(c, &options, options_start)?;
    c.expect_word("AS", "before the schedule's tasks")?;
    let tasks_start = c.pos;
    let tasks = tasks(c)?;
    c.expect_end()?;
    let schedule = CreateSchedule {
        if_not_exists,
        name,
        cron,
        timezone: timezone.map(|(zone, _)| zone),
        options,
        tasks,
    };
    check_dag(c, &schedule, tasks_start)?;
    Ok(Statement::from(schedule))
}

/// Checks every option against [`SCHEDULE_OPTIONS`].
fn check_options(c: &Cursor, options: &Options, start: usize) -> Result<()> {
    for option in &options.0 {
        let token = find_word(c, start, &option.key);
        let fail = |message: String| {
            Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, message)
                .with_position(Position::at(c.script, token.map_or(c.end, |t| t.start))))
        };
        let Some((_, rule)) = SCHEDULE_OPTIONS
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(&option.key))
        else {
            let keys: Vec<&str> = SCHEDULE_OPTIONS.iter().map(|(k, _)| *k).collect();
            let suggestion = super::suggest::closest(&option.key, &keys)
                .map(|k| format!(": did you mean {}?", k.to_ascii_lowercase()))
                .unwrap_or_else(|| format!(" (known: {})", keys.join(", ")));
            return fail(format!(
                "unknown schedule option \"{}\"{suggestion}",
                option.key
            ));
        };
        let text = option.value.as_text();
        let valid = match (rule, &option.value) {
            (OptionRule::Integer(min, max), OptionValue::Number(n)) => {
                n.parse::<i64>().is_ok_and(|n| (*min..=*max).contains(&n))
            }
            (OptionRule::Duration, OptionValue::String(s) | OptionValue::Number(s)) => {
                crate::duration::parse_duration(s).is_ok()
            }
            (OptionRule::Boolean, OptionValue::Boolean(_)) => true,
            (OptionRule::Boolean, OptionValue::String(s)) => {
                s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
            }
            _ => false,
        };
        if !valid {
            let expected = match rule {
                OptionRule::Integer(min, max) => format!("an integer from {min} to {max}"),
                OptionRule::Duration => "a duration such as '5 min'".to_string(),
                OptionRule::Boolean => "TRUE or FALSE".to_string(),
            };
            return fail(format!(
                "schedule option \"{}\" must be {expected}, found {text}",
                option.key
            ));
        }
    }
    Ok(())
}

/// The first token from `start` whose value is `word` (to point at it).
fn find_word<'a>(c: &Cursor<'a>, start: usize, word: &str) -> Option<&'a Token> {
    c.tokens[start..c.pos.max(start)]
        .iter()
        .find(|t| t.value(c.script).eq_ignore_ascii_case(word))
}

/// `( name RUN ... [AFTER ...] [ON ...], ... )`.
fn tasks(c: &mut Cursor) -> Result<Vec<ScheduleTask>> {
    c.expect_punct('(', "to open the task list")?;
    let mut tasks = vec![task(c)?];
    while c.eat_punct(',') {
        tasks.push(task(c)?);
    }
    c.expect_punct(')', "or \",\" in the task list")?;
    Ok(tasks)
}

/// One task.
fn task(c: &mut Cursor) -> Result<ScheduleTask> {
    let name = c.ident("a task name")?;
    c.expect_word("RUN", "after the task name")?;
    let action = match c.keyword_among(&["SYNC", "JOB", "SQL"], "after RUN")? {
        0 => TaskAction::Sync(c.ident("a sync name")?),
        1 => TaskAction::Job(c.ident("a job name")?),
        _ => {
            let (sql, token) = c.string("the task's 'statement'")?;
            check_task_sql(c, &name, &sql, token)?;
            TaskAction::Sql(sql)
        }
    };
    let mut upstream = Vec::new();
    let mut trigger = TriggerRule::OnSuccess;
    if c.eat_word("AFTER") {
        if c.eat_punct('(') {
            upstream.push(c.ident("an upstream task name")?);
            while c.eat_punct(',') {
                upstream.push(c.ident("an upstream task name")?);
            }
            c.expect_punct(')', "to close the upstream task list")?;
        } else {
            upstream.push(c.ident("an upstream task name")?);
        }
        if c.eat_word("ON") {
            trigger = c.keyword_value(TriggerRule::KEYWORDS, "ON")?;
        }
    }
    Ok(ScheduleTask {
        name,
        action,
        upstream,
        trigger,
    })
}

/// A task's SQL must be exactly one statement that parses; errors point
/// inside the string literal.
fn check_task_sql(
    c: &Cursor,
    task: &sqlparser::ast::Ident,
    sql: &str,
    token: &Token,
) -> Result<()> {
    let inner = &c.script[token.start + 1..token.end - 1];
    let at = |value_offset: usize| {
        Position::at(c.script, token.start + 1 + raw_offset(inner, value_offset))
    };
    match crate::sql::parse_script(sql) {
        Ok(statements) if statements.len() == 1 => Ok(()),
        Ok(statements) => Err(Error::syntax(
            format!(
                "task {task} must run exactly one statement, found {}",
                statements.len()
            ),
            at(0),
        )),
        Err(err) => {
            let offset = err.position.map_or(0, |p| p.offset);
            let mut relocated =
                Error::new(err.sqlstate, format!("in task {task}: {}", err.message))
                    .with_position(at(offset));
            relocated.detail = err.detail;
            relocated.hint = err.hint;
            Err(relocated)
        }
    }
}

/// The offset in a string literal's raw text (quotes doubled) of the byte
/// at `value_offset` in its value (quotes single).
fn raw_offset(raw: &str, value_offset: usize) -> usize {
    let bytes = raw.as_bytes();
    let (mut raw_i, mut value_i) = (0, 0);
    while value_i < value_offset && raw_i < bytes.len() {
        raw_i += if bytes[raw_i] == b'\'' { 2 } else { 1 };
        value_i += 1;
    }
    raw_i.min(raw.len())
}

/// The tasks form a DAG: unique names, known upstream tasks, no cycle.
fn check_dag(c: &Cursor, schedule: &CreateSchedule, tasks_start: usize) -> Result<()> {
    let Err(err) = schedule.topological_order() else {
        return Ok(());
    };
    let task_token = |i: usize| find_word(c, tasks_start, &schedule.tasks[i].name.value);
    let (token, message) = match err {
        DagError::DuplicateTask(i) => {
            let name = &schedule.tasks[i].name;
            // Point at the second task of that name.
            let token = c.tokens[tasks_start..c.pos]
                .iter()
                .filter(|t| t.value(c.script).eq_ignore_ascii_case(&name.value))
                .nth(1);
            (token, format!("task {name} is defined twice"))
        }
        DagError::UnknownUpstream { task, upstream } => {
            let task = &schedule.tasks[task];
            let missing = &task.upstream[upstream];
            let names: Vec<&str> = schedule
                .tasks
                .iter()
                .map(|t| t.name.value.as_str())
                .collect();
            let suggestion = super::suggest::closest(&missing.value, &names)
                .map(|n| format!(": did you mean {n}?"))
                .unwrap_or_default();
            let token = c.tokens[tasks_start..c.pos]
                .iter()
                .rfind(|t| t.value(c.script) == missing.value);
            (
                token,
                format!(
                    "task {} runs after unknown task {missing}{suggestion}",
                    task.name
                ),
            )
        }
        DagError::Cycle(cycle) => {
            let mut names: Vec<String> = cycle
                .iter()
                .map(|&i| schedule.tasks[i].name.to_string())
                .collect();
            names.push(names[0].clone());
            (
                task_token(cycle[0]),
                format!("tasks form a cycle: {}", names.join(" -> ")),
            )
        }
    };
    Err(Error::new(SqlState::INVALID_OBJECT_DEFINITION, message)
        .with_position(Position::at(c.script, token.map_or(c.end, |t| t.start))))
}

/// After `EXECUTE SCHEDULE`: `name [FOR 'from' TO 'to']`.
pub(super) fn execute(c: &mut Cursor) -> Result<Statement> {
    let name = c.ident("a schedule name")?;
    let backfill = if c.eat_word("FOR") {
        let (from, from_token) = c.string("a 'start date'")?;
        c.expect_word("TO", "after the start date")?;
        let (to, to_token) = c.string("an 'end date'")?;
        let start = instant(c, &from, from_token)?;
        let end = instant(c, &to, to_token)?;
        if start > end {
            return Err(c.error_at(
                to_token,
                SqlState::INVALID_PARAMETER_VALUE,
                format!("backfill ends ('{to}') before it starts ('{from}')"),
            ));
        }
        Some((from, to))
    } else {
        None
    };
    c.expect_end()?;
    Ok(Statement::from(ExecuteSchedule { name, backfill }))
}

/// A backfill bound: `'2026-11-01'` or `'2026-11-01 02:00[:00]'`.
fn instant(c: &Cursor, text: &str, token: &Token) -> Result<NaiveDateTime> {
    let text_trimmed = text.trim();
    NaiveDate::parse_from_str(text_trimmed, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .or_else(|| NaiveDateTime::parse_from_str(text_trimmed, "%Y-%m-%d %H:%M:%S").ok())
        .or_else(|| NaiveDateTime::parse_from_str(text_trimmed, "%Y-%m-%d %H:%M").ok())
        .ok_or_else(|| {
            c.error_at(
                token,
                SqlState::INVALID_DATETIME_FORMAT,
                format!("'{text}' is not a date: write 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS'"),
            )
        })
}

/// After `SHOW RUNS`: `[FOR SCHEDULE name] [LIMIT n]`.
pub(super) fn show_runs(c: &mut Cursor) -> Result<Statement> {
    let schedule = if c.eat_word("FOR") {
        c.expect_word("SCHEDULE", "after FOR")?;
        Some(c.ident("a schedule name")?)
    } else {
        None
    };
    let limit = if c.eat_word("LIMIT") {
        Some(c.positive_integer("LIMIT", MAX_RUNS_LIMIT)?)
    } else {
        None
    };
    c.expect_end()?;
    Ok(Statement::from(ShowRuns { schedule, limit }))
}

#[cfg(test)]
mod tests {
    use super::raw_offset;

    #[test]
    fn raw_offset_skips_doubled_quotes() {
        assert_eq!(raw_offset("ab", 1), 1);
        assert_eq!(raw_offset("it''s x", 3), 4);
        assert_eq!(raw_offset("x", 9), 1);
    }
}

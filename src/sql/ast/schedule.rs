//! Schedules: a cron expression in a time zone over a DAG of tasks, and the
//! statements that run them and list their runs.

use std::collections::HashMap;
use std::fmt;

use sqlparser::ast::Ident;

use super::common::{Options, SqlIdent, fmt_if, fmt_list, fmt_with, object_name, q, quote_string};
use super::object::ObjectStatement;

/// The schedule family.
#[derive(Clone, Debug, PartialEq)]
pub enum ScheduleStatement {
    /// SHOW, DESCRIBE, DROP, ALTER, SUSPEND, RESUME, EXPLAIN of a schedule.
    Object(ObjectStatement),
    /// `CREATE SCHEDULE ... CRON ... AS (...)`.
    Create(CreateSchedule),
    /// `EXECUTE SCHEDULE name [FOR ... TO ...]`.
    Execute(ExecuteSchedule),
    /// `SHOW RUNS [FOR SCHEDULE name] [LIMIT n]`.
    ShowRuns(ShowRuns),
}

/// `CREATE SCHEDULE [IF NOT EXISTS] name CRON 'expr' [TIMEZONE 'zone']
/// [WITH (...)] AS ( task, ... )`.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateSchedule {
    /// `IF NOT EXISTS` given.
    pub if_not_exists: bool,
    /// The schedule's name.
    pub name: Ident,
    /// The cron expression: 5 fields, or 6 with seconds first.
    pub cron: String,
    /// The IANA time zone the expression is read in; UTC when absent.
    pub timezone: Option<String>,
    /// The `WITH (...)` options (retries, retry_delay, timeout, max_active_runs, catchup).
    pub options: Options,
    /// The tasks, in the order written.
    pub tasks: Vec<ScheduleTask>,
}

/// One task of a schedule's DAG.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleTask {
    /// The task's name, unique in the schedule.
    pub name: Ident,
    /// What it runs.
    pub action: TaskAction,
    /// The tasks it runs after (`AFTER a` / `AFTER (a, b)`).
    pub upstream: Vec<Ident>,
    /// When it runs, given how its upstream tasks ended.
    pub trigger: TriggerRule,
}

/// What a task runs.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskAction {
    /// `RUN SYNC name`.
    Sync(Ident),
    /// `RUN JOB name`.
    Job(Ident),
    /// `RUN SQL 'statement'`.
    Sql(String),
}

/// When a task with upstream tasks runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TriggerRule {
    /// All upstream tasks succeeded (the default).
    #[default]
    OnSuccess,
    /// At least one upstream task failed.
    OnFailure,
    /// All upstream tasks ended, however.
    OnCompletion,
}

impl TriggerRule {
    /// Every rule, by the keyword after `ON`.
    pub const KEYWORDS: &[(&str, TriggerRule)] = &[
        ("SUCCESS", TriggerRule::OnSuccess),
        ("FAILURE", TriggerRule::OnFailure),
        ("COMPLETION", TriggerRule::OnCompletion),
    ];
}

/// Why a schedule's tasks do not form a DAG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DagError {
    /// Two tasks have the same name (the index of the second).
    DuplicateTask(usize),
    /// Task `task` names an upstream task that does not exist.
    UnknownUpstream {
        /// The task's index.
        task: usize,
        /// The index of the upstream name in its `AFTER` list.
        upstream: usize,
    },
    /// These tasks (indexes, in cycle order) depend on each other.
    Cycle(Vec<usize>),
}

impl CreateSchedule {
    /// The tasks in an order where every task comes after its upstream
    /// tasks (indexes into `tasks`), or why there is none.
    pub fn topological_order(&self) -> Result<Vec<usize>, DagError> {
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, task) in self.tasks.iter().enumerate() {
            if index.insert(object_name(&task.name), i).is_some() {
                return Err(DagError::DuplicateTask(i));
            }
        }
        let mut upstream: Vec<Vec<usize>> = Vec::with_capacity(self.tasks.len());
        for (task, t) in self.tasks.iter().enumerate() {
            let mut edges = Vec::new();
            for (u, name) in t.upstream.iter().enumerate() {
                match index.get(&object_name(name)) {
                    Some(&i) => edges.push(i),
                    None => return Err(DagError::UnknownUpstream { task, upstream: u }),
                }
            }
            upstream.push(edges);
        }
        // Depth-first, marking tasks in progress to find a cycle.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Visiting,
            Done,
        }
        let mut marks = vec![Mark::New; self.tasks.len()];
        let mut order = Vec::with_capacity(self.tasks.len());
        for root in 0..self.tasks.len() {
            if marks[root] != Mark::New {
                continue;
            }
            // (task, next upstream edge to follow)
            let mut stack = vec![(root, 0usize)];
            marks[root] = Mark::Visiting;
            while let Some(&mut (task, ref mut next)) = stack.last_mut() {
                if let Some(&up) = upstream[task].get(*next) {
                    *next += 1;
                    match marks[up] {
                        Mark::New => {
                            marks[up] = Mark::Visiting;
                            stack.push((up, 0));
                        }
                        Mark::Visiting => {
                            let from = stack.iter().position(|(t, _)| *t == up).unwrap_or(0);
                            return Err(DagError::Cycle(
                                stack[from..].iter().map(|(t, _)| *t).collect(),
                            ));
                        }
                        Mark::Done => {}
                    }
                } else {
                    marks[task] = Mark::Done;
                    order.push(task);
                    stack.pop();
                }
            }
        }
        Ok(order)
    }
}

/// `EXECUTE SCHEDULE name [FOR 'from' TO 'to']`: run now, or backfill.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecuteSchedule {
    /// The schedule.
    pub name: Ident,
    /// The backfill range (dates or timestamps, inclusive), as written.
    pub backfill: Option<(String, String)>,
}

/// `SHOW RUNS [FOR SCHEDULE name] [LIMIT n]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShowRuns {
    /// Only this schedule's runs.
    pub schedule: Option<Ident>,
    /// At most this many, newest first.
    pub limit: Option<u64>,
}

impl fmt::Display for ScheduleTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} RUN ", q(&self.name))?;
        match &self.action {
            TaskAction::Sync(name) => write!(f, "SYNC {}", q(name))?,
            TaskAction::Job(name) => write!(f, "JOB {}", q(name))?,
            TaskAction::Sql(sql) => write!(f, "SQL {}", quote_string(sql))?,
        }
        match self.upstream.as_slice() {
            [] => return Ok(()),
            [one] => write!(f, " AFTER {}", q(one))?,
            many => {
                f.write_str(" AFTER (")?;
                let names: Vec<SqlIdent> = many.iter().map(q).collect();
                fmt_list(f, &names)?;
                f.write_str(")")?;
            }
        }
        match self.trigger {
            TriggerRule::OnSuccess => Ok(()),
            TriggerRule::OnFailure => f.write_str(" ON FAILURE"),
            TriggerRule::OnCompletion => f.write_str(" ON COMPLETION"),
        }
    }
}

impl fmt::Display for CreateSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE SCHEDULE")?;
        fmt_if(f, self.if_not_exists, "IF NOT EXISTS")?;
        write!(f, " {} CRON {}", q(&self.name), quote_string(&self.cron))?;
        if let Some(timezone) = &self.timezone {
            write!(f, " TIMEZONE {}", quote_string(timezone))?;
        }
        fmt_with(f, &self.options)?;
        f.write_str(" AS (")?;
        fmt_list(f, &self.tasks)?;
        f.write_str(")")
    }
}

impl fmt::Display for ExecuteSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EXECUTE SCHEDULE {}", q(&self.name))?;
        if let Some((from, to)) = &self.backfill {
            write!(f, " FOR {} TO {}", quote_string(from), quote_string(to))?;
        }
        Ok(())
    }
}

impl fmt::Display for ShowRuns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHOW RUNS")?;
        if let Some(schedule) = &self.schedule {
            write!(f, " FOR SCHEDULE {}", q(schedule))?;
        }
        if let Some(limit) = self.limit {
            write!(f, " LIMIT {limit}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(edges: &[(&str, &[&str])]) -> CreateSchedule {
        CreateSchedule {
            if_not_exists: false,
            name: Ident::new("s"),
            cron: "0 2 * * *".into(),
            timezone: None,
            options: Options::default(),
            tasks: edges
                .iter()
                .map(|(name, after)| ScheduleTask {
                    name: Ident::new(*name),
                    action: TaskAction::Sql("SELECT 1".into()),
                    upstream: after.iter().map(|a| Ident::new(*a)).collect(),
                    trigger: TriggerRule::OnSuccess,
                })
                .collect(),
        }
    }

    #[test]
    fn topological_order_puts_upstream_first() {
        let s = schedule(&[("c", &["a", "b"]), ("b", &["a"]), ("a", &[])]);
        assert_eq!(s.topological_order(), Ok(vec![2, 1, 0]));
    }

    #[test]
    fn topological_order_finds_cycles_unknown_and_duplicate_tasks() {
        let s = schedule(&[("a", &["c"]), ("b", &["a"]), ("c", &["b"]), ("d", &[])]);
        assert!(matches!(s.topological_order(), Err(DagError::Cycle(c)) if c.len() == 3));
        let s = schedule(&[("a", &["a"])]);
        assert_eq!(s.topological_order(), Err(DagError::Cycle(vec![0])));
        let s = schedule(&[("a", &[]), ("b", &["a", "x"])]);
        assert_eq!(
            s.topological_order(),
            Err(DagError::UnknownUpstream {
                task: 1,
                upstream: 1
            })
        );
        let s = schedule(&[("a", &[]), ("a", &[])]);
        assert_eq!(s.topological_order(), Err(DagError::DuplicateTask(1)));
    }
}

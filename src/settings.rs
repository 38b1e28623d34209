//! Session variables: PostgreSQL's run-time parameters that clients set and
//! read (`DateStyle`, `application_name`, ...), scaleph's own `scaleph.*`
//! settings, and any other key, which is a Flink session property.
//!
//! Known PostgreSQL names are matched case-insensitively and keep their
//! canonical spelling; other keys (Flink's `execution.runtime-mode`, ...)
//! are kept exactly as written and passed through.
//!
//! scaleph's own settings are typed: each is declared once in [`BUILTINS`]
//! with its default, and parsed once, on `SET`, into [`Settings`], which
//! the handlers read. A value that does not parse is refused at `SET`.
//!
//! This module sits at the bottom of the crate (it imports only
//! [`crate::error`], [`crate::duration`] and [`crate::pg`]) so that every layer may read
//! the settings.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::error::{Error, Result, SqlState};
use crate::pg::{EMULATED_SERVER_VERSION, EMULATED_SERVER_VERSION_NUM};

/// A built-in variable: canonical name, default, whether clients are told
/// when it changes (PostgreSQL's `GUC_REPORT`), a description, and for
/// scaleph's own settings how a value is parsed into [`Settings`].
struct Builtin {
    name: &'static str,
    default: &'static str,
    reported: bool,
    description: &'static str,
    /// Parses a value into the typed settings; `Err(hint)` when it does
    /// not parse. `None` for PostgreSQL's variables, kept as text.
    apply: Option<Apply>,
}

/// How a value of a scaleph setting is parsed into [`Settings`].
type Apply = fn(&mut Settings, &str) -> std::result::Result<(), &'static str>;

/// How changelog rows (`-U`, `+U`, `-D`) of a query reach the client
/// (`scaleph.result.changelog`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangelogMode {
    /// An `op` column when the query may update its rows; otherwise none,
    /// and a changelog row ends the result with an error rather than being
    /// shown as an insert.
    Auto,
    /// Always an `op` column.
    Op,
    /// Changes applied: the rows as they stand when the result ends.
    Apply,
}

impl ChangelogMode {
    /// `auto`, `op`, `apply`.
    pub fn parse(text: &str) -> Option<ChangelogMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(ChangelogMode::Auto),
            "op" => Some(ChangelogMode::Op),
            "apply" => Some(ChangelogMode::Apply),
            _ => None,
        }
    }
}

/// scaleph's own settings of one session, typed. Their defaults are the
/// `default` texts of [`BUILTINS`], parsed like any `SET`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `scaleph.result.max-rows`: rows after which a streaming query's
    /// result ends (`None`: no limit).
    pub max_rows: Option<usize>,
    /// `scaleph.result.timeout`: time after which a streaming query's
    /// result ends (`None`: no limit).
    pub result_timeout: Option<Duration>,
    /// `scaleph.result.changelog`: how update and delete rows are shown.
    pub changelog: ChangelogMode,
    /// `scaleph.preview`: every write runs as its preview.
    pub preview: bool,
    /// `scaleph.preview.limit`: rows a preview shows per sink (at least 1).
    pub preview_limit: usize,
    /// `scaleph.preview.timeout`: time after which a preview ends (`None`:
    /// no limit).
    pub preview_timeout: Option<Duration>,
    /// `scaleph.job.submit-timeout`: how long CREATE JOB, RESUME, SUSPEND,
    /// SAVEPOINT and STOP JOB wait for the cluster (at least 1 s).
    pub job_submit_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        let mut settings = Settings {
            max_rows: None,
            result_timeout: None,
            changelog: ChangelogMode::Auto,
            preview: false,
            preview_limit: 1,
            preview_timeout: None,
            job_submit_timeout: Duration::from_secs(300),
        };
        for builtin in BUILTINS {
            if let Some(apply) = builtin.apply {
                apply(&mut settings, builtin.default).expect("a built-in default parses");
            }
        }
        settings
    }
}

/// A duration setting: `0` means none.
fn optional_duration(value: &str) -> std::result::Result<Option<Duration>, &'static str> {
    crate::duration::parse_duration(value)
        .map(|d| (!d.is_zero()).then_some(d))
        .map_err(|_| "give a duration such as '30 s' or '5 min'; 0 means no limit")
}

fn apply_max_rows(s: &mut Settings, value: &str) -> std::result::Result<(), &'static str> {
    let rows: usize = value
        .trim()
        .parse()
        .map_err(|_| "give a whole number of rows; 0 means no limit")?;
    s.max_rows = (rows > 0).then_some(rows);
    Ok(())
}

fn apply_result_timeout(s: &mut Settings, value: &str) -> std::result::Result<(), &'static str> {
    s.result_timeout = optional_duration(value)?;
    Ok(())
}

fn apply_changelog(s: &mut Settings, value: &str) -> std::result::Result<(), &'static str> {
    s.changelog = ChangelogMode::parse(value).ok_or("give auto, op or apply")?;
    Ok(())
}

fn apply_preview(s: &mut Settings, value: &str) -> std::result::Result<(), &'static str> {
    s.preview = match value.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "1" => true,
        "off" | "false" | "0" => false,
        _ => return Err("give on or off"),
    };
    Ok(())
}

fn apply_preview_limit(s: &mut Settings, value: &str) -> std::result::Result<(), &'static str> {
    s.preview_limit = value
        .trim()
        .parse()
        .ok()
        .filter(|&n: &usize| n > 0)
        .ok_or("give a whole number of rows, at least 1")?;
    Ok(())
}

fn apply_preview_timeout(s: &mut Settings, value: &str) -> std::result::Result<(), &'static str> {
    s.preview_timeout = optional_duration(value)?;
    Ok(())
}

fn apply_job_submit_timeout(
    s: &mut Settings,
    value: &str,
) -> std::result::Result<(), &'static str> {
    s.job_submit_timeout = crate::duration::parse_duration(value)
        .ok()
        .filter(|d| *d >= Duration::from_secs(1))
        .ok_or("give a duration of at least 1 s, such as '5 min'")?;
    Ok(())
}

/// `scaleph.result.max-rows`.
pub const MAX_ROWS: &str = "scaleph.result.max-rows";
/// `scaleph.result.timeout`.
pub const RESULT_TIMEOUT: &str = "scaleph.result.timeout";
/// `scaleph.result.changelog`.
pub const CHANGELOG: &str = "scaleph.result.changelog";

/// `scaleph.preview`.
pub const PREVIEW: &str = "scaleph.preview";
/// `scaleph.preview.limit`.
pub const PREVIEW_LIMIT: &str = "scaleph.preview.limit";
/// `scaleph.preview.timeout`.
pub const PREVIEW_TIMEOUT: &str = "scaleph.preview.timeout";
/// `scaleph.job.submit-timeout`.
pub const JOB_SUBMIT_TIMEOUT: &str = "scaleph.job.submit-timeout";

const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "application_name",
        default: "",
        reported: true,
        description: "Sets the application name reported in statistics and logs.",
        apply: None,
    },
    Builtin {
        name: "client_encoding",
        default: "UTF8",
        reported: true,
        description: "Sets the client's character set encoding (only UTF8).",
        apply: None,
    },
    Builtin {
        name: "DateStyle",
        default: "ISO, MDY",
        reported: true,
        description: "Sets the display format for date and time values.",
        apply: None,
    },
    Builtin {
        name: "extra_float_digits",
        default: "1",
        reported: false,
        description: "Sets the number of digits displayed for floating-point values.",
        apply: None,
    },
    Builtin {
        name: "integer_datetimes",
        default: "on",
        reported: true,
        description: "Shows whether datetimes are integer based.",
        apply: None,
    },
    Builtin {
        name: "IntervalStyle",
        default: "postgres",
        reported: true,
        description: "Sets the display format for interval values.",
        apply: None,
    },
    Builtin {
        name: "is_superuser",
        default: "on",
        reported: true,
        description: "Shows whether the current user is a superuser.",
        apply: None,
    },
    Builtin {
        name: "max_identifier_length",
        default: "63",
        reported: false,
        description: "Shows the maximum identifier length.",
        apply: None,
    },
    Builtin {
        name: MAX_ROWS,
        default: "1000",
        reported: false,
        description: "Rows after which a streaming query's result ends (0: no limit).",
        apply: Some(apply_max_rows),
    },
    Builtin {
        name: RESULT_TIMEOUT,
        default: "0",
        reported: false,
        description: "Time after which a streaming query's result ends, e.g. '30 s' (0: no limit).",
        apply: Some(apply_result_timeout),
    },
    Builtin {
        name: CHANGELOG,
        default: "auto",
        reported: false,
        description: "How update and delete rows are shown: auto (an op column when the query may \
                      update), op (always an op column) or apply (the final rows).",
        apply: Some(apply_changelog),
    },
    Builtin {
        name: JOB_SUBMIT_TIMEOUT,
        default: "5 min",
        reported: false,
        description: "How long CREATE JOB, RESUME, SUSPEND, SAVEPOINT and STOP JOB wait for the cluster \
                      (the job running, the savepoint completed, the job stopped) before failing with 57014.",
        apply: Some(apply_job_submit_timeout),
    },
    Builtin {
        name: PREVIEW,
        default: "off",
        reported: false,
        description: "on: every statement that would write a sink runs as a query that shows its rows instead.",
        apply: Some(apply_preview),
    },
    Builtin {
        name: PREVIEW_LIMIT,
        default: "100",
        reported: false,
        description: "Rows a preview shows per sink.",
        apply: Some(apply_preview_limit),
    },
    Builtin {
        name: PREVIEW_TIMEOUT,
        default: "30 s",
        reported: false,
        description: "Time after which a preview of an unbounded source ends (0: no limit).",
        apply: Some(apply_preview_timeout),
    },
    Builtin {
        name: "search_path",
        default: "public, scaleph",
        reported: false,
        description: "Sets the schema search order for names that are not schema-qualified.",
        apply: None,
    },
    Builtin {
        name: "server_encoding",
        default: "UTF8",
        reported: true,
        description: "Shows the server (database) character set encoding.",
        apply: None,
    },
    Builtin {
        name: "server_version",
        default: EMULATED_SERVER_VERSION,
        reported: true,
        description: "Shows the PostgreSQL version scaleph emulates.",
        apply: None,
    },
    Builtin {
        name: "server_version_num",
        default: EMULATED_SERVER_VERSION_NUM,
        reported: false,
        description: "Shows the PostgreSQL version scaleph emulates, as an integer.",
        apply: None,
    },
    Builtin {
        name: "standard_conforming_strings",
        default: "on",
        reported: true,
        description: "Causes '...' strings to treat backslashes literally.",
        apply: None,
    },
    Builtin {
        name: "statement_timeout",
        default: "0",
        reported: false,
        description: "Sets the maximum allowed duration of any statement (accepted, not enforced).",
        apply: None,
    },
    Builtin {
        name: "TimeZone",
        default: "UTC",
        reported: true,
        description: "Sets the time zone for displaying and interpreting time stamps.",
        apply: None,
    },
    Builtin {
        name: "transaction_isolation",
        default: "read committed",
        reported: false,
        description: "Sets the current transaction's isolation level (accepted, no effect).",
        apply: None,
    },
    Builtin {
        name: "transaction_read_only",
        default: "off",
        reported: false,
        description: "Sets the current transaction's read-only status (accepted, no effect).",
        apply: None,
    },
];

/// Variables that describe the server and cannot be changed by a client.
const READ_ONLY: &[&str] = &[
    "integer_datetimes",
    "is_superuser",
    "max_identifier_length",
    "server_encoding",
    "server_version",
    "server_version_num",
];

/// The variables of one session.
#[derive(Clone, Debug, Default)]
pub struct SessionVars {
    /// Values set in this session, by canonical name, as written (what
    /// `SHOW` prints).
    values: BTreeMap<String, String>,
    /// scaleph's own settings, parsed from `values` and the defaults.
    settings: Settings,
}

fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name.eq_ignore_ascii_case(name))
}

/// The canonical spelling of `name`: a built-in's own, anything else as written.
fn canonical(name: &str) -> String {
    builtin(name).map_or_else(|| name.to_string(), |b| b.name.to_string())
}

impl SessionVars {
    /// Variables with every built-in at its default.
    pub fn new() -> SessionVars {
        SessionVars::default()
    }

    /// Sets `name` to `value`. Read-only built-ins and encodings other than
    /// UTF8 are refused with SQLSTATE 55P02 / 22023.
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        let name = canonical(name);
        if READ_ONLY.contains(&name.as_str()) {
            return Err(Error::new(
                SqlState::CANT_CHANGE_RUNTIME_PARAM,
                format!("parameter \"{name}\" cannot be changed"),
            ));
        }
        if name == "client_encoding" && !is_utf8(value) {
            return Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("client encoding \"{value}\" is not supported"),
            )
            .with_hint("scaleph speaks UTF8 only; set client_encoding to UTF8"));
        }
        self.apply_scaleph_setting(&name, value)?;
        let value = if name == "client_encoding" {
            "UTF8".to_string()
        } else {
            value.to_string()
        };
        self.values.insert(name, value);
        Ok(())
    }

    /// Resets `name` to its default (removes it, for non-built-ins).
    pub fn reset(&mut self, name: &str) {
        let name = canonical(name);
        if let Some(Builtin {
            default,
            apply: Some(apply),
            ..
        }) = builtin(&name)
        {
            apply(&mut self.settings, default).expect("a built-in default parses");
        }
        self.values.remove(&name);
    }

    /// Resets every variable.
    pub fn reset_all(&mut self) {
        self.values.clear();
        self.settings = Settings::default();
    }

    /// scaleph's own settings, typed.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Parses a value of one of scaleph's settings into [`Settings`];
    /// refuses unknown `scaleph.*` settings (42704) and values a setting
    /// cannot take (22023). Other names are not scaleph's: nothing to do.
    fn apply_scaleph_setting(&mut self, name: &str, value: &str) -> Result<()> {
        match builtin(name) {
            Some(Builtin {
                apply: Some(apply), ..
            }) => apply(&mut self.settings, value).map_err(|hint| {
                Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("invalid value for parameter \"{name}\": \"{value}\""),
                )
                .with_hint(hint)
            }),
            None if is_scaleph_key(name) => Err(Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!("unrecognized configuration parameter \"{name}\""),
            )
            .with_hint(format!(
                "scaleph's settings are {}",
                BUILTINS
                    .iter()
                    .filter(|b| is_scaleph_key(b.name))
                    .map(|b| b.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
            _ => Ok(()),
        }
    }

    /// The value of `name`, or `None` if it is neither a built-in nor set.
    pub fn get(&self, name: &str) -> Option<String> {
        let name = canonical(name);
        self.values
            .get(&name)
            .cloned()
            .or_else(|| builtin(&name).map(|b| b.default.to_string()))
    }

    /// The client's `TimeZone` (what timestamps with a zone are shown in).
    pub fn time_zone(&self) -> String {
        self.get("TimeZone").unwrap_or_else(|| "UTC".to_string())
    }

    /// The value of `name`, or 42704 "unrecognized configuration parameter".
    pub fn require(&self, name: &str) -> Result<String> {
        self.get(name).ok_or_else(|| {
            Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!("unrecognized configuration parameter \"{name}\""),
            )
        })
    }

    /// Every variable with its value and description, by name: what `SHOW ALL` lists.
    pub fn all(&self) -> Vec<(String, String, String)> {
        let mut rows: BTreeMap<String, (String, String)> = BUILTINS
            .iter()
            .map(|b| {
                (
                    b.name.to_string(),
                    (b.default.to_string(), b.description.to_string()),
                )
            })
            .collect();
        for (name, value) in &self.values {
            let description = builtin(name).map_or("Flink session property.", |b| b.description);
            rows.insert(name.clone(), (value.clone(), description.to_string()));
        }
        rows.into_iter().map(|(n, (v, d))| (n, v, d)).collect()
    }

    /// The variables clients are told about at startup, with their values.
    pub fn reported(&self) -> Vec<(&'static str, String)> {
        BUILTINS
            .iter()
            .filter(|b| b.reported)
            .map(|b| (b.name, self.get(b.name).unwrap_or_default()))
            .collect()
    }
}

/// Whether `name` is a Flink session property: a dotted key that is
/// neither PostgreSQL's nor scaleph's own.
pub fn is_flink_key(name: &str) -> bool {
    name.contains('.') && builtin(name).is_none() && !is_scaleph_key(name)
}

fn is_scaleph_key(name: &str) -> bool {
    name.get(..8)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("scaleph."))
}

fn is_utf8(value: &str) -> bool {
    matches!(
        value.to_ascii_uppercase().replace(['-', '_'], "").as_str(),
        "UTF8" | "UNICODE"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_match_case_insensitively_and_keep_their_spelling() {
        let mut vars = SessionVars::new();
        vars.set("datestyle", "ISO, DMY").unwrap();
        assert_eq!(vars.get("DATESTYLE").unwrap(), "ISO, DMY");
        assert!(
            vars.all()
                .iter()
                .any(|(n, v, _)| n == "DateStyle" && v == "ISO, DMY")
        );
        vars.reset("DateStyle");
        assert_eq!(vars.get("datestyle").unwrap(), "ISO, MDY");
    }

    #[test]
    fn read_only_and_non_utf8_are_refused() {
        let mut vars = SessionVars::new();
        assert_eq!(
            vars.set("server_version", "9").unwrap_err().sqlstate.code(),
            "55P02"
        );
        assert_eq!(
            vars.set("client_encoding", "LATIN1").unwrap_err().sqlstate,
            SqlState::INVALID_PARAMETER_VALUE
        );
        vars.set("client_encoding", "utf-8").unwrap();
        assert_eq!(vars.get("client_encoding").unwrap(), "UTF8");
    }

    #[test]
    fn scaleph_settings_are_checked() {
        let mut vars = SessionVars::new();
        assert_eq!(vars.get(MAX_ROWS).as_deref(), Some("1000"));
        vars.set("SCALEPH.RESULT.MAX-ROWS", "5").unwrap();
        assert_eq!(vars.get(MAX_ROWS).as_deref(), Some("5"));
        assert!(vars.set(MAX_ROWS, "-1").is_err());
        assert!(vars.set(RESULT_TIMEOUT, "soon").is_err());
        vars.set(RESULT_TIMEOUT, "30 s").unwrap();
        assert!(vars.set(CHANGELOG, "upsert").is_err());
        let err = vars.set("scaleph.result.max_rows", "1").unwrap_err();
        assert_eq!(err.sqlstate, SqlState::UNDEFINED_OBJECT);
        assert!(err.hint.unwrap().contains(MAX_ROWS));
        assert!(is_flink_key("execution.runtime-mode"));
        assert!(!is_flink_key(MAX_ROWS));
        assert!(!is_flink_key("application_name"));
    }

    #[test]
    fn scaleph_settings_are_typed_once_with_their_defaults() {
        let mut vars = SessionVars::new();
        let defaults = vars.settings().clone();
        assert_eq!(defaults.max_rows, Some(1000));
        assert_eq!(defaults.result_timeout, None);
        assert_eq!(defaults.changelog, ChangelogMode::Auto);
        assert!(!defaults.preview);
        assert_eq!(defaults.preview_limit, 100);
        assert_eq!(defaults.preview_timeout, Some(Duration::from_secs(30)));
        vars.set(MAX_ROWS, "0").unwrap();
        vars.set(RESULT_TIMEOUT, "5 s").unwrap();
        vars.set(CHANGELOG, "APPLY").unwrap();
        vars.set(PREVIEW, "on").unwrap();
        vars.set(PREVIEW_TIMEOUT, "0").unwrap();
        let set = vars.settings();
        assert_eq!(set.max_rows, None);
        assert_eq!(set.result_timeout, Some(Duration::from_secs(5)));
        assert_eq!(set.changelog, ChangelogMode::Apply);
        assert!(set.preview);
        assert_eq!(set.preview_timeout, None);
        // A refused value leaves the setting as it was.
        assert!(vars.set(PREVIEW_LIMIT, "0").is_err());
        assert_eq!(vars.settings().preview_limit, 100);
        vars.reset(PREVIEW);
        assert!(!vars.settings().preview);
        vars.reset_all();
        assert_eq!(vars.settings(), &defaults);
    }

    #[test]
    fn flink_keys_are_kept_as_written_and_unknown_show_is_42704() {
        let mut vars = SessionVars::new();
        vars.set("execution.runtime-mode", "batch").unwrap();
        assert_eq!(vars.get("execution.runtime-mode").as_deref(), Some("batch"));
        assert_eq!(vars.get("EXECUTION.RUNTIME-MODE"), None);
        assert_eq!(
            vars.require("nope").unwrap_err().sqlstate,
            SqlState::UNDEFINED_OBJECT
        );
    }
}

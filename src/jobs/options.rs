//! A job's `WITH (...)` options, typed: what `CREATE JOB` and `ALTER JOB`
//! accept and what a submission does with them.
//!
//! scaleph's own keys have no dot (`parallelism`, `wait`) or are the few
//! every job author reaches for, spelled once (`savepoint.dir`,
//! `checkpoint.interval`, `restart.strategy`); any other key with a dot is
//! Flink configuration, passed to the job as a `SET` at the top of its
//! script (so `SHOW CREATE JOB` shows exactly what the job gets). A key
//! without a dot that scaleph does not know is a typo: 22023 with the
//! closest key.

use std::collections::BTreeMap;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result, SqlState};
use crate::store::OptionEntry;

/// Where Flink 2.x reads the default savepoint directory.
pub const SAVEPOINT_DIR_KEY: &str = "execution.checkpointing.savepoint-dir";
/// The same before Flink 1.20 renamed it.
pub const LEGACY_SAVEPOINT_DIR_KEY: &str = "state.savepoints.dir";

/// One option scaleph knows, and what it becomes.
struct Known {
    key: &'static str,
    kind: Kind,
    /// The Flink keys it sets, all of them (old and new names).
    flink: &'static [&'static str],
    description: &'static str,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Positive,
    Bool,
    Duration,
    Text,
    OneOf(&'static [&'static str]),
}

const KNOWN: &[Known] = &[
    Known {
        key: "parallelism",
        kind: Kind::Positive,
        flink: &["parallelism.default"],
        description: "the job's default parallelism",
    },
    Known {
        key: "savepoint.dir",
        kind: Kind::Text,
        flink: &[SAVEPOINT_DIR_KEY, LEGACY_SAVEPOINT_DIR_KEY],
        description: "where SUSPEND, STOP WITH SAVEPOINT and SAVEPOINT JOB write savepoints (file:///..., s3://...)",
    },
    Known {
        key: "checkpoint.interval",
        kind: Kind::Duration,
        flink: &["execution.checkpointing.interval"],
        description: "how often the job checkpoints ('10 s')",
    },
    Known {
        key: "restart.strategy",
        kind: Kind::OneOf(&["none", "fixed-delay", "exponential-delay", "failure-rate"]),
        flink: &["restart-strategy.type"],
        description: "what Flink does when the job fails",
    },
    Known {
        key: "wait",
        kind: Kind::Bool,
        flink: &[],
        description: "whether CREATE JOB and RESUME JOB wait until the job runs (default true)",
    },
    Known {
        key: "allow_non_restored_state",
        kind: Kind::Bool,
        flink: &[],
        description: "whether RESUME JOB may skip savepoint state no operator takes (after the script changed)",
    },
    Known {
        key: "upgrade.mode",
        kind: Kind::OneOf(&["savepoint", "last-state", "stateless"]),
        flink: &[],
        description: "how a Kubernetes operator upgrades the job (REMOTE clusters always suspend with a savepoint)",
    },
];

/// Options that cannot change while the job runs on its cluster: a
/// streaming job's savepoint does not restore into a batch job.
const IMMUTABLE_WHILE_LIVE: &[&str] = &["execution.runtime-mode"];

/// A job's options, validated.
#[derive(Clone, Debug, Default)]
pub struct JobOptions {
    /// Every option as given, canonical keys (what the store keeps).
    pub entries: BTreeMap<String, OptionEntry>,
}

impl JobOptions {
    /// Validates `pairs` (key, value) as written in `WITH (...)`.
    pub fn parse(pairs: &[(String, String)]) -> Result<JobOptions> {
        let mut entries = BTreeMap::new();
        for (key, value) in pairs {
            let (key, entry) = validate(key, value)?;
            entries.insert(key, entry);
        }
        Ok(JobOptions { entries })
    }

    /// The options stored for a job.
    pub fn from_entries(entries: BTreeMap<String, OptionEntry>) -> JobOptions {
        JobOptions { entries }
    }

    fn text(&self, key: &str) -> Option<&str> {
        match self.entries.get(key)? {
            OptionEntry::Plain(value) => Some(value),
            OptionEntry::Secret(secret) => Some(secret.expose_secret()),
        }
    }

    /// `parallelism`.
    pub fn parallelism(&self) -> Option<u32> {
        self.text("parallelism").and_then(|v| v.trim().parse().ok())
    }

    /// `wait` (default true).
    pub fn wait(&self) -> bool {
        self.text("wait")
            .is_none_or(|v| parse_bool(v) != Some(false))
    }

    /// `allow_non_restored_state` (default false).
    pub fn allow_non_restored_state(&self) -> bool {
        self.text("allow_non_restored_state")
            .is_some_and(|v| parse_bool(v) == Some(true))
    }

    /// `upgrade.mode`, if given.
    pub fn upgrade_mode(&self) -> Option<&str> {
        self.text("upgrade.mode")
    }

    /// `savepoint.dir`, or the Flink key of it given directly.
    pub fn savepoint_dir(&self) -> Option<&str> {
        self.text("savepoint.dir")
            .or_else(|| self.text(SAVEPOINT_DIR_KEY))
            .or_else(|| self.text(LEGACY_SAVEPOINT_DIR_KEY))
    }

    /// The Flink configuration the options set, as (key, value): scaleph's
    /// keys translated (a duration in Flink's form), Flink keys as given.
    pub fn flink_settings(&self) -> Vec<(String, String)> {
        let mut settings = Vec::new();
        for (key, entry) in &self.entries {
            let value = match entry {
                OptionEntry::Plain(value) => value.clone(),
                OptionEntry::Secret(secret) => secret.expose_secret().to_string(),
            };
            match KNOWN.iter().find(|k| k.key == key) {
                Some(known) => {
                    let value = match known.kind {
                        Kind::Duration => flink_duration(&value),
                        _ => value,
                    };
                    for flink in known.flink {
                        settings.push((flink.to_string(), value.clone()));
                    }
                }
                None => settings.push((key.clone(), value)),
            }
        }
        settings
    }

    /// Refuses changing `key` while the job is alive on its cluster.
    pub fn check_mutable(key: &str, job: &str) -> Result<()> {
        if IMMUTABLE_WHILE_LIVE.contains(&key) {
            return Err(Error::new(
                SqlState::CANT_CHANGE_RUNTIME_PARAM,
                format!("option \"{key}\" of job \"{job}\" cannot change while the job runs"),
            )
            .with_hint(format!(
                "STOP JOB {job} (or SUSPEND it) first; a savepoint of a streaming job does not restore into a batch one"
            )));
        }
        Ok(())
    }

    /// The options shown (secrets masked), as (key, value).
    pub fn shown(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .map(|(k, v)| (k.clone(), v.masked().to_string()))
            .collect()
    }
}

/// Validates one option; its canonical key and how it is kept (a key that
/// names a secret is sealed).
fn validate(key: &str, value: &str) -> Result<(String, OptionEntry)> {
    let canonical = key.trim().to_ascii_lowercase();
    let invalid = |message: String| {
        Error::new(SqlState::INVALID_PARAMETER_VALUE, message).with_subject(key.to_string())
    };
    match KNOWN.iter().find(|k| k.key == canonical) {
        Some(known) => {
            let ok = match known.kind {
                Kind::Positive => value.trim().parse::<u32>().is_ok_and(|n| n > 0),
                Kind::Bool => parse_bool(value).is_some(),
                Kind::Duration => crate::duration::parse_duration(value).is_ok(),
                Kind::Text => !value.trim().is_empty(),
                Kind::OneOf(allowed) => {
                    allowed.contains(&value.trim().to_ascii_lowercase().as_str())
                }
            };
            if !ok {
                let expected = match known.kind {
                    Kind::Positive => "a positive integer".to_string(),
                    Kind::Bool => "true or false".to_string(),
                    Kind::Duration => "a duration such as '10 s' or '1 min'".to_string(),
                    Kind::Text => "a non-empty value".to_string(),
                    Kind::OneOf(allowed) => format!("one of {}", allowed.join(", ")),
                };
                return Err(invalid(format!(
                    "invalid value for job option \"{canonical}\": '{value}' ({}: expected {expected})",
                    known.description
                )));
            }
        }
        None if canonical.contains('.') => {}
        None => {
            let keys: Vec<&str> = KNOWN.iter().map(|k| k.key).collect();
            let mut err = invalid(format!("unknown job option \"{key}\""));
            if let Some(close) = crate::sql::parser::suggest::closest(&canonical, &keys) {
                err.message.push_str(&format!(": did you mean {close}?"));
            }
            return Err(err.with_hint(format!(
                "job options are {} and any Flink configuration key ('execution.checkpointing.mode' = 'EXACTLY_ONCE')",
                keys.join(", ")
            )));
        }
    }
    let entry = if crate::sql::mask::is_secret_key(&canonical) {
        OptionEntry::Secret(SecretString::from(value.to_string()))
    } else {
        OptionEntry::Plain(value.to_string())
    };
    Ok((canonical, entry))
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// A duration as Flink reads it (`10000 ms`).
fn flink_duration(value: &str) -> String {
    crate::duration::parse_duration(value)
        .map(|d: Duration| format!("{} ms", d.as_millis()))
        .unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::pairs;

    #[test]
    fn scaleph_keys_translate_and_flink_keys_pass_through() {
        let options = JobOptions::parse(&pairs(&[
            ("parallelism", "2"),
            ("checkpoint.interval", "10 s"),
            ("savepoint.dir", "file:///sp"),
            ("execution.checkpointing.mode", "AT_LEAST_ONCE"),
            ("wait", "false"),
        ]))
        .unwrap();
        assert_eq!(options.parallelism(), Some(2));
        assert!(!options.wait());
        assert_eq!(options.savepoint_dir(), Some("file:///sp"));
        let settings = options.flink_settings();
        for expected in [
            ("parallelism.default", "2"),
            ("execution.checkpointing.interval", "10000 ms"),
            (SAVEPOINT_DIR_KEY, "file:///sp"),
            (LEGACY_SAVEPOINT_DIR_KEY, "file:///sp"),
            ("execution.checkpointing.mode", "AT_LEAST_ONCE"),
        ] {
            assert!(
                settings.contains(&(expected.0.to_string(), expected.1.to_string())),
                "{expected:?} in {settings:?}"
            );
        }
        assert!(!settings.iter().any(|(k, _)| k == "wait"));
    }

    #[test]
    fn bad_options_are_22023_naming_the_option() {
        let err = JobOptions::parse(&pairs(&[("paralelism", "2")])).unwrap_err();
        assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
        assert!(
            err.message.contains("did you mean parallelism?"),
            "{}",
            err.message
        );
        let err = JobOptions::parse(&pairs(&[("parallelism", "0")])).unwrap_err();
        assert!(err.message.contains("positive integer"), "{}", err.message);
        let err = JobOptions::parse(&pairs(&[("restart.strategy", "sometimes")])).unwrap_err();
        assert!(err.message.contains("fixed-delay"), "{}", err.message);
        assert!(JobOptions::parse(&pairs(&[("wait", "maybe")])).is_err());
    }

    #[test]
    fn secret_flink_keys_are_sealed_and_masked() {
        let options = JobOptions::parse(&pairs(&[("s3.secret-key", "k-123")])).unwrap();
        assert!(matches!(
            options.entries["s3.secret-key"],
            OptionEntry::Secret(_)
        ));
        assert_eq!(
            options.shown(),
            [("s3.secret-key".to_string(), "******".to_string())]
        );
        assert_eq!(
            options.flink_settings(),
            [("s3.secret-key".to_string(), "k-123".to_string())]
        );
    }

    #[test]
    fn runtime_mode_cannot_change_while_the_job_runs() {
        let err = JobOptions::check_mutable("execution.runtime-mode", "j").unwrap_err();
        assert_eq!(err.sqlstate, SqlState::CANT_CHANGE_RUNTIME_PARAM);
        assert!(JobOptions::check_mutable("parallelism", "j").is_ok());
    }
}

//! Checking the options of a datasource against its type: unknown keys
//! (with the closest valid one), missing required keys (all of them in one
//! error), and every value against its option's type.

use std::collections::BTreeMap;

use super::{DatasourceType, OptionSpec, OptionType};
use crate::error::{Error, SqlState};
use crate::sql::parser::suggest::{closest, one_of};

/// Options that passed validation: canonical key to canonical value
/// (booleans `true`/`false`, enum values as the type spells them).
pub type ValidatedOptions = BTreeMap<String, String>;

/// Whether `text` is a valid value for `spec`; the canonical value if so.
pub fn check_value(spec: &OptionSpec, text: &str) -> Result<String, String> {
    match spec.value_type {
        OptionType::String | OptionType::List => Ok(text.to_string()),
        OptionType::Int => {
            let n: i64 = text
                .trim()
                .parse()
                .map_err(|_| format!("'{text}' is not an integer"))?;
            let (min, max) = (spec.min.unwrap_or(i64::MIN), spec.max.unwrap_or(i64::MAX));
            if n < min || n > max {
                return Err(format!("{n} is out of range: expected {min} to {max}"));
            }
            Ok(n.to_string())
        }
        OptionType::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok("true".into()),
            "false" => Ok("false".into()),
            _ => Err(format!("'{text}' is not TRUE or FALSE")),
        },
        OptionType::Duration => {
            crate::duration::parse_duration(text).map(|_| text.trim().to_string())
        }
        OptionType::Enum => spec
            .values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(text.trim()))
            .cloned()
            .ok_or_else(|| {
                let values: Vec<&str> = spec.values.iter().map(String::as_str).collect();
                format!("'{text}' is not one of {}", one_of(&values))
            }),
    }
}

impl DatasourceType {
    /// Checks `given` (key, value as text) for a new datasource, or, with
    /// `complete = false`, a part of one (ALTER ... SET). The error names
    /// every missing required option at once.
    pub fn validate(
        &self,
        given: &[(String, String)],
        complete: bool,
    ) -> Result<ValidatedOptions, Error> {
        let mut validated = ValidatedOptions::new();
        for (key, value) in given {
            let spec = self.option(key).ok_or_else(|| self.unknown_option(key))?;
            let canonical = check_value(spec, value).map_err(|reason| {
                let shown = if spec.secret {
                    "******"
                } else {
                    value.as_str()
                };
                Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!(
                        "invalid value for option \"{}\" of {}: {}",
                        spec.name,
                        self.name,
                        reason.replace(value.as_str(), shown)
                    ),
                )
                .with_hint(format!(
                    "{} ({})",
                    spec.description,
                    spec.value_type.as_str()
                ))
                .with_subject(key.as_str())
            })?;
            validated.insert(spec.name.clone(), canonical);
        }
        if complete {
            let missing: Vec<&str> = self
                .options
                .iter()
                .filter(|o| o.required && !validated.contains_key(&o.name))
                .map(|o| o.name.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!(
                        "{} datasource is missing required option{}: {}",
                        self.name,
                        if missing.len() > 1 { "s" } else { "" },
                        missing.join(", ")
                    ),
                )
                .with_hint(format!(
                    "DESCRIBE DATASOURCE TYPE {} lists its options",
                    self.name
                )));
            }
        }
        Ok(validated)
    }

    /// The error for a key that is not an option of this type.
    pub fn unknown_option(&self, key: &str) -> Error {
        let names: Vec<&str> = self.options.iter().map(|o| o.name.as_str()).collect();
        let mut err = Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!(
                "\"{key}\" is not an option of datasource type {}",
                self.name
            ),
        )
        .with_subject(key);
        err = match closest(key, &names) {
            Some(close) => {
                err.message.push_str(&format!(": did you mean {close}?"));
                err
            }
            None => err.with_hint(format!(
                "DESCRIBE DATASOURCE TYPE {} lists its options",
                self.name
            )),
        };
        err
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::Registry;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn validate_checks_keys_required_options_and_values() {
        let registry = Registry::embedded();
        let mysql = registry.get("mysql").unwrap();
        let ok = mysql
            .validate(
                &pairs(&[
                    ("host", "h"),
                    ("port", "3307"),
                    ("username", "u"),
                    ("password", "p"),
                ]),
                true,
            )
            .unwrap();
        assert_eq!(ok["port"], "3307");
        let err = mysql.validate(&pairs(&[("hots", "h")]), true).unwrap_err();
        assert_eq!(err.sqlstate.code(), "22023");
        assert!(
            err.message.contains("did you mean host?"),
            "{}",
            err.message
        );
        let err = mysql.validate(&pairs(&[]), true).unwrap_err();
        assert!(
            err.message.contains("missing required options: host"),
            "{}",
            err.message
        );
        for bad in ["0", "65536", "x"] {
            let err = mysql.validate(&pairs(&[("port", bad)]), false).unwrap_err();
            assert!(err.message.contains("\"port\""), "{}", err.message);
        }
        // Partial checks (ALTER ... SET) do not ask for required options.
        assert!(mysql.validate(&pairs(&[("port", "1")]), false).is_ok());
    }
}

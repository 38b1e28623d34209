//! Checking options against their type — a datasource's, a cluster's:
//! unknown keys (with the closest valid one, or FILES when the key is one
//! of the type's files), missing required keys (all of them in one
//! error), every value against its option's type, and the names of
//! attached files. One trait, [`TypedOptions`], so every kind of typed
//! object validates, names its errors and suggests keys the same way.

use std::collections::BTreeMap;

use super::file::FileSpec;
use super::option::{OptionSpec, OptionType};
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
        OptionType::Url => check_url(text),
        OptionType::Header => check_header(text),
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

/// An `http(s)://host...` URL without user info; the canonical form
/// drops a trailing `/`.
fn check_url(text: &str) -> Result<String, String> {
    let trimmed = text.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(trimmed).map_err(|e| format!("'{text}' is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "'{text}' is not an http:// or https:// URL with a host"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Not echoed: the text holds a credential.
        return Err("a URL with user info is refused: give credentials in a secret option".into());
    }
    Ok(trimmed.to_string())
}

/// `Name: value`, a valid HTTP header name and a non-empty value. The
/// reason never repeats the text: header options are secrets.
fn check_header(text: &str) -> Result<String, String> {
    let (name, value) = text
        .split_once(':')
        .ok_or("it is not a header line 'Name: value'")?;
    let name = name.trim();
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err("the header name is not a valid HTTP header name".into());
    }
    let value = value.trim();
    if value.is_empty() || value.chars().any(|c| c.is_control()) {
        return Err("the header value is empty or has control characters".into());
    }
    Ok(format!("{name}: {value}"))
}

/// Checks a type's option list as a catalog file gives it: no key twice,
/// enums with values, defaults that pass their own check.
pub(super) fn check_specs(options: &[OptionSpec]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for option in options {
        if !seen.insert(option.name.to_ascii_lowercase()) {
            return Err(format!("option \"{}\" is listed twice", option.name));
        }
        if option.value_type == OptionType::Enum && option.values.is_empty() {
            return Err(format!("enum option \"{}\" has no values", option.name));
        }
        if option.prefix && (option.required || option.default.is_some()) {
            return Err(format!(
                "prefix option \"{}\" cannot be required or have a default",
                option.name
            ));
        }
        if let Some(default) = &option.default {
            check_value(option, default)
                .map_err(|e| format!("default of \"{}\": {e}", option.name))?;
        }
    }
    Ok(())
}

/// A type whose objects take typed options (`WITH (...)`): a datasource
/// type, a cluster type. The provided methods are the one validation.
pub trait TypedOptions {
    /// Every option, in the order they are documented.
    fn options(&self) -> &[OptionSpec];
    /// The files an object of the type can have attached (`FILES (...)`).
    fn files(&self) -> &[FileSpec];
    /// The type in messages: `datasource type mysql`, `cluster type remote`.
    fn owner(&self) -> String;
    /// The object in "is missing required option": `mysql datasource`.
    fn missing_owner(&self) -> String;
    /// Where a user reads the options: `DESCRIBE DATASOURCE TYPE mysql lists its options`.
    fn listing_hint(&self) -> String;

    /// The option `key` is (case-insensitive; a prefix option takes every
    /// key starting with its name).
    fn option(&self, key: &str) -> Option<&OptionSpec> {
        let options = self.options();
        options
            .iter()
            .find(|o| !o.prefix && o.name.eq_ignore_ascii_case(key))
            .or_else(|| {
                options.iter().find(|o| {
                    o.prefix
                        && key.len() > o.name.len()
                        && key.is_char_boundary(o.name.len())
                        && key[..o.name.len()].eq_ignore_ascii_case(&o.name)
                })
            })
    }

    /// How to attach file `name`, for a user who gave it as an option.
    fn attach_hint(&self, name: &str) -> String {
        format!("attach it with FILES ('{name}' = '/path/to/file') after WITH (...)")
    }

    /// The attachable file called `name` (case-insensitive).
    fn file(&self, name: &str) -> Option<&FileSpec> {
        self.files()
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The file `key` of `FILES (...)` as the type declares it, or 22023
    /// naming the closest one and listing those it takes.
    fn file_spec(&self, key: &str) -> Result<&FileSpec, Error> {
        self.file(key).ok_or_else(|| {
            let names: Vec<&str> = self.files().iter().map(|f| f.name.as_str()).collect();
            let mut err = Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("\"{key}\" is not a file {} takes", self.owner()),
            )
            .with_subject(key);
            if let Some(close) = closest(key, &names) {
                err.message.push_str(&format!(": did you mean {close}?"));
            }
            err.with_hint(if names.is_empty() {
                format!("{} takes no files", self.owner())
            } else {
                format!("{} takes: {}", self.owner(), names.join(", "))
            })
        })
    }

    /// Whether option `key` is secret for this type.
    fn is_secret(&self, key: &str) -> bool {
        self.option(key).is_some_and(|o| o.secret)
    }

    /// Checks `given` (key, value as text) for a new object, or, with
    /// `complete = false`, a part of one (ALTER ... SET). The error names
    /// every missing required option at once. Keys come back canonical:
    /// the option's name, or for a prefix option the key as written.
    fn validate(
        &self,
        given: &[(String, String)],
        complete: bool,
    ) -> Result<ValidatedOptions, Error> {
        let mut validated = ValidatedOptions::new();
        for (key, value) in given {
            let spec = self.option(key).ok_or_else(|| self.unknown_option(key))?;
            let canonical = check_value(spec, value).map_err(|reason| {
                let reason = if spec.secret && !value.is_empty() {
                    reason.replace(value.as_str(), "******")
                } else {
                    reason
                };
                Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!(
                        "invalid value for option \"{}\" of {}: {reason}",
                        canonical_key(spec, key),
                        self.owner(),
                    ),
                )
                .with_hint(format!(
                    "{} ({})",
                    spec.description,
                    spec.value_type.as_str()
                ))
                .with_subject(key.as_str())
            })?;
            validated.insert(canonical_key(spec, key), canonical);
        }
        if complete {
            let missing: Vec<&str> = self
                .options()
                .iter()
                .filter(|o| o.required && !validated.contains_key(&o.name))
                .map(|o| o.name.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!(
                        "{} is missing required option{}: {}",
                        self.missing_owner(),
                        if missing.len() > 1 { "s" } else { "" },
                        missing.join(", ")
                    ),
                )
                .with_hint(self.listing_hint()));
            }
        }
        Ok(validated)
    }

    /// The error for a key that is not an option of this type: 22023,
    /// with the closest option when one is near — or, for a key that is
    /// one of the type's files, how to attach it.
    fn unknown_option(&self, key: &str) -> Error {
        if let Some(file) = self.file(key) {
            return Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!(
                    "\"{key}\" is not an option of {}: it is a file, read once and stored",
                    self.owner()
                ),
            )
            .with_subject(key)
            .with_hint(self.attach_hint(&file.name));
        }
        let names: Vec<&str> = self
            .options()
            .iter()
            .filter(|o| !o.prefix)
            .map(|o| o.name.as_str())
            .collect();
        let mut err = Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("\"{key}\" is not an option of {}", self.owner()),
        )
        .with_subject(key);
        match closest(key, &names) {
            Some(close) => {
                err.message.push_str(&format!(": did you mean {close}?"));
                err
            }
            None => err.with_hint(self.listing_hint()),
        }
    }
}

/// The key an option is kept under: its name, or for a prefix option the
/// key as written (Flink's keys are case-sensitive).
pub fn canonical_key(spec: &OptionSpec, key: &str) -> String {
    if spec.prefix {
        key.to_string()
    } else {
        spec.name.clone()
    }
}

/// `WITH (...)` pairs as statements give them, for tests.
#[cfg(test)]
pub fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{TypedOptions, pairs};
    use crate::catalog::Registry;

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

//! Typed `WITH (...)` options as the object handlers use them — a
//! datasource's, a cluster's: the pairs to validate, how a validated value
//! is kept (secret or plain), and how options are shown (DESCRIBE by
//! group, SHOW CREATE masked). One place, so every typed object masks and
//! lists its options the same way.

use std::collections::BTreeMap;

use secrecy::SecretString;

use crate::catalog::{OptionSpec, TypedOptions};
use crate::sql::ast::{OptionValue, Options, SqlOption};
use crate::sql::mask::is_secret_key;
use crate::store::{MASK, OptionEntry};

/// Option pairs as text, in the order written.
pub fn pairs(options: &Options) -> Vec<(String, String)> {
    options
        .0
        .iter()
        .map(|o| (o.key.clone(), o.value.as_text()))
        .collect()
}

/// A validated value as it is kept: secret when the type says so or, as a
/// safety net, when its key's name does (`password`, `*.secret-key`).
pub fn entry(typed: &impl TypedOptions, key: &str, value: String) -> OptionEntry {
    if typed.is_secret(key) || is_secret_key(key) {
        OptionEntry::Secret(SecretString::from(value))
    } else {
        OptionEntry::Plain(value)
    }
}

/// Validated options as kept: each value secret or plain.
pub fn entries(
    typed: &impl TypedOptions,
    validated: crate::catalog::ValidatedOptions,
) -> BTreeMap<String, OptionEntry> {
    validated
        .into_iter()
        .map(|(key, value)| {
            let entry = entry(typed, &key, value);
            (key, entry)
        })
        .collect()
}

/// Kept options as a `WITH (...)` list, secrets shown as `'******'`.
pub fn masked_options(options: &BTreeMap<String, OptionEntry>) -> Options {
    Options(
        options
            .iter()
            .map(|(key, entry)| SqlOption {
                key: key.clone(),
                value: OptionValue::String(entry.masked().to_string()),
            })
            .collect(),
    )
}

/// DESCRIBE's rows for the options of `typed`, by group (basic, timeouts,
/// advanced): `[group, option, value, source]`, source `set` or
/// `default`; a prefix option lists each key set under it; secrets
/// masked.
pub fn describe_rows(
    typed: &impl TypedOptions,
    options: &BTreeMap<String, OptionEntry>,
) -> Vec<Vec<String>> {
    let row = |spec: &OptionSpec, key: &str, value: &str, source: &str| {
        vec![
            spec.group.as_str().to_string(),
            key.to_string(),
            value.to_string(),
            source.to_string(),
        ]
    };
    let mut specs: Vec<&OptionSpec> = typed.options().iter().collect();
    specs.sort_by_key(|o| o.group);
    let mut rows = Vec::new();
    for spec in specs {
        if spec.prefix {
            for (key, entry) in options
                .iter()
                .filter(|(key, _)| typed.option(key).is_some_and(|s| std::ptr::eq(s, spec)))
            {
                rows.push(row(spec, key, entry.masked(), "set"));
            }
            continue;
        }
        match (options.get(&spec.name), &spec.default) {
            (Some(entry), _) => rows.push(row(spec, &spec.name, entry.masked(), "set")),
            (None, Some(default)) => {
                let shown = if spec.secret { MASK } else { default };
                rows.push(row(spec, &spec.name, shown, "default"))
            }
            (None, None) => {}
        }
    }
    rows
}

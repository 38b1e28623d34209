//! The options of `CREATE SYNC ... WITH (...)` as `catalogs/sync/options.toml`
//! declares them: the same [`OptionSpec`] format as datasource and cluster
//! types, checked by the same [`TypedOptions`] code (unknown key → 22023
//! with the closest one, values by type). What they mean per engine is
//! `crate::sync::options`'s business; the engine keys behind the
//! pass-through prefixes are listed in `docs/sync-engines.md`.
//!
//! Embedded only: unlike datasource types, the sync options are part of
//! the generators that read them, so a configuration directory cannot
//! replace them.

use std::sync::OnceLock;

use serde::Deserialize;

use super::option::OptionSpec;
use super::validate::{TypedOptions, check_specs};
use crate::error::Error;

/// The embedded `catalogs/sync/options.toml`.
const EMBEDDED: &str = include_str!("../../catalogs/sync/options.toml");

/// The option table of `CREATE SYNC`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncOptionTable {
    /// Always `sync`.
    pub name: String,
    /// Display name.
    pub title: String,
    /// One sentence on what it is.
    pub description: String,
    /// Every option, in the order they are documented.
    pub options: Vec<OptionSpec>,
}

impl SyncOptionTable {
    /// The embedded table, parsed and checked once.
    pub fn embedded() -> Result<&'static SyncOptionTable, Error> {
        static TABLE: OnceLock<Result<SyncOptionTable, String>> = OnceLock::new();
        TABLE
            .get_or_init(|| {
                super::parse_file("sync/options.toml", EMBEDDED, |t: &SyncOptionTable| {
                    check_specs(&t.options)
                })
                .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| Error::internal(format!("the embedded sync options: {e}")))
    }
}

impl TypedOptions for SyncOptionTable {
    fn options(&self) -> &[OptionSpec] {
        &self.options
    }

    /// A sync attaches no files.
    fn files(&self) -> &[super::FileSpec] {
        &[]
    }

    fn owner(&self) -> String {
        "CREATE SYNC".into()
    }

    fn missing_owner(&self) -> String {
        "a sync".into()
    }

    fn listing_hint(&self) -> String {
        let names: Vec<String> = self
            .options
            .iter()
            .map(|o| {
                if o.prefix {
                    format!("'{}<key>'", o.name)
                } else {
                    o.name.clone()
                }
            })
            .collect();
        format!("the options of CREATE SYNC: {}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::OptionGroup;

    #[test]
    fn the_embedded_sync_options_load() {
        let table = SyncOptionTable::embedded().unwrap();
        assert_eq!(table.name, "sync");
        for group in [
            OptionGroup::Basic,
            OptionGroup::Timeouts,
            OptionGroup::Advanced,
        ] {
            assert!(table.options.iter().any(|o| o.group == group), "{group:?}");
        }
        assert!(table.options.iter().all(|o| !o.secret));
    }
}

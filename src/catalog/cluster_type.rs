//! One cluster type as `catalogs/clusters/<type>.toml` describes it: the
//! options `CREATE CLUSTER ... TYPE <type> WITH (...)` takes. A type is
//! reached either by its REST address (`rest_address` names that option:
//! a Flink JobManager's for `remote`, a SeaTunnel Zeta engine's for
//! `seatunnel`) or through the Flink Kubernetes Operator
//! (`kubernetes = true`: `kubernetes_session`, `kubernetes_application`),
//! never both. Its `engine` says what runs there: Flink jobs (the
//! default), or SeaTunnel jobs, which only syncs make.
//! never both. Its files (`[[files]]`: the Kubernetes types' pod
//! templates) are declared and checked as a datasource type's are.

use serde::Deserialize;

use super::CatalogError;
use super::file::{FileSpec, check_files};
use super::option::OptionSpec;
use super::validate::{TypedOptions, check_specs};

/// What a cluster runs, and so which statements may use it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterEngine {
    /// Flink: scaleph's jobs (`CREATE JOB`) and syncs run by Flink.
    #[default]
    Flink,
    /// SeaTunnel's Zeta engine, reached by its REST API v2: syncs with
    /// `ENGINE SEATUNNEL` only.
    Seatunnel,
}

/// A cluster type: its options.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterTypeSpec {
    /// The type, as in `TYPE REMOTE` (lower case, as the file is named).
    pub name: String,
    /// Display name.
    pub title: String,
    /// One sentence on what it is.
    pub description: String,
    /// The option holding the REST address (`rest.address`), for a
    /// cluster scaleph reaches by it.
    #[serde(default)]
    pub rest_address: Option<String>,
    /// What the cluster runs (`engine = "seatunnel"`; Flink by default).
    #[serde(default)]
    pub engine: ClusterEngine,
    /// A cluster the Flink Kubernetes Operator runs (its options become a
    /// FlinkDeployment).
    #[serde(default)]
    pub kubernetes: bool,
    /// Every option, in the order they are documented.
    pub options: Vec<OptionSpec>,
    /// The files a cluster of this type can have attached (`FILES
    /// ('pod.template' = '/path')`), in the format of datasource types.
    #[serde(default)]
    pub files: Vec<FileSpec>,
}

impl ClusterTypeSpec {
    /// Parses and checks one file whose stem is `stem`.
    pub(super) fn parse(
        file: &str,
        stem: &str,
        text: &str,
    ) -> Result<ClusterTypeSpec, CatalogError> {
        super::parse_file(file, text, |parsed: &ClusterTypeSpec| {
            if parsed.name != stem {
                return Err(format!(
                    "name \"{}\" differs from the file name",
                    parsed.name
                ));
            }
            check_specs(&parsed.options)?;
            if parsed.engine == ClusterEngine::Seatunnel && parsed.rest_address.is_none() {
                return Err("a seatunnel cluster type is reached by its rest_address".into());
            }
            check_files(&parsed.files, &parsed.options)?;
            match (&parsed.rest_address, parsed.kubernetes) {
                (Some(address), false) => match parsed.option(address) {
                    Some(spec) if !spec.prefix && spec.required => Ok(()),
                    _ => Err(format!(
                        "rest_address names no required option \"{address}\""
                    )),
                },
                (None, true) => Ok(()),
                _ => Err(
                    "a cluster type has a rest_address or is kubernetes = true, not both".into(),
                ),
            }
        })
    }
}

impl TypedOptions for ClusterTypeSpec {
    fn options(&self) -> &[OptionSpec] {
        &self.options
    }

    fn files(&self) -> &[FileSpec] {
        &self.files
    }

    fn attach_hint(&self, name: &str) -> String {
        format!(
            "attach it with FILES ('{name}' = '/path/to/file') after WITH (...), or ALTER CLUSTER ... SET FILES ('{name}' = '/path/to/file')"
        )
    }

    fn owner(&self) -> String {
        format!("cluster type {}", self.name.to_uppercase())
    }

    fn missing_owner(&self) -> String {
        format!("a {} cluster", self.name.to_uppercase())
    }

    fn listing_hint(&self) -> String {
        let names: Vec<String> = self
            .options
            .iter()
            .map(|o| {
                if o.prefix {
                    format!("{}*", o.name)
                } else {
                    o.name.clone()
                }
            })
            .collect();
        format!(
            "the options of cluster type {}: {}",
            self.name.to_uppercase(),
            names.join(", ")
        )
    }
}

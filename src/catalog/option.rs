//! One option of a type, as the catalog files describe it: shared by
//! datasource types (`catalogs/datasources/`) and cluster types
//! (`catalogs/clusters/`), so both are written, validated and shown the
//! same way.

use serde::Deserialize;

/// One option of a type.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionSpec {
    /// The key in `WITH (...)`.
    pub name: String,
    /// What values it takes.
    #[serde(rename = "type")]
    pub value_type: OptionType,
    /// Must be given at CREATE.
    #[serde(default)]
    pub required: bool,
    /// The value when not given.
    #[serde(default)]
    pub default: Option<String>,
    /// Encrypted at rest and shown as `******`.
    #[serde(default)]
    pub secret: bool,
    /// Enum options: the accepted values.
    #[serde(default)]
    pub values: Vec<String>,
    /// Int options: the least value.
    #[serde(default)]
    pub min: Option<i64>,
    /// Int options: the greatest value.
    #[serde(default)]
    pub max: Option<i64>,
    /// `name` is a prefix (`flink.`): every key starting with it is this
    /// option, kept under the key as written (pass-through keys such as
    /// Flink configuration).
    #[serde(default)]
    pub prefix: bool,
    /// Where `DESCRIBE ... TYPE` and `DESCRIBE CLUSTER` list it.
    pub group: OptionGroup,
    /// What it is.
    pub description: String,
}

/// The value types of options.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OptionType {
    /// Any text.
    String,
    /// A whole number, within `min`..=`max` when given.
    Int,
    /// `true` or `false`.
    Bool,
    /// A duration such as `'30 s'`.
    Duration,
    /// One of `values`.
    Enum,
    /// Comma-separated values.
    List,
    /// An `http://` or `https://` URL with a host and no user info
    /// (credentials go in a secret option, not in an address).
    Url,
    /// One HTTP header line, `Name: value`.
    Header,
}

/// The groups options are listed in.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum OptionGroup {
    /// What a first-time user fills.
    Basic,
    /// Timeouts, batch sizes, retries.
    Timeouts,
    /// For experts.
    Advanced,
}

impl OptionGroup {
    /// The group's name as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            OptionGroup::Basic => "basic",
            OptionGroup::Timeouts => "timeouts",
            OptionGroup::Advanced => "advanced",
        }
    }
}

impl OptionType {
    /// The type's name as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            OptionType::String => "string",
            OptionType::Int => "int",
            OptionType::Bool => "bool",
            OptionType::Duration => "duration",
            OptionType::Enum => "enum",
            OptionType::List => "list",
            OptionType::Url => "url",
            OptionType::Header => "header",
        }
    }
}

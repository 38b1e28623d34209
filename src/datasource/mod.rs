//! Talking to the systems datasources describe: connectivity tests for
//! every type ([`connectivity`]) and metadata browsing for PostgreSQL and
//! MySQL ([`metadata`]), with source types mapped to Flink SQL types in one
//! place ([`flink_types`]).

pub mod connectivity;
pub mod flink_types;
pub mod metadata;
pub mod schema;

use std::collections::BTreeMap;
use std::time::Duration;

use secrecy::ExposeSecret;

use crate::catalog::DatasourceType;
use crate::store::OptionEntry;

/// How long a connectivity test or metadata call may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A datasource's options with defaults filled in and secrets readable:
/// what a connection needs. Never shown or logged.
pub struct ConnectionOptions {
    values: BTreeMap<String, String>,
}

impl ConnectionOptions {
    /// The options of a stored datasource of `datasource_type`, defaults
    /// filled in.
    pub fn new(datasource_type: &DatasourceType, options: &BTreeMap<String, OptionEntry>) -> Self {
        let mut values: BTreeMap<String, String> = datasource_type
            .options
            .iter()
            .filter_map(|o| o.default.clone().map(|d| (o.name.clone(), d)))
            .collect();
        for (key, entry) in options {
            let value = match entry {
                OptionEntry::Plain(v) => v.clone(),
                OptionEntry::Secret(s) => s.expose_secret().to_string(),
            };
            values.insert(key.clone(), value);
        }
        ConnectionOptions { values }
    }

    /// The value of `key`, if set or defaulted.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// The value of `key`, or a message naming it.
    pub fn require(&self, key: &str) -> Result<&str, String> {
        self.get(key)
            .ok_or_else(|| format!("option \"{key}\" is not set"))
    }

    /// The port in option `key`, or `default` when it is not set; a value
    /// that is not a port is an error, never silently replaced.
    pub fn port(&self, key: &str, default: u16) -> Result<u16, String> {
        match self.get(key) {
            Some(p) => p
                .parse()
                .map_err(|_| format!("option \"{key}\" is not a port: {p}")),
            None => Ok(default),
        }
    }

    /// The connect timeout: the `connect_timeout` option when set, else
    /// [`DEFAULT_TIMEOUT`].
    pub fn timeout(&self) -> Duration {
        self.get("connect_timeout")
            .and_then(|t| crate::duration::parse_duration(t).ok())
            .unwrap_or(DEFAULT_TIMEOUT)
    }
}

/// `host:port` out of `text`: a bare `host:port`, the first of a comma
/// list, or a URL (`http://host:port/path`, `thrift://host:port`), with
/// `default_port` when the text names none.
pub fn host_port(text: &str, default_port: u16) -> Option<(String, u16)> {
    let first = text.split(',').next()?.trim();
    let without_scheme = first.split_once("://").map_or(first, |(_, rest)| rest);
    let authority = without_scheme.split('/').next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if authority.is_empty() {
        return None;
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => Some((
            host.trim_matches(['[', ']']).to_string(),
            port.parse().ok()?,
        )),
        _ => Some((authority.to_string(), default_port)),
    }
}

#[cfg(test)]
mod tests {
    use super::host_port;

    #[test]
    fn host_port_reads_addresses_lists_and_urls() {
        assert_eq!(host_port("k1:9092,k2:9092", 1), Some(("k1".into(), 9092)));
        assert_eq!(
            host_port("http://fe:8030/api", 80),
            Some(("fe".into(), 8030))
        );
        assert_eq!(
            host_port("thrift://hms:9083", 1),
            Some(("hms".into(), 9083))
        );
        assert_eq!(
            host_port("https://es.example", 443),
            Some(("es.example".into(), 443))
        );
        assert_eq!(
            host_port("mongodb://u:p@db:27017/x", 1),
            Some(("db".into(), 27017))
        );
        assert_eq!(host_port("", 1), None);
    }
}

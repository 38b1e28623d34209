//! Configuration: built-in defaults, then `scaleph.toml`, then `SCALEPH_*`
//! environment variables, then command-line flags, each overriding the one
//! before. [`FileConfig`] is what the file says; [`Config`] is the resolved
//! result every other module reads.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result, SqlState};

/// The address `serve` listens on by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:5433";
/// The data directory by default.
pub const DEFAULT_DATA_DIR: &str = "./scaleph-data";
/// The config file read when `--config` is not given and it exists.
pub const DEFAULT_CONFIG_FILE: &str = "scaleph.toml";

/// The resolved configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the pgwire server listens.
    pub listen: SocketAddr,
    /// Whether a non-loopback `listen` or `http_listen` is allowed.
    pub allow_remote: bool,
    /// Where the HTTP server that serves job jars to the Flink Kubernetes
    /// Operator listens; `None`: no HTTP server.
    pub http_listen: Option<SocketAddr>,
    /// The base URL the jars' URLs start with (`https://scaleph.example:8099`,
    /// no trailing slash): given, or `http://<http_listen>`; `None` exactly
    /// when `http_listen` is.
    pub http_public_url: Option<String>,
    /// Where the store, key file and REPL history live.
    pub data_dir: PathBuf,
    /// The Flink SQL Gateway's base URL, if one is configured.
    pub flink_gateway: Option<String>,
    /// How scaleph talks to the Flink SQL Gateway.
    pub flink: FlinkSettings,
    /// A directory whose `datasources/*.toml` and `clusters/*.toml`
    /// override the embedded type registry.
    pub catalogs: Option<PathBuf>,
    /// How scaleph runs jobs.
    pub jobs: JobSettings,
}

/// How scaleph runs jobs (`[jobs]` of `scaleph.toml`).
#[derive(Clone, Debug)]
pub struct JobSettings {
    /// The cluster a `CREATE JOB` without `ON CLUSTER` runs on. It names a
    /// cluster in the store, which may be created after startup, so it is
    /// checked where it is used (and shown by SHOW CLUSTERS / DESCRIBE
    /// CLUSTER), not at startup.
    pub default_cluster: Option<String>,
    /// How often the job tracker asks each cluster for its jobs (one
    /// `GET /jobs/overview` per cluster, backing off while a cluster does
    /// not answer).
    pub poll_interval: Duration,
}

/// The tracker's default poll interval.
pub const DEFAULT_JOB_POLL_INTERVAL: Duration = Duration::from_secs(5);

impl Default for JobSettings {
    fn default() -> JobSettings {
        JobSettings {
            default_cluster: None,
            poll_interval: DEFAULT_JOB_POLL_INTERVAL,
        }
    }
}

/// How scaleph talks to the Flink SQL Gateway.
#[derive(Clone, Debug)]
pub struct FlinkSettings {
    /// How often an idle Flink session is kept alive (Flink expires
    /// sessions idle for 10 minutes by default).
    pub heartbeat: Duration,
    /// The longest one REST call may take.
    pub request_timeout: Duration,
    /// Properties every new Flink session is opened with
    /// (`execution.runtime-mode`, `table.local-time-zone`, ...).
    pub session_properties: BTreeMap<String, String>,
}

/// The heartbeat interval by default: what Flink's own SQL client uses.
pub const DEFAULT_FLINK_HEARTBEAT: Duration = Duration::from_secs(60);
/// The REST call timeout by default.
pub const DEFAULT_FLINK_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// `scaleph.toml`, as written (every key optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `catalogs = "/etc/scaleph/catalogs"`: overrides of the type registry.
    #[serde(default)]
    pub catalogs: Option<PathBuf>,
    /// `[server]`.
    #[serde(default)]
    pub server: ServerSection,
    /// `[flink]`.
    #[serde(default)]
    pub flink: FlinkSection,
    /// `[jobs]`.
    #[serde(default)]
    pub jobs: JobsSection,
}

/// `[jobs]` of `scaleph.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsSection {
    /// `default_cluster = "local"`: a cluster name as stored (unquoted
    /// names are lower case).
    pub default_cluster: Option<String>,
    /// `poll_interval = "5 s"`: how often the job tracker asks each
    /// cluster for its jobs.
    pub poll_interval: Option<String>,
}

/// `[server]` of `scaleph.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    /// `listen = "127.0.0.1:5433"`.
    pub listen: Option<String>,
    /// `allow_remote = false`.
    pub allow_remote: Option<bool>,
    /// `data_dir = "./scaleph-data"`.
    pub data_dir: Option<PathBuf>,
    /// `http_listen = "127.0.0.1:8099"`: serve job jars over HTTP.
    pub http_listen: Option<String>,
    /// `http_public_url = "https://scaleph.example:8099"`: the base URL
    /// the Flink Kubernetes Operator fetches jars from.
    pub http_public_url: Option<String>,
}

/// `[flink]` of `scaleph.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlinkSection {
    /// `[flink.gateway]`.
    #[serde(default)]
    pub gateway: FlinkGatewaySection,
    /// `[flink.session]`.
    #[serde(default)]
    pub session: FlinkSessionSection,
}

/// `[flink.session]` of `scaleph.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlinkSessionSection {
    /// `[flink.session.properties]`: `"execution.runtime-mode" = "streaming"`, ...
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

/// `[flink.gateway]` of `scaleph.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlinkGatewaySection {
    /// `url = "http://127.0.0.1:8083"`.
    pub url: Option<String>,
    /// `heartbeat = "60 s"`.
    pub heartbeat: Option<String>,
    /// `request_timeout = "30 s"`.
    pub request_timeout: Option<String>,
}

/// What the command line and environment say (clap merges the two).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--config` / `SCALEPH_CONFIG`.
    pub config_file: Option<PathBuf>,
    /// `--listen` / `SCALEPH_LISTEN`.
    pub listen: Option<String>,
    /// `--allow-remote` / `SCALEPH_ALLOW_REMOTE`.
    pub allow_remote: bool,
    /// `--data-dir` / `SCALEPH_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--flink-gateway` / `SCALEPH_FLINK_GATEWAY_URL`.
    pub flink_gateway: Option<String>,
    /// `serve --http-listen` / `SCALEPH_HTTP_LISTEN`.
    pub http_listen: Option<String>,
    /// `serve --http-public-url` / `SCALEPH_HTTP_PUBLIC_URL`.
    pub http_public_url: Option<String>,
}

fn config_error(message: String) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, message)
}

impl FileConfig {
    /// Reads and parses a config file.
    pub fn read(path: &Path) -> Result<FileConfig> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            config_error(format!("cannot read config file {}: {e}", path.display())).with_source(e)
        })?;
        // The TOML error is not kept as the source: it holds the whole
        // file, and the file may hold secrets (a gateway URL with a
        // password, session properties).
        toml::from_str(&text)
            .map_err(|e| config_error(format!("config file {}: {e}", path.display())))
    }
}

impl Config {
    /// Resolves the configuration: `overrides` over the config file (the
    /// given one, else `./scaleph.toml` if it exists) over the defaults.
    pub fn resolve(overrides: Overrides) -> Result<Config> {
        let file = match &overrides.config_file {
            Some(path) => FileConfig::read(path)?,
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                FileConfig::read(Path::new(DEFAULT_CONFIG_FILE))?
            }
            None => FileConfig::default(),
        };
        Config::merge(file, overrides)
    }

    /// Merges a parsed file and the overrides.
    pub fn merge(file: FileConfig, overrides: Overrides) -> Result<Config> {
        let listen_text = overrides
            .listen
            .or(file.server.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            config_error(format!(
                "listen address \"{listen_text}\" is not HOST:PORT (e.g. 127.0.0.1:5433)"
            ))
        })?;
        let http_listen = match overrides
            .http_listen
            .or(file.server.http_listen)
            .filter(|a| !a.is_empty())
        {
            None => None,
            Some(text) => Some(text.parse::<SocketAddr>().map_err(|_| {
                config_error(format!(
                    "HTTP listen address \"{text}\" is not HOST:PORT (e.g. 127.0.0.1:8099)"
                ))
            })?),
        };
        let http_public_url = public_url(
            http_listen,
            overrides
                .http_public_url
                .or(file.server.http_public_url)
                .filter(|u| !u.is_empty()),
        )?;
        let flink_gateway = overrides
            .flink_gateway
            .or(file.flink.gateway.url)
            .filter(|u| !u.is_empty());
        if let Some(url) = &flink_gateway
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(config_error(format!(
                "Flink SQL Gateway URL \"{url}\" must start with http:// or https://"
            )));
        }
        let duration = |text: Option<String>, key: &str, default: Duration| match text {
            None => Ok(default),
            Some(text) => crate::duration::parse_duration(&text)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    config_error(format!(
                        "flink.gateway.{key} \"{text}\" is not a positive duration (e.g. \"30 s\")"
                    ))
                }),
        };
        let flink = FlinkSettings {
            heartbeat: duration(
                file.flink.gateway.heartbeat,
                "heartbeat",
                DEFAULT_FLINK_HEARTBEAT,
            )?,
            request_timeout: duration(
                file.flink.gateway.request_timeout,
                "request_timeout",
                DEFAULT_FLINK_REQUEST_TIMEOUT,
            )?,
            session_properties: file.flink.session.properties,
        };
        let default_cluster = file
            .jobs
            .default_cluster
            .map(|name| name.trim().to_string());
        if default_cluster.as_deref() == Some("") {
            return Err(config_error(
                "jobs.default_cluster is empty: name a cluster (CREATE CLUSTER) or leave it out"
                    .into(),
            ));
        }
        Ok(Config {
            jobs: JobSettings {
                default_cluster,
                poll_interval: match file.jobs.poll_interval {
                    None => DEFAULT_JOB_POLL_INTERVAL,
                    Some(text) => crate::duration::parse_duration(&text)
                        .ok()
                        .filter(|d| *d >= Duration::from_millis(100))
                        .ok_or_else(|| {
                            config_error(format!(
                                "jobs.poll_interval \"{text}\" is not a duration of at least 100 ms (e.g. \"5 s\")"
                            ))
                        })?,
                },
            },
            flink,
            listen,
            allow_remote: overrides.allow_remote || file.server.allow_remote.unwrap_or(false),
            http_listen,
            http_public_url,
            data_dir: overrides
                .data_dir
                .or(file.server.data_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            flink_gateway: flink_gateway.map(|u| u.trim_end_matches('/').to_string()),
            catalogs: file.catalogs,
        })
    }

    /// Refuses a non-loopback listen address (pgwire or HTTP) unless remote
    /// access was allowed (there is no authentication yet).
    pub fn check_listen(&self) -> Result<()> {
        for addr in std::iter::once(self.listen).chain(self.http_listen) {
            if !addr.ip().is_loopback() && !self.allow_remote {
                return Err(config_error(format!(
                    "refusing to listen on {addr}: scaleph has no authentication yet; listen on a loopback address \
                     or pass --allow-remote"
                )));
            }
        }
        Ok(())
    }

    /// Records the address the HTTP server was bound to (port 0 becomes
    /// the real port), and moves a default public URL along with it.
    pub fn http_bound(&mut self, bound: SocketAddr) {
        if self.http_listen.is_some()
            && self.http_public_url == self.http_listen.map(default_public_url)
        {
            self.http_public_url = Some(default_public_url(bound));
        }
        self.http_listen = Some(bound);
    }

    /// Why the Flink Kubernetes Operator (1.15 and later, with its default
    /// options) would refuse a jar URL under `http_public_url`, if it would:
    /// it allows only `https`, and refuses hosts on loopback, link-local,
    /// site-local, wildcard or multicast addresses
    /// (`docs/flink-kubernetes-operator.md` §4). Only literal addresses are
    /// checked; scaleph does not resolve names.
    pub fn http_public_url_warning(&self) -> Option<String> {
        let url = self.http_public_url.as_deref()?;
        let rest = url.strip_prefix("https://");
        let plain = rest.is_none();
        let host = rest
            .or_else(|| url.strip_prefix("http://"))
            .and_then(|r| r.split(['/', '?', '#']).next())
            .map(|authority| authority.rsplit_once('@').map_or(authority, |(_, h)| h))
            .map(host_of)
            .unwrap_or_default();
        let restricted = host.parse::<std::net::IpAddr>().is_ok_and(restricted_ip);
        if !plain && !restricted {
            return None;
        }
        let why = match (plain, restricted) {
            (true, true) => {
                "the http scheme and a loopback, link-local, site-local or wildcard host"
            }
            (true, false) => "the http scheme",
            _ => "a loopback, link-local, site-local or wildcard host",
        };
        Some(format!(
            "job jars are served at {url}: the Flink Kubernetes Operator (1.15 and later) refuses \
             jar URLs with {why} by default; set http_public_url to an https URL the operator \
             can reach, or set kubernetes.operator.user.artifacts.allowed-schemes: https,http \
             and kubernetes.operator.user.artifacts.disallow-restricted-hosts: false in the \
             operator's configuration"
        ))
    }
}

/// `http://<addr>`: the public URL when only `http_listen` is given.
fn default_public_url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// The public URL: `given` (checked, without a trailing slash), else the
/// default for `listen`; none without a listener.
fn public_url(listen: Option<SocketAddr>, given: Option<String>) -> Result<Option<String>> {
    let Some(listen) = listen else {
        return match given {
            Some(url) => Err(config_error(format!(
                "http_public_url \"{url}\" is set but http_listen is not: nothing would serve \
                 job jars there; set http_listen (--http-listen) too"
            ))),
            None => Ok(None),
        };
    };
    let Some(url) = given else {
        return Ok(Some(default_public_url(listen)));
    };
    let url = url.trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match host {
        Some(rest) if !rest.is_empty() && !rest.contains(['?', '#', ' ']) => {
            Ok(Some(url.to_string()))
        }
        _ => Err(config_error(format!(
            "HTTP public URL \"{url}\" must be http:// or https:// followed by a host \
             (e.g. https://scaleph.example:8099)"
        ))),
    }
}

/// The host of `authority` (`host:port`, `[v6]:port`), without the port
/// and brackets.
fn host_of(authority: &str) -> &str {
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// What the operator's restricted-host check refuses: loopback,
/// link-local, site-local (private), wildcard and multicast addresses.
fn restricted_ip(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_link_local()
                || v4.is_private()
                || v4.is_unspecified()
                || v4.is_multicast()
        }
        std::net::IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || v6.is_unicast_link_local()
                // fec0::/10, what Java's isSiteLocalAddress means for IPv6.
                || (v6.segments()[0] & 0xffc0) == 0xfec0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let file: FileConfig = toml::from_str(
            "[server]\nlisten = \"127.0.0.1:7000\"\ndata_dir = \"/tmp/x\"\n[flink.gateway]\nurl = \"http://f:8083/\"\n",
        )
        .unwrap();
        let config = Config::merge(
            file,
            Overrides {
                listen: Some("127.0.0.1:7001".into()),
                ..Overrides::default()
            },
        )
        .unwrap();
        assert_eq!(config.listen.port(), 7001);
        assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(config.flink_gateway.as_deref(), Some("http://f:8083"));
    }

    #[test]
    fn defaults_apply_without_file_or_flags() {
        let config = Config::merge(FileConfig::default(), Overrides::default()).unwrap();
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
        assert!(config.flink_gateway.is_none());
        assert!(config.jobs.default_cluster.is_none());
    }

    #[test]
    fn jobs_default_cluster_is_read_and_an_empty_one_refused() {
        let file: FileConfig = toml::from_str("[jobs]\ndefault_cluster = \"local\"\n").unwrap();
        let config = Config::merge(file, Overrides::default()).unwrap();
        assert_eq!(config.jobs.default_cluster.as_deref(), Some("local"));
        let file: FileConfig = toml::from_str("[jobs]\ndefault_cluster = \" \"\n").unwrap();
        let err = Config::merge(file, Overrides::default()).unwrap_err();
        assert!(
            err.message.contains("jobs.default_cluster"),
            "{}",
            err.message
        );
        assert!(toml::from_str::<FileConfig>("[jobs]\ndefault_clustr = \"x\"\n").is_err());
    }

    #[test]
    fn remote_listen_is_refused_unless_allowed() {
        let mut config = Config::merge(
            FileConfig::default(),
            Overrides {
                listen: Some("0.0.0.0:5433".into()),
                ..Overrides::default()
            },
        )
        .unwrap();
        assert!(
            config
                .check_listen()
                .unwrap_err()
                .message
                .contains("--allow-remote")
        );
        config.allow_remote = true;
        assert!(config.check_listen().is_ok());
    }

    #[test]
    fn http_listen_and_public_url_are_read_checked_and_defaulted() {
        let file: FileConfig = toml::from_str(
            "[server]\nhttp_listen = \"127.0.0.1:8099\"\nhttp_public_url = \"https://scaleph.example:8099/\"\n",
        )
        .unwrap();
        let config = Config::merge(file, Overrides::default()).unwrap();
        assert_eq!(config.http_listen, Some("127.0.0.1:8099".parse().unwrap()));
        assert_eq!(
            config.http_public_url.as_deref(),
            Some("https://scaleph.example:8099")
        );
        assert_eq!(config.http_public_url_warning(), None);

        let only_listen = Overrides {
            http_listen: Some("127.0.0.1:0".into()),
            ..Overrides::default()
        };
        let mut config = Config::merge(FileConfig::default(), only_listen).unwrap();
        assert_eq!(
            config.http_public_url.as_deref(),
            Some("http://127.0.0.1:0")
        );
        config.http_bound("127.0.0.1:41000".parse().unwrap());
        assert_eq!(
            config.http_public_url.as_deref(),
            Some("http://127.0.0.1:41000")
        );
        let warning = config.http_public_url_warning().unwrap();
        for option in [
            "kubernetes.operator.user.artifacts.allowed-schemes",
            "kubernetes.operator.user.artifacts.disallow-restricted-hosts",
        ] {
            assert!(warning.contains(option), "{warning}");
        }

        let config = Config::merge(FileConfig::default(), Overrides::default()).unwrap();
        assert_eq!((config.http_listen, config.http_public_url), (None, None));
    }

    #[test]
    fn bad_http_settings_are_refused() {
        let merge = |listen: Option<&str>, url: Option<&str>| {
            Config::merge(
                FileConfig::default(),
                Overrides {
                    http_listen: listen.map(String::from),
                    http_public_url: url.map(String::from),
                    ..Overrides::default()
                },
            )
        };
        assert!(
            merge(Some("8099"), None)
                .unwrap_err()
                .message
                .contains("HOST:PORT")
        );
        for url in ["ftp://x", "scaleph.example", "https://", "https:///"] {
            let err = merge(Some("127.0.0.1:8099"), Some(url)).unwrap_err();
            assert!(err.message.contains("https://"), "{url}: {}", err.message);
        }
        let err = merge(None, Some("https://x")).unwrap_err();
        assert!(err.message.contains("http_listen"), "{}", err.message);
        let mut remote = merge(Some("0.0.0.0:8099"), Some("https://x")).unwrap();
        assert!(
            remote
                .check_listen()
                .unwrap_err()
                .message
                .contains("0.0.0.0:8099")
        );
        remote.allow_remote = true;
        assert!(remote.check_listen().is_ok());
    }

    #[test]
    fn the_operator_warning_names_http_and_restricted_hosts() {
        let warning = |url: &str| {
            let mut config = Config::merge(FileConfig::default(), Overrides::default()).unwrap();
            config.http_public_url = Some(url.into());
            config.http_public_url_warning()
        };
        assert_eq!(warning("https://scaleph.example:8099"), None);
        assert_eq!(warning("https://203.0.113.7:8099"), None);
        for url in [
            "https://10.0.0.5:8099",
            "https://192.168.1.2",
            "https://[::1]:8099",
            "https://0.0.0.0:8099",
            "https://169.254.0.1",
        ] {
            assert!(warning(url).unwrap().contains("site-local"), "{url}");
        }
        let plain = warning("http://scaleph.default.svc:8099").unwrap();
        assert!(plain.contains("the http scheme by default"), "{plain}");
    }

    #[test]
    fn example_config_file_parses_and_matches_the_defaults() {
        let file: FileConfig = toml::from_str(include_str!("../examples/scaleph.toml")).unwrap();
        let config = Config::merge(file, Overrides::default()).unwrap();
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
    }

    #[test]
    fn unknown_file_keys_and_bad_values_are_errors() {
        assert!(toml::from_str::<FileConfig>("[server]\nlisen = \"x\"\n").is_err());
        let bad = Overrides {
            listen: Some("localhost".into()),
            ..Overrides::default()
        };
        assert!(
            Config::merge(FileConfig::default(), bad)
                .unwrap_err()
                .message
                .contains("HOST:PORT")
        );
    }
}

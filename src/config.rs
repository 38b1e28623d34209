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
    /// no trailing slash): given, or `https://<http_listen>` with TLS and
    /// `http://<http_listen>` without; `None` exactly when `http_listen` is.
    pub http_public_url: Option<String>,
    /// The certificate and key the HTTP server serves TLS with; `None`:
    /// plain HTTP. Only with `http_listen`.
    pub http_tls: Option<TlsFiles>,
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

/// A TLS certificate chain and its private key, as two PEM files
/// (`server::tls` reads them, and reads them again on SIGHUP).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key of the leaf (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
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
    /// `http_tls_cert = "/etc/scaleph/tls.crt"`: serve job jars over HTTPS
    /// with this certificate chain (PEM), and `http_tls_key`'s key.
    pub http_tls_cert: Option<PathBuf>,
    /// `http_tls_key = "/etc/scaleph/tls.key"`: the certificate's private
    /// key (PEM).
    pub http_tls_key: Option<PathBuf>,
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
    /// `serve --http-tls-cert` / `SCALEPH_HTTP_TLS_CERT`.
    pub http_tls_cert: Option<PathBuf>,
    /// `serve --http-tls-key` / `SCALEPH_HTTP_TLS_KEY`.
    pub http_tls_key: Option<PathBuf>,
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
        let http_tls = tls_files(
            http_listen,
            overrides.http_tls_cert.or(file.server.http_tls_cert),
            overrides.http_tls_key.or(file.server.http_tls_key),
        )?;
        let http_public_url = public_url(
            http_listen,
            http_tls.is_some(),
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
            http_tls,
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
        let tls = self.http_tls.is_some();
        if self.http_listen.is_some()
            && self.http_public_url == self.http_listen.map(|a| default_public_url(a, tls))
        {
            self.http_public_url = Some(default_public_url(bound, tls));
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
        let ours = match (plain, self.http_tls.is_some()) {
            (true, false) => {
                "serve HTTPS (http_tls_cert and http_tls_key) at an https http_public_url the \
                 operator can reach"
            }
            (true, true) => "set http_public_url to the https URL the operator reaches scaleph at",
            (false, _) => "set http_public_url to a host name the operator can reach",
        };
        let theirs = [
            plain.then_some("kubernetes.operator.user.artifacts.allowed-schemes: https,http"),
            restricted
                .then_some("kubernetes.operator.user.artifacts.disallow-restricted-hosts: false"),
        ];
        let theirs: Vec<&str> = theirs.into_iter().flatten().collect();
        Some(format!(
            "job jars are served at {url}: the Flink Kubernetes Operator (1.15 and later) refuses \
             jar URLs with {why} by default; {ours}, or set {} in the operator's configuration",
            theirs.join(" and ")
        ))
    }
}

/// `https://<addr>` with TLS, `http://<addr>` without: the public URL
/// when only `http_listen` is given.
fn default_public_url(addr: SocketAddr, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    format!("{scheme}://{addr}")
}

/// The HTTP server's TLS files: both or neither, and only with a listener.
/// An empty path (an empty environment variable) is none.
fn tls_files(
    listen: Option<SocketAddr>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
) -> Result<Option<TlsFiles>> {
    let given = |path: Option<PathBuf>| path.filter(|p| !p.as_os_str().is_empty());
    let files = match (given(cert), given(key)) {
        (None, None) => return Ok(None),
        (Some(cert), Some(key)) => TlsFiles { cert, key },
        (cert, _) => {
            let (set, unset) = if cert.is_some() {
                (
                    "http_tls_cert (--http-tls-cert)",
                    "http_tls_key (--http-tls-key)",
                )
            } else {
                (
                    "http_tls_key (--http-tls-key)",
                    "http_tls_cert (--http-tls-cert)",
                )
            };
            return Err(config_error(format!(
                "{set} is set but {unset} is not: serving HTTPS needs both the certificate \
                 chain and its private key"
            )));
        }
    };
    if listen.is_none() {
        return Err(config_error(
            "http_tls_cert and http_tls_key are set but http_listen is not: nothing would serve \
             HTTPS; set http_listen (--http-listen) too"
                .into(),
        ));
    }
    Ok(Some(files))
}

/// The public URL: `given` (checked, without a trailing slash), else the
/// default for `listen`; none without a listener.
fn public_url(
    listen: Option<SocketAddr>,
    tls: bool,
    given: Option<String>,
) -> Result<Option<String>> {
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
        return Ok(Some(default_public_url(listen, tls)));
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
    fn http_tls_needs_both_files_and_a_listener_and_makes_the_default_url_https() {
        let merge = |listen: Option<&str>, cert: Option<&str>, key: Option<&str>| {
            Config::merge(
                FileConfig::default(),
                Overrides {
                    http_listen: listen.map(String::from),
                    http_tls_cert: cert.map(PathBuf::from),
                    http_tls_key: key.map(PathBuf::from),
                    ..Overrides::default()
                },
            )
        };
        let mut config = merge(
            Some("127.0.0.1:0"),
            Some("/tls/crt.pem"),
            Some("/tls/key.pem"),
        )
        .unwrap();
        assert_eq!(
            config.http_tls,
            Some(TlsFiles {
                cert: "/tls/crt.pem".into(),
                key: "/tls/key.pem".into()
            })
        );
        assert_eq!(
            config.http_public_url.as_deref(),
            Some("https://127.0.0.1:0")
        );
        config.http_bound("127.0.0.1:41000".parse().unwrap());
        assert_eq!(
            config.http_public_url.as_deref(),
            Some("https://127.0.0.1:41000")
        );
        // https: only the loopback host is warned about.
        let warning = config.http_public_url_warning().unwrap();
        assert!(warning.contains("disallow-restricted-hosts"), "{warning}");
        assert!(!warning.contains("allowed-schemes"), "{warning}");
        assert!(!warning.contains("http scheme"), "{warning}");
        config.http_public_url = Some("https://scaleph.example:8099".into());
        assert_eq!(config.http_public_url_warning(), None);

        for (cert, key, set, unset) in [
            (Some("/c.pem"), None, "http_tls_cert", "http_tls_key"),
            (None, Some("/k.pem"), "http_tls_key", "http_tls_cert"),
            (Some("/c.pem"), Some(""), "http_tls_cert", "http_tls_key"),
        ] {
            let err = merge(Some("127.0.0.1:0"), cert, key).unwrap_err();
            assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
            assert!(
                err.message.starts_with(&format!(
                    "{set} (--{}) is set but {unset}",
                    set.replace('_', "-")
                )),
                "{}",
                err.message
            );
        }
        let err = merge(None, Some("/c.pem"), Some("/k.pem")).unwrap_err();
        assert!(
            err.message.contains("http_listen is not"),
            "{}",
            err.message
        );
        assert_eq!(
            merge(Some("127.0.0.1:0"), Some(""), Some(""))
                .unwrap()
                .http_tls,
            None
        );

        let file: FileConfig = toml::from_str(
            "[server]\nhttp_listen = \"127.0.0.1:8099\"\nhttp_tls_cert = \"/f/crt.pem\"\nhttp_tls_key = \"/f/key.pem\"\n",
        )
        .unwrap();
        let flags = Overrides {
            http_tls_cert: Some("/flag/crt.pem".into()),
            ..Overrides::default()
        };
        let config = Config::merge(file, flags).unwrap();
        let tls = config.http_tls.unwrap();
        assert_eq!(
            (tls.cert.to_str(), tls.key.to_str()),
            (Some("/flag/crt.pem"), Some("/f/key.pem"))
        );
        assert_eq!(
            config.http_public_url.as_deref(),
            Some("https://127.0.0.1:8099")
        );
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

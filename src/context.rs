//! What every session of one gateway process shares ([`Context`]: the
//! store, the configuration, the type registry, the Flink SQL Gateway's
//! client) and who a session belongs to ([`SessionInfo`]).
//!
//! Both sit below the engine and the handlers, which take them as
//! arguments, and above the modules they bundle (store, catalog, flink).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::Config;
use crate::store::Store;

/// What every session of one gateway process shares: the store and the
/// configuration.
pub struct Context {
    /// The metadata store.
    pub store: Arc<dyn Store>,
    /// The resolved configuration.
    pub config: Config,
    /// The datasource type registry.
    pub registry: Arc<crate::catalog::Registry>,
    /// The connector registry: which jars provide which connectors.
    pub connectors: Arc<crate::catalog::connectors::ConnectorRegistry>,
    /// The Flink SQL Gateway's client, when one is configured.
    pub flink: Option<Arc<crate::flink::GatewayClient>>,
    /// The job jars served over HTTP (files under `<data_dir>/artifacts/`).
    pub artifacts: Arc<crate::store::artifacts::Artifacts>,
    /// The base URL a served jar's URL starts with ([`Artifact::path`]
    /// follows it); `None` when no HTTP listener is configured.
    ///
    /// [`Artifact::path`]: crate::store::artifacts::Artifact::path
    pub artifact_base_url: Option<String>,
}

impl Context {
    /// Opens the store in the configured data directory and loads the type
    /// registry (with the configured overrides).
    pub async fn open(config: Config) -> crate::error::Result<Context> {
        let store = crate::store::SqliteStore::open(&config.data_dir).await?;
        let artifacts = crate::store::artifacts::Artifacts::open(&config.data_dir)?;
        let invalid = |e: crate::catalog::CatalogError| {
            crate::error::Error::new(
                crate::error::SqlState::INVALID_PARAMETER_VALUE,
                e.to_string(),
            )
            .with_source(e)
        };
        let registry =
            crate::catalog::Registry::load(config.catalogs.as_deref()).map_err(invalid)?;
        let connectors =
            crate::catalog::connectors::ConnectorRegistry::load(config.catalogs.as_deref())
                .map_err(invalid)?;
        if let Some(name) = &config.jobs.default_cluster
            && store.get_cluster(name).await?.is_none()
        {
            // Not an error: the cluster may be created after startup; a
            // CREATE JOB that needs it says so (42704).
            tracing::warn!(
                cluster = %name,
                "jobs.default_cluster names no cluster yet: CREATE CLUSTER it before a CREATE JOB without ON CLUSTER"
            );
        }
        let flink = match &config.flink_gateway {
            Some(url) => Some(Arc::new(crate::flink::GatewayClient::new(
                url,
                config.flink.request_timeout,
            )?)),
            None => None,
        };
        Ok(Context {
            store: Arc::new(store),
            artifacts: Arc::new(artifacts),
            artifact_base_url: config.http_public_url.clone(),
            config,
            registry: Arc::new(registry),
            connectors: Arc::new(connectors),
            flink,
        })
    }

    /// A context over a fresh data directory `dir`, with default settings.
    #[cfg(test)]
    pub async fn for_tests(dir: &std::path::Path) -> Context {
        let mut config = Config::merge(Default::default(), Default::default()).unwrap();
        config.data_dir = dir.to_path_buf();
        Context::open(config).await.unwrap()
    }
}

/// Who a session belongs to.
#[derive(Clone, Debug)]
pub struct SessionInfo {
    /// Unique in this process; also the pgwire backend process id.
    pub id: u32,
    /// The user name the client gave.
    pub user: String,
    /// The database the client connected to.
    pub database: String,
    /// Where the client is: `127.0.0.1:51234`, `repl`, or a script path.
    pub client: String,
}

impl SessionInfo {
    /// Session info with a fresh id.
    pub fn new(
        user: impl Into<String>,
        database: impl Into<String>,
        client: impl Into<String>,
    ) -> SessionInfo {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        SessionInfo {
            id: (NEXT_ID.fetch_add(1, Ordering::Relaxed) % u64::from(u32::MAX)) as u32,
            user: user.into(),
            database: database.into(),
            client: client.into(),
        }
    }
}

//! The `scaleph` command: `serve`, `repl`, `run`, `check`. The only place
//! that turns errors into exit codes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use scaleph::config::{Config, Overrides};
use scaleph::context::Context;
use scaleph::error::Error;
use scaleph::server::tls;

/// A SQL-first gateway and REPL for a Flink-based data platform.
#[derive(Debug, Parser)]
#[command(name = "scaleph", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve PostgreSQL clients (psql, JDBC, BI tools).
    Serve(ServeArgs),
    /// Interactive SQL, embedded: no server needed.
    Repl(CommonArgs),
    /// Run SQL scripts non-interactively; stops at the first error.
    Run {
        #[command(flatten)]
        common: CommonArgs,
        /// The scripts, run in order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Parse and check scripts offline (no server, no Flink).
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: scaleph::repl::CheckFormat,
        /// The scripts.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct CommonArgs {
    /// Where the metadata store, key file and history live.
    #[arg(long, env = "SCALEPH_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Config file (default: ./scaleph.toml if it exists).
    #[arg(long, env = "SCALEPH_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Base URL of the Flink SQL Gateway (e.g. http://127.0.0.1:8083).
    #[arg(long, env = "SCALEPH_FLINK_GATEWAY_URL", value_name = "URL")]
    flink_gateway: Option<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Address to listen on.
    #[arg(long, env = "SCALEPH_LISTEN", value_name = "HOST:PORT")]
    listen: Option<String>,
    /// Allow listening on a non-loopback address (there is no authentication yet).
    #[arg(long, env = "SCALEPH_ALLOW_REMOTE")]
    allow_remote: bool,
    /// Also serve job jars over HTTP on this address, for the Flink
    /// Kubernetes Operator to fetch (e.g. 127.0.0.1:8099).
    #[arg(long, env = "SCALEPH_HTTP_LISTEN", value_name = "HOST:PORT")]
    http_listen: Option<String>,
    /// The base URL jar URLs start with, as the operator reaches this
    /// server (default: https://<http-listen address> with TLS, else http://).
    #[arg(long, env = "SCALEPH_HTTP_PUBLIC_URL", value_name = "URL")]
    http_public_url: Option<String>,
    /// Serve job jars over HTTPS with this certificate chain (PEM, leaf
    /// first); needs --http-tls-key. Reloaded on SIGHUP.
    #[arg(long, env = "SCALEPH_HTTP_TLS_CERT", value_name = "FILE")]
    http_tls_cert: Option<PathBuf>,
    /// The private key of --http-tls-cert (PEM). Reloaded on SIGHUP.
    #[arg(long, env = "SCALEPH_HTTP_TLS_KEY", value_name = "FILE")]
    http_tls_key: Option<PathBuf>,
}

impl CommonArgs {
    fn overrides(self) -> Overrides {
        Overrides {
            config_file: self.config,
            data_dir: self.data_dir,
            flink_gateway: self.flink_gateway,
            ..Overrides::default()
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = if matches!(cli.command, Command::Serve(_)) {
        "info"
    } else {
        "warn"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("scaleph: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            tracing::debug!(error = %e.chain(), "scaleph failed");
            eprintln!("scaleph: {}", e.message);
            if let Some(hint) = &e.hint {
                eprintln!("hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn open(overrides: Overrides) -> Result<(Config, Arc<Context>), Error> {
    let config = Config::resolve(overrides)?;
    let context = Arc::new(Context::open(config.clone()).await?);
    Ok((config, context))
}

async fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Serve(args) => {
            let mut overrides = args.common.overrides();
            overrides.listen = args.listen;
            overrides.allow_remote = args.allow_remote;
            overrides.http_listen = args.http_listen;
            overrides.http_public_url = args.http_public_url;
            overrides.http_tls_cert = args.http_tls_cert;
            overrides.http_tls_key = args.http_tls_key;
            let mut config = Config::resolve(overrides)?;
            config.check_listen()?;
            // Read before anything is bound: a bad certificate or key is a
            // startup error naming the file.
            let http_tls = match &config.http_tls {
                Some(files) => {
                    let certificate = tls::CertificateFiles::load(files)?;
                    #[cfg(unix)]
                    certificate.reload_on_sighup().map_err(|e| {
                        Error::new(
                            scaleph::error::SqlState::IO_ERROR,
                            format!("cannot listen for SIGHUP (TLS certificate reload): {e}"),
                        )
                        .with_source(e)
                    })?;
                    Some(tls::server_config(certificate, &[b"http/1.1"])?)
                }
                None => None,
            };
            // Bound before the context is opened: with port 0 the public
            // URL the context hands out needs the real port.
            let http_listener = match config.http_listen {
                Some(addr) => {
                    let listener = bind(addr, "serve job jars over HTTP").await?;
                    config.http_bound(listener.local_addr().map_or(addr, |a| a));
                    Some(listener)
                }
                None => None,
            };
            let context = Arc::new(Context::open(config.clone()).await?);
            let listener = bind(config.listen, "listen").await?;
            let shutdown = shutdown_signal();
            let local = listener.local_addr().map_or(config.listen, |a| a);
            tracing::info!(listen = %local, data_dir = %config.data_dir.display(), "scaleph is listening");
            let http = http_listener.map(|listener| {
                if let (Some(addr), Some(url)) = (config.http_listen, &config.http_public_url) {
                    let tls = http_tls.is_some();
                    tracing::info!(http = %addr, tls, public_url = %url, "scaleph serves job jars");
                }
                if let Some(warning) = config.http_public_url_warning() {
                    tracing::warn!("{warning}");
                }
                let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
                let server =
                    scaleph::server::http::serve(listener, http_tls, context.clone(), async {
                        let _ = stopped.await;
                    });
                (stop, tokio::spawn(server))
            });
            // Keeps scaleph.jobs current; re-attaches to running jobs.
            let tracker = scaleph::jobs::tracker::Tracker::spawn(context.clone());
            let served = scaleph::server::pgwire::serve(listener, context, shutdown).await;
            tracker.abort();
            if let Some((stop, mut server)) = http {
                let _ = stop.send(());
                // Downloads under way get a moment to finish, no more.
                match tokio::time::timeout(HTTP_DRAIN_TIMEOUT, &mut server).await {
                    Ok(Ok(Err(e))) => tracing::warn!(error = %e, "the HTTP server failed"),
                    Ok(_) => {}
                    Err(_) => server.abort(),
                }
            }
            served.map_err(|e| Error::caused_by(scaleph::error::SqlState::IO_ERROR, e))?;
            tracing::info!("scaleph stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::Repl(common) => {
            let (_, context) = open(common.overrides()).await?;
            let tracker = scaleph::jobs::tracker::Tracker::spawn(context.clone());
            let ran = scaleph::repl::run_interactive(context).await;
            tracker.abort();
            ran.map_err(|e| Error::caused_by(scaleph::error::SqlState::IO_ERROR, e))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { common, files } => {
            let (_, context) = open(common.overrides()).await?;
            Ok(if scaleph::repl::run_scripts(context, &files).await {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Check { files, format } => Ok(if scaleph::repl::check_scripts(&files, format) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }),
    }
}

/// How long a stopping `serve` waits for jar downloads under way.
const HTTP_DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A TCP listener on `addr`, or an error naming the address and what it
/// was for.
async fn bind(addr: std::net::SocketAddr, what: &str) -> Result<tokio::net::TcpListener, Error> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        Error::new(
            scaleph::error::SqlState::IO_ERROR,
            format!("cannot {what} on {addr}: {e}"),
        )
        .with_source(e)
    })
}

/// A future that completes on Ctrl-C or SIGTERM. The SIGTERM handler is
/// installed now, before the future is first polled, so a SIGTERM sent as
/// soon as "listening" is logged still shuts down gracefully.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = ctrl_c.await;
    }
}

//! The real `scaleph serve` binary, started on a free port with a
//! temporary data directory, its log captured.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Path of the binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_scaleph");

/// A running `scaleph serve`.
pub struct Gateway {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    /// The port it serves job jars on (`--http-listen`), if it does.
    pub http_port: Option<u16>,
    /// Its data directory (kept alive by `_dir` when temporary).
    pub data_dir: PathBuf,
    _dir: Option<Arc<tempfile::TempDir>>,
    log: Arc<Mutex<String>>,
}

impl Gateway {
    /// Starts a gateway with a fresh temporary data dir.
    pub fn start() -> Gateway {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        Gateway::start_with(dir.path().to_path_buf(), Some(dir), &[])
    }

    /// Starts a gateway on `data_dir` (e.g. again after a kill), with extra flags.
    pub fn start_with(
        data_dir: PathBuf,
        dir: Option<Arc<tempfile::TempDir>>,
        extra: &[&str],
    ) -> Gateway {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data_dir)
            .args(extra)
            .env("RUST_LOG", "debug")
            .env_remove("SCALEPH_FLINK_GATEWAY_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start scaleph serve");
        let log = Arc::new(Mutex::new(String::new()));
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let (http_tx, http_rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().expect("stderr");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(port) = listening_port(&line) {
                    let _ = port_tx.send(port);
                }
                if let Some(port) = http_port(&line) {
                    let _ = http_tx.send(port);
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let Ok(port) = port_rx.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "scaleph did not start listening; log:\n{}",
                log.lock().unwrap()
            );
        };
        // Logged right after the listening line, when --http-listen is given.
        let http_port = if extra.contains(&"--http-listen") {
            let Ok(port) = http_rx.recv_timeout(Duration::from_secs(30)) else {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "scaleph did not start serving job jars; log:\n{}",
                    log.lock().unwrap()
                );
            };
            Some(port)
        } else {
            None
        };
        Gateway {
            child,
            port,
            http_port,
            data_dir,
            _dir: dir,
            log,
        }
    }

    /// Starts a gateway on `data_dir` that also serves job jars over HTTP
    /// on a free port ([`Gateway::http_url`]).
    pub fn start_with_http(data_dir: PathBuf, dir: Option<Arc<tempfile::TempDir>>) -> Gateway {
        Gateway::start_with(data_dir, dir, &["--http-listen", "127.0.0.1:0"])
    }

    /// `http://127.0.0.1:<http_port>`; panics when it serves no jars.
    pub fn http_url(&self) -> String {
        format!(
            "http://127.0.0.1:{}",
            self.http_port.expect("started with --http-listen")
        )
    }

    /// `https://127.0.0.1:<http_port>`, for a gateway serving job jars
    /// over TLS; panics when it serves no jars.
    pub fn https_url(&self) -> String {
        format!(
            "https://127.0.0.1:{}",
            self.http_port.expect("started with --http-listen")
        )
    }

    /// Starts a gateway forwarding Flink SQL to the gateway at `url`, with
    /// `config` as its scaleph.toml (if not empty).
    pub fn start_for_flink(url: &str, config: &str) -> Gateway {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        let config_path = dir.path().join("scaleph.toml");
        std::fs::write(&config_path, config).expect("write scaleph.toml");
        let config_path = config_path.to_string_lossy().to_string();
        Gateway::start_with(
            dir.path().join("data"),
            Some(dir),
            &["--flink-gateway", url, "--config", &config_path],
        )
    }

    /// The temporary dir handle, to restart on the same data.
    pub fn dir_handle(&self) -> Option<Arc<tempfile::TempDir>> {
        self._dir.clone()
    }

    /// A tokio-postgres connection string.
    pub fn conn_str(&self) -> String {
        self.conn_str_in("scaleph")
    }

    /// A tokio-postgres connection string for `database`.
    pub fn conn_str_in(&self, database: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user=scaleph dbname={database}",
            self.port
        )
    }

    /// A connected tokio-postgres client (its connection driven in the background).
    pub async fn client(&self) -> tokio_postgres::Client {
        self.client_in("scaleph").await.expect("connect to scaleph")
    }

    /// A tokio-postgres client connected to `database`, or why it could not connect.
    pub async fn client_in(
        &self,
        database: &str,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, connection) =
            tokio_postgres::connect(&self.conn_str_in(database), tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    /// A client and the NOTICE messages its connection has received so far.
    pub async fn client_with_notices(
        &self,
    ) -> (
        tokio_postgres::Client,
        std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    ) {
        use futures::StreamExt;
        let (client, mut connection) =
            tokio_postgres::connect(&self.conn_str_in("scaleph"), tokio_postgres::NoTls)
                .await
                .expect("connect to scaleph");
        let notices = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = notices.clone();
        tokio::spawn(async move {
            let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(Ok(message)) = messages.next().await {
                if let tokio_postgres::AsyncMessage::Notice(notice) = message {
                    seen.lock().unwrap().push(notice.message().to_string());
                }
            }
        });
        (client, notices)
    }

    /// Runs the real `psql` against the gateway with `args`.
    pub fn psql(&self, args: &[&str]) -> Output {
        self.psql_in("scaleph", args)
    }

    /// Runs the real `psql` against the gateway's `database` with `args`.
    pub fn psql_in(&self, database: &str, args: &[&str]) -> Output {
        Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "scaleph",
                "-X",
                "-v",
                "ON_ERROR_STOP=1",
            ])
            .args(args)
            .arg(database)
            .env("PGCONNECT_TIMEOUT", "10")
            .output()
            .expect("run psql")
    }

    /// Everything the gateway logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Kills the process with SIGKILL (no chance to flush anything).
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills the process with SIGKILL and starts a new one on the same
    /// data directory with `extra` flags, plus `--config` of the
    /// `scaleph.toml` beside the data directory (as `start_for_flink`
    /// writes it) when there is one.
    pub fn kill9_and_restart(mut self, extra: &[&str]) -> Gateway {
        self.kill9();
        let data_dir = self.data_dir.clone();
        let dir = self.dir_handle();
        drop(self);
        let config = data_dir.parent().map(|p| p.join("scaleph.toml"));
        let config = config
            .filter(|c| c.is_file())
            .map(|c| c.to_string_lossy().to_string());
        let mut flags: Vec<&str> = extra.to_vec();
        if let Some(config) = &config {
            flags.extend(["--config", config.as_str()]);
        }
        Gateway::start_with(data_dir, dir, &flags)
    }

    /// Sends `signal` (`HUP`, `TERM`, ...) to the process.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal} failed");
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGTERM and waits up to `limit` for the process to exit.
    pub fn terminate(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port in the "scaleph is listening" log line.
fn listening_port(line: &str) -> Option<u16> {
    if !line.contains("scaleph is listening") {
        return None;
    }
    let start = line.find("listen=")? + "listen=".len();
    let addr = line[start..].split_whitespace().next()?;
    addr.rsplit(':').next()?.parse().ok()
}

/// The port in the "scaleph serves job jars" log line (`http=ADDR`).
fn http_port(line: &str) -> Option<u16> {
    if !line.contains("scaleph serves job jars") {
        return None;
    }
    let start = line.find(" http=")? + " http=".len();
    let addr = line[start..].split_whitespace().next()?;
    addr.rsplit(':').next()?.parse().ok()
}

/// Runs `scaleph <args>` with `stdin` piped in, returning its output.
pub fn run_binary(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scaleph");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("scaleph output")
}

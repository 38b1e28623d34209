//! What the bench binaries share: `scaleph serve` started on a free port
//! with a temporary data directory, killed when dropped.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under measurement.
pub const BIN: &str = env!("CARGO_BIN_EXE_scaleph");

/// A running `scaleph serve`.
pub struct Server {
    /// The process.
    pub child: Child,
    /// The port it listens on.
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `scaleph serve` with `extra` flags; it, and the time until it
/// accepted a connection.
pub fn start_server(extra: &[&str]) -> (Server, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let started = Instant::now();
    let child = Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(extra)
        .arg("--data-dir")
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn scaleph serve");
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "scaleph did not start"
        );
        std::thread::sleep(Duration::from_micros(500));
    }
    let elapsed = started.elapsed();
    (
        Server {
            child,
            port,
            _dir: dir,
        },
        elapsed,
    )
}

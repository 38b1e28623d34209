//! `cargo bench --bench serve`: the pgwire server measured side by side
//! with the local PostgreSQL in one run.
//!
//! - throughput: `pgbench -n -f <script> -c 8 -j 2 -T <secs>` in simple
//!   and extended protocol, against `scaleph serve` and PostgreSQL at
//!   127.0.0.1:5432, of `SELECT 1` and of psql's `\dt` catalog query (on
//!   kept connections, and with a new connection each time, as psql
//!   connects for every command); prints tps and the ratio;
//! - idle memory per connection: RSS growth of `scaleph serve` with 1,000
//!   open idle connections, divided by 1,000;
//! - start-to-listening: from spawning `scaleph serve` to the first
//!   accepted TCP connection, median of 10 starts.
//!
//! `SCALEPH_BENCH_SECS` sets the pgbench duration (default 10). Nothing
//! here asserts a time: figures are printed for the issue notes.

use std::io::Write;
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

mod support;

use support::{PSQL_LIST_TABLES, Server, start_server};

fn pgbench(port: u16, user: &str, db: &str, run: &Run, script: &std::path::Path) -> Option<f64> {
    let out = Command::new("pgbench")
        .args([
            "-n",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            user,
            "-c",
            "8",
            "-j",
            "2",
        ])
        .args(run.connect_each.then_some("-C"))
        .args(["-T", &run.secs.to_string(), "-M", run.protocol, "-f"])
        .arg(script)
        .arg(db)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        eprintln!(
            "pgbench failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l["tps = ".len()..].split_whitespace().next()?.parse().ok())
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// A PostgreSQL StartupMessage for user/database `scaleph`.
fn startup_message() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&196608u32.to_be_bytes());
    for (k, v) in [("user", "scaleph"), ("database", "scaleph")] {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut message = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    message.extend_from_slice(&body);
    message
}

fn memory_per_connection(server: &Server, connections: usize) -> (u64, u64, f64) {
    std::thread::sleep(Duration::from_millis(300));
    let before = rss_kib(server.child.id());
    let mut sockets = Vec::with_capacity(connections);
    for _ in 0..connections {
        let mut socket = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        socket.write_all(&startup_message()).expect("startup");
        sockets.push(socket);
    }
    // Let the server finish every handshake (ReadyForQuery) before measuring.
    for socket in &mut sockets {
        use std::io::Read;
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut buf = [0u8; 4096];
        let mut seen = Vec::new();
        while !seen.windows(6).any(|w| w == [b'Z', 0, 0, 0, 5, b'I']) {
            let n = socket.read(&mut buf).expect("read startup reply");
            assert!(n > 0, "server closed a connection");
            seen.extend_from_slice(&buf[..n]);
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    let after = rss_kib(server.child.id());
    let per = (after.saturating_sub(before)) as f64 / connections as f64;
    drop(sockets);
    (before, after, per)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would pass nothing useful: run only when benched.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let secs: u64 = std::env::var("SCALEPH_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);

    let mut starts: Vec<Duration> = (0..10).map(|_| start_server(&[]).1).collect();
    starts.sort();
    println!(
        "serve start-to-listening: median {:.1} ms (min {:.1}, max {:.1}) over 10 starts [goal <= 200 ms]",
        starts[5].as_secs_f64() * 1e3,
        starts[0].as_secs_f64() * 1e3,
        starts[9].as_secs_f64() * 1e3
    );

    let (server, _) = start_server(&[]);
    let (before, after, per) = memory_per_connection(&server, 1000);
    println!(
        "idle memory: RSS {before} KiB -> {after} KiB with 1000 connections = {per:.1} KiB per connection [goal <= 64 KiB]"
    );
    drop(server);

    let (server, _) = start_server(&[]);
    compare(&server, "SELECT 1;", "SELECT 1", secs, false);
    compare(&server, PSQL_LIST_TABLES, "psql \\dt", secs, false);
    compare(
        &server,
        PSQL_LIST_TABLES,
        "psql \\dt, a new connection each",
        secs,
        true,
    );
}

/// One pgbench run's settings.
struct Run {
    protocol: &'static str,
    secs: u64,
    /// `-C`: a new connection for every transaction.
    connect_each: bool,
}

/// pgbench of `sql` (one statement, `;`-terminated) against `server` and
/// PostgreSQL, in the simple and extended protocols; prints tps and the
/// ratio.
fn compare(server: &Server, sql: &str, label: &str, secs: u64, connect_each: bool) {
    let script = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(script.path(), format!("{sql}\n")).unwrap();
    println!("pgbench -n -f ({label}) -c 8 -j 2 -T {secs}");
    println!(
        "{:<10} {:>14} {:>14} {:>8}",
        "protocol", "scaleph tps", "postgres tps", "ratio"
    );
    for protocol in ["simple", "extended"] {
        let run = Run {
            protocol,
            secs,
            connect_each,
        };
        let ours = pgbench(server.port, "scaleph", "scaleph", &run, script.path());
        let theirs = pgbench(5432, "postgres", "postgres", &run, script.path());
        match (ours, theirs) {
            (Some(ours), Some(theirs)) => {
                println!(
                    "{protocol:<10} {ours:>14.0} {theirs:>14.0} {:>8.2}",
                    ours / theirs
                )
            }
            _ => println!("{protocol:<10} {ours:>14?} {theirs:>14?}  (a run failed)"),
        }
    }
}

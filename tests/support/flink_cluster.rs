//! A real Flink 2.3.0 standalone session cluster for the tests: one
//! JobManager and one TaskManager started from the jars of PyPI's
//! `apache-flink-libraries` wheel on the machine's Java 17, following the
//! recipe in `docs/flink-rest.md` ("A local cluster for the tests")
//! (module opens, the TaskManager's memory options from BashJavaUtils,
//! `config.yaml`). The SQL Gateway is not in the wheel, but a cluster's
//! REST API is all scaleph's jobs need.
//!
//! One cluster per test process, started by the first test that asks
//! ([`cluster`]) and shared by the rest: too costly per test (measured
//! 2026-12-07: 8 s to start on an idle 2-core machine, up to 25 s on a
//! busy one; ~750 MB resident for both JVMs at the tests' peak, 2.3 GB
//! configured). Its ports are chosen free, its state (checkpoints,
//! savepoints, uploaded jars, logs) lives in a directory of its own under
//! the cargo target dir.
//!
//! **No orphans.** Statics are never dropped, and a panicking or killed
//! test process runs no destructor, so the JVMs cannot be stopped by
//! `Drop`. Each JVM is started by a watchdog shell
//! ([`WATCHDOG`]) whose stdin is a pipe from the test process: the shell
//! waits for end-of-file, which the kernel delivers when the test process
//! exits in any way (normal exit, panic, `SIGKILL`), then kills its JVM
//! with `SIGKILL` and removes the cluster's directory. `PR_SET_PDEATHSIG`
//! was the alternative, but it fires when the *thread* that spawned the
//! child ends — a test thread, long before the process — and needs
//! `libc`. Directories left by a machine crash are removed by the next
//! run ([`remove_stale`]).
//!
//! Under `CI=true` a missing Java or wheel fails the test; elsewhere the
//! test is skipped, loudly (`services::available`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::flink_planner::{FLINK_VERSION, JAVA_OPENS, flink_home, runs};
use super::services::available;

/// Starts its arguments as a background process, waits for end-of-file
/// on stdin (the test process is gone), kills the process and removes
/// `$CLEANUP` if set. The JVM's stdin is `/dev/null`: only the shell holds
/// the pipe.
const WATCHDOG: &str = r#""$@" </dev/null & pid=$!
cat >/dev/null
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ -n "$CLEANUP" ]; then rm -rf "$CLEANUP"; fi"#;

/// How long the cluster may take to show its TaskManager (15–25 s on an
/// idle 2-core machine; much longer while cargo builds beside it).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(180);

/// The TaskManager's slots: enough for the tests' jobs at once (each runs
/// with parallelism 1).
pub const SLOTS: u32 = 4;

/// The shared cluster.
pub struct FlinkCluster {
    /// Its REST API, `http://127.0.0.1:<port>`.
    pub rest_url: String,
    /// Its directory: `config.yaml`, logs, state, and the tests' scratch
    /// directories.
    pub dir: PathBuf,
    /// How long it took to start.
    pub startup: Duration,
    /// The write ends of the watchdogs' pipes, held for the life of the
    /// process (see the module docs).
    _watchdogs: Vec<ChildStdin>,
}

impl FlinkCluster {
    /// A fresh directory for one test's files (a sink's output, savepoints),
    /// under the cluster's directory so the watchdog removes it too.
    pub fn scratch(&self, name: &str) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = self.dir.join("scratch").join(format!("{name}-{n}"));
        std::fs::create_dir_all(&dir).expect("the scratch directory can be made");
        dir
    }
}

/// The cluster, started on first use; `None` (after a loud notice) when
/// Java or the wheel is missing outside CI. A failed start fails every
/// test that asks, with the same reason.
pub fn cluster() -> Option<&'static FlinkCluster> {
    static CLUSTER: OnceLock<Result<Option<FlinkCluster>, String>> = OnceLock::new();
    match CLUSTER.get_or_init(start) {
        Ok(cluster) => cluster.as_ref(),
        Err(why) => panic!("the Flink cluster did not start: {why}"),
    }
}

/// A port free right now (bound, then released; the cluster binds it a
/// moment later).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

fn start() -> Result<Option<FlinkCluster>, String> {
    if !available("java and javac (Java 17)", runs("java") && runs("javac")) {
        return Ok(None);
    }
    let home = match flink_home() {
        Ok(home) => home,
        Err(why) => {
            available(&format!("Flink {FLINK_VERSION}'s jars ({why})"), false);
            return Ok(None);
        }
    };
    let started = Instant::now();
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("flink-cluster");
    remove_stale(&base);
    let dir = base.join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["conf", "log", "tmp", "web", "jars", "blobs", "scratch"] {
        std::fs::create_dir_all(dir.join(sub)).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let rest_port = free_port();
    let config = config_yaml(&dir, rest_port, free_port());
    std::fs::write(dir.join("conf/config.yaml"), config).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("conf/log4j.properties"), LOG4J).map_err(|e| e.to_string())?;

    let lib = home.join("lib");
    let classpath = lib.join("*");
    let mut watchdogs = Vec::new();

    let (jm_jvm, jm_dynamic) = resource_params(&home, &dir, "GET_JM_RESOURCE_PARAMS")?;
    let mut jm = jvm(&dir, "jobmanager", &jm_jvm);
    jm.arg("-cp")
        .arg(&classpath)
        .arg("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint")
        .arg("--configDir")
        .arg(dir.join("conf"))
        .args(&jm_dynamic)
        .env("CLEANUP", &dir);
    watchdogs.push(spawn(jm, &dir, "jobmanager")?);

    let (tm_jvm, tm_dynamic) = resource_params(&home, &dir, "GET_TM_RESOURCE_PARAMS")?;
    let mut tm = jvm(&dir, "taskmanager", &tm_jvm);
    tm.arg("-cp")
        .arg(&classpath)
        .arg("org.apache.flink.runtime.taskexecutor.TaskManagerRunner")
        .arg("--configDir")
        .arg(dir.join("conf"))
        .args(&tm_dynamic);
    watchdogs.push(spawn(tm, &dir, "taskmanager")?);

    let rest_url = format!("http://127.0.0.1:{rest_port}");
    loop {
        if let Some(overview) = get_json(rest_port, "/overview")
            && overview["taskmanagers"].as_u64() == Some(1)
        {
            break;
        }
        if started.elapsed() > STARTUP_TIMEOUT {
            return Err(format!(
                "no TaskManager at {rest_url}/overview after {STARTUP_TIMEOUT:?}\n\
                 --- jobmanager log ---\n{}\n--- taskmanager log ---\n{}",
                tail(&dir.join("log/jobmanager.log")),
                tail(&dir.join("log/taskmanager.log")),
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let startup = started.elapsed();
    eprintln!(
        "Flink {FLINK_VERSION} cluster up at {rest_url} in {:.1} s ({})",
        startup.as_secs_f64(),
        dir.display()
    );
    Ok(Some(FlinkCluster {
        rest_url,
        dir,
        startup,
        _watchdogs: watchdogs,
    }))
}

/// The cluster's configuration: every port free or ephemeral, every
/// directory inside `dir`, no restarts (a failing test job fails at
/// once instead of restarting forever).
fn config_yaml(dir: &Path, rest_port: u16, rpc_port: u16) -> String {
    let d = dir.display();
    format!(
        "jobmanager.rpc.address: localhost\n\
         jobmanager.rpc.port: {rpc_port}\n\
         jobmanager.bind-host: localhost\n\
         jobmanager.memory.process.size: 1024m\n\
         taskmanager.host: localhost\n\
         taskmanager.bind-host: localhost\n\
         taskmanager.rpc.port: 0\n\
         taskmanager.data.port: 0\n\
         taskmanager.numberOfTaskSlots: {SLOTS}\n\
         taskmanager.memory.process.size: 1280m\n\
         blob.server.port: 0\n\
         metrics.internal.query-service.port: 0\n\
         rest.address: 127.0.0.1\n\
         rest.bind-address: 127.0.0.1\n\
         rest.port: {rest_port}\n\
         parallelism.default: 1\n\
         restart-strategy.type: none\n\
         io.tmp.dirs: {d}/tmp\n\
         web.tmpdir: {d}/web\n\
         web.upload.dir: {d}/jars\n\
         blob.storage.directory: {d}/blobs\n\
         execution.checkpointing.dir: file://{d}/checkpoints\n\
         execution.checkpointing.savepoint-dir: file://{d}/savepoints\n"
    )
}

/// Log4j 2's configuration: each JVM logs to `log/<name>.log`.
const LOG4J: &str = "rootLogger.level = INFO\n\
    rootLogger.appenderRef.file.ref = MainAppender\n\
    appender.main.name = MainAppender\n\
    appender.main.type = File\n\
    appender.main.fileName = ${sys:log.file}\n\
    appender.main.layout.type = PatternLayout\n\
    appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n\n";

/// What `BashJavaUtils <command>` computes from the configuration, as
/// Flink's own scripts ask it: the JVM's memory flags and the `-D`
/// options the process must be started with.
fn resource_params(
    home: &Path,
    dir: &Path,
    command: &str,
) -> Result<(Vec<String>, Vec<String>), String> {
    let mut classpath = std::ffi::OsString::from(home.join("bin/bash-java-utils.jar"));
    classpath.push(":");
    classpath.push(home.join("lib/*"));
    let output = Command::new("java")
        .arg("-cp")
        .arg(classpath)
        .arg("org.apache.flink.runtime.util.bash.BashJavaUtils")
        .arg(command)
        .arg("--configDir")
        .arg(dir.join("conf"))
        .output()
        .map_err(|e| format!("BashJavaUtils: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let results: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("BASH_JAVA_UTILS_EXEC_RESULT:"))
        .collect();
    let [jvm, dynamic] = results.as_slice() else {
        return Err(format!(
            "BashJavaUtils {command} printed no results: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    };
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect();
    Ok((words(jvm), words(dynamic)))
}

/// `java` with Flink's module opens, `jvm_flags` and its log file, run
/// under the watchdog.
fn jvm(dir: &Path, name: &str, jvm_flags: &[String]) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(WATCHDOG)
        .arg("flink-watchdog")
        .arg("java")
        .args(JAVA_OPENS)
        .args(jvm_flags)
        .arg("-XX:+UseSerialGC")
        .arg(format!("-Dlog.file={}/log/{name}.log", dir.display()))
        .arg(format!(
            "-Dlog4j.configurationFile=file:{}/conf/log4j.properties",
            dir.display()
        ));
    command
}

/// Spawns `command`, its output in `log/<name>.out`; the pipe to its
/// watchdog.
fn spawn(mut command: Command, dir: &Path, name: &str) -> Result<ChildStdin, String> {
    let out = std::fs::File::create(dir.join(format!("log/{name}.out")))
        .map_err(|e| format!("{name}: {e}"))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("{name} does not start: {e}"))?;
    let stdin = child.stdin.take().ok_or("no pipe to the watchdog")?;
    // The shell is reaped by init once the test process has gone; nothing
    // waits for it here.
    drop(child);
    Ok(stdin)
}

/// Removes the directories of clusters whose test process is gone (a
/// machine that crashed before their watchdogs could).
fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let alive = name
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// `GET path` on 127.0.0.1:`port` as JSON; `None` until the REST API
/// answers. Plain HTTP/1.0 over a socket: the start-up is synchronous
/// and needs no client.
fn get_json(port: u16, path: &str) -> Option<serde_json::Value> {
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = std::net::TcpStream::connect_timeout(&address, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?;
    (status == "200")
        .then(|| serde_json::from_str(body).ok())
        .flatten()
}

/// The last lines of a log, for a start-up failure's message.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| format!("({e})"));
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// The files of `dir` (recursively) that are not hidden: what a
/// filesystem sink committed (Flink's in-progress files start with `.`).
pub fn visible_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(visible_files(&path));
        } else if !entry.file_name().to_string_lossy().starts_with('.') {
            files.push(path);
        }
    }
    files
}

//! Flink's real planner, where it can run: `Planner.java` (beside this
//! file) compiled at test time against the jars of PyPI's
//! `apache-flink-libraries` wheel and run on the machine's Java 17. The
//! SQL Gateway itself cannot run here (its jar is not in the wheel, see
//! `/work/shared/reference/flink-local/README.md`), but its planner can:
//! EXPLAIN needs no cluster, so what scaleph sends Flink can be checked
//! by the same code that would check it in production.
//!
//! One JVM serves a whole test (its start-up and the planner's first plan
//! take seconds; a JVM per statement would take minutes on 2 cores).
//! Under `CI=true` a missing Java or wheel fails the test; elsewhere the
//! test is skipped, loudly (see `services::available`).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use sha2::{Digest, Sha256};

use super::services::available;

/// The Flink version whose planner the tests run.
pub const FLINK_VERSION: &str = "2.3.0";

/// The helper's source; its hash keys the compiled class.
const SOURCE: &str = include_str!("Planner.java");

/// The module opens Flink's own scripts give Java 17 (without them Flink
/// fails reflectively, e.g. `InaccessibleObjectException ... does not
/// "opens java.util"`).
pub const JAVA_OPENS: &[&str] = &[
    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.text=ALL-UNNAMED",
    "--add-opens=java.base/java.time=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
];

/// Where the unpacked wheel is kept between runs (`.ci/run` fills the
/// same place before `cargo test`): `$SCALEPH_FLINK_CACHE` or
/// `~/.cache/scaleph-flink`, then the version.
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("SCALEPH_FLINK_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
            Path::new(&home).join(".cache/scaleph-flink")
        });
    base.join(FLINK_VERSION)
}

/// The directory of Flink's jars (`pyflink/lib`); see [`flink_home`].
pub fn flink_lib() -> Result<PathBuf, String> {
    Ok(flink_home()?.join("lib"))
}

/// The unpacked wheel's `pyflink` directory with Flink's jars (`lib/`)
/// and `bin/bash-java-utils.jar` (the TaskManager's memory options, for
/// `support::flink_cluster`), downloading and unpacking the wheel into
/// the cache when they are not there yet. `Err` says why they cannot be
/// had.
pub fn flink_home() -> Result<PathBuf, String> {
    let dir = cache_dir();
    let home = dir.join("pyflink");
    let parts = [
        ("lib", format!("flink-dist-{FLINK_VERSION}.jar")),
        ("bin", "bash-java-utils.jar".to_string()),
    ];
    let missing = |home: &Path| -> Vec<&str> {
        parts
            .iter()
            .filter(|(part, file)| !home.join(part).join(file).is_file())
            .map(|(part, _)| *part)
            .collect()
    };
    let wanted = missing(&home);
    if wanted.is_empty() {
        return Ok(home);
    }
    let download = dir.join("download");
    let have_wheel = std::fs::read_dir(&download).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".whl"))
    });
    if !have_wheel {
        eprintln!(
            "downloading apache-flink-libraries=={FLINK_VERSION} (~330 MB) into {}",
            dir.display()
        );
        let status = Command::new("python3")
            .args(["-m", "pip", "download", "-q", "--no-deps"])
            .arg(format!("apache-flink-libraries=={FLINK_VERSION}"))
            .arg("-d")
            .arg(&download)
            .status()
            .map_err(|e| format!("python3 cannot be run: {e}"))?;
        if !status.success() {
            return Err(format!("pip download failed: {status}"));
        }
    }
    // Only the missing parts are unpacked; into a fresh directory renamed
    // into place, so a run killed half-way leaves no half-unpacked jars.
    let unpacking = dir.join(format!("unpacking-{}", std::process::id()));
    let script = "import glob, sys, zipfile\n\
        [wheel] = glob.glob(sys.argv[1] + '/apache_flink_libraries-*.whl')\n\
        z = zipfile.ZipFile(wheel)\n\
        parts = tuple('pyflink/' + p + '/' for p in sys.argv[3:])\n\
        z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith(parts)])\n";
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(&download)
        .arg(&unpacking)
        .args(&wanted)
        .status()
        .map_err(|e| format!("python3 cannot be run: {e}"))?;
    if !status.success() {
        return Err(format!("unpacking the wheel failed: {status}"));
    }
    let _ = std::fs::create_dir_all(&home);
    for part in &wanted {
        let _ = std::fs::rename(unpacking.join("pyflink").join(part), home.join(part));
    }
    let _ = std::fs::remove_dir_all(&unpacking);
    match missing(&home).as_slice() {
        [] => Ok(home),
        still => Err(format!("no {still:?} in {}", home.display())),
    }
}

/// The directory holding `Planner.class` compiled from [`SOURCE`] against
/// `lib`, under the cargo target dir and keyed by the source's hash (a
/// changed helper is recompiled; an unchanged one costs nothing).
fn compiled(lib: &Path) -> Result<PathBuf, String> {
    let hash = Sha256::digest(SOURCE.as_bytes());
    let key: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("flink-planner-{key}"));
    if dir.join("Planner.class").is_file() {
        return Ok(dir);
    }
    // Compiled beside, then renamed: two test runs at once do not see a
    // half-written class.
    let building = dir.with_extension(format!("building-{}", std::process::id()));
    std::fs::create_dir_all(&building).map_err(|e| e.to_string())?;
    std::fs::write(building.join("Planner.java"), SOURCE).map_err(|e| e.to_string())?;
    let output = Command::new("javac")
        .arg("-d")
        .arg(&building)
        .arg("-cp")
        .arg(lib.join("*"))
        .arg(building.join("Planner.java"))
        .output()
        .map_err(|e| format!("javac cannot be run: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "javac failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    if std::fs::rename(&building, &dir).is_err() {
        // Another run got there first.
        let _ = std::fs::remove_dir_all(&building);
    }
    Ok(dir)
}

/// Whether `program -version` runs.
pub fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A running planner: one JVM with one streaming `TableEnvironment`.
pub struct Planner {
    child: Child,
    requests: ChildStdin,
    answers: BufReader<ChildStdout>,
}

impl Planner {
    /// Starts the planner, or `None` (after a loud notice) when Java or
    /// the wheel is missing outside CI; under CI that panics.
    pub fn start() -> Option<Planner> {
        if !available("java and javac (Java 17)", runs("java") && runs("javac")) {
            return None;
        }
        let lib = match flink_lib() {
            Ok(lib) => lib,
            Err(why) => {
                available(&format!("Flink {FLINK_VERSION}'s jars ({why})"), false);
                return None;
            }
        };
        let classes = compiled(&lib).unwrap_or_else(|e| panic!("{e}"));
        let mut classpath = std::ffi::OsString::from(classes.as_os_str());
        classpath.push(":");
        classpath.push(lib.join("*"));
        let mut child = Command::new("java")
            .args(JAVA_OPENS)
            .args(["-Xmx512m", "-XX:+UseSerialGC", "-cp"])
            .arg(classpath)
            .arg("Planner")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("java starts");
        Some(Planner {
            requests: child.stdin.take().unwrap(),
            answers: BufReader::new(child.stdout.take().unwrap()),
            child,
        })
    }

    fn ask(&mut self, verb: &str, sql: &str) -> Result<String, String> {
        let hex: String = sql.bytes().map(|b| format!("{b:02x}")).collect();
        writeln!(self.requests, "{verb} {hex}").expect("the planner reads requests");
        self.requests.flush().unwrap();
        let mut line = String::new();
        self.answers.read_line(&mut line).unwrap();
        let (status, payload) = line
            .trim_end()
            .split_once(' ')
            .unwrap_or((line.trim_end(), ""));
        let bytes: Vec<u8> = (0..payload.len() / 2)
            .map(|i| u8::from_str_radix(&payload[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let text = String::from_utf8(bytes).unwrap();
        match status {
            "OK" => Ok(text),
            "ERR" => Err(text),
            _ => panic!("the planner died (answered {line:?}) on {verb} {sql}"),
        }
    }

    /// Runs `sql` with `executeSql`: its rows, one a line, fields
    /// tab-separated (empty for DDL), or the root cause of its failure.
    pub fn exec(&mut self, sql: &str) -> Result<String, String> {
        self.ask("EXEC", sql)
    }

    /// The plan `explainSql` gives for the query `sql`, or the root cause
    /// of the planner's rejection.
    pub fn explain(&mut self, sql: &str) -> Result<String, String> {
        self.ask("EXPLAIN", sql)
    }

    /// The columns of `table` as Flink's `DESCRIBE` names them (name and
    /// type, e.g. `TIMESTAMP(3) *ROWTIME*`): what scaleph's preview reads
    /// from the SQL Gateway in production.
    pub fn describe(&mut self, table: &str) -> Result<Vec<DescribedColumn>, String> {
        let rows = self.exec(&format!("DESCRIBE {table}"))?;
        Ok(rows
            .lines()
            .filter_map(|row| {
                let fields: Vec<&str> = row.split('\t').collect();
                Some(DescribedColumn {
                    name: fields.first()?.to_string(),
                    data_type: fields.get(1)?.to_string(),
                    extras: fields
                        .get(4)
                        .filter(|e| !e.is_empty() && **e != "null")
                        .map(|e| e.to_string()),
                })
            })
            .collect())
    }
}

/// A row of Flink's `DESCRIBE`: a column's name, type and extras
/// (`AS ...` for a computed column, `METADATA ...` for a metadata one).
pub struct DescribedColumn {
    /// The column's name.
    pub name: String,
    /// Its type as DESCRIBE prints it (`TIMESTAMP(3) *ROWTIME*`).
    pub data_type: String,
    /// Its extras, when it has any.
    pub extras: Option<String>,
}

impl Drop for Planner {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! scaleph's SQL runner: the Java program (`runner/`, built by
//! `runner/build.sh`) that is a scaleph job on a Flink cluster. It reads
//! a script, runs each statement with `TableEnvironment.executeSql` and
//! the writes as one `StatementSet` — one script, one Flink job.
//!
//! Its jar is embedded in the scaleph binary, so every scaleph has the
//! runner its own jobs expect, and is uploaded to a cluster under a name
//! carrying its content hash (`FlinkRest::ensure_jar`): once per cluster
//! and runner version, never a stale one. The script travels as one
//! program argument, base64 of its UTF-8 (`--script-base64`): program
//! arguments pass through REST's `programArgsList`, the Kubernetes
//! operator's `args` and shells, and base64 survives each unchanged.

use base64::Engine;

/// The runner jar, as built from `runner/src` (a test fails when it is
/// older than its sources: `tests/runner.rs`).
pub const RUNNER_JAR: &[u8] = include_bytes!("../../runner/scaleph-sql-runner.jar");

/// The runner's main class (also the jar manifest's `Main-Class`).
pub const RUNNER_ENTRY_CLASS: &str = "org.scaleph.runner.SqlRunner";

/// The stem of the runner jar's name on a cluster
/// (`scaleph-sql-runner-<hash>.jar`).
pub const RUNNER_JAR_STEM: &str = "scaleph-sql-runner";

/// The marker before the hash of the runner's sources in the jar
/// (`META-INF/SOURCES.sha256`, stored uncompressed).
const SOURCES_MARKER: &str = "scaleph-sql-runner-sources-sha256=";

/// The program arguments that make the runner run `script`.
pub fn runner_args(script: &str) -> Vec<String> {
    vec![
        "--script-base64".to_string(),
        base64::engine::general_purpose::STANDARD.encode(script.as_bytes()),
    ]
}

/// The SHA-256 (hex) of the sources the embedded jar was built from, as
/// `runner/build.sh` wrote it into the jar; `None` if it carries none.
pub fn runner_sources_hash() -> Option<&'static str> {
    let marker = SOURCES_MARKER.as_bytes();
    let at = RUNNER_JAR
        .windows(marker.len())
        .position(|window| window == marker)?;
    let hex = RUNNER_JAR.get(at + marker.len()..at + marker.len() + 64)?;
    std::str::from_utf8(hex)
        .ok()
        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_travels_as_base64_of_its_text() {
        let script = "INSERT INTO t SELECT 'a;b' -- é\n";
        let args = runner_args(script);
        assert_eq!(args[0], "--script-base64");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&args[1])
            .unwrap();
        assert_eq!(decoded, script.as_bytes());
    }

    #[test]
    fn the_embedded_jar_says_what_it_was_built_from() {
        assert!(RUNNER_JAR.starts_with(b"PK"));
        assert_eq!(runner_sources_hash().map(str::len), Some(64));
    }
}

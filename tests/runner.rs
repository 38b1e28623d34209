//! The committed SQL runner jar (`runner/scaleph-sql-runner.jar`, embedded
//! as `scaleph::flink::runner::RUNNER_JAR`) is built from the sources
//! beside it: `runner/build.sh` writes the hash of its sources into the
//! jar, and this test recomputes it. A source changed without
//! rebuilding the jar fails here, naming the script to run.

use std::path::{Path, PathBuf};

use scaleph::flink::runner::{RUNNER_ENTRY_CLASS, RUNNER_JAR, runner_sources_hash};
use sha2::{Digest, Sha256};

/// Every file under `dir`, as paths relative to `root`.
fn files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(root, &path, out);
        } else {
            let relative = path.strip_prefix(root).unwrap();
            out.push(relative.to_string_lossy().into_owned());
        }
    }
}

/// The hash `runner/build.sh` computes: for `build.sh` and every file
/// under `src` in byte order of their paths, the path, a newline, then
/// the file's bytes.
fn sources_hash(runner: &Path) -> String {
    let mut sources = Vec::new();
    files(runner, &runner.join("src"), &mut sources);
    sources.sort();
    let mut hasher = Sha256::new();
    for path in std::iter::once("build.sh".to_string()).chain(sources) {
        hasher.update(format!("{path}\n"));
        hasher.update(std::fs::read(runner.join(&path)).unwrap());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn committed_runner_jar_is_built_from_the_current_sources() {
    let runner = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runner");
    let expected = sources_hash(&runner);
    assert_eq!(
        runner_sources_hash(),
        Some(expected.as_str()),
        "runner/scaleph-sql-runner.jar is stale: run runner/build.sh and commit the jar"
    );
    let manifest = format!("Main-Class: {RUNNER_ENTRY_CLASS}");
    assert!(
        RUNNER_JAR
            .windows(manifest.len())
            .any(|w| w == manifest.as_bytes()),
        "the jar's manifest names another main class than {RUNNER_ENTRY_CLASS}"
    );
}

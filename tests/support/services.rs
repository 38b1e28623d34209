//! Real services and client programs the tests use. Under `CI=true` a
//! missing one fails the test; on a developer's laptop it is skipped,
//! loudly.

use std::process::Command;

/// Whether the tests run under CI, where nothing may be skipped.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports a missing service or program: panics under CI, otherwise prints
/// a loud skip notice and returns `false`.
pub fn available(what: &str, present: bool) -> bool {
    if !present {
        assert!(
            !under_ci(),
            "{what} is required under CI but is not available"
        );
        eprintln!("SKIPPED: {what} is not available on this machine");
    }
    present
}

/// Whether the `psql` client can be run.
pub fn psql() -> bool {
    available(
        "psql",
        Command::new("psql")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
    )
}

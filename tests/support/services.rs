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

/// Whether something listens on 127.0.0.1:`port`.
fn listening(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        std::time::Duration::from_secs(2),
    )
    .is_ok()
}

/// Whether the local PostgreSQL (127.0.0.1:5432, trust) is up.
pub fn postgres() -> bool {
    available("PostgreSQL on 127.0.0.1:5432", listening(5432))
}

/// Whether the local MariaDB (127.0.0.1:3306, root without password) is up.
pub fn mariadb() -> bool {
    available("MariaDB on 127.0.0.1:3306", listening(3306))
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

//! The REPL and script runner.

use std::path::PathBuf;
use std::sync::Arc;

use crate::session::Context;

/// Runs the interactive REPL until `\q` or end of input.
pub async fn run_interactive(context: Arc<Context>) -> std::io::Result<()> {
    let _ = context;
    todo!("repl")
}

/// Runs scripts in order, stopping at the first error; returns whether all succeeded.
pub async fn run_scripts(context: Arc<Context>, files: &[PathBuf]) -> bool {
    let _ = (context, files);
    todo!("repl")
}

/// Parses and checks scripts offline; prints `FILE:LINE:COL: error: message`
/// per problem and returns whether all were clean.
pub fn check_scripts(files: &[PathBuf]) -> bool {
    let _ = files;
    todo!("repl")
}

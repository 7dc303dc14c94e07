//! The loopback HTTP server behind `--demo`.

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

/// Run the TUI on the bundled demo feeds.
pub fn run_demo(config: Option<&Path>) -> Result<ExitCode> {
    let _ = config;
    anyhow::bail!("--demo is not built yet")
}

//! The interactive reader.

// Interim entry points until the TUI lands (replaced wholesale by the tui branch).
use crate::clock::Clock;
use crate::config::Config;
use std::path::PathBuf;
use std::sync::Arc;

/// What the TUI runs on.
pub struct TuiContext {
    pub config: Config,
    pub db_path: PathBuf,
    pub clock: Arc<dyn Clock>,
}

/// Validate the configured key bindings before the screen opens.
pub fn check_keymap(config: &Config) -> anyhow::Result<()> {
    let _ = config;
    Ok(())
}

/// Run the interactive reader.
pub async fn run(ctx: TuiContext) -> anyhow::Result<()> {
    let _ = ctx;
    anyhow::bail!("the interactive reader is not built yet: use the subcommands (kiosque --help)")
}

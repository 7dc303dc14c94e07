//! The interactive reader: events → actions → `update` → render, with IO on a worker.
//!
//! `update` (the only writer of `State`) is pure and returns `Effect`s; the worker runs them
//! on a store thread, tokio tasks and `spawn_blocking`, and answers with `Action`s; the loop
//! in `app` drains input and answers, then draws once if anything changed.

pub mod action;
pub mod app;
pub mod effect;
#[doc(hidden)]
pub mod fixtures;
pub mod keymap;
pub mod reader_layout;
pub mod state;
pub mod terminal;
pub mod update;
pub mod view;
pub mod worker;

use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
pub use keymap::KeymapError;

/// What the TUI needs from the command line.
pub struct TuiContext {
    pub config: Config,
    pub db_path: PathBuf,
    pub clock: Arc<dyn Clock>,
}

/// The keymap a config asks for: defaults with its `[keys]` overrides.
pub fn keymap_for(config: &Config) -> Result<keymap::Keymap, KeymapError> {
    keymap::Keymap::with_overrides(
        config
            .keys
            .iter()
            .map(|(name, b)| (name.as_str(), b.keys.as_slice(), b.line)),
    )
}

/// Check the config's `[keys]` before the screen opens (an error names the config line).
pub fn check_keymap(config: &Config) -> Result<(), KeymapError> {
    keymap_for(config).map(|_| ())
}

/// The settings of `State` taken from the config.
pub fn settings_for(config: &Config) -> state::Settings {
    state::Settings {
        mark_read_on_open: config.mark_read_on_open,
        refresh_on_start: config.refresh_on_start,
        refresh_minutes: config.refresh_minutes,
        prefetch: config.prefetch,
    }
}

/// Run the TUI until the user quits. Call inside a multi-thread tokio runtime.
pub async fn run(ctx: TuiContext) -> anyhow::Result<()> {
    let keymap = keymap_for(&ctx.config)?;
    let (actions_tx, mut actions_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut worker = worker::TokioWorker::start(&ctx.config, ctx.db_path.clone(), actions_tx);
    let (mut terminal, guard) = terminal::enter()?;
    let size = terminal.size()?;
    let mut state = state::State::new(
        settings_for(&ctx.config),
        ctx.clock.now(),
        (size.width, size.height),
    );
    state.help = keymap.help().to_vec();
    let events = crossterm::event::EventStream::new();
    let mut stdout = std::io::stdout();
    let parts = app::LoopParts {
        keymap: &keymap,
        worker: &mut worker,
        actions: &mut actions_rx,
        clock: ctx.clock.as_ref(),
        clipboard: &mut stdout,
    };
    let result = app::run_loop(&mut terminal, &mut state, events, parts).await;
    drop(guard);
    result
}

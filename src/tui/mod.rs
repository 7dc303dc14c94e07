//! The interactive reader: events → actions → `update` → render, with IO on a worker.
//!
//! `update` (the only writer of `State`) is pure and returns `Effect`s; the worker runs them
//! on a store thread, tokio tasks and `spawn_blocking`, and answers with `Action`s; the loop
//! in `app` drains input and answers, then draws once if anything changed.

pub mod action;
pub mod app;
pub mod effect;
pub mod feed_admin;
#[doc(hidden)]
pub mod fixtures;
pub mod geometry;
pub mod images;
pub mod keymap;
pub mod reader_layout;
pub mod sidebar;
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
    /// A directory to remove if the TUI has to be left without its normal way out (the
    /// demo's data dir): see [`exit_if_stuck`].
    pub remove_if_stuck: Option<PathBuf>,
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

/// The settings of `State` taken from the config (and `NO_COLOR` from the environment); a
/// bad `[colors]` entry is an error before the screen opens.
pub fn settings_for(config: &Config) -> Result<state::Settings, view::theme::ThemeError> {
    Ok(state::Settings {
        mark_read_on_open: config.mark_read_on_open,
        refresh_on_start: config.refresh_on_start,
        refresh_minutes: config.refresh_minutes,
        prefetch: config.prefetch,
        sync: config.sync.is_some(),
        hyperlinks: view::hyperlink::enabled(
            config.hyperlinks,
            &view::hyperlink::TerminalEnv::from_process(),
        ),
        images: config.images != crate::config::ImagesMode::Off,
        theme: view::theme::Theme::new(
            config.theme,
            &config.colors,
            view::theme::no_color_requested(),
        )?,
    })
}

/// Run the TUI until the user quits. Call inside a multi-thread tokio runtime.
pub async fn run(ctx: TuiContext) -> anyhow::Result<()> {
    run_with_store(ctx, None).await
}

/// [`run`] with the database already open (the store thread takes this connection).
pub async fn run_with_store(
    ctx: TuiContext,
    store: Option<crate::store::Store>,
) -> anyhow::Result<()> {
    let keymap = keymap_for(&ctx.config)?;
    let settings = settings_for(&ctx.config)?;
    let (actions_tx, mut actions_rx) = tokio::sync::mpsc::unbounded_channel();
    // Before the screen changes: from here on a SIGTERM/SIGINT/SIGHUP ends the loop and the
    // guard restores the terminal (and `--demo` removes its data dir) instead of dying mid-way.
    let mut stop = terminal::StopSignals::install()?;
    let watchdog = tokio::spawn(exit_if_stuck(
        terminal::StopSignals::install()?,
        ctx.remove_if_stuck.clone(),
    ));
    let (mut terminal, guard) = terminal::enter()?;
    // In raw mode, before the event stream reads the terminal: ask it which images it draws.
    // Not after the first frame: a key pressed on seeing the headlines was read as part of
    // the terminal's answer, and lost.
    let drawer = images::drawer_for(ctx.config.images);
    let mut settings = settings;
    settings.images = drawer.is_some();
    let size = terminal.size()?;
    crate::startup::mark("terminal");
    let mut state = state::State::new(settings, ctx.clock.now(), (size.width, size.height));
    state.sidebar = sidebar::SidebarView::from_config(&ctx.config.sidebar);
    state.help = keymap.help().to_vec();
    // The first headlines are read here, on the connection already open, and drawn before
    // anything else starts: handing the read to the store threads put four thread wake-ups
    // and a second connection's schema read before the first frame (issue 12).
    let effects = first_headlines(&mut state, store.as_ref());
    terminal.draw(|frame| view::render(frame, &state))?;
    state.dirty = false;
    let headlines_drawn = state.list.loaded;
    if headlines_drawn {
        crate::startup::mark("first headlines");
        if let Some(report) = crate::startup::take_report() {
            tracing::info!("first screen: {report}");
        }
    }
    if let Some(store) = &store {
        store.release_cache();
        return_freed_memory();
    }
    let mut worker =
        worker::TokioWorker::start_with_store(&ctx.config, ctx.db_path.clone(), store, actions_tx);
    worker.set_drawer(drawer);
    crate::startup::mark("worker");
    let events = crossterm::event::EventStream::new();
    let mut stdout = std::io::stdout();
    let parts = app::LoopParts {
        keymap: &keymap,
        worker: &mut worker,
        actions: &mut actions_rx,
        clock: ctx.clock.as_ref(),
        clipboard: &mut stdout,
    };
    let result = tokio::select! {
        result = app::run_loop_from(&mut terminal, &mut state, events, parts, effects, headlines_drawn) => result,
        signal = stop.recv() => {
            tracing::info!("{signal}: leaving the TUI");
            Ok(())
        }
    };
    watchdog.abort();
    // ratatui's Drop prints to stderr when it cannot show the cursor, and printing to a
    // terminal that is gone (closed window, SIGHUP) panics, which would skip the clean-up
    // (the demo's data dir). The guard restores what can be restored; forget the rest.
    if terminal.show_cursor().is_err() {
        std::mem::forget(terminal);
    } else {
        drop(terminal);
    }
    drop(guard);
    result
}

/// The start-up's work (`update::init`), with the headline window already read from `store`
/// and applied when there is one: what is left for the worker. A failed read is left to the
/// worker, which reports it.
fn first_headlines(
    state: &mut state::State,
    store: Option<&crate::store::Store>,
) -> Vec<effect::Effect> {
    let mut effects = Vec::new();
    for effect in update::init(state) {
        match (&effect, store) {
            (effect::Effect::LoadList(request), Some(store)) => {
                match worker::load_window(store, request) {
                    Ok(window) => {
                        effects.extend(update::update(state, action::Action::ListLoaded(window)))
                    }
                    Err(_) => effects.push(effect),
                }
            }
            _ => effects.push(effect),
        }
    }
    effects
}

/// The first headlines were read on the write connection, whose page cache (16 MB at most)
/// then kept the pages of that read for the whole session beside the readers' copies: 1.6 MB
/// more resident at 3,000 feeds. Once the cache has let them go, hand glibc's free pages back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_freed_memory() {
    // SAFETY: malloc_trim only releases free memory of glibc's heaps; it takes no pointer.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_freed_memory() {}

/// How long the loop has, after a stop signal, to leave by its normal way out.
const STUCK_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// The way out when the loop cannot take it. Once its terminal is gone, crossterm's event
/// source retries a read that fails (EIO) or returns nothing at once, without yielding: the
/// loop's task then never reaches the signal that asks it to stop, and the process would
/// spin forever (a closed terminal window left a kiosque at 100 % CPU about one time in
/// twelve). This runs on another worker thread: after a stop signal it waits
/// [`STUCK_GRACE`] (the normal way out aborts it first), then removes what must not be left
/// behind and ends the process. The store's writes are transactions: an exit mid-way loses
/// none that were committed.
async fn exit_if_stuck(mut signals: terminal::StopSignals, remove: Option<PathBuf>) {
    let signal = signals.recv().await;
    tokio::time::sleep(STUCK_GRACE).await;
    tracing::warn!("{signal}: the TUI loop did not stop within {STUCK_GRACE:?}; leaving now");
    if let Some(dir) = remove
        && let Err(e) = std::fs::remove_dir_all(&dir)
    {
        tracing::warn!("could not remove {}: {e}", dir.display());
    }
    std::process::exit(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_headlines_are_read_from_the_open_store_and_the_rest_is_left_to_the_worker() {
        let mut store = crate::store::Store::open_in_memory().unwrap();
        store.add_test_feed("https://example.org/feed", 3).unwrap();

        let mut state = fixtures::empty_state((120, 40));
        let effects = first_headlines(&mut state, Some(&store));
        assert!(state.list.loaded, "the headlines were not applied");
        assert_eq!(state.list.rows.len(), 3);
        assert!(
            !effects
                .iter()
                .any(|e| matches!(e, effect::Effect::LoadList(_))),
            "the headlines were asked of the worker again: {effects:?}"
        );
        assert!(effects.contains(&effect::Effect::LoadFeeds));

        // Without a store (the demo opens its own on the store thread) the worker reads them.
        let mut state = fixtures::empty_state((120, 40));
        let effects = first_headlines(&mut state, None);
        assert!(!state.list.loaded);
        assert!(matches!(effects.first(), Some(effect::Effect::LoadList(_))));
    }
}

//! The loop: terminal events, worker messages and a tick go through `update`; all ready
//! messages are drained before one draw, and only when something changed.

use std::io::Write;
use std::time::Duration;

use crossterm::event::{Event, MouseButton, MouseEventKind};
use futures_util::{FutureExt, Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::clock::Clock;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::keymap::Keymap;
use crate::tui::state::State;
use crate::tui::terminal::osc52;
use crate::tui::update::update;
use crate::tui::view;
use crate::tui::worker::Worker;

/// How often time advances (spinner, ages, the refresh timer).
const TICK: Duration = Duration::from_millis(250);

/// What the loop needs besides the state.
pub struct LoopParts<'a, W: Worker> {
    pub keymap: &'a Keymap,
    pub worker: &'a mut W,
    pub actions: &'a mut UnboundedReceiver<Action>,
    pub clock: &'a dyn Clock,
    /// Where OSC 52 clipboard sequences go (the terminal's stdout).
    pub clipboard: &'a mut dyn Write,
}

/// The terminal event as an action, if it means anything.
pub fn event_action(keymap: &Keymap, state: &State, event: Event) -> Option<Action> {
    match event {
        Event::Key(key) => keymap.action(state.mode, &key),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                column: mouse.column,
                row: mouse.row,
            }),
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => Some(Action::Wheel {
                column: mouse.column,
                row: mouse.row,
                down: mouse.kind == MouseEventKind::ScrollDown,
            }),
            _ => None,
        },
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        Event::Paste(text) if state.mode == crate::tui::state::Mode::Search => text
            .chars()
            .find(|c| !c.is_control())
            .map(Action::SearchInput),
        _ => None,
    }
}

fn apply<W: Worker>(state: &mut State, parts: &mut LoopParts<'_, W>, action: Action) {
    for effect in update(state, action) {
        dispatch(parts, effect);
    }
}

fn dispatch<W: Worker>(parts: &mut LoopParts<'_, W>, effect: Effect) {
    match effect {
        Effect::CopyToClipboard(url) => {
            let _ = parts.clipboard.write_all(osc52(&url).as_bytes());
            let _ = parts.clipboard.flush();
        }
        other => parts.worker.submit(other),
    }
}

/// Run until the user quits or the event stream ends, the start-up's work (`update::init`)
/// already done in part: `effects` is what is left of it (all of `init`'s effects when
/// nothing was done), and `headlines_drawn` says the first headlines are on the screen.
pub async fn run_loop_from<B, E, W>(
    terminal: &mut Terminal<B>,
    state: &mut State,
    mut events: E,
    mut parts: LoopParts<'_, W>,
    effects: Vec<Effect>,
    mut headlines_drawn: bool,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
    W: Worker,
{
    // Only the headline window is asked for before the first screen: the feed counts and a
    // refresh on start grow with the number of feeds and would compete with it for the CPU
    // and the store thread. They go out once the loop has woken for the first time (the
    // headlines, a key or an error), or at once when the headlines are drawn already.
    let mut deferred = Vec::new();
    for effect in effects {
        if headlines_drawn || matches!(effect, Effect::LoadList(_)) {
            dispatch(&mut parts, effect);
        } else {
            deferred.push(effect);
        }
    }
    if state.dirty || !headlines_drawn {
        terminal.draw(|frame| view::render(frame, state))?;
        state.dirty = false;
    }
    // The first headlines are drawn as soon as they arrive, before whatever else is waiting
    // (feed counts, keys): those grow with the number of feeds, the first screen must not.
    // The first tick one period from now (not at once): the loop's first wake is then the
    // headlines (or a key), which releases the deferred work; a store slower than a tick
    // releases it at the first tick.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + TICK, TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            // Worker answers first: they were caused by earlier input, and handling them
            // before the next key keeps the order a user would expect.
            biased;
            Some(action) = parts.actions.recv() => apply(state, &mut parts, action),
            event = events.next() => match event {
                Some(Ok(event)) => {
                    if let Some(action) = event_action(parts.keymap, state, event) {
                        apply(state, &mut parts, action);
                    }
                }
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            _ = tick.tick() => {
                let now = parts.clock.now();
                apply(state, &mut parts, Action::Tick(now));
            }
        }
        // Drain everything already waiting, then draw once.
        loop {
            if !headlines_drawn && state.list.loaded {
                break;
            }
            let mut progressed = false;
            while let Ok(action) = parts.actions.try_recv() {
                apply(state, &mut parts, action);
                progressed = true;
                if !headlines_drawn && state.list.loaded {
                    break;
                }
            }
            if let Some(Some(Ok(event))) = events.next().now_or_never() {
                if let Some(action) = event_action(parts.keymap, state, event) {
                    apply(state, &mut parts, action);
                }
                progressed = true;
            }
            if !progressed || state.quit {
                break;
            }
        }
        if state.quit {
            break;
        }
        if state.dirty {
            terminal.draw(|frame| view::render(frame, state))?;
            state.dirty = false;
        }
        if !headlines_drawn && state.list.loaded {
            headlines_drawn = true;
            crate::startup::mark("first headlines");
            if let Some(report) = crate::startup::take_report() {
                tracing::info!("first screen: {report}");
            }
        }
        for effect in deferred.drain(..) {
            dispatch(&mut parts, effect);
        }
    }
    Ok(())
}

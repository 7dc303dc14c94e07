//! Per-frame times of a 100,000-item list scrolled end to end (issue 12: no frame over 8 ms):
//! `cargo run --release --example scroll_frames -- [ITEMS] [FEEDS]`.
//!
//! One frame is one key through `update`, the store work it asks for done at once on this
//! thread (the real TUI pages windows in on its store thread, so this is the worse case), and
//! a draw into a 140x40 `TestBackend`. Walks the list with `j` from the top to the bottom,
//! then with `PgUp` back to the top, then `G`/`g` ten times; prints count, median, p99 and
//! max per walk, and how many frames took over 8 ms.

use std::time::{Duration, Instant};

use kiosque::store::Store;
use kiosque::tui::action::Action;
use kiosque::tui::fixtures;
use kiosque::tui::state::State;
use kiosque::tui::update::{init, update};
use kiosque::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "support/synthetic_store.rs"]
mod synthetic_store;
use synthetic_store::{fill_synthetic, settle};

struct Walk {
    name: &'static str,
    frames: Vec<Duration>,
}

impl Walk {
    fn report(&mut self) {
        self.frames.sort();
        let n = self.frames.len();
        let at = |q: f64| self.frames[((n as f64 - 1.0) * q).round() as usize];
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let over = self
            .frames
            .iter()
            .filter(|d| **d > Duration::from_millis(8))
            .count();
        println!(
            "| {} | {n} | {:.3} | {:.3} | {:.3} | {over} |",
            self.name,
            ms(at(0.5)),
            ms(at(0.99)),
            ms(at(1.0)),
        );
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let items: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let feeds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(50);
    anyhow::ensure!(feeds > 0 && items > 0, "ITEMS and FEEDS must be at least 1");
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&dir.path().join("kiosque.db"))?;
    fill_synthetic(&mut store, items, feeds)?;
    let (width, height) = (140, 40);
    let mut state = fixtures::empty_state((width, height));
    state.settings.refresh_on_start = false;
    let effects = init(&mut state);
    settle(&store, &mut state, effects)?;
    let mut terminal = Terminal::new(TestBackend::new(width, height))?;
    terminal.draw(|f| view::render(f, &state))?;
    let mut frame = |state: &mut State, action: Action| -> anyhow::Result<Duration> {
        let started = Instant::now();
        let effects = update(state, action);
        settle(&store, state, effects)?;
        terminal.draw(|f| view::render(f, state))?;
        Ok(started.elapsed())
    };
    println!("{items} items over {feeds} feeds, {width}x{height}, one frame = key + store + draw");
    println!("| walk | frames | median ms | p99 ms | max ms | frames over 8 ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut down = Walk {
        name: "j, top to bottom",
        frames: Vec::new(),
    };
    while state.list.selected + 1 < state.list.total {
        down.frames.push(frame(&mut state, Action::MoveDown)?);
    }
    down.report();
    let mut up = Walk {
        name: "PgUp, bottom to top",
        frames: Vec::new(),
    };
    while state.list.selected > 0 {
        up.frames.push(frame(&mut state, Action::PageUp)?);
    }
    up.report();
    let mut jumps = Walk {
        name: "G / g",
        frames: Vec::new(),
    };
    for i in 0..20 {
        let action = if i % 2 == 0 {
            Action::Bottom
        } else {
            Action::Top
        };
        jumps.frames.push(frame(&mut state, action)?);
    }
    jumps.report();
    Ok(())
}

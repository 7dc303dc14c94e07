//! Per-frame times of a 100,000-item list scrolled end to end (issue 12: no frame over 8 ms):
//! `cargo run --release --example scroll_frames -- [ITEMS] [FEEDS]`.
//!
//! One frame is one key through `update`, the store work it asks for done at once on this
//! thread (the real TUI pages windows in on its store thread, so this is the worse case), and
//! a draw into a 140x40 `TestBackend`. Walks the list with `j` from the top to the bottom,
//! then with `PgUp` back to the top, then `G`/`g` ten times; prints count, median, p99 and
//! max per walk, and how many frames took over 8 ms; then the same for the CPU time this
//! thread used per frame (`CLOCK_THREAD_CPUTIME_ID`), which a loaded machine does not
//! inflate with time spent waiting for a CPU; then the wall time less the store work, which
//! is what the real TUI's UI thread spends per frame.

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
    /// CPU time of each frame (empty where the kernel does not say).
    cpu: Vec<Duration>,
    /// The frame less its store work: what the real TUI's UI thread does (it pages windows
    /// in on its store thread and draws the rows it has meanwhile).
    ui: Vec<Duration>,
}

/// One frame's times: wall, CPU (if known), and the wall time less the store work.
type FrameTimes = (Duration, Option<Duration>, Duration);

/// CPU time this thread has used so far, if the system says.
fn thread_cpu() -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the duration of the call.
    let done = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    (done == 0).then(|| {
        Duration::new(
            u64::try_from(now.tv_sec).unwrap_or(0),
            u32::try_from(now.tv_nsec).unwrap_or(0),
        )
    })
}

impl Walk {
    fn new(name: &'static str) -> Walk {
        Walk {
            name,
            frames: Vec::new(),
            cpu: Vec::new(),
            ui: Vec::new(),
        }
    }

    fn add(&mut self, (wall, cpu, ui): FrameTimes) {
        self.frames.push(wall);
        self.cpu.extend(cpu);
        self.ui.push(ui);
    }

    fn report(&mut self) {
        report_row(self.name, "wall", &mut self.frames);
        if self.cpu.len() == self.frames.len() {
            report_row(self.name, "CPU", &mut self.cpu);
        }
        report_row(self.name, "wall, UI thread only", &mut self.ui);
    }
}

fn report_row(name: &str, clock: &str, frames: &mut [Duration]) {
    frames.sort();
    let n = frames.len();
    if n == 0 {
        return;
    }
    let at = |q: f64| frames[((n as f64 - 1.0) * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let over = frames
        .iter()
        .filter(|d| **d > Duration::from_millis(8))
        .count();
    println!(
        "| {name} | {clock} | {n} | {:.3} | {:.3} | {:.3} | {over} |",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0)),
    );
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
    let mut frame = |state: &mut State, action: Action| -> anyhow::Result<FrameTimes> {
        let cpu_before = thread_cpu();
        let started = Instant::now();
        let effects = update(state, action);
        let store_started = Instant::now();
        settle(&store, state, effects)?;
        let store_work = store_started.elapsed();
        terminal.draw(|f| view::render(f, state))?;
        let wall = started.elapsed();
        let cpu = cpu_before
            .zip(thread_cpu())
            .map(|(a, b)| b.saturating_sub(a));
        Ok((wall, cpu, wall.saturating_sub(store_work)))
    };
    println!("{items} items over {feeds} feeds, {width}x{height}, one frame = key + store + draw");
    println!("| walk | clock | frames | median ms | p99 ms | max ms | frames over 8 ms |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    let mut down = Walk::new("j, top to bottom");
    while state.list.selected + 1 < state.list.total {
        down.add(frame(&mut state, Action::MoveDown)?);
    }
    down.report();
    let mut up = Walk::new("PgUp, bottom to top");
    while state.list.selected > 0 {
        up.add(frame(&mut state, Action::PageUp)?);
    }
    up.report();
    let mut jumps = Walk::new("G / g");
    for action in [Action::Bottom, Action::Top].into_iter().cycle().take(20) {
        jumps.add(frame(&mut state, action)?);
    }
    jumps.report();
    Ok(())
}

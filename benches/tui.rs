//! TUI cost with 100, 10,000 and 100,000 items in an on-disk store: time to the first frame
//! (open the store, load feeds and the first window, draw) and per keypress (update, page a
//! window in from the store when needed, draw), drawing into a 140x40 `TestBackend`.
//!
//! Run: `cargo bench --bench tui` (targets: first frame ≤ 25 ms, keypress ≤ 2 ms at 100,000).
//! `first_headlines` is the frame with the headline window only (the store thread answers
//! that first); `first_frame` also waits for the feed counts and the unread total.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use kiosque::store::{NewFeed, Store};
use kiosque::tui::action::Action;
use kiosque::tui::effect::Effect;
use kiosque::tui::fixtures;
use kiosque::tui::update::{init, update};
use kiosque::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "../examples/support/synthetic_store.rs"]
mod synthetic_store;
use synthetic_store::settle;

const SIZES: [usize; 3] = [100, 10_000, 100_000];

fn fill(dir: &Path, n: usize) -> std::path::PathBuf {
    let path = dir.join(format!("bench-{n}.db"));
    let mut store = Store::open(&path).unwrap();
    let feed = store
        .add_feed(
            &NewFeed {
                url: "http://127.0.0.1/feed.xml".into(),
                title: Some("Bench feed".into()),
                ..NewFeed::default()
            },
            chrono::Utc::now(),
        )
        .unwrap();
    store.insert_test_items(feed, n).unwrap();
    path
}

/// Open the store, run the start-up effects, draw. Without `with_feeds`, only the headline
/// window (what the store thread answers first; the feed counts follow it).
fn first_frame(path: &Path, with_feeds: bool) -> Terminal<TestBackend> {
    let store = Store::open(path).unwrap();
    let mut state = fixtures::empty_state((140, 40));
    state.settings.refresh_on_start = false;
    let mut effects = init(&mut state);
    if !with_feeds {
        effects.retain(|e| matches!(e, Effect::LoadList(_)));
    }
    settle(&store, &mut state, effects).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(140, 40)).unwrap();
    terminal.draw(|f| view::render(f, &state)).unwrap();
    terminal
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("tui");
    group.sample_size(30);
    for n in SIZES {
        let path = fill(dir.path(), n);
        group.bench_with_input(BenchmarkId::new("first_frame", n), &path, |b, path| {
            b.iter(|| black_box(first_frame(path, true)))
        });
        group.bench_with_input(BenchmarkId::new("first_headlines", n), &path, |b, path| {
            b.iter(|| black_box(first_frame(path, false)))
        });

        let store = Store::open(&path).unwrap();
        let mut state = fixtures::empty_state((140, 40));
        state.settings.refresh_on_start = false;
        let effects = init(&mut state);
        settle(&store, &mut state, effects).unwrap();
        let mut terminal = Terminal::new(TestBackend::new(140, 40)).unwrap();
        // `j` walks down the list, paging windows in as it goes; back to the top at the end.
        group.bench_function(BenchmarkId::new("keypress_j", n), |b| {
            b.iter(|| {
                let action = if state.list.selected + 1 >= state.list.total {
                    Action::Top
                } else {
                    Action::MoveDown
                };
                let effects = update(&mut state, action);
                settle(&store, &mut state, effects).unwrap();
                terminal.draw(|f| view::render(f, &state)).unwrap();
            })
        });
        // `G` / `g` alternately: every press needs a window from the far end of the list.
        let mut bottom = true;
        group.bench_function(BenchmarkId::new("keypress_G_g", n), |b| {
            b.iter(|| {
                let effects = update(
                    &mut state,
                    if bottom { Action::Bottom } else { Action::Top },
                );
                bottom = !bottom;
                settle(&store, &mut state, effects).unwrap();
                terminal.draw(|f| view::render(f, &state)).unwrap();
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

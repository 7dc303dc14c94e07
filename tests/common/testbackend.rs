//! The TUI without a terminal for snapshot and theme tests: a fixture state through `init`
//! and the loads it asks for, drawn on a ratatui `TestBackend`. Included with
//! `#[path = "common/testbackend.rs"] mod testbackend;`.

#![allow(dead_code, reason = "each test uses a different part of the helper")]

use kiosque::model::Feed;
use kiosque::tui::action::Action;
use kiosque::tui::effect::Effect;
pub use kiosque::tui::fixtures::answer_list;
use kiosque::tui::fixtures::rows;
use kiosque::tui::state::State;
use kiosque::tui::update::{init, update};
use kiosque::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// `state` drawn on a `TestBackend` of its own size.
pub fn draw(state: &State) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(state.size.0, state.size.1)).unwrap();
    terminal.draw(|frame| view::render(frame, state)).unwrap();
    terminal
}

/// Start `state` (`init`) and answer what it asks for: `feeds` with `unread_total`, then the
/// first window of a list of `total` fixture headlines with `selected` selected.
pub fn start_and_load(
    state: &mut State,
    feeds: Vec<Feed>,
    unread_total: i64,
    total: usize,
    selected: Option<usize>,
) {
    let generation = list_generation(&init(state));
    update(
        state,
        Action::FeedsLoaded {
            feeds,
            unread_total,
        },
    );
    answer_list(state, generation, rows(0, total), selected);
}

/// The page layout `effects` ask for, done as the worker does it and handed to `update`.
pub fn lay_out(state: &mut State, page: u64, effects: &[Effect]) {
    let (width, doc) = effects
        .iter()
        .find_map(|e| match e {
            Effect::RenderPage { width, doc, .. } => Some((*width, doc)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no layout asked for in {effects:?}"));
    let lines = kiosque::tui::reader_layout::layout_page(doc, width);
    update(state, Action::PageRendered { page, width, lines });
}

/// The generation of the headline list that `effects` ask to load.
pub fn list_generation(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadList { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap()
}

/// The reader page whose item `effects` ask to load.
pub fn item_page(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadItem { page, .. } => Some(*page),
            _ => None,
        })
        .unwrap()
}

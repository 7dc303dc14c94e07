//! The TUI without a terminal for snapshot and theme tests: a state drawn on a ratatui
//! `TestBackend`, and the page layouts and item loads its effects ask for (a fixture state
//! through `init` is `kiosque::tui::fixtures::start_and_load`). Included with
//! `#[path = "common/testbackend.rs"] mod testbackend;`.

#![allow(dead_code, reason = "each test uses a different part of the helper")]

use kiosque::tui::action::Action;
use kiosque::tui::effect::Effect;
use kiosque::tui::state::State;
use kiosque::tui::update::update;
use kiosque::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// `state` drawn on a `TestBackend` of its own size.
pub fn draw(state: &State) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(state.size.0, state.size.1)).unwrap();
    terminal.draw(|frame| view::render(frame, state)).unwrap();
    terminal
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

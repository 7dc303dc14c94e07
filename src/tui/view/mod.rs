//! Drawing: `render(&State)` only. No SQL, no HTML work here: the reader's lines were laid
//! out by the worker, the headline window was paged in by it.

pub mod feeds;
pub mod headlines;
pub mod help;
pub mod hyperlink;
pub mod reader;
pub mod status;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::Rect;

pub use crate::tui::geometry::{Areas, WIDE, inner, layout, layout_for, screen};
use crate::tui::state::State;

/// Blank `area` for a popup drawn over the panes. A wide (CJK) character just left of it
/// would otherwise cover the popup's left border: the terminal draws it two columns wide,
/// and the screen diff skips the border cell it spills onto. It is blanked with the area.
pub fn clear_popup(frame: &mut Frame, area: Rect) {
    frame.render_widget(ratatui::widgets::Clear, area);
    if area.x == 0 {
        return;
    }
    let buffer = frame.buffer_mut();
    for y in area.top()..area.bottom() {
        if let Some(cell) = buffer.cell_mut((area.x - 1, y))
            && crate::text::display_width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

/// Draw the whole screen.
pub fn render(frame: &mut Frame, state: &State) {
    let areas = layout(frame.area(), state);
    if let Some(rect) = areas.feeds {
        feeds::render(frame, rect, state);
    }
    headlines::render(frame, areas.headlines, state);
    if let Some(rect) = areas.reader {
        reader::render(frame, rect, state);
    }
    status::render(frame, areas.status, state);
    match state.mode {
        crate::tui::state::Mode::Help => help::render(frame, frame.area(), state),
        crate::tui::state::Mode::Links => reader::render_link_list(frame, frame.area(), state),
        _ => {}
    }
    state.settings.theme.finish(frame.buffer_mut());
}

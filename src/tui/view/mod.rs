//! Drawing: `render(&State)` only. No SQL, no HTML work here: the reader's lines were laid
//! out by the worker, the headline window was paged in by it.

pub mod feeds;
pub mod headlines;
pub mod help;
pub mod reader;
pub mod status;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::state::State;

/// From this width on, headlines and reader sit side by side.
pub const WIDE: u16 = 120;

/// Where each pane goes. Shared by `render` and `update` (clicks, page sizes, wrap width).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub feeds: Option<Rect>,
    pub headlines: Rect,
    pub reader: Option<Rect>,
    pub status: Rect,
}

/// Split the screen for this state.
pub fn layout(area: Rect, state: &State) -> Areas {
    layout_for(area, state.show_feeds, !state.pages.is_empty())
}

/// Split the screen: with or without the sidebar, with or without an open article.
pub fn layout_for(area: Rect, show_feeds: bool, reader_open: bool) -> Areas {
    let [main, status] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let (feeds, rest) = if show_feeds {
        let width = (main.width / 4).clamp(16.min(main.width), 32);
        let [f, r] =
            Layout::horizontal([Constraint::Length(width), Constraint::Fill(1)]).areas(main);
        (Some(f), r)
    } else {
        (None, main)
    };
    let (headlines, reader) = if area.width >= WIDE {
        let [h, r] = Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
            .areas(rest);
        (h, Some(r))
    } else if reader_open {
        let top = (rest.height * 2 / 5).max(5.min(rest.height));
        let [h, r] = Layout::vertical([Constraint::Length(top), Constraint::Fill(1)]).areas(rest);
        (h, Some(r))
    } else {
        (rest, None)
    };
    Areas {
        feeds,
        headlines,
        reader,
        status,
    }
}

/// The inside of a bordered pane.
pub fn inner(rect: Rect) -> Rect {
    Rect {
        x: rect.x.saturating_add(1),
        y: rect.y.saturating_add(1),
        width: rect.width.saturating_sub(2),
        height: rect.height.saturating_sub(2),
    }
}

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

/// The screen area for a state's size.
pub fn screen(state: &State) -> Rect {
    Rect::new(0, 0, state.size.0, state.size.1)
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

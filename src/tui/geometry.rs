//! Screen geometry: where each pane goes for a state and a terminal size. Pure rectangle
//! maths shared by `view` (drawing) and `update` (clicks, page sizes, wrap width).

use ratatui::layout::{Constraint, Layout, Rect};

use crate::text::display_width;
use crate::tui::keymap::HelpRow;
use crate::tui::reader_layout::wrap;
use crate::tui::state::State;

/// From this width on, headlines and reader sit side by side.
pub const WIDE: u16 = 120;

/// Where each pane goes.
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

/// The screen area for a state's size.
pub fn screen(state: &State) -> Rect {
    Rect::new(0, 0, state.size.0, state.size.1)
}

/// The widest the keys column gets (longer key lists are cut).
const MAX_KEY_WIDTH: usize = 14;
/// Columns between two help columns.
pub const HELP_GAP: usize = 2;

/// Where the overlay goes and how its rows are split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLayout {
    pub area: Rect,
    pub columns: usize,
    pub key_width: usize,
    /// Room for a description in one column.
    pub desc_width: usize,
    /// Help rows per column.
    pub rows_per_column: usize,
    /// Text lines in the longest column (rows plus wrapped description lines).
    pub lines: usize,
    /// Text lines shown at once.
    pub visible: usize,
}

impl HelpLayout {
    /// How far the overlay can scroll (0: everything is shown).
    pub fn max_scroll(&self) -> usize {
        self.lines.saturating_sub(self.visible)
    }
}

/// Lay the help overlay out on `screen` (the status line below stays visible).
pub fn help_layout(screen: Rect, help: &[HelpRow]) -> HelpLayout {
    let rows = help.len().max(1);
    let widest_keys = help
        .iter()
        .map(|r| display_width(&r.keys))
        .max()
        .unwrap_or(0);
    let widest_desc = help
        .iter()
        .map(|r| display_width(&r.description))
        .max()
        .unwrap_or(0);
    let room_width = usize::from(screen.width.saturating_sub(2)).max(1);
    let room_rows = usize::from(screen.height.saturating_sub(3)).max(1);
    let key_width = widest_keys.min(MAX_KEY_WIDTH).min(room_width / 2);
    let column_width = key_width + 1 + widest_desc;
    // As many columns as the height needs, as long as each shows its descriptions whole.
    let fit = ((room_width + HELP_GAP) / (column_width + HELP_GAP)).max(1);
    let columns = rows.div_ceil(room_rows).clamp(1, fit);
    let rows_per_column = rows.div_ceil(columns);
    let inner_width = if columns == 1 {
        column_width.min(room_width)
    } else {
        columns * column_width + (columns - 1) * HELP_GAP
    };
    let desc_width = (inner_width / columns)
        .saturating_sub(key_width + 1)
        .min(widest_desc)
        .max(1);
    let lines = help
        .chunks(rows_per_column)
        .map(|chunk| {
            chunk
                .iter()
                .map(|r| wrap(&r.description, desc_width).len())
                .sum::<usize>()
        })
        .max()
        .unwrap_or(1);
    let visible = lines.min(room_rows);
    let width = u16::try_from(inner_width + 2)
        .unwrap_or(u16::MAX)
        .min(screen.width);
    let height = u16::try_from(visible + 2)
        .unwrap_or(u16::MAX)
        .min(screen.height.saturating_sub(1));
    let area = Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height.saturating_sub(1) - height) / 2,
        width,
        height,
    };
    HelpLayout {
        area,
        columns,
        key_width,
        desc_width,
        rows_per_column,
        lines,
        visible,
    }
}

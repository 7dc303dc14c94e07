//! The help overlay, generated from the keymap (so it never drifts from the bindings).
//! Laid out in as many columns as the screen's height needs and its width allows; when the
//! rows do not fit (a small terminal) it is one column, descriptions wrapped, that scrolls.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::text::{display_width, truncate_to_width};
use crate::tui::keymap::HelpRow;
use crate::tui::reader_layout::wrap;
use crate::tui::state::State;
use crate::tui::view::clear_popup;
use crate::tui::view::theme::Theme;

/// The widest the keys column gets (longer key lists are cut).
const MAX_KEY_WIDTH: usize = 14;
/// Columns between two help columns.
const GAP: usize = 2;

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

/// Lay the overlay out on `screen` (the status line below stays visible).
pub fn layout(screen: Rect, help: &[HelpRow]) -> HelpLayout {
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
    let fit = ((room_width + GAP) / (column_width + GAP)).max(1);
    let columns = rows.div_ceil(room_rows).clamp(1, fit);
    let rows_per_column = rows.div_ceil(columns);
    let inner_width = if columns == 1 {
        column_width.min(room_width)
    } else {
        columns * column_width + (columns - 1) * GAP
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

/// One help row as lines: keys, then the description wrapped under itself.
fn row_lines(
    row: &HelpRow,
    key_width: usize,
    desc_width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let keys = truncate_to_width(&row.keys, key_width);
    let pad = " ".repeat(key_width - display_width(&keys) + 1);
    wrap(&row.description, desc_width)
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let text = truncate_to_width(&text, desc_width);
            if i == 0 {
                Line::from(vec![
                    Span::styled(keys.clone(), theme.unread()),
                    Span::raw(pad.clone()),
                    Span::raw(text),
                ])
            } else {
                Line::from(format!("{}{text}", " ".repeat(key_width + 1)))
            }
        })
        .collect()
}

pub fn render(frame: &mut Frame, screen: Rect, state: &State) {
    let layout = layout(screen, &state.help);
    let scroll = state.help_scroll.min(layout.max_scroll());
    let area = layout.area;
    clear_popup(frame, area);
    let title = if layout.max_scroll() > 0 {
        " Keys (j/k scroll, other keys close) "
    } else {
        " Keys (any key closes) "
    };
    let mut block = Block::bordered()
        .title(truncate_to_width(
            title,
            usize::from(area.width.saturating_sub(2)),
        ))
        .border_style(state.settings.theme.border(true));
    if layout.max_scroll() > 0 {
        block = block.title_bottom(format!(
            " {}-{} of {} ",
            scroll + 1,
            scroll + layout.visible,
            layout.lines
        ));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let column_width = layout.key_width + 1 + layout.desc_width;
    for (c, chunk) in state.help.chunks(layout.rows_per_column).enumerate() {
        let lines: Vec<Line> = chunk
            .iter()
            .flat_map(|row| {
                row_lines(
                    row,
                    layout.key_width,
                    layout.desc_width,
                    &state.settings.theme,
                )
            })
            .skip(scroll)
            .take(layout.visible)
            .collect();
        let x = inner.x + u16::try_from(c * (column_width + GAP)).unwrap_or(u16::MAX);
        let column = Rect {
            x,
            y: inner.y,
            width: u16::try_from(column_width)
                .unwrap_or(u16::MAX)
                .min(inner.right().saturating_sub(x)),
            height: inner.height,
        };
        frame.render_widget(Paragraph::new(lines), column);
    }
}

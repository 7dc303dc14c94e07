//! The feeds sidebar: "All", "Unread", "Starred", the saved searches ("/ name", with their
//! unread counts), then each feed with its unread count and a mark when its last fetch
//! failed; feeds with the same title also show their host. Feeds with tags sit in folders
//! (`tui::sidebar` decides the rows), indented under them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::text::{display_width, sanitize_line, truncate_to_width};
use crate::tui::sidebar::SidebarRow;
use crate::tui::state::{Focus, ListSource, State};

/// A feed's name in `width` columns: "title (qualifier)" when it fits; else the title cut so
/// the qualifier (what tells same-titled feeds apart) stays whole; else the qualifier's end.
pub fn fit_feed_label(title: &str, qualifier: Option<&str>, width: usize) -> String {
    let title = sanitize_line(title);
    let Some(qualifier) = qualifier.map(sanitize_line) else {
        return truncate_to_width(&title, width);
    };
    let full = format!("{title} ({qualifier})");
    if display_width(&full) <= width {
        return full;
    }
    let q_width = display_width(&qualifier);
    if width >= q_width + 4 {
        let cut = truncate_to_width(&title, width - q_width - 1);
        return format!("{cut} {qualifier}");
    }
    keep_end(&qualifier, width)
}

/// The end of `s` in at most `width` columns, starting with `…` when it was cut.
fn keep_end(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    if display_width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 1; // the ellipsis
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        tail.push(c);
    }
    std::iter::once('…').chain(tail.into_iter().rev()).collect()
}

/// One row of the sidebar.
struct Entry<'a> {
    name: String,
    qualifier: Option<&'a str>,
    unread: Option<i64>,
    failed: bool,
    /// The list shown now.
    current: bool,
    /// Spaces before the name (a feed inside a folder).
    indent: &'static str,
}

/// The entry drawn for one sidebar row.
fn sidebar_entry<'a>(
    state: &'a State,
    row: SidebarRow,
    source: ListSource,
    virtual_entry: &dyn Fn(&'static str, Option<i64>, ListSource) -> Entry<'a>,
) -> Entry<'a> {
    match row {
        SidebarRow::List(ListSource::Unread) => virtual_entry(
            "Unread",
            Some(state.status.unread_total),
            ListSource::Unread,
        ),
        SidebarRow::List(ListSource::Starred) => {
            virtual_entry("Starred", None, ListSource::Starred)
        }
        SidebarRow::List(ListSource::Smart(i)) => Entry {
            // Each name after a "/" like the search prompt's.
            name: format!(
                "/ {}",
                state.smart_feeds.get(i).map_or("", |s| s.name.as_str())
            ),
            qualifier: None,
            unread: state
                .smart_feeds
                .get(i)
                .map(|s| i64::try_from(s.unread).unwrap_or(i64::MAX)),
            failed: false,
            current: source == ListSource::Smart(i),
            indent: "",
        },
        SidebarRow::List(_) => {
            virtual_entry("All", Some(state.status.unread_total), ListSource::All)
        }
        SidebarRow::Folder {
            name,
            unread,
            collapsed,
            ..
        } => Entry {
            name: format!("{} {name}", if collapsed { "▸" } else { "▾" }),
            qualifier: None,
            unread: Some(unread),
            failed: false,
            current: false,
            indent: "",
        },
        SidebarRow::Feed { index, nested } => {
            let feed = &state.feeds[index];
            Entry {
                name: feed.title.clone(),
                qualifier: state.feed_qualifiers.get(&feed.id).map(String::as_str),
                unread: Some(feed.unread),
                failed: feed.error.is_some(),
                current: source == ListSource::Feed(feed.id),
                indent: if nested { "  " } else { "" },
            }
        }
    }
}

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let block = Block::bordered()
        .title(" Feeds ")
        .border_style(state.settings.theme.border(state.focus == Focus::Feeds));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let height = usize::from(inner.height);
    let source = state.list.query.source;
    let virtual_entry = |name: &'static str, unread: Option<i64>, list: ListSource| Entry {
        name: name.into(),
        qualifier: None,
        unread,
        failed: false,
        current: source == list,
        indent: "",
    };
    // Keep the cursor visible on long feed lists. Only the rows on screen become entries
    // (names, counts): with thousands of feeds, building all of them each frame cost more than
    // drawing.
    let top = state.feed_cursor.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = crate::tui::sidebar::rows(state)
        .into_iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, row)| (i, sidebar_entry(state, row, source, &virtual_entry)))
        .map(|(i, entry)| {
            let count = match entry.unread {
                Some(n) if n > 0 => n.to_string(),
                _ => String::new(),
            };
            let mark = if entry.failed { "!" } else { " " };
            let indent = entry.indent;
            let name_width = width.saturating_sub(display_width(&count) + 2 + indent.len());
            let name = fit_feed_label(&entry.name, entry.qualifier, name_width);
            let gap = width
                .saturating_sub(1 + indent.len() + display_width(&name) + display_width(&count));
            let name_style = if entry.current {
                state.settings.theme.unread()
            } else {
                ratatui::style::Style::new()
            };
            let mut line = Line::from(vec![
                Span::styled(mark, state.settings.theme.error()),
                Span::raw(indent),
                Span::styled(name, name_style),
                Span::raw(" ".repeat(gap)),
                Span::styled(count, state.settings.theme.dim()),
            ]);
            if i == state.feed_cursor && state.focus == Focus::Feeds {
                line = line.style(state.settings.theme.selected());
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn sidebar_text(state: &State, width: u16, height: u16) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("backend");
        terminal
            .draw(|frame| render(frame, frame.area(), state))
            .expect("draw");
        let buffer = terminal.backend().buffer();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn a_long_feed_list_scrolled_far_down_draws_the_rows_around_the_cursor() {
        // Only the rows on screen are built into entries: the window must still be the one
        // that keeps the cursor on its last line, with names, counts and the error mark.
        let mut state = fixtures::empty_state((80, 24));
        state.feeds = (0..2_000)
            .map(|i| {
                let error = (i == 1_500).then_some("HTTP 503");
                fixtures::feed(i + 1, &format!("Feed {i:04}"), i % 7, error)
            })
            .collect();
        state.focus = Focus::Feeds;
        // Three virtual rows (All, Unread, Starred), then the feeds.
        state.feed_cursor = 3 + 1_500;
        let rows = sidebar_text(&state, 30, 12);
        let inner: Vec<&str> = rows[1..11].iter().map(|r| &r[3..r.len() - 3]).collect();
        assert_eq!(inner.len(), 10);
        for (line, i) in inner.iter().zip(1_491..=1_500) {
            let count = match i % 7 {
                0 => String::new(),
                n => n.to_string(),
            };
            let mark = if i == 1_500 { "!" } else { " " };
            let name = format!("Feed {i:04}");
            assert!(
                line.starts_with(&format!("{mark}{name}")) && line.trim_end().ends_with(&count),
                "row for feed {i}: {line:?} in {rows:#?}"
            );
        }
        // At the top, the virtual lists come first.
        state.feed_cursor = 0;
        let rows = sidebar_text(&state, 30, 12);
        assert!(rows[1].contains("All"), "{rows:#?}");
        assert!(rows[4].contains("Feed 0000"), "{rows:#?}");
    }
}

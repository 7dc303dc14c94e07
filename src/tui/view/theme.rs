//! Colours and text styles, and the mapping from the article renderer's styles to ratatui's.

use ratatui::style::{Color, Modifier, Style};

use crate::article::render::SpanStyle;
use crate::tui::state::LineKind;

pub fn border(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}

pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

pub fn unread() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn error() -> Style {
    Style::new().fg(Color::Red)
}

pub fn star() -> Style {
    Style::new().fg(Color::Yellow)
}

pub fn status_bar() -> Style {
    Style::new().bg(Color::DarkGray).fg(Color::White)
}

/// The base style of a reader line kind.
pub fn line_kind(kind: LineKind) -> Style {
    match kind {
        LineKind::Title => Style::new().add_modifier(Modifier::BOLD).fg(Color::White),
        LineKind::Meta => dim(),
        LineKind::Note => Style::new()
            .fg(Color::Yellow)
            .add_modifier(Modifier::ITALIC),
        LineKind::Body => Style::new(),
        LineKind::Section => Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        LineKind::LinkEntry => Style::new().fg(Color::Blue),
    }
}

/// The article renderer's span style as a terminal style.
pub fn span(style: SpanStyle) -> Style {
    let mut out = Style::new();
    if let Some(level) = style.heading {
        out = out.add_modifier(Modifier::BOLD).fg(Color::Cyan);
        if level == 1 {
            out = out.add_modifier(Modifier::UNDERLINED);
        }
    }
    if style.bold {
        out = out.add_modifier(Modifier::BOLD);
    }
    if style.italic {
        out = out.add_modifier(Modifier::ITALIC);
    }
    if style.code {
        out = out.fg(Color::Yellow);
    }
    if style.quote {
        out = out.fg(Color::Gray).add_modifier(Modifier::ITALIC);
    }
    if style.image {
        out = out.fg(Color::Magenta);
    }
    if style.link.is_some() {
        out = out.fg(Color::Blue).add_modifier(Modifier::UNDERLINED);
    }
    out
}

//! Colours and text styles: the dark and light palettes, `[colors]` overrides from the config,
//! `NO_COLOR` (no colour at all: every distinction made with bold, reverse, underline, dim),
//! and the mapping from the article renderer's styles to ratatui's.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style};

use crate::article::render::SpanStyle;
use crate::config::ThemeName;
use crate::tui::state::LineKind;

/// The colour of each role a style plays. Roles, not widgets: `[colors]` overrides them by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// The focused pane's border, headings.
    pub accent: Color,
    /// Unfocused borders, counts, ages, bylines.
    pub muted: Color,
    pub error: Color,
    pub star: Color,
    /// Reader notes and inline code.
    pub note: Color,
    pub link: Color,
    /// The article's title line.
    pub title: Color,
    pub quote: Color,
    pub image: Color,
    pub status_fg: Color,
    pub status_bg: Color,
}

impl Palette {
    /// For a dark terminal background.
    pub const DARK: Palette = Palette {
        accent: Color::Cyan,
        muted: Color::DarkGray,
        error: Color::Red,
        star: Color::Yellow,
        note: Color::Yellow,
        link: Color::Blue,
        title: Color::White,
        quote: Color::Gray,
        image: Color::Magenta,
        status_fg: Color::White,
        status_bg: Color::DarkGray,
    };

    /// For a light background: no white or yellow text, which vanish on white.
    pub const LIGHT: Palette = Palette {
        accent: Color::Blue,
        muted: Color::DarkGray,
        error: Color::Red,
        star: Color::Indexed(130),
        note: Color::Indexed(130),
        link: Color::Blue,
        title: Color::Black,
        quote: Color::DarkGray,
        image: Color::Magenta,
        status_fg: Color::Black,
        status_bg: Color::Gray,
    };

    /// The role names `[colors]` accepts, in the order of the fields.
    pub const ROLES: [&'static str; 11] = [
        "accent",
        "muted",
        "error",
        "star",
        "note",
        "link",
        "title",
        "quote",
        "image",
        "status_fg",
        "status_bg",
    ];

    fn role_mut(&mut self, role: &str) -> Option<&mut Color> {
        Some(match role {
            "accent" => &mut self.accent,
            "muted" => &mut self.muted,
            "error" => &mut self.error,
            "star" => &mut self.star,
            "note" => &mut self.note,
            "link" => &mut self.link,
            "title" => &mut self.title,
            "quote" => &mut self.quote,
            "image" => &mut self.image,
            "status_fg" => &mut self.status_fg,
            "status_bg" => &mut self.status_bg,
            _ => return None,
        })
    }
}

/// A `[colors]` entry that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ThemeError {
    #[error("[colors]: unknown colour role {role:?}; the roles are: {}", Palette::ROLES.join(", "))]
    UnknownRole { role: String },
    #[error(
        "[colors] {role} = {value:?}: not a colour (a name such as \"red\" or \"lightblue\", \"#rrggbb\", or 0–255)"
    )]
    BadColor { role: String, value: String },
}

/// How the TUI draws: a palette, or no colour at all (`NO_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// `None` under `NO_COLOR`.
    palette: Option<Palette>,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            palette: Some(Palette::DARK),
        }
    }
}

/// True when the environment asks for no colour (<https://no-color.org>: set and not empty).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

impl Theme {
    /// The config's `theme` with its `[colors]` overrides, or no colour when `no_color`
    /// (the overrides are still checked, so a mistake shows whatever the environment).
    pub fn new(
        name: ThemeName,
        overrides: &BTreeMap<String, String>,
        no_color: bool,
    ) -> Result<Theme, ThemeError> {
        let mut palette = match name {
            ThemeName::Dark => Palette::DARK,
            ThemeName::Light => Palette::LIGHT,
        };
        for (role, value) in overrides {
            let slot = palette
                .role_mut(role)
                .ok_or_else(|| ThemeError::UnknownRole { role: role.clone() })?;
            *slot = Color::from_str(value.trim()).map_err(|_| ThemeError::BadColor {
                role: role.clone(),
                value: value.clone(),
            })?;
        }
        Ok(Theme {
            palette: (!no_color).then_some(palette),
        })
    }

    /// `style` with the foreground of `role`, or `without` (modifiers) under `NO_COLOR`.
    fn fg(&self, role: impl Fn(&Palette) -> Color, without: Modifier) -> Style {
        match &self.palette {
            Some(p) => Style::new().fg(role(p)),
            None => Style::new().add_modifier(without),
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(|p| p.accent, Modifier::BOLD)
        } else {
            self.fg(|p| p.muted, Modifier::DIM)
        }
    }

    /// The selected row: reverse video in every theme, so it shows without colour too.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn unread(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        self.fg(|p| p.muted, Modifier::DIM)
    }

    pub fn error(&self) -> Style {
        self.fg(|p| p.error, Modifier::BOLD)
    }

    pub fn star(&self) -> Style {
        self.fg(|p| p.star, Modifier::BOLD)
    }

    pub fn status_bar(&self) -> Style {
        match &self.palette {
            Some(p) => Style::new().bg(p.status_bg).fg(p.status_fg),
            None => Style::new().add_modifier(Modifier::REVERSED),
        }
    }

    /// The base style of a reader line kind.
    pub fn line_kind(&self, kind: LineKind) -> Style {
        match kind {
            LineKind::Title => self
                .fg(|p| p.title, Modifier::empty())
                .add_modifier(Modifier::BOLD),
            LineKind::Meta => self.dim(),
            LineKind::Note => self
                .fg(|p| p.note, Modifier::empty())
                .add_modifier(Modifier::ITALIC),
            LineKind::Body => Style::new(),
            LineKind::Section => Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            LineKind::LinkEntry => self.fg(|p| p.link, Modifier::UNDERLINED),
        }
    }

    /// The article renderer's span style as a terminal style.
    pub fn span(&self, style: SpanStyle) -> Style {
        let none = Modifier::empty();
        let mut out = Style::new();
        if let Some(level) = style.heading {
            out = out
                .add_modifier(Modifier::BOLD)
                .patch(self.fg(|p| p.accent, none));
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
            out = out.patch(self.fg(|p| p.note, none));
        }
        if style.quote {
            out = out
                .patch(self.fg(|p| p.quote, none))
                .add_modifier(Modifier::ITALIC);
        }
        if style.image {
            out = out.patch(self.fg(|p| p.image, Modifier::ITALIC));
        }
        if style.link.is_some() {
            out = out
                .patch(self.fg(|p| p.link, none))
                .add_modifier(Modifier::UNDERLINED);
        }
        out
    }

    /// Under `NO_COLOR`, clears any colour left in the drawn frame (a widget default, say).
    /// It matters beyond looks: crossterm honours `NO_COLOR` by writing an empty SGR (`ESC[m`)
    /// for each colour change, which resets every attribute, reverse video included, so one
    /// stray colour in the selected row would hide the selection.
    pub fn finish(&self, buffer: &mut Buffer) {
        if self.palette.is_some() {
            return;
        }
        for cell in &mut buffer.content {
            cell.set_fg(Color::Reset).set_bg(Color::Reset);
        }
    }
}

//! OSC 8 hyperlinks for the links of the reading pane: whether the terminal is known to
//! support them (decided conservatively from its environment: never on an unknown
//! terminal, never inside tmux or screen), the URL made safe to put in the sequence, and
//! the buffer cells wrapped in it after the pane is drawn.

use std::num::NonZeroU16;

use ratatui::buffer::{Buffer, CellDiffOption};
use unicode_width::UnicodeWidthStr;

use crate::config::HyperlinkMode;

/// Longest URL written into a hyperlink; longer ones are shown as text only.
const MAX_URL_BYTES: usize = 2048;

/// The environment variables that identify a terminal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminalEnv {
    pub term: Option<String>,
    pub term_program: Option<String>,
    pub vte_version: Option<String>,
    pub kitty_window_id: Option<String>,
    pub wezterm_executable: Option<String>,
    pub wt_session: Option<String>,
    pub tmux: Option<String>,
    pub sty: Option<String>,
}

impl TerminalEnv {
    /// This process's environment.
    pub fn from_process() -> TerminalEnv {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        TerminalEnv {
            term: var("TERM"),
            term_program: var("TERM_PROGRAM"),
            vte_version: var("VTE_VERSION"),
            kitty_window_id: var("KITTY_WINDOW_ID"),
            wezterm_executable: var("WEZTERM_EXECUTABLE"),
            wt_session: var("WT_SESSION"),
            tmux: var("TMUX"),
            sty: var("STY"),
        }
    }
}

/// Whether the terminal is one known to understand OSC 8: kitty, WezTerm, iTerm2, VS Code,
/// Ghostty, foot, Windows Terminal, VTE ≥ 0.50 (GNOME Terminal, Tilix…). Inside tmux or
/// screen the sequence would reach a multiplexer that may not pass it on: no.
pub fn terminal_supports_osc8(env: &TerminalEnv) -> bool {
    let term = env.term.as_deref().unwrap_or("");
    if env.tmux.is_some()
        || env.sty.is_some()
        || term.starts_with("screen")
        || term.starts_with("tmux")
        || matches!(term, "" | "dumb" | "linux")
    {
        return false;
    }
    if env.kitty_window_id.is_some()
        || term == "xterm-kitty"
        || term == "xterm-ghostty"
        || term.starts_with("foot")
        || env.wezterm_executable.is_some()
        || env.wt_session.is_some()
    {
        return true;
    }
    if matches!(
        env.term_program.as_deref(),
        Some("WezTerm" | "iTerm.app" | "vscode" | "ghostty")
    ) {
        return true;
    }
    env.vte_version
        .as_deref()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .is_some_and(|v| v >= 5000)
}

/// The `hyperlinks` setting applied to this terminal.
pub fn enabled(mode: HyperlinkMode, env: &TerminalEnv) -> bool {
    match mode {
        HyperlinkMode::On => true,
        HyperlinkMode::Off => false,
        HyperlinkMode::Auto => terminal_supports_osc8(env),
    }
}

/// The URL as it may appear inside an OSC 8 sequence: a web URL in its parsed form (spaces,
/// controls and non-ASCII percent-encoded by the parser), then only printable ASCII kept, so
/// nothing from the page can end the sequence early or start another one. `None`: not a web
/// URL, or too long.
pub fn safe_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim())
        .ok()
        .filter(crate::url_safety::is_web)?;
    let safe: String = parsed
        .as_str()
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .collect();
    (safe.len() <= MAX_URL_BYTES).then_some(safe)
}

/// Wrap the cells `x..x + width` of row `y` in a hyperlink to `url` (already made safe with
/// [`safe_url`]). Each cell carries its own open and close sequence, so redrawing any one of
/// them alone stays a link, and its width is forced to what it shows.
pub fn link_cells(buf: &mut Buffer, x: u16, y: u16, width: u16, url: &str) {
    let end = x.saturating_add(width);
    for column in x..end {
        let Some(cell) = buf.cell_mut((column, y)) else {
            break;
        };
        let symbol = cell.symbol();
        let shown = symbol.width();
        // The trailing half of a wide character has no symbol of its own.
        if symbol.is_empty() || shown == 0 {
            continue;
        }
        let wrapped = format!("\u{1b}]8;;{url}\u{1b}\\{symbol}\u{1b}]8;;\u{1b}\\");
        cell.set_symbol(&wrapped);
        if let Some(width) = u16::try_from(shown).ok().and_then(NonZeroU16::new) {
            cell.set_diff_option(CellDiffOption::ForcedWidth(width));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    fn env(pairs: &[(&str, &str)]) -> TerminalEnv {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        TerminalEnv {
            term: get("TERM"),
            term_program: get("TERM_PROGRAM"),
            vte_version: get("VTE_VERSION"),
            kitty_window_id: get("KITTY_WINDOW_ID"),
            wezterm_executable: get("WEZTERM_EXECUTABLE"),
            wt_session: get("WT_SESSION"),
            tmux: get("TMUX"),
            sty: get("STY"),
        }
    }

    #[test]
    fn only_known_terminals_get_hyperlinks() {
        for known in [
            env(&[("TERM", "xterm-kitty")]),
            env(&[("TERM", "xterm-256color"), ("KITTY_WINDOW_ID", "1")]),
            env(&[("TERM", "xterm-256color"), ("TERM_PROGRAM", "WezTerm")]),
            env(&[("TERM", "xterm-256color"), ("TERM_PROGRAM", "iTerm.app")]),
            env(&[("TERM", "xterm-256color"), ("VTE_VERSION", "7600")]),
            env(&[("TERM", "foot")]),
        ] {
            assert!(terminal_supports_osc8(&known), "{known:?}");
        }
        for unknown in [
            env(&[]),
            env(&[("TERM", "xterm-256color")]),
            env(&[("TERM", "xterm")]),
            env(&[("TERM", "linux")]),
            env(&[("TERM", "dumb"), ("TERM_PROGRAM", "WezTerm")]),
            env(&[("TERM", "xterm-256color"), ("VTE_VERSION", "3803")]),
            env(&[
                ("TERM", "xterm-256color"),
                ("TERM_PROGRAM", "Apple_Terminal"),
            ]),
            // A multiplexer between: even a capable terminal gets none.
            env(&[("TERM", "screen-256color"), ("KITTY_WINDOW_ID", "1")]),
            env(&[("TERM", "xterm-kitty"), ("TMUX", "/tmp/tmux-0/default,1,0")]),
        ] {
            assert!(!terminal_supports_osc8(&unknown), "{unknown:?}");
        }
        let plain = env(&[("TERM", "xterm-256color")]);
        assert!(enabled(HyperlinkMode::On, &plain));
        assert!(!enabled(
            HyperlinkMode::Off,
            &env(&[("TERM", "xterm-kitty")])
        ));
        assert!(!enabled(HyperlinkMode::Auto, &plain));
    }

    #[test]
    fn urls_in_the_sequence_are_printable_ascii_web_urls() {
        assert_eq!(
            safe_url("https://x.example/a b/é?q=\u{7}\u{1b}\\").as_deref(),
            Some("https://x.example/a%20b/%C3%A9?q=%07%1B\\")
        );
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("file:///etc/passwd"), None);
        let long = format!("https://x.example/{}", "a".repeat(3000));
        assert_eq!(safe_url(&long), None);
        for hostile in [
            "https://x.example/\u{1b}]8;;https://evil/\u{7}",
            "https://x.example/\u{9c}",
        ] {
            let safe = safe_url(hostile).unwrap();
            assert!(safe.chars().all(|c| c.is_ascii_graphic()), "{safe:?}");
        }
    }

    #[test]
    fn linked_cells_keep_their_widths() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
        buf.set_string(0, 0, "ab日c", ratatui::style::Style::default());
        link_cells(&mut buf, 1, 0, 3, "https://x.example/");
        assert_eq!(buf[(0, 0)].symbol(), "a");
        assert_eq!(
            buf[(1, 0)].symbol(),
            "\u{1b}]8;;https://x.example/\u{1b}\\b\u{1b}]8;;\u{1b}\\"
        );
        assert!(buf[(2, 0)].symbol().contains('日'));
        assert_eq!(
            buf[(2, 0)].diff_option,
            CellDiffOption::ForcedWidth(NonZeroU16::new(2).unwrap())
        );
        assert_eq!(buf[(4, 0)].symbol(), "c");
    }
}

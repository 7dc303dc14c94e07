//! Keys → actions. Every bindable action has a snake_case name, a description (the help
//! overlay is generated from this table) and default keys; the config rebinds by name.

use std::collections::HashMap;
use std::sync::LazyLock;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use thiserror::Error;

use crate::tui::action::Action;
use crate::tui::state::Mode;

/// A bad `[keys]` entry in the config.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeymapError {
    #[error(
        "config line {line}: unknown action '{name}' in [keys]; the actions are: {}",
        action_names()
    )]
    UnknownAction { name: String, line: usize },
    #[error(
        "config line {line}: key '{key}' for '{action}' is not a key name ({reason}); write e.g. \"j\", \"ctrl-r\", \"shift-tab\", \"pgdn\", \"space\""
    )]
    BadKey {
        key: String,
        action: String,
        line: usize,
        reason: String,
    },
}

/// Every action name `[keys]` accepts, comma-separated (for error messages).
pub fn action_names() -> String {
    BINDINGS
        .iter()
        .map(|b| b.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One bindable action: its config name, what the help says, its default keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub defaults: Vec<&'static str>,
}

/// The default keys: `assets/keys.toml` is their one home (the help, the keymap and the
/// documented defaults all come from it).
pub const KEYS_TOML: &str = include_str!("../../assets/keys.toml");

/// Every bindable action, in the order the help lists them, read once from [`KEYS_TOML`].
pub static BINDINGS: LazyLock<Vec<BindingSpec>> = LazyLock::new(|| parse_bindings(KEYS_TOML));

/// The `[keys]` lines of keys.toml: `name = ["key", ...]   # description`. Key names hold no
/// quote, comma or `#` (a test compares this reading with a TOML parser's).
fn parse_bindings(text: &'static str) -> Vec<BindingSpec> {
    let mut in_keys = false;
    let mut specs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_keys = line == "[keys]";
            continue;
        }
        if !in_keys || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, rest)) = line.split_once('=') else {
            continue;
        };
        let Some((list, description)) = rest.split_once(']') else {
            continue;
        };
        let defaults = list
            .trim()
            .trim_start_matches('[')
            .split(',')
            .map(|k| k.trim().trim_matches('"'))
            .filter(|k| !k.is_empty())
            .collect();
        specs.push(BindingSpec {
            name: name.trim(),
            description: description.trim().trim_start_matches('#').trim(),
            defaults,
        });
    }
    specs
}

/// The action a binding name stands for.
pub fn action_by_name(name: &str) -> Option<Action> {
    Some(match name {
        "move_down" => Action::MoveDown,
        "move_up" => Action::MoveUp,
        "top" => Action::Top,
        "bottom" => Action::Bottom,
        "open" => Action::Open,
        "switch_pane" => Action::SwitchPane,
        "page_down" => Action::PageDown,
        "page_up" => Action::PageUp,
        "scroll_down" => Action::ScrollDown,
        "scroll_up" => Action::ScrollUp,
        "next_unread" => Action::NextUnread,
        "prev_unread" => Action::PrevUnread,
        "toggle_read" => Action::ToggleRead,
        "toggle_star" => Action::ToggleStar,
        "mark_all_read" => Action::MarkAllRead,
        "undo" => Action::Undo,
        "refresh_all" => Action::RefreshAll,
        "refresh_feed" => Action::RefreshFeed,
        "search" => Action::Search,
        "save_search" => Action::SaveSearch,
        "clear" => Action::Clear,
        "open_in_browser" => Action::OpenInBrowser,
        "copy_url" => Action::CopyUrl,
        "play_media" => Action::PlayMedia,
        "list_links" => Action::ListLinks,
        "back" => Action::Back,
        "toggle_feeds" => Action::ToggleFeeds,
        "hide_read_feeds" => Action::ToggleReadFeeds,
        "sort_feeds" => Action::ToggleFeedSort,
        "add_feed" => Action::AddFeed,
        "remove_feed" => Action::RemoveFeed,
        "rename_feed" => Action::RenameFeed,
        "edit_feed_tags" => Action::EditFeedTags,
        "toggle_feed_extract" => Action::ToggleFeedExtract,
        "help" => Action::ToggleHelp,
        "quit" => Action::Quit,
        "exit" => Action::Exit,
        other => {
            let n: u8 = other.strip_prefix("follow_related_")?.parse().ok()?;
            if !(1..=9).contains(&n) {
                return None;
            }
            Action::FollowRelated(n)
        }
    })
}

/// A key with its modifiers, normalised so that config names and terminal events compare
/// equal (shift is folded into the character; ctrl letters are lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyPress {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeyPress {
    /// Normalise a terminal key event.
    pub fn from_event(event: &KeyEvent) -> KeyPress {
        Self::normalised(event.code, event.modifiers)
    }

    fn normalised(code: KeyCode, modifiers: KeyModifiers) -> KeyPress {
        let mut modifiers =
            modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) => {
                modifiers.remove(KeyModifiers::SHIFT);
                if modifiers.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        KeyPress { code, modifiers }
    }

    /// The canonical name ("ctrl-r", "shift-tab", "pgdn", "A").
    pub fn name(&self) -> String {
        let mut out = String::new();
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            out.push_str("ctrl-");
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            out.push_str("alt-");
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            out.push_str("shift-");
        }
        let base = match self.code {
            KeyCode::Char(c) if c != ' ' => c.to_string(),
            KeyCode::F(n) => format!("f{n}"),
            code => KEY_NAMES
                .iter()
                .find(|(named, _)| *named == code)
                .map_or_else(
                    || format!("{code:?}").to_lowercase(),
                    |(_, names)| names[0].to_string(),
                ),
        };
        out.push_str(&base);
        out
    }
}

/// Keys with names: the first is the one [`KeyPress::name`] gives (for a key other than a
/// character, or space), every one is accepted in the config.
const KEY_NAMES: &[(KeyCode, &[&str])] = &[
    (KeyCode::Char(' '), &["space", "spc"]),
    (KeyCode::Enter, &["enter", "return", "ret", "cr"]),
    (KeyCode::Esc, &["esc", "escape"]),
    (KeyCode::Tab, &["tab"]),
    (KeyCode::BackTab, &["shift-tab", "backtab"]),
    (KeyCode::Backspace, &["backspace", "bs"]),
    (KeyCode::Delete, &["delete", "del"]),
    (KeyCode::Insert, &["insert", "ins"]),
    (KeyCode::Up, &["up"]),
    (KeyCode::Down, &["down"]),
    (KeyCode::Left, &["left"]),
    (KeyCode::Right, &["right"]),
    (KeyCode::Home, &["home"]),
    (KeyCode::End, &["end"]),
    (KeyCode::PageUp, &["pgup", "pageup"]),
    (KeyCode::PageDown, &["pgdn", "pgdown", "pagedown"]),
    (KeyCode::Char('-'), &["minus"]),
    (KeyCode::Char('<'), &["lt"]),
    (KeyCode::Char('>'), &["gt"]),
];

/// Parse a key name: "j", "G", "?", "ctrl-r", "alt-x", "shift-tab", "pgdn", "space", "f5"…
pub fn parse_key(name: &str) -> Result<KeyPress, String> {
    if name.is_empty() {
        return Err("empty".into());
    }
    // Each modifier's prefix, long and short.
    const PREFIXES: [(&str, &str, KeyModifiers); 3] = [
        ("ctrl-", "c-", KeyModifiers::CONTROL),
        ("alt-", "m-", KeyModifiers::ALT),
        ("shift-", "s-", KeyModifiers::SHIFT),
    ];
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = name;
    // A lone "-" is the minus key, not a separator.
    while rest.chars().count() > 1 {
        let lower = rest.to_ascii_lowercase();
        let Some((left, modifier)) = PREFIXES.iter().find_map(|(long, short, modifier)| {
            let r = lower
                .strip_prefix(long)
                .or_else(|| lower.strip_prefix(short));
            r.map(|r| (r.len(), *modifier))
        }) else {
            break;
        };
        modifiers |= modifier;
        rest = &rest[rest.len() - left..];
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => {
            if modifiers.contains(KeyModifiers::SHIFT) && c.is_ascii_alphabetic() {
                KeyCode::Char(c.to_ascii_uppercase())
            } else {
                KeyCode::Char(c)
            }
        }
        _ => {
            let lower = rest.to_ascii_lowercase();
            match KEY_NAMES
                .iter()
                .find(|(_, names)| names.contains(&lower.as_str()))
            {
                Some((code, _)) => *code,
                None => match lower.strip_prefix('f').map(str::parse::<u8>) {
                    Some(Ok(n)) if (1..=24).contains(&n) => KeyCode::F(n),
                    _ => return Err(format!("unknown key '{rest}'")),
                },
            }
        }
    };
    Ok(KeyPress::normalised(code, modifiers))
}

/// Parse the keys bound to `action` (from config line `line`; 0 for the defaults).
fn parse_keys<S: AsRef<str>>(
    keys: &[S],
    action: &str,
    line: usize,
) -> Result<Vec<KeyPress>, KeymapError> {
    keys.iter()
        .map(|key| {
            parse_key(key.as_ref()).map_err(|reason| KeymapError::BadKey {
                key: key.as_ref().into(),
                action: action.into(),
                line,
                reason,
            })
        })
        .collect()
}

/// One row of the help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    pub keys: String,
    pub description: String,
}

/// The effective key bindings (defaults with the config's overrides).
#[derive(Debug, Clone)]
pub struct Keymap {
    map: HashMap<KeyPress, Action>,
    help: Vec<HelpRow>,
}

impl Default for Keymap {
    fn default() -> Self {
        match Keymap::with_overrides(std::iter::empty()) {
            Ok(k) => k,
            // The defaults are tested to parse; an empty map is the harmless fallback.
            Err(_) => Keymap {
                map: HashMap::new(),
                help: Vec::new(),
            },
        }
    }
}

impl Keymap {
    /// Defaults, with each `(action name, key names, config line)` replacing that action's keys.
    pub fn with_overrides<'a>(
        overrides: impl IntoIterator<Item = (&'a str, &'a [String], usize)>,
    ) -> Result<Keymap, KeymapError> {
        let mut keys_of = BINDINGS
            .iter()
            .map(|spec| Ok((spec.clone(), parse_keys(&spec.defaults, spec.name, 0)?)))
            .collect::<Result<Vec<(BindingSpec, Vec<KeyPress>)>, KeymapError>>()?;
        let mut overridden: Vec<usize> = Vec::new();
        for (name, keys, line) in overrides {
            let Some(index) = BINDINGS.iter().position(|b| b.name == name) else {
                return Err(KeymapError::UnknownAction {
                    name: name.into(),
                    line,
                });
            };
            keys_of[index].1 = parse_keys(keys, name, line)?;
            overridden.push(index);
        }
        let mut map = HashMap::new();
        // Defaults first, then overrides in their order: a key the user bound wins over a
        // default.
        let defaults = (0..keys_of.len()).filter(|i| !overridden.contains(i));
        for index in defaults.chain(overridden.iter().copied()) {
            let (spec, keys) = &keys_of[index];
            if let Some(action) = action_by_name(spec.name) {
                for key in keys {
                    map.insert(*key, action.clone());
                }
            }
        }
        // A key taken over by another action no longer does its default: the help says so.
        let help = keys_of
            .iter()
            .filter_map(|(spec, keys)| {
                let action = action_by_name(spec.name)?;
                let live: Vec<String> = keys
                    .iter()
                    .filter(|k| map.get(k) == Some(&action))
                    .map(KeyPress::name)
                    .collect();
                Some((spec, live))
            })
            .filter(|(spec, _)| {
                !spec.name.starts_with("follow_related_") || spec.name.ends_with('1')
            })
            .map(|(spec, live)| {
                if spec.name == "follow_related_1" {
                    HelpRow {
                        keys: "1-9".into(),
                        description: "follow related link N".into(),
                    }
                } else {
                    HelpRow {
                        keys: live.join(" "),
                        description: spec.description.into(),
                    }
                }
            })
            .collect();
        Ok(Keymap { map, help })
    }

    /// The help overlay's rows.
    pub fn help(&self) -> &[HelpRow] {
        &self.help
    }

    /// The action for a key in a mode; `None` for unbound keys, releases and repeats.
    pub fn action(&self, mode: Mode, event: &KeyEvent) -> Option<Action> {
        if event.kind != KeyEventKind::Press {
            return None;
        }
        let key = KeyPress::from_event(event);
        // "Quit at once" works in every mode: a user pressing Ctrl-C in the search field or the
        // help means it.
        if let Some(Action::Exit) = self.map.get(&key) {
            return Some(Action::Exit);
        }
        // A character typed into a text field (not a ctrl or alt chord).
        let typed = match key.code {
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(c)
            }
            _ => None,
        };
        match mode {
            Mode::Search => match key.code {
                _ if self.map.get(&key) == Some(&Action::SaveSearch) => Some(Action::SaveSearch),
                KeyCode::Esc => Some(Action::Clear),
                KeyCode::Enter => Some(Action::SearchSubmit),
                KeyCode::Backspace => Some(Action::SearchDeleteChar),
                KeyCode::Down => Some(Action::MoveDown),
                KeyCode::Up => Some(Action::MoveUp),
                _ => typed.map(Action::SearchInput),
            },
            // The moving keys scroll a help too long for the screen; any other key closes it.
            Mode::Help => match self.map.get(&key) {
                Some(
                    action @ (Action::MoveDown
                    | Action::MoveUp
                    | Action::ScrollDown
                    | Action::ScrollUp
                    | Action::PageDown
                    | Action::PageUp
                    | Action::Top
                    | Action::Bottom),
                ) => Some(action.clone()),
                _ => Some(Action::ToggleHelp),
            },
            Mode::Prompt => match key.code {
                KeyCode::Esc => Some(Action::Clear),
                KeyCode::Enter => Some(Action::PromptSubmit),
                KeyCode::Backspace => Some(Action::PromptDeleteChar),
                _ => typed.map(Action::PromptInput),
            },
            Mode::Normal | Mode::Links => self.map.get(&key).cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventState;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    #[test]
    fn parses_the_documented_key_names() {
        assert_eq!(
            parse_key("ctrl-r").unwrap(),
            KeyPress {
                code: KeyCode::Char('r'),
                modifiers: KeyModifiers::CONTROL
            }
        );
        assert_eq!(parse_key("shift-tab").unwrap().code, KeyCode::BackTab);
        assert_eq!(parse_key("pgdn").unwrap().code, KeyCode::PageDown);
        assert_eq!(parse_key("space").unwrap().code, KeyCode::Char(' '));
        assert_eq!(parse_key("?").unwrap().code, KeyCode::Char('?'));
        assert_eq!(parse_key("-").unwrap().code, KeyCode::Char('-'));
        assert_eq!(parse_key("shift-a").unwrap(), parse_key("A").unwrap());
        assert!(parse_key("hyper-x").is_err());
        assert!(parse_key("").is_err());
    }

    #[test]
    fn names_round_trip() {
        for spec in BINDINGS.iter() {
            for key in &spec.defaults {
                let parsed = parse_key(key).unwrap();
                assert_eq!(parse_key(&parsed.name()).unwrap(), parsed, "{key}");
            }
        }
    }

    #[test]
    fn terminal_events_match_config_names() {
        let keymap = Keymap::default();
        // Terminals report `G` with SHIFT and shift-tab as BackTab with SHIFT. In the search
        // field letters are typed, ctrl chords still act.
        #[rustfmt::skip]
        let cases = [
            (Mode::Normal, KeyCode::Char('G'), KeyModifiers::SHIFT, Some(Action::Bottom)),
            (Mode::Normal, KeyCode::BackTab, KeyModifiers::SHIFT, Some(Action::SwitchPane)),
            (Mode::Normal, KeyCode::Char('r'), KeyModifiers::CONTROL, Some(Action::RefreshFeed)),
            (Mode::Normal, KeyCode::Char('R'), KeyModifiers::SHIFT, Some(Action::RefreshAll)),
            (Mode::Normal, KeyCode::Char('3'), KeyModifiers::NONE, Some(Action::FollowRelated(3))),
            (Mode::Search, KeyCode::Char('q'), KeyModifiers::NONE, Some(Action::SearchInput('q'))),
            (Mode::Search, KeyCode::Char('s'), KeyModifiers::CONTROL, Some(Action::SaveSearch)),
            (Mode::Prompt, KeyCode::Char('Q'), KeyModifiers::SHIFT, Some(Action::PromptInput('Q'))),
            (Mode::Prompt, KeyCode::Char('x'), KeyModifiers::ALT, None),
        ];
        for (mode, code, modifiers, action) in cases {
            let got = keymap.action(mode, &press(code, modifiers));
            assert_eq!(got, action, "{modifiers:?} {code:?} in {mode:?}");
        }
    }

    #[test]
    fn release_and_repeat_do_not_act() {
        let keymap = Keymap::default();
        let mut j = press(KeyCode::Char('j'), KeyModifiers::NONE);
        j.kind = KeyEventKind::Release;
        assert_eq!(keymap.action(Mode::Normal, &j), None);
        j.kind = KeyEventKind::Repeat;
        assert_eq!(keymap.action(Mode::Normal, &j), None);
    }

    #[test]
    fn overrides_replace_an_actions_keys() {
        let keys = vec!["x".to_string()];
        let keymap = Keymap::with_overrides([("move_down", keys.as_slice(), 7)]).unwrap();
        let x = press(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(keymap.action(Mode::Normal, &x), Some(Action::MoveDown));
        let j = press(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(keymap.action(Mode::Normal, &j), None);
        assert!(
            keymap
                .help()
                .iter()
                .any(|r| r.keys == "x" && r.description.starts_with("next headline"))
        );
    }

    #[test]
    fn config_errors_name_the_line() {
        let keys = vec!["j".to_string()];
        let err = Keymap::with_overrides([("fly", keys.as_slice(), 12)]).unwrap_err();
        assert!(err.to_string().contains("line 12"), "{err}");
        let bad = vec!["ctrl-nope".to_string()];
        let err = Keymap::with_overrides([("quit", bad.as_slice(), 4)]).unwrap_err();
        assert!(
            err.to_string().contains("line 4") && err.to_string().contains("ctrl-nope"),
            "{err}"
        );
    }

    #[test]
    fn the_default_config_documents_every_action() {
        for spec in BINDINGS.iter() {
            let line = format!("# {} = ", spec.name);
            assert!(
                crate::config::DEFAULT_CONFIG_TOML.contains(&line),
                "assets/config.toml lacks {}",
                spec.name
            );
        }
    }

    #[test]
    fn every_action_of_keys_toml_has_a_description_and_an_action() {
        assert!(BINDINGS.len() >= 30, "read {} bindings", BINDINGS.len());
        for spec in BINDINGS.iter() {
            assert!(
                !spec.description.is_empty(),
                "{} has no description",
                spec.name
            );
            assert!(
                !spec.defaults.is_empty(),
                "{} has no default key",
                spec.name
            );
            assert!(
                action_by_name(spec.name).is_some(),
                "{} is no action",
                spec.name
            );
        }
    }

    #[test]
    fn assets_keys_toml_documents_every_binding_with_its_defaults() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/keys.toml"))
                .unwrap();
        let doc: toml::Table = toml::from_str(&text).unwrap();
        let keys = doc["keys"].as_table().unwrap();
        assert_eq!(keys.len(), BINDINGS.len());
        for spec in BINDINGS.iter() {
            let listed: Vec<&str> = keys[spec.name]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(listed, spec.defaults, "{}", spec.name);
        }
    }

    #[test]
    fn check_keymap_names_the_config_line() {
        let config = crate::config::Config::parse(
            "refresh_minutes = 5\n[keys]\nquit = \"x\"\nfly = [\"j\"]\n",
            "test.toml",
        )
        .unwrap();
        let err = crate::tui::check_keymap(&config).unwrap_err();
        assert!(
            err.to_string().contains("line 4") && err.to_string().contains("fly"),
            "{err}"
        );
        let config =
            crate::config::Config::parse("[keys]\nquit = [\"x\", \"ctrl-q\"]\n", "test.toml")
                .unwrap();
        assert!(crate::tui::check_keymap(&config).is_ok());
    }
}

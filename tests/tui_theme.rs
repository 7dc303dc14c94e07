//! Themes on screen: under `NO_COLOR` the selected headline still shows (reverse video, no
//! colour anywhere), in a `TestBackend` and in a real pseudo-terminal where crossterm's own
//! `NO_COLOR` handling is in play; the light theme draws differently from the dark one.

#[path = "common/pty.rs"]
mod pty;
#[path = "common/testbackend.rs"]
mod testbackend;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use kiosque::config::ThemeName;
use kiosque::tui::fixtures::start_and_load;
use kiosque::tui::fixtures::{self, rows};
use kiosque::tui::state::State;
use kiosque::tui::view::theme::Theme;
use pty::wait_limit;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

fn loaded(theme: Theme) -> State {
    let mut state = fixtures::empty_state((100, 20));
    state.settings.theme = theme;
    start_and_load(&mut state, fixtures::feeds(), 55, 30, Some(3));
    state
}

fn draw(state: &State) -> Buffer {
    testbackend::draw(state).backend().buffer().clone()
}

fn theme(name: ThemeName, no_color: bool) -> Theme {
    Theme::new(name, &BTreeMap::new(), no_color).unwrap()
}

/// The rows where at least `min` cells are in reverse video.
fn reversed_rows(buffer: &Buffer, min: usize) -> Vec<u16> {
    (0..buffer.area.height)
        .filter(|&y| {
            (0..buffer.area.width)
                .filter(|&x| buffer[(x, y)].modifier.contains(Modifier::REVERSED))
                .count()
                >= min
        })
        .collect()
}

#[test]
fn no_color_draws_no_colour_and_keeps_the_selection_reversed() {
    let state = loaded(theme(ThemeName::Dark, true));
    let buffer = draw(&state);
    for cell in &buffer.content {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
    let selected_title = &rows(0, 30)[3].title;
    let rows = reversed_rows(&buffer, 30);
    let status_row = buffer.area.height - 1;
    let selected: Vec<u16> = rows.into_iter().filter(|&y| y != status_row).collect();
    assert_eq!(selected.len(), 1, "one selected row: {selected:?}");
    let y = selected[0];
    let text: String = (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect();
    let start = selected_title.chars().take(12).collect::<String>();
    assert!(text.contains(&start), "{text:?} is not {selected_title:?}");
    // The status line stands out by reverse video too, as it has no background colour.
    assert!((0..buffer.area.width).all(|x| {
        buffer[(x, status_row)]
            .modifier
            .contains(Modifier::REVERSED)
    }));
}

#[test]
fn light_and_dark_themes_draw_differently() {
    let dark = draw(&loaded(theme(ThemeName::Dark, false)));
    let light = draw(&loaded(theme(ThemeName::Light, false)));
    assert_ne!(dark, light);
    // Same text, different colours.
    let symbols = |b: &Buffer| {
        b.content
            .iter()
            .map(|c| c.symbol().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(symbols(&dark), symbols(&light));
    // Neither draws white text on a light background.
    assert!(light.content.iter().all(|c| c.fg != Color::White));
}

#[test]
fn a_colour_override_reaches_the_screen() {
    let overrides = BTreeMap::from([("accent".to_string(), "#ff8800".to_string())]);
    let state = loaded(Theme::new(ThemeName::Dark, &overrides, false).unwrap());
    let buffer = draw(&state);
    assert!(
        buffer
            .content
            .iter()
            .any(|c| c.fg == Color::Rgb(0xff, 0x88, 0x00)),
        "the focused border takes the accent colour"
    );
}

// ---- in a real terminal ---------------------------------------------------------------------

/// `kiosque --demo` under `NO_COLOR=1` in a 120x40 pty: the selected headline's row is in
/// reverse video on the terminal itself. (crossterm honours NO_COLOR by sending an empty SGR,
/// a full attribute reset, for each colour change: one colour in the row used to cancel the
/// reverse video, so no headline looked selected.)
#[test]
fn no_color_selection_shows_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let mut command = pty::demo_command(&config, dir.path());
    command.env("NO_COLOR", "1");
    let mut term = pty::spawn(command, 40, 120);
    let start = Instant::now();
    let (selected_row, screen_text) = loop {
        let (found, text) = {
            let parser = term.parser.lock().unwrap();
            let screen = parser.screen();
            let text = screen.contents();
            // The widest reverse-video run on a headline row (the last row is the status bar).
            let found = (0..39u16)
                .map(|y| {
                    let reversed = (0..120u16)
                        .filter(|&x| screen.cell(y, x).is_some_and(|c| c.inverse()))
                        .count();
                    (reversed, y)
                })
                .max();
            (found, text)
        };
        let loaded = text.contains("World Desk") && !text.contains("All (0)");
        if loaded && found.is_some_and(|(n, _)| n >= 30) {
            break (found.unwrap().1, text);
        }
        assert!(
            start.elapsed() < wait_limit(),
            "no headline row in reverse video under NO_COLOR (widest run {found:?}); screen:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    {
        let parser = term.parser.lock().unwrap();
        let screen = parser.screen();
        let row: String = (0..120u16)
            .filter_map(|x| {
                screen
                    .cell(selected_row, x)
                    .map(|c| c.contents().to_string())
            })
            .collect();
        assert!(!row.trim().is_empty(), "{screen_text}");
        for y in 0..40u16 {
            for x in 0..120u16 {
                let cell = screen.cell(y, x).unwrap();
                assert_eq!(
                    (cell.fgcolor(), cell.bgcolor()),
                    (vt100::Color::Default, vt100::Color::Default),
                    "colour at {x},{y} under NO_COLOR"
                );
            }
        }
    }
    // Quit as a user would (the demo then removes its data dir); killed only if that fails.
    term.press(b"q");
    term.exit_ok();
}

//! The demo's podcast item in a real pseudo-terminal: the reader lists its media file, the
//! play key hands the file's URL to the configured player (an argument vector, no shell),
//! and links become OSC 8 hyperlinks only on a terminal known to support them — never on an
//! unknown one. Waits poll the parsed screen; no fixed sleeps.

#[path = "common/pty.rs"]
mod pty;

/// The variables a terminal is recognised by: cleared, so the test runner's own terminal
/// cannot leak into the one under test.
const TERMINAL_VARS: &str =
    "TERM_PROGRAM VTE_VERSION KITTY_WINDOW_ID WEZTERM_EXECUTABLE WT_SESSION TMUX STY";

struct Run {
    /// Everything kiosque wrote to the terminal.
    raw: Vec<u8>,
    /// What the player was given, if it ran.
    played: Option<String>,
}

/// `kiosque --demo` with `env` set: find the podcast item, open it, wait for its extracted
/// show notes (with a numbered link), press `p`, quit.
fn read_the_podcast(env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let played = dir.path().join("played");
    let config = dir.path().join("config.toml");
    // The player is `sh -c '…' URL`: kiosque runs it without a shell of its own, the URL as
    // the last argument ($0 here).
    std::fs::write(
        &config,
        format!(
            "player = [\"sh\", \"-c\", \"printf %s \\\"$0\\\" > '{}'\"]\n",
            played.display()
        ),
    )
    .unwrap();
    let mut command = pty::demo_command(&config, dir.path());
    for var in TERMINAL_VARS.split(' ') {
        command.env_remove(var);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let mut term = pty::spawn(command, 40, 120);
    term.wait_for("the demo headlines", |s| {
        s.contains("World Desk") && s.contains("podcast d")
    });
    // Search and open in one go, as a fast typist does: the second Enter arrives before the
    // search's answer and must open the podcast, not the headline selected before.
    term.press(b"/podcast\r\r");
    let screen = term.wait_for("the extracted show notes", |s| {
        s.contains("complet[1]") && s.contains("Minutage")
    });
    assert!(
        screen.contains("▶ audio/mpeg · 16 kB · 0:01 · podcast-episode-12.mp3"),
        "{screen}"
    );
    term.press(b"p");
    let start = std::time::Instant::now();
    while !played.exists() && start.elapsed() < pty::wait_limit() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    term.press(b"qq");
    let raw = term.raw.clone();
    term.exit_ok();
    let raw = raw.lock().unwrap().clone();
    Run {
        raw,
        played: std::fs::read_to_string(&played).ok(),
    }
}

fn osc8_count(raw: &[u8]) -> usize {
    raw.windows(4).filter(|w| *w == b"\x1b]8;").count()
}

#[test]
fn an_unknown_terminal_gets_no_hyperlinks_and_the_player_gets_the_podcast() {
    let run = read_the_podcast(&[]);
    assert_eq!(osc8_count(&run.raw), 0, "OSC 8 sent to an unknown terminal");
    let played = run.played.expect("the player never ran");
    assert!(
        played.starts_with("http://127.0.0.1:")
            && played.ends_with("/techfr/media/podcast-episode-12.mp3"),
        "{played:?}"
    );
}

#[test]
fn a_terminal_known_to_support_them_gets_hyperlinks_to_the_links_urls() {
    let run = read_the_podcast(&[("TERM_PROGRAM", "WezTerm")]);
    let raw = String::from_utf8_lossy(&run.raw);
    assert!(osc8_count(&run.raw) > 0, "no OSC 8 on WezTerm");
    assert!(
        raw.contains("/techfr/articles/test-ultraportable-arm.html\x1b\\"),
        "the link's URL is in the hyperlink"
    );
    // Every hyperlink is closed again (each cell carries its own open and close).
    assert_eq!(
        raw.matches("\x1b]8;;http").count(),
        raw.matches("\x1b]8;;\x1b\\").count()
    );
}

#[test]
fn a_multiplexer_gets_no_hyperlinks_even_in_a_capable_terminal() {
    let run = read_the_podcast(&[
        ("TERM_PROGRAM", "WezTerm"),
        ("TMUX", "/tmp/tmux-1/default,1,0"),
    ]);
    assert_eq!(osc8_count(&run.raw), 0, "OSC 8 sent inside tmux");
}

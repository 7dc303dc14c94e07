//! Images and the terminal, end to end in a pseudo-terminal that never answers a query (like
//! a terminal without graphics, or a CI log): `kiosque --demo` opens the demo article with a
//! picture. With `images = "auto"` the start-up question goes unanswered, so no image bytes
//! (kitty APC, sixel DCS, iTerm2 OSC 1337) are ever sent and the placeholder stays; with
//! `images = "halfblocks"` the picture is drawn with coloured characters, still without any
//! graphics escape. Waits poll the parsed screen; no fixed sleeps.

#[path = "common/pty.rs"]
mod pty;

const PLACEHOLDER: &str = "[image: Green and blue aurora";
const CAPTION: &str = "Two bands of aurora";

/// Run the demo with `images = mode`, open the article with a picture (found by a search),
/// wait until `shown` holds for the screen, quit; return the screen then and every byte
/// kiosque wrote.
fn demo_article_bytes(mode: &str, shown: impl Fn(&str) -> bool) -> (String, Vec<u8>) {
    let config_dir = tempfile::tempdir().unwrap();
    let config = config_dir.path().join("config.toml");
    std::fs::write(&config, format!("images = \"{mode}\"\n")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut command = pty::demo_command(&config, tmp.path());
    command.env_remove("TMUX");
    command.env_remove("TERM_PROGRAM");
    command.env_remove("LC_TERMINAL");
    let mut term = pty::spawn(command, 60, 100);
    term.wait_for("the demo headlines", |s| {
        s.contains("Strongest solar storm") && s.contains("Reusable rocket")
    });
    // Find the article with a picture (not the newest), then open it.
    term.press(b"/solar storm\r");
    term.wait_for("the search to keep one headline", |s| {
        s.contains("Strongest solar storm") && !s.contains("Reusable rocket")
    });
    term.press(b"\r");
    let screen = term.wait_for("the article with its picture", |s| {
        s.contains(CAPTION) && shown(s)
    });
    term.press(b"qq");
    let raw = term.raw.clone();
    term.exit_ok();
    let raw = raw.lock().unwrap().clone();
    (screen, raw)
}

/// Half-block characters: what a picture drawn with `images = "halfblocks"` is made of.
fn has_half_blocks(text: &str) -> bool {
    text.contains('▀') || text.contains('▄')
}

/// Every graphics sequence in `raw` that draws (not the kitty support query `a=q`).
fn image_escapes(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut found = Vec::new();
    // Kitty: APC `ESC _ G <keys>;<payload> ESC \`.
    for (at, _) in text.match_indices("\x1b_G") {
        let keys: String = text[at + 3..].chars().take_while(|c| *c != ';').collect();
        if !keys.split(',').any(|k| k == "a=q") {
            found.push(format!("kitty APC {keys:?}"));
        }
    }
    // Sixel: DCS `ESC P <digits;> q`.
    for (at, _) in text.match_indices("\x1bP") {
        let params: String = text[at + 2..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ';')
            .collect();
        if text[at + 2 + params.len()..].starts_with('q') {
            found.push(format!("sixel DCS {params:?}"));
        }
    }
    // iTerm2: OSC 1337 `File=`.
    if text.contains("\x1b]1337;") {
        found.push("iTerm2 OSC 1337".into());
    }
    found
}

#[test]
fn a_terminal_that_does_not_answer_gets_no_image_bytes() {
    let (screen, raw) = demo_article_bytes("auto", |s| s.contains(PLACEHOLDER));
    assert_eq!(image_escapes(&raw), Vec::<String>::new());
    assert!(!has_half_blocks(&screen), "no picture drawn:\n{screen}");
}

#[test]
fn half_blocks_draw_the_picture_without_graphics_escapes() {
    let (screen, raw) = demo_article_bytes("halfblocks", has_half_blocks);
    assert_eq!(image_escapes(&raw), Vec::<String>::new());
    let text = String::from_utf8_lossy(&raw);
    assert!(
        !text.contains("\x1b_G"),
        "half-blocks never even ask about kitty graphics"
    );
    // The picture sits above its placeholder and caption.
    let lines: Vec<&str> = screen.lines().collect();
    let picture = lines.iter().position(|l| has_half_blocks(l)).unwrap();
    let caption = lines.iter().position(|l| l.contains(CAPTION)).unwrap();
    assert!(picture < caption, "{screen}");
    assert!(screen.contains(PLACEHOLDER), "{screen}");
}

#[test]
fn the_image_detector_finds_each_protocol() {
    // The check above cannot pass by finding nothing where something is.
    assert_eq!(
        image_escapes(b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"),
        Vec::<String>::new()
    );
    assert_eq!(image_escapes(b"\x1b_Ga=T,f=100;iVBOR\x1b\\").len(), 1);
    assert_eq!(image_escapes(b"\x1bP0;1;0q\"1;1;10;10#0").len(), 1);
    assert_eq!(image_escapes(b"\x1b]1337;File=inline=1:AAAA\x07").len(), 1);
}

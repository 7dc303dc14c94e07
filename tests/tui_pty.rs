//! End to end in a real pseudo-terminal: `kiosque --demo` starts, shows the demo headlines
//! (fetched from its loopback server), opens one, quits with `q` twice, exits 0 and leaves
//! the alternate screen. Every other way out (Ctrl-C, SIGTERM, SIGINT, SIGHUP) restores the
//! terminal too and removes the demo's data dir, as does closing the terminal itself. Waits
//! poll the parsed screen; no fixed sleeps.
//! `KIOSQUE_TEST_WAIT_MS` sets how long a wait may take (default 30 s).

#[path = "common/pty.rs"]
mod pty;

use std::io::Write;
use std::path::Path;

/// `kiosque --demo` running in a pseudo-terminal, its output parsed by vt100.
struct Demo {
    term: pty::Session,
    /// Its TMPDIR: where the demo makes its throw-away data dir.
    tmp: tempfile::TempDir,
    _config_dir: tempfile::TempDir,
}

/// What a demo leaves once it has ended: its parsed screen and every byte it wrote.
struct Screen {
    parser: std::sync::Arc<std::sync::Mutex<vt100::Parser>>,
    raw: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl Demo {
    fn start(cols: u16, lines: u16) -> Demo {
        Demo::start_with_config(cols, lines, "")
    }

    fn start_with_config(cols: u16, lines: u16, config_text: &str) -> Demo {
        let config_dir = tempfile::tempdir().unwrap();
        let config = config_dir.path().join("config.toml");
        std::fs::write(&config, config_text).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let term = pty::spawn(pty::demo_command(&config, tmp.path()), lines, cols);
        Demo {
            term,
            tmp,
            _config_dir: config_dir,
        }
    }

    /// The demo once its headlines are in, with the selected article open.
    fn start_reading(cols: u16, lines: u16) -> Demo {
        let mut demo = Demo::start(cols, lines);
        demo.wait_for_headlines();
        demo.term.press(b"\r");
        demo.term.wait_for("the article", |s| {
            s.contains("%") || s.contains(" article ")
        });
        demo
    }

    /// Wait until the refresh on start has listed the demo headlines; the screen then.
    fn wait_for_headlines(&self) -> String {
        self.term.wait_for("the demo headlines", |s| {
            s.contains("World Desk") && !s.contains("All (0)")
        })
    }

    /// Wait for the process to end; then stop reading its output.
    fn wait_exit(mut self, after: &str) -> (portable_pty::ExitStatus, Screen, tempfile::TempDir) {
        let term = &mut self.term;
        let status = pty::wait_exit(
            &mut *term.child,
            &format!("kiosque did not exit after {after}"),
        );
        let pty::Session {
            parser,
            raw,
            reading,
            writer,
            master,
            ..
        } = self.term;
        drop(writer);
        drop(master);
        let _ = reading.join();
        (status, Screen { parser, raw }, self.tmp)
    }
}

/// The demo's data dirs left in `tmp` (made by tempfile as `kiosque-demo-*`).
fn demo_dirs(tmp: &Path) -> Vec<String> {
    std::fs::read_dir(tmp)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("kiosque-demo-"))
        .collect()
}

/// The terminal as a user finds it after kiosque ended: main screen, cursor shown, the mouse
/// no longer reported.
fn assert_terminal_restored(screen: &Screen, after: &str) {
    let parsed = screen.parser.lock().unwrap();
    let parsed = parsed.screen();
    assert!(
        !parsed.alternate_screen(),
        "{after}: still on the alternate screen"
    );
    assert!(!parsed.hide_cursor(), "{after}: the cursor is still hidden");
    assert_eq!(
        parsed.mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "{after}: the mouse is still reported"
    );
}

#[test]
fn demo_opens_an_item_and_quits_restoring_the_terminal() {
    let mut demo = Demo::start(120, 40);

    // The refresh on start fetched the demo feeds: headlines are listed, newest selected.
    let contents = demo.wait_for_headlines();
    assert!(
        demo.term.parser.lock().unwrap().screen().alternate_screen(),
        "{contents}"
    );
    assert_eq!(demo_dirs(demo.tmp.path()).len(), 1, "the demo's data dir");
    // Open it: the reader shows the article with its related links.
    demo.term.press(b"\r");
    demo.term.wait_for("the article", |s| {
        s.contains("Related") || s.contains(" article ")
    });
    // `q` closes the article, the second `q` quits.
    demo.term.press(b"q");
    demo.term.wait_for("the reader to close", |s| {
        s.contains("Enter opens the selected headline")
    });
    demo.term.press(b"q");

    let (status, screen, tmp) = demo.wait_exit("q");
    assert!(status.success(), "exit status {status:?}");
    let raw = screen.raw.lock().unwrap().clone();
    let raw = String::from_utf8_lossy(&raw);
    let left = raw
        .rfind("\x1b[?1049l")
        .expect("the alternate screen was never left");
    assert!(
        left > raw.rfind("\x1b[?1049h").unwrap(),
        "left before entering"
    );
    assert_terminal_restored(&screen, "q");
    assert_eq!(demo_dirs(tmp.path()), Vec::<String>::new());
}

/// Start the demo, open an article (mouse reporting, hidden cursor, alternate screen all on),
/// end it with `stop`, and check the terminal and the temp dir it leaves.
fn leaves_cleanly(way: &str, stop: impl FnOnce(&mut Demo)) {
    let mut demo = Demo::start_reading(100, 30);
    {
        let parser = demo.term.parser.lock().unwrap();
        let screen = parser.screen();
        assert!(screen.alternate_screen() && screen.hide_cursor());
        assert_ne!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
    }
    assert_eq!(demo_dirs(demo.tmp.path()).len(), 1, "the demo's data dir");
    stop(&mut demo);
    let (_status, screen, tmp) = demo.wait_exit(way);
    assert_terminal_restored(&screen, way);
    assert_eq!(
        demo_dirs(tmp.path()),
        Vec::<String>::new(),
        "{way}: the demo's data dir was left behind"
    );
}

fn signal(demo: &mut Demo, name: &str) {
    let pid = demo.term.child.process_id().expect("a pid").to_string();
    let status = std::process::Command::new("kill")
        .args(["-s", name, &pid])
        .status()
        .unwrap();
    assert!(status.success(), "kill -s {name} {pid}");
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    leaves_cleanly("Ctrl-C", |demo| demo.term.press(b"\x03"));
}

#[test]
fn sigterm_restores_the_terminal_and_removes_the_demo_dir() {
    leaves_cleanly("SIGTERM", |demo| signal(demo, "TERM"));
}

#[test]
fn sighup_restores_the_terminal_and_removes_the_demo_dir() {
    leaves_cleanly("SIGHUP", |demo| signal(demo, "HUP"));
}

#[test]
fn sigint_restores_the_terminal_and_removes_the_demo_dir() {
    leaves_cleanly("SIGINT", |demo| signal(demo, "INT"));
}

#[test]
fn closing_the_terminal_removes_the_demo_dir() {
    let demo = Demo::start_reading(100, 30);
    assert_eq!(demo_dirs(demo.tmp.path()).len(), 1, "the demo's data dir");
    // The window goes away: the kernel hangs the terminal up (SIGHUP) and every write to it
    // fails from then on.
    let Demo {
        term:
            pty::Session {
                mut child,
                mut writer,
                master,
                reading,
                stop_reading,
                ..
            },
        tmp,
        ..
    } = demo;
    // Every handle on the master side closes. The reading thread lets go of its handle after
    // the redraw that `?` causes (the help opens: a frame is always written); the writer and
    // the master close only once it has, since dropping the writer sends the terminal a
    // newline and an end-of-file that kiosque reads as keys: the help could open and close in
    // one frame, nothing would be written, and the reading thread would hold the terminal open.
    stop_reading.store(true, std::sync::atomic::Ordering::SeqCst);
    writer.write_all(b"?").unwrap();
    writer.flush().unwrap();
    let start = std::time::Instant::now();
    while !reading.is_finished() {
        assert!(
            start.elapsed() < pty::wait_limit(),
            "kiosque wrote nothing after `?`"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    drop(writer);
    drop(master);
    pty::wait_exit(&mut *child, "kiosque did not exit when its terminal closed");
    let _ = reading.join();
    assert_eq!(
        demo_dirs(tmp.path()),
        Vec::<String>::new(),
        "the demo's data dir was left behind"
    );
}

#[test]
fn search_errors_show_in_the_status_line_and_saved_searches_in_the_sidebar() {
    let mut demo = Demo::start_with_config(
        120,
        30,
        "[[smart_feeds]]\nname = \"Octet emul\"\nquery = \"feed:octet emul\"\n",
    );
    demo.wait_for_headlines();
    demo.term.press(b"f");
    demo.term
        .wait_for("the configured saved search in the sidebar", |s| {
            s.contains("/ Octet emul")
        });
    demo.term.press(b"/title:\"arm");
    demo.term
        .wait_for("the query error in the status line", |s| {
            s.contains("unclosed quote at 7")
        });
    demo.term.press(b"\"");
    demo.term.wait_for("the search applied", |s| {
        s.contains("/title:\"arm\"") && !s.contains("unclosed quote")
    });
    // ctrl-s saves it: it joins the sidebar's saved searches.
    demo.term.press(b"\x13");
    demo.term.wait_for("the saved search in the sidebar", |s| {
        s.contains("/ title:\"arm\"")
    });
    demo.term.press(b"\x03");
    let (status, screen, _tmp) = demo.wait_exit("ctrl-c");
    assert!(status.success());
    assert_terminal_restored(&screen, "ctrl-c");
}

/// Issue 13, item 5: the demo carries one story in two feeds (World Desk's rocket story,
/// syndicated by Asia Wire with tracking parameters): it is listed once, saying where else.
#[test]
fn the_demo_story_two_feeds_carry_is_listed_once_with_also_in() {
    let mut demo = Demo::start(140, 40);
    let contents = demo.term.wait_for("the syndicated story folded", |s| {
        s.contains("also in: Asia Wire") || s.contains("also in: World Desk")
    });
    let rocket_rows = contents
        .lines()
        .filter(|l| l.contains("Reusable rocket"))
        .count();
    assert_eq!(rocket_rows, 1, "{contents}");
    demo.term.press(b"q");
    let (status, _, _) = demo.wait_exit("q");
    assert!(status.success(), "exit status {status:?}");
}

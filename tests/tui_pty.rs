//! End to end in a real pseudo-terminal: `kiosque --demo` starts, shows the demo headlines
//! (fetched from its loopback server), opens one, quits with `q` twice, exits 0 and leaves
//! the alternate screen. Waits poll the parsed screen; no fixed sleeps.
//! `KIOSQUE_TEST_WAIT_MS` sets how long a wait may take (default 30 s).

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

fn rows(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).unwrap()
}

struct Screen {
    parser: Mutex<vt100::Parser>,
    raw: Mutex<Vec<u8>>,
}

fn wait_limit() -> Duration {
    let ms = std::env::var("KIOSQUE_TEST_WAIT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000);
    Duration::from_millis(ms)
}

fn wait_for(screen: &Screen, what: &str, until: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let contents = screen.parser.lock().unwrap().screen().contents();
        if until(&contents) {
            return contents;
        }
        assert!(
            start.elapsed() < wait_limit(),
            "timed out waiting for {what}; screen:\n{contents}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn demo_opens_an_item_and_quits_restoring_the_terminal() {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let config_dir = tempfile::tempdir().unwrap();
    let config = config_dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_kiosque"));
    command.arg("--demo");
    command.env("KIOSQUE_CONFIG", &config);
    command.env("TERM", "xterm-256color");
    command.env("BROWSER", "true");
    let mut child = pair.slave.spawn_command(command).unwrap();
    drop(pair.slave);
    let screen = Arc::new(Screen {
        parser: Mutex::new(vt100::Parser::new(rows(40), rows(120), 0)),
        raw: Mutex::new(Vec::new()),
    });
    let mut reader = pair.master.try_clone_reader().unwrap();
    let feed = screen.clone();
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            feed.parser.lock().unwrap().process(&buf[..n]);
            feed.raw.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let mut writer = pair.master.take_writer().unwrap();

    // The refresh on start fetched the demo feeds: headlines are listed, newest selected.
    let contents = wait_for(&screen, "the demo headlines", |s| {
        s.contains("World Desk") && !s.contains("All (0)")
    });
    assert!(
        screen.parser.lock().unwrap().screen().alternate_screen(),
        "{contents}"
    );
    // Open it: the reader shows the article with its related links.
    writer.write_all(b"\r").unwrap();
    writer.flush().unwrap();
    wait_for(&screen, "the article", |s| {
        s.contains("Related") || s.contains(" article ")
    });
    // `q` closes the article, the second `q` quits.
    writer.write_all(b"q").unwrap();
    writer.flush().unwrap();
    wait_for(&screen, "the reader to close", |s| {
        s.contains("Enter opens the selected headline")
    });
    writer.write_all(b"q").unwrap();
    writer.flush().unwrap();

    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < wait_limit(),
            "kiosque did not exit after q"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");
    drop(writer);
    drop(pair.master);
    let _ = reading.join();
    let raw = screen.raw.lock().unwrap().clone();
    let raw = String::from_utf8_lossy(&raw);
    let left = raw
        .rfind("\x1b[?1049l")
        .expect("the alternate screen was never left");
    assert!(
        left > raw.rfind("\x1b[?1049h").unwrap(),
        "left before entering"
    );
    assert!(!screen.parser.lock().unwrap().screen().alternate_screen());
}

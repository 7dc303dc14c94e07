//! A hostile feed shown in the real TUI in a pseudo-terminal: its titles and bodies carry
//! OSC 0/2 (window title), OSC 52 (clipboard), OSC 8 (links), CSI colours and screen
//! clears, C1 controls and bidi overrides. Parsed with vt100, the screen must show the
//! text with none of them acting: no title set, nothing copied, no colour from the feed, no
//! override character on screen. Waits poll the parsed screen; no fixed sleeps.

mod common;
#[path = "common/pty.rs"]
mod pty;

use assert_cmd::Command;
use common::{Reply, TestServer};
use pty::size;
use std::sync::{Arc, Mutex};

/// What the terminal was asked to do besides drawing.
#[derive(Default)]
struct Requests {
    titles: Vec<Vec<u8>>,
    clipboard: Vec<Vec<u8>>,
    other_osc: usize,
}

#[derive(Default, Clone)]
struct Recorder(Arc<Mutex<Requests>>);

impl vt100::Callbacks for Recorder {
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.0.lock().unwrap().titles.push(title.to_vec());
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.0.lock().unwrap().titles.push(name.to_vec());
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _ty: &[u8], data: &[u8]) {
        self.0.lock().unwrap().clipboard.push(data.to_vec());
    }
    fn unhandled_osc(&mut self, _: &mut vt100::Screen, _params: &[&[u8]]) {
        self.0.lock().unwrap().other_osc += 1;
    }
}

const HOSTILE_JSON_FEED: &str = r#"{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Evil \u001b]0;PWNED-TITLE\u0007 feed",
  "items": [
    {
      "id": "1",
      "url": "{{BASE}}/a",
      "title": "Plain \u001b[31mREDWORD\u001b[0m headline \u001b]52;c;cHduZWQ=\u0007 \u202eoverride\u202c end",
      "date_published": "2026-11-23T10:00:00Z",
      "content_html": "<p>Body start \u001b[2J\u001b[H \u001b]8;;http://evil.example/\u001b\\clickme\u001b]8;;\u001b\\ \u009b31m \u009d2;C1TITLE\u009c middle \u001b]2;PWNED-AGAIN\u001b\\ body end.</p>"
    }
  ]
}"#;

#[test]
fn hostile_text_never_acts_on_the_terminal() {
    let server = TestServer::start();
    let feed = HOSTILE_JSON_FEED.replace("{{BASE}}", &server.url(""));
    server.route("/feed.json", Reply::ok("application/feed+json", feed));
    // The article page is gone: the reader shows the feed's own (hostile) content.
    server.route("/a", Reply::status(404));

    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("config.toml");
    std::fs::write(&config, "refresh_on_start = false\nrefresh_minutes = 0\n").unwrap();
    Command::cargo_bin("kiosque")
        .unwrap()
        .env("KIOSQUE_CONFIG", &config)
        .arg("--data-dir")
        .arg(data.path())
        .args(["add", &server.url("/feed.json")])
        .assert()
        .success();

    let recorder = Recorder::default();
    let parser = vt100::Parser::new_with_callbacks(size(40), size(120), 0, recorder.clone());
    let mut term = pty::spawn_parsed(pty::data_dir_command(data.path(), &config), parser);
    let list = term.wait_for("the hostile headline", |s| s.contains("REDWORD"));
    term.press(b"\r");
    let reader_pane = term.wait_for("the hostile body", |s| s.contains("body end."));

    // Colours: the word the feed painted red has the colours of its neighbours in the title.
    {
        let p = term.parser.lock().unwrap();
        let screen = p.screen();
        let (mut red_fg, mut plain_fg) = (None, None);
        for row in 0..40 {
            let line: String = (0..120)
                .map(|c| {
                    screen
                        .cell(row, c)
                        .map(|x| x.contents().to_string())
                        .unwrap_or_default()
                })
                .collect();
            if let (Some(red), Some(plain)) = (line.find("REDWORD"), line.find("Plain")) {
                let col = |byte: usize| u16::try_from(line[..byte].chars().count()).unwrap();
                red_fg = screen.cell(row, col(red)).map(vt100::Cell::fgcolor);
                plain_fg = screen.cell(row, col(plain)).map(vt100::Cell::fgcolor);
                break;
            }
        }
        assert!(red_fg.is_some(), "the headline row was found");
        assert_eq!(red_fg, plain_fg, "the feed's CSI colour did not apply");
    }
    term.press(b"qq");
    term.exit_ok();

    for screen in [&list, &reader_pane] {
        for bad in ["PWNED", "\u{202e}", "\u{202c}", "\u{1b}"] {
            assert!(
                !screen.contains(bad),
                "{bad:?} reached the screen:\n{screen}"
            );
        }
        // 8-bit C1 introducers are read as the cp1252 text they nearly always are (or
        // dropped), so their payload shows as harmless text; no C1 control reaches the screen.
        assert!(
            !screen.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)),
            "a C1 control reached the screen:\n{screen}"
        );
    }
    assert!(
        reader_pane.contains("clickme"),
        "the OSC 8 link's text stays readable"
    );
    let requests = recorder.0.lock().unwrap();
    assert!(
        requests.titles.is_empty(),
        "window title set: {:?}",
        requests.titles
    );
    assert!(
        requests.clipboard.is_empty(),
        "clipboard written: {:?}",
        requests.clipboard
    );
    assert_eq!(requests.other_osc, 0, "no other OSC reached the terminal");
}

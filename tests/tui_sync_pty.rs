//! The real TUI with `[sync]` set, in a pseudo-terminal, against a Google Reader server on
//! 127.0.0.1: the start-up sync brings the items, a star made while the server fails shows
//! as "1 pending" with the sync error, the TUI keeps working, and the next `R` pushes it.
//! Waits poll the parsed screen; no fixed sleeps.

#[path = "common/greader.rs"]
mod greader;
#[path = "common/pty.rs"]
mod pty;

use greader::{Flavor, GReaderServer};

#[test]
fn the_tui_syncs_shows_pending_changes_and_the_sync_error_and_keeps_working() {
    let server = GReaderServer::start(Flavor::FreshRss);
    let feed = server.add_feed("Alpha Engineering Log", Some("Tech"));
    let newest = server.add_item(feed, "Newest synced story", 60);
    server.add_item(feed, "Older synced story", 7_200);

    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "refresh_minutes = 0\ntimeout_seconds = 2\n\n[sync]\nservice = \"greader\"\nurl = \"{}\"\nusername = \"alice\"\n",
            server.api_url()
        ),
    )
    .unwrap();
    let mut command = pty::data_dir_command(data.path(), &config);
    command.env("KIOSQUE_SYNC_PASSWORD", "api-pass");
    let mut term = pty::spawn(command, 24, 100);

    // The start-up sync brings the items (R-less).
    term.wait_for("the synced headlines", |s| {
        s.contains("Newest synced story") && s.contains("synced: 2 new")
    });
    // The server fails the push: the star stays here, queued, and the error shows.
    server.fail_next("edit-tag", 503, 10);
    term.press(b"s");
    term.wait_for("the pending star", |s| s.contains("1 pending"));
    term.press(b"R");
    term.wait_for("the sync error", |s| {
        s.contains("sync:") && s.contains("503")
    });
    assert!(!server.state_of(newest).1);
    // Still working: the help overlay opens and closes.
    term.press(b"?");
    term.wait_for("the help", |s| s.contains("toggle star"));
    term.press(b"?");
    server.clear_faults();
    term.press(b"R");
    term.wait_for("the push", |s| {
        s.contains("synced: 0 new, 1 changes sent") && !s.contains("pending")
    });
    assert!(server.state_of(newest).1);

    term.press(b"qq");
    term.exit_ok();
}

//! Issue 13, item 6: feeds managed in the real TUI, in a pseudo-terminal, against a loopback
//! server: `a` subscribes (the URL of a page that advertises its feed: discovery), the result
//! shows and the new feed's items are listed; `e` renames it; `d` asks before removing it,
//! and `y` removes it. `list --json` agrees at the end. Waits poll the parsed screen.

mod common;
#[path = "common/pty.rs"]
mod pty;

use common::json;

#[test]
fn a_feed_is_added_renamed_and_removed_from_the_tui() {
    let server = common::feed_behind_a_page("Loopback News", 2);
    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("config.toml");
    std::fs::write(&config, "refresh_on_start = false\nrefresh_minutes = 0\n").unwrap();
    let mut term = pty::spawn(pty::data_dir_command(data.path(), &config), 24, 100);

    term.wait_for("the empty TUI", |s| s.contains("No subscriptions yet"));
    term.press(b"a");
    term.wait_for("the add prompt", |s| s.contains("Add feed"));
    term.press(server.url("/").as_bytes());
    term.press(b"\r");
    term.wait_for("the new feed and its items", |s| {
        s.contains("subscribed to Loopback News") && s.contains("Item 0") && s.contains("Item 1")
    });

    // Rename it from the sidebar: the prompt holds the old title.
    term.press(b"f");
    term.press(b"G");
    term.press(b"e");
    term.wait_for("the rename prompt", |s| {
        s.contains("Rename Loopback News: Loopback News")
    });
    term.press(&[0x7f; 13]);
    term.press(b"Wire\r");
    term.wait_for("the new title", |s| s.contains("renamed to Wire"));

    // Removing asks first: any key but y keeps it.
    term.press(b"d");
    term.wait_for("the question", |s| s.contains("Remove Wire and its items"));
    term.press(b"n");
    term.wait_for("kept", |s| s.contains("kept"));
    term.press(b"d");
    term.wait_for("the question again", |s| {
        s.contains("Remove Wire and its items")
    });
    term.press(b"y");
    term.wait_for("the removal", |s| s.contains("removed Wire"));

    term.press(b"q");
    term.exit_ok();
    assert_eq!(
        common::rows_of(&json(data.path(), &["list", "--json"])).len(),
        0
    );
}

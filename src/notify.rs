//! Notifications (`[[notify]]`): after a background refresh, each configured query is run over
//! the items that refresh brought; when it matches any, its command (an argument vector, never
//! a shell) is started with the count on the first line of its stdin and one title per line.

use crate::config::NotifyConfig;
use crate::model::ItemSummary;
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::io::Write;
use std::process::{Command, Stdio};

/// Titles handed to one command at most.
const MAX_TITLES: usize = 100;

/// What a notification command reads on its stdin: the count, then one title per line.
pub fn message(count: usize, items: &[ItemSummary]) -> String {
    let mut out = format!("{count}\n");
    for item in items {
        // One title is one line: no control characters, no line breaks inside.
        out.push_str(&crate::text::sanitize_line(&item.title));
        out.push('\n');
    }
    out
}

/// Run every notification whose query matches items first seen since `since`. Returns how
/// many commands were started; a command that cannot start is logged, never fatal.
pub fn notify_new_items(store: &Store, notify: &[NotifyConfig], since: DateTime<Utc>) -> usize {
    let mut started = 0;
    for entry in notify {
        let Ok(query) = crate::query::Query::parse(&entry.query) else {
            continue;
        };
        let items = match store.items_seen_since(&query, since, MAX_TITLES) {
            Ok(items) => items,
            Err(e) => {
                tracing::warn!("notification query {:?}: {e}", entry.query);
                continue;
            }
        };
        if items.is_empty() {
            continue;
        }
        match run(&entry.command, &message(items.len(), &items)) {
            Ok(()) => started += 1,
            Err(e) => tracing::warn!("notification command {:?}: {e}", entry.command),
        }
    }
    started
}

/// [`notify_new_items`] on the database at `db_path`, opened read-only (when there is a
/// notification to run); a database that cannot be opened is logged.
pub fn notify_from(db_path: &std::path::Path, notify: &[NotifyConfig], since: DateTime<Utc>) {
    if notify.is_empty() {
        return;
    }
    match Store::open_read_only(db_path) {
        Ok(store) => {
            notify_new_items(&store, notify, since);
        }
        Err(e) => tracing::warn!("notifications: {e}"),
    }
}

/// Start `command` with `input` on its stdin; it is reaped in the background.
fn run(command: &[String], input: &str) -> std::io::Result<()> {
    let Some((program, args)) = command.split_first() else {
        return Ok(());
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdin = child.stdin.take();
    let input = input.to_string();
    // Writing may block on a slow reader and the child must be waited for: both off the
    // caller's thread.
    std::thread::spawn(move || {
        if let Some(stdin) = stdin.as_mut() {
            let _ = stdin.write_all(input.as_bytes());
        }
        drop(stdin);
        let _ = child.wait();
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ParsedFeed, ParsedItem};
    use crate::store::{FetchRecord, NewFeed};

    #[test]
    fn matching_new_items_reach_the_command_on_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got.txt");
        let mut store = Store::open_in_memory().unwrap();
        let feed = store
            .add_feed(
                &NewFeed {
                    url: "http://127.0.0.1/f".into(),
                    ..Default::default()
                },
                Utc::now(),
            )
            .unwrap();
        let item = |key: &str, title: &str| ParsedItem {
            dedupe_key: key.into(),
            title: title.into(),
            url: None,
            author: None,
            published: None,
            summary_html: None,
            content_html: None,
            enclosures: vec![],
        };
        let doc = |items| ParsedFeed {
            title: None,
            site_url: None,
            items,
        };
        let earlier = Utc::now() - chrono::Duration::hours(1);
        store
            .record_fetch(
                feed,
                earlier,
                &FetchRecord::default(),
                Some(&doc(vec![item("a", "Rust old news")])),
            )
            .unwrap();
        let since = Utc::now() - chrono::Duration::seconds(5);
        store
            .record_fetch(
                feed,
                Utc::now(),
                &FetchRecord::default(),
                Some(&doc(vec![
                    item("a", "Rust old news"),
                    item("b", "Rust 2.0"),
                    item("c", "Weather"),
                ])),
            )
            .unwrap();
        let config = |query: &str| NotifyConfig {
            query: query.into(),
            command: vec![
                "sh".into(),
                "-c".into(),
                format!("cat > '{}'", out.display()),
            ],
        };
        assert_eq!(notify_new_items(&store, &[config("nothing")], since), 0);
        assert_eq!(notify_new_items(&store, &[config("rust")], since), 1);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let got = loop {
            let got = std::fs::read_to_string(&out).unwrap_or_default();
            if got.ends_with('\n') || std::time::Instant::now() > deadline {
                break got;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(got, "1\nRust 2.0\n", "only what the refresh brought");
    }

    #[test]
    fn a_title_is_one_line() {
        let mut item = crate::tui::fixtures::row(0);
        item.title = "two\nlines\u{1b}[31m".into();
        let text = message(1, &[item]);
        assert_eq!(text.lines().count(), 2, "{text:?}");
    }
}

//! Crash safety through the real binary: SIGKILL in the middle of a refresh and of a bulk
//! mark, over and over; two refreshes at once; an unusable data directory. Afterwards the
//! database passes `PRAGMA integrity_check`, no read/star state that was reported done is
//! lost, a bulk mark is all-or-nothing, and no item is stored twice.

mod common;

use common::{Reply, TestServer, kiosque_process as kiosque, rss_with_items, run_ok};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn spawn(data: &Path, args: &[&str]) -> Child {
    kiosque(data)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn db_path(data: &Path) -> PathBuf {
    data.join("kiosque.db")
}

/// Opens the database read-write the way a fresh process would (WAL recovery included).
fn open_db(data: &Path) -> Connection {
    Connection::open(db_path(data)).unwrap()
}

fn integrity(conn: &Connection) -> String {
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// (read, starred) per item id.
fn states(conn: &Connection) -> BTreeMap<i64, (bool, bool)> {
    let mut stmt = conn.prepare("SELECT id, read, starred FROM items").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn duplicate_items(conn: &Connection) -> i64 {
    conn.query_row(
        "SELECT COUNT(*) FROM (SELECT feed_id, dedupe_key FROM items
                               GROUP BY feed_id, dedupe_key HAVING COUNT(*) > 1)",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// A server with `n` feeds (every fifth one slow) and a data dir subscribed to them.
fn many_feeds(n: usize, items_each: usize) -> (TestServer, tempfile::TempDir) {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(
        data.path().join("config.toml"),
        "prefetch = 0\ntimeout_seconds = 10\nconcurrency = 16\n",
    )
    .unwrap();
    let mut outlines = String::new();
    for i in 0..n {
        let path = format!("/f/{i}");
        route_feed(&server, &path, i, items_each, 0);
        let url = server.url(&path);
        outlines.push_str(&format!("<outline text=\"f{i}\" xmlUrl=\"{url}\"/>"));
    }
    let opml_path = common::opml_file(data.path(), &outlines);
    run_ok(data.path(), &["import", opml_path.to_str().unwrap()]);
    (server, data)
}

/// Feed `i` with `items` items whose keys depend on `round`, so each round writes new rows.
fn route_feed(server: &TestServer, path: &str, i: usize, items: usize, round: usize) {
    let body = rss_with_items(&format!("Feed {i}"), items + round)
        .replace("<guid>item-", &format!("<guid>f{i}-item-"));
    let reply = Reply::rss(body);
    let reply = if i.is_multiple_of(5) {
        Reply::Delayed {
            delay: Duration::from_millis(100 + (i as u64 * 37) % 900),
            reply: Box::new(reply),
        }
    } else {
        reply
    };
    server.route(path, reply);
}

/// Marks a fixed subset read and another starred through the CLI; returns what was done.
fn mark_some(data: &Path) -> BTreeMap<i64, (bool, bool)> {
    let before = states(&open_db(data));
    let ids: Vec<i64> = before.keys().copied().collect();
    assert!(ids.len() > 100, "need items to mark, have {}", ids.len());
    for (flag, step) in [("--read", 3), ("--star", 7)] {
        let chosen: Vec<String> = ids.iter().step_by(step).map(i64::to_string).collect();
        let mut args = vec!["mark", flag];
        args.extend(chosen.iter().map(String::as_str));
        run_ok(data, &args);
    }
    let after = states(&open_db(data));
    for id in ids.iter().step_by(3) {
        assert!(after[id].0, "mark --read {id} reported done");
    }
    for id in ids.iter().step_by(7) {
        assert!(after[id].1, "mark --star {id} reported done");
    }
    after
}

fn assert_kept(data: &Path, expected: &BTreeMap<i64, (bool, bool)>, when: &str) {
    let conn = open_db(data);
    assert_eq!(integrity(&conn), "ok", "{when}");
    assert_eq!(duplicate_items(&conn), 0, "{when}: duplicate items");
    let now = states(&conn);
    for (id, (read, starred)) in expected {
        let got = now.get(id).copied();
        assert!(got.is_some(), "{when}: item {id} vanished");
        let (r, s) = got.unwrap();
        assert!(!*read || r, "{when}: item {id} lost its read state");
        assert!(!*starred || s, "{when}: item {id} lost its star");
    }
}

/// How many items the database holds, as a fresh reader sees it (every committed write).
fn item_count(conn: &Connection) -> usize {
    conn.query_row("SELECT COUNT(*) FROM items", [], |r| r.get::<_, i64>(0))
        .unwrap()
        .try_into()
        .unwrap()
}

const KILL_LOOP_FEEDS: usize = 300;

/// Kills `kiosque refresh` `rounds` times, each time provably in the middle of its work: every
/// round gives each feed exactly one new item, the kill waits until a varying number of feeds
/// (1–150) have been written, and afterwards the database must show that some but not all of
/// the round's feeds were written. Returns the rounds' kill points (feeds written when killed).
fn kill_refresh_loop(rounds: usize) -> Vec<usize> {
    let (server, data) = many_feeds(KILL_LOOP_FEEDS, 3);
    run_ok(data.path(), &["refresh"]);
    let mut expected = mark_some(data.path());
    let mut kill_points = Vec::new();
    for round in 0..rounds {
        // A state reported done between kills must survive the later ones too.
        let unread: Vec<i64> = expected
            .iter()
            .filter(|(_, (read, _))| !read)
            .map(|(id, _)| *id)
            .take(2)
            .collect();
        if let [to_read, to_star] = unread[..] {
            run_ok(data.path(), &["mark", &to_read.to_string(), "--read"]);
            run_ok(data.path(), &["mark", &to_star.to_string(), "--star"]);
            expected.entry(to_read).or_default().0 = true;
            expected.entry(to_star).or_default().1 = true;
        }
        // One new item per feed every round, so every feed written adds exactly one row.
        for i in 0..KILL_LOOP_FEEDS {
            route_feed(&server, &format!("/f/{i}"), i, 3, round + 1);
        }
        let watcher = open_db(data.path());
        let before = item_count(&watcher);
        let target = 1 + (round * 37) % 150;
        let mut child = spawn(data.path(), &["refresh"]);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "round {round}: the refresh ended ({status}) before {target} feeds were written"
                );
            }
            if item_count(&watcher) - before >= target {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert_ne!(status.code(), Some(101), "refresh panicked");
        drop(watcher);
        // The proof the kill landed mid-work: the round's writes are there in part only.
        let written = item_count(&open_db(data.path())) - before;
        assert!(
            written >= target && written < KILL_LOOP_FEEDS,
            "round {round}: {written} of {KILL_LOOP_FEEDS} feeds written after a kill at {target}: not killed mid-refresh"
        );
        kill_points.push(written);
        assert_kept(
            data.path(),
            &expected,
            &format!("after round {round} (killed with {written} feeds written)"),
        );
    }
    // The database still works for a full refresh afterwards.
    run_ok(data.path(), &["refresh"]);
    assert_kept(data.path(), &expected, "after the final refresh");
    kill_points
}

#[test]
fn kill_9_during_refresh_loses_nothing() {
    // benches/kill9_loop.sh raises the count through this variable.
    let rounds = std::env::var("KIOSQUE_KILL9_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let kill_points = kill_refresh_loop(rounds);
    assert_eq!(kill_points.len(), rounds);
    println!(
        "kill -9 during refresh: {rounds}/{rounds} runs killed mid-way (feeds of {KILL_LOOP_FEEDS} written at each kill: {kill_points:?}), database ok each time"
    );
}

/// True while another connection holds the database's write lock (a writer is inside its
/// transaction); never waits and never keeps the lock itself.
fn write_lock_is_held(conn: &Connection) -> bool {
    match conn.execute_batch("BEGIN IMMEDIATE") {
        Ok(()) => {
            conn.execute_batch("ROLLBACK").unwrap();
            false
        }
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::DatabaseBusy =>
        {
            true
        }
        Err(e) => panic!("probing the write lock: {e}"),
    }
}

#[test]
fn kill_9_during_a_bulk_mark_is_all_or_nothing() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("config.toml"), "").unwrap();
    {
        let mut store = kiosque::store::Store::open(&db_path(data.path())).unwrap();
        store
            .add_test_feed("http://127.0.0.1:9/feed", 30_000)
            .unwrap();
    }
    let all: Vec<i64> = states(&open_db(data.path())).keys().copied().collect();
    // A first state that must survive everything: the first 1,000 starred.
    let starred: Vec<String> = all[..1000].iter().map(i64::to_string).collect();
    let mut args = vec!["mark", "--star"];
    args.extend(starred.iter().map(String::as_str));
    run_ok(data.path(), &args);
    let expected = states(&open_db(data.path()));

    let bulk: Vec<String> = all.iter().map(i64::to_string).collect();
    let probe = open_db(data.path());
    probe.busy_timeout(Duration::ZERO).unwrap();

    let (mut killed, mut all_done, mut none_done) = (0, 0, 0);
    for round in 0..20u32 {
        // Alternate read and unread so each round has a change to make.
        let flag = if round.is_multiple_of(2) {
            "--read"
        } else {
            "--unread"
        };
        let target = round.is_multiple_of(2);
        let before = states(&open_db(data.path()));
        let mut args = vec!["mark", flag];
        args.extend(bulk.iter().map(String::as_str));
        // Kill as soon as the mark holds the write lock: inside its one transaction.
        let mut child = spawn(data.path(), &args);
        while !write_lock_is_held(&probe) {
            assert!(
                child.try_wait().unwrap().is_none(),
                "round {round}: the mark ended before it was seen writing"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        child.kill().unwrap();
        killed += 1;
        let status = child.wait().unwrap();
        assert_ne!(status.code(), Some(101), "mark panicked");
        let conn = open_db(data.path());
        assert_eq!(integrity(&conn), "ok", "round {round}");
        let after = states(&conn);
        let changed = all.iter().filter(|id| after[id].0 == target).count();
        if changed == all.len() {
            all_done += 1;
        } else {
            // Not all: then none may have changed.
            let unchanged = all.iter().all(|id| after[id].0 == before[id].0);
            assert!(
                unchanged,
                "round {round}: a killed bulk mark left {changed}/{} items changed",
                all.len()
            );
            none_done += 1;
            // Bring the state to what this round meant, for the next round's alternation.
            let mut args = vec!["mark", flag];
            args.extend(bulk.iter().map(String::as_str));
            run_ok(data.path(), &args);
        }
        for (id, (_, starred)) in &expected {
            assert!(!starred || after[id].1, "round {round}: star on {id} lost");
        }
    }
    println!(
        "kill -9 during bulk mark of {} ids: {killed} killed inside the transaction, {all_done} all applied (the commit won the race), {none_done} none applied",
        all.len()
    );
    // Rounds that found nothing applied are the ones that test all-or-nothing: a kill that
    // lands after every commit would prove nothing.
    assert!(
        none_done > 0,
        "every kill came after the commit: the test proved nothing"
    );
}

#[test]
fn two_refreshes_at_once_both_work_or_one_says_locked() {
    let (_server, data) = many_feeds(120, 5);
    run_ok(data.path(), &["refresh"]);
    let expected = mark_some(data.path());
    for round in 0..3 {
        let first = spawn(data.path(), &["refresh"]);
        let second = spawn(data.path(), &["refresh"]);
        for (name, child) in [("first", first), ("second", second)] {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() || stderr.to_lowercase().contains("lock"),
                "round {round}: {name} refresh failed without saying the database is locked: {:?} {stderr}",
                out.status
            );
        }
        assert_kept(data.path(), &expected, &format!("concurrent round {round}"));
    }
}

#[test]
fn a_data_dir_under_a_regular_file_is_a_clear_one_line_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let bad = file.join("data");
    let out = kiosque(&bad).args(["list"]).output().unwrap();
    assert!(!out.status.success());
    assert_ne!(out.status.code(), Some(101), "panicked");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].contains("not-a-dir"), "names the path: {stderr}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "x",
        "file untouched"
    );
}

/// True when permission bits do not stop this process from writing (root, CAP_DAC_OVERRIDE).
fn permissions_are_ignored(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    let ignored = std::fs::write(&probe, "x").is_ok();
    let _ = std::fs::remove_file(probe);
    ignored
}

/// Makes every path immutable (`chattr +i`) until dropped: stops writes even for root.
struct Immutable(Vec<PathBuf>);

impl Immutable {
    fn set(paths: Vec<PathBuf>) -> Option<Immutable> {
        let ok = Command::new("chattr")
            .arg("+i")
            .args(&paths)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let guard = Immutable(paths);
        ok.then_some(guard)
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").args(&self.0).status();
    }
}

/// Runs `args` on an unwritable data dir: no panic, and a failure is one clear line.
fn run_unwritable(data: &Path, args: &[&str]) -> Output {
    let out = kiosque(data).args(args).output().unwrap();
    assert_ne!(out.status.code(), Some(101), "{args:?} panicked");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{args:?}: one clear line: {stderr}");
    }
    println!(
        "{args:?} on an unwritable data dir: {:?} {}",
        out.status.code(),
        stderr.trim()
    );
    out
}

#[test]
fn a_read_only_data_dir_is_a_clear_error_and_keeps_old_data() {
    // The log file stays writable here: its own bug has its own test below.
    read_only_data_dir(false);
}

#[test]
fn an_unwritable_log_file_is_not_a_panic() {
    read_only_data_dir(true);
}

/// Makes the data dir, the database (and the log file when `log_too`) unwritable, then
/// checks that commands fail clearly, never panic, and change nothing.
fn read_only_data_dir(log_too: bool) {
    use std::os::unix::fs::PermissionsExt;
    let (_server, data) = many_feeds(5, 5);
    run_ok(data.path(), &["refresh"]);
    let expected = mark_some_few(data.path());
    let before = std::fs::read(db_path(data.path())).unwrap();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| log_too || !p.ends_with("kiosque.log"))
        .collect();
    paths.push(data.path().to_path_buf());
    let set_mode = |mode: u32| {
        for path in &paths {
            let m = if path.is_dir() {
                mode
            } else {
                mode & 0o444 | 0o400
            };
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(m)).unwrap();
        }
    };
    set_mode(0o500);
    let guard = if permissions_are_ignored(data.path()) {
        // Root ignores permission bits; the immutable attribute stops root too.
        set_mode(0o700);
        match Immutable::set(paths.clone()) {
            Some(guard) => Some(guard),
            None => {
                println!(
                    "skipping the read-only data dir check: running as root (chmod 0500 does not stop writes) and chattr +i is not available here"
                );
                return;
            }
        }
    } else {
        None
    };
    let mark = run_unwritable(data.path(), &["mark", "1", "--unread"]);
    run_unwritable(data.path(), &["mark", "3", "--unstar"]);
    run_unwritable(data.path(), &["refresh"]);
    run_unwritable(data.path(), &["list"]);
    drop(guard);
    set_mode(0o700);
    assert!(
        !mark.status.success(),
        "mark on a read-only data dir claimed success"
    );
    assert_eq!(
        std::fs::read(db_path(data.path())).unwrap(),
        before,
        "database changed"
    );
    assert_kept(data.path(), &expected, "after the read-only attempts");
}

fn mark_some_few(data: &Path) -> BTreeMap<i64, (bool, bool)> {
    run_ok(data, &["mark", "1", "--read"]);
    run_ok(data, &["mark", "2", "--read"]);
    run_ok(data, &["mark", "3", "--star"]);
    states(&open_db(data))
}

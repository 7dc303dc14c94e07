//! A programmable HTTP/1.1 server on 127.0.0.1 for flow tests: fixed answers, conditional
//! GET, redirects, and the faults a feed reader meets (silence, dripping, endless bodies, gzip
//! bombs). Blocking threads, so it serves CLI processes and async tests alike; it stops when
//! dropped. Also the `kiosque` command line pointed at a test's own data dir.

#![allow(
    dead_code,
    unused_imports,
    reason = "each test file uses a different part of the helper"
)]

use std::collections::HashMap;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

mod http;
#[path = "../../src/shared_corpus.rs"]
mod shared_corpus;
pub use shared_corpus::{files_under, shared_corpus};

pub mod synthetic;
pub mod tls;

/// How the server answers one path.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Status, extra headers, body.
    Fixed {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// 200 with validators; 304 when the request's If-None-Match or If-Modified-Since matches.
    Conditional {
        etag: Option<String>,
        last_modified: Option<String>,
        content_type: String,
        body: Vec<u8>,
    },
    /// A redirect.
    Redirect { status: u16, location: String },
    /// Accept the connection and never answer.
    Silent,
    /// Headers, then one body byte every `interval` forever.
    Drip { interval: Duration },
    /// Headers with no length, then an endless body as fast as possible.
    Endless,
    /// The body gzip-compressed, with Content-Encoding: gzip.
    Gzip { content_type: String, body: Vec<u8> },
    /// Wait, then answer.
    Delayed { delay: Duration, reply: Box<Reply> },
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Fixed {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn rss(body: impl Into<Vec<u8>>) -> Reply {
        Reply::ok("application/rss+xml", body)
    }

    pub fn status(status: u16) -> Reply {
        Reply::Fixed {
            status,
            headers: vec![],
            body: format!("status {status}").into_bytes(),
        }
    }

    pub fn redirect(status: u16, location: impl Into<String>) -> Reply {
        Reply::Redirect {
            status,
            location: location.into(),
        }
    }

    /// 200 with these validators and an RSS body; 304 when the request matches them.
    pub fn conditional(etag: Option<&str>, last_modified: Option<&str>, body: &[u8]) -> Reply {
        Reply::Conditional {
            etag: etag.map(str::to_string),
            last_modified: last_modified.map(str::to_string),
            content_type: "application/rss+xml".into(),
            body: body.to_vec(),
        }
    }

    pub fn with_header(status: u16, name: &str, value: &str) -> Reply {
        Reply::Fixed {
            status,
            headers: vec![(name.into(), value.into())],
            body: Vec::new(),
        }
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    pub path: String,
    pub headers: HashMap<String, String>,
}

/// The server. Routes can change while it runs.
pub struct TestServer {
    pub addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    stop: Arc<AtomicBool>,
}

impl TestServer {
    pub fn start() -> TestServer {
        let routes: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let seen: Arc<Mutex<Vec<SeenRequest>>> = Arc::default();
        let (r, s) = (routes.clone(), seen.clone());
        let (addr, stop) = http::serve(move |socket, stop| handle(socket, &r, &s, stop));
        TestServer {
            addr,
            routes,
            seen,
            stop,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn route(&self, path: &str, reply: Reply) {
        self.routes.lock().unwrap().insert(path.to_string(), reply);
    }

    /// Requests made to `path` so far.
    pub fn hits(&self, path: &str) -> Vec<SeenRequest> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn handle(
    mut socket: TcpStream,
    routes: &Mutex<HashMap<String, Reply>>,
    seen: &Mutex<Vec<SeenRequest>>,
    stop: &AtomicBool,
) {
    let Some(request) = http::read_request(&mut socket) else {
        return;
    };
    let request = SeenRequest {
        path: request.target,
        headers: request.headers.into_iter().collect(),
    };
    seen.lock().unwrap().push(request.clone());
    let reply = routes.lock().unwrap().get(&request.path).cloned();
    let Some(reply) = reply else {
        http::write_fixed(&mut socket, 404, &[], b"no such path");
        return;
    };
    answer(&mut socket, &request, reply, stop);
}

fn answer(socket: &mut TcpStream, request: &SeenRequest, reply: Reply, stop: &AtomicBool) {
    match reply {
        Reply::Fixed {
            status,
            headers,
            body,
        } => http::write_fixed(socket, status, &headers, &body),
        Reply::Conditional {
            etag,
            last_modified,
            content_type,
            body,
        } => {
            let etag_match =
                etag.is_some() && request.headers.get("if-none-match") == etag.as_ref();
            let date_match = last_modified.is_some()
                && request.headers.get("if-modified-since") == last_modified.as_ref();
            let mut headers = vec![("Content-Type".to_string(), content_type)];
            headers.extend(etag.clone().map(|e| ("ETag".into(), e)));
            headers.extend(last_modified.clone().map(|l| ("Last-Modified".into(), l)));
            if etag_match || date_match {
                http::write_fixed(socket, 304, &headers, b"");
            } else {
                http::write_fixed(socket, 200, &headers, &body);
            }
        }
        Reply::Redirect { status, location } => {
            http::write_fixed(socket, status, &[("Location".into(), location)], b"")
        }
        Reply::Silent => http::hang(socket, stop),
        Reply::Drip { interval } => {
            let _ = socket.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n<rss>",
            );
            while !stop.load(Ordering::Relaxed) {
                thread::sleep(interval);
                if socket.write_all(b" ").is_err() {
                    return;
                }
            }
        }
        Reply::Endless => {
            let _ = socket.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n<rss>",
            );
            let chunk = vec![b'x'; 64 * 1024];
            while !stop.load(Ordering::Relaxed) {
                if socket.write_all(&chunk).is_err() {
                    return;
                }
            }
        }
        Reply::Gzip { content_type, body } => {
            use flate2::Compression;
            use flate2::write::GzEncoder;
            let mut enc = GzEncoder::new(Vec::new(), Compression::best());
            enc.write_all(&body).unwrap();
            let compressed = enc.finish().unwrap();
            http::write_fixed(
                socket,
                200,
                &[
                    ("Content-Type".into(), content_type),
                    ("Content-Encoding".into(), "gzip".into()),
                ],
                &compressed,
            );
        }
        Reply::Delayed { delay, reply } => {
            thread::sleep(delay);
            answer(socket, request, *reply, stop);
        }
    }
}

/// A small RSS 2.0 document with `n` items, keys `item-0`…
pub fn rss_with_items(title: &str, n: usize) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>{title}</title><link>http://127.0.0.1/</link>"
    );
    for i in 0..n {
        s.push_str(&format!(
            "<item><title>Item {i}</title><guid>item-{i}</guid><link>http://127.0.0.1/item/{i}</link><pubDate>Mon, 2{} Nov 2026 10:00:00 GMT</pubDate><description>Body {i}</description></item>",
            i % 3
        ));
    }
    s.push_str("</channel></rss>");
    s
}

/// The `kiosque` binary on the data dir `data`: `KIOSQUE_DATA_DIR` unset and the config file
/// `data/config.toml` (missing unless the test writes it), so nothing of the user's is read.
pub fn kiosque(data: &Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(kiosque_process(data))
}

/// [`kiosque`] as a plain process, to spawn (and kill) it; its stdin is empty.
pub fn kiosque_process(data: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiosque"));
    cmd.env_remove("KIOSQUE_DATA_DIR")
        .env("KIOSQUE_CONFIG", data.join("config.toml"))
        .arg("--data-dir")
        .arg(data)
        .stdin(std::process::Stdio::null());
    cmd
}

/// What `kiosque args` on `data` prints; fails with its stderr unless it succeeds.
pub fn run_ok(data: &Path, args: &[&str]) -> String {
    let out = kiosque(data).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `cmd`: its (stdout, stderr); fails with its stderr unless it succeeds.
pub fn succeeds(cmd: &mut assert_cmd::Command) -> (String, String) {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), err)
}

/// Runs `cmd`: its stderr; fails unless the command fails with one line on stderr.
pub fn fails_in_one_line(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

/// What `kiosque args` on `data` prints, read as JSON; fails unless it succeeds.
pub fn json(data: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&run_ok(data, args)).unwrap()
}

/// `dir/subs.opml`, an OPML file with `outlines` in its body; its path.
pub fn opml_file(dir: &Path, outlines: &str) -> std::path::PathBuf {
    let path = dir.join("subs.opml");
    let doc = format!(
        r#"<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>"#
    );
    std::fs::write(&path, doc).unwrap();
    path
}

/// A fresh data dir subscribed to the feed at `url` (`kiosque add URL` succeeded).
pub fn subscribed(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    kiosque(dir.path()).args(["add", url]).assert().success();
    dir
}

/// The id of the first item `kiosque items` lists on `data` (the newest).
pub fn first_item_id(data: &Path) -> String {
    id_of(&json(data, &["items", "--json"])[0])
}

/// The rows of a JSON list (`list --json`, `items --json`…).
pub fn rows_of(list: &serde_json::Value) -> &Vec<serde_json::Value> {
    list.as_array().unwrap()
}

/// The `key` text of every row of a JSON list.
pub fn column<'a>(list: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    rows_of(list)
        .iter()
        .map(|r| r[key].as_str().unwrap())
        .collect()
}

/// The row of a JSON list whose `key` is `value`.
pub fn row<'a>(rows: &'a serde_json::Value, key: &str, value: &str) -> &'a serde_json::Value {
    let found = rows_of(rows).iter().find(|r| r[key] == value);
    found.unwrap_or_else(|| panic!("no {key} {value:?} in {rows}"))
}

/// A JSON row's id, as the commands take it.
pub fn id_of(row: &serde_json::Value) -> String {
    row["id"].as_i64().unwrap().to_string()
}

/// A server with a feed of `n` items titled `title` at `/feed.xml`.
pub fn feed_server(title: &str, n: usize) -> TestServer {
    let server = TestServer::start();
    server.route("/feed.xml", Reply::rss(rss_with_items(title, n)));
    server
}

/// [`feed_server`], and at `/` a page that advertises the feed (for discovery).
pub fn feed_behind_a_page(title: &str, n: usize) -> TestServer {
    let server = feed_server(title, n);
    let link = r#"<link rel="alternate" type="application/rss+xml" href="/feed.xml">"#;
    let page = format!("<html><head>{link}</head><body>home</body></html>");
    server.route("/", Reply::ok("text/html", page));
    server
}

/// A server with `/feed`: one item whose page, `/item/0`, answers 404.
pub fn one_item_whose_page_is_gone() -> TestServer {
    let server = TestServer::start();
    server.route(
        "/feed",
        Reply::rss(
            rss_with_items("F", 1).replace("http://127.0.0.1/item/0", &server.url("/item/0")),
        ),
    );
    server.route("/item/0", Reply::status(404));
    server
}

/// The keys of an article as `read --json` and `extract --json` print it (the contract's
/// article object).
pub const ARTICLE_VIEW_KEYS: &str = "title byline published lang url text related links source";

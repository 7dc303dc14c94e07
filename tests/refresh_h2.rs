//! `kiosque refresh` against a loopback HTTPS server (test CA trusted through SSL_CERT_FILE):
//! over HTTP/2 one host gets many requests at once on few connections, over HTTP/1.1 never
//! more than `per_host`.

mod common;

use common::tls;
use hyper::body::Bytes;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const FEEDS: usize = 16;
/// A request is held until this many are in flight at once (or a second passed), so the
/// peak the server sees is what the client allows, not how fast the answers come back.
const GATE: usize = 8;

#[derive(Default)]
struct Seen {
    connections: AtomicUsize,
    inflight: AtomicUsize,
    peak: AtomicUsize,
    requests: AtomicUsize,
}

/// Serve RSS on https://127.0.0.1:PORT/feed/N, speaking h2 (ALPN) unless `h1_only`.
fn start_tls_server(h1_only: bool) -> (u16, Arc<Seen>) {
    let acceptor = tls::acceptor(
        &tls::fixture("leaf.pem"),
        &tls::fixture("leaf.key"),
        h1_only,
    )
    .unwrap();
    let seen = Arc::new(Seen::default());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let server_seen = seen.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, seen) = (acceptor.clone(), server_seen.clone());
                tokio::spawn(async move {
                    let counted = seen.clone();
                    tls::serve_connection(
                        acceptor,
                        tcp,
                        100,
                        move |_| {
                            counted.connections.fetch_add(1, Ordering::SeqCst);
                        },
                        move |request| {
                            let seen = seen.clone();
                            async move { answer(&seen, request).await }
                        },
                    )
                    .await;
                });
            }
        });
    });
    (port, seen)
}

async fn answer(
    seen: &Seen,
    request: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<http_body_util::Full<Bytes>> {
    let now = seen.inflight.fetch_add(1, Ordering::SeqCst) + 1;
    seen.peak.fetch_max(now, Ordering::SeqCst);
    for _ in 0..100 {
        if seen.inflight.load(Ordering::SeqCst) >= GATE {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    seen.requests.fetch_add(1, Ordering::SeqCst);
    let path = request.uri().path();
    let body = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{path}</title>\
         <item><title>One of {path}</title><guid>{path}/1</guid><link>https://127.0.0.1{path}/1</link></item>\
         <item><title>Two of {path}</title><guid>{path}/2</guid><link>https://127.0.0.1{path}/2</link></item>\
         </channel></rss>"
    );
    // Stay counted until the gate is seen by the others too.
    tokio::time::sleep(Duration::from_millis(20)).await;
    seen.inflight.fetch_sub(1, Ordering::SeqCst);
    hyper::Response::builder()
        .header("content-type", "application/rss+xml")
        .body(http_body_util::Full::new(Bytes::from(body)))
        .unwrap()
}

/// Subscribe a fresh data dir to FEEDS feeds on the server (per_host = 2) and refresh it.
fn refresh_all(port: u16) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "refresh_on_start = false\nconcurrency = 32\nper_host = 2\n",
    )
    .unwrap();
    let outlines: String = (0..FEEDS)
        .map(|n| format!("<outline text=\"f{n}\" xmlUrl=\"https://127.0.0.1:{port}/feed/{n}\"/>"))
        .collect();
    let opml_path = common::opml_file(dir.path(), &outlines);
    common::run_ok(dir.path(), &["import", opml_path.to_str().unwrap()]);
    common::kiosque(dir.path())
        .env("SSL_CERT_FILE", tls::fixture("ca.pem"))
        .env_remove("SSL_CERT_DIR")
        .arg("refresh")
        .assert()
        .success();
    dir
}

#[test]
fn over_http2_a_host_gets_many_requests_at_once_on_few_connections() {
    let (port, seen) = start_tls_server(false);
    let dir = refresh_all(port);
    let items = common::json(dir.path(), &["items", "--json"]);
    assert_eq!(items.as_array().unwrap().len(), FEEDS * 2);
    assert_eq!(seen.requests.load(Ordering::SeqCst), FEEDS);
    let peak = seen.peak.load(Ordering::SeqCst);
    assert!(peak >= GATE, "HTTP/2 multiplexes: {peak} requests at once");
    let connections = seen.connections.load(Ordering::SeqCst);
    assert!(
        connections <= 2,
        "at most per_host connections: {connections}"
    );
}

#[test]
fn over_http1_a_host_never_gets_more_than_per_host_requests_at_once() {
    let (port, seen) = start_tls_server(true);
    let dir = refresh_all(port);
    let items = common::json(dir.path(), &["items", "--json"]);
    assert_eq!(items.as_array().unwrap().len(), FEEDS * 2);
    let peak = seen.peak.load(Ordering::SeqCst);
    assert!(peak <= 2, "per_host = 2 but {peak} requests at once");
    assert!(seen.connections.load(Ordering::SeqCst) <= 2);
}

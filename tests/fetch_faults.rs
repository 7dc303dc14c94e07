//! The shared HTTP client against a loopback server: statuses, conditional GET, redirects and
//! the faults it must survive (silence, dripping, endless and bomb bodies, loops, bad schemes).

mod common;

use common::{Reply, TestServer};
use kiosque::config::Config;
use kiosque::error::FetchError;
use kiosque::fetch::{Conditional, FetchResponse, Fetcher};
use std::time::Duration;

fn fetcher_with(timeout_seconds: u64, max_body_bytes: u64) -> Fetcher {
    Fetcher::new(&Config {
        timeout_seconds,
        connect_timeout_seconds: 2,
        max_body_bytes,
        ..Config::default()
    })
    .unwrap()
}

fn fetcher() -> Fetcher {
    fetcher_with(5, 1_000_000)
}

/// GET `path` on `server`, no validators.
async fn get(f: &Fetcher, server: &TestServer, path: &str) -> Result<FetchResponse, FetchError> {
    f.get(&server.url(path), &Conditional::default()).await
}

#[tokio::test]
async fn plain_200_carries_body_validators_and_user_agent() {
    let server = TestServer::start();
    server.route(
        "/feed",
        Reply::conditional(
            Some("\"abc\""),
            Some("Tue, 24 Nov 2026 10:00:00 GMT"),
            b"<rss/>",
        ),
    );
    let r = get(&fetcher(), &server, "/feed").await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"<rss/>");
    assert_eq!(r.etag.as_deref(), Some("\"abc\""));
    assert_eq!(
        r.last_modified.as_deref(),
        Some("Tue, 24 Nov 2026 10:00:00 GMT")
    );
    let ua = server.hits("/feed")[0].headers["user-agent"].clone();
    assert!(ua.starts_with("kiosque/"), "{ua}");
}

#[tokio::test]
async fn etag_and_last_modified_give_304() {
    let server = TestServer::start();
    server.route("/etag", Reply::conditional(Some("\"v1\""), None, b"<rss/>"));
    server.route(
        "/lm",
        Reply::conditional(None, Some("Tue, 24 Nov 2026 10:00:00 GMT"), b"<rss/>"),
    );
    let f = fetcher();
    let by_etag = Conditional {
        etag: Some("\"v1\"".into()),
        last_modified: None,
    };
    let r = f.get(&server.url("/etag"), &by_etag).await.unwrap();
    assert!(r.not_modified());
    assert!(r.body.is_empty());
    let by_date = Conditional {
        etag: None,
        last_modified: Some("Tue, 24 Nov 2026 10:00:00 GMT".into()),
    };
    assert!(
        f.get(&server.url("/lm"), &by_date)
            .await
            .unwrap()
            .not_modified()
    );
}

#[tokio::test]
async fn permanent_redirects_are_reported_temporary_ones_not() {
    let server = TestServer::start();
    server.route("/new", Reply::rss("<rss/>"));
    server.route("/old", Reply::redirect(301, "/new"));
    server.route("/tmp", Reply::redirect(302, server.url("/new")));
    let f = fetcher();
    let moved = get(&f, &server, "/old").await.unwrap();
    assert!(moved.moved_permanently);
    assert_eq!(moved.final_url.as_str(), server.url("/new"));
    let tmp = get(&f, &server, "/tmp").await.unwrap();
    assert!(!tmp.moved_permanently);
    assert_eq!(tmp.status, 200);
}

#[tokio::test]
async fn error_statuses_are_answers_with_retry_after() {
    let server = TestServer::start();
    for s in [404u16, 410, 500] {
        server.route(&format!("/s{s}"), Reply::status(s));
    }
    server.route("/busy", Reply::with_header(429, "Retry-After", "120"));
    let f = fetcher();
    for s in [404u16, 410, 500] {
        let r = get(&f, &server, &format!("/s{s}")).await.unwrap();
        assert_eq!(r.status, s);
        assert!(r.body.is_empty(), "error bodies are not read");
    }
    let busy = get(&f, &server, "/busy").await.unwrap();
    assert_eq!(busy.status, 429);
    let wait = busy.retry_after.unwrap() - chrono::Utc::now();
    assert!(wait.num_seconds() > 100 && wait.num_seconds() <= 120);
}

#[tokio::test]
async fn gzip_bodies_are_decompressed() {
    let server = TestServer::start();
    server.route(
        "/gz",
        Reply::Gzip {
            content_type: "application/rss+xml".into(),
            body: b"<rss version=\"2.0\"><channel/></rss>".to_vec(),
        },
    );
    let r = get(&fetcher(), &server, "/gz").await.unwrap();
    assert_eq!(r.body, b"<rss version=\"2.0\"><channel/></rss>");
}

/// A gzip bomb stops at the decompressed cap, an endless body at the cap, and a declared
/// length over the cap fails before reading.
#[tokio::test]
async fn bombs_endless_bodies_and_declared_lengths_stop_at_the_cap() {
    let server = TestServer::start();
    let bomb = vec![b' '; 50_000_000];
    let content_type = "application/rss+xml".to_string();
    server.route(
        "/bomb",
        Reply::Gzip {
            content_type,
            body: bomb,
        },
    );
    server.route("/endless", Reply::Endless);
    server.route("/big", Reply::rss(vec![b'x'; 3_000]));
    for (path, cap) in [
        ("/bomb", 1_000_000),
        ("/endless", 2_000_000),
        ("/big", 1_000),
    ] {
        let err = get(&fetcher_with(10, cap), &server, path)
            .await
            .unwrap_err();
        assert_eq!(err, FetchError::TooLarge { limit_bytes: cap }, "{path}");
    }
}

#[tokio::test]
async fn silence_slowness_and_dripping_hit_the_total_timeout() {
    let server = TestServer::start();
    server.route("/silent", Reply::Silent);
    server.route(
        "/slow",
        Reply::Delayed {
            delay: Duration::from_secs(4),
            reply: Box::new(Reply::rss("<rss/>")),
        },
    );
    server.route(
        "/drip",
        Reply::Drip {
            interval: Duration::from_millis(200),
        },
    );
    let f = fetcher_with(1, 1_000_000);
    for path in ["/silent", "/slow", "/drip"] {
        let err = get(&f, &server, path).await.unwrap_err();
        assert_eq!(err, FetchError::Timeout { seconds: 1 }, "{path}");
    }
}

#[tokio::test]
async fn redirect_loops_and_non_http_targets_are_refused() {
    let server = TestServer::start();
    server.route("/a", Reply::redirect(302, "/b"));
    server.route("/b", Reply::redirect(302, "/a"));
    server.route("/file", Reply::redirect(301, "file:///etc/passwd"));
    for i in 0..12 {
        server.route(
            &format!("/chain{i}"),
            Reply::redirect(302, format!("/chain{}", i + 1)),
        );
    }
    let f = fetcher();
    assert!(matches!(
        get(&f, &server, "/a").await,
        Err(FetchError::TooManyRedirects { .. })
    ));
    assert!(matches!(
        get(&f, &server, "/chain0").await,
        Err(FetchError::TooManyRedirects { limit: 10 })
    ));
    assert!(matches!(
        get(&f, &server, "/file").await,
        Err(FetchError::UnsupportedScheme { .. })
    ));
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    // Bind then drop: nothing listens on that loopback port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = fetcher()
        .get(
            &format!("http://127.0.0.1:{port}/feed"),
            &Conditional::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains("connect"), "{err}");
}

#[tokio::test]
async fn a_tls_failure_says_so() {
    // A plain-HTTP server spoken to over https: the handshake fails.
    let server = TestServer::start();
    server.route("/feed", Reply::rss("<rss/>"));
    let url = server.url("/feed").replace("http://", "https://");
    let err = fetcher()
        .get(&url, &Conditional::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Tls { .. } | FetchError::Connect { .. } | FetchError::Network { .. }
        ),
        "{err:?}"
    );
    let text = err.to_string().to_lowercase();
    assert!(
        text.contains("tls")
            || text.contains("ssl")
            || text.contains("handshake")
            || text.contains("record"),
        "{text}"
    );
}

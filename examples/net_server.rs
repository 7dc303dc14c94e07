//! The loopback feed server of `benches/latency.py --proto h1,h2`: HTTP/1.1 and HTTP/2 over
//! TLS (ALPN), what `../shared/bench/serve.py` does over plain HTTP/1.1. Serves the files of
//! DIR under /feeds/NAME on 127.0.0.2 .. 127.0.0.(1+HOSTS), one port for all, with a latency
//! per request, a given list of slow feeds, strong ETags and Last-Modified (conditional GET
//! answers 304, If-None-Match winning), gzip when asked and enabled. Counts requests,
//! statuses, conditional requests, new connections (TLS handshakes done), connections that
//! spoke HTTP/2, and peak concurrent requests.
//!
//! `cargo run --release --example net_server -- --dir DIR --cert CERT.pem --key KEY.pem
//!  [--hosts 50] [--latency-ms 100] [--slow-ms 2000] [--slow-list FILE] [--gzip] [--h1-only]`
//!
//! Prints the port on one line once every host listens. Then reads stdin: each line `stats`
//! prints the counters as one JSON line and zeroes them; end of input stops the server.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode, header};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio_rustls::TlsAcceptor;

#[path = "../tests/common/tls.rs"]
#[allow(dead_code, reason = "the test CA's fixture paths are for tests")]
mod tls;

struct Options {
    dir: PathBuf,
    hosts: u8,
    latency: Duration,
    slow: Duration,
    slow_names: HashSet<String>,
    gzip: bool,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    ok: AtomicU64,
    not_modified: AtomicU64,
    not_found: AtomicU64,
    conditional: AtomicU64,
    gzip: AtomicU64,
    bytes: AtomicU64,
    connections: AtomicU64,
    h2_connections: AtomicU64,
    inflight: AtomicU64,
    peak_inflight: AtomicU64,
}

impl Counters {
    fn take(&self) -> String {
        let t = |c: &AtomicU64| c.swap(0, Ordering::SeqCst);
        let peak = t(&self.peak_inflight);
        self.peak_inflight
            .fetch_max(self.inflight.load(Ordering::SeqCst), Ordering::SeqCst);
        serde_json::json!({
            "requests": t(&self.requests),
            "by_status": {"200": t(&self.ok), "304": t(&self.not_modified), "404": t(&self.not_found)},
            "conditional": t(&self.conditional),
            "gzip": t(&self.gzip),
            "bytes": t(&self.bytes),
            "connections": t(&self.connections),
            "h2_connections": t(&self.h2_connections),
            "peak_concurrency": peak,
        })
        .to_string()
    }
}

/// One file's answer, kept while its (mtime, size) hold.
struct Entry {
    key: (SystemTime, u64),
    body: Bytes,
    gz: Option<Bytes>,
    etag: String,
    gz_etag: String,
    mtime: DateTime<Utc>,
    last_modified: String,
    content_type: &'static str,
}

struct Server {
    opts: Options,
    counters: Counters,
    cache: Mutex<HashMap<String, Arc<Entry>>>,
}

impl Server {
    fn entry(&self, name: &str) -> Option<Arc<Entry>> {
        if name.is_empty() || name.contains('/') || name.starts_with('.') {
            return None;
        }
        let path = self.opts.dir.join(name);
        let meta = std::fs::metadata(&path).ok()?;
        let key = (meta.modified().ok()?, meta.len());
        if let Some(e) = self.cache.lock().ok()?.get(name)
            && e.key == key
        {
            return Some(e.clone());
        }
        let body = std::fs::read(&path).ok()?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut hasher);
        let digest = format!("{:016x}{:08x}", hasher.finish(), body.len());
        let gz = self.opts.gzip.then(|| {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            let _ = enc.write_all(&body);
            Bytes::from(enc.finish().unwrap_or_default())
        });
        let mtime: DateTime<Utc> = key.0.into();
        let entry = Arc::new(Entry {
            key,
            body: Bytes::from(body),
            gz,
            etag: format!("\"{digest}\""),
            gz_etag: format!("\"{digest}-gz\""),
            mtime,
            last_modified: mtime.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            content_type: if name.ends_with(".atom") {
                "application/atom+xml; charset=utf-8"
            } else {
                "application/rss+xml; charset=utf-8"
            },
        });
        self.cache
            .lock()
            .ok()?
            .insert(name.to_string(), entry.clone());
        Some(entry)
    }

    async fn answer(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let c = &self.counters;
        let now = c.inflight.fetch_add(1, Ordering::SeqCst) + 1;
        c.peak_inflight.fetch_max(now, Ordering::SeqCst);
        let name = request
            .uri()
            .path()
            .strip_prefix("/feeds/")
            .unwrap_or("")
            .to_string();
        let delay = if self.opts.slow_names.contains(&name) {
            self.opts.slow
        } else {
            self.opts.latency
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let response = self.feed(&name, &request);
        c.requests.fetch_add(1, Ordering::SeqCst);
        match response.status() {
            StatusCode::OK => c.ok.fetch_add(1, Ordering::SeqCst),
            StatusCode::NOT_MODIFIED => c.not_modified.fetch_add(1, Ordering::SeqCst),
            _ => c.not_found.fetch_add(1, Ordering::SeqCst),
        };
        c.inflight.fetch_sub(1, Ordering::SeqCst);
        response
    }

    fn feed(&self, name: &str, request: &Request<Incoming>) -> Response<Full<Bytes>> {
        let c = &self.counters;
        let Some(e) = self.entry(name) else {
            let mut r = Response::new(Full::new(Bytes::from_static(b"not found\n")));
            *r.status_mut() = StatusCode::NOT_FOUND;
            return r;
        };
        let headers = request.headers();
        let text = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
        let use_gz = e.gz.is_some()
            && text(header::ACCEPT_ENCODING).is_some_and(|v| v.to_lowercase().contains("gzip"));
        let inm = text(header::IF_NONE_MATCH);
        let ims = text(header::IF_MODIFIED_SINCE);
        if inm.is_some() || ims.is_some() {
            c.conditional.fetch_add(1, Ordering::SeqCst);
        }
        let not_modified = match (inm, ims) {
            (Some(inm), _) => inm.split(',').map(str::trim).any(|t| {
                let t = t.strip_prefix("W/").unwrap_or(t);
                t == "*" || t == e.etag || t == e.gz_etag
            }),
            (None, Some(ims)) => DateTime::parse_from_rfc2822(ims)
                .is_ok_and(|d| e.mtime.timestamp() <= d.timestamp()),
            (None, None) => false,
        };
        let builder = Response::builder()
            .header(header::CACHE_CONTROL, "max-age=0")
            .header(header::LAST_MODIFIED, &e.last_modified)
            .header(header::ETAG, if use_gz { &e.gz_etag } else { &e.etag });
        let builder = if self.opts.gzip {
            builder.header(header::VARY, "Accept-Encoding")
        } else {
            builder
        };
        let response = if not_modified {
            builder
                .status(StatusCode::NOT_MODIFIED)
                .body(Full::new(Bytes::new()))
        } else {
            let body = match (&e.gz, use_gz) {
                (Some(gz), true) => {
                    c.gzip.fetch_add(1, Ordering::SeqCst);
                    gz.clone()
                }
                _ => e.body.clone(),
            };
            c.bytes.fetch_add(body.len() as u64, Ordering::SeqCst);
            let builder = builder.header(header::CONTENT_TYPE, e.content_type);
            let builder = if use_gz {
                builder.header(header::CONTENT_ENCODING, "gzip")
            } else {
                builder
            };
            builder.status(StatusCode::OK).body(Full::new(body))
        };
        response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut dir, mut cert, mut key, mut slow_list) = (None, None, None, None);
    let (mut hosts, mut latency, mut slow, mut gzip, mut h1_only) =
        (1u8, 0.0, 2000.0, false, false);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--dir" => dir = Some(PathBuf::from(value()?)),
            "--cert" => cert = Some(value()?),
            "--key" => key = Some(value()?),
            "--slow-list" => slow_list = Some(value()?),
            "--hosts" => hosts = value()?.parse()?,
            "--latency-ms" => latency = value()?.parse()?,
            "--slow-ms" => slow = value()?.parse()?,
            "--gzip" => gzip = true,
            "--h1-only" => h1_only = true,
            other => bail!("unknown argument {other}"),
        }
    }
    let (Some(dir), Some(cert), Some(key)) = (dir, cert, key) else {
        bail!("usage: net_server --dir DIR --cert CERT.pem --key KEY.pem [--hosts N] ...");
    };
    if hosts == 0 || hosts > 250 {
        bail!("--hosts must be 1..250");
    }
    let slow_names = match slow_list {
        Some(path) => std::fs::read_to_string(&path)
            .with_context(|| format!("reading {path}"))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        None => HashSet::new(),
    };
    let acceptor = tls::acceptor(Path::new(&cert), Path::new(&key), h1_only)?;
    let server = Arc::new(Server {
        opts: Options {
            dir,
            hosts,
            latency: Duration::from_secs_f64(latency / 1000.0),
            slow: Duration::from_secs_f64(slow / 1000.0),
            slow_names,
            gzip,
        },
        counters: Counters::default(),
        cache: Mutex::new(HashMap::new()),
    });
    let runtime = tokio::runtime::Runtime::new()?;
    let port = runtime.block_on(listen(server.clone(), acceptor))?;
    println!("{port}");
    std::io::stdout().flush()?;
    for line in std::io::stdin().lock().lines() {
        if line?.trim() == "stats" {
            println!("{}", server.counters.take());
            std::io::stdout().flush()?;
        }
    }
    Ok(())
}

/// Bind every host on one port (the first picks it) and spawn their accept loops.
async fn listen(server: Arc<Server>, acceptor: TlsAcceptor) -> anyhow::Result<u16> {
    let mut port = 0;
    for h in 0..server.opts.hosts {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 2 + h], port));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        port = listener.local_addr()?.port();
        let (server, acceptor) = (server.clone(), acceptor.clone());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let _ = tcp.set_nodelay(true);
                let (server, acceptor) = (server.clone(), acceptor.clone());
                tokio::spawn(async move {
                    let counters = server.clone();
                    tls::serve_connection(
                        acceptor,
                        tcp,
                        // 100 streams, as Google's servers announce (nginx 128).
                        100,
                        move |h2| {
                            let counters = &counters.counters;
                            counters.connections.fetch_add(1, Ordering::SeqCst);
                            if h2 {
                                counters.h2_connections.fetch_add(1, Ordering::SeqCst);
                            }
                        },
                        move |request| {
                            let server = server.clone();
                            async move { server.answer(request).await }
                        },
                    )
                    .await;
                });
            }
        });
    }
    Ok(port)
}

//! `kiosque --demo`: the bundled demo site (`assets/demo/`, embedded in the binary) served by a
//! small HTTP/1.1 server on 127.0.0.1 inside the process, a throw-away data directory with
//! every demo feed subscribed, and the TUI on it. The whole pipeline (fetch, parse, extract)
//! runs for real, offline.

use crate::config::{self, Config};
use crate::store::{NewFeed, Store};
use anyhow::{Context, Result};
use include_dir::{Dir, include_dir};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The demo site, embedded at build time.
static DEMO_SITE: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/assets/demo");

/// The text replaced by the server's base URL (`http://127.0.0.1:PORT`) in served files.
pub const BASE_PLACEHOLDER: &str = "{{BASE}}";

/// Each demo site's `template.html`: the head, navigation, sidebar and footer that a real site
/// repeats on every page. Not served itself; every article page is served filled into it.
const TEMPLATE_FILE: &str = "template.html";

/// One file the server answers with.
#[derive(Debug, Clone)]
pub struct Resource {
    pub content_type: String,
    pub body: Vec<u8>,
}

fn content_type_for(path: &str) -> &'static str {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".html") || lower.ends_with(".htm") {
        "text/html; charset=utf-8"
    } else if lower.ends_with(".atom") {
        "application/atom+xml"
    } else if lower.ends_with(".json") {
        "application/feed+json"
    } else if lower.ends_with(".xml") || lower.ends_with(".rss") {
        // No charset: an XML feed declares its own (the German demo feed is ISO-8859-1).
        "application/rss+xml"
    } else if lower.ends_with(".png") {
        "image/png"
    } else if lower.ends_with(".jpg") || lower.ends_with(".jpeg") {
        "image/jpeg"
    } else if lower.ends_with(".mp3") {
        "audio/mpeg"
    } else {
        "application/octet-stream"
    }
}

/// Every file of the demo site at its path (`/techfr/feed.xml`), `{{BASE}}` replaced.
pub fn demo_resources(base: &str) -> HashMap<String, Resource> {
    let mut out = HashMap::new();
    let mut stack = vec![&DEMO_SITE];
    while let Some(dir) = stack.pop() {
        for entry in dir.entries() {
            match entry {
                include_dir::DirEntry::Dir(d) => stack.push(d),
                include_dir::DirEntry::File(f) => {
                    let relative = f.path().to_string_lossy().replace('\\', "/");
                    if relative.ends_with(&format!("/{TEMPLATE_FILE}")) {
                        continue;
                    }
                    let page = demo_page(&relative);
                    let contents = page.as_ref().map_or(f.contents(), |p| p.as_bytes());
                    let path = format!("/{relative}");
                    let body =
                        replace_bytes(contents, BASE_PLACEHOLDER.as_bytes(), base.as_bytes());
                    out.insert(
                        path.clone(),
                        Resource {
                            content_type: content_type_for(&path).to_string(),
                            body,
                        },
                    );
                }
            }
        }
    }
    out
}

/// The demo article page at `path` (`techfr/articles/SLUG.html`) as served, `{{BASE}}` not yet
/// replaced: the page file holds only what is its own (`name: value` lines, a `---` line, then
/// the article body), filled into its site's template. `None` for any other file.
pub fn demo_page(path: &str) -> Option<String> {
    let (site, rest) = path.split_once('/')?;
    let slug = rest.strip_prefix("articles/")?.strip_suffix(".html")?;
    let page = DEMO_SITE.get_file(path)?.contents_utf8()?;
    let template = DEMO_SITE
        .get_file(format!("{site}/{TEMPLATE_FILE}"))?
        .contents_utf8()?;
    fill_template(template, page, slug)
}

/// `template` with each `{{name}}` replaced by the page's field of that name (`slug` and
/// `body` included); a template line that is only a field the page does not give is left out
/// (an optional line), and a name that is no field (`{{BASE}}`) is kept. `None` when the page
/// has no `---` line ending its fields.
fn fill_template(template: &str, page: &str, slug: &str) -> Option<String> {
    let (head, body) = page.split_once("\n---\n")?;
    let mut fields: HashMap<&str, &str> = head.lines().filter_map(|l| l.split_once(": ")).collect();
    fields.insert("slug", slug);
    fields.insert("body", body.strip_suffix('\n').unwrap_or(body));
    let mut out = String::with_capacity(template.len() + page.len());
    for line in template.split_inclusive('\n') {
        let alone = line
            .trim()
            .strip_prefix("{{")
            .and_then(|l| l.strip_suffix("}}"));
        if alone.is_some_and(|name| name != "BASE" && !fields.contains_key(name)) {
            continue;
        }
        let mut rest = line;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start..].find("}}") else {
                break;
            };
            let placeholder = &rest[start..start + len + 2];
            out.push_str(&rest[..start]);
            out.push_str(
                fields
                    .get(&placeholder[2..len])
                    .copied()
                    .unwrap_or(placeholder),
            );
            rest = &rest[start + len + 2..];
        }
        out.push_str(rest);
    }
    Some(out)
}

/// Byte-level replace: the German feed is Latin-1, so the files are not all UTF-8.
fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// The demo feeds' paths: every `feed.xml`, `feed.atom` or `feed.json` one folder down.
pub fn demo_feed_paths(resources: &HashMap<String, Resource>) -> Vec<String> {
    let mut feeds: Vec<String> = resources
        .keys()
        .filter(|p| {
            p.matches('/').count() == 2
                && (p.ends_with("/feed.xml")
                    || p.ends_with("/feed.atom")
                    || p.ends_with("/feed.json"))
        })
        .cloned()
        .collect();
    feeds.sort();
    feeds
}

/// A tiny static HTTP/1.1 server on 127.0.0.1 (one request per connection, ETag support).
pub struct LoopbackServer {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl LoopbackServer {
    /// Bind 127.0.0.1 on a free port, build the resources knowing the base URL
    /// (`http://127.0.0.1:PORT`), and serve them until dropped.
    pub async fn start_with(
        make_resources: impl FnOnce(&str) -> HashMap<String, Resource>,
    ) -> Result<LoopbackServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("cannot open a loopback port for the demo server")?;
        let addr = listener.local_addr()?;
        let resources = Arc::new(make_resources(&format!("http://{addr}")));
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let resources = resources.clone();
                tokio::spawn(async move {
                    let _ = serve_one(socket, &resources).await;
                });
            }
        });
        Ok(LoopbackServer { addr, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn etag_of(body: &[u8]) -> String {
    // Stable across runs, enough to tell versions of a file apart.
    format!("\"{:016x}\"", crate::feed::parse::fnv1a64(&[body]))
}

async fn serve_one(
    mut socket: tokio::net::TcpStream,
    resources: &HashMap<String, Resource>,
) -> std::io::Result<()> {
    let mut request = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut buf).await?;
        if n == 0 || request.len() > 16 * 1024 {
            return Ok(());
        }
        request.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&request);
    let mut lines = text.lines();
    let path = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_string();
    let if_none_match = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("if-none-match")
            .then(|| value.trim().to_string())
    });
    let response = match resources.get(&path) {
        Some(r) => {
            let etag = etag_of(&r.body);
            if if_none_match.as_deref() == Some(etag.as_str()) {
                format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n")
                    .into_bytes()
            } else {
                let mut head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n",
                    r.content_type,
                    r.body.len()
                )
                .into_bytes();
                head.extend_from_slice(&r.body);
                head
            }
        }
        None => {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found"
                .to_vec()
        }
    };
    socket.write_all(&response).await?;
    socket.shutdown().await
}

/// Subscribe a fresh database to every demo feed served at `base`.
pub fn subscribe_demo_feeds(
    db_path: &Path,
    base: &str,
    resources: &HashMap<String, Resource>,
) -> Result<usize> {
    let mut store = Store::open(db_path)?;
    let news: Vec<NewFeed> = demo_feed_paths(resources)
        .into_iter()
        .map(|p| NewFeed {
            url: format!("{base}{p}"),
            tags: vec!["demo".into()],
            ..Default::default()
        })
        .collect();
    let (added, _) = store.add_feeds(&news, chrono::Utc::now())?;
    Ok(added)
}

/// `kiosque --demo`.
pub fn run_demo(config_flag: Option<&Path>) -> Result<ExitCode> {
    let mut config = Config::load_for(config_flag)?;
    // The point of the demo is to watch the pipeline run: always refresh on start.
    config.refresh_on_start = true;
    crate::tui::check_keymap(&config)?;
    let data = tempfile::Builder::new()
        .prefix("kiosque-demo-")
        .tempdir()
        .context("cannot create a temporary data directory for the demo")?;
    let db_path = config::database_path(data.path());
    let data_dir = data.path().to_path_buf();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = rt.block_on(async {
        let server = LoopbackServer::start_with(demo_resources).await?;
        let resources = demo_resources(&server.base_url());
        subscribe_demo_feeds(&db_path, &server.base_url(), &resources)?;
        crate::tui::run(crate::tui::TuiContext {
            config,
            db_path: db_path.clone(),
            clock: Arc::new(crate::clock::SystemClock),
            remove_if_stuck: Some(data_dir.clone()),
        })
        .await
    });
    // Stop the background work (a refresh may still be writing) before removing its data dir;
    // this runs on every way out of the TUI, signals included.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    if let Err(e) = data.close() {
        tracing::warn!("could not remove the demo data dir: {e}");
    }
    result.map(|()| ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::{Conditional, Fetcher};

    #[test]
    fn placeholder_is_replaced_in_bytes() {
        assert_eq!(
            replace_bytes(b"a{{BASE}}/x{{BASE}}", b"{{BASE}}", b"http://h"),
            b"ahttp://h/xhttp://h"
        );
        assert_eq!(replace_bytes(b"caf\xe9", b"{{BASE}}", b"x"), b"caf\xe9");
    }

    #[test]
    fn a_page_fills_its_template_and_drops_the_optional_lines_it_does_not_give() {
        let template = "<title>{{title}}</title>\n  {{image}}\n<a href=\"{{BASE}}/{{slug}}.html\">\n{{body}}\n</html>\n";
        let page = "title: A: B\n---\n<p>one</p>\n<p>two</p>\n";
        assert_eq!(
            fill_template(template, page, "x").unwrap(),
            "<title>A: B</title>\n<a href=\"{{BASE}}/x.html\">\n<p>one</p>\n<p>two</p>\n</html>\n"
        );
        let with_image = "title: T\nimage: <img>\n---\n<p>one</p>\n";
        assert!(
            fill_template(template, with_image, "x")
                .unwrap()
                .contains("  <img>\n")
        );
        assert_eq!(fill_template(template, "<p>no fields</p>", "x"), None);
    }

    #[test]
    fn every_demo_article_is_served_as_a_whole_page_and_templates_are_not_served() {
        let resources = demo_resources("http://h");
        let mut pages = 0;
        for (path, resource) in &resources {
            assert!(!path.ends_with(TEMPLATE_FILE), "{path} served");
            if !path.contains("/articles/") {
                continue;
            }
            let html = String::from_utf8(resource.body.clone()).unwrap();
            let slug = path.rsplit('/').next().unwrap();
            assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
            assert!(html.ends_with("</html>\n"), "{path}");
            assert!(!html.contains("{{"), "{path}: a field left unfilled");
            assert!(!html.contains("\n---\n"), "{path}");
            assert!(
                html.contains(&format!("/articles/{slug}\"")),
                "{path}: canonical"
            );
            assert!(!html.contains("></h1>"), "{path}: no title");
            pages += 1;
        }
        assert_eq!(pages, 19);
    }

    #[tokio::test]
    async fn serves_files_with_etags_and_404s() {
        let server = LoopbackServer::start_with(|base| {
            HashMap::from([(
                "/site/feed.xml".to_string(),
                Resource {
                    content_type: "application/rss+xml".into(),
                    body: format!("<rss><link>{base}/</link></rss>").into_bytes(),
                },
            )])
        })
        .await
        .unwrap();
        let fetcher = Fetcher::new(&Config::default()).unwrap();
        let url = format!("{}/site/feed.xml", server.base_url());
        let first = fetcher.get(&url, &Conditional::default()).await.unwrap();
        assert_eq!(first.status, 200);
        assert!(String::from_utf8_lossy(&first.body).contains(&server.base_url()));
        let again = fetcher
            .get(
                &url,
                &Conditional {
                    etag: first.etag.clone(),
                    last_modified: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(again.status, 304);
        let missing = fetcher
            .get(
                &format!("{}/nope", server.base_url()),
                &Conditional::default(),
            )
            .await
            .unwrap();
        assert_eq!(missing.status, 404);
    }
}

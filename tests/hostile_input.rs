//! Hostile feeds and OPML files driven through the real binary: every file of the shared
//! hostile corpus plus generated monsters (a 50 MB line, 10,000-deep nesting, 100,000 items, a
//! JPEG, script-laden HTML). Each command must finish, say clearly what failed per feed, and
//! print nothing a terminal would act on (escapes, C0/C1 controls, bidi overrides).

mod common;

use assert_cmd::Command;
use common::{Reply, TestServer};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A dead loopback port: `read` fetches an item's link, and hostile items link to other hosts;
/// routing every request through a proxy that refuses connections keeps the test offline and
/// makes `read` fall back to the feed's own (hostile) content.
const DEAD_PROXY: &str = "http://127.0.0.1:9";

fn corpus_dir() -> Option<PathBuf> {
    common::shared_corpus("corpus/feeds/synthetic/hostile")
}

/// The binary on a data dir, with a bounded run time and no proxy from the environment.
fn kiosque(data: &Path) -> Command {
    let mut cmd = common::kiosque(data);
    cmd.env("NO_COLOR", "1")
        // A guard against a hang, not a speed check: a debug build reading a 50 MB feed on a
        // loaded 2-core machine took 60-100 s, so the guard sits well above that.
        .timeout(Duration::from_secs(300));
    for var in PROXY_VARS.split(' ').chain(["NO_PROXY", "no_proxy"]) {
        cmd.env_remove(var);
    }
    cmd
}

/// The environment variables that set an HTTP proxy.
const PROXY_VARS: &str = "HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy";

/// Same, but every HTTP request goes to a refusing loopback proxy.
fn kiosque_offline(data: &Path) -> Command {
    let mut cmd = kiosque(data);
    for var in PROXY_VARS.split(' ') {
        cmd.env(var, DEAD_PROXY);
    }
    cmd
}

fn write_config(data: &Path, extra: &str) {
    std::fs::create_dir_all(data).unwrap();
    std::fs::write(
        data.join("config.toml"),
        format!("prefetch = 0\ntimeout_seconds = 20\nconnect_timeout_seconds = 5\n{extra}"),
    )
    .unwrap();
}

/// Why `c` would make a terminal act rather than print, if it would.
fn char_hazard(c: char, next: Option<char>) -> Option<&'static str> {
    match c {
        '\u{1b}' => Some("ESC"),
        '\u{07}' => Some("BEL"),
        '\u{08}' => Some("BS"),
        '\r' if next != Some('\n') => Some("bare CR"),
        '\n' | '\t' | '\r' => None,
        '\u{00}'..='\u{1f}' => Some("C0 control"),
        '\u{7f}' => Some("DEL"),
        '\u{80}'..='\u{9f}' => Some("C1 control"),
        '\u{202a}'..='\u{202e}' => Some("bidi override/embedding"),
        '\u{2066}'..='\u{2069}' => Some("bidi isolate"),
        _ => None,
    }
}

/// Every hazard in `text`, with its position, for a readable failure message.
fn text_hazards(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .filter_map(|(i, &c)| {
            char_hazard(c, chars.get(i + 1).copied()).map(|why| {
                let start = i.saturating_sub(20);
                let context: String = chars[start..(i + 20).min(chars.len())].iter().collect();
                format!("{why} U+{:04X} at char {i} near {context:?}", c as u32)
            })
        })
        .collect()
}

/// Raw output bytes: valid UTF-8 (a stray 0x9B byte is CSI on an 8-bit terminal) and no hazard.
fn assert_terminal_safe(bytes: &[u8], what: &str) {
    assert!(
        !bytes.contains(&0x1b),
        "{what}: raw ESC byte in output: {:?}",
        String::from_utf8_lossy(bytes)
    );
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => panic!("{what}: output is not UTF-8 ({e})"),
    };
    let hazards = text_hazards(text);
    assert!(hazards.is_empty(), "{what}: {hazards:#?}");
}

/// Every string (and key) of a JSON document, decoded, is free of hazards: this catches
/// controls that serde escaped as `\u001b` and that a consumer would print raw.
fn assert_json_safe(value: &Value, what: &str) {
    match value {
        Value::String(s) => {
            let hazards = text_hazards(s);
            assert!(
                hazards.is_empty(),
                "{what}: JSON string {s:?}: {hazards:#?}"
            );
        }
        Value::Array(a) => a.iter().for_each(|v| assert_json_safe(v, what)),
        Value::Object(o) => o.iter().for_each(|(k, v)| {
            assert!(text_hazards(k).is_empty(), "{what}: JSON key {k:?}");
            assert_json_safe(v, what);
        }),
        _ => {}
    }
}

/// What one command printed, after the terminal-safety checks on both streams.
struct Ran {
    success: bool,
    stdout: Vec<u8>,
    stderr: String,
}

fn run(cmd: &mut Command, what: &str) -> Ran {
    let out = cmd.output().unwrap();
    assert!(
        out.status.code().is_some(),
        "{what}: killed (timeout or signal): {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(
        out.status.code(),
        Some(101),
        "{what}: panicked: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_terminal_safe(&out.stdout, &format!("{what} stdout"));
    assert_terminal_safe(&out.stderr, &format!("{what} stderr"));
    Ran {
        success: out.status.success(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// [`run`] of a command that must succeed.
fn run_ok(cmd: &mut Command, what: &str) -> Ran {
    let ran = run(cmd, what);
    assert!(ran.success, "{what} failed: {}", ran.stderr);
    ran
}

/// `kiosque ARGS` on `data`: a `--json` command that must succeed; its checked document.
fn json_of(data: &Path, args: &[&str]) -> Value {
    run_json(kiosque(data).args(args), &args.join(" "))
}

/// Runs a `--json` command that must succeed and returns its checked document.
fn run_json(cmd: &mut Command, what: &str) -> Value {
    let ran = run_ok(cmd, what);
    let value: Value = serde_json::from_slice(&ran.stdout)
        .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e})"));
    assert_json_safe(&value, what);
    value
}

fn opml_for(urls: &[String]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\"><head><title>hostile</title></head><body>\n",
    );
    for url in urls {
        s.push_str(&format!(
            "<outline type=\"rss\" text=\"f\" xmlUrl=\"{}\"/>\n",
            url.replace('&', "&amp;")
        ));
    }
    s.push_str("</body></opml>\n");
    s
}

fn content_type_for(name: &str) -> &'static str {
    if name.ends_with(".json") {
        "application/feed+json"
    } else {
        "application/rss+xml"
    }
}

/// Subscribes `data` to `urls` through `import`, refreshes, and runs every reading command,
/// checking each for terminal safety. Returns `list --json`.
fn import_refresh_and_read_all(data: &Path, urls: &[String]) -> Value {
    let opml = data.join("feeds.opml");
    std::fs::write(&opml, opml_for(urls)).unwrap();
    run_ok(kiosque(data).arg("import").arg(&opml), "import");

    let summary = json_of(data, &["refresh", "--json"]);
    assert_eq!(
        summary["feeds"].as_u64(),
        Some(urls.len() as u64),
        "{summary}"
    );

    run_ok(kiosque(data).arg("refresh"), "refresh");

    let feeds = json_of(data, &["list", "--json"]);
    run(kiosque(data).arg("list"), "list");

    let items = json_of(data, &["items", "--json"]);
    run_ok(kiosque(data).arg("items"), "items");

    for item in items.as_array().unwrap() {
        let id = common::id_of(item);
        run_ok(
            kiosque_offline(data).args(["read", &id]),
            &format!("read {id}"),
        );
        run_json(
            kiosque_offline(data).args(["read", &id, "--json"]),
            &format!("read {id} --json"),
        );
    }
    feeds
}

/// Each feed either parsed (a status, no error) or carries a clear one-line error.
fn assert_parsed_or_clear_error(feeds: &Value) {
    for feed in feeds.as_array().unwrap() {
        match feed["error"].as_str() {
            Some(error) => {
                assert!(!error.trim().is_empty(), "empty error: {feed}");
                assert!(!error.contains('\n'), "multi-line error: {feed}");
            }
            None => assert!(
                feed["status"].as_u64().is_some() && feed["last_fetched"].is_string(),
                "neither parsed nor failed: {feed}"
            ),
        }
    }
}

#[test]
fn every_hostile_corpus_feed_is_parsed_or_refused_and_prints_nothing_active() {
    let Some(dir) = corpus_dir() else { return };
    let server = TestServer::start();
    let mut urls = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml") || n.ends_with(".json"))
        .collect();
    names.sort();
    for name in &names {
        let path = format!("/hostile/{name}");
        let body = std::fs::read(dir.join(name)).unwrap();
        server.route(&path, Reply::ok(content_type_for(name), body));
        urls.push(server.url(&path));
    }
    let data = tempfile::tempdir().unwrap();
    write_config(data.path(), "");
    let feeds = import_refresh_and_read_all(data.path(), &urls);
    assert_eq!(feeds.as_array().unwrap().len(), names.len(), "{feeds}");
    assert_parsed_or_clear_error(&feeds);
    for feed in feeds.as_array().unwrap() {
        println!(
            "{}: status {} total {} error {}",
            feed["url"], feed["status"], feed["total"], feed["error"]
        );
    }
    // What docs/hostile.md says of each file, checked here so the doc cannot claim more than
    // the test shows. (The injection feeds carry their payload in titles: they must parse, or
    // this test proves nothing about sanitising.)
    for (name, expected) in CORPUS_OUTCOMES {
        let feed = feeds
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["url"].as_str().unwrap().ends_with(&format!("/{name}")))
            .unwrap_or_else(|| panic!("{name} is in the corpus"));
        assert_outcome(feed, name, expected);
    }
}

/// What a feed of the hostile corpus comes to, as `docs/hostile.md` states it.
enum Outcome {
    /// Parsed, no error, this many items stored.
    Items(u64),
    /// A per-feed error containing this phrase.
    Error(&'static str),
}

const CORPUS_OUTCOMES: &[(&str, Outcome)] = &[
    ("escape-injection-raw-bytes.xml", Outcome::Items(1)),
    ("escape-injection-charrefs.xml", Outcome::Items(8)),
    ("escape-injection.json", Outcome::Items(1)),
    ("bidi-zero-width-wide.xml", Outcome::Items(9)),
    ("hostile-links.xml", Outcome::Items(11)),
    (
        "xml-nesting-70000.xml",
        Outcome::Error("deeper than the supported limit"),
    ),
    ("truncated.xml", Outcome::Error("tag not closed")),
    ("html-nesting-div-5000.xml", Outcome::Items(1)),
    ("html-nesting-table-2000.xml", Outcome::Items(1)),
    ("html-nesting-blockquote-60.xml", Outcome::Items(1)),
    ("itunes-duration-overflow.xml", Outcome::Items(1)),
    ("itunes-duration-hours-overflow.xml", Outcome::Items(1)),
    ("media-text-start-overflow.xml", Outcome::Items(1)),
    ("media-thumbnail-time-overflow.xml", Outcome::Items(1)),
    ("utf16be-bom-declared.xml", Outcome::Items(1)),
    ("utf16be-nobom-declared.xml", Outcome::Items(1)),
];

fn assert_outcome(feed: &Value, name: &str, expected: &Outcome) {
    match *expected {
        Outcome::Items(n) => {
            assert!(feed["error"].is_null(), "{name} should parse: {feed}");
            assert_eq!(feed["total"].as_u64(), Some(n), "{name}: {feed}");
        }
        Outcome::Error(phrase) => {
            let error = feed["error"].as_str().unwrap_or_default();
            assert!(
                error.contains(phrase),
                "{name}: error {phrase:?} expected: {feed}"
            );
        }
    }
}

#[test]
fn entity_expansion_and_external_entities_never_expand() {
    let Some(dir) = corpus_dir() else { return };
    let server = TestServer::start();
    let names = [
        "billion-laughs.xml",
        "quadratic-blowup.xml",
        "xxe-file.xml",
        "xxe-http.xml",
        "xxe-parameter-entity.xml",
        "external-dtd.xml",
    ];
    let mut urls = Vec::new();
    for name in names {
        let path = format!("/hostile/{name}");
        server.route(
            &path,
            Reply::rss(std::fs::read(dir.join(name)).unwrap_or_default()),
        );
        urls.push(server.url(&path));
    }
    let data = tempfile::tempdir().unwrap();
    write_config(data.path(), "");
    import_refresh_and_read_all(data.path(), &urls);
    let items = json_of(data.path(), &["items", "--json", "--limit", "1000"]);
    let all = items.to_string();
    assert!(
        !all.contains("root:x:0:0"),
        "a local file leaked through XXE"
    );
    assert!(
        all.len() < 1_000_000,
        "entities expanded: {} bytes",
        all.len()
    );
    // No request left the test server for an external DTD or entity (they point elsewhere,
    // but a loopback one would show here).
    for name in names {
        assert!(server.hits(&format!("/hostile/{name}")).len() <= 2);
    }
}

#[test]
fn hostile_opml_files_import_only_http_feeds_or_fail_clearly() {
    let Some(dir) = corpus_dir() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".opml"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut outcomes: Vec<(String, Result<usize, String>)> = Vec::new();
    for name in names {
        let data = tempfile::tempdir().unwrap();
        write_config(data.path(), "");
        let ran = run(
            kiosque(data.path()).arg("import").arg(dir.join(&name)),
            &format!("import {name}"),
        );
        if ran.success {
            let feeds = json_of(data.path(), &["list", "--json"]);
            for feed in feeds.as_array().unwrap() {
                let url = feed["url"].as_str().unwrap();
                assert!(
                    url.starts_with("http://") || url.starts_with("https://"),
                    "{name}: imported a non-http feed {url}"
                );
            }
            let imported = feeds.as_array().unwrap().len();
            println!("{name}: imported {imported} feeds");
            outcomes.push((name, Ok(imported)));
        } else {
            let first = ran.stderr.lines().next().unwrap_or("");
            assert!(!first.trim().is_empty(), "{name}: failure without a reason");
            println!("{name}: refused: {first}");
            // Nothing imported: the database holds no feed.
            let feeds = json_of(data.path(), &["list", "--json"]);
            assert_eq!(feeds.as_array().map(Vec::len), Some(0), "{name}: {feeds}");
            outcomes.push((name, Err(first.to_string())));
        }
    }
    // The counts and the error docs/hostile.md states.
    let outcome = |file: &str| &outcomes.iter().find(|(n, _)| n == file).unwrap().1;
    assert_eq!(outcome("opml-billion-laughs.opml"), &Ok(1));
    assert_eq!(outcome("opml-command-schemes.opml"), &Ok(2));
    match outcome("opml-nesting-3000.opml") {
        Err(e) => assert!(e.contains("OPML nested deeper than 64 levels"), "{e}"),
        Ok(n) => panic!("opml-nesting-3000.opml imported {n} feeds"),
    }
}

/// Serves `body` as the only feed, refreshes, reads, and returns `list --json`'s one feed.
fn one_generated_feed(body: Vec<u8>, content_type: &str, config: &str) -> (Value, PathBuf) {
    let server = TestServer::start();
    server.route("/generated", Reply::ok(content_type, body));
    let data = tempfile::tempdir().unwrap().keep();
    write_config(&data, config);
    let feeds = import_refresh_and_read_all(&data, &[server.url("/generated")]);
    assert_parsed_or_clear_error(&feeds);
    (feeds[0].clone(), data)
}

#[test]
fn a_50_mb_one_line_feed_hits_the_size_cap_with_a_clear_error() {
    let mut body = b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>big</title><item><title>t</title><description>".to_vec();
    body.resize(50 * 1024 * 1024, b'a');
    body.extend_from_slice(b"</description></item></channel></rss>");
    let (feed, data) = one_generated_feed(body, "application/rss+xml", "");
    let error = feed["error"].as_str().unwrap_or_default().to_lowercase();
    assert!(
        error.contains("large") || error.contains("limit") || error.contains("size"),
        "the 20 MB cap should refuse it: {feed}"
    );
    std::fs::remove_dir_all(data).unwrap();
}

#[test]
fn a_50_mb_one_line_feed_under_a_raised_cap_parses() {
    let mut body = b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>big</title><item><title>t</title><guid>one</guid><description>".to_vec();
    body.resize(50 * 1024 * 1024, b'a');
    body.extend_from_slice(b"</description></item></channel></rss>");
    let (feed, data) =
        one_generated_feed(body, "application/rss+xml", "max_body_bytes = 60000000\n");
    println!("50 MB under a 60 MB cap: {feed}");
    // docs/hostile.md: parsed (1 item), and `import_refresh_and_read_all` read it.
    assert_outcome(&feed, "50 MB one-line feed", &Outcome::Items(1));
    std::fs::remove_dir_all(data).unwrap();
}

#[test]
fn ten_thousand_deep_nesting_is_bounded() {
    // XML elements nested 10,000 deep inside an item, and HTML nested 10,000 deep inside a
    // description (escaped, so it reaches the HTML renderer).
    let mut xml = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>deep</title><item><title>xml</title><guid>xml</guid>",
    );
    xml.push_str(&"<x>".repeat(10_000));
    xml.push_str(&"</x>".repeat(10_000));
    xml.push_str("</item><item><title>html</title><guid>html</guid><description>");
    xml.push_str(&"&lt;div&gt;".repeat(10_000));
    xml.push_str("deep text");
    xml.push_str(&"&lt;/div&gt;".repeat(10_000));
    xml.push_str("</description></item></channel></rss>");
    let (feed, data) = one_generated_feed(xml.into_bytes(), "application/rss+xml", "");
    println!("10,000-deep: {feed}");
    // docs/hostile.md: parsed (2 items), both read by `import_refresh_and_read_all`.
    assert_outcome(&feed, "10,000-deep nesting", &Outcome::Items(2));
    std::fs::remove_dir_all(data).unwrap();
}

#[test]
fn a_hundred_thousand_items_are_bounded() {
    let mut xml =
        String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>many</title>");
    for i in 0..100_000 {
        xml.push_str(&format!(
            "<item><title>i{i}</title><guid>g{i}</guid></item>"
        ));
    }
    xml.push_str("</channel></rss>");
    assert!(xml.len() < 8_000_000);
    let server = TestServer::start();
    server.route("/many", Reply::rss(xml));
    let data = tempfile::tempdir().unwrap();
    write_config(data.path(), "");
    let opml = data.path().join("f.opml");
    std::fs::write(&opml, opml_for(&[server.url("/many")])).unwrap();
    run_ok(kiosque(data.path()).arg("import").arg(&opml), "import");
    json_of(data.path(), &["refresh", "--json"]);
    let feeds = json_of(data.path(), &["list", "--json"]);
    assert_parsed_or_clear_error(&feeds);
    println!("100,000 items: {}", feeds[0]);
    assert_outcome(&feeds[0], "100,000 items", &Outcome::Items(100_000));
    let items = json_of(data.path(), &["items", "--json", "--limit", "20"]);
    assert!(items.as_array().unwrap().len() <= 20);
}

#[test]
fn a_jpeg_served_as_a_feed_is_a_clear_error() {
    let mut jpeg = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    jpeg.extend((0..50_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    for content_type in ["image/jpeg", "application/rss+xml"] {
        let (feed, data) = one_generated_feed(jpeg.clone(), content_type, "");
        assert!(
            feed["error"].is_string(),
            "a JPEG ({content_type}) is not a feed: {feed}"
        );
        std::fs::remove_dir_all(data).unwrap();
    }
}

const SCRIPTED_HTML: &str = r#"<p>Visible paragraph one.</p>
<script>alert('PWNED-SCRIPT'); document.title = "\u001b]2;owned\u0007";</script>
<style>.x { color: red } /* PWNED-STYLE */</style>
<noscript>PWNED-NOSCRIPT</noscript>
<p>Click <a href="javascript:alert('PWNED-JSLINK')">here</a>, or
<a href="JaVaScRiPt&#58;alert(1)">there</a>, or <a href=" javascript:alert(2)">spaced</a>,
or <a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>,
or <a href="vbscript:msgbox(1)">vb</a>, or <a href="http://127.0.0.1:9/fine">a real link</a>.</p>
<img src="x" onerror="alert('PWNED-ONERROR')">
<iframe src="javascript:alert(3)">PWNED-IFRAME</iframe>
<p>Visible paragraph two.</p>"#;

#[test]
fn script_style_and_javascript_links_never_reach_the_reader() {
    let mut xml = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>scripted</title><item><title>has scripts</title><guid>s1</guid><description><![CDATA[",
    );
    xml.push_str(SCRIPTED_HTML);
    xml.push_str("]]></description></item></channel></rss>");
    let (_, data) = one_generated_feed(xml.into_bytes(), "application/rss+xml", "");
    let items = json_of(&data, &["items", "--json"]);
    let id = common::id_of(&items[0]);
    let view = run_json(
        kiosque_offline(&data).args(["read", &id, "--json"]),
        "read --json",
    );
    check_scripted_view(&view);
    std::fs::remove_dir_all(data).unwrap();
}

#[test]
fn script_style_and_javascript_links_never_reach_an_extracted_article() {
    let server = TestServer::start();
    let page = format!(
        "<!doctype html><html><head><title>t</title><script>PWNED-HEAD</script></head><body><article><h1>Headline</h1>{}</article></body></html>",
        SCRIPTED_HTML.repeat(3)
    );
    server.route("/article", Reply::ok("text/html; charset=utf-8", page));
    let data = tempfile::tempdir().unwrap();
    write_config(data.path(), "");
    let view = json_of(data.path(), &["extract", &server.url("/article"), "--json"]);
    check_scripted_view(&view);
    let ran = run_ok(
        kiosque(data.path()).args(["extract", &server.url("/article")]),
        "extract",
    );
    let out = String::from_utf8(ran.stdout).unwrap();
    assert!(!out.contains("PWNED"), "{out}");
}

fn check_scripted_view(view: &Value) {
    let text = view["text"].as_str().unwrap();
    assert!(text.contains("Visible paragraph"), "{view}");
    for needle in ["PWNED", "alert(", "color: red"] {
        assert!(!text.contains(needle), "{needle} in text: {text}");
    }
    for link in view["links"]
        .as_array()
        .unwrap()
        .iter()
        .chain(view["related"].as_array().unwrap())
    {
        let url = link["url"].as_str().unwrap().trim().to_ascii_lowercase();
        for scheme in ["javascript:", "data:", "vbscript:"] {
            assert!(!url.starts_with(scheme), "{scheme} link kept: {link}");
        }
    }
}

#[test]
fn hostile_headers_urls_and_titles_never_reach_the_terminal() {
    let server = TestServer::start();
    let small = common::rss_with_items("ok", 1);
    server.route(
        "/redirect-escape",
        Reply::redirect(302, "javascript:\u{1b}]2;pwned\u{7}"),
    );
    server.route(
        "/redirect-bidi",
        Reply::redirect(301, format!("{}/\u{202e}gpj.exe\u{1b}[2J", server.url(""))),
    );
    server.route(
        "/content-type-escape",
        Reply::ok("application/rss+xml; charset=\u{1b}[31mred", small.clone()),
    );
    server.route(
        "/retry-after-escape",
        Reply::with_header(429, "Retry-After", "\u{1b}[2J\u{9b}1;1H"),
    );
    server.route("/odd-status", Reply::status(599));
    server.route(
        "/title-escape",
        Reply::rss(small.replace(
            "<title>ok</title>",
            "<title>&#x1b;]52;c;cGF5bG9hZA==&#x7;&#x202e;evil&#x9b;2J</title>",
        )),
    );
    let data = tempfile::tempdir().unwrap();
    write_config(data.path(), "");
    let paths = [
        "/redirect-escape",
        "/redirect-bidi",
        "/content-type-escape",
        "/retry-after-escape",
        "/odd-status",
        "/title-escape",
    ];
    let urls: Vec<String> = paths.iter().map(|p| server.url(p)).collect();
    // Titles in the OPML itself carry escapes too.
    let opml = opml_for(&urls).replace(
        "text=\"f\"",
        "text=\"&#x1b;]2;opml-title&#x7;&#x2066;x\" title=\"&#x1b;[5m\"",
    );
    std::fs::write(data.path().join("feeds.opml"), opml).unwrap();
    assert!(
        run(
            kiosque(data.path())
                .arg("import")
                .arg(data.path().join("feeds.opml")),
            "import"
        )
        .success
    );
    for args in [
        &["refresh", "--json"][..],
        &["refresh"],
        &["list"],
        &["items"],
        &["export"],
    ] {
        run(kiosque(data.path()).args(args), &format!("{args:?}"));
    }
    let feeds = json_of(data.path(), &["list", "--json"]);
    assert_parsed_or_clear_error(&feeds);
    json_of(data.path(), &["items", "--json"]);

    // Commands whose error messages echo what the user typed.
    for args in [
        &["add", "http://127.0.0.1:9/\u{1b}]2;x\u{7}\u{202e}"][..],
        &["add", "\u{1b}[2J\u{9b}31m"],
        &["remove", "\u{1b}]2;x\u{7}"],
        &["extract", "/nonexistent/\u{1b}[2J.html"],
    ] {
        let ran = run(
            kiosque_offline(data.path()).args(args),
            &format!("{args:?}"),
        );
        assert!(!ran.success, "{args:?} should fail");
    }
}

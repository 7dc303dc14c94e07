//! Property tests for the parsers that eat files from strangers: feeds (random mutations of a
//! small RSS, Atom and JSON Feed document), OPML, the config file and article extraction never
//! panic, and what they hand back is sanitised.

use kiosque::config::Config;
use kiosque::feed::opml::parse_opml;
use kiosque::feed::parse_feed;
use proptest::prelude::*;
use url::Url;

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>T &amp; co</title><link>http://127.0.0.1/</link>
<item><title>One &amp;eacute;</title><link>http://127.0.0.1/1</link><guid>1</guid>
<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate><description><![CDATA[<p>Hi <a href="/x">x</a></p>]]></description>
<media:thumbnail url="http://127.0.0.1/t.jpg" time="12:00:00"/><itunes:duration>1:02:03</itunes:duration></item>
<item><title>Two</title><guid isPermaLink="false">2</guid><description>plain</description></item>
</channel></rss>"#;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">A &lt;b&gt;b&lt;/b&gt;</title>
<entry><title>E</title><id>urn:1</id><updated>2026-11-23T10:00:00Z</updated>
<link href="http://127.0.0.1/e"/><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></content></entry></feed>"#;

const JSON_FEED: &str = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","title":"x","content_html":"<p>y</p>","url":"http://127.0.0.1/j","date_published":"2026-11-23T10:00:00Z"}]}"#;

const OPML: &str = r#"<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>
<outline text="news"><outline text="a" type="rss" xmlUrl="http://127.0.0.1/a"/>
<outline text="b" xmlUrl="javascript:alert(1)"/></outline><outline text="c" xmlUrl="https://127.0.0.1/c"/></body></opml>"#;

const CONFIG: &str = "refresh_minutes = 30\nconcurrency = 8\nmax_body_bytes = 1000\nbrowser = \"firefox\"\n[keys]\nquit = [\"q\", \"Esc\"]\n";

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Replace(usize, u8),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    const SNIPPETS: &[&[u8]] = &[
        b"<",
        b">",
        b"</item>",
        b"<item>",
        b"<![CDATA[",
        b"]]>",
        b"&",
        b"&#0;",
        b"&#x1b;",
        b"\x1b[2J",
        b"\xff\xfe",
        b"\xc3",
        b"\"",
        b"{",
        b"}",
        b"[",
        b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
        b"&a;",
        b"<entry>",
        b"<outline xmlUrl=\"file:///etc/passwd\">",
        b"<pubDate>99 Foo 99999 99:99:99</pubDate>",
        b"<itunes:duration>99999999999999999999:1</itunes:duration>",
    ];
    prop_oneof![
        (
            any::<usize>(),
            prop_oneof![
                prop::sample::select(SNIPPETS).prop_map(<[u8]>::to_vec),
                prop::collection::vec(any::<u8>(), 1..8),
            ]
        )
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Replace(at, b)),
        (any::<usize>(), 1usize..80).prop_map(|(at, len)| Mutation::Duplicate(at, len)),
    ]
}

fn apply(base: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut doc = base.to_vec();
    for m in mutations {
        let len = doc.len().max(1);
        match m {
            Mutation::Insert(at, bytes) => {
                let at = at % (doc.len() + 1);
                doc.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(doc.len());
                if at < end {
                    doc.drain(at..end);
                }
            }
            Mutation::Replace(at, b) => {
                if !doc.is_empty() {
                    let at = at % doc.len();
                    doc[at] = *b;
                }
            }
            Mutation::Duplicate(at, n) => {
                let at = at % len;
                let end = (at + n).min(doc.len());
                if at < end {
                    let copy = doc[at..end].to_vec();
                    doc.splice(end..end, copy);
                }
            }
        }
    }
    doc
}

fn mutated(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(mutation(), 0..12).prop_map(move |ms| apply(base.as_bytes(), &ms))
}

fn clean(s: &str) -> bool {
    !s.chars().any(|c| {
        c.is_control() && c != '\n'
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

fn check_feed(bytes: &[u8], content_type: Option<&str>) -> Result<(), TestCaseError> {
    let url = Url::parse("http://127.0.0.1/feed.xml").unwrap();
    if let Ok(parsed) = parse_feed(bytes, content_type, &url) {
        // Titles and authors are documented as sanitised at ingest.
        for text in parsed.title.iter().chain(
            parsed
                .items
                .iter()
                .flat_map(|i| std::iter::once(&i.title).chain(i.author.iter())),
        ) {
            prop_assert!(clean(text) && !text.contains('\n'), "unsanitised: {text:?}");
        }
        for item in &parsed.items {
            prop_assert!(!item.title.is_empty(), "empty title");
            if let Some(u) = &item.url {
                prop_assert!(u.starts_with("http://") || u.starts_with("https://"), "{u}");
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_feed_never_panics_on_mutated_rss(doc in mutated(RSS)) {
        check_feed(&doc, Some("application/rss+xml"))?;
    }

    #[test]
    fn parse_feed_never_panics_on_mutated_atom(doc in mutated(ATOM)) {
        check_feed(&doc, None)?;
    }

    #[test]
    fn parse_feed_never_panics_on_mutated_json_feed(doc in mutated(JSON_FEED)) {
        check_feed(&doc, Some("application/feed+json"))?;
    }

    #[test]
    fn parse_feed_never_panics_on_random_bytes(doc in prop::collection::vec(any::<u8>(), 0..512)) {
        check_feed(&doc, None)?;
    }

    #[test]
    fn parse_opml_never_panics_and_keeps_only_http_feeds(doc in mutated(OPML)) {
        let text = String::from_utf8_lossy(&doc);
        if let Ok(parsed) = parse_opml(&text) {
            for feed in &parsed.feeds {
                let url = feed.url.to_ascii_lowercase();
                prop_assert!(url.starts_with("http://") || url.starts_with("https://"), "{url}");
            }
        }
    }

    #[test]
    fn parse_opml_never_panics_on_random_text(text in any::<String>()) {
        let _ = parse_opml(&text);
    }

    #[test]
    fn config_parse_never_panics(doc in mutated(CONFIG)) {
        let text = String::from_utf8_lossy(&doc);
        if let Err(e) = Config::parse(&text, "config.toml") {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn config_parse_never_panics_on_random_text(text in any::<String>()) {
        let _ = Config::parse(&text, "config.toml");
    }

    #[test]
    fn extraction_never_panics_and_views_are_clean(doc in mutated(
        "<!doctype html><html lang=fr><head><title>Site | T</title><meta property=\"og:title\" content=\"T\"><script type=\"application/ld+json\">{\"headline\":\"H\"}</script></head><body><nav><a href=/>home</a></nav><article><h1>Headline</h1><p class=byline>By A</p><p>First paragraph with <a href=\"/l\">a link</a> and enough words to count as text for a reader.</p><p>Lire aussi : <a href=\"/r\">related</a></p><figure><img src=i.jpg><figcaption>Cap</figcaption></figure><p>Second paragraph, longer, with more words in it than the first one had.</p></article><footer>f</footer></body></html>"
    )) {
        let html = String::from_utf8_lossy(&doc);
        let url = Url::parse("http://127.0.0.1/a/b.html").unwrap();
        if let Ok(article) = kiosque::article::extract::extract_article(&html, &url) {
            let view = article.view();
            prop_assert!(clean(&view.title) && clean(&view.text), "{view:?}");
            let _ = kiosque::article::render::render_rich(&article.content_html, 60);
        }
    }
}

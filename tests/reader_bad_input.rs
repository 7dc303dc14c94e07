//! Pages no reader should choke on, generated here: 20 MB, 100,000 links, 10,000-deep
//! nesting, broken charsets. `kiosque read` (through the binary, pages on a loopback server)
//! and the reading pane's layout (the worker's `layout_page`) finish, print something sane
//! (the page's text or the feed's, terminal-safe) and never panic. No timing assertions: a
//! hang is caught by the command's timeout.

mod common;

use common::{Reply, TestServer, kiosque, run_ok};
use kiosque::tui::effect::ReaderDoc;
use kiosque::tui::reader_layout::layout_page;
use serde_json::Value;
use std::time::Duration;

const MB: usize = 1024 * 1024;

/// Enough ordinary prose for the extractor to take a page as an article.
const ARTICLE_BODY: &str = "<p>The council met on Tuesday evening to discuss the new cycle lanes, \
    which residents of the northern districts have asked for since the spring. The plan adds forty \
    kilometres of protected lanes over three years.</p><p>Opponents worry about parking and \
    deliveries; shop owners on the main street asked for loading bays at every crossing, and the \
    mayor promised a consultation before the first works begin in March.</p><p>The budget, twelve \
    million euros, comes mostly from the region, with the rest from the city's own transport \
    fund, which the council voted to extend until the end of the decade.</p>";

/// A 20 MB article: many ordinary paragraphs, a sentinel near the start.
fn big_page() -> Vec<u8> {
    let mut page = String::from(
        "<html><head><title>Big</title></head><body><article><h1>A very long report</h1>\
         <p>Opening sentinel paragraph of the very long report, long enough to be the lead.</p>",
    );
    let mut n = 0;
    while page.len() < 20 * MB {
        page.push_str(&format!(
            "<p>Paragraph {n} of the report goes on about the budget, the schedule and the \
             people involved, as long reports do, sentence after sentence.</p>"
        ));
        n += 1;
    }
    page.push_str("</article></body></html>");
    page.into_bytes()
}

/// 100,000 links in the text.
fn many_links_page() -> Vec<u8> {
    let mut page = String::from(
        "<html><body><article><h1>Every link</h1><p>Links sentinel: the index of the archive, \
         every page of it, one link after another.</p><p>",
    );
    for i in 0..100_000 {
        page.push_str(&format!(
            "<a href=\"https://archive.example.org/{i}\">page {i}</a> "
        ));
    }
    page.push_str("</p></article></body></html>");
    page.into_bytes()
}

/// Text inside 10,000 nested elements of several kinds.
fn deep_page() -> Vec<u8> {
    let tags: Vec<&str> = "div blockquote ul li span table td section"
        .split(' ')
        .collect();
    let mut page = String::from("<html><body><article><h1>Deep</h1>");
    for i in 0..10_000 {
        page.push_str(&format!("<{}>", tags[i % tags.len()]));
    }
    page.push_str(
        "<p>Deep sentinel: the text at the bottom of ten thousand nested elements, \
         which a reader should still show.</p>",
    );
    page.push_str(ARTICLE_BODY);
    for i in (0..10_000).rev() {
        page.push_str(&format!("</{}>", tags[i % tags.len()]));
    }
    page.push_str("</article></body></html>");
    page.into_bytes()
}

/// Labelled UTF-8, but Latin-1 bytes, cut multi-byte sequences and stray C1 bytes inside.
fn broken_charset_page() -> Vec<u8> {
    let mut page =
        b"<html><head><meta charset=\"utf-8\"><title>Broken</title></head><body><article>\
        <h1>Charset sentinel</h1><p>Le caf"
            .to_vec();
    page.push(0xE9); // Latin-1 é in a UTF-8 page
    page.extend_from_slice(b" est ferm");
    page.push(0xE9);
    page.extend_from_slice(b" depuis lundi, et la terrasse aussi. ");
    page.extend_from_slice(&[0xE2, 0x82]); // a cut euro sign
    page.extend_from_slice(b" 12 euros le menu; ");
    page.extend_from_slice(&[0x9B, b'3', b'1', b'm']); // an 8-bit CSI
    page.extend_from_slice(b"rouge; ");
    page.extend_from_slice(&[0xF0, 0x9F]); // a cut emoji
    page.extend_from_slice(
        b" la suite de l'article continue normalement pendant plusieurs phrases.</p></article></body></html>",
    );
    page
}

/// A page that says it is in a charset that does not exist.
fn unknown_charset_page() -> Vec<u8> {
    let mut page = b"<html><head><meta charset=\"x-no-such-charset\"></head><body><article>\
        <h1>Unknown charset sentinel</h1><p>Stra"
        .to_vec();
    page.extend_from_slice(&[0xDF, 0x65]); // Latin-1 ße
    page.extend_from_slice(
        b" und Platz: the text of this page goes on in two languages for a while longer.</p>",
    );
    page.extend_from_slice(ARTICLE_BODY.as_bytes());
    page.extend_from_slice(b"</article></body></html>");
    page
}

struct Case {
    path: &'static str,
    body: Vec<u8>,
    content_type: &'static str,
    /// Text that must be shown: from the page, else the feed's description.
    sentinel: &'static str,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            path: "/big",
            body: big_page(),
            content_type: "text/html; charset=utf-8",
            sentinel: "sentinel",
        },
        Case {
            path: "/links",
            body: many_links_page(),
            content_type: "text/html; charset=utf-8",
            sentinel: "sentinel",
        },
        Case {
            path: "/deep",
            body: deep_page(),
            content_type: "text/html; charset=utf-8",
            sentinel: "sentinel",
        },
        Case {
            path: "/broken-charset",
            body: broken_charset_page(),
            content_type: "text/html; charset=utf-8",
            sentinel: "sentinel",
        },
        Case {
            path: "/unknown-charset",
            body: unknown_charset_page(),
            content_type: "text/html",
            sentinel: "sentinel",
        },
    ]
}

/// No escape, no C0/C1 control but line breaks and tabs.
fn assert_terminal_safe(text: &str, what: &str) {
    if let Some(c) = text.chars().find(|c| {
        (c.is_control() && !matches!(c, '\n' | '\t')) || ('\u{80}'..='\u{9f}').contains(c)
    }) {
        panic!("{what}: control {c:?} in the output");
    }
}

#[test]
fn read_shows_hostile_pages_or_the_feed_text_and_never_panics() {
    let server = TestServer::start();
    let cases = cases();
    let mut feed =
        String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Hostile</title>");
    for (i, case) in cases.iter().enumerate() {
        feed.push_str(&format!(
            "<item><title>Case {i}</title><guid>case-{i}</guid><link>{}</link>\
             <description>Feed sentinel for case {i}.</description></item>",
            server.url(case.path)
        ));
        server.route(case.path, Reply::ok(case.content_type, case.body.clone()));
    }
    feed.push_str("</channel></rss>");
    server.route("/feed", Reply::rss(feed));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A page of 20 MiB is past the default cap of 20,000,000 bytes: raise it, so the pages
    // reach the extractor rather than failing at the fetch.
    std::fs::write(d.join("config.toml"), "max_body_bytes = 40000000\n").unwrap();
    run_ok(d, &["add", &server.url("/feed")]);
    let items = common::json(d, &["items", "--json"]);
    for (i, case) in cases.iter().enumerate() {
        let id = common::id_of(common::row(&items, "title", &format!("Case {i}")));
        let what = format!("read {}", case.path);
        let out = kiosque(d)
            .args(["read", &id, "--json"])
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{what}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let view: Value = serde_json::from_slice(&out.stdout).unwrap();
        let text = view["text"].as_str().unwrap();
        let title = view["title"].as_str().unwrap_or("");
        assert!(
            text.contains(case.sentinel) || title.contains(case.sentinel),
            "{what}: {title} / {}",
            &text[..text.len().min(300)]
        );
        assert_terminal_safe(text, &what);
        if case.path == "/links" && view["source"] == "extracted" {
            assert!(view["links"].as_array().unwrap().len() >= 50_000, "{what}");
        }
        println!(
            "{what}: source {}, {} bytes of text, {} links",
            view["source"],
            text.len(),
            view["links"].as_array().map_or(0, Vec::len)
        );
        // The plain-text form, as a terminal shows it.
        let out = kiosque(d)
            .args(["read", &id])
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        assert!(out.status.success(), "{what} (text)");
        let shown = String::from_utf8(out.stdout).expect("UTF-8 output");
        println!(
            "{what}: {}",
            shown.lines().take(4).collect::<Vec<_>>().join(" | ")
        );
        assert_terminal_safe(&shown, &format!("{what} (text)"));
    }
}

#[test]
fn the_reading_pane_lays_out_hostile_pages() {
    for case in cases() {
        // The worker gets the page's text decoded as the fetcher decodes it.
        let html = kiosque::charset::decode_html(&case.body, Some(case.content_type));
        let doc = ReaderDoc {
            title: format!("Hostile {}", case.path),
            meta: String::new(),
            html,
            related: vec![],
            note: None,
            enclosures: vec![],
            images: None,
        };
        // The big ones take seconds in a debug build: one width is enough for them.
        let widths: &[u16] = if case.body.len() > MB {
            &[80]
        } else {
            &[80, 24]
        };
        for &width in widths {
            let page = layout_page(&doc, width);
            let text: Vec<String> = page
                .lines
                .iter()
                .map(|l| l.spans.iter().map(|s| s.text.as_str()).collect())
                .collect();
            for line in &text {
                assert!(
                    kiosque::text::display_width(line) <= usize::from(width),
                    "{} at {width}: {line:?}",
                    case.path
                );
                assert_terminal_safe(line, case.path);
            }
            let all = text.join("\n");
            assert!(
                all.contains(case.sentinel),
                "{} at {width}: {}",
                case.path,
                &all[..all.len().min(400)]
            );
            if case.path == "/links" {
                assert!(page.links.len() >= 50_000, "{}", page.links.len());
            }
            if case.path == "/big" {
                assert!(all.contains("too big to show whole"), "the cut is said");
            }
        }
    }
}

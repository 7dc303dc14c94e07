//! Regressions found by fuzzing (`fuzz/regressions/` holds the inputs). `render_rich` and
//! `parse_feed` catch panics from html2text and feed-rs and fall back, so these check the
//! stricter property the fuzzer holds them to: no panic happens at all (a caught panic still
//! prints through the panic hook, which in the TUI would write over the screen).

use kiosque::article::render::render_rich;
use kiosque::text::display_width;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Found by `fuzz/fuzz_targets/article_extract.rs` in 5 s: a page from the extraction corpus
/// (read as HTML) at width 3.
const SUB_OVERFLOW: &[u8] =
    include_bytes!("../fuzz/regressions/article_extract-html2text-sub-overflow.bin");

/// Found by `fuzz/fuzz_targets/feed_parse.rs` in 14 s: an XML declaration naming another
/// encoding inside a `<title>`, after quick-xml has drained its prefix buffer.
const XML_DECLARATION_IN_TITLE: &[u8] =
    include_bytes!("../fuzz/regressions/feed_parse-xml-declaration-in-title.xml");

/// The panic hook is global: tests that swap it run one at a time.
static HOOK: Mutex<()> = Mutex::new(());

/// Runs `f`, counting panics (caught or not) on any thread meanwhile.
fn panics_during(f: impl FnOnce()) -> usize {
    let _one_at_a_time = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
    }));
    f();
    std::panic::set_hook(previous);
    count.load(Ordering::SeqCst)
}

#[test]
fn a_mid_document_xml_declaration_is_not_a_panic() {
    let url = url::Url::parse("http://127.0.0.1/feed.xml").unwrap();
    for body in [
        XML_DECLARATION_IN_TITLE.to_vec(),
        b"<rss version=\"2.0\"><channel><title>Song <?xml version=\"1.0\" encoding=\"iso8859-1\"?></title><item><title>a</title></item></channel></rss>".to_vec(),
    ] {
        let mut result = None;
        let panics = panics_during(|| result = Some(kiosque::feed::parse_feed(&body, None, &url)));
        assert_eq!(panics, 0, "panicked; result {:?}", result.map(|r| r.is_ok()));
    }
}

/// Renders `html` at each width, checking widths; returns the widths at which anything
/// panicked (caught or not).
fn panics_while_rendering(html: &str, widths: impl Iterator<Item = u16>) -> Vec<u16> {
    widths
        .filter(|&width| {
            panics_during(|| {
                let rendered = render_rich(html, width);
                for line in &rendered.lines {
                    let text: String = line.iter().map(|s| s.text.as_str()).collect();
                    assert!(
                        display_width(&text) <= usize::from(width),
                        "{text:?} > {width}"
                    );
                }
            }) > 0
        })
        .collect()
}

#[test]
fn html2text_never_panics_at_small_widths() {
    let html = String::from_utf8_lossy(SUB_OVERFLOW);
    let panicked = panics_while_rendering(&html, 1..=40);
    assert!(
        panicked.is_empty(),
        "html2text panicked at widths {panicked:?}"
    );
}

#[test]
fn the_fuzz_regression_renders_at_pane_widths_without_panic() {
    let html = String::from_utf8_lossy(SUB_OVERFLOW);
    let panicked = panics_while_rendering(&html, [20, 40, 60, 80, 120].into_iter());
    assert!(
        panicked.is_empty(),
        "html2text panicked at widths {panicked:?}"
    );
}
